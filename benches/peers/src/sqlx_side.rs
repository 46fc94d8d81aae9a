//! The workloads with SQLx, as its documentation writes them: `query_as`
//! into `FromRow` structs, `QueryBuilder` for multi-row inserts and `IN`
//! lists, `= ANY($1)` with an array on PostgreSQL. Each call runs to
//! completion on a current-thread Tokio runtime.

use std::collections::HashMap;

use sqlx::{Connection, Executor, MySqlConnection, PgConnection, QueryBuilder, SqliteConnection};

use crate::Library;
use crate::baseline::Backend;
use crate::harness::Result;

#[derive(sqlx::FromRow)]
pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(sqlx::FromRow)]
pub struct Post {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(sqlx::FromRow)]
pub struct Comment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

/// The medium query's rows, flat.
type Flat = (
    i32,
    String,
    Option<String>,
    Option<i32>,
    Option<i32>,
    Option<String>,
    Option<String>,
);

fn split((id, name, hair_color, post_id, user_id, title, body): Flat) -> (User, Option<Post>) {
    let user = User { id, name, hair_color };
    let post = post_id.map(|id| Post {
        id,
        user_id: user_id.unwrap_or_default(),
        title: title.unwrap_or_default(),
        body,
    });
    (user, post)
}

const TRIVIAL: &str = "SELECT id, name, hair_color FROM users";
const MEDIUM: &str = "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title, p.body \
                      FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id WHERE u.hair_color = ";

enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
    Mysql(MySqlConnection),
}

pub struct Sqlx {
    rt: tokio::runtime::Runtime,
    conn: Conn,
}

impl Sqlx {
    pub fn connect(backend: Backend) -> Result<Sqlx> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let url = backend.url()?;
        let conn = rt.block_on(async {
            Ok::<_, sqlx::Error>(match backend {
                Backend::Sqlite => Conn::Sqlite(SqliteConnection::connect("sqlite::memory:").await?),
                Backend::Postgres => Conn::Postgres(PgConnection::connect(&url).await?),
                Backend::Mysql => Conn::Mysql(MySqlConnection::connect(&url).await?),
            })
        })?;
        Ok(Sqlx { rt, conn })
    }
}

/// A user with their posts, each with its comments.
type Tree = (User, Vec<(Post, Vec<Comment>)>);

fn group(users: Vec<User>, posts: Vec<Post>, comments: Vec<Comment>) -> Vec<Tree> {
    let mut posts: HashMap<i32, (Post, Vec<Comment>)> = posts.into_iter().map(|p| (p.id, (p, Vec::new()))).collect();
    let mut users: HashMap<i32, Tree> = users.into_iter().map(|u| (u.id, (u, Vec::new()))).collect();
    for c in comments {
        if let Some(p) = posts.get_mut(&c.post_id) {
            p.1.push(c);
        }
    }
    for (_, p) in posts {
        if let Some(u) = users.get_mut(&p.0.user_id) {
            u.1.push(p);
        }
    }
    users.into_values().collect()
}

/// The associations with `IN (?, …)` lists built by `QueryBuilder`, the
/// same code for SQLite and MySQL (which have no array parameters).
macro_rules! in_lists {
    ($c:ident) => {{
        let users: Vec<User> = sqlx::query_as(TRIVIAL).fetch_all(&mut *$c).await?;
        let mut q = QueryBuilder::new("SELECT id, user_id, title, body FROM posts WHERE user_id IN (");
        let mut list = q.separated(", ");
        for u in &users {
            list.push_bind(u.id);
        }
        q.push(")");
        let posts: Vec<Post> = q.build_query_as().fetch_all(&mut *$c).await?;
        let mut q = QueryBuilder::new("SELECT id, post_id, text FROM comments WHERE post_id IN (");
        let mut list = q.separated(", ");
        for p in &posts {
            list.push_bind(p.id);
        }
        q.push(")");
        let comments: Vec<Comment> = q.build_query_as().fetch_all(&mut *$c).await?;
        Ok(group(users, posts, comments))
    }};
}

