//! The names `select!` knows, each written once: these tables drive both
//! the dispatch and the error texts that list what is supported, so the
//! two cannot drift apart.

use crate::select::ctx::LikeKind;

/// A method of a query chain (`Product.filter(|p| …).limit(10)`).
pub(crate) struct ChainMethod {
    pub(crate) name: &'static str,
    /// Whether it takes a closure over the row.
    pub(crate) row_closure: bool,
}

pub(crate) const CHAIN_METHODS: &[ChainMethod] = &[
    ChainMethod {
        name: "filter",
        row_closure: true,
    },
    ChainMethod {
        name: "map",
        row_closure: true,
    },
    ChainMethod {
        name: "order_by",
        row_closure: true,
    },
    ChainMethod {
        name: "limit",
        row_closure: false,
    },
    ChainMethod {
        name: "offset",
        row_closure: false,
    },
    ChainMethod {
        name: "page",
        row_closure: false,
    },
    ChainMethod {
        name: "distinct",
        row_closure: false,
    },
    ChainMethod {
        name: "for_update",
        row_closure: false,
    },
    ChainMethod {
        name: "update",
        row_closure: true,
    },
    ChainMethod {
        name: "prefetch",
        row_closure: false,
    },
];

/// The chain method called `name`.
pub(crate) fn chain_method(name: &str) -> Option<&'static ChainMethod> {
    CHAIN_METHODS.iter().find(|m| m.name == name)
}

/// How a method of a query value is translated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MethodKind {
    /// `starts_with` / `ends_with` / `contains`: a LIKE.
    Like(LikeKind),
    /// `like(pattern)`: a LIKE with the user's `%` and `_`.
    Pattern,
    /// `methods::<name>(receiver)`.
    Unary,
    /// The receiver itself (`clone`, `as_str`, …).
    Identity,
    /// `unwrap_or(default)`.
    UnwrapOr,
    /// `methods::<function>(receiver, argument)`: `a.min(b)` is `least`.
    WithArg(&'static str),
    /// `c.orders.count()` (rows of a to-many relation) or `s.chars().count()`.
    Count,
    /// `is_empty()` of text or of a to-many relation.
    IsEmpty,
    /// `desc()` / `asc()`: only as a key of `order_by`.
    OrderKey,
    /// `opt.map(|x| body)`.
    OptionMap,
}

/// A method of a query value.
pub(crate) struct Method {
    pub(crate) name: &'static str,
    pub(crate) args: usize,
    pub(crate) kind: MethodKind,
    /// How the error text lists it.
    pub(crate) shown: &'static str,
}

const fn unary(name: &'static str) -> Method {
    Method {
        name,
        args: 0,
        kind: MethodKind::Unary,
        shown: name,
    }
}

const fn identity(name: &'static str) -> Method {
    Method {
        name,
        args: 0,
        kind: MethodKind::Identity,
        shown: name,
    }
}

