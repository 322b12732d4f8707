//! The trace list, the waterfall and the service map driven through `update`, no terminal.

use crate::common;

use common::{command, console, jobs, press, settle, source, status, tick, typed};
use lambdascope::app::jobs::Request;
use lambdascope::app::router::ScreenKind;
use lambdascope::app::state::Loadable;
use lambdascope::app::view::render;
use lambdascope::app::{Action, Cmd, Msg, State, update};
use lambdascope::domain::{
    MINUTE_MS, SpanKind, TimeWindow, TraceCursor, WindowChoice, function_filter,
};
use lambdascope::screens::logs::LogsScreen;
use lambdascope::screens::logs::rows::Row;
use lambdascope::screens::map::MapScreen;
use lambdascope::screens::traces::state::ScanStatus;
use lambdascope::screens::traces::{TracesAction, TracesScreen};
use lambdascope::screens::waterfall::{CompareStatus, WaterfallAction, WaterfallScreen};
use lambdascope::source::Source;
use lambdascope::ui::theme::Theme;

fn list(state: &State) -> &TracesScreen {
    state.screen_of::<TracesScreen>().expect("the trace list")
}

fn waterfall(state: &State) -> &WaterfallScreen {
    state.screen_of::<WaterfallScreen>().expect("the waterfall")
}

/// What the page jobs among `cmds` ask for.
fn pages(cmds: &[Cmd]) -> Vec<(lambdascope::domain::TraceQuery, TraceCursor)> {
    jobs(cmds)
        .into_iter()
        .filter_map(|j| match &j.request {
            Request::TracePage(q, c, _) => Some((q.clone(), c.clone())),
            _ => None,
        })
        .collect()
}

fn screen_text(state: &State) -> String {
    common::buffer_text(&render(state, &Theme::default_theme()))
}

async fn open(s: &Source, state: &mut State, line: &str) {
    let cmds = command(state, line);
    settle(s, state, cmds).await;
}

#[tokio::test]
async fn the_trace_list_narrows_to_the_incident_window() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    // Another screen marked an incident: ten minutes, twenty minutes ago.
    let incident = TimeWindow::new(common::T0 - 30 * MINUTE_MS, common::T0 - 20 * MINUTE_MS);
    state.ctx.incident = Some(incident);
    let cmds = command(&mut state, "traces");
    let asked = pages(&cmds);
    assert_eq!(asked.len(), 1, "{cmds:?}");
    assert_eq!(
        asked[0].0.window, incident,
        "the Source is asked for the incident window"
    );
    settle(&s, &mut state, cmds).await;
    let l = list(&state);
    assert!(!l.rows.is_empty());
    assert!(
        l.summaries()
            .iter()
            .all(|t| t.start >= incident.start - 10 && t.start < incident.end)
    );
    assert!(screen_text(&state).contains("incident window"));
}

#[tokio::test]
async fn a_function_opens_its_traces_from_the_list_and_from_its_dashboard() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    press(&s, &mut state, &[Action::Filter]).await;
    press(&s, &mut state, &typed("orders-api-create")).await;
    press(&s, &mut state, &[Action::InputSubmit]).await;
    press(
        &s,
        &mut state,
        &[lambdascope::screens::functions::FunctionsAction::Traces.into()],
    )
    .await;
    assert_eq!(state.screen(), ScreenKind::Traces);
    let l = list(&state);
    assert_eq!(
        l.filter,
        "service(id(name: \"orders-api-create\", type: \"AWS::Lambda::Function\"))"
    );
    assert!(!l.rows.is_empty());
    assert!(
        l.summaries()
            .iter()
            .all(|t| t.services.iter().any(|x| x.name == "orders-api-create"))
    );
    // esc comes back; from the dashboard, `t` does the same.
    press(&s, &mut state, &[Action::Back, Action::Enter]).await;
    assert_eq!(state.screen(), ScreenKind::Dashboard);
    press(
        &s,
        &mut state,
        &[lambdascope::screens::dashboard::DashboardAction::Traces.into()],
    )
    .await;
    assert_eq!(list(&state).filter, function_filter("orders-api-create"));
}

