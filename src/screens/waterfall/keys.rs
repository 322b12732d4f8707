//! The waterfall's keys.

use crossterm::event::KeyCode;

use super::WaterfallAction;
use crate::app::keys::{Binding, Char, Code, b, rows};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

const fn own(a: WaterfallAction) -> Action {
    Action::Screen(ScreenAction::Waterfall(a))
}

/// The keys, searched in order: moving through the rows, then this screen's own.
pub const KEYS: &[&[Binding]] = &[
    &rows(
        "next span (or scroll the pane)",
        "previous span",
        "first span",
        "last span",
    ),
    OWN,
];

const OWN: &[Binding] = &[
    b(
        &[Code(KeyCode::Enter), Char(' ')],
        "space",
        Action::Enter,
        "fold / unfold",
        true,
    ),
    b(
        &[Char('h'), Code(KeyCode::Left)],
        "h/←",
        Action::Left,
        "fold, or go to the parent",
        false,
    ),
    b(
        &[Char('l'), Code(KeyCode::Right)],
        "l/→",
        Action::Right,
        "unfold, or go to the first child",
        false,
    ),
    b(
        &[Char('z')],
        "z",
        own(WaterfallAction::FoldAll),
        "fold all below the selection / unfold all",
        false,
    ),
    b(
        &[Char('s')],
        "s",
        own(WaterfallAction::Slowest),
        "slowest span (most self-time)",
        true,
    ),
    b(
        &[Char('n')],
        "n",
        own(WaterfallAction::NextError),
        "next fault, error or throttle",
        true,
    ),
    b(
        &[Char('N')],
        "N",
        own(WaterfallAction::PrevError),
        "previous fault, error or throttle",
        false,
    ),
    b(
        &[Char('c')],
        "c",
        own(WaterfallAction::NextCritical),
        "next span on the critical path",
        true,
    ),
    b(
        &[Char('C')],
        "C",
        own(WaterfallAction::PrevCritical),
        "previous span on the critical path",
        false,
    ),
    b(
        &[Char('w')],
        "w",
        own(WaterfallAction::Compare),
        "compare with a warm trace",
        true,
    ),
    b(
        &[Char('L')],
        "L",
        own(WaterfallAction::Logs),
        "this invocation's logs",
        true,
    ),
    b(
        &[Code(KeyCode::Tab)],
        "tab",
        Action::NextPanel,
        "spans / detail pane",
        false,
    ),
    b(
        &[Code(KeyCode::Esc), Code(KeyCode::Backspace)],
        "esc",
        Action::Back,
        "back",
        true,
    ),
];
