//! `lambdascope traces`, `trace` and `map`: X-Ray for scripts and for pasting into an incident
//! channel.
//!
//! ```text
//! $ lambdascope trace 1-6745a1b2-… --demo
//! 1-6745a1b2-… · POST https://api.shop.example.com/prod/orders · 502 · 1.24s · cold start
//!   SPAN                          KIND       DURATION      SELF STATUS  0        620ms       1.24s
//! ● ▾ shop-api/prod               API GW        1.24s     3.0ms    502  ███████████████████████
//! ```

use serde::Serialize;

use crate::domain::{
    EpochMs, HOUR_MS, ServiceGraph, SourceError, SpanKind, TimeWindow, TraceQuery, TraceSummary,
    Waterfall, url_path,
};
use crate::source::Source;
use crate::ui::format;
use crate::ui::widgets::waterfall;

/// How far back from now, as every command reads a span, within the 30 days X-Ray keeps.
pub fn parse_since(s: &str) -> Result<EpochMs, String> {
    let ms = crate::domain::parse_span(s)?;
    if ms > 30 * 24 * HOUR_MS {
        return Err(format!(
            "{s:?}: X-Ray keeps traces for 30 days; ask for up to 30d"
        ));
    }
    Ok(ms)
}

fn hms(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

fn flags(t: &TraceSummary) -> String {
    let mut f = String::new();
    for (on, c) in [
        (t.has_fault, 'F'),
        (t.has_error, 'E'),
        (t.has_throttle, 'T'),
    ] {
        if on {
            f.push(c);
        }
    }
    f
}

/// `lambdascope traces`: the newest summaries in the last `since`, matching `filter`.
pub async fn print_traces(
    source: &Source,
    since: EpochMs,
    filter: &str,
    limit: usize,
    json: bool,
) -> Result<String, SourceError> {
    let now = source.now();
    let query = TraceQuery {
        window: TimeWindow::new(now - since, now),
        filter: filter.trim().to_string(),
        limit,
    };
    let summaries = source.trace_summaries(&query).await?;
    if json {
        return serde_json::to_string_pretty(&summaries)
            .map(|s| s + "\n")
            .map_err(|e| SourceError::Other(e.to_string()));
    }
    let mut out = format!(
        "{:<19}  {:>8}  {:>6}  {:<6}  {:<5}  {:<28}  {:<22}  {:<35}  ROOT CAUSE\n",
        "START (UTC)", "DURATION", "STATUS", "METHOD", "FLAGS", "URL", "ENTRY", "TRACE ID"
    );
    for t in &summaries {
        out.push_str(&format!(
            "{:<19}  {:>8}  {:>6}  {:<6}  {:<5}  {:<28}  {:<22}  {:<35}  {}\n",
            hms(t.start),
            format::millis(t.duration_ms),
            t.http_status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            format::safe(t.http_method.as_deref().unwrap_or("-")),
            flags(t),
            format::safe(t.http_url.as_deref().map(url_path).unwrap_or("-")),
            format::safe(t.entry.as_ref().map_or("-", |e| e.name.as_str())),
            format::safe(&t.id),
            format::safe(t.root_cause.as_deref().unwrap_or("")),
        ));
    }
    if summaries.is_empty() {
        out.push_str("(no traces in this window match)\n");
    }
    Ok(out)
}

#[derive(Serialize)]
struct TraceJson<'a> {
    id: &'a str,
    duration_ms: f64,
    cold_start: bool,
    spans: Vec<SpanJson<'a>>,
}

#[derive(Serialize)]
struct SpanJson<'a> {
    depth: u16,
    parent: Option<usize>,
    kind: SpanKind,
    offset_ms: f64,
    duration_ms: Option<f64>,
    self_ms: f64,
    critical_ms: Option<f64>,
    #[serde(flatten)]
    segment: &'a crate::domain::Segment,
}

