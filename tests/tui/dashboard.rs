//! The function dashboard and the account overview, driven through `update` with no terminal:
//! the cursor, marking and selecting the incident window, what it narrows, the cold-start
//! cadence, and the overview's rankings.

use crate::common;

use common::{T0, command, console, jobs, press, settle, source, tick};
use lambdascope::app::jobs::{Asked, Request, Target};
use lambdascope::app::policy::RefreshPolicy;
use lambdascope::app::router::ScreenKind;
use lambdascope::app::{Action, Cmd, Msg, State, update};
use lambdascope::domain::{
    MINUTE_MS, Metric, MetricPlan, SourceInfo, Statistic, TimeWindow, WindowChoice,
};
use lambdascope::screens::dashboard::{DashboardAction, DashboardScreen};
use lambdascope::screens::functions::FunctionsAction;
use lambdascope::screens::overview::OverviewScreen;
use lambdascope::source::Source;

/// A console on the dashboard of `name`, everything loaded.
async fn dashboard(s: &Source, name: &str) -> State {
    let mut state = console(s, (120, 40)).await;
    let cmds = command(&mut state, "fn");
    settle(s, &mut state, cmds).await;
    press(s, &mut state, &[Action::Filter]).await;
    press(s, &mut state, &common::typed(name)).await;
    press(s, &mut state, &[Action::InputSubmit, Action::Enter]).await;
    assert_eq!(state.screen(), ScreenKind::Dashboard);
    state
}

fn dash(state: &State) -> &DashboardScreen {
    state.screen_of::<DashboardScreen>().expect("a dashboard")
}

/// The windows every job among `cmds` asks the source about.
fn windows(cmds: &[Cmd]) -> Vec<(Target, TimeWindow)> {
    jobs(cmds)
        .into_iter()
        .flat_map(|j| {
            let t = j.key.target.clone();
            let ws: Vec<TimeWindow> = match j.request.asked() {
                Asked::Metrics(r) => vec![r.window],
                Asked::MetricSets(rs) => rs.iter().map(|r| r.window).collect(),
                Asked::ColdStarts(q) => vec![q.window],
                Asked::Logs(q) => vec![q.window],
                Asked::TraceSummaries(q) => vec![q.window],
                _ => vec![],
            };
            ws.into_iter().map(move |w| (t.clone(), w))
        })
        .collect()
}

fn header(state: &State) -> String {
    let buf =
        lambdascope::app::view::render(state, &lambdascope::ui::theme::Theme::default_theme());
    (0..buf.area.width)
        .map(|x| buf[(x, 0)].symbol().to_string())
        .collect()
}

#[tokio::test]
async fn the_cursor_moves_across_every_chart_and_the_tabs_line_says_when() {
    let s = source();
    let mut state = dashboard(&s, "orders-api-create").await;
    let n = dash(&state).plan.expect("planned").buckets();
    assert!(n >= 30, "about a point a column: {n}");
    assert_eq!(dash(&state).cursor, None);
    press(&s, &mut state, &[Action::Right]).await;
    assert_eq!(dash(&state).cursor, Some(n - 1), "the cursor starts at now");
    press(&s, &mut state, &[Action::Left, Action::Left]).await;
    assert_eq!(dash(&state).cursor, Some(n - 3));
    press(&s, &mut state, &[Action::Top]).await;
    assert_eq!(dash(&state).cursor, Some(0));
    press(&s, &mut state, &[Action::Left]).await;
    assert_eq!(dash(&state).cursor, Some(0), "it stops at the start");
    let buf =
        lambdascope::app::view::render(&state, &lambdascope::ui::theme::Theme::default_theme());
    let text: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(
        text.contains("cursor 13:0"),
        "the tabs line names the cursor's period"
    );
    // j/k move the focus between the charts.
    press(&s, &mut state, &[Action::Down, Action::Down]).await;
    assert_eq!(dash(&state).chart, 2);
    press(&s, &mut state, &[Action::Up, Action::Up, Action::Up]).await;
    assert_eq!(dash(&state).chart, 5);
}

