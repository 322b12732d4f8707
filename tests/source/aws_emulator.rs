//! The AWS backend against moto 5.2.5 (+ the shim) on 127.0.0.1, started and seeded by the harness.
#![cfg(feature = "aws")]

use crate::common;
use common::emulator;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use lambdascope::domain::{
    HOUR_MS, LogFormat, LogQuery, MINUTE_MS, Metric, MetricQuery, MetricRequest, SourceError,
    SourceInfo, Statistic, TailRequest, TailUpdate, TimeWindow, TraceQuery, TracingMode,
};
use lambdascope::source::TailStream;
use lambdascope::source::aws::{AwsOptions, AwsSource, RetryPolicy};

use emulator::{
    big_account, calls_seen, control, emulator, private_shim, put_logs, source, source_at,
};

/// Guards every wait on the emulator; reaching it is a failure, not a timing assertion.
const PATIENCE: Duration = Duration::from_secs(90);

fn last_hour(now: i64) -> TimeWindow {
    TimeWindow::last(2 * HOUR_MS, now + MINUTE_MS)
}

#[tokio::test]
async fn lists_and_describes_the_seeded_functions() {
    let src = source().await;
    let fns = src.list_functions().await.expect("list_functions");
    let names: Vec<&str> = fns.iter().map(|f| f.name.as_str()).collect();
    for want in [
        "orders-api-create",
        "orders-api-get",
        "payments-webhook",
        "inventory-sync",
        "thumbnail-resize",
        "email-sender",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let create = fns.iter().find(|f| f.name == "orders-api-create").unwrap();
    assert_eq!(create.runtime.as_deref(), Some("python3.12"));
    assert_eq!((create.memory_mb, create.timeout_s), (512, 10));
    assert_eq!(create.tracing, TracingMode::Active);
    assert_eq!(create.log_group, "/aws/lambda/orders-api-create");
    assert_eq!(create.log_format, LogFormat::Text);
    // moto's `2026-11-22T12:50:39.645131000Z` spelling parses.
    assert!(
        (create.last_modified - emulator().seeded_at).abs() < HOUR_MS,
        "{}",
        create.last_modified
    );

    // The account comes from the first ARN; no STS call.
    let SourceInfo::Aws {
        account,
        region,
        endpoint,
        ..
    } = src.info()
    else {
        panic!("not aws")
    };
    assert_eq!(account.as_deref(), Some("123456789012"));
    assert_eq!(region, "us-east-1");
    assert_eq!(endpoint.as_deref(), Some(emulator().endpoint.as_str()));

    let one = src.function("inventory-sync").await.expect("GetFunction");
    assert_eq!(one.runtime.as_deref(), Some("java21"));
    assert_eq!(one.tracing, TracingMode::PassThrough);
    assert_eq!(one.state.as_deref(), Some("Active"));
    assert!(
        matches!(src.function("no-such-function").await, Err(SourceError::NotFound(m)) if m.contains("no-such-function"))
    );
}

fn query(groups: &[&str], window: TimeWindow, limit: usize) -> LogQuery {
    LogQuery {
        log_groups: groups.iter().map(|g| g.to_string()).collect(),
        window,
        filter_pattern: String::new(),
        limit,
        newest_first: false,
        next_token: None,
    }
}

/// Pages through a query; returns every event in delivery order and the number of pages.
async fn all_pages(
    src: &AwsSource,
    mut q: LogQuery,
) -> (Vec<lambdascope::domain::LogEvent>, usize) {
    let (mut events, mut pages) = (Vec::new(), 0);
    loop {
        let page = src.logs(&q).await.expect("logs page");
        assert!(page.events.len() <= q.limit, "page over the limit");
        assert!(
            page.events
                .windows(2)
                .all(|w| w[0].timestamp <= w[1].timestamp),
            "page not ascending"
        );
        events.extend(page.events);
        pages += 1;
        match page.next_token {
            Some(t) => q.next_token = Some(t),
            None => return (events, pages),
        }
        assert!(pages < 100, "paging does not end");
    }
}

#[tokio::test]
async fn logs_page_through_one_and_several_groups() {
    let src = source().await;
    let window = last_hour(src.now());
    // 40 invocations x 4 lines per seeded group.
    let (one, pages) = all_pages(&src, query(&["/aws/lambda/orders-api-create"], window, 25)).await;
    assert_eq!(one.len(), 160);
    assert_eq!(pages, 7);
    assert!(one.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
    let ids: std::collections::HashSet<_> = one.iter().map(|e| &e.event_id).collect();
    assert_eq!(ids.len(), 160, "an event came twice");

    let groups = [
        "/aws/lambda/orders-api-create",
        "/aws/lambda/orders-api-get",
        "/aws/lambda/payments-webhook",
    ];
    let (all, _) = all_pages(&src, query(&groups, window, 50)).await;
    assert_eq!(all.len(), 480);
    assert!(
        all.windows(2).all(|w| w[0].timestamp <= w[1].timestamp),
        "merge is not by time"
    );
    let per_group = all.iter().fold(HashMap::new(), |mut m, e| {
        *m.entry(e.log_group.as_str()).or_insert(0) += 1;
        m
    });
    assert!(per_group.values().all(|&n| n == 160), "{per_group:?}");

    // Newest first: the last 10 events, still ascending, then older pages.
    let mut newest = query(&["/aws/lambda/orders-api-create"], window, 10);
    newest.newest_first = true;
    let page = src.logs(&newest).await.expect("newest page");
    assert_eq!(page.events, one[150..].to_vec());
    newest.next_token = page.next_token;
    let older = src.logs(&newest).await.expect("older page");
    assert_eq!(older.events, one[140..150].to_vec());
}

#[tokio::test]
async fn filter_patterns_reach_the_service() {
    let src = source().await;
    let mut q = query(&["/aws/lambda/orders-api-get"], last_hour(src.now()), 100);
    q.filter_pattern = "REPORT".into();
    let (reports, _) = all_pages(&src, q.clone()).await;
    assert_eq!(reports.len(), 40);
    assert!(
        reports
            .iter()
            .all(|e| e.message.starts_with("REPORT RequestId: ")
                && e.message.contains("\nXRAY TraceId: 1-"))
    );
    q.filter_pattern = "\"Init Duration\"".into();
    let (cold, _) = all_pages(&src, q).await;
    assert_eq!(cold.len(), 4, "cold starts are every 10th invocation");
}

fn mq(function: &str, metric: Metric, stat: Statistic) -> MetricQuery {
    MetricQuery {
        function: function.into(),
        metric,
        stat,
    }
}

#[tokio::test]
async fn metrics_through_the_cbor_shim_degrade_one_series_at_a_time() {
    let shim = private_shim();
    let src = source_at(&shim, "us-east-1").await;
    let req = MetricRequest {
        queries: vec![
            mq("orders-api-create", Metric::Invocations, Statistic::Sum),
            mq("orders-api-create", Metric::Duration, Statistic::Max),
            mq("orders-api-create", Metric::Duration, Statistic::P95),
            mq("orders-api-create", Metric::ColdStarts, Statistic::Sum),
            mq("orders-api-get", Metric::Errors, Statistic::Sum),
        ],
        window: last_hour(src.now()),
        period_s: 60,
    };
    let series = src.metrics(&req).await.expect("metrics");
    assert_eq!(series.len(), 5);
    assert_eq!(series[0].unavailable, None);
    assert_eq!(
        series[0].total(),
        300.0,
        "10 invocations a minute for 30 minutes"
    );
    assert_eq!(series[0].points.len(), 30);
    assert!(series[0].points.windows(2).all(|w| w[0].t < w[1].t));
    let max = series[1].max().expect("duration max");
    assert!((5.0..=50.0).contains(&max), "{max}");
    // moto answers p95 with a 500: only that series is n/a.
    assert!(
        series[2]
            .unavailable
            .as_deref()
            .is_some_and(|r| r.starts_with("p95 not available")),
        "{:?}",
        series[2].unavailable
    );
    // Cold starts go to Logs Insights (after GetFunction for the log group); moto ignores
    // `stats` and answers with rows that carry none of the asked fields: n/a with the reason,
    // never "0 cold starts". The mapping itself is tested with mocks.
    let why = series[3].unavailable.as_deref().unwrap_or_default();
    assert!(why.contains("did not run the query as written"), "{why:?}");
    assert!(series[3].points.is_empty());
    assert_eq!(calls_seen(&shim, "GetFunction"), 1);
    assert_eq!(calls_seen(&shim, "StartQuery"), 1);
    assert_eq!(series[4].total(), 10.0, "an error every third minute");
    let usage = src.health().usage;
    let gmd = usage
        .iter()
        .find(|u| u.api == "GetMetricData")
        .expect("GetMetricData usage");
    // moto's 500 is retried twice as a server error before it counts as a refusal; refused
    // calls are not billed, and the retry asks for the 3 other CloudWatch series.
    assert_eq!((gmd.calls, gmd.billed_units), (4, 3.0));
}

#[tokio::test]
async fn metrics_for_a_thousand_functions_take_ceil_n_m_over_500_calls() {
    let shim = private_shim();
    let src = source_at(&shim, "us-east-1").await;
    let (n, metrics) = (
        1000usize,
        [Metric::Invocations, Metric::Errors, Metric::Throttles],
    );
    let queries: Vec<MetricQuery> = (0..n)
        .flat_map(|i| {
            metrics
                .iter()
                .map(move |m| mq(&format!("fn-{i:04}"), *m, Statistic::Sum))
        })
        .collect();
    // One bucket per series: moto's time grows with the buckets, and the calls do not.
    let req = MetricRequest {
        queries,
        window: TimeWindow::last(HOUR_MS, src.now()),
        period_s: 3600,
    };
    let series = src.metrics(&req).await.expect("metrics");
    assert_eq!(series.len(), n * metrics.len());
    let expected = (n * metrics.len()).div_ceil(500) as u64;
    assert_eq!(calls_seen(&shim, "GetMetricData"), expected);
    eprintln!(
        "MEASURED: {n} functions x {} metrics -> {expected} GetMetricData calls",
        metrics.len()
    );
}

#[tokio::test]
async fn trace_summaries_and_whole_traces() {
    let src = source().await;
    let q = TraceQuery {
        window: last_hour(src.now()),
        filter: String::new(),
        limit: 100,
    };
    let summaries = lambdascope::source::Source::Aws(src.clone())
        .trace_summaries(&q)
        .await
        .expect("GetTraceSummaries through the shim");
    assert_eq!(summaries.len(), 3);
    assert_eq!(summaries.iter().filter(|s| s.has_fault).count(), 1);
    let ids: Vec<String> = summaries.iter().map(|s| s.id.clone()).collect();
    let traces = src.traces(&ids).await.expect("BatchGetTraces");
    assert_eq!(traces.len(), 3);
    let mut cold = 0;
    for t in &traces {
        assert_eq!(t.roots.len(), 1, "one API Gateway root in {}", t.id);
        let stage = &t.roots[0];
        assert_eq!(stage.origin.as_deref(), Some("AWS::ApiGateway::Stage"));
        let service = &stage.children[0].children[0];
        assert_eq!(service.origin.as_deref(), Some("AWS::Lambda"));
        let function = &service.children[0];
        assert_eq!(function.origin.as_deref(), Some("AWS::Lambda::Function"));
        let names: Vec<&str> = function.children.iter().map(|c| c.name.as_str()).collect();
        cold += usize::from(names.first() == Some(&"Initialization"));
        let invocation = function
            .children
            .iter()
            .find(|c| c.name == "Invocation")
            .expect("Invocation");
        let dynamo = &invocation.children[0];
        assert_eq!(
            (dynamo.operation.as_deref(), dynamo.resource.as_deref()),
            (Some("PutItem"), Some("orders"))
        );
        if stage.fault {
            assert!(dynamo.fault);
            assert_eq!(
                function
                    .cause
                    .as_ref()
                    .and_then(|c| c.headline())
                    .as_deref(),
                Some("ClientError: ProvisionedThroughputExceeded")
            );
            assert_eq!(stage.http.status, Some(502));
        }
    }
    assert_eq!(cold, 1);
    // moto's service graph is always empty, but the call and mapping work.
    let graph = src
        .service_graph(last_hour(src.now()))
        .await
        .expect("GetServiceGraph");
    assert!(graph.services.is_empty());
}

/// A trace id that sorts by `n`, stamped at `secs`.
fn trace_id(secs: i64, n: usize) -> String {
    format!("1-{secs:08x}-{:024x}", 0xface_0000_0000_u64 + n as u64)
}

/// Traces put into moto as real tracers write them: a Lambda segment and a function segment
/// with its subsegments, sent as separate documents.
fn lambda_trace(id: &str, start: f64, n: usize, cold: bool) -> Vec<serde_json::Value> {
    use serde_json::json;
    let seg = |k: usize| format!("{:016x}", (n as u64) << 8 | k as u64);
    let mut subs = vec![
        json!({"id": seg(3), "name": "Invocation", "start_time": start + 0.2, "end_time": start + 0.3,
        "subsegments": [{"id": seg(4), "name": "DynamoDB", "namespace": "aws", "start_time": start + 0.21, "end_time": start + 0.25,
            "aws": {"operation": "GetItem", "table_name": "orders", "retries": 1}, "http": {"response": {"status": 200}}}]}),
    ];
    if cold {
        subs.insert(0, json!({"id": seg(2), "name": "Initialization", "start_time": start + 0.01, "end_time": start + 0.2}));
    }
    vec![
        json!({"trace_id": id, "id": seg(0), "name": "orders-api-get", "origin": "AWS::Lambda",
            "start_time": start, "end_time": start + 0.32, "aws": {"request_id": format!("req-{n}")}}),
        json!({"trace_id": id, "id": seg(1), "parent_id": seg(0), "name": "orders-api-get",
            "origin": "AWS::Lambda::Function", "start_time": start + 0.01, "end_time": start + 0.31,
            "annotations": {"ColdStart": cold}, "subsegments": subs}),
    ]
}

/// 100 traces put into moto come back whole from 20 BatchGetTraces calls (5 ids each), and the
/// odd documents real tracers send (in progress, orphans, clock skew) are assembled as they
/// should be.
#[tokio::test]
async fn batch_get_traces_in_fives_for_traces_put_into_moto() {
    use serde_json::json;
    let now_s = emulator().seeded_at / 1000 - 900;
    let ids: Vec<String> = (0..100).map(|n| trace_id(now_s + n as i64, n)).collect();
    let mut docs: Vec<serde_json::Value> = ids
        .iter()
        .enumerate()
        .flat_map(|(n, id)| lambda_trace(id, (now_s + n as i64) as f64, n, n % 10 == 0))
        .collect();
    // The odd one: an in-progress subsegment, a child outside its parent's time, an orphan
    // whose parent never arrived.
    let odd = trace_id(now_s + 200, 999);
    let t = (now_s + 200) as f64;
    docs.push(json!({"trace_id": odd, "id": "0dd0000000000001", "name": "orders-api-get", "origin": "AWS::Lambda",
        "start_time": t, "end_time": t + 1.0,
        "subsegments": [
            {"id": "0dd0000000000002", "name": "Invocation", "start_time": t + 0.1, "in_progress": true},
            {"id": "0dd0000000000003", "name": "skewed", "start_time": t - 0.5, "end_time": t + 1.5}
        ]}));
    docs.push(
        json!({"trace_id": odd, "id": "0dd0000000000004", "parent_id": "ffffffffffffffff",
        "name": "late", "start_time": t + 0.4, "end_time": t + 0.6}),
    );
    // Not the seeded region: its three traces are what other tests count.
    let region = "eu-central-1";
    emulator::put_traces(region, &docs);

    let shim = private_shim();
    let src = source_at(&shim, region).await;
    let traces = src.traces(&ids).await.expect("BatchGetTraces");
    assert_eq!(traces.len(), 100);
    let calls = calls_seen(&shim, "BatchGetTraces");
    assert_eq!(calls, 20, "100 traces, 5 ids a call");
    eprintln!("MEASURED: 100 traces -> {calls} BatchGetTraces calls (moto via the shim)");
    for (n, t) in traces.iter().enumerate() {
        assert_eq!(t.roots.len(), 1, "{}: linked across documents", t.id);
        assert_eq!(t.span_count(), 4 + usize::from(n % 10 == 0));
        assert_eq!(t.is_cold(), n % 10 == 0);
        assert_eq!(t.invocations()[0].request_id, format!("req-{n}"));
        assert!((t.duration_ms - 320.0).abs() < 1.0, "{}", t.duration_ms);
        let w = lambdascope::domain::Waterfall::new(t.clone());
        assert!(w.critical().count() >= 3);
    }
    let odd_trace = src
        .traces(std::slice::from_ref(&odd))
        .await
        .expect("the odd trace");
    let w = lambdascope::domain::Waterfall::new(odd_trace[0].clone());
    let by = |name: &str| w.spans.iter().find(|s| s.seg.name == name).expect(name);
    assert!(by("Invocation").seg.in_progress && by("Invocation").seg.end.is_none());
    assert!(by("skewed").skewed);
    assert!(by("late").orphan);
    assert_eq!(w.spans.iter().filter(|s| s.parent.is_none()).count(), 2);
}

#[tokio::test]
async fn insights_runs_a_basic_query() {
    let src = source_at(&private_shim(), "us-east-1").await;
    let rows = src
        .insights(
            &["/aws/lambda/payments-webhook".to_string()],
            "fields @timestamp, @message | sort @timestamp desc | limit 5",
            last_hour(src.now()),
        )
        .await
        .expect("Logs Insights");
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter()
            .all(|r| r.iter().any(|(f, _)| f == "@message") && r.iter().all(|(f, _)| f != "@ptr"))
    );
    let usage = src.health().usage;
    assert!(
        usage
            .iter()
            .any(|u| u.api == "StartQuery" && u.calls == 1 && u.estimated_usd > 0.0)
    );
}

/// Reads updates until `want` distinct events arrived; returns messages and interruptions seen.
async fn collect(stream: &mut TailStream, want: usize, seen: &mut Vec<String>) -> usize {
    let mut interruptions = 0;
    let deadline = Instant::now() + PATIENCE;
    while seen.len() < want {
        let left = deadline
            .checked_duration_since(Instant::now())
            .expect("the tail did not deliver in time");
        match tokio::time::timeout(left, stream.next())
            .await
            .expect("the tail did not deliver in time")
        {
            Some(TailUpdate::Events(evs)) => seen.extend(evs.into_iter().map(|e| e.message)),
            Some(TailUpdate::Interrupted { .. }) => interruptions += 1,
            Some(TailUpdate::Sampled(_) | TailUpdate::Mode(_) | TailUpdate::Group { .. }) => {}
            Some(TailUpdate::Gap { group, window }) => {
                panic!("unexpected gap in {group}: {window:?}")
            }
            None => panic!("the tail ended by itself"),
        }
    }
    interruptions
}

/// Writes one event before `since` (which creates the group), then follows the group from `since`.
async fn tail_from(src: &AwsSource, group: &str, since: i64) -> TailStream {
    put_logs(group, "setup", &batch("setup", 1, since - MINUTE_MS));
    src.tail(&TailRequest {
        log_groups: vec![group.into()],
        filter_pattern: String::new(),
        since: Some(since),
    })
    .await
    .expect("tail")
}

fn batch(prefix: &str, n: usize, at: i64) -> Vec<(i64, String)> {
    (0..n)
        .map(|i| (at + i as i64, format!("{prefix} event {i}")))
        .collect()
}

#[tokio::test]
async fn live_tail_through_the_interceptor_then_polling_delivers_new_events() {
    let shim = private_shim();
    let src = source_at(&shim, "us-east-1").await;
    let group = "/test/live-tail";
    let now = src.now();
    put_logs(group, "s1", &batch("old", 2, now - 10 * MINUTE_MS));
    let mut tail = tail_from(&src, group, now).await;
    put_logs(group, "s1", &batch("new", 3, src.now()));
    let mut seen = Vec::new();
    collect(&mut tail, 3, &mut seen).await;
    assert_eq!(
        seen,
        ["new event 0", "new event 1", "new event 2"],
        "only events since `since`, once each"
    );
    // Live Tail got through (the `streaming-` host prefix was stripped), and moto ended it.
    assert!(
        calls_seen(&shim, "StartLiveTail") >= 1,
        "StartLiveTail never reached the emulator"
    );
    assert!(calls_seen(&shim, "DescribeLogGroups") >= 1);
    // From landing in the emulator to coming out of the tail (polling, since moto ends Live
    // Tail): the latency a user sees, less one frame.
    let landed = Instant::now();
    put_logs(group, "s2", &batch("later", 2, src.now()));
    collect(&mut tail, 5, &mut seen).await;
    eprintln!(
        "MEASURED: event landed to delivered by the tail (polling): {:?}",
        landed.elapsed()
    );
    assert_eq!(&seen[3..], ["later event 0", "later event 1"]);
}

#[tokio::test]
async fn tail_survives_an_outage_and_delivers_every_event_once() {
    let shim = private_shim();
    let src = source_at(&shim, "us-east-1").await;
    let group = "/test/outage";
    let now = src.now();
    let mut tail = tail_from(&src, group, now).await;
    put_logs(group, "s1", &batch("before", 5, src.now()));
    let mut seen = Vec::new();
    collect(&mut tail, 5, &mut seen).await;

    // The endpoint goes dark; events keep arriving in the service meanwhile.
    control(&shim, "POST", "/__control/outage?seconds=8", "");
    put_logs(group, "s1", &batch("during", 5, src.now()));
    let interruptions = collect(&mut tail, 10, &mut seen).await;
    assert!(interruptions >= 1, "the outage was not reported");
    put_logs(group, "s2", &batch("after", 5, src.now()));
    collect(&mut tail, 15, &mut seen).await;

    // Give duplicates a chance to show up: two more poll rounds, then a marker event.
    tokio::time::sleep(Duration::from_secs(5)).await;
    put_logs(group, "s2", &batch("marker", 1, src.now()));
    collect(&mut tail, 16, &mut seen).await;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in &seen {
        *counts.entry(m.as_str()).or_default() += 1;
    }
    assert_eq!(seen.len(), 16, "{seen:?}");
    assert!(counts.values().all(|&n| n == 1), "duplicates: {counts:?}");
    for p in ["before", "during", "after"] {
        assert_eq!(seen.iter().filter(|m| m.starts_with(p)).count(), 5, "{p}");
    }
}

#[tokio::test]
async fn throttling_backs_off_shows_in_health_and_recovers() {
    let shim = private_shim();
    let src = source_at(&shim, "us-east-1").await;
    // Three throttles (each with Retry-After: 1), then the service answers.
    control(
        &shim,
        "POST",
        "/__control/throttle?op=FilterLogEvents&n=3",
        "",
    );
    let q = query(&["/aws/lambda/orders-api-create"], last_hour(src.now()), 20);
    let watcher = src.clone();
    let call = tokio::spawn(async move { src.logs(&q).await });
    let mut shown = None;
    while !call.is_finished() {
        if let Some(t) = watcher.health().throttled {
            shown = Some(t);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let page = call
        .await
        .expect("join")
        .expect("the call succeeds once throttling stops");
    assert_eq!(page.events.len(), 20);
    let shown = shown.expect("health().throttled never showed the throttle");
    assert!(
        shown.starts_with("throttled: FilterLogEvents, retrying in "),
        "{shown}"
    );
    assert_eq!(calls_seen(&shim, "FilterLogEvents"), 4);
    assert_eq!(watcher.health().throttled, None);

    // A tail under heavier throttling reports it and keeps going.
    let fast = watcher.with_retry_policy(RetryPolicy {
        base: Duration::from_millis(20),
        max: Duration::from_millis(100),
        ..RetryPolicy::default()
    });
    control(
        &shim,
        "POST",
        "/__control/throttle?op=StartLiveTail&n=100",
        "",
    );
    control(
        &shim,
        "POST",
        "/__control/throttle?op=FilterLogEvents&n=8",
        "",
    );
    let group = "/test/throttled-tail";
    let now = fast.now();
    let mut tail = tail_from(&fast, group, now).await;
    put_logs(group, "s", &batch("through", 2, fast.now()));
    let mut seen = Vec::new();
    let interruptions = collect(&mut tail, 2, &mut seen).await;
    assert_eq!(seen, ["through event 0", "through event 1"]);
    assert!(
        interruptions >= 1,
        "exhausted retries should show as an interruption"
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_plain_message() {
    // Port 9 on loopback: nothing listens there.
    let src = source_at("http://127.0.0.1:9", "us-east-1")
        .await
        .with_retry_policy(RetryPolicy {
            base: Duration::from_millis(10),
            ..RetryPolicy::default()
        });
    let err = src.list_functions().await.expect_err("nothing listens");
    let SourceError::Unreachable { endpoint, reason } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(endpoint, "http://127.0.0.1:9");
    assert_eq!(reason, "connection refused");
    assert_eq!(
        err.to_string(),
        "cannot reach http://127.0.0.1:9: connection refused"
    );
}

/// aws-config's default loader, reading only the given credentials and config files.
#[allow(deprecated)] // ProfileFiles: its replacement lives in aws-runtime, not a dependency of ours
fn loader_with_profiles(name: &str, credentials: &str, config: &str) -> aws_config::ConfigLoader {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("profile dir");
    let (creds, conf) = (dir.join("credentials"), dir.join("config"));
    std::fs::write(&creds, credentials).expect("credentials file");
    std::fs::write(&conf, config).expect("config file");
    let files = ProfileFiles::builder()
        .with_file(ProfileFileKind::Credentials, &creds)
        .with_file(ProfileFileKind::Config, &conf)
        .build();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).profile_files(files)
}

#[tokio::test]
async fn connect_resolves_credentials_from_a_profile_eagerly() {
    let loader = loader_with_profiles(
        "aws-profile-test",
        "[tester]\naws_access_key_id = test\naws_secret_access_key = test\n",
        "[profile tester]\nregion = eu-west-1\n",
    );
    let opts = AwsOptions {
        profile: Some("tester".into()),
        region: Some("us-east-1".into()),
        endpoint_url: Some(emulator().endpoint.clone()),
        timeout: None,
    };
    let src = AwsSource::connect_with(&opts, loader)
        .await
        .expect("connect");
    assert_eq!(
        src.info(),
        SourceInfo::Aws {
            account: None,
            profile: Some("tester".into()),
            region: "us-east-1".into(),
            endpoint: Some(emulator().endpoint.clone()),
        }
    );
    assert!(!src.list_functions().await.expect("list").is_empty());

    let bad = AwsOptions {
        region: Some("moon-base".into()),
        ..opts
    };
    let loader = loader_with_profiles("aws-bad-region", "", "");
    assert_eq!(
        AwsSource::connect_with(&bad, loader).await.err(),
        Some(SourceError::UnknownRegion("moon-base".into()))
    );
}

/// Credentials that say whose they are (here `aws_account_id` in the profile; SSO and
/// assume-role do the same) name the account as part of connecting: the header has it before
/// any call, and no STS call is made for it.
#[tokio::test]
async fn the_account_comes_with_the_credentials_when_they_say() {
    let shim = private_shim();
    let loader = loader_with_profiles(
        "aws-profile-account",
        "[owned]\naws_access_key_id = test\naws_secret_access_key = test\naws_account_id = 123456789012\n",
        "[profile owned]\nregion = us-east-1\n",
    );
    let opts = AwsOptions {
        profile: Some("owned".into()),
        region: None,
        endpoint_url: Some(shim.clone()),
        timeout: None,
    };
    let src = AwsSource::connect_with(&opts, loader)
        .await
        .expect("connect");
    let SourceInfo::Aws { account, .. } = src.info() else {
        panic!("not aws")
    };
    assert_eq!(account.as_deref(), Some("123456789012"));
    assert_eq!(
        control(&shim, "GET", "/__control/stats", ""),
        serde_json::json!({}),
        "no call was made to learn it"
    );
}

/// Prints the time from connect() to the first list (a figure for the report, not asserted).
#[tokio::test]
async fn lists_a_thousand_functions_after_one_connect() {
    let big = big_account();
    let started = Instant::now();
    let opts = AwsOptions {
        profile: None,
        region: Some(big.region.into()),
        endpoint_url: Some(emulator().endpoint.clone()),
        timeout: None,
    };
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).credentials_provider(
        aws_sdk_cloudwatchlogs::config::Credentials::new("test", "test", None, None, "t"),
    );
    let src = AwsSource::connect_with(&opts, loader)
        .await
        .expect("connect");
    let fns = src.list_functions().await.expect("list");
    let took = started.elapsed();
    assert_eq!(fns.len(), big.size);
    eprintln!("MEASURED: connect() to first list_functions() with 1,000 functions: {took:?}");
    eprintln!("MEASURED: usage {:?}", src.health().usage);
}

/// The health sort covers every function, not just the rows fetched: the real binary at 80x24
/// against 1,000 functions puts the three that fail worst (the last three names in the
/// alphabet) at the top of its first screen. Prints the time from launch to that screen and
/// the GetMetricData calls it took (`LAMBDASCOPE_BIN=target/release/lambdascope` to measure
/// the release binary).
#[test]
fn the_worst_three_of_a_thousand_lead_the_first_screen() {
    let big = big_account();
    let shim = private_shim();
    let env = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let args = format!("--endpoint-url {shim} --region {}", big.region);
    let started = Instant::now();
    let t = common::tmux::Tmux::start("thousand", (80, 24), &args, &env);
    let worst: Vec<&str> = big.failing.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(worst, ["fn-0999", "fn-0998", "fn-0997"]);
    // Table rows: `● name  invocations  errors  err%  …`, below the header line.
    let rows = |s: &str| -> Vec<(String, String)> {
        s.lines()
            .skip_while(|l| !l.contains(" NAME "))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .filter_map(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                Some((cells.get(1)?.to_string(), cells.get(4)?.to_string()))
            })
            .collect()
    };
    let expected: Vec<(String, String)> = big
        .failing
        .iter()
        .map(|(n, rate)| (n.clone(), lambdascope::ui::format::percent(*rate)))
        .collect();
    t.wait_until("rows with figures", |s| {
        rows(s).iter().any(|(_, rate)| rate.ends_with('%'))
    });
    let first_data = started.elapsed();
    t.wait_until(&format!("the three worst on top: {expected:?}"), |s| {
        rows(s).get(..3) == Some(&expected[..])
    });
    let took = started.elapsed();
    // Calls the console's own clock may add while we count: the rows on screen every minute
    // (one call), the health of all every ten (five).
    let clock = wall_clock_ms;
    let periodic = |since: i64| {
        let crossed = |every: i64| (clock() / every - since / every) as u64;
        crossed(MINUTE_MS) + 5 * crossed(10 * MINUTE_MS)
    };
    let launched = clock() - started.elapsed().as_millis() as i64;
    // The shim's count, once it has stopped moving.
    let settle = |from: u64| {
        let since = Instant::now();
        let (mut last, mut quiet) = (from, 0);
        while quiet < 3 || last == from {
            std::thread::sleep(Duration::from_secs(1));
            let now = calls_seen(&shim, "GetMetricData");
            quiet = if now == last { quiet + 1 } else { 0 };
            last = now;
            assert!(since.elapsed() < PATIENCE, "the calls never settled");
        }
        last
    };
    // Errors and throttles of all (4 calls of 500 queries), invocations of the 43 that had
    // any, and the rows on screen (sparklines and totals in one call).
    let first = settle(0);
    assert!(
        (6..=6 + periodic(launched)).contains(&first),
        "GetMetricData calls for the first screen: {first}"
    );
    eprintln!("MEASURED: launch to the first rows with figures: {first_data:?}");
    eprintln!("MEASURED: launch to the first screen with the worst three on top: {took:?}");
    eprintln!(
        "MEASURED: GetMetricData calls for the first screen: {first}; ranks of the worst three: 1, 2, 3 of {}",
        big.size
    );
    // A full refresh (ctrl-r): the list, the health of all 1,000 and the rows on screen.
    let pressed = clock();
    t.keys(&["C-r"]);
    let refresh = settle(first) - first;
    assert!(
        (6..=6 + periodic(pressed)).contains(&refresh),
        "GetMetricData calls per full refresh: {refresh}"
    );
    eprintln!(
        "MEASURED: GetMetricData calls per full refresh (ctrl-r) of 1,000 functions: {refresh}"
    );
    t.keys(&["q"]);
}

/// Text from AWS never reaches the terminal raw (tests/hostile.rs checks every screen on the
/// demo): the real binary against a function whose description and handler carry OSC 52,
/// a title, CSI, C1, BEL, BS and bidi overrides shows them escaped, and tmux sees no
/// clipboard write, no title and no cleared screen.
#[test]
fn hostile_text_from_the_emulator_is_shown_escaped() {
    let env = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let args = format!(
        "--endpoint-url {} --region {}",
        emulator().endpoint,
        emulator().hostile_region
    );
    let t = common::tmux::Tmux::start("hostile", (200, 50), &args, &env);
    // An application's OSC 52 would land in tmux's paste buffers.
    t.cmd(&["set", "-g", "set-clipboard", "on"])
        .expect("tmux set-clipboard");
    t.wait_for("hostile-fn");
    t.keys(&["Enter"]);
    // The configuration is the dashboard's third panel.
    t.wait_for("Configuration");
    t.keys(&["Tab", "Tab"]);
    let escaped =
        r"\u{202e}\u{2066}\e]52;c;cm0gLXJmIH4=\x07\e]0;pwned\x07\e[2J\e[H\u{9b}31mevil\x07\x08";
    // A configuration row: its key, then the value, whole, to the end of the line.
    let row = |s: &str, key: &str, value: &str| {
        s.lines().any(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim() == value)
        })
    };
    let s = t.wait_until("the escaped handler in the configuration", |s| {
        row(s, "handler", &format!("app.handler{escaped}"))
    });
    assert!(
        row(&s, "description", &format!("description{escaped}")),
        "the description is shown escaped:\n{s}"
    );
    assert!(
        s.contains("λ lambdascope"),
        "the screen was not cleared:\n{s}"
    );
    let title = t
        .cmd(&["display-message", "-p", "-t", "e2e", "#{pane_title}"])
        .expect("pane title");
    assert!(
        !String::from_utf8_lossy(&title.stdout).contains("pwned"),
        "the title was set"
    );
    let buffers = t.cmd(&["list-buffers"]).expect("list-buffers");
    assert!(
        buffers.stdout.is_empty(),
        "the clipboard was written: {}",
        String::from_utf8_lossy(&buffers.stdout)
    );
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[tokio::test]
async fn a_tail_without_since_starts_now() {
    let src = source().await;
    let group = "/test/from-now";
    put_logs(group, "s", &batch("before start", 3, src.now() - 20_000));
    let mut tail = src
        .tail(&TailRequest {
            log_groups: vec![group.into()],
            filter_pattern: String::new(),
            since: None,
        })
        .await
        .expect("tail");
    put_logs(group, "s", &batch("fresh", 1, src.now() + 1));
    let mut seen = Vec::new();
    collect(&mut tail, 1, &mut seen).await;
    assert_eq!(
        seen,
        ["fresh event 0"],
        "events from before the tail started leaked in"
    );
}

#[tokio::test]
async fn a_local_endpoint_works_without_configured_credentials() {
    let opts = AwsOptions {
        profile: None,
        region: Some("us-east-1".into()),
        endpoint_url: Some(emulator().endpoint.clone()),
        timeout: None,
    };
    let loader = loader_with_profiles("aws-no-credentials", "", "");
    let src = AwsSource::connect_with(&opts, loader)
        .await
        .expect("connect to a local emulator");
    assert!(!src.list_functions().await.expect("list").is_empty());
}

#[tokio::test]
async fn honours_the_source_contract() {
    let src = lambdascope::source::Source::Aws(source().await);
    let now = src.now();
    let found = common::contract::check(&src, last_hour(now)).await;
    assert!(
        found.functions >= 6,
        "seeded functions: {}",
        found.functions
    );
    assert!(
        found.log_events >= 160,
        "seeded log events: {}",
        found.log_events
    );
    assert!(found.traces >= 3, "seeded traces: {}", found.traces);
}

/// `lambdascope functions` against plain moto, which answers the SDK's CloudWatch protocol
/// (rpcv2Cbor) with a 404: the table prints with n/a cells, stderr says what is wrong, exit 0.
#[test]
fn the_functions_command_copes_with_an_endpoint_without_cloudwatch() {
    let run = |json: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lambdascope"));
        cmd.args(["functions", "--endpoint-url", &emulator().moto])
            .args(["--region", "us-east-1"])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"));
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().expect("run lambdascope functions");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let reason = "this endpoint does not serve CloudWatch GetMetricData (HTTP 404)";
    let (code, stdout, stderr) = run(false);
    assert_eq!(code, Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.starts_with("NAME "), "{stdout}");
    let row = stdout
        .lines()
        .find(|l| l.starts_with("orders-api-create "))
        .unwrap_or_else(|| panic!("no row for orders-api-create:\n{stdout}"));
    assert!(row.contains("python3.12") && row.contains("n/a"), "{row}");
    assert_eq!(
        stderr.trim(),
        format!("lambdascope: metrics unavailable: {reason}"),
        "the reason, once"
    );
    let (code, stdout, stderr) = run(true);
    assert_eq!(code, Some(0), "{stderr}");
    let rows: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let create = rows
        .as_array()
        .and_then(|r| r.iter().find(|f| f["name"] == "orders-api-create"))
        .expect("orders-api-create in the JSON");
    assert!(create["errors"].is_null());
    assert_eq!(create["unavailable"]["errors"], reason);
    assert!(stderr.contains(reason), "{stderr}");
}

/// moto buckets from StartTime as CloudWatch does, so the backend's buckets are the plan's at
/// 60, 300 and 3600 s and at period = window: exactly those holding the seeded datapoints
/// (one a minute for the 30 minutes before seeding), as the demo's are (source_contract.rs).
#[tokio::test]
async fn buckets_are_exactly_the_plans() {
    let src = lambdascope::source::Source::Aws(source().await);
    let seeded: Vec<i64> = (1..=30)
        .map(|k| emulator().seeded_at - k * MINUTE_MS)
        .collect();
    let found = common::contract::buckets(&src, "orders-api-create", last_hour(src.now())).await;
    assert_eq!(found.len(), 4);
    for (plan, stamps) in found {
        let mut want: Vec<i64> = seeded
            .iter()
            .filter_map(|&t| plan.bucket_of(t).map(|i| plan.bucket_start(i)))
            .collect();
        want.sort_unstable();
        want.dedup();
        assert!(!want.is_empty(), "the seeded data lies in {plan:?}");
        assert_eq!(stamps, want, "{plan:?}");
    }
}

/// The real binary under tmux against the emulator: the seeded functions are listed, and one
/// opens with its configuration and charts.
#[test]
fn the_console_lists_and_opens_the_emulators_functions() {
    let endpoint = emulator().endpoint.clone();
    let env = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let args = format!("--endpoint-url {endpoint} --region us-east-1");
    let t = common::tmux::Tmux::start("emulator", (120, 40), &args, &env);
    t.wait_for("orders-api-create");
    // The account is known from the first function ARN; the header shows it with the region.
    let s = t.wait_for("123456789012");
    assert!(s.contains("us-east-1"), "the header names the region:\n{s}");
    t.keys(&["/"]);
    t.literal("orders-api-create");
    t.wait_for("1 match");
    t.keys(&["Enter", "Enter"]);
    t.wait_for_chart("Invocations");
    // The configuration is the third panel.
    t.keys(&["Tab", "Tab"]);
    let s = t.wait_for("reserved");
    assert!(
        s.contains("/aws/lambda/orders-api-create"),
        "the configuration shows the log group:\n{s}"
    );
    t.keys(&["Tab"]);
    t.wait_for_chart("Invocations");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}

/// The dashboard asks CloudWatch for all its series in one GetMetricData call a refresh
/// (counted by the shim); cold starts go to Logs Insights, never to GetMetricData.
#[tokio::test]
async fn the_dashboard_asks_all_its_series_in_one_get_metric_data_call() {
    use lambdascope::app::jobs::Owner;
    use lambdascope::app::{Action, Cmd, Msg, State, update};
    let shim = private_shim();
    let src = lambdascope::source::Source::Aws(source_at(&shim, "us-east-1").await);
    let mut state = State::new(src.info(), src.now(), "dark", vec![]);
    state.ctx.size = (120, 40);
    let cmds = lambdascope::app::start(&mut state);
    common::settle(&src, &mut state, cmds).await;
    common::press(&src, &mut state, &[Action::Filter]).await;
    common::press(&src, &mut state, &common::typed("orders-api-create")).await;
    common::press(&src, &mut state, &[Action::InputSubmit]).await;
    let queries = |shim: &str| -> Vec<u64> {
        emulator::control(shim, "GET", "/__control/stats", "")["queries"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_u64()).collect())
            .unwrap_or_default()
    };
    let mut refreshes = Vec::new();
    let before = queries(&shim);
    let cmds = update(&mut state, Msg::Action(Action::Enter));
    common::settle(&src, &mut state, cmds).await;
    refreshes.push(queries(&shim)[before.len()..].to_vec());
    // The minute refresh: only the dashboard's own jobs, so the catalog's do not count.
    let id = state
        .stack
        .last()
        .map(|(id, _)| *id)
        .expect("the dashboard");
    for minute in 1..=2 {
        let before = queries(&shim);
        let cmds: Vec<Cmd> = update(
            &mut state,
            Msg::Tick {
                now: src.now() + minute * MINUTE_MS,
                health: Default::default(),
                info: src.info(),
            },
        )
        .into_iter()
        .filter(|c| c.job().is_some_and(|j| j.key.owner == Owner::Screen(id)))
        .collect();
        common::settle(&src, &mut state, cmds).await;
        refreshes.push(queries(&shim)[before.len()..].to_vec());
    }
    // moto refuses percentiles (a 500); the Functions screen's p95 already taught the source
    // so, so the dashboard asks its four other series (invocations, errors, throttles,
    // concurrency) in one call a refresh and never the three percentiles again.
    for calls in &refreshes {
        assert_eq!(calls, &[4], "one call a refresh: {refreshes:?}");
    }
    eprintln!("MEASURED: GetMetricData calls (queries each) per dashboard refresh: {refreshes:?}");
    assert_eq!(calls_seen(&shim, "GetAccountSettings"), 0);
}

