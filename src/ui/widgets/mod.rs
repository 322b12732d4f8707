//! Pieces shared by screens: charts, spinners, centred boxes, table cells, waterfalls.
pub mod chart;
pub mod cursor;
pub mod waterfall;

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

/// A braille spinner frame; the loop ticks it only while something is loading.
pub fn spinner(frame: u64) -> &'static str {
    const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    FRAMES[(frame % FRAMES.len() as u64) as usize]
}

/// Whether the terminal can draw braille: not on the Linux console (its font has none), a
/// dumb or VT100 terminal, or a locale that is not UTF-8 (`LC_ALL`, then `LC_CTYPE`, then
/// `LANG`, as the C library reads them).
pub fn braille_unsupported(
    term: Option<&str>,
    lc_all: Option<&str>,
    lc_ctype: Option<&str>,
    lang: Option<&str>,
) -> bool {
    let term = term.unwrap_or_default();
    if matches!(term, "linux" | "dumb" | "vt100" | "vt220") || term.starts_with("cons25") {
        return true;
    }
    let locale = [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .unwrap_or("C");
    let l = locale.to_ascii_lowercase();
    !(l.contains("utf-8") || l.contains("utf8"))
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered_rect(area: ratatui::layout::Rect, w: u16, h: u16) -> ratatui::layout::Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    ratatui::layout::Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// One line of text centred a third of the way down `area` (empty states, loading).
pub fn centered(text: String, style: Style, area: Rect, buf: &mut Buffer) {
    let y = area.y + area.height / 3;
    let r = Rect {
        y,
        height: 1.min(area.bottom().saturating_sub(y)),
        ..area
    };
    Paragraph::new(Line::styled(text, style))
        .alignment(Alignment::Center)
        .render(r, buf);
}

/// A message centred a third of the way down `area`, wrapped to its width (errors that name
/// an id and say what to do).
pub fn centered_wrapped(text: String, style: Style, area: Rect, buf: &mut Buffer) {
    let y = area.y + area.height / 3;
    let r = Rect {
        y,
        height: area.bottom().saturating_sub(y),
        ..area
    };
    Paragraph::new(Line::styled(text, style))
        .alignment(Alignment::Center)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(r, buf);
}

/// Writes `text` into a `w`-cell slot, truncating with `…`, right-aligned if asked.
pub fn put(buf: &mut Buffer, x: u16, y: u16, w: u16, text: &str, style: Style, right: bool) {
    let len = text.chars().count() as u16;
    let shown: String = if len > w {
        text.chars()
            .take(w.saturating_sub(1) as usize)
            .chain(std::iter::once('…'))
            .collect()
    } else {
        text.to_string()
    };
    let pad = if right {
        w.saturating_sub(shown.chars().count() as u16)
    } else {
        0
    };
    buf.set_stringn(x + pad, y, shown, w as usize, style);
}

#[cfg(test)]
mod tests {
    use super::braille_unsupported;

    #[test]
    fn braille_needs_a_utf8_locale_and_a_capable_terminal() {
        let utf8 = Some("en_US.UTF-8");
        assert!(!braille_unsupported(
            Some("xterm-256color"),
            None,
            None,
            utf8
        ));
        assert!(braille_unsupported(Some("linux"), None, None, utf8));
        assert!(braille_unsupported(Some("xterm"), None, None, Some("C")));
        assert!(braille_unsupported(Some("xterm"), None, None, None));
        // LC_ALL wins over LANG.
        assert!(braille_unsupported(
            Some("xterm"),
            Some("POSIX"),
            None,
            utf8
        ));
        assert!(!braille_unsupported(
            Some("tmux-256color"),
            None,
            Some("C.utf8"),
            Some("C")
        ));
    }
}
