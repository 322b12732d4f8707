//! The console without a terminal: `update` driven by actions and messages, each screen's keys,
//! states and snapshots, the themes, and hostile text on every screen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod alarms;
mod dashboard;
mod flow;
mod hostile;
mod keys;
mod logs;
mod logs_hostile;
mod logs_snapshots;
mod snapshots;
mod themes;
mod traces;
mod traces_snapshots;
