//! `s`: the lines on screen under the filters, or the whole buffer, saved to a private file.
//! On the loop only the shared segments and the picked line numbers are taken; the text is
//! built and written off it, as a search scans its snapshot.

use std::collections::HashSet;
use std::sync::Arc;

use crate::domain::EpochMs;
use crate::model::logs::{Interner, Line, Segment};
use crate::ui::format;

/// What a save needs, taken cheaply from the screen.
pub struct Saving {
    pub segments: Vec<Arc<Segment>>,
    pub functions: Interner,
    /// The lines to save, in screen order; `None` for every line held.
    pub picked: Option<Vec<i64>>,
}

impl Saving {
    /// `time<TAB>function<TAB>message` per line, and how many lines.
    pub fn text(&self) -> (String, usize) {
        let mut out = String::new();
        let mut n = 0;
        let mut add = |l: &Line, text: &[u8]| {
            out.push_str(&format::time_ms(l.ts));
            out.push('\t');
            out.push_str(self.functions.name(u32::from(l.function)));
            out.push('\t');
            out.push_str(&String::from_utf8_lossy(text));
            out.push('\n');
            n += 1;
        };
        match &self.picked {
            None => {
                for s in &self.segments {
                    for l in s.lines.get(s.skip..).unwrap_or_default() {
                        add(l, s.text_of(l));
                    }
                }
            }
            Some(seqs) => {
                let mut seen = HashSet::new();
                for &q in seqs {
                    if seen.insert(q)
                        && let Some((s, l)) = self.line(q)
                    {
                        add(l, s.text_of(l));
                    }
                }
            }
        }
        (out, n)
    }

    fn line(&self, seq: i64) -> Option<(&Segment, &Line)> {
        let i = self
            .segments
            .partition_point(|s| s.base <= seq)
            .checked_sub(1)?;
        let s = &self.segments[i];
        let at = usize::try_from(seq - s.base)
            .ok()
            .filter(|&at| at >= s.skip)?;
        Some((s, s.lines.get(at)?))
    }
}

/// `lambdascope-logs-20261123-140211.log`: sorts by when, in UTC like the lines.
pub fn file_name(now: EpochMs) -> String {
    let at = chrono::DateTime::from_timestamp_millis(now)
        .map(|d| d.format("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_default();
    format!("lambdascope-logs-{at}.log")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LogEvent;
    use crate::model::logs::LogBuffer;

    fn buffer(lines: &[&str]) -> LogBuffer {
        let mut b = LogBuffer::new(100);
        let events: Vec<LogEvent> = lines
            .iter()
            .enumerate()
            .map(|(i, m)| {
                LogEvent::new(
                    "/aws/lambda/f".into(),
                    "s".into(),
                    1_000 * i as i64,
                    0,
                    m.to_string(),
                )
            })
            .collect();
        b.append(&events);
        b
    }

    #[test]
    fn every_line_or_the_picked_ones_once_each() {
        let b = buffer(&["one", "two", "three"]);
        let saving = |picked| Saving {
            segments: b.snapshot(),
            functions: b.functions.clone(),
            picked,
        };
        let (all, n) = saving(None).text();
        assert_eq!(n, 3);
        assert_eq!(all.lines().count(), 3);
        assert!(all.starts_with("00:00:00.000\t"), "{all}");
        assert!(all.ends_with("\tthree\n"), "{all}");
        let first = b.first_seq();
        let (some, n) = saving(Some(vec![first + 2, first, first + 2, first + 99])).text();
        assert_eq!(n, 2);
        let messages: Vec<&str> = some.lines().filter_map(|l| l.rsplit('\t').next()).collect();
        assert_eq!(
            messages,
            ["three", "one"],
            "screen order, no repeats, no phantom"
        );
    }

    #[test]
    fn names_sort_by_time() {
        assert_eq!(
            file_name(1_795_442_531_000),
            "lambdascope-logs-20261123-140211.log"
        );
    }
}