impl Library for Sqlx {
    fn name(&self) -> &'static str {
        "sqlx"
    }

    fn execute(&mut self, sql: &str) -> Result<()> {
        let Sqlx { rt, conn } = self;
        rt.block_on(async {
            match conn {
                Conn::Sqlite(c) => c.execute(sql).await.map(|_| ()),
                Conn::Postgres(c) => c.execute(sql).await.map(|_| ()),
                Conn::Mysql(c) => c.execute(sql).await.map(|_| ()),
            }
        })?;
        Ok(())
    }

    fn trivial(&mut self) -> Result<usize> {
        let Sqlx { rt, conn } = self;
        let rows: Vec<User> = rt.block_on(async {
            match conn {
                Conn::Sqlite(c) => sqlx::query_as(TRIVIAL).fetch_all(c).await,
                Conn::Postgres(c) => sqlx::query_as(TRIVIAL).fetch_all(c).await,
                Conn::Mysql(c) => sqlx::query_as(TRIVIAL).fetch_all(c).await,
            }
        })?;
        Ok(rows.len())
    }

    fn medium(&mut self) -> Result<usize> {
        let Sqlx { rt, conn } = self;
        let rows: Vec<Flat> = rt.block_on(async {
            match conn {
                Conn::Sqlite(c) => sqlx::query_as(&format!("{MEDIUM}?")).bind("black").fetch_all(c).await,
                Conn::Postgres(c) => sqlx::query_as(&format!("{MEDIUM}$1")).bind("black").fetch_all(c).await,
                Conn::Mysql(c) => sqlx::query_as(&format!("{MEDIUM}?")).bind("black").fetch_all(c).await,
            }
        })?;
        let pairs: Vec<(User, Option<Post>)> = rows.into_iter().map(split).collect();
        Ok(pairs.len())
    }

    fn insert(&mut self, n: usize) -> Result<usize> {
        let Sqlx { rt, conn } = self;
        let rows: Vec<(String, Option<String>)> = (0..n)
            .map(|i| (format!("User {i}"), Some("hair_color".to_owned())))
            .collect();
        let count = rt.block_on(async {
            match conn {
                Conn::Sqlite(c) => {
                    let mut q = QueryBuilder::new("INSERT INTO users (name, hair_color) ");
                    q.push_values(rows, |mut b, (name, hair)| {
                        b.push_bind(name).push_bind(hair);
                    });
                    q.push(" RETURNING id");
                    q.build_query_scalar::<i32>().fetch_all(c).await.map(|ids| ids.len())
                }
                Conn::Postgres(c) => {
                    let mut q = QueryBuilder::new("INSERT INTO users (name, hair_color) ");
                    q.push_values(rows, |mut b, (name, hair)| {
                        b.push_bind(name).push_bind(hair);
                    });
                    q.push(" RETURNING id");
                    q.build_query_scalar::<i32>().fetch_all(c).await.map(|ids| ids.len())
                }
                Conn::Mysql(c) => {
                    let mut q = QueryBuilder::new("INSERT INTO users (name, hair_color) ");
                    q.push_values(rows, |mut b, (name, hair)| {
                        b.push_bind(name).push_bind(hair);
                    });
                    let done = q.build().execute(c).await?;
                    let first = done.last_insert_id();
                    let ids: Vec<u64> = (0..n as u64).map(|i| first + i).collect();
                    Ok(ids.len())
                }
            }
        })?;
        Ok(count)
    }

    fn associations(&mut self) -> Result<usize> {
        let Sqlx { rt, conn } = self;
        let tree = rt.block_on(async {
            match conn {
                Conn::Postgres(c) => {
                    let users: Vec<User> = sqlx::query_as(TRIVIAL).fetch_all(&mut *c).await?;
                    let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
                    let posts: Vec<Post> =
                        sqlx::query_as("SELECT id, user_id, title, body FROM posts WHERE user_id = ANY($1)")
                            .bind(&ids)
                            .fetch_all(&mut *c)
                            .await?;
                    let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
                    let comments: Vec<Comment> =
                        sqlx::query_as("SELECT id, post_id, text FROM comments WHERE post_id = ANY($1)")
                            .bind(&ids)
                            .fetch_all(&mut *c)
                            .await?;
                    Ok::<_, sqlx::Error>(group(users, posts, comments))
                }
                Conn::Sqlite(c) => in_lists!(c),
                Conn::Mysql(c) => in_lists!(c),
            }
        })?;
        Ok(tree.len())
    }
}
