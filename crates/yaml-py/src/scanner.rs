//! ruamel's `Scanner` (scanner.py, the base class the safe loader uses: comments are
//! skipped, not kept): characters to tokens, with its simple-key and indentation rules and
//! its error texts.

use crate::error::{marked, problem, python, Mark, Res};
use crate::py::char_repr;
use crate::reader::Reader;

const THE_END: &str = "\n\0\r\u{85}\u{2028}\u{2029}";
const THE_END_SPACE_TAB: &str = " \n\0\t\r\u{85}\u{2028}\u{2029}";

fn is_in(c: char, set: &str) -> bool {
    set.contains(c)
}

/// A YAML version as ruamel keeps it: a pair of Python ints (kept as their digits, since a
/// directive may hold any number of them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    pub major: String,
    pub minor: String,
}

impl Version {
    pub fn new(major: &str, minor: &str) -> Version {
        fn norm(d: &str) -> String {
            let t = d.trim_start_matches('0');
            if t.is_empty() {
                "0".into()
            } else {
                t.into()
            }
        }
        Version {
            major: norm(major),
            minor: norm(minor),
        }
    }
    pub fn v12() -> Version {
        Version::new("1", "2")
    }
    pub fn is(&self, major: &str, minor: &str) -> bool {
        self.major == major && self.minor == minor
    }
    pub fn is_1_1(&self) -> bool {
        self.is("1", "1")
    }
    /// `version > (1, 1)` (tuple comparison of ints).
    pub fn gt_1_1(&self) -> bool {
        fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        }
        match cmp(&self.major, "1") {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => cmp(&self.minor, "1") == std::cmp::Ordering::Greater,
        }
    }
    /// Python's `repr` of the tuple: `(1, 3)`.
    pub fn tuple_repr(&self) -> String {
        format!("({}, {})", self.major, self.minor)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DirectiveValue {
    None,
    Yaml(Version),
    Tag(String, String),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    StreamStart,
    StreamEnd,
    Directive {
        name: String,
        value: DirectiveValue,
    },
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowMappingStart,
    FlowSequenceEnd,
    FlowMappingEnd,
    Key,
    Value,
    BlockEntry,
    FlowEntry,
    Alias(String),
    Anchor(String),
    Tag(Option<String>, String),
    Scalar {
        value: String,
        plain: bool,
        style: Option<char>,
    },
}

impl Tok {
    /// The token class's `id`, as the parser's messages print it.
    pub fn id(&self) -> &'static str {
        match self {
            Tok::StreamStart => "<stream start>",
            Tok::StreamEnd => "<stream end>",
            Tok::Directive { .. } => "<directive>",
            Tok::DocumentStart => "<document start>",
            Tok::DocumentEnd => "<document end>",
            Tok::BlockSequenceStart => "<block sequence start>",
            Tok::BlockMappingStart => "<block mapping start>",
            Tok::BlockEnd => "<block end>",
            Tok::FlowSequenceStart => "[",
            Tok::FlowMappingStart => "{",
            Tok::FlowSequenceEnd => "]",
            Tok::FlowMappingEnd => "}",
            Tok::Key => "?",
            Tok::Value => ":",
            Tok::BlockEntry => "-",
            Tok::FlowEntry => ",",
            Tok::Alias(_) => "<alias>",
            Tok::Anchor(_) => "<anchor>",
            Tok::Tag(..) => "<tag>",
            Tok::Scalar { .. } => "<scalar>",
        }
    }
}

/// The token kinds without their data, for `check_token(...)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum K {
    StreamEnd,
    Directive,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowMappingStart,
    FlowSequenceEnd,
    FlowMappingEnd,
    Key,
    Value,
    BlockEntry,
    FlowEntry,
    Alias,
    Anchor,
    Tag,
    Scalar,
    Other,
}

