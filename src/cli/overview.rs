//! `lambdascope overview [--json]`: the account overview for scripts. It opens the console's
//! overview without a terminal (the same requests, the same rankings) and prints it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::driver::settle;
use crate::app::state::{Loadable, State};
use crate::app::{Msg, update};
use crate::domain::{AccountSettings, Metric, MetricSeries, SourceError, TimeWindow, WindowChoice};
use crate::screens::functions::FunctionsAction;
use crate::screens::overview::{OverviewScreen, Ranking};
use crate::source::Source;
use crate::ui::format;

#[derive(Serialize)]
struct Top {
    function: String,
    value: f64,
}

#[derive(Serialize)]
struct Json<'a> {
    window: TimeWindow,
    account_settings: Option<&'a AccountSettings>,
    invocations: Option<f64>,
    errors: Option<f64>,
    throttles: Option<f64>,
    concurrency_peak: Option<f64>,
    series: &'a [MetricSeries],
    top: BTreeMap<&'static str, Vec<Top>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    unavailable: BTreeMap<&'static str, String>,
}

fn key(r: Ranking) -> &'static str {
    match r {
        Ranking::Errors => "errors",
        Ranking::Throttles => "throttles",
        Ranking::P99 => "p99_duration_ms",
        Ranking::ColdStarts => "cold_starts",
    }
}

/// The console, on the overview, once everything it asked for has arrived; and whether all
/// of it did before the driver's deadline.
async fn overview_state(
    source: &Source,
    window: WindowChoice,
) -> Result<(State, bool), SourceError> {
    let mut state = State::new(source.info(), source.now(), "dark", vec![]);
    state.ctx.window = window;
    state.ctx.size = (120, 40);
    let cmds = crate::app::start(&mut state);
    let listed = settle(source, &mut state, cmds).await;
    if let Loadable::Failed(e) = &state.ctx.catalog.list {
        return Err(e.clone());
    }
    let cmds = update(&mut state, Msg::Action(FunctionsAction::Overview.into()));
    let complete = settle(source, &mut state, cmds).await;
    Ok((state, listed && complete))
}

/// `lambdascope overview`: stdout, and the warnings for stderr.
pub async fn print_overview(
    source: &Source,
    window: WindowChoice,
    json: bool,
) -> Result<(String, Vec<String>), SourceError> {
    let (state, complete) = overview_state(source, window).await?;
    let o = state
        .screen_of::<OverviewScreen>()
        .ok_or_else(|| SourceError::Other("the overview did not open".into()))?;
    let ctx = &state.ctx;
    let mut unavailable: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut note = |k: &'static str, e: &SourceError| {
        unavailable.insert(k, e.to_string());
    };
    if let Loadable::Failed(e) = &o.account {
        note("account series", e);
    }
    if let Loadable::Failed(e) = &o.p99 {
        note("p99_duration_ms", e);
    }
    if let Loadable::Failed(e) = &o.cold {
        note("cold_starts", e);
    }
    if let Loadable::Failed(e) = &o.settings {
        note("account_settings", e);
    }
    if let Some(why) = o
        .cold
        .loaded()
        .and_then(|c| c.iter().find_map(|s| s.unavailable.clone()))
    {
        unavailable.insert("cold_starts", why);
    }
    if let Some(p) = &ctx.catalog.stats_problem {
        unavailable.insert("errors and throttles", p.error.to_string());
    }
    if !complete {
        let s = crate::app::driver::SETTLE_WITHIN.as_secs();
        unavailable.insert("answers", format!("some did not arrive within {s}s"));
    }
    let series: &[MetricSeries] = o.account.loaded().map(Vec::as_slice).unwrap_or(&[]);
    let find = |m: Metric| {
        series
            .iter()
            .find(|s| s.query.metric == m && s.unavailable.is_none())
    };
    let total = |m| find(m).map(MetricSeries::total);
    let peak = find(Metric::ConcurrentExecutions).and_then(MetricSeries::max);
    let top: BTreeMap<&'static str, Vec<Top>> = Ranking::ALL
        .into_iter()
        .map(|r| {
            let rows = o
                .rows(ctx, r)
                .into_iter()
                .map(|(function, value)| Top { function, value })
                .collect();
            (key(r), rows)
        })
        .collect();
    let warnings: Vec<String> = unavailable
        .iter()
        .map(|(k, v)| format!("{k} n/a: {v}"))
        .collect();
    if json {
        let j = Json {
            window: ctx.focus(),
            account_settings: o.settings.loaded(),
            invocations: total(Metric::Invocations),
            errors: total(Metric::Errors),
            throttles: total(Metric::Throttles),
            concurrency_peak: peak,
            series,
            top,
            unavailable,
        };
        let out =
            serde_json::to_string_pretty(&j).map_err(|e| SourceError::Other(e.to_string()))?;
        return Ok((out + "\n", warnings));
    }
    let dash = |v: Option<f64>, f: fn(f64) -> String| v.map(f).unwrap_or_else(|| "n/a".into());
    let mut out = format!(
        "Account overview · {} · {} UTC\n",
        format::safe(&ctx.source.to_string()),
        format::span(ctx.focus())
    );
    let limit = o.settings.loaded().and_then(|a| a.concurrency_limit);
    out.push_str(&format!(
        "concurrency   {} peak of {}{}\n",
        dash(peak, format::count),
        limit.map_or("n/a".to_string(), |l| l.to_string()),
        match (peak, limit) {
            (Some(p), Some(l)) if l > 0 =>
                format!(" ({})", format::percent(100.0 * p / f64::from(l))),
            _ => String::new(),
        }
    ));
    let spark = |m: Metric| {
        let (Some(s), Some(p)) = (find(m), o.plan) else {
            return String::new();
        };
        let v: Vec<f64> = s
            .buckets(&p, m != Metric::ConcurrentExecutions)
            .into_iter()
            .map(|v| v.unwrap_or(0.0))
            .collect();
        format::sparkline(&v, 40)
    };
    for (label, m) in [
        ("invocations", Metric::Invocations),
        ("errors", Metric::Errors),
        ("throttles", Metric::Throttles),
    ] {
        out.push_str(&format!(
            "{label:<13}{:>8}  {}\n",
            dash(total(m), format::count),
            spark(m)
        ));
    }
    for r in Ranking::ALL {
        let rows = &top[key(r)];
        let text: Vec<String> = rows
            .iter()
            .map(|t| {
                let v = if r == Ranking::P99 {
                    format::millis(t.value)
                } else {
                    format::count(t.value)
                };
                format!("{} {v}", format::safe(&t.function))
            })
            .collect();
        let shown = if text.is_empty() {
            match unavailable.get(key(r)) {
                Some(_) => "n/a".to_string(),
                None => "none".to_string(),
            }
        } else {
            text.join(", ")
        };
        out.push_str(&format!("{}: {shown}\n", r.title()));
    }
    Ok((out, warnings))
}
