//! A function's health over a window: the numbers behind the functions table, the header's
//! unhealthy count and the status line, whichever way they were fetched.

use std::collections::HashMap;

use serde::Serialize;

use super::{Metric, MetricPlan, MetricQuery, MetricRequest, MetricSeries, Statistic};

/// One statistic as a cell shows it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub enum Cell {
    /// Not asked for yet (or asked and not answered).
    #[default]
    Pending,
    Value(f64),
    /// The service answered with no datapoints (no traffic).
    NoData,
    /// The service cannot give this statistic; the reason says why.
    Unavailable(String),
}

impl Cell {
    pub fn value(&self) -> Option<f64> {
        match self {
            Cell::Value(v) => Some(*v),
            _ => None,
        }
    }

    /// A count, where no datapoints means none happened.
    pub fn count_value(&self) -> Option<f64> {
        match self {
            Cell::Value(v) => Some(*v),
            Cell::NoData => Some(0.0),
            _ => None,
        }
    }

    /// The window's total (counts) or its peak (durations) from one series.
    fn from_series(s: Option<&MetricSeries>, total: bool) -> Cell {
        match s {
            None => Cell::Pending,
            Some(MetricSeries {
                unavailable: Some(why),
                ..
            }) => Cell::Unavailable(why.clone()),
            Some(s) if s.points.is_empty() => Cell::NoData,
            Some(s) if total => Cell::Value(s.total()),
            Some(s) => s.max().map(Cell::Value).unwrap_or(Cell::NoData),
        }
    }
}

/// A function's health over the chosen window.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FunctionStats {
    pub invocations: Cell,
    pub errors: Cell,
    pub throttles: Cell,
    pub p95_ms: Cell,
    pub cold_starts: Cell,
    /// Invocations per sparkline period, oldest first; `None` until fetched.
    pub trend: Option<Vec<f64>>,
}

/// Errors per invocation, in percent (at most 100: a retried error counts once as an
/// invocation); no invocations has no rate. The one formula every screen and command uses.
pub fn error_rate(errors: f64, invocations: f64) -> Option<f64> {
    (invocations > 0.0).then(|| (100.0 * errors / invocations).min(100.0))
}

impl FunctionStats {
    /// Errors per invocation, in percent. No errors is 0 % even before the invocations are
    /// known (the health sort needs no more); no invocations at all has no rate.
    pub fn error_rate(&self) -> Option<f64> {
        let err = self.errors.count_value()?;
        match self.invocations.count_value() {
            Some(inv) => error_rate(err, inv),
            None => (err == 0.0).then_some(0.0),
        }
    }

    /// Share of attempts rejected by throttling, in percent.
    pub fn throttle_rate(&self) -> Option<f64> {
        let thr = self.throttles.count_value()?;
        if thr == 0.0 {
            return Some(0.0);
        }
        let all = thr + self.invocations.count_value()?;
        (all > 0.0).then(|| 100.0 * thr / all)
    }

    /// The worse of error rate and throttle rate: what the table opens sorted by.
    pub fn health(&self) -> Option<f64> {
        match (self.error_rate(), self.throttle_rate()) {
            (None, None) => None,
            (e, t) => Some(e.unwrap_or(0.0).max(t.unwrap_or(0.0))),
        }
    }

    /// Is this function in trouble? Errors at 1 % or more, or any throttling.
    pub fn unhealthy(&self) -> bool {
        self.error_rate().is_some_and(|r| r >= 1.0)
            || self.throttles.count_value().is_some_and(|t| t > 0.0)
    }
}

/// What a health request asks of each function.
pub const HEALTH_TOTALS: [(Metric, Statistic); 2] = [
    (Metric::Errors, Statistic::Sum),
    (Metric::Throttles, Statistic::Sum),
];

/// The totals behind a table row, besides the trend (which gives its invocations).
pub fn row_totals(cold_starts: bool) -> Vec<(Metric, Statistic)> {
    let mut v = vec![
        (Metric::Errors, Statistic::Sum),
        (Metric::Throttles, Statistic::Sum),
        (Metric::Duration, Statistic::P95),
    ];
    if cold_starts {
        v.push((Metric::ColdStarts, Statistic::Sum));
    }
    v
}

/// One series per (function, metric, statistic), each a single bucket over the whole window.
pub fn totals_request(
    names: &[String],
    series: &[(Metric, Statistic)],
    plan: MetricPlan,
) -> MetricRequest {
    MetricRequest {
        queries: names
            .iter()
            .flat_map(|n| MetricQuery::each(n, series))
            .collect(),
        window: plan.window,
        period_s: (plan.window.len_ms() / 1000).max(60) as u32,
    }
}

/// Invocations of each function at the sparkline's period.
pub fn trend_request(names: &[String], plan: MetricPlan) -> MetricRequest {
    MetricRequest {
        queries: names
            .iter()
            .flat_map(|n| MetricQuery::each(n, &[(Metric::Invocations, Statistic::Sum)]))
            .collect(),
        window: plan.window,
        period_s: plan.period_s,
    }
}