impl Tok {
    pub fn kind(&self) -> K {
        match self {
            Tok::StreamEnd => K::StreamEnd,
            Tok::Directive { .. } => K::Directive,
            Tok::DocumentStart => K::DocumentStart,
            Tok::DocumentEnd => K::DocumentEnd,
            Tok::BlockSequenceStart => K::BlockSequenceStart,
            Tok::BlockMappingStart => K::BlockMappingStart,
            Tok::BlockEnd => K::BlockEnd,
            Tok::FlowSequenceStart => K::FlowSequenceStart,
            Tok::FlowMappingStart => K::FlowMappingStart,
            Tok::FlowSequenceEnd => K::FlowSequenceEnd,
            Tok::FlowMappingEnd => K::FlowMappingEnd,
            Tok::Key => K::Key,
            Tok::Value => K::Value,
            Tok::BlockEntry => K::BlockEntry,
            Tok::FlowEntry => K::FlowEntry,
            Tok::Alias(_) => K::Alias,
            Tok::Anchor(_) => K::Anchor,
            Tok::Tag(..) => K::Tag,
            Tok::Scalar { .. } => K::Scalar,
            Tok::StreamStart => K::Other,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: Mark,
    pub end: Mark,
}

struct SimpleKey {
    token_number: usize,
    required: bool,
    index: usize,
    line: usize,
    column: usize,
    mark: Mark,
}

pub(crate) struct Scanner {
    pub r: Reader,
    done: bool,
    /// `flow_context`: one entry per unclosed `[` or `{`.
    flow_context: Vec<char>,
    tokens: std::collections::VecDeque<Token>,
    tokens_taken: usize,
    indent: isize,
    indents: Vec<isize>,
    allow_simple_key: bool,
    /// `possible_simple_keys`, a dict keyed by flow level (insertion order matters).
    possible_simple_keys: Vec<(usize, SimpleKey)>,
    /// The `%YAML` version scanned last (`yaml_version`): the processing version.
    pub yaml_version: Option<Version>,
}

impl Scanner {
    pub fn new(r: Reader) -> Scanner {
        let mark = r.mark();
        let mut tokens = std::collections::VecDeque::new();
        tokens.push_back(Token {
            tok: Tok::StreamStart,
            start: mark,
            end: mark,
        });
        Scanner {
            r,
            done: false,
            flow_context: Vec::new(),
            tokens,
            tokens_taken: 0,
            indent: -1,
            indents: Vec::new(),
            allow_simple_key: true,
            possible_simple_keys: Vec::new(),
            yaml_version: None,
        }
    }

    fn flow_level(&self) -> usize {
        self.flow_context.len()
    }

    /// The resolver's `processing_version`: the last `%YAML` directive, else 1.2.
    pub fn processing_version(&self) -> Version {
        self.yaml_version.clone().unwrap_or_else(Version::v12)
    }

    fn is_1_1(&self) -> bool {
        self.yaml_version.as_ref().is_some_and(Version::is_1_1)
    }

    // Public methods.

    pub fn check_token(&mut self, choices: &[K]) -> Res<bool> {
        while self.need_more_tokens()? {
            self.fetch_more_tokens()?;
        }
        Ok(match self.tokens.front() {
            Some(t) => choices.is_empty() || choices.contains(&t.tok.kind()),
            None => false,
        })
    }

    pub fn peek_token(&mut self) -> Res<Option<&Token>> {
        while self.need_more_tokens()? {
            self.fetch_more_tokens()?;
        }
        Ok(self.tokens.front())
    }

    pub fn get_token(&mut self) -> Res<Option<Token>> {
        while self.need_more_tokens()? {
            self.fetch_more_tokens()?;
        }
        let t = self.tokens.pop_front();
        if t.is_some() {
            self.tokens_taken += 1;
        }
        Ok(t)
    }

    /// The next token's id and start mark (for error messages); the stream end if none.
    pub fn peek_id_mark(&mut self) -> Res<(&'static str, Mark)> {
        let m = self.r.mark();
        Ok(match self.peek_token()? {
            Some(t) => (t.tok.id(), t.start),
            None => ("<stream end>", m),
        })
    }

    fn need_more_tokens(&mut self) -> Res<bool> {
        if self.done {
            return Ok(false);
        }
        if self.tokens.is_empty() {
            return Ok(true);
        }
        self.stale_possible_simple_keys()?;
        Ok(self.next_possible_simple_key() == Some(self.tokens_taken))
    }

    fn push(&mut self, tok: Tok, start: Mark, end: Mark) {
        self.tokens.push_back(Token { tok, start, end });
    }

    fn fetch_more_tokens(&mut self) -> Res<()> {
        self.scan_to_next_token()?;
        self.stale_possible_simple_keys()?;
        self.unwind_indent(self.r.column as isize);
        let ch = self.r.ch()?;
        if ch == '\0' {
            return self.fetch_stream_end();
        }
        if ch == '%' && self.check_directive() {
            return self.fetch_directive();
        }
        if ch == '-' && self.check_document_indicator("---")? {
            return self.fetch_document_indicator(Tok::DocumentStart);
        }
        if ch == '.' && self.check_document_indicator("...")? {
            return self.fetch_document_indicator(Tok::DocumentEnd);
        }
        match ch {
            '[' => return self.fetch_flow_collection_start(Tok::FlowSequenceStart, '['),
            '{' => return self.fetch_flow_collection_start(Tok::FlowMappingStart, '{'),
            ']' => return self.fetch_flow_collection_end(Tok::FlowSequenceEnd),
            '}' => return self.fetch_flow_collection_end(Tok::FlowMappingEnd),
            ',' => return self.fetch_flow_entry(),
            _ => {}
        }
        if ch == '-' && is_in(self.r.peek(1)?, THE_END_SPACE_TAB) {
            return self.fetch_block_entry();
        }
        if ch == '?' && self.check_key()? {
            return self.fetch_key();
        }
        if ch == ':' && self.check_value()? {
            return self.fetch_value();
        }
        match ch {
            '*' => return self.fetch_anchor(true),
            '&' => return self.fetch_anchor(false),
            '!' => return self.fetch_tag(),
            '|' if self.flow_level() == 0 => return self.fetch_block_scalar('|'),
            '>' if self.flow_level() == 0 => return self.fetch_block_scalar('>'),
            '\'' => return self.fetch_flow_scalar('\''),
            '"' => return self.fetch_flow_scalar('"'),
            _ => {}
        }
        if self.check_plain()? {
            return self.fetch_plain();
        }
        Err(marked_opt(
            "while scanning for the next token",
            None,
            format!(
                "found character {} that cannot start any token",
                char_repr(ch)
            ),
            self.r.mark(),
        ))
    }

    // Simple keys treatment.

    fn next_possible_simple_key(&self) -> Option<usize> {
        self.possible_simple_keys
            .iter()
            .map(|(_, k)| k.token_number)
            .min()
    }

    fn stale_possible_simple_keys(&mut self) -> Res<()> {
        let line = self.r.line;
        let index = self.r.index;
        let mut i = 0;
        while i < self.possible_simple_keys.len() {
            let key = &self.possible_simple_keys[i].1;
            if key.line != line || index - key.index > 1024 {
                if key.required {
                    return Err(marked(
                        "while scanning a simple key",
                        key.mark,
                        "could not find expected ':'",
                        self.r.mark(),
                    ));
                }
                self.possible_simple_keys.remove(i);
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    fn save_possible_simple_key(&mut self) -> Res<()> {
        let required = self.flow_level() == 0 && self.indent == self.r.column as isize;
        if self.allow_simple_key {
            self.remove_possible_simple_key()?;
            let token_number = self.tokens_taken + self.tokens.len();
            let key = SimpleKey {
                token_number,
                required,
                index: self.r.index,
                line: self.r.line,
                column: self.r.column,
                mark: self.r.mark(),
            };
            let level = self.flow_level();
            self.possible_simple_keys.push((level, key));
        }
        Ok(())
    }

    fn remove_possible_simple_key(&mut self) -> Res<()> {
        let level = self.flow_level();
        if let Some(pos) = self
            .possible_simple_keys
            .iter()
            .position(|(l, _)| *l == level)
        {
            let key = &self.possible_simple_keys[pos].1;
            if key.required {
                return Err(marked(
                    "while scanning a simple key",
                    key.mark,
                    "could not find expected ':'",
                    self.r.mark(),
                ));
            }
            self.possible_simple_keys.remove(pos);
        }
        Ok(())
    }

    // Indentation functions.

    fn unwind_indent(&mut self, column: isize) {
        if self.flow_level() > 0 {
            return;
        }
        while self.indent > column {
            let mark = self.r.mark();
            self.indent = self.indents.pop().unwrap_or(-1);
            self.push(Tok::BlockEnd, mark, mark);
        }
    }

    fn add_indent(&mut self, column: isize) -> bool {
        if self.indent < column {
            self.indents.push(self.indent);
            self.indent = column;
            true
        } else {
            false
        }
    }

    // Fetchers.

    fn fetch_stream_end(&mut self) -> Res<()> {
        self.unwind_indent(-1);
        self.remove_possible_simple_key()?;
        self.allow_simple_key = false;
        self.possible_simple_keys.clear();
        let mark = self.r.mark();
        self.push(Tok::StreamEnd, mark, mark);
        self.done = true;
        Ok(())
    }

    fn fetch_directive(&mut self) -> Res<()> {
        self.unwind_indent(-1);
        self.remove_possible_simple_key()?;
        self.allow_simple_key = false;
        let t = self.scan_directive()?;
        self.tokens.push_back(t);
        Ok(())
    }

    fn fetch_document_indicator(&mut self, tok: Tok) -> Res<()> {
        self.unwind_indent(-1);
        self.remove_possible_simple_key()?;
        self.allow_simple_key = false;
        let start = self.r.mark();
        self.r.forward(3)?;
        let end = self.r.mark();
        self.push(tok, start, end);
        Ok(())
    }

    fn fetch_flow_collection_start(&mut self, tok: Tok, to_push: char) -> Res<()> {
        self.save_possible_simple_key()?;
        self.flow_context.push(to_push);
        self.allow_simple_key = true;
        let start = self.r.mark();
        self.r.forward(1)?;
        let end = self.r.mark();
        self.push(tok, start, end);
        Ok(())
    }

    fn fetch_flow_collection_end(&mut self, tok: Tok) -> Res<()> {
        self.remove_possible_simple_key()?;
        self.flow_context.pop();
        self.allow_simple_key = false;
        let start = self.r.mark();
        self.r.forward(1)?;
        let end = self.r.mark();
        self.push(tok, start, end);
        Ok(())
    }

    fn fetch_flow_entry(&mut self) -> Res<()> {
        self.allow_simple_key = true;
        self.remove_possible_simple_key()?;
        let start = self.r.mark();
        self.r.forward(1)?;
        let end = self.r.mark();
        self.push(Tok::FlowEntry, start, end);
        Ok(())
    }

    fn fetch_block_entry(&mut self) -> Res<()> {
        if self.flow_level() == 0 {
            if !self.allow_simple_key {
                return Err(problem(
                    "sequence entries are not allowed here",
                    self.r.mark(),
                ));
            }
            if self.add_indent(self.r.column as isize) {
                let mark = self.r.mark();
                self.push(Tok::BlockSequenceStart, mark, mark);
            }
        }
        self.allow_simple_key = true;
        self.remove_possible_simple_key()?;
        let start = self.r.mark();
        self.r.forward(1)?;
        let end = self.r.mark();
        self.push(Tok::BlockEntry, start, end);
        Ok(())
    }

    fn fetch_key(&mut self) -> Res<()> {
        if self.flow_level() == 0 {
            if !self.allow_simple_key {
                return Err(problem("mapping keys are not allowed here", self.r.mark()));
            }
            if self.add_indent(self.r.column as isize) {
                let mark = self.r.mark();
                self.push(Tok::BlockMappingStart, mark, mark);
            }
        }
        self.allow_simple_key = self.flow_level() == 0;
        self.remove_possible_simple_key()?;
        let start = self.r.mark();
        self.r.forward(1)?;
        let end = self.r.mark();
        self.push(Tok::Key, start, end);
        Ok(())
    }

    fn fetch_value(&mut self) -> Res<()> {
        let level = self.flow_level();
        if let Some(pos) = self
            .possible_simple_keys
            .iter()
            .position(|(l, _)| *l == level)
        {
            let (_, key) = self.possible_simple_keys.remove(pos);
            let at = key.token_number - self.tokens_taken;
            self.tokens.insert(
                at,
                Token {
                    tok: Tok::Key,
                    start: key.mark,
                    end: key.mark,
                },
            );
            if level == 0 && self.add_indent(key.column as isize) {
                self.tokens.insert(
                    at,
                    Token {
                        tok: Tok::BlockMappingStart,
                        start: key.mark,
                        end: key.mark,
                    },
                );
            }
            self.allow_simple_key = false;
        } else {
            if level == 0 && !self.allow_simple_key {
                return Err(problem(
                    "mapping values are not allowed here",
                    self.r.mark(),
                ));
            }
            if level == 0 && self.add_indent(self.r.column as isize) {
                let mark = self.r.mark();
                self.push(Tok::BlockMappingStart, mark, mark);
            }
            self.allow_simple_key = level == 0;
            self.remove_possible_simple_key()?;
        }
        let start = self.r.mark();
        self.r.forward(1)?;
        let end = self.r.mark();
        self.push(Tok::Value, start, end);
        Ok(())
    }

    fn fetch_anchor(&mut self, alias: bool) -> Res<()> {
        self.save_possible_simple_key()?;
        self.allow_simple_key = false;
        let t = self.scan_anchor(alias)?;
        self.tokens.push_back(t);
        Ok(())
    }

    fn fetch_tag(&mut self) -> Res<()> {
        self.save_possible_simple_key()?;
        self.allow_simple_key = false;
        let t = self.scan_tag()?;
        self.tokens.push_back(t);
        Ok(())
    }

    fn fetch_block_scalar(&mut self, style: char) -> Res<()> {
        self.allow_simple_key = true;
        self.remove_possible_simple_key()?;
        let t = self.scan_block_scalar(style)?;
        self.tokens.push_back(t);
        Ok(())
    }

    fn fetch_flow_scalar(&mut self, style: char) -> Res<()> {
        self.save_possible_simple_key()?;
        self.allow_simple_key = false;
        let t = self.scan_flow_scalar(style)?;
        self.tokens.push_back(t);
        Ok(())
    }

    fn fetch_plain(&mut self) -> Res<()> {
        self.save_possible_simple_key()?;
        self.allow_simple_key = false;
        let t = self.scan_plain()?;
        self.tokens.push_back(t);
        Ok(())
    }

    // Checkers.

    fn check_directive(&self) -> bool {
        self.r.column == 0
    }

    fn check_document_indicator(&mut self, which: &str) -> Res<bool> {
        Ok(self.r.column == 0
            && self.r.prefix(3)? == which
            && is_in(self.r.peek(3)?, THE_END_SPACE_TAB))
    }

    fn check_key(&mut self) -> Res<bool> {
        if self.flow_level() > 0 {
            return Ok(true);
        }
        Ok(is_in(self.r.peek(1)?, THE_END_SPACE_TAB))
    }

    fn check_value(&mut self) -> Res<bool> {
        if self.is_1_1() {
            if self.flow_level() > 0 {
                return Ok(true);
            }
        } else if self.flow_level() > 0 {
            if self.flow_context.last() == Some(&'[') {
                if !is_in(self.r.peek(1)?, THE_END_SPACE_TAB) {
                    return Ok(false);
                }
            } else if matches!(self.tokens.back(), Some(t) if t.tok == Tok::Value)
                && !is_in(self.r.peek(1)?, THE_END_SPACE_TAB)
            {
                return Ok(false);
            }
            return Ok(true);
        }
        Ok(is_in(self.r.peek(1)?, THE_END_SPACE_TAB))
    }

    fn check_plain(&mut self) -> Res<bool> {
        let ch = self.r.ch()?;
        const INDICATORS: &str = "\0 \t\r\n\u{85}\u{2028}\u{2029}-?:,[]{}#&*!|>'\"%@`";
        if self.is_1_1() {
            return Ok(!is_in(ch, INDICATORS)
                || (!is_in(self.r.peek(1)?, THE_END_SPACE_TAB)
                    && (ch == '-' || (self.flow_level() == 0 && is_in(ch, "?:")))));
        }
        if !is_in(ch, INDICATORS) {
            return Ok(true);
        }
        let ch1 = self.r.peek(1)?;
        if ch == '-' && !is_in(ch1, THE_END_SPACE_TAB) {
            return Ok(true);
        }
        if ch == ':' && self.flow_level() > 0 && !is_in(ch1, " \t") {
            return Ok(true);
        }
        Ok(!is_in(self.r.peek(1)?, THE_END_SPACE_TAB)
            && (ch == '-' || (self.flow_level() == 0 && is_in(ch, "?:"))))
    }

    // Scanners.

    fn scan_to_next_token(&mut self) -> Res<()> {
        if self.r.index == 0 && self.r.ch()? == '\u{FEFF}' {
            self.r.forward(1)?;
        }
        let white: &str = if self.flow_level() > 0 { " \t" } else { " " };
        loop {
            while is_in(self.r.ch()?, white) {
                self.r.forward(1)?;
            }
            if self.r.ch()? == '#' {
                while !is_in(self.r.ch()?, THE_END) {
                    self.r.forward(1)?;
                }
            }
            if !self.scan_line_break()?.is_empty() {
                if self.flow_level() == 0 {
                    self.allow_simple_key = true;
                }
            } else {
                return Ok(());
            }
        }
    }

    fn scan_directive(&mut self) -> Res<Token> {
        let start = self.r.mark();
        self.r.forward(1)?;
        let name = self.scan_directive_name(start)?;
        let value;
        let end;
        if name == "YAML" {
            value = DirectiveValue::Yaml(self.scan_yaml_directive_value(start)?);
            end = self.r.mark();
        } else if name == "TAG" {
            let (h, p) = self.scan_tag_directive_value(start)?;
            value = DirectiveValue::Tag(h, p);
            end = self.r.mark();
        } else {
            value = DirectiveValue::None;
            end = self.r.mark();
            while !is_in(self.r.ch()?, THE_END) {
                self.r.forward(1)?;
            }
        }
        self.scan_directive_ignored_line(start)?;
        Ok(Token {
            tok: Tok::Directive { name, value },
            start,
            end,
        })
    }

    fn scan_directive_name(&mut self, start: Mark) -> Res<String> {
        let mut length = 0;
        let mut ch = self.r.peek(length)?;
        while ch.is_ascii_alphanumeric() || is_in(ch, "-_:.") {
            length += 1;
            ch = self.r.peek(length)?;
        }
        if length == 0 {
            return Err(marked(
                "while scanning a directive",
                start,
                format!(
                    "expected alphabetic or numeric character, but found {}",
                    char_repr(ch)
                ),
                self.r.mark(),
            ));
        }
        let value = self.r.prefix(length)?;
        self.r.forward(length)?;
        let ch = self.r.ch()?;
        if !is_in(ch, "\0 \r\n\u{85}\u{2028}\u{2029}") {
            return Err(marked(
                "while scanning a directive",
                start,
                format!(
                    "expected alphabetic or numeric character, but found {}",
                    char_repr(ch)
                ),
                self.r.mark(),
            ));
        }
        Ok(value)
    }

    fn scan_yaml_directive_value(&mut self, start: Mark) -> Res<Version> {
        while self.r.ch()? == ' ' {
            self.r.forward(1)?;
        }
        let major = self.scan_yaml_directive_number(start)?;
        if self.r.ch()? != '.' {
            let c = self.r.ch()?;
            return Err(marked(
                "while scanning a directive",
                start,
                format!("expected a digit or '.', but found {}", char_repr(c)),
                self.r.mark(),
            ));
        }
        self.r.forward(1)?;
        let minor = self.scan_yaml_directive_number(start)?;
        let c = self.r.ch()?;
        if !is_in(c, "\0 \r\n\u{85}\u{2028}\u{2029}") {
            return Err(marked(
                "while scanning a directive",
                start,
                format!("expected a digit or '.', but found {}", char_repr(c)),
                self.r.mark(),
            ));
        }
        let v = Version::new(&major, &minor);
        self.yaml_version = Some(v.clone());
        Ok(v)
    }

    fn scan_yaml_directive_number(&mut self, start: Mark) -> Res<String> {
        let ch = self.r.ch()?;
        if !ch.is_ascii_digit() {
            return Err(marked(
                "while scanning a directive",
                start,
                format!("expected a digit, but found {}", char_repr(ch)),
                self.r.mark(),
            ));
        }
        let mut length = 0;
        while self.r.peek(length)?.is_ascii_digit() {
            length += 1;
        }
        let value = self.r.prefix(length)?;
        self.r.forward(length)?;
        Ok(value)
    }

    fn scan_tag_directive_value(&mut self, start: Mark) -> Res<(String, String)> {
        while self.r.ch()? == ' ' {
            self.r.forward(1)?;
        }
        let handle = self.scan_tag_handle("directive", start)?;
        let ch = self.r.ch()?;
        if ch != ' ' {
            return Err(marked(
                "while scanning a directive",
                start,
                format!("expected ' ', but found {}", char_repr(ch)),
                self.r.mark(),
            ));
        }
        while self.r.ch()? == ' ' {
            self.r.forward(1)?;
        }
        let prefix = self.scan_tag_uri("directive", start)?;
        let ch = self.r.ch()?;
        if !is_in(ch, "\0 \r\n\u{85}\u{2028}\u{2029}") {
            return Err(marked(
                "while scanning a directive",
                start,
                format!("expected ' ', but found {}", char_repr(ch)),
                self.r.mark(),
            ));
        }
        Ok((handle, prefix))
    }

    fn scan_directive_ignored_line(&mut self, start: Mark) -> Res<()> {
        while self.r.ch()? == ' ' {
            self.r.forward(1)?;
        }
        if self.r.ch()? == '#' {
            while !is_in(self.r.ch()?, THE_END) {
                self.r.forward(1)?;
            }
        }
        let ch = self.r.ch()?;
        if !is_in(ch, THE_END) {
            return Err(marked(
                "while scanning a directive",
                start,
                format!(
                    "expected a comment or a line break, but found {}",
                    char_repr(ch)
                ),
                self.r.mark(),
            ));
        }
        self.scan_line_break()?;
        Ok(())
    }

    fn scan_anchor(&mut self, alias: bool) -> Res<Token> {
        let start = self.r.mark();
        let name = if alias { "alias" } else { "anchor" };
        self.r.forward(1)?;
        let mut length = 0;
        let mut ch = self.r.peek(length)?;
        while check_anchorname_char(ch) {
            length += 1;
            ch = self.r.peek(length)?;
        }
        if length == 0 {
            return Err(marked(
                &format!("while scanning an {name}"),
                start,
                format!(
                    "expected alphabetic or numeric character, but found {}",
                    char_repr(ch)
                ),
                self.r.mark(),
            ));
        }
        let value = self.r.prefix(length)?;
        self.r.forward(length)?;
        if !is_in(ch, "\0 \t\r\n\u{85}\u{2028}\u{2029}?:,[]{}%@`") {
            return Err(marked(
                &format!("while scanning an {name}"),
                start,
                format!(
                    "expected alphabetic or numeric character, but found {}",
                    char_repr(ch)
                ),
                self.r.mark(),
            ));
        }
        let end = self.r.mark();
        let tok = if alias {
            Tok::Alias(value)
        } else {
            Tok::Anchor(value)
        };
        Ok(Token { tok, start, end })
    }

    fn scan_tag(&mut self) -> Res<Token> {
        let start = self.r.mark();
        let mut ch = self.r.peek(1)?;
        let mut short_handle = "!";
        if ch == '!' {
            short_handle = "!!";
            self.r.forward(1)?;
            ch = self.r.peek(1)?;
        }
        let handle;
        let suffix;
        if ch == '<' {
            handle = None;
            self.r.forward(2)?;
            suffix = self.scan_tag_uri("tag", start)?;
            if self.r.ch()? != '>' {
                let c = self.r.ch()?;
                return Err(marked(
                    "while parsing a tag",
                    start,
                    format!("expected '>' but found {}", char_repr(c)),
                    self.r.mark(),
                ));
            }
            self.r.forward(1)?;
        } else if is_in(ch, THE_END_SPACE_TAB) {
            handle = None;
            suffix = short_handle.to_string();
            self.r.forward(1)?;
        } else {
            let mut length = 1;
            let mut use_handle = false;
            while !is_in(ch, "\0 \r\n\u{85}\u{2028}\u{2029}") {
                if ch == '!' {
                    use_handle = true;
                    break;
                }
                length += 1;
                ch = self.r.peek(length)?;
            }
            if use_handle {
                handle = Some(self.scan_tag_handle("tag", start)?);
            } else {
                handle = Some(short_handle.to_string());
                self.r.forward(1)?;
            }
            suffix = self.scan_tag_uri("tag", start)?;
        }
        let ch = self.r.ch()?;
        if !is_in(ch, "\0 \r\n\u{85}\u{2028}\u{2029}") {
            return Err(marked(
                "while scanning a tag",
                start,
                format!("expected ' ', but found {}", char_repr(ch)),
                self.r.mark(),
            ));
        }
        let end = self.r.mark();
        Ok(Token {
            tok: Tok::Tag(handle, suffix),
            start,
            end,
        })
    }

    fn scan_block_scalar(&mut self, style: char) -> Res<Token> {
        let folded = style == '>';
        let mut chunks = String::new();
        let start = self.r.mark();
        self.r.forward(1)?;
        let (chomping, increment) = self.scan_block_scalar_indicators(start)?;
        self.scan_block_scalar_ignored_line(start)?;

        let mut min_indent = self.indent + 1;
        let indent: isize;
        let mut breaks: Vec<String>;
        let mut end;
        match increment {
            None => {
                // `style not in '|>'` is never true here, and the 1.1 option is off.
                let (b, max_indent, e) = self.scan_block_scalar_indentation()?;
                breaks = b;
                end = e;
                indent = min_indent.max(max_indent as isize);
            }
            Some(inc) => {
                if min_indent < 1 {
                    min_indent = 1;
                }
                indent = min_indent + inc as isize - 1;
                let (b, e) = self.scan_block_scalar_breaks(indent)?;
                breaks = b;
                end = e;
            }
        }
        let mut line_break = String::new();

        while self.r.column as isize == indent && self.r.ch()? != '\0' {
            for b in &breaks {
                chunks.push_str(b);
            }
            let leading_non_space = !is_in(self.r.ch()?, " \t");
            let mut length = 0;
            while !is_in(self.r.peek(length)?, THE_END) {
                length += 1;
            }
            chunks.push_str(&self.r.prefix(length)?);
            self.r.forward(length)?;
            line_break = self.scan_line_break()?;
            let (b, e) = self.scan_block_scalar_breaks(indent)?;
            breaks = b;
            end = e;
            if min_indent == 0
                && (self.check_document_indicator("---")?
                    || self.check_document_indicator("...")?)
            {
                break;
            }
            if self.r.column as isize == indent && self.r.ch()? != '\0' {
                if folded && line_break == "\n" && leading_non_space && !is_in(self.r.ch()?, " \t")
                {
                    if breaks.is_empty() {
                        chunks.push(' ');
                    }
                } else {
                    chunks.push_str(&line_break);
                }
            } else {
                break;
            }
        }

        // chomping: None = clip, Some(true) = keep, Some(false) = strip.
        if chomping != Some(false) {
            chunks.push_str(&line_break);
        }
        let mut trailing = false;
        if chomping == Some(true) {
            for b in &breaks {
                chunks.push_str(b);
            }
        } else {
            trailing = !breaks.is_empty();
        }
        let token = Token {
            tok: Tok::Scalar {
                value: chunks,
                plain: false,
                style: Some(style),
            },
            start,
            end,
        };
        if trailing {
            // Eat whitespace and comments until the next token.
            self.scan_to_next_token()?;
        }
        Ok(token)
    }

    fn scan_block_scalar_indicators(&mut self, start: Mark) -> Res<(Option<bool>, Option<u32>)> {
        let mut chomping = None;
        let mut increment = None;
        let mut ch = self.r.ch()?;
        let zero = |s: &mut Self| {
            marked(
                "while scanning a block scalar",
                start,
                "expected indentation indicator in the range 1-9, but found 0",
                s.r.mark(),
            )
        };
        if ch == '+' || ch == '-' {
            chomping = Some(ch == '+');
            self.r.forward(1)?;
            ch = self.r.ch()?;
            if let Some(d) = ch.to_digit(10) {
                if d == 0 {
                    return Err(zero(self));
                }
                increment = Some(d);
                self.r.forward(1)?;
            }
        } else if let Some(d) = ch.to_digit(10) {
            if d == 0 {
                return Err(zero(self));
            }
            increment = Some(d);
            self.r.forward(1)?;
            ch = self.r.ch()?;
            if ch == '+' || ch == '-' {
                chomping = Some(ch == '+');
                self.r.forward(1)?;
            }
        }
        let ch = self.r.ch()?;
        if !is_in(ch, "\0 \r\n\u{85}\u{2028}\u{2029}") {
            return Err(marked(
                "while scanning a block scalar",
                start,
                format!(
                    "expected chomping or indentation indicators, but found {}",
                    char_repr(ch)
                ),
                self.r.mark(),
            ));
        }
        Ok((chomping, increment))
    }

    fn scan_block_scalar_ignored_line(&mut self, start: Mark) -> Res<()> {
        while self.r.ch()? == ' ' {
            self.r.forward(1)?;
        }
        if self.r.ch()? == '#' {
            while !is_in(self.r.ch()?, THE_END) {
                self.r.forward(1)?;
            }
        }
        let ch = self.r.ch()?;
        if !is_in(ch, THE_END) {
            return Err(marked(
                "while scanning a block scalar",
                start,
                format!(
                    "expected a comment or a line break, but found {}",
                    char_repr(ch)
                ),
                self.r.mark(),
            ));
        }
        self.scan_line_break()?;
        Ok(())
    }

    fn scan_block_scalar_indentation(&mut self) -> Res<(Vec<String>, usize, Mark)> {
        let mut chunks = Vec::new();
        let mut first_indent: isize = -1;
        let mut max_indent = 0;
        let mut end = self.r.mark();
        while is_in(self.r.ch()?, " \r\n\u{85}\u{2028}\u{2029}") {
            if self.r.ch()? != ' ' {
                if first_indent < 0 {
                    first_indent = self.r.column as isize;
                }
                chunks.push(self.scan_line_break()?);
                end = self.r.mark();
            } else {
                self.r.forward(1)?;
                if self.r.column > max_indent {
                    max_indent = self.r.column;
                }
            }
        }
        if first_indent > 0 && max_indent as isize > first_indent {
            return Err(crate::error::context_only(
                "more indented follow up line than first in a block scalar",
                self.r.mark(),
            ));
        }
        Ok((chunks, max_indent, end))
    }

    fn scan_block_scalar_breaks(&mut self, indent: isize) -> Res<(Vec<String>, Mark)> {
        let mut chunks = Vec::new();
        let mut end = self.r.mark();
        while (self.r.column as isize) < indent && self.r.ch()? == ' ' {
            self.r.forward(1)?;
        }
        while is_in(self.r.ch()?, "\r\n\u{85}\u{2028}\u{2029}") {
            chunks.push(self.scan_line_break()?);
            end = self.r.mark();
            while (self.r.column as isize) < indent && self.r.ch()? == ' ' {
                self.r.forward(1)?;
            }
        }
        Ok((chunks, end))
    }

    fn scan_flow_scalar(&mut self, style: char) -> Res<Token> {
        let double = style == '"';
        let mut chunks = String::new();
        let start = self.r.mark();
        let quote = self.r.ch()?;
        self.r.forward(1)?;
        self.scan_flow_scalar_non_spaces(double, start, &mut chunks)?;
        while self.r.ch()? != quote {
            self.scan_flow_scalar_spaces(double, start, &mut chunks)?;
            self.scan_flow_scalar_non_spaces(double, start, &mut chunks)?;
        }
        self.r.forward(1)?;
        let end = self.r.mark();
        Ok(Token {
            tok: Tok::Scalar {
                value: chunks,
                plain: false,
                style: Some(style),
            },
            start,
            end,
        })
    }

    fn scan_flow_scalar_non_spaces(
        &mut self,
        double: bool,
        start: Mark,
        chunks: &mut String,
    ) -> Res<()> {
        loop {
            let mut length = 0;
            while !is_in(self.r.peek(length)?, " \n'\"\\\0\t\r\u{85}\u{2028}\u{2029}") {
                length += 1;
            }
            if length != 0 {
                chunks.push_str(&self.r.prefix(length)?);
                self.r.forward(length)?;
            }
            let ch = self.r.ch()?;
            if !double && ch == '\'' && self.r.peek(1)? == '\'' {
                chunks.push('\'');
                self.r.forward(2)?;
            } else if (double && ch == '\'') || (!double && is_in(ch, "\"\\")) {
                chunks.push(ch);
                self.r.forward(1)?;
            } else if double && ch == '\\' {
                self.r.forward(1)?;
                let ch = self.r.ch()?;
                if let Some(rep) = escape_replacement(ch) {
                    chunks.push(rep);
                    self.r.forward(1)?;
                } else if let Some(length) = escape_code_len(ch) {
                    self.r.forward(1)?;
                    for k in 0..length {
                        let c = self.r.peek(k)?;
                        if !c.is_ascii_hexdigit() {
                            return Err(marked(
                                "while scanning a double-quoted scalar",
                                start,
                                format!(
                                    "expected escape sequence of {length} hexdecimal numbers, but found {}",
                                    char_repr(c)
                                ),
                                self.r.mark(),
                            ));
                        }
                    }
                    let code = u32::from_str_radix(&self.r.prefix(length)?, 16).unwrap_or(0);
                    match char::from_u32(code) {
                        Some(c) => chunks.push(c),
                        None if code <= 0x10FFFF => {
                            // Python's chr() makes a lone surrogate; it cannot be kept in a
                            // Rust string. Python fails later, when writing it as UTF-8.
                            return Err(python(format!(
                                "'utf-8' codec can't encode character '\\u{code:04x}': surrogates not allowed"
                            )));
                        }
                        None => {
                            return Err(python("chr() arg not in range(0x110000)"));
                        }
                    }
                    self.r.forward(length)?;
                } else if is_in(ch, "\n\r\u{85}\u{2028}\u{2029}") {
                    self.scan_line_break()?;
                    self.scan_flow_scalar_breaks(start, chunks)?;
                } else {
                    return Err(marked(
                        "while scanning a double-quoted scalar",
                        start,
                        format!("found unknown escape character {}", char_repr(ch)),
                        self.r.mark(),
                    ));
                }
            } else {
                return Ok(());
            }
        }
    }

    fn scan_flow_scalar_spaces(
        &mut self,
        _double: bool,
        start: Mark,
        chunks: &mut String,
    ) -> Res<()> {
        let mut length = 0;
        while is_in(self.r.peek(length)?, " \t") {
            length += 1;
        }
        let whitespaces = self.r.prefix(length)?;
        self.r.forward(length)?;
        let ch = self.r.ch()?;
        if ch == '\0' {
            return Err(marked(
                "while scanning a quoted scalar",
                start,
                "found unexpected end of stream",
                self.r.mark(),
            ));
        } else if is_in(ch, "\r\n\u{85}\u{2028}\u{2029}") {
            let line_break = self.scan_line_break()?;
            let mut breaks = String::new();
            self.scan_flow_scalar_breaks(start, &mut breaks)?;
            if line_break != "\n" {
                chunks.push_str(&line_break);
            } else if breaks.is_empty() {
                chunks.push(' ');
            }
            chunks.push_str(&breaks);
        } else {
            chunks.push_str(&whitespaces);
        }
        Ok(())
    }

    fn scan_flow_scalar_breaks(&mut self, start: Mark, chunks: &mut String) -> Res<()> {
        loop {
            let prefix = self.r.prefix(3)?;
            if (prefix == "---" || prefix == "...") && is_in(self.r.peek(3)?, THE_END_SPACE_TAB) {
                return Err(marked(
                    "while scanning a quoted scalar",
                    start,
                    "found unexpected document separator",
                    self.r.mark(),
                ));
            }
            while is_in(self.r.ch()?, " \t") {
                self.r.forward(1)?;
            }
            if is_in(self.r.ch()?, "\r\n\u{85}\u{2028}\u{2029}") {
                let b = self.scan_line_break()?;
                chunks.push_str(&b);
            } else {
                return Ok(());
            }
        }
    }

    fn scan_plain(&mut self) -> Res<Token> {
        let mut chunks = String::new();
        let start = self.r.mark();
        let mut end = start;
        let indent = self.indent + 1;
        let mut spaces: Option<String> = Some(String::new());
        loop {
            let mut length = 0;
            if self.r.ch()? == '#' {
                break;
            }
            let mut ch;
            loop {
                ch = self.r.peek(length)?;
                // `:` not followed by a space, and `?` (YAML 1.2), are part of the scalar.
                let part = (ch == ':' && !is_in(self.r.peek(length + 1)?, THE_END_SPACE_TAB))
                    || (ch == '?' && !self.is_1_1());
                if !part
                    && (is_in(ch, THE_END_SPACE_TAB)
                        || (self.flow_level() == 0
                            && ch == ':'
                            && is_in(self.r.peek(length + 1)?, THE_END_SPACE_TAB))
                        || (self.flow_level() > 0 && is_in(ch, ",:?[]{}")))
                {
                    break;
                }
                length += 1;
            }
            if self.flow_level() > 0
                && ch == ':'
                && !is_in(
                    self.r.peek(length + 1)?,
                    "\0 \t\r\n\u{85}\u{2028}\u{2029},[]{}",
                )
            {
                self.r.forward(length)?;
                let mut m = crate::error::Marked::new(
                    Some("while scanning a plain scalar"),
                    Some(start),
                    "found unexpected ':'",
                    self.r.mark(),
                );
                m.note = Some(
                    "Please check http://pyyaml.org/wiki/YAMLColonInFlowContext for details."
                        .into(),
                );
                return Err(m.into());
            }
            if length == 0 {
                break;
            }
            self.allow_simple_key = false;
            if let Some(s) = &spaces {
                chunks.push_str(s);
            }
            chunks.push_str(&self.r.prefix(length)?);
            self.r.forward(length)?;
            end = self.r.mark();
            spaces = self.scan_plain_spaces()?;
            match &spaces {
                None => break,
                Some(s) if s.is_empty() => break,
                _ => {}
            }
            if self.r.ch()? == '#' || (self.flow_level() == 0 && (self.r.column as isize) < indent)
            {
                break;
            }
        }
        Ok(Token {
            tok: Tok::Scalar {
                value: chunks,
                plain: true,
                style: None,
            },
            start,
            end,
        })
    }

    /// `scan_plain_spaces`: `None` where Python returns `None` (a document marker follows).
    fn scan_plain_spaces(&mut self) -> Res<Option<String>> {
        let mut chunks = String::new();
        let mut length = 0;
        while self.r.peek(length)? == ' ' {
            length += 1;
        }
        let whitespaces = self.r.prefix(length)?;
        self.r.forward(length)?;
        let ch = self.r.ch()?;
        if is_in(ch, "\r\n\u{85}\u{2028}\u{2029}") {
            let line_break = self.scan_line_break()?;
            self.allow_simple_key = true;
            let prefix = self.r.prefix(3)?;
            if (prefix == "---" || prefix == "...") && is_in(self.r.peek(3)?, THE_END_SPACE_TAB) {
                return Ok(None);
            }
            let mut breaks = String::new();
            let mut any_break = false;
            while is_in(self.r.ch()?, " \r\n\u{85}\u{2028}\u{2029}") {
                if self.r.ch()? == ' ' {
                    self.r.forward(1)?;
                } else {
                    breaks.push_str(&self.scan_line_break()?);
                    any_break = true;
                    let prefix = self.r.prefix(3)?;
                    if (prefix == "---" || prefix == "...")
                        && is_in(self.r.peek(3)?, THE_END_SPACE_TAB)
                    {
                        return Ok(None);
                    }
                }
            }
            if line_break != "\n" {
                chunks.push_str(&line_break);
            } else if !any_break {
                chunks.push(' ');
            }
            chunks.push_str(&breaks);
        } else if !whitespaces.is_empty() {
            chunks.push_str(&whitespaces);
        }
        Ok(Some(chunks))
    }

    fn scan_tag_handle(&mut self, name: &str, start: Mark) -> Res<String> {
        let ch = self.r.ch()?;
        if ch != '!' {
            return Err(marked(
                &format!("while scanning an {name}"),
                start,
                format!("expected '!', but found {}", char_repr(ch)),
                self.r.mark(),
            ));
        }
        let mut length = 1;
        let mut ch = self.r.peek(length)?;
        if ch != ' ' {
            while ch.is_ascii_alphanumeric() || is_in(ch, "-_") {
                length += 1;
                ch = self.r.peek(length)?;
            }
            if ch != '!' {
                self.r.forward(length)?;
                return Err(marked(
                    &format!("while scanning an {name}"),
                    start,
                    format!("expected '!' but found {}", char_repr(ch)),
                    self.r.mark(),
                ));
            }
            length += 1;
        }
        let value = self.r.prefix(length)?;
        self.r.forward(length)?;
        Ok(value)
    }

    fn scan_tag_uri(&mut self, name: &str, start: Mark) -> Res<String> {
        let mut chunks = String::new();
        let mut any = false;
        let mut length = 0;
        let hash_ok = self.processing_version().gt_1_1();
        let mut ch = self.r.peek(length)?;
        while ch.is_ascii_alphanumeric()
            || is_in(ch, "-;/?:@&=+$,_.!~*'()[]%")
            || (hash_ok && ch == '#')
        {
            if ch == '%' {
                chunks.push_str(&self.r.prefix(length)?);
                self.r.forward(length)?;
                length = 0;
                chunks.push_str(&self.scan_uri_escapes(name, start)?);
                any = true;
            } else {
                length += 1;
            }
            ch = self.r.peek(length)?;
        }
        if length != 0 {
            chunks.push_str(&self.r.prefix(length)?);
            self.r.forward(length)?;
            any = true;
        }
        if !any {
            return Err(marked(
                &format!("while parsing an {name}"),
                start,
                format!("expected URI, but found {}", char_repr(ch)),
                self.r.mark(),
            ));
        }
        Ok(chunks)
    }

    fn scan_uri_escapes(&mut self, name: &str, start: Mark) -> Res<String> {
        let mut code_bytes = Vec::new();
        let mark = self.r.mark();
        while self.r.ch()? == '%' {
            self.r.forward(1)?;
            for k in 0..2 {
                let c = self.r.peek(k)?;
                if !c.is_ascii_hexdigit() {
                    return Err(marked(
                        &format!("while scanning an {name}"),
                        start,
                        format!(
                            "expected URI escape sequence of 2 hexdecimal numbers, but found {}",
                            char_repr(c)
                        ),
                        self.r.mark(),
                    ));
                }
            }
            code_bytes.push(u8::from_str_radix(&self.r.prefix(2)?, 16).unwrap_or(0));
            self.r.forward(2)?;
        }
        match std::str::from_utf8(&code_bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => {
                let at = e.valid_up_to();
                let text = match e.error_len() {
                    Some(n) => python_decode_error(&code_bytes, at, n, false),
                    None => python_decode_error(&code_bytes, at, code_bytes.len() - at, true),
                };
                Err(marked(
                    &format!("while scanning an {name}"),
                    start,
                    text,
                    mark,
                ))
            }
        }
    }

    fn scan_line_break(&mut self) -> Res<String> {
        let ch = self.r.ch()?;
        if is_in(ch, "\r\n\u{85}") {
            if self.r.prefix(2)? == "\r\n" {
                self.r.forward(2)?;
            } else {
                self.r.forward(1)?;
            }
            return Ok("\n".into());
        }
        if ch == '\u{2028}' || ch == '\u{2029}' {
            self.r.forward(1)?;
            return Ok(ch.to_string());
        }
        Ok(String::new())
    }
}

/// `bytes(...).decode('utf-8')`'s error text (a one-shot decode: positions in the bytes).
fn python_decode_error(data: &[u8], at: usize, len: usize, end_of_data: bool) -> String {
    let first = data[at];
    let reason = if end_of_data {
        "unexpected end of data"
    } else if (0x80..=0xC1).contains(&first) || first >= 0xF5 {
        "invalid start byte"
    } else {
        "invalid continuation byte"
    };
    if len == 1 {
        format!("'utf-8' codec can't decode byte 0x{first:02x} in position {at}: {reason}")
    } else {
        format!(
            "'utf-8' codec can't decode bytes in position {at}-{}: {reason}",
            at + len - 1
        )
    }
}

/// `Scanner.ESCAPE_REPLACEMENTS`.
fn escape_replacement(c: char) -> Option<char> {
    Some(match c {
        '0' => '\0',
        'a' => '\x07',
        'b' => '\x08',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\x0B',
        'f' => '\x0C',
        'r' => '\r',
        'e' => '\x1B',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{A0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        _ => return None,
    })
}

/// `Scanner.ESCAPE_CODES`.
fn escape_code_len(c: char) -> Option<usize> {
    match c {
        'x' => Some(2),
        'u' => Some(4),
        'U' => Some(8),
        _ => None,
    }
}

/// ruamel.yaml.compat's `check_anchorname_char`.
pub(crate) fn check_anchorname_char(c: char) -> bool {
    if is_in(c, ",[]{}") {
        return false;
    }
    check_namespace_char(c)
}

pub(crate) fn check_namespace_char(c: char) -> bool {
    matches!(c, '\x21'..='\x7E' | '\u{A0}'..='\u{D7FF}' | '\u{10000}'..='\u{10FFFF}')
        || (('\u{E000}'..='\u{FFFD}').contains(&c) && c != '\u{FEFF}')
}

/// A `ScannerError` whose context mark may be absent.
fn marked_opt(
    context: &str,
    context_mark: Option<Mark>,
    problem_text: String,
    mark: Mark,
) -> crate::error::Fail {
    crate::error::Marked::new(Some(context), context_mark, problem_text, mark).into()
}
