//! The two bottom lines.
//!
//! ```text
//! ● orders-api-create 18% errors · search-indexer throttled            calls 12 · $0.00
//! enter open function  / filter  s sort column  ? help  : command  q quit
//! ```
//! The status line shows the latest message, or else what is failing right now. The footer
//! shows key hints from the keymap, or the filter box / palette being typed in.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::keymap;
use crate::state::{Level, Overlay, State};
use crate::theme::Theme;
use crate::ui::format;
use crate::ui::widgets::spinner;

/// How long a message stays before the failing summary returns.
const MESSAGE_MS: i64 = 8_000;

pub struct StatusLine<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for StatusLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (s, t) = (self.state, self.theme);
        buf.set_style(area, t.status);
        let mut right: Vec<Span> = Vec::new();
        if let Some(th) = &s.health.throttled {
            right.push(Span::styled(
                format!(" {} ", format::safe(th)),
                t.status_throttled,
            ));
            right.push(Span::raw(" "));
        }
        if s.is_busy() {
            right.push(Span::styled(
                format!("{} ", spinner(s.frame)),
                t.status.patch(t.spinner),
            ));
        }
        if s.health.calls > 0 {
            right.push(Span::styled(
                format!(
                    "  {} calls · ${:.2} ",
                    s.health.calls, s.health.estimated_usd
                ),
                t.status,
            ));
        }
        let right = Line::from(right);
        let right_w = right.width() as u16;

        let left = match &s.status {
            Some(m) if m.level == Level::Error || s.now - m.at < MESSAGE_MS => {
                let style = if m.level == Level::Error {
                    t.status_error
                } else {
                    t.status
                };
                Line::from(Span::styled(format!(" {} ", format::safe(&m.text)), style))
            }
            _ => failing_summary(s, t),
        };
        buf.set_line(area.x, area.y, &left, area.width.saturating_sub(right_w));
        if area.width > right_w {
            buf.set_line(area.right() - right_w, area.y, &right, right_w);
        }
    }
}

/// "● orders-api-create 18% errors · search-indexer 4.1k throttles", worst first.
fn failing_summary<'a>(s: &State, t: &Theme) -> Line<'a> {
    let mut bad: Vec<(f64, String, bool)> = s
        .functions
        .stats
        .iter()
        .filter(|(_, st)| st.unhealthy())
        .map(|(name, st)| {
            let thr = st.throttles.value().unwrap_or(0.0);
            let rate = st.error_rate().unwrap_or(0.0);
            if rate >= 1.0 {
                (
                    rate,
                    format!("{name} {} errors", format::percent(rate)),
                    false,
                )
            } else {
                (
                    thr,
                    format!("{name} {} throttles", format::count(thr)),
                    true,
                )
            }
        })
        .collect();
    if bad.is_empty() {
        if s.functions.stats.is_empty() {
            return Line::raw("");
        }
        return Line::from(Span::styled(
            " ● all functions in view are healthy",
            t.status.patch(t.ok),
        ));
    }
    bad.sort_by(|a, b| b.2.cmp(&a.2).reverse().then(b.0.total_cmp(&a.0)));
    let mut spans = vec![Span::raw(" ")];
    for (i, (_, text, throttle)) in bad.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.status.patch(t.dim)));
        }
        spans.push(Span::styled(
            "● ",
            t.status.patch(if throttle { t.throttled } else { t.error }),
        ));
        spans.push(Span::styled(text, t.status));
    }
    Line::from(spans)
}

pub struct Footer<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

/// The text being typed, if any, with its prompt.
fn input(state: &State) -> Option<(&'static str, &str)> {
    if let Some(f) = &state.filter_input {
        return Some(("/", f));
    }
    if let Some(Overlay::Palette(p)) = &state.overlay {
        return Some((":", p));
    }
    None
}

/// Where the terminal cursor goes while typing.
pub fn cursor(state: &State, footer: Rect) -> Option<Position> {
    let (prompt, text) = input(state)?;
    let x = footer.x + (prompt.len() + text.chars().count()) as u16;
    Some(Position {
        x: x.min(footer.right().saturating_sub(1)),
        y: footer.y,
    })
}

impl Widget for Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (s, t) = (self.state, self.theme);
        buf.set_style(area, t.base);
        if let Some((prompt, text)) = input(s) {
            let mut spans = vec![
                Span::styled(prompt, t.hint_key),
                Span::styled(format::safe(text).into_owned(), t.input),
            ];
            if prompt == "/" {
                let n = s.functions.rows.len();
                spans.push(Span::styled(
                    format!("   {n} match{}", if n == 1 { "" } else { "es" }),
                    t.dim,
                ));
            }
            buf.set_line(area.x, area.y, &Line::from(spans), area.width);
            return;
        }
        let mut spans = Vec::new();
        if !s.functions.filter.is_empty() && s.screen() == crate::state::Screen::Functions {
            spans.push(Span::styled(
                format!("/{} ", format::safe(&s.functions.filter)),
                t.input,
            ));
        }
        for (keys, desc) in keymap::hints(s) {
            spans.push(Span::styled(keys, t.hint_key));
            spans.push(Span::styled(format!(" {desc}  "), t.hint_text));
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }
}
