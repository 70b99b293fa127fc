//! ruamel's `Composer` (events to a node graph, with anchors) and `SafeConstructor` (nodes to
//! Python objects), with the AWS CLI's one change: mappings become `OrderedDict`s
//! (`awscli.customizations.eks.ordered_yaml._ordered_constructor`: `flatten_mapping`, then
//! `OrderedDict(construct_pairs(node))`).
//!
//! Python recurses here; this code does not (the composer keeps an explicit stack) or only
//! to a bounded depth, and it fails with Python's `RecursionError` text where the CLI does:
//! the depths are measured against AWS CLI v2.36.7 (see [`crate::limits`]).

use std::collections::{HashMap, HashSet};

use crate::error::{marked, problem, python, Fail, LoadError, Mark, Marked, Res, RECURSION};
use crate::int::{Int, MAX_STR_DIGITS};
use crate::limits;
use crate::parser::{Ev, Parser};
use crate::py::{float_repr, parse_float, str_repr};
use crate::resolver::{self, resolve_plain};
use crate::value::{days_in_month, Date, DateTime, Doc, Map, Obj, Value};

pub(crate) type NodeId = usize;

#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    Scalar(String),
    Seq(Vec<NodeId>),
    Map(Vec<(NodeId, NodeId)>),
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub tag: String,
    pub kind: NodeKind,
    pub start: Mark,
    /// `node.merge`, set by `flatten_mapping`.
    pub merge: Option<Vec<(NodeId, NodeId)>>,
    pub anchor: Option<String>,
}

impl Node {
    fn id(&self) -> &'static str {
        match self.kind {
            NodeKind::Scalar(_) => "scalar",
            NodeKind::Seq(_) => "sequence",
            NodeKind::Map(_) => "mapping",
        }
    }
}

/// A warning Python prints to stderr while loading (the CLI does not silence them):
/// `ReusedAnchorWarning` (an anchor defined twice) or `MantissaNoDotYAML1_1Warning` (a
/// float like `1e3` under `%YAML 1.1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorWarning {
    /// The warning's class name.
    pub category: &'static str,
    /// The warning's text (`str(warning)`).
    pub message: String,
    /// The ruamel source line Python prints under the warning.
    pub call: &'static str,
}

pub(crate) struct Composer {
    pub p: Parser,
    pub nodes: Vec<Node>,
    anchors: HashMap<String, NodeId>,
    pub warnings: Vec<AnchorWarning>,
    name: String,
}

enum Frame {
    Seq(NodeId),
    /// A mapping and, once read, the key waiting for its value.
    Map(NodeId, Option<NodeId>),
}

impl Composer {
    pub fn new(p: Parser, name: &str) -> Composer {
        Composer {
            p,
            nodes: Vec::new(),
            anchors: HashMap::new(),
            warnings: Vec::new(),
            name: name.to_string(),
        }
    }

    /// `Composer.get_single_node`.
    pub fn get_single_node(&mut self) -> Res<Option<NodeId>> {
        self.p.get_event()?; // StreamStart
        let mut document = None;
        if !matches!(self.p.peek_event()?.ev, Ev::StreamEnd) {
            document = Some(self.compose_document()?);
        }
        if !matches!(self.p.peek_event()?.ev, Ev::StreamEnd) {
            let e = self.p.get_event()?;
            let start = document.map(|d| self.nodes[d].start).unwrap_or_default();
            return Err(marked(
                "expected a single document in the stream",
                start,
                "but found another document",
                e.start,
            ));
        }
        self.p.get_event()?;
        Ok(document)
    }

    fn compose_document(&mut self) -> Res<NodeId> {
        self.anchors.clear();
        self.p.get_event()?; // DocumentStart
        let node = self.compose_node()?;
        self.p.get_event()?; // DocumentEnd
        Ok(node)
    }

    fn register_anchor(
        &mut self,
        anchor: Option<String>,
        start: Mark,
        node: NodeId,
        call: &'static str,
    ) {
        if let Some(a) = anchor {
            self.anchors.insert(a, node);
            let _ = (start, call);
        }
    }

    /// Python's duplicate-anchor check happens in `compose_node`, before the node is built.
    fn check_anchor(&mut self, anchor: &Option<String>, start: Mark, call: &'static str) {
        if let Some(a) = anchor {
            if let Some(&first) = self.anchors.get(a) {
                let first_mark = self.nodes[first].start;
                self.warnings.push(AnchorWarning {
                    category: "ReusedAnchorWarning",
                    message: format!(
                        "\nfound duplicate anchor {}\nfirst occurrence {}\nsecond occurrence {}",
                        str_repr(a),
                        crate::error::mark_str(&self.name, first_mark),
                        crate::error::mark_str(&self.name, start)
                    ),
                    call,
                });
            }
        }
    }

