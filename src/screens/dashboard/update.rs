//! What the dashboard asks for, and what it does with keys and answers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{ChartKind, DashboardAction, DashboardMsg, DashboardScreen, Panel, keys, view};
use crate::app::catalog;
use crate::app::jobs::{Job, JobKey, Owner, Request, Target};
use crate::app::keys::Binding;
use crate::app::msg::{Action, Cmd, Msg};
use crate::app::policy::stale;
use crate::app::router::{Place, Screen, ScreenBase};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{
    ColdStartAnalysis, ColdStartQuery, EpochMs, MINUTE_MS, Metric, MetricPlan, SourceError,
    Statistic, TimeWindow, period_for,
};
use crate::model::charts::{ChartValues, chart_request, spike};
use crate::ui::format;
use crate::ui::theme::Theme;

impl DashboardScreen {
    /// What the charts show: the incident window when one is marked, else the chosen span,
    /// moved back by the pan.
    fn view_window(&self, ctx: &Ctx) -> TimeWindow {
        if let Some(w) = ctx.incident {
            return w;
        }
        let w = ctx.window.window(ctx.now);
        let back = EpochMs::from(self.pan) * (w.len_ms() / 2);
        TimeWindow::new(w.start - back, w.end - back)
    }

    /// The window and a period that puts about one point on each column of a chart.
    pub fn plan_for(&self, ctx: &Ctx) -> MetricPlan {
        let w = self.view_window(ctx);
        let points = usize::from(view::plot_columns(ctx.size)).max(10);
        MetricPlan::new(w, period_for(w.len_ms(), points, w.start, ctx.now), ctx.now)
    }

    fn same_view(&self, plan: &MetricPlan) -> bool {
        self.plan.is_some_and(|p| {
            p.window.len_ms() == plan.window.len_ms() && p.period_s == plan.period_s
        })
    }

    /// Whether the cold starts should be asked for again: a new window, or (while the window
    /// follows the clock) the policy's cadence has passed.
    fn cold_due(&self, ctx: &Ctx, plan: &MetricPlan) -> bool {
        let live = ctx.incident.is_none() && self.pan == 0;
        let every = ctx.policy.cold_starts_every(plan.window.len_ms());
        stale(self.cold_asked, plan.window, live, ctx.now, every)
    }

    fn charts_job(&self, plan: MetricPlan) -> Cmd {
        let id = self.id;
        let reply = Box::new(move |result| Msg::to(id, DashboardMsg::Charts { plan, result }));
        Job::new(
            JobKey::new(Owner::Screen(id), Target::Charts(self.name.clone())),
            Request::Metrics(chart_request(&self.name, plan), reply),
        )
        .joining()
        .into()
    }

    fn cold_job(&self, plan: MetricPlan) -> Cmd {
        let (id, window) = (self.id, plan.window);
        let reply =
            Box::new(move |result| Msg::to(id, DashboardMsg::ColdStarts { window, result }));
        let query = ColdStartQuery {
            function: self.name.clone(),
            window,
            period_s: plan.period_s,
        };
        Job::new(
            JobKey::new(Owner::Screen(id), Target::ColdStarts(self.name.clone())),
            Request::ColdStarts(query, reply),
        )
        .joining()
        .into()
    }

    /// Recomputes the cold-start analysis from what has arrived.
    fn analyse(&mut self, now: EpochMs) {
        let (Some(plan), Some(cold)) = (self.plan, self.cold.loaded()) else {
            self.analysis = None;
            return;
        };
        let invocations = self.series(Metric::Invocations, Statistic::Sum);
        self.analysis = Some(ColdStartAnalysis::new(
            cold,
            plan,
            invocations,
            &self.deploys(),
            now,
        ));
    }

    fn buckets(&self) -> usize {
        self.plan.map_or(0, |p| p.buckets())
    }

    fn move_cursor(&mut self, by: isize) {
        let n = self.buckets();
        if n == 0 {
            return;
        }
        self.cursor = Some(match self.cursor {
            None => n - 1,
            Some(c) => c.saturating_add_signed(by).min(n - 1),
        });
    }

    /// The values of the focused chart, one per bucket, for spike selection.
    fn chart_values(&self, kind: ChartKind) -> Vec<Option<f64>> {
        let Some(plan) = self.plan else {
            return vec![];
        };
        ChartValues::of(
            self.charts.loaded().map_or(&[], Vec::as_slice),
            self.analysis.as_ref(),
            &plan,
        )
        .of_kind(kind)
        .to_vec()
    }

