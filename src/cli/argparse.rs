//! The parts of Python's `argparse` (3.13) that decide what the AWS CLI accepts: option
//! classification, unique-prefix abbreviations, one optional positional with choices,
//! required options, `parse_known_args` leftovers, and argparse's error texts, over the
//! option tables of `options.rs`. Every accepted command line and every error is the AWS
//! CLI's.

use super::options::{Kind as OptKind, Opt};

/// A parser: its options and at most one required positional (`command`, `operation`)
/// with its choices (`None`: any value).
#[derive(Debug, Clone, Copy)]
pub struct ParserSpec<'a> {
    pub options: &'a [Opt],
    pub positional: Option<(&'a str, Option<&'a [&'a str]>)>,
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

/// Python `argparse.ArgumentParser.parse_known_args`, for the parsers the AWS CLI builds.
/// `Err` is argparse's error message (without the usage text).
pub fn parse_known_args(spec: &ParserSpec, args: &[String]) -> Result<Parsed, String> {
    // First pass, as argparse does: classify every token (ambiguity errors come first).
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

    let mut out = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        match kinds[i].0 {
            Kind::Known(o) => {
                let opt = &spec.options[o];
                let explicit = kinds[i].1.clone();
                // argparse: an option's argument must be a plain argument (not an option,
                // not `--`).
                let next_is_arg = i + 1 < args.len() && kinds[i + 1].0 == Kind::Arg;
                match opt.kind {
                    OptKind::Value | OptKind::OptionalValue { .. } => {
                        let value = match (explicit, opt.kind) {
                            (Some(v), _) => v,
                            (None, _) if next_is_arg => {
                                i += 1;
                                args[i].clone()
                            }
                            (None, OptKind::OptionalValue { constant }) => constant.to_string(),
                            (None, _) => {
                                return Err(format!("argument {}: expected one argument", opt.name))
                            }
                        };
                        check_choice(opt.name, &value, opt.choices)?;
                        out.values.push((opt.name, Some(value)));
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
                            out.version = true;
                            return Ok(out);
                        }
                        out.values.push((opt.name, None));
                    }
                }
                i += 1;
            }
            Kind::Unknown => {
                out.extras.push(args[i].clone());
                i += 1;
            }
            Kind::Arg | Kind::DoubleDash => {
                // A run of plain arguments: the positional (pattern `-*A-*`) takes the first
                // one, together with the `--` markers around it; the rest are extras.
                let end = (i..args.len())
                    .find(|&j| !matches!(kinds[j].0, Kind::Arg | Kind::DoubleDash))
                    .unwrap_or(args.len());
                if let (Some((name, choices)), None) = (spec.positional, &out.positional) {
                    let mut j = i;
                    while j < end && kinds[j].0 == Kind::DoubleDash {
                        j += 1;
                    }
                    if j < end {
                        if let Some(choices) = choices {
                            check_choice(name, &args[j], choices)?;
                        }
                        out.positional = Some(args[j].clone());
                        j += 1;
                        while j < end && kinds[j].0 == Kind::DoubleDash {
                            j += 1;
                        }
                        i = j;
                        continue;
                    }
                }
                out.extras.extend(args[i..end].iter().cloned());
                i = end;
            }
        }
    }
    // argparse lists every missing required action, positionals included.
    let mut missing: Vec<&str> = spec
        .options
        .iter()
        .filter(|o| o.required && out.get(o.name).is_none())
        .map(|o| o.name)
        .collect();
    if let (Some((name, _)), None) = (spec.positional, &out.positional) {
        missing.push(name);
    }
    if !missing.is_empty() {
        return Err(format!(
            "the following arguments are required: {}",
            missing.join(", ")
        ));
    }
    Ok(out)
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

    #[test]
    fn negative_numbers() {
        assert!(is_negative_number("-5"));
        assert!(is_negative_number("-.5"));
        assert!(is_negative_number("-1.5"));
        assert!(!is_negative_number("-a"));
        assert!(!is_negative_number("-1."));
    }
}
