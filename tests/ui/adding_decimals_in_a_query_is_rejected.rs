// Decimal arithmetic stays in Rust: a product or sum may need more digits
// than rust_decimal keeps, and SQLite has no decimal arithmetic.
use foal::prelude::*;
use foal::rust_decimal::Decimal;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Entry {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub amount: Decimal,
    pub fee: Decimal,
}

fn main() {
    let _ = select!(e.amount + e.fee for e in Entry);
}
