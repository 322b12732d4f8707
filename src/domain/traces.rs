//! X-Ray: trace summaries, whole traces as segment trees, and the service graph.
//!
//! Both sources fill every field here the same way: the demo renders its traces as X-Ray
//! documents would read, and the AWS backend maps the SDK's answers field by field. A field
//! that only one backend could fill does not belong here.

use std::collections::BTreeMap;

pub use compact_str::CompactString;
use serde::Serialize;

use super::{EpochMs, EpochUs, HOUR_MS, TimeWindow};

/// The longest range one GetTraceSummaries call is asked for. The API reference states no
/// maximum, but 6 hours is the limit commonly cited, so longer windows are split.
pub const MAX_TRACE_SPAN_MS: EpochMs = 6 * HOUR_MS;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TraceQuery {
    pub window: TimeWindow,
    /// X-Ray filter expression; empty means all.
    pub filter: String,
    /// At most this many summaries, the newest.
    pub limit: usize,
}

impl TraceQuery {
    /// The window in spans of at most [`MAX_TRACE_SPAN_MS`], newest first: a scan shows recent
    /// traces first and can stop early.
    pub fn spans(&self) -> Vec<TimeWindow> {
        let mut out = Vec::new();
        let mut end = self.window.end;
        while end > self.window.start {
            let start = (end - MAX_TRACE_SPAN_MS).max(self.window.start);
            out.push(TimeWindow::new(start, end));
            end = start;
        }
        out
    }
}

/// Where a scan of trace summaries stands: which span (see [`TraceQuery::spans`]) and the page
/// token inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
pub struct TraceCursor {
    pub span: usize,
    pub token: Option<String>,
}

/// One page of a scan.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TracePage {
    pub summaries: Vec<TraceSummary>,
    /// Where to go on; `None` when the window has been scanned.
    pub next: Option<TraceCursor>,
}

/// The X-Ray filter expression for the traces through one function.
pub fn function_filter(name: &str) -> String {
    format!("service(id(name: {name:?}, type: \"{ORIGIN_FUNCTION}\"))")
}

/// Puts summaries newest first (ties by id, so the order is stable), then keeps `limit`.
pub fn newest_first(summaries: &mut Vec<TraceSummary>, limit: usize) {
    summaries.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.id.cmp(&b.id)));
    summaries.dedup_by(|a, b| a.id == b.id);
    summaries.truncate(limit);
}

/// A service a trace touched: X-Ray's `ServiceIds`, with whether it faulted, erred or was
/// throttled in this trace (from the root causes).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ServiceRef {
    pub name: String,
    /// `AWS::Lambda::Function`, `AWS::ApiGateway::Stage`, … when known.
    pub kind: Option<String>,
    pub fault: bool,
    pub error: bool,
    pub throttle: bool,
}

/// An annotation value: X-Ray indexes strings, numbers and booleans.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AnnotationValue {
    Str(String),
    Num(f64),
    Bool(bool),
}

impl std::fmt::Display for AnnotationValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnnotationValue::Str(s) => write!(f, "{s:?}"),
            AnnotationValue::Num(n) => write!(f, "{n}"),
            AnnotationValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TraceSummary {
    pub id: String,
    /// Start time, from the summary or else the trace id's epoch.
    pub start: EpochMs,
    pub duration_ms: f64,
    pub response_time_ms: Option<f64>,
    pub has_error: bool,
    pub has_fault: bool,
    pub has_throttle: bool,
    /// Some segments had not arrived when it was summarised.
    pub is_partial: bool,
    pub http_method: Option<String>,
    pub http_url: Option<String>,
    pub http_status: Option<u16>,
    /// The service the request entered by.
    pub entry: Option<ServiceRef>,
    /// Every service it touched (the entry first).
    pub services: Vec<ServiceRef>,
    /// Indexed annotations, each with the values seen in the trace.
    pub annotations: BTreeMap<String, Vec<AnnotationValue>>,
    /// Where the fault or error began: "service: Type: message".
    pub root_cause: Option<String>,
}

