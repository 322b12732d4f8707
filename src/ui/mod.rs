//! Drawing only: every function here borrows State and Theme and writes to a Frame.
//!
//! ```text
//! ┌ header: brand · source · window · health summary · clock ───────────────┐
//! │ the current screen (views/)                                             │
//! │                                                                         │
//! ├ status: message, or what is failing; source health on the right ───────┤
//! └ hints (generated from the keymap) / filter box / palette input ─────────┘
//! ```

pub mod format;
pub mod screenshots;
pub mod svg;
pub mod views;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::Block;

use crate::state::{Overlay, Screen, State};
use crate::theme::Theme;

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.base), area);
    if area.height < 4 || area.width < 10 {
        // Too small for anything useful; say so rather than draw garbage.
        frame.render_widget(
            ratatui::widgets::Paragraph::new("lambdascope").style(theme.dim),
            area,
        );
        return;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(widgets::header::Header { state, theme }, header);
    match state.screen() {
        Screen::Functions => {
            frame.render_widget(views::functions::FunctionsView { state, theme }, body)
        }
        Screen::Function => frame.render_widget(views::detail::DetailView { state, theme }, body),
    }
    frame.render_widget(widgets::status::StatusLine { state, theme }, status);
    frame.render_widget(widgets::status::Footer { state, theme }, footer);
    match &state.overlay {
        Some(Overlay::Help) => {
            frame.render_widget(widgets::help::HelpOverlay { state, theme }, body)
        }
        Some(Overlay::Palette(text)) => {
            frame.render_widget(widgets::palette::PaletteOverlay { text, theme }, body);
            if let Some(pos) = widgets::status::cursor(state, footer) {
                frame.set_cursor_position(pos);
            }
        }
        Some(Overlay::Usage) => {
            frame.render_widget(widgets::help::UsageOverlay { state, theme }, body)
        }
        None => {
            if let Some(pos) = widgets::status::cursor(state, footer) {
                frame.set_cursor_position(pos);
            }
        }
    }
}
