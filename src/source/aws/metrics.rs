//! CloudWatch: GetMetricData, 500 queries a call, every page, one series degraded at a time.

use aws_sdk_cloudwatch::types::{
    Dimension, Metric as CwMetric, MetricDataQuery, MetricStat, StatusCode,
};
use aws_smithy_types::DateTime;

use super::{Api, AwsSource, next_page};
use crate::domain::{
    DAY_MS, EpochMs, MetricQuery, MetricRequest, MetricSeries, Point, SourceError, Statistic,
    TimeWindow,
};

/// GetMetricData's limit on queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;
const MAX_PAGES: usize = 100;

/// Adjusts window and period to CloudWatch's retention rules (reference §2.3): data older than
/// 15 days exists only at 5-minute, older than 63 days only at 1-hour resolution. The period is
/// rounded up to what the window's start allows, and the window to whole periods.
pub fn plan_window(window: TimeWindow, period_s: u32, now: EpochMs) -> (TimeWindow, u32) {
    let age = now - window.start;
    let granularity: u32 = if age > 63 * DAY_MS {
        3600
    } else if age > 15 * DAY_MS {
        300
    } else {
        60
    };
    let period = period_s.max(granularity).div_ceil(granularity) * granularity;
    let p = i64::from(period) * 1000;
    let start = window.start.div_euclid(p) * p;
    let end = (window.end + p - 1).div_euclid(p) * p;
    (TimeWindow::new(start, end), period)
}

impl AwsSource {
    /// Every requested series. Series CloudWatch cannot serve come back `unavailable` with a
    /// reason instead of failing the whole request.
    pub async fn metrics(&self, req: &MetricRequest) -> Result<Vec<MetricSeries>, SourceError> {
        let (window, period) = plan_window(req.window, req.period_s, self.now());
        let mut out: Vec<MetricSeries> = req
            .queries
            .iter()
            .map(|q| MetricSeries {
                query: q.clone(),
                period_s: period,
                points: Vec::new(),
                unavailable: None,
            })
            .collect();
        // Cold starts and init durations are not in AWS/Lambda: Logs Insights counts them.
        let (fetchable, from_logs): (Vec<usize>, Vec<usize>) = (0..req.queries.len())
            .partition(|&i| req.queries[i].metric.cloudwatch_name().is_some());
        for batch in fetchable.chunks(MAX_QUERIES_PER_CALL) {
            self.fetch_batch(batch, window, period, &mut out).await?;
        }
        if !from_logs.is_empty() {
            self.cold_start_series(&from_logs, window, period, &mut out)
                .await;
        }
        for s in &mut out {
            s.points.sort_by_key(|p| p.t);
            s.points.dedup_by_key(|p| p.t);
        }
        Ok(out)
    }

    /// One batch; when the call as a whole is refused and it asked for percentiles, asks again
    /// without them and marks only those series unavailable.
    async fn fetch_batch(
        &self,
        batch: &[usize],
        window: TimeWindow,
        period: u32,
        out: &mut [MetricSeries],
    ) -> Result<(), SourceError> {
        let err = match self.get_metric_data(batch, window, period, out).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let refusal = matches!(err, SourceError::Other(_) | SourceError::Unsupported { .. });
        let (pct, rest): (Vec<usize>, Vec<usize>) = batch
            .iter()
            .partition(|&&i| matches!(out[i].query.stat, Statistic::Percentile(_)));
        if !refusal || pct.is_empty() {
            return Err(err);
        }
        tracing::info!(%err, "GetMetricData refused a batch with percentiles; retrying without them");
        for &i in &pct {
            out[i].points.clear();
            out[i].unavailable = Some(format!(
                "{} not available here: {err}",
                out[i].query.stat.cloudwatch_name()
            ));
        }
        if rest.is_empty() {
            Ok(())
        } else {
            self.get_metric_data(&rest, window, period, out).await
        }
    }