#[tokio::test]
async fn a_marked_window_narrows_the_dashboard_and_the_functions_table_until_cleared() {
    let s = source();
    let mut state = dashboard(&s, "orders-api-create").await;
    let plan = dash(&state).plan.expect("planned");
    let n = plan.buckets();
    let hour = state.ctx.catalog.stats["orders-api-create"]
        .invocations
        .value()
        .expect("the hour's invocations");
    // m places the cursor; move 20 buckets back, mark, move 10 forward, mark.
    press(&s, &mut state, &[DashboardAction::Mark.into()]).await;
    let back = vec![Action::Left; 20];
    press(&s, &mut state, &back).await;
    press(&s, &mut state, &[DashboardAction::Mark.into()]).await;
    assert_eq!(dash(&state).mark, Some(plan.bucket_start(n - 21)));
    press(&s, &mut state, &[Action::Right; 10]).await;
    let cmds = update(&mut state, Msg::Action(DashboardAction::Mark.into()));
    let want = TimeWindow::new(plan.bucket_start(n - 21), plan.bucket_start(n - 10));
    assert_eq!(state.ctx.incident, Some(want));
    assert_eq!(state.ctx.focus(), want);
    // Every Source call the dashboard and the catalog make now asks for the incident window.
    let asked = windows(&cmds);
    let targets: Vec<&Target> = asked.iter().map(|(t, _)| t).collect();
    assert!(
        targets.contains(&&Target::Charts("orders-api-create".into())),
        "{targets:?}"
    );
    assert!(targets.contains(&&Target::ColdStarts("orders-api-create".into())));
    assert!(targets.contains(&&Target::AccountHealth));
    for (t, w) in &asked {
        assert!(
            w.start <= want.start
                && w.end >= want.end
                && w.len_ms() < want.len_ms() + 5 * MINUTE_MS,
            "{t:?} asked for {w:?}, not the incident {want:?}"
        );
    }
    settle(&s, &mut state, cmds).await;
    let h = header(&state);
    assert!(h.contains("incident 13:"), "{h}");
    // The charts are re-planned on the incident: finer periods over its span.
    let zoomed = dash(&state).plan.expect("planned");
    assert_eq!(zoomed.window, want);
    assert!(zoomed.period_s <= plan.period_s);
    assert!(dash(&state).charts.loaded().is_some() && dash(&state).analysis.is_some());

    // Back on the functions screen, the rows ask for the incident window too.
    let cmds = update(&mut state, Msg::Action(Action::Back));
    let rows: Vec<_> = windows(&cmds)
        .into_iter()
        .filter(|(t, _)| *t == Target::RowStats)
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|(_, w)| *w == want), "{rows:?}");
    settle(&s, &mut state, cmds).await;
    let stats = &state.ctx.catalog.stats["orders-api-create"];
    let share = want.len_ms() as f64 / plan.window.len_ms() as f64;
    assert!(
        stats.invocations.value().unwrap() < hour * (share + 0.1),
        "the incident's share of the hour, not the hour: {:?} of {hour}",
        stats.invocations
    );

    // The zoom keys keep it; X clears it and every figure is for the last hour again.
    press(&s, &mut state, &[Action::WindowWider]).await;
    assert_eq!(state.ctx.incident, Some(want));
    let cmds = update(&mut state, Msg::Action(Action::ClearIncident));
    assert_eq!(state.ctx.incident, None);
    let last = WindowChoice::H3.window(T0);
    assert!(
        windows(&cmds)
            .iter()
            .any(|(t, w)| *t == Target::AccountHealth && *w == last),
        "{:?}",
        windows(&cmds)
    );
    settle(&s, &mut state, cmds).await;
    assert!(header(&state).contains("last 3h"));
}

#[tokio::test]
async fn one_key_selects_the_errors_spike_after_the_deploy() {
    let s = source();
    let mut state = dashboard(&s, "orders-api-create").await;
    // The errors chart, then select its spike.
    press(&s, &mut state, &[Action::Down]).await;
    let cmds = update(&mut state, Msg::Action(DashboardAction::SelectSpike.into()));
    let w = state.ctx.incident.expect("an incident window");
    let deploy = T0 - 40 * MINUTE_MS;
    assert!(
        w.start >= deploy,
        "the spike begins after the deploy: {w:?}"
    );
    assert!(w.end >= T0 - 2 * MINUTE_MS, "and is still going: {w:?}");
    assert!(!cmds.is_empty());
    assert!(common::status(&state).contains("errors spike"));
    settle(&s, &mut state, cmds).await;
    // Throttles are flat at zero for this function: nothing to select, and it says so.
    state.ctx.incident = None;
    press(&s, &mut state, &[Action::Down]).await;
    let before = state.ctx.incident;
    press(&s, &mut state, &[DashboardAction::SelectSpike.into()]).await;
    assert_eq!(state.ctx.incident, before);
    assert!(common::status(&state).contains("no spike on Throttles"));
}