/// moto has no GetAccountSettings (404): the overview says the limit is n/a and why, and the
/// rest of it works. Function details come from moto's ListVersionsByFunction and
/// ListEventSourceMappings.
#[tokio::test]
async fn the_overview_and_function_details_against_the_emulator() {
    use lambdascope::app::{Msg, State, update};
    use lambdascope::screens::functions::FunctionsAction;
    use lambdascope::screens::overview::OverviewScreen;
    let src = lambdascope::source::Source::Aws(source().await);
    let mut state = State::new(src.info(), src.now(), "dark", vec![]);
    state.ctx.size = (120, 40);
    let cmds = lambdascope::app::start(&mut state);
    common::settle(&src, &mut state, cmds).await;
    let cmds = update(&mut state, Msg::Action(FunctionsAction::Overview.into()));
    common::settle(&src, &mut state, cmds).await;
    let o = state.screen_of::<OverviewScreen>().expect("the overview");
    let lambdascope::app::Loadable::Failed(e) = &o.settings else {
        panic!("moto serves no GetAccountSettings: {:?}", o.settings)
    };
    eprintln!("GetAccountSettings on moto: {e}");
    let account = o.account.loaded().expect("account-wide series");
    let inv = account
        .iter()
        .find(|s| s.query.metric == Metric::Invocations)
        .expect("invocations");
    assert!(inv.unavailable.is_none(), "{inv:?}");
    let buf =
        lambdascope::app::view::render(&state, &lambdascope::ui::theme::Theme::default_theme());
    let text: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(text.contains("the account limit is n/a"), "{text}");

    let f = src
        .function("orders-api-create")
        .await
        .expect("function details");
    assert!(
        f.event_sources.is_some() || !f.detail_errors.is_empty(),
        "{f:?}"
    );
    assert!(f.deploy_times().contains(&f.last_modified));
    eprintln!(
        "moto details: deploys {:?}, sources {:?}, provisioned {:?}, missing {:?}",
        f.deploys, f.event_sources, f.provisioned, f.detail_errors
    );
}