    /// `compose_node`, iteratively.
    fn compose_node(&mut self) -> Res<NodeId> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // Which compose_node call this is (for warnings).
            let call = match stack.last() {
                None => "node = self.compose_node(None, None)",
                Some(Frame::Seq(_)) => "node.value.append(self.compose_node(node, index))",
                Some(Frame::Map(_, None)) => "item_key = self.compose_node(node, None)",
                Some(Frame::Map(_, Some(_))) => "item_value = self.compose_node(node, item_key)",
            };
            let ev = self.p.get_event_if_alias_or_peek()?;
            let mut child = match ev {
                Some((name, start)) => match self.anchors.get(&name) {
                    Some(&n) => n,
                    None => {
                        return Err(problem(
                            format!("found undefined alias {}", str_repr(&name)),
                            start,
                        ))
                    }
                },
                None => {
                    let e = self.p.get_event()?;
                    let is_seq = matches!(e.ev, Ev::SequenceStart { .. });
                    match e.ev {
                        Ev::Scalar {
                            anchor,
                            tag,
                            implicit,
                            value,
                            ..
                        } => {
                            self.check_anchor(&anchor, e.start, call);
                            let tag = match tag {
                                Some(t) if t != "!" => t,
                                _ => {
                                    if implicit.0 {
                                        let v11 = self.p.s.processing_version().is_1_1();
                                        resolve_plain(&value, v11).to_string()
                                    } else {
                                        resolver::STR.to_string()
                                    }
                                }
                            };
                            self.nodes.push(Node {
                                tag,
                                kind: NodeKind::Scalar(value),
                                start: e.start,
                                merge: None,
                                anchor: anchor.clone(),
                            });
                            let id = self.nodes.len() - 1;
                            self.register_anchor(anchor, e.start, id, call);
                            id
                        }
                        Ev::SequenceStart { anchor, tag, flow }
                        | Ev::MappingStart { anchor, tag, flow } => {
                            self.check_anchor(&anchor, e.start, call);
                            let limit = if flow {
                                limits::COMPOSE_FLOW_DEPTH
                            } else {
                                limits::COMPOSE_BLOCK_DEPTH
                            };
                            if stack.len() + 1 > limit {
                                return Err(python(RECURSION));
                            }
                            let tag = match tag {
                                Some(t) if t != "!" => t,
                                _ => {
                                    (if is_seq { resolver::SEQ } else { resolver::MAP }).to_string()
                                }
                            };
                            self.nodes.push(Node {
                                tag,
                                kind: if is_seq {
                                    NodeKind::Seq(Vec::new())
                                } else {
                                    NodeKind::Map(Vec::new())
                                },
                                start: e.start,
                                merge: None,
                                anchor: anchor.clone(),
                            });
                            let id = self.nodes.len() - 1;
                            self.register_anchor(anchor, e.start, id, call);
                            stack.push(if is_seq {
                                Frame::Seq(id)
                            } else {
                                Frame::Map(id, None)
                            });
                            // Its children (or its end) come next.
                            match self.close_finished(&mut stack)? {
                                Some(done) => done,
                                None => continue,
                            }
                        }
                        _ => unreachable!("node event expected"),
                    }
                }
            };
            // Deliver `child` to its parent; close every collection that ends here.
            loop {
                match stack.last_mut() {
                    None => return Ok(child),
                    Some(Frame::Seq(id)) => {
                        let id = *id;
                        if let NodeKind::Seq(items) = &mut self.nodes[id].kind {
                            items.push(child);
                        }
                    }
                    Some(Frame::Map(id, key)) => match key.take() {
                        None => {
                            *key = Some(child);
                            break; // the value comes next, without an end check
                        }
                        Some(k) => {
                            let id = *id;
                            if let NodeKind::Map(pairs) = &mut self.nodes[id].kind {
                                pairs.push((k, child));
                            }
                        }
                    },
                }
                match self.close_finished(&mut stack)? {
                    Some(done) => child = done,
                    None => break,
                }
            }
        }
    }

    /// If the innermost open collection ends at the next event, consume the end event, pop
    /// it and return it.
    fn close_finished(&mut self, stack: &mut Vec<Frame>) -> Res<Option<NodeId>> {
        let ends = match stack.last() {
            Some(Frame::Seq(_)) => matches!(self.p.peek_event()?.ev, Ev::SequenceEnd),
            Some(Frame::Map(_, None)) => matches!(self.p.peek_event()?.ev, Ev::MappingEnd),
            _ => false,
        };
        if !ends {
            return Ok(None);
        }
        self.p.get_event()?;
        Ok(match stack.pop() {
            Some(Frame::Seq(id)) | Some(Frame::Map(id, _)) => Some(id),
            None => None,
        })
    }
}

impl Parser {
    /// `check_event(AliasEvent)` and, if so, `get_event()`: the alias name and mark.
    fn get_event_if_alias_or_peek(&mut self) -> Res<Option<(String, Mark)>> {
        if let Ev::Alias(_) = self.peek_event()?.ev {
            let e = self.get_event()?;
            if let Ev::Alias(name) = e.ev {
                return Ok(Some((name, e.start)));
            }
        }
        Ok(None)
    }
}

/// How deeply collections nest below `root` (each node counted once; aliases followed).
pub(crate) fn nesting(nodes: &[Node], root: NodeId) -> usize {
    let mut best = 0;
    let mut seen = vec![false; nodes.len()];
    let mut stack = vec![(root, 1usize)];
    while let Some((n, d)) = stack.pop() {
        if seen[n] {
            continue;
        }
        seen[n] = true;
        best = best.max(d);
        match &nodes[n].kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items.iter().map(|&c| (c, d + 1))),
            NodeKind::Map(pairs) => {
                for &(k, v) in pairs {
                    stack.push((k, d + 1));
                    stack.push((v, d + 1));
                }
            }
        }
    }
    best
}

/// A generator of the safe constructor, started (its empty container returned) but not run.
enum Gen {
    Seq(NodeId, Value),
    Set(NodeId, Value),
    Omap(NodeId, Value),
    Pairs(NodeId, Value),
}

pub(crate) struct Constructor<'a> {
    pub nodes: &'a mut Vec<Node>,
    pub doc: Doc,
    constructed: HashMap<NodeId, Value>,
    recursive: HashSet<NodeId>,
    gens: Vec<Gen>,
    deep: bool,
    /// Python frames in use by the recursion below the current generator run.
    frames: usize,
    next_nan: u32,
    /// Mapping entries produced by merges so far (bounded; see `limits`).
    merged: usize,
    yaml11: bool,
    pub warnings: Vec<AnchorWarning>,
}

