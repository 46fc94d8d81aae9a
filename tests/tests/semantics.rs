//! The deliberate deviations listed in docs/semantics.md, pinned down on
//! each backend, so the document cannot drift from the behaviour.

use foal::prelude::*;
use foal::{Dialect, Error};
use foal_tests::estore::{self, Product};

fn product(name: &str, price: i64) -> Product {
    Product {
        id: 0,
        name: name.into(),
        price,
        quantity: 1,
        description: None,
        rating: None,
        active: true,
        category: None,
    }
}

#[test]
fn case_mapping_is_unicode_but_mysql_maps_one_character_to_one() {
    foal_tests::on_each(|db| {
        estore::create(db)?;
        let row = db.insert(product("Straße ΟΔΟΣ Écran", 1))?;
        let id = row.id;
        let (upper, lower) =
            select!((p.name.to_uppercase(), p.name.to_lowercase()) for p in Product if p.id == id).fetch_one(db)?;
        let rust = ("STRASSE ΟΔΟΣ ÉCRAN".to_string(), "straße οδος écran".to_string());
        assert_eq!((row.name.to_uppercase(), row.name.to_lowercase()), rust.clone());
        if db.dialect() == Dialect::Mysql {
            assert_eq!(
                (upper, lower),
                ("STRAßE ΟΔΟΣ ÉCRAN".to_string(), "straße οδοσ écran".to_string())
            );
        } else {
            assert_eq!((upper, lower), rust, "on {}", db.dialect());
        }
        Ok(())
    });
}

#[test]
fn integer_overflow_is_an_error_on_every_backend() {
    foal_tests::on_each(|db| {
        estore::create(db)?;
        db.insert(product("big", i64::MAX / 2))?;
        let result = select!(p.price * 4 for p in Product).fetch_all(db);
        assert!(
            matches!(result, Err(Error::Database { .. } | Error::Decode { .. })),
            "on {}: {result:?}",
            db.dialect()
        );
        Ok(())
    });
}

#[test]
fn trailing_spaces_and_case_make_texts_different() {
    foal_tests::on_each(|db| {
        estore::create(db)?;
        db.insert_all(vec![product("a", 1), product("a ", 2), product("A", 3)])?;
        assert_eq!(
            select!(p.price for p in Product if p.name == "a").fetch_all(db)?,
            vec![1],
            "on {}",
            db.dialect()
        );
        let mut ordered = select!(Product.order_by(|p| p.name).map(|p| p.price)).fetch_all(db)?;
        assert_eq!(ordered, vec![3, 1, 2], "byte order on {}", db.dialect());
        ordered = select!(Product.order_by(|p| desc(p.name)).map(|p| p.price)).fetch_all(db)?;
        assert_eq!(ordered, vec![2, 1, 3]);
        assert_eq!(
            select!(p.price for p in Product if p.name.len() == 2).fetch_all(db)?,
            vec![2]
        );
        Ok(())
    });
}

#[test]
fn a_negative_limit_or_offset_is_refused_before_it_reaches_a_server() {
    foal_tests::on_each(|db| {
        estore::fill(db)?;
        let before = db.statement_count();
        for (limit, offset) in [(-1_i64, 0_i64), (2, -1), (-5, -5)] {
            let q = select!(Product.order_by(|p| p.id).limit(limit).offset(offset));
            match q.fetch_all(db) {
                Err(Error::Usage { message, .. }) => assert!(message.contains("negative"), "{message}"),
                other => panic!("limit {limit}, offset {offset} on {}: {other:?}", db.dialect()),
            }
            assert!(matches!(q.count(db), Err(Error::Usage { .. })));
            // Through a query value used as a source, too.
            let inner = q.clone();
            let outer = select!(p.name for p in inner);
            assert!(matches!(outer.fetch_all(db), Err(Error::Usage { .. })));
            // A page of a negative size.
            let page = select!(Product.order_by(|p| p.id).page(1, limit.min(offset)));
            assert!(matches!(page.fetch_all(db), Err(Error::Usage { .. })));
        }
        assert_eq!(db.statement_count(), before, "nothing was prepared on the server");
        // Zero is a count like any other.
        let none = select!(Product.order_by(|p| p.id).limit(0_i64));
        assert!(none.fetch_all(db)?.is_empty());
        Ok(())
    });
}
