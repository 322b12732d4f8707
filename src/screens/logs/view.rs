//! The Logs screen.
//!
//! ```text
//!  logs orders-api-create · Live Tail · lag 1.2s · 34 ev/s · 12.3k lines · following
//!  ⠋ loading older…
//!  14:02:11.123 orders-api-create ✓ 85ms  billed 86ms  mem 120/512 MB  cold 320ms  7f3a…
//!  14:02:11.201 orders-api-create ✗ TypeError 52ms  billed 53ms  mem 118/512 MB   8c1d…
//!    │ 14:02:11.201 START RequestId: 8c1d… Version: $LATEST
//!    │ 14:02:11.240 ERROR Invoke Error {"errorType":"TypeError",…} ⏎ +3
//!  14:02:12.000 not fetched: 14:02:12–14:02:40
//! ```
//! `i` swaps the lines for Logs Insights (queries on the left, the table on the right), `v` for
//! the error groups.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use super::rows::Row;
use super::{LogsScreen, Mode, QUIET_AFTER_MS, Stamps};
use crate::app::state::Ctx;
use crate::domain::{Outcome, TailMode, TimeWindow};
use crate::model::logs::{Inv, Kind};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::spinner;

/// Log text shown on a row at most; a longer line is cut with a marker (and kept whole for
/// copy and save).
const SHOWN_BYTES: usize = 4096;

pub struct LogsView<'a> {
    pub screen: &'a LogsScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

impl Widget for LogsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        self.header(head, buf);
        match self.screen.mode {
            Mode::Lines => self.lines(body, buf),
            Mode::Insights => {
                let s = self.screen;
                let window = TimeWindow::new(s.window.start, s.window.end.max(self.ctx.now));
                s.insights
                    .render(window, self.ctx.frame, self.theme, body, buf)
            }
            Mode::ErrorGroups => {
                let s = self.screen;
                s.error_groups
                    .render(&s.buffer, s.window, self.theme, body, buf)
            }
        }
    }
}

fn fn_style(t: &Theme, i: u16) -> Style {
    [
        t.log_fn1, t.log_fn2, t.log_fn3, t.log_fn4, t.log_fn5, t.log_fn6,
    ][usize::from(i) % 6]
}

