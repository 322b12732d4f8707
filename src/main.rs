use std::process::ExitCode;

use clap::Parser;
use lambdascope::cli::{Cli, Command};
use lambdascope::source::{Source, SourceError};
use lambdascope::theme::ColorDepth;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some((path, Err(e))) = cli.global.log_file.as_ref().map(|p| (p, init_logging(p))) {
        eprintln!(
            "lambdascope: cannot write the log file {}: {e}",
            path.display()
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lambdascope: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli))
}

fn init_logging(path: &std::path::Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
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

async fn run(cli: Cli) -> ExitCode {
    let source = match connect(&cli).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("lambdascope: {e}");
            eprintln!(
                "\nTo look around without AWS, run the built-in demo account:\n    lambdascope --demo"
            );
            return ExitCode::from(2);
        }
    };
    let g = &cli.global;
    match &cli.command {
        Some(Command::Functions { json }) => {
            match lambdascope::cli::print_functions(&source, g.window, *json).await {
                Ok(out) => {
                    print!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("lambdascope: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Screenshots { out }) => {
            match lambdascope::ui::screenshots::write_all(&source, out).await {
                Ok(files) => {
                    for f in files {
                        println!("{}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("lambdascope: screenshots: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        None => {
            let env = |k: &str| std::env::var(k).ok();
            let opts = lambdascope::app::run::Options {
                theme: g.theme.clone(),
                window: g.window,
                no_color: env("NO_COLOR").is_some_and(|v| !v.is_empty()),
                depth: ColorDepth::detect(env("COLORTERM").as_deref(), env("TERM").as_deref()),
                theme_dir: lambdascope::theme::user_dir(),
            };
            match lambdascope::app::run::run(source, opts).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("lambdascope: terminal error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
