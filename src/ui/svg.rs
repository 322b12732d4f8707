//! Screenshots without a terminal: a ratatui [`Buffer`] (from `TestBackend`) drawn as a
//! standalone SVG that looks like a terminal window.
//!
//! Layout is by cell, not by font metrics: every background is a rectangle on the cell grid and
//! every text run is pinned to its cells with `textLength`, so the picture lines up in any
//! viewer whatever monospace font it finds.

use std::fmt::Write;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// How the picture is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct SvgOptions {
    /// What `Color::Reset` means.
    pub default_fg: Rgb,
    pub default_bg: Rgb,
    /// Cell size in px; 8.4 × 17 fits a 14 px monospace font.
    pub cell_width: f64,
    pub cell_height: f64,
    pub font_size: f64,
    pub font_family: String,
}

impl Default for SvgOptions {
    fn default() -> Self {
        Self {
            default_fg: (0xcd, 0xd6, 0xf4),
            default_bg: (0x1e, 0x1e, 0x2e),
            cell_width: 8.4,
            cell_height: 17.0,
            font_size: 14.0,
            font_family: "DejaVu Sans Mono, Menlo, Consolas, monospace".to_owned(),
        }
    }
}

/// The window chrome above the grid: a title bar with the three dots.
const TITLE_BAR: f64 = 28.0;
const PADDING: f64 = 10.0;

/// Renders `buf` as an SVG screenshot with the default dark theme.
pub fn buffer_to_svg(buf: &Buffer, title: &str) -> String {
    buffer_to_svg_with(buf, title, &SvgOptions::default())
}

