//! What the log benches share: a million lines of the demo account.
// Each bench uses a part of this module.
#![allow(dead_code)]

use lambdascope::domain::{LogEvent, LogQuery, MINUTE_MS, TimeWindow};
use lambdascope::source::Source;
use lambdascope::source::demo::{Clock, DemoSource};

pub const LINES: usize = 1_000_000;
/// 2026-11-23T14:00:00Z.
pub const T0: i64 = 1_795_442_400_000;

/// A million real-format Lambda log lines from the demo account (every runtime and format).
pub fn lines() -> Vec<LogEvent> {
    let demo = DemoSource::new(42, Clock::Fixed(T0));
    let rt = tokio::runtime::Runtime::new().expect("tokio");
    let src = Source::Demo(demo);
    let fns = rt.block_on(src.list_functions()).expect("functions");
    let mut groups: Vec<String> = fns.iter().map(|f| f.log_group.clone()).collect();
    groups.dedup();
    let mut out = Vec::with_capacity(LINES);
    let mut end = T0;
    while out.len() < LINES {
        let q = LogQuery {
            log_groups: groups.clone(),
            window: TimeWindow::new(end - 30 * MINUTE_MS, end),
            filter_pattern: String::new(),
            limit: usize::MAX,
            newest_first: false,
            next_token: None,
        };
        let mut page = rt.block_on(src.logs(&q)).expect("logs");
        page.events.truncate(LINES - out.len());
        out.extend(page.events);
        end -= 30 * MINUTE_MS;
    }
    out
}
