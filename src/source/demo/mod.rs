//! The built-in simulated account: a small shop running on serverless.
//!
//! Everything is derived from (seed, function, minute, index) — see [`traffic`] — so any window
//! costs only what it contains, and metrics, logs and traces agree by construction. With the
//! real clock it is live; with a fixed clock it is a deterministic test oracle.

pub mod alarms;
pub mod catalog;
pub mod render;
pub mod traces;
pub mod traffic;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use self::catalog::FunctionSpec;
use self::traffic::{MinuteStats, Model};
use super::TailStream;
use crate::domain::*;
use crate::parse::filter_pattern::FilterPattern;
use crate::parse::trace_filter::TraceFilter;

pub const DEFAULT_SEED: u64 = 42;

/// The demo's sense of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    Real,
    /// Frozen at this instant: snapshots and tests.
    Fixed(EpochMs),
}

impl Clock {
    pub fn now(self) -> EpochMs {
        match self {
            Clock::Real => chrono::Utc::now().timestamp_millis(),
            Clock::Fixed(t) => t,
        }
    }
}

#[derive(Clone)]
pub struct DemoSource {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for DemoSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoSource")
            .field("seed", &self.inner.model.seed)
            .finish()
    }
}

/// Faults the demo can be told to inject, for tests of the console's own robustness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Every metrics request panics in its worker.
    PanicInWorker,
    /// The console's own update panics on its first tick, on the main thread.
    PanicInUpdate,
    /// Metrics requests never answer: a hung endpoint, for the backstops.
    HangMetrics,
}

struct Inner {
    fault: std::sync::OnceLock<Fault>,
    model: Model,
    clock: Clock,
    by_name: HashMap<String, usize>,
    by_group: HashMap<String, Vec<usize>>,
    /// Finished minutes never change, so their stats are computed once.
    stats: Mutex<HashMap<(usize, i64), Arc<MinuteStats>>>,
}

/// The region's default concurrency limit.
const ACCOUNT_CONCURRENCY: u32 = 1000;

/// Cap on cached minute stats (about 60 MB); the cache is simply dropped when full.
const STATS_CACHE_LIMIT: usize = 200_000;
/// How far back one `logs()` page scans before returning a partial page with a token.
const LOG_SCAN_MINUTES: i64 = 180;

impl DemoSource {
    pub fn new(seed: u64, clock: Clock) -> Self {
        Self::with_functions(seed, clock, catalog::shop())
    }

    /// The shop padded to `total` functions (benchmarks, scale tests).
    pub fn with_size(seed: u64, clock: Clock, total: usize) -> Self {
        Self::with_functions(seed, clock, catalog::shop_with_size(total))
    }

    fn with_functions(seed: u64, clock: Clock, specs: Vec<FunctionSpec>) -> Self {
        let by_name = specs
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        let mut by_group: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in specs.iter().enumerate() {
            by_group.entry(s.log_group()).or_default().push(i);
        }
        let model = Model::new(seed, clock.now(), specs);
        DemoSource {
            inner: Arc::new(Inner {
                fault: std::sync::OnceLock::new(),
                model,
                clock,
                by_name,
                by_group,
                stats: Mutex::default(),
            }),
        }
    }

    /// The same account with a fault injected.
    pub fn with_fault(self, fault: Fault) -> Self {
        let _ = self.inner.fault.set(fault);
        self
    }

    /// The fault injected, if any.
    pub fn fault(&self) -> Option<Fault> {
        self.inner.fault.get().copied()
    }

    /// The generator underneath, for tests that check the account's own rules.
    pub fn model(&self) -> &Model {
        &self.inner.model
    }

    pub fn info(&self) -> SourceInfo {
        SourceInfo::Demo {
            seed: self.inner.model.seed,
        }
    }
    pub fn now(&self) -> EpochMs {
        self.inner.clock.now()
    }
    pub fn health(&self) -> SourceHealth {
        SourceHealth::default()
    }

