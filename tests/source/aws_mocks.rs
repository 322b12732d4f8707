//! What the emulator cannot serve, with aws-smithy-mocks: real pagination, percentiles refused by
//! the service, X-Ray filter expressions and time chunks, the service graph, throttling with
//! Retry-After, AccessDenied and expired credentials. Error responses are replayed HTTP bodies in
//! the shape AWS documents for each protocol.
#![cfg(feature = "aws")]

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudwatch::types::MetricDataResult;
use aws_sdk_lambda::types::FunctionConfiguration;
use aws_sdk_xray::types::{
    Edge, EdgeStatistics, ErrorStatistics, FaultStatistics, Service, ServiceStatistics,
    TraceSummary,
};
use aws_smithy_mocks::{Rule, mock};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::DateTime;
use aws_smithy_types::body::SdkBody;
use lambdascope::domain::{
    HOUR_MS, LogQuery, Metric, MetricQuery, MetricRequest, SourceError, Statistic, TimeWindow,
    TraceQuery, WindowChoice,
};
use lambdascope::source::Source;
use lambdascope::source::aws::{AwsClients, AwsSource, RetryPolicy};

/// Rules per service; services without rules get clients that answer nothing.
#[derive(Default)]
struct Rules<'a> {
    lambda: Vec<&'a Rule>,
    cloudwatch: Vec<&'a Rule>,
    logs: Vec<&'a Rule>,
    xray: Vec<&'a Rule>,
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(5),
        max: Duration::from_millis(40),
        ..RetryPolicy::default()
    }
}

fn source(r: Rules<'_>) -> AwsSource {
    let clients = AwsClients {
        lambda: mocked!(aws_sdk_lambda, r.lambda),
        cloudwatch: mocked!(aws_sdk_cloudwatch, r.cloudwatch),
        logs: mocked!(aws_sdk_cloudwatchlogs, r.logs),
        xray: mocked!(aws_sdk_xray, r.xray),
    };
    AwsSource::from_clients(clients, "eu-west-1", fast())
}

/// An error response as the service sends it: JSON body with `__type`, and the error-type header.
fn json_error(status: u16, code: &str, message: &str, retry_after: Option<&str>) -> HttpResponse {
    let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
    let mut resp = HttpResponse::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(body),
    );
    resp.headers_mut()
        .insert("x-amzn-errortype", code.to_string());
    resp.headers_mut()
        .insert("content-type", "application/json");
    if let Some(r) = retry_after {
        resp.headers_mut().insert("retry-after", r.to_string());
    }
    resp
}

fn function(name: &str) -> FunctionConfiguration {
    FunctionConfiguration::builder()
        .function_name(name)
        .function_arn(format!(
            "arn:aws:lambda:eu-west-1:210987654321:function:{name}"
        ))
        .last_modified("2019-08-14T22:26:11.234+0000")
        .build()
}

#[tokio::test]
async fn list_functions_follows_every_marker() {
    let pages = mock!(aws_sdk_lambda::Client::list_functions).then_compute_output(|req| {
        let (names, next): (&[&str], Option<&str>) = match req.marker() {
            None => (&["a", "b"], Some("m1")),
            Some("m1") => (&["c"], Some("m2")),
            Some("m2") => (&[], Some("m3")), // an empty page that still carries a marker
            _ => (&["d"], None),
        };
        aws_sdk_lambda::operation::list_functions::ListFunctionsOutput::builder()
            .set_functions(Some(names.iter().map(|n| function(n)).collect()))
            .set_next_marker(next.map(str::to_string))
            .build()
    });
    let src = source(Rules {
        lambda: vec![&pages],
        ..Default::default()
    });
    let fns = src.list_functions().await.expect("list");
    assert_eq!(
        fns.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c", "d"]
    );
    assert_eq!(pages.num_calls(), 4);
    assert_eq!(fns[0].last_modified, 1_565_821_571_234);
    let lambdascope::domain::SourceInfo::Aws { account, .. } = src.info() else {
        panic!()
    };
    assert_eq!(account.as_deref(), Some("210987654321"));
}

fn results_for(
    req: &aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataInput,
    page: i64,
) -> Vec<MetricDataResult> {
    req.metric_data_queries()
        .iter()
        .map(|q| {
            MetricDataResult::builder()
                .id(q.id().unwrap_or_default())
                .timestamps(DateTime::from_secs(1_800_000_000 + page * 60))
                .values(page as f64 + 1.0)
                .build()
        })
        .collect()
}

/// GetMetricData that fails every call asking for a percentile, as `code`.
fn refusing_percentiles(code: &'static str, message: &'static str) -> Rule {
    let has_percentile =
        |req: &aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataInput| {
            req.metric_data_queries().iter().any(|q| {
                q.metric_stat()
                    .and_then(|s| s.stat())
                    .is_some_and(|s| s.starts_with('p'))
            })
        };
    mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(has_percentile)
        .then_error(move || cloudwatch_failure(code, message))
}

fn cloudwatch_failure(
    code: &str,
    message: &str,
) -> aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError {
    aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError::generic(
        aws_smithy_types::error::ErrorMetadata::builder()
            .code(code)
            .message(message)
            .build(),
    )
}

#[tokio::test]
async fn a_refused_percentile_degrades_only_its_series_and_pages_are_merged() {
    let refuse = refusing_percentiles(
        "InvalidParameterValue",
        "The value p95 for parameter Stat is not supported.",
    );
    // Two pages: NextToken, then the rest.
    let serve = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(|req| {
        let page = i64::from(req.next_token().is_some());
        aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput::builder()
            .set_metric_data_results(Some(results_for(req, page)))
            .set_next_token((page == 0).then(|| "page-2".to_string()))
            .build()
    });
    let src = source(Rules {
        cloudwatch: vec![&refuse, &serve],
        ..Default::default()
    });
    let req = duration_request(&[
        Statistic::Sum,
        Statistic::P95,
        Statistic::Max,
        Statistic::P99,
    ]);
    let series = src.metrics(&req).await.expect("metrics");
    assert_eq!(refuse.num_calls(), 1, "a 400 is not retried");
    assert_eq!(serve.num_calls(), 2, "both pages of the retry");
    for s in [&series[0], &series[2]] {
        assert_eq!(s.unavailable, None);
        assert_eq!(
            s.points.iter().map(|p| p.v).collect::<Vec<_>>(),
            [1.0, 2.0],
            "pages merged in time order"
        );
    }
    for (s, name) in [(&series[1], "p95"), (&series[3], "p99")] {
        let why = s.unavailable.as_deref().expect("n/a");
        assert!(
            why.starts_with(&format!("{name} not available here: ")),
            "{why}"
        );
        assert!(why.contains("InvalidParameterValue"), "{why}");
        assert!(s.points.is_empty());
    }
}

fn cloudwatch_error(code: &'static str, message: &'static str) -> Rule {
    mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .then_error(move || cloudwatch_failure(code, message))
}

fn duration(stat: Statistic) -> MetricQuery {
    MetricQuery {
        function: "orders".into(),
        metric: Metric::Duration,
        stat,
    }
}

fn duration_request(stats: &[Statistic]) -> MetricRequest {
    MetricRequest {
        queries: stats.iter().map(|&s| duration(s)).collect(),
        window: TimeWindow::last(HOUR_MS, 1_800_003_600_000),
        period_s: 60,
    }
}

/// A failure the percentiles did not cause is reported as what it is: an unclassified 4xx on a
/// request of percentiles only, 5xx retries that ran out, an endpoint without the operation.
#[tokio::test]
async fn failures_are_not_mistaken_for_refused_percentiles() {
    let invalid = cloudwatch_error("ValidationError", "The parameter EndTime is not valid.");
    let src = source(Rules {
        cloudwatch: vec![&invalid],
        ..Default::default()
    });
    let err = src
        .metrics(&duration_request(&[Statistic::P95]))
        .await
        .expect_err("a 4xx with nothing to tell it from a refusal is an error");
    assert!(
        err.to_string().starts_with(
            "GetMetricData failed: ValidationError: The parameter EndTime is not valid."
        ),
        "{err}"
    );

    let down = cloudwatch_error("InternalFailure", "the service is having a bad day");
    let src = source(Rules {
        cloudwatch: vec![&down],
        ..Default::default()
    });
    let both = duration_request(&[Statistic::Sum, Statistic::P95]);
    let err = src.metrics(&both).await.expect_err("5xx everywhere");
    assert!(
        err.to_string()
            .contains("InternalFailure: the service is having a bad day"),
        "{err}"
    );
    let attempts = RetryPolicy::default().transient_attempts as usize;
    assert_eq!(
        down.num_calls(),
        2 * attempts,
        "the batch, then the batch without p95"
    );
    // Nothing was learnt: the next request asks for the percentile again.
    let _ = src.metrics(&both).await;
    assert_eq!(down.num_calls(), 4 * attempts);

    let missing = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_http_response(|| {
        HttpResponse::new(StatusCode::try_from(404).expect("404"), SdkBody::from(""))
    });
    let src = source(Rules {
        cloudwatch: vec![&missing],
        ..Default::default()
    });
    let err = src.metrics(&both).await.expect_err("no GetMetricData here");
    assert_eq!(
        err.to_string(),
        "this endpoint does not serve CloudWatch GetMetricData (HTTP 404)"
    );
    assert_eq!(missing.num_calls(), 1, "not retried, not probed");
}

