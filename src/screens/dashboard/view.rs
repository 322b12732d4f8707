//! One function: six charts over the window, the cold-start analysis, the configuration.
//!
//! ```text
//!  orders-api-create · nodejs20.x · arm64 · 512 MB · 10 s · deployed 40m ago   6.1k inv · 18% errors
//!  [Charts] Cold starts  Configuration        1h in 1m periods · cursor 13:42 · ┊ deploy
//! ─ Invocations ━ 6.1k ──────────────────── ─ Errors ━ 1.1k ━ rate 18% ─────────────────
//!   120│ ⢀⡠⠔⠊┊⠉⠒⠤⣀                          40│      ⢀⡠⠔⠊┊⠉⠒⠤⣀                │40%
//! ─ Throttles ━ 0 ───────────────────────── ─ Duration ━ p50 85ms ━ p90 140ms ━ p99 410ms
//! ─ Concurrency ━ max 9 ━ reserved 10 ───── ─ Cold starts ━ 42 ━ p50 412ms ━ p99 1.2s ──
//!       13:00     13:15     13:30     13:45       13:00     13:15     13:30     13:45
//! ```
//! `tab` shows the cold-start analysis, then the configuration. With the cursor on (←/→), the
//! titles show the values under it instead of the window's.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::update::period_label;
use super::{ChartKind, DashboardScreen, Panel};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{
    ColdStartAnalysis, EpochMs, Function, LogFormat, Metric, MetricPlan, Side, TracingMode,
};
use crate::model::charts::{self, CHARTS, ChartValues, Headline, Source, total};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::chart::{self, Plot, TimeChart, Unit};
use crate::ui::widgets::spinner;

pub struct DashboardView<'a> {
    pub screen: &'a DashboardScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

/// Rows above the panels: the function line and the tabs line.
const HEAD: u16 = 2;

/// The columns one chart plots at this terminal size (charts are laid out two abreast); the
/// dashboard asks for about one point per column.
pub fn plot_columns(size: (u16, u16)) -> u16 {
    chart::plot_columns(size.0 / 2, true)
}

impl Widget for DashboardView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let [head, body] = Layout::vertical([
            Constraint::Length(HEAD.min(area.height)),
            Constraint::Min(0),
        ])
        .areas(area);
        self.function_line(head, buf);
        if head.height > 1 {
            self.tabs_line(
                Rect {
                    y: head.y + 1,
                    height: 1,
                    ..head
                },
                buf,
            );
        }
        match self.screen.panel {
            Panel::Charts => self.charts(body, buf),
            Panel::ColdStarts => self.cold_panel(body, buf),
            Panel::Configuration => self.config_panel(body, buf),
        }
    }
}

/// The value of a bucket as a headline, or a dash where there is no datapoint.
fn at(values: &[Option<f64>], i: usize, unit: Unit) -> String {
    values
        .get(i)
        .copied()
        .flatten()
        .map(|v| unit.format(v))
        .unwrap_or_else(|| "–".into())
}

fn peak(values: &[Option<f64>], unit: Unit) -> String {
    values
        .iter()
        .flatten()
        .copied()
        .reduce(f64::max)
        .map(|v| unit.format(v))
        .unwrap_or_else(|| "–".into())
}

