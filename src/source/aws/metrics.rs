//! CloudWatch: GetMetricData, 500 queries a call, every page, one series degraded at a time.

use aws_sdk_cloudwatch::types::{
    Dimension, Metric as CwMetric, MetricDataQuery, MetricStat, StatusCode,
};
use aws_smithy_types::DateTime;

use super::{Api, AwsSource, next_page};
use crate::domain::{
    MetricPlan, MetricQuery, MetricRequest, MetricSeries, Point, SourceError, Statistic, TimeWindow,
};

/// GetMetricData's limit on queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;
const MAX_PAGES: usize = 100;

/// Calls in flight at once for one set of requests: a 1,000-function health refresh is 4 calls,
/// made side by side, far under GetMetricData's 50 a second.
const PARALLEL_CALLS: usize = 4;

/// Where one series' answer goes: (request, query) in the requests asked together.
type Slot = (usize, usize);

/// Series to fetch in one call, each with the place its answer goes.
type Batch = Vec<(Slot, MetricSeries)>;

impl AwsSource {
    /// Every requested series. Series CloudWatch cannot serve come back `unavailable` with a
    /// reason instead of failing the whole request.
    pub async fn metrics(&self, req: &MetricRequest) -> Result<Vec<MetricSeries>, SourceError> {
        let mut sets = self.metric_sets(std::slice::from_ref(req)).await?;
        Ok(sets.pop().unwrap_or_default())
    }

    /// Several requests, answered in order. Each is planned as CloudWatch answers it
    /// ([`MetricPlan`]); the queries of all requests over the same window share GetMetricData
    /// calls, 500 to a call, each query at its own period. One refresh of the functions table
    /// (sparklines and totals) is then ⌈queries / 500⌉ calls.
    pub async fn metric_sets(
        &self,
        reqs: &[MetricRequest],
    ) -> Result<Vec<Vec<MetricSeries>>, SourceError> {
        use futures::{StreamExt, TryStreamExt};
        let now = self.now();
        let plans: Vec<MetricPlan> = reqs
            .iter()
            .map(|r| MetricPlan::new(r.window, r.period_s, now))
            .collect();
        let mut out: Vec<Vec<MetricSeries>> = reqs
            .iter()
            .zip(&plans)
            .map(|(r, plan)| {
                r.queries
                    .iter()
                    .map(|q| MetricSeries {
                        query: q.clone(),
                        period_s: plan.period_s,
                        points: Vec::new(),
                        unavailable: None,
                    })
                    .collect()
            })
            .collect();
        // A refusal learnt earlier in the session is not asked about again.
        let refused = self.shared.percentiles_refused.get().cloned();
        let mut windows: Vec<TimeWindow> = plans.iter().map(|p| p.window).collect();
        windows.sort_by_key(|w| (w.start, w.end));
        windows.dedup();
        let mut calls: Vec<(TimeWindow, Batch)> = Vec::new();
        let mut from_logs: Vec<Vec<usize>> = vec![Vec::new(); reqs.len()];
        for window in windows {
            let mut wanted: Batch = Vec::new();
            for (s, set) in out.iter_mut().enumerate() {
                if plans[s].window != window {
                    continue;
                }
                for (i, series) in set.iter_mut().enumerate() {
                    if series.query.metric.cloudwatch_name().is_none() {
                        // Cold starts and init durations are not in AWS/Lambda.
                        from_logs[s].push(i);
                    } else if let Some(why) =
                        refused.as_deref().filter(|_| is_percentile(&series.query))
                    {
                        refuse(series, why);
                    } else {
                        wanted.push(((s, i), series.clone()));
                    }
                }
            }
            for chunk in wanted.chunks(MAX_QUERIES_PER_CALL) {
                calls.push((window, chunk.to_vec()));
            }
        }
        let answers: Vec<Batch> = futures::stream::iter(calls)
            .map(|(window, batch)| self.fetch_batch(batch, window))
            .buffer_unordered(PARALLEL_CALLS)
            .try_collect()
            .await?;
        for ((s, i), series) in answers.into_iter().flatten() {
            out[s][i] = series;
        }
        // Logs Insights counts cold starts and init durations.
        for (s, idx) in from_logs.iter().enumerate() {
            if !idx.is_empty() {
                self.cold_start_series(idx, plans[s].window, plans[s].period_s, &mut out[s])
                    .await;
            }
        }
        for series in out.iter_mut().flatten() {
            series.points.sort_by_key(|p| p.t);
            series.points.dedup_by_key(|p| p.t);
        }
        Ok(out)
    }

    /// One call's worth of series, filled in. When the call fails as a whole and it asked for
    /// percentiles, the same series without them are the evidence: if those succeed, the
    /// endpoint refused the percentiles (moto and LocalStack answer p95 with a 500), which is
    /// remembered for the session; if they fail too, that failure is what happened and is
    /// reported as such.
    async fn fetch_batch(
        &self,
        mut batch: Batch,
        window: TimeWindow,
    ) -> Result<Batch, SourceError> {
        let err = match self.get_metric_data(&mut batch, window).await {
            Ok(()) => return Ok(batch),
            Err(e) => e,
        };
        let (mut pct, mut rest): (Batch, Batch) = batch
            .into_iter()
            .partition(|(_, series)| is_percentile(&series.query));
        // Only an unexplained failure can be a refusal: a missing operation, denied access,
        // throttling or an unreachable endpoint is what it says; with nothing but percentiles
        // in the batch there is nothing to compare with.
        if pct.is_empty() || rest.is_empty() || !matches!(err, SourceError::Other(_)) {
            return Err(err);
        }
        tracing::info!(%err, "GetMetricData failed on a batch with percentiles; asking without them");
        self.get_metric_data(&mut rest, window).await?;
        let why = err.to_string();
        tracing::info!(%why, "the endpoint refuses percentiles; not asking again this session");
        let _ = self.shared.percentiles_refused.set(why.clone());
        for (_, series) in &mut pct {
            refuse(series, &why);
        }
        rest.append(&mut pct);
        Ok(rest)
    }

    async fn get_metric_data(
        &self,
        batch: &mut Batch,
        window: TimeWindow,
    ) -> Result<(), SourceError> {
        let queries: Vec<MetricDataQuery> = batch
            .iter()
            .enumerate()
            .map(|(k, (_, series))| to_query(k, series))
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
                let Some((_, series)) = r.id().and_then(query_index).and_then(|k| batch.get_mut(k))
                else {
                    continue;
                };
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

fn is_percentile(q: &MetricQuery) -> bool {
    matches!(q.stat, Statistic::Percentile(_))
}

/// Marks a percentile series as one the endpoint does not serve, and why.
fn refuse(series: &mut MetricSeries, why: &str) {
    series.points.clear();
    series.unavailable = Some(format!(
        "{} not available here: {why}",
        series.query.stat.cloudwatch_name()
    ));
}

/// Query ids must match `[a-z][a-zA-Z0-9_]*`; `m<index>` does and maps back without a table.
fn query_id(i: usize) -> String {
    format!("m{i}")
}

fn query_index(id: &str) -> Option<usize> {
    id.strip_prefix('m')?.parse().ok()
}

fn to_query(i: usize, series: &MetricSeries) -> MetricDataQuery {
    let q = &series.query;
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
        .period(i32::try_from(series.period_s).unwrap_or(3600))
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
