//! Lambda's log lines, text and JSON: what each CloudWatch event is, and the invocations they add
//! up to.
//!
//! Everything here is plain string splitting (no regex): these run over every tailed event.
//! Nothing panics, whatever the input; unknown shapes come back as [`LogLine::Other`].

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Text of a parsed line: borrowed from the line where it can be (the text formats, on every
/// tailed event), owned where it was unescaped from JSON.
pub type Text<'a> = Cow<'a, str>;

/// Owned text, from JSON that does not outlive the parse.
fn own(s: &str) -> Text<'static> {
    Cow::Owned(s.to_owned())
}

fn owned(t: Text<'_>) -> Text<'static> {
    Cow::Owned(t.into_owned())
}

/// A log level, as the runtimes and the common loggers spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    /// `INFO`, `info`, Python's `WARNING` and `CRITICAL`, and pino's numbers (`30`, `50`).
    pub fn parse(s: &str) -> Option<Level> {
        const NAMES: [(&str, Level); 8] = [
            ("TRACE", Level::Trace),
            ("DEBUG", Level::Debug),
            ("INFO", Level::Info),
            ("WARN", Level::Warn),
            ("WARNING", Level::Warn),
            ("ERROR", Level::Error),
            ("FATAL", Level::Fatal),
            ("CRITICAL", Level::Fatal),
        ];
        let s = s.trim();
        if let Some((_, level)) = NAMES.iter().find(|(name, _)| name.eq_ignore_ascii_case(s)) {
            return Some(*level);
        }
        match s {
            "10" => Some(Level::Trace),
            "20" => Some(Level::Debug),
            "30" => Some(Level::Info),
            "40" => Some(Level::Warn),
            "50" => Some(Level::Error),
            "60" => Some(Level::Fatal),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }
}

/// A REPORT line or a `platform.report` record: the end of one invocation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report<'a> {
    pub request_id: Text<'a>,
    pub duration_ms: f64,
    pub billed_ms: f64,
    pub memory_mb: u32,
    pub max_memory_used_mb: u32,
    /// Present on cold starts only.
    pub init_duration_ms: Option<f64>,
    /// SnapStart restores.
    pub restore_duration_ms: Option<f64>,
    /// `timeout`, `error`, `failure`, `success`; absent on plain successful text REPORTs.
    pub status: Option<Text<'a>>,
    /// e.g. `Runtime.OutOfMemory`, `Runtime.ExitError`, `Sandbox.Timedout`.
    pub error_type: Option<Text<'a>>,
    /// `1-6ac7d63f-0104e99861c65c8039f183da`, from the XRAY line or `tracing.value`.
    pub trace_id: Option<Text<'a>>,
    pub segment_id: Option<Text<'a>>,
}

/// An INIT_REPORT line or a `platform.initReport` record: an init that failed or timed out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InitReport<'a> {
    pub init_duration_ms: Option<f64>,
    /// `init`, or `invoke` when the init was re-run as part of the first invoke.
    pub phase: Option<Text<'a>>,
    pub status: Option<Text<'a>>,
    pub error_type: Option<Text<'a>>,
}

/// A line the function itself wrote (through the runtime's logger, a JSON logger or Powertools).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppLog<'a> {
    pub level: Option<Level>,
    pub request_id: Option<Text<'a>>,
    /// The message without the runtime's prefix (timestamp, request id, level).
    pub message: Text<'a>,
    /// The exception type, when the line reports one (`KeyError`, `Runtime.ImportModuleError`).
    pub error_type: Option<Text<'a>>,
    /// Powertools `xray_trace_id`.
    pub trace_id: Option<Text<'a>>,
    /// Powertools `cold_start`.
    pub cold_start: Option<bool>,
    /// The runtime's own report of an error that ended the invocation (Node `Invoke Error`,
    /// `Uncaught Exception`, Python's unhandled-exception line), as opposed to a logged error.
    pub unhandled: bool,
}

/// What one CloudWatch event from a Lambda log group is.
#[derive(Debug, Clone, PartialEq)]
pub enum LogLine<'a> {
    Start {
        request_id: Text<'a>,
        version: Option<Text<'a>>,
    },
    End {
        request_id: Text<'a>,
    },
    Report(Report<'a>),
    InitStart {
        runtime_version: Option<Text<'a>>,
    },
    /// SnapStart's counterpart of INIT_START.
    RestoreStart {
        runtime_version: Option<Text<'a>>,
    },
    InitReport(InitReport<'a>),
    /// `Task timed out after 3.07 seconds`; it may arrive after the REPORT.
    Timeout {
        request_id: Option<Text<'a>>,
        seconds: f64,
    },
    App(AppLog<'a>),
    /// Any other platform record (`platform.runtimeDone`, `EXTENSION`, `TELEMETRY`, …), by type.
    Platform {
        kind: Text<'a>,
        request_id: Option<Text<'a>>,
    },
    /// Raw `print()` output and anything else.
    Other,
}

impl LogLine<'_> {
    /// The request this line belongs to, when it says.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            LogLine::Start { request_id, .. } | LogLine::End { request_id } => Some(request_id),
            LogLine::Report(r) => Some(&r.request_id),
            LogLine::Timeout { request_id, .. } | LogLine::Platform { request_id, .. } => {
                request_id.as_deref()
            }
            LogLine::App(app) => app.request_id.as_deref(),
            LogLine::InitStart { .. }
            | LogLine::RestoreStart { .. }
            | LogLine::InitReport(_)
            | LogLine::Other => None,
        }
    }

    /// The level to filter and colour by: platform failures count as errors.
    pub fn level(&self) -> Option<Level> {
        match self {
            LogLine::App(app) => app.level,
            LogLine::Timeout { .. } => Some(Level::Error),
            LogLine::Report(r) if r.status.as_deref().is_some_and(|s| s != "success") => {
                Some(Level::Error)
            }
            LogLine::InitReport(r) if r.status.as_deref().is_some_and(|s| s != "success") => {
                Some(Level::Error)
            }
            _ => None,
        }
    }
}

