//! What the dashboard asks for and what it does with the answers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{DashboardAction, DashboardMsg, DashboardScreen, Panel, keys, view};
use crate::app::jobs::{Job, JobKey, Owner, Request, Target};
use crate::app::keys::Binding;
use crate::app::msg::{Action, Cmd, Msg};
use crate::app::router::{Screen, ScreenBase};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{Metric, MetricPlan, MetricQuery, MetricRequest, Statistic};
use crate::ui::theme::Theme;

/// The CloudWatch series the charts draw.
pub const CHART_SERIES: [(Metric, Statistic); 7] = [
    (Metric::Invocations, Statistic::Sum),
    (Metric::Errors, Statistic::Sum),
    (Metric::Throttles, Statistic::Sum),
    (Metric::Duration, Statistic::P50),
    (Metric::Duration, Statistic::P95),
    (Metric::Duration, Statistic::P99),
    (Metric::ConcurrentExecutions, Statistic::Max),
];

/// Cold starts and init durations.
pub const COLD_SERIES: [(Metric, Statistic); 3] = [
    (Metric::ColdStarts, Statistic::Sum),
    (Metric::InitDuration, Statistic::Average),
    (Metric::InitDuration, Statistic::Max),
];

impl DashboardScreen {
    fn plan(&self, ctx: &Ctx) -> MetricPlan {
        MetricPlan::new(
            ctx.window.window(ctx.now),
            ctx.window.chart_period_s(ctx.now),
            ctx.now,
        )
    }

    fn metrics_job(&self, plan: MetricPlan, target: Target, series: &[(Metric, Statistic)]) -> Cmd {
        let id = self.id;
        let request = MetricRequest {
            queries: MetricQuery::each(&self.name, series),
            window: plan.window,
            period_s: plan.period_s,
        };
        let cold = matches!(target, Target::ColdStarts(_));
        let reply = Box::new(move |result| {
            Msg::to(
                id,
                if cold {
                    DashboardMsg::ColdStarts { plan, result }
                } else {
                    DashboardMsg::Charts { plan, result }
                },
            )
        });
        Job::new(
            JobKey::new(Owner::Screen(id), target),
            Request::Metrics(request, reply),
        )
        .joining()
        .into()
    }
}

impl ScreenBase for DashboardScreen {
    fn title(&self) -> String {
        format!("Function {}", self.name)
    }

    fn keymap(&self) -> &'static [Binding] {
        keys::KEYS
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        match action {
            Action::Back => ctx.back(),
            Action::NextPanel => {
                self.panel = match self.panel {
                    Panel::Both => Panel::Charts,
                    Panel::Charts => Panel::Configuration,
                    Panel::Configuration => Panel::Both,
                }
            }
            Action::Down => self.config_scroll = self.config_scroll.saturating_add(1),
            Action::Up => self.config_scroll = self.config_scroll.saturating_sub(1),
            _ => {}
        }
        vec![]
    }

    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let plan = self.plan(ctx);
        let id = self.id;
        let name = self.name.clone();
        let mut cmds = vec![];
        if !matches!(self.config, Loadable::Loaded(_)) {
            self.config = Loadable::Loading;
            cmds.push(
                Job::new(
                    JobKey::new(Owner::Screen(id), Target::Config(name.clone())),
                    Request::Function(
                        name.clone(),
                        Box::new(move |r| Msg::to(id, DashboardMsg::Config(r))),
                    ),
                )
                .joining()
                .into(),
            );
        }
        if self
            .plan
            .is_some_and(|p| p.window.len_ms() != plan.window.len_ms())
        {
            // Another span: the old charts would be drawn on the wrong axis.
            self.charts = Loadable::Loading;
            self.cold = Loadable::Loading;
        }
        self.plan = Some(plan);
        cmds.push(self.metrics_job(plan, Target::Charts(name.clone()), &CHART_SERIES));
        cmds.push(self.metrics_job(plan, Target::ColdStarts(name), &COLD_SERIES));
        cmds
    }

    fn is_busy(&self) -> bool {
        self.config.is_loading() || self.charts.is_loading() || self.cold.is_loading()
    }

    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget;
        view::DashboardView {
            screen: self,
            ctx,
            theme,
        }
        .render(area, buf);
    }
}

impl Screen for DashboardScreen {
    type Msg = DashboardMsg;
    type Action = DashboardAction;

    fn on_msg(&mut self, ctx: &mut Ctx, msg: DashboardMsg) -> Vec<Cmd> {
        match msg {
            DashboardMsg::Config(r) => self.config = r.into(),
            DashboardMsg::Charts { plan, result } | DashboardMsg::ColdStarts { plan, result }
                if Some(plan) != self.plan
                    && self
                        .plan
                        .is_some_and(|p| p.window.len_ms() != plan.window.len_ms()) =>
            {
                let _ = result; // for a span no longer shown
            }
            DashboardMsg::Charts { result, .. } => {
                keep_or_replace(ctx, &mut self.charts, result, "charts")
            }
            DashboardMsg::ColdStarts { result, .. } => {
                keep_or_replace(ctx, &mut self.cold, result, "cold starts")
            }
        }
        vec![]
    }

    fn on_own(&mut self, ctx: &mut Ctx, action: DashboardAction) -> Vec<Cmd> {
        match action {
            DashboardAction::Logs => ctx.go(crate::app::router::Place::Logs(
                crate::app::router::LogsPlace {
                    functions: vec![self.name.clone()],
                    invocation: None,
                },
            )),
        }
        vec![]
    }
}

/// A failed refresh keeps the charts it had and says so; a first failure shows in the panel.
fn keep_or_replace<T>(
    ctx: &mut Ctx,
    slot: &mut Loadable<T>,
    result: Result<T, crate::domain::SourceError>,
    what: &str,
) {
    match (result, slot.loaded().is_some()) {
        (Err(e), true) => ctx.error(format!("{what}: {e}; showing the last ones")),
        (r, _) => *slot = r.into(),
    }
}
