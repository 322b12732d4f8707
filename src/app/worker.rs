//! Workers run one `Cmd` against the Source and answer with a `Msg`. They never touch State.

use super::msg::{Cmd, Msg, StatsSeries};
use crate::source::Source;

/// Runs a source command. Returns `None` for commands the runtime handles itself.
pub async fn execute(source: &Source, cmd: Cmd) -> Option<Msg> {
    Some(match cmd {
        Cmd::LoadFunctions => Msg::Functions(source.list_functions().await),
        Cmd::LoadStats {
            generation,
            window,
            names,
            trend,
            totals,
        } => {
            let (trend, totals) = futures::join!(source.metrics(&trend), source.metrics(&totals));
            let result = match (trend, totals) {
                (Ok(trend), Ok(totals)) => Ok(StatsSeries { trend, totals }),
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            Msg::Stats {
                generation,
                window,
                names,
                result,
            }
        }
        Cmd::LoadDetail { generation, name } => Msg::Detail {
            generation,
            result: source.function(&name).await,
        },
        Cmd::LoadCharts {
            generation,
            request,
        } => Msg::Charts {
            generation,
            result: source.metrics(&request).await,
        },
        Cmd::SwitchSource { .. } | Cmd::SetTheme(_) => return None,
    })
}
