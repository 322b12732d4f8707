//! The home screen's own data: the fuzzy filter, the sort, the selection and which rows are in
//! view. The functions and their health are the shared catalog's.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::app::catalog::Catalog;
use crate::app::filter::ListFilter;
use crate::app::jobs::ScreenId;
use crate::domain::{Function, FunctionStats};
use crate::ui::widgets::cursor::{self, Move};

/// The table's columns, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// The marker before the name: worst of error rate and throttle rate.
    Health,
    Name,
    Runtime,
    Memory,
    Timeout,
    Modified,
    Invocations,
    Errors,
    ErrorRate,
    Throttles,
    P95,
    ColdStarts,
    Trend,
}

impl Column {
    pub const ALL: [Column; 13] = [
        Column::Health,
        Column::Name,
        Column::Runtime,
        Column::Memory,
        Column::Timeout,
        Column::Modified,
        Column::Invocations,
        Column::Errors,
        Column::ErrorRate,
        Column::Throttles,
        Column::P95,
        Column::ColdStarts,
        Column::Trend,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Health => "HEALTH",
            Column::Name => "NAME",
            Column::Runtime => "RUNTIME",
            Column::Memory => "MEM",
            Column::Timeout => "TIMEOUT",
            Column::Modified => "MODIFIED",
            Column::Invocations => "INVOC",
            Column::Errors => "ERR",
            Column::ErrorRate => "ERR%",
            Column::Throttles => "THROT",
            Column::P95 => "P95",
            Column::ColdStarts => "COLD",
            Column::Trend => "INVOCATIONS",
        }
    }

    /// Metric columns sort largest first: that is where trouble is.
    pub fn descending_by_default(self) -> bool {
        !matches!(self, Column::Name | Column::Runtime)
    }

    /// Columns the `s` key cycles through (the trend is not sortable).
    pub fn sortable() -> impl Iterator<Item = Column> {
        Self::ALL.into_iter().filter(|c| *c != Column::Trend)
    }

    pub fn parse(s: &str) -> Option<Column> {
        let s = s.to_ascii_lowercase();
        Self::sortable().find(|c| {
            c.title().to_ascii_lowercase() == s
                || matches!(
                    (c, s.as_str()),
                    (Column::Invocations, "invocations")
                        | (Column::Errors, "errors")
                        | (Column::ErrorRate, "rate")
                        | (Column::Throttles, "throttles")
                        | (Column::ColdStarts, "cold")
                        | (Column::Memory, "memory")
                        | (Column::Health, "health")
                )
        })
    }

    /// The number a metric column sorts on.
    pub fn key(self, s: &FunctionStats) -> Option<f64> {
        match self {
            Column::Health => s.health(),
            Column::Invocations => s.invocations.value(),
            Column::Errors => s.errors.value(),
            Column::ErrorRate => s.error_rate(),
            Column::Throttles => s.throttles.value(),
            Column::P95 => s.p95_ms.value(),
            Column::ColdStarts => s.cold_starts.value(),
            _ => None,
        }
    }

    pub fn is_metric(self) -> bool {
        !matches!(
            self,
            Column::Name
                | Column::Trend
                | Column::Runtime
                | Column::Memory
                | Column::Timeout
                | Column::Modified
        )
    }
}

/// A row after filtering: the function's index in the catalog and how well it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub index: usize,
    score: i64,
}

