//! Turns an attempt into what AWS would store: CloudWatch log events in the exact Lambda
//! formats (text and JSON). Its X-Ray trace is rendered in `traces.rs`.

use serde_json::json;

use super::catalog::{FunctionSpec, Runtime, Trigger};
use super::traces::{segment_id, trace_id};
use super::traffic::{Attempt, Fate, Model, hash, mix};
use crate::domain::{EpochMs, LogEvent, LogFormat, MINUTE_MS, TracingMode, iso};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

pub fn request_id(a: &Attempt) -> String {
    let h1 = mix(a.key ^ 0x11);
    let h2 = mix(a.key ^ 0x22);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        h1 >> 32,
        (h1 >> 16) & 0xffff,
        h1 & 0xfff,
        0x8000 | (h2 >> 48) & 0x3fff,
        h2 & 0xffff_ffff_ffff
    )
}

fn env_id(h: u64) -> String {
    format!("{:016x}{:016x}", mix(h), mix(h ^ 0xe7))
}

/// The execution environment's log stream. A cold start opens a new one; warm requests land
/// on the function's long-lived environments.
pub fn log_stream(model: &Model, a: &Attempt) -> String {
    let spec = &model.specs[a.f];
    let env = if a.cold {
        env_id(a.key ^ 0xc01d)
    } else {
        let slots = (spec.peak_rate * spec.duration_ms / MINUTE_MS as f64)
            .ceil()
            .clamp(1.0, 40.0) as u64;
        let slot = mix(a.key ^ 0x510) % slots;
        // Environments live 45 minutes, and a deploy replaces them all; environments of
        // earlier deploys are told apart by how many deploys came after theirs.
        let lifetime = 45 * MINUTE_MS;
        let (deploy, later) = model
            .deploy_before(a.f, a.arrival)
            .unwrap_or((model.deploy_time(a.f), usize::MAX));
        let generation = (a.arrival - deploy).div_euclid(lifetime);
        let mut parts = vec![model.seed, a.f as u64, slot, generation as u64];
        if later > 0 {
            parts.push(later as u64);
        }
        env_id(hash(&parts))
    };
    let date = chrono::DateTime::from_timestamp_millis(a.arrival)
        .map(|d| d.format("%Y/%m/%d").to_string())
        .unwrap_or_default();
    match spec.custom_log_group {
        Some(_) => format!("{date}/{}[$LATEST]{env}", spec.name),
        None => format!("{date}/[$LATEST]{env}"),
    }
}

fn pick<'a>(h: u64, items: &[&'a str]) -> &'a str {
    items[(h % items.len() as u64) as usize]
}

/// How rare a request with a hostile query is, where a function gets them.
const HOSTILE_ONE_IN: u64 = 128;
/// Sets the clipboard (OSC 52), retitles the window (OSC 0) and clears the screen (CSI), if a
/// viewer wrote it raw.
const HOSTILE_QUERY: &str = "\x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;pwned\x07\x1b[2J";

/// One or two application lines describing the work, per trigger.
fn app_messages(spec: &FunctionSpec, a: &Attempt) -> Vec<String> {
    let h = mix(a.key ^ 0xa99);
    let id = format!("{:06x}", h & 0xff_ffff);
    match spec.trigger {
        Trigger::Api if spec.hostile_queries && (h >> 40).is_multiple_of(HOSTILE_ONE_IN) => {
            vec![format!(
                "{} request_id={id} rejected query q=\"{HOSTILE_QUERY}\"",
                spec.description
            )]
        }
        Trigger::Api => vec![format!(
            "{} request_id={} user=u_{} {}",
            spec.description,
            &id,
            h % 9000 + 1000,
            pick(
                h >> 20,
                &[
                    "status=200",
                    "status=200 cache=hit",
                    "status=200 cache=miss"
                ]
            )
        )],
        Trigger::Authorizer => vec![format!(
            "authorized principal=u_{} scope=orders:write",
            h % 9000 + 1000
        )],
        Trigger::Sqs => vec![
            format!("Processing {} messages from queue", 1 + h % 10),
            format!("Batch done: order ord_{id}"),
        ],
        Trigger::Sns => vec![format!("Fan-out to {} devices", 1 + h % 40)],
        Trigger::S3 => vec![format!(
            "Resizing s3://shop-uploads/products/{id}.jpg to 3 sizes"
        )],
        Trigger::Schedule { .. } => vec![format!("Synced {} SKUs from ERP", 300 + h % 200)],
        Trigger::Daily { .. } => vec![format!(
            "Report for {} orders written to s3://shop-reports/",
            4000 + h % 3000
        )],
        Trigger::DynamoStream => vec![format!("Indexing {} catalogue changes", 1 + h % 100)],
        Trigger::Kinesis => vec![format!("Wrote {} audit records", 1 + h % 200)],
    }
}

