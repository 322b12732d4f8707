//! Time as both backends and every screen count it: epoch milliseconds and half-open windows.

use serde::Serialize;

/// Milliseconds since the Unix epoch, UTC. CloudWatch speaks milliseconds; X-Ray's float seconds
/// are converted at the edge.
pub type EpochMs = i64;

/// Microseconds since the Unix epoch: X-Ray segment times, which are finer than a millisecond.
pub type EpochUs = i64;

/// "14:02:11": a time of day in UTC, for log lines and spans.
pub fn time_of_day(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// "2026-11-23T14:02:11.123Z": RFC 3339 in UTC with milliseconds, as AWS writes times.
pub fn iso(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// X-Ray's float epoch seconds (`1.681574429579E9`) as microseconds; `None` if not a time.
pub fn us_from_epoch_seconds(s: f64) -> Option<EpochUs> {
    let us = (s * 1e6).round();
    (us.is_finite() && us.abs() < 1e17).then_some(us as EpochUs)
}

pub const MINUTE_MS: EpochMs = 60_000;
pub const HOUR_MS: EpochMs = 60 * MINUTE_MS;
pub const DAY_MS: EpochMs = 24 * HOUR_MS;

/// The longest span anything asks for: what CloudWatch keeps (hourly data, 455 days).
pub const LONGEST_SPAN_MS: EpochMs = 455 * DAY_MS;

/// A span of time as people type it, the same for every command and flag: `90s`, `30m` (or a
/// bare `30`), `3h`, `2d`, `2w`; more than nothing, at most [`LONGEST_SPAN_MS`].
pub fn parse_span(s: &str) -> Result<EpochMs, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: EpochMs = n
        .parse()
        .map_err(|_| format!("{s:?} is not a span like 30m, 3h, 2d or 2w"))?;
    let unit_ms = match unit {
        "s" => 1000,
        "" | "m" | "min" => MINUTE_MS,
        "h" => HOUR_MS,
        "d" => DAY_MS,
        "w" => 7 * DAY_MS,
        _ => return Err(format!("{s:?}: the unit is s, m, h, d or w")),
    };
    let ms = n.saturating_mul(unit_ms);
    if ms <= 0 {
        return Err(format!("{s:?} is no time at all"));
    }
    if ms > LONGEST_SPAN_MS {
        return Err(format!(
            "{s:?} is longer than CloudWatch keeps anything (455 days)"
        ));
    }
    Ok(ms)
}

/// A half-open time range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TimeWindow {
    pub start: EpochMs,
    pub end: EpochMs,
}

impl TimeWindow {
    pub fn new(start: EpochMs, end: EpochMs) -> Self {
        Self {
            start,
            end: end.max(start),
        }
    }
    /// The `span` that ends at `now`.
    pub fn last(span: EpochMs, now: EpochMs) -> Self {
        Self::new(now - span, now)
    }
    pub fn len_ms(&self) -> EpochMs {
        self.end - self.start
    }
    pub fn contains(&self, t: EpochMs) -> bool {
        t >= self.start && t < self.end
    }
}

// ---------------------------------------------------------------------------------------------
// CloudWatch's period rules (reference §2.3), in the one place both backends and every chart use.

/// The finest period CloudWatch still holds for data that starts `start` ago: 1-minute data is
/// kept 15 days, 5-minute data 63 days, 1-hour data 455 days.
pub fn resolution_s(start: EpochMs, now: EpochMs) -> u32 {
    let age = now - start;
    if age > 63 * DAY_MS {
        3600
    } else if age > 15 * DAY_MS {
        300
    } else {
        60
    }
}

/// A metric request's window and period exactly as CloudWatch answers it: the period is a
/// multiple of the resolution the window's age allows, and the window is a whole number of
/// periods ending on the last complete resolution step. Buckets start at `window.start + k ·
/// period` (CloudWatch aligns them to StartTime), so totals cover exactly the window asked for
/// and no bucket is partial at either edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct MetricPlan {
    pub window: TimeWindow,
    pub period_s: u32,
}

impl MetricPlan {
    /// Plans `window` at (at least) `period_s`. The end is kept (rounded down to the
    /// resolution); the start moves back so the window holds whole periods.
    pub fn new(window: TimeWindow, period_s: u32, now: EpochMs) -> MetricPlan {
        let mut res = resolution_s(window.start, now);
        loop {
            let period = period_s.max(60).div_ceil(res) * res;
            let (p, r) = (EpochMs::from(period) * 1000, EpochMs::from(res) * 1000);
            let end = window.end.div_euclid(r) * r;
            let periods = (end - window.start + p - 1).div_euclid(p).max(1);
            let start = end - periods * p;
            // Moving the start back may cross a retention boundary: plan again at its resolution.
            let coarser = resolution_s(start, now);
            if coarser <= res {
                return MetricPlan {
                    window: TimeWindow::new(start, end),
                    period_s: period,
                };
            }
            res = coarser;
        }
    }

    pub fn period_ms(&self) -> EpochMs {
        EpochMs::from(self.period_s) * 1000
    }

