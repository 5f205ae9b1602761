//! Shared harness for the integration tests: a moto server on a free loopback port, the
//! seed and fault-proxy scripts, the govscan binary, and Parquet read back as JSON rows.
//!
//! `scripts/test` sets GOVSCAN_MOTO_SERVER and GOVSCAN_TEST_PYTHON to its venv; without them
//! the tests look for `.venv/` and then PATH, and fail with a message saying how to get moto.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

pub const SECRET_KEY: &str = "govscan-test-secret-DO-NOT-LEAK-7f3a";
pub const SESSION_TOKEN: &str = "govscan-test-session-token-DO-NOT-LEAK-91c2";

/// The repository root: fixtures and scripts are found from here.
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tool(env: &str, venv_name: &str, fallback: &str) -> PathBuf {
    if let Ok(p) = std::env::var(env) {
        return PathBuf::from(p);
    }
    let venv = manifest_dir().join(".venv/bin").join(venv_name);
    if venv.exists() {
        return venv;
    }
    PathBuf::from(fallback)
}

pub fn python() -> PathBuf {
    tool("GOVSCAN_TEST_PYTHON", "python", "python3")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when dropped, so a failing test leaves no server behind.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for_http(url: &str, child: &mut Child, what: &str) {
    let addr = url.trim_start_matches("http://");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early with {status}");
        }
        if let Ok(mut stream) = TcpStream::connect(addr) {
            let _ = stream.write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut buf = [0u8; 12];
            if stream.read(&mut buf).is_ok_and(|n| n > 0) {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not answer on {url} within 60 s");
}

pub fn start_moto() -> Server {
    let bin = tool("GOVSCAN_MOTO_SERVER", "moto_server", "moto_server");
    let port = free_port();
    let mut child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}); run scripts/test, which installs moto into .venv",
                bin.display()
            )
        });
    let url = format!("http://127.0.0.1:{port}");
    wait_for_http(&url, &mut child, "moto_server");
    Server { child, url }
}

/// The fault proxy in front of `upstream`, with rules as in tests/moto/fault_proxy.py.
pub fn start_fault_proxy(upstream: &str, rules: &Value, dir: &Path) -> Server {
    let rules_path = dir.join("rules.json");
    std::fs::write(&rules_path, rules.to_string()).unwrap();
    let port_file = dir.join("proxy.port");
    let mut child = Command::new(python())
        .arg(manifest_dir().join("tests/moto/fault_proxy.py"))
        .arg(upstream)
        .arg(&rules_path)
        .arg(&port_file)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the fault proxy");
    let deadline = Instant::now() + Duration::from_secs(30);
    let port = loop {
        if let Ok(p) = std::fs::read_to_string(&port_file) {
            break p;
        }
        assert!(Instant::now() < deadline, "fault proxy did not start");
        if let Ok(Some(status)) = child.try_wait() {
            panic!("fault proxy exited with {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Server {
        child,
        url: format!("http://127.0.0.1:{}", port.trim()),
    }
}

/// Request counts per action seen by a fault proxy.
pub fn proxy_stats(proxy: &Server) -> Map<String, Value> {
    let addr = proxy.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /__stats HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("{}");
    serde_json::from_str(body).unwrap()
}

/// Runs tests/moto/seed_org.py against `endpoint`; returns the ids it wrote.
pub fn seed(endpoint: &str, extra: &[&str], dir: &Path) -> Value {
    let out = dir.join("seed.json");
    let status = Command::new(python())
        .arg(manifest_dir().join("tests/moto/seed_org.py"))
        .arg(endpoint)
        .arg(&out)
        .args(extra)
        .envs(aws_env())
        .status()
        .expect("run the seed script");
    assert!(status.success(), "seeding moto failed");
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// Static test credentials, and no other AWS configuration from the machine.
pub fn aws_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "AKIAGOVSCANTEST00001"),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent/govscan-test-config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/govscan-test-credentials",
        ),
    ]
}

/// Runs the govscan binary with the test credentials.
pub fn govscan(data_dir: &Path, endpoint: &str, args: &[&str]) -> Output {
    govscan_command(data_dir, endpoint, args)
        .output()
        .expect("run govscan")
}

/// Runs the govscan binary on a local data directory, offline (no AWS endpoint, no
/// colour settings from the machine).
pub fn govscan_local(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govscan"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("GOVSCAN_DATA_DIR")
        .env_remove("NO_COLOR")
        .output()
        .expect("run govscan")
}

/// `govscan --data-dir D --endpoint-url E ARGS` with the test's AWS environment, not started.
pub fn govscan_command(data_dir: &Path, endpoint: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_govscan"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--endpoint-url")
        .arg(endpoint)
        .args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("GOVSCAN_DATA_DIR")
        .env_remove("RUST_LOG")
        .envs(aws_env())
        .stdin(Stdio::null());
    command
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The snapshot folder printed by `govscan collect` (`<id>\t<path>`).
pub fn snapshot_path(o: &Output) -> PathBuf {
    assert!(
        o.status.success(),
        "collect failed: {}\n{}",
        o.status,
        stderr(o)
    );
    let line = stdout(o);
    let path = line
        .trim()
        .split('\t')
        .nth(1)
        .unwrap_or_else(|| panic!("no path in {line:?}"));
    PathBuf::from(path)
}

