//! lambdascope: a terminal console for AWS serverless apps — Lambda health, CloudWatch logs
//! and metrics, and X-Ray traces of one incident in one place.
//!
//! Data moves one way: terminal events → `keymap` → `Action`; source results → `Msg`;
//! `app::update(&mut State, Msg) -> Vec<Cmd>`; workers run Cmds against a `Source`;
//! `ui::draw(&State)` only reads.

pub mod app;
pub mod cli;
pub mod keymap;
pub mod parse;
pub mod source;
pub mod state;
pub mod theme;
pub mod ui;