impl DashboardView<'_> {
    fn function_line(&self, area: Rect, buf: &mut Buffer) {
        let (d, ctx, t) = (self.screen, self.ctx, self.theme);
        let mut spans = vec![Span::styled(
            format!(" {} ", format::safe(&d.name)),
            t.title,
        )];
        if let Loadable::Loaded(f) = &d.config {
            spans.push(Span::styled(
                format!(
                    "· {} · {} · {} MB · {} s · deployed {}",
                    format::safe(f.runtime.as_deref().unwrap_or("image")),
                    format::safe(&f.architecture),
                    f.memory_mb,
                    f.timeout_s,
                    format::ago(f.last_modified, ctx.now)
                ),
                t.dim,
            ));
        }
        let line = Line::from(spans);
        buf.set_line(area.x, area.y, &line, area.width);
        // The window's health on the right, from the shared catalog, when there is room.
        if let Some(st) = ctx.catalog.stats.get(&d.name)
            && let Some(inv) = st.invocations.count_value()
        {
            let rate = st.error_rate().unwrap_or(0.0);
            let style = if rate >= 5.0 {
                t.error
            } else if rate >= 1.0 {
                t.warn
            } else {
                t.ok
            };
            let right = Line::from(vec![
                Span::styled(format!("{} invocations · ", format::count(inv)), t.base),
                Span::styled(format!("{} errors ", format::percent(rate)), style),
            ]);
            let w = right.width() as u16;
            if line.width() as u16 + w + 2 <= area.width {
                buf.set_line(area.right() - w, area.y, &right, w);
            }
        }
    }

    /// Tabs on the left; the period, the cursor or a mark in progress on the right.
    fn tabs_line(&self, area: Rect, buf: &mut Buffer) {
        let (d, t) = (self.screen, self.theme);
        let mut spans = vec![Span::raw(" ")];
        for (p, name) in [
            (Panel::Charts, "Charts"),
            (Panel::ColdStarts, "Cold starts"),
            (Panel::Configuration, "Configuration"),
        ] {
            if p == d.panel {
                spans.push(Span::styled(format!("[{name}]"), t.title));
            } else {
                spans.push(Span::styled(format!(" {name} "), t.dim));
            }
            spans.push(Span::raw(" "));
        }
        let left = Line::from(spans);
        buf.set_line(area.x, area.y, &left, area.width);
        let Some(plan) = d.plan else { return };
        // Most important first; as many as fit.
        let mut parts = vec![];
        if let Some(m) = d.mark {
            parts.push(format!("marking from {} (m ends it)", format::clock(m)));
        }
        if let Some(c) = d.cursor {
            parts.push(format!(
                "cursor {}",
                format::span(crate::domain::TimeWindow::new(
                    plan.bucket_start(c),
                    plan.bucket_start(c + 1)
                ))
            ));
        }
        if d.pan > 0 {
            parts.push(format!(
                "charts end {}",
                format::ago(plan.window.end, self.ctx.now)
            ));
        }
        parts.push(format!("{} per point", period_label(&plan)));
        let room = usize::from(area.width).saturating_sub(left.width() + 2);
        let mut shown: Vec<String> = vec![];
        for p in parts {
            let used: usize = shown.iter().map(|s| s.chars().count() + 3).sum();
            if used + p.chars().count() <= room {
                shown.push(p);
            }
        }
        if !shown.is_empty() {
            let text = format!("{} ", shown.join(" · "));
            let w = text.chars().count() as u16;
            buf.set_string(area.right().saturating_sub(w), area.y, text, t.dim);
        }
    }

    fn values(&self, plan: &MetricPlan) -> ChartValues {
        let d = self.screen;
        ChartValues::of(
            d.charts.loaded().map_or(&[], Vec::as_slice),
            d.analysis.as_ref(),
            plan,
        )
    }

    /// Why a chart has nothing to draw, if it has not.
    fn note(&self, kind: ChartKind, values: &[&[Option<f64>]]) -> Option<(String, Style)> {
        let (d, ctx, t) = (self.screen, self.ctx, self.theme);
        let loadable_note = |state: Option<&crate::domain::SourceError>, loading: bool| {
            if loading {
                return Some((format!("{} loading…", spinner(ctx.frame)), t.spinner));
            }
            state.map(|e| {
                (
                    format!("could not load: {}", format::safe(&e.to_string())),
                    t.error,
                )
            })
        };
        let (failed, loading) = match kind {
            ChartKind::ColdStarts => match &d.cold {
                Loadable::Failed(e) => (Some(e), false),
                Loadable::Loaded(_) => (None, false),
                _ => (None, true),
            },
            _ => match &d.charts {
                Loadable::Failed(e) => (Some(e), false),
                Loadable::Loaded(_) => (None, false),
                _ => (None, true),
            },
        };
        if let Some(n) = loadable_note(failed, loading) {
            return Some(n);
        }
        // A chart whose CloudWatch series were all refused says why.
        let why = d.charts.loaded().and_then(|all| {
            let mine: Vec<_> = all
                .iter()
                .filter(|s| kind.chart().metrics().any(|m| m == s.query.metric))
                .collect();
            (!mine.is_empty() && mine.iter().all(|s| s.unavailable.is_some()))
                .then(|| mine[0].unavailable.clone().unwrap_or_default())
        });
        if let Some(why) = why {
            return Some((format!("n/a: {}", format::safe(&why)), t.dim));
        }
        if values.iter().all(|v| v.iter().all(Option::is_none)) {
            return Some((format!("no datapoints in {}", ctx.focus_label()), t.dim));
        }
        None
    }

    fn charts(&self, area: Rect, buf: &mut Buffer) {
        let (d, ctx, t) = (self.screen, self.ctx, self.theme);
        if area.height < 3 {
            return;
        }
        let Some(plan) = d.plan else { return };
        let v = self.values(&plan);
        let deploys = d.deploys();
        let cursor = d.cursor;
        // Headline: the value under the cursor, else the window's total, peak or own figure.
        let headline = |l: &charts::Line| {
            let values = v.get(l.source);
            match (cursor, l.headline) {
                (Some(i), _) => at(values, i, l.unit),
                (None, Headline::Total) => total(values)
                    .map(|x| l.unit.format(x))
                    .unwrap_or_else(|| "–".into()),
                (None, Headline::Peak) => peak(values, l.unit),
                (None, Headline::Window) => v
                    .window(l.source)
                    .map(|x| l.unit.format(x))
                    .unwrap_or_else(|| "–".into()),
            }
        };
        let reserved = d.config.loaded().and_then(|f| f.reserved_concurrency);
        let selection = d
            .mark
            .zip(cursor)
            .and_then(|(m, c)| Some((plan.bucket_of(m)?, c)));
        let charts = CHARTS.iter().map(|c| {
            let mut plots: Vec<Plot> = c
                .lines
                .iter()
                .map(|l| Plot {
                    label: l.label,
                    values: v.get(l.source),
                    style: line_style(t, l.source),
                    right: l.right,
                    headline: headline(l),
                })
                .collect();
            let limit = c.limit.zip(reserved).map(|(name, r)| (f64::from(r), name));
            if let Some((r, name)) = limit {
                plots.push(Plot {
                    label: name,
                    values: &[],
                    style: t.chart_limit,
                    right: false,
                    headline: r.to_string(),
                });
            }
            let (left, right) = c.axes();
            (c.kind, plots, left, right, limit)
        });
        let rows = Layout::vertical([Constraint::Ratio(1, 3); 3]).split(area);
        for (i, (kind, plots, left, right, limit)) in charts.enumerate() {
            let row = rows[i / 2];
            let halves =
                Layout::horizontal([Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)]).split(row);
            let mut cell = halves[i % 2];
            if i % 2 == 0 {
                cell.width = cell.width.saturating_sub(1); // a column between the two charts
            }
            let values: Vec<&[Option<f64>]> = plots.iter().map(|p| p.values).collect();
            let note = self.note(kind, &values);
            let bottom = i / 2 == 2;
            TimeChart {
                title: kind.title(),
                plan,
                plots,
                left,
                right,
                limit,
                cursor,
                deploys: &deploys,
                selection,
                focused: d.chart % ChartKind::ALL.len() == i,
                ticks: bottom || row.height >= 9,
                ascii: ctx.ascii,
                note,
                theme: t,
            }
            .render(cell, buf);
        }
    }

    fn cold_panel(&self, area: Rect, buf: &mut Buffer) {
        let (d, ctx, t) = (self.screen, self.ctx, self.theme);
        let lines: Vec<Line> = match (&d.cold, &d.analysis) {
            (Loadable::Failed(e), _) => vec![
                Line::styled(" could not load the cold starts", t.error),
                Line::styled(format!(" {}", format::safe(&e.to_string())), t.base),
            ],
            (_, Some(a)) => {
                let wide = area.width >= 100;
                let (left, right) = cold_lines(a, d, ctx, t, wide, area.width);
                if wide {
                    let [l, r] =
                        Layout::horizontal([Constraint::Percentage(55), Constraint::Min(20)])
                            .areas(area);
                    for (lines, rect) in [(left, l), (right, r)] {
                        Paragraph::new(lines)
                            .wrap(Wrap { trim: false })
                            .scroll((clamp_u16(d.scroll), 0))
                            .render(rect, buf);
                    }
                    return;
                }
                left.into_iter().chain(right).collect()
            }
            _ => vec![Line::styled(
                format!(
                    " {} counting cold starts over {}…",
                    spinner(ctx.frame),
                    ctx.focus_label()
                ),
                t.spinner,
            )],
        };
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((clamp_u16(d.scroll), 0))
            .render(area, buf);
    }

    fn config_panel(&self, area: Rect, buf: &mut Buffer) {
        let (d, ctx, t) = (self.screen, self.ctx, self.theme);
        let lines = match &d.config {
            Loadable::Idle | Loadable::Loading => vec![Line::styled(
                format!(" {} loading configuration…", spinner(ctx.frame)),
                t.spinner,
            )],
            Loadable::Failed(e) => vec![
                Line::styled(" could not load the configuration", t.error),
                Line::styled(format!(" {}", format::safe(&e.to_string())), t.base),
            ],
            Loadable::Loaded(f) => config_lines(f, ctx.now, t),
        };
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((clamp_u16(d.scroll), 0))
            .render(area, buf);
    }
}

