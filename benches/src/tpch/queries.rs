//! The 22 TPC-H queries written in foal, one `Query` each, with the
//! validation parameters of the spec. Dates the spec computes with an
//! interval are computed in Rust (chrono) and bound.

use chrono::{Months, NaiveDate, TimeDelta};
use foal::prelude::*;
use foal::{Dialect, Query};

use super::cells::{Cell, ToCells};
use super::schema::{Customer, LineItem, Nation, Orders, Part, PartSupp, Region, Supplier};

/// A query of any row type, run for its cells or its row count.
pub trait Runs {
    fn cells(&self, db: &Database) -> foal::Result<Vec<Vec<Cell>>>;
    /// The rows, decoded as the application gets them (what is timed).
    fn rows(&self, db: &Database) -> foal::Result<usize>;
    fn sql(&self, dialect: Dialect) -> String;
    /// The SQL with its values written in (to run by hand, `EXPLAIN`).
    fn sql_inline(&self, dialect: Dialect) -> String;
}

impl<T: ToCells + 'static> Runs for Query<T> {
    fn cells(&self, db: &Database) -> foal::Result<Vec<Vec<Cell>>> {
        Ok(self.fetch_all(db)?.iter().map(ToCells::cells).collect())
    }

    fn rows(&self, db: &Database) -> foal::Result<usize> {
        Ok(std::hint::black_box(self.fetch_all(db)?).len())
    }

    fn sql(&self, dialect: Dialect) -> String {
        Query::sql(self, dialect)
    }

    fn sql_inline(&self, dialect: Dialect) -> String {
        Query::sql_inline(self, dialect)
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn months_after(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).unwrap_or(d)
}

/// The 22 queries, numbered as in the spec.
pub fn all() -> Vec<(usize, Box<dyn Runs>)> {
    vec![
        (1, Box::new(q1())),
        (2, Box::new(q2())),
        (3, Box::new(q3())),
        (4, Box::new(q4())),
        (5, Box::new(q5())),
        (6, Box::new(q6())),
        (7, Box::new(q7())),
        (8, Box::new(q8())),
        (9, Box::new(q9())),
        (10, Box::new(q10())),
        (11, Box::new(q11())),
        (12, Box::new(q12())),
        (13, Box::new(q13())),
        (14, Box::new(q14())),
        (15, Box::new(q15())),
        (16, Box::new(q16())),
        (17, Box::new(q17())),
        (18, Box::new(q18())),
        (19, Box::new(q19())),
        (20, Box::new(q20())),
        (21, Box::new(q21())),
        (22, Box::new(q22())),
    ]
}

type Q1Row = (
    String,
    String,
    f64,
    f64,
    f64,
    f64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    i64,
);

/// Pricing summary report.
pub fn q1() -> Query<Q1Row> {
    let shipped_by = day(1998, 12, 1) - TimeDelta::days(90);
    select!(((
        l.l_returnflag,
        l.l_linestatus,
        sum(l.l_quantity),
        sum(l.l_extendedprice),
        sum(l.l_extendedprice * (1.0 - l.l_discount)),
        sum(l.l_extendedprice * (1.0 - l.l_discount) * (1.0 + l.l_tax)),
        avg(l.l_quantity),
        avg(l.l_extendedprice),
        avg(l.l_discount),
        count(l)
    ) for l in LineItem if l.l_shipdate <= shipped_by)
        .order_by(|l| (l.l_returnflag, l.l_linestatus)))
}

type Q2Row = (f64, String, String, i64, String, String, String, String);

/// Minimum cost supplier.
pub fn q2() -> Query<Q2Row> {
    select!(((s.s_acctbal, s.s_name, n.n_name, p.p_partkey, p.p_mfgr, s.s_address, s.s_phone, s.s_comment)
        for p in Part for s in Supplier for ps in PartSupp for n in Nation for r in Region
        if ps.ps_partkey == p
            && ps.ps_suppkey == s
            && p.p_size == 15
            && p.p_type.ends_with("BRASS")
            && s.s_nationkey == n
            && n.n_regionkey == r
            && r.r_name == "EUROPE"
            && ps.ps_supplycost == min(ps2.ps_supplycost
                for ps2 in PartSupp for s2 in Supplier for n2 in Nation for r2 in Region
                if ps2.ps_partkey == p
                    && ps2.ps_suppkey == s2
                    && s2.s_nationkey == n2
                    && n2.n_regionkey == r2
                    && r2.r_name == "EUROPE"))
        .order_by(|(p, s, ps, n, r)| (desc(s.s_acctbal), n.n_name, s.s_name, p.p_partkey))
        .limit(100))
}

