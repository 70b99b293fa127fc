//! Just enough XML for STS's query-protocol responses, read the way botocore reads them
//! (Python's expat through `xml.etree.ElementTree.XMLParser`): the document is checked as
//! expat checks it, giving expat's error text with its line and column (which the AWS CLI
//! prints in "Unable to parse response (...)"); elements are then read from the checked
//! bytes on demand.
//!
//! Bounded for any body: expat has no depth limit, so neither has this parser, and it
//! never recurses. Checking keeps four bytes per open element (where its name starts) and
//! the namespace prefixes in scope; no tree is built, each lookup scans the element it
//! starts from (STS answers are read with a handful of lookups).

use std::collections::HashMap;

/// An element of a checked document: its local name (namespace prefix dropped, as
/// botocore's `_node_tag` does), its child elements and its character data, read from the
/// document's bytes. `Debug` hides the text of elements that hold secrets
/// (`SecretAccessKey`, `SessionToken`).
#[derive(Clone, Copy, PartialEq)]
pub struct Element<'a> {
    doc: &'a [u8],
    /// The qualified name's first byte.
    name: usize,
    /// The content: from after the start tag to the end tag's `<` (empty when
    /// self-closing).
    content: (usize, usize),
}

impl std::fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        DebugTree(*self, 0).fmt(f)
    }
}

/// `Debug` of an element and its children, 16 levels deep at most (no recursion without
/// a bound).
struct DebugTree<'a>(Element<'a>, usize);

impl std::fmt::Debug for DebugTree<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let DebugTree(el, depth) = *self;
        let name = el.name();
        let mut s = f.debug_struct("Element");
        s.field("name", &name);
        if depth < 16 {
            let children: Vec<DebugTree> = el.children().map(|c| DebugTree(c, depth + 1)).collect();
            s.field("children", &children);
        }
        let text = el.text();
        if crate::log::is_secret_name(&name) {
            s.field("text", &crate::log::Secret(&text));
        } else {
            s.field("text", &text);
        }
        s.finish()
    }
}

impl<'a> Element<'a> {
    /// The local name.
    pub fn name(&self) -> String {
        let qname = &self.doc[self.name..name_end(self.doc, self.name)];
        let local = qname.rsplit(|&b| b == b':').next().unwrap_or(qname);
        String::from_utf8_lossy(local).into_owned()
    }

