//! ruamel's `SafeRepresenter` (objects to nodes; the CLI's `_ordered_representer` writes an
//! `OrderedDict` in its own order) and `Serializer` (nodes to events, with `&idNNN` anchors
//! for nodes reached twice).

use std::collections::HashMap;

use crate::emitter::{Event, ScalarStyle};
use crate::int::MAX_STR_DIGITS;
use crate::py::float_repr;
use crate::resolver;
use crate::value::{Doc, Key, Map, Obj, ObjId, Value};

/// Why a value could not be dumped: the Python exception's text (the CLI prints it as
/// `aws: [ERROR]: <text>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpError(pub String);

impl std::fmt::Display for DumpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DumpError {}

type NodeId = usize;

enum RKind {
    Scalar {
        value: String,
        style: Option<ScalarStyle>,
    },
    Seq(Vec<NodeId>),
    Map(Vec<(NodeId, NodeId)>),
}

struct RNode {
    tag: &'static str,
    kind: RKind,
}

struct Representer<'a> {
    doc: &'a Doc,
    /// Python frames allowed (see `limits::REPRESENT_FRAMES`).
    limit: usize,
    nodes: Vec<RNode>,
    represented: HashMap<ObjId, NodeId>,
    frames: usize,
}

/// Turn `root` into the serializer's events (StreamStart … StreamEnd).
pub fn events(doc: &Doc, root: &Value, limit: usize) -> Result<Vec<Event>, DumpError> {
    let mut r = Representer {
        doc,
        limit,
        nodes: Vec::new(),
        represented: HashMap::new(),
        frames: 0,
    };
    let top = r.represent(root)?;
    let mut s = Serializer {
        nodes: &r.nodes,
        anchors: HashMap::new(),
        last_anchor: 0,
        serialized: vec![false; r.nodes.len()],
        events: vec![Event::StreamStart, Event::DocumentStart],
    };
    s.anchor_node(top);
    s.serialize_node(top);
    s.events.push(Event::DocumentEnd);
    s.events.push(Event::StreamEnd);
    Ok(s.events)
}

fn recursion() -> DumpError {
    DumpError(crate::error::RECURSION.into())
}

