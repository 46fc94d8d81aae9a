//! Private database servers for the fault tests, which stop and restart
//! them: the shared servers of `scripts/test.sh` must stay up for the
//! other tests. Each lives in its own temporary directory on a free
//! loopback port and is stopped and removed on drop.
//!
//! The binaries come from `FOAL_TEST_PG_BIN` (PostgreSQL's server folder)
//! and `FOAL_TEST_MARIADBD`, which `scripts/test.sh` exports.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: run the tests through scripts/test.sh"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    if !output.status.success() {
        panic!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn temp_dir(kind: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("foal-{kind}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// A PostgreSQL server of our own.
pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    root: bool,
}

impl Postgres {
    /// Initializes a cluster and starts it.
    pub fn start() -> Postgres {
        let bin = PathBuf::from(env("FOAL_TEST_PG_BIN"));
        let dir = temp_dir("pg");
        let root = is_root();
        if root {
            run(Command::new("chown").arg("postgres:postgres").arg(&dir), "chown");
        }
        let server = Postgres {
            dir,
            bin,
            port: free_port(),
            root,
        };
        let data = server.data();
        run(
            server.command("initdb").arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]),
            "initdb",
        );
        server.resume();
        server
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the (stopped) server again on the same data and port.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        run(
            self.command("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .arg("-l")
                .arg(self.dir.join("server.log"))
                .args(["-w", "-t", "60", "-o", &options, "start"])
                .stdout(Stdio::null()),
            "pg_ctl start",
        );
    }

    /// Stops the server the hard way: every backend dies at once, as in a
    /// crash (`pg_ctl stop -m immediate`).
    pub fn crash(&self) {
        run(
            self.command("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["-m", "immediate", "-w", "stop"])
                .stdout(Stdio::null()),
            "pg_ctl stop",
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A MariaDB server of our own.
pub struct Mariadb {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Mariadb {
    /// Creates a data directory and starts the server.
    pub fn start() -> Mariadb {
        let bin = PathBuf::from(env("FOAL_TEST_MARIADBD"));
        let dir = temp_dir("my");
        run(
            Command::new("mariadb-install-db")
                .args(["--no-defaults", "--user=root", "--skip-test-db"])
                .arg("--auth-root-authentication-method=normal")
                .arg(format!("--datadir={}", dir.join("data").display())),
            "mariadb-install-db",
        );
        let mut server = Mariadb {
            dir,
            bin,
            port: free_port(),
            child: None,
        };
        server.resume();
        server
    }

    /// The URL of its `mysql` database, as root.
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}/mysql", self.port)
    }

    /// Starts the (stopped) server again on the same data and port, and
    /// waits until it answers.
    pub fn resume(&mut self) {
        let child = Command::new(&self.bin)
            .args([
                "--no-defaults",
                "--user=root",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
            ])
            .arg(format!("--datadir={}", self.dir.join("data").display()))
            .arg(format!("--socket={}", self.dir.join("sock").display()))
            .arg(format!("--port={}", self.port))
            .arg(format!("--log-error={}", self.dir.join("server.log").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start mariadbd: {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline {
                panic!("MariaDB did not start: {}", log(&self.dir.join("server.log")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server process (SIGKILL), as in a crash.
    pub fn crash(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

impl Drop for Mariadb {
    fn drop(&mut self) {
        self.crash();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
