//! The syntax tree python-jmespath's parser builds.

use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Debug)]
pub(crate) enum Node {
    Identity,
    Current,
    Field(Arc<str>),
    /// A literal as `json.loads` made it (raw strings are str); turned into a value when
    /// evaluated, so that the tree does not depend on the value model.
    Literal(pystd::json::Value),
    Subexpression(Vec<Node>),
    IndexExpression(Vec<Node>),
    Index(i128),
    Slice([Option<i128>; 3]),
    Projection(Box<Node>, Box<Node>),
    ValueProjection(Box<Node>, Box<Node>),
    FilterProjection {
        left: Box<Node>,
        right: Box<Node>,
        condition: Box<Node>,
    },
    Flatten(Box<Node>),
    Comparator(CmpOp, Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Pipe(Box<Node>, Box<Node>),
    MultiSelectList(Vec<Node>),
    MultiSelectHash(Vec<(Arc<str>, Node)>),
    Function(Arc<str>, Vec<Node>),
    Expref(Arc<Node>),
}

/// Left-associative chains (`a || b || ...`, `a | b | ...`, `a[][]...`) are built by a
/// loop, not by recursion, so a long one is far deeper than the default recursive drop
/// can go without overflowing the stack: take trees apart iteratively.
impl Drop for Node {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_children(self, &mut pending);
        while let Some(mut node) = pending.pop() {
            take_children(&mut node, &mut pending);
        }
    }
}

fn take_children(node: &mut Node, out: &mut Vec<Node>) {
    fn take(child: &mut Node) -> Node {
        std::mem::replace(child, Node::Identity)
    }
    match node {
        Node::Subexpression(children)
        | Node::IndexExpression(children)
        | Node::MultiSelectList(children)
        | Node::Function(_, children) => out.append(children),
        Node::MultiSelectHash(pairs) => out.extend(pairs.drain(..).map(|(_, child)| child)),
        Node::Projection(a, b)
        | Node::ValueProjection(a, b)
        | Node::Comparator(_, a, b)
        | Node::Or(a, b)
        | Node::And(a, b)
        | Node::Pipe(a, b) => {
            out.push(take(a));
            out.push(take(b));
        }
        Node::FilterProjection {
            left,
            right,
            condition,
        } => {
            out.push(take(left));
            out.push(take(right));
            out.push(take(condition));
        }
        Node::Flatten(a) | Node::Not(a) => out.push(take(a)),
        Node::Expref(shared) => {
            // Only the last owner takes the tree apart.
            if let Some(inner) = Arc::get_mut(shared) {
                out.push(take(inner));
            }
        }
        Node::Identity
        | Node::Current
        | Node::Field(_)
        | Node::Literal(_)
        | Node::Index(_)
        | Node::Slice(_) => {}
    }
}
