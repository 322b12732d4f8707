//! The demo's X-Ray: each traced attempt rendered as the segments X-Ray would hold (API Gateway
//! stage → Lambda → function with Initialization/Invocation/Overhead → DynamoDB calls and their
//! inferred tables), its summary, scans of summaries a page at a time, and the service graph.
//!
//! A trace and its summary are drawn from one [`Shape`] decided per attempt, so they agree; the
//! durations are the attempt's, so they agree with its REPORT line.
//!
//! Besides the failures the metrics show, the `inventory` table has a hot partition: a few
//! percent of its calls are throttled and retried, and a third of those run out of retries. The
//! handler then answers 429 itself, so the invocation still succeeds (no Lambda error, as the
//! metrics say) while the trace shows the throttled call.

use std::collections::BTreeMap;

use serde_json::json;

use super::Inner;
use super::catalog::{FunctionSpec, Runtime, Trigger};
use super::render::{ACCOUNT, REGION, function_arn, out_of_memory, request_id};
use super::traffic::{Attempt, Fate, Model, hash, mix, unit};
use crate::domain::{
    AnnotationValue, Cause, EpochMs, Exception, Http, MINUTE_MS, ORIGIN_API_GATEWAY,
    ORIGIN_DYNAMODB, ORIGIN_FUNCTION, ORIGIN_LAMBDA, Segment, ServiceEdge, ServiceGraph,
    ServiceNode, ServiceRef, SourceError, StackFrame, TimeWindow, Trace, TraceCursor, TracePage,
    TraceQuery, TraceSummary, TracingMode, us_from_epoch_seconds,
};
use crate::parse::trace_filter::TraceFilter;

pub const API_STAGE: &str = "shop-api/prod";
const API_ID: &str = "k3x9qz1mw2";
const API_HOST: &str = "api.shop.example.com";
/// The table with a hot partition, and how often a call to it is throttled.
pub const HOT_TABLE: &str = "inventory";
const HOT_TABLE_THROTTLED: f64 = 0.04;
/// Minutes one page of a demo scan covers, so a long window shows progress as on AWS.
const PAGE_MINUTES: i64 = 30;

/// Trace ids carry their function and index (masked), so a trace can be found again from its id
/// without any index: `1-<epoch secs>-<(f,idx) ^ mask><check>`.
pub fn trace_id(model: &Model, a: &Attempt) -> String {
    let secs = (a.arrival / 1000) as u64;
    let mask = hash(&[model.seed, secs, 0x7ace]) as u32;
    let tag = ((a.f as u32) << 16 | (a.idx & 0xffff)) ^ mask;
    format!("1-{:08x}-{:08x}{:016x}", secs, tag, mix(a.key ^ 0x33))
}

/// Finds the attempt a trace id names, if it is one of ours.
pub fn attempt_for_trace(model: &Model, id: &str) -> Option<Attempt> {
    let mut parts = id.split('-');
    let (Some("1"), Some(secs), Some(rest), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if secs.len() != 8 || rest.len() != 24 {
        return None;
    }
    let secs = u64::from_str_radix(secs, 16).ok()?;
    let tag = u32::from_str_radix(rest.get(..8)?, 16).ok()?;
    let check = u64::from_str_radix(rest.get(8..)?, 16).ok()?;
    let tag = tag ^ hash(&[model.seed, secs, 0x7ace]) as u32;
    let (f, idx) = ((tag >> 16) as usize, tag & 0xffff);
    if f >= model.specs.len() {
        return None;
    }
    // The arrival may fall in the minute of `secs` (ids use the arrival second).
    let minute = (secs as i64 * 1000).div_euclid(MINUTE_MS);
    if idx >= model.attempts_in(f, minute) {
        return None;
    }
    let a = model.attempt(f, minute, idx);
    (mix(a.key ^ 0x33) == check && !a.throttled).then_some(a)
}

/// The id of the attempt's `n`-th segment (2 is the function segment, which the logs name).
pub fn segment_id(a: &Attempt, n: u64) -> String {
    format!("{:016x}", mix(a.key ^ (0x5e9 + n)))
}

/// The route an API function serves: ("POST", "/orders").
pub fn http_route(spec: &FunctionSpec) -> (String, String) {
    let mut parts = spec.description.splitn(2, ' ');
    match (parts.next(), parts.next()) {
        (Some(m), Some(p))
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m) && p.starts_with('/') =>
        {
            (m.to_string(), p.to_string())
        }
        _ => ("POST".to_string(), format!("/{}", spec.name)),
    }
}

