//! Our binary and the real AWS CLI v2.36.7 at the same time on one `~/.aws/cli/cache` and
//! `~/.aws/sso/cache`: an assume-role profile, and an SSO profile whose token needs a refresh,
//! 20 processes of each tool per profile, against fake STS, SSO portal and SSO OIDC servers
//! (ephemeral ports on 127.0.0.1; the OIDC rotates refresh tokens: each works once).
//!
//! The credentials and tokens the servers hand out are fresh for about a second only (they
//! expire just over 15 minutes later, and both tools renew what has less than 15 minutes
//! left), and the processes start spread over a few seconds, so both tools keep renewing and
//! rewriting the same cache files while the others read them.
//!
//! Asserted: every call of ours succeeds; no cache file is ever seen torn while only ours
//! writes (every cache file is read continuously during the runs), so a torn read in a mixed
//! round is the CLI's in-place write; no SSO session is lost because of us (the token file
//! never ends up holding a refresh token other than the latest one when we were the one who
//! obtained it). What the CLI breaks on its own and next to us (its failures, torn files) is
//! printed.
//!
//! Skipped (passing, with a message) without the reference: `AWS_CLI_V2`, else
//! `${XDG_CACHE_HOME:-~/.cache}/awscli-v2.36.7/bin/aws`.

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PER_TOOL: usize = 20;
const MIXED_ROUNDS: usize = 2;
/// Seconds over which a round's processes are started.
const SPREAD: f64 = 3.0;
/// Lifetime of what the servers hand out: renewed by the next process a second later.
const LIFETIME: i64 = 15 * 60 + 1;
const SSO_SESSION: &str = "shared";
const START_URL: &str = "https://shared.awsapps.com/start";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Tool {
    Ours,
    Cli,
}

fn tool_of(user_agent: &str) -> Tool {
    if user_agent.contains("aws-eks-token") {
        Tool::Ours
    } else {
        Tool::Cli
    }
}

// ------------------------------------------------------------------ a tiny HTTP server

struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

type Handler = Arc<dyn Fn(&Req) -> (u16, &'static str, String) + Send + Sync>;

/// Serves `handler` on an ephemeral port until `stop` is set; one request per connection.
fn serve(handler: Handler, stop: Arc<AtomicBool>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, _)) => {
                    let h = Arc::clone(&handler);
                    std::thread::spawn(move || answer(stream, &h));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
    });
    port
}

