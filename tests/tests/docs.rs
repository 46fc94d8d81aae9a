//! `docs/queries.md` and `docs/errors.md` are generated here, so the SQL
//! they show is the SQL foal renders today: the test fails when either file
//! is out of date. `FOAL_BLESS=1 scripts/test.sh -p foal-tests --test docs`
//! rewrites them. Every query of the reference also runs on the three
//! backends over the e-store and university fixtures.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::Duration;
use foal::Query;
use foal::prelude::*;
use foal_tests::analytics::{self, Employee, Link, Owner, Ownership, Property, Supplier};
use foal_tests::estore::{self, Category, Customer, Order, OrderItem, Product};
use foal_tests::university::{self, Course, Department, Group, Student};

type Run = Box<dyn Fn(&Database) -> foal::Result<()>>;

/// The reference under construction, and how to run each of its queries.
struct Reference {
    text: String,
    runs: Vec<(String, Run)>,
}

const BACKENDS: [(Dialect, &str); 3] = [
    (Dialect::Sqlite, "SQLite"),
    (Dialect::Postgres, "PostgreSQL"),
    (Dialect::Mysql, "MySQL/MariaDB"),
];

impl Reference {
    fn section(&mut self, title: &str, intro: &str) {
        let _ = write!(self.text, "\n## {title}\n\n{intro}\n");
    }

    fn sql_block(&mut self, render: impl Fn(Dialect) -> String) {
        self.text.push_str("\n```sql\n");
        for (dialect, name) in BACKENDS {
            let _ = writeln!(self.text, "-- {name}\n{}", render(dialect));
        }
        self.text.push_str("```\n");
    }

    fn rust_block(&mut self, title: &str, note: &str, rust: &str) {
        let _ = write!(self.text, "\n### {title}\n\n");
        if !note.is_empty() {
            let _ = write!(self.text, "{note}\n\n");
        }
        let _ = writeln!(self.text, "```rust\n{rust}\n```");
    }

    /// A query: its Rust, its SQL on each backend, and a run of it.
    fn query<T: 'static>(&mut self, title: &str, note: &str, q: Query<T>) {
        self.rust_block(title, note, &format!("select!({})", q.source()));
        self.sql_block(|d| q.sql(d));
        self.runs
            .push((title.to_owned(), Box::new(move |db| q.fetch_all(db).map(|_| ()))));
    }

    /// A query built from query values (set operations, recursion): its
    /// Rust as written by hand, the SQL, and a run.
    fn composed<T: 'static>(&mut self, title: &str, note: &str, rust: &str, q: Query<T>) {
        self.rust_block(title, note, rust);
        self.sql_block(|d| q.sql(d));
        self.runs
            .push((title.to_owned(), Box::new(move |db| q.fetch_all(db).map(|_| ()))));
    }

    /// A statement shown with Rust written by hand (bulk writes).
    fn statement(&mut self, title: &str, note: &str, rust: &str, render: impl Fn(Dialect) -> String, run: Run) {
        self.rust_block(title, note, rust);
        self.sql_block(render);
        self.runs.push((title.to_owned(), run));
    }
}

/// Any struct can be built in a projection.
#[derive(Debug)]
pub struct Summary {
    pub name: String,
    pub value: i64,
}

