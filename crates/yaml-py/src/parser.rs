//! ruamel's `Parser` (parser.py): tokens to events, a state machine with an explicit stack
//! (no recursion), with its error texts.

use crate::error::{marked, problem, python, Fail, LoadError, Mark, Res};
use crate::py::str_repr;
use crate::scanner::{DirectiveValue, Scanner, Tok, Version, K};

/// A tag as the parser builds it (ruamel's `Tag`): `str(tag)` is the handle's prefix plus
/// the suffix with `%XX` decoded once more (`Tag.uri_decoded_suffix`).
pub(crate) fn tag_str(
    handle: Option<&str>,
    suffix: &str,
    handles: &[(String, String)],
) -> Res<String> {
    let decoded = uri_decoded_suffix(suffix)?;
    Ok(match handle {
        None => decoded,
        Some(h) => {
            let prefix = handles
                .iter()
                .find(|(k, _)| k == h)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            format!("{prefix}{decoded}")
        }
    })
}

/// `Tag.uri_decoded_suffix`: every `%` and the two characters after it become
/// `chr(int(xx, 16))`.
fn uri_decoded_suffix(suffix: &str) -> Res<String> {
    let chars: Vec<char> = suffix.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let hex: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        i += 2;
        let t = hex.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let v = if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit()) {
            i64::from_str_radix(digits, 16).ok()
        } else {
            None
        };
        let Some(v) = v else {
            return Err(python(format!(
                "invalid literal for int() with base 16: {}",
                str_repr(&hex)
            )));
        };
        let v = if neg { -v } else { v };
        match u32::try_from(v).ok().and_then(char::from_u32) {
            Some(ch) => out.push(ch),
            None => return Err(python("chr() arg not in range(0x110000)")),
        }
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ev {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        anchor: Option<String>,
        tag: Option<String>,
        /// (plain implicit, quoted implicit).
        implicit: (bool, bool),
        value: String,
        style: Option<char>,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: Option<String>,
        flow: bool,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: Option<String>,
        flow: bool,
    },
    MappingEnd,
}

#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub ev: Ev,
    pub start: Mark,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentEnd,
    DocumentContent,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

pub(crate) struct Parser {
    pub s: Scanner,
    current: Option<Event>,
    tag_handles: Vec<(String, String)>,
    states: Vec<State>,
    marks: Vec<Mark>,
    state: State,
}

fn default_tags() -> Vec<(String, String)> {
    vec![
        ("!".into(), "!".into()),
        ("!!".into(), "tag:yaml.org,2002:".into()),
    ]
}

impl Parser {
    pub fn new(s: Scanner) -> Parser {
        Parser {
            s,
            current: None,
            tag_handles: Vec::new(),
            states: Vec::new(),
            marks: Vec::new(),
            state: State::StreamStart,
        }
    }

    fn gt_1_1(&self) -> bool {
        self.s.processing_version().gt_1_1()
    }

    pub fn peek_event(&mut self) -> Res<&Event> {
        if self.current.is_none() && self.state != State::End {
            let e = self.step()?;
            self.current = Some(e);
        }
        match &self.current {
            Some(e) => Ok(e),
            // After the stream end Python's check_event sees None; nothing asks then.
            None => Err(python("no more events")),
        }
    }

    pub fn get_event(&mut self) -> Res<Event> {
        self.peek_event()?;
        Ok(self.current.take().expect("peeked"))
    }

    fn pop_state(&mut self) -> State {
        self.states.pop().unwrap_or(State::End)
    }

