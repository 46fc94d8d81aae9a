use foal::prelude::*;

fn main() {
    let prices = vec![1, 2, 3];
    let _ = select!(p for p in prices if p > 1);
}
