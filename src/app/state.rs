//! Plain data the screens draw from. No I/O, no ratatui: `update` is the only writer.
//!
//! [`State`] is what every screen shares ([`Ctx`]) plus the stack of open screens and an
//! overlay on top.

use super::catalog::Catalog;
use super::jobs::ScreenId;
use super::policy::RefreshPolicy;
use super::router::{Nav, Place, ScreenKind, ScreenState};
use crate::domain::{EpochMs, SourceError, SourceHealth, SourceInfo, TimeWindow, WindowChoice};
use crate::source::demo::Fault;

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

/// A message in the status line. It fades after a while: what is still wrong is shown from the
/// state itself (stale data, a failed list), never from a message that outlives its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub level: Level,
    pub at: EpochMs,
}

impl StatusMessage {
    /// How long a message stays: errors a little longer, so they can be read.
    pub fn lasts_ms(&self) -> EpochMs {
        match self.level {
            Level::Error => 15_000,
            _ => 8_000,
        }
    }
    pub fn fresh(&self, now: EpochMs) -> bool {
        now - self.at < self.lasts_ms()
    }
}

/// What every screen shares: the source, the clock, the window, the account's functions.
#[derive(Debug, PartialEq)]
pub struct Ctx {
    pub source: SourceInfo,
    pub health: SourceHealth,
    pub now: EpochMs,
    pub window: WindowChoice,
    /// The incident window: a span the user marked on a chart. While set, every screen looks
    /// at it instead of the last `window`.
    pub incident: Option<TimeWindow>,
    pub catalog: Catalog,
    pub policy: RefreshPolicy,
    pub status: Option<StatusMessage>,
    pub theme: String,
    /// Themes that can be chosen with `:theme`.
    pub themes: Vec<String>,
    /// Terminal size, for paging and for fetching only what is visible.
    pub size: (u16, u16),
    /// Draw charts with ASCII markers: `--ascii`, or a terminal that cannot show braille.
    pub ascii: bool,
    /// Animation frame of the loading spinner.
    pub frame: u64,
    /// A source switch (`:profile`, `:region`) in progress.
    pub switching: Option<String>,
    /// Moves through the screen stack asked for during this update.
    pub nav: Vec<Nav>,
    /// The byte budget every log buffer shares.
    pub log_memory: std::sync::Arc<crate::domain::LogMemory>,
    next_screen: u64,
}

impl Ctx {
    pub fn info(&mut self, text: impl Into<String>) {
        self.message(Level::Info, text);
    }
    pub fn error(&mut self, text: impl Into<String>) {
        self.message(Level::Error, text);
    }
    fn message(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(StatusMessage {
            text: text.into(),
            level,
            at: self.now,
        });
    }
    /// The window every screen looks at: the incident window when one is marked, else the
    /// chosen span ending at the last complete minute.
    pub fn focus(&self) -> TimeWindow {
        self.incident
            .unwrap_or_else(|| self.window.window(self.now))
    }
    /// The window's length in words, for messages and empty panels: "the last 1h", or the
    /// incident window's times.
    pub fn focus_label(&self) -> String {
        match self.incident {
            Some(w) => format!("the incident window {}", crate::ui::format::span(w)),
            None => format!("the last {}", self.window.label()),
        }
    }
    /// Opens a screen on top of this one.
    pub fn go(&mut self, place: Place) {
        self.nav.push(Nav::Open(place));
    }
    /// Closes this screen.
    pub fn back(&mut self) {
        self.nav.push(Nav::Back);
    }
    /// A fresh id for a screen being opened.
    pub fn new_screen_id(&mut self) -> ScreenId {
        self.next_screen += 1;
        ScreenId(self.next_screen)
    }
    /// Rows a full-height table shows at this terminal size (header, column titles, two
    /// footer lines).
    pub fn table_rows(&self) -> usize {
        usize::from(self.size.1.saturating_sub(4)).max(1)
    }
}

#[derive(Debug, PartialEq)]
pub struct State {
    pub ctx: Ctx,
    /// The screen stack; `esc` pops, the bottom one stays.
    pub stack: Vec<(ScreenId, ScreenState)>,
    pub overlay: Option<Overlay>,
    pub quit: bool,
    /// A fault to inject, from the demo account (tests of the console's robustness).
    pub fault: Option<Fault>,
}

impl State {
    pub fn new(source: SourceInfo, now: EpochMs, theme: &str, themes: Vec<String>) -> State {
        let policy = RefreshPolicy::for_source(&source);
        let mut ctx = Ctx {
            source,
            health: SourceHealth::default(),
            now,
            window: WindowChoice::default(),
            incident: None,
            catalog: Catalog::default(),
            policy,
            status: None,
            theme: theme.to_string(),
            themes,
            size: (80, 24),
            ascii: false,
            frame: 0,
            switching: None,
            nav: Vec::new(),
            log_memory: crate::domain::LogMemory::new(crate::domain::DEFAULT_LOG_MEMORY),
            next_screen: 0,
        };
        let home = super::router::home(&mut ctx);
        State {
            ctx,
            stack: vec![home],
            overlay: None,
            quit: false,
            fault: None,
        }
    }

    /// The screen on top.
    pub fn top(&self) -> &ScreenState {
        // The stack is never empty: the home screen cannot be popped.
        &self.stack[self.stack.len() - 1].1
    }

    pub fn screen(&self) -> ScreenKind {
        self.top().kind()
    }

    /// The topmost open screen of a kind, for tests and cross-screen views.
    pub fn find(&self, kind: ScreenKind) -> Option<&ScreenState> {
        self.stack
            .iter()
            .rev()
            .map(|(_, s)| s)
            .find(|s| s.kind() == kind)
    }

    /// The topmost open screen of type `T`.
    pub fn screen_of<T: 'static>(&self) -> Option<&T> {
        self.stack.iter().rev().find_map(|(_, s)| s.get::<T>())
    }

    pub fn is_busy(&self) -> bool {
        self.ctx.catalog.is_busy() || self.ctx.switching.is_some() || self.top().base().is_busy()
    }

    /// Whether keys go to a text input (a screen's filter box or the palette).
    pub fn typing(&self) -> bool {
        matches!(self.overlay, Some(Overlay::Palette(_)))
            || (self.overlay.is_none() && self.top().base().input().is_some())
    }
}
