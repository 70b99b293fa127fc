//! kubectl end to end: real kubectl binaries, a kubeconfig exactly as `aws eks
//! update-kubeconfig` writes it (`command: aws`), `aws` a symlink to the release binary, and
//! a fake API server that accepts a bearer token only if it passes EKS' checks
//! (`compat_tests::apiserver`).
//!
//! The kubectl versions come from this machine: `/usr/lib/google-cloud-sdk/bin/kubectl.1.*`
//! and `kubectl` on PATH; the oldest and the newest are used, and their versions printed
//! (`cargo test -p compat-tests --test kubectl_e2e -- --nocapture`). With none, the tests
//! fail: run scripts/setup. The binary under test is `AWS_EKS_TOKEN_BIN` or
//! `target/release/aws-eks-token` (`cargo build --release` first).
//!
//! `sso_login_then_kubectl` first signs in with `aws sso login` (PKCE through the stand-in
//! browser, fake SSO OIDC), then lets kubectl get tokens for that SSO profile (fake SSO
//! portal).
//!
//! Tokens are signed with the real clock and checked with it: no fake time here.

use compat_tests::apiserver::{ApiServer, Auth, Partition, Rejection, Site, TokenVerifier};
use compat_tests::server::FakeServer;
use compat_tests::sigv4_verify::{Key, StsRejection};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const GCLOUD_KUBECTL_DIR: &str = "/usr/lib/google-cloud-sdk/bin";
const PROFILE: &str = "e2e";
const ACCESS_KEY_ID: &str = "AKIAE2ETESTEXAMPLE01";
const SECRET_ACCESS_KEY: &str = "e2e/Secret+Key/wJalrXUtnFEMIK7MDENGbPxRfiCY";
const CLUSTER: &str = "e2e-cluster";
const REGION: &str = "us-west-2";
/// Every child process is killed after this long (a hung kubectl must not hang the suite).
const PROCESS_LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// What is under test

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("compat-tests is inside the workspace")
        .to_path_buf()
}

/// The release binary, like the golden harness: `AWS_EKS_TOKEN_BIN` or
/// `<target>/release/aws-eks-token`.
fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = workspace_root();
        let bin = match std::env::var_os("AWS_EKS_TOKEN_BIN").filter(|b| !b.is_empty()) {
            Some(b) => root.join(b),
            None => {
                let target = std::env::var_os("CARGO_TARGET_DIR")
                    .filter(|t| !t.is_empty())
                    .map_or_else(|| root.join("target"), |t| root.join(t));
                target.join("release/aws-eks-token")
            }
        };
        assert!(
            bin.is_file(),
            "the binary under test {} does not exist: run `cargo build --release` first \
             (or set AWS_EKS_TOKEN_BIN)",
            bin.display()
        );
        bin.canonicalize().expect("the binary's path resolves")
    })
}

#[derive(Clone, Debug)]
struct Kubectl {
    path: PathBuf,
    /// (major, minor, patch) of the client.
    version: (u32, u32, u32),
    git_version: String,
}

impl Kubectl {
    /// The `v1` exec credential API arrived in Kubernetes 1.22.
    fn supports_exec_v1(&self) -> bool {
        self.version >= (1, 22, 0)
    }
}

/// Every kubectl found, by client version.
fn find_kubectls() -> Vec<Kubectl> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = std::fs::read_dir(GCLOUD_KUBECTL_DIR) {
        for entry in dir.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with("kubectl.1.")
            {
                candidates.push(entry.path());
            }
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join("kubectl")));
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut found = Vec::new();
    for c in candidates {
        let Ok(real) = c.canonicalize() else { continue };
        if seen.contains(&real) || !real.is_file() {
            continue;
        }
        seen.push(real);
        let Ok(out) = run(Command::new(&c).args(["version", "--client", "-o", "json"])) else {
            continue;
        };
        let Ok(v) = serde_json::from_slice::<Value>(&out.stdout) else {
            continue;
        };
        let git_version = v["clientVersion"]["gitVersion"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        if let Some(version) = parse_version(&git_version) {
            found.push(Kubectl {
                path: c,
                version,
                git_version,
            });
        }
    }
    found.sort_by_key(|k| k.version);
    found
}

/// `v1.27.16` → (1, 27, 16); a suffix after the patch (`-dispatcher`, `+k3s1`) is ignored.
fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let mut parts = v.strip_prefix('v')?.splitn(3, '.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor, patch.parse().ok()?))
}

