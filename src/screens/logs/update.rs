//! What the Logs screen asks for and what it does with keys and answers.

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::error_groups::{self, ErrorGroups};
use super::insights::{self, InsightsState, Run};
use super::insights_mode;
use super::rows::Row;
use super::save::{self, Saving};
use super::search::{self, Matcher, Query};
use super::{
    History, LogsAction, LogsMsg, LogsScreen, Mode, SearchState, Stamps, TailInfo, keys, view,
};
use crate::app::commands::CommandId;
use crate::app::files;
use crate::app::jobs::{Delivery, Job, JobKey, Owner, Request, ScreenId, Target};
use crate::app::keys::{Binding, edit};
use crate::app::msg::{Action, COPY_LIMIT, Cmd, Msg};
use crate::app::router::{Input, LogsPlace, Place, Screen, ScreenBase};
use crate::app::state::Ctx;
use crate::domain::{
    InsightsQuery, InsightsUpdate, LogQuery, MAX_INSIGHTS_GROUPS, MAX_TAILED_GROUPS, MINUTE_MS,
    TAIL_OVERLAP_MS, TailRequest, TailUpdate, TimeWindow,
};
use crate::model::logs::{FunctionMap, Kind, LogBuffer};
use crate::parse::lambda::Level;
use crate::parse::sanitize;
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::cursor;

/// Events per history page.
const PAGE: usize = 500;
/// A window that ends this close to now is live: the tail follows it.
const LIVE_SLACK_MS: i64 = 2 * MINUTE_MS;
/// Around an invocation opened from a trace.
const AROUND_INVOCATION_MS: i64 = 15 * MINUTE_MS;

impl LogsScreen {
    pub fn new(id: ScreenId, place: LogsPlace, ctx: &Ctx) -> LogsScreen {
        // An invocation (from a trace): read forward from just before it started, so its lines
        // are in the first page whatever happened around it.
        let window = match &place.invocation {
            Some((_, at)) => TimeWindow::new(
                at - MINUTE_MS,
                (at + AROUND_INVOCATION_MS).min(ctx.now.max(at + MINUTE_MS)),
            ),
            None => ctx.focus(),
        };
        let live = place.invocation.is_none() && ctx.now - window.end <= LIVE_SLACK_MS;
        LogsScreen {
            id,
            pending_invocation: place.invocation.as_ref().map(|(r, _)| r.clone()),
            place,
            functions: vec![],
            groups: vec![],
            window,
            live,
            server_filter: String::new(),
            buffer: LogBuffer::default().with_memory(ctx.log_memory.clone()),
            rows: VecDeque::new(),
            cursor: 0,
            top: 0,
            following: live,
            folded: true,
            expanded: HashSet::new(),
            open_lines: HashSet::new(),
            wrap: false,
            stamps: Stamps::Absolute,
            level: None,
            errors_only: false,
            only_invs: None,
            search: SearchState::default(),
            history: History::default(),
            tail: TailInfo::default(),
            mode: Mode::Lines,
            insights: InsightsState::default(),
            error_groups: ErrorGroups::default(),
            height: usize::from(ctx.size.1.saturating_sub(5)).max(1),
        }
    }

    fn key(&self, target: Target) -> JobKey {
        JobKey::new(Owner::Screen(self.id), target)
    }

    fn label(&self) -> String {
        match self.functions.as_slice() {
            [] => "no functions".into(),
            [one] => one.clone(),
            many if self.place.functions.is_empty() => format!("all {} functions", many.len()),
            many => many.join(", "),
        }
    }

    /// Resolves names to groups from the catalog (every function when none were named).
    fn resolve(&mut self, ctx: &Ctx) -> bool {
        let fns = ctx.catalog.functions();
        if fns.is_empty() && !self.place.functions.is_empty() {
            // Not listed yet: the default group of each name.
            self.functions = self.place.functions.clone();
        } else if self.place.functions.is_empty() {
            self.functions = fns.iter().map(|f| f.name.clone()).collect();
        } else {
            self.functions = self.place.functions.clone();
        }
        let (map, groups) = FunctionMap::of(&self.functions, fns);
        self.buffer.function_map = map;
        let changed = groups != self.groups;
        self.groups = groups;
        changed
    }

    /// The first page (newest first) and the tail.
    fn start(&mut self) -> Vec<Cmd> {
        if self.groups.is_empty() {
            return vec![];
        }
        self.history.loading = true;
        let mut cmds = vec![self.page_job(None, false)];
        if self.live {
            cmds.push(self.tail_job());
        }
        cmds
    }