/// Once the endpoint has refused percentiles (moto: a 500 on p95), the session stops asking
/// for them: the next refresh marks them n/a at once and makes one call, not four.
#[tokio::test]
async fn a_refusal_of_percentiles_is_learnt_once() {
    let refuse = refusing_percentiles("InternalFailure", "Not implemented yet - moto");
    let serve = cloudwatch_like(Asked::default());
    let src = source(Rules {
        cloudwatch: vec![&refuse, &serve],
        ..Default::default()
    });
    let req = duration_request(&[Statistic::Sum, Statistic::P95, Statistic::Max]);
    let attempts = RetryPolicy::default().transient_attempts as usize;
    let first = src.metrics(&req).await.expect("metrics");
    assert_eq!((refuse.num_calls(), serve.num_calls()), (attempts, 1));
    let why = first[1].unavailable.clone().expect("p95 is n/a");
    assert!(
        why.starts_with("p95 not available here: ") && why.contains("InternalFailure"),
        "{why}"
    );
    for _ in 0..3 {
        let again = src.metrics(&req).await.expect("metrics");
        assert_eq!(again[1].unavailable.as_ref(), Some(&why));
        assert!(again[0].unavailable.is_none() && !again[0].points.is_empty());
    }
    assert_eq!(
        (refuse.num_calls(), serve.num_calls()),
        (attempts, 4),
        "no percentile asked for after the refusal"
    );
    let gmd = src.health().usage;
    let gmd = gmd
        .iter()
        .find(|u| u.api == "GetMetricData")
        .expect("usage");
    assert_eq!(
        gmd.billed_units,
        4.0 * 2.0,
        "only the series asked for are billed"
    );
}

/// What one GetMetricData call asked for: StartTime, EndTime (ms) and each query's period.
type Asked = Arc<Mutex<Vec<(i64, i64, Vec<i32>)>>>;

/// GetMetricData as CloudWatch answers it: a datapoint at StartTime + k·Period for every bucket
/// that starts before EndTime, for every query; and a record of what was asked.
fn cloudwatch_like(asked: Asked) -> Rule {
    mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(move |req| {
        let ms = |t: Option<&DateTime>| t.and_then(|t| t.to_millis().ok()).unwrap_or(0);
        let (start, end) = (ms(req.start_time()), ms(req.end_time()));
        let periods: Vec<i32> = req
            .metric_data_queries()
            .iter()
            .map(|q| q.metric_stat().and_then(|s| s.period()).unwrap_or(0))
            .collect();
        asked.lock().unwrap().push((start, end, periods.clone()));
        let results = req
            .metric_data_queries()
            .iter()
            .zip(periods)
            .map(|(q, period)| {
                let step = i64::from(period.max(1)) * 1000;
                let stamps: Vec<DateTime> = (0..)
                    .map(|k| start + k * step)
                    .take_while(|&t| t < end)
                    .map(DateTime::from_millis)
                    .collect();
                MetricDataResult::builder()
                    .id(q.id().unwrap_or_default())
                    .set_values(Some(vec![1.0; stamps.len()]))
                    .set_timestamps(Some(stamps))
                    .build()
            })
            .collect();
        aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput::builder()
            .set_metric_data_results(Some(results))
            .build()
    })
}

/// A source whose CloudWatch is [`cloudwatch_like`]; the rule counts its calls.
fn like_cloudwatch() -> (Rule, Asked, Source) {
    let asked = Asked::default();
    let rule = cloudwatch_like(asked.clone());
    let src = Source::Aws(source(Rules {
        cloudwatch: vec![&rule],
        ..Default::default()
    }));
    (rule, asked, src)
}

/// StartTime and EndTime are exactly the plan's window and each query asks for the plan's
/// period, so CloudWatch's buckets are the plan's, the same the demo gives
/// (source_contract.rs): at 60, 300 and 3600 s and at period = window.
#[tokio::test]
async fn the_request_is_exactly_the_plan_and_buckets_match_it() {
    let (_rule, asked, src) = like_cloudwatch();
    let now = src.now();
    let window = WindowChoice::H3.window(now);
    let found = common::contract::buckets(&src, "orders", window).await;
    assert_eq!(found.len(), 4);
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 4, "one call per period");
    for ((plan, stamps), (start, end, periods)) in found.iter().zip(asked) {
        assert_eq!(
            (start, end),
            (plan.window.start, plan.window.end),
            "StartTime/EndTime are the plan's window"
        );
        assert_eq!(periods, [plan.period_s as i32]);
        assert_eq!(
            stamps,
            &common::contract::every_bucket(*plan, now),
            "{plan:?}"
        );
    }
}

/// One refresh of the functions table: the sparkline (spark period) and the totals (period =
/// window) of every row share GetMetricData calls, each query with its own period.
#[tokio::test]
async fn metric_sets_over_one_window_share_their_calls() {
    use lambdascope::domain::{MetricPlan, row_totals, totals_request, trend_request};
    let (rule, asked, src) = like_cloudwatch();
    let now = src.now();
    let choice = WindowChoice::H1;
    let window = choice.window(now);
    let spark = MetricPlan::new(window, choice.spark_period_s(now), now);
    let whole = MetricPlan::new(window, 3600, now);
    let table = |n: usize| {
        let names: Vec<String> = (0..n).map(|i| format!("fn-{i:04}")).collect();
        vec![
            trend_request(&names, spark),
            totals_request(&names, &row_totals(false), whole),
        ]
    };
    // 100 rows: 100 trend + 300 total queries, one call.
    let sets = src.metric_sets(&table(100)).await.expect("metric sets");
    assert_eq!(rule.num_calls(), 1);
    assert_eq!((sets[0].len(), sets[1].len()), (100, 300));
    let calls = asked.lock().unwrap().clone();
    let (start, end, periods) = &calls[0];
    assert_eq!((*start, *end), (window.start, window.end));
    assert_eq!(periods.iter().filter(|&&p| p == 180).count(), 100);
    assert_eq!(periods.iter().filter(|&&p| p == 3600).count(), 300);
    // Each answer lands in its own set, at its own period.
    assert!(
        sets[0]
            .iter()
            .all(|s| s.points.len() == 20 && s.period_s == 180)
    );
    assert!(
        sets[1]
            .iter()
            .all(|s| s.points.len() == 1 && s.period_s == 3600)
    );
    assert_eq!(sets[1][4].query.function, "fn-0001");
    // 1,000 rows: 4,000 queries in ⌈4000/500⌉ = 8 calls, not 2 + 6.
    src.metric_sets(&table(1000)).await.expect("metric sets");
    assert_eq!(rule.num_calls(), 1 + 8);
    // Sets over different windows cannot share a call.
    let other = MetricRequest {
        window: TimeWindow::new(window.start - HOUR_MS, window.end - HOUR_MS),
        ..table(1).remove(0)
    };
    src.metric_sets(&[table(1).remove(0), other])
        .await
        .expect("metric sets");
    assert_eq!(rule.num_calls(), 1 + 8 + 2);
}

