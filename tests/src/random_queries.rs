//! Random whole queries over the e-store (`tests/tests/random_queries.rs`
//! generates them and builds them as `select!` would): the plan a query is
//! generated as, the data set it runs over, and what a plan means in plain
//! Rust over the rows in memory, with foal's semantics (docs/semantics.md).
//!
//! A plan names its query variables by position: `a` is the root, `b` the
//! second source, and a generator's variables take the next names (`x`,
//! `y`, …) after the variables it sees. Its `Display` is the `select!` it
//! stands for, where `v(k)` is the value `k` computed in Rust (a bound
//! parameter) and `k` a literal of the query.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};

use foal::prelude::*;

use crate::estore::{self, Category, Customer, Order, OrderItem, Product, at};

// ------------------------------------------------------------ the plan ---

/// An entity of the e-store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ent {
    Customer,
    Category,
    Product,
    Order,
    Item,
}

impl Ent {
    pub const ALL: [Ent; 5] = [Ent::Customer, Ent::Category, Ent::Product, Ent::Order, Ent::Item];

    pub fn name(self) -> &'static str {
        match self {
            Ent::Customer => "Customer",
            Ent::Category => "Category",
            Ent::Product => "Product",
            Ent::Order => "Order",
            Ent::Item => "OrderItem",
        }
    }

    /// Its rows in the data set.
    pub fn size(self) -> u64 {
        match self {
            Ent::Customer => CUSTOMERS,
            Ent::Category => CATEGORIES,
            Ent::Product => PRODUCTS,
            Ent::Order => ORDERS,
            Ent::Item => ITEMS,
        }
    }

    /// Its integer fields.
    pub fn fields(self) -> &'static [IntField] {
        use IntField as F;
        match self {
            Ent::Customer => &[F::Id],
            Ent::Category => &[F::Id, F::ParentRef],
            Ent::Product => &[F::Id, F::Price, F::Quantity, F::CategoryRef],
            Ent::Order => &[F::Id, F::CustomerRef],
            Ent::Item => &[F::OrderRef, F::ProductRef, F::Quantity, F::Price],
        }
    }

    /// Its references, followed as to-one steps.
    pub fn steps(self) -> &'static [Step] {
        match self {
            Ent::Customer => &[],
            Ent::Category => &[Step::Parent],
            Ent::Product => &[Step::Category],
            Ent::Order => &[Step::Customer],
            Ent::Item => &[Step::Order, Step::Product],
        }
    }

    /// Its to-many relations.
    pub fn rels(self) -> &'static [Rel] {
        match self {
            Ent::Customer => &[Rel::Orders],
            Ent::Category => &[Rel::Products, Rel::Children],
            Ent::Product => &[Rel::ProductItems],
            Ent::Order => &[Rel::OrderItems],
            Ent::Item => &[],
        }
    }
}

/// A reference followed to the row it points at (`o.customer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `Order.customer`.
    Customer,
    /// `OrderItem.order`.
    Order,
    /// `OrderItem.product`.
    Product,
    /// `Product.category`, optional.
    Category,
    /// `Category.parent`, optional.
    Parent,
}

impl Step {
    pub fn to(self) -> Ent {
        match self {
            Step::Customer => Ent::Customer,
            Step::Order => Ent::Order,
            Step::Product => Ent::Product,
            Step::Category | Step::Parent => Ent::Category,
        }
    }

    pub fn optional(self) -> bool {
        matches!(self, Step::Category | Step::Parent)
    }

    fn name(self) -> &'static str {
        match self {
            Step::Customer => "customer",
            Step::Order => "order",
            Step::Product => "product",
            Step::Category => "category",
            Step::Parent => "parent",
        }
    }
}

/// A to-many relation (`c.orders`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// `Customer.orders`.
    Orders,
    /// `Order.items`.
    OrderItems,
    /// `Product.items`.
    ProductItems,
    /// `Category.products`.
    Products,
    /// `Category.children`.
    Children,
}

impl Rel {
    pub fn to(self) -> Ent {
        match self {
            Rel::Orders => Ent::Order,
            Rel::OrderItems | Rel::ProductItems => Ent::Item,
            Rel::Products => Ent::Product,
            Rel::Children => Ent::Category,
        }
    }

    /// About how many rows one parent has.
    pub fn fanout(self) -> u64 {
        match self {
            Rel::Orders => 5,
            Rel::OrderItems => 3,
            Rel::ProductItems => 10,
            Rel::Products => 3,
            Rel::Children => 1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Rel::Orders => "orders",
            Rel::OrderItems | Rel::ProductItems => "items",
            Rel::Products => "products",
            Rel::Children => "children",
        }
    }
}

/// An integer field, read as an `i64`: a reference as its key, an `i32`
/// widened with `as i64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntField {
    Id,
    Price,
    Quantity,
    CustomerRef,
    OrderRef,
    ProductRef,
    CategoryRef,
    ParentRef,
}

impl IntField {
    /// Whether the field itself is an `Option` (whatever the row).
    pub fn optional(self) -> bool {
        matches!(self, IntField::CategoryRef | IntField::ParentRef)
    }

    fn show(self, row: &str, optional: bool) -> String {
        let (name, key) = match self {
            IntField::Id => return format!("{row}.id"),
            IntField::Price => return format!("{row}.price"),
            IntField::Quantity if optional => return format!("{row}.quantity.map(|q| q as i64)"),
            IntField::Quantity => return format!("({row}.quantity as i64)"),
            IntField::CustomerRef => ("customer", true),
            IntField::OrderRef => ("order", true),
            IntField::ProductRef => ("product", true),
            IntField::CategoryRef => ("category", true),
            IntField::ParentRef => ("parent", true),
        };
        match (key, optional || self.optional()) {
            (_, true) => format!("{row}.{name}.map(|r| r.key())"),
            _ => format!("{row}.{name}.key()"),
        }
    }
}