/// A table of a local snapshot folder (its parts in `<table>/`), read with the Parquet
/// reader, as JSON objects.
pub fn read_table(snapshot: &Path, table: &str) -> Vec<Map<String, Value>> {
    let folder = snapshot.join(table);
    assert!(folder.is_dir(), "{table} is missing");
    let mut parts: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    parts.sort();
    parts
        .iter()
        .flat_map(|part| {
            let bytes = std::fs::read(part).unwrap();
            govscan::store::snapshot::rows_from_parquet(bytes.into(), table, part).unwrap()
        })
        .collect()
}

pub fn manifest(snapshot: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(snapshot.join("manifest.json")).unwrap()).unwrap()
}

/// Rows whose `column` equals `value`.
pub fn rows_where<'a>(
    rows: &'a [Map<String, Value>],
    column: &str,
    value: &str,
) -> Vec<&'a Map<String, Value>> {
    rows.iter()
        .filter(|r| r.get(column).and_then(Value::as_str) == Some(value))
        .collect()
}

/// The one row whose `column` equals `value`.
pub fn row<'a>(
    rows: &'a [Map<String, Value>],
    column: &str,
    value: &str,
) -> &'a Map<String, Value> {
    let found = rows_where(rows, column, value);
    assert_eq!(
        found.len(),
        1,
        "expected one row with {column} = {value}, found {}",
        found.len()
    );
    found[0]
}

/// Sorted values of a text column.
pub fn texts(rows: &[&Map<String, Value>], column: &str) -> Vec<String> {
    let mut v: Vec<String> = rows
        .iter()
        .filter_map(|r| r.get(column).and_then(Value::as_str).map(str::to_owned))
        .collect();
    v.sort();
    v
}

/// Writes a snapshot whose tables hold `tables` (rows as JSON objects by column name), every
/// other table empty, collected at `collected_at`; returns its folder.
pub fn write_snapshot(
    data: &Path,
    id: &str,
    tables: &std::collections::BTreeMap<String, Vec<Map<String, Value>>>,
    collected_at: chrono::DateTime<chrono::Utc>,
) -> PathBuf {
    govscan::store::snapshot::write_from_rows(
        data,
        id,
        &govscan::collect::all_tables(),
        tables,
        collected_at,
        "111111111111",
    )
    .unwrap()
}

/// Runs `govscan demo --dir <work>/demo`; its data directory (a snapshot and a trail lake
/// from the bundled data).
pub fn demo_data(work: &Path) -> PathBuf {
    let dir = work.join("demo");
    let demo = Command::new(env!("CARGO_BIN_EXE_govscan"))
        .args(["demo", "--dir"])
        .arg(&dir)
        .env_remove("GOVSCAN_DATA_DIR")
        .output()
        .expect("run govscan demo");
    assert!(demo.status.success(), "{}", stderr(&demo));
    dir.join("data")
}

/// `govscan collect --org` of us-east-1 with two attempts per call, plus `extra`, of the
/// services whose data the sharding and S3 data-directory tests compare: a global and a
/// regional SDK service and a signed one besides the organization's own. Every service is
/// collected by the moto organization test; collecting all of them here, several times per
/// test, would double the suite's time for nothing these tests look at.
pub fn collect_org(data_dir: &Path, endpoint: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "collect",
        "--org",
        "--regions",
        "us-east-1",
        "--max-attempts",
        "2",
        "--services",
        "org,iam,s3,config,cloudtrail,ec2,kms",
    ];
    args.extend_from_slice(extra);
    govscan(data_dir, endpoint, &args)
}

/// Runs tests/moto/s3_tree.py (boto3, independent of govscan) against moto.
pub fn s3_tree(endpoint: &str, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/s3_tree.py"))
        .arg(endpoint)
        .args(args)
        .envs(aws_env())
        .output()
        .expect("run s3_tree.py");
    assert!(out.status.success(), "s3_tree {args:?}: {}", stderr(&out));
    stdout(&out)
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

/// How many answers a JSON document of govscan carries: the rows of `query`, the results of
/// `check`, the findings of `hunt`. Lets a comparison of two outputs make sure it does not
/// compare two empty answers.
pub fn answer_rows(value: &Value) -> usize {
    match value {
        Value::Array(rows) => rows.len(),
        Value::Object(o) => o
            .get("results")
            .or_else(|| o.get("findings"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        _ => 0,
    }
}

/// The (check_id, resource_id, status) of every result of `check --format json`, sorted.
pub fn sorted_check_rows(report: &Value) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = report["results"]
        .as_array()
        .expect("a check report has results")
        .iter()
        .map(|r| {
            (
                r["check_id"].as_str().unwrap().to_owned(),
                r["resource_id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows
}
