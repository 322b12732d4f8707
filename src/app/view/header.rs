//! The top bar: ` λ lambdascope │ demo account │ last 1h │ 2 failing of 17 │ 14:02:11 UTC`.
//! While an incident window is marked it replaces `last 1h`: ` incident 13:20–13:35 · X clears `.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::state::State;
use crate::ui::format;
use crate::ui::theme::Theme;

pub struct Header<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Header<'_> {
    /// The bar's text, with or without the brand's name and the function total.
    fn line(&self, width: u16, brand_name: bool, total: bool) -> Line<'static> {
        let (s, t) = (&self.state.ctx, self.theme);
        let sep = Span::styled(" │ ", t.header.patch(t.dim));
        let brand = if brand_name {
            " λ lambdascope "
        } else {
            " λ "
        };
        let mut spans = vec![Span::styled(brand, t.brand), Span::raw(" ")];
        spans.push(Span::styled(
            format::safe(&s.source.to_string()).into_owned(),
            t.header,
        ));
        spans.push(sep.clone());
        match s.incident {
            Some(w) => spans.push(Span::styled(
                if width >= 100 {
                    format!(" incident {} · X clears ", format::span(w))
                } else {
                    format!(" incident {} ", format::span(w))
                },
                t.header.patch(t.incident),
            )),
            None => spans.push(Span::styled(format!("last {}", s.window.label()), t.header)),
        }
        let fns = s.catalog.functions();
        if !fns.is_empty() {
            let failing = s.catalog.unhealthy().len();
            spans.push(sep);
            if failing > 0 {
                spans.push(Span::styled(
                    format!("{failing} unhealthy"),
                    t.header.patch(t.error),
                ));
                if total {
                    spans.push(Span::styled(format!(" of {}", fns.len()), t.header));
                }
            } else {
                spans.push(Span::styled(format!("{} functions", fns.len()), t.header));
            }
        }
        Line::from(spans)
    }
}

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let t = self.theme;
        buf.set_style(area, t.header);
        let clock = format!("{} ", format::clock(self.state.ctx.now));
        let clock_w = clock.chars().count() as u16;
        // Narrow, the least useful part gives way first: the brand's name, the function
        // total, then the clock; the source, the window and the failing count stay.
        let fits = |line: &Line, clock: bool| {
            line.width() as u16 + if clock { clock_w + 1 } else { 0 } <= area.width
        };
        let (line, with_clock) = [
            (true, true, true),
            (false, true, true),
            (false, false, true),
        ]
        .into_iter()
        .map(|(name, total, clock)| (self.line(area.width, name, total), clock))
        .find(|(line, clock)| fits(line, *clock))
        .unwrap_or_else(|| (self.line(area.width, false, false), false));
        buf.set_line(area.x, area.y, &line, area.width);
        if with_clock {
            buf.set_string(area.right() - clock_w, area.y, clock, t.header);
        }
    }
}