fn python_traceback(spec: &FunctionSpec) -> String {
    let (ty, msg) = spec.faults.error;
    let short = ty.rsplit('.').next().unwrap_or(ty);
    // Lambda's Python runtime replaces leading spaces of traceback lines with NBSP.
    let nb = "\u{a0}\u{a0}";
    format!(
        "[ERROR] {short}: {msg}\nTraceback (most recent call last):\n{nb}File \"/var/task/app.py\", line 41, in handler\n{nb}{nb}result = process(event)\n{nb}File \"/var/task/app.py\", line 27, in process\n{nb}{nb}raise {short}({msg:?})"
    )
}

fn node_error_json(spec: &FunctionSpec) -> serde_json::Value {
    let (ty, msg) = spec.faults.error;
    json!({
        "errorType": ty,
        "errorMessage": msg,
        "stack": [format!("{ty}: {msg}"), "    at handler (file:///var/task/index.mjs:31:27)", "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"],
    })
}

fn runtime_arn(model: &Model, spec: &FunctionSpec) -> String {
    format!(
        "arn:aws:lambda:{REGION}::runtime:{:016x}{:016x}{:016x}{:016x}",
        hash(&[model.seed, spec.runtime as u64, 1]),
        hash(&[model.seed, spec.runtime as u64, 2]),
        hash(&[model.seed, spec.runtime as u64, 3]),
        hash(&[model.seed, spec.runtime as u64, 4])
    )
}

/// Memory-hungry Python functions (image work, big reports) die of memory in half of their
/// failures: the runtime is killed, REPORT says `Runtime.OutOfMemory`. Only the rendering
/// differs from other errors, so the metrics are unchanged.
pub fn out_of_memory(spec: &FunctionSpec, a: &Attempt) -> bool {
    a.fate == Fate::Error
        && spec.runtime == Runtime::Python312
        && spec.memory_mb >= 1024
        && mix(a.key ^ 0x00e0).is_multiple_of(2)
}

/// The REPORT line (text format), with the XRAY line in the same event when traced.
fn report_text(model: &Model, a: &Attempt) -> String {
    let spec = &model.specs[a.f];
    let oom = out_of_memory(spec, a);
    let mut s = format!(
        "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
        request_id(a),
        a.duration_ms,
        billed_ms(spec, a),
        spec.memory_mb,
        if oom { spec.memory_mb } else { a.max_memory_mb }
    );
    if a.cold {
        if spec.snap_start {
            s.push_str(&format!(
                "Restore Duration: {:.2} ms\tBilled Restore Duration: {} ms\t",
                a.init_ms,
                a.init_ms.ceil() as u64
            ));
        } else {
            s.push_str(&format!("Init Duration: {:.2} ms\t", a.init_ms));
        }
    }
    if a.fate == Fate::Timeout {
        s.push_str("Status: timeout");
    }
    if oom {
        s.push_str("Status: error\tError Type: Runtime.OutOfMemory");
    }
    if spec.tracing == TracingMode::Active {
        s.push_str(&format!(
            "\nXRAY TraceId: {}\tSegmentId: {}\tSampled: true",
            trace_id(model, a),
            segment_id(a, 2)
        ));
    }
    s
}

/// SnapStart restores are billed separately; on-demand INIT is billed with the request.
pub fn billed_ms(spec: &FunctionSpec, a: &Attempt) -> u64 {
    if spec.snap_start {
        a.duration_ms.ceil() as u64
    } else {
        a.billed_ms()
    }
}

