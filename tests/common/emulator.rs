//! The AWS emulator harness: one moto 5.2.5 + shim process per test binary, on loopback ports.
//!
//! First use creates a virtualenv under `CARGO_TARGET_TMPDIR` (reused while its marker file
//! names the same pinned requirements), starts `launcher.py`, which seeds the data and prints its
//! ports, and hands out [`AwsSource`]s pointed at it. The launcher exits by itself when this
//! process dies. Nothing is skipped: without python3 the tests fail and say what to install.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudwatchlogs::config::Credentials;
use lambdascope::source::aws::{AwsOptions, AwsSource};

/// The emulator and everything it needs, pinned.
pub const REQUIREMENTS: &[&str] = &["moto[server]==5.2.5", "cbor2==5.6.5"];
const MARKER: &str = "lambdascope-emulator.ok";

pub struct Emulator {
    /// The shim every test talks to.
    pub endpoint: String,
    /// moto itself, for the side channel.
    pub moto: String,
    /// When the seed data was written (its timestamps are relative to this).
    pub seeded_at: i64,
    /// A region whose one function, `hostile-fn`, has escape sequences in its description
    /// and handler.
    pub hostile_region: String,
    _child: Mutex<Child>,
}

fn fail(what: &str, detail: &str) -> ! {
    panic!(
        "\n\nThe AWS emulator tests need {what}.\n{detail}\n\
         Install Python 3.9+ with venv and pip (Debian/Ubuntu: `apt-get install python3 python3-venv python3-pip`) \
         and make sure PyPI is reachable; the harness then installs {} into {} by itself.\n",
        REQUIREMENTS.join(" "),
        venv_dir().display()
    )
}

fn venv_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("emulator-venv")
}

fn venv_python() -> PathBuf {
    venv_dir().join("bin").join("python")
}

/// Creates or reuses the virtualenv. A marker written after a successful install says it is complete.
fn ensure_venv() {
    let marker = venv_dir().join(MARKER);
    let wanted = REQUIREMENTS.join("\n");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == wanted) && venv_python().exists() {
        return;
    }
    let python = std::env::var("PYTHON3").unwrap_or_else(|_| "python3".into());
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd
            .output()
            .unwrap_or_else(|e| fail("python3", &format!("Running `{what}` failed: {e}")));
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = err.lines().rev().take(15).collect();
            fail(
                "a working Python with venv and pip",
                &format!(
                    "`{what}` failed:\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ),
            );
        }
    };
    run(
        Command::new(&python).args(["-m", "venv"]).arg(venv_dir()),
        "python3 -m venv",
    );
    run(
        Command::new(venv_python())
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(REQUIREMENTS),
        &format!("pip install {}", REQUIREMENTS.join(" ")),
    );
    std::fs::write(&marker, wanted)
        .unwrap_or_else(|e| fail("a writable target dir", &e.to_string()));
}

fn start() -> Emulator {
    ensure_venv();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/emulator");
    let log_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("emulator.log");
    let log = std::fs::File::create(&log_path)
        .unwrap_or_else(|e| fail("a writable target dir", &e.to_string()));
    let mut child = Command::new(venv_python())
        .arg(Path::new(dir).join("launcher.py"))
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap_or_else(|e| fail("the emulator's Python", &e.to_string()));
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| fail("the emulator's stdout", "no pipe"));
    let mut line = String::new();
    let _ = BufReader::new(stdout).read_line(&mut line);
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| {
        let _ = child.kill();
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        fail(
            "the emulator to start",
            &format!(
                "launcher.py said {line:?}; its log ends:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ),
        )
    });
    let s = |k: &str| ready[k].as_str().unwrap_or_default().to_string();
    Emulator {
        endpoint: s("endpoint"),
        moto: s("moto"),
        seeded_at: ready["seeded_at"].as_i64().unwrap_or(0),
        hostile_region: s("hostile_region"),
        _child: Mutex::new(child),
    }
}