    /// The child elements, in document order.
    pub fn children(&self) -> Children<'a> {
        Children {
            doc: self.doc,
            pos: self.content.0,
            end: self.content.1,
        }
    }

    /// The last child of that name (botocore's name → node mapping keeps the last one).
    pub fn child(&self, name: &str) -> Option<Element<'a>> {
        self.children().filter(|c| c.name() == name).last()
    }

    /// All character data directly inside the element (child elements' text excluded),
    /// entities and character references replaced, CDATA as it is, line ends as `\n`.
    pub fn text(&self) -> String {
        let doc = self.doc;
        let (mut pos, end) = self.content;
        let mut out = Vec::new();
        while pos < end {
            match doc[pos] {
                b'<' if doc[pos..].starts_with(b"<![CDATA[") => {
                    let from = pos + 9;
                    let to = find(doc, from, b"]]>").unwrap_or(end);
                    out.extend_from_slice(&doc[from..to]);
                    pos = to + 3;
                }
                b'<' if is_start_tag(doc, pos) => {
                    let (after, self_closing) = tag_end(doc, pos);
                    pos = if self_closing {
                        after
                    } else {
                        tag_end(doc, matching_end_tag(doc, after)).0
                    };
                }
                b'<' => pos = skip_markup(doc, pos),
                b'&' => {
                    let semi = find(doc, pos, b";").unwrap_or(end);
                    out.extend_from_slice(entity(&doc[pos + 1..semi]).as_bytes());
                    pos = semi + 1;
                }
                b'\r' => {
                    out.push(b'\n');
                    pos += if doc.get(pos + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                }
                b => {
                    out.push(b);
                    pos += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// The child elements of an element (see `Element::children`).
pub struct Children<'a> {
    doc: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Iterator for Children<'a> {
    type Item = Element<'a>;

    fn next(&mut self) -> Option<Element<'a>> {
        let doc = self.doc;
        while self.pos < self.end {
            let at = self.pos;
            if doc[at] != b'<' {
                self.pos += 1;
                continue;
            }
            if !is_start_tag(doc, at) {
                self.pos = skip_markup(doc, at);
                continue;
            }
            let (after, self_closing) = tag_end(doc, at);
            let content_end = if self_closing {
                after
            } else {
                matching_end_tag(doc, after)
            };
            self.pos = if self_closing {
                after
            } else {
                tag_end(doc, content_end).0
            };
            return Some(Element {
                doc,
                name: at + 1,
                content: (after, content_end),
            });
        }
        None
    }
}

/// Check `body` as expat does and return its root element, or the `ParseError` text:
/// `"<expat message>: line L, column C"`.
pub fn parse(body: &[u8]) -> Result<Element<'_>, String> {
    // A leading BOM is skipped, as expat does (and not counted in columns).
    let s = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    if u32::try_from(s.len()).is_err() {
        return Err("out of memory: line 1, column 0".into());
    }
    let mut p = Parser {
        s,
        pos: 0,
        bindings: vec![],
        bound: HashMap::new(),
    };
    let root = p.document().map_err(|(msg, at)| {
        let (line, col) = line_col(s, at);
        format!("{msg}: line {line}, column {col}")
    })?;
    let (after, self_closing) = tag_end(s, root);
    let content_end = if self_closing {
        after
    } else {
        matching_end_tag(s, after)
    };
    Ok(Element {
        doc: s,
        name: root + 1,
        content: (after, content_end),
    })
}

type Fail = (&'static str, usize);

const INVALID: &str = "not well-formed (invalid token)";

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    /// Namespace prefixes bound by `xmlns:p` in the open elements: (depth, prefix).
    bindings: Vec<(usize, &'a [u8])>,
    /// How many open elements bind each prefix.
    bound: HashMap<&'a [u8], usize>,
}

/// Line (from 1) and column (characters since the line's start, from 0) of a byte
/// offset, as expat counts them: each undecodable byte is one character.
fn line_col(s: &[u8], at: usize) -> (usize, usize) {
    let before = &s[..at.min(s.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = before[start..]
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum();
    (line, col)
}

/// The character at `at` and its length in bytes; an undecodable byte reads as NUL (one
/// byte), which expat rejects as an invalid token wherever it appears.
fn char_at(s: &[u8], at: usize) -> Option<(char, usize)> {
    let b = *s.get(at)?;
    if b < 0x80 {
        return Some((b as char, 1));
    }
    let window = &s[at..(at + 4).min(s.len())];
    match window
        .utf8_chunks()
        .next()
        .and_then(|c| c.valid().chars().next())
    {
        Some(c) => Some((c, c.len_utf8())),
        None => Some(('\0', 1)),
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        char_at(self.s, self.pos).map(|(c, _)| c)
    }

    /// Step over the character at `pos`.
    fn bump(&mut self) {
        self.pos += char_at(self.s, self.pos).map_or(1, |(_, n)| n);
    }

    fn starts_with(&self, word: &str) -> bool {
        self.s[self.pos.min(self.s.len())..].starts_with(word.as_bytes())
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r' | '\n')) {
            self.pos += 1;
        }
    }

    /// The document; returns where the root element starts.
    fn document(&mut self) -> Result<usize, Fail> {
        // Prolog: XML declaration (only at the very start), comments, PIs, DOCTYPE.
        if self.starts_with("<?xml") && char_at(self.s, 5).is_some_and(|(c, _)| c.is_whitespace()) {
            self.skip_past("?>", 0)?;
        }
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Err(("no element found", self.pos)),
                Some('<') => {
                    if self.misc()? {
                        continue;
                    }
                    if self.starts_with("<!DOCTYPE") {
                        self.doctype()?;
                        continue;
                    }
                    break;
                }
                Some(c) => return Err((prolog_error(c, &self.s[self.pos..]), self.pos)),
            }
        }
        let root = self.pos;
        self.root()?;
        // Epilog: only whitespace, comments and PIs.
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Ok(root),
                Some('<') if self.misc()? => continue,
                // A cut-off tag is an unclosed token before it is junk.
                Some('<') if !self.s[self.pos..].contains(&b'>') => {
                    return Err(("unclosed token", self.pos))
                }
                Some(_) => return Err(("junk after document element", self.pos)),
            }
        }
    }

    /// A comment or processing instruction at `pos`; false if something else is there.
    fn misc(&mut self) -> Result<bool, Fail> {
        let start = self.pos;
        if self.starts_with("<!--") {
            self.skip_past("-->", start)?;
            return Ok(true);
        }
        if self.starts_with("<?") {
            if self.starts_with("<?xml")
                && char_at(self.s, self.pos + 5).is_some_and(|(c, _)| c.is_whitespace() || c == '?')
            {
                return Err(("XML or text declaration not at start of entity", self.pos));
            }
            self.skip_past("?>", start)?;
            return Ok(true);
        }
        Ok(false)
    }

    fn skip_past(&mut self, end: &str, token_start: usize) -> Result<(), Fail> {
        match find(self.s, self.pos, end.as_bytes()) {
            Some(i) => {
                self.pos = i + end.len();
                Ok(())
            }
            None => {
                self.pos = self.s.len();
                Err(("unclosed token", token_start))
            }
        }
    }

    fn doctype(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(&b) = self.s.get(self.pos) {
            self.pos += 1;
            match b {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b'>' if depth == 0 => return Ok(()),
                _ => {}
            }
        }
        Err(("unclosed token", start))
    }

    /// A name at `pos`: its bytes, `pos` moved past it.
    fn name(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_name_start(c) => self.bump(),
            _ => return None,
        }
        while self.peek().is_some_and(is_name_char) {
            self.bump();
        }
        Some(&self.s[start..self.pos])
    }

    /// The root element and everything in it, with a stack of open elements (where each
    /// one's name starts) instead of recursion.
    fn root(&mut self) -> Result<(), Fail> {
        let mut open: Vec<u32> = Vec::new();
        self.start_tag(&mut open)?;
        while let Some(&top) = open.last() {
            match self.peek() {
                None => return Err(("no element found", self.pos)),
                Some('<') => {
                    let start = self.pos;
                    if self.starts_with("</") {
                        self.pos += 2;
                        let name_at = self.pos;
                        let Some(end) = self.name() else {
                            return Err(self.invalid_or_unclosed(start));
                        };
                        self.skip_ws();
                        match self.peek() {
                            Some('>') => self.pos += 1,
                            None => return Err(("unclosed token", start)),
                            Some(_) => return Err((INVALID, self.pos)),
                        }
                        let top = top as usize;
                        if end != &self.s[top..name_end(self.s, top)] {
                            return Err(("mismatched tag", name_at));
                        }
                        open.pop();
                        self.unbind(open.len() + 1);
                    } else if self.starts_with("<![CDATA[") {
                        self.pos += 9;
                        self.skip_past("]]>", start)?;
                    } else if !self.misc()? {
                        self.start_tag(&mut open)?;
                    }
                }
                Some('&') => self.reference()?,
                Some(']') if self.starts_with("]]>") => return Err((INVALID, self.pos + 2)),
                Some(c) if is_invalid_char(c) => return Err((INVALID, self.pos)),
                Some(_) => self.bump(),
            }
        }
        Ok(())
    }

    /// A start tag at `<` (already checked); pushed on `open` unless it closes itself.
    fn start_tag(&mut self, open: &mut Vec<u32>) -> Result<(), Fail> {
        let start = self.pos;
        let depth = open.len() + 1;
        self.pos += 1;
        let Some(qname) = self.name() else {
            return Err(self.invalid_or_unclosed(start));
        };
        let mut attrs: Vec<&[u8]> = vec![];
        // A tag with many attributes: a set as well, not a scan per attribute.
        let mut seen: Option<std::collections::HashSet<&[u8]>> = None;
        let self_closing = loop {
            let had_space = matches!(self.peek(), Some(' ' | '\t' | '\r' | '\n'));
            self.skip_ws();
            match self.peek() {
                None => return Err(("unclosed token", start)),
                Some('>') => {
                    self.pos += 1;
                    break false;
                }
                Some('/') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('>') => {
                            self.pos += 1;
                            break true;
                        }
                        None => return Err(("unclosed token", start)),
                        Some(_) => return Err((INVALID, self.pos)),
                    }
                }
                Some(_) if !had_space => return Err((INVALID, self.pos)),
                Some(_) => {
                    let at = self.pos;
                    let Some(attr) = self.name() else {
                        return Err(self.invalid_or_unclosed(start));
                    };
                    if attrs.len() == 16 {
                        seen = Some(attrs.iter().copied().collect());
                    }
                    let duplicate = match &mut seen {
                        Some(set) => !set.insert(attr),
                        None => attrs.contains(&attr),
                    };
                    if duplicate {
                        return Err(("duplicate attribute", at));
                    }
                    self.attribute_value(start)?;
                    if let Some(prefix) = attr.strip_prefix(b"xmlns:") {
                        self.bindings.push((depth, prefix));
                        *self.bound.entry(prefix).or_default() += 1;
                    }
                    attrs.push(attr);
                }
            }
        };
        let unbound = |p: &Parser, name: &[u8]| {
            name.iter().position(|&b| b == b':').is_some_and(|i| {
                let prefix = &name[..i];
                prefix != b"xml"
                    && prefix != b"xmlns"
                    && p.bound.get(prefix).is_none_or(|&n| n == 0)
            })
        };
        if unbound(self, qname) || attrs.iter().any(|a| unbound(self, a)) {
            return Err(("unbound prefix", start));
        }
        if self_closing {
            self.unbind(depth);
        } else {
            open.push((start + 1) as u32);
        }
        Ok(())
    }

    /// `= "value"` after an attribute's name.
    fn attribute_value(&mut self, tag_start: usize) -> Result<(), Fail> {
        self.skip_ws();
        match self.peek() {
            Some('=') => self.pos += 1,
            None => return Err(("unclosed token", tag_start)),
            Some(_) => return Err((INVALID, self.pos)),
        }
        self.skip_ws();
        let quote = match self.peek() {
            Some(q @ ('"' | '\'')) => q,
            None => return Err(("unclosed token", tag_start)),
            Some(_) => return Err((INVALID, self.pos)),
        };
        self.pos += 1;
        loop {
            match self.peek() {
                None => return Err(("unclosed token", tag_start)),
                Some(c) if c == quote => break,
                Some('<') | Some('\0') => return Err((INVALID, self.pos)),
                Some('&') => {
                    self.reference().map_err(|(m, at)| {
                        // expat reports entity errors in attributes at the tag.
                        if m == "undefined entity" {
                            (m, tag_start)
                        } else {
                            (m, at)
                        }
                    })?;
                }
                Some(_) => self.bump(),
            }
        }
        self.pos += 1;
        Ok(())
    }

    /// The prefixes bound by the element at `depth`, out of scope.
    fn unbind(&mut self, depth: usize) {
        while let Some(&(d, prefix)) = self.bindings.last() {
            if d < depth {
                break;
            }
            self.bindings.pop();
            if let Some(n) = self.bound.get_mut(prefix) {
                *n -= 1;
            }
        }
    }

    /// `&name;` or `&#N;` / `&#xH;` at `pos`, checked.
    fn reference(&mut self) -> Result<(), Fail> {
        let amp = self.pos;
        self.pos += 1;
        if self.peek() == Some('#') {
            self.pos += 1;
            let hex = self.peek() == Some('x');
            if hex {
                self.pos += 1;
            }
            let start = self.pos;
            while self.peek().is_some_and(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            }) {
                self.pos += 1;
            }
            match self.peek() {
                None => return Err(("unclosed token", amp)),
                Some(';') if self.pos > start => {}
                Some(_) => return Err((INVALID, self.pos)),
            }
            let digits = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or_default();
            self.pos += 1;
            let n = u32::from_str_radix(digits, if hex { 16 } else { 10 }).ok();
            return match n.and_then(char::from_u32).filter(|c| !is_invalid_char(*c)) {
                Some(_) => Ok(()),
                None => Err(("reference to invalid character number", amp)),
            };
        }
        let Some(name) = self.name() else {
            return Err(match self.peek() {
                None => ("unclosed token", amp),
                Some(_) => (INVALID, self.pos),
            });
        };
        match self.peek() {
            Some(';') => self.pos += 1,
            None => return Err(("unclosed token", amp)),
            Some(_) => return Err((INVALID, self.pos)),
        }
        match name {
            b"lt" | b"gt" | b"amp" | b"quot" | b"apos" => Ok(()),
            _ => Err(("undefined entity", amp)),
        }
    }

    /// After `<` or `</` something that is not a name: cut off (unclosed) or invalid.
    fn invalid_or_unclosed(&self, token_start: usize) -> Fail {
        match self.peek() {
            None => ("unclosed token", token_start),
            Some(_) => (INVALID, self.pos),
        }
    }
}

