//! The pieces of a waterfall that the screen and the `trace` command share: tree guides,
//! timeline bars, the axis, and the waterfall as plain text for an incident channel.
//!
//! ```text
//!   SPAN                                KIND       DURATION     SELF STATUS  0        620ms       1.24s
//! ● ▾ shop-api/prod                     API GW        1.24s    3.0ms    502  ██████████████████████
//! ● └▾ Lambda Invoke orders-api-create  AWS           1.23s    1.2ms    200  ▕█████████████████████
//! ```

use crate::domain::{EpochUs, SpanKind, Waterfall};
use crate::ui::format;

/// Deeper levels than this are drawn as `⋯` plus the last levels.
const MAX_GUIDE_DEPTH: usize = 16;

/// Whether span `i` has a sibling after it.
fn has_next_sibling(w: &Waterfall, i: usize) -> bool {
    let next = w.spans[i].last + 1;
    next < w.spans.len() && w.spans[next].parent == w.spans[i].parent && w.spans[i].parent.is_some()
}

/// The tree guides before a span's name: `│ ├▾`, `└─`, … `folded` tells whether its subtree is
/// hidden. Costs the span's depth, so only rows on screen pay it.
pub fn guides(w: &Waterfall, i: usize, folded: bool) -> String {
    let s = &w.spans[i];
    let mut levels: Vec<&str> = Vec::with_capacity(usize::from(s.depth) + 1);
    let mut a = s.parent;
    while let Some(p) = a {
        if w.spans[p].parent.is_some() {
            levels.push(if has_next_sibling(w, p) { "│ " } else { "  " });
        }
        a = w.spans[p].parent;
    }
    levels.reverse();
    let mut out = String::new();
    if levels.len() > MAX_GUIDE_DEPTH {
        out.push('⋯');
        levels.drain(..levels.len() - MAX_GUIDE_DEPTH);
    }
    for l in levels {
        out.push_str(l);
    }
    if s.parent.is_some() {
        out.push(if has_next_sibling(w, i) { '├' } else { '└' });
    }
    out.push(match (s.has_children(i), folded) {
        (true, true) => '▸',
        (true, false) => '▾',
        (false, _) => '─',
    });
    out.push(' ');
    out
}

/// The cells `[from, to)` of a span from `start` to `end` on a timeline of `width` cells from
/// `t0` to `t1`; at least one cell, never past the end.
pub fn bar(start: EpochUs, end: EpochUs, t0: EpochUs, t1: EpochUs, width: usize) -> (usize, usize) {
    if width == 0 {
        return (0, 0);
    }
    let span = (t1 - t0).max(1) as f64;
    let pos = |t: EpochUs| ((t - t0) as f64 / span * width as f64).clamp(0.0, width as f64);
    let from = (pos(start).floor() as usize).min(width - 1);
    let to = (pos(end).round() as usize).clamp(from + 1, width);
    (from, to)
}

/// Axis labels for a timeline of `width` cells covering `span_us`: 0 at the left, the middle and
/// the end, as far as they fit.
pub fn axis(width: usize, span_us: EpochUs) -> String {
    let ms = span_us as f64 / 1000.0;
    let mut line = vec![' '; width];
    let mut put = |at: usize, text: &str, right: bool| {
        let n = text.chars().count();
        if n > width {
            return;
        }
        let start = if right {
            (at + 1).saturating_sub(n)
        } else {
            at.min(width - n)
        };
        for (k, c) in text.chars().enumerate() {
            line[start + k] = c;
        }
    };
    put(0, "0", false);
    if width >= 24 {
        let mid = format::millis(ms / 2.0);
        put(width / 2 - mid.chars().count() / 2, &mid, false);
    }
    if width >= 8 {
        put(width - 1, &format::millis(ms), true);
    }
    line.into_iter().collect()
}

/// A duration given in microseconds, as people read it.
pub fn micros(us: EpochUs) -> String {
    format::millis(us as f64 / 1000.0)
}

/// The short text of a span's outcome: its HTTP status, or `in progress`.
pub fn status(w: &Waterfall, i: usize) -> String {
    let s = &w.spans[i];
    match (s.seg.http.status, s.seg.in_progress) {
        (_, true) => "…".into(),
        (Some(st), _) => st.to_string(),
        (None, _) if s.seg.fault => "fault".into(),
        (None, _) if s.seg.throttle => "throt".into(),
        (None, _) if s.seg.error => "error".into(),
        (None, _) => String::new(),
    }
}

