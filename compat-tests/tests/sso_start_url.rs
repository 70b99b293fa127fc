//! `aws sso login` with a start URL outside AWS (a company's own sign-in address): the URL
//! is followed through one redirect to the AWS portal it leads to, whose host names the
//! region; login uses the portal's URL and region and writes the region back to the config
//! file (`SSO region updated to …`), as AWS CLI 2.36.7 does (compared with it by hand: the
//! golden harness's fake servers speak plain HTTP, and a start URL must be https). The
//! company's server here is HTTPS on 127.0.0.1 with a throwaway CA (`AWS_CA_BUNDLE`).
//!
//! The binary under test is `AWS_EKS_TOKEN_BIN` or `target/release/aws-eks-token`.

use compat_tests::case::{ResponseSpec, ServerSpec};
use compat_tests::server::FakeServer;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn binary() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let bin = match std::env::var_os("AWS_EKS_TOKEN_BIN").filter(|b| !b.is_empty()) {
        Some(b) => root.join(b),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .filter(|t| !t.is_empty())
            .map_or_else(|| root.join("target"), |t| root.join(t))
            .join("release/aws-eks-token"),
    };
    assert!(
        bin.is_file(),
        "{} does not exist: build it first",
        bin.display()
    );
    bin
}

/// An HTTPS server on 127.0.0.1 that answers every request with a redirect to `location`
/// (or, with `None`, 200). Returns its port and the CA certificate (PEM).
fn redirect_server(location: Option<&'static str>) -> (u16, String) {
    let ca = compat_tests::tls::Ca::new().unwrap();
    let config = ca
        .server_config(
            &compat_tests::tls::Leaf {
                names: &["127.0.0.1"],
                expired: false,
                ca: false,
            },
            true,
        )
        .unwrap();
    let response = match location {
        Some(to) => format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        None => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
    };
    (
        compat_tests::tls::serve(config, response),
        ca.pem().to_string(),
    )
}

