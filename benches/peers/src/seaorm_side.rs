//! The workloads with SeaORM, as its documentation writes them: entities
//! from `DeriveEntityModel` with their relations, `find()` and
//! `find_also_related` for reads, `insert_many` of active models, and the
//! `LoaderTrait` (`load_many`) for the associations. SeaORM runs on SQLx's
//! pool, here of one connection that is kept for the whole run (the
//! in-memory SQLite database lives as long as its connection) and not
//! pinged before each statement (SeaORM's default `test_before_acquire`
//! would add a round trip per statement, which the other peers do not
//! pay), on a current-thread Tokio runtime.

use sea_orm::entity::prelude::*;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, LoaderTrait, Set};

use crate::Library;
use crate::baseline::Backend;
use crate::harness::Result;

pub mod users {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub hair_color: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::posts::Entity")]
        Posts,
    }

    impl Related<super::posts::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Posts.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod posts {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "posts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub user_id: i32,
        pub title: String,
        pub body: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::users::Entity",
            from = "Column::UserId",
            to = "super::users::Column::Id"
        )]
        User,
        #[sea_orm(has_many = "super::comments::Entity")]
        Comments,
    }

    impl Related<super::users::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl Related<super::comments::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Comments.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod comments {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "comments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub post_id: i32,
        pub text: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::posts::Entity",
            from = "Column::PostId",
            to = "super::posts::Column::Id"
        )]
        Post,
    }

    impl Related<super::posts::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Post.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub struct SeaOrm {
    rt: tokio::runtime::Runtime,
    db: DatabaseConnection,
    backend: Backend,
}

impl SeaOrm {
    pub fn connect(backend: Backend) -> Result<SeaOrm> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let mut options = ConnectOptions::new(backend.url()?);
        let run = std::time::Duration::from_secs(24 * 3600);
        options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(run)
            .max_lifetime(run)
            .test_before_acquire(false)
            .sqlx_logging(false);
        let db = rt.block_on(Database::connect(options))?;
        Ok(SeaOrm { rt, db, backend })
    }
}

type Tree = Vec<(users::Model, Vec<(posts::Model, Vec<comments::Model>)>)>;

impl Library for SeaOrm {
    fn name(&self) -> &'static str {
        "seaorm"
    }

    fn execute(&mut self, sql: &str) -> Result<()> {
        self.rt.block_on(self.db.execute_unprepared(sql))?;
        Ok(())
    }

    fn trivial(&mut self) -> Result<usize> {
        let rows = self.rt.block_on(users::Entity::find().all(&self.db))?;
        Ok(rows.len())
    }

    fn medium(&mut self) -> Result<usize> {
        let pairs: Vec<(users::Model, Option<posts::Model>)> = self.rt.block_on(
            users::Entity::find()
                .find_also_related(posts::Entity)
                .filter(users::Column::HairColor.eq("black"))
                .all(&self.db),
        )?;
        Ok(pairs.len())
    }

    fn insert(&mut self, n: usize) -> Result<usize> {
        let rows = (0..n).map(|i| users::ActiveModel {
            name: Set(format!("User {i}")),
            hair_color: Set(Some("hair_color".to_owned())),
            ..Default::default()
        });
        let insert = users::Entity::insert_many(rows);
        Ok(match self.backend {
            // MySQL has no RETURNING: SeaORM reports `LAST_INSERT_ID()` only.
            Backend::Mysql => {
                self.rt.block_on(insert.exec(&self.db))?;
                n
            }
            Backend::Sqlite | Backend::Postgres => self.rt.block_on(insert.exec_with_returning_keys(&self.db))?.len(),
        })
    }

    fn associations(&mut self) -> Result<usize> {
        let db = &self.db;
        let tree: Tree = self.rt.block_on(async {
            let users = users::Entity::find().all(db).await?;
            let posts_of_users = users.load_many(posts::Entity, db).await?;
            let counts: Vec<usize> = posts_of_users.iter().map(Vec::len).collect();
            let posts: Vec<posts::Model> = posts_of_users.into_iter().flatten().collect();
            let comments_of_posts = posts.load_many(comments::Entity, db).await?;
            let mut posts = posts.into_iter().zip(comments_of_posts);
            Ok::<_, DbErr>(
                users
                    .into_iter()
                    .zip(counts)
                    .map(|(user, k)| (user, posts.by_ref().take(k).collect()))
                    .collect(),
            )
        })?;
        Ok(tree.len())
    }
}