/// Classifies one CloudWatch event's message.
pub fn classify(message: &str) -> LogLine<'_> {
    let trimmed = message.trim_start();
    if trimmed.starts_with('{') {
        return match serde_json::from_str::<Value>(trimmed.trim_end()) {
            Ok(Value::Object(obj)) => classify_json(&obj, message),
            _ => LogLine::Other,
        };
    }
    let first = first_line(message);
    if let Some(rest) = first.strip_prefix("START ") {
        return start_line(rest);
    }
    if let Some(rest) = first.strip_prefix("END ") {
        return match field_after(rest, "RequestId: ") {
            Some(id) => LogLine::End {
                request_id: id.into(),
            },
            None => LogLine::Other,
        };
    }
    if first.starts_with("REPORT ") {
        return report_text(message).map_or(LogLine::Other, LogLine::Report);
    }
    if let Some(rest) = first.strip_prefix("INIT_START ") {
        return LogLine::InitStart {
            runtime_version: runtime_version(rest),
        };
    }
    if let Some(rest) = first.strip_prefix("RESTORE_START ") {
        return LogLine::RestoreStart {
            runtime_version: runtime_version(rest),
        };
    }
    if let Some(rest) = first.strip_prefix("INIT_REPORT ") {
        return LogLine::InitReport(init_report_text(rest));
    }
    for kind in ["EXTENSION", "TELEMETRY"] {
        if first
            .strip_prefix(kind)
            .is_some_and(|rest| rest.starts_with(['\t', ' ']))
        {
            return LogLine::Platform {
                kind: kind.into(),
                request_id: None,
            };
        }
    }
    if let Some(timeout) = timeout_line(first) {
        return timeout;
    }
    if first.starts_with('[')
        && let Some(app) = python_line(message)
    {
        return LogLine::App(app);
    }
    if first.starts_with("Traceback (most recent call last):") {
        return LogLine::App(AppLog {
            level: Some(Level::Error),
            message: message.trim_end().into(),
            error_type: traceback_error_type(message),
            ..AppLog::default()
        });
    }
    if let Some(rest) = first.strip_prefix("RequestId: ") {
        return crash_line(rest, message);
    }
    if let Some(app) = node_line(message) {
        return LogLine::App(app);
    }
    LogLine::Other
}

// ---------------------------------------------------------------------------------------------
// Text platform lines

/// The first line of an event; the Python runtime's stdout sink joins lines with `\r`.
fn first_line(message: &str) -> &str {
    message.split(['\n', '\r']).next().unwrap_or("")
}

/// `key: value` pairs of a tab-separated platform line, values trimmed.
fn fields(line: &str) -> impl Iterator<Item = (&str, &str)> {
    line.split('\t').filter_map(|token| {
        let (key, value) = token.split_once(": ")?;
        Some((key.trim(), value.trim()))
    })
}

/// The word following `key` (ids and versions have no spaces).
fn field_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let (_, rest) = text.split_once(key)?;
    let value = rest.split(char::is_whitespace).next().unwrap_or("");
    (!value.is_empty()).then_some(value)
}

/// `26.73 ms`, `100 ms ` (old REPORTs), `128 MB` → the number.
fn quantity(value: &str) -> Option<f64> {
    let value = value.trim();
    let number = value
        .strip_suffix("ms")
        .or_else(|| value.strip_suffix("MB"))
        .unwrap_or(value);
    number.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Megabytes as the domain counts them; `as` saturates, so hostile numbers cannot panic.
fn megabytes(v: f64) -> u32 {
    v.round() as u32
}

/// START's separator before `Version:` is a space today and a tab in newer runtimes.
fn start_line(rest: &str) -> LogLine<'_> {
    match field_after(rest, "RequestId: ") {
        Some(id) => LogLine::Start {
            request_id: id.into(),
            version: field_after(rest, "Version: ").map(Cow::Borrowed),
        },
        None => LogLine::Other,
    }
}

fn runtime_version(rest: &str) -> Option<Text<'_>> {
    fields(rest)
        .find(|(k, _)| *k == "Runtime Version")
        .map(|(_, v)| v.into())
}

fn report_text(message: &str) -> Option<Report<'_>> {
    let mut lines = message.split('\n');
    let first = lines.next()?.strip_prefix("REPORT ")?;
    let mut report = Report::default();
    for (key, value) in fields(first) {
        match key {
            "RequestId" => report.request_id = value.into(),
            "Duration" => report.duration_ms = quantity(value).unwrap_or(0.0),
            "Billed Duration" => report.billed_ms = quantity(value).unwrap_or(0.0),
            "Memory Size" => report.memory_mb = quantity(value).map_or(0, megabytes),
            "Max Memory Used" => report.max_memory_used_mb = quantity(value).map_or(0, megabytes),
            "Init Duration" => report.init_duration_ms = quantity(value),
            "Restore Duration" => report.restore_duration_ms = quantity(value),
            "Status" => report.status = non_empty(value),
            "Error Type" => report.error_type = non_empty(value),
            _ => {}
        }
    }
    for line in lines {
        if let Some(xray) = line.strip_prefix("XRAY ") {
            for (key, value) in fields(xray) {
                match key {
                    "TraceId" => report.trace_id = non_empty(value),
                    "SegmentId" => report.segment_id = non_empty(value),
                    _ => {}
                }
            }
        }
    }
    // A REPORT that cannot be tied to a request is of no use to anyone.
    (!report.request_id.is_empty() && !report.request_id.contains(char::is_whitespace))
        .then_some(report)
}

fn init_report_text(rest: &str) -> InitReport<'_> {
    let mut report = InitReport::default();
    for (key, value) in fields(rest) {
        match key {
            "Init Duration" => report.init_duration_ms = quantity(value),
            "Phase" => report.phase = non_empty(value),
            "Status" => report.status = non_empty(value),
            "Error Type" => report.error_type = non_empty(value),
            _ => {}
        }
    }
    report
}

