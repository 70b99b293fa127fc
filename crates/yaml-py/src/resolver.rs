//! ruamel's `VersionedResolver` (resolver.py): which tag a plain scalar gets, by YAML 1.2
//! rules unless a `%YAML 1.1` directive asks for 1.1's. The patterns are written out by
//! hand; each function names the regular expression it implements.
//!
//! ruamel picks the candidate patterns by the first character only (`""` has its own list),
//! in the order of `implicit_resolvers`: bool, float, int, merge, null, timestamp, value,
//! yaml. Python's `$` also matches before a final `\n`.

pub const STR: &str = "tag:yaml.org,2002:str";
pub const SEQ: &str = "tag:yaml.org,2002:seq";
pub const MAP: &str = "tag:yaml.org,2002:map";
pub const NULL: &str = "tag:yaml.org,2002:null";
pub const BOOL: &str = "tag:yaml.org,2002:bool";
pub const INT: &str = "tag:yaml.org,2002:int";
pub const FLOAT: &str = "tag:yaml.org,2002:float";
pub const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
pub const MERGE: &str = "tag:yaml.org,2002:merge";
pub const VALUE: &str = "tag:yaml.org,2002:value";
pub const YAML: &str = "tag:yaml.org,2002:yaml";
pub const BINARY: &str = "tag:yaml.org,2002:binary";
pub const OMAP: &str = "tag:yaml.org,2002:omap";
pub const PAIRS: &str = "tag:yaml.org,2002:pairs";
pub const SET: &str = "tag:yaml.org,2002:set";

/// A tag and its pattern.
type Candidate = (&'static str, fn(&str) -> bool);

/// A timestamp's zone: its text, and sign, hours and minutes unless it is `Z`.
type Zone<'a> = (&'a str, Option<(&'a str, &'a str, Option<&'a str>)>);

/// The tag ruamel's resolver gives a plain scalar `value` (`implicit[0]` true); `yaml11`
/// for a document under `%YAML 1.1`.
pub fn resolve_plain(value: &str, yaml11: bool) -> &'static str {
    let matches = |f: &dyn Fn(&str) -> bool| f(value) || value.strip_suffix('\n').is_some_and(f);
    let Some(first) = value.chars().next() else {
        return NULL;
    };
    let candidates: &[Candidate] = if yaml11 {
        match first {
            'y' | 'Y' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' => {
                &[(BOOL, is_bool11), (NULL, is_null)]
            }
            '-' | '+' | '.' => &[(FLOAT, is_float11), (INT, is_int11)],
            '0'..='9' => &[
                (FLOAT, is_float11),
                (INT, is_int11),
                (TIMESTAMP, is_timestamp),
            ],
            '<' => &[(MERGE, is_merge)],
            '~' => &[(NULL, is_null)],
            '=' => &[(VALUE, is_value)],
            '!' | '&' | '*' => &[(YAML, is_yaml)],
            _ => &[],
        }
    } else {
        match first {
            't' | 'T' | 'f' | 'F' => &[(BOOL, is_bool12)],
            '-' | '+' => &[(FLOAT, is_float12), (INT, is_int12)],
            '.' => &[(FLOAT, is_float12)],
            '0'..='9' => &[
                (FLOAT, is_float12),
                (INT, is_int12),
                (TIMESTAMP, is_timestamp),
            ],
            '<' => &[(MERGE, is_merge)],
            '~' | 'n' | 'N' => &[(NULL, is_null)],
            '=' => &[(VALUE, is_value)],
            '!' | '&' | '*' => &[(YAML, is_yaml)],
            _ => &[],
        }
    };
    for (tag, f) in candidates {
        if matches(f) {
            return tag;
        }
    }
    STR
}

fn is_bool12(s: &str) -> bool {
    matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
}

