//! The account at a glance.
//!
//! ```text
//!  Account overview · the last 1h
//!  concurrency   42 peak of 1000  ██░░░░░░░░░░░░░░░░░░  4% · 995 unreserved
//!
//!  invocations  61.2k  ▁▂▃▄▅▆▇█▇▆▅▄▃▂▁▂▃▄▅▆▇█▇▆▅▄▃▂
//!  errors         521  0.9%  ▁▁▁▂▃▅▁▁▁▂▃▅▁▁▁▂▃▅▁▁
//!  throttles     5.2k  ▂▃▅▂▃▅▂▃▅▂▃▅▂▃▅▂▃▅▂▃▅
//!  concurrency     42  ▃▄▅▃▄▅▃▄▅▃▄▅▃▄▅▃▄▅▃▄▅
//!
//!  Top by errors                    Top by throttles
//!  orders-api-create   487  7.9%    search-indexer      5.2k
//!  Top by p99 duration              Top by cold starts
//!  reports-nightly   3m04s          inventory-sync        12
//! ```
//! Four rankings side by side on wide terminals, two by two on narrow ones. `tab` moves
//! between them, `j`/`k` along one, `enter` opens the function.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{OverviewScreen, Ranking, TOP};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{Metric, MetricSeries, SourceError, error_rate};
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::spinner;

pub struct OverviewView<'a> {
    pub screen: &'a OverviewScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

const LABEL: usize = 13;

impl OverviewView<'_> {
    fn series(&self, metric: Metric) -> Option<&MetricSeries> {
        self.screen
            .account
            .loaded()?
            .iter()
            .find(|s| s.query.metric == metric)
    }

    fn waiting<T>(&self, l: &Loadable<T>) -> Option<(String, Style)> {
        let (ctx, t) = (self.ctx, self.theme);
        match l {
            Loadable::Idle | Loadable::Loading => {
                Some((format!("{} loading…", spinner(ctx.frame)), t.spinner))
            }
            Loadable::Failed(e) => Some((failure(e), t.error)),
            Loadable::Loaded(_) => None,
        }
    }

    fn concurrency_line(&self, width: u16) -> Line<'static> {
        let (s, t) = (self.screen, self.theme);
        let peak = self
            .series(Metric::ConcurrentExecutions)
            .and_then(MetricSeries::max);
        let mut spans = vec![Span::styled(format!(" {:<LABEL$}", "concurrency"), t.dim)];
        match (&s.settings, peak) {
            (Loadable::Loaded(a), peak) => {
                let limit = a.concurrency_limit;
                spans.push(Span::styled(
                    format!(
                        "{} peak of {} ",
                        peak.map(format::count).unwrap_or_else(|| "–".into()),
                        limit.map(|l| l.to_string()).unwrap_or_else(|| "?".into())
                    ),
                    t.base,
                ));
                if let (Some(p), Some(l)) = (peak, limit.filter(|&l| l > 0)) {
                    let share = (p / f64::from(l)).clamp(0.0, 1.0);
                    let room = usize::from(width).saturating_sub(60).clamp(10, 30);
                    let full = (share * room as f64).round() as usize;
                    let style = if share >= 0.8 {
                        t.error
                    } else if share >= 0.5 {
                        t.warn
                    } else {
                        t.ok
                    };
                    let (on, off) = if self.ctx.ascii {
                        ("#", ".")
                    } else {
                        ("█", "░")
                    };
                    spans.push(Span::styled(on.repeat(full), style));
                    spans.push(Span::styled(off.repeat(room - full), t.dim));
                    spans.push(Span::styled(
                        format!(" {}", format::percent(share * 100.0)),
                        style,
                    ));
                }
                if let Some(u) = a.unreserved_concurrency {
                    spans.push(Span::styled(format!(" · {u} unreserved"), t.dim));
                }
            }
            (Loadable::Failed(e), _) => spans.push(Span::styled(
                format!(
                    "{} peak · the account limit is n/a: {}",
                    peak.map(format::count).unwrap_or_else(|| "–".into()),
                    format::safe(&e.to_string())
                ),
                t.dim,
            )),
            _ => spans.push(Span::styled(
                format!("{} loading the account limit…", spinner(self.ctx.frame)),
                t.spinner,
            )),
        }
        Line::from(spans)
    }

    fn totals(&self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        if let Some((note, style)) = self.waiting(&self.screen.account) {
            Paragraph::new(Line::styled(format!(" {note}"), style))
                .wrap(Wrap { trim: false })
                .render(area, buf);
            return;
        }
        let plan = self.screen.plan;
        let total = |m| self.series(m).map(MetricSeries::total);
        let invocations = total(Metric::Invocations);
        let rows = [
            (
                "invocations",
                Metric::Invocations,
                t.chart_invocations,
                None,
            ),
            (
                "errors",
                Metric::Errors,
                t.chart_errors,
                total(Metric::Errors)
                    .zip(invocations)
                    .and_then(|(e, i)| error_rate(e, i))
                    .map(format::percent),
            ),
            ("throttles", Metric::Throttles, t.chart_throttles, None),
            (
                "concurrency",
                Metric::ConcurrentExecutions,
                t.chart_concurrency,
                None,
            ),
        ];
        for (i, (label, metric, style, extra)) in rows.into_iter().enumerate() {
            let y = area.y + i as u16;
            if y >= area.bottom() {
                break;
            }
            let s = self.series(metric);
            let figure = match (s, metric) {
                (Some(s), _) if s.unavailable.is_some() => "n/a".to_string(),
                (Some(s), Metric::ConcurrentExecutions) => s
                    .max()
                    .map(|v| format!("{} peak", format::count(v)))
                    .unwrap_or("–".into()),
                (Some(s), _) if s.points.is_empty() => "–".into(),
                (Some(s), _) => format::count(s.total()),
                (None, _) => "–".into(),
            };
            let extra = extra.unwrap_or_default();
            let head = format!(" {label:<LABEL$}{figure:>9}  {extra:<6}");
            let room = usize::from(area.width).saturating_sub(head.chars().count() + 1);
            let spark = match (s, plan) {
                (Some(s), Some(p)) => {
                    let values: Vec<f64> = s
                        .buckets(&p, metric != Metric::ConcurrentExecutions)
                        .into_iter()
                        .map(|v| v.unwrap_or(0.0))
                        .collect();
                    format::sparkline(&values, room)
                }
                _ => String::new(),
            };
            let line = Line::from(vec![
                Span::styled(head, t.base),
                Span::styled(spark, if self.ctx.ascii { t.dim } else { style }),
            ]);
            buf.set_line(area.x, y, &line, area.width);
        }
    }

    fn ranking(&self, r: Ranking, i: usize, area: Rect, buf: &mut Buffer) {
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        let focused = s.ranking % Ranking::ALL.len() == i;
        let title_style = if focused {
            t.title.patch(t.chart_focus)
        } else {
            t.title
        };
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(format!(" {}", r.title()), title_style),
            area.width,
        );
        let body = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        if body.height == 0 {
            return;
        }
        let note = match r {
            Ranking::Errors | Ranking::Throttles => match &ctx.catalog.list {
                Loadable::Loaded(_) if ctx.catalog.stats.is_empty() => {
                    Some((format!("{} loading…", spinner(ctx.frame)), t.spinner))
                }
                Loadable::Loaded(_) => None,
                l => self.waiting(l),
            },
            Ranking::P99 => self.waiting(&s.p99),
            Ranking::ColdStarts => self.waiting(&s.cold).or_else(|| {
                s.cold
                    .loaded()?
                    .iter()
                    .find_map(|x| x.unavailable.clone())
                    .map(|why| (format!("n/a: {}", format::safe(&why)), t.dim))
            }),
        };
        if let Some((text, style)) = note {
            let lines = format::wrap(&text, usize::from(body.width).saturating_sub(2));
            for (k, l) in lines.into_iter().take(usize::from(body.height)).enumerate() {
                buf.set_string(body.x + 1, body.y + k as u16, l, style);
            }
            return;
        }
        let rows = s.rows(ctx, r);
        if rows.is_empty() {
            let none = match r {
                Ranking::Errors => "no errors",
                Ranking::Throttles => "no throttles",
                Ranking::P99 => "no invocations",
                Ranking::ColdStarts => "no cold starts",
            };
            buf.set_string(
                body.x + 1,
                body.y,
                format!("{none} in {}", ctx.focus_label()),
                t.dim,
            );
            return;
        }
        for (k, (name, v)) in rows.iter().take(TOP).enumerate() {
            let y = body.y + k as u16;
            if y >= body.bottom() {
                break;
            }
            let value = match r {
                Ranking::P99 => format::millis(*v),
                _ => format::count(*v),
            };
            let rate = match r {
                Ranking::Errors => ctx
                    .catalog
                    .stats
                    .get(name)
                    .and_then(|st| st.error_rate())
                    .map(format::percent)
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let tail = format!(" {value:>7} {rate:>5}");
            let name_w = usize::from(area.width).saturating_sub(tail.chars().count() + 2);
            let name: String = format::safe(name).chars().take(name_w).collect();
            let selected = focused && s.row == k;
            let style = if selected { t.selected } else { t.base };
            let line = Line::from(vec![
                Span::styled(format!(" {name:<name_w$}"), style),
                Span::styled(tail, if selected { t.selected } else { t.dim }),
            ]);
            buf.set_line(area.x, y, &line, area.width);
        }
    }
}

