//! The account at a glance: totals with sparklines, account concurrency against its limit,
//! and the functions that lead by errors, throttles, p99 duration and cold starts.

mod keys;
mod update;
pub mod view;

pub use crate::model::overview::{
    ACCOUNT_SERIES, Ranking, TOP, account_request, ranked, ranking_request, series_requests,
    spark_plan,
};

use crate::app::jobs::ScreenId;
use crate::app::state::Loadable;
use crate::domain::{AccountSettings, EpochMs, MetricPlan, MetricSeries, SourceError, TimeWindow};

#[derive(Debug, Clone, PartialEq)]
pub struct OverviewScreen {
    pub id: ScreenId,
    /// Account-wide invocations, errors, throttles and concurrency per period.
    pub account: Loadable<Vec<MetricSeries>>,
    /// The window and period the account series were asked for.
    pub plan: Option<MetricPlan>,
    /// Every function's p99 duration over the window.
    pub p99: Loadable<Vec<MetricSeries>>,
    /// Every function's cold starts over the window (Logs Insights on AWS: its own cadence).
    pub cold: Loadable<Vec<MetricSeries>>,
    pub settings: Loadable<AccountSettings>,
    /// When the series and the cold starts were last asked for, and for which window.
    pub asked: Option<(EpochMs, TimeWindow)>,
    pub cold_asked: Option<(EpochMs, TimeWindow)>,
    /// The ranking and the row in it that `enter` opens.
    pub ranking: usize,
    pub row: usize,
}

impl OverviewScreen {
    pub fn new(id: ScreenId) -> OverviewScreen {
        OverviewScreen {
            id,
            account: Loadable::Loading,
            plan: None,
            p99: Loadable::Loading,
            cold: Loadable::Loading,
            settings: Loadable::Loading,
            asked: None,
            cold_asked: None,
            ranking: 0,
            row: 0,
        }
    }
}

/// The overview has no keys of its own beyond the shared verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverviewAction {}

#[derive(Debug, PartialEq)]
pub enum OverviewMsg {
    Account {
        plan: MetricPlan,
        result: Result<Vec<Vec<MetricSeries>>, SourceError>,
    },
    ColdStarts {
        window: TimeWindow,
        result: Result<Vec<MetricSeries>, SourceError>,
    },
    Settings(Result<AccountSettings, SourceError>),
}
