//! Where data comes from. Domain types are ours, not the SDK's, so the UI never sees an AWS crate
//! and the demo account and the AWS backend answer the same contract.
//!
//! [`Source`] is an enum rather than a trait object: two implementations, no boxing, and `match`
//! keeps the dispatch obvious. Every method is a read.

#[cfg(feature = "aws")]
pub mod aws;
pub mod demo;

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

use futures::Stream;
use serde::Serialize;

/// Milliseconds since the Unix epoch, UTC. CloudWatch speaks milliseconds; X-Ray's float seconds
/// are converted at the edge.
pub type EpochMs = i64;

pub const MINUTE_MS: EpochMs = 60_000;
pub const HOUR_MS: EpochMs = 60 * MINUTE_MS;
pub const DAY_MS: EpochMs = 24 * HOUR_MS;

/// A half-open time range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TimeWindow {
    pub start: EpochMs,
    pub end: EpochMs,
}

impl TimeWindow {
    pub fn new(start: EpochMs, end: EpochMs) -> Self {
        Self {
            start,
            end: end.max(start),
        }
    }
    /// The `span` that ends at `now`.
    pub fn last(span: EpochMs, now: EpochMs) -> Self {
        Self::new(now - span, now)
    }
    pub fn len_ms(&self) -> EpochMs {
        self.end - self.start
    }
    pub fn contains(&self, t: EpochMs) -> bool {
        t >= self.start && t < self.end
    }
}

// ---------------------------------------------------------------------------------------------
// Functions

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TracingMode {
    Active,
    PassThrough,
}

/// One Lambda function, as ListFunctions and GetFunction describe it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Function {
    pub name: String,
    pub arn: String,
    /// `None` for container images.
    pub runtime: Option<String>,
    pub handler: Option<String>,
    pub memory_mb: u32,
    pub timeout_s: u32,
    pub last_modified: EpochMs,
    pub architecture: String,
    pub code_size: u64,
    pub description: String,
    /// `LoggingConfig.LogGroup`, or `/aws/lambda/<name>`.
    pub log_group: String,
    pub log_format: LogFormat,
    pub tracing: TracingMode,
    /// Filled by GetFunction (ListFunctions does not return it); `None` when unknown or unset.
    pub reserved_concurrency: Option<u32>,
    /// What invokes it, e.g. "API Gateway", "S3", "SQS", "EventBridge schedule". Not known from AWS.
    pub trigger: Option<String>,
    /// `State` from GetFunction ("Active", "Pending", "Failed"), when known.
    pub state: Option<String>,
    pub snap_start: bool,
}

impl Function {
    pub fn default_log_group(name: &str) -> String {
        format!("/aws/lambda/{name}")
    }
}

// ---------------------------------------------------------------------------------------------
// Metrics

/// The Lambda metrics the console charts. `ColdStarts` and `InitDuration` are not in `AWS/Lambda`;
/// the demo derives them from its invocations, the AWS backend from REPORT lines or Lambda Insights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Metric {
    Invocations,
    Errors,
    Throttles,
    Duration,
    ConcurrentExecutions,
    ColdStarts,
    InitDuration,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::Invocations,
        Metric::Errors,
        Metric::Throttles,
        Metric::Duration,
        Metric::ConcurrentExecutions,
        Metric::ColdStarts,
        Metric::InitDuration,
    ];
    /// The CloudWatch metric name in `AWS/Lambda`, where there is one.
    pub fn cloudwatch_name(self) -> Option<&'static str> {
        match self {
            Metric::Invocations => Some("Invocations"),
            Metric::Errors => Some("Errors"),
            Metric::Throttles => Some("Throttles"),
            Metric::Duration => Some("Duration"),
            Metric::ConcurrentExecutions => Some("ConcurrentExecutions"),
            Metric::ColdStarts | Metric::InitDuration => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Metric::Invocations => "invocations",
            Metric::Errors => "errors",
            Metric::Throttles => "throttles",
            Metric::Duration => "duration",
            Metric::ConcurrentExecutions => "concurrency",
            Metric::ColdStarts => "cold starts",
            Metric::InitDuration => "init duration",
        }
    }
}

/// A named statistic. Percentiles are stored in tenths so `p99.9` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Statistic {
    Sum,
    Max,
    Average,
    SampleCount,
    Percentile(u16),
}

impl Statistic {
    pub const P50: Statistic = Statistic::Percentile(500);
    pub const P90: Statistic = Statistic::Percentile(900);
    pub const P95: Statistic = Statistic::Percentile(950);
    pub const P99: Statistic = Statistic::Percentile(990);