const DUPKEY_URL: &str = "https://yaml.dev/doc/ruamel.yaml/api/#Duplicate_keys";

impl<'a> Constructor<'a> {
    pub fn new(nodes: &'a mut Vec<Node>, yaml11: bool) -> Constructor<'a> {
        Constructor {
            nodes,
            doc: Doc::new(),
            constructed: HashMap::new(),
            recursive: HashSet::new(),
            gens: Vec::new(),
            deep: false,
            frames: 0,
            next_nan: 1,
            merged: 0,
            yaml11,
            warnings: Vec::new(),
        }
    }

    /// `construct_document`.
    pub fn construct_document(&mut self, root: NodeId) -> Res<Value> {
        let data = self.construct_object(root, false)?;
        while !self.gens.is_empty() {
            let gens = std::mem::take(&mut self.gens);
            for g in gens {
                self.frames = 0;
                self.run_gen(g)?;
            }
        }
        Ok(data)
    }

    fn enter(&mut self, frames: usize) -> Res<()> {
        self.frames += frames;
        if self.frames > limits::CONSTRUCT_FRAMES {
            return Err(python(RECURSION));
        }
        Ok(())
    }

    fn construct_object(&mut self, node: NodeId, deep: bool) -> Res<Value> {
        if let Some(v) = self.constructed.get(&node) {
            return Ok(v.clone());
        }
        let old_deep = self.deep;
        if deep {
            self.deep = true;
        }
        if self.recursive.contains(&node) {
            // ruamel returns recursive_objects[node], which is None (and keeps deep set).
            return Ok(Value::Null);
        }
        self.recursive.insert(node);
        let saved = self.frames;
        self.enter(2)?;
        let data = self.construct_non_recursive_object(node)?;
        self.frames = saved;
        self.constructed.insert(node, data.clone());
        self.recursive.remove(&node);
        if deep {
            self.deep = old_deep;
        }
        Ok(data)
    }

    fn start_gen(&mut self, g: Gen, v: Value) -> Res<Value> {
        if self.deep {
            self.run_gen(g)?;
        } else {
            self.gens.push(g);
        }
        Ok(v)
    }

    fn construct_non_recursive_object(&mut self, node: NodeId) -> Res<Value> {
        let tag = self.nodes[node].tag.clone();
        match tag.as_str() {
            resolver::NULL => {
                self.construct_scalar(node)?;
                Ok(Value::Null)
            }
            resolver::BOOL => {
                let s = self.construct_scalar(node)?.to_lowercase();
                match s.as_str() {
                    "yes" | "y" | "true" | "on" => Ok(Value::Bool(true)),
                    "no" | "n" | "false" | "off" => Ok(Value::Bool(false)),
                    _ => Err(python(str_repr(&s))),
                }
            }
            resolver::INT => self.construct_yaml_int(node),
            resolver::FLOAT => self.construct_yaml_float(node),
            resolver::BINARY => self.construct_yaml_binary(node),
            resolver::TIMESTAMP => self.construct_yaml_timestamp(node),
            resolver::STR => Ok(Value::Str(self.construct_scalar(node)?)),
            resolver::SEQ => {
                let v = self.doc.add(Obj::Seq(Vec::new()));
                self.start_gen(Gen::Seq(node, v.clone()), v)
            }
            resolver::SET => {
                let v = self.doc.add(Obj::Set(Map::default()));
                self.start_gen(Gen::Set(node, v.clone()), v)
            }
            resolver::OMAP => {
                let v = self.doc.add(Obj::Omap(Map::default()));
                self.start_gen(Gen::Omap(node, v.clone()), v)
            }
            resolver::PAIRS => {
                let v = self.doc.add(Obj::Seq(Vec::new()));
                self.start_gen(Gen::Pairs(node, v.clone()), v)
            }
            resolver::MAP => self.ordered_mapping(node),
            _ => Err(problem(
                format!(
                    "could not determine a constructor for the tag {}",
                    str_repr(&tag)
                ),
                self.nodes[node].start,
            )),
        }
    }

    fn run_gen(&mut self, g: Gen) -> Res<()> {
        match g {
            Gen::Seq(node, v) => {
                let items = self.construct_sequence(node)?;
                if let Some(s) = self.doc.seq_mut(&v) {
                    s.extend(items);
                }
            }
            Gen::Set(node, v) => {
                let m = self.construct_mapping(node)?;
                let mut keys = Vec::new();
                for (k, _) in m.entries() {
                    keys.push(k.clone());
                }
                for k in keys {
                    let key = self.doc.key(&k).map_err(python)?;
                    if let Obj::Set(s) = self.doc.get_mut(v.obj().expect("obj")) {
                        s.insert_keyed(key, k, Value::Null);
                    }
                }
            }
            Gen::Omap(node, v) => self.construct_omap_or_pairs(node, v, true)?,
            Gen::Pairs(node, v) => self.construct_omap_or_pairs(node, v, false)?,
        }
        Ok(())
    }

    /// `SafeConstructor.construct_scalar`.
    fn construct_scalar(&mut self, node: NodeId) -> Res<String> {
        if let NodeKind::Map(pairs) = &self.nodes[node].kind {
            for &(k, v) in pairs.clone().iter() {
                if self.nodes[k].tag == resolver::VALUE {
                    return self.construct_scalar(v);
                }
            }
        }
        match &self.nodes[node].kind {
            NodeKind::Scalar(s) => Ok(s.clone()),
            _ => Err(problem(
                format!(
                    "expected a scalar node, but found {}",
                    self.nodes[node].id()
                ),
                self.nodes[node].start,
            )),
        }
    }

    fn construct_sequence(&mut self, node: NodeId) -> Res<Vec<Value>> {
        let NodeKind::Seq(items) = &self.nodes[node].kind else {
            return Err(problem(
                format!(
                    "expected a sequence node, but found {}",
                    self.nodes[node].id()
                ),
                self.nodes[node].start,
            ));
        };
        let items = items.clone();
        let mut out = Vec::with_capacity(items.len());
        self.enter(2)?;
        for child in items {
            let deep = false;
            out.push(self.construct_object(child, deep)?);
        }
        self.frames -= 2;
        Ok(out)
    }

    /// `SafeConstructor.flatten_mapping`: merge keys (`<<`) and value keys (`=`).
    fn flatten_mapping(&mut self, node: NodeId) -> Res<()> {
        let start = self.nodes[node].start;
        let value: Vec<(NodeId, NodeId)> = match &self.nodes[node].kind {
            NodeKind::Map(p) => p.clone(),
            NodeKind::Scalar(s) => {
                // Python iterates the str and unpacks each character into two names.
                if s.is_empty() {
                    return Ok(());
                }
                return Err(python("not enough values to unpack (expected 2, got 1)"));
            }
            NodeKind::Seq(items) => {
                if let Some(&first) = items.first() {
                    let kind = match self.nodes[first].kind {
                        NodeKind::Scalar(_) => "ScalarNode",
                        NodeKind::Seq(_) => "SequenceNode",
                        NodeKind::Map(_) => "MappingNode",
                    };
                    return Err(python(format!("cannot unpack non-iterable {kind} object")));
                }
                return Ok(());
            }
        };
        self.enter(1)?;
        let mut value = value;
        let mut merge: Vec<(NodeId, NodeId)> = Vec::new();
        let mut index = 0;
        while index < value.len() {
            let (key_node, value_node) = value[index];
            if self.nodes[key_node].tag == resolver::MERGE {
                if !merge.is_empty() {
                    let mut m = Marked::new(
                        Some("while constructing a mapping"),
                        Some(start),
                        "found duplicate merge key \"<<\"",
                        self.nodes[key_node].start,
                    );
                    m.note = Some(
                        "                        Duplicate merge keys are never allowed, not even when\n                        `.allow_duplicate_keys` is set to True\n                        "
                            .into(),
                    );
                    return Err(m.into());
                }
                value.remove(index);
                self.set_pairs(node, &value);
                match &self.nodes[value_node].kind {
                    NodeKind::Map(_) => {
                        self.flatten_mapping(value_node)?;
                        if let NodeKind::Map(p) = &self.nodes[value_node].kind {
                            merge.extend(p.iter().copied());
                        }
                    }
                    NodeKind::Seq(subs) => {
                        let subs = subs.clone();
                        let mut submerge = Vec::new();
                        for sub in subs {
                            if !matches!(self.nodes[sub].kind, NodeKind::Map(_)) {
                                return Err(marked(
                                    "while constructing a mapping",
                                    start,
                                    format!(
                                        "expected a mapping for merging, but found {}",
                                        self.nodes[sub].id()
                                    ),
                                    self.nodes[sub].start,
                                ));
                            }
                            self.flatten_mapping(sub)?;
                            if let NodeKind::Map(p) = &self.nodes[sub].kind {
                                submerge.push(p.clone());
                            }
                        }
                        for v in submerge.into_iter().rev() {
                            merge.extend(v);
                        }
                    }
                    NodeKind::Scalar(_) => {
                        return Err(marked(
                            "while constructing a mapping",
                            start,
                            "expected a mapping or list of mappings for merging, but found scalar",
                            self.nodes[value_node].start,
                        ));
                    }
                }
                self.merged += merge.len();
                if self.merged > limits::MERGED_ENTRIES {
                    return Err(Fail::Done(LoadError::Limit(format!(
                        "merge keys (<<) expand to more than {} entries",
                        limits::MERGED_ENTRIES
                    ))));
                }
                // The node's own list may have changed through an alias to itself.
                if let NodeKind::Map(p) = &self.nodes[node].kind {
                    value = p.clone();
                }
            } else if self.nodes[key_node].tag == resolver::VALUE {
                self.nodes[key_node].tag = resolver::STR.to_string();
                index += 1;
            } else {
                index += 1;
            }
        }
        if !merge.is_empty() {
            let mut all = merge.clone();
            all.extend(value.iter().copied());
            self.nodes[node].merge = Some(merge);
            self.set_pairs(node, &all);
        }
        self.frames -= 1;
        Ok(())
    }

    fn set_pairs(&mut self, node: NodeId, pairs: &[(NodeId, NodeId)]) {
        if let NodeKind::Map(p) = &mut self.nodes[node].kind {
            *p = pairs.to_vec();
        }
    }

    /// The CLI's `_ordered_constructor`.
    fn ordered_mapping(&mut self, node: NodeId) -> Res<Value> {
        self.enter(2)?;
        self.flatten_mapping(node)?;
        let NodeKind::Map(pairs) = &self.nodes[node].kind else {
            return Err(problem(
                format!(
                    "expected a mapping node, but found {}",
                    self.nodes[node].id()
                ),
                self.nodes[node].start,
            ));
        };
        let pairs = pairs.clone();
        let mut built = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let key = self.construct_object(k, false)?;
            let value = self.construct_object(v, false)?;
            built.push((key, value));
        }
        let mut map = Map::default();
        for (k, v) in built {
            let key = self.doc.key(&k).map_err(python)?;
            map.insert_keyed(key, k, v);
        }
        self.frames -= 2;
        Ok(self.doc.add(Obj::Map(map)))
    }

