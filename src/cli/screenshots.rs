//! `lambdascope --demo screenshots`: renders each screen of the demo account to an SVG in
//! screenshots/, with a fixed clock so the pictures are reproducible.

use std::path::{Path, PathBuf};

use crate::app::Action;
use crate::app::driver::state_after;
use crate::app::view::render;
use crate::source::Source;
use crate::ui::theme::Theme;

pub async fn write_all(source: &Source, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let theme = Theme::default_theme();
    let type_filter: Vec<Action> = "orders".chars().map(Action::Input).collect();
    let mut filter = vec![Action::Filter];
    filter.extend(type_filter);
    // A palette command, as typed.
    let command = |line: &str| -> Vec<Action> {
        let mut a = vec![Action::Palette];
        a.extend(line.chars().map(Action::Input));
        a.push(Action::InputSubmit);
        a
    };
    let shots: Vec<(&str, (u16, u16), Vec<Action>)> = vec![
        ("functions", (120, 32), vec![]),
        (
            "functions-sorted-by-errors",
            (120, 32),
            command("sort errors"),
        ),
        ("filter", (120, 32), filter),
        ("function-detail", (160, 44), vec![Action::Enter]),
        ("help", (120, 32), vec![Action::Help]),
        (
            "cold-starts",
            (160, 44),
            vec![Action::Down, Action::Enter, Action::NextPanel],
        ),
        ("overview", (120, 32), command("overview")),
        ("logs", (160, 44), command("logs orders-api-create")),
        ("traces", (160, 44), command("traces fault")),
        (
            "waterfall",
            (160, 44),
            [command("traces fault"), vec![Action::Enter]].concat(),
        ),
        ("map", (160, 44), command("map")),
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
