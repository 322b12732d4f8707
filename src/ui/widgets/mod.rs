//! Pieces shared by screens: charts, spinners, centred boxes.
pub mod chart;

/// A braille spinner frame; the loop ticks it only while something is loading.
pub fn spinner(frame: u64) -> &'static str {
    const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    FRAMES[(frame % FRAMES.len() as u64) as usize]
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
