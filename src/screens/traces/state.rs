//! The trace list's own data: the scan in progress or done, the rows after the fuzzy search
//! and the sort, and what whole traces told about the rows in view.

use std::collections::HashMap;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::app::filter::ListFilter;
use crate::app::jobs::ScreenId;
use crate::domain::{SourceError, TraceCursor, TraceQuery, TraceSummary};
use crate::ui::widgets::cursor::{self, Move};

/// The most summaries the list holds: the newest of the window.
pub const LIST_LIMIT: usize = 1000;

/// The list's columns, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Start,
    Duration,
    Response,
    Status,
    Method,
    Url,
    Entry,
    /// Fault, error, throttle.
    Flags,
    Cold,
    RootCause,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Start,
        Column::Duration,
        Column::Response,
        Column::Status,
        Column::Method,
        Column::Url,
        Column::Entry,
        Column::Flags,
        Column::Cold,
        Column::RootCause,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Start => "START",
            Column::Duration => "DURATION",
            Column::Response => "RESPONSE",
            Column::Status => "STATUS",
            Column::Method => "METHOD",
            Column::Url => "URL",
            Column::Entry => "ENTRY",
            Column::Flags => "FLAGS",
            Column::Cold => "COLD",
            Column::RootCause => "ROOT CAUSE",
        }
    }

    /// Newest, slowest and worst first; text columns A to Z.
    pub fn descending_by_default(self) -> bool {
        matches!(
            self,
            Column::Start
                | Column::Duration
                | Column::Response
                | Column::Status
                | Column::Flags
                | Column::Cold
        )
    }

    pub fn parse(s: &str) -> Option<Column> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|c| {
            c.title().to_ascii_lowercase() == s
                || matches!(
                    (c, s.as_str()),
                    (Column::Start, "time")
                        | (Column::Duration, "dur")
                        | (Column::Response, "responsetime")
                        | (Column::Status, "http.status")
                        | (Column::RootCause, "cause")
                )
        })
    }
}

/// How a scan of the window is going.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanStatus {
    /// Pages are coming; the next one is asked for from here.
    Scanning(TraceCursor),
    /// The window is scanned, or the list is full.
    Done,
    Failed(SourceError),
}

/// A scan of summaries: what it asks, what it found so far, how far it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub query: TraceQuery,
    pub summaries: Vec<TraceSummary>,
    pub pages: usize,
    pub status: ScanStatus,
    /// Every span of the window, for the progress (`query.spans().len()`).
    pub spans: usize,
}

