//! The four workloads of Diesel's benchmark suite, each as a pair: foal,
//! and the same work written by hand with the backend's driver.
//!
//! - trivial query: load every user (N = 1, 100, 10 000);
//! - medium complex query: users LEFT JOIN posts where the hair colour is
//!   black (N = 1, 100, 1 000 users, half of them black-haired, no posts);
//! - insert: N users in one statement (N = 1, 10, 100), with their keys;
//! - loading associations: 9 users, 10 posts each, 10 comments per post,
//!   loaded with three queries and grouped in memory.

use std::collections::HashMap;

use foal::Value;
use foal::prelude::*;

use crate::schema::{self, Comment, Post, User};
use crate::{Backend, Result, Runner};

pub const TRIVIAL_SIZES: [usize; 3] = [1, 100, 10_000];
pub const MEDIUM_SIZES: [usize; 3] = [1, 100, 1_000];
pub const INSERT_SIZES: [usize; 3] = [1, 10, 100];

const TRIVIAL_SQL: &str = "SELECT id, name, hair_color FROM users";

/// The hand-written side's connection.
enum Hand {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
    Mysql(mysql::Conn),
}

/// Both sides' connections to one backend.
pub struct Env {
    backend: Backend,
    db: Database,
    hand: Hand,
}

impl Env {
    /// Connects both sides and creates the tables (dropping earlier ones).
    pub fn open(backend: Backend) -> Result<Env> {
        let url = backend.url()?;
        let db = Database::open(&url)?;
        let hand = match backend {
            Backend::Sqlite => Hand::Sqlite(rusqlite::Connection::open_in_memory()?),
            Backend::Postgres => Hand::Postgres(postgres::Client::connect(&url, postgres::NoTls)?),
            Backend::Mysql => Hand::Mysql(mysql::Conn::new(mysql::Opts::from_url(&url)?)?),
        };
        let mut env = Env { backend, db, hand };
        for table in ["comments", "posts", "users"] {
            env.run_both(&format!("DROP TABLE IF EXISTS {table}"))?;
        }
        for sql in schema::create_sql(backend) {
            env.run_both(sql)?;
        }
        Ok(env)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// foal's database handle.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Runs SQL on each side's database (one and the same on a server).
    fn run_both(&mut self, sql: &str) -> Result<()> {
        match &mut self.hand {
            Hand::Sqlite(c) => {
                c.execute_batch(sql)?;
                self.db.execute_sql(sql)?;
            }
            Hand::Postgres(_) | Hand::Mysql(_) => self.db.execute_sql(sql)?,
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<()> {
        for sql in schema::clear_sql(self.backend) {
            self.run_both(sql)?;
        }
        Ok(())
    }

    /// Inserts the same rows into each side's database.
    fn seed<E: Entity + Clone>(&mut self, rows: Vec<E>) -> Result<Vec<E>> {
        if let Hand::Sqlite(c) = &self.hand {
            // The hand-written side's private in-memory database gets the
            // same rows, keys included.
            let stored = self.db.insert_all(rows)?;
            copy_rows(c, &stored)?;
            return Ok(stored);
        }
        Ok(self.db.insert_all(rows)?)
    }
}

/// Copies rows foal stored into the hand-written side's SQLite database.
fn copy_rows<E: Entity>(to: &rusqlite::Connection, rows: &[E]) -> Result<()> {
    let meta = E::meta();
    let columns: Vec<&str> = meta.columns.iter().map(|c| c.name.as_str()).collect();
    let marks = vec!["?"; columns.len()].join(", ");
    let sql = format!("INSERT INTO {} ({}) VALUES ({marks})", meta.table, columns.join(", "));
    let mut stmt = to.prepare(&sql)?;
    for row in rows {
        let mut values = Vec::new();
        row.push_values(&mut values);
        let params: Vec<rusqlite::types::Value> = values
            .into_iter()
            .map(|v| match v {
                Value::Int(i) => rusqlite::types::Value::Integer(i),
                Value::Text(s) => rusqlite::types::Value::Text(s),
                Value::StaticText(s) => rusqlite::types::Value::Text(s.to_owned()),
                _ => rusqlite::types::Value::Null,
            })
            .collect();
        stmt.execute(rusqlite::params_from_iter(params))?;
    }
    Ok(())
}

/// Every workload at every size.
pub fn run_all(backend: Backend, runner: &mut dyn Runner) -> Result<()> {
    let mut env = Env::open(backend)?;
    for n in TRIVIAL_SIZES {
        trivial(&mut env, n, runner)?;
    }
    for n in MEDIUM_SIZES {
        medium(&mut env, n, runner)?;
    }
    for n in INSERT_SIZES {
        insert(&mut env, n, runner)?;
    }
    associations(&mut env, runner)
}

fn users(n: usize, hair: impl Fn(usize) -> Option<&'static str>) -> Vec<User> {
    (0..n).map(|i| schema::new_user(i, hair(i))).collect()
}

fn no_reset() -> Result<usize> {
    Ok(0)
}

fn user_of_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        name: row.get(1)?,
        hair_color: row.get(2)?,
    })
}

