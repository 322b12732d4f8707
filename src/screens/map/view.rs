//! The service map, left to right, scrolled to keep the selected node in view.
//!
//! ```text
//!  ▶ orders-api-create · AWS::Lambda::Function · 6.1k requests · 4.1% faults · avg 142ms
//! client    ┬─6.1k▶ shop-api/prod   ┬─1.2k▶ orders-api-create ──1.2k▶ orders-api-create ┬─1.2k▶ inventory
//!           │       API 6.1k 92ms   │       Lambda 1.2k 4.1%F      function 1.2k 4.1%F │       DynamoDB 1.2k
//!           │                       ├─3.1k▶ orders-api-get   ──3.1k▶ orders-api-get    └─1.2k▶ orders
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::MapScreen;
use super::layout::{SLOT_LINES, figures};
use crate::app::state::{Ctx, Loadable};
use crate::domain::ServiceNode;
use crate::screens::traces::view::window_label;
use crate::ui::format;
use crate::ui::theme::Theme;
use crate::ui::widgets::{centered, centered_wrapped, put, spinner};

pub struct MapView<'a> {
    pub screen: &'a MapScreen,
    pub ctx: &'a Ctx,
    pub theme: &'a Theme,
}

/// The cells the map itself gets at this terminal size (the frame takes three lines and the
/// line about the selected node one).
pub fn canvas_size(ctx: &Ctx) -> (u16, u16) {
    (ctx.size.0, ctx.size.1.saturating_sub(4))
}

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;

/// Box-drawing lines, merged where they meet, clipped to the viewport.
struct Lines {
    w: i32,
    h: i32,
    cells: Vec<u8>,
}

impl Lines {
    fn new(w: u16, h: u16) -> Lines {
        Lines {
            w: i32::from(w),
            h: i32::from(h),
            cells: vec![0; usize::from(w) * usize::from(h)],
        }
    }
    fn mark(&mut self, x: i32, y: i32, bits: u8) {
        if (0..self.w).contains(&x) && (0..self.h).contains(&y) {
            self.cells[(y * self.w + x) as usize] |= bits;
        }
    }
    fn horizontal(&mut self, x0: i32, x1: i32, y: i32) {
        for x in x0..x1 {
            self.mark(x, y, RIGHT);
            self.mark(x + 1, y, LEFT);
        }
    }
    fn vertical(&mut self, x: i32, y0: i32, y1: i32) {
        for y in y0..y1 {
            self.mark(x, y, DOWN);
            self.mark(x, y + 1, UP);
        }
    }
    fn glyph(bits: u8) -> Option<char> {
        Some(match bits {
            0 => return None,
            b if b == LEFT | RIGHT || b == LEFT || b == RIGHT => '─',
            b if b == UP | DOWN || b == UP || b == DOWN => '│',
            b if b == DOWN | RIGHT => '┌',
            b if b == DOWN | LEFT => '┐',
            b if b == UP | RIGHT => '└',
            b if b == UP | LEFT => '┘',
            b if b == UP | DOWN | RIGHT => '├',
            b if b == UP | DOWN | LEFT => '┤',
            b if b == LEFT | RIGHT | DOWN => '┬',
            b if b == LEFT | RIGHT | UP => '┴',
            _ => '┼',
        })
    }
    fn draw(&self, buf: &mut Buffer, area: Rect, style: Style) {
        for y in 0..self.h {
            for x in 0..self.w {
                if let Some(c) = Self::glyph(self.cells[(y * self.w + x) as usize]) {
                    buf.set_string(area.x + x as u16, area.y + y as u16, c.to_string(), style);
                }
            }
        }
    }
}

fn node_style(n: &ServiceNode, t: &Theme) -> Style {
    if n.faults > 0 {
        t.map_fault
    } else if n.errors > 0 || n.throttles > 0 {
        t.map_error
    } else {
        t.map_node
    }
}

impl MapView<'_> {
    fn info(&self, area: Rect, buf: &mut Buffer) {
        let (s, t) = (self.screen, self.theme);
        let window = s.window.map(window_label).unwrap_or_default();
        let mut spans = Vec::new();
        let selected = s.graph.loaded().zip(s.layout.places.get(s.selected));
        if let Some((g, p)) = selected {
            let n = &g.services[p.node];
            spans.push(Span::styled(
                format!(" ▶ {} ", format::safe(&n.name)),
                t.title,
            ));
            let kind = match p.via {
                Some(_) => "AWS::Lambda + function".to_string(),
                None => format::safe(&n.kind).into_owned(),
            };
            let mut facts = vec![
                kind,
                format!("{} requests", format::count(n.requests as f64)),
            ];
            let client = n.is_client();
            for (pct, what) in [
                (n.error_pct(), "errors"),
                (n.fault_pct(), "faults"),
                (n.throttle_pct(), "throttled"),
            ] {
                if let Some(p) = pct.filter(|p| *p > 0.0 && !client) {
                    facts.push(format!("{} {what}", format::percent(p)));
                }
            }
            if !client && n.errors + n.faults + n.throttles == 0 {
                facts.push("no errors".into());
            }
            if n.requests > 0 && !client {
                facts.push(format!("avg {}", format::millis(n.avg_response_ms)));
            }
            let callers: u64 = g
                .services
                .iter()
                .flat_map(|c| &c.edges)
                .filter(|e| e.to == n.id)
                .map(|e| e.requests)
                .sum();
            if callers > 0 {
                facts.push(format!("{} calls in", format::count(callers as f64)));
            }
            spans.push(Span::styled(
                format!("· {} ", facts.join(" · ")),
                node_style(n, t),
            ));
        }
        spans.push(Span::styled(format!("· {window}"), t.dim));
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }
}

