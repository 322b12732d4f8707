//! Snapshots of the Logs screen in each of its states, at 80×24 and 120×40, from the demo
//! account at a fixed clock: loading, empty, following, paused, search with highlights,
//! matches only, an expanded invocation, the Insights table, error groups and a bad regex.

use crate::common;

use common::{command, console, press, settle, source, typed};
use lambdascope::app::{Action, Msg, State, update};
use lambdascope::domain::LogPage;
use lambdascope::screens::logs::{LogsAction, LogsMsg, LogsScreen};
use lambdascope::source::Source;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, state: &State) {
    insta::assert_snapshot!(
        format!("logs_{name}_{}x{}", state.ctx.size.0, state.ctx.size.1),
        common::screen_text(state)
    );
}

async fn open(s: &Source, size: (u16, u16), line: &str) -> State {
    let mut state = console(s, size).await;
    let cmds = command(&mut state, line);
    settle(s, &mut state, cmds).await;
    state
}

/// Text snapshots carry no styles: the match on screen is drawn in the theme's match style.
fn assert_highlighted(state: &State, text: &str) {
    let theme = lambdascope::ui::theme::Theme::default_theme();
    let buf = lambdascope::app::view::render(state, &theme);
    let w = usize::from(buf.area.width);
    let rows: Vec<&[ratatui::buffer::Cell]> = buf.content().chunks(w).collect();
    let lit = rows.iter().any(|row| {
        let line: String = row.iter().map(|c| c.symbol()).collect();
        line.find(text).is_some_and(|at| {
            let at = line[..at].chars().count();
            let before = row[at - 1].style();
            row[at..at + text.len()]
                .iter()
                .all(|c| c.style() != before && c.style().bg == theme.log_match.bg)
        })
    });
    assert!(lit, "no highlighted {text:?} on screen");
}

fn id(state: &State) -> lambdascope::app::jobs::ScreenId {
    state.screen_of::<LogsScreen>().expect("logs").id
}

#[tokio::test]
async fn logs_screen_states() {
    let s = source();
    for size in SIZES {
        // Loading: asked, nothing back yet.
        let mut loading = console(&s, size).await;
        command(&mut loading, "logs orders-api-create");
        snap("loading", &loading);

        // Empty: the page came back with nothing.
        let mut empty = console(&s, size).await;
        command(&mut empty, "logs orders-api-create");
        let i = id(&empty);
        update(
            &mut empty,
            Msg::to(
                i,
                LogsMsg::Page {
                    older: false,
                    result: Ok(LogPage::default()),
                },
            ),
        );
        snap("empty", &empty);

        let following = open(&s, size, "logs orders-api-create").await;
        snap("following", &following);

        // Paused a page up: older invocations on screen, not the newest.
        let mut paused = open(&s, size, "logs orders-api-create").await;
        press(&s, &mut paused, &[Action::PageUp, Action::PageUp]).await;
        snap("paused", &paused);

        // Every line unfolded, a regex, and on its newest match: the matches are on screen.
        let mut searching = open(&s, size, "logs orders-api-create").await;
        press(
            &s,
            &mut searching,
            &[
                LogsAction::Fold.into(),
                LogsAction::SearchMode.into(),
                Action::Filter,
            ],
        )
        .await;
        press(&s, &mut searching, &typed("ERROR")).await;
        press(
            &s,
            &mut searching,
            &[Action::InputSubmit, LogsAction::PrevMatch.into()],
        )
        .await;
        snap("search_highlights", &searching);
        assert_highlighted(&searching, "ERROR");
        // Following again, only the matching lines, the newest at the bottom.
        press(
            &s,
            &mut searching,
            &[Action::Bottom, LogsAction::MatchesOnly.into()],
        )
        .await;
        snap("matches_only", &searching);

        let mut expanded = open(&s, size, "logs orders-api-create").await;
        press(
            &s,
            &mut expanded,
            &[LogsAction::NextError.into(), Action::Enter],
        )
        .await;
        snap("expanded_invocation", &expanded);

        let mut insights = open(&s, size, "logs payments-webhook").await;
        press(
            &s,
            &mut insights,
            &[LogsAction::Insights.into(), Action::Down, Action::Enter],
        )
        .await;
        snap("insights_table", &insights);

        let mut groups = open(&s, size, "logs orders-api-create").await;
        press(&s, &mut groups, &[LogsAction::ErrorGroups.into()]).await;
        snap("error_groups", &groups);

        let mut bad = open(&s, size, "logs orders-api-create").await;
        press(
            &s,
            &mut bad,
            &[LogsAction::SearchMode.into(), Action::Filter],
        )
        .await;
        press(&s, &mut bad, &typed("(unclosed")).await;
        snap("bad_regex", &bad);
    }
}
