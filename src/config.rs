//! The shared config and credentials files, read as botocore reads them: Python's
//! `configparser.RawConfigParser` (strict, `=`/`:` delimiters, full-line `#`/`;` comments,
//! indented continuation lines, lower-cased keys, a `[DEFAULT]` section inherited by all)
//! plus botocore's `configloader` (nested `key =\n  sub = value` blocks, `[profile x]`,
//! `[sso-session x]`, `[services x]` sections, credentials merged into profiles).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use pystd::text::{rstrip, strip};

use crate::error::Error;

/// A value in a section: plain text, or a nested block (`s3 =\n  key = value`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Nested(Vec<(String, String)>),
}

impl Value {
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            Value::Nested(_) => None,
        }
    }
}

/// The options of one section, in file order.
pub type Section = Vec<(String, Value)>;

pub fn get<'a>(section: &'a Section, key: &str) -> Option<&'a Value> {
    section.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Overlay `update` on `section` (Python's `dict.update`): replaced keys keep their place.
fn update(section: &mut Section, update: &Section) {
    let mut index: HashMap<String, usize> = section
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    for (k, v) in update {
        match index.get(k) {
            Some(&i) => section[i].1 = v.clone(),
            None => {
                index.insert(k.clone(), section.len());
                section.push((k.clone(), v.clone()));
            }
        }
    }
}

/// A parse failure: botocore's `ConfigParseError` ("Unable to parse config file: <path>").
#[derive(Debug, PartialEq)]
pub struct ParseError;

/// One INI file as botocore reads it: absent (or not a regular file) reads as empty; an
/// unreadable file is skipped as configparser does; a malformed one is botocore's
/// ConfigParseError.
pub fn read(path: &Path) -> Result<Vec<(String, Section)>, Error> {
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(Vec::new());
    };
    let parse_error = || Error::General(format!("Unable to parse config file: {}", path.display()));
    let text = String::from_utf8(bytes).map_err(|_| parse_error())?;
    parse_ini(&text).map_err(|_| parse_error())
}

/// `RawConfigParser.read` + botocore's `raw_config_parse`: the sections in file order.
///
/// One pass that builds the result in place: each option is one string for its name and
/// one for its value (continuation lines appended to it), nothing else is kept per line;
/// duplicate options are found by sorting each section's names once (linear memory and
/// `n log n` time however large the file).
pub fn parse_ini(text: &str) -> Result<Vec<(String, Section)>, ParseError> {
    let mut sections: Vec<(String, Section)> = Vec::new();
    // Section names to indexes (strict: a name may not repeat, but `[DEFAULT]` may).
    let mut section_index: HashMap<&str, usize> = HashMap::new();
    let mut default_idx: Option<usize> = None;
    let mut current: Option<usize> = None;
    // Whether the current section's last option takes continuation lines.
    let mut in_value = false;
    let mut indent_level = 0usize;
    let mut error = false;

    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let stripped = strip(line);
        let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
        let value = if is_comment { "" } else { stripped };
        if value.is_empty() {
            // empty_lines_in_values: a blank (not comment) line inside a value is kept.
            if let (false, true, Some(i)) = (is_comment, in_value, current) {
                push_line(&mut sections[i].1, "");
            }
            continue;
        }
        let cur_indent = line.len() - line.trim_start().len();
        if let (true, true, Some(i)) = (cur_indent > indent_level, in_value, current) {
            push_line(&mut sections[i].1, value);
            continue;
        }
        indent_level = cur_indent;
        if let Some(name) = section_header(value) {
            current = Some(match section_index.get(name) {
                // strict: DuplicateSectionError ([DEFAULT] may repeat).
                Some(&i) if Some(i) != default_idx => return Err(ParseError),
                Some(&i) => i,
                None => {
                    sections.push((name.to_string(), Vec::new()));
                    let i = sections.len() - 1;
                    section_index.insert(name, i);
                    if name == "DEFAULT" {
                        default_idx = Some(i);
                    }
                    i
                }
            });
            in_value = false;
            continue;
        }
        // MissingSectionHeaderError.
        let i = current.ok_or(ParseError)?;
        match split_option(value) {
            Some((name, val)) if !name.is_empty() => {
                sections[i]
                    .1
                    .push((name.to_lowercase(), Value::Text(val.to_string())));
                in_value = true;
            }
            _ => error = true, // ParsingError, raised after the whole file was read
        }
    }
    if error {
        return Err(ParseError);
    }
    for (_, section) in &mut sections {
        // DuplicateOptionError (strict).
        let names = sorted_names(section);
        if names.windows(2).any(|w| section[w[0]].0 == section[w[1]].0) {
            return Err(ParseError);
        }
        drop(names);
        for (_, value) in section.iter_mut() {
            let Value::Text(text) = value else { continue };
            text.truncate(rstrip(text).len());
            if text.starts_with('\n') {
                *value = Value::Nested(parse_nested(text)?);
            }
        }
    }
    let Some(d) = default_idx else {
        return Ok(sections);
    };
    let (_, defaults) = sections.remove(d);
    if !defaults.is_empty() {
        for (_, section) in &mut sections {
            let own = sorted_names(section);
            let inherited: Vec<(String, Value)> = defaults
                .iter()
                .filter(|(k, _)| {
                    own.binary_search_by(|&i| section[i].0.as_str().cmp(k))
                        .is_err()
                })
                .cloned()
                .collect();
            section.extend(inherited);
        }
    }
    Ok(sections)
}

