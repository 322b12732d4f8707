//! The functions screen's keys.

use crossterm::event::KeyCode;

use super::FunctionsAction;
use crate::app::keys::{Binding, Char, Code, Ctrl, b};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

const fn own(a: FunctionsAction) -> Action {
    Action::Screen(ScreenAction::Functions(a))
}

pub const KEYS: &[Binding] = &[
    b(
        &[Char('j'), Code(KeyCode::Down)],
        "j/↓",
        Action::Down,
        "down",
        false,
    ),
    b(
        &[Char('k'), Code(KeyCode::Up)],
        "k/↑",
        Action::Up,
        "up",
        false,
    ),
    b(
        &[Ctrl('d'), Code(KeyCode::PageDown)],
        "ctrl-d",
        Action::PageDown,
        "page down",
        false,
    ),
    b(
        &[Ctrl('u'), Code(KeyCode::PageUp)],
        "ctrl-u",
        Action::PageUp,
        "page up",
        false,
    ),
    b(
        &[Char('g'), Code(KeyCode::Home)],
        "g",
        Action::Top,
        "first row",
        false,
    ),
    b(
        &[Char('G'), Code(KeyCode::End)],
        "G",
        Action::Bottom,
        "last row",
        false,
    ),
    b(
        &[Code(KeyCode::Enter)],
        "enter",
        Action::Enter,
        "open function",
        true,
    ),
    b(&[Char('/')], "/", Action::Filter, "filter", true),
    b(
        &[Char('s')],
        "s",
        own(FunctionsAction::SortNext),
        "sort column",
        true,
    ),
    b(
        &[Char('S')],
        "S",
        own(FunctionsAction::SortReverse),
        "reverse sort",
        false,
    ),
    b(
        &[Char('t')],
        "t",
        own(FunctionsAction::Traces),
        "its traces",
        false,
    ),
    b(
        &[Char('l'), Char('L')],
        "l",
        own(FunctionsAction::Logs),
        "logs (of the picked ones)",
        false,
    ),
    b(
        &[Char(' ')],
        "space",
        own(FunctionsAction::Mark),
        "pick for logs",
        false,
    ),
    b(
        &[Code(KeyCode::Esc)],
        "esc",
        Action::Back,
        "clear filter",
        false,
    ),
    b(
        &[Char('o')],
        "o",
        own(FunctionsAction::Overview),
        "account overview",
        false,
    ),
];