    /// `BaseConstructor.construct_mapping` (for `!!set`): keys built deep, lists become
    /// tuples, duplicates are errors.
    fn construct_mapping(&mut self, node: NodeId) -> Res<Map> {
        if matches!(self.nodes[node].kind, NodeKind::Map(_)) {
            self.flatten_mapping(node)?;
        }
        let NodeKind::Map(pairs) = &self.nodes[node].kind else {
            return Err(problem(
                format!(
                    "expected a mapping node, but found {}",
                    self.nodes[node].id()
                ),
                self.nodes[node].start,
            ));
        };
        let pairs = pairs.clone();
        let start = self.nodes[node].start;
        let todo: Vec<(Vec<(NodeId, NodeId)>, bool)> = match &self.nodes[node].merge {
            Some(m) => vec![(m.clone(), false), (pairs, false)],
            None => vec![(pairs, true)],
        };
        self.enter(3)?;
        let mut total = Map::default();
        for (values, check) in todo {
            let mut mapping = Map::default();
            for (key_node, value_node) in values {
                let mut key = self.construct_object(key_node, true)?;
                if let Some(items) = self.doc.seq(&key).cloned() {
                    key = self.doc.add(Obj::Tuple(items));
                }
                let unhashable = matches!(key, Value::Obj(id) if matches!(self.doc.get(id), Obj::Map(_) | Obj::Omap(_) | Obj::Dict(_) | Obj::Set(_) | Obj::Seq(_)));
                if unhashable {
                    return Err(marked(
                        "while constructing a mapping",
                        start,
                        "found unhashable key",
                        self.nodes[key_node].start,
                    ));
                }
                let value = self.construct_object(value_node, false)?;
                let hk = self.doc.key(&key).map_err(python)?;
                if check && mapping.contains(&hk) {
                    let original = mapping.get_keyed(&hk).cloned().unwrap_or(Value::Null);
                    let mut m = Marked::new(
                        Some("while constructing a mapping"),
                        Some(start),
                        format!(
                            "found duplicate key \"{}\" with value \"{}\" (original value: \"{}\")",
                            py_str(&self.doc, &key),
                            py_str(&self.doc, &value),
                            py_str(&self.doc, &original)
                        ),
                        self.nodes[key_node].start,
                    );
                    m.note = Some(format!(
                        "\n                    To suppress this check see:\n                        {DUPKEY_URL}\n                    "
                    ));
                    return Err(m.into());
                }
                if !check || !mapping.contains(&hk) {
                    mapping.insert_keyed(hk, key, value);
                }
            }
            for (k, v) in mapping.entries() {
                let hk = self.doc.key(k).map_err(python)?;
                total.insert_keyed(hk, k.clone(), v.clone());
            }
        }
        self.frames -= 3;
        Ok(total)
    }

