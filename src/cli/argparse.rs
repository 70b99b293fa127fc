//! The parts of Python's `argparse` (3.13) that decide what the AWS CLI accepts: option
//! classification, unique-prefix abbreviations, one optional positional with choices,
//! required options, `parse_known_args` leftovers, and argparse's error texts, over the
//! option tables of `options.rs`. Every accepted command line and every error is the AWS
//! CLI's.

use super::options::{Kind as OptKind, Opt};

/// A parser: its options and at most one positional.
#[derive(Debug, Clone, Copy)]
pub struct ParserSpec<'a> {
    pub options: &'a [Opt],
    pub positional: Option<Positional<'a>>,
}

/// A positional argument: `command`, `operation` (required, with their choices), or an
/// operation parser's `help` (`nargs='?'`, any value).
#[derive(Debug, Clone, Copy)]
pub struct Positional<'a> {
    pub name: &'a str,
    /// `None`: any value.
    pub choices: Option<&'a [&'a str]>,
    /// `nargs='?'`: it may take no argument.
    pub optional: bool,
}

/// What one `parse_known_args` pass found.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Options seen, in order, as (name, value); flags have `None`. Last repeat wins.
    pub values: Vec<(&'static str, Option<String>)>,
    pub positional: Option<String>,
    /// Tokens the parser did not recognise, in order (argparse's `extras`).
    pub extras: Vec<String>,
    /// A `version` action was consumed: argparse prints the version and exits 0.
    pub version: bool,
}

