//! foal's PostgreSQL client against a scripted fake server: a thread on
//! 127.0.0.1 that speaks just enough of the server's side of the wire
//! protocol (startup, the extended protocol's Parse, Describe, Bind,
//! Execute, Close and Sync, simple queries, COPY's first step) to drive
//! real foal calls, and that can cut, corrupt or extend any one of its
//! replies. It needs no real server, so it runs on every backend selection.
//!
//! Every call runs under `catch_unwind` and a watchdog: a panic or a call
//! that takes more than a few seconds fails the test.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use foal::prelude::*;
use foal::{Database, Error};

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Item {
    #[foal(primary_key, auto)]
    pub id: i64,
    pub name: String,
    pub note: Option<String>,
}

/// The same columns as `Item`: a row of one statement that reached the
/// other would decode.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Other {
    #[foal(primary_key)]
    pub id: i64,
    pub name: String,
    pub note: Option<String>,
}

/// The code of an SSLRequest, in place of a startup's protocol version.
const SSL_REQUEST: u32 = 80877103;

const INT4: u32 = 23;
const INT8: u32 = 20;
const TEXT: u32 = 25;

/// The key the fake server returns for an inserted item.
const NEW_KEY: i64 = 42;

fn items() -> Vec<Item> {
    vec![
        Item {
            id: 1,
            name: "apple".into(),
            note: None,
        },
        Item {
            id: 2,
            name: "pear".into(),
            note: Some("ripe".into()),
        },
        Item {
            id: 3,
            name: String::new(),
            note: Some("crème brûlée".into()),
        },
    ]
}

fn others() -> Vec<Other> {
    vec![Other {
        id: 7,
        name: "seven".into(),
        note: Some("other".into()),
    }]
}

// ---------------------------------------------------------------------
// Server messages.

use foal_tests::fake_pg::message;

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

fn authentication_ok() -> Vec<u8> {
    message(b'R', &0i32.to_be_bytes())
}

fn parameter_status(name: &str, value: &str) -> Vec<u8> {
    let mut body = Vec::new();
    cstr(&mut body, name);
    cstr(&mut body, value);
    message(b'S', &body)
}

fn backend_key_data() -> Vec<u8> {
    message(b'K', &[0, 0, 0x30, 0x39, 0x12, 0x34, 0x56, 0x78])
}

fn ready(status: u8) -> Vec<u8> {
    message(b'Z', &[status])
}

fn parse_complete() -> Vec<u8> {
    message(b'1', &[])
}

fn bind_complete() -> Vec<u8> {
    message(b'2', &[])
}

fn close_complete() -> Vec<u8> {
    message(b'3', &[])
}

fn no_data() -> Vec<u8> {
    message(b'n', &[])
}

fn parameter_description(oids: &[u32]) -> Vec<u8> {
    let mut body = (oids.len() as u16).to_be_bytes().to_vec();
    for oid in oids {
        body.extend_from_slice(&oid.to_be_bytes());
    }
    message(b't', &body)
}

fn row_description(columns: &[(&str, u32)]) -> Vec<u8> {
    let mut body = (columns.len() as u16).to_be_bytes().to_vec();
    for (name, oid) in columns {
        cstr(&mut body, name);
        body.extend_from_slice(&0u32.to_be_bytes()); // table
        body.extend_from_slice(&0i16.to_be_bytes()); // column
        body.extend_from_slice(&oid.to_be_bytes());
        body.extend_from_slice(&(-1i16).to_be_bytes()); // size
        body.extend_from_slice(&(-1i32).to_be_bytes()); // modifier
        body.extend_from_slice(&0i16.to_be_bytes()); // format
    }
    message(b'T', &body)
}

fn data_row(values: &[Option<Vec<u8>>]) -> Vec<u8> {
    let mut body = (values.len() as u16).to_be_bytes().to_vec();
    for value in values {
        match value {
            Some(v) => {
                body.extend_from_slice(&(v.len() as i32).to_be_bytes());
                body.extend_from_slice(v);
            }
            None => body.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }
    message(b'D', &body)
}

fn command_complete(tag: &str) -> Vec<u8> {
    let mut body = Vec::new();
    cstr(&mut body, tag);
    message(b'C', &body)
}

fn error_response(code: &str, text: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, value) in [(b'S', "ERROR"), (b'V', "ERROR"), (b'C', code), (b'M', text)] {
        body.push(field);
        cstr(&mut body, value);
    }
    body.push(0);
    message(b'E', &body)
}

fn notice(text: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, value) in [(b'S', "NOTICE"), (b'C', "00000"), (b'M', text)] {
        body.push(field);
        cstr(&mut body, value);
    }
    body.push(0);
    message(b'N', &body)
}

fn notification() -> Vec<u8> {
    let mut body = 77i32.to_be_bytes().to_vec();
    cstr(&mut body, "channel");
    cstr(&mut body, "payload");
    message(b'A', &body)
}

/// CopyInResponse (`G`), CopyOutResponse (`H`) or CopyBothResponse (`W`)
/// for one text column.
fn copy_response(tag: u8) -> Vec<u8> {
    message(tag, &[0, 0, 1, 0, 0])
}

fn item_row(item: &Item) -> Vec<u8> {
    data_row(&[
        Some(item.id.to_be_bytes().to_vec()),
        Some(item.name.as_bytes().to_vec()),
        item.note.as_ref().map(|n| n.as_bytes().to_vec()),
    ])
}

fn other_row(other: &Other) -> Vec<u8> {
    data_row(&[
        Some(other.id.to_be_bytes().to_vec()),
        Some(other.name.as_bytes().to_vec()),
        other.note.as_ref().map(|n| n.as_bytes().to_vec()),
    ])
}

// ---------------------------------------------------------------------
// What the server answers.

/// A prepared statement the server knows, by what its SQL reads.
struct Script {
    params: Vec<u32>,
    columns: Vec<(&'static str, u32)>,
    rows: Vec<Vec<u8>>,
    tag: String,
}

const ITEM_COLUMNS: [(&str, u32); 3] = [("id", INT8), ("name", TEXT), ("note", TEXT)];

/// `item`, `other`, `insert`, or `unknown`.
fn statement_kind(sql: &str) -> &'static str {
    if sql.starts_with("INSERT") && sql.contains("\"item\"") {
        "insert"
    } else if sql.contains("FROM \"other\"") {
        "other"
    } else if sql.contains("FROM \"item\"") {
        "item"
    } else {
        "unknown"
    }
}

