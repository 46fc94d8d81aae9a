//! `uuid::Uuid` columns (feature `uuid`): as a primary key, a reference's
//! target, a plain and an optional field, a parameter, in `==`, `<` and
//! ORDER BY (bytewise on every backend, as `Uuid`'s `Ord`), IN lists short
//! and long, GROUP BY and projections, each checked against
//! the same computation in plain Rust on every backend.

use std::collections::BTreeMap;

use foal::prelude::*;
use foal::uuid::Uuid;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Device {
    #[foal(primary_key)]
    pub id: Uuid,
    pub name: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Reading {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub device: Ref<Device>,
    pub token: Uuid,
    pub parent: Option<Uuid>,
}

/// Spread over the whole range, first bytes above and below 0x80 (a
/// signed-byte comparison would order those differently).
fn uuid(i: u64) -> Uuid {
    let high = u128::from(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    Uuid::from_u128((high << 64) | u128::from(i))
}

fn setup(db: &Database) -> foal::Result<(Vec<Device>, Vec<Reading>)> {
    db.create_table::<Device>()?;
    db.create_table::<Reading>()?;
    let devices: Vec<Device> = (0..6)
        .map(|i| Device {
            id: uuid(100 + i),
            name: format!("device {i}"),
        })
        .collect();
    db.insert_all(devices.clone())?;
    let readings: Vec<Reading> = (0..40u64)
        .map(|i| Reading {
            id: i as i64 + 1,
            device: Ref::new(devices[(i % 6) as usize].id),
            token: uuid(i),
            parent: (i % 3 != 0).then(|| uuid(i / 2)),
        })
        .collect();
    db.insert_all(readings.clone())?;
    Ok((devices, readings))
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn uuids_compare_order_list_and_group_as_in_rust() {
    foal_tests::on_each(|db| {
        let (devices, rows) = setup(db)?;
        let d = db.dialect();

        let token = uuid(7);
        let found = select!(r.id for r in Reading if r.token == token).fetch_all(db)?;
        assert_eq!(found, vec![8], "{d}: ==");
        let others = select!(r.id for r in Reading if r.token != token).count(db)?;
        assert_eq!(others, 39, "{d}: !=");

        let pivot = uuid(20);
        let below = select!(r.token for r in Reading if r.token < pivot).fetch_all(db)?;
        let want: Vec<Uuid> = rows.iter().map(|r| r.token).filter(|t| *t < pivot).collect();
        assert!(!want.is_empty() && want.len() < rows.len(), "{d}: the pivot splits");
        assert_eq!(sorted(below), sorted(want), "{d}: <");

        let ordered = select!(Reading.order_by(|r| desc(r.token)).map(|r| r.token)).fetch_all(db)?;
        let mut want: Vec<Uuid> = rows.iter().map(|r| r.token).collect();
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(ordered, want, "{d}: ORDER BY desc");

        let first = select!(Reading.order_by(|r| r.token).map(|r| r.token)).first(db)?;
        assert_eq!(first, rows.iter().map(|r| r.token).min(), "{d}: the least, by ORDER BY");

        let some: Vec<Uuid> = (0..10).map(|i| uuid(i * 3)).collect();
        let listed = select!(r.id for r in Reading if some.contains(&r.token)).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|r| some.contains(&r.token)).map(|r| r.id).collect();
        assert_eq!(sorted(listed), want, "{d}: IN");
        // Longer than LONG_LIST: one parameter (an array, a JSON array).
        let many: Vec<Uuid> = (0..foal::LONG_LIST as u64 + 10).map(|i| uuid(i * 2)).collect();
        let listed = select!(r.id for r in Reading if many.contains(&r.token)).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|r| many.contains(&r.token)).map(|r| r.id).collect();
        assert_eq!(sorted(listed), want, "{d}: a long IN list");
        let outside = select!(r.id for r in Reading if !many.contains(&r.token)).count(db)?;
        assert_eq!(outside as usize, rows.len() - want.len(), "{d}: a long NOT IN list");

        let groups = select!((r.device, count(r)) for r in Reading).fetch_all(db)?;
        let mut want: BTreeMap<Uuid, i64> = BTreeMap::new();
        for r in &rows {
            *want.entry(r.device.key()).or_default() += 1;
        }
        let got: Vec<(Uuid, i64)> = sorted(groups.into_iter().map(|(r, n)| (r.key(), n)).collect());
        assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{d}: GROUP BY");

        // Option<Uuid>: equality with Some, is_none, projection.
        let parent = Some(uuid(4));
        let children = select!((r.id, r.parent) for r in Reading if r.parent == parent).fetch_all(db)?;
        let want: Vec<(i64, Option<Uuid>)> = rows
            .iter()
            .filter(|r| r.parent == parent)
            .map(|r| (r.id, r.parent))
            .collect();
        assert!(!want.is_empty());
        assert_eq!(sorted(children), want, "{d}: Option ==");
        let orphans = select!(r.id for r in Reading if r.parent.is_none()).count(db)?;
        assert_eq!(
            orphans as usize,
            rows.iter().filter(|r| r.parent.is_none()).count(),
            "{d}: is_none"
        );

        // A key, a reference to it and a join through it.
        let target = devices[2].clone();
        assert_eq!(db.get::<Device>(target.id)?, Some(target.clone()), "{d}: get by key");
        let through = select!((r.id, r.device.name) for r in Reading if r.device.id == target.id).fetch_all(db)?;
        let want: Vec<(i64, String)> = rows
            .iter()
            .filter(|r| r.device.key() == target.id)
            .map(|r| (r.id, target.name.clone()))
            .collect();
        assert_eq!(sorted(through), want, "{d}: join through a UUID key");

        // Whole entities round-trip; raw SQL reads and binds a UUID.
        let all = select!(Reading.order_by(|r| r.id)).fetch_all(db)?;
        assert_eq!(all, rows, "{d}: entities round-trip");
        let read: Vec<Uuid> = raw("SELECT token FROM reading WHERE token = ?")
            .bind(&token)
            .fetch_all(db)?;
        assert_eq!(read, vec![token], "{d}: raw");
        Ok(())
    });
}

#[test]
fn a_column_that_is_not_sixteen_bytes_is_a_decode_error() {
    foal_tests::on_each(|db| {
        let read = raw::<Uuid>("SELECT ?").bind(&vec![1u8, 2, 3]).fetch_one(db);
        match read {
            Err(foal::Error::Decode { message, .. }) => {
                assert!(message.contains("UUID"), "{}: {message}", db.dialect());
            }
            other => panic!("{}: three bytes read as {other:?}", db.dialect()),
        }
        Ok(())
    });
}
