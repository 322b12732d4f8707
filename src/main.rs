use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use lambdascope::cli::{self, Cli, say};
use lambdascope::domain::SourceError;
use lambdascope::source::Source;

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
    match &cli.command {
        Some(command) => cli::command(&source, &cli.global, command).await,
        None => cli::console(source, &cli.global, log_path).await,
    }
}
