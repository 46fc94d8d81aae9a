//! The eight TPC-H tables as foal entities. Table and column names are the
//! spec's, so the spec's SQL runs on the tables foal creates; keys that
//! reference another table are `Ref`s (foal indexes each of them). Money
//! and quantities are `f64` on every backend (SQLite has no exact decimal),
//! dates are `NaiveDate`.

use chrono::NaiveDate;
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "region")]
pub struct Region {
    #[foal(primary_key)]
    pub r_regionkey: i64,
    pub r_name: String,
    pub r_comment: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "nation")]
pub struct Nation {
    #[foal(primary_key)]
    pub n_nationkey: i64,
    pub n_name: String,
    pub n_regionkey: Ref<Region>,
    pub n_comment: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "supplier")]
pub struct Supplier {
    #[foal(primary_key)]
    pub s_suppkey: i64,
    pub s_name: String,
    pub s_address: String,
    pub s_nationkey: Ref<Nation>,
    pub s_phone: String,
    pub s_acctbal: f64,
    pub s_comment: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "customer")]
pub struct Customer {
    #[foal(primary_key)]
    pub c_custkey: i64,
    pub c_name: String,
    pub c_address: String,
    pub c_nationkey: Ref<Nation>,
    pub c_phone: String,
    pub c_acctbal: f64,
    pub c_mktsegment: String,
    pub c_comment: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "part")]
pub struct Part {
    #[foal(primary_key)]
    pub p_partkey: i64,
    pub p_name: String,
    pub p_mfgr: String,
    pub p_brand: String,
    pub p_type: String,
    pub p_size: i32,
    pub p_container: String,
    pub p_retailprice: f64,
    pub p_comment: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "partsupp")]
pub struct PartSupp {
    #[foal(primary_key)]
    pub ps_partkey: Ref<Part>,
    #[foal(primary_key)]
    pub ps_suppkey: Ref<Supplier>,
    pub ps_availqty: i32,
    pub ps_supplycost: f64,
    pub ps_comment: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "orders")]
pub struct Orders {
    #[foal(primary_key)]
    pub o_orderkey: i64,
    pub o_custkey: Ref<Customer>,
    pub o_orderstatus: String,
    pub o_totalprice: f64,
    pub o_orderdate: NaiveDate,
    pub o_orderpriority: String,
    pub o_clerk: String,
    pub o_shippriority: i32,
    pub o_comment: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "lineitem")]
pub struct LineItem {
    #[foal(primary_key)]
    pub l_orderkey: Ref<Orders>,
    pub l_partkey: Ref<Part>,
    pub l_suppkey: Ref<Supplier>,
    #[foal(primary_key)]
    pub l_linenumber: i32,
    pub l_quantity: f64,
    pub l_extendedprice: f64,
    pub l_discount: f64,
    pub l_tax: f64,
    pub l_returnflag: String,
    pub l_linestatus: String,
    pub l_shipdate: NaiveDate,
    pub l_commitdate: NaiveDate,
    pub l_receiptdate: NaiveDate,
    pub l_shipinstruct: String,
    pub l_shipmode: String,
    pub l_comment: String,
}