fn estore_reference(r: &mut Reference) {
    r.section(
        "Sources and projections",
        "A comprehension names its variables in `for` clauses; the chain form \
         starts from an entity type. Both become the same SQL. A projection is \
         an entity (all its columns), one expression, a tuple, or a struct literal.",
    );
    r.query("Entity rows", "", select!(p for p in Product if p.price >= 500));
    r.query("One column", "", select!(p.name for p in Product));
    let min_price = 100;
    r.query(
        "A tuple, with a captured value",
        "`min_price` is a Rust variable: it is bound as a parameter, never spliced into the text.",
        select!((p.name, p.price) for p in Product if p.price >= min_price && p.name.starts_with("iPad")),
    );
    r.query(
        "Any struct",
        "",
        select!(Summary { name: p.name, value: p.price * p.quantity as i64 } for p in Product),
    );
    r.query(
        "The chain form",
        "",
        select!(Product.filter(|p| p.price >= 500).map(|p| p.name)),
    );
    r.query(
        "Ordering and limits",
        "`desc(x)` (or `x.desc()`) sorts descending; `NULL`s sort first ascending and last descending on every backend, as `None < Some(_)` in Rust.",
        select!(Product.filter(|p| p.price >= 500).order_by(|p| (desc(p.price), p.name)).limit(10)),
    );
    r.query(
        "Offset and pages",
        "`page(n, size)` counts pages from 1.",
        select!(Product.order_by(|p| p.id).page(2, 2).map(|p| p.name)),
    );
    r.query("Distinct", "", select!(Customer.map(|c| c.country).distinct()));
    let q = select!(p for p in Product if p.price >= 10);
    r.query(
        "Composing at run time",
        "`q` is a `Query` value built earlier; the new filter extends its `WHERE`. A query that is grouped or limited is wrapped as a derived table instead.",
        select!(q.filter(|p| p.quantity > 0)),
    );

    r.section(
        "Operators and values",
        "Comparisons, logic and arithmetic mean what they mean in Rust (see `semantics.md`): \
         integer division truncates, `%` keeps the dividend's sign, and division by zero gives NULL on every backend.",
    );
    r.query(
        "Comparisons and logic",
        "",
        select!(p.name for p in Product if (p.price > 100 && p.price <= 600) || !(p.quantity != 0)),
    );
    r.query(
        "Arithmetic",
        "",
        select!((p.price / 7, p.price % 7, -p.price, p.price * 2 + 1) for p in Product),
    );
    let ids = vec![1_i64, 2, 3];
    r.query(
        "IN a list",
        "The list is bound element by element; its length is padded to a power of two so a handful of SQL texts cover all lengths.",
        select!(p.name for p in Product if ids.contains(&p.id)),
    );
    let none: Vec<i64> = Vec::new();
    r.query(
        "An empty list",
        "",
        select!(p.name for p in Product if none.contains(&p.id)),
    );
    r.query(
        "A range",
        "",
        select!(p.name for p in Product if (10..=500).contains(&p.price)),
    );

    r.section(
        "Text",
        "Text compares byte by byte and case-sensitively everywhere (the DDL sets binary collations). \
         Patterns are parameters with `%`, `_` and `\\` escaped.",
    );
    r.query(
        "starts_with, ends_with, contains",
        "",
        select!(p.name for p in Product if p.name.starts_with("iPad") || p.name.ends_with("%") || p.name.contains("_")),
    );
    r.query(
        "Case, trim and lengths",
        "`len()` counts bytes, `chars().count()` counts characters.",
        select!((p.name.to_lowercase(), p.name.to_uppercase(), p.name.trim(), p.name.len(), p.name.chars().count()) for p in Product),
    );
    r.query(
        "Empty text",
        "",
        select!(p.name for p in Product if p.description.is_some() && p.description.unwrap_or_default().is_empty()),
    );
    r.query(
        "Concatenation and format!",
        "`format!` takes plain `{}` placeholders; numbers are written as `to_string` would.",
        select!((c.name + " <" + c.country.as_str() + ">", format!("{} from {}", c.name, c.country)) for c in Customer),
    );

    r.section(
        "Options",
        "An `Option<T>` field is a nullable column. `== None` is `IS NULL`; comparing with a `None` parameter picks the `IS NULL` form at run time.",
    );
    r.query(
        "is_none, is_some",
        "",
        select!(c.name for c in Customer if c.email.is_none() || c.email.is_some() && c.country == "France"),
    );
    r.query(
        "unwrap_or and coalesce",
        "",
        select!((p.rating.unwrap_or(0.0), coalesce(p.description, "n/a")) for p in Product),
    );
    let wanted: Option<String> = None;
    r.query(
        "Comparing with an Option value",
        "",
        select!(c.name for c in Customer if c.email == wanted),
    );

    r.section("Conditionals, casts and numbers", "");
    r.query(
        "if / else",
        "",
        select!((p.name, if p.quantity > 0 { "in stock" } else { "sold out" }) for p in Product),
    );
    r.query(
        "match on literals",
        "",
        select!(match o.state.as_str() { "SHIPPED" => 1, "NEW" => 2, _ => 3 } for o in Order),
    );
    r.query(
        "Casts",
        "A float cast to an integer truncates toward zero, as `as` does.",
        select!((p.price as f64 / 3.0, p.rating.unwrap_or(0.0) as i64) for p in Product),
    );
    r.query(
        "abs, round, min and max of two values",
        "`round` rounds half away from zero, exactly, on every backend.",
        select!(((p.price - 500).abs(), p.rating.unwrap_or(0.0).round(), p.price.min(100), p.price.max(100)) for p in Product),
    );

    r.section(
        "Relations",
        "A `Ref<T>` field navigates to the referenced row: one join per path, however often the path appears. \
         An `Option<Ref<T>>` becomes a `LEFT JOIN`. A `has_many` declaration gives a to-many path.",
    );
    r.query(
        "To-one navigation",
        "",
        select!(o for o in Order if o.customer.country == "USA"),
    );
    r.query(
        "An optional reference, two steps deep",
        "",
        select!((p.name, p.category.name, p.category.parent.name) for p in Product),
    );
    r.query(
        "Several sources with a join condition",
        "",
        select!((c, o) for c in Customer for o in Order if o.customer == c && o.total > 100.0),
    );
    r.query(
        "A to-many path as a source",
        "",
        select!((c.name, o.total) for c in Customer for o in c.orders if o.total > 100.0),
    );
    r.query(
        "Left join, and the anti-join",
        "`.left()` keeps the rows without a match; the variable is then optional.",
        select!(c.name for c in Customer for o in c.orders.left() if o.is_none()),
    );
    r.query(
        "Counting and testing a to-many path",
        "",
        select!((c.name, c.orders.count()) for c in Customer if !c.orders.is_empty()),
    );
    r.query(
        "Composite keys",
        "`OrderItem` is keyed by `(order, product)`; a reference to it would store both.",
        select!((i.order.key(), i.product.name) for i in OrderItem if i.order.customer.name == "Ann"),
    );

    r.section(
        "Aggregates",
        "Items that are not aggregates become the `GROUP BY`; a condition on an aggregate goes to `HAVING`. \
         `sum` of no rows is `0`; `avg`, `min` and `max` return `Option`.",
    );
    r.query(
        "GROUP BY inferred",
        "",
        select!((c.country, count(c)) for c in Customer),
    );
    r.query(
        "HAVING inferred",
        "",
        select!((c.country, sum(o.total)) for c in Customer for o in c.orders if sum(o.total) > 1000.0),
    );
    r.query("A scalar aggregate", "", select!(sum(p.price) for p in Product));
    r.query(
        "avg, min, max",
        "",
        select!((avg(p.price), min(p.price), max(p.rating)) for p in Product),
    );
    r.query(
        "count_distinct, group_concat",
        "",
        select!((count_distinct(c.country), group_concat(c.name, ", ")) for c in Customer),
    );
    r.query(
        "Conditional counting",
        "`count(condition)` counts the rows where it holds.",
        select!((o.state, count(o.total > 100.0)) for o in Order),
    );
    r.query(
        "An aggregate in order_by",
        "",
        select!(((c.country, count(c)) for c in Customer).order_by(|c| (desc(count(c)), c.country))),
    );

    r.section(
        "Subqueries",
        "A generator inside an aggregate, `exists` or `contains` is a subquery. `c.orders.count()` and \
         `count(o for o in c.orders …)` are correlated subqueries rather than a LEFT JOIN with GROUP BY: \
         they never multiply or merge the outer rows, so they combine with any other clause, and each \
         backend runs them as a lookup on the foreign key's index (foal indexes every foreign key). \
         `is_empty()` and `!exists(…)` are `NOT EXISTS`, which the three planners run as an anti-join. \
         For the join form, write it: `for o in c.orders.left()` with `count(o)`.",
    );
    r.query(
        "count over a generator",
        "",
        select!(c for c in Customer if count(o for o in c.orders if o.total > 100.0) > 2),
    );
    r.query(
        "exists",
        "",
        select!(c for c in Customer if exists(o for o in c.orders if o.state == "SHIPPED")),
    );
    r.query(
        "sum over a generator, per row",
        "",
        select!((c.name, sum(o.total for o in c.orders)) for c in Customer),
    );
    r.query(
        "An uncorrelated scalar subquery",
        "",
        select!(p for p in Product if p.price == max(x.price for x in Product)),
    );
    r.query(
        "IN a subquery",
        "",
        select!(c.name for c in Customer if (o.customer for o in Order if o.state == "SHIPPED").contains(&c)),
    );
    r.query(
        "Tuple IN",
        "",
        select!(i.quantity for i in OrderItem if ((j.order.key(), j.product.key()) for j in OrderItem if j.quantity >= 2).contains(&(i.order.key(), i.product.key()))),
    );
    let big = select!(o for o in Order if o.total > 100.0);
    r.query(
        "A query value as a source",
        "`big` is a `Query` value; it becomes a derived table with its own parameters.",
        select!(x.id for x in big if x.state == "SHIPPED"),
    );

    r.section(
        "Dates and times",
        "`NaiveDate`, `NaiveDateTime` and `DateTime<Utc>` columns keep microseconds on every backend.",
    );
    let since = estore::at(2026, 1, 1, 0, 0, 0, 0);
    r.query(
        "Comparisons and parts",
        "",
        select!((o.placed.year(), o.placed.month(), o.placed.day(), o.placed.hour(), o.placed.minute(), o.placed.second()) for o in Order if o.placed >= since),
    );
    r.query(
        "Adding a duration",
        "",
        select!(o.id for o in Order if o.placed + Duration::days(2) < o.shipped.unwrap_or(since)),
    );

    r.section(
        "Locks and bulk writes",
        "`for_update()` locks the rows read until the transaction ends (`FOR UPDATE`); SQLite has no row \
         locks, and foal's transactions there start with `BEGIN IMMEDIATE`, which takes the write lock. \
         `delete` and `update` of a query change every matching row in one statement and return the count.",
    );
    r.query("for_update", "", select!(Product.filter(|p| p.id == 1).for_update()));
    let idle = Rc::new(select!(c for c in Customer if c.orders.is_empty()));
    let shown = Rc::clone(&idle);
    r.statement(
        "Delete by query",
        "",
        "select!(c for c in Customer if c.orders.is_empty()).delete(&db)?",
        move |d| shown.delete_sql(d),
        Box::new(move |db| idle.delete(db).map(|_| ())),
    );
    let raise = Rc::new(select!(Product.filter(|p| p.quantity == 0).update(|p| {
        p.active = false;
        p.price = p.price - 1;
    })));
    let shown = Rc::clone(&raise);
    r.statement(
        "Update by query",
        "",
        "select!(Product.filter(|p| p.quantity == 0).update(|p| {\n    p.active = false;\n    p.price = p.price - 1;\n})).execute(&db)?",
        move |d| shown.sql(d),
        Box::new(move |db| raise.execute(db).map(|_| ())),
    );
    let joined = Rc::new(select!(
        OrderItem
            .filter(|i| i.order.customer.name == "Ann")
            .update(|i| i.quantity *= 2)
    ));
    let shown = Rc::clone(&joined);
    r.statement(
        "Update with a condition through references",
        "The rows are named by key in a subquery; MySQL, which cannot read the table it updates in a subquery, gets a derived table.",
        "select!(OrderItem.filter(|i| i.order.customer.name == \"Ann\").update(|i| i.quantity *= 2)).execute(&db)?",
        move |d| shown.sql(d),
        Box::new(move |db| joined.execute(db).map(|_| ())),
    );
}

