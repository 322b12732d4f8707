//! The Logs screen's keys: reading lines, the Insights mode and the error groups.

use crossterm::event::KeyCode;

use super::LogsAction;
use crate::app::keys::{Binding, Char, Code, b, rows};
use crate::app::msg::Action;
use crate::app::router::ScreenAction;

const fn own(a: LogsAction) -> Action {
    Action::Screen(ScreenAction::Logs(a))
}

/// The keys, searched in order: moving through the rows, then this screen's own.
pub const KEYS: &[&[Binding]] = &[&MOVES, OWN];

/// The rows' moves, with `G` (follow again) in the footer.
const MOVES: [Binding; 6] = {
    let mut moves = rows(
        "down",
        "up (pauses; older lines at the top)",
        "oldest loaded (loads older)",
        "newest, follow",
    );
    moves[5].hint = true;
    moves
};

const OWN: &[Binding] = &[
    b(
        &[Code(KeyCode::Enter)],
        "enter",
        Action::Enter,
        "expand",
        true,
    ),
    b(&[Char('/')], "/", Action::Filter, "search", true),
    b(
        &[Char('n')],
        "n",
        own(LogsAction::NextMatch),
        "next match",
        false,
    ),
    b(
        &[Char('N')],
        "N",
        own(LogsAction::PrevMatch),
        "previous match",
        false,
    ),
    b(
        &[Char('M')],
        "M",
        own(LogsAction::SearchMode),
        "search mode: fuzzy/regex/exact",
        false,
    ),
    b(
        &[Char('m')],
        "m",
        own(LogsAction::MatchesOnly),
        "matches only / highlight",
        false,
    ),
    b(
        &[Char('e')],
        "e",
        own(LogsAction::ErrorsOnly),
        "errors only",
        true,
    ),
    b(
        &[Char('L')],
        "L",
        own(LogsAction::Level),
        "level filter",
        false,
    ),
    b(
        &[Char('E')],
        "E",
        own(LogsAction::NextError),
        "next error",
        false,
    ),
    b(
        &[Char('T')],
        "T",
        own(LogsAction::NextTimeout),
        "next timeout",
        false,
    ),
    b(
        &[Char('O')],
        "O",
        own(LogsAction::NextOom),
        "next out of memory",
        false,
    ),
    b(
        &[Char('C')],
        "C",
        own(LogsAction::NextCold),
        "next cold start",
        false,
    ),
    b(
        &[Char('t')],
        "t",
        own(LogsAction::Stamps),
        "timestamps: absolute/relative/off",
        false,
    ),
    b(&[Char('w')], "w", own(LogsAction::Wrap), "wrap", false),
    b(
        &[Char('z')],
        "z",
        own(LogsAction::Fold),
        "one row per invocation / every line",
        false,
    ),
    b(
        &[Char('y')],
        "y",
        own(LogsAction::Copy),
        "copy line or invocation, escaped (OSC 52)",
        false,
    ),
    b(
        &[Char('Y')],
        "Y",
        own(LogsAction::CopyRaw),
        "copy it raw, control characters and all",
        false,
    ),
    b(
        &[Char('s')],
        "s",
        own(LogsAction::Save),
        "save buffer (or filtered lines)",
        false,
    ),
    b(
        &[Char('o')],
        "o",
        own(LogsAction::OpenTrace),
        "open its trace",
        false,
    ),
    b(
        &[Char('i')],
        "i",
        own(LogsAction::Insights),
        "Logs Insights",
        true,
    ),
    b(
        &[Char('I')],
        "I",
        own(LogsAction::SearchToInsights),
        "search as an Insights query",
        false,
    ),
    b(
        &[Char('v')],
        "v",
        own(LogsAction::ErrorGroups),
        "error groups",
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

pub const INSIGHTS: &[Binding] = &[
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
        &[Code(KeyCode::Enter)],
        "enter",
        Action::Enter,
        "run query",
        true,
    ),
    b(&[Char('/')], "/", Action::Filter, "your query", true),
    b(
        &[Char('s')],
        "s",
        own(LogsAction::SortColumn),
        "sort column",
        true,
    ),
    b(
        &[Code(KeyCode::Esc), Code(KeyCode::Backspace)],
        "esc",
        Action::Back,
        "stop / back",
        true,
    ),
];

pub const ERRORS: &[Binding] = &[
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
        &[Code(KeyCode::Enter)],
        "enter",
        Action::Enter,
        "its invocations",
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
