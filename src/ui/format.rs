//! Numbers, durations and times as an on-call engineer reads them at a glance.

use crate::domain::{EpochMs, HOUR_MS, MINUTE_MS};

/// 7, 842, 12.3k, 4.1M.
pub fn count(v: f64) -> String {
    let v = v.max(0.0);
    if v < 1000.0 {
        format!("{}", v.round() as u64)
    } else if v < 100_000.0 {
        format!("{:.1}k", v / 1000.0)
    } else if v < 1_000_000.0 {
        format!("{}k", (v / 1000.0).round() as u64)
    } else {
        format!("{:.1}M", v / 1_000_000.0)
    }
}

/// 850µs, 12ms, 840ms, 1.24s, 3m05s.
pub fn millis(ms: f64) -> String {
    if ms < 1.0 {
        format!("{}µs", (ms * 1000.0).round() as u64)
    } else if ms < 1000.0 {
        format!("{}ms", ms.round() as u64)
    } else if ms < 60_000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else {
        let s = (ms / 1000.0).round() as u64;
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

pub fn percent(p: f64) -> String {
    if p == 0.0 {
        "0%".into()
    } else if p < 0.1 {
        "<0.1%".into()
    } else if p < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{}%", p.round() as u64)
    }
}

/// "40m ago", "3h ago", "12d ago".
pub fn ago(then: EpochMs, now: EpochMs) -> String {
    let d = (now - then).max(0);
    if d < MINUTE_MS {
        "just now".into()
    } else if d < HOUR_MS {
        format!("{}m ago", d / MINUTE_MS)
    } else if d < 48 * HOUR_MS {
        format!("{}h ago", d / HOUR_MS)
    } else {
        format!("{}d ago", d / (24 * HOUR_MS))
    }
}

/// "14:02:11 UTC".
pub fn clock(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

pub use crate::domain::{iso, time_of_day};

/// "14:02:11.123".
pub fn time_ms(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// "2026-11-23 14:02:11.123": a moment on a span longer than a day, where the time of day
/// alone is ambiguous.
pub fn date_time_ms(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// "+1.2s", "-3m05s": a time relative to another, for relative timestamps.
pub fn relative(t: EpochMs, to: EpochMs) -> String {
    let d = t - to;
    let sign = if d < 0 { "-" } else { "+" };
    format!("{sign}{}", millis(d.unsigned_abs() as f64))
}

/// "14:02" (or "Nov 21" for axis labels of multi-day windows).
pub fn axis_time(t: EpochMs, span: EpochMs) -> String {
    let fmt = if span > 2 * 24 * HOUR_MS {
        "%b %d %H:%M"
    } else {
        "%H:%M"
    };
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format(fmt).to_string())
        .unwrap_or_default()
}

/// "13:20–13:35", with the day when it is not today's ("Nov 22 23:50–00:10").
pub fn span(w: crate::domain::TimeWindow) -> String {
    let hm = |t: EpochMs, fmt: &str| {
        chrono::DateTime::from_timestamp_millis(t)
            .map(|d| d.format(fmt).to_string())
            .unwrap_or_default()
    };
    let long = w.len_ms() >= 24 * HOUR_MS;
    let (a, b) = if long {
        (hm(w.start, "%b %d %H:%M"), hm(w.end, "%b %d %H:%M"))
    } else {
        (hm(w.start, "%H:%M"), hm(w.end, "%H:%M"))
    };
    format!("{a}–{b}")
}

/// Words into lines of at most `width` characters (a longer word gets a line of its own).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for word in text.split_whitespace() {
        match out.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width.max(1) => {
                l.push(' ');
                l.push_str(word);
            }
            _ => out.push(word.to_string()),
        }
    }
    out
}