/// A row: a variable, or a row reached from it through references
/// (`i.order.customer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub var: usize,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub const ALL: [Op; 6] = [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];

    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// An integer expression: an `i64`, or an `Option<i64>` (the generator
/// keeps track of which; `Option`s are never added or ordered against
/// each other).
#[derive(Debug, Clone, PartialEq)]
pub enum IntE {
    Col(Row, IntField),
    Lit(i64),
    /// A value computed in Rust, bound as a parameter.
    Param(i64),
    /// `None` computed in Rust.
    NoneParam,
    Some(Box<IntE>),
    Add(Box<IntE>, Box<IntE>),
    Sub(Box<IntE>, Box<IntE>),
    UnwrapOr(Box<IntE>, i64),
    Case(Box<Pred>, Box<IntE>, Box<IntE>),
    /// An aggregate over a generator: a scalar subquery.
    Gen(Box<Gen>, Box<Agg>),
    /// An aggregate of the query's own rows (grouped projections, HAVING).
    Agg(Box<Agg>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    Cmp(Op, IntE, IntE),
    /// `r == s` (or `!=` when negated) of two rows of one entity: keys.
    RowEq(bool, Row, Row),
    /// `r.is_none()` (or `is_some()` when negated) of an optional row.
    RowIsNone(bool, Row),
    IsNone(bool, IntE),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    Not(Box<Pred>),
    Exists(Box<Gen>),
    /// `(elem for x in …).contains(&value)`.
    In(IntE, Box<Gen>, IntE),
}

/// An aggregate; `Count(v)` counts the rows of variable `v`.
#[derive(Debug, Clone, PartialEq)]
pub enum Agg {
    Count(usize),
    CountOf(IntE),
    CountIf(Pred),
    Sum(IntE),
    Max(IntE),
    Min(IntE),
}

/// What a generator's first variable ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum GenSrc {
    /// A to-many relation of a row in scope, `.left()` when the flag is set.
    Path(Row, Rel, bool),
    /// Every row of an entity.
    Entity(Ent),
}

/// `x for x in SRC [for y in x.REL[.left()]] [if FILTER]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Gen {
    pub src: GenSrc,
    pub inner: Option<(Rel, bool)>,
    pub filter: Option<Pred>,
}

impl Gen {
    pub fn sources(&self) -> usize {
        1 + usize::from(self.inner.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Inner,
    Left,
    Right,
    Full,
}

/// The second source of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Second {
    /// `for b in a.REL` (`.left()` when the flag is set).
    Path(Rel, bool),
    /// `for b in E.join(|b| ON)`, and the outer joins.
    Join(Ent, Kind, Pred),
    /// `for b in E`, any condition in the filter.
    Cross(Ent),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Proj {
    Plain {
        items: Vec<IntE>,
        distinct: bool,
    },
    /// `keys` are the grouping keys; `aggs` contain aggregates.
    Grouped {
        keys: Vec<IntE>,
        aggs: Vec<IntE>,
        having: Option<Pred>,
    },
    /// Aggregates of every row: one row.
    Total {
        aggs: Vec<IntE>,
        having: Option<Pred>,
    },
}

impl Proj {
    pub fn len(&self) -> usize {
        match self {
            Proj::Plain { items, .. } => items.len(),
            Proj::Grouped { keys, aggs, .. } => keys.len() + aggs.len(),
            Proj::Total { aggs, .. } => aggs.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The projected items, in order.
    pub fn items(&self) -> Vec<&IntE> {
        match self {
            Proj::Plain { items, .. } => items.iter().collect(),
            Proj::Grouped { keys, aggs, .. } => keys.iter().chain(aggs).collect(),
            Proj::Total { aggs, .. } => aggs.iter().collect(),
        }
    }
}

/// A count of rows for LIMIT and OFFSET: a literal or a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Lit(i64),
    Param(i64),
}

impl Count {
    pub fn value(self) -> i64 {
        match self {
            Count::Lit(n) | Count::Param(n) => n,
        }
    }
}

/// ORDER BY `extra` keys and then every projected item (by index, in the
/// order given), so the rows' order is total; then OFFSET and LIMIT.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub extra: Vec<(IntE, bool)>,
    pub keys: Vec<(usize, bool)>,
    pub limit: Option<Count>,
    pub offset: Option<Count>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub root: Ent,
    pub second: Option<Second>,
    pub filter: Option<Pred>,
    pub proj: Proj,
    pub sort: Option<Sort>,
}

impl Plan {
    pub fn sources(&self) -> usize {
        1 + usize::from(self.second.is_some())
    }

    /// The variables of the query's own scope: entity, and whether the row
    /// may be missing.
    pub fn vars(&self) -> Vec<(Ent, bool)> {
        let mut vars = vec![(self.root, false)];
        match &self.second {
            None => {}
            Some(Second::Path(rel, left)) => vars.push((rel.to(), *left)),
            Some(Second::Join(e, kind, _)) => {
                vars[0].1 = matches!(kind, Kind::Right | Kind::Full);
                vars.push((*e, matches!(kind, Kind::Left | Kind::Full)));
            }
            Some(Second::Cross(e)) => vars.push((*e, false)),
        }
        vars
    }
}

/// The condition linking rows of `a` (variable 0) and `b` (variable 1)
/// through a reference, and about how many `b` rows one `a` has.
pub fn link(a: Ent, b: Ent) -> Option<(Pred, u64)> {
    let row = |var, steps: &[Step]| Row {
        var,
        steps: steps.to_vec(),
    };
    let eq = |l, r| Pred::RowEq(false, l, r);
    Some(match (a, b) {
        (Ent::Customer, Ent::Order) => (eq(row(1, &[Step::Customer]), row(0, &[])), 5),
        (Ent::Order, Ent::Customer) => (eq(row(0, &[Step::Customer]), row(1, &[])), 1),
        (Ent::Order, Ent::Item) => (eq(row(1, &[Step::Order]), row(0, &[])), 3),
        (Ent::Item, Ent::Order) => (eq(row(0, &[Step::Order]), row(1, &[])), 1),
        (Ent::Product, Ent::Item) => (eq(row(1, &[Step::Product]), row(0, &[])), 10),
        (Ent::Item, Ent::Product) => (eq(row(0, &[Step::Product]), row(1, &[])), 1),
        (Ent::Category, Ent::Product) => (eq(row(1, &[Step::Category]), row(0, &[])), 3),
        (Ent::Product, Ent::Category) => (eq(row(0, &[Step::Category]), row(1, &[])), 1),
        (Ent::Category, Ent::Category) => (eq(row(1, &[Step::Parent]), row(0, &[])), 1),
        (Ent::Order, Ent::Order) => (eq(row(1, &[Step::Customer]), row(0, &[Step::Customer])), 5),
        (Ent::Item, Ent::Item) => (eq(row(1, &[Step::Order]), row(0, &[Step::Order])), 3),
        _ => return None,
    })
}

// -------------------------------------------------- the plan as select! ---

const NAMES: [&str; 10] = ["a", "b", "x", "y", "u", "v", "s", "t", "m", "n"];

/// The name of variable `var` in a plan's `select!` text, and the alias its
/// table gets in SQL.
pub fn name(var: usize) -> &'static str {
    NAMES.get(var).copied().unwrap_or("z")
}

/// Writes plans as the `select!` they stand for. `vars` are the variables
/// in scope with whether each may be missing (Option-typed fields).
struct Show<'a> {
    out: &'a mut String,
    vars: Vec<(Ent, bool)>,
}

