//! update() driven by Actions and Msgs, no terminal: the console's behaviour as data.

mod common;

use common::{command, console, press, source, typed};
use lambdascope::app::{Action, Cmd, Msg, update};
use lambdascope::source::SourceError;
use lambdascope::state::functions::Column;
use lambdascope::state::{Loadable, Overlay, Screen, WindowChoice};

#[tokio::test]
async fn opens_on_the_failing_functions_first() {
    let s = source();
    let state = console(&s, (120, 40)).await;
    let names: Vec<&str> = state
        .functions
        .rows
        .iter()
        .map(|r| state.functions.functions()[r.index].name.as_str())
        .collect();
    assert_eq!(names.len(), 17);
    assert_eq!(state.functions.sort, Column::Health);
    // The throttled indexer and the function in an incident lead the list.
    assert_eq!(&names[..2], &["search-indexer", "orders-api-create"]);
    let incident = &state.functions.stats["orders-api-create"];
    assert!(
        incident.error_rate().unwrap() > 3.0,
        "incident error rate {:?}",
        incident.error_rate()
    );
    assert!(
        state.functions.stats["search-indexer"]
            .throttles
            .value()
            .unwrap()
            > 100.0
    );
    assert!(
        state.functions.stats["orders-api-get"]
            .error_rate()
            .unwrap()
            < 1.0
    );
}

#[tokio::test]
async fn typing_a_filter_narrows_and_highlights() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    press(&s, &mut state, &[Action::Filter]).await;
    press(&s, &mut state, &typed("ordcr")).await;
    assert_eq!(state.filter_input.as_deref(), Some("ordcr"));
    let f = &state.functions;
    assert_eq!(f.rows.len(), 1);
    assert_eq!(f.functions()[f.rows[0].index].name, "orders-api-create");
    assert_eq!(
        lambdascope::state::functions::matched_chars("orders-api-create", &f.filter),
        vec![0, 1, 2, 11, 12]
    ); // o r d … c r(eate)
    // Backspace widens again; enter keeps the filter, esc (outside the box) clears it.
    press(
        &s,
        &mut state,
        &[Action::InputBackspace, Action::InputBackspace],
    )
    .await;
    assert_eq!(state.functions.rows.len(), 3);
    press(&s, &mut state, &[Action::InputSubmit]).await;
    assert_eq!(state.filter_input, None);
    assert_eq!(state.functions.filter, "ord");
    press(&s, &mut state, &[Action::Back]).await;
    assert_eq!(state.functions.rows.len(), 17);
}

#[tokio::test]
async fn sorting_cycles_columns_and_keeps_the_selection() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    press(&s, &mut state, &[Action::Down, Action::Down]).await;
    let selected = state.functions.selected_function().unwrap().name.clone();
    press(&s, &mut state, &[Action::SortNext]).await;
    assert_eq!(state.functions.sort, Column::Name);
    assert!(!state.functions.descending);
    assert_eq!(
        state.functions.selected_function().unwrap().name,
        selected,
        "selection follows the function"
    );
    let first = |st: &lambdascope::state::State| {
        st.functions.functions()[st.functions.rows[0].index]
            .name
            .clone()
    };
    assert_eq!(first(&state), "audit-log-writer");
    press(&s, &mut state, &[Action::SortReverse]).await;
    assert_eq!(first(&state), "users-api-profile");
    // :sort by invocations puts the busiest first.
    press(&s, &mut state, &[Action::Palette]).await;
    press(&s, &mut state, &typed("sort invoc")).await;
    press(&s, &mut state, &[Action::InputSubmit]).await;
    assert_eq!(state.functions.sort, Column::Invocations);
    assert_eq!(first(&state), "auth-authorizer");
}

