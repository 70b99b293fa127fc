//! Installed as `aws`, this binary answers its own commands (`commands::COMMANDS`) and
//! hands every other command (`aws s3 ls`, `aws help`, `aws --version`, ...) to the real
//! AWS CLI by replacing itself with it: same arguments, environment, standard streams and
//! exit code.
//!
//! The real CLI is `AWS_EKS_TOKEN_REAL_AWS` if set (empty = never pass through; a bare
//! name is looked up on PATH), else the first `aws` on PATH that is not this program (on
//! Windows the first `aws` with an extension of `%PATHEXT%`, directory by directory, as
//! `cmd.exe` looks: `aws.exe` of the MSI installer, `aws.cmd` of pip's awscli), always
//! resolved to an absolute path here (an empty or relative PATH entry is the working
//! directory, as for execvp), so the exec never searches PATH again. Windows has no
//! `exec`: there the real CLI runs as a child with our standard streams, and its exit code
//! becomes ours. "This program" is this binary — by canonical path and by file identity (a
//! hard link) — and every shim in `AWS_EKS_TOKEN_SHIMS` (a PATH-style list the shim adds
//! itself to before the exec), so two copies of the shim on PATH cannot hand a command back
//! and forth; a real CLI that is this program is an error at once, never an exec loop.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::MainParse;

pub const REAL_AWS_VAR: &str = "AWS_EKS_TOKEN_REAL_AWS";
pub const SHIMS_VAR: &str = "AWS_EKS_TOKEN_SHIMS";

/// Whether the CLI would start its interactive prompter (`resolve_auto_prompt_mode`):
/// `--cli-auto-prompt`, or `AWS_CLI_AUTO_PROMPT` `on` (or `on-partial`, which prompts
/// after a usage error), unless `help`, `--version` or `--no-cli-auto-prompt` is there.
/// The prompter is the real CLI's; with both flags the CLI's usage error is ours.
pub fn wants_prompter(args: &[String], env_mode: Option<&str>) -> bool {
    let has = |a: &str| args.iter().any(|x| x == a);
    if has("help") || has("--version") || has("--no-cli-auto-prompt") {
        return false;
    }
    has("--cli-auto-prompt")
        || env_mode.is_some_and(|m| matches!(m.to_lowercase().as_str(), "on" | "on-partial"))
}

/// Whether argv is a command this binary implements (and then also any usage error of it,
/// which the real CLI would print identically). `--version` is ours only when no real CLI
/// is found.
pub fn is_ours(args: &[String]) -> bool {
    // The main parser, with any service allowed: which service is asked for?
    let (service, rest) = match super::main_pass(args, None) {
        Ok(MainParse::Command { service, rest, .. }) => (service, rest),
        Ok(MainParse::Version) => return false,
        // No service at all: the real CLI's business (`aws` alone prints its usage).
        Err(crate::error::Error::ParamValidation(m))
            if m.starts_with("the following arguments are required") =>
        {
            return false
        }
        // A bad global option: the real CLI prints the same error; answer it here.
        Err(_) => return true,
    };
    match super::service_pass(&rest, None) {
        // `aws eks get-token help` renders the CLI's man page.
        // So does a generic operation's `help` positional (`… --bogus help`).
        Ok((operation, extras)) => match crate::commands::find(&service, &operation) {
            Some(_) if extras == ["help"] => false,
            Some(c) if c.generic => super::operation_pass(c.options, true, &extras)
                .map_or(true, |p| p.positional.as_deref() != Some("help")),
            Some(_) => true,
            None => false,
        },
        Err(_) => false,
    }
}

