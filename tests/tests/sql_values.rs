//! Types of the application as columns: `#[derive(SqlValue)]` enums (by
//! variant name, `rename`) and newtypes, and hand-written `SqlValue`
//! impls, as fields, keys, references, parameters, IN lists, GROUP BY,
//! ORDER BY and comparisons, each checked against the same computation in
//! plain Rust on every backend; a stored value that is not a variant is a
//! decode error naming the column and the call site.

use std::collections::BTreeMap;
use std::net::IpAddr;

use foal::Error;
use foal::prelude::*;

/// Declared in an order that is not alphabetical, so that ordering by the
/// stored text would differ from ordering by the declaration.
#[derive(SqlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Pending,
    Active,
    #[foal(rename = "done")]
    Done,
}

#[derive(SqlValue, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(pub String);

#[derive(SqlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cents(pub i64);

/// Stored as its text, which does not order as addresses do: equality
/// only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ip(pub IpAddr);

#[foal::sql_value]
impl SqlValue for Ip {
    type Stored = String;
    fn to_stored(&self) -> String {
        self.0.to_string()
    }
    fn from_stored(text: String) -> Result<Self, String> {
        text.parse()
            .map(Ip)
            .map_err(|e| format!("`{text}` is not an IP address: {e}"))
    }
}

/// A version stored as one integer whose order is the version's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
}

#[foal::sql_value(ordered)]
impl SqlValue for Version {
    type Stored = i64;
    fn to_stored(&self) -> i64 {
        (i64::from(self.major) << 16) | i64::from(self.minor)
    }
    fn from_stored(v: i64) -> Result<Self, String> {
        let major = u16::try_from(v >> 16).map_err(|_| format!("{v} is not a version"))?;
        Ok(Version {
            major,
            minor: (v & 0xffff) as u16,
        })
    }
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Account {
    #[foal(primary_key)]
    pub email: Email,
    pub state: State,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Shipment {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub account: Ref<Account>,
    pub state: State,
    pub previous: Option<State>,
    pub cost: Cents,
    pub origin: Ip,
    pub client: Version,
}

/// A table keyed by an enum.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct StateNote {
    #[foal(primary_key)]
    pub state: State,
    pub note: String,
}

const STATES: [State; 3] = [State::Pending, State::Active, State::Done];

fn email(i: usize) -> Email {
    Email(format!("user{}@example.org", i % 5))
}

fn shipments() -> Vec<Shipment> {
    (0..40usize)
        .map(|i| Shipment {
            id: i as i64 + 1,
            account: Ref::new(email(i)),
            state: STATES[(i * 7) % 3],
            previous: (i % 4 != 0).then_some(STATES[i % 3]),
            cost: Cents(((i * 37) % 23) as i64 - 5),
            origin: Ip(if i % 2 == 0 {
                format!("10.0.0.{}", i % 7).parse().unwrap_or_else(|e| panic!("{e}"))
            } else {
                format!("2001:db8::{:x}", i % 6)
                    .parse()
                    .unwrap_or_else(|e| panic!("{e}"))
            }),
            client: Version {
                major: (i % 3) as u16,
                minor: ((i * 5) % 11) as u16,
            },
        })
        .collect()
}

fn setup(db: &Database) -> foal::Result<Vec<Shipment>> {
    db.create_table::<Account>()?;
    db.create_table::<Shipment>()?;
    db.create_table::<StateNote>()?;
    for i in 0..5 {
        db.insert(Account {
            email: email(i),
            state: STATES[i % 3],
        })?;
    }
    let rows = shipments();
    db.insert_all(rows.clone())?;
    Ok(rows)
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn enums_compare_list_group_and_order_as_in_rust() {
    foal_tests::on_each(|db| {
        let rows = setup(db)?;
        let d = db.dialect();

        let active = select!(s.id for s in Shipment if s.state == State::Active).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|s| s.state == State::Active).map(|s| s.id).collect();
        assert_eq!(sorted(active), want, "{d}: ==");

        let state = State::Done;
        let done = select!(s.id for s in Shipment if s.state != state).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|s| s.state != state).map(|s| s.id).collect();
        assert_eq!(sorted(done), want, "{d}: !=");

        let some = [State::Pending, State::Done];
        let listed = select!(s.id for s in Shipment if some.contains(&s.state)).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|s| some.contains(&s.state)).map(|s| s.id).collect();
        assert_eq!(sorted(listed), want, "{d}: IN");

        // Ordered by declaration (Pending < Active < done), not by the text.
        let before = select!(s.id for s in Shipment if s.state < State::Done).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|s| s.state < State::Done).map(|s| s.id).collect();
        assert_eq!(sorted(before), want, "{d}: <");
        let ordered = select!(Shipment.order_by(|s| (s.state, s.id)).map(|s| (s.state, s.id))).fetch_all(db)?;
        let want = sorted(rows.iter().map(|s| (s.state, s.id)).collect());
        assert_eq!(ordered, want, "{d}: ORDER BY");
        let last = select!(Shipment.order_by(|s| (desc(s.state), s.id)).map(|s| s.state)).first(db)?;
        assert_eq!(last, Some(State::Done), "{d}: ORDER BY desc");

