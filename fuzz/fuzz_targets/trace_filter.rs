//! X-Ray filter expressions: `TraceFilter::parse` on the first two lines of the input, then
//! `matches` against a trace summary built from the rest.
#![no_main]

use std::collections::BTreeMap;

use lambdascope::domain::{AnnotationValue, ServiceRef, TraceSummary};
use lambdascope::parse::trace_filter::TraceFilter;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let (a, b) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    let rest = lines.next().unwrap_or("");
    let Ok(summary) = summary(&mut Unstructured::new(rest.as_bytes())) else {
        return;
    };

    let (Ok(fa), fb) = (TraceFilter::parse(a), TraceFilter::parse(b)) else {
        return;
    };
    let hit = fa.matches(&summary);
    if fa.is_empty() {
        assert!(hit, "the empty filter lets everything through");
    }
    // `a OR b` holds where either does.
    if let Ok(fb) = fb
        && !fa.is_empty()
        && !fb.is_empty()
    {
        match TraceFilter::parse(&format!("{a} OR {b}")) {
            Ok(either) => assert_eq!(either.matches(&summary), hit || fb.matches(&summary)),
            Err(e) => assert!(e.starts_with("nested too deep"), "{e}"),
        }
    }
});

fn summary(u: &mut Unstructured) -> Result<TraceSummary> {
    let mut services = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        services.push(service(u)?);
    }
    let mut annotations = BTreeMap::new();
    for _ in 0..u.int_in_range(0..=3)? {
        let value = match u.int_in_range(0..=2)? {
            0 => AnnotationValue::Str(u.arbitrary()?),
            1 => AnnotationValue::Num(u.arbitrary()?),
            _ => AnnotationValue::Bool(u.arbitrary()?),
        };
        annotations
            .entry(u.arbitrary::<String>()?)
            .or_insert_with(Vec::new)
            .push(value);
    }
    Ok(TraceSummary {
        id: "1-643aca1d-02e095f7341508e00b9b6d2b".into(),
        start: u.arbitrary()?,
        duration_ms: u.arbitrary()?,
        response_time_ms: u.arbitrary()?,
        has_error: u.arbitrary()?,
        has_fault: u.arbitrary()?,
        has_throttle: u.arbitrary()?,
        is_partial: u.arbitrary()?,
        http_method: u.arbitrary()?,
        http_url: u.arbitrary()?,
        http_status: u.arbitrary()?,
        entry: services.first().cloned(),
        services,
        annotations,
        root_cause: u.arbitrary()?,
    })
}

fn service(u: &mut Unstructured) -> Result<ServiceRef> {
    Ok(ServiceRef {
        name: u.arbitrary()?,
        kind: u.arbitrary()?,
        fault: u.arbitrary()?,
        error: u.arbitrary()?,
        throttle: u.arbitrary()?,
    })
}