#[tokio::test]
async fn a_tail_too_far_behind_reports_the_span_it_skipped_and_loses_nothing_silently() {
    let shim = private_shim();
    // Tiny bounds: five events a backfill round, one extra round to catch up.
    let src =
        source_at(&shim, "us-east-1")
            .await
            .with_log_limits(lambdascope::source::aws::LogLimits {
                backfill_events: 5,
                catchup_rounds: 1,
                ..Default::default()
            });
    let group = "/test/catch-up";
    let now = src.now();
    let mut tail = tail_from(&src, group, now).await;
    put_logs(group, "s1", &batch("before", 2, src.now()));
    let mut seen: Vec<(i64, String)> = Vec::new();
    let mut gaps: Vec<TimeWindow> = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while seen.len() < 2 {
        if let Some(TailUpdate::Events(evs)) = next_update(&mut tail, deadline).await {
            seen.extend(evs.into_iter().map(|e| (e.timestamp, e.message)));
        }
    }
    // An outage while 40 events land, a millisecond apart: far more than the bound reads.
    control(&shim, "POST", "/__control/outage?seconds=6", "");
    let at = src.now();
    let flood = batch("flood", 40, at);
    put_logs(group, "s1", &flood);
    // The tail reads what it can, then skips to the present and says what it skipped.
    while gaps.is_empty() {
        match next_update(&mut tail, deadline).await {
            Some(TailUpdate::Events(evs)) => {
                seen.extend(evs.into_iter().map(|e| (e.timestamp, e.message)))
            }
            Some(TailUpdate::Gap { window, .. }) => gaps.push(window),
            Some(_) => {}
            None => panic!("the tail ended"),
        }
    }
    // Then an event after the skip, which must arrive.
    put_logs(group, "s1", &batch("marker", 1, src.now()));
    while !seen.iter().any(|(_, m)| m.starts_with("marker")) {
        match next_update(&mut tail, deadline).await {
            Some(TailUpdate::Events(evs)) => {
                seen.extend(evs.into_iter().map(|e| (e.timestamp, e.message)))
            }
            Some(TailUpdate::Gap { window, .. }) => gaps.push(window),
            Some(_) => {}
            None => panic!("the tail ended"),
        }
    }
    assert!(
        !gaps.is_empty(),
        "more than the bound was missed, and no gap was reported"
    );
    // Every flood event was delivered once, or lies in a reported gap.
    for (t, m) in &flood {
        let delivered = seen.iter().filter(|(_, s)| s == m).count();
        let in_gap = gaps.iter().any(|g| g.contains(*t));
        assert!(
            delivered == 1 || (delivered == 0 && in_gap),
            "{m}: delivered {delivered}, in a gap {in_gap}"
        );
    }
}

