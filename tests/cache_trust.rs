//! What we accept on disk (issue 16, findings 1, 5, 8 and 9; SECURITY.md "Trust model"):
//! a cache directory others can write to is not used, entries are followed only through
//! the user's own symlinks and locks never, nothing is read from a FIFO, our cache is never relative to the
//! working directory, a process never waits on a lock it holds, and temporary files that
//! killed writes left behind are removed. All servers on 127.0.0.1.
#![cfg(unix)]

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::*;

/// Longer than any of these calls takes, shorter than the 30 s a process used to wait on
/// a lock: a run that waits on a lock it cannot get is killed and fails the test.
const LIMIT: Duration = Duration::from_secs(20);

fn set_mode(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

fn role_arn_args() -> Vec<&'static str> {
    let mut args = argv("eks get-token --cluster-name a --region us-west-2 --role-arn");
    args.push(ROLE);
    args
}

/// `--role-arn` with the example keys against `sts`, our cache under `xdg`.
fn role_arn_call(home: &Path, sts: &Server, xdg: &Path, extra: &[(&str, &str)]) -> Outcome {
    let url = sts.url();
    let mut env = STATIC_KEYS.to_vec();
    env.push(("AWS_ENDPOINT_URL_STS", url.as_str()));
    let xdg = xdg.to_str().unwrap();
    env.push(("XDG_CACHE_HOME", xdg));
    env.extend_from_slice(extra);
    run(home, &role_arn_args(), &env, LIMIT)
}

/// The one file in `dir` (a cache or lock directory after one call).
fn only_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

fn fresh_entry(key_id: &str) -> String {
    format!(
        r#"{{"Credentials": {{"AccessKeyId": "{key_id}", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00+00:00"}}}}"#
    )
}

/// A warm `--role-arn` cache under `xdg`: (its entry, its lock file).
fn warm(home: &Path, sts: &Server, xdg: &Path) -> (PathBuf, PathBuf) {
    let out = role_arn_call(home, sts, xdg, &[]);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    let base = xdg.join("aws-eks-token");
    (
        only_file(&base.join("role-arn")),
        only_file(&base.join("locks")),
    )
}

/// Finding 1: `XDG_CACHE_HOME` in a shared directory where our directories are
/// writable by others (as if another user had made them): an entry planted there is not
/// used as our credentials, and nothing of ours is written there.
#[test]
fn a_cache_directory_others_can_write_is_not_used() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    let shared = home.path().join("shared");
    let (entry, _) = warm(home.path(), &sts, &shared);
    for dir in [
        "",
        "aws-eks-token",
        "aws-eks-token/role-arn",
        "aws-eks-token/locks",
    ] {
        set_mode(
            &shared.join(dir),
            if dir.is_empty() { 0o1777 } else { 0o777 },
        );
    }
    std::fs::write(&entry, fresh_entry("ASIAMALLORY")).unwrap();
    let out = role_arn_call(home.path(), &sts, &shared, &[]);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    let url = token_url(&out.stdout);
    assert!(url.contains("X-Amz-Credential=ASIAGOOD%2F"), "{url}");
    assert_eq!(sts.requests().len(), 2, "the planted entry was not used");
    assert!(std::fs::read_to_string(&entry)
        .unwrap()
        .contains("ASIAMALLORY"));
}