impl Parsed {
    /// The last value given for the option `name` (`Some(None)` for a flag).
    pub fn get(&self, name: &str) -> Option<&Option<String>> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The value of an option that takes one.
    pub fn value(&self, name: &str) -> Option<String> {
        self.get(name).cloned().flatten()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A known option (index into `options`), with the text after `=` if any.
    Known(usize),
    /// Looks like an option but is none of ours.
    Unknown,
    /// A plain argument.
    Arg,
    /// `--`: every later token is a plain argument.
    DoubleDash,
}

/// `argparse`'s `_parse_optional`: classify one token. Ambiguous prefixes are an error.
fn classify(spec: &ParserSpec, tok: &str) -> Result<(Kind, Option<String>), String> {
    if !tok.starts_with('-') || tok.len() == 1 {
        return Ok((Kind::Arg, None));
    }
    if let Some(i) = spec.options.iter().position(|o| o.name == tok) {
        return Ok((Kind::Known(i), None));
    }
    if let Some((name, value)) = tok.split_once('=') {
        if let Some(i) = spec.options.iter().position(|o| o.name == name) {
            return Ok((Kind::Known(i), Some(value.to_string())));
        }
    }
    // Unique prefixes (allow_abbrev). Only `--x` forms can abbreviate our `--long` options.
    if tok.starts_with("--") {
        let (prefix, explicit) = match tok.split_once('=') {
            Some((p, v)) => (p, Some(v.to_string())),
            None => (tok, None),
        };
        let matches: Vec<usize> = (0..spec.options.len())
            .filter(|&i| spec.options[i].name.starts_with(prefix))
            .collect();
        if matches.len() > 1 {
            let names: Vec<&str> = matches.iter().map(|&i| spec.options[i].name).collect();
            return Err(format!(
                "ambiguous option: {tok} could match {}",
                names.join(", ")
            ));
        }
        if let [i] = matches[..] {
            return Ok((Kind::Known(i), explicit));
        }
    } else if is_negative_number(tok) {
        // None of our parsers has an option that looks like a negative number.
        return Ok((Kind::Arg, None));
    }
    if tok.contains(' ') {
        return Ok((Kind::Arg, None));
    }
    Ok((Kind::Unknown, None))
}

/// argparse's `^-\d+$|^-\d*\.\d+$`.
fn is_negative_number(tok: &str) -> bool {
    let rest = &tok[1..];
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    digits(rest)
        || rest
            .split_once('.')
            .is_some_and(|(a, b)| (a.is_empty() || digits(a)) && digits(b))
}

/// Python `argparse.ArgumentParser.parse_known_args` (3.13's `_parse_known_args`), for
/// the parsers the AWS CLI builds. `Err` is argparse's error message (without the usage
/// text).
pub fn parse_known_args(spec: &ParserSpec, args: &[String]) -> Result<Parsed, String> {
    // First pass, as argparse does: classify every token (ambiguity errors come first).
    // After the first `--`, every token is a plain argument.
    let mut kinds = Vec::with_capacity(args.len());
    let mut after_dd = false;
    for tok in args {
        let k = if after_dd {
            (Kind::Arg, None)
        } else if tok == "--" {
            after_dd = true;
            (Kind::DoubleDash, None)
        } else {
            classify(spec, tok)?
        };
        kinds.push(k);
    }
    let is_option = |i: usize| matches!(kinds[i].0, Kind::Known(_) | Kind::Unknown);

    let mut walk = Walk {
        spec,
        args,
        kinds: &kinds,
        positional: spec.positional,
        out: Parsed::default(),
    };
    // argparse's main loop: the positional where plain arguments come before the next
    // option, then the option; leftovers go to the extras.
    let mut start = 0;
    if let Some(last_option) = (0..args.len()).rev().find(|&i| is_option(i)) {
        while start <= last_option {
            let next = (start..=last_option)
                .find(|&i| is_option(i))
                .unwrap_or(last_option + 1);
            if start != next {
                let end = walk.consume_positional(start)?;
                if end > start {
                    start = end;
                    continue;
                }
            }
            if !is_option(start) {
                walk.out.extras.extend(args[start..next].iter().cloned());
                start = next;
            }
            start = walk.consume_optional(start)?;
            if walk.out.version {
                return Ok(walk.out);
            }
        }
    }
    let stop = walk.consume_positional(start)?;
    walk.out.extras.extend(args[stop..].iter().cloned());
    let out = walk.out;

    // argparse lists every missing required action, positionals included.
    let mut missing: Vec<&str> = spec
        .options
        .iter()
        .filter(|o| o.required && out.get(o.name).is_none())
        .map(|o| o.name)
        .collect();
    if let Some(p) = walk.positional.filter(|p| !p.optional) {
        missing.push(p.name);
    }
    if !missing.is_empty() {
        return Err(format!(
            "the following arguments are required: {}",
            missing.join(", ")
        ));
    }
    Ok(out)
}

/// One `parse_known_args` in progress.
struct Walk<'a> {
    spec: &'a ParserSpec<'a>,
    args: &'a [String],
    kinds: &'a [(Kind, Option<String>)],
    /// The positional, until it has been consumed.
    positional: Option<Positional<'a>>,
    out: Parsed,
}

