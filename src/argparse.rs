//! The parts of Python's `argparse` (3.13) that decide what the AWS CLI accepts: option
//! classification, unique-prefix abbreviations, one optional positional with choices,
//! `parse_known_args` leftovers, and argparse's error texts. The option definitions
//! themselves come from the clap tree in `cli.rs`; this module only reproduces the way
//! argparse walks over argv, so that every accepted command line and every error is the
//! AWS CLI's.

/// One option of a parser, in definition order (the order shows in ambiguity messages).
#[derive(Debug, Clone)]
pub struct OptSpec {
    pub long: String,
    pub takes_value: bool,
    pub choices: Vec<String>,
    /// argparse's `version` action: print the version and stop, when consumed.
    pub is_version: bool,
}

/// A parser: its options and at most one required positional (`command`, `operation`).
#[derive(Debug, Clone, Default)]
pub struct ParserSpec {
    pub options: Vec<OptSpec>,
    pub positional: Option<(String, Vec<String>)>,
}

/// What one `parse_known_args` pass found.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Options seen, in order, as (long name, value); flags have `None`. Last repeat wins.
    pub values: Vec<(String, Option<String>)>,
    pub positional: Option<String>,
    /// Tokens the parser did not recognise, in order (argparse's `extras`).
    pub extras: Vec<String>,
    /// A `version` action was consumed: argparse prints the version and exits 0.
    pub version: bool,
}

impl Parsed {
    pub fn get(&self, long: &str) -> Option<&Option<String>> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == long)
            .map(|(_, v)| v)
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
    if let Some(i) = spec.options.iter().position(|o| o.long == tok) {
        return Ok((Kind::Known(i), None));
    }
    if let Some((name, value)) = tok.split_once('=') {
        if let Some(i) = spec.options.iter().position(|o| o.long == name) {
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
            .filter(|&i| spec.options[i].long.starts_with(prefix))
            .collect();
        if matches.len() > 1 {
            let names: Vec<&str> = matches
                .iter()
                .map(|&i| spec.options[i].long.as_str())
                .collect();
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
                if opt.takes_value {
                    let value = match explicit {
                        Some(v) => v,
                        // argparse: the option's argument must be a plain argument (not an
                        // option, not `--`).
                        None if i + 1 < args.len() && kinds[i + 1].0 == Kind::Arg => {
                            i += 1;
                            args[i].clone()
                        }
                        None => {
                            return Err(format!("argument {}: expected one argument", opt.long))
                        }
                    };
                    check_choice(&opt.long, &value, &opt.choices)?;
                    out.values.push((opt.long.clone(), Some(value)));
                } else {
                    if let Some(v) = explicit {
                        return Err(format!(
                            "argument {}: ignored explicit argument {}",
                            opt.long,
                            crate::output::pyrepr::str_repr(&v)
                        ));
                    }
                    if opt.is_version {
                        out.version = true;
                        return Ok(out);
                    }
                    out.values.push((opt.long.clone(), None));
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
                if let (Some((name, choices)), None) = (&spec.positional, &out.positional) {
                    let mut j = i;
                    while j < end && kinds[j].0 == Kind::DoubleDash {
                        j += 1;
                    }
                    if j < end {
                        check_choice(name, &args[j], choices)?;
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
    if let (Some((name, _)), None) = (&spec.positional, &out.positional) {
        return Err(format!("the following arguments are required: {name}"));
    }
    Ok(out)
}

/// The AWS CLI's `_check_value` override: `Found invalid choice` and difflib suggestions.
fn check_choice(name: &str, value: &str, choices: &[String]) -> Result<(), String> {
    if choices.is_empty() || choices.iter().any(|c| c == value) {
        return Ok(());
    }
    let mut msg = format!("argument {name}: Found invalid choice '{value}'\n");
    let close = get_close_matches(value, choices, 3, 0.8);
    if !close.is_empty() {
        msg.push_str("\nMaybe you meant:\n");
        for c in close {
            msg.push_str(&format!("\n  * {c}"));
        }
    }
    Err(msg)
}

/// Python's `difflib.get_close_matches`: candidates whose `SequenceMatcher.ratio()` is at
/// least `cutoff`, best first (ties: the greater string first, as `heapq.nlargest` does).
pub fn get_close_matches(
    word: &str,
    possibilities: &[String],
    n: usize,
    cutoff: f64,
) -> Vec<String> {
    let w: Vec<char> = word.chars().collect();
    let mut scored: Vec<(f64, &String)> = possibilities
        .iter()
        .filter_map(|p| {
            let x: Vec<char> = p.chars().collect();
            let r = ratio(&x, &w);
            (r >= cutoff).then_some((r, p))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.cmp(a.1)));
    scored.into_iter().take(n).map(|(_, s)| s.clone()).collect()
}

/// `SequenceMatcher(None, a, b).ratio()` = 2*M/T, M from difflib's recursive longest-match
/// blocks (no junk; the autojunk heuristic only applies to sequences of 200+ items).
fn ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    2.0 * matching_chars(a, b) as f64 / total as f64
}

fn matching_chars(a: &[char], b: &[char]) -> usize {
    // difflib's find_longest_match: the longest block, earliest in `a`, then earliest in `b`.
    let mut best = (0, 0, 0);
    for i in 0..a.len() {
        for j in 0..b.len() {
            let mut k = 0;
            while i + k < a.len() && j + k < b.len() && a[i + k] == b[j + k] {
                k += 1;
            }
            if k > best.2 {
                best = (i, j, k);
            }
        }
    }
    let (i, j, k) = best;
    if k == 0 {
        return 0;
    }
    k + matching_chars(&a[..i], &b[..j]) + matching_chars(&a[i + k..], &b[j + k..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn close_matches_like_difflib() {
        let outputs = strings(&["json", "text", "table", "yaml", "yaml-stream", "off"]);
        assert_eq!(get_close_matches("jsn", &outputs, 3, 0.8), ["json"]);
        assert_eq!(get_close_matches("yml", &outputs, 3, 0.8), ["yaml"]);
        assert!(get_close_matches("foo", &outputs, 3, 0.8).is_empty());
        let ops = strings(&["get-token"]);
        assert_eq!(get_close_matches("get-tokn", &ops, 3, 0.8), ["get-token"]);
        assert!(get_close_matches("ekz", &strings(&["eks"]), 3, 0.8).is_empty());
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