#[tokio::test]
async fn a_long_window_is_scanned_page_by_page_and_says_how_far_it_got() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    state.ctx.window = WindowChoice::D1;
    let cmds = command(&mut state, "traces fault");
    let first = pages(&cmds);
    assert_eq!(first[0].1, TraceCursor::default());
    assert_eq!(first[0].0.spans().len(), 4, "24 hours in 6-hour spans");
    // Answer only the first page: the list shows it and asks for the next.
    let job = cmds.into_iter().find_map(|c| match c {
        Cmd::Job(j) => Some(j),
        _ => None,
    });
    let Some(job) = job else { panic!("no job") };
    let Request::TracePage(q, c, reply) = job.request else {
        panic!("not a page")
    };
    let page = s.trace_page(&q, &c).await.expect("a page");
    let next = update(&mut state, reply(Ok(page)));
    let more = pages(&next);
    assert_eq!(more.len(), 1, "the next page is asked for");
    let l = list(&state);
    let scan = l.scan.as_ref().unwrap();
    assert_eq!(scan.pages, 1);
    assert!(matches!(scan.status, ScanStatus::Scanning(_)));
    assert!(state.is_busy());
    assert!(
        screen_text(&state).contains("span 1/4 · 1 page"),
        "{}",
        screen_text(&state)
    );
    // Leaving stops the scan: its jobs are cancelled, a late page goes nowhere.
    let back = update(&mut state, Msg::Action(Action::Back));
    assert!(back.iter().any(|c| matches!(c, Cmd::CancelAll(_))));
    assert_eq!(state.screen(), ScreenKind::Functions);
}

#[tokio::test]
async fn a_rejected_expression_says_why_and_keeps_the_list() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    open(&s, &mut state, "traces").await;
    let before = list(&state).rows.len();
    assert!(before > 0);
    press(&s, &mut state, &[TracesAction::Expression.into()]).await;
    press(
        &s,
        &mut state,
        &typed("service(\"orders-api-create\") { fault"),
    )
    .await;
    press(&s, &mut state, &[Action::InputSubmit]).await;
    let l = list(&state);
    let (typed_expr, why) = l.rejected.clone().expect("rejected");
    assert_eq!(typed_expr, "service(\"orders-api-create\") { fault");
    assert!(why.contains("expected '}'"), "{why}");
    assert_eq!(
        l.filter, "",
        "the expression in force is the last that worked"
    );
    assert_eq!(l.rows.len(), before);
    let text = screen_text(&state);
    assert!(
        text.contains("✗ service(\"orders-api-create\") { fault"),
        "{text}"
    );
    // `f` opens the box on the rejected expression, to fix it.
    press(&s, &mut state, &[TracesAction::Expression.into()]).await;
    assert_eq!(
        list(&state).editing.as_deref(),
        Some("service(\"orders-api-create\") { fault")
    );
    press(&s, &mut state, &typed(" }")).await;
    press(&s, &mut state, &[Action::InputSubmit]).await;
    let l = list(&state);
    assert!(l.rejected.is_none());
    assert!(!l.rows.is_empty());
    assert!(l.summaries().iter().all(|t| t.has_fault));
}

#[tokio::test]
async fn sorting_and_searching_the_list() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    open(&s, &mut state, "traces").await;
    open(&s, &mut state, "sort duration").await;
    let l = list(&state);
    let all = l.summaries();
    let durations: Vec<f64> = l.rows.iter().map(|&i| all[i].duration_ms).collect();
    assert!(durations.windows(2).all(|w| w[0] >= w[1]), "slowest first");
    press(&s, &mut state, &[Action::Filter]).await;
    press(&s, &mut state, &typed("GET /prod/me")).await;
    let l = list(&state);
    assert!(!l.rows.is_empty());
    let all = l.summaries();
    let bad: Vec<_> = l
        .rows
        .iter()
        .filter(|&&i| {
            !all[i]
                .http_url
                .as_deref()
                .is_some_and(|u| u.contains("/me"))
        })
        .map(|&i| {
            (
                all[i].http_url.clone(),
                all[i].root_cause.clone(),
                all[i].id.clone(),
            )
        })
        .take(3)
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    press(&s, &mut state, &[Action::InputSubmit, Action::Back]).await;
    assert_eq!(list(&state).rows.len(), list(&state).summaries().len());
}

