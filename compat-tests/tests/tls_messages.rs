//! HTTPS against the reference: certificate failures and the trust settings (`--ca-bundle`,
//! `AWS_CA_BUNDLE`, a profile's `ca_bundle`, `--no-verify-ssl`), run by AWS CLI v2.36.7 and
//! by the binary under test against one HTTPS server on 127.0.0.1, comparing exit code,
//! stdout and stderr. The golden cases cannot hold these: their fake servers speak plain HTTP.
//!
//! Skipped (passing, with a message) without the reference (`AWS_CLI_V2`, or where
//! `scripts/setup` installs it). The binary under test is `AWS_EKS_TOKEN_BIN` or
//! `target/release/aws-eks-token`.

use compat_tests::tls::{self_signed, Ca, Leaf};
use std::path::Path;
use std::process::Command;

const IDENTITY: &str = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/tls</Arn><UserId>AIDATLS</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

fn serve(config: rustls::ServerConfig) -> u16 {
    compat_tests::tls::serve(
        config,
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{IDENTITY}",
            IDENTITY.len()
        ),
    )
}

#[derive(Debug, PartialEq)]
struct Outcome {
    rc: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A call, as the reference and the binary under test each make it.
struct Call<'a> {
    args: Vec<String>,
    env: Vec<(&'a str, String)>,
    /// The config file's text.
    config: &'a str,
}

impl Call<'_> {
    fn run(&self, bin: &Path) -> Outcome {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        std::fs::write(home.path().join(".aws/config"), self.config).unwrap();
        let out = Command::new(bin)
            .args(&self.args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDTLSEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "tls-secret")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Outcome {
            rc: out.status.code(),
            stdout: text(&out.stdout),
            stderr: text(&out.stderr),
        }
    }
}

/// Both outcomes, the reference's first; `None` (the test is skipped) without the reference.
fn both(call: &Call) -> Option<(Outcome, Outcome)> {
    let Some(reference) = compat_tests::reference_cli().unwrap() else {
        println!("tls_messages: SKIPPED: no reference AWS CLI v2.36.7 (set AWS_CLI_V2 or run scripts/setup)");
        return None;
    };
    let ours = compat_tests::binary_under_test(&compat_tests::workspace_root()).unwrap();
    Some((call.run(&reference), call.run(&ours)))
}

fn same(call: Call) {
    if let Some((reference, ours)) = both(&call) {
        assert_eq!(ours, reference, "args {:?}, env {:?}", call.args, call.env);
    }
}

fn identity(port: u16, more: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["sts", "get-caller-identity", "--region", "us-east-1"]
        .map(String::from)
        .to_vec();
    args.push("--endpoint-url".into());
    args.push(format!("https://127.0.0.1:{port}"));
    args.extend(more.iter().map(|s| s.to_string()));
    args
}

/// Writes the CA's certificate to a file that outlives the test's calls.
fn bundle(ca: &Ca) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, ca.pem()).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

fn for_127(expired: bool) -> Leaf<'static> {
    Leaf {
        names: &["127.0.0.1"],
        expired,
        ca: false,
    }
}

#[test]
fn an_issuer_nobody_trusts() {
    let ca = Ca::new().unwrap();
    let port = serve(ca.server_config(&for_127(false), false).unwrap());
    same(Call {
        args: identity(port, &[]),
        env: vec![],
        config: "",
    });
}

#[test]
fn a_certificate_for_another_name() {
    let ca = Ca::new().unwrap();
    let (_dir, pem) = bundle(&ca);
    let leaf = Leaf {
        names: &["localhost", "*.example.com"],
        expired: false,
        ca: false,
    };
    let port = serve(ca.server_config(&leaf, true).unwrap());
    same(Call {
        args: identity(port, &["--ca-bundle", &pem]),
        env: vec![],
        config: "",
    });
}

#[test]
fn an_expired_certificate() {
    let ca = Ca::new().unwrap();
    let (_dir, pem) = bundle(&ca);
    let port = serve(ca.server_config(&for_127(true), true).unwrap());
    same(Call {
        args: identity(port, &[]),
        env: vec![("AWS_CA_BUNDLE", pem)],
        config: "",
    });
}

