use foal::prelude::*;
use foal_tests::estore::{self, Customer, Product};

#[derive(Debug, PartialEq)]
pub struct Summary {
    pub name: String,
    pub value: i64,
}

fn product(name: &str, price: i64, quantity: i32) -> Product {
    Product {
        id: 0,
        name: name.into(),
        price,
        quantity,
        description: None,
        rating: None,
        active: true,
        category: None,
    }
}

#[test]
fn smoke() {
    foal_tests::on_each(|db| {
        estore::create(db)?;
        let ann = db.insert(Customer {
            id: 0,
            name: "Ann".into(),
            country: "USA".into(),
            email: None,
        })?;
        assert_eq!(ann.id, 1);
        db.insert_all(vec![
            product("iPad Air", 599, 3),
            product("iPad mini", 499, 0),
            product("Cable", 9, 100),
        ])?;
        let expensive = select!(p for p in Product if p.price >= 500).fetch_all(db)?;
        assert_eq!(expensive.len(), 1);
        let min_price = 400;
        let q = select!((p.name, p.price) for p in Product if p.price >= min_price && p.name.starts_with("iPad"));
        assert_eq!(q.fetch_all(db)?.len(), 2);
        let names = select!(Product.filter(|p| p.price >= 500).map(|p| p.name)).fetch_all(db)?;
        assert_eq!(names, vec!["iPad Air".to_string()]);
        let top = select!(
            Product
                .filter(|p| p.price >= 5)
                .order_by(|p| (desc(p.price), p.name))
                .limit(2)
        )
        .fetch_all(db)?;
        assert_eq!(top.iter().map(|p| p.price).collect::<Vec<_>>(), vec![599, 499]);
        let base = select!(p for p in Product if p.price > 100);
        let in_stock = select!(base.filter(|p| p.quantity > 0)).fetch_all(db)?;
        assert_eq!(in_stock.len(), 1);
        let sums =
            select!(Summary { name: p.name, value: p.price * p.quantity as i64 } for p in Product).fetch_all(db)?;
        assert_eq!(sums.len(), 3);
        let total = select!(sum(p.price) for p in Product).fetch_one(db)?;
        assert_eq!(total, 599 + 499 + 9);
        let top_price = select!(p.name for p in Product if p.price == max(x.price for x in Product)).fetch_one(db)?;
        assert_eq!(top_price, "iPad Air");
        let by_country = select!((c.country, count(c)) for c in Customer).fetch_all(db)?;
        assert_eq!(by_country, vec![("USA".to_string(), 1)]);
        let none = select!(c for c in Customer if c.email.is_none()).count(db)?;
        assert_eq!(none, 1);
        Ok(())
    });
}