/// A continuation line of the section's last option.
fn push_line(section: &mut Section, line: &str) {
    if let Some((_, Value::Text(text))) = section.last_mut() {
        text.push('\n');
        text.push_str(line);
    }
}

/// The indexes of the section's options, sorted by name.
fn sorted_names(section: &Section) -> Vec<usize> {
    let mut names: Vec<usize> = (0..section.len()).collect();
    names.sort_unstable_by(|&a, &b| section[a].0.cmp(&section[b].0));
    names
}

/// configparser's `\[(?P<header>.+)\]` (matched at the start of the stripped line).
fn section_header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

/// configparser's `(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$`.
fn split_option(value: &str) -> Option<(&str, &str)> {
    let i = value.find(['=', ':'])?;
    Some((rstrip(&value[..i]), strip(&value[i + 1..])))
}

/// botocore's `_parse_nested`: `key = value` lines; a line without `=` is a parse error.
fn parse_nested(text: &str) -> Result<Vec<(String, String)>, ParseError> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for line in text.lines() {
        let line = strip(line);
        if line.is_empty() {
            continue;
        }
        let (k, v) = line.split_once('=').ok_or(ParseError)?;
        let (k, v) = (strip(k).to_string(), strip(v).to_string());
        match index.get(&k) {
            Some(&i) => out[i].1 = v,
            None => {
                index.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
    }
    Ok(out)
}

/// The profiles, SSO sessions and services sections of the config file, with the
/// credentials file's sections merged into the profiles (botocore `Session.full_config`).
/// Its `Debug` shows section and key names only: values include secret keys.
#[derive(Default, Clone)]
pub struct FullConfig {
    pub profiles: BTreeMap<String, Section>,
    pub sso_sessions: BTreeMap<String, Section>,
    pub services: BTreeMap<String, Section>,
    /// The credentials file's sections, for the provider that reads that file only.
    pub credentials_file: BTreeMap<String, Section>,
    /// The config file's sections of the profiles the credentials file also has (the
    /// others are in `profiles` as they are): see `config_file_profile`.
    config_only: BTreeMap<String, Section>,
}

impl std::fmt::Debug for FullConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = |m: &BTreeMap<String, Section>| -> BTreeMap<String, Vec<String>> {
            m.iter()
                .map(|(name, s)| (name.clone(), s.iter().map(|(k, _)| k.clone()).collect()))
                .collect()
        };
        f.debug_struct("FullConfig")
            .field("profiles", &keys(&self.profiles))
            .field("sso_sessions", &keys(&self.sso_sessions))
            .field("services", &keys(&self.services))
            .finish_non_exhaustive()
    }
}

