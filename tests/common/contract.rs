//! The contract every Source honours, demo or AWS. Each check returns what it found so the
//! caller can add its own expectations.

use std::collections::HashSet;

use lambdascope::domain::{
    HOUR_MS, LogQuery, Metric, MetricQuery, MetricRequest, Statistic, StreamQuery, TimeWindow,
    TraceQuery,
};
use lambdascope::source::Source;

pub struct Found {
    pub functions: usize,
    pub log_events: usize,
    pub traces: usize,
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
    // Cold starts: when a source can list them, they are inside the window, in order.
    let q = lambdascope::domain::ColdStartQuery {
        function: first.name.clone(),
        window,
        period_s: 300,
    };
    if let Ok(data) = source.cold_starts(&q).await {
        assert_eq!(data.window, window);
        if let Some(starts) = &data.starts {
            assert!(starts.windows(2).all(|w| w[0].t <= w[1].t), "cold starts in order");
            assert!(
                starts.iter().all(|c| window.contains(c.t) && c.init_ms >= 0.0),
                "cold starts inside the window"
            );
        }
    }

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
    let series = source.metrics(&req).await.expect("metrics");
    assert_eq!(series.len(), queries.len(), "one series per query");
    for (s, q) in series.iter().zip(&queries) {
        assert_eq!(&s.query, q, "series in query order");
        assert!(
            s.points.windows(2).all(|w| w[0].t < w[1].t),
            "points ascending"
        );
        for p in &s.points {
            assert!(
                p.t >= window.start - 300_000 && p.t < window.end,
                "point {} outside the window",
                p.t
            );
            assert_eq!(p.t % 60_000, 0, "points on minute boundaries");
            assert!(p.v.is_finite() && p.v >= 0.0);
        }
    }

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
    }
}
