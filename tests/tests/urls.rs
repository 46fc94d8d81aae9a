//! No database URL, however malformed, makes `Database::open` panic: it
//! opens the database or returns an error.
//!
//! Random URLs of each scheme (valid ones, mutated: percent escapes,
//! broken escapes, huge ports, empty hosts, IPv6 brackets, repeated `?`,
//! `&` and `=`, every option key of every driver with random values) and
//! random strings are opened under `catch_unwind`. No URL reaches a real
//! server or the network: hosts are loopback addresses, ports are one
//! where nothing listens, a stand-in MySQL server that offers TLS in its
//! greeting (where a driver that cannot speak TLS used to panic), and one
//! that hangs up at once; SQLite opens memory databases and files in a
//! temporary directory only.
//!
//! The run's seed is printed; rerun one with `FOAL_PROPTEST_SEED=<seed>`.
//! `FOAL_PROPTEST_CASES` changes the number of URLs per scheme family
//! (default 3000).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use foal::{Database, Dialect, Error};

// --------------------------------------------------------------- servers

/// A loopback port where nothing listens (bound, then let go).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("cannot find a free port: {e}"))
}

/// Serves every connection on a thread of its own, for the rest of the
/// test process.
fn serve(handle: fn(TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot listen: {e}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || handle(stream));
        }
    });
    port
}

/// A MySQL server's greeting (protocol 10) that offers TLS: what a server
/// configured with certificates sends.
fn greeting() -> Vec<u8> {
    // LONG_PASSWORD, FOUND_ROWS, LONG_FLAG, CONNECT_WITH_DB, PROTOCOL_41,
    // SSL, TRANSACTIONS, SECURE_CONNECTION; MULTI_STATEMENTS, MULTI_RESULTS,
    // PS_MULTI_RESULTS, PLUGIN_AUTH, CONNECT_ATTRS, PLUGIN_AUTH_LENENC.
    let capabilities: u32 = 0x0001 | 0x0002 | 0x0004 | 0x0008 | 0x0200 | 0x0800 | 0x2000 | 0x8000 | 0x003F_0000;
    let mut payload = vec![10];
    payload.extend_from_slice(b"8.0.99-stand-in\0");
    payload.extend_from_slice(&7u32.to_le_bytes());
    payload.extend_from_slice(b"abcdefgh\0");
    payload.extend_from_slice(&(capabilities as u16).to_le_bytes());
    payload.push(45); // utf8mb4_general_ci
    payload.extend_from_slice(&2u16.to_le_bytes()); // autocommit
    payload.extend_from_slice(&((capabilities >> 16) as u16).to_le_bytes());
    payload.push(21);
    payload.extend_from_slice(&[0; 10]);
    payload.extend_from_slice(b"ijklmnopqrst\0");
    payload.extend_from_slice(b"mysql_native_password\0");
    let mut packet = (payload.len() as u32).to_le_bytes()[..3].to_vec();
    packet.push(0);
    packet.extend(payload);
    packet
}

/// Greets, reads the client's first packet (its login, or its request to
/// switch to TLS), and hangs up.
fn stand_in_mysql(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.write_all(&greeting());
    let mut header = [0u8; 4];
    if stream.read_exact(&mut header).is_ok() {
        let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
        let mut body = vec![0u8; len.min(1 << 20)];
        let _ = stream.read_exact(&mut body);
    }
}

fn hang_up(stream: TcpStream) {
    drop(stream);
}

struct Ports {
    closed: u16,
    mysql: u16,
    hang_up: u16,
}

fn ports() -> &'static Ports {
    static PORTS: std::sync::OnceLock<Ports> = std::sync::OnceLock::new();
    PORTS.get_or_init(|| Ports {
        closed: closed_port(),
        mysql: serve(stand_in_mysql),
        hang_up: serve(hang_up),
    })
}

// ------------------------------------------------------------------- rng

/// xorshift64*, seeded.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn seed() -> u64 {
    std::env::var("FOAL_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        })
}