#[tokio::test]
async fn panning_moves_the_charts_and_an_incident_window_with_them() {
    let s = source();
    let mut state = dashboard(&s, "orders-api-get").await;
    let live = dash(&state).plan.expect("planned").window;
    press(&s, &mut state, &[DashboardAction::PanBack.into()]).await;
    let back = dash(&state).plan.expect("planned").window;
    assert_eq!(back.end, live.end - 30 * MINUTE_MS);
    assert!(dash(&state).charts.loaded().is_some());
    press(&s, &mut state, &[DashboardAction::PanForward.into()]).await;
    assert_eq!(dash(&state).plan.expect("planned").window, live);
    press(&s, &mut state, &[DashboardAction::PanForward.into()]).await;
    assert!(common::status(&state).contains("already end now"));
    // With an incident marked, panning moves the incident: every screen follows.
    state.ctx.incident = Some(TimeWindow::new(T0 - 20 * MINUTE_MS, T0 - 10 * MINUTE_MS));
    press(&s, &mut state, &[DashboardAction::PanBack.into()]).await;
    assert_eq!(
        state.ctx.incident,
        Some(TimeWindow::new(T0 - 25 * MINUTE_MS, T0 - 15 * MINUTE_MS))
    );
}

#[tokio::test]
async fn the_charts_are_one_request_and_cold_starts_follow_the_policy_cadence() {
    let s = source();
    let mut state = dashboard(&s, "payments-webhook").await;
    // On AWS the cold starts cost a Logs Insights query: they are not asked every minute.
    let aws = SourceInfo::Aws {
        account: Some("123456789012".into()),
        profile: None,
        region: "us-east-1".into(),
        endpoint: None,
    };
    state.ctx.policy = RefreshPolicy::for_source(&aws);
    let (mut charts, mut cold, mut metric_jobs) = (0, 0, 0);
    for minute in 1..=30 {
        let cmds = update(&mut state, tick(&s, T0 + minute * MINUTE_MS));
        for j in jobs(&cmds) {
            match (&j.key.target, &j.request) {
                (Target::Charts(_), Request::Metrics(r, _)) => {
                    charts += 1;
                    // Every CloudWatch series in the one request.
                    assert_eq!(r.queries.len(), 7);
                    assert!(
                        r.queries
                            .iter()
                            .all(|q| q.metric.cloudwatch_name().is_some())
                    );
                }
                (Target::ColdStarts(_), _) => cold += 1,
                _ => {}
            }
            if matches!(j.key.target, Target::Charts(_) | Target::ColdStarts(_))
                && matches!(j.request, Request::Metrics(..) | Request::MetricSets(..))
            {
                metric_jobs += 1;
            }
        }
        settle(&s, &mut state, cmds).await;
    }
    assert_eq!(charts, 30, "the charts every minute");
    assert_eq!(metric_jobs, 30, "one GetMetricData request a refresh");
    assert_eq!(cold, 6, "cold starts every 5 minutes over a 1h window");
    // A day's window: every 2 hours.
    assert_eq!(
        state.ctx.policy.cold_starts_every(24 * 60 * MINUTE_MS),
        2 * 60 * MINUTE_MS
    );
}

#[tokio::test]
async fn the_cold_start_analysis_shows_the_deploy_wave() {
    let s = source();
    let mut state = dashboard(&s, "orders-api-create").await;
    let a = dash(&state).analysis.clone().expect("analysed");
    assert_eq!(a.deploy, Some(T0 - 40 * MINUTE_MS));
    let (before, after) = (a.before.expect("before"), a.after.expect("after"));
    assert!(
        after.cold_starts > before.cold_starts,
        "{before:?} {after:?}"
    );
    assert!(a.causes.after_deploy >= 1, "{:?}", a.causes);
    assert_eq!(a.total, a.causes.total());
    // The same figures the demo's metrics give over the window.
    let plan = dash(&state).plan.unwrap();
    let cold = s
        .metrics(&lambdascope::domain::MetricRequest {
            queries: lambdascope::domain::MetricQuery::each(
                "orders-api-create",
                &[(Metric::ColdStarts, Statistic::Sum)],
            ),
            window: plan.window,
            period_s: plan.period_s,
        })
        .await
        .unwrap();
    assert_eq!(cold[0].total() as u64, a.total);
    // tab shows it.
    press(&s, &mut state, &[Action::NextPanel]).await;
    let buf =
        lambdascope::app::view::render(&state, &lambdascope::ui::theme::Theme::default_theme());
    let text: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(
        text.contains("Before and after the deploy at 13:20"),
        "{text}"
    );
    assert!(text.contains("the demo account"));
}

