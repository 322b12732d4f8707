//! A subset of X-Ray filter expressions, evaluated on trace summaries: the boolean keywords
//! (`ok`, `error`, `fault`, `throttle`, with `!`), numbers (`responsetime`, `duration`,
//! `http.status`), strings (`http.url`, `http.method`) and `service("name")`, combined with
//! AND/OR (AND binds tighter). The AWS backend passes expressions through to X-Ray instead.

use super::{MAX_NESTING, nested_too_deep, quoted_excerpt};
use crate::domain::TraceSummary;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceFilter {
    /// OR of AND-clauses; empty means "everything".
    any_of: Vec<Vec<Cond>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Cond {
    Flag {
        name: Flag,
        negated: bool,
    },
    Num {
        key: NumKey,
        op: &'static str,
        value: f64,
    },
    Str {
        key: StrKey,
        op: &'static str,
        value: String,
    },
    Service(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Flag {
    Ok,
    Error,
    Fault,
    Throttle,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum NumKey {
    ResponseTime,
    Duration,
    HttpStatus,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StrKey {
    Url,
    Method,
}

const OPS: [&str; 9] = [
    "CONTAINS",
    "BEGINSWITH",
    "ENDSWITH",
    "!=",
    ">=",
    "<=",
    "=",
    ">",
    "<",
];

impl TraceFilter {
    pub fn parse(src: &str) -> Result<TraceFilter, String> {
        check_nesting(src)?;
        let toks = lex(src)?;
        let mut any_of = vec![vec![]];
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i].as_str();
            match t.to_ascii_uppercase().as_str() {
                "AND" => {
                    i += 1;
                    continue;
                }
                "OR" => {
                    any_of.push(vec![]);
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let (negated, word) = match t.strip_prefix('!') {
                Some(w) => (true, w),
                None => (false, t),
            };
            let clause = any_of.last_mut().ok_or("empty filter")?;
            let flag = match word {
                "ok" => Some(Flag::Ok),
                "error" => Some(Flag::Error),
                "fault" => Some(Flag::Fault),
                "throttle" => Some(Flag::Throttle),
                _ => None,
            };
            if let Some(name) = flag {
                clause.push(Cond::Flag { name, negated });
                i += 1;
                continue;
            }
            if let Some(arg) = word
                .strip_prefix("service(")
                .and_then(|r| r.strip_suffix(')'))
            {
                clause.push(Cond::Service(arg.trim_matches('"').to_string()));
                i += 1;
                continue;
            }
            let op = toks
                .get(i + 1)
                .and_then(|o| OPS.iter().find(|x| x.eq_ignore_ascii_case(o)))
                .copied();
            let value = toks.get(i + 2);
            let (Some(op), Some(value)) = (op, value) else {
                return Err(format!(
                    "unknown filter {}; try fault, error, throttle, responsetime > 1, service(\"name\")",
                    quoted_excerpt(word)
                ));
            };
            let num_key = match word {
                "responsetime" => Some(NumKey::ResponseTime),
                "duration" => Some(NumKey::Duration),
                "http.status" => Some(NumKey::HttpStatus),
                _ => None,
            };
            let cond = if let Some(key) = num_key {
                let value = value
                    .parse()
                    .map_err(|_| format!("{word} needs a number, not {}", quoted_excerpt(value)))?;
                Cond::Num { key, op, value }
            } else {
                let key = match word {
                    "http.url" => StrKey::Url,
                    "http.method" => StrKey::Method,
                    _ => return Err(format!("unknown filter key {}", quoted_excerpt(word))),
                };
                Cond::Str {
                    key,
                    op,
                    value: value.trim_matches('"').to_string(),
                }
            };
            clause.push(cond);
            i += 3;
        }
        any_of.retain(|c| !c.is_empty());
        Ok(TraceFilter { any_of })
    }

    pub fn is_empty(&self) -> bool {
        self.any_of.is_empty()
    }

    pub fn matches(&self, t: &TraceSummary) -> bool {
        self.any_of.is_empty()
            || self
                .any_of
                .iter()
                .any(|clause| clause.iter().all(|c| c.matches(t)))
    }
}

impl Cond {
    fn matches(&self, t: &TraceSummary) -> bool {
        match self {
            Cond::Flag { name, negated } => {
                let v = match name {
                    Flag::Ok => !(t.has_error || t.has_fault || t.has_throttle),
                    Flag::Error => t.has_error,
                    Flag::Fault => t.has_fault,
                    Flag::Throttle => t.has_throttle,
                };
                v != *negated
            }
            Cond::Service(name) => t.services.iter().any(|s| s == name),
            Cond::Num { key, op, value } => {
                let v = match key {
                    // X-Ray's filter language counts in seconds.
                    NumKey::ResponseTime => t.response_time_ms.unwrap_or(t.duration_ms) / 1000.0,
                    NumKey::Duration => t.duration_ms / 1000.0,
                    NumKey::HttpStatus => match t.http_status {
                        Some(s) => f64::from(s),
                        None => return false,
                    },
                };
                match *op {
                    "=" => v == *value,
                    "!=" => v != *value,
                    ">" => v > *value,
                    ">=" => v >= *value,
                    "<" => v < *value,
                    "<=" => v <= *value,
                    _ => false,
                }
            }
            Cond::Str { key, op, value } => {
                let Some(s) = (match key {
                    StrKey::Url => t.http_url.as_deref(),
                    StrKey::Method => t.http_method.as_deref(),
                }) else {
                    return false;
                };
                match op.to_ascii_uppercase().as_str() {
                    "=" => s == value,
                    "!=" => s != value,
                    "CONTAINS" => s.contains(value.as_str()),
                    "BEGINSWITH" => s.starts_with(value.as_str()),
                    "ENDSWITH" => s.ends_with(value.as_str()),
                    _ => false,
                }
            }
        }
    }
}

/// X-Ray groups with `(…)` and `{…}` (`service("x") { fault }`). Bounding the nesting before
/// reading keeps any recursive reading of the grammar off the end of the stack.
fn check_nesting(src: &str) -> Result<(), String> {
    let mut depth = 0usize;
    let mut quoted = false;
    for c in src.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' | '{' if !quoted => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(nested_too_deep());
                }
            }
            ')' | '}' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Words, operators and quoted strings; `service("x")` stays one token.
fn lex(src: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = src.chars().peekable();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(std::mem::take(cur));
        }
    };
    while let Some(c) = chars.next() {
        if c == '"' {
            quoted = !quoted;
            cur.push(c);
        } else if quoted {
            cur.push(c);
        } else if c.is_whitespace() {
            flush(&mut cur, &mut out);
        } else if "<>=!".contains(c)
            && !(c == '!' && chars.peek().is_some_and(|n| n.is_alphabetic()))
        {
            flush(&mut cur, &mut out);
            let mut op = c.to_string();
            if chars.peek() == Some(&'=') {
                op.push('=');
                chars.next();
            }
            out.push(op);
        } else {
            cur.push(c);
        }
    }
    if quoted {
        return Err("unterminated quote in filter".into());
    }
    flush(&mut cur, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(fault: bool, status: u16, secs: f64) -> TraceSummary {
        TraceSummary {
            id: "1-00000000-000000000000000000000000".into(),
            start: 0,
            duration_ms: secs * 1000.0,
            response_time_ms: Some(secs * 1000.0),
            has_error: false,
            has_fault: fault,
            has_throttle: false,
            http_method: Some("POST".into()),
            http_url: Some("https://api.example.com/prod/orders".into()),
            http_status: Some(status),
            services: vec!["shop-api/prod".into(), "orders-api-create".into()],
            request_ids: vec![],
        }
    }

    #[test]
    fn keywords_numbers_strings_and_services() {
        let bad = summary(true, 502, 0.2);
        let good = summary(false, 200, 1.5);
        let f = |s: &str| TraceFilter::parse(s).unwrap();
        assert!(f("").matches(&bad) && f("").matches(&good));
        assert!(f("fault").matches(&bad) && !f("fault").matches(&good));
        assert!(f("!fault").matches(&good) && !f("!fault").matches(&bad));
        assert!(f("ok").matches(&good));
        assert!(f("responsetime > 1").matches(&good) && !f("responsetime>1").matches(&bad));
        assert!(f("http.status = 502").matches(&bad));
        assert!(f("http.status != 200 AND fault").matches(&bad));
        assert!(f("fault OR responsetime >= 1.5").matches(&good));
        assert!(f("http.url CONTAINS \"orders\"").matches(&good));
        assert!(f("service(\"orders-api-create\") fault").matches(&bad));
        assert!(!f("service(\"payments-webhook\")").matches(&bad));
    }

    #[test]
    fn mistakes_are_reported() {
        assert!(TraceFilter::parse("latency > 3").is_err());
        assert!(TraceFilter::parse("responsetime > fast").is_err());
        assert!(TraceFilter::parse("http.url = \"x").is_err());
    }

    #[test]
    fn errors_quote_only_the_start_of_a_long_word() {
        let err = TraceFilter::parse(&"x".repeat(100_000)).unwrap_err();
        assert!(
            err.starts_with(&format!("unknown filter \"{}\"…;", "x".repeat(40))),
            "{err}"
        );
    }

    /// Grouping nests; however the grammar grows, 100,000 levels must be an error, not a
    /// stack overflow.
    #[test]
    fn deep_nesting_is_an_error() {
        let deep = [
            "(".repeat(100_000) + "fault" + &")".repeat(100_000),
            "service(\"x\") ".to_string() + &"{".repeat(100_000),
        ];
        for src in deep {
            let err = TraceFilter::parse(&src).unwrap_err();
            assert!(
                err.contains("nested too deep (more than 64 levels)"),
                "{err}"
            );
        }
        // Brackets inside a quoted string are text.
        assert!(TraceFilter::parse(&format!("http.url CONTAINS \"{}\"", "(".repeat(100))).is_ok());
    }
}
