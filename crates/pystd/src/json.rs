//! Python's `json` module as the AWS CLI meets it: `json.loads` (CPython's C scanner, with
//! its exact error messages and positions) and the pieces of `json.dumps` (string escaping,
//! float spelling, `indent`, `ensure_ascii`, `sort_keys`, separators).
//!
//! `loads` differs from strict JSON parsers in ways that show through the CLI: `NaN`,
//! `Infinity` and `-Infinity` are floats, integers stay integers (`-0` is int 0, `1.0` a
//! float), lone surrogate escapes are accepted, duplicate keys keep the first position and
//! the last value, and errors read `Expecting ',' delimiter: line 1 column 9 (char 8)`.

use std::collections::HashMap;
use std::fmt;

use crate::repr::float_repr;

/// What `json.loads` returns, as far as Rust can hold it: Python ints beyond 128 bits
/// become floats, and a lone UTF-16 surrogate in a string becomes U+FFFD (documented
/// approximations; nothing the CLI reads depends on them).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    /// A dict in insertion order (a repeated key keeps its first place, its last value).
    Dict(Vec<(String, Value)>),
}

impl Value {
    /// Python's `type(v).__name__`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
        }
    }

    /// `d.get(key)` on a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Python's `str(v)`: a str as it is, anything else as its `repr()`.
    pub fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    /// Python's `repr(v)`: `None`, `True`, `1.5`, `nan`, `'s'`, `[1, 'a']`, `{'k': 2}`.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out, 0);
        out
    }

    fn write_repr(&self, out: &mut String, depth: usize) {
        if depth > 400 {
            out.push_str("...");
            return;
        }
        match self {
            Value::Null => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Str(s) => crate::repr::push_str_repr(s, out),
            Value::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out, depth + 1);
                }
                out.push(']');
            }
            Value::Dict(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    crate::repr::push_str_repr(k, out);
                    out.push_str(": ");
                    v.write_repr(out, depth + 1);
                }
                out.push('}');
            }
        }
    }

    /// Python's `==` with an int (`1 == 1.0 == True`).
    pub fn equals_int(&self, n: i128) -> bool {
        match self {
            Value::Int(i) => *i == n,
            Value::Float(f) => *f == n as f64,
            Value::Bool(b) => i128::from(*b) == n,
            _ => false,
        }
    }

    /// The Python objects `json.loads` makes of a serde_json value.
    pub fn from_serde(v: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Value::Int(i.into()),
                (_, Some(u)) => Value::Int(u.into()),
                _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::Str(s.clone()),
            J::Array(items) => Value::List(items.iter().map(Value::from_serde).collect()),
            J::Object(m) => Value::Dict(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_serde(v)))
                    .collect(),
            ),
        }
    }

    pub fn is_dict(&self) -> bool {
        matches!(self, Value::Dict(_))
    }

    pub fn is_list(&self) -> bool {
        matches!(self, Value::List(_))
    }

    /// Neither a list nor a dict: what the AWS CLI's formatters call a scalar.
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Value::List(_) | Value::Dict(_))
    }

    /// Python's truth value.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(a) => !a.is_empty(),
            Value::Dict(m) => !m.is_empty(),
        }
    }

    /// The value as serde_json holds it (NaN and infinities, which it cannot, become null).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => match i64::try_from(*i) {
                Ok(i) => J::from(i),
                Err(_) => match u64::try_from(*i) {
                    Ok(u) => J::from(u),
                    Err(_) => serde_json::Number::from_f64(*i as f64).map_or(J::Null, J::Number),
                },
            },
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(Value::to_serde).collect()),
            Value::Dict(items) => J::Object(
                items
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// A `json.loads` failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// `JSONDecodeError`: the message, and the position as Python reports it.
    Decode {
        msg: &'static str,
        /// Character offset (Python's `pos`).
        pos: usize,
        lineno: usize,
        colno: usize,
    },
    /// `RecursionError` (nesting deeper than CPython's C recursion guard allows).
    TooDeep(&'static str),
}

impl Error {
    /// The message alone, without the position (`JSONDecodeError.msg`).
    pub fn msg(&self) -> &'static str {
        match self {
            Error::Decode { msg, .. } => msg,
            Error::TooDeep(what) => what,
        }
    }
}

