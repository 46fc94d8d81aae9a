//! The `time` crate's `Date`, `PrimitiveDateTime` and `OffsetDateTime`
//! (feature `time`): fields, optional fields, a primary key, parameters,
//! `==`, `<`, ORDER BY, IN, GROUP BY, `min`/`max` and the date parts, each
//! checked against plain Rust on every backend; an `OffsetDateTime` with
//! any offset is equal and ordered by its instant and reads back in UTC;
//! and the same table read through chrono types gives the same values.

use std::collections::BTreeMap;

use foal::prelude::*;
use foal::time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "meeting")]
pub struct Meeting {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub day: Date,
    pub starts: PrimitiveDateTime,
    pub at: OffsetDateTime,
    pub moved_to: Option<Date>,
}

/// The same table, read through chrono.
#[derive(Entity, Debug, Clone, PartialEq)]
#[foal(table = "meeting")]
pub struct ChronoMeeting {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub day: chrono::NaiveDate,
    pub starts: chrono::NaiveDateTime,
    pub at: chrono::DateTime<chrono::Utc>,
    pub moved_to: Option<chrono::NaiveDate>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Holiday {
    #[foal(primary_key)]
    pub day: Date,
    pub name: String,
}

fn date(y: i32, m: u8, d: u8) -> Date {
    let month = Month::try_from(m).unwrap_or_else(|e| panic!("{e}"));
    Date::from_calendar_date(y, month, d).unwrap_or_else(|e| panic!("{e}"))
}

fn meetings() -> Vec<Meeting> {
    (0..30i64)
        .map(|i| {
            let day = date(1999 + (i % 4) as i32, 1 + (i * 5 % 12) as u8, 1 + (i * 7 % 28) as u8);
            let clock = Time::from_hms_micro(
                (i * 5 % 24) as u8,
                (i * 13 % 60) as u8,
                (i * 17 % 60) as u8,
                (i * 12_345) as u32,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            let starts = PrimitiveDateTime::new(day, clock);
            // Offsets east and west of UTC: the instant is what counts.
            let offset = UtcOffset::from_hms((i % 5 - 2) as i8 * 3, 0, 0).unwrap_or_else(|e| panic!("{e}"));
            Meeting {
                id: i + 1,
                day,
                starts,
                at: starts.assume_offset(offset),
                moved_to: (i % 3 == 0).then(|| day + Duration::days(i)),
            }
        })
        .collect()
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn time_dates_compare_order_and_group_as_in_rust() {
    foal_tests::on_each(|db| {
        db.create_table::<Meeting>()?;
        db.create_table::<Holiday>()?;
        let rows = meetings();
        db.insert_all(rows.clone())?;
        let d = db.dialect();

        // Read back: equal (an OffsetDateTime by its instant), offset UTC.
        let all = select!(Meeting.order_by(|m| m.id)).fetch_all(db)?;
        assert_eq!(all, rows, "{d}: round-trip");
        assert!(
            all.iter().all(|m| m.at.offset() == UtcOffset::UTC),
            "{d}: read back in UTC"
        );

        let day = rows[4].day;
        let same = select!(m.id for m in Meeting if m.day == day).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|m| m.day == day).map(|m| m.id).collect();
        assert_eq!(sorted(same), want, "{d}: Date ==");

        let pivot = rows[10].starts;
        let before = select!(m.id for m in Meeting if m.starts < pivot).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|m| m.starts < pivot).map(|m| m.id).collect();
        assert_eq!(sorted(before), want, "{d}: PrimitiveDateTime <");

        // An instant given with another offset compares as that instant.
        let instant = rows[7]
            .at
            .to_offset(UtcOffset::from_hms(5, 30, 0).unwrap_or_else(|e| panic!("{e}")));
        let at = select!(m.id for m in Meeting if m.at == instant).fetch_all(db)?;
        assert_eq!(at, vec![8], "{d}: OffsetDateTime == by instant");
        let later = select!(m.id for m in Meeting if m.at >= instant).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|m| m.at >= instant).map(|m| m.id).collect();
        assert_eq!(sorted(later), want, "{d}: OffsetDateTime >=");
        let by_instant = select!(Meeting.order_by(|m| (m.at, m.id)).map(|m| m.id)).fetch_all(db)?;
        let mut want: Vec<(OffsetDateTime, i64)> = rows.iter().map(|m| (m.at, m.id)).collect();
        want.sort();
        assert_eq!(
            by_instant,
            want.into_iter().map(|(_, id)| id).collect::<Vec<_>>(),
            "{d}: ORDER BY instant"
        );

        let extremes = select!((min(m.starts), max(m.day)) for m in Meeting).fetch_one(db)?;
        assert_eq!(
            extremes,
            (rows.iter().map(|m| m.starts).min(), rows.iter().map(|m| m.day).max()),
            "{d}: min/max"
        );

        let some = vec![rows[1].day, rows[2].day, date(2042, 1, 1)];
        let listed = select!(m.id for m in Meeting if some.contains(&m.day)).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|m| some.contains(&m.day)).map(|m| m.id).collect();
        assert_eq!(sorted(listed), want, "{d}: IN");

        let per_year = select!((m.day.year(), count(m)) for m in Meeting).fetch_all(db)?;
        let mut want: BTreeMap<i32, i64> = BTreeMap::new();
        for m in &rows {
            *want.entry(m.day.year()).or_default() += 1;
        }
        assert_eq!(
            sorted(per_year),
            want.into_iter().collect::<Vec<_>>(),
            "{d}: GROUP BY year()"
        );

        let moved = select!((m.id, m.moved_to) for m in Meeting if m.moved_to.is_some()).fetch_all(db)?;
        let want: Vec<(i64, Option<Date>)> = rows
            .iter()
            .filter(|m| m.moved_to.is_some())
            .map(|m| (m.id, m.moved_to))
            .collect();
        assert_eq!(sorted(moved), want, "{d}: Option<Date>");

        // chrono reads the same columns as the same values.
        let through_chrono = select!(ChronoMeeting.order_by(|m| m.id)).fetch_all(db)?;
        for (c, t) in through_chrono.iter().zip(&rows) {
            assert_eq!(c.day.to_string(), t.day.to_string(), "{d}: the same date");
            assert_eq!(
                c.at.timestamp_micros(),
                (t.at.unix_timestamp_nanos() / 1000) as i64,
                "{d}: the same instant"
            );
            assert_eq!(
                c.starts.and_utc().timestamp_micros(),
                (t.starts.assume_utc().unix_timestamp_nanos() / 1000) as i64,
                "{d}"
            );
        }

        // A Date primary key.
        db.insert(Holiday {
            day: date(2026, 12, 25),
            name: "Christmas".into(),
        })?;
        let found = db.get::<Holiday>(date(2026, 12, 25))?;
        assert_eq!(
            found.map(|h| h.name),
            Some("Christmas".to_owned()),
            "{d}: get by a Date key"
        );
        Ok(())
    });
}
