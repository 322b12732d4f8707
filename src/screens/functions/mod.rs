//! The home screen: every function with its health over the window, failing ones first.

mod keys;
pub mod state;
mod update;
pub mod view;

pub use state::{Column, FunctionsScreen, matched_chars};

/// Keys only this screen knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionsAction {
    SortNext,
    SortReverse,
    /// The account overview.
    Overview,
    /// The selected function's X-Ray traces.
    Traces,
    /// Pick the selected function (or drop it) for the logs screen.
    Mark,
    /// The logs of the picked functions, or of the selected one.
    Logs,
}

/// The functions screen has no messages of its own: its data is the shared catalog's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionsMsg {}