fn non_empty(value: &str) -> Option<Text<'_>> {
    let value = value.trim();
    (!value.is_empty()).then_some(Cow::Borrowed(value))
}

/// `2020-11-10T05:46:57.874Z 160788cd-… Task timed out after 3.07 seconds` (space or tab
/// separated; the prefix may be missing).
fn timeout_line(line: &str) -> Option<LogLine<'_>> {
    let (prefix, rest) = line.split_once("Task timed out after ")?;
    let seconds = rest
        .split_whitespace()
        .next()?
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite())?;
    let mut words = prefix.split_whitespace();
    let request_id = match (words.next(), words.next(), words.next()) {
        (Some(ts), Some(id), None) if looks_like_timestamp(ts) => request_id(id),
        (None, _, _) => None,
        // Someone logging the phrase mid-sentence is not Lambda's timeout line.
        _ => return None,
    };
    Some(LogLine::Timeout {
        request_id,
        seconds,
    })
}

/// `RequestId: 16f8… Process exited before completing request` and
/// `RequestId: … Error: Runtime exited with error: exit status 1`.
fn crash_line<'a>(rest: &'a str, message: &'a str) -> LogLine<'a> {
    let request_id = rest.split_whitespace().next().and_then(request_id);
    // The runtime's error type, when given, is on a line of its own (`Runtime.ExitError`).
    let error_type = message
        .lines()
        .skip(1)
        .map(str::trim)
        .find(|l| l.starts_with("Runtime.") && is_error_type(l))
        .map(Cow::Borrowed);
    LogLine::App(AppLog {
        level: Some(Level::Error),
        request_id,
        message: message.trim_end().into(),
        error_type,
        unhandled: true,
        ..AppLog::default()
    })
}

// ---------------------------------------------------------------------------------------------
// Text application lines

/// A cheap shape check for the ISO timestamps the runtimes write (`2019-06-07T19:11:20.564Z`).
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && s.contains('T')
}

/// Request ids the runtimes print before there is a request.
fn request_id(s: &str) -> Option<Text<'_>> {
    let s = s.trim();
    match s {
        "" | "undefined" | "None" | "null" => None,
        _ => Some(Cow::Borrowed(s)),
    }
}

/// `KeyError`, `botocore.exceptions.ClientError`, `Runtime.ImportModuleError`.
fn is_error_type(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '$'))
}

/// Python: `[INFO]\t<ts>\t<reqid>\t<msg>`, or the unhandled-exception line
/// `[ERROR] NameError: name 'now' is not defined` followed by the traceback.
fn python_line(message: &str) -> Option<AppLog<'_>> {
    let (level, rest) = message.strip_prefix('[')?.split_once(']')?;
    // Only names: `[30] …` is someone's print, not a level.
    if !level.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let level = Level::parse(level)?;
    if let Some(rest) = rest.strip_prefix('\t') {
        let mut parts = rest.splitn(3, '\t');
        let (ts, id, text) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
        if !looks_like_timestamp(ts) {
            return None;
        }
        return Some(AppLog {
            level: Some(level),
            request_id: request_id(id),
            message: text.trim_end().into(),
            error_type: None,
            ..AppLog::default()
        });
    }
    let text = rest.strip_prefix(' ')?;
    let error_type = first_line(text)
        .split_once(": ")
        .map(|(t, _)| t)
        .filter(|t| is_error_type(t));
    Some(AppLog {
        level: Some(level),
        message: text.trim_end().into(),
        unhandled: error_type.is_some(),
        error_type: error_type.map(Cow::Borrowed),
        ..AppLog::default()
    })
}

/// The type on a traceback's last line: `KeyError: 'action'`.
fn traceback_error_type(message: &str) -> Option<Text<'_>> {
    let last = message
        .split(['\n', '\r'])
        .rev()
        .find(|l| !l.trim().is_empty())?;
    if last.starts_with([' ', '\u{a0}']) {
        return None;
    }
    let name = last.split_once(':').map_or(last, |(t, _)| t).trim();
    is_error_type(name).then_some(Cow::Borrowed(name))
}

/// The words Node's runtime puts before an error it caught: they say that something failed, the
/// error object says what.
fn is_runtime_error_prefix(text: &str) -> bool {
    [
        "Invoke Error",
        "Uncaught Exception",
        "Unhandled Promise Rejection",
    ]
    .iter()
    .any(|p| text.starts_with(p))
}

/// Node: `<ts>\t<reqid>\t<LEVEL>\t<msg>`; `Invoke Error \t{json}` and `Uncaught Exception \t{json}`
/// carry the error object.
fn node_line(message: &str) -> Option<AppLog<'_>> {
    let mut parts = message.splitn(4, '\t');
    let (ts, id, level, text) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next().unwrap_or(""),
    );
    if !looks_like_timestamp(ts) {
        return None;
    }
    let level = Level::parse(level)?;
    let text = text.trim_end();
    let unhandled = is_runtime_error_prefix(text);
    // The error object says what went wrong; "Invoke Error" only says that something did.
    let error = unhandled
        .then(|| text.find('{'))
        .flatten()
        .and_then(|i| serde_json::from_str::<Value>(&text[i..]).ok());
    let error_type = error
        .as_ref()
        .and_then(|v| v.get("errorType").and_then(Value::as_str))
        .map(own);
    let message = error
        .as_ref()
        .and_then(|v| v.get("errorMessage").and_then(Value::as_str))
        .map_or(Cow::Borrowed(text), |m| Cow::Owned(m.to_owned()));
    Some(AppLog {
        level: Some(level),
        request_id: request_id(id),
        message,
        error_type,
        unhandled,
        ..AppLog::default()
    })
}

// ---------------------------------------------------------------------------------------------
// JSON records

fn str_at<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

fn f64_at(obj: &Map<String, Value>, key: &str) -> Option<f64> {
    obj.get(key)
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite())
}

