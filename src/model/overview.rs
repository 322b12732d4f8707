//! The account overview's figures: what to ask for (the account's series, one figure per
//! function over the window) and how the functions are ranked. The Overview screen and
//! `lambdascope overview` both use these, so the two cannot rank differently.

use std::collections::HashMap;

use crate::domain::{
    EpochMs, FunctionStats, Metric, MetricPlan, MetricQuery, MetricRequest, MetricSeries,
    Statistic, TimeWindow, period_for, totals_request,
};

/// The rankings, in the order `tab` moves through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    Errors,
    Throttles,
    P99,
    ColdStarts,
}

impl Ranking {
    pub const ALL: [Ranking; 4] = [
        Ranking::Errors,
        Ranking::Throttles,
        Ranking::P99,
        Ranking::ColdStarts,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Ranking::Errors => "Top by errors",
            Ranking::Throttles => "Top by throttles",
            Ranking::P99 => "Top by p99 duration",
            Ranking::ColdStarts => "Top by cold starts",
        }
    }
}

/// How many functions each ranking lists.
pub const TOP: usize = 5;

/// The account-wide series: the metrics without a function dimension.
pub const ACCOUNT_SERIES: [(Metric, Statistic); 4] = [
    (Metric::Invocations, Statistic::Sum),
    (Metric::Errors, Statistic::Sum),
    (Metric::Throttles, Statistic::Sum),
    (Metric::ConcurrentExecutions, Statistic::Max),
];

/// Points in the overview's sparklines.
const SPARK_POINTS: usize = 40;

/// The account's totals per period (the console and `lambdascope overview`).
pub fn account_request(plan: MetricPlan) -> MetricRequest {
    MetricRequest {
        queries: MetricQuery::each("", &ACCOUNT_SERIES),
        window: plan.window,
        period_s: plan.period_s,
    }
}

/// One figure for every function over the whole window.
pub fn ranking_request(
    names: &[String],
    metric: Metric,
    stat: Statistic,
    window: TimeWindow,
    now: EpochMs,
) -> MetricRequest {
    let whole = MetricPlan::new(window, (window.len_ms() / 1000).max(60) as u32, now);
    totals_request(names, &[(metric, stat)], whole)
}

/// What the overview asks in one go: the account's series over `plan`, and every function's
/// p99 duration over the window (when there are functions).
pub fn series_requests(
    plan: MetricPlan,
    names: &[String],
    window: TimeWindow,
    now: EpochMs,
) -> Vec<MetricRequest> {
    let mut reqs = vec![account_request(plan)];
    if !names.is_empty() {
        reqs.push(ranking_request(
            names,
            Metric::Duration,
            Statistic::P99,
            window,
            now,
        ));
    }
    reqs
}

/// The sparkline plan for a window.
pub fn spark_plan(window: TimeWindow, now: EpochMs) -> MetricPlan {
    MetricPlan::new(
        window,
        period_for(window.len_ms(), SPARK_POINTS, window.start, now),
        now,
    )
}

/// The functions leading one ranking: (name, value), largest first, none at zero.
pub fn ranked(
    ranking: Ranking,
    stats: &HashMap<String, FunctionStats>,
    p99: Option<&[MetricSeries]>,
    cold: Option<&[MetricSeries]>,
) -> Vec<(String, f64)> {
    let from_series = |s: Option<&[MetricSeries]>| -> Vec<(String, f64)> {
        s.unwrap_or_default()
            .iter()
            .filter(|s| s.unavailable.is_none())
            .filter_map(|s| Some((s.query.function.clone(), s.max()?)))
            .collect()
    };
    let mut rows: Vec<(String, f64)> = match ranking {
        Ranking::Errors | Ranking::Throttles => stats
            .iter()
            .filter_map(|(n, st)| {
                let cell = if ranking == Ranking::Errors {
                    &st.errors
                } else {
                    &st.throttles
                };
                Some((n.clone(), cell.value()?))
            })
            .collect(),
        Ranking::P99 => from_series(p99),
        Ranking::ColdStarts => from_series(cold),
    };
    rows.retain(|(_, v)| *v > 0.0);
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(TOP);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Cell;

    fn stats(rows: &[(&str, f64, f64)]) -> HashMap<String, FunctionStats> {
        rows.iter()
            .map(|(n, e, t)| {
                let s = FunctionStats {
                    errors: Cell::Value(*e),
                    throttles: Cell::Value(*t),
                    ..FunctionStats::default()
                };
                (n.to_string(), s)
            })
            .collect()
    }

    #[test]
    fn a_ranking_leads_with_the_largest_drops_zeros_and_breaks_ties_by_name() {
        let s = stats(&[
            ("b", 3.0, 0.0),
            ("a", 3.0, 1.0),
            ("c", 9.0, 0.0),
            ("d", 0.0, 0.0),
        ]);
        let rows = ranked(Ranking::Errors, &s, None, None);
        let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["c", "a", "b"]);
        assert_eq!(rows[0].1, 9.0);
        let throttled = ranked(Ranking::Throttles, &s, None, None);
        assert_eq!(throttled, vec![("a".to_string(), 1.0)]);
    }

    #[test]
    fn a_ranking_lists_at_most_top_functions() {
        let many: Vec<(String, f64, f64)> = (0..9)
            .map(|i| (format!("f{i}"), f64::from(i + 1), 0.0))
            .collect();
        let rows: Vec<(&str, f64, f64)> =
            many.iter().map(|(n, e, t)| (n.as_str(), *e, *t)).collect();
        let ranked = ranked(Ranking::Errors, &stats(&rows), None, None);
        assert_eq!(ranked.len(), TOP);
        assert_eq!(ranked[0], ("f8".to_string(), 9.0));
    }
}
