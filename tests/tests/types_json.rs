//! JSON columns (feature `json`): `serde_json::Value` and `Json<T>` as
//! fields, optional fields, projections and raw parameters, written and
//! read back on every backend as the same Rust values; a document that is
//! not a `T` is a decode error naming the column and the call site.

use foal::prelude::*;
use foal::serde_json::{self, json};
use foal::{Error, Json};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub theme: String,
    pub size: i64,
    pub tags: Vec<String>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Profile {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub settings: Json<Settings>,
    pub extra: serde_json::Value,
    pub previous: Option<Json<Settings>>,
}

fn profiles() -> Vec<Profile> {
    (0..8i64)
        .map(|i| Profile {
            id: i + 1,
            name: format!("user {i}"),
            settings: Json(Settings {
                theme: ["dark", "light", "ünïcödé \"quoted\" \\ 🐎"][(i % 3) as usize].to_owned(),
                size: i * 1_000_000_007 - 3,
                tags: (0..i).map(|t| format!("t{t}")).collect(),
            }),
            extra: json!({
                "n": i,
                "half": i as f64 / 2.0,
                "nested": {"list": [1, "two", null, true], "empty": {}},
                "text": format!("line\nbreak {i}"),
            }),
            previous: (i % 2 == 0).then(|| {
                Json(Settings {
                    theme: "old".into(),
                    size: -i,
                    tags: vec![],
                })
            }),
        })
        .collect()
}

#[test]
fn json_documents_round_trip_as_fields_projections_and_parameters() {
    foal_tests::on_each(|db| {
        db.create_table::<Profile>()?;
        let rows = profiles();
        db.insert_all(rows.clone())?;
        let d = db.dialect();

        let all = select!(Profile.order_by(|p| p.id)).fetch_all(db)?;
        assert_eq!(all, rows, "{d}: entities round-trip");

        let big = select!(
            Profile
                .filter(|p| p.id > 4)
                .order_by(|p| p.id)
                .map(|p| (p.id, p.settings, p.extra))
        )
        .fetch_all(db)?;
        let want: Vec<(i64, Json<Settings>, serde_json::Value)> = rows
            .iter()
            .filter(|p| p.id > 4)
            .map(|p| (p.id, p.settings.clone(), p.extra.clone()))
            .collect();
        assert_eq!(big, want, "{d}: projection");

        let without = select!(p.id for p in Profile if p.previous.is_none()).fetch_all(db)?;
        let want: Vec<i64> = rows.iter().filter(|p| p.previous.is_none()).map(|p| p.id).collect();
        let mut without = without;
        without.sort();
        assert_eq!(without, want, "{d}: is_none");

        // Update writes the new document; raw SQL binds and reads one.
        let mut changed = rows[2].clone();
        changed.settings.0.tags.push("new".into());
        changed.previous = None;
        db.update(&changed)?;
        assert_eq!(db.get::<Profile>(changed.id)?, Some(changed.clone()), "{d}: update");
        let doc = json!({"set": "by raw", "values": [1.5, -2, "x"]});
        let n = raw("UPDATE profile SET extra = ? WHERE id = ?")
            .bind(&doc)
            .bind(&1i64)
            .execute(db)?;
        assert_eq!(n, 1, "{d}");
        let read: Vec<serde_json::Value> = raw("SELECT extra FROM profile WHERE id = ?")
            .bind(&1i64)
            .fetch_all(db)?;
        assert_eq!(read, vec![doc], "{d}: raw");
        Ok(())
    });
}

#[test]
fn a_document_that_is_not_the_type_is_a_decode_error() {
    for dialect in foal_tests::backends() {
        let db = foal_tests::fresh(dialect);
        db.create_table::<Profile>().unwrap_or_else(|e| panic!("{e}"));
        db.insert_all(profiles()).unwrap_or_else(|e| panic!("{e}"));
        db.execute_sql(r#"UPDATE profile SET settings = '{"theme": 3}' WHERE id = 2"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let line = line!() + 1;
        let read = select!(p.settings for p in Profile).fetch_all(&db);
        match read {
            Err(Error::Decode { column, message, site }) => {
                assert!(message.contains("is not a `Settings`"), "{dialect}: {message}");
                assert!(column.contains("settings"), "{dialect}: {column}");
                assert_eq!(site.line(), line, "{dialect}: the error names the query's line");
            }
            other => panic!("{dialect}: a wrong document read as {other:?}"),
        }
        let fine = select!(p.settings for p in Profile if p.id != 2).fetch_all(&db);
        assert_eq!(fine.map(|v| v.len()).ok(), Some(7), "{dialect}");
    }
}
