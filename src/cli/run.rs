//! Runs what the command line asked for: a scriptable command, or the console. Every command
//! ends one way: its output on stdout, warnings and the error on stderr through [`say`], and an
//! exit code that says which (0 done, 1 failed, 2 asked for something impossible).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Command, Global, say};
use crate::app::runtime::Ended;
use crate::domain::SourceError;
use crate::source::Source;
use crate::ui::theme::ColorDepth;

/// What a command prints: its output for stdout, and warnings for stderr.
#[derive(Debug, Default)]
pub struct Printed {
    pub out: String,
    pub warnings: Vec<String>,
}

impl From<String> for Printed {
    fn from(out: String) -> Printed {
        Printed {
            out,
            warnings: vec![],
        }
    }
}

impl From<(String, Vec<String>)> for Printed {
    fn from((out, warnings): (String, Vec<String>)) -> Printed {
        Printed { out, warnings }
    }
}

/// Why a command stopped short.
#[derive(Debug)]
pub enum Failed {
    /// A call to the account failed, or the command could not finish (exit 1).
    Run(String),
    /// The command line asked for something impossible (exit 2).
    Usage(String),
}

impl From<SourceError> for Failed {
    fn from(e: SourceError) -> Failed {
        Failed::Run(e.to_string())
    }
}

/// Runs a scriptable command and prints how it went.
pub async fn command(source: &Source, g: &Global, command: &Command) -> ExitCode {
    finish(outcome(source, g, command).await)
}

async fn outcome(source: &Source, g: &Global, command: &Command) -> Result<Printed, Failed> {
    let span = |since: &Option<i64>| since.unwrap_or_else(|| g.window.span());
    Ok(match command {
        Command::Functions { json } => super::functions::print_functions(source, g.window, *json)
            .await?
            .into(),
        Command::Metrics {
            function,
            since,
            period,
            json,
        } => super::metrics::print_metrics(source, function, span(since), *period, *json)
            .await?
            .into(),
        Command::Alarms { state, json } => {
            super::alarms::print_alarms(source, state.as_ref(), *json)
                .await?
                .into()
        }
        Command::Overview { json } => super::overview::print_overview(source, g.window, *json)
            .await?
            .into(),
        Command::Traces {
            since,
            filter_expression,
            limit,
            json,
        } => super::traces::print_traces(source, span(since), filter_expression, *limit, *json)
            .await?
            .into(),
        Command::Trace {
            trace_id,
            json,
            width,
        } => super::traces::print_trace(source, trace_id, *json, *width)
            .await?
            .into(),
        Command::Map { since, json } => super::traces::print_map(source, span(since), *json)
            .await?
            .into(),
        Command::Logs {
            functions,
            since,
            start,
            end,
            follow,
            filter,
            grep,
            invocations,
            insights,
            json,
        } => {
            use super::logs::{LogsArgs, Stop, parse_time};
            let now = source.now();
            let window = match (start, end) {
                (Some(s), Some(e)) => {
                    let s = parse_time(s, now).map_err(Failed::Usage)?;
                    let e = parse_time(e, now).map_err(Failed::Usage)?;
                    Some(crate::domain::TimeWindow::new(s, e))
                }
                _ => None,
            };
            let args = LogsArgs {
                functions: functions.clone(),
                window,
                since_ms: *since,
                follow: *follow,
                filter: filter.clone(),
                grep: grep.clone(),
                invocations: *invocations,
                insights: insights.clone(),
                json: *json,
            };
            // Logs stream as they come: nothing is left to print at the end.
            match super::logs::run(source, &args).await {
                Ok(()) | Err(Stop::Closed) => Printed::default(),
                Err(Stop::Failed(e)) => return Err(Failed::Run(e)),
            }
        }
        Command::Screenshots { out } => {
            let files = super::screenshots::write_all(source, out)
                .await
                .map_err(|e| Failed::Run(format!("screenshots: {e}")))?;
            let mut out = String::new();
            for f in files {
                out.push_str(&format!("{}\n", f.display()));
            }
            out.into()
        }
    })
}

/// Prints a command's outcome: the output, then its warnings or its error.
fn finish(outcome: Result<Printed, Failed>) -> ExitCode {
    match outcome {
        Ok(printed) => {
            let mut stdout = std::io::stdout().lock();
            // A reader that went away (`| head`) is not an error.
            if let Err(e) = stdout
                .write_all(printed.out.as_bytes())
                .and_then(|()| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                say(format_args!("lambdascope: cannot write the output: {e}"));
                return ExitCode::FAILURE;
            }
            for w in printed.warnings {
                say(format_args!("lambdascope: {w}"));
            }
            ExitCode::SUCCESS
        }
        Err(Failed::Run(e)) => {
            say(format_args!("lambdascope: {e}"));
            ExitCode::FAILURE
        }
        Err(Failed::Usage(e)) => {
            say(format_args!("lambdascope: {e}"));
            ExitCode::from(2)
        }
    }
}

/// Runs the console until the user quits; says where the log is if it ends badly.
pub async fn console(source: Source, g: &Global, log_path: Option<PathBuf>) -> ExitCode {
    let env = |k: &str| std::env::var(k).ok();
    let opts = crate::app::runtime::Options {
        theme: g.theme.clone(),
        window: g.window,
        no_color: env("NO_COLOR").is_some_and(|v| !v.is_empty()),
        depth: ColorDepth::detect(env("COLORTERM").as_deref(), env("TERM").as_deref()),
        theme_dir: crate::ui::theme::user_dir(),
        ascii: g.ascii
            || crate::ui::widgets::braille_unsupported(
                env("TERM").as_deref(),
                env("LC_ALL").as_deref(),
                env("LC_CTYPE").as_deref(),
                env("LANG").as_deref(),
            ),
        log_memory: g.log_memory,
    };
    let log = log_path
        .map(|p| format!("The log is at {}.", p.display()))
        .unwrap_or_else(|| "No log file could be written.".into());
    match crate::app::runtime::run(source, opts).await {
        Ok(Ended::Quit) => ExitCode::SUCCESS,
        Ok(Ended::Signal(name, code)) => {
            tracing::info!(signal = name, "stopped by a signal");
            ExitCode::from(code)
        }
        Ok(Ended::Panic(message)) => {
            say(format_args!("lambdascope crashed: {message}\n{log}"));
            ExitCode::from(101)
        }
        Err(e) => {
            say(format_args!("lambdascope: terminal error: {e}\n{log}"));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    async fn run(args: &[&str]) -> Result<Printed, Failed> {
        let mut argv = vec!["lambdascope", "--demo", "--clock", "2026-11-23T14:00:00Z"];
        argv.extend(args);
        let cli = super::super::Cli::try_parse_from(argv).expect("flags");
        let source = Source::Demo(cli.global.demo_source());
        let command = cli.command.expect("a command");
        outcome(&source, &cli.global, &command).await
    }

    #[tokio::test]
    async fn a_command_hands_back_its_output_and_warnings() {
        let printed = run(&["functions"]).await.expect("the demo lists functions");
        assert!(printed.out.contains("orders-api-create"), "{}", printed.out);
        let trace = run(&["trace", "1-00000000-000000000000000000000000"]).await;
        assert!(matches!(trace, Err(Failed::Run(_))), "{trace:?}");
    }

    #[tokio::test]
    async fn an_impossible_time_is_a_usage_error() {
        let out = run(&[
            "logs",
            "orders-api-create",
            "--start",
            "someday",
            "--end",
            "1h",
        ])
        .await;
        assert!(matches!(out, Err(Failed::Usage(_))), "{out:?}");
    }
}
