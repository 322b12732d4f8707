//! `lambdascope functions [--json]`: the function table for the window, for scripts.
//!
//! The list prints even when metrics cannot be had: their cells say `n/a`, the JSON carries
//! the reason next to each missing figure, and the reason goes to stderr.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::app::policy::RefreshPolicy;
use crate::domain::{
    Cell, Function, FunctionStats, MetricPlan, SourceError, WindowChoice, apply_totals,
    apply_trend, row_totals, totals_request, trend_request,
};
use crate::source::Source;
use crate::ui::format;

/// The table, and why some figures are missing (if they are).
pub struct Health {
    pub functions: Vec<Function>,
    pub stats: HashMap<String, FunctionStats>,
    /// The metrics call failed as a whole; every figure is n/a for this reason.
    pub metrics_error: Option<SourceError>,
}

/// Every function and its health over the window. Only listing the functions can fail.
pub async fn function_health(source: &Source, window: WindowChoice) -> Result<Health, SourceError> {
    let functions = source.list_functions().await?;
    let names: Vec<String> = functions.iter().map(|f| f.name.clone()).collect();
    let now = source.now();
    let w = window.window(now);
    let spark = MetricPlan::new(w, window.spark_period_s(now), now);
    let whole = MetricPlan::new(w, (w.len_ms() / 1000) as u32, now);
    let cold = RefreshPolicy::for_source(&source.info()).list_cold_starts;
    let requests = [
        trend_request(&names, spark),
        totals_request(&names, &row_totals(cold), whole),
    ];
    let mut stats = HashMap::new();
    let metrics_error = match source.metric_sets(&requests).await {
        Ok(sets) => {
            if let [trend, totals] = sets.as_slice() {
                apply_trend(&mut stats, trend, spark);
                apply_totals(&mut stats, totals);
            }
            None
        }
        Err(e) => Some(e),
    };
    Ok(Health {
        functions,
        stats,
        metrics_error,
    })
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
    /// Why a figure above is null, by field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    unavailable: BTreeMap<&'static str, String>,
}

/// The figure in a cell, or why there is none.
fn why(cell: &Cell, metrics_error: Option<&SourceError>) -> Option<String> {
    match cell {
        Cell::Unavailable(r) => Some(r.clone()),
        Cell::Pending => Some(match metrics_error {
            Some(e) => e.to_string(),
            None => "not fetched for the list: cold starts come from Logs Insights, billed per GB scanned; a function's own screen shows them".into(),
        }),
        _ => None,
    }
}

/// `lambdascope functions [--json]`: stdout, and the warnings for stderr.
pub async fn print_functions(
    source: &Source,
    window: WindowChoice,
    json: bool,
) -> Result<(String, Vec<String>), SourceError> {
    let h = function_health(source, window).await?;
    let mut warnings = Vec::new();
    if let Some(e) = &h.metrics_error {
        warnings.push(format!("metrics unavailable: {e}"));
    }
    let blank = FunctionStats::default();
    let err = h.metrics_error.as_ref();
    if json {
        let rows: Vec<Row> = h
            .functions
            .iter()
            .map(|f| {
                let s = h.stats.get(&f.name).unwrap_or(&blank);
                let mut unavailable = BTreeMap::new();
                for (field, cell) in [
                    ("invocations", &s.invocations),
                    ("errors", &s.errors),
                    ("throttles", &s.throttles),
                    ("p95_duration_ms", &s.p95_ms),
                    ("cold_starts", &s.cold_starts),
                ] {
                    if let Some(r) = why(cell, err) {
                        unavailable.insert(field, r);
                    }
                }
                Row {
                    function: f,
                    invocations: s.invocations.value(),
                    errors: s.errors.value(),
                    error_rate_percent: s.error_rate(),
                    throttles: s.throttles.value(),
                    p95_duration_ms: s.p95_ms.value(),
                    cold_starts: s.cold_starts.value(),
                    unavailable,
                }
            })
            .collect();
        let out =
            serde_json::to_string_pretty(&rows).map_err(|e| SourceError::Other(e.to_string()))?;
        return Ok((out + "\n", warnings));
    }
    let name_w = h
        .functions
        .iter()
        .map(|f| format::safe(&f.name).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{:<name_w$}  {:<15} {:>6} {:>7} {:>8} {:>7} {:>6} {:>6} {:>8} {:>5}\n",
        "NAME", "RUNTIME", "MEM", "TIMEOUT", "INVOC", "ERR", "ERR%", "THROT", "P95", "COLD"
    );
    // Reasons are printed once each, under the table.
    let mut reasons: Vec<String> = Vec::new();
    let mut cell = |c: &Cell, f: fn(f64) -> String| match c {
        Cell::Value(x) => f(*x),
        Cell::NoData => "-".into(),
        c => {
            if let Some(r) = why(c, err).filter(|r| !reasons.contains(r)) {
                reasons.push(r);
            }
            "n/a".into()
        }
    };
    for f in &h.functions {
        let s = h.stats.get(&f.name).unwrap_or(&blank);
        let row = format!(
            "{:<name_w$}  {:<15} {:>6} {:>7} {:>8} {:>7} {:>6} {:>6} {:>8} {:>5}\n",
            format::safe(&f.name),
            format::safe(f.runtime.as_deref().unwrap_or("image")),
            format!("{}M", f.memory_mb),
            format!("{}s", f.timeout_s),
            cell(&s.invocations, format::count),
            cell(&s.errors, format::count),
            s.error_rate()
                .map(format::percent)
                .unwrap_or_else(|| "n/a".into()),
            cell(&s.throttles, format::count),
            cell(&s.p95_ms, format::millis),
            cell(&s.cold_starts, format::count),
        );
        out.push_str(&row);
    }
    if h.metrics_error.is_none() {
        warnings.extend(reasons.into_iter().map(|r| format!("n/a: {r}")));
    }
    Ok((out, warnings))
}
