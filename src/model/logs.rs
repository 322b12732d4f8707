//! The retained log buffer: a bounded ring of lines, folded live into invocations.
//!
//! Memory is what bounds it, so lines are not kept as `LogEvent`s (five strings each) but as
//! compact records over shared text:
//! - a [`Segment`] holds up to [`SEGMENT_LINES`] lines: their text back to back in one byte
//!   arena (each line followed by a `0xFF` byte, which no UTF-8 text holds, so no search can
//!   match across two lines) and one 32-byte [`Line`] record each (time, offset, stream,
//!   function, invocation, kind, level);
//! - log streams and functions are interned once;
//! - what a line *is* (START, REPORT, an app line at ERROR, …) is classified once, when it
//!   arrives, and only the kind and level are kept; the rest is re-read from the text on demand.
//!
//! Lines are numbered by a sequence that never changes: appended lines count up, older pages
//! loaded above count down, and dropping the oldest lines only moves the first live number.
//! Searches and views refer to lines by that number. Closed segments are immutable and shared
//! (`Arc`), so a search can run on a snapshot while new lines arrive.

use std::collections::VecDeque;
use std::hash::BuildHasher;

use foldhash::{HashMap, HashSet};
use std::sync::Arc;

use crate::domain::{EpochMs, Invocation, LogEvent, LogMemory, Outcome, TimeWindow};
use crate::parse::lambda::{self, Level, LogLine};

/// Lines per segment: small enough that dropping the oldest frees memory soon, large enough
/// that there are few of them.
pub const SEGMENT_LINES: usize = 16 * 1024;
/// The default bound: a million lines.
pub const DEFAULT_CAPACITY: usize = 1_000_000;
/// Separates lines in a segment's text: never part of UTF-8 text.
pub const SEPARATOR: u8 = 0xFF;
/// No invocation.
pub const NO_INV: u32 = u32::MAX;
/// Duplicates are looked for among events this close to the newest one.
const DEDUP_SPAN_MS: EpochMs = 10 * 60_000;
/// A segment also closes at this much text, so that evicting the oldest one under the byte
/// budget frees a few megabytes, not a gigabyte of long lines.
pub const SEGMENT_BYTES: usize = 4 << 20;
/// What a line is, from the Lambda parser, in one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Kind {
    Start,
    End,
    Report,
    InitStart,
    RestoreStart,
    InitReport,
    Timeout,
    App,
    Platform,
    Other,
    /// Not an event: a span that could not be fetched. Its text says which.
    Gap,
}

impl Kind {
    /// START, END, REPORT and the other lines Lambda writes itself.
    pub fn is_platform(self) -> bool {
        !matches!(self, Kind::App | Kind::Other | Kind::Gap)
    }
}

/// One line: 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub ts: EpochMs,
    /// Where its text starts in the segment, and how long it is.
    pub start: u32,
    pub len: u32,
    pub stream: u32,
    /// Its invocation, or [`NO_INV`].
    pub inv: u32,
    pub function: u16,
    pub kind: Kind,
    /// `Level` as a number (0 = none, 1 = trace … 6 = fatal).
    pub level: u8,
}

impl Line {
    pub fn level(&self) -> Option<Level> {
        level_from(self.level)
    }
}

fn level_code(l: Option<Level>) -> u8 {
    match l {
        None => 0,
        Some(Level::Trace) => 1,
        Some(Level::Debug) => 2,
        Some(Level::Info) => 3,
        Some(Level::Warn) => 4,
        Some(Level::Error) => 5,
        Some(Level::Fatal) => 6,
    }
}

fn level_from(c: u8) -> Option<Level> {
    Some(match c {
        1 => Level::Trace,
        2 => Level::Debug,
        3 => Level::Info,
        4 => Level::Warn,
        5 => Level::Error,
        6 => Level::Fatal,
        _ => return None,
    })
}

/// Up to [`SEGMENT_LINES`] consecutive lines and their text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Segment {
    /// Sequence number of `lines[0]`.
    pub base: i64,
    pub lines: Vec<Line>,
    pub text: Vec<u8>,
    /// Lines at the front already dropped (the segment goes when all are).
    pub skip: usize,
}

impl Segment {
    pub fn text_of(&self, l: &Line) -> &[u8] {
        let (a, b) = (l.start as usize, (l.start + l.len) as usize);
        self.text.get(a..b).unwrap_or_default()
    }
    fn push(&mut self, line: Line, text: &str) {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(text.as_bytes());
        self.text.push(SEPARATOR);
        self.lines.push(Line {
            start,
            len: text.len() as u32,
            ..line
        });
    }
    fn seq_range(&self) -> std::ops::Range<i64> {
        self.base + self.skip as i64..self.base + self.lines.len() as i64
    }
    /// Heap bytes held (for the memory budget).
    fn heap_bytes(&self) -> usize {
        self.lines.capacity() * std::mem::size_of::<Line>() + self.text.capacity()
    }
}

/// What the REPORT said, compactly.
#[derive(Debug, Clone, PartialEq)]
pub struct InvReport {
    pub duration_ms: f64,
    pub billed_ms: f64,
    pub memory_mb: u32,
    pub max_memory_used_mb: u32,
    pub init_ms: Option<f64>,
    /// SnapStart restore instead of an init.
    pub restore_ms: Option<f64>,
}

/// One request, folded from its lines as they arrive.
#[derive(Debug, Clone, PartialEq)]
pub struct Inv {
    pub request_id: Box<str>,
    pub function: u16,
    pub stream: u32,
    pub first_seq: i64,
    pub last_seq: i64,
    /// Its START time; without one, its REPORT's time less its duration (or its first line's).
    pub start: EpochMs,
    /// Its START has been read.
    pub started: bool,
    pub report: Option<InvReport>,
    /// Known once the REPORT (or a timeout line) has come; `None` while it runs.
    pub outcome: Option<Outcome>,
    pub ended: bool,
    pub trace_id: Option<Box<str>>,
    /// The highest level among its lines.
    pub max_level: u8,
    /// Lines still in the buffer.
    pub live_lines: u32,
    /// Its first line that logged an error, for error groups.
    pub first_error: Option<i64>,
}

impl Inv {
    pub fn cold(&self) -> bool {
        self.report
            .as_ref()
            .is_some_and(|r| r.init_ms.is_some() || r.restore_ms.is_some())
    }
    pub fn failed(&self) -> bool {
        self.outcome.as_ref().is_some_and(Outcome::is_failure)
            || level_from(self.max_level) >= Some(Level::Error)
    }
    pub fn timed_out(&self) -> bool {
        self.outcome == Some(Outcome::Timeout)
    }
    pub fn out_of_memory(&self) -> bool {
        self.outcome.as_ref().is_some_and(Outcome::is_oom)
            || self
                .report
                .as_ref()
                .is_some_and(|r| r.memory_mb > 0 && r.max_memory_used_mb >= r.memory_mb)
    }
}

