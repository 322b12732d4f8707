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

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (s, t) = (&self.state.ctx, self.theme);
        buf.set_style(area, t.header);
        let sep = Span::styled(" │ ", t.header.patch(t.dim));
        let mut spans = vec![Span::styled(" λ lambdascope ", t.brand), Span::raw(" ")];
        spans.push(Span::styled(
            format::safe(&s.source.to_string()).into_owned(),
            t.header,
        ));
        spans.push(sep.clone());
        match s.incident {
            Some(w) => spans.push(Span::styled(
                if area.width >= 100 {
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
            spans.push(sep.clone());
            if failing > 0 {
                spans.push(Span::styled(
                    format!("{failing} unhealthy"),
                    t.header.patch(t.error),
                ));
                spans.push(Span::styled(format!(" of {}", fns.len()), t.header));
            } else {
                spans.push(Span::styled(format!("{} functions", fns.len()), t.header));
            }
        }
        let clock = format!("{} ", format::clock(s.now));
        let line = Line::from(spans);
        let room = area.width.saturating_sub(clock.chars().count() as u16 + 1);
        buf.set_line(area.x, area.y, &line, room);
        if area.width as usize > line.width() + clock.len() {
            buf.set_string(
                area.right() - clock.chars().count() as u16,
                area.y,
                clock,
                t.header,
            );
        }
    }
}
