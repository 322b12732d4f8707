//! What the alarms screen asks for (DescribeAlarms, once a refresh period while it is open) and
//! what it does with keys and answers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{AlarmsAction, AlarmsMsg, AlarmsScreen, SortKey, keys, view};
use crate::app::commands::CommandId;
use crate::app::jobs::{Job, JobKey, Owner, Request, RequestKind, Target};
use crate::app::keys::Binding;
use crate::app::msg::{Action, Cmd, Msg};
use crate::app::router::{Input, Place, Screen, ScreenBase};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{AlarmKind, Watched};
use crate::ui::theme::Theme;

impl AlarmsScreen {
    /// Rows of the table at this terminal size.
    fn page(ctx: &Ctx) -> usize {
        view::table_height(ctx.size.1.saturating_sub(3)).max(1)
    }

    /// What `enter` does on an alarm: a function's dashboard, else what it watches, in words.
    fn open_selected(&self, ctx: &mut Ctx) {
        let Some(a) = self.selected_alarm() else {
            return ctx.info("no alarm to open");
        };
        let name = crate::ui::format::safe(&a.name).into_owned();
        match (&a.watched, a.kind) {
            (Watched::Function(f), _) => ctx.go(Place::Dashboard(f.clone())),
            (_, AlarmKind::Composite) => ctx.info(format!(
                "{name} is a composite alarm: {}",
                crate::ui::format::safe(a.rule.as_deref().unwrap_or("(no rule)"))
            )),
            (Watched::Nothing, _) => ctx.info(format!(
                "{name} watches {}, not a resource lambdascope opens",
                crate::ui::format::safe(&a.metric_label())
            )),
            (w, _) => ctx.info(format!(
                "{name} watches the {} {}",
                w.kind(),
                crate::ui::format::safe(&w.name())
            )),
        }
    }
}

impl ScreenBase for AlarmsScreen {
    fn title(&self) -> String {
        "Alarms".into()
    }

    fn keymap(&self) -> &'static [&'static [Binding]] {
        keys::KEYS
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        if self.filter.typing().is_some() {
            if let Some(query) = self.filter.key(action) {
                self.set_filter(&query);
            }
            self.scroll_into_view(Self::page(ctx));
            return vec![];
        }
        match action {
            Action::Filter => self.filter.open(),
            Action::Back if !self.filter.is_empty() => self.set_filter(""),
            Action::Back => ctx.back(),
            Action::Enter => self.open_selected(ctx),
            other => {
                if let Some(mv) = other.movement() {
                    self.move_cursor(mv, Self::page(ctx));
                }
            }
        }
        self.scroll_into_view(Self::page(ctx));
        vec![]
    }

    /// Asks again once the screen refresh period has passed (a minute on AWS), or at once
    /// after a failure; a refresh in flight is joined.
    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let failed = matches!(self.alarms, Loadable::Failed(_));
        let due = self
            .asked
            .is_none_or(|at| failed || ctx.now - at >= ctx.policy.screen_every);
        if !due {
            return vec![];
        }
        self.asked = Some(ctx.now);
        let id = self.id;
        let reply = Box::new(move |r| Msg::to(id, AlarmsMsg::Alarms(r)));
        vec![
            Job::new(
                JobKey::new(Owner::Screen(id), Target::Of(RequestKind::Alarms)),
                Request::Alarms(reply),
            )
            .joining()
            .into(),
        ]
    }

    fn on_command(&mut self, ctx: &mut Ctx, id: CommandId, arg: &str) -> Option<Vec<Cmd>> {
        // A column of the functions table is not ours: the functions screen takes it.
        let key = SortKey::parse(arg).filter(|_| id == CommandId::Sort)?;
        self.set_sort(key);
        self.scroll_into_view(Self::page(ctx));
        Some(vec![])
    }

    fn on_resize(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.scroll_into_view(Self::page(ctx));
        vec![]
    }

    fn is_busy(&self) -> bool {
        self.alarms.is_loading()
    }

    fn input(&self) -> Option<Input<'_>> {
        self.filter.input(self.rows.len())
    }

    fn input_summary(&self) -> Option<String> {
        self.filter.summary()
    }

    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget;
        view::AlarmsView {
            screen: self,
            ctx,
            theme,
        }
        .render(area, buf);
    }
}

impl Screen for AlarmsScreen {
    type Msg = AlarmsMsg;
    type Action = AlarmsAction;
    type Place = ();
    fn open(id: crate::app::jobs::ScreenId, _: (), _: &mut Ctx) -> Self {
        AlarmsScreen::new(id)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: AlarmsMsg) -> Vec<Cmd> {
        match msg {
            AlarmsMsg::Alarms(Ok(alarms)) => {
                self.set_alarms(alarms);
                self.loaded_at = Some(ctx.now);
                self.scroll_into_view(Self::page(ctx));
            }
            // A failed refresh keeps the list shown and says so; a first failure fills the
            // screen.
            AlarmsMsg::Alarms(Err(e)) if self.alarms.loaded().is_some() => {
                ctx.error(format!("alarms: {e}; showing the last list"));
            }
            AlarmsMsg::Alarms(Err(e)) => self.alarms = Loadable::Failed(e),
        }
        vec![]
    }

    fn on_own(&mut self, ctx: &mut Ctx, action: AlarmsAction) -> Vec<Cmd> {
        match action {
            AlarmsAction::SortNext => self.sort_next(),
            AlarmsAction::SortReverse => self.set_sort(self.sort),
        }
        self.scroll_into_view(Self::page(ctx));
        vec![]
    }
}
