//! The YAML emitter: ruamel's pure-Python `Emitter` (emitter.py), a state machine over
//! events, with a switch for the one other emitter the AWS CLI uses: libyaml 0.1.7's
//! `emitter.c` as ruamel.yaml.clib ships it (`--output yaml`, width 80).
//!
//! The two are the same design (ruamel's is a port of PyYAML's, which is libyaml's); for the
//! events a dump produces (block collections, empty flow collections, scalars, tags,
//! anchors) they differ only in:
//!
//! * what counts as printable: libyaml 0.1.7 rejects NEL, the BOM and every character
//!   outside the BMP (so an emoji is written `"\U0001F600"`); ruamel accepts NEL and
//!   supplementary characters;
//! * the scalar style: ruamel prefers double quotes for a string with `'` or a line break
//!   that cannot be plain, libyaml single quotes;
//! * a simple key: libyaml allows up to 128 bytes of text; ruamel fewer than 128 characters
//!   of anchor, tag (`!!str`, even when it is not written) and text;
//! * line folding: the CLI's kubeconfig dump sets an infinite width (never folds); its
//!   `--output yaml` folds at 80 columns by libyaml's rules, which are the rules here.

use crate::resolver::resolve_plain;

/// Which emitter to reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// ruamel.yaml's pure-Python emitter with `width = float('inf')` (the CLI's
    /// `ordered_yaml_dump`): lines are never folded.
    RuamelPure,
    /// libyaml's `emitter.c` (ruamel.yaml.clib) with the default width, 80.
    Libyaml,
}

/// A scalar's presentation style (`None`/`''`/`'`/`"`/`|`/`>` in ruamel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

/// The events a serializer sends (without comments, which nothing here produces).
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        anchor: Option<String>,
        tag: String,
        /// (plain implicit, quoted implicit, standard tag).
        implicit: (bool, bool, bool),
        value: String,
        /// The representer's style request (`None` = let the emitter choose).
        style: Option<ScalarStyle>,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: String,
        implicit: bool,
        flow: bool,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: String,
        implicit: bool,
        flow: bool,
        nr_items: usize,
    },
    MappingEnd,
}

impl Event {
    /// A scalar event as ruamel's serializer makes it for a node with `tag` and `value`:
    /// implicit flags from the YAML 1.2 resolver.
    pub fn scalar(
        anchor: Option<String>,
        tag: &str,
        value: String,
        style: Option<ScalarStyle>,
    ) -> Event {
        let detected = resolve_plain(&value, false);
        Event::Scalar {
            anchor,
            implicit: (
                tag == detected,
                tag == crate::resolver::STR,
                tag.starts_with("tag:yaml.org,2002:"),
            ),
            tag: tag.to_string(),
            value,
            style,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamStart,
    FirstDocumentStart,
    DocumentStart,
    DocumentEnd,
    DocumentRoot,
    Nothing,
    FirstFlowSequenceItem,
    FlowSequenceItem,
    FirstFlowMappingKey,
    FlowMappingKey,
    FlowMappingSimpleValue,
    FlowMappingValue,
    FirstBlockSequenceItem,
    BlockSequenceItem,
    FirstBlockMappingKey,
    BlockMappingKey,
    BlockMappingSimpleValue,
    BlockMappingValue,
}

/// What `analyze_scalar` concludes about a scalar.
#[derive(Clone, Debug)]
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_flow_plain: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
    allow_double_quoted: bool,
}

const MAX_SIMPLE_KEY_LENGTH: usize = 128;
const BEST_INDENT: isize = 2;

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_space_or_end(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(
            c,
            '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}'
        ),
    }
}

/// Emits `events` (a whole stream) as text.
pub fn emit(events: &[Event], flavor: Flavor) -> String {
    let mut e = Emitter::new(flavor);
    for i in 0..events.len() {
        e.step(&events[i], &events[i + 1..]);
    }
    e.out
}

struct Emitter {
    flavor: Flavor,
    out: String,
    states: Vec<State>,
    state: State,
    /// `Indents`: (previous indent, is a sequence).
    indents: Vec<(Option<isize>, bool)>,
    indent: Option<isize>,
    flow_context: Vec<&'static str>,
    root_context: bool,
    sequence_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
    column: usize,
    whitespace: bool,
    indention: bool,
    no_newline: bool,
    open_ended: bool,
    best_width: usize,
    prepared_anchor: Option<String>,
    prepared_tag: Option<String>,
    analysis: Option<Analysis>,
    style: Option<ScalarStyle>,
}

