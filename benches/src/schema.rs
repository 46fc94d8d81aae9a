//! The schema of Diesel's benchmark suite (`diesel_bench`): users, their
//! posts, and the posts' comments, created with the same SQL for every
//! contender, and the foal entities that map onto it.

use foal::prelude::*;

use crate::Backend;

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "users")]
#[foal(has_many(posts: Post = user))]
pub struct User {
    #[foal(primary_key, auto)]
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "posts")]
#[foal(has_many(comments: Comment = post))]
pub struct Post {
    #[foal(primary_key, auto)]
    pub id: i32,
    #[foal(column = "user_id")]
    pub user: Ref<User>,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "comments")]
pub struct Comment {
    #[foal(primary_key, auto)]
    pub id: i32,
    #[foal(column = "post_id")]
    pub post: Ref<Post>,
    pub text: String,
}

/// `CREATE TABLE` statements, as Diesel's benchmark migrations have them.
pub fn create_sql(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &[
            "CREATE TABLE IF NOT EXISTS users (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, hair_color TEXT)",
            "CREATE TABLE IF NOT EXISTS posts (id INTEGER NOT NULL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL, body TEXT)",
            "CREATE TABLE IF NOT EXISTS comments (id INTEGER NOT NULL PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id), text TEXT NOT NULL)",
        ],
        Backend::Postgres => &[
            "CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, name VARCHAR NOT NULL, hair_color VARCHAR)",
            "CREATE TABLE IF NOT EXISTS posts (id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title VARCHAR NOT NULL, body TEXT)",
            "CREATE TABLE IF NOT EXISTS comments (id SERIAL PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id), text TEXT NOT NULL)",
        ],
        Backend::Mysql => &[
            "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTO_INCREMENT, name TEXT NOT NULL, hair_color TEXT) CHARACTER SET utf8mb4",
            "CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY AUTO_INCREMENT, user_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT, FOREIGN KEY (user_id) REFERENCES users (id)) CHARACTER SET utf8mb4",
            "CREATE TABLE IF NOT EXISTS comments (id INTEGER PRIMARY KEY AUTO_INCREMENT, post_id INTEGER NOT NULL, text TEXT NOT NULL, FOREIGN KEY (post_id) REFERENCES posts (id)) CHARACTER SET utf8mb4",
        ],
    }
}

/// Statements that empty the tables between measurements.
pub fn clear_sql(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &["DELETE FROM comments", "DELETE FROM posts", "DELETE FROM users"],
        Backend::Postgres => &["TRUNCATE TABLE comments, posts, users RESTART IDENTITY"],
        Backend::Mysql => &[
            "SET FOREIGN_KEY_CHECKS = 0",
            "TRUNCATE TABLE comments",
            "TRUNCATE TABLE posts",
            "TRUNCATE TABLE users",
            "SET FOREIGN_KEY_CHECKS = 1",
        ],
    }
}

/// `User {n}` with the hair colour Diesel's suite gives user `n`.
pub fn new_user(n: usize, hair_color: Option<&str>) -> User {
    User {
        id: 0,
        name: format!("User {n}"),
        hair_color: hair_color.map(str::to_owned),
    }
}

/// Black for even users, brown for odd ones (the medium query's filter
/// keeps half).
pub fn alternating_hair(n: usize) -> Option<&'static str> {
    Some(if n.is_multiple_of(2) { "black" } else { "brown" })
}
