//! The demo account is a test oracle: its metrics, logs and traces agree, and it behaves like
//! the shop it pretends to be (an incident, a throttled function, cold starts after deploys).

use crate::common;

use std::collections::HashSet;

use common::{T0, demo};
use lambdascope::domain::{
    LogQuery, MINUTE_MS, Metric, MetricQuery, MetricRequest, Segment, SourceError, SpanKind,
    Statistic, TimeWindow, TraceQuery, TracingMode, function_filter,
};
use lambdascope::model::logs::invocations;
use lambdascope::source::Source;
use lambdascope::source::demo::{Clock, DemoSource};

async fn total(
    s: &Source,
    function: &str,
    metric: Metric,
    stat: Statistic,
    window: TimeWindow,
) -> f64 {
    let q = MetricQuery {
        function: function.into(),
        metric,
        stat,
    };
    let req = MetricRequest {
        queries: vec![q],
        window,
        period_s: (window.len_ms() / 1000) as u32,
    };
    let series = s.metrics(&req).await.expect("metrics");
    match stat {
        Statistic::Sum => series[0].total(),
        _ => series[0].max().unwrap_or(0.0),
    }
}

fn count(seg: &Segment, name: &str) -> usize {
    usize::from(seg.name == name) + seg.children.iter().map(|c| count(c, name)).sum::<usize>()
}

fn lambda_request_ids(seg: &Segment, out: &mut HashSet<String>) {
    if let (Some("AWS::Lambda"), Some(id)) = (seg.origin.as_deref(), &seg.request_id) {
        out.insert(id.to_string());
    }
    seg.children.iter().for_each(|c| lambda_request_ids(c, out));
}

#[tokio::test]
async fn traces_agree_with_metrics_for_every_traced_function() {
    let s = Source::Demo(demo());
    let window = TimeWindow::new(T0 - 40 * MINUTE_MS, T0 - 30 * MINUTE_MS);
    let fns = s.list_functions().await.unwrap();
    let traced: Vec<_> = fns
        .iter()
        .filter(|f| f.tracing == TracingMode::Active)
        .collect();
    assert!(traced.len() >= 5);
    let summaries = s
        .trace_summaries(&TraceQuery {
            window,
            filter: String::new(),
            limit: 1_000_000,
        })
        .await
        .unwrap();
    for f in traced {
        let mine: Vec<_> = summaries
            .iter()
            .filter(|t| t.services.iter().any(|s| s.name == f.name))
            .collect();
        let invocations = total(&s, &f.name, Metric::Invocations, Statistic::Sum, window).await;
        assert_eq!(
            mine.len() as f64,
            invocations,
            "{}: traces vs Invocations",
            f.name
        );
        let errors = total(&s, &f.name, Metric::Errors, Statistic::Sum, window).await;
        assert_eq!(
            mine.iter().filter(|t| t.has_fault).count() as f64,
            errors,
            "{}: faults vs Errors",
            f.name
        );
        let ids: Vec<String> = mine.iter().map(|t| t.id.clone()).collect();
        let traces = s.traces(&ids).await.unwrap();
        assert_eq!(traces.len(), ids.len());
        let inits: usize = traces
            .iter()
            .flat_map(|t| &t.roots)
            .map(|r| count(r, "Initialization"))
            .sum();
        let cold = total(&s, &f.name, Metric::ColdStarts, Statistic::Sum, window).await;
        assert_eq!(
            inits as f64, cold,
            "{}: Initialization subsegments vs cold starts",
            f.name
        );
        // Every trace carries the request id its summary names, and they are unique.
        let mut rids = HashSet::new();
        traces
            .iter()
            .flat_map(|t| &t.roots)
            .for_each(|r| lambda_request_ids(r, &mut rids));
        assert_eq!(
            rids.len(),
            ids.len(),
            "{}: one Lambda request id per trace",
            f.name
        );
    }
}

