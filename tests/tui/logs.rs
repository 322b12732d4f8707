//! The Logs screen driven without a terminal: how it is reached, what it asks the Source for,
//! folding, search, filters, jumps, Insights and error groups, on the demo account at a fixed
//! clock. Snapshots of each state are in `snapshots.rs`-style files under tests/tui/snapshots.

use crate::common;

use common::{command, console, press, settle, source, typed};
use lambdascope::app::jobs::{Request, Target};
use lambdascope::app::router::{LogsPlace, ScreenKind};
use lambdascope::app::{Action, Cmd, State, update};
use lambdascope::domain::{HOUR_MS, TimeWindow};
use lambdascope::screens::functions::FunctionsAction;
use lambdascope::screens::logs::insights::Run;
use lambdascope::screens::logs::rows::Row;
use lambdascope::screens::logs::{LogsAction, LogsScreen, Mode};
use lambdascope::source::Source;

fn logs(state: &State) -> &LogsScreen {
    state
        .screen_of::<LogsScreen>()
        .expect("the logs screen is open")
}

async fn open(s: &Source, size: (u16, u16), line: &str) -> State {
    let mut state = console(s, size).await;
    let cmds = command(&mut state, line);
    settle(s, &mut state, cmds).await;
    assert_eq!(state.screen(), ScreenKind::Logs);
    state
}

#[tokio::test]
async fn reached_by_command_by_key_with_picks_and_from_the_dashboard() {
    let s = source();
    let state = open(&s, (120, 40), "logs orders-api-create").await;
    assert_eq!(logs(&state).functions, ["orders-api-create"]);
    assert!(!logs(&state).rows.is_empty(), "the first page arrived");

    // `l` on the Functions screen: the selected function; space picks several.
    let mut state = console(&s, (120, 40)).await;
    press(
        &s,
        &mut state,
        &[FunctionsAction::Mark.into(), FunctionsAction::Mark.into()],
    )
    .await;
    press(&s, &mut state, &[FunctionsAction::Logs.into()]).await;
    assert_eq!(state.screen(), ScreenKind::Logs);
    assert_eq!(logs(&state).functions.len(), 2);

    // `l` on the dashboard.
    let mut state = console(&s, (120, 40)).await;
    press(&s, &mut state, &[Action::Enter]).await;
    assert_eq!(state.screen(), ScreenKind::Dashboard);
    press(
        &s,
        &mut state,
        &[lambdascope::screens::dashboard::DashboardAction::Logs.into()],
    )
    .await;
    assert_eq!(state.screen(), ScreenKind::Logs);

    // Every function, with a shared custom group resolved to both of its functions.
    let state = open(&s, (120, 40), "logs").await;
    assert_eq!(logs(&state).functions.len(), 17);
    assert!(logs(&state).groups.contains(&"/shop/api".to_string()));
}

#[tokio::test]
async fn the_marked_incident_window_is_the_window_the_source_is_asked_for() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let incident = TimeWindow::new(common::T0 - 3 * HOUR_MS, common::T0 - 2 * HOUR_MS);
    state.ctx.incident = Some(incident);
    let cmds = command(&mut state, "logs payments-webhook");
    let asked: Vec<_> = cmds
        .iter()
        .filter_map(Cmd::job)
        .filter_map(|j| match &j.request {
            Request::Logs(q, _) => Some(q.window),
            _ => None,
        })
        .collect();
    assert_eq!(asked, [incident], "the page asks for the incident window");
    // A window in the past is not followed: no tail.
    assert!(
        !cmds
            .iter()
            .filter_map(Cmd::job)
            .any(|j| matches!(j.key.target, Target::Tail(_))),
        "no tail for a past window"
    );
    settle(&s, &mut state, cmds).await;
    let l = logs(&state);
    assert!(!l.live);
    for (_, line, _) in l.buffer.iter() {
        assert!(
            incident.contains(line.ts),
            "a line outside the incident window"
        );
    }
}

#[tokio::test]
async fn follows_live_and_scrolling_up_pauses_until_g() {
    let s = source();
    let mut state = open(&s, (120, 40), "logs orders-api-get").await;
    assert!(logs(&state).live && logs(&state).following);
    let n = logs(&state).rows.len();
    assert_eq!(logs(&state).cursor, n - 1);
    press(&s, &mut state, &[Action::Up]).await;
    assert!(!logs(&state).following);
    press(&s, &mut state, &[Action::Bottom]).await;
    assert!(logs(&state).following);
}

