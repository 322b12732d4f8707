//! What the functions screen does with keys and with news from the catalog.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::state::{Column, FunctionsScreen};
use super::{FunctionsAction, FunctionsMsg, keys, view};
use crate::app::catalog;
use crate::app::commands::CommandId;
use crate::app::jobs::Target;
use crate::app::keys::Binding;
use crate::app::msg::{Action, Cmd};
use crate::app::router::{Input, Place, Screen, ScreenBase};
use crate::app::state::Ctx;
use crate::ui::theme::Theme;
use crate::ui::widgets::cursor::Move;

impl FunctionsScreen {
    /// Rows on screen that have no row figures yet get them; `typed` debounces the request.
    fn fetch_missing(&mut self, ctx: &mut Ctx, typed: bool) -> Vec<Cmd> {
        self.scroll_into_view(ctx.table_rows());
        let names = self.names_on_screen(&ctx.catalog, ctx.table_rows());
        let missing = names
            .iter()
            .any(|n| ctx.catalog.stats.get(n).is_none_or(|s| s.trend.is_none()));
        // Sorted by a figure still on its way, the rows on screen are about to change: wait.
        let settling = self.sort.is_metric()
            && [Target::AccountHealth, Target::AccountInvocations]
                .iter()
                .any(|t| ctx.catalog.loading.contains(t));
        if !missing || settling || ctx.catalog.stats_problem.is_some() {
            return vec![];
        }
        catalog::refresh_rows(ctx, names, typed)
            .into_iter()
            .collect()
    }
}

impl ScreenBase for FunctionsScreen {
    fn title(&self) -> String {
        "Functions".into()
    }

    fn keymap(&self) -> &'static [&'static [Binding]] {
        keys::KEYS
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        if self.filter.typing().is_some() {
            let Some(query) = self.filter.key(action) else {
                return vec![];
            };
            self.set_filter(&ctx.catalog, &query);
            self.offset = 0;
            return self.fetch_missing(ctx, true);
        }
        let page = ctx.table_rows();
        match action {
            Action::Filter => {
                self.filter.open();
                return vec![];
            }
            Action::Back if !self.filter.is_empty() => self.set_filter(&ctx.catalog, ""),
            Action::Enter => {
                if let Some(f) = self.selected_function(&ctx.catalog) {
                    ctx.go(Place::Dashboard(f.name.clone()));
                }
                return vec![];
            }
            other => match other.movement() {
                Some(mv) => self.move_cursor(mv, page),
                None => return vec![],
            },
        }
        self.fetch_missing(ctx, true)
    }

    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.scroll_into_view(ctx.table_rows());
        let names = self.names_on_screen(&ctx.catalog, ctx.table_rows());
        catalog::refresh_rows(ctx, names, false)
            .into_iter()
            .collect()
    }

    fn on_catalog(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.refresh_rows(&ctx.catalog);
        self.fetch_missing(ctx, false)
    }

    fn on_command(&mut self, ctx: &mut Ctx, id: CommandId, arg: &str) -> Option<Vec<Cmd>> {
        if id != CommandId::Sort {
            return None;
        }
        match Column::parse(arg) {
            Some(c) => {
                self.set_sort(&ctx.catalog, c);
                ctx.nav.push(crate::app::router::Nav::Home);
                Some(self.fetch_missing(ctx, true))
            }
            None => {
                ctx.error(format!("no column {arg:?} to sort by"));
                Some(vec![])
            }
        }
    }

    fn on_resize(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.fetch_missing(ctx, true)
    }

    fn is_busy(&self) -> bool {
        false
    }

    fn input(&self) -> Option<Input<'_>> {
        self.filter.input(self.rows.len())
    }

    fn input_summary(&self) -> Option<String> {
        self.filter.summary()
    }

    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget;
        view::FunctionsView {
            screen: self,
            ctx,
            theme,
        }
        .render(area, buf);
    }
}

impl Screen for FunctionsScreen {
    type Msg = FunctionsMsg;
    type Action = FunctionsAction;
    type Place = ();
    fn open(id: crate::app::jobs::ScreenId, _: (), _: &mut Ctx) -> Self {
        FunctionsScreen::new(id)
    }

    fn on_msg(&mut self, _ctx: &mut Ctx, msg: FunctionsMsg) -> Vec<Cmd> {
        match msg {}
    }

    fn on_own(&mut self, ctx: &mut Ctx, action: FunctionsAction) -> Vec<Cmd> {
        match action {
            FunctionsAction::SortNext => {
                let cols: Vec<Column> = Column::sortable().collect();
                let i = cols.iter().position(|c| *c == self.sort).unwrap_or(0);
                self.set_sort(&ctx.catalog, cols[(i + 1) % cols.len()]);
            }
            FunctionsAction::SortReverse => self.set_sort(&ctx.catalog, self.sort),
            FunctionsAction::Overview => {
                ctx.go(Place::Overview(()));
                return vec![];
            }
            FunctionsAction::Traces => {
                if let Some(f) = self.selected_function(&ctx.catalog) {
                    ctx.go(Place::Traces(crate::domain::function_filter(&f.name)));
                }
                return vec![];
            }
            FunctionsAction::Mark => {
                if let Some(name) = self.selected_function(&ctx.catalog).map(|f| f.name.clone())
                    && !self.marked.remove(&name)
                {
                    self.marked.insert(name);
                }
                self.move_cursor(Move::Down, 1);
            }
            FunctionsAction::Logs => {
                let functions: Vec<String> = if self.marked.is_empty() {
                    self.selected_function(&ctx.catalog)
                        .map(|f| vec![f.name.clone()])
                        .unwrap_or_default()
                } else {
                    self.marked.iter().cloned().collect()
                };
                if !functions.is_empty() {
                    ctx.go(Place::Logs(crate::app::router::LogsPlace {
                        functions,
                        invocation: None,
                    }));
                }
                return vec![];
            }
        }
        self.fetch_missing(ctx, true)
    }
}
