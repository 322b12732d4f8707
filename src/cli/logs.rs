//! `lambdascope logs FUNCTION... [--since 1h | --start T --end T] [--follow] [--filter PATTERN]
//! [--grep REGEX] [--invocations] [--insights QUERY] [--json]`: logs for scripts and pipes.
//!
//! Lines are made safe (control characters and escape sequences shown escaped, never written
//! raw), coloured only when stdout is a terminal, and printed oldest first. A fetch that does
//! not follow exits 0 at its end; a closed pipe (`| head`) ends it quietly.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};

use futures::StreamExt;
use serde::Serialize;

use super::say;
use crate::domain::{
    EpochMs, InsightsQuery, InsightsUpdate, LogEvent, LogQuery, MAX_TAILED_GROUPS, SourceError,
    TAIL_OVERLAP_MS, TailRequest, TailUpdate, TimeWindow,
};
use crate::model::logs::{Inv, Kind, LogBuffer};
use crate::source::Source;
use crate::ui::format;

/// What to print.
#[derive(Debug, Clone, Default)]
pub struct LogsArgs {
    pub functions: Vec<String>,
    pub window: Option<TimeWindow>,
    pub since_ms: Option<EpochMs>,
    pub follow: bool,
    pub filter: String,
    pub grep: Option<String>,
    pub invocations: bool,
    pub insights: Option<String>,
    pub json: bool,
}

/// Why printing stopped early.
#[derive(Debug)]
pub enum Stop {
    /// The reader went away (SIGPIPE / EPIPE): not an error.
    Closed,
    Failed(String),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Stop::Closed
        } else {
            Stop::Failed(e.to_string())
        }
    }
}

impl From<serde_json::Error> for Stop {
    fn from(e: serde_json::Error) -> Stop {
        match e.io_error_kind() {
            Some(io::ErrorKind::BrokenPipe) => Stop::Closed,
            _ => Stop::Failed(e.to_string()),
        }
    }
}

impl From<SourceError> for Stop {
    fn from(e: SourceError) -> Stop {
        Stop::Failed(e.to_string())
    }
}

/// An RFC 3339 time or a span ago (`2h`).
pub fn parse_time(s: &str, now: EpochMs) -> Result<EpochMs, String> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(d.timestamp_millis());
    }
    crate::domain::parse_span(s).map(|ago| now - ago)
}

#[derive(Serialize)]
struct JsonLine<'a> {
    timestamp: String,
    function: &'a str,
    log_stream: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonInvocation<'a> {
    request_id: &'a str,
    function: &'a str,
    start: String,
    duration_ms: Option<f64>,
    billed_ms: Option<f64>,
    memory_mb: Option<u32>,
    max_memory_used_mb: Option<u32>,
    init_ms: Option<f64>,
    outcome: String,
    trace_id: Option<&'a str>,
}

struct Printer {
    out: io::BufWriter<io::Stdout>,
    colour: bool,
    json: bool,
    grep: Option<regex::Regex>,
    several: bool,
    function_of: crate::model::logs::FunctionMap,
    /// The window is longer than a day: times carry their date.
    dated: bool,
}

impl Printer {
    /// A line's time: with its date when the window spans more than a day.
    fn stamp(&self, t: EpochMs) -> String {
        if self.dated {
            format::date_time_ms(t)
        } else {
            format::time_ms(t)
        }
    }

    fn line(&mut self, e: &LogEvent) -> io::Result<()> {
        if let Some(re) = &self.grep
            && !re.is_match(&e.message)
        {
            return Ok(());
        }
        let function = self
            .function_of
            .function_of(&e.log_group, &e.log_stream)
            .to_string();
        if self.json {
            let j = JsonLine {
                timestamp: format::iso(e.timestamp),
                function: &function,
                log_stream: &e.log_stream,
                message: &e.message,
            };
            serde_json::to_writer(&mut self.out, &j)?;
            return writeln!(self.out);
        }
        // One event may hold several lines (a REPORT with its XRAY line, a traceback).
        let text = crate::parse::sanitize::escape_plain(&e.message.replace(['\r', '\n'], "\u{1}"))
            .replace("\\x01", "\n    ");
        let text = text.trim_end();
        let stamp = self.stamp(e.timestamp);
        let who = if self.several {
            format!("{function} ")
        } else {
            String::new()
        };
        if self.colour {
            let level = crate::parse::lambda::classify(&e.message).level();
            let colour = match level {
                Some(crate::parse::lambda::Level::Error | crate::parse::lambda::Level::Fatal) => {
                    "31"
                }
                Some(crate::parse::lambda::Level::Warn) => "33",
                _ => "0",
            };
            writeln!(
                self.out,
                "\x1b[2m{stamp}\x1b[0m \x1b[36m{who}\x1b[0m\x1b[{colour}m{text}\x1b[0m"
            )
        } else {
            writeln!(self.out, "{stamp} {who}{text}")
        }
    }
}

