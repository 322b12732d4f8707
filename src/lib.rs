//! lambdascope: a terminal console for AWS serverless apps.
pub mod parse;
pub mod source;
pub mod ui;
