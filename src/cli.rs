//! Command-line flags and the non-interactive commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::source::demo::{Clock, DEFAULT_SEED, DemoSource};
use crate::source::{Function, Source, SourceError};
use crate::state::WindowChoice;
use crate::state::functions::{self, Cell, FunctionStats};

#[derive(Debug, Parser)]
#[command(
    name = "lambdascope",
    version,
    about = "A terminal console for AWS Lambda: health, CloudWatch metrics and logs, X-Ray traces",
    long_about = "lambdascope shows which Lambda functions are failing, with their invocations, errors, \
throttles, p95 duration and cold starts, in one terminal screen.\n\n\
Try it without AWS:   lambdascope --demo\n\
Against your account: lambdascope --profile prod --region eu-west-1\n\n\
Credentials come from the normal AWS chain: environment, ~/.aws config and credentials, SSO, \
assume-role, web identity and instance metadata. lambdascope only ever reads.",
    after_help = "Keys: ? help · / filter · : command · enter open · esc back · q quit"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Use the built-in demo account (no AWS needed)
    #[arg(long, global = true)]
    pub demo: bool,
    /// AWS profile from ~/.aws/config (default: AWS_PROFILE or "default")
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION or the profile's region)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint, e.g. LocalStack or moto on http://127.0.0.1:4566
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Colour theme: dark, light, high-contrast, monochrome, or one of yours
    #[arg(long, global = true, value_name = "NAME", default_value = crate::theme::DEFAULT_THEME)]
    pub theme: String,
    /// Time window: 15m, 1h, 3h, 12h, 24h, 3d or 7d
    #[arg(long, global = true, value_name = "SPAN", default_value = "1h", value_parser = parse_window)]
    pub window: WindowChoice,
    /// Write diagnostics to this file (never to the terminal)
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Demo account seed
    #[arg(long, global = true, hide = true, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Demo account size (pads the shop with generated functions)
    #[arg(long, global = true, hide = true, value_name = "N")]
    pub demo_size: Option<usize>,
    /// Freeze the demo clock at this RFC 3339 time (screenshots, tests)
    #[arg(long, global = true, hide = true, value_name = "TIME", value_parser = parse_clock)]
    pub clock: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the function table (or JSON) for the window and exit
    Functions {
        /// JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Render the screenshots in the README from the demo account
    #[command(hide = true)]
    Screenshots {
        #[arg(long, default_value = "screenshots")]
        out: PathBuf,
    },
}

fn parse_window(s: &str) -> Result<WindowChoice, String> {
    WindowChoice::parse(s)
        .ok_or_else(|| format!("{s:?} is not a window; use 15m, 1h, 3h, 12h, 24h, 3d or 7d"))
}

fn parse_clock(s: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_millis())
        .map_err(|e| format!("{s:?} is not an RFC 3339 time: {e}"))
}

impl Global {
    pub fn demo_source(&self) -> DemoSource {
        let clock = self.clock.map(Clock::Fixed).unwrap_or(Clock::Real);
        match self.demo_size {
            Some(n) => DemoSource::with_size(self.seed, clock, n),
            None => DemoSource::new(self.seed, clock),
        }
    }
}

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    function: &'a Function,
    invocations: Option<f64>,
    errors: Option<f64>,
    error_rate_percent: Option<f64>,
    throttles: Option<f64>,
    p95_duration_ms: Option<f64>,
    cold_starts: Option<f64>,
}

/// Health of every function over the window, fetched in batches.
pub async fn function_health(
    source: &Source,
    window: WindowChoice,
) -> Result<
    (
        Vec<Function>,
        std::collections::HashMap<String, FunctionStats>,
    ),
    SourceError,
> {
    let fns = source.list_functions().await?;
    let names: Vec<String> = fns.iter().map(|f| f.name.clone()).collect();
    let (w, trend, totals) = functions::stats_requests(&names, window, source.now());
    let (trend, totals) = futures::try_join!(source.metrics(&trend), source.metrics(&totals))?;
    Ok((
        fns,
        functions::stats_from_series(&names, &trend, &totals, w, window.spark_period_s()),
    ))
}

/// `lambdascope functions [--json]`.
pub async fn print_functions(
    source: &Source,
    window: WindowChoice,
    json: bool,
) -> Result<String, SourceError> {
    let (fns, stats) = function_health(source, window).await?;
    let v = |c: Option<&Cell>| c.and_then(Cell::value);
    if json {
        let rows: Vec<Row> = fns
            .iter()
            .map(|f| {
                let s = stats.get(&f.name);
                Row {
                    function: f,
                    invocations: v(s.map(|s| &s.invocations)),
                    errors: v(s.map(|s| &s.errors)),
                    error_rate_percent: s.and_then(FunctionStats::error_rate),
                    throttles: v(s.map(|s| &s.throttles)),
                    p95_duration_ms: v(s.map(|s| &s.p95_ms)),
                    cold_starts: v(s.map(|s| &s.cold_starts)),
                }
            })
            .collect();
        return serde_json::to_string_pretty(&rows).map_err(|e| SourceError::Other(e.to_string()));
    }
    use crate::ui::format;
    let name_w = fns.iter().map(|f| f.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!(
        "{:<name_w$}  {:<15} {:>6} {:>7} {:>8} {:>7} {:>6} {:>6} {:>8} {:>5}\n",
        "NAME", "RUNTIME", "MEM", "TIMEOUT", "INVOC", "ERR", "ERR%", "THROT", "P95", "COLD"
    );
    let cell = |c: Option<&Cell>, f: fn(f64) -> String| match c {
        Some(Cell::Value(x)) => f(*x),
        Some(Cell::Unavailable(_)) => "n/a".into(),
        _ => "-".into(),
    };
    for f in &fns {
        let s = stats.get(&f.name);
        out.push_str(&format!(
            "{:<name_w$}  {:<15} {:>6} {:>7} {:>8} {:>7} {:>6} {:>6} {:>8} {:>5}\n",
            format::safe(&f.name),
            f.runtime.as_deref().unwrap_or("image"),
            format!("{}M", f.memory_mb),
            format!("{}s", f.timeout_s),
            cell(s.map(|s| &s.invocations), format::count),
            cell(s.map(|s| &s.errors), format::count),
            s.and_then(FunctionStats::error_rate)
                .map(format::percent)
                .unwrap_or_else(|| "-".into()),
            cell(s.map(|s| &s.throttles), format::count),
            cell(s.map(|s| &s.p95_ms), format::millis),
            cell(s.map(|s| &s.cold_starts), format::count),
        ));
    }
    Ok(out)
}
