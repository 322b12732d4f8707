//! What the trace list asks for and what it does with the answers.
//!
//! A refresh of a finished scan whose window only moved forward scans just the new part (a
//! "top-up") and merges it: GetTraceSummaries is billed per trace scanned, so the list never
//! rescans an hour to learn about one new minute.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::state::{Column, LIST_LIMIT, Scan, ScanStatus, TracesScreen};
use super::{TracesAction, TracesMsg, keys, view};
use crate::app::commands::CommandId;
use crate::app::jobs::{Job, JobKey, Owner, Request, Target};
use crate::app::keys::{Binding, edit};
use crate::app::msg::{Action, Cmd, Msg};
use crate::app::router::{HelpNotes, Input, Place, Screen, ScreenBase};
use crate::app::state::Ctx;
use crate::domain::{SourceError, TimeWindow, TraceCursor, TracePage, TraceQuery, newest_first};
use crate::ui::theme::Theme;

impl TracesScreen {
    /// Rows of traces in view: the table's rows less the line about the window and the
    /// line of a rejected expression.
    pub fn list_height(&self, ctx: &Ctx) -> usize {
        let head = 1 + usize::from(self.rejected.is_some());
        ctx.table_rows().saturating_sub(head).max(1)
    }

    fn query(&self, ctx: &Ctx) -> TraceQuery {
        TraceQuery {
            window: ctx.focus(),
            filter: self.filter.trim().to_string(),
            limit: LIST_LIMIT,
        }
    }

    fn page_job(&self, query: TraceQuery, cursor: TraceCursor) -> Cmd {
        let id = self.id;
        let asked = query.clone();
        Job::new(
            JobKey::new(Owner::Screen(id), Target::TraceList),
            Request::TracePage(
                query,
                cursor,
                Box::new(move |result| {
                    Msg::to(
                        id,
                        TracesMsg::Page {
                            query: asked,
                            result,
                        },
                    )
                }),
            ),
        )
        .joining()
        .into()
    }

    /// Starts scanning `query` from its newest span.
    fn start_scan(&mut self, query: TraceQuery) -> Vec<Cmd> {
        let cmd = self.page_job(query.clone(), TraceCursor::default());
        let old = self.scan.replace(Scan::new(query));
        // A new expression keeps the old list until X-Ray has accepted it.
        if old
            .as_ref()
            .is_some_and(|o| o.query.filter != self.filter.trim())
        {
            self.previous = old;
        }
        self.topup = None;
        self.refresh_rows();
        vec![cmd]
    }

    /// Whole traces for the rows in view that have no cold-start flag yet.
    fn fetch_rows(&mut self, ctx: &Ctx, typed: bool) -> Vec<Cmd> {
        let height = self.list_height(ctx);
        self.scroll_into_view(height);
        let ids = self.unknown_in_view(height);
        if ids.is_empty() {
            return vec![];
        }
        let id = self.id;
        let mut job = Job::new(
            JobKey::new(Owner::Screen(id), Target::TraceRows),
            Request::Traces(
                ids.clone(),
                Box::new(move |r| Msg::to(id, TracesMsg::Rows { ids, result: r })),
            ),
        )
        .joining();
        if typed {
            job = job.debounced(ctx.policy.typing_debounce);
        }
        vec![job.into()]
    }

