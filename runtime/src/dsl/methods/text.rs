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

/// The escape character of foal's LIKE patterns (`ESCAPE '!'`): a
/// backslash would mean something else in a literal under MySQL's default
/// mode or PostgreSQL without `standard_conforming_strings`.
pub const LIKE_ESCAPE: char = '!';

/// Escapes `!`, `%` and `_` so `text` matches only itself in a LIKE pattern.
pub fn escape_like(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, LIKE_ESCAPE | '%' | '_') {
            out.push(LIKE_ESCAPE);
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

/// SQL's LIKE with Rust's meaning, for text in Rust and in queries alike:
/// `%` matches any run of characters, `_` one character, `\` makes the
/// next character match itself (a trailing lone `\` matches a `\`). It is
/// case-sensitive on every backend.
///
/// ```
/// use foal::methods::Like;
/// assert!("forest green".like("%green%"));
/// assert!("PROMO BRUSHED".like("PROMO%"));
/// assert!(!"Promo".like("PROMO%"));
/// assert!("50%".like("__\\%"));
/// ```
pub trait Like {
    fn like(&self, pattern: &str) -> bool;
}

enum Token {
    Any,
    One,
    Char(char),
}

fn tokens(pattern: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => Token::Any,
            '_' => Token::One,
            '\\' => Token::Char(chars.next().unwrap_or('\\')),
            c => Token::Char(c),
        });
    }
    out
}

impl<S: AsRef<str> + ?Sized> Like for S {
    fn like(&self, pattern: &str) -> bool {
        let text: Vec<char> = self.as_ref().chars().collect();
        let pattern = tokens(pattern);
        // Two cursors and the last `%` seen: on a mismatch, that `%`
        // swallows one more character (linear for one `%`, at worst
        // text × pattern).
        let (mut t, mut p) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match pattern.get(p) {
                Some(Token::Any) => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(Token::One) => {
                    t += 1;
                    p += 1;
                    continue;
                }
                Some(Token::Char(c)) if *c == text[t] => {
                    t += 1;
                    p += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            }
        }
        pattern[p..].iter().all(|tok| matches!(tok, Token::Any))
    }
}

/// A `like` pattern as SQL reads it with `ESCAPE '!'`: `%` and `_` stay
/// wildcards, `\x` is `x` itself (`!x` for a wildcard or `!`), a `!` of
/// the pattern is `!!`, and a trailing lone `\` matches a `\`.
#[doc(hidden)]
pub fn like_pattern_text<S: AsRef<str> + ?Sized>(pattern: &S) -> String {
    let mut out = String::with_capacity(pattern.as_ref().len() + 2);
    let mut chars = pattern.as_ref().chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let literal = chars.next().unwrap_or('\\');
                if matches!(literal, '%' | '_' | LIKE_ESCAPE) {
                    out.push(LIKE_ESCAPE);
                }
                out.push(literal);
            }
            LIKE_ESCAPE => out.push_str("!!"),
            c => out.push(c),
        }
    }
    out
}
