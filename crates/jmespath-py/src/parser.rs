//! The syntax tree and a top-down operator precedence (Pratt) parser that makes the same
//! decisions, in the same order, as python-jmespath 1.0.1's `Parser`: the same binding
//! powers, the same tolerated oddities (`f(a b)` is `f(a, b)`, `{a: b c: d}` is a
//! two-key hash, `[1:2 3]` is `[1:3]`), the same tree shapes (`a[0][1:2]` is not a
//! projection) and the same error messages with their column and token.

use std::sync::Arc;

use crate::ast::{CmpOp, Node};
use crate::lexer::{tokenize, Kind, LexError, Token, TokenValue};
use crate::limits::{RECURSION_ERROR, RECURSION_LIMIT};

/// Why an expression did not compile; `render` gives python-jmespath's `str(error)`.
#[derive(Debug)]
pub(crate) enum ParseError {
    Lex(LexError),
    /// IncompleteExpressionError: the caret goes after the last character.
    Incomplete,
    Syntax {
        position: usize,
        value: String,
        kind: Kind,
        message: String,
    },
    /// Python's RecursionError (the parser recursed past the interpreter's limit).
    Recursion,
}

impl ParseError {
    pub fn render(&self, expression: &str) -> String {
        match self {
            ParseError::Lex(LexError::Lexer { position, message }) => format!(
                "Bad jmespath expression: {message}:\n{expression}\n{}^",
                " ".repeat(*position)
            ),
            ParseError::Lex(LexError::Recursion(message)) => message.clone(),
            ParseError::Incomplete => format!(
                "Invalid jmespath expression: Incomplete expression:\n\"{expression}\"\n{}^",
                " ".repeat(expression.chars().count() + 1)
            ),
            ParseError::Syntax {
                position,
                value,
                kind,
                message,
            } => format!(
                "{message}: Parse error at column {position}, token \"{value}\" ({}), for expression:\n\"{expression}\"\n{}^",
                kind.name().to_uppercase(),
                " ".repeat(position + 1)
            ),
            ParseError::Recursion => RECURSION_ERROR.to_string(),
        }
    }
}

type Parsed = Result<Node, ParseError>;

/// Parses a non-empty expression. `first_frame` is the Python stack depth at which the
/// AWS CLI enters the parser's `_expression`, for the recursion limit.
pub(crate) fn parse(expression: &str, first_frame: usize) -> Parsed {
    let tokens = tokenize(expression).map_err(ParseError::Lex)?;
    let mut p = Parser {
        tokens,
        index: 0,
        depth: first_frame - 1,
    };
    let node = p.expression(0, 1)?;
    if p.current() != Kind::Eof {
        let t = p.token(0).clone();
        let value = t.value_str();
        return Err(ParseError::Syntax {
            position: t.start,
            message: format!("Unexpected token: {value}"),
            value,
            kind: t.kind,
        });
    }
    Ok(node)
}

/// python-jmespath's BINDING_POWER table.
fn binding_power(kind: Kind) -> u8 {
    match kind {
        Kind::Pipe => 1,
        Kind::Or => 2,
        Kind::And => 3,
        Kind::Eq | Kind::Gt | Kind::Lt | Kind::Gte | Kind::Lte | Kind::Ne => 5,
        Kind::Flatten => 9,
        Kind::Star => 20,
        Kind::Filter => 21,
        Kind::Dot => 40,
        Kind::Not => 45,
        Kind::Lbrace => 50,
        Kind::Lbracket => 55,
        Kind::Lparen => 60,
        _ => 0,
    }
}

/// Tokens with a binding power below this end a projection.
const PROJECTION_STOP: u8 = 10;

struct Parser {
    tokens: Vec<Token>,
    index: usize,
    /// Python stack depth of the `_expression` frame being parsed.
    depth: usize,
}

impl Parser {
    fn token(&self, ahead: usize) -> &Token {
        // The token list ends with eof and the parser never moves past it.
        let i = (self.index + ahead).min(self.tokens.len() - 1);
        &self.tokens[i]
    }

    fn current(&self) -> Kind {
        self.token(0).kind
    }

    fn advance(&mut self) {
        self.index += 1;
    }

    /// Python raises RecursionError when a call would run deeper than the limit;
    /// `extra` is how far below the current `_expression` frame the deepest call goes.
    fn check_depth(&self, extra: usize) -> Result<(), ParseError> {
        if self.depth + extra > RECURSION_LIMIT {
            return Err(ParseError::Recursion);
        }
        Ok(())
    }