/// Every Lambda segment's request id has its invocation in the function's logs (custom log
/// groups, text and JSON formats alike), and the trace's times agree with its REPORT line.
#[tokio::test]
async fn every_lambda_segment_has_its_invocation_in_the_logs_and_its_report_agrees() {
    let s = Source::Demo(demo());
    // Around the deploy of the function in an incident: a wave of cold starts.
    let window = TimeWindow::new(T0 - 42 * MINUTE_MS, T0 - 30 * MINUTE_MS);
    let mut checked = 0;
    let mut cold_checked = 0;
    for name in [
        "payments-webhook",  // Python, JSON logs
        "orders-api-get",    // Node, text logs
        "users-api-profile", // a custom log group shared with another function
        "orders-api-create", // deployed 40 minutes ago
    ] {
        let f = s.function(name).await.unwrap();
        let summaries = s
            .trace_summaries(&TraceQuery {
                window,
                filter: function_filter(name),
                limit: 100_000,
            })
            .await
            .unwrap();
        assert!(!summaries.is_empty(), "{name}: traces in the window");
        let ids: Vec<String> = summaries.iter().map(|t| t.id.clone()).collect();
        let traces = s.traces(&ids).await.unwrap();
        assert_eq!(
            traces.len(),
            ids.len(),
            "{name}: every summary has its trace"
        );
        let events = {
            let mut q = LogQuery {
                log_groups: vec![f.log_group.clone()],
                window: TimeWindow::new(window.start - MINUTE_MS, window.end + 2 * MINUTE_MS),
                filter_pattern: String::new(),
                limit: 10_000,
                newest_first: false,
                next_token: None,
            };
            let mut all = Vec::new();
            loop {
                let page = s.logs(&q).await.unwrap();
                all.extend(page.events);
                match page.next_token {
                    Some(t) => q.next_token = Some(t),
                    None => break,
                }
            }
            all
        };
        let logged = invocations(name, &events);
        for t in &traces {
            let inv = t.invocations();
            assert_eq!(inv.len(), 1, "{}: one Lambda invocation", t.id);
            let i = &inv[0];
            assert_eq!(i.function, name);
            let log = logged
                .iter()
                .find(|l| l.request_id == i.request_id)
                .unwrap_or_else(|| panic!("{name}: request {} is not in the logs", i.request_id));
            assert_eq!(log.trace_id.as_deref(), Some(t.id.as_str()), "XRAY line");
            let span = |n: &str| {
                t.segments()
                    .find(|g| g.name == n && g.kind() != SpanKind::Function)
                    .and_then(|g| g.duration_ms())
            };
            let handler = span("Invocation").expect("an Invocation subsegment");
            assert!(
                (handler - log.duration_ms).abs() < 0.01,
                "{name}: Invocation {handler} ms vs REPORT Duration {} ms",
                log.duration_ms
            );
            let init = t.segments().find(|g| g.kind() == SpanKind::ColdStart);
            assert_eq!(
                init.is_some(),
                log.init_duration_ms.is_some(),
                "{name}: an Initialization subsegment exactly when REPORT has Init Duration"
            );
            if let (Some(g), Some(ms)) = (init, log.init_duration_ms) {
                let d = g.duration_ms().unwrap_or_default();
                assert!(
                    (d - ms).abs() < 0.01,
                    "{name}: Initialization {d} vs Init Duration {ms}"
                );
                cold_checked += 1;
            }
            checked += 1;
        }
    }
    assert!(checked >= 1000, "checked {checked} invocations");
    assert!(cold_checked >= 2, "cold starts among them: {cold_checked}");
}

/// The demo's trace list evaluates X-Ray's filter language, `service(\"x\") { fault }`
/// included, and rejects what X-Ray would reject.
#[tokio::test]
async fn the_demo_evaluates_filter_expressions_like_x_ray() {
    let s = Source::Demo(demo());
    let window = TimeWindow::new(T0 - 10 * MINUTE_MS, T0);
    let q = |filter: &str| TraceQuery {
        window,
        filter: filter.into(),
        limit: 1_000_000,
    };
    let all = s.trace_summaries(&q("")).await.unwrap();
    let faulted = s
        .trace_summaries(&q("service(\"orders-api-create\") { fault }"))
        .await
        .unwrap();
    assert!(!faulted.is_empty());
    assert!(faulted.iter().all(|t| {
        t.has_fault
            && t.services
                .iter()
                .any(|x| x.name == "orders-api-create" && x.fault)
    }));
    let expected = all
        .iter()
        .filter(|t| t.has_fault && t.services.iter().any(|x| x.name == "orders-api-create"))
        .count();
    assert_eq!(faulted.len(), expected);
    // The hot inventory table: throttled calls show on the table, not as faults.
    let throttled = s
        .trace_summaries(&q("service(\"inventory\") { throttle }"))
        .await
        .unwrap();
    assert!(
        !throttled.is_empty(),
        "the inventory table throttles now and then"
    );
    assert!(
        throttled
            .iter()
            .all(|t| t.http_status == Some(429) && !t.has_fault)
    );
    let slow = s.trace_summaries(&q("responsetime > 0.5")).await.unwrap();
    assert!(slow.iter().all(|t| t.duration_ms > 500.0));
    let annotated = s
        .trace_summaries(&q("annotation.Service = \"payments\""))
        .await
        .unwrap();
    assert!(!annotated.is_empty());
    assert!(
        annotated
            .iter()
            .all(|t| t.entry.is_some() && t.services.iter().any(|x| x.name == "payments-webhook"))
    );
    let err = s
        .trace_summaries(&q("service(\"x\") { fault"))
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::InvalidFilter(_)), "{err}");
}