/// The next update of a tail, or a failure at the deadline.
async fn next_update(tail: &mut TailStream, deadline: Instant) -> Option<TailUpdate> {
    let left = deadline
        .checked_duration_since(Instant::now())
        .expect("the tail did not deliver in time");
    tokio::time::timeout(left, tail.next())
        .await
        .expect("the tail did not deliver in time")
}

// ---------------------------------------------------------------------------------------------
// Under faults: what an incident looks like (the shim's control API: hang, empty pages with
// tokens, a silent Live Tail, a missing group among several, a late event behind a page's end).

/// A source whose every call gives up after `secs` seconds, retries included.
async fn impatient(endpoint: &str, secs: u64) -> AwsSource {
    source_at(endpoint, "us-east-1")
        .await
        .with_retry_policy(RetryPolicy::with_deadline(Duration::from_secs(secs)))
}

#[tokio::test]
async fn an_endpoint_that_takes_requests_and_never_answers_times_out_with_a_clear_message() {
    let shim = private_shim();
    control(&shim, "POST", "/__control/hang?seconds=120", "");
    let src = impatient(&shim, 3).await;
    let started = Instant::now();
    let err = tokio::time::timeout(PATIENCE, src.list_functions())
        .await
        .expect("a hanging endpoint must not hold the call forever")
        .expect_err("nothing answers");
    let SourceError::TimedOut { what, endpoint, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (what.as_str(), endpoint.as_str()),
        ("ListFunctions", shim.as_str())
    );
    let text = err.to_string();
    assert!(
        text.starts_with("ListFunctions timed out after ") && text.ends_with("did not answer"),
        "{text}"
    );
    eprintln!(
        "MEASURED: ListFunctions against a hanging endpoint, 3 s deadline: error after {:?}",
        started.elapsed()
    );
}

