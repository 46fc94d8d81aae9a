use foal::prelude::*;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Gadget {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub price: i64,
}

fn main() {
    let pairs = select!((g.name, g.price) for g in Gadget);
    let _ = select!(pairs.filter(|x| x.price > 1));
}