/// Renders `buf` as an SVG screenshot.
pub fn buffer_to_svg_with(buf: &Buffer, title: &str, opts: &SvgOptions) -> String {
    let area = buf.area;
    let (cw, ch) = (opts.cell_width, opts.cell_height);
    let width = f64::from(area.width) * cw + 2.0 * PADDING;
    let height = f64::from(area.height) * ch + 2.0 * PADDING + TITLE_BAR;
    let (ox, oy) = (PADDING, TITLE_BAR + PADDING);
    let bg = hex(opts.default_bg);
    let title = xml_escape(title);

    let mut svg = String::with_capacity(usize::from(area.width) * usize::from(area.height) * 40);
    // `write!` to a String cannot fail.
    let _ = write!(
        svg,
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#,
            "\n<title>{title}</title>\n",
            r#"<rect width="{w}" height="{h}" rx="8" fill="{bg}"/>"#,
            "\n",
            r##"<rect width="{w}" height="{tb}" rx="8" fill="#11111b"/><rect y="{tb2}" width="{w}" height="{tb3}" fill="#11111b"/>"##,
            "\n",
            r##"<circle cx="16" cy="14" r="6" fill="#f38ba8"/><circle cx="36" cy="14" r="6" fill="#f9e2af"/><circle cx="56" cy="14" r="6" fill="#a6e3a1"/>"##,
            "\n",
            r##"<text x="{tx}" y="18" fill="#9399b2" font-family="{font}" font-size="12" text-anchor="middle">{title}</text>"##,
            "\n"
        ),
        w = num(width),
        h = num(height),
        bg = bg,
        tb = num(TITLE_BAR),
        tb2 = num(TITLE_BAR - 8.0),
        tb3 = num(8.0),
        tx = num(width / 2.0),
        font = xml_escape(&opts.font_family),
        title = title,
    );

    let rows: Vec<Vec<Glyph>> = (area.top()..area.bottom())
        .map(|y| row(buf, y, opts))
        .collect();

    // Backgrounds: runs of one colour, the default left to the window's own fill.
    svg.push_str("<g shape-rendering=\"crispEdges\">\n");
    for (y, glyphs) in rows.iter().enumerate() {
        let mut runs: Vec<(usize, usize, Rgb)> = Vec::new();
        for g in glyphs {
            match runs.last_mut() {
                Some((start, len, color)) if *color == g.bg && *start + *len == g.x => {
                    *len += g.width
                }
                _ => runs.push((g.x, g.width, g.bg)),
            }
        }
        for (x, len, color) in runs.into_iter().filter(|r| r.2 != opts.default_bg) {
            let _ = writeln!(
                svg,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                num(ox + x as f64 * cw),
                num(oy + y as f64 * ch),
                num(len as f64 * cw),
                num(ch),
                hex(color)
            );
        }
    }
    svg.push_str("</g>\n");

    // Box drawing and block elements as geometry: font glyphs leave gaps between rows, and
    // borders and bar charts should join up.
    svg.push_str("<g fill=\"none\" stroke-linecap=\"square\">\n");
    let mut lines = Lines::default();
    for (y, glyphs) in rows.iter().enumerate() {
        for g in glyphs {
            let Some(shape) = g.shape else { continue };
            let style = g.text_style;
            match shape {
                Shape::Block {
                    left,
                    top,
                    right,
                    bottom,
                } => {
                    let (x0, y0) = (ox + g.x as f64 * cw, oy + y as f64 * ch);
                    let _ = writeln!(
                        svg,
                        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" shape-rendering="crispEdges"{}/>"#,
                        num(x0 + cw * f64::from(left) / 8.0),
                        num(y0 + ch * f64::from(top) / 8.0),
                        num(cw * f64::from(right.saturating_sub(left)) / 8.0),
                        num(ch * f64::from(bottom.saturating_sub(top)) / 8.0),
                        hex(style.fg),
                        if style.dim {
                            r#" fill-opacity="0.6""#
                        } else {
                            ""
                        }
                    );
                }
                Shape::Dots(bits) => {
                    // Bit order of the Unicode braille block: dots 1-3 left, 4-6 right, 7-8 bottom.
                    const DOTS: [(u8, u8); 8] = [
                        (0, 0),
                        (0, 1),
                        (0, 2),
                        (1, 0),
                        (1, 1),
                        (1, 2),
                        (0, 3),
                        (1, 3),
                    ];
                    let (x0, y0) = (ox + g.x as f64 * cw, oy + y as f64 * ch);
                    for (i, (dx, dy)) in DOTS.iter().enumerate() {
                        if bits & (1 << i) != 0 {
                            let _ = writeln!(
                                svg,
                                r#"<circle cx="{}" cy="{}" r="{}" fill="{}"/>"#,
                                num(x0 + cw * (0.28 + 0.44 * f64::from(*dx))),
                                num(y0 + ch * (0.14 + 0.24 * f64::from(*dy))),
                                num(cw * 0.13),
                                hex(style.fg)
                            );
                        }
                    }
                }
                Shape::Lines {
                    up,
                    down,
                    left,
                    right,
                    round,
                } => lines.add(
                    g.x,
                    y,
                    (up, down, left, right),
                    round,
                    (style.fg, style.dim),
                ),
            }
        }
    }
    for ((color, dim, weight), d) in lines.paths(ox, oy, cw / 2.0, ch / 2.0) {
        let _ = writeln!(
            svg,
            r#"<path d="{d}" stroke="{}" stroke-width="{}"{}/>"#,
            hex(color),
            if weight > 1 { "2.4" } else { "1.2" },
            if dim { r#" stroke-opacity="0.6""# } else { "" }
        );
    }
    svg.push_str("</g>\n");

    // Text: runs of one style; all-blank runs are left out unless underlined.
    let _ = writeln!(
        svg,
        r#"<g font-family="{}" font-size="{}" xml:space="preserve">"#,
        xml_escape(&opts.font_family),
        num(opts.font_size)
    );
    for (y, glyphs) in rows.iter().enumerate() {
        let mut i = 0;
        while i < glyphs.len() {
            let first = &glyphs[i];
            let mut j = i + 1;
            // A wide character gets a run of its own: viewers that ignore `textLength` (librsvg)
            // would otherwise let its font's advance shift everything after it.
            while j < glyphs.len()
                && glyphs[j].text_style == first.text_style
                && glyphs[j].width == 1
                && glyphs[j - 1].width == 1
            {
                j += 1;
            }
            let mut run = &glyphs[i..j];
            i = j;
            let style = first.text_style;
            // Blanks only matter under a line.
            if !style.underline && !style.strike {
                let blank = |g: &Glyph| g.symbol.trim().is_empty();
                let start = run.iter().position(|g| !blank(g)).unwrap_or(run.len());
                let end = run.iter().rposition(|g| !blank(g)).map_or(start, |e| e + 1);
                run = &run[start..end];
            }
            let Some(first) = run.first() else { continue };
            if style.hidden {
                continue;
            }
            let text: String = run.iter().map(|g| g.symbol.as_str()).collect();
            let cells: usize = run.iter().map(|g| g.width).sum();
            let mut attrs = format!(
                r#"x="{}" y="{}" fill="{}" textLength="{}" lengthAdjust="spacingAndGlyphs""#,
                num(ox + first.x as f64 * cw),
                // The baseline sits about a quarter of the cell above its bottom.
                num(oy + y as f64 * ch + ch * 0.76),
                hex(style.fg),
                num(cells as f64 * cw)
            );
            if style.bold {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if style.italic {
                attrs.push_str(r#" font-style="italic""#);
            }
            if style.dim {
                attrs.push_str(r#" fill-opacity="0.6""#);
            }
            match (style.underline, style.strike) {
                (true, true) => attrs.push_str(r#" text-decoration="underline line-through""#),
                (true, false) => attrs.push_str(r#" text-decoration="underline""#),
                (false, true) => attrs.push_str(r#" text-decoration="line-through""#),
                (false, false) => {}
            }
            let _ = writeln!(svg, "<text {attrs}>{}</text>", xml_escape(&text));
        }
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

/// What decides how a text run looks.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TextStyle {
    fg: Rgb,
    bold: bool,
    italic: bool,
    dim: bool,
    underline: bool,
    strike: bool,
    hidden: bool,
}

/// One visible character: its column, how many cells it covers, and its resolved colours.
struct Glyph {
    x: usize,
    width: usize,
    /// A space when the glyph is drawn as a [`Shape`] instead.
    symbol: String,
    shape: Option<Shape>,
    bg: Rgb,
    text_style: TextStyle,
}

/// A row's glyphs. A wide character covers the cells after it, whatever they hold.
fn row(buf: &Buffer, y: u16, opts: &SvgOptions) -> Vec<Glyph> {
    let area = buf.area;
    let mut glyphs = Vec::with_capacity(usize::from(area.width));
    let mut x = area.left();
    while x < area.right() {
        let Some(cell) = buf.cell((x, y)) else { break };
        let col = usize::from(x - area.left());
        let symbol = cell.symbol();
        // Zero-width or empty symbols still take their cell; a wide one must fit in the row.
        let remaining = usize::from(area.right() - x);
        let width = symbol.width().clamp(1, 2).min(remaining);
        let (fg, bg) = colors(cell, opts);
        let m = cell.modifier;
        let shape = (!m.contains(Modifier::HIDDEN))
            .then(|| shape(symbol))
            .flatten();
        glyphs.push(Glyph {
            x: col,
            width,
            symbol: if symbol.is_empty() || shape.is_some() {
                " ".to_owned()
            } else {
                symbol.to_owned()
            },
            shape,
            bg,
            text_style: TextStyle {
                fg,
                bold: m.contains(Modifier::BOLD),
                italic: m.contains(Modifier::ITALIC),
                dim: m.contains(Modifier::DIM),
                underline: m.contains(Modifier::UNDERLINED),
                strike: m.contains(Modifier::CROSSED_OUT),
                hidden: m.contains(Modifier::HIDDEN),
            },
        });
        // `width` is 1 or 2, so this cannot overflow past `right`.
        x += width as u16;
    }
    glyphs
}

/// A character drawn as geometry rather than text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// Box drawing: arms from the centre to each edge, 0 none, 1 light, 2 heavy; `round` for
    /// the rounded corners.
    Lines {
        up: u8,
        down: u8,
        left: u8,
        right: u8,
        round: bool,
    },
    /// Braille patterns (charts): the raised dots of U+2800 + bits, on a 2×4 grid.
    Dots(u8),
    /// Block elements: a filled rectangle, in eighths of the cell.
    Block {
        left: u8,
        top: u8,
        right: u8,
        bottom: u8,
    },
}

fn shape(symbol: &str) -> Option<Shape> {
    let mut chars = symbol.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return None;
    };
    let lines = |up, down, left, right| {
        Some(Shape::Lines {
            up,
            down,
            left,
            right,
            round: false,
        })
    };
    let round = |up, down, left, right| {
        Some(Shape::Lines {
            up,
            down,
            left,
            right,
            round: true,
        })
    };
    let block = |left, top, right, bottom| {
        Some(Shape::Block {
            left,
            top,
            right,
            bottom,
        })
    };
    match c {
        '─' => lines(0, 0, 1, 1),
        '━' => lines(0, 0, 2, 2),
        '│' => lines(1, 1, 0, 0),
        '┃' => lines(2, 2, 0, 0),
        '┌' => lines(0, 1, 0, 1),
        '┏' => lines(0, 2, 0, 2),
        '┐' => lines(0, 1, 1, 0),
        '┓' => lines(0, 2, 2, 0),
        '└' => lines(1, 0, 0, 1),
        '┗' => lines(2, 0, 0, 2),
        '┘' => lines(1, 0, 1, 0),
        '┛' => lines(2, 0, 2, 0),
        '├' => lines(1, 1, 0, 1),
        '┣' => lines(2, 2, 0, 2),
        '┤' => lines(1, 1, 1, 0),
        '┫' => lines(2, 2, 2, 0),
        '┬' => lines(0, 1, 1, 1),
        '┳' => lines(0, 2, 2, 2),
        '┴' => lines(1, 0, 1, 1),
        '┻' => lines(2, 0, 2, 2),
        '┼' => lines(1, 1, 1, 1),
        '╋' => lines(2, 2, 2, 2),
        '╴' => lines(0, 0, 1, 0),
        '╵' => lines(1, 0, 0, 0),
        '╶' => lines(0, 0, 0, 1),
        '╷' => lines(0, 1, 0, 0),
        '╭' => round(0, 1, 0, 1),
        '╮' => round(0, 1, 1, 0),
        '╯' => round(1, 0, 1, 0),
        '╰' => round(1, 0, 0, 1),
        '▀' => block(0, 0, 8, 4),
        // ▁▂▃▄▅▆▇█: the lower n eighths (sparklines and bars).
        '▁'..='█' => block(0, 8 - (c as u32 - 0x2580) as u8, 8, 8),
        // ▉▊▋▌▍▎▏: the left n eighths.
        '▉'..='▏' => block(0, 0, (0x2590 - c as u32) as u8, 8),
        '▐' => block(4, 0, 8, 8),
        '\u{2801}'..='\u{28ff}' => Some(Shape::Dots((c as u32 - 0x2800) as u8)),
        _ => None,
    }
}

/// Stroke colour, dimmed, weight (1 light, 2 heavy).
type Pen = (Rgb, bool, u8);

/// Box-drawing strokes on a grid of half cells, merged into long lines so that neighbouring
/// cells' strokes neither overlap nor leave seams.
#[derive(Default)]
struct Lines {
    /// (pen, row or column in half cells, from, to) for horizontal and vertical strokes.
    horizontal: Vec<(Pen, usize, usize, usize)>,
    vertical: Vec<(Pen, usize, usize, usize)>,
    /// Rounded corners: (pen, end on the edge, centre, end on the other edge) in half cells.
    curves: Vec<(Pen, [(usize, usize); 3])>,
}

impl Lines {
    fn add(
        &mut self,
        col: usize,
        row: usize,
        (up, down, left, right): (u8, u8, u8, u8),
        round: bool,
        (fg, dim): (Rgb, bool),
    ) {
        let (cx, cy) = (2 * col + 1, 2 * row + 1);
        let pen = (fg, dim, up.max(down).max(left).max(right));
        if round {
            let ex = if left > 0 { cx - 1 } else { cx + 1 };
            let ey = if up > 0 { cy - 1 } else { cy + 1 };
            self.curves.push((pen, [(ex, cy), (cx, cy), (cx, ey)]));
            return;
        }
        if left > 0 || right > 0 {
            let from = if left > 0 { cx - 1 } else { cx };
            let to = if right > 0 { cx + 1 } else { cx };
            self.horizontal.push((pen, cy, from, to));
        }
        if up > 0 || down > 0 {
            let from = if up > 0 { cy - 1 } else { cy };
            let to = if down > 0 { cy + 1 } else { cy };
            self.vertical.push((pen, cx, from, to));
        }
    }

    /// One path per pen, in px.
    fn paths(mut self, ox: f64, oy: f64, half_w: f64, half_h: f64) -> Vec<(Pen, String)> {
        let px = |hx: usize, hy: usize| {
            format!(
                "{} {}",
                num(ox + hx as f64 * half_w),
                num(oy + hy as f64 * half_h)
            )
        };
        let mut out: Vec<(Pen, String)> = Vec::new();
        let mut draw = |pen: Pen, d: String| match out.iter_mut().find(|(p, _)| *p == pen) {
            Some((_, path)) => path.push_str(&d),
            None => out.push((pen, d)),
        };
        for (pen, [a, c, b]) in self.curves {
            draw(
                pen,
                format!("M{}Q{} {}", px(a.0, a.1), px(c.0, c.1), px(b.0, b.1)),
            );
        }
        for (strokes, horizontal) in [(&mut self.horizontal, true), (&mut self.vertical, false)] {
            // By pen, then line and start, so each pen's touching strokes are adjacent.
            strokes.sort();
            let mut merged: Vec<(Pen, usize, usize, usize)> = Vec::new();
            for &(pen, line, from, to) in strokes.iter() {
                match merged.last_mut() {
                    Some((p, l, _, end)) if *p == pen && *l == line && *end >= from => {
                        *end = (*end).max(to)
                    }
                    _ => merged.push((pen, line, from, to)),
                }
            }
            for (pen, line, from, to) in merged {
                let (a, b) = if horizontal {
                    (px(from, line), px(to, line))
                } else {
                    (px(line, from), px(line, to))
                };
                draw(pen, format!("M{a}L{b}"));
            }
        }
        out
    }
}

/// The cell's (fg, bg) after resolving `Reset` and `REVERSED`.
fn colors(cell: &Cell, opts: &SvgOptions) -> (Rgb, Rgb) {
    let fg = rgb(cell.fg).unwrap_or(opts.default_fg);
    let bg = rgb(cell.bg).unwrap_or(opts.default_bg);
    if cell.modifier.contains(Modifier::REVERSED) {
        (bg, fg)
    } else {
        (fg, bg)
    }
}

/// The xterm colours; `None` for `Reset`.
pub fn rgb(color: Color) -> Option<Rgb> {
    Some(match color {
        Color::Reset => return None,
        Color::Black => xterm(0),
        Color::Red => xterm(1),
        Color::Green => xterm(2),
        Color::Yellow => xterm(3),
        Color::Blue => xterm(4),
        Color::Magenta => xterm(5),
        Color::Cyan => xterm(6),
        Color::Gray => xterm(7),
        Color::DarkGray => xterm(8),
        Color::LightRed => xterm(9),
        Color::LightGreen => xterm(10),
        Color::LightYellow => xterm(11),
        Color::LightBlue => xterm(12),
        Color::LightMagenta => xterm(13),
        Color::LightCyan => xterm(14),
        Color::White => xterm(15),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => xterm(i),
    })
}

/// The xterm 256-colour palette: 16 system colours, a 6×6×6 cube, 24 greys.
pub fn xterm(index: u8) -> Rgb {
    const SYSTEM: [Rgb; 16] = [
        (0x00, 0x00, 0x00),
        (0xcd, 0x00, 0x00),
        (0x00, 0xcd, 0x00),
        (0xcd, 0xcd, 0x00),
        (0x00, 0x00, 0xee),
        (0xcd, 0x00, 0xcd),
        (0x00, 0xcd, 0xcd),
        (0xe5, 0xe5, 0xe5),
        (0x7f, 0x7f, 0x7f),
        (0xff, 0x00, 0x00),
        (0x00, 0xff, 0x00),
        (0xff, 0xff, 0x00),
        (0x5c, 0x5c, 0xff),
        (0xff, 0x00, 0xff),
        (0x00, 0xff, 0xff),
        (0xff, 0xff, 0xff),
    ];
    const CUBE: [u8; 6] = [0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff];
    match index {
        0..=15 => SYSTEM[usize::from(index)],
        16..=231 => {
            let i = usize::from(index - 16);
            (CUBE[i / 36], CUBE[(i / 6) % 6], CUBE[i % 6])
        }
        _ => {
            let level = 8 + 10 * (index - 232);
            (level, level, level)
        }
    }
}

fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A coordinate without float noise (`8.4` not `8.399999999`).
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Escapes text for XML. Characters XML 1.0 forbids (most C0 controls) become U+FFFD: a buffer
/// should hold none, but a screenshot must still parse if it does.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Block, Paragraph};

    fn sample() -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(40, 6)).expect("test backend");
        terminal
            .draw(|f| {
                let lines = vec![
                    Line::from(vec![
                        Span::styled("ERROR", Style::new().red().bold()),
                        " <a&b> \"q\"".into(),
                    ]),
                    Line::from(vec![
                        Span::styled("sel", Style::new().reversed()),
                        " ".into(),
                        Span::styled(
                            "idx",
                            Style::new().fg(Color::Indexed(208)).italic().underlined(),
                        ),
                        " 漢字x".into(),
                    ]),
                    Line::from(Span::styled(
                        "dim",
                        Style::new().dim().bg(Color::Rgb(1, 2, 3)),
                    )),
                ];
                f.render_widget(
                    Paragraph::new(lines).block(Block::bordered().title("orders")),
                    f.area(),
                );
            })
            .expect("draw");
        terminal.backend().buffer().clone()
    }

    #[test]
    fn svg_is_well_formed_and_carries_text_and_colours() {
        let svg = buffer_to_svg(&sample(), "lambdascope <demo>");
        let doc = roxmltree::Document::parse(&svg).expect("valid XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        // 40 × 8.4 + 20, 6 × 17 + 20 + 28.
        assert_eq!(root.attribute("width"), Some("356"));
        assert_eq!(root.attribute("height"), Some("150"));
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text());
        assert_eq!(title, Some("lambdascope <demo>"));

        let texts: Vec<roxmltree::Node> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .collect();
        let find = |s: &str| {
            texts
                .iter()
                .find(|n| n.text().is_some_and(|t| t.contains(s)))
                .unwrap_or_else(|| panic!("no text run containing {s:?} in\n{svg}"))
        };
        let error = find("ERROR");
        assert_eq!(error.attribute("fill"), Some("#cd0000"));
        assert_eq!(error.attribute("font-weight"), Some("bold"));
        // Escaped in the file, intact once parsed.
        assert!(svg.contains("&lt;a&amp;b&gt; &quot;q&quot;"));
        assert!(find("<a&b>").attribute("fill") == Some("#cdd6f4"));
        // Reversed: default colours swapped, the background drawn as a rectangle.
        assert_eq!(find("sel").attribute("fill"), Some("#1e1e2e"));
        assert!(
            svg.contains(r##"width="25.2" height="17" fill="#cdd6f4""##),
            "reversed background\n{svg}"
        );
        let idx = find("idx");
        assert_eq!(idx.attribute("fill"), Some("#ff8700"));
        assert_eq!(idx.attribute("font-style"), Some("italic"));
        assert_eq!(idx.attribute("text-decoration"), Some("underline"));
        assert_eq!(find("dim").attribute("fill-opacity"), Some("0.6"));
        assert!(svg.contains(r##"fill="#010203""##));
        // Wide characters are pinned to two cells each, the cell after them skipped.
        let x_of = |s: &str| {
            let run = texts.iter().find(|n| n.text() == Some(s));
            run.and_then(|n| n.attribute("x"))
                .and_then(|x| x.parse::<f64>().ok())
        };
        let (kan, ji, x) = (x_of("漢"), x_of("字"), x_of("x"));
        assert_eq!((kan, ji, x), (Some(85.6), Some(102.4), Some(119.2)));
        assert_eq!(find("字").attribute("textLength"), Some("16.8"));
        // The block title is text; its border is geometry, not glyphs.
        assert_eq!(find("orders").text(), Some("orders"));
        assert_eq!(find("orders").attribute("x"), Some("18.4"));
        assert!(
            !texts
                .iter()
                .any(|n| n.text().is_some_and(|t| t.contains(['┌', '│', '─'])))
        );
        assert!(doc.descendants().any(|n| n.has_tag_name("path")));
        assert!(svg.contains(r#"xml:space="preserve""#));
        assert!(svg.contains("DejaVu Sans Mono, Menlo, Consolas, monospace"));
    }

    #[test]
    fn box_drawing_and_blocks_are_geometry() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 2));
        buf.set_string(0, 0, "╭─┃", Style::new().fg(Color::Green));
        buf.set_string(0, 1, "▄█▐", Style::new().fg(Color::Red));
        let svg = buffer_to_svg(&buf, "t");
        let doc = roxmltree::Document::parse(&svg).expect("valid XML");
        let paths: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("path"))
            .collect();
        // Light lines (the rounded corner and ─) share one path; the heavy ┃ has its own.
        assert_eq!(paths.len(), 2, "{svg}");
        assert_eq!(paths[0].attribute("stroke"), Some("#00cd00"));
        assert_eq!(paths[0].attribute("stroke-width"), Some("1.2"));
        // ╭: from the right edge, curving through the centre, down to the bottom edge.
        assert!(
            paths[0]
                .attribute("d")
                .is_some_and(|d| d.starts_with("M18.4 46.5Q14.2 46.5 14.2 55")),
            "{svg}"
        );
        assert_eq!(paths[1].attribute("stroke-width"), Some("2.4"));
        let rect = |x: &str| {
            doc.descendants()
                .find(|n| {
                    n.has_tag_name("rect")
                        && n.attribute("x") == Some(x)
                        && n.attribute("fill") == Some("#cd0000")
                })
                .map(|n| {
                    (
                        n.attribute("y"),
                        n.attribute("width"),
                        n.attribute("height"),
                    )
                })
        };
        // ▄ the lower half, █ the whole cell, ▐ the right half.
        assert_eq!(rect("10"), Some((Some("63.5"), Some("8.4"), Some("8.5"))));
        assert_eq!(rect("18.4"), Some((Some("55"), Some("8.4"), Some("17"))));
        assert_eq!(rect("31"), Some((Some("55"), Some("4.2"), Some("17"))));
        // None of them is also drawn as text.
        assert!(!svg.contains('█') && !svg.contains('╭'));
    }

    #[test]
    fn background_runs_are_merged() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        buf.set_string(0, 0, "abcdefghij", Style::new().bg(Color::Blue));
        let svg = buffer_to_svg(&buf, "t");
        assert_eq!(
            svg.matches(r##"fill="#0000ee""##).count(),
            1,
            "one rectangle for the run\n{svg}"
        );
        assert!(svg.contains(r#"width="84""#));
    }

    #[test]
    fn custom_defaults_and_palette() {
        let opts = SvgOptions {
            default_fg: (0, 0, 0),
            default_bg: (255, 255, 255),
            ..SvgOptions::default()
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 1));
        buf.set_string(0, 0, "x", Style::new());
        let svg = buffer_to_svg_with(&buf, "light", &opts);
        assert!(svg.contains(r##"fill="#000000""##) && svg.contains(r##"fill="#ffffff""##));
        assert_eq!(xterm(16), (0, 0, 0));
        assert_eq!(xterm(196), (0xff, 0, 0));
        assert_eq!(xterm(231), (0xff, 0xff, 0xff));
        assert_eq!(xterm(232), (8, 8, 8));
        assert_eq!(xterm(255), (0xee, 0xee, 0xee));
        assert_eq!(rgb(Color::Reset), None);
        assert_eq!(rgb(Color::LightBlue), Some((0x5c, 0x5c, 0xff)));
    }

    #[test]
    fn hostile_symbols_still_parse() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf[(0, 0)].set_symbol("\x1b");
        buf[(1, 0)].set_symbol("]]>");
        buf[(2, 0)].set_symbol("");
        let svg = buffer_to_svg(&buf, "\x07title");
        roxmltree::Document::parse(&svg).expect("valid XML");
        assert!(!svg.contains('\x1b') && !svg.contains('\x07'));
    }

    /// Leaves `lambdascope-sample.svg` in the temp dir for a look (`rsvg-convert` it to PNG).
    #[test]
    fn writes_a_sample_for_eyes() {
        let svg = buffer_to_svg(&sample(), "lambdascope — sample");
        let _ = std::fs::write(std::env::temp_dir().join("lambdascope-sample.svg"), &svg);
        assert!(svg.ends_with("</svg>\n"));

        let mut terminal = Terminal::new(TestBackend::new(40, 7)).expect("test backend");
        terminal
            .draw(|f| {
                let data = [
                    1, 3, 2, 6, 8, 5, 9, 12, 7, 4, 2, 1, 3, 8, 15, 11, 6, 3, 2, 1,
                ];
                let spark = ratatui::widgets::Sparkline::default()
                    .data(data)
                    .style(Style::new().fg(Color::LightGreen))
                    .block(
                        Block::bordered()
                            .border_type(ratatui::widgets::BorderType::Rounded)
                            .title("p99 ms"),
                    );
                let [top, bottom] = ratatui::layout::Layout::vertical([5, 2]).areas(f.area());
                f.render_widget(spark, top);
                let gauge = ratatui::widgets::Gauge::default()
                    .ratio(0.62)
                    .gauge_style(Style::new().fg(Color::Yellow));
                f.render_widget(gauge, bottom);
            })
            .expect("draw");
        let svg = buffer_to_svg(terminal.backend().buffer(), "lambdascope — charts");
        roxmltree::Document::parse(&svg).expect("valid XML");
        let _ = std::fs::write(std::env::temp_dir().join("lambdascope-charts.svg"), &svg);
    }
}
