//! What the waterfall asks for, how it moves, and the pivots out of it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::compare::{Compare, CompareStatus, Comparison};
use super::{Pane, WaterfallAction, WaterfallMsg, WaterfallScreen, keys, view};
use crate::app::jobs::{Job, JobKey, Owner, Request, Target};
use crate::app::keys::Binding;
use crate::app::msg::{Action, Cmd, Msg};
use crate::app::router::{LogsPlace, Place, Screen, ScreenBase};
use crate::app::state::{Ctx, Loadable};
use crate::domain::{
    CompactString, HOUR_MS, SourceError, SpanKind, TimeWindow, TraceQuery, Waterfall,
    function_filter,
};
use crate::ui::theme::Theme;
use crate::ui::widgets::cursor::{self, Move};
use crate::ui::widgets::waterfall::label;

/// How many recent successful traces of the route are looked through for a warm one.
const CANDIDATES: usize = 20;
/// BatchGetTraces takes five ids a call: look at candidates five at a time.
const BATCH: usize = 5;

impl WaterfallScreen {
    fn key(&self, target: Target) -> JobKey {
        JobKey::new(Owner::Screen(self.id), target)
    }

    fn load(&self) -> Cmd {
        let id = self.id;
        Job::new(
            self.key(Target::Trace(self.trace_id.clone())),
            Request::Traces(
                vec![self.trace_id.clone()],
                Box::new(move |r| Msg::to(id, WaterfallMsg::Trace(r))),
            ),
        )
        .joining()
        .into()
    }