/// The oldest and the newest kubectl (one when they are the same), printed.
fn kubectls() -> &'static [Kubectl] {
    static USED: OnceLock<Vec<Kubectl>> = OnceLock::new();
    USED.get_or_init(|| {
        let all = find_kubectls();
        assert!(
            !all.is_empty(),
            "no kubectl found (neither {GCLOUD_KUBECTL_DIR}/kubectl.1.* nor kubectl on PATH): \
             run scripts/setup, which installs Debian's kubernetes-client"
        );
        let mut used = vec![all[0].clone()];
        if all.len() > 1 {
            used.push(all[all.len() - 1].clone());
        }
        // Written straight to stderr, past libtest's capture: the versions show in every run.
        let mut banner = String::new();
        let found: Vec<&str> = all.iter().map(|k| k.git_version.as_str()).collect();
        banner.push_str(&format!("kubectl versions found: {}\n", found.join(", ")));
        for k in &used {
            let out = run(Command::new(&k.path).args(["version", "--client"]))
                .expect("kubectl version --client runs");
            banner.push_str(&format!(
                "kubectl used: {} ({}): {}\n",
                k.path.display(),
                k.git_version,
                String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .replace('\n', " | ")
            ));
        }
        let _ = std::io::stderr().write_all(banner.as_bytes());
        used
    })
}

// ---------------------------------------------------------------------------------------
// Processes, homes and kubeconfigs