#[tokio::test]
async fn one_row_per_invocation_that_expands_to_its_lines() {
    let s = source();
    let mut state = open(&s, (120, 40), "logs payments-webhook").await;
    let l = logs(&state);
    let invs = l.rows.iter().filter(|r| matches!(r, Row::Inv(_))).count();
    assert!(invs > 10, "{invs} invocation rows");
    // Every invocation with a REPORT has its figures.
    let reported = l.buffer.invs().filter(|(_, i)| i.report.is_some()).count();
    assert!(reported * 10 >= l.buffer.invs().count() * 9);
    let before = l.rows.len();
    press(&s, &mut state, &[Action::Enter]).await;
    let l = logs(&state);
    assert!(
        l.rows.len() > before,
        "the invocation's lines are shown under it"
    );
    assert!(l.rows.iter().any(|r| matches!(r, Row::Child(_))));
    // Unfolded: every line is a row.
    press(&s, &mut state, &[LogsAction::Fold.into()]).await;
    assert_eq!(logs(&state).rows.len(), logs(&state).buffer.len());
}

#[tokio::test]
async fn search_highlights_narrows_filters_and_jumps() {
    let s = source();
    let mut state = open(&s, (120, 40), "logs orders-api-create").await;
    press(&s, &mut state, &[Action::Filter]).await;
    press(&s, &mut state, &typed("Invoke")).await;
    let m = logs(&state).search.matches.clone();
    assert!(!m.is_empty(), "the incident's errors say Invoke Error");
    // Narrowing re-checks the previous matches only, and gives a subset.
    press(&s, &mut state, &typed(" Err")).await;
    let narrowed = logs(&state).search.matches.clone();
    assert!(narrowed.iter().all(|q| m.contains(q)));
    press(&s, &mut state, &[Action::InputSubmit]).await;
    let rows_all = logs(&state).rows.len();
    press(&s, &mut state, &[LogsAction::MatchesOnly.into()]).await;
    let only = logs(&state).rows.len();
    assert!(only < rows_all && only > 0, "{only} of {rows_all}");
    // n moves to a match.
    press(&s, &mut state, &[LogsAction::NextMatch.into()]).await;
    let l = logs(&state);
    let row = l.rows[l.cursor];
    let inv = row.inv(l).expect("a match in an invocation");
    assert!(
        narrowed
            .iter()
            .any(|q| l.buffer.line(*q).map(|(x, _)| x.inv) == Some(inv))
    );

    // A bad regex says so inline and keeps the last matches.
    press(
        &s,
        &mut state,
        &[
            LogsAction::SearchMode.into(),
            Action::Filter,
            Action::InputClear,
        ],
    )
    .await;
    press(&s, &mut state, &typed("(unclosed")).await;
    let note = state
        .top()
        .base()
        .input()
        .and_then(|i| i.note)
        .unwrap_or_default();
    assert!(note.starts_with("bad regex"), "{note}");
}

#[tokio::test]
async fn errors_only_and_the_jump_keys() {
    let s = source();
    let mut state = open(&s, (120, 40), "logs orders-api-create").await;
    press(&s, &mut state, &[Action::Top, LogsAction::NextError.into()]).await;
    let l = logs(&state);
    let inv = l.rows[l.cursor]
        .inv(l)
        .and_then(|i| l.buffer.inv(i))
        .expect("an invocation");
    assert!(inv.failed());
    press(&s, &mut state, &[LogsAction::ErrorsOnly.into()]).await;
    let l = logs(&state);
    assert!(l.rows.iter().all(|r| match r {
        Row::Inv(id) => l.buffer.inv(*id).is_some_and(|i| i.failed()),
        Row::Line(q) | Row::Child(q) => l.buffer.line(*q).is_some_and(|(x, _)| x.level >= 5),
    }));
    // Cold starts: every run of a function scheduled every five minutes is one.
    let mut state = open(&s, (120, 40), "logs inventory-sync").await;
    press(&s, &mut state, &[Action::Top, LogsAction::NextCold.into()]).await;
    let l = logs(&state);
    let id = l.rows[l.cursor].inv(l).expect("a cold start");
    assert!(l.buffer.inv(id).is_some_and(|i| i.cold()));
}

