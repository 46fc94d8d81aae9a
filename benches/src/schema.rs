//! The foal entities that map onto the schema of Diesel's benchmark suite
//! (users, their posts, the posts' comments; the tables themselves are
//! created by `baseline.rs`, with the same SQL for every contender).

use foal::prelude::*;

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