impl Show<'_> {
    fn row(&mut self, r: &Row) -> bool {
        let mut optional = self.vars.get(r.var).is_some_and(|v| v.1);
        let _ = write!(self.out, "{}", name(r.var));
        for s in &r.steps {
            let _ = write!(self.out, ".{}", s.name());
            optional |= s.optional();
        }
        optional
    }

    fn row_text(&mut self, r: &Row) -> (String, bool) {
        let start = self.out.len();
        let optional = self.row(r);
        let text = self.out.split_off(start);
        (text, optional)
    }

    fn int(&mut self, e: &IntE) {
        match e {
            IntE::Col(r, f) => {
                let (row, optional) = self.row_text(r);
                self.out.push_str(&f.show(&row, optional));
            }
            IntE::Lit(k) if *k < 0 => {
                let _ = write!(self.out, "({k})");
            }
            IntE::Lit(k) => {
                let _ = write!(self.out, "{k}");
            }
            IntE::Param(k) => {
                let _ = write!(self.out, "v({k})");
            }
            IntE::NoneParam => self.out.push_str("v(None)"),
            IntE::Some(e) => self.wrap("Some(", e, ")"),
            IntE::Add(l, r) => self.binary(l, "+", r),
            IntE::Sub(l, r) => self.binary(l, "-", r),
            IntE::UnwrapOr(e, k) => {
                self.int(e);
                let _ = write!(self.out, ".unwrap_or({k})");
            }
            IntE::Case(c, t, f) => {
                self.out.push_str("(if ");
                self.pred(c);
                self.out.push_str(" { ");
                self.int(t);
                self.out.push_str(" } else { ");
                self.int(f);
                self.out.push_str(" })");
            }
            IntE::Gen(g, a) => self.agg(a, Some(g)),
            IntE::Agg(a) => self.agg(a, None),
        }
    }

    fn wrap(&mut self, open: &str, e: &IntE, close: &str) {
        self.out.push_str(open);
        self.int(e);
        self.out.push_str(close);
    }

    fn binary(&mut self, l: &IntE, op: &str, r: &IntE) {
        self.out.push('(');
        self.int(l);
        let _ = write!(self.out, " {op} ");
        self.int(r);
        self.out.push(')');
    }

    fn pred(&mut self, p: &Pred) {
        match p {
            Pred::Cmp(op, l, r) => {
                self.out.push('(');
                self.int(l);
                let _ = write!(self.out, " {} ", op.symbol());
                self.int(r);
                self.out.push(')');
            }
            Pred::RowEq(negated, l, r) => {
                self.out.push('(');
                self.row(l);
                self.out.push_str(if *negated { " != " } else { " == " });
                self.row(r);
                self.out.push(')');
            }
            Pred::RowIsNone(negated, r) => {
                self.row(r);
                self.out.push_str(if *negated { ".is_some()" } else { ".is_none()" });
            }
            Pred::IsNone(negated, e) => {
                self.int(e);
                self.out.push_str(if *negated { ".is_some()" } else { ".is_none()" });
            }
            Pred::And(l, r) | Pred::Or(l, r) => {
                self.out.push('(');
                self.pred(l);
                self.out
                    .push_str(if matches!(p, Pred::And(..)) { " && " } else { " || " });
                self.pred(r);
                self.out.push(')');
            }
            Pred::Not(p) => {
                self.out.push('!');
                self.pred(p);
            }
            Pred::Exists(g) => {
                self.out.push_str("exists(");
                self.generator(g, |s, n| s.out.push_str(name(n)));
                self.out.push(')');
            }
            Pred::In(value, g, elem) => {
                self.out.push('(');
                self.generator(g, |s, _| s.int(elem));
                self.out.push_str(").contains(&");
                self.int(value);
                self.out.push(')');
            }
        }
    }

    fn agg(&mut self, a: &Agg, generator: Option<&Gen>) {
        let (f, arg): (&str, Option<&IntE>) = match a {
            Agg::Count(_) | Agg::CountIf(_) => ("count", None),
            Agg::CountOf(e) => ("count", Some(e)),
            Agg::Sum(e) => ("sum", Some(e)),
            Agg::Max(e) => ("max", Some(e)),
            Agg::Min(e) => ("min", Some(e)),
        };
        let _ = write!(self.out, "{f}(");
        let body = |s: &mut Show<'_>, _first: usize| match (a, arg) {
            (Agg::Count(v), _) => s.out.push_str(name(*v)),
            (Agg::CountIf(p), _) => s.pred(p),
            (_, Some(e)) => s.int(e),
            (_, None) => {}
        };
        match generator {
            Some(g) => self.generator(g, body),
            None => body(self, 0),
        }
        self.out.push(')');
    }

    /// `HEAD for x in SRC [for y in x.rel] [if FILTER]`, with `head` written
    /// in the generator's scope (given its first variable).
    fn generator(&mut self, g: &Gen, head: impl FnOnce(&mut Show<'_>, usize)) {
        let outer = self.vars.len();
        let (ent, optional) = match &g.src {
            GenSrc::Path(r, rel, left) => {
                let optional = self.row_optional(r);
                (rel.to(), *left || optional)
            }
            GenSrc::Entity(e) => (*e, false),
        };
        self.vars.push((ent, optional));
        if let Some((rel, left)) = g.inner {
            self.vars.push((rel.to(), left || optional));
        }
        head(self, outer);
        let _ = write!(self.out, " for {} in ", name(outer));
        match &g.src {
            GenSrc::Path(r, rel, left) => {
                self.row(r);
                let _ = write!(self.out, ".{}{}", rel.name(), if *left { ".left()" } else { "" });
            }
            GenSrc::Entity(e) => self.out.push_str(e.name()),
        }
        if let Some((rel, left)) = g.inner {
            let _ = write!(
                self.out,
                " for {} in {}.{}{}",
                name(outer + 1),
                name(outer),
                rel.name(),
                if left { ".left()" } else { "" }
            );
        }
        if let Some(f) = &g.filter {
            self.out.push_str(" if ");
            self.pred(f);
        }
        self.vars.truncate(outer);
    }

    fn row_optional(&self, r: &Row) -> bool {
        self.vars.get(r.var).is_some_and(|v| v.1) || r.steps.iter().any(|s| s.optional())
    }

    fn items(&mut self, items: &[&IntE]) {
        self.out.push('(');
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.int(e);
        }
        if items.len() == 1 {
            self.out.push(',');
        }
        self.out.push(')');
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let vars = self.vars();
        let mut show = Show {
            out: &mut out,
            vars: vars.clone(),
        };
        show.items(&self.proj.items());
        let _ = write!(show.out, " for a in {}", self.root.name());
        match &self.second {
            None => {}
            Some(Second::Path(rel, left)) => {
                let _ = write!(
                    show.out,
                    " for b in a.{}{}",
                    rel.name(),
                    if *left { ".left()" } else { "" }
                );
            }
            Some(Second::Join(e, kind, on)) => {
                let method = match kind {
                    Kind::Inner => "join",
                    Kind::Left => "left_join",
                    Kind::Right => "right_join",
                    Kind::Full => "full_join",
                };
                let _ = write!(show.out, " for b in {}.{method}(|b| ", e.name());
                // The condition sees both rows as they are before the join.
                show.vars = vec![(self.root, false), (*e, false)];
                show.pred(on);
                show.vars = vars;
                show.out.push(')');
            }
            Some(Second::Cross(e)) => {
                let _ = write!(show.out, " for b in {}", e.name());
            }
        }
        if let Some(p) = &self.filter {
            show.out.push_str(" if ");
            show.pred(p);
        }
        if let Proj::Grouped { having: Some(p), .. } | Proj::Total { having: Some(p), .. } = &self.proj {
            show.out.push_str(" if ");
            show.pred(p);
        }
        let mut text = format!("select!(({out})");
        if matches!(self.proj, Proj::Plain { distinct: true, .. }) {
            text.push_str(".distinct()");
        }
        if let Some(sort) = &self.sort {
            let items = self.proj.items();
            let mut keys = Vec::new();
            let mut show_key = |e: &IntE, desc: bool| {
                let mut s = String::new();
                Show {
                    out: &mut s,
                    vars: self.vars(),
                }
                .int(e);
                keys.push(if desc { format!("desc({s})") } else { s });
            };
            for (e, desc) in &sort.extra {
                show_key(e, *desc);
            }
            for &(i, desc) in &sort.keys {
                if let Some(e) = items.get(i) {
                    show_key(e, desc);
                }
            }
            let _ = write!(text, ".order_by(|..| ({}))", keys.join(", "));
            for (method, count) in [("offset", sort.offset), ("limit", sort.limit)] {
                match count {
                    Some(Count::Lit(n)) => {
                        let _ = write!(text, ".{method}({n})");
                    }
                    Some(Count::Param(n)) => {
                        let _ = write!(text, ".{method}(v({n}))");
                    }
                    None => {}
                }
            }
        }
        text.push(')');
        f.write_str(&text)
    }
}