fn clamp_u16(n: usize) -> u16 {
    n.min(usize::from(u16::MAX)) as u16
}

fn or_dash(v: Option<f64>, f: fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "–".into())
}

/// The analysis as lines: figures, before/after and causes on the left; the histogram on the
/// right (below them when narrow).
fn cold_lines<'a>(
    a: &ColdStartAnalysis,
    d: &DashboardScreen,
    ctx: &Ctx,
    t: &Theme,
    wide: bool,
    width: u16,
) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let head = |s: &str| Line::styled(format!(" {s}"), t.title);
    let kv = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<14}"), t.dim),
            Span::styled(v, t.base),
        ])
    };
    let mut left = vec![
        Line::from(vec![Span::styled(
            format!(" Cold starts over {}", ctx.focus_label()),
            t.title,
        )]),
        Line::styled(format!("  from {}", a.source.describe()), t.dim),
    ];
    if let Some((at, _)) = d.cold_asked {
        let every = ctx.policy.cold_starts_every(a.plan.window.len_ms());
        if every > 60_000 {
            left.push(Line::styled(
                format!(
                    "  as of {}; asked again every {} (ctrl-r refreshes the charts only)",
                    format::clock(at),
                    format::millis(every as f64)
                ),
                t.dim,
            ));
        }
    }
    left.push(Line::raw(""));
    let restores = if a.restores > 0 {
        format!(" ({} SnapStart restores)", a.restores)
    } else {
        String::new()
    };
    left.push(kv(
        "cold starts",
        format!(
            "{}{} in {} invocations",
            a.total,
            restores,
            or_dash(a.invocations, format::count)
        ),
    ));
    left.push(Line::from(vec![
        Span::styled(format!("  {:<14}", "rate"), t.dim),
        Span::styled(or_dash(a.rate, format::percent), t.chart_cold),
    ]));
    left.push(kv(
        "init",
        format!(
            "p50 {} · p99 {}",
            or_dash(a.p50, format::millis),
            or_dash(a.p99, format::millis)
        ),
    ));
    left.push(Line::raw(""));
    match (a.deploy, &a.before, &a.after) {
        (Some(at), Some(b), Some(f)) => {
            let version = d
                .config
                .loaded()
                .and_then(|f| f.deploys.iter().rev().find(|v| (v.at - at).abs() < 60_000))
                .map(|v| format!(" (version {})", format::safe(&v.version)))
                .unwrap_or_default();
            left.push(head(&format!(
                "Before and after the deploy at {}{version}",
                format::clock(at)
            )));
            left.extend(side_by_side(b, f, t));
        }
        _ => {
            let last = d
                .config
                .loaded()
                .map(|f| f.last_modified)
                .filter(|&m| m > 0);
            left.push(head("Before and after the last deploy"));
            left.push(Line::styled(
                match last {
                    Some(m) => format!(
                        "  the last deploy ({}) is before this window: widen it (]) to compare",
                        format::ago(m, ctx.now)
                    ),
                    None => "  no deploy known in this window".into(),
                },
                t.dim,
            ));
        }
    }
    left.push(Line::raw(""));
    left.push(head("Why they started cold"));
    let c = &a.causes;
    let most = [c.after_deploy, c.after_idle, c.scale_out, c.other]
        .into_iter()
        .max()
        .unwrap_or(0)
        .max(1);
    let bar_room = if wide {
        20
    } else {
        usize::from(width).saturating_sub(30).clamp(4, 30)
    };
    for (label, n) in [
        ("after a deploy", c.after_deploy),
        ("after idle", c.after_idle),
        ("scale-out", c.scale_out),
        ("other", c.other),
    ] {
        let bar = bar(n, most, bar_room, ctx.ascii);
        left.push(Line::from(vec![
            Span::styled(format!("  {label:<14}"), t.dim),
            Span::styled(format!("{n:>6} "), t.base),
            Span::styled(bar, t.chart_cold),
        ]));
    }
    for n in &a.notes {
        left.push(Line::styled(format!("  note: {n}"), t.warn));
    }

    let mut right = vec![head("Init durations"), Line::raw("")];
    match &a.histogram {
        Ok(h) => {
            let most = h.bins.iter().map(|b| b.1).max().unwrap_or(1).max(1);
            let room = if wide {
                24
            } else {
                usize::from(width).saturating_sub(24).clamp(4, 40)
            };
            for (lo, n) in &h.bins {
                right.push(Line::from(vec![
                    Span::styled(format!("  {:>8} ", format::millis(*lo)), t.dim),
                    Span::styled(bar(*n, most, room, ctx.ascii), t.chart_cold),
                    Span::styled(format!(" {n}"), t.base),
                ]));
            }
            right.push(Line::styled(
                format!("  bins of {}", format::millis(h.width_ms)),
                t.dim,
            ));
        }
        Err(why) => right.push(Line::styled(format!("  {why}"), t.dim)),
    }
    (left, right)
}

