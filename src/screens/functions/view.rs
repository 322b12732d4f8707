//! The home screen: every function with its health over the window.
//!
//! ```text
//!   NAME ▲                 RUNTIME        INVOC   ERR  ERR%  THROT    P95  COLD  INVOCATIONS
//! ● orders-api-create      nodejs20.x      6.1k   1.1k  18%      0  142ms    38  ▃▄▅▄▅▆▇▆▇█
//! ● search-indexer         python3.12      2.3k      0   0%   4.1k  3.52s     9  ▅▅▆▆▇▇████
//!   orders-api-get         nodejs20.x     14.2k      3  <0.1%    0   31ms    21  ▄▅▄▅▆▅▆▇▆▇
//! ```
//! Only the rows in view are built, so 5,000 functions cost what 20 do. Columns drop by
//! priority when the terminal is narrow; the name column takes what is left.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::state::{Column, FunctionsScreen, matched_chars};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{Cell, FunctionStats};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::{centered, put, spinner};

pub struct FunctionsView<'a> {
    pub screen: &'a FunctionsScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

/// Columns in the order they are given up as the terminal narrows.
const PRIORITY: [Column; 12] = [
    Column::Name,
    Column::ErrorRate,
    Column::Invocations,
    Column::Errors,
    Column::Throttles,
    Column::P95,
    Column::ColdStarts,
    Column::Trend,
    Column::Runtime,
    Column::Modified,
    Column::Memory,
    Column::Timeout,
];

fn width(c: Column, total: u16) -> u16 {
    match c {
        Column::Health => 1,
        Column::Name => 20,
        Column::Runtime => 15,
        Column::Memory => 6,
        Column::Timeout => 7,
        Column::Modified => 9,
        Column::Invocations => 7,
        Column::Errors => 6,
        Column::ErrorRate => 6,
        Column::Throttles => 6,
        Column::P95 => 7,
        Column::ColdStarts => 5,
        Column::Trend if total >= 120 => 24,
        Column::Trend => 12,
    }
}

/// Which columns fit in `total` cells, in display order, and how wide the name column gets.
pub fn layout(total: u16, longest_name: u16) -> (Vec<Column>, u16) {
    let mut chosen = vec![Column::Name];
    let w = |c| width(c, total);
    let mut used = w(Column::Name) + 2; // health marker
    for c in PRIORITY.into_iter().skip(1) {
        if used + 1 + w(c) <= total {
            used += 1 + w(c);
            chosen.push(c);
        }
    }
    let name_w =
        (w(Column::Name) + total.saturating_sub(used)).min(longest_name.max(w(Column::Name)));
    let cols = Column::ALL
        .into_iter()
        .filter(|c| chosen.contains(c))
        .collect();
    (cols, name_w)
}

