//! update() driven by Actions and Msgs, no terminal: the console's behaviour as data.

use crate::common;

use common::{
    catalog, command, console, fresh, home, jobs, metrics_asked, press, screen_text, settle,
    source, status, table, targets, tick, typed,
};
use lambdascope::app::catalog::CatalogMsg;
use lambdascope::app::jobs::{JobTable, Owner, Policy, Request, Start, Target};
use lambdascope::app::router::ScreenKind;
use lambdascope::app::state::{Loadable, Overlay};
use lambdascope::app::{Action, Cmd, Msg, update};
use lambdascope::domain::{Function, MINUTE_MS, SourceError, SourceInfo, WindowChoice};
use lambdascope::screens::dashboard::DashboardScreen;
use lambdascope::screens::functions::{Column, FunctionsAction, matched_chars};
use lambdascope::source::Source;
use lambdascope::source::demo::{Clock, DemoSource};

#[tokio::test]
async fn opens_on_the_failing_functions_first() {
    let s = source();
    let state = console(&s, (120, 40)).await;
    let names = table(&state);
    assert_eq!(names.len(), 17);
    assert_eq!(home(&state).sort, Column::Health);
    // The throttled indexer and the function in an incident lead the list.
    assert_eq!(&names[..2], &["search-indexer", "orders-api-create"]);
    let stats = &catalog(&state).stats;
    let incident = &stats["orders-api-create"];
    assert!(
        incident.error_rate().unwrap() > 3.0,
        "incident error rate {:?}",
        incident.error_rate()
    );
    assert!(stats["search-indexer"].throttles.value().unwrap() > 100.0);
    assert!(stats["orders-api-get"].error_rate().unwrap() < 1.0);
}

#[tokio::test]
async fn typing_a_filter_narrows_and_highlights() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    press(&s, &mut state, &[Action::Filter]).await;
    press(&s, &mut state, &typed("ordcr")).await;
    assert_eq!(home(&state).filter.typing(), Some("ordcr"));
    assert_eq!(table(&state), ["orders-api-create"]);
    assert_eq!(
        matched_chars("orders-api-create", home(&state).filter.text()),
        vec![0, 1, 2, 11, 12]
    ); // o r d … c r(eate)
    // Backspace widens again; enter keeps the filter, esc (outside the box) clears it.
    press(
        &s,
        &mut state,
        &[Action::InputBackspace, Action::InputBackspace],
    )
    .await;
    assert_eq!(table(&state).len(), 3);
    press(&s, &mut state, &[Action::InputSubmit]).await;
    assert_eq!(home(&state).filter.typing(), None);
    assert_eq!(home(&state).filter.text(), "ord");
    press(&s, &mut state, &[Action::Back]).await;
    assert_eq!(table(&state).len(), 17);
}

#[tokio::test]
async fn sorting_cycles_columns_and_keeps_the_selection() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    press(&s, &mut state, &[Action::Down, Action::Down]).await;
    let selected = table(&state)[2].clone();
    press(&s, &mut state, &[FunctionsAction::SortNext.into()]).await;
    assert_eq!(home(&state).sort, Column::Name);
    assert!(!home(&state).descending);
    let h = home(&state);
    assert_eq!(
        h.selected_function(&state.ctx.catalog).unwrap().name,
        selected,
        "selection follows the function"
    );
    assert_eq!(table(&state)[0], "audit-log-writer");
    press(&s, &mut state, &[FunctionsAction::SortReverse.into()]).await;
    assert_eq!(table(&state)[0], "users-api-profile");
    // :sort by invocations puts the busiest first.
    press(&s, &mut state, &[Action::Palette]).await;
    press(&s, &mut state, &typed("sort invoc")).await;
    press(&s, &mut state, &[Action::InputSubmit]).await;
    assert_eq!(home(&state).sort, Column::Invocations);
    assert_eq!(table(&state)[0], "auth-authorizer");
}

#[tokio::test]
async fn enter_opens_the_function_and_esc_comes_back() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let cmds = update(&mut state, Msg::Action(Action::Enter));
    assert_eq!(state.screen(), ScreenKind::Dashboard);
    let t = targets(&cmds);
    assert!(
        t.contains(&Target::Config("search-indexer".into())),
        "{t:?}"
    );
    assert!(t.contains(&Target::Charts("search-indexer".into())));
    assert!(t.contains(&Target::ColdStarts("search-indexer".into())));
    settle(&s, &mut state, cmds).await;
    let d = state.screen_of::<DashboardScreen>().unwrap();
    let f = d.config.loaded().expect("configuration loaded");
    assert_eq!(f.reserved_concurrency, Some(5));
    assert!(d.charts.loaded().is_some() && d.cold.loaded().is_some());
    let cmds = update(&mut state, Msg::Action(Action::Back));
    assert_eq!(state.screen(), ScreenKind::Functions);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::CancelAll(Owner::Screen(_)))),
        "closing a screen cancels its jobs: {cmds:?}"
    );
}

