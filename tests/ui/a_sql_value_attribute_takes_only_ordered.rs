#[derive(Debug, Clone, PartialEq)]
pub struct Code(pub String);

#[foal::sql_value(sorted)]
impl SqlValue for Code {
    type Stored = String;
    fn to_stored(&self) -> String {
        self.0.clone()
    }
    fn from_stored(text: String) -> Result<Self, String> {
        Ok(Code(text))
    }
}

fn main() {}
