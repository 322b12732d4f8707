//! X-Ray: trace summaries, whole traces as segment trees, and the service graph.

use serde::Serialize;

use super::{EpochMs, EpochUs, TimeWindow};

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
    pub duration_ms: f64,
    pub response_time_ms: Option<f64>,
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
    pub duration_ms: f64,
    /// The roots (usually one API Gateway stage, or a Lambda for direct invokes).
    pub roots: Vec<Segment>,
}

/// A segment or subsegment. X-Ray writes float epoch seconds; they become microseconds when
/// parsed (a DynamoDB call can take less than a millisecond).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub id: String,
    pub name: String,
    /// `AWS::ApiGateway::Stage`, `AWS::Lambda`, `AWS::Lambda::Function`, `AWS::DynamoDB::Table`, …
    pub origin: Option<String>,
    pub start: EpochUs,
    /// `None` while in progress.
    pub end: Option<EpochUs>,
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
    pub avg_response_ms: f64,
    pub edges: Vec<ServiceEdge>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceEdge {
    pub to: u32,
    pub requests: u64,
    pub errors: u64,
    pub faults: u64,
    pub avg_response_ms: f64,
}
