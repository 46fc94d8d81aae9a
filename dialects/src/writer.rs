//! The writer every provider renders into: SQL text plus the order in which
//! parameters must be bound.

use crate::Provider;
use crate::tree::{Expr, Select, Statement, Type};

/// One placeholder of a rendered statement: which parameter (and for list
/// and row parameters, which element of it) is bound there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bind {
    /// The whole parameter.
    Param(u16),
    /// Element `item` of a list parameter. A list shorter than the rendered
    /// placeholder count repeats its last element, which leaves `IN` unchanged.
    Item { param: u16, item: u32 },
}

/// A statement rendered for one dialect.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub sql: String,
    /// One entry per placeholder, in the order the placeholders appear.
    pub binds: Vec<Bind>,
    /// Unique per rendering (clones share it): connections key their
    /// prepared statements by it instead of hashing the text.
    pub id: u64,
    /// Whether the plan should be made for the values of each run (a query
    /// with parameters over several tables, groups or subqueries: see
    /// [`Select::plans_per_run`](crate::Select::plans_per_run)).
    pub plan_per_run: bool,
}

impl Rendered {
    /// SQL written by hand (`raw`), with its binds: a rendering of its own,
    /// so connections prepare it once.
    pub fn raw(sql: String, binds: Vec<Bind>) -> Rendered {
        Rendered {
            sql,
            binds,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            plan_per_run: false,
        }
    }
}

impl PartialEq for Rendered {
    fn eq(&self, other: &Self) -> bool {
        self.sql == other.sql && self.binds == other.binds
    }
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Writes parameter values as SQL literals, for `sql_inline` debugging output.
pub trait InlineValues {
    /// Writes the value of `bind` as a literal of the given provider's dialect.
    fn write_value(&self, provider: &dyn Provider, out: &mut String, bind: Bind);
}

/// Accumulates SQL text and binds while a provider walks a tree.
pub struct Writer<'a> {
    provider: &'a dyn Provider,
    /// The SQL text written so far.
    pub sql: String,
    binds: Vec<Bind>,
    inline: Option<&'a dyn InlineValues>,
}

impl<'a> Writer<'a> {
    pub fn new(provider: &'a dyn Provider) -> Self {
        Writer {
            provider,
            sql: String::with_capacity(128),
            binds: Vec::new(),
            inline: None,
        }
    }

    /// A writer that prints values instead of placeholders.
    pub fn inline(provider: &'a dyn Provider, values: &'a dyn InlineValues) -> Self {
        Writer {
            inline: Some(values),
            ..Writer::new(provider)
        }
    }

    pub fn provider(&self) -> &'a dyn Provider {
        self.provider
    }

    pub fn finish(self) -> Rendered {
        Rendered {
            sql: self.sql,
            binds: self.binds,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            plan_per_run: false,
        }
    }

    pub fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// Writes a quoted identifier.
    pub fn ident(&mut self, name: &str) {
        let quote = self.provider.quote_char();
        self.sql.push(quote);
        for c in name.chars() {
            if c == quote {
                self.sql.push(quote);
            }
            self.sql.push(c);
        }
        self.sql.push(quote);
    }

    /// Writes `("a", "b", …)`: a parenthesised list of identifiers.
    pub fn ident_list(&mut self, names: &[String]) {
        self.push("(");
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.ident(name);
        }
        self.push(")");
    }

    /// Writes `"table"."column"`.
    pub fn qualified(&mut self, table: &str, column: &str) {
        self.ident(table);
        self.sql.push('.');
        self.ident(column);
    }

    /// Writes a placeholder (or, in inline mode, the value) for `bind`.
    pub fn bind(&mut self, bind: Bind, ty: Type) {
        self.binds.push(bind);
        match self.inline {
            Some(values) => values.write_value(self.provider, &mut self.sql, bind),
            None => {
                let n = self.binds.len();
                self.provider.placeholder(self, n, ty);
            }
        }
    }

    /// Whether values are written as literals (`sql_inline`).
    pub fn is_inline(&self) -> bool {
        self.inline.is_some()
    }

    /// Binds parameter `param` whole and returns its placeholder number,
    /// writing nothing: for a provider that spells the placeholder itself
    /// (PostgreSQL's `$n::int4[]` for a list).
    pub fn bind_whole(&mut self, param: u16) -> usize {
        self.binds.push(Bind::Param(param));
        self.binds.len()
    }

    /// Writes a string constant that comes from foal itself (never user data).
    pub fn string_constant(&mut self, text: &str) {
        self.provider.string_literal(&mut self.sql, text);
    }

    pub fn expr(&mut self, expr: &Expr) {
        let provider = self.provider;
        provider.expr(self, expr);
    }

    /// Writes `expr`, parenthesised when it is not atomic.
    pub fn expr_grouped(&mut self, expr: &Expr) {
        if expr.precedence() < crate::tree::precedence::ATOM {
            self.sql.push('(');
            self.expr(expr);
            self.sql.push(')');
        } else {
            self.expr(expr);
        }
    }

    pub fn exprs(&mut self, exprs: &[Expr]) {
        for (i, e) in exprs.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.expr(e);
        }
    }

    pub fn select(&mut self, select: &Select) {
        let provider = self.provider;
        provider.select(self, select);
    }

    /// Writes any statement, each kind through its provider hook.
    pub fn statement(&mut self, statement: &Statement) {
        let provider = self.provider;
        match statement {
            Statement::Select(s) => provider.select(self, s),
            Statement::Insert(i) => provider.insert(self, i),
            Statement::Update(u) => provider.update(self, u),
            Statement::Delete(d) => provider.delete(self, d),
            Statement::CreateTable(c) => provider.create_table(self, c),
            Statement::CreateIndex(i) => provider.create_index(self, i),
            Statement::DropTable { table, if_exists } => provider.drop_table(self, table, *if_exists),
        }
    }
}