    fn construct_omap_or_pairs(&mut self, node: NodeId, v: Value, omap: bool) -> Res<()> {
        let what = if omap {
            "while constructing an ordered map"
        } else {
            "while constructing pairs"
        };
        let start = self.nodes[node].start;
        let NodeKind::Seq(subs) = &self.nodes[node].kind else {
            return Err(marked(
                what,
                start,
                format!("expected a sequence, but found {}", self.nodes[node].id()),
                start,
            ));
        };
        for sub in subs.clone() {
            let NodeKind::Map(pairs) = &self.nodes[sub].kind else {
                return Err(marked(
                    what,
                    start,
                    format!(
                        "expected a mapping of length 1, but found {}",
                        self.nodes[sub].id()
                    ),
                    self.nodes[sub].start,
                ));
            };
            if pairs.len() != 1 {
                return Err(marked(
                    what,
                    start,
                    format!(
                        "expected a single mapping item, but found {} items",
                        pairs.len()
                    ),
                    self.nodes[sub].start,
                ));
            }
            let (k, vn) = pairs[0];
            let key = self.construct_object(k, false)?;
            if omap {
                let hk = self.doc.key(&key).map_err(python)?;
                if self.doc.map(&v).is_some_and(|m| m.contains(&hk)) {
                    return Err(python("")); // `assert key not in omap`
                }
                let value = self.construct_object(vn, false)?;
                if let Some(m) = self.doc.map_mut(&v) {
                    m.insert_keyed(hk, key, value);
                }
            } else {
                let value = self.construct_object(vn, false)?;
                let t = self.doc.add(Obj::Tuple(vec![key, value]));
                if let Some(s) = self.doc.seq_mut(&v) {
                    s.push(t);
                }
            }
        }
        Ok(())
    }

