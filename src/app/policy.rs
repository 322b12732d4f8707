//! How often the console asks for what. `update` reads these numbers, and the cost test drives
//! `update` through a simulated shift and prices the jobs it emits, so the README's cost figures
//! and the console's behaviour come from one place.

use std::time::Duration;

use crate::domain::{EpochMs, MINUTE_MS, SourceInfo, TimeWindow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// The function list (new and deleted functions appear and go by themselves).
    pub list_every: EpochMs,
    /// Error, throttle and invocation totals of every function, for the health sort, at
    /// least this often (see [`RefreshPolicy::health_every`]).
    pub health_every_min: EpochMs,
    /// Spread the account-wide health refresh so it asks for at most this many metrics a
    /// minute on average (0: no limit).
    pub health_metrics_per_minute: u32,
    /// The sparkline, error, throttle and cold-start columns of the rows on screen.
    pub rows_every: EpochMs,
    /// The p95 column of the rows on screen (a percentile over the window moves slowly);
    /// rows that have none yet get it at once (0: with every refresh of the rows).
    pub rows_p95_every: EpochMs,
    /// At a health round, the rows on screen take their errors and throttles from it instead
    /// of asking for them a second time in the same minute.
    pub health_serves_rows: bool,
    /// The screen on top (charts, configuration).
    pub screen_every: EpochMs,
    /// Cold starts in the functions table. They come from Logs Insights on AWS, billed per GB
    /// scanned, so there only a function's own screen shows them.
    pub list_cold_starts: bool,
    /// Billed calls triggered by typing or scrolling wait this long for the next key.
    pub typing_debounce: Duration,
    /// A dashboard's cold starts are asked for at most this often...
    pub cold_starts_every_min: EpochMs,
    /// ...and at most this many times per window length (0: no limit). On AWS they come from
    /// Logs Insights, billed per GB scanned, and a query scans the whole window: asking twelve
    /// times a window keeps the bytes scanned in a shift about the same for 1 h as for 7 d.
    pub cold_starts_per_window: u32,
    /// The account overview's series and rankings (a percentile for every function).
    pub overview_every: EpochMs,
}

/// The overview's cold-start ranking scans every function's logs: past this many functions it
/// is asked proportionally less often, so its cost per shift stays flat.
pub const OVERVIEW_COLD_FUNCTIONS: usize = 200;

impl RefreshPolicy {
    /// AWS bills GetMetricData per metric requested and its data changes once a minute; the
    /// demo is free and live.
    pub fn for_source(source: &SourceInfo) -> RefreshPolicy {
        match source {
            SourceInfo::Demo { .. } => RefreshPolicy {
                list_every: MINUTE_MS,
                health_every_min: 10_000,
                health_metrics_per_minute: 0,
                rows_every: 10_000,
                rows_p95_every: 0,
                health_serves_rows: false,
                screen_every: 10_000,
                list_cold_starts: true,
                typing_debounce: Duration::from_millis(150),
                cold_starts_every_min: 10_000,
                cold_starts_per_window: 0,
                overview_every: 10_000,
            },
            SourceInfo::Aws { .. } => RefreshPolicy {
                list_every: 5 * MINUTE_MS,
                health_every_min: 5 * MINUTE_MS,
                // Two metrics a function: about $1 per 8 hours whatever the account's size.
                health_metrics_per_minute: 200,
                rows_every: MINUTE_MS,
                rows_p95_every: 5 * MINUTE_MS,
                health_serves_rows: true,
                screen_every: MINUTE_MS,
                list_cold_starts: false,
                typing_debounce: Duration::from_millis(300),
                cold_starts_every_min: 5 * MINUTE_MS,
                cold_starts_per_window: 12,
                overview_every: 15 * MINUTE_MS,
            },
        }
    }
}

impl RefreshPolicy {
    /// How often the health of every function is refreshed in an account of `functions`:
    /// every few minutes, slower in big accounts so that the cost stays flat (1,000 functions:
    /// every 10 minutes).
    pub fn health_every(&self, functions: usize) -> EpochMs {
        if self.health_metrics_per_minute == 0 {
            return self.health_every_min;
        }
        let minutes = (2 * functions as u64).div_ceil(u64::from(self.health_metrics_per_minute));
        self.health_every_min.max(minutes as EpochMs * MINUTE_MS)
    }
}

impl RefreshPolicy {
    /// How long a dashboard's cold starts over a window of `span` stay fresh enough.
    pub fn cold_starts_every(&self, span: EpochMs) -> EpochMs {
        match self.cold_starts_per_window {
            0 => self.cold_starts_every_min,
            n => self.cold_starts_every_min.max(span / EpochMs::from(n)),
        }
    }

    /// How often the overview counts the cold starts of all `functions` (a Logs Insights
    /// query over every log group on AWS): no more often than the overview itself nor a
    /// dashboard, and slower in big accounts.
    pub fn overview_cold_starts_every(&self, span: EpochMs, functions: usize) -> EpochMs {
        let base = self.overview_every.max(self.cold_starts_every(span));
        match self.cold_starts_per_window {
            0 => base,
            _ => base * functions.div_ceil(OVERVIEW_COLD_FUNCTIONS).max(1) as EpochMs,
        }
    }
}

/// Whether what was asked for `asked = (when, window)` should be asked again for `window`: a
/// new window always; while the window follows the clock (`live`), once `every` has passed.
pub fn stale(
    asked: Option<(EpochMs, TimeWindow)>,
    window: TimeWindow,
    live: bool,
    now: EpochMs,
    every: EpochMs,
) -> bool {
    match asked {
        None => true,
        Some((_, w)) if !live || w.len_ms() != window.len_ms() => w != window,
        Some((at, _)) => now - at >= every,
    }
}

/// Whether a periodic job of period `every` is due between two clock readings: refreshes fall on
/// whole multiples of the period, when fresh data can exist.
pub fn due(before: EpochMs, now: EpochMs, every: EpochMs) -> bool {
    every > 0 && now.div_euclid(every) != before.div_euclid(every)
}
