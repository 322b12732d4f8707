//! One file per screen.
pub mod detail;
pub mod functions;
