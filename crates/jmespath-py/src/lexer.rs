//! Tokenizer, following python-jmespath 1.0.1's `Lexer` character by character: the
//! token kinds and their names (they appear upper-cased in error messages), positions
//! counted in code points, and the quirks of its literal handling (the `` `foo` `` legacy
//! fallback to a string, backslashes kept in raw strings).

use pystd::json::{self, Error as JsonError, Value as Json};
use pystd::text::is_space;

/// The nesting a `` `literal` `` may have when the AWS CLI compiles `--query` (measured on
/// v2.36.7: 9994 levels decode, 9995 raise RecursionError).
const LITERAL_DEPTH: usize = 9994;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Dot,
    Star,
    Rbracket,
    Comma,
    Colon,
    Current,
    Lparen,
    Rparen,
    Lbrace,
    Rbrace,
    UnquotedIdentifier,
    QuotedIdentifier,
    Flatten,
    Filter,
    Lbracket,
    Literal,
    Or,
    Pipe,
    And,
    Expref,
    Number,
    Lt,
    Lte,
    Gt,
    Gte,
    Eq,
    Ne,
    Not,
    Eof,
}

impl Kind {
    /// python-jmespath's name for the token type.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dot => "dot",
            Kind::Star => "star",
            Kind::Rbracket => "rbracket",
            Kind::Comma => "comma",
            Kind::Colon => "colon",
            Kind::Current => "current",
            Kind::Lparen => "lparen",
            Kind::Rparen => "rparen",
            Kind::Lbrace => "lbrace",
            Kind::Rbrace => "rbrace",
            Kind::UnquotedIdentifier => "unquoted_identifier",
            Kind::QuotedIdentifier => "quoted_identifier",
            Kind::Flatten => "flatten",
            Kind::Filter => "filter",
            Kind::Lbracket => "lbracket",
            Kind::Literal => "literal",
            Kind::Or => "or",
            Kind::Pipe => "pipe",
            Kind::And => "and",
            Kind::Expref => "expref",
            Kind::Number => "number",
            Kind::Lt => "lt",
            Kind::Lte => "lte",
            Kind::Gt => "gt",
            Kind::Gte => "gte",
            Kind::Eq => "eq",
            Kind::Ne => "ne",
            Kind::Not => "not",
            Kind::Eof => "eof",
        }
    }
}

/// A token's value: Python keeps the text, the int, or the decoded JSON.
#[derive(Clone, Debug)]
pub(crate) enum TokenValue {
    Text(String),
    /// `int(text)`: the value (saturated to 128 bits, which changes nothing for indexes and
    /// slices) and Python's `str()` of the exact integer.
    Number(i128, String),
    Json(Json),
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub kind: Kind,
    pub value: TokenValue,
    /// Code point offset where the token starts.
    pub start: usize,
}

impl Token {
    /// `'%s' % token['value']`, as the error messages show it.
    pub fn value_str(&self) -> String {
        match &self.value {
            TokenValue::Text(s) => s.clone(),
            TokenValue::Number(_, text) => text.clone(),
            TokenValue::Json(v) => v.py_str(),
        }
    }
}

/// A lexer failure. `Lexer` carries python-jmespath's LexerError; `Recursion` a
/// RecursionError from decoding a deeply nested literal.
#[derive(Debug)]
pub(crate) enum LexError {
    Lexer { position: usize, message: String },
    Recursion(String),
}

