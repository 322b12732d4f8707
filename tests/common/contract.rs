//! The contract every Source honours, demo or AWS. Each check returns what it found so the
//! caller can add its own expectations.

use std::collections::HashSet;

use lambdascope::domain::{
    EpochMs, HOUR_MS, LogQuery, MINUTE_MS, Metric, MetricPlan, MetricQuery, MetricRequest, Point,
    SourceError, Statistic, StreamQuery, TimeWindow, TraceQuery,
};
use lambdascope::source::Source;

pub struct Found {
    pub functions: usize,
    pub log_events: usize,
    pub traces: usize,
    /// Cold starts listed for the first function; `None` where the source cannot list them.
    pub cold_starts: Option<usize>,
}

/// Runs the whole contract. `window` should hold traffic for at least one function.
pub async fn check(source: &Source, window: TimeWindow) -> Found {
    // Functions: non-empty, unique names, each one fetchable by name.
    let fns = source.list_functions().await.expect("list_functions");
    assert!(!fns.is_empty(), "no functions");
    let names: HashSet<_> = fns.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names.len(), fns.len(), "duplicate function names");
    let first = &fns[0];
    let detail = source.function(&first.name).await.expect("function(name)");
    assert_eq!(detail.name, first.name);
    assert_eq!(detail.log_group, first.log_group);
    assert!(
        source.function("no-such-function-xyz").await.is_err(),
        "unknown function must be an error"
    );

    // Deploys: every function's deploy times hold its last modification.
    assert!(
        detail.last_modified <= 0 || detail.deploy_times().contains(&detail.last_modified),
        "deploy times {:?} miss last_modified {}",
        detail.deploy_times(),
        detail.last_modified
    );
    // Cold starts: inside the window, in order. Only a source that says it cannot run the
    // query here (an emulator without Logs Insights) may skip them; any other error fails.
    let q = lambdascope::domain::ColdStartQuery {
        function: first.name.clone(),
        window,
        period_s: 300,
    };
    let cold_starts = match source.cold_starts(&q).await {
        Ok(data) => {
            assert_eq!(data.window, window);
            if let Some(starts) = &data.starts {
                assert!(
                    starts.windows(2).all(|w| w[0].t <= w[1].t),
                    "cold starts in order"
                );
                assert!(
                    starts
                        .iter()
                        .all(|c| window.contains(c.t) && c.init_ms >= 0.0),
                    "cold starts inside the window"
                );
            }
            data.starts.map(|s| s.len())
        }
        Err(SourceError::Unsupported { .. }) => None,
        Err(e) => panic!("cold_starts({}): {e:?}", first.name),
    };

    // Metrics: one series per query, in order, points ascending, inside the window, on the period.
    let queries: Vec<MetricQuery> = fns
        .iter()
        .take(3)
        .flat_map(|f| {
            [
                (Metric::Invocations, Statistic::Sum),
                (Metric::Errors, Statistic::Sum),
                (Metric::Duration, Statistic::Max),
            ]
            .map(|(metric, stat)| MetricQuery {
                function: f.name.clone(),
                metric,
                stat,
            })
        })
        .collect();
    let req = MetricRequest {
        queries: queries.clone(),
        window,
        period_s: 300,
    };
    let plan = MetricPlan::new(window, 300, source.now());
    let series = source.metrics(&req).await.expect("metrics");
    assert_eq!(series.len(), queries.len(), "one series per query");
    for (s, q) in series.iter().zip(&queries) {
        assert_eq!(&s.query, q, "series in query order");
        assert_on_the_plan(&s.points, plan, s.period_s);
        for p in &s.points {
            assert!(p.v.is_finite() && p.v >= 0.0);
        }
    }
    // Bucketing at every period, on a window that starts on no boundary.
    buckets(source, &first.name, window).await;

    // Logs: pages ascending, inside the window, no event twice across pages.
    let mut seen = HashSet::new();
    let mut contents = HashSet::new();
    let mut a_stream = None;
    let mut total = 0;
    let mut token = None;
    for _ in 0..50 {
        let q = LogQuery {
            log_groups: vec![first.log_group.clone()],
            window,
            filter_pattern: String::new(),
            limit: 200,
            newest_first: false,
            next_token: token.clone(),
        };
        let page = source.logs(&q).await.expect("logs");
        assert!(
            page.events
                .windows(2)
                .all(|w| w[0].timestamp <= w[1].timestamp),
            "events ascending"
        );
        for e in &page.events {
            assert!(window.contains(e.timestamp), "event outside the window");
            assert!(
                seen.insert(e.event_id.clone()),
                "event {} delivered twice",
                e.event_id
            );
            assert_eq!(e.log_group, first.log_group);
            contents.insert((e.timestamp, e.message.clone()));
            a_stream.get_or_insert_with(|| e.log_stream.clone());
        }
        total += page.events.len();
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }

    // One stream read on its own (GetLogEvents): in order, only that stream, the same events.
    if let Some(stream) = a_stream {
        let mut q = StreamQuery {
            log_group: first.log_group.clone(),
            log_stream: stream.clone(),
            window,
            limit: 100,
            next_token: None,
        };
        let mut n = 0;
        for _ in 0..100 {
            let page = source.stream_events(&q).await.expect("stream_events");
            assert!(
                page.events
                    .windows(2)
                    .all(|w| w[0].timestamp <= w[1].timestamp),
                "stream events in order"
            );
            for e in &page.events {
                assert_eq!(e.log_stream, stream);
                assert!(
                    contents.contains(&(e.timestamp, e.message.clone())),
                    "a stream event FilterLogEvents did not return"
                );
            }
            n += page.events.len();
            match page.next_token {
                Some(t) => q.next_token = Some(t),
                None => break,
            }
        }
        assert!(n > 0, "the stream {stream} has events");
    }

    // Traces: summaries in the window, newest first, at most the limit; each fetchable whole.
    let summaries = source
        .trace_summaries(&TraceQuery {
            window: TimeWindow::new(window.end - HOUR_MS, window.end),
            filter: String::new(),
            limit: 20,
        })
        .await
        .expect("trace_summaries");
    assert!(summaries.len() <= 20);
    let ids: Vec<String> = summaries.iter().take(7).map(|s| s.id.clone()).collect();
    let traces = source.traces(&ids).await.expect("traces");
    let got: HashSet<_> = traces.iter().map(|t| t.id.clone()).collect();
    assert_eq!(
        got,
        ids.iter().cloned().collect(),
        "every trace asked for comes back"
    );
    for t in &traces {
        assert!(!t.roots.is_empty(), "trace {} has no root segment", t.id);
    }
    Found {
        functions: fns.len(),
        log_events: total,
        traces: summaries.len(),
        cold_starts,
    }
}

