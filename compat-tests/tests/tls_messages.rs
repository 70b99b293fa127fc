//! HTTPS against the reference: certificate failures and the trust settings (`--ca-bundle`,
//! `AWS_CA_BUNDLE`, a profile's `ca_bundle`, `--no-verify-ssl`), run by AWS CLI v2.36.7 and
//! by the binary under test against one HTTPS server on 127.0.0.1, comparing exit code,
//! stdout and stderr. The golden cases cannot hold these: their fake servers speak plain HTTP.
//!
//! Skipped (passing, with a message) without the reference (`AWS_CLI_V2`, or where
//! `scripts/setup` installs it). The binary under test is `AWS_EKS_TOKEN_BIN` or
//! `target/release/aws-eks-token`.

use compat_tests::tls::{self_signed, Ca, Leaf};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

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
    static REFERENCE: OnceLock<Option<PathBuf>> = OnceLock::new();
    let reference = REFERENCE.get_or_init(|| compat_tests::reference_cli().unwrap());
    let Some(reference) = reference else {
        println!("tls_messages: SKIPPED: no reference AWS CLI v2.36.7 (set AWS_CLI_V2 or run scripts/setup)");
        return None;
    };
    let ours = compat_tests::binary_under_test(&compat_tests::workspace_root()).unwrap();
    Some((call.run(reference), call.run(&ours)))
}

/// The same outcome from both; the reference's stderr says `reason` (so that both failing
/// alike for another reason does not pass).
fn same(call: Call, reason: &str) {
    if let Some((reference, ours)) = both(&call) {
        assert!(
            reference.stderr.contains(reason),
            "the reference did not say {reason:?}: {}",
            reference.stderr
        );
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
    same(
        Call {
            args: identity(port, &[]),
            env: vec![],
            config: "",
        },
        "certificate verify failed: unable to get local issuer certificate",
    );
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
    same(
        Call {
            args: identity(port, &["--ca-bundle", &pem]),
            env: vec![],
            config: "",
        },
        "doesn't match",
    );
}

#[test]
fn an_expired_certificate() {
    let ca = Ca::new().unwrap();
    let (_dir, pem) = bundle(&ca);
    let port = serve(ca.server_config(&for_127(true), true).unwrap());
    same(
        Call {
            args: identity(port, &[]),
            env: vec![("AWS_CA_BUNDLE", pem)],
            config: "",
        },
        "certificate verify failed: certificate has expired",
    );
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

/// A bundle OpenSSL cannot use fails once the connection is up, with OpenSSL's reason;
/// what it can use, it uses.
#[test]
fn ca_bundles_as_openssl_reads_them() {
    let ca = Ca::new().unwrap();
    let port = serve(ca.server_config(&for_127(false), true).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let good = ca.pem().to_string();
    let block =
        |name: &str, b64: &str| format!("-----BEGIN {name}-----\n{b64}\n-----END {name}-----\n");
    let trusted = good
        .replace("BEGIN CERTIFICATE", "BEGIN TRUSTED CERTIFICATE")
        .replace("END CERTIFICATE", "END TRUSTED CERTIFICATE");
    let pem_lib = "[X509] PEM lib (_ssl.c:4168)";
    let nothing = "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found (_ssl.c:4168)";
    let identity_of = "\"Account\": \"123456789012\"";
    for (name, content, says) in [
        ("text", "not a certificate\n".to_string(), nothing),
        ("nothing", String::new(), nothing),
        (
            "a key only",
            rcgen::KeyPair::generate().unwrap().serialize_pem(),
            nothing,
        ),
        (
            "a key that is no key",
            block("PRIVATE KEY", "MAA="),
            pem_lib,
        ),
        ("not base64", block("CERTIFICATE", "MIIBad!!"), pem_lib),
        ("no end line", good[..good.len() / 2].to_string(), pem_lib),
        (
            "a SEQUENCE that is no certificate",
            block("CERTIFICATE", "MAMCAQA="),
            pem_lib,
        ),
        (
            "good then not DER",
            format!("{good}{}", block("CERTIFICATE", "AAAA")),
            pem_lib,
        ),
        (
            "good then an unknown block, not base64",
            format!("{good}{}", block("FOO", "!!!!")),
            pem_lib,
        ),
        (
            "good then a key, not DER",
            format!("{good}{}", block("PRIVATE KEY", "AAAA")),
            pem_lib,
        ),
        (
            "text, good, text",
            format!("subject=x\n{good}issuer=y\n"),
            identity_of,
        ),
        ("a trusted certificate", trusted, identity_of),
    ] {
        let path = dir.path().join("bundle.pem");
        std::fs::write(&path, content).unwrap();
        let call = Call {
            args: identity(port, &["--ca-bundle", path.to_str().unwrap()]),
            env: vec![],
            config: "",
        };
        if let Some((reference, ours)) = both(&call) {
            let out = format!("{}{}", reference.stdout, reference.stderr);
            assert!(
                out.contains(says),
                "a bundle with {name}: the reference said {out}"
            );
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
    same(
        Call {
            args: identity(port, &[]),
            env: vec![],
            config: "",
        },
        "certificate verify failed: self-signed certificate (_ssl",
    );
}

#[test]
#[ignore = "known difference: OpenSSL's `self-signed certificate in certificate chain`, ours `unable to get local issuer certificate`"]
fn an_untrusted_root_sent_by_the_server() {
    let ca = Ca::new().unwrap();
    let port = serve(ca.server_config(&for_127(false), true).unwrap());
    same(
        Call {
            args: identity(port, &[]),
            env: vec![],
            config: "",
        },
        "self-signed certificate in certificate chain",
    );
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
