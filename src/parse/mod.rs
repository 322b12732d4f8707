//! Pure parsers for what AWS sends and what users type: Lambda platform lines, JSON logs,
//! X-Ray segment documents, terminal-safe text, CloudWatch filter patterns and X-Ray filter
//! expressions. No I/O.

pub mod filter_pattern;
pub mod insights;
pub mod lambda;
pub mod sanitize;
pub mod trace_filter;
pub mod xray;
