//! The product's logic that every consumer shares: the log store and the invocation fold,
//! error fingerprints, the dashboard's chart declarations and the overview's ranking. Screens
//! and the CLI both call these, so a rule is written once. Imports only `domain` and `parse`.

pub mod charts;
pub mod errors;
pub mod logs;
pub mod overview;
