//! The dashboard's budgets (issue #8): one frame of six charts of 1,440 points each, and the
//! cold-start analysis over a day of a busy function. Run: `cargo bench --bench dashboard`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use lambdascope::app::{self, Action, Msg, State};
use lambdascope::domain::{
    ColdStartAnalysis, ColdStartQuery, DAY_MS, Metric, MetricPlan, MetricQuery, MetricRequest,
    MetricSeries, Point, Statistic, TimeWindow,
};
use lambdascope::model::charts::chart_series;
use lambdascope::screens::dashboard::{DashboardMsg, DashboardScreen};
use lambdascope::source::Source;
use lambdascope::source::demo::{Clock, DemoSource};
use lambdascope::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2026-11-23T14:00:00Z, the demo's incident afternoon.
const T0: i64 = 1_795_442_400_000;
/// The busiest demo function: about 350,000 invocations a day.
const BUSY: &str = "auth-authorizer";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio")
}

/// A dashboard whose six charts each hold 1,440 points: a day at one-minute periods, every
/// series with data in every minute (the worst case for drawing), the cursor and a deploy on.
fn six_charts_of_1440(source: &Source) -> State {
    let rt = runtime();
    let mut state = rt.block_on(async {
        let mut s = lambdascope::app::driver::state_after(source, (200, 50), &[]).await;
        let cmds = app::update(&mut s, Msg::Action(Action::Enter));
        app::driver::settle(source, &mut s, cmds).await;
        s
    });
    let d = state.screen_of::<DashboardScreen>().expect("dashboard");
    let id = d.id;
    let window = TimeWindow::new(T0 - DAY_MS, T0);
    let plan = MetricPlan::new(window, 60, T0);
    assert_eq!(plan.buckets(), 1440);
    let series: Vec<MetricSeries> = MetricQuery::each(&d.name, &chart_series())
        .into_iter()
        .enumerate()
        .map(|(k, query)| MetricSeries {
            query,
            period_s: 60,
            points: (0..1440)
                .map(|i| Point {
                    t: plan.bucket_start(i),
                    v: 50.0 + 40.0 * ((i as f64 / 37.0) + k as f64).sin(),
                })
                .collect(),
            unavailable: None,
        })
        .collect();
    // Plant the plan the series were made for, as a refresh would have.
    let screen = state
        .stack
        .iter_mut()
        .find_map(|(_, s)| match s {
            lambdascope::app::router::ScreenState::Dashboard(d) => Some(d),
            _ => None,
        })
        .expect("dashboard");
    screen.plan = Some(plan);
    screen.cursor = Some(700);
    app::update(
        &mut state,
        Msg::to(
            id,
            DashboardMsg::Charts {
                plan,
                result: Ok(series),
            },
        ),
    );
    state
}

fn frame(c: &mut Criterion) {
    let source = Source::Demo(DemoSource::new(42, Clock::Fixed(T0)));
    let state = six_charts_of_1440(&source);
    let theme = Theme::default_theme();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("backend");
    c.bench_function("dashboard_frame_six_charts_of_1440_points_200x50", |b| {
        b.iter(|| {
            terminal
                .draw(|f| app::view::draw(f, &state, &theme))
                .expect("draw");
        })
    });
}

/// From nothing: the demo lists a day of the busy function's cold starts (every attempt
/// generated, as on first open) and the analysis runs over the day's plan.
fn cold_start_analysis(c: &mut Criterion) {
    let rt = runtime();
    let window = TimeWindow::new(T0 - DAY_MS, T0);
    let plan = MetricPlan::new(window, 900, T0);
    let probe = Source::Demo(DemoSource::new(42, Clock::Fixed(T0)));
    let invocations = rt
        .block_on(probe.metrics(&MetricRequest {
            queries: MetricQuery::each(BUSY, &[(Metric::Invocations, Statistic::Sum)]),
            window: plan.window,
            period_s: plan.period_s,
        }))
        .expect("metrics");
    let total = invocations[0].total();
    assert!(total >= 100_000.0, "{BUSY} is busy enough: {total}");
    eprintln!("{BUSY}: {total} invocations in the day");
    let query = ColdStartQuery {
        function: BUSY.into(),
        window: plan.window,
        period_s: plan.period_s,
    };
    c.bench_function("cold_start_analysis_one_day_busy_function_uncached", |b| {
        b.iter(|| {
            let source = Source::Demo(DemoSource::new(42, Clock::Fixed(T0)));
            let data = rt
                .block_on(source.cold_starts(&query))
                .expect("cold starts");
            ColdStartAnalysis::new(&data, plan, Some(&invocations[0]), &[], T0)
        })
    });
    let data = rt.block_on(probe.cold_starts(&query)).expect("cold starts");
    eprintln!(
        "{BUSY}: {} cold starts in the day",
        data.starts.as_ref().map_or(0, Vec::len)
    );
    c.bench_function(
        "cold_start_analysis_one_day_busy_function_compute_only",
        |b| b.iter(|| ColdStartAnalysis::new(&data, plan, Some(&invocations[0]), &[], T0)),
    );
}

criterion_group!(benches, frame, cold_start_analysis);
criterion_main!(benches);