// ------------------------------------------------------------ the data ---

pub const CUSTOMERS: u64 = 25;
pub const CATEGORIES: u64 = 10;
pub const PRODUCTS: u64 = 30;
pub const ORDERS: u64 = 120;
pub const ITEMS: u64 = 300;

/// The rows of the data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Tables {
    pub customers: Vec<Customer>,
    pub categories: Vec<Category>,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
    pub items: Vec<OrderItem>,
}

/// splitmix64: the data set is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }

    fn chance(&mut self, percent: i64) -> bool {
        self.range(0, 99) < percent
    }
}

/// The data set (ids from 1, in order): 25 customers of which 21–25 have no
/// order; 10 categories in a tree (1–3 roots, the others under an earlier
/// one or roots), 9 and 10 without products; 30 products, a fifth without a
/// category, some without rating or description, prices in steps of 5 so
/// that some are equal, 28–30 never sold; 120 orders, 111–120 without
/// items; 300 order items with distinct (order, product) pairs.
pub fn generate() -> Tables {
    let mut rng = Rng(0x5eed_f0a1);
    let countries = ["USA", "UK", "France", "Germany"];
    let customers = (1..=CUSTOMERS)
        .map(|i| Customer {
            id: 0,
            name: format!("C{i}"),
            country: countries[(i % 4) as usize].to_owned(),
            email: (i % 3 != 0).then(|| format!("c{i}@example.com")),
        })
        .collect();
    let categories = (1..=CATEGORIES as i64)
        .map(|i| Category {
            id: 0,
            name: format!("K{i}"),
            parent: (i > 3 && rng.chance(80)).then(|| Ref::new(rng.range(1, i - 1))),
        })
        .collect();
    let products: Vec<Product> = (1..=PRODUCTS as i64)
        .map(|i| Product {
            id: 0,
            name: format!("P{i}"),
            price: 5 * rng.range(1, 60),
            quantity: i32::try_from(rng.range(0, 20)).unwrap_or(0),
            description: rng.chance(75).then(|| format!("about P{i}")),
            rating: rng.chance(75).then(|| rng.range(0, 10) as f64 / 2.0),
            active: rng.chance(70),
            category: rng.chance(80).then(|| Ref::new(rng.range(1, 8))),
        })
        .collect();
    let states = ["NEW", "SHIPPED", "CANCELLED"];
    let orders = (1..=ORDERS as i64)
        .map(|i| {
            // Skewed: low customer ids have many orders.
            let customer = rng.range(1, 20).min(rng.range(1, 20));
            let day = u32::try_from(rng.range(1, 28)).unwrap_or(1);
            Order {
                id: 0,
                customer: Ref::new(customer),
                total: rng.range(100, 99_999) as f64 / 100.0,
                state: states[(i % 3) as usize].to_owned(),
                placed: at(2026, 1 + (i % 12) as u32, day, 12, 0, 0, 0),
                shipped: rng.chance(50).then(|| at(2026, 1 + (i % 12) as u32, day, 18, 30, 0, 0)),
            }
        })
        .collect();
    let mut pairs = std::collections::BTreeSet::new();
    while pairs.len() < ITEMS as usize {
        pairs.insert((rng.range(1, 110), rng.range(1, 27)));
    }
    let items = pairs
        .into_iter()
        .map(|(order, product)| OrderItem {
            order: Ref::new(order),
            product: Ref::new(product),
            quantity: i32::try_from(rng.range(1, 9)).unwrap_or(1),
            price: if rng.chance(70) {
                products[(product - 1) as usize].price
            } else {
                5 * rng.range(1, 60)
            },
        })
        .collect();
    Tables {
        customers,
        categories,
        products,
        orders,
        items,
    }
}

