//! Shared by the integration tests: the demo account at a fixed moment, and a console driven
//! to a given state without a terminal.
// Each test binary uses a part of this module.
#![allow(dead_code, unused_imports)]

pub mod contract;
pub mod tmux;

use lambdascope::app::{self, Action, Cmd, Msg};
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

pub use lambdascope::ui::screenshots::press;

/// A console that has loaded everything the first screen asks for.
pub async fn console(source: &Source, size: (u16, u16)) -> State {
    lambdascope::ui::screenshots::state_after(source, size, &[]).await
}

/// Types `:line` and enter into the palette; returns what the console asked for.
pub fn command(state: &mut State, line: &str) -> Vec<Cmd> {
    app::update(state, Msg::Action(Action::Palette));
    for c in line.chars() {
        app::update(state, Msg::Action(Action::Input(c)));
    }
    app::update(state, Msg::Action(Action::InputSubmit))
}

pub fn typed(text: &str) -> Vec<Action> {
    text.chars().map(Action::Input).collect()
}
