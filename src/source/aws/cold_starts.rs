//! Cold starts and init durations: not in `AWS/Lambda`. They come from the REPORT lines, read
//! by a Logs Insights query, or from the `LambdaInsights` namespace when the function runs the
//! Lambda Insights extension.
//!
//! Insights is billed per GB scanned, so the per-period series run only for a few functions at
//! a time (the dashboard, never every row of the functions list), and the dashboard asks on a
//! slower cadence than its charts (see `app::policy`).
//!
//! Two rules hold for every query here:
//! - a log group may be shared (a custom `LoggingConfig` group): only the streams named after
//!   the function (`YYYY/MM/DD/<function>[<version>]<id>`) are its own;
//! - a SnapStart `Restore Duration` is a cold start too (a restore), never dropped.
//!
//! An answer whose rows lack the fields the query asked for was not run as written (an
//! emulator that ignores `stats` answers with bare `@ptr` rows): it is n/a with that reason,
//! never zero cold starts.

use std::collections::BTreeMap;

use super::AwsSource;
use super::cost::USD_PER_INSIGHTS_GB;
use super::insights::Row;
use crate::domain::{
    ColdStart, ColdStartData, ColdStartQuery, ColdStartSource, EpochMs, Function, Metric,
    MetricQuery, MetricRequest, MetricSeries, Point, SourceError, Statistic, TimeWindow,
};

/// Above this many functions in one request, per-period series are n/a instead of one query
/// each; window totals (one bucket) are counted for all of them together instead.
pub const MAX_FUNCTIONS: usize = 3;
/// StartQuery reads at most 50 log groups.
const GROUPS_PER_QUERY: usize = 50;
/// Rows one Insights query returns at most (its `limit`).
pub const MAX_ROWS: usize = 10_000;

/// The REPORT lines of both log formats, with each cold start's init or restore duration:
/// text lines carry `@initDuration` (and `Restore Duration`, parsed here), JSON
/// `platform.report` records `record.metrics.initDurationMs` / `restoreDurationMs`.
fn cold_start_fields() -> &'static str {
    "filter @type = \"REPORT\" or type = \"platform.report\" \
     | parse @message /Restore Duration: (?<restoreText>[0-9.]+) ms/ \
     | fields coalesce(@initDuration, `record.metrics.initDurationMs`) as initMs, \
       coalesce(restoreText, `record.metrics.restoreDurationMs`) as restoreMs, \
       coalesce(@duration, `record.metrics.durationMs`) as runMs \
     | filter ispresent(initMs) or ispresent(restoreMs)"
}

/// Keeps only the function's own streams when its group may hold others'.
fn own_streams(f: &Function) -> String {
    if !f.shares_log_group() {
        return String::new();
    }
    // Function names are letters, digits, hyphens and underscores; anything else is escaped.
    let name: String = f
        .name
        .chars()
        .flat_map(|c| {
            let escape = !(c.is_ascii_alphanumeric() || c == '-' || c == '_');
            escape.then_some('\\').into_iter().chain([c])
        })
        .collect();
    format!(" | filter @logStream like /^\\d{{4}}\\/\\d{{2}}\\/\\d{{2}}\\/{name}\\[/")
}

/// Per-period counts and percentiles (the charts' series).
pub fn series_query(f: &Function, period_s: u32, percentiles: &[u16]) -> String {
    let mut stats = String::from(
        "count(*) as cold, count(restoreMs) as restores, avg(ms) as avg, max(ms) as max",
    );
    for p in percentiles {
        stats.push_str(&format!(", pct(ms, {}) as p{p}", f64::from(*p) / 10.0));
    }
    format!(
        "{}{} | fields coalesce(initMs, restoreMs) as ms | stats {stats} by bin({period_s}s)",
        cold_start_fields(),
        own_streams(f)
    )
}

/// Each cold start, newest first (so a truncated answer keeps the recent ones).
pub fn list_query(f: &Function) -> String {
    format!(
        "{}{} | fields @timestamp, initMs, restoreMs, runMs | sort @timestamp desc | limit {MAX_ROWS}",
        cold_start_fields(),
        own_streams(f)
    )
}