    /// The CloudWatch spelling: `Sum`, `Maximum`, `p95`, `p99.9`.
    pub fn cloudwatch_name(self) -> String {
        match self {
            Statistic::Sum => "Sum".into(),
            Statistic::Max => "Maximum".into(),
            Statistic::Average => "Average".into(),
            Statistic::SampleCount => "SampleCount".into(),
            Statistic::Percentile(t) if t % 10 == 0 => format!("p{}", t / 10),
            Statistic::Percentile(t) => format!("p{}.{}", t / 10, t % 10),
        }
    }
    /// The quantile in `0.0..=1.0` for percentiles.
    pub fn quantile(self) -> Option<f64> {
        match self {
            Statistic::Percentile(t) => Some(f64::from(t) / 1000.0),
            _ => None,
        }
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Sum => f.write_str("sum"),
            Statistic::Max => f.write_str("max"),
            Statistic::Average => f.write_str("avg"),
            Statistic::SampleCount => f.write_str("count"),
            Statistic::Percentile(_) => f.write_str(&self.cloudwatch_name()),
        }
    }
}

/// One series to fetch: a function's metric under one statistic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MetricQuery {
    pub function: String,
    pub metric: Metric,
    pub stat: Statistic,
}

impl MetricQuery {
    /// One query per (metric, statistic) for a function.
    pub fn each(function: &str, series: &[(Metric, Statistic)]) -> Vec<MetricQuery> {
        series
            .iter()
            .map(|&(metric, stat)| MetricQuery {
                function: function.to_string(),
                metric,
                stat,
            })
            .collect()
    }
}

/// Many series over one window at one period. The AWS backend batches these 500 to a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricRequest {
    pub queries: Vec<MetricQuery>,
    pub window: TimeWindow,
    /// Seconds, a multiple of 60.
    pub period_s: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Start of the period.
    pub t: EpochMs,
    pub v: f64,
}

/// The answer to one [`MetricQuery`]. Periods with no data have no point (as in CloudWatch).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSeries {
    pub query: MetricQuery,
    pub period_s: u32,
    /// Ascending by time.
    pub points: Vec<Point>,
    /// Set when the service refused this one series (e.g. an emulator without percentiles).
    /// The cell shows "n/a" with this reason; the rest of the screen is unaffected.
    pub unavailable: Option<String>,
}

impl MetricSeries {
    pub fn total(&self) -> f64 {
        self.points.iter().map(|p| p.v).sum()
    }
    pub fn max(&self) -> Option<f64> {
        self.points.iter().map(|p| p.v).reduce(f64::max)
    }
}

// ---------------------------------------------------------------------------------------------
// Logs

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

pub type TailStream = Pin<Box<dyn Stream<Item = TailUpdate> + Send>>;

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

// ---------------------------------------------------------------------------------------------
// Traces

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceQuery {
    pub window: TimeWindow,
    /// X-Ray filter expression; empty means all.
    pub filter: String,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceSummary {
    pub id: String,
    /// Start time, from the trace id's epoch or the first segment.
    pub start: EpochMs,
    pub duration_s: f64,
    pub response_time_s: Option<f64>,
    pub has_error: bool,
    pub has_fault: bool,
    pub has_throttle: bool,
    pub http_method: Option<String>,
    pub http_url: Option<String>,
    pub http_status: Option<u16>,
    /// Names of the services it touched (entry first).
    pub services: Vec<String>,
    /// Lambda request ids it carried, to link logs.
    pub request_ids: Vec<String>,
}

/// One whole trace: its segment documents assembled into a tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    pub id: String,
    pub duration_s: f64,
    /// The roots (usually one API Gateway stage, or a Lambda for direct invokes).
    pub roots: Vec<Segment>,
}

/// A segment or subsegment. Times are epoch seconds, as X-Ray writes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub id: String,
    pub name: String,
    /// `AWS::ApiGateway::Stage`, `AWS::Lambda`, `AWS::Lambda::Function`, `AWS::DynamoDB::Table`, …
    pub origin: Option<String>,
    pub start: f64,
    /// `None` while in progress.
    pub end: Option<f64>,
    pub error: bool,
    pub fault: bool,
    pub throttle: bool,
    pub http_status: Option<u16>,
    /// `aws.operation`, e.g. "PutItem".
    pub operation: Option<String>,
    /// `aws.table_name` and friends.
    pub resource: Option<String>,
    /// `aws.request_id` (for Lambda segments, the Lambda request id).
    pub request_id: Option<String>,
    /// First exception message of `cause`, if any.
    pub cause: Option<String>,
    pub inferred: bool,
    pub children: Vec<Segment>,
}

