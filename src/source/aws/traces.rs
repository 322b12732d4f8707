//! X-Ray: GetTraceSummaries a page at a time over ≤ 6-hour spans, BatchGetTraces 5 ids a call
//! (retrying what X-Ray left unprocessed), GetServiceGraph.

use std::collections::BTreeMap;

use aws_sdk_xray::types::{
    AnnotationValue as SdkValue, RootCauseException, Service, ServiceId, TraceSummary as SdkSummary,
};
use aws_smithy_types::DateTime;

use super::{Api, AwsSource, next_page};
use crate::domain::{
    AnnotationValue, EpochMs, Segment, ServiceEdge, ServiceGraph, ServiceNode, ServiceRef,
    SourceError, TimeWindow, Trace, TraceCursor, TracePage, TraceQuery, TraceSummary,
};
use crate::parse::xray::assemble as assemble_segments;

/// BatchGetTraces takes 1 to 5 ids.
pub const TRACES_PER_BATCH: usize = 5;
/// How often ids X-Ray left unprocessed are asked for again.
const UNPROCESSED_RETRIES: usize = 3;
const MAX_PAGES: usize = 200;

fn to_dt(ms: EpochMs) -> DateTime {
    DateTime::from_millis(ms)
}

impl AwsSource {
    /// One GetTraceSummaries page of one span of the window.
    pub async fn trace_page(
        &self,
        query: &TraceQuery,
        cursor: &TraceCursor,
    ) -> Result<TracePage, SourceError> {
        let spans = query.spans();
        let Some(&span) = spans.get(cursor.span) else {
            return Ok(TracePage::default());
        };
        let xray = &self.clients().xray;
        let filter = Some(query.filter.trim().to_string()).filter(|f| !f.is_empty());
        let page = self
            .call(Api::GetTraceSummaries, || {
                xray.get_trace_summaries()
                    .start_time(to_dt(span.start))
                    .end_time(to_dt(span.end))
                    .set_filter_expression(filter.clone())
                    .set_next_token(cursor.token.clone())
                    .send()
            })
            .await
            .map_err(|e| rejected_filter(e, filter.is_some()))?;
        self.bill(Api::GetTraceSummaries, page.trace_summaries().len() as f64);
        let summaries = page
            .trace_summaries()
            .iter()
            .filter_map(to_summary)
            .collect();
        let mut token = cursor.token.clone();
        let next = if next_page(&mut token, page.next_token()) {
            Some(TraceCursor {
                span: cursor.span,
                token,
            })
        } else {
            (cursor.span + 1 < spans.len()).then(|| TraceCursor {
                span: cursor.span + 1,
                token: None,
            })
        };
        Ok(TracePage { summaries, next })
    }

    /// Whole traces, 5 ids a call, assembled into segment trees. Ids X-Ray returns as
    /// unprocessed (it was busy) are asked for again, a few times.
    pub async fn traces(&self, ids: &[String]) -> Result<Vec<Trace>, SourceError> {
        let mut out = Vec::new();
        let mut pending: Vec<String> = ids.to_vec();
        for _ in 0..=UNPROCESSED_RETRIES {
            let mut unprocessed = Vec::new();
            for batch in pending.chunks(TRACES_PER_BATCH) {
                unprocessed.extend(self.trace_batch(batch, &mut out).await?);
            }
            if unprocessed.is_empty() {
                break;
            }
            tracing::debug!(
                count = unprocessed.len(),
                "BatchGetTraces left ids unprocessed"
            );
            pending = unprocessed;
        }
        Ok(out)
    }

    /// One batch of at most 5 ids; returns the ids X-Ray did not process.
    async fn trace_batch(
        &self,
        batch: &[String],
        out: &mut Vec<Trace>,
    ) -> Result<Vec<String>, SourceError> {
        let xray = &self.clients().xray;
        let mut unprocessed = Vec::new();
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
                // Last end less first start, as X-Ray defines it; its own Duration only when the
                // documents carry no times (some emulators round it to whole seconds).
                let duration_ms = Some(span_of(&roots))
                    .filter(|d| *d > 0.0)
                    .or_else(|| {
                        t.duration()
                            .filter(|d| d.is_finite() && *d >= 0.0)
                            .map(|s| s * 1000.0)
                    })
                    .unwrap_or(0.0);
                // A later page of the same batch continues a trace already started.
                match out.iter_mut().find(|o| o.id == id) {
                    Some(existing) => existing.roots.extend(roots),
                    None => out.push(Trace {
                        id: id.to_string(),
                        duration_ms,
                        roots,
                        limit_exceeded: t.limit_exceeded().unwrap_or(false),
                    }),
                }
            }
            unprocessed.extend(page.unprocessed_trace_ids().iter().cloned());
            if !next_page(&mut token, page.next_token()) {
                break;
            }
        }
        Ok(unprocessed)
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

/// X-Ray answers an expression it cannot read with InvalidRequestException: say it is the
/// filter, so the screen can show it next to the expression.
fn rejected_filter(e: SourceError, has_filter: bool) -> SourceError {
    match e {
        SourceError::Other(m) if has_filter && m.contains("InvalidRequestException") => {
            let detail = m
                .split_once("InvalidRequestException: ")
                .map_or(m.as_str(), |(_, d)| d);
            SourceError::InvalidFilter(detail.to_string())
        }
        other => other,
    }
}