    fn step(&mut self) -> Res<Event> {
        match self.state {
            State::StreamStart => {
                let t = self.s.get_token()?.expect("stream start");
                self.state = State::ImplicitDocumentStart;
                Ok(Event {
                    ev: Ev::StreamStart,
                    start: t.start,
                })
            }
            State::ImplicitDocumentStart => {
                if !self
                    .s
                    .check_token(&[K::Directive, K::DocumentStart, K::StreamEnd])?
                {
                    self.tag_handles = default_tags();
                    let (_, mark) = self.s.peek_id_mark()?;
                    self.states.push(State::DocumentEnd);
                    self.state = State::BlockNode;
                    Ok(Event {
                        ev: Ev::DocumentStart,
                        start: mark,
                    })
                } else {
                    self.document_start()
                }
            }
            State::DocumentStart => self.document_start(),
            State::DocumentEnd => self.document_end(),
            State::DocumentContent => {
                if self.s.check_token(&[
                    K::Directive,
                    K::DocumentStart,
                    K::DocumentEnd,
                    K::StreamEnd,
                ])? {
                    let (_, mark) = self.s.peek_id_mark()?;
                    self.state = self.pop_state();
                    Ok(empty_scalar(mark))
                } else {
                    self.parse_node(true, false)
                }
            }
            State::BlockNode => self.parse_node(true, false),
            State::BlockSequenceFirstEntry => {
                let t = self.s.get_token()?.expect("token");
                self.marks.push(t.start);
                self.block_sequence_entry()
            }
            State::BlockSequenceEntry => self.block_sequence_entry(),
            State::IndentlessSequenceEntry => {
                if self.s.check_token(&[K::BlockEntry])? {
                    let t = self.s.get_token()?.expect("token");
                    if !self
                        .s
                        .check_token(&[K::BlockEntry, K::Key, K::Value, K::BlockEnd])?
                    {
                        self.states.push(State::IndentlessSequenceEntry);
                        return self.parse_node(true, false);
                    }
                    self.state = State::IndentlessSequenceEntry;
                    return Ok(empty_scalar(t.end));
                }
                let (_, mark) = self.s.peek_id_mark()?;
                self.state = self.pop_state();
                Ok(Event {
                    ev: Ev::SequenceEnd,
                    start: mark,
                })
            }
            State::BlockMappingFirstKey => {
                let t = self.s.get_token()?.expect("token");
                self.marks.push(t.start);
                self.block_mapping_key()
            }
            State::BlockMappingKey => self.block_mapping_key(),
            State::BlockMappingValue => {
                if self.s.check_token(&[K::Value])? {
                    self.s.get_token()?;
                    if !self.s.check_token(&[K::Key, K::Value, K::BlockEnd])? {
                        self.states.push(State::BlockMappingKey);
                        return self.parse_node(true, true);
                    }
                    self.state = State::BlockMappingKey;
                    // ruamel rebinds `token` to the next token (the value token has no
                    // comment here), so the empty value is marked at that token's end.
                    let end = self.s.peek_token()?.expect("token").end;
                    return Ok(empty_scalar(end));
                }
                self.state = State::BlockMappingKey;
                let (_, mark) = self.s.peek_id_mark()?;
                Ok(empty_scalar(mark))
            }
            State::FlowSequenceFirstEntry => {
                let t = self.s.get_token()?.expect("token");
                self.marks.push(t.start);
                self.flow_sequence_entry(true)
            }
            State::FlowSequenceEntry => self.flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => {
                let t = self.s.get_token()?.expect("token");
                if !self
                    .s
                    .check_token(&[K::Value, K::FlowEntry, K::FlowSequenceEnd])?
                {
                    self.states.push(State::FlowSequenceEntryMappingValue);
                    return self.parse_node(false, false);
                }
                self.state = State::FlowSequenceEntryMappingValue;
                Ok(empty_scalar(t.end))
            }
            State::FlowSequenceEntryMappingValue => {
                if self.s.check_token(&[K::Value])? {
                    let t = self.s.get_token()?.expect("token");
                    if !self.s.check_token(&[K::FlowEntry, K::FlowSequenceEnd])? {
                        self.states.push(State::FlowSequenceEntryMappingEnd);
                        return self.parse_node(false, false);
                    }
                    self.state = State::FlowSequenceEntryMappingEnd;
                    return Ok(empty_scalar(t.end));
                }
                self.state = State::FlowSequenceEntryMappingEnd;
                let (_, mark) = self.s.peek_id_mark()?;
                Ok(empty_scalar(mark))
            }
            State::FlowSequenceEntryMappingEnd => {
                self.state = State::FlowSequenceEntry;
                let (_, mark) = self.s.peek_id_mark()?;
                Ok(Event {
                    ev: Ev::MappingEnd,
                    start: mark,
                })
            }
            State::FlowMappingFirstKey => {
                let t = self.s.get_token()?.expect("token");
                self.marks.push(t.start);
                self.flow_mapping_key(true)
            }
            State::FlowMappingKey => self.flow_mapping_key(false),
            State::FlowMappingValue => {
                if self.s.check_token(&[K::Value])? {
                    let t = self.s.get_token()?.expect("token");
                    if !self.s.check_token(&[K::FlowEntry, K::FlowMappingEnd])? {
                        self.states.push(State::FlowMappingKey);
                        return self.parse_node(false, false);
                    }
                    self.state = State::FlowMappingKey;
                    return Ok(empty_scalar(t.end));
                }
                self.state = State::FlowMappingKey;
                let (_, mark) = self.s.peek_id_mark()?;
                Ok(empty_scalar(mark))
            }
            State::FlowMappingEmptyValue => {
                self.state = State::FlowMappingKey;
                let (_, mark) = self.s.peek_id_mark()?;
                Ok(empty_scalar(mark))
            }
            State::End => Err(python("no more events")),
        }
    }

