//! `fixtures/known-failing.txt`: cases allowed to fail for now.
//!
//! One case per line, `category/name  # area`; `#` starts a comment; blank lines are
//! ignored. The list may only shrink: a listed case that passes is reported as an error.

use std::collections::BTreeMap;
use std::path::Path;

pub struct KnownFailing {
    /// Case id → area (the comment, possibly empty).
    pub cases: BTreeMap<String, String>,
    /// Problems with the file itself (duplicates, malformed lines).
    pub errors: Vec<String>,
}

pub fn load(path: &Path) -> Result<KnownFailing, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    Ok(parse(&text))
}

pub fn parse(text: &str) -> KnownFailing {
    let mut cases = BTreeMap::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let (id, area) = match line.split_once('#') {
            Some((id, area)) => (id.trim(), area.trim()),
            None => (line.trim(), ""),
        };
        if id.is_empty() {
            continue;
        }
        let line_no = n + 1;
        if id.split_whitespace().count() != 1 || id.matches('/').count() != 1 {
            errors.push(format!(
                "known-failing.txt line {line_no}: expected `category/name  # area`, got {line:?}"
            ));
        } else if cases.contains_key(id) {
            errors.push(format!(
                "known-failing.txt line {line_no}: {id} is listed twice"
            ));
        } else {
            cases.insert(id.to_owned(), area.to_owned());
        }
    }
    KnownFailing { cases, errors }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses() {
        let k = super::parse("# header\n\ntoken/a  # text\noutput/b\nbad line\ntoken/a # again\n");
        assert_eq!(k.cases.len(), 2);
        assert_eq!(k.cases["token/a"], "text");
        assert_eq!(k.cases["output/b"], "");
        assert_eq!(k.errors.len(), 2);
    }
}
