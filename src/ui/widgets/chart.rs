//! A time chart of metric series over a [`MetricPlan`]'s buckets: braille lines (ASCII `*`
//! where braille cannot be shown), a left axis and an optional right one with their units,
//! time ticks, deploy markers, a cursor shared across charts and a selection being marked.
//!
//! ```text
//! ─ Errors ━ 1.1k ━ rate 18% ─────────────────────────────
//!   120│      ⢀⡠⠔⠊┊⠉⠒⠤⣀   ▏           ⡠⠊⠉⠒⢄           │ 40%
//!      │  ⢀⠔⠁     ┊      ⠉⠢▏⡀      ⢀⠔⠁    ⠈⠢⡀       │
//!     0│⠔⠁        ┊         ▏ ⠈⠉⠉⠉⠉⠁          ⠈⠒⠤⣀    │ 0%
//!       13:00         13:15         13:30         13:45
//! ```
//! A period with no datapoint is a gap in its line, never a zero: a line breaks there, and a
//! lone datapoint is drawn as a dot.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Context, Line as Segment, Points};

use crate::domain::{DAY_MS, EpochMs, HOUR_MS, MINUTE_MS, MetricPlan};
use crate::ui::format;
use crate::ui::theme::Theme;

/// Declared with the charts (model::charts); read here.
pub use crate::model::charts::Unit;

impl Unit {
    /// A value as a chart's axis and headline read it: a bare "0" for zero.
    pub fn format(self, v: f64) -> String {
        if v == 0.0 {
            return "0".into();
        }
        self.formatter()(v)
    }

    /// The formatter of the unit ("0%" and "0ms" for zero, as a table cell reads it).
    pub fn formatter(self) -> fn(f64) -> String {
        match self {
            Unit::Count => format::count,
            Unit::Millis => format::millis,
            Unit::Percent => format::percent,
        }
    }
}

/// One line on a chart.
pub struct Plot<'a> {
    pub label: &'a str,
    /// One value per bucket of the plan; `None` is a gap.
    pub values: &'a [Option<f64>],
    pub style: Style,
    /// Drawn against the right axis.
    pub right: bool,
    /// The figure the title shows next to the label: a total, a peak, or the value under the
    /// cursor.
    pub headline: String,
}

pub struct TimeChart<'a> {
    pub title: &'a str,
    pub plan: MetricPlan,
    pub plots: Vec<Plot<'a>>,
    pub left: Unit,
    pub right: Option<Unit>,
    /// A level on the left axis drawn as a dashed line, with its name (reserved concurrency).
    pub limit: Option<(f64, &'a str)>,
    /// The bucket under the shared cursor.
    pub cursor: Option<usize>,
    /// Deploys, marked on the time axis.
    pub deploys: &'a [EpochMs],
    /// Buckets being marked as the incident window (inclusive).
    pub selection: Option<(usize, usize)>,
    /// The chart that keys like "select the spike" act on.
    pub focused: bool,
    /// Draw the time labels under the plot.
    pub ticks: bool,
    pub ascii: bool,
    /// Shown instead of the plot (loading, failed, no data).
    pub note: Option<(String, Style)>,
    pub theme: &'a Theme,
}

/// The columns a chart of `width` leaves for its plot, given the widest labels it may need:
/// the dashboard plans its periods from this, so one point falls on each column.
pub fn plot_columns(width: u16, right_axis: bool) -> u16 {
    width.saturating_sub(LEFT_LABELS + if right_axis { RIGHT_LABELS } else { 0 })
}

/// Room for the left labels ("12.3k│", "1.24s│") and the right ones ("│100%").
const LEFT_LABELS: u16 = 7;
const RIGHT_LABELS: u16 = 6;

/// A round number just above `max`, so axis labels read well. Counts get a whole, even top
/// so the middle label is a whole number too.
fn nice_top(max: f64, unit: Unit) -> f64 {
    let top = nice(max);
    if unit == Unit::Count && top < 10.0 {
        return (top.ceil() as u64).next_multiple_of(2).max(2) as f64;
    }
    top
}

fn nice(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 {
        return 1.0;
    }
    let max = max * 1.05;
    let mag = 10f64.powf(max.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|t| *t >= max)
        .unwrap_or(10.0 * mag)
}