impl Widget for MapView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (s, ctx, t) = (self.screen, self.ctx, self.theme);
        let g = match &s.graph {
            Loadable::Idle | Loadable::Loading => {
                return centered(
                    format!("{} Loading the service graph…", spinner(ctx.frame)),
                    t.spinner,
                    area,
                    buf,
                );
            }
            Loadable::Failed(e) => {
                return centered_wrapped(
                    format::safe(&format!("Could not load the service graph: {e}")).into_owned(),
                    t.error,
                    area,
                    buf,
                );
            }
            Loadable::Loaded(g) => g,
        };
        if g.services.is_empty() {
            let window = s.window.map(window_label).unwrap_or_default();
            return centered_wrapped(
                format!(
                    "No service graph for {window}: X-Ray saw no traced requests. ] widens the window"
                ),
                t.dim,
                area,
                buf,
            );
        }
        self.info(area, buf);
        let canvas = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let l = &s.layout;
        let (left, top) = (i32::from(s.left), s.top as i32);
        let x_of = |col: usize| i32::from(l.column_x[col]) - left;
        let y_of = |slot: usize| (slot as i32 - top) * i32::from(SLOT_LINES);
        let mut lines = Lines::new(canvas.width, canvas.height);
        let mut labels: Vec<(i32, i32, String, Style)> = Vec::new();
        for p in &l.places {
            let Some(parent) = p.parent else { continue };
            let pp = &l.places[parent];
            let pw = l.column_w[pp.column];
            let trunk = x_of(pp.column) + i32::from(pw) + 1;
            let (yp, yc) = (y_of(pp.slot), y_of(p.slot));
            let cx = x_of(p.column);
            // From just after the caller's name to the trunk.
            let name = format::safe(&g.services[pp.node].name).chars().count();
            let end = x_of(pp.column) + name.min(usize::from(pw)) as i32 + 1;
            lines.horizontal(end.min(trunk - 1), trunk, yp);
            lines.vertical(trunk, yp, yc);
            lines.horizontal(trunk, cx - 2, yc);
            let (calls, errors, faults) = p.calls.unwrap_or_default();
            let style = if faults > 0 {
                t.map_fault
            } else if errors > 0 {
                t.map_error
            } else {
                t.map_edge
            };
            labels.push((cx - 1, yc, "▶".into(), t.map_edge));
            let text = format::count(calls as f64);
            labels.push((cx - 2 - text.chars().count() as i32, yc, text, style));
        }
        lines.draw(buf, canvas, t.map_edge);
        let inside = |x: i32, y: i32| {
            (0..i32::from(canvas.width)).contains(&x) && (0..i32::from(canvas.height)).contains(&y)
        };
        for (x, y, text, style) in labels {
            if inside(x, y) && x >= 0 {
                let room = (i32::from(canvas.width) - x) as usize;
                buf.set_stringn(canvas.x + x as u16, canvas.y + y as u16, text, room, style);
            }
        }
        for (i, p) in l.places.iter().enumerate() {
            let (x, y) = (x_of(p.column), y_of(p.slot));
            let w = l.column_w[p.column];
            if !inside(x.max(0), y) || x + i32::from(w) <= 0 {
                continue;
            }
            let n = &g.services[p.node];
            let mut name = format::safe(&n.name).into_owned();
            if p.cycle {
                name = format!("↺ {name}");
            }
            let mut style = if p.repeat { t.dim } else { node_style(n, t) };
            if i == s.selected {
                style = t.selected;
            }
            let figures = if p.repeat {
                "(see above)".to_string()
            } else {
                figures(n, p.via.is_some())
            };
            // A node cut off on the left shows its right part.
            let skip = (-x).max(0) as usize;
            let xs = canvas.x + x.max(0) as u16;
            let shown = w.saturating_sub(skip as u16);
            let room = (canvas.right().saturating_sub(xs)).min(shown);
            let cut = |s: &str| s.chars().skip(skip).collect::<String>();
            put(
                buf,
                xs,
                canvas.y + y as u16,
                room,
                &cut(&name),
                style,
                false,
            );
            if y + 1 < i32::from(canvas.height) {
                put(
                    buf,
                    xs,
                    canvas.y + y as u16 + 1,
                    room,
                    &cut(&figures),
                    t.dim,
                    false,
                );
            }
        }
        if l.cut {
            let text = " the graph is too big to unfold entirely ";
            let x = canvas.right().saturating_sub(text.len() as u16);
            buf.set_string(x, canvas.bottom().saturating_sub(1), text, t.warn);
        }
    }
}