/// One DynamoDB call of an invocation.
struct Call {
    op: &'static str,
    table: &'static str,
    /// Retries after throttles (0 when the first try went through).
    retries: u32,
    /// Every retry was throttled too: the call failed.
    exhausted: bool,
}

/// What one attempt's trace looks like, decided once for the trace and its summary.
struct Shape {
    api: bool,
    method: String,
    path: String,
    status: u16,
    calls: Vec<Call>,
    failed: bool,
    /// A call ran out of retries and the handler answered 429.
    throttled: bool,
    /// The function records Powertools annotations (ColdStart, Service) and metadata.
    powertools: bool,
}

fn shape(model: &Model, a: &Attempt) -> Shape {
    let spec = &model.specs[a.f];
    let api = matches!(spec.trigger, Trigger::Api | Trigger::Authorizer);
    let (method, route) = http_route(spec);
    // A path parameter takes a value of the request's own.
    let path = route.replace(
        "{id}",
        &format!("ord_{:06x}", mix(a.key ^ 0x1d) & 0xff_ffff),
    );
    let calls: Vec<Call> = spec
        .dynamo
        .iter()
        .enumerate()
        .map(|(i, &(op, table))| {
            let r = unit(mix(a.key ^ (0x7407 + i as u64)));
            let hot = table == HOT_TABLE && a.fate == Fate::Ok && r < HOT_TABLE_THROTTLED;
            Call {
                op,
                table,
                retries: if hot {
                    1 + (mix(a.key ^ 0x7e7) % 3) as u32
                } else {
                    0
                },
                exhausted: hot && r < HOT_TABLE_THROTTLED / 3.0,
            }
        })
        .collect();
    let throttled = calls.iter().any(|c| c.exhausted);
    let status = match a.fate {
        Fate::Ok if throttled => 429,
        Fate::Ok => {
            if method == "POST" {
                201
            } else {
                200
            }
        }
        Fate::Error => 502,
        Fate::Timeout => 504,
    };
    Shape {
        api,
        method,
        path,
        status,
        calls,
        failed: a.is_error(),
        throttled,
        powertools: spec.log_format == crate::domain::LogFormat::Json,
    }
}

fn service_label(spec: &FunctionSpec) -> &str {
    spec.name.split('-').next().unwrap_or("shop")
}

fn seconds(t: EpochMs) -> f64 {
    t as f64 / 1000.0
}

/// A segment from `start` to `end` in epoch seconds, the way the X-Ray SDKs compute them.
fn leaf(id: String, name: &str, start: f64, end: f64) -> Segment {
    Segment {
        id: id.into(),
        name: name.into(),
        start: us_from_epoch_seconds(start).unwrap_or_default(),
        end: us_from_epoch_seconds(end),
        ..Default::default()
    }
}

fn aws_fields(
    pairs: &[(&str, String)],
) -> Vec<(crate::domain::CompactString, crate::domain::CompactString)> {
    pairs.iter().map(|(k, v)| ((*k).into(), v.into())).collect()
}

fn client_ip(a: &Attempt) -> String {
    let h = mix(a.key ^ 0x1b);
    format!(
        "{}.{}.{}.{}",
        81 + h % 120,
        (h >> 8) % 256,
        (h >> 16) % 256,
        1 + (h >> 24) % 254
    )
}