/// Cold starts of many functions over the whole window, counted per log group and per
/// function named in the stream (`@log` is `account:group`; default groups' streams name no
/// function).
pub fn totals_query() -> String {
    format!(
        "{} | parse @logStream /^\\d{{4}}\\/\\d{{2}}\\/\\d{{2}}\\/(?<streamFunction>[^\\[]*)\\[/ \
         | stats count(*) as cold by @log, streamFunction",
        cold_start_fields()
    )
}

/// Rows of [`totals_query`] → cold starts per function among `functions` (name, group).
/// `None` when a row cannot be read.
fn totals_from(rows: &[Row], functions: &[(String, String)]) -> Option<BTreeMap<String, f64>> {
    let mut out: BTreeMap<String, f64> = functions.iter().map(|(n, _)| (n.clone(), 0.0)).collect();
    for row in rows {
        let cold = number(row, "cold")?;
        let group = field(row, "@log")?;
        let group = group.split_once(':').map_or(group, |(_, g)| g);
        let named = field(row, "streamFunction").unwrap_or_default();
        let owner = functions.iter().find(|(n, g)| {
            g == group && (n == named || (named.is_empty() && *g == Function::default_log_group(n)))
        });
        if let Some((n, _)) = owner {
            *out.entry(n.clone()).or_default() += cold;
        }
    }
    Some(out)
}

/// Insights' timestamps and `bin(…)` values: `2026-11-23 10:05:00.000`, UTC.
fn parse_time(v: &str) -> Option<EpochMs> {
    chrono::NaiveDateTime::parse_from_str(v.trim(), "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

fn field<'a>(row: &'a Row, name: &str) -> Option<&'a str> {
    row.iter().find(|(f, _)| f == name).map(|(_, v)| v.as_str())
}

fn number(row: &Row, name: &str) -> Option<f64> {
    field(row, name)
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// Why rows cannot be read, when the endpoint did not run the query as written.
fn unreadable(what: &str, fields: &str) -> SourceError {
    SourceError::Unsupported {
        what: format!("{what} from Logs Insights"),
        reason: format!(
            "the answer's rows carry no {fields} (the endpoint did not run the query as written)"
        ),
    }
}

/// Rows → one value per (field, bin). `None` when a row has no bin or no count: the query did
/// not run as written.
fn by_field(rows: &[Row]) -> Option<BTreeMap<String, Vec<Point>>> {
    let mut out: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    for row in rows {
        let t = row
            .iter()
            .find(|(f, _)| f.starts_with("bin("))
            .and_then(|(_, v)| parse_time(v))?;
        number(row, "cold")?;
        for (f, _) in row {
            if let Some(v) = number(row, f) {
                out.entry(f.clone()).or_default().push(Point { t, v });
            }
        }
    }
    Some(out)
}

/// Rows of the list query → cold starts, oldest first, stamped at their arrival (the REPORT
/// is written when the invocation ends).
fn starts_from(rows: &[Row]) -> Option<Vec<ColdStart>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let reported = field(row, "@timestamp").and_then(parse_time)?;
        let (init, restore) = (number(row, "initMs"), number(row, "restoreMs"));
        let (ms, is_restore) = match (init, restore) {
            (Some(i), _) => (i, false),
            (None, Some(r)) => (r, true),
            (None, None) => return None,
        };
        let run = number(row, "runMs").unwrap_or(0.0);
        out.push(ColdStart {
            t: reported - (run + ms).round() as EpochMs,
            init_ms: ms,
            restore: is_restore,
        });
    }
    out.sort_by_key(|c| c.t);
    Some(out)
}

/// Which query field answers a series.
fn field_for(metric: Metric, stat: Statistic) -> Option<String> {
    match (metric, stat) {
        (Metric::ColdStarts, Statistic::Sum | Statistic::SampleCount) => Some("cold".into()),
        (Metric::InitDuration, Statistic::SampleCount) => Some("cold".into()),
        (Metric::InitDuration, Statistic::Average) => Some("avg".into()),
        (Metric::InitDuration, Statistic::Max) => Some("max".into()),
        (Metric::InitDuration, Statistic::Percentile(p)) => Some(format!("p{p}")),
        _ => None,
    }
}