/// The command line against the same fault: a plain error and a non-zero exit, not a hang.
#[test]
fn the_functions_command_against_a_hanging_endpoint_ends_with_the_reason() {
    let shim = private_shim();
    control(&shim, "POST", "/__control/hang?seconds=300", "");
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lambdascope"))
        .args([
            "functions",
            "--endpoint-url",
            &shim,
            "--region",
            "us-east-1",
        ])
        .args(["--timeout", "4s"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run lambdascope functions");
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("`lambdascope functions` still hanging after {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("ListFunctions timed out after") && stderr.contains("did not answer"),
        "{stderr}"
    );
    eprintln!(
        "MEASURED: `lambdascope functions --timeout 4s` against a hanging endpoint: exit after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn one_group_that_was_never_created_does_not_blank_the_others() {
    let src = source_at(&private_shim(), "us-east-1").await;
    let missing = "/aws/lambda/never-invoked";
    let groups = ["/aws/lambda/payments-webhook", missing];
    let window = TimeWindow::new(emulator().seeded_at - 2 * HOUR_MS, src.now() + MINUTE_MS);
    for newest_first in [true, false] {
        let mut q = query(&groups, window, 500);
        q.newest_first = newest_first;
        let page = src
            .logs(&q)
            .await
            .expect("a page despite the missing group");
        assert!(!page.events.is_empty(), "newest_first={newest_first}");
        assert!(
            page.events
                .iter()
                .all(|e| e.log_group == "/aws/lambda/payments-webhook")
        );
        assert_eq!(
            page.unreadable,
            [(
                missing.to_string(),
                "no log group yet (never invoked?)".to_string()
            )],
            "newest_first={newest_first}"
        );
    }
}

#[test]
fn the_logs_command_prints_the_groups_it_can_and_names_the_one_it_cannot() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambdascope"))
        .args(["logs", "payments-webhook", "never-invoked", "--since", "3h"])
        .args([
            "--endpoint-url",
            &emulator().endpoint,
            "--region",
            "us-east-1",
        ])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run lambdascope logs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("payments-webhook"), "{stdout}");
    assert!(stdout.contains("REPORT RequestId"), "{stdout}");
    assert_eq!(
        stderr.trim(),
        "lambdascope: /aws/lambda/never-invoked: no log group yet (never invoked?)",
        "named once"
    );
}

#[tokio::test]
async fn a_tail_names_the_missing_group_once_and_follows_the_others() {
    let src = source_at(&private_shim(), "us-east-1").await;
    let group = "/test/tail-beside-a-missing-group";
    let missing = "/test/no-such-group";
    let now = src.now();
    put_logs(group, "setup", &batch("setup", 1, now - MINUTE_MS));
    let mut tail = src
        .tail(&TailRequest {
            log_groups: vec![group.into(), missing.into()],
            filter_pattern: String::new(),
            since: Some(now),
        })
        .await
        .expect("tail");
    put_logs(group, "s", &batch("alive", 3, src.now()));
    let deadline = Instant::now() + PATIENCE;
    let (mut named, mut seen) = (0, Vec::new());
    while seen.len() < 3 {
        match next_update(&mut tail, deadline).await {
            Some(TailUpdate::Events(evs)) => seen.extend(evs.into_iter().map(|e| e.message)),
            Some(TailUpdate::Group { group: g, problem }) => {
                assert_eq!(g, missing);
                assert_eq!(
                    problem.as_deref(),
                    Some("no log group yet (never invoked?)")
                );
                named += 1;
            }
            Some(TailUpdate::Interrupted { reason, .. }) => panic!("interrupted: {reason}"),
            Some(_) => {}
            None => panic!("the tail ended"),
        }
    }
    assert_eq!(seen, ["alive event 0", "alive event 1", "alive event 2"]);
    assert_eq!(named, 1, "the missing group is named once");
}

/// FilterLogEvents scanning a busy group for a rare match answers empty pages with a token:
/// "keep scanning", not "too many events". The match is found, no gap is invented, and the
/// read costs the pages it needs, not a halving search.
#[tokio::test]
async fn a_rare_match_behind_empty_pages_is_found_without_a_false_gap() {
    let shim = private_shim();
    let group = "/test/rare-match";
    let now = wall_clock_ms();
    put_logs(
        group,
        "s",
        &[(now - 20 * HOUR_MS, "the rare one".to_string())],
    );
    // More empty pages than one read takes: the token must outlive the read.
    control(&shim, "POST", "/__control/empty_pages?n=15", "");
    let src =
        source_at(&shim, "us-east-1")
            .await
            .with_log_limits(lambdascope::source::aws::LogLimits {
                pages_per_read: 10,
                ..Default::default()
            });
    let mut q = query(&[group], TimeWindow::new(now - 24 * HOUR_MS, now), 100);
    q.newest_first = true;
    let mut events = Vec::new();
    let mut gaps = Vec::new();
    loop {
        let page = src.logs(&q).await.expect("page");
        events.extend(page.events.into_iter().map(|e| e.message));
        gaps.extend(page.gaps);
        match page.next_token {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
    }
    let calls = calls_seen(&shim, "FilterLogEvents");
    eprintln!(
        "MEASURED: newest-first read over 24 h, one match behind 15 empty pages a read (10 pages a read): {calls} FilterLogEvents calls, {} gaps",
        gaps.len()
    );
    assert_eq!(events, ["the rare one"]);
    assert!(gaps.is_empty(), "a false gap: {gaps:?}");
    assert!(calls < 200, "{calls} calls for one rare match");
}

/// AWS sends a Live Tail update every second; a session that goes silent is dead. The tail says
/// so, ends the session and reads on from its cursor, losing nothing.
#[tokio::test]
async fn a_live_tail_that_goes_silent_is_ended_and_the_tail_reads_on() {
    let shim = private_shim();
    control(&shim, "POST", "/__control/silent_tail?seconds=300", "");
    let src = source_at(&shim, "us-east-1").await;
    let group = "/test/silent-live-tail";
    let mut tail = tail_from(&src, group, src.now()).await;
    put_logs(group, "s", &batch("during the silence", 3, src.now()));
    let deadline = Instant::now() + PATIENCE;
    let (mut silent, mut seen) = (false, Vec::new());
    while !silent || seen.len() < 3 {
        match next_update(&mut tail, deadline).await {
            Some(TailUpdate::Events(evs)) => seen.extend(evs.into_iter().map(|e| e.message)),
            Some(TailUpdate::Interrupted { reason, .. }) => {
                assert!(
                    reason.starts_with("Live Tail sent nothing for 15 s"),
                    "{reason}"
                );
                silent = true;
            }
            Some(_) => {}
            None => panic!("the tail ended"),
        }
    }
    assert_eq!(
        seen,
        [
            "during the silence event 0",
            "during the silence event 1",
            "during the silence event 2"
        ]
    );
    assert!(calls_seen(&shim, "StartLiveTail") >= 1);
}

/// An event stamped just before the end of the page a screen read, but ingested after it, is
/// read by the tail (which starts with an overlap); what both read is kept once.
#[tokio::test]
async fn an_event_ingested_late_behind_the_page_end_is_shown_once() {
    use lambdascope::domain::{LogMemory, TAIL_OVERLAP_MS};
    use lambdascope::model::logs::LogBuffer;
    let src = source_at(&private_shim(), "us-east-1").await;
    let group = "/test/late-event";
    let end = src.now();
    put_logs(group, "s", &batch("early", 3, end - 30_000));
    let mut q = query(&[group], TimeWindow::new(end - HOUR_MS, end), 500);
    q.newest_first = true;
    let page = src.logs(&q).await.expect("page");
    assert_eq!(page.events.len(), 3);
    // Stamped 2 s before the page's end, it lands only now.
    put_logs(group, "s", &[(end - 2_000, "late".to_string())]);
    let mut buffer = LogBuffer::default().with_memory(LogMemory::new(64 << 20));
    buffer.append(&page.events);
    let mut tail = src
        .tail(&TailRequest {
            log_groups: vec![group.into()],
            filter_pattern: String::new(),
            since: Some(end - TAIL_OVERLAP_MS),
        })
        .await
        .expect("tail");
    let deadline = Instant::now() + PATIENCE;
    while !buffer.iter().any(|(_, _, t)| t == b"late") {
        if let Some(TailUpdate::Events(evs)) = next_update(&mut tail, deadline).await {
            buffer.append(&evs);
        }
    }
    let texts: Vec<String> = buffer
        .iter()
        .map(|(_, _, t)| String::from_utf8_lossy(t).into_owned())
        .collect();
    assert_eq!(
        texts,
        ["early event 0", "early event 1", "early event 2", "late"],
        "every event once, the late one included"
    );
}

/// `:logs` over many groups: one FilterLogEvents read per group would take minutes a page at
/// 10 calls a second; above the bound the newest page comes from Logs Insights, one query per
/// 50 groups, and pages back the same way.
#[tokio::test]
async fn the_newest_page_over_many_groups_comes_from_insights() {
    let shim = private_shim();
    let src =
        source_at(&shim, "us-east-1")
            .await
            .with_log_limits(lambdascope::source::aws::LogLimits {
                insights_above_groups: 2,
                ..Default::default()
            });
    let now = wall_clock_ms();
    let groups: Vec<String> = (0..3).map(|i| format!("/test/many-{i}")).collect();
    for (i, g) in groups.iter().enumerate() {
        put_logs(
            g,
            "s",
            &batch(&format!("g{i}"), 4, now - 10 * MINUTE_MS + i as i64 * 10),
        );
    }
    let refs: Vec<&str> = groups.iter().map(String::as_str).collect();
    let mut q = query(&refs, TimeWindow::new(now - HOUR_MS, now), 5);
    q.newest_first = true;
    let mut pages = Vec::new();
    loop {
        let page = src.logs(&q).await.expect("a page");
        pages.push(page.events.len());
        match page.next_token {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
        assert!(pages.len() < 10, "paging does not end: {pages:?}");
    }
    assert_eq!(
        pages.iter().sum::<usize>(),
        12,
        "every event once: {pages:?}"
    );
    assert_eq!(pages[0], 5);
    assert!(calls_seen(&shim, "StartQuery") >= 1);
    assert_eq!(calls_seen(&shim, "FilterLogEvents"), 0);
}