    fn document_start(&mut self) -> Res<Event> {
        while self.s.check_token(&[K::DocumentEnd])? {
            self.s.get_token()?;
        }
        if !self.s.check_token(&[K::StreamEnd])? {
            self.process_directives()?;
            if !self.s.check_token(&[K::DocumentStart])? {
                let (id, mark) = self.s.peek_id_mark()?;
                return Err(problem(
                    format!("expected '<document start>', but found ({},)", str_repr(id)),
                    mark,
                ));
            }
            let t = self.s.get_token()?.expect("token");
            self.states.push(State::DocumentEnd);
            self.state = State::DocumentContent;
            Ok(Event {
                ev: Ev::DocumentStart,
                start: t.start,
            })
        } else {
            let t = self.s.get_token()?.expect("token");
            self.state = State::End;
            Ok(Event {
                ev: Ev::StreamEnd,
                start: t.start,
            })
        }
    }

    fn document_end(&mut self) -> Res<Event> {
        let (_, mut start) = self.s.peek_id_mark()?;
        if self.s.check_token(&[K::DocumentEnd])? {
            let t = self.s.get_token()?.expect("token");
            let (pt_kind, pt_line, pt_id, pt_mark) = {
                let pt = self.s.peek_token()?.expect("token");
                (pt.tok.kind(), pt.start.line, pt.tok.id(), pt.start)
            };
            if pt_kind != K::StreamEnd && t.end.line == pt_line {
                return Err(problem(
                    format!(
                        "found non-comment content after document end marker, ({},)",
                        str_repr(pt_id)
                    ),
                    pt_mark,
                ));
            }
            start = t.start;
            self.state = State::ImplicitDocumentStart;
        } else {
            self.state = State::DocumentStart;
        }
        if self.s.processing_version().is_1_1() {
            self.state = State::DocumentStart;
        }
        Ok(Event {
            ev: Ev::DocumentEnd,
            start,
        })
    }

