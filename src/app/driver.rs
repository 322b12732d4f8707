//! The loop without a terminal: runs commands against the source until no more follow, feeding
//! every answer to `update`. Tests, screenshots and the scriptable commands drive the console
//! with it, so they exercise the same `update` as a person at the keyboard.

use std::time::Duration;

use super::msg::{Action, Cmd, Msg};
use super::state::State;
use super::{update, worker};
use crate::source::Source;
use crate::ui::theme;

/// How long the driver waits for a subscription's first delivery before moving on.
const FIRST_DELIVERY: Duration = Duration::from_secs(5);

/// Takes the first delivery of a subscription and ends it.
struct FirstOnly(Option<Msg>);

impl worker::Outlet for FirstOnly {
    fn offer(&mut self, msg: Msg) -> Result<(), bool> {
        if self.0.is_some() {
            return Err(false);
        }
        self.0 = Some(msg);
        Err(false)
    }
    async fn insist(&mut self, msg: Msg) -> bool {
        let _ = self.offer(msg);
        false
    }
}

/// Takes every delivery (an Insights query runs to its rows).
struct All(Vec<Msg>);

impl worker::Outlet for All {
    fn offer(&mut self, msg: Msg) -> Result<(), bool> {
        self.0.push(msg);
        Ok(())
    }
    async fn insist(&mut self, msg: Msg) -> bool {
        self.0.push(msg);
        true
    }
}

/// Runs `cmds` and everything they lead to. Jobs run one after another, so none is ever stale;
/// debouncing is skipped, a tail delivers its first update only, and an Insights query runs
/// to its end.
pub async fn settle(source: &Source, state: &mut State, mut cmds: Vec<Cmd>) {
    while !cmds.is_empty() {
        let mut next = Vec::new();
        for cmd in cmds {
            let Cmd::Job(job) = cmd else { continue };
            let msgs = if job.request.is_lossless() {
                let mut out = All(Vec::new());
                worker::follow(source, job.request, &mut out).await;
                out.0
            } else if job.request.is_subscription() {
                let mut out = FirstOnly(None);
                let follow = worker::follow(source, job.request, &mut out);
                let _ = tokio::time::timeout(FIRST_DELIVERY, follow).await;
                out.0.into_iter().collect()
            } else {
                vec![worker::run(source, job.request).await]
            };
            for msg in msgs {
                next.extend(update::update(state, msg));
            }
        }
        cmds = next;
    }
}

/// A fresh console of `size` on `source`, as it looks once everything it first asks for has
/// arrived, then after `actions`.
pub async fn state_after(source: &Source, size: (u16, u16), actions: &[Action]) -> State {
    let mut state = State::new(
        source.info(),
        source.now(),
        theme::DEFAULT_THEME,
        theme::available(None),
    );
    state.ctx.size = size;
    let cmds = update::start(&mut state);
    settle(source, &mut state, cmds).await;
    press(source, &mut state, actions).await;
    state
}

/// Applies actions one by one, running whatever they ask the source for.
pub async fn press(source: &Source, state: &mut State, actions: &[Action]) {
    for a in actions {
        let cmds = update::update(state, Msg::Action(*a));
        settle(source, state, cmds).await;
    }
}
