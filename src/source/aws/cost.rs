//! The cost meter: what the console has asked AWS for, and what that costs at public prices.
//!
//! Prices (us-east-1, 2026; see reference §2.3, §4.4, §4.5):
//! - GetMetricData: $0.01 per 1,000 metrics requested, not in the free tier.
//! - Live Tail: $0.01 per session-minute.
//! - Logs Insights: $0.005 per GB scanned. We use the bytes GetQueryResults reports; when it
//!   reports none we assume 1 GB per query, deliberately pessimistic.
//! - X-Ray: $0.50 per million traces retrieved or scanned; we count traces returned, ignoring the
//!   free 100,000 a month, so the estimate errs high.
//! - Lambda control plane, FilterLogEvents, DescribeLogGroups: no per-request charge (assumed
//!   within the CloudWatch free tier); they count as calls only.

use std::collections::BTreeMap;

use super::api::Api;
use crate::source::UsageLine;

pub const USD_PER_METRIC_REQUESTED: f64 = 0.01 / 1000.0;
pub const USD_PER_LIVE_TAIL_MINUTE: f64 = 0.01;
pub const USD_PER_INSIGHTS_GB: f64 = 0.005;
pub const ASSUMED_GB_PER_INSIGHTS_QUERY: f64 = 1.0;
pub const USD_PER_TRACE: f64 = 0.50 / 1_000_000.0;

#[derive(Debug, Clone, Default, PartialEq)]
struct Tally {
    calls: u64,
    units: f64,
}

/// Calls and billed units per API since the source was created.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CostMeter {
    per_api: BTreeMap<Api, Tally>,
}

fn unit_price(api: Api) -> (f64, &'static str) {
    match api {
        Api::GetMetricData => (USD_PER_METRIC_REQUESTED, "metrics"),
        Api::StartLiveTail => (USD_PER_LIVE_TAIL_MINUTE, "session-min"),
        Api::StartQuery => (USD_PER_INSIGHTS_GB, "GB scanned"),
        Api::GetTraceSummaries | Api::BatchGetTraces => (USD_PER_TRACE, "traces"),
        _ => (0.0, ""),
    }
}

impl CostMeter {
    pub fn call(&mut self, api: Api) {
        self.per_api.entry(api).or_default().calls += 1;
    }
    /// Adds billed units (metrics requested, session-minutes, GB, traces) to `api`.
    pub fn units(&mut self, api: Api, units: f64) {
        self.per_api.entry(api).or_default().units += units;
    }
    pub fn calls(&self, api: Api) -> u64 {
        self.per_api.get(&api).map_or(0, |t| t.calls)
    }
    pub fn billed_units(&self, api: Api) -> f64 {
        self.per_api.get(&api).map_or(0.0, |t| t.units)
    }
    pub fn total_calls(&self) -> u64 {
        self.per_api.values().map(|t| t.calls).sum()
    }
    pub fn usage(&self) -> Vec<UsageLine> {
        self.per_api
            .iter()
            .map(|(api, t)| {
                let (price, unit) = unit_price(*api);
                UsageLine {
                    api: api.name().to_string(),
                    calls: t.calls,
                    billed_units: t.units,
                    unit: unit.to_string(),
                    estimated_usd: t.units * price,
                }
            })
            .collect()
    }
    pub fn estimated_usd(&self) -> f64 {
        self.usage().iter().map(|u| u.estimated_usd).sum()
    }
}

/// How often the UI refreshes what, by default. The UI honours these numbers; the cost estimate
/// below is computed from them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefreshPolicy {
    /// Functions screen: metric columns are fetched for visible rows only.
    pub visible_rows: u32,
    /// Series per row: invocations, errors, throttles (Sum), duration p95 and concurrency (Max).
    pub series_per_row: u32,
    /// Seconds between refreshes of the visible rows' metrics.
    pub list_refresh_s: u32,
    /// Detail screen of the selected function: charts, one series per metric and statistic.
    pub detail_series: u32,
    pub detail_refresh_s: u32,
    /// The detail screen's cold-start series run one Logs Insights query per refresh; GB it
    /// scans (an assumption: one function's logs for the 1-hour chart window).
    pub detail_insights_gb: f64,
    /// Live Tail runs only while a logs screen is open; minutes of tail per hour of console time.
    pub tail_minutes_per_hour: f64,
}

impl RefreshPolicy {
    pub const DEFAULT: RefreshPolicy = RefreshPolicy {
        visible_rows: 30,
        series_per_row: 5,
        list_refresh_s: 60,
        detail_series: 8,
        detail_refresh_s: 60,
        detail_insights_gb: 0.01,
        tail_minutes_per_hour: 0.0,
    };
}

/// Estimated dollars for the console left open `hours` on an account with `functions` functions,
/// on the functions screen with the detail panel of one function showing, under `policy`.
pub fn estimate_open_console_usd(policy: &RefreshPolicy, functions: u32, hours: f64) -> f64 {
    let seconds = hours * 3600.0;
    let rows = f64::from(policy.visible_rows.min(functions));
    let list_metrics =
        rows * f64::from(policy.series_per_row) * seconds / f64::from(policy.list_refresh_s.max(1));
    let detail_refreshes = if functions > 0 {
        seconds / f64::from(policy.detail_refresh_s.max(1))
    } else {
        0.0
    };
    let detail_metrics = f64::from(policy.detail_series) * detail_refreshes;
    let insights = detail_refreshes * policy.detail_insights_gb * USD_PER_INSIGHTS_GB;
    let tail = policy.tail_minutes_per_hour * hours * USD_PER_LIVE_TAIL_MINUTE;
    (list_metrics + detail_metrics) * USD_PER_METRIC_REQUESTED + insights + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_hundred_functions_open_eight_hours_stays_under_a_dollar() {
        let usd = estimate_open_console_usd(&RefreshPolicy::DEFAULT, 200, 8.0);
        // 30 rows x 5 series x 480 refreshes = 72,000 metrics; detail 8 x 480 = 3,840;
        // 480 cold-start Insights queries x 0.01 GB.
        assert!((usd - 0.7824).abs() < 1e-9, "{usd}");
        assert!(usd < 1.0);
    }

    #[test]
    fn ten_minutes_on_two_hundred_functions() {
        let usd = estimate_open_console_usd(&RefreshPolicy::DEFAULT, 200, 10.0 / 60.0);
        assert!((usd - 0.0163).abs() < 1e-9, "{usd}");
    }

    #[test]
    fn a_live_tail_left_open_is_what_costs() {
        let tailing = RefreshPolicy {
            tail_minutes_per_hour: 60.0,
            ..RefreshPolicy::DEFAULT
        };
        assert!(estimate_open_console_usd(&tailing, 200, 8.0) > 5.0);
    }

    #[test]
    fn meter_prices_billed_units() {
        let mut m = CostMeter::default();
        m.call(Api::GetMetricData);
        m.units(Api::GetMetricData, 2000.0);
        m.call(Api::FilterLogEvents);
        m.call(Api::StartLiveTail);
        m.units(Api::StartLiveTail, 3.0);
        assert_eq!(m.total_calls(), 3);
        assert!((m.estimated_usd() - 0.05).abs() < 1e-12);
        let usage = m.usage();
        let logs = usage.iter().find(|u| u.api == "FilterLogEvents").unwrap();
        assert_eq!((logs.calls, logs.estimated_usd), (1, 0.0));
    }
}