impl LogsView<'_> {
    fn header(&self, area: Rect, buf: &mut Buffer) {
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        let sep = Span::styled(" · ", t.dim);
        let mut spans = vec![Span::styled(
            format!(" logs {} ", format::safe(&s.title_label())),
            t.title,
        )];
        let source = if !s.live {
            format!(
                "window {}–{}",
                format::time_of_day(s.window.start),
                format::time_of_day(s.window.end)
            )
        } else {
            match (&ctx.source, s.tail.mode) {
                (crate::domain::SourceInfo::Demo { .. }, _) => TailMode::Demo.label().to_string(),
                (_, Some(m)) => m.label().to_string(),
                (_, None) => "connecting…".to_string(),
            }
        };
        spans.push(Span::styled(source, t.base));
        // Following or not comes first: it is what a narrow terminal must still show.
        if s.mode == Mode::Lines && s.live {
            spans.push(sep.clone());
            spans.push(if s.following {
                Span::styled("following", t.ok)
            } else {
                Span::styled("paused · G follows", t.warn)
            });
        }
        if s.live {
            // Lag is how late events arrive; a tail with nothing new says it is quiet.
            match (s.tail.newest, s.tail.lag) {
                (Some((_, arrived)), _) if ctx.now - arrived >= QUIET_AFTER_MS => {
                    spans.push(sep.clone());
                    spans.push(Span::styled(
                        format!("quiet {}", format::ago(arrived, ctx.now)),
                        t.dim,
                    ));
                }
                (_, Some(lag)) => {
                    spans.push(sep.clone());
                    let lag = match lag {
                        0 => "<1ms".to_string(),
                        ms => format::millis(ms as f64),
                    };
                    spans.push(Span::styled(format!("lag {lag}"), t.base));
                }
                _ => {}
            }
            spans.push(sep.clone());
            spans.push(Span::styled(
                format!("{:.1} ev/s", s.tail.rate(ctx.now)),
                t.base,
            ));
        }
        spans.push(sep.clone());
        spans.push(Span::styled(
            format!("{} lines", format::count(s.buffer.len() as f64)),
            t.base,
        ));
        let drops = s.buffer.dropped + s.tail.dropped;
        if drops > 0 {
            spans.push(sep.clone());
            spans.push(Span::styled(
                format!(
                    "dropped {} (ring {} + behind {})",
                    format::count(drops as f64),
                    s.buffer.dropped,
                    s.tail.dropped
                ),
                t.warn,
            ));
        }
        if s.tail.sampled && s.tail.mode == Some(TailMode::LiveTail) {
            spans.push(sep.clone());
            spans.push(Span::styled("Live Tail is sampling (>500 ev/s)", t.warn));
        }
        if s.live && s.groups.len() > s.tailed_groups().len() {
            spans.push(sep.clone());
            spans.push(Span::styled(
                format!(
                    "following {} of {} groups (narrow with :logs NAME…)",
                    s.tailed_groups().len(),
                    s.groups.len()
                ),
                t.warn,
            ));
        }
        match s.tail.unreadable.iter().next() {
            Some((group, why)) if s.tail.unreadable.len() == 1 => {
                spans.push(sep.clone());
                spans.push(Span::styled(
                    format!("{}: {}", format::safe(group), format::safe(why)),
                    t.warn,
                ));
            }
            Some((group, why)) => {
                spans.push(sep.clone());
                spans.push(Span::styled(
                    format!(
                        "{} groups unreadable ({}: {}, …)",
                        s.tail.unreadable.len(),
                        format::safe(group),
                        format::safe(why)
                    ),
                    t.warn,
                ));
            }
            None => {}
        }
        if s.tail.gaps > 0 {
            spans.push(sep.clone());
            spans.push(Span::styled(format!("{} gaps", s.tail.gaps), t.log_gap));
        }
        if let Some(i) = &s.tail.interrupted {
            spans.push(sep.clone());
            spans.push(Span::styled(
                format!("interrupted: {}", format::safe(i)),
                t.error,
            ));
        }
        if !s.server_filter.is_empty() {
            spans.push(sep.clone());
            spans.push(Span::styled(
                format!("filter {}", format::safe(&s.server_filter)),
                t.input,
            ));
        }
        let mut filters = Vec::new();
        if s.errors_only {
            filters.push("errors only".to_string());
        }
        if let Some(l) = s.level {
            filters.push(format!("≥{}", l.as_str()));
        }
        if !s.folded {
            filters.push("every line".into());
        }
        if !filters.is_empty() {
            spans.push(sep.clone());
            spans.push(Span::styled(filters.join(" "), t.input));
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }

    fn lines(&self, area: Rect, buf: &mut Buffer) {
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        if s.rows.is_empty() {
            let text = if !s.history.loaded || s.groups.is_empty() {
                Line::styled(format!("{} loading logs…", spinner(ctx.frame)), t.spinner)
            } else if let Some(e) = &s.history.error {
                Line::styled(
                    format!("could not load logs: {}", format::safe(&e.to_string())),
                    t.error,
                )
            } else if s.filtering() {
                Line::styled(
                    "nothing matches the filters (esc clears the search; e, L toggle filters)",
                    t.dim,
                )
            } else {
                Line::styled(
                    format!(
                        "no log events between {} and {}{}",
                        format::time_of_day(s.window.start),
                        format::time_of_day(s.window.end),
                        if s.live { "; waiting for new ones" } else { "" }
                    ),
                    t.dim,
                )
            };
            Paragraph::new(text).render(area, buf);
            return;
        }
        let mut y = area.y;
        if s.top == 0 && s.history.loading {
            buf.set_line(
                area.x,
                y,
                &Line::styled(format!(" {} loading older…", spinner(ctx.frame)), t.spinner),
                area.width,
            );
            y += 1;
        } else if s.top == 0 && s.history.full {
            buf.set_line(
                area.x,
                y,
                &Line::styled(" buffer full: older lines are not loaded", t.warn),
                area.width,
            );
            y += 1;
        }
        let mut i = s.top;
        while y < area.bottom() {
            let Some(row) = s.rows.get(i).copied() else {
                break;
            };
            let lines = self.row_lines(row, area.width as usize);
            for mut line in lines {
                if y >= area.bottom() {
                    break;
                }
                if i == s.cursor {
                    line = line.patch_style(t.selected);
                    buf.set_style(Rect::new(area.x, y, area.width, 1), t.selected);
                }
                buf.set_line(area.x, y, &line, area.width);
                y += 1;
            }
            i += 1;
        }
    }

    fn stamp(&self, ts: i64) -> Option<Span<'static>> {
        let (s, t) = (self.screen, self.theme);
        match s.stamps {
            Stamps::Off => None,
            Stamps::Absolute => Some(Span::styled(
                format!("{} ", format::time_ms(ts)),
                t.log_time,
            )),
            Stamps::Relative => {
                let base = s
                    .rows
                    .get(s.cursor)
                    .and_then(|r| r.seq(s))
                    .and_then(|q| s.buffer.line(q))
                    .map_or(ts, |(l, _)| l.ts);
                Some(Span::styled(
                    format!("{:>9} ", format::relative(ts, base)),
                    t.log_time,
                ))
            }
        }
    }

    fn function(&self, f: u16) -> Option<Span<'static>> {
        let s = self.screen;
        (s.functions.len() > 1).then(|| {
            Span::styled(
                format!("{} ", format::safe(s.buffer.functions.name(u32::from(f)))),
                fn_style(self.theme, f),
            )
        })
    }

    /// The screen lines of one row (several when wrapping or expanded).
    fn row_lines(&self, row: Row, width: usize) -> Vec<Line<'static>> {
        match row {
            Row::Inv(id) => match self.screen.buffer.inv(id) {
                Some(inv) => vec![self.summary(id, inv)],
                None => vec![],
            },
            Row::Line(q) => self.log_line(q, "", width),
            Row::Child(q) => self.log_line(q, "  │ ", width),
        }
    }

    fn summary(&self, id: u32, inv: &Inv) -> Line<'static> {
        let (s, t) = (self.screen, self.theme);
        let mut spans = Vec::new();
        let open = if s.expanded.contains(&id) {
            "▾ "
        } else {
            "▸ "
        };
        spans.push(Span::styled(open, t.dim));
        spans.extend(self.stamp(inv.start));
        spans.extend(self.function(inv.function));
        let (mark, style) = match &inv.outcome {
            None => ("… running".to_string(), t.dim),
            Some(Outcome::Success) if inv.failed() => ("! logged errors".to_string(), t.warn),
            Some(Outcome::Success) => ("✓".to_string(), t.ok),
            Some(Outcome::Timeout) => ("✗ TIMEOUT".to_string(), t.error),
            Some(o) if o.is_oom() => ("✗ OUT OF MEMORY".to_string(), t.error),
            Some(Outcome::Error(e)) => (format!("✗ {}", format::safe(e)), t.error),
        };
        spans.push(Span::styled(format!("{mark} "), style));
        if let Some(r) = &inv.report {
            spans.push(Span::styled(
                format!(
                    "{} billed {} ",
                    format::millis(r.duration_ms),
                    format::millis(r.billed_ms)
                ),
                t.log_summary,
            ));
            if r.memory_mb > 0 {
                let used = f64::from(r.max_memory_used_mb) / f64::from(r.memory_mb) * 100.0;
                let style = if used >= 90.0 { t.warn } else { t.log_summary };
                spans.push(Span::styled(
                    format!(
                        "mem {}/{} MB ({:.0}%) ",
                        r.max_memory_used_mb, r.memory_mb, used
                    ),
                    style,
                ));
            }
            if let Some(init) = r.init_ms.or(r.restore_ms) {
                let what = if r.restore_ms.is_some() {
                    "restore"
                } else {
                    "cold"
                };
                spans.push(Span::styled(
                    format!("{what} {} ", format::millis(init)),
                    t.log_cold,
                ));
            }
        } else if !inv.ended {
            spans.push(Span::styled("no END yet ", t.dim));
        }
        spans.push(Span::styled(
            format::safe(&inv.request_id).into_owned(),
            t.dim,
        ));
        if inv.trace_id.is_some() {
            spans.push(Span::styled(" · trace", t.dim));
        }
        Line::from(spans)
    }

    fn log_line(&self, seq: i64, indent: &'static str, width: usize) -> Vec<Line<'static>> {
        let (s, t) = (self.screen, self.theme);
        let Some((l, raw)) = s.buffer.line(seq) else {
            return vec![];
        };
        let style = match (l.kind, l.level) {
            (Kind::Gap, _) => t.log_gap,
            (_, 5 | 6) => t.log_error,
            (_, 4) => t.log_warn,
            (_, 1 | 2) => t.log_debug,
            (k, _) if k.is_platform() => t.log_platform,
            _ => t.log_info,
        };
        let full = raw.len();
        let cut = &raw[..full.min(SHOWN_BYTES)];
        let text = String::from_utf8_lossy(cut);
        let open = s.open_lines.contains(&seq);
        let mut prefix: Vec<Span<'static>> = vec![Span::raw(indent)];
        if l.kind != Kind::Gap {
            prefix.extend(self.stamp(l.ts));
            prefix.extend(self.function(l.function));
        }
        let prefix_w: usize = prefix.iter().map(|p| p.content.width()).sum();
        // Physical lines of the message: a stack trace or pretty JSON when opened, one folded
        // line otherwise.
        let mut physical: Vec<String> = if open {
            pretty(&text)
        } else {
            let parts: Vec<&str> = text
                .split(['\n', '\r'])
                .filter(|p| !p.trim().is_empty())
                .collect();
            let mut first = parts
                .first()
                .map_or(String::new(), |p| format::safe(p).into_owned());
            if parts.len() > 1 {
                first.push_str(&format!(" ⏎ +{}", parts.len() - 1));
            }
            vec![first]
        };
        if full > SHOWN_BYTES
            && let Some(last) = physical.last_mut()
        {
            last.push_str(&format!(
                " … [{} line cut; y copies, s saves it whole]",
                format::bytes(full as u64)
            ));
        }
        let room = width.saturating_sub(prefix_w).max(10);
        let mut out = Vec::new();
        for (n, p) in physical.into_iter().enumerate() {
            let chunks = if s.wrap { wrap(&p, room) } else { vec![p] };
            for (k, chunk) in chunks.into_iter().enumerate() {
                let mut spans = if n == 0 && k == 0 {
                    prefix.clone()
                } else {
                    vec![Span::raw(" ".repeat(prefix_w))]
                };
                spans.extend(self.highlight(&chunk, style));
                out.push(Line::from(spans));
            }
        }
        out
    }

    /// Splits safe text into spans, matches of the search in the match style.
    fn highlight(&self, text: &str, style: Style) -> Vec<Span<'static>> {
        let s = self.screen;
        let Some(m) = s.search.matcher.as_ref() else {
            return vec![Span::styled(text.to_string(), style)];
        };
        let mut out = Vec::new();
        let mut at = 0;
        for (a, b) in m.ranges(text) {
            if a < at || b > text.len() || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
                continue;
            }
            if a > at {
                out.push(Span::styled(text[at..a].to_string(), style));
            }
            out.push(Span::styled(text[a..b].to_string(), self.theme.log_match));
            at = b;
        }
        if at < text.len() {
            out.push(Span::styled(text[at..].to_string(), style));
        }
        out
    }
}