/// The shared emulator, started on first use.
pub fn emulator() -> &'static Emulator {
    static EMU: OnceLock<Emulator> = OnceLock::new();
    EMU.get_or_init(start)
}

/// A source pointed at `endpoint` with static test credentials.
pub async fn source_at(endpoint: &str, region: &str) -> AwsSource {
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "test",
            "test",
            None,
            None,
            "lambdascope-tests",
        ))
        .load()
        .await;
    let opts = AwsOptions {
        profile: None,
        region: Some(region.into()),
        endpoint_url: Some(endpoint.into()),
        timeout: None,
    };
    AwsSource::from_sdk_config(&conf, &opts)
}

/// A source on the shared shim, us-east-1 (the seeded region).
pub async fn source() -> AwsSource {
    source_at(&emulator().endpoint, "us-east-1").await
}

/// A control request to a shim; returns the JSON reply.
pub fn control(
    endpoint: &str,
    method: &str,
    path_and_query: &str,
    body: &str,
) -> serde_json::Value {
    let hostport = endpoint.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).expect("connect to the shim");
    s.set_read_timeout(Some(Duration::from_secs(120))).ok();
    write!(
        s,
        "{method} {path_and_query} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write control request");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read control reply");
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "control {path_and_query}: {head}"
    );
    serde_json::from_str(body).unwrap_or(serde_json::Value::Null)
}

/// A fresh shim of its own (for tests that break their endpoint on purpose).
pub fn private_shim() -> String {
    let v = control(&emulator().endpoint, "POST", "/__control/shim", "");
    v["endpoint"].as_str().expect("shim endpoint").to_string()
}

/// Calls of `op` one shim has seen.
pub fn calls_seen(endpoint: &str, op: &str) -> u64 {
    control(endpoint, "GET", "/__control/stats", "")[op]
        .as_u64()
        .unwrap_or(0)
}

/// Writes events into a group straight into moto (works while a shim is "down").
pub fn put_logs(group: &str, stream: &str, events: &[(i64, String)]) {
    let events: Vec<serde_json::Value> = events
        .iter()
        .map(|(t, m)| serde_json::json!({"timestamp": t, "message": m}))
        .collect();
    let body = serde_json::json!({"group": group, "stream": stream, "events": events}).to_string();
    control(&emulator().endpoint, "POST", "/__control/put_logs", &body);
}

/// A big account: 1,000 functions `fn-0000`… with an hour of metrics, the last three names
/// failing worst (launcher.py, `seed_account_metrics`). Seeded once per test process.
pub struct BigAccount {
    pub region: &'static str,
    pub size: usize,
    /// The failing functions, worst first, with their error rate in percent.
    pub failing: Vec<(String, f64)>,
}

pub fn big_account() -> &'static BigAccount {
    static BIG: OnceLock<BigAccount> = OnceLock::new();
    BIG.get_or_init(|| {
        let (region, size) = ("us-west-2", 1000);
        let v = control(
            &emulator().endpoint,
            "POST",
            &format!("/__control/seed_functions?region={region}&n={size}&metrics=1"),
            "",
        );
        let failing = v["failing"]
            .as_array()
            .expect("the seeded failing functions")
            .iter()
            .map(|f| {
                (
                    f[0].as_str().unwrap_or_default().to_string(),
                    f[1].as_f64().unwrap_or_default(),
                )
            })
            .collect();
        BigAccount {
            region,
            size,
            failing,
        }
    })
}

/// Writes X-Ray segment documents straight into moto (PutTraceSegments, in fifties), in a
/// region of their own so that tests reading the seeded traces do not see them.
pub fn put_traces(region: &str, documents: &[serde_json::Value]) {
    let body = serde_json::json!({ "region": region, "documents": documents }).to_string();
    control(&emulator().endpoint, "POST", "/__control/put_traces", &body);
}