    fn construct_yaml_int(&mut self, node: NodeId) -> Res<Value> {
        let s = self.construct_scalar(node)?.replace('_', "");
        let mut chars = s.chars();
        let first = chars
            .next()
            .ok_or_else(|| python("string index out of range"))?;
        let neg = first == '-';
        let body: &str = if first == '+' || first == '-' {
            &s[1..]
        } else {
            &s
        };
        let v = if body == "0" {
            Int::zero()
        } else if let Some(d) = body.strip_prefix("0b") {
            py_int(d, 2)?
        } else if let Some(d) = body.strip_prefix("0x") {
            py_int(d, 16)?
        } else if let Some(d) = body.strip_prefix("0o") {
            py_int(d, 8)?
        } else if self.yaml11 && body.starts_with('0') {
            py_int(body, 8)?
        } else if self.yaml11 && body.is_empty() {
            return Err(python("string index out of range"));
        } else if self.yaml11 && body.contains(':') {
            let mut value = Int::zero();
            let mut parts = Vec::new();
            for part in body.split(':') {
                parts.push(py_int(part, 10)?);
            }
            // sum(digit * 60**i) over the reversed parts, small enough for i128 here.
            let mut acc: i128 = 0;
            for p in parts {
                let d: i128 = p
                    .to_decimal()
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| python("int too large"))?;
                acc = acc
                    .checked_mul(60)
                    .and_then(|a| a.checked_add(d))
                    .ok_or_else(|| python("int too large"))?;
            }
            if acc != 0 {
                value = Int::from_digits(&acc.unsigned_abs().to_string(), 10);
                if acc < 0 {
                    value = value.negate();
                }
            }
            value
        } else {
            py_int(body, 10)?
        };
        Ok(Value::Int(if neg { v.negate() } else { v }))
    }

    fn construct_yaml_float(&mut self, node: NodeId) -> Res<Value> {
        let so = self.construct_scalar(node)?;
        let s = so.replace('_', "").to_lowercase();
        let first = s
            .chars()
            .next()
            .ok_or_else(|| python("string index out of range"))?;
        let sign = if first == '-' { -1.0 } else { 1.0 };
        let body: &str = if first == '+' || first == '-' {
            &s[1..]
        } else {
            &s
        };
        if body == ".inf" {
            return Ok(Value::Float(sign * f64::INFINITY, 0));
        }
        if body == ".nan" {
            return Ok(Value::Float(f64::NAN, 0));
        }
        if self.yaml11 && body.contains(':') {
            let mut value = 0.0;
            for part in body.split(':') {
                let d = parse_float(part).ok_or_else(|| {
                    python(format!(
                        "could not convert string to float: {}",
                        str_repr(part)
                    ))
                })?;
                value = value * 60.0 + d;
            }
            return Ok(Value::Float(sign * value, 0));
        }
        if self.yaml11 && body.contains('e') {
            let parts: Vec<&str> = body.split('e').collect();
            if parts.len() != 2 {
                // Python 3.13 does not say how many there were.
                return Err(python("too many values to unpack (expected 2)".to_string()));
            }
            if !parts[0].contains('.') {
                let m = self.nodes[node].start;
                self.warnings.push(AnchorWarning {
                    category: "MantissaNoDotYAML1_1Warning",
                    message: format!(
                        "\nIn YAML 1.1 floating point values should have a dot ('.') in their mantissa.\nSee the Floating-Point Language-Independent Type for YAML\u{2122} Version 1.1 specification\n( http://yaml.org/type/float.html ). This dot is not required for JSON nor for YAML 1.2\n\nCorrect your float: \"{so}\" on line: {}, column: {}\n\nor alternatively include the following in your code:\n\n  import warnings\n  warnings.simplefilter('ignore', ruamel.yaml.error.MantissaNoDotYAML1_1Warning)\n\n",
                        m.line, m.column
                    ),
                    call: "value_s.replace('_', \"\").lower()",
                });
            }
        }
        let f = parse_float(body).ok_or_else(|| {
            python(format!(
                "could not convert string to float: {}",
                str_repr(body)
            ))
        })?;
        let id = if f.is_nan() {
            self.next_nan += 1;
            self.next_nan
        } else {
            0
        };
        Ok(Value::Float(sign * f, id))
    }

    fn construct_yaml_binary(&mut self, node: NodeId) -> Res<Value> {
        let s = self.construct_scalar(node)?;
        let start = self.nodes[node].start;
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
            let run = s.chars().skip(i).take_while(|c| !c.is_ascii()).count();
            let what = if run == 1 {
                let v = c as u32;
                let esc = if v < 0x100 {
                    format!("\\x{v:02x}")
                } else if v < 0x10000 {
                    format!("\\u{v:04x}")
                } else {
                    format!("\\U{v:08x}")
                };
                format!(
                    "'ascii' codec can't encode character '{esc}' in position {i}: ordinal not in range(128)"
                )
            } else {
                format!(
                    "'ascii' codec can't encode characters in position {i}-{}: ordinal not in range(128)",
                    i + run - 1
                )
            };
            return Err(problem(
                format!("failed to convert base64 data into ascii: {what}"),
                start,
            ));
        }
        match a2b_base64(s.as_bytes()) {
            Ok(b) => Ok(Value::Bytes(b)),
            Err(e) => Err(problem(format!("failed to decode base64 data: {e}"), start)),
        }
    }

    fn construct_yaml_timestamp(&mut self, node: NodeId) -> Res<Value> {
        let start = self.nodes[node].start;
        let text = match &self.nodes[node].kind {
            NodeKind::Scalar(s) => s.clone(),
            _ => {
                // `regexp.match(list)` raises TypeError: no match; the text is the list's repr.
                let mut active = Vec::new();
                let value = value_repr(self.nodes, node, &mut active);
                return Err(problem(
                    format!("failed to construct timestamp from \"{value}\""),
                    start,
                ));
            }
        };
        let Some(p) = resolver::timestamp_parts(&text) else {
            return Err(problem(
                format!("failed to construct timestamp from \"{text}\""),
                start,
            ));
        };
        let year: i64 = p.year.parse().unwrap_or(0);
        let month: i64 = p.month.parse().unwrap_or(0);
        let day: i64 = p.day.parse().unwrap_or(0);
        let Some(t) = p.time else {
            let d = make_date(year, month, day)?;
            return Ok(self.doc.add(Obj::Date(d)));
        };
        let hour: i64 = t.hour.parse().unwrap_or(0);
        let minute: i64 = t.minute.parse().unwrap_or(0);
        let second: i64 = t.second.parse().unwrap_or(0);
        let mut frac: i64 = 0;
        let mut fraction: i64 = 0;
        if let Some(f) = t.fraction.filter(|f| !f.is_empty()) {
            let mut fs: String = f.chars().take(6).collect();
            while fs.len() < 6 {
                fs.push('0');
            }
            frac = fs.parse().unwrap_or(0);
            if f.len() > 6 && f.as_bytes()[6] > b'4' {
                frac += 1;
            }
            fraction = if frac > 999_999 { 0 } else { frac };
        }
        let mut offset = None;
        let tz_name = t.tz.map(|(name, _)| name.to_string());
        if let Some((_, Some((sign, h, m)))) = t.tz {
            let secs = h.parse::<i64>().unwrap_or(0) * 3600
                + m.map(|m| m.parse::<i64>().unwrap_or(0)).unwrap_or(0) * 60;
            let secs = if sign == "-" { -secs } else { secs };
            if secs.abs() >= 86400 {
                return Err(python(format!(
                    "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not {}.",
                    timedelta_repr(secs)
                )));
            }
            offset = Some(secs as i32);
        } else if let Some(("Z", None)) = t.tz {
            offset = Some(0);
        }
        let date = make_date(year, month, day)?;
        if !(0..=23).contains(&hour) {
            return Err(python("hour must be in 0..23"));
        }
        if !(0..=59).contains(&minute) {
            return Err(python("minute must be in 0..59"));
        }
        if !(0..=59).contains(&second) {
            return Err(python("second must be in 0..59"));
        }
        let mut dt = DateTime {
            date,
            hour: hour as u32,
            minute: minute as u32,
            second: second as u32,
            micro: fraction as u32,
            offset,
            tz_name,
        };
        if frac > 999_999 {
            // `data -= -timedelta(seconds=1)`
            dt.second += 1;
            if dt.second == 60 {
                dt.second = 0;
                dt.minute += 1;
                if dt.minute == 60 {
                    dt.minute = 0;
                    dt.hour += 1;
                    if dt.hour == 24 {
                        dt.hour = 0;
                        dt.date = dt
                            .date
                            .succ()
                            .ok_or_else(|| python("date value out of range"))?;
                    }
                }
            }
        }
        Ok(self.doc.add(Obj::DateTime(dt)))
    }
}

