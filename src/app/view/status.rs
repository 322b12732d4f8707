//! The two bottom lines.
//!
//! ```text
//! ● orders-api-create 18% errors · search-indexer throttled            calls 12 · $0.00
//! enter open function  / filter  s sort column  ? help  : command  q quit
//! ```
//! The status line shows, in this order: a fresh message; a refresh that is failing, with the
//! age of the data still shown; or what is failing in the account. Messages fade, so an error
//! that has passed leaves the line by itself. The footer shows key hints from the keymaps, or
//! the input being typed in.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::catalog::Problem;
use crate::app::keys;
use crate::app::router::ScreenKind;
use crate::app::state::{Level, Overlay, State};
use crate::domain::EpochMs;
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::spinner;

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
        let ctx = &s.ctx;
        buf.set_style(area, t.status);
        let mut right: Vec<Span> = Vec::new();
        if let Some(th) = &ctx.health.throttled {
            // AWS throttles our calls to an API: said so, lest it read as a function's throttles.
            right.push(Span::styled(
                format!(" AWS {} ", format::safe(th)),
                t.status_throttled,
            ));
            right.push(Span::raw(" "));
        }
        if s.is_busy() {
            right.push(Span::styled(
                format!("{} ", spinner(ctx.frame)),
                t.status.patch(t.spinner),
            ));
        }
        if ctx.health.calls > 0 {
            right.push(Span::styled(
                format!(
                    "  {} · ${:.2} ",
                    format::plural(ctx.health.calls, "call", "calls"),
                    ctx.health.estimated_usd
                ),
                t.status,
            ));
        }
        let right = Line::from(right);
        let right_w = right.width() as u16;

        let stale = [
            ("functions", &ctx.catalog.list_problem),
            ("metrics", &ctx.catalog.stats_problem),
        ]
        .into_iter()
        .find_map(|(what, p)| p.as_ref().map(|p| (what, p)));
        // The rows on the functions screen are renewed every `rows_every`; elsewhere only the
        // account-wide health pass renews them.
        let every = if s.top().kind() == ScreenKind::Functions {
            ctx.policy.rows_every
        } else {
            ctx.policy.health_every(ctx.catalog.functions().len())
        };
        let old = ctx.catalog.stale_for(ctx.now, every);
        let left = match (&ctx.status, stale, old) {
            (Some(m), _, _) if m.fresh(ctx.now) => {
                let style = match m.level {
                    Level::Error => t.status_error,
                    Level::Warn => t.status.patch(t.warn),
                    Level::Info => t.status,
                };
                Line::from(Span::styled(format!(" {} ", format::safe(&m.text)), style))
            }
            (_, Some((what, p)), _) => stale_line(what, p, ctx.now, t),
            // Nothing failed, and nothing new came: never "all healthy" on old figures.
            (_, None, Some(age)) => Line::from(Span::styled(
                format!(
                    " metrics: stale, figures from {} (no refresh has answered since), retrying ",
                    format::ago(ctx.now - age, ctx.now)
                ),
                t.status.patch(t.warn),
            )),
            _ => failing_summary(s, t, usize::from(area.width.saturating_sub(right_w))),
        };
        buf.set_line(area.x, area.y, &left, area.width.saturating_sub(right_w));
        if area.width > right_w {
            buf.set_line(area.right() - right_w, area.y, &right, right_w);
        }
    }
}

/// "metrics: cannot reach … · showing figures from 3m ago".
fn stale_line<'a>(what: &str, p: &Problem, now: EpochMs, t: &Theme) -> Line<'a> {
    let age = match p.data_from {
        Some(at) => format!(" · showing figures from {}", format::ago(at, now)),
        None => String::new(),
    };
    Line::from(Span::styled(
        format!(
            " {what}: {}{age}, retrying ",
            format::safe(&p.error.to_string())
        ),
        t.status_error,
    ))
}

