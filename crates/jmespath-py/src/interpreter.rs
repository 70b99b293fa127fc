//! Tree evaluation with python-jmespath 1.0.1's `TreeInterpreter` semantics: projections
//! drop `None` results, multi-selects of `None` are `None`, equality never makes a bool
//! equal to a number, ordering comparisons only apply to numbers and strings (and raise
//! Python's TypeError when one of each meets), slices and indexes work like Python's.

use std::cmp::{max, min};
use std::sync::Arc;

use crate::ast::{CmpOp, Node};
use crate::functions;
use crate::limits::{RECURSION_ERROR, RECURSION_LIMIT};
use crate::value::{py_compare, py_eq, EvalResult, Expref, Num, Obj, Val, Visit};

pub(crate) struct Interpreter {
    /// Identity of the next `_Expression` object.
    next_expref_id: u64,
    /// Python stack depth of the `visit` frame being evaluated.
    depth: usize,
}

impl Interpreter {
    /// `first_frame` is the Python stack depth of the AWS CLI's first `visit` call.
    pub fn new(first_frame: usize) -> Interpreter {
        Interpreter {
            next_expref_id: 0,
            depth: first_frame,
        }
    }

    /// Python raises RecursionError when a call would run deeper than the limit; `extra`
    /// is how far below the current `visit` frame the deepest call goes.
    pub fn check_depth(&self, extra: usize) -> Result<(), String> {
        if self.depth + extra > RECURSION_LIMIT {
            return Err(RECURSION_ERROR.to_string());
        }
        Ok(())
    }

    /// A child `visit`, `frames` Python frames below the current one (2 for most nodes:
    /// `visit` -> `visit_<type>` -> `visit`).
    fn child(&mut self, node: &Node, value: &Val, frames: usize) -> EvalResult {
        let depth = self.depth + frames;
        self.visit_at(node, value, depth)
    }

    /// `visit(node, value)`. Only dispatches: each node type has its own small function
    /// so that deep recursion keeps small stack frames even in unoptimised builds.
    pub fn visit(&mut self, node: &Node, value: &Val) -> EvalResult {
        // Every node has a `visit_<type>` frame below `visit`.
        self.check_depth(1)?;
        match node {
            Node::Identity | Node::Current => Ok(value.clone()),
            Node::Literal(v) => Val::from_py(v, 0),
            Node::Field(name) => Ok(match value {
                Val::Object(obj) => obj.get(name).cloned().unwrap_or(Val::Null),
                _ => Val::Null,
            }),
            Node::Subexpression(children) | Node::IndexExpression(children) => {
                self.visit_chain(children, value)
            }
            Node::Pipe(left, right) => self.visit_pipe(left, right, value),
            Node::Index(i) => Ok(match value {
                Val::Array(items) => index(items, *i),
                _ => Val::Null,
            }),
            Node::Slice(parts) => match value {
                Val::Array(items) => slice(items, *parts),
                _ => Ok(Val::Null),
            },
            Node::Comparator(op, left, right) => self.visit_comparator(*op, left, right, value),
            Node::Or(left, right) => self.visit_or(left, right, value),
            Node::And(left, right) => self.visit_and(left, right, value),
            Node::Not(inner) => self.visit_not(inner, value),
            Node::Expref(expression) => self.visit_expref(expression),
            Node::Function(name, args) => self.visit_function(name, args, value),
            Node::Flatten(inner) => self.visit_flatten(inner, value),
            Node::Projection(left, right) => self.visit_projection(left, right, value),
            Node::ValueProjection(left, right) => self.visit_value_projection(left, right, value),
            Node::FilterProjection {
                left,
                right,
                condition,
            } => self.visit_filter_projection(left, right, condition, value),
            Node::MultiSelectList(children) => self.visit_multi_select_list(children, value),
            Node::MultiSelectHash(pairs) => self.visit_multi_select_hash(pairs, value),
        }
    }

