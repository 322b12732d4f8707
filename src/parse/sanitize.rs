//! Terminal safety for log text. Messages come from whoever can write to a log group, and the
//! console may run over SSH: a raw ESC could retitle the window, move the cursor, or write the
//! clipboard (OSC 52). So no control character ever leaves here. Each is shown escaped (`\e`,
//! `\x07`, `\r`, `\u{9b}`) so the reader sees that it was there; SGR colour sequences are the one
//! exception, parsed into [`SgrStyle`]s rather than passed through.

use unicode_width::UnicodeWidthChar;

/// Tabs expand to the next multiple of this.
pub const TAB_WIDTH: usize = 4;

/// A colour an SGR sequence asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SgrColor {
    Black,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    White,
    BrightBlack,
    BrightRed,
    BrightGreen,
    BrightYellow,
    BrightBlue,
    BrightMagenta,
    BrightCyan,
    BrightWhite,
    /// `38;5;n`: the xterm 256-colour palette.
    Indexed(u8),
    /// `38;2;r;g;b`.
    Rgb(u8, u8, u8),
}

impl SgrColor {
    const NAMED: [SgrColor; 16] = [
        SgrColor::Black,
        SgrColor::Red,
        SgrColor::Green,
        SgrColor::Yellow,
        SgrColor::Blue,
        SgrColor::Magenta,
        SgrColor::Cyan,
        SgrColor::White,
        SgrColor::BrightBlack,
        SgrColor::BrightRed,
        SgrColor::BrightGreen,
        SgrColor::BrightYellow,
        SgrColor::BrightBlue,
        SgrColor::BrightMagenta,
        SgrColor::BrightCyan,
        SgrColor::BrightWhite,
    ];
}

/// The style SGR sequences set. `None` colours mean the terminal's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SgrStyle {
    pub fg: Option<SgrColor>,
    pub bg: Option<SgrColor>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub reverse: bool,
}

/// A run of safe text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub style: SgrStyle,
    /// The text is the visible escape of control characters, not the log's own text: the UI can
    /// set it apart (a literal `\e` typed in a log looks the same otherwise).
    pub control: bool,
}

/// Makes one line of log text safe to draw: SGR parsed into styles, every other control
/// character escaped, tabs expanded. A `\n` is escaped too: split lines first, or use
/// [`sanitize_lines`].
pub fn sanitize(text: &str) -> Vec<Span> {
    let mut out = Writer::default();
    out.run(text);
    out.spans
}

/// [`sanitize`] for multi-line text: one span list per `\n`-separated line, colours carrying
/// over from line to line as they would in a terminal.
pub fn sanitize_lines(text: &str) -> Vec<Vec<Span>> {
    let mut out = Writer::default();
    text.split('\n')
        .map(|line| {
            out.column = 0;
            out.run(line);
            std::mem::take(&mut out.spans)
        })
        .collect()
}

/// The text with SGR stripped and every other control escaped: for search, copy and plain
/// contexts.
pub fn escape_plain(text: &str) -> String {
    sanitize(text).into_iter().map(|s| s.text).collect()
}

