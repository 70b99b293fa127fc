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
pub fn parse_ini(text: &str) -> Result<Vec<(String, Section)>, ParseError> {
    // Raw sections: (name, [(option, value lines)]) with name and option indexes, so a huge
    // file costs linear time. `[DEFAULT]` is kept apart by index.
    let mut sections: RawSections = Vec::new();
    let mut section_index: HashMap<String, usize> = HashMap::new();
    let mut option_index: Vec<HashMap<String, usize>> = Vec::new();
    let mut default_idx: Option<usize> = None;
    let mut current: Option<usize> = None;
    // The option whose value continuation lines extend: (section, option) indexes.
    let mut option: Option<(usize, usize)> = None;
    let mut indent_level = 0usize;
    let mut error = false;

    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let stripped = strip(line);
        let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
        let value = if is_comment { "" } else { stripped };
        if value.is_empty() {
            // empty_lines_in_values: a blank (not comment) line inside a value is kept.
            if let (false, Some((i, o))) = (is_comment, option) {
                sections[i].1[o].1.push(String::new());
            }
            continue;
        }
        let cur_indent = line.len() - line.trim_start().len();
        if let (true, Some((i, o))) = (cur_indent > indent_level, option) {
            sections[i].1[o].1.push(value.to_string());
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
                    option_index.push(HashMap::new());
                    let i = sections.len() - 1;
                    section_index.insert(name.to_string(), i);
                    if name == "DEFAULT" {
                        default_idx = Some(i);
                    }
                    i
                }
            });
            option = None;
            continue;
        }
        // MissingSectionHeaderError.
        let i = current.ok_or(ParseError)?;
        match split_option(value) {
            Some((name, val)) if !name.is_empty() => {
                let name = name.to_lowercase();
                if option_index[i].contains_key(&name) {
                    return Err(ParseError); // DuplicateOptionError (strict)
                }
                option_index[i].insert(name.clone(), sections[i].1.len());
                sections[i].1.push((name, vec![val.to_string()]));
                option = Some((i, sections[i].1.len() - 1));
            }
            _ => error = true, // ParsingError, raised after the whole file was read
        }
    }
    if error {
        return Err(ParseError);
    }

    let defaults = default_idx
        .map(|i| sections[i].1.clone())
        .unwrap_or_default();
    let join = |lines: &Vec<String>| rstrip(&lines.join("\n")).to_string();
    let mut out = Vec::new();
    for (idx, (name, opts)) in sections.iter().enumerate() {
        if Some(idx) == default_idx {
            continue;
        }
        let inherited = defaults
            .iter()
            .filter(|(k, _)| !option_index[idx].contains_key(k));
        let mut section: Section = Vec::new();
        for (k, v) in opts.iter().chain(inherited) {
            let text = join(v);
            let value = if text.starts_with('\n') {
                Value::Nested(parse_nested(&text)?)
            } else {
                Value::Text(text)
            };
            section.push((k.clone(), value));
        }
        out.push((name.clone(), section));
    }
    Ok(out)
}

type RawSections = Vec<(String, Vec<(String, Vec<String>)>)>;

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
    /// The raw sections of each file, for the providers that read one file only.
    pub config_file_profiles: BTreeMap<String, Section>,
    pub credentials_file: BTreeMap<String, Section>,
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
        full.config_file_profiles = full.profiles.clone();
        for (name, section) in credentials {
            update(full.profiles.entry(name.clone()).or_default(), &section);
            full.credentials_file.insert(name, section);
        }
        full
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
        assert!(get(&full.config_file_profiles["dev"], "aws_access_key_id").is_none());
    }
}
