//! A trace laid out for a waterfall: its segment tree flattened depth first, each span's
//! self-time, and the critical path (the chain of spans that set the end-to-end time).
//!
//! Real traces are untidy, and this is where that is absorbed:
//! - a span still `in_progress` runs to the latest time the trace knows;
//! - a child outside its parent's time (clock skew between hosts) is drawn where it says it
//!   was, but only the part inside its parent counts towards self-time and the critical path;
//! - orphans (a parent that never arrived) are extra roots; the critical path follows the main
//!   root, the longest.
//!
//! Nothing here recurses on the tree, so a deep or wide trace costs its size and no stack.

use serde::Serialize;

use super::{EpochUs, Segment, SpanKind, Trace};

/// One span of the flattened tree. Its children follow it, up to `last`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// The segment, without its children (they are the rows that follow).
    pub seg: Segment,
    pub kind: SpanKind,
    pub depth: u16,
    pub parent: Option<usize>,
    /// The index of the last span of its subtree (itself when it has no children).
    pub last: usize,
    /// When it ended, or the latest time the trace knows if it is still in progress.
    pub end: EpochUs,
    /// Its own time: its duration less what its children cover (inside it).
    pub self_us: EpochUs,
    /// The time it contributes to the critical path; `None` when it is not on it.
    pub critical_us: Option<EpochUs>,
    /// It lies (partly) outside its parent's time.
    pub skewed: bool,
    /// A root that names a parent the trace does not hold.
    pub orphan: bool,
}

impl Span {
    pub fn duration_us(&self) -> EpochUs {
        (self.end - self.seg.start).max(0)
    }
    pub fn has_children(&self, index: usize) -> bool {
        self.last > index
    }
    pub fn on_critical_path(&self) -> bool {
        self.critical_us.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Waterfall {
    pub id: String,
    pub spans: Vec<Span>,
    /// The earliest start and the latest end of any span: the timeline's scale.
    pub t0: EpochUs,
    pub t1: EpochUs,
    pub limit_exceeded: bool,
}

impl Waterfall {
    pub fn new(trace: Trace) -> Waterfall {
        let Trace {
            id,
            roots,
            limit_exceeded,
            ..
        } = trace;
        let mut spans = flatten(roots);
        let (t0, t1) = extent(&spans);
        for s in &mut spans {
            s.end = match s.seg.end {
                Some(e) if !s.seg.in_progress => e.max(s.seg.start),
                _ => t1.max(s.seg.start),
            };
        }
        let clipped = clip(&mut spans);
        self_times(&mut spans, &clipped);
        critical_path(&mut spans, &clipped);
        Waterfall {
            id,
            spans,
            t0,
            t1,
            limit_exceeded,
        }
    }

    /// End-to-end time in microseconds.
    pub fn span_us(&self) -> EpochUs {
        (self.t1 - self.t0).max(0)
    }

    /// The spans on the critical path, in row order.
    pub fn critical(&self) -> impl Iterator<Item = usize> + '_ {
        self.spans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.on_critical_path())
            .map(|(i, _)| i)
    }

    /// The span with the most self-time: where the time went.
    pub fn slowest(&self) -> Option<usize> {
        (0..self.spans.len()).max_by_key(|&i| (self.spans[i].self_us, std::cmp::Reverse(i)))
    }

    /// Rows shown when the spans in `folded` hide their subtrees.
    pub fn visible(&self, folded: &[bool]) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.spans.len());
        let mut i = 0;
        while i < self.spans.len() {
            out.push(i);
            i = if folded.get(i).copied().unwrap_or(false) {
                self.spans[i].last + 1
            } else {
                i + 1
            };
        }
        out
    }

    /// The nearest span at or above `i` of one of `kinds`.
    pub fn ancestor(&self, mut i: usize, kinds: &[SpanKind]) -> Option<usize> {
        loop {
            if kinds.contains(&self.spans.get(i)?.kind) {
                return Some(i);
            }
            i = self.spans[i].parent?;
        }
    }

    /// A key naming each span by its place, to find "the same part" in another trace of the
    /// same route: the path of kinds and labels from the root, and which of equal siblings.
    pub fn part_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::with_capacity(self.spans.len());
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for s in &self.spans {
            let own = format!("{}:{}", s.kind.label(), s.seg.label());
            let base = match s.parent {
                Some(p) => format!("{}/{own}", keys[p]),
                None => own,
            };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            keys.push(format!("{base}#{n}"));
        }
        keys
    }
}

