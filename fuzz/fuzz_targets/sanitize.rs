//! Terminal safety: whatever a log line holds, `sanitize`, `sanitize_lines`, `escape_plain` and
//! `escape_plain_cow` hand back no control character (C0, DEL, C1, so no ESC), no bidi override
//! or isolate, and text with nothing to escape comes back unchanged.
#![no_main]

use lambdascope::parse::sanitize::{escape_plain, escape_plain_cow, sanitize, sanitize_lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let spans = sanitize(&text);
    for w in spans.windows(2) {
        assert!(
            (w[0].style, w[0].control) != (w[1].style, w[1].control),
            "neighbours in one style are one span"
        );
    }
    for s in &spans {
        assert!(!s.text.is_empty());
        assert_inert(&s.text);
    }
    let plain = escape_plain(&text);
    assert_inert(&plain);
    assert_eq!(
        plain,
        spans.iter().map(|s| s.text.as_str()).collect::<String>()
    );
    assert_eq!(escape_plain_cow(&text), plain);
    if !text.chars().any(|c| is_unsafe(c) || c == '\t') {
        assert_eq!(plain, text, "nothing to escape, nothing changed");
    }

    let lines = sanitize_lines(&text);
    assert_eq!(lines.len(), text.split('\n').count());
    for s in lines.iter().flatten() {
        assert_inert(&s.text);
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