fn cases() -> usize {
    std::env::var("FOAL_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000)
}

// ------------------------------------------------------------------ text

/// The words of `list`, split at spaces.
fn words(list: &str) -> Vec<&str> {
    list.split(' ').collect()
}

/// One word of `list`.
fn pick_word(rng: &mut Rng, list: &str) -> String {
    rng.pick(&words(list)).to_string()
}

/// Sequences that break URLs: escapes (broken ones too), separators,
/// brackets, control characters, non-ASCII text.
const SPECIAL: &str = "% %2 %zz %25 %00 %FF %e2%82 %C3%A9 %2F %3F %26 %3D %40 %3A %5B %20 + ? ?? & && = == # @ @@ : :: \
                       / // [ ] [::1] \\ ; , \t \n \0 é ß 😀 \u{202E} \u{FEFF} \u{7F} \u{10FFFF}";

fn random_char(rng: &mut Rng) -> char {
    match rng.below(4) {
        0 => char::from_u32(rng.below(0x80) as u32).unwrap_or('x'),
        1 => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{FFFD}'),
        _ => *rng.pick(&['a', 'Z', '0', '9', '_', '-', '.', '~', '!', '$', '\'', '(', ')', '*']),
    }
}

/// Random text: characters, special sequences, random bytes read as UTF-8.
fn random_text(rng: &mut Rng, max: usize) -> String {
    let len = rng.below(max + 1);
    let mut out = String::new();
    for _ in 0..len {
        match rng.below(5) {
            0 => out.push_str(&pick_word(rng, SPECIAL)),
            1 => {
                let bytes: Vec<u8> = (0..1 + rng.below(4)).map(|_| rng.next() as u8).collect();
                out.push_str(&String::from_utf8_lossy(&bytes));
            }
            _ => out.push(random_char(rng)),
        }
    }
    out
}

/// `text` with a few characters inserted, deleted, repeated or
/// percent-encoded.
fn mutate_text(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<String> = text.chars().map(String::from).collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 if at < chars.len() => {
                let end = (at + 1 + rng.below(8)).min(chars.len());
                let copy: Vec<String> = chars[at..end].to_vec();
                chars.splice(at..at, copy);
            }
            2 if at < chars.len() => {
                let encoded: String = chars[at].bytes().map(|b| format!("%{b:02X}")).collect();
                chars[at] = encoded;
            }
            3 => chars.insert(at, pick_word(rng, SPECIAL)),
            _ => chars.insert(at, random_char(rng).to_string()),
        }
    }
    chars.concat()
}

/// A number as text: in range, out of range, negative, not a number.
fn random_number(rng: &mut Rng) -> String {
    match rng.below(12) {
        0..3 => rng.next().to_string(),
        3 => pick_word(rng, "\t1 1\t 0x10 1e3 1.5 +5 -0 abc true"),
        4 => String::new(),
        _ => pick_word(
            rng,
            "0 1 2 9 10 11 255 1000 1024 65535 65536 4294967295 4294967296 9223372036854775807 \
             18446744073709551615 18446744073709551616 99999999999999999999999999999 -1",
        ),
    }
}

/// A value for an option: a number, a boolean, a word, a path, or noise.
fn random_value(rng: &mut Rng) -> String {
    match rng.below(7) {
        0 | 1 => random_number(rng),
        2 => pick_word(rng, "true false TRUE 1 yes on fast best disable allow prefer require"),
        3 => pick_word(rng, "/nonexistent/ca.pem relative.pem / . %2Fetc%2Fnothing C:\\x"),
        4 => pick_word(
            rng,
            "-c%20search_path%3Dx -c+search_path=x app % TLS13_AES_128_GCM_SHA256",
        ),
        _ => random_text(rng, 12),
    }
}