    /// A page: the newest (no token), an older one, or (around an invocation) the next newer.
    fn page_job(&self, token: Option<String>, older: bool) -> Cmd {
        let id = self.id;
        let around = self.place.invocation.is_some();
        let q = LogQuery {
            log_groups: self.groups.clone(),
            window: self.window,
            filter_pattern: self.server_filter.clone(),
            limit: if around { 4 * PAGE } else { PAGE },
            newest_first: !around,
            next_token: token,
        };
        Job::new(
            self.key(Target::LogPage(self.label())),
            Request::Logs(
                q,
                Box::new(move |result| Msg::to(id, LogsMsg::Page { older, result })),
            ),
        )
        .into()
    }

    fn tail_job(&self) -> Cmd {
        let id = self.id;
        // Ten groups a Live Tail session, five sessions at most; the header says when more
        // groups than that are shown. It starts a little before the page's end, so an event
        // ingested late is read by one or the other (the buffer drops what both read).
        let req = TailRequest {
            log_groups: self.tailed_groups().to_vec(),
            filter_pattern: self.server_filter.clone(),
            since: Some(self.tail_from() - TAIL_OVERLAP_MS),
        };
        Job::new(
            self.key(Target::Tail(self.label())),
            Request::Tail(req, Box::new(move |d| Msg::to(id, LogsMsg::Tail(d)))),
        )
        .into()
    }

    /// Where the tail starts: the end of the first page, or the newest event it delivered
    /// before it stopped.
    fn tail_from(&self) -> i64 {
        self.tail
            .newest
            .map_or(self.window.end, |(t, _)| t.max(self.window.end))
    }

    /// The groups the tail follows: all of them, up to what one tail can follow.
    pub fn tailed_groups(&self) -> &[String] {
        &self.groups[..self.groups.len().min(MAX_TAILED_GROUPS)]
    }

    /// Names a group that cannot be read, once (status line and header); `None` clears it.
    fn group_problem(&mut self, ctx: &mut Ctx, group: String, problem: Option<String>) {
        match problem {
            Some(why) => {
                if self.tail.unreadable.get(&group) != Some(&why) {
                    ctx.info(format!("{}: {}", format::safe(&group), format::safe(&why)));
                    self.tail.unreadable.insert(group, why);
                }
            }
            None => {
                self.tail.unreadable.remove(&group);
            }
        }
    }

    fn body_height(&self, ctx: &Ctx) -> usize {
        usize::from(ctx.size.1.saturating_sub(5)).max(1)
    }

    // -----------------------------------------------------------------------------------------
    // Moving

    fn move_to(&mut self, row: usize) {
        self.cursor = cursor::clamp(row, self.rows.len());
        self.following = false;
        self.clamp();
    }

    /// Up past the first row loads an older page.
    fn up(&mut self, by: usize) -> Vec<Cmd> {
        let at_top = self.cursor == 0;
        self.move_to(self.cursor.saturating_sub(by));
        if at_top { self.load_older() } else { vec![] }
    }

    fn load_older(&mut self) -> Vec<Cmd> {
        if self.history.loading {
            return vec![];
        }
        let Some(token) = self.history.token.clone() else {
            return vec![];
        };
        if self.buffer.is_full() {
            self.history.full = true;
            return vec![];
        }
        self.history.loading = true;
        vec![self.page_job(Some(token), true)]
    }

    fn bottom(&mut self) {
        self.following = true;
        self.cursor = self.rows.len().saturating_sub(1);
        self.clamp();
    }

