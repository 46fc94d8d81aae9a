use foal::prelude::*;

/// Stored as text that does not order as the type does: equality only.
#[derive(Debug, Clone, PartialEq)]
pub struct Code(pub String);

#[foal::sql_value]
impl SqlValue for Code {
    type Stored = String;
    fn to_stored(&self) -> String {
        self.0.clone()
    }
    fn from_stored(text: String) -> Result<Self, String> {
        Ok(Code(text))
    }
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Coupon {
    #[foal(primary_key)]
    pub id: i64,
    pub code: Code,
}

fn main() {
    let low = Code("M".to_owned());
    let _ = select!(c for c in Coupon if c.code < low);
}
