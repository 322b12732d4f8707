//! X-Ray segment documents (the JSON strings inside BatchGetTraces' `Segments[].Document`) →
//! one [`Segment`] tree per root.
//!
//! Segments and their inline subsegments are indexed by id and linked by `parent_id`; a
//! segment's `parent_id` usually names a *subsegment* of another segment (API Gateway's
//! "Lambda" subsegment is the parent of the `AWS::Lambda` segment). Anything malformed is skipped,
//! never a panic: these documents come from other people's code.
//!
//! Documents are read in one pass, straight into segments: strings are borrowed from the
//! document until they become a field, and fields nobody reads are checked but not kept. A
//! field of the wrong type reads as absent, as it did when the documents were walked as
//! `serde_json::Value`s; a document is dropped only when it is not JSON at all, so exactly the
//! documents `serde_json::Value` accepts are read (every value goes through `deserialize_any`,
//! which checks what `Value` checks, nesting depth included).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::marker::PhantomData;

use compact_str::{CompactString, ToCompactString, format_compact};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Number, Value};

use crate::domain::{
    AnnotationValue, Cause, EpochUs, Exception, Http, Segment, StackFrame, us_from_epoch_seconds,
};

/// Guards against absurdly deep or cyclic documents: a tree is at most `MAX_DEPTH + 1` levels
/// deep. Subsegments nested deeper inside one document are dropped; segments linked deeper by
/// `parent_id` start trees of their own.
pub const MAX_DEPTH: usize = 64;

/// Builds the trees for one trace from its segment documents. Unparseable documents are skipped.
pub fn assemble<'a>(documents: impl IntoIterator<Item = &'a str>) -> Vec<Segment> {
    // Every segment and subsegment, each with its place in the documents; `parent_id` says
    // where each goes.
    let mut nodes = Nodes::default();
    for doc in documents {
        let mark = nodes.list.len();
        let mut de = serde_json::Deserializer::from_str(doc);
        let read = DocSeed {
            out: &mut nodes,
            inline: false,
            depth: 0,
        }
        .deserialize(&mut de)
        .and_then(|_| de.end());
        if read.is_err() {
            nodes.list.truncate(mark);
        }
    }
    link(nodes.list)
}

/// Visitor methods for the JSON types a visitor does not want: the value reads as the
/// default (nothing); arrays and objects are read through.
macro_rules! nothing_for {
    (scalars) => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (str) => {
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            skip_seq(seq).map(|()| Default::default())
        }
    };
    (map) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            skip_map(map).map(|()| Default::default())
        }
    };
    ($($kind:ident),+) => {
        $(nothing_for!($kind);)+
    };
}

/// Reads the rest of an array and drops it.
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<Skip>()?.is_some() {}
    Ok(())
}

/// Reads the rest of an object and drops it.
fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<Skip, Skip>()?.is_some() {}
    Ok(())
}

/// Any JSON value, checked and dropped. Unlike `IgnoredAny` it goes through `deserialize_any`,
/// so it rejects what `serde_json::Value` rejects (numbers out of range, lone surrogates, too
/// deep nesting) and a document is read or dropped as a whole exactly as before.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Skip, A::Error> {
                skip_seq(seq).map(|()| Skip)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Skip, A::Error> {
                skip_map(map).map(|()| Skip)
            }
        }
        d.deserialize_any(V)
    }
}