    /// Marks `w` as the incident window every screen narrows to.
    fn set_incident(&mut self, ctx: &mut Ctx, w: TimeWindow, how: &str) -> Vec<Cmd> {
        ctx.incident = Some(w);
        self.pan = 0;
        self.mark = None;
        self.cursor = None;
        ctx.info(format!(
            "{how}{} is the incident window · X clears it",
            format::span(w)
        ));
        let mut cmds = catalog::focus_changed(ctx);
        cmds.extend(self.refresh(ctx));
        cmds
    }

    fn mark(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let Some(plan) = self.plan.filter(|p| p.buckets() > 0) else {
            return vec![];
        };
        let Some(c) = self.cursor else {
            self.cursor = Some(plan.buckets() - 1);
            ctx.info("move the cursor with ←/→ to where the incident began, then press m");
            return vec![];
        };
        let at = plan.bucket_start(c);
        match self.mark.take() {
            None => {
                self.mark = Some(at);
                ctx.info(format!(
                    "incident from {}: move to its end and press m again (esc cancels)",
                    format::clock(at)
                ));
                vec![]
            }
            Some(start) => {
                let w = TimeWindow::new(start.min(at), start.max(at) + plan.period_ms());
                self.set_incident(ctx, w, "")
            }
        }
    }

    fn select_spike(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let kind = ChartKind::ALL[self.chart % ChartKind::ALL.len()];
        let Some(plan) = self.plan else {
            return vec![];
        };
        match spike(&self.chart_values(kind), self.cursor) {
            Some((l, r)) => {
                let w = TimeWindow::new(plan.bucket_start(l), plan.bucket_start(r + 1));
                let how = format!("the {} spike", kind.title().to_lowercase());
                self.set_incident(ctx, w, &format!("{how} "))
            }
            None => {
                ctx.info(format!(
                    "no spike on {}: nothing stands out of its usual level (j/k picks another chart)",
                    kind.title()
                ));
                vec![]
            }
        }
    }

    /// Moves the view half a window; an incident window moves with it (every screen follows).
    fn pan(&mut self, ctx: &mut Ctx, back: bool) -> Vec<Cmd> {
        if let Some(w) = ctx.incident {
            let step = w.len_ms() / 2;
            let latest = ctx.window.window(ctx.now).end;
            let shift = if back {
                -step
            } else {
                step.min(latest - w.end).max(0)
            };
            if shift == 0 {
                ctx.info("the incident window already ends now");
                return vec![];
            }
            let moved = TimeWindow::new(w.start + shift, w.end + shift);
            return self.set_incident(ctx, moved, "moved: ");
        }
        if back {
            self.pan += 1;
        } else if self.pan == 0 {
            ctx.info("the charts already end now (< pans back)");
            return vec![];
        } else {
            self.pan -= 1;
        }
        let cmds = self.refresh(ctx);
        let w = self.view_window(ctx);
        if self.pan == 0 {
            ctx.info(format!("back to the last {}", ctx.window.label()));
        } else {
            ctx.info(format!(
                "charts: {} ({} back; > returns to now)",
                format::span(w),
                format::ago(w.end, ctx.now).trim_end_matches(" ago")
            ));
        }
        cmds
    }
}

impl ScreenBase for DashboardScreen {
    fn title(&self) -> String {
        format!("Function {}", self.name)
    }

