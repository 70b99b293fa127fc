//! The kubeconfig side of `aws eks update-kubeconfig`, as AWS CLI v2.36.7 does it
//! (`awscli/customizations/eks/update_kubeconfig.py` and `kubeconfig.py`), and safer.
//!
//! # API for the command module
//!
//! ```text
//! let entries = kubeconfig::entries(&cluster, &EntryOptions { … })?;   // after DescribeCluster
//! let paths = kubeconfig::candidate_paths(flag, env KUBECONFIG, home, cwd);
//! let report = kubeconfig::update(&Update { entries: &entries, candidates: &paths,
//!                                           dry_run, verbose, lock_dir })?;
//! print report.stdout; exit 0        // every Err(Error(text)) is `aws: [ERROR]: text`, rc 255
//! ```
//!
//! * [`entries`] builds the cluster, user and context entries from the `cluster` member of
//!   the DescribeCluster response (`EKSClient.get_cluster_entry` / `get_user_entry`,
//!   `KubeconfigAppender._make_context`), with the CLI's errors for odd documents.
//! * [`candidate_paths`] is `KubeconfigSelector.__init__`: `--kubeconfig`, else the
//!   non-blank parts of `KUBECONFIG` (split on the platform's path separator), else
//!   `~/.kube/config`; each expanded (`~`) and made absolute. It reads no environment.
//! * [`update`] is the rest of `_run_main`: choose the file (the first candidate that already
//!   has the cluster, else the first), load it (the CLI's error texts), insert the entries
//!   (same name replaced in place, else appended; `current-context` set), then print the
//!   merged YAML (`--dry-run`) or write it and say `Added new context … to …` / `Updated
//!   context … in …`, and the entries under `--verbose`.
//!
//! Same bytes as the CLI, but safer when writing:
//! * the file is written whole or not at all: a temporary file in the same directory, then
//!   a rename; a file that could not be loaded is never written;
//! * a new file is 0600 (as the CLI makes it); an existing one keeps its mode and, where we
//!   may, its owner; a symlink stays a symlink (the file it points to is replaced);
//! * concurrent updates lose nothing: the chosen file is locked, read again, merged and
//!   written under the lock. The lock is a separate file under `lock_dir` (the caller passes
//!   `~/.cache/aws-eks-token/locks`), named by a hash of the kubeconfig's resolved path — not
//!   `<kubeconfig>.lock`, which kubectl uses and would then think is held. Waiting for it is
//!   bounded ([`LOCK_WAIT`]); with no usable lock directory, or after the wait, we write
//!   anyway (still atomically).
//!
//! Known differences: where the CLI truncates the file and then fails to dump it
//! (`RecursionError`, case `kubeconfig-deep-nesting`) we fail before writing and leave it
//! whole; the Python warnings the CLI prints while loading (a duplicated anchor, a YAML 1.1
//! float without a dot) name files of its Python installation and are not printed.
//! [`merged_text`] is the load-merge-dump core without the file system (for `--dry-run`
//! checks and the fuzzer).

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use crate::credentials::trust;
use serde_json::Value as Json;
use yaml_py::{Doc, Flavor, LoadError, Map, Obj, Value};

/// The client authentication API version the CLI writes into the exec user entry.
pub const API_VERSION: &str = "client.authentication.k8s.io/v1beta1";

/// How long [`update`] waits for another process's lock before writing anyway.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// A failure the CLI reports as `aws: [ERROR]: <text>` with exit code 255.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The options of `update-kubeconfig` that shape the entries.
#[derive(Clone, Debug, Default)]
pub struct EntryOptions<'a> {
    /// `--name` (written as `--cluster-name` unless the cluster is on an Outpost).
    pub cluster_name: &'a str,
    /// `--alias`: the context's name.
    pub alias: Option<&'a str>,
    /// `--user-alias`: the user's name.
    pub user_alias: Option<&'a str>,
    /// `--role-arn`: added to the exec args as `--role ARN`.
    pub role_arn: Option<&'a str>,
    /// `--proxy-url`: the cluster's `proxy-url`.
    pub proxy_url: Option<&'a str>,
    /// The session's profile (`--profile` or `AWS_PROFILE`): `env: AWS_PROFILE=<it>`.
    pub profile: Option<&'a str>,
}

