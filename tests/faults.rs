//! Faults a machine can throw at the binary: broken or hostile config files, a missing or
//! read-only HOME, a `credential_process` that never ends or prints 100 MB, stdout closed
//! or gone. Each gets the AWS CLI's outcome (or a clear one-line error where the CLI has
//! none), never a panic (exit 101) and never a hang.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const LIMIT: Duration = Duration::from_secs(15);
fn args() -> Vec<&'static str> {
    argv("eks get-token --cluster-name a --region us-west-2")
}

fn parse_error(path: &Path) -> String {
    format!(
        "\naws: [ERROR]: Unable to parse config file: {}\n",
        path.display()
    )
}

fn no_panic(out: &Outcome) {
    assert_ne!(out.rc, 101, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

fn assert_token(out: &Outcome) {
    no_panic(out);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("\"token\": \"k8s-aws-v1."),
        "{}",
        out.stdout
    );
}

/// Detach from the terminal; as root, also drop to `nobody` (so that file modes bind).
fn session(cmd: &mut Command, as_nobody: bool) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid, setgroups, setgid and setuid are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            libc::setsid();
            if as_nobody
                && (libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(NOBODY) != 0
                    || libc::setuid(NOBODY) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Running as root, can a child become `nobody` (not so in some user namespaces)?
fn can_drop_to_nobody() -> bool {
    if !is_root() {
        return false;
    }
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", "exit 0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    session(&mut cmd, true);
    cmd.status().is_ok_and(|s| s.success())
}

/// Wait for the child within `LIMIT` (killing its process group and failing the test
/// otherwise), collecting its output and peak memory.
fn finish(mut child: Child, limit: Duration) -> (Outcome, u64) {
    let start = Instant::now();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(o) = stdout.as_mut() {
            let _ = o.read_to_end(&mut s);
        }
        String::from_utf8_lossy(&s).into_owned()
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(e) = stderr.as_mut() {
            let _ = e.read_to_end(&mut s);
        }
        String::from_utf8_lossy(&s).into_owned()
    });
    let pid = child.id() as i32;
    let (status, max_rss_kb) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (status, usage.ru_maxrss as u64);
        }
        if start.elapsed() > limit {
            // SAFETY: the child leads its own process group (setsid).
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            panic!("aws-eks-token ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let rc = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let out = Outcome {
        rc,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
        elapsed: start.elapsed(),
    };
    (out, max_rss_kb)
}

fn run_in(home: &Path, env: &[(&str, &str)]) -> Outcome {
    let mut cmd = aws_command(Some(home), home, &args(), env);
    session(&mut cmd, false);
    finish(cmd.spawn().unwrap(), LIMIT).0
}

/// Make `path` and everything below it belong to `nobody`.
fn give_to_nobody(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::lchown(c.as_ptr(), NOBODY, NOBODY) }, 0);
    if path.is_dir() && !path.is_symlink() {
        for entry in std::fs::read_dir(path).unwrap() {
            give_to_nobody(&entry.unwrap().path());
        }
    }
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

// ---------------------------------------------------------------------------------------
// Config files

#[test]
fn config_file_with_invalid_utf8() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".aws/config");
    write(home.path(), ".aws/config", "", 0o644);
    std::fs::write(
        &path,
        b"[default]\nregion = us-west-2\n# caf\xe9 \xff\xfe\n",
    )
    .unwrap();
    let out = run_in(home.path(), &STATIC_KEYS);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, parse_error(&path).as_str())
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn credentials_file_with_invalid_utf8() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".aws/credentials");
    write(home.path(), ".aws/credentials", "", 0o600);
    std::fs::write(&path, b"[default]\naws_access_key_id = \xc3\x28\n").unwrap();
    let out = run_in(home.path(), &[]);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, parse_error(&path).as_str())
    );
}