#[tokio::test]
async fn enter_opens_the_function_and_esc_comes_back() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let cmds = update(&mut state, Msg::Action(Action::Enter));
    assert_eq!(state.screen(), Screen::Function);
    assert!(matches!(&cmds[0], Cmd::LoadDetail { name, .. } if name == "search-indexer"));
    assert!(matches!(&cmds[1], Cmd::LoadCharts { request, .. } if request.queries.len() == 10));
    assert!(state.detail.config.is_loading());
    lambdascope::app::settle(&s, &mut state, cmds).await;
    let f = state.detail.config.loaded().expect("configuration loaded");
    assert_eq!(f.reserved_concurrency, Some(5));
    assert!(state.detail.charts.loaded().is_some());
    press(&s, &mut state, &[Action::Back]).await;
    assert_eq!(state.screen(), Screen::Functions);
}

#[tokio::test]
async fn stale_answers_are_dropped_latest_wins() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let before = state.functions.stats.clone();
    let gen_before = state.functions.stats_generation;
    // Widening the window asks again; an answer for the old request must be ignored.
    let cmds = update(&mut state, Msg::Action(Action::WindowWider));
    assert_eq!(state.window, WindowChoice::H3);
    assert!(
        state.functions.stats.is_empty(),
        "old window's stats are gone"
    );
    assert!(
        matches!(cmds.as_slice(), [Cmd::LoadStats { generation, .. }] if *generation == gen_before + 1)
    );
    let stale = Msg::Stats {
        generation: gen_before,
        window: lambdascope::source::TimeWindow::new(0, 1),
        names: vec!["orders-api-get".into()],
        result: Err(SourceError::Other("late".into())),
    };
    update(&mut state, stale);
    assert!(state.status.is_none() || !state.status.as_ref().unwrap().text.contains("late"));
    lambdascope::app::settle(&s, &mut state, cmds).await;
    let inv = |st: &std::collections::HashMap<String, lambdascope::state::FunctionStats>| {
        st["orders-api-get"].invocations.value().unwrap()
    };
    assert!(
        inv(&state.functions.stats) > 2.0 * inv(&before),
        "three hours hold more than one"
    );
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_data_and_says_why() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    update(
        &mut state,
        Msg::Functions(Err(SourceError::AccessDenied {
            action: "lambda:ListFunctions".into(),
        })),
    );
    assert!(matches!(state.functions.list, Loadable::Loaded(ref v) if v.len() == 17));
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("lambda:ListFunctions")
    );
    // Without data, the panel itself shows the error.
    let mut fresh = lambdascope::state::State::new(s.info(), s.now(), "dark", vec![]);
    update(
        &mut fresh,
        Msg::Functions(Err(SourceError::AccessDenied {
            action: "lambda:ListFunctions".into(),
        })),
    );
    assert!(matches!(fresh.functions.list, Loadable::Failed(_)));
}

#[tokio::test]
async fn palette_commands() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    assert_eq!(
        command(&mut state, "theme light"),
        vec![Cmd::SetTheme("light".into())]
    );
    assert!(
        command(&mut state, "window 24h")
            .iter()
            .any(|c| matches!(c, Cmd::LoadStats { .. }))
    );
    assert_eq!(state.window, WindowChoice::D1);
    assert!(command(&mut state, "frobnicate").is_empty());
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("unknown command :frobnicate")
    );
    assert!(
        command(&mut state, "region eu-west-1").is_empty(),
        "the demo cannot switch region"
    );
    command(&mut state, "usage");
    assert_eq!(state.overlay, Some(Overlay::Usage));
    update(&mut state, Msg::Action(Action::Back));
    assert_eq!(state.overlay, None);
    command(&mut state, "q");
    assert!(state.quit);
}

#[tokio::test]
async fn help_opens_and_closes_and_quit_quits() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    press(&s, &mut state, &[Action::Help]).await;
    assert_eq!(state.overlay, Some(Overlay::Help));
    press(&s, &mut state, &[Action::Down]).await;
    assert_eq!(
        state.functions.selected, 0,
        "keys do not leak under an overlay"
    );
    press(&s, &mut state, &[Action::Back]).await;
    assert_eq!(state.overlay, None);
    press(&s, &mut state, &[Action::Quit]).await;
    assert!(state.quit);
}