pub fn date_time(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

pub fn bytes(b: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = b as f64;
    if b < 1024 {
        format!("{b} B")
    } else if f < KIB * KIB {
        format!("{:.1} KB", f / KIB)
    } else if f < KIB * KIB * KIB {
        format!("{:.1} MB", f / KIB / KIB)
    } else {
        format!("{:.1} GB", f / KIB / KIB / KIB)
    }
}

/// `1 call`, `2 calls`: a count and its noun, singular when it is one.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Eight-level bars for a sparkline. Scaled between the series' own minimum and maximum so the
/// trend shows (traffic that moves ±20 % would otherwise be a solid block); a period with no
/// traffic at all stays blank.
pub fn sparkline(values: &[f64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if values.is_empty() || width == 0 {
        return String::new();
    }
    // Resample to the width by taking bucket maxima (spikes stay visible).
    let n = values.len();
    let w = width.min(n);
    let cols: Vec<f64> = (0..w)
        .map(|i| {
            let (a, b) = (i * n / w, ((i + 1) * n / w).max(i * n / w + 1));
            values[a..b.min(n)].iter().copied().fold(0.0, f64::max)
        })
        .collect();
    let max = cols.iter().copied().fold(0.0, f64::max);
    let min = cols
        .iter()
        .copied()
        .filter(|v| *v > 0.0)
        .fold(max, f64::min);
    cols.iter()
        .map(|&v| {
            if v <= 0.0 {
                ' '
            } else if max - min <= max * 0.02 {
                BARS[3] // flat
            } else {
                BARS[((v - min) / (max - min) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

/// Text from outside (AWS, logs) made safe to draw: control characters become visible escapes,
/// so nothing can move the cursor, set the title or the clipboard.
/// The sanitizer decides what is unsafe (controls, escapes, bidi overrides), not this function.
pub fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    crate::parse::sanitize::escape_plain_cow(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_plurals_read_right() {
        assert_eq!(bytes(179), "179 B");
        assert_eq!(bytes(2048), "2.0 KB");
        assert_eq!(bytes(22_900_000), "21.8 MB");
        assert_eq!(bytes(3 << 30), "3.0 GB");
        assert_eq!(plural(1, "call", "calls"), "1 call");
        assert_eq!(plural(12, "call", "calls"), "12 calls");
    }

    #[test]
    fn formats() {
        assert_eq!(count(7.0), "7");
        assert_eq!(count(12_345.0), "12.3k");
        assert_eq!(count(2_500_000.0), "2.5M");
        assert_eq!(millis(0.5), "500µs");
        assert_eq!(millis(84.6), "85ms");
        assert_eq!(millis(1234.0), "1.23s");
        assert_eq!(millis(185_000.0), "3m05s");
        assert_eq!(percent(18.24), "18%");
        assert_eq!(percent(1.26), "1.3%");
        assert_eq!(percent(0.01), "<0.1%");
        assert_eq!(ago(0, 40 * MINUTE_MS), "40m ago");
        assert_eq!(sparkline(&[0.0, 1.0, 2.5, 4.0], 4), " ▁▅█");
        assert_eq!(sparkline(&[100.0, 110.0, 120.0], 3), "▁▅█");
        assert_eq!(sparkline(&[5.0, 5.0], 2), "▄▄");
        assert_eq!(sparkline(&[1.0; 40], 10).chars().count(), 10);
        assert_eq!(sparkline(&[], 10), "");
        assert_eq!(
            wrap("n/a: cold starts come from", 12),
            ["n/a: cold", "starts come", "from"]
        );
    }

    #[test]
    fn text_from_outside_is_drawn_safely() {
        assert!(matches!(
            safe("orders-api-create"),
            std::borrow::Cow::Borrowed(_)
        ));
        // A bidi override is not a control character, but it makes text read other than it is.
        assert_eq!(safe("admin\u{202e}txt.exe"), "admin\\u{202e}txt.exe");
        assert_eq!(safe("\x1b]52;c;ZXZpbA==\x07"), "\\e]52;c;ZXZpbA==\\x07");
    }
}
