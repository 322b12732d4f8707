//! The real binary under tmux, on the demo: the trace list, a waterfall, its invocation's logs,
//! and back; the service map at 80×24.

use crate::common;

use common::tmux::Tmux;

const CLOCK: &str = "--demo --clock 2026-11-23T14:00:00Z";

#[test]
fn list_waterfall_logs_and_back() {
    let t = Tmux::start("traces", (200, 50), CLOCK, &[]);
    t.wait_for("unhealthy of 17");
    t.keys(&[":"]);
    t.literal("traces fault");
    t.keys(&["Enter"]);
    // Data, not titles: a faulted POST with its status and root cause.
    let s = t.wait_until("faulted traces", |s| {
        s.contains("502") && s.contains("TypeError")
    });
    assert!(s.contains("fault") && s.contains("FLAGS"), "{s}");

    t.keys(&["Enter"]);
    let s = t.wait_until("the waterfall", |s| {
        s.contains("SPAN") && s.contains("Invocation") && s.contains("█")
    });
    assert!(s.contains("DynamoDB GetItem inventory"), "{s}");
    assert!(s.contains("API GW") && s.contains("function"), "{s}");

    // n selects the first span that failed; its detail names the invocation's request id.
    t.keys(&["n"]);
    // A Lambda request id (36 characters); the root's detail, shown until `n` lands, has API
    // Gateway's own 16-character `api_gateway.request_id`.
    let request_id = |s: &str| -> String {
        s.split("request_id = ")
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
                    .collect::<String>()
            })
            .find(|id| id.len() == 36)
            .unwrap_or_default()
    };
    let s = t.wait_until("the failed invocation's request id in the detail", |s| {
        !request_id(s).is_empty()
    });
    let rid = request_id(&s);
    // L opens that invocation's logs, unfolded: its row, then its own lines.
    let row = |s: &str, mark: &str| s.lines().any(|l| l.starts_with(mark) && l.contains(&rid));
    t.keys(&["L"]);
    let s = t.wait_until("the invocation's logs, unfolded", |s| {
        !s.contains("SPAN") && row(s, "▾")
    });
    assert!(s.contains("logs orders-api-create"), "{s}");
    assert!(
        s.lines().any(|l| l.starts_with("  │") && l.contains(&rid)),
        "its lines under it: {s}"
    );
    // It is under the cursor: enter folds it, and only it.
    t.keys(&["Enter"]);
    t.wait_until("the invocation folded by enter", |s| row(s, "▸"));
    t.keys(&["Escape"]);
    t.wait_for("SPAN");
    t.keys(&["Escape"]);
    t.wait_until("the list again", |s| {
        s.contains("FLAGS") && !s.contains("SPAN")
    });
    t.keys(&["Escape"]);
    t.wait_for("enter open function");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}

#[test]
fn the_map_reads_at_80x24_and_opens_traces() {
    let t = Tmux::start("map", (80, 24), CLOCK, &[]);
    t.wait_for("unhealthy of 17");
    t.keys(&[":"]);
    t.literal("map");
    t.keys(&["Enter"]);
    let s = t.wait_until("the map", |s| {
        s.contains("shop-api/prod") && s.contains("▶")
    });
    assert!(s.contains("client"), "{s}");
    // Into the API stage and its traces.
    t.keys(&["l", "Enter"]);
    let s = t.wait_until("its traces", |s| s.contains("FLAGS") && s.contains("POST"));
    // At 80 columns the filter is cut where the count begins.
    assert!(s.contains("service(id(name: \"shop-api/prod"), "{s}");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}