pub(crate) fn tokenize(expression: &str) -> Result<Vec<Token>, LexError> {
    let chars: Vec<char> = expression.chars().collect();
    let mut lx = Lexer {
        chars: &chars,
        pos: 0,
        current: chars.first().copied(),
    };
    let mut tokens = Vec::new();
    while let Some(c) = lx.current {
        let start = lx.pos;
        let simple = match c {
            '.' => Some(Kind::Dot),
            '*' => Some(Kind::Star),
            ']' => Some(Kind::Rbracket),
            ',' => Some(Kind::Comma),
            ':' => Some(Kind::Colon),
            '@' => Some(Kind::Current),
            '(' => Some(Kind::Lparen),
            ')' => Some(Kind::Rparen),
            '{' => Some(Kind::Lbrace),
            '}' => Some(Kind::Rbrace),
            _ => None,
        };
        if let Some(kind) = simple {
            tokens.push(text_token(kind, c.to_string(), start));
            lx.next();
            continue;
        }
        match c {
            'a'..='z' | 'A'..='Z' | '_' => {
                let mut buff = c.to_string();
                while let Some(n) = lx.next().filter(|n| n.is_ascii_alphanumeric() || *n == '_') {
                    buff.push(n);
                }
                tokens.push(text_token(Kind::UnquotedIdentifier, buff, start));
            }
            ' ' | '\t' | '\n' | '\r' => {
                lx.next();
            }
            '[' => match lx.next() {
                Some(']') => {
                    lx.next();
                    tokens.push(text_token(Kind::Flatten, "[]".into(), start));
                }
                Some('?') => {
                    lx.next();
                    tokens.push(text_token(Kind::Filter, "[?".into(), start));
                }
                _ => tokens.push(text_token(Kind::Lbracket, "[".into(), start)),
            },
            '\'' => tokens.push(lx.raw_string_literal()?),
            '|' => tokens.push(lx.match_or_else('|', Kind::Or, Kind::Pipe)),
            '&' => tokens.push(lx.match_or_else('&', Kind::And, Kind::Expref)),
            '`' => tokens.push(lx.literal()?),
            '0'..='9' => {
                let buff = lx.number_chars();
                tokens.push(number_token(&buff, start));
            }
            '-' => {
                let buff = lx.number_chars();
                if buff.chars().count() > 1 {
                    tokens.push(number_token(&buff, start));
                } else {
                    return Err(LexError::Lexer {
                        position: start,
                        message: format!("Unknown token '{buff}'"),
                    });
                }
            }
            '"' => tokens.push(lx.quoted_identifier()?),
            '<' => tokens.push(lx.match_or_else('=', Kind::Lte, Kind::Lt)),
            '>' => tokens.push(lx.match_or_else('=', Kind::Gte, Kind::Gt)),
            '!' => tokens.push(lx.match_or_else('=', Kind::Ne, Kind::Not)),
            '=' => {
                if lx.next() == Some('=') {
                    tokens.push(text_token(Kind::Eq, "==".into(), start));
                    lx.next();
                } else {
                    // python-jmespath reports the '=' itself (it backs up one position
                    // unless it hit the end, where its position never advanced).
                    return Err(LexError::Lexer {
                        position: start,
                        message: "Unknown token '='".into(),
                    });
                }
            }
            _ => {
                return Err(LexError::Lexer {
                    position: lx.pos,
                    message: format!("Unknown token {c}"),
                })
            }
        }
    }
    tokens.push(text_token(Kind::Eof, String::new(), chars.len()));
    Ok(tokens)
}

fn text_token(kind: Kind, text: String, start: usize) -> Token {
    Token {
        kind,
        value: TokenValue::Text(text),
        start,
    }
}

/// `int(buff)` for `-?[0-9]+`.
fn number_token(buff: &str, start: usize) -> Token {
    let (neg, digits) = match buff.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, buff),
    };
    let trimmed = digits.trim_start_matches('0');
    let magnitude = if trimmed.is_empty() { "0" } else { trimmed };
    let text = if neg && magnitude != "0" {
        format!("-{magnitude}")
    } else {
        magnitude.to_string()
    };
    let value = text
        .parse::<i128>()
        .unwrap_or(if neg { i128::MIN } else { i128::MAX });
    Token {
        kind: Kind::Number,
        value: TokenValue::Number(value, text),
        start,
    }
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    current: Option<char>,
}

