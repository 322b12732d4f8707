//! What an 8-hour shift with the console open costs on AWS, measured, not estimated: the real
//! `update` is driven through a simulated shift (a fixed clock ticking every second, every
//! job answered at once), the jobs it emits are counted and priced at AWS's public prices.
//! The README's cost figures are these.
#![cfg(feature = "aws")]

use crate::common;

use lambdascope::app::jobs::{Job, Request};
use lambdascope::app::{Action, Cmd, Msg, State, update};
use lambdascope::domain::{
    ColdStartData, ColdStartSource, Function, HOUR_MS, Metric, MetricRequest, MetricSeries, Point,
    SourceInfo, WindowChoice,
};
use lambdascope::screens::functions::FunctionsAction;
use lambdascope::source::aws::cost::{USD_PER_INSIGHTS_GB, USD_PER_METRIC_REQUESTED};

/// GetMetricData takes at most 500 queries a call.
const QUERIES_PER_CALL: usize = 500;
/// Logs Insights bills the bytes a query scans: a cold-start query reads one function's log
/// group over the window. One busy function writes about 10 MB an hour of logs.
const GB_SCANNED_PER_FUNCTION_HOUR: f64 = 0.01;

fn function(i: usize) -> Function {
    let name = format!("fn-{i:04}");
    Function {
        arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
        runtime: Some("python3.12".into()),
        memory_mb: 256,
        timeout_s: 10,
        log_group: Function::default_log_group(&name),
        name,
        ..Default::default()
    }
}

#[derive(Debug, Default)]
struct Bill {
    metric_calls: u64,
    metrics_requested: u64,
    insights_queries: u64,
    insights_gb: f64,
    other_calls: u64,
}

impl Bill {
    fn usd(&self) -> f64 {
        self.metrics_requested as f64 * USD_PER_METRIC_REQUESTED
            + self.insights_gb * USD_PER_INSIGHTS_GB
    }

    /// One Logs Insights query over `functions` log groups for `window_ms`.
    fn insights(&mut self, functions: usize, window_ms: i64) {
        self.insights_queries += 1;
        self.insights_gb +=
            functions as f64 * GB_SCANNED_PER_FUNCTION_HOUR * window_ms as f64 / HOUR_MS as f64;
    }

    fn metrics(&mut self, reqs: &[&MetricRequest]) {
        // Cold starts are not CloudWatch metrics: the AWS backend counts them with one Logs
        // Insights query per function.
        let mut cloudwatch = 0usize;
        for r in reqs {
            let mut cold_functions: Vec<&str> = Vec::new();
            for q in &r.queries {
                if q.metric.cloudwatch_name().is_some() {
                    cloudwatch += 1;
                } else if !cold_functions.contains(&q.function.as_str()) {
                    cold_functions.push(&q.function);
                }
            }
            if cold_functions.len() > 3 {
                // Window totals of many functions: one query per 50 log groups.
                for chunk in cold_functions.chunks(50) {
                    self.insights(chunk.len(), r.window.len_ms());
                }
            } else {
                for _ in &cold_functions {
                    self.insights(1, r.window.len_ms());
                }
            }
        }
        self.metrics_requested += cloudwatch as u64;
        self.metric_calls += cloudwatch.div_ceil(QUERIES_PER_CALL) as u64;
    }
}

fn series(req: &MetricRequest) -> Vec<MetricSeries> {
    req.queries
        .iter()
        .map(|q| MetricSeries {
            query: q.clone(),
            period_s: req.period_s,
            points: vec![Point {
                t: req.window.start,
                // One function in ten has errors and throttles, the rest none.
                v: match q.metric {
                    Metric::Errors | Metric::Throttles if !q.function.ends_with('0') => 0.0,
                    Metric::Errors | Metric::Throttles => 1.0,
                    _ => 10.0,
                },
            }],
            unavailable: None,
        })
        .collect()
}

