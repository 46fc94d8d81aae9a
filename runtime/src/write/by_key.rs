//! Reading, updating and deleting one row by its primary key (and its
//! version, for an entity with a `#[foal(version)]` field).

use crate::dialects::{self as sql, BinaryOp, Statement};
use crate::driver::Decoder;
use crate::entity::Entity;
use crate::error::{CallSite, Error, Result};
use crate::exec::Executor;
use crate::query::memo::{ByKey, select_rows, statements};
use crate::types::{ToValues, Value, Whole};

use super::keys::{key_filter, key_text, key_values, param};

/// The row with the given key.
pub(crate) fn get<E: Entity>(ex: &impl Executor, key: &E::Key, site: CallSite) -> Result<Option<E>> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let rendered = statements(meta).by_key(ByKey::Get, dialect, || {
        select_rows(meta, key_filter(meta, "t", 0, false))
    });
    let mut params = Vec::new();
    key.push_values(&mut params);
    let mut rows = ex.run_read(site, |c| {
        c.query(rendered, &params, &Decoder::<E>::of::<Whole<E>>(), Some(1), site)
    })?;
    Ok(rows.pop())
}

/// Updates every non-key column of the row with `value`'s key. With a
/// version field, only if the stored version is `value`'s, and increments it.
pub(crate) fn update<E: Entity + Clone>(ex: &impl Executor, value: &E, site: CallSite) -> Result<E> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let version = meta.version_column();
    let settable: Vec<usize> = (0..meta.columns.len())
        .filter(|&i| !meta.columns[i].primary_key && !meta.columns[i].auto && Some(i) != version)
        .collect();
    let rendered = statements(meta).by_key(ByKey::Update, dialect, || {
        let mut set: Vec<(String, sql::Expr)> = settable
            .iter()
            .enumerate()
            .map(|(n, &c)| (meta.columns[c].name.clone(), param(n, &meta.columns[c])))
            .collect();
        if let Some(v) = version {
            let name = meta.columns[v].name.clone();
            let bumped = sql::Expr::binary(BinaryOp::Add, sql::Expr::column("t", name.clone()), sql::Expr::int(1));
            set.push((name, bumped));
        }
        Statement::Update(sql::Update {
            table: meta.table.to_owned(),
            alias: "t".to_owned(),
            set,
            from: Vec::new(),
            filter: Some(key_filter(meta, "t", settable.len(), version.is_some())),
        })
    });
    let mut all = Vec::with_capacity(meta.columns.len());
    value.push_values(&mut all);
    let mut params: Vec<Value> = settable.iter().map(|&c| all[c].clone()).collect();
    params.extend(key_values(value));
    if let Some(v) = version {
        params.push(all[v].clone());
    }
    let changed = ex.run(site, |c| c.execute(rendered, &params, site))?;
    if changed == 0 {
        return Err(missing::<E>(value, version.is_some(), site));
    }
    let mut updated = value.clone();
    if let Some(v) = value.version() {
        updated.set_version(v + 1);
    }
    Ok(updated)
}

fn missing<E: Entity>(value: &E, versioned: bool, site: CallSite) -> Error {
    if versioned {
        Error::Conflict {
            entity: E::NAME,
            key: key_text(value),
            site,
        }
    } else {
        Error::NotFound { site }
    }
}

/// Deletes the row with `value`'s key (and version, if it has one).
pub(crate) fn delete<E: Entity>(ex: &impl Executor, value: &E, site: CallSite) -> Result<u64> {
    let meta = E::meta();
    let dialect = ex.dialect();
    let version = meta.version_column();
    let rendered = statements(meta).by_key(ByKey::Delete, dialect, || {
        Statement::Delete(sql::Delete {
            table: meta.table.to_owned(),
            alias: "t".to_owned(),
            from: Vec::new(),
            filter: Some(key_filter(meta, "t", 0, version.is_some())),
        })
    });
    let mut params = key_values(value);
    if let Some(v) = version {
        let mut all = Vec::with_capacity(meta.columns.len());
        value.push_values(&mut all);
        params.push(all[v].clone());
    }
    let deleted = ex.run(site, |c| c.execute(rendered, &params, site))?;
    if deleted == 0 && version.is_some() {
        return Err(missing::<E>(value, true, site));
    }
    Ok(deleted)
}
