//! The home screen's data: every function, its health for the window, the fuzzy filter, the
//! sort, and which rows are in view.

use std::collections::HashMap;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::Loadable;
use super::WindowChoice;
use crate::source::{
    EpochMs, Function, Metric, MetricQuery, MetricRequest, MetricSeries, SourceError, Statistic,
    TimeWindow,
};

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
}

/// One statistic as a cell shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Value(f64),
    /// The service answered with no datapoints (no traffic).
    NoData,
    /// The service refused this statistic; the reason is shown on selection.
    Unavailable(String),
}

impl Cell {
    pub fn value(&self) -> Option<f64> {
        match self {
            Cell::Value(v) => Some(*v),
            _ => None,
        }
    }
    fn from_series(s: Option<&MetricSeries>, total: bool) -> Cell {
        match s {
            None => Cell::NoData,
            Some(s) if s.unavailable.is_some() => {
                Cell::Unavailable(s.unavailable.clone().unwrap_or_default())
            }
            Some(s) if s.points.is_empty() => Cell::NoData,
            Some(s) if total => Cell::Value(s.total()),
            Some(s) => s.max().map(Cell::Value).unwrap_or(Cell::NoData),
        }
    }
}

/// A function's health over the chosen window.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionStats {
    pub invocations: Cell,
    pub errors: Cell,
    pub throttles: Cell,
    pub p95_ms: Cell,
    pub cold_starts: Cell,
    /// Invocations per sparkline period, oldest first, zeros where there was no datapoint.
    pub trend: Vec<f64>,
}

impl FunctionStats {
    pub fn error_rate(&self) -> Option<f64> {
        let inv = self.invocations.value()?;
        let err = self.errors.value().unwrap_or(0.0);
        (inv > 0.0).then(|| 100.0 * err / inv)
    }

    /// Share of attempts rejected by throttling, in percent.
    pub fn throttle_rate(&self) -> Option<f64> {
        let thr = self.throttles.value()?;
        let all = thr + self.invocations.value().unwrap_or(0.0);
        (all > 0.0).then(|| 100.0 * thr / all)
    }

    /// The number a column sorts on.
    pub fn sort_key(&self, c: Column) -> Option<f64> {
        match c {
            Column::Health => match (self.error_rate(), self.throttle_rate()) {
                (None, None) => None,
                (e, t) => Some(e.unwrap_or(0.0).max(t.unwrap_or(0.0))),
            },
            Column::Invocations => self.invocations.value(),
            Column::Errors => self.errors.value(),
            Column::ErrorRate => self.error_rate(),
            Column::Throttles => self.throttles.value(),
            Column::P95 => self.p95_ms.value(),
            Column::ColdStarts => self.cold_starts.value(),
            _ => None,
        }
    }

    /// Is this function in trouble? Errors above 1 % or any throttling.
    pub fn unhealthy(&self) -> bool {
        self.error_rate().is_some_and(|r| r >= 1.0)
            || self.throttles.value().is_some_and(|t| t > 0.0)
    }
}

/// The queries behind one row: the sparkline at the spark period, the totals over the window.
pub fn trend_queries(name: &str) -> Vec<MetricQuery> {
    MetricQuery::each(name, &[(Metric::Invocations, Statistic::Sum)])
}

pub fn total_queries(name: &str) -> Vec<MetricQuery> {
    MetricQuery::each(
        name,
        &[
            (Metric::Errors, Statistic::Sum),
            (Metric::Throttles, Statistic::Sum),
            (Metric::Duration, Statistic::P95),
            (Metric::ColdStarts, Statistic::Sum),
        ],
    )
}

