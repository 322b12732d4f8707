//! X-Ray segment documents (the JSON strings inside BatchGetTraces' `Segments[].Document`) →
//! one [`Segment`] tree per root.
//!
//! Segments and their inline subsegments are indexed by id and linked by `parent_id`; a
//! segment's `parent_id` usually names a *subsegment* of another segment (API Gateway's
//! "Lambda" subsegment is the parent of the `AWS::Lambda` segment). Anything malformed is skipped,
//! never a panic: these documents come from other people's code.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::domain::{EpochUs, Segment, us_from_epoch_seconds};

/// Guards against absurdly deep or cyclic documents: a tree is at most `MAX_DEPTH + 1` levels
/// deep. Subsegments nested deeper inside one document are dropped; segments linked deeper by
/// `parent_id` start trees of their own.
pub const MAX_DEPTH: usize = 64;

/// One segment or subsegment before linking.
struct Node {
    seg: Segment,
    parent: Option<String>,
    /// Order of appearance, to keep siblings stable when start times tie.
    order: usize,
}

/// Builds the trees for one trace from its segment documents. Unparseable documents are skipped.
pub fn assemble<'a>(documents: impl IntoIterator<Item = &'a str>) -> Vec<Segment> {
    let mut nodes: Vec<Node> = Vec::new();
    for doc in documents {
        if let Ok(v) = serde_json::from_str::<Value>(doc) {
            flatten(&v, None, 0, &mut nodes);
        }
    }
    link(nodes)
}

