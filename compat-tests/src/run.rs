//! Runs one case: a fresh HOME, its files, its fake servers, the binary under libfaketime.

use crate::case::{replace_bytes, with_home, Case, HOME_PLACEHOLDER};
use crate::server::FakeServer;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long output pipes may stay open after the program exited (held by a child it left
/// behind) before that process group is killed.
const PIPE_GRACE: Duration = Duration::from_secs(5);

/// What the run needs besides the case.
pub struct Runner {
    pub bin: PathBuf,
    pub faketime_lib: PathBuf,
    /// The stand-in browser (`src/bin/stand-in-browser.rs`) for cases with `browser`.
    pub browser: PathBuf,
    /// Words run before the binary, e.g. Wine and a launcher (`GOLDEN_WRAPPER`).
    pub wrapper: Vec<String>,
    /// The binary is a Windows program (`GOLDEN_WINDOWS`): see [`Runner::windows_env`].
    pub windows: bool,
    /// Freeze the monotonic clock too, as the reference was recorded (record.py runs it so:
    /// its retry back-off sleeps go wrong with a running monotonic clock under libfaketime).
    /// Programs under test get `FAKETIME_DONT_FAKE_MONOTONIC=1` instead (FORMAT.md).
    pub freeze_monotonic: bool,
}

/// A regular file below HOME: content and permission bits.
pub type FileState = (Vec<u8>, u32);

/// The observed outcome, with the home path already written back as `$HOME`.
pub struct Outcome {
    /// Exit code, or `None` when the process was killed by a signal.
    pub rc: Option<i32>,
    pub signal: Option<i32>,
    /// The case's timeout expired and the process was killed.
    pub hung: bool,
    /// Output pipes stayed open long after exit (a leftover child); the group was killed.
    pub pipes_held: bool,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Recorded requests per server kind.
    pub requests: BTreeMap<String, Vec<Value>>,
    /// Files created or changed by the run (relative path → state).
    pub changed_files: BTreeMap<String, FileState>,
    /// Files that existed before the run and are gone after it, sorted.
    pub deleted: Vec<String>,
    /// Whether the files' modes are compared: not for a Windows program, which has none.
    pub modes_compared: bool,
    pub elapsed: Duration,
}

impl Runner {
    /// `Err` means the case could not be set up (not a verdict on the binary).
    pub fn run(&self, case: &Case) -> Result<Outcome, String> {
        let tmp = tempfile::Builder::new()
            .prefix("golden-home.")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary HOME: {e}"))?;
        // The program sees and prints the resolved path; substitute exactly that one.
        let home = tmp
            .path()
            .canonicalize()
            .map_err(|e| format!("temporary HOME: {e}"))?;
        let home_str = home
            .to_str()
            .ok_or("temporary HOME is not UTF-8")?
            .to_owned();

        for f in &case.files {
            let content =
                replace_bytes(&f.content, HOME_PLACEHOLDER.as_bytes(), home_str.as_bytes());
            write_file(&home.join(&f.path), &content, f.mode)
                .map_err(|e| format!("cannot create input file {}: {e}", f.path))?;
        }
        let before = snapshot(&home);

        let mut servers = Vec::new();
        for spec in &case.servers {
            match FakeServer::start(spec) {
                Ok(s) => servers.push(s),
                Err(e) => {
                    for s in servers {
                        s.stop();
                    }
                    return Err(e);
                }
            }
        }

        let started = Instant::now();
        let result = self.execute(case, &home, &home_str);

        // Stop the servers only after the program (and its output) is finished.
        let mut requests = BTreeMap::new();
        for s in servers {
            let kind = s.kind.clone();
            let mut list = s.stop();
            for r in &mut list {
                unhome_value(r, &home_str);
            }
            requests.insert(kind, list);
        }
        let mut out = result?;
        out.elapsed = started.elapsed();
        out.requests = requests;

        let after = snapshot(&home);
        out.deleted = before
            .keys()
            .filter(|p| !after.contains_key(*p))
            .cloned()
            .collect();
        for (path, state) in after {
            if before.get(&path) != Some(&state) {
                let content =
                    replace_bytes(&state.0, home_str.as_bytes(), HOME_PLACEHOLDER.as_bytes());
                out.changed_files.insert(path, (content, state.1));
            }
        }
        Ok(out)
    }

    fn execute(&self, case: &Case, home: &Path, home_str: &str) -> Result<Outcome, String> {
        let mut cmd = match self.wrapper.split_first() {
            Some((program, words)) => {
                let mut cmd = Command::new(program);
                cmd.args(words).arg(&self.bin);
                cmd
            }
            None => Command::new(&self.bin),
        };
        cmd.args(case.args.iter().map(|a| with_home(a, home_str)))
            .current_dir(home)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", home)
            .env("TZ", "UTC")
            .env("LANG", "C.UTF-8")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        if self.windows {
            cmd.envs(self.windows_env(case, home_str));
        } else {
            for (k, v) in &case.env {
                match v {
                    Some(v) => cmd.env(k, with_home(v, home_str)),
                    None => cmd.env_remove(k),
                };
            }
        }
        // A browser launcher command as Python's webbrowser reads `$BROWSER`.
        if let Some(mode) = case.browser {
            cmd.env(
                "BROWSER",
                format!("{} %s", shell_word(&self.browser.to_string_lossy())),
            )
            .env("BROWSER_MODE", mode.name());
        }
        // libfaketime, frozen wall clock, running monotonic clock (FORMAT.md).
        cmd.env("LD_PRELOAD", &self.faketime_lib)
            .env("FAKETIME", &case.faketime);
        if !self.freeze_monotonic {
            cmd.env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        }
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Own process group, so a hung run is killed together with its helpers
            // (credential_process scripts).
            .process_group(0);
        // SAFETY: umask(2) is async-signal-safe and touches no memory.
        unsafe {
            cmd.pre_exec(|| {
                libc::umask(0o022);
                Ok(())
            });
        }

        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.bin.display()))?;
        let pid = child.id() as libc::pid_t;

        let mut stdin = child.stdin.take().unwrap();
        let input = case.stdin.clone();
        // Written from a thread: a program that never reads stdin must not block us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let (tx, rx) = mpsc::channel();
        let stdout = read_in_thread(child.stdout.take().unwrap(), 1, tx.clone());
        let stderr = read_in_thread(child.stderr.take().unwrap(), 2, tx);
        let (wait_tx, wait_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = wait_tx.send(child.wait());
        });

        let mut hung = false;
        let status = match wait_rx.recv_timeout(case.timeout) {
            Ok(s) => s,
            Err(_) => {
                hung = true;
                // The child is not reaped yet, so its pid still names its group.
                kill_group(pid);
                wait_rx.recv().expect("waiter thread")
            }
        }
        .map_err(|e| format!("waiting for the program: {e}"))?;

        // Both pipes must reach end-of-file; a leftover grandchild may hold them open.
        let mut pipes_held = false;
        let mut open = 2;
        while open > 0 {
            let limit = if hung {
                Duration::from_secs(1)
            } else {
                PIPE_GRACE
            };
            match rx.recv_timeout(limit) {
                Ok(_) => open -= 1,
                Err(_) if !pipes_held => {
                    // The group outlives its leader while members remain, so the id is
                    // still theirs.
                    pipes_held = true;
                    kill_group(pid);
                }
                Err(_) => {
                    return Err("output pipes still open after killing the process group".into())
                }
            }
        }
        remove_faketime_shm(pid);
        let windows_home = windows_path(home_str);
        let unhome = |b: Vec<u8>| {
            let b = replace_bytes(&b, home_str.as_bytes(), HOME_PLACEHOLDER.as_bytes());
            if self.windows {
                // Recorded on Linux: Windows' `\r\n` line ends (tests/wine.rs checks them)
                // compare as `\n`.
                let b = replace_bytes(&b, windows_home.as_bytes(), HOME_PLACEHOLDER.as_bytes());
                replace_bytes(&b, b"\r\n", b"\n")
            } else {
                b
            }
        };
        Ok(Outcome {
            rc: status.code(),
            signal: status.signal(),
            hung,
            pipes_held,
            stdout: unhome(stdout.join().unwrap_or_default()),
            stderr: unhome(stderr.join().unwrap_or_default()),
            requests: BTreeMap::new(),
            changed_files: BTreeMap::new(),
            deleted: Vec::new(),
            modes_compared: !self.windows,
            elapsed: Duration::ZERO,
        })
    }
}