impl Emitter {
    fn new(flavor: Flavor) -> Emitter {
        Emitter {
            flavor,
            out: String::new(),
            states: Vec::new(),
            state: State::StreamStart,
            indents: Vec::new(),
            indent: None,
            flow_context: Vec::new(),
            root_context: false,
            sequence_context: false,
            mapping_context: false,
            simple_key_context: false,
            column: 0,
            whitespace: true,
            indention: true,
            no_newline: false,
            open_ended: false,
            best_width: match flavor {
                Flavor::RuamelPure => usize::MAX,
                Flavor::Libyaml => 80,
            },
            prepared_anchor: None,
            prepared_tag: None,
            analysis: None,
            style: None,
        }
    }

    fn flow_level(&self) -> usize {
        self.flow_context.len()
    }

    fn pop_state(&mut self) -> State {
        self.states.pop().unwrap_or(State::Nothing)
    }

    fn step(&mut self, ev: &Event, next: &[Event]) {
        match self.state {
            State::StreamStart => {
                self.state = State::FirstDocumentStart;
            }
            State::FirstDocumentStart => self.document_start(ev, true),
            State::DocumentStart => self.document_start(ev, false),
            State::DocumentEnd => {
                self.write_indent();
                self.state = State::DocumentStart;
            }
            State::DocumentRoot => {
                self.states.push(State::DocumentEnd);
                self.expect_node(ev, next, true, false, false, false);
            }
            State::Nothing => {}
            State::FirstFlowSequenceItem | State::FlowSequenceItem => {
                let first = self.state == State::FirstFlowSequenceItem;
                if let Event::SequenceEnd = ev {
                    self.indent = self.indents.pop().and_then(|x| x.0);
                    self.flow_context.pop();
                    self.write_indicator("]", false, false, false);
                    if first && self.flow_level() == 0 && self.flavor == Flavor::RuamelPure {
                        self.write_line_break();
                    } else if !first {
                        self.no_newline = false;
                    }
                    self.state = self.pop_state();
                } else {
                    if !first {
                        self.write_indicator(",", false, false, false);
                    }
                    if self.column > self.best_width {
                        self.write_indent();
                    }
                    self.states.push(State::FlowSequenceItem);
                    self.expect_node(ev, next, false, true, false, false);
                }
            }
            State::FirstFlowMappingKey | State::FlowMappingKey => {
                let first = self.state == State::FirstFlowMappingKey;
                if let Event::MappingEnd = ev {
                    self.indent = self.indents.pop().and_then(|x| x.0);
                    let popped = self.flow_context.pop().unwrap_or("{");
                    if first {
                        self.write_indicator("}", false, false, false);
                        if self.flow_level() == 0 && self.flavor == Flavor::RuamelPure {
                            self.write_line_break();
                        }
                    } else if !popped.is_empty() {
                        self.write_indicator("}", false, false, false);
                    }
                    self.state = self.pop_state();
                } else {
                    if !first {
                        self.write_indicator(",", false, false, false);
                    }
                    if self.column > self.best_width {
                        self.write_indent();
                    }
                    if self.check_simple_key(ev, next) {
                        self.states.push(State::FlowMappingSimpleValue);
                        self.expect_node(ev, next, false, false, true, true);
                    } else {
                        self.write_indicator("?", true, false, false);
                        self.states.push(State::FlowMappingValue);
                        self.expect_node(ev, next, false, false, true, false);
                    }
                }
            }
            State::FlowMappingSimpleValue => {
                self.write_indicator(":", false, false, false);
                self.states.push(State::FlowMappingKey);
                self.expect_node(ev, next, false, false, true, false);
            }
            State::FlowMappingValue => {
                if self.column > self.best_width {
                    self.write_indent();
                }
                self.write_indicator(":", true, false, false);
                self.states.push(State::FlowMappingKey);
                self.expect_node(ev, next, false, false, true, false);
            }
            State::FirstBlockSequenceItem | State::BlockSequenceItem => {
                let first = self.state == State::FirstBlockSequenceItem;
                if !first && *ev == Event::SequenceEnd {
                    self.indent = self.indents.pop().and_then(|x| x.0);
                    self.state = self.pop_state();
                    self.no_newline = false;
                } else {
                    let nonl = if self.column == 0 {
                        self.no_newline
                    } else {
                        false
                    };
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    if nonl {
                        self.no_newline = true;
                    }
                    self.states.push(State::BlockSequenceItem);
                    self.expect_node(ev, next, false, true, false, false);
                }
            }
            State::FirstBlockMappingKey | State::BlockMappingKey => {
                let first = self.state == State::FirstBlockMappingKey;
                if !first && *ev == Event::MappingEnd {
                    self.indent = self.indents.pop().and_then(|x| x.0);
                    self.state = self.pop_state();
                } else {
                    self.write_indent();
                    if self.check_simple_key(ev, next) {
                        self.states.push(State::BlockMappingSimpleValue);
                        self.expect_node(ev, next, false, false, true, true);
                        if let Event::Alias(_) = ev {
                            // ruamel writes the space straight to the stream.
                            self.out.push(' ');
                        }
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.states.push(State::BlockMappingValue);
                        self.expect_node(ev, next, false, false, true, false);
                    }
                }
            }
            State::BlockMappingSimpleValue => {
                self.write_indicator(":", false, false, false);
                self.states.push(State::BlockMappingKey);
                self.expect_node(ev, next, false, false, true, false);
            }
            State::BlockMappingValue => {
                self.write_indent();
                self.write_indicator(":", true, false, true);
                self.states.push(State::BlockMappingKey);
                self.expect_node(ev, next, false, false, true, false);
            }
        }
    }

