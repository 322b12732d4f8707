//! `lambdascope metrics FUNCTION [--since 3h] [--period 5m] [--json]`: the dashboard's series
//! and the cold-start summary, for scripts. The same requests and the same analysis as the
//! console's dashboard.
//!
//! What cannot be had prints as `n/a` (table) or `null` with the reason (JSON), and the
//! reason goes to stderr; only a function that cannot be read at all fails the command.

use serde::Serialize;

use crate::domain::{
    ColdStartAnalysis, ColdStartQuery, DAY_MS, EpochMs, Function, MINUTE_MS, Metric, MetricPlan,
    MetricSeries, SourceError, Statistic, TimeWindow, period_for,
};
use crate::model::charts::{self, ChartValues, chart_request};
use crate::source::Source;
use crate::ui::format;

/// Everything the command prints, as JSON.
#[derive(Serialize)]
pub struct Report {
    pub function: String,
    pub window: TimeWindow,
    pub period_s: u32,
    pub deploys: Vec<EpochMs>,
    pub series: Vec<MetricSeries>,
    pub cold_starts: Option<ColdStartAnalysis>,
    /// Why a part is missing, by part.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<(String, String)>,
}

/// The series and the cold-start analysis of `name` over the last `since`, at `period_s` (or
/// a period that gives about 60 points).
pub async fn report(
    source: &Source,
    name: &str,
    since: EpochMs,
    period_s: Option<u32>,
) -> Result<Report, SourceError> {
    let now = source.now();
    let end = now.div_euclid(MINUTE_MS) * MINUTE_MS;
    let window = TimeWindow::new(end - since, end);
    let period = period_s.unwrap_or_else(|| period_for(since, 60, window.start, now));
    let plan = MetricPlan::new(window, period, now);
    let function: Function = source.function(name).await?;
    let query = ColdStartQuery {
        function: name.to_string(),
        window: plan.window,
        period_s: plan.period_s,
    };
    let charts = chart_request(name, plan);
    let (series, cold) = futures::join!(source.metrics(&charts), source.cold_starts(&query));
    let mut unavailable = Vec::new();
    let series = series.unwrap_or_else(|e| {
        unavailable.push(("series".to_string(), e.to_string()));
        vec![]
    });
    for s in series.iter().filter(|s| s.unavailable.is_some()) {
        unavailable.push((
            format!("{} {}", s.query.metric.label(), s.query.stat),
            s.unavailable.clone().unwrap_or_default(),
        ));
    }
    let invocations = series
        .iter()
        .find(|s| s.query.metric == Metric::Invocations && s.query.stat == Statistic::Sum);
    let deploys = function.deploy_times();
    let cold_starts = match cold {
        Ok(data) => Some(ColdStartAnalysis::new(
            &data,
            plan,
            invocations,
            &deploys,
            now,
        )),
        Err(e) => {
            unavailable.push(("cold starts".into(), e.to_string()));
            None
        }
    };
    Ok(Report {
        function: name.to_string(),
        window: plan.window,
        period_s: plan.period_s,
        deploys: deploys
            .into_iter()
            .filter(|d| plan.window.contains(*d))
            .collect(),
        series,
        cold_starts,
        unavailable,
    })
}

fn cell(values: &[Option<f64>], i: usize, f: fn(f64) -> String) -> String {
    values
        .get(i)
        .copied()
        .flatten()
        .map(f)
        .unwrap_or_else(|| "-".into())
}