#[tokio::test]
async fn one_function_is_in_an_incident_since_a_deploy_forty_minutes_ago() {
    let s = Source::Demo(demo());
    let f = s.function("orders-api-create").await.unwrap();
    assert_eq!(f.last_modified, T0 - 40 * MINUTE_MS);
    let rate = |w| {
        let s = s.clone();
        async move {
            let inv = total(
                &s,
                "orders-api-create",
                Metric::Invocations,
                Statistic::Sum,
                w,
            )
            .await;
            let err = total(&s, "orders-api-create", Metric::Errors, Statistic::Sum, w).await;
            100.0 * err / inv
        }
    };
    let before = rate(TimeWindow::new(T0 - 100 * MINUTE_MS, T0 - 41 * MINUTE_MS)).await;
    let early = rate(TimeWindow::new(T0 - 40 * MINUTE_MS, T0 - 25 * MINUTE_MS)).await;
    let now = rate(TimeWindow::new(T0 - 15 * MINUTE_MS, T0)).await;
    assert!(before < 1.0, "before the deploy: {before:.2}%");
    assert!(
        early > 2.0 && now > early,
        "errors rise after the deploy: {early:.1}% then {now:.1}%"
    );
    // The rest of the shop is healthy.
    for name in ["orders-api-get", "auth-authorizer", "email-sender"] {
        let w = TimeWindow::new(T0 - 60 * MINUTE_MS, T0);
        let inv = total(&s, name, Metric::Invocations, Statistic::Sum, w).await;
        let err = total(&s, name, Metric::Errors, Statistic::Sum, w).await;
        assert!(err / inv < 0.01, "{name}: {err} errors of {inv}");
    }
}

#[tokio::test]
async fn one_function_is_throttled_at_its_reserved_concurrency() {
    let s = Source::Demo(demo());
    let f = s.function("search-indexer").await.unwrap();
    let reserved = f.reserved_concurrency.expect("reserved concurrency");
    let w = TimeWindow::new(T0 - 10 * MINUTE_MS, T0);
    let throttles = total(&s, &f.name, Metric::Throttles, Statistic::Sum, w).await;
    let concurrency = total(&s, &f.name, Metric::ConcurrentExecutions, Statistic::Max, w).await;
    assert!(throttles > 50.0, "throttles {throttles}");
    assert_eq!(
        concurrency,
        f64::from(reserved),
        "pinned at its reserved concurrency"
    );
    let other = total(&s, "orders-api-get", Metric::Throttles, Statistic::Sum, w).await;
    assert_eq!(other, 0.0);
}

#[tokio::test]
async fn cold_starts_follow_deploys_and_init_durations_follow_runtimes() {
    let s = Source::Demo(demo());
    let deploy = T0 - 40 * MINUTE_MS;
    let after = total(
        &s,
        "orders-api-create",
        Metric::ColdStarts,
        Statistic::Sum,
        TimeWindow::new(deploy, deploy + 5 * MINUTE_MS),
    )
    .await;
    let before = total(
        &s,
        "orders-api-create",
        Metric::ColdStarts,
        Statistic::Sum,
        TimeWindow::new(deploy - 5 * MINUTE_MS, deploy),
    )
    .await;
    assert!(
        after > before,
        "cold starts bunch after the deploy: {before} then {after}"
    );
    let day = TimeWindow::new(T0 - 24 * 60 * MINUTE_MS, T0);
    let java = total(
        &s,
        "inventory-reserve",
        Metric::InitDuration,
        Statistic::Max,
        day,
    )
    .await;
    let python = total(
        &s,
        "thumbnail-resize",
        Metric::InitDuration,
        Statistic::Max,
        day,
    )
    .await;
    let native = total(
        &s,
        "auth-authorizer",
        Metric::InitDuration,
        Statistic::Max,
        day,
    )
    .await;
    assert!(java > 1800.0, "Java init {java} ms");
    assert!((100.0..600.0).contains(&python), "Python init {python} ms");
    assert!(native < 100.0, "provided.al2023 init {native} ms");
}