        let counts = select!((s.state, count(s)) for s in Shipment).fetch_all(db)?;
        let mut want: BTreeMap<State, i64> = BTreeMap::new();
        for s in &rows {
            *want.entry(s.state).or_default() += 1;
        }
        assert_eq!(sorted(counts), want.into_iter().collect::<Vec<_>>(), "{d}: GROUP BY");

        let previous =
            select!((s.id, s.previous) for s in Shipment if s.previous == Some(State::Pending)).fetch_all(db)?;
        let want: Vec<(i64, Option<State>)> = rows
            .iter()
            .filter(|s| s.previous == Some(State::Pending))
            .map(|s| (s.id, s.previous))
            .collect();
        assert_eq!(sorted(previous), want, "{d}: Option ==");
        let none = select!(s.id for s in Shipment if s.previous.is_none()).count(db)?;
        assert_eq!(
            none as usize,
            rows.iter().filter(|s| s.previous.is_none()).count(),
            "{d}: is_none"
        );

        // Stored as the renamed text; read back by raw SQL as the enum.
        let text: Vec<String> = raw("SELECT DISTINCT state FROM shipment WHERE state = 'done'").fetch_all(db)?;
        assert_eq!(text, vec!["done".to_owned()], "{d}: rename");
        let read: Vec<State> = raw("SELECT state FROM shipment WHERE id = ?")
            .bind(&1i64)
            .fetch_all(db)?;
        assert_eq!(read, vec![rows[0].state], "{d}: raw");
        Ok(())
    });
}

