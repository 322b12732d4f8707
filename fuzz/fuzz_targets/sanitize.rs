//! Terminal safety: whatever a log line holds, `escape_plain`, `escape_plain_cow` and
//! `escape_plain_lines` hand back no control character (C0, DEL, C1, so no ESC; the lines keep
//! their `\n`), no bidi override or isolate, and text with nothing to escape comes back unchanged.
#![no_main]

use lambdascope::parse::sanitize::{escape_plain, escape_plain_cow, escape_plain_lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let plain = escape_plain(&text);
    assert_inert(&plain);
    assert_eq!(escape_plain_cow(&text), plain);
    if !text.chars().any(|c| is_unsafe(c) || c == '\t') {
        assert_eq!(plain, text, "nothing to escape, nothing changed");
    }

    let lines = escape_plain_lines(&text);
    assert_eq!(lines.split('\n').count(), text.split('\n').count());
    for line in lines.split('\n') {
        assert_inert(line);
    }
});

fn assert_inert(text: &str) {
    if let Some(c) = text.chars().find(|&c| is_unsafe(c)) {
        panic!("{c:?} reached the terminal in {text:?}");
    }
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}
