//! The trace list.
//!
//! ```text
//!  13:00–14:00 UTC · service(id(name: "orders-api-create", …))         ⠋ span 1/1 · 3 pages · 412
//!  START ▼   DURATION STATUS METHOD URL                 ENTRY            FLAGS COLD ROOT CAUSE
//!  14:02:11     1.24s    502 POST   /prod/orders        shop-api/prod    F     cold orders-api-…
//!  14:02:09      91ms    201 POST   /prod/orders        shop-api/prod
//! ```
//! Only the rows in view are drawn. Columns give way by priority as the terminal narrows; URL,
//! entry and root cause share what is left.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::state::{Column, ScanStatus, TracesScreen};
use crate::app::state::Ctx;
use crate::domain::{EpochMs, TimeWindow, TraceSummary};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::{centered, centered_wrapped, put, spinner};

pub struct TracesView<'a> {
    pub screen: &'a TracesScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

/// Fixed widths; `None` for the columns that share the rest.
fn width(c: Column) -> Option<u16> {
    Some(match c {
        Column::Start => 8,
        Column::Duration => 8,
        Column::Response => 8,
        Column::Status => 6,
        Column::Method => 6,
        Column::Flags => 5,
        Column::Cold => 4,
        Column::Url | Column::Entry | Column::RootCause => return None,
    })
}

/// The columns that fit in `total` cells, in display order, with their widths.
pub fn layout(total: u16) -> Vec<(Column, u16)> {
    // In the order they are given up as the terminal narrows.
    let priority = [
        (Column::Start, 0),
        (Column::Duration, 0),
        (Column::Status, 0),
        (Column::Url, 16),
        (Column::Flags, 0),
        (Column::Cold, 0),
        (Column::Method, 0),
        (Column::Entry, 14),
        (Column::Response, 0),
        (Column::RootCause, 24),
    ];
    let mut chosen = Vec::new();
    let mut used = 1u16;
    for (c, min_flex) in priority {
        let w = width(c).unwrap_or(min_flex);
        if used + w < total {
            used += w + 1;
            chosen.push(c);
        }
    }
    let flex: Vec<Column> = chosen
        .iter()
        .copied()
        .filter(|c| width(*c).is_none())
        .collect();
    let spare = total.saturating_sub(used);
    let mut out = Vec::new();
    for c in Column::ALL.into_iter().filter(|c| chosen.contains(c)) {
        let w = match width(c) {
            Some(w) => w,
            None => {
                let base = match c {
                    Column::Url => 16,
                    Column::Entry => 14,
                    _ => 24,
                };
                // The URL and the root cause take most of what is left.
                let share = match (c, flex.len()) {
                    (_, 1) => spare,
                    (Column::Entry, _) => spare / 5,
                    (Column::Url, 2) => spare - spare / 5,
                    (Column::Url, _) => (spare - spare / 5) / 2,
                    _ => (spare - spare / 5) - (spare - spare / 5) / 2,
                };
                base + share
            }
        };
        out.push((c, w));
    }
    out
}

