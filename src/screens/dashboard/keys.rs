//! The dashboard's keys.

use crossterm::event::KeyCode;

use super::DashboardAction;
use crate::app::keys::{Binding, Char, Code, b};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

const fn own(a: DashboardAction) -> Action {
    Action::Screen(ScreenAction::Dashboard(a))
}

pub const KEYS: &[Binding] = &[
    b(
        &[Code(KeyCode::Esc), Code(KeyCode::Backspace)],
        "esc",
        Action::Back,
        "back",
        true,
    ),
    b(
        &[Char('t')],
        "t",
        Action::Screen(ScreenAction::Dashboard(DashboardAction::Traces)),
        "traces",
        true,
    ),
    b(
        &[Code(KeyCode::Tab)],
        "tab",
        Action::NextPanel,
        "panels",
        true,
    ),
    b(
        &[Char('h'), Code(KeyCode::Left)],
        "←/h",
        Action::Left,
        "cursor back",
        true,
    ),
    b(
        &[Char('l'), Code(KeyCode::Right)],
        "→/l",
        Action::Right,
        "cursor forward",
        false,
    ),
    b(
        &[Char('g'), Code(KeyCode::Home)],
        "g",
        Action::Top,
        "cursor to the start",
        false,
    ),
    b(
        &[Char('G'), Code(KeyCode::End)],
        "G",
        Action::Bottom,
        "cursor to the end",
        false,
    ),
    b(
        &[Char('j'), Code(KeyCode::Down)],
        "j/↓",
        Action::Down,
        "next chart / scroll",
        false,
    ),
    b(
        &[Char('k'), Code(KeyCode::Up)],
        "k/↑",
        Action::Up,
        "previous chart / scroll up",
        false,
    ),
    b(
        &[Char('m')],
        "m",
        own(DashboardAction::Mark),
        "mark incident",
        true,
    ),
    b(
        &[Char('s')],
        "s",
        own(DashboardAction::SelectSpike),
        "select spike",
        true,
    ),
    b(
        &[Char('<')],
        "<",
        own(DashboardAction::PanBack),
        "pan back in time",
        false,
    ),
    b(
        &[Char('>')],
        ">",
        own(DashboardAction::PanForward),
        "pan forward (to now)",
        false,
    ),
    b(&[Char('L')], "L", own(DashboardAction::Logs), "logs", true),
];