/// Finding 1, with the rule for every file we write (a symlink stays a symlink): the
/// user's own symlink at a cache key is followed as the CLI follows it (the file it leads
/// to is read, and replaced with its mode kept), but only to a regular file: a symlink to
/// a FIFO is neither read nor written. (Another user's symlink: the root-only test.)
#[test]
fn a_symlink_at_a_cache_key_is_followed_only_to_a_regular_file_of_the_users() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    let xdg = home.path().join("xdg");
    let (entry, _) = warm(home.path(), &sts, &xdg);
    let linked = home.path().join("linked.json");
    std::fs::write(&linked, fresh_entry("ASIALINKED")).unwrap();
    set_mode(&linked, 0o640);
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(&linked, &entry).unwrap();
    let out = role_arn_call(home.path(), &sts, &xdg, &[]);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIALINKED%2F"));
    assert_eq!(sts.requests().len(), 1, "the linked entry was used");

    // Expired: the new entry goes where the symlink leads.
    let expired = fresh_entry("ASIALINKED").replace("2099-", "2000-");
    std::fs::write(&linked, expired).unwrap();
    let out = role_arn_call(home.path(), &sts, &xdg, &[]);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAGOOD%2F"));
    assert_eq!(sts.requests().len(), 2);
    let is_symlink = |p: &Path| {
        std::fs::symlink_metadata(p)
            .unwrap()
            .file_type()
            .is_symlink()
    };
    assert!(is_symlink(&entry));
    assert!(std::fs::read_to_string(&linked)
        .unwrap()
        .contains("ASIAGOOD"));
    assert_eq!(mode(&linked), 0o640);

    // A symlink to a FIFO: not read (no hang), not written through, left as it is.
    let fifo = home.path().join("fifo");
    mkfifo(&fifo);
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(&fifo, &entry).unwrap();
    let out = role_arn_call(home.path(), &sts, &xdg, &[]);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAGOOD%2F"));
    assert_eq!(sts.requests().len(), 3);
    assert!(is_symlink(&entry));
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads the path only.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// Finding 1: a FIFO at a cache key (ours or the CLI's) does not hang the call.
#[test]
fn a_fifo_at_a_cache_key_does_not_hang_the_call() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    let xdg = home.path().join("xdg");
    let (entry, _) = warm(home.path(), &sts, &xdg);
    std::fs::remove_file(&entry).unwrap();
    mkfifo(&entry);
    let out = role_arn_call(home.path(), &sts, &xdg, &[]);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAGOOD%2F"));
    assert_eq!(sts.requests().len(), 2);
}

/// Finding 1: a dangling symlink at a lock path makes no file where it points, and a
/// lock file nobody can take in a directory others can write to stalls nothing.
#[test]
fn lock_files_are_not_followed_and_shared_ones_are_not_waited_for() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    let xdg = home.path().join("xdg");
    let (entry, lock) = warm(home.path(), &sts, &xdg);
    std::fs::remove_file(&entry).unwrap();
    std::fs::remove_file(&lock).unwrap();
    let target = home.path().join("planted-by-the-lock");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let out = role_arn_call(home.path(), &sts, &xdg, &[]);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(!target.exists());

    // Held by "someone else" (this test) in a directory others can write to.
    std::fs::remove_file(&lock).unwrap();
    std::fs::remove_file(&entry).unwrap();
    let held = std::fs::File::create(&lock).unwrap();
    held.lock().unwrap();
    set_mode(lock.parent().unwrap(), 0o777);
    let out = role_arn_call(home.path(), &sts, &xdg, &[]);
    held.unlock().unwrap();
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAGOOD%2F"));
    assert_eq!(sts.requests().len(), 3);
}

