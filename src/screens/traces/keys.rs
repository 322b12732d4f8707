//! The trace list's keys.

use crossterm::event::KeyCode;

use super::TracesAction;
use crate::app::keys::{Binding, Char, Code, b, rows};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

const fn own(a: TracesAction) -> Action {
    Action::Screen(ScreenAction::Traces(a))
}

/// The keys, searched in order: moving through the rows, then this screen's own.
pub const KEYS: &[&[Binding]] = &[&rows("down", "up", "first row", "last row"), OWN];

const OWN: &[Binding] = &[
    b(
        &[Code(KeyCode::Enter)],
        "enter",
        Action::Enter,
        "open waterfall",
        true,
    ),
    b(
        &[Char('f')],
        "f",
        own(TracesAction::Expression),
        "X-Ray filter expression",
        true,
    ),
    b(&[Char('/')], "/", Action::Filter, "search", true),
    b(
        &[Char('s')],
        "s",
        own(TracesAction::SortNext),
        "sort column",
        true,
    ),
    b(
        &[Char('S')],
        "S",
        own(TracesAction::SortReverse),
        "reverse sort",
        false,
    ),
    b(
        &[Code(KeyCode::Esc), Code(KeyCode::Backspace)],
        "esc",
        Action::Back,
        "clear search / back",
        true,
    ),
];

/// Filter expressions worth knowing, for help and the expression box.
pub const EXAMPLES: &[(&str, &str)] = &[
    ("fault", "answered 5xx"),
    ("error OR throttle", "answered 4xx or 429"),
    ("responsetime > 5", "slower than 5 s"),
    ("http.status = 500", "by status"),
    (
        "service(\"orders\") { fault }",
        "where that service faulted",
    ),
    (
        "service(id(name: \"fn\", type: \"AWS::Lambda::Function\"))",
        "through one function",
    ),
    ("annotation.Service = \"payments\"", "by annotation"),
    ("http.url CONTAINS \"/orders\"", "by URL"),
];