/// The replacement text of a checked reference (`name` is what lies between `&` and `;`).
fn entity(name: &[u8]) -> String {
    let number = |digits: &[u8], radix| {
        let text = std::str::from_utf8(digits).unwrap_or_default();
        u32::from_str_radix(text, radix)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default()
    };
    match name {
        b"lt" => "<".into(),
        b"gt" => ">".into(),
        b"amp" => "&".into(),
        b"quot" => "\"".into(),
        b"apos" => "'".into(),
        [b'#', b'x', hex @ ..] => number(hex, 16),
        [b'#', dec @ ..] => number(dec, 10),
        _ => String::new(),
    }
}

/// The first `needle` at or after `from`.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut at = from;
    while at < hay.len() {
        let i = at + hay[at..].iter().position(|&b| b == first)?;
        if hay[i..].starts_with(needle) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// Where the name starting at `at` ends.
fn name_end(s: &[u8], mut at: usize) -> usize {
    while let Some((c, n)) = char_at(s, at) {
        if !is_name_char(c) {
            break;
        }
        at += n;
    }
    at
}

/// Whether a start tag begins at this `<` of a checked document.
fn is_start_tag(s: &[u8], at: usize) -> bool {
    !matches!(s.get(at + 1), Some(b'/' | b'!' | b'?') | None)
}

/// Past the comment, PI, CDATA section or end tag at this `<` of a checked document.
fn skip_markup(s: &[u8], at: usize) -> usize {
    let end: &[u8] = if s[at..].starts_with(b"<!--") {
        b"-->"
    } else if s[at..].starts_with(b"<![CDATA[") {
        b"]]>"
    } else if s[at..].starts_with(b"<?") {
        b"?>"
    } else {
        b">"
    };
    find(s, at + 1, end).map_or(s.len(), |i| i + end.len())
}

/// Past the start or end tag at this `<` of a checked document (`>` in quoted attribute
/// values skipped), and whether it closes itself.
fn tag_end(s: &[u8], at: usize) -> (usize, bool) {
    let mut quote = None;
    let mut i = at + 1;
    while i < s.len() {
        match (s[i], quote) {
            (b'"' | b'\'', None) => quote = Some(s[i]),
            (q, Some(open)) if q == open => quote = None,
            (b'>', None) => return (i + 1, s[i - 1] == b'/'),
            _ => {}
        }
        i += 1;
    }
    (s.len(), false)
}

/// The `<` of the end tag that closes the element whose content starts at `from`.
fn matching_end_tag(s: &[u8], from: usize) -> usize {
    let mut depth = 1usize;
    let mut pos = from;
    while pos < s.len() {
        let Some(i) = s[pos..].iter().position(|&b| b == b'<') else {
            break;
        };
        let at = pos + i;
        if s[at..].starts_with(b"</") {
            depth -= 1;
            if depth == 0 {
                return at;
            }
            pos = tag_end(s, at).0;
        } else if is_start_tag(s, at) {
            let (after, self_closing) = tag_end(s, at);
            if !self_closing {
                depth += 1;
            }
            pos = after;
        } else {
            pos = skip_markup(s, at);
        }
    }
    s.len()
}

/// expat's verdict on text before the root element (from its prolog tokenizer).
fn prolog_error(c: char, rest: &[u8]) -> &'static str {
    match c {
        '"' | '\'' => {
            if rest[1..].contains(&(c as u8)) {
                "syntax error"
            } else {
                "unclosed token"
            }
        }
        '%' | '#' | '\0' => "unclosed token",
        c if c.is_ascii_punctuation() && !".-_:|,>[]()".contains(c) => INVALID,
        c if c.is_control() => INVALID,
        _ => "syntax error",
    }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == ':' || (c as u32 >= 0x80 && !c.is_whitespace())
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

/// Characters XML 1.0 does not allow anywhere (C0 controls but tab/LF/CR, and our
/// marker for undecodable bytes).
fn is_invalid_char(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\u{fffe}' | '\u{ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_sts_response() {
        let doc = parse(br#"<?xml version="1.0"?>
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>a&amp;b&#65;&#x42;</SecretAccessKey><SessionToken><![CDATA[x<y]]></SessionToken></Credentials></AssumeRoleResult></AssumeRoleResponse>"#).unwrap();
        assert_eq!(doc.name(), "AssumeRoleResponse");
        let creds = doc
            .child("AssumeRoleResult")
            .and_then(|r| r.child("Credentials"))
            .unwrap();
        assert_eq!(creds.child("SecretAccessKey").unwrap().text(), "a&bAB");
        assert_eq!(creds.child("SessionToken").unwrap().text(), "x<y");
        let ns = parse(b"<s:a xmlns:s='u'><s:b>t</s:b></s:a>").unwrap();
        assert_eq!(ns.child("b").unwrap().text(), "t");
    }

    /// Each expectation is what Python's `xml.etree.ElementTree.XMLParser` says.
    #[test]
    fn expat_error_texts() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "no element found: line 1, column 0"),
            (b"   ", "no element found: line 1, column 3"),
            (b"this is not xml", "syntax error: line 1, column 0"),
            (
                b"{\"a\":1}",
                "not well-formed (invalid token): line 1, column 0",
            ),
            (b"<a>", "no element found: line 1, column 3"),
            (b"<a></b>", "mismatched tag: line 1, column 5"),
            (b"<a><b></a>", "mismatched tag: line 1, column 8"),
            (b"<a/>junk", "junk after document element: line 1, column 4"),
            (b"<a/><b/>", "junk after document element: line 1, column 4"),
            (b"<a>&foo;</a>", "undefined entity: line 1, column 3"),
            (b"<a", "unclosed token: line 1, column 0"),
            (b"<a b=\"1>", "unclosed token: line 1, column 0"),
            (
                b"<?xml version=\"1.0\"?>",
                "no element found: line 1, column 21",
            ),
            (b"\n\n  <a>\n<b>\n</a>", "mismatched tag: line 5, column 2"),
            (
                b"<a>\xff</a>",
                "not well-formed (invalid token): line 1, column 3",
            ),
            (
                b"<a>&#0;</a>",
                "reference to invalid character number: line 1, column 3",
            ),
            (
                b"<1a/>",
                "not well-formed (invalid token): line 1, column 1",
            ),
            (b"<a>text", "no element found: line 1, column 7"),
            (b"<!-- c -->", "no element found: line 1, column 10"),
            (
                b"<a x=\"1\" x=\"2\"/>",
                "duplicate attribute: line 1, column 9",
            ),
            (b"<p:a/>", "unbound prefix: line 1, column 0"),
            (b"123", "syntax error: line 1, column 0"),
            (b"<", "unclosed token: line 1, column 0"),
            (
                b"<a>&#xZZ;</a>",
                "not well-formed (invalid token): line 1, column 6",
            ),
            (
                b"<a b=1/>",
                "not well-formed (invalid token): line 1, column 5",
            ),
            (
                b"<a>]]></a>",
                "not well-formed (invalid token): line 1, column 5",
            ),
            (b"<a>\xc3\xa9</a><", "unclosed token: line 1, column 8"),
            (b"%", "unclosed token: line 1, column 0"),
            (b"=", "not well-formed (invalid token): line 1, column 0"),
            (b"\t x", "syntax error: line 1, column 2"),
            (b"<a></a", "unclosed token: line 1, column 3"),
            (b"</a>", "not well-formed (invalid token): line 1, column 1"),
            (b"<a b=\"&foo;\"/>", "undefined entity: line 1, column 0"),
            (
                b"<a b=\"<\"/>",
                "not well-formed (invalid token): line 1, column 6",
            ),
            (
                b"<a>&#65</a>",
                "not well-formed (invalid token): line 1, column 7",
            ),
            (
                b"<a>& </a>",
                "not well-formed (invalid token): line 1, column 4",
            ),
            (
                b"<a b=\"1\"c=\"2\"/>",
                "not well-formed (invalid token): line 1, column 8",
            ),
            (
                b"<a></ a>",
                "not well-formed (invalid token): line 1, column 5",
            ),
            (
                b" <?xml version=\"1.0\"?><a/>",
                "XML or text declaration not at start of entity: line 1, column 1",
            ),
            (
                b"<a><b/></a>\n\n junk",
                "junk after document element: line 3, column 1",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse(input).unwrap_err(),
                *expected,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        for ok in [
            &b"<html><body>x</body></html>"[..],
            b"<a>x</a >",
            b"<a/>\n<!-- x -->",
            b"<!DOCTYPE a><a/>",
            b"\xef\xbb\xbf<a/>",
        ] {
            assert!(parse(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
        assert_eq!(parse(b"<a>\r\n</a>").unwrap().text(), "\n");
    }

    /// expat has no depth limit: Python's XMLParser (the reference CLI, against a fake STS)
    /// says "no element found: line 1, column 90000" for 30,000 unclosed `<a>` and
    /// "mismatched tag: line 1, column 90002" with a `</b>` after them.
    #[test]
    fn deep_nesting_is_no_recursion() {
        let n = 100_000;
        let open = "<a>".repeat(n);
        assert_eq!(
            parse(open.as_bytes()).unwrap_err(),
            format!("no element found: line 1, column {}", 3 * n)
        );
        assert_eq!(
            parse(format!("{open}</b>").as_bytes()).unwrap_err(),
            format!("mismatched tag: line 1, column {}", 3 * n + 2)
        );
        let closed = format!("{open}{}", "</a>".repeat(n));
        let root = parse(closed.as_bytes()).unwrap();
        assert_eq!(root.name(), "a");
        assert!(root.child("AssumeRoleResult").is_none());
    }

    /// Elements are read around comments, PIs, CDATA and `>` in attribute values.
    #[test]
    fn reads_around_markup() {
        let doc = parse(b"<r><!-- <x> --><?p <y>?><a k=\"1>2\" j='/'/><![CDATA[<b>]]><c>t<d/>u&lt;<e>v</e>&#65;</c></r>").unwrap();
        let names: Vec<String> = doc.children().map(|c| c.name()).collect();
        assert_eq!(names, ["a", "c"]);
        assert_eq!(doc.text(), "<b>");
        let c = doc.child("c").unwrap();
        assert_eq!(c.text(), "tu<A");
        assert_eq!(c.child("e").unwrap().text(), "v");
        assert_eq!(doc.child("a").unwrap().text(), "");
        assert!(doc.child("x").is_none() && doc.child("b").is_none());
    }

    /// Cut and mutated responses never panic (a deterministic xorshift drives it).
    #[test]
    fn debug_hides_secret_texts() {
        let e = parse(b"<R><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>xmlSECRET</SecretAccessKey><SessionToken><![CDATA[xmlTOKEN]]></SessionToken></Credentials></R>").unwrap();
        let shown = format!("{e:?}");
        assert!(shown.contains("ASIAX"), "{shown}");
        assert!(
            !shown.contains("xmlSECRET") && !shown.contains("xmlTOKEN"),
            "{shown}"
        );
    }

    #[test]
    fn never_panics() {
        let seed = b"<?xml version=\"1.0\"?><r xmlns:p='u'><p:a b=\"&amp;\">x&#65;<![CDATA[y]]><!--c--></p:a><b/></r>";
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"<>/&;#x!-?[]\"'= a:\xc3\xa9\xff\r\n";
        for _ in 0..20_000 {
            let mut input = seed.to_vec();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() as usize) % (input.len() + 1);
                match next() % 3 {
                    0 => input.truncate(at),
                    1 if at < input.len() => {
                        input[at] = alphabet[(next() as usize) % alphabet.len()];
                    }
                    _ => input.insert(
                        at.min(input.len()),
                        alphabet[(next() as usize) % alphabet.len()],
                    ),
                }
            }
            let _ = parse(&input);
        }
    }
}