impl TraceSummary {
    /// The cold-start flag some tracers record as an annotation (Powertools: `ColdStart`).
    pub fn cold_start_annotation(&self) -> Option<bool> {
        ["ColdStart", "cold_start", "coldStart"]
            .iter()
            .find_map(|k| self.annotations.get(*k))
            .and_then(|v| {
                v.iter().find_map(|a| match a {
                    AnnotationValue::Bool(b) => Some(*b),
                    AnnotationValue::Str(s) => s.parse().ok(),
                    AnnotationValue::Num(n) => Some(*n != 0.0),
                })
            })
    }

    /// The path of the URL, e.g. `/prod/orders`.
    pub fn url_path(&self) -> Option<&str> {
        self.http_url.as_deref().map(url_path)
    }
}

/// `https://host/prod/orders?x=1` → `/prod/orders?x=1`; anything else as is.
pub fn url_path(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    }
}

/// One whole trace: its segment documents assembled into a tree.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Trace {
    pub id: String,
    pub duration_ms: f64,
    /// The roots (usually one API Gateway stage, or a Lambda for direct invokes). More than one
    /// when a segment's parent never arrived (an orphan).
    pub roots: Vec<Segment>,
    /// X-Ray cut the trace short: it had more segments than it returns.
    pub limit_exceeded: bool,
}

/// A Lambda invocation a trace went through: where its logs are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TracedInvocation {
    pub function: String,
    pub request_id: String,
    /// When the Lambda service segment started.
    pub at: EpochMs,
}

impl Trace {
    /// Every segment and subsegment, depth first.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        let mut stack: Vec<&Segment> = self.roots.iter().rev().collect();
        std::iter::from_fn(move || {
            let s = stack.pop()?;
            stack.extend(s.children.iter().rev());
            Some(s)
        })
    }

    /// The Lambda invocations in it, from the `AWS::Lambda` segments' `aws.request_id`.
    pub fn invocations(&self) -> Vec<TracedInvocation> {
        self.segments()
            .filter(|s| s.origin.as_deref() == Some(ORIGIN_LAMBDA))
            .filter_map(|s| {
                Some(TracedInvocation {
                    function: s.function_name()?,
                    request_id: s.request_id.as_deref()?.to_string(),
                    at: s.start.div_euclid(1000),
                })
            })
            .collect()
    }

    /// Whether a function in it started cold (an Initialization or SnapStart Restore subsegment).
    pub fn is_cold(&self) -> bool {
        self.segments().any(|s| s.kind() == SpanKind::ColdStart)
    }

    pub fn span_count(&self) -> usize {
        self.segments().count()
    }

    /// The first function it ran, for finding other traces of the same route.
    pub fn function(&self) -> Option<String> {
        self.segments()
            .find(|s| matches!(s.origin.as_deref(), Some(ORIGIN_LAMBDA | ORIGIN_FUNCTION)))
            .and_then(Segment::function_name)
    }

    /// The entry's HTTP method, if it came over HTTP.
    pub fn http_method(&self) -> Option<&str> {
        self.roots.first()?.http.method.as_deref()
    }
}

pub const ORIGIN_API_GATEWAY: &str = "AWS::ApiGateway::Stage";
pub const ORIGIN_LAMBDA: &str = "AWS::Lambda";
pub const ORIGIN_FUNCTION: &str = "AWS::Lambda::Function";
pub const ORIGIN_DYNAMODB: &str = "AWS::DynamoDB::Table";

/// `http.request` and `http.response` of a segment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Http {
    pub method: Option<CompactString>,
    pub url: Option<CompactString>,
    pub user_agent: Option<CompactString>,
    pub client_ip: Option<CompactString>,
    pub status: Option<u16>,
    pub content_length: Option<u64>,
}

impl Http {
    pub fn is_empty(&self) -> bool {
        *self == Http::default()
    }
}

/// One stack frame of an exception.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StackFrame {
    pub path: Option<String>,
    pub line: Option<u64>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Exception {
    pub id: Option<String>,
    /// The exception's type, e.g. `ProvisionedThroughputExceededException`.
    pub kind: Option<String>,
    pub message: Option<String>,
    /// Thrown by a downstream call rather than this service.
    pub remote: bool,
    /// Frames left out of `stack`.
    pub truncated: u64,
    pub skipped: u64,
    /// The id of the exception that caused this one.
    pub cause: Option<String>,
    pub stack: Vec<StackFrame>,
}

