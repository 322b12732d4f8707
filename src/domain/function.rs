//! A Lambda function as ListFunctions and GetFunction describe it.

use serde::Serialize;

use super::EpochMs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum TracingMode {
    Active,
    #[default]
    PassThrough,
}

/// One Lambda function, as ListFunctions and GetFunction describe it. Tests build one with
/// `Function { name, ..Default::default() }`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
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