/// Tick steps, smallest first, that fall on round clock times.
const TICK_STEPS: [EpochMs; 15] = [
    MINUTE_MS,
    2 * MINUTE_MS,
    5 * MINUTE_MS,
    10 * MINUTE_MS,
    15 * MINUTE_MS,
    30 * MINUTE_MS,
    HOUR_MS,
    2 * HOUR_MS,
    3 * HOUR_MS,
    6 * HOUR_MS,
    12 * HOUR_MS,
    DAY_MS,
    2 * DAY_MS,
    7 * DAY_MS,
    14 * DAY_MS,
];

fn tick_label(t: EpochMs, step: EpochMs) -> String {
    let fmt = if step >= DAY_MS { "%b %d" } else { "%H:%M" };
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format(fmt).to_string())
        .unwrap_or_default()
}

/// Round times between `start` and `end` as far apart as `width` columns allow.
pub fn ticks(start: EpochMs, end: EpochMs, width: u16) -> Vec<(EpochMs, String)> {
    let span = (end - start).max(1);
    let room = usize::from(width);
    for step in TICK_STEPS {
        let label_w = tick_label(start, step).chars().count() + 1;
        let first = (start + step - 1).div_euclid(step) * step;
        let n = ((end - first).max(0) / step + 1) as usize;
        if n * label_w <= room || step == TICK_STEPS[TICK_STEPS.len() - 1] {
            return (0..n)
                .map(|i| first + i as EpochMs * step)
                .filter(|&t| t < end || span < step)
                .map(|t| (t, tick_label(t, step)))
                .collect();
        }
    }
    vec![]
}

/// Drops the least important parts of a title until it fits: headlines first, then labels.
fn fit_title<'a>(
    title: &'a str,
    plots: &[Plot<'a>],
    width: usize,
    theme: &Theme,
    title_style: Style,
) -> Vec<Span<'a>> {
    let rule = if width > 0 { "─ " } else { "" };
    for level in 0..3 {
        let mut spans = vec![
            Span::styled(rule, theme.border),
            Span::styled(format!("{title} "), title_style),
        ];
        for p in plots {
            spans.push(Span::styled("━", p.style));
            let text = match level {
                0 if p.label.is_empty() => format!(" {} ", p.headline),
                0 => format!(" {} {} ", p.label, p.headline),
                1 => format!(" {} ", p.headline),
                _ => " ".to_string(),
            };
            spans.push(Span::styled(text, theme.dim));
        }
        let len: usize = spans.iter().map(|s| s.width()).sum();
        if len <= width || level == 2 {
            return spans;
        }
    }
    vec![]
}

impl TimeChart<'_> {
    fn x_of(&self, t: EpochMs, plot: Rect) -> Option<u16> {
        let w = self.plan.window;
        if !w.contains(t) || plot.width == 0 {
            return None;
        }
        let frac = (t - w.start) as f64 / w.len_ms().max(1) as f64;
        Some(plot.x + ((frac * f64::from(plot.width)) as u16).min(plot.width - 1))
    }

    /// Columns a bucket covers.
    fn columns_of(&self, i: usize, plot: Rect) -> (u16, u16) {
        let a = self.x_of(self.plan.bucket_start(i), plot).unwrap_or(plot.x);
        let end = self.plan.bucket_start(i + 1) - 1;
        let b = self
            .x_of(end.min(self.plan.window.end - 1), plot)
            .unwrap_or(plot.right().saturating_sub(1));
        (a, b.max(a))
    }
}

fn color(style: Style) -> Color {
    style.fg.unwrap_or(Color::Reset)
}