fn university_reference(r: &mut Reference) {
    r.section(
        "Many-to-many",
        "Through a link entity (`Enrollment` references a `Student` and a `Course`).",
    );
    r.query(
        "Navigating through the link",
        "",
        select!((st.name, e.course.name) for st in Student for e in st.enrollments if e.course.credits >= 5),
    );
    r.query(
        "Aggregating through the link",
        "",
        select!((st.name, sum(e.course.credits)) for st in Student for e in st.enrollments),
    );
    r.query(
        "Grouping by a path",
        "",
        select!((st.group.department.name, avg(st.gpa), count(st)) for st in Student),
    );
    r.query(
        "A left join through a to-many path, counted",
        "Courses without enrollments count 0.",
        select!((c.name, count(e)) for c in Course for e in c.enrollments.left()),
    );
    r.query(
        "The earliest date per group",
        "",
        select!((g.number, min(st.dob)) for g in Group for st in g.students),
    );
    r.query(
        "Students with only top grades",
        "",
        select!(st.name for st in Student if !exists(e for e in st.enrollments if e.grade.unwrap_or(0) < 5)),
    );
    r.query(
        "Groups by size",
        "",
        select!(g.number for g in Group if g.students.count() > 2),
    );
    r.query(
        "A correlated average",
        "",
        select!(st.name for st in Student if st.gpa > avg(x.gpa for x in Student if x.group == st.group)),
    );
    r.query(
        "Departments without groups",
        "",
        select!(d.name for d in Department if d.groups.is_empty()),
    );
    r.query(
        "A self-reference",
        "",
        select!((st.name, st.mentor.name) for st in Student if st.gpa > st.mentor.gpa),
    );
}

