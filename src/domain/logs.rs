//! CloudWatch Logs events and queries, and the invocations they add up to.

use std::time::Duration;

use serde::Serialize;

use super::{EpochMs, TimeWindow};

/// One CloudWatch Logs event, exactly as stored (the message may hold several lines).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LogEvent {
    pub timestamp: EpochMs,
    pub ingestion_time: EpochMs,
    pub log_group: String,
    pub log_stream: String,
    pub message: String,
    /// The event's identity, the same whichever API read it (FilterLogEvents, GetLogEvents,
    /// Live Tail, the demo): see [`event_id`]. Drops duplicates across pages, polls and
    /// reconnects with one rule.
    pub event_id: String,
}

/// One rule for an event's identity, whichever API read it. FilterLogEvents has an id of its
/// own, but GetLogEvents and Live Tail have none, so identity is the content: group, stream,
/// timestamp and message, hashed with FNV-1a (stable across runs and builds). `nth` tells
/// apart identical events in one stream at one millisecond (the second `.` printed in a loop).
pub fn event_id(
    group: &str,
    stream: &str,
    timestamp: EpochMs,
    message: &str,
    nth: usize,
) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(group.as_bytes());
    eat(&[0xff]);
    eat(stream.as_bytes());
    eat(&[0xff]);
    eat(&timestamp.to_le_bytes());
    eat(message.as_bytes());
    if nth == 0 {
        format!("{h:016x}")
    } else {
        format!("{h:016x}-{nth}")
    }
}

impl LogEvent {
    /// An event with its identity set by [`event_id`] (first of its kind).
    pub fn new(
        log_group: String,
        log_stream: String,
        timestamp: EpochMs,
        ingestion_time: EpochMs,
        message: String,
    ) -> LogEvent {
        let event_id = event_id(&log_group, &log_stream, timestamp, &message, 0);
        LogEvent {
            timestamp,
            ingestion_time,
            log_group,
            log_stream,
            message,
            event_id,
        }
    }
}

/// Sets every event's identity by [`event_id`], numbering identical events within the batch in
/// the order given (a stream's order, for every API).
pub fn stamp_event_ids(events: &mut [LogEvent]) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for e in events.iter_mut() {
        let base = event_id(&e.log_group, &e.log_stream, e.timestamp, &e.message, 0);
        let n = seen.entry(base.clone()).or_insert(0);
        e.event_id = if *n == 0 {
            base
        } else {
            event_id(&e.log_group, &e.log_stream, e.timestamp, &e.message, *n)
        };
        *n += 1;
    }
}

/// A FilterLogEvents-style query over one or more groups.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LogQuery {
    pub log_groups: Vec<String>,
    pub window: TimeWindow,
    /// CloudWatch filter pattern syntax; empty means everything.
    pub filter_pattern: String,
    /// Stop after this many events (newest wins when `newest_first`).
    pub limit: usize,
    pub newest_first: bool,
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LogPage {
    /// Ascending by time, whatever the query order.
    pub events: Vec<LogEvent>,
    pub next_token: Option<String>,
    /// Spans inside the page's range that could not be fetched within the request bound (a
    /// group with more events in one second than a page holds). Shown, never silent.
    pub gaps: Vec<TimeWindow>,
}

/// One log stream (one execution environment) read in order: GetLogEvents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StreamQuery {
    pub log_group: String,
    pub log_stream: String,
    pub window: TimeWindow,
    pub limit: usize,
    pub next_token: Option<String>,
}

/// A request to follow groups as new events arrive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TailRequest {
    /// At most 10 (the Live Tail limit).
    pub log_groups: Vec<String>,
    pub filter_pattern: String,
    /// Deliver events from here on; `None` means "from now".
    pub since: Option<EpochMs>,
}

/// What a tail delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum TailUpdate {
    Events(Vec<LogEvent>),
    /// The tail lost its connection and is retrying; the UI shows it. Events resume afterwards.
    Interrupted {
        reason: String,
        retry_in: Duration,
    },
    /// Live Tail sampled the stream because it was too busy.
    Sampled,
    /// How the events are coming now.
    Mode(TailMode),
    /// Events in this span of `group` could not be fetched within the catch-up bound after an
    /// outage (the tail moved on to stay live).
    Gap {
        group: String,
        window: TimeWindow,
    },
}

/// Where a tail's events come from, for the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TailMode {
    LiveTail,
    Polling,
    Demo,
}

impl TailMode {
    pub fn label(self) -> &'static str {
        match self {
            TailMode::LiveTail => "Live Tail",
            TailMode::Polling => "polling",
            TailMode::Demo => "demo stream",
        }
    }
}

/// A Logs Insights query over some groups and a window.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InsightsQuery {
    /// 1 to 50 groups.
    pub log_groups: Vec<String>,
    pub query: String,
    pub window: TimeWindow,
}

/// How far a query has got (GetQueryResults' statistics).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct InsightsProgress {
    pub records_matched: f64,
    pub records_scanned: f64,
    pub bytes_scanned: f64,
}

/// One result row: (field, value) pairs in the query's column order.
pub type InsightsRow = Vec<(String, String)>;

/// What an Insights subscription delivers: progress while it runs, then the rows.
#[derive(Debug, Clone, PartialEq)]
pub enum InsightsUpdate {
    Running(InsightsProgress),
    Done {
        rows: Vec<InsightsRow>,
        progress: InsightsProgress,
    },
}

/// One request's lifecycle, START..REPORT, grouped by request id (built by `parse::invocations`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invocation {
    pub request_id: String,
    pub function: String,
    pub log_stream: String,
    pub start: EpochMs,
    pub duration_ms: f64,
    pub billed_ms: f64,
    pub memory_mb: u32,
    pub max_memory_used_mb: u32,
    /// `Some` on cold starts.
    pub init_duration_ms: Option<f64>,
    pub outcome: Outcome,
    pub trace_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome {
    Success,
    /// A function error; the type is e.g. `Runtime.ExitError`, `KeyError`, `Error`.
    Error(String),
    Timeout,
}

impl Outcome {
    pub fn is_failure(&self) -> bool {
        !matches!(self, Outcome::Success)
    }
    /// The runtime ran out of memory (`Runtime.OutOfMemory`).
    pub fn is_oom(&self) -> bool {
        matches!(self, Outcome::Error(t) if t == "Runtime.OutOfMemory")
    }
}