fn answer(stream: TcpStream, handler: &Handler) {
    let _ = stream.set_nonblocking(false);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let req = Req {
        method,
        path,
        headers,
        body,
    };
    let (status, ctype, text) = handler(&req);
    let mut out = stream;
    let _ = write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

// ------------------------------------------------------------------ the fake services

#[derive(Default)]
struct State {
    /// The one refresh token OIDC accepts now.
    refresh: String,
    issued: u32,
    access_tokens: HashSet<String>,
    /// (tool, refresh token used, refresh token obtained or None when refused)
    refreshes: Vec<(Tool, String, Option<String>)>,
    assume_role: BTreeMap<Tool, usize>,
    role_credentials: BTreeMap<Tool, usize>,
    refused_portal: BTreeMap<Tool, usize>,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Seconds since the epoch → `2024-01-02T03:04:05Z`.
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // H. Hinnant's civil_from_days.
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn start_services(state: Arc<Mutex<State>>, stop: Arc<AtomicBool>) -> (u16, u16, u16) {
    let st = Arc::clone(&state);
    let sts = serve(
        Arc::new(move |r: &Req| {
            let tool = tool_of(r.header("user-agent"));
            *st.lock().unwrap().assume_role.entry(tool).or_default() += 1;
            let body = format!(
                "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey><SessionToken>roletoken</SessionToken><Expiration>{}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/shared/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>",
                rfc3339(now_secs() + LIFETIME)
            );
            (200, "text/xml", body)
        }),
        Arc::clone(&stop),
    );
    let st = Arc::clone(&state);
    let portal = serve(
        Arc::new(move |r: &Req| {
            let tool = tool_of(r.header("user-agent"));
            let mut s = st.lock().unwrap();
            if r.method != "GET"
                || !r.path.starts_with("/federation/credentials")
                || !s.access_tokens.contains(r.header("x-amz-sso_bearer_token"))
            {
                *s.refused_portal.entry(tool).or_default() += 1;
                return (
                    401,
                    "application/json",
                    "{\"message\": \"Session token not found or invalid\"}".into(),
                );
            }
            *s.role_credentials.entry(tool).or_default() += 1;
            let body = json!({"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": "ssosecret",
                "sessionToken": "ssotoken", "expiration": (now_secs() + LIFETIME) * 1000}});
            (200, "application/json", body.to_string())
        }),
        Arc::clone(&stop),
    );
    let st = state;
    let oidc = serve(
        Arc::new(move |r: &Req| {
            let tool = tool_of(r.header("user-agent"));
            let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            let used = body["refreshToken"].as_str().unwrap_or("").to_owned();
            let mut s = st.lock().unwrap();
            if used != s.refresh {
                s.refreshes.push((tool, used, None));
                return (
                    400,
                    "application/json",
                    "{\"error\": \"invalid_grant\", \"error_description\": \"refresh token already used\"}".into(),
                );
            }
            s.issued += 1;
            let (access, refresh) = (format!("at-{}", s.issued), format!("rt-{}", s.issued));
            s.access_tokens.insert(access.clone());
            s.refresh = refresh.clone();
            s.refreshes.push((tool, used, Some(refresh.clone())));
            let body = json!({"accessToken": access, "expiresIn": LIFETIME, "refreshToken": refresh, "tokenType": "Bearer"});
            (200, "application/json", body.to_string())
        }),
        stop,
    );
    (sts, portal, oidc)
}

// ------------------------------------------------------------------ the home and the runs

fn ours() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    match std::env::var_os("AWS_EKS_TOKEN_BIN").filter(|b| !b.is_empty()) {
        Some(b) => root.join(b),
        None => root.join("target/release/aws-eks-token"),
    }
}

fn token_path(home: &Path) -> PathBuf {
    let name: String = sha1_hex(SSO_SESSION);
    home.join(format!(".aws/sso/cache/{name}.json"))
}

