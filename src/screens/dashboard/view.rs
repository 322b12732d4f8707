//! One function: its configuration and its charts over the window.
//!
//! ```text
//! orders-api-create · nodejs20.x · 512 MB · deployed 40m ago       6.1k invocations, 18% errors
//! ┌ configuration ─────────┐┌ Invocations ━ invocations 6.1k ━ errors 1.1k ┐┌ Duration ━ p50 ━ p95 ━ p99 ┐
//! │ runtime   nodejs20.x   ││ ⣀⡠⠔⠒⠉                                      ││                            │
//! │ memory    512 MB       │└──────────────────────────────────────────────┘└────────────────────────────┘
//! │ ...                    │┌ Throttles · concurrency ┐┌ Cold starts · init ┐
//! └────────────────────────┘└─────────────────────────┘└────────────────────┘
//! ```
//! `tab` shows the charts alone, then the configuration alone; narrow terminals never show both.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::{DashboardScreen, Panel};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{Function, LogFormat, Metric, MetricSeries, Statistic, TracingMode};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::chart::{MetricChart, Series};
use crate::ui::widgets::spinner;

pub struct DashboardView<'a> {
    pub screen: &'a DashboardScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

const WIDE: u16 = 110;

impl Widget for DashboardView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (d, ctx, t) = (self.screen, self.ctx, self.theme);
        let [title, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        self.title_line(title, buf);
        let config = ConfigPanel {
            screen: d,
            ctx,
            theme: t,
        };
        let charts = Charts {
            screen: d,
            ctx,
            theme: t,
        };
        match d.panel {
            Panel::Both if area.width >= WIDE => {
                let [left, right] =
                    Layout::horizontal([Constraint::Length(42), Constraint::Min(20)]).areas(body);
                config.render(left, buf);
                charts.render(right, buf);
            }
            Panel::Configuration => config.render(body, buf),
            Panel::Both | Panel::Charts => charts.render(body, buf),
        }
    }
}

impl DashboardView<'_> {
    fn title_line(&self, area: Rect, buf: &mut Buffer) {
        let (d, ctx, t) = (self.screen, self.ctx, self.theme);
        let mut spans = vec![Span::styled(
            format!(" {} ", format::safe(&d.name)),
            t.title,
        )];
        if let Loadable::Loaded(f) = &d.config {
            spans.push(Span::styled(
                format!(
                    "· {} · {} MB · deployed {}",
                    format::safe(f.runtime.as_deref().unwrap_or("image")),
                    f.memory_mb,
                    format::ago(f.last_modified, ctx.now)
                ),
                t.dim,
            ));
        }
        if let Some(st) = ctx.catalog.stats.get(&d.name) {
            let inv = st.invocations.value().unwrap_or(0.0);
            let rate = st.error_rate().unwrap_or(0.0);
            spans.push(Span::styled(
                format!("   {} invocations, ", format::count(inv)),
                t.base,
            ));
            spans.push(Span::styled(
                format!("{} errors", format::percent(rate)),
                if rate >= 5.0 {
                    t.error
                } else if rate >= 1.0 {
                    t.warn
                } else {
                    t.ok
                },
            ));
            if let Some(th) = st.throttles.value().filter(|v| *v > 0.0) {
                spans.push(Span::styled(
                    format!(", {} throttles", format::count(th)),
                    t.throttled,
                ));
            }
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }
}

struct ConfigPanel<'a> {
    screen: &'a DashboardScreen,
    ctx: &'a Ctx,
    theme: &'a Theme,
}

impl Widget for ConfigPanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let t = self.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border)
            .title(Span::styled(" configuration · j/k scroll ", t.title));
        let lines = match &self.screen.config {
            Loadable::Idle | Loadable::Loading => {
                vec![Line::styled(
                    format!("{} loading configuration…", spinner(self.ctx.frame)),
                    t.spinner,
                )]
            }
            Loadable::Failed(e) => vec![
                Line::styled("could not load the configuration", t.error),
                Line::styled(format::safe(&e.to_string()).into_owned(), t.base),
            ],
            Loadable::Loaded(f) => config_lines(f, self.ctx.now, t),
        };
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((self.screen.config_scroll.min(u16::MAX as usize) as u16, 0))
            .render(area, buf);
    }
}

