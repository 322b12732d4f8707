//! Search over what is loaded: fuzzy, regex or exact, smart case, highlighted, narrowed.
//!
//! A scan runs over the buffer's segments, not line by line through a `String`: exact and
//! regex queries run over a segment's whole text at once (a `0xFF` between lines keeps a
//! match inside one line) and each hit is mapped to its line, so a rare term costs about what
//! reading the bytes costs. Fuzzy queries keep a line when the query's characters appear in it
//! in order (nucleo-matcher decides; an ASCII subsequence check skips most lines before it is
//! asked). The scan splits over two threads, and stops early when a newer query is typed.
//!
//! Narrowing: a query that can only match a subset of what the previous one matched (typing
//! more of an exact or fuzzy query) re-checks only the previous matches.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use memchr::memmem;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher as Nucleo, Utf32Str};
use regex::bytes::{Regex, RegexBuilder};

use crate::model::logs::{LogBuffer, SEPARATOR, Segment};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum SearchMode {
    #[default]
    Fuzzy,
    Regex,
    Exact,
}

impl SearchMode {
    pub fn next(self) -> SearchMode {
        match self {
            SearchMode::Fuzzy => SearchMode::Regex,
            SearchMode::Regex => SearchMode::Exact,
            SearchMode::Exact => SearchMode::Fuzzy,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SearchMode::Fuzzy => "fuzzy",
            SearchMode::Regex => "regex",
            SearchMode::Exact => "exact",
        }
    }
}

/// Smart case: a query with an upper-case letter is case-sensitive.
pub fn case_sensitive(query: &str) -> bool {
    query.chars().any(char::is_uppercase)
}

/// A compiled query.
#[derive(Clone, Debug)]
pub enum Matcher {
    /// Case-sensitive literal (boxed: the finder is large and matchers are moved about).
    Exact(Box<memmem::Finder<'static>>),
    /// Regexes, and case-insensitive literals (the regex engine's literal search is fast).
    Regex(Regex),
    /// Query characters in order.
    Fuzzy {
        query: String,
        /// Lower-cased query bytes when the query is ASCII and case-insensitive; the exact
        /// bytes when case-sensitive ASCII; `None` otherwise (nucleo alone decides).
        ascii: Option<Vec<u8>>,
        sensitive: bool,
    },
}

impl Matcher {
    /// Compiles `query`; a bad regex is an error with the engine's own words.
    pub fn new(mode: SearchMode, query: &str) -> Result<Matcher, String> {
        let sensitive = case_sensitive(query);
        match mode {
            SearchMode::Exact if sensitive => Ok(Matcher::Exact(Box::new(
                memmem::Finder::new(query.as_bytes()).into_owned(),
            ))),
            SearchMode::Exact => regex(&regex::escape(query), false).map(Matcher::Regex),
            SearchMode::Regex => regex(query, sensitive).map(Matcher::Regex),
            SearchMode::Fuzzy => Ok(Matcher::Fuzzy {
                query: query.to_string(),
                ascii: query.is_ascii().then(|| {
                    let q: Vec<u8> = query.bytes().filter(|b| *b != b' ').collect();
                    if sensitive { q } else { q.to_ascii_lowercase() }
                }),
                sensitive,
            }),
        }
    }

    /// Whether one line's text matches.
    pub fn is_match(&self, text: &[u8], fuzzy: &mut Fuzzy) -> bool {
        match self {
            Matcher::Exact(f) => f.find(text).is_some(),
            Matcher::Regex(r) => r.is_match(text),
            Matcher::Fuzzy {
                query,
                ascii,
                sensitive,
            } => {
                if let Some(q) = ascii
                    && !subsequence(q, text, *sensitive)
                {
                    return false;
                }
                if ascii.is_some() && text.is_ascii() {
                    // For ASCII text the subsequence check is the match.
                    return true;
                }
                fuzzy.matches(query, text)
            }
        }
    }

    /// Byte ranges to highlight in `text`.
    pub fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        match self {
            Matcher::Exact(f) => {
                let n = f.needle().len().max(1);
                f.find_iter(text.as_bytes()).map(|i| (i, i + n)).collect()
            }
            Matcher::Regex(r) => r
                .find_iter(text.as_bytes())
                .filter(|m| m.end() > m.start())
                .map(|m| (m.start(), m.end()))
                .collect(),
            Matcher::Fuzzy { query, .. } => Fuzzy::default().indices(query, text),
        }
    }

