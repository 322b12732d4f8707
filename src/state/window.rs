//! The time window every panel looks at, and the metric period that suits it.

use crate::source::{DAY_MS, EpochMs, HOUR_MS, MINUTE_MS, TimeWindow};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowChoice {
    M15,
    #[default]
    H1,
    H3,
    H12,
    D1,
    D3,
    D7,
}

impl WindowChoice {
    pub const ALL: [WindowChoice; 7] = [
        WindowChoice::M15,
        WindowChoice::H1,
        WindowChoice::H3,
        WindowChoice::H12,
        WindowChoice::D1,
        WindowChoice::D3,
        WindowChoice::D7,
    ];

    pub fn span(self) -> EpochMs {
        match self {
            WindowChoice::M15 => 15 * MINUTE_MS,
            WindowChoice::H1 => HOUR_MS,
            WindowChoice::H3 => 3 * HOUR_MS,
            WindowChoice::H12 => 12 * HOUR_MS,
            WindowChoice::D1 => DAY_MS,
            WindowChoice::D3 => 3 * DAY_MS,
            WindowChoice::D7 => 7 * DAY_MS,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WindowChoice::M15 => "15m",
            WindowChoice::H1 => "1h",
            WindowChoice::H3 => "3h",
            WindowChoice::H12 => "12h",
            WindowChoice::D1 => "24h",
            WindowChoice::D3 => "3d",
            WindowChoice::D7 => "7d",
        }
    }

    pub fn parse(s: &str) -> Option<WindowChoice> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|w| w.label() == s || (s == "1d" && *w == WindowChoice::D1))
    }

    pub fn next(self) -> WindowChoice {
        let i = Self::ALL.iter().position(|w| *w == self).unwrap_or(0);
        Self::ALL[(i + 1).min(Self::ALL.len() - 1)]
    }

    pub fn prev(self) -> WindowChoice {
        let i = Self::ALL.iter().position(|w| *w == self).unwrap_or(0);
        Self::ALL[i.saturating_sub(1)]
    }

    /// The window ending at the last complete minute: the minute in progress would show as a
    /// false drop at the right edge of every chart, and refreshes within a minute ask for the
    /// same periods.
    pub fn window(self, now: EpochMs) -> TimeWindow {
        let end = now.div_euclid(MINUTE_MS) * MINUTE_MS;
        TimeWindow::new(end - self.span(), end)
    }

    /// Period for charts: about 60 points, a multiple of 60 s, and coarse enough for
    /// CloudWatch's retention (5 min beyond 15 days, 1 h beyond 63 days).
    pub fn chart_period_s(self) -> u32 {
        let raw = (self.span() / 1000 / 60) as u32;
        let nice = [60, 300, 900, 1800, 3600, 10800];
        nice.into_iter().find(|&p| p >= raw).unwrap_or(10800)
    }

    /// Period for the sparkline column: about 20 buckets.
    pub fn spark_period_s(self) -> u32 {
        let raw = (self.span() / 1000 / 20) as u32;
        [60, 180, 300, 900, 1800, 3600, 7200, 21600, 43200]
            .into_iter()
            .find(|&p| p >= raw)
            .unwrap_or(43200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_minute_multiples_and_points_are_bounded() {
        for w in WindowChoice::ALL {
            for p in [w.chart_period_s(), w.spark_period_s()] {
                assert_eq!(p % 60, 0, "{w:?}");
                let points = w.span() / 1000 / i64::from(p);
                assert!(
                    (1..=61).contains(&points),
                    "{w:?} has {points} points at {p}s"
                );
            }
        }
    }

    #[test]
    fn window_ends_on_the_last_complete_minute() {
        let w = WindowChoice::H1.window(10 * MINUTE_MS + 5);
        assert_eq!(w.end, 10 * MINUTE_MS);
        assert_eq!(w.len_ms(), HOUR_MS);
        assert_eq!(WindowChoice::parse("24h"), Some(WindowChoice::D1));
        assert_eq!(WindowChoice::parse("1d"), Some(WindowChoice::D1));
        assert_eq!(WindowChoice::D7.next(), WindowChoice::D7);
        assert_eq!(WindowChoice::M15.prev(), WindowChoice::M15);
    }
}
