//! Database errors carry the server's code: the SQLSTATE (the same for a
//! constraint on every backend) and the backend's own number.

use foal::prelude::*;
use foal::{Dialect, Error};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Account {
    #[foal(primary_key, auto)]
    pub id: i64,
    #[foal(unique, max_len = 40)]
    pub email: String,
}

#[test]
fn a_unique_violation_has_its_sqlstate_and_number() {
    foal_tests::on_each(|db| {
        db.create_table::<Account>()?;
        let row = Account {
            id: 0,
            email: "a@example.com".into(),
        };
        db.insert(row.clone())?;
        let e = db.insert(row).err();
        let Some(e @ Error::Constraint { .. }) = e else {
            panic!("on {}: {e:?}", db.dialect());
        };
        // As the server gives it: MySQL has one SQLSTATE for every
        // integrity constraint; SQLite has none, and foal gives it
        // PostgreSQL's.
        let state = if db.dialect() == Dialect::Mysql {
            "23000"
        } else {
            "23505"
        };
        assert_eq!(e.sqlstate(), Some(state), "on {}", db.dialect());
        let number = e.code().and_then(|c| c.number);
        match db.dialect() {
            Dialect::Sqlite => assert_eq!(number, Some(2067)),
            Dialect::Mysql => assert_eq!(number, Some(1062)),
            Dialect::Postgres => assert_eq!(number, None),
        }
        // Any other error from the server has its code too.
        let e = raw::<i64>("SELECT * FROM no_such_table").fetch_all(db).err();
        let code = e.as_ref().and_then(Error::code).cloned().unwrap_or_default();
        match db.dialect() {
            Dialect::Postgres => assert_eq!(code.sqlstate.as_deref(), Some("42P01")),
            Dialect::Mysql => assert_eq!((code.sqlstate.as_deref(), code.number), (Some("42S02"), Some(1146))),
            Dialect::Sqlite => assert_eq!(code.number, Some(1)),
        }
        Ok(())
    });
}
