//! The error-groups mode of the Logs screen, as a component: its own state (the groups and the
//! cursor over them), its keys and its view. It reads the screen's buffer and tells the screen
//! what to do next; it never changes the lines view itself.

use std::collections::HashSet;
use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::view::fit;
use crate::app::msg::Action;
use crate::domain::TimeWindow;
use crate::model::errors::{self, ErrorGroup};
use crate::model::logs::LogBuffer;
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::cursor;

/// Under a stream of deliveries the groups are built again at most this often, so a log storm
/// does not hold the loop (and the keys).
const EVERY_MS: i64 = 1_000;

#[derive(Debug, Default, PartialEq)]
pub struct ErrorGroups {
    pub cursor: usize,
    /// The groups shown, and the buffer lines they were built from: grouped again only when
    /// those change, not on every frame.
    built: Option<(Range<i64>, Vec<ErrorGroup>)>,
    /// When the groups were last built (ctx.now).
    built_at: i64,
}

/// What the screen does after a key in this mode.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Stay,
    /// Back to the lines.
    Leave,
    /// Show only these invocations, named by the group's example.
    Open(String, HashSet<u32>),
}

impl ErrorGroups {
    /// Opened afresh: built at once, the cursor on the first group.
    pub fn open(buffer: &LogBuffer, now: i64) -> ErrorGroups {
        let mut g = ErrorGroups::default();
        g.refresh(buffer, now);
        g
    }

    /// Groups the buffer's errors again if it changed, at most once every [`EVERY_MS`].
    pub fn refresh(&mut self, buffer: &LogBuffer, now: i64) {
        let seqs = buffer.seqs();
        if self.built.as_ref().is_some_and(|(of, _)| *of == seqs) {
            return;
        }
        if self.built.is_some() && now - self.built_at < EVERY_MS {
            return;
        }
        self.built_at = now;
        self.built = Some((seqs, errors::groups(buffer)));
    }

    pub fn shown(&self) -> &[ErrorGroup] {
        self.built.as_ref().map_or(&[], |(_, g)| g)
    }

    pub fn on_action(&mut self, action: Action) -> Outcome {
        let n = self.shown().len();
        match action {
            Action::Up | Action::Down => {
                if let Some(mv) = action.movement() {
                    self.cursor = cursor::moved(self.cursor, mv, n, 1);
                }
                Outcome::Stay
            }
            Action::Enter => match self.shown().get(self.cursor) {
                Some(g) => {
                    Outcome::Open(g.example.clone(), g.invocations.iter().copied().collect())
                }
                None => Outcome::Stay,
            },
            Action::Back => Outcome::Leave,
            _ => Outcome::Stay,
        }
    }

    /// The groups as a table, the cursor's row highlighted; `window` is the span shown when
    /// the buffer has no lines.
    pub fn render(
        &self,
        buffer: &LogBuffer,
        window: TimeWindow,
        t: &Theme,
        area: Rect,
        buf: &mut Buffer,
    ) {
        let groups = self.shown();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(Span::styled(
                format!(
                    " error groups · {} in the {} loaded lines · enter lists invocations ",
                    groups.len(),
                    format::count(buffer.len() as f64)
                ),
                t.title,
            ));
        let inner = block.inner(area);
        block.render(area, buf);
        if groups.is_empty() {
            Paragraph::new(Line::styled("no errors in what is loaded", t.dim)).render(inner, buf);
            return;
        }
        let span = buffer.time_span().unwrap_or(window);
        // On a narrow terminal the error is what matters: the trend goes, the functions shrink.
        let wide = inner.width >= 100;
        let (trend_w, fns_w) = if wide { (12, 22) } else { (0, 18) };
        let row = |count: &str, first: &str, last: &str, trend: &str, fns: &str, error: &str| {
            let trend = if wide {
                format!("{trend:<10}  ")
            } else {
                String::new()
            };
            format!("{count:>6}  {first:<8}  {last:<8}  {trend}{fns:<fns_w$}  {error}")
        };
        let mut lines = vec![Line::styled(
            row("COUNT", "FIRST", "LAST", "TREND", "FUNCTIONS", "ERROR"),
            t.table_header,
        )];
        let skip = self
            .cursor
            .saturating_sub(inner.height.saturating_sub(2) as usize);
        for (i, g) in groups.iter().enumerate().skip(skip) {
            let fns: Vec<&str> = g.functions.iter().map(String::as_str).collect();
            let trend = if trend_w > 0 {
                format::sparkline(&g.histogram(span, 10), 10)
            } else {
                String::new()
            };
            let line = row(
                &g.count.to_string(),
                &format::time_of_day(g.first_seen),
                &format::time_of_day(g.last_seen),
                &trend,
                fit(&format::safe(&fns.join(",")), fns_w).trim_end(),
                &format::safe(&g.fingerprint),
            );
            let style = if i == self.cursor { t.selected } else { t.base };
            lines.push(Line::styled(line, style));
        }
        Paragraph::new(lines).render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_no_errors_enter_stays_and_back_leaves() {
        let mut g = ErrorGroups::open(&LogBuffer::default(), 0);
        assert!(g.shown().is_empty());
        assert_eq!(g.on_action(Action::Down), Outcome::Stay);
        assert_eq!(g.cursor, 0);
        assert_eq!(g.on_action(Action::Enter), Outcome::Stay);
        assert_eq!(g.on_action(Action::Back), Outcome::Leave);
    }
}
