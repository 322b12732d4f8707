//! X-Ray filter expressions (reference §3.3), evaluated on trace summaries by the demo account
//! the way X-Ray evaluates them. The AWS backend passes expressions through to X-Ray instead.
//!
//! ```text
//! expr    := and ( OR and )*                      OR, or, ||
//! and     := unary ( [AND] unary )*               AND, and, &&, or side by side
//! unary   := ! unary | primary
//! primary := ( expr )
//!          | service ( [id] ) [ { expr } ]        id: "name" | id(name: "n", type: "t")
//!          | edge ( id , id ) [ { expr } ]
//!          | annotation.KEY [ op value ]
//!          | keyword [ op value ]
//! op      := = != < <= > >= CONTAINS BEGINSWITH ENDSWITH
//! ```
//! Boolean keywords: `ok error fault throttle partial`; numbers (seconds for times):
//! `responsetime duration http.status`; strings: `http.url http.method`. Inside the braces of
//! `service(…) { … }`, `ok`/`error`/`fault`/`throttle` ask about that service.
//!
//! Nesting (parentheses, braces, `!`) is limited to [`MAX_NESTING`] levels, so no input can
//! overflow the stack; the evaluator recurses only as deep as the parser allowed.

use super::{MAX_NESTING, nested_too_deep, quoted_excerpt};
use crate::domain::{AnnotationValue, ServiceRef, TraceSummary};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceFilter {
    /// `None` means "everything".
    expr: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Flag(Flag),
    Num {
        key: NumKey,
        op: Op,
        value: f64,
    },
    Str {
        key: StrKey,
        op: Op,
        value: String,
    },
    /// `service(…)`, optionally with a condition on that service.
    Service {
        id: ServiceId,
        inner: Option<Box<Expr>>,
    },
    /// `edge(a, b)`: both services on the trace (summaries carry no edges).
    Edge {
        from: ServiceId,
        to: ServiceId,
        inner: Option<Box<Expr>>,
    },
    /// `annotation.key` alone asks whether it is set.
    Annotation {
        key: String,
        test: Option<(Op, Value)>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Flag {
    Ok,
    Error,
    Fault,
    Throttle,
    Partial,
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

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    BeginsWith,
    EndsWith,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Num(f64),
    Str(String),
    Bool(bool),
}

/// `service("x")`, `service(id(name: "x", type: "t"))` or `service()` (any).
#[derive(Debug, Clone, PartialEq, Default)]
struct ServiceId {
    name: Option<String>,
    kind: Option<String>,
}

impl ServiceId {
    fn matches(&self, s: &ServiceRef) -> bool {
        self.name.as_ref().is_none_or(|n| *n == s.name)
            && self
                .kind
                .as_ref()
                .is_none_or(|k| s.kind.as_deref() == Some(k.as_str()))
    }
}

impl TraceFilter {
    pub fn parse(src: &str) -> Result<TraceFilter, String> {
        let tokens = lex(src)?;
        if tokens.is_empty() {
            return Ok(TraceFilter::default());
        }
        let mut p = Parser {
            tokens,
            at: 0,
            depth: 0,
        };
        let expr = p.or()?;
        if let Some(t) = p.peek() {
            return Err(format!(
                "unexpected {} at {}; combine conditions with AND or OR",
                t.tok, t.pos
            ));
        }
        Ok(TraceFilter { expr: Some(expr) })
    }

    pub fn is_empty(&self) -> bool {
        self.expr.is_none()
    }

    pub fn matches(&self, t: &TraceSummary) -> bool {
        self.expr.as_ref().is_none_or(|e| e.eval(t, None))
    }
}

impl Expr {
    /// `service` is the service whose braces we are inside, if any.
    fn eval(&self, t: &TraceSummary, service: Option<&ServiceRef>) -> bool {
        match self {
            Expr::Or(v) => v.iter().any(|e| e.eval(t, service)),
            Expr::And(v) => v.iter().all(|e| e.eval(t, service)),
            Expr::Not(e) => !e.eval(t, service),
            Expr::Flag(f) => {
                let (error, fault, throttle) = match service {
                    Some(s) => (s.error, s.fault, s.throttle),
                    None => (t.has_error, t.has_fault, t.has_throttle),
                };
                match f {
                    Flag::Ok => !(error || fault || throttle),
                    Flag::Error => error,
                    Flag::Fault => fault,
                    Flag::Throttle => throttle,
                    Flag::Partial => t.is_partial,
                }
            }
            Expr::Num { key, op, value } => {
                let v = match key {
                    // X-Ray's filter language counts time in seconds.
                    NumKey::ResponseTime => t.response_time_ms.unwrap_or(t.duration_ms) / 1000.0,
                    NumKey::Duration => t.duration_ms / 1000.0,
                    NumKey::HttpStatus => match t.http_status {
                        Some(s) => f64::from(s),
                        None => return false,
                    },
                };
                compare_num(v, *op, *value)
            }
            Expr::Str { key, op, value } => {
                let s = match key {
                    StrKey::Url => t.http_url.as_deref(),
                    StrKey::Method => t.http_method.as_deref(),
                };
                s.is_some_and(|s| compare_str(s, *op, value))
            }
            Expr::Service { id, inner } => t
                .services
                .iter()
                .filter(|s| id.matches(s))
                .any(|s| inner.as_ref().is_none_or(|e| e.eval(t, Some(s)))),
            Expr::Edge { from, to, inner } => {
                let find = |id: &ServiceId| t.services.iter().find(|s| id.matches(s));
                match (find(from), find(to)) {
                    (Some(_), Some(callee)) => {
                        inner.as_ref().is_none_or(|e| e.eval(t, Some(callee)))
                    }
                    _ => false,
                }
            }
            Expr::Annotation { key, test } => {
                let Some(values) = t.annotations.get(key) else {
                    return false;
                };
                let Some((op, want)) = test else {
                    return true;
                };
                values.iter().any(|v| match (v, want) {
                    (AnnotationValue::Num(n), Value::Num(w)) => compare_num(*n, *op, *w),
                    (AnnotationValue::Str(s), Value::Str(w)) => compare_str(s, *op, w),
                    (AnnotationValue::Bool(b), Value::Bool(w)) => match op {
                        Op::Eq => b == w,
                        Op::Ne => b != w,
                        _ => false,
                    },
                    _ => matches!(op, Op::Ne),
                })
            }
        }
    }
}

fn compare_num(v: f64, op: Op, w: f64) -> bool {
    match op {
        Op::Eq => v == w,
        Op::Ne => v != w,
        Op::Lt => v < w,
        Op::Le => v <= w,
        Op::Gt => v > w,
        Op::Ge => v >= w,
        _ => false,
    }
}

fn compare_str(s: &str, op: Op, w: &str) -> bool {
    match op {
        Op::Eq => s == w,
        Op::Ne => s != w,
        Op::Contains => s.contains(w),
        Op::BeginsWith => s.starts_with(w),
        Op::EndsWith => s.ends_with(w),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Op(Op),
    Punct(char),
    And,
    Or,
}

impl std::fmt::Display for Tok {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tok::Word(w) => f.write_str(&quoted_excerpt(w)),
            Tok::Str(s) => write!(f, "string {}", quoted_excerpt(s)),
            Tok::Num(n) => write!(f, "number {n}"),
            Tok::Op(o) => write!(f, "operator {o:?}"),
            Tok::Punct(c) => write!(f, "'{c}'"),
            Tok::And => f.write_str("AND"),
            Tok::Or => f.write_str("OR"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    /// Character position, 1-based, for messages.
    pos: usize,
}

fn lex(src: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        let two = |a: char, b: char| c == a && chars.get(i + 1) == Some(&b);
        let (tok, len) = if c.is_whitespace() {
            i += 1;
            continue;
        } else if c == '"' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return Err(format!("unterminated string starting at {pos}")),
                    Some('"') => break,
                    Some('\\') if j + 1 < chars.len() => {
                        s.push(chars[j + 1]);
                        j += 2;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        j += 1;
                    }
                }
            }
            (Tok::Str(s), j + 1 - i)
        } else if two('&', '&') {
            (Tok::And, 2)
        } else if two('|', '|') {
            (Tok::Or, 2)
        } else if two('!', '=') {
            (Tok::Op(Op::Ne), 2)
        } else if two('<', '=') {
            (Tok::Op(Op::Le), 2)
        } else if two('>', '=') {
            (Tok::Op(Op::Ge), 2)
        } else if c == '=' {
            (Tok::Op(Op::Eq), 1)
        } else if c == '<' {
            (Tok::Op(Op::Lt), 1)
        } else if c == '>' {
            (Tok::Op(Op::Gt), 1)
        } else if "(){},:!".contains(c) {
            (Tok::Punct(c), 1)
        } else if c.is_ascii_digit()
            || (c == '-' || c == '.') && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
        {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_ascii_alphanumeric()
                    || chars[j] == '.'
                    || (matches!(chars[j], '+' | '-') && matches!(chars[j - 1], 'e' | 'E')))
            {
                j += 1;
            }
            let text: String = chars[i..j].iter().collect();
            let n: f64 = text
                .parse()
                .map_err(|_| format!("{text:?} at {pos} is not a number"))?;
            (Tok::Num(n), j - i)
        } else if c.is_alphabetic() || c == '_' {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '.' | '-'))
            {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            let tok = match word.to_ascii_uppercase().as_str() {
                "AND" => Tok::And,
                "OR" => Tok::Or,
                "CONTAINS" => Tok::Op(Op::Contains),
                "BEGINSWITH" => Tok::Op(Op::BeginsWith),
                "ENDSWITH" => Tok::Op(Op::EndsWith),
                _ => Tok::Word(word),
            };
            (tok, j - i)
        } else {
            return Err(format!("unexpected {c:?} at {pos}"));
        };
        out.push(Token { tok, pos });
        i += len;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parser

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

