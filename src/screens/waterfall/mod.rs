//! One trace as a waterfall: every segment and subsegment in one tree, bars on the trace's
//! time scale, the critical path with each span's self-time, a detail pane for the selected
//! span, and a comparison with a warm trace of the same route.

pub mod compare;
mod keys;
mod update;
pub mod view;

pub use compare::{Compare, CompareStatus, Comparison};

use crate::app::jobs::ScreenId;
use crate::app::state::Loadable;
use crate::domain::{SourceError, Trace, TraceSummary, Waterfall};

/// Which pane `j`/`k` move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Tree,
    Detail,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallScreen {
    pub id: ScreenId,
    pub trace_id: String,
    pub trace: Loadable<Box<Waterfall>>,
    /// Per span: its subtree is hidden.
    pub folded: Vec<bool>,
    /// The spans shown, in order (what folding leaves).
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    pub offset: usize,
    pub pane: Pane,
    pub detail_scroll: usize,
    pub compare: Option<Compare>,
    /// Cells the widest name (with its tree guides) needs.
    pub name_width: u16,
}

impl WaterfallScreen {
    pub fn new(id: ScreenId, trace_id: String) -> WaterfallScreen {
        WaterfallScreen {
            id,
            trace_id,
            trace: Loadable::Idle,
            folded: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            pane: Pane::Tree,
            detail_scroll: 0,
            compare: None,
            name_width: 24,
        }
    }

    pub fn waterfall(&self) -> Option<&Waterfall> {
        self.trace.loaded().map(|w| &**w)
    }

    /// The index of the selected span.
    pub fn span(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }
}

/// Keys only this screen knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaterfallAction {
    Slowest,
    NextError,
    PrevError,
    NextCritical,
    PrevCritical,
    Compare,
    Logs,
    FoldAll,
}

#[derive(Debug, PartialEq)]
pub enum WaterfallMsg {
    Trace(Result<Vec<Trace>, SourceError>),
    /// Candidates for the comparison: recent successful traces of the same route.
    Candidates(Result<Vec<TraceSummary>, SourceError>),
    /// Whole traces of some candidates.
    CandidateTraces(Result<Vec<Trace>, SourceError>),
}
