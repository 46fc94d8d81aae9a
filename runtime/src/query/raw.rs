//! Raw SQL, when nothing else will do: `?` placeholders on every backend,
//! values always bound.
//!
//! ```
//! # use foal::prelude::*;
//! # fn main() -> foal::Result<()> {
//! let db = Database::open("sqlite::memory:")?;
//! db.execute_sql("CREATE TABLE t (id INTEGER, name TEXT)")?;
//! let n = raw("INSERT INTO t VALUES (?, ?), (?, ?)").bind(&1).bind("one").bind(&2).bind("two").execute(&db)?;
//! assert_eq!(n, 2);
//! let rows: Vec<(i64, String)> = raw("SELECT id, name FROM t WHERE id > ? ORDER BY id").bind(&0).fetch_all(&db)?;
//! assert_eq!(rows, vec![(1, "one".to_string()), (2, "two".to_string())]);
//! # Ok(()) }
//! ```
//!
//! The text is scanned once per dialect (and cached by it, so each
//! connection prepares it once): `?` outside quoted text, quoted names and
//! comments is a placeholder (`$n` on PostgreSQL), `??` is a `?` of the
//! SQL itself (PostgreSQL's jsonb operators). The number of values bound
//! must be the number of placeholders, checked before anything is sent.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock};

use crate::dialects::{Bind, Dialect, Rendered, Type};
use crate::driver::Decoder;
use crate::entity::Entity;
use crate::error::{CallSite, DecodeError, Error, Result};
use crate::exec::Executor;
use crate::types::{DecodeRow, FromRow, RowAccess, ToValue, Value};

/// A raw statement and the values bound to it; `T` is its row type.
pub struct Raw<T> {
    sql: Arc<str>,
    params: Vec<Value>,
    /// The SQL type of each value bound (PostgreSQL's placeholders carry
    /// it: `$1::int8`, so the server never has to guess).
    types: Vec<Type>,
    at: CallSite,
    _t: PhantomData<fn() -> T>,
}

/// A raw statement: `raw::<T>(sql)` for rows of `T` (a column type, a tuple,
/// or an entity read by column name), `raw(sql)` with `.execute(..)` for a
/// statement without rows.
#[track_caller]
pub fn raw<T>(sql: &str) -> Raw<T> {
    Raw {
        sql: Arc::from(sql),
        params: Vec::new(),
        types: Vec::new(),
        at: CallSite::caller(),
        _t: PhantomData,
    }
}

impl<T> Raw<T> {
    /// Binds the value of the next `?`.
    #[must_use]
    pub fn bind<V: ToValue + ?Sized>(mut self, value: &V) -> Raw<T> {
        self.params.push(value.to_value());
        self.types.push(V::TYPE);
        self
    }

    /// The SQL as `dialect` receives it, and the statement foal caches.
    fn rendered(&self, dialect: Dialect) -> Result<Arc<Rendered>> {
        let (rendered, placeholders) = cached(dialect, &self.sql, &self.types);
        if placeholders != self.params.len() {
            return Err(Error::Usage {
                message: format!(
                    "the SQL has {placeholders} placeholder{} and {} value{} {} bound",
                    if placeholders == 1 { "" } else { "s" },
                    self.params.len(),
                    if self.params.len() == 1 { "" } else { "s" },
                    if self.params.len() == 1 { "was" } else { "were" },
                ),
                site: self.at,
            });
        }
        Ok(rendered)
    }

    /// The text sent to `dialect` (placeholders `$n` on PostgreSQL).
    pub fn sql(&self, dialect: Dialect) -> String {
        cached(dialect, &self.sql, &self.types).0.sql.clone()
    }
}

/// Rows of `T` as a raw query reads them: by position, an entity by the
/// names of its columns.
struct ByName<T>(PhantomData<fn() -> T>);

impl<T: FromRow + 'static> DecodeRow for ByName<T> {
    type Row = T;
    #[inline]
    fn decode<R: RowAccess + ?Sized>(row: &R, _: &mut usize) -> std::result::Result<T, DecodeError> {
        T::from_raw_row(row)
    }
}