/// Shipping priority.
pub fn q3() -> Query<(Ref<Orders>, f64, NaiveDate, i32)> {
    let at = day(1995, 3, 15);
    select!(((l.l_orderkey, sum(l.l_extendedprice * (1.0 - l.l_discount)), o.o_orderdate, o.o_shippriority)
        for c in Customer for o in Orders for l in LineItem
        if c.c_mktsegment == "BUILDING"
            && o.o_custkey == c
            && l.l_orderkey == o
            && o.o_orderdate < at
            && l.l_shipdate > at)
        .order_by(|(c, o, l)| (desc(sum(l.l_extendedprice * (1.0 - l.l_discount))), o.o_orderdate))
        .limit(10))
}

/// Order priority checking.
pub fn q4() -> Query<(String, i64)> {
    let from = day(1993, 7, 1);
    let to = months_after(from, 3);
    select!(((o.o_orderpriority, count(o))
        for o in Orders
        if o.o_orderdate >= from
            && o.o_orderdate < to
            && exists(l for l in LineItem if l.l_orderkey == o && l.l_commitdate < l.l_receiptdate))
        .order_by(|o| o.o_orderpriority))
}

/// Local supplier volume.
pub fn q5() -> Query<(String, f64)> {
    let from = day(1994, 1, 1);
    let to = months_after(from, 12);
    select!(((n.n_name, sum(l.l_extendedprice * (1.0 - l.l_discount)))
        for c in Customer for o in Orders for l in LineItem for s in Supplier for n in Nation for r in Region
        if o.o_custkey == c
            && l.l_orderkey == o
            && l.l_suppkey == s
            && c.c_nationkey == s.s_nationkey
            && s.s_nationkey == n
            && n.n_regionkey == r
            && r.r_name == "ASIA"
            && o.o_orderdate >= from
            && o.o_orderdate < to)
        .order_by(|(c, o, l, s, n, r)| desc(sum(l.l_extendedprice * (1.0 - l.l_discount)))))
}

/// Forecasting revenue change.
pub fn q6() -> Query<f64> {
    let from = day(1994, 1, 1);
    let to = months_after(from, 12);
    select!(sum(l.l_extendedprice * l.l_discount)
        for l in LineItem
        if l.l_shipdate >= from
            && l.l_shipdate < to
            && l.l_discount >= 0.05
            && l.l_discount <= 0.07
            && l.l_quantity < 24.0)
}

/// Volume shipping.
pub fn q7() -> Query<(String, String, i32, f64)> {
    let (from, to) = (day(1995, 1, 1), day(1996, 12, 31));
    let shipping = select!((n1.n_name, n2.n_name, l.l_shipdate.year(), l.l_extendedprice * (1.0 - l.l_discount))
        for s in Supplier for l in LineItem for o in Orders for c in Customer for n1 in Nation for n2 in Nation
        if l.l_suppkey == s
            && l.l_orderkey == o
            && o.o_custkey == c
            && s.s_nationkey == n1
            && c.c_nationkey == n2
            && ((n1.n_name == "FRANCE" && n2.n_name == "GERMANY") || (n1.n_name == "GERMANY" && n2.n_name == "FRANCE"))
            && l.l_shipdate >= from
            && l.l_shipdate <= to);
    select!(((supp_nation, cust_nation, l_year, sum(volume))
        for (supp_nation, cust_nation, l_year, volume) in shipping)
        .order_by(|(supp_nation, cust_nation, l_year, volume)| (supp_nation, cust_nation, l_year)))
}

