//! Text methods: case, trimming, lengths, `starts_with` and friends
//! (LIKE), `to_string`.

use crate::dialects::{self as sql, BinaryOp, Func, Literal, Type};

use super::func;
use crate::dsl::Expr;
use crate::types::Typed;

/// Text methods (`starts_with`, `to_lowercase`, `len`, …) need a `String`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not text, so this string method cannot be used on it in a query",
    label = "expected a `String` value, found `{Self}`",
    note = "for an `Option<String>` column, write `x.unwrap_or_default()` or compare with `==` instead"
)]
pub trait SqlText {}

impl SqlText for String {}

pub fn to_lowercase<S: SqlText>(s: Expr<S>) -> Expr<String> {
    func(Func::Lower, vec![s.node], s.agg, s.nullable)
}

pub fn to_uppercase<S: SqlText>(s: Expr<S>) -> Expr<String> {
    func(Func::Upper, vec![s.node], s.agg, s.nullable)
}

pub fn trim<S: SqlText>(s: Expr<S>) -> Expr<String> {
    func(Func::Trim, vec![s.node], s.agg, s.nullable)
}

/// `len()`: bytes of the UTF-8 encoding, as in Rust.
pub fn len<S: SqlText>(s: Expr<S>) -> Expr<usize> {
    func(Func::ByteLength, vec![s.node], s.agg, s.nullable)
}

/// `chars().count()`: characters.
pub fn char_count<S: SqlText>(s: Expr<S>) -> Expr<usize> {
    func(Func::CharLength, vec![s.node], s.agg, s.nullable)
}

/// A text argument of `starts_with`, `ends_with` or `contains`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not text, so it cannot be searched for in a string",
    label = "expected `&str`, `String` or `char`, found `{Self}`"
)]
pub trait LikeText {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R;
}

impl LikeText for str {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self)
    }
}

impl LikeText for String {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self)
    }
}

impl LikeText for char {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self.encode_utf8(&mut [0; 4]))
    }
}

impl<T: LikeText + ?Sized> LikeText for &T {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        (**self).with_text(f)
    }
}

/// Where the searched text must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LikeKind {
    Prefix,
    Suffix,
    Anywhere,
}

/// Escapes `\`, `%` and `_` so `text` matches only itself in a LIKE pattern.
pub fn escape_like(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The LIKE pattern of a text searched for with `kind`; computed in Rust
/// and bound as a parameter.
pub fn like_pattern<A: LikeText + ?Sized>(text: &A, kind: LikeKind) -> String {
    text.with_text(|text| {
        let mut out = String::with_capacity(text.len() + 2);
        if kind != LikeKind::Prefix {
            out.push('%');
        }
        escape_like(text, &mut out);
        if kind != LikeKind::Suffix {
            out.push('%');
        }
        out
    })
}

/// `s.starts_with(x)` and friends where the pattern was computed in Rust.
pub fn like<S: SqlText, P>(s: Expr<S>, pattern: Expr<P>) -> Expr<bool> {
    let node = sql::Expr::Like {
        expr: Box::new(s.node),
        pattern: Box::new(pattern.node),
        negated: false,
    };
    Expr::with(node, s.agg, s.nullable)
}

/// `s.starts_with(t)` where `t` is itself a query expression: the pattern is
/// escaped in SQL.
pub fn like_expr<S: SqlText, T: SqlText>(s: Expr<S>, text: Expr<T>, kind: LikeKind) -> Expr<bool> {
    let (agg, nullable) = (s.agg || text.agg, s.nullable || text.nullable);
    let mut pattern = sql::Expr::func(Func::LikeEscape, vec![text.node]);
    let percent = || sql::Expr::Literal(Literal::Text("%"));
    if kind != LikeKind::Prefix {
        pattern = sql::Expr::binary(BinaryOp::Concat, percent(), pattern);
    }
    if kind != LikeKind::Suffix {
        pattern = sql::Expr::binary(BinaryOp::Concat, pattern, percent());
    }
    let node = sql::Expr::Like {
        expr: Box::new(s.node),
        pattern: Box::new(pattern),
        negated: false,
    };
    Expr::with(node, agg, nullable)
}

/// Values `to_string()` can turn into text identically on every backend.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be turned into text inside a query",
    label = "`to_string()` works on text and integers in queries",
    note = "floats print differently on each database; format them in Rust after fetching"
)]
pub trait SqlToText {}

impl SqlToText for String {}

impl SqlToText for i16 {}

impl SqlToText for i32 {}

impl SqlToText for i64 {}

pub fn to_string<T: SqlToText + Typed>(e: Expr<T>) -> Expr<String> {
    let (agg, nullable) = (e.agg, e.nullable);
    if T::TYPE == Type::Text {
        return Expr::with(e.node, agg, nullable);
    }
    let node = sql::Expr::Cast {
        expr: Box::new(e.node),
        from: T::TYPE,
        to: Type::Text,
    };
    Expr::with(node, agg, nullable)
}