/// The three entries `update-kubeconfig` inserts, as Python objects in one document.
#[derive(Clone, Debug)]
pub struct Entries {
    doc: Doc,
    cluster: Value,
    user: Value,
    context: Value,
}

impl Entries {
    /// The context's name, as the messages print it.
    pub fn context_name(&self) -> String {
        let name = self
            .doc
            .map(&self.context)
            .and_then(|m| m.get("name"))
            .cloned()
            .unwrap_or(Value::Null);
        yaml_py::py_str(&self.doc, &name)
    }

    /// The cluster entry's name (the ARN), which decides which file already has it.
    fn cluster_name(&self) -> Value {
        self.doc
            .map(&self.cluster)
            .and_then(|m| m.get("name"))
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// Python's type name of a JSON value as botocore parses it.
fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "NoneType",
        Json::Bool(_) => "bool",
        Json::Number(n) if n.is_f64() => "float",
        Json::Number(_) => "int",
        Json::String(_) => "str",
        Json::Array(_) => "list",
        Json::Object(_) => "dict",
    }
}

/// `value.get(key, default)` on a JSON object, or the AttributeError for another type.
fn get<'a>(v: Option<&'a Json>, key: &str) -> Result<Option<&'a Json>, Error> {
    match v {
        Some(Json::Object(m)) => Ok(m.get(key)),
        other => Err(Error(format!(
            "'{}' object has no attribute 'get'",
            json_type(other.unwrap_or(&Json::Null))
        ))),
    }
}

/// A JSON value as the Python object botocore gives (objects are plain dicts).
fn to_python(doc: &mut Doc, v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => Value::Float(f, 1),
            _ => {
                let t = n.to_string();
                let i = yaml_py::Int::from_digits(t.trim_start_matches('-'), 10);
                Value::Int(if t.starts_with('-') { i.negate() } else { i })
            }
        },
        Json::String(s) => Value::str(s.clone()),
        Json::Array(items) => {
            let items = items.iter().map(|i| to_python(doc, i)).collect();
            doc.new_seq(items)
        }
        Json::Object(m) => {
            let mut map = Map::default();
            for (k, v) in m {
                let v = to_python(doc, v);
                map.set(k, v);
            }
            doc.add(Obj::Dict(map))
        }
    }
}

