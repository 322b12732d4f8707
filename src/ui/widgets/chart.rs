//! A time-series chart of one or more metric series over the window, braille lines, with the
//! legend (and each series' headline number) in the title.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph, Widget};

use crate::source::{MINUTE_MS, MetricSeries, TimeWindow};
use crate::theme::Theme;
use crate::ui::format;

pub struct Series<'a> {
    pub label: &'a str,
    pub series: Option<&'a MetricSeries>,
    pub style: Style,
    /// Missing periods mean zero (counts) rather than "no data" (durations).
    pub zero_fill: bool,
    /// The number shown next to the label.
    pub headline: String,
}

pub struct MetricChart<'a> {
    pub title: &'a str,
    pub series: Vec<Series<'a>>,
    pub window: TimeWindow,
    pub period_s: u32,
    pub format: fn(f64) -> String,
    pub focused: bool,
    pub theme: &'a Theme,
}

impl Widget for MetricChart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let mut title = vec![Span::styled(format!(" {} ", self.title), t.title)];
        for s in &self.series {
            title.push(Span::styled("━", s.style));
            let label = if s.label.is_empty() {
                String::new()
            } else {
                format!(" {}", s.label)
            };
            title.push(Span::styled(format!("{label} {} ", s.headline), t.dim));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if self.focused { t.title } else { t.border })
            .title(Line::from(title));
        let period = i64::from(self.period_s.max(60)) * 1000;
        let points: Vec<Vec<(f64, f64)>> = self
            .series
            .iter()
            .map(|s| {
                let Some(ms) = s.series else { return vec![] };
                if !s.zero_fill {
                    return ms.points.iter().map(|p| (p.t as f64, p.v)).collect();
                }
                let first = self.window.start.div_euclid(MINUTE_MS) * MINUTE_MS;
                let mut out = Vec::new();
                let mut t0 = first;
                let mut it = ms.points.iter().peekable();
                while t0 < self.window.end {
                    let v = match it.peek() {
                        Some(p) if p.t == t0 => it.next().map(|p| p.v).unwrap_or(0.0),
                        _ => 0.0,
                    };
                    out.push((t0 as f64, v));
                    t0 += period;
                }
                out
            })
            .collect();
        let unavailable: Vec<&str> = self
            .series
            .iter()
            .filter_map(|s| s.series.and_then(|m| m.unavailable.as_deref()))
            .collect();
        if points.iter().all(|p| p.is_empty()) {
            let inner = block.inner(area);
            block.render(area, buf);
            let msg = match unavailable.first() {
                Some(why) => format!("n/a: {}", format::safe(why)),
                None => "no datapoints in this window".to_string(),
            };
            Paragraph::new(Line::styled(msg, t.dim)).render(inner, buf);
            return;
        }
        let max = points.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
        let top = if max <= 0.0 { 1.0 } else { max * 1.15 };
        let datasets = points
            .iter()
            .zip(&self.series)
            .map(|(p, s)| {
                Dataset::default()
                    .marker(Marker::Braille)
                    .graph_type(GraphType::Line)
                    .style(s.style)
                    .data(p)
            })
            .collect();
        let span = self.window.len_ms();
        Chart::new(datasets)
            .block(block)
            .style(t.base)
            .x_axis(
                Axis::default()
                    .bounds([self.window.start as f64, self.window.end as f64])
                    .style(t.chart_axis)
                    .labels(vec![
                        Span::styled(format::axis_time(self.window.start, span), t.chart_axis),
                        Span::styled(format::axis_time(self.window.end, span), t.chart_axis),
                    ]),
            )
            .y_axis(
                Axis::default()
                    .bounds([0.0, top])
                    .style(t.chart_axis)
                    .labels(vec![
                        Span::styled("0", t.chart_axis),
                        Span::styled((self.format)(max), t.chart_axis),
                    ]),
            )
            .legend_position(None)
            .render(area, buf);
    }
}
