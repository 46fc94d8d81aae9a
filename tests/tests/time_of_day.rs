//! chrono's `NaiveTime` as a column type (TIME(6) on PostgreSQL and
//! MySQL/MariaDB, fixed-width text on SQLite): exact to the microsecond,
//! compared, ordered, listed, grouped and aggregated as in Rust, on every
//! backend.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Shift {
    #[foal(primary_key)]
    pub id: i64,
    pub starts: NaiveTime,
    pub ends: Option<NaiveTime>,
}

fn at(h: u32, m: u32, s: u32, us: u32) -> NaiveTime {
    NaiveTime::from_hms_micro_opt(h, m, s, us).unwrap_or_else(|| panic!("{h}:{m}:{s}.{us}"))
}

fn shifts() -> Vec<Shift> {
    let mut rows: Vec<Shift> = (0..48i64)
        .map(|i| {
            let starts = at(
                (i * 7 % 24) as u32,
                (i * 13 % 60) as u32,
                (i * 29 % 60) as u32,
                (i * 104_729 % 1_000_000) as u32,
            );
            Shift {
                id: i,
                starts,
                ends: (i % 4 != 0).then(|| at((i * 5 % 24) as u32, 0, 0, 0)),
            }
        })
        .collect();
    rows.push(Shift {
        id: 100,
        starts: at(0, 0, 0, 0),
        ends: Some(at(23, 59, 59, 999_999)),
    });
    rows
}

#[test]
fn times_of_day_compare_order_and_group_as_in_rust() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        db.create_table::<Shift>()?;
        let rows = shifts();
        db.insert_all(rows.clone())?;

        let stored = select!(Shift.order_by(|s| s.id)).fetch_all(db)?;
        assert_eq!(stored, rows, "{d}: exact to the microsecond");

        let noon = at(12, 0, 0, 0);
        let morning = select!(Shift.filter(|s| s.starts < noon).order_by(|s| s.id).map(|s| s.id)).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|s| s.starts < noon).map(|s| s.id).collect();
        assert_eq!(morning, want, "{d}: <");

        let ordered = select!(Shift.order_by(|s| (desc(s.starts), s.id)).map(|s| s.starts)).fetch_all(db)?;
        let mut want: Vec<NaiveTime> = rows.iter().map(|s| s.starts).collect();
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(ordered, want, "{d}: ORDER BY");

        let (first, last) = select!((min(s.starts), max(s.ends)) for s in Shift).fetch_one(db)?;
        assert_eq!(first, rows.iter().map(|s| s.starts).min(), "{d}: min");
        assert_eq!(last, rows.iter().filter_map(|s| s.ends).max(), "{d}: max of an Option");

        let some = [at(0, 0, 0, 0), rows[5].starts, at(1, 2, 3, 4)];
        let listed = select!(
            Shift
                .filter(|s| some.contains(&s.starts))
                .order_by(|s| s.id)
                .map(|s| s.id)
        )
        .fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|s| some.contains(&s.starts)).map(|s| s.id).collect();
        assert_eq!(listed, want, "{d}: IN");

        let grouped = select!((s.ends, count(s)) for s in Shift).fetch_all(db)?;
        let mut want: BTreeMap<Option<NaiveTime>, i64> = BTreeMap::new();
        for s in &rows {
            *want.entry(s.ends).or_default() += 1;
        }
        let mut grouped = grouped;
        grouped.sort();
        assert_eq!(grouped, want.into_iter().collect::<Vec<_>>(), "{d}: GROUP BY");
        Ok(())
    });
}

/// The same table through the `time` crate's `Time`.
#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "shift")]
pub struct TimeShift {
    #[foal(primary_key)]
    pub id: i64,
    pub starts: foal::time::Time,
    pub ends: Option<foal::time::Time>,
}

fn to_time(t: NaiveTime) -> foal::time::Time {
    use chrono::Timelike;
    foal::time::Time::from_hms_micro(
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
        t.nanosecond() / 1000,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_time_crates_time_reads_and_compares_the_same_column() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        db.create_table::<Shift>()?;
        let rows = shifts();
        db.insert_all(rows.clone())?;
        let through_time = select!(TimeShift.order_by(|s| s.id)).fetch_all(db)?;
        let want: Vec<TimeShift> = rows
            .iter()
            .map(|s| TimeShift {
                id: s.id,
                starts: to_time(s.starts),
                ends: s.ends.map(to_time),
            })
            .collect();
        assert_eq!(through_time, want, "{d}: read as time::Time");
        let noon = foal::time::Time::from_hms(12, 0, 0).unwrap_or_else(|e| panic!("{e}"));
        let later = select!(TimeShift.filter(|s| s.starts >= noon).order_by(|s| s.id).map(|s| s.id)).fetch_all(db)?;
        let expect: Vec<i64> = want.iter().filter(|s| s.starts >= noon).map(|s| s.id).collect();
        assert_eq!(later, expect, "{d}: >= a time::Time");
        db.insert(TimeShift {
            id: 500,
            starts: noon,
            ends: None,
        })?;
        let back = select!(Shift.filter(|s| s.id == 500).map(|s| s.starts)).fetch_one(db)?;
        assert_eq!(back, at(12, 0, 0, 0), "{d}: written as time::Time, read as chrono");
        Ok(())
    });
}

#[test]
fn a_table_foal_made_for_times_passes_its_check() {
    foal_tests::on_each(|db| {
        db.create_table::<Shift>()?;
        db.check::<Shift>()?;
        db.check::<TimeShift>()
    });
}
