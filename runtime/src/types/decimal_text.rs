//! The text forms of exact decimals: the one text SQLite stores for a
//! number (`0.3`, `-12`, never `1.50`), so text equality is numeric
//! equality; exact parsing; and the key whose text order is numeric order
//! (SQLite's `foal_decimal_key`).

use rust_decimal::Decimal;

/// The value without trailing zeros (and zero without a sign): how every
/// backend reads a decimal back, so `1.50` stored reads as `1.5` everywhere.
pub(crate) fn normal(d: Decimal) -> Decimal {
    if d.is_zero() { Decimal::ZERO } else { d.normalize() }
}

/// The one text of a number: how SQLite stores it.
pub(crate) fn canonical(d: Decimal) -> String {
    normal(d).to_string()
}

/// A decimal from its text, exactly: more fraction digits than
/// `rust_decimal` holds (28) is an error, not a rounding.
/// Zeros ending the fraction are dropped first: they change nothing, and
/// MySQL pads every value to its column's 28 places.
pub(crate) fn parse(text: &str) -> Result<Decimal, String> {
    let trimmed = text.trim();
    let digits = if trimmed.contains('.') {
        trimmed.trim_end_matches('0').trim_end_matches('.')
    } else {
        trimmed
    };
    Decimal::from_str_exact(digits)
        .map(normal)
        .map_err(|e| format!("`{text}` is not a decimal that rust_decimal holds exactly: {e}"))
}

/// Digits before and after the point of every `rust_decimal` value.
#[cfg(feature = "sqlite")]
const INT_DIGITS: usize = 29;
#[cfg(feature = "sqlite")]
const FRACTION_DIGITS: usize = 28;

#[cfg(feature = "sqlite")]
/// A text whose byte order is the numeric order of `d`: a sign digit (`0`
/// negative, `1` otherwise), then the 29 integer and 28 fraction digits of
/// the magnitude, zero-padded, nines' complement when negative.
pub(crate) fn order_key(d: Decimal) -> String {
    let d = normal(d);
    let magnitude = d.abs().to_string();
    let (int, fraction) = magnitude.split_once('.').unwrap_or((&magnitude, ""));
    let mut key = String::with_capacity(1 + INT_DIGITS + FRACTION_DIGITS);
    let negative = d.is_sign_negative();
    key.push(if negative { '0' } else { '1' });
    let digits = std::iter::repeat_n('0', INT_DIGITS.saturating_sub(int.len()))
        .chain(int.chars())
        .chain(fraction.chars())
        .chain(std::iter::repeat_n('0', FRACTION_DIGITS.saturating_sub(fraction.len())));
    for c in digits {
        let digit = c.to_digit(10).unwrap_or(0);
        let digit = if negative { 9 - digit } else { digit };
        key.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
    key
}

#[cfg(all(test, feature = "sqlite"))]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_order_key_orders_as_the_numbers_do() {
        let values: Vec<Decimal> = [
            "-79228162514264337593543950335",
            "-1.5",
            "-1.25",
            "-0.0000000000000000000000000001",
            "0",
            "0.0000000000000000000000000001",
            "0.1",
            "0.12",
            "1",
            "1.5",
            "10",
            "79228162514264337593543950335",
        ]
        .iter()
        .map(|s| dec(s))
        .collect();
        let keys: Vec<String> = values.iter().map(|d| order_key(*d)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert!(keys.iter().all(|k| k.len() == 58));
    }

    #[test]
    fn one_number_has_one_text() {
        assert_eq!(canonical(dec("1.50")), "1.5");
        assert_eq!(canonical(dec("-0.000")), "0");
        assert_eq!(canonical(dec("100")), "100");
        assert_eq!(
            canonical(dec("7922816251426433759354395033.5000000000000000000000000000")),
            "7922816251426433759354395033.5"
        );
        assert!(parse("0.00000000000000000000000000001").is_err());
        assert!(parse("1e3").is_err());
    }
}