impl<T: FromRow + 'static> Raw<T> {
    /// Every row.
    ///
    /// # Errors
    /// [`Error::Usage`] when the values bound do not match the placeholders,
    /// a database error, or a row that cannot be read as `T`.
    pub fn fetch_all(&self, ex: &impl Executor) -> Result<Vec<T>> {
        self.rows(ex, None)
    }

    /// The only row.
    ///
    /// # Errors
    /// As [`fetch_all`](Self::fetch_all); [`Error::NotFound`] for no row,
    /// [`Error::TooManyRows`] for more than one.
    pub fn fetch_one(&self, ex: &impl Executor) -> Result<T> {
        self.fetch_optional(ex)?.ok_or(Error::NotFound { site: self.at })
    }

    /// The only row, or `None`.
    ///
    /// # Errors
    /// As [`fetch_all`](Self::fetch_all); [`Error::TooManyRows`] for more
    /// than one row.
    pub fn fetch_optional(&self, ex: &impl Executor) -> Result<Option<T>> {
        let mut rows = self.rows(ex, Some(2))?;
        if rows.len() > 1 {
            return Err(Error::TooManyRows { site: self.at });
        }
        Ok(rows.pop())
    }

    fn rows(&self, ex: &impl Executor, max: Option<usize>) -> Result<Vec<T>> {
        let rendered = self.rendered(ex.dialect())?;
        let decoder = Decoder::<T>::of::<ByName<T>>();
        let mut out = Vec::new();
        // Not retried on a fresh connection: raw SQL may write.
        ex.run(self.at, |conn| {
            out.clear();
            conn.query_into(&rendered, &self.params, &decoder, max, self.at, &mut out)
        })?;
        Ok(out)
    }
}

impl Raw<()> {
    /// Runs a statement without rows; returns the rows it affected (on
    /// MySQL, the rows it changed).
    ///
    /// # Errors
    /// [`Error::Usage`] when the values bound do not match the placeholders,
    /// or a database error.
    pub fn execute(&self, ex: &impl Executor) -> Result<u64> {
        let rendered = self.rendered(ex.dialect())?;
        ex.run(self.at, |conn| conn.execute(&rendered, &self.params, self.at))
    }
}

/// The rendering of `sql` for `dialect` and its number of placeholders,
/// scanned once: the `Rendered`'s id keys each connection's prepared
/// statement, so the same text is prepared once per connection.
fn cached(dialect: Dialect, sql: &str, types: &[Type]) -> (Arc<Rendered>, usize) {
    type Cache = lru::LruCache<(Dialect, String, Vec<Type>), (Arc<Rendered>, usize)>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(lru::LruCache::new(std::num::NonZeroUsize::MIN.saturating_add(511))));
    // The types matter only where placeholders spell them.
    let typed = if dialect == Dialect::Postgres {
        types.to_vec()
    } else {
        Vec::new()
    };
    let key = (dialect, sql.to_owned(), typed);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let (text, placeholders) = placeholders(dialect, sql, types);
    let binds = (0..placeholders)
        .map(|i| Bind::Param(u16::try_from(i).unwrap_or(u16::MAX)))
        .collect();
    let entry = (Arc::new(Rendered::raw(text, binds)), placeholders);
    cache.lock().unwrap_or_else(|e| e.into_inner()).put(key, entry.clone());
    entry
}

