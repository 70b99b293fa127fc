//! Python's `json.loads`, which python-jmespath uses for `` `literal` `` tokens and
//! `"quoted identifiers"`. It differs from strict JSON parsers in ways that show:
//! `NaN`, `Infinity` and `-Infinity` are accepted, integers stay integers (`-0` is int 0,
//! `1.0` a float), lone surrogate escapes are accepted, duplicate keys keep the first
//! position and the last value.
//!
//! Errors carry the part of Python's message before the first `:` (that is all
//! python-jmespath shows of it, for quoted identifiers).

use std::sync::Arc;

use super::value::{Obj, Val};

/// Python's C JSON decoder guards its recursion; a literal nested deeper than this is
/// refused with Python's RecursionError text instead of growing our stack.
const MAX_DEPTH: usize = 1000;

#[derive(Debug, PartialEq)]
pub(crate) enum JsonError {
    /// A ValueError (JSONDecodeError) with the message before its `:`.
    Invalid(&'static str),
    /// A RecursionError, with Python's full text.
    TooDeep(String),
}

pub(crate) fn loads(text: &str) -> Result<Val, JsonError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.first() == Some(&'\u{feff}') {
        return Err(JsonError::Invalid(
            "Unexpected UTF-8 BOM (decode using utf-8-sig)",
        ));
    }
    let mut p = Decoder { s: &chars, pos: 0 };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos != chars.len() {
        return Err(JsonError::Invalid("Extra data"));
    }
    Ok(v)
}

struct Decoder<'a> {
    s: &'a [char],
    pos: usize,
}