    fn set_trace(&mut self, w: Waterfall) {
        // A trace fetched again (it was in progress) keeps the selected span and the folds.
        let keep = self
            .waterfall()
            .zip(self.span())
            .map(|(old, i)| old.spans[i].seg.id.clone());
        let folds: Vec<CompactString> = self
            .waterfall()
            .map(|old| {
                old.spans
                    .iter()
                    .zip(&self.folded)
                    .filter(|(_, f)| **f)
                    .map(|(s, _)| s.seg.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        self.folded = w.spans.iter().map(|s| folds.contains(&s.seg.id)).collect();
        let target = keep.and_then(|id| w.spans.iter().position(|s| s.seg.id == id));
        self.name_width = (0..w.spans.len())
            .map(|i| usize::from(w.spans[i].depth) * 2 + 3 + label(&w, i).chars().count())
            .max()
            .unwrap_or(24)
            .min(usize::from(u16::MAX)) as u16;
        self.trace = Loadable::Loaded(Box::new(w));
        self.recompute();
        self.selected = 0;
        if let Some(i) = target {
            self.reveal(i);
        }
    }

    fn recompute(&mut self) {
        if let Some(w) = self.trace.loaded() {
            self.visible = w.visible(&self.folded);
        }
        self.selected = cursor::clamp(self.selected, self.visible.len());
    }

    /// Selects span `i`, unfolding whatever hides it.
    fn reveal(&mut self, i: usize) {
        let Some(w) = self.trace.loaded() else { return };
        let mut a = w.spans.get(i).and_then(|s| s.parent);
        while let Some(p) = a {
            if let Some(f) = self.folded.get_mut(p) {
                *f = false;
            }
            a = w.spans[p].parent;
        }
        self.recompute();
        if let Some(pos) = self.visible.iter().position(|&v| v == i) {
            self.selected = pos;
        }
        self.detail_scroll = 0;
    }

    /// Keeps the selection inside the tree's rows, scrolling as little as possible.
    fn scroll_into_view(&mut self, height: usize) {
        self.offset = cursor::keep_in_view(self.selected, self.offset, self.visible.len(), height);
    }

    fn move_cursor(&mut self, mv: Move, page: usize) {
        self.selected = cursor::moved(self.selected, mv, self.visible.len(), page);
        self.detail_scroll = 0;
    }

    /// The next span after the selected one (before it, when `back`) that satisfies `pick`,
    /// wrapping around; `what` names it when there is none.
    fn jump(&mut self, ctx: &mut Ctx, back: bool, what: &str, pick: impl Fn(usize) -> bool) {
        let Some(w) = self.trace.loaded() else { return };
        let n = w.spans.len();
        let from = self.span().unwrap_or(0);
        let order: Vec<usize> = if back {
            (1..=n).map(|k| (from + n - k) % n).collect()
        } else {
            (1..=n).map(|k| (from + k) % n).collect()
        };
        match order.into_iter().find(|&i| pick(i)) {
            Some(i) => self.reveal(i),
            None => ctx.info(format!("no {what} in this trace")),
        }
    }

    fn toggle_fold(&mut self, i: usize) {
        let has_children = self
            .trace
            .loaded()
            .is_some_and(|w| w.spans[i].has_children(i));
        if has_children && let Some(f) = self.folded.get_mut(i) {
            *f = !*f;
            self.recompute();
        }
    }

    fn left(&mut self) {
        let Some(i) = self.span() else { return };
        let Some(w) = self.trace.loaded() else { return };
        let span = &w.spans[i];
        if span.has_children(i) && !self.folded[i] {
            self.toggle_fold(i);
        } else if let Some(p) = span.parent {
            self.reveal(p);
        }
    }

    fn right(&mut self) {
        let Some(i) = self.span() else { return };
        let Some(w) = self.trace.loaded() else { return };
        if !w.spans[i].has_children(i) {
            return;
        }
        if self.folded[i] {
            self.toggle_fold(i);
        } else {
            self.reveal(i + 1);
        }
    }

    fn fold_all(&mut self) {
        let Some(w) = self.trace.loaded() else { return };
        if self.folded.iter().any(|f| *f) {
            self.folded.iter_mut().for_each(|f| *f = false);
        } else {
            // Keep the root's children in view: fold everything below them.
            for (i, s) in w.spans.iter().enumerate() {
                self.folded[i] = s.depth >= 1 && s.has_children(i);
            }
        }
        let keep = self.span();
        self.recompute();
        // The selection moves to its nearest span still in view.
        if let (Some(mut i), Some(w)) = (keep, self.trace.loaded()) {
            while !self.visible.contains(&i) {
                match w.spans[i].parent {
                    Some(p) => i = p,
                    None => break,
                }
            }
            self.selected = self.visible.iter().position(|&v| v == i).unwrap_or(0);
        }
    }

    /// `L`: the logs of the Lambda invocation the selected span belongs to.
    fn logs(&mut self, ctx: &mut Ctx) {
        let (Some(w), Some(i)) = (self.trace.loaded(), self.span()) else {
            return;
        };
        // The Lambda service segment carries the request id: above the selection, or the first
        // one below it (from an API Gateway stage).
        let lambda = w
            .ancestor(i, &[SpanKind::Lambda])
            .or_else(|| (i..=w.spans[i].last).find(|&j| w.spans[j].kind == SpanKind::Lambda));
        let found = lambda
            .or_else(|| w.ancestor(i, &[SpanKind::Function]))
            .and_then(|j| {
                let s = &w.spans[j].seg;
                Some((
                    s.function_name()?,
                    s.request_id.as_deref()?.to_string(),
                    s.start.div_euclid(1000),
                ))
            });
        match found {
            Some((function, request_id, at)) => ctx.go(Place::Logs(LogsPlace {
                functions: vec![function],
                invocation: Some((request_id, at)),
            })),
            None => ctx.info("no Lambda invocation with a request id in this part of the trace"),
        }
    }

    /// `w`: looks for a warm, successful trace of the same function (and method) nearby.
    fn start_compare(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        if self.compare.take().is_some() {
            return vec![Cmd::Cancel(
                self.key(Target::TraceCompare(self.trace_id.clone())),
            )];
        }
        let Some(w) = self.trace.loaded() else {
            return vec![];
        };
        let function = w
            .spans
            .iter()
            .find(|s| matches!(s.kind, SpanKind::Lambda | SpanKind::Function))
            .and_then(|s| s.seg.function_name());
        let Some(function) = function else {
            ctx.info("this trace ran no Lambda function to compare with");
            return vec![];
        };
        let mut filter = format!("{} AND ok", function_filter(&function));
        let method = w.spans.first().and_then(|s| s.seg.http.method.clone());
        if let Some(m) = &method {
            filter.push_str(&format!(" AND http.method = {m:?}"));
        }
        let at = w.t0.div_euclid(1000);
        let focus = ctx.focus();
        let window = if focus.contains(at) {
            focus
        } else {
            TimeWindow::new(at - HOUR_MS, (at + HOUR_MS).min(ctx.now))
        };
        let route = match method {
            Some(m) => format!("{m} {function}"),
            None => function,
        };
        self.compare = Some(Compare::searching(route));
        let id = self.id;
        vec![
            Job::new(
                self.key(Target::TraceCompare(self.trace_id.clone())),
                Request::TraceSummaries(
                    TraceQuery {
                        window,
                        filter,
                        limit: CANDIDATES,
                    },
                    Box::new(move |r| Msg::to(id, WaterfallMsg::Candidates(r))),
                ),
            )
            .into(),
        ]
    }

    /// Fetches the next five candidates, or gives up.
    fn next_candidates(&mut self) -> Vec<Cmd> {
        let Some(c) = self.compare.as_mut() else {
            return vec![];
        };
        let batch: Vec<String> = c
            .candidates
            .iter()
            .skip(c.checked)
            .take(BATCH)
            .cloned()
            .collect();
        if batch.is_empty() {
            c.status = CompareStatus::NotFound(format!(
                "no warm trace among the {} most recent successful traces of {}",
                c.candidates.len(),
                c.route
            ));
            return vec![];
        }
        c.checked += batch.len();
        let id = self.id;
        vec![
            Job::new(
                self.key(Target::TraceCompare(self.trace_id.clone())),
                Request::Traces(
                    batch,
                    Box::new(move |r| Msg::to(id, WaterfallMsg::CandidateTraces(r))),
                ),
            )
            .into(),
        ]
    }

    fn compare_failed(&mut self, e: SourceError) {
        if let Some(c) = self.compare.as_mut() {
            c.status = CompareStatus::Failed(e);
        }
    }
}

impl ScreenBase for WaterfallScreen {
    fn title(&self) -> String {
        format!("Trace {}", self.trace_id)
    }

    fn keymap(&self) -> &'static [&'static [Binding]] {
        keys::KEYS
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        let page = ctx.table_rows().max(2) as isize / 2;
        if let Some(c) = self.compare.as_mut() {
            match action {
                Action::Down => c.scroll += 1,
                Action::Up => c.scroll = c.scroll.saturating_sub(1),
                Action::PageDown => c.scroll += page as usize,
                Action::PageUp => c.scroll = c.scroll.saturating_sub(page as usize),
                Action::Top => c.scroll = 0,
                Action::Back => return self.start_compare(ctx),
                _ => {}
            }
            return vec![];
        }
        if self.pane == Pane::Detail {
            match action {
                Action::Down => self.detail_scroll += 1,
                Action::Up => self.detail_scroll = self.detail_scroll.saturating_sub(1),
                Action::PageDown => self.detail_scroll += page as usize,
                Action::PageUp => {
                    self.detail_scroll = self.detail_scroll.saturating_sub(page as usize)
                }
                Action::Top => self.detail_scroll = 0,
                Action::NextPanel | Action::Back => self.pane = Pane::Tree,
                _ => {}
            }
            return vec![];
        }
        match action {
            Action::Enter => {
                if let Some(i) = self.span() {
                    self.toggle_fold(i);
                }
            }
            Action::Left => self.left(),
            Action::Right => self.right(),
            Action::NextPanel if self.trace.loaded().is_some() => self.pane = Pane::Detail,
            Action::Back => ctx.back(),
            other => {
                if let Some(mv) = other.movement() {
                    self.move_cursor(mv, page as usize);
                }
            }
        }
        self.scroll_into_view(view::tree_rows(ctx));
        vec![]
    }

    fn on_resize(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.scroll_into_view(view::tree_rows(ctx));
        vec![]
    }

    fn refresh(&mut self, _ctx: &mut Ctx) -> Vec<Cmd> {
        match &self.trace {
            // A trace still in progress may have finished since.
            Loadable::Loaded(w) if !w.spans.iter().any(|s| s.seg.in_progress) => vec![],
            Loadable::Loading => vec![],
            Loadable::Loaded(_) => vec![self.load()],
            Loadable::Idle | Loadable::Failed(_) => {
                self.trace = Loadable::Loading;
                vec![self.load()]
            }
        }
    }

    fn is_busy(&self) -> bool {
        self.trace.is_loading()
            || self
                .compare
                .as_ref()
                .is_some_and(|c| c.status == CompareStatus::Searching)
    }

    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget;
        view::WaterfallView {
            screen: self,
            ctx,
            theme,
        }
        .render(area, buf);
    }
}

impl Screen for WaterfallScreen {
    type Msg = WaterfallMsg;
    type Action = WaterfallAction;
    /// One trace, by id.
    type Place = String;
    fn open(id: crate::app::jobs::ScreenId, trace: String, _: &mut Ctx) -> Self {
        WaterfallScreen::new(id, trace)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: WaterfallMsg) -> Vec<Cmd> {
        match msg {
            WaterfallMsg::Trace(Ok(traces)) => {
                match traces.into_iter().find(|t| t.id == self.trace_id) {
                    Some(t) => self.set_trace(Waterfall::new(t)),
                    None if self.trace.loaded().is_some() => {}
                    None => {
                        self.trace = Loadable::Failed(SourceError::NotFound(format!(
                            "trace {} (X-Ray keeps traces for 30 days, and only sampled requests are traced)",
                            self.trace_id
                        )))
                    }
                }
                vec![]
            }
            WaterfallMsg::Trace(Err(e)) => {
                if self.trace.loaded().is_some() {
                    ctx.error(format!("trace: {e}"));
                } else {
                    self.trace = Loadable::Failed(e);
                }
                vec![]
            }
            WaterfallMsg::Candidates(Ok(summaries)) => {
                let Some(c) = self.compare.as_mut() else {
                    return vec![];
                };
                c.candidates = summaries
                    .into_iter()
                    .filter(|s| s.id != self.trace_id && s.cold_start_annotation() != Some(true))
                    .map(|s| s.id)
                    .collect();
                self.next_candidates()
            }
            WaterfallMsg::CandidateTraces(Ok(traces)) => {
                let Some(this) = self.trace.loaded() else {
                    return vec![];
                };
                let Some(c) = self.compare.as_ref() else {
                    return vec![];
                };
                // In candidate order: the most recent warm one.
                let warm = c
                    .candidates
                    .iter()
                    .filter_map(|id| traces.iter().find(|t| &t.id == id))
                    .find(|t| !t.is_cold())
                    .cloned();
                match warm {
                    Some(t) => {
                        let found = Comparison::new(this, Waterfall::new(t));
                        if let Some(c) = self.compare.as_mut() {
                            c.status = CompareStatus::Found(Box::new(found));
                        }
                        vec![]
                    }
                    None => self.next_candidates(),
                }
            }
            WaterfallMsg::Candidates(Err(e)) | WaterfallMsg::CandidateTraces(Err(e)) => {
                self.compare_failed(e);
                vec![]
            }
        }
    }

