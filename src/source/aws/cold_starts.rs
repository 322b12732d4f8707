//! Cold starts and init durations: not in `AWS/Lambda`, so they come from the REPORT lines,
//! counted by a Logs Insights query per function.
//!
//! Insights is billed per GB scanned, so this runs only for a few functions at a time (the
//! detail screen), never for every row of the functions list.

use std::collections::BTreeMap;

use super::AwsSource;
use crate::domain::{
    EpochMs, Function, Metric, MetricSeries, Point, SourceError, Statistic, TimeWindow,
};

/// Above this many functions in one request, the series are n/a instead of one query each.
pub const MAX_FUNCTIONS: usize = 3;

/// The Insights query: text-format REPORT lines carry `@initDuration`, JSON-format
/// `platform.report` records `record.metrics.initDurationMs`; either marks a cold start.
pub fn query(period_s: u32, percentiles: &[u16]) -> String {
    let mut stats = String::from("count(*) as cold, avg(init) as avg, max(init) as max");
    for p in percentiles {
        stats.push_str(&format!(", pct(init, {}) as p{p}", f64::from(*p) / 10.0));
    }
    format!(
        "filter @type = \"REPORT\" or type = \"platform.report\" \
         | fields coalesce(@initDuration, `record.metrics.initDurationMs`) as init \
         | filter ispresent(init) \
         | stats {stats} by bin({period_s}s)"
    )
}

/// Insights' `bin(…)` values: `2026-11-23 10:05:00.000`, UTC.
fn parse_bin(v: &str) -> Option<EpochMs> {
    chrono::NaiveDateTime::parse_from_str(v.trim(), "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// Rows → one value per (field, bin).
fn by_field(rows: &[Vec<(String, String)>]) -> BTreeMap<String, Vec<Point>> {
    let mut out: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    for row in rows {
        let Some(t) = row
            .iter()
            .find(|(f, _)| f.starts_with("bin("))
            .and_then(|(_, v)| parse_bin(v))
        else {
            continue;
        };
        for (f, v) in row {
            if let Ok(v) = v.parse::<f64>() {
                out.entry(f.clone()).or_default().push(Point { t, v });
            }
        }
    }
    out
}

/// Which query field answers a series.
fn field_for(metric: Metric, stat: Statistic) -> Option<String> {
    match (metric, stat) {
        (Metric::ColdStarts, Statistic::Sum | Statistic::SampleCount) => Some("cold".into()),
        (Metric::InitDuration, Statistic::SampleCount) => Some("cold".into()),
        (Metric::InitDuration, Statistic::Average) => Some("avg".into()),
        (Metric::InitDuration, Statistic::Max) => Some("max".into()),
        (Metric::InitDuration, Statistic::Percentile(p)) => Some(format!("p{p}")),
        _ => None,
    }
}

impl AwsSource {
    /// Fills the ColdStarts / InitDuration series in `out[idx]` from Logs Insights.
    pub(super) async fn cold_start_series(
        &self,
        idx: &[usize],
        window: TimeWindow,
        period_s: u32,
        out: &mut [MetricSeries],
    ) {
        let mut functions: Vec<String> =
            idx.iter().map(|&i| out[i].query.function.clone()).collect();
        functions.sort();
        functions.dedup();
        if functions.len() > MAX_FUNCTIONS {
            for &i in idx {
                out[i].unavailable = Some(format!(
                    "{} come from Logs Insights (billed per GB scanned); shown for up to {MAX_FUNCTIONS} functions at a time",
                    out[i].query.metric.label()
                ));
            }
            return;
        }
        for function in functions {
            let mine: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| out[i].query.function == function)
                .collect();
            let mut percentiles: Vec<u16> = mine
                .iter()
                .filter_map(|&i| match out[i].query.stat {
                    Statistic::Percentile(p) => Some(p),
                    _ => None,
                })
                .collect();
            percentiles.sort_unstable();
            percentiles.dedup();
            match self
                .insights_by_field(&function, window, period_s, &percentiles)
                .await
            {
                Ok(fields) => {
                    for i in mine {
                        let s = &mut out[i];
                        match field_for(s.query.metric, s.query.stat) {
                            Some(f) => s.points = fields.get(&f).cloned().unwrap_or_default(),
                            None => {
                                s.unavailable = Some(format!(
                                    "{} has no {} statistic",
                                    s.query.metric.label(),
                                    s.query.stat
                                ))
                            }
                        }
                    }
                }
                Err(e) => {
                    for i in mine {
                        out[i].unavailable = Some(format!(
                            "{} from Logs Insights failed: {e}",
                            out[i].query.metric.label()
                        ));
                    }
                }
            }
        }
    }

    async fn insights_by_field(
        &self,
        function: &str,
        window: TimeWindow,
        period_s: u32,
        percentiles: &[u16],
    ) -> Result<BTreeMap<String, Vec<Point>>, SourceError> {
        // The log group may be custom (LoggingConfig); GetFunction says, and is cheap (100/s).
        let group = match self.function(function).await {
            Ok(f) => f.log_group,
            Err(SourceError::NotFound(_)) => Function::default_log_group(function),
            Err(e) => return Err(e),
        };
        let rows = self
            .insights(&[group], &query(period_s, percentiles), window)
            .await?;
        Ok(by_field(&rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_covers_both_log_formats_and_asked_percentiles() {
        let q = query(300, &[990]);
        assert!(q.contains("@initDuration") && q.contains("record.metrics.initDurationMs"));
        assert!(q.contains("pct(init, 99) as p990"));
        assert!(q.ends_with("by bin(300s)"));
    }

    #[test]
    fn rows_become_points_by_field() {
        let row = |bin: &str, cold: &str| {
            vec![
                ("bin(300s)".to_string(), bin.to_string()),
                ("cold".into(), cold.into()),
                ("avg".into(), "412.5".into()),
            ]
        };
        let fields = by_field(&[
            row("2026-11-23 10:05:00.000", "3"),
            row("garbage", "9"),
            row("2026-11-23 10:10:00.000", "n/a"),
        ]);
        assert_eq!(
            fields["cold"],
            vec![Point {
                t: 1_795_428_300_000,
                v: 3.0
            }]
        );
        assert_eq!(fields["avg"].len(), 2);
        assert_eq!(
            field_for(Metric::InitDuration, Statistic::P95).as_deref(),
            Some("p950")
        );
        assert_eq!(field_for(Metric::ColdStarts, Statistic::Max), None);
    }
}
