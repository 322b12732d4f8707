//! The `:` commands: one registry that the palette completes from, help lists, and `update`
//! runs.

/// One command as the palette and help show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    pub name: &'static str,
    /// How its argument is written, empty when it takes none.
    pub arg: &'static str,
    pub description: &'static str,
    /// Other spellings that also run it (not completed).
    pub aliases: &'static [&'static str],
}

const fn c(
    name: &'static str,
    arg: &'static str,
    description: &'static str,
    aliases: &'static [&'static str],
) -> Command {
    Command {
        name,
        arg,
        description,
        aliases,
    }
}

pub const COMMANDS: &[Command] = &[
    c("fn", "", "functions (home)", &["functions", "func", "home"]),
    c(
        "overview",
        "",
        "account overview: totals, limits, top functions",
        &["account"],
    ),
    c("window", "15m|1h|3h|12h|1d|7d|30d", "time window", &[]),
    c(
        "traces",
        "[filter]",
        "X-Ray traces, optionally filtered",
        &[],
    ),
    c("trace", "id", "one trace's waterfall", &[]),
    c("map", "", "X-Ray service map", &["servicemap"]),
    c(
        "logs",
        "[function…]",
        "logs of functions (all when none)",
        &["log"],
    ),
    c(
        "filter",
        "pattern",
        "CloudWatch filter pattern for the logs fetch and tail",
        &[],
    ),
    c(
        "insights",
        "[query]",
        "Logs Insights on the logs screen",
        &[],
    ),
    c("sort", "column", "sort by column (name, err%, p95…)", &[]),
    c("theme", "name", "switch theme", &[]),
    c("region", "name", "switch AWS region", &[]),
    c("profile", "name", "switch AWS profile", &[]),
    c("usage", "", "API calls and estimated cost", &[]),
    c("help", "", "keys", &[]),
    c("q", "", "quit", &["quit", "q!"]),
];

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
        assert_eq!(parse(" window  3h ").unwrap(), ("window", "3h".into()));
    }
}
