//! A time-series chart of one or more metric series over the window, braille lines, with the
//! legend (and each series' headline number) in the title.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph, Widget};

use crate::domain::{MetricPlan, MetricSeries};
use crate::ui::format;
use crate::ui::theme::Theme;

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
    /// The window and period the series were fetched for.
    pub plan: MetricPlan,
    pub format: fn(f64) -> String,
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
            .border_style(t.border)
            .title(Line::from(title));
        let plan = self.plan;
        let points: Vec<Vec<(f64, f64)>> = self
            .series
            .iter()
            .map(|s| {
                let Some(ms) = s.series else { return vec![] };
                if !s.zero_fill {
                    return ms.points.iter().map(|p| (p.t as f64, p.v)).collect();
                }
                // Counts: a period without a datapoint had none. Points land in their bucket
                // whatever their exact stamp.
                let mut buckets = vec![0.0; plan.buckets()];
                for p in &ms.points {
                    if let Some(b) = plan.bucket_of(p.t).and_then(|i| buckets.get_mut(i)) {
                        *b += p.v;
                    }
                }
                buckets
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (plan.bucket_start(i) as f64, v))
                    .collect()
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
            Paragraph::new(Line::styled(msg, t.dim))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .render(inner, buf);
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
        let window = plan.window;
        let span = window.len_ms();
        Chart::new(datasets)
            .block(block)
            .style(t.base)
            .x_axis(
                Axis::default()
                    .bounds([window.start as f64, window.end as f64])
                    .style(t.chart_axis)
                    .labels(vec![
                        Span::styled(format::axis_time(window.start, span), t.chart_axis),
                        Span::styled(format::axis_time(window.end, span), t.chart_axis),
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