/// The real AWS CLI to run instead of this binary, as an absolute path, if there is one;
/// `Err` (the message) when `AWS_EKS_TOKEN_REAL_AWS` names this program or a name that
/// is not on PATH.
pub fn find_real_aws(
    path_var: Option<OsString>,
    explicit: Option<OsString>,
    shims: &[PathBuf],
) -> Result<Option<PathBuf>, String> {
    let me = This::new(shims);
    let cwd = std::env::current_dir().unwrap_or_default();
    // Directory by directory, each of `names` in turn (cmd.exe's order on Windows).
    let on_path = |names: &[OsString]| {
        path_var.as_ref().and_then(|paths| {
            std::env::split_paths(paths)
                .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
                .map(|p| cwd.join(p))
                .find(|p| is_executable(p) && !me.is(p))
        })
    };
    let Some(explicit) = explicit else {
        let names = program_names(cfg!(windows), std::env::var("PATHEXT").ok().as_deref());
        let names: Vec<OsString> = names.into_iter().map(OsString::from).collect();
        return Ok(on_path(&names));
    };
    if explicit.is_empty() {
        return Ok(None);
    }
    let shown = Path::new(&explicit).display().to_string();
    let found =
        if Path::new(&explicit).components().count() == 1 && !Path::new(&explicit).is_absolute() {
            on_path(std::slice::from_ref(&explicit)).ok_or_else(|| {
                format!("{REAL_AWS_VAR}={shown}: not found on PATH (other than this program)")
            })?
        } else {
            cwd.join(&explicit)
        };
    if me.is(&found) {
        return Err(format!(
            "{REAL_AWS_VAR}={shown} is this program ({}), not the AWS CLI",
            found.display()
        ));
    }
    Ok(Some(found))
}

/// This program: its canonical path and file identity, and the shims already passed
/// through.
struct This<'a> {
    exe: Option<PathBuf>,
    #[cfg(unix)]
    id: Option<(u64, u64)>,
    shims: &'a [PathBuf],
}

