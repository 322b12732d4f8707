//! CloudWatch Logs events and queries, and the invocations they add up to.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
    /// Groups that could not be read at all (group, why); the page holds the others.
    pub unreadable: Vec<(String, String)>,
}

/// Why a group cannot be read, when that is the group's own trouble (the other groups can be
/// read): it does not exist yet, or it alone is denied. None for trouble that is everyone's.
pub fn group_problem(e: &super::SourceError) -> Option<String> {
    use super::SourceError as E;
    match e {
        E::NotFound(_) => Some("no log group yet (never invoked?)".into()),
        E::AccessDenied { .. } => Some(e.to_string()),
        _ => None,
    }
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

/// Live Tail follows at most 10 groups a session; a tail of more runs several sessions.
pub const LIVE_TAIL_GROUPS: usize = 10;
/// The most groups one tail follows (five Live Tail sessions of the account's fifteen).
pub const MAX_TAILED_GROUPS: usize = 50;
/// A tail starts this far before the end of what was read as a page, so an event stamped just
/// before the page's end but ingested just after it is read by one or the other; the buffer
/// drops the events both read.
pub const TAIL_OVERLAP_MS: EpochMs = 60_000;

/// A request to follow groups as new events arrive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TailRequest {
    /// At most [`MAX_TAILED_GROUPS`].
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
    /// Whether Live Tail is sampling the stream because it is too busy (sent when that
    /// changes; only Live Tail samples).
    Sampled(bool),
    /// A group that cannot be read: it does not exist yet (a function that was never invoked
    /// has none) or is denied. Said once; `problem: None` when it can be read again. The other
    /// groups go on.
    Group {
        group: String,
        problem: Option<String>,
    },
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

/// Logs Insights reads at most this many groups a query.
pub const MAX_INSIGHTS_GROUPS: usize = 50;

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

/// The default byte budget of all log buffers together.
pub const DEFAULT_LOG_MEMORY: usize = 512 << 20;

/// One byte budget for every log buffer of the console (lines and their text; the fold's
/// records and the duplicate index come on top, a stated overhead). The buffer that grows past
/// it evicts its own oldest lines, and counts them.
#[derive(Debug)]
pub struct LogMemory {
    limit: usize,
    used: AtomicUsize,
    evicted: AtomicU64,
}

impl LogMemory {
    pub fn new(limit: usize) -> Arc<LogMemory> {
        Arc::new(LogMemory {
            limit: limit.max(1),
            used: AtomicUsize::new(0),
            evicted: AtomicU64::new(0),
        })
    }
    pub fn limit(&self) -> usize {
        self.limit
    }
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }
    /// Lines evicted to stay within the budget, by every buffer, ever.
    pub fn evicted_lines(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }
    pub fn evicted(&self, lines: u64) {
        self.evicted.fetch_add(lines, Ordering::Relaxed);
    }
    /// A buffer's holding went from `before` to `after` bytes.
    pub fn charge(&self, before: usize, after: usize) {
        if after >= before {
            self.used.fetch_add(after - before, Ordering::Relaxed);
        } else {
            let less = before - after;
            let _ = self
                .used
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                    Some(u.saturating_sub(less))
                });
        }
    }
}

/// Buffers compare by content; the budget they share is not part of it.
impl PartialEq for LogMemory {
    fn eq(&self, _: &LogMemory) -> bool {
        true
    }
}