fn classify_json(obj: &Map<String, Value>, raw: &str) -> LogLine<'static> {
    match (str_at(obj, "type"), obj.get("record")) {
        (Some(kind), Some(record)) if kind.starts_with("platform.") => {
            let empty = Map::new();
            let record = record.as_object().unwrap_or(&empty);
            platform_json(kind, record)
        }
        _ => LogLine::App(app_json(obj, raw)),
    }
}

fn platform_json(kind: &str, record: &Map<String, Value>) -> LogLine<'static> {
    let request_id = str_at(record, "requestId").and_then(request_id).map(owned);
    match kind {
        "platform.start" => match request_id {
            Some(request_id) => LogLine::Start {
                request_id,
                version: str_at(record, "version").map(own),
            },
            None => LogLine::Platform {
                kind: own(kind),
                request_id: None,
            },
        },
        "platform.report" => match request_id {
            Some(request_id) => LogLine::Report(report_json(request_id, record)),
            None => LogLine::Platform {
                kind: own(kind),
                request_id: None,
            },
        },
        "platform.initStart" => LogLine::InitStart {
            runtime_version: str_at(record, "runtimeVersion").map(own),
        },
        "platform.restoreStart" => LogLine::RestoreStart {
            runtime_version: str_at(record, "runtimeVersion").map(own),
        },
        "platform.initReport" => {
            let metrics = record.get("metrics").and_then(Value::as_object);
            LogLine::InitReport(InitReport {
                init_duration_ms: metrics.and_then(|m| f64_at(m, "durationMs")),
                phase: str_at(record, "phase").map(own),
                status: str_at(record, "status").map(own),
                error_type: str_at(record, "errorType").map(own),
            })
        }
        _ => LogLine::Platform {
            kind: own(kind),
            request_id,
        },
    }
}

fn report_json(request_id: Text<'static>, record: &Map<String, Value>) -> Report<'static> {
    let empty = Map::new();
    let metrics = record
        .get("metrics")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let tracing = record.get("tracing").and_then(Value::as_object);
    let trace_value = tracing.and_then(|t| str_at(t, "value")).unwrap_or("");
    let trace_part = |name: &str| {
        trace_value
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| non_empty(v))
            .map(owned)
    };
    Report {
        request_id,
        duration_ms: f64_at(metrics, "durationMs").unwrap_or(0.0),
        billed_ms: f64_at(metrics, "billedDurationMs").unwrap_or(0.0),
        memory_mb: f64_at(metrics, "memorySizeMB").map_or(0, megabytes),
        max_memory_used_mb: f64_at(metrics, "maxMemoryUsedMB").map_or(0, megabytes),
        init_duration_ms: f64_at(metrics, "initDurationMs"),
        restore_duration_ms: f64_at(metrics, "restoreDurationMs"),
        status: str_at(record, "status").map(own),
        error_type: str_at(record, "errorType").map(own),
        trace_id: trace_part("Root"),
        segment_id: trace_part("Parent").or_else(|| {
            tracing
                .and_then(|t| str_at(t, "spanId"))
                .and_then(non_empty)
                .map(owned)
        }),
    }
}

/// Application JSON: the runtimes' own JSON logger, Powertools, or anything the code printed.
fn app_json(obj: &Map<String, Value>, raw: &str) -> AppLog<'static> {
    let mut level = obj.get("level").and_then(|l| match l {
        Value::String(s) => Level::parse(s),
        Value::Number(n) => Level::parse(&n.to_string()),
        _ => None,
    });
    let request_id = ["requestId", "function_request_id", "lambda_request_id"]
        .iter()
        .find_map(|k| str_at(obj, k))
        .and_then(request_id)
        .map(owned);
    let mut error_type = str_at(obj, "errorType")
        .or_else(|| str_at(obj, "exception_name"))
        .map(str::to_owned);
    // The runtimes' unhandled-error records carry the error itself, not a `message` string.
    let mut unhandled =
        error_type.is_some() && obj.contains_key("stackTrace") && !obj.contains_key("message");
    // `msg` is pino's spelling.
    let message = match obj.get("message").or_else(|| obj.get("msg")) {
        Some(Value::String(s)) => match nested_json(s) {
            // An app that logged a JSON string: show its message, and use its level if ours is missing.
            Some(inner) => {
                level = level.or_else(|| str_at(&inner, "level").and_then(Level::parse));
                str_at(&inner, "message").map_or_else(|| s.clone(), str::to_owned)
            }
            None => s.clone(),
        },
        Some(Value::Object(err)) => {
            if let Some(t) = str_at(err, "errorType") {
                error_type = Some(t.to_owned());
                unhandled = true;
            }
            str_at(err, "errorMessage")
                .map_or_else(|| Value::Object(err.clone()).to_string(), str::to_owned)
        }
        Some(other) => other.to_string(),
        None => str_at(obj, "errorMessage").map_or_else(|| raw.trim().to_owned(), str::to_owned),
    };
    let message = match str_at(obj, "errorMessage") {
        Some(m) if error_type.is_some() && is_runtime_error_prefix(&message) => m.to_owned(),
        _ => message,
    };
    if error_type.is_some() && unhandled {
        level = level.or(Some(Level::Error));
    }
    AppLog {
        level,
        request_id,
        message: Cow::Owned(message),
        error_type: error_type.map(Cow::Owned),
        trace_id: str_at(obj, "xray_trace_id").and_then(non_empty).map(owned),
        cold_start: obj.get("cold_start").and_then(Value::as_bool),
        unhandled,
    }
}