/// Finding 5: a relative home directory (or none at all) means no cache of ours, never
/// one under the working directory (`./~/.cache/...`, `./rel/.cache/...`).
#[test]
fn the_cache_is_never_relative_to_the_working_directory() {
    let cwd = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    let url = sts.url();
    let mut env = STATIC_KEYS.to_vec();
    env.extend([("AWS_ENDPOINT_URL_STS", url.as_str()), ("HOME", "rel")]);
    for _ in 0..2 {
        let out = aws_command(None, cwd.path(), &role_arn_args(), &env)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(sts.requests().len(), 2, "no cache: a call each time");
    let left: Vec<PathBuf> = std::fs::read_dir(cwd.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn chain_config(home: &Path, profiles: &str) {
    write(
        home,
        ".aws/config",
        &format!(
            "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n{profiles}"
        ),
        0o644,
    );
}

/// Finding 8: an assume-role chain whose two hops share a cache key (ar2 → role R via
/// ar → role R) takes its lock once, and does not wait on the one it holds.
#[test]
fn a_chain_never_waits_on_its_own_lock() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    chain_config(
        home.path(),
        &format!("[profile ar]\nrole_arn = {ROLE}\nsource_profile = base\n[profile ar2]\nrole_arn = {ROLE}\nsource_profile = ar\n"),
    );
    let url = sts.url();
    let env = [
        ("AWS_PROFILE", "ar2"),
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
    ];
    let out = run(
        home.path(),
        &argv("eks get-token --cluster-name a --region us-west-2 --debug"),
        &env,
        LIMIT,
    );
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert_eq!(sts.requests().len(), 2, "one AssumeRole per hop");
    let lock_lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("aws_eks_token.single_flight"))
        .map(|l| l.split(" - ").last().unwrap())
        .collect();
    assert_eq!(lock_lines.len(), 2, "{lock_lines:?}");
    assert!(lock_lines[0].ends_with(": taken"), "{lock_lines:?}");
    assert!(
        lock_lines[1].ends_with(": not taken, one is held"),
        "{lock_lines:?}"
    );
}

/// Finding 8: two chains that take the same two locks in opposite orders (p1: R1 via R2;
/// p3: R2 via R1; every role with the same MFA device, so the hops share cache keys and
/// locks). Each asks for an MFA code for its outer role while it holds that role's lock;
/// the codes are given only once both have asked, so each then needs the lock the other
/// holds. Neither may wait for it.
#[test]
fn chains_in_opposite_orders_do_not_block_each_other() {
    use std::io::{Read, Write};
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    let r1 = "arn:aws:iam::123456789012:role/one";
    let r2 = "arn:aws:iam::123456789012:role/two";
    let mfa = "arn:aws:iam::123456789012:mfa/me";
    chain_config(
        home.path(),
        &format!(
            "[profile p1]\nrole_arn = {r1}\nsource_profile = p2\nmfa_serial = {mfa}\n[profile p2]\nrole_arn = {r2}\nsource_profile = base\nmfa_serial = {mfa}\n\
             [profile p3]\nrole_arn = {r2}\nsource_profile = p4\nmfa_serial = {mfa}\n[profile p4]\nrole_arn = {r1}\nsource_profile = base\nmfa_serial = {mfa}\n"
        ),
    );
    let url = sts.url();
    let mut children: Vec<std::process::Child> = ["p1", "p3"]
        .into_iter()
        .map(|profile| {
            let env = [
                ("AWS_PROFILE", profile),
                ("AWS_ENDPOINT_URL_STS", url.as_str()),
            ];
            let mut cmd = aws_command(
                Some(home.path()),
                home.path(),
                &argv("eks get-token --cluster-name a --region us-west-2"),
                &env,
            );
            cmd.stdin(std::process::Stdio::piped());
            // SAFETY: setsid only detaches the child from the terminal (the MFA prompt
            // then goes to stderr and the code is read from stdin).
            unsafe {
                cmd.pre_exec(|| {
                    libc::setsid();
                    Ok(())
                });
            }
            cmd.spawn().unwrap()
        })
        .collect();
    // Both hold their outer lock and wait for their code.
    let prompt = format!("Enter MFA code for {mfa}: ");
    let mut stderrs = vec![];
    for child in &mut children {
        let mut err = child.stderr.take().unwrap();
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while !String::from_utf8_lossy(&seen).ends_with(&prompt) {
            assert_eq!(
                err.read(&mut byte).unwrap(),
                1,
                "{}",
                String::from_utf8_lossy(&seen)
            );
            seen.push(byte[0]);
        }
        stderrs.push(err);
    }
    for child in &mut children {
        // One code for the outer role, one for the inner.
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"123456\n654321\n")
            .unwrap();
    }
    let deadline = std::time::Instant::now() + LIMIT;
    for (mut child, mut err) in children.into_iter().zip(stderrs) {
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("a chain waited on the lock the other one holds");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = String::new();
        err.read_to_string(&mut rest).unwrap();
        assert_eq!(status.code(), Some(0), "{rest}");
    }
    assert_eq!(sts.requests().len(), 4);
}

