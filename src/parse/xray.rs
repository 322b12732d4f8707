//! X-Ray segment documents (the JSON strings inside BatchGetTraces' `Segments[].Document`) →
//! one [`Segment`] tree per root.
//!
//! Segments and their inline subsegments are indexed by id and linked by `parent_id`; a
//! segment's `parent_id` usually names a *subsegment* of another segment (API Gateway's
//! "Lambda" subsegment is the parent of the `AWS::Lambda` segment). Anything malformed is skipped,
//! never a panic: these documents come from other people's code.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::domain::{
    AnnotationValue, Cause, EpochUs, Exception, Http, Segment, StackFrame, us_from_epoch_seconds,
};

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
            flatten(v, None, 0, &mut nodes);
        }
    }
    link(nodes)
}

/// Parses one document into a node (and its inline subsegments), each pointing at its parent.
/// Takes the document by value so metadata moves instead of being copied.
fn flatten(v: Value, parent: Option<&str>, depth: usize, out: &mut Vec<Node>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Value::Object(mut obj) = v else { return };
    let Some(id) = obj
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
    else {
        return;
    };
    let named_parent = obj
        .get("parent_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let subsegments = obj.remove("subsegments");
    let mut seg = segment_fields(id, &mut obj);
    // An inline subsegment's parent is the document it sits in, whatever it says.
    let parent = parent.map(str::to_string).or(named_parent);
    seg.parent_id = parent.clone();
    let id = seg.id.clone();
    out.push(Node {
        seg,
        parent,
        order: out.len(),
    });
    if let Some(Value::Array(subs)) = subsegments {
        for s in subs {
            flatten(s, Some(&id), depth + 1, out);
        }
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// A number, also when written as a string ("1.478293361271E9").
fn number(v: Option<&Value>) -> Option<f64> {
    let v = v?;
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|n: &f64| n.is_finite())
}

fn flag(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn segment_fields(id: String, obj: &mut Map<String, Value>) -> Segment {
    let in_progress = flag(obj, "in_progress");
    let start = number(obj.get("start_time")).and_then(us_from_epoch_seconds);
    let end = number(obj.get("end_time"))
        .and_then(us_from_epoch_seconds)
        .filter(|_| !in_progress);
    let aws = obj.get("aws").and_then(Value::as_object);
    let aws_text = |k: &str| text(aws.and_then(|a| a.get(k)));
    let resource = aws_text("table_name")
        .or_else(|| aws_text("queue_url"))
        .or_else(|| {
            aws.and_then(|a| a.get("resource_names"))
                .and_then(Value::as_array)
                .and_then(|r| text(r.first()))
        });
    let mut aws_fields = Vec::new();
    if let Some(a) = aws {
        flatten_fields("", a, &mut aws_fields, 0);
    }
    Segment {
        name: text(obj.get("name")).unwrap_or_default(),
        origin: text(obj.get("origin")),
        namespace: text(obj.get("namespace")),
        parent_id: None,
        start: start.or(end).unwrap_or(0),
        end: end.map(|e| e.max(start.unwrap_or(e))),
        in_progress: in_progress || end.is_none(),
        error: flag(obj, "error"),
        fault: flag(obj, "fault"),
        throttle: flag(obj, "throttle"),
        http: obj.get("http").map(http).unwrap_or_default(),
        operation: aws_text("operation"),
        resource,
        request_id: aws_text("request_id"),
        retries: number(aws.and_then(|a| a.get("retries")))
            .filter(|n| *n >= 0.0)
            .map(|n| n as u64),
        aws: aws_fields,
        resource_arn: text(obj.get("resource_arn")),
        annotations: obj
            .get("annotations")
            .and_then(Value::as_object)
            .map(annotations)
            .unwrap_or_default(),
        metadata: obj.remove("metadata").filter(|m| !m.is_null()),
        cause: obj.get("cause").and_then(cause),
        inferred: flag(obj, "inferred"),
        children: Vec::new(),
        id,
    }
}

fn http(v: &Value) -> Http {
    let req = |k: &str| text(v.get("request").and_then(|r| r.get(k)));
    let resp = |k: &str| number(v.get("response").and_then(|r| r.get(k)));
    Http {
        method: req("method"),
        url: req("url"),
        user_agent: req("user_agent"),
        client_ip: req("client_ip"),
        status: resp("status")
            .filter(|s| (0.0..=999.0).contains(s))
            .map(|s| s as u16),
        content_length: resp("content_length")
            .filter(|n| *n >= 0.0)
            .map(|n| n as u64),
    }
}

/// `aws` as `key = value` lines: nested objects become dotted keys, arrays of plain values a
/// comma-separated list, anything else compact JSON.
fn flatten_fields(
    prefix: &str,
    obj: &Map<String, Value>,
    out: &mut Vec<(String, String)>,
    depth: usize,
) {
    for (k, v) in obj {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(o) if depth < 4 => flatten_fields(&key, o, out, depth + 1),
            Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
                let items: Vec<String> = a.iter().map(plain).collect();
                out.push((key, items.join(", ")));
            }
            Value::Null => {}
            other => out.push((key, plain(other))),
        }
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn annotations(obj: &Map<String, Value>) -> Vec<(String, AnnotationValue)> {
    obj.iter()
        .filter_map(|(k, v)| {
            let value = match v {
                Value::String(s) => AnnotationValue::Str(s.clone()),
                Value::Bool(b) => AnnotationValue::Bool(*b),
                Value::Number(n) => AnnotationValue::Num(n.as_f64()?),
                _ => return None,
            };
            Some((k.clone(), value))
        })
        .collect()
}

/// `cause` is either the id of an exception recorded elsewhere, or the exceptions themselves.
fn cause(v: &Value) -> Option<Cause> {
    match v {
        Value::String(id) => Some(Cause {
            reference: Some(id.clone()),
            ..Default::default()
        }),
        Value::Object(o) => Some(Cause {
            working_directory: text(o.get("working_directory")),
            exceptions: o
                .get("exceptions")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(exception).collect())
                .unwrap_or_default(),
            reference: None,
        }),
        _ => None,
    }
}

fn exception(v: &Value) -> Option<Exception> {
    let o = v.as_object()?;
    let count = |k: &str| {
        number(o.get(k))
            .filter(|n| *n >= 0.0)
            .map_or(0, |n| n as u64)
    };
    Some(Exception {
        id: text(o.get("id")),
        kind: text(o.get("type")),
        message: text(o.get("message")),
        remote: flag(o, "remote"),
        truncated: count("truncated"),
        skipped: count("skipped"),
        cause: text(o.get("cause")),
        stack: o
            .get("stack")
            .and_then(Value::as_array)
            .map(|frames| {
                frames
                    .iter()
                    .filter_map(|f| {
                        let f = f.as_object()?;
                        Some(StackFrame {
                            path: text(f.get("path")),
                            line: number(f.get("line"))
                                .filter(|n| *n >= 0.0)
                                .map(|n| n as u64),
                            label: text(f.get("label")),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
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
        assert_eq!(stage.http.status, Some(201));
        assert_eq!(stage.http.method.as_deref(), Some("POST"));
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
        let cause = function.cause.as_ref().expect("cause");
        assert_eq!(
            cause.headline().as_deref(),
            Some("ResourceNotFoundException: table missing")
        );
        let names: Vec<&str> = function.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Initialization", "Invocation", "Overhead"]);
        let dynamo = &function.children[1].children[0];
        assert_eq!(dynamo.operation.as_deref(), Some("PutItem"));
        assert_eq!(dynamo.resource.as_deref(), Some("todo-tasks"));
        assert_eq!(dynamo.request_id.as_deref(), Some("ONUHTPGP"));
        assert!(dynamo.throttle && dynamo.error && !dynamo.fault);
        assert_eq!(dynamo.http.status, Some(400));
        assert_eq!(dynamo.namespace.as_deref(), Some("aws"));
        let table = &dynamo.children[0];
        assert!(table.inferred);
        assert_eq!(table.origin.as_deref(), Some("AWS::DynamoDB::Table"));
    }

    /// The real trace of reference §3, as BatchGetTraces returns it (abridged by AWS's docs:
    /// some segments carry no times, and "…" keys stand for fields left out).
    const REAL: [&str; 4] = [
        r#"{"id":"66083ccfc311f302","name":"dev-todo-list-app/dev","start_time":1.681574429579E9,"end_time":1.681574431023E9,"trace_id":"1-643aca1d-02e095f7341508e00b9b6d2b",
 "http":{"request":{"url":"https://cm8rpw34l8.execute-api.us-east-1.amazonaws.com/dev/add-task","method":"POST","client_ip":"172.58.229.173","x_forwarded_for":true},"response":{"status":201,"content_length":0}},
 "aws":{"api_gateway":{"account_id":"263792328682","rest_api_id":"cm8rpw34l8","stage":"dev","request_id":"6d5f8fb5-…"}},
 "annotations":{"aws:api_id":"cm8rpw34l8","aws:api_stage":"dev"},"origin":"AWS::ApiGateway::Stage","resource_arn":"arn:aws:apigateway:us-east-1::/restapis/cm8rpw34l8/stages/dev",
 "subsegments":[{"id":"4c17ecc1b6cd296a","name":"Lambda","namespace":"aws","aws":{"function_name":"todo-list-app-dev-postTask","region":"us-east-1","operation":"Invoke"}, "…":"…"}]}"#,
        r#"{"id":"5f8d1a23aa89bd66","name":"todo-list-app-dev-postTask","parent_id":"4c17ecc1b6cd296a","origin":"AWS::Lambda","http":{"response":{"status":200}},"aws":{"request_id":"372607be-98bc-4960-bcb8-352704034263"},"resource_arn":"arn:aws:lambda:us-east-1:263792328682:function:todo-list-app-dev-postTask","…":"…"}"#,
        r#"{"id":"03e476fc59b9eecd","name":"todo-list-app-dev-postTask","parent_id":"5f8d1a23aa89bd66","origin":"AWS::Lambda::Function",
 "aws":{"account_id":"263792328682","function_arn":"arn:aws:lambda:us-east-1:263792328682:function:todo-list-app-dev-postTask","resource_names":["todo-list-app-dev-postTask"]},
 "subsegments":[{"id":"8a2b10d894511fc9","name":"Initialization","start_time":1.681574429970087E9,"end_time":1.6815744308215926E9},
   {"id":"9a00f74249b3df61","name":"Invocation","start_time":1.6815744308230484E9,"end_time":1.6815744310199275E9,"subsegments":[
     {"id":"b65ecbebf0c80be7","name":"DynamoDB","namespace":"aws","http":{"response":{"status":200}},"aws":{"retries":0,"region":"us-east-1","operation":"PutItem","request_id":"ONUHTPGP3PBVIN2UJI284UBUA7VV4KQNSO5AEMVJF66Q9ASUAAJG","table_name":"todo-list-tasks","resource_names":["todo-list-tasks"]}}]},
   {"id":"03cea9c3be41a0ba","name":"Overhead","start_time":1.6815744310199893E9,"end_time":1.6815744310205321E9}]}"#,
        r#"{"id":"3dd87a2724860b51","name":"DynamoDB","parent_id":"b65ecbebf0c80be7","inferred":true,"origin":"AWS::DynamoDB::Table","aws":{"operation":"PutItem","table_name":"todo-list-tasks"},"…":"…"}"#,
    ];

    #[test]
    fn the_reference_trace_links_across_documents_and_keeps_every_field() {
        let roots = assemble(REAL.iter().rev().copied());
        assert_eq!(roots.len(), 1, "one tree, whatever the document order");
        let stage = &roots[0];
        assert_eq!(stage.start, 1_681_574_429_579_000, "scientific notation");
        assert_eq!(stage.end, Some(1_681_574_431_023_000));
        assert_eq!(
            stage.http.url.as_deref(),
            Some("https://cm8rpw34l8.execute-api.us-east-1.amazonaws.com/dev/add-task")
        );
        assert_eq!(stage.http.client_ip.as_deref(), Some("172.58.229.173"));
        assert_eq!(stage.http.content_length, Some(0));
        assert!(
            stage
                .aws
                .contains(&("api_gateway.stage".to_string(), "dev".to_string()))
        );
        assert_eq!(
            stage.annotations[0],
            (
                "aws:api_id".to_string(),
                AnnotationValue::Str("cm8rpw34l8".into())
            )
        );
        let invoke = &stage.children[0];
        assert_eq!(invoke.kind(), crate::domain::SpanKind::AwsCall);
        assert!(invoke.in_progress && invoke.end.is_none(), "no times given");
        let service = &invoke.children[0];
        assert_eq!(service.kind(), crate::domain::SpanKind::Lambda);
        assert_eq!(
            service.function_name().as_deref(),
            Some("todo-list-app-dev-postTask")
        );
        let function = &service.children[0];
        assert_eq!(function.kind(), crate::domain::SpanKind::Function);
        assert_eq!(
            function.resource.as_deref(),
            Some("todo-list-app-dev-postTask")
        );
        let kinds: Vec<_> = function.children.iter().map(|c| c.kind()).collect();
        use crate::domain::SpanKind::*;
        assert_eq!(kinds, [ColdStart, Invocation, Overhead]);
        let call = &function.children[1].children[0];
        assert_eq!(call.kind(), DynamoDb);
        assert_eq!(call.label(), "DynamoDB PutItem todo-list-tasks");
        assert_eq!(call.retries, Some(0));
        assert_eq!(call.children[0].kind(), Table);
        assert!(call.children[0].inferred);
        // The whole tree: 9 segments and subsegments, each once.
        let trace = crate::domain::Trace {
            roots,
            ..Default::default()
        };
        assert_eq!(trace.span_count(), 9);
        assert!(trace.is_cold());
        assert_eq!(
            trace.invocations()[0].request_id,
            "372607be-98bc-4960-bcb8-352704034263"
        );
    }

    #[test]
    fn times_in_any_notation_and_children_outside_their_parent() {
        let roots = assemble([
            r#"{"id":"p","start_time":"1.478293361271E9","end_time":1478293361.5,
               "subsegments":[{"id":"c","start_time":1.4782933610E9,"end_time":1.478293362E9}]}"#,
        ]);
        let p = &roots[0];
        assert_eq!(p.start, 1_478_293_361_271_000);
        assert_eq!(p.end, Some(1_478_293_361_500_000));
        // Clock skew is kept as written: the waterfall decides what to do with it.
        let c = &p.children[0];
        assert!(c.start < p.start && c.end > p.end);
    }

    #[test]
    fn causes_with_exceptions_and_stack_frames_or_a_reference() {
        let roots = assemble([
            r#"{"id":"f","name":"payments-webhook","start_time":1,"end_time":2,"fault":true,
               "cause":{"working_directory":"/var/task","paths":["/var/task/app.py"],"exceptions":[
                 {"id":"a1b2c3d4e5f60718","message":"'signature'","type":"KeyError","remote":false,"truncated":2,
                  "stack":[{"path":"/var/task/app.py","line":41,"label":"handler"},{"path":"/var/task/app.py","line":27,"label":"process"}]},
                 {"id":"b2","message":"boom","type":"RuntimeError","cause":"a1b2c3d4e5f60718"}]},
               "subsegments":[{"id":"s","name":"Invocation","start_time":1,"end_time":2,"cause":"a1b2c3d4e5f60718"}]}"#,
        ]);
        let c = roots[0].cause.as_ref().expect("cause");
        assert_eq!(c.working_directory.as_deref(), Some("/var/task"));
        assert_eq!(c.exceptions.len(), 2);
        let e = &c.exceptions[0];
        assert_eq!(
            (e.kind.as_deref(), e.message.as_deref(), e.truncated),
            (Some("KeyError"), Some("'signature'"), 2)
        );
        assert_eq!(e.stack[0].line, Some(41));
        assert_eq!(e.stack[1].label.as_deref(), Some("process"));
        assert_eq!(c.exceptions[1].cause.as_deref(), Some("a1b2c3d4e5f60718"));
        let sub = roots[0].children[0].cause.as_ref().expect("a reference");
        assert_eq!(sub.reference.as_deref(), Some("a1b2c3d4e5f60718"));
        assert!(sub.exceptions.is_empty());
    }

    #[test]
    fn annotations_metadata_and_in_progress() {
        let roots = assemble([r#"{"id":"f","name":"fn","start_time":1,"in_progress":true,
               "annotations":{"ColdStart":true,"Service":"payments","attempt":2,"bad":{"x":1}},
               "metadata":{"default":{"order":{"id":"o1","items":[1,2]}}}}"#]);
        let f = &roots[0];
        assert!(f.in_progress && f.end.is_none());
        assert_eq!(f.annotations.len(), 3, "objects are not annotations");
        assert!(
            f.annotations
                .contains(&("attempt".into(), AnnotationValue::Num(2.0)))
        );
        let m = f.metadata.as_ref().expect("metadata");
        assert_eq!(m["default"]["order"]["items"][1], 2);
    }

    #[test]
    fn a_64_kb_document_parses_whole() {
        let blob = "x".repeat(63 * 1024);
        let doc = format!(
            r#"{{"id":"big","name":"fn","start_time":1,"end_time":2,"metadata":{{"default":{{"payload":"{blob}"}}}}}}"#
        );
        assert!(doc.len() > 63 * 1024);
        let roots = assemble([doc.as_str()]);
        let m = roots[0].metadata.as_ref().expect("metadata kept");
        assert_eq!(
            m["default"]["payload"].as_str().map(str::len),
            Some(blob.len())
        );
    }

    /// A trace of 5,000 spans: one function with 4,997 DynamoDB calls in one document, and the
    /// same calls split over 100 documents linked by parent_id.
    #[test]
    fn five_thousand_spans_in_one_document_or_many() {
        let call = |i: usize| {
            format!(
                r#"{{"id":"c{i:015x}","name":"DynamoDB","namespace":"aws","start_time":{},"end_time":{},"aws":{{"operation":"GetItem","table_name":"t"}}}}"#,
                1.0 + i as f64 * 1e-4,
                1.0 + i as f64 * 1e-4 + 5e-5
            )
        };
        let calls: Vec<String> = (0..4997).map(call).collect();
        let one = format!(
            r#"{{"id":"fn","name":"f","origin":"AWS::Lambda::Function","start_time":1,"end_time":2,"subsegments":[{{"id":"inv","name":"Invocation","start_time":1,"end_time":2,"subsegments":[{}]}},{{"id":"ovh","name":"Overhead","start_time":1.9,"end_time":2}}]}}"#,
            calls.join(",")
        );
        let roots = assemble([one.as_str()]);
        let t = crate::domain::Trace {
            roots,
            ..Default::default()
        };
        assert_eq!(t.span_count(), 5000);
        // Split: the function document, then calls in documents that name their parent.
        let mut docs = vec![
            r#"{"id":"fn","name":"f","start_time":1,"end_time":2,"subsegments":[{"id":"inv","name":"Invocation","start_time":1,"end_time":2}]}"#
                .to_string(),
        ];
        for chunk in calls.chunks(50) {
            for c in chunk {
                docs.push(c.replacen("{", r#"{"type":"subsegment","parent_id":"inv","#, 1));
            }
        }
        let roots = assemble(docs.iter().map(String::as_str));
        assert_eq!(roots.len(), 1);
        assert_eq!(roots[0].children[0].children.len(), 4997);
        let starts: Vec<i64> = roots[0].children[0]
            .children
            .iter()
            .map(|c| c.start)
            .collect();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "children by start");
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

    fn find<'s>(roots: &'s [Segment], id: &str) -> Option<&'s Segment> {
        let mut stack: Vec<&Segment> = roots.iter().collect();
        while let Some(s) = stack.pop() {
            if s.id == id {
                return Some(s);
            }
            stack.extend(s.children.iter());
        }
        None
    }

    /// A subsegment sent as a document of its own (`type: subsegment`, with `trace_id` and
    /// `parent_id`), with subsegments of its own, and one sent while still in progress.
    #[test]
    fn subsegments_sent_as_their_own_documents() {
        let roots = assemble([
            r#"{"type":"subsegment","id":"53995c3f42cd8ad8","trace_id":"1-581cf771-a006649127e371903a2de979","parent_id":"defdfd9912dc5a56",
               "name":"https://api.example.com","namespace":"remote","start_time":1478293361.271,"end_time":1478293361.449,
               "http":{"request":{"url":"https://api.example.com/health","method":"POST","traced":true},"response":{"status":200,"content_length":861}},
               "precursor_ids":["ab12cd34ef56ab78"],
               "subsegments":[{"id":"0f910026178b71eb","name":"parse","start_time":1478293361.4,"end_time":1478293361.44}]}"#,
            r#"{"type":"subsegment","id":"7c4eb6a6d56f2a27","trace_id":"1-581cf771-a006649127e371903a2de979","parent_id":"defdfd9912dc5a56",
               "name":"DynamoDB","namespace":"aws","start_time":1478293361.5,"in_progress":true}"#,
            r#"{"id":"defdfd9912dc5a56","trace_id":"1-581cf771-a006649127e371903a2de979","name":"example.com","start_time":1478293361.1,"end_time":1478293361.9}"#,
        ]);
        assert_eq!(roots.len(), 1);
        let root = &roots[0];
        assert_eq!(root.id, "defdfd9912dc5a56");
        let ids: Vec<&str> = root.children.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            ["53995c3f42cd8ad8", "7c4eb6a6d56f2a27"],
            "by start time"
        );
        let call = &root.children[0];
        assert_eq!(call.parent_id.as_deref(), Some("defdfd9912dc5a56"));
        assert_eq!(call.kind(), crate::domain::SpanKind::Remote);
        assert_eq!(call.start, 1_478_293_361_271_000);
        assert_eq!(call.end, Some(1_478_293_361_449_000));
        assert_eq!(
            (
                call.http.method.as_deref(),
                call.http.status,
                call.http.content_length
            ),
            (Some("POST"), Some(200), Some(861))
        );
        assert_eq!(
            call.http.url.as_deref(),
            Some("https://api.example.com/health")
        );
        let inner = &call.children[0];
        assert_eq!(inner.name, "parse");
        assert_eq!(inner.parent_id.as_deref(), Some("53995c3f42cd8ad8"));
        let pending = &root.children[1];
        assert!(pending.in_progress && pending.end.is_none());
        assert_eq!(pending.start, 1_478_293_361_500_000);
        assert_eq!(pending.kind(), crate::domain::SpanKind::DynamoDb);
    }

    /// Segments X-Ray infers for a downstream service: no document of the service's own, the
    /// call's subsegment as parent.
    #[test]
    fn inferred_segments() {
        let roots = assemble([
            r#"{"id":"f","name":"fn","start_time":1,"end_time":2,"subsegments":[
                 {"id":"call","name":"SNS","namespace":"aws","start_time":1.1,"end_time":1.2,
                  "aws":{"operation":"Publish","topic_arn":"arn:aws:sns:us-east-1:123456789012:orders"}}]}"#,
            r#"{"id":"inf","name":"SNS","parent_id":"call","inferred":true,"origin":"AWS::SNS",
                "trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1.1,"end_time":1.2,
                "aws":{"operation":"Publish","topic_arn":"arn:aws:sns:us-east-1:123456789012:orders"}}"#,
        ]);
        let inferred = find(&roots, "inf").expect("linked");
        assert!(inferred.inferred);
        assert_eq!(inferred.origin.as_deref(), Some("AWS::SNS"));
        assert_eq!(inferred.kind(), crate::domain::SpanKind::Service);
        assert_eq!(inferred.parent_id.as_deref(), Some("call"));
        assert_eq!(inferred.operation.as_deref(), Some("Publish"));
        assert_eq!(roots[0].children[0].children[0].id, "inf");
        assert!(!roots[0].children[0].inferred);
    }

    /// In progress: no end, even when one is written; a segment without `in_progress` and
    /// without an end reads as in progress too.
    #[test]
    fn in_progress_segments() {
        let roots = assemble([
            r#"{"id":"a","name":"fn","start_time":10,"end_time":12,"in_progress":true}"#,
            r#"{"id":"b","name":"fn","start_time":11,"in_progress":false}"#,
            r#"{"id":"c","name":"fn","start_time":12,"end_time":13,"in_progress":false}"#,
        ]);
        let by_id = |id| find(&roots, id).expect(id);
        let a = by_id("a");
        assert!(a.in_progress);
        assert_eq!((a.start, a.end), (10_000_000, None));
        let b = by_id("b");
        assert!(b.in_progress && b.end.is_none());
        let c = by_id("c");
        assert!(!c.in_progress);
        assert_eq!(c.end, Some(13_000_000));
    }

    /// An SQL subsegment: `sql` is not shown, and the rest of the subsegment reads whole.
    #[test]
    fn sql_subsegments() {
        let roots = assemble([
            r#"{"id":"f","name":"fn","start_time":1,"end_time":2,"subsegments":[
            {"id":"3fd8634e78ca9560","name":"ebdb@aawijb5u25wdoy.cpamxznpdoq8.us-west-2.rds.amazonaws.com","namespace":"remote",
             "start_time":1.1,"end_time":1.3,"error":true,
             "sql":{"url":"jdbc:postgresql://aawijb5u25wdoy.cpamxznpdoq8.us-west-2.rds.amazonaws.com:5432/ebdb",
                    "preparation":"statement","database_type":"PostgreSQL","database_version":"9.5.4",
                    "driver_version":"PostgreSQL 9.4.1211.jre7","user":"dbuser","sanitized_query":"SELECT * FROM t WHERE id = ?"},
             "cause":"a1b2c3d4e5f60718"}]}"#,
        ]);
        let q = &roots[0].children[0];
        assert_eq!(
            q.name,
            "ebdb@aawijb5u25wdoy.cpamxznpdoq8.us-west-2.rds.amazonaws.com"
        );
        assert_eq!(q.kind(), crate::domain::SpanKind::Remote);
        assert_eq!((q.start, q.end), (1_100_000, Some(1_300_000)));
        assert!(q.error && !q.fault);
        assert_eq!(
            q.cause.as_ref().and_then(|c| c.reference.as_deref()),
            Some("a1b2c3d4e5f60718")
        );
        assert!(q.aws.is_empty() && q.http.is_empty() && q.metadata.is_none());
    }

    /// `aws` carries each service's own fields: all are kept, flattened, in document order.
    #[test]
    fn aws_with_fields_of_any_service() {
        let roots = assemble([
            r#"{"id":"s","name":"svc","start_time":1,"end_time":2,"origin":"AWS::ECS::Container",
            "aws":{"operation":"SendMessage","queue_url":"https://sqs.us-east-1.amazonaws.com/123456789012/jobs","retries":"2",
                   "resource_names":["jobs","dlq"],"account_id":"123456789012","request_id":"r-1",
                   "ecs":{"container":"ip-10-0-0-1","container_id":"abc"},
                   "xray":{"sdk":"X-Ray for Go","sdk_version":"1.0.0","auto_instrumentation":false},
                   "elastic_beanstalk":{"environment_name":"prod","deployment_id":42,"version_label":null},
                   "new_service":{"a":{"b":{"c":{"d":{"e":1}}}}},"weights":[1.5,-2,"x",true],"hooks":[{"x":1}]}}"#,
        ]);
        let s = &roots[0];
        assert_eq!(s.operation.as_deref(), Some("SendMessage"));
        assert_eq!(
            s.resource.as_deref(),
            Some("https://sqs.us-east-1.amazonaws.com/123456789012/jobs"),
            "the queue, before the first resource name"
        );
        assert_eq!(s.retries, Some(2), "a number written as a string");
        assert_eq!(s.request_id.as_deref(), Some("r-1"));
        let fields: Vec<(&str, &str)> = s
            .aws
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("operation", "SendMessage"),
                (
                    "queue_url",
                    "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
                ),
                ("retries", "2"),
                ("resource_names", "jobs, dlq"),
                ("account_id", "123456789012"),
                ("request_id", "r-1"),
                ("ecs.container", "ip-10-0-0-1"),
                ("ecs.container_id", "abc"),
                ("xray.sdk", "X-Ray for Go"),
                ("xray.sdk_version", "1.0.0"),
                ("xray.auto_instrumentation", "false"),
                ("elastic_beanstalk.environment_name", "prod"),
                ("elastic_beanstalk.deployment_id", "42"),
                ("new_service.a.b.c.d", r#"{"e":1}"#),
                ("weights", "1.5, -2, x, true"),
                ("hooks", r#"[{"x":1}]"#),
            ]
        );
        let table = assemble([
            r#"{"id":"t","aws":{"resource_names":["orders"],"table_name":"orders-v2"}}"#,
        ]);
        assert_eq!(table[0].resource.as_deref(), Some("orders-v2"));
        let named = assemble([r#"{"id":"t","aws":{"resource_names":["orders"]}}"#]);
        assert_eq!(named[0].resource.as_deref(), Some("orders"));
    }

    /// Annotations of every type X-Ray indexes, in document order; other types are dropped,
    /// and a repeated key keeps its first place and its last value.
    #[test]
    fn annotations_of_every_type() {
        let roots = assemble([r#"{"id":"f","name":"fn","start_time":1,"end_time":2,
            "annotations":{"customer":"c-42","attempt":3,"latency":0.25,"delta":-7,"big":12345678901234,
                           "cold":true,"warm":false,"none":null,"list":[1],"obj":{"a":1},"esc\u0061ped":"\"q\"","attempt":4}}"#]);
        use AnnotationValue::*;
        let got: Vec<(&str, &AnnotationValue)> = roots[0]
            .annotations
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        assert_eq!(
            got,
            [
                ("customer", &Str("c-42".into())),
                ("attempt", &Num(4.0)),
                ("latency", &Num(0.25)),
                ("delta", &Num(-7.0)),
                ("big", &Num(12_345_678_901_234.0)),
                ("cold", &Bool(true)),
                ("warm", &Bool(false)),
                ("escaped", &Str("\"q\"".into())),
            ]
        );
    }

    /// Fields nobody reads (of any type, at any level) are skipped; the known ones around them
    /// are read.
    #[test]
    fn unknown_fields_are_skipped() {
        let roots = assemble([
            r#"{"format":"json","version":1,"id":"f","service":{"version":"1.2.3","compiler":{"name":"go"}},
            "user":"alice","origin":"AWS::EC2::Instance","precursor_ids":["a","b"],"name":"web","start_time":1,
            "http":{"request":{"method":"GET","x_forwarded_for":true,"traced":false,"headers":{"h":[1,2]}},"response":{"status":503,"extra":null}},
            "fault":true,"future_flag":[true,{"nested":[{"deep":{"deeper":[null]}}]}],"end_time":2,
            "cause":{"working_directory":"/app","paths":["/app/main.go"],"new":{"x":1},
                     "exceptions":[{"id":"e1","message":"boom","type":"Panic","stack":[{"path":"main.go","line":7,"label":"main","column":3}],"extra":[1]}]},
            "subsegments":[{"id":"s","name":"db","start_time":1.5,"end_time":1.6,"unknown":{"id":"not-a-segment"}}],
            "trailing_unknown":1e300}"#,
        ]);
        assert_eq!(roots.len(), 1);
        let f = &roots[0];
        assert_eq!(
            (f.id.as_str(), f.name.as_str(), f.origin.as_deref()),
            ("f", "web", Some("AWS::EC2::Instance"))
        );
        assert_eq!((f.start, f.end), (1_000_000, Some(2_000_000)));
        assert!(f.fault && !f.error && !f.throttle);
        assert_eq!(
            (f.http.method.as_deref(), f.http.status),
            (Some("GET"), Some(503))
        );
        let c = f.cause.as_ref().expect("cause");
        assert_eq!(c.working_directory.as_deref(), Some("/app"));
        assert_eq!(c.headline().as_deref(), Some("Panic: boom"));
        assert_eq!(c.exceptions[0].stack[0].line, Some(7));
        assert!(f.aws.is_empty() && f.annotations.is_empty() && f.metadata.is_none());
        let ids: Vec<&str> = f.children.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s"], "an id inside an unknown field is no segment");
    }

    /// A field of the wrong type reads as absent; the document is still read.
    #[test]
    fn fields_of_the_wrong_type_read_as_absent() {
        let roots = assemble([
            r#"{"id":"f","name":5,"origin":["AWS::Lambda"],"start_time":"soon","end_time":true,
            "error":"yes","fault":1,"in_progress":null,"http":"GET /","aws":[1],"annotations":[1],"cause":7,
            "subsegments":{"id":"x"},"metadata":{"kept":true}}"#,
        ]);
        assert_eq!(roots.len(), 1);
        let f = &roots[0];
        assert_eq!((f.name.as_str(), f.origin.as_deref()), ("", None));
        assert_eq!((f.start, f.end), (0, None));
        assert!(f.in_progress && !f.error && !f.fault);
        assert!(f.http.is_empty() && f.aws.is_empty() && f.annotations.is_empty());
        assert!(f.cause.is_none() && f.children.is_empty());
        assert_eq!(f.metadata, Some(serde_json::json!({"kept": true})));
    }

    /// A repeated key counts once, with its last value, as in `serde_json::Map`.
    #[test]
    fn repeated_keys_take_the_last_value() {
        let roots = assemble([
            r#"{"id":"a","name":"first","subsegments":[{"id":"lost"}],"name":"second",
            "id":"b","subsegments":[{"id":"kept"}],"aws":{"operation":"Get","operation":"Put"}}"#,
        ]);
        assert_eq!(roots.len(), 1);
        let s = &roots[0];
        assert_eq!((s.id.as_str(), s.name.as_str()), ("b", "second"));
        assert_eq!(s.operation.as_deref(), Some("Put"));
        assert_eq!(s.aws, [("operation".to_string(), "Put".to_string())]);
        let kids: Vec<(&str, Option<&str>)> = s
            .children
            .iter()
            .map(|c| (c.id.as_str(), c.parent_id.as_deref()))
            .collect();
        assert_eq!(kids, [("kept", Some("b"))]);
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