/// The two requests behind the table's health columns: invocations per sparkline period, and
/// totals over the whole window. Many functions go in one request so the AWS backend can batch
/// them 500 metrics to a call.
pub fn stats_requests(
    names: &[String],
    choice: WindowChoice,
    now: EpochMs,
) -> (TimeWindow, MetricRequest, MetricRequest) {
    let window = choice.window(now);
    let trend = MetricRequest {
        queries: names.iter().flat_map(|n| trend_queries(n)).collect(),
        window,
        period_s: choice.spark_period_s(),
    };
    let totals = MetricRequest {
        queries: names.iter().flat_map(|n| total_queries(n)).collect(),
        window,
        period_s: (window.len_ms() / 1000) as u32,
    };
    (window, trend, totals)
}

/// Assembles per-function stats from the series of one refresh over `window`.
pub fn stats_from_series(
    names: &[String],
    trend: &[MetricSeries],
    totals: &[MetricSeries],
    window: TimeWindow,
    spark_period_s: u32,
) -> HashMap<String, FunctionStats> {
    let period_ms = i64::from(spark_period_s.max(60)) * 1000;
    let first_bucket = window.start;
    let buckets = (window.len_ms() + period_ms - 1)
        .div_euclid(period_ms)
        .max(1) as usize;
    fn find<'a>(set: &'a [MetricSeries], name: &str, metric: Metric) -> Option<&'a MetricSeries> {
        set.iter()
            .find(|s| s.query.function == name && s.query.metric == metric)
    }
    names
        .iter()
        .map(|name| {
            let inv = find(trend, name, Metric::Invocations);
            let mut spark = vec![0.0; buckets];
            if let Some(s) = inv {
                for p in &s.points {
                    let i = (p.t - first_bucket).div_euclid(period_ms.max(1));
                    if let Some(slot) = usize::try_from(i).ok().and_then(|i| spark.get_mut(i)) {
                        *slot += p.v;
                    }
                }
            }
            let stats = FunctionStats {
                invocations: match Cell::from_series(inv, true) {
                    Cell::NoData => Cell::Value(0.0),
                    c => c,
                },
                errors: Cell::from_series(find(totals, name, Metric::Errors), true),
                throttles: Cell::from_series(find(totals, name, Metric::Throttles), true),
                p95_ms: Cell::from_series(find(totals, name, Metric::Duration), false),
                cold_starts: Cell::from_series(find(totals, name, Metric::ColdStarts), true),
                trend: spark,
            };
            (name.clone(), stats)
        })
        .collect()
}

/// A row after filtering: the function's index and how well it matched.
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
pub struct FunctionsState {
    pub list: Loadable<Vec<Function>>,
    pub stats: HashMap<String, FunctionStats>,
    pub stats_loading: bool,
    pub stats_error: Option<SourceError>,
    /// Tag of the newest stats request; older answers are dropped (latest wins).
    pub stats_generation: u64,
    pub filter: String,
    pub sort: Column,
    pub descending: bool,
    /// Rows after filter and sort.
    pub rows: Vec<Row>,
    pub selected: usize,
    pub offset: usize,
}

impl Default for FunctionsState {
    fn default() -> Self {
        FunctionsState {
            list: Loadable::Idle,
            stats: HashMap::new(),
            stats_loading: false,
            stats_error: None,
            stats_generation: 0,
            filter: String::new(),
            // Failing functions first: what an on-call engineer opens the console for.
            sort: Column::Health,
            descending: true,
            rows: vec![],
            selected: 0,
            offset: 0,
        }
    }
}