/// The stack a handler error leaves, innermost frame first, as X-Ray's SDKs write it (and as
/// the logs' traceback reads).
fn stack(runtime: Runtime) -> Vec<StackFrame> {
    let frame = |path: &str, line: u64, label: &str| StackFrame {
        path: Some(path.into()),
        line: Some(line),
        label: Some(label.into()),
    };
    match runtime {
        Runtime::Python312 => vec![
            frame("/var/task/app.py", 27, "process"),
            frame("/var/task/app.py", 41, "handler"),
        ],
        Runtime::Nodejs20 => vec![
            frame("file:///var/task/index.mjs", 31, "handler"),
            frame(
                "file:///var/runtime/index.mjs",
                1173,
                "Runtime.handleOnceNonStreaming",
            ),
        ],
        Runtime::Java21 => vec![
            frame("Handler.java", 58, "com.shop.Handler.handleRequest"),
            frame("Handler.java", 33, "com.shop.Handler.reserve"),
        ],
        Runtime::ProvidedAl2023 => vec![frame("src/main.rs", 88, "bootstrap::handler")],
    }
}

fn failure_cause(spec: &FunctionSpec, a: &Attempt) -> Cause {
    let id = format!("{:016x}", mix(a.key ^ 0xca5e));
    let exception = match a.fate {
        Fate::Timeout => Exception {
            id: Some(id),
            kind: Some("Sandbox.Timedout".into()),
            message: Some(format!(
                "Task timed out after {}.00 seconds",
                spec.timeout_s
            )),
            ..Default::default()
        },
        // The same death the logs and REPORT line show (render::out_of_memory).
        _ if out_of_memory(spec, a) => Exception {
            id: Some(id),
            kind: Some("Runtime.OutOfMemory".into()),
            message: Some("signal: killed".into()),
            ..Default::default()
        },
        _ => Exception {
            id: Some(id),
            kind: Some(
                spec.faults
                    .error
                    .0
                    .rsplit('.')
                    .next()
                    .unwrap_or("Error")
                    .into(),
            ),
            message: Some(spec.faults.error.1.into()),
            stack: stack(spec.runtime),
            ..Default::default()
        },
    };
    Cause {
        working_directory: Some("/var/task".into()),
        exceptions: vec![exception],
        reference: None,
    }
}

const THROTTLE_MESSAGE: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";

