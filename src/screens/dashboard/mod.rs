//! One function's dashboard: its configuration and its charts over the window.

mod keys;
mod update;
pub mod view;

use crate::app::jobs::ScreenId;
use crate::app::state::Loadable;
use crate::domain::{Function, MetricPlan, MetricSeries, SourceError};

/// The panels `tab` cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    /// Charts and configuration side by side (charts alone on a narrow terminal).
    #[default]
    Both,
    Charts,
    Configuration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DashboardScreen {
    pub id: ScreenId,
    pub name: String,
    pub config: Loadable<Function>,
    /// The CloudWatch series.
    pub charts: Loadable<Vec<MetricSeries>>,
    /// Cold starts and init durations: from Logs Insights on AWS, so a job of their own that
    /// a chart refresh never aborts.
    pub cold: Loadable<Vec<MetricSeries>>,
    /// The window and period the charts were asked for.
    pub plan: Option<MetricPlan>,
    pub panel: Panel,
    /// First line of the configuration panel shown.
    pub config_scroll: usize,
}

impl DashboardScreen {
    pub fn new(id: ScreenId, name: String) -> DashboardScreen {
        DashboardScreen {
            id,
            name,
            config: Loadable::Loading,
            charts: Loadable::Loading,
            cold: Loadable::Loading,
            plan: None,
            panel: Panel::Both,
            config_scroll: 0,
        }
    }

    /// Every series fetched so far, CloudWatch's and the cold starts'.
    pub fn series(&self) -> impl Iterator<Item = &MetricSeries> {
        self.charts
            .loaded()
            .into_iter()
            .flatten()
            .chain(self.cold.loaded().into_iter().flatten())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashboardAction {
    /// This function's logs.
    Logs,
}

#[derive(Debug, PartialEq)]
pub enum DashboardMsg {
    Config(Result<Function, SourceError>),
    Charts {
        plan: MetricPlan,
        result: Result<Vec<MetricSeries>, SourceError>,
    },
    ColdStarts {
        plan: MetricPlan,
        result: Result<Vec<MetricSeries>, SourceError>,
    },
}
