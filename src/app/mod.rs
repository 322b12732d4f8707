//! The event loop and the Elm-style core: Msg → update(State) → Cmd → runtime → Msg.
//!
//! - [`update`] is the only writer of [`state::State`]; the [`router`] hands each screen its
//!   actions and messages.
//! - [`jobs`] describes work as data; the [`runner`] runs it for the [`runtime`] (the
//!   terminal loop), or [`driver`] without a terminal; [`worker`] makes the Source calls.
//! - [`catalog`] is the account's function list and health, shared by every screen.
//! - [`files`] writes what the user saves: private, never over an existing file.
//! - [`view`] draws the frame around the screen on top: header, status line, footer, overlays.

pub mod catalog;
pub mod commands;
pub mod driver;
pub mod files;
pub mod filter;
pub mod jobs;
pub mod keys;
pub mod msg;
pub mod policy;
pub mod router;
pub mod runner;
pub mod runtime;
pub mod state;
pub mod update;
pub mod view;
pub mod worker;

pub use msg::{Action, Cmd, Msg};
pub use state::{Ctx, Loadable, State};
pub use update::{start, update};
