//! The real binary as a person uses it: the console under tmux, and the scriptable commands.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod console;
mod dashboard;
mod logs;
mod traces;