#[test]
fn duplicate_sections() {
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        ".aws/config",
        "[profile dev]\nregion = us-west-2\n\n[default]\noutput = json\n\n[profile dev]\nregion = eu-west-1\n",
        0o644,
    );
    let out = run_in(home.path(), &STATIC_KEYS);
    let path = home.path().join(".aws/config");
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, parse_error(&path).as_str())
    );

    // The same in the credentials file (config file now fine).
    write(home.path(), ".aws/config", "[default]\n", 0o644);
    write(
        home.path(),
        ".aws/credentials",
        "[default]\naws_access_key_id = A\n[default]\naws_access_key_id = B\n",
        0o600,
    );
    let out = run_in(home.path(), &[]);
    let path = home.path().join(".aws/credentials");
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, parse_error(&path).as_str())
    );
}

/// 10 MB of junk: configparser rejects it (a line outside any section, lines that are
/// no `key = value`); 10 MB of comments and blank lines are skipped as configparser
/// skips them. Both quickly.
#[test]
fn ten_megabytes_of_junk() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".aws/config");
    let mut junk = Vec::with_capacity(10 << 20);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    while junk.len() < 10 << 20 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Printable junk with newlines, no section header first.
        let b = (state % 96) as u8;
        junk.push(if b == 95 { b'\n' } else { b' ' + b });
    }
    write(home.path(), ".aws/config", "", 0o644);
    std::fs::write(&path, &junk).unwrap();
    let out = run_in(home.path(), &STATIC_KEYS);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, parse_error(&path).as_str())
    );
    assert!(out.elapsed < Duration::from_secs(10), "{:?}", out.elapsed);

    // Junk inside a section: lines without `=` are configparser's ParsingError.
    let mut in_section = b"[default]\nregion = us-west-2\n".to_vec();
    in_section.extend(
        junk.iter()
            .map(|b| if *b == b'=' || *b == b':' { b'x' } else { *b }),
    );
    std::fs::write(&path, &in_section).unwrap();
    let out = run_in(home.path(), &STATIC_KEYS);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, parse_error(&path).as_str())
    );

    // 10 MB of comments and blank lines around a valid profile: read, and used.
    let mut comments = String::with_capacity(10 << 20);
    comments.push_str("[profile big]\n");
    while comments.len() < 5 << 20 {
        comments.push_str("# a comment line that configparser skips\n; another one\n\n");
    }
    comments.push_str("region = eu-west-1\n");
    while comments.len() < 10 << 20 {
        comments.push_str("# trailing comments\n");
    }
    std::fs::write(&path, comments).unwrap();
    let mut env = STATIC_KEYS.to_vec();
    env.push(("AWS_PROFILE", "big"));
    let mut cmd = aws_command(
        Some(home.path()),
        home.path(),
        &["eks", "get-token", "--cluster-name", "a"],
        &env,
    );
    session(&mut cmd, false);
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_token(&out);
    assert!(token_url(&out.stdout).starts_with("https://sts.eu-west-1.amazonaws.com/"));
    assert!(out.elapsed < Duration::from_secs(10), "{:?}", out.elapsed);
}