fn script(kind: &str) -> Script {
    match kind {
        "item" => Script {
            params: vec![INT8],
            columns: ITEM_COLUMNS.to_vec(),
            rows: items().iter().map(item_row).collect(),
            tag: format!("SELECT {}", items().len()),
        },
        "other" => Script {
            params: Vec::new(),
            columns: ITEM_COLUMNS.to_vec(),
            rows: others().iter().map(other_row).collect(),
            tag: format!("SELECT {}", others().len()),
        },
        "insert" => Script {
            params: vec![TEXT, TEXT],
            columns: vec![("id", INT8)],
            rows: vec![data_row(&[Some(NEW_KEY.to_be_bytes().to_vec())])],
            tag: "INSERT 0 1".into(),
        },
        _ => Script {
            params: Vec::new(),
            columns: Vec::new(),
            rows: Vec::new(),
            tag: "UNKNOWN".into(),
        },
    }
}

/// `select`, `ddl`, `copy-in`, `copy-out`, `begin`, `commit`, `rollback`
/// or `unknown`.
fn query_kind(sql: &str) -> &'static str {
    match sql {
        "SELECT 1" => "select",
        "BEGIN" => "begin",
        "COMMIT" => "commit",
        "ROLLBACK" => "rollback",
        _ if sql.starts_with("CREATE TABLE") => "ddl",
        _ if sql.starts_with("COPY") && sql.ends_with("FROM STDIN") => "copy-in",
        _ if sql.starts_with("COPY") && sql.ends_with("TO STDOUT") => "copy-out",
        _ => "unknown",
    }
}

/// Whether the connection is in a transaction, for ReadyForQuery.
fn status(in_transaction: bool) -> u8 {
    if in_transaction { b'T' } else { b'I' }
}

fn query_reply(kind: &str, in_transaction: &mut bool) -> Vec<Vec<u8>> {
    let tail = |tag: &str, t: bool| vec![command_complete(tag), ready(status(t))];
    match kind {
        "select" => vec![
            row_description(&[("?column?", INT4)]),
            data_row(&[Some(1i32.to_be_bytes().to_vec())]),
            command_complete("SELECT 1"),
            ready(status(*in_transaction)),
        ],
        "ddl" => tail("CREATE TABLE", *in_transaction),
        "begin" => {
            *in_transaction = true;
            tail("BEGIN", true)
        }
        "commit" | "rollback" => {
            *in_transaction = false;
            tail(&kind.to_uppercase(), false)
        }
        "copy-out" => vec![
            copy_response(b'H'),
            message(b'd', b"1\tapple\n"),
            message(b'd', b"2\tpear\n"),
            message(b'c', &[]),
            command_complete("COPY 2"),
            ready(status(*in_transaction)),
        ],
        _ => vec![
            error_response("42601", "the fake server does not know this statement"),
            ready(status(*in_transaction)),
        ],
    }
}

fn startup_reply() -> Vec<Vec<u8>> {
    vec![
        authentication_ok(),
        parameter_status("server_version", "16.0"),
        parameter_status("client_encoding", "UTF8"),
        backend_key_data(),
        ready(b'I'),
    ]
}

// ---------------------------------------------------------------------
// Cases: which reply to alter, and how.

#[derive(Debug, Clone)]
enum Alter {
    /// Sent as scripted.
    Keep,
    /// Only the first n bytes, then the connection closes.
    Truncate(usize),
    /// Bytes replaced at these offsets.
    Set(Vec<(usize, u8)>),
    /// A message added before the message at this index (or at the end).
    Insert(usize, Vec<u8>),
    /// These bytes instead of the reply.
    Raw(Vec<u8>),
}

impl Alter {
    fn apply(&self, messages: &[Vec<u8>]) -> Vec<u8> {
        match self {
            Alter::Keep => messages.concat(),
            Alter::Truncate(n) => {
                let mut bytes = messages.concat();
                bytes.truncate(*n);
                bytes
            }
            Alter::Set(changes) => {
                let mut bytes = messages.concat();
                for &(at, byte) in changes {
                    if let Some(b) = bytes.get_mut(at) {
                        *b = byte;
                    }
                }
                bytes
            }
            Alter::Insert(at, extra) => {
                let mut messages = messages.to_vec();
                messages.insert((*at).min(messages.len()), extra.clone());
                messages.concat()
            }
            Alter::Raw(bytes) => bytes.clone(),
        }
    }
}

/// One run of the client against the server: the reply with label
/// `target` (`startup`, `prepare item`, `execute item`, `query select`…)
/// is altered on every connection; once it is sent the server closes that
/// connection, unless `keep_open`.
struct Case {
    target: String,
    alter: Alter,
    keep_open: bool,
    /// What the server received, for the tests that check it.
    log: Mutex<Vec<String>>,
}

impl Case {
    fn new(target: &str, alter: Alter) -> Case {
        Case {
            target: target.into(),
            alter,
            keep_open: false,
            log: Mutex::new(Vec::new()),
        }
    }

    fn plain() -> Case {
        Case::new("", Alter::Keep)
    }