#[tokio::test]
async fn trace_summaries_pass_the_filter_and_split_long_windows() {
    let rule = mock!(aws_sdk_xray::Client::get_trace_summaries)
        .match_requests(|req| req.filter_expression() == Some("service(\"orders\") { fault }"))
        .then_compute_output(|req| {
            let start = req.start_time().map_or(0, |t| t.secs());
            aws_sdk_xray::operation::get_trace_summaries::GetTraceSummariesOutput::builder()
                .trace_summaries(
                    TraceSummary::builder()
                        .id(format!("1-{start:08x}-000000000000000000000001"))
                        .duration(0.25)
                        .has_fault(true)
                        .http(
                            aws_sdk_xray::types::Http::builder()
                                .http_status(502)
                                .http_method("POST")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let src = source(Rules {
        xray: vec![&rule],
        ..Default::default()
    });
    let end = 1_800_000_000_000;
    let q = TraceQuery {
        window: TimeWindow::new(end - 14 * HOUR_MS, end),
        filter: "service(\"orders\") { fault }".into(),
        limit: 10,
    };
    let sums = Source::Aws(src.clone())
        .trace_summaries(&q)
        .await
        .expect("summaries");
    assert_eq!(rule.num_calls(), 3, "14 hours = 6 + 6 + 2");
    assert_eq!(sums.len(), 3);
    // Newest chunk first; the start comes from the trace id when no StartTime is given.
    assert_eq!(sums[0].start, end - 6 * HOUR_MS);
    assert!(
        sums.iter()
            .all(|s| s.has_fault && s.http_status == Some(502))
    );
    let limited = Source::Aws(src.clone())
        .trace_summaries(&TraceQuery { limit: 1, ..q })
        .await
        .expect("summaries");
    assert_eq!(limited.len(), 1);
    assert_eq!(rule.num_calls(), 4, "the limit stops paging");
}

#[tokio::test]
async fn batch_get_traces_takes_five_ids_a_call() {
    let rule = mock!(aws_sdk_xray::Client::batch_get_traces).then_compute_output(|req| {
        assert!(req.trace_ids().len() <= 5);
        aws_sdk_xray::operation::batch_get_traces::BatchGetTracesOutput::builder()
            .set_traces(Some(
                req.trace_ids()
                    .iter()
                    .map(|id| {
                        aws_sdk_xray::types::Trace::builder()
                            .id(id)
                            .duration(1.5)
                            .segments(
                                aws_sdk_xray::types::Segment::builder()
                                    .id("a")
                                    .document(
                                        r#"{"id":"a","name":"root","start_time":1,"end_time":2}"#,
                                    )
                                    .build(),
                            )
                            .segments(
                                aws_sdk_xray::types::Segment::builder()
                                    .id("b")
                                    .document("{not json")
                                    .build(),
                            )
                            .build()
                    })
                    .collect(),
            ))
            .build()
    });
    let src = source(Rules {
        xray: vec![&rule],
        ..Default::default()
    });
    let ids: Vec<String> = (0..100).map(|i| format!("1-5759e988-{i:024x}")).collect();
    let traces = src.traces(&ids).await.expect("traces");
    assert_eq!(rule.num_calls(), 20, "100 traces, 5 ids a call, no more");
    eprintln!(
        "MEASURED: 100 traces -> {} BatchGetTraces calls (mocks)",
        rule.num_calls()
    );
    assert_eq!(traces.len(), 100);
    // The duration is the documents' (last end less first start), the unparseable one skipped.
    assert!(
        traces
            .iter()
            .all(|t| t.roots.len() == 1 && t.roots[0].name == "root" && t.duration_ms == 1000.0)
    );
}

#[tokio::test]
async fn batch_get_traces_asks_again_for_the_ids_it_left_unprocessed() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let rule = mock!(aws_sdk_xray::Client::batch_get_traces).then_compute_output(|req| {
        let first = CALLS.fetch_add(1, Ordering::SeqCst) == 0;
        let ids = req.trace_ids();
        // X-Ray was busy the first time: the last id comes back unprocessed.
        let (done, left) = if first {
            ids.split_at(ids.len() - 1)
        } else {
            (ids, &[][..])
        };
        aws_sdk_xray::operation::batch_get_traces::BatchGetTracesOutput::builder()
            .set_traces(Some(
                done.iter()
                    .map(|id| {
                        aws_sdk_xray::types::Trace::builder()
                            .id(id)
                            .segments(
                                aws_sdk_xray::types::Segment::builder()
                                    .id("a")
                                    .document(
                                        r#"{"id":"a","name":"root","start_time":1,"end_time":2}"#,
                                    )
                                    .build(),
                            )
                            .build()
                    })
                    .collect(),
            ))
            .set_unprocessed_trace_ids(Some(left.to_vec()))
            .build()
    });
    let src = source(Rules {
        xray: vec![&rule],
        ..Default::default()
    });
    let ids: Vec<String> = (0..5).map(|i| format!("1-5759e988-{i:024x}")).collect();
    let traces = src.traces(&ids).await.expect("traces");
    assert_eq!(traces.len(), 5, "the unprocessed one was asked for again");
    assert_eq!(rule.num_calls(), 2);
    assert_eq!(traces[4].id, ids[4]);
}

#[tokio::test]
async fn summaries_are_sorted_newest_first_before_the_limit_cuts() {
    let end = 1_800_000_000_000i64;
    let secs = end / 1000;
    let rule = mock!(aws_sdk_xray::Client::get_trace_summaries).then_compute_output(move |req| {
        // Pages are not in time order: the older traces come first.
        let (ages, next): (&[i64], Option<&str>) = match req.next_token() {
            None => (&[100, 50], Some("p2")),
            _ => (&[10, 5], None),
        };
        aws_sdk_xray::operation::get_trace_summaries::GetTraceSummariesOutput::builder()
            .set_trace_summaries(Some(
                ages.iter()
                    .map(|age| {
                        TraceSummary::builder()
                            .id(format!("1-{:08x}-{:024x}", secs - age, age))
                            .build()
                    })
                    .collect(),
            ))
            .set_next_token(next.map(str::to_string))
            .build()
    });
    let src = source(Rules {
        xray: vec![&rule],
        ..Default::default()
    });
    let q = TraceQuery {
        window: TimeWindow::new(end - HOUR_MS, end),
        filter: String::new(),
        limit: 3,
    };
    let sums = Source::Aws(src.clone())
        .trace_summaries(&q)
        .await
        .expect("summaries");
    let ages: Vec<i64> = sums.iter().map(|s| (end - s.start) / 1000).collect();
    assert_eq!(ages, [5, 10, 50], "the newest three, newest first");
}

#[tokio::test]
async fn a_filter_expression_x_ray_rejects_says_so() {
    let rule = mock!(aws_sdk_xray::Client::get_trace_summaries).then_http_response(|| {
        json_error(
            400,
            "InvalidRequestException",
            "Invalid filter expression: unexpected token at position 9",
            None,
        )
    });
    let src = source(Rules {
        xray: vec![&rule],
        ..Default::default()
    });
    let q = TraceQuery {
        window: TimeWindow::new(0, HOUR_MS),
        filter: "service(\"x\") { fault".into(),
        limit: 10,
    };
    let err = Source::Aws(src.clone())
        .trace_summaries(&q)
        .await
        .expect_err("rejected");
    let SourceError::InvalidFilter(why) = &err else {
        panic!("{err:?}")
    };
    assert!(why.contains("unexpected token at position 9"), "{why}");
    assert_eq!(rule.num_calls(), 1, "a rejected expression is not retried");
}

#[tokio::test]
async fn summaries_carry_services_root_causes_and_annotations() {
    use aws_sdk_xray::types::{
        AnnotationValue, FaultRootCause, FaultRootCauseEntity, FaultRootCauseService,
        RootCauseException, ServiceId, ValueWithServiceIds,
    };
    let svc = |name: &str, kind: &str| ServiceId::builder().name(name).r#type(kind).build();
    let rule = mock!(aws_sdk_xray::Client::get_trace_summaries).then_output(move || {
        aws_sdk_xray::operation::get_trace_summaries::GetTraceSummariesOutput::builder()
            .trace_summaries(
                TraceSummary::builder()
                    .id("1-5759e988-bd862e3fe1be46a994272793")
                    .duration(0.25)
                    .has_fault(true)
                    .entry_point(svc("shop/prod", "AWS::ApiGateway::Stage"))
                    .service_ids(svc("shop/prod", "AWS::ApiGateway::Stage"))
                    .service_ids(svc("orders", "AWS::Lambda::Function"))
                    .service_ids(svc("orders-table", "AWS::DynamoDB::Table"))
                    .fault_root_causes(
                        FaultRootCause::builder()
                            .services(
                                FaultRootCauseService::builder()
                                    .name("orders")
                                    .r#type("AWS::Lambda::Function")
                                    .entity_path(
                                        FaultRootCauseEntity::builder()
                                            .name("orders")
                                            .exceptions(
                                                RootCauseException::builder()
                                                    .name("TypeError")
                                                    .message("x is undefined")
                                                    .build(),
                                            )
                                            .build(),
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .annotations(
                        "ColdStart",
                        vec![
                            ValueWithServiceIds::builder()
                                .annotation_value(AnnotationValue::BooleanValue(true))
                                .build(),
                        ],
                    )
                    .build(),
            )
            .build()
    });
    let src = source(Rules {
        xray: vec![&rule],
        ..Default::default()
    });
    let q = TraceQuery {
        window: TimeWindow::new(0, HOUR_MS),
        filter: String::new(),
        limit: 10,
    };
    let t = &Source::Aws(src.clone())
        .trace_summaries(&q)
        .await
        .expect("summaries")[0];
    assert_eq!(t.entry.as_ref().map(|e| e.name.as_str()), Some("shop/prod"));
    assert_eq!(t.services.len(), 3);
    let faulted: Vec<&str> = t
        .services
        .iter()
        .filter(|s| s.fault)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        faulted,
        ["orders"],
        "only the service on the root-cause path"
    );
    assert_eq!(
        t.root_cause.as_deref(),
        Some("orders: TypeError: x is undefined")
    );
    assert_eq!(t.cold_start_annotation(), Some(true));
    // The demo evaluates the same expression on what AWS returns.
    let f = lambdascope::parse::trace_filter::TraceFilter::parse(
        "service(id(name: \"orders\", type: \"AWS::Lambda::Function\")) { fault }",
    )
    .unwrap();
    assert!(f.matches(t));
}

#[tokio::test]
async fn service_graph_maps_nodes_and_edges() {
    let stats = |total, err, fault, throttle| {
        ServiceStatistics::builder()
            .total_count(total)
            .ok_count(total - err - fault)
            .total_response_time(total as f64 * 0.2)
            .error_statistics(
                ErrorStatistics::builder()
                    .total_count(err)
                    .throttle_count(throttle)
                    .build(),
            )
            .fault_statistics(FaultStatistics::builder().total_count(fault).build())
            .build()
    };
    let rule = mock!(aws_sdk_xray::Client::get_service_graph).then_output(move || {
        aws_sdk_xray::operation::get_service_graph::GetServiceGraphOutput::builder()
            .services(
                Service::builder()
                    .reference_id(0)
                    .name("orders-api/prod")
                    .r#type("AWS::ApiGateway::Stage")
                    .summary_statistics(stats(100, 3, 2, 1))
                    .edges(
                        Edge::builder()
                            .reference_id(1)
                            .summary_statistics(
                                EdgeStatistics::builder()
                                    .total_count(100)
                                    .total_response_time(15.0)
                                    .fault_statistics(
                                        FaultStatistics::builder().total_count(2).build(),
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .services(
                Service::builder()
                    .reference_id(1)
                    .name("orders-api-create")
                    .r#type("AWS::Lambda")
                    .build(),
            )
            .build()
    });
    let src = source(Rules {
        xray: vec![&rule],
        ..Default::default()
    });
    let g = src
        .service_graph(TimeWindow::new(0, HOUR_MS))
        .await
        .expect("graph");
    assert_eq!(g.services.len(), 2);
    let stage = &g.services[0];
    assert_eq!(
        (stage.name.as_str(), stage.kind.as_str()),
        ("orders-api/prod", "AWS::ApiGateway::Stage")
    );
    assert_eq!(
        (stage.requests, stage.errors, stage.faults, stage.throttles),
        (100, 3, 2, 1)
    );
    assert!((stage.avg_response_ms - 200.0).abs() < 1e-9);
    assert_eq!(stage.edges.len(), 1);
    assert_eq!((stage.edges[0].to, stage.edges[0].faults), (1, 2));
    assert!((stage.edges[0].avg_response_ms - 150.0).abs() < 1e-9);
    assert_eq!(g.services[1].requests, 0);
}

#[tokio::test]
async fn lambda_throttling_honours_retry_after_and_recovers() {
    let rule = mock!(aws_sdk_lambda::Client::list_functions)
        .sequence()
        .http_response(|| {
            json_error(
                429,
                "TooManyRequestsException",
                "Rate exceeded",
                Some("0.2"),
            )
        })
        .times(3)
        .output(|| {
            aws_sdk_lambda::operation::list_functions::ListFunctionsOutput::builder()
                .functions(function("ok"))
                .build()
        })
        .build();
    let src = source(Rules {
        lambda: vec![&rule],
        ..Default::default()
    });
    let watcher = src.clone();
    let started = std::time::Instant::now();
    let call = tokio::spawn(async move { src.list_functions().await });
    let mut shown = None;
    while !call.is_finished() {
        shown = shown.or(watcher.health().throttled);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let fns = call.await.expect("join").expect("recovers");
    assert_eq!(fns.len(), 1);
    assert_eq!(rule.num_calls(), 4);
    // Retry-After (0.2 s) outweighs the tiny test backoff three times over.
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(
        shown.as_deref(),
        Some("throttled: ListFunctions, retrying in 1 s")
    );
    let health = watcher.health();
    assert_eq!(health.calls, 4);
    assert_eq!(health.throttled, None);
}

fn one_group_query() -> LogQuery {
    LogQuery {
        log_groups: vec!["/aws/lambda/x".into()],
        window: TimeWindow::new(0, HOUR_MS),
        filter_pattern: String::new(),
        limit: 10,
        newest_first: false,
        next_token: None,
    }
}

/// A one-shot call that gave up says so; "retrying" would be a promise nobody keeps.
#[tokio::test]
async fn endless_throttling_gives_up_with_a_throttled_error_that_says_so() {
    let rule = mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events)
        .sequence()
        .http_response(|| json_error(400, "ThrottlingException", "Rate exceeded", None))
        .repeatedly()
        .build();
    let src = source(Rules {
        logs: vec![&rule],
        ..Default::default()
    });
    let q = one_group_query();
    let err = src.logs(&q).await.expect_err("gives up");
    assert!(
        matches!(&err, SourceError::Throttled { api, .. } if api == "FilterLogEvents"),
        "{err:?}"
    );
    let tries = RetryPolicy::default().throttle_attempts;
    assert_eq!(rule.num_calls(), tries as usize);
    let text = err.to_string();
    assert_eq!(
        text,
        format!("throttled on FilterLogEvents; gave up after {tries} tries")
    );
    assert!(!text.contains("retrying"), "{text}");
}

#[tokio::test]
async fn access_denied_names_the_iam_action_of_the_failing_call() {
    let logs = mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events).then_http_response(|| {
        json_error(
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: logs:FilterLogEvents",
            None,
        )
    });
    let lambda = mock!(aws_sdk_lambda::Client::get_function)
        .then_http_response(|| json_error(403, "AccessDeniedException", "not authorized", None));
    let src = source(Rules {
        logs: vec![&logs],
        lambda: vec![&lambda],
        ..Default::default()
    });
    let q = one_group_query();
    let err = src.logs(&q).await.expect_err("denied");
    assert_eq!(
        err,
        SourceError::AccessDenied {
            action: "logs:FilterLogEvents".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "access denied: this needs IAM permission logs:FilterLogEvents"
    );
    assert_eq!(logs.num_calls(), 1, "access denied is not retried");
    let err = src.function("x").await.expect_err("denied");
    assert_eq!(
        err,
        SourceError::AccessDenied {
            action: "lambda:GetFunction".into()
        }
    );
}

#[tokio::test]
async fn expired_credentials_say_how_to_log_in_again() {
    let rule = mock!(aws_sdk_lambda::Client::list_functions).then_http_response(|| {
        json_error(
            403,
            "ExpiredTokenException",
            "The security token included in the request is expired",
            None,
        )
    });
    let src = source(Rules {
        lambda: vec![&rule],
        ..Default::default()
    });
    let err = src.list_functions().await.expect_err("expired");
    let text = err.to_string();
    assert!(
        text.contains("expired") && text.contains("aws sso login"),
        "{text}"
    );
    assert!(
        !text.contains("ServiceError") && !text.contains("{"),
        "no Debug dumps: {text}"
    );
}

#[test]
fn the_source_is_cheap_to_share_across_tasks() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<AwsSource>();
}

fn started_query() -> Rule {
    mock!(aws_sdk_cloudwatchlogs::Client::start_query).then_output(|| {
        aws_sdk_cloudwatchlogs::operation::start_query::StartQueryOutput::builder()
            .query_id("q-1")
            .build()
    })
}

/// StartQuery answering `first` once, then with a query id; the query is done at once. What
/// the Insights request gave, and how many times StartQuery was sent.
async fn start_query_failing_once(first: fn() -> HttpResponse) -> (Result<(), SourceError>, usize) {
    let start = mock!(aws_sdk_cloudwatchlogs::Client::start_query)
        .sequence()
        .http_response(first)
        .times(1)
        .output(|| {
            aws_sdk_cloudwatchlogs::operation::start_query::StartQueryOutput::builder()
                .query_id("q-2")
                .build()
        })
        .build();
    let done = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results).then_output(|| {
        aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput::builder()
            .status(aws_sdk_cloudwatchlogs::types::QueryStatus::Complete)
            .build()
    });
    let src = source(Rules {
        logs: vec![&start, &done],
        ..Default::default()
    });
    let result = src
        .insights(
            &["/aws/lambda/x".into()],
            "fields @message",
            TimeWindow::new(0, HOUR_MS),
        )
        .await;
    (result.map(|_| ()), start.num_calls())
}

/// A 500 from StartQuery may come after the query started: sending it again would start a
/// second billed query and orphan the first, so the failure is reported instead.
#[tokio::test]
async fn start_query_is_not_sent_twice_after_a_server_error() {
    let (result, sent) = start_query_failing_once(|| {
        json_error(500, "ServiceUnavailableException", "try later", None)
    })
    .await;
    let err = result.expect_err("the failure, not a second query");
    assert!(
        err.to_string().contains("ServiceUnavailableException"),
        "{err}"
    );
    assert_eq!(sent, 1, "StartQuery sent again");
}

/// ...while a throttle, refused before anything ran, is waited out and sent again.
#[tokio::test]
async fn start_query_is_sent_again_after_a_throttle() {
    let (result, sent) =
        start_query_failing_once(|| json_error(400, "ThrottlingException", "Rate exceeded", None))
            .await;
    result.expect("the query, once the throttle passed");
    assert_eq!(sent, 2);
}

#[tokio::test]
async fn insights_bills_bytes_scanned_and_drops_the_ptr_field() {
    use aws_sdk_cloudwatchlogs::types::{QueryStatistics, QueryStatus, ResultField};
    let start = started_query();
    let results = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results)
        .sequence()
        .output(|| {
            aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput::builder()
                .status(QueryStatus::Running)
                .build()
        })
        .output(|| {
            let field = |f: &str, v: &str| ResultField::builder().field(f).value(v).build();
            aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput::builder()
                .status(QueryStatus::Complete)
                .statistics(QueryStatistics::builder().bytes_scanned(2e9).build())
                .results(vec![
                    field("@timestamp", "2026-11-23 10:00:00.000"),
                    field("cold", "4"),
                    field("@ptr", "x"),
                ])
                .build()
        })
        .build();
    let src = source(Rules {
        logs: vec![&start, &results],
        ..Default::default()
    });
    let rows = src
        .insights(
            &["/aws/lambda/x".into()],
            "stats count(*) as cold",
            TimeWindow::new(0, HOUR_MS),
        )
        .await
        .expect("insights");
    assert_eq!(
        rows,
        vec![vec![
            (
                "@timestamp".to_string(),
                "2026-11-23 10:00:00.000".to_string()
            ),
            ("cold".into(), "4".into())
        ]]
    );
    assert_eq!(results.num_calls(), 2, "polled until complete");
    let usage = src.health().usage;
    let line = usage
        .iter()
        .find(|u| u.api == "StartQuery")
        .expect("StartQuery usage");
    assert_eq!((line.billed_units, line.unit.as_str()), (2.0, "GB scanned"));
    assert!((line.estimated_usd - 0.01).abs() < 1e-12);
}

/// GetQueryResults that says "Running" however often it is asked.
fn query_running_forever() -> Rule {
    mock!(aws_sdk_cloudwatchlogs::Client::get_query_results)
        .sequence()
        .output(|| {
            aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput::builder()
                .status(aws_sdk_cloudwatchlogs::types::QueryStatus::Running)
                .build()
        })
        .repeatedly()
        .build()
}

#[tokio::test]
async fn an_abandoned_insights_query_is_stopped() {
    let start = started_query();
    let running = query_running_forever();
    let stop = mock!(aws_sdk_cloudwatchlogs::Client::stop_query)
        .match_requests(|req| req.query_id() == Some("q-1"))
        .then_output(|| {
            aws_sdk_cloudwatchlogs::operation::stop_query::StopQueryOutput::builder()
                .success(true)
                .build()
        });
    let src = source(Rules {
        logs: vec![&start, &running, &stop],
        ..Default::default()
    });
    let groups = ["/aws/lambda/x".to_string()];
    let q = src.insights(&groups, "fields @message", TimeWindow::new(0, HOUR_MS));
    // The caller loses interest (the user left the view): the future is dropped mid-poll.
    assert!(
        tokio::time::timeout(Duration::from_millis(400), q)
            .await
            .is_err()
    );
    for _ in 0..100 {
        if stop.num_calls() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        stop.num_calls(),
        1,
        "StopQuery was not sent for the abandoned query"
    );
    assert!(running.num_calls() >= 1);
}

/// Quitting drops the running query's job on a runtime about to shut down: its StopQuery must
/// be waited for, or the query goes on scanning (and billing) for up to an hour.
#[test]
fn quitting_stops_the_insights_query_still_running() {
    let start = started_query();
    let running = query_running_forever();
    let stop = mock!(aws_sdk_cloudwatchlogs::Client::stop_query).then_output(|| {
        aws_sdk_cloudwatchlogs::operation::stop_query::StopQueryOutput::builder()
            .success(true)
            .build()
    });
    // One thread: nothing spawned runs unless the caller waits for it, as at shutdown.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let src = source(Rules {
            logs: vec![&start, &running, &stop],
            ..Default::default()
        });
        let groups = ["/aws/lambda/x".to_string()];
        let q = src.insights(&groups, "fields @message", TimeWindow::new(0, HOUR_MS));
        // The console quits while the query runs: its job is dropped.
        assert!(
            tokio::time::timeout(Duration::from_millis(300), q)
                .await
                .is_err()
        );
        Source::Aws(src).settle(Duration::from_secs(3)).await;
    });
    drop(rt);
    assert_eq!(stop.num_calls(), 1, "the query was left scanning");
}

#[tokio::test]
async fn cold_starts_come_from_logs_insights_in_the_functions_own_group() {
    use aws_sdk_cloudwatchlogs::types::{QueryStatus, ResultField};
    let get = mock!(aws_sdk_lambda::Client::get_function).then_output(|| {
        let conf = FunctionConfiguration::builder()
            .function_name("orders")
            .logging_config(
                aws_sdk_lambda::types::LoggingConfig::builder()
                    .log_group("/shared/orders")
                    .build(),
            )
            .build();
        aws_sdk_lambda::operation::get_function::GetFunctionOutput::builder()
            .configuration(conf)
            .build()
    });
    let start = mock!(aws_sdk_cloudwatchlogs::Client::start_query)
        .match_requests(|req| {
            req.log_group_names() == ["/shared/orders"]
                && req.query_string().is_some_and(|q| {
                    q.contains("pct(ms, 95) as p950")
                        && q.contains("bin(300s)")
                        // A shared group: only the function's own streams.
                        && q.contains(r"@logStream like /^\d{4}\/\d{2}\/\d{2}\/orders\[/")
                })
        })
        .then_output(|| {
            aws_sdk_cloudwatchlogs::operation::start_query::StartQueryOutput::builder()
                .query_id("q-7")
                .build()
        });
    let results = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results).then_output(|| {
        let row = |bin: &str, cold: &str, avg: &str, p95: &str| {
            [
                ("bin(300s)", bin),
                ("cold", cold),
                ("avg", avg),
                ("max", avg),
                ("p950", p95),
            ]
            .iter()
            .map(|(f, v)| ResultField::builder().field(*f).value(*v).build())
            .collect::<Vec<_>>()
        };
        aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput::builder()
            .status(QueryStatus::Complete)
            .results(row("2026-11-23 10:10:00.000", "1", "350.5", "350.5"))
            .results(row("2026-11-23 10:05:00.000", "3", "412.0", "520.25"))
            .build()
    });
    let src = source(Rules {
        lambda: vec![&get],
        logs: vec![&start, &results],
        ..Default::default()
    });
    let q = |function: &str, metric, stat| MetricQuery {
        function: function.into(),
        metric,
        stat,
    };
    let window = TimeWindow::new(1_795_428_000_000, 1_795_429_800_000);
    let req = MetricRequest {
        queries: vec![
            q("orders", Metric::ColdStarts, Statistic::Sum),
            q("orders", Metric::InitDuration, Statistic::P95),
        ],
        window,
        period_s: 300,
    };
    let series = src.metrics(&req).await.expect("metrics");
    assert_eq!(start.num_calls(), 1, "one Insights query per function");
    let values = |i: usize| {
        series[i]
            .points
            .iter()
            .map(|p| (p.t, p.v))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        values(0),
        [(1_795_428_300_000, 3.0), (1_795_428_600_000, 1.0)]
    );
    assert_eq!(
        values(1),
        [(1_795_428_300_000, 520.25), (1_795_428_600_000, 350.5)]
    );

    // The functions list asks for many rows at once: no Insights bill for that.
    let many = MetricRequest {
        queries: (0..4)
            .map(|i| q(&format!("f{i}"), Metric::ColdStarts, Statistic::Sum))
            .collect(),
        window,
        period_s: 300,
    };
    let series = src.metrics(&many).await.expect("metrics");
    assert!(series.iter().all(|s| {
        s.unavailable
            .as_deref()
            .is_some_and(|r| r.contains("Logs Insights"))
    }));
    assert_eq!(start.num_calls(), 1);
}

fn complete(
    rows: Vec<Vec<(&str, &str)>>,
    bytes: f64,
    matched: f64,
) -> aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput {
    use aws_sdk_cloudwatchlogs::types::{QueryStatistics, QueryStatus, ResultField};
    let mut out =
        aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput::builder()
            .status(QueryStatus::Complete)
            .statistics(
                QueryStatistics::builder()
                    .bytes_scanned(bytes)
                    .records_matched(matched)
                    .build(),
            );
    for row in rows {
        out = out.results(
            row.into_iter()
                .map(|(f, v)| ResultField::builder().field(f).value(v).build())
                .collect(),
        );
    }
    out.build()
}

fn get_function_with(layers: &'static [&'static str], group: Option<&'static str>) -> Rule {
    mock!(aws_sdk_lambda::Client::get_function).then_output(move || {
        let mut conf = FunctionConfiguration::builder().function_name("orders");
        for l in layers {
            conf = conf.layers(aws_sdk_lambda::types::Layer::builder().arn(*l).build());
        }
        if let Some(g) = group {
            conf = conf.logging_config(
                aws_sdk_lambda::types::LoggingConfig::builder()
                    .log_group(g)
                    .build(),
            );
        }
        aws_sdk_lambda::operation::get_function::GetFunctionOutput::builder()
            .configuration(conf.build())
            .build()
    })
}