    fn document_start(&mut self, ev: &Event, first: bool) {
        match ev {
            Event::DocumentStart => {
                if !first {
                    self.write_indent();
                    self.write_indicator("---", true, false, false);
                }
                self.state = State::DocumentRoot;
            }
            Event::StreamEnd => {
                if self.open_ended {
                    self.write_indicator("...", true, false, false);
                    self.write_indent();
                }
                self.state = State::Nothing;
            }
            _ => {}
        }
    }

    fn increase_indent(&mut self, flow: bool, sequence: bool, indentless: bool) {
        self.indents.push((self.indent, sequence));
        match self.indent {
            None => {
                // libyaml indents a top-level flow node (a root scalar) by best_indent;
                // ruamel by `requested_indent`, unset.
                self.indent = match (flow, self.flavor) {
                    (false, _) => Some(0),
                    (true, Flavor::Libyaml) => Some(BEST_INDENT),
                    (true, Flavor::RuamelPure) => None,
                };
            }
            Some(i) if !indentless => self.indent = Some(i + BEST_INDENT),
            _ => {}
        }
    }

    fn expect_node(
        &mut self,
        ev: &Event,
        next: &[Event],
        root: bool,
        sequence: bool,
        mapping: bool,
        simple_key: bool,
    ) {
        self.root_context = root;
        self.sequence_context = sequence;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match ev {
            Event::Alias(_) => {
                self.process_anchor(ev, "*");
                self.state = self.pop_state();
            }
            Event::Scalar { .. } => {
                if self.process_anchor(ev, "&") {
                    self.sequence_context = false;
                }
                self.process_tag(ev);
                // expect_scalar
                self.increase_indent(true, false, false);
                self.process_scalar(ev);
                self.indent = self.indents.pop().and_then(|x| x.0);
                self.state = self.pop_state();
            }
            Event::SequenceStart { flow, .. } => {
                self.process_anchor(ev, "&");
                self.process_tag(ev);
                let empty = matches!(next.first(), Some(Event::SequenceEnd));
                if self.flow_level() > 0 || *flow || empty {
                    self.expect_flow_collection("[", State::FirstFlowSequenceItem, true);
                } else {
                    // expect_block_sequence
                    let indentless = self.mapping_context && !self.indention;
                    self.increase_indent(false, true, indentless);
                    self.state = State::FirstBlockSequenceItem;
                }
                let n = self.indents.len();
                if n >= 2 && self.indents[n - 2].1 && self.indents[n - 1].1 {
                    self.indention = true;
                    self.no_newline = false;
                }
            }
            Event::MappingStart { flow, nr_items, .. } => {
                self.process_anchor(ev, "&");
                self.process_tag(ev);
                let empty = matches!(next.first(), Some(Event::MappingEnd));
                if self.flow_level() > 0 || *flow || empty {
                    let single = *nr_items == 1
                        && self.flow_level() > 0
                        && self.flow_context.last() == Some(&"[");
                    let open = if single { "" } else { "{" };
                    self.expect_flow_collection(open, State::FirstFlowMappingKey, false);
                } else {
                    self.increase_indent(false, false, false);
                    self.state = State::FirstBlockMappingKey;
                }
            }
            _ => {}
        }
    }

