//! The spec's SQL, run by hand with the drivers alone: each query's text
//! for each backend (`benches/tpch/qNN.<backend>.sql`), its columns read
//! by index into cells; each text is prepared once, as foal prepares its
//! statements once per connection.

use mysql::prelude::Queryable;

use super::cells::Cell;
use crate::Backend;
use crate::harness::Result;

macro_rules! texts {
    ($($n:literal),*) => {
        [$(
            [
                include_str!(concat!("../../tpch/q", $n, ".sqlite.sql")),
                include_str!(concat!("../../tpch/q", $n, ".postgres.sql")),
                include_str!(concat!("../../tpch/q", $n, ".mariadb.sql")),
            ]
        ),*]
    };
}

const TEXTS: [[&str; 3]; 22] = texts!(
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19",
    "20", "21", "22"
);

/// The spec's text of query `n` (from 1) for `backend`.
pub fn text(n: usize, backend: Backend) -> &'static str {
    let i = match backend {
        Backend::Sqlite => 0,
        Backend::Postgres => 1,
        Backend::Mysql => 2,
    };
    TEXTS
        .get(n.wrapping_sub(1))
        .map_or("", |t| t[i].trim_end().trim_end_matches(';'))
}

/// A driver connection to the database foal loaded.
pub enum Hand {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client, Vec<Option<postgres::Statement>>),
    Mysql(mysql::Conn, Vec<Option<mysql::Statement>>),
}

impl Hand {
    pub fn sqlite(path: &str) -> Result<Hand> {
        let conn = rusqlite::Connection::open(path)?;
        // As foal's connections: LIKE compares bytes.
        conn.execute_batch("PRAGMA case_sensitive_like = ON")?;
        Ok(Hand::Sqlite(conn))
    }

    pub fn postgres(url: &str, schema: &str) -> Result<Hand> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)?;
        client.batch_execute(&format!("SET search_path TO {schema}"))?;
        Ok(Hand::Postgres(client, vec![None; 22]))
    }

    pub fn mysql(url: &str) -> Result<Hand> {
        Ok(Hand::Mysql(
            mysql::Conn::new(mysql::Opts::from_url(url)?)?,
            vec![None; 22],
        ))
    }

    /// Runs query `n` and returns its rows.
    pub fn run(&mut self, n: usize) -> Result<Vec<Vec<Cell>>> {
        match self {
            Hand::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(text(n, Backend::Sqlite))?;
                let width = stmt.column_count();
                let mut rows = stmt.query([])?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    let mut cells = Vec::with_capacity(width);
                    for i in 0..width {
                        use rusqlite::types::ValueRef;
                        cells.push(match row.get_ref(i)? {
                            ValueRef::Null => Cell::Null,
                            ValueRef::Integer(v) => Cell::Int(v),
                            ValueRef::Real(v) => Cell::Float(v),
                            ValueRef::Text(t) | ValueRef::Blob(t) => {
                                Cell::Text(String::from_utf8_lossy(t).into_owned())
                            }
                        });
                    }
                    out.push(cells);
                }
                Ok(out)
            }
            Hand::Postgres(client, prepared) => {
                let slot = prepared.get_mut(n - 1).ok_or("no such query")?;
                let stmt = match slot {
                    Some(stmt) => stmt.clone(),
                    None => slot.insert(client.prepare(text(n, Backend::Postgres))?).clone(),
                };
                let rows = client.query(&stmt, &[])?;
                let mut out = Vec::with_capacity(rows.len());
                for row in &rows {
                    let mut cells = Vec::with_capacity(row.len());
                    for i in 0..row.len() {
                        cells.push(row.try_get::<_, PgCell>(i)?.0);
                    }
                    out.push(cells);
                }
                Ok(out)
            }
            Hand::Mysql(conn, prepared) => {
                let slot = prepared.get_mut(n - 1).ok_or("no such query")?;
                let stmt = match slot {
                    Some(stmt) => stmt.clone(),
                    None => slot.insert(conn.prep(text(n, Backend::Mysql))?).clone(),
                };
                let mut out = Vec::new();
                for row in conn.exec_iter(&stmt, ())? {
                    let row = row?;
                    let decimal: Vec<bool> = row
                        .columns_ref()
                        .iter()
                        .map(|c| {
                            matches!(
                                c.column_type(),
                                mysql::consts::ColumnType::MYSQL_TYPE_NEWDECIMAL
                                    | mysql::consts::ColumnType::MYSQL_TYPE_DECIMAL
                            )
                        })
                        .collect();
                    let mut cells = Vec::with_capacity(row.len());
                    for i in 0..row.len() {
                        cells.push(match row.as_ref(i) {
                            None | Some(mysql::Value::NULL) => Cell::Null,
                            Some(mysql::Value::Int(v)) => Cell::Int(*v),
                            Some(mysql::Value::UInt(v)) => Cell::Int(i64::try_from(*v)?),
                            Some(mysql::Value::Float(v)) => Cell::Float(f64::from(*v)),
                            Some(mysql::Value::Double(v)) => Cell::Float(*v),
                            Some(mysql::Value::Bytes(b)) => {
                                let text = String::from_utf8_lossy(b).into_owned();
                                if decimal.get(i).copied().unwrap_or(false) {
                                    Cell::Float(text.parse()?)
                                } else {
                                    Cell::Text(text)
                                }
                            }
                            Some(mysql::Value::Date(y, m, d, ..)) => Cell::Text(format!("{y:04}-{m:02}-{d:02}")),
                            Some(other) => Cell::Text(format!("{other:?}")),
                        });
                    }
                    out.push(cells);
                }
                Ok(out)
            }
        }
    }
}

