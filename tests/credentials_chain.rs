//! The chain's order and bounds: nothing waits on the instance metadata service when an
//! earlier source answers, and when nothing answers the call ends within the CLI's
//! bounds (IMDS: one attempt, 1 s timeouts).

mod common;

use std::time::Duration;

use common::*;

fn args() -> Vec<&'static str> {
    argv("eks get-token --cluster-name a --region us-west-2")
}

#[test]
fn imds_is_not_asked_when_env_keys_answer() {
    let home = tempfile::tempdir().unwrap();
    let imds = Server::start(vec![Reply::Hang(Duration::from_secs(30))]);
    let url = imds.url();
    let mut env = STATIC_KEYS.to_vec();
    env.extend([
        ("AWS_EC2_METADATA_DISABLED", "false"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str()),
    ]);
    let out = run(home.path(), &args(), &env, Duration::from_secs(10));
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    assert!(imds.requests().is_empty());
    assert!(out.elapsed < Duration::from_secs(2), "{:?}", out.elapsed);
}

#[test]
fn a_silent_imds_ends_within_the_cli_timeouts() {
    let home = tempfile::tempdir().unwrap();
    let imds = Server::start(vec![Reply::Hang(Duration::from_secs(30))]);
    let url = imds.url();
    let env = [
        ("AWS_EC2_METADATA_DISABLED", "false"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str()),
    ];
    let out = run(home.path(), &args(), &env, Duration::from_secs(20));
    assert_eq!(out.rc, 253);
    assert_eq!(
        out.stderr,
        "\naws: [ERROR]: An error occurred (NoCredentials): Unable to locate credentials. You can configure credentials by running \"aws login\".\n"
    );
    // The token request times out (1 s), then one IMDSv1 attempt (1 s).
    let seen = imds.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("PUT", "/latest/api/token")
    );
    assert_eq!(seen[1].path, "/latest/meta-data/iam/security-credentials/");
    assert!(out.elapsed < Duration::from_secs(6), "{:?}", out.elapsed);
}

#[test]
fn credential_process_runs_and_its_failures_read_like_the_cli() {
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("proc.sh");
    write(
        home.path(),
        "proc.sh",
        "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"AKID%s\", \"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", \"Expiration\": \"2099-01-01T00:00:00Z\"}' \"$1\"\n",
        0o755,
    );
    write(
        home.path(),
        ".aws/config",
        &format!(
            "[default]\ncredential_process = {} \"PROC\"\n",
            script.display()
        ),
        0o644,
    );
    let out = run(home.path(), &args(), &[], Duration::from_secs(10));
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=AKIDPROC%2F"));

    write(
        home.path(),
        "proc.sh",
        "#!/bin/sh\necho '{\"Version\": 1}'\n",
        0o755,
    );
    let out = run(home.path(), &args(), &[], Duration::from_secs(10));
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, "\naws: [ERROR]: Error when retrieving credentials from custom-process: Missing required key in response: 'AccessKeyId'\n")
    );
}

#[test]
fn assume_role_profile_errors() {
    let home = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/r\n",
            "Partial credentials found in assume-role, missing: source_profile or credential_source",
        ),
        (
            "[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = nope\n",
            "The source_profile \"nope\" referenced in the profile \"eks\" does not exist.",
        ),
        (
            "[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = environment\n",
            "The credential source \"environment\" referenced in profile \"eks\" is not valid.",
        ),
        (
            "[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = other\n[profile other]\nrole_arn = arn:aws:iam::123456789012:role/o\nsource_profile = eks\n",
            "Infinite loop in credential configuration detected. Attempting to load from profile eks which has already been visited. Visited profiles: ['eks', 'other']",
        ),
        (
            "[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = empty\n[profile empty]\nregion = us-east-1\n",
            "The source profile \"empty\" must have credentials.",
        ),
        (
            "[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\n",
            "Error when retrieving credentials from Environment: No credentials found in credential_source referenced in profile eks",
        ),
    ];
    for (config, message) in cases {
        write(home.path(), ".aws/config", config, 0o644);
        let out = run(
            home.path(),
            &args(),
            &[("AWS_PROFILE", "eks")],
            Duration::from_secs(10),
        );
        assert_eq!(
            (out.rc, out.stderr),
            (255, format!("\naws: [ERROR]: {message}\n")),
            "{config}"
        );
    }
}

#[test]
fn mfa_code_is_asked_for_and_sent() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAMFA"),
    )]);
    write(
        home.path(),
        ".aws/config",
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/eks-admin\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n",
        0o644,
    );
    let url = sts.url();
    let env = [
        ("AWS_PROFILE", "eks"),
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
    ];
    // Without a terminal, Python's getpass warns and reads standard input.
    let out = run_with_stdin(
        home.path(),
        &args(),
        &env,
        Duration::from_secs(10),
        "123456\n",
    );
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "Warning: Password input may be echoed.\nEnter MFA code for arn:aws:iam::123456789012:mfa/me: \n"
    );
    let seen = sts.requests();
    assert_eq!(seen.len(), 1);
    assert!(seen[0]
        .body
        .contains("&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fme&"));
    assert!(
        seen[0].body.ends_with("&TokenCode=123456"),
        "{}",
        seen[0].body
    );
    // Cached: no second prompt.
    let out = run(home.path(), &args(), &env, Duration::from_secs(10));
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    assert_eq!(sts.requests().len(), 1);
}