    fn visit_chain(&mut self, children: &[Node], value: &Val) -> EvalResult {
        let mut result = value.clone();
        for child in children {
            result = self.child(child, &result, 2)?;
        }
        Ok(result)
    }

    fn visit_pipe(&mut self, left: &Node, right: &Node, value: &Val) -> EvalResult {
        let left = self.child(left, value, 2)?;
        self.child(right, &left, 2)
    }

    fn visit_or(&mut self, left: &Node, right: &Node, value: &Val) -> EvalResult {
        let matched = self.child(left, value, 2)?;
        self.check_depth(2)?; // _is_false
        if matched.is_false() {
            self.child(right, value, 2)
        } else {
            Ok(matched)
        }
    }

    fn visit_and(&mut self, left: &Node, right: &Node, value: &Val) -> EvalResult {
        let matched = self.child(left, value, 2)?;
        self.check_depth(2)?;
        if matched.is_false() {
            Ok(matched)
        } else {
            self.child(right, value, 2)
        }
    }

    /// `not v` in Python, except that 0 is true in JMESPath: exactly `_is_false`.
    fn visit_not(&mut self, inner: &Node, value: &Val) -> EvalResult {
        let v = self.child(inner, value, 2)?;
        self.check_depth(2)?;
        Ok(Val::Bool(v.is_false()))
    }

    fn visit_expref(&mut self, expression: &Arc<Node>) -> EvalResult {
        self.check_depth(2)?; // _Expression.__init__
        let id = self.next_expref_id;
        self.next_expref_id += 1;
        Ok(Val::Expref(Expref {
            node: Arc::clone(expression),
            id,
        }))
    }

    fn visit_function(&mut self, name: &str, args: &[Node], value: &Val) -> EvalResult {
        let mut resolved = Vec::with_capacity(args.len());
        for arg in args {
            resolved.push(self.child(arg, value, 2)?);
        }
        let at = self.depth + 1;
        functions::call(self, name, resolved, at)
    }

    fn visit_flatten(&mut self, inner: &Node, value: &Val) -> EvalResult {
        let base = self.child(inner, value, 2)?;
        let Val::Array(items) = base else {
            return Ok(Val::Null);
        };
        let mut merged = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item {
                Val::Array(inner) => merged.extend(inner.iter().cloned()),
                other => merged.push(other.clone()),
            }
        }
        Ok(Val::array(merged))
    }

    fn visit_projection(&mut self, left: &Node, right: &Node, value: &Val) -> EvalResult {
        let base = self.child(left, value, 2)?;
        let Val::Array(items) = base else {
            return Ok(Val::Null);
        };
        self.project(items.iter(), right)
    }

    fn visit_value_projection(&mut self, left: &Node, right: &Node, value: &Val) -> EvalResult {
        let base = self.child(left, value, 2)?;
        let Val::Object(obj) = base else {
            return Ok(Val::Null);
        };
        self.project(obj.values(), right)
    }

    fn visit_filter_projection(
        &mut self,
        left: &Node,
        right: &Node,
        condition: &Node,
        value: &Val,
    ) -> EvalResult {
        let base = self.child(left, value, 2)?;
        let Val::Array(items) = base else {
            return Ok(Val::Null);
        };
        let mut collected = Vec::new();
        for item in items.iter() {
            let keep = self.child(condition, item, 2)?;
            self.check_depth(3)?; // _is_true -> _is_false
            if !keep.is_false() {
                let current = self.child(right, item, 2)?;
                if !matches!(current, Val::Null) {
                    collected.push(current);
                }
            }
        }
        Ok(Val::array(collected))
    }

    fn visit_multi_select_list(&mut self, children: &[Node], value: &Val) -> EvalResult {
        if matches!(value, Val::Null) {
            return Ok(Val::Null);
        }
        let mut collected = Vec::with_capacity(children.len());
        for child in children {
            collected.push(self.child(child, value, 2)?);
        }
        Ok(Val::array(collected))
    }

    fn visit_multi_select_hash(&mut self, pairs: &[(Arc<str>, Node)], value: &Val) -> EvalResult {
        if matches!(value, Val::Null) {
            return Ok(Val::Null);
        }
        let mut obj = Obj::new();
        for (key, child) in pairs {
            // visit -> visit_multi_select_dict -> visit(key_val_pair)
            //   -> visit_key_val_pair -> visit(child)
            self.check_depth(3)?;
            let v = self.child(child, value, 4)?;
            obj.insert(Arc::clone(key), v);
        }
        Ok(Val::object(obj))
    }

    fn project<'a>(&mut self, items: impl Iterator<Item = &'a Val>, right: &Node) -> EvalResult {
        let mut collected = Vec::new();
        for item in items {
            let current = self.child(right, item, 2)?;
            if !matches!(current, Val::Null) {
                collected.push(current);
            }
        }
        Ok(Val::array(collected))
    }

    fn visit_comparator(
        &mut self,
        op: CmpOp,
        left: &Node,
        right: &Node,
        value: &Val,
    ) -> EvalResult {
        let l = self.child(left, value, 2)?;
        let r = self.child(right, value, 2)?;
        let symbol = match op {
            CmpOp::Eq | CmpOp::Ne => {
                // _equals -> _is_special_number_case -> _is_actual_number
                self.check_depth(4)?;
                let eq = jmespath_equals(&l, &r);
                return Ok(Val::Bool(if op == CmpOp::Eq { eq } else { !eq }));
            }
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
        };
        // _is_comparable -> _is_actual_number
        self.check_depth(3)?;
        // Ordering applies to numbers and strings only; anything else gives None.
        let comparable = |v: &Val| matches!(v, Val::Int(_) | Val::Float(_) | Val::Str(_));
        if !(comparable(&l) && comparable(&r)) {
            return Ok(Val::Null);
        }
        py_compare(symbol, &l, &r).map(Val::Bool)
    }
}