    async fn get_metric_data(
        &self,
        batch: &[usize],
        window: TimeWindow,
        period: u32,
        out: &mut [MetricSeries],
    ) -> Result<(), SourceError> {
        let queries: Vec<MetricDataQuery> = batch
            .iter()
            .map(|&i| to_query(i, &out[i].query, period))
            .collect();
        let cloudwatch = &self.clients().cloudwatch;
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .call(Api::GetMetricData, || {
                    cloudwatch
                        .get_metric_data()
                        .set_metric_data_queries(Some(queries.clone()))
                        .start_time(DateTime::from_millis(window.start))
                        .end_time(DateTime::from_millis(window.end))
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            // Billed per metric requested, on every call.
            self.bill(Api::GetMetricData, queries.len() as f64);
            for r in page.metric_data_results() {
                let Some(i) = r.id().and_then(query_index).filter(|i| batch.contains(i)) else {
                    continue;
                };
                let series = &mut out[i];
                series
                    .points
                    .extend(r.timestamps().iter().zip(r.values()).filter_map(|(t, v)| {
                        Some(Point {
                            t: t.to_millis().ok()?,
                            v: *v,
                        })
                    }));
                if matches!(
                    r.status_code(),
                    Some(StatusCode::Forbidden | StatusCode::InternalError)
                ) {
                    let why = r
                        .messages()
                        .iter()
                        .filter_map(|m| m.value())
                        .collect::<Vec<_>>()
                        .join("; ");
                    series.unavailable = Some(if why.is_empty() {
                        "CloudWatch could not serve this series".into()
                    } else {
                        why
                    });
                }
            }
            if !next_page(&mut token, page.next_token()) {
                break;
            }
        }
        Ok(())
    }
}

/// Query ids must match `[a-z][a-zA-Z0-9_]*`; `m<index>` does and maps back without a table.
fn query_id(i: usize) -> String {
    format!("m{i}")
}

fn query_index(id: &str) -> Option<usize> {
    id.strip_prefix('m')?.parse().ok()
}

fn to_query(i: usize, q: &MetricQuery, period: u32) -> MetricDataQuery {
    // An empty function name asks for the account-wide metric, which has no dimension.
    let dimension = (!q.function.is_empty()).then(|| {
        Dimension::builder()
            .name(q.metric.function_dimension())
            .value(&q.function)
            .build()
    });
    let metric = CwMetric::builder()
        .namespace(q.metric.namespace())
        .metric_name(q.metric.cloudwatch_name().unwrap_or_default())
        .set_dimensions(dimension.map(|d| vec![d]))
        .build();
    let stat = MetricStat::builder()
        .metric(metric)
        .period(i32::try_from(period).unwrap_or(3600))
        .stat(q.stat.cloudwatch_name())
        .build();
    MetricDataQuery::builder()
        .id(query_id(i))
        .metric_stat(stat)
        .return_data(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{HOUR_MS, MINUTE_MS};

    const NOW: EpochMs = 1_800_000_000_000;

    #[test]
    fn recent_windows_keep_the_minute() {
        let (w, p) = plan_window(TimeWindow::new(NOW - HOUR_MS + 1234, NOW), 60, NOW);
        assert_eq!(p, 60);
        assert_eq!(w.start % MINUTE_MS, 0);
        assert!(w.start <= NOW - HOUR_MS + 1234 && w.end >= NOW);
    }

    #[test]
    fn old_windows_need_coarser_periods() {
        let (_, p) = plan_window(TimeWindow::new(NOW - 20 * DAY_MS, NOW), 60, NOW);
        assert_eq!(p, 300);
        let (w, p) = plan_window(TimeWindow::new(NOW - 90 * DAY_MS, NOW), 120, NOW);
        assert_eq!(p, 3600);
        assert_eq!(w.start % HOUR_MS, 0);
        // A period that is not a multiple is rounded up.
        let (_, p) = plan_window(TimeWindow::new(NOW - HOUR_MS, NOW), 90, NOW);
        assert_eq!(p, 120);
    }

    #[test]
    fn query_ids_are_valid_and_reversible() {
        for i in [0, 7, 499, 12345] {
            let id = query_id(i);
            assert!(id.starts_with(|c: char| c.is_ascii_lowercase()));
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            assert_eq!(query_index(&id), Some(i));
        }
        assert_eq!(query_index("x1"), None);
    }
}
