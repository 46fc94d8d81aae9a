//! With the `tracing` feature every statement is a `foal.query` span with
//! the database fields (the SQL text, never the values), the rows, and the
//! query's call site; statements slower than `slow_ms` are WARN events.
//! A subscriber written here records what foal emits on each backend.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use foal::prelude::*;
use foal_tests::estore::{self, Customer};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Debug, Default, Clone)]
struct Span {
    name: String,
    fields: HashMap<String, String>,
}

#[derive(Default)]
struct Seen {
    spans: Vec<Span>,
    warnings: Vec<HashMap<String, String>>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Seen>>);

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut span = Span {
            name: attrs.metadata().name().to_owned(),
            ..Span::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        seen.spans.push(span);
        Id::from_u64(seen.spans.len() as u64)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(span) = seen.spans.get_mut(id.into_u64() as usize - 1) {
            values.record(&mut Fields(&mut span.fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        if *event.metadata().level() == tracing::Level::WARN {
            let mut fields = HashMap::new();
            event.record(&mut Fields(&mut fields));
            self.0.lock().unwrap_or_else(|e| e.into_inner()).warnings.push(fields);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn every_statement_is_a_span_with_the_sql_the_rows_and_the_call_site() {
    for dialect in foal_tests::backends() {
        let db = foal_tests::fresh(dialect);
        estore::fill(&db).unwrap_or_else(|e| panic!("{e}"));
        let recorder = Recorder::default();
        let secret = "USA";
        let line = line!() + 2;
        tracing::subscriber::with_default(recorder.clone(), || {
            let q = select!(c.name for c in Customer if c.country == secret);
            let names = q.fetch_all(&db).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(names.len(), 2);
        });
        let seen = recorder.0.lock().unwrap_or_else(|e| e.into_inner());
        let queries: Vec<&Span> = seen.spans.iter().filter(|s| s.name == "foal.query").collect();
        assert_eq!(queries.len(), 1, "on {dialect}: {:?}", seen.spans);
        let span = queries[0];
        let system = match dialect {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgresql",
            Dialect::Mysql => "mysql",
        };
        assert_eq!(span.fields["db.system"], system);
        assert!(span.fields["db.statement"].starts_with("SELECT"), "{:?}", span.fields);
        assert!(
            !span.fields["db.statement"].contains(secret),
            "values never go into spans"
        );
        assert_eq!(span.fields["db.rows"], "2");
        assert!(
            span.fields["code.filepath"].ends_with("tracing.rs"),
            "{:?}",
            span.fields
        );
        assert_eq!(span.fields["code.lineno"], line.to_string());
        assert!(span.fields.contains_key("duration_us"));
        assert!(seen.warnings.is_empty());
    }
}

#[test]
fn a_statement_slower_than_slow_ms_is_a_warning() {
    for dialect in foal_tests::backends() {
        let db = foal_tests::fresh_with(dialect, "slow_ms=0");
        db.create_table::<Customer>().unwrap_or_else(|e| panic!("{e}"));
        let recorder = Recorder::default();
        tracing::subscriber::with_default(recorder.clone(), || {
            let all = select!(c for c in Customer)
                .fetch_all(&db)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(all.is_empty());
        });
        let seen = recorder.0.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(seen.warnings.len(), 1, "on {dialect}");
        assert!(seen.warnings[0]["statement"].starts_with("SELECT"));
        assert!(seen.warnings[0].contains_key("elapsed_ms"));
        assert!(seen.warnings[0]["at"].contains("tracing.rs"));
    }
}
