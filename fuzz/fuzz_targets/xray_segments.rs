//! The X-Ray segment-document parser: `assemble` on the input as one document and split on
//! newlines into several (one per line, as BatchGetTraces hands them over).
//!
//! The trees it builds must hold every distinct segment id exactly once (nothing lost, nothing
//! invented, nothing twice), be at most `MAX_DEPTH + 1` levels deep, and order siblings by
//! start time.
#![no_main]

use std::collections::BTreeSet;

use lambdascope::domain::Segment;
use lambdascope::parse::xray::{MAX_DEPTH, assemble};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&[&text]);
    check(&text.split('\n').collect::<Vec<_>>());
});

fn check(documents: &[&str]) {
    let roots = assemble(documents.iter().copied());
    let mut expected = BTreeSet::new();
    for doc in documents {
        if let Ok(v) = serde_json::from_str::<Value>(doc) {
            ids_in(&v, 0, &mut expected);
        }
    }

    let mut seen = BTreeSet::new();
    assert!(in_start_order(&roots), "roots out of order");
    let mut stack: Vec<(&Segment, usize)> = roots.iter().map(|s| (s, 0)).collect();
    while let Some((s, depth)) = stack.pop() {
        assert!(depth <= MAX_DEPTH, "{} is {depth} levels deep", s.id);
        assert!(seen.insert(s.id.to_string()), "{} twice", s.id);
        assert!(
            in_start_order(&s.children),
            "children of {} out of order",
            s.id
        );
        stack.extend(s.children.iter().map(|c| (c, depth + 1)));
    }
    assert_eq!(seen, expected);
}

fn in_start_order(segments: &[Segment]) -> bool {
    segments.windows(2).all(|w| w[0].start <= w[1].start)
}

/// The ids `assemble` promises to place: every object with a non-empty string id, and its
/// inline subsegments down to `MAX_DEPTH`.
fn ids_in(v: &Value, depth: usize, out: &mut BTreeSet<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(id) = v
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return;
    };
    out.insert(id.to_owned());
    for sub in v
        .get("subsegments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        ids_in(sub, depth + 1, out);
    }
}