fn bar(n: u64, most: u64, room: usize, ascii: bool) -> String {
    let len = (n as f64 / most as f64 * room as f64).round() as usize;
    let len = if n > 0 { len.max(1) } else { 0 };
    if ascii { "#" } else { "█" }.repeat(len)
}

fn side_by_side<'a>(b: &Side, f: &Side, t: &Theme) -> Vec<Line<'a>> {
    let row = |k: &str, x: String, y: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<14}"), t.dim),
            Span::styled(format!("{x:>14}"), t.base),
            Span::styled(format!("{y:>14}"), t.base),
        ])
    };
    vec![
        Line::from(vec![
            Span::raw(format!("  {:<14}", "")),
            Span::styled(format!("{:>14}", "before"), t.table_header),
            Span::styled(format!("{:>14}", "after"), t.table_header),
        ]),
        row("from", format::span(b.window), format::span(f.window)),
        row(
            "invocations",
            or_dash(b.invocations, format::count),
            or_dash(f.invocations, format::count),
        ),
        row(
            "cold starts",
            b.cold_starts.to_string(),
            f.cold_starts.to_string(),
        ),
        row(
            "rate",
            or_dash(b.rate, format::percent),
            or_dash(f.rate, format::percent),
        ),
        row(
            "init p50",
            or_dash(b.init_p50, format::millis),
            or_dash(f.init_p50, format::millis),
        ),
        row(
            "init p99",
            or_dash(b.init_p99, format::millis),
            or_dash(f.init_p99, format::millis),
        ),
    ]
}

