//! Terminal UI pieces.
pub mod svg;
