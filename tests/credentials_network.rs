//! Network settings of the service calls: proxies from the environment (with `NO_PROXY`)
//! and the CA bundle, with botocore's texts when they fail.

mod common;

use std::time::Duration;

use common::*;

const LIMIT: Duration = Duration::from_secs(60);
const ARGS: [&str; 8] = [
    "eks",
    "get-token",
    "--cluster-name",
    "a",
    "--region",
    "us-west-2",
    "--role-arn",
    ROLE,
];

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn proxies_come_from_the_environment_and_no_proxy_bypasses_them() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAASSUMED"),
    )]);
    let url = sts.url();
    let proxy = format!("http://user:pass@127.0.0.1:{}", closed_port());
    let mut env = STATIC_KEYS.to_vec();
    env.extend([
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
        ("HTTP_PROXY", proxy.as_str()),
        ("AWS_MAX_ATTEMPTS", "1"),
    ]);
    let out = run(home.path(), &ARGS, &env, LIMIT);
    let masked = proxy.replace("user:pass", "***:***");
    assert_eq!(
        (out.rc, out.stderr),
        (
            255,
            format!("\naws: [ERROR]: Failed to connect to proxy URL: \"{masked}\"\n")
        )
    );
    assert!(sts.requests().is_empty());

    env.push(("NO_PROXY", "localhost,127.0.0.1"));
    let out = run(home.path(), &ARGS, &env, LIMIT);
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    assert_eq!(sts.requests().len(), 1);
}

#[test]
fn a_missing_ca_bundle_fails_https_calls_only() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Close]);
    let url = format!("https://127.0.0.1:{}", sts.port);
    let mut env = STATIC_KEYS.to_vec();
    env.extend([
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
        ("AWS_CA_BUNDLE", "/nonexistent/ca.pem"),
        ("AWS_MAX_ATTEMPTS", "2"),
    ]);
    let out = run(home.path(), &ARGS, &env, LIMIT);
    assert_eq!(
        (out.rc, out.stderr),
        (
            255,
            format!("\naws: [ERROR]: SSL validation failed for {url}/ [Errno 2] No such file or directory\n")
        )
    );
    assert!(sts.requests().is_empty());

    // Plain http endpoints never load it.
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAASSUMED"),
    )]);
    let url = sts.url();
    let mut env = STATIC_KEYS.to_vec();
    env.extend([
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
        ("AWS_CA_BUNDLE", "/nonexistent/ca.pem"),
    ]);
    let out = run(home.path(), &ARGS, &env, LIMIT);
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
}
