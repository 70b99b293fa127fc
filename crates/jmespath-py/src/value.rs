//! The values a JMESPath expression works on, modelled on the Python objects that
//! python-jmespath manipulates (the AWS CLI hands it `json.loads` output):
//!
//! * numbers keep Python's int/float distinction (`int` is arbitrary precision in Python;
//!   here an `i128`, which covers every JSON integer serde_json can hold and their sums);
//! * objects keep insertion order with Python `dict` semantics (re-assigning a key keeps
//!   its position);
//! * an expression reference (`&expr`) is a first-class value, as python-jmespath's
//!   `_Expression` object is: it can sit in a list, be compared (by identity) or reach the
//!   output.
//!
//! Equality and ordering follow Python's `==` and `<` on these objects, which is what
//! python-jmespath uses (with its own special cases layered on top in the interpreter).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::Node;
use crate::limits::RECURSION_ERROR;

/// What evaluating a node gives: a value, or the message of the Python exception.
pub(crate) type EvalResult = Result<Val, String>;

/// Evaluates a node at an absolute Python stack depth: what an expression reference needs
/// from the interpreter (the functions module applies them without depending on it).
pub(crate) trait Visit {
    fn visit_at(&mut self, node: &Node, value: &Val, depth: usize) -> EvalResult;
}

/// A value during evaluation. Cheap to clone: containers and strings are shared.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(Arc<str>),
    Array(Arc<Vec<Val>>),
    Object(Arc<Obj>),
    Expref(Expref),
}

/// python-jmespath's `_Expression`: the expression to apply later, plus an identity
/// (Python compares these objects by identity; every evaluation of `&x` makes a new one).
#[derive(Clone, Debug)]
pub(crate) struct Expref {
    pub node: Arc<Node>,
    pub id: u64,
}

/// An insertion-ordered map with Python `dict` semantics.
#[derive(Clone, Debug, Default)]
pub(crate) struct Obj {
    entries: Vec<(Arc<str>, Val)>,
    index: HashMap<Arc<str>, usize>,
}

impl Obj {
    pub fn new() -> Obj {
        Obj::default()
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }

    /// `d[key] = value`: a new key goes to the end, an existing one keeps its place.
    pub fn insert(&mut self, key: Arc<str>, value: Val) {
        match self.index.get(&key) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Val)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Arc<str>> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Val> {
        self.entries.iter().map(|(_, v)| v)
    }
}

/// A Python number (bool excluded), for arithmetic and comparisons.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

impl Val {
    pub fn str(s: &str) -> Val {
        Val::Str(Arc::from(s))
    }

    pub fn array(items: Vec<Val>) -> Val {
        Val::Array(Arc::new(items))
    }

    pub fn object(obj: Obj) -> Val {
        Val::Object(Arc::new(obj))
    }

    /// `type(v).__name__` in Python.
    pub fn py_type_name(&self) -> &'static str {
        match self {
            Val::Null => "NoneType",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Float(_) => "float",
            Val::Str(_) => "str",
            Val::Array(_) => "list",
            Val::Object(_) => "dict",
            Val::Expref(_) => "_Expression",
        }
    }

    /// The JMESPath type name python-jmespath derives from the Python type (TYPES_MAP).
    pub fn jmespath_type(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Int(_) | Val::Float(_) => "number",
            Val::Str(_) => "string",
            Val::Array(_) => "array",
            Val::Object(_) => "object",
            Val::Expref(_) => "expref",
        }
    }

    /// A number in the jmespath sense (`_is_actual_number`: bools are not numbers).
    pub fn as_num(&self) -> Option<Num> {
        match *self {
            Val::Int(i) => Some(Num::Int(i)),
            Val::Float(f) => Some(Num::Float(f)),
            _ => None,
        }
    }

    /// A number in the Python sense, where `True == 1` (used inside containers).
    fn as_py_num(&self) -> Option<Num> {
        match *self {
            Val::Bool(b) => Some(Num::Int(b as i128)),
            _ => self.as_num(),
        }
    }

    /// python-jmespath's `_is_false`: `''`, `[]`, `{}`, `None` and `False`.
    /// (0 is true in JMESPath.)
    pub fn is_false(&self) -> bool {
        match self {
            Val::Null | Val::Bool(false) => true,
            Val::Str(s) => s.is_empty(),
            Val::Array(a) => a.is_empty(),
            Val::Object(o) => o.is_empty(),
            _ => false,
        }
    }

    pub fn from_num(n: Num) -> Val {
        match n {
            Num::Int(i) => Val::Int(i),
            Num::Float(f) => Val::Float(f),
        }
    }
}

/// Python's `a == b` for these objects (so `[1] == [True]` and `1 == 1.0` hold).
pub(crate) fn py_eq(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Array(x), Val::Array(y)) => {
            Arc::ptr_eq(x, y)
                || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| py_eq(p, q)))
        }
        (Val::Object(x), Val::Object(y)) => {
            Arc::ptr_eq(x, y)
                || (x.len() == y.len()
                    && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w))))
        }
        // `_Expression` has no __eq__: identity.
        (Val::Expref(x), Val::Expref(y)) => x.id == y.id,
        _ => match (a.as_py_num(), b.as_py_num()) {
            (Some(x), Some(y)) => num_eq(x, y),
            _ => false,
        },
    }
}

/// Exact comparison of Python numbers (Python never rounds an int to compare it with a
/// float). `None` when a NaN is involved.
pub(crate) fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => int_float_cmp(x, y),
        (Num::Float(x), Num::Int(y)) => int_float_cmp(y, x).map(Ordering::reverse),
    }
}

