//! One folder per screen, each with its own state, update, keys and view. The router in
//! `app::router` lists them.

pub mod dashboard;
pub mod functions;
pub mod logs;