    fn note(&self, line: String) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

// ---------------------------------------------------------------------
// The server.

struct Server {
    addr: SocketAddr,
    case: Arc<Mutex<Arc<Case>>>,
    connections: Arc<AtomicUsize>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("local_addr: {e}"));
        let case = Arc::new(Mutex::new(Arc::new(Case::plain())));
        let connections = Arc::new(AtomicUsize::new(0));
        let (current, count) = (Arc::clone(&case), Arc::clone(&connections));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let case = Arc::clone(&current.lock().unwrap_or_else(|e| e.into_inner()));
                count.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    let _ = serve(stream, &case);
                });
            }
        });
        Server {
            addr,
            case,
            connections,
        }
    }

    fn url(&self) -> String {
        format!("postgres://user@{}/db?pool_size=1&pool_timeout_ms=3000", self.addr)
    }

    /// Makes `case` the script of the connections opened from now on.
    fn set(&self, case: Case) -> Arc<Case> {
        let case = Arc::new(case);
        *self.case.lock().unwrap_or_else(|e| e.into_inner()) = Arc::clone(&case);
        case
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads the body of one length-prefixed message (the length counts itself).
fn read_body(s: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut len = [0; 4];
    s.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    let mut body = vec![0; len.saturating_sub(4)];
    s.read_exact(&mut body)?;
    Ok(body)
}

fn read_message(s: &mut TcpStream) -> io::Result<(u8, Vec<u8>)> {
    let mut tag = [0];
    s.read_exact(&mut tag)?;
    Ok((tag[0], read_body(s)?))
}

/// A frontend message's fields, read in order.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.0.first().copied().unwrap_or(0);
        self.0 = self.0.get(1..).unwrap_or_default();
        b
    }

    fn cstr(&mut self) -> String {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        let s = String::from_utf8_lossy(&self.0[..end]).into_owned();
        self.0 = self.0.get(end + 1..).unwrap_or_default();
        s
    }
}

/// Sends a reply, altered if it is the case's target; `false` once the
/// connection is to close.
fn deliver(s: &mut TcpStream, case: &Case, label: &str, messages: &[Vec<u8>]) -> io::Result<bool> {
    if label != case.target {
        s.write_all(&messages.concat())?;
        return Ok(true);
    }
    s.write_all(&case.alter.apply(messages))?;
    if case.keep_open || matches!(case.alter, Alter::Keep) {
        return Ok(true);
    }
    s.shutdown(Shutdown::Write)?;
    // Read what the client still sends until it closes, so it never
    // meets a reset instead of the end of the stream.
    let mut sink = [0; 4096];
    while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    Ok(false)
}

fn serve(mut s: TcpStream, case: &Case) -> io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.set_nodelay(true)?;
    let mut startup = read_body(&mut s)?;
    // sslmode=prefer, the default, asks for TLS first: no TLS here.
    if startup == SSL_REQUEST.to_be_bytes() {
        case.note("ssl request".into());
        s.write_all(b"N")?;
        startup = read_body(&mut s)?;
    }
    let mut fields = Fields(startup.get(4..).unwrap_or_default());
    let mut params = Vec::new();
    loop {
        let key = fields.cstr();
        if key.is_empty() {
            break;
        }
        params.push(format!("{key}={}", fields.cstr()));
    }
    case.note(format!("startup {}", params.join(" ")));
    if !deliver(&mut s, case, "startup", &startup_reply())? {
        return Ok(());
    }
    let mut statements: HashMap<String, String> = HashMap::new();
    let mut in_transaction = false;
    let mut batch: Vec<Vec<u8>> = Vec::new();
    let mut label: Option<String> = None;
    let mut portal = String::new();
    loop {
        let (tag, body) = read_message(&mut s)?;
        let mut f = Fields(&body);
        match tag {
            b'P' => {
                let name = f.cstr();
                let sql = f.cstr();
                case.note(format!("parse {sql}"));
                label.get_or_insert(format!("prepare {}", statement_kind(&sql)));
                statements.insert(name, sql);
                batch.push(parse_complete());
            }
            b'D' => {
                f.byte();
                let sql = statements.get(&f.cstr()).cloned().unwrap_or_default();
                let script = script(statement_kind(&sql));
                batch.push(parameter_description(&script.params));
                batch.push(if script.columns.is_empty() {
                    no_data()
                } else {
                    row_description(&script.columns)
                });
            }
            b'B' => {
                f.cstr();
                portal = statements.get(&f.cstr()).cloned().unwrap_or_default();
                label = Some(format!("execute {}", statement_kind(&portal)));
                batch.push(bind_complete());
            }
            b'E' => {
                let script = script(statement_kind(&portal));
                batch.extend(script.rows);
                batch.push(command_complete(&script.tag));
            }
            b'C' => {
                label.get_or_insert("close".into());
                batch.push(close_complete());
            }
            b'S' => {
                batch.push(ready(status(in_transaction)));
                let label = label.take().unwrap_or_else(|| "sync".into());
                if !deliver(&mut s, case, &label, &batch)? {
                    return Ok(());
                }
                batch.clear();
            }
            b'Q' => {
                let sql = f.cstr();
                case.note(format!("query {sql}"));
                let kind = query_kind(&sql);
                let label = format!("query {kind}");
                if kind == "copy-in" {
                    if !deliver(&mut s, case, &label, &[copy_response(b'G')])? {
                        return Ok(());
                    }
                    if !copy_in(&mut s, case, in_transaction)? {
                        return Ok(());
                    }
                } else if !deliver(&mut s, case, &label, &query_reply(kind, &mut in_transaction))? {
                    return Ok(());
                }
            }
            b'X' => return Ok(()),
            b'H' => {}
            other => case.note(format!("unexpected message `{}`", other as char)),
        }
    }
}

/// After CopyInResponse: the client's CopyFail ends the COPY with an error.
fn copy_in(s: &mut TcpStream, case: &Case, in_transaction: bool) -> io::Result<bool> {
    loop {
        let (tag, body) = read_message(s)?;
        match tag {
            b'f' => {
                let text = Fields(&body).cstr();
                case.note(format!("copy fail {text}"));
                let reply = [
                    error_response("57014", &format!("COPY from stdin failed: {text}")),
                    ready(status(in_transaction)),
                ];
                return deliver(s, case, "copy fail", &reply);
            }
            b'd' => case.note("copy data".into()),
            b'c' => {
                case.note("copy done".into());
                let reply = [command_complete("COPY 0"), ready(status(in_transaction))];
                return deliver(s, case, "copy done", &reply);
            }
            b'X' => return Ok(false),
            other => case.note(format!("unexpected message `{}` in COPY", other as char)),
        }
    }
}

// ---------------------------------------------------------------------
// Calls under a watchdog.

/// How long a call may take before the test fails as hung.
const HANG: Duration = Duration::from_secs(5);

