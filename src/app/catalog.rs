//! The account's functions and their health, shared by every screen: the header counts the
//! unhealthy ones, the status line names them, the functions screen sorts by them.
//!
//! Three fetches keep it true, each on its own cadence (see [`RefreshPolicy`]):
//! - the function list, so new functions appear and deleted ones go by themselves;
//! - health totals of *every* function (errors and throttles, then invocations of those that
//!   had any), so the health sort finds a failing function wherever its name sorts;
//! - the rows in view: sparkline, errors and throttles (left to a health round asked at the
//!   same moment when the policy says so), p95 at its own slower pace, and cold starts.
//!
//! A failed refresh keeps the data it had and marks it stale with its age; a refresh that
//! succeeds clears the mark.
//!
//! [`RefreshPolicy`]: super::policy::RefreshPolicy

use std::collections::{HashMap, HashSet};

use super::jobs::{Job, JobKey, Owner, Request, Target};
use super::msg::{Cmd, Msg};
use super::state::{Ctx, Loadable};
use crate::domain::{
    Cell, EpochMs, Function, FunctionStats, HEALTH_TOTALS, Metric, MetricPlan, MetricSeries,
    SourceError, Statistic, TimeWindow, apply_totals, apply_trend, need_invocations, period_for,
    row_totals, totals_request, trend_request,
};

/// A refresh that failed, and since when data has been stale.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub error: SourceError,
    /// When the data on screen was last fetched successfully (None: never).
    pub data_from: Option<EpochMs>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalog {
    pub list: Loadable<Vec<Function>>,
    pub list_at: Option<EpochMs>,
    /// The last refresh of a loaded list failed.
    pub list_problem: Option<Problem>,
    pub stats: HashMap<String, FunctionStats>,
    /// The window the stats are for.
    pub stats_window: Option<TimeWindow>,
    pub stats_at: Option<EpochMs>,
    /// The last metrics refresh failed: the figures shown are stale.
    pub stats_problem: Option<Problem>,
    /// Jobs in flight, for the spinner.
    pub loading: HashSet<Target>,
    /// When the last health round was asked for.
    pub health_asked: Option<EpochMs>,
    /// When the rows' p95 was last asked for.
    pub p95_asked: Option<EpochMs>,
}

#[derive(Debug, PartialEq)]
pub enum CatalogMsg {
    List(Result<Vec<Function>, SourceError>),
    /// Totals of every function (`HEALTH_TOTALS`), or invocations of the ones that needed them.
    Health {
        target: Target,
        window: TimeWindow,
        names: Vec<String>,
        result: Result<Vec<MetricSeries>, SourceError>,
    },
    /// The rows in view: the trend, and the totals a row shows.
    Rows {
        plan: MetricPlan,
        names: Vec<String>,
        result: Result<(Vec<MetricSeries>, Vec<MetricSeries>), SourceError>,
    },
}

