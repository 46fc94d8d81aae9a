//! The dialect-neutral SQL tree.
//!
//! Plain data: every node derives `Debug, Clone, PartialEq`, and nothing here
//! knows how a backend spells it. The runtime builds these values once per call
//! site and shape; a [`Provider`](crate::Provider) turns them into text.

/// The SQL-side type of a value, as far as rendering needs to know it
/// (casts, typed placeholders, DDL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Type {
    Bool,
    I16,
    I32,
    I64,
    F32,
    F64,
    Text,
    Bytes,
    /// A calendar date.
    Date,
    /// A date and time without time zone, microsecond precision.
    DateTime,
    /// An instant in UTC, microsecond precision.
    Timestamp,
}

impl Type {
    /// Whether the type is one of the integer types.
    pub fn is_integer(self) -> bool {
        matches!(self, Type::I16 | Type::I32 | Type::I64)
    }

    /// Whether the type is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(self, Type::F32 | Type::F64)
    }
}

/// A constant written into the SQL text. Values from a query's user never
/// become literals: they always travel as bound parameters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A text constant of foal itself (`''`, `'%'`), never user data.
    Text(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BinaryOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Add,
    Sub,
    Mul,
    /// Division of floating-point values.
    Div,
    /// Division of integers, truncating toward zero as Rust does.
    IntDiv,
    /// Remainder of integers, with the sign of the dividend as Rust does.
    Rem,
    /// String concatenation.
    Concat,
}

impl BinaryOp {
    /// Whether the operator yields a boolean.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

/// Scalar functions. Each provider spells them its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Func {
    /// Lower case (Unicode where the backend can).
    Lower,
    Upper,
    /// Length in bytes of the UTF-8 encoding, like Rust's `str::len`.
    ByteLength,
    /// Length in characters, like `chars().count()`.
    CharLength,
    /// Removes ASCII whitespace from both ends.
    Trim,
    Abs,
    /// Rounds half away from zero, like `f64::round`.
    Round,
    /// First non-NULL argument.
    Coalesce,
    /// NULL when both arguments are equal, else the first.
    NullIf,
    /// Larger of two non-NULL values.
    Greatest,
    /// Smaller of two non-NULL values.
    Least,
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// Escapes `\`, `%` and `_` in a text value so it matches itself in LIKE.
    LikeEscape,
    /// Adds a number of microseconds to a date-time or timestamp.
    AddMicros,
    /// Adds a number of days to a date.
    AddDays,
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AggFunc {
    /// `COUNT(*)`: rows in the group.
    CountRows,
    /// `COUNT(x)`: non-NULL values.
    Count,
    Sum,
    Avg,
    Min,
    Max,
    /// Concatenation of values with a separator.
    GroupConcat,
}

/// A reference to a column of a table or subquery in scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    /// The alias of the table in the FROM clause.
    pub table: String,
    pub column: String,
}

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Expr {
    Column(ColumnRef),
    /// A bound parameter: index into the statement's parameter list.
    Param {
        index: u16,
        ty: Type,
    },
    Literal(Literal),
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// Equality where NULL equals NULL (`IS NOT DISTINCT FROM`).
    IsNotDistinct {
        left: Box<Expr>,
        right: Box<Expr>,
        negated: bool,
    },
    /// `expr LIKE pattern ESCAPE '\'`; the pattern is already escaped.
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        items: Vec<Expr>,
        negated: bool,
    },
    /// `expr IN (?, ?, …)` where the items are the elements of one list
    /// parameter. `len` is the number of placeholders (the list is padded with
    /// its last element up to it); zero renders a constant.
    InParam {
        expr: Box<Expr>,
        param: u16,
        ty: Type,
        len: u32,
        negated: bool,
    },
    InSubquery {
        expr: Box<Expr>,
        query: Box<Select>,
        negated: bool,
    },
    Exists {
        query: Box<Select>,
        negated: bool,
    },
    /// A subquery yielding one value.
    Subquery(Box<Select>),
    Case {
        branches: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    Func {
        func: Func,
        args: Vec<Expr>,
    },
    Cast {
        expr: Box<Expr>,
        from: Type,
        to: Type,
    },
    Aggregate {
        func: AggFunc,
        distinct: bool,
        arg: Option<Box<Expr>>,
        /// Separator of `GroupConcat`: a constant from the query's source
        /// (MySQL accepts only a literal there).
        separator: Option<String>,
    },
    /// A row value `(a, b, …)`.
    Tuple(Vec<Expr>),
}

