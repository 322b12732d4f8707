//! The dashboard's charts, declared once in [`CHARTS`]: each chart's lines (where their values
//! come from, label, unit, axis, headline), which drive the one request that fetches them, the
//! values per bucket (with the error rate), the spike a key selects, the drawing and the
//! columns of `lambdascope metrics`.

use crate::domain::{
    ColdStartAnalysis, Metric, MetricPlan, MetricQuery, MetricRequest, MetricSeries, Statistic,
    error_rate,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Invocations,
    Errors,
    Throttles,
    Duration,
    Concurrency,
    ColdStarts,
}

impl ChartKind {
    pub const ALL: [ChartKind; 6] = [
        ChartKind::Invocations,
        ChartKind::Errors,
        ChartKind::Throttles,
        ChartKind::Duration,
        ChartKind::Concurrency,
        ChartKind::ColdStarts,
    ];

    pub fn chart(self) -> &'static Chart {
        // CHARTS is in the order of ALL (a test holds it).
        &CHARTS[self as usize]
    }

    pub fn title(self) -> &'static str {
        self.chart().title
    }
}

/// Where a line's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A CloudWatch series, fetched by the charts' one GetMetricData call.
    Metric(Metric, Statistic),
    /// Errors over invocations in each bucket: costs no request.
    ErrorRate,
    /// Cold starts, and the p50 and p99 of their init durations, from the cold-start analysis.
    ColdStarts,
    InitP50,
    InitP99,
}

/// How a value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Millis,
    Percent,
}

/// What a line's title shows when no bucket is under the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    /// The window's total (counts).
    Total,
    /// The window's highest bucket.
    Peak,
    /// The window's own figure: the overall error rate, the analysis' init percentiles.
    Window,
}

/// One line on a chart, and its column in `lambdascope metrics`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub source: Source,
    /// Shown before its headline; empty for a chart's main line.
    pub label: &'static str,
    pub unit: Unit,
    /// Drawn against the right axis.
    pub right: bool,
    pub headline: Headline,
    /// The CLI's column header and width.
    pub column: (&'static str, usize),
}

/// One chart: its lines, the one a spike is looked for in, and the limit line it may draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: &'static str,
    pub lines: &'static [Line],
    /// Index into `lines`.
    pub spike_on: usize,
    /// A limit drawn across it, by name (the function's reserved concurrency).
    pub limit: Option<&'static str>,
}

impl Chart {
    /// The units of its left and right axes.
    pub fn axes(&self) -> (Unit, Option<Unit>) {
        let left = self
            .lines
            .iter()
            .find(|l| !l.right)
            .map_or(Unit::Count, |l| l.unit);
        (left, self.lines.iter().find(|l| l.right).map(|l| l.unit))
    }

    /// The CloudWatch metrics it draws.
    pub fn metrics(&self) -> impl Iterator<Item = Metric> + '_ {
        self.lines.iter().filter_map(|l| match l.source {
            Source::Metric(m, _) => Some(m),
            _ => None,
        })
    }
}

