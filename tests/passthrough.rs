//! The passthrough, end to end: installed as `aws` (a symlink on PATH), the binary answers
//! its own commands (`eks get-token`, `sso login`, `sso logout`) and execs the real AWS
//! CLI for everything else. The "real AWS CLI" here is a stand-in shell script that records
//! its argv, a few environment variables and its stdin into files, writes a line to stdout
//! and to stderr, and exits 42.
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_aws-eks-token");
/// A child that loops (exec back and forth) would never finish: it is killed after this.
const PROCESS_LIMIT: Duration = Duration::from_secs(30);
/// The stand-in's exit code.
const STAND_IN_RC: i32 = 42;
/// An environment value that is easy to mangle.
const MARKER: &str = "two  spaces, 'quotes', \"dq\", $dollar, ünïcödé\nsecond line";

/// `invalid-service` from the golden cases, for `s3`: what the AWS CLI prints for a
/// service it does not know.
const INVALID_S3: &str = "\naws: [ERROR]: An error occurred (ParamValidation): argument command: \
     Found invalid choice 's3'\n\n\nusage: aws [options] <command> <subcommand> \
     [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  \
     aws <command> help\n  aws <command> <subcommand> help\n";

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("passthrough.")
            .tempdir()
            .unwrap();
        let s = Sandbox { dir };
        std::fs::create_dir(s.path("home")).unwrap();
        s
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `<dir>/aws` → the binary under test.
    fn shim(&self, dir: &str) -> PathBuf {
        let d = self.path(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::os::unix::fs::symlink(BIN, d.join("aws")).unwrap();
        d
    }

    /// `<dir>/aws`: a copy of the binary (another file, so another canonical path).
    fn shim_copy(&self, dir: &str) -> PathBuf {
        let d = self.path(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(BIN, d.join("aws")).unwrap();
        d
    }

    /// `<dir>/aws`: the stand-in AWS CLI, recording into `<dir>/record/` and exiting `rc`.
    fn stand_in(&self, dir: &str, rc: i32) -> PathBuf {
        let d = self.path(dir);
        let record = d.join("record");
        std::fs::create_dir_all(&record).unwrap();
        let script = format!(
            r#"#!/bin/sh
rec='{record}'
for a in "$@"; do printf '%s\0' "$a"; done > "$rec/argv"
printf '%s' "$PT_MARKER" > "$rec/marker"
printf '%s' "$AWS_EKS_TOKEN_SHIMS" > "$rec/shims"
printf '%s' "${{AWS_PROFILE-unset}}" > "$rec/profile"
/bin/cat > "$rec/stdin"
echo "stand-in stdout"
echo "stand-in stderr" >&2
exit {rc}
"#,
            record = record.display()
        );
        let aws = d.join("aws");
        std::fs::write(&aws, script).unwrap();
        std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
        d
    }

    /// A command with only what the test gives it: PATH from `dirs`, HOME in the sandbox.
    fn command(&self, program: &Path, path_dirs: &[&Path]) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::join_paths(path_dirs).unwrap())
            .env("HOME", self.path("home"))
            .env("AWS_EC2_METADATA_DISABLED", "true");
        cmd
    }
}

/// What the stand-in in `dir` recorded, `None` if it did not run.
struct Record {
    argv: Vec<String>,
    marker: String,
    shims: String,
    profile: String,
    stdin: Vec<u8>,
}

fn record(dir: &Path) -> Option<Record> {
    let r = dir.join("record");
    let argv = std::fs::read(r.join("argv")).ok()?;
    let text = |name: &str| std::fs::read_to_string(r.join(name)).unwrap();
    Some(Record {
        argv: argv
            .split(|b| *b == 0)
            .map(|a| String::from_utf8(a.to_vec()).unwrap())
            .collect::<Vec<_>>()
            .split_last()
            .map(|(_, init)| init.to_vec())
            .unwrap_or_default(),
        marker: text("marker"),
        shims: text("shims"),
        profile: text("profile"),
        stdin: std::fs::read(r.join("stdin")).unwrap(),
    })
}

/// Runs with `stdin` written to the child, killing it after `PROCESS_LIMIT`.
fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + PROCESS_LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} was still running after {PROCESS_LIMIT:?} (a passthrough loop?)");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    writer.join().unwrap();
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn canonical_bin() -> PathBuf {
    Path::new(BIN).canonicalize().unwrap()
}

fn shims_list(recorded: &str) -> Vec<PathBuf> {
    std::env::split_paths(recorded).collect()
}