#[tokio::test]
async fn insights_from_a_ready_query_agrees_with_the_loaded_lines() {
    let s = source();
    let mut state = open(&s, (120, 40), "logs payments-webhook").await;
    press(&s, &mut state, &[LogsAction::Insights.into()]).await;
    assert_eq!(logs(&state).mode, Mode::Insights);
    // The "slowest invocations" query.
    press(&s, &mut state, &[Action::Down, Action::Enter]).await;
    let Run::Done { rows, progress } = &logs(&state).insights.run else {
        panic!("{:?}", logs(&state).insights.run)
    };
    assert!(!rows.is_empty());
    assert!(progress.records_scanned > 0.0);
    let durations: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.iter().find(|(f, _)| f == "@duration"))
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    assert!(
        durations.windows(2).all(|w| w[0] >= w[1]),
        "sorted slowest first"
    );
    // Sort by a column, then back out.
    press(&s, &mut state, &[LogsAction::SortColumn.into()]).await;
    assert_eq!(logs(&state).insights.sort, Some((0, true)));
    press(&s, &mut state, &[Action::Back, Action::Back]).await;
    assert_eq!(logs(&state).mode, Mode::Lines);
}

#[tokio::test]
async fn error_groups_list_their_invocations() {
    let s = source();
    let mut state = open(&s, (120, 40), "logs orders-api-create").await;
    press(&s, &mut state, &[LogsAction::ErrorGroups.into()]).await;
    let groups = lambdascope::model::errors::groups(&logs(&state).buffer);
    assert!(!groups.is_empty());
    assert!(
        groups[0].fingerprint.contains("TypeError"),
        "{}",
        groups[0].fingerprint
    );
    press(&s, &mut state, &[Action::Enter]).await;
    let l = logs(&state);
    assert_eq!(l.mode, Mode::Lines);
    let inv_rows = l.rows.iter().filter(|r| matches!(r, Row::Inv(_))).count();
    assert_eq!(inv_rows, groups[0].invocations.len());
}

#[tokio::test]
async fn opens_on_an_invocation_from_a_trace() {
    let s = source();
    let mut state = open(&s, (120, 40), "logs orders-api-get").await;
    // Pick a request id from what is loaded, then open the place a trace would.
    let (rid, at) = {
        let l = logs(&state);
        let (_, inv) = l
            .buffer
            .invs()
            .find(|(_, i)| i.report.is_some())
            .expect("an invocation");
        (inv.request_id.to_string(), inv.start)
    };
    state
        .ctx
        .go(lambdascope::app::router::Place::Logs(LogsPlace {
            functions: vec!["orders-api-get".into()],
            invocation: Some((rid.clone(), at)),
        }));
    let cmds = update(&mut state, lambdascope::app::Msg::Resize(120, 40));
    settle(&s, &mut state, cmds).await;
    let l = logs(&state);
    let id = l.buffer.inv_by_request(&rid).expect("found by request id");
    assert!(l.expanded.contains(&id));
    assert_eq!(l.rows[l.cursor], Row::Inv(id));
    // The trace key opens that invocation's trace in the waterfall.
    press(&s, &mut state, &[LogsAction::OpenTrace.into()]).await;
    let w = state
        .screen_of::<lambdascope::screens::waterfall::WaterfallScreen>()
        .expect("the waterfall of the invocation's trace");
    let trace = w.trace.loaded().expect("the trace loaded");
    assert!(
        trace
            .spans
            .iter()
            .any(|s| s.seg.request_id.as_deref() == Some(rid.as_str())),
        "the trace holds the invocation {rid}"
    );
}

#[tokio::test]
async fn the_screen_draws_every_state_without_panicking() {
    let s = source();
    for size in [(80, 24), (200, 50), (20, 5)] {
        let mut state = open(&s, size, "logs orders-api-create").await;
        // Each step, and what on screen says it is drawn (down to a 20×5 terminal).
        for (a, shows) in [
            // Relative stamps: the newest line, under the cursor, is "now".
            (vec![LogsAction::Stamps.into()], "+0µs"),
            // Wrapping shows once a long line is open (below).
            (vec![LogsAction::Wrap.into()], "▸"),
            // The invocation under the cursor opens onto its lines.
            (vec![Action::Enter], "  │ "),
            (vec![LogsAction::ErrorGroups.into()], "┌ error groups"),
            (vec![Action::Back, LogsAction::Insights.into()], "┌ results"),
        ] {
            press(&s, &mut state, &a).await;
            let t = common::screen_text(&state);
            assert!(
                t.contains(shows),
                "{size:?} after {a:?}: no {shows:?} in\n{t}"
            );
            if a == [Action::Enter] && size == (80, 24) {
                // Wrapped: the platform.start record goes on under its own line, indented.
                let lines: Vec<&str> = t.lines().collect();
                let open = lines.iter().position(|l| l.starts_with("  │ ")).unwrap();
                assert!(
                    lines[open + 1].starts_with("              \""),
                    "wrapped:\n{t}"
                );
            }
        }
        assert!(logs(&state).wrap && logs(&state).mode == Mode::Insights);
    }
}