fn config_lines<'a>(f: &Function, now: EpochMs, t: &Theme) -> Vec<Line<'a>> {
    let row = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!(" {k:<14}"), t.dim),
            Span::styled(format::safe(&v).into_owned(), t.base),
        ])
    };
    let unknown = || "unknown".to_string();
    let mut lines = vec![
        row(
            "runtime",
            f.runtime
                .clone()
                .unwrap_or_else(|| "container image".into()),
        ),
        row("architecture", f.architecture.clone()),
        row("memory", format!("{} MB", f.memory_mb)),
        row("timeout", format!("{} s", f.timeout_s)),
        row("handler", f.handler.clone().unwrap_or_else(|| "-".into())),
        row(
            "modified",
            format!(
                "{} ({})",
                format::date_time(f.last_modified),
                format::ago(f.last_modified, now)
            ),
        ),
        row("state", f.state.clone().unwrap_or_else(|| "-".into())),
        row(
            "tracing",
            match f.tracing {
                TracingMode::Active => "Active (X-Ray)".into(),
                TracingMode::PassThrough => "PassThrough".into(),
            },
        ),
        row(
            "log format",
            match f.log_format {
                LogFormat::Text => "Text".into(),
                LogFormat::Json => "JSON".into(),
            },
        ),
        row("log group", f.log_group.clone()),
        row(
            "reserved",
            f.reserved_concurrency
                .map(|c| format!("{c} concurrent executions"))
                .unwrap_or_else(|| "none (uses the account's unreserved pool)".into()),
        ),
        row(
            "provisioned",
            match &f.provisioned {
                None => unknown(),
                Some(p) if p.is_empty() => "none".into(),
                Some(p) => p
                    .iter()
                    .map(|p| {
                        format!(
                            "{} on {} ({} allocated, {})",
                            p.requested, p.qualifier, p.allocated, p.status
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            },
        ),
        row(
            "SnapStart",
            if f.snap_start {
                "on (published versions)".into()
            } else {
                "off".into()
            },
        ),
        row("trigger", f.trigger.clone().unwrap_or_else(|| "-".into())),
    ];
    match &f.event_sources {
        None => lines.push(row("event sources", unknown())),
        Some(es) if es.is_empty() => lines.push(row("event sources", "none".into())),
        Some(es) => {
            for (i, e) in es.iter().enumerate() {
                let batch = e
                    .batch_size
                    .map(|b| format!(", batch {b}"))
                    .unwrap_or_default();
                lines.push(row(
                    if i == 0 { "event sources" } else { "" },
                    format!("{} ({}{batch})", e.label(), e.state),
                ));
            }
        }
    }
    if f.layers.is_empty() {
        lines.push(row("layers", "none".into()));
    }
    for (i, l) in f.layers.iter().enumerate() {
        // arn:aws:lambda:region:account:layer:NAME:VERSION → NAME:VERSION
        let short = l.splitn(7, ':').nth(6).unwrap_or(l).to_string();
        lines.push(row(if i == 0 { "layers" } else { "" }, short));
    }
    lines.push(row(
        "environment",
        if f.env_vars.is_empty() {
            "no variables".into()
        } else {
            format!("{} (values not shown)", f.env_vars.join(", "))
        },
    ));
    let deploys: Vec<String> = f
        .deploys
        .iter()
        .rev()
        .take(5)
        .map(|d| format!("v{} {}", d.version, format::ago(d.at, now)))
        .collect();
    if !deploys.is_empty() {
        lines.push(row("deploys", deploys.join(" · ")));
    }
    lines.push(row("code size", format::bytes(f.code_size)));
    if !f.description.is_empty() {
        lines.push(row("description", f.description.clone()));
    }
    lines.push(row("arn", f.arn.clone()));
    for e in &f.detail_errors {
        lines.push(Line::styled(format!(" {}", format::safe(e)), t.warn));
    }
    lines
}

/// A line's colour, by what it draws.
fn line_style(t: &Theme, source: Source) -> Style {
    match source {
        Source::Metric(Metric::Invocations, _) => t.chart_invocations,
        Source::Metric(Metric::Errors, _) => t.chart_errors,
        Source::Metric(Metric::Throttles, _) => t.chart_throttles,
        Source::Metric(Metric::Duration, crate::domain::Statistic::P50) => t.chart_p50,
        Source::Metric(Metric::Duration, crate::domain::Statistic::P90) => t.chart_p90,
        Source::Metric(Metric::Duration, _) => t.chart_p99,
        Source::Metric(_, _) => t.chart_concurrency,
        Source::ErrorRate => t.chart_rate,
        Source::ColdStarts => t.chart_cold,
        Source::InitP50 => t.chart_init,
        Source::InitP99 => t.chart_init_p99,
    }
}
