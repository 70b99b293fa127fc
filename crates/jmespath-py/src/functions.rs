//! The built-in functions, with python-jmespath 1.0.1's signatures, argument checks and
//! error texts, and Python's results: `sum`/`abs`/`floor`/`ceil` keep ints, `avg([])` is
//! null, sorting is Python's stable `sorted()`, `to_string` is `json.dumps`.
//!
//! Errors are raised when the function is called (after its arguments were evaluated),
//! as in python-jmespath: an unknown name, then the arity, then the types.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::limits::{RECURSION_ERROR, RECURSION_LIMIT};
use crate::pytext::{json_dumps_compact, py_float, py_int, py_str};
use crate::value::{py_eq, py_order, EvalResult, Expref, Num, Obj, Val, Visit};

/// One argument's accepted JMESPath types (`array-number` = a list of numbers); empty
/// means anything.
type ArgTypes = &'static [&'static str];

struct Signature {
    args: &'static [ArgTypes],
    /// The last argument may repeat (only the first argument is type-checked then:
    /// python-jmespath checks `len(signature)` arguments).
    variadic: bool,
}

const fn sig(args: &'static [ArgTypes]) -> Signature {
    Signature {
        args,
        variadic: false,
    }
}

fn signature(name: &str) -> Option<Signature> {
    Some(match name {
        "abs" | "ceil" | "floor" => sig(&[&["number"]]),
        "avg" | "sum" => sig(&[&["array-number"]]),
        "not_null" => Signature {
            args: &[&[]],
            variadic: true,
        },
        "to_array" | "to_string" | "to_number" | "type" => sig(&[&[]]),
        "contains" => sig(&[&["array", "string"], &[]]),
        "length" => sig(&[&["string", "array", "object"]]),
        "ends_with" | "starts_with" => sig(&[&["string"], &["string"]]),
        "reverse" => sig(&[&["array", "string"]]),
        "join" => sig(&[&["string"], &["array-string"]]),
        "map" => sig(&[&["expref"], &["array"]]),
        "max" | "min" => sig(&[&["array-number", "array-string"]]),
        "merge" => Signature {
            args: &[&["object"]],
            variadic: true,
        },
        "sort" => sig(&[&["array-string", "array-number"]]),
        "keys" | "values" => sig(&[&["object"]]),
        "sort_by" | "min_by" | "max_by" => sig(&[&["array"], &["expref"]]),
        _ => return None,
    })
}