    /// `_expression(binding_power)`, entered `frames` Python frames below the caller's
    /// `_expression`.
    fn expression(&mut self, bp: u8, frames: usize) -> Parsed {
        self.depth += frames;
        // Its own helper calls (the nud, then e.g. `ast.field`) go two frames deeper.
        let result = self.check_depth(2).and_then(|()| self.expression_here(bp));
        self.depth -= frames;
        result
    }

    fn expression_here(&mut self, bp: u8) -> Parsed {
        let left_token = self.token(0).clone();
        self.advance();
        let mut left = self.nud(left_token)?;
        loop {
            let kind = self.current();
            if bp >= binding_power(kind) {
                return Ok(left);
            }
            match kind {
                Kind::Dot
                | Kind::Pipe
                | Kind::Or
                | Kind::And
                | Kind::Eq
                | Kind::Ne
                | Kind::Gt
                | Kind::Gte
                | Kind::Lt
                | Kind::Lte
                | Kind::Flatten
                | Kind::Lbracket
                | Kind::Lparen
                | Kind::Filter => {
                    self.advance();
                    left = self.led(kind, left)?;
                }
                // star, not and lbrace bind but have no led.
                _ => return Err(self.error_at_current("invalid token")),
            }
        }
    }

    // nud and led only dispatch: each case has its own small function so that the
    // recursion (`_expression` -> nud/led -> `_expression`) keeps small stack frames even
    // in unoptimised builds.

    fn nud(&mut self, token: Token) -> Parsed {
        match token.kind {
            Kind::Literal => Ok(Node::Literal(match token.value {
                TokenValue::Json(v) => v,
                _ => pystd::json::Value::Null,
            })),
            Kind::UnquotedIdentifier | Kind::QuotedIdentifier => self.nud_identifier(&token),
            Kind::Star => self.nud_star(),
            Kind::Filter => self.led_filter(Node::Identity, 2),
            Kind::Lbrace => self.multi_select_hash(2),
            Kind::Lparen => self.nud_lparen(),
            Kind::Flatten => self.nud_flatten(),
            Kind::Not => self.nud_not(),
            Kind::Lbracket => self.nud_lbracket(),
            Kind::Current => Ok(Node::Current),
            Kind::Expref => self.nud_expref(),
            Kind::Eof => Err(ParseError::Incomplete),
            _ => Err(syntax_error(&token, "invalid token")),
        }
    }

    fn nud_identifier(&mut self, token: &Token) -> Parsed {
        if token.kind == Kind::QuotedIdentifier && self.current() == Kind::Lparen {
            // python-jmespath reports column 0 here, whatever the real position.
            let t = self.token(0);
            return Err(ParseError::Syntax {
                position: 0,
                value: t.value_str(),
                kind: t.kind,
                message: "Quoted identifier not allowed for function names.".into(),
            });
        }
        Ok(Node::Field(Arc::from(token.value_str())))
    }

    fn nud_star(&mut self) -> Parsed {
        let right = if self.current() == Kind::Rbracket {
            Node::Identity
        } else {
            self.projection_rhs(binding_power(Kind::Star), 2)?
        };
        Ok(Node::ValueProjection(
            Box::new(Node::Identity),
            Box::new(right),
        ))
    }

    fn nud_lparen(&mut self) -> Parsed {
        let inner = self.expression(0, 2)?;
        self.expect(Kind::Rparen)?;
        Ok(inner)
    }

    fn nud_flatten(&mut self) -> Parsed {
        let right = self.projection_rhs(binding_power(Kind::Flatten), 2)?;
        Ok(Node::Projection(
            Box::new(Node::Flatten(Box::new(Node::Identity))),
            Box::new(right),
        ))
    }

    fn nud_not(&mut self) -> Parsed {
        let inner = self.expression(binding_power(Kind::Not), 2)?;
        Ok(Node::Not(Box::new(inner)))
    }

    fn nud_expref(&mut self) -> Parsed {
        let inner = self.expression(binding_power(Kind::Expref), 2)?;
        Ok(Node::Expref(Arc::new(inner)))
    }

    fn nud_lbracket(&mut self) -> Parsed {
        if matches!(self.current(), Kind::Number | Kind::Colon) {
            let right = self.index_expression()?;
            self.project_if_slice(Node::Identity, right, 2)
        } else if self.current() == Kind::Star && self.token(1).kind == Kind::Rbracket {
            self.advance();
            self.advance();
            let right = self.projection_rhs(binding_power(Kind::Star), 2)?;
            Ok(Node::Projection(Box::new(Node::Identity), Box::new(right)))
        } else {
            self.multi_select_list(2)
        }
    }

