//! X-Ray: GetTraceSummaries in ≤ 6-hour chunks, BatchGetTraces 5 ids a call, GetServiceGraph.

use aws_sdk_xray::types::{Service, TraceSummary as SdkSummary};
use aws_smithy_types::DateTime;

use super::{Api, AwsSource, next_page};
use crate::domain::{
    EpochMs, HOUR_MS, ServiceEdge, ServiceGraph, ServiceNode, SourceError, TimeWindow, Trace,
    TraceQuery, TraceSummary,
};
use crate::parse::xray::assemble as assemble_segments;

/// A conservative maximum range per GetTraceSummaries call (the often cited limit).
pub const MAX_SUMMARY_WINDOW_MS: EpochMs = 6 * HOUR_MS;
/// BatchGetTraces takes 1 to 5 ids.
pub const TRACES_PER_BATCH: usize = 5;
const MAX_PAGES: usize = 200;

/// Splits a window into chunks of at most `max`, newest first (the UI wants recent traces).
pub fn chunks_newest_first(w: TimeWindow, max: EpochMs) -> Vec<TimeWindow> {
    let mut out = Vec::new();
    let mut end = w.end;
    while end > w.start {
        let start = (end - max).max(w.start);
        out.push(TimeWindow::new(start, end));
        end = start;
    }
    out
}

fn to_dt(ms: EpochMs) -> DateTime {
    DateTime::from_millis(ms)
}

impl AwsSource {
    /// Trace summaries in the window, newest chunks first, up to `query.limit`.
    pub async fn trace_summaries(
        &self,
        query: &TraceQuery,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        let xray = &self.clients().xray;
        let filter = Some(query.filter.trim().to_string()).filter(|f| !f.is_empty());
        let mut out = Vec::new();
        'chunks: for chunk in chunks_newest_first(query.window, MAX_SUMMARY_WINDOW_MS) {
            let mut token: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let page = self
                    .call(Api::GetTraceSummaries, || {
                        xray.get_trace_summaries()
                            .start_time(to_dt(chunk.start))
                            .end_time(to_dt(chunk.end))
                            .set_filter_expression(filter.clone())
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await?;
                self.bill(Api::GetTraceSummaries, page.trace_summaries().len() as f64);
                out.extend(page.trace_summaries().iter().filter_map(to_summary));
                if out.len() >= query.limit {
                    break 'chunks;
                }
                if !next_page(&mut token, page.next_token()) {
                    break;
                }
            }
        }
        out.truncate(query.limit);
        Ok(out)
    }

