//! Upserts: insert a row, or overwrite the one with the same primary key
//! or unique field.

use crate::dialects::{Dialect, Insert, OnConflict, Statement};
use crate::driver::Decoder;
use crate::entity::{Entity, EntityMeta};
use crate::error::{CallSite, Error, Result};
use crate::exec::Executor;
use crate::query::memo::{UpsertStatements, select_rows, statements};
use crate::types::{Value, Whole};

use super::keys::{columns_equal, param};

/// The conflict target of an upsert: a field of the entity (`|c| c.email`)
/// or a tuple of fields (`|c| (c.owner, c.currency)`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not name fields of the entity",
    label = "return a field (`|c| c.email`) or a tuple of fields",
    note = "the fields must be the primary key or a `#[foal(unique)]` field"
)]
pub trait ConflictKey {
    /// Appends the field numbers.
    fn fields(&self, out: &mut Vec<usize>);
}

impl<T: ?Sized> ConflictKey for crate::entity::Field<T> {
    fn fields(&self, out: &mut Vec<usize>) {
        out.push(self.index());
    }
}

macro_rules! conflict_tuple {
    ($($t:ident $i:tt),*) => {
        impl<$($t: ConflictKey),*> ConflictKey for ($($t,)*) {
            fn fields(&self, out: &mut Vec<usize>) {
                $(self.$i.fields(out);)*
            }
        }
    };
}
conflict_tuple!(A 0, B 1);
conflict_tuple!(A 0, B 1, C 2);
conflict_tuple!(A 0, B 1, C 2, D 3);

fn upsert_statements(meta: &EntityMeta, target: &[usize], by_key: bool, dialect: Dialect) -> UpsertStatements {
    // Upserting by key writes the key given; by another unique key, a new
    // row gets a generated key.
    let inserted: Vec<usize> = (0..meta.columns.len())
        .filter(|&i| by_key || !meta.columns[i].auto)
        .collect();
    let version = meta.version_column();
    let update = inserted
        .iter()
        .filter(|&&i| !meta.columns[i].primary_key && !target.contains(&i) && Some(i) != version)
        .map(|&i| meta.columns[i].name.clone())
        .collect();
    let returning = if dialect.provider().capabilities().returning {
        meta.columns.iter().map(|c| c.name.clone()).collect()
    } else {
        Vec::new()
    };
    let statement = Statement::Insert(Insert {
        table: meta.table.to_owned(),
        columns: inserted.iter().map(|&i| meta.columns[i].name.clone()).collect(),
        rows: vec![
            inserted
                .iter()
                .enumerate()
                .map(|(n, &i)| param(n, &meta.columns[i]))
                .collect(),
        ],
        on_conflict: Some(OnConflict {
            target: target.iter().map(|&i| meta.columns[i].name.clone()).collect(),
            update,
            bump: version.map(|v| meta.columns[v].name.clone()),
        }),
        returning,
    });
    UpsertStatements {
        upsert: dialect.render(&statement),
        read_back: dialect.render(&select_rows(meta, columns_equal(meta, "t", target, 0))),
        inserted,
    }
}

/// Inserts `value`, or updates the row that has the same values in the
/// fields `fields` (the primary key or a unique field); returns the row as
/// stored, with its generated key and version.
pub(crate) fn upsert<E: Entity>(ex: &impl Executor, value: E, fields: &[usize], site: CallSite) -> Result<E> {
    let meta = E::meta();
    let target: Vec<usize> = fields
        .iter()
        .flat_map(|&f| meta.fields.get(f).map(|f| f.columns.clone()).unwrap_or(0..0))
        .collect();
    let mut sorted_target = target.clone();
    sorted_target.sort_unstable();
    let mut key = meta.key.clone();
    key.sort_unstable();
    let by_key = sorted_target == key;
    let unique = fields.len() == 1 && target.iter().all(|&c| meta.columns[c].unique);
    if target.is_empty() || !(by_key || unique) {
        let names: Vec<&str> = fields
            .iter()
            .filter_map(|&f| meta.fields.get(f).map(|f| f.name))
            .collect();
        return Err(Error::Usage {
            message: format!(
                "an upsert of {} must be keyed by its primary key or by one #[foal(unique)] field, not by ({})",
                E::NAME,
                names.join(", ")
            ),
            site,
        });
    }
    let dialect = ex.dialect();
    let statements = statements(meta).upsert(&target, dialect, || upsert_statements(meta, &target, by_key, dialect));
    let mut all = Vec::with_capacity(meta.columns.len());
    value.push_values(&mut all);
    let params: Vec<Value> = statements.inserted.iter().map(|&i| all[i].clone()).collect();
    let lookup: Vec<Value> = target.iter().map(|&i| all[i].clone()).collect();
    let decoder = Decoder::<E>::of::<Whole<E>>();
    let stored = if dialect.provider().capabilities().returning {
        ex.run(site, |c| {
            let mut rows = c.query(&statements.upsert, &params, &decoder, Some(1), site)?;
            match rows.pop() {
                Some(row) => Ok(Some(row)),
                // Nothing to update (every column is in the key): the row
                // was left as it is, so read it.
                None => Ok(c.query(&statements.read_back, &lookup, &decoder, Some(1), site)?.pop()),
            }
        })?
    } else {
        ex.atomic(site, |c| {
            c.execute(&statements.upsert, &params, site)?;
            Ok(c.query(&statements.read_back, &lookup, &decoder, Some(1), site)?.pop())
        })?
    };
    stored.ok_or(Error::NotFound { site })
}