    /// Lines matching in one segment, from line index `from`.
    fn scan_segment(&self, seg: &Segment, from: usize, fuzzy: &mut Fuzzy, out: &mut Vec<i64>) {
        let lines = &seg.lines[from.min(seg.lines.len())..];
        let Some(first) = lines.first() else { return };
        let mut at = first.start as usize;
        let line_at = |offset: usize| lines.partition_point(|l| (l.start as usize) <= offset) - 1;
        match self {
            // Whole-text scans: find a hit, take its line, go on after it.
            Matcher::Exact(_) | Matcher::Regex(_) => {
                while at < seg.text.len() {
                    let hit = match self {
                        Matcher::Exact(f) => f.find(&seg.text[at..]).map(|i| at + i),
                        // Only the line matters: the shortest match's end is enough and spares
                        // the engine finding where the leftmost match starts and ends.
                        Matcher::Regex(r) => r
                            .shortest_match_at(&seg.text, at)
                            .map(|end| if end > at { end - 1 } else { end }),
                        Matcher::Fuzzy { .. } => None,
                    };
                    let Some(hit) = hit else { break };
                    let i = line_at(hit);
                    let l = &lines[i];
                    if seg.text.get(hit) == Some(&SEPARATOR) {
                        // An empty regex match on a separator: not a line's.
                        at = hit + 1;
                        continue;
                    }
                    out.push(seg.base + (from + i) as i64);
                    at = (l.start + l.len) as usize + 1;
                }
            }
            Matcher::Fuzzy { .. } => {
                for (i, l) in lines.iter().enumerate() {
                    if self.is_match(seg.text_of(l), fuzzy) {
                        out.push(seg.base + (from + i) as i64);
                    }
                }
            }
        }
    }
}

fn regex(pattern: &str, sensitive: bool) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(!sensitive)
        // `^` and `$` anchor at each line, which the separator ends, not at a segment's ends.
        .multi_line(true)
        .line_terminator(SEPARATOR)
        // A line's `\n` is text like any other, so `.` matches it (the separator is no
        // character, so `.` never does); the engine also requires this of a non-ASCII
        // terminator.
        .dot_matches_new_line(true)
        .size_limit(8 << 20)
        .build()
        .map_err(|e| {
            // The engine's message spans lines; the first says what is wrong.
            let text = e.to_string();
            let last = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid regex");
            last.trim_start_matches("error: ").to_string()
        })
}

/// The query's bytes in order in `text`, ASCII case folded unless `sensitive`.
fn subsequence(q: &[u8], text: &[u8], sensitive: bool) -> bool {
    let mut rest = text;
    for &b in q {
        let found = if sensitive || !b.is_ascii_alphabetic() {
            memchr::memchr(b, rest)
        } else {
            memchr::memchr2(b, b.to_ascii_uppercase(), rest)
        };
        match found {
            Some(i) => rest = &rest[i + 1..],
            None => return false,
        }
    }
    true
}

/// nucleo-matcher, with its scratch space.
pub struct Fuzzy {
    matcher: Nucleo,
    chars: Vec<char>,
}

impl Default for Fuzzy {
    fn default() -> Self {
        Fuzzy {
            matcher: Nucleo::new(Config::DEFAULT),
            chars: Vec::new(),
        }
    }
}

impl Fuzzy {
    fn pattern(query: &str) -> Pattern {
        Pattern::new(
            query,
            CaseMatching::Smart,
            Normalization::Never,
            AtomKind::Fuzzy,
        )
    }
    pub fn matches(&mut self, query: &str, text: &[u8]) -> bool {
        let text = String::from_utf8_lossy(text);
        let hay = Utf32Str::new(&text, &mut self.chars);
        Self::pattern(query).score(hay, &mut self.matcher).is_some()
    }
    /// Byte ranges of the characters matched, one per character.
    pub fn indices(&mut self, query: &str, text: &str) -> Vec<(usize, usize)> {
        let hay = Utf32Str::new(text, &mut self.chars);
        let mut idx = Vec::new();
        if Self::pattern(query)
            .indices(hay, &mut self.matcher, &mut idx)
            .is_none()
        {
            return vec![];
        }
        idx.sort_unstable();
        idx.dedup();
        let starts: Vec<(usize, char)> = text.char_indices().collect();
        idx.into_iter()
            .filter_map(|i| starts.get(i as usize))
            .map(|&(b, c)| (b, b + c.len_utf8()))
            .collect()
    }
}