/// `lambdascope metrics`: stdout, and the warnings for stderr.
pub async fn print_metrics(
    source: &Source,
    name: &str,
    since: EpochMs,
    period_s: Option<u32>,
    json: bool,
) -> Result<(String, Vec<String>), SourceError> {
    let r = report(source, name, since, period_s).await?;
    let warnings: Vec<String> = r
        .unavailable
        .iter()
        .map(|(what, why)| format!("{what} n/a: {why}"))
        .collect();
    if json {
        let out =
            serde_json::to_string_pretty(&r).map_err(|e| SourceError::Other(e.to_string()))?;
        return Ok((out + "\n", warnings));
    }
    let plan = MetricPlan {
        window: r.window,
        period_s: r.period_s,
    };
    let values = ChartValues::of(&r.series, r.cold_starts.as_ref(), &plan);
    let long = r.window.len_ms() > DAY_MS;
    let stamp = |t: EpochMs| {
        chrono::DateTime::from_timestamp_millis(t)
            .map(|d| {
                d.format(if long { "%m-%d %H:%M" } else { "%H:%M" })
                    .to_string()
            })
            .unwrap_or_default()
    };
    let tw = if long { 11 } else { 5 };
    let mut out = format!(
        "{} · {} UTC · {}s periods\n",
        format::safe(&r.function),
        format::span(r.window),
        r.period_s
    );
    // A column per line of the dashboard's charts, in their order.
    out.push_str(&format!("{:<tw$}", "TIME"));
    for l in charts::lines() {
        let (name, w) = l.column;
        out.push_str(&format!(" {name:>w$}"));
    }
    out.push('\n');
    for i in 0..plan.buckets() {
        let t = plan.bucket_start(i);
        out.push_str(&format!("{:<tw$}", stamp(t)));
        for l in charts::lines() {
            let w = l.column.1;
            let v = cell(values.get(l.source), i, l.unit.formatter());
            out.push_str(&format!(" {v:>w$}"));
        }
        if r.deploys
            .iter()
            .any(|&d| d >= t && d < t + plan.period_ms())
        {
            out.push_str("  ← deploy");
        }
        out.push('\n');
    }
    out.push('\n');
    match &r.cold_starts {
        Some(a) => out.push_str(&cold_summary(a)),
        None => out.push_str("Cold starts: n/a (see stderr)\n"),
    }
    Ok((out, warnings))
}

fn dash(v: Option<f64>, f: fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "-".into())
}

/// The cold-start analysis in a few lines of text.
pub fn cold_summary(a: &ColdStartAnalysis) -> String {
    let mut out = format!(
        "Cold starts: {}{} in {} invocations ({}), init p50 {} p99 {}\n  from {}\n",
        a.total,
        if a.restores > 0 {
            format!(" ({} SnapStart restores)", a.restores)
        } else {
            String::new()
        },
        dash(a.invocations, format::count),
        dash(a.rate, format::percent),
        dash(a.p50, format::millis),
        dash(a.p99, format::millis),
        a.source.describe()
    );
    if let (Some(d), Some(b), Some(f)) = (a.deploy, &a.before, &a.after) {
        let side = |s: &crate::domain::Side| {
            format!(
                "{} invocations, {} cold ({}), init p50 {} p99 {}",
                dash(s.invocations, format::count),
                s.cold_starts,
                dash(s.rate, format::percent),
                dash(s.init_p50, format::millis),
                dash(s.init_p99, format::millis)
            )
        };
        out.push_str(&format!(
            "Deploy at {}:\n  before {}: {}\n  after  {}: {}\n",
            format::clock(d),
            format::span(b.window),
            side(b),
            format::span(f.window),
            side(f)
        ));
    } else {
        out.push_str("No deploy in this window.\n");
    }
    let c = &a.causes;
    out.push_str(&format!(
        "Causes: after a deploy {}, after idle {}, scale-out {}, other {}\n",
        c.after_deploy, c.after_idle, c.scale_out, c.other
    ));
    match &a.histogram {
        Ok(h) => {
            out.push_str(&format!(
                "Init durations (bins of {}):\n",
                format::millis(h.width_ms)
            ));
            let most = h.bins.iter().map(|b| b.1).max().unwrap_or(1).max(1);
            for (lo, n) in &h.bins {
                let bar = "#".repeat(((*n as f64 / most as f64) * 40.0).round() as usize);
                out.push_str(&format!("  {:>8} {n:>6} {bar}\n", format::millis(*lo)));
            }
        }
        Err(why) => out.push_str(&format!("Init durations: {why}\n")),
    }
    for n in &a.notes {
        out.push_str(&format!("Note: {n}\n"));
    }
    out
}