#[tokio::test]
async fn a_refresh_scans_only_the_new_minutes() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    state.ctx.window = WindowChoice::M15;
    open(&s, &mut state, "traces fault").await;
    let old = list(&state).scan.as_ref().unwrap().query.window;
    let later = common::T0 + MINUTE_MS;
    let cmds = update(&mut state, tick(&s, later));
    let asked = pages(&cmds);
    assert_eq!(asked.len(), 1, "{cmds:?}");
    assert_eq!(
        asked[0].0.window,
        TimeWindow::new(old.end, old.end + MINUTE_MS),
        "only the minute since"
    );
    // The demo's clock stays at T0: the new minute holds nothing yet, and the list moves on.
    let demo = s.clone();
    settle(&demo, &mut state, cmds).await;
    let scan = list(&state).scan.as_ref().unwrap();
    assert_eq!(
        scan.query.window,
        TimeWindow::new(old.start + MINUTE_MS, old.end + MINUTE_MS)
    );
    assert!(
        scan.summaries
            .iter()
            .all(|t| t.start >= old.start + MINUTE_MS)
    );
    // The merged list is what a full scan of the new window finds.
    let full = demo.trace_summaries(&scan.query).await.unwrap();
    let mut got: Vec<&str> = scan.summaries.iter().map(|t| t.id.as_str()).collect();
    let mut want: Vec<&str> = full.iter().map(|t| t.id.as_str()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

async fn open_trace(s: &Source, state: &mut State, filter: &str) {
    open(s, state, &format!("traces {filter}")).await;
    press(s, state, &[Action::Enter]).await;
    assert_eq!(state.screen(), ScreenKind::Waterfall);
}

#[tokio::test]
async fn the_waterfall_jumps_folds_and_pivots_to_the_logs() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    open_trace(&s, &mut state, "fault").await;
    let w = waterfall(&state).waterfall().expect("loaded").clone();
    let kinds: Vec<SpanKind> = w.spans.iter().map(|s| s.kind).collect();
    assert_eq!(
        &kinds[..5],
        [
            SpanKind::ApiGateway,
            SpanKind::AwsCall,
            SpanKind::Lambda,
            SpanKind::Function,
            SpanKind::Invocation
        ]
    );
    // n: the first span that failed after the selection.
    press(&s, &mut state, &[WaterfallAction::NextError.into()]).await;
    let at = |st: &State| waterfall(st).span().unwrap();
    assert!(w.spans[at(&state)].seg.fault);
    // s: the span with the most self-time.
    press(&s, &mut state, &[WaterfallAction::Slowest.into()]).await;
    assert_eq!(Some(at(&state)), w.slowest());
    // c walks the critical path in row order.
    press(
        &s,
        &mut state,
        &[Action::Top, WaterfallAction::NextCritical.into()],
    )
    .await;
    assert!(w.spans[at(&state)].on_critical_path() && at(&state) > 0);
    // Folding the root leaves one row; unfolding brings them back.
    press(&s, &mut state, &[Action::Top, Action::Enter]).await;
    assert_eq!(waterfall(&state).visible, [0]);
    press(&s, &mut state, &[Action::Right]).await;
    assert_eq!(waterfall(&state).visible.len(), w.spans.len());
    // L from a DynamoDB call: the logs of the invocation it ran in.
    let call = w
        .spans
        .iter()
        .position(|s| s.kind == SpanKind::DynamoDb)
        .unwrap();
    while at(&state) != call {
        press(&s, &mut state, &[Action::Down]).await;
    }
    let rid = w
        .spans
        .iter()
        .find(|s| s.kind == SpanKind::Lambda)
        .unwrap()
        .seg
        .request_id
        .clone()
        .unwrap();
    press(&s, &mut state, &[WaterfallAction::Logs.into()]).await;
    // The Logs screen opens on that invocation: expanded, under the cursor.
    let l = state
        .screen_of::<LogsScreen>()
        .expect("L opens the Logs screen");
    let (asked, _) = l.place.invocation.as_ref().expect("on one invocation");
    assert_eq!(asked, &rid);
    let id = l.buffer.inv_by_request(&rid).expect("its lines loaded");
    assert!(l.expanded.contains(&id), "the invocation is unfolded");
    assert_eq!(l.rows[l.cursor], Row::Inv(id), "and under the cursor");
    press(&s, &mut state, &[Action::Back]).await;
    assert_eq!(
        state.screen(),
        ScreenKind::Waterfall,
        "esc returns to the waterfall"
    );
    // The detail pane of a span that failed shows its cause; tab moves in, and it scrolls.
    let function = w
        .spans
        .iter()
        .position(|s| s.kind == SpanKind::Function)
        .unwrap();
    press(&s, &mut state, &[Action::Top]).await;
    while at(&state) != function {
        press(&s, &mut state, &[WaterfallAction::NextError.into()]).await;
    }
    let text = screen_text(&state);
    assert!(
        text.contains("cause") && text.contains("TypeError"),
        "{text}"
    );
    press(&s, &mut state, &[Action::NextPanel, Action::Down]).await;
    assert_eq!(waterfall(&state).detail_scroll, 1);
}