/// The entries for `cluster` (the `cluster` member of DescribeCluster's response).
pub fn entries(cluster: &Json, opts: &EntryOptions) -> Result<Entries, Error> {
    let mut doc = Doc::new();
    let desc = Some(cluster);
    // get_cluster_entry
    let ca = get(desc, "certificateAuthority")?;
    let empty = Json::Object(Default::default());
    let cert = match ca {
        None => Json::String(String::new()),
        Some(_) => get(ca.or(Some(&empty)), "data")?
            .cloned()
            .unwrap_or(Json::String(String::new())),
    };
    let endpoint = get(desc, "endpoint")?.cloned().unwrap_or(Json::Null);
    let arn = get(desc, "arn")?.cloned().unwrap_or(Json::Null);
    let cert_v = to_python(&mut doc, &cert);
    let server_v = to_python(&mut doc, &endpoint);
    let mut inner = vec![("certificate-authority-data", cert_v), ("server", server_v)];
    if let Some(p) = opts.proxy_url {
        inner.push(("proxy-url", Value::str(p)));
    }
    let inner = doc.new_map(inner);
    let arn_v = to_python(&mut doc, &arn);
    let cluster_entry = doc.new_map(vec![("cluster", inner), ("name", arn_v.clone())]);

    // get_user_entry
    let region = match &arn {
        Json::String(s) => s
            .split(':')
            .nth(3)
            .ok_or_else(|| Error("list index out of range".into()))?
            .to_string(),
        other => {
            return Err(Error(format!(
                "'{}' object has no attribute 'split'",
                json_type(other)
            )))
        }
    };
    let outpost = get(desc, "outpostConfig")?;
    let by_name = match outpost {
        None | Some(Json::Null) => true,
        Some(_) => !matches!(get(outpost, "etcdInstanceType")?, None | Some(Json::Null)),
    };
    let (param, ident) = if by_name {
        ("--cluster-name", Value::str(opts.cluster_name))
    } else {
        let id = get(desc, "id")?.cloned().unwrap_or(Json::Null);
        ("--cluster-id", to_python(&mut doc, &id))
    };
    let mut args = vec![
        Value::str("--region"),
        Value::str(region),
        Value::str("eks"),
        Value::str("get-token"),
        Value::str(param),
        ident,
        Value::str("--output"),
        Value::str("json"),
    ];
    if let Some(r) = opts.role_arn {
        args.push(Value::str("--role"));
        args.push(Value::str(r));
    }
    let args = doc.new_seq(args);
    let mut exec = vec![
        ("apiVersion", Value::str(API_VERSION)),
        ("args", args),
        ("command", Value::str("aws")),
    ];
    if let Some(p) = opts.profile.filter(|p| !p.is_empty()) {
        let env = doc.new_map(vec![
            ("name", Value::str("AWS_PROFILE")),
            ("value", Value::str(p)),
        ]);
        let list = doc.new_seq(vec![env]);
        exec.push(("env", list));
    }
    let exec = doc.new_map(exec);
    let user_inner = doc.new_map(vec![("exec", exec)]);
    // `user_alias or cluster_description.get("arn", "")`
    let user_name = match opts.user_alias.filter(|a| !a.is_empty()) {
        Some(a) => Value::str(a),
        None => match get(desc, "arn")? {
            None => Value::str(""),
            Some(a) => to_python(&mut doc, a),
        },
    };
    let user_entry = doc.new_map(vec![("name", user_name.clone()), ("user", user_inner)]);

    // _make_context: `alias or user["name"]`
    let ctx_inner = doc.new_map(vec![("cluster", arn_v), ("user", user_name.clone())]);
    let ctx_name = match opts.alias.filter(|a| !a.is_empty()) {
        Some(a) => Value::str(a),
        None => user_name,
    };
    let context = doc.new_map(vec![("context", ctx_inner), ("name", ctx_name)]);
    Ok(Entries {
        doc,
        cluster: cluster_entry,
        user: user_entry,
        context,
    })
}

/// `KubeconfigSelector.__init__`: the files to consider, in order. `kubeconfig_env` is the
/// `KUBECONFIG` variable (unset and empty alike), `home` the user's home directory (`~`),
/// `cwd` the working directory (relative paths are made absolute against it).
pub fn candidate_paths(
    flag: Option<&str>,
    kubeconfig_env: Option<&str>,
    home: &Path,
    cwd: &Path,
) -> Vec<PathBuf> {
    let default = home.join(".kube").join("config");
    if let Some(p) = flag {
        return vec![abspath(&expanduser(p, home), cwd)];
    }
    let env = kubeconfig_env.unwrap_or("");
    if env.is_empty() {
        return vec![default];
    }
    let sep = if cfg!(windows) { ';' } else { ':' };
    let paths: Vec<PathBuf> = env
        .split(sep)
        .filter(|e| !e.trim().is_empty())
        .map(|e| abspath(&expanduser(e, home), cwd))
        .collect();
    if paths.is_empty() {
        vec![default]
    } else {
        paths
    }
}

/// `os.path.expanduser` for `~` and `~/…` (`~user` is left as it is).
fn expanduser(p: &str, home: &Path) -> PathBuf {
    let is_sep = |c: char| c == '/' || (cfg!(windows) && c == '\\');
    match p.strip_prefix('~') {
        Some("") => home.to_path_buf(),
        Some(rest) if rest.starts_with(is_sep) => home.join(rest.trim_start_matches(is_sep)),
        _ => PathBuf::from(p),
    }
}