/// National market share.
pub fn q8() -> Query<(i32, f64)> {
    let (from, to) = (day(1995, 1, 1), day(1996, 12, 31));
    let all_nations = select!((o.o_orderdate.year(), l.l_extendedprice * (1.0 - l.l_discount), n2.n_name)
        for p in Part for s in Supplier for l in LineItem for o in Orders for c in Customer
            for n1 in Nation for n2 in Nation for r in Region
        if l.l_partkey == p
            && l.l_suppkey == s
            && l.l_orderkey == o
            && o.o_custkey == c
            && c.c_nationkey == n1
            && n1.n_regionkey == r
            && r.r_name == "AMERICA"
            && s.s_nationkey == n2
            && o.o_orderdate >= from
            && o.o_orderdate <= to
            && p.p_type == "ECONOMY ANODIZED STEEL");
    select!(((o_year, sum(if nation == "BRAZIL" { volume } else { 0.0 }) / sum(volume))
        for (o_year, volume, nation) in all_nations)
        .order_by(|(o_year, volume, nation)| o_year))
}

/// Product type profit measure.
pub fn q9() -> Query<(String, i32, f64)> {
    let profit = select!((
            n.n_name,
            o.o_orderdate.year(),
            l.l_extendedprice * (1.0 - l.l_discount) - ps.ps_supplycost * l.l_quantity
        )
        for p in Part for s in Supplier for l in LineItem for ps in PartSupp for o in Orders for n in Nation
        if l.l_suppkey == s
            && ps.ps_suppkey == l.l_suppkey
            && ps.ps_partkey == l.l_partkey
            && l.l_partkey == p
            && l.l_orderkey == o
            && s.s_nationkey == n
            && p.p_name.contains("green"));
    select!(((nation, o_year, sum(amount)) for (nation, o_year, amount) in profit)
        .order_by(|(nation, o_year, amount)| (nation, desc(o_year))))
}

type Q10Row = (i64, String, f64, f64, String, String, String, String);

/// Returned item reporting.
pub fn q10() -> Query<Q10Row> {
    let from = day(1993, 10, 1);
    let to = months_after(from, 3);
    select!(((
            c.c_custkey,
            c.c_name,
            sum(l.l_extendedprice * (1.0 - l.l_discount)),
            c.c_acctbal,
            n.n_name,
            c.c_address,
            c.c_phone,
            c.c_comment
        )
        for c in Customer for o in Orders for l in LineItem for n in Nation
        if o.o_custkey == c
            && l.l_orderkey == o
            && o.o_orderdate >= from
            && o.o_orderdate < to
            && l.l_returnflag == "R"
            && c.c_nationkey == n)
        .order_by(|(c, o, l, n)| desc(sum(l.l_extendedprice * (1.0 - l.l_discount))))
        .limit(20))
}

/// Important stock identification.
pub fn q11() -> Query<(Ref<Part>, f64)> {
    select!(((ps.ps_partkey, sum(ps.ps_supplycost * ps.ps_availqty as f64))
        for ps in PartSupp for s in Supplier for n in Nation
        if ps.ps_suppkey == s
            && s.s_nationkey == n
            && n.n_name == "GERMANY"
            && sum(ps.ps_supplycost * ps.ps_availqty as f64)
                > sum(ps2.ps_supplycost * ps2.ps_availqty as f64
                    for ps2 in PartSupp for s2 in Supplier for n2 in Nation
                    if ps2.ps_suppkey == s2 && s2.s_nationkey == n2 && n2.n_name == "GERMANY")
                    * 0.0001)
        .order_by(|(ps, s, n)| desc(sum(ps.ps_supplycost * ps.ps_availqty as f64))))
}

/// Shipping modes and order priority.
pub fn q12() -> Query<(String, i32, i32)> {
    let from = day(1994, 1, 1);
    let to = months_after(from, 12);
    let modes = ["MAIL", "SHIP"];
    select!(((
            l.l_shipmode,
            sum(if o.o_orderpriority == "1-URGENT" || o.o_orderpriority == "2-HIGH" { 1 } else { 0 }),
            sum(if o.o_orderpriority != "1-URGENT" && o.o_orderpriority != "2-HIGH" { 1 } else { 0 })
        )
        for o in Orders for l in LineItem
        if l.l_orderkey == o
            && modes.contains(&l.l_shipmode)
            && l.l_commitdate < l.l_receiptdate
            && l.l_shipdate < l.l_commitdate
            && l.l_receiptdate >= from
            && l.l_receiptdate < to)
        .order_by(|(o, l)| l.l_shipmode))
}