/// A query as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub mode: SearchMode,
    pub text: String,
}

impl Query {
    /// Whether this query can only match lines that `prev` matched.
    pub fn narrows(&self, prev: &Query) -> bool {
        if self.mode != prev.mode || prev.text.is_empty() {
            return false;
        }
        // Smart case: gaining an upper-case letter only narrows; losing one widens.
        if case_sensitive(&prev.text) && !case_sensitive(&self.text) {
            return false;
        }
        // Compare as the previous query matched: case-blind unless it was case-sensitive.
        let fold = |s: &str| {
            if case_sensitive(&prev.text) {
                s.to_string()
            } else {
                s.to_lowercase()
            }
        };
        let (new, old) = (fold(&self.text), fold(&prev.text));
        match self.mode {
            SearchMode::Exact => new.contains(&old),
            SearchMode::Fuzzy => {
                let mut it = new.chars();
                old.chars()
                    .filter(|c| *c != ' ')
                    .all(|c| it.any(|n| n == c))
            }
            SearchMode::Regex => false,
        }
    }
}

/// What a scan found: matching lines in order, and which lines it looked at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Found {
    pub matches: Vec<i64>,
    /// Lines `scanned.0..scanned.1` were looked at.
    pub scanned: (i64, i64),
    /// A newer query took over before the scan was done.
    pub cancelled: bool,
}

/// Scans every line of a snapshot on two threads; gives up when `generation` moves on.
pub fn scan(
    segments: &[Arc<Segment>],
    matcher: &Matcher,
    generation: &AtomicU64,
    mine: u64,
) -> Found {
    let scanned = match (segments.first(), segments.last()) {
        (Some(a), Some(b)) => (a.base + a.skip as i64, b.base + b.lines.len() as i64),
        _ => (0, 0),
    };
    let half = segments.len().div_ceil(2);
    let (left, right) = segments.split_at(half);
    let run = |part: &[Arc<Segment>]| -> Option<Vec<i64>> {
        let mut out = Vec::new();
        let mut fuzzy = Fuzzy::default();
        for seg in part {
            if generation.load(Ordering::Relaxed) != mine {
                return None;
            }
            matcher.scan_segment(seg, seg.skip, &mut fuzzy, &mut out);
        }
        Some(out)
    };
    let (a, b) = std::thread::scope(|s| {
        let other = s.spawn(|| run(right));
        let a = run(left);
        (a, other.join().ok().flatten())
    });
    match (a, b) {
        (Some(mut a), Some(b)) => {
            a.extend(b);
            Found {
                matches: a,
                scanned,
                cancelled: false,
            }
        }
        _ => Found {
            scanned,
            cancelled: true,
            ..Found::default()
        },
    }
}

/// Re-checks only `previous` matches (a narrowing query).
pub fn narrow(buffer: &LogBuffer, previous: &[i64], matcher: &Matcher) -> Vec<i64> {
    let mut fuzzy = Fuzzy::default();
    previous
        .iter()
        .copied()
        .filter(|&seq| {
            buffer
                .line(seq)
                .is_some_and(|(_, text)| matcher.is_match(text, &mut fuzzy))
        })
        .collect()
}

