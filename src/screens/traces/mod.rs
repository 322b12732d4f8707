//! The trace list: X-Ray trace summaries over the window everyone looks at (`ctx.focus()`),
//! narrowed by an X-Ray filter expression (run by X-Ray, or by the demo the same way), sorted by
//! any column and searched fuzzily on screen.
//!
//! A long window is scanned a page at a time, each page a job of its own, so the screen shows
//! how far it got and closing it (or asking for something else) stops the scan.

mod keys;
pub mod state;
mod update;
pub mod view;

pub use state::{Column, Scan, TracesScreen};

use crate::domain::{SourceError, Trace, TracePage, TraceQuery};

/// Keys only this screen knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TracesAction {
    /// Edit the X-Ray filter expression.
    Expression,
    SortNext,
    SortReverse,
}

#[derive(Debug, PartialEq)]
pub enum TracesMsg {
    /// A page of the scan of `query`.
    Page {
        query: TraceQuery,
        result: Result<TracePage, SourceError>,
    },
    /// Whole traces of rows in view (`ids`): their cold-start flags.
    Rows {
        ids: Vec<String>,
        result: Result<Vec<Trace>, SourceError>,
    },
}