#[tokio::test]
async fn the_first_page_goes_above_tail_events_that_came_first() {
    use lambdascope::app::jobs::Delivery;
    use lambdascope::domain::{LogEvent, LogPage, TailUpdate};
    use lambdascope::screens::logs::LogsMsg;
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    command(&mut state, "logs orders-api-get");
    let id = logs(&state).id;
    let ev = |t: i64, m: &str| {
        LogEvent::new(
            "/aws/lambda/orders-api-get".into(),
            "s".into(),
            t,
            t,
            m.into(),
        )
    };
    let tail = Delivery::Item(TailUpdate::Events(vec![ev(common::T0 + 5, "new line")]));
    update(
        &mut state,
        lambdascope::app::Msg::to(id, LogsMsg::Tail(tail)),
    );
    let page = LogPage {
        events: vec![ev(common::T0 - 5, "old line")],
        ..Default::default()
    };
    update(
        &mut state,
        lambdascope::app::Msg::to(
            id,
            LogsMsg::Page {
                older: false,
                result: Ok(page),
            },
        ),
    );
    let order: Vec<i64> = logs(&state).buffer.iter().map(|(_, l, _)| l.ts).collect();
    assert_eq!(order, [common::T0 - 5, common::T0 + 5]);
}

#[tokio::test]
async fn the_demos_insights_agree_with_counting_its_logs() {
    use futures::StreamExt;
    use lambdascope::domain::{InsightsQuery, InsightsUpdate};
    use lambdascope::parse::lambda::{LogLine, classify};
    use lambdascope::screens::logs::insights::READY;
    let s = source();
    let window = TimeWindow::new(common::T0 - HOUR_MS, common::T0);
    for (function, group) in [
        ("orders-api-create", "/aws/lambda/orders-api-create"),
        ("thumbnail-resize", "/aws/lambda/thumbnail-resize"),
    ] {
        let events = common::all_logs(&s, group, window).await;
        let reports: Vec<_> = events
            .iter()
            .filter_map(|e| match classify(&e.message) {
                LogLine::Report(r) => Some(r),
                _ => None,
            })
            .collect();
        let run = |query: &str| {
            let q = InsightsQuery {
                log_groups: vec![group.into()],
                query: query.into(),
                window,
            };
            let s = s.clone();
            async move {
                let mut stream = s.insights(&q).await.expect("insights");
                let mut rows = None;
                while let Some(u) = stream.next().await {
                    if let InsightsUpdate::Done { rows: r, .. } = u.expect("no failure") {
                        rows = Some(r);
                    }
                }
                rows.expect("rows")
            }
        };
        let num = |rows: &[Vec<(String, String)>], col: &str| -> Vec<f64> {
            rows.iter()
                .filter_map(|r| r.iter().find(|(f, _)| f == col))
                .filter_map(|(_, v)| v.parse().ok())
                .collect()
        };
        // Cold starts: the bins add up to the REPORTs with an init duration.
        let cold = run(READY[0].1).await;
        let counted = reports
            .iter()
            .filter(|r| r.init_duration_ms.is_some())
            .count();
        assert_eq!(
            num(&cold, "coldStarts").iter().sum::<f64>() as usize,
            counted,
            "{function}"
        );
        // The slowest invocation is the longest REPORT.
        let slow = run(READY[1].1).await;
        let longest = reports.iter().map(|r| r.duration_ms).fold(0.0, f64::max);
        assert!(
            (num(&slow, "@duration")[0] - longest).abs() < 0.01,
            "{function}"
        );
        // Memory headroom: the peak is the highest Max Memory Used.
        let mem = run(READY[3].1).await;
        let peak = reports
            .iter()
            .map(|r| r.max_memory_used_mb)
            .max()
            .unwrap_or(0);
        assert_eq!(
            num(&mem, "peakMB").iter().fold(0.0, |a: f64, b| a.max(*b)) as u32,
            peak
        );
        // Timeouts: one row per timed-out request.
        let timeouts = run(READY[4].1).await;
        let counted = events
            .iter()
            .filter(|e| {
                e.message.contains("Task timed out") || e.message.contains("\"status\":\"timeout\"")
            })
            .count();
        assert_eq!(timeouts.len(), counted.min(50), "{function}");
    }
}