impl Widget for FunctionsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (ctx, theme, f) = (self.ctx, self.theme, self.screen);
        let list = match &ctx.catalog.list {
            Loadable::Idle | Loadable::Loading => {
                let text = format!(
                    "{} Loading functions from {}…",
                    spinner(ctx.frame),
                    format::safe(&ctx.source.to_string())
                );
                return centered(text, theme.spinner, area, buf);
            }
            Loadable::Failed(e) => {
                let text = vec![
                    Line::styled("Could not list functions", theme.error),
                    Line::raw(""),
                    Line::styled(format::safe(&e.to_string()).into_owned(), theme.base),
                    Line::raw(""),
                    Line::styled("ctrl-r retries · :q quits", theme.dim),
                ];
                let top = area.y + area.height / 3;
                let r = Rect {
                    y: top,
                    height: area.height.saturating_sub(top - area.y),
                    ..area
                };
                return Paragraph::new(text)
                    .alignment(Alignment::Center)
                    .wrap(Wrap { trim: true })
                    .render(r, buf);
            }
            Loadable::Loaded(list) => list,
        };
        if list.is_empty() {
            return centered(
                format!(
                    "No Lambda functions in {}.",
                    format::safe(&ctx.source.to_string())
                ),
                theme.dim,
                area,
                buf,
            );
        }
        if f.rows.is_empty() {
            let text = format!(
                "No function matches {:?} — esc clears the filter",
                format::safe(f.filter.text())
            );
            return centered(text, theme.dim, area, buf);
        }

        let longest = f
            .rows
            .iter()
            .map(|r| list[r.index].name.chars().count())
            .max()
            .unwrap_or(0) as u16;
        let (cols, name_w) = layout(area.width, longest);
        let w = |c: Column| {
            if c == Column::Name {
                name_w
            } else {
                width(c, area.width)
            }
        };

        // Column titles, with the sort arrow (over the health markers when sorted by health).
        if f.sort == Column::Health {
            buf.set_string(
                area.x,
                area.y,
                if f.descending { "▼" } else { "▲" },
                theme.table_header,
            );
        }
        let mut x = area.x + 2;
        for &c in &cols {
            let mut title = c.title().to_string();
            if c == f.sort {
                title.push(if f.descending { '▼' } else { '▲' });
            }
            let right = !matches!(
                c,
                Column::Name | Column::Runtime | Column::Trend | Column::Modified
            );
            put(buf, x, area.y, w(c), &title, theme.table_header, right);
            x += w(c) + 1;
        }

        let height = ctx.table_rows().min(area.height.saturating_sub(1) as usize);
        let end = (f.offset + height).min(f.rows.len());
        for (i, row) in f.rows[f.offset.min(end)..end].iter().enumerate() {
            let y = area.y + 1 + i as u16;
            let func = &list[row.index];
            let selected = f.offset + i == f.selected;
            let stats = ctx.catalog.stats.get(&func.name);
            let line_style = if selected { theme.selected } else { theme.base };
            buf.set_style(
                Rect {
                    x: area.x,
                    y,
                    width: area.width,
                    height: 1,
                },
                line_style,
            );
            let (marker, marker_style) = health_marker(stats, theme);
            buf.set_string(
                area.x,
                y,
                marker,
                if selected {
                    line_style.patch(marker_style)
                } else {
                    marker_style
                },
            );

            let mut x = area.x + 2;
            for &c in &cols {
                let cw = w(c);
                let style = |s: Style| {
                    if selected {
                        line_style.patch(s).bg(line_style.bg.unwrap_or_default())
                    } else {
                        s
                    }
                };
                match c {
                    Column::Name => {
                        let matched = matched_chars(&func.name, f.filter.text());
                        name_cell(
                            buf, x, y, cw, &func.name, &matched, line_style, theme, selected,
                        )
                    }
                    Column::Trend => {
                        let s = stats
                            .and_then(|s| s.trend.as_ref())
                            .map(|t| format::sparkline(t, cw as usize))
                            .unwrap_or_default();
                        put(buf, x, y, cw, &s, style(theme.sparkline), false);
                    }
                    _ => {
                        let (text, s) = cell_text(c, func, stats, ctx, theme);
                        let right = !matches!(c, Column::Runtime | Column::Modified);
                        put(buf, x, y, cw, &text, style(s), right);
                    }
                }
                x += cw + 1;
            }
            if f.marked.contains(&func.name) {
                // Picked for the logs screen (space marks, l opens their logs together).
                buf.set_string(area.x + 1, y, "+", theme.input);
            }
        }
        // A scroll position when the list is longer than the screen.
        if f.rows.len() > height && area.height > 1 {
            let text = format!(" {}/{} ", f.selected + 1, f.rows.len());
            let x = area.right().saturating_sub(text.len() as u16);
            buf.set_string(x, area.y, text, theme.dim);
        }
        // Why cells say n/a, under the table where there is room.
        let first_free = area.y + 1 + (end - f.offset.min(end)) as u16 + 1;
        let notes = unavailable_notes(f, ctx, &cols);
        for (i, note) in notes.iter().enumerate() {
            let y = area.bottom().saturating_sub((notes.len() - i) as u16);
            if y >= first_free {
                let line = format!(" n/a {}", format::safe(note));
                buf.set_stringn(area.x, y, line, area.width as usize, theme.dim);
            }
        }
    }
}

