//! One function's dashboard: six charts over the window with a shared cursor, deploy markers
//! and the incident window; the cold-start analysis; the configuration.

mod keys;
mod update;
pub mod view;

pub use crate::model::charts::{ChartKind, chart_request};

use crate::app::jobs::ScreenId;
use crate::app::state::Loadable;
use crate::domain::{
    ColdStartAnalysis, ColdStartData, EpochMs, Function, Metric, MetricPlan, MetricSeries,
    SourceError, Statistic, TimeWindow,
};

/// The panels `tab` cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    #[default]
    Charts,
    ColdStarts,
    Configuration,
}

/// The six charts, in the order `j`/`k` move through them.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardScreen {
    pub id: ScreenId,
    pub name: String,
    pub config: Loadable<Function>,
    /// The CloudWatch series, all in one request.
    pub charts: Loadable<Vec<MetricSeries>>,
    /// Cold starts: from Logs Insights on AWS, so a job of its own on a slower cadence that a
    /// chart refresh never aborts.
    pub cold: Loadable<ColdStartData>,
    /// Computed from the three above whenever one of them changes.
    pub analysis: Option<ColdStartAnalysis>,
    /// The window and period the charts were asked for.
    pub plan: Option<MetricPlan>,
    /// When the cold starts were last asked for, and for which window.
    pub cold_asked: Option<(EpochMs, TimeWindow)>,
    pub panel: Panel,
    /// First line shown of the cold-start and configuration panels.
    pub scroll: usize,
    /// The bucket under the cursor, shared by every chart; `None` shows window totals.
    pub cursor: Option<usize>,
    /// The chart `s` (select the spike) acts on.
    pub chart: usize,
    /// The start of an incident window being marked with `m`.
    pub mark: Option<EpochMs>,
    /// Half-windows the view is moved back from now (0: live).
    pub pan: u32,
}

impl DashboardScreen {
    pub fn new(id: ScreenId, name: String) -> DashboardScreen {
        DashboardScreen {
            id,
            name,
            config: Loadable::Loading,
            charts: Loadable::Loading,
            cold: Loadable::Loading,
            analysis: None,
            plan: None,
            cold_asked: None,
            panel: Panel::Charts,
            scroll: 0,
            cursor: None,
            chart: 0,
            mark: None,
            pan: 0,
        }
    }

    /// A CloudWatch series the charts asked for.
    pub fn series(&self, metric: Metric, stat: Statistic) -> Option<&MetricSeries> {
        self.charts
            .loaded()?
            .iter()
            .find(|s| s.query.metric == metric && s.query.stat == stat)
    }

    /// Deploy times known for the function (none until its configuration has loaded).
    pub fn deploys(&self) -> Vec<EpochMs> {
        self.config
            .loaded()
            .map(Function::deploy_times)
            .unwrap_or_default()
    }
}

/// Keys only the dashboard knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashboardAction {
    /// Mark the start, then the end, of the incident window at the cursor.
    Mark,
    /// Select the spike under the cursor (or the biggest one) on the focused chart.
    SelectSpike,
    /// Move the view half a window back or forward in time.
    PanBack,
    PanForward,
    /// This function's X-Ray traces.
    Traces,
    /// This function's logs.
    Logs,
}

#[derive(Debug, PartialEq)]
pub enum DashboardMsg {
    Config(Result<Box<Function>, SourceError>),
    Charts {
        plan: MetricPlan,
        result: Result<Vec<MetricSeries>, SourceError>,
    },
    ColdStarts {
        window: TimeWindow,
        result: Result<ColdStartData, SourceError>,
    },
}