type Watches = Mutex<HashMap<u64, (Instant, String)>>;

/// The fuzz run and case under way, for the messages of a hang or a panic.
static CASE: Mutex<String> = Mutex::new(String::new());

fn current_case() -> String {
    CASE.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

fn watches() -> &'static Watches {
    static WATCHES: OnceLock<Watches> = OnceLock::new();
    WATCHES.get_or_init(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(Duration::from_millis(100));
                let hung = watches()
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .values()
                    .find(|(start, _)| start.elapsed() > HANG)
                    .map(|(_, what)| what.clone());
                if let Some(what) = hung {
                    // Past the test harness's capture, which exit would lose.
                    let _ = writeln!(
                        io::stderr(),
                        "HUNG: {what} has not returned after {HANG:?} {}",
                        current_case()
                    );
                    std::process::exit(101);
                }
            }
        });
        Mutex::new(HashMap::new())
    })
}

/// Runs `f`, failing the test on a panic or when it does not return
/// within `HANG`.
fn call<T>(what: &str, f: impl FnOnce() -> T) -> T {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed) as u64;
    watches()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, (Instant::now(), what.to_owned()));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    watches().lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    match outcome {
        Ok(value) => value,
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("{what} panicked: {text} {}", current_case())
        }
    }
}

fn open(server: &Server) -> foal::Result<Database> {
    call("Database::open", || Database::open(&server.url()))
}

fn select_items(db: &Database) -> foal::Result<Vec<Item>> {
    let min = 0i64;
    call("select items", || select!(i for i in Item if i.id >= min).fetch_all(db))
}

fn select_others(db: &Database) -> foal::Result<Vec<Other>> {
    call("select others", || select!(o for o in Other).fetch_all(db))
}

fn insert_item(db: &Database) -> foal::Result<Item> {
    call("insert", || {
        db.insert(Item {
            id: 0,
            name: "plum".into(),
            note: Some("new".into()),
        })
    })
}

fn sql(db: &Database, text: &str) -> foal::Result<()> {
    call(text, || db.execute_sql(text))
}

#[allow(clippy::panic)]
fn ok<T>(what: &str, result: foal::Result<T>) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e}"))
}

// ---------------------------------------------------------------------
// Tests.

#[test]
fn well_formed_replies_give_the_rows_sent() {
    let server = Server::start();
    let case = server.set(Case::plain());
    let db = ok("open", open(&server));
    assert_eq!(ok("select", select_items(&db)), items());
    // The second run uses the prepared statement.
    assert_eq!(ok("select again", select_items(&db)), items());
    ok("SELECT 1", sql(&db, "SELECT 1"));
    ok("CREATE TABLE", sql(&db, "CREATE TABLE scratch (x int8)"));
    assert_eq!(ok("insert", insert_item(&db)).id, NEW_KEY);
    assert_eq!(ok("select others", select_others(&db)), others());
    let _: Vec<Other> = ok(
        "transaction",
        call("transaction", || {
            db.transaction(|tx| select!(o for o in Other).fetch_all(tx))
        }),
    );
    assert_eq!(server.connections(), 1, "{:?}", case.log());
    let log = case.log();
    assert_eq!(log[0], "ssl request", "sslmode=prefer asks for TLS first: {log:?}");
    assert!(
        log[1].contains("user=user") && log[1].contains("database=db"),
        "{log:?}"
    );
    eprintln!("{}", log.join("\n"));
}

#[test]
fn url_errors_do_not_show_the_password() {
    for url in [
        "postgres://ann:hunter2%zz@localhost/db",
        "postgres://ann:hunter2%C3@localhost/db",
        // An unescaped `/`, `?` or `#` ends the authority early, so part of
        // the password is read as a port or an option.
        "postgres://ann:hun/ter2@localhost/db",
        "postgres://ann:hun?ter2@localhost/db",
        "postgres://ann:hunter2@localhost:54x32/db",
        "postgres://localhost/db?password=hunter2%zz",
        "postgres://localhost/db?user=ann&password=hunter2&sslmode=requir",
    ] {
        let message = match call("open", || Database::open(url)) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{url} opened"),
        };
        for fragment in ["hunter2", "hun", "ter2"] {
            assert!(!message.contains(fragment), "{url}: {message}");
        }
        assert!(message.contains("PostgreSQL URL"), "{url}: {message}");
    }
}

/// A case whose target reply is replaced by `bytes`, the connection kept
/// open after it (a client that waited for more would hang).
fn replaced(target: &str, bytes: Vec<u8>) -> Case {
    Case {
        keep_open: true,
        ..Case::new(target, Alter::Raw(bytes))
    }
}

#[test]
fn message_lengths_from_the_server_are_bounded() {
    let server = Server::start();
    // 4 GiB, 300 MiB (over the limit of 256 MiB), 3 (below the header's
    // own 4), and 0.
    for length in [0xFFFF_FFF0u32, 300 << 20, 3, 0] {
        let mut reply = bind_complete();
        reply.push(b'D');
        reply.extend_from_slice(&length.to_be_bytes());
        server.set(replaced("execute item", reply));
        let db = ok("open", open(&server));
        let started = Instant::now();
        let message = match select_items(&db) {
            Err(e) => e.to_string(),
            Ok(rows) => panic!("length {length}: {rows:?}"),
        };
        assert!(started.elapsed() < Duration::from_secs(1), "length {length}: {message}");
        assert!(message.contains("message length"), "length {length}: {message}");
        // The connection is dropped: the next call opens another one.
        let before = server.connections();
        server.set(Case::plain());
        assert_eq!(ok("select after", select_items(&db)), items());
        assert_eq!(server.connections(), before + 1);
    }
    // A large row is read whole.
    let big = Item {
        id: 9,
        name: "x".repeat(3 << 20),
        note: None,
    };
    let mut reply = vec![bind_complete(), item_row(&big)];
    reply.extend([command_complete("SELECT 1"), ready(b'I')]);
    server.set(replaced("execute item", reply.concat()));
    let db = ok("open", open(&server));
    assert_eq!(ok("select big", select_items(&db)), [big]);
}