/// Prints the logs asked for; returns when done (or never, following).
pub async fn run(source: &Source, args: &LogsArgs) -> Result<(), Stop> {
    let catalog = source.list_functions().await.unwrap_or_default();
    let (function_of, groups) = crate::model::logs::FunctionMap::of(&args.functions, &catalog);
    let now = source.now();
    let window = args
        .window
        .unwrap_or_else(|| TimeWindow::new(now - args.since_ms.unwrap_or(3_600_000), now + 1));
    let stdout = io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let grep = match &args.grep {
        Some(g) => Some(regex::Regex::new(g).map_err(|e| Stop::Failed(format!("--grep: {e}")))?),
        None => None,
    };
    let mut p = Printer {
        out: io::BufWriter::with_capacity(1 << 16, stdout),
        colour,
        json: args.json,
        grep,
        several: args.functions.len() > 1,
        function_of,
        dated: window.len_ms() > crate::domain::DAY_MS,
    };

    if let Some(q) = &args.insights {
        return insights(source, &mut p, groups, q, window).await;
    }

    // `--invocations` streams: an invocation is printed once nothing more can come for it (its
    // function's timeout, and a minute, after it started), so only that span is held.
    let longest_timeout = catalog
        .iter()
        .filter(|f| args.functions.is_empty() || args.functions.contains(&f.name))
        .map(|f| i64::from(f.timeout_s) * 1000)
        .max()
        .unwrap_or(15 * 60_000);
    let mut folding = Folding {
        buffer: LogBuffer::new(INVOCATION_LINES),
        closed_after: longest_timeout + 60_000,
        printed: HashSet::new(),
    };
    folding.buffer.function_map = p.function_of.clone();
    let mut q = LogQuery {
        log_groups: groups.clone(),
        window,
        filter_pattern: args.filter.clone(),
        limit: 10_000,
        newest_first: false,
        next_token: None,
    };
    // What the tail re-reads of the window's end (its overlap) is not printed twice.
    let overlap_from = window.end - TAIL_OVERLAP_MS;
    let mut printed_late: HashSet<String> = HashSet::new();
    let mut named: HashSet<String> = HashSet::new();
    loop {
        let page = source.logs(&q).await?;
        for (group, why) in &page.unreadable {
            if named.insert(group.clone()) {
                say(format_args!("lambdascope: {group}: {why}"));
            }
        }
        if args.follow {
            printed_late.extend(
                page.events
                    .iter()
                    .filter(|e| e.timestamp >= overlap_from)
                    .map(|e| e.event_id.clone()),
            );
        }
        for g in &page.gaps {
            say(format_args!(
                "lambdascope: not fetched: {}–{}",
                format::time_of_day(g.start),
                format::time_of_day(g.end)
            ));
        }
        if args.invocations {
            let appended = folding.buffer.append(&page.events);
            for id in appended.new_invs {
                folding.printed.remove(&id);
            }
            if let Some(last) = page.events.last() {
                folding.print_closed(&mut p, Some(last.timestamp))?;
            }
        } else {
            for e in &page.events {
                p.line(e)?;
            }
        }
        match page.next_token {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
    }
    if args.invocations {
        folding.print_closed(&mut p, None)?;
    }
    p.out.flush()?;
    if !args.follow {
        return Ok(());
    }
    if groups.len() > MAX_TAILED_GROUPS {
        say(format_args!(
            "lambdascope: following the first {MAX_TAILED_GROUPS} of {} log groups; name fewer functions to follow the others",
            groups.len()
        ));
    }
    let mut tail = source
        .tail(&TailRequest {
            log_groups: groups.into_iter().take(MAX_TAILED_GROUPS).collect(),
            filter_pattern: args.filter.clone(),
            since: Some(overlap_from),
        })
        .await?;
    while let Some(update) = tail.next().await {
        match update {
            TailUpdate::Events(events) => {
                for e in &events {
                    if !printed_late.is_empty() && printed_late.remove(&e.event_id) {
                        continue;
                    }
                    p.line(e)?;
                }
                p.out.flush()?;
            }
            TailUpdate::Group { group, problem } => match problem {
                Some(why) if named.insert(group.clone()) => {
                    say(format_args!("lambdascope: {group}: {why}"))
                }
                Some(_) => {}
                None => {
                    named.remove(&group);
                }
            },
            TailUpdate::Interrupted { reason, retry_in } => say(format_args!(
                "lambdascope: tail interrupted: {reason}; retrying in {}s",
                retry_in.as_secs().max(1)
            )),
            TailUpdate::Gap { group, window } => say(format_args!(
                "lambdascope: not fetched in {group}: {}–{}",
                format::time_of_day(window.start),
                format::time_of_day(window.end)
            )),
            TailUpdate::Sampled(true) => say(format_args!("lambdascope: Live Tail is sampling")),
            TailUpdate::Sampled(false) => {}
            TailUpdate::Mode(_) => {}
        }
    }
    Ok(())
}

/// Lines `logs --invocations` holds while it folds: far more than the lines of the invocations
/// still open at any time.
const INVOCATION_LINES: usize = 2_000_000;

/// Lines folded into invocations as pages come, printed as they close.
struct Folding {
    buffer: LogBuffer,
    /// An invocation this long after its start is closed: nothing more can come for it.
    closed_after: EpochMs,
    /// Invocations printed, by id (an id is reused once its lines are gone).
    printed: HashSet<u32>,
}

impl Folding {
    /// Prints the invocations closed by `now` (every one left, at the end), oldest first.
    fn print_closed(&mut self, p: &mut Printer, now: Option<EpochMs>) -> io::Result<()> {
        let b = &self.buffer;
        let mut ready: Vec<(u32, &Inv)> = b
            .invs()
            .filter(|(id, i)| {
                !self.printed.contains(id) && now.is_none_or(|t| i.start + self.closed_after < t)
            })
            .collect();
        ready.sort_by_key(|(_, i)| (i.start, i.first_seq));
        let ids: Vec<u32> = ready.iter().map(|(id, _)| *id).collect();
        print_invocations(p, b, ready.into_iter().map(|(_, i)| i))?;
        self.printed.extend(ids);
        Ok(())
    }
}

fn print_invocations<'a>(
    p: &mut Printer,
    b: &LogBuffer,
    invs: impl Iterator<Item = &'a Inv>,
) -> io::Result<()> {
    for inv in invs {
        let function = b.functions.name(u32::from(inv.function));
        let outcome = match &inv.outcome {
            None => "running".to_string(),
            Some(crate::domain::Outcome::Success) => "success".into(),
            Some(crate::domain::Outcome::Timeout) => "timeout".into(),
            Some(o) if o.is_oom() => "out of memory".into(),
            Some(crate::domain::Outcome::Error(e)) => format!("error {e}"),
        };
        let r = inv.report.as_ref();
        if p.json {
            let j = JsonInvocation {
                request_id: &inv.request_id,
                function,
                start: format::iso(inv.start),
                duration_ms: r.map(|r| r.duration_ms),
                billed_ms: r.map(|r| r.billed_ms),
                memory_mb: r.map(|r| r.memory_mb),
                max_memory_used_mb: r.map(|r| r.max_memory_used_mb),
                init_ms: r.and_then(|r| r.init_ms.or(r.restore_ms)),
                outcome,
                trace_id: inv.trace_id.as_deref(),
            };
            serde_json::to_writer(&mut p.out, &j)?;
            writeln!(p.out)?;
            continue;
        }
        let figures = match r {
            Some(r) => format!(
                "{:>9} billed {:>9} mem {:>5}/{:<5} MB{}",
                format::millis(r.duration_ms),
                format::millis(r.billed_ms),
                r.max_memory_used_mb,
                r.memory_mb,
                r.init_ms
                    .or(r.restore_ms)
                    .map(|i| format!(" cold {}", format::millis(i)))
                    .unwrap_or_default()
            ),
            None => "(no REPORT yet)".into(),
        };
        writeln!(
            p.out,
            "{} {} {} {} {}",
            p.stamp(inv.start),
            format::safe(function),
            format::safe(&inv.request_id),
            format::safe(&outcome),
            figures
        )?;
    }
    let _ = Kind::Gap;
    Ok(())
}

async fn insights(
    source: &Source,
    p: &mut Printer,
    groups: Vec<String>,
    query: &str,
    window: TimeWindow,
) -> Result<(), Stop> {
    let mut stream = source
        .insights(&InsightsQuery {
            log_groups: groups,
            query: query.to_string(),
            window,
        })
        .await?;
    while let Some(u) = stream.next().await {
        match u? {
            InsightsUpdate::Running(_) => {}
            InsightsUpdate::Done { rows, progress } => {
                for row in &rows {
                    if p.json {
                        let obj: serde_json::Map<String, serde_json::Value> = row
                            .iter()
                            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                            .collect();
                        serde_json::to_writer(&mut p.out, &obj)?;
                        writeln!(p.out)?;
                    } else {
                        let cells: Vec<String> = row
                            .iter()
                            .map(|(k, v)| format!("{k}={}", format::safe(v)))
                            .collect();
                        writeln!(p.out, "{}", cells.join("\t"))?;
                    }
                }
                say(format_args!(
                    "lambdascope: {} rows; {} records matched of {} scanned",
                    rows.len(),
                    progress.records_matched,
                    progress.records_scanned
                ));
            }
        }
    }
    p.out.flush()?;
    Ok(())
}