/// Writes totals into the stats of the functions they are for: counts, and peaks of durations.
pub fn apply_totals(stats: &mut HashMap<String, FunctionStats>, series: &[MetricSeries]) {
    for s in series {
        let st = stats.entry(s.query.function.clone()).or_default();
        let cell = |total| Cell::from_series(Some(s), total);
        match (s.query.metric, s.query.stat) {
            (Metric::Invocations, Statistic::Sum) => st.invocations = cell(true),
            (Metric::Errors, Statistic::Sum) => st.errors = cell(true),
            (Metric::Throttles, Statistic::Sum) => st.throttles = cell(true),
            (Metric::ColdStarts, Statistic::Sum) => st.cold_starts = cell(true),
            (Metric::Duration, Statistic::P95) => st.p95_ms = cell(false),
            _ => {}
        }
    }
}

/// Writes each function's invocations per period (the sparkline) and their sum (the total).
pub fn apply_trend(
    stats: &mut HashMap<String, FunctionStats>,
    series: &[MetricSeries],
    plan: MetricPlan,
) {
    for s in series {
        if s.query.metric != Metric::Invocations {
            continue;
        }
        let st = stats.entry(s.query.function.clone()).or_default();
        if let Some(why) = &s.unavailable {
            st.invocations = Cell::Unavailable(why.clone());
            st.trend = None;
            continue;
        }
        let mut spark = vec![0.0; plan.buckets().max(1)];
        for p in &s.points {
            if let Some(slot) = plan.bucket_of(p.t).and_then(|i| spark.get_mut(i)) {
                *slot += p.v;
            }
        }
        st.invocations = Cell::Value(spark.iter().sum());
        st.trend = Some(spark);
    }
}

/// Functions whose error or throttle totals say they need their invocations for a rate: all of
/// them, at every health round, since invocations from an earlier round would put new errors
/// over old traffic.
pub fn need_invocations(stats: &HashMap<String, FunctionStats>, names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter(|n| {
            stats.get(*n).is_some_and(|s| {
                s.errors.value().is_some_and(|v| v > 0.0)
                    || s.throttles.value().is_some_and(|v| v > 0.0)
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EpochMs, HOUR_MS, MINUTE_MS, Point, TimeWindow};

    const NOW: EpochMs = 1_800_000_000_000 - 7 * MINUTE_MS;

    fn series(f: &str, metric: Metric, stat: Statistic, points: &[(EpochMs, f64)]) -> MetricSeries {
        MetricSeries {
            query: MetricQuery {
                function: f.into(),
                metric,
                stat,
            },
            period_s: 60,
            points: points.iter().map(|&(t, v)| Point { t, v }).collect(),
            unavailable: None,
        }
    }

    #[test]
    fn the_last_spark_bar_is_whole_and_nothing_before_the_window_counts() {
        // 10:17 → 11:17 at 3-minute bars: the first bar starts 10:17, the last ends 11:17.
        let w = TimeWindow::new(NOW - HOUR_MS, NOW);
        let plan = MetricPlan::new(w, 180, NOW);
        let mut stats = HashMap::new();
        let s = series(
            "f",
            Metric::Invocations,
            Statistic::Sum,
            &[
                (w.start - 2 * MINUTE_MS, 99.0),
                (w.start, 1.0),
                (w.end - 180_000, 5.0),
            ],
        );
        apply_trend(&mut stats, &[s], plan);
        let st = &stats["f"];
        let trend = st.trend.as_ref().unwrap();
        assert_eq!(trend.len(), 20);
        assert_eq!((trend[0], trend[19]), (1.0, 5.0));
        assert_eq!(
            st.invocations,
            Cell::Value(6.0),
            "a point before the window is not counted"
        );
    }

    #[test]
    fn rates_need_no_invocations_when_nothing_failed() {
        let mut st = FunctionStats {
            errors: Cell::Value(0.0),
            throttles: Cell::Value(0.0),
            ..Default::default()
        };
        assert_eq!(st.health(), Some(0.0));
        st.errors = Cell::Value(3.0);
        assert_eq!(st.error_rate(), None, "a rate needs invocations");
        let mut all = HashMap::from([("f".to_string(), st.clone())]);
        assert_eq!(need_invocations(&all, &["f".into()]), vec!["f".to_string()]);
        all.get_mut("f").unwrap().invocations = Cell::Value(30.0);
        assert_eq!(all["f"].error_rate(), Some(10.0));
        all.get_mut("f").unwrap().errors = Cell::Value(0.0);
        assert!(need_invocations(&all, &["f".into()]).is_empty());
    }

    #[test]
    fn a_failing_function_needs_its_invocations_at_every_health_round() {
        // Invocations from an earlier round are as old as that round: new errors over old
        // invocations would be a wrong rate for a function off screen.
        let st = FunctionStats {
            errors: Cell::Value(12.0),
            throttles: Cell::NoData,
            invocations: Cell::Value(30.0),
            ..Default::default()
        };
        let all = HashMap::from([("f".to_string(), st)]);
        assert_eq!(need_invocations(&all, &["f".into()]), vec!["f".to_string()]);
    }

    #[test]
    fn totals_cover_the_window_in_one_bucket() {
        let w = TimeWindow::new(NOW - HOUR_MS, NOW);
        let plan = MetricPlan::new(w, 3600, NOW);
        let req = totals_request(&["a".into(), "b".into()], &HEALTH_TOTALS, plan);
        assert_eq!(req.queries.len(), 4);
        assert_eq!(req.window, w);
        assert_eq!(req.period_s, 3600);
    }
}