pub(crate) fn num_eq(a: Num, b: Num) -> bool {
    num_cmp(a, b) == Some(Ordering::Equal)
}

fn int_float_cmp(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^127 as f64 is exact; anything at or beyond it is out of i128's range.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let floor = f.floor();
    // In range, so the conversion is exact.
    let fi = floor as i128;
    match i.cmp(&fi) {
        Ordering::Equal if f > floor => Some(Ordering::Less),
        other => Some(other),
    }
}

/// The order Python's `sorted()` / `min()` / `max()` use for two values that
/// python-jmespath has already checked to be both numbers or both strings.
/// `Err` carries the operands' Python type names when Python would raise TypeError.
pub(crate) fn py_order(a: &Val, b: &Val) -> Result<Option<Ordering>, (&'static str, &'static str)> {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => Ok(Some(x.as_ref().cmp(y.as_ref()))),
        _ => match (a.as_py_num(), b.as_py_num()) {
            (Some(x), Some(y)) => Ok(num_cmp(x, y)),
            _ => Err((a.py_type_name(), b.py_type_name())),
        },
    }
}

/// Python's `a < b` (and friends) with the TypeError text Python gives for mixed types.
pub(crate) fn py_compare(op: &str, a: &Val, b: &Val) -> Result<bool, String> {
    match py_order(a, b) {
        Ok(ord) => Ok(match (op, ord) {
            (_, None) => false,
            ("<", Some(o)) => o == Ordering::Less,
            ("<=", Some(o)) => o != Ordering::Greater,
            (">", Some(o)) => o == Ordering::Greater,
            (_, Some(o)) => o != Ordering::Less,
        }),
        Err((ta, tb)) => Err(format!(
            "'{op}' not supported between instances of '{ta}' and '{tb}'"
        )),
    }
}

/// Nesting deeper than this is refused when converting a document or a literal into values
/// (Python gives up near here too, and it keeps every recursive walk of a value bounded).
const MAX_DOCUMENT_DEPTH: usize = 1000;

impl Val {
    /// The Python objects of a document or a literal (`json.loads` output) as values.
    pub(crate) fn from_py(v: &pystd::json::Value, depth: usize) -> Result<Val, String> {
        use pystd::json::Value as J;
        if depth > MAX_DOCUMENT_DEPTH {
            return Err(RECURSION_ERROR.to_string());
        }
        Ok(match v {
            J::Null => Val::Null,
            J::Bool(b) => Val::Bool(*b),
            J::Int(i) => Val::Int(*i),
            J::Float(f) => Val::Float(*f),
            J::Str(s) => Val::str(s),
            J::List(items) => {
                // A plain loop: iterator adapters cost several stack frames per nesting
                // level in unoptimised builds.
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(Val::from_py(x, depth + 1)?);
                }
                Val::array(out)
            }
            J::Dict(items) => {
                let mut obj = Obj::new();
                for (k, x) in items {
                    obj.insert(Arc::from(k.as_str()), Val::from_py(x, depth + 1)?);
                }
                Val::object(obj)
            }
        })
    }

    /// The result as the Python objects the formatters print. An expression reference
    /// cannot be printed: the AWS CLI's JSON encoder raises this TypeError for it.
    pub(crate) fn to_py(&self) -> Result<pystd::json::Value, String> {
        use pystd::json::Value as J;
        Ok(match self {
            Val::Null => J::Null,
            Val::Bool(b) => J::Bool(*b),
            Val::Int(i) => J::Int(*i),
            Val::Float(f) => J::Float(*f),
            Val::Str(s) => J::Str(s.to_string()),
            Val::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items.iter() {
                    out.push(x.to_py()?);
                }
                J::List(out)
            }
            Val::Object(obj) => {
                let mut out = Vec::with_capacity(obj.len());
                for (k, x) in obj.iter() {
                    out.push((k.to_string(), x.to_py()?));
                }
                J::Dict(out)
            }
            Val::Expref(_) => {
                return Err("Encountered unrecognized type in JSON encoder.".to_string());
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_numeric_equality_and_order() {
        assert!(num_eq(Num::Int(1), Num::Float(1.0)));
        // 2**53 + 1 != float(2**53) in Python (exact comparison).
        let big = (1i128 << 53) + 1;
        assert!(!num_eq(Num::Int(big), Num::Float((1u64 << 53) as f64)));
        assert_eq!(
            num_cmp(Num::Int(big), Num::Float((1u64 << 53) as f64)),
            Some(Ordering::Greater)
        );
        assert_eq!(num_cmp(Num::Int(2), Num::Float(2.5)), Some(Ordering::Less));
        assert_eq!(
            num_cmp(Num::Int(-3), Num::Float(-2.5)),
            Some(Ordering::Less)
        );
        assert_eq!(num_cmp(Num::Int(0), Num::Float(f64::NAN)), None);
        assert_eq!(
            num_cmp(Num::Int(i128::MAX), Num::Float(1e300)),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn nested_bools_equal_ints_like_python() {
        let a = Val::array(vec![Val::Int(1)]);
        let b = Val::array(vec![Val::Bool(true)]);
        assert!(py_eq(&a, &b));
        assert!(!py_eq(&Val::str("1"), &Val::Int(1)));
    }

    #[test]
    fn dict_assignment_keeps_first_position() {
        let mut o = Obj::new();
        o.insert(Arc::from("a"), Val::Int(1));
        o.insert(Arc::from("b"), Val::Int(2));
        o.insert(Arc::from("a"), Val::Int(3));
        let keys: Vec<&str> = o.keys().map(|k| k.as_ref()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert!(matches!(o.get("a"), Some(Val::Int(3))));
    }
}