/// Last end minus first start over the roots in milliseconds, when X-Ray gives no duration.
fn span_of(roots: &[Segment]) -> f64 {
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

fn service_ref(s: &ServiceId) -> Option<ServiceRef> {
    let name = s.name().or_else(|| s.names().first().map(String::as_str))?;
    Some(ServiceRef {
        name: name.to_string(),
        kind: s.r#type().map(str::to_string),
        ..Default::default()
    })
}

/// A root cause's service, its type and the exceptions on its path, whichever list it came from.
struct Culprit<'a> {
    name: Option<&'a str>,
    kind: Option<&'a str>,
    exceptions: Vec<&'a RootCauseException>,
}

fn headline(c: &Culprit) -> Option<String> {
    let name = c.name?;
    let e = c.exceptions.last();
    let what = match (e.and_then(|e| e.name()), e.and_then(|e| e.message())) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (Some(n), None) => n.to_string(),
        (None, Some(m)) => m.to_string(),
        (None, None) => return Some(name.to_string()),
    };
    Some(format!("{name}: {what}"))
}

fn to_summary(s: &SdkSummary) -> Option<TraceSummary> {
    let id = s.id()?.to_string();
    let start = s
        .start_time()
        .and_then(|t| t.to_millis().ok())
        .or_else(|| trace_id_epoch_ms(&id))
        .unwrap_or_default();
    let http = s.http();
    let entry = s.entry_point().and_then(service_ref);
    let mut services: Vec<ServiceRef> = Vec::new();
    for r in entry
        .iter()
        .cloned()
        .chain(s.service_ids().iter().filter_map(service_ref))
    {
        if !services
            .iter()
            .any(|x| x.name == r.name && x.kind == r.kind)
        {
            services.push(r);
        }
    }
    // Services on a fault's or an error's root-cause path faulted or erred in this trace. The
    // two lists have types of their own but the same shape.
    macro_rules! culprits {
        ($causes:expr) => {
            $causes
                .iter()
                .flat_map(|c| c.services())
                .map(|x| Culprit {
                    name: x.name(),
                    kind: x.r#type(),
                    exceptions: x
                        .entity_path()
                        .iter()
                        .flat_map(|e| e.exceptions())
                        .collect(),
                })
                .collect::<Vec<Culprit>>()
        };
    }
    let faults = culprits!(s.fault_root_causes());
    let errors = culprits!(s.error_root_causes());
    let throttled = s.has_throttle().unwrap_or(false);
    for svc in &mut services {
        let on = |list: &[Culprit]| {
            list.iter().any(|c| {
                c.name == Some(svc.name.as_str())
                    && c.kind.is_none_or(|k| svc.kind.as_deref() == Some(k))
            })
        };
        svc.fault = on(&faults);
        svc.error = on(&errors);
        svc.throttle = svc.error && throttled;
    }
    let root_cause = faults
        .iter()
        .rev()
        .chain(errors.iter().rev())
        .find(|c| !c.exceptions.is_empty())
        .or(faults.last())
        .or(errors.last())
        .and_then(headline);
    let annotations: BTreeMap<String, Vec<AnnotationValue>> = s
        .annotations()
        .into_iter()
        .flatten()
        .map(|(k, values)| {
            let values = values
                .iter()
                .filter_map(|v| match v.annotation_value()? {
                    SdkValue::BooleanValue(b) => Some(AnnotationValue::Bool(*b)),
                    SdkValue::NumberValue(n) => Some(AnnotationValue::Num(*n)),
                    SdkValue::StringValue(s) => Some(AnnotationValue::Str(s.clone())),
                    _ => None,
                })
                .collect();
            (k.clone(), values)
        })
        .collect();
    Some(TraceSummary {
        start,
        duration_ms: s.duration().unwrap_or_default() * 1000.0,
        response_time_ms: s.response_time().map(|r| r * 1000.0),
        has_error: s.has_error().unwrap_or(false),
        has_fault: s.has_fault().unwrap_or(false),
        has_throttle: throttled,
        is_partial: s.is_partial().unwrap_or(false),
        http_method: http.and_then(|h| h.http_method()).map(str::to_string),
        http_url: http.and_then(|h| h.http_url()).map(str::to_string),
        http_status: http
            .and_then(|h| h.http_status())
            .and_then(|c| u16::try_from(c).ok()),
        entry: entry.and_then(|e| {
            services
                .iter()
                .find(|s| s.name == e.name && s.kind == e.kind)
                .cloned()
        }),
        services,
        annotations,
        root_cause,
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
    fn a_rejected_filter_says_so() {
        let e = SourceError::Other(
            "GetTraceSummaries failed: InvalidRequestException: Invalid filter expression (HTTP 400)"
                .into(),
        );
        assert_eq!(
            rejected_filter(e.clone(), true).to_string(),
            "invalid filter expression: Invalid filter expression (HTTP 400)"
        );
        assert_eq!(rejected_filter(e.clone(), false), e);
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
