//! The Lambda log parser on whatever a log group can hold: `classify` on each message, and the
//! console's invocation fold (`model::logs`, through `invocations`) on the batch of events.
//!
//! Input: events separated by the ASCII record separator (0x1E). An event's first byte picks its
//! log stream (low bit) and its time (the other bits; 0xFE and 0xFF are the far ends of time),
//! so the fuzzer controls order, streams and clock skew.
#![no_main]

use std::collections::BTreeSet;

use lambdascope::domain::LogEvent;
use lambdascope::model::logs::invocations;
use lambdascope::parse::lambda::{LogLine, classify};
use libfuzzer_sys::fuzz_target;

const STREAMS: [&str; 2] = [
    "2026/10/08/[$LATEST]22be53a8cfde4e68b844f8ec293b2543",
    "2026/10/08/orders-api[$LATEST]002cf7829acf404ea7f6995e1910b96b",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let whole = classify(&text);
    let _ = (whole.level(), whole.request_id());

    let events: Vec<LogEvent> = data
        .split(|&b| b == 0x1e)
        .take(64)
        .enumerate()
        .map(|(i, record)| event(i, record))
        .collect();
    let mut reported = BTreeSet::new();
    for e in &events {
        let line = classify(&e.message);
        let _ = line.level();
        if let Some(id) = line.request_id() {
            assert!(!id.is_empty(), "an empty request id from {:?}", e.message);
        }
        if let LogLine::Report(r) = line {
            reported.insert(r.request_id.into_owned());
        }
    }

    let found = invocations("f", &events);
    let ids: BTreeSet<String> = found.iter().map(|i| i.request_id.clone()).collect();
    assert_eq!(ids.len(), found.len(), "a request twice: {found:?}");
    assert_eq!(ids, reported, "every reported request, and only those");
    assert!(
        found
            .windows(2)
            .all(|w| (w[0].start, &w[0].request_id) <= (w[1].start, &w[1].request_id)),
        "oldest first: {found:?}"
    );
    for inv in &found {
        assert!(STREAMS.contains(&inv.log_stream.as_str()));
        assert!(inv.duration_ms.is_finite() && inv.billed_ms.is_finite());
        assert!(inv.init_duration_ms.is_none_or(f64::is_finite));
    }

    // The order events arrive in decides nothing about which requests are found.
    let mut reversed = events;
    reversed.reverse();
    let again: BTreeSet<String> = invocations("f", &reversed)
        .into_iter()
        .map(|i| i.request_id)
        .collect();
    assert_eq!(again, ids);
});

fn event(i: usize, record: &[u8]) -> LogEvent {
    let (head, message) = record.split_first().map_or((0, &[][..]), |(h, m)| (*h, m));
    let timestamp = match head {
        0xff => i64::MAX,
        0xfe => i64::MIN,
        h => i64::from(h >> 1) * 100,
    };
    LogEvent {
        timestamp,
        ingestion_time: timestamp,
        log_group: "/aws/lambda/f".into(),
        log_stream: STREAMS[usize::from(head & 1)].into(),
        message: String::from_utf8_lossy(message).into_owned(),
        event_id: i.to_string(),
    }
}