/// [`escape_plain`] without copying text that is already safe (the common case when drawing).
/// Tabs count as unsafe here too: they are expanded, never written raw.
pub fn escape_plain_cow(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        std::borrow::Cow::Owned(escape_plain(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// [`escape_plain`] for each `\n`-separated line, the newlines kept: text to copy or print
/// whole. Nothing in it acts when written to a terminal or pasted into a shell.
pub fn escape_plain_lines(text: &str) -> String {
    let lines: Vec<_> = text.split('\n').map(escape_plain_cow).collect();
    lines.join("\n")
}

#[derive(Default)]
struct Writer {
    spans: Vec<Span>,
    style: SgrStyle,
    /// Display column, for tab stops.
    column: usize,
}

const ESC: char = '\x1b';
const BEL: char = '\x07';
/// C1 string terminator.
const ST: char = '\u{9c}';

impl Writer {
    fn run(&mut self, text: &str) {
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let consumed = match c {
                ESC => self.escape_sequence(rest),
                '\t' => {
                    let spaces = TAB_WIDTH - self.column % TAB_WIDTH;
                    self.push(&" ".repeat(spaces), false);
                    1
                }
                c if is_unsafe(c) => {
                    // C1 CSI/OSC/DCS… (`\u{9b}31m`) are not interpreted: escaping the introducer
                    // leaves the rest as harmless text.
                    self.push(&escaped(c), true);
                    c.len_utf8()
                }
                _ => {
                    // The longest run of ordinary characters in one go.
                    let end = rest
                        .find(|c: char| c == ESC || c == '\t' || is_unsafe(c))
                        .unwrap_or(rest.len());
                    self.push(&rest[..end], false);
                    end
                }
            };
            rest = &rest[consumed..];
        }
    }

    /// `rest` starts with ESC. Applies an SGR sequence or shows the whole sequence escaped;
    /// returns the bytes consumed.
    fn escape_sequence(&mut self, rest: &str) -> usize {
        let after = &rest[1..];
        let len = match after.chars().next() {
            Some('[') => {
                let (len, sgr) = csi(after);
                if let Some(params) = sgr
                    && let Some(style) = apply_sgr(self.style, params)
                {
                    self.style = style;
                    return 1 + len;
                }
                len
            }
            // OSC, DCS, SOS, PM, APC: a string up to ST (or BEL for OSC), or the end.
            Some(']' | 'P' | 'X' | '^' | '_') => string_sequence(after),
            // Two-character sequences (ESC 7, ESC c, ESC =, …).
            Some(c) if (' '..='~').contains(&c) => 1,
            _ => 0,
        };
        let sequence = &rest[..1 + len];
        let shown: String = sequence
            .chars()
            .map(|c| {
                if is_unsafe(c) {
                    escaped(c)
                } else {
                    c.to_string()
                }
            })
            .collect();
        self.push(&shown, true);
        sequence.len()
    }

    fn push(&mut self, text: &str, control: bool) {
        if text.is_empty() {
            return;
        }
        self.column += text.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
        match self.spans.last_mut() {
            Some(last) if last.style == self.style && last.control == control => {
                last.text.push_str(text)
            }
            _ => self.spans.push(Span {
                text: text.to_owned(),
                style: self.style,
                control,
            }),
        }
    }
}

/// After `[`: parameters, intermediates, a final byte. Returns the length consumed after ESC
/// (stopping early, unterminated, at anything else) and, for a plain `m` sequence, its parameters.
fn csi(after: &str) -> (usize, Option<&str>) {
    let body = &after[1..];
    let params_end = body
        .find(|c: char| !('0'..='?').contains(&c))
        .unwrap_or(body.len());
    let inter_end = params_end
        + body[params_end..]
            .find(|c: char| !(' '..='/').contains(&c))
            .unwrap_or(body.len() - params_end);
    match body[inter_end..].chars().next() {
        Some(f @ '@'..='~') => {
            let params = &body[..params_end];
            let plain = inter_end == params_end
                && params
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ';' || c == ':');
            (1 + inter_end + 1, (f == 'm' && plain).then_some(params))
        }
        _ => (1 + inter_end, None),
    }
}

/// After ESC: the introducer, the payload, and the terminator if there is one.
fn string_sequence(after: &str) -> usize {
    let osc = after.starts_with(']');
    let mut chars = after.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            BEL if osc => return i + 1,
            ST => return i + c.len_utf8(),
            ESC => {
                return match chars.peek() {
                    Some((_, '\\')) => i + 2,
                    // A new sequence starts: this one was never terminated.
                    _ => i,
                };
            }
            _ => {}
        }
    }
    after.len()
}

