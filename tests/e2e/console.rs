//! The real binary under tmux, driven as a person would: keys in with send-keys, the screen
//! read back with capture-pane.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::tmux::Tmux;

#[test]
fn filter_help_and_quit_at_80x24() {
    let t = Tmux::start("small", (80, 24), "--demo", &[]);
    let s = t.wait_for("unhealthy of 17");
    assert!(s.contains("orders-api-create"), "{s}");
    assert!(s.contains("search-indexer"), "{s}");

    t.keys(&["/"]);
    t.literal("orders");
    let s = t.wait_for("3 matches");
    assert!(
        s.contains("orders-api-get") && s.contains("orders-api-list"),
        "{s}"
    );
    assert!(
        !s.contains("payments-webhook"),
        "filtered rows must be gone:\n{s}"
    );

    t.keys(&["Escape"]);
    t.wait_for("payments-webhook");

    t.keys(&["?"]);
    let s = t.wait_for("help · esc closes");
    assert!(s.contains("open function") && s.contains("filter"), "{s}");
    t.keys(&["Escape"]);
    t.wait_for("enter open function");

    t.keys(&[":"]);
    t.literal("q");
    t.keys(&["Enter"]);
    let s = t.wait_for("EXITED 0");
    // The alternate screen is gone: the console restored the terminal.
    assert!(!s.contains("λ lambdascope"), "terminal not restored:\n{s}");
}

#[test]
fn wide_terminal_detail_and_resizes() {
    let t = Tmux::start("wide", (200, 50), "--demo", &[]);
    let s = t.wait_for("unhealthy of 17");
    assert!(
        s.contains("RUNTIME") && s.contains("MODIFIED") && s.contains("TIMEOUT"),
        "all columns at 200 wide:\n{s}"
    );
    t.keys(&["Enter"]);
    t.wait_for_chart("Cold starts");
    let s = t.wait_for_chart("Invocations");
    assert!(
        s.contains("Duration") && s.contains("Concurrency") && s.contains("Throttles"),
        "six charts at 200 wide:\n{s}"
    );
    // The configuration is the third panel; a third tab comes back to the charts.
    t.keys(&["Tab", "Tab"]);
    t.wait_for("reserved");
    t.keys(&["Tab"]);
    for (w, h) in [(1, 1), (20, 5), (80, 24), (300, 80)] {
        t.cmd(&[
            "resize-window",
            "-t",
            "e2e",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ])
        .expect("resize");
        std::thread::sleep(Duration::from_millis(150));
    }
    t.cmd(&["resize-window", "-t", "e2e", "-x", "120", "-y", "40"])
        .expect("resize");
    t.wait_for_chart("Cold starts");
    t.keys(&["Escape"]);
    t.wait_for("enter open function");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}

#[test]
fn without_credentials_it_suggests_the_demo() {
    let out = Command::new(env!("CARGO_BIN_EXE_lambdascope"))
        .args(["functions"])
        .env_clear()
        .env("HOME", std::env::temp_dir().join("lambdascope-no-home"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("run the binary");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("--demo"), "{err}");
}

#[test]
fn functions_command_prints_table_and_json() {
    let bin = env!("CARGO_BIN_EXE_lambdascope");
    let table = Command::new(bin)
        .args(["functions", "--demo", "--clock", "2026-11-23T14:00:00Z"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(table.status.success());
    assert_eq!(text.lines().count(), 18, "header and 17 functions:\n{text}");
    assert!(text.lines().next().unwrap().starts_with("NAME"));
    let json = Command::new(bin)
        .args(["--demo", "functions", "--json", "--window", "15m"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    let rows = v.as_array().expect("an array");
    assert_eq!(rows.len(), 17);
    let create = rows
        .iter()
        .find(|r| r["name"] == "orders-api-create")
        .expect("incident function");
    assert!(
        create["error_rate_percent"].as_f64().unwrap() > 5.0,
        "{create}"
    );
}

/// Prints the terminal's mode after the console exits: `icanon echo` when cooked (restored),
/// `-icanon -echo` when still raw.
const TERMINAL_MODE: &str =
    "echo MODE $(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo)";

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let t = Tmux::start_then(
            &format!("sig{signal}"),
            (80, 24),
            "--demo",
            &[],
            TERMINAL_MODE,
        );
        t.wait_for("unhealthy of 17");
        assert!(t.alternate_on(), "the console owns the alternate screen");
        let pid = t.child_pid();
        let killed = Command::new("kill")
            .args([format!("-{signal}"), pid.to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let s = t.wait_for("MODE ");
        assert!(s.contains(&format!("EXITED {code}")), "SIG{signal}:\n{s}");
        assert!(
            s.contains("MODE icanon echo"),
            "still raw after SIG{signal}:\n{s}"
        );
        assert!(
            !t.alternate_on(),
            "back on the main screen after SIG{signal}"
        );
    }
}

/// A panic on the main thread (in update) or in a worker: the terminal is restored, then the
/// message and the log's path are printed.
#[test]
fn a_panic_restores_the_terminal_and_says_where_the_log_is() {
    for (name, fault, message) in [
        (
            "panic",
            "panic-in-worker",
            "injected fault: a worker panicked",
        ),
        (
            "upanic",
            "panic-in-update",
            "injected fault: update panicked",
        ),
    ] {
        let t = Tmux::start_then(
            name,
            (100, 30),
            &format!("--demo --demo-fault {fault}"),
            &[],
            TERMINAL_MODE,
        );
        let s = t.wait_for("MODE ");
        assert!(s.contains("EXITED 101"), "{fault}: {s}");
        assert!(s.contains("lambdascope crashed"), "{fault}: {s}");
        assert!(s.contains(message), "{fault}: {s}");
        assert!(
            s.contains("The log is at") && s.contains("lambdascope.log"),
            "{fault}: {s}"
        );
        assert!(
            s.contains("MODE icanon echo"),
            "{fault}: still raw after the panic:\n{s}"
        );
        assert!(!t.alternate_on(), "{fault}");
    }
}

/// Names and errors from outside reach stderr escaped: an unknown function whose name holds
/// a title-setting sequence is named, but the sequence does not act.
#[test]
fn cli_errors_print_text_from_outside_escaped() {
    let hostile = "x\x1b]0;pwned\x07\u{9b}2J";
    for args in [
        vec!["--demo", "metrics", hostile],
        vec!["--demo", "logs", hostile, "--since", "5m"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_lambdascope"))
            .args(&args)
            .output()
            .expect("run the binary");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains(['\x1b', '\x07', '\u{9b}']),
            "{args:?}: raw control characters on stderr: {err:?}"
        );
        assert!(
            err.contains("x\\e]0;pwned\\x07\\u{9b}2J"),
            "{args:?}: {err:?}"
        );
        assert!(!out.status.success(), "{args:?}: {err}");
    }
}