    pub async fn list_functions(&self) -> Result<Vec<Function>, SourceError> {
        let m = &self.inner.model;
        Ok((0..m.specs.len()).map(|f| self.inner.function(f)).collect())
    }

    pub async fn function(&self, name: &str) -> Result<Function, SourceError> {
        match self.inner.by_name.get(name) {
            Some(&f) => Ok(self.inner.function(f)),
            None => Err(SourceError::NotFound(format!("function {name}"))),
        }
    }

    /// Every cold start of a function in the window, straight from the traffic model: the
    /// same invocations whose REPORT lines carry `Init Duration` (or `Restore Duration`).
    pub async fn cold_starts(&self, q: &ColdStartQuery) -> Result<ColdStartData, SourceError> {
        let Some(&f) = self.inner.by_name.get(&q.function) else {
            return Err(SourceError::NotFound(format!("function {}", q.function)));
        };
        let inner = self.inner.clone();
        let (name, window) = (q.function.clone(), q.window);
        blocking(move || Ok(inner.cold_starts(f, name, window))).await
    }

    /// The account's Lambda limits: the default 1,000 concurrent executions, less what the
    /// functions reserve.
    pub async fn account_settings(&self) -> Result<AccountSettings, SourceError> {
        let m = &self.inner.model;
        let reserved: u32 = m.specs.iter().filter_map(|s| s.reserved_concurrency).sum();
        let code: u64 = (0..m.specs.len()).map(|f| self.inner.code_size(f)).sum();
        Ok(AccountSettings {
            concurrency_limit: Some(ACCOUNT_CONCURRENCY),
            unreserved_concurrency: Some(ACCOUNT_CONCURRENCY.saturating_sub(reserved)),
            function_count: Some(m.specs.len() as u64),
            code_size: Some(code),
            code_size_limit: Some(75 * 1024 * 1024 * 1024),
        })
    }

    pub async fn metrics(&self, req: &MetricRequest) -> Result<Vec<MetricSeries>, SourceError> {
        if self.fault() == Some(Fault::HangMetrics) {
            return std::future::pending().await;
        }
        let inner = self.inner.clone();
        let req = req.clone();
        blocking(move || {
            if inner.fault.get() == Some(&Fault::PanicInWorker) {
                panic!("injected fault: a worker panicked (--demo-fault panic-in-worker)");
            }
            Ok(inner.metrics(&req))
        })
        .await
    }

    pub async fn metric_sets(
        &self,
        reqs: &[MetricRequest],
    ) -> Result<Vec<Vec<MetricSeries>>, SourceError> {
        futures::future::try_join_all(reqs.iter().map(|r| self.metrics(r))).await
    }

    pub async fn logs(&self, query: &LogQuery) -> Result<LogPage, SourceError> {
        let inner = self.inner.clone();
        let query = query.clone();
        blocking(move || inner.logs_of(&query, None)).await
    }

    pub async fn stream_events(&self, q: &StreamQuery) -> Result<LogPage, SourceError> {
        let inner = self.inner.clone();
        let logs = LogQuery {
            log_groups: vec![q.log_group.clone()],
            window: q.window,
            filter_pattern: String::new(),
            limit: q.limit,
            newest_first: false,
            next_token: q.next_token.clone(),
        };
        let stream = q.log_stream.clone();
        blocking(move || inner.logs_of(&logs, Some(&stream))).await
    }

