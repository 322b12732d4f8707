//! What the Logs screen shows, row by row: an invocation's summary at its first line (its
//! lines under it when expanded), lines of no invocation where they arrived, and nothing that
//! the level, errors-only, match-only or error-group filters hide. Built once when a filter
//! changes, then extended as lines arrive.

use std::collections::HashSet;

use super::LogsScreen;
use crate::model::logs::{Appended, Inv, Kind, Line, NO_INV};
use crate::parse::lambda::Level;

/// One row on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A line of no invocation, or any line when not folding.
    Line(i64),
    /// An invocation's summary.
    Inv(u32),
    /// A line of an expanded invocation.
    Child(i64),
}

impl Row {
    /// The line a row stands for (an invocation's first line).
    pub fn seq(self, s: &LogsScreen) -> Option<i64> {
        match self {
            Row::Line(q) | Row::Child(q) => Some(q),
            Row::Inv(id) => s.buffer.inv(id).map(|i| i.first_seq),
        }
    }
    /// The invocation a row belongs to.
    pub fn inv(self, s: &LogsScreen) -> Option<u32> {
        match self {
            Row::Inv(id) => Some(id),
            Row::Line(q) | Row::Child(q) => s
                .buffer
                .line(q)
                .map(|(l, _)| l.inv)
                .filter(|&i| i != NO_INV),
        }
    }
}

fn level_code(l: Level) -> u8 {
    match l {
        Level::Trace => 1,
        Level::Debug => 2,
        Level::Info => 3,
        Level::Warn => 4,
        Level::Error => 5,
        Level::Fatal => 6,
    }
}

impl LogsScreen {
    /// Whether any filter hides rows.
    pub fn filtering(&self) -> bool {
        self.errors_only
            || self.level.is_some()
            || (self.search.only && self.search.matcher.is_some())
            || self.only_invs.is_some()
    }

    fn is_match(&self, seq: i64) -> bool {
        self.search.matches.binary_search(&seq).is_ok()
    }

    fn line_passes(&self, seq: i64, l: &Line) -> bool {
        if l.kind == Kind::Gap {
            return true;
        }
        if let Some((_, only)) = &self.only_invs
            && !only.contains(&l.inv)
        {
            return false;
        }
        if self.errors_only && l.level < level_code(Level::Error) {
            return false;
        }
        if let Some(min) = self.level
            && l.level < level_code(min)
        {
            return false;
        }
        !(self.search.only && self.search.matcher.is_some() && !self.is_match(seq))
    }

    fn inv_passes(&self, id: u32, inv: &Inv, matched: &HashSet<u32>) -> bool {
        if let Some((_, only)) = &self.only_invs
            && !only.contains(&id)
        {
            return false;
        }
        if self.errors_only && !inv.failed() {
            return false;
        }
        if let Some(min) = self.level
            && inv.max_level < level_code(min)
            && !(inv.failed() && min <= Level::Error)
        {
            return false;
        }
        !(self.search.only && self.search.matcher.is_some() && !matched.contains(&id))
    }

    /// Invocations with a matching line (for match-only while folded).
    fn matched_invs(&self) -> HashSet<u32> {
        if !(self.search.only && self.folded) {
            return HashSet::new();
        }
        self.search
            .matches
            .iter()
            .filter_map(|&q| self.buffer.line(q).map(|(l, _)| l.inv))
            .filter(|&i| i != NO_INV)
            .collect()
    }

    fn push_rows_for(&mut self, seq: i64, l: Line, matched: &HashSet<u32>) {
        if self.folded && l.inv != NO_INV {
            let Some(inv) = self.buffer.inv(l.inv) else {
                return;
            };
            if inv.first_seq != seq && seq != self.buffer.first_seq().max(inv.first_seq) {
                return;
            }
            if !self.inv_passes(l.inv, inv, matched) {
                return;
            }
            self.rows.push_back(Row::Inv(l.inv));
            if self.expanded.contains(&l.inv) {
                for c in self.buffer.inv_lines(l.inv) {
                    self.rows.push_back(Row::Child(c));
                }
            }
            return;
        }
        if self.line_passes(seq, &l) {
            self.rows.push_back(Row::Line(seq));
        }
    }