/// Every log event the attempt wrote, in time order. Throttled attempts write nothing.
pub fn log_events(model: &Model, a: &Attempt) -> Vec<LogEvent> {
    if a.throttled {
        return vec![];
    }
    let spec = &model.specs[a.f];
    let rid = request_id(a);
    let stream = log_stream(model, a);
    let group = spec.log_group();
    let mut lines: Vec<(EpochMs, String)> = Vec::with_capacity(6);
    let start = a.start();
    let end = a.end();
    let app_t = |i: EpochMs| (start + 1 + i).min(end - 1).max(start);
    match spec.log_format {
        LogFormat::Text => {
            if a.cold {
                let kind = if spec.snap_start {
                    "RESTORE_START"
                } else {
                    "INIT_START"
                };
                lines.push((
                    a.arrival,
                    format!(
                        "{kind} Runtime Version: {}\tRuntime Version ARN: {}",
                        spec.runtime.version(),
                        runtime_arn(model, spec)
                    ),
                ));
            }
            lines.push((start, format!("START RequestId: {rid} Version: $LATEST")));
            for (i, msg) in app_messages(spec, a).into_iter().enumerate() {
                let t = app_t(i as EpochMs);
                lines.push((t, text_app_line(spec.runtime, t, &rid, "INFO", &msg)));
            }
            if a.fate == Fate::Error {
                let t = end - 2;
                let line = match spec.runtime {
                    _ if out_of_memory(spec, a) => format!(
                        "RequestId: {rid} Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory"
                    ),
                    Runtime::Python312 => python_traceback(spec),
                    Runtime::Nodejs20 => format!(
                        "{}\t{rid}\tERROR\tInvoke Error \t{}\n",
                        iso(t),
                        node_error_json(spec)
                    ),
                    _ => {
                        let (ty, msg) = spec.faults.error;
                        text_app_line(spec.runtime, t, &rid, "ERROR", &format!("{ty}: {msg}"))
                    }
                };
                lines.push((t, line));
            }
            lines.push((end, format!("END RequestId: {rid}")));
            lines.push((end, report_text(model, a)));
            if a.fate == Fate::Timeout {
                lines.push((
                    end + 2,
                    format!(
                        "{} {rid} Task timed out after {}.00 seconds",
                        iso(end + 2),
                        spec.timeout_s
                    ),
                ));
            }
        }
        LogFormat::Json => {
            let arn = function_arn(&spec.name);
            let traced = spec.tracing == TracingMode::Active;
            let tid = trace_id(model, a);
            if a.cold {
                lines.push((
                    a.arrival,
                    json!({"time": iso(a.arrival), "type": "platform.initStart", "record": {
                        "initializationType": "on-demand", "phase": "init",
                        "runtimeVersion": spec.runtime.version(), "runtimeVersionArn": runtime_arn(model, spec),
                        "functionName": spec.name, "functionVersion": "$LATEST", "instanceId": stream,
                        "instanceMaxMemory": u64::from(spec.memory_mb) * 1_048_576}})
                    .to_string(),
                ));
            }
            lines.push((
                start,
                json!({"time": iso(start), "type": "platform.start", "record": {"requestId": rid, "functionArn": arn, "version": "$LATEST"}})
                    .to_string(),
            ));
            let powertools = spec.runtime == Runtime::Python312;
            let service = spec.name.split('-').next().unwrap_or("shop");
            let app_json = |t: EpochMs, level: &str, msg: &str| {
                if powertools {
                    let mut v = json!({"level": level, "location": "app.handler:27", "message": msg, "timestamp": iso(t),
                        "service": service, "cold_start": a.cold, "function_name": spec.name,
                        "function_memory_size": spec.memory_mb, "function_arn": arn, "function_request_id": rid});
                    if traced {
                        v["xray_trace_id"] = json!(tid);
                    }
                    v
                } else {
                    json!({"timestamp": iso(t), "level": level, "requestId": rid, "message": msg})
                }
            };
            for (i, msg) in app_messages(spec, a).into_iter().enumerate() {
                let t = app_t(i as EpochMs);
                lines.push((t, app_json(t, "INFO", &msg).to_string()));
            }
            if a.fate == Fate::Error {
                let t = end - 2;
                let (ty, msg) = spec.faults.error;
                let mut v = app_json(
                    t,
                    "ERROR",
                    if powertools {
                        "Unhandled exception"
                    } else {
                        "Invoke Error"
                    },
                );
                if powertools {
                    v["exception_name"] = json!(ty.rsplit('.').next().unwrap_or(ty));
                    v["exception"] = json!(python_traceback(spec).replace('\u{a0}', " "));
                } else {
                    v["errorType"] = json!(ty);
                    v["errorMessage"] = json!(msg);
                    v["stackTrace"] = node_error_json(spec)["stack"].clone();
                }
                lines.push((t, v.to_string()));
            }
            let mut metrics = json!({"durationMs": a.duration_ms, "billedDurationMs": billed_ms(spec, a),
                "memorySizeMB": spec.memory_mb, "maxMemoryUsedMB": a.max_memory_mb});
            if a.cold {
                metrics["initDurationMs"] = json!(a.init_ms);
            }
            let mut record = json!({"requestId": rid, "metrics": metrics, "status": match a.fate {
                Fate::Ok => "success", Fate::Error => "error", Fate::Timeout => "timeout" }});
            match a.fate {
                Fate::Error => record["errorType"] = json!(spec.faults.error.0),
                Fate::Timeout => record["errorType"] = json!("Sandbox.Timedout"),
                Fate::Ok => {}
            }
            if traced {
                record["tracing"] = json!({"spanId": segment_id(a, 2), "type": "X-Amzn-Trace-Id",
                    "value": format!("Root={tid};Parent={};Sampled=1", segment_id(a, 2))});
            }
            lines.push((
                end,
                json!({"time": iso(end), "type": "platform.report", "record": record}).to_string(),
            ));
        }
    }
    // Identity by the one rule every API shares (`domain::event_id`).
    lines
        .into_iter()
        .enumerate()
        .map(|(n, (t, message))| {
            let ingestion = t + 150 + (mix(a.key ^ n as u64) % 700) as EpochMs;
            LogEvent::new(group.clone(), stream.clone(), t, ingestion, message)
        })
        .collect()
}

fn text_app_line(runtime: Runtime, t: EpochMs, rid: &str, level: &str, msg: &str) -> String {
    match runtime {
        Runtime::Python312 => format!("[{level}]\t{}\t{rid}\t{msg}\n", iso(t)),
        Runtime::Nodejs20 => format!("{}\t{rid}\t{level}\t{msg}\n", iso(t)),
        Runtime::Java21 => {
            let ts = chrono::DateTime::from_timestamp_millis(t)
                .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default();
            format!("{ts} {rid} {level:<5} Handler - {msg}\n")
        }
        Runtime::ProvidedAl2023 => format!("{level} {msg} request_id={rid}\n"),
    }
}