    /// `expect_flow_sequence` / `expect_flow_mapping` (no comments, so no forced indent).
    fn expect_flow_collection(&mut self, open: &'static str, state: State, sequence: bool) {
        // Indents.seq_flow_align: extra spaces only after a dash in a nested sequence.
        let n = self.indents.len();
        let ind = if n < 2 || !self.indents[n - 1].1 {
            0
        } else {
            let base = self.indents[n - 1].0.unwrap_or(0);
            (base + BEST_INDENT - self.column as isize - 1).max(0) as usize
        };
        let text = format!("{}{}", " ".repeat(ind), open);
        self.write_indicator(&text, true, true, false);
        self.increase_indent(true, sequence, false);
        self.flow_context.push(open);
        self.state = state;
    }

    fn check_simple_key(&mut self, ev: &Event, next: &[Event]) -> bool {
        let mut length = 0;
        let anchor = match ev {
            Event::Scalar { anchor, .. }
            | Event::SequenceStart { anchor, .. }
            | Event::MappingStart { anchor, .. } => anchor.clone(),
            _ => None,
        };
        if let Some(a) = &anchor {
            if self.prepared_anchor.is_none() {
                self.prepared_anchor = Some(a.clone());
            }
            length += a.chars().count();
        }
        if self.flavor == Flavor::RuamelPure {
            let tag = match ev {
                Event::Scalar { tag, .. }
                | Event::SequenceStart { tag, .. }
                | Event::MappingStart { tag, .. } => Some(tag),
                _ => None,
            };
            if let Some(t) = tag {
                if self.prepared_tag.is_none() {
                    self.prepared_tag = Some(prepare_tag(t));
                }
                length += self.prepared_tag.as_ref().map_or(0, |t| t.chars().count());
            }
        }
        match ev {
            Event::Scalar { value, .. } => {
                if self.analysis.is_none() {
                    self.analysis = Some(self.analyze_scalar(value));
                }
                let a = self.analysis.as_ref().expect("analysis");
                let fits = match self.flavor {
                    Flavor::RuamelPure => length + value.chars().count() < MAX_SIMPLE_KEY_LENGTH,
                    Flavor::Libyaml => length + value.len() <= MAX_SIMPLE_KEY_LENGTH,
                };
                fits && !a.multiline
            }
            Event::Alias(_) => length < MAX_SIMPLE_KEY_LENGTH,
            Event::SequenceStart { flow, .. } => {
                length < MAX_SIMPLE_KEY_LENGTH
                    && (*flow || matches!(next.first(), Some(Event::SequenceEnd)))
            }
            Event::MappingStart { flow, .. } => {
                length < MAX_SIMPLE_KEY_LENGTH
                    && (*flow || matches!(next.first(), Some(Event::MappingEnd)))
            }
            _ => false,
        }
    }

    fn process_anchor(&mut self, ev: &Event, indicator: &str) -> bool {
        let anchor = match ev {
            Event::Alias(a) => Some(a.clone()),
            Event::Scalar { anchor, .. }
            | Event::SequenceStart { anchor, .. }
            | Event::MappingStart { anchor, .. } => anchor.clone(),
            _ => None,
        };
        let Some(a) = anchor else {
            self.prepared_anchor = None;
            return false;
        };
        let text = format!("{indicator}{a}");
        self.write_indicator(&text, true, false, false);
        self.no_newline = false;
        self.prepared_anchor = None;
        true
    }