const fn line(
    source: Source,
    label: &'static str,
    unit: Unit,
    headline: Headline,
    column: (&'static str, usize),
) -> Line {
    Line {
        source,
        label,
        unit,
        right: false,
        headline,
        column,
    }
}

const fn right(l: Line) -> Line {
    Line { right: true, ..l }
}

use Headline::{Peak, Total, Window};
use Unit::{Count, Millis, Percent};

/// Every chart, in the order of [`ChartKind::ALL`].
pub const CHARTS: [Chart; 6] = [
    Chart {
        kind: ChartKind::Invocations,
        title: "Invocations",
        lines: &[line(
            Source::Metric(Metric::Invocations, Statistic::Sum),
            "",
            Count,
            Total,
            ("INVOC", 7),
        )],
        spike_on: 0,
        limit: None,
    },
    Chart {
        kind: ChartKind::Errors,
        title: "Errors",
        lines: &[
            line(
                Source::Metric(Metric::Errors, Statistic::Sum),
                "",
                Count,
                Total,
                ("ERR", 6),
            ),
            right(line(
                Source::ErrorRate,
                "rate",
                Percent,
                Window,
                ("ERR%", 6),
            )),
        ],
        spike_on: 0,
        limit: None,
    },
    Chart {
        kind: ChartKind::Throttles,
        title: "Throttles",
        lines: &[line(
            Source::Metric(Metric::Throttles, Statistic::Sum),
            "",
            Count,
            Total,
            ("THROT", 6),
        )],
        spike_on: 0,
        limit: None,
    },
    Chart {
        kind: ChartKind::Duration,
        title: "Duration",
        lines: &[
            line(
                Source::Metric(Metric::Duration, Statistic::P50),
                "p50",
                Millis,
                Peak,
                ("P50", 7),
            ),
            line(
                Source::Metric(Metric::Duration, Statistic::P90),
                "p90",
                Millis,
                Peak,
                ("P90", 7),
            ),
            line(
                Source::Metric(Metric::Duration, Statistic::P99),
                "p99",
                Millis,
                Peak,
                ("P99", 7),
            ),
        ],
        // The tail is where a slowdown shows first.
        spike_on: 2,
        limit: None,
    },
    Chart {
        kind: ChartKind::Concurrency,
        title: "Concurrency",
        lines: &[line(
            Source::Metric(Metric::ConcurrentExecutions, Statistic::Max),
            "max",
            Count,
            Peak,
            ("CONC", 5),
        )],
        spike_on: 0,
        limit: Some("reserved"),
    },
    Chart {
        kind: ChartKind::ColdStarts,
        title: "Cold starts",
        lines: &[
            line(Source::ColdStarts, "", Count, Total, ("COLD", 5)),
            right(line(Source::InitP50, "p50", Millis, Window, ("INIT50", 7))),
            right(line(Source::InitP99, "p99", Millis, Window, ("INIT99", 7))),
        ],
        spike_on: 0,
        limit: None,
    },
];

/// Every line of every chart, in order (the columns of `lambdascope metrics`).
pub fn lines() -> impl Iterator<Item = &'static Line> {
    CHARTS.iter().flat_map(|c| c.lines.iter())
}

/// The CloudWatch series the charts draw: one GetMetricData call a refresh.
pub fn chart_series() -> Vec<(Metric, Statistic)> {
    lines()
        .filter_map(|l| match l.source {
            Source::Metric(m, s) => Some((m, s)),
            _ => None,
        })
        .collect()
}

/// The charts' request for a function over a plan (the console and `lambdascope metrics`).
pub fn chart_request(function: &str, plan: MetricPlan) -> MetricRequest {
    MetricRequest {
        queries: MetricQuery::each(function, &chart_series()),
        window: plan.window,
        period_s: plan.period_s,
    }
}

/// The buckets of the biggest rise in `values`: around `from` (climbing to its peak) when it
/// is part of one, else around the highest value. The rise spans the neighbours that stay in
/// the upper part between the median and the peak. `None` when nothing stands out.
pub fn spike(values: &[Option<f64>], from: Option<usize>) -> Option<(usize, usize)> {
    let mut known: Vec<f64> = values.iter().flatten().copied().collect();
    if known.len() < 3 {
        return None;
    }
    known.sort_by(f64::total_cmp);
    let median = known[known.len() / 2];
    let max = known[known.len() - 1];
    if max - median < (median * 0.25).max(1e-9) {
        return None;
    }
    let value = |i: usize| values.get(i).copied().flatten();
    let stands_out = |v: f64| v > median + 0.3 * (max - median);
    let argmax = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)?;
    let climbed = from.filter(|&c| value(c).is_some()).map(|mut p| {
        loop {
            let here = value(p).unwrap_or(f64::MIN);
            let left = p.checked_sub(1).and_then(value).filter(|&v| v > here);
            let right = value(p + 1).filter(|&v| v > here);
            match (left, right) {
                (Some(l), Some(r)) if l >= r => p -= 1,
                (_, Some(_)) => p += 1,
                (Some(_), None) => p -= 1,
                (None, None) => break p,
            }
        }
    });
    let peak = climbed
        .filter(|&p| value(p).is_some_and(stands_out))
        .unwrap_or(argmax);
    let floor = median + 0.3 * (value(peak)? - median);
    let above = |i: usize| value(i).is_some_and(|v| v > floor);
    let (mut l, mut r) = (peak, peak);
    while l > 0 && above(l - 1) {
        l -= 1;
    }
    while above(r + 1) {
        r += 1;
    }
    Some((l, r))
}

