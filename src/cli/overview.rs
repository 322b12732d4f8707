//! `lambdascope overview [--json]`: the account overview for scripts. It asks what the
//! console's overview asks and ranks with the same model (`model::overview`), without a
//! terminal or the console's state machine, and prints it.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::functions::function_health;
use crate::domain::{
    AccountSettings, FunctionStats, Metric, MetricPlan, MetricSeries, SourceError, Statistic,
    TimeWindow, WindowChoice,
};
use crate::model::overview::{Ranking, ranked, ranking_request, series_requests, spark_plan};
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

/// What the overview shows, each part as it came back (or why it did not).
struct Overview {
    window: TimeWindow,
    plan: MetricPlan,
    stats: HashMap<String, FunctionStats>,
    stats_problem: Option<SourceError>,
    account: Result<Vec<MetricSeries>, SourceError>,
    p99: Result<Vec<MetricSeries>, SourceError>,
    cold: Result<Vec<MetricSeries>, SourceError>,
    settings: Result<AccountSettings, SourceError>,
}

/// The overview's figures: the same requests as the console's overview, ranked by the same
/// model; and whether every answer came before the deadline.
async fn overview(source: &Source, window: WindowChoice) -> Result<(Overview, bool), SourceError> {
    let health = function_health(source, window).await?;
    let names: Vec<String> = health.functions.iter().map(|f| f.name.clone()).collect();
    let now = source.now();
    let w = window.window(now);
    let plan = spark_plan(w, now);
    let reqs = series_requests(plan, &names, w, now);
    let cold_req = ranking_request(&names, Metric::ColdStarts, Statistic::Sum, w, now);
    let asked = async {
        let cold = async {
            if names.is_empty() {
                Ok(vec![])
            } else {
                source.metrics(&cold_req).await
            }
        };
        tokio::join!(source.metric_sets(&reqs), cold, source.account_settings())
    };
    let late = || SourceError::Other("no answer within the deadline".into());
    let (sets, cold, settings, complete) =
        match tokio::time::timeout(crate::app::driver::SETTLE_WITHIN, asked).await {
            Ok((sets, cold, settings)) => (sets, cold, settings, true),
            Err(_) => (Err(late()), Err(late()), Err(late()), false),
        };
    let (account, p99) = match sets {
        Ok(mut sets) => {
            let p99 = if sets.len() > 1 {
                sets.pop().unwrap_or_default()
            } else {
                vec![]
            };
            (Ok(sets.pop().unwrap_or_default()), Ok(p99))
        }
        Err(e) => (Err(e.clone()), Err(e)),
    };
    let o = Overview {
        window: w,
        plan,
        stats: health.stats,
        stats_problem: health.metrics_error,
        account,
        p99,
        cold,
        settings,
    };
    Ok((o, complete))
}

/// `lambdascope overview`: stdout, and the warnings for stderr.
pub async fn print_overview(
    source: &Source,
    window: WindowChoice,
    json: bool,
) -> Result<(String, Vec<String>), SourceError> {
    let (o, complete) = overview(source, window).await?;
    let mut unavailable: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut note = |k: &'static str, e: &SourceError| {
        unavailable.insert(k, e.to_string());
    };
    if let Err(e) = &o.account {
        note("account series", e);
    }
    if let Err(e) = &o.p99 {
        note("p99_duration_ms", e);
    }
    if let Err(e) = &o.cold {
        note("cold_starts", e);
    }
    if let Err(e) = &o.settings {
        note("account_settings", e);
    }
    if let Some(why) = o
        .cold
        .as_ref()
        .ok()
        .and_then(|c| c.iter().find_map(|s| s.unavailable.clone()))
    {
        unavailable.insert("cold_starts", why);
    }
    if let Some(e) = &o.stats_problem {
        unavailable.insert("errors and throttles", e.to_string());
    }
    if !complete {
        let s = crate::app::driver::SETTLE_WITHIN.as_secs();
        unavailable.insert("answers", format!("some did not arrive within {s}s"));
    }
    let series: &[MetricSeries] = o.account.as_deref().unwrap_or(&[]);
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
            let rows = ranked(r, &o.stats, o.p99.as_deref().ok(), o.cold.as_deref().ok())
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
            window: o.window,
            account_settings: o.settings.as_ref().ok(),
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
        format::safe(&source.info().to_string()),
        format::span(o.window)
    );
    let limit = o.settings.as_ref().ok().and_then(|a| a.concurrency_limit);
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
        let Some(s) = find(m) else {
            return String::new();
        };
        let v: Vec<f64> = s
            .buckets(&o.plan, m != Metric::ConcurrentExecutions)
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