/// `call_function(name, args)`; `at` is the Python stack depth of
/// `visit_function_expression`.
pub(crate) fn call(interp: &mut dyn Visit, name: &str, args: Vec<Val>, at: usize) -> EvalResult {
    let Some(sig) = signature(name) else {
        return Err(format!("Unknown function: {name}()"));
    };
    check_arity(name, &sig, args.len())?;
    check_types(name, &sig, &args, at)?;
    let mut f = Call { interp, name, at };
    let arg = |i: usize| &args[i];
    match name {
        "abs" => Ok(match *arg(0) {
            Val::Int(i) => i
                .checked_abs()
                .map_or(Val::Float((i as f64).abs()), Val::Int),
            Val::Float(x) => Val::Float(x.abs()),
            _ => Val::Null,
        }),
        "avg" => avg(list(arg(0))),
        "ceil" => round_to_int(arg(0), f64::ceil),
        "floor" => round_to_int(arg(0), f64::floor),
        "contains" => contains(arg(0), arg(1)),
        "ends_with" => Ok(Val::Bool(text(arg(0)).ends_with(text(arg(1))))),
        "starts_with" => Ok(Val::Bool(text(arg(0)).starts_with(text(arg(1))))),
        "join" => Ok(Val::str(
            &list(arg(1))
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(text(arg(0))),
        )),
        "keys" => Ok(Val::array(
            object(arg(0))
                .keys()
                .map(|k| Val::Str(Arc::clone(k)))
                .collect(),
        )),
        "values" => Ok(Val::array(object(arg(0)).values().cloned().collect())),
        "length" => Ok(Val::Int(match arg(0) {
            Val::Str(s) => s.chars().count(),
            Val::Array(items) => items.len(),
            Val::Object(obj) => obj.len(),
            _ => 0,
        } as i128)),
        "map" => f.map(arg(0), list(arg(1))),
        "max" => extreme(list(arg(0)), Ordering::Greater),
        "min" => extreme(list(arg(0)), Ordering::Less),
        "max_by" => f.extreme_by(arg(0), arg(1), Ordering::Greater),
        "min_by" => f.extreme_by(arg(0), arg(1), Ordering::Less),
        "merge" => merge(&args),
        "not_null" => Ok(args
            .iter()
            .find(|v| !matches!(v, Val::Null))
            .cloned()
            .unwrap_or(Val::Null)),
        "reverse" => Ok(match arg(0) {
            Val::Str(s) => Val::str(&s.chars().rev().collect::<String>()),
            Val::Array(items) => Val::array(items.iter().rev().cloned().collect()),
            other => other.clone(),
        }),
        "sort" => sort(list(arg(0))),
        "sort_by" => f.sort_by(arg(0), arg(1)),
        "sum" => py_sum(list(arg(0))),
        "to_array" => Ok(match arg(0) {
            Val::Array(_) => arg(0).clone(),
            other => Val::array(vec![other.clone()]),
        }),
        "to_number" => to_number(arg(0)),
        "to_string" => Ok(match arg(0) {
            Val::Str(_) => arg(0).clone(),
            other => Val::str(&json_dumps_compact(other)),
        }),
        "type" => Ok(match arg(0) {
            // `_func_type` has no branch for `_Expression`, so it returns None.
            Val::Expref(_) => Val::Null,
            other => Val::str(other.jmespath_type()),
        }),
        _ => Err(format!("Unknown function: {name}()")),
    }
}

fn check_arity(name: &str, sig: &Signature, given: usize) -> Result<(), String> {
    let expected = sig.args.len();
    let plural = if expected == 1 {
        "argument"
    } else {
        "arguments"
    };
    if sig.variadic {
        if given < expected {
            return Err(format!(
                "Expected at least {expected} {plural} for function {name}(), received {given}"
            ));
        }
    } else if given != expected {
        return Err(format!(
            "Expected {expected} {plural} for function {name}(), received {given}"
        ));
    }
    Ok(())
}

fn is_type(v: &Val, jmespath_type: &str) -> bool {
    v.jmespath_type() == jmespath_type
}