impl fmt::Display for Error {
    /// `str(error)`: `Expecting value: line 1 column 1 (char 0)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode {
                msg,
                pos,
                lineno,
                colno,
            } => write!(f, "{msg}: line {lineno} column {colno} (char {pos})"),
            Error::TooDeep(what) => write!(f, "maximum recursion depth exceeded {what}"),
        }
    }
}

/// CPython 3.13's C recursion limit, which the C scanner's `Py_EnterRecursiveCall`
/// counts against: a `json.loads` called with `n` C frames already in use fails beyond
/// `C_RECURSION_LIMIT - n` levels of nesting (measured: 9998 levels for a bare
/// `json.loads` call; fewer inside the AWS CLI).
pub const C_RECURSION_LIMIT: usize = 10_000;

/// `json.loads(text)` called directly from Python code (nesting up to 9998 levels).
pub fn loads(text: &str) -> Result<Value, Error> {
    loads_nested(text, C_RECURSION_LIMIT - 2)
}

/// `json.loads(text)` where at most `max_depth` levels of nesting fit under the C
/// recursion limit (the caller knows how many C frames its Python context uses). It also
/// bounds our own recursion on hostile input: callers on a small stack pass less.
pub fn loads_nested(text: &str, max_depth: usize) -> Result<Value, Error> {
    let mut d = Decoder {
        text,
        s: text.as_bytes(),
        pos: 0,
        max_depth,
    };
    if text.starts_with('\u{feff}') {
        return Err(d.error("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0));
    }
    d.skip_ws();
    let v = d.value()?;
    d.skip_ws();
    if d.pos != d.s.len() {
        return Err(d.error("Extra data", d.pos));
    }
    Ok(v)
}

struct Decoder<'a> {
    text: &'a str,
    s: &'a [u8],
    /// Byte offset.
    pos: usize,
    max_depth: usize,
}

impl Decoder<'_> {
    /// A `JSONDecodeError` at byte offset `at`, with Python's character position.
    fn error(&self, msg: &'static str, at: usize) -> Error {
        let before = &self.text[..at];
        let pos = before.chars().count();
        let lineno = 1 + before.bytes().filter(|&b| b == b'\n').count();
        let colno = match before.rfind('\n') {
            Some(i) => before[i + 1..].chars().count() + 1,
            None => pos + 1,
        };
        Error::Decode {
            msg,
            pos,
            lineno,
            colno,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// One value, with its nested containers parsed on an explicit stack (hostile nesting
    /// costs heap, not Rust stack), failing where CPython's recursive scanner fails.
    fn value(&mut self) -> Result<Value, Error> {
        enum Open {
            List(Vec<Value>),
            Dict {
                items: Vec<(String, Value)>,
                index: HashMap<String, usize>,
                key: String,
            },
        }
        let mut open: Vec<Open> = Vec::new();
        loop {
            // A value starts here (whitespace skipped).
            let mut v = match self.peek() {
                Some(b'[') => {
                    self.enter(open.len() + 1, "array")?;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value::List(Vec::new())
                    } else {
                        open.push(Open::List(Vec::new()));
                        continue;
                    }
                }
                Some(b'{') => {
                    self.enter(open.len() + 1, "object")?;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Dict(Vec::new())
                    } else {
                        let key = self.key()?;
                        open.push(Open::Dict {
                            items: Vec::new(),
                            index: HashMap::new(),
                            key,
                        });
                        continue;
                    }
                }
                _ => self.scalar()?,
            };
            // Hand the value to the innermost open container, closing those that end.
            loop {
                let (close, what) = match open.last_mut() {
                    None => return Ok(v),
                    Some(Open::List(items)) => {
                        items.push(v);
                        (b']', "array")
                    }
                    Some(Open::Dict { items, index, key }) => {
                        let key = std::mem::take(key);
                        match index.get(&key) {
                            Some(&i) => items[i].1 = v,
                            None => {
                                index.insert(key.clone(), items.len());
                                items.push((key, v));
                            }
                        }
                        (b'}', "object")
                    }
                };
                self.skip_ws();
                match self.peek() {
                    Some(c) if c == close => {
                        self.pos += 1;
                        v = match open.pop() {
                            Some(Open::List(items)) => Value::List(items),
                            Some(Open::Dict { items, .. }) => Value::Dict(items),
                            None => unreachable!("a container is open"),
                        };
                    }
                    Some(b',') => {
                        let comma = self.pos;
                        self.pos += 1;
                        self.skip_ws();
                        if self.peek() == Some(close) {
                            return Err(self.error(
                                if what == "array" {
                                    "Illegal trailing comma before end of array"
                                } else {
                                    "Illegal trailing comma before end of object"
                                },
                                comma,
                            ));
                        }
                        if let Some(Open::Dict { key, .. }) = open.last_mut() {
                            *key = self.key()?;
                        }
                        break;
                    }
                    _ => return Err(self.error("Expecting ',' delimiter", self.pos)),
                }
            }
        }
    }

    /// A dict's key and its `:` (whitespace before the key already skipped).
    fn key(&mut self) -> Result<String, Error> {
        if self.peek() != Some(b'"') {
            return Err(self.error(
                "Expecting property name enclosed in double quotes",
                self.pos,
            ));
        }
        let quote = self.pos;
        self.pos += 1;
        let key = self.string(quote)?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.error("Expecting ':' delimiter", self.pos));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(key)
    }

    /// A string, a number or a literal word.
    fn scalar(&mut self) -> Result<Value, Error> {
        let at = self.pos;
        let rest = &self.s[at..];
        let word = |w: &str| rest.starts_with(w.as_bytes());
        let (v, len) = match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                return self.string(at).map(Value::Str);
            }
            Some(b'n') if word("null") => (Value::Null, 4),
            Some(b't') if word("true") => (Value::Bool(true), 4),
            Some(b'f') if word("false") => (Value::Bool(false), 5),
            Some(b'N') if word("NaN") => (Value::Float(f64::NAN), 3),
            Some(b'I') if word("Infinity") => (Value::Float(f64::INFINITY), 8),
            Some(b'-') if word("-Infinity") => (Value::Float(f64::NEG_INFINITY), 9),
            _ => match self.number() {
                Some(v) => return Ok(v),
                None => return Err(self.error("Expecting value", at)),
            },
        };
        self.pos += len;
        Ok(v)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`; a fraction or exponent makes a
    /// float. A `.` or `e` not followed by digits is left for the caller ("Extra data").
    fn number(&mut self) -> Option<Value> {
        let s = self.s;
        let digits = |mut i: usize| {
            while i < s.len() && s[i].is_ascii_digit() {
                i += 1;
            }
            i
        };
        let start = self.pos;
        let mut i = start + usize::from(s.get(start) == Some(&b'-'));
        match s.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits(i),
            _ => return None,
        }
        let mut is_float = false;
        if s.get(i) == Some(&b'.') && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
            is_float = true;
            i = digits(i + 1);
        }
        if matches!(s.get(i), Some(b'e' | b'E')) {
            let j = i + 1 + usize::from(matches!(s.get(i + 1), Some(b'+' | b'-')));
            if s.get(j).is_some_and(u8::is_ascii_digit) {
                is_float = true;
                i = digits(j);
            }
        }
        let text = &self.text[start..i];
        self.pos = i;
        // float(): correctly rounded, overflow to ±inf as in Python.
        let float = || text.parse::<f64>().unwrap_or(f64::NAN);
        Some(if is_float {
            Value::Float(float())
        } else {
            text.parse::<i128>()
                .map_or_else(|_| Value::Float(float()), Value::Int)
        })
    }

    /// A string's body, after its opening quote at byte `quote`.
    fn string(&mut self, quote: usize) -> Result<String, Error> {
        let mut out = String::new();
        loop {
            let run_end = self.s[self.pos..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .map_or(self.s.len(), |n| self.pos + n);
            out.push_str(&self.text[self.pos..run_end]);
            self.pos = run_end;
            match self.peek() {
                None => return Err(self.error("Unterminated string starting at", quote)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let escape = self.pos;
                    let Some(e) = self.s.get(escape + 1).copied() else {
                        return Err(self.error("Unterminated string starting at", quote));
                    };
                    self.pos += 2;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape(escape)?,
                        _ => return Err(self.error("Invalid \\escape", escape)),
                    });
                }
                Some(_) => return Err(self.error("Invalid control character at", self.pos)),
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at..at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }

    /// `\uXXXX` (the `u` consumed; `escape` is the backslash), joining a surrogate pair.
    /// Like CPython, the four digits must be followed by at least one more character.
    fn unicode_escape(&mut self, escape: usize) -> Result<char, Error> {
        let u = escape + 1;
        let hi = match self.hex4(u + 1) {
            Some(hi) if u + 4 < self.s.len() - 1 => hi,
            _ => return Err(self.error("Invalid \\uXXXX escape", u)),
        };
        self.pos = u + 5;
        if (0xd800..0xdc00).contains(&hi)
            && self.s[self.pos..].starts_with(b"\\u")
            && self.pos + 6 < self.s.len()
        {
            let Some(lo) = self.hex4(self.pos + 2) else {
                return Err(self.error("Invalid \\uXXXX escape", self.pos + 1));
            };
            if (0xdc00..0xe000).contains(&lo) {
                self.pos += 6;
                let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
            }
        }
        Ok(char::from_u32(hi).unwrap_or('\u{fffd}'))
    }

    fn enter(&self, depth: usize, what: &str) -> Result<(), Error> {
        if depth > self.max_depth {
            return Err(Error::TooDeep(if what == "array" {
                "while decoding a JSON array from a unicode string"
            } else {
                "while decoding a JSON object from a unicode string"
            }));
        }
        Ok(())
    }
}

/// The arguments `json.dumps` was called with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// `indent=n`; `None` for the one-line form.
    pub indent: Option<usize>,
    /// `ensure_ascii=True`: everything outside U+0020..U+007E as `\uXXXX`.
    pub ensure_ascii: bool,
    pub sort_keys: bool,
    /// `separators=(',', ':')` instead of `(', ', ': ')`.
    pub compact: bool,
}

/// `json.dumps(value, ensure_ascii=False[, indent=n])`.
pub fn dumps(value: &Value, indent: Option<usize>) -> String {
    dumps_with(
        value,
        Style {
            indent,
            ..Style::default()
        },
    )
}

/// `json.dumps` with every argument the CLI and botocore use.
pub fn dumps_with(value: &Value, style: Style) -> String {
    let mut out = String::new();
    write_value(&mut out, value, &style, 0);
    out
}

fn write_value(out: &mut String, value: &Value, style: &Style, level: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&float_str(*f)),
        Value::Str(s) => write_string(out, s, style.ensure_ascii),
        Value::List(items) if items.is_empty() => out.push_str("[]"),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                separator(out, i, style, level + 1);
                write_value(out, item, style, level + 1);
            }
            close(out, style, level);
            out.push(']');
        }
        Value::Dict(items) if items.is_empty() => out.push_str("{}"),
        Value::Dict(items) => {
            out.push('{');
            let mut entries: Vec<&(String, Value)> = items.iter().collect();
            if style.sort_keys {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            for (i, (k, v)) in entries.into_iter().enumerate() {
                separator(out, i, style, level + 1);
                write_string(out, k, style.ensure_ascii);
                out.push_str(if style.compact { ":" } else { ": " });
                write_value(out, v, style, level + 1);
            }
            close(out, style, level);
            out.push('}');
        }
    }
}

/// Before item `i` of a container at `level`: the item separator (after the first), and
/// with `indent` a newline and the indentation.
fn separator(out: &mut String, i: usize, style: &Style, level: usize) {
    if i > 0 {
        out.push(',');
        if style.indent.is_none() && !style.compact {
            out.push(' ');
        }
    }
    if let Some(n) = style.indent {
        out.push('\n');
        out.push_str(&" ".repeat(n * level));
    }
}

fn close(out: &mut String, style: &Style, level: usize) {
    if let Some(n) = style.indent {
        out.push('\n');
        out.push_str(&" ".repeat(n * level));
    }
}

/// Python's float in JSON: `repr()`, with `NaN`/`Infinity`/`-Infinity` as bare words.
pub fn float_str(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        float_repr(f)
    }
}

/// A JSON string: `"`, `\\` and C0 controls are always escaped; with `ensure_ascii` also
/// everything outside U+0020..U+007E, as `\\uXXXX` (UTF-16 surrogate pairs beyond the BMP).
pub fn write_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut plain = 0; // start of the run of characters written as they are
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\x08' => "\\b",
            '\x0c' => "\\f",
            c if (c as u32) < 0x20 || (ensure_ascii && (c as u32) > 0x7e) => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        plain = i + c.len_utf8();
        if escape.is_empty() {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(s: &str) -> String {
        loads(s).unwrap_err().to_string()
    }

    #[test]
    fn python_values() {
        assert_eq!(loads(" -0 "), Ok(Value::Int(0)));
        assert_eq!(loads("1.0"), Ok(Value::Float(1.0)));
        assert_eq!(loads("1E2"), Ok(Value::Float(100.0)));
        assert_eq!(loads("1e400"), Ok(Value::Float(f64::INFINITY)));
        assert_eq!(loads("-Infinity"), Ok(Value::Float(f64::NEG_INFINITY)));
        assert!(matches!(loads("NaN"), Ok(Value::Float(f)) if f.is_nan()));
        assert_eq!(
            loads(r#"{"b": 1, "a": 2, "b": 3}"#),
            Ok(Value::Dict(vec![
                ("b".into(), Value::Int(3)),
                ("a".into(), Value::Int(2))
            ]))
        );
        assert_eq!(
            loads(r#""\ud83d\ude00\u00e9\ud800""#),
            Ok(Value::Str("😀é\u{fffd}".into()))
        );
    }

    /// Messages and positions as CPython 3.13 prints them.
    #[test]
    fn python_errors() {
        assert_eq!(err(""), "Expecting value: line 1 column 1 (char 0)");
        assert_eq!(err("  x"), "Expecting value: line 1 column 3 (char 2)");
        assert_eq!(err("1."), "Extra data: line 1 column 2 (char 1)");
        assert_eq!(err("01"), "Extra data: line 1 column 2 (char 1)");
        assert_eq!(
            err("{\"Version\": 1,\n"),
            "Expecting property name enclosed in double quotes: line 2 column 1 (char 15)"
        );
        assert_eq!(
            err("[1,]"),
            "Illegal trailing comma before end of array: line 1 column 3 (char 2)"
        );
        assert_eq!(
            err("{\"a\": 1 ,}"),
            "Illegal trailing comma before end of object: line 1 column 9 (char 8)"
        );
        assert_eq!(
            err("{\"a\" 1}"),
            "Expecting ':' delimiter: line 1 column 6 (char 5)"
        );
        assert_eq!(
            err("[1 2]"),
            "Expecting ',' delimiter: line 1 column 4 (char 3)"
        );
        assert_eq!(
            err("\"é\\x\""),
            "Invalid \\escape: line 1 column 3 (char 2)"
        );
        assert_eq!(
            err("\"a\u{1}\""),
            "Invalid control character at: line 1 column 3 (char 2)"
        );
        assert_eq!(
            err("\"\\u12\""),
            "Invalid \\uXXXX escape: line 1 column 3 (char 2)"
        );
        assert_eq!(
            err("\"abc"),
            "Unterminated string starting at: line 1 column 1 (char 0)"
        );
        assert_eq!(
            err("\u{feff}{}"),
            "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"
        );
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(loads(&nested(9998)).is_ok());
        assert_eq!(
            err(&nested(9999)),
            "maximum recursion depth exceeded while decoding a JSON array from a unicode string"
        );
        assert!(loads_nested(&nested(3), 2).is_err());
    }

    #[test]
    fn dumps_like_python() {
        let v =
            json!({"a": [1, 1.5, null, true, "é\u{1}\"\\\n"], "b": {}, "c": [], "d": {"e": 1e20}});
        assert_eq!(
            dumps(&Value::from_serde(&v), Some(4)),
            "{\n    \"a\": [\n        1,\n        1.5,\n        null,\n        true,\n        \"é\\u0001\\\"\\\\\\n\"\n    ],\n    \"b\": {},\n    \"c\": [],\n    \"d\": {\n        \"e\": 1e+20\n    }\n}"
        );
        let d = |v: serde_json::Value, indent| dumps(&Value::from_serde(&v), indent);
        assert_eq!(d(json!([1, {"a": "b"}]), None), "[1, {\"a\": \"b\"}]");
        assert_eq!(d(json!("x"), None), "\"x\"");
        assert_eq!(dumps(&Value::Float(f64::NEG_INFINITY), None), "-Infinity");
        assert_eq!(
            dumps(&Value::Int(123456789012345678901234567890), None),
            "123456789012345678901234567890"
        );
        let compact = Style {
            ensure_ascii: true,
            sort_keys: true,
            compact: true,
            indent: None,
        };
        assert_eq!(
            dumps_with(&Value::from_serde(&json!({"b": "é", "a": 1})), compact),
            "{\"a\":1,\"b\":\"\\u00e9\"}"
        );
    }
}
