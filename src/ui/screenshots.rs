//! `lambdascope --demo screenshots`: renders each screen of the demo account to an SVG in
//! screenshots/, with a fixed clock so the pictures are reproducible.

use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::{self, Action, Msg};
use crate::source::Source;
use crate::state::State;
use crate::theme::{self, Theme};

/// Drives a fresh console through `keys` and returns the state, as a user would see it.
pub async fn state_after(source: &Source, size: (u16, u16), actions: &[Action]) -> State {
    let mut state = State::new(
        source.info(),
        source.now(),
        theme::DEFAULT_THEME,
        theme::available(None),
    );
    state.size = size;
    let cmds = app::start(&mut state);
    app::settle(source, &mut state, cmds).await;
    press(source, &mut state, actions).await;
    state
}

/// Applies actions one by one, running whatever they ask the source for.
pub async fn press(source: &Source, state: &mut State, actions: &[Action]) {
    for a in actions {
        let cmds = app::update(state, Msg::Action(*a));
        app::settle(source, state, cmds).await;
    }
}

pub fn render(state: &State, theme: &Theme) -> ratatui::buffer::Buffer {
    let Ok(mut terminal) = Terminal::new(TestBackend::new(state.size.0, state.size.1));
    let Ok(_) = terminal.draw(|f| crate::ui::draw(f, state, theme));
    terminal.backend().buffer().clone()
}

pub async fn write_all(source: &Source, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let theme = Theme::default_theme();
    let type_filter: Vec<Action> = "orders".chars().map(Action::Input).collect();
    let mut filter = vec![Action::Filter];
    filter.extend(type_filter);
    let shots: Vec<(&str, (u16, u16), Vec<Action>)> = vec![
        ("functions", (120, 32), vec![]),
        (
            "functions-sorted-by-errors",
            (120, 32),
            vec![Action::SortNext; 7],
        ),
        ("filter", (120, 32), filter),
        ("function-detail", (160, 44), vec![Action::Enter]),
        ("help", (120, 32), vec![Action::Help]),
        ("functions-80x24", (80, 24), vec![]),
    ];
    let mut files = Vec::new();
    for (name, size, actions) in shots {
        let state = state_after(source, size, &actions).await;
        let buf = render(&state, &theme);
        let path = out.join(format!("{name}.svg"));
        std::fs::write(
            &path,
            crate::ui::svg::buffer_to_svg(&buf, &format!("lambdascope — {name}")),
        )?;
        files.push(path);
    }
    Ok(files)
}
