//! Regression tests for the crashes the fuzz targets (fuzz/, `scripts/fuzz`) found: each
//! calls the public API with the crashing input and checks what should happen instead.
//! A test whose fix is still pending is `#[ignore]`d with the reason.

use std::net::TcpListener;
use std::time::Duration;

use aws_eks_token::settings::Env;
use aws_eks_token::{run, Io};

const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/eks-admin";

/// A loopback server that accepts connections and closes them after `hold` without
/// answering, so any request to it fails quickly (`Connection was closed before we
/// received a valid response`); holding them makes the client wait for a response.
fn closing_server(hold: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}/", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            std::thread::spawn(move || {
                std::thread::sleep(hold);
                drop(conn);
            });
        }
    });
    url
}

/// `aws <args>` in an empty HOME with no config files; `env` adds to (or replaces) the
/// example keys and the settings that keep everything on loopback.
fn get_token(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let home = tempfile::tempdir().expect("a temporary HOME");
    let mut vars: Env = Env::default();
    for (k, v) in [
        ("HOME", home.path().to_str().expect("a UTF-8 temp dir")),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-eks-token/config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-eks-token/credentials",
        ),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_MAX_ATTEMPTS", "1"),
    ]
    .into_iter()
    .chain(env.iter().copied())
    {
        vars.0.insert(k.to_string(), v.to_string());
    }
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let rc = run(
        &args,
        vars,
        &mut Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
            stdout_is_tty: false,
            terminal_width: None,
        },
    );
    (
        rc,
        String::from_utf8(stdout).expect("UTF-8 stdout"),
        String::from_utf8(stderr).expect("UTF-8 stderr"),
    )
}

fn assert_fails_cleanly((rc, stdout, stderr): (i32, String, String), codes: &[i32]) {
    assert!(codes.contains(&rc), "rc {rc}, stderr: {stderr}");
    assert!(stdout.is_empty(), "stdout: {stdout}");
    assert!(!stderr.is_empty());
    assert!(!stderr.contains(SECRET_ACCESS_KEY));
}

/// Found by the `argv` target: `--cli-connect-timeout 9223372036854775807` (any value
/// within the machine's uptime of `i64::MAX`) with `--role-arn` panicked in ureq
/// (`overflow when adding duration to instant`, std time.rs, from ureq timings.rs:187 via
/// src/http.rs `Client::send`): the timeout went unbounded from `Ctx::new`
/// (src/credentials/mod.rs) into the HTTP client. Python cannot even set such a socket
/// timeout (`OverflowError: timestamp too large to convert to C _PyTime_t`), so the CLI
/// fails with an error, not a crash.
#[test]
fn huge_connect_timeout_is_an_error_not_a_panic() {
    let sts = closing_server(Duration::ZERO);
    assert_fails_cleanly(
        get_token(
            &[
                "eks",
                "get-token",
                "--cluster-name",
                "a",
                "--region",
                "us-west-2",
                "--role-arn",
                ROLE_ARN,
                "--cli-connect-timeout",
                "9223372036854775807",
            ],
            &[("AWS_ENDPOINT_URL_STS", &sts)],
        ),
        &[255],
    );
}

/// The same overflow through `--cli-read-timeout`, reached once the request is sent and
/// the client waits for the response.
#[test]
fn huge_read_timeout_is_an_error_not_a_panic() {
    let sts = closing_server(Duration::from_millis(300));
    assert_fails_cleanly(
        get_token(
            &[
                "eks",
                "get-token",
                "--cluster-name",
                "a",
                "--region",
                "us-west-2",
                "--role-arn",
                ROLE_ARN,
                "--cli-read-timeout",
                "9223372036854775807",
            ],
            &[("AWS_ENDPOINT_URL_STS", &sts)],
        ),
        &[255],
    );
}

/// The same overflow through the instance-metadata timeout
/// (`AWS_METADATA_SERVICE_TIMEOUT`, src/credentials/imds.rs), when no other credential
/// source answers.
#[test]
fn huge_metadata_timeout_is_an_error_not_a_panic() {
    let imds = closing_server(Duration::ZERO);
    assert_fails_cleanly(
        get_token(
            &[
                "eks",
                "get-token",
                "--cluster-name",
                "a",
                "--region",
                "us-west-2",
            ],
            &[
                ("AWS_ACCESS_KEY_ID", ""),
                ("AWS_EC2_METADATA_DISABLED", "false"),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds),
                ("AWS_METADATA_SERVICE_TIMEOUT", "9223372036854775807"),
            ],
        ),
        &[253, 255],
    );
}

/// Sanity check of the helper: the same calls with ordinary timeouts fail cleanly.
#[test]
fn ordinary_timeouts_fail_cleanly_against_a_closing_server() {
    let sts = closing_server(Duration::ZERO);
    for flag in ["--cli-connect-timeout", "--cli-read-timeout"] {
        assert_fails_cleanly(
            get_token(
                &[
                    "eks",
                    "get-token",
                    "--cluster-name",
                    "a",
                    "--region",
                    "us-west-2",
                    "--role-arn",
                    ROLE_ARN,
                    flag,
                    "5",
                ],
                &[("AWS_ENDPOINT_URL_STS", &sts)],
            ),
            &[255],
        );
    }
    let imds = closing_server(Duration::ZERO);
    assert_fails_cleanly(
        get_token(
            &[
                "eks",
                "get-token",
                "--cluster-name",
                "a",
                "--region",
                "us-west-2",
            ],
            &[
                ("AWS_ACCESS_KEY_ID", ""),
                ("AWS_EC2_METADATA_DISABLED", "false"),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds),
                ("AWS_METADATA_SERVICE_TIMEOUT", "1"),
            ],
        ),
        &[253, 255],
    );
}