impl Representer<'_> {
    fn enter(&mut self, n: usize) -> Result<(), DumpError> {
        self.frames += n;
        if self.frames > self.limit {
            return Err(recursion());
        }
        Ok(())
    }

    fn scalar(&mut self, tag: &'static str, value: String, style: Option<ScalarStyle>) -> NodeId {
        self.nodes.push(RNode {
            tag,
            kind: RKind::Scalar { value, style },
        });
        self.nodes.len() - 1
    }

    fn represent(&mut self, v: &Value) -> Result<NodeId, DumpError> {
        let saved = self.frames;
        let r = self.represent_inner(v);
        self.frames = saved;
        r
    }

    fn represent_inner(&mut self, v: &Value) -> Result<NodeId, DumpError> {
        self.enter(3)?;
        Ok(match v {
            Value::Null => self.scalar(resolver::NULL, "null".into(), None),
            Value::Bool(b) => self.scalar(resolver::BOOL, b.to_string(), None),
            Value::Int(i) => {
                let text = i.to_decimal().ok_or_else(|| {
                    DumpError(format!(
                        "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
                    ))
                })?;
                self.scalar(resolver::INT, text, None)
            }
            Value::Float(f, _) => self.scalar(resolver::FLOAT, float_text(*f), None),
            Value::Str(s) => self.scalar(resolver::STR, s.clone(), None),
            Value::Bytes(b) => {
                self.scalar(resolver::BINARY, encodebytes(b), Some(ScalarStyle::Literal))
            }
            Value::Obj(id) => {
                if let Some(&n) = self.represented.get(id) {
                    return Ok(n);
                }
                match self.doc.get(*id) {
                    Obj::Date(d) => {
                        let n = self.scalar(resolver::TIMESTAMP, d.iso(), None);
                        self.represented.insert(*id, n);
                        n
                    }
                    Obj::DateTime(dt) => {
                        let n = self.scalar(resolver::TIMESTAMP, dt.iso(), None);
                        self.represented.insert(*id, n);
                        n
                    }
                    Obj::Seq(items) | Obj::Tuple(items) => {
                        let n = self.collection(resolver::SEQ, RKind::Seq(Vec::new()), *id);
                        let mut out = Vec::with_capacity(items.len());
                        for it in items {
                            out.push(self.represent(it)?);
                        }
                        self.nodes[n].kind = RKind::Seq(out);
                        n
                    }
                    Obj::Map(m) => {
                        let n = self.collection(resolver::MAP, RKind::Map(Vec::new()), *id);
                        let pairs = self.pairs(m.entries().to_vec())?;
                        self.nodes[n].kind = RKind::Map(pairs);
                        n
                    }
                    Obj::Dict(m) => {
                        let n = self.collection(resolver::MAP, RKind::Map(Vec::new()), *id);
                        let sorted = sorted_entries(self.doc, m);
                        let pairs = self.pairs(sorted)?;
                        self.nodes[n].kind = RKind::Map(pairs);
                        n
                    }
                    Obj::Set(m) => {
                        self.enter(1)?;
                        let n = self.collection(resolver::SET, RKind::Map(Vec::new()), *id);
                        let entries: Vec<(Value, Value)> = m
                            .entries()
                            .iter()
                            .map(|(k, _)| (k.clone(), Value::Null))
                            .collect();
                        let tmp = Map::from_entries(self.doc, entries);
                        let sorted = sorted_entries(self.doc, &tmp);
                        let pairs = self.pairs(sorted)?;
                        self.nodes[n].kind = RKind::Map(pairs);
                        n
                    }
                    Obj::Omap(m) => {
                        // represent_omap: each item as a one-entry dict.
                        let n = self.collection(resolver::OMAP, RKind::Seq(Vec::new()), *id);
                        let mut items = Vec::with_capacity(m.len());
                        for (k, v) in m.entries() {
                            self.enter(3)?;
                            let item = self.collection_anon(resolver::MAP);
                            let pairs = self.pairs(vec![(k.clone(), v.clone())])?;
                            self.nodes[item].kind = RKind::Map(pairs);
                            self.frames -= 3;
                            items.push(item);
                        }
                        self.nodes[n].kind = RKind::Seq(items);
                        n
                    }
                }
            }
        })
    }

    fn collection(&mut self, tag: &'static str, kind: RKind, id: ObjId) -> NodeId {
        self.nodes.push(RNode { tag, kind });
        let n = self.nodes.len() - 1;
        self.represented.insert(id, n);
        n
    }

    fn collection_anon(&mut self, tag: &'static str) -> NodeId {
        self.nodes.push(RNode {
            tag,
            kind: RKind::Map(Vec::new()),
        });
        self.nodes.len() - 1
    }

    fn pairs(&mut self, entries: Vec<(Value, Value)>) -> Result<Vec<(NodeId, NodeId)>, DumpError> {
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            self.enter(1)?; // represent_key
            let kn = self.represent(&k)?;
            self.frames -= 1;
            let vn = self.represent(&v)?;
            out.push((kn, vn));
        }
        Ok(out)
    }
}

impl Map {
    pub(crate) fn from_entries(doc: &Doc, entries: Vec<(Value, Value)>) -> Map {
        let mut m = Map::default();
        for (k, v) in entries {
            if let Ok(key) = doc.key(&k) {
                m.insert_keyed(key, k, v);
            }
        }
        m
    }
}

