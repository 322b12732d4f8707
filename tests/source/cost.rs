//! What an 8-hour shift with the console open costs on AWS, measured, not estimated: the real
//! `update` is driven through a simulated shift (a fixed clock ticking every second), and every
//! billed job it emits runs through the real AWS backend, whose clients are answered by
//! aws-smithy-mocks at once. The backend's own cost meter (the one the status line shows) is
//! the bill, so batching, percentiles and Logs Insights are priced as the product prices them.
//! The request budget's waits are off, so a shift's calls take seconds.
//! The README's cost figures are these.
#![cfg(feature = "aws")]

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use aws_sdk_cloudwatch::types::{MetricDataResult, StatusCode};
use aws_sdk_cloudwatchlogs::types::{QueryStatistics, QueryStatus};
use aws_smithy_mocks::{Rule, mock};
use lambdascope::app::jobs::{Job, Request};
use lambdascope::app::{Action, Cmd, Msg, State, update, worker};
use lambdascope::domain::{Function, HOUR_MS, SourceInfo, WindowChoice};
use lambdascope::screens::functions::FunctionsAction;
use lambdascope::source::Source;
use lambdascope::source::aws::cost::{USD_PER_INSIGHTS_GB, USD_PER_METRIC_REQUESTED};
use lambdascope::source::aws::{AwsClients, AwsSource, RetryPolicy};

/// Logs Insights bills the bytes a query scans: a cold-start query reads its log groups over
/// the window. One busy function writes about 10 MB an hour of logs.
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

/// GetMetricData with a datapoint for every query: one function in ten has errors and
/// throttles, the rest none; every other figure is 10.
fn metric_data() -> Rule {
    mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(|req| {
        let at = req
            .start_time()
            .cloned()
            .unwrap_or(aws_smithy_types::DateTime::from_secs(0));
        let results = req
            .metric_data_queries()
            .iter()
            .map(|q| {
                let metric = q.metric_stat().and_then(|s| s.metric());
                let name = metric.and_then(|m| m.metric_name()).unwrap_or_default();
                let function = metric
                    .and_then(|m| m.dimensions().first())
                    .and_then(|d| d.value())
                    .unwrap_or_default();
                let v = match name {
                    "Errors" | "Throttles" if function.ends_with('0') => 1.0,
                    "Errors" | "Throttles" => 0.0,
                    _ => 10.0,
                };
                MetricDataResult::builder()
                    .set_id(q.id().map(str::to_string))
                    .timestamps(at)
                    .values(v)
                    .status_code(StatusCode::Complete)
                    .build()
            })
            .collect();
        aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput::builder()
            .set_metric_data_results(Some(results))
            .build()
    })
}

/// Logs Insights: every query is done at once, having scanned its groups over its window.
fn insights() -> Vec<Rule> {
    let scanned: Arc<Mutex<HashMap<String, f64>>> = Arc::default();
    let started = scanned.clone();
    let start =
        mock!(aws_sdk_cloudwatchlogs::Client::start_query).then_compute_output(move |req| {
            let hours =
                (req.end_time().unwrap_or(0) + 1 - req.start_time().unwrap_or(0)) as f64 / 3600.0;
            let gb = req.log_group_names().len() as f64 * GB_SCANNED_PER_FUNCTION_HOUR * hours;
            let mut map = started.lock().unwrap_or_else(|p| p.into_inner());
            let id = format!("q-{}", map.len());
            map.insert(id.clone(), gb * 1e9);
            aws_sdk_cloudwatchlogs::operation::start_query::StartQueryOutput::builder()
                .query_id(id)
                .build()
        });
    let results =
        mock!(aws_sdk_cloudwatchlogs::Client::get_query_results).then_compute_output(move |req| {
            let bytes = scanned
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(req.query_id().unwrap_or_default())
                .copied()
                .unwrap_or(0.0);
            aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput::builder()
                .status(QueryStatus::Complete)
                .statistics(QueryStatistics::builder().bytes_scanned(bytes).build())
                .build()
        });
    vec![start, results]
}

/// GetFunction for whichever function is asked about (cold starts read its log group).
fn get_function() -> Rule {
    mock!(aws_sdk_lambda::Client::get_function).then_compute_output(|req| {
        let name = req.function_name().unwrap_or_default().to_string();
        aws_sdk_lambda::operation::get_function::GetFunctionOutput::builder()
            .configuration(
                aws_sdk_lambda::types::FunctionConfiguration::builder()
                    .function_arn(format!(
                        "arn:aws:lambda:us-east-1:123456789012:function:{name}"
                    ))
                    .function_name(name)
                    .build(),
            )
            .build()
    })
}

/// The AWS backend with every billed API answered.
fn aws() -> AwsSource {
    let (metrics, function, logs) = (metric_data(), get_function(), insights());
    let clients = AwsClients {
        lambda: mocked!(aws_sdk_lambda, [&function], "us-east-1"),
        cloudwatch: mocked!(aws_sdk_cloudwatch, [&metrics], "us-east-1"),
        logs: mocked!(aws_sdk_cloudwatchlogs, logs.iter(), "us-east-1"),
        xray: mocked!(aws_sdk_xray, Vec::<&Rule>::new(), "us-east-1"),
    };
    AwsSource::from_clients(clients, "us-east-1", RetryPolicy::default())
}