/// python-jmespath's `_equals`: Python `==`, except that 0 and 1 never equal a bool
/// (Python has `1 == True`). Only the top level is special-cased: `[1] == [true]` holds.
fn jmespath_equals(x: &Val, y: &Val) -> bool {
    let zero_or_one = |v: &Val| match v.as_num() {
        Some(Num::Int(i)) => i == 0 || i == 1,
        Some(Num::Float(f)) => f == 0.0 || f == 1.0,
        None => false,
    };
    let special = if zero_or_one(x) {
        matches!(y, Val::Bool(_))
    } else if zero_or_one(y) {
        matches!(x, Val::Bool(_))
    } else {
        false
    };
    !special && py_eq(x, y)
}

/// `list[i]` with Python's negative indexes; out of range is None.
fn index(items: &[Val], i: i128) -> Val {
    let len = items.len() as i128;
    let i = if i < 0 { i.saturating_add(len) } else { i };
    if (0..len).contains(&i) {
        items[i as usize].clone()
    } else {
        Val::Null
    }
}

/// `list[slice(start, stop, step)]`, with `slice.indices` clamping.
fn slice(items: &[Val], [start, stop, step]: [Option<i128>; 3]) -> EvalResult {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err("slice step cannot be zero".to_string());
    }
    let len = items.len() as i128;
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let clamp = |bound: Option<i128>, default: i128| match bound {
        None => default,
        Some(b) if b < 0 => max(b.saturating_add(len), lower),
        Some(b) => min(b, upper),
    };
    let (start, stop) = if step < 0 {
        (clamp(start, upper), clamp(stop, lower))
    } else {
        (clamp(start, lower), clamp(stop, upper))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(items[i as usize].clone());
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    Ok(Val::array(out))
}

impl Visit for Interpreter {
    /// `visit(node, value)` at an absolute Python stack depth.
    fn visit_at(&mut self, node: &Node, value: &Val, depth: usize) -> EvalResult {
        let saved = self.depth;
        self.depth = depth;
        let result = self.visit(node, value);
        self.depth = saved;
        result
    }
}
