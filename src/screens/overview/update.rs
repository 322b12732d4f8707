//! What the overview asks for, and what it does with keys and answers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{
    OverviewAction, OverviewMsg, OverviewScreen, Ranking, keys, ranked, ranking_request,
    series_requests, spark_plan, view,
};
use crate::app::jobs::{Job, JobKey, Owner, Request, Target};
use crate::app::keys::Binding;
use crate::app::msg::{Action, Cmd, Msg};
use crate::app::policy::stale;
use crate::app::router::{Place, Screen, ScreenBase};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{Metric, MetricSeries, SourceError, Statistic};
use crate::ui::theme::Theme;
use crate::ui::widgets::cursor;

impl OverviewScreen {
    fn names(ctx: &Ctx) -> Vec<String> {
        ctx.catalog
            .functions()
            .iter()
            .map(|f| f.name.clone())
            .collect()
    }

    /// The rows of the ranking the cursor is in.
    pub fn rows(&self, ctx: &Ctx, ranking: Ranking) -> Vec<(String, f64)> {
        ranked(
            ranking,
            &ctx.catalog.stats,
            self.p99.loaded().map(Vec::as_slice),
            self.cold.loaded().map(Vec::as_slice),
        )
    }

    fn key(&self, target: Target) -> JobKey {
        JobKey::new(Owner::Screen(self.id), target)
    }
}

impl ScreenBase for OverviewScreen {
    fn title(&self) -> String {
        "Account overview".into()
    }

    fn keymap(&self) -> &'static [&'static [Binding]] {
        &[keys::KEYS]
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let ranking = Ranking::ALL[self.ranking % Ranking::ALL.len()];
        let len = self.rows(ctx, ranking).len();
        match action {
            Action::Back => ctx.back(),
            Action::NextPanel => {
                self.ranking = (self.ranking + 1) % Ranking::ALL.len();
                self.row = 0;
            }
            Action::Up | Action::Down => {
                if let Some(mv) = action.movement() {
                    self.row = cursor::moved(self.row, mv, len, 1);
                }
            }
            Action::Enter => match self.rows(ctx, ranking).get(self.row) {
                Some((name, _)) => ctx.go(Place::Dashboard(name.clone())),
                None => ctx.info(format!("{}: no function to open", ranking.title())),
            },
            _ => {}
        }
        vec![]
    }

    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let window = ctx.focus();
        let live = ctx.incident.is_none();
        let names = Self::names(ctx);
        let id = self.id;
        let mut cmds: Vec<Cmd> = vec![];
        if stale(self.asked, window, live, ctx.now, ctx.policy.overview_every) {
            let plan = spark_plan(window, ctx.now);
            if self
                .plan
                .is_some_and(|p| p.window.len_ms() != plan.window.len_ms())
            {
                self.account = Loadable::Loading;
                self.p99 = Loadable::Loading;
            }
            self.plan = Some(plan);
            self.asked = Some((ctx.now, window));
            let reqs = series_requests(plan, &names, window, ctx.now);
            let reply = Box::new(move |result| Msg::to(id, OverviewMsg::Account { plan, result }));
            cmds.push(
                Job::new(self.key(Target::Overview), Request::MetricSets(reqs, reply))
                    .joining()
                    .into(),
            );
        }
        let every = ctx
            .policy
            .overview_cold_starts_every(window.len_ms(), names.len());
        if !names.is_empty() && stale(self.cold_asked, window, live, ctx.now, every) {
            self.cold_asked = Some((ctx.now, window));
            let req = ranking_request(&names, Metric::ColdStarts, Statistic::Sum, window, ctx.now);
            let reply =
                Box::new(move |result| Msg::to(id, OverviewMsg::ColdStarts { window, result }));
            cmds.push(
                Job::new(
                    self.key(Target::ColdStarts(String::new())),
                    Request::Metrics(req, reply),
                )
                .joining()
                .into(),
            );
        }
        if self.settings.loaded().is_none() {
            self.settings = Loadable::Loading;
            let reply = Box::new(move |r| Msg::to(id, OverviewMsg::Settings(r)));
            cmds.push(
                Job::new(
                    self.key(Target::AccountSettings),
                    Request::AccountSettings(reply),
                )
                .joining()
                .into(),
            );
        }
        cmds
    }

    fn on_catalog(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        // The rankings were asked before the function list arrived: ask now.
        if self.cold_asked.is_none() && !ctx.catalog.functions().is_empty() {
            self.asked = None;
            return self.refresh(ctx);
        }
        vec![]
    }

    fn is_busy(&self) -> bool {
        self.account.is_loading() || self.p99.is_loading() || self.cold.is_loading()
    }

    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget;
        view::OverviewView {
            screen: self,
            ctx,
            theme,
        }
        .render(area, buf);
    }
}

impl Screen for OverviewScreen {
    type Msg = OverviewMsg;
    type Action = OverviewAction;
    type Place = ();
    fn open(id: crate::app::jobs::ScreenId, _: (), _: &mut Ctx) -> Self {
        OverviewScreen::new(id)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: OverviewMsg) -> Vec<Cmd> {
        match msg {
            OverviewMsg::Account { plan, result } => {
                if self
                    .plan
                    .is_some_and(|p| p.window.len_ms() != plan.window.len_ms())
                {
                    return vec![];
                }
                match result {
                    Ok(mut sets) => {
                        if sets.len() > 1 {
                            self.p99 = Loadable::Loaded(sets.pop().unwrap_or_default());
                        }
                        self.account = Loadable::Loaded(sets.pop().unwrap_or_default());
                        self.plan = Some(plan);
                    }
                    Err(e) => failed(ctx, &mut [&mut self.account, &mut self.p99], e),
                }
            }
            OverviewMsg::ColdStarts { result, .. } => match result {
                Ok(s) => self.cold = Loadable::Loaded(s),
                Err(e) => failed(ctx, &mut [&mut self.cold], e),
            },
            OverviewMsg::Settings(r) => self.settings = r.into(),
        }
        vec![]
    }

    fn on_own(&mut self, _ctx: &mut Ctx, action: OverviewAction) -> Vec<Cmd> {
        match action {}
    }
}

/// A failed refresh keeps what was shown and says so; a first failure shows in the panel.
fn failed(ctx: &mut Ctx, slots: &mut [&mut Loadable<Vec<MetricSeries>>], e: SourceError) {
    for slot in slots {
        if slot.loaded().is_some() {
            ctx.error(format!("overview: {e}; showing the last figures"));
        } else {
            **slot = Loadable::Failed(e.clone());
        }
    }
}
