//! Cold against warm: a trace next to a warm trace of the same route, part by part.
//!
//! Parts are matched by their place in the tree (kind and label along the path from the root,
//! and which of equal siblings), so "Invocation" is compared with "Invocation" and the
//! Initialization of a cold start shows as a part only one trace has.

use std::collections::HashMap;

use crate::domain::{EpochUs, SourceError, Waterfall};

/// How the search for a trace to compare with is going.
#[derive(Debug, Clone, PartialEq)]
pub enum CompareStatus {
    /// Looking through recent successful traces of the same route.
    Searching,
    Found(Box<Comparison>),
    /// Nothing to compare with, and why.
    NotFound(String),
    Failed(SourceError),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    pub status: CompareStatus,
    /// Candidate trace ids, newest first, and how many have been looked at.
    pub candidates: Vec<String>,
    pub checked: usize,
    /// First line of the comparison shown.
    pub scroll: usize,
    /// What was searched, for the messages.
    pub route: String,
}

impl Compare {
    pub fn searching(route: String) -> Compare {
        Compare {
            status: CompareStatus::Searching,
            candidates: Vec::new(),
            checked: 0,
            scroll: 0,
            route,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub other: Waterfall,
    /// Per span of this trace: the matching span of the other, if it has the part.
    pub pairs: Vec<Option<usize>>,
    /// Per span of this trace: its duration less the matching part's, `None` when the other
    /// trace has no such part.
    pub diffs: Vec<Option<EpochUs>>,
    /// Per span of the other trace: whether this trace has the part too.
    pub matched: Vec<bool>,
}

impl Comparison {
    pub fn new(this: &Waterfall, other: Waterfall) -> Comparison {
        let theirs: HashMap<String, usize> = other
            .part_keys()
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        let pairs: Vec<Option<usize>> = this
            .part_keys()
            .into_iter()
            .map(|k| theirs.get(&k).copied())
            .collect();
        let mut matched = vec![false; other.spans.len()];
        for j in pairs.iter().flatten() {
            matched[*j] = true;
        }
        let diffs = pairs
            .iter()
            .enumerate()
            .map(|(i, p)| p.map(|j| this.spans[i].duration_us() - other.spans[j].duration_us()))
            .collect();
        Comparison {
            other,
            pairs,
            diffs,
            matched,
        }
    }

    /// Where the difference is, largest first: (span of this trace, difference in its own
    /// time, whether only this trace has it). Own time, so a parent that is slower only because
    /// a child is does not crowd out the child.
    pub fn biggest(&self, this: &Waterfall, n: usize) -> Vec<(usize, EpochUs, bool)> {
        let mut v: Vec<(usize, EpochUs, bool)> = self
            .pairs
            .iter()
            .enumerate()
            .map(|(i, p)| match p {
                Some(j) => (
                    i,
                    this.spans[i].self_us - self.other.spans[*j].self_us,
                    false,
                ),
                None => (i, this.spans[i].duration_us(), true),
            })
            .filter(|(_, d, _)| *d != 0)
            .collect();
        v.sort_by_key(|(i, d, _)| (std::cmp::Reverse(d.abs()), *i));
        v.truncate(n);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Segment, Trace};

    fn seg(name: &str, start: EpochUs, end: EpochUs, children: Vec<Segment>) -> Segment {
        Segment {
            id: format!("{name}{start}").into(),
            name: name.into(),
            start,
            end: Some(end),
            children,
            ..Default::default()
        }
    }

    fn w(roots: Vec<Segment>) -> Waterfall {
        Waterfall::new(Trace {
            roots,
            ..Default::default()
        })
    }

    #[test]
    fn parts_match_by_place_and_a_cold_start_is_only_here() {
        let cold = w(vec![seg(
            "fn",
            0,
            1000,
            vec![
                seg("Initialization", 0, 800, vec![]),
                seg("Invocation", 800, 1000, vec![]),
            ],
        )]);
        let warm = w(vec![seg(
            "fn",
            5000,
            5150,
            vec![seg("Invocation", 5000, 5150, vec![])],
        )]);
        let c = Comparison::new(&cold, warm);
        assert_eq!(c.diffs, [Some(850), None, Some(50)]);
        assert_eq!(c.matched, [true, true]);
        let top = c.biggest(&cold, 3);
        assert_eq!(top[0], (1, 800, true), "the cold start leads");
        assert_eq!(top[1], (2, 50, false), "then the handler's own time");
        assert_eq!(
            top.len(),
            2,
            "the function itself spent no more time of its own"
        );
    }
}