#[test]
fn each_way_of_trusting_a_ca() {
    let ca = Ca::new().unwrap();
    let (_dir, pem) = bundle(&ca);
    let port = serve(ca.server_config(&for_127(false), true).unwrap());
    let profile = format!("[default]\nca_bundle = {pem}\n");
    for call in [
        Call {
            args: identity(port, &["--ca-bundle", &pem]),
            env: vec![],
            config: "",
        },
        Call {
            args: identity(port, &["--output", "text"]),
            env: vec![("AWS_CA_BUNDLE", pem.clone())],
            config: "",
        },
        Call {
            args: identity(port, &[]),
            env: vec![],
            config: &profile,
        },
    ] {
        if let Some((reference, ours)) = both(&call) {
            assert_eq!(reference.rc, Some(0), "{}", reference.stderr);
            assert_eq!(ours, reference, "args {:?}", call.args);
        }
    }
}

/// A bundle OpenSSL cannot use fails once the connection is up, with OpenSSL's reason.
#[test]
fn ca_bundles_that_cannot_be_loaded() {
    let ca = Ca::new().unwrap();
    let port = serve(ca.server_config(&for_127(false), true).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let good = ca.pem().to_string();
    for (name, content) in [
        ("text", "not a certificate\n".to_string()),
        ("empty", String::new()),
        (
            "not base64",
            "-----BEGIN CERTIFICATE-----\nMIIBad!!\n-----END CERTIFICATE-----\n".into(),
        ),
        ("no end line", good[..good.len() / 2].to_string()),
        (
            "good then not DER",
            format!("{good}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        ),
    ] {
        let path = dir.path().join("bundle.pem");
        std::fs::write(&path, content).unwrap();
        let call = Call {
            args: identity(port, &["--ca-bundle", path.to_str().unwrap()]),
            env: vec![],
            config: "",
        };
        if let Some((reference, ours)) = both(&call) {
            assert_eq!(ours, reference, "a bundle with {name}");
        }
    }
}

/// urllib3 warns on stderr (`InsecureRequestWarning`, naming its own source file) for each
/// unverified request; we do not (README, "Known differences"). The rest is the same.
#[test]
fn no_verify_ssl() {
    let port = serve(self_signed(&for_127(false)).unwrap().1);
    let call = Call {
        args: identity(port, &["--no-verify-ssl"]),
        env: vec![],
        config: "",
    };
    if let Some((reference, ours)) = both(&call) {
        assert_eq!(reference.rc, Some(0), "{}", reference.stderr);
        assert_eq!((&ours.rc, &ours.stdout), (&reference.rc, &reference.stdout));
        assert!(reference.stderr.contains("InsecureRequestWarning"));
        assert_eq!(ours.stderr, "");
    }
}

// The three below fail: webpki reports an unknown issuer without saying whether the chain
// ended in a self-signed certificate, and refuses a CA certificate as the server's own
// even when the bundle trusts exactly that certificate. Telling them apart needs our own
// rustls verifier (README, "Known differences").

#[test]
#[ignore = "known difference: OpenSSL's `self-signed certificate`, ours `unable to get local issuer certificate`"]
fn a_self_signed_certificate() {
    let port = serve(self_signed(&for_127(false)).unwrap().1);
    same(Call {
        args: identity(port, &[]),
        env: vec![],
        config: "",
    });
}

#[test]
#[ignore = "known difference: OpenSSL's `self-signed certificate in certificate chain`, ours `unable to get local issuer certificate`"]
fn an_untrusted_root_sent_by_the_server() {
    let ca = Ca::new().unwrap();
    let port = serve(ca.server_config(&for_127(false), true).unwrap());
    same(Call {
        args: identity(port, &[]),
        env: vec![],
        config: "",
    });
}

#[test]
#[ignore = "known difference: a self-signed CA certificate trusted by --ca-bundle is refused as the server's certificate (webpki's CaUsedAsEndEntity)"]
fn a_self_signed_ca_certificate_trusted_directly() {
    let leaf = Leaf {
        names: &["127.0.0.1"],
        expired: false,
        ca: true,
    };
    let (pem, config) = self_signed(&leaf).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.pem");
    std::fs::write(&path, pem).unwrap();
    let port = serve(config);
    let call = Call {
        args: identity(port, &["--ca-bundle", path.to_str().unwrap()]),
        env: vec![],
        config: "",
    };
    if let Some((reference, ours)) = both(&call) {
        assert_eq!(reference.rc, Some(0), "{}", reference.stderr);
        assert_eq!(ours, reference);
    }
}
