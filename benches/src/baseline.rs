//! The hand-written side of every workload, with the drivers alone
//! (rusqlite, postgres, mysql): statements prepared once, outside the timed
//! closure, columns read by index, results in plain structs. Also the
//! schema of Diesel's benchmark suite and the data each workload starts
//! from, as SQL.
//!
//! This file depends on nothing of foal: `benches/peers` includes it as it
//! is, so Diesel and SQLx are measured against the very same baseline.

use std::collections::HashMap;
use std::fmt;

use crate::harness::{Result, Side};

/// A backend the workloads run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

    pub fn parse(name: &str) -> Option<Backend> {
        match name {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" | "pg" => Some(Backend::Postgres),
            "mysql" | "mariadb" => Some(Backend::Mysql),
            _ => None,
        }
    }

    /// The server's URL: `FOAL_BENCH_POSTGRES_URL` / `FOAL_BENCH_MYSQL_URL`
    /// (`scripts/bench.sh` starts servers and sets them), else the test
    /// servers' `FOAL_TEST_*_URL`. SQLite runs in memory.
    pub fn url(self) -> Result<String> {
        let vars = match self {
            Backend::Sqlite => return Ok("sqlite::memory:".into()),
            Backend::Postgres => ["FOAL_BENCH_POSTGRES_URL", "FOAL_TEST_POSTGRES_URL"],
            Backend::Mysql => ["FOAL_BENCH_MYSQL_URL", "FOAL_TEST_MYSQL_URL"],
        };
        vars.iter()
            .find_map(|v| std::env::var(v).ok())
            .ok_or_else(|| format!("{} is not set: run scripts/bench.sh, which starts the servers", vars[0]).into())
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        })
    }
}

pub const TRIVIAL_SIZES: [usize; 3] = [1, 100, 10_000];
pub const MEDIUM_SIZES: [usize; 3] = [1, 100, 1_000];
pub const INSERT_SIZES: [usize; 3] = [1, 10, 100];
/// Rows of the bulk-load workload (`db.load`).
pub const LOAD_SIZES: [usize; 2] = [10_000, 1_000_000];
/// Users of the associations workload; 10 posts each, 10 comments a post.
pub const ASSOCIATION_USERS: usize = 9;

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

/// Drops the tables (before creating them afresh).
pub const DROP_SQL: [&str; 3] = [
    "DROP TABLE IF EXISTS comments",
    "DROP TABLE IF EXISTS posts",
    "DROP TABLE IF EXISTS users",
];

/// Statements that empty the tables and restart their keys at 1.
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

/// Black for even users, brown for odd ones (the medium query keeps half).
pub fn alternating_hair(n: usize) -> Option<&'static str> {
    Some(if n.is_multiple_of(2) { "black" } else { "brown" })
}

/// Inserts of `n` users `User 0` … with the given hair colours, as SQL
/// (the values are the workload's own, written as literals), in chunks.
pub fn seed_users_sql(n: usize, hair: fn(usize) -> Option<&'static str>) -> Vec<String> {
    chunked_inserts("INSERT INTO users (name, hair_color) VALUES ", n, |i| match hair(i) {
        Some(h) => format!("('User {i}', '{h}')"),
        None => format!("('User {i}', NULL)"),
    })
}

/// The posts and comments of the associations workload, once its users
/// exist with keys 1 to `ASSOCIATION_USERS`: 10 posts a user (keys 1 to 90
/// in order), 10 comments a post.
pub fn seed_associations_sql() -> Vec<String> {
    let mut sql = chunked_inserts(
        "INSERT INTO posts (user_id, title, body) VALUES ",
        ASSOCIATION_USERS * 10,
        |i| {
            let user = i / 10 + 1;
            format!("({user}, 'Post {} by user {user}', NULL)", i % 10)
        },
    );
    sql.extend(chunked_inserts(
        "INSERT INTO comments (post_id, text) VALUES ",
        ASSOCIATION_USERS * 100,
        |i| {
            let post = i / 10 + 1;
            format!("({post}, 'Comment {} on post {post}')", i % 10)
        },
    ));
    sql
}