/// `sql` with its placeholders in `dialect`'s spelling, and how many there
/// are. Quoted text (`'…'`, `E'…'` with its backslash escapes, `$tag$…$tag$`
/// on PostgreSQL), quoted names (`"…"`, `` `…` ``) and comments (`--`,
/// `/* … */`, and `#` on MySQL) are copied as they are.
pub(crate) fn placeholders(dialect: Dialect, sql: &str, types: &[Type]) -> (String, usize) {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut i = 0;
    let copy_until = |out: &mut String, i: &mut usize, end: &dyn Fn(&[char], usize) -> Option<usize>| {
        while *i < chars.len() {
            if let Some(len) = end(&chars, *i) {
                out.extend(&chars[*i..*i + len]);
                *i += len;
                return;
            }
            out.push(chars[*i]);
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '?' if next == Some('?') => {
                out.push('?');
                i += 2;
            }
            '?' => {
                n += 1;
                if dialect == Dialect::Postgres {
                    out.push('$');
                    out.push_str(&n.to_string());
                    if let Some(ty) = types.get(n - 1) {
                        out.push_str("::");
                        out.push_str(dialect.provider().cast_type(*ty));
                    }
                } else {
                    out.push('?');
                }
                i += 1;
            }
            '\'' => {
                // `E'…'` (PostgreSQL) escapes with backslashes; MySQL's do
                // not in foal's sessions (`NO_BACKSLASH_ESCAPES`).
                let escapes = i > 0 && matches!(chars[i - 1], 'E' | 'e') && dialect == Dialect::Postgres;
                out.push(c);
                i += 1;
                while i < chars.len() {
                    let d = chars[i];
                    out.push(d);
                    i += 1;
                    if d == '\\' && escapes && i < chars.len() {
                        out.push(chars[i]);
                        i += 1;
                    } else if d == '\'' {
                        if chars.get(i) == Some(&'\'') {
                            out.push('\'');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            '"' | '`' => {
                out.push(c);
                i += 1;
                copy_until(&mut out, &mut i, &|s, j| (s[j] == c).then_some(1));
            }
            '-' if next == Some('-') => copy_until(&mut out, &mut i, &|s, j| (s[j] == '\n').then_some(1)),
            '#' if dialect == Dialect::Mysql => copy_until(&mut out, &mut i, &|s, j| (s[j] == '\n').then_some(1)),
            '/' if next == Some('*') => {
                out.push_str("/*");
                i += 2;
                let mut depth = 1;
                while i < chars.len() && depth > 0 {
                    if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        out.push_str("*/");
                        i += 2;
                    } else if chars[i] == '/' && chars.get(i + 1) == Some(&'*') && dialect == Dialect::Postgres {
                        depth += 1;
                        out.push_str("/*");
                        i += 2;
                    } else {
                        out.push(chars[i]);
                        i += 1;
                    }
                }
            }
            '$' if dialect == Dialect::Postgres => {
                // `$tag$ … $tag$`: a tag of letters, digits and `_`, not
                // starting with a digit (`$1` is a parameter).
                let tag_end = chars[i + 1..]
                    .iter()
                    .position(|d| !(d.is_alphanumeric() || *d == '_'))
                    .map(|p| i + 1 + p);
                match tag_end {
                    Some(e) if chars[e] == '$' && !chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                        let tag: Vec<char> = chars[i..=e].to_vec();
                        out.extend(&tag);
                        i = e + 1;
                        copy_until(&mut out, &mut i, &|s, j| s[j..].starts_with(&tag).then_some(tag.len()));
                    }
                    _ => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    (out, n)
}

/// An entity of a raw query's row, its columns found by name: extra
/// columns are ignored, a missing one is a decode error.
#[doc(hidden)]
pub fn entity_by_name<E: Entity, R: RowAccess + ?Sized>(row: &R) -> std::result::Result<E, DecodeError> {
    let names: Vec<String> = (0..).map_while(|i| row.column_name(i)).collect();
    let columns = &E::meta().columns;
    let mut map = Vec::with_capacity(columns.len());
    for c in columns {
        match names.iter().position(|n| *n == c.name) {
            Some(i) => map.push(i),
            None => {
                return Err(DecodeError::new(
                    0,
                    format!(
                        "the row has no column `{}` for {} (it has {})",
                        c.name,
                        E::NAME,
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    E::from_row(&Remapped { row, map: &map }, &mut 0)
}

/// A row read through a map from the columns asked for to the row's own.
struct Remapped<'a, R: ?Sized> {
    row: &'a R,
    map: &'a [usize],
}

impl<R: RowAccess + ?Sized> Remapped<'_, R> {
    fn at(&self, i: usize) -> usize {
        self.map.get(i).copied().unwrap_or(usize::MAX)
    }
}

impl<R: RowAccess + ?Sized> RowAccess for Remapped<'_, R> {
    fn get_bool(&self, i: usize) -> std::result::Result<Option<bool>, DecodeError> {
        self.row.get_bool(self.at(i))
    }
    fn get_i64(&self, i: usize) -> std::result::Result<Option<i64>, DecodeError> {
        self.row.get_i64(self.at(i))
    }
    fn get_f64(&self, i: usize) -> std::result::Result<Option<f64>, DecodeError> {
        self.row.get_f64(self.at(i))
    }
    fn get_string(&self, i: usize) -> std::result::Result<Option<String>, DecodeError> {
        self.row.get_string(self.at(i))
    }
    fn get_bytes(&self, i: usize) -> std::result::Result<Option<Vec<u8>>, DecodeError> {
        self.row.get_bytes(self.at(i))
    }
    #[cfg(feature = "chrono")]
    fn get_date(&self, i: usize) -> std::result::Result<Option<::chrono::NaiveDate>, DecodeError> {
        self.row.get_date(self.at(i))
    }
    #[cfg(feature = "chrono")]
    fn get_datetime(&self, i: usize) -> std::result::Result<Option<::chrono::NaiveDateTime>, DecodeError> {
        self.row.get_datetime(self.at(i))
    }
    #[cfg(feature = "chrono")]
    fn get_timestamp(&self, i: usize) -> std::result::Result<Option<::chrono::DateTime<::chrono::Utc>>, DecodeError> {
        self.row.get_timestamp(self.at(i))
    }
    #[cfg(feature = "decimal")]
    fn get_decimal(&self, i: usize) -> std::result::Result<Option<::rust_decimal::Decimal>, DecodeError> {
        self.row.get_decimal(self.at(i))
    }
    #[cfg(feature = "json")]
    fn get_json(&self, i: usize) -> std::result::Result<Option<::serde_json::Value>, DecodeError> {
        self.row.get_json(self.at(i))
    }
    #[cfg(feature = "uuid")]
    fn get_uuid(&self, i: usize) -> std::result::Result<Option<::uuid::Uuid>, DecodeError> {
        self.row.get_uuid(self.at(i))
    }
    fn column_name(&self, i: usize) -> Option<String> {
        self.row.column_name(self.at(i))
    }
    fn is_null(&self, i: usize) -> bool {
        self.row.is_null(self.at(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_outside_quotes_and_comments_are_counted() {
        let sql = "SELECT '?', \"a?\", `b?` FROM t WHERE x = ? -- what?\n AND y = ? /* ? */ AND z ?? 'k' AND w = ?";
        let (pg, n) = placeholders(Dialect::Postgres, sql, &[]);
        assert_eq!(n, 3);
        assert!(
            pg.contains("x = $1") && pg.contains("y = $2") && pg.contains("w = $3"),
            "{pg}"
        );
        assert!(pg.contains("z ? 'k'"), "{pg}");
        assert!(
            pg.contains("'?'") && pg.contains("-- what?") && pg.contains("/* ? */"),
            "{pg}"
        );
        let (sqlite, n) = placeholders(Dialect::Sqlite, sql, &[]);
        assert_eq!(n, 3);
        assert!(sqlite.contains("x = ? ") && sqlite.contains("w = ?"), "{sqlite}");
        // PostgreSQL: dollar quotes, nested comments, E'' escapes.
        let (pg, n) = placeholders(
            Dialect::Postgres,
            "SELECT $$ ? $$, $t$ ? $t$, E'\\' ?', /* a /* ? */ ? */ ? FROM t WHERE id = $1",
            &[Type::I64],
        );
        assert_eq!(n, 1, "{pg}");
        assert!(pg.ends_with("*/ $1::int8 FROM t WHERE id = $1"), "{pg}");
        // MySQL: `''` in quotes, `#` comments.
        let (my, n) = placeholders(Dialect::Mysql, "SELECT 'it''s ?', ? # and ?\n, ?", &[]);
        assert_eq!(n, 2, "{my}");
        // An unterminated quote copies the rest.
        assert_eq!(placeholders(Dialect::Sqlite, "SELECT 'x ? ", &[]).1, 0);
    }
}