    fn on_own(&mut self, ctx: &mut Ctx, action: WaterfallAction) -> Vec<Cmd> {
        if self.compare.is_some() && action != WaterfallAction::Compare {
            return vec![];
        }
        let Some(w) = self.trace.loaded() else {
            return vec![];
        };
        match action {
            WaterfallAction::Slowest => {
                if let Some(i) = w.slowest() {
                    self.reveal(i);
                }
            }
            WaterfallAction::NextError | WaterfallAction::PrevError => {
                let failed: Vec<bool> = w.spans.iter().map(|s| s.seg.failed()).collect();
                let back = action == WaterfallAction::PrevError;
                self.jump(ctx, back, "fault, error or throttle", |i| failed[i]);
            }
            WaterfallAction::NextCritical | WaterfallAction::PrevCritical => {
                let on: Vec<bool> = w.spans.iter().map(|s| s.on_critical_path()).collect();
                let back = action == WaterfallAction::PrevCritical;
                self.jump(ctx, back, "critical path", |i| on[i]);
            }
            WaterfallAction::Compare => return self.start_compare(ctx),
            WaterfallAction::Logs => self.logs(ctx),
            WaterfallAction::FoldAll => self.fold_all(),
        }
        self.scroll_into_view(view::tree_rows(ctx));
        vec![]
    }
}