/// `os.path.abspath`: joined to `cwd` and normalized (`.`, `..`, doubled separators), with
/// no symlinks resolved.
fn abspath(p: &Path, cwd: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                // normpath: `..` at the root stays at the root.
                if !matches!(
                    out.components().next_back(),
                    Some(Component::RootDir) | Some(Component::Prefix(_)) | None
                ) {
                    out.pop();
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A kubeconfig as loaded: its content (`None` for a missing or empty file: a new one is
/// made) and the path it came from.
struct Kubeconfig {
    path: PathBuf,
    doc: Doc,
    /// The content; `None` until the template is made.
    content: Value,
}

/// `_get_new_kubeconfig_content`.
fn new_content(doc: &mut Doc) -> Value {
    let clusters = doc.new_seq(vec![]);
    let contexts = doc.new_seq(vec![]);
    let users = doc.new_seq(vec![]);
    let prefs = doc.new_map(vec![]);
    doc.new_map(vec![
        ("apiVersion", Value::str("v1")),
        ("clusters", clusters),
        ("contexts", contexts),
        ("current-context", Value::str("")),
        ("kind", Value::str("Config")),
        ("preferences", prefs),
        ("users", users),
    ])
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `KubeconfigLoader.load_kubeconfig` and `KubeconfigValidator.validate_config`.
fn load(path: &Path) -> Result<Kubeconfig, Error> {
    flatten(load_sorted(path))
}

/// [`load`], its errors sorted: the outer error is not a `KubeconfigError` (a file that is
/// not UTF-8, a YAML value Python cannot build, too deep a document), the inner one is (the
/// file cannot be opened, is not YAML, or is not a kubeconfig).
fn load_sorted(path: &Path) -> Result<Result<Kubeconfig, Error>, Error> {
    let name = path_str(path);
    let bytes = match read_file(path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Ok(Err(Error(format!(
                "Can't open kubeconfig for reading: {}",
                pystd::os_error::os_error_with_path(&e, &name)
            ))))
        }
    };
    load_bytes_sorted(bytes, path)
}

fn flatten(r: Result<Result<Kubeconfig, Error>, Error>) -> Result<Kubeconfig, Error> {
    r.and_then(|inner| inner)
}

/// [`load`] of a file's content (`None`: no such file).
fn load_bytes(bytes: Option<Vec<u8>>, path: &Path) -> Result<Kubeconfig, Error> {
    flatten(load_bytes_sorted(bytes, path))
}

/// [`load_bytes`], its errors sorted as [`load_sorted`]'s.
fn load_bytes_sorted(
    bytes: Option<Vec<u8>>,
    path: &Path,
) -> Result<Result<Kubeconfig, Error>, Error> {
    let name = path_str(path);
    let (mut doc, root) = match bytes {
        None => (Doc::new(), None),
        Some(b) => match yaml_py::load(&b, &name) {
            Ok(l) => {
                let root = l.doc.root.clone().filter(|r| !matches!(r, Value::Null));
                (l.doc, root)
            }
            Err(LoadError::Yaml(t)) => {
                return Ok(Err(Error(format!(
                    "YamlError while loading kubeconfig: {t}"
                ))))
            }
            Err(LoadError::Python(t)) | Err(LoadError::Limit(t)) => return Err(Error(t)),
        },
    };
    let content = match root {
        Some(r) => r,
        None => new_content(&mut doc),
    };
    if let Err(e) = validate(&doc, &content) {
        return Ok(Err(e));
    }
    Ok(Ok(Kubeconfig {
        path: path.to_path_buf(),
        doc,
        content,
    }))
}

/// Python's `open(path).read()` as bytes; a directory fails as Python's open does.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    if path.is_dir() {
        return Err(std::io::Error::from_raw_os_error(eisdir()));
    }
    std::fs::read(path)
}

#[cfg(unix)]
fn eisdir() -> i32 {
    libc::EISDIR
}

#[cfg(not(unix))]
fn eisdir() -> i32 {
    // Windows: Python's open() of a directory fails with EACCES.
    13
}

/// The keys the validator knows, with the type each must have.
const SCHEMA: [(&str, &str); 7] = [
    ("apiVersion", "str"),
    ("clusters", "list"),
    ("contexts", "list"),
    ("current-context", "str"),
    ("kind", "str"),
    ("preferences", "collections.OrderedDict"),
    ("users", "list"),
];

/// `KubeconfigValidator.validate_config`.
fn validate(doc: &Doc, content: &Value) -> Result<(), Error> {
    let Some(map) = doc.map(content).filter(|_| doc.is_dict(content)) else {
        return Err(Error("Content not a <class 'dict'>.".into()));
    };
    for (key, want) in SCHEMA {
        let Some(v) = map.get(key) else { continue };
        if matches!(v, Value::Null) {
            continue;
        }
        let ok = match want {
            "str" => matches!(v, Value::Str(_)),
            "list" => doc.seq(v).is_some(),
            _ => doc.is_dict(v) && !matches!(doc.get(v.obj().expect("obj")), Obj::Dict(_)),
        };
        if !ok {
            return Err(Error(format!(
                "{key} is wrong type: {} (Should be <class '{want}'>)",
                doc.type_repr(v)
            )));
        }
    }
    for (key, _) in SCHEMA {
        let Some(list) = map.get(key).and_then(|v| doc.seq(v)) else {
            continue;
        };
        for element in list {
            let is_ordered = matches!(element, Value::Obj(id) if matches!(doc.get(*id), Obj::Map(_) | Obj::Omap(_)));
            if !is_ordered {
                return Err(Error(format!("Entry in {key} not a <class 'dict'>. ")));
            }
        }
    }
    Ok(())
}

/// `Kubeconfig.has_cluster`.
fn has_cluster(doc: &Doc, content: &Value, name: &Value) -> bool {
    let Some(clusters) = doc
        .map(content)
        .and_then(|m| m.get("clusters"))
        .and_then(|c| doc.seq(c))
    else {
        return false;
    };
    clusters.iter().any(|c| {
        doc.map(c)
            .and_then(|m| m.get("name"))
            .is_some_and(|n| py_eq_str(n, name))
    })
}

/// `a == b` where `b` is the entry's name (a str, or whatever DescribeCluster gave).
fn py_eq_str(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

/// Copy `v` from the entries' document into `doc` (the entries are fresh objects).
fn copy_into(doc: &mut Doc, from: &Doc, v: &Value) -> Value {
    match v {
        Value::Obj(id) => match from.get(*id).clone() {
            Obj::Seq(items) => {
                let items = items.iter().map(|i| copy_into(doc, from, i)).collect();
                doc.new_seq(items)
            }
            Obj::Map(m) | Obj::Dict(m) => {
                let dict = matches!(from.get(*id), Obj::Dict(_));
                let mut out = Map::default();
                for (k, v) in m.entries() {
                    let k2 = copy_into(doc, from, k);
                    let v2 = copy_into(doc, from, v);
                    if let Ok(key) = doc.key(&k2) {
                        out.insert_keyed(key, k2, v2);
                    }
                }
                doc.add(if dict { Obj::Dict(out) } else { Obj::Map(out) })
            }
            other => doc.add(other),
        },
        other => other.clone(),
    }
}

/// `KubeconfigAppender.insert_entry`.
fn insert_entry(doc: &mut Doc, content: &Value, key: &str, entry: Value) -> Result<(), Error> {
    let current = doc.map(content).and_then(|m| m.get(key)).cloned();
    // `config.content.get(key) or []`
    let truthy = match &current {
        None | Some(Value::Null) => false,
        Some(v) => doc.seq(v).is_none_or(|s| !s.is_empty()),
    };
    let list = if truthy {
        current.expect("truthy")
    } else {
        doc.new_seq(vec![])
    };
    if let Some(m) = doc.map_mut(content) {
        m.set(key, list.clone());
    }
    if doc.seq(&list).is_none() {
        return Err(Error(format!(
            "Tried to insert into {key}, which is a {} not a <class 'list'>",
            doc.type_repr(&list)
        )));
    }
    let name = doc.map(&entry).and_then(|m| m.get("name")).cloned();
    let index = name.and_then(|name| {
        doc.seq(&list)?.iter().position(|e| {
            doc.map(e)
                .and_then(|m| m.get("name"))
                .is_some_and(|n| py_eq_str(n, &name))
        })
    });
    let entries = doc.seq_mut(&list).expect("list");
    match index {
        Some(i) => entries[i] = entry,
        None => entries.push(entry),
    }
    Ok(())
}

/// `insert_cluster_user_pair`: the entries go into `config`; `current-context` is set.
fn insert_pair(config: &mut Kubeconfig, entries: &Entries) -> Result<(), Error> {
    let doc = &mut config.doc;
    let cluster = copy_into(doc, &entries.doc, &entries.cluster);
    let user = copy_into(doc, &entries.doc, &entries.user);
    let context = copy_into(doc, &entries.doc, &entries.context);
    let content = config.content.clone();
    insert_entry(doc, &content, "clusters", cluster)?;
    insert_entry(doc, &content, "users", user)?;
    let ctx_name = doc
        .map(&context)
        .and_then(|m| m.get("name"))
        .cloned()
        .unwrap_or(Value::Null);
    insert_entry(doc, &content, "contexts", context)?;
    if let Some(m) = doc.map_mut(&content) {
        m.set("current-context", ctx_name);
    }
    Ok(())
}

fn dump(doc: &Doc, v: &Value) -> Result<String, Error> {
    yaml_py::dump(doc, v, Flavor::RuamelPure).map_err(|e| Error(e.0))
}

/// What [`update`] needs.
pub struct Update<'a> {
    pub entries: &'a Entries,
    /// From [`candidate_paths`].
    pub candidates: &'a [PathBuf],
    pub dry_run: bool,
    pub verbose: bool,
    /// Where lock files go (`~/.cache/aws-eks-token/locks`); `None`: no locking.
    pub lock_dir: Option<PathBuf>,
}

/// What to print after a successful update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub stdout: String,
    /// The file written (`None` for `--dry-run`).
    pub written: Option<PathBuf>,
}

