//! The Logs Insights mode of the Logs screen, as a component: its state is [`InsightsState`]
//! (insights.rs); here are its keys and its view. It tells the screen what to do next (run a
//! query, stop one, go back to the lines); the screen owns the jobs.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use super::insights::{InsightsState, Run};
use super::view::fit;
use crate::app::keys::edit;
use crate::app::msg::Action;
use crate::app::router::Input;
use crate::domain::{InsightsProgress, TimeWindow};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::{cursor, spinner};

/// What the screen does after a key in this mode.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Stay,
    /// Run this query over the screen's groups.
    Run(String),
    /// Stop the query in flight (StopQuery) and forget its results.
    Stop,
    /// Back to the lines.
    Leave,
}

impl InsightsState {
    pub fn on_action(&mut self, action: Action) -> Outcome {
        if let Some(text) = self.input.as_mut() {
            match action {
                a if edit(text, a) => {}
                Action::InputSubmit => {
                    let q = text.trim().to_string();
                    self.input = None;
                    if !q.is_empty() {
                        return Outcome::Run(q);
                    }
                }
                Action::InputCancel => self.input = None,
                _ => {}
            }
            return Outcome::Stay;
        }
        let n = self.choices().len();
        match action {
            // Over results the keys scroll the table; before, they pick a query.
            Action::Up => match self.run {
                Run::Done { .. } => self.scroll = self.scroll.saturating_sub(1),
                _ => self.cursor = cursor::moved(self.cursor, cursor::Move::Up, n, 1),
            },
            Action::Down => match self.run {
                Run::Done { .. } => self.scroll += 1,
                _ => self.cursor = cursor::moved(self.cursor, cursor::Move::Down, n, 1),
            },
            Action::Enter => {
                if let Some((_, q)) = self.choices().get(self.cursor).cloned() {
                    return Outcome::Run(q);
                }
            }
            Action::Filter => self.input = Some(String::new()),
            Action::Back => {
                if matches!(
                    self.run,
                    Run::Done { .. } | Run::Failed(_) | Run::Running(_)
                ) {
                    // Leaving a running query stops it (StopQuery).
                    self.run = Run::Idle;
                    return Outcome::Stop;
                }
                return Outcome::Leave;
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// The query being typed.
    pub fn input(&self) -> Option<Input<'_>> {
        self.input.as_deref().map(|text| Input {
            prompt: "insights> ",
            text,
            note: None,
        })
    }

    /// Queries on the left (above, when narrow), the run or its table on the right. `window`
    /// is what the query reads; `frame` turns the spinner.
    pub fn render(&self, window: TimeWindow, frame: u64, t: &Theme, area: Rect, buf: &mut Buffer) {
        let wide = area.width >= 100;
        let [left, right] = if wide {
            Layout::horizontal([Constraint::Length(34), Constraint::Min(20)]).areas(area)
        } else {
            Layout::vertical([Constraint::Length(8), Constraint::Min(3)]).areas(area)
        };
        let choices: Vec<Line> = self
            .choices()
            .iter()
            .enumerate()
            .map(|(i, (name, q))| {
                let label = if name == "yours" {
                    format!("· {}", format::safe(q))
                } else {
                    name.clone()
                };
                let style = if i == self.cursor { t.selected } else { t.base };
                Line::styled(format!(" {label}"), style)
            })
            .collect();
        Paragraph::new(choices)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(" queries · enter runs · / yours ", t.title)),
            )
            .render(left, buf);
        let title = match &self.query {
            Some(q) => format!(" {} ", format::safe(q)),
            None => " results ".to_string(),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(Span::styled(title, t.title));
        let inner = block.inner(right);
        block.render(right, buf);
        let stats = |p: &InsightsProgress| {
            format!(
                "{} matched of {} scanned · {} scanned · {}–{}",
                format::count(p.records_matched),
                format::count(p.records_scanned),
                format::bytes(p.bytes_scanned as u64),
                format::time_of_day(window.start),
                format::time_of_day(window.end)
            )
        };
        match &self.run {
            Run::Idle => {
                Paragraph::new(vec![
                    Line::styled(
                        "Pick a ready query and press enter, or / to write your own.",
                        t.dim,
                    ),
                    Line::styled(
                        "It runs on the server over the whole window; esc stops it (StopQuery).",
                        t.dim,
                    ),
                    Line::styled(
                        "I in the lines view turns your search and filters into a query.",
                        t.dim,
                    ),
                ])
                .wrap(Wrap { trim: false })
                .render(inner, buf);
            }
            Run::Running(p) => {
                Paragraph::new(vec![
                    Line::styled(format!("{} running…", spinner(frame)), t.spinner),
                    Line::styled(stats(p), t.dim),
                ])
                .render(inner, buf);
            }
            Run::Failed(e) => {
                Paragraph::new(vec![
                    Line::styled("the query failed", t.error),
                    Line::raw(format::safe(&e.to_string()).into_owned()),
                ])
                .wrap(Wrap { trim: false })
                .render(inner, buf);
            }
            Run::Done { rows, progress } => {
                let cols = self.columns();
                let mut lines = vec![Line::styled(
                    format!("{} rows · {}", rows.len(), stats(progress)),
                    t.dim,
                )];
                if cols.is_empty() {
                    lines.push(Line::styled("no rows", t.dim));
                } else {
                    // Each column as wide as its widest value (within reason), the last takes
                    // what is left.
                    let widths: Vec<usize> = cols
                        .iter()
                        .map(|c| {
                            let widest = rows
                                .iter()
                                .filter_map(|r| r.iter().find(|(f, _)| f == c))
                                .map(|(_, v)| v.width())
                                .max()
                                .unwrap_or(0);
                            (widest.max(c.width() + 1) + 2).clamp(6, 48)
                        })
                        .collect();
                    let head: String = cols
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let w = widths[i];
                            let mark = match self.sort {
                                Some((k, true)) if k == i => "▼",
                                Some((k, false)) if k == i => "▲",
                                _ => "",
                            };
                            fit(&format!("{}{mark}", format::safe(c)), w)
                        })
                        .collect();
                    lines.push(Line::styled(head, t.table_header));
                    for r in rows.iter().skip(self.scroll) {
                        let line: String = cols
                            .iter()
                            .zip(&widths)
                            .map(|(c, &w)| {
                                let v = r
                                    .iter()
                                    .find(|(f, _)| f == c)
                                    .map_or("", |(_, v)| v.as_str());
                                fit(&format::safe(v), w)
                            })
                            .collect();
                        lines.push(Line::styled(line, t.base));
                    }
                }
                Paragraph::new(lines).render(inner, buf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_pick_type_run_stop_and_leave() {
        let mut s = InsightsState::default();
        s.on_action(Action::Down);
        assert_eq!(
            s.on_action(Action::Enter),
            Outcome::Run(s.choices()[1].1.clone())
        );
        s.on_action(Action::Filter);
        for c in "fields @message".chars() {
            s.on_action(Action::Input(c));
        }
        assert_eq!(
            s.on_action(Action::InputSubmit),
            Outcome::Run("fields @message".into())
        );
        s.run = Run::Running(Default::default());
        assert_eq!(s.on_action(Action::Back), Outcome::Stop);
        assert_eq!(s.run, Run::Idle);
        assert_eq!(s.on_action(Action::Back), Outcome::Leave);
    }
}