fn cold_query(window: TimeWindow) -> lambdascope::domain::ColdStartQuery {
    lambdascope::domain::ColdStartQuery {
        function: "orders".into(),
        window,
        period_s: 300,
    }
}

#[tokio::test]
async fn cold_starts_are_listed_from_report_lines_with_restores_and_cost() {
    use lambdascope::domain::ColdStartSource;
    let get = get_function_with(&[], Some("/shared/api"));
    let start = mock!(aws_sdk_cloudwatchlogs::Client::start_query)
        .match_requests(|req| {
            req.log_group_names() == ["/shared/api"]
                && req.query_string().is_some_and(|q| {
                    q.contains("Restore Duration")
                        && q.contains(r"\/orders\[/")
                        && q.contains("sort @timestamp desc | limit 10000")
                })
        })
        .then_output(|| {
            aws_sdk_cloudwatchlogs::operation::start_query::StartQueryOutput::builder()
                .query_id("q-9")
                .build()
        });
    let results = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results).then_output(|| {
        complete(
            vec![
                vec![
                    ("@timestamp", "2026-11-23 10:20:01.000"),
                    ("restoreMs", "511.25"),
                    ("runMs", "488.75"),
                ],
                vec![
                    ("@timestamp", "2026-11-23 10:10:02.000"),
                    ("initMs", "1500"),
                    ("runMs", "500"),
                ],
            ],
            3e9,
            2.0,
        )
    });
    let src = source(Rules {
        lambda: vec![&get],
        logs: vec![&start, &results],
        ..Default::default()
    });
    let window = TimeWindow::new(1_795_428_000_000, 1_795_429_800_000);
    let data = src
        .cold_starts(&cold_query(window))
        .await
        .expect("cold starts");
    let starts = data.starts.expect("each cold start");
    assert_eq!(starts.len(), 2);
    assert_eq!(
        starts[0].t, 1_795_428_600_000,
        "arrival: 2 s before its REPORT"
    );
    assert!(starts[1].restore, "a SnapStart restore is a cold start");
    assert_eq!(data.complete_from, window.start);
    match data.source {
        ColdStartSource::LogsInsights {
            bytes_scanned,
            usd,
            matched,
        } => {
            assert_eq!((bytes_scanned, matched), (3e9, Some(2)));
            assert!((usd - 0.015).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(start.num_calls(), 1);
}

#[tokio::test]
async fn insights_rows_without_fields_are_not_zero_cold_starts() {
    // What a third-party emulator answers: rows that carry only @ptr (dropped) or raw events.
    let get = get_function_with(&[], None);
    let start = started_query();
    let results = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results)
        .then_output(|| complete(vec![vec![("@ptr", "x")], vec![("@ptr", "y")]], 1e6, 5.0));
    let src = source(Rules {
        lambda: vec![&get],
        logs: vec![&start, &results],
        ..Default::default()
    });
    let window = TimeWindow::new(1_795_428_000_000, 1_795_429_800_000);
    let err = src.cold_starts(&cold_query(window)).await.unwrap_err();
    assert!(
        err.to_string().contains("did not run the query as written"),
        "{err}"
    );
    // The same for the charts' series: n/a with the reason, not a flat zero.
    let req = MetricRequest {
        queries: vec![MetricQuery {
            function: "orders".into(),
            metric: Metric::ColdStarts,
            stat: Statistic::Sum,
        }],
        window,
        period_s: 300,
    };
    let series = src.metrics(&req).await.expect("metrics");
    let why = series[0].unavailable.as_deref().expect("n/a");
    assert!(why.contains("did not run the query as written"), "{why}");
    assert!(series[0].points.is_empty());
}

#[tokio::test]
async fn cold_starts_come_from_lambda_insights_when_the_function_has_the_extension() {
    use lambdascope::domain::ColdStartSource;
    let get = get_function_with(
        &["arn:aws:lambda:eu-west-1:580247275435:layer:LambdaInsightsExtension:53"],
        None,
    );
    let gmd = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(|req| {
            req.metric_data_queries().iter().all(|q| {
                let m = q.metric_stat().and_then(|s| s.metric());
                m.and_then(|m| m.namespace()) == Some("LambdaInsights")
                    && m.and_then(|m| m.metric_name()) == Some("init_duration")
                    && m.map(|m| m.dimensions()).is_some_and(|d| {
                        d.len() == 1
                            && d[0].name() == Some("function_name")
                            && d[0].value() == Some("orders")
                    })
            })
        })
        .then_compute_output(|req| {
            let whole = req.metric_data_queries()[0]
                .metric_stat()
                .and_then(|s| s.period())
                == Some(1800);
            let results = req
                .metric_data_queries()
                .iter()
                .map(|q| {
                    let stat = q.metric_stat().and_then(|s| s.stat()).unwrap_or_default();
                    let (ts, v) = match (whole, stat) {
                        (true, _) => (1_795_428_000, 400.0),
                        (false, "SampleCount") => (1_795_428_300, 4.0),
                        (false, _) => (1_795_428_300, 700.0),
                    };
                    MetricDataResult::builder()
                        .id(q.id().unwrap_or_default())
                        .timestamps(DateTime::from_secs(ts))
                        .values(v)
                        .build()
                })
                .collect();
            aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput::builder()
                .set_metric_data_results(Some(results))
                .build()
        });
    let start = started_query();
    let src = source(Rules {
        lambda: vec![&get],
        cloudwatch: vec![&gmd],
        logs: vec![&start],
        ..Default::default()
    });
    let window = TimeWindow::new(1_795_428_000_000, 1_795_429_800_000);
    let data = src
        .cold_starts(&cold_query(window))
        .await
        .expect("cold starts");
    assert_eq!(data.source, ColdStartSource::LambdaInsights);
    assert_eq!(start.num_calls(), 0, "no logs scanned");
    assert_eq!(gmd.num_calls(), 2, "per period, and the whole window");
    let plan = lambdascope::domain::MetricPlan::new(window, 300, window.end);
    let a = lambdascope::domain::ColdStartAnalysis::new(&data, plan, None, &[], window.end);
    assert_eq!(a.total, 4);
    assert_eq!(a.count[1], Some(4.0));
    assert_eq!(a.init_p99[1], Some(700.0));
    assert_eq!(a.p50, Some(400.0));
}

#[tokio::test]
async fn account_settings_and_the_function_details() {
    let settings = mock!(aws_sdk_lambda::Client::get_account_settings).then_output(|| {
        aws_sdk_lambda::operation::get_account_settings::GetAccountSettingsOutput::builder()
            .account_limit(
                aws_sdk_lambda::types::AccountLimit::builder()
                    .concurrent_executions(1000)
                    .unreserved_concurrent_executions(900)
                    .total_code_size(80_530_636_800)
                    .build(),
            )
            .account_usage(
                aws_sdk_lambda::types::AccountUsage::builder()
                    .function_count(42)
                    .total_code_size(123_456)
                    .build(),
            )
            .build()
    });
    let get = get_function_with(&[], None);
    let versions = mock!(aws_sdk_lambda::Client::list_versions_by_function).then_output(|| {
        let v = |version: &str, at: &str| {
            FunctionConfiguration::builder()
                .function_name("orders")
                .version(version)
                .last_modified(at)
                .build()
        };
        aws_sdk_lambda::operation::list_versions_by_function::ListVersionsByFunctionOutput::builder(
        )
        .versions(v("$LATEST", "2026-11-23T10:00:00.000+0000"))
        .versions(v("2", "2026-11-22T10:00:00.000+0000"))
        .versions(v("1", "2026-11-20T10:00:00.000+0000"))
        .build()
    });
    let esm = mock!(aws_sdk_lambda::Client::list_event_source_mappings).then_output(|| {
        aws_sdk_lambda::operation::list_event_source_mappings::ListEventSourceMappingsOutput::builder()
            .event_source_mappings(
                aws_sdk_lambda::types::EventSourceMappingConfiguration::builder()
                    .event_source_arn("arn:aws:sqs:eu-west-1:1:orders-queue")
                    .state("Enabled")
                    .batch_size(10)
                    .build(),
            )
            .build()
    });
    let denied = mock!(aws_sdk_lambda::Client::list_provisioned_concurrency_configs)
        .then_http_response(|| {
            json_error(
                403,
                "AccessDeniedException",
                "not authorized to perform: lambda:ListProvisionedConcurrencyConfigs",
                None,
            )
        });
    let src = source(Rules {
        lambda: vec![&settings, &get, &versions, &esm, &denied],
        ..Default::default()
    });
    let a = src.account_settings().await.expect("GetAccountSettings");
    assert_eq!(
        (
            a.concurrency_limit,
            a.unreserved_concurrency,
            a.function_count
        ),
        (Some(1000), Some(900), Some(42))
    );
    let f = src
        .function("orders")
        .await
        .expect("the function, with what could be had");
    assert_eq!(
        f.deploys
            .iter()
            .map(|d| d.version.as_str())
            .collect::<Vec<_>>(),
        ["1", "2"],
        "published versions, oldest first; $LATEST is last_modified"
    );
    let es = f.event_sources.expect("event sources");
    assert_eq!(es[0].label(), "SQS orders-queue");
    assert_eq!(f.provisioned, None, "unknown, not none");
    assert!(
        f.detail_errors
            .iter()
            .any(|e| e.contains("provisioned concurrency")
                && e.contains("lambda:ListProvisionedConcurrencyConfigs")),
        "{:?}",
        f.detail_errors
    );
}

/// A function whose versions fill `pages` pages, one a day from Nov 1 (`$LATEST` first): the
/// deploys read, and the ListVersionsByFunction calls made.
async fn deploys_over(pages: usize) -> (Vec<String>, usize) {
    let get = get_function_with(&[], None);
    let versions = mock!(aws_sdk_lambda::Client::list_versions_by_function).then_compute_output(
        move |req| {
            let v = |version: &str, day: usize| {
                FunctionConfiguration::builder()
                    .function_name("orders")
                    .version(version)
                    .last_modified(format!("2026-11-{day:02}T10:00:00.000+0000"))
                    .build()
            };
            let page: usize = req
                .marker()
                .and_then(|m| m.strip_prefix('p')?.parse().ok())
                .unwrap_or(1);
            let mut out = aws_sdk_lambda::operation::list_versions_by_function::ListVersionsByFunctionOutput::builder()
                .versions(v(&page.to_string(), page))
                .set_next_marker((page < pages).then(|| format!("p{}", page + 1)));
            if page == 1 {
                out = out.versions(v("$LATEST", 30));
            }
            out.build()
        },
    );
    let esm = mock!(aws_sdk_lambda::Client::list_event_source_mappings).then_output(|| {
        aws_sdk_lambda::operation::list_event_source_mappings::ListEventSourceMappingsOutput::builder()
            .build()
    });
    let provisioned = mock!(aws_sdk_lambda::Client::list_provisioned_concurrency_configs)
        .then_output(|| {
            aws_sdk_lambda::operation::list_provisioned_concurrency_configs::ListProvisionedConcurrencyConfigsOutput::builder()
                .build()
        });
    let src = source(Rules {
        lambda: vec![&get, &versions, &esm, &provisioned],
        ..Default::default()
    });
    let f = src.function("orders").await.expect("the function");
    assert_eq!(f.detail_errors, Vec::<String>::new());
    let deploys = f.deploys.into_iter().map(|d| d.version).collect();
    (deploys, versions.num_calls())
}

/// ListVersionsByFunction lists oldest first: the newest deploy is on the last page, so every
/// page is read, for a function deployed on every commit too.
#[tokio::test]
async fn the_newest_version_on_the_last_page_is_a_deploy() {
    for pages in [2, 30] {
        let (deploys, calls) = deploys_over(pages).await;
        assert_eq!(calls, pages);
        let expected: Vec<String> = (1..=pages).map(|n| n.to_string()).collect();
        assert_eq!(deploys, expected, "{pages} pages");
    }
}

/// The README's IAM policy lists exactly the actions the code can call.
#[test]
fn the_readme_iam_policy_matches_the_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find("\"Action\": [")
        .expect("the README has an IAM policy");
    let end = start + readme[start..].find(']').expect("the action list ends");
    let listed: Vec<&str> = readme[start..end]
        .split('"')
        .filter(|s| s.contains(':') && !s.contains(' '))
        .collect();
    assert_eq!(
        listed,
        lambdascope::source::aws::IAM_ACTIONS,
        "README policy vs IAM_ACTIONS"
    );
}

