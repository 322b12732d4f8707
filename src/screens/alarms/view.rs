//! CloudWatch alarms, the most urgent first, and the selected one's full reason below.
//!
//! ```text
//!  Alarms · 3 in ALARM · 1 insufficient data · 5 OK
//!   STATE▲ NAME                      SINCE    RESOURCE             CONDITION            METRIC …
//! ● ALARM  orders-api-create-errors  37m ago  λ orders-api-create  Errors ≥ 5 for 2×60s AWS/…
//! ● INSUFF reports-nightly-duration  11h ago  λ reports-nightly    Duration ≥ 720000 …
//! ● OK     email-sender-dlq-not-emp… 9d ago   sqs email-sender-dlq …
//! ── orders-api-create-errors · ALARM since 13:25:00 UTC (37m ago) ──────────────────────────
//!  watches  λ orders-api-create · AWS/Lambda/Errors Sum · FunctionName=orders-api-create
//!  when     Errors ≥ 5 for 2×60s
//!  Threshold Crossed: 2 out of the last 2 datapoints [12.0 (23/11/26 13:24:00), 9.0 (23/11/26
//!  13:23:00)] were greater than or equal to the threshold (5.0) (minimum 2 datapoints …
//! ```
//! Columns drop by priority as the terminal narrows (the name, state and since stay); the
//! reason column takes what is left on wide terminals, and the pane below always has it whole
//! when there is room.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{AlarmsScreen, SortKey};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{Alarm, AlarmKind, AlarmState, DAY_MS, SourceInfo};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::{centered, put, spinner};

pub struct AlarmsView<'a> {
    pub screen: &'a AlarmsScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

/// Lines of the pane under the table that shows the selected alarm whole.
pub fn detail_height(body: u16) -> u16 {
    if body < 14 {
        0
    } else {
        (body / 3).clamp(6, 12)
    }
}