/// One line per distinct reason a shown column's cells on screen are unavailable.
fn unavailable_notes(f: &FunctionsScreen, ctx: &Ctx, cols: &[Column]) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for name in f.names_on_screen(&ctx.catalog, ctx.table_rows()) {
        let Some(s) = ctx.catalog.stats.get(&name) else {
            continue;
        };
        for (col, cell) in [
            (Column::Invocations, &s.invocations),
            (Column::Errors, &s.errors),
            (Column::Throttles, &s.throttles),
            (Column::P95, &s.p95_ms),
            (Column::ColdStarts, &s.cold_starts),
        ] {
            if let Cell::Unavailable(why) = cell
                && cols.contains(&col)
            {
                let note = format!("{}: {why}", col.title());
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
    }
    notes.truncate(3);
    notes
}

#[allow(clippy::too_many_arguments)]
fn name_cell(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    w: u16,
    name: &str,
    matched: &[usize],
    base: Style,
    theme: &Theme,
    selected: bool,
) {
    let name = format::safe(name);
    let truncated = name.chars().count() > w as usize;
    let spans: Vec<Span> = name
        .chars()
        .take(if truncated {
            w as usize - 1
        } else {
            w as usize
        })
        .enumerate()
        .map(|(i, ch)| {
            let s = if matched.contains(&i) {
                if selected {
                    base.patch(theme.matched).bg(base.bg.unwrap_or_default())
                } else {
                    theme.matched
                }
            } else {
                base
            };
            Span::styled(ch.to_string(), s)
        })
        .chain(truncated.then(|| Span::styled("…", base)))
        .collect();
    buf.set_line(x, y, &Line::from(spans), w);
}

fn health_marker(stats: Option<&FunctionStats>, theme: &Theme) -> (&'static str, Style) {
    let Some(s) = stats else {
        return ("·", theme.dim);
    };
    if s.throttles.value().is_some_and(|t| t > 0.0) {
        return ("●", theme.throttled);
    }
    match s.error_rate() {
        Some(r) if r >= 5.0 => ("●", theme.error),
        Some(r) if r >= 1.0 => ("●", theme.warn),
        Some(_) => ("●", theme.ok),
        None => ("○", theme.dim),
    }
}

fn cell_text(
    c: Column,
    func: &crate::domain::Function,
    stats: Option<&FunctionStats>,
    ctx: &Ctx,
    theme: &Theme,
) -> (String, Style) {
    match c {
        Column::Runtime => (
            format::safe(func.runtime.as_deref().unwrap_or("image")).into_owned(),
            theme.dim,
        ),
        Column::Memory => (format!("{}M", func.memory_mb), theme.dim),
        Column::Timeout => (format!("{}s", func.timeout_s), theme.dim),
        Column::Modified => {
            let recent = ctx.now - func.last_modified < 24 * crate::domain::HOUR_MS;
            (
                format::ago(func.last_modified, ctx.now),
                if recent { theme.warn } else { theme.dim },
            )
        }
        _ => {
            let pending = || -> (String, Style) {
                // The metrics call failed (the status line says why): say so in the cell.
                if ctx.catalog.stats_problem.is_some() {
                    ("n/a".into(), theme.dim)
                } else if ctx.catalog.is_busy() {
                    (spinner(ctx.frame).to_string(), theme.spinner)
                } else {
                    (String::new(), theme.dim)
                }
            };
            let Some(s) = stats else {
                return pending();
            };
            let cell = |cell: &Cell, fmt: fn(f64) -> String, hot: Style| -> (String, Style) {
                match cell {
                    Cell::Value(v) if *v > 0.0 => (fmt(*v), hot),
                    Cell::Value(v) => (fmt(*v), theme.dim),
                    Cell::NoData => ("-".into(), theme.dim),
                    Cell::Unavailable(_) => ("n/a".into(), theme.dim),
                    Cell::Pending => pending(),
                }
            };
            match c {
                Column::Invocations => cell(&s.invocations, format::count, theme.base),
                Column::Errors => cell(&s.errors, format::count, theme.error),
                Column::Throttles => cell(&s.throttles, format::count, theme.throttled),
                Column::P95 => {
                    let slow = s
                        .p95_ms
                        .value()
                        .is_some_and(|v| v > 0.8 * f64::from(func.timeout_s) * 1000.0);
                    cell(
                        &s.p95_ms,
                        format::millis,
                        if slow { theme.warn } else { theme.base },
                    )
                }
                Column::ColdStarts => cell(&s.cold_starts, format::count, theme.base),
                Column::ErrorRate => match s.error_rate() {
                    Some(r) => {
                        let style = if r >= 5.0 {
                            theme.error
                        } else if r >= 1.0 {
                            theme.warn
                        } else if r > 0.0 {
                            theme.base
                        } else {
                            theme.dim
                        };
                        (format::percent(r), style)
                    }
                    None => ("-".into(), theme.dim),
                },
                _ => (String::new(), theme.base),
            }
        }
    }
}