/// "● orders-api-create 18% errors · search-indexer 4.1k throttles", worst first, in `room`
/// columns. Only whole items: a name cut off beside the badge on the right would read as one
/// sentence with it. What does not fit is counted ("+2 more"), or summed up when none does.
fn failing_summary<'a>(s: &State, t: &Theme, room: usize) -> Line<'a> {
    let catalog = &s.ctx.catalog;
    let bad = catalog.unhealthy();
    if bad.is_empty() {
        if catalog.stats.is_empty() {
            return Line::raw("");
        }
        return Line::from(Span::styled(
            " ● all functions are healthy",
            t.status.patch(t.ok),
        ));
    }
    let items: Vec<[Span<'a>; 2]> = bad
        .iter()
        .map(|(name, st)| {
            let rate = st.error_rate().unwrap_or(0.0);
            let (text, throttle) = if rate >= 1.0 {
                (
                    format!("{} {} errors", format::safe(name), format::percent(rate)),
                    false,
                )
            } else {
                let thr = st.throttles.value().unwrap_or(0.0);
                (
                    format!("{} {} throttles", format::safe(name), format::count(thr)),
                    true,
                )
            };
            [
                Span::styled(
                    "● ",
                    t.status.patch(if throttle { t.throttled } else { t.error }),
                ),
                Span::styled(text, t.status),
            ]
        })
        .collect();
    let n = items.len();
    let more = |k: usize| format!(" · +{k} more");
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (i, [mark, text]) in items.into_iter().enumerate() {
        let sep = if i > 0 { 3 } else { 0 };
        let w = sep + mark.width() + text.width();
        let after = n - i - 1;
        let tail = if after > 0 {
            more(after).chars().count()
        } else {
            0
        };
        if used + w + tail > room {
            if i == 0 {
                let sum = format!(" ● {n} unhealthy");
                if sum.chars().count() > room {
                    return Line::raw("");
                }
                return Line::from(Span::styled(sum, t.status.patch(t.error)));
            }
            spans.push(Span::styled(more(n - i), t.status.patch(t.dim)));
            break;
        }
        if i > 0 {
            spans.push(Span::styled(" · ", t.status.patch(t.dim)));
        }
        spans.extend([mark, text]);
        used += w;
    }
    Line::from(spans)
}

pub struct Footer<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

/// The text being typed, if any: the palette's, or the screen's input.
fn input(state: &State) -> Option<(String, String, Option<String>)> {
    if let Some(Overlay::Palette(p)) = &state.overlay {
        return Some((":".into(), p.clone(), None));
    }
    if state.overlay.is_some() {
        return None;
    }
    let i = state.top().base().input()?;
    Some((i.prompt.to_string(), i.text.to_string(), i.note))
}

/// Where the terminal cursor goes while typing.
pub fn cursor(state: &State, footer: Rect) -> Option<Position> {
    let (prompt, text, _) = input(state)?;
    let x = footer.x + (prompt.chars().count() + format::safe(&text).chars().count()) as u16;
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
        if let Some((prompt, text, note)) = input(s) {
            let mut spans = vec![
                Span::styled(prompt, t.hint_key),
                Span::styled(format::safe(&text).into_owned(), t.input),
            ];
            if let Some(note) = note {
                spans.push(Span::styled(format!("   {}", format::safe(&note)), t.dim));
            }
            buf.set_line(area.x, area.y, &Line::from(spans), area.width);
            return;
        }
        let mut spans = Vec::new();
        if let Some(i) = s.top().base().input_summary() {
            spans.push(Span::styled(format!("{} ", format::safe(&i)), t.input));
        }
        let room =
            usize::from(area.width).saturating_sub(spans.iter().map(|s| s.width()).sum::<usize>());
        for (keys, desc) in keys::hints(s, room) {
            spans.push(Span::styled(keys, t.hint_key));
            spans.push(Span::styled(format!(" {desc}  "), t.hint_text));
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }
}
