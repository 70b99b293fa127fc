//! What a generator builds: a case in the golden format (FORMAT.md) without `expect`, and the
//! helpers every command's generator shares (the draw, config files, argv assembly).

use super::rng::Rng;
use base64::Engine as _;
use serde_json::{json, Map, Value};

/// The default frozen clock of the recorded cases.
pub const DEFAULT_TIME: &str = "2024-01-02T03:04:05Z";

/// The random source of one case, the fake-server ports it may use and what it chose.
pub struct Draw {
    pub rng: Rng,
    ports: Vec<u16>,
    next_port: usize,
    tags: Vec<String>,
}

impl Draw {
    /// `ports`: the ports reserved for this case's fake servers (no other case running at
    /// the same time uses them).
    pub fn new(rng: Rng, ports: Vec<u16>) -> Draw {
        Draw {
            rng,
            ports,
            next_port: 0,
            tags: Vec::new(),
        }
    }

    /// A port of this case no one else listens on: for one fake server, or left closed
    /// (connection refused).
    pub fn port(&mut self) -> u16 {
        let p = self.ports[self.next_port % self.ports.len()];
        self.next_port += 1;
        p
    }

    /// Notes a choice; the tags become the case's description.
    pub fn tag(&mut self, t: impl Into<String>) {
        self.tags.push(t.into());
    }

    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    // Shorthands for the generators.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.rng.chance(percent)
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        self.rng.pick(items).clone()
    }

    pub fn weighted<T: Clone>(&mut self, items: &[(u32, T)]) -> T {
        self.rng.weighted(items).clone()
    }
}

/// A generated case, before the reference has run it.
pub struct CaseSpec {
    pub args: Vec<String>,
    /// `None` removes a variable of the base environment.
    pub env: Vec<(String, Option<String>)>,
    /// Path below HOME, content, mode.
    pub files: Vec<(String, Vec<u8>, u32)>,
    pub time: String,
    /// Kind, port, responses (FORMAT.md "Fake servers").
    pub servers: Vec<(String, u16, Vec<Value>)>,
    pub stdin: Option<String>,
    /// Seconds after which a run counts as hung.
    pub timeout: f64,
}

impl Default for CaseSpec {
    fn default() -> Self {
        CaseSpec {
            args: Vec::new(),
            env: Vec::new(),
            files: Vec::new(),
            time: DEFAULT_TIME.into(),
            servers: Vec::new(),
            stdin: None,
            timeout: 60.0,
        }
    }
}

impl CaseSpec {
    /// Sets (or replaces) an environment variable.
    pub fn set_env(&mut self, key: &str, value: impl Into<String>) {
        let value = Some(value.into());
        match self.env.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value,
            None => self.env.push((key.to_owned(), value)),
        }
    }

    pub fn has_env(&self, key: &str) -> bool {
        self.env.iter().any(|(k, v)| k == key && v.is_some())
    }

    pub fn file(&mut self, path: &str, content: impl Into<Vec<u8>>, mode: u32) {
        self.files.retain(|(p, _, _)| p != path);
        self.files.push((path.to_owned(), content.into(), mode));
    }

    /// Adds responses to the server of `kind`, creating it on `port` if needed; returns the
    /// server's port.
    pub fn serve(&mut self, kind: &str, port: u16, responses: Vec<Value>) -> u16 {
        match self.servers.iter_mut().find(|(k, _, _)| k == kind) {
            Some((_, p, r)) => {
                r.extend(responses);
                *p
            }
            None => {
                self.servers.push((kind.to_owned(), port, responses));
                port
            }
        }
    }

    pub fn server_port(&self, kind: &str) -> Option<u16> {
        self.servers
            .iter()
            .find(|(k, _, _)| k == kind)
            .map(|(_, p, _)| *p)
    }

    /// The case in the golden format, without `expect`.
    pub fn to_json(&self, name: &str, description: &str) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), name.into());
        o.insert("description".into(), description.into());
        o.insert("args".into(), json!(self.args));
        let mut env = Map::new();
        for (k, v) in &self.env {
            env.insert(k.clone(), v.clone().map_or(Value::Null, Value::String));
        }
        o.insert("env".into(), Value::Object(env));
        if !self.files.is_empty() {
            let mut files = Map::new();
            for (path, content, mode) in &self.files {
                let mut f = content_value("content", content);
                f.insert("mode".into(), format!("{mode:04o}").into());
                files.insert(path.clone(), Value::Object(f));
            }
            o.insert("files".into(), Value::Object(files));
        }
        o.insert("time".into(), self.time.clone().into());
        if let Some(s) = &self.stdin {
            o.insert("stdin".into(), s.clone().into());
        }
        o.insert("timeout".into(), json!(self.timeout));
        if !self.servers.is_empty() {
            let mut servers = Map::new();
            for (kind, port, responses) in &self.servers {
                servers.insert(kind.clone(), json!({"port": port, "responses": responses}));
            }
            o.insert("servers".into(), Value::Object(servers));
        }
        Value::Object(o)
    }
}