#[tokio::test]
async fn the_same_seed_and_clock_give_the_same_account() {
    let a = Source::Demo(DemoSource::new(7, Clock::Fixed(T0)));
    let b = Source::Demo(DemoSource::new(7, Clock::Fixed(T0)));
    let c = Source::Demo(DemoSource::new(8, Clock::Fixed(T0)));
    let w = TimeWindow::new(T0 - 30 * MINUTE_MS, T0);
    let q = |g: &str| LogQuery {
        log_groups: vec![g.into()],
        window: w,
        filter_pattern: String::new(),
        limit: 500,
        newest_first: true,
        next_token: None,
    };
    let ga = a.logs(&q("/shop/api")).await.unwrap();
    assert_eq!(ga, b.logs(&q("/shop/api")).await.unwrap());
    assert_ne!(ga, c.logs(&q("/shop/api")).await.unwrap());
    // A shared custom log group carries both functions' streams.
    let streams: HashSet<_> = ga
        .events
        .iter()
        .map(|e| e.log_stream.split('[').next().unwrap_or("").to_string())
        .collect();
    assert!(
        streams.iter().any(|s| s.ends_with("users-api-profile"))
            && streams.iter().any(|s| s.ends_with("cart-api-update"))
    );
}

#[tokio::test]
async fn a_seven_day_window_is_paged_not_built() {
    let s = Source::Demo(demo());
    let w = TimeWindow::new(T0 - 7 * 24 * 60 * MINUTE_MS, T0);
    let q = LogQuery {
        log_groups: vec!["/aws/lambda/auth-authorizer".into()],
        window: w,
        filter_pattern: String::new(),
        limit: 1000,
        newest_first: true,
        next_token: None,
    };
    let page = s.logs(&q).await.unwrap();
    assert!(
        !page.events.is_empty() && page.events.len() < 3000,
        "one page, not a week: {}",
        page.events.len()
    );
    assert!(page.next_token.is_some(), "more pages follow");
    assert!(
        page.events.iter().all(|e| e.timestamp > T0 - 5 * MINUTE_MS),
        "newest first: the page is the last minutes"
    );
}

#[tokio::test]
async fn with_the_real_clock_new_events_keep_arriving() {
    use futures::StreamExt;
    let s = Source::Demo(DemoSource::new(1, Clock::Real));
    let req = lambdascope::domain::TailRequest {
        log_groups: vec![
            "/aws/lambda/auth-authorizer".into(),
            "/aws/lambda/orders-api-get".into(),
        ],
        filter_pattern: String::new(),
        since: None,
    };
    let mut tail = s.tail(&req).await.unwrap();
    let mut got = 0;
    let mut ids = HashSet::new();
    for _ in 0..6 {
        if let Some(lambdascope::domain::TailUpdate::Events(evs)) = tail.next().await {
            for e in evs {
                assert!(ids.insert(e.event_id.clone()), "event delivered twice");
                got += 1;
            }
        }
    }
    assert!(got > 0, "the live demo produced no events in five seconds");
}