/// Checks lines `from..to` of the buffer (new lines, an older page) one by one.
pub fn scan_range(buffer: &LogBuffer, from: i64, to: i64, matcher: &Matcher) -> Vec<i64> {
    let mut fuzzy = Fuzzy::default();
    buffer
        .range(from, to)
        .filter(|(_, l, t)| {
            l.kind != crate::model::logs::Kind::Gap && matcher.is_match(t, &mut fuzzy)
        })
        .map(|(s, _, _)| s)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LogEvent;
    use crate::model::logs::SEGMENT_LINES;

    fn buffer(lines: &[&str]) -> LogBuffer {
        let mut b = LogBuffer::new(lines.len().max(1000));
        let events: Vec<LogEvent> = lines
            .iter()
            .enumerate()
            .map(|(i, m)| LogEvent::new("g".into(), "s".into(), i as i64, 0, m.to_string()))
            .collect();
        b.append(&events);
        b
    }

    fn all(b: &LogBuffer, mode: SearchMode, q: &str) -> Vec<i64> {
        let m = Matcher::new(mode, q).unwrap();
        let g = AtomicU64::new(1);
        let found = scan(&b.snapshot(), &m, &g, 1);
        assert_eq!(found.matches, scan_range(b, b.first_seq(), b.end_seq(), &m));
        found.matches
    }

    #[test]
    fn three_modes_with_smart_case() {
        let b = buffer(&["Timeout in handler", "timeout again", "all good", "TIMEOUT"]);
        assert_eq!(all(&b, SearchMode::Exact, "timeout"), [0, 1, 3]);
        assert_eq!(all(&b, SearchMode::Exact, "Timeout"), [0]);
        assert_eq!(all(&b, SearchMode::Regex, "t[io]+meout a"), [1]);
        assert_eq!(all(&b, SearchMode::Fuzzy, "tmo"), [0, 1, 3]);
        assert_eq!(all(&b, SearchMode::Fuzzy, "agd"), [2]);
        assert!(Matcher::new(SearchMode::Regex, "(unclosed").is_err());
    }

    #[test]
    fn no_match_spans_two_lines() {
        let b = buffer(&["ends with ab", "cd starts"]);
        assert!(all(&b, SearchMode::Exact, "abcd").is_empty());
        assert!(all(&b, SearchMode::Regex, r"ab\s*cd").is_empty());
        assert!(all(&b, SearchMode::Regex, "ab.cd").is_empty());
        // An empty regex matches every line, not the separators.
        assert_eq!(all(&b, SearchMode::Regex, "x*"), [0, 1]);
    }

    #[test]
    fn anchors_hold_per_line_wherever_the_line_is() {
        let lines = ["abc", "xabc", "abcx"];
        // In the middle of the first segment, then at the start of the second.
        for before in [5, SEGMENT_LINES] {
            let mut text = vec!["filler"; before];
            text.extend(lines);
            text.extend(["filler"; 5]);
            let b = buffer(&text);
            let at = |i: i64| b.first_seq() + before as i64 + i;
            assert_eq!(
                all(&b, SearchMode::Regex, "^abc"),
                [at(0), at(2)],
                "{before}"
            );
            assert_eq!(
                all(&b, SearchMode::Regex, "abc$"),
                [at(0), at(1)],
                "{before}"
            );
            assert_eq!(all(&b, SearchMode::Regex, "^abc$"), [at(0)], "{before}");
        }
    }

    #[test]
    fn narrowing_is_only_claimed_when_it_holds() {
        let q = |mode, t: &str| Query {
            mode,
            text: t.into(),
        };
        assert!(q(SearchMode::Exact, "timeo").narrows(&q(SearchMode::Exact, "time")));
        assert!(q(SearchMode::Fuzzy, "tmout").narrows(&q(SearchMode::Fuzzy, "tmo")));
        assert!(q(SearchMode::Exact, "Time").narrows(&q(SearchMode::Exact, "time")));
        assert!(!q(SearchMode::Exact, "time").narrows(&q(SearchMode::Exact, "Time")));
        assert!(!q(SearchMode::Exact, "tim").narrows(&q(SearchMode::Exact, "time")));
        assert!(!q(SearchMode::Regex, "ab").narrows(&q(SearchMode::Regex, "a")));
        let b = buffer(&["timeout", "time", "tim"]);
        let m = Matcher::new(SearchMode::Exact, "timeo").unwrap();
        assert_eq!(narrow(&b, &[0, 1], &m), [0]);
    }

    #[test]
    fn highlight_ranges() {
        let m = Matcher::new(SearchMode::Exact, "ab").unwrap();
        assert_eq!(m.ranges("xabyAB"), [(1, 3), (4, 6)]);
        let f = Matcher::new(SearchMode::Fuzzy, "ac").unwrap();
        assert_eq!(f.ranges("abc"), [(0, 1), (2, 3)]);
    }

    #[test]
    fn a_newer_query_cancels_the_scan() {
        let b = buffer(&["a"; 10]);
        let m = Matcher::new(SearchMode::Exact, "a").unwrap();
        let g = AtomicU64::new(2);
        assert!(scan(&b.snapshot(), &m, &g, 1).cancelled);
    }
}