/// What a REPORT says of its request, given what its earlier lines said (a timeout line, or
/// an unhandled error the runtime logged). A timeout wins; a REPORT that says failure names its
/// own error type, else the logged one (old REPORTs and `platform.report` often carry none),
/// else its status; a REPORT that says success (or nothing, as old text REPORTs do) defers to
/// a logged unhandled error.
fn report_outcome(r: &lambda::Report, before: Option<Outcome>) -> Outcome {
    let status = r.status.as_deref();
    if before == Some(Outcome::Timeout)
        || status == Some("timeout")
        || r.error_type.as_deref() == Some("Sandbox.Timedout")
    {
        return Outcome::Timeout;
    }
    let logged = match before {
        Some(Outcome::Error(t)) => Some(t),
        _ => None,
    };
    match status {
        None | Some("success") => logged.map_or(Outcome::Success, Outcome::Error),
        Some(status) => Outcome::Error(
            r.error_type
                .as_deref()
                .map(str::to_owned)
                .or(logged)
                .unwrap_or_else(|| match status {
                    "error" | "failure" => "error".into(),
                    other => other.into(),
                }),
        ),
    }
}

/// The finished invocations (those with a REPORT) among `events` of one function, oldest
/// first. The events are folded in time order by the same fold the console runs as lines
/// arrive, so tests and tools check the code the product runs.
pub fn invocations(function: &str, events: &[LogEvent]) -> Vec<Invocation> {
    let mut in_order: Vec<&LogEvent> = events.iter().collect();
    in_order.sort_by_key(|e| e.timestamp);
    let mut b = LogBuffer::new(events.len());
    for e in in_order {
        b.append(std::slice::from_ref(e));
    }
    let mut out: Vec<Invocation> = b
        .invs()
        .filter_map(|(_, inv)| {
            let r = inv.report.as_ref()?;
            Some(Invocation {
                request_id: inv.request_id.to_string(),
                function: function.to_owned(),
                log_stream: b.streams.name(inv.stream).to_owned(),
                start: inv.start,
                duration_ms: r.duration_ms,
                billed_ms: r.billed_ms,
                memory_mb: r.memory_mb,
                max_memory_used_mb: r.max_memory_used_mb,
                init_duration_ms: r.init_ms,
                outcome: inv.outcome.clone().unwrap_or(Outcome::Success),
                trace_id: inv.trace_id.as_deref().map(str::to_owned),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then_with(|| a.request_id.cmp(&b.request_id))
    });
    out
}

/// Names interned to small numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interner {
    pub names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    pub fn get(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", String::as_str)
    }
    /// Heap bytes held: each name twice (the list and the index).
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self.names.iter().map(String::capacity).sum();
        self.names.capacity() * std::mem::size_of::<String>()
            + self.index.capacity() * (std::mem::size_of::<(String, u32)>() + 1)
            + 2 * text
    }
}

/// Which function a log event belongs to: the group's own function, or (a shared group) the
/// one its stream names: `2026/10/08/tenner-notifier[$LATEST]22be…`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionMap {
    /// Group → the functions writing to it.
    pub groups: HashMap<String, Vec<String>>,
}

impl FunctionMap {
    /// The map for `names`, each in its log group as the catalog says (the default group of a
    /// name it does not list), and the groups to read, in the order of the names.
    pub fn of(names: &[String], catalog: &[crate::domain::Function]) -> (FunctionMap, Vec<String>) {
        let mut map = FunctionMap::default();
        let mut groups: Vec<String> = Vec::new();
        for name in names {
            let group = catalog
                .iter()
                .find(|f| &f.name == name)
                .map(|f| f.log_group.clone())
                .unwrap_or_else(|| crate::domain::Function::default_log_group(name));
            map.groups
                .entry(group.clone())
                .or_default()
                .push(name.clone());
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
        (map, groups)
    }

    pub fn function_of<'a>(&'a self, group: &'a str, stream: &str) -> &'a str {
        match self.groups.get(group).map(Vec::as_slice) {
            Some([one]) => one,
            Some(many) if !many.is_empty() => {
                let named = stream
                    .splitn(4, '/')
                    .nth(3)
                    .and_then(|rest| rest.split_once('['))
                    .map(|(name, _)| name)
                    .unwrap_or("");
                many.iter()
                    .find(|f| f.as_str() == named)
                    .map_or(group, String::as_str)
            }
            _ => group,
        }
    }
}

/// What changed with an append, so views and indexes can follow cheaply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Appended {
    pub lines: usize,
    pub duplicates: usize,
    /// Lines dropped at the front to stay within the bound.
    pub dropped: usize,
    /// Invocations that gained a line they did not start with (their row may change).
    pub touched: Vec<u32>,
    /// New invocations.
    pub new_invs: Vec<u32>,
    /// INIT_START lines tied to the invocation that followed them (they start its row).
    pub attached: Vec<i64>,
}

/// The buffer. See the module docs.
#[derive(Debug, Clone, PartialEq)]
pub struct LogBuffer {
    pub capacity: usize,
    segments: VecDeque<Arc<Segment>>,
    /// The number the next appended line gets.
    next_seq: i64,
    /// The number of the oldest line still held (equal to `next_seq` when empty).
    first_seq: i64,
    /// Lines dropped at the front, ever.
    pub dropped: u64,
    pub streams: Interner,
    pub functions: Interner,
    pub function_map: FunctionMap,
    invs: Vec<Option<Inv>>,
    free_invs: Vec<u32>,
    /// Request id → invocation, keyed by the id's hash (the id itself is kept once, in the
    /// invocation); an id whose hash another holds goes to `by_request_clash`.
    by_request: HashMap<u64, u32>,
    by_request_clash: HashMap<Box<str>, u32>,
    /// Per stream, the invocation whose END has not come: lines without a request id in that
    /// stream (print() output, Python's unhandled-error line) are its.
    open_by_stream: HashMap<u32, u32>,
    /// Per stream, an INIT_START (or RESTORE_START) waiting for the request it prepares: a
    /// cold start's first line belongs to that request.
    init_by_stream: HashMap<u32, i64>,
    /// Identities of recent events, for dropping duplicates (pruned by time).
    recent: HashSet<u64>,
    recent_ts: VecDeque<(EpochMs, u64)>,
    recent_sweep_at: usize,
    newest_ts: EpochMs,
    /// Raw bytes of the messages held (for the memory budget).
    pub raw_bytes: usize,
    /// The console's byte budget for logs, and what this buffer has charged to it.
    memory: Option<Arc<LogMemory>>,
    charged: usize,
}

impl Drop for LogBuffer {
    fn drop(&mut self) {
        if let Some(m) = &self.memory {
            m.charge(self.charged, 0);
        }
    }
}

impl Default for LogBuffer {
    fn default() -> Self {
        LogBuffer::new(DEFAULT_CAPACITY)
    }
}

fn identity(e: &LogEvent) -> u64 {
    foldhash::quality::FixedState::default().hash_one(&e.event_id)
}

/// A request id's key in the index (the id itself lives once, in its invocation).
fn request_key(rid: &str) -> u64 {
    foldhash::quality::FixedState::default().hash_one(rid)
}

impl LogBuffer {
    pub fn new(capacity: usize) -> LogBuffer {
        LogBuffer {
            capacity: capacity.max(1),
            segments: VecDeque::new(),
            next_seq: 0,
            first_seq: 0,
            dropped: 0,
            streams: Interner::default(),
            functions: Interner::default(),
            function_map: FunctionMap::default(),
            invs: Vec::new(),
            free_invs: Vec::new(),
            by_request: HashMap::default(),
            by_request_clash: HashMap::default(),
            open_by_stream: HashMap::default(),
            init_by_stream: HashMap::default(),
            recent: HashSet::default(),
            recent_ts: VecDeque::new(),
            recent_sweep_at: 1024,
            newest_ts: EpochMs::MIN,
            raw_bytes: 0,
            memory: None,
            charged: 0,
        }
    }