#[tokio::test]
async fn a_cold_start_is_compared_with_a_warm_trace_of_the_same_route() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    open_trace(&s, &mut state, "annotation.ColdStart = true").await;
    let w = waterfall(&state).waterfall().unwrap().clone();
    assert!(w.spans.iter().any(|s| s.kind == SpanKind::ColdStart));
    let cmds = update(&mut state, Msg::Action(WaterfallAction::Compare.into()));
    assert!(
        jobs(&cmds)
            .iter()
            .any(|j| matches!(&j.request, Request::TraceSummaries(q, _)
            if q.filter.contains("AWS::Lambda::Function") && q.filter.contains("ok"))),
        "{cmds:?}"
    );
    settle(&s, &mut state, cmds).await;
    let c = waterfall(&state).compare.clone().expect("comparing");
    let CompareStatus::Found(found) = c.status else {
        panic!("{:?}", c.status)
    };
    assert!(
        !found
            .other
            .spans
            .iter()
            .any(|s| s.kind == SpanKind::ColdStart)
    );
    let init = w
        .spans
        .iter()
        .position(|s| s.kind == SpanKind::ColdStart)
        .unwrap();
    assert_eq!(
        found.diffs[init], None,
        "only the cold trace has an Initialization"
    );
    assert_eq!(
        found.biggest(&w, 1)[0].0,
        init,
        "and it is the biggest difference"
    );
    let text = screen_text(&state);
    assert!(
        text.contains("warm trace") && text.contains("only"),
        "{text}"
    );
    // w (or esc) closes the comparison.
    press(&s, &mut state, &[Action::Back]).await;
    assert!(waterfall(&state).compare.is_none());
}

#[tokio::test]
async fn an_unknown_trace_says_so() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    open(&s, &mut state, "trace 1-00000000-000000000000000000000000").await;
    assert!(matches!(waterfall(&state).trace, Loadable::Failed(_)));
    let Loadable::Failed(e) = &waterfall(&state).trace else {
        unreachable!()
    };
    assert!(
        e.to_string().contains("X-Ray keeps traces for 30 days"),
        "{e}"
    );
    assert!(screen_text(&state).contains("Could not load the trace"));
    assert!(command(&mut state, "trace").is_empty());
    assert!(status(&state).contains(":trace needs a trace id"));
}

#[tokio::test]
async fn a_map_node_opens_its_traces() {
    let s = source();
    let mut state = console(&s, (200, 50)).await;
    open(&s, &mut state, "map").await;
    let m = state.screen_of::<MapScreen>().unwrap();
    let g = m.graph.loaded().expect("graph").clone();
    assert!(g.services.iter().any(|n| n.kind == "AWS::Lambda"));
    assert!(
        g.services
            .iter()
            .any(|n| n.kind == "AWS::DynamoDB::Table" && n.throttles > 0)
    );
    // The client cannot be filtered on; the next node can.
    press(&s, &mut state, &[Action::Enter]).await;
    assert_eq!(state.screen(), ScreenKind::Map);
    press(&s, &mut state, &[Action::Right, Action::Enter]).await;
    assert_eq!(state.screen(), ScreenKind::Traces);
    assert_eq!(
        list(&state).filter,
        "service(id(name: \"shop-api/prod\", type: \"AWS::ApiGateway::Stage\"))"
    );
    assert!(!list(&state).rows.is_empty());
}

