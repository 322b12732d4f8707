//! Metric series: what to ask CloudWatch (or the demo) for, and what comes back.

use std::fmt;

use serde::Serialize;

use super::{EpochMs, MetricPlan, TimeWindow};

/// The Lambda metrics the console charts. `ColdStarts` and `InitDuration` are not in `AWS/Lambda`;
/// the demo derives them from its invocations, the AWS backend from REPORT lines or Lambda Insights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Metric {
    Invocations,
    Errors,
    Throttles,
    Duration,
    ConcurrentExecutions,
    ColdStarts,
    InitDuration,
    /// `init_duration` in the `LambdaInsights` namespace, published by the Lambda Insights
    /// extension for every cold start (its SampleCount counts them).
    InsightsInitDuration,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::Invocations,
        Metric::Errors,
        Metric::Throttles,
        Metric::Duration,
        Metric::ConcurrentExecutions,
        Metric::ColdStarts,
        Metric::InitDuration,
        Metric::InsightsInitDuration,
    ];
    /// The CloudWatch metric name (in [`Metric::namespace`]), where there is one.
    pub fn cloudwatch_name(self) -> Option<&'static str> {
        match self {
            Metric::Invocations => Some("Invocations"),
            Metric::Errors => Some("Errors"),
            Metric::Throttles => Some("Throttles"),
            Metric::Duration => Some("Duration"),
            Metric::ConcurrentExecutions => Some("ConcurrentExecutions"),
            Metric::InsightsInitDuration => Some("init_duration"),
            Metric::ColdStarts | Metric::InitDuration => None,
        }
    }
    /// The CloudWatch namespace that holds it.
    pub fn namespace(self) -> &'static str {
        match self {
            Metric::InsightsInitDuration => "LambdaInsights",
            _ => "AWS/Lambda",
        }
    }
    /// The dimension that names the function in its namespace. A query for the empty function
    /// name asks for the account-wide metric (no dimension).
    pub fn function_dimension(self) -> &'static str {
        match self {
            Metric::InsightsInitDuration => "function_name",
            _ => "FunctionName",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Metric::Invocations => "invocations",
            Metric::Errors => "errors",
            Metric::Throttles => "throttles",
            Metric::Duration => "duration",
            Metric::ConcurrentExecutions => "concurrency",
            Metric::ColdStarts => "cold starts",
            Metric::InitDuration | Metric::InsightsInitDuration => "init duration",
        }
    }
}

/// A named statistic. Percentiles are stored in tenths so `p99.9` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Statistic {
    Sum,
    Max,
    Average,
    SampleCount,
    Percentile(u16),
}

impl Statistic {
    pub const P50: Statistic = Statistic::Percentile(500);
    pub const P90: Statistic = Statistic::Percentile(900);
    pub const P95: Statistic = Statistic::Percentile(950);
    pub const P99: Statistic = Statistic::Percentile(990);

    /// The CloudWatch spelling: `Sum`, `Maximum`, `p95`, `p99.9`.
    pub fn cloudwatch_name(self) -> String {
        match self {
            Statistic::Sum => "Sum".into(),
            Statistic::Max => "Maximum".into(),
            Statistic::Average => "Average".into(),
            Statistic::SampleCount => "SampleCount".into(),
            Statistic::Percentile(t) if t % 10 == 0 => format!("p{}", t / 10),
            Statistic::Percentile(t) => format!("p{}.{}", t / 10, t % 10),
        }
    }
    /// The quantile in `0.0..=1.0` for percentiles.
    pub fn quantile(self) -> Option<f64> {
        match self {
            Statistic::Percentile(t) => Some(f64::from(t) / 1000.0),
            _ => None,
        }
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Sum => f.write_str("sum"),
            Statistic::Max => f.write_str("max"),
            Statistic::Average => f.write_str("avg"),
            Statistic::SampleCount => f.write_str("count"),
            Statistic::Percentile(_) => f.write_str(&self.cloudwatch_name()),
        }
    }
}

/// One series to fetch: a function's metric under one statistic. An empty `function` is the
/// whole account (the metric without a function dimension).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MetricQuery {
    pub function: String,
    pub metric: Metric,
    pub stat: Statistic,
}

impl MetricQuery {
    /// One query per (metric, statistic) for a function.
    pub fn each(function: &str, series: &[(Metric, Statistic)]) -> Vec<MetricQuery> {
        series
            .iter()
            .map(|&(metric, stat)| MetricQuery {
                function: function.to_string(),
                metric,
                stat,
            })
            .collect()
    }
}

/// Many series over one window at one period. The AWS backend batches these 500 to a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricRequest {
    pub queries: Vec<MetricQuery>,
    pub window: TimeWindow,
    /// Seconds, a multiple of 60.
    pub period_s: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Start of the period.
    pub t: EpochMs,
    pub v: f64,
}

/// The answer to one [`MetricQuery`]. Periods with no data have no point (as in CloudWatch).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSeries {
    pub query: MetricQuery,
    pub period_s: u32,
    /// Ascending by time.
    pub points: Vec<Point>,
    /// Set when the service refused this one series (e.g. an emulator without percentiles).
    /// The cell shows "n/a" with this reason; the rest of the screen is unaffected.
    pub unavailable: Option<String>,
}

impl MetricSeries {
    pub fn total(&self) -> f64 {
        self.points.iter().map(|p| p.v).sum()
    }
    pub fn max(&self) -> Option<f64> {
        self.points.iter().map(|p| p.v).reduce(f64::max)
    }

    /// One value per bucket of `plan`, `None` where the service had no datapoint: a gap, not
    /// a zero. Points that share a bucket are added (`sum`) or the largest kept.
    pub fn buckets(&self, plan: &MetricPlan, sum: bool) -> Vec<Option<f64>> {
        let mut out = vec![None; plan.buckets()];
        for p in &self.points {
            if let Some(slot) = plan.bucket_of(p.t).and_then(|i| out.get_mut(i)) {
                *slot = Some(match *slot {
                    None => p.v,
                    Some(v) if sum => v + p.v,
                    Some(v) => f64::max(v, p.v),
                });
            }
        }
        out
    }
}

/// The value below which a share `q` of `sorted` (ascending) lies: the nearest-rank method,
/// as CloudWatch and Logs Insights compute percentiles.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}
