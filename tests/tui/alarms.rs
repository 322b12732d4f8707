//! The alarms screen: its four states at 80×24, 120×40 and 200×50, the order on-call reads it
//! in, filter and sort, where `enter` goes, and how often it asks.

use crate::common;

use common::{command, console, jobs, press, settle, source, typed};
use lambdascope::app::jobs::{Request, RequestKind, Target};
use lambdascope::app::router::ScreenKind;
use lambdascope::app::view::render;
use lambdascope::app::{Action, Cmd, Msg, State, update};
use lambdascope::domain::{AlarmState, MINUTE_MS, SourceError};
use lambdascope::screens::alarms::{AlarmsAction, AlarmsMsg, AlarmsScreen};
use lambdascope::source::Source;
use lambdascope::ui::theme::Theme;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 50)];

fn snap(name: &str, state: &State) {
    let buf = render(state, &Theme::default_theme());
    insta::assert_snapshot!(
        format!("{name}_{}x{}", state.ctx.size.0, state.ctx.size.1),
        common::buffer_text(&buf)
    );
}

fn text(state: &State) -> String {
    common::buffer_text(&render(state, &Theme::default_theme()))
}

fn screen(state: &State) -> &AlarmsScreen {
    state
        .screen_of::<AlarmsScreen>()
        .expect("the alarms screen")
}

fn names(state: &State) -> Vec<String> {
    screen(state).shown().map(|a| a.name.clone()).collect()
}

async fn alarms(s: &Source, size: (u16, u16)) -> State {
    let mut st = console(s, size).await;
    let cmds = command(&mut st, "alarms");
    settle(s, &mut st, cmds).await;
    assert_eq!(st.screen(), ScreenKind::Alarms);
    st
}

/// The alarms screen opened, its DescribeAlarms answered with `answer`.
async fn answered(
    s: &Source,
    size: (u16, u16),
    answer: Result<Vec<lambdascope::domain::Alarm>, SourceError>,
) -> State {
    let mut st = console(s, size).await;
    let cmds = command(&mut st, "alarm");
    assert_eq!(st.screen(), ScreenKind::Alarms, "the alias opens it");
    let id = st.stack.last().map(|(id, _)| *id).expect("a screen");
    assert!(
        jobs(&cmds)
            .iter()
            .any(|j| j.key.target == Target::Of(RequestKind::Alarms)),
        "opening asks for the alarms"
    );
    update(&mut st, Msg::to(id, AlarmsMsg::Alarms(answer)));
    st
}

#[tokio::test]
async fn alarms_screen() {
    let s = source();
    for size in SIZES {
        let mut loading = console(&s, size).await;
        command(&mut loading, "alarms");
        snap("alarms_loading", &loading);

        let empty = answered(&s, size, Ok(vec![])).await;
        assert!(text(&empty).contains("No CloudWatch alarms in the demo account."));
        snap("alarms_empty", &empty);

        let denied = SourceError::AccessDenied {
            action: "cloudwatch:DescribeAlarms".into(),
        };
        let failed = answered(&s, size, Err(denied)).await;
        let shown = text(&failed);
        assert!(
            shown.contains("could not load alarms: access denied"),
            "{shown}"
        );
        assert!(shown.contains("cloudwatch:DescribeAlarms"), "{shown}");
        snap("alarms_error", &failed);

        let loaded = alarms(&s, size).await;
        snap("alarms_loaded", &loaded);

        let mut filtered = alarms(&s, size).await;
        press(&s, &mut filtered, &[Action::Filter]).await;
        press(&s, &mut filtered, &typed("indexer")).await;
        snap("alarms_filtering", &filtered);
    }
}