const EXAMPLES: &str = "try fault, responsetime > 5, http.status = 500, service(\"name\") { fault }, annotation.key = \"v\"";

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek().is_some_and(|t| t.tok == *tok) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char, after: &str) -> Result<(), String> {
        if self.eat(&Tok::Punct(c)) {
            return Ok(());
        }
        Err(match self.peek() {
            Some(t) => format!("expected '{c}' {after}, found {} at {}", t.tok, t.pos),
            None => format!("expected '{c}' {after}, found the end"),
        })
    }

    /// Enters one level of nesting.
    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(nested_too_deep());
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.and()?];
        while self.eat(&Tok::Or) {
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or(Expr::And(vec![]))
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.unary()?];
        loop {
            if self.eat(&Tok::And) {
                parts.push(self.unary()?);
                continue;
            }
            // Side by side means AND, as in `ok !partial duration < 3`.
            match self.peek().map(|t| &t.tok) {
                Some(Tok::Word(_) | Tok::Punct('!' | '(')) => parts.push(self.unary()?),
                _ => break,
            }
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or(Expr::And(vec![]))
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat(&Tok::Punct('!')) {
            self.nest()?;
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let Some(t) = self.next() else {
            return Err(format!("the filter ends too soon; {EXAMPLES}"));
        };
        match t.tok {
            Tok::Punct('(') => {
                self.nest()?;
                let e = self.or()?;
                self.expect(')', "to close the '('")?;
                self.depth -= 1;
                Ok(e)
            }
            Tok::Word(w) => self.keyword(&w, t.pos),
            other => Err(format!("unexpected {other} at {}; {EXAMPLES}", t.pos)),
        }
    }

    /// `{ expr }` after a service or an edge, if there is one.
    fn braces(&mut self) -> Result<Option<Box<Expr>>, String> {
        if !self.eat(&Tok::Punct('{')) {
            return Ok(None);
        }
        self.nest()?;
        let e = self.or()?;
        self.expect('}', "to close the '{'")?;
        self.depth -= 1;
        Ok(Some(Box::new(e)))
    }

    /// `"name"`, `id(name: "n", type: "t")`, or nothing (any service).
    fn service_id(&mut self, what: &str) -> Result<ServiceId, String> {
        match self.peek().map(|t| t.tok.clone()) {
            Some(Tok::Str(s)) => {
                self.at += 1;
                Ok(ServiceId {
                    name: Some(s),
                    kind: None,
                })
            }
            Some(Tok::Word(w)) if w == "id" => {
                self.at += 1;
                self.expect('(', "after id")?;
                let mut id = ServiceId::default();
                loop {
                    let Some(Token {
                        tok: Tok::Word(field),
                        pos,
                    }) = self.next()
                    else {
                        return Err("id(…) takes name: \"…\" and type: \"…\", e.g. id(name: \"fn\", type: \"AWS::Lambda::Function\")".to_string());
                    };
                    self.expect(':', &format!("after {field}"))?;
                    let Some(Token {
                        tok: Tok::Str(value),
                        ..
                    }) = self.next()
                    else {
                        return Err(format!("{field} at {pos} needs a string in double quotes"));
                    };
                    match field.as_str() {
                        "name" => id.name = Some(value),
                        "type" => id.kind = Some(value),
                        // X-Ray also accepts the account; summaries do not carry it.
                        "account.id" => {}
                        _ => return Err(format!("id(…) has no field {field:?} at {pos}")),
                    }
                    if !self.eat(&Tok::Punct(',')) {
                        break;
                    }
                }
                self.expect(')', "to close id(")?;
                Ok(id)
            }
            _ if what == "service" => Ok(ServiceId::default()),
            _ => Err(format!("{what}(…) needs service names in double quotes")),
        }
    }

    fn keyword(&mut self, w: &str, pos: usize) -> Result<Expr, String> {
        match w {
            "service" => {
                self.expect('(', "after service")?;
                let id = self.service_id("service")?;
                self.expect(')', "to close service(")?;
                let inner = self.braces()?;
                return Ok(Expr::Service { id, inner });
            }
            "edge" => {
                self.expect('(', "after edge")?;
                let from = self.service_id("edge")?;
                self.expect(',', "between the two services of edge(…)")?;
                let to = self.service_id("edge")?;
                self.expect(')', "to close edge(")?;
                let inner = self.braces()?;
                return Ok(Expr::Edge { from, to, inner });
            }
            _ => {}
        }
        let flag = match w {
            "ok" => Some(Flag::Ok),
            "error" => Some(Flag::Error),
            "fault" => Some(Flag::Fault),
            "throttle" => Some(Flag::Throttle),
            "partial" => Some(Flag::Partial),
            _ => None,
        };
        if let Some(f) = flag {
            return Ok(Expr::Flag(f));
        }
        if let Some(key) = w.strip_prefix("annotation.") {
            if key.is_empty() {
                return Err(format!(
                    "annotation. at {pos} needs a key, e.g. annotation.gameid"
                ));
            }
            let test = match self.op() {
                Some(op) => Some((op, self.value(w)?)),
                None => None,
            };
            return Ok(Expr::Annotation {
                key: key.to_string(),
                test,
            });
        }
        let num = match w {
            "responsetime" => Some(NumKey::ResponseTime),
            "duration" => Some(NumKey::Duration),
            "http.status" => Some(NumKey::HttpStatus),
            _ => None,
        };
        let string = match w {
            "http.url" => Some(StrKey::Url),
            "http.method" => Some(StrKey::Method),
            _ => None,
        };
        if num.is_none() && string.is_none() {
            return Err(match w {
                "inferred"
                | "first"
                | "last"
                | "remote"
                | "root"
                | "index"
                | "coverage"
                | "http.useragent"
                | "http.clientip"
                | "user"
                | "name"
                | "type"
                | "message"
                | "availabilityzone"
                | "instance.id"
                | "resource.arn"
                | "group.name"
                | "group.arn"
                | "rootcause.fault.service"
                | "rootcause.error.service" => {
                    format!("{w} is X-Ray syntax this account cannot evaluate; {EXAMPLES}")
                }
                _ => format!("unknown keyword {} at {pos}; {EXAMPLES}", quoted_excerpt(w)),
            });
        }
        let Some(op) = self.op() else {
            return Err(format!("{w} at {pos} needs a comparison, e.g. {w} > 1"));
        };
        match (num, string, self.value(w)?) {
            (Some(key), _, Value::Num(value)) if op_is_numeric(op) => {
                Ok(Expr::Num { key, op, value })
            }
            (Some(_), _, Value::Num(_)) => Err(format!("{w} compares with = != < <= > >=")),
            (Some(_), _, v) => Err(format!("{w} needs a number, not {v:?}")),
            (_, Some(key), Value::Str(value))
                if !op_is_numeric(op) || matches!(op, Op::Eq | Op::Ne) =>
            {
                Ok(Expr::Str { key, op, value })
            }
            (_, Some(_), Value::Str(_)) => Err(format!(
                "{w} compares with = != CONTAINS BEGINSWITH ENDSWITH"
            )),
            (_, _, v) => Err(format!("{w} needs a string in double quotes, not {v:?}")),
        }
    }

    fn op(&mut self) -> Option<Op> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Op(op)) => {
                let op = *op;
                self.at += 1;
                Some(op)
            }
            _ => None,
        }
    }

    fn value(&mut self, key: &str) -> Result<Value, String> {
        match self.next() {
            Some(Token {
                tok: Tok::Num(n), ..
            }) => Ok(Value::Num(n)),
            Some(Token {
                tok: Tok::Str(s), ..
            }) => Ok(Value::Str(s)),
            Some(Token {
                tok: Tok::Word(w), ..
            }) if w == "true" || w == "false" => Ok(Value::Bool(w == "true")),
            Some(t) => Err(format!(
                "{key}: expected a value, found {} at {}",
                t.tok, t.pos
            )),
            None => Err(format!("{key}: expected a value, found the end")),
        }
    }
}

