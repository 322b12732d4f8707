//! CloudWatch filter patterns: `FilterPattern::parse` on the first line of the input, then
//! `matches` against the rest as the log message.
#![no_main]

use lambdascope::parse::filter_pattern::FilterPattern;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (pattern, message) = text.split_once('\n').unwrap_or((&text, ""));

    // An exact phrase always finds itself.
    if !message.contains('"') {
        let phrase = FilterPattern::parse(&format!("\"{message}\""));
        assert!(phrase.is_ok_and(|p| p.matches(message)), "{message:?}");
    }

    let Ok(parsed) = FilterPattern::parse(pattern) else {
        return;
    };
    let hit = parsed.matches(message);
    match &parsed {
        FilterPattern::All => assert!(hit),
        // Parentheses around a whole JSON pattern change nothing, unless they pass the limit.
        FilterPattern::Json(_) => {
            let inner = pattern
                .trim()
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .expect("a JSON pattern is in braces");
            match FilterPattern::parse(&format!("{{ ({inner} ) }}")) {
                Ok(wrapped) => assert_eq!(wrapped, parsed),
                Err(e) => assert!(e.starts_with("nested too deep"), "{e}"),
            }
        }
        FilterPattern::Terms { .. } => {}
    }
});