    fn led(&mut self, kind: Kind, left: Node) -> Parsed {
        match kind {
            Kind::Dot => self.led_dot(left),
            Kind::Pipe | Kind::Or | Kind::And => self.led_logical(kind, left),
            Kind::Lparen => self.function_call(left),
            Kind::Filter => self.led_filter(left, 1),
            Kind::Eq | Kind::Ne | Kind::Gt | Kind::Gte | Kind::Lt | Kind::Lte => {
                self.led_comparator(kind, left)
            }
            Kind::Flatten => self.led_flatten(left),
            Kind::Lbracket => self.led_lbracket(left),
            _ => Err(self.error_at_current("invalid token")),
        }
    }

    fn led_dot(&mut self, mut left: Node) -> Parsed {
        if self.current() == Kind::Star {
            self.advance();
            let right = self.projection_rhs(binding_power(Kind::Dot), 2)?;
            return Ok(Node::ValueProjection(Box::new(left), Box::new(right)));
        }
        let right = self.dot_rhs(binding_power(Kind::Dot), 2)?;
        if let Node::Subexpression(children) = &mut left {
            children.push(right);
            return Ok(left);
        }
        Ok(Node::Subexpression(vec![left, right]))
    }

    fn led_logical(&mut self, kind: Kind, left: Node) -> Parsed {
        let right = Box::new(self.expression(binding_power(kind), 2)?);
        let left = Box::new(left);
        Ok(match kind {
            Kind::Pipe => Node::Pipe(left, right),
            Kind::Or => Node::Or(left, right),
            _ => Node::And(left, right),
        })
    }

    fn led_comparator(&mut self, kind: Kind, left: Node) -> Parsed {
        let op = match kind {
            Kind::Eq => CmpOp::Eq,
            Kind::Ne => CmpOp::Ne,
            Kind::Gt => CmpOp::Gt,
            Kind::Gte => CmpOp::Gte,
            Kind::Lt => CmpOp::Lt,
            _ => CmpOp::Lte,
        };
        // led_eq -> _parse_comparator -> _expression
        let right = self.expression(binding_power(kind), 3)?;
        Ok(Node::Comparator(op, Box::new(left), Box::new(right)))
    }

    fn led_flatten(&mut self, left: Node) -> Parsed {
        let right = self.projection_rhs(binding_power(Kind::Flatten), 2)?;
        Ok(Node::Projection(
            Box::new(Node::Flatten(Box::new(left))),
            Box::new(right),
        ))
    }

    fn led_lbracket(&mut self, mut left: Node) -> Parsed {
        if matches!(self.current(), Kind::Number | Kind::Colon) {
            let right = self.index_expression()?;
            // python-jmespath appends to an existing index expression and then does not
            // make a projection, even for a slice.
            if let Node::IndexExpression(children) = &mut left {
                children.push(right);
                return Ok(left);
            }
            return self.project_if_slice(left, right, 2);
        }
        self.expect(Kind::Star)?;
        self.expect(Kind::Rbracket)?;
        let right = self.projection_rhs(binding_power(Kind::Star), 2)?;
        Ok(Node::Projection(Box::new(left), Box::new(right)))
    }

    fn function_call(&mut self, left: Node) -> Parsed {
        let Node::Field(name) = &left else {
            // The token before the '(' we just consumed.
            let t = &self.tokens[self.index.saturating_sub(2)];
            let value = t.value_str();
            return Err(ParseError::Syntax {
                position: t.start,
                message: format!("Invalid function name '{value}'"),
                value,
                kind: t.kind,
            });
        };
        let name = Arc::clone(name);
        let mut args = Vec::new();
        while self.current() != Kind::Rparen {
            let arg = self.expression(0, 2)?;
            // A missing comma is tolerated: `f(a b)` is `f(a, b)`.
            if self.current() == Kind::Comma {
                self.expect(Kind::Comma)?;
            }
            args.push(arg);
        }
        self.expect(Kind::Rparen)?;
        Ok(Node::Function(name, args))
    }

    /// `_token_led_filter`, `at` frames below the current `_expression`.
    fn led_filter(&mut self, left: Node, at: usize) -> Parsed {
        let condition = self.expression(0, at + 1)?;
        self.expect(Kind::Rbracket)?;
        let right = if self.current() == Kind::Flatten {
            Node::Identity
        } else {
            self.projection_rhs(binding_power(Kind::Filter), at + 1)?
        };
        Ok(Node::FilterProjection {
            left: Box::new(left),
            right: Box::new(right),
            condition: Box::new(condition),
        })
    }

    fn index_expression(&mut self) -> Parsed {
        if self.current() == Kind::Colon || self.token(1).kind == Kind::Colon {
            self.check_depth(5)?;
            return self.slice_expression();
        }
        self.check_depth(4)?;
        let value = match &self.token(0).value {
            TokenValue::Number(n, _) => *n,
            _ => 0,
        };
        self.advance();
        self.expect(Kind::Rbracket)?;
        Ok(Node::Index(value))
    }

