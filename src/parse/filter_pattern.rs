//! CloudWatch Logs filter patterns, as FilterLogEvents and Live Tail read them: terms
//! (`ERROR`, `"exact phrase"`, `?either ?or`, `-exclude`) and JSON selectors
//! (`{ $.level = "ERROR" && $.record.metrics.durationMs > 1000 }`). Case-sensitive, as AWS is.

use serde_json::Value;

use super::{MAX_NESTING, nested_too_deep, quoted_excerpt};

#[derive(Debug, Clone, PartialEq)]
pub enum FilterPattern {
    All,
    Terms {
        all: Vec<String>,
        any: Vec<String>,
        none: Vec<String>,
    },
    Json(JsonExpr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonExpr {
    /// `a && b && …`, flat, so a long chain is no deeper than one term.
    And(Vec<JsonExpr>),
    /// `a || b || …`.
    Or(Vec<JsonExpr>),
    Cmp {
        path: Vec<PathStep>,
        op: Op,
        value: Literal,
    },
    Exists {
        path: Vec<PathStep>,
        exists: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    /// Every comparison with its symbol, the two-character ones first (so `<=` is not read as
    /// `<`).
    pub const SYMBOLS: [(&'static str, Op); 6] = [
        ("!=", Op::Ne),
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("=", Op::Eq),
        (">", Op::Gt),
        ("<", Op::Lt),
    ];

    pub fn from_symbol(s: &str) -> Option<Op> {
        Op::SYMBOLS.iter().find(|(t, _)| *t == s).map(|&(_, op)| op)
    }

    /// Whether a value that compares as `ord` with the wanted one passes.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Ne => ord != Equal,
            Op::Lt => ord == Less,
            Op::Le => ord != Greater,
            Op::Gt => ord == Greater,
            Op::Ge => ord != Less,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

impl FilterPattern {
    pub fn parse(src: &str) -> Result<FilterPattern, String> {
        let s = src.trim();
        if s.is_empty() {
            return Ok(FilterPattern::All);
        }
        if s.starts_with('{') {
            let inner = s
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .ok_or("a JSON pattern must end with }")?;
            let mut p = JsonParser {
                s: inner.as_bytes(),
                i: 0,
                depth: 0,
            };
            let e = p.or()?;
            p.ws();
            if p.i != p.s.len() {
                return Err(format!(
                    "unexpected {} in JSON pattern",
                    quoted_excerpt(&inner[p.i..])
                ));
            }
            return Ok(FilterPattern::Json(e));
        }
        if s.starts_with('[') {
            return Err("space-delimited patterns ([w1, w2, ...]) are not supported here".into());
        }
        if s.starts_with('%') {
            return Err("regular-expression patterns (%...%) are not supported here".into());
        }
        let (mut all, mut any, mut none) = (vec![], vec![], vec![]);
        for tok in tokens(s)? {
            if let Some(t) = tok.strip_prefix('?') {
                any.push(unquote(t));
            } else if let Some(t) = tok.strip_prefix('-').filter(|t| !t.is_empty()) {
                none.push(unquote(t));
            } else {
                all.push(unquote(&tok));
            }
        }
        Ok(FilterPattern::Terms { all, any, none })
    }

    pub fn matches(&self, message: &str) -> bool {
        match self {
            FilterPattern::All => true,
            FilterPattern::Terms { all, any, none } => {
                all.iter().all(|t| message.contains(t.as_str()))
                    && (any.is_empty() || any.iter().any(|t| message.contains(t.as_str())))
                    && !none.iter().any(|t| message.contains(t.as_str()))
            }
            FilterPattern::Json(e) => match serde_json::from_str::<Value>(message.trim()) {
                Ok(v) => e.eval(&v),
                Err(_) => false,
            },
        }
    }
}

fn unquote(t: &str) -> String {
    t.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t)
        .to_string()
}

/// Splits on spaces, keeping quoted phrases (with their prefix) whole.
fn tokens(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote in filter pattern".into());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

impl JsonExpr {
    fn eval(&self, v: &Value) -> bool {
        match self {
            JsonExpr::And(all) => all.iter().all(|e| e.eval(v)),
            JsonExpr::Or(any) => any.iter().any(|e| e.eval(v)),
            JsonExpr::Exists { path, exists } => lookup(v, path).is_some() == *exists,
            JsonExpr::Cmp { path, op, value } => {
                let Some(found) = lookup(v, path) else {
                    return *op == Op::Ne;
                };
                compare(found, *op, value)
            }
        }
    }
}

fn lookup<'a>(v: &'a Value, path: &[PathStep]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, step| match step {
        PathStep::Key(k) => v.get(k.as_str()),
        PathStep::Index(i) => v.get(*i),
    })
}

fn wildcard(pattern: &str, text: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), _) if rest.ends_with('*') && rest.len() > 1 => {
            text.contains(&rest[..rest.len() - 1])
        }
        (Some(rest), _) => text.ends_with(rest),
        (None, Some(rest)) => text.starts_with(rest),
        (None, None) => text == pattern,
    }
}