/// `['string', 'array', 'object']`, as Python prints the list.
fn types_repr(types: &[&str]) -> String {
    let quoted: Vec<String> = types.iter().map(|t| format!("'{t}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// JMESPathTypeError's text. `received` is a JMESPath type name for a wrong argument, but
/// the Python type name (`str`, `int`, `NoneType`, ...) for a wrong array element:
/// python-jmespath passes different things in the two places.
pub(crate) fn type_error(function: &str, value: &Val, received: &str, expected: &str) -> String {
    format!(
        "In function {function}(), invalid type for value: {}, expected one of: {expected}, received: \"{received}\"",
        py_str(value)
    )
}

fn check_types(name: &str, sig: &Signature, args: &[Val], at: usize) -> Result<(), String> {
    for (types, value) in sig.args.iter().zip(args) {
        if types.is_empty() {
            continue;
        }
        // Python's deepest frame here, below visit_function_expression (`at`):
        // call_function -> _validate_arguments -> _type_check -> _type_check_single
        //   -> _get_allowed_pytypes.
        if at + 5 > RECURSION_LIMIT {
            return Err(RECURSION_ERROR.to_string());
        }
        let expected = types_repr(types);
        let base_ok = types
            .iter()
            .any(|t| is_type(value, t.split('-').next().unwrap_or(t)));
        if !base_ok {
            return Err(type_error(name, value, value.jmespath_type(), &expected));
        }
        let subtypes: Vec<&str> = types
            .iter()
            .filter_map(|t| t.split_once('-').map(|(_, s)| s))
            .collect();
        let Val::Array(items) = value else {
            continue;
        };
        if subtypes.len() == 1 {
            for item in items.iter() {
                if !is_type(item, subtypes[0]) {
                    return Err(type_error(name, item, item.py_type_name(), &expected));
                }
            }
        } else if subtypes.len() > 1 && !items.is_empty() {
            // The first element decides which element type the whole list must have.
            let first = &items[0];
            let Some(allowed) = subtypes.iter().find(|s| is_type(first, s)) else {
                return Err(type_error(name, first, first.py_type_name(), &expected));
            };
            for item in items.iter() {
                if !is_type(item, allowed) {
                    return Err(type_error(name, item, item.py_type_name(), &expected));
                }
            }
        }
    }
    Ok(())
}

fn list(v: &Val) -> &[Val] {
    match v {
        Val::Array(items) => items,
        _ => &[],
    }
}

fn text(v: &Val) -> &str {
    match v {
        Val::Str(s) => s,
        _ => "",
    }
}

fn object(v: &Val) -> &Obj {
    static EMPTY: std::sync::OnceLock<Obj> = std::sync::OnceLock::new();
    match v {
        Val::Object(obj) => obj,
        _ => EMPTY.get_or_init(Obj::new),
    }
}

fn num(v: &Val) -> Num {
    v.as_num().unwrap_or(Num::Int(0))
}

/// Python's `a + b` for numbers.
fn py_add(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x
            .checked_add(y)
            .map_or(Num::Float(x as f64 + y as f64), Num::Int),
        (Num::Int(x), Num::Float(y)) => Num::Float(x as f64 + y),
        (Num::Float(x), Num::Int(y)) => Num::Float(x + y as f64),
        (Num::Float(x), Num::Float(y)) => Num::Float(x + y),
    }
}

/// The builtin `sum()` of CPython 3.12+ (the AWS CLI bundles 3.13/3.14): ints are added
/// exactly while they fit a C long; from the first float on, floats are added with
/// Neumaier compensation and C-long ints plainly; anything else falls back to `+`.
fn py_sum(items: &[Val]) -> EvalResult {
    enum Acc {
        Int(i64),
        Float { sum: f64, comp: f64 },
        Generic(Num),
    }
    let mut acc = Acc::Int(0);
    for item in items {
        let x = num(item);
        acc = match acc {
            Acc::Int(i) => match x {
                Num::Int(b) => match i64::try_from(b).ok().and_then(|b| i.checked_add(b)) {
                    Some(s) => Acc::Int(s),
                    None => Acc::Generic(py_add(Num::Int(i as i128), x)),
                },
                Num::Float(f) => Acc::Float {
                    sum: i as f64 + f,
                    comp: 0.0,
                },
            },
            Acc::Float { sum, comp } => match x {
                Num::Float(f) => {
                    let t = sum + f;
                    let comp = if sum.abs() >= f.abs() {
                        comp + ((sum - t) + f)
                    } else {
                        comp + ((f - t) + sum)
                    };
                    Acc::Float { sum: t, comp }
                }
                Num::Int(b) => match i64::try_from(b) {
                    Ok(b) => Acc::Float {
                        sum: sum + b as f64,
                        comp,
                    },
                    Err(_) => Acc::Generic(py_add(Num::Float(finish(sum, comp)), x)),
                },
            },
            Acc::Generic(r) => Acc::Generic(py_add(r, x)),
        };
    }
    fn finish(sum: f64, comp: f64) -> f64 {
        if comp != 0.0 && comp.is_finite() {
            sum + comp
        } else {
            sum
        }
    }
    Ok(match acc {
        Acc::Int(i) => Val::Int(i as i128),
        Acc::Float { sum, comp } => Val::Float(finish(sum, comp)),
        Acc::Generic(n) => Val::from_num(n),
    })
}

/// jmespath 1.0.1: `sum(arg) / float(len(arg))`, or None for an empty list.
fn avg(items: &[Val]) -> EvalResult {
    if items.is_empty() {
        return Ok(Val::Null);
    }
    let total = match py_sum(items)? {
        Val::Int(i) => i as f64,
        Val::Float(f) => f,
        _ => 0.0,
    };
    Ok(Val::Float(total / items.len() as f64))
}

/// `math.ceil` / `math.floor`: always an int in Python 3.
fn round_to_int(v: &Val, round: fn(f64) -> f64) -> EvalResult {
    match *v {
        Val::Float(f) => {
            if f.is_nan() {
                return Err("cannot convert float NaN to integer".to_string());
            }
            if f.is_infinite() {
                return Err("cannot convert float infinity to integer".to_string());
            }
            let r = round(f);
            // Beyond 128 bits Python has an exact big int; a float is the closest we hold.
            if r.abs() < 1.7e38 {
                Ok(Val::Int(r as i128))
            } else {
                Ok(Val::Float(r))
            }
        }
        _ => Ok(v.clone()),
    }
}

/// `search in subject`: list membership by Python `==`; for a string, a substring test
/// that raises Python's TypeError when the needle is not a string.
fn contains(subject: &Val, search: &Val) -> EvalResult {
    match subject {
        Val::Array(items) => Ok(Val::Bool(items.iter().any(|x| py_eq(x, search)))),
        Val::Str(s) => match search {
            Val::Str(needle) => Ok(Val::Bool(s.contains(needle.as_ref()))),
            other => Err(format!(
                "'in <string>' requires string as left operand, not {}",
                other.py_type_name()
            )),
        },
        _ => Ok(Val::Bool(false)),
    }
}

/// `max()` / `min()` of a list python-jmespath checked to hold only numbers or only
/// strings: the first of equal extremes wins.
fn extreme(items: &[Val], want: Ordering) -> EvalResult {
    let Some(mut best) = items.first() else {
        return Ok(Val::Null);
    };
    for item in &items[1..] {
        if order(item, best, want)? == Some(want) {
            best = item;
        }
    }
    Ok(best.clone())
}

/// Python's comparison of `a` against `b` with the operator min/max use, raising its
/// TypeError for a str/number mix.
fn order(a: &Val, b: &Val, want: Ordering) -> Result<Option<Ordering>, String> {
    py_order(a, b).map_err(|(ta, tb)| {
        let op = if want == Ordering::Less { "<" } else { ">" };
        format!("'{op}' not supported between instances of '{ta}' and '{tb}'")
    })
}

/// `sorted()`: a stable sort by `<`.
fn sort(items: &[Val]) -> EvalResult {
    let mut sorted = items.to_vec();
    sorted.sort_by(|a, b| py_order(a, b).ok().flatten().unwrap_or(Ordering::Equal));
    Ok(Val::array(sorted))
}

/// `merged = {}; merged.update(arg) ...`. Only the first argument is type-checked, so
/// later ones go through `dict.update`'s own rules (a list of key/value pairs works).
fn merge(args: &[Val]) -> EvalResult {
    let mut merged = Obj::new();
    for arg in args {
        match arg {
            Val::Object(obj) => {
                for (k, v) in obj.iter() {
                    merged.insert(Arc::clone(k), v.clone());
                }
            }
            Val::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let pair: Vec<Val> = match item {
                        Val::Array(x) => x.to_vec(),
                        Val::Str(s) => s.chars().map(|c| Val::str(&c.to_string())).collect(),
                        Val::Object(o) => o.keys().map(|k| Val::Str(Arc::clone(k))).collect(),
                        _ => {
                            return Err(format!(
                            "cannot convert dictionary update sequence element #{i} to a sequence"
                        ))
                        }
                    };
                    if pair.len() != 2 {
                        return Err(format!(
                            "dictionary update sequence element #{i} has length {}; 2 is required",
                            pair.len()
                        ));
                    }
                    let key = match &pair[0] {
                        Val::Str(s) => Arc::clone(s),
                        Val::Array(_) | Val::Object(_) => {
                            return Err(format!("unhashable type: '{}'", pair[0].py_type_name()))
                        }
                        // Python keeps a non-str key; it can only be shown as the key
                        // json.dumps would write (documented approximation).
                        other => Arc::from(json_dumps_compact(other).trim_matches('"')),
                    };
                    merged.insert(key, pair[1].clone());
                }
            }
            Val::Str(s) => {
                if !s.is_empty() {
                    return Err(
                        "dictionary update sequence element #0 has length 1; 2 is required"
                            .to_string(),
                    );
                }
            }
            other => return Err(format!("'{}' object is not iterable", other.py_type_name())),
        }
    }
    Ok(Val::object(merged))
}