    pub async fn tail(&self, req: &TailRequest) -> Result<TailStream, SourceError> {
        let pattern = FilterPattern::parse(&req.filter_pattern).map_err(SourceError::Other)?;
        let groups = self.inner.groups(&req.log_groups)?;
        let inner = self.inner.clone();
        let cursor = req.since.unwrap_or_else(|| inner.clock.now());
        let stream =
            futures::stream::unfold((inner, cursor, true), move |(inner, cursor, first)| {
                let groups = groups.clone();
                let pattern = pattern.clone();
                async move {
                    if !first {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    let now = inner.clock.now();
                    // New events are those stamped in (cursor, now].
                    let window = TimeWindow::new(cursor + 1, now + 1);
                    let mut events = Vec::new();
                    for &f in &groups {
                        inner.events_in(f, window, now, &pattern, None, &mut events);
                    }
                    events.sort_by(|a, b| {
                        (a.timestamp, &a.event_id).cmp(&(b.timestamp, &b.event_id))
                    });
                    Some((TailUpdate::Events(events), (inner, now.max(cursor), false)))
                }
            });
        Ok(Box::pin(stream))
    }

    /// Logs Insights over the generated logs.
    pub async fn insights_stream(
        &self,
        q: &InsightsQuery,
    ) -> Result<super::InsightsStream, SourceError> {
        let query = crate::parse::insights::Query::parse(&q.query).map_err(SourceError::Other)?;
        let groups = self.inner.groups(&q.log_groups)?;
        let inner = self.inner.clone();
        let window = q.window;
        let rows = blocking(move || Ok(inner.insights(&groups, window, &query))).await?;
        let (rows, progress) = rows;
        let updates = vec![
            Ok(InsightsUpdate::Running(InsightsProgress::default())),
            Ok(InsightsUpdate::Done { rows, progress }),
        ];
        Ok(Box::pin(futures::stream::iter(updates)))
    }

    pub async fn trace_page(
        &self,
        query: &TraceQuery,
        cursor: &TraceCursor,
    ) -> Result<TracePage, SourceError> {
        // X-Ray answers a bad expression with InvalidRequestException; so does the demo.
        let filter = TraceFilter::parse(&query.filter).map_err(SourceError::InvalidFilter)?;
        let inner = self.inner.clone();
        let (query, cursor) = (query.clone(), cursor.clone());
        blocking(move || inner.trace_page(&query, &cursor, &filter)).await
    }

    pub async fn traces(&self, ids: &[String]) -> Result<Vec<Trace>, SourceError> {
        let inner = self.inner.clone();
        let ids = ids.to_vec();
        blocking(move || Ok(inner.traces(&ids))).await
    }

    pub async fn service_graph(&self, window: TimeWindow) -> Result<ServiceGraph, SourceError> {
        let inner = self.inner.clone();
        blocking(move || Ok(inner.service_graph(window))).await
    }
}

/// Generation is CPU work: keep it off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SourceError> + Send + 'static,
) -> Result<T, SourceError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(r) => r,
        // A bug is a bug: let the panic reach the console, which restores the terminal and
        // reports it, rather than show it as a data error.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(SourceError::Other(format!("demo generator stopped: {e}"))),
    }
}

impl Inner {
    fn code_size(&self, f: usize) -> u64 {
        2_000_000 + traffic::hash(&[self.model.seed, f as u64, 3]) % 30_000_000
    }

    fn function(&self, f: usize) -> Function {
        let s = &self.model.specs[f];
        let arm = f % 3 != 1;
        Function {
            name: s.name.clone(),
            arn: render::function_arn(&s.name),
            runtime: Some(s.runtime.id().to_string()),
            handler: Some(s.runtime.handler().to_string()),
            memory_mb: s.memory_mb,
            timeout_s: s.timeout_s,
            last_modified: self.model.deploy_time(f),
            architecture: if arm { "arm64".into() } else { "x86_64".into() },
            code_size: self.code_size(f),
            description: s.description.to_string(),
            log_group: s.log_group(),
            log_format: s.log_format,
            tracing: s.tracing,
            reserved_concurrency: s.reserved_concurrency,
            trigger: Some(s.trigger.label().to_string()),
            state: Some("Active".into()),
            snap_start: s.snap_start,
            layers: catalog::layers(s, arm),
            env_vars: catalog::env_vars(s),
            provisioned: Some(
                s.provisioned
                    .map(|n| Provisioned {
                        qualifier: "live".into(),
                        requested: n,
                        allocated: n,
                        status: "READY".into(),
                    })
                    .into_iter()
                    .collect(),
            ),
            event_sources: Some(catalog::event_sources(s)),
            deploys: self
                .model
                .deploys(f)
                .iter()
                .enumerate()
                .map(|(i, &at)| Deploy {
                    at,
                    version: (i + 1).to_string(),
                })
                .collect(),
            detail_errors: vec![],
        }
    }

