//! Pure parsers for what AWS sends and what users type: Lambda platform lines, JSON logs,
//! X-Ray segment documents, terminal-safe text, CloudWatch filter patterns and X-Ray filter
//! expressions. No I/O.

pub mod filter_pattern;
pub mod insights;
pub mod lambda;
pub mod sanitize;
pub mod trace_filter;
pub mod xray;

/// How deep the filter languages may nest brackets: far beyond any real query, far below what
/// would exhaust the stack of a recursive reader.
pub const MAX_NESTING: usize = 64;

fn nested_too_deep() -> String {
    format!("nested too deep (more than {MAX_NESTING} levels)")
}

/// Input quoted in an error message, cut short: a pasted megabyte is not worth repeating.
fn quoted_excerpt(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((at, _)) => format!("{:?}…", &s[..at]),
        None => format!("{s:?}"),
    }
}