/// Draws one line: runs of buckets with data as segments, lone points as dots. With more
/// buckets than dot columns, each column keeps its lowest and highest value, so a spike
/// survives the squeeze.
fn paint(
    ctx: &mut Context,
    plan: &MetricPlan,
    values: &[Option<f64>],
    scale: f64,
    c: Color,
    dots: usize,
) {
    let half = plan.period_ms() as f64 / 2.0;
    let x = |i: usize| plan.bucket_start(i) as f64 + half;
    let n = values.len();
    if n > dots.max(1) * 2 {
        let mut prev: Option<(f64, f64)> = None;
        for col in 0..dots {
            let (a, b) = (
                col * n / dots,
                ((col + 1) * n / dots).max(col * n / dots + 1),
            );
            let vs = values[a..b.min(n)].iter().flatten();
            let (lo, hi) = vs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
            if lo > hi {
                prev = None;
                continue;
            }
            let cx = x((a + b.min(n)) / 2);
            ctx.draw(&Segment::new(cx, lo * scale, cx, hi * scale, c));
            if let Some((px, py)) = prev {
                ctx.draw(&Segment::new(px, py, cx, (lo + hi) / 2.0 * scale, c));
            }
            prev = Some((cx, (lo + hi) / 2.0 * scale));
        }
        return;
    }
    for i in 0..n {
        let Some(v) = values[i] else { continue };
        let before = i.checked_sub(1).and_then(|j| values[j]);
        let after = values.get(i + 1).copied().flatten();
        if let Some(w) = after {
            ctx.draw(&Segment::new(x(i), v * scale, x(i + 1), w * scale, c));
        } else if before.is_none() {
            ctx.draw(&Points {
                coords: &[(x(i), v * scale)],
                color: c,
            });
        }
    }
}

