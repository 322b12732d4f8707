//! What the map asks for and how the selection moves.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::layout::{Layout, SLOT_LINES};
use super::{MapAction, MapMsg, MapScreen, keys, view};
use crate::app::jobs::{Job, JobKey, Owner, Request, Target};
use crate::app::keys::Binding;
use crate::app::msg::{Action, Cmd, Msg};
use crate::app::router::{Place, Screen, ScreenBase};
use crate::app::state::{Ctx, Loadable};
use crate::ui::theme::Theme;
use crate::ui::widgets::cursor;

impl MapScreen {
    fn graph_job(&self, window: crate::domain::TimeWindow) -> Cmd {
        let id = self.id;
        Job::new(
            JobKey::new(Owner::Screen(id), Target::ServiceGraph),
            Request::ServiceGraph(
                window,
                Box::new(move |result| Msg::to(id, MapMsg::Graph { window, result })),
            ),
        )
        .joining()
        .into()
    }

    /// The node and kind selected, to find it again after a new layout.
    fn selected_key(&self) -> Option<(String, String)> {
        let g = self.graph.loaded()?;
        let p = self.layout.places.get(self.selected)?;
        let n = &g.services[p.node];
        Some((n.name.clone(), n.kind.clone()))
    }

    fn relayout(&mut self) {
        let keep = self.selected_key();
        let Some(g) = self.graph.loaded() else { return };
        self.layout = Layout::new(g, self.collapsed);
        self.selected = keep
            .and_then(|(name, kind)| {
                self.layout.places.iter().position(|p| {
                    let n = &g.services[p.node];
                    n.name == name && n.kind == kind
                })
            })
            .unwrap_or(0);
    }

    /// Scrolls as little as possible to keep the selected node in view.
    fn scroll_into_view(&mut self, ctx: &Ctx) {
        let Some(p) = self.layout.places.get(self.selected) else {
            return;
        };
        let (width, height) = view::canvas_size(ctx);
        let slots = (height / SLOT_LINES).max(1) as usize;
        if p.slot < self.top {
            self.top = p.slot;
        } else if p.slot >= self.top + slots {
            self.top = p.slot + 1 - slots;
        }
        let x = self.layout.column_x[p.column];
        let w = self.layout.column_w[p.column];
        if x < self.left {
            self.left = x;
        } else if x + w > self.left + width {
            self.left = (x + w).saturating_sub(width);
        }
    }
}

impl ScreenBase for MapScreen {
    fn title(&self) -> String {
        "Service map".into()
    }

    fn keymap(&self) -> &'static [&'static [Binding]] {
        &[keys::KEYS]
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let len = self.layout.places.len();
        match action {
            Action::Up | Action::Down | Action::Top | Action::Bottom => {
                if let Some(mv) = action.movement() {
                    self.selected = cursor::moved(self.selected, mv, len, 1);
                }
            }
            Action::Left => {
                if let Some(p) = self.layout.places.get(self.selected).and_then(|p| p.parent) {
                    self.selected = p;
                }
            }
            Action::Right => {
                if let Some(&c) = self
                    .layout
                    .places
                    .get(self.selected)
                    .and_then(|p| p.children.first())
                {
                    self.selected = c;
                }
            }
            Action::Enter => {
                let node = self
                    .graph
                    .loaded()
                    .zip(self.layout.places.get(self.selected))
                    .map(|(g, p)| &g.services[p.node]);
                match node {
                    Some(n) if n.is_client() => ctx.info(
                        "the client stands for callers X-Ray has no segments of; pick a service",
                    ),
                    Some(n) => ctx.go(Place::Traces(format!(
                        "service(id(name: {:?}, type: {:?}))",
                        n.name, n.kind
                    ))),
                    None => {}
                }
                return vec![];
            }
            Action::Back => {
                ctx.back();
                return vec![];
            }
            _ => return vec![],
        }
        self.scroll_into_view(ctx);
        vec![]
    }

    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let window = ctx.focus();
        if self.window == Some(window) && !matches!(self.graph, Loadable::Failed(_)) {
            return vec![];
        }
        if self.graph.loaded().is_none() {
            self.graph = Loadable::Loading;
        }
        self.window = Some(window);
        vec![self.graph_job(window)]
    }

    fn on_resize(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.scroll_into_view(ctx);
        vec![]
    }

    fn is_busy(&self) -> bool {
        self.graph.is_loading()
    }

    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget;
        view::MapView {
            screen: self,
            ctx,
            theme,
        }
        .render(area, buf);
    }
}

impl Screen for MapScreen {
    type Msg = MapMsg;
    type Action = MapAction;
    type Place = ();
    fn open(id: crate::app::jobs::ScreenId, _: (), ctx: &mut Ctx) -> Self {
        // Narrower terminals fold each Lambda service node into its function.
        MapScreen::new(id, ctx.size.0 < 160)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: MapMsg) -> Vec<Cmd> {
        let MapMsg::Graph { window, result } = msg;
        if Some(window) != self.window {
            return vec![];
        }
        match result {
            Ok(g) => {
                self.graph = Loadable::Loaded(g);
                self.relayout();
                self.scroll_into_view(ctx);
            }
            Err(e) if self.graph.loaded().is_some() => {
                ctx.error(format!("service map: {e}; showing the last one"))
            }
            Err(e) => self.graph = Loadable::Failed(e),
        }
        vec![]
    }

    fn on_own(&mut self, ctx: &mut Ctx, action: MapAction) -> Vec<Cmd> {
        match action {
            MapAction::Collapse => {
                self.collapsed = !self.collapsed;
                self.relayout();
                self.scroll_into_view(ctx);
            }
        }
        vec![]
    }
}