/// `KubeconfigSelector.choose_kubeconfig`: the first candidate that loads and has the
/// cluster; else the first candidate, loaded (its errors are the command's). A candidate
/// failing with a `KubeconfigError` is passed over, any other error ends the search.
fn choose(candidates: &[PathBuf], name: &Value) -> Result<Kubeconfig, Error> {
    for p in candidates {
        if let Ok(k) = load_sorted(p)? {
            if has_cluster(&k.doc, &k.content, name) {
                return Ok(k);
            }
        }
    }
    load(
        candidates
            .first()
            .ok_or_else(|| Error("no kubeconfig path".into()))?,
    )
}

/// What `--dry-run` prints for a kubeconfig whose content is `bytes` (`None`: no such file)
/// at `path`, and whether it already had the cluster: the load, validate, insert and dump
/// steps of [`update`], without the file system.
pub fn merged_text(
    bytes: Option<Vec<u8>>,
    path: &Path,
    entries: &Entries,
) -> Result<(String, bool), Error> {
    let mut config = load_bytes(bytes, path)?;
    let updating = has_cluster(&config.doc, &config.content, &entries.cluster_name());
    insert_pair(&mut config, entries)?;
    Ok((dump(&config.doc, &config.content)?, updating))
}

/// Merge the entries into the chosen kubeconfig, then print it (`--dry-run`) or write it.
pub fn update(u: &Update) -> Result<Report, Error> {
    let name = u.entries.cluster_name();
    let chosen = choose(u.candidates, &name)?;
    if u.dry_run {
        let mut config = chosen;
        insert_pair(&mut config, u.entries)?;
        return Ok(Report {
            stdout: dump(&config.doc, &config.content)?,
            written: None,
        });
    }
    let path = chosen.path.clone();
    let target = write_target(&path);
    let _lock = u
        .lock_dir
        .as_deref()
        .and_then(|d| FileLock::acquire(d, &target, LOCK_WAIT));
    // Under the lock, read the file again: another process may have written it meanwhile.
    let mut config = if _lock.is_some() {
        load(&path)?
    } else {
        chosen
    };
    let updating = has_cluster(&config.doc, &config.content, &name);
    insert_pair(&mut config, u.entries)?;
    let text = dump(&config.doc, &config.content)?;
    write(&path, &target, &text)?;
    drop(_lock);
    let ctx = u.entries.context_name();
    let shown = path_str(&path);
    let mut stdout = if updating {
        format!("Updated context {ctx} in {shown}\n")
    } else {
        format!("Added new context {ctx} to {shown}\n")
    };
    if u.verbose {
        stdout.push_str("Entries:\n\n");
        let e = u.entries;
        for v in [&e.context, &e.user, &e.cluster] {
            stdout.push_str(&dump(&e.doc, v)?);
            stdout.push('\n');
        }
    }
    Ok(Report {
        stdout,
        written: Some(path),
    })
}