    /// The next row (after the cursor) whose invocation or line satisfies `pick`.
    fn jump(&mut self, ctx: &mut Ctx, what: &str, pick: impl Fn(&LogsScreen, Row) -> bool) {
        let n = self.rows.len();
        let found = (1..=n)
            .map(|k| (self.cursor + k) % n.max(1))
            .find(|&i| self.rows.get(i).is_some_and(|r| pick(self, *r)));
        match found {
            Some(i) => self.move_to(i),
            None => ctx.info(format!("no {what} in what is loaded")),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Search

    fn on_search_input(&mut self, action: Action) -> Vec<Cmd> {
        let Some(text) = self.search.input.as_mut() else {
            return vec![];
        };
        match action {
            a if edit(text, a) => {
                let q = text.clone();
                self.set_query(q)
            }
            Action::InputSubmit => {
                self.search.input = None;
                if let Some(&m) = self
                    .search
                    .matches
                    .iter()
                    .find(|&&q| self.rows.get(self.cursor).and_then(|r| r.seq(self)) <= Some(q))
                {
                    self.select_seq(m);
                }
                vec![]
            }
            Action::InputCancel => {
                self.search.input = None;
                self.set_query(String::new())
            }
            _ => vec![],
        }
    }

    /// A new query: compiled at once (a bad regex says so inline), narrowed over the previous
    /// matches when it can only narrow them, else scanned in the background. The latest wins.
    fn set_query(&mut self, text: String) -> Vec<Cmd> {
        let query = Query {
            mode: self.search.mode,
            text,
        };
        let generation = self.search.generation.fetch_add(1, Ordering::Relaxed) + 1;
        if query.text.is_empty() {
            self.search.query = query;
            self.search.matcher = None;
            self.search.matches.clear();
            self.search.error = None;
            self.search.running = false;
            self.rebuild_rows();
            return vec![Cmd::Cancel(self.key(Target::Search))];
        }
        let matcher = match Matcher::new(query.mode, &query.text) {
            Ok(m) => m,
            Err(e) => {
                // Keep the last good matches; say what is wrong.
                self.search.error = Some(e);
                return vec![];
            }
        };
        self.search.error = None;
        let narrows = !self.search.running && query.narrows(&self.search.query);
        self.search.query = query.clone();
        self.search.matcher = Some(matcher.clone());
        if narrows {
            self.search.matches = search::narrow(&self.buffer, &self.search.matches, &matcher);
            self.after_matches();
            return vec![];
        }
        self.search.running = true;
        let snapshot = self.buffer.snapshot();
        let counter = Arc::clone(&self.search.generation);
        let id = self.id;
        let work = Box::new(move || {
            let found = search::scan(&snapshot, &matcher, &counter, generation);
            Msg::to(id, LogsMsg::Searched { query, found })
        });
        vec![
            Job::new(
                self.key(Target::Search),
                Request::Work("search".into(), work),
            )
            .into(),
        ]
    }

    fn after_matches(&mut self) {
        if self.search.only {
            self.rebuild_rows();
        }
    }

    fn select_seq(&mut self, seq: i64) {
        let pos = self.rows.iter().position(|r| {
            r.seq(self) == Some(seq)
                || (matches!(r, Row::Inv(_))
                    && r.inv(self).is_some()
                    && self.buffer.line(seq).map(|(l, _)| l.inv) == r.inv(self))
        });
        if let Some(i) = pos {
            self.move_to(i);
        }
    }

    fn next_match(&mut self, ctx: &mut Ctx, forward: bool) {
        if self.search.matches.is_empty() {
            ctx.info("no matches");
            return;
        }
        let here = self.rows.get(self.cursor).and_then(|r| r.seq(self));
        let here_inv = self.rows.get(self.cursor).and_then(|r| r.inv(self));
        let m = &self.search.matches;
        let pick = if forward {
            m.iter()
                .copied()
                .find(|&q| {
                    Some(q) > here
                        && self.buffer.line(q).map(|(l, _)| l.inv)
                            != here_inv.or(Some(u32::MAX - 1))
                })
                .or_else(|| m.iter().copied().find(|&q| Some(q) > here))
                .or(m.first().copied())
        } else {
            m.iter()
                .rev()
                .copied()
                .find(|&q| Some(q) < here)
                .or(m.last().copied())
        };
        if let Some(q) = pick {
            self.select_seq(q);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Take it with you

    /// The text under the cursor: a line, or a whole invocation.
    fn selection_text(&self) -> Option<(String, &'static str)> {
        let row = *self.rows.get(self.cursor)?;
        match row {
            Row::Inv(id) => {
                let text: Vec<String> = self
                    .buffer
                    .inv_lines(id)
                    .into_iter()
                    .map(|q| self.buffer.text(q).into_owned())
                    .collect();
                Some((text.join("\n"), "invocation"))
            }
            Row::Line(q) | Row::Child(q) => Some((self.buffer.text(q).into_owned(), "line")),
        }
    }

    /// `y` copies the text escaped as the screen shows it, safe to paste into a shell (a line
    /// can hold ESC, CR or the end of a bracketed paste); `Y` copies it as it is.
    fn copy(&self, ctx: &mut Ctx, escaped: bool) -> Vec<Cmd> {
        let Some((raw, what)) = self.selection_text() else {
            ctx.info("nothing to copy");
            return vec![];
        };
        let (text, how) = if escaped {
            (sanitize::escape_plain_lines(&raw), "escaped")
        } else {
            (raw, "raw")
        };
        if text.len() > COPY_LIMIT {
            ctx.error(format!(
                "too large to copy ({} bytes; OSC 52 carries at most {} KB): save it with s",
                text.len(),
                COPY_LIMIT / 1000
            ));
            return vec![];
        }
        ctx.info(format!(
            "copied the {what} ({} bytes, {how}) through OSC 52",
            text.len()
        ));
        vec![Cmd::Copy(text)]
    }

    /// What `s` saves: the lines on screen under the filters, else every line held. Only
    /// shared segments and line numbers are taken here; the text is built off the loop.
    fn saving(&self) -> Saving {
        let picked = self.filtering().then(|| {
            self.rows
                .iter()
                .flat_map(|r| match *r {
                    Row::Inv(id) => self.buffer.inv_lines(id),
                    Row::Line(q) | Row::Child(q) => vec![q],
                })
                .collect()
        });
        Saving {
            segments: self.buffer.snapshot(),
            functions: self.buffer.functions.clone(),
            picked,
        }
    }

    fn trace_under_cursor(&self) -> Option<String> {
        let row = *self.rows.get(self.cursor)?;
        if let Some(id) = row.inv(self)
            && let Some(t) = self.buffer.inv(id).and_then(|i| i.trace_id.clone())
        {
            return Some(t.into());
        }
        let seq = row.seq(self)?;
        match crate::parse::lambda::classify(&self.buffer.text(seq)) {
            crate::parse::lambda::LogLine::Report(r) => r.trace_id.map(Cow::into_owned),
            crate::parse::lambda::LogLine::App(a) => a.trace_id.map(Cow::into_owned),
            _ => None,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Insights

    fn run_insights(&mut self, ctx: &mut Ctx, query: String) -> Vec<Cmd> {
        if self.groups.is_empty() {
            ctx.error("no log groups to query");
            return vec![];
        }
        self.insights.remember(&query);
        self.insights.query = Some(query.clone());
        self.insights.run = Run::Running(Default::default());
        self.insights.sort = None;
        self.insights.scroll = 0;
        self.mode = Mode::Insights;
        let id = self.id;
        // The whole window on the server (wider than what is loaded).
        if self.groups.len() > MAX_INSIGHTS_GROUPS {
            ctx.info(format!(
                "Logs Insights reads at most {MAX_INSIGHTS_GROUPS} groups a query: querying the first {MAX_INSIGHTS_GROUPS} of {} (narrow with :logs NAME…)",
                self.groups.len()
            ));
        }
        let q = InsightsQuery {
            log_groups: self
                .groups
                .iter()
                .take(MAX_INSIGHTS_GROUPS)
                .cloned()
                .collect(),
            query,
            window: TimeWindow::new(self.window.start, self.window.end.max(ctx.now)),
        };
        vec![
            Job::new(
                self.key(Target::Insights(self.label())),
                Request::Insights(q, Box::new(move |d| Msg::to(id, LogsMsg::Insights(d)))),
            )
            .into(),
        ]
    }

    fn on_insights_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        match self.insights.on_action(action) {
            insights_mode::Outcome::Stay => vec![],
            insights_mode::Outcome::Run(q) => self.run_insights(ctx, q),
            insights_mode::Outcome::Stop => {
                vec![Cmd::Cancel(self.key(Target::Insights(self.label())))]
            }
            insights_mode::Outcome::Leave => {
                self.mode = Mode::Lines;
                vec![]
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Error groups

    /// Groups the buffer's errors again while they are shown.
    fn refresh_error_groups(&mut self, now: i64) {
        if self.mode == Mode::ErrorGroups {
            self.error_groups.refresh(&self.buffer, now);
        }
    }

    fn on_errors_action(&mut self, action: Action) -> Vec<Cmd> {
        match self.error_groups.on_action(action) {
            error_groups::Outcome::Stay => {}
            error_groups::Outcome::Leave => self.mode = Mode::Lines,
            error_groups::Outcome::Open(example, invs) => {
                self.only_invs = Some((example, invs));
                self.mode = Mode::Lines;
                self.following = false;
                self.rebuild_rows();
                self.cursor = 0;
                self.clamp();
            }
        }
        vec![]
    }

    // -----------------------------------------------------------------------------------------
    // Answers

    fn on_page(
        &mut self,
        ctx: &mut Ctx,
        older: bool,
        result: Result<crate::domain::LogPage, crate::domain::SourceError>,
    ) -> Vec<Cmd> {
        self.history.loading = false;
        let page = match result {
            Ok(p) => p,
            Err(e) => {
                ctx.error(format!("logs: {e}"));
                self.history.error = Some(e);
                self.history.loaded = true;
                return vec![];
            }
        };
        self.history.error = None;
        self.history.loaded = true;
        for (group, why) in page.unreadable.iter().cloned() {
            self.group_problem(ctx, group, Some(why));
        }
        let around = self.place.invocation.is_some();
        // Around an invocation pages read forward: there is nothing older to offer, and newer
        // pages follow until the invocation has come (a few at most).
        self.history.token = page.next_token.clone().filter(|_| !around);
        let forward = page.next_token.filter(|_| {
            around && self.pending_invocation.is_some() && self.buffer.len() < 20 * PAGE
        });
        // The newest page can come after the tail's first events: it is older than them all,
        // so it goes above (pages read forward around an invocation go below).
        let above = older || (!around && !self.buffer.is_empty());
        if above {
            if !self.buffer.prepend(&page.events) {
                self.history.full = true;
                ctx.info(format!(
                    "the buffer holds {} lines: older lines are not loaded",
                    self.buffer.capacity
                ));
                return vec![];
            }
            if self.search.matcher.is_some() {
                self.rescan_edges();
            }
            self.rows_after_prepend();
        } else {
            let from = self.buffer.end_seq();
            let appended = self.buffer.append(&page.events);
            for g in &page.gaps {
                self.buffer.append_gap(*g, "");
            }
            self.rows_after_append(from, &appended);
        }
        for g in &page.gaps {
            ctx.error(format!(
                "not fetched: {}–{} (too many events to page through)",
                crate::ui::format::time_of_day(g.start),
                crate::ui::format::time_of_day(g.end)
            ));
        }
        self.open_pending();
        match forward {
            Some(token) if self.pending_invocation.is_some() => {
                self.history.loading = true;
                vec![self.page_job(Some(token), false)]
            }
            _ => {
                if let Some(rid) = self.pending_invocation.take().filter(|_| around) {
                    ctx.error(format!(
                        "request {} is not in the logs around its time",
                        format::safe(&rid)
                    ));
                }
                vec![]
            }
        }
    }

    /// Lines added above or below a search's snapshot are checked one by one.
    fn rescan_edges(&mut self) {
        let Some(m) = self.search.matcher.clone() else {
            return;
        };
        let first_match = self.search.matches.first().copied();
        let last_match = self.search.matches.last().copied();
        let _ = (first_match, last_match);
        self.search.matches = search::scan_range(
            &self.buffer,
            self.buffer.first_seq(),
            self.buffer.end_seq(),
            &m,
        );
    }

    fn on_tail(&mut self, ctx: &mut Ctx, d: Delivery<TailUpdate>) -> Vec<Cmd> {
        match d {
            Delivery::Item(TailUpdate::Events(events)) => {
                self.tail.interrupted = None;
                let from = self.buffer.end_seq();
                let appended = self.buffer.append(&events);
                // Rate and lag count what is new: the tail's overlap re-reads what the first
                // page already showed.
                if let Some(last) = events.iter().map(|e| e.timestamp).max()
                    && appended.lines > 0
                {
                    let newest = self.tail.newest.map_or(last, |(t, _)| t.max(last));
                    self.tail.newest = Some((newest, ctx.now));
                    self.tail.lag = Some((ctx.now - last).max(0));
                    self.tail.recent.push_back((ctx.now, appended.lines));
                    while self.tail.recent.len() > 64 {
                        self.tail.recent.pop_front();
                    }
                }
                if let Some(m) = self.search.matcher.clone() {
                    let new = search::scan_range(&self.buffer, from, self.buffer.end_seq(), &m);
                    self.search.matches.extend(new);
                }
                self.rows_after_append(from, &appended);
                self.open_pending();
            }
            Delivery::Item(TailUpdate::Interrupted { reason, retry_in }) => {
                self.tail.interrupted = Some(format!(
                    "{reason}; retrying in {}s",
                    retry_in.as_secs().max(1)
                ));
            }
            Delivery::Item(TailUpdate::Sampled(on)) => self.tail.sampled = on,
            Delivery::Item(TailUpdate::Mode(m)) => {
                // Only a Live Tail session samples, and the next one says so again.
                self.tail.sampled = false;
                self.tail.mode = Some(m);
            }
            Delivery::Item(TailUpdate::Group { group, problem }) => {
                self.group_problem(ctx, group, problem)
            }
            Delivery::Item(TailUpdate::Gap { group, window }) => {
                self.tail.gaps += 1;
                let from = self.buffer.end_seq();
                self.buffer
                    .append_gap(window, &format!(" in {group} (the tail caught up past it)"));
                self.rows_after_append(from, &Default::default());
            }
            Delivery::Dropped(n) => self.tail.dropped += n,
            Delivery::Ended(Ok(())) => self.tail.ended = Some("the tail ended".into()),
            Delivery::Ended(Err(e)) => {
                ctx.error(format!("tail: {e}"));
                self.tail.ended = Some(e.to_string());
            }
        }
        vec![]
    }

    /// Opens the invocation asked for (from a trace) once its lines are here.
    fn open_pending(&mut self) {
        let Some(rid) = self.pending_invocation.clone() else {
            return;
        };
        if let Some(id) = self.buffer.inv_by_request(&rid) {
            self.pending_invocation = None;
            self.expanded.insert(id);
            self.following = false;
            self.rebuild_rows();
            if let Some(i) = self.rows.iter().position(|r| *r == Row::Inv(id)) {
                self.move_to(i);
            }
        }
    }
}

impl ScreenBase for LogsScreen {
    fn title(&self) -> String {
        format!("Logs {}", self.label())
    }

    fn keymap(&self) -> &'static [&'static [Binding]] {
        match self.mode {
            Mode::Lines => keys::KEYS,
            Mode::Insights => &[keys::INSIGHTS],
            Mode::ErrorGroups => &[keys::ERRORS],
        }
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        self.height = self.body_height(ctx);
        match self.mode {
            Mode::Insights => return self.on_insights_action(ctx, action),
            Mode::ErrorGroups => return self.on_errors_action(action),
            Mode::Lines => {}
        }
        if self.search.input.is_some() {
            return self.on_search_input(action);
        }
        let page = self.height.max(1);
        match action {
            Action::Up => return self.up(1),
            Action::PageUp => return self.up(page),
            Action::Down => self.move_to(self.cursor + 1),
            Action::PageDown => self.move_to(self.cursor + page),
            Action::Top => {
                self.move_to(0);
                return self.load_older();
            }
            Action::Bottom => self.bottom(),
            Action::Enter => match self.rows.get(self.cursor).copied() {
                Some(Row::Inv(id)) => {
                    if !self.expanded.remove(&id) {
                        self.expanded.insert(id);
                    }
                    let keep = self.following;
                    self.rebuild_rows();
                    self.following = keep;
                    if let Some(i) = self.rows.iter().position(|r| *r == Row::Inv(id)) {
                        self.cursor = i;
                        self.clamp();
                    }
                }
                Some(Row::Line(q) | Row::Child(q)) if !self.open_lines.remove(&q) => {
                    self.open_lines.insert(q);
                }
                Some(Row::Line(_) | Row::Child(_)) => {}
                None => {}
            },
            Action::Filter => self.search.input = Some(self.search.query.text.clone()),
            Action::Back => {
                if self.only_invs.take().is_some() {
                    self.rebuild_rows();
                } else if self.search.matcher.is_some() {
                    return self.set_query(String::new());
                } else {
                    ctx.back();
                }
            }
            _ => {}
        }
        vec![]
    }

    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.height = self.body_height(ctx);
        let failed = self.history.error.is_some() && self.buffer.is_empty();
        if self.groups.is_empty() || (!self.history.loaded && !self.history.loading) || failed {
            self.resolve(ctx);
            return self.start();
        }
        // A live screen keeps its tail, or takes it up again where it stopped when it was
        // covered; nothing else needs asking again.
        self.refresh_error_groups(ctx.now);
        if self.tail.paused {
            self.tail.paused = false;
            return vec![self.tail_job()];
        }
        vec![]
    }

    fn on_covered(&mut self, _ctx: &mut Ctx) -> Vec<Cmd> {
        // A covered Logs screen stops tailing: one Live Tail session (and one growing buffer)
        // for the screen in view, not one per screen stacked below it.
        if !self.live || self.tail.paused || self.groups.is_empty() {
            return vec![];
        }
        self.tail.paused = true;
        vec![Cmd::Cancel(self.key(Target::Tail(self.label())))]
    }

    fn on_catalog(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        // The groups are known better now (custom LoggingConfig groups): start over if they moved.
        if self.history.loaded || self.history.loading {
            let before = self.groups.clone();
            if self.resolve(ctx) && !before.is_empty() {
                let place = self.place.clone();
                *self = LogsScreen::new(self.id, place, ctx);
                self.resolve(ctx);
                return self.start();
            }
            return vec![];
        }
        self.resolve(ctx);
        self.start()
    }

    fn on_command(&mut self, ctx: &mut Ctx, id: CommandId, arg: &str) -> Option<Vec<Cmd>> {
        match id {
            CommandId::Filter => {
                if let Err(e) = crate::parse::filter_pattern::FilterPattern::parse(arg) {
                    ctx.error(format!("filter pattern: {e}"));
                    return Some(vec![]);
                }
                let place = self.place.clone();
                let mut fresh = LogsScreen::new(self.id, place, ctx);
                fresh.server_filter = arg.to_string();
                fresh.resolve(ctx);
                *self = fresh;
                ctx.info(if arg.is_empty() {
                    "server filter cleared".to_string()
                } else {
                    format!("server filter: {arg}")
                });
                let mut cmds = vec![Cmd::CancelAll(Owner::Screen(self.id))];
                cmds.extend(self.start());
                Some(cmds)
            }
            CommandId::Insights if !arg.is_empty() => Some(self.run_insights(ctx, arg.to_string())),
            CommandId::Insights => {
                self.mode = Mode::Insights;
                Some(vec![])
            }
            _ => None,
        }
    }

    fn on_resize(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.height = self.body_height(ctx);
        self.clamp();
        vec![]
    }

    fn is_busy(&self) -> bool {
        self.history.loading || self.search.running || matches!(self.insights.run, Run::Running(_))
    }

    fn input(&self) -> Option<Input<'_>> {
        if let Some(input) = self.insights.input() {
            return Some(input);
        }
        let text = self.search.input.as_deref()?;
        let note = match &self.search.error {
            Some(e) => format!("bad {}: {e}", self.search.mode.label()),
            None if self.search.running => "searching…".into(),
            None if text.is_empty() => {
                format!("{} search · M changes mode", self.search.mode.label())
            }
            None => format!(
                "{} match{} ({})",
                self.search.matches.len(),
                if self.search.matches.len() == 1 {
                    ""
                } else {
                    "es"
                },
                self.search.mode.label()
            ),
        };
        Some(Input {
            prompt: "/",
            text,
            note: Some(note),
        })
    }

    fn input_summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.search.query.text.is_empty() {
            parts.push(format!(
                "/{} [{}{}]",
                self.search.query.text,
                self.search.matches.len(),
                if self.search.only { " only" } else { "" }
            ));
        }
        if let Some((what, _)) = &self.only_invs {
            parts.push(format!(
                "group: {}",
                what.chars().take(30).collect::<String>()
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer) {
        use ratatui::widgets::Widget;
        view::LogsView {
            screen: self,
            ctx,
            theme,
        }
        .render(area, buf);
    }
}

impl LogsScreen {
    fn handle(&mut self, ctx: &mut Ctx, msg: LogsMsg) -> Vec<Cmd> {
        match msg {
            LogsMsg::Page { older, result } => self.on_page(ctx, older, result),
            LogsMsg::Tail(d) => self.on_tail(ctx, d),
            LogsMsg::Searched { query, found } => {
                if query != self.search.query || found.cancelled {
                    return vec![];
                }
                self.search.running = false;
                let mut matches = found.matches;
                if let Some(m) = self.search.matcher.clone() {
                    // Lines that arrived or were loaded since the snapshot.
                    let (lo, hi) = found.scanned;
                    let mut above = search::scan_range(
                        &self.buffer,
                        self.buffer.first_seq(),
                        lo.max(self.buffer.first_seq()),
                        &m,
                    );
                    let below = search::scan_range(
                        &self.buffer,
                        hi.max(self.buffer.first_seq()),
                        self.buffer.end_seq(),
                        &m,
                    );
                    matches.retain(|&q| q >= self.buffer.first_seq());
                    above.extend(matches);
                    above.extend(below);
                    matches = above;
                }
                self.search.matches = matches;
                self.after_matches();
                vec![]
            }
            LogsMsg::Insights(d) => {
                match d {
                    Delivery::Item(InsightsUpdate::Running(p)) => {
                        self.insights.run = Run::Running(p)
                    }
                    Delivery::Item(InsightsUpdate::Done { rows, progress }) => {
                        self.insights.run = Run::Done { rows, progress }
                    }
                    Delivery::Ended(Err(e)) => self.insights.run = Run::Failed(e),
                    Delivery::Ended(Ok(())) | Delivery::Dropped(_) => {}
                }
                vec![]
            }
            LogsMsg::Saved(r) => {
                match r {
                    Ok(path) => ctx.info(format!("saved to {path}")),
                    Err(e) => ctx.error(format!("could not save: {e}")),
                }
                vec![]
            }
        }
    }
}

impl Screen for LogsScreen {
    type Msg = LogsMsg;
    type Action = LogsAction;
    /// Logs of some functions (every function when empty), or of one invocation.
    type Place = LogsPlace;
    fn open(id: crate::app::jobs::ScreenId, place: LogsPlace, ctx: &mut Ctx) -> Self {
        LogsScreen::new(id, place, ctx)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: LogsMsg) -> Vec<Cmd> {
        let cmds = self.handle(ctx, msg);
        self.refresh_error_groups(ctx.now);
        cmds
    }

    fn on_own(&mut self, ctx: &mut Ctx, action: LogsAction) -> Vec<Cmd> {
        use LogsAction as A;
        if self.mode == Mode::Insights && action == A::SortColumn {
            self.insights.next_sort();
            return vec![];
        }
        match action {
            A::NextMatch => self.next_match(ctx, true),
            A::PrevMatch => self.next_match(ctx, false),
            A::SearchMode => {
                self.search.mode = self.search.mode.next();
                ctx.info(format!("search: {}", self.search.mode.label()));
                if !self.search.query.text.is_empty() {
                    let q = self.search.query.text.clone();
                    return self.set_query(q);
                }
            }
            A::MatchesOnly => {
                self.search.only = !self.search.only;
                self.rebuild_rows();
            }
            A::Stamps => {
                self.stamps = match self.stamps {
                    Stamps::Absolute => Stamps::Relative,
                    Stamps::Relative => Stamps::Off,
                    Stamps::Off => Stamps::Absolute,
                }
            }
            A::Wrap => self.wrap = !self.wrap,
            A::Fold => {
                self.folded = !self.folded;
                self.rebuild_rows();
            }
            A::ErrorsOnly => {
                self.errors_only = !self.errors_only;
                self.rebuild_rows();
            }
            A::Level => {
                self.level = match self.level {
                    None => Some(Level::Debug),
                    Some(Level::Trace | Level::Debug) => Some(Level::Info),
                    Some(Level::Info) => Some(Level::Warn),
                    Some(Level::Warn) => Some(Level::Error),
                    Some(Level::Error | Level::Fatal) => None,
                };
                ctx.info(match self.level {
                    None => "level: all".to_string(),
                    Some(l) => format!("level: {} and above", l.as_str()),
                });
                self.rebuild_rows();
            }
            A::NextError => self.jump(ctx, "error", |s, r| match r {
                Row::Inv(id) => s.buffer.inv(id).is_some_and(|i| i.failed()),
                _ => r
                    .seq(s)
                    .and_then(|q| s.buffer.line(q))
                    .is_some_and(|(l, _)| l.level >= 5),
            }),
            A::NextTimeout => self.jump(ctx, "timeout", |s, r| match r {
                Row::Inv(id) => s.buffer.inv(id).is_some_and(|i| i.timed_out()),
                _ => r
                    .seq(s)
                    .and_then(|q| s.buffer.line(q))
                    .is_some_and(|(l, _)| l.kind == Kind::Timeout),
            }),
            A::NextOom => self.jump(ctx, "out-of-memory", |s, r| {
                r.inv(s)
                    .and_then(|id| s.buffer.inv(id))
                    .is_some_and(|i| i.out_of_memory())
                    && !matches!(r, Row::Child(_))
            }),
            A::NextCold => self.jump(ctx, "cold start", |s, r| match r {
                Row::Inv(id) => s.buffer.inv(id).is_some_and(|i| i.cold()),
                _ => r
                    .seq(s)
                    .and_then(|q| s.buffer.line(q))
                    .is_some_and(|(l, _)| matches!(l.kind, Kind::InitStart | Kind::RestoreStart)),
            }),
            A::Copy => return self.copy(ctx, true),
            A::CopyRaw => return self.copy(ctx, false),
            A::Save => {
                let saving = self.saving();
                let what = if saving.picked.is_some() {
                    "filtered lines"
                } else {
                    "buffer"
                };
                let name = save::file_name(ctx.now);
                let id = self.id;
                ctx.info(format!("saving the {what}…"));
                let work = Box::new(move || {
                    let (text, n) = saving.text();
                    let dir = files::save_dir();
                    let result = files::write_private(&dir, &name, text.as_bytes())
                        .map(|path| format!("{} ({n} lines)", path.display()))
                        .map_err(|e| format!("{}: {e}", dir.join(&name).display()));
                    Msg::to(id, LogsMsg::Saved(result))
                });
                return vec![
                    Job::new(self.key(Target::Save), Request::Work("save".into(), work)).into(),
                ];
            }
            A::OpenTrace => match self.trace_under_cursor() {
                Some(t) => ctx.go(Place::Waterfall(t)),
                None => ctx.info("no trace id on this line or invocation"),
            },
            A::Insights => self.mode = Mode::Insights,
            A::SearchToInsights => {
                let level = self.level.map(|l| l.as_str());
                let q = insights::from_search(&self.search.query, self.errors_only, level);
                return self.run_insights(ctx, q);
            }
            A::ErrorGroups => {
                self.mode = Mode::ErrorGroups;
                self.error_groups = ErrorGroups::open(&self.buffer, ctx.now);
            }
            A::SortColumn => {}
        }
        vec![]
    }
}