    /// Builds the rows from scratch (a filter, the folding or an expansion changed), keeping
    /// the cursor on the same line where it can.
    pub fn rebuild_rows(&mut self) {
        let anchor = self.rows.get(self.cursor).and_then(|r| r.seq(self));
        let matched = self.matched_invs();
        self.rows.clear();
        let lines: Vec<(i64, Line)> = self.buffer.iter().map(|(q, l, _)| (q, *l)).collect();
        for (seq, l) in lines {
            self.push_rows_for(seq, l, &matched);
        }
        if self.following {
            self.cursor = self.rows.len().saturating_sub(1);
        } else if let Some(a) = anchor {
            self.cursor = self
                .rows
                .iter()
                .position(|r| r.seq(self).is_some_and(|q| q >= a))
                .unwrap_or(self.rows.len().saturating_sub(1));
        }
        self.clamp();
    }

    /// Follows an append: drops rows of lines that left, adds rows for new lines; rebuilds
    /// when an invocation already on screen changed in a way a filter or expansion sees.
    pub fn rows_after_append(&mut self, from: i64, appended: &Appended) {
        let first = self.buffer.first_seq();
        if appended.dropped > 0 {
            let before = self.rows.len();
            while let Some(r) = self.rows.front() {
                let gone = match *r {
                    Row::Inv(id) => self.buffer.inv(id).is_none(),
                    Row::Line(q) | Row::Child(q) => q < first,
                };
                if !gone {
                    break;
                }
                self.rows.pop_front();
            }
            let removed = before - self.rows.len();
            self.cursor = self.cursor.saturating_sub(removed);
            self.top = self.top.saturating_sub(removed);
            self.search.matches.retain(|&q| q >= first);
        }
        // An invocation on screen that gained lines may now pass a filter it did not (or
        // show more lines): one rebuild for the whole delivery.
        let needs_rebuild = appended.attached.iter().any(|&q| q < from)
            || (self.filtering() && !appended.touched.is_empty())
            || appended.touched.iter().any(|id| self.expanded.contains(id));
        if needs_rebuild {
            self.rebuild_rows();
            return;
        }
        let matched = self.matched_invs();
        let lines: Vec<(i64, Line)> = self
            .buffer
            .range(from, self.buffer.end_seq())
            .map(|(q, l, _)| (q, *l))
            .collect();
        for (seq, l) in lines {
            self.push_rows_for(seq, l, &matched);
        }
        if self.following {
            self.cursor = self.rows.len().saturating_sub(1);
        }
        self.clamp();
    }

    /// Rows for an older page put above: their rows go first.
    pub fn rows_after_prepend(&mut self) {
        let before = self.rows.len();
        let top_line = self.rows.get(self.top).and_then(|r| r.seq(self));
        self.rebuild_rows();
        // Keep the same line at the top of the screen; the new rows are above it.
        if let Some(t) = top_line
            && let Some(i) = self.rows.iter().position(|r| r.seq(self) == Some(t))
        {
            let added = i.saturating_sub(self.top);
            self.top = i;
            self.cursor = (self.cursor + added).min(self.rows.len().saturating_sub(1));
        } else if self.rows.len() > before {
            self.top += self.rows.len() - before;
        }
        self.clamp();
    }

    /// Keeps the cursor on a row and the row on screen.
    pub fn clamp(&mut self) {
        let n = self.rows.len();
        self.cursor = crate::ui::widgets::cursor::clamp(self.cursor, n);
        let h = self.height.max(1);
        if self.following {
            self.top = n.saturating_sub(h);
            return;
        }
        if self.cursor < self.top {
            self.top = self.cursor;
        }
        if self.cursor >= self.top + h {
            self.top = self.cursor + 1 - h;
        }
        self.top = self.top.min(n.saturating_sub(1));
    }
}