fn user_of_pg(row: &postgres::Row) -> Result<User> {
    Ok(User {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        hair_color: row.try_get(2)?,
    })
}

/// Load every user.
pub fn trivial(env: &mut Env, n: usize, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    env.seed(users(n, |_| None))?;
    let db = env.db.clone();
    let mut foal = || -> Result<usize> { Ok(select!(u for u in User).fetch_all(&db)?.len()) };
    match &mut env.hand {
        Hand::Sqlite(c) => {
            let mut stmt = c.prepare(TRIVIAL_SQL)?;
            let mut hand = || -> Result<usize> {
                let rows = stmt
                    .query_map([], user_of_sqlite)?
                    .collect::<rusqlite::Result<Vec<User>>>()?;
                Ok(rows.len())
            };
            runner.pair("trivial query", n, &mut foal, &mut hand, &mut no_reset)
        }
        Hand::Postgres(c) => {
            let stmt = c.prepare(TRIVIAL_SQL)?;
            let mut hand = || -> Result<usize> {
                let rows = c.query(&stmt, &[])?;
                let users = rows.iter().map(user_of_pg).collect::<Result<Vec<User>>>()?;
                Ok(users.len())
            };
            runner.pair("trivial query", n, &mut foal, &mut hand, &mut no_reset)
        }
        Hand::Mysql(c) => {
            use mysql::prelude::Queryable;
            let stmt = c.prep(TRIVIAL_SQL)?;
            let mut hand = || -> Result<usize> {
                let users = c.exec_map(&stmt, (), |(id, name, hair_color)| User { id, name, hair_color })?;
                Ok(users.len())
            };
            runner.pair("trivial query", n, &mut foal, &mut hand, &mut no_reset)
        }
    }
}

const MEDIUM_SQL: &str = "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title, p.body \
                          FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id WHERE u.hair_color = ";

