//! One folder per screen, each with its own state, update, keys and view. The router in
//! `app::router` lists them.

pub mod alarms;
pub mod dashboard;
pub mod functions;
pub mod logs;
pub mod map;
pub mod overview;
pub mod traces;
pub mod waterfall;
