//! Keymaps: one table `{keys, action, description}` per screen (in the screen's folder) plus the
//! tables here that hold everywhere. The footer hints and the `?` overlay are generated from the
//! tables, so they cannot drift from what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::msg::Action;
use super::state::State;

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

pub const fn b(
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

pub use Key::{Char, Code, Ctrl};

/// Moving through a screen's rows: `j`/`k`, page down/up, first/last, described for what the
/// rows are. Not in the footer.
pub const fn rows(
    down: &'static str,
    up: &'static str,
    top: &'static str,
    bottom: &'static str,
) -> [Binding; 6] {
    [
        b(
            &[Char('j'), Code(KeyCode::Down)],
            "j/↓",
            Action::Down,
            down,
            false,
        ),
        b(
            &[Char('k'), Code(KeyCode::Up)],
            "k/↑",
            Action::Up,
            up,
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
            top,
            false,
        ),
        b(
            &[Char('G'), Code(KeyCode::End)],
            "G",
            Action::Bottom,
            bottom,
            false,
        ),
    ]
}

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
        &[Char('X')],
        "X",
        Action::ClearIncident,
        "clear the incident window",
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

/// The tables in force right now, most specific first.
pub fn active(state: &State) -> Vec<&'static [Binding]> {
    if state.typing() {
        return vec![INPUT];
    }
    if state.overlay.is_some() {
        return vec![OVERLAY];
    }
    let mut tables = state.top().base().keymap().to_vec();
    tables.push(GLOBAL);
    tables
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
    let typing = state.typing();
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

/// `(keys, description)` pairs for a footer `width` columns wide.
pub fn hints(state: &State, width: usize) -> Vec<(&'static str, &'static str)> {
    let all: Vec<&Binding> = active(state)
        .into_iter()
        .flatten()
        .filter(|b| b.hint)
        .collect();
    // `? help` always, last: it leads to every key left out.
    let help = all.iter().copied().find(|b| b.action == Action::Help);
    let cost = |b: &Binding| b.label.chars().count() + b.description.chars().count() + 3;
    let mut room = width.saturating_sub(help.map_or(0, cost));
    // Whole hints in order of importance, up to the first that does not fit.
    all.iter()
        .copied()
        .filter(|b| b.action != Action::Help)
        .take_while(|b| {
            let fits = cost(b) <= room;
            room = room.saturating_sub(cost(b));
            fits
        })
        .chain(help)
        .map(|b| (b.label, b.description))
        .collect()
}

/// Typing, backspace and clear, shared by every text input. Returns whether the action was an
/// edit.
pub fn edit(text: &mut String, action: Action) -> bool {
    match action {
        Action::Input(c) if !c.is_control() => text.push(c),
        Action::InputBackspace => {
            text.pop();
        }
        Action::InputClear => text.clear(),
        _ => return false,
    }
    true
}