/// Creates the tables and inserts `t`.
pub fn load(db: &Database, t: &Tables) -> foal::Result<()> {
    estore::create(db)?;
    db.insert_all(t.customers.clone())?;
    db.insert_all(t.categories.clone())?;
    db.insert_all(t.products.clone())?;
    db.insert_all(t.orders.clone())?;
    db.insert_all(t.items.clone())?;
    Ok(())
}

/// The rows as the database has them, in key order.
pub fn read(db: &Database) -> foal::Result<Tables> {
    let mut t = Tables {
        customers: select!(c for c in Customer).fetch_all(db)?,
        categories: select!(c for c in Category).fetch_all(db)?,
        products: select!(p for p in Product).fetch_all(db)?,
        orders: select!(o for o in Order).fetch_all(db)?,
        items: select!(i for i in OrderItem).fetch_all(db)?,
    };
    t.customers.sort_by_key(|c| c.id);
    t.categories.sort_by_key(|c| c.id);
    t.products.sort_by_key(|p| p.id);
    t.orders.sort_by_key(|o| o.id);
    t.items.sort_by_key(|i| (i.order.key(), i.product.key()));
    Ok(t)
}

// ------------------------------------------------- the meaning in Rust ---

/// A row of the data set: its entity and its position in its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowId(pub Ent, pub usize);

/// A variable's row in one row of a scope: `None` when it is missing (an
/// outer join's), and whether its type says it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub row: Option<RowId>,
    pub optional: bool,
}

/// The variables of one row of a scope (and of the scopes around it).
pub type Env = Vec<Slot>;

fn slot(row: Option<RowId>, optional: bool) -> Slot {
    Slot { row, optional }
}

/// A result row: every item as an `Option<i64>`.
pub type Values = Vec<Option<i64>>;

/// An aggregate being computed: `count(v)` counts present rows, distinct
/// ones when the scope joins several sources; `sum` of nothing is 0; `max`
/// and `min` skip missing values and are `None` for none.
enum Acc {
    Rows(i64),
    Keys(std::collections::BTreeSet<(i64, i64)>),
    Max(Option<i64>),
    Min(Option<i64>),
}

impl Acc {
    fn new(a: &Agg, sources: usize) -> Acc {
        match a {
            Agg::Count(_) if sources > 1 => Acc::Keys(Default::default()),
            Agg::Max(_) => Acc::Max(None),
            Agg::Min(_) => Acc::Min(None),
            _ => Acc::Rows(0),
        }
    }

    fn value(self) -> Option<i64> {
        match self {
            Acc::Rows(n) => Some(n),
            Acc::Keys(keys) => i64::try_from(keys.len()).ok(),
            Acc::Max(m) | Acc::Min(m) => m,
        }
    }
}

/// The data set with the indexes the evaluation follows.
pub struct Data {
    pub t: Tables,
    at: HashMap<(u8, i64), usize>,
    /// Children of each row, by relation.
    children: HashMap<(u8, usize), Vec<Option<RowId>>>,
}

fn code(e: Ent) -> u8 {
    e as u8
}

fn rel_code(r: Rel) -> u8 {
    r as u8
}

fn position<T>(rows: &[T], key: impl Fn(&T) -> i64, e: Ent, at: &mut HashMap<(u8, i64), usize>) {
    for (i, r) in rows.iter().enumerate() {
        at.insert((code(e), key(r)), i);
    }
}

