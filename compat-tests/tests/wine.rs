//! The Windows build under Wine: where the home directory comes from, the AWS CLI's cache
//! under `%USERPROFILE%`, single flight with `LockFileEx`, `credential_process` split by
//! Windows rules, and the passthrough without `exec`. Ignored by plain `cargo test`:
//! scripts/wine-test runs them (`--ignored`, in a network namespace, under the golden
//! cases' frozen clock) with
//! - `AWS_EKS_TOKEN_WINE_BIN`: the Windows build (with the test-only
//!   bcryptprimitives.dll next to it),
//! - `AWS_EKS_TOKEN_WINE`: the words that run a Windows program (`wine64 winenv.exe`; the
//!   launcher gives it `WINENV_<NAME>` variables, which Wine would otherwise replace),
//! - `FAKETIME_LIB`: libfaketime.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use base64::Engine as _;
use compat_tests::case::{ResponseSpec, ServerSpec};
use compat_tests::server::FakeServer;

const WHY: &str = "needs Wine and the Windows build: scripts/wine-test runs it";
const STS_PORT: u16 = 28761;
const DEV_KEY: &str = "AKIDDEVWINDOWS";
const ASSUMED_KEY: &str = "ASIAASSUMEDWIN";

/// A Windows program run by Wine with a home directory of its own.
struct Windows {
    wrapper: Vec<String>,
    exe: PathBuf,
    home: tempfile::TempDir,
}

impl Windows {
    fn new() -> Windows {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set ({WHY})"))
        };
        Windows {
            wrapper: var("AWS_EKS_TOKEN_WINE")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            exe: PathBuf::from(var("AWS_EKS_TOKEN_WINE_BIN")),
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    /// The home directory as Windows programs see it under Wine.
    fn win_home(&self) -> String {
        win_path(self.home())
    }

    /// `exe` with `vars` (`None` removes a variable): `%USERPROFILE%` and `%LOCALAPPDATA%`
    /// in the home directory unless `vars` says otherwise.
    fn command(&self, exe: &Path, args: &[&str], vars: &[(&str, Option<&str>)]) -> Command {
        let mut cmd = Command::new(&self.wrapper[0]);
        cmd.args(&self.wrapper[1..])
            .arg(exe)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("LD_PRELOAD", std::env::var("FAKETIME_LIB").expect(WHY))
            .env("FAKETIME", "2024-01-02 03:04:05")
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
            .envs(std::env::vars().filter(|(k, _)| k.starts_with("WINE")))
            .current_dir(self.home())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut all: Vec<(String, Option<String>)> = vec![
            ("USERPROFILE".into(), Some(self.win_home())),
            (
                "LOCALAPPDATA".into(),
                Some(format!(r"{}\AppData\Local", self.win_home())),
            ),
            ("AWS_EC2_METADATA_DISABLED".into(), Some("true".into())),
            ("AWS_EKS_TOKEN_REAL_AWS".into(), Some(String::new())),
        ];
        all.extend(
            vars.iter()
                .map(|(k, v)| (k.to_string(), v.map(String::from))),
        );
        let mut unset = Vec::new();
        let mut set = std::collections::BTreeMap::new();
        for (k, v) in all {
            match v {
                Some(v) => {
                    unset.retain(|u| u != &k);
                    set.insert(k, v);
                }
                None => {
                    set.remove(&k);
                    unset.push(k);
                }
            }
        }
        for (k, v) in set {
            cmd.env(format!("WINENV_{k}"), v);
        }
        cmd.env("WINENV_UNSET", unset.join(";"));
        cmd
    }

    fn run(&self, args: &[&str], vars: &[(&str, Option<&str>)]) -> Output {
        self.command(&self.exe, args, vars).output().unwrap()
    }

    fn write(&self, rel: &str, content: &str) {
        let path = self.home().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Files below the home directory, `/`-separated, sorted.
    fn files_under(&self, rel: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![self.home().join(rel)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(self.home()).unwrap();
                    found.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        found.sort();
        found
    }
}

fn win_path(p: &Path) -> String {
    format!("Z:{}", p.display().to_string().replace('/', "\\"))
}

/// The presigned URL inside the ExecCredential's token.
fn presigned_url(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let start = stdout.find("k8s-aws-v1.").expect("a token") + "k8s-aws-v1.".len();
    let end = start + stdout[start..].find('"').unwrap();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&stdout[start..end])
        .unwrap();
    String::from_utf8(url).unwrap()
}

fn sts(delay: Duration) -> FakeServer {
    let body = format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
         <Credentials><AccessKeyId>{ASSUMED_KEY}</AccessKeyId><SecretAccessKey>assumedsecret</SecretAccessKey>\
         <SessionToken>assumedtoken</SessionToken><Expiration>2024-01-02T04:04:05Z</Expiration></Credentials>\
         <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/admin/s</Arn><AssumedRoleId>AROAID:s</AssumedRoleId></AssumedRoleUser>\
         </AssumeRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleResponse>"
    );
    FakeServer::start(&ServerSpec {
        kind: "sts".into(),
        port: STS_PORT,
        responses: vec![ResponseSpec {
            conditions: [("Action".to_string(), "AssumeRole".into())]
                .into_iter()
                .collect(),
            status: 200,
            content_type: Some("text/xml".into()),
            headers: Vec::new(),
            body: body.into_bytes(),
            delay,
        }],
    })
    .unwrap()
}

const STS_URL: &str = "http://127.0.0.1:28761";
const GET_TOKEN: [&str; 4] = ["eks", "get-token", "--cluster-name", "win"];

#[test]
#[ignore = "needs Wine and the Windows build: scripts/wine-test runs it"]
fn home_is_the_user_profile_as_in_pythons_ntpath() {
    let w = Windows::new();
    w.write(
        ".aws/credentials",
        &format!("[dev]\naws_access_key_id = {DEV_KEY}\naws_secret_access_key = s\n"),
    );
    w.write(".aws/config", "[profile dev]\nregion = eu-west-1\n");
    w.write(".aws/other", "[profile dev]\nregion = ap-south-1\n");
    let signed_by_dev = |out: &Output, region: &str| {
        let url = presigned_url(out);
        let scope = format!("X-Amz-Credential={DEV_KEY}%2F20240102%2F{region}%2Fsts");
        assert!(url.contains(&scope), "{url}");
    };
    let profile = ["--profile", "dev"];
    let args: Vec<&str> = profile.iter().chain(&GET_TOKEN).copied().collect();

    // %USERPROFILE%\.aws\credentials and ~/.aws/config; Python's `\r\n` line ends.
    let out = w.run(&args, &[]);
    signed_by_dev(&out, "eu-west-1");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("{\r\n    \"kind\": \"ExecCredential\",\r\n"),
        "{stdout:?}"
    );
    assert!(
        stdout.ends_with("}\r\n\r\n") && !stdout.contains("\r\r"),
        "{stdout:?}"
    );