fn chunked_inserts(prefix: &str, n: usize, row: impl Fn(usize) -> String) -> Vec<String> {
    (0..n)
        .collect::<Vec<_>>()
        .chunks(500)
        .map(|chunk| {
            format!(
                "{prefix}{}",
                chunk.iter().map(|&i| row(i)).collect::<Vec<_>>().join(", ")
            )
        })
        .collect()
}

pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

pub struct Post {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

pub struct Comment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

/// A post with its comments.
pub type PostTree = (Post, Vec<Comment>);
/// A user with their posts, each with its comments.
pub type UserTree = (User, Vec<PostTree>);

/// Groups the three result sets the way Diesel's suite does.
pub fn group(users: Vec<User>, posts: Vec<Post>, comments: Vec<Comment>) -> Vec<UserTree> {
    let mut posts: HashMap<i32, PostTree> = posts.into_iter().map(|p| (p.id, (p, Vec::new()))).collect();
    let mut users: HashMap<i32, UserTree> = users.into_iter().map(|u| (u.id, (u, Vec::new()))).collect();
    for comment in comments {
        if let Some(post) = posts.get_mut(&comment.post_id) {
            post.1.push(comment);
        }
    }
    for (_, post) in posts {
        if let Some(user) = users.get_mut(&post.0.user_id) {
            user.1.push(post);
        }
    }
    users.into_values().collect()
}

/// The hand-written side's connection.
pub enum Hand {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
    Mysql(mysql::Conn),
}

const TRIVIAL_SQL: &str = "SELECT id, name, hair_color FROM users";
const MEDIUM_SQL: &str = "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title, p.body \
                          FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id WHERE u.hair_color = ";

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

fn take<T: mysql::prelude::FromValue>(row: &mut mysql::Row, i: usize) -> Result<T> {
    row.take_opt(i)
        .ok_or_else(|| format!("column {i} missing"))?
        .map_err(|e| e.to_string().into())
}

/// `INSERT INTO users (name, hair_color) VALUES (…), …` for `n` rows.
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

/// The rows the insert workload writes, as the baseline binds them.
fn insert_params(n: usize) -> Vec<(String, Option<String>)> {
    (0..n)
        .map(|i| (format!("User {i}"), Some("hair_color".to_owned())))
        .collect()
}

fn in_list(n: usize, postgres: bool) -> String {
    (1..=n)
        .map(|i| if postgres { format!("${i}") } else { "?".to_owned() })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Hand {
    pub fn connect(backend: Backend) -> Result<Hand> {
        let url = backend.url()?;
        Ok(match backend {
            Backend::Sqlite => Hand::Sqlite(rusqlite::Connection::open_in_memory()?),
            Backend::Postgres => Hand::Postgres(postgres::Client::connect(&url, postgres::NoTls)?),
            Backend::Mysql => Hand::Mysql(mysql::Conn::new(mysql::Opts::from_url(&url)?)?),
        })
    }

    /// Runs SQL without parameters.
    pub fn execute(&mut self, sql: &str) -> Result<()> {
        use mysql::prelude::Queryable;
        match self {
            Hand::Sqlite(c) => c.execute_batch(sql)?,
            Hand::Postgres(c) => c.batch_execute(sql)?,
            Hand::Mysql(c) => c.query_drop(sql)?,
        }
        Ok(())
    }

    /// Load every user: gives the timed closure to `run`.
    pub fn trivial(&mut self, run: &mut dyn FnMut(Side<'_>) -> Result<()>) -> Result<()> {
        match self {
            Hand::Sqlite(c) => {
                let mut stmt = c.prepare(TRIVIAL_SQL)?;
                run(&mut || {
                    let rows = stmt
                        .query_map([], user_of_sqlite)?
                        .collect::<rusqlite::Result<Vec<User>>>()?;
                    Ok(rows.len())
                })
            }
            Hand::Postgres(c) => {
                let stmt = c.prepare(TRIVIAL_SQL)?;
                run(&mut || {
                    let rows = c.query(&stmt, &[])?;
                    let users = rows.iter().map(user_of_pg).collect::<Result<Vec<User>>>()?;
                    Ok(users.len())
                })
            }
            Hand::Mysql(c) => {
                use mysql::prelude::Queryable;
                let stmt = c.prep(TRIVIAL_SQL)?;
                run(&mut || {
                    let users = c.exec_map(&stmt, (), |(id, name, hair_color)| User { id, name, hair_color })?;
                    Ok(users.len())
                })
            }
        }
    }

    /// Users with black hair, each with their posts (left join).
    pub fn medium(&mut self, run: &mut dyn FnMut(Side<'_>) -> Result<()>) -> Result<()> {
        match self {
            Hand::Sqlite(c) => {
                let mut stmt = c.prepare(&format!("{MEDIUM_SQL}?"))?;
                run(&mut || {
                    let rows = stmt
                        .query_map(["black"], |row| {
                            let user = user_of_sqlite(row)?;
                            let post = match row.get::<_, Option<i32>>(3)? {
                                Some(id) => Some(Post {
                                    id,
                                    user_id: row.get(4)?,
                                    title: row.get(5)?,
                                    body: row.get(6)?,
                                }),
                                None => None,
                            };
                            Ok((user, post))
                        })?
                        .collect::<rusqlite::Result<Vec<(User, Option<Post>)>>>()?;
                    Ok(rows.len())
                })
            }
            Hand::Postgres(c) => {
                let stmt = c.prepare(&format!("{MEDIUM_SQL}$1"))?;
                run(&mut || {
                    let rows = c.query(&stmt, &[&"black"])?;
                    let pairs = rows
                        .iter()
                        .map(|row| {
                            let user = user_of_pg(row)?;
                            let post = match row.try_get::<_, Option<i32>>(3)? {
                                Some(id) => Some(Post {
                                    id,
                                    user_id: row.try_get(4)?,
                                    title: row.try_get(5)?,
                                    body: row.try_get(6)?,
                                }),
                                None => None,
                            };
                            Ok((user, post))
                        })
                        .collect::<Result<Vec<(User, Option<Post>)>>>()?;
                    Ok(pairs.len())
                })
            }
            Hand::Mysql(c) => {
                use mysql::prelude::Queryable;
                let stmt = c.prep(format!("{MEDIUM_SQL}?"))?;
                run(&mut || {
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
                                user_id: take(&mut row, 4)?,
                                title: take(&mut row, 5)?,
                                body: take(&mut row, 6)?,
                            }),
                            None => None,
                        };
                        pairs.push((user, post));
                    }
                    Ok(pairs.len())
                })
            }
        }
    }

