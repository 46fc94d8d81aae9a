//! Prints the SQL foal sends for a TPC-H query, with its values written in:
//! `tpch_sql 8 postgres`.
fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let dialects: Vec<foal::Dialect> = match args.next().as_deref() {
        Some("sqlite") => vec![foal::Dialect::Sqlite],
        Some("postgres") => vec![foal::Dialect::Postgres],
        Some("mysql") => vec![foal::Dialect::Mysql],
        _ => foal::Dialect::ALL.to_vec(),
    };
    for (i, q) in foal_benches::tpch::queries::all() {
        if i == n {
            for d in &dialects {
                println!("{}", q.sql_inline(*d));
            }
        }
    }
}