impl Catalog {
    pub fn functions(&self) -> &[Function] {
        self.list.loaded().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn is_busy(&self) -> bool {
        self.list.is_loading() || !self.loading.is_empty()
    }

    /// The age of the health figures once they are older than twice the refresh that should
    /// have renewed them (`every`), whatever the reason: a refresh that failed, one that never
    /// answered, a connection that went quiet. None while they are fresh.
    pub fn stale_for(&self, now: EpochMs, every: EpochMs) -> Option<EpochMs> {
        let age = now - self.stats_at?;
        (age > 2 * every).then_some(age)
    }

    /// Functions in trouble over the window, worst first.
    pub fn unhealthy(&self) -> Vec<(&str, &FunctionStats)> {
        let mut bad: Vec<(&str, &FunctionStats)> = self
            .stats
            .iter()
            .filter(|(_, s)| s.unhealthy())
            .map(|(n, s)| (n.as_str(), s))
            .collect();
        bad.sort_by(|a, b| {
            b.1.health()
                .unwrap_or(0.0)
                .total_cmp(&a.1.health().unwrap_or(0.0))
                .then(a.0.cmp(b.0))
        });
        bad
    }
}

fn key(target: Target) -> JobKey {
    JobKey::new(Owner::Catalog, target)
}

/// The window every list figure is for: the incident window when one is marked, else the
/// chosen span ending at the last complete minute.
pub fn stats_window(ctx: &Ctx) -> TimeWindow {
    ctx.focus()
}

/// Asks for the function list.
pub fn load_list(ctx: &mut Ctx) -> Cmd {
    if ctx.catalog.list.loaded().is_none() {
        ctx.catalog.list = Loadable::Loading;
    }
    Job::new(
        key(Target::FunctionList),
        Request::Functions(Box::new(|r| Msg::Catalog(CatalogMsg::List(r)))),
    )
    .joining()
    .into()
}

/// Asks for the health totals of every function.
pub fn refresh_health(ctx: &mut Ctx) -> Option<Cmd> {
    let names: Vec<String> = ctx
        .catalog
        .functions()
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let job = health_job(ctx, Target::AccountHealth, names, &HEALTH_TOTALS);
    if job.is_some() {
        ctx.catalog.health_asked = Some(ctx.now);
    }
    job
}

fn health_job(
    ctx: &mut Ctx,
    target: Target,
    names: Vec<String>,
    series: &[(Metric, Statistic)],
) -> Option<Cmd> {
    if names.is_empty() {
        return None;
    }
    let window = stats_window(ctx);
    let plan = MetricPlan::new(window, (window.len_ms() / 1000) as u32, ctx.now);
    let request = totals_request(&names, series, plan);
    ctx.catalog.loading.insert(target.clone());
    let t = target.clone();
    let reply = Box::new(move |result| {
        Msg::Catalog(CatalogMsg::Health {
            target: t,
            window,
            names,
            result,
        })
    });
    Some(
        Job::new(key(target), Request::Metrics(request, reply))
            .joining()
            .into(),
    )
}

/// Asks for the row figures of `names` (the rows on screen). `typed` debounces it: scrolling and
/// typing a filter would otherwise bill a request per key.
pub fn refresh_rows(ctx: &mut Ctx, names: Vec<String>, typed: bool) -> Option<Cmd> {
    if names.is_empty() {
        return None;
    }
    let window = stats_window(ctx);
    let spark = MetricPlan::new(
        window,
        period_for(window.len_ms(), 20, window.start, ctx.now),
        ctx.now,
    );
    let whole = MetricPlan::new(window, (window.len_ms() / 1000) as u32, ctx.now);
    let (p, now) = (ctx.policy, ctx.now);
    let p95 = ctx
        .catalog
        .p95_asked
        .is_none_or(|at| now - at >= p.rows_p95_every)
        || names.iter().any(|n| {
            ctx.catalog
                .stats
                .get(n)
                .is_none_or(|s| s.p95_ms == Cell::Pending)
        });
    // A health round asked just now brings every function's errors and throttles.
    let counts = !(p.health_serves_rows && ctx.catalog.health_asked == Some(now));
    let series: Vec<(Metric, Statistic)> = row_totals(p.list_cold_starts)
        .into_iter()
        .filter(|(m, _)| match m {
            Metric::Errors | Metric::Throttles => counts,
            Metric::Duration => p95,
            _ => true,
        })
        .collect();
    if p95 {
        ctx.catalog.p95_asked = Some(now);
    }
    let trend = trend_request(&names, spark);
    let totals = totals_request(&names, &series, whole);
    ctx.catalog.loading.insert(Target::RowStats);
    // Two periods over one window: one job, answered once.
    let reply = Box::new(move |result: Result<Vec<Vec<MetricSeries>>, SourceError>| {
        let result = result.map(|mut sets| {
            let totals = sets.pop().unwrap_or_default();
            let trend = sets.pop().unwrap_or_default();
            (trend, totals)
        });
        Msg::Catalog(CatalogMsg::Rows {
            plan: spark,
            names,
            result,
        })
    });
    let job = Job::new(
        key(Target::RowStats),
        Request::MetricSets(vec![trend, totals], reply),
    );
    let job = if typed {
        job.debounced(ctx.policy.typing_debounce)
    } else {
        job.joining()
    };
    Some(job.into())
}

/// Applies a catalog message. Returns the commands it leads to, and whether what screens show
/// changed (so the router can tell them).
pub fn update(ctx: &mut Ctx, msg: CatalogMsg) -> (Vec<Cmd>, bool) {
    let now = ctx.now;
    match msg {
        CatalogMsg::List(Ok(list)) => {
            let names: HashSet<&str> = list.iter().map(|f| f.name.as_str()).collect();
            // Deleted functions leave the counts with the list.
            ctx.catalog.stats.retain(|n, _| names.contains(n.as_str()));
            let first = ctx.catalog.list.loaded().is_none();
            ctx.catalog.list = Loadable::Loaded(list);
            ctx.catalog.list_at = Some(now);
            ctx.catalog.list_problem = None;
            let cmds = if first {
                refresh_health(ctx).into_iter().collect()
            } else {
                vec![]
            };
            (cmds, true)
        }
        CatalogMsg::List(Err(e)) => {
            if ctx.catalog.list.loaded().is_some() {
                ctx.catalog.list_problem = Some(Problem {
                    error: e,
                    data_from: ctx.catalog.list_at,
                });
            } else {
                ctx.catalog.list = Loadable::Failed(e);
            }
            (vec![], true)
        }
        CatalogMsg::Health {
            target,
            window,
            names,
            result,
        } => {
            ctx.catalog.loading.remove(&target);
            if window != stats_window(ctx) && Some(window) != ctx.catalog.stats_window {
                return (vec![], false); // for a window no longer shown
            }
            match result {
                Ok(series) => {
                    adopt_window(ctx, window);
                    apply_totals(&mut ctx.catalog.stats, &series);
                    stats_ok(ctx);
                    let mut cmds = Vec::new();
                    if target == Target::AccountHealth {
                        let need = need_invocations(&ctx.catalog.stats, &names);
                        cmds.extend(health_job(
                            ctx,
                            Target::AccountInvocations,
                            need,
                            &[(Metric::Invocations, Statistic::Sum)],
                        ));
                    }
                    (cmds, true)
                }
                Err(e) => {
                    stats_failed(ctx, e);
                    (vec![], true)
                }
            }
        }
        CatalogMsg::Rows {
            plan,
            names: _,
            result,
        } => {
            ctx.catalog.loading.remove(&Target::RowStats);
            if plan.window != stats_window(ctx) && Some(plan.window) != ctx.catalog.stats_window {
                return (vec![], false);
            }
            match result {
                Ok((trend, totals)) => {
                    adopt_window(ctx, plan.window);
                    apply_totals(&mut ctx.catalog.stats, &totals);
                    apply_trend(&mut ctx.catalog.stats, &trend, plan);
                    stats_ok(ctx);
                }
                Err(e) => stats_failed(ctx, e),
            }
            (vec![], true)
        }
    }
}

/// Stats for another window are dropped; stats for the next minute of the same span replace
/// the old ones as they come.
fn adopt_window(ctx: &mut Ctx, window: TimeWindow) {
    let same_span = ctx
        .catalog
        .stats_window
        .is_some_and(|w| w.len_ms() == window.len_ms());
    if !same_span {
        ctx.catalog.stats.clear();
    }
    ctx.catalog.stats_window = Some(window);
}

fn stats_ok(ctx: &mut Ctx) {
    ctx.catalog.stats_at = Some(ctx.now);
    ctx.catalog.stats_problem = None;
}

fn stats_failed(ctx: &mut Ctx, error: SourceError) {
    ctx.catalog.stats_problem = Some(Problem {
        error,
        data_from: ctx.catalog.stats_at,
    });
}

/// The incident window was marked or cleared: the figures are asked for again for it.
pub fn focus_changed(ctx: &mut Ctx) -> Vec<Cmd> {
    window_changed(ctx);
    refresh_health(ctx).into_iter().collect()
}

/// The window changed: what is shown is for another span.
pub fn window_changed(ctx: &mut Ctx) {
    ctx.catalog.stats.clear();
    ctx.catalog.stats_window = None;
    ctx.catalog.stats_at = None;
}