pub(crate) const METHODS: &[Method] = &[
    Method {
        name: "starts_with",
        args: 1,
        kind: MethodKind::Like(LikeKind::Prefix),
        shown: "starts_with",
    },
    Method {
        name: "ends_with",
        args: 1,
        kind: MethodKind::Like(LikeKind::Suffix),
        shown: "ends_with",
    },
    Method {
        name: "contains",
        args: 1,
        kind: MethodKind::Like(LikeKind::Anywhere),
        shown: "contains",
    },
    Method {
        name: "like",
        args: 1,
        kind: MethodKind::Pattern,
        shown: "like (a pattern with % and _)",
    },
    unary("to_lowercase"),
    unary("to_uppercase"),
    unary("trim"),
    unary("len"),
    Method {
        name: "is_empty",
        args: 0,
        kind: MethodKind::IsEmpty,
        shown: "is_empty",
    },
    Method {
        name: "count",
        args: 0,
        kind: MethodKind::Count,
        shown: "chars().count()",
    },
    unary("is_none"),
    unary("is_some"),
    Method {
        name: "unwrap_or",
        args: 1,
        kind: MethodKind::UnwrapOr,
        shown: "unwrap_or",
    },
    unary("unwrap_or_default"),
    Method {
        name: "map",
        args: 1,
        kind: MethodKind::OptionMap,
        shown: "map (of an Option, with a closure)",
    },
    unary("abs"),
    unary("round"),
    Method {
        name: "min",
        args: 1,
        kind: MethodKind::WithArg("least"),
        shown: "min",
    },
    Method {
        name: "max",
        args: 1,
        kind: MethodKind::WithArg("greatest"),
        shown: "max",
    },
    Method {
        name: "powi",
        args: 1,
        kind: MethodKind::WithArg("powi"),
        shown: "powi",
    },
    Method {
        name: "powf",
        args: 1,
        kind: MethodKind::WithArg("powf"),
        shown: "powf",
    },
    unary("sqrt"),
    unary("to_string"),
    unary("key"),
    unary("year"),
    unary("month"),
    unary("day"),
    unary("hour"),
    unary("minute"),
    unary("second"),
    identity("clone"),
    identity("to_owned"),
    identity("as_str"),
    identity("as_ref"),
    Method {
        name: "desc",
        args: 0,
        kind: MethodKind::OrderKey,
        shown: "desc (in order_by)",
    },
    Method {
        name: "asc",
        args: 0,
        kind: MethodKind::OrderKey,
        shown: "asc (in order_by)",
    },
];

/// The method called `name`.
pub(crate) fn method(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}

/// The aggregate functions; `exists` takes a generator only.
pub(crate) const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "count_distinct",
    "group_concat",
    "exists",
    "sum_distinct",
    "avg_distinct",
    "sum_or_none",
];

/// Functions that are not aggregates.
pub(crate) const FUNCTIONS: &[&str] = &["coalesce", "substring", "Some"];

/// A ranking or offset function, a value only with `.over(window)`, and
/// how many arguments it takes.
pub(crate) const WINDOW_FUNCTIONS: &[(&str, usize)] = &[
    ("row_number", 0),
    ("rank", 0),
    ("dense_rank", 0),
    ("percent_rank", 0),
    ("cume_dist", 0),
    ("ntile", 1),
    ("lag", 2),
    ("lead", 2),
    ("first_value", 1),
    ("last_value", 1),
    ("nth_value", 2),
];

/// The aggregates that can be computed over a window: SQL has no DISTINCT
/// in a window, and MySQL no GROUP_CONCAT.
pub(crate) const WINDOW_AGGREGATES: &[&str] = &["count", "sum", "avg", "min", "max", "sum_or_none"];

/// The calls a window starts with, and how many arguments each takes.
pub(crate) const WINDOW_STARTS: &[(&str, usize)] = &[("window", 0), ("partition_by", 1), ("order_by", 1)];

/// The arguments the window function `name` takes, if it is one.
pub(crate) fn window_function(name: &str) -> Option<usize> {
    WINDOW_FUNCTIONS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
}

/// The window functions, for messages.
pub(crate) fn window_functions() -> String {
    listed(WINDOW_FUNCTIONS.iter().map(|(n, _)| *n))
}

/// `a, b, c and d`.
fn listed<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_owned(),
        None => String::new(),
    }
}

/// The chain methods, for messages.
pub(crate) fn chain_methods() -> String {
    listed(CHAIN_METHODS.iter().map(|m| m.name))
}

/// The methods of query values, for messages.
pub(crate) fn methods() -> String {
    listed(
        METHODS
            .iter()
            .filter(|m| m.kind != MethodKind::OrderKey)
            .map(|m| m.shown)
            .chain(["count() on a to-many relation"]),
    )
}

/// The functions, for messages.
pub(crate) fn functions() -> String {
    let plain = listed(AGGREGATES.iter().chain(FUNCTIONS).copied().filter(|f| *f != "Some"));
    format!(
        "{plain}, and the window functions {} with `.over(..)`",
        window_functions()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_listed_once() {
        let mut names: Vec<&str> = METHODS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a method is in the table twice");
        assert!(chain_methods().ends_with("update and prefetch"), "{}", chain_methods());
        for m in ["for_update", "update", "prefetch"] {
            assert!(chain_methods().contains(m), "{m} is missing from {}", chain_methods());
        }
    }
}
