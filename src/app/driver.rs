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

/// How long one settle waits in all. Each source call has its own backstop, but a chain of
/// them (pages that keep coming) or an Insights query run to its end has none.
pub const SETTLE_WITHIN: Duration = worker::QUERY_BACKSTOP;

/// Runs `cmds` and everything they lead to. Jobs run one after another, so none is ever stale;
/// debouncing is skipped, a tail delivers its first update only, and an Insights query runs
/// to its end. Waits [`SETTLE_WITHIN`] at most; see [`settle_within`].
pub async fn settle(source: &Source, state: &mut State, cmds: Vec<Cmd>) -> bool {
    settle_within(source, state, cmds, SETTLE_WITHIN).await
}

/// [`settle`], waiting `within` at most in all. True when everything answered; past the
/// deadline it stops with what has arrived applied, drops the rest and says so in the log.
pub async fn settle_within(
    source: &Source,
    state: &mut State,
    mut cmds: Vec<Cmd>,
    within: Duration,
) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while !cmds.is_empty() {
        let mut next = Vec::new();
        for cmd in cmds {
            let Cmd::Job(job) = cmd else { continue };
            let what = format!("{:?}", job.key.target);
            let run = async {
                if job.request.is_lossless() {
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
                }
            };
            let Ok(msgs) = tokio::time::timeout_at(deadline, run).await else {
                tracing::warn!(job = what, ?within, "settle gave up waiting");
                return false;
            };
            for msg in msgs {
                next.extend(update::update(state, msg));
            }
        }
        cmds = next;
    }
    true
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::Loadable;
    use crate::app::update::start;
    use crate::source::demo::{Clock, DemoSource, Fault};

    fn console(source: &Source) -> (State, Vec<Cmd>) {
        let mut state = State::new(source.info(), source.now(), theme::DEFAULT_THEME, vec![]);
        state.ctx.size = (120, 40);
        let cmds = start(&mut state);
        (state, cmds)
    }

    #[tokio::test]
    async fn a_hung_source_ends_the_settle_at_its_deadline_with_what_arrived() {
        let at = Clock::Fixed(1_795_442_400_000);
        let hung = Source::Demo(DemoSource::new(42, at).with_fault(Fault::HangMetrics));
        let (mut state, cmds) = console(&hung);
        // Far inside the source call's own backstop: the settle's deadline is what ends it.
        let within = Duration::from_secs(1);
        assert!(!settle_within(&hung, &mut state, cmds, within).await);
        // The demo lists at once (a job is polled before its deadline is checked).
        assert!(
            matches!(state.ctx.catalog.list, Loadable::Loaded(ref l) if !l.is_empty()),
            "what arrived before the metrics hung is kept"
        );
        assert!(state.ctx.catalog.stats.is_empty(), "no figures came");

        let fine = Source::Demo(DemoSource::new(42, at));
        let (mut state, cmds) = console(&fine);
        assert!(settle(&fine, &mut state, cmds).await);
        assert!(!state.ctx.catalog.stats.is_empty());
    }
}