fn is_bool11(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn is_null(s: &str) -> bool {
    matches!(s, "~" | "null" | "Null" | "NULL" | "")
}

fn is_merge(s: &str) -> bool {
    s == "<<"
}

fn is_value(s: &str) -> bool {
    s == "="
}

fn is_yaml(s: &str) -> bool {
    matches!(s, "!" | "&" | "*")
}

/// A tiny cursor over ASCII bytes for the patterns below.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cursor { b, i: 0 }
    }
    fn at_end(&self) -> bool {
        self.i == self.b.len()
    }
    fn eat(&mut self, f: impl Fn(u8) -> bool) -> bool {
        match self.b.get(self.i) {
            Some(&c) if f(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }
    fn eat_all(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.eat(&f) {}
        self.i - start
    }
    fn eat_str(&mut self, s: &str) -> bool {
        if self.b[self.i..].starts_with(s.as_bytes()) {
            self.i += s.len();
            true
        } else {
            false
        }
    }
}

fn digit(c: u8) -> bool {
    c.is_ascii_digit()
}
fn digit_(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}
fn sign(c: u8) -> bool {
    c == b'-' || c == b'+'
}

/// Optional `[eE][-+]?[0-9]+` (sign required for `sign_required`); true if it matched to the
/// end.
fn exponent_to_end(c: &mut Cursor, sign_required: bool) -> bool {
    if !c.eat(|x| x == b'e' || x == b'E') {
        return false;
    }
    let signed = c.eat(sign);
    (signed || !sign_required) && c.eat_all(digit) > 0 && c.at_end()
}

/// YAML 1.2 float: `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?` |
/// `[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+` | `[-+]?\.[0-9_]+([eE][-+][0-9]+)?` |
/// `[-+]?\.(inf|Inf|INF)` | `\.(nan|NaN|NAN)`.
fn is_float12(s: &str) -> bool {
    float_common(s.as_bytes(), true)
}

/// YAML 1.1 float: as 1.2, but `\.[0-9_]+…` takes no sign, plus sexagesimal
/// `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`.
fn is_float11(s: &str) -> bool {
    let b = s.as_bytes();
    if float_common(b, false) {
        return true;
    }
    // Sexagesimal float.
    let mut c = Cursor::new(b);
    c.eat(sign);
    if !c.eat(digit) {
        return false;
    }
    c.eat_all(digit_);
    if !sexagesimal_groups(&mut c) {
        return false;
    }
    if !c.eat(|x| x == b'.') {
        return false;
    }
    c.eat_all(digit_);
    c.at_end()
}

/// `(:[0-5]?[0-9])+`, leaving the cursor after the last group.
fn sexagesimal_groups(c: &mut Cursor) -> bool {
    let mut groups = 0;
    while c.b.get(c.i) == Some(&b':') {
        let save = c.i;
        c.i += 1;
        let digits = c.b[c.i..].iter().take_while(|x| x.is_ascii_digit()).count();
        let take = if digits >= 2 && (b'0'..=b'5').contains(&c.b[c.i]) {
            2
        } else if digits >= 1 {
            1
        } else {
            c.i = save;
            break;
        };
        c.i += take;
        groups += 1;
    }
    groups > 0
}

fn float_common(b: &[u8], signed_dot_form: bool) -> bool {
    if matches!(b, b".nan" | b".NaN" | b".NAN") {
        return true;
    }
    let mut c = Cursor::new(b);
    let had_sign = c.eat(sign);
    if matches!(&b[c.i..], b".inf" | b".Inf" | b".INF") {
        return true;
    }
    if c.eat(digit) {
        c.eat_all(digit_);
        if c.eat(|x| x == b'.') {
            c.eat_all(digit_);
            if c.at_end() {
                return true;
            }
            return exponent_to_end(&mut c, false);
        }
        return exponent_to_end(&mut c, false);
    }
    if had_sign && !signed_dot_form {
        return false;
    }
    if c.eat(|x| x == b'.') && c.eat_all(digit_) > 0 {
        if c.at_end() {
            return true;
        }
        return exponent_to_end(&mut c, true);
    }
    false
}

fn all(s: &[u8], f: impl Fn(u8) -> bool) -> bool {
    !s.is_empty() && s.iter().all(|&x| f(x))
}

fn octal_(x: u8) -> bool {
    (b'0'..=b'7').contains(&x) || x == b'_'
}

/// YAML 1.2 int: `[-+]?0b[0-1_]+` | `[-+]?0o?[0-7_]+` | `[-+]?[0-9_]+` |
/// `[-+]?0x[0-9a-fA-F_]+`.
fn is_int12(s: &str) -> bool {
    let b = s.as_bytes();
    let body = match b.first() {
        Some(&c) if sign(c) => &b[1..],
        _ => b,
    };
    if let Some(r) = body.strip_prefix(b"0b") {
        if all(r, |x| x == b'0' || x == b'1' || x == b'_') {
            return true;
        }
    }
    if let Some(r) = body.strip_prefix(b"0x") {
        if all(r, |x| x.is_ascii_hexdigit() || x == b'_') {
            return true;
        }
    }
    if let Some(r) = body.strip_prefix(b"0o") {
        if all(r, octal_) {
            return true;
        }
    }
    all(body, digit_)
}

/// YAML 1.1 int: `[-+]?0b[0-1_]+` | `[-+]?0?[0-7_]+` | `[-+]?(0|[1-9][0-9_]*)` |
/// `[-+]?0x[0-9a-fA-F_]+` | `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`.
fn is_int11(s: &str) -> bool {
    let b = s.as_bytes();
    let body = match b.first() {
        Some(&c) if sign(c) => &b[1..],
        _ => b,
    };
    if let Some(r) = body.strip_prefix(b"0b") {
        if all(r, |x| x == b'0' || x == b'1' || x == b'_') {
            return true;
        }
    }
    if all(body.strip_prefix(b"0").unwrap_or(body), octal_) || all(body, octal_) {
        return true;
    }
    if body == b"0" {
        return true;
    }
    if let Some((&f, rest)) = body.split_first() {
        if (b'1'..=b'9').contains(&f) && rest.iter().all(|&x| digit_(x)) {
            return true;
        }
    }
    if let Some(r) = body.strip_prefix(b"0x") {
        if all(r, |x| x.is_ascii_hexdigit() || x == b'_') {
            return true;
        }
    }
    let mut c = Cursor::new(body);
    if c.eat(|x| (b'1'..=b'9').contains(&x)) {
        c.eat_all(digit_);
        if sexagesimal_groups(&mut c) && c.at_end() {
            return true;
        }
    }
    false
}

/// The timestamp pattern: `YYYY-MM-DD`, or
/// `YYYY-M?M-D?D([Tt]|[ \t]+)H?H:MM:SS(\.[0-9]*)?([ \t]*(Z|[-+]H?H(:MM)?))?`.
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let date_only = b.len() == 10
        && b.iter().enumerate().all(|(i, &x)| {
            if i == 4 || i == 7 {
                x == b'-'
            } else {
                x.is_ascii_digit()
            }
        });
    if date_only {
        return true;
    }
    let mut c = Cursor::new(b);
    let n_digits = |c: &mut Cursor, min: usize, max: usize| -> bool {
        let start = c.i;
        while c.i - start < max && c.eat(digit) {}
        c.i - start >= min
    };
    if !(n_digits(&mut c, 4, 4) && c.eat_str("-") && n_digits(&mut c, 1, 2)) {
        return false;
    }
    if !(c.eat_str("-") && n_digits(&mut c, 1, 2)) {
        return false;
    }
    if !(c.eat(|x| x == b'T' || x == b't') || c.eat_all(|x| x == b' ' || x == b'\t') > 0) {
        return false;
    }
    if !(n_digits(&mut c, 1, 2) && c.eat_str(":") && n_digits(&mut c, 2, 2)) {
        return false;
    }
    if !(c.eat_str(":") && n_digits(&mut c, 2, 2)) {
        return false;
    }
    if c.eat_str(".") {
        c.eat_all(digit);
    }
    if c.at_end() {
        return true;
    }
    c.eat_all(|x| x == b' ' || x == b'\t');
    if c.eat_str("Z") {
        return c.at_end();
    }
    if !(c.eat(sign) && n_digits(&mut c, 1, 2)) {
        return false;
    }
    if c.eat_str(":") && !n_digits(&mut c, 2, 2) {
        return false;
    }
    c.at_end()
}