/// `lambdascope trace ID`: the waterfall as text (or JSON), `width` columns wide.
pub async fn print_trace(
    source: &Source,
    id: &str,
    json: bool,
    width: usize,
) -> Result<String, SourceError> {
    let trace = source
        .traces(&[id.to_string()])
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| {
            SourceError::NotFound(format!(
                "trace {id} (X-Ray keeps traces for 30 days, and only sampled requests are traced)"
            ))
        })?;
    let cold = trace.is_cold();
    let duration_ms = trace.duration_ms;
    let w = Waterfall::new(trace);
    if json {
        let spans = w
            .spans
            .iter()
            .map(|s| SpanJson {
                depth: s.depth,
                parent: s.parent,
                kind: s.kind,
                offset_ms: (s.seg.start - w.t0) as f64 / 1000.0,
                duration_ms: (!s.seg.in_progress).then(|| s.duration_us() as f64 / 1000.0),
                self_ms: s.self_us as f64 / 1000.0,
                critical_ms: s.critical_us.map(|c| c as f64 / 1000.0),
                segment: &s.seg,
            })
            .collect();
        let doc = TraceJson {
            id: &w.id,
            duration_ms,
            cold_start: cold,
            spans,
        };
        return serde_json::to_string_pretty(&doc)
            .map(|s| s + "\n")
            .map_err(|e| SourceError::Other(e.to_string()));
    }
    let mut out = String::new();
    let mut head = vec![format::safe(&w.id).into_owned()];
    if let Some(root) = w.spans.first() {
        if let (Some(m), Some(u)) = (&root.seg.http.method, &root.seg.http.url) {
            head.push(format::safe(&format!("{m} {u}")).into_owned());
        }
        if let Some(st) = root.seg.http.status {
            head.push(st.to_string());
        }
    }
    head.push(waterfall::micros(w.span_us()));
    if cold {
        head.push("cold start".into());
    }
    if w.spans.iter().any(|s| s.seg.fault) {
        head.push("fault".into());
    }
    if w.spans.iter().any(|s| s.seg.throttle) {
        head.push("throttled".into());
    }
    head.push(format!("{} UTC", hms(w.t0.div_euclid(1000))));
    out.push_str(&head.join(" · "));
    out.push('\n');
    out.push_str(&waterfall::text(&w, width));
    out.push_str("● = on the critical path; SELF = time not spent in children\n");
    // The causes, so the paste says why as well as where.
    for s in &w.spans {
        let Some(c) = &s.seg.cause else { continue };
        for e in &c.exceptions {
            out.push_str(&format!(
                "cause in {}: {}{}\n",
                format::safe(&s.seg.label()),
                format::safe(e.kind.as_deref().unwrap_or("exception")),
                e.message
                    .as_deref()
                    .map(|m| format!(": {}", format::safe(m)))
                    .unwrap_or_default()
            ));
            for f in &e.stack {
                out.push_str(&format!(
                    "    at {} ({}{})\n",
                    format::safe(f.label.as_deref().unwrap_or("?")),
                    format::safe(f.path.as_deref().unwrap_or("?")),
                    f.line.map(|l| format!(":{l}")).unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

/// `lambdascope map`: every node with its figures and its calls.
pub async fn print_map(source: &Source, since: EpochMs, json: bool) -> Result<String, SourceError> {
    let now = source.now();
    let graph = source
        .service_graph(TimeWindow::new(now - since, now))
        .await?;
    if json {
        return serde_json::to_string_pretty(&graph)
            .map(|s| s + "\n")
            .map_err(|e| SourceError::Other(e.to_string()));
    }
    Ok(map_text(&graph))
}

fn map_text(g: &ServiceGraph) -> String {
    let name = |id: u32| {
        g.services
            .iter()
            .find(|s| s.id == id)
            .map(|s| format!("{} ({})", format::safe(&s.name), format::safe(&s.kind)))
            .unwrap_or_else(|| format!("#{id}"))
    };
    let mut out = String::new();
    if g.services.is_empty() {
        out.push_str("(no service graph in this window: X-Ray saw no traced requests)\n");
    }
    for s in &g.services {
        let pct = |p: Option<f64>| p.map(format::percent).unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{}  {} requests · errors {} · faults {} · throttled {} · avg {}\n",
            name(s.id),
            s.requests,
            pct(s.error_pct()),
            pct(s.fault_pct()),
            pct(s.throttle_pct()),
            format::millis(s.avg_response_ms)
        ));
        for e in &s.edges {
            out.push_str(&format!(
                "  → {}  {} calls{}{} · avg {}\n",
                name(e.to),
                e.requests,
                if e.errors > 0 {
                    format!(" · {} errors", e.errors)
                } else {
                    String::new()
                },
                if e.faults > 0 {
                    format!(" · {} faults", e.faults)
                } else {
                    String::new()
                },
                format::millis(e.avg_response_ms)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_time() {
        assert_eq!(parse_since("15m"), Ok(15 * crate::domain::MINUTE_MS));
        assert_eq!(parse_since("2d"), Ok(48 * HOUR_MS));
        assert_eq!(parse_since("90s"), Ok(90_000));
        assert!(parse_since("31d").is_err());
        assert_eq!(parse_since("1w"), Ok(7 * 24 * HOUR_MS));
        assert!(parse_since("soon").is_err());
        assert!(parse_since("0h").is_err());
    }
}
