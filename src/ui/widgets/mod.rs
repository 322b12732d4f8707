//! Pieces shared by screens: charts, spinners, centred boxes.
pub mod chart;

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