    /// `n` users in one statement, getting their generated keys back. `run`
    /// also gets a closure emptying the tables of this side's own database
    /// (SQLite; on a server the database is shared, and it does nothing).
    pub fn insert(&mut self, n: usize, run: &mut dyn FnMut(Side<'_>, Side<'_>) -> Result<()>) -> Result<()> {
        let mut nothing = || Ok(0);
        match self {
            Hand::Sqlite(c) => {
                let c: &rusqlite::Connection = c;
                let mut stmt = c.prepare(&format!("{} RETURNING id", insert_sql(n, false)))?;
                let mut clear = || -> Result<usize> {
                    c.execute_batch("DELETE FROM comments; DELETE FROM posts; DELETE FROM users")?;
                    Ok(0)
                };
                run(
                    &mut || {
                        let params = insert_params(n);
                        let flat: Vec<&dyn rusqlite::ToSql> = params
                            .iter()
                            .flat_map(|(name, hair)| [name as &dyn rusqlite::ToSql, hair as &dyn rusqlite::ToSql])
                            .collect();
                        let ids = stmt
                            .query_map(flat.as_slice(), |row| row.get::<_, i32>(0))?
                            .collect::<rusqlite::Result<Vec<i32>>>()?;
                        Ok(ids.len())
                    },
                    &mut clear,
                )
            }
            Hand::Postgres(c) => {
                let stmt = c.prepare(&format!("{} RETURNING id", insert_sql(n, true)))?;
                run(
                    &mut || {
                        let params = insert_params(n);
                        let flat: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                            .iter()
                            .flat_map(|(name, hair)| [name as &(dyn postgres::types::ToSql + Sync), hair as _])
                            .collect();
                        let ids: Vec<i32> = c.query(&stmt, &flat)?.iter().map(|r| r.get(0)).collect();
                        Ok(ids.len())
                    },
                    &mut nothing,
                )
            }
            Hand::Mysql(c) => {
                use mysql::prelude::Queryable;
                let stmt = c.prep(insert_sql(n, false))?;
                run(
                    &mut || {
                        let params: Vec<mysql::Value> = insert_params(n)
                            .into_iter()
                            .flat_map(|(name, hair)| [mysql::Value::from(name), mysql::Value::from(hair)])
                            .collect();
                        c.exec_drop(&stmt, mysql::Params::Positional(params))?;
                        let first = c.last_insert_id();
                        let ids: Vec<u64> = (0..n as u64).map(|i| first + i).collect();
                        Ok(ids.len())
                    },
                    &mut nothing,
                )
            }
        }
    }