/// What each line draws, per bucket of a plan: the series bucketed once (counts summed, the
/// rest as they are), the error rate from the errors and invocations, and the cold starts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartValues {
    values: Vec<(Source, Vec<Option<f64>>)>,
    rate: Option<f64>,
    init: (Option<f64>, Option<f64>),
}

impl ChartValues {
    /// The values of `series` (the answer to [`chart_request`]) and of the cold-start analysis
    /// over `plan`; a series missing or unavailable is all gaps.
    pub fn of(
        series: &[MetricSeries],
        cold: Option<&ColdStartAnalysis>,
        plan: &MetricPlan,
    ) -> ChartValues {
        let gaps = || vec![None; plan.buckets()];
        let from_cold = |f: fn(&ColdStartAnalysis) -> &Vec<Option<f64>>| {
            cold.filter(|a| f(a).len() == plan.buckets())
                .map_or_else(gaps, |a| f(a).clone())
        };
        let mut v = ChartValues {
            values: lines()
                .map(|l| {
                    let values = match l.source {
                        Source::Metric(m, s) => series
                            .iter()
                            .find(|x| {
                                x.query.metric == m && x.query.stat == s && x.unavailable.is_none()
                            })
                            // Counts add up within a bucket; percentiles and peaks do not.
                            .map(|x| x.buckets(plan, s == Statistic::Sum))
                            .unwrap_or_else(gaps),
                        // Derived below from the errors and invocations.
                        Source::ErrorRate => vec![],
                        Source::ColdStarts => from_cold(|a| &a.count),
                        Source::InitP50 => from_cold(|a| &a.init_p50),
                        Source::InitP99 => from_cold(|a| &a.init_p99),
                    };
                    (l.source, values)
                })
                .collect(),
            rate: None,
            init: cold.map_or((None, None), |a| (a.p50, a.p99)),
        };
        let errors = v.get(Source::Metric(Metric::Errors, Statistic::Sum));
        let invocations = v.get(Source::Metric(Metric::Invocations, Statistic::Sum));
        let per_bucket = rates(errors, invocations);
        v.rate = total(errors)
            .zip(total(invocations))
            .and_then(|(e, i)| error_rate(e, i));
        if let Some((_, r)) = v.values.iter_mut().find(|(s, _)| *s == Source::ErrorRate) {
            *r = per_bucket;
        }
        v
    }