/// `{key: text}`, or `{key_b64: base64}` for bytes that are not UTF-8.
pub fn content_value(key: &str, bytes: &[u8]) -> Map<String, Value> {
    let mut m = Map::new();
    match std::str::from_utf8(bytes) {
        Ok(s) => m.insert(key.into(), s.into()),
        Err(_) => m.insert(
            format!("{key}_b64"),
            base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .into(),
        ),
    };
    m
}

/// One line of a section.
enum Entry {
    Key(String, String),
    /// `key =` followed by indented `sub = value` lines (a `services` section's `sts =`).
    Nested(String, Vec<(String, String)>),
    /// A line written as it is.
    Raw(String),
}

/// Keys whose value goes into a request header (SigV4's `Credential=`, the session token).
const HEADER_KEYS: &[&str] = &["aws_access_key_id", "aws_session_token"];

/// A config or credentials file, written with the syntax variations botocore's parser
/// (Python's configparser) accepts or rejects.
#[derive(Default)]
pub struct Ini {
    sections: Vec<(String, Vec<Entry>)>,
}

impl Ini {
    fn entries(&mut self, header: &str) -> &mut Vec<Entry> {
        let i = match self.sections.iter().position(|(h, _)| h == header) {
            Some(i) => i,
            None => {
                self.sections.push((header.to_owned(), Vec::new()));
                self.sections.len() - 1
            }
        };
        &mut self.sections[i].1
    }

    /// Sets `key = value` in `[header]` (replacing an earlier value of the key).
    pub fn set(&mut self, header: &str, key: &str, value: &str) {
        let e = self.entries(header);
        e.retain(|x| !matches!(x, Entry::Key(k, _) if k == key));
        e.push(Entry::Key(key.to_owned(), value.to_owned()));
    }

    pub fn get(&self, header: &str, key: &str) -> Option<&str> {
        let (_, e) = self.sections.iter().find(|(h, _)| h == header)?;
        e.iter().find_map(|x| match x {
            Entry::Key(k, v) if k == key => Some(v.as_str()),
            _ => None,
        })
    }

    pub fn nested(&mut self, header: &str, key: &str, sub: Vec<(String, String)>) {
        self.entries(header)
            .push(Entry::Nested(key.to_owned(), sub));
    }

    pub fn raw(&mut self, header: &str, line: &str) {
        self.entries(header).push(Entry::Raw(line.to_owned()));
    }

