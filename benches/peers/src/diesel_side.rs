//! The workloads with Diesel's DSL, as its guides write them.

use diesel::prelude::*;
use diesel::{MysqlConnection, PgConnection, SqliteConnection};

use crate::Library;
use crate::baseline::Backend;
use crate::harness::Result;

diesel::table! {
    users (id) {
        id -> Integer,
        name -> Text,
        hair_color -> Nullable<Text>,
    }
}

diesel::table! {
    posts (id) {
        id -> Integer,
        user_id -> Integer,
        title -> Text,
        body -> Nullable<Text>,
    }
}

diesel::table! {
    comments (id) {
        id -> Integer,
        post_id -> Integer,
        text -> Text,
    }
}

diesel::joinable!(posts -> users (user_id));
diesel::joinable!(comments -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(users, posts, comments);

#[derive(Queryable, Selectable, Identifiable, Debug)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(belongs_to(User))]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(belongs_to(Post))]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

/// A user with their posts, each with its comments.
type Tree = (User, Vec<(Post, Vec<Comment>)>);

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub name: String,
    pub hair_color: Option<String>,
}

fn new_users(n: usize) -> Vec<NewUser> {
    (0..n)
        .map(|i| NewUser {
            name: format!("User {i}"),
            hair_color: Some("hair_color".to_owned()),
        })
        .collect()
}

pub enum Diesel {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
    Mysql(MysqlConnection),
}

impl Diesel {
    pub fn connect(backend: Backend) -> Result<Diesel> {
        let url = backend.url()?;
        Ok(match backend {
            Backend::Sqlite => Diesel::Sqlite(SqliteConnection::establish(":memory:")?),
            Backend::Postgres => Diesel::Postgres(PgConnection::establish(&url)?),
            Backend::Mysql => Diesel::Mysql(MysqlConnection::establish(&url)?),
        })
    }
}

/// The same code for each connection type (Diesel's queries are typed by
/// backend).
macro_rules! on_each {
    ($self:expr, $conn:ident => $body:expr) => {
        match $self {
            Diesel::Sqlite($conn) => $body,
            Diesel::Postgres($conn) => $body,
            Diesel::Mysql($conn) => $body,
        }
    };
}

impl Library for Diesel {
    fn name(&self) -> &'static str {
        "diesel"
    }

    fn execute(&mut self, sql: &str) -> Result<()> {
        on_each!(self, c => diesel::sql_query(sql).execute(c).map(|_| ())?);
        Ok(())
    }

    fn trivial(&mut self) -> Result<usize> {
        let rows: Vec<User> = on_each!(self, c => users::table.select(User::as_select()).load(c)?);
        Ok(rows.len())
    }

    fn medium(&mut self) -> Result<usize> {
        let rows: Vec<(User, Option<Post>)> = on_each!(self, c => users::table
            .left_join(posts::table)
            .filter(users::hair_color.eq("black"))
            .select((User::as_select(), Option::<Post>::as_select()))
            .load(c)?);
        Ok(rows.len())
    }

    fn insert(&mut self, n: usize) -> Result<usize> {
        let rows = new_users(n);
        Ok(match self {
            Diesel::Sqlite(c) => diesel::insert_into(users::table)
                .values(&rows)
                .returning(users::id)
                .get_results::<i32>(c)?
                .len(),
            Diesel::Postgres(c) => diesel::insert_into(users::table)
                .values(&rows)
                .returning(users::id)
                .get_results::<i32>(c)?
                .len(),
            // MySQL has no RETURNING: Diesel reports the count only.
            Diesel::Mysql(c) => diesel::insert_into(users::table).values(&rows).execute(c)?,
        })
    }

    fn associations(&mut self) -> Result<usize> {
        let tree: Vec<Tree> = on_each!(self, c => {
            let users = users::table.select(User::as_select()).load::<User>(c)?;
            let posts = Post::belonging_to(&users).select(Post::as_select()).load::<Post>(c)?;
            let comments = Comment::belonging_to(&posts).select(Comment::as_select()).load::<Comment>(c)?;
            let comments = comments.grouped_by(&posts);
            let posts = posts.into_iter().zip(comments).grouped_by(&users);
            users.into_iter().zip(posts).collect()
        });
        Ok(tree.len())
    }
}