fn op_is_numeric(op: Op) -> bool {
    matches!(op, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(name: &str, kind: &str, fault: bool) -> ServiceRef {
        ServiceRef {
            name: name.into(),
            kind: Some(kind.into()),
            fault,
            error: false,
            throttle: false,
        }
    }

    fn summary(fault: bool, status: u16, secs: f64) -> TraceSummary {
        TraceSummary {
            id: "1-00000000-000000000000000000000000".into(),
            duration_ms: secs * 1000.0,
            response_time_ms: Some(secs * 1000.0),
            has_fault: fault,
            http_method: Some("POST".into()),
            http_url: Some("https://api.example.com/prod/orders".into()),
            http_status: Some(status),
            services: vec![
                svc("shop-api/prod", "AWS::ApiGateway::Stage", fault),
                svc("orders-api-create", "AWS::Lambda", fault),
                svc("orders-api-create", "AWS::Lambda::Function", fault),
                svc("orders", "AWS::DynamoDB::Table", false),
            ],
            annotations: [
                (
                    "gameid".to_string(),
                    vec![AnnotationValue::Str("817DL6VO".into())],
                ),
                ("age".to_string(), vec![AnnotationValue::Num(31.0)]),
                ("ColdStart".to_string(), vec![AnnotationValue::Bool(true)]),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        }
    }

    fn f(s: &str) -> TraceFilter {
        TraceFilter::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn keywords_numbers_and_strings() {
        let bad = summary(true, 502, 0.2);
        let good = summary(false, 200, 1.5);
        assert!(f("").matches(&bad) && f("  ").matches(&good));
        assert!(f("fault").matches(&bad) && !f("fault").matches(&good));
        assert!(f("!fault").matches(&good) && !f("!fault").matches(&bad));
        assert!(f("ok").matches(&good) && !f("ok").matches(&bad));
        assert!(f("responsetime > 1").matches(&good) && !f("responsetime>1").matches(&bad));
        assert!(f("http.status = 502").matches(&bad));
        assert!(f("http.status != 200 AND fault").matches(&bad));
        assert!(f("fault OR responsetime >= 1.5").matches(&good));
        assert!(f("duration >= 1 and duration <= 2").matches(&good));
        assert!(
            f("ok !partial duration < 3").matches(&good),
            "side by side is AND"
        );
        assert!(f("http.url CONTAINS \"orders\"").matches(&good));
        assert!(f("http.method = \"POST\" && http.url ENDSWITH \"/orders\"").matches(&good));
        assert!(f("responsetime > 1.5e-1").matches(&bad));
    }

    #[test]
    fn services_with_and_without_conditions() {
        let bad = summary(true, 502, 0.2);
        let good = summary(false, 200, 1.5);
        assert!(f("service(\"orders-api-create\")").matches(&good));
        assert!(!f("service(\"payments-webhook\")").matches(&good));
        assert!(f("service(\"orders-api-create\") { fault }").matches(&bad));
        assert!(!f("service(\"orders-api-create\") { fault }").matches(&good));
        // The table did not fault, though the trace did.
        assert!(!f("service(\"orders\") { fault }").matches(&bad));
        assert!(f("service(\"orders\") { ok }").matches(&bad));
        assert!(f("service() { fault }").matches(&bad));
        let by_id =
            "service(id(name: \"orders-api-create\", type: \"AWS::Lambda::Function\")) { fault }";
        assert!(f(by_id).matches(&bad) && !f(by_id).matches(&good));
        assert!(!f("service(id(name: \"orders\", type: \"AWS::Lambda::Function\"))").matches(&bad));
        assert!(f("service(id(type: \"AWS::DynamoDB::Table\"))").matches(&bad));
        assert!(f("edge(\"shop-api/prod\", \"orders-api-create\") { fault }").matches(&bad));
        assert!(!f("edge(\"shop-api/prod\", \"payments\")").matches(&bad));
    }

    #[test]
    fn annotations_and_grouping() {
        let t = summary(false, 200, 1.0);
        assert!(f("annotation.gameid = \"817DL6VO\"").matches(&t));
        assert!(!f("annotation.gameid = \"other\"").matches(&t));
        assert!(f("annotation.age").matches(&t) && !f("!annotation.age").matches(&t));
        assert!(f("annotation.age > 30").matches(&t) && !f("annotation.age < 30").matches(&t));
        assert!(f("annotation.ColdStart = true").matches(&t));
        assert!(!f("annotation.missing").matches(&t));
        assert!(f("(fault OR ok) AND (http.status = 200)").matches(&t));
        assert!(!f("!(ok)").matches(&t));
        assert!(
            f("fault OR ok AND responsetime < 2").matches(&t),
            "AND binds tighter"
        );
        assert!(!f("error or ok").is_empty());
    }

    #[test]
    fn mistakes_say_where_and_what() {
        let err = |s: &str| TraceFilter::parse(s).expect_err(s);
        assert!(err("latency > 3").contains("unknown keyword \"latency\""));
        assert!(err("responsetime > fast").contains("expected a value"));
        assert!(err("responsetime > \"fast\"").contains("needs a number"));
        assert!(err("http.url = \"x").contains("unterminated string"));
        assert!(err("service(\"x\") { fault").contains("expected '}'"));
        assert!(err("(fault").contains("expected ')'"));
        assert!(err("fault )").contains("unexpected ')'"));
        assert!(err("service(id(nom: \"x\"))").contains("no field \"nom\""));
        assert!(err("responsetime").contains("needs a comparison"));
        assert!(err("rootcause.fault.service").contains("cannot evaluate"));
        assert!(err("fault AND").contains("ends too soon"));
        assert!(err("fault # x").contains("unexpected '#' at 7"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for deep in [
            "(".repeat(100_000) + "fault" + &")".repeat(100_000),
            "!".repeat(100_000) + "fault",
            "service() {".repeat(100_000) + "fault" + &"}".repeat(100_000),
        ] {
            let e = TraceFilter::parse(&deep).unwrap_err();
            assert_eq!(e, super::super::nested_too_deep());
        }
        let ok = "(".repeat(MAX_NESTING) + "fault" + &")".repeat(MAX_NESTING);
        assert!(f(&ok).matches(&summary(true, 500, 1.0)));
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
        let alphabet: Vec<char> = "()!{},:\"=<>& |ab.service id(name:type)fault ok 12.5e3-"
            .chars()
            .collect();
        let t = summary(true, 500, 1.0);
        for _ in 0..20_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let len = (rng % 40) as usize;
            let s: String = (0..len)
                .map(|i| alphabet[((rng >> (i % 50)) as usize + i * 7) % alphabet.len()])
                .collect();
            if let Ok(filter) = TraceFilter::parse(&s) {
                let _ = filter.matches(&t);
            }
        }
    }
}