#[tokio::test]
async fn the_overview_ranks_the_account_and_opens_a_function() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let cmds = update(&mut state, Msg::Action(FunctionsAction::Overview.into()));
    assert_eq!(state.screen(), ScreenKind::Overview);
    let asked: Vec<_> = jobs(&cmds).into_iter().map(|j| j.request.asked()).collect();
    // Account-wide series (no function), p99 and cold starts of every function, the limit.
    assert!(asked.iter().any(|a| matches!(a, Asked::MetricSets(rs)
        if rs[0].queries.iter().all(|q| q.function.is_empty())
            && rs[1].queries.len() == 17
            && rs[1].queries.iter().all(|q| q.stat == Statistic::P99))));
    assert!(asked.iter().any(|a| matches!(a, Asked::Metrics(r)
        if r.queries.len() == 17 && r.queries[0].metric == Metric::ColdStarts)));
    assert!(asked.contains(&Asked::AccountSettings));
    settle(&s, &mut state, cmds).await;
    let o = state.screen_of::<OverviewScreen>().unwrap();
    assert!(o.account.loaded().is_some() && o.settings.loaded().is_some());
    use lambdascope::screens::overview::Ranking;
    let errors = o.rows(&state.ctx, Ranking::Errors);
    assert_eq!(errors[0].0, "orders-api-create");
    assert_eq!(
        o.rows(&state.ctx, Ranking::Throttles)[0].0,
        "search-indexer"
    );
    let p99 = o.rows(&state.ctx, Ranking::P99);
    assert!(p99.windows(2).all(|w| w[0].1 >= w[1].1), "{p99:?}");
    assert!(
        p99[0].1 > 1000.0,
        "the slowest function is seconds slow: {p99:?}"
    );
    assert!(!o.rows(&state.ctx, Ranking::ColdStarts).is_empty());
    // The account's invocations are the functions' added up.
    let inv = o.account.loaded().unwrap()[0].total();
    let sum: f64 = state
        .ctx
        .catalog
        .stats
        .values()
        .filter_map(|st| st.invocations.value())
        .sum();
    assert!((inv - sum).abs() <= sum * 0.001 + 1.0, "{inv} vs {sum}");
    // tab to throttles, enter opens its top function.
    press(&s, &mut state, &[Action::NextPanel, Action::Enter]).await;
    assert_eq!(dash(&state).name, "search-indexer");
    // :overview from anywhere.
    let cmds = command(&mut state, "overview");
    assert!(!cmds.is_empty());
    assert_eq!(state.screen(), ScreenKind::Overview);
}

#[test]
fn a_plan_puts_about_a_point_on_each_column() {
    use lambdascope::screens::dashboard::view::plot_columns;
    for (size, w) in [((80, 24), WindowChoice::H1), ((200, 50), WindowChoice::D1)] {
        let window = w.window(T0);
        let cols = usize::from(plot_columns(size));
        let p = lambdascope::domain::period_for(window.len_ms(), cols, window.start, T0);
        let plan = MetricPlan::new(window, p, T0);
        assert!(
            plan.buckets() <= cols && plan.buckets() * 3 >= cols,
            "{size:?}: {} buckets on {cols} columns",
            plan.buckets()
        );
    }
}

#[tokio::test]
async fn chart_titles_are_whole_at_120_columns_with_or_without_the_cursor() {
    let s = source();
    let mut state = dashboard(&s, "search-indexer").await;
    for keys in [vec![], vec![Action::Right, Action::Left]] {
        press(&s, &mut state, &keys).await;
        let buf =
            lambdascope::app::view::render(&state, &lambdascope::ui::theme::Theme::default_theme());
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        for want in [
            "─ Invocations ━ ",
            "─ Errors ━ ",
            "━ rate ",
            "─ Throttles ━ ",
            "─ Duration ━ p50 ",
            "━ p90 ",
            "━ p99 ",
            "─ Concurrency ━ max ",
            "━ reserved 5 ",
            "─ Cold starts ━ ",
        ] {
            assert!(text.contains(want), "{want:?} is cut at 120 columns");
        }
    }
}
