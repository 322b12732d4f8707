//! Terminal safety for log text. Messages come from whoever can write to a log group, and the
//! console may run over SSH: a raw ESC could retitle the window, move the cursor, or write the
//! clipboard (OSC 52). So no control character ever leaves here. Each is shown escaped (`\e`,
//! `\x07`, `\r`, `\u{9b}`) so the reader sees that it was there; well-formed SGR colour sequences
//! are the one exception: dropped, so a coloured line reads as its text.

use unicode_width::UnicodeWidthChar;

/// Tabs expand to the next multiple of this.
pub const TAB_WIDTH: usize = 4;

/// The text with SGR colour sequences stripped and every other control escaped: for drawing,
/// search, copy and print. Tabs expand to stops; a `\n` is escaped too (see
/// [`escape_plain_lines`]).
pub fn escape_plain(text: &str) -> String {
    let mut out = Writer::default();
    out.run(text);
    out.text
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
    text: String,
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
                    self.push(&" ".repeat(spaces));
                    1
                }
                c if is_unsafe(c) => {
                    // C1 CSI/OSC/DCS… (`\u{9b}31m`) are not interpreted: escaping the introducer
                    // leaves the rest as harmless text.
                    self.push(&escaped(c));
                    c.len_utf8()
                }
                _ => {
                    // The longest run of ordinary characters in one go.
                    let end = rest
                        .find(|c: char| c == ESC || c == '\t' || is_unsafe(c))
                        .unwrap_or(rest.len());
                    self.push(&rest[..end]);
                    end
                }
            };
            rest = &rest[consumed..];
        }
    }

    /// `rest` starts with ESC. Drops a well-formed SGR sequence or shows the whole sequence
    /// escaped; returns the bytes consumed.
    fn escape_sequence(&mut self, rest: &str) -> usize {
        let after = &rest[1..];
        let len = match after.chars().next() {
            Some('[') => {
                let (len, sgr) = csi(after);
                if sgr.is_some_and(is_sgr) {
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
        self.push(&shown);
        sequence.len()
    }

    fn push(&mut self, text: &str) {
        self.column += text.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
        self.text.push_str(text);
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

/// Whether `ESC[<params>m` makes sense as SGR (colours, bold…): such a sequence is dropped, its
/// text kept; one that does not is shown.
fn is_sgr(params: &str) -> bool {
    let mut groups = params.split(';');
    while let Some(group) = groups.next() {
        if group.contains(':') {
            // ITU form: `38:2::r:g:b` or `38:2:r:g:b`, `38:5:n`, `4:3` (curly underline).
            let sub: Vec<&str> = group.split(':').collect();
            if matches!(sub[0], "38" | "48") {
                let rgb_from = if sub.len() >= 6 { 3 } else { 2 };
                let Some(kind) = sub.get(1) else {
                    return false;
                };
                if !extended_color(
                    kind,
                    &sub[rgb_from.min(sub.len())..],
                    &sub[2.min(sub.len())..],
                ) {
                    return false;
                }
            }
            continue;
        }
        let code: u16 = match group {
            "" => 0,
            g => match g.parse() {
                Ok(code) => code,
                Err(_) => return false,
            },
        };
        if code == 38 || code == 48 {
            let mut next = || groups.next();
            let ok = match next() {
                Some("5") => next().is_some_and(|n| extended_color("5", &[], &[n])),
                Some("2") => match (next(), next(), next()) {
                    (Some(r), Some(g), Some(b)) => extended_color("2", &[r, g, b], &[]),
                    _ => false,
                },
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// `5;n` or `2;r;g;b` names a colour, given the arguments after the kind (RGB and index lists
/// may differ in the colon form, which has an optional colour-space field).
fn extended_color(kind: &str, rgb: &[&str], index: &[&str]) -> bool {
    let byte = |s: &&str| s.parse::<u8>().is_ok();
    match kind {
        "5" => index.first().is_some_and(byte),
        "2" => matches!(rgb, [r, g, b, ..] if byte(r) && byte(g) && byte(b)),
        _ => false,
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

    fn inert(text: &str) -> bool {
        !text.chars().any(is_unsafe)
    }

    #[test]
    fn plain_text_is_unchanged_and_not_copied() {
        assert_eq!(escape_plain("hello wörld 漢字"), "hello wörld 漢字");
        assert_eq!(escape_plain(""), "");
        assert!(matches!(
            escape_plain_cow("hello"),
            std::borrow::Cow::Borrowed("hello")
        ));
    }

    #[test]
    fn lines_keep_their_newlines_and_nothing_else() {
        let text = "paste \x1b[201~rm -rf ~\r\nnext \x1b]52;c;eA==\x07\n\u{202e}last";
        assert_eq!(
            escape_plain_lines(text),
            "paste \\e[201~rm -rf ~\\r\nnext \\e]52;c;eA==\\x07\n\\u{202e}last"
        );
        assert_eq!(escape_plain_lines("a\n\nb"), "a\n\nb");
        // Tab stops restart on each line.
        assert_eq!(escape_plain_lines("abc\tx\n\tx"), "abc x\n    x");
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
            // A literal backslash-e typed in a log is text.
            ("\\e", "\\e"),
        ];
        for (input, shown) in cases {
            assert_eq!(escape_plain(input), shown, "input {input:?}");
        }
    }

    #[test]
    fn unterminated_sequences() {
        for (input, shown) in [
            ("\x1b", "\\e"),
            ("\x1b[", "\\e["),
            ("\x1b[31", "\\e[31"),
            ("\x1b]52;c;AAAA", "\\e]52;c;AAAA"),
            ("\x1bP", "\\eP"),
            // A CSI cut by a newline or another ESC: the rest is processed normally, the SGR
            // after the cut OSC dropped.
            ("\x1b[12\nx", "\\e[12\\nx"),
            ("\x1b]0;t\x1b[1mB", "\\e]0;tB"),
        ] {
            assert_eq!(escape_plain(input), shown, "input {input:?}");
        }
    }

    #[test]
    fn sgr_is_dropped() {
        assert_eq!(
            escape_plain("\x1b[31mred\x1b[1m bold\x1b[0m plain"),
            "red bold plain"
        );
        for sgr in [
            "\x1b[38;5;208m",
            "\x1b[48;2;10;20;30m",
            "\x1b[38:2::1:2:3m",
            "\x1b[38:5:9m",
            "\x1b[92;104m",
            "\x1b[1;2;3;4;7m",
            "\x1b[1;3;22;23m",
            "\x1b[31;39m",
            "\x1b[m",
            "\x1b[4:3m",
            "\x1b[8m",
        ] {
            assert_eq!(escape_plain(&format!("{sgr}x")), "x", "{sgr:?}");
        }
    }

    #[test]
    fn malformed_sgr_is_shown() {
        for input in [
            "\x1b[38;5;999mx",
            "\x1b[38;2;1;2mx",
            "\x1b[38:7mx",
            "\x1b[99999999mx",
            "\x1b[?31mx",
            "\x1b[31 mx",
        ] {
            let shown = escape_plain(input);
            assert!(inert(&shown), "{shown:?}");
            assert_eq!(shown, format!("\\e{}", &input[1..]), "{input:?}");
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

    proptest! {
        #[test]
        fn no_control_ever_leaves(s in "(\\PC|[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\x1b]|\\x1b\\[[0-9;:?]{0,8}[ -~]?|\\x1b[\\]P_^X])*") {
            prop_assert!(inert(&escape_plain(&s)));
            prop_assert!(inert(&escape_plain_lines(&s).replace('\n', "")));
        }

        #[test]
        fn arbitrary_strings_are_safe(s in ".*") {
            prop_assert!(inert(&escape_plain(&s)));
        }

        #[test]
        fn plain_text_is_unchanged(s in "[^\\p{C}\\t\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}]*") {
            prop_assert_eq!(escape_plain(&s), s);
        }
    }
}