impl Widget for TimeChart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || area.width < 4 {
            return;
        }
        let t = self.theme;
        let title_style = if self.focused {
            t.title.patch(t.chart_focus)
        } else {
            t.title
        };
        let spans = fit_title(
            self.title,
            &self.plots,
            usize::from(area.width),
            t,
            title_style,
        );
        let used: usize = spans.iter().map(|s| s.width()).sum();
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
        if used < usize::from(area.width) {
            let rule = "─".repeat(usize::from(area.width) - used);
            buf.set_string(area.x + used as u16, area.y, rule, t.border);
        }
        let ticks_h = u16::from(self.ticks && area.height >= 4);
        let body = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1 + ticks_h),
            ..area
        };
        if body.height == 0 {
            return;
        }
        if let Some((note, style)) = &self.note {
            let lines = format::wrap(note, usize::from(body.width).saturating_sub(2));
            let n = (lines.len() as u16).min(body.height);
            let top = body.y + (body.height - n) / 2;
            for (i, l) in lines.into_iter().take(usize::from(n)).enumerate() {
                buf.set_string(body.x + 1, top + i as u16, l, *style);
            }
            return;
        }

        let max_of = |right: bool| {
            self.plots
                .iter()
                .filter(|p| p.right == right)
                .flat_map(|p| p.values.iter().flatten())
                .fold(0.0_f64, |a, &b| a.max(b))
        };
        let left_top = nice_top(
            max_of(false).max(self.limit.map_or(0.0, |l| l.0)),
            self.left,
        );
        let right_top = nice_top(max_of(true), self.right.unwrap_or(Unit::Count));
        let right_w = if self.right.is_some() {
            RIGHT_LABELS
        } else {
            0
        };
        let plot = Rect {
            x: body.x + LEFT_LABELS,
            width: body.width.saturating_sub(LEFT_LABELS + right_w),
            ..body
        };
        if plot.width < 2 {
            return;
        }

        // Axes: labels at the top, the middle (when there is room) and zero.
        let label_rows: Vec<(u16, f64)> = if plot.height >= 5 {
            vec![(0, 1.0), (plot.height / 2, 0.5), (plot.height - 1, 0.0)]
        } else {
            vec![(0, 1.0), (plot.height - 1, 0.0)]
        };
        let bar = if self.ascii { "|" } else { "│" };
        for row in 0..plot.height {
            buf.set_string(plot.x - 1, plot.y + row, bar, t.chart_axis);
            if self.right.is_some() {
                buf.set_string(plot.right(), plot.y + row, bar, t.chart_axis);
            }
        }
        let right_style = self
            .plots
            .iter()
            .find(|p| p.right)
            .map_or(t.chart_axis, |p| {
                t.chart_axis.patch(Style::default().fg(color(p.style)))
            });
        for &(row, frac) in &label_rows {
            let y = plot.y + row;
            let text = self.left.format(left_top * frac);
            let w = (LEFT_LABELS - 1) as usize;
            let text: String = text.chars().take(w).collect();
            buf.set_string(body.x, y, format!("{text:>w$}"), t.chart_axis);
            let right_has_data = self
                .plots
                .iter()
                .any(|p| p.right && p.values.iter().any(Option::is_some));
            if let Some(unit) = self.right.filter(|_| right_has_data) {
                let text: String = unit
                    .format(right_top * frac)
                    .chars()
                    .take((RIGHT_LABELS - 1) as usize)
                    .collect();
                buf.set_string(plot.right() + 1, y, text, right_style);
            }
        }

        let window = self.plan.window;
        let dots = usize::from(plot.width) * 2;
        let scale_right = left_top / right_top;
        let plan = self.plan;
        let lines: Vec<(&[Option<f64>], f64, Color)> = self
            .plots
            .iter()
            .map(|p| {
                (
                    p.values,
                    if p.right { scale_right } else { 1.0 },
                    color(p.style),
                )
            })
            .collect();
        Canvas::default()
            .marker(if self.ascii {
                Marker::Custom('*')
            } else {
                Marker::Braille
            })
            .background_color(t.base.bg.unwrap_or(Color::Reset))
            .x_bounds([window.start as f64, window.end as f64])
            .y_bounds([0.0, left_top])
            .paint(|ctx| {
                for (values, scale, c) in &lines {
                    paint(ctx, &plan, values, *scale, *c, dots);
                }
            })
            .render(plot, buf);
        if let Some((a, b)) = self.selection {
            // The canvas reset the background: shade the selection on top of the lines.
            let (x0, _) = self.columns_of(a.min(b), plot);
            let (_, x1) = self.columns_of(a.max(b), plot);
            buf.set_style(
                Rect {
                    x: x0,
                    width: x1 - x0 + 1,
                    ..plot
                },
                t.chart_selection,
            );
        }

        // Reserved concurrency: a dashed level where the lines leave room.
        if let Some((level, _)) = self.limit
            && level > 0.0
        {
            let frac = (level / left_top).clamp(0.0, 1.0);
            // Truncated, as the canvas places its points.
            let row = plot.y + ((1.0 - frac) * f64::from(plot.height - 1)) as u16;
            let dash = if self.ascii { "-" } else { "╌" };
            for x in plot.x..plot.right() {
                if buf[(x, row)].symbol() == " " {
                    buf[(x, row)].set_symbol(dash).set_style(t.chart_limit);
                }
            }
        }
        // Deploys: a dotted column where the lines leave room.
        let mark = if self.ascii { ":" } else { "┊" };
        for &d in self.deploys {
            if let Some(x) = self.x_of(d, plot) {
                for y in plot.y..plot.bottom() {
                    if buf[(x, y)].symbol() == " " {
                        buf[(x, y)].set_symbol(mark).set_style(t.chart_deploy);
                    }
                }
            }
        }
        if let Some(i) = self.cursor.filter(|&i| i < self.plan.buckets()) {
            let (x0, x1) = self.columns_of(i, plot);
            let x = (x0 + x1) / 2;
            for y in plot.y..plot.bottom() {
                let cell = &mut buf[(x, y)];
                if cell.symbol() == " " {
                    cell.set_symbol(if self.ascii { "|" } else { "▏" });
                }
                cell.set_style(t.chart_cursor);
            }
        }

        if ticks_h == 1 {
            let y = body.bottom();
            for (at, label) in ticks(window.start, window.end, plot.width) {
                let Some(x) = self.x_of(at, plot) else {
                    continue;
                };
                let w = label.chars().count() as u16;
                let x = x
                    .saturating_sub(w / 2)
                    .max(area.x)
                    .min(area.right().saturating_sub(w));
                buf.set_string(x, y, label, t.chart_axis);
            }
            for &d in self.deploys {
                if let Some(x) = self.x_of(d, plot).filter(|&x| buf[(x, y)].symbol() == " ") {
                    buf.set_string(x, y, if self.ascii { "^" } else { "▲" }, t.chart_deploy);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TimeWindow;

    const T0: EpochMs = 1_795_442_400_000; // 14:00 UTC

    #[test]
    fn tops_are_round() {
        assert_eq!(nice_top(0.0, Unit::Millis), 1.0);
        assert_eq!(nice_top(97.0, Unit::Count), 120.0);
        assert_eq!(nice_top(3.0, Unit::Millis), 4.0);
        assert_eq!(nice_top(1234.0, Unit::Millis), 1500.0);
        // Small counts: whole and even, so "1" is not printed twice.
        assert_eq!(nice_top(1.0, Unit::Count), 2.0);
        assert_eq!(nice_top(0.0, Unit::Count), 2.0);
        assert_eq!(nice_top(5.0, Unit::Count), 6.0);
        assert_eq!(Unit::Millis.format(0.0), "0");
    }

    #[test]
    fn ticks_fall_on_round_times_and_fit() {
        let t = ticks(T0 - HOUR_MS, T0, 60);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["13:00", "13:10", "13:20", "13:30", "13:40", "13:50"]
        );
        assert!(t.iter().all(|(at, _)| at % (10 * MINUTE_MS) == 0));
        let days = ticks(T0 - 30 * DAY_MS, T0, 60);
        assert!(days.len() >= 2 && days.len() <= 8, "{days:?}");
        assert!(days[0].1.len() == 6, "{days:?}");
    }

    fn render(values: &[Option<f64>], ascii: bool) -> Buffer {
        let plan = MetricPlan::new(TimeWindow::new(T0 - HOUR_MS, T0), 60, T0);
        let theme = Theme::default_theme();
        let area = Rect::new(0, 0, 70, 8);
        let mut buf = Buffer::empty(area);
        TimeChart {
            title: "Invocations",
            plan,
            plots: vec![Plot {
                label: "",
                values,
                style: theme.chart_invocations,
                right: false,
                headline: "42".into(),
            }],
            left: Unit::Count,
            right: None,
            limit: None,
            cursor: Some(30),
            deploys: &[T0 - 20 * MINUTE_MS],
            selection: None,
            focused: true,
            ticks: true,
            ascii,
            note: None,
            theme: &theme,
        }
        .render(area, &mut buf);
        buf
    }

    fn column(buf: &Buffer, x: u16) -> String {
        (1..buf.area.height - 1)
            .map(|y| buf[(x, y)].symbol())
            .collect()
    }

    #[test]
    fn gaps_are_not_zeros() {
        // Data for the first and last 20 minutes; nothing in between.
        let values: Vec<Option<f64>> = (0..60)
            .map(|i| (!(20..40).contains(&i)).then_some(10.0))
            .collect();
        let buf = render(&values, false);
        // The plot starts after the labels: the middle columns have no dots at all.
        let plot_x = LEFT_LABELS;
        let mid = plot_x + 63 / 2 - 5;
        assert!(
            column(&buf, mid)
                .chars()
                .all(|c| !('\u{2801}'..='\u{28ff}').contains(&c))
        );
        assert!((plot_x..plot_x + 10).any(|x| column(&buf, x).contains(|c: char| ('\u{2801}'..='\u{28ff}').contains(&c))));
        // The time axis has ticks, not only its ends.
        let ticks: String = (0..70).map(|x| buf[(x, 7)].symbol()).collect();
        assert!(
            ticks.contains("13:10") && ticks.contains("13:30"),
            "{ticks}"
        );
        assert!(
            column(&buf, LEFT_LABELS + 42).contains('┊'),
            "the deploy is marked"
        );
    }

    #[test]
    fn ascii_markers_draw_no_braille() {
        let values: Vec<Option<f64>> = (0..60).map(|i| Some(f64::from(i % 7))).collect();
        let buf = render(&values, true);
        let all: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(all.contains('*'));
        assert!(
            !all.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)),
            "{all}"
        );
    }

    #[test]
    fn a_long_title_drops_figures_before_it_is_cut() {
        let theme = Theme::default_theme();
        let values = [Some(1.0)];
        let plots = vec![
            Plot {
                label: "p50",
                values: &values,
                style: theme.chart_p50,
                right: false,
                headline: "85ms".into(),
            },
            Plot {
                label: "p99",
                values: &values,
                style: theme.chart_p99,
                right: false,
                headline: "1.24s".into(),
            },
        ];
        let wide: String = fit_title("Duration", &plots, 60, &theme, theme.title)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(wide, "─ Duration ━ p50 85ms ━ p99 1.24s ");
        let narrow: String = fit_title("Duration", &plots, 30, &theme, theme.title)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(narrow, "─ Duration ━ 85ms ━ 1.24s ");
        let tiny: String = fit_title("Duration", &plots, 20, &theme, theme.title)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(tiny, "─ Duration ━ ━ ");
    }
}
