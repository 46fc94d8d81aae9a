//! The dialect-neutral SQL tree of foal and its three providers.
//!
//! The runtime builds a [`Select`] (or another [`Statement`]) once per call
//! site; [`Dialect::render`] turns it into the text of one backend plus the
//! order in which parameters are bound. Nothing here performs I/O.
//!
//! ```
//! use foal_dialects::{BinaryOp, Dialect, Expr, Join, JoinKind, Select, SelectItem, TableSource, Type};
//!
//! let select = Select {
//!     items: vec![SelectItem { expr: Expr::column("p", "name"), alias: None }],
//!     from: vec![Join {
//!         kind: JoinKind::Cross,
//!         source: TableSource::Table("product".into()),
//!         alias: "p".into(),
//!         on: None,
//!     }],
//!     filter: Some(Expr::binary(
//!         BinaryOp::Ge,
//!         Expr::column("p", "price"),
//!         Expr::Param { index: 0, ty: Type::I64 },
//!     )),
//!     ..Select::default()
//! };
//! assert_eq!(
//!     Dialect::Sqlite.render_select(&select).sql,
//!     r#"SELECT "p"."name" FROM "product" AS "p" WHERE "p"."price" >= ?"#
//! );
//! assert_eq!(
//!     Dialect::Postgres.render_select(&select).sql,
//!     r#"SELECT "p"."name" FROM "product" AS "p" WHERE "p"."price" >= $1::int8"#
//! );
//! assert_eq!(
//!     Dialect::Mysql.render_select(&select).sql,
//!     "SELECT `p`.`name` FROM `product` AS `p` WHERE `p`.`price` >= ?"
//! );
//! ```

mod emulate;
mod mysql;
mod postgres;
mod provider;
mod render;
mod sqlite;
mod tree;
mod writer;

pub use mysql::Mysql;
pub use postgres::Postgres;
pub use provider::{Capabilities, Provider, float_text};
pub use render::WHITESPACE;
pub use sqlite::Sqlite;
pub use tree::*;
pub use writer::{Bind, InlineValues, Rendered, Writer};

/// The SQL dialects foal renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    Sqlite,
    Postgres,
    Mysql,
}

impl Dialect {
    /// Every dialect, in a fixed order.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// The provider that renders this dialect.
    pub fn provider(self) -> &'static dyn Provider {
        match self {
            Dialect::Sqlite => &Sqlite,
            Dialect::Postgres => &Postgres,
            Dialect::Mysql => &Mysql,
        }
    }

    /// A dense index, for per-dialect arrays.
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The backend's name as users know it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL",
        }
    }

    pub fn render(self, statement: &Statement) -> Rendered {
        if let Statement::Select(select) = statement {
            return self.render_select(select);
        }
        let mut w = Writer::new(self.provider());
        w.statement(statement);
        w.finish()
    }

    pub fn render_select(self, select: &Select) -> Rendered {
        let mut w = Writer::new(self.provider());
        w.select(select);
        let mut rendered = w.finish();
        rendered.plan_per_run = !rendered.binds.is_empty() && select.plans_per_run();
        rendered
    }

    /// The statements that create a table: `CREATE TABLE`, then an index
    /// per foreign key where the backend does not make one by itself.
    pub fn create_table(self, table: &crate::tree::CreateTable) -> Vec<String> {
        let mut statements = vec![self.render(&Statement::CreateTable(table.clone())).sql];
        if !self.provider().capabilities().indexes_foreign_keys {
            for index in table.foreign_key_indexes() {
                statements.push(self.render(&Statement::CreateIndex(index)).sql);
            }
        }
        statements
    }

    /// Renders with parameter values written as literals. For reading and
    /// debugging only: never execute the result.
    pub fn render_inline(self, statement: &Statement, values: &dyn InlineValues) -> String {
        let mut w = Writer::inline(self.provider(), values);
        w.statement(statement);
        w.finish().sql
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