impl Data {
    pub fn new(t: Tables) -> Data {
        let mut at = HashMap::new();
        position(&t.customers, |c| c.id, Ent::Customer, &mut at);
        position(&t.categories, |c| c.id, Ent::Category, &mut at);
        position(&t.products, |p| p.id, Ent::Product, &mut at);
        position(&t.orders, |o| o.id, Ent::Order, &mut at);
        let mut children: HashMap<(u8, usize), Vec<Option<RowId>>> = HashMap::new();
        let mut link = |rel: Rel, parent: Ent, key: i64, child: usize| {
            let parent = at[&(code(parent), key)];
            children
                .entry((rel_code(rel), parent))
                .or_default()
                .push(Some(RowId(rel.to(), child)));
        };
        for (i, o) in t.orders.iter().enumerate() {
            link(Rel::Orders, Ent::Customer, o.customer.key(), i);
        }
        for (i, item) in t.items.iter().enumerate() {
            link(Rel::OrderItems, Ent::Order, item.order.key(), i);
            link(Rel::ProductItems, Ent::Product, item.product.key(), i);
        }
        for (i, p) in t.products.iter().enumerate() {
            if let Some(c) = &p.category {
                link(Rel::Products, Ent::Category, c.key(), i);
            }
        }
        for (i, c) in t.categories.iter().enumerate() {
            if let Some(p) = &c.parent {
                link(Rel::Children, Ent::Category, p.key(), i);
            }
        }
        Data { t, at, children }
    }

    fn len(&self, e: Ent) -> usize {
        match e {
            Ent::Customer => self.t.customers.len(),
            Ent::Category => self.t.categories.len(),
            Ent::Product => self.t.products.len(),
            Ent::Order => self.t.orders.len(),
            Ent::Item => self.t.items.len(),
        }
    }

    fn all(&self, e: Ent) -> impl Iterator<Item = RowId> {
        (0..self.len(e)).map(move |i| RowId(e, i))
    }

    fn find(&self, e: Ent, key: i64) -> Option<RowId> {
        self.at.get(&(code(e), key)).map(|&i| RowId(e, i))
    }

    fn field(&self, r: RowId, f: IntField) -> Option<i64> {
        let RowId(e, i) = r;
        match (e, f) {
            (Ent::Customer, IntField::Id) => Some(self.t.customers[i].id),
            (Ent::Category, IntField::Id) => Some(self.t.categories[i].id),
            (Ent::Category, IntField::ParentRef) => self.t.categories[i].parent.as_ref().map(Ref::key),
            (Ent::Product, IntField::Id) => Some(self.t.products[i].id),
            (Ent::Product, IntField::Price) => Some(self.t.products[i].price),
            (Ent::Product, IntField::Quantity) => Some(i64::from(self.t.products[i].quantity)),
            (Ent::Product, IntField::CategoryRef) => self.t.products[i].category.as_ref().map(Ref::key),
            (Ent::Order, IntField::Id) => Some(self.t.orders[i].id),
            (Ent::Order, IntField::CustomerRef) => Some(self.t.orders[i].customer.key()),
            (Ent::Item, IntField::OrderRef) => Some(self.t.items[i].order.key()),
            (Ent::Item, IntField::ProductRef) => Some(self.t.items[i].product.key()),
            (Ent::Item, IntField::Quantity) => Some(i64::from(self.t.items[i].quantity)),
            (Ent::Item, IntField::Price) => Some(self.t.items[i].price),
            (e, f) => panic!("the plan reads {f:?} of {e:?}"),
        }
    }

    fn step(&self, r: RowId, s: Step) -> Option<RowId> {
        let key = match s {
            Step::Customer => IntField::CustomerRef,
            Step::Order => IntField::OrderRef,
            Step::Product => IntField::ProductRef,
            Step::Category => IntField::CategoryRef,
            Step::Parent => IntField::ParentRef,
        };
        self.find(s.to(), self.field(r, key)?)
    }

    /// A row's key (an order item's is two columns).
    fn key(&self, r: RowId) -> (i64, i64) {
        match r.0 {
            Ent::Item => (self.t.items[r.1].order.key(), self.t.items[r.1].product.key()),
            e => (self.field(r, IntField::Id).unwrap_or_default(), code(e).into()),
        }
    }

    fn row(&self, r: &Row, env: &[Slot]) -> Option<RowId> {
        let mut at = env.get(r.var).and_then(|s| s.row);
        for &s in &r.steps {
            at = self.step(at?, s);
        }
        at
    }

    /// Whether the type of row `r` says it may be missing.
    fn row_optional(r: &Row, env: &[Slot]) -> bool {
        env.get(r.var).is_some_and(|s| s.optional) || r.steps.iter().any(|s| s.optional())
    }

    /// The rows of a to-many relation as a source: a missing parent has
    /// none, and `.left()` gives one missing row where there are none.
    fn linked(&self, parent: Option<RowId>, rel: Rel, left: bool) -> Vec<Option<RowId>> {
        let rows = parent.and_then(|p| self.children.get(&(rel_code(rel), p.1)));
        match rows {
            Some(rows) => rows.clone(),
            None if left => vec![None],
            None => Vec::new(),
        }
    }

    /// The value of `e` on row `env`; `group` is the rows an aggregate of
    /// the query's own scope reads, with the scope's number of sources.
    fn int(&self, e: &IntE, env: &[Slot], group: Option<(&[Env], usize)>) -> Option<i64> {
        match e {
            IntE::Col(r, f) => self.field(self.row(r, env)?, *f),
            IntE::Lit(k) | IntE::Param(k) => Some(*k),
            IntE::NoneParam => None,
            IntE::Some(e) => self.int(e, env, group),
            IntE::Add(l, r) => Some(self.int(l, env, group)? + self.int(r, env, group)?),
            IntE::Sub(l, r) => Some(self.int(l, env, group)? - self.int(r, env, group)?),
            IntE::UnwrapOr(e, k) => Some(self.int(e, env, group).unwrap_or(*k)),
            IntE::Case(c, t, f) => {
                if self.pred(c, env, group) {
                    self.int(t, env, group)
                } else {
                    self.int(f, env, group)
                }
            }
            IntE::Gen(g, a) => self.aggregate(a, g, env),
            IntE::Agg(a) => {
                let (rows, sources) = group.unwrap_or_else(|| panic!("an aggregate outside a grouped scope: {e:?}"));
                self.agg(a, rows, sources)
            }
        }
    }