fn compare(found: &Value, op: Op, lit: &Literal) -> bool {
    let equal = match (found, lit) {
        (Value::String(s), Literal::Str(p)) => wildcard(p, s),
        (Value::Number(n), Literal::Num(x)) => n.as_f64() == Some(*x),
        (Value::Number(n), Literal::Str(p)) => wildcard(p, &n.to_string()),
        (Value::Bool(b), Literal::Bool(x)) => b == x,
        (Value::Null, Literal::Null) => true,
        _ => false,
    };
    match op {
        Op::Eq => equal,
        Op::Ne => !equal,
        _ => {
            let (Some(a), Literal::Num(b)) = (found.as_f64(), lit) else {
                return false;
            };
            a.partial_cmp(b).is_some_and(|ord| op.holds(ord))
        }
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
    /// Open parentheses around the current position; each one is a level of recursion.
    depth: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
    fn eat(&mut self, t: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(t.as_bytes()) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Result<JsonExpr, String> {
        let mut any = vec![self.and()?];
        while self.eat("||") {
            any.push(self.and()?);
        }
        Ok(joined(any, JsonExpr::Or))
    }
    fn and(&mut self) -> Result<JsonExpr, String> {
        let mut all = vec![self.atom()?];
        while self.eat("&&") {
            all.push(self.atom()?);
        }
        Ok(joined(all, JsonExpr::And))
    }
    fn atom(&mut self) -> Result<JsonExpr, String> {
        if self.eat("(") {
            if self.depth == MAX_NESTING {
                return Err(nested_too_deep());
            }
            self.depth += 1;
            let e = self.or()?;
            self.depth -= 1;
            if !self.eat(")") {
                return Err("missing ) in JSON pattern".into());
            }
            return Ok(e);
        }
        let path = self.path()?;
        if self.eat("IS NULL") {
            return Ok(JsonExpr::Cmp {
                path,
                op: Op::Eq,
                value: Literal::Null,
            });
        }
        if self.eat("NOT EXISTS") {
            return Ok(JsonExpr::Exists {
                path,
                exists: false,
            });
        }
        let op = Op::SYMBOLS
            .into_iter()
            .find(|(t, _)| self.eat(t))
            .map(|(_, op)| op)
            .ok_or("expected a comparison (=, !=, <, >, <=, >=) in JSON pattern")?;
        let value = self.literal()?;
        Ok(JsonExpr::Cmp { path, op, value })
    }
    fn path(&mut self) -> Result<Vec<PathStep>, String> {
        if !self.eat("$") {
            return Err("a JSON selector starts with $. (e.g. $.level)".into());
        }
        let mut steps = Vec::new();
        loop {
            if self.s.get(self.i) == Some(&b'.') {
                self.i += 1;
                let start = self.i;
                while self.s.get(self.i).is_some_and(|c| {
                    c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-' || *c == b'@'
                }) {
                    self.i += 1;
                }
                if start == self.i {
                    return Err("empty key in JSON selector".into());
                }
                steps.push(PathStep::Key(
                    String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
                ));
            } else if self.s.get(self.i) == Some(&b'[') {
                let end = self.s[self.i..]
                    .iter()
                    .position(|&c| c == b']')
                    .ok_or("missing ] in JSON selector")?;
                let n = std::str::from_utf8(&self.s[self.i + 1..self.i + end])
                    .ok()
                    .and_then(|t| t.trim().parse().ok())
                    .ok_or("array index must be a number")?;
                steps.push(PathStep::Index(n));
                self.i += end + 1;
            } else {
                break;
            }
        }
        if steps.is_empty() {
            return Err("a JSON selector needs a key after $".into());
        }
        Ok(steps)
    }
    fn literal(&mut self) -> Result<Literal, String> {
        self.ws();
        if self.s.get(self.i) == Some(&b'"') {
            let rest = &self.s[self.i + 1..];
            let end = rest
                .iter()
                .position(|&c| c == b'"')
                .ok_or("unterminated string in JSON pattern")?;
            self.i += end + 2;
            return Ok(Literal::Str(
                String::from_utf8_lossy(&rest[..end]).into_owned(),
            ));
        }
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| !c.is_ascii_whitespace() && !b"&|)".contains(c))
        {
            self.i += 1;
        }
        let word = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        Ok(match word {
            "" => return Err("expected a value in JSON pattern".into()),
            "true" => Literal::Bool(true),
            "false" => Literal::Bool(false),
            "null" => Literal::Null,
            w => w
                .parse()
                .map(Literal::Num)
                .unwrap_or_else(|_| Literal::Str(w.to_string())),
        })
    }
}

/// One term stands for itself; more are joined by `wrap`.
fn joined(terms: Vec<JsonExpr>, wrap: fn(Vec<JsonExpr>) -> JsonExpr) -> JsonExpr {
    match <[JsonExpr; 1]>::try_from(terms) {
        Ok([one]) => one,
        Err(terms) => wrap(terms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, msg: &str) -> bool {
        FilterPattern::parse(p).unwrap().matches(msg)
    }

    #[test]
    fn terms_are_case_sensitive_and_combine() {
        assert!(m("", "anything"));
        assert!(m("REPORT", "REPORT RequestId: x"));
        assert!(!m("report", "REPORT RequestId: x"));
        assert!(m("ERROR timeout", "ERROR: a timeout"));
        assert!(!m("ERROR timeout", "ERROR only"));
        assert!(m("?ERROR ?WARN", "WARN disk"));
        assert!(!m("?ERROR ?WARN", "INFO fine"));
        assert!(m("ERROR -retry", "ERROR fatal"));
        assert!(!m("ERROR -retry", "ERROR will retry"));
        assert!(m(
            "\"Task timed out\"",
            "x Task timed out after 3.00 seconds"
        ));
        assert!(!m("\"Task timed out\"", "Task was timed out"));
    }

    #[test]
    fn json_selectors() {
        let report = r#"{"time":"t","type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":1233.9},"status":"timeout"}}"#;
        assert!(m(r#"{ $.type = "platform.report" }"#, report));
        assert!(m(
            r#"{ $.type = "platform.report" && $.record.status = "timeout" }"#,
            report
        ));
        assert!(m("{ $.record.metrics.durationMs > 1000 }", report));
        assert!(!m("{ $.record.metrics.durationMs < 1000 }", report));
        assert!(m(r#"{ $.type = "platform.*" }"#, report));
        assert!(m(
            r#"{ $.level = "ERROR" || $.record.status = "timeout" }"#,
            report
        ));
        assert!(m("{ $.level NOT EXISTS }", report));
        assert!(!m(r#"{ $.level = "ERROR" }"#, "not json"));
        assert!(m(r#"{ ($.a[1] = 2) }"#, r#"{"a":[1,2]}"#));
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(FilterPattern::parse("{ $.level = }").is_err());
        assert!(
            FilterPattern::parse("{ level = 1 }")
                .unwrap_err()
                .contains("$.")
        );
        assert!(FilterPattern::parse("\"open").is_err());
        assert!(FilterPattern::parse("[w1, w2]").is_err());
        assert!(FilterPattern::parse("{ $.a = \"x }").is_err());
        let long = format!("{{ $.a = 1 {} }}", "é".repeat(100_000));
        let err = FilterPattern::parse(&long).unwrap_err();
        assert_eq!(
            err,
            format!("unexpected \"{}\"… in JSON pattern", "é".repeat(40))
        );
    }

    /// A pasted or hostile pattern must come back as an error, never overflow the stack (which
    /// aborts without restoring the terminal).
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let nested = |n: usize| format!("{{ {}$.a = 1{} }}", "(".repeat(n), ")".repeat(n));
        for deep in [nested(100_000), format!("{{ {} }}", "(".repeat(100_000))] {
            let err = FilterPattern::parse(&deep).unwrap_err();
            assert!(
                err.contains("nested too deep (more than 64 levels)"),
                "{err}"
            );
            assert!(err.len() < 200, "the error quotes the whole input: {err}");
        }
        assert!(m(&nested(64), r#"{"a":1}"#));
    }

    #[test]
    fn long_chains_are_evaluated_and_dropped_without_recursion() {
        let chain = |op: &str| format!("{{ {} }}", vec!["$.a = 1"; 100_000].join(op));
        assert!(m(&chain(" && "), r#"{"a":1}"#));
        assert!(!m(&chain(" || "), r#"{"a":2}"#));
    }
}