/// X-Ray's service map for a window.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ServiceGraph {
    pub services: Vec<ServiceNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceNode {
    pub id: u32,
    pub name: String,
    pub kind: String,
    pub requests: u64,
    pub errors: u64,
    pub faults: u64,
    pub throttles: u64,
    pub avg_response_s: f64,
    pub edges: Vec<ServiceEdge>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceEdge {
    pub to: u32,
    pub requests: u64,
    pub errors: u64,
    pub faults: u64,
    pub avg_response_s: f64,
}

// ---------------------------------------------------------------------------------------------
// Errors and status

/// Everything a source can fail with, phrased for the person reading the status bar.
/// Cloneable so that `Loadable::Failed` can hold it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error(
        "no AWS credentials found (tried {tried}); run `aws configure` or `aws sso login`, or try --demo"
    )]
    NoCredentials { tried: String },
    #[error("the SSO session has expired; run `aws sso login --profile {profile}`")]
    SsoExpired { profile: String },
    #[error("access denied: this needs IAM permission {action}")]
    AccessDenied { action: String },
    #[error("throttled on {api}, retrying in {}s", retry_in.as_secs().max(1))]
    Throttled { api: String, retry_in: Duration },
    #[error("cannot reach {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    #[error("unknown region {0:?}")]
    UnknownRegion(String),
    #[error("{what} is not supported here: {reason}")]
    Unsupported { what: String, reason: String },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Other(String),
}

/// What the source is, for the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SourceInfo {
    Demo {
        seed: u64,
    },
    Aws {
        account: Option<String>,
        profile: Option<String>,
        region: String,
        endpoint: Option<String>,
    },
}

impl fmt::Display for SourceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceInfo::Demo { .. } => f.write_str("demo account"),
            SourceInfo::Aws {
                account,
                profile,
                region,
                endpoint,
            } => {
                write!(f, "{}", account.as_deref().unwrap_or("aws"))?;
                if let Some(p) = profile {
                    write!(f, " · {p}")?;
                }
                write!(f, " · {region}")?;
                if let Some(e) = endpoint {
                    write!(f, " · {e}")?;
                }
                Ok(())
            }
        }
    }
}

/// Live health of the source: shown in the status bar (throttling, calls, cost).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SourceHealth {
    /// e.g. "throttled: FilterLogEvents, retrying in 4 s".
    pub throttled: Option<String>,
    pub calls: u64,
    /// Estimated spend so far at public prices.
    pub estimated_usd: f64,
    /// Per-API breakdown for `:usage`: (api, calls, units, $).
    pub usage: Vec<UsageLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageLine {
    pub api: String,
    pub calls: u64,
    /// What is billed: metrics requested, session-minutes, GB scanned… (0 when free).
    pub billed_units: f64,
    pub unit: String,
    pub estimated_usd: f64,
}

// ---------------------------------------------------------------------------------------------
// The seam

/// The one seam between the console and its data.
#[derive(Clone)]
pub enum Source {
    Demo(demo::DemoSource),
    #[cfg(feature = "aws")]
    Aws(aws::AwsSource),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Source::Demo($s) => $e,
            #[cfg(feature = "aws")]
            Source::Aws($s) => $e,
        }
    };
}

impl Source {
    pub fn info(&self) -> SourceInfo {
        dispatch!(self, s => s.info())
    }
    /// The source's clock: real time, or the demo's fixed clock in tests.
    pub fn now(&self) -> EpochMs {
        dispatch!(self, s => s.now())
    }
    pub fn health(&self) -> SourceHealth {
        dispatch!(self, s => s.health())
    }
    /// Every function (all pages).
    pub async fn list_functions(&self) -> Result<Vec<Function>, SourceError> {
        dispatch!(self, s => s.list_functions().await)
    }
    /// Full configuration of one function (GetFunction).
    pub async fn function(&self, name: &str) -> Result<Function, SourceError> {
        dispatch!(self, s => s.function(name).await)
    }
    pub async fn metrics(&self, req: &MetricRequest) -> Result<Vec<MetricSeries>, SourceError> {
        dispatch!(self, s => s.metrics(req).await)
    }
    /// One page of matching events.
    pub async fn logs(&self, query: &LogQuery) -> Result<LogPage, SourceError> {
        dispatch!(self, s => s.logs(query).await)
    }
    /// One log stream in time order, a page at a time (an execution environment's whole story).
    pub async fn stream_events(&self, query: &StreamQuery) -> Result<LogPage, SourceError> {
        dispatch!(self, s => s.stream_events(query).await)
    }
    /// Follow groups; the stream never ends on its own and survives outages.
    pub async fn tail(&self, req: &TailRequest) -> Result<TailStream, SourceError> {
        dispatch!(self, s => s.tail(req).await)
    }
    pub async fn trace_summaries(
        &self,
        query: &TraceQuery,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        dispatch!(self, s => s.trace_summaries(query).await)
    }
    /// Whole traces by id (any number; the AWS backend batches 5 a call).
    pub async fn traces(&self, ids: &[String]) -> Result<Vec<Trace>, SourceError> {
        dispatch!(self, s => s.traces(ids).await)
    }
    pub async fn service_graph(&self, window: TimeWindow) -> Result<ServiceGraph, SourceError> {
        dispatch!(self, s => s.service_graph(window).await)
    }
}
