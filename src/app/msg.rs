//! What flows through the loop: Actions (from keys), Msgs (from anywhere), Cmds (to workers).

use crate::source::{
    EpochMs, Function, MetricRequest, MetricSeries, SourceError, SourceHealth, SourceInfo,
    TimeWindow,
};

/// What a key means on the current screen (see `keymap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Enter,
    Back,
    Filter,
    Palette,
    Help,
    Quit,
    SortNext,
    SortReverse,
    WindowWider,
    WindowNarrower,
    Refresh,
    NextPanel,
    /// Text typed into the filter box or the palette.
    Input(char),
    InputBackspace,
    InputClear,
    InputSubmit,
    InputCancel,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Action(Action),
    Resize(u16, u16),
    /// The slow tick: the clock, and what the source now knows of itself (health, account).
    Tick {
        now: EpochMs,
        health: SourceHealth,
        info: SourceInfo,
    },
    Functions(Result<Vec<Function>, SourceError>),
    Stats {
        generation: u64,
        window: TimeWindow,
        names: Vec<String>,
        result: Result<StatsSeries, SourceError>,
    },
    Detail {
        generation: u64,
        result: Result<Function, SourceError>,
    },
    Charts {
        generation: u64,
        result: Result<Vec<MetricSeries>, SourceError>,
    },
    /// A `:profile`/`:region` switch finished.
    Switched(Result<SourceInfo, SourceError>),
    /// The runtime applied (or could not apply) a theme.
    Theme(Result<String, String>),
}

/// The two answers behind the functions table: per-period invocations, and window totals.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsSeries {
    pub trend: Vec<MetricSeries>,
    pub totals: Vec<MetricSeries>,
}

/// Work for the runtime: source calls (run by workers) and terminal-side effects.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    LoadFunctions,
    LoadStats {
        generation: u64,
        window: TimeWindow,
        names: Vec<String>,
        trend: MetricRequest,
        totals: MetricRequest,
    },
    LoadDetail {
        generation: u64,
        name: String,
    },
    LoadCharts {
        generation: u64,
        request: MetricRequest,
    },
    SwitchSource {
        profile: Option<String>,
        region: Option<String>,
    },
    SetTheme(String),
}

impl Cmd {
    /// Commands of one kind replace each other: the newest wins, the older is aborted.
    pub fn kind(&self) -> &'static str {
        match self {
            Cmd::LoadFunctions => "functions",
            Cmd::LoadStats { .. } => "stats",
            Cmd::LoadDetail { .. } => "detail",
            Cmd::LoadCharts { .. } => "charts",
            Cmd::SwitchSource { .. } => "switch",
            Cmd::SetTheme(_) => "theme",
        }
    }
}