    fn cold_starts(&self, f: usize, function: String, window: TimeWindow) -> ColdStartData {
        let now = self.clock.now();
        let mut starts = Vec::new();
        let (first, last) = (
            window.start.div_euclid(MINUTE_MS),
            (window.end.min(now + 1) - 1).div_euclid(MINUTE_MS),
        );
        for minute in first..=last {
            let stats = self.minute_stats(f, minute, now);
            for c in &stats.colds {
                let t = minute * MINUTE_MS + EpochMs::from(c.offset_ms);
                if window.contains(t) {
                    starts.push(ColdStart {
                        t,
                        init_ms: f64::from(c.init_ms),
                        restore: c.restore,
                    });
                }
            }
        }
        ColdStartData {
            function,
            window,
            source: ColdStartSource::Demo,
            starts: Some(starts),
            complete_from: window.start,
            series: vec![],
        }
    }

    fn minute_stats(&self, f: usize, minute: i64, now: EpochMs) -> Arc<MinuteStats> {
        let settled = (minute + 1 + self.model.lookback_minutes(f)) * MINUTE_MS < now;
        if !settled {
            return Arc::new(MinuteStats::compute(&self.model, f, minute, now));
        }
        if let Some(s) = self
            .stats
            .lock()
            .ok()
            .and_then(|c| c.get(&(f, minute)).cloned())
        {
            return s;
        }
        let s = Arc::new(MinuteStats::compute(&self.model, f, minute, now));
        if let Ok(mut cache) = self.stats.lock() {
            if cache.len() >= STATS_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert((f, minute), s.clone());
        }
        s
    }

    fn metrics(&self, req: &MetricRequest) -> Vec<MetricSeries> {
        let now = self.clock.now();
        // The same window and buckets CloudWatch would answer with.
        let plan = MetricPlan::new(req.window, req.period_s, now);
        req.queries
            .iter()
            .map(|q| {
                let mut series = MetricSeries {
                    query: q.clone(),
                    period_s: plan.period_s,
                    points: vec![],
                    unavailable: None,
                };
                // The empty name is the whole account: every function's minutes added up.
                let fs: Vec<usize> = if q.function.is_empty() {
                    (0..self.model.specs.len()).collect()
                } else if let Some(&f) = self.by_name.get(&q.function) {
                    vec![f]
                } else {
                    series.unavailable = Some(format!("no function named {}", q.function));
                    return series;
                };
                // Only functions with the extension publish the LambdaInsights namespace.
                if q.metric == Metric::InsightsInitDuration
                    && fs.iter().any(|&f| !self.model.specs[f].lambda_insights)
                {
                    return series;
                }
                if q.stat.quantile().is_some()
                    && !matches!(
                        q.metric,
                        Metric::Duration | Metric::InitDuration | Metric::InsightsInitDuration
                    )
                {
                    series.unavailable = Some("percentiles apply to durations only".into());
                    return series;
                }
                for i in 0..plan.buckets() {
                    let t = plan.bucket_start(i);
                    if t > now {
                        break;
                    }
                    let minutes = (t / MINUTE_MS)..((t + plan.period_ms()) / MINUTE_MS);
                    let stats: Vec<_> = minutes
                        .filter(|m| m * MINUTE_MS <= now)
                        .map(|m| self.account_minute(&fs, m, now))
                        .collect();
                    if let Some(v) = aggregate(&stats, q.metric, q.stat) {
                        series.points.push(Point { t, v });
                    }
                }
                series
            })
            .collect()
    }