const ANALYTICS_INTRO: &str = r#"# Analytics

A guide for analysts who know SQL, or SQLAlchemy Core, and want the same
power from plain Rust: derived tables, every kind of join, window
functions, set operations, shared and recursive CTEs. Each construct keeps
its Rust meaning on SQLite, PostgreSQL and MySQL/MariaDB; where a backend
lacks a construct, foal writes SQL that means the same there (MySQL and
MariaDB have no FULL JOIN). The SQL under each example is what foal sends:
this file is generated by `tests/tests/docs.rs`, which also runs every
query on the three backends (`tests/tests/analytics.rs` checks their rows
against the same questions answered in plain Rust).

The examples use the entities of `tests/src/analytics.rs` (`Employee`,
`Supplier`, `Link`, `Property`, `Owner`, `Ownership`) and the e-store's
`Customer`, `Order` and `Category`.

| SQL | foal |
|-----|------|
| `FROM (SELECT …) AS t` | `for x in q` where `q` is any query value; `for (a, b) in q` for a tuple row |
| `JOIN … ON cond` | `for o in Order.join(\|o\| cond)` |
| `LEFT / RIGHT / FULL JOIN … ON cond` | `.left_join(\|o\| cond)`, `.right_join(..)`, `.full_join(..)` |
| `f(..) OVER (PARTITION BY … ORDER BY … ROWS …)` | `f(..).over(partition_by(k).order_by(v).rows(..=0))` |
| `QUALIFY` (a filter on a window) | `if rank().over(..) <= 3`: foal writes the wrapping query |
| `UNION`, `UNION ALL`, `INTERSECT`, `EXCEPT` | `a.union(&b)`, `a.union_all(&b)`, `a.intersect(&b)`, `a.except(&b)` |
| `WITH t AS (…)` | the same query value named twice in one query |
| `WITH RECURSIVE` | `root.union_all_recursive(\|prev\| step)`, `root.union_recursive(..)` |
| `SUBSTRING`, `LIKE`, `SUM(DISTINCT)` | `substring(s, start, len)`, `s.like("%a_")`, `sum_distinct(x)` |
"#;

