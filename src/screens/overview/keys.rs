//! The overview's keys.

use crossterm::event::KeyCode;

use crate::app::keys::{Binding, Char, Code, b};
use crate::app::msg::Action;

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
        "next ranking",
        true,
    ),
    b(
        &[Char('j'), Code(KeyCode::Down)],
        "j/↓",
        Action::Down,
        "next function",
        false,
    ),
    b(
        &[Char('k'), Code(KeyCode::Up)],
        "k/↑",
        Action::Up,
        "previous function",
        false,
    ),
    b(
        &[Code(KeyCode::Enter)],
        "enter",
        Action::Enter,
        "open function",
        true,
    ),
];