/// Users with black hair, each with their posts (left join).
pub fn medium(env: &mut Env, n: usize, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    env.seed(users(n, schema::alternating_hair))?;
    let db = env.db.clone();
    let mut foal = || -> Result<usize> {
        let q = select!((u, p) for u in User for p in u.posts.left() if u.hair_color == "black");
        let rows: Vec<(User, Option<Post>)> = q.fetch_all(&db)?;
        Ok(rows.len())
    };
    match &mut env.hand {
        Hand::Sqlite(c) => {
            let mut stmt = c.prepare(&format!("{MEDIUM_SQL}?"))?;
            let mut hand = || -> Result<usize> {
                let rows = stmt
                    .query_map(["black"], |row| {
                        let user = user_of_sqlite(row)?;
                        let post = match row.get::<_, Option<i32>>(3)? {
                            Some(id) => Some(Post {
                                id,
                                user: Ref::new(row.get(4)?),
                                title: row.get(5)?,
                                body: row.get(6)?,
                            }),
                            None => None,
                        };
                        Ok((user, post))
                    })?
                    .collect::<rusqlite::Result<Vec<(User, Option<Post>)>>>()?;
                Ok(rows.len())
            };
            runner.pair("medium complex query", n, &mut foal, &mut hand, &mut no_reset)
        }
        Hand::Postgres(c) => {
            let stmt = c.prepare(&format!("{MEDIUM_SQL}$1"))?;
            let mut hand = || -> Result<usize> {
                let rows = c.query(&stmt, &[&"black"])?;
                let pairs = rows
                    .iter()
                    .map(|row| {
                        let user = user_of_pg(row)?;
                        let post = match row.try_get::<_, Option<i32>>(3)? {
                            Some(id) => Some(Post {
                                id,
                                user: Ref::new(row.try_get(4)?),
                                title: row.try_get(5)?,
                                body: row.try_get(6)?,
                            }),
                            None => None,
                        };
                        Ok((user, post))
                    })
                    .collect::<Result<Vec<(User, Option<Post>)>>>()?;
                Ok(pairs.len())
            };
            runner.pair("medium complex query", n, &mut foal, &mut hand, &mut no_reset)
        }
        Hand::Mysql(c) => {
            use mysql::prelude::Queryable;
            let stmt = c.prep(format!("{MEDIUM_SQL}?"))?;
            let mut hand = || -> Result<usize> {
                let mut pairs: Vec<(User, Option<Post>)> = Vec::new();
                for row in c.exec_iter(&stmt, ("black",))? {
                    let mut row = row?;
                    let user = User {
                        id: take(&mut row, 0)?,
                        name: take(&mut row, 1)?,
                        hair_color: take(&mut row, 2)?,
                    };
                    let post = match take::<Option<i32>>(&mut row, 3)? {
                        Some(id) => Some(Post {
                            id,
                            user: Ref::new(take(&mut row, 4)?),
                            title: take(&mut row, 5)?,
                            body: take(&mut row, 6)?,
                        }),
                        None => None,
                    };
                    pairs.push((user, post));
                }
                Ok(pairs.len())
            };
            runner.pair("medium complex query", n, &mut foal, &mut hand, &mut no_reset)
        }
    }
}

fn take<T: mysql::prelude::FromValue>(row: &mut mysql::Row, i: usize) -> Result<T> {
    row.take_opt(i)
        .ok_or_else(|| format!("column {i} missing"))?
        .map_err(|e| e.to_string().into())
}

/// `INSERT INTO users (name, hair_color) VALUES (…), … ` for `n` rows.
fn insert_sql(n: usize, postgres: bool) -> String {
    let mut sql = String::from("INSERT INTO users (name, hair_color) VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        if postgres {
            sql.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
        } else {
            sql.push_str("(?, ?)");
        }
    }
    sql
}

fn insert_params(n: usize) -> Vec<(String, Option<String>)> {
    (0..n)
        .map(|i| (format!("User {i}"), Some("hair_color".to_owned())))
        .collect()
}

