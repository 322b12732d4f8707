//! The frame around the screen on top. Every piece borrows State and Theme and writes to a
//! Frame; the screen draws itself through the router.
//!
//! ```text
//! ┌ header: brand · source · window · health summary · clock ───────────────┐
//! │ the screen on top (screens/…/view.rs)                                   │
//! │                                                                         │
//! ├ status: message, stale data, or what is failing; source health right ──┤
//! └ hints (generated from the keymaps) / the screen's input / the palette ──┘
//! ```

pub mod header;
pub mod help;
pub mod palette;
pub mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::{Block, Paragraph};

use super::state::{Overlay, State};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.base), area);
    if area.height < 4 || area.width < 10 {
        // Too small for anything useful; say so rather than draw garbage.
        frame.render_widget(Paragraph::new("lambdascope").style(theme.dim), area);
        return;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(header::Header { state, theme }, header);
    state
        .top()
        .base()
        .render(&state.ctx, theme, body, frame.buffer_mut());
    frame.render_widget(status::StatusLine { state, theme }, status);
    frame.render_widget(status::Footer { state, theme }, footer);
    match &state.overlay {
        Some(Overlay::Help) => frame.render_widget(help::HelpOverlay { state, theme }, body),
        Some(Overlay::Palette(text)) => {
            frame.render_widget(palette::PaletteOverlay { text, theme }, body)
        }
        Some(Overlay::Usage) => frame.render_widget(help::UsageOverlay { state, theme }, body),
        None => {}
    }
    if let Some(pos) = status::cursor(state, footer) {
        frame.set_cursor_position(pos);
    }
}

/// Draws the console into an off-screen buffer: snapshots, screenshots, benchmarks.
pub fn render(state: &State, theme: &Theme) -> ratatui::buffer::Buffer {
    let backend = ratatui::backend::TestBackend::new(state.ctx.size.0, state.ctx.size.1);
    let Ok(mut terminal) = ratatui::Terminal::new(backend);
    let Ok(_) = terminal.draw(|f| draw(f, state, theme));
    terminal.backend().buffer().clone()
}