/// Any PostgreSQL value the spec's queries return, as a cell.
struct PgCell(Cell);

impl<'a> postgres::types::FromSql<'a> for PgCell {
    fn from_sql(
        ty: &postgres::types::Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        let int = |n: usize| -> std::result::Result<i64, Box<dyn std::error::Error + Sync + Send>> {
            let bytes = raw.get(..n).ok_or("short integer")?;
            Ok(bytes.iter().fold(
                if bytes.first().is_some_and(|b| b & 0x80 != 0) {
                    -1
                } else {
                    0
                },
                |acc, b| (acc << 8) | i64::from(*b),
            ))
        };
        Ok(PgCell(match *ty {
            Type::INT2 => Cell::Int(int(2)?),
            Type::INT4 => Cell::Int(int(4)?),
            Type::INT8 => Cell::Int(int(8)?),
            Type::FLOAT4 => Cell::Float(f64::from(f32::from_be_bytes(raw.try_into()?))),
            Type::FLOAT8 => Cell::Float(f64::from_be_bytes(raw.try_into()?)),
            Type::NUMERIC => Cell::Float(numeric(raw)?),
            Type::DATE => {
                let days = int(4)?;
                let epoch = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).ok_or("epoch")?;
                let date = epoch + chrono::TimeDelta::days(days);
                Cell::Text(date.format("%Y-%m-%d").to_string())
            }
            _ => Cell::Text(std::str::from_utf8(raw)?.to_owned()),
        }))
    }

    fn from_sql_null(_: &postgres::types::Type) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(PgCell(Cell::Null))
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
}

/// A binary NUMERIC: base-10000 digits after a weight and a sign.
fn numeric(raw: &[u8]) -> std::result::Result<f64, Box<dyn std::error::Error + Sync + Send>> {
    let word = |i: usize| -> std::result::Result<i32, Box<dyn std::error::Error + Sync + Send>> {
        let b = raw.get(i * 2..i * 2 + 2).ok_or("short numeric")?;
        Ok(i32::from(i16::from_be_bytes([b[0], b[1]])))
    };
    let (digits, weight, sign) = (word(0)?, word(1)?, word(2)? as u16);
    let mut value = 0.0_f64;
    for i in 0..digits {
        let digit = f64::from(word(4 + usize::try_from(i)?)?);
        value += digit * 10_000_f64.powi(weight - i);
    }
    Ok(if sign == 0x4000 { -value } else { value })
}
