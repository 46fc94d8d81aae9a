//! Constructs that cannot become SQL, each with a message saying what to
//! write instead.

use quote::ToTokens;
use syn::Expr;

use super::{Tr, Tx, placeholder};

impl Tx<'_> {
    pub(super) fn unsupported(&mut self, e: &Expr) -> Tr {
        let what = match e {
            Expr::Closure(_) => {
                "a closure cannot be translated to SQL; write the condition directly in the query".into()
            }
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                "a loop cannot be translated to SQL; use an aggregate (`count`, `sum`, …) or `exists` over a generator".into()
            }
            Expr::Block(_) | Expr::Unsafe(_) => {
                "a block with statements cannot be translated to SQL; compute values before the query or write one expression".into()
            }
            Expr::Macro(m) if m.mac.path.is_ident(crate::select::parse::GENERATOR) => {
                "a generator (`x for x in …`) can only be the argument of an aggregate: `count(..)`, `sum(..)`, `avg(..)`, `min(..)`, `max(..)` or `exists(..)`".into()
            }
            Expr::Macro(m) => format!(
                "the macro `{}!` cannot be translated to SQL because it uses a query variable; compute the value before the query",
                m.mac.path.to_token_stream()
            ),
            Expr::Match(_) => {
                "`match` cannot be translated to SQL; use `if … else …`".into()
            }
            Expr::Index(i) if matches!(*i.index, Expr::Range(_)) => {
                "slicing text by bytes cannot be translated to SQL the same way on every backend; \
                 take characters with `substring(s, start, len)`, or test with starts_with, ends_with \
                 or contains"
                    .into()
            }
            Expr::Index(_) => "indexing cannot be translated to SQL".into(),

            Expr::Range(_) => "a range can only be used as `(lo..=hi).contains(&x)`".into(),
            Expr::Assign(_) => "assignment cannot be used inside a query".into(),
            Expr::Let(_) => "`let` cannot be used inside a query".into(),
            Expr::Try(_) => "`?` cannot be used on a query value".into(),
            Expr::Await(_) | Expr::Async(_) => "async code cannot be translated to SQL".into(),
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => {
                "control flow cannot be used inside a query".into()
            }
            Expr::Tuple(_) => {
                "a tuple can only be selected as the whole projection: `(p.name, p.price) for p in Product`".into()
            }
            Expr::Struct(_) => {
                "a struct literal can only be selected as the whole projection: `Summary { .. } for p in Product`".into()
            }
            Expr::Array(_) | Expr::Repeat(_) => "an array cannot be translated to SQL".into(),
            _ => "this expression cannot be translated to SQL".into(),
        };
        self.ctx.error(e, what);
        placeholder()
    }
}
