//! A throw-away PostgreSQL + PostGIS cluster for tests: `initdb` and `pg_ctl` in a temporary
//! directory, listening on a free loopback port, removed when dropped.
//!
//! When `YIZHAN_TEST_DATABASE_URL` names a server (`postgres://user@host:port/db`), tests use it
//! instead: every test database is created on it (the role needs `CREATEDB`) and the cluster
//! cannot be stopped or started by the tests that need that.
//!
//! Without PostgreSQL binaries a test is skipped with a message, except when `CI` is `true`: then
//! it fails, so that a missing package never passes silently. The binaries are looked up in
//! `YIZHAN_PG_BIN`, then `/usr/lib/postgresql/{17,16,15}/bin`. `initdb` refuses to run as root,
//! so as root the cluster runs as the `postgres` system user (`runuser`), in a directory owned by it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The superuser of a throw-away cluster.
const SUPERUSER: &str = "yizhan";

/// A running cluster (or an external server).
pub struct PgCluster {
    /// `postgres://USER@127.0.0.1:PORT` without a database name.
    base_url: String,
    local: Option<Local>,
}

struct Local {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    run_as: Option<String>,
}

static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl PgCluster {
    /// Starts a cluster, or connects to `YIZHAN_TEST_DATABASE_URL`. `None` (after printing why)
    /// when PostgreSQL is not installed and this is not CI.
    ///
    /// # Panics
    /// On CI without PostgreSQL, or when the cluster does not start.
    #[must_use]
    pub fn start() -> Option<Self> {
        if let Ok(url) = std::env::var("YIZHAN_TEST_DATABASE_URL")
            && !url.is_empty()
        {
            let base = match url.rfind('/') {
                Some(i) if i > "postgres://".len() => url[..i].to_owned(),
                _ => url,
            };
            return Some(Self { base_url: base, local: None });
        }
        let Some(bin) = find_bin() else {
            let msg = "PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql-15 and \
                       postgresql-15-postgis-3 (scripts/install-deps), set YIZHAN_PG_BIN, or set \
                       YIZHAN_TEST_DATABASE_URL";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
            eprintln!("skipping a PostGIS test: {msg}");
            return None;
        };
        let run_as = is_root().then(|| "postgres".to_owned());
        let dir = tempfile::Builder::new().prefix("yizhan-pg-").tempdir().expect("temporary directory");
        if let Some(user) = &run_as {
            let ok = Command::new("chown").arg(format!("{user}:")).arg(dir.path()).status().expect("chown runs");
            assert!(ok.success(), "cannot hand {} to the {user} user (does it exist?)", dir.path().display());
        }
        let port = free_port();
        let local = Local { dir, bin, port, run_as };
        let data = local.data_dir();
        let out = local.run(
            "initdb",
            &["-D", path_str(&data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
        );
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let cluster = Self { base_url: format!("postgres://{SUPERUSER}@127.0.0.1:{port}"), local: Some(local) };
        cluster.start_server();
        Some(cluster)
    }

    /// Whether this cluster belongs to the test (so it can be stopped and started).
    #[must_use]
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    /// A new empty database with PostGIS available; returns its URL.
    ///
    /// # Panics
    /// When it cannot be created.
    pub async fn create_db(&self) -> String {
        let name = format!("t{}_{}", std::process::id(), DB_COUNTER.fetch_add(1, Ordering::Relaxed));
        let admin = format!("{}/postgres", self.base_url);
        let mut conn: sqlx::PgConnection = sqlx::Connection::connect(&admin).await.expect("connect to the cluster");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
        sqlx::Connection::close(conn).await.ok();
        format!("{}/{name}", self.base_url)
    }

    /// Stops the server (fast shutdown: open connections are dropped).
    ///
    /// # Panics
    /// For an external server, or when `pg_ctl` fails.
    pub fn stop(&self) {
        let local = self.local.as_ref().expect("only a throw-away cluster can be stopped");
        let out = local.run("pg_ctl", &["-D", path_str(&local.data_dir()), "-m", "fast", "-w", "stop"]);
        assert!(out.status.success(), "pg_ctl stop failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Starts the server again on the same port.
    ///
    /// # Panics
    /// For an external server, or when it does not start.
    pub fn start_server(&self) {
        let local = self.local.as_ref().expect("only a throw-away cluster can be started");
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200",
            local.port,
            path_str(local.dir.path())
        );
        let log = local.dir.path().join("server.log");
        let out =
            local.run("pg_ctl", &["-D", path_str(&local.data_dir()), "-l", path_str(&log), "-o", &opts, "-w", "start"]);
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if let Some(local) = &self.local {
            let _ = local.run("pg_ctl", &["-D", path_str(&local.data_dir()), "-m", "immediate", "-w", "stop"]);
        }
    }
}

impl Local {
    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let exe = self.bin.join(tool);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.args(args).env("LC_ALL", "C").output().unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()))
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temporary path")
}

fn find_bin() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("YIZHAN_PG_BIN").map(PathBuf::from).into_iter().collect();
    candidates.extend(["17", "16", "15"].iter().map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"))));
    candidates.into_iter().find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port()
}