fn sha1_hex(s: &str) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A cold start: no cached credentials, an SSO token 5 minutes from expiry (so every
/// process wants to refresh it), OIDC accepting `rt-0` only.
fn reset(home: &Path, state: &Mutex<State>) {
    let _ = std::fs::remove_dir_all(home.join(".aws/cli/cache"));
    let _ = std::fs::remove_dir_all(home.join(".cache/aws-eks-token"));
    std::fs::create_dir_all(home.join(".aws/sso/cache")).unwrap();
    let token = json!({"startUrl": START_URL, "region": "us-east-1", "accessToken": "at-0",
        "expiresAt": rfc3339(now_secs() + 300), "clientId": "client-id", "clientSecret": "client-secret",
        "registrationExpiresAt": rfc3339(now_secs() + 30 * 86400), "refreshToken": "rt-0"});
    std::fs::write(token_path(home), token.to_string()).unwrap();
    let mut s = state.lock().unwrap();
    *s = State::default();
    s.refresh = "rt-0".into();
    s.access_tokens.insert("at-0".into());
}

fn write_config(home: &Path) {
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(
        home.join(".aws/config"),
        format!(
            "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n\n\
             [profile role]\nrole_arn = arn:aws:iam::123456789012:role/shared\nsource_profile = base\nregion = us-west-2\n\n\
             [profile sso]\nsso_session = {SSO_SESSION}\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-west-2\n\n\
             [sso-session {SSO_SESSION}]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
        ),
    )
    .unwrap();
}

struct Env {
    home: PathBuf,
    sts: u16,
    portal: u16,
    oidc: u16,
}

fn spawn(bin: &Path, env: &Env, profile: &str) -> Child {
    Command::new(bin)
        .args(["eks", "get-token", "--cluster-name", "shared"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &env.home)
        .env("TZ", "UTC")
        .env("LANG", "C.UTF-8")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PROFILE", profile)
        .env(
            "AWS_ENDPOINT_URL_STS",
            format!("http://127.0.0.1:{}", env.sts),
        )
        .env(
            "AWS_ENDPOINT_URL_SSO",
            format!("http://127.0.0.1:{}", env.portal),
        )
        .env(
            "AWS_ENDPOINT_URL_SSO_OIDC",
            format!("http://127.0.0.1:{}", env.oidc),
        )
        .current_dir(&env.home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// A cache file read that was not a whole JSON object: path below HOME, bytes read.
type TornRead = (String, Vec<u8>);

/// Every cache file's content as read, again and again, until `stop`: the reads that were
/// not a whole JSON object (path, bytes).
fn watch(home: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<(usize, Vec<TornRead>)> {
    std::thread::spawn(move || {
        let dirs = [
            home.join(".aws/cli/cache"),
            home.join(".aws/sso/cache"),
            home.join(".cache/aws-eks-token"),
        ];
        let mut reads = 0;
        let mut torn = Vec::new();
        let mut seen: HashSet<(String, u64, Vec<u8>)> = HashSet::new();
        while !stop.load(Ordering::SeqCst) {
            let mut stack: Vec<PathBuf> = dirs.to_vec();
            while let Some(dir) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for e in entries.flatten() {
                    let p = e.path();
                    let name = e.file_name().to_string_lossy().into_owned();
                    if p.is_dir() {
                        stack.push(p);
                        continue;
                    }
                    // Our temporary files (renamed into place when whole) and the CLI's
                    // telemetry database are not cache entries.
                    if !name.ends_with(".json") || name.starts_with('.') {
                        continue;
                    }
                    let Ok(bytes) = std::fs::read(&p) else {
                        continue; // replaced or removed meanwhile
                    };
                    reads += 1;
                    let whole =
                        serde_json::from_slice::<Value>(&bytes).is_ok_and(|v| v.is_object());
                    if !whole {
                        let ino = std::fs::metadata(&p).map_or(0, |m| m.ino());
                        let rel = p
                            .strip_prefix(&home)
                            .unwrap()
                            .to_string_lossy()
                            .into_owned();
                        if seen.insert((rel.clone(), ino, bytes.clone())) {
                            torn.push((rel, bytes));
                        }
                    }
                }
            }
            std::thread::yield_now();
        }
        (reads, torn)
    })
}

struct Round {
    failures: BTreeMap<Tool, Vec<String>>,
    torn: Vec<TornRead>,
    reads: usize,
}

fn round(env: &Env, state: &Mutex<State>, tools: &[(Tool, &Path)]) -> Round {
    reset(&env.home, state);
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch(env.home.clone(), Arc::clone(&stop));
    let mut children = Vec::new();
    let pause = Duration::from_secs_f64(SPREAD / (PER_TOOL * tools.len() * 2) as f64);
    for _ in 0..PER_TOOL {
        for &(tool, bin) in tools {
            for profile in ["role", "sso"] {
                children.push((tool, profile, spawn(bin, env, profile)));
                std::thread::sleep(pause);
            }
        }
    }
    let mut failures: BTreeMap<Tool, Vec<String>> = BTreeMap::new();
    for (tool, profile, child) in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let ok = out.status.success()
            && serde_json::from_str::<Value>(&stdout).is_ok_and(|v| {
                v["status"]["token"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("k8s-aws-v1."))
            });
        if !ok {
            failures.entry(tool).or_default().push(format!(
                "profile {profile}: rc {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    stop.store(true, Ordering::SeqCst);
    let (reads, torn) = watcher.join().unwrap();
    Round {
        failures,
        torn,
        reads,
    }
}

/// The SSO session after a round: `Err` says why it is lost and who obtained the token on disk.
fn session_state(env: &Env, state: &Mutex<State>) -> Result<(), (Option<Tool>, String)> {
    let s = state.lock().unwrap();
    let bytes =
        std::fs::read(token_path(&env.home)).map_err(|e| (None, format!("token file: {e}")))?;
    let token: Value = serde_json::from_slice(&bytes).map_err(|e| {
        (
            None,
            format!(
                "token file is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&bytes)
            ),
        )
    })?;
    let on_disk = token["refreshToken"].as_str().unwrap_or("");
    if on_disk == s.refresh {
        return Ok(());
    }
    let obtained_by = s
        .refreshes
        .iter()
        .find(|(_, _, got)| got.as_deref() == Some(on_disk))
        .map(|(t, _, _)| *t);
    Err((
        obtained_by,
        format!(
            "the token file holds refresh token {on_disk:?}, the latest is {:?}",
            s.refresh
        ),
    ))
}

fn summary(s: &State) -> String {
    let count = |t: Tool| {
        let ok = s
            .refreshes
            .iter()
            .filter(|(x, _, g)| *x == t && g.is_some())
            .count();
        let refused = s
            .refreshes
            .iter()
            .filter(|(x, _, g)| *x == t && g.is_none())
            .count();
        format!(
            "{t:?}: AssumeRole {}, GetRoleCredentials {} (refused {}), token refreshes {ok} (refused {refused})",
            s.assume_role.get(&t).unwrap_or(&0),
            s.role_credentials.get(&t).unwrap_or(&0),
            s.refused_portal.get(&t).unwrap_or(&0),
        )
    };
    format!("{}; {}", count(Tool::Ours), count(Tool::Cli))
}

fn report_cli(r: &Round) {
    if let Some(f) = r.failures.get(&Tool::Cli) {
        println!("  the CLI failed {} times, e.g. {}", f.len(), f[0]);
    }
    for (path, bytes) in &r.torn {
        println!(
            "  torn read of {path} (the CLI writes in place): {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn shared_caches_under_load_with_the_real_cli() {
    let Some(cli) = compat_tests::reference_cli().unwrap() else {
        println!("shared_cache: SKIPPED: no reference AWS CLI v2.36.7 (set AWS_CLI_V2 or run scripts/setup)");
        return;
    };
    let ours = ours();
    assert!(
        ours.is_file(),
        "{} missing: cargo build --release",
        ours.display()
    );
    let home = tempfile::tempdir().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let (sts, portal, oidc) = start_services(Arc::clone(&state), Arc::clone(&stop));
    let env = Env {
        home: home.path().canonicalize().unwrap(),
        sts,
        portal,
        oidc,
    };
    write_config(&env.home);

    // Ours alone: 2 × 20 processes. Not one torn read.
    let r = round(&env, &state, &[(Tool::Ours, &ours)]);
    println!(
        "ours alone: {} reads, {}",
        r.reads,
        summary(&state.lock().unwrap())
    );
    assert!(r.failures.is_empty(), "ours failed: {:#?}", r.failures);
    assert!(
        r.torn.is_empty(),
        "torn cache files with only ours writing: {:?}",
        r.torn
    );
    assert!(
        session_state(&env, &state).is_ok(),
        "{:?}",
        session_state(&env, &state)
    );

    // The CLI alone, for comparison: what it breaks by itself.
    let r = round(&env, &state, &[(Tool::Cli, &cli)]);
    println!(
        "the CLI alone: {} reads, {}",
        r.reads,
        summary(&state.lock().unwrap())
    );
    report_cli(&r);
    if let Err((_, why)) = session_state(&env, &state) {
        println!("  the CLI alone lost the SSO session: {why}");
    }

    // Ours and the CLI together.
    let mut cli_torn = 0;
    let mut problems = Vec::new();
    for n in 0..MIXED_ROUNDS {
        let r = round(&env, &state, &[(Tool::Ours, &ours), (Tool::Cli, &cli)]);
        println!(
            "mixed round {n}: {} reads, {}",
            r.reads,
            summary(&state.lock().unwrap())
        );
        if let Some(f) = r.failures.get(&Tool::Ours) {
            problems.push(format!(
                "round {n}: {} calls of ours failed: {f:#?}",
                f.len()
            ));
        }
        report_cli(&r);
        cli_torn += r.torn.len();
        match session_state(&env, &state) {
            Ok(()) => {}
            Err((Some(Tool::Ours), why)) | Err((None, why)) => {
                problems.push(format!("round {n}: SSO session lost: {why}"))
            }
            Err((Some(Tool::Cli), why)) => println!("  the CLI lost the SSO session: {why}"),
        }
    }
    println!("torn reads caused by the CLI over {MIXED_ROUNDS} mixed rounds: {cli_torn}");
    stop.store(true, Ordering::SeqCst);
    assert!(problems.is_empty(), "{problems:#?}");
}