/// An object key, borrowed unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, borrowed where it can be: a field that should be a string, number or
/// boolean (a value of another type reads as absent), or `aws`, whose fields vary by service.
#[derive(Default)]
enum Json<'a> {
    #[default]
    Null,
    Bool(bool),
    Num(Number),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
                Ok(Json::Str(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
                Ok(Json::Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
                Ok(Json::Str(Cow::Owned(s)))
            }
            fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
                Ok(Json::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
                Ok(Json::Num(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
                Ok(Json::Num(n.into()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
                Ok(Number::from_f64(n).map_or(Json::Null, Json::Num))
            }
            fn visit_unit<E>(self) -> Result<Json<'de>, E> {
                Ok(Json::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element()? {
                    items.push(v);
                }
                Ok(Json::Arr(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some((Key(k), v)) = map.next_entry()? {
                    entries.push((k, v));
                }
                Ok(Json::Obj(last_wins(entries)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Compact JSON, byte for byte what `serde_json::Value` would print.
impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Num(n) => n.serialize(s),
            Json::Str(t) => s.serialize_str(t),
            Json::Arr(items) => s.collect_seq(items),
            Json::Obj(entries) => s.collect_map(entries.iter().map(|(k, v)| (k, v))),
        }
    }
}

impl<'a> Json<'a> {
    fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Json::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn text(&self) -> Option<CompactString> {
        match self {
            Json::Str(s) => Some(CompactString::from(&**s)),
            _ => None,
        }
    }
    /// A number, also when written as a string ("1.478293361271E9").
    fn number(&self) -> Option<f64> {
        match self {
            Json::Num(n) => n.as_f64(),
            Json::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|n: &f64| n.is_finite())
    }
    fn is_compound(&self) -> bool {
        matches!(self, Json::Arr(_) | Json::Obj(_))
    }
    /// As text: a string as it is, a scalar as JSON prints it, anything else compact JSON.
    fn plain(&self) -> CompactString {
        match self {
            Json::Str(s) => CompactString::from(&**s),
            // `Number`'s Display is its JSON (itoa and ryu, as the serializer writes it).
            Json::Num(n) => n.to_compact_string(),
            Json::Bool(b) => CompactString::const_new(if *b { "true" } else { "false" }),
            Json::Null => CompactString::const_new("null"),
            other => serde_json::to_string(other).unwrap_or_default().into(),
        }
    }
}

/// An object's entries as `serde_json::Map` keeps them: a repeated key keeps its first place
/// and its last value.
fn last_wins<T>(entries: Vec<(Cow<'_, str>, T)>) -> Vec<(Cow<'_, str>, T)> {
    let n = entries.len();
    let repeated = if n <= 16 {
        (1..n).any(|i| entries[..i].iter().any(|e| e.0 == entries[i].0))
    } else {
        let mut seen = HashSet::with_capacity(n);
        !entries.iter().all(|e| seen.insert(&e.0))
    };
    if !repeated {
        return entries;
    }
    let keep: Vec<usize> = {
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(n);
        for (i, e) in entries.iter().enumerate() {
            last.insert(&e.0, i);
        }
        let mut seen = HashSet::with_capacity(n);
        entries
            .iter()
            .filter(|e| seen.insert(&e.0))
            .filter_map(|e| last.get(&*e.0).copied())
            .collect()
    };
    let mut slots: Vec<Option<(Cow<'_, str>, T)>> = entries.into_iter().map(Some).collect();
    keep.into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

/// An object read field by field; keys it does not know are read through and dropped. A
/// repeated key overwrites, as in `serde_json::Map`.
trait Fields<'de>: Default {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// `Some` for an object, `None` for any other JSON value.
struct Obj<T>(Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Fields<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Fields<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            nothing_for!(scalars, str, seq);
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Obj<T>, A::Error> {
                let mut t = T::default();
                while let Some(Key(k)) = map.next_key()? {
                    t.field(&k, &mut map)?;
                }
                Ok(Obj(Some(t)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The objects of an array (anything else in it is dropped); empty for any other JSON value.
struct List<T>(Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Fields<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Fields<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            nothing_for!(scalars, str, map);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(Obj(item)) = seq.next_element::<Obj<T>>()? {
                    out.extend(item);
                }
                Ok(List(out))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A string field, borrowed unless it holds escapes; any other JSON value reads as absent.
#[derive(Default)]
struct Text<'a>(Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    fn owned<T: From<Cow<'a, str>>>(self) -> Option<T> {
        self.0.map(T::from)
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            nothing_for!(scalars, seq, map);
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(s))))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(s.to_owned()))))
            }
            fn visit_string<E>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(s))))
            }
        }
        d.deserialize_any(V)
    }
}

/// A finite number, also when written as a string ("1.478293361271E9"); any other JSON value
/// reads as absent.
#[derive(Default)]
struct Num(Option<f64>);

impl Num {
    fn get(self) -> Option<f64> {
        self.0.filter(|n| n.is_finite())
    }
    /// A count: a number that is not negative.
    fn count(self) -> Option<u64> {
        self.get().filter(|n| *n >= 0.0).map(|n| n as u64)
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            nothing_for!(seq, map);
            fn visit_bool<E>(self, _: bool) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_unit<E>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Num, E> {
                Ok(Num(Some(n as f64)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Num, E> {
                Ok(Num(Some(n as f64)))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Num, E> {
                Ok(Num(Some(n)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Num, E> {
                Ok(Num(s.trim().parse().ok()))
            }
        }
        d.deserialize_any(V)
    }
}

/// `true`; any other JSON value reads as `false`.
#[derive(Default)]
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            nothing_for!(str, seq, map);
            fn visit_bool<E>(self, b: bool) -> Result<Flag, E> {
                Ok(Flag(b))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_unit<E>(self) -> Result<Flag, E> {
                Ok(Flag(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// The current entry's value as a string.
fn text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Text<'de>, A::Error> {
    map.next_value()
}

/// The current entry's value as a number.
fn num<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Num, A::Error> {
    map.next_value()
}

/// The current entry's value as a flag.
fn flag<'de, A: MapAccess<'de>>(map: &mut A) -> Result<bool, A::Error> {
    map.next_value::<Flag>().map(|f| f.0)
}

/// The value of the current entry.
fn value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Json<'de>, A::Error> {
    map.next_value()
}

/// Reads the value of the current entry and drops it.
fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<Skip>().map(|_| ())
}

#[derive(Default)]
struct Request {
    method: Option<CompactString>,
    url: Option<CompactString>,
    user_agent: Option<CompactString>,
    client_ip: Option<CompactString>,
}

impl<'de> Fields<'de> for Request {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "method" => self.method = text(map)?.owned(),
            "url" => self.url = text(map)?.owned(),
            "user_agent" => self.user_agent = text(map)?.owned(),
            "client_ip" => self.client_ip = text(map)?.owned(),
            _ => skip(map)?,
        }
        Ok(())
    }
}

#[derive(Default)]
struct Response {
    status: Option<u16>,
    content_length: Option<u64>,
}

impl<'de> Fields<'de> for Response {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "status" => {
                self.status = num(map)?
                    .get()
                    .filter(|s| (0.0..=999.0).contains(s))
                    .map(|s| s as u16)
            }
            "content_length" => self.content_length = num(map)?.count(),
            _ => skip(map)?,
        }
        Ok(())
    }
}

#[derive(Default)]
struct HttpDoc {
    request: Option<Request>,
    response: Option<Response>,
}

impl<'de> Fields<'de> for HttpDoc {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "request" => self.request = map.next_value::<Obj<Request>>()?.0,
            "response" => self.response = map.next_value::<Obj<Response>>()?.0,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl From<HttpDoc> for Http {
    fn from(d: HttpDoc) -> Http {
        let req = d.request.unwrap_or_default();
        let resp = d.response.unwrap_or_default();
        Http {
            method: req.method,
            url: req.url,
            user_agent: req.user_agent,
            client_ip: req.client_ip,
            status: resp.status,
            content_length: resp.content_length,
        }
    }
}

impl<'de> Fields<'de> for StackFrame {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "path" => self.path = text(map)?.owned(),
            "line" => self.line = num(map)?.count(),
            "label" => self.label = text(map)?.owned(),
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl<'de> Fields<'de> for Exception {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "id" => self.id = text(map)?.owned(),
            "type" => self.kind = text(map)?.owned(),
            "message" => self.message = text(map)?.owned(),
            "remote" => self.remote = flag(map)?,
            "truncated" => self.truncated = num(map)?.count().unwrap_or(0),
            "skipped" => self.skipped = num(map)?.count().unwrap_or(0),
            "cause" => self.cause = text(map)?.owned(),
            "stack" => self.stack = map.next_value::<List<StackFrame>>()?.0,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl<'de> Fields<'de> for Cause {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "working_directory" => self.working_directory = text(map)?.owned(),
            "exceptions" => self.exceptions = map.next_value::<List<Exception>>()?.0,
            _ => skip(map)?,
        }
        Ok(())
    }
}

/// `cause` is either the id of an exception recorded elsewhere, or the exceptions themselves.
#[derive(Default)]
struct CauseDoc(Option<Cause>);

impl<'de> Deserialize<'de> for CauseDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CauseDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            nothing_for!(scalars, seq);
            fn visit_str<E>(self, id: &str) -> Result<CauseDoc, E> {
                Ok(CauseDoc(Some(Cause {
                    reference: Some(id.to_owned()),
                    ..Default::default()
                })))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CauseDoc, A::Error> {
                let mut cause = Cause::default();
                while let Some(Key(k)) = map.next_key()? {
                    cause.field(&k, &mut map)?;
                }
                Ok(CauseDoc(Some(cause)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Annotations: strings, numbers and booleans; values of other types are dropped.
fn annotations(v: Json<'_>) -> Vec<(String, AnnotationValue)> {
    let Json::Obj(entries) = v else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter_map(|(k, v)| {
            let value = match v {
                Json::Str(s) => AnnotationValue::Str(s.into_owned()),
                Json::Bool(b) => AnnotationValue::Bool(b),
                Json::Num(n) => AnnotationValue::Num(n.as_f64()?),
                _ => return None,
            };
            Some((k.into_owned(), value))
        })
        .collect()
}

/// The fields of one segment document, before it knows whether it has an id.
#[derive(Default)]
struct Doc<'a> {
    id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    origin: Option<Cow<'a, str>>,
    namespace: Option<Cow<'a, str>>,
    parent_id: Option<Cow<'a, str>>,
    resource_arn: Option<Cow<'a, str>>,
    start: Option<f64>,
    end: Option<f64>,
    in_progress: bool,
    error: bool,
    fault: bool,
    throttle: bool,
    inferred: bool,
    http: Http,
    aws: Json<'a>,
    annotations: Vec<(String, AnnotationValue)>,
    metadata: Option<Box<Value>>,
    cause: Option<Box<Cause>>,
}

impl<'de> Fields<'de> for Doc<'de> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "id" => self.id = text(map)?.0,
            "name" => self.name = text(map)?.0,
            "origin" => self.origin = text(map)?.0,
            "namespace" => self.namespace = text(map)?.0,
            "parent_id" => self.parent_id = text(map)?.0,
            "resource_arn" => self.resource_arn = text(map)?.0,
            "start_time" => self.start = num(map)?.get(),
            "end_time" => self.end = num(map)?.get(),
            "in_progress" => self.in_progress = flag(map)?,
            "error" => self.error = flag(map)?,
            "fault" => self.fault = flag(map)?,
            "throttle" => self.throttle = flag(map)?,
            "inferred" => self.inferred = flag(map)?,
            "http" => {
                self.http = map
                    .next_value::<Obj<HttpDoc>>()?
                    .0
                    .map(Http::from)
                    .unwrap_or_default()
            }
            "aws" => self.aws = map.next_value()?,
            "annotations" => self.annotations = annotations(value(map)?),
            "metadata" => {
                self.metadata = Some(map.next_value::<Value>()?)
                    .filter(|m| !m.is_null())
                    .map(Box::new)
            }
            "cause" => self.cause = map.next_value::<CauseDoc>()?.0.map(Box::new),
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Doc<'_> {
    /// The segment, if the document has an id. An inline subsegment's parent is the document
    /// it sits in, whatever it says: the caller sets it.
    fn segment(self, inline: bool) -> Option<Segment> {
        let id = CompactString::from(self.id.filter(|s| !s.is_empty())?);
        let in_progress = self.in_progress;
        let start = self.start.and_then(us_from_epoch_seconds);
        let end = self
            .end
            .and_then(us_from_epoch_seconds)
            .filter(|_| !in_progress);
        let aws = &self.aws;
        let resource = aws
            .get("table_name")
            .and_then(Json::text)
            .or_else(|| aws.get("queue_url").and_then(Json::text))
            .or_else(|| match aws.get("resource_names") {
                Some(Json::Arr(names)) => names.first().and_then(Json::text),
                _ => None,
            });
        let mut aws_fields = Vec::new();
        if let Json::Obj(entries) = aws {
            flatten_fields("", entries, &mut aws_fields, 0);
        }
        let own = |s: Option<Cow<'_, str>>| s.map(CompactString::from);
        Some(Segment {
            name: own(self.name).unwrap_or_default(),
            origin: own(self.origin),
            namespace: own(self.namespace),
            parent_id: if inline { None } else { own(self.parent_id) },
            start: start.or(end).unwrap_or(0),
            end: end.map(|e| e.max(start.unwrap_or(e))),
            in_progress: in_progress || end.is_none(),
            error: self.error,
            fault: self.fault,
            throttle: self.throttle,
            http: self.http,
            operation: aws.get("operation").and_then(Json::text),
            resource,
            request_id: aws.get("request_id").and_then(Json::text),
            retries: aws
                .get("retries")
                .and_then(Json::number)
                .filter(|n| *n >= 0.0)
                .map(|n| n as u64),
            aws: aws_fields,
            resource_arn: own(self.resource_arn),
            annotations: self.annotations,
            metadata: self.metadata,
            cause: self.cause,
            inferred: self.inferred,
            children: Vec::new(),
            id,
        })
    }
}

/// `aws` as `key = value` lines: nested objects become dotted keys, arrays of plain values a
/// comma-separated list, anything else compact JSON.
fn flatten_fields(
    prefix: &str,
    obj: &[(Cow<'_, str>, Json<'_>)],
    out: &mut Vec<(CompactString, CompactString)>,
    depth: usize,
) {
    for (k, v) in obj {
        let key = if prefix.is_empty() {
            CompactString::from(&**k)
        } else {
            format_compact!("{prefix}.{k}")
        };
        match v {
            Json::Obj(o) if depth < 4 => flatten_fields(&key, o, out, depth + 1),
            Json::Arr(a) if a.iter().all(|x| !x.is_compound()) => {
                let mut items = CompactString::default();
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        items.push_str(", ");
                    }
                    items.push_str(&x.plain());
                }
                out.push((key, items));
            }
            Json::Null => {}
            other => out.push((key, other.plain())),
        }
    }
}

/// The segments and subsegments read so far, each as it is finished (so a subsegment comes
/// before the segment it sits in), with its place in the documents (`seq`: the order objects
/// open in, which keeps siblings stable when start times tie).
#[derive(Default)]
struct Nodes {
    list: Vec<Node>,
    next_seq: usize,
}

struct Node {
    seq: usize,
    /// Taken when it is placed in a tree.
    seg: Option<Segment>,
}

/// Reads one segment document (or inline subsegment) into `out`, its subsegments before it.
/// Yields its index when it was a segment; anything else is read through and dropped.
struct DocSeed<'o> {
    out: &'o mut Nodes,
    inline: bool,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    nothing_for!(scalars, str, seq);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<usize>, A::Error> {
        if self.depth > MAX_DEPTH {
            return skip_map(map).map(|()| None);
        }
        // Its place comes before its subsegments', whichever order the keys come in.
        let seq = self.out.next_seq;
        self.out.next_seq += 1;
        let mark = self.out.list.len();
        let mut doc = Doc::default();
        let mut kids = Vec::new();
        while let Some(Key(k)) = map.next_key()? {
            if k == "subsegments" {
                // A repeated key overwrites: the earlier subsegments go.
                self.out.list.truncate(mark);
                kids = map.next_value_seed(Subsegments {
                    out: &mut *self.out,
                    depth: self.depth + 1,
                })?;
            } else {
                doc.field(&k, &mut map)?;
            }
        }
        let Some(seg) = doc.segment(self.inline) else {
            self.out.list.truncate(mark);
            return Ok(None);
        };
        for k in kids {
            if let Some(Node { seg: Some(kid), .. }) = self.out.list.get_mut(k) {
                kid.parent_id = Some(seg.id.clone());
            }
        }
        self.out.list.push(Node {
            seq,
            seg: Some(seg),
        });
        Ok(Some(self.out.list.len() - 1))
    }
}

/// `subsegments`: the indexes of those that were segments.
struct Subsegments<'o> {
    out: &'o mut Nodes,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Subsegments<'_> {
    type Value = Vec<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<usize>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Subsegments<'_> {
    type Value = Vec<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    nothing_for!(scalars, str, map);
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<usize>, A::Error> {
        let mut kids = Vec::new();
        while let Some(kid) = seq.next_element_seed(DocSeed {
            out: &mut *self.out,
            inline: true,
            depth: self.depth,
        })? {
            kids.extend(kid);
        }
        Ok(kids)
    }
}

/// Links nodes into trees: a node whose parent is unknown (or missing) is a root. Of nodes
/// sharing an id the first in the documents counts; the others are dropped.
fn link(mut nodes: Vec<Node>) -> Vec<Segment> {
    let n = nodes.len();
    let mut roots = Vec::new();
    // Children by parent: `kids[first[p]..first[p + 1]]`, in order of index for now.
    let mut parent: Vec<Option<usize>> = vec![None; n];
    // The nodes that are the first with their id; duplicates are dropped below.
    let mut canonical = vec![false; n];
    {
        let mut index: HashMap<&str, usize, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(n, Default::default());
        for (i, node) in nodes.iter().enumerate() {
            let Some(s) = &node.seg else { continue };
            index
                .entry(s.id.as_str())
                .and_modify(|j| {
                    if nodes.get(*j).is_some_and(|o| o.seq > node.seq) {
                        *j = i;
                    }
                })
                .or_insert(i);
        }
        for (i, node) in nodes.iter().enumerate() {
            let Some(s) = &node.seg else { continue };
            if index.get(s.id.as_str()) != Some(&i) {
                continue;
            }
            canonical[i] = true;
            match s
                .parent_id
                .as_deref()
                .and_then(|p| index.get(p))
                .filter(|&&p| p != i)
            {
                Some(&p) => parent[i] = Some(p),
                None => roots.push(i),
            }
        }
    }
    let mut first = vec![0usize; n + 1];
    for &p in parent.iter().flatten() {
        first[p + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut kids = vec![0usize; first[n]];
    {
        let mut next = first.clone();
        for (c, p) in parent.iter().enumerate() {
            if let Some(at) = p.and_then(|p| next.get_mut(p)) {
                kids[*at] = c;
                *at += 1;
            }
        }
    }
    // Each node's children by start time, then by place in the documents. Sorting indexes,
    // not segments: a segment is large and moving it is what costs.
    let key = |i: usize| {
        nodes.get(i).map_or((0, 0), |node| {
            (node.seg.as_ref().map_or(0, |s| s.start), node.seq)
        })
    };
    for w in first.windows(2) {
        if let Some(group) = kids.get_mut(w[0]..w[1]) {
            group.sort_unstable_by_key(|&c| key(c));
        }
    }
    let tree = Tree { first, kids };
    // Each tree in depth-first order, nodes marked with the parent they are placed under:
    // roots, then the first of each parent cycle (in the documents), which no root reaches;
    // nodes deeper than `MAX_DEPTH` wait for that second pass and start trees of their own.
    let mut placed = vec![false; n];
    let mut under: Vec<Option<usize>> = vec![None; n];
    let mut order = Vec::with_capacity(n);
    let mut tops = Vec::new();
    let mut todo: Vec<(usize, usize)> = Vec::new();
    let mut starts = roots;
    for pass in 0..2 {
        if pass == 1 {
            // What no root reached, first in the documents first (usually nothing).
            starts = (0..n).filter(|&i| canonical[i] && !placed[i]).collect();
            starts.sort_unstable_by_key(|&i| key(i).1);
        }
        for &r in &starts {
            if placed.get(r).copied().unwrap_or(true) {
                continue;
            }
            placed[r] = true;
            tops.push(r);
            todo.push((r, 0));
            while let Some((i, depth)) = todo.pop() {
                order.push(i);
                if depth >= MAX_DEPTH {
                    continue;
                }
                for &c in tree.children(i).iter().rev() {
                    if !placed[c] {
                        placed[c] = true;
                        under[c] = Some(i);
                        todo.push((c, depth + 1));
                    }
                }
            }
        }
    }
    // Bottom up: a node's subtree follows it in `order`, so its children are whole when it is
    // reached, and each segment moves once, into its parent's list.
    for &i in order.iter().rev() {
        let kids = tree.children(i);
        if kids.is_empty() {
            continue;
        }
        let children: Vec<Segment> = kids
            .iter()
            .filter(|&&c| under[c] == Some(i))
            .filter_map(|&c| nodes.get_mut(c).and_then(|node| node.seg.take()))
            .collect();
        if let Some(seg) = nodes.get_mut(i).and_then(|node| node.seg.as_mut()) {
            seg.children = children;
        }
    }
    let mut out: Vec<(EpochUs, usize, Segment)> = tops
        .into_iter()
        .filter_map(|r| {
            let node = nodes.get_mut(r)?;
            let seg = node.seg.take()?;
            Some((seg.start, node.seq, seg))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    out.into_iter().map(|(_, _, s)| s).collect()
}

/// Children by node, by start time: those of `i` are `kids[first[i]..first[i + 1]]`.
struct Tree {
    first: Vec<usize>,
    kids: Vec<usize>,
}

impl Tree {
    fn children(&self, i: usize) -> &[usize] {
        let (Some(&a), Some(&b)) = (self.first.get(i), self.first.get(i + 1)) else {
            return &[];
        };
        self.kids.get(a..b).unwrap_or(&[])
    }
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
                .contains(&("api_gateway.stage".into(), "dev".into()))
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

    /// Strings with escapes cannot be borrowed from the document: they are decoded, in every
    /// field, short ones and long ones alike, and link as their decoded text.
    #[test]
    fn escaped_strings_are_decoded() {
        let roots = assemble([
            r#"{"id":"p\u0031","name":"caf\u00e9 \"quoted\" \\ back\/slash","start_time":1,"end_time":2,
               "origin":"AWS::EC2::Instance","namespace":"remote",
               "http":{"request":{"method":"G\u0045T","url":"https://example.com/a\u0020very/long/path?q=\u00fcber","user_agent":"curl\/8"}},
               "aws":{"operation":"Put\u0049tem","table_name":"t\u00e4ble","request_id":"\u0052-1",
                      "nested":{"k\u0065y":"v\n"},"list":["a\tb","\ud83d\ude00"]},
               "annotations":{"n\u00e4me":"v\u00e4lue"},
               "cause":"\u0061bc"}"#,
            r#"{"id":"c\u0031","parent_id":"\u00701","name":"kid","start_time":1.5,"end_time":1.6}"#,
        ]);
        assert_eq!(roots.len(), 1);
        let p = &roots[0];
        assert_eq!(p.id, "p1");
        assert_eq!(p.name, "café \"quoted\" \\ back/slash");
        assert_eq!(p.http.method.as_deref(), Some("GET"));
        assert_eq!(
            p.http.url.as_deref(),
            Some("https://example.com/a very/long/path?q=über")
        );
        assert_eq!(p.http.user_agent.as_deref(), Some("curl/8"));
        assert_eq!(p.operation.as_deref(), Some("PutItem"));
        assert_eq!(p.resource.as_deref(), Some("täble"));
        assert_eq!(p.request_id.as_deref(), Some("R-1"));
        assert!(p.aws.contains(&("nested.key".into(), "v\n".into())));
        assert!(p.aws.contains(&("list".into(), "a\tb, 😀".into())));
        assert_eq!(
            p.annotations,
            [("näme".to_string(), AnnotationValue::Str("välue".into()))]
        );
        assert_eq!(
            p.cause.as_ref().and_then(|c| c.reference.as_deref()),
            Some("abc")
        );
        let kid = &p.children[0];
        assert_eq!(
            (kid.id.as_str(), kid.parent_id.as_deref()),
            ("c1", Some("p1"))
        );
        // A lone surrogate is not JSON `serde_json::Value` reads: the document goes, the others stay.
        let roots = assemble([
            r#"{"id":"bad","name":"\ud800"}"#,
            r#"{"id":"good","name":"ok"}"#,
        ]);
        let ids: Vec<&str> = roots.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["good"]);
    }

    /// A chain of segments linked by `parent_id` deeper than `MAX_DEPTH`: the first tree stops
    /// at `MAX_DEPTH + 1` levels and the rest starts a tree of its own; nothing is lost.
    #[test]
    fn chains_deeper_than_the_limit_start_new_trees() {
        let docs: Vec<String> = (0..MAX_DEPTH + 10)
            .map(|i| {
                let parent = if i == 0 {
                    String::new()
                } else {
                    format!(r#""parent_id":"s{}","#, i - 1)
                };
                format!(r#"{{"id":"s{i}",{parent}"start_time":{i},"end_time":1000}}"#)
            })
            .collect();
        let roots = assemble(docs.iter().map(String::as_str));
        let ids: Vec<&str> = roots.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s0", "s65"]);
        let depth = |mut s: &Segment| {
            let mut d = 1;
            while let Some(c) = s.children.first() {
                assert_eq!(s.children.len(), 1);
                s = c;
                d += 1;
            }
            d
        };
        assert_eq!(depth(&roots[0]), MAX_DEPTH + 1);
        assert_eq!(depth(&roots[1]), 9);
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
        assert_eq!(
            f.metadata.as_deref(),
            Some(&serde_json::json!({"kept": true}))
        );
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
        assert_eq!(s.aws, [("operation".into(), "Put".into())]);
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