impl Walk<'_> {
    /// `consume_positionals`: the positional's pattern (`-*A-*`, or `-*A?-*` for
    /// `nargs='?'`) against the tokens from `start`; its strings lose their first `--`
    /// (`_get_values`). Returns where the next token is.
    fn consume_positional(&mut self, start: usize) -> Result<usize, String> {
        let Some(p) = self.positional else {
            return Ok(start);
        };
        let kind = |i: usize| self.kinds.get(i).map(|k| k.0);
        let mut end = start;
        while kind(end) == Some(Kind::DoubleDash) {
            end += 1;
        }
        match kind(end) {
            Some(Kind::Arg) => end += 1,
            _ if p.optional => {}
            _ => return Ok(start),
        }
        while kind(end) == Some(Kind::DoubleDash) {
            end += 1;
        }
        let mut strings: Vec<&String> = self.args[start..end].iter().collect();
        if let Some(i) = strings.iter().position(|s| *s == "--") {
            strings.remove(i);
        }
        if let (Some(value), Some(choices)) = (strings.first(), p.choices) {
            check_choice(p.name, value, choices)?;
        }
        self.out.positional = strings.first().map(|s| s.to_string());
        self.positional = None;
        Ok(end)
    }

    /// `consume_optional` at `i`: an unknown option goes to the extras; a known one takes
    /// its explicit value, or the next token if that is a plain argument.
    fn consume_optional(&mut self, mut i: usize) -> Result<usize, String> {
        let Kind::Known(o) = self.kinds[i].0 else {
            self.out.extras.push(self.args[i].clone());
            return Ok(i + 1);
        };
        let opt = &self.spec.options[o];
        let explicit = self.kinds[i].1.clone();
        // An option's argument must be a plain argument (not an option, not `--`).
        let next_is_arg = self.kinds.get(i + 1).is_some_and(|k| k.0 == Kind::Arg);
        match opt.kind {
            OptKind::Value | OptKind::OptionalValue { .. } => {
                let value = match (explicit, opt.kind) {
                    (Some(v), _) => v,
                    (None, _) if next_is_arg => {
                        i += 1;
                        self.args[i].clone()
                    }
                    (None, OptKind::OptionalValue { constant }) => constant.to_string(),
                    (None, _) => {
                        return Err(format!("argument {}: expected one argument", opt.name))
                    }
                };
                check_choice(opt.name, &value, opt.choices)?;
                self.out.values.push((opt.name, Some(value)));
            }
            OptKind::Flag | OptKind::Version => {
                if let Some(v) = explicit {
                    return Err(format!(
                        "argument {}: ignored explicit argument {}",
                        opt.name,
                        pystd::repr::str_repr(&v)
                    ));
                }
                if opt.kind == OptKind::Version {
                    self.out.version = true;
                }
                self.out.values.push((opt.name, None));
            }
        }
        Ok(i + 1)
    }
}

/// The AWS CLI's `_check_value` override: `Found invalid choice` and difflib suggestions.
fn check_choice(name: &str, value: &str, choices: &[&str]) -> Result<(), String> {
    if choices.is_empty() || choices.contains(&value) {
        return Ok(());
    }
    let mut msg = format!("argument {name}: Found invalid choice '{value}'\n");
    let choices: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
    let close = pystd::difflib::get_close_matches(value, &choices, 3, 0.8);
    if !close.is_empty() {
        msg.push_str("\nMaybe you meant:\n");
        for c in close {
            msg.push_str(&format!("\n  * {c}"));
        }
    }
    Err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operation parser of a generic operation, as AWS CLI 2.36.7 (Python 3.13.0)
    /// parses it: the extras, then the positional `help`.
    #[test]
    fn an_optional_positional_and_double_dashes() {
        const SKELETON: &[Opt] = &[Opt {
            name: "--generate-cli-skeleton",
            kind: OptKind::OptionalValue { constant: "input" },
            choices: &[],
            required: false,
        }];
        let spec = ParserSpec {
            options: SKELETON,
            positional: Some(Positional {
                name: "help",
                choices: None,
                optional: true,
            }),
        };
        let parse = |line: &str| {
            let args: Vec<String> = line.split_whitespace().map(String::from).collect();
            let p = parse_known_args(&spec, &args).unwrap();
            (p.extras.join(" "), p.positional)
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(parse("-- x y --z"), ("y --z".into(), some("x")));
        assert_eq!(parse("x -- y"), ("y".into(), some("x")));
        assert_eq!(parse("-- -- x"), ("x".into(), some("--")));
        assert_eq!(
            parse("--generate-cli-skeleton -- -- x"),
            ("x".into(), some("--"))
        );
        assert_eq!(
            parse("--generate-cli-skeleton yaml-input -- --cluster-name b"),
            ("b".into(), some("--cluster-name"))
        );
        assert_eq!(
            parse("--foo x --bar y"),
            ("--foo --bar y".into(), some("x"))
        );
        assert_eq!(parse("-- --"), ("".into(), some("--")));
        assert_eq!(parse("--generate-cli-skeleton"), ("".into(), None));
    }

    #[test]
    fn negative_numbers() {
        assert!(is_negative_number("-5"));
        assert!(is_negative_number("-.5"));
        assert!(is_negative_number("-1.5"));
        assert!(!is_negative_number("-a"));
        assert!(!is_negative_number("-1."));
    }
}