/// Depth-first order, children by start time (the assembler already sorted them).
fn flatten(roots: Vec<Segment>) -> Vec<Span> {
    // A segment is large: each is moved once, from its parent's list to its row.
    let mut count = 0;
    let mut todo: Vec<&Segment> = roots.iter().collect();
    while let Some(s) = todo.pop() {
        count += 1;
        todo.extend(s.children.iter());
    }
    let mut spans: Vec<Span> = Vec::with_capacity(count);
    // The lists still being placed, innermost last, with their depth and parent.
    let mut stack: Vec<(std::vec::IntoIter<Segment>, u16, Option<usize>)> =
        vec![(roots.into_iter(), 0, None)];
    while let Some((list, depth, parent)) = stack.last_mut() {
        let (depth, parent) = (*depth, *parent);
        let Some(mut seg) = list.next() else {
            stack.pop();
            continue;
        };
        let children = std::mem::take(&mut seg.children);
        let index = spans.len();
        let orphan = parent.is_none() && seg.parent_id.is_some();
        spans.push(Span {
            kind: seg.kind(),
            seg,
            depth,
            parent,
            last: index,
            end: 0,
            self_us: 0,
            critical_us: None,
            skewed: false,
            orphan,
        });
        if !children.is_empty() {
            stack.push((children.into_iter(), depth.saturating_add(1), Some(index)));
        }
    }
    // Subtree ends: a span's last descendant is the last of its last child.
    for i in (0..spans.len()).rev() {
        if let Some(p) = spans[i].parent {
            spans[p].last = spans[p].last.max(spans[i].last);
        }
    }
    spans
}

fn extent(spans: &[Span]) -> (EpochUs, EpochUs) {
    let t0 = spans.iter().map(|s| s.seg.start).min().unwrap_or(0);
    let t1 = spans
        .iter()
        .map(|s| s.seg.end.unwrap_or(s.seg.start).max(s.seg.start))
        .max()
        .unwrap_or(t0);
    (t0, t1)
}

/// Each span's time clipped to its parent's (clipped) time; marks the skewed ones.
fn clip(spans: &mut [Span]) -> Vec<(EpochUs, EpochUs)> {
    let mut out: Vec<(EpochUs, EpochUs)> = Vec::with_capacity(spans.len());
    for i in 0..spans.len() {
        let (s, e) = (spans[i].seg.start, spans[i].end);
        let c = match spans[i].parent {
            Some(p) => {
                let (ps, pe) = out[p];
                spans[i].skewed = s < spans[p].seg.start || e > spans[p].end;
                let cs = s.clamp(ps, pe);
                (cs, e.clamp(cs, pe))
            }
            None => (s, e),
        };
        out.push(c);
    }
    out
}

/// Each span's children, in row order: those of `i` are `list[first[i]..first[i + 1]]` (two
/// allocations for the whole trace, not one per parent).
struct Kids {
    first: Vec<usize>,
    list: Vec<usize>,
}

impl Kids {
    fn of_mut(&mut self, i: usize) -> &mut [usize] {
        match (self.first.get(i), self.first.get(i + 1)) {
            (Some(&a), Some(&b)) => self.list.get_mut(a..b).unwrap_or_default(),
            _ => &mut [],
        }
    }
    fn of(&self, i: usize) -> &[usize] {
        match (self.first.get(i), self.first.get(i + 1)) {
            (Some(&a), Some(&b)) => self.list.get(a..b).unwrap_or_default(),
            _ => &[],
        }
    }
}

