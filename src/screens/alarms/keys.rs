//! The alarms screen's keys.

use crossterm::event::KeyCode;

use super::AlarmsAction;
use crate::app::keys::{Binding, Char, Code, b, rows};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

const fn own(a: AlarmsAction) -> Action {
    Action::Screen(ScreenAction::Alarms(a))
}

/// The keys, searched in order: moving through the rows, then this screen's own.
pub const KEYS: &[&[Binding]] = &[
    &rows("next alarm", "previous alarm", "first alarm", "last alarm"),
    OWN,
];

const OWN: &[Binding] = &[
    b(
        &[Code(KeyCode::Enter)],
        "enter",
        Action::Enter,
        "open what it watches",
        true,
    ),
    b(&[Char('/')], "/", Action::Filter, "filter", true),
    b(
        &[Char('s')],
        "s",
        own(AlarmsAction::SortNext),
        "sort column",
        true,
    ),
    b(
        &[Char('S')],
        "S",
        own(AlarmsAction::SortReverse),
        "reverse sort",
        false,
    ),
    b(
        &[Code(KeyCode::Esc), Code(KeyCode::Backspace)],
        "esc",
        Action::Back,
        "clear filter, back",
        true,
    ),
];