/// botocore's `_parse_section`: `shlex.split(name)` must give exactly two words.
fn second_word(name: &str) -> Option<String> {
    let words = pystd::shlex::split(name).ok()?;
    (words.len() == 2).then(|| words[1].clone())
}

impl FullConfig {
    /// Build from the two files' parsed sections (either may be absent).
    pub fn build(
        config: Vec<(String, Section)>,
        credentials: Vec<(String, Section)>,
    ) -> FullConfig {
        let mut full = FullConfig::default();
        for (name, section) in config {
            if name.starts_with("profile") {
                if let Some(p) = second_word(&name) {
                    full.profiles.insert(p, section);
                }
            } else if name.starts_with("sso-session") {
                if let Some(p) = second_word(&name) {
                    full.sso_sessions.insert(p, section);
                }
            } else if name.starts_with("services") {
                if let Some(p) = second_word(&name) {
                    full.services.insert(p, section);
                }
            } else if name == "default" {
                full.profiles.insert(name, section);
            }
        }
        // Only the profiles the credentials file changes are kept twice.
        for (name, section) in credentials {
            if let Some(own) = full.profiles.get(&name) {
                full.config_only.insert(name.clone(), own.clone());
            }
            update(full.profiles.entry(name.clone()).or_default(), &section);
            full.credentials_file.insert(name, section);
        }
        full
    }

    /// A profile's section of the config file alone, for the provider that reads that
    /// file only.
    pub fn config_file_profile(&self, name: &str) -> Option<&Section> {
        if self.credentials_file.contains_key(name) {
            self.config_only.get(name)
        } else {
            self.profiles.get(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_configparser() {
        let text = "# comment\n[default]\nregion = us-west-2\nOutput: json\n\n[profile dev]\nrole_arn=arn\n  continued\n[services s]\nsts =\n  endpoint_url = http://x\n";
        let sections = parse_ini(text).unwrap();
        assert_eq!(sections[0].0, "default");
        assert_eq!(
            get(&sections[0].1, "region"),
            Some(&Value::Text("us-west-2".into()))
        );
        assert_eq!(
            get(&sections[0].1, "output"),
            Some(&Value::Text("json".into()))
        );
        assert_eq!(
            get(&sections[1].1, "role_arn"),
            Some(&Value::Text("arn\ncontinued".into()))
        );
        assert_eq!(
            get(&sections[2].1, "sts"),
            Some(&Value::Nested(vec![(
                "endpoint_url".into(),
                "http://x".into()
            )]))
        );
    }

    #[test]
    fn strict_errors() {
        assert_eq!(parse_ini("[a]\nx=1\n[a]\n"), Err(ParseError));
        assert_eq!(parse_ini("[a]\nx=1\nx=2\n"), Err(ParseError));
        assert_eq!(parse_ini("x=1\n"), Err(ParseError));
        assert_eq!(parse_ini("[a]\nnovalue\n"), Err(ParseError));
        assert_eq!(parse_ini("[a]\ns =\n  nokey\n"), Err(ParseError));
    }

    #[test]
    fn default_section_is_inherited() {
        let s = parse_ini("[DEFAULT]\nregion = eu\n[default]\n").unwrap();
        assert_eq!(get(&s[0].1, "region"), Some(&Value::Text("eu".into())));
    }

    #[test]
    fn profile_map() {
        let config = parse_ini(
            "[profile dev]\nregion = a\n[default]\nregion = b\n[profile]\n[profile a b c]\n",
        )
        .unwrap();
        let creds = parse_ini("[dev]\naws_access_key_id = K\n[other]\nx = 1\n").unwrap();
        let full = FullConfig::build(config, creds);
        assert_eq!(full.profiles.len(), 3);
        assert!(get(&full.profiles["dev"], "aws_access_key_id").is_some());
        assert!(get(
            full.config_file_profile("dev").unwrap(),
            "aws_access_key_id"
        )
        .is_none());
        assert!(full.config_file_profile("other").is_none());
        assert_eq!(
            full.config_file_profile("default"),
            full.profiles.get("default")
        );
    }
}
