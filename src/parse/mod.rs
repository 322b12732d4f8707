//! Pure parsers for what AWS sends: Lambda platform lines, JSON logs, X-Ray documents.
pub mod xray;
