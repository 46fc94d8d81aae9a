#[derive(Debug, Clone, PartialEq)]
pub struct Code(pub String);

#[foal::sql_value]
impl Default for Code {
    fn default() -> Self {
        Code(String::new())
    }
}

fn main() {}