fn config_lines<'a>(f: &Function, now: i64, t: &Theme) -> Vec<Line<'a>> {
    let row = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<12}"), t.dim),
            Span::styled(format::safe(&v).into_owned(), t.base),
        ])
    };
    let mut lines = vec![
        row(
            "runtime",
            f.runtime
                .clone()
                .unwrap_or_else(|| "container image".into()),
        ),
        row("handler", f.handler.clone().unwrap_or_else(|| "-".into())),
        row("memory", format!("{} MB", f.memory_mb)),
        row("timeout", format!("{} s", f.timeout_s)),
        row("arch", f.architecture.clone()),
        row("code size", format::bytes(f.code_size)),
        row(
            "modified",
            format!(
                "{} ({})",
                format::date_time(f.last_modified),
                format::ago(f.last_modified, now)
            ),
        ),
        row("state", f.state.clone().unwrap_or_else(|| "-".into())),
        row("trigger", f.trigger.clone().unwrap_or_else(|| "-".into())),
        row("log group", f.log_group.clone()),
        row(
            "log format",
            match f.log_format {
                LogFormat::Text => "Text".into(),
                LogFormat::Json => "JSON".into(),
            },
        ),
        row(
            "tracing",
            match f.tracing {
                TracingMode::Active => "Active (X-Ray)".into(),
                TracingMode::PassThrough => "PassThrough".into(),
            },
        ),
        row(
            "reserved",
            f.reserved_concurrency
                .map(|c| format!("{c} concurrent"))
                .unwrap_or_else(|| "unreserved".into()),
        ),
        row(
            "SnapStart",
            if f.snap_start {
                "on".into()
            } else {
                "off".into()
            },
        ),
    ];
    if !f.description.is_empty() {
        lines.push(row("description", f.description.clone()));
    }
    lines.push(row("arn", f.arn.clone()));
    lines
}

struct Charts<'a> {
    screen: &'a DashboardScreen,
    ctx: &'a Ctx,
    theme: &'a Theme,
}

fn find(d: &DashboardScreen, metric: Metric, stat: Statistic) -> Option<&MetricSeries> {
    d.series()
        .find(|s| s.query.metric == metric && s.query.stat == stat)
}

fn total(s: Option<&MetricSeries>) -> String {
    s.map(|s| format::count(s.total()))
        .unwrap_or_else(|| "-".into())
}

fn peak(s: Option<&MetricSeries>, fmt: fn(f64) -> String) -> String {
    s.and_then(MetricSeries::max)
        .map(fmt)
        .unwrap_or_else(|| "-".into())
}

impl Widget for Charts<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (d, ctx, t) = (self.screen, self.ctx, self.theme);
        match &d.charts {
            Loadable::Idle | Loadable::Loading => {
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(" metrics ", t.title));
                let text = format!(
                    "{} loading metrics for the last {}…",
                    spinner(ctx.frame),
                    ctx.window.label()
                );
                return Paragraph::new(Line::styled(text, t.spinner))
                    .block(block)
                    .render(area, buf);
            }
            Loadable::Failed(e) => {
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(" metrics ", t.title));
                let text = vec![
                    Line::styled("could not load metrics", t.error),
                    Line::raw(format::safe(&e.to_string()).into_owned()),
                ];
                return Paragraph::new(text)
                    .block(block)
                    .wrap(Wrap { trim: false })
                    .render(area, buf);
            }
            Loadable::Loaded(_) => {}
        };
        let Some(plan) = d.plan else { return };
        let chart = |title, series, format: fn(f64) -> String| MetricChart {
            title,
            series,
            plan,
            format,
            theme: t,
        };
        let count = |label, m, style| {
            let series = find(d, m, Statistic::Sum);
            Series {
                label,
                series,
                style,
                zero_fill: true,
                headline: total(series),
            }
        };
        let line = |label, m, stat, style, fmt: fn(f64) -> String| {
            let series = find(d, m, stat);
            Series {
                label,
                series,
                style,
                zero_fill: false,
                headline: peak(series, fmt),
            }
        };
        let invocations = chart(
            "Invocations",
            vec![
                count("", Metric::Invocations, t.chart_invocations),
                count("errors", Metric::Errors, t.chart_errors),
            ],
            format::count,
        );
        let duration = chart(
            "Duration",
            vec![
                line(
                    "p50",
                    Metric::Duration,
                    Statistic::P50,
                    t.chart_p50,
                    format::millis,
                ),
                line(
                    "p95",
                    Metric::Duration,
                    Statistic::P95,
                    t.chart_p95,
                    format::millis,
                ),
                line(
                    "p99",
                    Metric::Duration,
                    Statistic::P99,
                    t.chart_p99,
                    format::millis,
                ),
            ],
            format::millis,
        );
        let throttles = chart(
            "Throttles",
            vec![
                count("", Metric::Throttles, t.chart_throttles),
                line(
                    "concurrency max",
                    Metric::ConcurrentExecutions,
                    Statistic::Max,
                    t.chart_invocations,
                    format::count,
                ),
            ],
            format::count,
        );
        let init_avg = find(d, Metric::InitDuration, Statistic::Average);
        let init_max = find(d, Metric::InitDuration, Statistic::Max);
        let avg = init_avg
            .filter(|s| !s.points.is_empty())
            .map(|s| s.points.iter().map(|p| p.v).sum::<f64>() / s.points.len() as f64);
        let mut cold = count("", Metric::ColdStarts, t.chart_cold);
        cold.headline = format!(
            "{} · init avg {} max {}",
            cold.headline,
            avg.map(format::millis).unwrap_or_else(|| "-".into()),
            peak(init_max, format::millis)
        );
        let cold = chart("Cold starts", vec![cold], format::count);

        let rows =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).split(area);
        let top = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .split(rows[0]);
        let bottom = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .split(rows[1]);
        invocations.render(top[0], buf);
        duration.render(top[1], buf);
        throttles.render(bottom[0], buf);
        cold.render(bottom[1], buf);
    }
}