/// `sorted(mapping.items())` where Python can compare every pair of keys; otherwise the
/// dict's own order (Python's would be its hash order, which varies between runs).
fn sorted_entries(doc: &Doc, m: &Map) -> Vec<(Value, Value)> {
    let mut entries: Vec<(Value, Value)> = m.entries().to_vec();
    let keys: Vec<Option<Key>> = entries.iter().map(|(k, _)| doc.key(k).ok()).collect();
    let comparable = keys.windows(2).all(|w| match (&w[0], &w[1]) {
        (Some(a), Some(b)) => py_cmp(a, b).is_some(),
        _ => false,
    }) && keys.iter().all(|k| k.is_some());
    if !comparable || entries.len() < 2 {
        return entries;
    }
    let mut idx: Vec<usize> = (0..entries.len()).collect();
    idx.sort_by(|&a, &b| {
        py_cmp(
            keys[a].as_ref().expect("key"),
            keys[b].as_ref().expect("key"),
        )
        .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut taken: Vec<Option<(Value, Value)>> = entries.drain(..).map(Some).collect();
    idx.into_iter()
        .map(|i| taken[i].take().expect("entry"))
        .collect()
}

/// Python's `<` between two keys, `None` where it raises `TypeError`.
fn py_cmp(a: &Key, b: &Key) -> Option<std::cmp::Ordering> {
    use Key::*;
    match (a, b) {
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (Bytes(x), Bytes(y)) => Some(x.cmp(y)),
        (Int(x), Int(y)) => Some(x.cmp_int(y)),
        (Int(x), Float(y)) => x.approx_f64().partial_cmp(&f64::from_bits(*y)),
        (Float(x), Int(y)) => f64::from_bits(*x).partial_cmp(&y.approx_f64()),
        (Float(x), Float(y)) => f64::from_bits(*x).partial_cmp(&f64::from_bits(*y)),
        (Date(x), Date(y)) => Some((x.year, x.month, x.day).cmp(&(y.year, y.month, y.day))),
        (Naive(x), Naive(y)) | (Aware(x), Aware(y)) => Some(x.cmp(y)),
        (Tuple(x), Tuple(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                if p != q {
                    return py_cmp(p, q);
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => Option::None,
    }
}

/// `SafeRepresenter.represent_float`.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f == f64::INFINITY {
        ".inf".into()
    } else if f == f64::NEG_INFINITY {
        "-.inf".into()
    } else {
        float_repr(f).to_lowercase()
    }
}

/// `base64.encodebytes(b).decode('ascii')`: 76 characters a line, each line ending in `\n`.
fn encodebytes(b: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in b.chunks(57) {
        for triple in chunk.chunks(3) {
            let n = triple.len();
            let v = (triple[0] as u32) << 16
                | (*triple.get(1).unwrap_or(&0) as u32) << 8
                | *triple.get(2).unwrap_or(&0) as u32;
            out.push(ALPHABET[(v >> 18) as usize & 63] as char);
            out.push(ALPHABET[(v >> 12) as usize & 63] as char);
            out.push(if n > 1 {
                ALPHABET[(v >> 6) as usize & 63] as char
            } else {
                '='
            });
            out.push(if n > 2 {
                ALPHABET[v as usize & 63] as char
            } else {
                '='
            });
        }
        out.push('\n');
    }
    out
}

struct Serializer<'a> {
    nodes: &'a [RNode],
    anchors: HashMap<NodeId, Option<String>>,
    last_anchor: usize,
    serialized: Vec<bool>,
    events: Vec<Event>,
}

impl Serializer<'_> {
    /// `anchor_node`: a node met a second time gets the next `idNNN`.
    fn anchor_node(&mut self, node: NodeId) {
        // Iterative depth-first walk in Python's order.
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if let Some(a) = self.anchors.get_mut(&n) {
                if a.is_none() {
                    self.last_anchor += 1;
                    *a = Some(format!("id{:03}", self.last_anchor));
                }
                continue;
            }
            self.anchors.insert(n, None);
            match &self.nodes[n].kind {
                RKind::Scalar { .. } => {}
                RKind::Seq(items) => stack.extend(items.iter().rev()),
                RKind::Map(pairs) => {
                    for &(k, v) in pairs.iter().rev() {
                        stack.push(v);
                        stack.push(k);
                    }
                }
            }
        }
    }

    fn serialize_node(&mut self, node: NodeId) {
        enum Step {
            Node(NodeId),
            End(bool),
        }
        let mut stack = vec![Step::Node(node)];
        while let Some(step) = stack.pop() {
            let n = match step {
                Step::End(seq) => {
                    self.events.push(if seq {
                        Event::SequenceEnd
                    } else {
                        Event::MappingEnd
                    });
                    continue;
                }
                Step::Node(n) => n,
            };
            let alias = self.anchors.get(&n).cloned().flatten();
            if self.serialized[n] {
                self.events.push(Event::Alias(alias.unwrap_or_default()));
                continue;
            }
            self.serialized[n] = true;
            let tag = self.nodes[n].tag;
            match &self.nodes[n].kind {
                RKind::Scalar { value, style } => {
                    self.events
                        .push(Event::scalar(alias, tag, value.clone(), *style));
                }
                RKind::Seq(items) => {
                    self.events.push(Event::SequenceStart {
                        anchor: alias,
                        tag: tag.to_string(),
                        implicit: tag == resolver::SEQ,
                        flow: false,
                    });
                    stack.push(Step::End(true));
                    for &it in items.iter().rev() {
                        stack.push(Step::Node(it));
                    }
                }
                RKind::Map(pairs) => {
                    self.events.push(Event::MappingStart {
                        anchor: alias,
                        tag: tag.to_string(),
                        implicit: tag == resolver::MAP,
                        flow: false,
                        nr_items: pairs.len(),
                    });
                    stack.push(Step::End(false));
                    for &(k, v) in pairs.iter().rev() {
                        stack.push(Step::Node(v));
                        stack.push(Step::Node(k));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lines() {
        assert_eq!(encodebytes(b"hello"), "aGVsbG8=\n");
        assert_eq!(encodebytes(b""), "");
        assert_eq!(encodebytes(&[0u8; 58]).lines().count(), 2);
    }
}
