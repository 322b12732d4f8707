//! What the emulator cannot serve, with aws-smithy-mocks: real pagination, percentiles refused by
//! the service, X-Ray filter expressions and time chunks, the service graph, throttling with
//! Retry-After, AccessDenied and expired credentials. Error responses are replayed HTTP bodies in
//! the shape AWS documents for each protocol.
#![cfg(feature = "aws")]

use std::time::Duration;

use aws_sdk_cloudwatch::types::MetricDataResult;
use aws_sdk_lambda::types::FunctionConfiguration;
use aws_sdk_xray::types::{
    Edge, EdgeStatistics, ErrorStatistics, FaultStatistics, Service, ServiceStatistics,
    TraceSummary,
};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::DateTime;
use aws_smithy_types::body::SdkBody;
use lambdascope::domain::{
    HOUR_MS, LogQuery, Metric, MetricQuery, MetricRequest, SourceError, Statistic, TimeWindow,
    TraceQuery,
};
use lambdascope::source::aws::{AwsClients, AwsSource, RetryPolicy};

/// A client of `$krate` answered only by `$rules`; SDK retries off (the source retries itself).
macro_rules! mocked {
    ($krate:ident, $rules:expr) => {{
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        let conf = $krate::Config::builder()
            .behavior_version($krate::config::BehaviorVersion::latest())
            .region($krate::config::Region::new("eu-west-1"))
            .credentials_provider($krate::config::Credentials::new(
                "a", "b", None, None, "mock",
            ))
            .retry_config($krate::config::retry::RetryConfig::disabled())
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        $krate::Client::from_conf(conf)
    }};
}

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

#[tokio::test]
async fn a_refused_percentile_degrades_only_its_series_and_pages_are_merged() {
    let has_percentile =
        |req: &aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataInput| {
            req.metric_data_queries().iter().any(|q| {
                q.metric_stat()
                    .and_then(|s| s.stat())
                    .is_some_and(|s| s.starts_with('p'))
            })
        };
    let refuse = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
        .match_requests(move |req| has_percentile(req))
        .then_error(|| {
            aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataError::generic(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("InvalidParameterValue")
                    .message("The value p95 for parameter Stat is not supported.")
                    .build(),
            )
        });
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
    let q = |stat| MetricQuery {
        function: "orders".into(),
        metric: Metric::Duration,
        stat,
    };
    let req = MetricRequest {
        queries: vec![
            q(Statistic::Sum),
            q(Statistic::P95),
            q(Statistic::Max),
            q(Statistic::P99),
        ],
        window: TimeWindow::last(HOUR_MS, 1_800_003_600_000),
        period_s: 60,
    };
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
    let sums = src.trace_summaries(&q).await.expect("summaries");
    assert_eq!(rule.num_calls(), 3, "14 hours = 6 + 6 + 2");
    assert_eq!(sums.len(), 3);
    // Newest chunk first; the start comes from the trace id when no StartTime is given.
    assert_eq!(sums[0].start, end - 6 * HOUR_MS);
    assert!(
        sums.iter()
            .all(|s| s.has_fault && s.http_status == Some(502))
    );
    let limited = src
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
    let ids: Vec<String> = (0..12).map(|i| format!("1-5759e988-{i:024x}")).collect();
    let traces = src.traces(&ids).await.expect("traces");
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(traces.len(), 12);
    assert!(
        traces
            .iter()
            .all(|t| t.roots.len() == 1 && t.roots[0].name == "root" && t.duration_ms == 1500.0)
    );
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

#[tokio::test]
async fn endless_throttling_gives_up_with_a_throttled_error() {
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
    assert_eq!(
        rule.num_calls(),
        RetryPolicy::default().throttle_attempts as usize
    );
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

#[tokio::test]
async fn an_abandoned_insights_query_is_stopped() {
    let start = started_query();
    let running = mock!(aws_sdk_cloudwatchlogs::Client::get_query_results)
        .sequence()
        .output(|| {
            aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput::builder()
                .status(aws_sdk_cloudwatchlogs::types::QueryStatus::Running)
                .build()
        })
        .repeatedly()
        .build();
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
                && req
                    .query_string()
                    .is_some_and(|q| q.contains("pct(init, 95) as p950") && q.contains("bin(300s)"))
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