#[tokio::test]
async fn scrolling_a_long_list_fetches_only_what_comes_into_view() {
    let s = lambdascope::source::Source::Demo(lambdascope::source::demo::DemoSource::with_size(
        common::SEED,
        lambdascope::source::demo::Clock::Fixed(common::T0),
        5000,
    ));
    let mut state = console(&s, (120, 40)).await;
    let rows = lambdascope::app::update::table_rows(state.size);
    assert!(
        state.functions.stats.len() <= 2 * rows,
        "fetched {} of 5000",
        state.functions.stats.len()
    );
    let cmds = update(&mut state, Msg::Action(Action::Bottom));
    assert_eq!(state.functions.selected, 4999);
    assert!(state.functions.offset >= 5000 - rows);
    let Some(Cmd::LoadStats { names, .. }) = cmds.first() else {
        panic!("no fetch for the new rows: {cmds:?}")
    };
    assert!(names.len() <= 2 * rows && !names.is_empty());
}

#[tokio::test]
async fn region_and_profile_switch_without_a_restart() {
    use lambdascope::source::SourceInfo;
    let aws = SourceInfo::Aws {
        account: Some("111122223333".into()),
        profile: Some("prod".into()),
        region: "us-east-1".into(),
        endpoint: None,
    };
    let mut state = lambdascope::state::State::new(aws, 0, "dark", vec![]);
    lambdascope::app::start(&mut state);
    let cmds = command(&mut state, "region eu-west-1");
    assert_eq!(
        cmds,
        vec![Cmd::SwitchSource {
            profile: None,
            region: Some("eu-west-1".into())
        }]
    );
    assert!(state.is_busy(), "the switch shows as work in progress");
    // A failed switch keeps the current account and says why.
    update(
        &mut state,
        Msg::Switched(Err(SourceError::SsoExpired {
            profile: "prod".into(),
        })),
    );
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("aws sso login --profile prod")
    );
    let moved = SourceInfo::Aws {
        account: Some("111122223333".into()),
        profile: Some("prod".into()),
        region: "eu-west-1".into(),
        endpoint: None,
    };
    let cmds = update(&mut state, Msg::Switched(Ok(moved.clone())));
    assert_eq!(state.source, moved);
    assert_eq!(
        cmds,
        vec![Cmd::LoadFunctions],
        "the new region's functions load"
    );
    assert!(state.functions.list.is_loading());
}

#[tokio::test]
async fn a_failed_list_is_retried_by_itself() {
    let s = source();
    let mut state = lambdascope::state::State::new(s.info(), 0, "dark", vec![]);
    lambdascope::app::start(&mut state);
    let outage = SourceError::Unreachable {
        endpoint: "https://lambda.us-east-1.amazonaws.com".into(),
        reason: "connection refused".into(),
    };
    update(&mut state, Msg::Functions(Err(outage)));
    assert!(matches!(state.functions.list, Loadable::Failed(_)));
    let tick = |now| Msg::Tick {
        now,
        health: Default::default(),
        info: s.info(),
    };
    assert!(
        update(&mut state, tick(1_000)).is_empty(),
        "no retry before the refresh interval"
    );
    let cmds = update(&mut state, tick(10_000));
    assert!(
        cmds.contains(&Cmd::LoadFunctions),
        "retried at the next refresh: {cmds:?}"
    );
    assert!(
        matches!(state.functions.list, Loadable::Failed(_)),
        "the error stays until the retry succeeds"
    );
    lambdascope::app::settle(&s, &mut state, cmds).await;
    assert!(matches!(state.functions.list, Loadable::Loaded(ref f) if f.len() == 17));
}