#[tokio::test]
async fn the_dashboard_refresh_never_aborts_its_cold_start_query() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    press(&s, &mut state, &[Action::Enter]).await;
    // The minute refresh asks again; every job joins one still in flight instead of
    // replacing it, and the cold starts are a job of their own.
    let minute = (common::T0 / MINUTE_MS + 1) * MINUTE_MS;
    let cmds = update(&mut state, tick(&s, minute));
    let refresh: Vec<_> = jobs(&cmds)
        .into_iter()
        .filter(|j| matches!(j.key.target, Target::Charts(_) | Target::ColdStarts(_)))
        .collect();
    assert_eq!(refresh.len(), 2, "{cmds:?}");
    assert!(refresh.iter().all(|j| j.policy == Policy::Join));
}

#[tokio::test]
async fn stale_answers_for_another_window_are_dropped() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let before = catalog(&state).stats["orders-api-get"]
        .invocations
        .value()
        .unwrap();
    let cmds = update(&mut state, Msg::Action(Action::WindowWider));
    assert_eq!(state.ctx.window, WindowChoice::H3);
    assert!(
        catalog(&state).stats.is_empty(),
        "old window's stats are gone"
    );
    // A late answer for the 1-hour window must not come back as 3-hour figures.
    let late = Msg::Catalog(CatalogMsg::Health {
        target: Target::AccountHealth,
        window: WindowChoice::H1.window(common::T0),
        names: vec!["orders-api-get".into()],
        result: Ok(vec![]),
    });
    update(&mut state, late);
    assert!(catalog(&state).stats.is_empty());
    settle(&s, &mut state, cmds).await;
    let after = catalog(&state).stats["orders-api-get"]
        .invocations
        .value()
        .unwrap();
    assert!(after > 2.0 * before, "three hours hold more than one");
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_data_and_marks_it_stale_until_one_succeeds() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    update(
        &mut state,
        Msg::Catalog(CatalogMsg::List(Err(SourceError::AccessDenied {
            action: "lambda:ListFunctions".into(),
        }))),
    );
    assert!(matches!(catalog(&state).list, Loadable::Loaded(ref v) if v.len() == 17));
    let p = catalog(&state).list_problem.as_ref().expect("marked stale");
    assert!(p.error.to_string().contains("lambda:ListFunctions"));
    assert_eq!(
        p.data_from,
        Some(common::T0),
        "with the age of what is shown"
    );
    // The next list that arrives clears the mark: an error that has passed leaves by itself.
    let cmds = update(&mut state, Msg::Action(Action::Refresh));
    settle(&s, &mut state, cmds).await;
    assert!(catalog(&state).list_problem.is_none());
    // Without data, the panel itself shows the error.
    let mut first = fresh(&s, (80, 24));
    update(
        &mut first,
        Msg::Catalog(CatalogMsg::List(Err(SourceError::AccessDenied {
            action: "lambda:ListFunctions".into(),
        }))),
    );
    assert!(matches!(catalog(&first).list, Loadable::Failed(_)));
}

#[tokio::test]
async fn messages_fade_by_themselves() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    command(&mut state, "frobnicate");
    let m = state.ctx.status.clone().unwrap();
    assert!(m.text.contains("unknown command :frobnicate"));
    assert!(m.fresh(state.ctx.now));
    update(&mut state, tick(&s, common::T0 + 20_000));
    assert!(!state.ctx.status.as_ref().unwrap().fresh(state.ctx.now));
}

#[tokio::test]
async fn palette_commands() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    assert_eq!(
        command(&mut state, "theme light"),
        vec![Cmd::SetTheme("light".into())]
    );
    assert!(targets(&command(&mut state, "window 24h")).contains(&Target::AccountHealth));
    assert_eq!(state.ctx.window, WindowChoice::D1);
    assert!(command(&mut state, "frobnicate").is_empty());
    assert!(status(&state).contains("unknown command :frobnicate"));
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
        home(&state).selected,
        0,
        "keys do not leak under an overlay"
    );
    press(&s, &mut state, &[Action::Back]).await;
    assert_eq!(state.overlay, None);
    press(&s, &mut state, &[Action::Quit]).await;
    assert!(state.quit);
}

fn big(n: usize) -> Source {
    Source::Demo(DemoSource::with_size(
        common::SEED,
        Clock::Fixed(common::T0),
        n,
    ))
}

