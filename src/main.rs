use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use lambdascope::app::runtime::Ended;
use lambdascope::cli::{Cli, Command, say};
use lambdascope::domain::SourceError;
use lambdascope::source::Source;
use lambdascope::ui::theme::ColorDepth;

/// The log file is truncated when it grows past this at start-up.
const LOG_LIMIT: u64 = 10 << 20;

fn main() -> ExitCode {
    lambdascope::app::runtime::install_panic_hook();
    let cli = Cli::parse();
    let log_path = cli.global.log_file.clone().or_else(default_log_path);
    // The default location is a convenience; without it the console still works.
    if let Some(path) = &log_path
        && let Err(e) = init_logging(path)
        && cli.global.log_file.is_some()
    {
        say(format_args!(
            "lambdascope: cannot write the log file {}: {e}",
            path.display()
        ));
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            say(format_args!("lambdascope: cannot start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli, log_path))
}

/// `$XDG_STATE_HOME/lambdascope/lambdascope.log`, or the cache directory where there is none.
fn default_log_path() -> Option<PathBuf> {
    let dir = dirs::state_dir()
        .or_else(dirs::cache_dir)?
        .join("lambdascope");
    Some(dir.join("lambdascope.log"))
}

fn init_logging(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() > LOG_LIMIT);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(!big)
        .write(true)
        .truncate(big)
        .open(path)?;
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LAMBDASCOPE_LOG")
                .unwrap_or_else(|_| "lambdascope=info".into()),
        )
        .init();
    Ok(())
}

async fn connect(cli: &Cli) -> Result<Source, SourceError> {
    let g = &cli.global;
    if g.demo {
        return Ok(Source::Demo(g.demo_source()));
    }
    #[cfg(feature = "aws")]
    {
        let opts = lambdascope::source::aws::AwsOptions {
            profile: g.profile.clone(),
            region: g.region.clone(),
            endpoint_url: g.endpoint_url.clone(),
            timeout: Some(g.timeout),
        };
        lambdascope::source::aws::AwsSource::connect(&opts)
            .await
            .map(Source::Aws)
    }
    #[cfg(not(feature = "aws"))]
    Err(SourceError::Unsupported {
        what: "AWS".into(),
        reason: "this build has no AWS support (feature \"aws\")".into(),
    })
}

async fn run(cli: Cli, log_path: Option<PathBuf>) -> ExitCode {
    let source = match connect(&cli).await {
        Ok(s) => s,
        Err(e) => {
            say(format_args!("lambdascope: {e}"));
            say(format_args!(
                "\nTo look around without AWS, run the built-in demo account:\n    lambdascope --demo"
            ));
            return ExitCode::from(2);
        }
    };
    let g = &cli.global;
    match &cli.command {
        Some(Command::Functions { json }) => print_or_fail(
            lambdascope::cli::functions::print_functions(&source, g.window, *json).await,
        ),
        Some(Command::Metrics {
            function,
            since,
            period,
            json,
        }) => {
            let since = since.unwrap_or_else(|| g.window.span());
            let printed =
                lambdascope::cli::metrics::print_metrics(&source, function, since, *period, *json)
                    .await;
            print_or_fail(printed)
        }
        Some(Command::Overview { json }) => {
            let printed =
                lambdascope::cli::overview::print_overview(&source, g.window, *json).await;
            print_or_fail(printed)
        }
        Some(Command::Traces {
            since,
            filter_expression,
            limit,
            json,
        }) => {
            let since = since.unwrap_or(g.window.span());
            let out = lambdascope::cli::traces::print_traces(
                &source,
                since,
                filter_expression,
                *limit,
                *json,
            )
            .await;
            print_or_fail(out.map(|s| (s, vec![])))
        }
        Some(Command::Trace {
            trace_id,
            json,
            width,
        }) => print_or_fail(
            lambdascope::cli::traces::print_trace(&source, trace_id, *json, *width)
                .await
                .map(|s| (s, vec![])),
        ),
        Some(Command::Map { since, json }) => {
            let since = since.unwrap_or(g.window.span());
            print_or_fail(
                lambdascope::cli::traces::print_map(&source, since, *json)
                    .await
                    .map(|s| (s, vec![])),
            )
        }
        Some(Command::Logs {
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
        }) => {
            use lambdascope::cli::logs::{LogsArgs, Stop, parse_time};
            let now = source.now();
            let window = match (start, end) {
                (Some(s), Some(e)) => match (parse_time(s, now), parse_time(e, now)) {
                    (Ok(s), Ok(e)) => Some(lambdascope::domain::TimeWindow::new(s, e)),
                    (Err(m), _) | (_, Err(m)) => {
                        say(format_args!("lambdascope: {m}"));
                        return ExitCode::from(2);
                    }
                },
                _ => None,
            };
            let since_ms = *since;
            let args = LogsArgs {
                functions: functions.clone(),
                window,
                since_ms,
                follow: *follow,
                filter: filter.clone(),
                grep: grep.clone(),
                invocations: *invocations,
                insights: insights.clone(),
                json: *json,
            };
            match lambdascope::cli::logs::run(&source, &args).await {
                Ok(()) | Err(Stop::Closed) => ExitCode::SUCCESS,
                Err(Stop::Failed(e)) => {
                    say(format_args!("lambdascope: {e}"));
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Screenshots { out }) => {
            match lambdascope::cli::screenshots::write_all(&source, out).await {
                Ok(files) => {
                    for f in files {
                        println!("{}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    say(format_args!("lambdascope: screenshots: {e}"));
                    ExitCode::FAILURE
                }
            }
        }
        None => {
            let env = |k: &str| std::env::var(k).ok();
            let opts = lambdascope::app::runtime::Options {
                theme: g.theme.clone(),
                window: g.window,
                no_color: env("NO_COLOR").is_some_and(|v| !v.is_empty()),
                depth: ColorDepth::detect(env("COLORTERM").as_deref(), env("TERM").as_deref()),
                theme_dir: lambdascope::ui::theme::user_dir(),
                ascii: g.ascii
                    || lambdascope::ui::widgets::braille_unsupported(
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
            match lambdascope::app::runtime::run(source, opts).await {
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
    }
}

/// Prints a scriptable command's output and its warnings (stderr); exit 1 on failure.
fn print_or_fail(printed: Result<(String, Vec<String>), SourceError>) -> ExitCode {
    match printed {
        Ok((out, warnings)) => {
            print!("{out}");
            for w in warnings {
                say(format_args!("lambdascope: {w}"));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            say(format_args!("lambdascope: {e}"));
            ExitCode::FAILURE
        }
    }
}
