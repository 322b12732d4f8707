//! Pieces shared by screens: charts, spinners, centred boxes, table cells, waterfalls.
pub mod chart;
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

/// The first row to show so that row `selected` of `len` is inside a viewport of `height`
/// rows, scrolling from `offset` as little as possible.
pub fn keep_in_view(selected: usize, offset: usize, len: usize, height: usize) -> usize {
    let height = height.max(1);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    };
    offset.min(len.saturating_sub(height))
}
