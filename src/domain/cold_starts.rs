//! Cold starts: what a source knows of them, and the analysis every screen and the CLI draw:
//! the rate, init durations, before and after the last deploy, and why they happened.
//!
//! Both backends hand over the same [`ColdStartData`]; [`ColdStartAnalysis::new`] is the one
//! place that turns it into figures, so the demo and AWS are analysed alike.

use serde::Serialize;

use super::{EpochMs, MINUTE_MS, MetricPlan, MetricSeries, Statistic, TimeWindow, percentile};

/// What to ask a source about one function's cold starts: a window, and the period its
/// per-period figures (Lambda Insights) should have.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ColdStartQuery {
    pub function: String,
    pub window: TimeWindow,
    pub period_s: u32,
}

/// One cold start, as its REPORT line tells it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ColdStart {
    /// When the invocation arrived (the metric timestamp, as CloudWatch stamps Invocations).
    pub t: EpochMs,
    /// `Init Duration`, or SnapStart's `Restore Duration` when `restore`.
    pub init_ms: f64,
    /// A SnapStart restore rather than an init.
    pub restore: bool,
}

/// Where the figures came from, for the screen to say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ColdStartSource {
    /// The demo account knows every invocation.
    Demo,
    /// A Logs Insights query over the function's REPORT lines.
    LogsInsights {
        bytes_scanned: f64,
        usd: f64,
        /// Cold starts the query matched; more than it returned when over the row limit.
        matched: Option<u64>,
    },
    /// The `LambdaInsights` namespace (the function runs the Lambda Insights extension).
    LambdaInsights,
}

impl ColdStartSource {
    pub fn describe(&self) -> String {
        match self {
            ColdStartSource::Demo => "the demo account (every invocation)".into(),
            ColdStartSource::LogsInsights {
                bytes_scanned, usd, ..
            } => format!(
                "Logs Insights over REPORT lines: {} scanned, ${usd:.4}",
                bytes(*bytes_scanned)
            ),
            ColdStartSource::LambdaInsights => {
                "Lambda Insights metrics (LambdaInsights init_duration)".into()
            }
        }
    }
}

fn bytes(b: f64) -> String {
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.0} KB", b / 1e3)
    }
}

/// What a source knows of one function's cold starts over a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColdStartData {
    pub function: String,
    pub window: TimeWindow,
    pub source: ColdStartSource,
    /// Every cold start, oldest first, where the source lists them (demo, Logs Insights);
    /// `None` with Lambda Insights, which gives per-period figures only.
    pub starts: Option<Vec<ColdStart>>,
    /// Cold starts are complete from here on; older ones were over the query's row limit.
    pub complete_from: EpochMs,
    /// Lambda Insights: `init_duration` SampleCount, p50 and p99 per period.
    pub series: Vec<MetricSeries>,
}

/// Why an environment started cold, where the data can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Causes {
    /// Within [`AFTER_DEPLOY`] of a deploy: every environment is replaced.
    pub after_deploy: u64,
    /// No invocations for at least [`IDLE`] before: the environments had been reclaimed.
    pub after_idle: u64,
    /// Traffic rose from the period before: more environments were needed at once.
    pub scale_out: u64,
    /// None of these (environments are also recycled every few hours).
    pub other: u64,
}

/// How long after a deploy a cold start is put down to it.
pub const AFTER_DEPLOY: EpochMs = 15 * MINUTE_MS;
/// How long without invocations makes a cold start one after idle.
pub const IDLE: EpochMs = 4 * MINUTE_MS;

/// One side of a deploy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub window: TimeWindow,
    pub invocations: Option<f64>,
    pub cold_starts: u64,
    /// Cold starts per invocation, in percent.
    pub rate: Option<f64>,
    pub init_p50: Option<f64>,
    pub init_p99: Option<f64>,
}

/// Init durations in bins of equal width.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub width_ms: f64,
    /// (lower bound, count), ascending.
    pub bins: Vec<(f64, u64)>,
}