/// Answers a job at once, as a source with data would, and bills it.
fn answer(job: Job, fns: &[Function], bill: &mut Bill) -> Option<Msg> {
    Some(match job.request {
        Request::Functions(reply) => {
            bill.other_calls += fns.len().div_ceil(50) as u64;
            reply(Ok(fns.to_vec()))
        }
        Request::Function(name, reply) => {
            bill.other_calls += 1;
            reply(Ok(fns.iter().find(|f| f.name == name)?.clone()))
        }
        Request::Metrics(req, reply) => {
            bill.metrics(&[&req]);
            reply(Ok(series(&req)))
        }
        Request::MetricSets(reqs, reply) => {
            bill.metrics(&reqs.iter().collect::<Vec<_>>());
            reply(Ok(reqs.iter().map(series).collect()))
        }
        // The dashboard's cold starts: one Logs Insights query over the function's group.
        Request::ColdStarts(q, reply) => {
            bill.insights(1, q.window.len_ms());
            reply(Ok(ColdStartData {
                function: q.function.clone(),
                window: q.window,
                source: ColdStartSource::LogsInsights {
                    bytes_scanned: 0.0,
                    usd: 0.0,
                    matched: Some(0),
                },
                starts: Some(vec![]),
                complete_from: q.window.start,
                series: vec![],
            }))
        }
        Request::AccountSettings(reply) => {
            bill.other_calls += 1;
            reply(Ok(Default::default()))
        }
        _ => return None,
    })
}

fn run(state: &mut State, cmds: Vec<Cmd>, fns: &[Function], bill: &mut Bill) {
    let mut queue = cmds;
    while !queue.is_empty() {
        let mut next = Vec::new();
        for cmd in queue {
            if let Cmd::Job(job) = cmd
                && let Some(msg) = answer(job, fns, bill)
            {
                next.extend(update(state, msg));
            }
        }
        queue = next;
    }
}

/// Where the console sits through a shift.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Screen {
    Functions,
    /// One function's dashboard the whole time.
    Dashboard,
    /// The account overview the whole time.
    Overview,
}

/// A shift of `hours` on an account of `n` functions, on the functions screen, with one
/// function's dashboard open the whole time if `dashboard`.
fn shift(n: usize, hours: i64, dashboard: bool) -> Bill {
    let on = if dashboard {
        Screen::Dashboard
    } else {
        Screen::Functions
    };
    shift_on(n, hours, on, WindowChoice::H1)
}

fn shift_on(n: usize, hours: i64, on: Screen, window: WindowChoice) -> Bill {
    let fns: Vec<Function> = (0..n).map(function).collect();
    let info = SourceInfo::Aws {
        account: Some("123456789012".into()),
        profile: None,
        region: "us-east-1".into(),
        endpoint: None,
    };
    let start = common::T0;
    let mut state = State::new(info.clone(), start, "dark", vec![]);
    state.ctx.size = (120, 40);
    state.ctx.window = window;
    let mut bill = Bill::default();
    let cmds = lambdascope::app::start(&mut state);
    run(&mut state, cmds, &fns, &mut bill);
    let open = match on {
        Screen::Functions => None,
        Screen::Dashboard => Some(Action::Enter),
        Screen::Overview => Some(FunctionsAction::Overview.into()),
    };
    if let Some(a) = open {
        let cmds = update(&mut state, Msg::Action(a));
        run(&mut state, cmds, &fns, &mut bill);
    }
    let mut now = start;
    while now < start + hours * HOUR_MS {
        now += 1000;
        let tick = Msg::Tick {
            now,
            health: Default::default(),
            info: info.clone(),
        };
        let cmds = update(&mut state, tick);
        run(&mut state, cmds, &fns, &mut bill);
    }
    bill
}