#[tokio::test]
async fn alarm_rows_first_then_no_data_then_ok_each_newest_first() {
    let s = source();
    let st = alarms(&s, (120, 40)).await;
    let shown: Vec<_> = screen(&st).shown().cloned().collect();
    assert!(shown.len() >= 6, "{shown:?}");
    let ranks: Vec<u8> = shown.iter().map(|a| a.state.rank()).collect();
    assert!(ranks.is_sorted(), "{ranks:?}");
    for pair in shown.windows(2) {
        if pair[0].state == pair[1].state {
            assert!(
                pair[0].state_since >= pair[1].state_since,
                "newest first: {} then {}",
                pair[0].name,
                pair[1].name
            );
        }
    }
    assert_eq!(shown[0].state, AlarmState::Alarm);
    // ALARM rows are in the theme's error colour, INSUFFICIENT_DATA's state in warn and the
    // rest of its row dim; the selected row is the selection's.
    let theme = Theme::default_theme();
    let buf = render(&st, &theme);
    let fg_at = |name: &str| {
        (0..buf.area.height)
            .find(|&y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
                    .contains(&format!(" {name} "))
            })
            .map(|y| (buf[(2, y)].fg, buf[(10, y)].fg))
    };
    assert_eq!(
        fg_at("orders-api-create-errors"),
        theme.error.fg.map(|c| (c, c))
    );
    let nodata = shown
        .iter()
        .find(|a| a.state == AlarmState::InsufficientData)
        .expect("an alarm without data");
    assert_eq!(fg_at(&nodata.name), theme.warn.fg.zip(theme.dim.fg));
    // The selected (first) alarm's reason is shown whole under the table.
    let screen_text = text(&st);
    let words: Vec<&str> = shown[0].reason.split_whitespace().collect();
    let last = words.last().copied().unwrap_or_default();
    assert!(screen_text.contains(last), "{screen_text}");
}

#[tokio::test]
async fn filter_sort_and_enter() {
    let s = source();
    let mut st = alarms(&s, (120, 40)).await;
    let all = names(&st);

    press(&s, &mut st, &[Action::Filter]).await;
    press(&s, &mut st, &typed("orders-api-create-err")).await;
    press(&s, &mut st, &[Action::InputSubmit]).await;
    assert_eq!(names(&st), ["orders-api-create-errors"]);
    // enter on an alarm that watches a function opens its dashboard.
    press(&s, &mut st, &[Action::Enter]).await;
    assert_eq!(st.screen(), ScreenKind::Dashboard);
    press(&s, &mut st, &[Action::Back]).await;
    assert_eq!(st.screen(), ScreenKind::Alarms);
    // esc clears the filter first, then leaves.
    press(&s, &mut st, &[Action::Back]).await;
    assert_eq!(names(&st), all);

    // Sorted by name, then reversed.
    update(&mut st, Msg::Action(AlarmsAction::SortNext.into()));
    let mut by_name = all.clone();
    by_name.sort();
    assert_eq!(names(&st), by_name);
    update(&mut st, Msg::Action(AlarmsAction::SortReverse.into()));
    by_name.reverse();
    assert_eq!(names(&st), by_name);
    command(&mut st, "sort state");
    assert_eq!(names(&st), all);

    // enter on an alarm on a queue says what it watches.
    press(&s, &mut st, &[Action::Filter]).await;
    press(&s, &mut st, &typed("dlq")).await;
    press(&s, &mut st, &[Action::InputSubmit, Action::Enter]).await;
    assert_eq!(st.screen(), ScreenKind::Alarms);
    let status = common::status(&st);
    assert!(
        status.contains("watches the SQS queue email-sender-dlq"),
        "{status}"
    );

    press(&s, &mut st, &[Action::Back, Action::Back]).await;
    assert_eq!(st.screen(), ScreenKind::Functions);
}

#[tokio::test]
async fn asks_once_a_refresh_period_and_keeps_the_list_when_a_refresh_fails() {
    let s = source();
    let mut st = alarms(&s, (80, 24)).await;
    let every = st.ctx.policy.screen_every;
    let asks = |cmds: &[Cmd]| {
        jobs(cmds)
            .iter()
            .filter(|j| matches!(j.request, Request::Alarms(_)))
            .count()
    };
    let id = st.stack.last().map(|(id, _)| *id).expect("a screen");
    let top = st.stack.len() - 1;
    // A refresh within the period asks nothing (coming back from a dashboard, a tick)...
    let cmds = st.stack[top].1.base_mut().refresh(&mut st.ctx);
    assert_eq!(asks(&cmds), 0, "asked a moment ago");
    // ...and once it has passed, asks again.
    st.ctx.now += every;
    let cmds = st.stack[top].1.base_mut().refresh(&mut st.ctx);
    assert_eq!(asks(&cmds), 1);
    assert!(every <= MINUTE_MS, "at least once a minute");

    let before = names(&st);
    let denied = SourceError::AccessDenied {
        action: "cloudwatch:DescribeAlarms".into(),
    };
    update(&mut st, Msg::to(id, AlarmsMsg::Alarms(Err(denied))));
    assert_eq!(names(&st), before, "the last list stays");
    assert!(common::status(&st).contains("showing the last list"));
}