impl Lexer<'_> {
    /// python-jmespath's `_next`: at the last character the position stays put and the
    /// current character becomes None.
    fn next(&mut self) -> Option<char> {
        if self.pos + 1 >= self.chars.len() {
            self.current = None;
        } else {
            self.pos += 1;
            self.current = Some(self.chars[self.pos]);
        }
        self.current
    }

    fn number_chars(&mut self) -> String {
        let mut buff = String::new();
        if let Some(c) = self.current {
            buff.push(c);
        }
        while let Some(n) = self.next().filter(char::is_ascii_digit) {
            buff.push(n);
        }
        buff
    }

    fn match_or_else(&mut self, expected: char, matched: Kind, otherwise: Kind) -> Token {
        let start = self.pos;
        let current = self.current.unwrap_or_default();
        if self.next() == Some(expected) {
            self.next();
            return text_token(matched, format!("{current}{expected}"), start);
        }
        text_token(otherwise, current.to_string(), start)
    }

    /// `_consume_until`: the text up to the closing delimiter; a backslash keeps itself
    /// and the character after it (so `\<delim>` does not close).
    fn until(&mut self, delimiter: char) -> Result<String, LexError> {
        let start = self.pos;
        let mut buff = String::new();
        self.next();
        while self.current != Some(delimiter) {
            if self.current == Some('\\') {
                buff.push('\\');
                self.next();
            }
            let Some(c) = self.current else {
                return Err(LexError::Lexer {
                    position: start,
                    message: format!("Unclosed {delimiter} delimiter"),
                });
            };
            buff.push(c);
            self.next();
        }
        self.next();
        Ok(buff)
    }

    fn literal(&mut self) -> Result<Token, LexError> {
        let start = self.pos;
        let lexeme = self.until('`')?.replace("\\`", "`");
        let value = match json::loads_nested(&lexeme, LITERAL_DEPTH) {
            Ok(v) => v,
            Err(e @ JsonError::TooDeep(_)) => return Err(LexError::Recursion(e.to_string())),
            // python-jmespath's JEP-12 deprecation path: an invalid JSON literal is taken
            // as the contents of a JSON string (after stripping leading whitespace).
            Err(JsonError::Decode { .. }) => {
                let quoted = format!("\"{}\"", lexeme.trim_start_matches(is_space));
                match json::loads_nested(&quoted, LITERAL_DEPTH) {
                    Ok(v) => v,
                    Err(e @ JsonError::TooDeep(_)) => {
                        return Err(LexError::Recursion(e.to_string()))
                    }
                    Err(JsonError::Decode { .. }) => {
                        return Err(LexError::Lexer {
                            position: start,
                            message: format!("Bad token {lexeme}"),
                        });
                    }
                }
            }
        };
        Ok(Token {
            kind: Kind::Literal,
            value: TokenValue::Json(value),
            start,
        })
    }

    fn quoted_identifier(&mut self) -> Result<Token, LexError> {
        let start = self.pos;
        let lexeme = format!("\"{}\"", self.until('"')?);
        match json::loads(&lexeme) {
            Ok(v) => Ok(Token {
                kind: Kind::QuotedIdentifier,
                value: TokenValue::Json(v),
                start,
            }),
            // python-jmespath shows the message without its position.
            Err(e @ JsonError::Decode { .. }) => Err(LexError::Lexer {
                position: start,
                message: e.msg().to_string(),
            }),
            Err(e @ JsonError::TooDeep(_)) => Err(LexError::Recursion(e.to_string())),
        }
    }

    fn raw_string_literal(&mut self) -> Result<Token, LexError> {
        let start = self.pos;
        let lexeme = self.until('\'')?.replace("\\'", "'");
        Ok(Token {
            kind: Kind::Literal,
            value: TokenValue::Json(Json::Str(lexeme)),
            start,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(e: &str) -> Vec<&'static str> {
        tokenize(e).unwrap().iter().map(|t| t.kind.name()).collect()
    }

    #[test]
    fn token_kinds() {
        assert_eq!(
            kinds("a.b[?c>=`1`]||&d|[]"),
            [
                "unquoted_identifier",
                "dot",
                "unquoted_identifier",
                "filter",
                "unquoted_identifier",
                "gte",
                "literal",
                "rbracket",
                "or",
                "expref",
                "unquoted_identifier",
                "pipe",
                "flatten",
                "eof"
            ]
        );
    }

    #[test]
    fn literal_fallback_and_raw_strings() {
        let t = tokenize("`foo`").unwrap();
        assert_eq!(t[0].value_str(), "foo");
        let t = tokenize(r"'a\'b\\c'").unwrap();
        assert_eq!(t[0].value_str(), r"a'b\\c");
        let t = tokenize("-007").unwrap();
        assert_eq!(t[0].value_str(), "-7");
    }
}