    fn process_tag(&mut self, ev: &Event) {
        match ev {
            Event::Scalar {
                tag,
                implicit,
                value,
                ..
            } => {
                if self.style.is_none() {
                    self.style = Some(self.choose_scalar_style(ev));
                }
                let plain = self.style == Some(ScalarStyle::Plain);
                if (plain && implicit.0) || (!plain && implicit.1) {
                    self.prepared_tag = None;
                    return;
                }
                let _ = value;
                let t = self.prepared_tag.take().unwrap_or_else(|| prepare_tag(tag));
                self.write_indicator(&t, true, false, false);
                if self.sequence_context && self.flow_level() == 0 {
                    self.no_newline = true;
                }
            }
            Event::SequenceStart { tag, implicit, .. }
            | Event::MappingStart { tag, implicit, .. } => {
                if *implicit {
                    self.prepared_tag = None;
                    return;
                }
                let t = self.prepared_tag.take().unwrap_or_else(|| prepare_tag(tag));
                self.write_indicator(&t, true, false, false);
            }
            _ => {}
        }
        self.prepared_tag = None;
    }

    fn choose_scalar_style(&mut self, ev: &Event) -> ScalarStyle {
        let Event::Scalar {
            implicit,
            value,
            style,
            ..
        } = ev
        else {
            return ScalarStyle::Plain;
        };
        if self.analysis.is_none() {
            self.analysis = Some(self.analyze_scalar(value));
        }
        let a = self.analysis.clone().expect("analysis");
        if *style == Some(ScalarStyle::Double) {
            return ScalarStyle::Double;
        }
        if self.flavor == Flavor::Libyaml {
            // yaml_emitter_select_scalar_style
            let mut s = style.unwrap_or(ScalarStyle::Plain);
            if self.simple_key_context && a.multiline {
                s = ScalarStyle::Double;
            }
            if s == ScalarStyle::Plain {
                if (self.flow_level() > 0 && !a.allow_flow_plain)
                    || (self.flow_level() == 0 && !a.allow_block_plain)
                {
                    s = ScalarStyle::Single;
                }
                if a.empty && (self.flow_level() > 0 || self.simple_key_context) {
                    s = ScalarStyle::Single;
                }
                if !implicit.0 {
                    s = ScalarStyle::Single;
                }
            }
            if s == ScalarStyle::Single && !a.allow_single_quoted {
                s = ScalarStyle::Double;
            }
            if matches!(s, ScalarStyle::Literal | ScalarStyle::Folded)
                && (self.flow_level() > 0 || self.simple_key_context)
            {
                s = ScalarStyle::Double;
            }
            return s;
        }
        if style.is_none() && (implicit.0 || !implicit.2) {
            let plain_ok = if self.flow_level() > 0 {
                a.allow_flow_plain
            } else {
                a.allow_block_plain
            };
            if !(self.simple_key_context && (a.empty || a.multiline)) && plain_ok {
                return ScalarStyle::Plain;
            }
        }
        if let Some(s @ (ScalarStyle::Literal | ScalarStyle::Folded)) = style {
            if self.flow_level() == 0 && !self.simple_key_context {
                return *s;
            }
        }
        if style.is_none()
            && a.allow_double_quoted
            && (value.contains('\'') || value.contains('\n'))
        {
            return ScalarStyle::Double;
        }
        if (style.is_none() || *style == Some(ScalarStyle::Single))
            && a.allow_single_quoted
            && !(self.simple_key_context && a.multiline)
        {
            return ScalarStyle::Single;
        }
        ScalarStyle::Double
    }

    fn is_printable(&self, c: char) -> bool {
        match self.flavor {
            Flavor::RuamelPure => {
                matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
                    && c != '\u{FEFF}'
            }
            Flavor::Libyaml => {
                matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
                    && c != '\u{FEFF}'
            }
        }
    }