#[test]
fn newtypes_and_hand_written_values_work_as_fields_keys_and_parameters() {
    foal_tests::on_each(|db| {
        let rows = setup(db)?;
        let d = db.dialect();

        // A newtype key: get, a reference through it, a join on it.
        let key = email(2);
        let account = db.get::<Account>(key.clone())?;
        assert_eq!(account.map(|a| a.state), Some(STATES[2]), "{d}: get by newtype key");
        let through = select!((s.id, s.account.state) for s in Shipment if s.account.email == key).fetch_all(db)?;
        let want: Vec<(i64, State)> = rows
            .iter()
            .filter(|s| s.account.key() == key)
            .map(|s| (s.id, STATES[2]))
            .collect();
        assert_eq!(sorted(through), want, "{d}: through a reference keyed by a newtype");

        // Newtypes order as their field.
        let cheap = Cents(3);
        let below = select!(s.id for s in Shipment if s.cost <= cheap).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|s| s.cost <= cheap).map(|s| s.id).collect();
        assert_eq!(sorted(below), want, "{d}: newtype <=");
        let extremes = select!((min(s.cost), max(s.cost)) for s in Shipment).fetch_one(db)?;
        let costs = rows.iter().map(|s| s.cost);
        assert_eq!(
            extremes,
            (costs.clone().min(), costs.max()),
            "{d}: min/max of a newtype"
        );
        let by_mail = select!(Account.order_by(|a| desc(a.email)).map(|a| a.email)).fetch_all(db)?;
        let mut want: Vec<Email> = (0..5).map(email).collect();
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(by_mail, want, "{d}: ORDER BY a newtype");

        // A hand-written value: equality and IN.
        let home = Ip("10.0.0.3".parse().unwrap_or_else(|e| panic!("{e}")));
        let from_home = select!(s.id for s in Shipment if s.origin == home).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|s| s.origin == home).map(|s| s.id).collect();
        assert!(!want.is_empty());
        assert_eq!(sorted(from_home), want, "{d}: hand-written ==");
        let v6: Vec<Ip> = (0..3)
            .map(|i| Ip(format!("2001:db8::{i:x}").parse().unwrap_or_else(|e| panic!("{e}"))))
            .collect();
        let listed = select!(s.origin for s in Shipment if v6.contains(&s.origin)).fetch_all(db)?;
        let want: Vec<Ip> = rows
            .iter()
            .filter(|s| v6.contains(&s.origin))
            .map(|s| s.origin.clone())
            .collect();
        assert_eq!(listed.len(), want.len(), "{d}: hand-written IN");
        assert!(
            listed.iter().all(|ip| v6.contains(ip)),
            "{d}: hand-written IN read back"
        );

        // A hand-written value declared ordered.
        let floor = Version { major: 1, minor: 4 };
        let newer = select!(s.client for s in Shipment if s.client >= floor).fetch_all(db)?;
        let want: Vec<Version> = rows.iter().filter(|s| s.client >= floor).map(|s| s.client).collect();
        assert_eq!(sorted(newer), sorted(want), "{d}: ordered hand-written >=");
        let newest = select!(max(s.client) for s in Shipment).fetch_one(db)?;
        assert_eq!(
            newest,
            rows.iter().map(|s| s.client).max(),
            "{d}: max of a hand-written value"
        );

        // Whole entities round-trip, and an update writes the new values.
        let mut all = select!(s for s in Shipment).fetch_all(db)?;
        all.sort_by_key(|s| s.id);
        assert_eq!(all, rows, "{d}: entities round-trip");
        let changed = Shipment {
            state: State::Done,
            previous: None,
            cost: Cents(-99),
            ..rows[0].clone()
        };
        db.update(&changed)?;
        assert_eq!(db.get::<Shipment>(changed.id)?, Some(changed), "{d}: update");
        let moved = select!(
            Shipment
                .filter(|s| s.state == State::Pending)
                .update(|s| s.state = State::Active)
        )
        .execute(db)?;
        assert_eq!(
            moved as usize,
            rows[1..].iter().filter(|s| s.state == State::Pending).count(),
            "{d}"
        );
        assert_eq!(
            select!(s for s in Shipment if s.state == State::Pending).count(db)?,
            0,
            "{d}"
        );

        // An enum as primary key.
        for state in STATES {
            db.insert(StateNote {
                state,
                note: format!("{state:?}"),
            })?;
        }
        let note = db.get::<StateNote>(State::Done)?;
        assert_eq!(note.map(|n| n.note), Some("Done".to_owned()), "{d}: get by enum key");
        let duplicate = db.insert(StateNote {
            state: State::Active,
            note: "again".into(),
        });
        assert!(
            matches!(duplicate, Err(Error::Constraint { .. })),
            "{d}: enum key is unique: {duplicate:?}"
        );
        Ok(())
    });
}

#[test]
fn a_stored_value_that_is_not_a_variant_is_a_decode_error() {
    for dialect in foal_tests::backends() {
        let db = foal_tests::fresh(dialect);
        setup(&db).unwrap_or_else(|e| panic!("{e}"));
        db.execute_sql("UPDATE shipment SET state = 'Lost' WHERE id = 3")
            .unwrap_or_else(|e| panic!("{e}"));
        db.execute_sql("UPDATE shipment SET origin = 'not an address' WHERE id = 4")
            .unwrap_or_else(|e| panic!("{e}"));
        let line = line!() + 1;
        let states = select!(s.state for s in Shipment).fetch_all(&db);
        match states {
            Err(Error::Decode { column, message, site }) => {
                assert!(
                    message.contains("`Lost` is not a variant of `State`"),
                    "{dialect}: {message}"
                );
                assert!(message.contains("Pending, Active, done"), "{dialect}: {message}");
                assert!(column.contains("state") || column == "0", "{dialect}: {column}");
                assert_eq!(site.line(), line, "{dialect}: the error names the query's line");
            }
            other => panic!("{dialect}: an unknown variant read as {other:?}"),
        }
        let entities = select!(s for s in Shipment if s.id == 4).fetch_all(&db);
        match entities {
            Err(Error::Decode { column, message, .. }) => {
                assert!(message.contains("is not an IP address"), "{dialect}: {message}");
                assert!(column.contains("origin"), "{dialect}: {column}");
            }
            other => panic!("{dialect}: a bad address read as {other:?}"),
        }
        // The other rows still read.
        let fine = select!(s.state for s in Shipment if s.id != 3).fetch_all(&db);
        assert_eq!(fine.map(|v| v.len()).ok(), Some(39), "{dialect}");
    }
}