/// Every option key foal or a driver reads from a URL (foal's, then
/// PostgreSQL's, then foal's MySQL ones, then the `mysql` crate's), and
/// some no one reads.
const KEYS: &str = "pool_size pool_timeout_ms \
                    options application_name connect_timeout sslmode user password dbname \
                    ssl-mode ssl-ca ssl-cert ssl-key statement_timeout read_timeout_ms ssl_mode ssl%2Dmode \
                    pool_min pool_max host port socket server_key_path db_name prefer_socket enable_cleartext_plugin \
                    secure_auth tcp_keepalive_time_ms tcp_keepalive_probe_interval_secs tcp_keepalive_probe_count \
                    tcp_user_timeout_ms compress tcp_connect_timeout_ms stmt_cache_size reset_connection check_health \
                    max_allowed_packet cipher_suites cert_chain_path priv_key_path pkcs12_path pkcs12_pass \
                    root_cert_path danger_skip_domain_validation danger_accept_invalid_certs \
                    require_ssl ssl-mode ssl tls verify_ca x POOL_SIZE root%5Fcert%5Fpath pool%5Fsize pool_size%20 \
                    sslrootcert sslcert sslkey sslpassword channel_binding require_auth target_session_attrs \
                    keepalives keepalives_idle keepalives_interval keepalives_count tcp_user_timeout \
                    statement_cache_size pool_max_lifetime_ms pool_idle_timeout_ms pool_min_idle \
                    pool_check_after_ms slow_ms";

/// Loopback hosts, in every spelling, and broken ones (a URL must never
/// reach the network, so the host is never random). Two spaces: the
/// empty host.
const HOSTS: &str = "127.0.0.1 localhost LOCALHOST [::1] 127.1 [::ffff:127.0.0.1]  [ [] [::1 ::1 [127.0.0.1]";

/// A port as text: a stand-in's, the closed one, or one that does not
/// parse. Never another number: a service on it could keep the client
/// waiting.
fn port_text(rng: &mut Rng) -> String {
    let ports = ports();
    match rng.below(6) {
        0 | 1 => ports.mysql.to_string(),
        2 => ports.hang_up.to_string(),
        3 => ports.closed.to_string(),
        _ => {
            let text = random_number(rng);
            if text.trim().parse::<u16>().is_ok() || text.is_empty() {
                ports.closed.to_string()
            } else {
                text
            }
        }
    }
}

/// The option keys whose values pick where to connect: their values are
/// never random.
const WHERE: &[&str] = &["host", "port", "socket"];

/// Percent-decoded, as the drivers read a key.
fn decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value of the kind `key` takes (a boolean, a number, a path), which
/// a driver may accept; hosts, ports and sockets stay local.
fn valid_value(rng: &mut Rng, key: &str) -> String {
    const BOOLEANS: &str = "prefer_socket enable_cleartext_plugin secure_auth reset_connection check_health \
                            danger_skip_domain_validation danger_accept_invalid_certs require_ssl ssl tls";
    const PATHS: &str = "root_cert_path server_key_path cert_chain_path priv_key_path pkcs12_path \
                         ssl-ca ssl-cert ssl-key";
    const TEXTS: &str = "application_name user password dbname db_name pkcs12_pass cipher_suites";
    match key {
        "host" => pick_word(rng, HOSTS),
        "port" => port_text(rng),
        // An empty word: the empty value.
        "socket" => pick_word(rng, "/nonexistent/mysql.sock  relative.sock / %00"),
        "compress" => pick_word(rng, "0 1 9 10 11 4294967295 fast best true"),
        "sslmode" | "ssl-mode" => pick_word(
            rng,
            "disable allow prefer require verify-full DISABLED PREFERRED REQUIRED VERIFY_CA VERIFY_IDENTITY \
             preferred Verify_Identity verify-ca",
        ),
        "options" => pick_word(rng, "-c%20search_path%3Dx -c%20statement_timeout%3D1 --x "),
        _ if words(BOOLEANS).contains(&key) => pick_word(rng, "true false"),
        // A directory, a device (endless), a file that is not PEM.
        _ if words(PATHS).contains(&key) => {
            pick_word(rng, "/nonexistent/ca.pem ca.pem  / %2Fnothing /dev/zero /etc/hostname")
        }
        _ if words(TEXTS).contains(&key) => pick_word(rng, "foal  %00 %C3%A9 a%20b TLS13_AES_128_GCM_SHA256"),
        _ => {
            let text = random_number(rng);
            if text.parse::<u64>().is_ok() {
                text
            } else {
                rng.below(5000).to_string()
            }
        }
    }
}