impl<'a> This<'a> {
    fn new(shims: &'a [PathBuf]) -> This<'a> {
        let exe = std::env::current_exe().ok();
        This {
            #[cfg(unix)]
            id: exe.as_deref().and_then(file_id),
            exe: exe.and_then(|p| p.canonicalize().ok()),
            shims,
        }
    }

    /// Whether running `p` would run this program (or a shim already passed through).
    fn is(&self, p: &Path) -> bool {
        let canonical = p.canonicalize().ok();
        if canonical.is_some() && canonical == self.exe {
            return true;
        }
        if canonical.is_some_and(|c| self.shims.contains(&c)) {
            return true;
        }
        #[cfg(unix)]
        if self.id.is_some() && file_id(p) == self.id {
            return true;
        }
        false
    }
}

/// (device, inode) of the file a path leads to.
#[cfg(unix)]
fn file_id(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

/// The file names `aws` may have: on Windows `aws` plus each extension of `%PATHEXT%`
/// (`.COM;.EXE;.BAT;.CMD` when unset, cmd.exe's default), elsewhere `aws`.
fn program_names(windows: bool, pathext: Option<&str>) -> Vec<String> {
    if !windows {
        return vec!["aws".into()];
    }
    pathext
        .filter(|p| !p.is_empty())
        .unwrap_or(".COM;.EXE;.BAT;.CMD")
        .split(';')
        .filter(|ext| ext.starts_with('.') && ext.len() > 1)
        .map(|ext| format!("aws{ext}"))
        .collect()
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Replace this process with `real` (on Unix; elsewhere run it and exit with its code).
/// Returns only if the program could not be started.
pub fn exec(real: &Path, args: &[OsString], shims: &[PathBuf]) -> std::io::Error {
    let mut shims = shims.to_vec();
    if let Some(me) = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok())
    {
        shims.push(me);
    }
    let mut cmd = std::process::Command::new(real);
    cmd.args(args);
    if let Ok(joined) = std::env::join_paths(&shims) {
        cmd.env(SHIMS_VAR, joined);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.exec()
    }
    #[cfg(windows)]
    ignore_ctrl_c();
    #[cfg(not(unix))]
    {
        match cmd.status() {
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(e) => e,
        }
    }
}

/// While the real CLI runs as our child, Ctrl-C (sent by the console to both) is its to
/// handle: this process keeps waiting and returns the child's exit code, as `cargo run`
/// does. A handler, not `SetConsoleCtrlHandler(NULL, TRUE)`, which the child would inherit.
#[cfg(windows)]
fn ignore_ctrl_c() {
    unsafe extern "system" fn handled(_event: u32) -> i32 {
        1
    }
    #[link(name = "kernel32")]
    extern "system" {
        fn SetConsoleCtrlHandler(
            handler: Option<unsafe extern "system" fn(u32) -> i32>,
            add: i32,
        ) -> i32;
    }
    // SAFETY: registers a handler that only returns TRUE; it touches no memory.
    unsafe {
        SetConsoleCtrlHandler(Some(handled), 1);
    }
}

/// The shims already passed through, from `AWS_EKS_TOKEN_SHIMS`.
pub fn shims_from_env() -> Vec<PathBuf> {
    std::env::var_os(SHIMS_VAR)
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{is_ours, program_names, wants_prompter};

    #[test]
    fn windows_looks_for_each_pathext_extension() {
        assert_eq!(program_names(false, Some(".EXE")), ["aws"]);
        assert_eq!(
            program_names(true, None),
            ["aws.COM", "aws.EXE", "aws.BAT", "aws.CMD"]
        );
        assert_eq!(
            program_names(true, Some(".exe;;.cmd;bad;.")),
            ["aws.exe", "aws.cmd"]
        );
    }

    fn ours(v: &[&str]) -> bool {
        is_ours(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn only_our_commands_are_ours() {
        assert!(ours(&["eks", "get-token", "--cluster-name", "a"]));
        assert!(ours(&[
            "--region",
            "x",
            "eks",
            "--output",
            "json",
            "get-token"
        ]));
        assert!(ours(&["eks", "get-token", "--bogus"]));
        assert!(ours(&["sts", "get-caller-identity", "--query", "Arn"]));
        assert!(!ours(&["sts", "get-caller-identity", "help"]));
        // A generic operation's positional `help` takes the first plain argument.
        assert!(!ours(&["sts", "get-caller-identity", "--bogus", "help"]));
        assert!(!ours(&[
            "sts",
            "get-caller-identity",
            "--generate-cli-skeleton",
            "input",
            "help"
        ]));
        assert!(ours(&["sts", "get-caller-identity", "x", "help"]));
        assert!(ours(&[
            "eks",
            "get-token",
            "--cluster-name",
            "a",
            "x",
            "help"
        ]));
        assert!(!ours(&["sts", "assume-role"]));
        assert!(ours(&["--output", "jsn", "s3", "ls"]));
        assert!(!ours(&["s3", "ls"]));
        assert!(!ours(&["ekz", "get-token"]));
        assert!(ours(&["eks", "update-kubeconfig", "--name", "x"]));
        assert!(!ours(&["eks", "describe-cluster", "--name", "x"]));
        assert!(!ours(&["eks"]));
        assert!(!ours(&[]));
        assert!(!ours(&["help"]));
        assert!(!ours(&["--version"]));
        assert!(!ours(&["eks", "get-token", "help"]));
        assert!(ours(&["sso", "login", "--profile", "dev"]));
        assert!(ours(&[
            "--profile",
            "dev",
            "sso",
            "login",
            "--use-device-code"
        ]));
        assert!(ours(&["sso", "logout"]));
        assert!(ours(&["sso", "login", "--bogus"]));
        assert!(!ours(&["sso", "list-accounts", "--access-token", "t"]));
        assert!(!ours(&["sso", "get-role-credentials"]));
        assert!(!ours(&["sso", "login", "help"]));
        assert!(!ours(&["sso"]));
    }

    #[test]
    fn the_prompter_is_the_real_clis() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let get_token = args(&["eks", "get-token", "--cluster-name", "a"]);
        assert!(!wants_prompter(&get_token, None));
        assert!(!wants_prompter(&get_token, Some("off")));
        assert!(wants_prompter(&get_token, Some("ON")));
        assert!(wants_prompter(&get_token, Some("on-partial")));
        let flag = args(&["--cli-auto-prompt", "eks", "get-token"]);
        assert!(wants_prompter(&flag, None));
        assert!(!wants_prompter(
            &args(&["--cli-auto", "eks", "get-token"]),
            None
        ));
        let both = args(&["--cli-auto-prompt", "--no-cli-auto-prompt", "sso", "logout"]);
        assert!(!wants_prompter(&both, None));
        assert!(!wants_prompter(
            &args(&["eks", "get-token", "help"]),
            Some("on")
        ));
        assert!(!wants_prompter(&args(&["--version"]), Some("on")));
    }
}