    /// The same buffer, held to the console's byte budget for logs.
    pub fn with_memory(mut self, memory: Arc<LogMemory>) -> LogBuffer {
        self.memory = Some(memory);
        self.charge();
        self
    }

    /// Bytes of lines and text held, as charged to the budget.
    fn segment_bytes(&self) -> usize {
        self.segments.iter().map(|s| s.heap_bytes()).sum()
    }

    fn charge(&mut self) {
        if let Some(m) = &self.memory {
            let now = self.segment_bytes();
            m.charge(self.charged, now);
            self.charged = now;
        }
    }

    pub fn len(&self) -> usize {
        (self.next_seq - self.first_seq) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn is_full(&self) -> bool {
        self.len() >= self.capacity
    }
    /// Sequence numbers held: `first_seq()..end_seq()`.
    pub fn first_seq(&self) -> i64 {
        self.first_seq
    }
    pub fn end_seq(&self) -> i64 {
        self.next_seq
    }
    pub fn seqs(&self) -> std::ops::Range<i64> {
        self.first_seq..self.next_seq
    }
    /// The newest and oldest event times held.
    pub fn time_span(&self) -> Option<TimeWindow> {
        let first = self.line(self.first_seq)?.0.ts;
        let last = self.line(self.next_seq - 1)?.0.ts;
        Some(TimeWindow::new(
            first.min(last),
            first.max(last).saturating_add(1),
        ))
    }

    fn segment_index(&self, seq: i64) -> Option<usize> {
        if seq < self.first_seq || seq >= self.next_seq {
            return None;
        }
        let i = self.segments.partition_point(|s| s.base <= seq);
        i.checked_sub(1)
    }

    /// A line and its text.
    pub fn line(&self, seq: i64) -> Option<(&Line, &[u8])> {
        let s = &self.segments[self.segment_index(seq)?];
        let l = s.lines.get((seq - s.base) as usize)?;
        Some((l, s.text_of(l)))
    }

    /// A line's text as a string (lossy only if it was stored broken).
    pub fn text(&self, seq: i64) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.line(seq).map_or(&[][..], |(_, t)| t))
    }

    /// Every line in order, with its number.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &Line, &[u8])> + '_ {
        self.segments.iter().flat_map(|s| {
            let r = s.seq_range();
            s.lines[s.skip..]
                .iter()
                .zip(r)
                .map(move |(l, seq)| (seq, l, s.text_of(l)))
        })
    }

    /// Lines `from..to` in order (clamped to what is held).
    pub fn range(&self, from: i64, to: i64) -> impl Iterator<Item = (i64, &Line, &[u8])> + '_ {
        let from = from.max(self.first_seq);
        let to = to.min(self.next_seq);
        let first = self.segment_index(from).unwrap_or(self.segments.len());
        self.segments
            .iter()
            .skip(first)
            .flat_map(move |s| {
                let r = s.seq_range();
                let lo = (from.max(r.start) - s.base) as usize;
                let hi = (to.min(r.end) - s.base).max(lo as i64) as usize;
                s.lines
                    .get(lo..hi)
                    .unwrap_or_default()
                    .iter()
                    .zip(s.base + lo as i64..)
                    .map(move |(l, seq)| (seq, l, s.text_of(l)))
            })
            .take_while(move |(seq, _, _)| *seq < to)
    }

    /// The shared segments, for a search that runs while lines keep arriving.
    pub fn snapshot(&self) -> Vec<Arc<Segment>> {
        self.segments.iter().cloned().collect()
    }

    pub fn inv(&self, id: u32) -> Option<&Inv> {
        self.invs.get(id as usize).and_then(Option::as_ref)
    }
    pub fn invs(&self) -> impl Iterator<Item = (u32, &Inv)> + '_ {
        self.invs
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (i as u32, v)))
    }
    pub fn inv_by_request(&self, request_id: &str) -> Option<u32> {
        match self.by_request.get(&request_key(request_id)) {
            Some(&id) if self.inv(id).is_some_and(|i| &*i.request_id == request_id) => Some(id),
            _ => self.by_request_clash.get(request_id).copied(),
        }
    }
    /// The lines of one invocation, in order.
    pub fn inv_lines(&self, id: u32) -> Vec<i64> {
        let Some(inv) = self.inv(id) else {
            return vec![];
        };
        self.range(inv.first_seq, inv.last_seq + 1)
            .filter(|(_, l, _)| l.inv == id)
            .map(|(s, _, _)| s)
            .collect()
    }

    /// Heap bytes held by lines, text and the fold (for the memory budget).
    pub fn heap_bytes(&self) -> usize {
        self.heap_parts().iter().map(|(_, n)| n).sum()
    }

    /// [`heap_bytes`](Self::heap_bytes) by what holds them.
    pub fn heap_parts(&self) -> [(&'static str, usize); 7] {
        use std::mem::size_of;
        let lines: usize = self
            .segments
            .iter()
            .map(|s| s.lines.capacity() * size_of::<Line>())
            .sum();
        let text: usize = self.segments.iter().map(|s| s.text.capacity()).sum();
        let segs = self.segments.capacity() * size_of::<Arc<Segment>>()
            + self.segments.len() * size_of::<Segment>();
        let invs = self.invs.capacity() * size_of::<Option<Inv>>()
            + self.free_invs.capacity() * size_of::<u32>()
            + self
                .invs()
                .map(|(_, i)| i.request_id.len() + i.trace_id.as_ref().map_or(0, |t| t.len()))
                .sum::<usize>();
        // Hash tables: a slot per capacity (key, value and a control byte); keys' own text.
        let index = self.by_request.capacity() * (size_of::<(u64, u32)>() + 1)
            + self.by_request_clash.capacity() * (size_of::<(Box<str>, u32)>() + 1)
            + self.by_request_clash.keys().map(|k| k.len()).sum::<usize>();
        let per_stream = (self.open_by_stream.capacity() + self.init_by_stream.capacity())
            * (size_of::<(u32, i64)>() + 1);
        let recent = self.recent.capacity() * (size_of::<u64>() + 1)
            + self.recent_ts.capacity() * size_of::<(EpochMs, u64)>();
        let names = self.streams.heap_bytes()
            + self.functions.heap_bytes()
            + self
                .function_map
                .groups
                .iter()
                .map(|(g, fs)| {
                    size_of::<(String, Vec<String>)>()
                        + g.capacity()
                        + fs.iter()
                            .map(|f| size_of::<String>() + f.capacity())
                            .sum::<usize>()
                })
                .sum::<usize>();
        [
            ("lines", lines + segs),
            ("text", text),
            ("invocations", invs),
            ("request index", index),
            ("per stream", per_stream),
            ("duplicates", recent),
            ("names", names),
        ]
    }

    // -----------------------------------------------------------------------------------------
    // Adding lines

    /// Appends new events (a tail delivery, the newest page). Duplicates of recent events are
    /// skipped; the oldest lines go when the bound is reached, and are counted.
    pub fn append(&mut self, events: &[LogEvent]) -> Appended {
        let mut out = Appended::default();
        for e in events {
            if !self.first_time(e) {
                out.duplicates += 1;
                continue;
            }
            self.push_back(e, &mut out);
        }
        out.dropped = self.enforce_capacity();
        out
    }

    /// A row that says a span was not fetched, at the end.
    pub fn append_gap(&mut self, window: TimeWindow, what: &str) {
        let text = format!(
            "not fetched: {}–{}{what}",
            crate::domain::time_of_day(window.start),
            crate::domain::time_of_day(window.end)
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        let line = Line {
            ts: window.start,
            start: 0,
            len: 0,
            stream: 0,
            inv: NO_INV,
            function: 0,
            kind: Kind::Gap,
            level: level_code(Some(Level::Warn)),
        };
        self.open_segment(seq).push(line, &text);
        self.enforce_capacity();
    }

    fn first_time(&mut self, e: &LogEvent) -> bool {
        let id = identity(e);
        if !self.recent.insert(id) {
            return false;
        }
        self.recent_ts.push_back((e.timestamp, id));
        self.newest_ts = self.newest_ts.max(e.timestamp);
        // Forget old identities (a late duplicate older than this is not expected), keeping
        // the newest few whatever their age. A sweep when the list has doubled since the last
        // one: events may come in any time order (an older page appended), so the oldest are
        // not always at the front.
        if self.recent_ts.len() > self.recent_sweep_at {
            let horizon = self.newest_ts.saturating_sub(DEDUP_SPAN_MS);
            let keep_from = self.recent_ts.len().saturating_sub(512);
            let mut i = 0;
            self.recent_ts.retain(|&(t, _)| {
                i += 1;
                t >= horizon || i > keep_from
            });
            self.recent = self.recent_ts.iter().map(|&(_, id)| id).collect();
            self.recent_ts.shrink_to_fit();
            self.recent_sweep_at = (2 * self.recent_ts.len()).max(1024);
        }
        true
    }

    /// The segment new lines go to, opening one when the last is full (or there is none).
    fn open_segment(&mut self, seq: i64) -> &mut Segment {
        let need_new = self.segments.back().is_none_or(|s| {
            s.lines.len() >= SEGMENT_LINES
                || s.text.len() >= SEGMENT_BYTES
                || s.base + s.lines.len() as i64 != seq
        });
        if need_new {
            // The closed segment keeps only what it holds (a growing Vec holds up to twice
            // that); one a search still reads is left as it is.
            if let Some(closed) = self.segments.back_mut().and_then(Arc::get_mut) {
                closed.text.shrink_to_fit();
                closed.lines.shrink_to_fit();
            }
            self.segments.push_back(Arc::new(Segment {
                base: seq,
                ..Segment::default()
            }));
        }
        let last = self.segments.len() - 1;
        // Shared with a running search: that search keeps its copy.
        Arc::make_mut(&mut self.segments[last])
    }

    fn classify<'e>(&mut self, e: &'e LogEvent) -> (Line, LogLine<'e>) {
        let parsed = lambda::classify(&e.message);
        let stream = self.streams.get(&e.log_stream);
        let name = self.function_map.function_of(&e.log_group, &e.log_stream);
        let function = self.functions.get(name) as u16;
        let kind = match &parsed {
            LogLine::Start { .. } => Kind::Start,
            LogLine::End { .. } => Kind::End,
            LogLine::Report(_) => Kind::Report,
            LogLine::InitStart { .. } => Kind::InitStart,
            LogLine::RestoreStart { .. } => Kind::RestoreStart,
            LogLine::InitReport(_) => Kind::InitReport,
            LogLine::Timeout { .. } => Kind::Timeout,
            LogLine::App(_) => Kind::App,
            LogLine::Platform { .. } => Kind::Platform,
            LogLine::Other => Kind::Other,
        };
        let line = Line {
            ts: e.timestamp,
            start: 0,
            len: 0,
            stream,
            inv: NO_INV,
            function,
            kind,
            level: level_code(parsed.level()),
        };
        (line, parsed)
    }

    fn push_back(&mut self, e: &LogEvent, out: &mut Appended) {
        let seq = self.next_seq;
        let (mut line, parsed) = self.classify(e);
        line.inv = self.fold(seq, &line, &parsed, out);
        self.next_seq += 1;
        self.raw_bytes += e.message.len();
        self.open_segment(seq).push(line, &e.message);
        out.lines += 1;
    }

    /// Ties a line to its invocation (creating it at its first line), and updates what the
    /// invocation knows. Returns the invocation's id or [`NO_INV`].
    fn fold(&mut self, seq: i64, line: &Line, parsed: &LogLine, out: &mut Appended) -> u32 {
        let (id, created) = match parsed.request_id() {
            Some(rid) => self.inv_for(rid, seq, line, out),
            // An init waits for the request it prepares.
            None if matches!(line.kind, Kind::InitStart | Kind::RestoreStart) => {
                self.init_by_stream.insert(line.stream, seq);
                return NO_INV;
            }
            // Other platform lines without a request id (EXTENSION, TELEMETRY) stand alone;
            // other lines in a stream with a request under way are that request's.
            None if line.kind.is_platform() => return NO_INV,
            None => match self.open_by_stream.get(&line.stream) {
                Some(&id) => (id, false),
                None => return NO_INV,
            },
        };
        if matches!(parsed, LogLine::Start { .. })
            && let Some(init) = self.init_by_stream.remove(&line.stream)
            && init < seq
            && self.set_inv(init, id)
        {
            if let Some(inv) = self.invs.get_mut(id as usize).and_then(Option::as_mut) {
                inv.first_seq = inv.first_seq.min(init);
                inv.live_lines += 1;
            }
            out.attached.push(init);
        }
        let open = &mut self.open_by_stream;
        let Some(inv) = self.invs.get_mut(id as usize).and_then(Option::as_mut) else {
            return NO_INV;
        };
        inv.first_seq = inv.first_seq.min(seq);
        inv.last_seq = inv.last_seq.max(seq);
        inv.live_lines += 1;
        inv.max_level = inv.max_level.max(line.level);
        if line.level >= level_code(Some(Level::Error)) && inv.first_error.is_none() {
            inv.first_error = Some(seq);
        }
        match parsed {
            LogLine::Start { .. } => {
                inv.start = line.ts;
                inv.started = true;
                open.insert(line.stream, id);
            }
            LogLine::End { .. } => {
                inv.ended = true;
                if open.get(&line.stream) == Some(&id) {
                    open.remove(&line.stream);
                }
            }
            LogLine::Report(r) => {
                inv.report = Some(InvReport {
                    duration_ms: r.duration_ms,
                    billed_ms: r.billed_ms,
                    memory_mb: r.memory_mb,
                    max_memory_used_mb: r.max_memory_used_mb,
                    init_ms: r.init_duration_ms,
                    restore_ms: r.restore_duration_ms,
                });
                inv.ended = true;
                if inv.trace_id.is_none() {
                    inv.trace_id = r.trace_id.as_deref().map(Box::from);
                }
                inv.outcome = Some(report_outcome(r, inv.outcome.take()));
                if !inv.started {
                    // The window cut its START off: it began its duration before the REPORT.
                    let took = r.duration_ms.max(0.0).round() as EpochMs;
                    inv.start = inv.start.min(line.ts.saturating_sub(took));
                }
                if open.get(&line.stream) == Some(&id) {
                    open.remove(&line.stream);
                }
            }
            LogLine::Timeout { .. } => inv.outcome = Some(Outcome::Timeout),
            LogLine::App(app) => {
                if app.unhandled && !matches!(inv.outcome, Some(Outcome::Timeout)) {
                    let t = app.error_type.as_deref().unwrap_or("Error").to_owned();
                    match &inv.outcome {
                        Some(Outcome::Error(_)) => {}
                        _ => inv.outcome = Some(Outcome::Error(t)),
                    }
                }
                if inv.trace_id.is_none() {
                    inv.trace_id = app.trace_id.as_deref().map(Box::from);
                }
            }
            _ => {}
        }
        if !created {
            out.touched.push(id);
        }
        id
    }

    /// Ties an already stored line to an invocation; false if the line is gone.
    fn set_inv(&mut self, seq: i64, id: u32) -> bool {
        if let Some(i) = self.segment_index(seq) {
            let seg = Arc::make_mut(&mut self.segments[i]);
            if let Some(l) = seg.lines.get_mut((seq - seg.base) as usize) {
                l.inv = id;
                return true;
            }
        }
        // Still in the segment being built (a prepended page): not reachable here.
        false
    }

    /// The invocation of a request id, created at its first line; and whether it was.
    fn inv_for(&mut self, rid: &str, seq: i64, line: &Line, out: &mut Appended) -> (u32, bool) {
        if let Some(id) = self.inv_by_request(rid) {
            return (id, false);
        }
        let inv = Inv {
            request_id: rid.into(),
            function: line.function,
            stream: line.stream,
            first_seq: seq,
            last_seq: seq,
            start: line.ts,
            started: false,
            report: None,
            outcome: None,
            ended: false,
            trace_id: None,
            max_level: 0,
            live_lines: 0,
            first_error: None,
        };
        let id = match self.free_invs.pop() {
            Some(id) => {
                self.invs[id as usize] = Some(inv);
                id
            }
            None => {
                // Grown by a quarter, not doubled: a million lines hold a quarter million.
                if self.invs.len() == self.invs.capacity() {
                    self.invs.reserve_exact(self.invs.capacity() / 4 + 64);
                }
                self.invs.push(Some(inv));
                (self.invs.len() - 1) as u32
            }
        };
        match self.by_request.entry(request_key(rid)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(id);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.by_request_clash.insert(rid.into(), id);
            }
        }
        out.new_invs.push(id);
        (id, true)
    }

    /// Drops the oldest lines beyond the bound in lines, then whole oldest segments while all
    /// buffers together hold more than the byte budget (never the segment being filled);
    /// returns how many.
    fn enforce_capacity(&mut self) -> usize {
        let mut dropped = self.drop_front(self.len().saturating_sub(self.capacity));
        self.charge();
        while let Some(m) = self.memory.clone() {
            if m.used() <= m.limit() || self.segments.len() <= 1 {
                break;
            }
            let n = self.segments.front().map_or(0, |s| s.lines.len() - s.skip);
            let gone = self.drop_front(n);
            m.evicted(gone as u64);
            dropped += gone;
            self.charge();
        }
        dropped
    }

    /// Drops the `n` oldest lines; returns how many went.
    fn drop_front(&mut self, n: usize) -> usize {
        let target = self.len().saturating_sub(n);
        let mut dropped = 0;
        while self.len() > target {
            let over = self.len() - target;
            let Some(front) = self.segments.front_mut() else {
                break;
            };
            let seg = Arc::make_mut(front);
            let n = over.min(seg.lines.len() - seg.skip);
            let gone: Vec<u32> = seg.lines[seg.skip..seg.skip + n]
                .iter()
                .map(|l| l.inv)
                .filter(|&i| i != NO_INV)
                .collect();
            for l in &seg.lines[seg.skip..seg.skip + n] {
                self.raw_bytes = self.raw_bytes.saturating_sub(l.len as usize);
            }
            seg.skip += n;
            let empty = seg.skip >= seg.lines.len();
            self.first_seq += n as i64;
            dropped += n;
            if empty {
                self.segments.pop_front();
            }
            for id in gone {
                self.release_line(id);
            }
        }
        self.dropped += dropped as u64;
        dropped
    }

    fn release_line(&mut self, id: u32) {
        let Some(slot) = self.invs.get_mut(id as usize) else {
            return;
        };
        let Some(inv) = slot.as_mut() else { return };
        inv.live_lines = inv.live_lines.saturating_sub(1);
        if inv.live_lines > 0 {
            return;
        }
        let Some(inv) = slot.take() else { return };
        let key = request_key(&inv.request_id);
        if self.by_request.get(&key) == Some(&id) {
            self.by_request.remove(&key);
        } else {
            self.by_request_clash.remove(&inv.request_id);
        }
        self.open_by_stream.retain(|_, v| *v != id);
        self.free_invs.push(id);
    }

    /// Prepends an older page (ascending). Refused, returning false, when the buffer is full:
    /// older lines would push out newer ones.
    pub fn prepend(&mut self, events: &[LogEvent]) -> bool {
        if self.len() + events.len() > self.capacity {
            return false;
        }
        // The newest page may come after the tail, which starts a little before the page's
        // end: what both read is kept once.
        let fresh: Vec<LogEvent>;
        let events = if events.iter().any(|e| self.recent.contains(&identity(e))) {
            fresh = events
                .iter()
                .filter(|e| !self.recent.contains(&identity(e)))
                .cloned()
                .collect();
            &fresh[..]
        } else {
            events
        };
        if events.is_empty() {
            return true;
        }
        let bytes: usize = events.iter().map(|e| e.message.len() + 33).sum();
        if let Some(m) = &self.memory
            && m.used() + bytes > m.limit()
        {
            return false;
        }
        let base = self.first_seq - events.len() as i64;
        let mut seg = Segment {
            base,
            lines: Vec::with_capacity(events.len()),
            text: Vec::with_capacity(events.iter().map(|e| e.message.len() + 1).sum()),
            skip: 0,
        };
        let mut parsed = Vec::with_capacity(events.len());
        for e in events {
            let (line, p) = self.classify(e);
            self.raw_bytes += e.message.len();
            seg.push(line, &e.message);
            parsed.push(p);
        }
        // Segments of older pages may be small; they hold what one page brought.
        self.first_seq = base;
        self.segments.push_front(Arc::new(seg));
        self.charge();
        // Fold once the lines are in place (a cold start ties its INIT_START line back).
        let mut out = Appended::default();
        // Streams under way at the top of the page are not those under way now.
        let saved = std::mem::take(&mut self.open_by_stream);
        let saved_init = std::mem::take(&mut self.init_by_stream);
        for (i, p) in parsed.iter().enumerate() {
            let seq = base + i as i64;
            let Some(line) = self.line(seq).map(|(l, _)| *l) else {
                continue;
            };
            let id = self.fold(seq, &line, p, &mut out);
            if id != NO_INV {
                self.set_inv(seq, id);
            }
        }
        self.open_by_stream = saved;
        self.init_by_stream = saved_init;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: EpochMs, stream: &str, msg: &str) -> LogEvent {
        LogEvent::new("/aws/lambda/f".into(), stream.into(), t, t, msg.into())
    }

    #[test]
    fn request_ids_whose_hashes_clash_stay_apart() {
        let mut b = LogBuffer::default();
        b.append(&[ev(1, "s", "START RequestId: r1 Version: $LATEST")]);
        let r1 = b.inv_by_request("r1").unwrap();
        // Pretend r2 hashes like r1: the index slot is taken by another id.
        b.by_request.remove(&request_key("r1"));
        b.by_request.insert(request_key("r2"), r1);
        b.by_request_clash.insert("r1".into(), r1);
        b.append(&[
            ev(2, "t", "START RequestId: r2 Version: $LATEST"),
            ev(3, "t", "END RequestId: r2"),
        ]);
        let r2 = b.inv_by_request("r2").unwrap();
        assert_ne!(r1, r2);
        assert_eq!(&*b.inv(r2).unwrap().request_id, "r2");
        assert_eq!(b.inv_by_request("r1"), Some(r1));
        assert_eq!(
            b.inv(r2).unwrap().live_lines,
            2,
            "both r2 lines found their invocation"
        );
        // Dropping r1's only line forgets it, wherever it is indexed.
        b.capacity = 2;
        b.append(&[]);
        assert_eq!(b.inv_by_request("r1"), None);
        assert_eq!(b.inv_by_request("r2"), Some(r2));
    }

    #[test]
    fn duplicates_are_remembered_for_ten_minutes_in_any_time_order() {
        let mut b = LogBuffer::default();
        // Pages appended newest first, as a backfill would: old identities must still go.
        for page in 0..40i64 {
            let t0 = 10_000_000_000 - page * 30 * 60_000;
            let evs: Vec<LogEvent> = (0..100)
                .map(|i| {
                    let mut e = ev(t0 + i * 1000, "s", "x");
                    e.event_id = format!("{page}-{i}");
                    e
                })
                .collect();
            b.append(&evs);
        }
        assert!(b.recent.len() <= 2048, "{} identities kept", b.recent.len());
        // A duplicate of a recent event is still dropped.
        let mut e = ev(10_000_000_000, "s", "x");
        e.event_id = "0-0".into();
        assert_eq!(b.append(&[e]).duplicates, 1);
    }

    #[test]
    fn a_page_that_comes_after_the_tail_keeps_once_what_both_read() {
        let mut b = LogBuffer::default();
        // The tail starts before the page's end: it read the page's last event too.
        b.append(&[ev(100, "s", "both"), ev(101, "s", "tail only")]);
        assert!(b.prepend(&[ev(90, "s", "page only"), ev(100, "s", "both")]));
        let texts: Vec<String> = b
            .iter()
            .map(|(_, _, t)| String::from_utf8_lossy(t).into())
            .collect();
        assert_eq!(texts, ["page only", "both", "tail only"]);
    }

    #[test]
    fn all_buffers_together_stay_within_the_byte_budget_and_count_what_they_evict() {
        let memory = LogMemory::new(4 * SEGMENT_BYTES);
        let mut a = LogBuffer::default().with_memory(memory.clone());
        let mut b = LogBuffer::default().with_memory(memory.clone());
        let line = "x".repeat(8 * 1024);
        let batch = |from: i64| -> Vec<LogEvent> {
            (from..from + 64)
                .map(|t| ev(t, "s", &format!("{t} {line}")))
                .collect()
        };
        for round in 0..60 {
            a.append(&batch(round * 64));
            b.append(&batch(round * 64));
            // Within the budget, give or take the segment each buffer is filling.
            assert!(
                memory.used() <= memory.limit() + 2 * SEGMENT_BYTES + (1 << 20),
                "{} of {}",
                memory.used(),
                memory.limit()
            );
        }
        assert!(memory.evicted_lines() > 0);
        assert_eq!(memory.evicted_lines(), a.dropped + b.dropped);
        // What a closed screen held is given back.
        let held_by_b = memory.used();
        drop(b);
        assert!(memory.used() < held_by_b);
    }

    fn invocation(t: EpochMs, rid: &str, stream: &str) -> Vec<LogEvent> {
        vec![
            ev(
                t,
                stream,
                &format!("START RequestId: {rid} Version: $LATEST"),
            ),
            ev(
                t + 1,
                stream,
                &format!("2026-11-23T14:00:00.001Z\t{rid}\tINFO\thandling"),
            ),
            ev(t + 2, stream, &format!("END RequestId: {rid}")),
            ev(
                t + 2,
                stream,
                &format!(
                    "REPORT RequestId: {rid}\tDuration: 12.5 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t"
                ),
            ),
        ]
    }

    #[test]
    fn lines_fold_into_invocations_as_they_arrive() {
        let mut b = LogBuffer::new(100);
        let lines = invocation(10, "r1", "s1");
        // START and one app line: under way, no outcome yet.
        b.append(&lines[..2]);
        let id = b.inv_by_request("r1").unwrap();
        assert_eq!(b.inv(id).unwrap().outcome, None);
        assert!(!b.inv(id).unwrap().ended);
        // A print() without a request id in the same stream is the request's.
        b.append(&[ev(11, "s1", "plain print output")]);
        b.append(&lines[2..]);
        let inv = b.inv(id).unwrap();
        assert_eq!(inv.outcome, Some(Outcome::Success));
        assert_eq!(inv.report.as_ref().unwrap().duration_ms, 12.5);
        assert_eq!(b.inv_lines(id).len(), 5);
        assert_eq!(b.len(), 5);
    }

    #[test]
    fn the_ring_drops_the_oldest_and_counts_them() {
        let mut b = LogBuffer::new(6);
        b.append(&invocation(10, "r1", "s1"));
        b.append(&invocation(20, "r2", "s1"));
        assert_eq!(b.len(), 6);
        assert_eq!(b.dropped, 2);
        assert_eq!(b.first_seq(), 2);
        assert!(b.text(2).starts_with("END RequestId: r1"));
        // r1 lost lines but keeps its REPORT: still known.
        assert!(b.inv_by_request("r1").is_some());
        b.append(&invocation(30, "r3", "s1"));
        assert!(b.inv_by_request("r1").is_none(), "all its lines are gone");
        assert_eq!(b.dropped, 6);
    }

    #[test]
    fn duplicates_are_skipped_and_older_pages_go_above() {
        let mut b = LogBuffer::new(100);
        let lines = invocation(100, "r2", "s1");
        b.append(&lines);
        let again = b.append(&lines[2..]);
        assert_eq!((again.lines, again.duplicates), (0, 2));
        assert!(b.prepend(&invocation(10, "r1", "s2")));
        assert_eq!(b.first_seq(), -4);
        assert!(b.text(-4).starts_with("START RequestId: r1"));
        let id = b.inv_by_request("r1").unwrap();
        assert_eq!(b.inv(id).unwrap().first_seq, -4);
        let order: Vec<EpochMs> = b.iter().map(|(_, l, _)| l.ts).collect();
        assert_eq!(order, [10, 11, 12, 12, 100, 101, 102, 102]);
        // Full: an older page would push out newer lines, so it is refused.
        let mut full = LogBuffer::new(4);
        full.append(&lines);
        assert!(!full.prepend(&invocation(10, "r1", "s2")));
    }

    #[test]
    fn segments_roll_over_and_ranges_cross_them() {
        let mut b = LogBuffer::new(SEGMENT_LINES * 3);
        let events: Vec<LogEvent> = (0..(SEGMENT_LINES + 10) as i64)
            .map(|i| ev(i, "s", &format!("line {i}")))
            .collect();
        b.append(&events);
        let seqs: Vec<i64> = b
            .range(SEGMENT_LINES as i64 - 2, SEGMENT_LINES as i64 + 2)
            .map(|(s, _, _)| s)
            .collect();
        assert_eq!(seqs.len(), 4);
        assert_eq!(
            b.text(SEGMENT_LINES as i64),
            format!("line {}", SEGMENT_LINES)
        );
    }

    #[test]
    fn shared_groups_name_the_function_in_the_stream() {
        let mut m = FunctionMap::default();
        m.groups.insert(
            "/shop/api".into(),
            vec!["users-api-profile".into(), "cart-api-update".into()],
        );
        assert_eq!(
            m.function_of("/shop/api", "2026/11/23/cart-api-update[$LATEST]0123"),
            "cart-api-update"
        );
        m.groups.insert("/aws/lambda/a".into(), vec!["a".into()]);
        assert_eq!(
            m.function_of("/aws/lambda/a", "2026/11/23/[$LATEST]01"),
            "a"
        );
    }

    #[test]
    fn a_cold_starts_init_line_starts_its_invocation() {
        let mut b = LogBuffer::new(100);
        b.append(&[ev(
            1,
            "s",
            "INIT_START Runtime Version: python:3.12.v36\tRuntime Version ARN: x",
        )]);
        let out = b.append(&invocation(5, "c1", "s"));
        let id = b.inv_by_request("c1").unwrap();
        assert_eq!(b.inv(id).unwrap().first_seq, 0);
        assert_eq!(b.line(0).unwrap().0.inv, id);
        assert_eq!(out.attached, [0]);
        // The same in an older page loaded above.
        let mut older = vec![ev(0, "t", "INIT_START Runtime Version: python:3.12.v36")];
        older.extend(invocation(1, "c0", "t"));
        assert!(b.prepend(&older));
        let id0 = b.inv_by_request("c0").unwrap();
        assert_eq!(b.inv(id0).unwrap().first_seq, b.first_seq());
        assert_eq!(b.inv_lines(id0).len(), 5);
    }

    #[test]
    fn timeouts_after_the_report_and_out_of_memory() {
        let mut b = LogBuffer::new(100);
        b.append(&[
            ev(1, "s", "START RequestId: t1 Version: $LATEST"),
            ev(9, "s", "REPORT RequestId: t1\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t"),
            ev(10, "s", "2026-11-23T14:00:00.010Z t1 Task timed out after 3.00 seconds"),
            ev(11, "s", "START RequestId: o1 Version: $LATEST"),
            ev(12, "s", "REPORT RequestId: o1\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory"),
        ]);
        let t = b.inv(b.inv_by_request("t1").unwrap()).unwrap();
        assert!(t.timed_out() && t.failed());
        let o = b.inv(b.inv_by_request("o1").unwrap()).unwrap();
        assert!(o.out_of_memory() && o.failed() && !o.timed_out());
    }

    #[test]
    fn heap_bytes_counts_the_interned_names_too() {
        // The same lines from streams with names 100 bytes longer: the text held is the same,
        // the names are not, and each is held twice (the list and the index).
        let held = |pad: &str| {
            let mut b = LogBuffer::new(1000);
            for i in 0..50 {
                b.append(&invocation(i * 10, &format!("r{i}"), &format!("s{i}{pad}")));
            }
            b.heap_bytes()
        };
        let (short, long) = (held(""), held(&"x".repeat(100)));
        assert!(long >= short + 2 * 50 * 100, "{long} vs {short}");
    }

    // The batch entry point: the same fold over events read in any order.
    use crate::parse::lambda::tests::{
        INIT_START_PY, JSON_APP_NESTED, JSON_INIT_START, JSON_REPORT_COLD, JSON_REPORT_WARM,
        JSON_START, NODE_INVOKE_ERROR, PY_UNHANDLED, REPORT, REPORT_COLD, REPORT_XRAY_TIMEOUT,
        TIMEOUT,
    };

    const S: &str = "2026/10/08/[$LATEST]22be53a8cfde4e68b844f8ec293b2543";

    fn at(t: EpochMs, stream: &str, message: &str) -> LogEvent {
        LogEvent {
            timestamp: t,
            ingestion_time: t + 5,
            log_group: "/aws/lambda/orders".into(),
            log_stream: stream.into(),
            message: message.into(),
            event_id: format!("{t}-{stream}-{}", message.len()),
        }
    }

    fn plain_report(id: &str) -> String {
        format!(
            "REPORT RequestId: {id}\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\t"
        )
    }

    #[test]
    fn groups_text_invocations() {
        let events = vec![
            at(1000, S, INIT_START_PY),
            at(
                1400,
                S,
                "START RequestId: 3189db8f-8c7f-4ebb-8c90-4283eb0fb1b1 Version: $LATEST",
            ),
            at(
                1500,
                S,
                "[INFO]\t2020-01-31T22:12:58.534Z\t3189db8f-8c7f-4ebb-8c90-4283eb0fb1b1\thello",
            ),
            at(
                2360,
                S,
                "END RequestId: 3189db8f-8c7f-4ebb-8c90-4283eb0fb1b1",
            ),
            at(2361, S, REPORT_COLD),
            at(
                3000,
                S,
                "START RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf Version: $LATEST",
            ),
            at(3027, S, REPORT),
            // Still running: no REPORT yet.
            at(4000, S, "START RequestId: still-running Version: $LATEST"),
        ];
        let inv = invocations("orders", &events);
        assert_eq!(inv.len(), 2);
        assert_eq!(
            inv[0],
            Invocation {
                request_id: "3189db8f-8c7f-4ebb-8c90-4283eb0fb1b1".into(),
                function: "orders".into(),
                log_stream: S.into(),
                start: 1400,
                duration_ms: 960.45,
                billed_ms: 961.0,
                memory_mb: 128,
                max_memory_used_mb: 69,
                init_duration_ms: Some(326.33),
                outcome: Outcome::Success,
                trace_id: None,
            }
        );
        assert_eq!(
            (inv[1].start, inv[1].init_duration_ms, &inv[1].outcome),
            (3000, None, &Outcome::Success)
        );
        let mut reversed = events.clone();
        reversed.reverse();
        assert_eq!(invocations("orders", &reversed), inv);
    }

    #[test]
    fn outcomes_from_status_timeout_lines_and_errors() {
        let id = "160788cd-45ff-4583-809f-c7e31127cb95";
        let events = vec![
            // A timeout line arriving after its REPORT, which has no status (old runtimes).
            at(1000, S, &format!("START RequestId: {id} Version: $LATEST")),
            at(4070, S, &plain_report(id).replace("20.00 ms", "3070.00 ms")),
            at(4071, S, TIMEOUT),
            // REPORT status timeout, with X-Ray; no START seen (window cut).
            at(700_000, "other", REPORT_XRAY_TIMEOUT),
            // Status error with a type.
            at(
                5000,
                S,
                "REPORT RequestId: oom\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tStatus: error\tError Type: Runtime.OutOfMemory",
            ),
            // Status failure without one.
            at(
                6000,
                S,
                r#"{"time":"t","type":"platform.report","record":{"requestId":"fail","metrics":{"durationMs":1,"billedDurationMs":1,"memorySizeMB":128,"maxMemoryUsedMB":1},"status":"failure"}}"#,
            ),
            // Node's Invoke Error carries the request id; the old REPORT has no status.
            at(
                7000,
                S,
                "START RequestId: 4e8cfa2f-d871-49cb-b49b-3b023add146f Version: $LATEST",
            ),
            at(7010, S, NODE_INVOKE_ERROR),
            at(
                7020,
                S,
                &plain_report("4e8cfa2f-d871-49cb-b49b-3b023add146f"),
            ),
        ];
        let inv = invocations("f", &events);
        let by_id = |id: &str| {
            inv.iter()
                .find(|i| i.request_id == id)
                .unwrap_or_else(|| panic!("{id} missing"))
        };
        assert_eq!(by_id(id).outcome, Outcome::Timeout);
        let xray = by_id("054d8776-b852-42f6-a1a6-752552daea41");
        assert_eq!(xray.outcome, Outcome::Timeout);
        assert_eq!(
            xray.trace_id.as_deref(),
            Some("1-6ac7d63f-0104e99861c65c8039f183da")
        );
        assert_eq!(
            by_id("oom").outcome,
            Outcome::Error("Runtime.OutOfMemory".into())
        );
        assert_eq!(by_id("fail").outcome, Outcome::Error("error".into()));
        assert_eq!(
            by_id("4e8cfa2f-d871-49cb-b49b-3b023add146f").outcome,
            Outcome::Error("AccessDeniedException".into())
        );
        assert_eq!(inv.len(), 5);
    }

    /// Where the batch fold and the buffer's disagreed, the buffer named a failed REPORT's error
    /// "error" though the runtime had logged its type: the logged type is the one to show.
    #[test]
    fn a_failed_report_without_a_type_takes_the_logged_errors() {
        let rid = "4e8cfa2f-d871-49cb-b49b-3b023add146f";
        let mut b = LogBuffer::new(100);
        b.append(&[
            at(1, S, &format!("START RequestId: {rid} Version: $LATEST")),
            at(2, S, NODE_INVOKE_ERROR),
            at(3, S, &format!("{}Status: error", plain_report(rid))),
        ]);
        let inv = b.inv(b.inv_by_request(rid).unwrap()).unwrap();
        assert_eq!(
            inv.outcome,
            Some(Outcome::Error("AccessDeniedException".into()))
        );
        // A type the REPORT gives wins over the logged one.
        let mut b = LogBuffer::new(100);
        b.append(&[
            at(1, S, &format!("START RequestId: {rid} Version: $LATEST")),
            at(2, S, NODE_INVOKE_ERROR),
            at(
                3,
                S,
                &format!(
                    "{}Status: error\tError Type: Runtime.ExitError",
                    plain_report(rid)
                ),
            ),
        ]);
        let inv = b.inv(b.inv_by_request(rid).unwrap()).unwrap();
        assert_eq!(
            inv.outcome,
            Some(Outcome::Error("Runtime.ExitError".into()))
        );
    }

    /// The other disagreement: a REPORT whose START was cut off by the window started its
    /// duration before the REPORT, not at it.
    #[test]
    fn a_report_without_its_start_began_its_duration_earlier() {
        let mut b = LogBuffer::new(100);
        b.append(&[at(700_000, "other", REPORT_XRAY_TIMEOUT)]);
        let inv = b
            .inv(
                b.inv_by_request("054d8776-b852-42f6-a1a6-752552daea41")
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(inv.start, 100_000);
        // Its START, read later from an older page, says exactly.
        assert!(b.prepend(&[at(
            99_990,
            "other",
            "START RequestId: 054d8776-b852-42f6-a1a6-752552daea41 Version: $LATEST"
        )]));
        let inv = b
            .inv(
                b.inv_by_request("054d8776-b852-42f6-a1a6-752552daea41")
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(inv.start, 99_990);
    }

    /// Python's unhandled-error line has no request id: it is the request's under way in its
    /// stream (between START and END), and nobody's between two requests (an init error).
    #[test]
    fn python_unhandled_error_is_the_open_requests_in_its_stream() {
        let events = vec![
            at(1000, S, "START RequestId: a Version: $LATEST"),
            at(1010, S, PY_UNHANDLED),
            at(1020, S, "END RequestId: a"),
            at(1021, S, &plain_report("a")),
            at(2000, S, PY_UNHANDLED),
            at(3000, S, "START RequestId: c Version: $LATEST"),
            at(3021, S, &plain_report("c")),
            // Same time, another environment: untouched.
            at(1000, "other", "START RequestId: b Version: $LATEST"),
            at(1021, "other", &plain_report("b")),
        ];
        let inv = invocations("f", &events);
        let outcome = |id: &str| inv.iter().find(|i| i.request_id == id).map(|i| &i.outcome);
        assert_eq!(outcome("a"), Some(&Outcome::Error("NameError".into())));
        assert_eq!(outcome("b"), Some(&Outcome::Success));
        assert_eq!(outcome("c"), Some(&Outcome::Success));
    }

    #[test]
    fn groups_json_invocations() {
        let events = vec![
            at(100, S, JSON_INIT_START),
            at(567, S, JSON_START),
            at(1775, S, JSON_APP_NESTED),
            at(1802, S, JSON_REPORT_COLD),
            at(14481, S, JSON_REPORT_WARM),
            // The same REPORT from another page.
            at(14481, S, JSON_REPORT_WARM),
        ];
        let inv = invocations("tenner-notifier", &events);
        assert_eq!(inv.len(), 2);
        assert_eq!(
            (inv[0].start, inv[0].init_duration_ms, inv[0].billed_ms),
            (567, Some(463.512), 1698.0)
        );
        assert_eq!(inv[1].request_id, "f0c9f58b-8ebe-4e84-a656-95eb6eee865a");
        assert_eq!(inv[1].start, 14481 - 1072);
    }

    mod props {
        use super::*;
        use crate::parse::lambda::tests::props::mutated;
        use crate::parse::lambda::{LogLine, classify};
        use proptest::prelude::*;

        /// Text and JSON requests in two environments, with a late timeout line and an
        /// unhandled Python error.
        fn fixture() -> Vec<LogEvent> {
            vec![
                at(900, S, INIT_START_PY),
                at(1000, S, "START RequestId: a Version: $LATEST"),
                at(1010, S, PY_UNHANDLED),
                at(1021, S, &plain_report("a")),
                at(2000, S, "START RequestId: b Version: $LATEST"),
                at(2021, S, &plain_report("b")),
                at(
                    2022,
                    S,
                    "2020-11-10T05:46:57.874Z b Task timed out after 3.07 seconds",
                ),
                at(1500, "json", JSON_START),
                at(2733, "json", JSON_REPORT_COLD),
                at(3000, "json", JSON_REPORT_WARM),
                at(5000, "json", REPORT_XRAY_TIMEOUT),
                at(6000, S, "START RequestId: running Version: $LATEST"),
            ]
        }

        proptest! {
            #[test]
            fn invocations_ignore_input_order(events in Just(fixture()).prop_shuffle()) {
                let got = invocations("f", &events);
                let outcomes: Vec<(&str, Outcome)> =
                    got.iter().map(|i| (i.request_id.as_str(), i.outcome.clone())).collect();
                let expected = vec![
                    ("054d8776-b852-42f6-a1a6-752552daea41", Outcome::Timeout),
                    ("a", Outcome::Error("NameError".into())),
                    ("79b5e81f-9cdd-4145-b1f6-7c50ef8a2a36", Outcome::Success),
                    ("f0c9f58b-8ebe-4e84-a656-95eb6eee865a", Outcome::Success),
                    ("b", Outcome::Timeout),
                ];
                prop_assert_eq!(outcomes, expected);
                prop_assert_eq!(got, invocations("f", &fixture()));
            }

            #[test]
            fn invocations_never_panic_and_only_reported(lines in prop::collection::vec((0i64..10_000, mutated()), 0..30)) {
                let events: Vec<LogEvent> = lines.iter().enumerate().map(|(i, (t, m))| {
                    let mut e = at(*t, S, m);
                    e.event_id = i.to_string();
                    e
                }).collect();
                let reported: HashSet<String> = events.iter().filter_map(|e| match classify(&e.message) {
                    LogLine::Report(r) => Some(r.request_id.into_owned()),
                    _ => None,
                }).collect();
                let found = invocations("f", &events);
                let ids: HashSet<String> = found.iter().map(|i| i.request_id.clone()).collect();
                prop_assert_eq!(ids, reported);
            }
        }
    }
}
