//! The Logs Insights query subset the demo account answers: `fields`, `filter` (comparisons,
//! `like /re/`, `=~`, `ispresent()`, `and`/`or`/`not`), `parse @field /(?<name>re)/`, `stats`
//! with `count() avg() sum() min() max() pct()` `by` fields and `bin(5m)`, `sort` and `limit`,
//! evaluated over log events with the fields Insights discovers in Lambda logs (`@type`,
//! `@requestId`, `@duration`, `@initDuration`, … and top-level JSON keys).
//!
//! Parsing is a small hand-written recursive descent with a depth limit; nothing panics on
//! what a user types.

use std::collections::{BTreeMap, HashMap};

use regex::Regex;

use crate::domain::{EpochMs, LogEvent};
use crate::parse::filter_pattern::Op;
use crate::parse::lambda::{self, LogLine};

const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Present(String),
    Cmp(String, Op, Value),
    Like(String, Regex),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Num(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Agg {
    Count,
    Avg(String),
    Sum(String),
    Min(String),
    Max(String),
    Pct(String, f64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Group {
    Field(String),
    Bin(EpochMs),
}

#[derive(Debug, Clone)]
pub enum Command {
    Fields(Vec<String>),
    Filter(Expr),
    Parse(String, Regex),
    Stats(Vec<(Agg, String)>, Vec<(Group, String)>),
    Sort(String, bool),
    Limit(usize),
}

#[derive(Debug, Clone)]
pub struct Query {
    pub commands: Vec<Command>,
}

type Record = HashMap<String, String>;

/// Splits on `|` outside quotes and `/regex/`.
fn split_commands(src: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let (mut quote, mut slash) = (None::<char>, false);
    let mut prev = ' ';
    for c in src.chars() {
        match c {
            '"' | '\'' if !slash && prev != '\\' => {
                quote = match quote {
                    Some(q) if q == c => None,
                    None => Some(c),
                    q => q,
                }
            }
            '/' if quote.is_none() && prev != '\\' => slash = !slash,
            '|' if quote.is_none() && !slash => {
                out.push(String::new());
                prev = c;
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        prev = c;
    }
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Tokens of a filter or stats clause.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Re(String),
    Sym(String),
}

fn tokens(src: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err("a string is not closed".into());
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c == '/' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '/' {
                if chars[i] == '\\' && chars.get(i + 1) == Some(&'/') {
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err("a /regex/ is not closed".into());
            }
            i += 1;
            out.push(Tok::Re(s));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match word.parse::<f64>() {
                Ok(n) => out.push(Tok::Num(n)),
                Err(_) => out.push(Tok::Word(word)),
            }
        } else if c.is_alphanumeric() || c == '@' || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '@' | '_' | '.' | '$'))
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["!=", "<=", ">=", "=~"].contains(&two.as_str()) {
                out.push(Tok::Sym(two));
                i += 2;
            } else {
                out.push(Tok::Sym(c.to_string()));
                i += 1;
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }
    fn sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if x == s) {
            self.at += 1;
            return true;
        }
        false
    }
    fn expr(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("the filter nests too deeply".into());
        }
        let mut left = self.and()?;
        while self.word("or") || matches!(self.peek(), Some(Tok::Sym(s)) if s == "|") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.word("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }
    fn not(&mut self) -> Result<Expr, String> {
        if self.word("not") || matches!(self.peek(), Some(Tok::Sym(s)) if s == "!") {
            self.at += 1;
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err("the filter nests too deeply".into());
            }
            let e = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Expr, String> {
        if self.sym("(") {
            let e = self.expr()?;
            if !self.sym(")") {
                return Err("a ( is not closed".into());
            }
            return Ok(e);
        }
        let field = match self.next() {
            Some(Tok::Word(w)) => w,
            other => return Err(format!("expected a field, found {other:?}")),
        };
        if field.eq_ignore_ascii_case("ispresent") {
            if !self.sym("(") {
                return Err("ispresent needs (field)".into());
            }
            let f = match self.next() {
                Some(Tok::Word(w)) => w,
                _ => return Err("ispresent needs a field".into()),
            };
            if !self.sym(")") {
                return Err("ispresent( is not closed".into());
            }
            return Ok(Expr::Present(f));
        }
        if self.word("like") || matches!(self.peek(), Some(Tok::Sym(s)) if s == "=~") {
            self.at += 1;
            return match self.next() {
                Some(Tok::Re(r)) => Ok(Expr::Like(field, compile(&r)?)),
                Some(Tok::Str(s)) => Ok(Expr::Like(field, compile(&regex::escape(&s))?)),
                _ => Err("like needs /regex/ or \"text\"".into()),
            };
        }
        let op = match self.next() {
            Some(Tok::Sym(s)) => {
                Op::from_symbol(&s).ok_or_else(|| format!("unknown operator {s}"))?
            }
            other => {
                return Err(format!(
                    "expected an operator after {field}, found {other:?}"
                ));
            }
        };
        let value = match self.next() {
            Some(Tok::Str(s)) => Value::Str(s),
            Some(Tok::Num(n)) => Value::Num(n),
            Some(Tok::Word(w)) => Value::Str(w),
            other => return Err(format!("expected a value, found {other:?}")),
        };
        Ok(Expr::Cmp(field, op, value))
    }
}

fn compile(re: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(re)
        .size_limit(4 << 20)
        .build()
        .map_err(|e| format!("bad regex: {}", e.to_string().lines().last().unwrap_or("")))
}

/// `5m`, `1h`, `30s`, `1d` → ms.
fn duration(s: &str) -> Option<EpochMs> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok()?;
    let ms = match unit {
        "s" | "sec" => 1000,
        "m" | "min" => 60_000,
        "h" | "hr" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(ms).filter(|v| *v > 0)
}

fn stats(src: &str) -> Result<Command, String> {
    let (aggs, by) = match src.rsplit_once(" by ") {
        Some((a, b)) => (a, Some(b)),
        None => (src, None),
    };
    let mut out = Vec::new();
    for part in split_top(aggs) {
        let (call, name) = match part.rsplit_once(" as ") {
            Some((c, n)) => (c.trim().to_string(), Some(n.trim().to_string())),
            None => (part.trim().to_string(), None),
        };
        let (func, args) = call
            .split_once('(')
            .ok_or_else(|| format!("{call} is not a function"))?;
        let args: Vec<String> = args
            .trim_end_matches(')')
            .split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty() && a != "*")
            .collect();
        let field = || {
            args.first()
                .cloned()
                .ok_or_else(|| format!("{func}() needs a field"))
        };
        let agg = match func.trim().to_ascii_lowercase().as_str() {
            "count" => Agg::Count,
            "avg" => Agg::Avg(field()?),
            "sum" => Agg::Sum(field()?),
            "min" => Agg::Min(field()?),
            "max" => Agg::Max(field()?),
            "pct" | "percentile" => {
                let p = args
                    .get(1)
                    .and_then(|p| p.parse::<f64>().ok())
                    .filter(|p| (0.0..=100.0).contains(p))
                    .ok_or("pct(field, 0..100)")?;
                Agg::Pct(field()?, p)
            }
            f => return Err(format!("stats function {f}() is not supported here")),
        };
        out.push((agg, name.unwrap_or(call)));
    }
    let mut groups = Vec::new();
    for g in by.map(split_top).unwrap_or_default() {
        let g = g.trim().to_string();
        let group = match g.strip_prefix("bin(").and_then(|r| r.strip_suffix(')')) {
            Some(d) => {
                Group::Bin(duration(d.trim()).ok_or_else(|| format!("bin({d}): not a period"))?)
            }
            None => Group::Field(g.clone()),
        };
        groups.push((group, g));
    }
    if out.is_empty() {
        return Err("stats needs a function".into());
    }
    Ok(Command::Stats(out, groups))
}

/// Splits on commas outside parentheses.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

impl Query {
    pub fn parse(src: &str) -> Result<Query, String> {
        let mut commands = Vec::new();
        for part in split_commands(src) {
            let (verb, rest) = part.split_once(char::is_whitespace).unwrap_or((&part, ""));
            let rest = rest.trim();
            let cmd = match verb.to_ascii_lowercase().as_str() {
                "fields" | "display" => Command::Fields(
                    split_top(rest)
                        .iter()
                        .map(|f| f.trim().to_string())
                        .collect(),
                ),
                "filter" => {
                    let mut p = Parser {
                        toks: tokens(rest)?,
                        at: 0,
                        depth: 0,
                    };
                    let e = p.expr()?;
                    if p.at < p.toks.len() {
                        return Err(format!("unexpected {:?} in filter", p.toks[p.at]));
                    }
                    Command::Filter(e)
                }
                "parse" => {
                    let (field, re) = rest
                        .split_once(char::is_whitespace)
                        .ok_or("parse @field /regex/")?;
                    let re = re.trim();
                    let re = re
                        .strip_prefix('/')
                        .and_then(|r| r.strip_suffix('/'))
                        .ok_or("parse takes a /regex/ with named groups")?;
                    Command::Parse(field.to_string(), compile(re)?)
                }
                "stats" => stats(rest)?,
                "sort" => {
                    let mut words = rest.split_whitespace();
                    let field = words.next().ok_or("sort needs a field")?.to_string();
                    let desc = !matches!(words.next(), Some("asc"));
                    Command::Sort(field, desc)
                }
                "limit" => Command::Limit(rest.parse().map_err(|_| "limit needs a number")?),
                v => return Err(format!("`{v}` is not supported by the demo's Insights")),
            };
            commands.push(cmd);
        }
        if commands.is_empty() {
            return Err("an empty query".into());
        }
        Ok(Query { commands })
    }

    /// Runs the query over `events`; returns the rows and how many records matched the filters.
    pub fn run(&self, events: &[LogEvent]) -> (Vec<Vec<(String, String)>>, usize) {
        let mut records: Vec<Record> = events.iter().map(record).collect();
        let mut columns: Option<Vec<String>> = None;
        let mut matched = records.len();
        for cmd in &self.commands {
            match cmd {
                Command::Filter(e) => {
                    records.retain(|r| eval(e, r));
                    matched = records.len();
                }
                Command::Parse(field, re) => {
                    for r in &mut records {
                        let caps = r.get(field).and_then(|v| re.captures(v)).map(|c| {
                            re.capture_names()
                                .flatten()
                                .filter_map(|n| {
                                    c.name(n).map(|m| (n.to_string(), m.as_str().to_string()))
                                })
                                .collect::<Vec<_>>()
                        });
                        for (k, v) in caps.unwrap_or_default() {
                            r.insert(k, v);
                        }
                    }
                }
                Command::Fields(fs) => columns = Some(fs.clone()),
                Command::Stats(aggs, groups) => {
                    let (rows, cols) = aggregate(&records, aggs, groups);
                    records = rows;
                    columns = Some(cols);
                }
                Command::Sort(field, desc) => {
                    records.sort_by(|a, b| {
                        let ord = compare(
                            a.get(field).map(String::as_str),
                            b.get(field).map(String::as_str),
                        );
                        if *desc { ord.reverse() } else { ord }
                    });
                }
                Command::Limit(n) => records.truncate(*n),
            }
        }
        let cols = columns.unwrap_or_else(|| vec!["@timestamp".into(), "@message".into()]);
        let rows = records
            .iter()
            .map(|r| {
                cols.iter()
                    .filter_map(|c| r.get(c).map(|v| (c.clone(), v.clone())))
                    .collect()
            })
            .collect();
        (rows, matched)
    }
}

/// Numbers as numbers, anything else as text; a missing value first.
pub fn compare(a: Option<&str>, b: Option<&str>) -> std::cmp::Ordering {
    match (
        a.and_then(|v| v.parse::<f64>().ok()),
        b.and_then(|v| v.parse::<f64>().ok()),
    ) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.cmp(&b),
    }
}

fn eval(e: &Expr, r: &Record) -> bool {
    match e {
        Expr::And(a, b) => eval(a, r) && eval(b, r),
        Expr::Or(a, b) => eval(a, r) || eval(b, r),
        Expr::Not(a) => !eval(a, r),
        Expr::Present(f) => r.contains_key(f),
        Expr::Like(f, re) => r.get(f).is_some_and(|v| re.is_match(v)),
        Expr::Cmp(f, op, v) => {
            let Some(have) = r.get(f) else {
                return *op == Op::Ne;
            };
            let ord = match (v, have.parse::<f64>()) {
                (Value::Num(n), Ok(h)) => h.total_cmp(n),
                (Value::Num(n), Err(_)) => have.as_str().cmp(n.to_string().as_str()),
                (Value::Str(s), _) => have.as_str().cmp(s.as_str()),
            };
            op.holds(ord)
        }
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

fn aggregate(
    records: &[Record],
    aggs: &[(Agg, String)],
    groups: &[(Group, String)],
) -> (Vec<Record>, Vec<String>) {
    let mut buckets: BTreeMap<Vec<String>, Vec<&Record>> = BTreeMap::new();
    for r in records {
        let key: Option<Vec<String>> = groups
            .iter()
            .map(|(g, _)| match g {
                Group::Field(f) => r.get(f).cloned(),
                Group::Bin(ms) => r
                    .get("@ts")
                    .and_then(|t| t.parse::<i64>().ok())
                    .map(|t| crate::parse::insights::timestamp(t.div_euclid(*ms) * ms)),
            })
            .collect();
        // Records without a group field are left out, as Insights does.
        if let Some(key) = key {
            buckets.entry(key).or_default().push(r);
        }
    }
    let mut cols: Vec<String> = groups.iter().map(|(_, n)| n.clone()).collect();
    cols.extend(aggs.iter().map(|(_, n)| n.clone()));
    let rows = buckets
        .into_iter()
        .map(|(key, rs)| {
            let mut out: Record = groups.iter().map(|(_, n)| n.clone()).zip(key).collect();
            for (agg, name) in aggs {
                let values = |f: &str| -> Vec<f64> {
                    rs.iter()
                        .filter_map(|r| r.get(f).and_then(|v| v.parse::<f64>().ok()))
                        .collect()
                };
                let v = match agg {
                    Agg::Count => Some(rs.len() as f64),
                    Agg::Sum(f) => Some(values(f).iter().sum()),
                    Agg::Avg(f) => {
                        let v = values(f);
                        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
                    }
                    Agg::Min(f) => values(f).into_iter().reduce(f64::min),
                    Agg::Max(f) => values(f).into_iter().reduce(f64::max),
                    Agg::Pct(f, p) => {
                        let mut v = values(f);
                        v.sort_by(f64::total_cmp);
                        let rank =
                            ((p / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1));
                        v.get(rank - 1).copied()
                    }
                };
                if let Some(v) = v {
                    out.insert(name.clone(), number(v));
                }
            }
            out
        })
        .collect();
    (rows, cols)
}

/// Insights' timestamp format: `2026-11-23 14:00:00.000`.
pub fn timestamp(t: EpochMs) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// The fields Insights discovers in one Lambda log event.
fn record(e: &LogEvent) -> Record {
    let mut r = Record::new();
    r.insert("@timestamp".into(), timestamp(e.timestamp));
    r.insert("@ts".into(), e.timestamp.to_string());
    r.insert("@message".into(), e.message.clone());
    r.insert("@logStream".into(), e.log_stream.clone());
    r.insert("@log".into(), e.log_group.clone());
    let mut put = |k: &str, v: Option<f64>| {
        if let Some(v) = v {
            r.insert(k.to_string(), number(v));
        }
    };
    match lambda::classify(&e.message) {
        LogLine::Start { request_id, .. } => {
            r.insert("@type".into(), "START".into());
            r.insert("@requestId".into(), request_id.into_owned());
        }
        LogLine::End { request_id } => {
            r.insert("@type".into(), "END".into());
            r.insert("@requestId".into(), request_id.into_owned());
        }
        LogLine::Report(rep) => {
            put("@duration", Some(rep.duration_ms));
            put("@billedDuration", Some(rep.billed_ms));
            put("@memorySize", Some(f64::from(rep.memory_mb)));
            put("@maxMemoryUsed", Some(f64::from(rep.max_memory_used_mb)));
            put(
                "@initDuration",
                rep.init_duration_ms.or(rep.restore_duration_ms),
            );
            r.insert("@type".into(), "REPORT".into());
            r.insert("@requestId".into(), rep.request_id.into_owned());
            if let Some(t) = rep.trace_id {
                r.insert("@xrayTraceId".into(), t.into_owned());
            }
        }
        LogLine::App(a) => {
            if let Some(id) = a.request_id {
                r.insert("@requestId".into(), id.into_owned());
            }
        }
        _ => {}
    }
    // Top-level JSON keys, as Insights discovers them.
    if e.message.trim_start().starts_with('{')
        && let Ok(serde_json::Value::Object(obj)) = serde_json::from_str(&e.message)
    {
        for (k, v) in obj {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            r.entry(k).or_insert(v);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: EpochMs, m: &str) -> LogEvent {
        LogEvent::new("g".into(), "s".into(), t, t, m.into())
    }

    fn events() -> Vec<LogEvent> {
        vec![
            ev(0, "START RequestId: a Version: $LATEST"),
            ev(
                5,
                "REPORT RequestId: a\tDuration: 10.00 ms\tBilled Duration: 11 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 200.00 ms\t",
            ),
            ev(60_000, "START RequestId: b Version: $LATEST"),
            ev(60_001, "[ERROR] KeyError: 'x'"),
            ev(
                60_005,
                "REPORT RequestId: b\tDuration: 30.00 ms\tBilled Duration: 30 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t",
            ),
            ev(
                400_000,
                "REPORT RequestId: c\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 128 MB\tMax Memory Used: 80 MB\t",
            ),
        ]
    }

    fn run(q: &str) -> Vec<Vec<(String, String)>> {
        Query::parse(q)
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .run(&events())
            .0
    }

    #[test]
    fn filter_stats_sort_limit() {
        assert_eq!(
            run(
                "filter @type = \"REPORT\" | stats count() as n, avg(@duration) as avg, max(@maxMemoryUsed) as peak"
            ),
            vec![vec![
                ("n".into(), "3".into()),
                ("avg".into(), "20".into()),
                ("peak".into(), "80".into())
            ]]
        );
        assert_eq!(
            run("filter @type = \"REPORT\" and ispresent(@initDuration) | stats count() as cold"),
            vec![vec![("cold".into(), "1".into())]]
        );
        let slow = run(
            "filter @type = \"REPORT\" | fields @requestId, @duration | sort @duration desc | limit 2",
        );
        assert_eq!(slow[0][0].1, "b");
        assert_eq!(slow.len(), 2);
        let bins = run("filter @type = \"REPORT\" | stats count() as n by bin(5m)");
        assert_eq!(bins.len(), 2);
        assert_eq!(bins[0][1], ("n".to_string(), "2".to_string()));
        let parsed = run(
            "filter @message like /Error/ | parse @message /(?<kind>[A-Za-z]+Error)/ | stats count() as n by kind",
        );
        assert_eq!(
            parsed,
            vec![vec![
                ("kind".into(), "KeyError".into()),
                ("n".into(), "1".into())
            ]]
        );
        let p = run("filter @type = \"REPORT\" | stats pct(@duration, 50) as p50");
        assert_eq!(p[0][0].1, "20");
    }

    #[test]
    fn bad_queries_are_errors_not_panics() {
        for q in [
            "",
            "filter",
            "filter (a = 1",
            "stats foo(x)",
            "limit x",
            "parse @m abc",
            "filter a like /(/",
            "bogus",
            &"filter ".repeat(3),
        ] {
            assert!(Query::parse(q).is_err(), "{q:?}");
        }
        let deep = format!("filter {}a = 1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(Query::parse(&deep).is_err());
    }
}
