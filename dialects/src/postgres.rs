//! PostgreSQL: numbered `$n` placeholders with explicit types, strict types
//! everywhere, byte-order text through `COLLATE "C"`.

use crate::Dialect;
use crate::provider::{Capabilities, Provider};
use crate::render;
use crate::tree::{AggFunc, BinaryOp, ColumnDef, Expr, Func, Literal, OrderBy, Select, Type};
use crate::writer::Writer;

/// The PostgreSQL provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Provider for Postgres {
    /// Text with a backslash is an escape string (`E'a\\b'`), which means
    /// the same whether `standard_conforming_strings` is on or off.
    fn string_literal(&self, out: &mut String, text: &str) {
        if !text.contains('\\') {
            out.push('\'');
            out.push_str(&text.replace('\'', "''"));
            out.push('\'');
            return;
        }
        out.push_str("E'");
        out.push_str(&text.replace('\\', "\\\\").replace('\'', "''"));
        out.push('\'');
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            returning: true,
            for_update: true,
            max_params: 65535,
            indexes_foreign_keys: false,
        }
    }

    /// `$n::type`: every parameter carries its type, so a parameter in a
    /// projection or next to another parameter is never ambiguous, and the
    /// driver always binds exactly the type foal chose.
    /// A list of values is one array parameter: `x = ANY($1::int8[])`
    /// (`x <> ALL(…)` negated), so one statement serves every length.
    fn in_param(&self, w: &mut Writer<'_>, e: &Expr, param: u16, ty: Type, len: u32, negated: bool) {
        if len == 0 || w.is_inline() {
            return render::in_param(w, e, param, ty, len, negated);
        }
        w.expr_grouped(e);
        w.push(if negated { " <> ALL(" } else { " = ANY(" });
        let n = w.bind_whole(param);
        w.push("$");
        w.push(&n.to_string());
        w.push("::");
        w.push(self.cast_type(ty));
        w.push("[])");
    }

    fn placeholder(&self, w: &mut Writer<'_>, n: usize, ty: Type) {
        w.push("$");
        w.push(&n.to_string());
        w.push("::");
        w.push(self.cast_type(ty));
    }

    fn literal(&self, w: &mut Writer<'_>, lit: &Literal) {
        render::literal(w, lit);
        match lit {
            // A bare decimal is `numeric` in PostgreSQL; doubles stay doubles.
            Literal::Float(_) => w.push("::float8"),
            Literal::Int(v) if i32::try_from(*v).is_err() => w.push("::int8"),
            // Typed as the text parameters are.
            Literal::Str(_) => w.push("::text"),
            _ => {}
        }
    }

    /// Division and remainder by zero give NULL, as on SQLite and MySQL,
    /// instead of an error.
    fn binary(&self, w: &mut Writer<'_>, op: BinaryOp, left: &Expr, right: &Expr) {
        if matches!(op, BinaryOp::Div | BinaryOp::IntDiv | BinaryOp::Rem) {
            let guarded = Expr::func(Func::NullIf, vec![right.clone(), Expr::int(0)]);
            return render::binary(w, op, left, &guarded);
        }
        render::binary(w, op, left, right);
    }

    fn func(&self, w: &mut Writer<'_>, f: Func, args: &[Expr]) {
        match f {
            // Text columns are `COLLATE "C"`, whose case mapping is ASCII-only;
            // ICU's root locale maps all of Unicode as Rust does, and the
            // result goes back to byte order for comparisons.
            Func::Lower | Func::Upper => {
                w.push(if f == Func::Lower { "(lower(" } else { "(upper(" });
                w.exprs(args);
                w.push(" COLLATE \"und-x-icu\") COLLATE \"C\")");
            }
            Func::Trim => {
                w.push("btrim(");
                w.exprs(args);
                w.push(", ");
                w.string_constant(render::WHITESPACE);
                w.push(")");
            }
            Func::Year | Func::Month | Func::Day | Func::Hour | Func::Minute => {
                w.push("CAST(EXTRACT(");
                w.push(render::date_part(f));
                w.push(" FROM ");
                w.exprs(args);
                w.push(") AS integer)");
            }
            // `date + integer` is a date; a timestamp moves by an interval.
            Func::AddDays => {
                if let [a, b] = args {
                    w.push("(");
                    w.expr(a);
                    w.push(" + CAST(");
                    w.expr(b);
                    w.push(" AS integer))");
                }
            }
            Func::Second => {
                w.push("CAST(floor(EXTRACT(SECOND FROM ");
                w.exprs(args);
                w.push(")) AS integer)");
            }
            _ => render::func(w, f, args),
        }
    }

    /// `string_agg` takes text only; values are joined in ascending order.
    fn aggregate(&self, w: &mut Writer<'_>, f: AggFunc, distinct: bool, arg: Option<&Expr>, separator: Option<&str>) {
        if let (AggFunc::GroupConcat, Some(arg)) = (f, arg) {
            w.push("string_agg(");
            if distinct {
                w.push("DISTINCT ");
            }
            w.push("CAST(");
            w.expr(arg);
            w.push(" AS text), ");
            w.string_constant(separator.unwrap_or(","));
            w.push(" ORDER BY ");
            if distinct {
                w.push("CAST(");
                w.expr(arg);
                w.push(" AS text)");
            } else {
                w.expr(arg);
            }
            w.push(")");
            return;
        }
        render::aggregate(w, f, distinct, arg, separator);
    }

    fn cast_type(&self, ty: Type) -> &'static str {
        match ty {
            Type::Bool => "boolean",
            Type::I16 => "int2",
            Type::I32 => "int4",
            Type::I64 => "int8",
            Type::F32 => "float4",
            Type::F64 => "float8",
            Type::Text => "text",
            Type::Bytes => "bytea",
            Type::Date => "date",
            Type::DateTime => "timestamp",
            Type::Timestamp => "timestamptz",
            Type::Time => "time",
            Type::Uuid => "uuid",
            Type::Decimal => "numeric",
            Type::Json => "jsonb",
        }
    }

    /// Float to integer truncates toward zero as Rust's `as` does (a plain
    /// cast would round); booleans reach wider integers through `int4`.
    fn cast(&self, w: &mut Writer<'_>, e: &Expr, from: Type, to: Type) {
        w.push("CAST(");
        if from.is_float() && to.is_integer() {
            w.push("trunc(");
            w.expr(e);
            w.push(")");
        } else if from == Type::Bool && matches!(to, Type::I16 | Type::I64) {
            w.push("CAST(");
            w.expr(e);
            w.push(" AS int4)");
        } else {
            w.expr(e);
        }
        w.push(" AS ");
        w.push(self.cast_type(to));
        w.push(")");
    }

    /// `decode('…', 'hex')`: `'\\x…'` would need a backslash, which
    /// means something else without `standard_conforming_strings`.
    fn bytes_literal(&self, out: &mut String, bytes: &[u8]) {
        out.push_str("decode('");
        for b in bytes {
            out.push_str(&format!("{b:02x}"));
        }
        out.push_str("', 'hex')");
    }

    /// PostgreSQL sorts NULL last in ascending order; Rust sorts `None` first.
    fn order_item(&self, w: &mut Writer<'_>, o: &OrderBy) {
        w.expr(&o.expr);
        match (o.desc, o.nullable) {
            (false, false) => {}
            (true, false) => w.push(" DESC"),
            (false, true) => w.push(" NULLS FIRST"),
            (true, true) => w.push(" DESC NULLS LAST"),
        }
    }

    /// A FULL JOIN whose condition PostgreSQL cannot run (no equality of
    /// columns of both sides) is emulated as on MySQL (`emulate.rs`).
    fn select(&self, w: &mut Writer<'_>, s: &Select) {
        if !crate::emulate::full_joins_run_on_postgres(s)
            && let Some(emulated) = crate::emulate::without_full_joins(s)
        {
            return render::select(w, &emulated);
        }
        render::select(w, s);
    }

    fn column_type(&self, column: &ColumnDef) -> String {
        let text = match (column.ty, column.max_len) {
            (Type::Text, Some(n)) => return format!("VARCHAR({n}) COLLATE \"C\""),
            (Type::Text, None) => "TEXT COLLATE \"C\"",
            (Type::Bool, _) => "BOOLEAN",
            (Type::I16, _) => "SMALLINT",
            (Type::I32, _) => "INTEGER",
            (Type::I64, _) => "BIGINT",
            (Type::F32, _) => "REAL",
            (Type::F64, _) => "DOUBLE PRECISION",
            (Type::Bytes, _) => "BYTEA",
            (Type::Date, _) => "DATE",
            (Type::DateTime, _) => "TIMESTAMP(6)",
            (Type::Timestamp, _) => "TIMESTAMPTZ(6)",
            (Type::Uuid, _) => "UUID",
            (Type::Decimal, _) => "NUMERIC",
            (Type::Json, _) => "JSONB",
            (Type::Time, _) => "TIME(6)",
        };
        text.to_owned()
    }

    fn column_def(&self, w: &mut Writer<'_>, column: &ColumnDef, single_key: bool) {
        render::column_def(w, column, single_key);
        if column.auto {
            w.push(" GENERATED BY DEFAULT AS IDENTITY");
        }
    }
}