impl AwsSource {
    /// A function's cold starts: from `LambdaInsights` when it runs the extension (no logs
    /// scanned), else each one from its REPORT lines.
    pub async fn cold_starts(&self, q: &ColdStartQuery) -> Result<ColdStartData, SourceError> {
        let f = self.function_for_logs(&q.function).await?;
        if f.has_lambda_insights() {
            return self.cold_starts_from_lambda_insights(q).await;
        }
        let (rows, scanned) = self
            .insights_answer(
                std::slice::from_ref(&f.log_group),
                &list_query(&f),
                q.window,
            )
            .await?;
        let starts = starts_from(&rows)
            .ok_or_else(|| unreadable("cold starts", "@timestamp and init or restore duration"))?;
        // Newest first up to the limit: when cut, the figures hold from the oldest row on.
        let matched = scanned.records_matched.round() as u64;
        let cut = rows.len() >= MAX_ROWS && matched > rows.len() as u64;
        let complete_from = match (cut, starts.first()) {
            (true, Some(oldest)) => oldest.t,
            _ => q.window.start,
        };
        Ok(ColdStartData {
            function: q.function.clone(),
            window: q.window,
            source: ColdStartSource::LogsInsights {
                bytes_scanned: scanned.bytes_scanned,
                usd: scanned.bytes_scanned / 1e9 * USD_PER_INSIGHTS_GB,
                matched: Some(matched.max(starts.len() as u64)),
            },
            starts: Some(starts),
            complete_from,
            series: vec![],
        })
    }

    /// The extension's `init_duration` per period (its SampleCount counts cold starts), and
    /// over the whole window for the percentiles.
    async fn cold_starts_from_lambda_insights(
        &self,
        q: &ColdStartQuery,
    ) -> Result<ColdStartData, SourceError> {
        let ask = |stats: &[(Metric, Statistic)], period_s: u32| MetricRequest {
            queries: MetricQuery::each(&q.function, stats),
            window: q.window,
            period_s,
        };
        let per = (Metric::InsightsInitDuration, Statistic::SampleCount);
        let p50 = (Metric::InsightsInitDuration, Statistic::P50);
        let p99 = (Metric::InsightsInitDuration, Statistic::P99);
        let whole = (q.window.len_ms() / 1000).max(60) as u32;
        let (by_period, over_window) = (ask(&[per, p50, p99], q.period_s), ask(&[p50, p99], whole));
        let (periods, window) =
            futures::join!(self.metrics(&by_period), self.metrics(&over_window));
        let mut series = periods?;
        series.extend(window?);
        Ok(ColdStartData {
            function: q.function.clone(),
            window: q.window,
            source: ColdStartSource::LambdaInsights,
            starts: None,
            complete_from: q.window.start,
            series,
        })
    }

    /// The function as far as reading its logs needs (log group, layers); a function that is
    /// not found is read from its default group.
    async fn function_for_logs(&self, name: &str) -> Result<Function, SourceError> {
        match self.get_function(name).await {
            Ok(f) => Ok(f),
            Err(SourceError::NotFound(_)) => Ok(Function {
                name: name.to_string(),
                log_group: Function::default_log_group(name),
                ..Default::default()
            }),
            Err(e) => Err(e),
        }
    }

