//! The service map's keys.

use crossterm::event::KeyCode;

use super::MapAction;
use crate::app::keys::{Binding, Char, Code, b};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

pub const KEYS: &[Binding] = &[
    b(
        &[Char('j'), Code(KeyCode::Down)],
        "j/↓",
        Action::Down,
        "next node",
        false,
    ),
    b(
        &[Char('k'), Code(KeyCode::Up)],
        "k/↑",
        Action::Up,
        "previous node",
        false,
    ),
    b(
        &[Char('h'), Code(KeyCode::Left)],
        "h/←",
        Action::Left,
        "caller",
        false,
    ),
    b(
        &[Char('l'), Code(KeyCode::Right)],
        "l/→",
        Action::Right,
        "first callee",
        false,
    ),
    b(
        &[Char('g'), Code(KeyCode::Home)],
        "g",
        Action::Top,
        "first node",
        false,
    ),
    b(
        &[Char('G'), Code(KeyCode::End)],
        "G",
        Action::Bottom,
        "last node",
        false,
    ),
    b(
        &[Code(KeyCode::Enter)],
        "enter",
        Action::Enter,
        "its traces",
        true,
    ),
    b(
        &[Char('c')],
        "c",
        Action::Screen(ScreenAction::Map(MapAction::Collapse)),
        "fold Lambda nodes into functions",
        true,
    ),
    b(
        &[Code(KeyCode::Esc), Code(KeyCode::Backspace)],
        "esc",
        Action::Back,
        "back",
        true,
    ),
];
