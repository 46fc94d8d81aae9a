//! Expressions: values, operators, functions, aggregates and subqueries.

use super::query::Select;
use super::window::{WindowFunc, WindowSpec};

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
    /// A time of day without time zone, microsecond precision: `TIME(6)`
    /// on PostgreSQL and MySQL, `HH:MM:SS.ffffff` text on SQLite.
    Time,
    /// A UUID: `UUID` on PostgreSQL, its 16 bytes elsewhere (ordered
    /// bytewise on every backend).
    Uuid,
    /// An exact decimal number (`rust_decimal`): `NUMERIC` on PostgreSQL,
    /// `DECIMAL(65,28)` on MySQL, its canonical text on SQLite.
    Decimal,
    /// A JSON document: `JSONB` on PostgreSQL, `JSON` on MySQL/MariaDB,
    /// its text on SQLite.
    Json,
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
    /// A text constant written in the query's source code (a LIKE pattern
    /// of a string literal): code, not data, written into the SQL where a
    /// planner needs to see it, escaped by the provider.
    Str(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnaryOp {
    Not,
    Neg,
}

/// The `len` of an [`Expr::InParam`] whose list is bound as one value (a
/// list too long for placeholders): a JSON array that SQLite reads with
/// `json_each` and MySQL with `JSON_TABLE`, an array on PostgreSQL.
pub const WHOLE_LIST: u32 = u32::MAX;

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
    /// Removes whitespace from both ends: every character Rust's
    /// `char::is_whitespace` accepts (see [`WHITESPACE`](crate::WHITESPACE)),
    /// as `str::trim` does.
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
    /// `substring(s, start, len)` in characters, `start` counted from 0;
    /// the arguments are already clamped to be non-negative.
    Substring,
    /// `x` raised to the power `y` (floats).
    Power,
    /// Square root of a float; NULL for a negative number.
    Sqrt,
    /// Microseconds from the second date-time argument to the first.
    MicrosBetween,
    /// Days from the second date argument to the first.
    DaysBetween,
    /// A decimal as it orders: itself where the backend has a decimal
    /// type; on SQLite, where it is text, a key whose text order is the
    /// numeric order (a function foal registers).
    DecimalKey,
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
    /// `SUM`, `MIN` and `MAX` of exact decimals: the plain aggregates where
    /// the backend has a decimal type, functions foal registers on SQLite.
    DecimalSum,
    DecimalMin,
    DecimalMax,
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
    /// `expr LIKE pattern ESCAPE '!'`; the pattern is already escaped.
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
    /// `func OVER (window)`: an aggregate or a [`WindowFunc`] over a window
    /// of rows.
    Window {
        func: Box<Expr>,
        spec: Box<WindowSpec>,
    },
    /// A ranking or offset function; only valid as the `func` of a
    /// [`Expr::Window`].
    WindowCall {
        func: WindowFunc,
        args: Vec<Expr>,
    },
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

    /// The operands of a chain of `op` (`a AND b AND c`: `[a, b, c]`).
    fn flatten(self, op: BinaryOp, out: &mut Vec<Expr>) {
        match self {
            Expr::Binary { op: o, left, right } if o == op => {
                left.flatten(op, out);
                right.flatten(op, out);
            }
            e => out.push(e),
        }
    }

    /// `(a AND x) OR (a AND y)` as `a AND (x OR y)`: a condition every
    /// branch of an OR repeats (a join condition, typically) is tested once,
    /// where a planner can use it to join. The same in two- and
    /// three-valued logic (AND distributes over OR in both).
    pub fn factor_or(self) -> Expr {
        match self {
            Expr::Binary {
                op: BinaryOp::And,
                left,
                right,
            } => Expr::binary(BinaryOp::And, left.factor_or(), right.factor_or()),
            e @ Expr::Binary { op: BinaryOp::Or, .. } => {
                let mut branches = Vec::new();
                e.flatten(BinaryOp::Or, &mut branches);
                let mut terms: Vec<Vec<Expr>> = branches
                    .into_iter()
                    .map(|b| {
                        let mut t = Vec::new();
                        b.factor_or().flatten(BinaryOp::And, &mut t);
                        t
                    })
                    .collect();
                let mut common: Vec<Expr> = Vec::new();
                if let Some((first, rest)) = terms.split_first() {
                    for t in first {
                        if !common.contains(t) && rest.iter().all(|r| r.contains(t)) {
                            common.push(t.clone());
                        }
                    }
                }
                for branch in &mut terms {
                    branch.retain(|t| !common.contains(t));
                }
                let join = |parts: Vec<Expr>, op: BinaryOp| parts.into_iter().reduce(|a, b| Expr::binary(op, a, b));
                let implied = implied_by_each_branch(&terms);
                // A branch left with nothing is TRUE: so is the whole OR.
                let rest = if terms.iter().any(Vec::is_empty) {
                    None
                } else {
                    join(
                        terms.into_iter().filter_map(|t| join(t, BinaryOp::And)).collect(),
                        BinaryOp::Or,
                    )
                };
                let mut all = common;
                if rest.is_some() {
                    all.extend(implied);
                }
                all.extend(rest);
                join(all, BinaryOp::And).unwrap_or(Expr::bool(true))
            }
            e => e,
        }
    }

    /// The one table alias all columns of the expression belong to, when
    /// it reads columns of exactly one (and no subquery).
    fn single_table(&self) -> Option<String> {
        let mut tables: Vec<String> = Vec::new();
        let mut nested = false;
        let mut copy = self.clone();
        copy.walk_mut(&mut |e| match e {
            Expr::Column(c) if !tables.contains(&c.table) => tables.push(c.table.clone()),
            Expr::Column(_) => {}
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => nested = true,
            _ => {}
        });
        match tables.as_slice() {
            [one] if !nested => Some(one.clone()),
            _ => None,
        }
    }

    /// A condition of WHERE or HAVING, where NULL counts as false:
    /// `COALESCE(x, d) > c` is `x > c` when `d > c` is false (the sum of
    /// no rows, 0, is not above 300), so a planner sees the aggregate or
    /// the column itself. Every conjunct is simplified; nothing under OR
    /// or NOT is, where NULL and false differ.
    pub fn simplify_condition(self) -> Expr {
        match self {
            Expr::Binary {
                op: BinaryOp::And,
                left,
                right,
            } => Expr::binary(BinaryOp::And, left.simplify_condition(), right.simplify_condition()),
            // NULL and false are alike here: `COALESCE(c, FALSE)` is `c`.
            Expr::Func {
                func: Func::Coalesce,
                mut args,
            } if args.len() == 2 && args[1] == Expr::Literal(Literal::Bool(false)) => {
                args.swap_remove(0).simplify_condition()
            }
            Expr::Binary { op, left, right } if op.is_comparison() => {
                let holds = |a: &Literal, b: &Literal| -> Option<bool> {
                    let (a, b) = match (a, b) {
                        (Literal::Int(a), Literal::Int(b)) => (*a as f64, *b as f64),
                        (Literal::Int(a), Literal::Float(b)) => (*a as f64, *b),
                        (Literal::Float(a), Literal::Int(b)) => (*a, *b as f64),
                        (Literal::Float(a), Literal::Float(b)) => (*a, *b),
                        _ => return None,
                    };
                    Some(match op {
                        BinaryOp::Eq => a == b,
                        BinaryOp::Ne => a != b,
                        BinaryOp::Lt => a < b,
                        BinaryOp::Le => a <= b,
                        BinaryOp::Gt => a > b,
                        _ => a >= b,
                    })
                };
                let unwrap = |e: &Expr, fallback_first: bool, other: &Literal| -> Option<Expr> {
                    match e {
                        Expr::Func {
                            func: Func::Coalesce,
                            args,
                        } => match args.as_slice() {
                            [x, Expr::Literal(d)] => {
                                let test = if fallback_first {
                                    holds(d, other)
                                } else {
                                    holds(other, d)
                                };
                                (test == Some(false)).then(|| x.clone())
                            }
                            _ => None,
                        },
                        _ => None,
                    }
                };
                match (&*left, &*right) {
                    (l, Expr::Literal(c)) => match unwrap(l, true, c) {
                        Some(x) => Expr::binary(op, x, *right),
                        None => Expr::Binary { op, left, right },
                    },
                    (Expr::Literal(c), r) => match unwrap(r, false, c) {
                        Some(x) => Expr::binary(op, *left, x),
                        None => Expr::Binary { op, left, right },
                    },
                    _ => Expr::Binary { op, left, right },
                }
            }
            e => e,
        }
    }

    pub fn bool(value: bool) -> Expr {
        Expr::Literal(Literal::Bool(value))
    }

    pub fn int(value: i64) -> Expr {
        Expr::Literal(Literal::Int(value))
    }
}