/// What a span's name says on its row: its label, and what is special about it.
pub fn label(w: &Waterfall, i: usize) -> String {
    let s = &w.spans[i];
    let mut out = s.seg.label();
    if s.kind == SpanKind::ColdStart {
        out.push_str(" (cold start)");
    }
    if let Some(r) = s.seg.retries.filter(|r| *r > 0) {
        out.push_str(&format!(" ({r} retr{})", if r == 1 { "y" } else { "ies" }));
    }
    if s.orphan {
        out.push_str(" (orphan)");
    }
    if s.skewed {
        out.push_str(" (clock skew)");
    }
    out
}

/// The waterfall as plain text, `width` columns wide: what `lambdascope trace` prints.
pub fn text(w: &Waterfall, width: usize) -> String {
    const KIND: usize = 9;
    const NUM: usize = 9;
    const STATUS: usize = 6;
    let name_w = (width / 3).clamp(24, 56);
    let fixed = 2 + name_w + 1 + KIND + 1 + NUM + 1 + NUM + 1 + STATUS + 2;
    let bar_w = width.saturating_sub(fixed).max(10);
    let mut out = String::new();
    let fit = |s: &str, n: usize| -> String {
        let count = s.chars().count();
        if count > n {
            s.chars().take(n.saturating_sub(1)).chain(['…']).collect()
        } else {
            format!("{s}{}", " ".repeat(n - count))
        }
    };
    out.push_str(&format!(
        "  {} {:<KIND$} {:>NUM$} {:>NUM$} {:>STATUS$}  {}\n",
        fit("SPAN", name_w),
        "KIND",
        "DURATION",
        "SELF",
        "STATUS",
        axis(bar_w, w.span_us())
    ));
    for i in 0..w.spans.len() {
        let s = &w.spans[i];
        let name = format!("{}{}", guides(w, i, false), format::safe(&label(w, i)));
        let (from, to) = bar(s.seg.start, s.end, w.t0, w.t1, bar_w);
        let glyph = if s.seg.in_progress { '▒' } else { '█' };
        let mut bar = " ".repeat(from);
        bar.extend(std::iter::repeat_n(glyph, to - from));
        let duration = if s.seg.in_progress {
            "running".to_string()
        } else {
            micros(s.duration_us())
        };
        out.push_str(&format!(
            "{} {} {:<KIND$} {:>NUM$} {:>NUM$} {:>STATUS$}  {}\n",
            if s.on_critical_path() { '●' } else { ' ' },
            fit(&name, name_w),
            s.kind.label(),
            duration,
            micros(s.self_us),
            status(w, i),
            bar.trim_end()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Segment, Trace};

    fn seg(id: &str, start: EpochUs, end: EpochUs, children: Vec<Segment>) -> Segment {
        Segment {
            id: id.into(),
            name: id.into(),
            start,
            end: Some(end),
            children,
            ..Default::default()
        }
    }

    #[test]
    fn bars_scale_to_the_trace_and_never_vanish() {
        assert_eq!(bar(0, 100, 0, 100, 10), (0, 10));
        assert_eq!(
            bar(50, 51, 0, 100, 10),
            (5, 6),
            "a tiny span keeps one cell"
        );
        assert_eq!(bar(100, 100, 0, 100, 10), (9, 10), "an instant at the end");
        assert_eq!(bar(-50, 500, 0, 100, 10), (0, 10), "clamped to the axis");
        assert_eq!(bar(0, 0, 0, 0, 4), (0, 1), "a zero-length trace");
    }

    #[test]
    fn guides_draw_the_tree() {
        let w = Waterfall::new(Trace {
            roots: vec![seg(
                "root",
                0,
                100,
                vec![
                    seg("a", 0, 40, vec![seg("a1", 5, 20, vec![])]),
                    seg("b", 50, 90, vec![]),
                ],
            )],
            ..Default::default()
        });
        let g: Vec<String> = (0..4).map(|i| guides(&w, i, false)).collect();
        assert_eq!(g, ["▾ ", "├▾ ", "│ └─ ", "└─ "]);
        assert_eq!(guides(&w, 1, true), "├▸ ");
        let text = text(&w, 100);
        assert!(
            text.lines().nth(1).unwrap().starts_with("● ▾ root"),
            "{text}"
        );
        assert!(text.contains("│ └─ a1"), "{text}");
        assert_eq!(
            axis(30, 1_240_000).trim_end(),
            "0            620ms       1.24s"
        );
    }
}