fn oidc() -> FakeServer {
    let response = |path: &str, body: &str| {
        let mut conditions = serde_json::Map::new();
        conditions.insert("path".into(), path.into());
        ResponseSpec {
            conditions,
            status: 200,
            content_type: Some("application/json".into()),
            headers: vec![],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    };
    FakeServer::start(&ServerSpec {
        kind: "oidc".into(),
        port: 0,
        responses: vec![
            response("/client/register", r#"{"clientId": "cid", "clientSecret": "cs", "clientSecretExpiresAt": 4070908800}"#),
            response("/device_authorization", r#"{"deviceCode": "dc", "userCode": "UC", "verificationUri": "https://d/", "verificationUriComplete": "https://d/?c=UC", "expiresIn": 600, "interval": 1}"#),
            response("/token", r#"{"accessToken": "at", "expiresIn": 28800, "refreshToken": "rt"}"#),
        ],
    })
    .unwrap()
}

struct Login {
    rc: Option<i32>,
    stdout: String,
    stderr: String,
    config: String,
    requests: Vec<serde_json::Value>,
}

fn login(location: Option<&'static str>) -> Login {
    login_with(location, Trust::CaBundleSetting)
}

/// How the company's certificate is trusted.
#[derive(PartialEq)]
enum Trust {
    /// `AWS_CA_BUNDLE`.
    CaBundleSetting,
    /// `--ca-bundle`.
    CaBundleFlag,
    /// `--no-verify-ssl`.
    NoVerify,
}

fn login_with(location: Option<&'static str>, trust: Trust) -> Login {
    let home = tempfile::tempdir().unwrap();
    let (port, ca) = redirect_server(location);
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join("ca.pem"), ca).unwrap();
    let config = home.path().join(".aws/config");
    std::fs::write(
        &config,
        format!("[profile dev]\nsso_session = corp\n\n[sso-session corp]\nsso_start_url = https://127.0.0.1:{port}/start\nsso_region = us-east-1\n# a comment\nsso_registration_scopes = sso:account:access\n\n[profile other]\nregion = x\n"),
    )
    .unwrap();
    let oidc = oidc();
    let out = Command::new(binary())
        .args([
            "sso",
            "login",
            "--profile",
            "dev",
            "--use-device-code",
            "--no-browser",
        ])
        .args(match trust {
            Trust::CaBundleSetting => vec![],
            Trust::CaBundleFlag => vec!["--ca-bundle".into(), home.path().join("ca.pem")],
            Trust::NoVerify => vec!["--no-verify-ssl".into()],
        })
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(
            (trust == Trust::CaBundleSetting)
                .then(|| ("AWS_CA_BUNDLE", home.path().join("ca.pem"))),
        )
        .env(
            "AWS_ENDPOINT_URL_SSO_OIDC",
            format!("http://127.0.0.1:{}", oidc.port()),
        )
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).replace(&port.to_string(), "PORT");
    Login {
        rc: out.status.code(),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
        config: text(&std::fs::read(&config).unwrap()),
        requests: oidc.stop(),
    }
}

#[test]
fn a_regional_portal_sets_the_region() {
    let l = login(Some("https://ssoins-1.portal.eu-west-1.app.aws/start/"));
    assert_eq!(l.rc, Some(0), "{}", l.stderr);
    assert!(
        l.stdout.ends_with("SSO region updated to eu-west-1\nSuccessfully logged into Start URL: https://127.0.0.1:PORT/start\n"),
        "{}",
        l.stdout
    );
    assert_eq!(
        l.config,
        "[profile dev]\nsso_session = corp\n\n[sso-session corp]\nsso_start_url = https://127.0.0.1:PORT/start\nsso_region = eu-west-1\n# a comment\nsso_registration_scopes = sso:account:access\n\n[profile other]\nregion = x\n"
    );
    // The portal's URL (normalized) is the one authorized.
    assert_eq!(
        l.requests[1]["json"]["startUrl"],
        "https://ssoins-1.portal.eu-west-1.app.aws/start"
    );
}

#[test]
fn a_portal_without_a_region_keeps_the_configured_one() {
    let l = login(Some("https://corp.awsapps.com/start"));
    assert_eq!(l.rc, Some(0), "{}", l.stderr);
    assert!(!l.stdout.contains("SSO region updated"), "{}", l.stdout);
    assert!(l.config.contains("sso_region = us-east-1\n"));
    assert_eq!(
        l.requests[1]["json"]["startUrl"],
        "https://corp.awsapps.com/start"
    );
}

#[test]
fn a_start_url_that_leads_elsewhere_is_refused() {
    let l = login(Some("https://evil.example.com/x"));
    assert_eq!(l.rc, Some(253));
    assert_eq!(
        l.stderr,
        "\naws: [ERROR]: An error occurred (Configuration): Could not resolve start URL 'https://127.0.0.1:PORT/start' to an AWS-owned endpoint. Final URL: 'https://evil.example.com/x'\n"
    );
    let l = login(None);
    assert_eq!(
        l.stderr,
        "\naws: [ERROR]: An error occurred (Configuration): Could not resolve start URL 'https://127.0.0.1:PORT/start' to an AWS-owned endpoint. Final URL: 'https://127.0.0.1:PORT/start'\n"
    );
    assert!(l.requests.is_empty());
}

/// The global `--ca-bundle` and `--no-verify-ssl` apply to the start URL's request (and
/// to the OIDC client), as in the CLI (`resolve_verify_ssl`).
#[test]
fn the_ca_bundle_flag_and_no_verify_ssl_apply() {
    for trust in [Trust::CaBundleFlag, Trust::NoVerify] {
        let l = login_with(
            Some("https://ssoins-1.portal.eu-west-1.app.aws/start/"),
            trust,
        );
        assert_eq!(l.rc, Some(0), "{}", l.stderr);
        assert!(l.stdout.ends_with("SSO region updated to eu-west-1\nSuccessfully logged into Start URL: https://127.0.0.1:PORT/start\n"));
    }
}