    fn keymap(&self) -> &'static [&'static [Binding]] {
        &[keys::KEYS]
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        match action {
            Action::Back if self.mark.is_some() => {
                self.mark = None;
                ctx.info("marking cancelled");
            }
            Action::Back => ctx.back(),
            Action::NextPanel => {
                self.panel = match self.panel {
                    Panel::Charts => Panel::ColdStarts,
                    Panel::ColdStarts => Panel::Configuration,
                    Panel::Configuration => Panel::Charts,
                };
                self.scroll = 0;
            }
            Action::Left => self.move_cursor(-1),
            Action::Right => self.move_cursor(1),
            Action::Top if self.buckets() > 0 => self.cursor = Some(0),
            Action::Bottom if self.buckets() > 0 => self.cursor = Some(self.buckets() - 1),
            Action::Down if self.panel == Panel::Charts => {
                self.chart = (self.chart + 1) % ChartKind::ALL.len()
            }
            Action::Up if self.panel == Panel::Charts => {
                self.chart = (self.chart + ChartKind::ALL.len() - 1) % ChartKind::ALL.len()
            }
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            _ => {}
        }
        vec![]
    }

    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let plan = self.plan_for(ctx);
        let id = self.id;
        let name = self.name.clone();
        let mut cmds = vec![];
        if self.config.loaded().is_none() {
            self.config = Loadable::Loading;
            cmds.push(
                Job::new(
                    JobKey::new(Owner::Screen(id), Target::Config(name.clone())),
                    Request::Function(
                        name,
                        Box::new(move |r: Result<crate::domain::Function, SourceError>| {
                            Msg::to(id, DashboardMsg::Config(r.map(Box::new)))
                        }),
                    ),
                )
                .joining()
                .into(),
            );
        }
        if !self.same_view(&plan) {
            // Another span or period: the old figures would be drawn on the wrong axis. The
            // cursor stays on the same moment if it is still in view.
            let at = self.plan.zip(self.cursor).map(|(p, c)| p.bucket_start(c));
            self.cursor = at.and_then(|t| plan.bucket_of(t));
            if self.plan.is_some() {
                self.charts = Loadable::Loading;
                self.cold = Loadable::Loading;
                self.analysis = None;
            }
        }
        self.plan = Some(plan);
        cmds.push(self.charts_job(plan));
        if self.cold_due(ctx, &plan) {
            self.cold_asked = Some((ctx.now, plan.window));
            cmds.push(self.cold_job(plan));
        }
        cmds
    }

    fn on_resize(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        if self.same_view(&self.plan_for(ctx)) {
            return vec![];
        }
        self.refresh(ctx)
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
    /// One function's dashboard.
    type Place = String;
    fn open(id: crate::app::jobs::ScreenId, name: String, _: &mut Ctx) -> Self {
        DashboardScreen::new(id, name)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: DashboardMsg) -> Vec<Cmd> {
        match msg {
            DashboardMsg::Config(r) => self.config = r.map(|f| *f).into(),
            DashboardMsg::Charts { plan, result } => {
                if !self.same_view(&plan) {
                    return vec![]; // for a span or period no longer shown
                }
                self.plan = Some(plan);
                keep_or_replace(ctx, &mut self.charts, result, "charts");
            }
            DashboardMsg::ColdStarts { window, result } => {
                if self.plan.map(|p| p.window.len_ms()) != Some(window.len_ms()) {
                    return vec![];
                }
                keep_or_replace(ctx, &mut self.cold, result, "cold starts");
            }
        }
        self.analyse(ctx.now);
        vec![]
    }

    fn on_own(&mut self, ctx: &mut Ctx, action: DashboardAction) -> Vec<Cmd> {
        match action {
            DashboardAction::Mark => self.mark(ctx),
            DashboardAction::SelectSpike => self.select_spike(ctx),
            DashboardAction::PanBack => self.pan(ctx, true),
            DashboardAction::PanForward => self.pan(ctx, false),
            DashboardAction::Traces => {
                ctx.go(Place::Traces(crate::domain::function_filter(&self.name)));
                vec![]
            }
            DashboardAction::Logs => {
                ctx.go(Place::Logs(crate::app::router::LogsPlace {
                    functions: vec![self.name.clone()],
                    invocation: None,
                }));
                vec![]
            }
        }
    }
}

/// A failed refresh keeps the figures it had and says so; a first failure shows in the panel.
fn keep_or_replace<T>(
    ctx: &mut Ctx,
    slot: &mut Loadable<T>,
    result: Result<T, SourceError>,
    what: &str,
) {
    match (result, slot.loaded().is_some()) {
        (Err(e), true) => ctx.error(format!("{what}: {e}; showing the last ones")),
        (r, _) => *slot = r.into(),
    }
}

/// Minutes as "3m", hours as "2h": the period shown next to a chart's counts.
pub fn period_label(plan: &MetricPlan) -> String {
    let m = plan.period_ms() / MINUTE_MS;
    match m {
        m if m % 1440 == 0 => format!("{}d", m / 1440),
        m if m % 60 == 0 => format!("{}h", m / 60),
        m => format!("{m}m"),
    }
}