/// Customer distribution.
pub fn q13() -> Query<(i64, i64)> {
    let c_orders = select!((c.c_custkey, count(o.o_orderkey))
        for c in Customer for o in Orders.left_join(|o| o.o_custkey == c && !o.o_comment.like("%special%requests%")));
    select!(((c_count, count(custkey)) for (custkey, c_count) in c_orders)
        .order_by(|(custkey, c_count)| (desc(count(custkey)), desc(c_count))))
}

/// Promotion effect.
pub fn q14() -> Query<f64> {
    let from = day(1995, 9, 1);
    let to = months_after(from, 1);
    select!(100.0 * sum(if p.p_type.starts_with("PROMO") { l.l_extendedprice * (1.0 - l.l_discount) } else { 0.0 })
            / sum(l.l_extendedprice * (1.0 - l.l_discount))
        for l in LineItem for p in Part
        if l.l_partkey == p && l.l_shipdate >= from && l.l_shipdate < to)
}

/// Top supplier: `revenue` is read twice, so it is one WITH.
pub fn q15() -> Query<(i64, String, String, String, f64)> {
    let from = day(1996, 1, 1);
    let to = months_after(from, 3);
    let revenue = select!((l.l_suppkey, sum(l.l_extendedprice * (1.0 - l.l_discount)))
        for l in LineItem
        if l.l_shipdate >= from && l.l_shipdate < to);
    select!(((s.s_suppkey, s.s_name, s.s_address, s.s_phone, total)
        for s in Supplier for (supplier_no, total) in revenue
        if supplier_no == s && total == max(t for (_, t) in revenue))
        .order_by(|(s, (supplier_no, total))| s.s_suppkey))
}

/// Parts/supplier relationship.
pub fn q16() -> Query<(String, String, i32, i64)> {
    let sizes = [49, 14, 23, 45, 19, 3, 36, 9];
    select!(((p.p_brand, p.p_type, p.p_size, count_distinct(ps.ps_suppkey))
        for ps in PartSupp for p in Part
        if ps.ps_partkey == p
            && p.p_brand != "Brand#45"
            && !p.p_type.starts_with("MEDIUM POLISHED")
            && sizes.contains(&p.p_size)
            && !(s for s in Supplier if s.s_comment.like("%Customer%Complaints%")).contains(&ps.ps_suppkey))
        .order_by(|(ps, p)| (desc(count_distinct(ps.ps_suppkey)), p.p_brand, p.p_type, p.p_size)))
}

/// Small-quantity-order revenue: SQL's sum (NULL for no rows), divided.
pub fn q17() -> Query<Option<f64>> {
    select!(sum_or_none(l.l_extendedprice).map(|total| total / 7.0)
        for l in LineItem for p in Part
        if l.l_partkey == p
            && p.p_brand == "Brand#23"
            && p.p_container == "MED BOX"
            && l.l_quantity < avg(l2.l_quantity for l2 in LineItem if l2.l_partkey == p).map(|a| 0.2 * a))
}

/// Large volume customer.
pub fn q18() -> Query<(String, i64, i64, NaiveDate, f64, f64)> {
    select!(((c.c_name, c.c_custkey, o.o_orderkey, o.o_orderdate, o.o_totalprice, sum(l.l_quantity))
        for c in Customer for o in Orders for l in LineItem
        if (l2.l_orderkey for l2 in LineItem if sum(l2.l_quantity) > 300.0).contains(&o)
            && o.o_custkey == c
            && l.l_orderkey == o)
        .order_by(|(c, o, l)| (desc(o.o_totalprice), o.o_orderdate))
        .limit(100))
}