    /// How many periods the window holds.
    pub fn buckets(&self) -> usize {
        (self.window.len_ms() / self.period_ms().max(1)) as usize
    }

    /// The start of bucket `i`.
    pub fn bucket_start(&self, i: usize) -> EpochMs {
        self.window.start + i as EpochMs * self.period_ms()
    }

    /// Which bucket a datapoint stamped `t` belongs to.
    pub fn bucket_of(&self, t: EpochMs) -> Option<usize> {
        if !self.window.contains(t) {
            return None;
        }
        usize::try_from((t - self.window.start) / self.period_ms().max(1)).ok()
    }
}

/// Periods that read well on an axis, smallest first.
pub const NICE_PERIODS_S: [u32; 15] = [
    60, 120, 180, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
];

/// The smallest nice period that shows `span` in at most `points` buckets, no finer than the
/// resolution CloudWatch keeps for data that old.
pub fn period_for(span: EpochMs, points: usize, start: EpochMs, now: EpochMs) -> u32 {
    let raw = (span / 1000).div_euclid(points.max(1) as EpochMs).max(1);
    let floor = resolution_s(start, now);
    NICE_PERIODS_S
        .into_iter()
        .find(|&p| EpochMs::from(p) >= raw && p >= floor && p % floor == 0)
        .unwrap_or(604800)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: EpochMs = 1_800_000_000_000 - 7 * MINUTE_MS; // on a minute boundary

    #[test]
    fn a_window_at_the_window_length_is_one_bucket_of_exactly_that_window() {
        // 10:17 → 11:17 asked as one period: CloudWatch must see 10:17 → 11:17, not 10:00 → 12:00.
        let w = TimeWindow::new(NOW - HOUR_MS, NOW);
        let plan = MetricPlan::new(w, 3600, NOW);
        assert_eq!(plan.window, w);
        assert_eq!(plan.buckets(), 1);
    }

    #[test]
    fn buckets_align_to_the_window_start_and_cover_it_whole() {
        for period in [60, 300, 3600] {
            let w = TimeWindow::new(NOW - 3 * HOUR_MS, NOW);
            let plan = MetricPlan::new(w, period, NOW);
            assert_eq!(plan.window, w, "period {period}");
            assert_eq!(plan.period_s, period);
            assert_eq!(plan.bucket_of(w.start), Some(0));
            assert_eq!(plan.bucket_of(w.end - 1), Some(plan.buckets() - 1));
            assert_eq!(plan.bucket_of(w.end), None);
        }
    }

    #[test]
    fn a_window_that_is_not_whole_periods_grows_backwards_never_forwards() {
        let w = TimeWindow::new(NOW - 50 * MINUTE_MS, NOW);
        let plan = MetricPlan::new(w, 3600, NOW);
        assert_eq!(plan.window.end, NOW);
        assert_eq!(plan.window.start, NOW - HOUR_MS);
        // A period that is not a whole minute is rounded up to one.
        assert_eq!(MetricPlan::new(w, 90, NOW).period_s, 120);
    }

    #[test]
    fn old_windows_use_the_resolution_cloudwatch_kept() {
        let w = TimeWindow::new(NOW - 20 * DAY_MS, NOW - 19 * DAY_MS);
        let plan = MetricPlan::new(w, 60, NOW);
        assert_eq!(plan.period_s, 300);
        assert_eq!(plan.window.start % (300 * 1000), 0);
        let w = TimeWindow::new(NOW - 90 * DAY_MS, NOW - 89 * DAY_MS);
        assert_eq!(MetricPlan::new(w, 120, NOW).period_s, 3600);
        assert_eq!(resolution_s(NOW - 14 * DAY_MS, NOW), 60);
    }

    #[test]
    fn periods_fit_the_points_asked_for() {
        assert_eq!(period_for(HOUR_MS, 60, NOW - HOUR_MS, NOW), 60);
        assert_eq!(period_for(HOUR_MS, 20, NOW - HOUR_MS, NOW), 180);
        assert_eq!(period_for(DAY_MS, 100, NOW - DAY_MS, NOW), 900);
        assert_eq!(period_for(30 * DAY_MS, 100, NOW - 30 * DAY_MS, NOW), 43200);
        // Nothing finer than the resolution of data that old.
        assert_eq!(period_for(HOUR_MS, 60, NOW - 20 * DAY_MS, NOW), 300);
    }
}

#[cfg(test)]
mod span_tests {
    use super::*;

    #[test]
    fn one_span_language_for_every_command() {
        assert_eq!(parse_span("90s"), Ok(90_000));
        assert_eq!(parse_span("30m"), Ok(30 * MINUTE_MS));
        assert_eq!(
            parse_span("30"),
            Ok(30 * MINUTE_MS),
            "a bare number is minutes"
        );
        assert_eq!(parse_span("3h"), Ok(3 * HOUR_MS));
        assert_eq!(parse_span("2d"), Ok(2 * DAY_MS));
        assert_eq!(parse_span("2w"), Ok(14 * DAY_MS));
        assert_eq!(parse_span(" 15min "), Ok(15 * MINUTE_MS));
        for bad in ["", "h", "3y", "0m", "-1h", "999999999999999d", "456d"] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
    }
}