/// `n` users in one statement, getting their generated keys back.
pub fn insert(env: &mut Env, n: usize, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    let db = env.db.clone();
    let mut foal = || -> Result<usize> {
        let rows: Vec<User> = (0..n).map(|i| schema::new_user(i, Some("hair_color"))).collect();
        Ok(db.insert_all(rows)?.len())
    };
    let backend = env.backend;
    let clear_db = env.db.clone();
    let mut reset = || -> Result<usize> {
        for sql in schema::clear_sql(backend) {
            clear_db.execute_sql(sql)?;
        }
        Ok(0)
    };
    match &mut env.hand {
        Hand::Sqlite(c) => {
            let mut stmt = c.prepare(&format!("{} RETURNING id", insert_sql(n, false)))?;
            let mut hand = || -> Result<usize> {
                let params = insert_params(n);
                let flat: Vec<&dyn rusqlite::ToSql> = params
                    .iter()
                    .flat_map(|(name, hair)| [name as &dyn rusqlite::ToSql, hair as &dyn rusqlite::ToSql])
                    .collect();
                let ids = stmt
                    .query_map(flat.as_slice(), |row| row.get::<_, i32>(0))?
                    .collect::<rusqlite::Result<Vec<i32>>>()?;
                Ok(ids.len())
            };
            runner.pair("insert", n, &mut foal, &mut hand, &mut reset)
        }
        Hand::Postgres(c) => {
            let stmt = c.prepare(&format!("{} RETURNING id", insert_sql(n, true)))?;
            let mut hand = || -> Result<usize> {
                let params = insert_params(n);
                let flat: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                    .iter()
                    .flat_map(|(name, hair)| [name as &(dyn postgres::types::ToSql + Sync), hair as _])
                    .collect();
                let ids: Vec<i32> = c.query(&stmt, &flat)?.iter().map(|r| r.get(0)).collect();
                Ok(ids.len())
            };
            runner.pair("insert", n, &mut foal, &mut hand, &mut reset)
        }
        Hand::Mysql(c) => {
            use mysql::prelude::Queryable;
            let stmt = c.prep(insert_sql(n, false))?;
            let mut hand = || -> Result<usize> {
                let params: Vec<mysql::Value> = insert_params(n)
                    .into_iter()
                    .flat_map(|(name, hair)| [mysql::Value::from(name), mysql::Value::from(hair)])
                    .collect();
                c.exec_drop(&stmt, mysql::Params::Positional(params))?;
                let first = c.last_insert_id();
                let ids: Vec<u64> = (0..n as u64).map(|i| first + i).collect();
                Ok(ids.len())
            };
            runner.pair("insert", n, &mut foal, &mut hand, &mut reset)
        }
    }
}

/// A post with its comments.
type PostTree = (Post, Vec<Comment>);
/// A user with their posts, each with its comments.
type UserTree = (User, Vec<PostTree>);
type Tree = Vec<UserTree>;

/// Groups the three result sets the way Diesel's suite does.
fn group(users: Vec<User>, posts: Vec<Post>, comments: Vec<Comment>) -> Tree {
    let mut posts: HashMap<i32, PostTree> = posts.into_iter().map(|p| (p.id, (p, Vec::new()))).collect();
    let mut users: HashMap<i32, UserTree> = users.into_iter().map(|u| (u.id, (u, Vec::new()))).collect();
    for comment in comments {
        if let Some(post) = posts.get_mut(&comment.post.key()) {
            post.1.push(comment);
        }
    }
    for (_, post) in posts {
        if let Some(user) = users.get_mut(&post.0.user.key()) {
            user.1.push(post);
        }
    }
    users.into_values().collect()
}

