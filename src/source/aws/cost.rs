//! The cost meter: what the console has asked AWS for, and what that costs at public prices.
//!
//! Prices (us-east-1, 2026; see reference §2.3, §4.4, §4.5), which the API table (api.rs)
//! assigns to its calls:
//! - GetMetricData: $0.01 per 1,000 metrics requested, not in the free tier.
//! - Live Tail: $0.01 per session-minute.
//! - Logs Insights: $0.005 per GB scanned. We use the bytes GetQueryResults reports; when it
//!   reports none we assume 1 GB per query, deliberately pessimistic.
//! - X-Ray: $0.50 per million traces retrieved or scanned; we count traces returned, ignoring the
//!   free 100,000 a month, so the estimate errs high.
//! - Lambda control plane, FilterLogEvents, DescribeLogGroups: no per-request charge (assumed
//!   within the CloudWatch free tier); they count as calls only.
//!
//! What a shift with the console open costs is measured by driving `update` (tests/cost.rs),
//! with the refresh policy in `app::policy`.

use std::collections::BTreeMap;

use super::api::Api;
use crate::domain::UsageLine;

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
                let price = api.price();
                UsageLine {
                    api: api.name().to_string(),
                    calls: t.calls,
                    billed_units: t.units,
                    unit: price.unit.to_string(),
                    estimated_usd: t.units * price.usd_per_unit,
                }
            })
            .collect()
    }
    pub fn estimated_usd(&self) -> f64 {
        self.usage().iter().map(|u| u.estimated_usd).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
