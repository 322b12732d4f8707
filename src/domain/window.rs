//! The time window every panel looks at, and the metric period that suits it.

use super::{DAY_MS, EpochMs, HOUR_MS, MINUTE_MS, TimeWindow, period_for};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowChoice {
    M15,
    #[default]
    H1,
    H3,
    H12,
    D1,
    D7,
    D30,
}

impl WindowChoice {
    pub const ALL: [WindowChoice; 7] = [
        WindowChoice::M15,
        WindowChoice::H1,
        WindowChoice::H3,
        WindowChoice::H12,
        WindowChoice::D1,
        WindowChoice::D7,
        WindowChoice::D30,
    ];

    /// How the choices are listed in help, errors and `--help`.
    pub const LIST: &'static str = "15m, 1h, 3h, 12h, 1d, 7d or 30d";

    pub fn span(self) -> EpochMs {
        match self {
            WindowChoice::M15 => 15 * MINUTE_MS,
            WindowChoice::H1 => HOUR_MS,
            WindowChoice::H3 => 3 * HOUR_MS,
            WindowChoice::H12 => 12 * HOUR_MS,
            WindowChoice::D1 => DAY_MS,
            WindowChoice::D7 => 7 * DAY_MS,
            WindowChoice::D30 => 30 * DAY_MS,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WindowChoice::M15 => "15m",
            WindowChoice::H1 => "1h",
            WindowChoice::H3 => "3h",
            WindowChoice::H12 => "12h",
            WindowChoice::D1 => "1d",
            WindowChoice::D7 => "7d",
            WindowChoice::D30 => "30d",
        }
    }

    pub fn parse(s: &str) -> Option<WindowChoice> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|w| w.label() == s || (s == "24h" && *w == WindowChoice::D1))
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

    /// Period for charts: at most 60 points, by CloudWatch's rules for data that old.
    pub fn chart_period_s(self, now: EpochMs) -> u32 {
        period_for(self.span(), 60, now - self.span(), now)
    }

    /// Period for the sparkline column: at most 20 buckets.
    pub fn spark_period_s(self, now: EpochMs) -> u32 {
        period_for(self.span(), 20, now - self.span(), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_divide_the_window_and_points_are_bounded() {
        let now = 1_800_000_000_000;
        for w in WindowChoice::ALL {
            for (p, most) in [(w.chart_period_s(now), 60), (w.spark_period_s(now), 20)] {
                assert_eq!(p % 60, 0, "{w:?}");
                // Whole buckets, so no bar at either edge is a partial one.
                assert_eq!(w.span() % (i64::from(p) * 1000), 0, "{w:?} at {p}s");
                let points = w.span() / 1000 / i64::from(p);
                assert!(
                    (1..=most).contains(&points),
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
        assert_eq!(WindowChoice::D30.next(), WindowChoice::D30);
        assert_eq!(WindowChoice::parse("30d"), Some(WindowChoice::D30));
        assert_eq!(WindowChoice::M15.prev(), WindowChoice::M15);
    }
}
