//! `#[foal(on_delete = "cascade" | "set_null" | "restrict")]` on `Ref`
//! fields: the foreign key's action on every backend, for deletes of one
//! row and deletes by query alike.

use foal::Error;
use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Author {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Book {
    #[foal(primary_key, auto)]
    pub id: i64,
    #[foal(on_delete = "cascade")]
    pub author: Ref<Author>,
    pub title: String,
}

/// Two levels of cascade: deleting an author deletes its books' reviews.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Review {
    #[foal(primary_key, auto)]
    pub id: i64,
    #[foal(on_delete = "cascade")]
    pub book: Ref<Book>,
    pub stars: i32,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Shelf {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub room: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Placement {
    #[foal(primary_key, auto)]
    pub id: i64,
    #[foal(on_delete = "set_null")]
    pub shelf: Option<Ref<Shelf>>,
    #[foal(on_delete = "restrict")]
    pub book: Ref<Book>,
}

/// No option: the backend's default refuses the delete.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Loan {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub shelf: Ref<Shelf>,
}

fn fill(db: &Database) -> foal::Result<()> {
    db.create_table::<Author>()?;
    db.create_table::<Book>()?;
    db.create_table::<Review>()?;
    db.create_table::<Shelf>()?;
    db.create_table::<Placement>()?;
    db.create_table::<Loan>()?;
    let author = |name: &str| Author {
        id: 0,
        name: name.into(),
    };
    let authors = db.insert_all(vec![author("Ann"), author("Bob"), author("Cy")])?;
    let book = |a: usize, title: &str| Book {
        id: 0,
        author: Ref::to(&authors[a]),
        title: title.into(),
    };
    let books = db.insert_all(vec![book(0, "A1"), book(0, "A2"), book(1, "B1"), book(2, "C1")])?;
    let review = |b: usize, stars: i32| Review {
        id: 0,
        book: Ref::to(&books[b]),
        stars,
    };
    db.insert_all(vec![
        review(0, 5),
        review(0, 3),
        review(1, 4),
        review(2, 2),
        review(3, 1),
    ])?;
    let shelves = db.insert_all(vec![
        Shelf {
            id: 0,
            room: "hall".into(),
        },
        Shelf {
            id: 0,
            room: "attic".into(),
        },
    ])?;
    let place = |s: Option<usize>, b: usize| Placement {
        id: 0,
        shelf: s.map(|s| Ref::to(&shelves[s])),
        book: Ref::to(&books[b]),
    };
    db.insert_all(vec![place(Some(0), 2), place(Some(1), 2), place(Some(0), 2)])?;
    db.insert(Loan {
        id: 0,
        shelf: Ref::to(&shelves[1]),
    })?;
    Ok(())
}

#[test]
fn cascade_deletes_the_rows_that_refer_to_it() {
    foal_tests::on_each(|db| {
        fill(db)?;
        // Ann's books (A1, A2) have no placements: the delete cascades to
        // them and to their three reviews.
        let ann = select!(a for a in Author if a.name == "Ann").fetch_one(db)?;
        db.delete(&ann)?;
        assert_eq!(select!(b.title for b in Book).fetch_all(db)?.len(), 2);
        let mut stars = select!(r.stars for r in Review).fetch_all(db)?;
        stars.sort_unstable();
        assert_eq!(stars, vec![1, 2]);
        // By query too.
        let n = select!(a for a in Author if a.name == "Cy").delete(db)?;
        assert_eq!(n, 1);
        assert_eq!(select!(b.title for b in Book).fetch_all(db)?, vec!["B1".to_string()]);
        assert_eq!(select!(r.stars for r in Review).fetch_all(db)?, vec![2]);
        Ok(())
    });
}

#[test]
fn restrict_and_the_default_refuse_the_delete() {
    foal_tests::on_each(|db| {
        fill(db)?;
        // Bob's book B1 is placed on shelves: `restrict` on the placement
        // stops the cascade from author to book, so nothing is deleted.
        let refused = select!(a for a in Author if a.name == "Bob").delete(db);
        assert!(matches!(refused, Err(Error::Constraint { .. })), "{refused:?}");
        assert_eq!(select!(b for b in Book).count(db)?, 4, "all or nothing");
        assert_eq!(select!(r for r in Review).count(db)?, 5);
        // A reference without an option: the attic holds a loan.
        let attic = select!(s for s in Shelf if s.room == "attic").fetch_one(db)?;
        assert!(matches!(db.delete(&attic), Err(Error::Constraint { .. })));
        Ok(())
    });
}

#[test]
fn set_null_clears_the_reference() {
    foal_tests::on_each(|db| {
        fill(db)?;
        let n = select!(s for s in Shelf if s.room == "hall").delete(db)?;
        assert_eq!(n, 1);
        let mut shelves: Vec<Option<i64>> = select!(p.shelf for p in Placement)
            .fetch_all(db)?
            .into_iter()
            .map(|s| s.map(|r| r.key()))
            .collect();
        shelves.sort_unstable();
        let attic = select!(s.id for s in Shelf if s.room == "attic").fetch_one(db)?;
        assert_eq!(shelves, vec![None, None, Some(attic)]);
        Ok(())
    });
}