/// A group busier than a page: 60 events, one a second over the last minute, served three a
/// page (as 1 MB pages of big events would be), the token being the offset.
fn busy_group(t_end: i64) -> Rule {
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
    use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
    let events: Vec<i64> = (0..60).map(|i| t_end - 60_000 + 1000 * i).collect();
    mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events).then_compute_output(move |req| {
        let (start, end) = (
            req.start_time().unwrap_or(0),
            req.end_time().unwrap_or(i64::MAX),
        );
        let inside: Vec<i64> = events
            .iter()
            .copied()
            .filter(|t| *t >= start && *t <= end)
            .collect();
        let skip: usize = req.next_token().and_then(|t| t.parse().ok()).unwrap_or(0);
        let take = (req.limit().unwrap_or(10_000) as usize).min(3);
        let page: Vec<FilteredLogEvent> = inside
            .iter()
            .skip(skip)
            .take(take)
            .map(|t| {
                FilteredLogEvent::builder()
                    .timestamp(*t)
                    .ingestion_time(*t)
                    .log_stream_name("s")
                    .message(format!("event at {t}"))
                    .event_id(format!("aws-{t}"))
                    .build()
            })
            .collect();
        let next = (skip + take < inside.len()).then(|| (skip + take).to_string());
        FilterLogEventsOutput::builder()
            .set_events(Some(page))
            .set_next_token(next)
            .build()
    })
}