/// The whole trace of a traced attempt: API Gateway stage → Lambda service → function
/// (Initialization, Invocation with DynamoDB calls, Overhead).
pub fn trace(model: &Model, a: &Attempt) -> Trace {
    let spec = &model.specs[a.f];
    let sh = shape(model, a);
    let rid = request_id(a);
    let arn = function_arn(&spec.name);
    let (t0, t_start, t_end) = (seconds(a.arrival), seconds(a.start()), seconds(a.end()));

    // The handler runs exactly the REPORT line's Duration; what is left until the END line is
    // the runtime's overhead.
    let t_handled = t_start + a.duration_ms / 1000.0;
    let mut invocation = leaf(segment_id(a, 4), "Invocation", t_start, t_handled);
    let span = (t_handled - t_start).max(0.0);
    let n = sh.calls.len().max(1) as f64;
    for (i, call) in sh.calls.iter().enumerate() {
        let s = t_start + span * (0.1 + 0.8 * i as f64 / n);
        // Calls are awaited one after another, each in its slot; retries with backoff make
        // a throttled call take most of it.
        let share = if call.retries > 0 { 0.95 } else { 0.75 };
        let e = s + span * 0.8 * share / n;
        let mut c = leaf(segment_id(a, 10 + i as u64), "DynamoDB", s, e);
        c.namespace = Some("aws".into());
        c.operation = Some(call.op.into());
        c.resource = Some(call.table.into());
        c.request_id = Some(compact_str::format_compact!(
            "{:016X}{:016X}",
            mix(a.key ^ (40 + i as u64)),
            mix(a.key ^ (50 + i as u64))
        ));
        c.retries = Some(u64::from(call.retries));
        c.http = Http {
            status: Some(if call.exhausted { 400 } else { 200 }),
            content_length: Some(if call.exhausted {
                187
            } else {
                96 + (mix(a.key ^ 0xc1) % 900)
            }),
            ..Default::default()
        };
        c.aws = aws_fields(&[
            ("operation", call.op.into()),
            ("region", REGION.into()),
            (
                "request_id",
                c.request_id.as_deref().unwrap_or_default().to_string(),
            ),
            ("resource_names", call.table.into()),
            ("retries", call.retries.to_string()),
            ("table_name", call.table.into()),
        ]);
        if call.exhausted {
            c.error = true;
            c.throttle = true;
            c.cause = Some(Box::new(Cause {
                working_directory: Some("/var/task".into()),
                exceptions: vec![Exception {
                    id: Some(format!("{:016x}", mix(a.key ^ (0x7c + i as u64)))),
                    kind: Some("ProvisionedThroughputExceededException".into()),
                    message: Some(THROTTLE_MESSAGE.into()),
                    remote: true,
                    ..Default::default()
                }],
                reference: None,
            }));
        }
        let mut table = leaf(segment_id(a, 20 + i as u64), call.table, s, e);
        table.origin = Some(ORIGIN_DYNAMODB.into());
        table.parent_id = Some(c.id.clone());
        table.operation = Some(call.op.into());
        table.resource = Some(call.table.into());
        table.inferred = true;
        table.error = c.error;
        table.throttle = c.throttle;
        table.http.status = c.http.status;
        table.aws = aws_fields(&[
            ("operation", call.op.into()),
            ("table_name", call.table.into()),
        ]);
        c.children.push(table);
        invocation.children.push(c);
    }
    if sh.failed {
        invocation.fault = true;
        invocation.cause = Some(Box::new(failure_cause(spec, a)));
    }
    if sh.powertools {
        let handler = format!("{} handler", spec.runtime.handler());
        let key = if sh.failed {
            format!("{handler} error")
        } else {
            format!("{handler} response")
        };
        let body = if sh.failed {
            json!({"errorType": spec.faults.error.0, "errorMessage": spec.faults.error.1})
        } else if sh.throttled {
            json!({"statusCode": 429, "body": {"message": "Too many requests, try again"}})
        } else {
            json!({"statusCode": sh.status, "body": {"id": format!("{:08x}", mix(a.key ^ 0xb0d) as u32)}})
        };
        invocation.metadata = Some(Box::new(json!({ service_label(spec): { key: body } })));
    }

    let mut function = leaf(segment_id(a, 2), &spec.name, t0, t_end);
    function.origin = Some(ORIGIN_FUNCTION.into());
    function.parent_id = Some(segment_id(a, 1).into());
    function.resource_arn = Some(arn.as_str().into());
    function.resource = Some(spec.name.as_str().into());
    function.aws = aws_fields(&[
        ("account_id", ACCOUNT.into()),
        ("function_arn", arn.clone()),
        ("resource_names", spec.name.clone()),
    ]);
    function.fault = sh.failed;
    function.cause = invocation.cause.clone();
    if sh.powertools {
        function.annotations = vec![
            ("ColdStart".into(), AnnotationValue::Bool(a.cold)),
            (
                "Service".into(),
                AnnotationValue::Str(service_label(spec).into()),
            ),
        ];
    }
    if a.cold {
        let name = if spec.snap_start {
            "Restore"
        } else {
            "Initialization"
        };
        function
            .children
            .push(leaf(segment_id(a, 3), name, t0, t0 + a.init_ms / 1000.0));
    }
    function.children.push(invocation);
    function
        .children
        .push(leaf(segment_id(a, 5), "Overhead", t_handled, t_end));

    let mut service = leaf(segment_id(a, 1), &spec.name, t0, t_end + 0.0008);
    service.origin = Some(ORIGIN_LAMBDA.into());
    service.request_id = Some(rid.as_str().into());
    service.resource_arn = Some(arn.as_str().into());
    service.http.status = Some(200);
    service.aws = aws_fields(&[("request_id", rid)]);
    service.fault = sh.failed;
    service.children.push(function);

    let root = if sh.api {
        let mut invoke = leaf(segment_id(a, 7), "Lambda", t0 - 0.0015, t_end + 0.0012);
        invoke.namespace = Some("aws".into());
        invoke.operation = Some("Invoke".into());
        invoke.resource = Some(spec.name.as_str().into());
        invoke.http.status = Some(200);
        invoke.aws = aws_fields(&[
            ("function_name", spec.name.clone()),
            ("operation", "Invoke".into()),
            ("region", REGION.into()),
        ]);
        service.parent_id = Some(invoke.id.clone());
        invoke.children.push(service);
        let mut stage = leaf(segment_id(a, 6), API_STAGE, t0 - 0.002, t_end + 0.003);
        stage.origin = Some(ORIGIN_API_GATEWAY.into());
        stage.resource_arn = Some(compact_str::format_compact!(
            "arn:aws:apigateway:{REGION}::/restapis/{API_ID}/stages/prod"
        ));
        stage.http = Http {
            method: Some(sh.method.as_str().into()),
            url: Some(compact_str::format_compact!(
                "https://{API_HOST}/prod{}",
                sh.path
            )),
            user_agent: Some(
                [
                    "okhttp/4.12.0",
                    "ShopApp/5.2 (iPhone; iOS 18.1)",
                    "Mozilla/5.0",
                ][(mix(a.key ^ 0x5a) % 3) as usize]
                    .into(),
            ),
            client_ip: Some(client_ip(a).into()),
            status: Some(sh.status),
            content_length: Some(if sh.failed {
                36
            } else {
                120 + mix(a.key ^ 0xc2) % 2000
            }),
        };
        stage.aws = aws_fields(&[
            ("api_gateway.account_id", ACCOUNT.into()),
            (
                "api_gateway.request_id",
                format!("{:016x}", mix(a.key ^ 0xa9)),
            ),
            ("api_gateway.rest_api_id", API_ID.into()),
            ("api_gateway.stage", "prod".into()),
        ]);
        stage.annotations = vec![
            ("aws:api_id".into(), AnnotationValue::Str(API_ID.into())),
            ("aws:api_stage".into(), AnnotationValue::Str("prod".into())),
        ];
        stage.fault = sh.status >= 500;
        stage.error = (400..500).contains(&sh.status);
        stage.throttle = sh.status == 429;
        stage.children.push(invoke);
        stage
    } else {
        service
    };
    Trace {
        id: trace_id(model, a),
        duration_ms: (root.end.unwrap_or(root.start) - root.start) as f64 / 1000.0,
        roots: vec![root],
        limit_exceeded: false,
    }
}

