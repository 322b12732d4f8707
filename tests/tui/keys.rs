//! Every key that help shows does something: each keymap entry on each screen, pressed in a
//! state where it can act, changes the state or asks for something; and each of its keys
//! resolves to its action (no table shadows another).

use crate::common;

use common::{command, console, press, settle, source, typed};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lambdascope::app::keys::{self, Binding, Key};
use lambdascope::app::router::ScreenKind;
use lambdascope::app::{Action, Msg, State, update};
use lambdascope::source::Source;

fn event(k: Key) -> KeyEvent {
    match k {
        Key::Char(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        Key::Code(code) => KeyEvent::new(code, KeyModifiers::NONE),
    }
}

/// Ways to prepare a screen so that a key has something to act on: as opened, scrolled down,
/// and with a filter applied.
fn preparations() -> Vec<Vec<Action>> {
    let mut filtered = vec![Action::Filter];
    filtered.extend(typed("o"));
    filtered.push(Action::InputSubmit);
    vec![vec![], vec![Action::Down, Action::Down], filtered]
}

async fn on(s: &Source, screen: ScreenKind, prep: &[Action]) -> State {
    let mut state = console(s, (120, 40)).await;
    // From home: a command, then enter on the first row. No wildcard: a new screen does not
    // compile here until it says how it is reached.
    let (line, enter) = match screen {
        ScreenKind::Functions => (None, false),
        ScreenKind::Dashboard => (None, true),
        ScreenKind::Overview => (Some("overview"), false),
        ScreenKind::Traces => (Some("traces"), false),
        ScreenKind::Waterfall => (Some("traces fault"), true),
        ScreenKind::Map => (Some("map"), false),
        ScreenKind::Logs => (Some("logs orders-api-create"), false),
        ScreenKind::Alarms => (Some("alarms"), false),
    };
    if let Some(line) = line {
        let cmds = command(&mut state, line);
        settle(s, &mut state, cmds).await;
    }
    if enter {
        press(s, &mut state, &[Action::Enter]).await;
    }
    press(s, &mut state, prep).await;
    assert_eq!(state.screen(), screen);
    state
}

async fn check(s: &Source, screen: ScreenKind, table: &[Binding]) {
    for b in table {
        let mut acted = false;
        for prep in preparations() {
            let mut state = on(s, screen, &prep).await;
            for &k in b.keys {
                assert_eq!(
                    keys::resolve(&state, &event(k)),
                    Some(b.action),
                    "{screen:?}: {:?} should mean {:?}",
                    k,
                    b.action
                );
            }
            let before = format!("{state:?}");
            let cmds = update(&mut state, Msg::Action(b.action));
            if !cmds.is_empty() || format!("{state:?}") != before {
                acted = true;
                break;
            }
        }
        assert!(
            acted,
            "{screen:?}: `{}` ({}) does nothing",
            b.label, b.description
        );
    }
}

#[tokio::test]
async fn every_key_in_help_does_something() {
    let s = source();
    for &screen in ScreenKind::ALL {
        let state = on(&s, screen, &[]).await;
        let table = state.top().base().keymap().concat();
        assert!(!table.is_empty());
        check(&s, screen, &table).await;
        check(&s, screen, keys::GLOBAL).await;
    }
}