#[tokio::test]
async fn newest_first_reads_the_newest_events_of_a_group_busier_than_the_page_cap() {
    let t_end = 1_795_442_400_000;
    let rule = busy_group(t_end);
    let src = source(Rules {
        logs: vec![&rule],
        ..Default::default()
    });
    let mut q = LogQuery {
        log_groups: vec!["/aws/lambda/busy".into()],
        window: TimeWindow::new(t_end - HOUR_MS, t_end),
        filter_pattern: String::new(),
        limit: 20,
        newest_first: true,
        next_token: None,
    };
    // Page back through the whole minute: the newest event first, nothing skipped, nothing twice.
    let mut seen: Vec<i64> = Vec::new();
    for _ in 0..100 {
        let page = src.logs(&q).await.expect("page");
        assert!(page.gaps.is_empty(), "{:?}", page.gaps);
        assert!(page.events.len() <= 20);
        let mut ts: Vec<i64> = page.events.iter().map(|e| e.timestamp).collect();
        if seen.is_empty() {
            assert_eq!(
                ts.last(),
                Some(&(t_end - 1000)),
                "the first page holds the newest event"
            );
        }
        ts.reverse();
        seen.extend(ts);
        match page.next_token {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
    }
    let want: Vec<i64> = (0..60).rev().map(|i| t_end - 60_000 + 1000 * i).collect();
    assert_eq!(seen, want);
}

#[tokio::test]
async fn a_span_too_busy_to_narrow_is_reported_as_a_gap() {
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
    use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
    let t_end = 1_795_442_400_000;
    // Every page has events and a token, whatever the span: more than can ever be read.
    let endless =
        mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events).then_compute_output(move |req| {
            let start = req.start_time().unwrap_or(0);
            FilterLogEventsOutput::builder()
                .events(
                    FilteredLogEvent::builder()
                        .timestamp(start)
                        .log_stream_name("s")
                        .message("x")
                        .build(),
                )
                .next_token(format!("{}+", req.next_token().unwrap_or("more")))
                .build()
        });
    let src = source(Rules {
        logs: vec![&endless],
        ..Default::default()
    })
    .with_log_limits(lambdascope::source::aws::LogLimits {
        pages_per_read: 2,
        ..Default::default()
    });
    let page = src
        .logs(&LogQuery {
            log_groups: vec!["/aws/lambda/flood".into()],
            window: TimeWindow::new(t_end - HOUR_MS, t_end),
            filter_pattern: String::new(),
            limit: 10,
            newest_first: true,
            next_token: None,
        })
        .await
        .expect("page");
    assert_eq!(page.gaps.len(), 1, "{page:?}");
    assert_eq!(page.gaps[0].end, t_end);
    assert!(page.gaps[0].len_ms() <= 1_000);
    assert!(page.next_token.is_some(), "older events can still be read");
}