/// `path` as one word for a shell-like split (`$BROWSER` is split with shlex).
fn shell_word(path: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c);
    if !path.is_empty() && path.chars().all(plain) {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

impl Runner {
    /// A Windows program's environment, for the `winenv.exe` launcher under Wine (which
    /// replaces the profile variables at start-up with its prefix's): the home directory is
    /// `%USERPROFILE%` (and `%LOCALAPPDATA%` is `<home>\AppData\Local`, so our cache stays in
    /// the case's home), the case's variables go through `WINENV_<NAME>` (`$HOME` as the
    /// Windows path of the home), `HOME` set or removed by the case sets or removes
    /// `USERPROFILE`, and Wine's own `WINE*` settings pass through.
    fn windows_env(&self, case: &Case, home_str: &str) -> Vec<(String, String)> {
        let home = windows_path(home_str);
        let mut vars: BTreeMap<String, Option<String>> = BTreeMap::new();
        vars.insert("USERPROFILE".into(), Some(home.clone()));
        vars.insert(
            "LOCALAPPDATA".into(),
            Some(format!("{home}\\AppData\\Local")),
        );
        for (k, v) in &case.env {
            let name = if k == "HOME" {
                "USERPROFILE"
            } else {
                k.as_str()
            };
            vars.insert(name.to_string(), v.as_ref().map(|v| with_home(v, &home)));
        }
        if vars.get("USERPROFILE") == Some(&None) {
            // No home at all: Wine's HOMEDRIVE/HOMEPATH would give one.
            vars.insert("HOMEDRIVE".into(), None);
            vars.insert("HOMEPATH".into(), None);
        }
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("WINE"))
            .collect();
        let mut unset = Vec::new();
        for (k, v) in vars {
            match v {
                Some(v) => env.push((format!("WINENV_{k}"), v)),
                None => unset.push(k),
            }
        }
        env.push(("WINENV_UNSET".into(), unset.join(";")));
        env
    }
}

