//! The `?` overlay (generated from the keymap tables) and the `:usage` overlay.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::palette::command_line;
use crate::app::commands::COMMANDS;
use crate::app::keys::{self, Binding};
use crate::app::state::State;
use crate::ui::theme::Theme;
use crate::ui::widgets::centered_rect;

pub struct HelpOverlay<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

fn section<'a>(title: &'a str, bindings: &[Binding], t: &Theme, lines: &mut Vec<Line<'a>>) {
    lines.push(Line::styled(title, t.title));
    for b in bindings {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<8}", b.label), t.hint_key),
            Span::styled(b.description, t.popup),
        ]));
    }
    lines.push(Line::raw(""));
}

impl Widget for HelpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (s, t) = (self.state, self.theme);
        let top = s.top().base();
        let title = crate::ui::format::safe(&top.title()).into_owned();
        let mut left = Vec::new();
        section(&title, &top.keymap().concat(), t, &mut left);
        // What the screen's inputs take, as far as the height allows.
        if let Some((heading, notes)) = top.help_notes() {
            let room = (area.height as usize).saturating_sub(left.len() + 3);
            if room > 1 {
                left.push(Line::styled(heading, t.title));
                for (example, what) in notes.iter().take(room - 1) {
                    left.push(Line::from(vec![
                        Span::styled(format!("  {example}"), t.hint_key),
                        Span::styled(format!("  {what}"), t.dim),
                    ]));
                }
            }
        }
        let mut right = Vec::new();
        section("Everywhere", keys::GLOBAL, t, &mut right);
        right.push(Line::styled("Commands", t.title));
        // Tall enough: one command a line with its use; otherwise a compact list.
        let full = (area.height as usize) >= right.len() + COMMANDS.len() + 3
            && area.height as usize >= left.len() + 2;
        if full {
            for c in COMMANDS {
                right.push(command_line(c.name, c.arg, c.description, t, "  "));
            }
        } else {
            let mut line = vec![Span::raw(" ")];
            let mut width = 1;
            for name in COMMANDS.iter().map(|c| c.name) {
                if width + name.len() + 2 > 36 {
                    right.push(Line::from(std::mem::replace(
                        &mut line,
                        vec![Span::raw(" ")],
                    )));
                    width = 1;
                }
                line.push(Span::styled(format!(" :{name}"), t.hint_key));
                width += name.len() + 2;
            }
            right.push(Line::from(line));
        }
        let two_columns = area.width >= 76;
        let (w, h) = if two_columns {
            (
                if full { 100 } else { 76 },
                (left.len().max(right.len()) + 2) as u16,
            )
        } else {
            (60, (left.len() + right.len() + 2) as u16)
        };
        let r = centered_rect(area, w, h);
        Clear.render(r, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(Span::styled(" help · esc closes ", t.title))
            .style(t.popup);
        let inner = block.inner(r);
        block.render(r, buf);
        if two_columns {
            let half = inner.width / 2;
            Paragraph::new(left).style(t.popup).render(
                Rect {
                    width: half,
                    ..inner
                },
                buf,
            );
            Paragraph::new(right).style(t.popup).render(
                Rect {
                    x: inner.x + half,
                    width: inner.width - half,
                    ..inner
                },
                buf,
            );
        } else {
            left.extend(right);
            Paragraph::new(left)
                .style(t.popup)
                .wrap(Wrap { trim: false })
                .render(inner, buf);
        }
    }
}

pub struct UsageOverlay<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for UsageOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (s, t) = (self.state, self.theme);
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "{:<22}{:>8}{:>14}{:>10}",
                "API", "calls", "billed units", "est. $"
            ),
            t.table_header,
        ))];
        let health = &s.ctx.health;
        if health.usage.is_empty() {
            let why = match s.ctx.source {
                crate::domain::SourceInfo::Demo { .. } => {
                    "The demo account makes no AWS calls and costs nothing."
                }
                _ => "No AWS calls yet.",
            };
            lines.push(Line::styled(why, t.dim));
        }
        for u in &health.usage {
            lines.push(Line::from(Span::styled(
                format!(
                    "{:<22}{:>8}{:>14}{:>10.4}",
                    u.api,
                    u.calls,
                    format!("{:.0} {}", u.billed_units, u.unit),
                    u.estimated_usd
                ),
                t.popup,
            )));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "total: {} calls, about ${:.4} at public prices",
                health.calls, health.estimated_usd
            ),
            t.title,
        ));
        let r = centered_rect(area, 64, lines.len() as u16 + 2);
        Clear.render(r, buf);
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(" usage · esc closes ", t.title)),
            )
            .style(t.popup)
            .render(r, buf);
    }
}
