//! Result rows as cells, so foal's typed rows and the spec's rows read by
//! hand compare alike: integers and floats as numbers (floats within a
//! relative 1e-9), text exactly, dates as ISO text, NULL as itself.

use chrono::NaiveDate;
use foal::{Entity, Ref};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl Cell {
    fn number(&self) -> Option<f64> {
        match self {
            Cell::Int(i) => Some(*i as f64),
            Cell::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Equal as the spec means it: numbers within 1e-9 relative (plus
    /// 1e-6 absolute for sums near zero), text exactly.
    pub fn agrees(&self, other: &Cell) -> bool {
        match (self.number(), other.number()) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-6,
            _ => self == other,
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => f.write_str("NULL"),
            Cell::Int(i) => write!(f, "{i}"),
            Cell::Float(x) => write!(f, "{x}"),
            Cell::Text(t) => write!(f, "{t:?}"),
        }
    }
}

/// One value of a row.
pub trait ToCell {
    fn cell(&self) -> Cell;
}

macro_rules! int_cells {
    ($($t:ty),*) => {$(
        impl ToCell for $t {
            fn cell(&self) -> Cell {
                Cell::Int(i64::from(*self))
            }
        }
    )*};
}
int_cells!(i16, i32, i64);

impl ToCell for f64 {
    fn cell(&self) -> Cell {
        Cell::Float(*self)
    }
}

impl ToCell for String {
    fn cell(&self) -> Cell {
        Cell::Text(self.clone())
    }
}

impl ToCell for NaiveDate {
    fn cell(&self) -> Cell {
        Cell::Text(self.format("%Y-%m-%d").to_string())
    }
}

impl<E: Entity> ToCell for Ref<E>
where
    E::Key: ToCell,
{
    fn cell(&self) -> Cell {
        self.key().cell()
    }
}

impl<T: ToCell> ToCell for Option<T> {
    fn cell(&self) -> Cell {
        self.as_ref().map_or(Cell::Null, ToCell::cell)
    }
}

/// A whole row.
pub trait ToCells {
    fn cells(&self) -> Vec<Cell>;
}

impl ToCells for f64 {
    fn cells(&self) -> Vec<Cell> {
        vec![self.cell()]
    }
}

impl ToCells for Option<f64> {
    fn cells(&self) -> Vec<Cell> {
        vec![self.cell()]
    }
}

macro_rules! tuple_cells {
    ($($name:ident)+) => {
        impl<$($name: ToCell),+> ToCells for ($($name,)+) {
            #[allow(non_snake_case)]
            fn cells(&self) -> Vec<Cell> {
                let ($($name,)+) = self;
                vec![$($name.cell()),+]
            }
        }
    };
}
tuple_cells!(A B);
tuple_cells!(A B C);
tuple_cells!(A B C D);
tuple_cells!(A B C D E);
tuple_cells!(A B C D E F);
tuple_cells!(A B C D E F G);
tuple_cells!(A B C D E F G H);
tuple_cells!(A B C D E F G H I);
tuple_cells!(A B C D E F G H I J);

/// Where two results first differ, or `None` when they agree row by row.
pub fn difference(foal: &[Vec<Cell>], spec: &[Vec<Cell>]) -> Option<String> {
    if foal.len() != spec.len() {
        return Some(format!("{} rows, the spec {}", foal.len(), spec.len()));
    }
    for (i, (a, b)) in foal.iter().zip(spec).enumerate() {
        if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| !x.agrees(y)) {
            let show = |r: &[Cell]| r.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            return Some(format!("row {i}: ({}), the spec ({})", show(a), show(b)));
        }
    }
    None
}