/// Python's `repr(node)` (ruamel's `Node.__repr__`); lists being printed print as `[...]`.
fn node_repr(nodes: &[Node], n: NodeId, active: &mut Vec<NodeId>) -> String {
    let class = match nodes[n].kind {
        NodeKind::Scalar(_) => "ScalarNode",
        NodeKind::Seq(_) => "SequenceNode",
        NodeKind::Map(_) => "MappingNode",
    };
    let value = value_repr(nodes, n, active);
    let tag = str_repr(&nodes[n].tag);
    match &nodes[n].anchor {
        Some(a) => format!("{class}(tag={tag}, anchor={}, value={value})", str_repr(a)),
        None => format!("{class}(tag={tag}, value={value})"),
    }
}

/// `repr(node.value)`.
fn value_repr(nodes: &[Node], n: NodeId, active: &mut Vec<NodeId>) -> String {
    match &nodes[n].kind {
        NodeKind::Scalar(s) => str_repr(s),
        _ if active.contains(&n) => "[...]".into(),
        NodeKind::Seq(items) => {
            active.push(n);
            let parts: Vec<String> = items.iter().map(|&c| node_repr(nodes, c, active)).collect();
            active.pop();
            format!("[{}]", parts.join(", "))
        }
        NodeKind::Map(pairs) => {
            active.push(n);
            let parts: Vec<String> = pairs
                .iter()
                .map(|&(k, v)| {
                    format!(
                        "({}, {})",
                        node_repr(nodes, k, active),
                        node_repr(nodes, v, active)
                    )
                })
                .collect();
            active.pop();
            format!("[{}]", parts.join(", "))
        }
    }
}

fn make_date(year: i64, month: i64, day: i64) -> Res<Date> {
    if !(1..=9999).contains(&year) {
        return Err(python(format!("year {year} is out of range")));
    }
    if !(1..=12).contains(&month) {
        return Err(python("month must be in 1..12"));
    }
    if day < 1 || day > days_in_month(year as i32, month as u32) as i64 {
        return Err(python("day is out of range for month"));
    }
    Ok(Date {
        year: year as i32,
        month: month as u32,
        day: day as u32,
    })
}

/// `repr(datetime.timedelta(seconds=secs))`.
fn timedelta_repr(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rest = secs.rem_euclid(86400);
    let mut parts = Vec::new();
    if days != 0 {
        parts.push(format!("days={days}"));
    }
    if rest != 0 {
        parts.push(format!("seconds={rest}"));
    }
    if parts.is_empty() {
        "datetime.timedelta(0)".into()
    } else {
        format!("datetime.timedelta({})", parts.join(", "))
    }
}

/// Python's `int(s, base)` on what ruamel passes it: surrounding whitespace, a sign and (for
/// bases 2, 8, 16) the base's prefix are accepted; base 10 is limited to 4300 digits.
fn py_int(s: &str, base: u32) -> Res<Int> {
    let invalid = || {
        python(format!(
            "invalid literal for int() with base {base}: {}",
            str_repr(s)
        ))
    };
    let t = s.trim_matches(|c: char| c.is_whitespace());
    let (neg, mut body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let prefix = match base {
        2 => Some("0b"),
        8 => Some("0o"),
        16 => Some("0x"),
        _ => None,
    };
    if let Some(p) = prefix {
        if body.len() >= 2 && body[..2].eq_ignore_ascii_case(p) {
            body = &body[2..];
        }
    }
    if body.is_empty() || !body.chars().all(|c| c.is_digit(base)) {
        return Err(invalid());
    }
    if base == 10 && body.len() > MAX_STR_DIGITS {
        return Err(python(format!(
            "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
            body.len()
        )));
    }
    let v = Int::from_digits(body, base);
    Ok(if neg { v.negate() } else { v })
}

/// `binascii.a2b_base64(s)` (not strict): characters outside the alphabet are skipped.
pub(crate) fn a2b_base64(s: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut quad_pos = 0;
    let mut pads = 0;
    let mut leftchar: u32 = 0;
    for &c in s {
        if c == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        } as u32;
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                leftchar = v;
            }
            1 => {
                quad_pos = 2;
                out.push(((leftchar << 2) | (v >> 4)) as u8);
                leftchar = v & 0x0f;
            }
            2 => {
                quad_pos = 3;
                out.push(((leftchar << 4) | (v >> 2)) as u8);
                leftchar = v & 0x03;
            }
            _ => {
                quad_pos = 0;
                out.push(((leftchar << 6) | v) as u8);
                leftchar = 0;
            }
        }
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err(format!(
            "Invalid base64-encoded string: number of data characters ({}) cannot be 1 more than a multiple of 4",
            out.len() / 3 * 4 + 1
        )),
        _ => Err("Incorrect padding".into()),
    }
}

