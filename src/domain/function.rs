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
    /// Layer ARNs, in order.
    pub layers: Vec<String>,
    /// Names of the environment variables. Their values are never read: they hold secrets.
    pub env_vars: Vec<String>,
    /// Provisioned concurrency per alias or version; `None` when not fetched (ListFunctions).
    pub provisioned: Option<Vec<Provisioned>>,
    /// What polls events for it (ListEventSourceMappings); `None` when not fetched.
    pub event_sources: Option<Vec<EventSource>>,
    /// Deploys, oldest first: published versions and the last change of `$LATEST`. Empty when
    /// not fetched (ListFunctions); [`Function::deploy_times`] always has `last_modified`.
    pub deploys: Vec<Deploy>,
    /// Parts of the configuration that could not be fetched, and why ("event sources: access
    /// denied: …"). The rest is shown.
    pub detail_errors: Vec<String>,
}

/// Provisioned concurrency configured on one alias or version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Provisioned {
    /// The alias or version it is on, e.g. `live` or `12`.
    pub qualifier: String,
    pub requested: u32,
    pub allocated: u32,
    /// `READY`, `IN_PROGRESS` or `FAILED`.
    pub status: String,
}

/// An event source mapping: a queue or stream Lambda polls for this function.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EventSource {
    /// The source's ARN (queue, stream, table stream, Kafka cluster…).
    pub arn: String,
    /// `Enabled`, `Disabled`, `Creating`…
    pub state: String,
    pub batch_size: Option<u32>,
}

impl EventSource {
    /// "SQS orders-queue", "DynamoDB catalog", "Kinesis audit": the service and the resource
    /// name, from the ARN.
    pub fn label(&self) -> String {
        let mut parts = self.arn.splitn(6, ':');
        let service = parts.nth(2).unwrap_or_default();
        let resource = parts.nth(2).unwrap_or(&self.arn);
        let kind = match service {
            "sqs" => "SQS",
            "dynamodb" => "DynamoDB",
            "kinesis" => "Kinesis",
            "kafka" => "MSK",
            "mq" => "Amazon MQ",
            "docdb" => "DocumentDB",
            "" => return self.arn.clone(),
            other => other,
        };
        // table/catalog/stream/2026-… → catalog; stream/audit → audit.
        let name = match resource.split('/').collect::<Vec<_>>().as_slice() {
            ["table", t, ..] | ["stream", t, ..] | ["cluster", t, ..] => (*t).to_string(),
            _ => resource.to_string(),
        };
        format!("{kind} {name}")
    }
}

/// One deploy: a version published, or `$LATEST` changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Deploy {
    pub at: EpochMs,
    /// `12`, or `$LATEST`.
    pub version: String,
}

/// Layers whose name says they are the Lambda Insights extension: the function then publishes
/// the `LambdaInsights` metrics, cold starts among them.
const LAMBDA_INSIGHTS_LAYER: &str = "LambdaInsightsExtension";

impl Function {
    pub fn default_log_group(name: &str) -> String {
        format!("/aws/lambda/{name}")
    }

    /// Whether the function runs the Lambda Insights extension.
    pub fn has_lambda_insights(&self) -> bool {
        self.layers
            .iter()
            .any(|l| l.contains(LAMBDA_INSIGHTS_LAYER))
    }

    /// Whether its log group may hold other functions' streams too (a custom `LoggingConfig`
    /// group): then only the streams named after it are its own.
    pub fn shares_log_group(&self) -> bool {
        self.log_group != Self::default_log_group(&self.name)
    }

    /// When it was deployed, oldest first, without repeats closer than a minute: the versions
    /// and the last modification.
    pub fn deploy_times(&self) -> Vec<EpochMs> {
        let mut times: Vec<EpochMs> = self.deploys.iter().map(|d| d.at).collect();
        if self.last_modified > 0 {
            times.push(self.last_modified);
        }
        times.sort_unstable();
        times.dedup_by(|later, earlier| *later - *earlier < 60_000);
        times
    }

    /// The last deploy at or before `t`.
    pub fn deploy_before(&self, t: EpochMs) -> Option<EpochMs> {
        self.deploy_times().into_iter().rev().find(|&d| d <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_sources_read_as_service_and_name() {
        let es = |arn: &str| EventSource {
            arn: arn.into(),
            ..Default::default()
        };
        assert_eq!(
            es("arn:aws:sqs:us-east-1:123456789012:orders-queue").label(),
            "SQS orders-queue"
        );
        assert_eq!(
            es("arn:aws:dynamodb:us-east-1:123456789012:table/catalog/stream/2026-01-01T00:00:00.000").label(),
            "DynamoDB catalog"
        );
        assert_eq!(
            es("arn:aws:kinesis:us-east-1:123456789012:stream/audit").label(),
            "Kinesis audit"
        );
        assert_eq!(es("weird").label(), "weird");
    }

    #[test]
    fn deploys_merge_versions_and_the_last_change() {
        let f = Function {
            name: "f".into(),
            log_group: "/aws/lambda/f".into(),
            last_modified: 10 * 60_000,
            deploys: vec![
                Deploy {
                    at: 10 * 60_000 - 5_000,
                    version: "2".into(),
                },
                Deploy {
                    at: 60_000,
                    version: "1".into(),
                },
            ],
            layers: vec![
                "arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:52".into(),
            ],
            ..Default::default()
        };
        assert_eq!(f.deploy_times(), [60_000, 10 * 60_000 - 5_000]);
        assert_eq!(f.deploy_before(5 * 60_000), Some(60_000));
        assert_eq!(f.deploy_before(0), None);
        assert!(f.has_lambda_insights());
        assert!(!f.shares_log_group());
    }
}