/// A case whose target reply gets `message` before its message number
/// `at`, the rest of the reply following on the open connection.
fn injected(target: &str, at: usize, message: Vec<u8>) -> Case {
    Case {
        keep_open: true,
        ..Case::new(target, Alter::Insert(at, message))
    }
}

fn unknown_message() -> Vec<u8> {
    message(b'q', b"?")
}

#[test]
fn a_request_on_a_connection_out_of_step_is_refused() {
    let server = Server::start();
    // A message the client cannot read, in the middle of the rows of a
    // statement inside a transaction; the rest of the reply follows.
    server.set(injected("execute item", 2, unknown_message()));
    let db = ok("open", open(&server));
    let mut seen = None;
    let committed = call("transaction", || {
        db.transaction(|tx| {
            let min = 0i64;
            let first = select!(i for i in Item if i.id >= min).fetch_all(tx);
            // The caller goes on after the error: the connection must not
            // read the rest of the first reply as the second's.
            let second = select!(o for o in Other).fetch_all(tx);
            seen = Some((first, second));
            Ok(())
        })
    });
    // COMMIT is refused too.
    assert!(committed.is_err_and(|e| e.to_string().contains("out of step")));
    let Some((first, second)) = seen else {
        panic!("the transaction did not run")
    };
    assert!(first.is_err(), "{first:?}");
    match second {
        Err(e) => assert!(e.to_string().contains("out of step"), "{e}"),
        Ok(rows) => panic!("the second statement read {rows:?}"),
    }
    // The pool dropped the connection: the next call opens another.
    server.set(Case::plain());
    assert_eq!(ok("select after", select_items(&db)), items());
    assert_eq!(server.connections(), 2);
}

#[test]
fn unexpected_messages_in_a_reply_are_errors() {
    let server = Server::start();
    let item = item_row(&items()[0]);
    let columns = row_description(&ITEM_COLUMNS);
    let cases = [
        // ParseComplete, ParameterDescription, RowDescription, Ready
        ("prepare item", 1, item.clone()),
        ("prepare item", 3, columns.clone()),
        ("prepare item", 2, no_data()),
        ("prepare item", 0, bind_complete()),
        ("prepare item", 1, copy_response(b'G')),
        ("prepare item", 3, unknown_message()),
        // BindComplete, three DataRows, CommandComplete, Ready
        ("execute item", 0, item.clone()),
        ("execute item", 1, columns.clone()),
        ("execute item", 2, copy_response(b'H')),
        ("execute item", 1, copy_response(b'G')),
        ("execute item", 1, copy_response(b'W')),
        ("execute item", 1, parse_complete()),
        ("execute item", 2, ready(b'I')),
        ("execute item", 5, item.clone()),
        ("execute item", 3, message(b's', &[])),
        ("execute item", 3, unknown_message()),
        // RowDescription, DataRow, CommandComplete, Ready
        ("query select", 0, data_row(&[Some(vec![0, 0, 0, 1])])),
        ("query select", 1, row_description(&[("?column?", INT4)])),
        ("query select", 0, bind_complete()),
        ("query select", 3, data_row(&[Some(vec![0, 0, 0, 1])])),
        ("query select", 2, message(b'd', b"1\n")),
        ("query select", 1, unknown_message()),
    ];
    for (target, at, extra) in cases {
        let tag = extra[0] as char;
        server.set(injected(target, at, extra));
        let db = ok("open", open(&server));
        let before = server.connections();
        let outcome = match target {
            "query select" => sql(&db, "SELECT 1").map(|()| Vec::new()),
            _ => select_items(&db),
        };
        match outcome {
            Err(e) => assert!(
                !matches!(e, Error::ConnectionLost { .. }),
                "{target}, `{tag}` at {at}: {e}"
            ),
            Ok(rows) => panic!("{target}, `{tag}` at {at}: {rows:?}"),
        }
        // The connection is dropped, the next call opens another one.
        server.set(Case::plain());
        assert_eq!(
            ok("select after", select_items(&db)),
            items(),
            "{target}, `{tag}` at {at}"
        );
        assert_eq!(server.connections(), before + 1, "{target}, `{tag}` at {at}");
    }
}

#[test]
fn messages_that_may_come_at_any_time_are_skipped() {
    let server = Server::start();
    for extra in [
        notice("hello"),
        parameter_status("application_name", "x"),
        notification(),
    ] {
        for (target, messages) in [("prepare item", 4), ("execute item", 6), ("query select", 4)] {
            for at in 0..=messages {
                let case = server.set(injected(target, at, extra.clone()));
                let db = ok("open", open(&server));
                let rows = select_items(&db);
                ok("SELECT 1", sql(&db, "SELECT 1"));
                assert_eq!(ok("select", rows), items(), "{target} at {at}: {:?}", case.log());
                assert_eq!(ok("select others", select_others(&db)), others());
            }
        }
    }
}

#[test]
fn copy_through_execute_sql_is_refused_and_the_connection_stays_usable() {
    let server = Server::start();
    let case = server.set(Case::plain());
    let db = ok("open", open(&server));
    for statement in ["COPY item FROM STDIN", "COPY item TO STDOUT"] {
        match sql(&db, statement) {
            Err(e @ Error::Unsupported { .. }) => {
                let construct = statement.replace(" item", " …");
                assert!(e.to_string().contains(&construct), "{e}");
            }
            other => panic!("{statement}: {other:?}"),
        }
        assert_eq!(ok("select after", select_items(&db)), items());
    }
    assert!(
        case.log().contains(&"copy fail foal does not run COPY".to_owned()),
        "{:?}",
        case.log()
    );
    assert_eq!(server.connections(), 1);
}

// ---------------------------------------------------------------------
// The fuzz-style test: every reply of a run of calls cut at every byte,
// corrupted at random, and given an unexpected message at every place.

/// A small seeded generator (xorshift64*), so a failing run can be
/// repeated with `FOAL_FUZZ_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn prepare_reply(kind: &str) -> Vec<Vec<u8>> {
    let script = script(kind);
    let columns = if script.columns.is_empty() {
        no_data()
    } else {
        row_description(&script.columns)
    };
    vec![
        parse_complete(),
        parameter_description(&script.params),
        columns,
        ready(b'I'),
    ]
}

