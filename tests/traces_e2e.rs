//! The real binary under tmux, on the demo: the trace list, a waterfall, its invocation's logs,
//! and back; the service map at 80×24.

mod common;

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

    // n selects the first span that failed; L opens that invocation's logs.
    t.keys(&["n", "L"]);
    let s = t.wait_until("the logs, or why they cannot open yet", |s| {
        s.contains("cannot be opened yet") || !s.contains("SPAN")
    });
    if !s.contains("cannot be opened yet") {
        // The Logs screen opened: esc comes back to the waterfall.
        t.keys(&["Escape"]);
        t.wait_for("SPAN");
    } else {
        // Until the Logs screen lands, the router names what it was asked to open.
        assert!(s.contains("orders-api-create"), "{s}");
    }
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