impl Scan {
    pub fn new(query: TraceQuery) -> Scan {
        Scan {
            spans: query.spans().len(),
            query,
            summaries: Vec::new(),
            pages: 0,
            status: ScanStatus::Scanning(TraceCursor::default()),
        }
    }
    pub fn is_scanning(&self) -> bool {
        matches!(self.status, ScanStatus::Scanning(_))
    }
    /// The list reached its limit: older traces in the window are not shown.
    pub fn is_full(&self) -> bool {
        self.summaries.len() >= self.query.limit
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TracesScreen {
    pub id: ScreenId,
    /// The X-Ray filter expression in force.
    pub filter: String,
    /// `Some` while the expression is being edited.
    pub editing: Option<String>,
    /// An expression the source rejected, and why.
    pub rejected: Option<(String, String)>,
    /// The fuzzy search over the rows on screen.
    pub search: ListFilter,
    /// `None` until the first scan starts.
    pub scan: Option<Scan>,
    /// The list of the last expression, kept until X-Ray accepts a new one.
    pub previous: Option<Scan>,
    /// The scan of the minutes since a finished scan, to merge into it.
    pub topup: Option<Scan>,
    /// Indices into the scan's summaries, after search and sort.
    pub rows: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    pub sort: Column,
    pub descending: bool,
    /// Cold-start flags learned from whole traces, by trace id (`None`: X-Ray did not return
    /// the trace).
    pub cold: HashMap<String, Option<bool>>,
}

impl TracesScreen {
    pub fn new(id: ScreenId, filter: String) -> TracesScreen {
        TracesScreen {
            id,
            filter,
            editing: None,
            rejected: None,
            search: ListFilter::default(),
            scan: None,
            previous: None,
            topup: None,
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            sort: Column::Start,
            descending: true,
            cold: HashMap::new(),
        }
    }

    pub fn summaries(&self) -> &[TraceSummary] {
        self.scan.as_ref().map_or(&[], |s| &s.summaries)
    }

    pub fn selected_summary(&self) -> Option<&TraceSummary> {
        self.summaries().get(*self.rows.get(self.selected)?)
    }

    /// Trace ids in row order (tests, the CLI).
    pub fn ids(&self) -> Vec<&str> {
        let all = self.summaries();
        self.rows.iter().map(|&i| all[i].id.as_str()).collect()
    }

    /// Whether a trace started cold: its annotation, else what its whole trace showed.
    pub fn cold_start(&self, t: &TraceSummary) -> Option<bool> {
        t.cold_start_annotation()
            .or_else(|| self.cold.get(&t.id).copied().flatten())
    }

    /// The text the fuzzy search looks in.
    fn haystack(t: &TraceSummary) -> String {
        let mut s = String::with_capacity(96);
        for part in [
            t.http_method.as_deref(),
            t.url_path(),
            t.entry.as_ref().map(|e| e.name.as_str()),
            t.root_cause.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            s.push_str(part);
            s.push(' ');
        }
        if let Some(st) = t.http_status {
            s.push_str(&st.to_string());
            s.push(' ');
        }
        s.push_str(&t.id);
        s
    }

    /// Re-applies search and sort, keeping the selected trace selected.
    pub fn refresh_rows(&mut self) {
        let keep = self.selected_summary().map(|t| t.id.clone());
        let all = self.summaries();
        let mut rows: Vec<(usize, i64)> = if self.search.is_empty() {
            (0..all.len()).map(|i| (i, 0)).collect()
        } else {
            let m = SkimMatcherV2::default().smart_case();
            (0..all.len())
                .filter_map(|i| {
                    Some((
                        i,
                        m.fuzzy_match(&Self::haystack(&all[i]), self.search.text())?,
                    ))
                })
                .collect()
        };
        let (col, desc) = (self.sort, self.descending);
        let key = |t: &TraceSummary| -> SortKey {
            match col {
                Column::Start => SortKey::Num(t.start as f64),
                Column::Duration => SortKey::Num(t.duration_ms),
                Column::Response => SortKey::Num(t.response_time_ms.unwrap_or(f64::NAN)),
                Column::Status => SortKey::Num(t.http_status.map_or(f64::NAN, f64::from)),
                Column::Method => SortKey::Text(t.http_method.clone()),
                Column::Url => SortKey::Text(t.url_path().map(str::to_string)),
                Column::Entry => SortKey::Text(t.entry.as_ref().map(|e| e.name.clone())),
                Column::Flags => SortKey::Num(f64::from(
                    u8::from(t.has_fault) * 4
                        + u8::from(t.has_error) * 2
                        + u8::from(t.has_throttle),
                )),
                Column::Cold => SortKey::Num(match self.cold_start(t) {
                    Some(true) => 1.0,
                    Some(false) => 0.0,
                    None => f64::NAN,
                }),
                Column::RootCause => SortKey::Text(t.root_cause.clone()),
            }
        };
        let mut keyed: Vec<((usize, i64), SortKey)> =
            rows.drain(..).map(|r| (r, key(&all[r.0]))).collect();
        keyed.sort_by(|((ia, _), ka), ((ib, _), kb)| {
            ka.cmp(kb, desc)
                .then_with(|| all[*ib].start.cmp(&all[*ia].start))
                .then_with(|| all[*ia].id.cmp(&all[*ib].id))
        });
        let rows: Vec<usize> = keyed.into_iter().map(|((i, _), _)| i).collect();
        self.selected = keep
            .and_then(|id| rows.iter().position(|&i| all[i].id == id))
            .map_or(0, |s| cursor::clamp(s, rows.len()));
        self.rows = rows;
    }

    pub fn set_sort(&mut self, column: Column) {
        if self.sort == column {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = column.descending_by_default();
        }
        self.refresh_rows();
    }

    pub fn move_cursor(&mut self, mv: Move, page: usize) {
        self.selected = cursor::moved(self.selected, mv, self.rows.len(), page);
    }

    /// Keeps the selection inside a viewport of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = cursor::keep_in_view(self.selected, self.offset, self.rows.len(), height);
    }

    /// Ids of the rows in view whose cold-start flag is not known yet.
    pub fn unknown_in_view(&self, height: usize) -> Vec<String> {
        let all = self.summaries();
        let end = (self.offset + height).min(self.rows.len());
        self.rows[self.offset.min(end)..end]
            .iter()
            .map(|&i| &all[i])
            .filter(|t| t.cold_start_annotation().is_none() && !self.cold.contains_key(&t.id))
            .map(|t| t.id.clone())
            .collect()
    }
}

/// A sort key; unknown values sort last whichever the direction.
enum SortKey {
    Num(f64),
    Text(Option<String>),
}

impl SortKey {
    fn cmp(&self, other: &SortKey, desc: bool) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        let known = |k: &SortKey| match k {
            SortKey::Num(n) => !n.is_nan(),
            SortKey::Text(t) => t.is_some(),
        };
        match (known(self), known(other)) {
            (true, false) => return Less,
            (false, true) => return Greater,
            (false, false) => return Equal,
            _ => {}
        }
        let o = match (self, other) {
            (SortKey::Num(a), SortKey::Num(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            _ => Equal,
        };
        if desc { o.reverse() } else { o }
    }
}