fn execute_reply(kind: &str) -> Vec<Vec<u8>> {
    let script = script(kind);
    let mut reply = vec![bind_complete()];
    reply.extend(script.rows);
    reply.extend([command_complete(&script.tag), ready(b'I')]);
    reply
}

/// Every reply of a run, by label, as the server sends it.
fn replies() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    vec![
        ("startup", startup_reply()),
        ("prepare item", prepare_reply("item")),
        ("execute item", execute_reply("item")),
        ("query select", query_reply("select", &mut false)),
        ("query ddl", query_reply("ddl", &mut false)),
        ("prepare insert", prepare_reply("insert")),
        ("execute insert", execute_reply("insert")),
        ("query copy-out", query_reply("copy-out", &mut false)),
        ("query copy-in", vec![copy_response(b'G')]),
        (
            "copy fail",
            vec![
                error_response("57014", "COPY from stdin failed: foal does not run COPY"),
                ready(b'I'),
            ],
        ),
        ("prepare other", prepare_reply("other")),
        ("execute other", execute_reply("other")),
    ]
}

/// The step of a run that reads the reply `label`.
fn step_of(label: &str) -> usize {
    match label {
        "startup" => 0,
        "prepare item" | "execute item" => 1,
        "query select" => 2,
        "query ddl" => 3,
        "prepare insert" | "execute insert" => 4,
        "query copy-out" => 5,
        "query copy-in" | "copy fail" => 6,
        _ => 7,
    }
}

/// What a step of a run returned, comparable with what it should.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Opened,
    Items(Vec<Item>),
    Done,
    Inserted(Item),
    Others(Vec<Other>),
}

/// The calls of a run: each step's outcome, up to the first that cannot
/// go on (a failed open).
fn run(server: &Server) -> Vec<foal::Result<Seen>> {
    let db = match open(server) {
        Ok(db) => db,
        Err(e) => return vec![Err(e)],
    };
    vec![
        Ok(Seen::Opened),
        select_items(&db).map(Seen::Items),
        sql(&db, "SELECT 1").map(|()| Seen::Done),
        sql(&db, "CREATE TABLE scratch (x int8)").map(|()| Seen::Done),
        insert_item(&db).map(Seen::Inserted),
        sql(&db, "COPY item TO STDOUT").map(|()| Seen::Done),
        sql(&db, "COPY item FROM STDIN").map(|()| Seen::Done),
        select_others(&db).map(Seen::Others),
    ]
}

fn inserted(id: i64) -> Item {
    Item {
        id,
        name: "plum".into(),
        note: Some("new".into()),
    }
}

/// What each step returns when every reply is as scripted; `None` for a
/// step that must fail (COPY).
fn truth() -> Vec<Option<Seen>> {
    vec![
        Some(Seen::Opened),
        Some(Seen::Items(items())),
        Some(Seen::Done),
        Some(Seen::Done),
        Some(Seen::Inserted(inserted(NEW_KEY))),
        None,
        None,
        Some(Seen::Others(others())),
    ]
}

/// The messages of a reply up to its first ReadyForQuery, as (tag, body);
/// `None` when it ends before one, or a length is not a message's.
fn split(mut bytes: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut messages = Vec::new();
    loop {
        let len = u32::from_be_bytes(bytes.get(1..5)?.try_into().ok()?) as usize;
        let body = bytes.get(5..len.checked_add(1)?).filter(|_| len >= 4)?;
        messages.push((bytes[0], body));
        if bytes[0] == b'Z' {
            return Some(messages);
        }
        bytes = &bytes[len + 1..];
    }
}

/// `body` is one NUL-terminated string and nothing else.
fn one_cstr(body: &[u8]) -> bool {
    body.iter().position(|&b| b == 0) == Some(body.len().wrapping_sub(1))
}

/// Whether the reply ends with its first ReadyForQuery (nothing is left
/// for the next request to meet).
fn ends_at_ready(bytes: &[u8]) -> bool {
    split(bytes).is_some_and(|messages| messages.iter().map(|(_, body)| body.len() + 5).sum::<usize>() == bytes.len())
}

/// Whether a correct client must accept this startup reply: it
/// authenticates, and every message is whole and in its place.
fn startup_accepted(bytes: &[u8]) -> bool {
    let Some(messages) = split(bytes) else { return false };
    let mut authenticated = false;
    for (tag, body) in messages {
        match (tag, body) {
            (b'R', [0, 0, 0, 0]) => authenticated = true,
            (b'K', body) if authenticated && body.len() == 8 => {}
            (b'Z', body) => return authenticated && ready_body(body),
            (tag, body) if asynchronous(tag, body) == Some(true) => {}
            _ => return false,
        }
    }
    false
}

/// Whether a message may come anywhere, and parses: notice, parameter
/// status, notification.
fn asynchronous(tag: u8, body: &[u8]) -> Option<bool> {
    let two_cstrs = |body: &[u8]| {
        let first = body.iter().position(|&b| b == 0)?;
        Some(one_cstr(&body[first + 1..]))
    };
    match tag {
        b'N' => Some(true),
        b'S' => two_cstrs(body).filter(|&ok| ok),
        b'A' => body.get(4..).and_then(two_cstrs).filter(|&ok| ok),
        _ => Some(false),
    }
}

fn ready_body(body: &[u8]) -> bool {
    matches!(body, [b'I' | b'T' | b'E'])
}

#[derive(Clone, Copy)]
enum Col {
    Int,
    Text,
    OptText,
}

#[derive(Debug, PartialEq)]
enum Val {
    Int(i64),
    Text(Option<String>),
}