/// `AWS_CONFIG_FILE` naming a symlink loop: `os.path.isfile` is False, so the file is
/// absent (no error).
#[test]
fn config_file_in_a_symlink_loop_is_absent() {
    let home = tempfile::tempdir().unwrap();
    let (a, b) = (home.path().join("loop-a"), home.path().join("loop-b"));
    std::os::unix::fs::symlink(&a, &b).unwrap();
    std::os::unix::fs::symlink(&b, &a).unwrap();
    let a = a.display().to_string();
    let mut env = STATIC_KEYS.to_vec();
    env.extend([
        ("AWS_CONFIG_FILE", a.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", a.as_str()),
    ]);
    assert_token(&run_in(home.path(), &env));
    // Absent indeed: a profile it would name is not found.
    env.push(("AWS_PROFILE", "dev"));
    let out = run_in(home.path(), &env);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (
            255,
            "\naws: [ERROR]: The config profile (dev) could not be found\n"
        )
    );
    // A directory and a FIFO are no files either.
    let fifo = home.path().join("fifo");
    let c = std::ffi::CString::new(fifo.display().to_string()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let (dir, fifo) = (
        home.path().display().to_string(),
        fifo.display().to_string(),
    );
    let mut env = STATIC_KEYS.to_vec();
    env.extend([
        ("AWS_CONFIG_FILE", dir.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", fifo.as_str()),
    ]);
    assert_token(&run_in(home.path(), &env));
}

// ---------------------------------------------------------------------------------------
// HOME

/// No HOME at all: `~` is the password database's home directory, as in Python (never
/// a directory named `~` under the working directory).
#[test]
fn missing_home() {
    let work = tempfile::tempdir().unwrap();
    write(
        work.path(),
        "config",
        "[default]\nregion = eu-west-1\n",
        0o644,
    );
    chmod(work.path(), 0o755);
    let config = work.path().join("config").display().to_string();
    let mut env = STATIC_KEYS.to_vec();
    // The user's own home might hold real files: as root run as `nobody`, whose home
    // (/nonexistent) has none; otherwise keep the user's files out of it.
    let as_nobody = can_drop_to_nobody();
    if !as_nobody {
        env.extend([
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", config.as_str()),
        ]);
    }
    env.push(("AWS_EKS_TOKEN_NO_CACHE", "1"));
    let mut cmd = aws_command(
        None,
        work.path(),
        &[
            "eks",
            "get-token",
            "--cluster-name",
            "a",
            "--region",
            "us-west-2",
        ],
        &env,
    );
    session(&mut cmd, as_nobody);
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_token(&out);
    assert_eq!(out.stderr, "");
    assert!(!work.path().join("~").exists());

    // A profile from AWS_CONFIG_FILE still works without HOME.
    let mut env = STATIC_KEYS.to_vec();
    env.extend([
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_EKS_TOKEN_NO_CACHE", "1"),
    ]);
    if !as_nobody {
        env.push(("AWS_SHARED_CREDENTIALS_FILE", config.as_str()));
    }
    let mut cmd = aws_command(
        None,
        work.path(),
        &["eks", "get-token", "--cluster-name", "a"],
        &env,
    );
    session(&mut cmd, as_nobody);
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_token(&out);
    assert!(token_url(&out.stdout).starts_with("https://sts.eu-west-1.amazonaws.com/"));
    assert!(!work.path().join("~").exists());

    // As `nobody`, whose home cannot be made: a cache write goes there (and fails as
    // the CLI's does), never to `./~/.aws/cli/cache` in a writable working directory.
    if as_nobody {
        write(
            work.path(),
            "config",
            &format!("[profile src]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n[profile eks]\nrole_arn = {ROLE}\nsource_profile = src\n"),
            0o644,
        );
        give_to_nobody(work.path());
        let sts = Server::start(vec![Reply::Respond(
            200,
            "text/xml",
            assume_role_xml("ASIAX"),
        )]);
        let url = sts.url();
        let env = [
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_PROFILE", "eks"),
            ("AWS_ENDPOINT_URL_STS", url.as_str()),
            ("AWS_EKS_TOKEN_NO_CACHE", "1"),
        ];
        let mut cmd = aws_command(None, work.path(), &args(), &env);
        session(&mut cmd, true);
        let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
        no_panic(&out);
        if out.rc != 0 {
            assert!(
                out.stderr
                    .starts_with("\naws: [ERROR]: [Errno 13] Permission denied: '/nonexistent"),
                "{}",
                out.stderr
            );
        }
        assert!(!work.path().join("~").exists());
    }
}

/// A read-only HOME (mode 0555; as root the binary runs as `nobody` so that the mode
/// binds): credentials the CLI's cache holds are used without writing anything, and an
/// assume-role call still gives a token (its cache file goes to the writable ~/.aws,
/// exactly where the CLI puts it); our own cache, which cannot be made, is skipped.
#[test]
fn read_only_home() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    write(
        h,
        ".aws/config",
        &format!("[profile src]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n[profile eks]\nrole_arn = {ROLE}\nsource_profile = src\n"),
        0o644,
    );
    // The CLI's cache entry for that role (its name: SHA-1 of {"RoleArn": ...}).
    write(
        h,
        ".aws/cli/cache/68cb027cd378aac40125a108c805a4794ec225e0.json",
        "{\"Credentials\": {\"AccessKeyId\": \"ASIACACHED\", \"SecretAccessKey\": \"cachedsecret\", \"SessionToken\": \"cachedtoken\", \"Expiration\": \"2099-01-02T04:04:05Z\"}}",
        0o600,
    );
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAFRESH"),
    )]);
    let url = sts.url();
    let env = [
        ("AWS_PROFILE", "eks"),
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
    ];
    if is_root() && !can_drop_to_nobody() {
        eprintln!("skipped: root cannot become nobody here, and file modes do not bind root");
        return;
    }
    let root = is_root();
    if root {
        give_to_nobody(h);
    }
    chmod(h, 0o555);
    let run_it = || {
        let mut cmd = aws_command(Some(h), h, &args(), &env);
        session(&mut cmd, root);
        finish(cmd.spawn().unwrap(), LIMIT).0
    };

    let out = run_it();
    assert_token(&out);
    assert_eq!(out.stderr, "");
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIACACHED%2F"));
    assert!(
        sts.requests().is_empty(),
        "the cached credentials were used"
    );
    assert!(
        !h.join(".cache").exists(),
        "nothing was created in the read-only HOME"
    );

    // Without the cache entry: AssumeRole, and the CLI's cache file written again.
    std::fs::remove_file(h.join(".aws/cli/cache/68cb027cd378aac40125a108c805a4794ec225e0.json"))
        .unwrap();
    let out = run_it();
    assert_token(&out);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAFRESH%2F"));
    assert_eq!(sts.requests().len(), 1);
    assert!(h
        .join(".aws/cli/cache/68cb027cd378aac40125a108c805a4794ec225e0.json")
        .is_file());
    chmod(h, 0o755);
}

