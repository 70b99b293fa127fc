//! `--role-arn` against a misbehaving fake STS on 127.0.0.1: each failure ends as the AWS
//! CLI ends it (exit code, stderr, the requests botocore's standard retries make), and
//! nothing panics or hangs.

mod common;

use std::time::Duration;

use common::*;

const LIMIT: Duration = Duration::from_secs(60);

fn role_arn_args() -> Vec<&'static str> {
    let mut args = argv("eks get-token --cluster-name a --region us-west-2 --role-arn");
    args.push(ROLE);
    args
}

fn env_with<'a>(sts: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = STATIC_KEYS.to_vec();
    env.push(("AWS_ENDPOINT_URL_STS", sts));
    env.extend_from_slice(extra);
    env
}

#[test]
fn hanging_sts_is_a_read_timeout_after_every_attempt() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Hang(Duration::from_secs(30))]);
    let url = sts.url();
    let mut args = role_arn_args();
    args.extend(["--cli-read-timeout", "1"]);
    let out = run(
        home.path(),
        &args,
        &env_with(&url, &[("AWS_MAX_ATTEMPTS", "2")]),
        LIMIT,
    );
    assert_eq!(out.rc, 255);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!("\naws: [ERROR]: Read timeout on endpoint URL: \"{url}/\"\n")
    );
    assert_eq!(sts.requests().len(), 2);
    assert!(out.elapsed < Duration::from_secs(20), "{:?}", out.elapsed);
}

#[test]
fn throttling_then_success_is_retried() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![
        Reply::Respond(
            400,
            "text/xml",
            sts_error_xml("Throttling", "Rate exceeded"),
        ),
        Reply::Respond(200, "text/xml", assume_role_xml("ASIAASSUMED")),
    ]);
    let out = run(
        home.path(),
        &role_arn_args(),
        &env_with(&sts.url(), &[]),
        LIMIT,
    );
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    let url = token_url(&out.stdout);
    assert!(url.contains("X-Amz-Credential=ASIAASSUMED%2F"), "{url}");
    assert!(url.contains("&X-Amz-Security-Token=assumedtoken&"), "{url}");
    let seen = sts.requests();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/"));
        assert_eq!(
            r.body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Feks-admin&RoleSessionName=EKSGetTokenAuth"
        );
        let auth = r.header("authorization").unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") && auth.contains("/us-west-2/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="),
            "{auth}"
        );
    }
    // --role-arn credentials are not cached, as in the CLI.
    assert!(!home.path().join(".aws/cli/cache").exists());
}

#[test]
fn server_errors_until_attempts_run_out() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        500,
        "text/xml",
        sts_error_xml("InternalFailure", "An internal error occurred"),
    )]);
    let out = run(
        home.path(),
        &role_arn_args(),
        &env_with(&sts.url(), &[]),
        LIMIT,
    );
    assert_eq!(out.rc, 254);
    assert_eq!(
        out.stderr,
        "\naws: [ERROR]: An error occurred (InternalFailure) when calling the AssumeRole operation (reached max retries: 2): An internal error occurred\n"
    );
    assert_eq!(sts.requests().len(), 3);

    // A 503 without a body is botocore's generic error: the status is the code.
    let sts = Server::start(vec![Reply::Respond(503, "text/plain", String::new())]);
    let out = run(
        home.path(),
        &role_arn_args(),
        &env_with(&sts.url(), &[("AWS_MAX_ATTEMPTS", "2")]),
        LIMIT,
    );
    assert_eq!(out.rc, 254);
    assert_eq!(
        out.stderr,
        "\naws: [ERROR]: An error occurred (503) when calling the AssumeRole operation (reached max retries: 1): Service Unavailable\n"
    );
    assert_eq!(sts.requests().len(), 2);
}

#[test]
fn malformed_xml_is_not_retried() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        "<AssumeRoleResponse><AssumeRoleResult>".into(),
    )]);
    let out = run(
        home.path(),
        &role_arn_args(),
        &env_with(&sts.url(), &[]),
        LIMIT,
    );
    assert_eq!(out.rc, 255);
    assert_eq!(
        out.stderr,
        "\naws: [ERROR]: Unable to parse response (no element found: line 1, column 38), invalid XML received. Further retries may succeed:\nb'<AssumeRoleResponse><AssumeRoleResult>'\n"
    );
    assert_eq!(sts.requests().len(), 1);

    // Well-formed XML without the result: botocore's KeyError.
    let sts = Server::start(vec![Reply::Respond(200, "text/xml", "<Other/>".into())]);
    let out = run(
        home.path(),
        &role_arn_args(),
        &env_with(&sts.url(), &[]),
        LIMIT,
    );
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, "\naws: [ERROR]: 'AssumeRoleResult'\n")
    );
}

#[test]
fn closed_connections_are_retried_then_reported() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Close]);
    let url = sts.url();
    let out = run(home.path(), &role_arn_args(), &env_with(&url, &[]), LIMIT);
    assert_eq!(out.rc, 255);
    assert_eq!(
        out.stderr,
        format!("\naws: [ERROR]: Connection was closed before we received a valid response from endpoint URL: \"{url}/\".\n")
    );
    assert_eq!(sts.requests().len(), 3);
}

#[test]
fn refused_connections_and_legacy_retry_mode() {
    let home = tempfile::tempdir().unwrap();
    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = run(home.path(), &role_arn_args(), &env_with(&url, &[]), LIMIT);
    assert_eq!(
        (out.rc, out.stderr),
        (
            255,
            format!("\naws: [ERROR]: Could not connect to the endpoint URL: \"{url}/\"\n")
        )
    );
    let out = run(
        home.path(),
        &role_arn_args(),
        &env_with(&url, &[("AWS_RETRY_MODE", "legacy")]),
        LIMIT,
    );
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (255, "\naws: [ERROR]: Invalid value provided to \"mode\": \"legacy\" must be one of: \"standard\" or \"adaptive\"\n")
    );
}

#[test]
fn access_denied_is_a_service_error_in_every_format() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        403,
        "text/xml",
        sts_error_xml("AccessDenied", "not you"),
    )]);
    let out = run(
        home.path(),
        &role_arn_args(),
        &env_with(&sts.url(), &[]),
        LIMIT,
    );
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (254, "\naws: [ERROR]: An error occurred (AccessDenied) when calling the AssumeRole operation: not you\n")
    );
    let mut args = role_arn_args();
    args.extend(["--cli-error-format", "json"]);
    let out = run(home.path(), &args, &env_with(&sts.url(), &[]), LIMIT);
    assert_eq!(
        (out.rc, out.stderr.as_str()),
        (
            254,
            "{\n    \"Code\": \"AccessDenied\",\n    \"Message\": \"not you\"\n}\n"
        )
    );
    assert_eq!(sts.requests().len(), 2, "AccessDenied is not retried");
}
