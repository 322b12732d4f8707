//! Logs Insights queries as the demo evaluates them: `Query::parse` on the first line of the
//! input, then `run` over the other lines as log events a millisecond apart.
#![no_main]

use lambdascope::domain::LogEvent;
use lambdascope::parse::insights::{Command, Query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (query, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(parsed) = Query::parse(query) else {
        return;
    };
    let events: Vec<LogEvent> = rest
        .lines()
        .take(64)
        .enumerate()
        .map(|(i, line)| {
            LogEvent::new(
                "/aws/lambda/fuzz".into(),
                "2026/11/23/[$LATEST]0".into(),
                1_795_442_400_000 + i as i64,
                1_795_442_400_000 + i as i64,
                line.to_string(),
            )
        })
        .collect();
    let (rows, matched) = parsed.run(&events);
    // Filters only ever remove records.
    assert!(
        matched <= events.len(),
        "{matched} matched of {}",
        events.len()
    );
    // A limit at the end is a limit (read from the parsed query: a `|` inside a /regex/ does
    // not split commands).
    if let Some(Command::Limit(n)) = parsed.commands.last() {
        assert!(rows.len() <= *n, "{} rows past limit {n}", rows.len());
    }
});