/// The file a write to `path` changes: `path` itself, or the file its symlinks lead to.
fn write_target(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(next) => {
                p = if next.is_absolute() {
                    next
                } else {
                    p.parent().unwrap_or(Path::new("/")).join(next)
                };
            }
            Err(_) => break,
        }
    }
    p
}

/// `KubeconfigWriter.write_kubeconfig`, atomically: the directory is made as `os.makedirs`
/// would; the text goes to a temporary file beside the target, which then replaces it.
fn write(path: &Path, target: &Path, text: &str) -> Result<(), Error> {
    let shown = path_str(path);
    let open_error = |e: &std::io::Error| {
        Error(format!(
            "Can't open kubeconfig for writing: {}",
            pystd::os_error::os_error_with_path(e, &shown)
        ))
    };
    if let Some(dir) = path.parent() {
        if let Err(e) = std::fs::create_dir_all(dir) {
            if e.kind() != std::io::ErrorKind::AlreadyExists {
                let failing = first_missing_dir(dir);
                return Err(Error(format!(
                    "Can't create directory for writing: {}",
                    pystd::os_error::os_error_with_path(&e, &path_str(&failing))
                )));
            }
        }
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    // An existing file must be writable, as Python's open(path, 'w+') needs it to be.
    let existing = std::fs::metadata(target).ok();
    if let Some(meta) = &existing {
        if meta.is_dir() {
            return Err(open_error(&std::io::Error::from_raw_os_error(eisdir())));
        }
        std::fs::OpenOptions::new()
            .write(true)
            .open(target)
            .map_err(|e| open_error(&e))?;
    }
    #[cfg(windows)]
    let text = text.replace('\n', "\r\n");
    let tmp = create_temp(dir, target).map_err(|e| open_error(&e))?;
    let result = (|| -> std::io::Result<()> {
        use std::io::Write;
        let mut f = &tmp.file;
        f.write_all(text.as_bytes())?;
        keep_metadata(&tmp.file, existing.as_ref());
        tmp.file.sync_all()?;
        std::fs::rename(&tmp.path, target)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp.path);
        return Err(open_error(&e));
    }
    trust::remove_stale(dir, |name| is_temp_name(name, &file_name(target)));
    Ok(())
}

fn file_name(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kubeconfig".into())
}

/// `.<base>.tmp-<pid>-<nonce>`, as `create_temp` names them.
fn is_temp_name(name: &str, base: &str) -> bool {
    let rest = name
        .strip_prefix('.')
        .and_then(|n| n.strip_prefix(base))
        .and_then(|n| n.strip_prefix(".tmp-"));
    let Some((pid, nonce)) = rest.and_then(|r| r.split_once('-')) else {
        return false;
    };
    !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && nonce.len() == 8
        && nonce.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The first directory of `dir`'s ancestors that does not exist (which makedirs reports).
fn first_missing_dir(dir: &Path) -> PathBuf {
    let mut missing = dir.to_path_buf();
    let mut cur = dir;
    while let Some(parent) = cur.parent() {
        if parent.exists() {
            break;
        }
        missing = parent.to_path_buf();
        cur = parent;
    }
    if missing.exists() {
        dir.to_path_buf()
    } else {
        missing
    }
}

struct TempFile {
    path: PathBuf,
    file: std::fs::File,
}

/// A new file beside `target`, 0600 (the mode Python gives a new kubeconfig).
fn create_temp(dir: &Path, target: &Path) -> std::io::Result<TempFile> {
    let base = file_name(target);
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for i in 0..100u32 {
        let nonce = clock ^ i.wrapping_mul(0x9E37_79B9);
        let path = dir.join(format!(".{base}.tmp-{}-{nonce:08x}", std::process::id()));
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        match o.open(&path) {
            Ok(file) => return Ok(TempFile { path, file }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary file")))
}

/// An existing kubeconfig keeps its mode and (where allowed) its owner.
fn keep_metadata(file: &std::fs::File, existing: Option<&std::fs::Metadata>) {
    let Some(meta) = existing else { return };
    let _ = file.set_permissions(meta.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    }
}

/// An exclusive lock on a file under `lock_dir` named by the target's path.
struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    /// `None` when the lock directory is unusable or the wait ran out (then we write
    /// without the lock, still atomically).
    fn acquire(lock_dir: &Path, target: &Path, wait: Duration) -> Option<FileLock> {
        std::fs::create_dir_all(lock_dir).ok()?;
        let key = lock_key(target);
        let file = trust::open_lock(&lock_dir.join(format!("kubeconfig-{key}.lock")))?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => return Some(FileLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(_)) => return None,
            }
            if start.elapsed() >= wait {
                return None;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

/// The lock's name: SHA-256 of the target's absolute path, its directory resolved.
fn lock_key(target: &Path) -> String {
    use sha2::{Digest, Sha256};
    let resolved = match (target.parent(), target.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or_else(|_| target.to_path_buf()),
        _ => target.to_path_buf(),
    };
    let digest = Sha256::digest(resolved.to_string_lossy().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cluster() -> Json {
        json!({
            "name": "prod",
            "arn": "arn:aws:eks:us-west-2:123456789012:cluster/prod",
            "endpoint": "https://x.example.com",
            "status": "ACTIVE",
            "certificateAuthority": {"data": "Q0E="}
        })
    }

    fn opts() -> EntryOptions<'static> {
        EntryOptions {
            cluster_name: "prod",
            ..Default::default()
        }
    }

    #[test]
    fn paths_follow_the_cli() {
        let home = Path::new("/h");
        let cwd = Path::new("/w");
        assert_eq!(
            candidate_paths(Some("rel/../c"), Some("/a"), home, cwd),
            vec![PathBuf::from("/w/c")]
        );
        assert_eq!(
            candidate_paths(None, Some("::~/three:"), home, cwd),
            vec![PathBuf::from("/h/three")]
        );
        assert_eq!(
            candidate_paths(None, Some(" : "), home, cwd),
            vec![PathBuf::from("/h/.kube/config")]
        );
        assert_eq!(
            candidate_paths(None, None, home, cwd),
            vec![PathBuf::from("/h/.kube/config")]
        );
    }

    #[test]
    fn entries_errors_for_odd_documents() {
        let e = entries(&json!({"status": "ACTIVE"}), &opts()).unwrap_err();
        assert_eq!(e.0, "'NoneType' object has no attribute 'split'");
        let e = entries(&json!({"arn": "a:b"}), &opts()).unwrap_err();
        assert_eq!(e.0, "list index out of range");
        let e = entries(
            &json!({"arn": "a:b:c:d", "certificateAuthority": null}),
            &opts(),
        )
        .unwrap_err();
        assert_eq!(e.0, "'NoneType' object has no attribute 'get'");
    }

    #[test]
    fn new_file_is_0600_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config");
        let e = entries(&cluster(), &opts()).unwrap();
        let r = update(&Update {
            entries: &e,
            candidates: std::slice::from_ref(&path),
            dry_run: false,
            verbose: false,
            lock_dir: Some(dir.path().join("locks")),
        })
        .unwrap();
        assert_eq!(
            r.stdout,
            format!(
                "Added new context arn:aws:eks:us-west-2:123456789012:cluster/prod to {}\n",
                path.display()
            )
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(
            "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: Q0E=\n"
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Nothing else left in the directory (no temporary file).
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }
}
