//! The text of a JSON document, as text columns (SQLite, MySQL) and
//! `sql_inline` take it.

/// The document's text; empty for a value that could not be serialized
/// (refused before anything is sent).
pub(crate) fn text(doc: &Result<serde_json::Value, String>) -> String {
    match doc {
        Ok(doc) => doc.to_string(),
        Err(_) => String::new(),
    }
}