    fn on_page(
        &mut self,
        ctx: &mut Ctx,
        query: TraceQuery,
        result: Result<TracePage, SourceError>,
    ) -> Vec<Cmd> {
        if self.topup.as_ref().is_some_and(|t| t.query == query) {
            return self.on_topup(ctx, result);
        }
        let Some(scan) = self.scan.as_mut().filter(|s| s.query == query) else {
            return vec![]; // for a query no longer shown
        };
        let page = match result {
            Ok(p) => p,
            Err(SourceError::InvalidFilter(why)) => {
                self.rejected = Some((query.filter.clone(), why));
                // Back to the list of the last expression that worked.
                if let Some(prev) = self.previous.take() {
                    self.filter = prev.query.filter.clone();
                    self.scan = Some(prev);
                } else {
                    scan.status = ScanStatus::Failed(SourceError::InvalidFilter(
                        self.rejected
                            .as_ref()
                            .map(|r| r.1.clone())
                            .unwrap_or_default(),
                    ));
                }
                self.refresh_rows();
                return vec![];
            }
            Err(e) => {
                if scan.pages > 0 {
                    ctx.error(format!("traces: {e}; showing what was found"));
                }
                scan.status = ScanStatus::Failed(e);
                return vec![];
            }
        };
        self.previous = None;
        if self.rejected.as_ref().is_some_and(|r| r.0 == query.filter) {
            self.rejected = None;
        }
        scan.pages += 1;
        scan.summaries.extend(page.summaries);
        let mut cmds = Vec::new();
        match page.next {
            Some(next) if !scan.is_full() => {
                scan.status = ScanStatus::Scanning(next.clone());
                cmds.push(self.page_job(query, next));
            }
            _ => {
                newest_first(&mut scan.summaries, scan.query.limit);
                scan.status = ScanStatus::Done;
            }
        }
        self.refresh_rows();
        cmds.extend(self.fetch_rows(ctx, false));
        cmds
    }

    /// A page of the scan of the minutes since the last one.
    fn on_topup(&mut self, ctx: &mut Ctx, result: Result<TracePage, SourceError>) -> Vec<Cmd> {
        let (Some(top), Some(scan)) = (self.topup.as_mut(), self.scan.as_mut()) else {
            return vec![];
        };
        let page = match result {
            Ok(p) => p,
            Err(e) => {
                // The list stays as it was; the next refresh tries again.
                ctx.error(format!("traces: {e}"));
                self.topup = None;
                return vec![];
            }
        };
        top.summaries.extend(page.summaries);
        if let Some(next) = page.next {
            let q = top.query.clone();
            return vec![self.page_job(q, next)];
        }
        let Some(top) = self.topup.take() else {
            return vec![];
        };
        let window = TimeWindow::new(
            top.query.window.end - scan.query.window.len_ms(),
            top.query.window.end,
        );
        scan.summaries.extend(top.summaries);
        scan.summaries.retain(|s| s.start >= window.start);
        newest_first(&mut scan.summaries, scan.query.limit);
        scan.query.window = window;
        self.refresh_rows();
        self.fetch_rows(ctx, false)
    }

    fn on_expression(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let Some(text) = self.editing.as_mut() else {
            return vec![];
        };
        match action {
            a if edit(text, a) => {}
            Action::InputSubmit => {
                let typed = text.trim().to_string();
                self.editing = None;
                if typed == self.filter.trim() && self.rejected.is_none() {
                    return vec![];
                }
                self.filter = typed;
                self.rejected = None;
                let q = self.query(ctx);
                return self.start_scan(q);
            }
            Action::InputCancel => self.editing = None,
            _ => {}
        }
        vec![]
    }
}

impl ScreenBase for TracesScreen {
    fn title(&self) -> String {
        "Traces".into()
    }

