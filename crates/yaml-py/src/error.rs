//! ruamel's error texts: `MarkedYAMLError.__str__` with `StreamMark`s (a file stream has no
//! snippet), `ReaderError`, and the Python exceptions that escape `YAML.load` unwrapped.

use std::fmt;

/// A position in the input, as ruamel's reader counts it: code points (after Python's
/// universal-newline translation), 0-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Mark {
    pub index: usize,
    pub line: usize,
    pub column: usize,
}

/// Why a document could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// A `ruamel.yaml.error.YAMLError` (scanner, parser, composer, constructor, reader): the
    /// text is `str(e)`. The AWS CLI prints `YamlError while loading kubeconfig: <text>`.
    Yaml(String),
    /// Another Python exception raised inside `YAML.load` (`TypeError: unhashable type`,
    /// `ValueError` from `int()` or `datetime`, `UnicodeDecodeError`, `RecursionError`, …):
    /// the text is `str(e)`, which the AWS CLI prints as it is.
    Python(String),
    /// A limit of ours that Python does not have (see [`crate::Limits`]); the text is ours.
    Limit(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Yaml(s) | LoadError::Python(s) | LoadError::Limit(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for LoadError {}

/// Python's `RecursionError` text, which the CLI prints for documents nested too deeply.
pub const RECURSION: &str = "maximum recursion depth exceeded";

/// The pieces of a `MarkedYAMLError`, formatted by [`Marked::render`].
#[derive(Default)]
pub(crate) struct Marked {
    pub context: Option<String>,
    pub context_mark: Option<Mark>,
    pub problem: Option<String>,
    pub problem_mark: Option<Mark>,
    pub note: Option<String>,
}

impl Marked {
    pub fn new(
        context: Option<&str>,
        context_mark: Option<Mark>,
        problem: impl Into<String>,
        problem_mark: Mark,
    ) -> Self {
        Marked {
            context: context.map(str::to_string),
            context_mark,
            problem: Some(problem.into()),
            problem_mark: Some(problem_mark),
            note: None,
        }
    }

    /// `MarkedYAMLError.__str__`: the context mark is left out when it equals the problem
    /// mark (same line and column; the name is always the same here).
    pub fn render(&self, name: &str) -> String {
        let mut lines: Vec<String> = Vec::new();
        if let Some(c) = &self.context {
            lines.push(c.clone());
        }
        if let Some(cm) = self.context_mark {
            let same = match (&self.problem, self.problem_mark) {
                (Some(_), Some(pm)) => cm.line == pm.line && cm.column == pm.column,
                _ => false,
            };
            if !same {
                lines.push(mark_str(name, cm));
            }
        }
        if let Some(p) = &self.problem {
            lines.push(p.clone());
        }
        if let Some(pm) = self.problem_mark {
            lines.push(mark_str(name, pm));
        }
        if let Some(n) = &self.note {
            if !n.is_empty() {
                lines.push(dedent(n));
            }
        }
        lines.join("\n")
    }
}

/// `StreamMark.__str__`.
pub(crate) fn mark_str(name: &str, m: Mark) -> String {
    format!(
        "  in \"{name}\", line {}, column {}",
        m.line + 1,
        m.column + 1
    )
}

/// Python's `textwrap.dedent` for the notes ruamel appends (their lines share one indent).
pub(crate) fn dedent(text: &str) -> String {
    let margin = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    text.split('\n')
        .map(|l| {
            if l.trim().is_empty() {
                ""
            } else {
                &l[margin.min(l.len())..]
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The error type the loading stages pass around: a `MarkedYAMLError` still to be rendered
/// with the stream's name, or an already final error.
pub(crate) enum Fail {
    Marked(Box<Marked>),
    Done(LoadError),
}

impl From<Marked> for Fail {
    fn from(m: Marked) -> Self {
        Fail::Marked(Box::new(m))
    }
}

impl From<LoadError> for Fail {
    fn from(e: LoadError) -> Self {
        Fail::Done(e)
    }
}

pub(crate) type Res<T> = Result<T, Fail>;

/// A `MarkedYAMLError` with only a problem and its mark.
pub(crate) fn problem(problem: impl Into<String>, mark: Mark) -> Fail {
    Marked::new(None, None, problem, mark).into()
}

/// A `MarkedYAMLError` with context, context mark, problem and problem mark.
pub(crate) fn marked(
    context: &str,
    context_mark: Mark,
    problem: impl Into<String>,
    mark: Mark,
) -> Fail {
    Marked::new(Some(context), Some(context_mark), problem, mark).into()
}

pub(crate) fn python(text: impl Into<String>) -> Fail {
    Fail::Done(LoadError::Python(text.into()))
}

/// A `MarkedYAMLError(context, context_mark)` with no problem.
pub(crate) fn context_only(context: &str, mark: Mark) -> Fail {
    Marked {
        context: Some(context.into()),
        context_mark: Some(mark),
        ..Marked::default()
    }
    .into()
}
