//! The demo shop's functions: what they are, how busy, how they fail.

use crate::domain::{EventSource, LogFormat, TracingMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Python312,
    Nodejs20,
    Java21,
    ProvidedAl2023,
}

impl Runtime {
    pub fn id(self) -> &'static str {
        match self {
            Runtime::Python312 => "python3.12",
            Runtime::Nodejs20 => "nodejs20.x",
            Runtime::Java21 => "java21",
            Runtime::ProvidedAl2023 => "provided.al2023",
        }
    }
    /// What INIT_START prints as the runtime version.
    pub fn version(self) -> &'static str {
        match self {
            Runtime::Python312 => "python:3.12.v36",
            Runtime::Nodejs20 => "nodejs:20.v44",
            Runtime::Java21 => "java:21.v29",
            Runtime::ProvidedAl2023 => "provided:al2023.v88",
        }
    }
    /// Typical cold-start init duration range in ms (Java slow, Python/Node moderate, native fast).
    pub fn init_range_ms(self) -> (f64, f64) {
        match self {
            Runtime::Python312 => (140.0, 480.0),
            Runtime::Nodejs20 => (120.0, 390.0),
            Runtime::Java21 => (1900.0, 4600.0),
            Runtime::ProvidedAl2023 => (18.0, 75.0),
        }
    }
    pub fn handler(self) -> &'static str {
        match self {
            Runtime::Python312 => "app.handler",
            Runtime::Nodejs20 => "index.handler",
            Runtime::Java21 => "com.shop.Handler::handleRequest",
            Runtime::ProvidedAl2023 => "bootstrap",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Api,
    Authorizer,
    Sqs,
    Sns,
    S3,
    Schedule { every_min: u32 },
    Daily { hour: u32 },
    DynamoStream,
    Kinesis,
}

impl Trigger {
    pub fn label(self) -> &'static str {
        match self {
            Trigger::Api => "API Gateway",
            Trigger::Authorizer => "API Gateway authorizer",
            Trigger::Sqs => "SQS",
            Trigger::Sns => "SNS",
            Trigger::S3 => "S3",
            Trigger::Schedule { .. } | Trigger::Daily { .. } => "EventBridge schedule",
            Trigger::DynamoStream => "DynamoDB stream",
            Trigger::Kinesis => "Kinesis",
        }
    }
}

/// What can go wrong for a function, as base probabilities per invocation.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    pub error_rate: f64,
    pub timeout_rate: f64,
    /// (error type, message) thrown by the handler.
    pub error: (&'static str, &'static str),
}

#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub name: String,
    pub runtime: Runtime,
    pub memory_mb: u32,
    pub timeout_s: u32,
    pub trigger: Trigger,
    pub log_format: LogFormat,
    pub tracing: TracingMode,
    pub custom_log_group: Option<&'static str>,
    pub reserved_concurrency: Option<u32>,
    /// Mean invocation attempts per minute at the daily peak.
    pub peak_rate: f64,
    /// Median handler duration, ms.
    pub duration_ms: f64,
    pub faults: Faults,
    /// DynamoDB (operation, table) calls made per invocation.
    pub dynamo: &'static [(&'static str, &'static str)],
    /// Days since the last deploy; `None` for the function in an incident (deployed minutes ago).
    pub deployed_days_ago: Option<f64>,
    pub snap_start: bool,
    pub description: &'static str,
    pub base_memory_used_mb: u32,
    /// Provisioned concurrency on its `live` alias.
    pub provisioned: Option<u32>,
    /// Runs the Lambda Insights extension (a layer).
    pub lambda_insights: bool,
    /// Some requests carry terminal control sequences in their query, and the handler logs it
    /// as sent: attackers probe log viewers this way.
    pub hostile_queries: bool,
}

impl FunctionSpec {
    pub fn log_group(&self) -> String {
        match self.custom_log_group {
            Some(g) => g.to_string(),
            None => format!("/aws/lambda/{}", self.name),
        }
    }
}

