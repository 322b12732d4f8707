//! Logs Insights: StartQuery, then GetQueryResults until done; our own query is stopped when
//! the caller gives up (drop) or it takes too long. The console follows it as a stream of
//! progress (records matched and scanned, bytes scanned) ending with the rows; what it
//! scanned is billed in the cost meter, also when it was stopped.

use std::time::Duration;

use aws_sdk_cloudwatchlogs::types::QueryStatus;
use futures::SinkExt;

use super::{Api, AwsSource};
use crate::domain::{
    InsightsProgress, InsightsQuery, InsightsUpdate, MAX_INSIGHTS_GROUPS, SourceError, TimeWindow,
};
use crate::source::InsightsStream;

const QUERY_TIMEOUT: Duration = Duration::from_secs(120);
/// A query the user asked for and watches: Insights' own limit is 60 minutes; stop earlier.
const USER_QUERY_TIMEOUT: Duration = Duration::from_secs(15 * 60);
const BYTES_PER_GB: f64 = 1e9;

/// Stops a query that is still running when dropped (the caller lost interest or we timed out).
struct RunningQuery {
    src: AwsSource,
    id: String,
    finished: bool,
    /// Bytes scanned so far: a stopped query is billed for them.
    scanned: f64,
}

impl Drop for RunningQuery {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if self.scanned > 0.0 {
            self.src.bill(Api::StartQuery, self.scanned / BYTES_PER_GB);
        }
        let (src, id) = (self.src.clone(), self.id.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let stop = rt.spawn(async move {
                let logs = &src.clients().logs;
                // Best effort: the query may have finished meanwhile.
                let _ = src
                    .call(Api::StopQuery, || logs.stop_query().query_id(&id).send())
                    .await;
            });
            // Quitting waits for it (`AwsSource::settle`): a runtime that shuts down first
            // would cancel it, and the query would scan on.
            self.src.note_stop(stop);
        }
    }
}

/// One row of an answer: (field, value) pairs without `@ptr`.
pub type Row = Vec<(String, String)>;

impl AwsSource {
    /// Runs a Logs Insights query over `groups` and returns its rows as (field, value) pairs,
    /// without the `@ptr` field.
    pub async fn insights(
        &self,
        groups: &[String],
        query: &str,
        window: TimeWindow,
    ) -> Result<Vec<Row>, SourceError> {
        Ok(self.insights_answer(groups, query, window).await?.0)
    }

    /// [`insights`](Self::insights) with what the query matched and scanned.
    pub async fn insights_answer(
        &self,
        groups: &[String],
        query: &str,
        window: TimeWindow,
    ) -> Result<(Vec<Row>, InsightsProgress), SourceError> {
        self.run_insights(groups, query, window, QUERY_TIMEOUT, |_| true)
            .await
    }

    /// A query for the console: progress as it runs, then the rows. Dropping the stream stops
    /// the query. The user may wait longer than a background query does.
    pub async fn insights_stream(&self, q: &InsightsQuery) -> Result<InsightsStream, SourceError> {
        let (mut tx, rx) = futures::channel::mpsc::channel(16);
        let src = self.clone();
        let q = q.clone();
        tokio::spawn(async move {
            let mut ptx = tx.clone();
            let result = src
                .run_insights(&q.log_groups, &q.query, q.window, USER_QUERY_TIMEOUT, |p| {
                    // Progress is best effort (a full channel skips one); a closed stream
                    // means the user left.
                    let _ = ptx.try_send(Ok(InsightsUpdate::Running(p)));
                    !ptx.is_closed()
                })
                .await;
            let last = result.map(|(rows, progress)| InsightsUpdate::Done { rows, progress });
            let _ = tx.send(last).await;
        });
        Ok(Box::pin(rx))
    }

    /// StartQuery and GetQueryResults until done. `progress` hears each poll and returns false
    /// when nobody listens any more (the query is then stopped).
    async fn run_insights(
        &self,
        groups: &[String],
        query: &str,
        window: TimeWindow,
        timeout: Duration,
        mut progress: impl FnMut(InsightsProgress) -> bool,
    ) -> Result<(Vec<Row>, InsightsProgress), SourceError> {
        if groups.is_empty() || groups.len() > MAX_INSIGHTS_GROUPS {
            return Err(SourceError::Unsupported {
                what: format!("a Logs Insights query over {} groups", groups.len()),
                reason: format!("it takes 1 to {MAX_INSIGHTS_GROUPS} log groups"),
            });
        }
        let logs = &self.clients().logs;
        let started = self
            .call(Api::StartQuery, || {
                logs.start_query()
                    .set_log_group_names(Some(groups.to_vec()))
                    // Insights takes epoch seconds, both ends inclusive.
                    .start_time(window.start.div_euclid(1000))
                    .end_time((window.end - 1).div_euclid(1000))
                    .query_string(query)
                    .send()
            })
            .await?;
        let id = started
            .query_id()
            .ok_or_else(|| SourceError::Other("StartQuery returned no query id".into()))?
            .to_string();
        let mut running = RunningQuery {
            src: self.clone(),
            id: id.clone(),
            finished: false,
            scanned: 0.0,
        };
        let deadline = tokio::time::Instant::now() + timeout;
        let mut wait = Duration::from_millis(250);
        loop {
            let out = self
                .call(Api::GetQueryResults, || {
                    logs.get_query_results().query_id(&id).send()
                })
                .await?;
            let stats = InsightsProgress {
                records_matched: out.statistics().map_or(0.0, |s| s.records_matched()),
                records_scanned: out.statistics().map_or(0.0, |s| s.records_scanned()),
                bytes_scanned: out.statistics().map_or(0.0, |s| s.bytes_scanned()),
            };
            running.scanned = stats.bytes_scanned;
            match out.status() {
                Some(QueryStatus::Complete) => {
                    running.finished = true;
                    let gb = stats.bytes_scanned / BYTES_PER_GB;
                    // Unknown bytes scanned: bill a pessimistic 1 GB rather than nothing.
                    let billed = if gb > 0.0 {
                        gb
                    } else {
                        super::cost::ASSUMED_GB_PER_INSIGHTS_QUERY
                    };
                    self.bill(Api::StartQuery, billed);
                    let rows = out
                        .results()
                        .iter()
                        .map(|row| {
                            row.iter()
                                .filter(|f| f.field() != Some("@ptr"))
                                .map(|f| {
                                    (
                                        f.field().unwrap_or_default().to_string(),
                                        f.value().unwrap_or_default().to_string(),
                                    )
                                })
                                .collect()
                        })
                        .collect();
                    return Ok((rows, stats));
                }
                Some(s @ (QueryStatus::Failed | QueryStatus::Cancelled | QueryStatus::Timeout)) => {
                    running.finished = true;
                    return Err(SourceError::Other(format!(
                        "the Logs Insights query ended: {}",
                        s.as_str()
                    )));
                }
                _ => {}
            }
            if !progress(stats) {
                // Nobody is waiting: `running` stops the query on the way out.
                return Err(SourceError::Other(
                    "the Logs Insights query was stopped".into(),
                ));
            }
            if tokio::time::Instant::now() + wait > deadline {
                return Err(SourceError::Other(format!(
                    "the Logs Insights query took longer than {} s and was stopped",
                    timeout.as_secs()
                )));
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(2));
        }
    }
}