fn analytics_guide(r: &mut Reference) {
    r.section(
        "Query values are sources",
        "Any query value can be a source of another query, whatever its projection: a \
         tuple row is destructured in the `for` clause and each name has its element's type. \
         A grouped, limited or distinct query value becomes a derived table.",
    );
    let per_customer = select!((o.customer, sum(o.total)) for o in Order);
    r.query(
        "A grouped query as a source",
        "`per_customer` is `Query<(Ref<Customer>, f64)>`; `who == c` compares the reference with the \
         variable.",
        select!((c.name, total) for c in Customer for (who, total) in per_customer if who == c && total > 1000.0),
    );
    let first5 = select!(Property.filter(|p| p.city.starts_with("K")).order_by(|p| p.id).limit(5));
    r.query(
        "LIMIT before JOIN: the first five properties in cities starting with K",
        "The classic case an ORM gets wrong. `first5` is `select!(Property.filter(|p| \
         p.city.starts_with(\"K\")).order_by(|p| p.id).limit(5))`. Joined to the owners, each of the \
         five properties comes with all its owners: the LIMIT applies to the properties, inside \
         the derived table. Joining first and limiting after would cut owner rows and return \
         fewer than five properties.",
        select!((p.address, o.name) for p in first5 for s in Ownership if s.property == p for o in Owner if s.owner == o),
    );

    r.section(
        "Joins",
        "A join names its condition in a closure over the new row; any condition, `||` \
         included, and any entity, related or not. An outer-joined variable is optional: \
         `o.is_none()` tests for the missing row and its fields read as `Option`s. After \
         `right_join` the earlier variables are optional; after `full_join` both sides are.",
    );
    r.query(
        "An inner join on any condition",
        "",
        select!((c.name, o.id) for c in Customer for o in Order.join(|o| o.customer == c || o.total > 1000.0)),
    );
    r.query(
        "A left join with a condition on the right side",
        "`o.id` is `Option<i64>`. The state test belongs to the join: customers without a shipped \
         order are kept, with `None`.",
        select!((c.name, o.id) for c in Customer for o in Order.left_join(|o| o.customer == c && o.state == "SHIPPED")),
    );
    r.query(
        "A right join",
        "`c.name` is `Option<String>`.",
        select!((c.name, o.id) for c in Customer for o in Order.right_join(|o| o.customer == c)),
    );
    r.query(
        "A full join",
        "Both sides are optional. MySQL and MariaDB have no FULL JOIN: foal writes the LEFT JOIN \
         and adds the right rows that match nothing, duplicates kept.",
        select!((c.name, o.id) for c in Customer for o in Order.full_join(|o| o.customer == c)),
    );
    r.query(
        "A condition added to a relation's own match",
        "Customers without an order that is not cancelled count 0.",
        select!((c.name, count(o)) for c in Customer for o in c.orders.left_join(|o| o.state != "CANCELLED")),
    );

    r.section(
        "Window functions",
        "A ranking function (`row_number()`, `rank()`, `dense_rank()`, `percent_rank()`, \
         `cume_dist()`, `ntile(n)`), an offset function (`lag(x, n)`, `lead(x, n)`, \
         `first_value(x)`, `last_value(x)`, `nth_value(x, n)`) or an aggregate, followed by \
         `.over(window)`. A window starts with `partition_by(key)`, `order_by(key)` or \
         `window()` (`OVER ()`), chains more keys and one frame: `.rows(range)` or \
         `.range(range)`, where the range counts rows from the current one: `..=0` is \
         `UNBOUNDED PRECEDING` to `CURRENT ROW`, `-2..=2` is `2 PRECEDING` to `2 FOLLOWING`, \
         `0..` is `CURRENT ROW` to `UNBOUNDED FOLLOWING`, `..` is the whole partition. A frame's \
         ends are integer literals; a `range` frame takes only unbounded ends and `0` (the \
         current row's peers), since offsets in values mean different things on each backend.",
    );
    r.query(
        "Rank within a partition",
        "",
        select!((e.name, rank().over(partition_by(e.dept).order_by(desc(e.salary)))) for e in Employee),
    );
    r.query(
        "A running total",
        "",
        select!((o.id, sum(o.total).over(partition_by(o.customer).order_by(o.placed).rows(..=0))) for o in Order),
    );
    r.query(
        "The change from the previous row",
        "`lag` gives `Option<f64>`: `None` on the first row.",
        select!((o.id, o.total - lag(o.total, 1).over(order_by(o.placed)).unwrap_or(0.0)) for o in Order),
    );
    r.query(
        "A moving sum of five rows",
        "",
        select!((o.id, sum(o.total).over(order_by(o.placed).rows(-2..=2))) for o in Order),
    );
    r.query(
        "Over every row",
        "",
        select!((o.id, avg(o.total).over(window())) for o in Order),
    );
    r.query(
        "A window over grouped rows",
        "The window orders the groups by their own aggregate.",
        select!((o.customer, sum(o.total), rank().over(order_by(desc(sum(o.total))))) for o in Order),
    );
    r.query(
        "Top three per department",
        "A condition on a window function filters its result, as SQL's QUALIFY would: foal \
         computes the window in a derived table and filters outside it. The window sees the rows \
         that pass the plain conditions.",
        select!(e for e in Employee if rank().over(partition_by(e.dept).order_by(desc(e.salary))) <= 3),
    );

    r.section(
        "Set operations",
        "On query values of the same row type; they borrow both and return a new query value, \
         which can be ordered, limited, used as a source or in an IN test. A closure over a tuple \
         row destructures it.",
    );
    let a = select!(c.country for c in Customer);
    let b = select!(s.country for s in Supplier);
    r.composed(
        "Union",
        "Also `union_all` (duplicates kept), `intersect` and `except`.",
        "let a = select!(c.country for c in Customer);\nlet b = select!(s.country for s in Supplier);\na.union(&b)",
        a.union(&b),
    );
    r.composed("Intersect", "", "a.intersect(&b)", a.intersect(&b));
    r.composed("Except", "", "a.except(&b)", a.except(&b));
    let all = a.union(&b);
    r.query(
        "Ordered and limited",
        "`all` is `a.union(&b)`.",
        select!(all.order_by(|x| x).limit(10)),
    );
    let shared = a.intersect(&b);
    r.query(
        "In an IN test",
        "`shared` is `a.intersect(&b)`.",
        select!(s.name for s in Supplier if (x for x in shared).contains(&s.country)),
    );

    r.section(
        "Common table expressions",
        "A query value used more than once in one query is rendered once, in a WITH clause.",
    );
    let revenue = select!((o.customer, sum(o.total)) for o in Order);
    r.query(
        "The best customers",
        "`revenue` is `select!((o.customer, sum(o.total)) for o in Order)`: named as a source and \
         in the subquery, it is one CTE.",
        select!(who for (who, total) in revenue if total == max(t for (_, t) in revenue)),
    );
    let root = select!((c, 0_i64) for c in Category if c.parent.is_none());
    r.composed(
        "A recursive query with a depth",
        "`prev` is a `Query` of the root's row type: the rows found so far. The result is \
         `Vec<(Category, i64)>`.",
        "let root = select!((c, 0_i64) for c in Category if c.parent.is_none());\nroot.union_all_recursive(|prev| select!((c, depth + 1) for c in Category for (p, depth) in prev if c.parent == p))",
        root.union_all_recursive(|prev| select!((c, depth + 1) for c in Category for (p, depth) in prev if c.parent == p)),
    );
    let start = select!(l.target for l in Link if l.source == 1);
    r.composed(
        "Reachability on a graph with cycles",
        "`union_recursive` drops duplicate rows, so the recursion stops on cyclic data. A step \
         that does not read `prev` is refused with `foal::Error::Usage` when the query is built \
         into a statement.",
        "let start = select!(l.target for l in Link if l.source == 1);\nstart.union_recursive(|prev| select!(l.target for l in Link for n in prev if l.source == n))",
        start.union_recursive(|prev| select!(l.target for l in Link for n in prev if l.source == n)),
    );

    r.section(
        "Functions for analysis",
        "Each keeps its Rust meaning on every backend (`semantics.md`).",
    );
    r.query(
        "Characters of a text",
        "`substring(s, start, len)` counts characters from 0, as `s.chars().skip(start).take(len)`; \
         it also works on a `&str` in plain Rust.",
        select!((c.id, substring(c.name, 1, 3)) for c in Customer),
    );
    r.query(
        "A LIKE pattern",
        "`%` matches any run of characters, `_` one, `\\\\` escapes the next; case-sensitive \
         everywhere. A literal pattern is written into the SQL, where the planner sees it; a \
         pattern computed in Rust is bound. `foal::methods::Like` gives `str` the same method.",
        select!(p.address for p in Property if p.address.like("1_ %Oak%")),
    );
    r.query(
        "Distinct aggregates and SQL's empty sum",
        "`sum` of no rows is 0, as Rust's `Iterator::sum`; `sum_or_none` is SQL's `NULL` for no \
         rows, as an explicit choice.",
        select!((o.state, sum_distinct(o.customer.id), avg_distinct(o.total), sum_or_none(o.total)) for o in Order),
    );
    let since = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    r.query(
        "Date differences",
        "The difference of two dates or times is a `chrono::Duration` (whole days between dates, \
         microseconds between times), comparable with `Duration::days(n)`.",
        select!(e.name for e in Employee if since - e.hired > Duration::days(1000)),
    );
    r.query(
        "Powers and roots",
        "`powi`, `powf` and `sqrt` on floats, computed in double precision. The root of a \
         negative number is NaN in Rust and NULL in SQL: reading it fails rather than returning \
         a wrong value.",
        select!((o.id, o.total.powi(2), o.total.sqrt(), o.total.powf(0.5)) for o in Order),
    );
    r.query(
        "Conditional aggregates and date parts in GROUP BY",
        "`sum`/`avg`/`min`/`max` over `if`/`else` values put a CASE inside the aggregate.",
        select!((o.placed.year(), o.placed.month(), sum(if o.state == "SHIPPED" { o.total } else { 0.0 }), count_distinct(o.customer)) for o in Order),
    );
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

/// Compares `text` with the file, or rewrites it under `FOAL_BLESS=1`.
fn check_generated(name: &str, text: &str) {
    let path = docs_dir().join(name);
    if std::env::var_os("FOAL_BLESS").is_some() {
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != text {
        let line = current
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .map_or(current.lines().count().min(text.lines().count()) + 1, |i| i + 1);
        panic!(
            "docs/{name} is out of date (first difference at line {line}); \
             run `FOAL_BLESS=1 scripts/test.sh -p foal-tests --test docs`"
        );
    }
}

const QUERIES_INTRO: &str = "# Query reference

Every construct of the query language, with the SQL it becomes on each
backend. This file is generated by `tests/tests/docs.rs` from the queries
themselves (and each of them runs on the three backends in that test), so
the SQL is exactly what foal sends. Placeholders are shown as the driver
receives them: `?` on SQLite and MySQL, `$n` (with a type) on PostgreSQL.
What each construct means, and where SQL had to be bent to match Rust, is in
[`semantics.md`](semantics.md).

The examples use the e-store entities of `tests/src/estore.rs` (`Customer`,
`Category`, `Product`, `Order`, `OrderItem`) and the university entities of
`tests/src/university.rs`.
";

/// The reference: its text and, for each fixture, the queries to run.
fn reference() -> (String, Vec<(&'static str, Runs)>) {
    let mut r = Reference {
        text: QUERIES_INTRO.to_owned(),
        runs: Vec::new(),
    };
    estore_reference(&mut r);
    let estore_runs = std::mem::take(&mut r.runs);
    university_reference(&mut r);
    let university_runs = std::mem::take(&mut r.runs);
    (r.text, vec![("e-store", estore_runs), ("university", university_runs)])
}

type Runs = Vec<(String, Run)>;

/// `docs/analytics.md` and its queries.
fn guide() -> (String, Runs) {
    let mut r = Reference {
        text: ANALYTICS_INTRO.to_owned(),
        runs: Vec::new(),
    };
    analytics_guide(&mut r);
    (r.text, r.runs)
}

#[test]
fn the_analytics_guide_is_current() {
    check_generated("analytics.md", &guide().0);
}

#[test]
fn every_query_of_the_analytics_guide_runs() {
    let (_, runs) = guide();
    let mut failures = Vec::new();
    for db in foal_tests::all() {
        if let Err(e) = analytics::fill(&db) {
            failures.push(format!("filling the analytics fixture on {}: {e}", db.dialect()));
            continue;
        }
        for (title, run) in &runs {
            if let Err(e) = run(&db) {
                failures.push(format!("{title} on {}: {e}", db.dialect()));
            }
        }
    }
    assert!(runs.len() >= 28, "the analytics guide shrank to {} queries", runs.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_query_reference_is_current() {
    check_generated("queries.md", &reference().0);
}

/// Runs every query of the reference on each backend; every failure is
/// reported, not only the first.
fn run_reference(fixture: &str, fill: fn(&Database) -> foal::Result<()>, at_least: usize) {
    let (_, all) = reference();
    let Some((_, runs)) = all.into_iter().find(|(name, _)| *name == fixture) else {
        panic!("no fixture {fixture}");
    };
    let mut failures = Vec::new();
    for db in foal_tests::all() {
        if let Err(e) = fill(&db) {
            failures.push(format!("filling the {fixture} fixture on {}: {e}", db.dialect()));
            continue;
        }
        for (title, run) in &runs {
            if let Err(e) = run(&db) {
                failures.push(format!("{title} on {}: {e}", db.dialect()));
            }
        }
    }
    println!("{} {fixture} reference queries ran on each backend", runs.len());
    assert!(
        runs.len() >= at_least,
        "the {fixture} reference shrank to {} queries",
        runs.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_estore_query_of_the_reference_runs() {
    run_reference("e-store", estore::fill, 50);
}

#[test]
fn every_university_query_of_the_reference_runs() {
    run_reference("university", university::fill, 5);
}

/// `docs/errors.md`: each compile-fail case of `tests/ui` with the message
/// rustc prints for it.
#[test]
fn the_error_catalogue_is_current() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut names: Vec<String> = std::fs::read_dir(&ui)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", ui.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".rs").map(str::to_owned))
        .collect();
    names.sort();
    let mut text = String::from(
        "# Compile errors

What cannot become SQL does not compile. Each entry is a case of
`tests/ui/` (named after the rule it checks), with the code and the message
rustc prints for it. This file is generated by `tests/tests/docs.rs` from
those cases.
",
    );
    for name in &names {
        let source = std::fs::read_to_string(ui.join(format!("{name}.rs"))).unwrap_or_default();
        let stderr = std::fs::read_to_string(ui.join(format!("{name}.stderr"))).unwrap_or_default();
        let query: Vec<&str> = source
            .lines()
            .filter(|l| !l.starts_with("use "))
            .skip_while(|l| l.trim().is_empty())
            .collect();
        let message: Vec<&str> = stderr.split("\n\n").next().unwrap_or_default().lines().collect();
        let _ = write!(
            text,
            "\n## {}\n\n```rust\n{}\n```\n\n```text\n{}\n```\n",
            name.replace('_', " "),
            query.join("\n"),
            message.join("\n")
        );
    }
    assert!(names.len() >= 20, "only {} compile-fail cases", names.len());
    check_generated("errors.md", &text);
}