/// A Unix path as Wine shows it to Windows programs: `Z:` and backslashes.
fn windows_path(unix: &str) -> String {
    format!("Z:{}", unix.replace('/', "\\"))
}

fn read_in_thread(
    mut pipe: impl Read + Send + 'static,
    which: u8,
    done: mpsc::Sender<u8>,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        let _ = done.send(which);
        buf
    })
}

fn kill_group(pgid: libc::pid_t) {
    // SAFETY: plain syscall on a process group we created.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// libfaketime (0.9.x) creates `/dev/shm/faketime_shm_<pid>` and `sem.faketime_sem_<pid>`
/// in the first preloaded process and removes them in its destructor, which does not run
/// when the process is killed or ends with `_exit` (as dash does). Tidy up after it.
fn remove_faketime_shm(pid: libc::pid_t) {
    for name in [
        format!("/dev/shm/faketime_shm_{pid}"),
        format!("/dev/shm/sem.faketime_sem_{pid}"),
    ] {
        let _ = std::fs::remove_file(name);
    }
}

fn write_file(path: &Path, content: &[u8], mode: u32) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, content)?;
    // Explicitly, so the harness's own umask does not matter.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Every regular file below `root` (symbolic links are not followed).
pub fn snapshot(root: &Path) -> BTreeMap<String, FileState> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let content = std::fs::read(&path).unwrap_or_default();
                files.insert(rel, (content, meta.permissions().mode() & 0o7777));
            }
        }
    }
    files
}

/// Writes the home path back as `$HOME` in every string of a recorded request.
fn unhome_value(v: &mut Value, home: &str) {
    match v {
        Value::String(s) if s.contains(home) => *s = s.replace(home, HOME_PLACEHOLDER),
        Value::Array(a) => a.iter_mut().for_each(|x| unhome_value(x, home)),
        Value::Object(o) => o.values_mut().for_each(|x| unhome_value(x, home)),
        _ => {}
    }
}
