//! The dashboard and the overview as a person uses them: the real binary under tmux on the
//! demo account, and the scriptable `metrics` and `overview` commands.

use crate::common;

use std::process::Command;

use common::tmux::Tmux;

const CLOCK: &str = "--clock 2026-11-23T14:00:00Z";

#[test]
fn open_a_function_move_the_cursor_select_a_spike_and_see_it_in_the_header() {
    let t = Tmux::start("dash", (80, 24), &format!("--demo {CLOCK}"), &[]);
    t.wait_for("unhealthy of 17");
    t.keys(&["/"]);
    t.literal("orders-api-create");
    t.wait_for("1 match");
    t.keys(&["Enter", "Enter"]);
    t.wait_for_chart("Invocations");
    let s = t.wait_for_chart("Errors");
    assert!(s.contains("last 1h"), "{s}");
    // The cursor: the tabs line names its minute, the titles show its values.
    t.keys(&["Right", "Left", "Left"]);
    let s = t.wait_for("cursor 13:5");
    assert!(s.contains("3m per point"), "{s}");
    // The errors chart, then its spike: the header shows the incident window.
    t.keys(&["j", "s"]);
    let s = t.wait_for("incident 13:");
    assert!(s.contains("X clears it"), "{s}");
    assert!(
        !s.contains("last 1h"),
        "the incident replaces the span:\n{s}"
    );
    // Back on the functions table the incident still holds; X clears it everywhere.
    t.keys(&["Escape"]);
    t.wait_for("enter open function");
    assert!(t.screen().contains("incident 13:"));
    t.keys(&["X"]);
    t.wait_for("last 1h");
    // The overview from the functions screen.
    t.keys(&["o"]);
    let s = t.wait_for("Top by throttles");
    assert!(s.contains("search-indexer"), "{s}");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}

#[test]
fn ascii_markers_on_request_and_for_a_terminal_without_braille() {
    for (args, env) in [
        (format!("--demo {CLOCK} --ascii"), vec![]),
        (
            format!("--demo {CLOCK}"),
            vec![("LANG", "C"), ("LC_ALL", "C")],
        ),
    ] {
        let t = Tmux::start("ascii", (120, 40), &args, &env);
        t.wait_for("unhealthy of 17");
        t.keys(&["Enter"]);
        t.wait_for_chart("Invocations");
        // The whole frame, not only its first rows: the time axis under the bottom charts.
        let s = t.wait_until("charts drawn in ASCII", |s| {
            s.contains('*') && s.contains("13:30") && s.contains("Cold starts")
        });
        assert!(
            !s.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)),
            "braille in ASCII mode:\n{s}"
        );
        t.keys(&["q"]);
        t.wait_for("EXITED 0");
    }
}

fn run(args: &[&str]) -> (String, String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_lambdascope"))
        .args(args)
        .output()
        .expect("run the binary");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn metrics_prints_the_series_and_the_cold_start_summary() {
    let clock = "2026-11-23T14:00:00Z";
    let (out, err, code) = run(&[
        "metrics",
        "orders-api-create",
        "--demo",
        "--clock",
        clock,
        "--since",
        "3h",
        "--period",
        "5m",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("orders-api-create · 11:00–14:00 UTC · 300s periods"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("TIME") && lines[1].contains("INIT99"),
        "{out}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("1")).count(),
        36,
        "3 hours of 5-minute rows:\n{out}"
    );
    assert!(out.contains("← deploy"), "the deploy is marked:\n{out}");
    assert!(
        out.contains("Cold starts:") && out.contains("Deploy at 13:20"),
        "{out}"
    );

    let (json, err, code) = run(&[
        "--demo",
        "--clock",
        clock,
        "metrics",
        "payments-webhook",
        "--json",
        "--since",
        "1h",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["function"], "payments-webhook");
    assert_eq!(v["period_s"], 60);
    assert_eq!(v["series"].as_array().unwrap().len(), 7);
    assert!(v["cold_starts"]["total"].as_u64().is_some(), "{v}");
    assert_eq!(v["cold_starts"]["source"], "Demo");

    let (_, err, code) = run(&["--demo", "metrics", "no-such-function"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no-such-function not found"), "{err}");
    let (_, err, code) = run(&["--demo", "metrics", "x", "--period", "90s"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("whole number of minutes"), "{err}");
}

#[test]
fn overview_prints_the_account_and_its_top_functions() {
    let clock = "2026-11-23T14:00:00Z";
    let (out, err, code) = run(&["overview", "--demo", "--clock", clock]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("Account overview · demo account"), "{out}");
    assert!(out.contains("peak of 1000"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("Top by errors: orders-api-create")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("Top by throttles: search-indexer")),
        "{out}"
    );
    let (json, err, code) = run(&[
        "--demo", "--clock", clock, "overview", "--json", "--window", "3h",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["account_settings"]["concurrency_limit"], 1000);
    assert_eq!(v["top"]["throttles"][0]["function"], "search-indexer");
    assert!(v["invocations"].as_f64().unwrap() > 10_000.0, "{v}");
    assert_eq!(
        v["window"]["end"].as_i64().unwrap() - v["window"]["start"].as_i64().unwrap(),
        3 * 3_600_000
    );
}

#[test]
fn alarms_print_the_firing_first_and_filter_by_state() {
    let clock = "2026-11-23T14:00:00Z";
    let (out, err, code) = run(&["--demo", "--clock", clock, "alarms"]);
    assert_eq!(code, Some(0), "{err}");
    let states: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let first_ok = states.iter().position(|s| *s == "OK").expect("an OK alarm");
    assert!(states[..first_ok].iter().all(|s| *s != "OK"), "{out}");
    assert!(states[first_ok..].iter().all(|s| *s == "OK"), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("ALARM")
            && l.contains("orders-api-create-errors")
            && l.contains("λ orders-api-create")
            && l.contains("Errors ≥ 5 for 2×60s")),
        "{out}"
    );
    // Firing alarms carry their reason; OK ones do not.
    assert!(
        out.contains("  Threshold Crossed: 2 out of the last 2 datapoints"),
        "{out}"
    );

    let (json, err, code) = run(&[
        "--demo", "--clock", clock, "alarms", "--state", "alarm", "--json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let rows = v.as_array().expect("an array");
    assert!(rows.len() >= 2, "{v}");
    assert!(rows.iter().all(|r| r["state"] == "ALARM"), "{v}");
    assert!(
        rows.iter().any(|r| r["name"] == "search-indexer-throttles"
            && r["condition"] == "Throttles ≥ 100 for 2 of 3×60s"),
        "{v}"
    );

    let (_, err, code) = run(&["--demo", "alarms", "--state", "firing"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("ALARM, INSUFFICIENT_DATA or OK"), "{err}");
}