/// Discounted revenue: three OR branches repeating the join and the
/// shipping conditions, as the spec writes them.
pub fn q19() -> Query<f64> {
    let (c1, c2, c3) = (
        ["SM CASE", "SM BOX", "SM PACK", "SM PKG"],
        ["MED BAG", "MED BOX", "MED PKG", "MED PACK"],
        ["LG CASE", "LG BOX", "LG PACK", "LG PKG"],
    );
    let modes = ["AIR", "AIR REG"];
    select!(sum(l.l_extendedprice * (1.0 - l.l_discount))
        for l in LineItem for p in Part
        if (l.l_partkey == p
            && p.p_brand == "Brand#12"
            && c1.contains(&p.p_container)
            && l.l_quantity >= 1.0
            && l.l_quantity <= 11.0
            && (1..=5).contains(&p.p_size)
            && modes.contains(&l.l_shipmode)
            && l.l_shipinstruct == "DELIVER IN PERSON")
            || (l.l_partkey == p
                && p.p_brand == "Brand#23"
                && c2.contains(&p.p_container)
                && l.l_quantity >= 10.0
                && l.l_quantity <= 20.0
                && (1..=10).contains(&p.p_size)
                && modes.contains(&l.l_shipmode)
                && l.l_shipinstruct == "DELIVER IN PERSON")
            || (l.l_partkey == p
                && p.p_brand == "Brand#34"
                && c3.contains(&p.p_container)
                && l.l_quantity >= 20.0
                && l.l_quantity <= 30.0
                && (1..=15).contains(&p.p_size)
                && modes.contains(&l.l_shipmode)
                && l.l_shipinstruct == "DELIVER IN PERSON"))
}

/// Potential part promotion: SQL's sum of no rows is NULL, which no
/// quantity exceeds.
pub fn q20() -> Query<(String, String)> {
    let from = day(1994, 1, 1);
    let to = months_after(from, 12);
    select!(((s.s_name, s.s_address)
        for s in Supplier for n in Nation
        if (ps.ps_suppkey
            for ps in PartSupp
            if (p for p in Part if p.p_name.starts_with("forest")).contains(&ps.ps_partkey)
                && ps.ps_availqty as f64
                    > sum_or_none(l.l_quantity
                        for l in LineItem
                        if l.l_partkey == ps.ps_partkey
                            && l.l_suppkey == ps.ps_suppkey
                            && l.l_shipdate >= from
                            && l.l_shipdate < to)
                    .map(|q| 0.5 * q))
            .contains(&s)
            && s.s_nationkey == n
            && n.n_name == "CANADA")
        .order_by(|(s, n)| s.s_name))
}

/// Suppliers who kept orders waiting.
pub fn q21() -> Query<(String, i64)> {
    select!(((s.s_name, count(l1.l_linenumber))
        for s in Supplier for l1 in LineItem for o in Orders for n in Nation
        if l1.l_suppkey == s
            && l1.l_orderkey == o
            && o.o_orderstatus == "F"
            && l1.l_receiptdate > l1.l_commitdate
            && exists(l2 for l2 in LineItem if l2.l_orderkey == l1.l_orderkey && l2.l_suppkey != l1.l_suppkey)
            && !exists(l3 for l3 in LineItem
                if l3.l_orderkey == l1.l_orderkey
                    && l3.l_suppkey != l1.l_suppkey
                    && l3.l_receiptdate > l3.l_commitdate)
            && s.s_nationkey == n
            && n.n_name == "SAUDI ARABIA")
        .order_by(|(s, l1, o, n)| (desc(count(l1.l_linenumber)), s.s_name))
        .limit(100))
}

/// Global sales opportunity.
pub fn q22() -> Query<(String, i64, f64)> {
    let codes = ["13", "31", "23", "29", "30", "18", "17"];
    let custsale = select!((substring(c.c_phone, 0, 2), c.c_acctbal)
        for c in Customer
        if codes.contains(&substring(c.c_phone, 0, 2))
            && c.c_acctbal
                > avg(c2.c_acctbal for c2 in Customer if c2.c_acctbal > 0.0 && codes.contains(&substring(c2.c_phone, 0, 2)))
            && !exists(o for o in Orders if o.o_custkey == c));
    select!(((cntrycode, count(cntrycode), sum(acctbal)) for (cntrycode, acctbal) in custsale)
        .order_by(|(cntrycode, acctbal)| cntrycode))
}