    /// A line's values, one per bucket.
    pub fn get(&self, source: Source) -> &[Option<f64>] {
        self.values
            .iter()
            .find(|(s, _)| *s == source)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The values a chart's spike is looked for in.
    pub fn of_kind(&self, kind: ChartKind) -> &[Option<f64>] {
        let chart = kind.chart();
        chart
            .lines
            .get(chart.spike_on)
            .map_or(&[], |l| self.get(l.source))
    }

    /// A line's figure for the whole window, where it has one of its own.
    pub fn window(&self, source: Source) -> Option<f64> {
        match source {
            Source::ErrorRate => self.rate,
            Source::InitP50 => self.init.0,
            Source::InitP99 => self.init.1,
            _ => None,
        }
    }
}

/// The sum of the known values; `None` when none is.
pub fn total(values: &[Option<f64>]) -> Option<f64> {
    let mut it = values.iter().flatten().peekable();
    it.peek()?;
    Some(it.sum())
}

/// Errors per invocation in each bucket, in percent.
pub fn rates(errors: &[Option<f64>], invocations: &[Option<f64>]) -> Vec<Option<f64>> {
    errors
        .iter()
        .zip(invocations)
        .map(|(e, i)| error_rate((*e)?, (*i)?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[f64]) -> Vec<Option<f64>> {
        xs.iter().map(|&x| (x >= 0.0).then_some(x)).collect()
    }

    #[test]
    fn the_spike_around_the_biggest_rise() {
        let values = v(&[1.0, 1.0, 2.0, 1.0, 8.0, 10.0, 9.0, 2.0, 1.0, 1.0]);
        assert_eq!(spike(&values, None), Some((4, 6)));
        // From the cursor on its slope, the same spike.
        assert_eq!(spike(&values, Some(4)), Some((4, 6)));
        // A second, smaller spike under the cursor is chosen over the biggest.
        let two = v(&[1.0, 6.0, 7.0, 1.0, 1.0, 1.0, 10.0, 1.0, 1.0]);
        assert_eq!(spike(&two, Some(1)), Some((1, 2)));
        assert_eq!(spike(&two, Some(4)), Some((6, 6)), "flat under the cursor");
    }

    #[test]
    fn flat_or_sparse_series_have_no_spike_and_gaps_end_one() {
        assert_eq!(spike(&v(&[5.0, 5.0, 5.2, 5.0]), None), None);
        assert_eq!(spike(&v(&[5.0, 9.0]), None), None);
        let gap = v(&[1.0, 1.0, 9.0, -1.0, 9.0, 1.0, 1.0]);
        assert_eq!(spike(&gap, Some(2)), Some((2, 2)));
    }

    #[test]
    fn charts_are_declared_in_the_order_of_their_kinds() {
        for (i, k) in ChartKind::ALL.iter().enumerate() {
            assert_eq!(CHARTS[i].kind, *k);
            assert!(CHARTS[i].spike_on < CHARTS[i].lines.len());
        }
        // One GetMetricData call: every CloudWatch series once, and within its 500 queries.
        let series = chart_series();
        assert_eq!(series.len(), 7);
        for (i, s) in series.iter().enumerate() {
            assert!(!series[..i].contains(s), "{s:?} twice");
        }
    }

    #[test]
    fn values_follow_the_declaration() {
        use crate::domain::{MetricQuery, TimeWindow};
        let plan = MetricPlan {
            window: TimeWindow::new(0, 180_000),
            period_s: 60,
        };
        let at = |m: Metric, s: Statistic, v: [f64; 3]| MetricSeries {
            query: MetricQuery::each("f", &[(m, s)]).remove(0),
            period_s: 60,
            points: (0..3)
                .map(|i| crate::domain::Point {
                    t: i * 60_000,
                    v: v[i as usize],
                })
                .collect(),
            unavailable: None,
        };
        let series = [
            at(Metric::Invocations, Statistic::Sum, [10.0, 20.0, 0.0]),
            at(Metric::Errors, Statistic::Sum, [1.0, 5.0, 0.0]),
            at(Metric::Duration, Statistic::P99, [100.0, 900.0, 120.0]),
        ];
        let v = ChartValues::of(&series, None, &plan);
        assert_eq!(v.get(Source::ErrorRate), [Some(10.0), Some(25.0), None]);
        assert_eq!(v.window(Source::ErrorRate), Some(20.0));
        // The duration chart's spike is looked for in its p99.
        assert_eq!(
            v.of_kind(ChartKind::Duration),
            [Some(100.0), Some(900.0), Some(120.0)]
        );
        // What was not fetched is gaps, not missing.
        assert_eq!(
            v.get(Source::Metric(Metric::Throttles, Statistic::Sum)),
            [None; 3]
        );
        assert_eq!(v.get(Source::ColdStarts), [None; 3]);
    }

    #[test]
    fn rates_are_gaps_without_invocations() {
        let r = rates(
            &[Some(1.0), Some(0.0), None, Some(3.0)],
            &[Some(10.0), Some(5.0), Some(5.0), Some(0.0)],
        );
        assert_eq!(r, [Some(10.0), Some(0.0), None, None]);
    }
}