/// Parses one document into a node (and its inline subsegments), each pointing at its parent.
fn flatten(v: &Value, parent: Option<&str>, depth: usize, out: &mut Vec<Node>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(obj) = v.as_object() else { return };
    let Some(id) = obj
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return;
    };
    let parent = parent.map(str::to_string).or_else(|| {
        obj.get("parent_id")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let seg = segment_fields(id, v);
    out.push(Node {
        seg,
        parent,
        order: out.len(),
    });
    if let Some(subs) = obj.get("subsegments").and_then(Value::as_array) {
        for s in subs {
            flatten(s, Some(id), depth + 1, out);
        }
    }
}

fn segment_fields(id: &str, v: &Value) -> Segment {
    let s = |path: &[&str]| -> Option<String> {
        get(v, path).and_then(Value::as_str).map(str::to_string)
    };
    let b = |key: &str| get(v, &[key]).and_then(Value::as_bool).unwrap_or(false);
    let in_progress = b("in_progress");
    Segment {
        id: id.to_string(),
        name: s(&["name"]).unwrap_or_default(),
        origin: s(&["origin"]),
        start: get(v, &["start_time"])
            .and_then(Value::as_f64)
            .and_then(us_from_epoch_seconds)
            .unwrap_or(0),
        end: get(v, &["end_time"])
            .and_then(Value::as_f64)
            .and_then(us_from_epoch_seconds)
            .filter(|_| !in_progress),
        error: b("error"),
        fault: b("fault"),
        throttle: b("throttle"),
        http_status: get(v, &["http", "response", "status"])
            .and_then(Value::as_u64)
            .and_then(|n| u16::try_from(n).ok()),
        operation: s(&["aws", "operation"]),
        resource: s(&["aws", "table_name"])
            .or_else(|| s(&["aws", "queue_url"]))
            .or_else(|| {
                get(v, &["aws", "resource_names", "0"])
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }),
        request_id: s(&["aws", "request_id"]),
        cause: get(v, &["cause", "exceptions", "0", "message"])
            .and_then(Value::as_str)
            .map(str::to_string),
        inferred: b("inferred"),
        children: Vec::new(),
    }
}

/// Walks objects by key and arrays by index.
fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |cur, key| match cur {
        Value::Object(m) => m.get(*key),
        Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Links nodes into trees: a node whose parent is unknown (or missing) is a root.
fn link(nodes: Vec<Node>) -> Vec<Segment> {
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        // The first document with an id wins; duplicates are dropped below.
        index.entry(n.seg.id.clone()).or_insert(i);
    }
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        if index.get(&n.seg.id) != Some(&i) {
            continue;
        }
        match n
            .parent
            .as_ref()
            .and_then(|p| index.get(p))
            .filter(|&&p| p != i)
        {
            Some(&p) => children.entry(p).or_default().push(i),
            None => roots.push(i),
        }
    }
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let mut placed = HashSet::new();
    // Nodes on a parent cycle are reachable from no root; the first of each cycle becomes one.
    let canonical: Vec<usize> = index
        .values()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out: Vec<(EpochUs, usize, Segment)> = Vec::new();
    for r in roots.into_iter().chain(canonical) {
        if let Some((o, s)) = build(r, &mut slots, &children, &mut placed, 0) {
            out.push((s.start, o, s));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    out.into_iter().map(|(_, _, s)| s).collect()
}

fn build(
    i: usize,
    slots: &mut [Option<Node>],
    children: &HashMap<usize, Vec<usize>>,
    placed: &mut HashSet<usize>,
    depth: usize,
) -> Option<(usize, Segment)> {
    if depth > MAX_DEPTH || !placed.insert(i) {
        return None;
    }
    let node = slots.get_mut(i)?.take()?;
    let mut seg = node.seg;
    let mut kids: Vec<(usize, Segment)> = children
        .get(&i)
        .into_iter()
        .flatten()
        .filter_map(|&c| build(c, slots, children, placed, depth + 1))
        .collect();
    kids.sort_by(|a, b| a.1.start.cmp(&b.1.start).then(a.0.cmp(&b.0)));
    seg.children = kids.into_iter().map(|(_, s)| s).collect();
    Some((node.order, seg))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// API Gateway → Lambda (service) → Lambda::Function (Initialization, Invocation → DynamoDB,
    /// Overhead) → inferred DynamoDB table, as four documents in BatchGetTraces order (shuffled).
    const APIGW: &str = r#"{"id":"66083ccfc311f302","name":"dev-api/dev","start_time":1.681574429579E9,"end_time":1.681574431023E9,"trace_id":"1-643aca1d-02e095f7341508e00b9b6d2b",
      "http":{"request":{"method":"POST"},"response":{"status":201}},"origin":"AWS::ApiGateway::Stage",
      "subsegments":[{"id":"4c17ecc1b6cd296a","name":"Lambda","namespace":"aws","start_time":1.6815744296E9,"end_time":1.681574431E9,"aws":{"function_name":"todo","operation":"Invoke"}}]}"#;
    const LAMBDA: &str = r#"{"id":"5f8d1a23aa89bd66","name":"todo","parent_id":"4c17ecc1b6cd296a","origin":"AWS::Lambda","start_time":1.6815744297E9,"end_time":1.68157443099E9,
      "http":{"response":{"status":200}},"aws":{"request_id":"372607be-98bc-4960-bcb8-352704034263"}}"#;
    const FUNCTION: &str = r#"{"id":"03e476fc59b9eecd","name":"todo","parent_id":"5f8d1a23aa89bd66","origin":"AWS::Lambda::Function","start_time":1.68157442997E9,"end_time":1.6815744310205E9,
      "fault":true,"cause":{"exceptions":[{"message":"table missing","type":"ResourceNotFoundException"}]},
      "subsegments":[{"id":"8a2b10d894511fc9","name":"Initialization","start_time":1.681574429970087E9,"end_time":1.6815744308215926E9},
        {"id":"9a00f74249b3df61","name":"Invocation","start_time":1.6815744308230484E9,"end_time":1.6815744310199275E9,"subsegments":[
          {"id":"b65ecbebf0c80be7","name":"DynamoDB","namespace":"aws","start_time":1.68157443083E9,"end_time":1.68157443101E9,"throttle":true,"error":true,
           "http":{"response":{"status":400}},"aws":{"operation":"PutItem","request_id":"ONUHTPGP","table_name":"todo-tasks"}}]},
        {"id":"03cea9c3be41a0ba","name":"Overhead","start_time":1.6815744310199893E9,"end_time":1.6815744310205321E9}]}"#;
    const TABLE: &str = r#"{"id":"3dd87a2724860b51","name":"DynamoDB","parent_id":"b65ecbebf0c80be7","inferred":true,"origin":"AWS::DynamoDB::Table","start_time":1.68157443083E9,"end_time":1.68157443101E9,"aws":{"operation":"PutItem","table_name":"todo-tasks"}}"#;

    #[test]
    fn builds_the_api_gateway_lambda_dynamodb_tree() {
        let roots = assemble([TABLE, FUNCTION, LAMBDA, APIGW]);
        assert_eq!(roots.len(), 1);
        let stage = &roots[0];
        assert_eq!(stage.origin.as_deref(), Some("AWS::ApiGateway::Stage"));
        assert_eq!(stage.http_status, Some(201));
        let invoke = &stage.children[0];
        assert_eq!(
            (invoke.name.as_str(), invoke.operation.as_deref()),
            ("Lambda", Some("Invoke"))
        );
        let service = &invoke.children[0];
        assert_eq!(service.origin.as_deref(), Some("AWS::Lambda"));
        assert_eq!(
            service.request_id.as_deref(),
            Some("372607be-98bc-4960-bcb8-352704034263")
        );
        let function = &service.children[0];
        assert!(function.fault);
        assert_eq!(function.cause.as_deref(), Some("table missing"));
        let names: Vec<&str> = function.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Initialization", "Invocation", "Overhead"]);
        let dynamo = &function.children[1].children[0];
        assert_eq!(dynamo.operation.as_deref(), Some("PutItem"));
        assert_eq!(dynamo.resource.as_deref(), Some("todo-tasks"));
        assert_eq!(dynamo.request_id.as_deref(), Some("ONUHTPGP"));
        assert!(dynamo.throttle && dynamo.error && !dynamo.fault);
        assert_eq!(dynamo.http_status, Some(400));
        let table = &dynamo.children[0];
        assert!(table.inferred);
        assert_eq!(table.origin.as_deref(), Some("AWS::DynamoDB::Table"));
    }

    #[test]
    fn orphans_become_roots_and_in_progress_has_no_end() {
        let roots = assemble([
            r#"{"id":"a","name":"x","parent_id":"nowhere","start_time":2,"in_progress":true}"#,
            r#"{"id":"b","name":"y","start_time":1,"end_time":3}"#,
        ]);
        assert_eq!(
            roots.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(roots[1].end, None);
    }

    #[test]
    fn cycles_and_duplicates_do_not_loop() {
        let roots = assemble([
            r#"{"id":"a","parent_id":"b","start_time":1}"#,
            r#"{"id":"b","parent_id":"a","start_time":1}"#,
            r#"{"id":"c","parent_id":"c"}"#,
            r#"{"id":"c","name":"dup"}"#,
        ]);
        // a and b point at each other: the cycle is cut at a; c is its own parent, so a root.
        assert_eq!(
            roots.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["c", "a"]
        );
        assert_eq!(roots[1].children[0].id, "b");
        assert_eq!(roots[0].name, "");
    }

    #[test]
    fn garbage_never_panics() {
        let corpus = [
            "",
            "{",
            "null",
            "[]",
            "42",
            "\"str\"",
            "{\"id\":5}",
            "{\"id\":\"\"}",
            "{\"id\":\"x\",\"subsegments\":7}",
            "{\"id\":\"x\",\"subsegments\":[null,1,\"s\",{\"id\":null}]}",
            "{\"id\":\"x\",\"start_time\":\"soon\"}",
            "{\"id\":\"x\",\"start_time\":1e999}",
            "{\"id\":\"x\",\"http\":{\"response\":{\"status\":99999999}}}",
            "{\"id\":\"x\",\"http\":[1]}",
            "{\"id\":\"x\",\"aws\":{\"resource_names\":{}}}",
            "{\"id\":\"x\",\"cause\":\"0123456789abcdef\"}",
            "{\"id\":\"x\",\"cause\":{\"exceptions\":[{}]}}",
            "{\"id\":\"x\",\"error\":\"yes\",\"in_progress\":1}",
            "\u{0}\u{ffff}",
        ];
        for doc in corpus {
            let _ = assemble([doc]);
        }
        // Deep nesting.
        let deep = "{\"id\":\"d\",\"subsegments\":[".repeat(100) + &"]}".repeat(100);
        let _ = assemble([deep.as_str()]);
    }

    /// Quickcheck-style: thousands of random mutations of a valid trace, none may panic, and
    /// every segment id in the output is unique.
    #[test]
    fn random_mutations_never_panic() {
        let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let originals = [APIGW, LAMBDA, FUNCTION, TABLE];
        let alphabet = b"{}[]\":,0123456789.eE-+truefalsnl idparent_subsegmts\\";
        for _ in 0..3000 {
            let docs: Vec<String> = originals
                .iter()
                .map(|d| {
                    let mut bytes = d.as_bytes().to_vec();
                    for _ in 0..(next() % 6) {
                        let len = bytes.len().max(1);
                        let at = (next() as usize) % len;
                        match next() % 4 {
                            0 => bytes.truncate(at),
                            1 if at < bytes.len() => {
                                bytes[at] = alphabet[(next() as usize) % alphabet.len()]
                            }
                            2 => bytes.insert(
                                at.min(bytes.len()),
                                alphabet[(next() as usize) % alphabet.len()],
                            ),
                            _ if at < bytes.len() => {
                                bytes.remove(at);
                            }
                            _ => {}
                        }
                    }
                    String::from_utf8_lossy(&bytes).into_owned()
                })
                .collect();
            let roots = assemble(docs.iter().map(String::as_str));
            let mut ids = HashSet::new();
            let mut stack: Vec<&Segment> = roots.iter().collect();
            while let Some(s) = stack.pop() {
                assert!(ids.insert(s.id.clone()), "duplicate id {}", s.id);
                stack.extend(s.children.iter());
            }
        }
    }
}