    // No %USERPROFILE%: %HOMEDRIVE%%HOMEPATH%.
    let home_path = w.win_home()[2..].to_string();
    let drive_path = [
        ("USERPROFILE", None),
        ("HOMEDRIVE", Some("Z:")),
        ("HOMEPATH", Some(home_path.as_str())),
    ];
    signed_by_dev(&w.run(&args, &drive_path), "eu-west-1");

    // `~\` and %VAR% in the file settings (ntpath's expanduser and expandvars).
    let other = [
        ("AWS_CONFIG_FILE", Some(r"%USERPROFILE%\.aws\other")),
        ("AWS_SHARED_CREDENTIALS_FILE", Some(r"~\.aws\credentials")),
    ];
    signed_by_dev(&w.run(&args, &other), "ap-south-1");

    // HOME means nothing on Windows: without a profile directory there is no `~`.
    let unix_home = w.home().display().to_string();
    let only_home = [
        ("USERPROFILE", None),
        ("HOMEDRIVE", None),
        ("HOMEPATH", None),
        ("HOME", Some(unix_home.as_str())),
    ];
    let out = w.run(&args, &only_home);
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "\r\naws: [ERROR]: The config profile (dev) could not be found\r\n"
    );
    // Our cache needs %LOCALAPPDATA%: none was made anywhere in the home directory.
    assert!(!w.home().join(".cache").exists());
}

#[test]
#[ignore = "needs Wine and the Windows build: scripts/wine-test runs it"]
fn credential_process_is_split_by_windows_rules() {
    let w = Windows::new();
    let helper = "@echo {\"Version\": 1, \"AccessKeyId\": \"%1\", \"SecretAccessKey\": \"s\"}\r\n";
    w.write("helpers/creds.cmd", helper);
    w.write("helper dir/creds.cmd", helper);
    // As Windows users write them: backslashes unquoted (POSIX shlex would take them as
    // escapes and drop them), and a quoted path with a space.
    let plain = win_path(&w.home().join("helpers/creds.cmd"));
    let spaced = win_path(&w.home().join("helper dir/creds.cmd"));
    w.write(
        ".aws/config",
        &format!(
            "[profile plain]\nregion = us-west-2\ncredential_process = {plain} {DEV_KEY}\n\
             [profile spaced]\nregion = us-west-2\ncredential_process = \"{spaced}\" {DEV_KEY}\n"
        ),
    );
    for profile in ["plain", "spaced"] {
        let args: Vec<&str> = ["--profile", profile]
            .iter()
            .chain(&GET_TOKEN)
            .copied()
            .collect();
        let url = presigned_url(&w.run(&args, &[]));
        assert!(
            url.contains(&format!("X-Amz-Credential={DEV_KEY}%2F")),
            "{url}"
        );
    }
}

