//! The `:` command palette: completions drawn above the footer where it is typed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use crate::app::commands::completions;
use crate::ui::theme::Theme;

pub struct PaletteOverlay<'a> {
    pub text: &'a str,
    pub theme: &'a Theme,
}

impl Widget for PaletteOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let items = completions(self.text);
        if items.is_empty() || area.height < 3 {
            return;
        }
        let h = (items.len() as u16 + 2).min(area.height);
        let w = 64.min(area.width);
        let r = Rect {
            x: area.x,
            y: area.bottom() - h,
            width: w,
            height: h,
        };
        Clear.render(r, buf);
        let lines: Vec<Line> = items
            .iter()
            .map(|c| command_line(c.name, c.arg, c.description, t, ""))
            .collect();
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(Span::styled(" commands ", t.title)),
            )
            .style(t.popup)
            .render(r, buf);
    }
}

/// `:name arg  description`, as the palette and the help overlay show a command.
pub fn command_line<'a>(name: &str, arg: &str, desc: &str, t: &Theme, indent: &str) -> Line<'a> {
    let arg = if arg.is_empty() {
        String::new()
    } else {
        format!(" {arg}")
    };
    Line::from(vec![
        Span::styled(format!("{indent}:{name}"), t.hint_key),
        Span::styled(arg, t.input),
        Span::styled(format!("  {desc}"), t.dim),
    ])
}