/// The values of a DataRow as a correct client decodes them into `cols`,
/// `None` where it must fail.
fn decode_row(body: &[u8], cols: &[Col]) -> Option<Vec<Val>> {
    let count = u16::from_be_bytes(body.get(0..2)?.try_into().ok()?) as usize;
    if count != cols.len() {
        return None;
    }
    let mut at = 2;
    let mut values = Vec::new();
    for col in cols {
        let len = i32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?);
        at += 4;
        let raw = match len {
            -1 => None,
            n if n < 0 => return None,
            n => {
                let raw = body.get(at..at + n as usize)?;
                at += n as usize;
                Some(raw)
            }
        };
        values.push(match (col, raw) {
            (Col::Int, Some(raw)) => Val::Int(i64::from_be_bytes(raw.try_into().ok()?)),
            (Col::Text | Col::OptText, Some(raw)) => Val::Text(Some(String::from_utf8(raw.to_vec()).ok()?)),
            (Col::OptText, None) => Val::Text(None),
            (_, None) => return None,
        });
    }
    (at == body.len()).then_some(values)
}

/// The rows a correct client returns for the reply to Bind, Execute and
/// Sync, `None` where it must fail.
fn expected_rows(bytes: &[u8], cols: &[Col]) -> Option<Vec<Vec<Val>>> {
    let mut rows = Vec::new();
    let mut step = 0; // BindComplete, rows, CommandComplete, ReadyForQuery
    for (tag, body) in split(bytes)? {
        if asynchronous(tag, body)? {
            continue;
        }
        step = match (step, tag) {
            (0, b'2') if body.is_empty() => 1,
            (1, b'D') => {
                rows.push(decode_row(body, cols)?);
                1
            }
            (1, b'C') if one_cstr(body) => {
                let tag = std::str::from_utf8(&body[..body.len() - 1]).ok()?;
                let count = tag.rsplit(' ').next().and_then(|n| n.parse::<u64>().ok());
                if count.is_some_and(|n| n != rows.len() as u64) {
                    return None;
                }
                2
            }
            (1, b'I') if body.is_empty() => 2,
            (2, b'Z') if ready_body(body) => return Some(rows),
            _ => return None,
        };
    }
    None
}

/// The parameter and column types of a reply to Parse, Describe and Sync,
/// `None` where a correct client must fail.
fn expected_types(bytes: &[u8]) -> Option<(Vec<u32>, Vec<u32>)> {
    let (mut params, mut columns) = (Vec::new(), Vec::new());
    let mut step = 0;
    let u32_at = |body: &[u8], at: usize| Some(u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?));
    for (tag, body) in split(bytes)? {
        if asynchronous(tag, body)? {
            continue;
        }
        step = match (step, tag) {
            (0, b'1') if body.is_empty() => 1,
            (1, b't') => {
                let n = u16::from_be_bytes(body.get(0..2)?.try_into().ok()?) as usize;
                if body.len() != 2 + 4 * n {
                    return None;
                }
                params = (0..n).map(|i| u32_at(body, 2 + 4 * i)).collect::<Option<_>>()?;
                2
            }
            (2, b'T') => {
                let n = u16::from_be_bytes(body.get(0..2)?.try_into().ok()?) as usize;
                let mut at = 2;
                for _ in 0..n {
                    let end = at + body.get(at..)?.iter().position(|&b| b == 0)?;
                    std::str::from_utf8(&body[at..end]).ok()?;
                    columns.push(u32_at(body, end + 7)?);
                    at = end + 19;
                }
                if at != body.len() {
                    return None;
                }
                3
            }
            (2, b'n') if body.is_empty() => 3,
            (3, b'Z') if ready_body(body) => return Some((params, columns)),
            _ => return None,
        };
    }
    None
}

/// Whether a correct client may accept this reply to a simple query
/// (which returns no rows to the caller).
fn simple_accepted(bytes: &[u8]) -> bool {
    let Some(messages) = split(bytes) else { return false };
    // Rows of a statement come after its RowDescription, and at least one
    // statement's reply (if only EmptyQueryResponse) before ReadyForQuery.
    let (mut in_rows, mut replied) = (false, false);
    for (tag, body) in messages {
        match asynchronous(tag, body) {
            None => return false,
            Some(true) => continue,
            Some(false) => {}
        }
        in_rows = match (in_rows, tag) {
            (false, b'T') | (true, b'D') if body.len() >= 2 => true,
            (_, b'C') if one_cstr(body) => false,
            (false, b'I') if body.is_empty() => false,
            (false, b'Z') if ready_body(body) => return replied,
            _ => return false,
        };
        replied |= !in_rows;
    }
    false
}

fn items_of(rows: Vec<Vec<Val>>) -> Option<Vec<Item>> {
    rows.into_iter()
        .map(|row| match <[Val; 3]>::try_from(row).ok()? {
            [Val::Int(id), Val::Text(Some(name)), Val::Text(note)] => Some(Item { id, name, note }),
            _ => None,
        })
        .collect()
}

const ITEM_COLS: [Col; 3] = [Col::Int, Col::Text, Col::OptText];

/// What the step that reads `label` may return for these reply bytes:
/// `Err(())` when it must fail, `Ok(None)` when it may fail or return the
/// truth, `Ok(Some(seen))` when it must fail or return exactly that.
fn allowed(label: &str, bytes: &[u8]) -> Result<Option<Seen>, ()> {
    let truth = truth().swap_remove(step_of(label));
    match label {
        "startup" => Ok(truth),
        "prepare item" | "prepare insert" | "prepare other" => {
            expected_types(bytes).ok_or(())?;
            Ok(truth)
        }
        "execute item" => {
            let rows = expected_rows(bytes, &ITEM_COLS).ok_or(())?;
            Ok(Some(Seen::Items(items_of(rows).ok_or(())?)))
        }
        "execute other" => {
            let rows = expected_rows(bytes, &ITEM_COLS).ok_or(())?;
            let others = items_of(rows).ok_or(())?;
            let others = others.into_iter().map(|i| Other {
                id: i.id,
                name: i.name,
                note: i.note,
            });
            Ok(Some(Seen::Others(others.collect())))
        }
        "execute insert" => {
            let rows = expected_rows(bytes, &[Col::Int]).ok_or(())?;
            let key = match rows.first().map(|r| &r[..]) {
                Some([Val::Int(key)]) => *key,
                _ => 0,
            };
            Ok(Some(Seen::Inserted(inserted(key))))
        }
        "query select" | "query ddl" if simple_accepted(bytes) => Ok(truth),
        _ => Err(()),
    }
}