/// Applies `ESC[<params>m`. `None` when the parameters make no sense, so the sequence is shown.
fn apply_sgr(mut style: SgrStyle, params: &str) -> Option<SgrStyle> {
    let mut groups = params.split(';');
    while let Some(group) = groups.next() {
        if group.contains(':') {
            // ITU form: `38:2::r:g:b` or `38:2:r:g:b`, `38:5:n`, `4:3` (curly underline).
            let sub: Vec<&str> = group.split(':').collect();
            match sub[0] {
                "38" | "48" => {
                    let rgb_from = if sub.len() >= 6 { 3 } else { 2 };
                    let color = extended_color(
                        sub.get(1).copied()?,
                        &sub[rgb_from.min(sub.len())..],
                        &sub[2.min(sub.len())..],
                    )?;
                    set_color(&mut style, sub[0] == "38", color);
                }
                "4" => style.underline = sub.get(1).is_none_or(|s| *s != "0"),
                _ => {}
            }
            continue;
        }
        let code: u16 = if group.is_empty() {
            0
        } else {
            group.parse().ok()?
        };
        match code {
            0 => style = SgrStyle::default(),
            1 => style.bold = true,
            2 => style.dim = true,
            3 => style.italic = true,
            4 => style.underline = true,
            7 => style.reverse = true,
            22 => (style.bold, style.dim) = (false, false),
            23 => style.italic = false,
            24 => style.underline = false,
            27 => style.reverse = false,
            30..=37 => style.fg = Some(SgrColor::NAMED[usize::from(code - 30)]),
            39 => style.fg = None,
            40..=47 => style.bg = Some(SgrColor::NAMED[usize::from(code - 40)]),
            49 => style.bg = None,
            90..=97 => style.fg = Some(SgrColor::NAMED[usize::from(code - 90 + 8)]),
            100..=107 => style.bg = Some(SgrColor::NAMED[usize::from(code - 100 + 8)]),
            38 | 48 => {
                let kind = groups.next()?;
                let args: Vec<&str> = match kind {
                    "5" => vec![groups.next()?],
                    "2" => vec![groups.next()?, groups.next()?, groups.next()?],
                    _ => return None,
                };
                set_color(&mut style, code == 38, extended_color(kind, &args, &args)?);
            }
            // Blink, conceal (8: text the reader must see), strike, fonts…: ignored, never hidden.
            _ => {}
        }
    }
    Some(style)
}

/// `5;n` or `2;r;g;b`, given the arguments after the kind (RGB and index lists may differ in the
/// colon form, which has an optional colour-space field).
fn extended_color(kind: &str, rgb: &[&str], index: &[&str]) -> Option<SgrColor> {
    let byte = |s: &&str| s.parse::<u8>().ok();
    match kind {
        "5" => Some(SgrColor::Indexed(byte(index.first()?)?)),
        "2" => match rgb {
            [r, g, b, ..] => Some(SgrColor::Rgb(byte(r)?, byte(g)?, byte(b)?)),
            _ => None,
        },
        _ => None,
    }
}

fn set_color(style: &mut SgrStyle, foreground: bool, color: SgrColor) {
    if foreground {
        style.fg = Some(color);
    } else {
        style.bg = Some(color);
    }
}

