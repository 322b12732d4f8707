//! Shared by the integration tests: the demo account at a fixed moment, and a console driven
//! to a given state without a terminal.
// Each test binary uses a part of this module.
#![allow(dead_code, unused_imports)]

pub mod contract;
#[cfg(feature = "aws")]
pub mod emulator;
pub mod tmux;

use lambdascope::app::catalog::Catalog;
use lambdascope::app::jobs::{Job, Request, Target};
use lambdascope::app::{self, Action, Cmd, Msg, State};
use lambdascope::domain::EpochMs;
use lambdascope::screens::functions::FunctionsScreen;
use lambdascope::source::Source;
use lambdascope::source::demo::{Clock, DemoSource};

/// 2026-11-23T14:00:00Z: a Monday afternoon, the shop near its daily peak.
pub const T0: EpochMs = 1_795_442_400_000;
pub const SEED: u64 = 42;

pub fn demo() -> DemoSource {
    DemoSource::new(SEED, Clock::Fixed(T0))
}

pub fn source() -> Source {
    Source::Demo(demo())
}

pub use lambdascope::app::driver::{press, settle};

/// A console that has loaded everything the first screen asks for.
pub async fn console(source: &Source, size: (u16, u16)) -> State {
    lambdascope::app::driver::state_after(source, size, &[]).await
}

/// A console that has asked for its first data and received nothing yet.
pub fn fresh(s: &Source, size: (u16, u16)) -> State {
    let mut st = State::new(s.info(), s.now(), "dark", vec![]);
    st.ctx.size = size;
    st
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

/// The home screen.
pub fn home(state: &State) -> &FunctionsScreen {
    state
        .screen_of::<FunctionsScreen>()
        .expect("the functions screen is always open")
}

/// Function names in table order.
pub fn table(state: &State) -> Vec<String> {
    home(state)
        .names(&state.ctx.catalog)
        .into_iter()
        .map(String::from)
        .collect()
}

pub fn catalog(state: &State) -> &Catalog {
    &state.ctx.catalog
}

/// The jobs among commands.
pub fn jobs(cmds: &[Cmd]) -> Vec<&Job> {
    cmds.iter().filter_map(Cmd::job).collect()
}

/// What the jobs among commands fetch.
pub fn targets(cmds: &[Cmd]) -> Vec<Target> {
    jobs(cmds)
        .into_iter()
        .map(|j| j.key.target.clone())
        .collect()
}

/// Metrics asked for by the jobs among commands (every request of every job).
pub fn metrics_asked(cmds: &[Cmd]) -> usize {
    jobs(cmds)
        .into_iter()
        .map(|j| match &j.request {
            Request::Metrics(r, _) => r.queries.len(),
            Request::MetricSets(rs, _) => rs.iter().map(|r| r.queries.len()).sum(),
            _ => 0,
        })
        .sum()
}

/// The status line's message text, if one is showing.
pub fn status(state: &State) -> String {
    state
        .ctx
        .status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// A tick at `now`, as the runtime sends one.
pub fn tick(s: &Source, now: EpochMs) -> Msg {
    Msg::Tick {
        now,
        health: Default::default(),
        info: s.info(),
    }
}

/// The console drawn at its size with the default theme, as text (trailing spaces trimmed).
pub fn screen_text(state: &State) -> String {
    buffer_text(&app::view::render(
        state,
        &lambdascope::ui::theme::Theme::default_theme(),
    ))
}

/// A drawn buffer as text, one line a row, trailing blanks trimmed (snapshots, assertions).
pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let w = buf.area.width as usize;
    buf.content()
        .chunks(w)
        .map(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every log event of `group` stamped in `window`, all pages.
pub async fn all_logs(
    s: &Source,
    group: &str,
    window: lambdascope::domain::TimeWindow,
) -> Vec<lambdascope::domain::LogEvent> {
    let mut q = lambdascope::domain::LogQuery {
        log_groups: vec![group.into()],
        window,
        filter_pattern: String::new(),
        limit: 5000,
        newest_first: false,
        next_token: None,
    };
    let mut out = Vec::new();
    loop {
        let page = s.logs(&q).await.expect("logs");
        out.extend(page.events);
        match page.next_token {
            Some(t) => q.next_token = Some(t),
            None => return out,
        }
    }
}
