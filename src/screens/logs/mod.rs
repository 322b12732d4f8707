//! The Logs screen: one function, several, or all of them; the tail followed live, history
//! paged in above, one row per invocation, search as you type over everything loaded, error
//! groups and Logs Insights.
//!
//! - the lines and their fold into invocations are the model's (`crate::model::logs`);
//! - [`search`]: fuzzy, regex and exact search over the buffer;
//! - [`rows`]: what is on screen, in order, under the folding and the filters;
//! - [`insights`] and `insights_mode`: the Logs Insights mode as a component of its own (ready
//!   queries, your own, a sortable table): its state, keys and view;
//! - [`error_groups`]: the error-groups mode as a component (its state, keys and view), over
//!   the model's grouping by fingerprint (`crate::model::errors`);
//! - `save`: `s`, the lines written to a private file off the loop;
//! - `update`, `keys`, `view`: the screen itself.

pub mod error_groups;
pub mod insights;
mod insights_mode;
mod keys;
pub mod rows;
mod save;
pub mod search;
mod update;
pub mod view;

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::app::jobs::{Delivery, ScreenId};
use crate::app::router::LogsPlace;
use crate::domain::{
    EpochMs, InsightsUpdate, LogPage, SourceError, TailMode, TailUpdate, TimeWindow,
};
use crate::parse::lambda::Level;

use self::error_groups::ErrorGroups;
use self::insights::InsightsState;
use self::rows::Row;
use self::search::{Found, Matcher, Query};
use crate::model::logs::LogBuffer;

/// How timestamps are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stamps {
    #[default]
    Absolute,
    /// Relative to the line under the cursor.
    Relative,
    Off,
}

/// Which part of the screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Lines,
    Insights,
    ErrorGroups,
}

/// The search box and what it found.
#[derive(Debug, Default)]
pub struct SearchState {
    /// What is being typed, while the box is open.
    pub input: Option<String>,
    pub mode: search::SearchMode,
    /// The query the matches are for.
    pub query: Query,
    pub matcher: Option<Matcher>,
    /// Matching lines, in order.
    pub matches: Vec<i64>,
    /// A scan is running for `query`.
    pub running: bool,
    /// A bad regex, said inline.
    pub error: Option<String>,
    /// Show only matching lines (else highlight them among the rest).
    pub only: bool,
    /// Bumped by every new query; a scan for an older one stops.
    pub generation: Arc<AtomicU64>,
}

impl PartialEq for SearchState {
    fn eq(&self, o: &Self) -> bool {
        self.input == o.input
            && self.mode == o.mode
            && self.query == o.query
            && self.matches == o.matches
            && self.running == o.running
            && self.error == o.error
            && self.only == o.only
    }
}

/// Older pages above what is loaded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// The next older page's token; `None` when the window's start is reached.
    pub token: Option<String>,
    pub loading: bool,
    /// The first page has arrived.
    pub loaded: bool,
    pub error: Option<SourceError>,
    /// Older pages were not loaded because the buffer is full.
    pub full: bool,
}

/// How the tail is doing, for the header.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TailInfo {
    pub mode: Option<TailMode>,
    pub sampled: bool,
    /// Events the console had to drop under backpressure.
    pub dropped: u64,
    pub interrupted: Option<String>,
    pub ended: Option<String>,
    /// (when delivered, how many), for events per second.
    pub recent: VecDeque<(EpochMs, usize)>,
    /// Newest event time delivered, and when.
    pub newest: Option<(EpochMs, EpochMs)>,
    /// How late the newest event of the last delivery arrived (its arrival minus its time).
    pub lag: Option<EpochMs>,
    /// Spans not fetched.
    pub gaps: u32,
    /// Groups that cannot be read, and why (a function never invoked has no group yet).
    pub unreadable: std::collections::BTreeMap<String, String>,
    /// Stopped while another screen covers this one; taken up again when it is uncovered.
    pub paused: bool,
}

/// A tail with nothing for this long is called quiet rather than late.
pub const QUIET_AFTER_MS: EpochMs = 10_000;

impl TailInfo {
    /// Events per second over the last ten seconds.
    pub fn rate(&self, now: EpochMs) -> f64 {
        let n: usize = self
            .recent
            .iter()
            .filter(|(t, _)| now - t <= 10_000)
            .map(|(_, n)| n)
            .sum();
        n as f64 / 10.0
    }
}

#[derive(Debug, PartialEq)]
pub struct LogsScreen {
    pub id: ScreenId,
    pub place: LogsPlace,
    /// The functions shown (every function when the place named none), and their groups.
    pub functions: Vec<String>,
    pub groups: Vec<String>,
    /// The window at open; the tail runs when it reaches the present.
    pub window: TimeWindow,
    pub live: bool,
    /// A CloudWatch filter pattern for the fetch and the tail (`:filter`).
    pub server_filter: String,
    pub buffer: LogBuffer,
    pub rows: VecDeque<Row>,
    /// Row under the cursor, first row on screen.
    pub cursor: usize,
    pub top: usize,
    pub following: bool,
    /// One row per invocation (else every line).
    pub folded: bool,
    pub expanded: HashSet<u32>,
    /// Lines shown whole (stack traces, pretty JSON).
    pub open_lines: HashSet<i64>,
    pub wrap: bool,
    pub stamps: Stamps,
    /// Lines below this level are hidden.
    pub level: Option<Level>,
    pub errors_only: bool,
    /// Only these invocations (an error group's).
    pub only_invs: Option<(String, HashSet<u32>)>,
    pub search: SearchState,
    pub history: History,
    pub tail: TailInfo,
    pub mode: Mode,
    pub insights: InsightsState,
    pub error_groups: ErrorGroups,
    /// An invocation to open on (from a trace): found when its lines arrive.
    pub pending_invocation: Option<String>,
    /// Body rows at the last draw size.
    pub height: usize,
}

/// Keys only this screen knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogsAction {
    NextMatch,
    PrevMatch,
    SearchMode,
    MatchesOnly,
    Stamps,
    Wrap,
    Fold,
    ErrorsOnly,
    Level,
    NextError,
    NextTimeout,
    NextOom,
    NextCold,
    Copy,
    CopyRaw,
    Save,
    OpenTrace,
    Insights,
    SearchToInsights,
    ErrorGroups,
    SortColumn,
}

#[derive(Debug, PartialEq)]
pub enum LogsMsg {
    /// A page of history (the first, or an older one).
    Page {
        older: bool,
        result: Result<LogPage, SourceError>,
    },
    Tail(Delivery<TailUpdate>),
    /// A search scan finished.
    Searched {
        query: Query,
        found: Found,
    },
    Insights(Delivery<InsightsUpdate>),
    /// A save finished: the path written, or why not.
    Saved(Result<String, String>),
}