/// Every point of a series starts one of the plan's buckets, and the series says the plan's
/// period: both backends bucket as CloudWatch does, from the plan's start, in whole periods.
pub fn assert_on_the_plan(points: &[Point], plan: MetricPlan, period_s: u32) {
    assert_eq!(period_s, plan.period_s, "the series' period is the plan's");
    assert!(
        points.windows(2).all(|w| w[0].t < w[1].t),
        "points ascending"
    );
    for p in points {
        let bucket = plan.bucket_of(p.t).map(|i| plan.bucket_start(i));
        assert_eq!(
            bucket,
            Some(p.t),
            "point {} is not the start of a bucket of {plan:?}",
            p.t
        );
    }
}

/// The periods the contract checks bucketing at: a minute, five, an hour, and the whole window.
pub fn periods(window: TimeWindow) -> [u32; 4] {
    [60, 300, 3600, (window.len_ms() / 1000) as u32]
}

/// A window that starts on no boundary at all: 7 minutes and 1.234 s into `window`, so that
/// neither backend can get the buckets right by luck.
pub fn ragged(window: TimeWindow) -> TimeWindow {
    TimeWindow::new(window.start + 7 * MINUTE_MS + 1234, window.end)
}

/// `function`'s invocations over [`ragged`]`(window)` at each of [`periods`]: the plan and the
/// bucket timestamps that came back. Callers compare them with what their data implies; the
/// demo and AWS must give the same buckets for the same plan.
pub async fn buckets(
    source: &Source,
    function: &str,
    window: TimeWindow,
) -> Vec<(MetricPlan, Vec<EpochMs>)> {
    let window = ragged(window);
    let mut out = Vec::new();
    for period in periods(window) {
        let plan = MetricPlan::new(window, period, source.now());
        let req = MetricRequest {
            queries: MetricQuery::each(function, &[(Metric::Invocations, Statistic::Sum)]),
            window,
            period_s: period,
        };
        let series = source.metrics(&req).await.expect("metrics");
        assert_eq!(series.len(), 1);
        assert_on_the_plan(&series[0].points, plan, series[0].period_s);
        let stamps = series[0].points.iter().map(|p| p.t).collect();
        out.push((plan, stamps));
    }
    out
}

/// Every bucket start of a plan up to `now`: what a series with data in every minute returns.
pub fn every_bucket(plan: MetricPlan, now: EpochMs) -> Vec<EpochMs> {
    (0..plan.buckets())
        .map(|i| plan.bucket_start(i))
        .filter(|&t| t <= now)
        .collect()
}
