//! Every column type survives the round trip unchanged on every backend:
//! the whole fixture is written and read back.

use foal::prelude::*;
use foal_tests::fixture::{self, Category, Item, Person, Sale, Tag};

#[test]
fn the_fixture_reads_back_unchanged() {
    let rows = fixture::rows();
    foal_tests::on_each(|db| {
        fixture::load(db, &rows)?;
        assert_eq!(
            select!(Item.order_by(|i| i.id)).fetch_all(db)?,
            rows.items,
            "items on {}",
            db.dialect()
        );
        assert_eq!(
            select!(Person.order_by(|p| p.id)).fetch_all(db)?,
            rows.people,
            "people on {}",
            db.dialect()
        );
        assert_eq!(
            select!(Sale.order_by(|s| s.id)).fetch_all(db)?,
            rows.sales,
            "sales on {}",
            db.dialect()
        );
        let mut categories = select!(c for c in Category).fetch_all(db)?;
        categories.sort_by(|a, b| a.code.cmp(&b.code));
        let mut expected = rows.categories.clone();
        expected.sort_by(|a, b| a.code.cmp(&b.code));
        assert_eq!(categories, expected, "categories on {}", db.dialect());
        let mut tags = select!(t for t in Tag).fetch_all(db)?;
        tags.sort_by(|a, b| (a.item.key(), &a.label).cmp(&(b.item.key(), &b.label)));
        let mut expected = rows.tags.clone();
        expected.sort_by(|a, b| (a.item.key(), &a.label).cmp(&(b.item.key(), &b.label)));
        assert_eq!(tags, expected, "tags on {}", db.dialect());
        Ok(())
    });
}
