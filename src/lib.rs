//! lambdascope: a terminal console for AWS serverless apps — Lambda health, CloudWatch logs
//! and metrics, and X-Ray traces of one incident in one place.
//!
//! Data moves one way: terminal events → keymaps → `Action`; source answers → `Msg`;
//! `app::update(&mut State, Msg) -> Vec<Cmd>`; the runtime runs Cmds against a `Source`;
//! the view only reads State.
//!
//! Who imports whom: `domain` imports nothing of ours; `parse` only `domain`; `source` `domain`
//! and `parse`; `model` `domain` and `parse`; `ui` `domain`; a screen `domain`, `model`, `ui` and `app`'s
//! message types; `cli` `source` (the seam), `model`, `domain` and `ui::format`; `app` the
//! screens through its router.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod cli;
pub mod domain;
pub mod model;
pub mod parse;
pub mod screens;
pub mod source;
pub mod ui;