/// For an OR of AND branches over several tables: per table, the OR of
/// each branch's conditions on that table alone, when every branch has
/// some. Each is implied by the OR (so adding it changes no row), and a
/// planner can test it before joining the next table: TPC-H Q19's part
/// conditions then filter `part` before its line items are looked up.
fn implied_by_each_branch(branches: &[Vec<Expr>]) -> Vec<Expr> {
    let Some(first) = branches.first() else {
        return Vec::new();
    };
    let mut tables: Vec<String> = Vec::new();
    for t in first {
        if let Some(table) = t.single_table()
            && !tables.contains(&table)
        {
            tables.push(table);
        }
    }
    let all_tables: Vec<Option<String>> = branches.iter().flatten().map(Expr::single_table).collect();
    // One table only: the implied condition would be the OR itself.
    if all_tables.iter().all(|t| t.is_some() && *t == all_tables[0]) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for table in tables {
        let per_branch: Vec<Vec<Expr>> = branches
            .iter()
            .map(|b| {
                b.iter()
                    .filter(|t| t.single_table().as_deref() == Some(table.as_str()))
                    .cloned()
                    .collect()
            })
            .collect();
        if per_branch.iter().any(Vec::is_empty) {
            continue;
        }
        let ands = per_branch
            .into_iter()
            .filter_map(|b| b.into_iter().reduce(|a, c| Expr::binary(BinaryOp::And, a, c)));
        if let Some(or) = ands.reduce(|a, c| Expr::binary(BinaryOp::Or, a, c)) {
            out.push(or);
        }
    }
    out
}
