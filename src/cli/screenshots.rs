//! `lambdascope --demo screenshots`: renders each screen of the demo account to an SVG in
//! screenshots/, with a fixed clock so the pictures are reproducible.

use std::path::{Path, PathBuf};

use crate::app::Action;
use crate::app::driver::state_after;
use crate::app::view::render;
use crate::screens::functions::FunctionsAction;
use crate::source::Source;
use crate::ui::theme::Theme;

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
            vec![FunctionsAction::SortNext.into(); 7],
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
