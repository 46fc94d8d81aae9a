//! TPC-H data from `tpchgen` (the spec's dbgen, in Rust), written through
//! foal's `insert_all`.

use chrono::NaiveDate;
use foal::{Database, Ref};
use tpchgen::dates::TPCHDate;
use tpchgen::generators::{
    CustomerGenerator, LineItemGenerator, NationGenerator, OrderGenerator, PartGenerator, PartSuppGenerator,
    RegionGenerator, SupplierGenerator,
};

use super::schema::{Customer, LineItem, Nation, Orders, Part, PartSupp, Region, Supplier};

fn date(d: TPCHDate) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Days::new(u64::try_from(d.to_unix_epoch()).unwrap_or(0))
}

/// Creates the tables and fills them with the data of scale factor `sf`
/// (0.01: 60 175 line items); returns the number of rows written.
pub fn load(db: &Database, sf: f64) -> foal::Result<usize> {
    db.create_table::<Region>()?;
    db.create_table::<Nation>()?;
    db.create_table::<Supplier>()?;
    db.create_table::<Customer>()?;
    db.create_table::<Part>()?;
    db.create_table::<PartSupp>()?;
    db.create_table::<Orders>()?;
    db.create_table::<LineItem>()?;
    let mut rows = 0;
    rows += db
        .insert_keys(
            RegionGenerator::new(sf, 1, 1)
                .iter()
                .map(|r| Region {
                    r_regionkey: r.r_regionkey,
                    r_name: r.r_name.to_string(),
                    r_comment: r.r_comment.to_string(),
                })
                .collect(),
        )?
        .len();
    rows += db
        .insert_keys(
            NationGenerator::new(sf, 1, 1)
                .iter()
                .map(|n| Nation {
                    n_nationkey: n.n_nationkey,
                    n_name: n.n_name.to_string(),
                    n_regionkey: Ref::new(n.n_regionkey),
                    n_comment: n.n_comment.to_string(),
                })
                .collect(),
        )?
        .len();
    rows += db
        .insert_keys(
            SupplierGenerator::new(sf, 1, 1)
                .iter()
                .map(|s| Supplier {
                    s_suppkey: s.s_suppkey,
                    s_name: s.s_name.to_string(),
                    s_address: s.s_address.to_string(),
                    s_nationkey: Ref::new(s.s_nationkey),
                    s_phone: s.s_phone.to_string(),
                    s_acctbal: s.s_acctbal.as_f64(),
                    s_comment: s.s_comment.to_string(),
                })
                .collect(),
        )?
        .len();
    rows += db
        .insert_keys(
            CustomerGenerator::new(sf, 1, 1)
                .iter()
                .map(|c| Customer {
                    c_custkey: c.c_custkey,
                    c_name: c.c_name.to_string(),
                    c_address: c.c_address.to_string(),
                    c_nationkey: Ref::new(c.c_nationkey),
                    c_phone: c.c_phone.to_string(),
                    c_acctbal: c.c_acctbal.as_f64(),
                    c_mktsegment: c.c_mktsegment.to_string(),
                    c_comment: c.c_comment.to_string(),
                })
                .collect(),
        )?
        .len();
    rows += db
        .insert_keys(
            PartGenerator::new(sf, 1, 1)
                .iter()
                .map(|p| Part {
                    p_partkey: p.p_partkey,
                    p_name: p.p_name.to_string(),
                    p_mfgr: p.p_mfgr.to_string(),
                    p_brand: p.p_brand.to_string(),
                    p_type: p.p_type.to_string(),
                    p_size: p.p_size,
                    p_container: p.p_container.to_string(),
                    p_retailprice: p.p_retailprice.as_f64(),
                    p_comment: p.p_comment.to_string(),
                })
                .collect(),
        )?
        .len();
    rows += db
        .insert_keys(
            PartSuppGenerator::new(sf, 1, 1)
                .iter()
                .map(|ps| PartSupp {
                    ps_partkey: Ref::new(ps.ps_partkey),
                    ps_suppkey: Ref::new(ps.ps_suppkey),
                    ps_availqty: ps.ps_availqty,
                    ps_supplycost: ps.ps_supplycost.as_f64(),
                    ps_comment: ps.ps_comment.to_string(),
                })
                .collect(),
        )?
        .len();
    rows += db
        .insert_keys(
            OrderGenerator::new(sf, 1, 1)
                .iter()
                .map(|o| Orders {
                    o_orderkey: o.o_orderkey,
                    o_custkey: Ref::new(o.o_custkey),
                    o_orderstatus: o.o_orderstatus.as_str().to_owned(),
                    o_totalprice: o.o_totalprice.as_f64(),
                    o_orderdate: date(o.o_orderdate),
                    o_orderpriority: o.o_orderpriority.to_string(),
                    o_clerk: o.o_clerk.to_string(),
                    o_shippriority: o.o_shippriority,
                    o_comment: o.o_comment.to_string(),
                })
                .collect(),
        )?
        .len();
    rows += db
        .insert_keys(
            LineItemGenerator::new(sf, 1, 1)
                .iter()
                .map(|l| LineItem {
                    l_orderkey: Ref::new(l.l_orderkey),
                    l_partkey: Ref::new(l.l_partkey),
                    l_suppkey: Ref::new(l.l_suppkey),
                    l_linenumber: l.l_linenumber,
                    l_quantity: l.l_quantity as f64,
                    l_extendedprice: l.l_extendedprice.as_f64(),
                    l_discount: l.l_discount.as_f64(),
                    l_tax: l.l_tax.as_f64(),
                    l_returnflag: l.l_returnflag.to_string(),
                    l_linestatus: l.l_linestatus.to_string(),
                    l_shipdate: date(l.l_shipdate),
                    l_commitdate: date(l.l_commitdate),
                    l_receiptdate: date(l.l_receiptdate),
                    l_shipinstruct: l.l_shipinstruct.to_string(),
                    l_shipmode: l.l_shipmode.to_string(),
                    l_comment: l.l_comment.to_string(),
                })
                .collect(),
        )?
        .len();
    Ok(rows)
}
