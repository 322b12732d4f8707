//! The dashboard's keys.

use crossterm::event::KeyCode;

use super::DashboardAction;
use crate::app::keys::{Binding, Char, Code, b};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

pub const KEYS: &[Binding] = &[
    b(
        &[Code(KeyCode::Esc), Code(KeyCode::Backspace)],
        "esc",
        Action::Back,
        "back",
        true,
    ),
    b(
        &[Code(KeyCode::Tab)],
        "tab",
        Action::NextPanel,
        "charts / configuration",
        true,
    ),
    b(
        &[Char('j'), Code(KeyCode::Down)],
        "j/↓",
        Action::Down,
        "scroll configuration",
        false,
    ),
    b(
        &[Char('k'), Code(KeyCode::Up)],
        "k/↑",
        Action::Up,
        "scroll configuration up",
        false,
    ),
    b(
        &[Char('l')],
        "l",
        Action::Screen(ScreenAction::Dashboard(DashboardAction::Logs)),
        "logs",
        true,
    ),
];
