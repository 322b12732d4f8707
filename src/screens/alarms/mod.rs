//! CloudWatch alarms: metric and composite, ALARM first, what each watches, since when and why.

mod keys;
pub mod state;
mod update;
pub mod view;

pub use state::{AlarmsScreen, SortKey};

use crate::domain::{Alarm, SourceError};

/// Keys only this screen knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmsAction {
    SortNext,
    SortReverse,
}

#[derive(Debug, PartialEq)]
pub enum AlarmsMsg {
    Alarms(Result<Vec<Alarm>, SourceError>),
}