impl FunctionsState {
    pub fn functions(&self) -> &[Function] {
        self.list.loaded().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn selected_function(&self) -> Option<&Function> {
        let row = self.rows.get(self.selected)?;
        self.functions().get(row.index)
    }

    /// Narrows the rows with the filter. When the new query extends the old one, only the
    /// rows that matched before can match now (fuzzy matching is a subsequence test), so
    /// typing costs less with every keystroke.
    pub fn set_filter(&mut self, query: &str) {
        let keep = self.selected_function().map(|f| f.name.clone());
        let narrowing = !self.filter.is_empty() && query.starts_with(self.filter.as_str());
        self.filter = query.to_string();
        let candidates: Vec<usize> = if narrowing {
            self.rows.iter().map(|r| r.index).collect()
        } else {
            (0..self.functions().len()).collect()
        };
        self.rows = self.match_rows(candidates);
        self.sort_rows();
        self.reselect(keep.as_deref());
    }

    fn match_rows(&self, candidates: Vec<usize>) -> Vec<Row> {
        let fns = self.functions();
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
                let score = matcher.fuzzy_match(&fns.get(index)?.name, &self.filter)?;
                Some(Row { index, score })
            })
            .collect()
    }

    /// Re-applies filter and sort to the whole list (after a reload or new stats).
    pub fn refresh_rows(&mut self) {
        // At the top, stay at the top (new stats re-sort the rows under the cursor).
        let keep = if self.selected == 0 {
            None
        } else {
            self.selected_function().map(|f| f.name.clone())
        };
        self.rows = self.match_rows((0..self.functions().len()).collect());
        self.sort_rows();
        self.reselect(keep.as_deref());
    }

    pub fn set_sort(&mut self, column: Column) {
        let keep = self.selected_function().map(|f| f.name.clone());
        if self.sort == column {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = column.descending_by_default();
        }
        self.sort_rows();
        self.reselect(keep.as_deref());
    }

    fn sort_rows(&mut self) {
        let fns = match &self.list {
            Loadable::Loaded(f) => f,
            _ => return,
        };
        let (col, desc) = (self.sort, self.descending);
        let by_score = !self.filter.is_empty() && col == Column::Name;
        // Keys are looked up once per row, not once per comparison.
        let metric = !matches!(
            col,
            Column::Name
                | Column::Trend
                | Column::Runtime
                | Column::Memory
                | Column::Timeout
                | Column::Modified
        );
        let mut keyed: Vec<(Row, Option<f64>)> = std::mem::take(&mut self.rows)
            .into_iter()
            .map(|r| {
                let k = if metric {
                    self.stats
                        .get(&fns[r.index].name)
                        .and_then(|s| s.sort_key(col))
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

    fn reselect(&mut self, name: Option<&str>) {
        let fns = self.functions();
        self.selected = name
            .and_then(|n| {
                self.rows
                    .iter()
                    .position(|r| fns.get(r.index).is_some_and(|f| f.name == n))
            })
            .unwrap_or(0);
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            self.selected = 0;
            return;
        }
        let max = self.rows.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(max);
    }

    pub fn select_last(&mut self) {
        self.selected = self.rows.len().saturating_sub(1);
    }

    /// Keeps the selection inside a viewport of `height` rows, scrolling as little as possible.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
    }

    /// Functions of the rows from the top of the view, `count` of them.
    fn top_of_view(&self, count: usize) -> impl Iterator<Item = &Function> {
        let fns = self.functions();
        let end = (self.offset + count).min(self.rows.len());
        self.rows[self.offset.min(end)..end]
            .iter()
            .filter_map(move |r| fns.get(r.index))
    }

    /// Names in view (plus one page ahead) that have no stats for the current window.
    pub fn names_needing_stats(&self, height: usize) -> Vec<String> {
        self.top_of_view(2 * height.max(1))
            .filter(|f| !self.stats.contains_key(&f.name))
            .map(|f| f.name.clone())
            .collect()
    }

    /// Names in view plus one page ahead, whether or not they have stats (after scrolling).
    pub fn names_in_view(&self, height: usize) -> Vec<String> {
        self.top_of_view(2 * height.max(1))
            .map(|f| f.name.clone())
            .collect()
    }

    /// Names on screen only: the periodic refresh. Only what is visible is refreshed (AWS
    /// bills GetMetricData per metric requested).
    pub fn names_on_screen(&self, height: usize) -> Vec<String> {
        self.top_of_view(height.max(1))
            .map(|f| f.name.clone())
            .collect()
    }
}