    fn process_directives(&mut self) -> Res<()> {
        let mut yaml_version: Option<Version> = None;
        self.tag_handles = Vec::new();
        while self.s.check_token(&[K::Directive])? {
            let t = self.s.get_token()?.expect("token");
            let Tok::Directive { name, value } = t.tok else {
                unreachable!()
            };
            if name == "YAML" {
                if yaml_version.is_some() {
                    return Err(problem("found duplicate YAML directive", t.start));
                }
                let DirectiveValue::Yaml(v) = value else {
                    unreachable!()
                };
                if v.major != "1" {
                    return Err(problem(
                        "found incompatible YAML document (version 1.* is required)",
                        t.start,
                    ));
                }
                yaml_version = Some(v);
            } else if name == "TAG" {
                let DirectiveValue::Tag(handle, prefix) = value else {
                    unreachable!()
                };
                if self.tag_handles.iter().any(|(h, _)| *h == handle) {
                    return Err(problem(
                        format!("duplicate tag handle {}", str_repr(&handle)),
                        t.start,
                    ));
                }
                self.tag_handles.push((handle, prefix));
            }
        }
        // `self.loader.version = yaml_version`: YAML.version's setter checks the minor.
        if let Some(v) = &yaml_version {
            if v.minor != "1" && v.minor != "2" {
                return Err(Fail::Done(LoadError::Python(format!(
                    "version minor part can only be 2 or 1, got {}",
                    v.tuple_repr()
                ))));
            }
        }
        for (k, v) in default_tags() {
            if !self.tag_handles.iter().any(|(h, _)| *h == k) {
                self.tag_handles.push((k, v));
            }
        }
        Ok(())
    }