impl Expr {
    pub fn column(table: impl Into<String>, column: impl Into<String>) -> Expr {
        Expr::Column(ColumnRef {
            table: table.into(),
            column: column.into(),
        })
    }

    pub fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
        Expr::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        }
    }

    pub fn unary(op: UnaryOp, expr: Expr) -> Expr {
        Expr::Unary {
            op,
            expr: Box::new(expr),
        }
    }

    pub fn func(func: Func, args: Vec<Expr>) -> Expr {
        Expr::Func { func, args }
    }

    pub fn is_null(expr: Expr, negated: bool) -> Expr {
        Expr::IsNull {
            expr: Box::new(expr),
            negated,
        }
    }

    /// `a AND b`, dropping constant-true sides.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::Literal(Literal::Bool(true)), e) | (e, Expr::Literal(Literal::Bool(true))) => e,
            (a, b) => Expr::binary(BinaryOp::And, a, b),
        }
    }

    pub fn bool(value: bool) -> Expr {
        Expr::Literal(Literal::Bool(value))
    }

    pub fn int(value: i64) -> Expr {
        Expr::Literal(Literal::Int(value))
    }
}

/// How a table joins the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinKind {
    /// The first table of the FROM clause, or one joined with a comma.
    Cross,
    Inner,
    Left,
}

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TableSource {
    Table(String),
    Query(Box<Select>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub kind: JoinKind,
    pub source: TableSource,
    pub alias: String,
    pub on: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectItem {
    pub expr: Expr,
    /// Needed when the select is a derived table whose columns are referenced.
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub expr: Expr,
    pub desc: bool,
    /// Whether the key can be NULL. Rust orders `None` first; providers whose
    /// default differs say so explicitly.
    pub nullable: bool,
}

/// Row locking of a SELECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lock {
    ForUpdate,
    ForUpdateNowait,
    ForUpdateSkipLocked,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    pub distinct: bool,
    pub items: Vec<SelectItem>,
    pub from: Vec<Join>,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub order_by: Vec<OrderBy>,
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
    pub lock: Option<Lock>,
}

impl Select {
    /// Adds a condition to WHERE, joined with AND.
    pub fn and_where(&mut self, cond: Expr) {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(cond),
            None => cond,
        });
    }

    /// Adds a condition to HAVING, joined with AND.
    pub fn and_having(&mut self, cond: Expr) {
        self.having = Some(match self.having.take() {
            Some(existing) => existing.and(cond),
            None => cond,
        });
    }
}

/// A column of `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: Type,
    pub nullable: bool,
    /// Generated by the database (identity / auto-increment).
    pub auto: bool,
    /// Maximum length in characters of a text column, if declared.
    pub max_len: Option<u32>,
    /// Whether the column takes part in a key or index (MySQL cannot index
    /// unbounded text).
    pub indexed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    pub table: String,
    pub columns: Vec<ColumnDef>,
    pub primary_key: Vec<String>,
    pub unique: Vec<Vec<String>>,
    pub foreign_keys: Vec<ForeignKey>,
    pub if_not_exists: bool,
}

impl CreateTable {
    /// An index for each foreign key that no other index already starts
    /// with, so that joins and to-many lookups by reference (`c.orders`)
    /// do not scan the table.
    pub fn foreign_key_indexes(&self) -> Vec<CreateIndex> {
        let covered = |columns: &[String]| {
            self.primary_key.starts_with(columns) || self.unique.iter().any(|u| u.starts_with(columns))
        };
        self.foreign_keys
            .iter()
            .filter(|fk| !covered(&fk.columns))
            .map(|fk| CreateIndex {
                name: format!("{}_{}_idx", self.table, fk.columns.join("_")),
                table: self.table.clone(),
                columns: fk.columns.clone(),
                if_not_exists: self.if_not_exists,
            })
            .collect()
    }
}

