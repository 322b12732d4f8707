//! The service map: X-Ray's service graph for the window, laid out left to right, with each
//! node's requests, error and fault shares and average latency, and each edge's calls.
//! Selecting a node opens its traces.

mod keys;
pub mod layout;
mod update;
pub mod view;

pub use layout::Layout;

use crate::app::jobs::ScreenId;
use crate::app::state::Loadable;
use crate::domain::{ServiceGraph, SourceError, TimeWindow};

#[derive(Debug, Clone, PartialEq)]
pub struct MapScreen {
    pub id: ScreenId,
    pub graph: Loadable<ServiceGraph>,
    /// The window the graph is for.
    pub window: Option<TimeWindow>,
    pub layout: Layout,
    /// Each Lambda service node folded into its function node (narrow terminals).
    pub collapsed: bool,
    /// Index into the layout's places.
    pub selected: usize,
    /// First slot and column in view.
    pub top: usize,
    /// Cells scrolled off on the left.
    pub left: u16,
}

impl MapScreen {
    pub fn new(id: ScreenId, collapsed: bool) -> MapScreen {
        MapScreen {
            id,
            graph: Loadable::Idle,
            window: None,
            layout: Layout::default(),
            collapsed,
            selected: 0,
            top: 0,
            left: 0,
        }
    }
}

/// Keys only this screen knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapAction {
    /// Fold Lambda service nodes into their functions, or show both.
    Collapse,
}

#[derive(Debug, PartialEq)]
pub enum MapMsg {
    Graph {
        window: TimeWindow,
        result: Result<ServiceGraph, SourceError>,
    },
}