#[tokio::test]
async fn logs_agree_with_metrics_report_lines_init_durations_and_errors() {
    use lambdascope::domain::Outcome;
    use lambdascope::model::logs::invocations;
    let s = Source::Demo(demo());
    // A window with the incident in it; logs read on past its end so long runs finish.
    let window = TimeWindow::new(T0 - 30 * MINUTE_MS, T0 - 20 * MINUTE_MS);
    let fns = s.list_functions().await.unwrap();
    let mut checked = 0;
    for f in &fns {
        let logs_window = TimeWindow::new(
            window.start,
            window.end + (i64::from(f.timeout_s) * 1000 + 10_000),
        );
        let events: Vec<_> = common::all_logs(&s, &f.log_group, logs_window)
            .await
            .into_iter()
            // Shared groups name the function in the stream.
            .filter(|e| {
                f.log_group.starts_with("/aws/lambda/")
                    || e.log_stream.contains(&format!("/{}[", f.name))
            })
            .collect();
        let mine: Vec<_> = invocations(&f.name, &events)
            .into_iter()
            .filter(|i| {
                let arrival = i.start - i.init_duration_ms.map_or(0, |d| d.ceil() as i64);
                window.contains(arrival)
            })
            .collect();
        let metric = |m| total(&s, &f.name, m, Statistic::Sum, window);
        assert_eq!(
            mine.len() as f64,
            metric(Metric::Invocations).await,
            "{}: REPORT lines vs Invocations",
            f.name
        );
        let cold = mine.iter().filter(|i| i.init_duration_ms.is_some()).count();
        if !f.snap_start {
            assert_eq!(
                cold as f64,
                metric(Metric::ColdStarts).await,
                "{}: Init Duration lines vs cold starts",
                f.name
            );
        }
        let runtime = f.runtime.as_deref().unwrap_or("");
        if runtime.starts_with("python") || runtime.starts_with("nodejs") {
            let errors = mine
                .iter()
                .filter(|i| i.outcome != Outcome::Success)
                .count();
            assert_eq!(
                errors as f64,
                metric(Metric::Errors).await,
                "{}: failed invocations vs Errors",
                f.name
            );
        }
        for i in &mine {
            match i.init_duration_ms {
                // Since 2025-08 the INIT phase is billed with the first request.
                Some(init) if !f.snap_start => assert_eq!(
                    i.billed_ms,
                    (i.duration_ms + init).ceil(),
                    "{}: {i:?}",
                    f.name
                ),
                _ => assert!(
                    i.billed_ms >= i.duration_ms && i.billed_ms < i.duration_ms + 1.0,
                    "{}: {i:?}",
                    f.name
                ),
            }
            if f.tracing == TracingMode::Active {
                assert!(
                    i.trace_id.as_deref().is_some_and(|t| t.starts_with("1-")),
                    "{}: traced REPORT without a trace id",
                    f.name
                );
            }
        }
        checked += mine.len();
    }
    assert!(checked > 5_000, "checked {checked} invocations");
}

/// The cold-start analysis's source of truth agrees with the logs: every cold start the demo
/// lists is one REPORT line with `Init Duration` (or, on SnapStart, `Restore Duration`), at
/// the same arrival and with the same duration; and the ColdStarts metric counts them too.
#[tokio::test]
async fn cold_starts_are_the_report_lines_with_init_or_restore_durations() {
    use lambdascope::domain::ColdStartQuery;
    use lambdascope::parse::lambda::{LogLine, classify};
    let s = Source::Demo(demo());
    let window = TimeWindow::new(T0 - 45 * MINUTE_MS, T0 - 15 * MINUTE_MS);
    let fns = s.list_functions().await.unwrap();
    let (mut inits, mut restores) = (0, 0);
    for f in &fns {
        let data = s
            .cold_starts(&ColdStartQuery {
                function: f.name.clone(),
                window,
                period_s: 60,
            })
            .await
            .unwrap();
        let listed = data.starts.expect("the demo lists each cold start");
        assert!(listed.windows(2).all(|w| w[0].t <= w[1].t), "ascending");
        // The REPORT lines of invocations that arrived in the window.
        let logs_window = TimeWindow::new(
            window.start,
            window.end + i64::from(f.timeout_s) * 1000 + 10_000,
        );
        let mut from_logs: Vec<(i64, f64, bool)> = Vec::new();
        for e in common::all_logs(&s, &f.log_group, logs_window).await {
            if f.shares_log_group() && !e.log_stream.contains(&format!("/{}[", f.name)) {
                continue;
            }
            let LogLine::Report(r) = classify(&e.message) else {
                continue;
            };
            let (ms, restore) = match (r.init_duration_ms, r.restore_duration_ms) {
                (Some(i), _) => (i, false),
                (None, Some(x)) => (x, true),
                _ => continue,
            };
            let arrival = e.timestamp - (r.duration_ms + ms).ceil() as i64 - 1;
            if window.contains(arrival) {
                from_logs.push((arrival, ms, restore));
            }
        }
        assert_eq!(
            listed.len(),
            from_logs.len(),
            "{}: cold starts listed vs REPORT lines with Init/Restore Duration",
            f.name
        );
        for (c, (arrival, ms, restore)) in listed.iter().zip(&from_logs) {
            assert!((c.t - arrival).abs() <= 2, "{}: {c:?} vs {arrival}", f.name);
            assert!((c.init_ms - ms).abs() < 0.01, "{}: {c:?} vs {ms}", f.name);
            assert_eq!(c.restore, *restore, "{}", f.name);
        }
        let metric = total(&s, &f.name, Metric::ColdStarts, Statistic::Sum, window).await;
        assert_eq!(metric, listed.len() as f64, "{}: ColdStarts metric", f.name);
        inits += listed.iter().filter(|c| !c.restore).count();
        restores += listed.iter().filter(|c| c.restore).count();
    }
    assert!(inits > 10, "init cold starts checked: {inits}");
    assert!(restores > 0, "SnapStart restores are counted, not dropped");
}