/// The layers a function runs: Powertools where it logs JSON, the Lambda Insights extension
/// where it has it (each in the build for its architecture).
pub fn layers(s: &FunctionSpec, arm: bool) -> Vec<String> {
    let mut out = Vec::new();
    if s.log_format == LogFormat::Json {
        match s.runtime {
            Runtime::Python312 => out.push(format!(
                "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-{}:7",
                if arm { "arm64" } else { "x86_64" }
            )),
            Runtime::Nodejs20 => out.push(
                "arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:27"
                    .into(),
            ),
            _ => {}
        }
    }
    if s.lambda_insights {
        out.push(format!(
            "arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension{}:53",
            if arm { "-Arm64" } else { "" }
        ));
    }
    out
}

/// Environment variable names (the demo has values no more than AWS shows them).
pub fn env_vars(s: &FunctionSpec) -> Vec<String> {
    let mut out = vec!["LOG_LEVEL".to_string()];
    if s.log_format == LogFormat::Json {
        out.push("POWERTOOLS_SERVICE_NAME".into());
    }
    for (_, table) in s.dynamo {
        let var = format!("{}_TABLE", table.to_ascii_uppercase());
        if !out.contains(&var) {
            out.push(var);
        }
    }
    match s.runtime {
        Runtime::Java21 => out.push("JAVA_TOOL_OPTIONS".into()),
        Runtime::Nodejs20 => out.push("NODE_OPTIONS".into()),
        _ => {}
    }
    if s.name.starts_with("payments") {
        out.push("STRIPE_SECRET_ARN".into());
    }
    out
}

/// The queues and streams Lambda polls for it (API Gateway, S3, SNS and schedules push, so
/// they are triggers, not event source mappings).
pub fn event_sources(s: &FunctionSpec) -> Vec<EventSource> {
    let arn = |service: &str, resource: String| {
        format!("arn:aws:{service}:us-east-1:123456789012:{resource}")
    };
    let (source, batch) = match s.trigger {
        Trigger::Sqs => (arn("sqs", format!("{}-queue", s.name)), 10),
        Trigger::DynamoStream => (
            arn(
                "dynamodb",
                "table/catalog/stream/2026-01-12T09:30:00.000".into(),
            ),
            100,
        ),
        Trigger::Kinesis => (arn("kinesis", "stream/audit-events".into()), 100),
        _ => return vec![],
    };
    vec![EventSource {
        arn: source,
        state: "Enabled".into(),
        batch_size: Some(batch),
    }]
}

/// The function in an incident: a deploy 40 minutes before the demo started broke it.
pub const INCIDENT_FUNCTION: &str = "orders-api-create";
pub const INCIDENT_DEPLOY_MINUTES_AGO: i64 = 40;
/// The function stuck at its reserved concurrency.
pub const THROTTLED_FUNCTION: &str = "search-indexer";

const NO_FAULTS: Faults = Faults {
    error_rate: 0.0005,
    timeout_rate: 0.0,
    error: ("Error", "unexpected error"),
};

#[allow(clippy::too_many_arguments)]
fn spec(
    name: &str,
    runtime: Runtime,
    memory_mb: u32,
    timeout_s: u32,
    trigger: Trigger,
    log_format: LogFormat,
    tracing: TracingMode,
    peak_rate: f64,
    duration_ms: f64,
) -> FunctionSpec {
    FunctionSpec {
        name: name.to_string(),
        runtime,
        memory_mb,
        timeout_s,
        trigger,
        log_format,
        tracing,
        custom_log_group: None,
        reserved_concurrency: None,
        peak_rate,
        duration_ms,
        faults: NO_FAULTS,
        dynamo: &[],
        deployed_days_ago: Some(12.0),
        snap_start: false,
        description: "",
        base_memory_used_mb: memory_mb / 5 + 40,
        provisioned: None,
        lambda_insights: false,
        hostile_queries: false,
    }
}