/// Characters that must not reach the terminal as they are: C0 (tab is expanded before this),
/// DEL, C1, and the bidi overrides that make text display other than it reads.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escaped(c: char) -> String {
    match c {
        ESC => "\\e".to_owned(),
        '\r' => "\\r".to_owned(),
        '\n' => "\\n".to_owned(),
        '\t' => "\\t".to_owned(),
        '\0'..='\x7f' => format!("\\x{:02x}", u32::from(c)),
        _ => format!("\\u{{{:x}}}", u32::from(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    fn assert_inert(spans: &[Span]) {
        for span in spans {
            assert!(
                !span.text.chars().any(is_unsafe),
                "unsafe char left in {:?}",
                span.text
            );
        }
    }

    #[test]
    fn plain_text_is_one_span() {
        assert_eq!(
            sanitize("hello wörld 漢字"),
            vec![Span {
                text: "hello wörld 漢字".into(),
                style: SgrStyle::default(),
                control: false
            }]
        );
        assert_eq!(sanitize(""), vec![]);
    }

    #[test]
    fn lines_keep_their_newlines_and_nothing_else() {
        let text = "paste \x1b[201~rm -rf ~\r\nnext \x1b]52;c;eA==\x07\n\u{202e}last";
        assert_eq!(
            escape_plain_lines(text),
            "paste \\e[201~rm -rf ~\\r\nnext \\e]52;c;eA==\\x07\n\\u{202e}last"
        );
        assert_eq!(escape_plain_lines("a\n\nb"), "a\n\nb");
    }

    #[test]
    fn hostile_sequences_are_shown_escaped() {
        let cases = [
            ("\x1b]52;c;ZXZpbA==\x07", "\\e]52;c;ZXZpbA==\\x07"),
            ("\x1b]0;pwned\x07", "\\e]0;pwned\\x07"),
            ("\x1b]0;pwned\x1b\\", "\\e]0;pwned\\e\\"),
            ("\x1b[2J\x1b[H", "\\e[2J\\e[H"),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("abc\x08\x08\x08___", "abc\\x08\\x08\\x08___"),
            ("\x1bP1$qm\x1b\\", "\\eP1$qm\\e\\"),
            (
                "\x1b_apc\x1b\\\x1b^pm\u{9c}\x1bXsos\x1b\\",
                "\\e_apc\\e\\\\e^pm\\u{9c}\\eXsos\\e\\",
            ),
            ("\u{9d}0;title\u{9c}", "\\u{9d}0;title\\u{9c}"),
            ("ring\x07 \x7f del\r\n", "ring\\x07 \\x7f del\\r\\n"),
            ("\x1b[?1049h\x1b[6n\x1b7\x1bc", "\\e[?1049h\\e[6n\\e7\\ec"),
            ("admin\u{202e}txt.exe", "admin\\u{202e}txt.exe"),
        ];
        for (input, shown) in cases {
            let spans = sanitize(input);
            assert_inert(&spans);
            assert_eq!(text(&spans), shown, "input {input:?}");
            assert_eq!(escape_plain(input), shown);
        }
    }

    #[test]
    fn escapes_are_marked_as_control() {
        let spans = sanitize("a\x1b]0;t\x07b");
        assert_eq!(
            spans
                .iter()
                .map(|s| (s.text.as_str(), s.control))
                .collect::<Vec<_>>(),
            vec![("a", false), ("\\e]0;t\\x07", true), ("b", false)]
        );
        // A literal backslash-e typed in a log is text.
        assert!(!sanitize("\\e")[0].control);
    }

    #[test]
    fn unterminated_sequences() {
        for (input, shown) in [
            ("\x1b", "\\e"),
            ("\x1b[", "\\e["),
            ("\x1b[31", "\\e[31"),
            ("\x1b]52;c;AAAA", "\\e]52;c;AAAA"),
            ("\x1bP", "\\eP"),
            // A CSI cut by a newline or another ESC: the rest is processed normally.
            ("\x1b[12\nx", "\\e[12\\nx"),
            ("\x1b]0;t\x1b[1mB", "\\e]0;tB"),
        ] {
            let spans = sanitize(input);
            assert_inert(&spans);
            assert_eq!(text(&spans), shown, "input {input:?}");
        }
        // …and the SGR after the cut OSC still applies.
        assert!(
            sanitize("\x1b]0;t\x1b[1mB")
                .last()
                .is_some_and(|s| s.style.bold)
        );
    }

    #[test]
    fn sgr_becomes_style() {
        let spans = sanitize("\x1b[31mred\x1b[1m bold\x1b[0m plain");
        assert_eq!(
            spans,
            vec![
                Span {
                    text: "red".into(),
                    style: SgrStyle {
                        fg: Some(SgrColor::Red),
                        ..Default::default()
                    },
                    control: false
                },
                Span {
                    text: " bold".into(),
                    style: SgrStyle {
                        fg: Some(SgrColor::Red),
                        bold: true,
                        ..Default::default()
                    },
                    control: false
                },
                Span {
                    text: " plain".into(),
                    style: SgrStyle::default(),
                    control: false
                },
            ]
        );
        let style = |s: &str| sanitize(s)[0].style;
        assert_eq!(style("\x1b[38;5;208mx").fg, Some(SgrColor::Indexed(208)));
        assert_eq!(
            style("\x1b[48;2;10;20;30mx").bg,
            Some(SgrColor::Rgb(10, 20, 30))
        );
        assert_eq!(style("\x1b[38:2::1:2:3mx").fg, Some(SgrColor::Rgb(1, 2, 3)));
        assert_eq!(style("\x1b[38:5:9mx").fg, Some(SgrColor::Indexed(9)));
        assert_eq!(style("\x1b[92;104mx").fg, Some(SgrColor::BrightGreen));
        assert_eq!(style("\x1b[92;104mx").bg, Some(SgrColor::BrightBlue));
        let all = style("\x1b[1;2;3;4;7mx");
        assert!(all.bold && all.dim && all.italic && all.underline && all.reverse);
        assert_eq!(style("\x1b[1;3;22;23mx"), SgrStyle::default());
        assert_eq!(style("\x1b[31;39mx").fg, None);
        // `ESC[m` is a reset.
        assert_eq!(style("\x1b[31m\x1b[mx"), SgrStyle::default());
        // Conceal is ignored: hidden text would hide things from the reader.
        assert_eq!(style("\x1b[8mx"), SgrStyle::default());
    }

    #[test]
    fn malformed_sgr_is_shown_not_applied() {
        for input in [
            "\x1b[38;5;999mx",
            "\x1b[38;2;1;2mx",
            "\x1b[99999999mx",
            "\x1b[?31mx",
            "\x1b[31 mx",
        ] {
            let spans = sanitize(input);
            assert_inert(&spans);
            assert!(spans[0].control, "{input:?} should be shown");
            assert_eq!(
                spans.last().map(|s| s.style),
                Some(SgrStyle::default()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn tabs_expand_to_stops() {
        assert_eq!(escape_plain("a\tb"), "a   b");
        assert_eq!(escape_plain("abcd\tb"), "abcd    b");
        assert_eq!(escape_plain("\t"), "    ");
        // Stops count display width: a wide character is two columns.
        assert_eq!(escape_plain("漢\tx"), "漢  x");
        // Colour codes take no columns.
        assert_eq!(escape_plain("\x1b[31mab\tc"), "ab  c");
    }

    #[test]
    fn lines_carry_style() {
        let lines = sanitize_lines("\x1b[32mok\nstill green\x1b[0m\n\tx");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1][0].style.fg, Some(SgrColor::Green));
        assert_eq!(lines[1][0].text, "still green");
        // Tab stops restart on each line.
        assert_eq!(lines[2][0].text, "    x");
    }

    proptest! {
        #[test]
        fn no_control_ever_leaves(s in "(\\PC|[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\x1b]|\\x1b\\[[0-9;:?]{0,8}[ -~]?|\\x1b[\\]P_^X])*") {
            let spans = sanitize(&s);
            assert_inert(&spans);
            for line in sanitize_lines(&s) {
                assert_inert(&line);
            }
            prop_assert!(!escape_plain(&s).chars().any(is_unsafe));
        }

        #[test]
        fn arbitrary_strings_are_safe(s in ".*") {
            assert_inert(&sanitize(&s));
        }

        #[test]
        fn plain_text_is_unchanged(s in "[^\\p{C}\\t\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}]*") {
            prop_assert_eq!(escape_plain(&s), s);
        }
    }
}