/// Runs the calls against a reply altered as `case` says, and checks
/// every outcome; `Err` describes a wrong one.
fn check(server: &Server, mut case: Case, replies: &[(&str, Vec<Vec<u8>>)]) -> Result<&'static str, String> {
    let target = case.target.clone();
    // The step that reads the altered reply (none for a plain run).
    let step = match case.alter {
        Alter::Keep => usize::MAX,
        _ => step_of(&target),
    };
    let messages = replies
        .iter()
        .find(|(label, _)| *label == target)
        .map_or(&[][..], |(_, m)| m.as_slice());
    let bytes = case.alter.apply(messages);
    let mut must = match &case.alter {
        Alter::Truncate(_) => Err(()),
        _ => allowed(&target, &bytes),
    };
    // A reply that a correct client accepts whole leaves the connection
    // in step: the server keeps it open, and every later call must work.
    let in_step = match target.as_str() {
        "startup" => startup_accepted(&bytes),
        _ => must.is_ok(),
    };
    case.keep_open |= !matches!(case.alter, Alter::Truncate(_)) && in_step && ends_at_ready(&bytes);
    let keep_open = case.keep_open;
    let description = format!("{target} {:?}", case.alter);
    *CASE.lock().unwrap_or_else(|e| e.into_inner()) = format!("(case {description}; {})", seed_note());
    server.set(case);
    let outcomes = run(server);
    let truth = truth();
    let mut verdict = if step == usize::MAX { "as scripted" } else { "error" };
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let wrong =
            |why: &str, outcome: &foal::Result<Seen>| Err(format!("{description}: step {i} {why}: {outcome:?}"));
        let expected = if i == step {
            std::mem::replace(&mut must, Ok(None))
        } else {
            truth[i].clone().map(Some).ok_or(())
        };
        match (&outcome, expected) {
            (Err(_), Err(())) => {}
            (Ok(_), Err(())) => return wrong("must fail", &outcome),
            (Ok(seen), Ok(Some(want))) if *seen != want => return wrong(&format!("must return {want:?}"), &outcome),
            (Ok(_), Ok(_)) if i == step => verdict = "accepted",
            (Ok(_), Ok(_)) => {}
            // Before the altered reply every call succeeds, and after a
            // reply the connection stayed open for, too.
            (Err(_), Ok(_)) if i < step || (keep_open && i > step) => return wrong("must succeed", &outcome),
            (Err(_), Ok(_)) => {}
        }
    }
    Ok(verdict)
}

/// Messages to put where they do not belong (and three that may come
/// anywhere).
fn intruders() -> Vec<(Vec<u8>, bool)> {
    let unexpected = [
        item_row(&items()[0]),
        row_description(&ITEM_COLUMNS),
        copy_response(b'G'),
        copy_response(b'H'),
        copy_response(b'W'),
        parse_complete(),
        bind_complete(),
        close_complete(),
        no_data(),
        parameter_description(&[INT8]),
        command_complete("SELECT 1"),
        message(b's', &[]),
        message(b'I', &[]),
        message(b'd', b"x"),
        ready(b'I'),
        authentication_ok(),
        backend_key_data(),
        error_response("XX000", "injected"),
        unknown_message(),
    ];
    let benign = [
        notice("injected"),
        parameter_status("application_name", "x"),
        notification(),
    ];
    let mut all: Vec<_> = unexpected.into_iter().map(|m| (m, false)).collect();
    all.extend(benign.into_iter().map(|m| (m, true)));
    all
}

static SEED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn seed_note() -> String {
    let seed = SEED.load(Ordering::Relaxed);
    format!("seed {seed}, FOAL_FUZZ_SEED={seed} repeats the run")
}

#[test]
fn cut_corrupted_and_extended_replies_give_errors_never_wrong_rows() {
    let seed = std::env::var("FOAL_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    SEED.store(seed, Ordering::Relaxed);
    // Past the harness's capture: a hang ends the process.
    let _ = writeln!(io::stderr(), "pg_protocol fuzz: {}", seed_note());
    let mut rng = Rng(seed);
    let server = Server::start();
    let replies = replies();
    let started = Instant::now();
    let mut counts = std::collections::BTreeMap::new();
    let mut tally = |kind: &str, result: Result<&str, String>| match result {
        Ok(verdict) => *counts.entry(format!("{kind}, {verdict}")).or_insert(0usize) += 1,
        Err(why) => panic!("seed {seed}, {kind}: {why}"),
    };
    // (a) As scripted: the reference decoders agree with the truth.
    for (label, messages) in &replies {
        let bytes = messages.concat();
        let must = allowed(label, &bytes);
        let truth = truth().swap_remove(step_of(label));
        assert_eq!(must.ok().flatten(), truth, "{label}");
    }
    tally("well-formed", check(&server, Case::plain(), &replies));
    // (b) Cut at every byte.
    for (label, messages) in &replies {
        for n in 0..messages.concat().len() {
            tally(
                "truncated",
                check(&server, Case::new(label, Alter::Truncate(n)), &replies),
            );
        }
    }
    // (d) An unexpected message at every place.
    for (label, messages) in &replies {
        for at in 0..=messages.len() {
            for (extra, benign) in intruders() {
                let case = Case {
                    keep_open: benign,
                    ..Case::new(label, Alter::Insert(at, extra))
                };
                tally("injected", check(&server, case, &replies));
            }
        }
    }
    // (c) Random bytes changed.
    for _ in 0..3000 {
        let (label, messages) = &replies[rng.below(replies.len())];
        let len = messages.concat().len();
        let changes = (0..1 + rng.below(3))
            .map(|_| {
                let at = rng.below(len);
                let byte = match rng.below(3) {
                    0 => messages.concat()[at] ^ (1 << rng.below(8)),
                    1 => [0, 1, 0xFF, 0x7F, 0x80, b'D', b'Z', b'N', b'C', b'T', b'E', b'S'][rng.below(12)],
                    _ => rng.next() as u8,
                };
                (at, byte)
            })
            .collect();
        tally(
            "mutated",
            check(&server, Case::new(label, Alter::Set(changes)), &replies),
        );
    }
    eprintln!("pg_protocol fuzz: {counts:?} in {:?}", started.elapsed());
}