    pub fn has_section(&self, header: &str) -> bool {
        self.sections.iter().any(|(h, _)| h == header)
    }

    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The file's text; with `odd`, some of configparser's corner cases, each noted as a tag.
    pub fn render(&self, d: &mut Draw, file: &str, odd: bool) -> String {
        let mut out = String::new();
        let q = |d: &mut Draw, p: u32, what: &str| {
            let yes = odd && d.chance(p);
            if yes {
                d.tag(format!("{file}:{what}"));
            }
            yes
        };
        if q(d, 1, "bom") {
            out.push('\u{feff}');
        }
        if q(d, 5, "leading-comment") {
            out.push_str(d.pick(&["# generated\n", "; a comment\n", "\n\n"]));
        }
        let sep_odd = q(d, 15, "separators");
        for (n, (header, entries)) in self.sections.iter().enumerate() {
            if n > 0 && !q(d, 5, "no-blank-line") {
                out.push('\n');
            }
            let header = if q(d, 2, "header-spaces") {
                header.replacen(' ', "  ", 1)
            } else {
                header.clone()
            };
            out.push_str(&format!("[{header}]\n"));
            for e in entries {
                match e {
                    Entry::Key(k, v) => {
                        if q(d, 2, "duplicate-key") {
                            out.push_str(&format!("{k} = decoy-{k}\n"));
                        }
                        let k = if q(d, 2, "key-case") {
                            capitalize(k)
                        } else {
                            k.clone()
                        };
                        let sep = if sep_odd {
                            d.pick(&[" = ", "=", " =", "= ", ": ", ":", "\t=\t"])
                        } else {
                            " = "
                        };
                        let mut v = v.clone();
                        if q(d, 2, "trailing-space") {
                            v.push_str("  ");
                        }
                        if q(d, 1, "inline-comment") {
                            v.push_str(" # note");
                        }
                        out.push_str(&format!("{k}{sep}{v}\n"));
                        // Not after a key that ends up in a request header: a value with a
                        // line break fails in Python's http.client (before connecting over
                        // http, after over https) and in ours when the request is built.
                        let continued = odd && d.chance(2);
                        if continued && !HEADER_KEYS.contains(&k.to_lowercase().as_str()) {
                            d.tag(format!("{file}:continuation"));
                            out.push_str(d.pick(&["  continued\n", "\tmore\n", "   \n"]));
                        }
                        if q(d, 2, "comment-line") {
                            out.push_str(d.pick(&["# comment\n", "; comment\n", "#\n"]));
                        }
                    }
                    Entry::Nested(k, sub) => {
                        out.push_str(&format!("{k} =\n"));
                        for (sk, sv) in sub {
                            out.push_str(&format!("  {sk} = {sv}\n"));
                        }
                    }
                    Entry::Raw(line) => {
                        out.push_str(line);
                        out.push('\n');
                    }
                }
            }
        }
        if q(d, 2, "duplicate-section") {
            if let Some((h, _)) = self.sections.first() {
                out.push_str(&format!("\n[{h}]\nextra_key = 1\n"));
            }
        }
        if q(d, 1, "no-equals-line") {
            out.push_str("this line has no separator\n");
        }
        if q(d, 3, "no-final-newline") && out.ends_with('\n') {
            out.pop();
        }
        if q(d, 3, "crlf") {
            out = out.replace('\n', "\r\n");
        }
        out
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Where an option goes on the command line.
#[derive(Clone, Copy, PartialEq)]
pub enum Scope {
    /// A global option: before the service, between service and operation, or after.
    Global,
    /// The operation's own option: after the operation.
    Command,
}

/// One option for [`assemble`]; `value: None` is a flag.
pub struct Opt {
    pub name: &'static str,
    pub value: Option<String>,
    pub scope: Scope,
}

impl Opt {
    pub fn global(name: &'static str, value: impl Into<String>) -> Opt {
        Opt {
            name,
            value: Some(value.into()),
            scope: Scope::Global,
        }
    }

    pub fn flag(name: &'static str) -> Opt {
        Opt {
            name,
            value: None,
            scope: Scope::Global,
        }
    }

    pub fn command(name: &'static str, value: impl Into<String>) -> Opt {
        Opt {
            name,
            value: Some(value.into()),
            scope: Scope::Command,
        }
    }
}

/// The argv: `command` (service and operation), the options spread over the places argparse
/// accepts them (and now and then one it does not), in `--opt value`, `--opt=value` or
/// abbreviated form; `tail` last.
pub fn assemble(
    d: &mut Draw,
    command: &[&str],
    mut opts: Vec<Opt>,
    tail: Vec<String>,
) -> Vec<String> {
    if d.chance(40) {
        d.rng.shuffle(&mut opts);
    }
    let mut before = Vec::new();
    let mut between = Vec::new();
    let mut after = Vec::new();
    for o in opts {
        let mut words = Vec::new();
        let name = if d.chance(3) {
            // A prefix: argparse takes it when it is unambiguous.
            let mut cut = d.rng.range(3, o.name.len() - 1);
            // Not a prefix of `--version` or `--debug` (the global parsers take them, and
            // neither the version nor the CLI's debug log can be compared).
            while "--version".starts_with(&o.name[..cut]) || "--debug".starts_with(&o.name[..cut]) {
                cut += 1;
            }
            d.tag(format!("prefix {}", &o.name[..cut]));
            o.name[..cut].to_owned()
        } else {
            o.name.to_owned()
        };
        match o.value {
            Some(v) if d.chance(15) && !v.is_empty() => words.push(format!("{name}={v}")),
            Some(v) => {
                words.push(name);
                words.push(v);
            }
            None => words.push(name),
        }
        let place = match o.scope {
            Scope::Global => d.weighted(&[(25, 0), (10, 1), (65, 2)]),
            Scope::Command => {
                if d.chance(1) {
                    d.tag("command option before the operation");
                    1
                } else {
                    2
                }
            }
        };
        [&mut before, &mut between, &mut after][place].extend(words);
    }
    let mut args = before;
    if let Some((service, rest)) = command.split_first() {
        args.push(service.to_string());
        args.extend(between);
        args.extend(rest.iter().map(|s| s.to_string()));
    }
    args.extend(after);
    args.extend(tail);
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ini() {
        let mut ini = Ini::default();
        ini.set("default", "region", "us-west-2");
        ini.set("profile a", "output", "json");
        ini.set("default", "region", "eu-west-1");
        let mut d = Draw::new(Rng::new(1, 1), vec![28700]);
        assert_eq!(
            ini.render(&mut d, "config", false),
            "[default]\nregion = eu-west-1\n\n[profile a]\noutput = json\n"
        );
        assert_eq!(ini.get("profile a", "output"), Some("json"));
    }

    #[test]
    fn argv_keeps_command_order() {
        for i in 0..200 {
            let mut d = Draw::new(Rng::new(3, i), vec![28700]);
            let args = assemble(
                &mut d,
                &["eks", "get-token"],
                vec![
                    Opt::global("--region", "us-west-2"),
                    Opt::command("--cluster-name", "a"),
                ],
                vec![],
            );
            let eks = args.iter().position(|a| a == "eks").unwrap();
            let op = args.iter().position(|a| a == "get-token").unwrap();
            assert!(eks < op);
            assert!(args.iter().any(|a| a.contains("us-west-2")));
        }
    }
}