    fn analyze_scalar(&self, scalar: &str) -> Analysis {
        let chars: Vec<char> = scalar.chars().collect();
        if chars.is_empty() {
            return Analysis {
                empty: true,
                multiline: false,
                allow_flow_plain: false,
                allow_block_plain: true,
                allow_single_quoted: true,
                allow_double_quoted: true,
            };
        }
        let mut block_indicators = false;
        let mut flow_indicators = false;
        let mut line_breaks = false;
        let mut special_characters = false;
        let mut leading_space = false;
        let mut leading_break = false;
        let mut trailing_space = false;
        let mut trailing_break = false;
        let mut break_space = false;
        let mut space_break = false;
        if scalar.starts_with("---") || scalar.starts_with("...") {
            block_indicators = true;
            flow_indicators = true;
        }
        let mut preceded_by_whitespace = true;
        let mut followed_by_whitespace = is_space_or_end(chars.get(1).copied());
        let mut previous_space = false;
        let mut previous_break = false;
        let last = chars.len() - 1;
        for (index, &ch) in chars.iter().enumerate() {
            if index == 0 {
                if "#,[]{}&*!|>'\"%@`".contains(ch) {
                    flow_indicators = true;
                    block_indicators = true;
                }
                if ch == '?' || ch == ':' {
                    if chars.len() == 1 {
                        flow_indicators = true;
                    }
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                if ch == '-' && followed_by_whitespace {
                    flow_indicators = true;
                    block_indicators = true;
                }
            } else {
                if ",[]{}".contains(ch) {
                    flow_indicators = true;
                }
                if ch == ':' && followed_by_whitespace {
                    flow_indicators = true;
                    block_indicators = true;
                }
                if ch == '#' && preceded_by_whitespace {
                    flow_indicators = true;
                    block_indicators = true;
                }
            }
            let brk = match self.flavor {
                Flavor::RuamelPure => is_break(ch),
                Flavor::Libyaml => is_break(ch) || ch == '\r',
            };
            if brk {
                line_breaks = true;
            }
            if !self.is_printable(ch) {
                special_characters = true;
            }
            if ch == ' ' {
                if index == 0 {
                    leading_space = true;
                }
                if index == last {
                    trailing_space = true;
                }
                if previous_break {
                    break_space = true;
                }
                previous_space = true;
                previous_break = false;
            } else if brk {
                if index == 0 {
                    leading_break = true;
                }
                if index == last {
                    trailing_break = true;
                }
                if previous_space {
                    space_break = true;
                }
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = is_space_or_end(Some(ch));
            followed_by_whitespace =
                index + 2 > last || is_space_or_end(chars.get(index + 2).copied());
        }
        let mut a = Analysis {
            empty: false,
            multiline: line_breaks,
            allow_flow_plain: true,
            allow_block_plain: true,
            allow_single_quoted: true,
            allow_double_quoted: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            a.allow_flow_plain = false;
            a.allow_block_plain = false;
        }
        if break_space {
            a.allow_flow_plain = false;
            a.allow_block_plain = false;
            a.allow_single_quoted = false;
        }
        if special_characters || space_break {
            a.allow_flow_plain = false;
            a.allow_block_plain = false;
            a.allow_single_quoted = false;
        }
        if line_breaks {
            a.allow_flow_plain = false;
            a.allow_block_plain = false;
        }
        if flow_indicators {
            a.allow_flow_plain = false;
        }
        if block_indicators {
            a.allow_block_plain = false;
        }
        a
    }

    fn process_scalar(&mut self, ev: &Event) {
        let Event::Scalar { value, .. } = ev else {
            return;
        };
        if self.style.is_none() {
            self.style = Some(self.choose_scalar_style(ev));
        }
        let split = !self.simple_key_context;
        if self.flavor == Flavor::RuamelPure && self.sequence_context && self.flow_level() == 0 {
            self.write_indent();
        }
        match self.style.expect("style") {
            ScalarStyle::Double => self.write_double_quoted(value, split),
            ScalarStyle::Single => self.write_single_quoted(value, split),
            ScalarStyle::Literal => self.write_literal(value),
            ScalarStyle::Folded => self.write_literal(value),
            ScalarStyle::Plain => self.write_plain(value, split),
        }
        self.analysis = None;
        self.style = None;
    }

    // Writers.

    fn put_str(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.put_str(" ");
        }
        self.put_str(indicator);
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
        self.open_ended = false;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0).max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            if self.no_newline {
                self.no_newline = false;
            } else {
                self.write_line_break();
            }
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.out.push_str(&pad);
            self.column = indent;
        }
    }

    fn write_line_break(&mut self) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push('\n');
    }

    /// A line break character of the text itself (LS, PS) or `\n`.
    fn write_break_char(&mut self, c: char) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push(c);
    }

    fn write_plain(&mut self, text: &str, split: bool) {
        if self.root_context {
            self.open_ended = true;
        }
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.put_str(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if split
                    && !spaces
                    && self.column > self.best_width
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                    self.whitespace = false;
                    self.indention = false;
                } else {
                    self.out.push(c);
                    self.column += 1;
                }
                spaces = true;
            } else {
                self.out.push(c);
                self.column += 1;
                spaces = false;
            }
        }
    }

    fn write_single_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let last = chars.len().saturating_sub(1);
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if split
                    && !spaces
                    && self.column > self.best_width
                    && i != 0
                    && i != last
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.out.push(c);
                    self.column += 1;
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.write_line_break();
                }
                self.write_break_char(c);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.out.push('\'');
                    self.column += 1;
                }
                self.out.push(c);
                self.column += 1;
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if breaks {
            self.write_indent();
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let last = chars.len().saturating_sub(1);
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            let escape = !self.is_printable(c)
                || c == '\u{FEFF}'
                || is_break(c)
                || c == '"'
                || c == '\\'
                || c == '\r';
            if escape {
                let esc = match c {
                    '\0' => "0".to_string(),
                    '\u{07}' => "a".into(),
                    '\u{08}' => "b".into(),
                    '\t' => "t".into(),
                    '\n' => "n".into(),
                    '\u{0B}' => "v".into(),
                    '\u{0C}' => "f".into(),
                    '\r' => "r".into(),
                    '\u{1B}' => "e".into(),
                    '"' => "\"".into(),
                    '\\' => "\\".into(),
                    '\u{85}' => "N".into(),
                    '\u{A0}' => "_".into(),
                    '\u{2028}' => "L".into(),
                    '\u{2029}' => "P".into(),
                    _ => {
                        let v = c as u32;
                        if v <= 0xFF {
                            format!("x{v:02X}")
                        } else if v <= 0xFFFF {
                            format!("u{v:04X}")
                        } else {
                            format!("U{v:08X}")
                        }
                    }
                };
                self.put_str("\\");
                self.put_str(&esc);
                spaces = false;
            } else if c == ' ' {
                if split && !spaces && self.column > self.best_width && i != 0 && i != last {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put_str("\\");
                    }
                } else {
                    self.out.push(c);
                    self.column += 1;
                }
                spaces = true;
            } else {
                self.out.push(c);
                self.column += 1;
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
    }

    /// `write_literal` (the `|` block style, used for `!!binary`).
    fn write_literal(&mut self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        // determine_block_hints
        let mut hints = String::new();
        let mut indicator = "";
        if let Some(&first) = chars.first() {
            if first == ' ' || is_break(first) {
                hints.push('2');
            }
            let lastc = *chars.last().expect("non-empty");
            if !is_break(lastc) {
                indicator = "-";
            } else if chars.len() == 1 || is_break(chars[chars.len() - 2]) {
                indicator = "+";
            }
        }
        hints.push_str(indicator);
        self.write_indicator(&format!("|{hints}"), true, false, false);
        if indicator == "+" {
            self.open_ended = true;
        }
        self.write_line_break();
        let mut breaks = true;
        let mut start = 0;
        let n = chars.len();
        let mut end = 0;
        while end <= n {
            let ch = chars.get(end).copied();
            if breaks {
                if ch.is_none_or(|c| !is_break(c)) {
                    for &br in &chars[start..end] {
                        self.write_break_char(br);
                    }
                    if ch.is_some() {
                        self.write_indent();
                    }
                    start = end;
                }
            } else if ch.is_none_or(is_break) {
                let data: String = chars[start..end].iter().collect();
                self.out.push_str(&data);
                if ch.is_none() {
                    self.write_line_break();
                }
                start = end;
            }
            if let Some(c) = ch {
                breaks = is_break(c);
            }
            end += 1;
        }
    }
}

/// `Emitter.prepare_tag` with the default tag prefixes (`!` and `tag:yaml.org,2002:`).
fn prepare_tag(tag: &str) -> String {
    if tag == "!" || tag == "!!" {
        return tag.to_string();
    }
    let mut handle: Option<&str> = None;
    let mut suffix = tag;
    for (prefix, h) in [("!", "!"), ("!!", "!!"), ("tag:yaml.org,2002:", "!!")] {
        if tag.starts_with(prefix) && (prefix == "!" || prefix.len() < tag.len()) {
            handle = Some(h);
            suffix = &tag[prefix.len()..];
        }
    }
    let mut out = String::new();
    for c in suffix.chars() {
        if c.is_ascii_alphanumeric()
            || "-;/?:@&=+$,_.~*'()[]#".contains(c)
            || (c == '!' && handle != Some("!"))
        {
            out.push(c);
        } else {
            out.push_str(&format!("%{:02X}", c as u32));
        }
    }
    match handle {
        Some(h) => format!("{h}{out}"),
        None => format!("!<{out}>"),
    }
}