#[tokio::test]
async fn scrolling_a_long_list_fetches_only_what_comes_into_view() {
    let s = big(5000);
    let mut state = console(&s, (120, 40)).await;
    let rows = state.ctx.table_rows();
    let with_trend = |st: &lambdascope::app::State| {
        catalog(st)
            .stats
            .values()
            .filter(|x| x.trend.is_some())
            .count()
    };
    assert!(
        with_trend(&state) <= rows,
        "fetched rows for {}",
        with_trend(&state)
    );
    let cmds = update(&mut state, Msg::Action(Action::Bottom));
    assert_eq!(home(&state).selected, 4999);
    assert!(home(&state).offset >= 5000 - rows);
    let job = jobs(&cmds)
        .into_iter()
        .find(|j| j.key.target == Target::RowStats)
        .expect("a fetch for the new rows");
    assert!(
        job.debounce.is_some(),
        "scrolling is debounced: it bills per metric"
    );
    let Request::MetricSets(sets, _) = &job.request else {
        panic!("{:?}", job.request)
    };
    assert!(sets[0].queries.len() <= rows && !sets[0].queries.is_empty());
}

#[tokio::test]
async fn the_health_sort_covers_every_function_not_just_the_rows_on_screen() {
    // In a big account the worst functions are found wherever their names sort.
    let s = big(1000);
    let state = console(&s, (120, 40)).await;
    let names = table(&state);
    let top = &names[..2];
    assert!(
        top.contains(&"search-indexer".to_string())
            && top.contains(&"orders-api-create".to_string()),
        "{top:?}"
    );
    // Every function has its health, though only a screenful has its row figures.
    assert_eq!(catalog(&state).stats.len(), 1000);
    assert!(catalog(&state).stats.values().all(|x| x.health().is_some()));
}

#[tokio::test]
async fn typing_a_filter_bills_once_not_per_keystroke() {
    // More functions than rows: each key brings rows on screen that have no figures yet.
    let s = big(500);
    let mut state = console(&s, (120, 40)).await;
    update(&mut state, Msg::Action(Action::Filter));
    // The runtime's bookkeeping: which job is in force for its key.
    let mut table = JobTable::default();
    let mut seqs = Vec::new();
    let keys = "tenant-02";
    for c in keys.chars() {
        let cmds = update(&mut state, Msg::Action(Action::Input(c)));
        let row_jobs: Vec<_> = jobs(&cmds)
            .into_iter()
            .filter(|j| j.key.target == Target::RowStats)
            .collect();
        assert_eq!(row_jobs.len(), 1, "after {c:?}: {cmds:?}");
        let job = row_jobs[0];
        assert_eq!(job.debounce, Some(state.ctx.policy.typing_debounce));
        assert_eq!(job.policy, Policy::Replace, "a newer key replaces it");
        let Start::Run { seq, abort } = table.start(job) else {
            panic!("a typed fetch never joins: {job:?}")
        };
        // Still waiting out its debounce, the previous one is aborted unsent.
        assert_eq!(abort, seqs.last().copied(), "after {c:?}");
        seqs.push(seq);
        if c == keys.chars().last().unwrap() {
            // The one that runs asks for exactly the rows the final filter shows.
            let Request::MetricSets(sets, _) = &job.request else {
                panic!("{:?}", job.request)
            };
            let asked: std::collections::BTreeSet<_> =
                sets[0].queries.iter().map(|q| q.function.clone()).collect();
            let rows = home(&state).names_on_screen(catalog(&state), state.ctx.table_rows());
            assert_eq!(asked, rows.into_iter().collect());
            assert!(asked.iter().all(|n| n.starts_with("tenant-")), "{asked:?}");
        }
    }
    let key = lambdascope::app::jobs::JobKey::new(Owner::Catalog, Target::RowStats);
    let (last, earlier) = seqs.split_last().unwrap();
    assert!(earlier.iter().all(|&seq| !table.admit(&key, seq, 0, true)));
    assert!(
        table.admit(&key, *last, 0, true),
        "only the last one answers"
    );
}

#[tokio::test]
async fn deleted_functions_leave_the_counts_and_new_ones_appear() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let mut list: Vec<Function> = catalog(&state).functions().to_vec();
    list.retain(|f| f.name != "orders-api-create");
    let mut new = list[0].clone();
    new.name = "brand-new-function".into();
    list.push(new);
    update(&mut state, Msg::Catalog(CatalogMsg::List(Ok(list))));
    assert!(!catalog(&state).stats.contains_key("orders-api-create"));
    assert!(table(&state).contains(&"brand-new-function".to_string()));
    assert!(!table(&state).contains(&"orders-api-create".to_string()));
}