#[tokio::test]
async fn the_trace_command_prints_a_waterfall_ready_to_paste() {
    let s = source();
    let q = lambdascope::domain::TraceQuery {
        window: TimeWindow::new(common::T0 - 10 * MINUTE_MS, common::T0),
        filter: "service(\"inventory\") { throttle }".into(),
        limit: 1,
    };
    let t = &s.trace_summaries(&q).await.unwrap()[0];
    let text = lambdascope::cli::traces::print_trace(&s, &t.id, false, 120)
        .await
        .unwrap();
    assert!(text.contains("429") && text.contains("throttled"), "{text}");
    assert!(text.contains("DynamoDB GetItem inventory"), "{text}");
    assert!(
        text.contains("ProvisionedThroughputExceededException"),
        "{text}"
    );
    assert!(text.contains('█') && text.contains('●'));
    assert!(
        text.lines()
            .filter(|l| l.starts_with(['●', ' ']))
            .all(|l| l.chars().count() <= 120),
        "{text}"
    );
    let json = lambdascope::cli::traces::print_trace(&s, &t.id, true, 120)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["spans"].as_array().unwrap().len() >= 8);
    let err = lambdascope::cli::traces::print_traces(&s, MINUTE_MS, "latency > 1", 10, false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("invalid filter expression"));
}

/// Names, causes and metadata from other people's code are drawn escaped: no terminal control
/// sequence from a segment document reaches the screen.
#[tokio::test]
async fn hostile_segment_documents_are_drawn_escaped() {
    let s = source();
    let mut state = console(&s, (120, 40)).await;
    let id = "1-5759e988-bd862e3fe1be46a994272793";
    open(&s, &mut state, &format!("trace {id}")).await;
    let doc = r#"{"id":"a","name":"evil\u001b]52;c;ZXZpbA==\u0007","start_time":1,"end_time":2,"fault":true,
        "http":{"request":{"method":"GET\u001b[2J","url":"https://x/\u202eevil"}},
        "annotations":{"k\u001b[31m":"v\u0007"},"metadata":{"m":"\u001b[?1049l"},
        "cause":{"exceptions":[{"type":"E\u001b[H","message":"boom\u0008\u0008","stack":[{"path":"\u001b]0;title\u0007","line":1,"label":"x"}]}]}}"#;
    let trace = lambdascope::domain::Trace {
        id: id.into(),
        roots: lambdascope::parse::xray::assemble([doc]),
        ..Default::default()
    };
    let screen = state.stack.last().unwrap().0;
    update(
        &mut state,
        Msg::to(
            screen,
            lambdascope::screens::waterfall::WaterfallMsg::Trace(Ok(vec![trace])),
        ),
    );
    press(&s, &mut state, &[Action::NextPanel]).await;
    let text = screen_text(&state);
    assert!(text.contains("evil\\e]52"), "{text}");
    for bad in ['\u{1b}', '\u{7}', '\u{8}', '\u{202e}'] {
        assert!(!text.contains(bad), "{bad:?} reached the screen:\n{text}");
    }
}

/// A filter longer than the head line is cut where the count begins, never written over it.
#[tokio::test]
async fn a_long_filter_leaves_the_count_readable_at_80_columns() {
    let s = source();
    let mut state = console(&s, (80, 24)).await;
    open(
        &s,
        &mut state,
        r#"traces service(id(name: "orders-api-create", type: "AWS::Lambda::Function")) { fault }"#,
    )
    .await;
    let n = list(&state).summaries().len();
    assert!(n > 0, "the incident function has faults");
    let text = screen_text(&state);
    let head = text.lines().nth(1).expect("the head line");
    // The right part: `{n} traces`, after the list position `i/{n} · ` when it scrolls.
    let right = match head.find(&format!("/{n} · ")) {
        Some(slash) => head[..slash].trim_end_matches(|c: char| c.is_ascii_digit()),
        None => &head[..head.rfind(&format!("{n} traces")).expect("the count")],
    };
    assert!(
        right.ends_with(' ') && head.trim_end().ends_with(&format!("{n} traces")),
        "the count stands apart from the filter: {head:?}"
    );
    assert!(head.contains("service(id(name"), "{head:?}");
}