fn in_list(n: usize, postgres: bool) -> String {
    (1..=n)
        .map(|i| if postgres { format!("${i}") } else { "?".to_owned() })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Users, their posts and the posts' comments: three queries, then the
/// rows grouped in memory.
pub fn associations(env: &mut Env, runner: &mut dyn Runner) -> Result<()> {
    env.clear()?;
    let users = env.seed(users(9, schema::alternating_hair))?;
    let posts: Vec<Post> = users
        .iter()
        .flat_map(|u| {
            (0..10).map(move |i| Post {
                id: 0,
                user: Ref::to(u),
                title: format!("Post {i} by user {}", u.id),
                body: None,
            })
        })
        .collect();
    let posts = env.seed(posts)?;
    let comments: Vec<Comment> = posts
        .iter()
        .flat_map(|p| {
            (0..10).map(move |i| Comment {
                id: 0,
                post: Ref::to(p),
                text: format!("Comment {i} on post {}", p.id),
            })
        })
        .collect();
    env.seed(comments)?;
    let (n_users, n_posts) = (users.len(), posts.len());

    let db = env.db.clone();
    let mut foal = || -> Result<usize> {
        let loaded = select!(User.prefetch(|u| u.posts.comments)).fetch_all(&db)?;
        Ok(loaded.len())
    };
    let posts_sql = |pg: bool| {
        format!(
            "SELECT id, user_id, title, body FROM posts WHERE user_id IN ({})",
            in_list(n_users, pg)
        )
    };
    let comments_sql = |pg: bool| {
        format!(
            "SELECT id, post_id, text FROM comments WHERE post_id IN ({})",
            in_list(n_posts, pg)
        )
    };
    match &mut env.hand {
        Hand::Sqlite(c) => {
            let mut users_q = c.prepare(TRIVIAL_SQL)?;
            let mut posts_q = c.prepare(&posts_sql(false))?;
            let mut comments_q = c.prepare(&comments_sql(false))?;
            let mut hand = || -> Result<usize> {
                let users = users_q
                    .query_map([], user_of_sqlite)?
                    .collect::<rusqlite::Result<Vec<User>>>()?;
                let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
                let posts = posts_q
                    .query_map(rusqlite::params_from_iter(&ids), |r| {
                        Ok(Post {
                            id: r.get(0)?,
                            user: Ref::new(r.get(1)?),
                            title: r.get(2)?,
                            body: r.get(3)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<Post>>>()?;
                let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
                let comments = comments_q
                    .query_map(rusqlite::params_from_iter(&ids), |r| {
                        Ok(Comment {
                            id: r.get(0)?,
                            post: Ref::new(r.get(1)?),
                            text: r.get(2)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<Comment>>>()?;
                Ok(group(users, posts, comments).len())
            };
            runner.pair("loading associations", 9, &mut foal, &mut hand, &mut no_reset)
        }
        Hand::Postgres(c) => {
            let users_q = c.prepare(TRIVIAL_SQL)?;
            let posts_q = c.prepare(&posts_sql(true))?;
            let comments_q = c.prepare(&comments_sql(true))?;
            let mut hand = || -> Result<usize> {
                let users = c
                    .query(&users_q, &[])?
                    .iter()
                    .map(user_of_pg)
                    .collect::<Result<Vec<User>>>()?;
                let ids: Vec<&(dyn postgres::types::ToSql + Sync)> = users
                    .iter()
                    .map(|u| &u.id as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                let posts = c
                    .query(&posts_q, &ids)?
                    .iter()
                    .map(|r| {
                        Ok(Post {
                            id: r.try_get(0)?,
                            user: Ref::new(r.try_get(1)?),
                            title: r.try_get(2)?,
                            body: r.try_get(3)?,
                        })
                    })
                    .collect::<Result<Vec<Post>>>()?;
                let ids: Vec<&(dyn postgres::types::ToSql + Sync)> = posts
                    .iter()
                    .map(|p| &p.id as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                let comments = c
                    .query(&comments_q, &ids)?
                    .iter()
                    .map(|r| {
                        Ok(Comment {
                            id: r.try_get(0)?,
                            post: Ref::new(r.try_get(1)?),
                            text: r.try_get(2)?,
                        })
                    })
                    .collect::<Result<Vec<Comment>>>()?;
                Ok(group(users, posts, comments).len())
            };
            runner.pair("loading associations", 9, &mut foal, &mut hand, &mut no_reset)
        }
        Hand::Mysql(c) => {
            use mysql::prelude::Queryable;
            let users_q = c.prep(TRIVIAL_SQL)?;
            let posts_q = c.prep(posts_sql(false))?;
            let comments_q = c.prep(comments_sql(false))?;
            let mut hand = || -> Result<usize> {
                let users = c.exec_map(&users_q, (), |(id, name, hair_color)| User { id, name, hair_color })?;
                let ids: Vec<mysql::Value> = users.iter().map(|u| mysql::Value::from(u.id)).collect();
                let posts = c.exec_map(&posts_q, mysql::Params::Positional(ids), |(id, user, title, body)| {
                    Post {
                        id,
                        user: Ref::new(user),
                        title,
                        body,
                    }
                })?;
                let ids: Vec<mysql::Value> = posts.iter().map(|p| mysql::Value::from(p.id)).collect();
                let comments = c.exec_map(&comments_q, mysql::Params::Positional(ids), |(id, post, text)| {
                    Comment {
                        id,
                        post: Ref::new(post),
                        text,
                    }
                })?;
                Ok(group(users, posts, comments).len())
            };
            runner.pair("loading associations", 9, &mut foal, &mut hand, &mut no_reset)
        }
    }
}