fn nested_json(s: &str) -> Option<Map<String, Value>> {
    if !s.trim_start().starts_with('{') {
        return None;
    }
    match serde_json::from_str::<Value>(s) {
        Ok(Value::Object(obj)) => Some(obj),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    // Real captures from the reference (shared/reference/aws.md §1), verbatim.
    pub(crate) const INIT_START_PY: &str = "INIT_START Runtime Version: python:3.12.mainlinev2.v27\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:fb4a5cbb4aeb1909cf946882192e0e708d8756b3a866c3ab89a3cfcfffeca7bc";
    pub(crate) const INIT_START_NODE: &str = "INIT_START Runtime Version: nodejs:18.v71\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:bcd7c0a83c1c6bc9b4982403f8200084d0db1fe61d7c4d3215979c11bb00d650";
    pub(crate) const EXTENSION: &str = "EXTENSION\tName: AWSParametersAndSecretsLambdaExtension\tState: Ready\tEvents: [SHUTDOWN, INVOKE]";
    pub(crate) const TELEMETRY: &str =
        "TELEMETRY\tName: datadog-agent\tState: Subscribed\tTypes: [Platform, Function, Extension]";
    pub(crate) const START: &str =
        "START RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Version: $LATEST";
    pub(crate) const END: &str = "END RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95";
    pub(crate) const REPORT: &str = "REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\tDuration: 26.73 ms\tBilled Duration: 27 ms\tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n";
    pub(crate) const REPORT_COLD: &str = "REPORT RequestId: 3189db8f-8c7f-4ebb-8c90-4283eb0fb1b1\tDuration: 960.45 ms\tBilled Duration: 961 ms\tMemory Size: 128 MB\tMax Memory Used: 69 MB\tInit Duration: 326.33 ms\t";
    pub(crate) const REPORT_XRAY_TIMEOUT: &str = "REPORT RequestId: 054d8776-b852-42f6-a1a6-752552daea41\tDuration: 600000.00 ms\tBilled Duration: 600000 ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tStatus: timeout\nXRAY TraceId: 1-6ac7d63f-0104e99861c65c8039f183da\tSegmentId: 7c4eb6a6d56f2a27\tSampled: true";
    pub(crate) const INIT_REPORTS: [&str; 4] = [
        "INIT_REPORT Init Duration: 229.04 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError",
        "INIT_REPORT Init Duration: 129.89 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ImportModuleError",
        "INIT_REPORT Init Duration: 9999.47 ms\tPhase: init\tStatus: timeout",
        "INIT_REPORT Init Duration: 1882.55 ms\tPhase: init\tStatus: error\tError Type: Extension.Crash",
    ];
    pub(crate) const TIMEOUT: &str = "2020-11-10T05:46:57.874Z 160788cd-45ff-4583-809f-c7e31127cb95 Task timed out after 3.07 seconds";
    pub(crate) const PY_INFO: &str =
        "[INFO]\t2020-01-31T22:12:58.534Z\t1c8df7d3-xmpl-46da-9778-518e6eca8125\t## EVENT";
    pub(crate) const PY_UNHANDLED: &str = "[ERROR] NameError: name 'now' is not defined\nTraceback (most recent call last):\n  File \"/var/task/lambda_function.py\", line 164, in lambda_handler\n    _cut = (now - timedelta(days=14)).isoformat()";
    pub(crate) const NODE_WARN: &str = "2019-06-07T19:11:20.564Z\tc793869b-ee49-115b-a5b6-4fd21e8dedac\tWARN\tEvent not processed.";
    pub(crate) const NODE_INVOKE_ERROR: &str = "2023-04-14T09:23:16.008Z\t4e8cfa2f-d871-49cb-b49b-3b023add146f\tERROR\tInvoke Error \t{\"errorType\":\"AccessDeniedException\",\"errorMessage\":\"User: arn:aws:sts::… is not authorized …\",\"code\":\"AccessDeniedException\"}";
    pub(crate) const NODE_UNCAUGHT: &str = "2025-06-09T00:24:05.061Z\tundefined\tERROR\tUncaught Exception \t{\"errorType\":\"Runtime.ImportModuleError\",\"errorMessage\":\"Error: Cannot find module 'postConfirmation'\\nRequire stack:\\n- /var/runtime/index.mjs\",\"stack\":[\"Runtime.ImportModuleError: Error: Cannot find module 'postConfirmation'\",\"Require stack:\",\"- /var/runtime/index.mjs\",\"    at _loadUserApp (file:///var/runtime/index.mjs:1092:17)\"]}";
    pub(crate) const JSON_INIT_START: &str = r#"{"time":"2026-10-08T07:30:27.768Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init","runtimeVersion":"nodejs:22.mainline.v122","runtimeVersionArn":"arn:aws:lambda:eu-central-1::runtime:775dab0d…","functionName":"tenner-notifier","functionVersion":"$LATEST","instanceId":"2026/10/08/tenner-notifier[$LATEST]22be53a8cfde4e68b844f8ec293b2543","instanceMaxMemory":268435456}}"#;
    pub(crate) const JSON_START: &str = r#"{"time":"2026-10-08T07:30:28.235Z","type":"platform.start","record":{"requestId":"79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36","functionArn":"arn:aws:lambda:eu-central-1:825765399535:function:tenner-notifier","version":"$LATEST"}}"#;
    pub(crate) const JSON_APP_NESTED: &str = r#"{"timestamp":"2026-10-08T07:30:29.443Z","level":"ERROR","requestId":"79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36","message":"{\"level\":\"ERROR\",\"message\":\"Widget update failed\"}"}"#;
    pub(crate) const JSON_REPORT_COLD: &str = r#"{"time":"2026-10-08T07:30:29.470Z","type":"platform.report","record":{"requestId":"79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36","metrics":{"durationMs":1233.96,"billedDurationMs":1698,"memorySizeMB":256,"maxMemoryUsedMB":123,"initDurationMs":463.512},"status":"success"}}"#;
    pub(crate) const JSON_REPORT_WARM: &str = r#"{"time":"2026-10-08T07:30:42.149Z","type":"platform.report","record":{"requestId":"f0c9f58b-8ebe-4e84-a656-95eb6eee865a","metrics":{"durationMs":1072.145,"billedDurationMs":1073,"memorySizeMB":256,"maxMemoryUsedMB":125},"status":"success"}}"#;
    pub(crate) const POWERTOOLS: &str = r#"{"level":"INFO","location":"collect.handler:9","message":"Collecting payment","timestamp":"2021-05-03 11:47:12,494+0200",
 "service":"payment","cold_start":true,"function_name":"test","function_memory_size":128,
 "function_arn":"arn:aws:lambda:eu-west-1:12345678910:function:test","function_request_id":"52fdfc07-2182-154f-163f-5f0f9a621d72",
 "xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793","sampling_rate":0.1}"#;

    fn report(message: &str) -> Report<'_> {
        match classify(message) {
            LogLine::Report(r) => r,
            other => panic!("not a report: {other:?}"),
        }
    }

    fn app(message: &str) -> AppLog<'_> {
        match classify(message) {
            LogLine::App(a) => a,
            other => panic!("not an app line: {other:?}"),
        }
    }

    #[test]
    fn start_and_end() {
        assert_eq!(
            classify(START),
            LogLine::Start {
                request_id: "8f507cfc-xmpl-4697-b07a-ac58fc914c95".into(),
                version: Some("$LATEST".into())
            }
        );
        // Newer runtimes separate with a tab.
        assert_eq!(
            classify("START RequestId: abc\tVersion: 56\n"),
            LogLine::Start {
                request_id: "abc".into(),
                version: Some("56".into())
            }
        );
        assert_eq!(
            classify(END),
            LogLine::End {
                request_id: "8f507cfc-xmpl-4697-b07a-ac58fc914c95".into()
            }
        );
        assert_eq!(classify("START RequestId: "), LogLine::Other);
    }

    #[test]
    fn warm_report() {
        assert_eq!(
            report(REPORT),
            Report {
                request_id: "4ce9340a-b765-490f-ad8a-02ab3415e2bf".into(),
                duration_ms: 26.73,
                billed_ms: 27.0,
                memory_mb: 128,
                max_memory_used_mb: 75,
                ..Report::default()
            }
        );
    }

    #[test]
    fn cold_report_has_init_duration() {
        let r = report(REPORT_COLD);
        assert_eq!(r.init_duration_ms, Some(326.33));
        assert_eq!(
            (r.duration_ms, r.billed_ms, r.max_memory_used_mb),
            (960.45, 961.0, 69)
        );
        assert_eq!(r.status, None);
    }

    #[test]
    fn report_with_status_and_xray_line() {
        let r = report(REPORT_XRAY_TIMEOUT);
        assert_eq!(r.status.as_deref(), Some("timeout"));
        assert_eq!(r.duration_ms, 600000.0);
        assert_eq!(r.memory_mb, 1024);
        assert_eq!(
            r.trace_id.as_deref(),
            Some("1-6ac7d63f-0104e99861c65c8039f183da")
        );
        assert_eq!(r.segment_id.as_deref(), Some("7c4eb6a6d56f2a27"));
        assert_eq!(classify(REPORT_XRAY_TIMEOUT).level(), Some(Level::Error));
    }

    #[test]
    fn report_status_suffixes_old_spacing_and_any_order() {
        let oom = report(
            "REPORT RequestId: r1\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tStatus: error\tError Type: Runtime.OutOfMemory",
        );
        assert_eq!(oom.status.as_deref(), Some("error"));
        assert_eq!(oom.error_type.as_deref(), Some("Runtime.OutOfMemory"));
        let cold_timeout = report(
            "REPORT RequestId: r2\tDuration: 3000.00 ms\tInit Duration: 476.75 ms\tStatus: timeout",
        );
        assert_eq!(
            (
                cold_timeout.init_duration_ms,
                cold_timeout.status.as_deref()
            ),
            (Some(476.75), Some("timeout"))
        );
        // Pre-2020: a space before the tab, 100 ms rounding.
        let old = report(
            "REPORT RequestId: r3\tDuration: 12.34 ms\tBilled Duration: 100 ms \tMemory Size: 128 MB\tMax Memory Used: 40 MB\t",
        );
        assert_eq!(old.billed_ms, 100.0);
        // The emulator prints Init Duration first.
        let rie = report(
            "REPORT RequestId: r4\tInit Duration: 1.5 ms\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 3008 MB\tMax Memory Used: 3008 MB",
        );
        assert_eq!(
            (rie.init_duration_ms, rie.duration_ms, rie.memory_mb),
            (Some(1.5), 2.5, 3008)
        );
        // SnapStart.
        let snap = report(
            "REPORT RequestId: r5\tDuration: 10 ms\tRestore Duration: 511.25 ms\tBilled Restore Duration: 303 ms\t",
        );
        assert_eq!(snap.restore_duration_ms, Some(511.25));
        // Without a request id there is nothing to group by.
        assert_eq!(classify("REPORT Duration: 1 ms"), LogLine::Other);
    }

    #[test]
    fn init_lines() {
        assert_eq!(
            classify(INIT_START_PY),
            LogLine::InitStart {
                runtime_version: Some("python:3.12.mainlinev2.v27".into())
            }
        );
        assert_eq!(
            classify(INIT_START_NODE),
            LogLine::InitStart {
                runtime_version: Some("nodejs:18.v71".into())
            }
        );
        assert_eq!(
            classify(
                "RESTORE_START Runtime Version: java:21.mainline.v82\tRuntime Version ARN: arn:x"
            ),
            LogLine::RestoreStart {
                runtime_version: Some("java:21.mainline.v82".into())
            }
        );
        let reports: Vec<InitReport> = INIT_REPORTS
            .iter()
            .map(|m| match classify(m) {
                LogLine::InitReport(r) => r,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            reports[0],
            InitReport {
                init_duration_ms: Some(229.04),
                phase: Some("init".into()),
                status: Some("error".into()),
                error_type: Some("Runtime.ImportModuleError".into()),
            }
        );
        assert_eq!(reports[1].phase.as_deref(), Some("invoke"));
        assert_eq!(
            (
                reports[2].status.as_deref(),
                reports[2].error_type.as_deref()
            ),
            (Some("timeout"), None)
        );
        assert_eq!(reports[3].error_type.as_deref(), Some("Extension.Crash"));
        assert_eq!(classify(INIT_REPORTS[2]).level(), Some(Level::Error));
    }

    #[test]
    fn extension_and_telemetry_lines_are_platform() {
        assert_eq!(
            classify(EXTENSION),
            LogLine::Platform {
                kind: "EXTENSION".into(),
                request_id: None
            }
        );
        assert_eq!(
            classify(TELEMETRY),
            LogLine::Platform {
                kind: "TELEMETRY".into(),
                request_id: None
            }
        );
    }

    #[test]
    fn timeout_line() {
        assert_eq!(
            classify(TIMEOUT),
            LogLine::Timeout {
                request_id: Some("160788cd-45ff-4583-809f-c7e31127cb95".into()),
                seconds: 3.07
            }
        );
        assert_eq!(
            classify("Task timed out after 3.00 seconds"),
            LogLine::Timeout {
                request_id: None,
                seconds: 3.0
            }
        );
        // Someone else's sentence is not the platform's.
        assert_eq!(
            classify("the retry said Task timed out after 3 seconds"),
            LogLine::Other
        );
    }

    #[test]
    fn python_lines() {
        assert_eq!(
            app(PY_INFO),
            AppLog {
                level: Some(Level::Info),
                request_id: Some("1c8df7d3-xmpl-46da-9778-518e6eca8125".into()),
                message: "## EVENT".into(),
                ..AppLog::default()
            }
        );
        let warning = app("[WARNING]\t2020-01-31T22:12:58.534Z\tNone\tslow");
        assert_eq!(
            (warning.level, warning.request_id),
            (Some(Level::Warn), None)
        );
        assert_eq!(
            app("[CRITICAL]\t2020-01-31T22:12:58.534Z\tx\tdown").level,
            Some(Level::Fatal)
        );
        let unhandled = app(PY_UNHANDLED);
        assert_eq!(unhandled.level, Some(Level::Error));
        assert_eq!(unhandled.error_type.as_deref(), Some("NameError"));
        assert!(unhandled.unhandled);
        assert!(
            unhandled
                .message
                .contains("Traceback (most recent call last):")
        );
        // The stdout fallback joins lines with `\r`.
        assert_eq!(
            app(&PY_UNHANDLED.replace('\n', "\r")).error_type.as_deref(),
            Some("NameError")
        );
        // print() output stays Other, including bracketed text.
        assert_eq!(classify("[1, 2, 3]"), LogLine::Other);
        assert_eq!(classify("[30] not a level"), LogLine::Other);
        assert_eq!(classify("hello from print"), LogLine::Other);
    }

    #[test]
    fn python_traceback_event() {
        let tb = "Traceback (most recent call last):\n\u{a0}\u{a0}File \"/var/task/app.py\", line 36, in lambda_handler\n\u{a0}\u{a0}\u{a0}\u{a0}result = event['action']\nKeyError: 'action'";
        let a = app(tb);
        assert_eq!(
            (a.level, a.error_type.as_deref()),
            (Some(Level::Error), Some("KeyError"))
        );
    }

    #[test]
    fn node_lines() {
        assert_eq!(
            app(NODE_WARN),
            AppLog {
                level: Some(Level::Warn),
                request_id: Some("c793869b-ee49-115b-a5b6-4fd21e8dedac".into()),
                message: "Event not processed.".into(),
                ..AppLog::default()
            }
        );
        let invoke = app(NODE_INVOKE_ERROR);
        assert_eq!(invoke.level, Some(Level::Error));
        assert_eq!(invoke.error_type.as_deref(), Some("AccessDeniedException"));
        assert_eq!(invoke.message, "User: arn:aws:sts::… is not authorized …");
        let json = app(
            r#"{"timestamp":"t","level":"ERROR","requestId":"r","message":"Invoke Error","errorType":"TypeError","errorMessage":"x is undefined"}"#,
        );
        assert_eq!(
            (json.error_type.as_deref(), &*json.message),
            (Some("TypeError"), "x is undefined")
        );
        assert!(invoke.unhandled);
        let uncaught = app(NODE_UNCAUGHT);
        assert_eq!(uncaught.request_id, None, "`undefined` during init");
        assert_eq!(
            uncaught.error_type.as_deref(),
            Some("Runtime.ImportModuleError")
        );
        assert!(uncaught.unhandled);
    }

    #[test]
    fn crash_lines() {
        let crash = app(
            "RequestId: 16f8d3a2-1111-2222-3333-444455556666 Error: Runtime exited with error: exit status 1\nRuntime.ExitError",
        );
        assert_eq!(
            crash.request_id.as_deref(),
            Some("16f8d3a2-1111-2222-3333-444455556666")
        );
        assert_eq!(
            (crash.level, crash.error_type.as_deref()),
            (Some(Level::Error), Some("Runtime.ExitError"))
        );
    }

    #[test]
    fn json_platform_records() {
        assert_eq!(
            classify(JSON_INIT_START),
            LogLine::InitStart {
                runtime_version: Some("nodejs:22.mainline.v122".into())
            }
        );
        assert_eq!(
            classify(JSON_START),
            LogLine::Start {
                request_id: "79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36".into(),
                version: Some("$LATEST".into())
            }
        );
        assert_eq!(
            report(JSON_REPORT_COLD),
            Report {
                request_id: "79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36".into(),
                duration_ms: 1233.96,
                billed_ms: 1698.0,
                memory_mb: 256,
                max_memory_used_mb: 123,
                init_duration_ms: Some(463.512),
                status: Some("success".into()),
                ..Report::default()
            }
        );
        assert_eq!(report(JSON_REPORT_WARM).init_duration_ms, None);
        assert_eq!(
            classify(
                r#"{"time":"t","type":"platform.runtimeDone","record":{"requestId":"abc","status":"success"}}"#
            ),
            LogLine::Platform {
                kind: "platform.runtimeDone".into(),
                request_id: Some("abc".into())
            }
        );
    }

    #[test]
    fn json_report_failure_and_tracing() {
        let r = report(
            r#"{"time":"t","type":"platform.report","record":{"requestId":"q","metrics":{"durationMs":3000.5,"billedDurationMs":3001,"memorySizeMB":128,"maxMemoryUsedMB":60,"restoreDurationMs":12.5},"status":"timeout","errorType":"Sandbox.Timedout","tracing":{"spanId":"abc","type":"X-Amzn-Trace-Id","value":"Root=1-5d02e5ca-f5792818b6fe8368e5b51d50;Parent=191db58857df8395;Sampled=1"}}}"#,
        );
        assert_eq!(r.status.as_deref(), Some("timeout"));
        assert_eq!(r.error_type.as_deref(), Some("Sandbox.Timedout"));
        assert_eq!(r.restore_duration_ms, Some(12.5));
        assert_eq!(
            r.trace_id.as_deref(),
            Some("1-5d02e5ca-f5792818b6fe8368e5b51d50")
        );
        assert_eq!(r.segment_id.as_deref(), Some("191db58857df8395"));
    }

    #[test]
    fn json_application_records() {
        let nested = app(JSON_APP_NESTED);
        assert_eq!(nested.level, Some(Level::Error));
        assert_eq!(
            nested.request_id.as_deref(),
            Some("79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36")
        );
        assert_eq!(nested.message, "Widget update failed");
        assert!(!nested.unhandled);

        let pt = app(POWERTOOLS);
        assert_eq!(pt.level, Some(Level::Info));
        assert_eq!(
            pt.request_id.as_deref(),
            Some("52fdfc07-2182-154f-163f-5f0f9a621d72")
        );
        assert_eq!(
            pt.trace_id.as_deref(),
            Some("1-5759e988-bd862e3fe1be46a994272793")
        );
        assert_eq!(pt.cold_start, Some(true));
        assert_eq!(pt.message, "Collecting payment");
        // The older Powertools spelling.
        assert_eq!(
            app(r#"{"level":"DEBUG","lambda_request_id":"x","message":"m"}"#)
                .request_id
                .as_deref(),
            Some("x")
        );

        // Python's unhandled error in JSON mode: no `message`, the error instead.
        let py = app(
            r#"{"timestamp":"2024-01-01T00:00:00.000Z","level":"ERROR","errorMessage":"'action'","errorType":"KeyError","requestId":"r","stackTrace":["  File \"/var/task/lambda_function.py\", line 36\n"]}"#,
        );
        assert_eq!(
            (py.error_type.as_deref(), py.unhandled, &*py.message),
            (Some("KeyError"), true, "'action'")
        );
        // Node's: `message` is the error object.
        let node = app(
            r#"{"timestamp":"t","level":"ERROR","requestId":"r","message":{"errorType":"TypeError","errorMessage":"x is undefined","stackTrace":[]}}"#,
        );
        assert_eq!(
            (node.error_type.as_deref(), node.unhandled, &*node.message),
            (Some("TypeError"), true, "x is undefined")
        );
        // A logged exception (Powertools) is not an unhandled one.
        let logged = app(
            r#"{"level":"ERROR","message":"failed","exception_name":"ValueError","exception":"Traceback ..."}"#,
        );
        assert_eq!(
            (logged.error_type.as_deref(), logged.unhandled),
            (Some("ValueError"), false)
        );
        // pino's numeric levels; unknown levels stay unknown.
        let pino = app(r#"{"level":50,"msg":"boom"}"#);
        assert_eq!((pino.level, &*pino.message), (Some(Level::Error), "boom"));
        assert_eq!(app(r#"{"level":"loud","message":"x"}"#).level, None);
        // Not an object, or broken: not JSON to us.
        assert_eq!(classify("{not json"), LogLine::Other);
    }

    #[test]
    fn levels() {
        assert_eq!(Level::parse("warning"), Some(Level::Warn));
        assert_eq!(Level::parse("Critical"), Some(Level::Fatal));
        assert_eq!(Level::parse("TRACE"), Some(Level::Trace));
        assert_eq!(Level::parse("nope"), None);
        assert!(Level::Error > Level::Warn);
    }

    pub(crate) mod props {
        use super::*;
        use proptest::prelude::*;

        const REAL: &[&str] = &[
            INIT_START_PY,
            EXTENSION,
            START,
            END,
            REPORT,
            REPORT_COLD,
            REPORT_XRAY_TIMEOUT,
            TIMEOUT,
            PY_INFO,
            PY_UNHANDLED,
            NODE_WARN,
            NODE_INVOKE_ERROR,
            NODE_UNCAUGHT,
            JSON_INIT_START,
            JSON_START,
            JSON_APP_NESTED,
            JSON_REPORT_COLD,
            POWERTOOLS,
        ];

        /// A real line with bytes cut out, spliced in, or the line truncated.
        pub(crate) fn mutated() -> impl Strategy<Value = String> {
            (
                0..REAL.len(),
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
                ".{0,8}",
                0u8..3,
            )
                .prop_map(|(i, a, b, insert, op)| {
                    let chars: Vec<char> = REAL[i].chars().collect();
                    let (x, y) = (a.index(chars.len() + 1), b.index(chars.len() + 1));
                    let (lo, hi) = (x.min(y), x.max(y));
                    match op {
                        0 => chars[..lo].iter().collect(),
                        1 => chars[..lo].iter().chain(&chars[hi..]).collect(),
                        _ => chars[..lo]
                            .iter()
                            .copied()
                            .chain(insert.chars())
                            .chain(chars[lo..].iter().copied())
                            .collect(),
                    }
                })
        }

        proptest! {
            #[test]
            fn classify_never_panics(s in ".*") {
                let _ = classify(&s);
            }

            #[test]
            fn classify_never_panics_on_mutated_real_lines(s in mutated()) {
                let line = classify(&s);
                let _ = (line.level(), line.request_id());
            }
        }
    }
}
