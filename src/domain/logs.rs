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
    /// Unique within the group; used to drop duplicates across pages, polls and reconnects.
    pub event_id: String,
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