/// Finding 9: temporary files (whole credentials, 0600) that writes killed midway left
/// in the CLI's cache are removed by a later write; a fresh one, perhaps another
/// process's write in progress, is left alone.
#[test]
fn temporary_files_of_killed_writes_are_removed() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    chain_config(
        home.path(),
        &format!("[profile eks]\nrole_arn = {ROLE}\nsource_profile = base\n"),
    );
    let key = aws_eks_token::credentials::cache::assume_role_key(
        &[("RoleArn".to_string(), ROLE.into())].into_iter().collect(),
    );
    let dir = home.path().join(".aws/cli/cache");
    std::fs::create_dir_all(&dir).unwrap();
    let stale = dir.join(format!(".{key}.json.99999.tmp"));
    let other_stale = dir.join(".0123456789abcdef.json.4242.tmp");
    let recent = dir.join(format!(".{key}.json.99998.tmp"));
    for tmp in [&stale, &other_stale, &recent] {
        std::fs::write(tmp, fresh_entry("ASIAKILLED")).unwrap();
        set_mode(tmp, 0o600);
    }
    let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
    for tmp in [&stale, &other_stale] {
        std::fs::File::options()
            .write(true)
            .open(tmp)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
    }
    let url = sts.url();
    let env = [
        ("AWS_PROFILE", "eks"),
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
    ];
    let out = run(
        home.path(),
        &argv("eks get-token --cluster-name a --region us-west-2"),
        &env,
        LIMIT,
    );
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(!stale.exists() && !other_stale.exists());
    assert!(recent.exists());
    assert!(dir.join(format!("{key}.json")).exists());
}

/// Finding 1, ownership: directories and entries owned by another user are not used,
/// even when nobody else can write to them. Needs root to give files to another user.
#[test]
#[ignore = "needs root to give files to another user (scripts/test runs it as root)"]
fn another_users_directories_and_entries_are_not_used() {
    assert_eq!(unsafe { libc::geteuid() }, 0, "run as root");
    let nobody = 65534;
    let chown = |p: &Path| {
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: lchown reads the path only.
        assert_eq!(unsafe { libc::lchown(c.as_ptr(), nobody, nobody) }, 0);
    };
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGOOD"),
    )]);
    let xdg = home.path().join("xdg");
    let (entry, _) = warm(home.path(), &sts, &xdg);
    std::fs::write(&entry, fresh_entry("ASIAMALLORY")).unwrap();
    chown(&xdg.join("aws-eks-token"));
    let out = role_arn_call(home.path(), &sts, &xdg, &[]);
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAGOOD%2F"));
    assert_eq!(sts.requests().len(), 2);

    // An entry of another user's in the CLI's cache: not read, not replaced.
    chain_config(
        home.path(),
        &format!("[profile eks]\nrole_arn = {ROLE}\nsource_profile = base\n"),
    );
    let key = aws_eks_token::credentials::cache::assume_role_key(
        &[("RoleArn".to_string(), ROLE.into())].into_iter().collect(),
    );
    let cli_entry = home.path().join(format!(".aws/cli/cache/{key}.json"));
    write(
        home.path(),
        &format!(".aws/cli/cache/{key}.json"),
        &fresh_entry("ASIAMALLORY"),
        0o600,
    );
    chown(&cli_entry);
    let url = sts.url();
    let env = [
        ("AWS_PROFILE", "eks"),
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
    ];
    let out = run(
        home.path(),
        &argv("eks get-token --cluster-name a --region us-west-2"),
        &env,
        LIMIT,
    );
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAGOOD%2F"));
    assert_eq!(sts.requests().len(), 3);
    assert_eq!(
        std::fs::read_to_string(&cli_entry).unwrap(),
        fresh_entry("ASIAMALLORY")
    );

    // Another user's symlink there, to a file of the user's: not followed.
    let victim = home.path().join("victim.json");
    std::fs::write(&victim, fresh_entry("ASIAMALLORY")).unwrap();
    std::fs::remove_file(&cli_entry).unwrap();
    std::os::unix::fs::symlink(&victim, &cli_entry).unwrap();
    chown(&cli_entry);
    let out = run(
        home.path(),
        &argv("eks get-token --cluster-name a --region us-west-2"),
        &env,
        LIMIT,
    );
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAGOOD%2F"));
    assert_eq!(sts.requests().len(), 4);
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        fresh_entry("ASIAMALLORY")
    );
}
