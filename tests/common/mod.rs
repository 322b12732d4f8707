//! Shared by the integration tests: the demo account at a fixed moment, and a console driven
//! to a given state without a terminal.
#![allow(dead_code)]

pub mod contract;
pub mod tmux;

use lambdascope::app::{self, Action, Msg};
use lambdascope::source::demo::{Clock, DemoSource};
use lambdascope::source::{EpochMs, Source};
use lambdascope::state::State;

/// 2026-11-23T14:00:00Z: a Monday afternoon, the shop near its daily peak.
pub const T0: EpochMs = 1_795_442_400_000;
pub const SEED: u64 = 42;

pub fn demo() -> DemoSource {
    DemoSource::new(SEED, Clock::Fixed(T0))
}

pub fn source() -> Source {
    Source::Demo(demo())
}

/// A console that has loaded everything the first screen asks for.
pub async fn console(source: &Source, size: (u16, u16)) -> State {
    let mut state = State::new(
        source.info(),
        source.now(),
        "dark",
        vec!["dark".into(), "light".into()],
    );
    state.size = size;
    let cmds = app::start(&mut state);
    app::settle(source, &mut state, cmds).await;
    state
}

/// Applies actions one by one, running whatever they ask the source for.
pub async fn press(source: &Source, state: &mut State, actions: &[Action]) {
    for a in actions {
        let cmds = app::update(state, Msg::Action(*a));
        app::settle(source, state, cmds).await;
    }
}

pub fn typed(text: &str) -> Vec<Action> {
    text.chars().map(Action::Input).collect()
}
