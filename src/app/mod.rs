//! The event loop and the Elm-style core: Msg → update(State) → Cmd → workers → Msg.

pub mod msg;
pub mod run;
pub mod update;
pub mod worker;

pub use msg::{Action, Cmd, Msg, StatsSeries};
pub use update::{start, update};

/// Runs commands against the source until no more follow, feeding every answer to `update`:
/// the loop without a terminal, for tests, screenshots and the non-interactive commands.
pub async fn settle(
    source: &crate::source::Source,
    state: &mut crate::state::State,
    mut cmds: Vec<Cmd>,
) {
    while !cmds.is_empty() {
        let mut next = Vec::new();
        for cmd in cmds {
            if let Some(msg) = worker::execute(source, cmd).await {
                next.extend(update(state, msg));
            }
        }
        cmds = next;
    }
}