/// The groups of ruamel's `util.timestamp_regexp` (which the constructor uses; unlike the
/// resolver's pattern, the time is optional), or `None` if it does not match.
pub(crate) struct TimestampParts<'a> {
    pub year: &'a str,
    pub month: &'a str,
    pub day: &'a str,
    pub time: Option<TimeParts<'a>>,
}

pub(crate) struct TimeParts<'a> {
    pub hour: &'a str,
    pub minute: &'a str,
    pub second: &'a str,
    pub fraction: Option<&'a str>,
    /// `Z`, or sign, hours and minutes.
    pub tz: Option<Zone<'a>>,
}

pub(crate) fn timestamp_parts(s: &str) -> Option<TimestampParts<'_>> {
    parse_timestamp(s).or_else(|| parse_timestamp(s.strip_suffix('\n')?))
}

fn parse_timestamp(s: &str) -> Option<TimestampParts<'_>> {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize, min: usize, max: usize| -> Option<&str> {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        (*i - start >= min).then(|| &s[start..*i])
    };
    let year = digits(&mut i, 4, 4)?;
    (b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let month = digits(&mut i, 1, 2)?;
    (b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let day = digits(&mut i, 1, 2)?;
    if i == b.len() {
        return Some(TimestampParts {
            year,
            month,
            day,
            time: None,
        });
    }
    if matches!(b.get(i), Some(b'T') | Some(b't')) {
        i += 1;
    } else {
        let start = i;
        while matches!(b.get(i), Some(b' ') | Some(b'\t')) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let hour = digits(&mut i, 1, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let minute = digits(&mut i, 2, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let second = digits(&mut i, 2, 2)?;
    let mut fraction = None;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        fraction = Some(&s[start..i]);
    }
    let mut tz = None;
    if i < b.len() {
        while matches!(b.get(i), Some(b' ') | Some(b'\t')) {
            i += 1;
        }
        let tz_start = i;
        if b.get(i) == Some(&b'Z') {
            i += 1;
            tz = Some((&s[tz_start..i], None));
        } else if matches!(b.get(i), Some(b'-') | Some(b'+')) {
            let sign_s = &s[i..i + 1];
            i += 1;
            let h = digits(&mut i, 1, 2)?;
            let mut m = None;
            if b.get(i) == Some(&b':') {
                i += 1;
                m = Some(digits(&mut i, 2, 2)?);
            }
            tz = Some((&s[tz_start..i], Some((sign_s, h, m))));
        } else {
            return None;
        }
        if i != b.len() {
            return None;
        }
    }
    Some(TimestampParts {
        year,
        month,
        day,
        time: Some(TimeParts {
            hour,
            minute,
            second,
            fraction,
            tz,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml12() {
        for (s, tag) in [
            ("", NULL),
            ("~", NULL),
            ("null", NULL),
            ("true", BOOL),
            ("yes", STR),
            ("on", STR),
            ("1", INT),
            ("0o17", INT),
            ("0x_F", INT),
            ("017", INT),
            ("1_000", INT),
            ("_", STR),
            ("+_", INT),
            ("1.5", FLOAT),
            ("1e3", FLOAT),
            (".5", FLOAT),
            ("+.5e+3", FLOAT),
            (".5e3", STR),
            ("-.inf", FLOAT),
            (".nan", FLOAT),
            ("-.nan", STR),
            ("2024-01-02", TIMESTAMP),
            ("2024-1-2", STR),
            ("2024-1-2t1:00:00", TIMESTAMP),
            ("<<", MERGE),
            ("=", VALUE),
            ("1:20", STR),
            ("a", STR),
        ] {
            assert_eq!(resolve_plain(s, false), tag, "{s:?}");
        }
    }

    #[test]
    fn yaml11() {
        for (s, tag) in [
            ("yes", BOOL),
            ("Off", BOOL),
            ("y", BOOL),
            ("1:20", INT),
            ("1:20.5", FLOAT),
            ("017", INT),
            ("09", STR),
            ("0o17", STR),
            ("+.5", STR),
            ("null", NULL),
            ("Null", NULL),
        ] {
            assert_eq!(resolve_plain(s, true), tag, "{s:?}");
        }
    }
}