    fn pred(&self, p: &Pred, env: &[Slot], group: Option<(&[Env], usize)>) -> bool {
        match p {
            Pred::Cmp(op, l, r) => {
                let (l, r) = (self.int(l, env, group), self.int(r, env, group));
                match op {
                    // `Option` equality: a value is `Some(value)`.
                    Op::Eq => l == r,
                    Op::Ne => l != r,
                    // Ordering with a missing value is false.
                    _ => match (l, r) {
                        (Some(l), Some(r)) => match op {
                            Op::Lt => l < r,
                            Op::Le => l <= r,
                            Op::Gt => l > r,
                            _ => l >= r,
                        },
                        _ => false,
                    },
                }
            }
            Pred::RowEq(negated, l, r) => {
                let l = self.row(l, env).map(|x| self.key(x));
                let r = self.row(r, env).map(|x| self.key(x));
                (l == r) != *negated
            }
            Pred::RowIsNone(negated, r) => self.row(r, env).is_none() != *negated,
            Pred::IsNone(negated, e) => self.int(e, env, group).is_none() != *negated,
            Pred::And(l, r) => self.pred(l, env, group) && self.pred(r, env, group),
            Pred::Or(l, r) => self.pred(l, env, group) || self.pred(r, env, group),
            Pred::Not(p) => !self.pred(p, env, group),
            Pred::Exists(g) => !self.each(g, &mut env.to_vec(), &mut |_| false),
            Pred::In(value, g, elem) => {
                let value = self.int(value, env, group);
                !self.each(g, &mut env.to_vec(), &mut |row| self.int(elem, row, None) != value)
            }
        }
    }

    /// Calls `f` on each row of generator `g` (`env` extended with its
    /// variables) until it returns false. Its first variable ranges over
    /// the linked rows of a relation (the subquery's source, correlated
    /// with the parent row); a second one joins as a second source of a
    /// query does. Returns whether `f` never stopped.
    fn each(&self, g: &Gen, env: &mut Vec<Slot>, f: &mut dyn FnMut(&[Slot]) -> bool) -> bool {
        let (first, optional): (Vec<Option<RowId>>, bool) = match &g.src {
            GenSrc::Path(r, rel, left) => (
                self.linked(self.row(r, env), *rel, *left),
                *left || Data::row_optional(r, env),
            ),
            GenSrc::Entity(e) => (self.all(*e).map(Some).collect(), false),
        };
        let mut visit = |env: &mut Vec<Slot>| match &g.filter {
            Some(p) if !self.pred(p, env, None) => true,
            _ => f(env),
        };
        for x in first {
            env.push(slot(x, optional));
            let go = match g.inner {
                None => visit(env),
                Some((rel, left)) => self.linked(x, rel, left || optional).into_iter().all(|y| {
                    env.push(slot(y, left || optional));
                    let go = visit(env);
                    env.pop();
                    go
                }),
            };
            env.pop();
            if !go {
                return false;
            }
        }
        true
    }

    /// An aggregate of generator `g`'s rows.
    fn aggregate(&self, a: &Agg, g: &Gen, env: &[Slot]) -> Option<i64> {
        let mut acc = Acc::new(a, g.sources());
        self.each(g, &mut env.to_vec(), &mut |row| {
            self.feed(&mut acc, a, row);
            true
        });
        acc.value()
    }

    /// An aggregate of `rows`, a scope of `sources` sources.
    fn agg(&self, a: &Agg, rows: &[Env], sources: usize) -> Option<i64> {
        let mut acc = Acc::new(a, sources);
        for row in rows {
            self.feed(&mut acc, a, row);
        }
        acc.value()
    }

    fn feed(&self, acc: &mut Acc, a: &Agg, row: &[Slot]) {
        match (acc, a) {
            (Acc::Rows(n), Agg::Count(v)) => *n += i64::from(row.get(*v).is_some_and(|s| s.row.is_some())),
            (Acc::Keys(keys), Agg::Count(v)) => {
                if let Some(r) = row.get(*v).and_then(|s| s.row) {
                    keys.insert(self.key(r));
                }
            }
            (Acc::Rows(n), Agg::CountOf(e)) => *n += i64::from(self.int(e, row, None).is_some()),
            (Acc::Rows(n), Agg::CountIf(p)) => *n += i64::from(self.pred(p, row, None)),
            (Acc::Rows(n), Agg::Sum(e)) => *n += self.int(e, row, None).unwrap_or(0),
            (Acc::Max(m), Agg::Max(e)) => *m = (*m).max(self.int(e, row, None)),
            (Acc::Min(m), Agg::Min(e)) => {
                if let Some(v) = self.int(e, row, None) {
                    *m = Some(m.map_or(v, |m: i64| m.min(v)));
                }
            }
            (_, a) => panic!("invariant: an accumulator of another aggregate than {a:?}"),
        }
    }