    /// Fills the ColdStarts / InitDuration series in `out[idx]` from Logs Insights.
    pub(super) async fn cold_start_series(
        &self,
        idx: &[usize],
        window: TimeWindow,
        period_s: u32,
        out: &mut [MetricSeries],
    ) {
        let mut functions: Vec<String> =
            idx.iter().map(|&i| out[i].query.function.clone()).collect();
        functions.sort();
        functions.dedup();
        let whole = i64::from(period_s) * 1000 >= window.len_ms();
        if functions.len() > MAX_FUNCTIONS && whole {
            return self.cold_start_totals(idx, &functions, window, out).await;
        }
        if functions.len() > MAX_FUNCTIONS {
            for &i in idx {
                out[i].unavailable = Some(format!(
                    "{} come from Logs Insights (billed per GB scanned); shown for up to {MAX_FUNCTIONS} functions at a time",
                    out[i].query.metric.label()
                ));
            }
            return;
        }
        for function in functions {
            let mine: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| out[i].query.function == function)
                .collect();
            let mut percentiles: Vec<u16> = mine
                .iter()
                .filter_map(|&i| match out[i].query.stat {
                    Statistic::Percentile(p) => Some(p),
                    _ => None,
                })
                .collect();
            percentiles.sort_unstable();
            percentiles.dedup();
            match self
                .insights_by_field(&function, window, period_s, &percentiles)
                .await
            {
                Ok(fields) => {
                    for i in mine {
                        let s = &mut out[i];
                        match field_for(s.query.metric, s.query.stat) {
                            Some(f) => s.points = fields.get(&f).cloned().unwrap_or_default(),
                            None => {
                                s.unavailable = Some(format!(
                                    "{} has no {} statistic",
                                    s.query.metric.label(),
                                    s.query.stat
                                ))
                            }
                        }
                    }
                }
                Err(e) => {
                    for i in mine {
                        out[i].unavailable = Some(format!(
                            "{} from Logs Insights failed: {e}",
                            out[i].query.metric.label()
                        ));
                    }
                }
            }
        }
    }

    /// One count per function over the window, from one query per 50 log groups (the
    /// overview's ranking). Init durations are per function, on its dashboard.
    async fn cold_start_totals(
        &self,
        idx: &[usize],
        functions: &[String],
        window: TimeWindow,
        out: &mut [MetricSeries],
    ) {
        let owners: Vec<(String, String)> = functions
            .iter()
            .map(|n| (n.clone(), self.log_group_of(n)))
            .collect();
        let mut groups: Vec<String> = owners.iter().map(|(_, g)| g.clone()).collect();
        groups.sort();
        groups.dedup();
        let mut totals: BTreeMap<String, f64> = BTreeMap::new();
        let mut failure: Option<SourceError> = None;
        for chunk in groups.chunks(GROUPS_PER_QUERY) {
            let mine: Vec<(String, String)> = owners
                .iter()
                .filter(|(_, g)| chunk.contains(g))
                .cloned()
                .collect();
            let counted = self
                .insights(chunk, &totals_query(), window)
                .await
                .and_then(|rows| {
                    totals_from(&rows, &mine)
                        .ok_or_else(|| unreadable("cold starts", "@log or count"))
                });
            match counted {
                Ok(t) => totals.extend(t),
                Err(e) => failure = Some(e),
            }
        }
        for &i in idx {
            let s = &mut out[i];
            match (s.query.metric, totals.get(&s.query.function), &failure) {
                (Metric::ColdStarts, Some(v), _) => {
                    s.points = vec![Point {
                        t: window.start,
                        v: *v,
                    }]
                }
                (Metric::ColdStarts, None, Some(e)) => {
                    s.unavailable = Some(format!("cold starts from Logs Insights failed: {e}"))
                }
                (Metric::ColdStarts, None, None) => {}
                _ => {
                    s.unavailable =
                        Some("init durations are per function: its dashboard shows them".into())
                }
            }
        }
    }

    async fn insights_by_field(
        &self,
        function: &str,
        window: TimeWindow,
        period_s: u32,
        percentiles: &[u16],
    ) -> Result<BTreeMap<String, Vec<Point>>, SourceError> {
        // The log group may be custom (LoggingConfig); GetFunction says, and is cheap (100/s).
        let f = self.function_for_logs(function).await?;
        let rows = self
            .insights(
                std::slice::from_ref(&f.log_group),
                &series_query(&f, period_s, percentiles),
                window,
            )
            .await?;
        by_field(&rows).ok_or_else(|| unreadable("cold starts", "bin or count"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, group: &str) -> Function {
        Function {
            name: name.into(),
            log_group: group.into(),
            ..Default::default()
        }
    }

    #[test]
    fn queries_cover_both_formats_restores_and_only_own_streams() {
        let own = f("orders", "/aws/lambda/orders");
        let q = series_query(&own, 300, &[990]);
        assert!(q.contains("@initDuration") && q.contains("record.metrics.initDurationMs"));
        assert!(q.contains("Restore Duration") && q.contains("record.metrics.restoreDurationMs"));
        assert!(q.contains("pct(ms, 99) as p990"));
        assert!(q.ends_with("by bin(300s)"));
        assert!(
            !q.contains("@logStream"),
            "its own group holds only its streams"
        );
        let shared = f("cart-api", "/shop/api");
        let q = list_query(&shared);
        assert!(
            q.contains(r"filter @logStream like /^\d{4}\/\d{2}\/\d{2}\/cart-api\[/"),
            "{q}"
        );
        assert!(q.contains("sort @timestamp desc | limit 10000"));
        assert!(list_query(&f("a.b", "/x")).contains(r"\/a\.b\["));
    }

    #[test]
    fn account_wide_totals_find_each_functions_streams() {
        let q = totals_query();
        assert!(
            q.ends_with("stats count(*) as cold by @log, streamFunction"),
            "{q}"
        );
        assert!(q.contains(r"(?<streamFunction>[^\[]*)\["), "{q}");
        let functions = vec![
            ("orders".to_string(), "/aws/lambda/orders".to_string()),
            ("cart".to_string(), "/shop/api".to_string()),
            ("users".to_string(), "/shop/api".to_string()),
        ];
        let row = |log: &str, f: &str, n: &str| -> Row {
            vec![
                ("@log".into(), log.into()),
                ("streamFunction".into(), f.into()),
                ("cold".into(), n.into()),
            ]
        };
        let t = totals_from(
            &[
                row("123456789012:/aws/lambda/orders", "", "4"),
                row("123456789012:/shop/api", "cart", "2"),
                row("123456789012:/shop/api", "someone-else", "9"),
            ],
            &functions,
        )
        .unwrap();
        assert_eq!((t["orders"], t["cart"], t["users"]), (4.0, 2.0, 0.0));
        assert_eq!(
            totals_from(&[vec![("@ptr".into(), "x".into())]], &functions),
            None
        );
    }

    #[test]
    fn rows_become_points_by_field() {
        let row = |bin: &str, cold: &str| {
            vec![
                ("bin(300s)".to_string(), bin.to_string()),
                ("cold".into(), cold.into()),
                ("avg".into(), "412.5".into()),
            ]
        };
        let fields = by_field(&[
            row("2026-11-23 10:05:00.000", "3"),
            row("2026-11-23 10:10:00.000", "1"),
        ])
        .unwrap();
        assert_eq!(
            fields["cold"][0],
            Point {
                t: 1_795_428_300_000,
                v: 3.0
            }
        );
        assert_eq!(fields["avg"].len(), 2);
        assert_eq!(
            by_field(&[]),
            Some(BTreeMap::new()),
            "no rows: no cold starts"
        );
        assert_eq!(
            field_for(Metric::InitDuration, Statistic::P95).as_deref(),
            Some("p950")
        );
        assert_eq!(field_for(Metric::ColdStarts, Statistic::Max), None);
    }

    #[test]
    fn rows_without_the_asked_fields_are_not_zero_cold_starts() {
        // An emulator that ignores `stats` answers with rows of bare `@ptr` (dropped) or raw
        // events: they cannot be read, so they are not "0".
        assert_eq!(by_field(&[vec![]]), None);
        assert_eq!(
            by_field(&[vec![("@message".into(), "REPORT …".into())]]),
            None
        );
        assert_eq!(
            starts_from(&[vec![(
                "@timestamp".into(),
                "2026-11-23 10:05:00.000".into()
            )]]),
            None
        );
    }

    #[test]
    fn list_rows_become_cold_starts_at_their_arrival_restores_included() {
        let row = |ts: &str, init: Option<&str>, restore: Option<&str>, run: &str| {
            let mut r: Row = vec![
                ("@timestamp".into(), ts.into()),
                ("runMs".into(), run.into()),
            ];
            if let Some(i) = init {
                r.push(("initMs".into(), i.into()));
            }
            if let Some(x) = restore {
                r.push(("restoreMs".into(), x.into()));
            }
            r
        };
        let starts = starts_from(&[
            row("2026-11-23 10:05:01.000", None, Some("511.25"), "488.75"),
            row("2026-11-23 10:00:02.000", Some("1500"), None, "500"),
        ])
        .unwrap();
        assert_eq!(starts.len(), 2);
        assert_eq!(starts[0].t, 1_795_428_000_000, "2 s before its REPORT");
        assert!(!starts[0].restore && starts[0].init_ms == 1500.0);
        assert!(starts[1].restore && starts[1].init_ms == 511.25);
    }
}
