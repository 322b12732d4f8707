//! One keymap table per screen: `{keys, action, description}`. The footer hints and the `?`
//! overlay are generated from these tables, so they cannot drift from what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::Action;
use crate::state::{Overlay, Screen, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in hints and help.
    pub label: &'static str,
    pub action: Action,
    pub description: &'static str,
    /// Shown in the footer (the rest only in `?`).
    pub hint: bool,
}

const fn b(
    keys: &'static [Key],
    label: &'static str,
    action: Action,
    description: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        description,
        hint,
    }
}

use Key::{Char, Code, Ctrl};

/// Keys that work on every screen.
pub const GLOBAL: &[Binding] = &[
    b(&[Char('?')], "?", Action::Help, "help", true),
    b(&[Char(':')], ":", Action::Palette, "command", true),
    b(&[Char('q'), Ctrl('c')], "q", Action::Quit, "quit", true),
    b(
        &[Char('['), Char('-')],
        "[",
        Action::WindowNarrower,
        "narrower window",
        false,
    ),
    b(
        &[Char(']'), Char('+')],
        "]",
        Action::WindowWider,
        "wider window",
        false,
    ),
    b(
        &[Ctrl('r')],
        "ctrl-r",
        Action::Refresh,
        "refresh now",
        false,
    ),
];

pub const FUNCTIONS: &[Binding] = &[
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
    b(&[Char('s')], "s", Action::SortNext, "sort column", true),
    b(
        &[Char('S')],
        "S",
        Action::SortReverse,
        "reverse sort",
        false,
    ),
    b(
        &[Code(KeyCode::Esc)],
        "esc",
        Action::Back,
        "clear filter",
        false,
    ),
];

pub const FUNCTION: &[Binding] = &[
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
        "next panel",
        true,
    ),
    b(
        &[Char('j'), Code(KeyCode::Down)],
        "j/↓",
        Action::Down,
        "scroll",
        false,
    ),
    b(
        &[Char('k'), Code(KeyCode::Up)],
        "k/↑",
        Action::Up,
        "scroll up",
        false,
    ),
];

/// Overlays close with esc (or their own key).
pub const OVERLAY: &[Binding] = &[
    b(
        &[Code(KeyCode::Esc), Char('q'), Char('?')],
        "esc",
        Action::Back,
        "close",
        true,
    ),
    b(&[Ctrl('c')], "ctrl-c", Action::Quit, "quit", false),
];

/// While typing in the filter box or the palette.
pub const INPUT: &[Binding] = &[
    b(
        &[Code(KeyCode::Enter)],
        "enter",
        Action::InputSubmit,
        "apply",
        true,
    ),
    b(
        &[Code(KeyCode::Esc)],
        "esc",
        Action::InputCancel,
        "cancel",
        true,
    ),
    b(
        &[Code(KeyCode::Backspace)],
        "bksp",
        Action::InputBackspace,
        "delete",
        false,
    ),
    b(&[Ctrl('u')], "ctrl-u", Action::InputClear, "clear", true),
    b(&[Ctrl('c')], "ctrl-c", Action::Quit, "quit", false),
];

pub fn screen_bindings(screen: Screen) -> &'static [Binding] {
    match screen {
        Screen::Functions => FUNCTIONS,
        Screen::Function => FUNCTION,
    }
}

/// The tables in force right now, most specific first.
pub fn active(state: &State) -> Vec<&'static [Binding]> {
    if state.filter_input.is_some() || matches!(state.overlay, Some(Overlay::Palette(_))) {
        return vec![INPUT];
    }
    if state.overlay.is_some() {
        return vec![OVERLAY];
    }
    vec![screen_bindings(state.screen()), GLOBAL]
}

fn key_of(ev: &KeyEvent) -> Option<Key> {
    match ev.code {
        KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(Ctrl(c.to_ascii_lowercase()))
        }
        KeyCode::Char(c) => Some(Char(c)),
        code => Some(Code(code)),
    }
}

/// What a key press means in the current state.
pub fn resolve(state: &State, ev: &KeyEvent) -> Option<Action> {
    let key = key_of(ev)?;
    let typing = state.filter_input.is_some() || matches!(state.overlay, Some(Overlay::Palette(_)));
    for table in active(state) {
        if let Some(bind) = table.iter().find(|b| b.keys.contains(&key)) {
            return Some(bind.action);
        }
    }
    match key {
        Char(c) if typing => Some(Action::Input(c)),
        _ => None,
    }
}

/// `(keys, description)` pairs for the footer.
pub fn hints(state: &State) -> Vec<(&'static str, &'static str)> {
    active(state)
        .into_iter()
        .flatten()
        .filter(|b| b.hint)
        .map(|b| (b.label, b.description))
        .collect()
}