    fn slice_expression(&mut self) -> Parsed {
        let mut parts = [None; 3];
        let mut index = 0;
        while self.current() != Kind::Rbracket && index < 3 {
            match self.current() {
                Kind::Colon => {
                    index += 1;
                    if index == 3 {
                        return Err(self.error_at_current("syntax error"));
                    }
                    self.advance();
                }
                Kind::Number => {
                    if let TokenValue::Number(n, _) = self.token(0).value {
                        parts[index] = Some(n);
                    }
                    self.advance();
                }
                _ => return Err(self.error_at_current("syntax error")),
            }
        }
        self.expect(Kind::Rbracket)?;
        Ok(Node::Slice(parts))
    }

    fn project_if_slice(&mut self, left: Node, right: Node, at: usize) -> Parsed {
        let is_slice = matches!(right, Node::Slice(_));
        let index_expr = Node::IndexExpression(vec![left, right]);
        if is_slice {
            let rhs = self.projection_rhs(binding_power(Kind::Star), at + 1)?;
            Ok(Node::Projection(Box::new(index_expr), Box::new(rhs)))
        } else {
            Ok(index_expr)
        }
    }

    fn multi_select_list(&mut self, at: usize) -> Parsed {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0, at + 1)?);
            if self.current() == Kind::Rbracket {
                break;
            }
            self.expect(Kind::Comma)?;
        }
        self.expect(Kind::Rbracket)?;
        Ok(Node::MultiSelectList(items))
    }

    fn multi_select_hash(&mut self, at: usize) -> Parsed {
        let mut pairs = Vec::new();
        loop {
            let key_token = self.token(0).clone();
            if !matches!(
                key_token.kind,
                Kind::QuotedIdentifier | Kind::UnquotedIdentifier
            ) {
                return Err(self.expectation_error("['quoted_identifier', 'unquoted_identifier']"));
            }
            self.advance();
            self.expect(Kind::Colon)?;
            let value = self.expression(0, at + 1)?;
            pairs.push((Arc::from(key_token.value_str()), value));
            match self.current() {
                Kind::Comma => self.expect(Kind::Comma)?,
                Kind::Rbrace => {
                    self.expect(Kind::Rbrace)?;
                    break;
                }
                // Anything else: python-jmespath just reads the next key.
                _ => {}
            }
        }
        Ok(Node::MultiSelectHash(pairs))
    }

    fn projection_rhs(&mut self, bp: u8, at: usize) -> Parsed {
        let kind = self.current();
        if binding_power(kind) < PROJECTION_STOP {
            Ok(Node::Identity)
        } else if kind == Kind::Lbracket || kind == Kind::Filter {
            self.expression(bp, at + 1)
        } else if kind == Kind::Dot {
            self.expect(Kind::Dot)?;
            self.dot_rhs(bp, at + 1)
        } else {
            Err(self.error_at_current("syntax error"))
        }
    }

    fn dot_rhs(&mut self, bp: u8, at: usize) -> Parsed {
        match self.current() {
            Kind::QuotedIdentifier | Kind::UnquotedIdentifier | Kind::Star => {
                self.expression(bp, at + 1)
            }
            Kind::Lbracket => {
                self.expect(Kind::Lbracket)?;
                self.multi_select_list(at + 1)
            }
            Kind::Lbrace => {
                self.expect(Kind::Lbrace)?;
                self.multi_select_hash(at + 1)
            }
            other => Err(self.error_at_current(&format!(
                "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: {}",
                other.name()
            ))),
        }
    }

    /// `_match`: consume a token of this kind or fail (Incomplete at the end).
    fn expect(&mut self, kind: Kind) -> Result<(), ParseError> {
        if self.current() == kind {
            self.advance();
            Ok(())
        } else {
            Err(self.expectation_error(kind.name()))
        }
    }

    /// `_raise_parse_error_maybe_eof`.
    fn expectation_error(&self, expected: &str) -> ParseError {
        let t = self.token(0);
        if t.kind == Kind::Eof {
            return ParseError::Incomplete;
        }
        syntax_error(t, &format!("Expecting: {expected}, got: {}", t.kind.name()))
    }

    fn error_at_current(&self, message: &str) -> ParseError {
        syntax_error(self.token(0), message)
    }
}

/// `_raise_parse_error_for_token` (a ParseError even at eof).
fn syntax_error(t: &Token, message: &str) -> ParseError {
    ParseError::Syntax {
        position: t.start,
        value: t.value_str(),
        kind: t.kind,
        message: message.to_string(),
    }
}