/// Everything the cold-start panel shows, computed once when data arrives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColdStartAnalysis {
    pub source: ColdStartSource,
    pub plan: MetricPlan,
    /// Per bucket of `plan`: cold starts, init p50, init p99. `None` is a gap (no data).
    pub count: Vec<Option<f64>>,
    pub init_p50: Vec<Option<f64>>,
    pub init_p99: Vec<Option<f64>>,
    /// Over the part of the window the figures cover.
    pub total: u64,
    pub restores: u64,
    pub invocations: Option<f64>,
    pub rate: Option<f64>,
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    /// Or why there is none.
    pub histogram: Result<Histogram, String>,
    /// The last deploy in the window, and the two sides of it.
    pub deploy: Option<EpochMs>,
    pub before: Option<Side>,
    pub after: Option<Side>,
    pub causes: Causes,
    /// Why a figure is partial or missing ("the newest 10,000 of 12,400 cold starts").
    pub notes: Vec<String>,
}

/// Percent, or `None` without invocations.
fn rate(cold: u64, invocations: Option<f64>) -> Option<f64> {
    invocations
        .filter(|&i| i > 0.0)
        .map(|i| (100.0 * cold as f64 / i).min(100.0))
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

impl ColdStartAnalysis {
    /// The analysis of `data` on the chart's `plan`, with the function's invocations over the
    /// same plan (for rates, idle and scale-out) and its deploy times.
    pub fn new(
        data: &ColdStartData,
        plan: MetricPlan,
        invocations: Option<&MetricSeries>,
        deploys: &[EpochMs],
        now: EpochMs,
    ) -> ColdStartAnalysis {
        let n = plan.buckets();
        let inv: Option<Vec<Option<f64>>> = invocations
            .filter(|s| s.unavailable.is_none())
            .map(|s| s.buckets(&plan, true));
        // What the data covers of the plan: an answer for an earlier window of the same span
        // (cold starts are asked for less often than the charts) leaves the newest buckets
        // unknown, and so does a row limit the oldest.
        let covered = TimeWindow::new(
            plan.window
                .start
                .max(data.complete_from)
                .max(data.window.start),
            plan.window.end.min(data.window.end),
        );
        // A bucket is known when all of it is covered and it has begun.
        let known = |i: usize| {
            let start = plan.bucket_start(i);
            start >= covered.start && start + plan.period_ms() <= covered.end && start < now
        };
        let mut notes = Vec::new();
        let mut a = ColdStartAnalysis {
            source: data.source.clone(),
            plan,
            count: vec![None; n],
            init_p50: vec![None; n],
            init_p99: vec![None; n],
            total: 0,
            restores: 0,
            invocations: None,
            rate: None,
            p50: None,
            p99: None,
            histogram: Err(String::new()),
            deploy: None,
            before: None,
            after: None,
            causes: Causes::default(),
            notes: vec![],
        };
        if data.complete_from > plan.window.start.max(data.window.start) {
            notes.push(format!(
                "older cold starts were over the query's row limit: figures cover {} of the window",
                share(covered, plan.window)
            ));
        }
        let inv_in = |w: TimeWindow| -> Option<f64> {
            let inv = inv.as_ref()?;
            Some(
                (0..n)
                    .filter(|&i| w.contains(plan.bucket_start(i)))
                    .filter_map(|i| inv[i])
                    .sum(),
            )
        };
        // The last deploy in the window splits it at its exact time: each cold start with its
        // time falls on its own side. Invocations are known per bucket only, so theirs split
        // on the bucket edge nearest the deploy.
        let deploy = deploys
            .iter()
            .copied()
            .filter(|&d| covered.contains(d))
            .max();
        let split = deploy.map(|d| {
            let p = plan.period_ms().max(1);
            let k = ((d - plan.window.start) as f64 / p as f64).round() as i64;
            Split {
                at: d,
                edge: plan.window.start + k * p,
            }
        });
        a.deploy = deploy;
        a.invocations = inv_in(covered);

        match &data.starts {
            Some(starts) => {
                let mine: Vec<&ColdStart> =
                    starts.iter().filter(|c| covered.contains(c.t)).collect();
                let mut per: Vec<Vec<f64>> = vec![Vec::new(); n];
                for c in &mine {
                    if let Some(b) = plan.bucket_of(c.t) {
                        per[b].push(c.init_ms);
                    }
                }
                for (i, inits) in per.into_iter().enumerate() {
                    if !known(i) {
                        continue;
                    }
                    a.count[i] = Some(inits.len() as f64);
                    let inits = sorted(inits);
                    a.init_p50[i] = percentile(&inits, 0.5);
                    a.init_p99[i] = percentile(&inits, 0.99);
                }
                a.total = mine.len() as u64;
                a.restores = mine.iter().filter(|c| c.restore).count() as u64;
                let all = sorted(mine.iter().map(|c| c.init_ms).collect());
                a.p50 = percentile(&all, 0.5);
                a.p99 = percentile(&all, 0.99);
                a.histogram = histogram(&all);
                let side = |w: TimeWindow, buckets: TimeWindow| {
                    let inits: Vec<f64> = mine
                        .iter()
                        .filter(|c| w.contains(c.t))
                        .map(|c| c.init_ms)
                        .collect();
                    Side::new(w, inv_in(buckets), inits.len() as u64, Some(inits))
                };
                (a.before, a.after) = sides(split, covered, side);
                for c in &mine {
                    let b = plan.bucket_of(c.t).unwrap_or(0);
                    a.causes
                        .add(cause(c.t, b, &plan, inv.as_deref(), deploys), 1);
                }
            }
            None => {
                // Per-period figures only (Lambda Insights).
                let find = |stat: Statistic, whole: bool| {
                    data.series
                        .iter()
                        .find(|s| s.query.stat == stat && (s.period_s == plan.period_s) != whole)
                };
                let counts = find(Statistic::SampleCount, false).map(|s| s.buckets(&plan, true));
                let p50 = find(Statistic::P50, false).map(|s| s.buckets(&plan, false));
                let p99 = find(Statistic::P99, false).map(|s| s.buckets(&plan, false));
                for i in (0..n).filter(|&i| known(i)) {
                    let c = counts.as_ref().and_then(|c| c[i]);
                    let ran = inv.as_ref().is_some_and(|v| v[i].is_some());
                    a.count[i] = c.or(ran.then_some(0.0));
                    a.init_p50[i] = p50.as_ref().and_then(|v| v[i]);
                    a.init_p99[i] = p99.as_ref().and_then(|v| v[i]);
                    let c = c.unwrap_or(0.0).round() as u64;
                    a.total += c;
                    a.causes.add(
                        cause(plan.bucket_start(i), i, &plan, inv.as_deref(), deploys),
                        c,
                    );
                }
                let whole = |stat| find(stat, true).and_then(|s| s.points.first()).map(|p| p.v);
                a.p50 = whole(Statistic::P50);
                a.p99 = whole(Statistic::P99);
                a.histogram = Err(
                    "Lambda Insights gives percentiles per period, not each init: the histogram needs Logs Insights"
                        .into(),
                );
                let count = a.count.clone();
                // Counts per period too: both split on the bucket edge.
                let side = |w: TimeWindow, buckets: TimeWindow| {
                    let cold: u64 = (0..n)
                        .filter(|&i| buckets.contains(plan.bucket_start(i)))
                        .map(|i| count[i].unwrap_or(0.0).round() as u64)
                        .sum();
                    Side::new(w, inv_in(buckets), cold, None)
                };
                (a.before, a.after) = sides(split, covered, side);
                if split.is_some() {
                    notes.push(
                        "init percentiles on each side of the deploy need Logs Insights".into(),
                    );
                }
            }
        }
        if let ColdStartSource::LogsInsights {
            matched: Some(m), ..
        } = &data.source
            && *m > data.starts.as_ref().map_or(0, |s| s.len() as u64)
        {
            notes.push(format!(
                "the query matched {m} cold starts and returned the newest {}",
                data.starts.as_ref().map_or(0, Vec::len)
            ));
        }
        if inv.is_none() {
            notes.push(
                "without invocations the rate, idle and scale-out causes cannot be told".into(),
            );
        }
        a.rate = rate(a.total, a.invocations);
        a.notes = notes;
        a
    }
}

impl Side {
    /// A side's figures; init percentiles only where each init is known.
    fn new(
        window: TimeWindow,
        invocations: Option<f64>,
        cold: u64,
        inits: Option<Vec<f64>>,
    ) -> Side {
        let inits = inits.map(sorted).unwrap_or_default();
        Side {
            window,
            invocations,
            cold_starts: cold,
            rate: rate(cold, invocations),
            init_p50: percentile(&inits, 0.5),
            init_p99: percentile(&inits, 0.99),
        }
    }
}

/// Where a deploy splits the window: at its time, and on the bucket edge nearest it.
#[derive(Clone, Copy)]
struct Split {
    at: EpochMs,
    edge: EpochMs,
}

/// The sides before and after `split`, when the window has one: `side` gets each side's
/// window and its share of the buckets.
fn sides(
    split: Option<Split>,
    covered: TimeWindow,
    side: impl Fn(TimeWindow, TimeWindow) -> Side,
) -> (Option<Side>, Option<Side>) {
    let Some(s) = split else {
        return (None, None);
    };
    let part = |from, to| TimeWindow::new(from, to);
    (
        Some(side(part(covered.start, s.at), part(covered.start, s.edge))),
        Some(side(part(s.at, covered.end), part(s.edge, covered.end))),
    )
}

fn share(part: TimeWindow, whole: TimeWindow) -> String {
    let pct = 100.0 * part.len_ms() as f64 / whole.len_ms().max(1) as f64;
    format!("the last {pct:.0}%")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    Deploy,
    Idle,
    ScaleOut,
    Other,
}

impl Causes {
    fn add(&mut self, c: Cause, n: u64) {
        match c {
            Cause::Deploy => self.after_deploy += n,
            Cause::Idle => self.after_idle += n,
            Cause::ScaleOut => self.scale_out += n,
            Cause::Other => self.other += n,
        }
    }
    pub fn total(&self) -> u64 {
        self.after_deploy + self.after_idle + self.scale_out + self.other
    }
}

/// Why the cold start at `t` (in bucket `b`) happened: a deploy shortly before, no traffic for
/// [`IDLE`] before its bucket, or traffic rising into its bucket.
fn cause(
    t: EpochMs,
    b: usize,
    plan: &MetricPlan,
    inv: Option<&[Option<f64>]>,
    deploys: &[EpochMs],
) -> Cause {
    if deploys.iter().any(|&d| d <= t && t - d < AFTER_DEPLOY) {
        return Cause::Deploy;
    }
    let Some(inv) = inv else { return Cause::Other };
    let value = |i: usize| inv.get(i).copied().flatten().unwrap_or(0.0);
    // The buckets that cover at least IDLE before this one.
    let back = (IDLE + plan.period_ms() - 1) / plan.period_ms().max(1);
    let back = usize::try_from(back).unwrap_or(1).max(1);
    if b >= back && (b - back..b).all(|i| value(i) == 0.0) {
        return Cause::Idle;
    }
    if b >= 1 && value(b) > value(b - 1) {
        return Cause::ScaleOut;
    }
    Cause::Other
}

/// Equal bins of a round width (1, 2 or 5 × 10ⁿ ms), at most 12 of them.
fn histogram(sorted: &[f64]) -> Result<Histogram, String> {
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
        return Err("no cold starts in this window".into());
    };
    let raw = ((hi - lo) / 10.0).max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let width = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|w| *w >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / width).floor() * width;
    let count = (((hi - first) / width).floor() as usize + 1).min(64);
    let mut bins: Vec<(f64, u64)> = (0..count).map(|i| (first + i as f64 * width, 0)).collect();
    for v in sorted {
        let i = (((v - first) / width).floor() as usize).min(count - 1);
        bins[i].1 += 1;
    }
    Ok(Histogram {
        width_ms: width,
        bins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Metric, MetricQuery, Point};

    const T0: EpochMs = 1_795_442_400_000;

    fn plan() -> MetricPlan {
        MetricPlan::new(TimeWindow::new(T0 - 60 * MINUTE_MS, T0), 60, T0)
    }

    fn invocations(per_minute: impl Fn(i64) -> Option<f64>) -> MetricSeries {
        MetricSeries {
            query: MetricQuery {
                function: "f".into(),
                metric: Metric::Invocations,
                stat: Statistic::Sum,
            },
            period_s: 60,
            points: (0..60)
                .filter_map(|m| {
                    per_minute(m).map(|v| Point {
                        t: T0 - (60 - m) * MINUTE_MS,
                        v,
                    })
                })
                .collect(),
            unavailable: None,
        }
    }

    fn cold(minute: i64, init_ms: f64) -> ColdStart {
        ColdStart {
            t: T0 - (60 - minute) * MINUTE_MS + 500,
            init_ms,
            restore: false,
        }
    }

    fn data(starts: Vec<ColdStart>) -> ColdStartData {
        ColdStartData {
            function: "f".into(),
            window: plan().window,
            source: ColdStartSource::Demo,
            starts: Some(starts),
            complete_from: plan().window.start,
            series: vec![],
        }
    }

    #[test]
    fn a_deploy_inside_a_bucket_splits_the_cold_starts_at_its_own_time() {
        // On 5-minute buckets, a deploy at 13:23:00 is nearest the 13:25 edge; the cold start
        // at 13:23:05 is after it all the same, and the one at 13:22:00 before.
        let plan = MetricPlan::new(plan().window, 300, T0);
        let deploy = T0 - 37 * MINUTE_MS;
        let at = |t| ColdStart {
            t,
            init_ms: 100.0,
            restore: false,
        };
        let d = data(vec![at(deploy - MINUTE_MS), at(deploy + 5_000)]);
        let a = ColdStartAnalysis::new(&d, plan, None, &[deploy], T0);
        let (before, after) = (a.before.unwrap(), a.after.unwrap());
        assert_eq!((before.cold_starts, after.cold_starts), (1, 1));
        assert_eq!((before.window.end, after.window.start), (deploy, deploy));
    }

    #[test]
    fn counts_rates_and_the_two_sides_of_a_deploy() {
        let deploy = T0 - 30 * MINUTE_MS;
        // 10 invocations a minute; two cold starts before the deploy, four after it.
        let inv = invocations(|_| Some(10.0));
        let d = data(vec![
            cold(5, 200.0),
            cold(20, 300.0),
            cold(30, 400.0),
            cold(30, 500.0),
            cold(31, 600.0),
            cold(50, 700.0),
        ]);
        let a = ColdStartAnalysis::new(&d, plan(), Some(&inv), &[deploy], T0);
        assert_eq!(a.total, 6);
        assert_eq!(a.invocations, Some(600.0));
        assert_eq!(a.rate, Some(1.0));
        assert_eq!(a.count[30], Some(2.0));
        assert_eq!(a.count[0], Some(0.0), "a known zero, not a gap");
        assert_eq!(a.init_p50[30], Some(400.0));
        assert_eq!(a.init_p99[30], Some(500.0));
        let (before, after) = (a.before.unwrap(), a.after.unwrap());
        assert_eq!((before.cold_starts, after.cold_starts), (2, 4));
        assert_eq!(
            (before.invocations, after.invocations),
            (Some(300.0), Some(300.0))
        );
        assert_eq!(after.init_p50, Some(500.0));
        assert_eq!(after.init_p99, Some(700.0));
        // Three within 15 minutes of the deploy; traffic is flat, so the rest are "other".
        assert_eq!(a.causes.after_deploy, 3);
        assert_eq!(a.causes.total(), 6);
        assert_eq!(a.p50, Some(400.0));
        let h = a.histogram.unwrap();
        assert_eq!(h.width_ms, 50.0);
        assert_eq!(h.bins.iter().map(|b| b.1).sum::<u64>(), 6);
    }

    #[test]
    fn idle_and_scale_out_are_told_from_the_invocations() {
        // Silence for minutes 10..15, then traffic; a jump at minute 40.
        let inv = invocations(|m| match m {
            10..15 => None,
            40.. => Some(50.0),
            _ => Some(5.0),
        });
        let d = data(vec![cold(15, 100.0), cold(40, 100.0), cold(41, 100.0)]);
        let a = ColdStartAnalysis::new(&d, plan(), Some(&inv), &[], T0);
        assert_eq!(
            a.causes,
            Causes {
                after_deploy: 0,
                after_idle: 1,
                scale_out: 1,
                other: 1
            }
        );
        assert_eq!(a.count[12], Some(0.0));
        assert!(a.deploy.is_none() && a.before.is_none());
    }

    #[test]
    fn without_invocations_the_rate_is_unknown_and_says_why() {
        let a = ColdStartAnalysis::new(&data(vec![cold(1, 50.0)]), plan(), None, &[], T0);
        assert_eq!((a.total, a.rate), (1, None));
        assert!(a.notes.iter().any(|n| n.contains("without invocations")));
        let none = ColdStartAnalysis::new(&data(vec![]), plan(), None, &[], T0);
        assert_eq!(none.histogram, Err("no cold starts in this window".into()));
    }

    #[test]
    fn a_truncated_answer_covers_only_its_part_and_gaps_stay_gaps() {
        let mut d = data(vec![cold(50, 100.0)]);
        d.complete_from = T0 - 20 * MINUTE_MS;
        d.source = ColdStartSource::LogsInsights {
            bytes_scanned: 2.5e9,
            usd: 0.0125,
            matched: Some(12_400),
        };
        let a = ColdStartAnalysis::new(&d, plan(), None, &[], T0);
        assert_eq!(a.count[10], None, "before the returned rows: no data");
        assert_eq!(a.count[45], Some(0.0));
        assert!(a.notes.iter().any(|n| n.contains("12400")), "{:?}", a.notes);
        assert!(a.source.describe().contains("2.50 GB"));
    }

    #[test]
    fn lambda_insights_gives_per_period_figures() {
        let series = |stat, period_s, points: Vec<(i64, f64)>| MetricSeries {
            query: MetricQuery {
                function: "f".into(),
                metric: Metric::InsightsInitDuration,
                stat,
            },
            period_s,
            points: points.into_iter().map(|(t, v)| Point { t, v }).collect(),
            unavailable: None,
        };
        let start = plan().window.start;
        let d = ColdStartData {
            function: "f".into(),
            window: plan().window,
            source: ColdStartSource::LambdaInsights,
            starts: None,
            complete_from: start,
            series: vec![
                series(
                    Statistic::SampleCount,
                    60,
                    vec![(start + 5 * MINUTE_MS, 3.0)],
                ),
                series(Statistic::P99, 60, vec![(start + 5 * MINUTE_MS, 900.0)]),
                series(Statistic::P50, 3600, vec![(start, 420.0)]),
            ],
        };
        let inv = invocations(|_| Some(10.0));
        let a = ColdStartAnalysis::new(&d, plan(), Some(&inv), &[], T0);
        assert_eq!(a.total, 3);
        assert_eq!(a.rate, Some(0.5));
        assert_eq!((a.count[5], a.count[6]), (Some(3.0), Some(0.0)));
        assert_eq!(a.init_p99[5], Some(900.0));
        assert_eq!(a.p50, Some(420.0));
        assert!(a.histogram.is_err());
    }
}