/// Why a segment failed: exceptions with their stacks, or only the id of an exception recorded
/// in another segment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Cause {
    pub working_directory: Option<String>,
    pub exceptions: Vec<Exception>,
    /// A 16-hex id naming an exception in another subsegment.
    pub reference: Option<String>,
}

impl Cause {
    /// "Type: message" of the first exception.
    pub fn headline(&self) -> Option<String> {
        let e = self.exceptions.first()?;
        match (&e.kind, &e.message) {
            (Some(k), Some(m)) => Some(format!("{k}: {m}")),
            (Some(k), None) => Some(k.clone()),
            (None, Some(m)) => Some(m.clone()),
            (None, None) => None,
        }
    }
}

/// A segment or subsegment. X-Ray writes float epoch seconds; they become microseconds when
/// parsed (a DynamoDB call can take less than a millisecond).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Segment {
    pub id: CompactString,
    pub name: CompactString,
    /// `AWS::ApiGateway::Stage`, `AWS::Lambda`, `AWS::Lambda::Function`, `AWS::DynamoDB::Table`, …
    pub origin: Option<CompactString>,
    /// Subsegments: `aws` for SDK calls, `remote` for other downstream calls.
    pub namespace: Option<CompactString>,
    /// The parent it named, found or not (a root with one is an orphan).
    pub parent_id: Option<CompactString>,
    pub start: EpochUs,
    /// `None` while in progress (or when the document gave no usable end).
    pub end: Option<EpochUs>,
    pub in_progress: bool,
    pub error: bool,
    pub fault: bool,
    pub throttle: bool,
    pub http: Http,
    /// `aws.operation`, e.g. "PutItem".
    pub operation: Option<CompactString>,
    /// `aws.table_name`, the queue, or the first resource name.
    pub resource: Option<CompactString>,
    /// `aws.request_id` (for Lambda segments, the Lambda request id).
    pub request_id: Option<CompactString>,
    /// `aws.retries`.
    pub retries: Option<u64>,
    /// Every `aws` field, flattened to `key.sub = value`, for the detail pane.
    pub aws: Vec<(CompactString, CompactString)>,
    pub resource_arn: Option<CompactString>,
    pub annotations: Vec<(String, AnnotationValue)>,
    /// Any JSON; not indexed.
    pub metadata: Option<Box<serde_json::Value>>,
    pub cause: Option<Box<Cause>>,
    pub inferred: bool,
    pub children: Vec<Segment>,
}

/// What a span is, as the waterfall labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SpanKind {
    ApiGateway,
    /// The Lambda service segment (`AWS::Lambda`).
    Lambda,
    /// The function segment (`AWS::Lambda::Function`).
    Function,
    /// Initialization or SnapStart Restore: the cold start.
    ColdStart,
    Invocation,
    Overhead,
    /// A DynamoDB call from the code.
    DynamoDb,
    /// The table X-Ray inferred for a DynamoDB call.
    Table,
    /// Another AWS SDK call.
    AwsCall,
    /// An HTTP call to something else.
    Remote,
    /// A segment of some other service.
    Service,
    /// A subsegment of the code's own.
    Local,
}

impl SpanKind {
    /// A short label for the kind column.
    pub fn label(self) -> &'static str {
        match self {
            SpanKind::ApiGateway => "API GW",
            SpanKind::Lambda => "Lambda",
            SpanKind::Function => "function",
            SpanKind::ColdStart => "cold",
            SpanKind::Invocation => "handler",
            SpanKind::Overhead => "overhead",
            SpanKind::DynamoDb => "DynamoDB",
            SpanKind::Table => "table",
            SpanKind::AwsCall => "AWS",
            SpanKind::Remote => "remote",
            SpanKind::Service => "service",
            SpanKind::Local => "local",
        }
    }
}