/// Python's `str()` of a value, for the duplicate-key message.
pub(crate) fn py_str(doc: &Doc, v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Obj(id) => match doc.get(*id) {
            Obj::Date(d) => d.iso(),
            Obj::DateTime(dt) => dt.iso(),
            _ => py_repr(doc, v),
        },
        other => py_repr(doc, other),
    }
}

/// Python's `repr()` of a value.
pub(crate) fn py_repr(doc: &Doc, v: &Value) -> String {
    let mut active = Vec::new();
    repr_inner(doc, v, &mut active)
}

fn repr_inner(doc: &Doc, v: &Value, active: &mut Vec<crate::value::ObjId>) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_decimal().unwrap_or_else(|| "<int>".into()),
        Value::Float(f, _) => float_repr(*f),
        Value::Str(s) => str_repr(s),
        Value::Bytes(b) => {
            let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
                '"'
            } else {
                '\''
            };
            let mut s = format!("b{quote}");
            for &c in b {
                match c {
                    b'\\' => s.push_str("\\\\"),
                    b'\t' => s.push_str("\\t"),
                    b'\n' => s.push_str("\\n"),
                    b'\r' => s.push_str("\\r"),
                    c if c as char == quote => {
                        s.push('\\');
                        s.push(quote);
                    }
                    0x20..=0x7e => s.push(c as char),
                    _ => s.push_str(&format!("\\x{c:02x}")),
                }
            }
            s.push(quote);
            s
        }
        Value::Obj(id) => {
            let obj = doc.get(*id);
            if matches!(obj, Obj::Date(_) | Obj::DateTime(_)) {
                return match obj {
                    Obj::Date(d) => format!("datetime.date({}, {}, {})", d.year, d.month, d.day),
                    Obj::DateTime(dt) => datetime_repr(dt),
                    _ => unreachable!(),
                };
            }
            if active.contains(id) {
                return match obj {
                    Obj::Seq(_) => "[...]".into(),
                    _ => "{...}".into(),
                };
            }
            active.push(*id);
            let items = |active: &mut Vec<_>, xs: &[Value]| -> Vec<String> {
                xs.iter().map(|x| repr_inner(doc, x, active)).collect()
            };
            let pairs = |active: &mut Vec<_>, m: &Map| -> String {
                m.entries()
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}: {}",
                            repr_inner(doc, k, active),
                            repr_inner(doc, v, active)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let out = match obj {
                Obj::Seq(xs) => format!("[{}]", items(active, xs).join(", ")),
                Obj::Tuple(xs) => {
                    let parts = items(active, xs);
                    if parts.len() == 1 {
                        format!("({},)", parts[0])
                    } else {
                        format!("({})", parts.join(", "))
                    }
                }
                Obj::Map(m) | Obj::Omap(m) => {
                    let class = if matches!(obj, Obj::Map(_)) {
                        "OrderedDict"
                    } else {
                        "ordereddict"
                    };
                    if m.is_empty() {
                        format!("{class}()")
                    } else {
                        format!("{class}({{{}}})", pairs(active, m))
                    }
                }
                Obj::Dict(m) => format!("{{{}}}", pairs(active, m)),
                Obj::Set(m) => {
                    if m.is_empty() {
                        "set()".into()
                    } else {
                        let keys: Vec<String> = m
                            .entries()
                            .iter()
                            .map(|(k, _)| repr_inner(doc, k, active))
                            .collect();
                        format!("{{{}}}", keys.join(", "))
                    }
                }
                Obj::Date(_) | Obj::DateTime(_) => unreachable!(),
            };
            active.pop();
            out
        }
    }
}

/// `repr(datetime)`: trailing zero fields left out, then the timezone.
fn datetime_repr(dt: &DateTime) -> String {
    let d = dt.date;
    let mut fields = vec![
        d.year.to_string(),
        d.month.to_string(),
        d.day.to_string(),
        dt.hour.to_string(),
        dt.minute.to_string(),
    ];
    if dt.second != 0 || dt.micro != 0 {
        fields.push(dt.second.to_string());
    }
    if dt.micro != 0 {
        fields.push(dt.micro.to_string());
    }
    let mut s = format!("datetime.datetime({}", fields.join(", "));
    if let Some(off) = dt.offset {
        let td = if off == 0 {
            "datetime.timedelta(0)".to_string()
        } else {
            timedelta_repr(off as i64)
        };
        match &dt.tz_name {
            Some(name) => s.push_str(&format!(
                ", tzinfo=datetime.timezone({td}, {})",
                str_repr(name)
            )),
            None => s.push_str(&format!(", tzinfo=datetime.timezone({td})")),
        }
    }
    s.push(')');
    s
}