/// A value for `key`: mostly of its kind, else anything.
fn value_for(rng: &mut Rng, key: &str) -> String {
    if WHERE.contains(&key) || rng.below(3) > 0 {
        return valid_value(rng, key);
    }
    let value = random_value(rng);
    if rng.one_in(3) { mutate_text(rng, &value) } else { value }
}

/// A query string: options with values, and stray separators.
fn random_query(rng: &mut Rng) -> String {
    let mut out = String::new();
    for i in 0..rng.below(5) {
        if i > 0 || rng.one_in(8) {
            out.push_str(&pick_word(rng, "& & & && ? ; &=&"));
        }
        let key = pick_word(rng, KEYS);
        let key = if rng.one_in(40) { "" } else { key.as_str() };
        let mut written = key.to_owned();
        if rng.one_in(5) {
            let mutated = mutate_text(rng, key);
            if !WHERE.contains(&decoded(&mutated).as_str()) {
                written = mutated;
            }
        }
        out.push_str(&written);
        match rng.below(8) {
            0 => {}
            1 => out.push_str("=="),
            _ => {
                out.push('=');
                let value = value_for(rng, key);
                out.push_str(&value);
            }
        }
    }
    out
}

/// Text of a URL part that stays inside it: without the characters that
/// end the authority (which would make a random host).
fn local(text: String) -> String {
    text.replace(['/', '?', '#', '\\'], "")
}

/// Whether nothing listens on `port` of the loopback addresses.
fn nothing_listens(port: u16) -> bool {
    ["127.0.0.1", "[::1]"].iter().all(|host| {
        let addr = format!("{host}:{port}").parse();
        addr.map_or(true, |a| {
            TcpStream::connect_timeout(&a, Duration::from_millis(300)).is_err()
        })
    })
}

/// `scheme://[user[:password]@]host[:port][/path][?query][#fragment]`, the
/// host loopback, the port a stand-in's, the closed one or nonsense (or
/// none, when nothing listens on the scheme's default port).
fn network_url(rng: &mut Rng, scheme: &str, default_port_free: bool) -> String {
    let mut url = format!("{scheme}://");
    match rng.below(4) {
        0 => {}
        1 => url.push_str("foal@"),
        2 => url.push_str("foal:foal@"),
        _ => {
            let user = local(mutate_text(rng, "us%65r:p%40ss"));
            url.push_str(&user);
            url.push('@');
        }
    }
    url.push_str(&pick_word(rng, HOSTS));
    if !default_port_free || !rng.one_in(6) {
        url.push(':');
        url.push_str(&local(port_text(rng)));
    }
    if rng.one_in(5) {
        // Anything after the authority.
        url.push_str(&pick_word(rng, "/ ? #"));
        url.push_str(&random_text(rng, 40));
        return url;
    }
    match rng.below(5) {
        0 => {}
        1 => url.push('/'),
        2 => url.push_str("/foal"),
        3 => {
            url.push('/');
            url.push_str(&mutate_text(rng, "d%62"));
        }
        _ => {
            url.push('/');
            url.push_str(&random_text(rng, 8));
        }
    }
    if !rng.one_in(4) {
        url.push('?');
        url.push_str(&random_query(rng));
    }
    if rng.one_in(10) {
        url.push('#');
        url.push_str(&random_text(rng, 6));
    }
    url
}

/// The schemes foal reads.
const SCHEMES: &[&str] = &["sqlite", "postgres", "postgresql", "mysql", "mariadb"];