#[tokio::test]
async fn one_event_has_one_id_whichever_api_read_it() {
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
    use aws_sdk_cloudwatchlogs::operation::get_log_events::GetLogEventsOutput;
    use aws_sdk_cloudwatchlogs::types::{FilteredLogEvent, OutputLogEvent};
    let filtered = mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events).then_output(|| {
        FilterLogEventsOutput::builder()
            .events(
                FilteredLogEvent::builder()
                    .timestamp(5)
                    .ingestion_time(6)
                    .log_stream_name("s")
                    .message("START RequestId: r")
                    .event_id("37000000000000000000000000000000000000000000000000000000")
                    .build(),
            )
            .build()
    });
    let stream = mock!(aws_sdk_cloudwatchlogs::Client::get_log_events).then_output(|| {
        GetLogEventsOutput::builder()
            .events(
                OutputLogEvent::builder()
                    .timestamp(5)
                    .ingestion_time(6)
                    .message("START RequestId: r")
                    .build(),
            )
            .next_forward_token("f/1")
            .build()
    });
    let src = source(Rules {
        logs: vec![&filtered, &stream],
        ..Default::default()
    });
    let window = TimeWindow::new(0, HOUR_MS);
    let a = src
        .logs(&LogQuery {
            log_groups: vec!["g".into()],
            window,
            filter_pattern: String::new(),
            limit: 10,
            newest_first: false,
            next_token: None,
        })
        .await
        .expect("filter");
    let b = src
        .stream_events(&lambdascope::domain::StreamQuery {
            log_group: "g".into(),
            log_stream: "s".into(),
            window,
            limit: 10,
            next_token: None,
        })
        .await
        .expect("stream");
    assert_eq!(a.events[0].event_id, b.events[0].event_id);
    // And Live Tail's path builds it the same way.
    let live = lambdascope::domain::LogEvent::new(
        "g".into(),
        "s".into(),
        5,
        6,
        "START RequestId: r".into(),
    );
    assert_eq!(live.event_id, a.events[0].event_id);
}

