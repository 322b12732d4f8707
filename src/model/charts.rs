//! The dashboard's charts, declared once: which series each draws, the one request that
//! fetches them, their values per bucket (with the error rate), and the spike a key selects.
//! The console's dashboard and `lambdascope metrics` both use these.

use crate::domain::{
    Metric, MetricPlan, MetricQuery, MetricRequest, MetricSeries, Statistic, error_rate,
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

    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Invocations => "Invocations",
            ChartKind::Errors => "Errors",
            ChartKind::Throttles => "Throttles",
            ChartKind::Duration => "Duration",
            ChartKind::Concurrency => "Concurrency",
            ChartKind::ColdStarts => "Cold starts",
        }
    }
}

/// The CloudWatch series the charts draw: one GetMetricData call a refresh. The error rate is
/// errors over invocations, so it costs nothing more.
pub const CHART_SERIES: [(Metric, Statistic); 7] = [
    (Metric::Invocations, Statistic::Sum),
    (Metric::Errors, Statistic::Sum),
    (Metric::Throttles, Statistic::Sum),
    (Metric::Duration, Statistic::P50),
    (Metric::Duration, Statistic::P90),
    (Metric::Duration, Statistic::P99),
    (Metric::ConcurrentExecutions, Statistic::Max),
];

/// The charts' request for a function over a plan (the console and `lambdascope metrics`).
pub fn chart_request(function: &str, plan: MetricPlan) -> MetricRequest {
    MetricRequest {
        queries: MetricQuery::each(function, &CHART_SERIES),
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

/// What each chart draws, per bucket of a plan: the series bucketed once (counts summed,
/// the rest as they are), and the error rate from the errors and invocations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartValues {
    pub invocations: Vec<Option<f64>>,
    pub errors: Vec<Option<f64>>,
    /// Errors per invocation in each bucket, in percent.
    pub rate: Vec<Option<f64>>,
    pub throttles: Vec<Option<f64>>,
    pub p50: Vec<Option<f64>>,
    pub p90: Vec<Option<f64>>,
    pub p99: Vec<Option<f64>>,
    pub concurrency: Vec<Option<f64>>,
}

impl ChartValues {
    /// The values of `series` (the answer to [`chart_request`]) over `plan`; a series missing
    /// or unavailable is all gaps.
    pub fn of(series: &[MetricSeries], plan: &MetricPlan) -> ChartValues {
        // Counts add up within a bucket; percentiles and peaks do not.
        let get = |m: Metric, s: Statistic, sum: bool| {
            series
                .iter()
                .find(|x| x.query.metric == m && x.query.stat == s && x.unavailable.is_none())
                .map(|x| x.buckets(plan, sum))
                .unwrap_or_else(|| vec![None; plan.buckets()])
        };
        let invocations = get(Metric::Invocations, Statistic::Sum, true);
        let errors = get(Metric::Errors, Statistic::Sum, true);
        ChartValues {
            rate: rates(&errors, &invocations),
            invocations,
            errors,
            throttles: get(Metric::Throttles, Statistic::Sum, true),
            p50: get(Metric::Duration, Statistic::P50, false),
            p90: get(Metric::Duration, Statistic::P90, false),
            p99: get(Metric::Duration, Statistic::P99, false),
            concurrency: get(Metric::ConcurrentExecutions, Statistic::Max, false),
        }
    }

    /// The values a spike is looked for in, for a chart drawn from CloudWatch series (cold
    /// starts come from their own analysis).
    pub fn of_kind(&self, kind: ChartKind) -> Option<&[Option<f64>]> {
        Some(match kind {
            ChartKind::Invocations => &self.invocations,
            ChartKind::Errors => &self.errors,
            ChartKind::Throttles => &self.throttles,
            ChartKind::Duration => &self.p99,
            ChartKind::Concurrency => &self.concurrency,
            ChartKind::ColdStarts => return None,
        })
    }

    /// The error rate over the whole window.
    pub fn overall_rate(&self) -> Option<f64> {
        error_rate(total(&self.errors)?, total(&self.invocations)?)
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
    fn rates_are_gaps_without_invocations() {
        let r = rates(
            &[Some(1.0), Some(0.0), None, Some(3.0)],
            &[Some(10.0), Some(5.0), Some(5.0), Some(0.0)],
        );
        assert_eq!(r, [Some(10.0), Some(0.0), None, None]);
    }
}