pub fn trace_summary(model: &Model, a: &Attempt) -> TraceSummary {
    let spec = &model.specs[a.f];
    let sh = shape(model, a);
    let svc = |name: &str, kind: &str, failed: bool| ServiceRef {
        name: name.to_string(),
        kind: Some(kind.to_string()),
        fault: failed,
        error: false,
        throttle: false,
    };
    let mut services = Vec::new();
    if sh.api {
        let mut stage = svc(API_STAGE, ORIGIN_API_GATEWAY, sh.status >= 500);
        stage.error = (400..500).contains(&sh.status);
        stage.throttle = sh.status == 429;
        services.push(stage);
    }
    services.push(svc(&spec.name, ORIGIN_LAMBDA, sh.failed));
    services.push(svc(&spec.name, ORIGIN_FUNCTION, sh.failed));
    for call in &sh.calls {
        match services.iter_mut().find(|s| s.name == call.table) {
            Some(s) => s.throttle |= call.exhausted,
            None => {
                let mut t = svc(call.table, ORIGIN_DYNAMODB, false);
                t.throttle = call.exhausted;
                services.push(t);
            }
        }
    }
    for s in &mut services {
        s.error |= s.throttle;
    }
    let pad = if sh.api { 0.005 } else { 0.0008 };
    let duration_ms = (a.end() - a.arrival) as f64 + pad * 1000.0;
    let mut annotations = BTreeMap::new();
    if sh.powertools {
        annotations.insert("ColdStart".to_string(), vec![AnnotationValue::Bool(a.cold)]);
        annotations.insert(
            "Service".to_string(),
            vec![AnnotationValue::Str(service_label(spec).into())],
        );
    }
    let root_cause = if sh.failed {
        let c = failure_cause(spec, a);
        c.headline().map(|h| format!("{}: {h}", spec.name))
    } else if sh.throttled {
        Some(format!(
            "{HOT_TABLE}: ProvisionedThroughputExceededException: {THROTTLE_MESSAGE}"
        ))
    } else {
        None
    };
    TraceSummary {
        id: trace_id(model, a),
        start: a.arrival - if sh.api { 2 } else { 0 },
        duration_ms,
        response_time_ms: Some(duration_ms),
        has_error: sh.throttled,
        has_fault: sh.failed,
        has_throttle: sh.throttled,
        is_partial: false,
        http_method: sh.api.then(|| sh.method.clone()),
        http_url: sh
            .api
            .then(|| format!("https://{API_HOST}/prod{}", sh.path)),
        http_status: sh.api.then_some(sh.status),
        entry: services.first().cloned(),
        services,
        annotations,
        root_cause,
    }
}