/// `to_number`: numbers as they are, strings through `int()` then `float()`, anything
/// else None.
fn to_number(v: &Val) -> EvalResult {
    Ok(match v {
        Val::Int(_) | Val::Float(_) => v.clone(),
        Val::Str(s) => py_int(s)
            .or_else(|| py_float(s).map(Val::Float))
            .unwrap_or(Val::Null),
        Val::Expref(_) => {
            return Err("int() argument must be a string, a bytes-like object or a real number, not '_Expression'".to_string());
        }
        _ => Val::Null,
    })
}

/// Functions that apply an expression reference.
struct Call<'a> {
    interp: &'a mut dyn Visit,
    name: &'a str,
    /// Python stack depth of `visit_function_expression`.
    at: usize,
}

impl Call<'_> {
    /// `expref.visit(expref.expression, value)`, `frames` below `_func_<name>`.
    fn apply(&mut self, expref: &Val, value: &Val, frames: usize) -> EvalResult {
        let Val::Expref(Expref { node, .. }) = expref else {
            return Ok(Val::Null);
        };
        // visit_function_expression -> call_function -> _func_<name> -> ... -> visit
        let depth = self.at + 2 + frames;
        let node = Arc::clone(node);
        self.interp.visit_at(&node, value, depth)
    }

    fn map(&mut self, expref: &Val, items: &[Val]) -> EvalResult {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            // _func_map -> _Expression.visit -> visit
            out.push(self.apply(expref, item, 2)?);
        }
        Ok(Val::array(out))
    }

    /// The key function of sort_by/min_by/max_by: the key must have an allowed type.
    fn key(&mut self, expref: &Val, item: &Val, allowed: &[&str]) -> EvalResult {
        // sorted()/min()/max() (C) -> keyfunc -> _Expression.visit -> visit
        let k = self.apply(expref, item, 3)?;
        let t = k.jmespath_type();
        if !allowed.contains(&t) {
            return Err(type_error(self.name, &k, t, &types_repr(allowed)));
        }
        Ok(k)
    }

    fn sort_by(&mut self, array: &Val, expref: &Val) -> EvalResult {
        let items = list(array);
        if items.is_empty() {
            return Ok(array.clone());
        }
        // The first element's key decides whether keys must be numbers or strings.
        let first = self.apply(expref, &items[0], 2)?;
        let required = first.jmespath_type();
        if required != "number" && required != "string" {
            return Err(type_error(
                "sort_by",
                &items[0],
                required,
                &types_repr(&["string", "number"]),
            ));
        }
        let mut keyed = Vec::with_capacity(items.len());
        for item in items {
            keyed.push((self.key(expref, item, &[required])?, item.clone()));
        }
        keyed.sort_by(|(a, _), (b, _)| py_order(a, b).ok().flatten().unwrap_or(Ordering::Equal));
        Ok(Val::array(keyed.into_iter().map(|(_, v)| v).collect()))
    }

    fn extreme_by(&mut self, array: &Val, expref: &Val, want: Ordering) -> EvalResult {
        let items = list(array);
        let Some(first) = items.first() else {
            return Ok(Val::Null);
        };
        let allowed = ["number", "string"];
        let mut best = first;
        let mut best_key = self.key(expref, first, &allowed)?;
        for item in &items[1..] {
            let k = self.key(expref, item, &allowed)?;
            if order(&k, &best_key, want)? == Some(want) {
                best = item;
                best_key = k;
            }
        }
        Ok(best.clone())
    }
}