#[test]
fn argv_env_stdin_and_exit_code_arrive_intact() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let real = s.stand_in("real", STAND_IN_RC);
    let args = [
        "s3",
        "cp",
        "--region",
        "eu-west-1",
        "a b",
        "",
        "ünïcödé",
        "*",
        "$HOME",
        "-",
        "--",
        "new\nline",
        "--profile=x",
    ];
    let stdin = b"line one\n\x00binary\xff\nno newline at the end";
    let out = run(
        s.command(&shim.join("aws"), &[&shim, &real])
            .args(args)
            .env("PT_MARKER", MARKER)
            .env("AWS_PROFILE", "dev"),
        stdin,
    );
    assert_eq!(
        out.status.code(),
        Some(STAND_IN_RC),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "stand-in stdout\n");
    assert_eq!(text(&out.stderr), "stand-in stderr\n");
    let r = record(&real).expect("the stand-in ran");
    assert_eq!(r.argv, args);
    assert_eq!(r.marker, MARKER);
    assert_eq!(r.profile, "dev");
    assert_eq!(r.stdin, stdin);
    // The shim marked itself, so no other copy hands the command back to it.
    assert_eq!(shims_list(&r.shims), [canonical_bin()]);
}

/// Commands the binary does not implement go to the real CLI even when they look close to
/// ours (`eks get-token`, `sso login`, `sso logout`); ours never do.
#[test]
fn only_our_commands_are_answered_here() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let real = s.stand_in("real", STAND_IN_RC);
    let passed = [
        vec!["eks", "update-kubeconfig", "help"],
        vec!["eks", "describe-cluster", "--name", "c"],
        vec!["eks", "get-token", "help"],
        vec!["sts", "get-caller-identity", "help"],
        vec!["sts", "assume-role", "--role-arn", "r"],
        vec!["sso", "list-accounts", "--access-token", "t"],
        vec!["sso", "get-role-credentials", "--role-name", "r"],
        vec!["sso", "login", "help"],
        vec!["sso", "logout", "help"],
        vec!["sso"],
        vec!["help"],
        vec!["--version"],
        vec![],
    ];
    for args in passed {
        let _ = std::fs::remove_file(real.join("record/argv"));
        let out = run(
            s.command(&shim.join("aws"), &[&shim, &real]).args(&args),
            b"",
        );
        assert_eq!(out.status.code(), Some(STAND_IN_RC), "{args:?}");
        assert_eq!(record(&real).expect("the stand-in ran").argv, args);
    }

    let _ = std::fs::remove_file(real.join("record/argv"));
    let out = run(
        s.command(&shim.join("aws"), &[&shim, &real])
            .args([
                "--region",
                "us-west-2",
                "eks",
                "get-token",
                "--cluster-name",
                "c",
                "--output",
                "json",
            ])
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret"),
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"kind\": \"ExecCredential\""));
    assert!(record(&real).is_none(), "get-token was passed through");

    // sts get-caller-identity is ours too (here: no credentials, the CLI's error).
    let out = run(
        s.command(&shim.join("aws"), &[&shim, &real]).args([
            "sts",
            "get-caller-identity",
            "--region",
            "us-west-2",
        ]),
        b"",
    );
    assert_eq!(out.status.code(), Some(253), "{}", text(&out.stderr));
    assert!(
        record(&real).is_none(),
        "get-caller-identity was passed through"
    );

    // `sso login` and `sso logout` are answered here (with nothing configured or cached).
    let out = run(
        s.command(&shim.join("aws"), &[&shim, &real])
            .args(["sso", "login", "--profile", "p"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(255), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "\naws: [ERROR]: The config profile (p) could not be found\n"
    );
    let out = run(
        s.command(&shim.join("aws"), &[&shim, &real])
            .args(["sso", "logout"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        record(&real).is_none(),
        "sso login or logout was passed through"
    );
}

/// With no real CLI anywhere, an unknown service is answered as the AWS CLI answers a
/// service it does not know.
#[test]
fn without_a_real_cli_other_commands_fail_like_the_cli() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let out = run(
        s.command(&shim.join("aws"), &[&shim]).args(["s3", "ls"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(252));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr), INVALID_S3);
}

#[test]
fn our_version_is_ours() {
    let s = Sandbox::new();
    let real = s.stand_in("real", STAND_IN_RC);
    let expected = format!("aws-eks-token/{}", env!("CARGO_PKG_VERSION"));
    // Under its own name, even with a real CLI on PATH.
    for path in [vec![real.as_path()], vec![]] {
        let out = run(s.command(Path::new(BIN), &path).arg("--version"), b"");
        assert_eq!(out.status.code(), Some(0));
        let stdout = text(&out.stdout);
        assert!(stdout.starts_with(&expected), "{stdout}");
        assert!(!stdout.starts_with("aws-cli"), "{stdout}");
        assert!(record(&real).is_none(), "the real CLI answered --version");
    }
    // As `aws` with no real CLI: still ours, not a made-up aws-cli version line.
    let shim = s.shim("shim");
    let out = run(s.command(&shim.join("aws"), &[&shim]).arg("--version"), b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).starts_with(&expected),
        "{}",
        text(&out.stdout)
    );
}

/// Two copies of the shim on PATH: the first passes to the second, which skips the first
/// (AWS_EKS_TOKEN_SHIMS) and reaches the real CLI, or answers itself when there is none.
#[test]
fn two_shims_on_path_do_not_loop() {
    let s = Sandbox::new();
    let first = s.shim("first");
    let second = s.shim_copy("second");
    let real = s.stand_in("real", STAND_IN_RC);
    let second_bin = second.join("aws").canonicalize().unwrap();

    let out = run(
        s.command(&first.join("aws"), &[&first, &second, &first, &real])
            .args(["s3", "ls"]),
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(STAND_IN_RC),
        "{}",
        text(&out.stderr)
    );
    let r = record(&real).expect("the stand-in ran");
    assert_eq!(r.argv, ["s3", "ls"]);
    assert_eq!(shims_list(&r.shims), [canonical_bin(), second_bin]);

    // No real CLI: the chain ends at the last shim, which answers.
    let out = run(
        s.command(&first.join("aws"), &[&first, &second, &first, &second])
            .args(["s3", "ls"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(252));
    assert_eq!(text(&out.stderr), INVALID_S3);
}

/// AWS_EKS_TOKEN_REAL_AWS names the real CLI, wherever it is and whatever PATH says.
#[test]
fn explicit_real_aws_is_used() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let chosen = s.stand_in("chosen", STAND_IN_RC);
    let on_path = s.stand_in("on-path", 43);
    let out = run(
        s.command(&shim.join("aws"), &[&shim, &on_path])
            .env("AWS_EKS_TOKEN_REAL_AWS", chosen.join("aws"))
            .args(["sts", "get-session-token"]),
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(STAND_IN_RC),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        record(&chosen).expect("the chosen CLI ran").argv,
        ["sts", "get-session-token"]
    );
    assert!(record(&on_path).is_none());
}

/// AWS_EKS_TOKEN_REAL_AWS= (empty) turns the passthrough off.
#[test]
fn empty_real_aws_disables_passthrough() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let real = s.stand_in("real", STAND_IN_RC);
    let out = run(
        s.command(&shim.join("aws"), &[&shim, &real])
            .env("AWS_EKS_TOKEN_REAL_AWS", "")
            .args(["s3", "ls"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(252));
    assert_eq!(text(&out.stderr), INVALID_S3);
    assert!(record(&real).is_none(), "the real CLI ran");
}

/// A real CLI that cannot be started is reported, not silently replaced.
#[test]
fn a_real_aws_that_cannot_run_is_an_error() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let missing = s.path("nowhere/aws");
    let out = run(
        s.command(&shim.join("aws"), &[&shim])
            .env("AWS_EKS_TOKEN_REAL_AWS", &missing)
            .args(["s3", "ls"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(255));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "could not run the AWS CLI at {}",
            missing.display()
        )),
        "{stderr}"
    );
}

/// Issue 16, finding 7: `AWS_EKS_TOKEN_REAL_AWS` naming this binary — by its path, a
/// symlink to it, a hard link to it, or a relative path to it — fails at once with a
/// clear message, instead of the binary exec'ing itself until the argument list is too
/// long.
#[test]
fn a_real_aws_that_is_this_program_fails_at_once() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let real = s.stand_in("real", STAND_IN_RC);
    std::fs::create_dir_all(s.path("hard")).unwrap();
    let hard = s.path("hard/aws");
    if std::fs::hard_link(canonical_bin(), &hard).is_err() {
        // Another file system: a symlink still names the same file.
        std::os::unix::fs::symlink(canonical_bin(), &hard).unwrap();
    }
    for (value, shown) in [
        (canonical_bin(), canonical_bin()),
        (shim.join("aws"), shim.join("aws")),
        (hard.clone(), hard.clone()),
        (PathBuf::from("shim/aws"), s.path("shim/aws")),
    ] {
        let out = run(
            s.command(&shim.join("aws"), &[&shim, &real])
                .env("AWS_EKS_TOKEN_REAL_AWS", &value)
                .current_dir(s.dir.path())
                .args(["s3", "ls"]),
            b"",
        );
        assert_eq!(out.status.code(), Some(255), "{value:?}");
        assert_eq!(
            text(&out.stderr),
            format!(
                "aws-eks-token: AWS_EKS_TOKEN_REAL_AWS={} is this program ({}), not the AWS CLI\n",
                value.display(),
                shown.display()
            )
        );
        assert!(record(&real).is_none(), "{value:?}: the stand-in ran");
    }
    // `aws-eks-token --version` is ours whatever the variable says.
    let out = run(
        s.command(Path::new(BIN), &[&shim, &real])
            .env("AWS_EKS_TOKEN_REAL_AWS", BIN)
            .arg("--version"),
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// Finding 7: `AWS_EKS_TOKEN_REAL_AWS=aws` (a bare name) is looked up on PATH, past this
/// program, and run by its absolute path; a name that is only this program is an error.
#[test]
fn a_bare_real_aws_name_is_looked_up_past_this_program() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let real = s.stand_in("real", STAND_IN_RC);
    let out = run(
        s.command(&shim.join("aws"), &[&shim, &real])
            .env("AWS_EKS_TOKEN_REAL_AWS", "aws")
            .args(["s3", "ls"]),
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(STAND_IN_RC),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(record(&real).expect("the stand-in ran").argv, ["s3", "ls"]);

    let out = run(
        s.command(&shim.join("aws"), &[&shim])
            .env("AWS_EKS_TOKEN_REAL_AWS", "aws")
            .args(["s3", "ls"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(
        text(&out.stderr),
        "aws-eks-token: AWS_EKS_TOKEN_REAL_AWS=aws: not found on PATH (other than this program)\n"
    );
}

/// Finding 7: an empty PATH entry is the working directory (as for execvp): an `aws`
/// there is run by its absolute path, not by a name the exec would look up on PATH
/// again (which found the shim first, forever).
#[test]
fn an_empty_path_entry_runs_the_aws_in_the_working_directory_once() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let here = s.stand_in("here", STAND_IN_RC);
    let path = format!("{}:", shim.display());
    let out = run(
        s.command(&shim.join("aws"), &[])
            .env("PATH", path)
            .current_dir(&here)
            .args(["s3", "ls"]),
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(STAND_IN_RC),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(record(&here).expect("the stand-in ran").argv, ["s3", "ls"]);
    // The same with the working directory's `aws` being this program: no real CLI.
    let out = run(
        s.command(&shim.join("aws"), &[])
            .env("PATH", format!(":{}", shim.display()))
            .current_dir(&shim)
            .args(["s3", "ls"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(252));
    assert_eq!(text(&out.stderr), INVALID_S3);
}

/// The interactive prompter (`--cli-auto-prompt`, `AWS_CLI_AUTO_PROMPT=on`) is the real
/// CLI's, even for our commands; `--no-cli-auto-prompt` keeps them here.
#[test]
fn auto_prompt_goes_to_the_real_cli() {
    let s = Sandbox::new();
    let shim = s.shim("shim");
    let real = s.stand_in("real", STAND_IN_RC);
    let get_token = ["eks", "get-token", "--cluster-name", "c"];
    let cases: [(&[&str], Option<&str>, bool); 5] = [
        (&["--cli-auto-prompt"], None, true),
        (&[], Some("on"), true),
        (&[], Some("On-Partial"), true),
        (&["--no-cli-auto-prompt"], Some("on"), false),
        (&[], Some("off"), false),
    ];
    for (flags, mode, passed) in cases {
        let _ = std::fs::remove_file(real.join("record/argv"));
        let mut cmd = s.command(&shim.join("aws"), &[&shim, &real]);
        cmd.args(flags)
            .args(get_token)
            .args(["--region", "us-west-2"])
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret");
        if let Some(m) = mode {
            cmd.env("AWS_CLI_AUTO_PROMPT", m);
        }
        let out = run(&mut cmd, b"");
        let expected = if passed { STAND_IN_RC } else { 0 };
        assert_eq!(out.status.code(), Some(expected), "{flags:?} {mode:?}");
        assert_eq!(record(&real).is_some(), passed, "{flags:?} {mode:?}");
    }
}
