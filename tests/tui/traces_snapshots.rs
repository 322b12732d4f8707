//! Snapshots of the trace list, the waterfall (cold, warm, a fault, a throttled DynamoDB call,
//! the critical path, the detail pane, the comparison) and the service map, from the demo
//! account at a fixed clock, at 80×24 and 120×40.

use crate::common;

use common::{command, console, press, settle, source};
use lambdascope::app::router::ScreenKind;
use lambdascope::app::view::render;
use lambdascope::app::{Action, State};
use lambdascope::domain::SpanKind;
use lambdascope::screens::waterfall::{WaterfallAction, WaterfallScreen};
use lambdascope::source::Source;
use lambdascope::ui::theme::{self, Theme};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, state: &State) {
    let buf = render(state, &Theme::default_theme());
    insta::assert_snapshot!(
        format!("{name}_{}x{}", state.ctx.size.0, state.ctx.size.1),
        common::buffer_text(&buf)
    );
}

async fn run(s: &Source, state: &mut State, line: &str) {
    let cmds = command(state, line);
    settle(s, state, cmds).await;
}

/// The waterfall of the newest trace matching `filter`.
async fn trace(s: &Source, size: (u16, u16), filter: &str) -> State {
    let mut st = console(s, size).await;
    run(s, &mut st, &format!("traces {filter}")).await;
    press(s, &mut st, &[Action::Enter]).await;
    assert_eq!(st.screen(), ScreenKind::Waterfall);
    st
}

/// Moves the selection to the first span of `kind` that failed.
async fn select_failed(s: &Source, st: &mut State, kind: SpanKind) {
    press(s, st, &[Action::Top]).await;
    for _ in 0..50 {
        let w = st.screen_of::<WaterfallScreen>().unwrap();
        let at = w.span().unwrap();
        let span = &w.waterfall().unwrap().spans[at];
        if span.kind == kind && span.seg.failed() {
            return;
        }
        press(s, st, &[WaterfallAction::NextError.into()]).await;
    }
    panic!("no failed {kind:?} span");
}

#[tokio::test]
async fn trace_list() {
    let s = source();
    for size in SIZES {
        let mut loading = console(&s, size).await;
        command(&mut loading, "traces");
        snap("traces_loading", &loading);

        let mut loaded = console(&s, size).await;
        run(&s, &mut loaded, "traces").await;
        snap("traces_loaded", &loaded);

        let mut faults = console(&s, size).await;
        run(
            &s,
            &mut faults,
            "traces service(\"orders-api-create\") { fault }",
        )
        .await;
        snap("traces_faults", &faults);

        let mut empty = console(&s, size).await;
        run(&s, &mut empty, "traces http.status = 418").await;
        snap("traces_empty", &empty);

        let mut rejected = console(&s, size).await;
        run(&s, &mut rejected, "traces fault").await;
        press(
            &s,
            &mut rejected,
            &[lambdascope::screens::traces::TracesAction::Expression.into()],
        )
        .await;
        press(&s, &mut rejected, &common::typed(" AND latency > 3")).await;
        press(&s, &mut rejected, &[Action::InputSubmit]).await;
        snap("traces_rejected", &rejected);
    }
}

#[tokio::test]
async fn waterfalls() {
    let s = source();
    for size in SIZES {
        let cold = trace(&s, size, "annotation.ColdStart = true").await;
        snap("waterfall_cold", &cold);

        let warm = trace(&s, size, "annotation.ColdStart = false AND ok").await;
        snap("waterfall_warm", &warm);

        let mut fault = trace(&s, size, "fault").await;
        select_failed(&s, &mut fault, SpanKind::Function).await;
        snap("waterfall_fault", &fault);

        let mut throttled = trace(&s, size, "service(\"inventory\") { throttle }").await;
        select_failed(&s, &mut throttled, SpanKind::DynamoDb).await;
        snap("waterfall_throttled_dynamodb", &throttled);

        // The detail pane, focused and scrolled to the cause: its first lines go by.
        press(
            &s,
            &mut throttled,
            &[Action::NextPanel, Action::Down, Action::Down, Action::Down],
        )
        .await;
        snap("waterfall_detail", &throttled);

        // The critical path of a trace with two calls: the jump lands on its second span.
        let mut critical = trace(&s, size, "service(\"payments-webhook\") AND ok").await;
        press(
            &s,
            &mut critical,
            &[Action::Top, WaterfallAction::NextCritical.into()],
        )
        .await;
        snap("waterfall_critical_path", &critical);

        let mut compare = trace(&s, size, "annotation.ColdStart = true").await;
        press(&s, &mut compare, &[WaterfallAction::Compare.into()]).await;
        snap("waterfall_compare", &compare);
    }
}

#[tokio::test]
async fn service_map() {
    let s = source();
    for size in SIZES {
        let mut map = console(&s, size).await;
        run(&s, &mut map, "map").await;
        snap("map", &map);
        // Down the tree to a table: the view scrolls to keep it in sight.
        press(&s, &mut map, &[Action::Bottom]).await;
        snap("map_scrolled", &map);
    }
}

/// The roles of the waterfall (fault, throttle, cold start, critical path) in each theme.
#[tokio::test]
async fn waterfall_colours_per_theme() {
    let s = source();
    let mut st = trace(&s, (80, 24), "service(\"inventory\") { throttle }").await;
    select_failed(&s, &mut st, SpanKind::DynamoDb).await;
    for (name, _) in theme::BUILTIN {
        let t = theme::load(name, None).expect("built-in theme");
        insta::assert_debug_snapshot!(format!("waterfall_colour_{name}"), render(&st, &t));
    }
}