/// Runs to completion (stdin empty), killing the process after `PROCESS_LIMIT`.
fn run(cmd: &mut Command) -> std::io::Result<Output> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut out_pipe = child.stdout.take().expect("piped");
    let mut err_pipe = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + PROCESS_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other(format!(
                "{cmd:?} ran longer than {PROCESS_LIMIT:?} and was killed"
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// A fresh HOME with `~/.aws/config` (profile `e2e`), optionally its static keys in
/// `~/.aws/credentials`, and a `bin/` holding only `aws` → the binary under test.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new(with_credentials: bool) -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("kubectl-e2e.")
            .tempdir()
            .expect("temporary directory");
        let aws = dir.path().join("home/.aws");
        std::fs::create_dir_all(&aws).unwrap();
        // The profile's region is one the kubeconfig's `--region` overrides.
        std::fs::write(
            aws.join("config"),
            format!("[profile {PROFILE}]\nregion = eu-central-1\n"),
        )
        .unwrap();
        if with_credentials {
            std::fs::write(
                aws.join("credentials"),
                format!(
                    "[{PROFILE}]\naws_access_key_id = {ACCESS_KEY_ID}\n\
                     aws_secret_access_key = {SECRET_ACCESS_KEY}\n"
                ),
            )
            .unwrap();
        }
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(binary(), bin.join("aws")).unwrap();
        Sandbox { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// A command with nothing of the caller's environment: PATH is just `bin/`, so the
    /// only `aws` kubectl can find is ours.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", self.bin())
            .env("HOME", self.home())
            .env("AWS_EC2_METADATA_DISABLED", "true");
        cmd
    }

    /// Writes a kubeconfig as `aws eks update-kubeconfig --name CLUSTER --region R` writes
    /// it with AWS_PROFILE set (AWSCLI-SPEC §5), for `server`; returns its path.
    fn kubeconfig(&self, server: &ApiServer, cluster: &str, exec_api: &str) -> PathBuf {
        use base64::Engine;
        let arn = format!("arn:aws:eks:{REGION}:123456789012:cluster/{cluster}");
        let ca = base64::engine::general_purpose::STANDARD.encode(server.ca_pem());
        let interactive = if exec_api.ends_with("/v1") {
            "      interactiveMode: Never\n"
        } else {
            ""
        };
        let text = format!(
            "apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: {server}
  name: {arn}
contexts:
- context:
    cluster: {arn}
    user: {arn}
  name: {arn}
current-context: {arn}
kind: Config
preferences: {{}}
users:
- name: {arn}
  user:
    exec:
      apiVersion: {exec_api}
      args:
      - --region
      - {REGION}
      - eks
      - get-token
      - --cluster-name
      - {cluster}
      - --output
      - json
      command: aws
      env:
      - name: AWS_PROFILE
        value: {PROFILE}
{interactive}",
            server = server.url()
        );
        let path = self.dir.path().join(format!(
            "kubeconfig-{cluster}-{}",
            exec_api.replace('/', "_")
        ));
        std::fs::write(&path, text).unwrap();
        path
    }

    fn kubectl(&self, k: &Kubectl, kubeconfig: &Path, args: &[&str]) -> Output {
        let out = run(self
            .command(&k.path)
            .env("KUBECONFIG", kubeconfig)
            .arg("--request-timeout=20s")
            .args(args))
        .expect("kubectl runs");
        println!(
            "{} {}: rc {:?}\n  stdout: {}\n  stderr: {}",
            k.git_version,
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .replace('\n', "\n          "),
            String::from_utf8_lossy(&out.stderr)
                .trim()
                .replace('\n', "\n          ")
        );
        out
    }
}

fn test_key() -> Key {
    Key {
        access_key_id: ACCESS_KEY_ID.into(),
        secret_access_key: SECRET_ACCESS_KEY.into(),
        session_token: None,
    }
}

fn start_server() -> ApiServer {
    ApiServer::start(TokenVerifier {
        site: Site::new(Partition::Aws, REGION),
        cluster_id: CLUSTER.into(),
        keys: vec![test_key()],
    })
    .expect("the fake API server starts")
}

const EXEC_APIS: [&str; 2] = [
    "client.authentication.k8s.io/v1beta1",
    "client.authentication.k8s.io/v1",
];

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---------------------------------------------------------------------------------------
// kubectl

/// `kubectl get --raw /version`, `get namespaces` and `get pods` succeed with the
/// update-kubeconfig user entry, for v1beta1 and v1, with the oldest and newest kubectl;
/// every request the server saw carried a token it accepted, signed with the test key.
#[test]
fn kubectl_reads_the_cluster_with_our_token() {
    let sandbox = Sandbox::new(true);
    let server = start_server();
    for k in kubectls() {
        for api in EXEC_APIS {
            if api.ends_with("/v1") && !k.supports_exec_v1() {
                println!(
                    "{}: no exec credential API v1 before 1.22; v1 not tried",
                    k.git_version
                );
                continue;
            }
            let kubeconfig = sandbox.kubeconfig(&server, CLUSTER, api);
            server.clear();
            let context = format!("kubectl {} with {api}", k.git_version);

            let out = sandbox.kubectl(k, &kubeconfig, &["get", "--raw", "/version"]);
            assert!(out.status.success(), "{context}: get --raw /version failed");
            let version: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{context}: /version is not JSON: {e}"));
            assert_eq!(version["gitVersion"], "v1.31.0-eks-fake", "{context}");

            let out = sandbox.kubectl(k, &kubeconfig, &["get", "namespaces"]);
            assert!(out.status.success(), "{context}: get namespaces failed");
            let stdout = text(&out.stdout);
            assert!(stdout.starts_with("NAME"), "{context}: {stdout}");
            assert!(
                stdout.contains("default") && stdout.contains("kube-system"),
                "{context}"
            );

            let out = sandbox.kubectl(k, &kubeconfig, &["get", "pods"]);
            assert!(out.status.success(), "{context}: get pods failed");
            assert!(text(&out.stdout).contains("hello-default"), "{context}");

            let exchanges = server.exchanges();
            assert!(
                exchanges
                    .iter()
                    .any(|e| e.target.starts_with("/api/v1/namespaces?")),
                "{context}: the server saw no namespace list: {exchanges:?}"
            );
            for e in &exchanges {
                assert_eq!(
                    e.auth,
                    Auth::Accepted(ACCESS_KEY_ID.into()),
                    "{context}: {} {}",
                    e.method,
                    e.target
                );
            }
        }
    }
}

/// A fake EKS whose DescribeCluster answers for `cluster` with the API server's endpoint
/// and CA; its port.
fn fake_eks(server: &ApiServer, cluster: &str) -> (compat_tests::server::FakeServer, u16) {
    use base64::Engine;
    use compat_tests::case::{ResponseSpec, ServerSpec};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let arn = format!("arn:aws:eks:{REGION}:123456789012:cluster/{cluster}");
    let body = serde_json::json!({"cluster": {
        "name": cluster, "arn": arn, "status": "ACTIVE", "endpoint": server.url(),
        "certificateAuthority": {
            "data": base64::engine::general_purpose::STANDARD.encode(server.ca_pem())
        },
    }});
    let mut conditions = serde_json::Map::new();
    conditions.insert("path".into(), format!("/clusters/{cluster}").into());
    let spec = ServerSpec {
        kind: "eks".into(),
        port,
        responses: vec![ResponseSpec {
            conditions,
            status: 200,
            content_type: Some("application/json".into()),
            headers: vec![],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }],
    };
    (
        compat_tests::server::FakeServer::start(&spec).expect("the fake EKS starts"),
        port,
    )
}

/// The whole path with no other `aws` on PATH: our `aws eks update-kubeconfig` writes the
/// kubeconfig from a fake EKS (a new file, then merged into one that holds another
/// cluster), and the oldest and newest kubectl run `get pods` through it with our tokens.
#[test]
fn kubectl_through_a_kubeconfig_we_generated() {
    let sandbox = Sandbox::new(true);
    let server = start_server();
    let (eks, port) = fake_eks(&server, CLUSTER);
    let other = "apiVersion: v1\nclusters:\n- cluster:\n    server: https://other.example.com\n  name: other\ncontexts:\n- context:\n    cluster: other\n    user: other\n  name: other\ncurrent-context: other\nkind: Config\npreferences: {}\nusers:\n- name: other\n  user:\n    token: abc\n";
    for (label, existing) in [("a new file", None), ("a merged file", Some(other))] {
        let kubeconfig = sandbox
            .dir
            .path()
            .join(format!("generated-{}", label.len()));
        if let Some(text) = existing {
            std::fs::write(&kubeconfig, text).unwrap();
        }
        let out = run(sandbox
            .command(&sandbox.bin().join("aws"))
            .env("AWS_PROFILE", PROFILE)
            .env("AWS_ENDPOINT_URL_EKS", format!("http://127.0.0.1:{port}"))
            .args([
                "eks",
                "update-kubeconfig",
                "--name",
                CLUSTER,
                "--region",
                REGION,
            ])
            .arg("--kubeconfig")
            .arg(&kubeconfig))
        .expect("update-kubeconfig runs");
        assert!(out.status.success(), "{label}: {}", text(&out.stderr));
        let written = std::fs::read_to_string(&kubeconfig).unwrap();
        assert!(written.contains("command: aws"), "{label}: {written}");
        if existing.is_some() {
            assert!(
                written.contains("name: other"),
                "{label}: the other cluster is gone"
            );
        }
        for k in kubectls() {
            server.clear();
            let context = format!("kubectl {} with {label}", k.git_version);
            let out = sandbox.kubectl(k, &kubeconfig, &["get", "pods"]);
            assert!(out.status.success(), "{context}: get pods failed");
            assert!(text(&out.stdout).contains("hello-default"), "{context}");
            let exchanges = server.exchanges();
            assert!(!exchanges.is_empty(), "{context}: no request");
            for e in &exchanges {
                assert_eq!(e.auth, Auth::Accepted(ACCESS_KEY_ID.into()), "{context}");
            }
        }
    }
    let requests = eks.stop();
    assert_eq!(
        requests.len(),
        2,
        "one DescribeCluster per update: {requests:?}"
    );
}

/// A kubeconfig for another cluster name makes a token the server refuses: the signature
/// STS recomputes with the server's own cluster id does not match.
#[test]
fn kubectl_with_another_clusters_token_is_refused() {
    let sandbox = Sandbox::new(true);
    let server = start_server();
    for k in kubectls() {
        let kubeconfig = sandbox.kubeconfig(&server, "other-cluster", EXEC_APIS[0]);
        server.clear();
        let out = sandbox.kubectl(k, &kubeconfig, &["get", "--raw", "/version"]);
        let context = format!("kubectl {}", k.git_version);
        assert!(
            !out.status.success(),
            "{context}: a foreign token was accepted"
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("Unauthorized")
                || stderr.contains("provide credentials")
                || stderr.contains("logged in"),
            "{context}: {stderr}"
        );
        let exchanges = server.exchanges();
        assert!(
            !exchanges.is_empty(),
            "{context}: no request reached the server"
        );
        for e in &exchanges {
            assert_eq!(
                e.auth,
                Auth::Rejected(Rejection::Sts(StsRejection::SignatureDoesNotMatch)),
                "{context}"
            );
            assert_eq!(e.status, 401);
        }
    }
}

/// Without credentials the plugin fails; kubectl shows the user our message and our exit
/// code, and no request is authenticated.
#[test]
fn kubectl_without_credentials_shows_our_error() {
    let sandbox = Sandbox::new(false);
    let server = start_server();
    for k in kubectls() {
        for api in EXEC_APIS {
            if api.ends_with("/v1") && !k.supports_exec_v1() {
                continue;
            }
            let kubeconfig = sandbox.kubeconfig(&server, CLUSTER, api);
            let out = sandbox.kubectl(k, &kubeconfig, &["get", "namespaces"]);
            let context = format!("kubectl {} with {api}", k.git_version);
            assert!(!out.status.success(), "{context}");
            let stderr = text(&out.stderr);
            assert!(
                stderr.contains(
                    "aws: [ERROR]: An error occurred (NoCredentials): Unable to locate \
                     credentials. You can configure credentials by running \"aws login\"."
                ),
                "{context}: our message is not on kubectl's stderr: {stderr}"
            );
            assert!(stderr.contains("exit code 253"), "{context}: {stderr}");
        }
    }
    assert!(
        !server
            .exchanges()
            .iter()
            .any(|e| matches!(e.auth, Auth::Accepted(_))),
        "a request was authenticated without credentials"
    );
}

// ---------------------------------------------------------------------------------------
// Partitions, without kubectl

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// The token the binary prints for `aws [region args] eks get-token --cluster-name
/// e2e-cluster --output json` with extra environment.
fn token(sandbox: &Sandbox, region: Option<&str>, env: &[(&str, &str)]) -> String {
    let mut cmd = sandbox.command(&sandbox.bin().join("aws"));
    cmd.env("AWS_PROFILE", PROFILE);
    if let Some(r) = region {
        cmd.args(["--region", r]);
    }
    cmd.args([
        "eks",
        "get-token",
        "--cluster-name",
        CLUSTER,
        "--output",
        "json",
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(&mut cmd).expect("the binary runs");
    assert!(
        out.status.success(),
        "get-token {region:?} {env:?} failed: {}",
        text(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("ExecCredential JSON");
    doc["status"]["token"]
        .as_str()
        .expect("status.token")
        .to_owned()
}

fn token_host(token: &str) -> String {
    use base64::Engine;
    let b64 = token.strip_prefix("k8s-aws-v1.").expect("prefix");
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .expect("base64url");
    let url = String::from_utf8(url).expect("UTF-8");
    let rest = url.strip_prefix("https://").expect("https URL");
    rest[..rest.find('/').expect("a path")].to_owned()
}

/// cn, us-gov, FIPS, dual-stack and the global endpoint: each token carries the right
/// partition's host, passes every rule for a server of that partition and is refused by a
/// server of another.
#[test]
fn tokens_pass_their_partitions_host_rules_only() {
    let sandbox = Sandbox::new(true);
    let fips = [("AWS_USE_FIPS_ENDPOINT", "true")];
    let dual = [("AWS_USE_DUALSTACK_ENDPOINT", "true")];
    use Partition::*;
    #[allow(clippy::type_complexity)]
    let cases: [(Option<&str>, &[(&str, &str)], &str, Site, Site); 8] = [
        (
            Some("cn-north-1"),
            &[],
            "sts.cn-north-1.amazonaws.com.cn",
            Site::new(AwsCn, "cn-north-1"),
            Site::new(Aws, "us-east-1"),
        ),
        (
            Some("cn-north-1"),
            &fips,
            "sts-fips.cn-north-1.amazonaws.com.cn",
            Site::new(AwsCn, "cn-north-1"),
            Site::new(Aws, "us-east-1"),
        ),
        (
            Some("us-gov-west-1"),
            &[],
            "sts.us-gov-west-1.amazonaws.com",
            Site::new(AwsUsGov, "us-gov-west-1"),
            Site::new(AwsCn, "cn-north-1"),
        ),
        (
            Some("us-gov-west-1"),
            &fips,
            "sts.us-gov-west-1.amazonaws.com",
            Site::new(AwsUsGov, "us-gov-west-1"),
            Site::new(AwsIso, "us-iso-east-1"),
        ),
        (
            Some("us-west-2"),
            &fips,
            "sts-fips.us-west-2.amazonaws.com",
            Site::new(Aws, "us-west-2"),
            Site::new(AwsCn, "cn-north-1"),
        ),
        (
            Some("us-east-1"),
            &fips,
            "sts-fips.us-east-1.amazonaws.com",
            Site::new(Aws, "us-east-1"),
            Site::new(AwsEusc, "eusc-de-east-1"),
        ),
        (
            Some("us-west-2"),
            &dual,
            "sts.us-west-2.api.aws",
            Site::new(Aws, "us-west-2"),
            Site::new(AwsCn, "cn-north-1"),
        ),
        // No region anywhere (the profile's is hidden): the global endpoint.
        (
            None,
            &[("AWS_CONFIG_FILE", "/nonexistent/aws-config")],
            "sts.amazonaws.com",
            Site::new(Aws, "us-east-1"),
            Site::new(AwsUsGov, "us-gov-west-1"),
        ),
    ];
    for (region, env, host, home, foreign) in cases {
        let t = token(&sandbox, region, env);
        let context = format!("{region:?} {env:?}");
        assert_eq!(token_host(&t), host, "{context}");
        let at = |site: &Site| {
            TokenVerifier {
                site: site.clone(),
                cluster_id: CLUSTER.into(),
                keys: vec![test_key()],
            }
            .verify(&t, now())
        };
        assert_eq!(
            at(&home),
            Ok(ACCESS_KEY_ID.to_owned()),
            "{context} in {home:?}"
        );
        assert!(
            matches!(at(&foreign), Err(Rejection::Host(_))),
            "{context} in {foreign:?}: {:?}",
            at(&foreign)
        );
    }
}

/// Temporary credentials: the session token travels in the URL and belongs to the key.
#[test]
fn session_token_is_signed_into_the_url() {
    let sandbox = Sandbox::new(true);
    let session = "IQoJb3JpZ2luX2VjE/e2e+session==";
    let t = token(
        &sandbox,
        Some(REGION),
        &[
            ("AWS_ACCESS_KEY_ID", "ASIAE2ETESTEXAMPLE02"),
            ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
            ("AWS_SESSION_TOKEN", session),
        ],
    );
    let mut v = TokenVerifier {
        site: Site::new(Partition::Aws, REGION),
        cluster_id: CLUSTER.into(),
        keys: vec![Key {
            access_key_id: "ASIAE2ETESTEXAMPLE02".into(),
            secret_access_key: SECRET_ACCESS_KEY.into(),
            session_token: Some(session.into()),
        }],
    };
    assert_eq!(v.verify(&t, now()), Ok("ASIAE2ETESTEXAMPLE02".to_owned()));
    v.keys[0].session_token = Some("another".into());
    assert_eq!(
        v.verify(&t, now()),
        Err(Rejection::Sts(StsRejection::SessionToken))
    );
}

// ---------------------------------------------------------------------------------------
// IAM Identity Center: `aws sso login`, then kubectl

/// A scripted response of a fake server for `method path`.
fn fake_response(method: &str, path: &str, body: String) -> compat_tests::case::ResponseSpec {
    let mut conditions = serde_json::Map::new();
    conditions.insert("method".into(), method.into());
    conditions.insert("path".into(), path.into());
    compat_tests::case::ResponseSpec {
        conditions,
        status: 200,
        content_type: Some("application/json".into()),
        headers: vec![],
        body: body.into_bytes(),
        delay: Duration::ZERO,
    }
}

fn fake_server(kind: &str, responses: Vec<compat_tests::case::ResponseSpec>) -> FakeServer {
    FakeServer::start(&compat_tests::case::ServerSpec {
        kind: kind.into(),
        port: 0,
        responses,
    })
    .expect("a fake server starts")
}

/// The morning routine, with nothing but our `aws` on PATH: `aws sso login` signs in
/// through the browser (the authorization code flow with PKCE; the stand-in browser plays
/// the user and the identity provider, fake SSO OIDC issues the token), then kubectl runs
/// `aws eks get-token` for the SSO profile: the token is signed with the role credentials
/// the fake SSO portal gives for the login's access token, and the API server accepts it.
#[test]
fn sso_login_then_kubectl() {
    const ACCESS_TOKEN: &str = "e2e-sso-access-token";
    const ROLE_KEY_ID: &str = "ASIAE2ESSOEXAMPLE03";
    const ROLE_SECRET: &str = "e2e/Sso+Role/Secret0wJalrXUtnFEMIK7MDENG";
    const ROLE_TOKEN: &str = "IQoJb3JpZ2luX2VjE/e2e+sso+session==";
    let sandbox = Sandbox::new(false);
    std::fs::write(
        sandbox.home().join(".aws/config"),
        format!(
            "[profile {PROFILE}]\nregion = eu-central-1\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = EksAdmin\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
        ),
    )
    .unwrap();
    let oidc = fake_server(
        "oidc",
        vec![
            fake_response("POST", "/client/register", format!("{{\"clientId\": \"e2e-client\", \"clientSecret\": \"e2e-client-secret\", \"clientSecretExpiresAt\": {}}}", now() + 90 * 86_400)),
            fake_response("POST", "/token", format!("{{\"accessToken\": \"{ACCESS_TOKEN}\", \"expiresIn\": 28800, \"refreshToken\": \"e2e-refresh\", \"tokenType\": \"Bearer\"}}")),
        ],
    );
    let portal = fake_server(
        "sso",
        vec![fake_response("GET", "/federation/credentials", format!("{{\"roleCredentials\": {{\"accessKeyId\": \"{ROLE_KEY_ID}\", \"secretAccessKey\": \"{ROLE_SECRET}\", \"sessionToken\": \"{ROLE_TOKEN}\", \"expiration\": {}}}}}", (now() + 3600) * 1000))],
    );
    let oidc_url = format!("http://127.0.0.1:{}", oidc.port());
    let portal_url = format!("http://127.0.0.1:{}", portal.port());

    let login = run(sandbox
        .command(&sandbox.bin().join("aws"))
        .args(["sso", "login", "--profile", PROFILE])
        .env(
            "BROWSER",
            format!("{} %s", env!("CARGO_BIN_EXE_stand-in-browser")),
        )
        .env("BROWSER_MODE", "approve")
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &oidc_url))
    .expect("aws sso login runs");
    let stdout = text(&login.stdout);
    println!(
        "aws sso login: rc {:?}\n{stdout}{}",
        login.status.code(),
        text(&login.stderr)
    );
    assert!(login.status.success(), "{}", text(&login.stderr));
    assert!(
        stdout.starts_with("Attempting to open your default browser.")
            && stdout
                .ends_with("Successfully logged into Start URL: https://corp.awsapps.com/start\n"),
        "{stdout}"
    );
    let opened = std::fs::read_to_string(sandbox.home().join("browser-opened.txt")).unwrap();
    assert!(opened.starts_with(&format!("{oidc_url}/authorize?response_type=code&client_id=e2e-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A")), "{opened}");
    let sso_requests = oidc.stop();
    assert_eq!(sso_requests.len(), 2, "{sso_requests:?}");
    assert_eq!(sso_requests[1]["json"]["grantType"], "authorization_code");
    assert_eq!(sso_requests[1]["json"]["code"], "authcode-123");

    let server = ApiServer::start(TokenVerifier {
        site: Site::new(Partition::Aws, REGION),
        cluster_id: CLUSTER.into(),
        keys: vec![Key {
            access_key_id: ROLE_KEY_ID.into(),
            secret_access_key: ROLE_SECRET.into(),
            session_token: Some(ROLE_TOKEN.into()),
        }],
    })
    .expect("the fake API server starts");
    for k in kubectls() {
        let kubeconfig = sandbox.kubeconfig(&server, CLUSTER, EXEC_APIS[0]);
        server.clear();
        let out = run(sandbox
            .command(&k.path)
            .env("KUBECONFIG", &kubeconfig)
            .env("AWS_ENDPOINT_URL_SSO", &portal_url)
            .args(["--request-timeout=20s", "get", "namespaces"]))
        .expect("kubectl runs");
        let context = format!("kubectl {}", k.git_version);
        assert!(out.status.success(), "{context}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("kube-system"), "{context}");
        let exchanges = server.exchanges();
        assert!(!exchanges.is_empty(), "{context}");
        for e in &exchanges {
            assert_eq!(
                e.auth,
                Auth::Accepted(ROLE_KEY_ID.into()),
                "{context}: {} {}",
                e.method,
                e.target
            );
        }
    }
    // One GetRoleCredentials, with the login's token; later calls used the CLI's cache.
    let portal_requests = portal.stop();
    assert_eq!(portal_requests.len(), 1, "{portal_requests:?}");
    assert_eq!(
        portal_requests[0]["headers"]["x-amz-sso_bearer_token"],
        ACCESS_TOKEN
    );
}