    /// Whole traces, 5 ids a call, assembled into segment trees.
    pub async fn traces(&self, ids: &[String]) -> Result<Vec<Trace>, SourceError> {
        let xray = &self.clients().xray;
        let mut out = Vec::new();
        for batch in ids.chunks(TRACES_PER_BATCH) {
            let mut token: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let page = self
                    .call(Api::BatchGetTraces, || {
                        xray.batch_get_traces()
                            .set_trace_ids(Some(batch.to_vec()))
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await?;
                self.bill(Api::BatchGetTraces, page.traces().len() as f64);
                for t in page.traces() {
                    let Some(id) = t.id() else { continue };
                    let roots = assemble_segments(t.segments().iter().filter_map(|s| s.document()));
                    let duration_ms = t.duration().map_or_else(|| span_of(&roots), |s| s * 1000.0);
                    out.push(Trace {
                        id: id.to_string(),
                        duration_ms,
                        roots,
                    });
                }
                if !next_page(&mut token, page.next_token()) {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// The service map for the window.
    pub async fn service_graph(&self, window: TimeWindow) -> Result<ServiceGraph, SourceError> {
        let xray = &self.clients().xray;
        let mut services = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .call(Api::GetServiceGraph, || {
                    xray.get_service_graph()
                        .start_time(to_dt(window.start))
                        .end_time(to_dt(window.end))
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            services.extend(page.services().iter().filter_map(to_node));
            if !next_page(&mut token, page.next_token()) {
                break;
            }
        }
        Ok(ServiceGraph { services })
    }
}

/// Last end minus first start over the roots in milliseconds, when X-Ray gives no duration.
fn span_of(roots: &[crate::domain::Segment]) -> f64 {
    let start = roots.iter().map(|s| s.start).min();
    let end = roots.iter().filter_map(|s| s.end).max();
    match (start, end) {
        (Some(s), Some(e)) => (e - s).max(0) as f64 / 1000.0,
        _ => 0.0,
    }
}

/// The epoch seconds in a trace id `1-5759e988-…`.
pub fn trace_id_epoch_ms(id: &str) -> Option<EpochMs> {
    let hex = id.split('-').nth(1)?;
    i64::from_str_radix(hex, 16).ok().map(|s| s * 1000)
}

fn to_summary(s: &SdkSummary) -> Option<TraceSummary> {
    let id = s.id()?.to_string();
    let start = s
        .start_time()
        .and_then(|t| t.to_millis().ok())
        .or_else(|| trace_id_epoch_ms(&id))
        .unwrap_or_default();
    let http = s.http();
    let mut services: Vec<String> = Vec::new();
    let entry = s.entry_point().and_then(|e| e.name()).map(str::to_string);
    for name in entry.into_iter().chain(
        s.service_ids()
            .iter()
            .filter_map(|sid| sid.name())
            .map(str::to_string),
    ) {
        if !services.contains(&name) {
            services.push(name);
        }
    }
    Some(TraceSummary {
        start,
        duration_ms: s.duration().unwrap_or_default() * 1000.0,
        response_time_ms: s.response_time().map(|r| r * 1000.0),
        has_error: s.has_error().unwrap_or(false),
        has_fault: s.has_fault().unwrap_or(false),
        has_throttle: s.has_throttle().unwrap_or(false),
        http_method: http.and_then(|h| h.http_method()).map(str::to_string),
        http_url: http.and_then(|h| h.http_url()).map(str::to_string),
        http_status: http
            .and_then(|h| h.http_status())
            .and_then(|c| u16::try_from(c).ok()),
        services,
        // Summaries carry no Lambda request ids; the full trace has them (Segment::request_id).
        request_ids: Vec::new(),
        id,
    })
}

fn count(n: Option<i64>) -> u64 {
    n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

fn to_node(s: &Service) -> Option<ServiceNode> {
    let id = u32::try_from(s.reference_id()?).ok()?;
    let stats = s.summary_statistics();
    let requests = count(stats.and_then(|st| st.total_count()));
    let total_time = stats.and_then(|st| st.total_response_time()).unwrap_or(0.0);
    let edges = s
        .edges()
        .iter()
        .filter_map(|e| {
            let to = u32::try_from(e.reference_id()?).ok()?;
            let st = e.summary_statistics();
            let requests = count(st.and_then(|st| st.total_count()));
            let time = st.and_then(|st| st.total_response_time()).unwrap_or(0.0);
            Some(ServiceEdge {
                to,
                requests,
                errors: count(
                    st.and_then(|st| st.error_statistics())
                        .and_then(|e| e.total_count()),
                ),
                faults: count(
                    st.and_then(|st| st.fault_statistics())
                        .and_then(|f| f.total_count()),
                ),
                // X-Ray totals response time in seconds.
                avg_response_ms: if requests > 0 {
                    1000.0 * time / requests as f64
                } else {
                    0.0
                },
            })
        })
        .collect();
    Some(ServiceNode {
        id,
        name: s
            .name()
            .or_else(|| s.names().first().map(String::as_str))
            .unwrap_or("?")
            .to_string(),
        kind: s.r#type().unwrap_or_default().to_string(),
        requests,
        errors: count(
            stats
                .and_then(|st| st.error_statistics())
                .and_then(|e| e.total_count()),
        ),
        faults: count(
            stats
                .and_then(|st| st.fault_statistics())
                .and_then(|f| f.total_count()),
        ),
        throttles: count(
            stats
                .and_then(|st| st.error_statistics())
                .and_then(|e| e.throttle_count()),
        ),
        avg_response_ms: if requests > 0 {
            1000.0 * total_time / requests as f64
        } else {
            0.0
        },
        edges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_split_into_six_hour_chunks_newest_first() {
        let w = TimeWindow::new(0, 14 * HOUR_MS);
        let c = chunks_newest_first(w, MAX_SUMMARY_WINDOW_MS);
        assert_eq!(
            c,
            vec![
                TimeWindow::new(8 * HOUR_MS, 14 * HOUR_MS),
                TimeWindow::new(2 * HOUR_MS, 8 * HOUR_MS),
                TimeWindow::new(0, 2 * HOUR_MS)
            ]
        );
        assert!(chunks_newest_first(TimeWindow::new(5, 5), MAX_SUMMARY_WINDOW_MS).is_empty());
    }

    #[test]
    fn trace_ids_carry_their_start() {
        assert_eq!(
            trace_id_epoch_ms("1-58406520-a006649127e371903a2de979"),
            Some(1_480_615_200_000)
        );
        assert_eq!(trace_id_epoch_ms("garbage"), None);
    }
}