    fn parse_node(&mut self, block: bool, indentless_sequence: bool) -> Res<Event> {
        if self.s.check_token(&[K::Alias])? {
            let t = self.s.get_token()?.expect("token");
            let Tok::Alias(name) = t.tok else {
                unreachable!()
            };
            self.state = self.pop_state();
            return Ok(Event {
                ev: Ev::Alias(name),
                start: t.start,
            });
        }
        let mut anchor = None;
        let mut tag: Option<(Option<String>, String)> = None;
        let mut start_mark = None;
        let mut end_mark = None;
        let mut tag_mark = None;
        if self.s.check_token(&[K::Anchor])? {
            let t = self.s.get_token()?.expect("token");
            start_mark = Some(t.start);
            end_mark = Some(t.end);
            if let Tok::Anchor(a) = t.tok {
                anchor = Some(a);
            }
            if self.s.check_token(&[K::Tag])? {
                let t = self.s.get_token()?.expect("token");
                tag_mark = Some(t.start);
                end_mark = Some(t.end);
                if let Tok::Tag(h, s) = t.tok {
                    tag = Some((h, s));
                }
            }
        } else if self.s.check_token(&[K::Tag])? {
            let t = self.s.get_token()?.expect("token");
            start_mark = Some(t.start);
            tag_mark = Some(t.start);
            end_mark = Some(t.end);
            if let Tok::Tag(h, s) = t.tok {
                tag = Some((h, s));
            }
            if self.s.check_token(&[K::Anchor])? {
                let t = self.s.get_token()?.expect("token");
                start_mark = Some(t.start);
                tag_mark = Some(t.start);
                end_mark = Some(t.end);
                if let Tok::Anchor(a) = t.tok {
                    anchor = Some(a);
                }
            }
        }
        let _ = end_mark;
        let mut tag_text: Option<String> = None;
        if let Some((handle, suffix)) = &tag {
            if let Some(h) = handle {
                if !self.tag_handles.iter().any(|(k, _)| k == h) {
                    return Err(marked(
                        "while parsing a node",
                        start_mark.unwrap_or_default(),
                        format!("found undefined tag handle {}", str_repr(h)),
                        tag_mark.unwrap_or_default(),
                    ));
                }
            }
            tag_text = Some(tag_str(handle.as_deref(), suffix, &self.tag_handles)?);
        }
        let start_mark = match start_mark {
            Some(m) => m,
            None => self.s.peek_id_mark()?.1,
        };
        let implicit = tag_text.as_deref().is_none_or(|t| t == "!");
        let _ = implicit;
        if indentless_sequence && self.s.check_token(&[K::BlockEntry])? {
            self.state = State::IndentlessSequenceEntry;
            return Ok(Event {
                ev: Ev::SequenceStart {
                    anchor,
                    tag: tag_text,
                    flow: false,
                },
                start: start_mark,
            });
        }
        if self.s.check_token(&[K::Scalar])? {
            let t = self.s.get_token()?.expect("token");
            let Tok::Scalar {
                value,
                plain,
                style,
            } = t.tok
            else {
                unreachable!()
            };
            let bang = tag_text.as_deref() == Some("!");
            let implicit = if (plain && tag_text.is_none()) || bang {
                (true, false)
            } else if tag_text.is_none() {
                (false, true)
            } else {
                (false, false)
            };
            self.state = self.pop_state();
            return Ok(Event {
                ev: Ev::Scalar {
                    anchor,
                    tag: tag_text,
                    implicit,
                    value,
                    style,
                },
                start: start_mark,
            });
        }
        if self.s.check_token(&[K::FlowSequenceStart])? {
            self.state = State::FlowSequenceFirstEntry;
            return Ok(Event {
                ev: Ev::SequenceStart {
                    anchor,
                    tag: tag_text,
                    flow: true,
                },
                start: start_mark,
            });
        }
        if self.s.check_token(&[K::FlowMappingStart])? {
            self.state = State::FlowMappingFirstKey;
            return Ok(Event {
                ev: Ev::MappingStart {
                    anchor,
                    tag: tag_text,
                    flow: true,
                },
                start: start_mark,
            });
        }
        if block && self.s.check_token(&[K::BlockSequenceStart])? {
            self.state = State::BlockSequenceFirstEntry;
            return Ok(Event {
                ev: Ev::SequenceStart {
                    anchor,
                    tag: tag_text,
                    flow: false,
                },
                start: start_mark,
            });
        }
        if block && self.s.check_token(&[K::BlockMappingStart])? {
            self.state = State::BlockMappingFirstKey;
            return Ok(Event {
                ev: Ev::MappingStart {
                    anchor,
                    tag: tag_text,
                    flow: false,
                },
                start: start_mark,
            });
        }
        if anchor.is_some() || tag_text.is_some() {
            let implicit = tag_text.as_deref().is_none_or(|t| t == "!");
            self.state = self.pop_state();
            return Ok(Event {
                ev: Ev::Scalar {
                    anchor,
                    tag: tag_text,
                    implicit: (implicit, false),
                    value: String::new(),
                    style: None,
                },
                start: start_mark,
            });
        }
        let node = if block { "block" } else { "flow" };
        let (id, mark) = self.s.peek_id_mark()?;
        Err(marked(
            &format!("while parsing a {node} node"),
            start_mark,
            format!("expected the node content, but found {}", str_repr(id)),
            mark,
        ))
    }