/// A random string: a scheme foal does not know, or one it knows with no
/// `//` after it (so no host); never `sqlite:` (its rest is a file path).
fn random_string(rng: &mut Rng) -> String {
    let text = match rng.below(3) {
        0 => random_text(rng, 40),
        1 => format!("{}:{}", rng.pick(&SCHEMES[1..]), random_text(rng, 30)),
        _ => {
            let scheme = rng.pick(&[
                "Postgres",
                "MYSQL",
                "SQLite",
                "sqlite3",
                "pg",
                "my sql",
                "",
                "postgres ",
                "http",
            ]);
            format!("{scheme}://{}", random_text(rng, 30))
        }
    };
    let scheme = text.split_once(':').map(|(scheme, _)| scheme);
    let known = scheme.is_some_and(|s| SCHEMES.contains(&s));
    if scheme == Some("sqlite") || (known && text.split_once(':').is_some_and(|(_, rest)| rest.starts_with("//"))) {
        format!("x{text}")
    } else {
        text
    }
}

/// A SQLite URL: memory, or a file in `dir`, with a random query string.
fn sqlite_url(rng: &mut Rng, dir: &Path) -> String {
    let mut url = match rng.below(3) {
        0 => format!("sqlite:{}", rng.pick(&["", "//", "////", ":memory:", "//:memory:"])),
        1 => {
            let name = local(random_text(rng, 12));
            let name = if name.trim_matches('.').is_empty() {
                format!("x{name}")
            } else {
                name
            };
            format!("sqlite://{}/{name}", dir.display())
        }
        _ => format!(
            "sqlite://{}/{}",
            dir.display(),
            rng.pick(&["missing/x.db", "a.db", "b.db", "a.db-wal", "", "."])
        ),
    };
    if rng.one_in(2) {
        url.push('?');
        url.push_str(&random_query(rng));
    }
    url
}

/// Where foal's SQLite driver would open `url`: memory, or a path that
/// must be in `dir`.
fn sqlite_target_is_safe(url: &str, dir: &Path) -> bool {
    let base = url.split_once('?').map_or(url, |(base, _)| base);
    let rest = base.strip_prefix("sqlite:").unwrap_or(base).trim_start_matches("//");
    let inside = format!("{}/", dir.display());
    matches!(rest, "" | ":memory:")
        || (rest.starts_with(&inside) && !rest[inside.len()..].split('/').any(|c| c == ".."))
}

// ---------------------------------------------------------------- checks

