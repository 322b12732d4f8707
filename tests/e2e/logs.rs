//! The Logs screen in the real binary under tmux, on the demo account, as a person uses it:
//! open logs, search, expand an invocation, jump to the next error, open Insights; and lines
//! with hostile bytes never reach the terminal raw.

use crate::common;

use common::tmux::Tmux;

#[test]
fn logs_search_expand_jump_and_insights_at_80x24() {
    let t = Tmux::start("logs", (80, 24), "--demo", &[]);
    t.wait_for("unhealthy of 17");
    t.keys(&[":"]);
    t.literal("logs orders-api-create");
    t.keys(&["Enter"]);
    // Invocation rows with their figures: the data, not just the title.
    let s = t.wait_until("invocation rows", |s| {
        s.contains("billed") && s.contains("logs orders-api-create")
    });
    assert!(s.contains("following") || s.contains("paused"), "{s}");

    t.keys(&["/"]);
    t.literal("TypeError");
    let s = t.wait_until("a match count", |s| {
        s.contains("match") && s.contains("/TypeError")
    });
    assert!(!s.contains("bad "), "{s}");
    t.keys(&["Enter"]);

    // Jump to the next error and expand it: its own lines appear under it.
    t.keys(&["E"]);
    t.keys(&["Enter"]);
    let s = t.wait_until("an expanded invocation", |s| {
        s.contains("▾") && s.contains("│")
    });
    // Its START may lie before the oldest loaded line (the first page is the newest 500
    // events); its REPORT is always there once it ended.
    assert!(
        [
            "START RequestId",
            "platform.start",
            "REPORT RequestId",
            "platform.report"
        ]
        .iter()
        .any(|l| s.contains(l)),
        "{s}"
    );

    // Insights: the ready queries, then one run.
    t.keys(&["i"]);
    let s = t.wait_for("slowest invocations");
    assert!(s.contains("cold starts"), "{s}");
    t.keys(&["j", "Enter"]);
    t.wait_until("the results table", |s| {
        s.contains("rows ·") && s.contains("@duration")
    });

    t.keys(&["Escape", "Escape", "Escape"]);
    t.wait_for("unhealthy of 17");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}

#[test]
fn hostile_log_lines_reach_the_terminal_escaped() {
    // Some requests to orders-api-list carry OSC 52, OSC 0 and CSI sequences in their query,
    // logged as sent: the raw bytes go through the binary's own read and print.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambdascope"))
        .args(["--demo", "--clock", "2026-11-23T14:00:00Z"])
        .args(["logs", "orders-api-list", "--since", "1h"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let hostile: Vec<&str> = text.lines().filter(|l| l.contains("pwned")).collect();
    assert!(
        !hostile.is_empty(),
        "the hostile requests are in the hour:\n{text}"
    );
    for line in hostile {
        assert!(
            line.contains(r#"q="\e]52;c;cm0gLXJmIH4K\x07\e]0;pwned\x07\e[2J""#),
            "shown escaped, whole: {line}"
        );
    }
    assert!(
        !text.contains(['\x1b', '\x07', '\u{9b}']),
        "no ESC, BEL or CSI byte reaches the terminal"
    );
}

/// `logs --invocations` streams: each invocation is printed once, when nothing more can come
/// for it, and together they are every REPORT line of the same window.
#[test]
fn the_invocations_command_prints_every_invocation_once() {
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambdascope"))
            .args(["--demo", "--clock", "2026-11-23T14:00:00Z"])
            .args(["logs", "orders-api-get", "--since", "2h", "--json"])
            .args(extra)
            .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
            .output()
            .expect("run lambdascope logs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let lines = run(&[]);
    let reports = lines
        .lines()
        .filter(|l| l.contains("\"message\":\"REPORT RequestId"))
        .count();
    let invocations = run(&["--invocations"]);
    let ids: Vec<String> = invocations
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        // Those still running at the window's end have no REPORT yet.
        .filter(|v| v["outcome"] != "running")
        .map(|v| v["request_id"].as_str().expect("request_id").to_string())
        .collect();
    assert!(reports > 100, "{reports} REPORT lines");
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an invocation printed twice");
    assert_eq!(ids.len(), reports);
}

/// Every command reads a span the same way (`2w`, a bare `30` is minutes), and lines of a
/// window longer than a day carry their date.
#[test]
fn the_logs_command_reads_spans_like_every_command_and_dates_long_windows() {
    let run = |since: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambdascope"))
            .args(["--demo", "--clock", "2026-11-23T14:00:00Z"])
            .args(["logs", "inventory-sync", "--since", since])
            .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
            .output()
            .expect("run lambdascope logs");
        assert!(
            out.status.success(),
            "--since {since}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let short = run("30");
    assert_eq!(short, run("30m"), "a bare number is minutes");
    let first = short.lines().next().expect("a line in 30 minutes");
    assert!(
        first.starts_with("13:") || first.starts_with("14:"),
        "{first}"
    );
    let long = run("2w");
    let first = long.lines().next().expect("a line in two weeks");
    assert!(first.starts_with("2026-11-"), "{first}");
}