#[test]
fn an_eight_hour_shift_on_the_functions_screen() {
    // Every health round also asks for the invocations of the functions that had errors or
    // throttles (one in ten here), so their rates are never new errors over old traffic.
    for (n, at_most) in [(200, 1.15), (1000, 1.8)] {
        let bill = shift(n, 8, false);
        println!(
            "{n} functions, functions screen, 8 h: {} GetMetricData calls, {} metrics, ${:.2}",
            bill.metric_calls,
            bill.metrics_requested,
            bill.usd()
        );
        assert!(bill.metric_calls > 0);
        assert!(bill.usd() <= at_most, "{n} functions: ${:.2}", bill.usd());
    }
}

#[test]
fn an_eight_hour_shift_on_one_dashboard() {
    for (n, at_most) in [(200, 0.6), (1000, 1.1)] {
        let bill = shift(n, 8, true);
        println!(
            "{n} functions, one dashboard, 8 h: {} GetMetricData calls, {} metrics, {} Insights queries ({:.2} GB), ${:.2}",
            bill.metric_calls,
            bill.metrics_requested,
            bill.insights_queries,
            bill.insights_gb,
            bill.usd()
        );
        assert!(
            bill.insights_queries > 0,
            "the dashboard counts cold starts"
        );
        assert!(bill.usd() <= at_most, "{n} functions: ${:.2}", bill.usd());
    }
}

#[test]
fn the_functions_screen_asks_only_for_rows_on_screen_and_the_health_of_all() {
    // One refresh at 1,000 functions: health totals for all (2 metrics each, in batches of
    // 500), invocations for those that had errors, and 5 series for each row on screen.
    let bill = shift(1000, 0, false);
    println!(
        "1000 functions, first screen: {} GetMetricData calls, {} metrics",
        bill.metric_calls, bill.metrics_requested
    );
    let rows = 36;
    assert!(bill.metrics_requested <= 2 * 1000 + 1000 + 4 * rows as u64);
}

/// Cold starts on a dashboard come from Logs Insights, which bills the bytes scanned, and a
/// query scans the whole window: the policy asks less often for wider windows, so a shift
/// scans about the same whatever the window, and far less than asking every minute.
#[test]
fn the_dashboard_cold_start_cadence_keeps_insights_cheap_at_any_window() {
    let mut scanned = Vec::new();
    for w in [
        WindowChoice::H1,
        WindowChoice::H12,
        WindowChoice::D1,
        WindowChoice::D7,
    ] {
        let bill = shift_on(200, 8, Screen::Dashboard, w);
        println!(
            "200 functions, one dashboard, window {}, 8 h: {} Insights queries, {:.2} GB scanned, ${:.3} Insights, ${:.2} in all",
            w.label(),
            bill.insights_queries,
            bill.insights_gb,
            bill.insights_gb * USD_PER_INSIGHTS_GB,
            bill.usd()
        );
        scanned.push(bill.insights_gb);
    }
    // Asking every minute over a day's window would scan 480 days of logs.
    let every_minute = 480.0 * 24.0 * GB_SCANNED_PER_FUNCTION_HOUR;
    for gb in &scanned {
        assert!(*gb <= 0.15 * every_minute, "{gb} GB");
    }
    let (lo, hi) = scanned
        .iter()
        .fold((f64::MAX, 0.0_f64), |(lo, hi), &g| (lo.min(g), hi.max(g)));
    assert!(
        hi / lo <= 2.5,
        "scanned per shift varies too much with the window: {scanned:?}"
    );
}

#[test]
fn an_eight_hour_shift_on_the_overview() {
    for (n, at_most) in [(200, 1.0), (1000, 2.0)] {
        let bill = shift_on(n, 8, Screen::Overview, WindowChoice::H1);
        println!(
            "{n} functions, overview, 8 h: {} GetMetricData calls, {} metrics, {} Insights queries ({:.2} GB), ${:.2}",
            bill.metric_calls,
            bill.metrics_requested,
            bill.insights_queries,
            bill.insights_gb,
            bill.usd()
        );
        assert!(bill.metric_calls > 0);
        assert!(bill.usd() <= at_most, "{n} functions: ${:.2}", bill.usd());
    }
}