/// The shop: 17 functions across four runtimes.
pub fn shop() -> Vec<FunctionSpec> {
    use LogFormat::{Json, Text};
    use Runtime::*;
    use TracingMode::{Active, PassThrough};
    vec![
        FunctionSpec {
            faults: Faults {
                error_rate: 0.003,
                timeout_rate: 0.0,
                error: (
                    "TypeError",
                    "Cannot read properties of undefined (reading 'sku')",
                ),
            },
            dynamo: &[("GetItem", "inventory"), ("PutItem", "orders")],
            deployed_days_ago: None,
            description: "POST /orders",
            ..spec(
                "orders-api-create",
                Nodejs20,
                512,
                10,
                Trigger::Api,
                Json,
                Active,
                110.0,
                85.0,
            )
        },
        FunctionSpec {
            dynamo: &[("GetItem", "orders")],
            deployed_days_ago: Some(3.2),
            description: "GET /orders/{id}",
            ..spec(
                "orders-api-get",
                Nodejs20,
                256,
                6,
                Trigger::Api,
                Text,
                Active,
                260.0,
                24.0,
            )
        },
        FunctionSpec {
            dynamo: &[("Query", "orders")],
            deployed_days_ago: Some(3.2),
            description: "GET /orders",
            provisioned: Some(2),
            hostile_queries: true,
            ..spec(
                "orders-api-list",
                Nodejs20,
                256,
                6,
                Trigger::Api,
                Text,
                Active,
                70.0,
                61.0,
            )
        },
        FunctionSpec {
            faults: Faults {
                error_rate: 0.002,
                timeout_rate: 0.001,
                error: ("KeyError", "'signature'"),
            },
            dynamo: &[("PutItem", "payments"), ("UpdateItem", "orders")],
            deployed_days_ago: Some(8.5),
            description: "Stripe webhook receiver",
            lambda_insights: true,
            ..spec(
                "payments-webhook",
                Python312,
                512,
                15,
                Trigger::Api,
                Json,
                Active,
                38.0,
                180.0,
            )
        },
        FunctionSpec {
            faults: Faults {
                error_rate: 0.01,
                timeout_rate: 0.0,
                error: (
                    "botocore.exceptions.ClientError",
                    "An error occurred (ConditionalCheckFailedException)",
                ),
            },
            dynamo: &[("UpdateItem", "payments")],
            deployed_days_ago: Some(21.0),
            description: "Refund queue consumer",
            ..spec(
                "payments-refund",
                Python312,
                256,
                30,
                Trigger::Sqs,
                Text,
                PassThrough,
                3.0,
                420.0,
            )
        },
        FunctionSpec {
            dynamo: &[("BatchWriteItem", "inventory")],
            deployed_days_ago: Some(30.0),
            description: "Pulls stock levels from the ERP every 5 minutes",
            ..spec(
                "inventory-sync",
                Java21,
                1024,
                300,
                Trigger::Schedule { every_min: 5 },
                Text,
                PassThrough,
                1.0,
                21_000.0,
            )
        },
        FunctionSpec {
            dynamo: &[("UpdateItem", "inventory")],
            deployed_days_ago: Some(5.0),
            description: "Reserves stock for an order",
            ..spec(
                "inventory-reserve",
                Java21,
                1024,
                10,
                Trigger::Api,
                Text,
                Active,
                45.0,
                120.0,
            )
        },
        FunctionSpec {
            faults: Faults {
                error_rate: 0.004,
                timeout_rate: 0.0,
                error: (
                    "PIL.UnidentifiedImageError",
                    "cannot identify image file '/tmp/upload.heic'",
                ),
            },
            description: "Resizes product images on upload",
            ..spec(
                "thumbnail-resize",
                Python312,
                1536,
                60,
                Trigger::S3,
                Text,
                PassThrough,
                14.0,
                950.0,
            )
        },
        FunctionSpec {
            description: "Sends order e-mails from the queue",
            ..spec(
                "email-sender",
                Nodejs20,
                256,
                30,
                Trigger::Sqs,
                Json,
                PassThrough,
                32.0,
                140.0,
            )
        },
        FunctionSpec {
            description: "Mobile push fan-out",
            ..spec(
                "notifications-push",
                Nodejs20,
                256,
                10,
                Trigger::Sns,
                Text,
                PassThrough,
                22.0,
                70.0,
            )
        },
        FunctionSpec {
            deployed_days_ago: Some(44.0),
            description: "JWT authorizer for the public API",
            base_memory_used_mb: 21,
            ..spec(
                "auth-authorizer",
                ProvidedAl2023,
                128,
                5,
                Trigger::Authorizer,
                Text,
                Active,
                380.0,
                4.0,
            )
        },
        FunctionSpec {
            reserved_concurrency: Some(5),
            deployed_days_ago: Some(2.0),
            description: "Indexes catalogue changes into OpenSearch",
            ..spec(
                "search-indexer",
                Python312,
                1024,
                120,
                Trigger::DynamoStream,
                Text,
                PassThrough,
                120.0,
                3_400.0,
            )
        },
        FunctionSpec {
            dynamo: &[("Scan", "orders")],
            deployed_days_ago: Some(60.0),
            description: "Nightly sales report",
            ..spec(
                "reports-nightly",
                Python312,
                3008,
                900,
                Trigger::Daily { hour: 2 },
                Text,
                PassThrough,
                1.0,
                184_000.0,
            )
        },
        FunctionSpec {
            custom_log_group: Some("/shop/api"),
            dynamo: &[("GetItem", "users")],
            deployed_days_ago: Some(9.0),
            description: "GET /me",
            ..spec(
                "users-api-profile",
                Nodejs20,
                512,
                6,
                Trigger::Api,
                Json,
                Active,
                140.0,
                38.0,
            )
        },
        FunctionSpec {
            custom_log_group: Some("/shop/api"),
            dynamo: &[("UpdateItem", "carts")],
            deployed_days_ago: Some(9.0),
            description: "PUT /cart",
            ..spec(
                "cart-api-update",
                Nodejs20,
                512,
                6,
                Trigger::Api,
                Json,
                Active,
                85.0,
                52.0,
            )
        },
        FunctionSpec {
            deployed_days_ago: Some(17.0),
            description: "Writes the audit trail from Kinesis",
            ..spec(
                "audit-log-writer",
                ProvidedAl2023,
                256,
                30,
                Trigger::Kinesis,
                Text,
                PassThrough,
                55.0,
                16.0,
            )
        },
        FunctionSpec {
            snap_start: true,
            deployed_days_ago: Some(6.0),
            description: "Renders invoice PDFs (SnapStart)",
            ..spec(
                "pdf-invoice",
                Java21,
                2048,
                60,
                Trigger::Sqs,
                Text,
                PassThrough,
                5.0,
                1_450.0,
            )
        },
    ]
}

/// Pads the shop with `total - shop().len()` tenant workers, for benchmarks and scale tests.
pub fn shop_with_size(total: usize) -> Vec<FunctionSpec> {
    let mut fns = shop();
    let runtimes = [
        Runtime::Python312,
        Runtime::Nodejs20,
        Runtime::Java21,
        Runtime::ProvidedAl2023,
    ];
    let mut i = 0;
    while fns.len() < total {
        let rt = runtimes[i % runtimes.len()];
        let name = format!("tenant-{:04}-worker", i);
        fns.push(FunctionSpec {
            deployed_days_ago: Some(1.0 + (i % 90) as f64),
            description: "Per-tenant worker",
            ..spec(
                &name,
                rt,
                256,
                30,
                Trigger::Sqs,
                LogFormat::Text,
                TracingMode::PassThrough,
                0.5 + (i % 7) as f64,
                50.0 + (i % 13) as f64 * 20.0,
            )
        });
        i += 1;
    }
    fns
}