/// Rows of the table in a body of `body` lines (a title and the column titles above it).
pub fn table_height(body: u16) -> usize {
    usize::from(body.saturating_sub(2 + detail_height(body)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    State,
    Name,
    Since,
    Resource,
    Condition,
    Metric,
    Reason,
}

impl Col {
    /// Display order.
    const ALL: [Col; 7] = [
        Col::State,
        Col::Name,
        Col::Since,
        Col::Resource,
        Col::Condition,
        Col::Metric,
        Col::Reason,
    ];
    /// The order they are given up in as the terminal narrows (last goes first).
    const PRIORITY: [Col; 7] = [
        Col::Name,
        Col::State,
        Col::Since,
        Col::Resource,
        Col::Condition,
        Col::Metric,
        Col::Reason,
    ];

    fn title(self) -> &'static str {
        match self {
            Col::State => "STATE",
            Col::Name => "NAME",
            Col::Since => "SINCE",
            Col::Resource => "RESOURCE",
            Col::Condition => "CONDITION",
            Col::Metric => "METRIC",
            Col::Reason => "REASON",
        }
    }

    fn sort(self) -> Option<SortKey> {
        match self {
            Col::State => Some(SortKey::State),
            Col::Name => Some(SortKey::Name),
            Col::Since => Some(SortKey::Since),
            Col::Resource => Some(SortKey::Resource),
            _ => None,
        }
    }
}

/// Full state names where there is room for them.
fn wide_states(width: u16) -> bool {
    width >= 160
}

fn preferred(c: Col, width: u16, longest_name: u16) -> u16 {
    match c {
        Col::State if wide_states(width) => 17,
        Col::State => 6,
        Col::Name => longest_name.clamp(12, 32),
        Col::Since => 8,
        Col::Resource => 22,
        Col::Condition => 30,
        Col::Metric => 28,
        Col::Reason => 20,
    }
}

/// The columns that fit in `width` (after the marker), in display order, with their widths.
/// What is left goes to the last flexible column shown (reason, else condition, else resource).
fn layout(width: u16, longest_name: u16) -> Vec<(Col, u16)> {
    let w = |c| preferred(c, width, longest_name);
    let mut used = 2;
    let mut chosen = vec![];
    for c in Col::PRIORITY {
        let need = w(c) + u16::from(!chosen.is_empty());
        if used + need <= width {
            used += need;
            chosen.push(c);
        }
    }
    let spare = width.saturating_sub(used);
    let grow = [Col::Reason, Col::Condition, Col::Resource, Col::Name]
        .into_iter()
        .find(|c| chosen.contains(c));
    Col::ALL
        .into_iter()
        .filter(|c| chosen.contains(c))
        .map(|c| (c, w(c) + if Some(c) == grow { spare } else { 0 }))
        .collect()
}

fn state_label(s: &AlarmState, width: u16) -> String {
    match s {
        AlarmState::InsufficientData if !wide_states(width) => "INSUFF".into(),
        other => format::safe(other.as_str()).into_owned(),
    }
}

/// The state's colour, and the colour of the rest of its row.
fn styles(s: &AlarmState, t: &Theme) -> (Style, Style) {
    match s {
        AlarmState::Alarm => (t.error, t.error),
        AlarmState::InsufficientData => (t.warn, t.dim),
        AlarmState::Ok => (t.ok, t.base),
        AlarmState::Other(_) => (t.warn, t.base),
    }
}

/// "13:25:00 UTC", with the date when it is more than a day ago.
fn when(t: crate::domain::EpochMs, now: crate::domain::EpochMs) -> String {
    if now - t < DAY_MS {
        format::clock(t)
    } else {
        format::date_time(t)
    }
}

fn region(ctx: &Ctx) -> String {
    match &ctx.source {
        SourceInfo::Aws { region, .. } => format::safe(region).into_owned(),
        SourceInfo::Demo { .. } => "the demo account".into(),
    }
}

impl AlarmsView<'_> {
    fn summary(&self, alarms: &[Alarm], area: Rect, buf: &mut Buffer) {
        let (ctx, t, s) = (self.ctx, self.theme, self.screen);
        let count = |st: &AlarmState| alarms.iter().filter(|a| a.state == *st).count();
        let (alarm, nodata, ok) = (
            count(&AlarmState::Alarm),
            count(&AlarmState::InsufficientData),
            count(&AlarmState::Ok),
        );
        let other = alarms.len() - alarm - nodata - ok;
        let mut spans = vec![Span::styled(" Alarms", t.title)];
        let mut part = |text: String, style: Style| {
            spans.push(Span::styled(" · ", t.dim));
            spans.push(Span::styled(text, style));
        };
        part(
            format!("{alarm} in ALARM"),
            if alarm > 0 { t.error } else { t.dim },
        );
        if nodata > 0 {
            part(format!("{nodata} insufficient data"), t.warn);
        }
        if other > 0 {
            part(format!("{other} in other states"), t.warn);
        }
        part(format!("{ok} OK"), t.dim);
        // Data older than twice its refresh period says how old it is.
        if let Some(at) = s.loaded_at
            && ctx.now - at >= 2 * ctx.policy.screen_every
        {
            part(format!("as of {}", format::ago(at, ctx.now)), t.warn);
        }
        if s.rows.len() > table_height(area.height.saturating_add(1)).max(1) {
            part(format!("{}/{}", s.selected + 1, s.rows.len()), t.dim);
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }

    fn header(&self, cols: &[(Col, u16)], x0: u16, y: u16, buf: &mut Buffer) {
        let (s, t) = (self.screen, self.theme);
        let mut x = x0 + 2;
        for &(c, w) in cols {
            let mut title = c.title().to_string();
            if c.sort() == Some(s.sort) {
                title.push(if s.reversed { '▼' } else { '▲' });
            }
            put(buf, x, y, w, &title, t.table_header, false);
            x += w + 1;
        }
    }

    fn rows(&self, cols: &[(Col, u16)], area: Rect, buf: &mut Buffer) {
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        let height = usize::from(area.height);
        let shown = s.shown().enumerate().skip(s.offset).take(height);
        for (k, (i, a)) in shown.enumerate() {
            let y = area.y + k as u16;
            let selected = i == s.selected;
            let (state_style, rest) = styles(&a.state, t);
            let style = |st: Style| {
                if selected {
                    t.selected.patch(st).bg(t.selected.bg.unwrap_or_default())
                } else {
                    st
                }
            };
            if selected {
                buf.set_style(
                    Rect {
                        y,
                        height: 1,
                        ..area
                    },
                    t.selected,
                );
            }
            buf.set_string(area.x, y, "●", style(state_style));
            let mut x = area.x + 2;
            for &(c, w) in cols {
                let (text, st) = match c {
                    Col::State => (state_label(&a.state, area.width), state_style),
                    Col::Name => (format::safe(&a.name).into_owned(), rest),
                    Col::Since => (
                        a.state_since
                            .map_or_else(|| "—".into(), |at| format::ago(at, ctx.now)),
                        rest,
                    ),
                    Col::Resource => (format::safe(&a.watched.to_string()).into_owned(), rest),
                    Col::Condition => (format::safe(&a.condition()).into_owned(), rest),
                    Col::Metric => (format::safe(&a.metric_label()).into_owned(), rest),
                    Col::Reason => (format::safe(&one_line(&a.reason)).into_owned(), rest),
                };
                put(buf, x, y, w, &text, style(st), false);
                x += w + 1;
            }
        }
    }

    /// The selected alarm whole: what it watches, when it fires, and its full reason.
    fn detail(&self, area: Rect, buf: &mut Buffer) {
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        let Some(a) = s.selected_alarm() else {
            return;
        };
        let width = usize::from(area.width);
        let (state_style, _) = styles(&a.state, t);
        let since = a.state_since.map_or_else(String::new, |at| {
            format!(
                " since {} ({})",
                when(at, ctx.now),
                format::ago(at, ctx.now)
            )
        });
        let mut head = vec![
            Span::styled("── ", t.border),
            Span::styled(format::safe(&a.name).into_owned(), t.title),
            Span::styled(" · ", t.dim),
            Span::styled(format::safe(a.state.as_str()).into_owned(), state_style),
            Span::styled(since, t.dim),
            Span::raw(" "),
        ];
        let used: usize = head.iter().map(|s| s.content.chars().count()).sum();
        head.push(Span::styled(
            "─".repeat(width.saturating_sub(used)),
            t.border,
        ));
        buf.set_line(area.x, area.y, &Line::from(head), area.width);

        const LABEL: usize = 9;
        let mut lines: Vec<Line> = vec![];
        let labelled = |label: &str, text: String, style: Style| {
            Line::from(vec![
                Span::styled(format!(" {label:<LABEL$}"), t.dim),
                Span::styled(text, style),
            ])
        };
        if a.kind == AlarmKind::Composite {
            lines.push(labelled(
                "rule",
                format::safe(a.rule.as_deref().unwrap_or("—")).into_owned(),
                t.base,
            ));
        } else {
            let mut what = vec![format::safe(&a.watched.to_string()).into_owned()];
            what.push(format::safe(&a.metric_label()).into_owned());
            if !a.dimensions.is_empty() {
                let dims: Vec<String> = a
                    .dimensions
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                what.push(format::safe(&dims.join(" ")).into_owned());
            }
            lines.push(labelled("watches", what.join(" · "), t.base));
            lines.push(labelled(
                "when",
                format::safe(&a.condition()).into_owned(),
                t.base,
            ));
        }
        let room = usize::from(area.height.saturating_sub(1));
        let reason_room = room.saturating_sub(lines.len());
        let reason = if a.reason.is_empty() {
            "(no reason given)".to_string()
        } else {
            format::safe(&one_line(&a.reason)).into_owned()
        };
        let mut wrapped = format::wrap(&reason, width.saturating_sub(2));
        if wrapped.len() > reason_room
            && let Some(last) = wrapped.get_mut(reason_room.saturating_sub(1))
        {
            let keep: String = last.chars().take(width.saturating_sub(3)).collect();
            *last = format!("{keep}…");
        }
        for l in wrapped.into_iter().take(reason_room) {
            lines.push(Line::styled(format!(" {l}"), t.base));
        }
        for (k, line) in lines.into_iter().take(room).enumerate() {
            let y = area.y + 1 + k as u16;
            buf.set_line(area.x, y, &line, area.width);
            // A line cut at the edge says so.
            if line.width() > width && width > 0 {
                buf.set_string(area.right() - 1, y, "…", t.dim);
            }
        }
    }
}

/// A reason on one line (CloudWatch's can hold line breaks).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Widget for AlarmsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        let alarms = match &s.alarms {
            Loadable::Idle | Loadable::Loading => {
                let text = format!(
                    "{} Loading alarms from {}…",
                    spinner(ctx.frame),
                    format::safe(&ctx.source.to_string())
                );
                return centered(text, t.spinner, area, buf);
            }
            Loadable::Failed(e) => {
                let text = vec![
                    Line::styled(
                        format!("could not load alarms: {}", format::safe(&e.to_string())),
                        t.error,
                    ),
                    Line::raw(""),
                    Line::styled("ctrl-r retries · esc goes back", t.dim),
                ];
                let top = area.y + area.height / 3;
                let r = Rect {
                    y: top,
                    height: area.bottom().saturating_sub(top),
                    ..area
                };
                return Paragraph::new(text)
                    .alignment(Alignment::Center)
                    .wrap(Wrap { trim: true })
                    .render(r, buf);
            }
            Loadable::Loaded(a) => a,
        };
        if alarms.is_empty() {
            let text = format!("No CloudWatch alarms in {}.", region(ctx));
            return centered(text, t.dim, area, buf);
        }
        self.summary(alarms, area, buf);
        if s.rows.is_empty() {
            let text = format!(
                "No alarm matches {:?} — esc clears the filter",
                format::safe(s.filter.text())
            );
            let rest = Rect {
                y: area.y + 1,
                height: area.height.saturating_sub(1),
                ..area
            };
            return centered(text, t.dim, rest, buf);
        }
        let longest = s.shown().map(|a| a.name.chars().count()).max().unwrap_or(0) as u16;
        let cols = layout(area.width, longest);
        if area.height < 2 {
            return;
        }
        self.header(&cols, area.x, area.y + 1, buf);
        let detail = detail_height(area.height);
        let table = Rect {
            y: area.y + 2,
            height: table_height(area.height) as u16,
            ..area
        };
        self.rows(&cols, table, buf);
        if detail > 0 {
            // Right under the last row, taking the rest of the screen: a long reason wraps
            // whole on a tall terminal.
            let last = table.y + (s.rows.len().min(table.height as usize)) as u16;
            let y = (last + 1).min(area.bottom() - detail);
            let pane = Rect {
                y,
                height: area.bottom() - y,
                ..area
            };
            self.detail(pane, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_terminals_keep_name_state_and_since() {
        let cols = |w| -> Vec<Col> { layout(w, 26).into_iter().map(|(c, _)| c).collect() };
        assert_eq!(cols(80), [Col::State, Col::Name, Col::Since, Col::Resource]);
        assert_eq!(cols(200), Col::ALL);
        for w in [40, 80, 120, 200] {
            let total: u16 = layout(w, 26).iter().map(|(_, cw)| cw + 1).sum::<u16>() + 1;
            assert!(total <= w, "{w}: the columns take {total}");
        }
        assert!(table_height(21) >= 10, "80×24 shows a screenful of alarms");
    }
}