/// Opens `url` and says how it went; `Err` with the panic's message.
fn open(url: &str) -> Result<String, String> {
    catch_unwind(AssertUnwindSafe(|| match Database::open(url) {
        Ok(db) => format!("opened {}", db.dialect()),
        Err(Error::Config(message)) => format!("configuration error: {message}"),
        Err(e) => format!("error: {e}"),
    }))
    .map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

/// Opens `count` URLs of `generate` and fails with every one that panicked.
fn never_panics(family: &str, count: usize, mut generate: impl FnMut(&mut Rng) -> String) {
    let seed = seed();
    println!("{family}: seed {seed} (rerun with FOAL_PROPTEST_SEED={seed}), {count} URLs");
    let mut rng = Rng::new(seed ^ family.len() as u64);
    let started = Instant::now();
    let (mut opened, mut refused, mut slowest) = (0, 0, (Duration::ZERO, String::new()));
    let mut panics = Vec::new();
    for _ in 0..count {
        let url = generate(&mut rng);
        let at = Instant::now();
        match open(&url) {
            Ok(outcome) => {
                opened += usize::from(outcome.starts_with("opened"));
                refused += usize::from(outcome.starts_with("configuration error"));
            }
            Err(message) => panics.push(format!("{url:?}: {message}")),
        }
        if at.elapsed() > slowest.0 {
            slowest = (at.elapsed(), url);
        }
    }
    println!(
        "{family}: {count} URLs in {:.1?}: {opened} opened, {refused} configuration errors, {} other errors, \
         {} panics; slowest {:.1?}: {:?}",
        started.elapsed(),
        count - opened - refused - panics.len(),
        panics.len(),
        slowest.0,
        slowest.1
    );
    assert!(
        panics.is_empty(),
        "{family}, seed {seed}: {} URLs panicked:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

#[test]
fn postgres_urls_never_panic() {
    let free = nothing_listens(5432);
    never_panics("postgres", cases(), |rng| {
        let scheme = *rng.pick(&["postgres", "postgresql"]);
        network_url(rng, scheme, free)
    });
}

#[test]
fn mysql_urls_never_panic() {
    let free = nothing_listens(3306);
    never_panics("mysql", cases(), |rng| {
        let scheme = *rng.pick(&["mysql", "mariadb"]);
        network_url(rng, scheme, free)
    });
}

#[test]
fn sqlite_urls_never_panic() {
    let dir = std::env::temp_dir().join(format!("foal-urls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    never_panics("sqlite", cases(), |rng| {
        let url = sqlite_url(rng, &dir);
        assert!(
            sqlite_target_is_safe(&url, &dir),
            "the generator made a URL outside {}: {url}",
            dir.display()
        );
        url
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn random_strings_never_panic() {
    never_panics("random strings", cases(), random_string);
}

/// The `mysql` crate's own TLS options are refused (foal's are `ssl-mode`,
/// `ssl-ca`, `ssl-cert` and `ssl-key`): before foal had TLS they made it
/// panic at connect time when the server offered TLS.
#[test]
fn tls_options_of_the_mysql_crate_are_a_config_error() {
    let mut bases = vec![format!("mysql://foal:foal@127.0.0.1:{}/foal", ports().mysql)];
    if foal_tests::runs_on(Dialect::Mysql) {
        bases.extend(foal_tests::admin_url(Dialect::Mysql));
    }
    let options = [
        "root_cert_path=/nonexistent/ca.pem",
        "danger_accept_invalid_certs=true",
        "danger_skip_domain_validation=false",
        "root%5Fcert%5Fpath=x",
        "require_ssl=true",
        "cert_chain_path=a&priv_key_path=b",
        "pkcs12_path=a",
        "cipher_suites=TLS13_AES_128_GCM_SHA256",
    ];
    config_errors(&bases, &options, "ssl-mode");
}

/// Malformed or contradictory TLS and deadline values are configuration
/// errors naming the option, found before connecting.
#[test]
fn bad_tls_and_deadline_values_in_a_mysql_url_are_a_config_error() {
    let bases = [format!("mysql://foal:foal@127.0.0.1:{}/foal", ports().mysql)];
    for (options, option) in [
        ("ssl-mode=verify-full", "ssl-mode"),
        ("ssl-mode=", "ssl-mode"),
        ("ssl%2Dmode=ON", "ssl-mode"),
        ("ssl-ca=/nonexistent/ca.pem", "ssl-ca"),
        ("ssl-ca=/dev/zero", "ssl-ca"),
        ("ssl-ca=/etc/hostname", "ssl-ca"),
        ("ssl-mode=DISABLED&ssl-ca=/etc/hostname", "ssl-ca"),
        ("ssl-mode=VERIFY_CA", "ssl-ca"),
        ("ssl-cert=/etc/hostname", "ssl-key"),
        ("ssl-mode=REQUIRED&socket=/tmp/x.sock", "socket"),
        ("ssl-mode=REQUIRED&prefer_socket=true", "prefer_socket"),
        ("ssl_mode=REQUIRED", "ssl-mode"),
        ("connect_timeout=x", "connect_timeout"),
        ("read_timeout_ms=-5", "read_timeout_ms"),
        ("statement_timeout=1e3", "statement_timeout"),
    ] {
        config_errors(&bases, &[options], option);
    }
}

/// Opens each base with each option: each must be a configuration error
/// that mentions `word`, and none may panic.
fn config_errors(bases: &[String], options: &[&str], word: &str) {
    let mut failures = Vec::new();
    for base in bases {
        for option in options {
            let url = format!("{base}?{option}");
            match catch_unwind(AssertUnwindSafe(|| Database::open(&url))) {
                Ok(Err(Error::Config(message))) if message.contains(word) => println!("{url}: {message}"),
                Ok(Err(Error::Config(message))) => failures.push(format!("{url}: `{word}` is not in: {message}")),
                Ok(Err(other)) => failures.push(format!("{url}: not a configuration error: {other:?}")),
                Ok(Ok(_)) => failures.push(format!("{url}: opened")),
                Err(_) => failures.push(format!("{url}: panicked")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Opens `base` with each option and fails with every one that panicked
/// or whose outcome `expect` refuses.
fn each_option(base: &str, options: &[&str], expect: impl Fn(&str, &Result<String, String>) -> bool) {
    let mut failures = Vec::new();
    for option in options {
        let url = format!("{base}?{option}");
        let outcome = open(&url);
        println!("{option}: {outcome:?}");
        if outcome.is_err() || !expect(option, &outcome) {
            failures.push(format!("{url}: {outcome:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Options with edge values on the test server, where they reach the
/// connection (compression, packet sizes, sockets, timeouts).
#[test]
fn mysql_options_on_the_server_never_panic() {
    if !foal_tests::runs_on(Dialect::Mysql) {
        return;
    }
    let base = foal_tests::admin_url(Dialect::Mysql).unwrap_or_default();
    let options = [
        "compress=0",
        "compress=1",
        "compress=9",
        "compress=fast",
        "compress=best",
        "compress=true",
        "compress=10",
        "compress=11",
        "compress=4294967295",
        "max_allowed_packet=0",
        "max_allowed_packet=1",
        "max_allowed_packet=1024",
        "max_allowed_packet=18446744073709551615",
        "compress=true&max_allowed_packet=1",
        "tcp_connect_timeout_ms=0",
        "tcp_connect_timeout_ms=18446744073709551615",
        "tcp_keepalive_time_ms=0",
        "tcp_keepalive_time_ms=4294967295",
        "tcp_keepalive_probe_interval_secs=0",
        "tcp_keepalive_probe_interval_secs=4294967295",
        "tcp_keepalive_probe_count=0",
        "tcp_keepalive_probe_count=4294967295",
        "tcp_user_timeout_ms=0",
        "tcp_user_timeout_ms=4294967295",
        "prefer_socket=true",
        "prefer_socket=false",
        "socket=/nonexistent/mysql.sock",
        "socket=",
        "socket=%00",
        "stmt_cache_size=18446744073709551615",
        "pool_min=5&pool_max=1",
        "pool_min=0&pool_max=0",
        "secure_auth=false",
        "enable_cleartext_plugin=true",
        "server_key_path=/nonexistent/key.pem",
        "db_name=nonexistent",
        "db_name=%00",
        "user=%00",
        "password=%C3%A9",
        "reset_connection=false&check_health=false",
        "pool_size=1024&pool_timeout_ms=0",
        "pool_timeout_ms=18446744073709551615",
        "ssl-mode=DISABLED",
        "ssl-mode=PREFERRED",
        "ssl-mode=REQUIRED",
        "ssl-mode=VERIFY_IDENTITY",
        "ssl-mode=PREFERRED&prefer_socket=true",
        "connect_timeout=1",
        "connect_timeout=18446744073709551615",
        "read_timeout_ms=1",
        "read_timeout_ms=18446744073709551615",
        "connect_timeout=1&read_timeout_ms=1",
        "statement_timeout=1",
        "statement_timeout=31536000000",
        "statement_timeout=31536000001",
    ];
    // The driver compresses at its default level whatever `compress`
    // says, so 11 is as harmless as 9.
    each_option(&base, &options, |_, _| true);
}

/// Startup parameters with edge values on the test server.
#[test]
fn postgres_options_on_the_server_never_panic() {
    if !foal_tests::runs_on(Dialect::Postgres) {
        return;
    }
    let base = foal_tests::admin_url(Dialect::Postgres).unwrap_or_default();
    let options = [
        "application_name=%00",
        "application_name=%C3%A9",
        "options=-c%20nonexistent%3D1",
        "options=--",
        "options=-c%20statement_timeout%3D1",
        "connect_timeout=0",
        "connect_timeout=18446744073709551615",
        "sslmode=disable",
        "sslmode=require",
        "user=nobody",
        "user=%00",
        "password=x",
        "dbname=nonexistent",
        "dbname=%00",
        "pool_size=1&pool_timeout_ms=0",
    ];
    each_option(&base, &options, |_, _| true);
}
