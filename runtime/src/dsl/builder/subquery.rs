//! Subqueries: the scope a generator (`count(o for o in …)`) opens, whose
//! sources and conditions go to a SELECT of its own.

use crate::dialects::{self as sql, Select, SelectItem};
use crate::dsl::{Expr, Projection};

use super::{Builder, Scope};

impl Builder {
    /// A subquery yielding one value: `f` adds sources and conditions to a
    /// fresh scope and returns the value (usually an aggregate).
    pub fn subquery<T>(&self, f: impl FnOnce() -> Expr<T>) -> Sub<T>
    where
        Expr<T>: Projection,
    {
        self.state.borrow_mut().scopes.push(Scope::default());
        let value = f();
        let nullable = value.nullable;
        let select = self.close(value);
        Sub {
            select,
            nullable,
            _t: std::marker::PhantomData,
        }
    }

    /// A subquery of rows (`IN (SELECT …)`): `f` adds sources and conditions
    /// and returns what each row is.
    pub fn rows_of<P: Projection>(&self, f: impl FnOnce() -> P) -> Sub<P::Row> {
        self.state.borrow_mut().scopes.push(Scope::default());
        let projection = f();
        let select = self.close(projection);
        Sub {
            select,
            nullable: false,
            _t: std::marker::PhantomData,
        }
    }

    /// A subquery whose rows only matter by existing (`exists(..)`).
    pub fn rows(&self, f: impl FnOnce()) -> Sub<()> {
        self.state.borrow_mut().scopes.push(Scope::default());
        f();
        let mut select = self.with_scope(|s| std::mem::take(&mut s.select));
        select.items = vec![SelectItem {
            expr: sql::Expr::int(1),
            alias: None,
        }];
        self.state.borrow_mut().scopes.pop();
        Sub {
            select,
            nullable: false,
            _t: std::marker::PhantomData,
        }
    }
}

impl Builder {
    /// The subquery of the innermost scope, which it closes, its aggregates
    /// belonging to it.
    fn close<P: Projection>(&self, projection: P) -> Select {
        let mut select = self.project(projection).select;
        if let Some(scope) = self.state.borrow_mut().scopes.pop()
            && let Some(anchor) = scope.anchor
        {
            select.anchor_aggregates(&anchor);
        }
        select
    }
}

/// A subquery of rows of `T`.
pub struct Sub<T> {
    pub(crate) select: Select,
    pub(crate) nullable: bool,
    _t: std::marker::PhantomData<fn() -> T>,
}
