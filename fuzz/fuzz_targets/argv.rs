//! The whole driver, `aws_eks_token::run`, on an arbitrary argv (and `passthrough::is_ours`,
//! which `main` asks first).
//!
//! Input: NUL-separated arguments, read lossily as `main` reads the OS's argv. Two kinds of
//! parts are not arguments:
//! - `\x01NAME=VALUE` sets an environment variable, if NAME is one of `ENV_ALLOWED`;
//! - `\x02WIDTH` makes stdout a terminal `WIDTH` columns wide (not a number: no width).
//!
//! The environment is fixed otherwise: static example keys (so the full path to the output
//! is reached), no config or credentials file, a HOME with a few parameter files and no
//! `.aws`, instance metadata disabled, one attempt per request, and every proxy pointing at
//! a closed loopback port. No input can reach the network: the only credential source left
//! is the environment's keys, `--role-arn`'s AssumeRole call is sent to that closed port,
//! and `scripts/fuzz` also runs the fuzzer in a network namespace of its own when it can. Inputs that would read files outside HOME (`file://`, `fileb://`, `--ca-bundle`)
//! are skipped: `file:///dev/zero` hangs the AWS CLI too, as asked.

#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use aws_eks_token::cli::passthrough;
use aws_eks_token::settings::Env;
use aws_eks_token::{run, Io};
use libfuzzer_sys::fuzz_target;

const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// A piece of the secret that no legitimate output contains by chance.
const SECRET_PIECE: &str = "K7MDENG/bPxRfiCY";
/// Nothing listens there; `scripts/fuzz` runs without a network when it can.
const CLOSED_PORT: &str = "http://127.0.0.1:9";

/// The variables an input may set: every one that changes what get-token does without a
/// network or a file (the credential-source variables that would make requests, and the
/// retry settings that would make a refused connection slow, are not here).
const ENV_ALLOWED: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_OUTPUT",
    "AWS_CLI_ERROR_FORMAT",
    "AWS_CLI_OUTPUT_ENCODING",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "KUBERNETES_EXEC_INFO",
];

/// HOME: a fresh directory with the parameter files the seeds name, made once per process.
fn home() -> &'static PathBuf {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("aws-eks-token-fuzz-home-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the fuzz HOME");
        for (name, content) in [
            ("cluster.txt", &b"my-cluster"[..]),
            ("cluster-nl.txt", b"my-cluster\n"),
            ("crlf.txt", b"my\r\ncluster\r"),
            ("empty.txt", b""),
            ("binary.bin", b"\xff\xfe\x00cluster\x80"),
            ("role.txt", b"arn:aws:iam::123456789012:role/eks-admin"),
        ] {
            std::fs::write(dir.join(name), content).expect("write a fuzz HOME file");
        }
        // `file://~/...` expands with the process's HOME.
        std::env::set_var("HOME", &dir);
        dir
    })
}

/// Whether running `args` could read a file outside HOME.
fn reads_outside_home(args: &[String]) -> bool {
    args.iter().any(|a| {
        a.starts_with("--ca")
            || ["file://", "fileb://"].iter().any(|prefix| {
                a.match_indices(prefix).any(|(i, _)| {
                    let path = &a[i + prefix.len()..];
                    !path.starts_with('~') || path.contains("..")
                })
            })
    })
}

fuzz_target!(|data: &[u8]| {
    let home = home();
    let mut env: BTreeMap<String, String> = [
        ("HOME", home.to_str().expect("a UTF-8 temp dir")),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-eks-token-fuzz/config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-eks-token-fuzz/credentials",
        ),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        // A refused connection is not retried (with backoff) before it fails.
        ("AWS_MAX_ATTEMPTS", "1"),
        ("HTTP_PROXY", CLOSED_PORT),
        ("HTTPS_PROXY", CLOSED_PORT),
        ("http_proxy", CLOSED_PORT),
        ("https_proxy", CLOSED_PORT),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    let mut args = Vec::new();
    let (mut tty, mut width) = (false, None);
    if !data.is_empty() {
        for part in data.split(|&b| b == 0) {
            let part = String::from_utf8_lossy(part).into_owned();
            if let Some(entry) = part.strip_prefix('\x01') {
                if let Some((name, value)) = entry.split_once('=') {
                    if ENV_ALLOWED.contains(&name) {
                        env.insert(name.to_string(), value.to_string());
                    }
                }
            } else if let Some(w) = part.strip_prefix('\x02') {
                tty = true;
                // A real terminal reports 1..=65535 columns.
                width = w.parse::<u16>().ok().filter(|&w| w > 0).map(usize::from);
            } else {
                args.push(part);
            }
        }
    }
    if reads_outside_home(&args) {
        return;
    }
    if args.iter().any(|a| a.starts_with("--ro")) {
        // `--role-arn` calls STS once it is implemented: keep it on loopback.
        env.insert("AWS_ENDPOINT_URL_STS".into(), CLOSED_PORT.into());
    }
    let input_has_secret = env
        .iter()
        .filter(|(k, _)| *k != "AWS_SECRET_ACCESS_KEY")
        .any(|(_, v)| v.contains(SECRET_PIECE))
        || args.iter().any(|a| a.contains(SECRET_PIECE));

    let _ = passthrough::is_ours(&args);

    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut io = Io {
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdout_is_tty: tty,
        terminal_width: width,
    };
    let rc = run(&args, Env(env), &mut io);

    assert!(
        matches!(rc, 0 | 1 | 252 | 253 | 254 | 255),
        "exit code {rc} is not one the AWS CLI uses"
    );
    let out = std::str::from_utf8(&stdout).expect("stdout is UTF-8");
    let err = std::str::from_utf8(&stderr).expect("stderr is UTF-8");
    if rc == 0 {
        assert!(
            out.ends_with('\n') || out.ends_with("\n\x1b[0m") || out.ends_with("\n\x1b[0m\x1b[0m"),
            "a successful run's stdout ends with a newline: {out:?}"
        );
    } else {
        assert!(!err.is_empty(), "exit code {rc} with nothing on stderr");
    }
    if !input_has_secret {
        assert!(
            !out.contains(SECRET_PIECE) && !err.contains(SECRET_PIECE),
            "the secret access key leaked:\nstdout: {out}\nstderr: {err}"
        );
    }
});