#[tokio::test]
async fn the_list_refreshes_on_its_own_slower_cadence() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let every = state.ctx.policy.list_every;
    let mut lists = 0;
    let mut now = common::T0;
    for _ in 0..(3 * every / 1000) {
        now += 1000;
        let cmds = update(&mut state, tick(&s, now));
        lists += targets(&cmds)
            .iter()
            .filter(|t| **t == Target::FunctionList)
            .count();
    }
    assert_eq!(lists, 3);
}

#[tokio::test]
async fn region_and_profile_switch_without_a_restart() {
    let aws = SourceInfo::Aws {
        account: Some("111122223333".into()),
        profile: Some("prod".into()),
        region: "us-east-1".into(),
        endpoint: None,
    };
    let mut state = lambdascope::app::State::new(aws, 0, "dark", vec![]);
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
    assert!(status(&state).contains("aws sso login --profile prod"));
    let moved = SourceInfo::Aws {
        account: Some("111122223333".into()),
        profile: Some("prod".into()),
        region: "eu-west-1".into(),
        endpoint: None,
    };
    let cmds = update(&mut state, Msg::Switched(Ok(moved.clone())));
    assert_eq!(state.ctx.source, moved);
    assert!(
        targets(&cmds).contains(&Target::FunctionList),
        "the new region's functions load"
    );
    assert!(catalog(&state).list.is_loading());
}

#[tokio::test]
async fn a_failed_list_is_retried_by_itself() {
    let s = source();
    let mut state = lambdascope::app::State::new(s.info(), 0, "dark", vec![]);
    lambdascope::app::start(&mut state);
    let outage = SourceError::Unreachable {
        endpoint: "https://lambda.us-east-1.amazonaws.com".into(),
        reason: "connection refused".into(),
    };
    update(&mut state, Msg::Catalog(CatalogMsg::List(Err(outage))));
    assert!(matches!(catalog(&state).list, Loadable::Failed(_)));
    assert!(
        update(&mut state, tick(&s, 1_000)).is_empty(),
        "no retry before the refresh interval"
    );
    let cmds = update(&mut state, tick(&s, 10_000));
    assert!(
        targets(&cmds).contains(&Target::FunctionList),
        "retried at the next refresh: {cmds:?}"
    );
    settle(&s, &mut state, cmds).await;
    assert!(matches!(catalog(&state).list, Loadable::Loaded(ref f) if f.len() == 17));
}

#[tokio::test]
async fn the_row_figures_ask_only_for_the_rows_on_screen() {
    let s = source();
    let mut state = fresh(&s, (120, 12));
    let cmds = lambdascope::app::start(&mut state);
    settle(&s, &mut state, cmds).await;
    let rows = state.ctx.table_rows();
    let cmds = update(&mut state, Msg::Action(Action::Refresh));
    let row_metrics: usize = jobs(&cmds)
        .into_iter()
        .filter(|j| j.key.target == Target::RowStats)
        .map(|j| match &j.request {
            Request::MetricSets(sets, _) => sets.iter().map(|r| r.queries.len()).sum(),
            _ => 0,
        })
        .sum();
    // Invocations trend, errors, throttles, p95 and cold starts per row on screen.
    assert_eq!(row_metrics, rows * 5);
    assert!(metrics_asked(&cmds) >= row_metrics);
}

#[tokio::test]
async fn a_dashboard_answer_after_its_screen_closed_goes_nowhere() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let cmds = update(&mut state, Msg::Action(Action::Enter));
    update(&mut state, Msg::Action(Action::Back));
    // The jobs of the closed screen answer late; nothing changes and nothing panics.
    settle(&s, &mut state, cmds).await;
    assert_eq!(state.screen(), ScreenKind::Functions);
    assert_eq!(state.stack.len(), 1);
}

/// A refresh that never answers leaves old figures on screen: after twice the refresh period
/// they are called stale with their age, never "all healthy" or a current failing list.
#[tokio::test]
async fn figures_that_stopped_coming_are_called_stale_whatever_the_reason() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let fresh = screen_text(&state);
    assert!(fresh.contains("● orders-api-create"), "{fresh}");
    // Time passes; the refreshes the ticks ask for never answer (nothing is settled).
    let every = state.ctx.policy.rows_every;
    update(&mut state, tick(&s, common::T0 + every));
    let text = screen_text(&state);
    assert!(
        text.contains("● orders-api-create"),
        "still fresh enough:\n{text}"
    );
    update(&mut state, tick(&s, common::T0 + 3 * every + MINUTE_MS));
    let text = screen_text(&state);
    let status = text.lines().rev().nth(1).unwrap_or_default();
    assert!(
        status.contains("metrics: stale, figures from 1m ago"),
        "{status}"
    );
    assert!(
        !status.contains("healthy") && !status.contains("●"),
        "{status}"
    );
}
