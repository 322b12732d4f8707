//! Command-line flags and the scriptable commands, one file each; [`run`] runs what was asked.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::WindowChoice;
use crate::source::demo::{Clock, DEFAULT_SEED, DemoSource, Fault};

pub mod alarms;
pub mod functions;
pub mod logs;
pub mod metrics;
pub mod overview;
pub mod run;
pub mod screenshots;
pub mod traces;

pub use run::{command, console};

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
    /// Give up on an AWS call that has not answered after this long, retries included
    /// (e.g. 30s, 2m)
    #[arg(long, global = true, value_name = "SPAN", default_value = "30s", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
    /// Memory all log buffers may hold together before the oldest lines are evicted (and
    /// counted), e.g. 512M, 2G
    #[arg(long, global = true, value_name = "SIZE", default_value = "512M", value_parser = parse_size)]
    pub log_memory: usize,
    /// Colour theme: dark, light, high-contrast, monochrome, or one of yours
    #[arg(long, global = true, value_name = "NAME", default_value = crate::ui::theme::DEFAULT_THEME)]
    pub theme: String,
    /// Time window: 15m, 1h, 3h, 12h, 1d, 7d or 30d
    #[arg(long, global = true, value_name = "SPAN", default_value = "1h", value_parser = parse_window)]
    pub window: WindowChoice,
    /// Draw charts with ASCII markers instead of braille (automatic on terminals and locales
    /// that cannot show braille)
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Write diagnostics to this file (never to the terminal) [default: the state directory,
    /// e.g. ~/.local/state/lambdascope/lambdascope.log]
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Demo account seed
    #[arg(long, global = true, hide = true, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Demo account size (pads the shop with generated functions)
    #[arg(long, global = true, hide = true, value_name = "N")]
    pub demo_size: Option<usize>,
    /// Inject a fault into the demo account (tests): panic-in-worker, panic-in-update, hang-metrics
    #[arg(long, global = true, hide = true, value_name = "FAULT", value_parser = parse_fault)]
    pub demo_fault: Option<Fault>,
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
    /// Print a function's series (invocations, errors, throttles, duration percentiles,
    /// concurrency, cold starts) and its cold-start analysis, then exit
    Metrics {
        /// The function's name
        function: String,
        /// How far back: 15m, 3h, 1d, 2w… [default: the --window]
        #[arg(long, value_name = "SPAN", value_parser = crate::domain::parse_span)]
        since: Option<i64>,
        /// Seconds per point, a multiple of a minute: 1m, 5m, 1h… [default: about 60 points]
        #[arg(long, value_name = "SPAN", value_parser = parse_period)]
        period: Option<u32>,
        /// JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Print X-Ray trace summaries, newest first, and exit
    Traces {
        /// How far back: 15m, 1h, 3h, 2d … (default: the --window)
        #[arg(long, value_name = "SPAN", value_parser = traces::parse_since)]
        since: Option<i64>,
        /// X-Ray filter expression, e.g. 'service("orders") { fault }' or 'responsetime > 5'
        #[arg(long, value_name = "EXPR", default_value = "")]
        filter_expression: String,
        /// At most this many traces
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Print one trace as a waterfall (text with bars, ready to paste) and exit
    Trace {
        /// The trace id, e.g. 1-5759e988-bd862e3fe1be46a994272793
        trace_id: String,
        /// JSON instead of text
        #[arg(long)]
        json: bool,
        /// Width of the text in columns
        #[arg(long, default_value_t = 120)]
        width: usize,
    },
    /// Print the X-Ray service map (nodes and their calls) and exit
    Map {
        /// How far back: 15m, 1h, 3h, 2d … (default: the --window)
        #[arg(long, value_name = "SPAN", value_parser = traces::parse_since)]
        since: Option<i64>,
        /// JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Print the CloudWatch alarms, those firing first, and exit
    Alarms {
        /// Only alarms in this state: ALARM, INSUFFICIENT_DATA or OK
        #[arg(long, value_name = "STATE", value_parser = alarms::parse_state)]
        state: Option<crate::domain::AlarmState>,
        /// JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Print the account overview (totals, concurrency against the limit, top functions),
    /// then exit
    Overview {
        /// JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Print logs of functions (sanitized), or their invocations, or a Logs Insights query
    Logs {
        /// Function names
        #[arg(required = true)]
        functions: Vec<String>,
        /// How far back: 30m, 1h, 2d, 2w
        #[arg(long, value_name = "SPAN", conflicts_with_all = ["start", "end"], value_parser = crate::domain::parse_span)]
        since: Option<i64>,
        /// Start (RFC 3339, or a span ago like 2h)
        #[arg(long, value_name = "TIME", requires = "end")]
        start: Option<String>,
        /// End (RFC 3339, or a span ago)
        #[arg(long, value_name = "TIME", requires = "start")]
        end: Option<String>,
        /// Keep following new events
        #[arg(long, short = 'f')]
        follow: bool,
        /// CloudWatch filter pattern, applied by the service
        #[arg(long, value_name = "PATTERN", default_value = "")]
        filter: String,
        /// Only lines matching this regex (applied here)
        #[arg(long, value_name = "REGEX")]
        grep: Option<String>,
        /// One summary row per invocation
        #[arg(long)]
        invocations: bool,
        /// Run this Logs Insights query over the window instead
        #[arg(long, value_name = "QUERY")]
        insights: Option<String>,
        /// One JSON object per line
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

/// A message for stderr. Messages carry text from outside (an AWS error, a name AWS returned
/// or someone typed), so control characters are shown escaped, as on screen; line breaks stay.
pub fn inert(text: impl std::fmt::Display) -> String {
    crate::parse::sanitize::escape_plain_lines(&text.to_string())
}

/// Prints [`inert`] text to stderr, every message the commands print there.
pub fn say(text: impl std::fmt::Display) {
    eprintln!("{}", inert(text));
}

fn parse_window(s: &str) -> Result<WindowChoice, String> {
    WindowChoice::parse(s)
        .ok_or_else(|| format!("{s:?} is not a window; use {}", WindowChoice::LIST))
}

fn parse_period(s: &str) -> Result<u32, String> {
    let ms = crate::domain::parse_span(s)?;
    if ms % 60_000 != 0 {
        return Err(format!(
            "{s:?}: a period is a whole number of minutes (CloudWatch's rule)"
        ));
    }
    u32::try_from(ms / 1000).map_err(|_| format!("{s:?} is too long a period"))
}

/// `512M`, `2G`, `64K`; a bare number is bytes.
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: usize = n
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 512M or 2G"))?;
    let shift = match unit.trim_end_matches(['B', 'b', 'i']) {
        "" => 0,
        "K" | "k" => 10,
        "M" | "m" => 20,
        "G" | "g" => 30,
        _ => return Err(format!("{s:?}: use K, M or G")),
    };
    n.checked_mul(1usize << shift)
        .filter(|&b| b >= 1 << 20)
        .ok_or_else(|| format!("{s:?}: between 1M and what the machine can address"))
}

/// `30s`, `2m`; a bare number is seconds here (a deadline, not a window).
fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let ms = if t.bytes().all(|b| b.is_ascii_digit()) {
        crate::domain::parse_span(&format!("{t}s"))?
    } else {
        crate::domain::parse_span(t)?
    };
    if ms < 1000 {
        return Err(format!("{s:?}: a timeout is at least 1s"));
    }
    Ok(std::time::Duration::from_millis(ms as u64))
}

fn parse_fault(s: &str) -> Result<Fault, String> {
    match s {
        "panic-in-worker" => Ok(Fault::PanicInWorker),
        "panic-in-update" => Ok(Fault::PanicInUpdate),
        "hang-metrics" => Ok(Fault::HangMetrics),
        _ => Err(format!(
            "{s:?} is not a fault; there are: panic-in-worker, panic-in-update, hang-metrics"
        )),
    }
}

fn parse_clock(s: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_millis())
        .map_err(|e| format!("{s:?} is not an RFC 3339 time: {e}"))
}

impl Global {
    pub fn demo_source(&self) -> DemoSource {
        let clock = self.clock.map(Clock::Fixed).unwrap_or(Clock::Real);
        let demo = match self.demo_size {
            Some(n) => DemoSource::with_size(self.seed, clock, n),
            None => DemoSource::new(self.seed, clock),
        };
        match self.demo_fault {
            Some(f) => demo.with_fault(f),
            None => demo,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_from_outside_are_inert() {
        let e = crate::domain::SourceError::NotFound("function x\x1b]0;pwned\x07\u{9b}2J".into());
        let text = inert(format_args!("lambdascope: {e}\nTry --demo"));
        assert_eq!(
            text,
            "lambdascope: function x\\e]0;pwned\\x07\\u{9b}2J not found\nTry --demo"
        );
        assert!(!text.contains(['\x1b', '\x07', '\u{9b}']));
    }
}
