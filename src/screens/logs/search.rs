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
use regex_automata::nfa::thompson;
use regex_automata::util::look::LookMatcher;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, hybrid, meta};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

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
    Regex {
        regex: Regex,
        /// When every match starts with one literal: it, found by memmem over the whole
        /// text, and the regex run anchored at each place it is found.
        prefixed: Option<Box<Prefixed>>,
    },
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
            SearchMode::Exact => regex(&regex::escape(query), false).map(|regex| Matcher::Regex {
                regex,
                prefixed: None,
            }),
            SearchMode::Regex => regex(query, sensitive).map(|regex| Matcher::Regex {
                regex,
                prefixed: Prefixed::new(query, sensitive).map(Box::new),
            }),
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
            Matcher::Regex { regex, .. } => regex.is_match(text),
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
            Matcher::Regex { regex, .. } => regex
                .find_iter(text.as_bytes())
                .filter(|m| m.end() > m.start())
                .map(|m| (m.start(), m.end()))
                .collect(),
            Matcher::Fuzzy { query, .. } => Fuzzy::default().indices(query, text),
        }
    }

    /// Lines matching in one segment, from line index `from`.
    fn scan_segment(&self, seg: &Segment, from: usize, scratch: &mut Scratch, out: &mut Vec<i64>) {
        let fuzzy = &mut scratch.fuzzy;
        let lines = &seg.lines[from.min(seg.lines.len())..];
        let Some(first) = lines.first() else { return };
        let mut at = first.start as usize;
        // Hits come in order: walk on from the last hit's line, a few lines through memory
        // read in order, then gallop (a bisection of a segment's lines misses the cache at
        // almost every step; so do long gallops).
        let mut last = 0;
        let mut line_at = |offset: usize| {
            let starts_by = |i: usize| lines.get(i).is_some_and(|l| (l.start as usize) <= offset);
            let mut lo = last;
            let walk = (last + 128).min(lines.len());
            while lo + 1 < walk && starts_by(lo + 1) {
                lo += 1;
            }
            if lo + 1 == walk {
                let (mut hi, mut step) = (lo + 1, 1);
                while starts_by(hi) {
                    lo = hi;
                    hi += step;
                    step *= 2;
                }
                let hi = hi.min(lines.len());
                lo += lines[lo..hi]
                    .partition_point(|l| (l.start as usize) <= offset)
                    .saturating_sub(1);
            }
            last = lo;
            lo
        };
        match self {
            // The literal every match starts with, then the regex from there.
            Matcher::Regex {
                prefixed: Some(p), ..
            } => {
                while let Some(i) = p.literal.find(&seg.text[at..]) {
                    let hit = at + i;
                    if !p.starts_at(&seg.text, hit, scratch) {
                        at = hit + 1;
                        continue;
                    }
                    let i = line_at(hit);
                    let l = &lines[i];
                    out.push(seg.base + (from + i) as i64);
                    at = (l.start + l.len) as usize + 1;
                }
            }
            // Whole-text scans: find a hit, take its line, go on after it.
            Matcher::Exact(_) | Matcher::Regex { .. } => {
                while at < seg.text.len() {
                    let hit = match self {
                        Matcher::Exact(f) => f.find(&seg.text[at..]).map(|i| at + i),
                        // Only the line matters: the shortest match's end is enough and spares
                        // the engine finding where the leftmost match starts and ends.
                        Matcher::Regex { regex, .. } => regex
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

/// A regex whose every match starts with one literal (`Duration: \d{4,}` starts with
/// "Duration: "): where memmem finds the literal, the regex is run anchored there, so the
/// engine reads a few bytes at each candidate instead of the whole text.
#[derive(Clone, Debug)]
pub struct Prefixed {
    literal: memmem::Finder<'static>,
    /// The same regex as [`regex`] builds, from the same syntax.
    regex: meta::Regex,
    /// Its lazy DFA alone: a few bytes cost a few table lookups, without the meta engine's
    /// set-up per search. `None` when it cannot be built; a search it gives up on (a Unicode
    /// word boundary next to non-ASCII text) goes to `regex`.
    dfa: Option<hybrid::dfa::DFA>,
}

impl Prefixed {
    /// Shorter literals are found too often to be worth it.
    const MIN_LITERAL: usize = 3;

    fn new(pattern: &str, sensitive: bool) -> Option<Prefixed> {
        let syntax = syntax::Config::new()
            .case_insensitive(!sensitive)
            .multi_line(true)
            .line_terminator(SEPARATOR)
            .dot_matches_new_line(true)
            .utf8(false);
        let hir = syntax::parse_with(pattern, &syntax).ok()?;
        // A match of valid UTF-8 never holds a separator, so it stays inside its line, as
        // the whole-text scan's does.
        if !hir.properties().is_utf8() {
            return None;
        }
        let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
        let [literal] = prefixes.literals()? else {
            return None;
        };
        let literal = literal.as_bytes();
        if literal.len() < Self::MIN_LITERAL || literal.contains(&SEPARATOR) {
            return None;
        }
        let regex = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .utf8_empty(false)
                    .line_terminator(SEPARATOR)
                    .nfa_size_limit(Some(8 << 20)),
            )
            .syntax(syntax)
            .build_from_hir(&hir)
            .ok()?;
        let mut look = LookMatcher::new();
        look.set_line_terminator(SEPARATOR);
        let dfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(false)
                    .look_matcher(look)
                    .which_captures(thompson::WhichCaptures::None)
                    .nfa_size_limit(Some(8 << 20)),
            )
            .build_from_hir(&hir)
            .ok()
            .and_then(|nfa| {
                hybrid::dfa::DFA::builder()
                    .configure(hybrid::dfa::Config::new().unicode_word_boundary(true))
                    .build_from_nfa(nfa)
                    .ok()
            });
        Some(Prefixed {
            literal: memmem::Finder::new(literal).into_owned(),
            regex,
            dfa,
        })
    }

    /// The DFA byte by byte from the input's start until it matches or dies (a line's
    /// candidate is a dozen bytes: the engine's search loop costs more to set up than that);
    /// `None` when it gives up.
    fn walk(dfa: &hybrid::dfa::DFA, cache: &mut hybrid::dfa::Cache, input: &Input) -> Option<bool> {
        let mut state = dfa.start_state_forward(cache, input).ok()?;
        for &b in &input.haystack()[input.start()..input.end()] {
            state = dfa.next_state(cache, state, b).ok()?;
            if state.is_tagged() {
                if state.is_match() {
                    return Some(true);
                }
                if state.is_dead() {
                    return Some(false);
                }
                if state.is_quit() {
                    return None;
                }
            }
        }
        Some(dfa.next_eoi_state(cache, state).ok()?.is_match())
    }

    /// Whether a match starts at `at`.
    fn starts_at(&self, text: &[u8], at: usize, scratch: &mut Scratch) -> bool {
        let input = Input::new(text)
            .span(at..text.len())
            .anchored(Anchored::Yes)
            .earliest(true);
        if let Some(dfa) = &self.dfa {
            let cache = scratch.dfa.get_or_insert_with(|| dfa.create_cache());
            if let Some(found) = Self::walk(dfa, cache, &input) {
                return found;
            }
        }
        let cache = scratch
            .cache
            .get_or_insert_with(|| self.regex.create_cache());
        self.regex.search_half_with(cache, &input).is_some()
    }
}

/// A scan thread's scratch space.
#[derive(Default)]
struct Scratch {
    fuzzy: Fuzzy,
    /// For [`Prefixed`]'s regex and DFA (one matcher per scan).
    cache: Option<meta::Cache>,
    dfa: Option<hybrid::dfa::Cache>,
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
        let mut scratch = Scratch::default();
        for seg in part {
            if generation.load(Ordering::Relaxed) != mine {
                return None;
            }
            matcher.scan_segment(seg, seg.skip, &mut scratch, &mut out);
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

    /// Text a scan must get right: case pairs, bytes that fold onto letters (`@` and `` ` ``),
    /// a non-ASCII letter that folds onto an ASCII one (Kelvin sign), newlines, spaces. (Not the
    /// long s, `ſ`: nucleo-matcher 0.3.1 trips its own debug assertion on "ſmsk" for "sk", with
    /// or without this scan.)
    const HOSTILE: &[&str] = &[
        "a", "A", "t", "T", "m", "o", "u", "d", "s", "k", "K", "@", "`", " ", "\n", "é",
        "\u{212A}", "Ω", "1", "9", ".", "x", "ms",
    ];

    fn hostile_line() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(HOSTILE), 0..90)
            .prop_map(|parts| parts.concat())
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The whole-text fuzzy scan keeps exactly the lines the one-line check keeps.
        #[test]
        fn fuzzy_scan_agrees_with_the_line_check(
            lines in proptest::collection::vec(hostile_line(), 1..60),
            query in proptest::collection::vec(proptest::sample::select(HOSTILE), 0..6),
        ) {
            let query = query.concat();
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let b = buffer(&refs);
            let m = Matcher::new(SearchMode::Fuzzy, &query).unwrap();
            let slow: Vec<i64> = (b.first_seq()..b.end_seq())
                .filter(|&s| m.is_match(b.line(s).unwrap().1, &mut Fuzzy::default()))
                .collect();
            prop_assert_eq!(all(&b, SearchMode::Fuzzy, &query), slow);
        }
    }

    /// Regexes every match of which starts with one literal (searched from it), and some
    /// that are not (searched as before), on hostile text: word boundaries next to non-ASCII
    /// letters, anchors, Unicode classes.
    const PREFIXED: &[&str] = &[
        // (An upper-case letter: smart case makes a lower-case regex case-blind.)
        r"Tmo",
        r"Tmo\b",
        r"\bTmo",
        r"Tmo\w",
        r"Tmo\W",
        r"Tmo\d+",
        r"^Tmo",
        r"Tmo$",
        r"Tmo.",
        r"Tmo\s*ms",
        r"KmS?",
        r"D\.\.\d{2,}",
        r"Tmo|ms",
        r"tmo",
        r"(?i)Tmo",
        r"Tmo(?-u:.)",
        // Not `x*`: the whole-text scan has never counted an empty line as matched by a regex
        // that matches the empty string (its match sits on the separator), while the line
        // check does; that predates the literal-first scan and is left as it was.
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The literal-first regex scan keeps exactly the lines the one-line check keeps.
        #[test]
        fn regex_scan_agrees_with_the_line_check(
            lines in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select([HOSTILE, &["Tmo", "Tmo", "D..", "KmS"]].concat()),
                    0..40,
                ).prop_map(|p| p.concat()),
                1..40,
            ),
            pattern in proptest::sample::select(PREFIXED),
        ) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let b = buffer(&refs);
            let m = Matcher::new(SearchMode::Regex, pattern).unwrap();
            let slow: Vec<i64> = (b.first_seq()..b.end_seq())
                .filter(|&s| m.is_match(b.line(s).unwrap().1, &mut Fuzzy::default()))
                .collect();
            prop_assert_eq!(all(&b, SearchMode::Regex, pattern), slow);
        }
    }

    #[test]
    fn regexes_with_a_literal_first_are_searched_from_it() {
        let prefixed = |p: &str| match Matcher::new(SearchMode::Regex, p).unwrap() {
            Matcher::Regex { prefixed, .. } => prefixed.is_some(),
            _ => false,
        };
        assert!(prefixed(r"Duration: \d{4,}\.\d+ ms"));
        assert!(prefixed(r"Tmo\b"));
        assert!(prefixed(r"\bTmo"));
        // Not: case-blind (many literals), too short, bytes that may be a separator.
        assert!(!prefixed(r"(?i)task timed out"));
        assert!(!prefixed(r"Ab\d"));
        assert!(!prefixed(r"Tmo(?-u:.)"));
        let b = buffer(&["é\u{212A}Tmo", "éTmo", "Tmoé", "x Tmo9 y"]);
        assert_eq!(all(&b, SearchMode::Regex, r"\bTmo"), [2, 3]);
        assert_eq!(all(&b, SearchMode::Regex, r"Tmo\b"), [0, 1]);
        assert_eq!(all(&b, SearchMode::Regex, r"Tmo\d"), [3]);
    }

    #[test]
    fn fuzzy_edge_queries() {
        let b = buffer(&[
            "Task timed out",
            "tmout",
            "t\u{212A}mout",
            "",
            "ÉCLAIR",
            "éclair x",
        ]);
        for q in [
            "", " ", "tmout", "TMOUT", "Tm", "t m", "k", "é", "É", "ÉC", "x", "@",
        ] {
            let m = Matcher::new(SearchMode::Fuzzy, q).unwrap();
            let slow: Vec<i64> = (b.first_seq()..b.end_seq())
                .filter(|&s| m.is_match(b.line(s).unwrap().1, &mut Fuzzy::default()))
                .collect();
            assert_eq!(all(&b, SearchMode::Fuzzy, q), slow, "{q:?}");
        }
        // Lines across 64-byte blocks and segments.
        let long: Vec<String> = (0..3 * SEGMENT_LINES / 2)
            .map(|i| {
                format!(
                    "{}t{}m{}o",
                    "x".repeat(i % 130),
                    "y".repeat(i % 61),
                    "z".repeat(i % 7)
                )
            })
            .collect();
        let refs: Vec<&str> = long.iter().map(String::as_str).collect();
        let b = buffer(&refs);
        assert_eq!(all(&b, SearchMode::Fuzzy, "tmo").len(), long.len());
        assert!(all(&b, SearchMode::Fuzzy, "tmoo").is_empty());
    }

    #[test]
    fn a_newer_query_cancels_the_scan() {
        let b = buffer(&["a"; 10]);
        let m = Matcher::new(SearchMode::Exact, "a").unwrap();
        let g = AtomicU64::new(2);
        assert!(scan(&b.snapshot(), &m, &g, 1).cancelled);
    }
}