    /// `n` users with the keys they carry, through the fastest path each
    /// driver offers by hand: on SQLite one prepared single-row INSERT per
    /// row inside one transaction, on PostgreSQL the postgres crate's
    /// binary COPY, on MySQL prepared 1 000-row INSERTs inside one
    /// transaction. Each call loads keys after `next`'s (and moves it on),
    /// so calls between resets do not collide.
    pub fn load(
        &mut self,
        n: usize,
        next: &std::cell::Cell<i32>,
        run: &mut dyn FnMut(Side<'_>, Side<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut nothing = || Ok(0);
        let rows = |next: &std::cell::Cell<i32>| {
            let first = next.get();
            next.set(first + n as i32);
            (0..n as i32).map(move |i| (first + i, format!("User {i}"), Some("hair_color".to_owned())))
        };
        match self {
            Hand::Sqlite(c) => {
                let c: &rusqlite::Connection = c;
                let mut clear = || -> Result<usize> {
                    c.execute_batch("DELETE FROM comments; DELETE FROM posts; DELETE FROM users")?;
                    Ok(0)
                };
                run(
                    &mut || {
                        c.execute_batch("BEGIN")?;
                        let mut stmt = c.prepare_cached("INSERT INTO users (id, name, hair_color) VALUES (?, ?, ?)")?;
                        let mut count = 0;
                        for (id, name, hair) in rows(next) {
                            count += stmt.execute(rusqlite::params![id, name, hair])?;
                        }
                        drop(stmt);
                        c.execute_batch("COMMIT")?;
                        Ok(count)
                    },
                    &mut clear,
                )
            }
            Hand::Postgres(c) => run(
                &mut || {
                    use postgres::binary_copy::BinaryCopyInWriter;
                    use postgres::types::Type;
                    let sink = c.copy_in("COPY users (id, name, hair_color) FROM STDIN (FORMAT binary)")?;
                    let mut writer = BinaryCopyInWriter::new(sink, &[Type::INT4, Type::VARCHAR, Type::VARCHAR]);
                    for (id, name, hair) in rows(next) {
                        writer.write(&[&id, &name, &hair])?;
                    }
                    Ok(writer.finish()? as usize)
                },
                &mut nothing,
            ),
            Hand::Mysql(c) => {
                use mysql::prelude::Queryable;
                const PER: usize = 1000;
                let mut sql = String::from("INSERT INTO users (id, name, hair_color) VALUES ");
                for i in 0..PER {
                    sql.push_str(if i == 0 { "(?, ?, ?)" } else { ", (?, ?, ?)" });
                }
                let stmt = c.prep(sql)?;
                run(
                    &mut || {
                        let mut tx = c.start_transaction(mysql::TxOpts::default())?;
                        let all: Vec<(i32, String, Option<String>)> = rows(next).collect();
                        let mut count = 0;
                        for chunk in all.chunks(PER) {
                            let params: Vec<mysql::Value> = chunk
                                .iter()
                                .flat_map(|(id, name, hair)| {
                                    [
                                        mysql::Value::from(id),
                                        mysql::Value::from(name),
                                        mysql::Value::from(hair),
                                    ]
                                })
                                .collect();
                            if chunk.len() == PER {
                                tx.exec_drop(&stmt, mysql::Params::Positional(params))?;
                            } else {
                                let mut sql = String::from("INSERT INTO users (id, name, hair_color) VALUES ");
                                for i in 0..chunk.len() {
                                    sql.push_str(if i == 0 { "(?, ?, ?)" } else { ", (?, ?, ?)" });
                                }
                                tx.exec_drop(sql, mysql::Params::Positional(params))?;
                            }
                            count += chunk.len();
                        }
                        tx.commit()?;
                        Ok(count)
                    },
                    &mut nothing,
                )
            }
        }
    }

    /// Users, their posts and the posts' comments: three queries (the `IN`
    /// lists prepared for the known key counts), then the rows grouped in
    /// memory. Returns the number of users.
    pub fn associations(&mut self, run: &mut dyn FnMut(Side<'_>) -> Result<()>) -> Result<()> {
        let (n_users, n_posts) = (ASSOCIATION_USERS, ASSOCIATION_USERS * 10);
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
        match self {
            Hand::Sqlite(c) => {
                let mut users_q = c.prepare(TRIVIAL_SQL)?;
                let mut posts_q = c.prepare(&posts_sql(false))?;
                let mut comments_q = c.prepare(&comments_sql(false))?;
                run(&mut || {
                    let users = users_q
                        .query_map([], user_of_sqlite)?
                        .collect::<rusqlite::Result<Vec<User>>>()?;
                    let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
                    let posts = posts_q
                        .query_map(rusqlite::params_from_iter(&ids), |r| {
                            Ok(Post {
                                id: r.get(0)?,
                                user_id: r.get(1)?,
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
                                post_id: r.get(1)?,
                                text: r.get(2)?,
                            })
                        })?
                        .collect::<rusqlite::Result<Vec<Comment>>>()?;
                    Ok(group(users, posts, comments).len())
                })
            }
            Hand::Postgres(c) => {
                let users_q = c.prepare(TRIVIAL_SQL)?;
                let posts_q = c.prepare(&posts_sql(true))?;
                let comments_q = c.prepare(&comments_sql(true))?;
                run(&mut || {
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
                                user_id: r.try_get(1)?,
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
                                post_id: r.try_get(1)?,
                                text: r.try_get(2)?,
                            })
                        })
                        .collect::<Result<Vec<Comment>>>()?;
                    Ok(group(users, posts, comments).len())
                })
            }
            Hand::Mysql(c) => {
                use mysql::prelude::Queryable;
                let users_q = c.prep(TRIVIAL_SQL)?;
                let posts_q = c.prep(posts_sql(false))?;
                let comments_q = c.prep(comments_sql(false))?;
                run(&mut || {
                    let users = c.exec_map(&users_q, (), |(id, name, hair_color)| User { id, name, hair_color })?;
                    let ids: Vec<mysql::Value> = users.iter().map(|u| mysql::Value::from(u.id)).collect();
                    let posts = c.exec_map(
                        &posts_q,
                        mysql::Params::Positional(ids),
                        |(id, user_id, title, body)| Post {
                            id,
                            user_id,
                            title,
                            body,
                        },
                    )?;
                    let ids: Vec<mysql::Value> = posts.iter().map(|p| mysql::Value::from(p.id)).collect();
                    let comments = c.exec_map(&comments_q, mysql::Params::Positional(ids), |(id, post_id, text)| {
                        Comment { id, post_id, text }
                    })?;
                    Ok(group(users, posts, comments).len())
                })
            }
        }
    }
}