impl Inner {
    fn traced(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.model.specs.len()).filter(|&f| self.model.specs[f].tracing == TracingMode::Active)
    }

    /// One page of a scan: up to [`PAGE_MINUTES`] of one span, newest minute first. The token
    /// is the next minute to read.
    pub(super) fn trace_page(
        &self,
        q: &TraceQuery,
        cursor: &TraceCursor,
        filter: &TraceFilter,
    ) -> Result<TracePage, SourceError> {
        let spans = q.spans();
        let Some(&span) = spans.get(cursor.span) else {
            return Ok(TracePage::default());
        };
        let now = self.clock.now();
        let limit = q.limit.max(1);
        let fs: Vec<usize> = self.traced().collect();
        let last = (span.end.min(now + 1) - 1).div_euclid(MINUTE_MS);
        let first = span.start.div_euclid(MINUTE_MS);
        let mut minute = match &cursor.token {
            Some(t) => t
                .parse::<i64>()
                .map_err(|_| SourceError::Other(format!("bad trace page token {t:?}")))?,
            None => last,
        };
        let stop = minute - PAGE_MINUTES;
        let mut out = Vec::new();
        while minute >= first && minute > stop && out.len() < limit {
            let mut found: Vec<Attempt> = fs
                .iter()
                .flat_map(|&f| self.model.attempts(f, minute))
                .filter(|a| !a.throttled && a.end() <= now && span.contains(a.arrival))
                .collect();
            found.sort_by_key(|a| std::cmp::Reverse(a.arrival));
            out.extend(
                found
                    .iter()
                    .map(|a| trace_summary(&self.model, a))
                    .filter(|s| filter.matches(s))
                    .take(limit - out.len()),
            );
            minute -= 1;
        }
        let next = if minute >= first && out.len() < limit {
            Some(TraceCursor {
                span: cursor.span,
                token: Some(minute.to_string()),
            })
        } else if cursor.span + 1 < spans.len() {
            Some(TraceCursor {
                span: cursor.span + 1,
                token: None,
            })
        } else {
            None
        };
        Ok(TracePage {
            summaries: out,
            next,
        })
    }

    pub(super) fn traces(&self, ids: &[String]) -> Vec<Trace> {
        let m = &self.model;
        let now = self.clock.now();
        ids.iter()
            .filter_map(|id| attempt_for_trace(m, id))
            .filter(|a| a.end() <= now && m.specs[a.f].tracing == TracingMode::Active)
            .map(|a| trace(m, &a))
            .collect()
    }

    /// Calls to [`HOT_TABLE`] that ran out of retries, by function, in the window.
    fn exhausted_calls(&self, f: usize, window: TimeWindow, now: EpochMs) -> u64 {
        if !self.model.specs[f]
            .dynamo
            .iter()
            .any(|(_, t)| *t == HOT_TABLE)
        {
            return 0;
        }
        let first = window.start.div_euclid(MINUTE_MS);
        let last = (window.end.min(now) - 1).div_euclid(MINUTE_MS);
        (first..=last)
            .flat_map(|m| self.model.attempts(f, m))
            .filter(|a| !a.throttled && a.end() <= now && window.contains(a.arrival))
            .filter(|a| shape(&self.model, a).throttled)
            .count() as u64
    }

    /// X-Ray's graph for the window: client → API Gateway → Lambda → function → tables.
    pub(super) fn service_graph(&self, window: TimeWindow) -> ServiceGraph {
        let now = self.clock.now();
        let mut g = Graph::default();
        let client = g.node("client", "client");
        for f in self.traced().collect::<Vec<_>>() {
            let spec = &self.model.specs[f];
            let (mut n, mut faults, mut dur, mut init) = (0u64, 0u64, 0.0, 0.0);
            let first = window.start.div_euclid(MINUTE_MS);
            let last = (window.end.min(now) - 1).div_euclid(MINUTE_MS);
            for m in first..=last {
                let s = self.minute_stats(f, m, now);
                n += u64::from(s.invocations);
                faults += u64::from(s.errors);
                dur += s.duration_sum;
                init += s.colds.iter().map(|c| f64::from(c.init_ms)).sum::<f64>();
            }
            if n == 0 {
                continue;
            }
            let throttled = self.exhausted_calls(f, window, now);
            let handler = dur / n as f64;
            let function_ms = handler + init / n as f64;
            let lambda = g.node(&spec.name, ORIGIN_LAMBDA);
            let function = g.node(&spec.name, ORIGIN_FUNCTION);
            g.count(lambda, n, 0, faults, 0, function_ms + 0.8);
            g.count(function, n, 0, faults, 0, function_ms);
            let entry = if matches!(spec.trigger, Trigger::Api | Trigger::Authorizer) {
                let api = g.node(API_STAGE, ORIGIN_API_GATEWAY);
                g.count(api, n, throttled, faults, throttled, function_ms + 5.0);
                g.edge(client, api, n, throttled, faults, function_ms + 5.0);
                api
            } else {
                client
            };
            g.edge(entry, lambda, n, 0, faults, function_ms + 0.8);
            g.edge(lambda, function, n, 0, faults, function_ms);
            for (_, table) in spec.dynamo {
                let t = g.node(table, ORIGIN_DYNAMODB);
                let throttles = if *table == HOT_TABLE { throttled } else { 0 };
                let ms = handler * 0.6 / spec.dynamo.len() as f64;
                g.count(t, n, throttles, 0, throttles, ms);
                g.edge(function, t, n, throttles, 0, ms);
            }
        }
        let out: u64 = g.nodes[client].edges.iter().map(|e| e.requests).sum();
        g.nodes[client].requests = out;
        ServiceGraph { services: g.nodes }
    }
}

