//! The `:` commands: one registry that the palette completes from, help lists, and `update`
//! runs.

use super::router::{LogsPlace, Place};

/// One command as the palette and help show it.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// What `update` and the screens dispatch on.
    pub id: CommandId,
    pub name: &'static str,
    /// How its argument is written, empty when it takes none.
    pub arg: &'static str,
    pub description: &'static str,
    /// Other spellings that also run it (not completed).
    pub aliases: &'static [&'static str],
    /// The place it opens, from its argument, when that is all it does.
    pub opens: Option<fn(String) -> Place>,
}

/// The registry: each row gives a command's typed id, its name and other spellings, how its
/// argument is written, and what it does. Dispatch matches the id, so a misspelt command does
/// not compile; the palette, completion and help read the same rows. A command that only opens
/// a place says which after `=>`, and needs no arm in `update`.
macro_rules! commands {
    (@opens) => { None };
    (@opens $opens:expr) => { Some($opens) };
    ($($id:ident: $name:literal $(| $alias:literal)*, $arg:literal, $description:literal
        $(=> $opens:expr)?;)*) => {
        /// A `:` command, as `update` and the screens dispatch on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CommandId { $($id),* }

        pub const COMMANDS: &[Command] = &[$(Command {
            id: CommandId::$id,
            name: $name,
            arg: $arg,
            description: $description,
            aliases: &[$($alias),*],
            opens: commands!(@opens $($opens)?),
        }),*];
    };
}

commands! {
    Functions: "fn" | "functions" | "func" | "home", "", "functions (home)";
    Overview: "overview" | "account", "", "account overview: totals, limits, top functions"
        => |_| Place::Overview(());
    Window: "window", "15m|1h|3h|12h|1d|7d|30d", "time window";
    Traces: "traces", "[filter]", "X-Ray traces, optionally filtered"
        => Place::Traces;
    Trace: "trace", "id", "one trace's waterfall";
    Map: "map" | "servicemap", "", "X-Ray service map" => |_| Place::Map(());
    Alarms: "alarms" | "alarm", "", "CloudWatch alarms, ALARM first" => |_| Place::Alarms(());
    Logs: "logs" | "log", "[function…]", "logs of functions (all when none)"
        => |arg| Place::Logs(LogsPlace {
            functions: arg.split_whitespace().map(str::to_string).collect(),
            invocation: None,
        });
    Filter: "filter", "pattern", "CloudWatch filter pattern for the logs fetch and tail";
    Insights: "insights", "[query]", "Logs Insights on the logs screen";
    Sort: "sort", "column", "sort by column (name, err%, p95…)";
    Theme: "theme", "name", "switch theme";
    Region: "region", "name", "switch AWS region";
    Profile: "profile", "name", "switch AWS profile";
    Usage: "usage", "", "API calls and estimated cost";
    Help: "help", "", "keys";
    Quit: "q" | "quit" | "q!", "", "quit";
}

/// Completions for what has been typed so far.
pub fn completions(text: &str) -> Vec<&'static Command> {
    let word = text.split_whitespace().next().unwrap_or("");
    COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(word))
        .collect()
}

/// The command a word names: its name, an alias, or a unique prefix (`:th dark`).
pub fn resolve(word: &str) -> Result<&'static Command, String> {
    if let Some(c) = COMMANDS
        .iter()
        .find(|c| c.name == word || c.aliases.contains(&word))
    {
        return Ok(c);
    }
    match completions(word).as_slice() {
        [one] => Ok(one),
        [] => {
            let known: Vec<String> = COMMANDS.iter().map(|c| format!(":{}", c.name)).collect();
            Err(format!("unknown command :{word}; try {}", known.join(" ")))
        }
        many => {
            let names: Vec<String> = many.iter().map(|c| format!(":{}", c.name)).collect();
            Err(format!(":{word} could be {}", names.join(" or ")))
        }
    }
}

/// A command line split into the command and its argument.
pub fn parse(line: &str) -> Option<(&str, String)> {
    let mut words = line.split_whitespace();
    let cmd = words.next()?;
    Some((cmd, words.collect::<Vec<_>>().join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_aliases_and_ambiguity() {
        assert_eq!(resolve("th").map(|c| c.name), Ok("theme"));
        assert_eq!(resolve("quit").map(|c| c.name), Ok("q"));
        assert_eq!(resolve("functions").map(|c| c.name), Ok("fn"));
        assert!(resolve("nope").unwrap_err().contains(":window"));
        assert!(resolve("").is_err());
        assert_eq!(resolve("servicemap").map(|c| c.id), Ok(CommandId::Map));
        let open = |word: &str, arg: &str| {
            resolve(word)
                .ok()
                .and_then(|c| c.opens)
                .map(|o| o(arg.into()))
        };
        assert_eq!(open("map", ""), Some(Place::Map(())));
        assert_eq!(open("traces", "error"), Some(Place::Traces("error".into())));
        assert_eq!(open("window", "1h"), None, "not a place");
        assert_eq!(parse(" window  3h ").unwrap(), ("window", "3h".into()));
    }
}