/// The characters of `name` that `query` matched, for highlighting. Computed only for the
/// rows on screen: positions cost more than scores, and 5,000 rows are never all visible.
pub fn matched_chars(name: &str, query: &str) -> Vec<usize> {
    if query.is_empty() {
        return vec![];
    }
    SkimMatcherV2::default()
        .smart_case()
        .fuzzy_indices(name, query)
        .map(|(_, m)| m)
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionsScreen {
    pub id: ScreenId,
    pub filter: ListFilter,
    pub sort: Column,
    pub descending: bool,
    /// Rows after filter and sort.
    pub rows: Vec<Row>,
    pub selected: usize,
    pub offset: usize,
    /// Functions picked (space) to open their logs together (l).
    pub marked: std::collections::BTreeSet<String>,
}

impl FunctionsScreen {
    pub fn new(id: ScreenId) -> FunctionsScreen {
        FunctionsScreen {
            id,
            filter: ListFilter::default(),
            // Failing functions first: what an on-call engineer opens the console for.
            sort: Column::Health,
            descending: true,
            rows: vec![],
            selected: 0,
            offset: 0,
            marked: Default::default(),
        }
    }

    pub fn selected_function<'c>(&self, catalog: &'c Catalog) -> Option<&'c Function> {
        let row = self.rows.get(self.selected)?;
        catalog.functions().get(row.index)
    }

    /// The names in table order, for tests and for the CLI.
    pub fn names<'c>(&self, catalog: &'c Catalog) -> Vec<&'c str> {
        let fns = catalog.functions();
        self.rows
            .iter()
            .filter_map(|r| fns.get(r.index).map(|f| f.name.as_str()))
            .collect()
    }

    /// Narrows the rows with the filter. When the new query extends the old one, only the
    /// rows that matched before can match now (fuzzy matching is a subsequence test), so
    /// typing costs less with every keystroke.
    pub fn set_filter(&mut self, catalog: &Catalog, query: &str) {
        let keep = self.selected_function(catalog).map(|f| f.name.clone());
        let narrowing = !self.filter.is_empty() && query.starts_with(self.filter.text());
        self.filter.set(query);
        let candidates: Vec<usize> = if narrowing {
            self.rows.iter().map(|r| r.index).collect()
        } else {
            (0..catalog.functions().len()).collect()
        };
        self.rows = self.match_rows(catalog, candidates);
        self.sort_rows(catalog);
        self.reselect(catalog, keep.as_deref());
    }

    fn match_rows(&self, catalog: &Catalog, candidates: Vec<usize>) -> Vec<Row> {
        let fns = catalog.functions();
        if self.filter.is_empty() {
            return candidates
                .into_iter()
                .map(|index| Row { index, score: 0 })
                .collect();
        }
        let matcher = SkimMatcherV2::default().smart_case();
        candidates
            .into_iter()
            .filter_map(|index| {
                let score = matcher.fuzzy_match(&fns.get(index)?.name, self.filter.text())?;
                Some(Row { index, score })
            })
            .collect()
    }

    /// Re-applies filter and sort to the whole list (after a reload or new figures).
    pub fn refresh_rows(&mut self, catalog: &Catalog) {
        // At the top, stay at the top (new figures re-sort the rows under the cursor).
        let keep = if self.selected == 0 {
            None
        } else {
            self.selected_function(catalog).map(|f| f.name.clone())
        };
        self.rows = self.match_rows(catalog, (0..catalog.functions().len()).collect());
        self.sort_rows(catalog);
        self.reselect(catalog, keep.as_deref());
    }

    pub fn set_sort(&mut self, catalog: &Catalog, column: Column) {
        let keep = self.selected_function(catalog).map(|f| f.name.clone());
        if self.sort == column {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = column.descending_by_default();
        }
        self.sort_rows(catalog);
        self.reselect(catalog, keep.as_deref());
    }

    fn sort_rows(&mut self, catalog: &Catalog) {
        let fns = catalog.functions();
        let (col, desc) = (self.sort, self.descending);
        let by_score = !self.filter.is_empty() && col == Column::Name;
        // Keys are looked up once per row, not once per comparison.
        let mut keyed: Vec<(Row, Option<f64>)> = std::mem::take(&mut self.rows)
            .into_iter()
            .filter(|r| r.index < fns.len())
            .map(|r| {
                let k = if col.is_metric() {
                    catalog
                        .stats
                        .get(&fns[r.index].name)
                        .and_then(|s| col.key(s))
                } else {
                    None
                };
                (r, k)
            })
            .collect();
        keyed.sort_by(|(a, ka), (b, kb)| {
            let (fa, fb) = (&fns[a.index], &fns[b.index]);
            let ord = if by_score {
                b.score.cmp(&a.score)
            } else {
                let o = match col {
                    Column::Name | Column::Trend => fa.name.cmp(&fb.name),
                    Column::Runtime => fa.runtime.cmp(&fb.runtime),
                    Column::Memory => fa.memory_mb.cmp(&fb.memory_mb),
                    Column::Timeout => fa.timeout_s.cmp(&fb.timeout_s),
                    Column::Modified => fa.last_modified.cmp(&fb.last_modified),
                    // Unknown values sort last whatever the direction.
                    _ => match (ka, kb) {
                        (Some(x), Some(y)) => x.total_cmp(y),
                        (Some(_), None) => return std::cmp::Ordering::Less,
                        (None, Some(_)) => return std::cmp::Ordering::Greater,
                        (None, None) => std::cmp::Ordering::Equal,
                    },
                };
                if desc { o.reverse() } else { o }
            };
            ord.then_with(|| fa.name.cmp(&fb.name))
        });
        self.rows = keyed.into_iter().map(|(r, _)| r).collect();
    }

    fn reselect(&mut self, catalog: &Catalog, name: Option<&str>) {
        let fns = catalog.functions();
        self.selected = name
            .and_then(|n| {
                self.rows
                    .iter()
                    .position(|r| fns.get(r.index).is_some_and(|f| f.name == n))
            })
            .unwrap_or(0);
    }

    pub fn move_cursor(&mut self, mv: Move, page: usize) {
        self.selected = cursor::moved(self.selected, mv, self.rows.len(), page);
    }

    /// Keeps the selection inside a viewport of `height` rows, scrolling as little as possible.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = cursor::keep_in_view(self.selected, self.offset, self.rows.len(), height);
    }

    /// Names of the rows on screen: only those get the billed row figures.
    pub fn names_on_screen(&self, catalog: &Catalog, height: usize) -> Vec<String> {
        let fns = catalog.functions();
        let end = (self.offset + height.max(1)).min(self.rows.len());
        self.rows[self.offset.min(end)..end]
            .iter()
            .filter_map(|r| fns.get(r.index).map(|f| f.name.clone()))
            .collect()
    }
}