/// The tail starts a little before the end of the first page (an event ingested late behind the
/// page's end is read by one or the other), and what both read is kept once.
#[tokio::test]
async fn the_tail_overlaps_the_first_page_and_keeps_each_event_once() {
    use lambdascope::domain::TAIL_OVERLAP_MS;
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let cmds = command(&mut state, "logs orders-api-get");
    let page_end = cmds
        .iter()
        .filter_map(Cmd::job)
        .find_map(|j| match &j.request {
            Request::Logs(q, _) => Some(q.window.end),
            _ => None,
        })
        .expect("a first page");
    let since = cmds
        .iter()
        .filter_map(Cmd::job)
        .find_map(|j| match &j.request {
            Request::Tail(r, _) => r.since,
            _ => None,
        })
        .expect("a tail");
    assert_eq!(since, page_end - TAIL_OVERLAP_MS);
    settle(&s, &mut state, cmds).await;
    let ids: Vec<i64> = logs(&state).buffer.iter().map(|(seq, _, _)| seq).collect();
    let texts: std::collections::HashSet<(i64, String)> = logs(&state)
        .buffer
        .iter()
        .map(|(_, l, t)| (l.ts, String::from_utf8_lossy(t).into_owned()))
        .collect();
    assert_eq!(
        texts.len(),
        ids.len(),
        "an event read by the page and the tail shows twice"
    );
}

/// The header says what is true: sampling only while Live Tail samples, "quiet" rather than
/// a growing lag when nothing arrives, and the group that cannot be read, by name.
#[tokio::test]
async fn the_header_tells_the_truth_about_sampling_quiet_and_missing_groups() {
    use lambdascope::app::Msg;
    use lambdascope::app::jobs::Delivery;
    use lambdascope::domain::{LogEvent, TailMode, TailUpdate};
    use lambdascope::screens::logs::LogsMsg;
    let s = source();
    let mut state = console(&s, (200, 40)).await;
    command(&mut state, "logs orders-api-get");
    let id = logs(&state).id;
    let tail = |state: &mut State, u: TailUpdate| {
        update(state, Msg::to(id, LogsMsg::Tail(Delivery::Item(u))));
    };
    let header = |state: &State| {
        common::screen_text(state)
            .lines()
            .find(|l| l.contains(" logs orders-api-get "))
            .unwrap_or_default()
            .to_string()
    };
    tail(&mut state, TailUpdate::Mode(TailMode::LiveTail));
    tail(&mut state, TailUpdate::Sampled(true));
    assert!(header(&state).contains("sampling"), "{}", header(&state));
    tail(&mut state, TailUpdate::Mode(TailMode::Polling));
    assert!(!header(&state).contains("sampling"), "{}", header(&state));

    let event = LogEvent::new(
        "/aws/lambda/orders-api-get".into(),
        "s".into(),
        common::T0 - 1_500,
        common::T0,
        "a line".into(),
    );
    tail(&mut state, TailUpdate::Events(vec![event]));
    assert!(header(&state).contains("lag 1.5"), "{}", header(&state));
    update(&mut state, common::tick(&s, common::T0 + 47_000));
    let h = header(&state);
    assert!(h.contains("quiet") && !h.contains("lag"), "{h}");

    tail(
        &mut state,
        TailUpdate::Group {
            group: "/aws/lambda/never-invoked".into(),
            problem: Some("no log group yet (never invoked?)".into()),
        },
    );
    assert!(
        header(&state).contains("/aws/lambda/never-invoked: no log group yet (never invoked?)"),
        "{}",
        header(&state)
    );
    assert_eq!(
        common::status(&state),
        "/aws/lambda/never-invoked: no log group yet (never invoked?)"
    );
}

/// A Logs screen covered by another stops its tail (one session and one growing buffer for
/// the screen in view) and takes it up again, from its newest event, when uncovered.
#[tokio::test]
async fn a_covered_logs_screen_pauses_its_tail_and_resumes_it() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let cmds = command(&mut state, "logs orders-api-get");
    settle(&s, &mut state, cmds).await;
    let first = logs(&state).id;
    let cmds = command(&mut state, "logs payments-webhook");
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::Cancel(k)
            if k.owner == lambdascope::app::jobs::Owner::Screen(first)
                && matches!(k.target, Target::Tail(_)))),
        "{cmds:?}"
    );
    let cmds = update(&mut state, lambdascope::app::Msg::Action(Action::Back));
    assert_eq!(logs(&state).id, first);
    let resumed = cmds
        .iter()
        .filter_map(Cmd::job)
        .find_map(|j| match &j.request {
            Request::Tail(r, _) => r.since,
            _ => None,
        })
        .expect("the tail is taken up again");
    // From where it stopped (its newest event, or the first page's end), not from now.
    let l = logs(&state);
    let stopped_at = l
        .tail
        .newest
        .map_or(l.window.end, |(t, _)| t.max(l.window.end));
    assert_eq!(resumed, stopped_at - lambdascope::domain::TAIL_OVERLAP_MS);
}