// ---------------------------------------------------------------------------------------
// credential_process

fn process_profile(home: &Path, script: &str) {
    write(home, "proc.sh", script, 0o755);
    let path = home.join("proc.sh").display().to_string();
    write(
        home,
        ".aws/config",
        &format!("[default]\ncredential_process = {path}\n"),
        0o644,
    );
}

/// The CLI waits for its credential process as long as it runs (`communicate()` without
/// a timeout); so do we: after 2 s it is still waiting, and ends when killed.
#[test]
fn a_credential_process_that_never_exits_is_waited_for() {
    let home = tempfile::tempdir().unwrap();
    process_profile(home.path(), "#!/bin/sh\nexec sleep 600\n");
    let mut cmd = aws_command(Some(home.path()), home.path(), &args(), &[]);
    session(&mut cmd, false);
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still waiting for the process"
    );
    // SAFETY: the child leads its own process group (setsid), which the credential
    // process shares: both end here.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGTERM) };
    let (out, _) = finish(child, LIMIT);
    no_panic(&out);
    assert_eq!(out.stdout, "");
}

/// 100 MB on stdout: read whole, as the CLI reads it, then refused with Python's JSON
/// error; memory stays near the output's size.
#[test]
fn a_credential_process_printing_100_megabytes() {
    let home = tempfile::tempdir().unwrap();
    process_profile(home.path(), "#!/bin/sh\nyes | head -c 100000000\n");
    let mut cmd = aws_command(Some(home.path()), home.path(), &args(), &[]);
    session(&mut cmd, false);
    let (out, max_rss_kb) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (
            255,
            "\naws: [ERROR]: Expecting value: line 1 column 1 (char 0)\n"
        )
    );
    assert!(max_rss_kb < 400 * 1024, "peak RSS {max_rss_kb} kB");

    // 100 MB of whitespace around a JSON object without a version.
    process_profile(
        home.path(),
        "#!/bin/sh\nhead -c 100000000 /dev/zero | tr '\\0' ' '\necho '{\"AccessKeyId\": \"A\"}'\n",
    );
    let mut cmd = aws_command(Some(home.path()), home.path(), &args(), &[]);
    session(&mut cmd, false);
    let (out, max_rss_kb) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, "\naws: [ERROR]: Error when retrieving credentials from custom-process: Unsupported version '<Version key not provided>' for credential process provider, supported versions: 1\n")
    );
    assert!(max_rss_kb < 400 * 1024, "peak RSS {max_rss_kb} kB");

    // A valid answer followed by 100 MB: Python's "Extra data" at the right offset.
    process_profile(
        home.path(),
        "#!/bin/sh\nprintf '{\"Version\": 1}'\nhead -c 100000000 /dev/zero | tr '\\0' 'x'\n",
    );
    let mut cmd = aws_command(Some(home.path()), home.path(), &args(), &[]);
    session(&mut cmd, false);
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (
            255,
            "\naws: [ERROR]: Extra data: line 1 column 15 (char 14)\n"
        )
    );
}