#[test]
#[ignore = "needs Wine and the Windows build: scripts/wine-test runs it"]
fn assume_role_profile_shares_the_cli_cache_under_the_user_profile() {
    let w = Windows::new();
    w.write(
        ".aws/config",
        &format!(
            "[profile dev]\naws_access_key_id = {DEV_KEY}\naws_secret_access_key = s\n\
             [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n\
             source_profile = dev\nregion = us-west-2\n"
        ),
    );
    let server = sts(Duration::ZERO);
    let env = [
        ("AWS_PROFILE", Some("admin")),
        ("AWS_ENDPOINT_URL_STS", Some(STS_URL)),
    ];
    for _ in 0..2 {
        let url = presigned_url(&w.run(&GET_TOKEN, &env));
        assert!(
            url.contains(&format!("X-Amz-Credential={ASSUMED_KEY}%2F")),
            "{url}"
        );
    }
    let requests = server.stop();
    assert_eq!(
        requests.len(),
        1,
        "the second call must use the cache: {requests:?}"
    );
    let cached = w.files_under(".aws/cli/cache");
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert!(std::fs::read_to_string(w.home().join(&cached[0]))
        .unwrap()
        .contains(ASSUMED_KEY));
}

#[test]
#[ignore = "needs Wine and the Windows build: scripts/wine-test runs it"]
fn twelve_concurrent_cold_role_arn_calls_make_one_assume_role() {
    // STS answers after 3 s, so that all twelve processes ask before any has an answer.
    let burst = |extra: &[(&str, Option<&str>)]| {
        let w = Windows::new();
        let server = sts(Duration::from_secs(3));
        let mut env = vec![
            ("AWS_ACCESS_KEY_ID", Some(DEV_KEY)),
            ("AWS_SECRET_ACCESS_KEY", Some("s")),
            ("AWS_ENDPOINT_URL_STS", Some(STS_URL)),
            ("AWS_REGION", Some("us-west-2")),
        ];
        env.extend_from_slice(extra);
        let args: Vec<&str> = GET_TOKEN
            .iter()
            .copied()
            .chain(["--role-arn", "arn:aws:iam::123456789012:role/admin"])
            .collect();
        let children: Vec<_> = (0..12)
            .map(|_| w.command(&w.exe, &args, &env).spawn().unwrap())
            .collect();
        for child in children {
            let url = presigned_url(&child.wait_with_output().unwrap());
            assert!(
                url.contains(&format!("X-Amz-Credential={ASSUMED_KEY}%2F")),
                "{url}"
            );
        }
        (
            server.stop().len(),
            w.files_under("AppData/Local/aws-eks-token"),
        )
    };
    let (calls, files) = burst(&[]);
    assert_eq!(calls, 1, "12 cold calls must share one AssumeRole");
    let role_arn: Vec<_> = files.iter().filter(|f| f.contains("/role-arn/")).collect();
    assert_eq!(role_arn.len(), 1, "{files:?}");
    assert!(files.iter().any(|f| f.contains("/locks/")), "{files:?}");
    // Without our cache and its lock each process makes its own call: the burst overlaps.
    let (calls, files) = burst(&[("AWS_EKS_TOKEN_NO_CACHE", Some("1"))]);
    assert_eq!(calls, 12);
    assert_eq!(files, Vec::<String>::new());
}

#[test]
#[ignore = "needs Wine and the Windows build: scripts/wine-test runs it"]
fn passthrough_runs_the_real_aws_cmd_and_returns_its_exit_code() {
    let w = Windows::new();
    // The shim: this build installed as aws.exe (with the test DLL Wine needs).
    let shim = w.home().join("shim");
    std::fs::create_dir_all(&shim).unwrap();
    std::fs::copy(&w.exe, shim.join("aws.exe")).unwrap();
    std::fs::copy(
        w.exe.with_file_name("bcryptprimitives.dll"),
        shim.join("bcryptprimitives.dll"),
    )
    .unwrap();
    // The real CLI as pip installs it on Windows: aws.cmd.
    w.write(
        "real/aws.cmd",
        "@echo off\r\nset /p LINE=\r\necho real aws %*, stdin %LINE%\r\nexit /b 7\r\n",
    );
    let path = |dirs: &[&str]| {
        let mut all: Vec<String> = dirs.iter().map(|d| win_path(&w.home().join(d))).collect();
        all.extend([r"C:\windows\system32".into(), r"C:\windows".into()]);
        all.join(";")
    };
    let run = |dirs: &[&str], stdin: &str| {
        let path = path(dirs);
        let vars = [
            ("PATH", Some(path.as_str())),
            ("AWS_EKS_TOKEN_REAL_AWS", None),
        ];
        let mut child = w
            .command(&shim.join("aws.exe"), &["s3", "ls"], &vars)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    // The shim comes first on PATH and skips itself.
    let out = run(&["shim", "real"], "hello\r\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "real aws s3 ls, stdin hello\r\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(7));
    // No real CLI: the AWS CLI's answer to a service it does not know, never a loop.
    let out = run(&["shim"], "");
    assert_eq!(out.status.code(), Some(252));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("argument command: Found invalid choice 's3'"),
        "{stderr}"
    );
}