    /// The rows of the query's sources before its filter. A relation of
    /// a row that may be missing joins as `.left()` does (the builder's
    /// rule); the first source is never missing.
    fn sources(&self, plan: &Plan) -> Vec<Env> {
        let vars = plan.vars();
        let row = |a: Option<RowId>, b: Option<Option<RowId>>| -> Env {
            let mut env = vec![slot(a, vars[0].1)];
            if let Some(b) = b {
                env.push(slot(b, vars[1].1));
            }
            env
        };
        let mut rows = Vec::new();
        let mut matched = std::collections::HashSet::new();
        for a in self.all(plan.root) {
            match &plan.second {
                None => rows.push(row(Some(a), None)),
                Some(Second::Path(rel, left)) => {
                    rows.extend(
                        self.linked(Some(a), *rel, *left)
                            .into_iter()
                            .map(|b| row(Some(a), Some(b))),
                    );
                }
                Some(Second::Cross(e)) => {
                    let candidates = self.candidates(a, *e, plan.filter.as_ref());
                    rows.extend(candidates.into_iter().map(|b| row(Some(a), Some(Some(b)))));
                }
                Some(Second::Join(e, kind, on)) => {
                    let matches: Vec<Env> = self
                        .candidates(a, *e, Some(on))
                        .into_iter()
                        .filter(|&b| self.pred(on, &[slot(Some(a), false), slot(Some(b), false)], None))
                        .map(|b| {
                            matched.insert(b.1);
                            row(Some(a), Some(Some(b)))
                        })
                        .collect();
                    if matches.is_empty() && matches!(kind, Kind::Left | Kind::Full) {
                        rows.push(row(Some(a), Some(None)));
                    }
                    rows.extend(matches);
                }
            }
        }
        if let Some(Second::Join(e, Kind::Right | Kind::Full, _)) = &plan.second {
            let unmatched = self.all(*e).filter(|b| !matched.contains(&b.1));
            rows.extend(unmatched.map(|b| row(None, Some(Some(b)))));
        }
        rows
    }

    /// The rows of `e` that may pair with `a` under `condition`: the rows
    /// linked to `a` when the condition starts with the link (see
    /// [`link`]), else all.
    fn candidates(&self, a: RowId, e: Ent, condition: Option<&Pred>) -> Vec<RowId> {
        let linked = link(a.0, e).is_some_and(|(l, _)| match condition {
            Some(Pred::And(first, _)) => **first == l,
            Some(p) => *p == l,
            None => false,
        });
        if !linked {
            return self.all(e).collect();
        }
        let to_many = |r: Option<RowId>, rel| self.linked(r, rel, false).into_iter().flatten().collect();
        let to_one = |s| self.step(a, s).into_iter().collect();
        match (a.0, e) {
            (Ent::Customer, Ent::Order) => to_many(Some(a), Rel::Orders),
            (Ent::Order, Ent::Customer) => to_one(Step::Customer),
            (Ent::Order, Ent::Item) => to_many(Some(a), Rel::OrderItems),
            (Ent::Item, Ent::Order) => to_one(Step::Order),
            (Ent::Product, Ent::Item) => to_many(Some(a), Rel::ProductItems),
            (Ent::Item, Ent::Product) => to_one(Step::Product),
            (Ent::Category, Ent::Product) => to_many(Some(a), Rel::Products),
            (Ent::Product, Ent::Category) => to_one(Step::Category),
            (Ent::Category, Ent::Category) => to_many(Some(a), Rel::Children),
            (Ent::Order, Ent::Order) => to_many(self.step(a, Step::Customer), Rel::Orders),
            (Ent::Item, Ent::Item) => to_many(self.step(a, Step::Order), Rel::OrderItems),
            _ => self.all(e).collect(),
        }
    }

    /// The query's rows as Rust computes them: in order when the plan sorts.
    pub fn run(&self, plan: &Plan) -> Vec<Values> {
        let mut rows = self.sources(plan);
        if let Some(f) = &plan.filter {
            rows.retain(|row| self.pred(f, row, None));
        }
        let sources = plan.sources();
        let all = |items: &[&IntE], env: &[Slot], group: Option<(&[Env], usize)>| -> Values {
            items.iter().map(|e| self.int(e, env, group)).collect()
        };
        // Each result row with the values of the extra sort keys.
        let mut out: Vec<(Values, Values)> = match &plan.proj {
            Proj::Plain { items, distinct } => {
                let items: Vec<&IntE> = items.iter().collect();
                let extra: Vec<&IntE> = plan.sort.iter().flat_map(|s| s.extra.iter().map(|(e, _)| e)).collect();
                let mut out: Vec<(Values, Values)> = rows
                    .iter()
                    .map(|row| (all(&items, row, None), all(&extra, row, None)))
                    .collect();
                if *distinct {
                    out.sort();
                    out.dedup_by(|x, y| x.0 == y.0);
                }
                out
            }
            Proj::Grouped { keys, aggs, having } => {
                let keys: Vec<&IntE> = keys.iter().collect();
                let mut groups: BTreeMap<Values, Vec<Env>> = BTreeMap::new();
                for row in rows {
                    groups.entry(all(&keys, &row, None)).or_default().push(row);
                }
                let aggs: Vec<&IntE> = aggs.iter().collect();
                groups
                    .into_iter()
                    .filter(|(_, g)| having.as_ref().is_none_or(|h| self.pred(h, &[], Some((g, sources)))))
                    .map(|(mut k, g)| {
                        k.extend(all(&aggs, &[], Some((&g, sources))));
                        (k, Vec::new())
                    })
                    .collect()
            }
            Proj::Total { aggs, having } => {
                let aggs: Vec<&IntE> = aggs.iter().collect();
                if having
                    .as_ref()
                    .is_none_or(|h| self.pred(h, &[], Some((&rows, sources))))
                {
                    vec![(all(&aggs, &[], Some((&rows, sources))), Vec::new())]
                } else {
                    Vec::new()
                }
            }
        };
        let Some(sort) = &plan.sort else {
            return out.into_iter().map(|(v, _)| v).collect();
        };
        out.sort_by(|(v1, x1), (v2, x2)| {
            let extra = sort
                .extra
                .iter()
                .enumerate()
                .map(|(i, (_, desc))| (x1.get(i), x2.get(i), *desc));
            let keys = sort.keys.iter().map(|&(i, desc)| (v1.get(i), v2.get(i), desc));
            extra
                .chain(keys)
                .map(|(l, r, desc)| if desc { r.cmp(&l) } else { l.cmp(&r) })
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let skip = sort.offset.map_or(0, |c| usize::try_from(c.value()).unwrap_or(0));
        let take = sort
            .limit
            .map_or(usize::MAX, |c| usize::try_from(c.value()).unwrap_or(0));
        out.into_iter().skip(skip).take(take).map(|(v, _)| v).collect()
    }
}