    fn keymap(&self) -> &'static [&'static [Binding]] {
        keys::KEYS
    }

    fn help_notes(&self) -> Option<HelpNotes> {
        Some(("X-Ray filter expressions (f)", keys::EXAMPLES))
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        if self.editing.is_some() {
            return self.on_expression(ctx, action);
        }
        if self.search.typing().is_some() {
            let Some(query) = self.search.key(action) else {
                return vec![];
            };
            self.search.set(&query);
            self.offset = 0;
            self.refresh_rows();
            return self.fetch_rows(ctx, true);
        }
        let page = self.list_height(ctx);
        match action {
            Action::Filter => {
                self.search.open();
                return vec![];
            }
            Action::Back if !self.search.is_empty() => {
                self.search.set("");
                self.refresh_rows();
            }
            Action::Back => {
                ctx.back();
                return vec![];
            }
            Action::Enter => {
                if let Some(t) = self.selected_summary() {
                    ctx.go(Place::Waterfall(t.id.clone()));
                }
                return vec![];
            }
            other => match other.movement() {
                Some(mv) => self.move_cursor(mv, page),
                None => return vec![],
            },
        }
        self.fetch_rows(ctx, true)
    }

    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let query = self.query(ctx);
        let Some(scan) = &self.scan else {
            return self.start_scan(query);
        };
        if scan.query == query || self.topup.is_some() {
            // Nothing new to ask; a scan in flight goes on by itself.
            return if scan.is_scanning() {
                vec![]
            } else {
                self.fetch_rows(ctx, false)
            };
        }
        let (old, new) = (scan.query.window, query.window);
        let moved_on = scan.status == ScanStatus::Done
            && scan.query.filter == query.filter
            && old.len_ms() == new.len_ms()
            && new.end > old.end
            && new.start < old.end;
        if !moved_on {
            return self.start_scan(query);
        }
        let delta = TraceQuery {
            window: TimeWindow::new(old.end, new.end),
            ..query
        };
        self.topup = Some(Scan::new(delta.clone()));
        vec![self.page_job(delta, TraceCursor::default())]
    }

    fn on_command(&mut self, ctx: &mut Ctx, id: CommandId, arg: &str) -> Option<Vec<Cmd>> {
        if id != CommandId::Sort {
            return None;
        }
        match Column::parse(arg) {
            Some(c) => {
                self.set_sort(c);
                Some(self.fetch_rows(ctx, true))
            }
            None => {
                let names: Vec<String> = Column::ALL
                    .iter()
                    .map(|c| c.title().to_ascii_lowercase())
                    .collect();
                ctx.error(format!(
                    "no column {arg:?} to sort traces by; try {}",
                    names.join(", ")
                ));
                Some(vec![])
            }
        }
    }

    fn on_resize(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.fetch_rows(ctx, true)
    }

    fn is_busy(&self) -> bool {
        self.scan.as_ref().is_some_and(Scan::is_scanning) || self.topup.is_some()
    }

    fn input(&self) -> Option<Input<'_>> {
        if let Some(text) = self.editing.as_deref() {
            return Some(Input {
                prompt: "X-Ray filter: ",
                text,
                note: Some("enter runs it · ? shows examples".into()),
            });
        }
        self.search.input(self.rows.len())
    }

    fn input_summary(&self) -> Option<String> {
        self.search.summary()
    }

    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget;
        view::TracesView {
            screen: self,
            ctx,
            theme,
        }
        .render(area, buf);
    }
}

impl Screen for TracesScreen {
    type Msg = TracesMsg;
    type Action = TracesAction;
    /// The trace list, with an X-Ray filter expression filled in.
    type Place = String;
    fn open(id: crate::app::jobs::ScreenId, filter: String, _: &mut Ctx) -> Self {
        TracesScreen::new(id, filter)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: TracesMsg) -> Vec<Cmd> {
        match msg {
            TracesMsg::Page { query, result } => self.on_page(ctx, query, result),
            TracesMsg::Rows { ids, result } => {
                match result {
                    Ok(traces) => {
                        for t in &traces {
                            self.cold.insert(t.id.clone(), Some(t.is_cold()));
                        }
                        // Asked for and not returned: do not ask again.
                        for id in ids {
                            self.cold.entry(id).or_insert(None);
                        }
                        if self.sort == Column::Cold {
                            self.refresh_rows();
                        }
                    }
                    Err(e) => ctx.error(format!("traces: {e}")),
                }
                vec![]
            }
        }
    }

    fn on_own(&mut self, ctx: &mut Ctx, action: TracesAction) -> Vec<Cmd> {
        match action {
            TracesAction::Expression => {
                let text = match &self.rejected {
                    Some((typed, _)) => typed.clone(),
                    None => self.filter.clone(),
                };
                self.editing = Some(text);
                vec![]
            }
            TracesAction::SortNext => {
                let i = Column::ALL
                    .iter()
                    .position(|c| *c == self.sort)
                    .unwrap_or(0);
                self.set_sort(Column::ALL[(i + 1) % Column::ALL.len()]);
                self.fetch_rows(ctx, true)
            }
            TracesAction::SortReverse => {
                self.set_sort(self.sort);
                self.fetch_rows(ctx, true)
            }
        }
    }
}
