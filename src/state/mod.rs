//! Plain data the screens draw from. No I/O, no ratatui: `app::update` is the only writer.

pub mod functions;
pub mod window;

use crate::source::{EpochMs, Function, MetricSeries, SourceError, SourceHealth, SourceInfo};
pub use functions::{Column, FunctionStats, FunctionsState};
pub use window::WindowChoice;

/// Every panel's data is in one of these four states, and every panel draws all four.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Loadable<T> {
    #[default]
    Idle,
    Loading,
    Loaded(T),
    Failed(SourceError),
}

impl<T> Loadable<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Loadable::Loaded(t) => Some(t),
            _ => None,
        }
    }
    pub fn is_loading(&self) -> bool {
        matches!(self, Loadable::Loading)
    }
}

impl<T> From<Result<T, SourceError>> for Loadable<T> {
    fn from(r: Result<T, SourceError>) -> Self {
        match r {
            Ok(t) => Loadable::Loaded(t),
            Err(e) => Loadable::Failed(e),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Functions,
    Function,
}

/// What is drawn on top of the current screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// The `:` command palette with what has been typed.
    Palette(String),
    /// `:usage`: the source's calls and estimated cost.
    Usage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub level: Level,
    pub at: EpochMs,
}

/// The detail screen of one function: its configuration and charts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DetailState {
    pub name: String,
    pub config: Loadable<Function>,
    pub charts: Loadable<Vec<MetricSeries>>,
    /// Which panel has focus (`tab` cycles).
    pub panel: usize,
    pub generation: u64,
}

impl DetailState {
    pub const PANELS: usize = 2;
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub source: SourceInfo,
    pub health: SourceHealth,
    pub now: EpochMs,
    pub window: WindowChoice,
    /// The screen stack; `esc` pops.
    pub screens: Vec<Screen>,
    pub functions: FunctionsState,
    pub detail: DetailState,
    pub overlay: Option<Overlay>,
    /// `Some` while the `/` filter box is being typed in.
    pub filter_input: Option<String>,
    pub status: Option<StatusMessage>,
    pub theme: String,
    /// Themes that can be chosen with `:theme`.
    pub themes: Vec<String>,
    /// Terminal size, for paging and for fetching only what is visible.
    pub size: (u16, u16),
    /// Animation frame of the loading spinner.
    pub frame: u64,
    /// A source switch (`:profile`, `:region`) in progress.
    pub switching: Option<String>,
    pub quit: bool,
}

impl State {
    pub fn new(source: SourceInfo, now: EpochMs, theme: &str, themes: Vec<String>) -> State {
        State {
            source,
            health: SourceHealth::default(),
            now,
            window: WindowChoice::default(),
            screens: vec![Screen::Functions],
            functions: FunctionsState::default(),
            detail: DetailState::default(),
            overlay: None,
            filter_input: None,
            status: None,
            theme: theme.to_string(),
            themes,
            size: (80, 24),
            frame: 0,
            switching: None,
            quit: false,
        }
    }

    pub fn screen(&self) -> Screen {
        self.screens.last().copied().unwrap_or(Screen::Functions)
    }

    pub fn is_busy(&self) -> bool {
        self.functions.list.is_loading()
            || self.functions.stats_loading
            || self.detail.config.is_loading()
            || self.detail.charts.is_loading()
            || self.switching.is_some()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(StatusMessage {
            text: text.into(),
            level: Level::Info,
            at: self.now,
        });
    }
    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(StatusMessage {
            text: text.into(),
            level: Level::Error,
            at: self.now,
        });
    }
}
