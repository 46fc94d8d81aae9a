//! chrono's `DateTime<FixedOffset>` as a column type: stored as its
//! instant, so values at any offset are equal, ordered, grouped and
//! aggregated by the instant (as chrono's own `==` and `Ord` do), read back
//! at UTC, moved by durations; each checked against plain Rust on every
//! backend.

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Flight {
    #[foal(primary_key)]
    pub id: i64,
    pub departs: DateTime<FixedOffset>,
    pub landed: Option<DateTime<FixedOffset>>,
}

fn flights() -> Vec<Flight> {
    let zones = [-8 * 3600, -3 * 3600 - 1800, 0, 3600, 5 * 3600 + 2700, 14 * 3600];
    (0..60i64)
        .map(|i| {
            let zone = FixedOffset::east_opt(zones[(i % 6) as usize]).unwrap_or_else(|| panic!("offset"));
            let instant = Utc
                .timestamp_opt(1_700_000_000 + i * 7_919 - (i % 5) * 86_400, 0)
                .single();
            let departs =
                instant.unwrap_or_else(|| panic!("instant")).with_timezone(&zone) + Duration::microseconds(i * 123_457);
            Flight {
                id: i,
                departs,
                landed: (i % 3 != 0).then(|| departs + Duration::minutes(90 + i)),
            }
        })
        .collect()
}

#[test]
fn a_fixed_offset_date_time_is_its_instant() {
    foal_tests::on_each(|db| {
        let d = db.dialect();
        db.create_table::<Flight>()?;
        let rows = flights();
        db.insert_all(rows.clone())?;

        // Read back: the same instants (chrono's == compares instants), at UTC.
        let stored = select!(Flight.order_by(|f| f.id)).fetch_all(db)?;
        assert_eq!(stored, rows, "{d}");
        assert!(
            stored.iter().all(|f| f.departs.offset().local_minus_utc() == 0),
            "{d}: read back at UTC"
        );

        // A bound value at another offset compares by its instant.
        let pivot = rows[17]
            .departs
            .with_timezone(&FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| panic!()));
        let before = select!(Flight.filter(|f| f.departs < pivot).order_by(|f| f.id).map(|f| f.id)).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|f| f.departs < pivot).map(|f| f.id).collect();
        assert_eq!(before, want, "{d}: <");
        let same = select!(f.id for f in Flight if f.departs == pivot).fetch_all(db)?;
        assert_eq!(same, vec![17], "{d}: == across offsets");

        let ordered = select!(Flight.order_by(|f| (f.departs, f.id)).map(|f| f.id)).fetch_all(db)?;
        let mut want: Vec<&Flight> = rows.iter().collect();
        want.sort_by_key(|f| (f.departs, f.id));
        assert_eq!(
            ordered,
            want.iter().map(|f| f.id).collect::<Vec<_>>(),
            "{d}: ORDER BY the instant"
        );

        let (first, last) = select!((min(f.departs), max(f.landed)) for f in Flight).fetch_one(db)?;
        assert_eq!(first, rows.iter().map(|f| f.departs).min(), "{d}: min");
        assert_eq!(
            last,
            rows.iter().filter_map(|f| f.landed).max(),
            "{d}: max of an Option"
        );

        // Moved by a duration, and the difference of two.
        let later = select!(Flight.order_by(|f| f.id).map(|f| f.departs + Duration::hours(30))).fetch_all(db)?;
        assert_eq!(
            later,
            rows.iter().map(|f| f.departs + Duration::hours(30)).collect::<Vec<_>>(),
            "{d}: +"
        );
        let flown = select!(
            Flight
                .filter(|f| f.landed.is_some())
                .order_by(|f| f.id)
                .map(|f| f.landed.unwrap_or(f.departs) - f.departs)
        )
        .fetch_all(db)?;
        let want: Vec<Duration> = rows.iter().filter_map(|f| f.landed.map(|l| l - f.departs)).collect();
        assert_eq!(flown, want, "{d}: -");
        Ok(())
    });
}