impl Decoder<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    fn starts_with(&self, word: &str) -> bool {
        (self.pos..)
            .zip(word.chars())
            .all(|(i, c)| self.s.get(i) == Some(&c))
    }

    fn word(&mut self, word: &str, v: Val) -> Option<Val> {
        if self.starts_with(word) {
            self.pos += word.chars().count();
            Some(v)
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Result<Val, JsonError> {
        let expecting = JsonError::Invalid("Expecting value");
        let Some(c) = self.peek() else {
            return Err(expecting);
        };
        let found = match c {
            '"' => {
                self.pos += 1;
                return self.string().map(|s| Val::Str(Arc::from(s)));
            }
            '{' => return self.object(depth + 1),
            '[' => return self.array(depth + 1),
            'n' => self.word("null", Val::Null),
            't' => self.word("true", Val::Bool(true)),
            'f' => self.word("false", Val::Bool(false)),
            'N' => self.word("NaN", Val::Float(f64::NAN)),
            'I' => self.word("Infinity", Val::Float(f64::INFINITY)),
            '-' if self.s.get(self.pos + 1) == Some(&'I') => {
                self.word("-Infinity", Val::Float(f64::NEG_INFINITY))
            }
            _ => self.number(),
        };
        found.ok_or(expecting)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`; a fraction or exponent makes a
    /// float. A `.` or `e` not followed by digits is left for the caller (→ "Extra data").
    fn number(&mut self) -> Option<Val> {
        let start = self.pos;
        let mut i = self.pos;
        if self.s.get(i) == Some(&'-') {
            i += 1;
        }
        match self.s.get(i) {
            Some('0') => i += 1,
            Some('1'..='9') => {
                while matches!(self.s.get(i), Some('0'..='9')) {
                    i += 1;
                }
            }
            _ => return None,
        }
        let mut is_float = false;
        if self.s.get(i) == Some(&'.') && matches!(self.s.get(i + 1), Some('0'..='9')) {
            is_float = true;
            i += 1;
            while matches!(self.s.get(i), Some('0'..='9')) {
                i += 1;
            }
        }
        if matches!(self.s.get(i), Some('e' | 'E')) {
            let mut j = i + 1;
            if matches!(self.s.get(j), Some('+' | '-')) {
                j += 1;
            }
            if matches!(self.s.get(j), Some('0'..='9')) {
                while matches!(self.s.get(j), Some('0'..='9')) {
                    j += 1;
                }
                is_float = true;
                i = j;
            }
        }
        let text: String = self.s[start..i].iter().collect();
        self.pos = i;
        if is_float {
            // Correctly rounded like Python's float(); overflow gives ±inf as in Python.
            text.parse::<f64>().ok().map(Val::Float)
        } else {
            Some(match text.parse::<i128>() {
                Ok(n) => Val::Int(n),
                // Beyond 128 bits: a documented approximation of Python's big ints.
                Err(_) => Val::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
            })
        }
    }

    /// The body of a string, after its opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(JsonError::Invalid("Unterminated string starting at"));
            };
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(JsonError::Invalid("Unterminated string starting at"));
                    };
                    self.pos += 1;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => out.push(self.unicode_escape()?),
                        _ => return Err(JsonError::Invalid("Invalid \\escape")),
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(JsonError::Invalid("Invalid control character at"));
                }
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.pos..self.pos + 4)?;
        let mut v = 0;
        for d in digits {
            v = v * 16 + d.to_digit(16)?;
        }
        self.pos += 4;
        Some(v)
    }

    /// `\uXXXX`, joining a surrogate pair. Python keeps a lone surrogate in the str; Rust
    /// strings cannot hold one, so it becomes U+FFFD (documented approximation).
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let bad = JsonError::Invalid("Invalid \\uXXXX escape");
        let hi = self.hex4().ok_or(bad)?;
        if (0xd800..0xdc00).contains(&hi)
            && self.peek() == Some('\\')
            && self.s.get(self.pos + 1) == Some(&'u')
        {
            let save = self.pos;
            self.pos += 2;
            match self.hex4() {
                Some(lo) if (0xdc00..0xe000).contains(&lo) => {
                    let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                    return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
                }
                Some(_) => self.pos = save,
                None => return Err(JsonError::Invalid("Invalid \\uXXXX escape")),
            }
        }
        Ok(char::from_u32(hi).unwrap_or('\u{fffd}'))
    }

    fn too_deep(depth: usize, what: &str) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep(format!(
                "maximum recursion depth exceeded while decoding a JSON {what} from a unicode string"
            )));
        }
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<Val, JsonError> {
        Self::too_deep(depth, "object")?;
        self.pos += 1;
        let mut obj = Obj::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(Val::object(obj));
        }
        loop {
            if self.peek() != Some('"') {
                return Err(JsonError::Invalid(
                    "Expecting property name enclosed in double quotes",
                ));
            }
            self.pos += 1;
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(':') {
                return Err(JsonError::Invalid("Expecting ':' delimiter"));
            }
            self.pos += 1;
            self.skip_ws();
            let v = self.value(depth)?;
            obj.insert(Arc::from(key), v);
            self.skip_ws();
            match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    return Ok(Val::object(obj));
                }
                Some(',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some('}') {
                        return Err(JsonError::Invalid(
                            "Illegal trailing comma before end of object",
                        ));
                    }
                }
                _ => return Err(JsonError::Invalid("Expecting ',' delimiter")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Val, JsonError> {
        Self::too_deep(depth, "array")?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(Val::array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(']') => {
                    self.pos += 1;
                    return Ok(Val::array(items));
                }
                Some(',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(']') {
                        return Err(JsonError::Invalid(
                            "Illegal trailing comma before end of array",
                        ));
                    }
                }
                _ => return Err(JsonError::Invalid("Expecting ',' delimiter")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::query::pytext::py_repr;

    fn repr(s: &str) -> String {
        py_repr(&loads(s).unwrap())
    }

    fn error(s: &str) -> JsonError {
        loads(s).err().unwrap()
    }

    #[test]
    fn python_json_values() {
        assert_eq!(repr(" -0 "), "0");
        assert_eq!(repr("1.0"), "1.0");
        assert_eq!(repr("1E2"), "100.0");
        assert_eq!(repr("-Infinity"), "-inf");
        assert_eq!(repr(r#"{"b": 1, "a": 2, "b": 3}"#), "{'b': 3, 'a': 2}");
        assert_eq!(repr(r#""\ud83d\ude00\u00e9""#), "'😀é'");
        assert_eq!(error("1."), JsonError::Invalid("Extra data"));
        assert_eq!(error("01"), JsonError::Invalid("Extra data"));
        assert_eq!(
            error("[1,]"),
            JsonError::Invalid("Illegal trailing comma before end of array")
        );
        assert_eq!(error("\"a\\x\""), JsonError::Invalid("Invalid \\escape"));
        assert_eq!(
            error("\"a\u{1}\""),
            JsonError::Invalid("Invalid control character at")
        );
        assert_eq!(
            error("\"\\u12\""),
            JsonError::Invalid("Invalid \\uXXXX escape")
        );
        assert!(matches!(
            loads(&"[".repeat(5000)),
            Err(JsonError::TooDeep(_))
        ));
    }
}
