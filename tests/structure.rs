//! The structure keeps no import cycle: within each crate of the workspace, data flows one
//! way between source files. A file depends on a module when it names a path into it —
//! `crate::a::b`, `super::…` or `self::…`, in `use` lines or in code (the longest prefix
//! that is a module file wins). A parent module declaring its children (`mod x;`) and
//! calling them by their bare name (`x::f()`) owns them; that is not counted, but a child
//! naming its parent is. Test modules (`#[cfg(test)] mod tests`) are not structure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every `.rs` file below `src` as (module path, text).
fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            if module == ["lib"] || module == ["main"] {
                module.clear();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(module, strip(&text));
        }
    }
    out
}

/// The text without comments and without its test module.
fn strip(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |i| &after[i + 2..]);
        } else if rest.starts_with('"') {
            // Skip string literals (paths in messages are not imports).
            let body = &rest[1..];
            let mut end = body.len();
            let mut escaped = false;
            for (i, c) in body.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = i + 1;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            out.push_str("\"\"");
            rest = &body[end.min(body.len())..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths a file names: (keyword, segments), including each item of `use x::{a, b::c}`.
fn paths(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_ident(bytes[i - 1]);
        let word: String = bytes[i..].iter().take_while(|c| is_ident(**c)).collect();
        if !starts_word || word.is_empty() {
            i += 1;
            continue;
        }
        i += word.chars().count();
        if !matches!(word.as_str(), "crate" | "super" | "self") {
            continue;
        }
        let (segments, end) = read_path(&bytes, i);
        i = end;
        if bytes.get(i) == Some(&'{') {
            // A use group: every item is a path below the prefix.
            let close = (i..bytes.len())
                .find(|&j| bytes[j] == '}')
                .unwrap_or(bytes.len());
            let group: String = bytes[i + 1..close].iter().collect();
            for item in group.split(',') {
                let item = item.split(" as ").next().unwrap_or("").trim();
                let mut full = segments.clone();
                full.extend(
                    item.split("::")
                        .map(|s| s.trim_matches(|c| c == '{' || c == '}' || c == ' '))
                        .filter(|s| !s.is_empty() && *s != "*" && *s != "self")
                        .map(String::from),
                );
                out.push((word.clone(), full));
            }
            i = close;
        } else {
            out.push((word, segments));
        }
    }
    out
}

/// `::a::b::c` from `i`: the segments and where the path ends.
fn read_path(chars: &[char], mut i: usize) -> (Vec<String>, usize) {
    let mut segments = Vec::new();
    while chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
        let start = i + 2;
        let ident: String = chars[start..]
            .iter()
            .take_while(|c| is_ident(**c))
            .collect();
        if ident.is_empty() {
            i = start;
            break;
        }
        i = start + ident.len();
        segments.push(ident);
    }
    (segments, i)
}

/// The module a path from `from` names: the longest module prefix.
fn resolve(
    mods: &BTreeMap<Module, String>,
    from: &Module,
    kw: &str,
    names: &[String],
) -> Option<Module> {
    let (mut base, mut names) = match kw {
        "crate" => (Vec::new(), names.to_vec()),
        "self" => (from.clone(), names.to_vec()),
        _ => (
            from[..from.len().saturating_sub(1)].to_vec(),
            names.to_vec(),
        ),
    };
    while names.first().is_some_and(|n| n == "super") {
        base.pop();
        names.remove(0);
    }
    (0..=names.len()).rev().find_map(|k| {
        let mut candidate = base.clone();
        candidate.extend(names[..k].iter().cloned());
        mods.contains_key(&candidate).then_some(candidate)
    })
}

/// Strongly connected components of two or more modules (Tarjan).
fn cycles(edges: &BTreeMap<Module, Vec<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, Vec<Module>>,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        on_stack: Vec<Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit(s: &mut State, v: &Module) {
        let n = s.index.len();
        s.index.insert(v.clone(), n);
        s.low.insert(v.clone(), n);
        s.stack.push(v.clone());
        s.on_stack.push(v.clone());
        for w in s.edges.get(v).cloned().unwrap_or_default() {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let low = s.low[v].min(s.low[&w]);
                s.low.insert(v.clone(), low);
            } else if s.on_stack.contains(&w) {
                let low = s.low[v].min(s.index[&w]);
                s.low.insert(v.clone(), low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.retain(|x| *x != w);
                let done = w == *v;
                component.push(w);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: Vec::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn import_cycles(src: &Path) -> Vec<String> {
    let mods = modules(src);
    let mut edges: BTreeMap<Module, Vec<Module>> = BTreeMap::new();
    for (module, text) in &mods {
        let targets = edges.entry(module.clone()).or_default();
        for (kw, names) in paths(text) {
            if let Some(t) = resolve(&mods, module, &kw, &names) {
                if t != *module && !targets.contains(&t) {
                    targets.push(t);
                }
            }
        }
    }
    cycles(&edges)
        .into_iter()
        .map(|c| {
            let mut names: Vec<String> = c
                .iter()
                .map(|m| {
                    if m.is_empty() {
                        "crate".into()
                    } else {
                        m.join("::")
                    }
                })
                .collect();
            names.sort();
            names.join(", ")
        })
        .collect()
}

fn crate_sources() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![root.join("src"), root.join("compat-tests/src")];
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        out.push(entry.unwrap().path().join("src"));
    }
    out
}

#[test]
fn no_import_cycles() {
    let mut found = Vec::new();
    for src in crate_sources() {
        for cycle in import_cycles(&src) {
            found.push(format!("{}: {cycle}", src.display()));
        }
    }
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

#[test]
fn a_cycle_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod b;\n").unwrap();
    std::fs::write(src.join("a/mod.rs"), "pub mod c;\nuse crate::b::f;\n").unwrap();
    std::fs::write(
        src.join("a/c.rs"),
        "use super::g; // a child naming its parent\n",
    )
    .unwrap();
    std::fs::write(src.join("b.rs"), "pub fn f() { crate::a::c::h() }\n").unwrap();
    assert_eq!(import_cycles(src), ["a, a::c, b"]);
    // Strings and comments name nothing; a parent's bare `c::h()` is ownership.
    std::fs::write(
        src.join("b.rs"),
        "// crate::a::c\nconst S: &str = \"crate::a\";\n",
    )
    .unwrap();
    std::fs::write(src.join("a/mod.rs"), "pub mod c;\nfn g() { c::h() }\n").unwrap();
    assert!(import_cycles(src).is_empty());
}