/// What a shift cost, read from the backend's meter.
#[derive(Debug, Default)]
struct Bill {
    metric_calls: u64,
    metrics_requested: u64,
    insights_queries: u64,
    insights_gb: f64,
    usd: f64,
    /// Dollars per job target (what each cadence costs).
    per_target: BTreeMap<String, f64>,
}

impl Bill {
    fn usd(&self) -> f64 {
        self.usd
    }
}

struct Shift {
    rt: tokio::runtime::Runtime,
    source: Source,
    aws: AwsSource,
    fns: Vec<Function>,
    per_target: BTreeMap<String, f64>,
}

impl Shift {
    fn new(fns: Vec<Function>) -> Shift {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let aws = rt.block_on(async { aws() }).unbudgeted();
        Shift {
            rt,
            source: Source::Aws(aws.clone()),
            aws,
            fns,
            per_target: BTreeMap::new(),
        }
    }

    /// Answers a job. The control plane (free) is answered here; every billed request runs
    /// through the backend, and what it cost is put down to the job's target.
    fn answer(&mut self, job: Job) -> Option<Msg> {
        let target = format!("{:?}", job.key.target);
        let target = target.split('(').next().unwrap_or_default().to_string();
        Some(match job.request {
            Request::Functions(reply) => reply(Ok(self.fns.clone())),
            Request::Function(name, reply) => {
                reply(Ok(self.fns.iter().find(|f| f.name == name)?.clone()))
            }
            Request::AccountSettings(reply) => reply(Ok(Default::default())),
            r @ (Request::Metrics(..) | Request::MetricSets(..) | Request::ColdStarts(..)) => {
                let before = self.aws.health().estimated_usd;
                let msg = self.rt.block_on(worker::run(&self.source, r));
                let spent = self.aws.health().estimated_usd - before;
                *self.per_target.entry(target).or_default() += spent;
                msg
            }
            _ => return None,
        })
    }

    fn run(&mut self, state: &mut State, cmds: Vec<Cmd>) {
        let mut queue = cmds;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for cmd in queue {
                if let Cmd::Job(job) = cmd
                    && let Some(msg) = self.answer(job)
                {
                    next.extend(update(state, msg));
                }
            }
            queue = next;
        }
    }

    fn bill(self) -> Bill {
        let health = self.aws.health();
        let line = |api: &str| health.usage.iter().find(|u| u.api == api);
        Bill {
            metric_calls: line("GetMetricData").map_or(0, |u| u.calls),
            metrics_requested: line("GetMetricData").map_or(0.0, |u| u.billed_units) as u64,
            insights_queries: line("StartQuery").map_or(0, |u| u.calls),
            insights_gb: line("StartQuery").map_or(0.0, |u| u.billed_units),
            usd: health.estimated_usd,
            per_target: self.per_target,
        }
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
    let mut shift = Shift::new((0..n).map(function).collect());
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
    let cmds = lambdascope::app::start(&mut state);
    shift.run(&mut state, cmds);
    let open = match on {
        Screen::Functions => None,
        Screen::Dashboard => Some(Action::Enter),
        Screen::Overview => Some(FunctionsAction::Overview.into()),
    };
    if let Some(a) = open {
        let cmds = update(&mut state, Msg::Action(a));
        shift.run(&mut state, cmds);
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
        shift.run(&mut state, cmds);
    }
    shift.bill()
}

#[test]
fn an_eight_hour_shift_on_the_functions_screen() {
    // Every health round also asks for the invocations of the functions that had errors or
    // throttles (one in ten here), so their rates are never new errors over old traffic.
    for (n, at_most) in [(200, 0.95), (1000, 1.6)] {
        let bill = shift(n, 8, false);
        println!(
            "{n} functions, functions screen, 8 h: {} GetMetricData calls, {} metrics, ${:.2}",
            bill.metric_calls,
            bill.metrics_requested,
            bill.usd()
        );
        for (target, usd) in &bill.per_target {
            println!("  {target}: ${usd:.3}");
        }
        assert!(bill.usd() <= at_most, "{n} functions: ${:.2}", bill.usd());
        // The cut spared the health ranking: errors and throttles of every function at every
        // round (every 5 minutes at 200 functions, 10 at 1,000).
        let rounds = if n <= 200 { 8 * 12 } else { 8 * 6 };
        let health = bill.per_target.get("AccountHealth").copied().unwrap_or(0.0);
        let floor = (2 * n * rounds) as f64 * USD_PER_METRIC_REQUESTED;
        assert!(
            health >= floor * 0.99,
            "{n} functions: health ${health:.3} < ${floor:.3}"
        );
        // The rows in view: trend, errors and throttles every minute (errors and throttles
        // from the health round when it is due), p95 every 5 minutes.
        let rows = bill.per_target.get("RowStats").copied().unwrap_or(0.0);
        let per_row = (8 * 60) + 2 * (8 * 60 - rounds) + 8 * 12;
        let expected = (36 * per_row) as f64 * USD_PER_METRIC_REQUESTED;
        assert!(
            (rows - expected).abs() <= 0.02,
            "{n} functions: rows ${rows:.3}, expected ${expected:.3}"
        );
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