impl Segment {
    pub fn kind(&self) -> SpanKind {
        match self.origin.as_deref() {
            Some(ORIGIN_API_GATEWAY) => return SpanKind::ApiGateway,
            Some(ORIGIN_LAMBDA) => return SpanKind::Lambda,
            Some(ORIGIN_FUNCTION) => return SpanKind::Function,
            Some(ORIGIN_DYNAMODB) => return SpanKind::Table,
            Some(_) => return SpanKind::Service,
            None => {}
        }
        if self.inferred {
            return SpanKind::Service;
        }
        match self.namespace.as_deref() {
            Some("aws") if self.name == "DynamoDB" => SpanKind::DynamoDb,
            Some("aws") => SpanKind::AwsCall,
            Some("remote") => SpanKind::Remote,
            _ => match self.name.as_str() {
                "Initialization" | "Restore" => SpanKind::ColdStart,
                "Invocation" => SpanKind::Invocation,
                "Overhead" => SpanKind::Overhead,
                _ => SpanKind::Local,
            },
        }
    }

    /// The name to show: a call says what it did ("DynamoDB PutItem orders").
    pub fn label(&self) -> String {
        match self.kind() {
            SpanKind::DynamoDb | SpanKind::AwsCall => {
                let mut s = self.name.to_string();
                for part in [&self.operation, &self.resource].into_iter().flatten() {
                    s.push(' ');
                    s.push_str(part);
                }
                s
            }
            SpanKind::Remote => match (&self.http.method, &self.http.url) {
                (Some(m), Some(u)) => format!("{} {m} {}", self.name, url_path(u)),
                _ => self.name.to_string(),
            },
            _ => self.name.to_string(),
        }
    }

    /// Whether anything went wrong in this span itself.
    pub fn failed(&self) -> bool {
        self.fault || self.error || self.throttle
    }

    /// The function a Lambda segment belongs to: its name (Lambda names both segments after the
    /// function), or the end of its ARN.
    pub fn function_name(&self) -> Option<String> {
        if !self.name.is_empty() {
            return Some(self.name.to_string());
        }
        let arn = self.resource_arn.as_deref()?;
        arn.split(":function:")
            .nth(1)
            .map(|r| r.split(':').next().unwrap_or(r).to_string())
    }

    /// Duration in milliseconds, if it has ended.
    pub fn duration_ms(&self) -> Option<f64> {
        self.end.map(|e| (e - self.start).max(0) as f64 / 1000.0)
    }

    /// The HTTP status of its response.
    pub fn http_status(&self) -> Option<u16> {
        self.http.status
    }
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
    pub avg_response_ms: f64,
    pub edges: Vec<ServiceEdge>,
}

impl ServiceNode {
    fn share(&self, n: u64) -> Option<f64> {
        (self.requests > 0).then(|| 100.0 * n as f64 / self.requests as f64)
    }
    pub fn error_pct(&self) -> Option<f64> {
        self.share(self.errors)
    }
    pub fn fault_pct(&self) -> Option<f64> {
        self.share(self.faults)
    }
    pub fn throttle_pct(&self) -> Option<f64> {
        self.share(self.throttles)
    }
    /// The client X-Ray draws for callers it has no segment of.
    pub fn is_client(&self) -> bool {
        self.kind == "client"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceEdge {
    pub to: u32,
    pub requests: u64,
    pub errors: u64,
    pub faults: u64,
    pub avg_response_ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_split_into_six_hour_spans_newest_first() {
        let q = |start, end| TraceQuery {
            window: TimeWindow::new(start, end),
            filter: String::new(),
            limit: 10,
        };
        assert_eq!(
            q(0, 14 * HOUR_MS).spans(),
            vec![
                TimeWindow::new(8 * HOUR_MS, 14 * HOUR_MS),
                TimeWindow::new(2 * HOUR_MS, 8 * HOUR_MS),
                TimeWindow::new(0, 2 * HOUR_MS)
            ]
        );
        assert!(q(5, 5).spans().is_empty());
        assert_eq!(q(0, HOUR_MS).spans().len(), 1);
    }

    #[test]
    fn newest_first_sorts_before_it_truncates() {
        let s = |id: &str, start| TraceSummary {
            id: id.into(),
            start,
            ..Default::default()
        };
        let mut v = vec![s("a", 1), s("b", 3), s("c", 2), s("b", 3)];
        newest_first(&mut v, 2);
        assert_eq!(
            v.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
    }

    #[test]
    fn urls_lose_their_host() {
        assert_eq!(
            url_path("https://api.example.com/prod/orders"),
            "/prod/orders"
        );
        assert_eq!(url_path("https://api.example.com"), "/");
        assert_eq!(url_path("/x"), "/x");
    }
}