impl LogsScreen {
    fn title_label(&self) -> String {
        match self.functions.as_slice() {
            [] => "…".into(),
            [one] => one.clone(),
            many if self.place.functions.is_empty() => format!("all {} functions", many.len()),
            many => format!("{} functions", many.len()),
        }
    }
}

/// Pads or cuts to exactly `w` columns.
pub(super) fn fit(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

/// Splits into chunks of at most `w` columns.
fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w {
            out.push(String::new());
            used = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        used += cw;
    }
    out
}

/// An opened message: JSON pretty-printed (nested JSON in `message` too), a stack trace line
/// by line (Node's `\r`, Python's NBSP indentation shown as spaces), all made safe.
fn pretty(text: &str) -> Vec<String> {
    let trimmed = text.trim();
    if trimmed.starts_with('{')
        && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(trimmed)
    {
        if let Some(m) = v.get("message").and_then(|m| m.as_str())
            && m.trim_start().starts_with('{')
            && let Ok(inner) = serde_json::from_str::<serde_json::Value>(m)
        {
            v["message"] = inner;
        }
        if let Ok(p) = serde_json::to_string_pretty(&v) {
            return p
                .lines()
                .flat_map(|l| l.split("\\n").map(str::to_string).collect::<Vec<_>>())
                .map(|l| format::safe(&l).into_owned())
                .collect();
        }
    }
    text.split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .map(|l| format::safe(&l.replace('\u{a0}', " ")).into_owned())
        .collect()
}