/// Deploys are part of the traffic model: the versions the demo reports are where the cold
/// starts bunch, for earlier deploys as much as the one that started the incident.
#[tokio::test]
async fn every_deploy_in_the_history_brings_a_wave_of_cold_starts() {
    let s = Source::Demo(demo());
    let f = s.function("orders-api-get").await.unwrap();
    let times = f.deploy_times();
    assert!(times.len() >= 3, "{:?}", f.deploys);
    assert_eq!(*times.last().unwrap(), f.last_modified);
    let incident = s.function("orders-api-create").await.unwrap();
    assert_eq!(incident.deploy_times().last(), Some(&(T0 - 40 * MINUTE_MS)));
    for &d in &times {
        // Past 15 days CloudWatch keeps 5-minute data only: compare the ten minutes before the
        // deploy's five-minute bucket with the ten from it (the plan would widen a 3-minute window).
        let step = if T0 - d > 15 * 24 * 60 * MINUTE_MS {
            5
        } else {
            1
        } * MINUTE_MS;
        let at = d.div_euclid(step) * step;
        let (before, after) = (
            TimeWindow::new(at - 10 * MINUTE_MS, at),
            TimeWindow::new(
                at + if step > MINUTE_MS { 0 } else { MINUTE_MS },
                at + 11 * MINUTE_MS,
            ),
        );
        let before = total(&s, &f.name, Metric::ColdStarts, Statistic::Sum, before).await;
        let after = total(&s, &f.name, Metric::ColdStarts, Statistic::Sum, after).await;
        assert!(
            after > before,
            "deploy at {d}: {before} cold starts before, {after} after"
        );
    }
}

/// The alarms tell the story the metrics tell: orders-api-create's errors alarm went into ALARM
/// soon after its deploy, on two minutes whose Errors sums are over its threshold, the minute
/// before was not, and the composite over it has been in ALARM since at least then.
#[tokio::test]
async fn the_errors_alarm_fired_soon_after_the_deploy_on_the_demo_s_own_metrics() {
    use lambdascope::domain::{AlarmKind, AlarmState, Watched};
    let s = Source::Demo(demo());
    let alarms = s.alarms().await.unwrap();
    let by = |name: &str| alarms.iter().find(|a| a.name == name).expect(name);
    let f = s.function("orders-api-create").await.unwrap();
    let deploy = f.deploys.last().map(|d| d.at).unwrap();

    let errors = by("orders-api-create-errors");
    assert_eq!(errors.state, AlarmState::Alarm);
    assert_eq!(errors.watched, Watched::Function(f.name.clone()));
    let since = errors.state_since.unwrap();
    assert!(
        since > deploy && since <= deploy + 15 * MINUTE_MS,
        "in ALARM {} min after the deploy",
        (since - deploy) / MINUTE_MS
    );
    let threshold = errors.threshold.unwrap();
    let minute = |end: i64| {
        let s = s.clone();
        async move {
            total(
                &s,
                "orders-api-create",
                Metric::Errors,
                Statistic::Sum,
                TimeWindow::new(end - MINUTE_MS, end),
            )
            .await
        }
    };
    // Evaluated at `since` over the two minutes before it: both breached.
    for end in [since, since - MINUTE_MS] {
        let v = minute(end).await;
        assert!(v >= threshold, "{v} errors in the minute to {end}");
    }
    // One evaluation earlier it was not in ALARM: the minute before those two was under.
    let before = minute(since - 2 * MINUTE_MS).await;
    assert!(before < threshold, "{before} errors: it fired earlier");

    let composite = by("checkout-degraded");
    assert_eq!(composite.kind, AlarmKind::Composite);
    assert_eq!(composite.state, AlarmState::Alarm);
    assert!(composite.state_since.unwrap() <= since);
    assert!(composite.state_since.unwrap() > deploy);

    let throttles = by("search-indexer-throttles");
    assert_eq!(throttles.state, AlarmState::Alarm);
    assert!(
        throttles.state_since.unwrap() >= T0 - 25 * MINUTE_MS,
        "since the backfill"
    );
    assert_eq!(by("email-sender-dlq-not-empty").state, AlarmState::Ok);
    for a in &alarms {
        assert!(
            a.state_since.unwrap() <= T0,
            "{}: a change in the future",
            a.name
        );
    }
}