fn hms(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// "13:00–14:00 UTC" (dates when the window spans days).
pub fn window_label(w: TimeWindow) -> String {
    format!(
        "{}–{} UTC",
        format::axis_time(w.start, w.len_ms()),
        format::axis_time(w.end, w.len_ms())
    )
}

impl TracesView<'_> {
    fn head(&self, area: Rect, buf: &mut Buffer) {
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        let window = s.scan.as_ref().map_or(ctx.focus(), |sc| sc.query.window);
        let mut left = vec![Span::styled(format!(" {} ", window_label(window)), t.title)];
        if ctx.incident.is_some() {
            left.push(Span::styled("incident window ", t.warn));
        }
        left.push(Span::styled("· ", t.dim));
        if s.filter.trim().is_empty() {
            left.push(Span::styled("all traces (f filters)", t.dim));
        } else {
            left.push(Span::styled(
                format::safe(s.filter.trim()).into_owned(),
                t.input,
            ));
        }
        let mut right = String::new();
        let found = s.summaries().len();
        if let Some(scan) = &s.scan {
            match &scan.status {
                ScanStatus::Scanning(cursor) => {
                    right = format!(
                        "{} span {}/{} · {} page{} · {} ",
                        spinner(ctx.frame),
                        (cursor.span + 1).min(scan.spans.max(1)),
                        scan.spans.max(1),
                        scan.pages,
                        if scan.pages == 1 { "" } else { "s" },
                        format::count(found as f64)
                    )
                }
                ScanStatus::Done if scan.is_full() => {
                    right = format!("newest {} (limit) ", format::count(found as f64))
                }
                ScanStatus::Done => right = format!("{} traces ", format::count(found as f64)),
                ScanStatus::Failed(_) => {
                    right = format!("stopped after {} pages · {} ", scan.pages, found)
                }
            }
        }
        if s.topup.is_some() {
            right = format!("{} {right}", spinner(ctx.frame));
        }
        if s.rows.len() > s.list_height(ctx) {
            right = format!("{}/{} · {right}", s.selected + 1, s.rows.len());
        }
        // The count wins over a long filter: the filter is cut where the count begins.
        let w = right.chars().count() as u16;
        let room = if w < area.width / 2 {
            buf.set_string(area.right() - w, area.y, right, t.dim);
            area.width - w - 1
        } else {
            area.width
        };
        buf.set_line(area.x, area.y, &Line::from(left), room);
    }

    fn rejected(&self, area: Rect, buf: &mut Buffer) {
        let (s, t) = (self.screen, self.theme);
        if let Some((typed, why)) = &s.rejected {
            let line = Line::from(vec![
                Span::styled(" ✗ ", t.error),
                Span::styled(format::safe(typed).into_owned(), t.input),
                Span::styled(format!("  {}", format::safe(why)), t.error),
                Span::styled("  (f to fix)", t.dim),
            ]);
            buf.set_line(area.x, area.y, &line, area.width);
        }
    }

    fn cell(&self, c: Column, tr: &TraceSummary) -> (String, Style) {
        let (s, t) = (self.screen, self.theme);
        match c {
            Column::Start => (hms(tr.start), t.dim),
            Column::Duration => (
                format::millis(tr.duration_ms),
                if tr.duration_ms >= 1000.0 {
                    t.warn
                } else {
                    t.base
                },
            ),
            Column::Response => (
                tr.response_time_ms.map(format::millis).unwrap_or_default(),
                t.dim,
            ),
            Column::Status => match tr.http_status {
                Some(st) if st >= 500 => (st.to_string(), t.waterfall_fault),
                Some(429) => ("429".into(), t.waterfall_throttle),
                Some(st) if st >= 400 => (st.to_string(), t.waterfall_error),
                Some(st) => (st.to_string(), t.base),
                None => ("-".into(), t.dim),
            },
            Column::Method => (
                format::safe(tr.http_method.as_deref().unwrap_or("")).into_owned(),
                t.base,
            ),
            Column::Url => (
                format::safe(tr.url_path().unwrap_or("")).into_owned(),
                t.base,
            ),
            Column::Entry => (
                format::safe(tr.entry.as_ref().map_or("", |e| e.name.as_str())).into_owned(),
                t.dim,
            ),
            Column::Flags => {
                let mut f = String::new();
                let mut style = t.dim;
                if tr.has_throttle {
                    f.push('T');
                    style = t.waterfall_throttle;
                }
                if tr.has_error {
                    f.insert(0, 'E');
                    style = t.waterfall_error;
                }
                if tr.has_fault {
                    f.insert(0, 'F');
                    style = t.waterfall_fault;
                }
                (f, style)
            }
            Column::Cold => match s.cold_start(tr) {
                Some(true) => ("cold".into(), t.waterfall_cold),
                Some(false) => (String::new(), t.dim),
                None if s.cold.contains_key(&tr.id) => ("?".into(), t.dim),
                None => ("·".into(), t.dim),
            },
            Column::RootCause => (
                format::safe(tr.root_cause.as_deref().unwrap_or("")).into_owned(),
                t.error,
            ),
        }
    }
}

impl Widget for TracesView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        self.head(area, buf);
        let mut top = area.y + 1;
        if s.rejected.is_some() && area.height > 2 {
            self.rejected(
                Rect {
                    y: top,
                    height: 1,
                    ..area
                },
                buf,
            );
            top += 1;
        }
        let body = Rect {
            y: top,
            height: area.bottom().saturating_sub(top),
            ..area
        };
        if body.height == 0 {
            return;
        }
        let found = s.summaries();
        let scanning = s.scan.as_ref().is_none_or(|sc| sc.is_scanning());
        if found.is_empty() {
            let text = match s.scan.as_ref().map(|sc| &sc.status) {
                Some(ScanStatus::Failed(e)) => (format!("Could not list traces: {e}"), t.error),
                _ if scanning => (
                    format!("{} Scanning X-Ray traces…", spinner(ctx.frame)),
                    t.spinner,
                ),
                _ => (
                    "No traces in this window match. f changes the filter · ] widens the window"
                        .to_string(),
                    t.dim,
                ),
            };
            return centered_wrapped(format::safe(&text.0).into_owned(), text.1, body, buf);
        }
        if s.rows.is_empty() {
            let text = format!(
                "No trace matches /{} — esc clears the search",
                format::safe(s.search.text())
            );
            return centered(text, t.dim, body, buf);
        }
        let cols = layout(body.width);
        let mut x = body.x + 1;
        for &(c, w) in &cols {
            let mut title = c.title().to_string();
            if c == s.sort {
                title.push(if s.descending { '▼' } else { '▲' });
            }
            let right = matches!(c, Column::Duration | Column::Response | Column::Status);
            put(buf, x, body.y, w, &title, t.table_header, right);
            x += w + 1;
        }
        let height = s
            .list_height(ctx)
            .min(body.height.saturating_sub(1) as usize);
        let end = (s.offset + height).min(s.rows.len());
        for (n, &i) in s.rows[s.offset.min(end)..end].iter().enumerate() {
            let y = body.y + 1 + n as u16;
            let tr = &found[i];
            let selected = s.offset + n == s.selected;
            let line = if selected { t.selected } else { t.base };
            buf.set_style(
                Rect {
                    y,
                    height: 1,
                    ..body
                },
                line,
            );
            let mut x = body.x + 1;
            for &(c, w) in &cols {
                let (text, style) = self.cell(c, tr);
                let style = if selected {
                    line.patch(style).bg(line.bg.unwrap_or_default())
                } else {
                    style
                };
                let right = matches!(c, Column::Duration | Column::Response | Column::Status);
                put(buf, x, y, w, &text, style, right);
                x += w + 1;
            }
        }
    }
}
