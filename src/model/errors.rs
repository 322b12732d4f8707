//! Error groups: the window's errors by fingerprint, built from the loaded buffer.
//!
//! A fingerprint is the error's message with what varies between occurrences masked (numbers,
//! request and trace ids, UUIDs, hex) plus the top stack frame, so that "KeyError: 'signature'
//! at app.py:27" is one group however many requests hit it.

use std::collections::{BTreeSet, HashMap};

use super::logs::{Kind, LogBuffer};
use crate::domain::{EpochMs, TimeWindow};

/// One group.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorGroup {
    pub fingerprint: String,
    /// The message of its first occurrence, unmasked, one line.
    pub example: String,
    pub count: usize,
    pub first_seen: EpochMs,
    pub last_seen: EpochMs,
    pub functions: BTreeSet<String>,
    /// The invocations it hit.
    pub invocations: Vec<u32>,
    /// Occurrences of error lines with no invocation.
    pub times: Vec<EpochMs>,
}

impl ErrorGroup {
    /// Occurrences per bucket over `window`, for the sparkline.
    pub fn histogram(&self, window: TimeWindow, buckets: usize) -> Vec<f64> {
        let mut out = vec![0.0; buckets.max(1)];
        let span = window.len_ms().max(1);
        for &t in &self.times {
            let i = ((t - window.start).max(0) * out.len() as i64 / span) as usize;
            if let Some(b) = out.get_mut(i.min(buckets.max(1) - 1)) {
                *b += 1.0;
            }
        }
        out
    }
}

/// Masks what varies between occurrences of one error.
pub fn mask(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for token in message.split_inclusive(|c: char| c.is_whitespace() || "'\"(),[]{}=:".contains(c))
    {
        let (word, sep) = match token.char_indices().last() {
            Some((i, c)) if c.is_whitespace() || "'\"(),[]{}=:".contains(c) => token.split_at(i),
            _ => (token, ""),
        };
        out.push_str(&mask_word(word));
        out.push_str(sep);
    }
    out
}

fn mask_word(w: &str) -> String {
    let hexish = w.len() >= 8
        && w.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && w.chars().any(|c| c.is_ascii_digit());
    if hexish {
        return "<id>".into();
    }
    if w.starts_with("1-") && w.len() > 20 {
        return "<trace>".into();
    }
    // Digits anywhere (ord_12ab, 42, u_1234): the digits go.
    let mut s = String::with_capacity(w.len());
    let mut in_digits = false;
    for c in w.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                s.push('#');
            }
            in_digits = true;
        } else {
            in_digits = false;
            s.push(c);
        }
    }
    s
}

/// The error text of a line: what follows the runtime's prefix, the first line of it, and the
/// first stack frame found below.
fn error_text(text: &str) -> (String, Option<String>) {
    let parsed = crate::parse::lambda::classify(text);
    let message = match &parsed {
        crate::parse::lambda::LogLine::App(a) => match &a.error_type {
            Some(t) if !a.message.contains(t.as_ref()) => format!("{t}: {}", a.message),
            _ => a.message.to_string(),
        },
        crate::parse::lambda::LogLine::Report(r) => format!(
            "REPORT status {}{}",
            r.status.as_deref().unwrap_or("error"),
            r.error_type
                .as_deref()
                .map(|t| format!(" {t}"))
                .unwrap_or_default()
        ),
        crate::parse::lambda::LogLine::Timeout { .. } => "Task timed out".into(),
        _ => text.to_string(),
    };
    let first = message
        .split(['\n', '\r'])
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string();
    let frame = text
        .split(['\n', '\r'])
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}'))
        .find(|l| l.starts_with("File \"") || l.starts_with("at "))
        .map(str::to_string);
    (first, frame)
}

/// Groups every error line in the buffer (the first error line of each invocation, and error
/// lines of no invocation), worst first.
pub fn groups(buffer: &LogBuffer) -> Vec<ErrorGroup> {
    let mut by: HashMap<String, ErrorGroup> = HashMap::new();
    let mut counted_invs = std::collections::HashSet::new();
    for (_, line, text) in buffer.iter() {
        if line.kind == Kind::Gap || line.level < 5 {
            continue;
        }
        // One occurrence per invocation: its first error line says what went wrong.
        if line.inv != super::logs::NO_INV && !counted_invs.insert(line.inv) {
            continue;
        }
        let text = String::from_utf8_lossy(text);
        let (message, frame) = error_text(&text);
        let fingerprint = match &frame {
            Some(f) => format!("{} @ {}", mask(&message), mask(f)),
            None => mask(&message),
        };
        let function = buffer.functions.name(u32::from(line.function)).to_string();
        let g = by.entry(fingerprint.clone()).or_insert_with(|| ErrorGroup {
            fingerprint,
            example: message.clone(),
            count: 0,
            first_seen: line.ts,
            last_seen: line.ts,
            functions: BTreeSet::new(),
            invocations: vec![],
            times: vec![],
        });
        g.count += 1;
        g.first_seen = g.first_seen.min(line.ts);
        g.last_seen = g.last_seen.max(line.ts);
        g.functions.insert(function);
        g.times.push(line.ts);
        if line.inv != super::logs::NO_INV {
            g.invocations.push(line.inv);
        }
    }
    let mut out: Vec<ErrorGroup> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.last_seen.cmp(&a.last_seen))
            .then(a.fingerprint.cmp(&b.fingerprint))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LogEvent;

    #[test]
    fn masking_keeps_the_message_and_drops_what_varies() {
        assert_eq!(
            mask("order ord_3f2a91 failed after 3 retries (id 8f507cfc-4697-b07a-ac58fc914c95)"),
            "order ord_#f#a# failed after # retries (id <id>)"
        );
        assert_eq!(mask("KeyError: 'signature'"), "KeyError: 'signature'");
    }

    #[test]
    fn one_group_per_error_whatever_the_request() {
        let mut b = LogBuffer::new(100);
        let mut events = vec![];
        for (i, rid) in ["a1", "b2", "c3"].iter().enumerate() {
            let t = i as i64 * 1000;
            events.push(LogEvent::new(
                "g".into(),
                "s".into(),
                t,
                t,
                format!("START RequestId: {rid} Version: $LATEST"),
            ));
            events.push(LogEvent::new(
                "g".into(),
                "s".into(),
                t + 1,
                t,
                format!("2026-11-23T14:00:00.001Z\t{rid}\tERROR\tInvoke Error \t{{\"errorType\":\"TypeError\",\"errorMessage\":\"bad sku {i}\"}}"),
            ));
            events.push(LogEvent::new("g".into(), "s".into(), t + 2, t, format!("REPORT RequestId: {rid}\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t")));
        }
        b.append(&events);
        let g = groups(&b);
        assert_eq!(g.len(), 1, "{g:?}");
        assert_eq!(g[0].count, 3);
        assert_eq!(g[0].invocations.len(), 3);
        assert_eq!((g[0].first_seen, g[0].last_seen), (1, 2001));
        // Named by what went wrong, not by Node's "Invoke Error" prefix.
        assert_eq!(g[0].example, "TypeError: bad sku 0");
    }
}