/// The average of `n` values averaging `avg` and `m` more averaging `more`.
fn weighted(avg: f64, n: u64, more: f64, m: u64) -> f64 {
    if n + m == 0 {
        return avg;
    }
    (avg * n as f64 + more * m as f64) / (n + m) as f64
}

/// A service graph being added up.
#[derive(Default)]
struct Graph {
    nodes: Vec<ServiceNode>,
}

impl Graph {
    fn node(&mut self, name: &str, kind: &str) -> usize {
        if let Some(i) = self
            .nodes
            .iter()
            .position(|n| n.name == name && n.kind == kind)
        {
            return i;
        }
        self.nodes.push(ServiceNode {
            id: self.nodes.len() as u32,
            name: name.into(),
            kind: kind.into(),
            requests: 0,
            errors: 0,
            faults: 0,
            throttles: 0,
            avg_response_ms: 0.0,
            edges: vec![],
        });
        self.nodes.len() - 1
    }

    fn count(
        &mut self,
        i: usize,
        requests: u64,
        errors: u64,
        faults: u64,
        throttles: u64,
        avg: f64,
    ) {
        let node = &mut self.nodes[i];
        node.avg_response_ms = weighted(node.avg_response_ms, node.requests, avg, requests);
        node.requests += requests;
        node.errors += errors;
        node.faults += faults;
        node.throttles += throttles;
    }

    fn edge(&mut self, from: usize, to: usize, requests: u64, errors: u64, faults: u64, avg: f64) {
        let to = self.nodes[to].id;
        let edges = &mut self.nodes[from].edges;
        match edges.iter_mut().find(|e| e.to == to) {
            Some(e) => {
                e.avg_response_ms = weighted(e.avg_response_ms, e.requests, avg, requests);
                e.requests += requests;
                e.errors += errors;
                e.faults += faults;
            }
            None => edges.push(ServiceEdge {
                to,
                requests,
                errors,
                faults,
                avg_response_ms: avg,
            }),
        }
    }
}