// ---------------------------------------------------------------------------------------
// stdout and stderr

fn env_keys_command(home: &Path) -> Command {
    let mut cmd = aws_command(Some(home), home, &args(), &STATIC_KEYS);
    session(&mut cmd, false);
    cmd
}

/// `aws-eks-token … | head -c1`: the reader takes one byte and goes. The token is small
/// enough for the pipe, so this normally ends 0; if the reader is gone first it is the
/// CLI's broken-pipe outcome. Never a panic.
#[test]
fn stdout_read_by_head_c1() {
    let home = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_aws-eks-token");
    let script = "set -o pipefail; \"$0\" \"$@\" | head -c1; echo \" rc=${PIPESTATUS[0]}\" >&2";
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .arg(bin)
        .args(args())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(STATIC_KEYS)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    session(&mut cmd, false);
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_eq!(out.stdout, "{");
    assert!(
        out.stderr == " rc=0\n" || out.stderr == format!("{BROKEN_PIPE} rc=120\n"),
        "{:?}",
        out.stderr
    );
}

const BROKEN_PIPE: &str = "\naws: [ERROR]: [Errno 32] Broken pipe\nException ignored on flushing sys.stdout:\nBrokenPipeError: [Errno 32] Broken pipe\n";

/// The reader closed before anything was written (`| true`): Python's outcome — the
/// error, the second failure at exit, status 120.
#[test]
fn stdout_reader_gone() {
    let home = tempfile::tempdir().unwrap();
    let mut fds = [0; 2];
    // SAFETY: pipe fills the two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors are ours; the read end is closed at once.
    let write_end = unsafe {
        libc::close(fds[0]);
        <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fds[1])
    };
    let mut cmd = env_keys_command(home.path());
    cmd.stdout(Stdio::from(write_end));
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    drop(cmd);
    assert_eq!((out.rc, out.stderr.as_str()), (120, BROKEN_PIPE));
}

/// `>&-`: the CLI's Python has no sys.stdout and fails when it writes the result
/// (`'NoneType' object has no attribute 'flush'`, rc 255). Errors before that win.
#[test]
fn stdout_closed() {
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().unwrap();
    let close_stdout = |cmd: &mut Command| {
        // SAFETY: close is async-signal-safe; fd 1 is the child's own copy.
        unsafe {
            cmd.pre_exec(|| {
                libc::close(1);
                Ok(())
            });
        }
    };
    let mut cmd = env_keys_command(home.path());
    close_stdout(&mut cmd);
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (
            255,
            "\naws: [ERROR]: 'NoneType' object has no attribute 'flush'\n"
        )
    );
    // No credentials: that error comes first.
    let mut cmd = aws_command(Some(home.path()), home.path(), &args(), &[]);
    session(&mut cmd, false);
    close_stdout(&mut cmd);
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_eq!(out.rc, 253, "{}", out.stderr);
    // Redirected to /dev/null is no closed stdout.
    let mut cmd = env_keys_command(home.path());
    cmd.stdout(Stdio::null());
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
}

/// `2>&-`: nothing to say, and the token still comes.
#[test]
fn stderr_closed() {
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = env_keys_command(home.path());
    cmd.arg("--debug");
    // SAFETY: close is async-signal-safe; fd 2 is the child's own copy.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(2);
            Ok(())
        });
    }
    let (out, _) = finish(cmd.spawn().unwrap(), LIMIT);
    assert_token(&out);
}