fn failure(e: &SourceError) -> String {
    format!("could not load: {}", format::safe(&e.to_string()))
}

impl Widget for OverviewView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height < 2 {
            return;
        }
        let t = self.theme;
        let title = Line::from(vec![
            Span::styled(" Account overview", t.title),
            Span::styled(format!(" · {}", self.ctx.focus_label()), t.dim),
        ]);
        buf.set_line(area.x, area.y, &title, area.width);
        // Two rows, so a reason the limit is missing is read whole.
        Paragraph::new(self.concurrency_line(area.width))
            .wrap(Wrap { trim: false })
            .render(
                Rect {
                    y: area.y + 1,
                    height: 2.min(area.height - 1),
                    ..area
                },
                buf,
            );
        let rest = Rect {
            y: area.y + 3,
            height: area.height.saturating_sub(3),
            ..area
        };
        let [totals, _, ranks] = Layout::vertical([
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(rest);
        self.totals(totals, buf);
        let wide = area.width >= 160;
        let per_row = if wide { 4 } else { 2 };
        let rows = Ranking::ALL.len().div_ceil(per_row);
        let row_areas =
            Layout::vertical(vec![Constraint::Length(TOP as u16 + 1); rows]).split(ranks);
        for (i, r) in Ranking::ALL.into_iter().enumerate() {
            let cols = Layout::horizontal(vec![Constraint::Ratio(1, per_row as u32); per_row])
                .split(row_areas[i / per_row]);
            self.ranking(r, i, cols[i % per_row], buf);
        }
    }
}