    fn block_sequence_entry(&mut self) -> Res<Event> {
        if self.s.check_token(&[K::BlockEntry])? {
            let t = self.s.get_token()?.expect("token");
            if !self.s.check_token(&[K::BlockEntry, K::BlockEnd])? {
                self.states.push(State::BlockSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::BlockSequenceEntry;
            return Ok(empty_scalar(t.end));
        }
        if !self.s.check_token(&[K::BlockEnd])? {
            let (id, mark) = self.s.peek_id_mark()?;
            return Err(marked(
                "while parsing a block collection",
                *self.marks.last().expect("mark"),
                format!("expected <block end>, but found {}", str_repr(id)),
                mark,
            ));
        }
        let t = self.s.get_token()?.expect("token");
        self.state = self.pop_state();
        self.marks.pop();
        Ok(Event {
            ev: Ev::SequenceEnd,
            start: t.start,
        })
    }

    fn block_mapping_key(&mut self) -> Res<Event> {
        if self.s.check_token(&[K::Key])? {
            let t = self.s.get_token()?.expect("token");
            if !self.s.check_token(&[K::Key, K::Value, K::BlockEnd])? {
                self.states.push(State::BlockMappingValue);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingValue;
            return Ok(empty_scalar(t.end));
        }
        if self.gt_1_1() && self.s.check_token(&[K::Value])? {
            self.state = State::BlockMappingValue;
            let (_, mark) = self.s.peek_id_mark()?;
            return Ok(empty_scalar(mark));
        }
        if !self.s.check_token(&[K::BlockEnd])? {
            let (id, mark) = self.s.peek_id_mark()?;
            return Err(marked(
                "while parsing a block mapping",
                *self.marks.last().expect("mark"),
                format!("expected <block end>, but found {}", str_repr(id)),
                mark,
            ));
        }
        let t = self.s.get_token()?.expect("token");
        self.state = self.pop_state();
        self.marks.pop();
        Ok(Event {
            ev: Ev::MappingEnd,
            start: t.start,
        })
    }

    fn flow_sequence_entry(&mut self, first: bool) -> Res<Event> {
        if !self.s.check_token(&[K::FlowSequenceEnd])? {
            if !first {
                if self.s.check_token(&[K::FlowEntry])? {
                    self.s.get_token()?;
                } else {
                    let (id, mark) = self.s.peek_id_mark()?;
                    return Err(marked(
                        "while parsing a flow sequence",
                        *self.marks.last().expect("mark"),
                        format!("expected ',' or ']', but got {}", str_repr(id)),
                        mark,
                    ));
                }
            }
            if self.s.check_token(&[K::Key])? {
                let (_, mark) = self.s.peek_id_mark()?;
                self.state = State::FlowSequenceEntryMappingKey;
                return Ok(Event {
                    ev: Ev::MappingStart {
                        anchor: None,
                        tag: None,
                        flow: true,
                    },
                    start: mark,
                });
            } else if !self.s.check_token(&[K::FlowSequenceEnd])? {
                self.states.push(State::FlowSequenceEntry);
                return self.parse_node(false, false);
            }
        }
        let t = self.s.get_token()?.expect("token");
        self.state = self.pop_state();
        self.marks.pop();
        Ok(Event {
            ev: Ev::SequenceEnd,
            start: t.start,
        })
    }

    fn flow_mapping_key(&mut self, first: bool) -> Res<Event> {
        if !self.s.check_token(&[K::FlowMappingEnd])? {
            if !first {
                if self.s.check_token(&[K::FlowEntry])? {
                    self.s.get_token()?;
                } else {
                    let (id, mark) = self.s.peek_id_mark()?;
                    return Err(marked(
                        "while parsing a flow mapping",
                        *self.marks.last().expect("mark"),
                        format!("expected ',' or '}}', but got {}", str_repr(id)),
                        mark,
                    ));
                }
            }
            if self.s.check_token(&[K::Key])? {
                let t = self.s.get_token()?.expect("token");
                if !self
                    .s
                    .check_token(&[K::Value, K::FlowEntry, K::FlowMappingEnd])?
                {
                    self.states.push(State::FlowMappingValue);
                    return self.parse_node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Ok(empty_scalar(t.end));
            } else if self.gt_1_1() && self.s.check_token(&[K::Value])? {
                self.state = State::FlowMappingValue;
                let end = self.s.peek_token()?.expect("token").end;
                return Ok(empty_scalar(end));
            } else if !self.s.check_token(&[K::FlowMappingEnd])? {
                self.states.push(State::FlowMappingEmptyValue);
                return self.parse_node(false, false);
            }
        }
        let t = self.s.get_token()?.expect("token");
        self.state = self.pop_state();
        self.marks.pop();
        Ok(Event {
            ev: Ev::MappingEnd,
            start: t.start,
        })
    }
}

fn empty_scalar(mark: Mark) -> Event {
    Event {
        ev: Ev::Scalar {
            anchor: None,
            tag: None,
            implicit: (true, false),
            value: String::new(),
            style: None,
        },
        start: mark,
    }
}