/// DescribeAlarms: both alarm types asked for on every page, metric and composite alarms
/// mapped, a metric-math alarm's watched function found in its queries, and an alarm with
/// nothing but a name still listed, with nothing invented.
#[tokio::test]
async fn alarms_are_every_page_of_metric_and_composite_alarms_parsed_defensively() {
    use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
    use aws_sdk_cloudwatch::types::{
        AlarmType, ComparisonOperator, CompositeAlarm, Dimension, MetricAlarm, MetricDataQuery,
        MetricStat, StateValue, Statistic as CwStatistic,
    };
    use lambdascope::domain::{AlarmKind, AlarmState, Watched};

    let asked_types = Arc::new(Mutex::new(Vec::new()));
    let seen = asked_types.clone();
    let pages =
        mock!(aws_sdk_cloudwatch::Client::describe_alarms).then_compute_output(move |req| {
            seen.lock().unwrap().push(req.alarm_types().to_vec());
            let at = |s: i64| DateTime::from_secs(s);
            match req.next_token() {
                None => DescribeAlarmsOutput::builder()
                    .metric_alarms(
                        MetricAlarm::builder()
                            .alarm_name("orders-errors")
                            .state_value(StateValue::Alarm)
                            .state_reason("Threshold Crossed: 2 out of the last 2 datapoints")
                            .state_updated_timestamp(at(1_800_000_900))
                            .state_transitioned_timestamp(at(1_800_000_000))
                            .namespace("AWS/Lambda")
                            .metric_name("Errors")
                            .statistic(CwStatistic::Sum)
                            .dimensions(
                                Dimension::builder()
                                    .name("FunctionName")
                                    .value("orders-api-create")
                                    .build(),
                            )
                            .period(60)
                            .evaluation_periods(2)
                            .threshold(5.0)
                            .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
                            .build(),
                    )
                    .composite_alarms(
                        CompositeAlarm::builder()
                            .alarm_name("checkout-degraded")
                            .alarm_rule("ALARM(\"orders-errors\") OR ALARM(\"api-5xx\")")
                            .state_value(StateValue::from("SILENCED"))
                            // No transition time: the last update stands in.
                            .state_updated_timestamp(at(1_800_000_300))
                            .build(),
                    )
                    .next_token("t1")
                    .build(),
                Some(_) => DescribeAlarmsOutput::builder()
                    // Nothing but a name.
                    .metric_alarms(MetricAlarm::builder().alarm_name("bare").build())
                    // A metric-math error rate on a function, with a p99 on another.
                    .metric_alarms(
                        MetricAlarm::builder()
                            .alarm_name("error-rate")
                            .state_value(StateValue::Ok)
                            .metrics(
                                MetricDataQuery::builder()
                                    .id("e")
                                    .return_data(false)
                                    .metric_stat(
                                        MetricStat::builder()
                                            .metric(
                                                aws_sdk_cloudwatch::types::Metric::builder()
                                                    .namespace("AWS/Lambda")
                                                    .metric_name("Errors")
                                                    .dimensions(
                                                        Dimension::builder()
                                                            .name("FunctionName")
                                                            .value("payments-webhook")
                                                            .build(),
                                                    )
                                                    .build(),
                                            )
                                            .period(300)
                                            .stat("Sum")
                                            .build(),
                                    )
                                    .build(),
                            )
                            .metrics(
                                MetricDataQuery::builder()
                                    .id("rate")
                                    .expression("100*e/i")
                                    .return_data(true)
                                    .build(),
                            )
                            .evaluation_periods(3)
                            .datapoints_to_alarm(2)
                            .threshold(1.0)
                            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
                            .build(),
                    )
                    .metric_alarms(
                        MetricAlarm::builder()
                            .alarm_name("dlq")
                            .state_value(StateValue::InsufficientData)
                            .namespace("AWS/SQS")
                            .metric_name("ApproximateNumberOfMessagesVisible")
                            .extended_statistic("p99")
                            .dimensions(
                                Dimension::builder()
                                    .name("QueueName")
                                    .value("q-dlq")
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            }
        });
    let src = source(Rules {
        cloudwatch: vec![&pages],
        ..Default::default()
    });
    let alarms = src.alarms().await.expect("DescribeAlarms");
    assert_eq!(pages.num_calls(), 2, "the second page was read");
    for types in asked_types.lock().unwrap().iter() {
        assert!(
            types.contains(&AlarmType::MetricAlarm) && types.contains(&AlarmType::CompositeAlarm),
            "without AlarmTypes composites are left out: {types:?}"
        );
    }
    let by = |name: &str| alarms.iter().find(|a| a.name == name).expect(name);
    assert_eq!(alarms.len(), 5);

    let errors = by("orders-errors");
    assert_eq!(errors.state, AlarmState::Alarm);
    assert_eq!(
        errors.state_since,
        Some(1_800_000_000_000),
        "the transition, not the update"
    );
    assert_eq!(
        errors.watched,
        Watched::Function("orders-api-create".into())
    );
    assert_eq!(errors.condition(), "Errors ≥ 5 for 2×60s");
    assert_eq!(errors.metric_label(), "AWS/Lambda/Errors Sum");

    let composite = by("checkout-degraded");
    assert_eq!(composite.kind, AlarmKind::Composite);
    assert_eq!(
        composite.state,
        AlarmState::Other("SILENCED".into()),
        "shown as it is"
    );
    assert_eq!(composite.state_since, Some(1_800_000_300_000));
    assert_eq!(
        composite.rule.as_deref(),
        Some("ALARM(\"orders-errors\") OR ALARM(\"api-5xx\")")
    );
    assert_eq!(composite.watched, Watched::Nothing);

    let bare = by("bare");
    assert_eq!(bare.state_since, None);
    assert_eq!(bare.reason, "");
    assert_eq!((bare.threshold, bare.period_s), (None, None));
    assert_eq!(bare.watched, Watched::Nothing);
    assert_eq!(bare.metric_label(), "—");

    let rate = by("error-rate");
    assert_eq!(rate.expression.as_deref(), Some("100*e/i"));
    assert_eq!(rate.watched, Watched::Function("payments-webhook".into()));
    assert_eq!(rate.period_s, Some(300), "from the metric it reads");
    assert_eq!(rate.condition(), "expr > 1 for 2 of 3×5m");

    let dlq = by("dlq");
    assert_eq!(dlq.state, AlarmState::InsufficientData);
    assert_eq!(dlq.statistic.as_deref(), Some("p99"));
    assert_eq!(dlq.watched, Watched::Queue("q-dlq".into()));
    assert_eq!(dlq.condition(), "ApproximateNumberOfMessagesVisible");
}

#[tokio::test]
async fn describe_alarms_denied_names_its_action() {
    let denied = mock!(aws_sdk_cloudwatch::Client::describe_alarms).then_error(|| {
        aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("AccessDenied")
                .message("User is not authorized to perform: cloudwatch:DescribeAlarms")
                .build(),
        )
    });
    let src = source(Rules {
        cloudwatch: vec![&denied],
        ..Default::default()
    });
    assert_eq!(
        src.alarms().await.expect_err("denied"),
        SourceError::AccessDenied {
            action: "cloudwatch:DescribeAlarms".into()
        }
    );
}