    /// One minute of one function, or of several added up.
    fn account_minute(&self, fs: &[usize], minute: i64, now: EpochMs) -> Arc<MinuteStats> {
        match fs {
            [f] => self.minute_stats(*f, minute, now),
            _ => {
                let mut sum = MinuteStats::default();
                for &f in fs {
                    sum.merge(&self.minute_stats(f, minute, now));
                }
                Arc::new(sum)
            }
        }
    }

    fn groups(&self, names: &[String]) -> Result<Vec<usize>, SourceError> {
        let mut out = Vec::new();
        for g in names {
            match self.by_group.get(g) {
                Some(fs) => out.extend(fs),
                None => return Err(SourceError::NotFound(format!("log group {g}"))),
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Events of function `f` stamped inside `window` and visible at `now`, matching `pattern`.
    fn events_in(
        &self,
        f: usize,
        window: TimeWindow,
        now: EpochMs,
        pattern: &FilterPattern,
        stream: Option<&str>,
        out: &mut Vec<LogEvent>,
    ) {
        let first = window.start.div_euclid(MINUTE_MS) - self.model.lookback_minutes(f);
        let last = (window.end - 1).div_euclid(MINUTE_MS);
        for minute in first..=last {
            for a in self.model.attempts(f, minute) {
                if a.throttled || a.arrival >= window.end || a.arrival > now {
                    continue;
                }
                if stream.is_some_and(|st| st != render::log_stream(&self.model, &a)) {
                    continue;
                }
                for e in render::log_events(&self.model, &a) {
                    if window.contains(e.timestamp)
                        && e.timestamp <= now
                        && pattern.matches(&e.message)
                    {
                        out.push(e);
                    }
                }
            }
        }
    }

    /// FilterLogEvents semantics: pages cut on whole minutes of event time, partial or empty
    /// pages with a token when the scan budget runs out first. With `stream`, only that log
    /// stream (GetLogEvents).
    fn logs_of(&self, q: &LogQuery, stream: Option<&str>) -> Result<LogPage, SourceError> {
        let pattern = FilterPattern::parse(&q.filter_pattern).map_err(SourceError::Other)?;
        let fs = self.groups(&q.log_groups)?;
        let now = self.clock.now();
        let window = TimeWindow::new(q.window.start, q.window.end.min(now + 1));
        let limit = q.limit.max(1);
        // The token is the next minute (of event time) to read.
        let mut cursor = match &q.next_token {
            Some(t) => t
                .parse::<i64>()
                .map_err(|_| SourceError::Other(format!("bad log page token {t:?}")))?,
            None if q.newest_first => (window.end - 1).div_euclid(MINUTE_MS),
            None => window.start.div_euclid(MINUTE_MS),
        };
        let (lo, hi) = (
            window.start.div_euclid(MINUTE_MS),
            (window.end - 1).div_euclid(MINUTE_MS),
        );
        let mut events = Vec::new();
        let mut scanned = 0;
        while (lo..=hi).contains(&cursor) && scanned < LOG_SCAN_MINUTES {
            let slice = TimeWindow::new(
                (cursor * MINUTE_MS).max(window.start),
                ((cursor + 1) * MINUTE_MS).min(window.end),
            );
            let mut found = Vec::new();
            for &f in &fs {
                self.events_in(f, slice, now, &pattern, stream, &mut found);
            }
            if !events.is_empty() && events.len() + found.len() > limit {
                break;
            }
            events.append(&mut found);
            scanned += 1;
            cursor += if q.newest_first { -1 } else { 1 };
            if events.len() >= limit {
                break;
            }
        }
        events.sort_by(|a, b| (a.timestamp, &a.event_id).cmp(&(b.timestamp, &b.event_id)));
        let next_token = (lo..=hi).contains(&cursor).then(|| cursor.to_string());
        Ok(LogPage {
            events,
            next_token,
            ..Default::default()
        })
    }

    /// Evaluates an Insights query over every event of `fs` in the window.
    fn insights(
        &self,
        fs: &[usize],
        window: TimeWindow,
        query: &crate::parse::insights::Query,
    ) -> (Vec<InsightsRow>, InsightsProgress) {
        let now = self.clock.now();
        let Ok(all) = FilterPattern::parse("") else {
            return (vec![], InsightsProgress::default());
        };
        let mut events = Vec::new();
        for &f in fs {
            self.events_in(f, window, now, &all, None, &mut events);
        }
        events.sort_by(|a, b| (a.timestamp, &a.event_id).cmp(&(b.timestamp, &b.event_id)));
        let bytes: usize = events.iter().map(|e| e.message.len()).sum();
        let (rows, matched) = query.run(&events);
        let progress = InsightsProgress {
            records_matched: matched as f64,
            records_scanned: events.len() as f64,
            bytes_scanned: bytes as f64,
        };
        (rows, progress)
    }
}

/// One period's value of a statistic over its minutes; `None` when there is no datapoint.
fn aggregate(stats: &[Arc<MinuteStats>], metric: Metric, stat: Statistic) -> Option<f64> {
    let invocations: u32 = stats.iter().map(|s| s.invocations).sum();
    let attempts = invocations + stats.iter().map(|s| s.throttles).sum::<u32>();
    if attempts == 0 {
        return None;
    }
    let counts = |pick: fn(&MinuteStats) -> u32| -> f64 {
        let per_minute = stats.iter().map(|s| f64::from(pick(s)));
        match stat {
            Statistic::Max => per_minute.fold(0.0, f64::max),
            Statistic::Average => per_minute.sum::<f64>() / stats.len().max(1) as f64,
            _ => per_minute.sum(),
        }
    };
    match metric {
        Metric::Invocations => Some(counts(|s| s.invocations)),
        Metric::Errors => Some(counts(|s| s.errors)),
        Metric::Throttles => Some(counts(|s| s.throttles)),
        Metric::ColdStarts => Some(counts(|s| s.cold_starts)),
        Metric::ConcurrentExecutions => {
            let per_minute = stats.iter().map(|s| f64::from(s.concurrency));
            Some(match stat {
                Statistic::Sum => per_minute.sum(),
                Statistic::Average => per_minute.sum::<f64>() / stats.len().max(1) as f64,
                _ => per_minute.fold(0.0, f64::max),
            })
        }
        Metric::Duration => {
            if invocations == 0 {
                return None;
            }
            let sum: f64 = stats.iter().map(|s| s.duration_sum).sum();
            match stat {
                Statistic::Sum => Some(sum),
                Statistic::Max => Some(stats.iter().map(|s| s.duration_max).fold(0.0, f64::max)),
                Statistic::Average => Some(sum / f64::from(invocations)),
                Statistic::SampleCount => Some(f64::from(invocations)),
                Statistic::Percentile(_) => {
                    let mut h = traffic::Histogram::default();
                    for s in stats {
                        h.merge(&s.durations);
                    }
                    h.quantile(stat.quantile().unwrap_or(0.5))
                }
            }
        }
        Metric::InitDuration | Metric::InsightsInitDuration => {
            let mut inits: Vec<f64> = stats
                .iter()
                .flat_map(|s| s.colds.iter().map(|c| f64::from(c.init_ms)))
                .collect();
            if inits.is_empty() {
                return None;
            }
            inits.sort_by(f64::total_cmp);
            let sum: f64 = inits.iter().sum();
            match stat {
                Statistic::Sum => Some(sum),
                Statistic::Max => inits.last().copied(),
                Statistic::Average => Some(sum / inits.len() as f64),
                Statistic::SampleCount => Some(inits.len() as f64),
                Statistic::Percentile(_) => percentile(&inits, stat.quantile().unwrap_or(0.5)),
            }
        }
    }
}