fn children_of(spans: &[Span]) -> Kids {
    let n = spans.len();
    let mut first = vec![0usize; n + 1];
    for p in spans.iter().filter_map(|s| s.parent) {
        first[p + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut list = vec![0usize; first[n]];
    let mut next = first.clone();
    for (i, s) in spans.iter().enumerate() {
        if let Some(p) = s.parent {
            list[next[p]] = i;
            next[p] += 1;
        }
    }
    Kids { first, list }
}

/// Duration less the union of the children's (clipped) intervals.
fn self_times(spans: &mut [Span], clipped: &[(EpochUs, EpochUs)]) {
    let mut all = children_of(spans);
    for i in 0..spans.len() {
        let kids = all.of_mut(i);
        let (s, e) = clipped[i];
        let mut covered = 0;
        let (mut run_s, mut run_e) = (EpochUs::MIN, EpochUs::MIN);
        kids.sort_by_key(|&c| clipped[c].0);
        for &c in kids.iter() {
            let (cs, ce) = clipped[c];
            if cs > run_e {
                covered += run_e - run_s;
                (run_s, run_e) = (cs, ce);
            } else {
                run_e = run_e.max(ce);
            }
        }
        covered += run_e - run_s;
        spans[i].self_us = ((e - s) - covered).max(0);
    }
}

/// Walks back from the end of the main root, as Jaeger does: the child that finished last
/// set the parent's end; before that child started, the child that finished last before then,
/// and so on; what no child covers is the parent's own time on the path.
fn critical_path(spans: &mut [Span], clipped: &[(EpochUs, EpochUs)]) {
    let Some(root) = (0..spans.len())
        .filter(|&i| spans[i].parent.is_none())
        .max_by_key(|&i| (clipped[i].1 - clipped[i].0, std::cmp::Reverse(i)))
    else {
        return;
    };
    let mut kids = children_of(spans);
    // Latest end first; each parent's bound only moves back, so one cursor per parent suffices.
    for i in 0..spans.len() {
        kids.of_mut(i)
            .sort_by_key(|&c| (std::cmp::Reverse(clipped[c].1), c));
    }
    let mut cursor = vec![0usize; spans.len()];
    // A span the walk passes through is on the path, even when its own share is nil (a
    // parent that ends with its last child).
    let add = |spans: &mut [Span], i: usize, from: EpochUs, to: EpochUs| {
        *spans[i].critical_us.get_or_insert(0) += (to - from).max(0);
    };
    let (mut cur, mut bound) = (root, clipped[root].1);
    loop {
        let (start, _) = clipped[cur];
        let list = kids.of(cur);
        let mut p = cursor[cur];
        // Children that end after the bound ran alongside something later: not on the path.
        while p < list.len() && clipped[list[p]].1 > bound {
            p += 1;
        }
        // A child of no length cannot hold the path up.
        while p < list.len() && clipped[list[p]].1 <= clipped[list[p]].0 {
            p += 1;
        }
        let next = list.get(p).copied().filter(|&c| clipped[c].1 > start);
        cursor[cur] = p + 1;
        match next {
            Some(c) => {
                add(spans, cur, clipped[c].1, bound);
                cur = c;
                bound = clipped[c].1;
            }
            None => {
                add(spans, cur, start, bound);
                match spans[cur].parent {
                    Some(parent) if cur != root => {
                        bound = start;
                        cur = parent;
                    }
                    _ => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(id: &str, start: EpochUs, end: Option<EpochUs>, children: Vec<Segment>) -> Segment {
        Segment {
            id: id.into(),
            name: id.into(),
            start,
            end,
            children,
            ..Default::default()
        }
    }

    fn trace(roots: Vec<Segment>) -> Waterfall {
        Waterfall::new(Trace {
            id: "t".into(),
            roots,
            ..Default::default()
        })
    }

    fn ids(w: &Waterfall, which: impl Iterator<Item = usize>) -> Vec<String> {
        which.map(|i| w.spans[i].seg.id.to_string()).collect()
    }

    #[test]
    fn flattens_depth_first_with_subtree_ends() {
        let w = trace(vec![seg(
            "root",
            0,
            Some(100),
            vec![
                seg("a", 0, Some(40), vec![seg("a1", 5, Some(20), vec![])]),
                seg("b", 50, Some(90), vec![]),
            ],
        )]);
        assert_eq!(ids(&w, 0..w.spans.len()), ["root", "a", "a1", "b"]);
        assert_eq!(
            w.spans.iter().map(|s| s.last).collect::<Vec<_>>(),
            [3, 2, 2, 3]
        );
        assert_eq!(
            w.spans.iter().map(|s| s.depth).collect::<Vec<_>>(),
            [0, 1, 2, 1]
        );
        // Folding `a` hides a1.
        assert_eq!(w.visible(&[false, true, false, false]), [0, 1, 3]);
    }

    #[test]
    fn self_time_is_what_no_child_covers() {
        let w = trace(vec![seg(
            "root",
            0,
            Some(100),
            vec![
                seg("a", 10, Some(40), vec![]),
                seg("b", 30, Some(60), vec![]), // overlaps a
                seg("c", 80, Some(90), vec![]),
            ],
        )]);
        // Covered: 10..60 and 80..90 = 60; root's own time is 40.
        assert_eq!(w.spans[0].self_us, 40);
        assert_eq!(w.spans[1].self_us, 30);
    }

    #[test]
    fn the_critical_path_follows_the_last_finisher_backwards() {
        // root 0..100: a 0..30 then b 35..95 (b calls b1 40..90); c 10..50 runs alongside.
        let w = trace(vec![seg(
            "root",
            0,
            Some(100),
            vec![
                seg("a", 0, Some(30), vec![]),
                seg("c", 10, Some(50), vec![]),
                seg("b", 35, Some(95), vec![seg("b1", 40, Some(90), vec![])]),
            ],
        )]);
        let on: Vec<String> = ids(&w, w.critical());
        // b finished last; before b started (35), c finished last (50 > 35? no: c ends after
        // b started, so it ran alongside); a ended at 30.
        assert_eq!(on, ["root", "a", "b", "b1"]);
        let crit = |id: &str| {
            w.spans
                .iter()
                .find(|s| s.seg.id == id)
                .and_then(|s| s.critical_us)
        };
        assert_eq!(crit("b1"), Some(50));
        assert_eq!(crit("b"), Some(10)); // 35..40 and 90..95
        assert_eq!(crit("a"), Some(30));
        assert_eq!(crit("root"), Some(10)); // 30..35 and 95..100
        assert_eq!(crit("c"), None);
        // The path's pieces add up to the end-to-end time.
        let total: EpochUs = w.spans.iter().filter_map(|s| s.critical_us).sum();
        assert_eq!(total, 100);
    }

    #[test]
    fn clock_skew_is_drawn_but_clipped_for_the_sums() {
        // The child claims to start before its parent and end after it.
        let w = trace(vec![seg(
            "root",
            100,
            Some(200),
            vec![seg("skewed", 80, Some(260), vec![])],
        )]);
        assert!(w.spans[1].skewed);
        assert_eq!((w.t0, w.t1), (80, 260), "the axis holds everything drawn");
        assert_eq!(w.spans[0].self_us, 0);
        let total: EpochUs = w.spans.iter().filter_map(|s| s.critical_us).sum();
        assert_eq!(total, 100);
    }

    #[test]
    fn in_progress_spans_run_to_the_latest_known_time_and_orphans_are_roots() {
        let mut running = seg("running", 10, None, vec![]);
        running.in_progress = true;
        let mut orphan = seg("orphan", 30, Some(70), vec![]);
        orphan.parent_id = Some("missing".into());
        let w = trace(vec![seg("root", 0, Some(50), vec![running]), orphan]);
        assert_eq!(w.spans[1].end, 70);
        assert!(w.spans[2].orphan && !w.spans[0].orphan);
        assert_eq!(ids(&w, w.critical()), ["root", "running"]);
    }

    #[test]
    fn zero_length_and_sequential_children_terminate() {
        let w = trace(vec![seg(
            "root",
            0,
            Some(30),
            vec![
                seg("z", 10, Some(10), vec![]),
                seg("a", 0, Some(10), vec![]),
                seg("b", 10, Some(20), vec![]),
                seg("c", 20, Some(30), vec![]),
            ],
        )]);
        let total: EpochUs = w.spans.iter().filter_map(|s| s.critical_us).sum();
        assert_eq!(total, 30);
        assert!(
            w.spans
                .iter()
                .all(|s| s.on_critical_path() == (s.seg.id != "z"))
        );
    }

    #[test]
    fn a_wide_trace_lays_out_in_one_pass() {
        let kids: Vec<Segment> = (0..5000)
            .map(|i| seg(&format!("c{i}"), i, Some(i + 1), vec![]))
            .collect();
        let w = trace(vec![seg("root", 0, Some(5000), kids)]);
        assert_eq!(w.spans.len(), 5001);
        assert_eq!(w.critical().count(), 5001);
        assert_eq!(w.spans[0].self_us, 0);
    }

    #[test]
    fn part_keys_tell_equal_siblings_apart() {
        let w = trace(vec![seg(
            "root",
            0,
            Some(10),
            vec![seg("q", 0, Some(1), vec![]), seg("q", 2, Some(3), vec![])],
        )]);
        let k = w.part_keys();
        assert_ne!(k[1], k[2]);
        assert!(k[2].starts_with(&k[0][..k[0].len() - 2]));
    }
}