/// `CREATE INDEX name ON table (columns)`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    pub name: String,
    pub table: String,
    pub columns: Vec<String>,
    pub if_not_exists: bool,
}

/// What an upsert does on a key conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct OnConflict {
    /// The columns of the unique key that may conflict.
    pub target: Vec<String>,
    /// Columns overwritten with the proposed row's values.
    pub update: Vec<String>,
    /// A version column incremented when the row is updated.
    pub bump: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Expr>>,
    pub on_conflict: Option<OnConflict>,
    /// Columns to return (rendered only where the provider supports it).
    pub returning: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub table: String,
    pub alias: String,
    pub set: Vec<(String, Expr)>,
    /// Further tables a multi-table update reads (MySQL syntax needs them).
    pub from: Vec<Join>,
    pub filter: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    pub table: String,
    pub alias: String,
    pub from: Vec<Join>,
    pub filter: Option<Expr>,
}

/// Any statement a provider can render.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Statement {
    Select(Select),
    Insert(Insert),
    Update(Update),
    Delete(Delete),
    CreateTable(CreateTable),
    CreateIndex(CreateIndex),
    DropTable { table: String, if_exists: bool },
}

impl Expr {
    /// Calls `f` on this node and every node below it, including those of
    /// subqueries.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        f(self);
        match self {
            Expr::Unary { expr, .. }
            | Expr::IsNull { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::InParam { expr, .. } => expr.walk_mut(f),
            Expr::Binary { left, right, .. } | Expr::IsNotDistinct { left, right, .. } => {
                left.walk_mut(f);
                right.walk_mut(f);
            }
            Expr::Like { expr, pattern, .. } => {
                expr.walk_mut(f);
                pattern.walk_mut(f);
            }
            Expr::InList { expr, items, .. } => {
                expr.walk_mut(f);
                items.iter_mut().for_each(|e| e.walk_mut(f));
            }
            Expr::InSubquery { expr, query, .. } => {
                expr.walk_mut(f);
                query.walk_mut(f);
            }
            Expr::Exists { query, .. } | Expr::Subquery(query) => query.walk_mut(f),
            Expr::Case { branches, otherwise } => {
                for (when, then) in branches {
                    when.walk_mut(f);
                    then.walk_mut(f);
                }
                if let Some(e) = otherwise {
                    e.walk_mut(f);
                }
            }
            Expr::Func { args, .. } | Expr::Tuple(args) => args.iter_mut().for_each(|e| e.walk_mut(f)),
            Expr::Aggregate { arg, .. } => {
                if let Some(arg) = arg {
                    arg.walk_mut(f);
                }
            }
            Expr::Column(_) | Expr::Param { .. } | Expr::Literal(_) => {}
        }
    }
}

impl Select {
    /// Calls `f` on every expression of the statement, nested ones included.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        for item in &mut self.items {
            item.expr.walk_mut(f);
        }
        for join in &mut self.from {
            if let TableSource::Query(q) = &mut join.source {
                q.walk_mut(f);
            }
            if let Some(on) = &mut join.on {
                on.walk_mut(f);
            }
        }
        for e in self
            .filter
            .iter_mut()
            .chain(self.having.iter_mut())
            .chain(self.group_by.iter_mut())
        {
            e.walk_mut(f);
        }
        for o in &mut self.order_by {
            o.expr.walk_mut(f);
        }
        for e in self.limit.iter_mut().chain(self.offset.iter_mut()) {
            e.walk_mut(f);
        }
    }

    /// Renumbers every parameter by `by`, for embedding this statement in
    /// one whose own parameters come first.
    pub fn shift_params(&mut self, by: u16) {
        self.walk_mut(&mut |e| match e {
            Expr::Param { index, .. } => *index += by,
            Expr::InParam { param, .. } => *param += by,
            _ => {}
        });
    }
}
