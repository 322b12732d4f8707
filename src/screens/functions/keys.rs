//! The functions screen's keys.

use crossterm::event::KeyCode;

use super::FunctionsAction;
use crate::app::keys::{Binding, Char, Code, b, rows};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

const fn own(a: FunctionsAction) -> Action {
    Action::Screen(ScreenAction::Functions(a))
}

/// The keys, searched in order: moving through the rows, then this screen's own.
pub const KEYS: &[&[Binding]] = &[&rows("down", "up", "first row", "last row"), OWN];

const OWN: &[Binding] = &[
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
