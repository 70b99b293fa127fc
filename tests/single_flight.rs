//! Credential caching shared with the AWS CLI and one STS/SSO call for many processes:
//! bursts of concurrent cold calls make exactly one network call, every token they print is
//! correct, a second wave makes none, and the cache survives garbage, read-only
//! directories and the opt-out; `aws sso login` racing twenty refreshes of its session keeps
//! the new session. All servers on 127.0.0.1.

mod common;

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use aws_eks_token::aws::endpoint::{sts_endpoint, EndpointConfig};
use aws_eks_token::aws::sigv4::Credentials;
use aws_eks_token::time::UtcTime;
use aws_eks_token::token::token;
use common::{argv, assume_role_xml, aws_command, Reply, Server, ROLE, STATIC_KEYS};

const CLUSTER: &str = "burst";

fn spawn(home: &Path, args: &[&str], env: &[(String, String)]) -> Child {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    aws_command(Some(home), home, args, &env)
        .spawn()
        .expect("spawn aws-eks-token")
}

/// Start `n` processes at once and collect (rc, stdout, stderr) of each.
fn burst(
    n: usize,
    home: &Path,
    args: &[&str],
    env: &[(String, String)],
) -> Vec<(i32, String, String)> {
    let children: Vec<Child> = (0..n).map(|_| spawn(home, args, env)).collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    children
        .into_iter()
        .map(|child| {
            assert!(Instant::now() < deadline, "burst took too long");
            let out = child.wait_with_output().expect("wait");
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

fn get_token_args(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = argv("eks get-token --cluster-name burst --region us-west-2");
    args.extend_from_slice(extra);
    args
}

/// `YYYYMMDDTHHMMSSZ` → seconds since the epoch.
fn parse_amz_date(s: &str) -> i64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(4, 6), n(6, 8));
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + n(9, 11) * 3600 + n(11, 13) * 60 + n(13, 15)
}

/// The token printed must be exactly the one these credentials sign at its own X-Amz-Date
/// (for the STS endpoint `sts`, the configured one, or us-west-2's).
fn assert_token_signed_by(stdout: &str, creds: &Credentials, sts: Option<&Server>) {
    let url = common::token_url(stdout);
    let date = url
        .split("X-Amz-Date=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let endpoint = sts_endpoint(&EndpointConfig {
        region: Some("us-west-2".into()),
        configured_url: sts.map(Server::url),
        ..Default::default()
    })
    .unwrap();
    let expected = token(
        Some(creds),
        &endpoint,
        CLUSTER,
        UtcTime(parse_amz_date(date)),
    );
    let printed = stdout
        .split("\"token\": \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(
        printed, expected,
        "token not signed by {}",
        creds.access_key_id
    );
}

fn assumed(key_id: &str, secret: &str, token: &str) -> Credentials {
    Credentials {
        access_key_id: key_id.into(),
        secret_access_key: secret.into(),
        session_token: Some(token.into()),
        unusable: None,
    }
}

fn role_arn_env(sts: &Server) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = STATIC_KEYS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.push(("AWS_ENDPOINT_URL_STS".into(), sts.url()));
    env
}

/// Every file under `dir`: (path, contents).
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = vec![];
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn fifty_cold_role_arn_calls_make_one_assume_role() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIABURST"),
    )]);
    let args = get_token_args(&["--role-arn", ROLE]);
    let creds = assumed("ASIABURST", "assumedsecret", "assumedtoken");

    for (rc, stdout, stderr) in burst(50, home.path(), &args, &role_arn_env(&sts)) {
        assert_eq!(rc, 0, "{stderr}");
        assert_token_signed_by(&stdout, &creds, Some(&sts));
    }
    assert_eq!(
        sts.requests().len(),
        1,
        "cold burst: one AssumeRole in total"
    );

    for (rc, stdout, stderr) in burst(50, home.path(), &args, &role_arn_env(&sts)) {
        assert_eq!(rc, 0, "{stderr}");
        assert_token_signed_by(&stdout, &creds, Some(&sts));
    }
    assert_eq!(sts.requests().len(), 1, "warm wave: no call");

    // Our cache: private directory, private files in the CLI's layout, nothing left over.
    let dir = home.path().join(".cache/aws-eks-token/role-arn");
    let files = files_under(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    let entry: serde_json::Value = serde_json::from_slice(&files[0].1).unwrap();
    assert_eq!(entry["Credentials"]["AccessKeyId"], "ASIABURST");
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&files[0].0), 0o600);
    }
    // Nothing of ours under ~/.aws: the CLI does not cache --role-arn.
    assert!(!home.path().join(".aws").exists());
}

#[test]
fn fifty_cold_sso_calls_make_one_get_role_credentials() {
    let home = tempfile::tempdir().unwrap();
    let portal = Server::start(vec![Reply::Respond(
        200,
        "application/json",
        r#"{"roleCredentials": {"accessKeyId": "ASIASSOBURST", "secretAccessKey": "ssosecret", "sessionToken": "ssotoken", "expiration": 4070908800000}}"#.into(),
    )]);
    common::write(
        home.path(),
        ".aws/config",
        "[profile sso]\nsso_session = burst\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\n[sso-session burst]\nsso_start_url = https://burst.awsapps.com/start\nsso_region = us-east-1\n",
        0o644,
    );
    // The token `aws sso login` leaves (file name: sha1 of the session name).
    let token_file = format!(
        ".aws/sso/cache/{}.json",
        aws_eks_token::credentials::cache::sso_token_key("burst")
    );
    common::write(
        home.path(),
        &token_file,
        r#"{"startUrl": "https://burst.awsapps.com/start", "region": "us-east-1", "accessToken": "sso-access-token", "expiresAt": "2099-01-01T00:00:00Z"}"#,
        0o600,
    );
    let env = vec![
        ("AWS_PROFILE".to_string(), "sso".to_string()),
        ("AWS_ENDPOINT_URL_SSO".to_string(), portal.url()),
    ];
    let args = get_token_args(&[]);
    let creds = assumed("ASIASSOBURST", "ssosecret", "ssotoken");
    for _wave in 0..2 {
        for (rc, stdout, stderr) in burst(50, home.path(), &args, &env) {
            assert_eq!(rc, 0, "{stderr}");
            assert_token_signed_by(&stdout, &creds, None);
        }
        assert_eq!(
            portal.requests().len(),
            1,
            "one GetRoleCredentials in total"
        );
    }
    // The role credentials went into the AWS CLI's cache, where `aws` finds them too.
    let cached = files_under(&home.path().join(".aws/cli/cache"));
    assert_eq!(cached.len(), 1);
    #[cfg(unix)]
    assert_eq!(mode(&cached[0].0), 0o600);
}

#[test]
fn two_hundred_concurrent_calls_share_one_cache_without_torn_files() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIASTRESS"),
    )]);
    common::write(
        home.path(),
        ".aws/config",
        &format!("[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n\n[profile eks]\nrole_arn = {ROLE}\nsource_profile = base\n"),
        0o644,
    );
    let env = vec![
        ("AWS_PROFILE".to_string(), "eks".to_string()),
        ("AWS_ENDPOINT_URL_STS".to_string(), sts.url()),
    ];
    let creds = assumed("ASIASTRESS", "assumedsecret", "assumedtoken");
    let results = burst(200, home.path(), &get_token_args(&[]), &env);
    for (rc, stdout, stderr) in &results {
        assert_eq!(*rc, 0, "{stderr}");
        assert_token_signed_by(stdout, &creds, Some(&sts));
    }
    assert_eq!(sts.requests().len(), 1);
    for (path, content) in files_under(&home.path().join(".aws/cli/cache")) {
        assert!(
            !path.to_string_lossy().ends_with(".tmp"),
            "left over: {path:?}"
        );
        let v: serde_json::Value = serde_json::from_slice(&content).expect("a whole JSON file");
        assert_eq!(v["Credentials"]["AccessKeyId"], "ASIASTRESS");
    }
}

#[test]
fn garbage_written_over_the_cache_never_breaks_a_call() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAGARBAGE"),
    )]);
    let args = get_token_args(&["--role-arn", ROLE]);
    let env = role_arn_env(&sts);
    // Warm the cache once, then keep overwriting its file with garbage while calls run.
    let (rc, _, stderr) = burst(1, home.path(), &args, &env).remove(0);
    assert_eq!(rc, 0, "{stderr}");
    let dir = home.path().join(".cache/aws-eks-token/role-arn");
    let file = files_under(&dir).remove(0).0;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let vandal = {
        let (stop, file) = (stop.clone(), file.clone());
        std::thread::spawn(move || {
            let junk: [&[u8]; 4] = [
                b"",
                b"{\"Credentials\": {\"AccessKeyId\": \"ASIAEVIL\"",
                b"\x00\xff garbage",
                b"[1, 2, 3]",
            ];
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::fs::write(&file, junk[i % junk.len()]);
                i += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let results = burst(30, home.path(), &args, &env);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    vandal.join().unwrap();
    let creds = assumed("ASIAGARBAGE", "assumedsecret", "assumedtoken");
    for (rc, stdout, stderr) in results {
        assert_eq!(rc, 0, "{stderr}");
        assert!(!stdout.contains("ASIAEVIL"));
        assert_token_signed_by(&stdout, &creds, Some(&sts));
    }
}

#[test]
fn an_unwritable_cache_costs_only_speed_and_the_opt_out_makes_every_call() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        assume_role_xml("ASIAPLAIN"),
    )]);
    let args = get_token_args(&["--role-arn", ROLE]);
    let creds = assumed("ASIAPLAIN", "assumedsecret", "assumedtoken");

    // XDG_CACHE_HOME under a regular file: no directory can be made there.
    let blocker = home.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let mut env = role_arn_env(&sts);
    env.push((
        "XDG_CACHE_HOME".into(),
        blocker.join("cache").display().to_string(),
    ));
    for _ in 0..2 {
        let (rc, stdout, stderr) = burst(1, home.path(), &args, &env).remove(0);
        assert_eq!(rc, 0, "{stderr}");
        assert_token_signed_by(&stdout, &creds, Some(&sts));
    }
    assert_eq!(sts.requests().len(), 2, "no cache: a call each time");

    let mut env = role_arn_env(&sts);
    env.push(("AWS_EKS_TOKEN_NO_CACHE".into(), "1".into()));
    for _ in 0..2 {
        let (rc, stdout, stderr) = burst(1, home.path(), &args, &env).remove(0);
        assert_eq!(rc, 0, "{stderr}");
        assert_token_signed_by(&stdout, &creds, Some(&sts));
    }
    assert_eq!(sts.requests().len(), 4, "opted out: a call each time");
    assert!(!home.path().join(".cache/aws-eks-token").exists());
}

#[test]
fn credentials_that_expire_before_the_token_are_refreshed() {
    let home = tempfile::tempdir().unwrap();
    let soon = {
        // Valid for 10 more minutes: less than the token's 14, so never used.
        let t = UtcTime::now().plus_seconds(600).rfc3339();
        assume_role_xml("ASIASOON").replace("2099-01-02T04:04:05Z", &t)
    };
    let sts = Server::start(vec![
        Reply::Respond(200, "text/xml", soon),
        Reply::Respond(200, "text/xml", assume_role_xml("ASIALATER")),
    ]);
    let args = get_token_args(&["--role-arn", ROLE]);
    let env = role_arn_env(&sts);
    let (rc, stdout, _) = burst(1, home.path(), &args, &env).remove(0);
    assert_eq!(rc, 0);
    assert_token_signed_by(
        &stdout,
        &assumed("ASIASOON", "assumedsecret", "assumedtoken"),
        Some(&sts),
    );
    let (rc, stdout, _) = burst(1, home.path(), &args, &env).remove(0);
    assert_eq!(rc, 0);
    assert_token_signed_by(
        &stdout,
        &assumed("ASIALATER", "assumedsecret", "assumedtoken"),
        Some(&sts),
    );
    assert_eq!(sts.requests().len(), 2);
    // ... and the fresh ones are then reused.
    let (rc, stdout, _) = burst(1, home.path(), &args, &env).remove(0);
    assert_eq!(rc, 0);
    assert_token_signed_by(
        &stdout,
        &assumed("ASIALATER", "assumedsecret", "assumedtoken"),
        Some(&sts),
    );
    assert_eq!(sts.requests().len(), 2);
}

#[test]
fn a_different_source_identity_does_not_share_the_role_arn_cache() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![
        Reply::Respond(200, "text/xml", assume_role_xml("ASIAFIRST")),
        Reply::Respond(200, "text/xml", assume_role_xml("ASIASECOND")),
    ]);
    let args = get_token_args(&["--role-arn", ROLE]);
    let (rc, stdout, _) = burst(1, home.path(), &args, &role_arn_env(&sts)).remove(0);
    assert_eq!(rc, 0);
    assert_token_signed_by(
        &stdout,
        &assumed("ASIAFIRST", "assumedsecret", "assumedtoken"),
        Some(&sts),
    );
    let other = vec![
        ("AWS_ACCESS_KEY_ID".to_string(), "AKIDOTHER".to_string()),
        (
            "AWS_SECRET_ACCESS_KEY".to_string(),
            "othersecret".to_string(),
        ),
        ("AWS_ENDPOINT_URL_STS".to_string(), sts.url()),
    ];
    let (rc, stdout, _) = burst(1, home.path(), &args, &other).remove(0);
    assert_eq!(rc, 0);
    assert_token_signed_by(
        &stdout,
        &assumed("ASIASECOND", "assumedsecret", "assumedtoken"),
        Some(&sts),
    );
    assert_eq!(sts.requests().len(), 2);
}

/// aws-cli#10628: a login while many processes refresh the same session. Twenty get-token
/// processes (one role each, so no role lock keeps them apart) find the session's token
/// about to expire and refresh it, while `aws sso login` writes a new session. The fake
/// SSO OIDC rotates refresh tokens as the real one does (each is good for one refresh) and
/// answers refreshes slowly. Whatever the interleaving: every get-token succeeds, no
/// refresh uses a spent refresh token, at most one refresh happens, the token file is
/// never seen torn, and the session left is the one the login made.
#[test]
fn a_login_racing_twenty_refreshes_keeps_the_new_session() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    const N: usize = 20;
    let home = tempfile::tempdir().unwrap();
    let mut config = String::new();
    for i in 0..N {
        config.push_str(&format!(
            "[profile p{i}]\nsso_session = race\nsso_account_id = 123456789012\nsso_role_name = role-{i}\n\n"
        ));
    }
    config.push_str("[sso-session race]\nsso_start_url = https://race.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n");
    common::write(home.path(), ".aws/config", &config, 0o644);
    let token_path = home.path().join(format!(
        ".aws/sso/cache/{}.json",
        aws_eks_token::credentials::cache::sso_token_key("race")
    ));
    // Five minutes left: inside the refresh window.
    let expiring = UtcTime::now().plus_seconds(300).rfc3339();
    common::write(
        home.path(),
        &format!(
            ".aws/sso/cache/{}",
            token_path.file_name().unwrap().to_string_lossy()
        ),
        &format!(
            r#"{{"startUrl": "https://race.awsapps.com/start", "region": "us-east-1", "accessToken": "old-access", "expiresAt": "{expiring}", "clientId": "cid", "clientSecret": "csecret", "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": "refresh-0"}}"#
        ),
        0o600,
    );

    // SSO OIDC: refresh tokens rotate; a spent one is an invalid grant.
    let valid = Arc::new(Mutex::new(vec!["refresh-0".to_string()]));
    let (refreshes, spent) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let oidc = {
        let (valid, refreshes, spent) = (valid.clone(), refreshes.clone(), spent.clone());
        Server::route(move |req| {
            let ok = |body: &str| Reply::Respond(200, "application/json", body.to_string());
            let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
            match (req.path.as_str(), body["grantType"].as_str()) {
                ("/client/register", _) => ok(
                    r#"{"clientId": "cid-login", "clientSecret": "csecret-login", "clientSecretExpiresAt": 4070908800}"#,
                ),
                ("/device_authorization", _) => ok(
                    r#"{"deviceCode": "dc", "userCode": "UC", "verificationUri": "https://device.example/", "verificationUriComplete": "https://device.example/?user_code=UC", "expiresIn": 600, "interval": 1}"#,
                ),
                ("/token", Some("refresh_token")) => {
                    std::thread::sleep(Duration::from_millis(300));
                    let offered = body["refreshToken"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    let mut valid = valid.lock().unwrap();
                    if !valid.contains(&offered) {
                        spent.fetch_add(1, Ordering::SeqCst);
                        return Reply::RespondWith(
                            400,
                            "application/json",
                            vec![("x-amzn-ErrorType", "InvalidGrantException".into())],
                            r#"{"error": "invalid_grant"}"#.into(),
                        );
                    }
                    let n = refreshes.fetch_add(1, Ordering::SeqCst) + 1;
                    valid.retain(|t| *t != offered);
                    valid.push(format!("refresh-{n}"));
                    ok(&format!(
                        r#"{{"accessToken": "refreshed-access-{n}", "refreshToken": "refresh-{n}", "expiresIn": 28800, "tokenType": "Bearer"}}"#
                    ))
                }
                ("/token", _) => ok(
                    r#"{"accessToken": "login-access", "refreshToken": "login-refresh", "expiresIn": 28800, "tokenType": "Bearer"}"#,
                ),
                _ => Reply::Respond(404, "application/json", "{}".into()),
            }
        })
    };
    let portal = Server::start(vec![Reply::Respond(
        200,
        "application/json",
        r#"{"roleCredentials": {"accessKeyId": "ASIARACE", "secretAccessKey": "racesecret", "sessionToken": "racetoken", "expiration": 4070908800000}}"#.into(),
    )]);

    // A reader that looks at the token file all along: it must always be whole.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, path) = (stop.clone(), token_path.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(Ordering::SeqCst) {
                let bytes = std::fs::read(&path).expect("the token file is always there");
                let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                    panic!(
                        "torn token file ({e}): {:?}",
                        String::from_utf8_lossy(&bytes)
                    )
                });
                assert!(
                    doc["accessToken"].is_string() && doc["refreshToken"].is_string(),
                    "{doc}"
                );
                reads += 1;
            }
            reads
        })
    };

    let env = |profile: Option<String>| {
        let mut env = vec![
            ("AWS_ENDPOINT_URL_SSO".to_string(), portal.url()),
            ("AWS_ENDPOINT_URL_SSO_OIDC".to_string(), oidc.url()),
        ];
        env.extend(profile.map(|p| ("AWS_PROFILE".to_string(), p)));
        env
    };
    let args = get_token_args(&[]);
    let refreshers: Vec<Child> = (0..N)
        .map(|i| spawn(home.path(), &args, &env(Some(format!("p{i}")))))
        .collect();
    let login = spawn(
        home.path(),
        &argv("sso login --sso-session race --use-device-code --no-browser"),
        &env(None),
    );
    let login = login.wait_with_output().unwrap();
    assert_eq!(
        login.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );
    for child in refreshers {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_token_signed_by(
            &String::from_utf8_lossy(&out.stdout),
            &assumed("ASIARACE", "racesecret", "racetoken"),
            None,
        );
    }
    stop.store(true, Ordering::SeqCst);
    assert!(watcher.join().expect("the token file was never torn") > 0);

    assert_eq!(
        spent.load(Ordering::SeqCst),
        0,
        "a spent refresh token was used"
    );
    assert!(
        refreshes.load(Ordering::SeqCst) <= 1,
        "{} refreshes",
        refreshes.load(Ordering::SeqCst)
    );
    let left: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&token_path).unwrap()).unwrap();
    assert_eq!(
        left["accessToken"], "login-access",
        "the login's session was lost: {left}"
    );
    assert_eq!(left["refreshToken"], "login-refresh");
    // Every role call carried a live token: the old, a refreshed or the login's.
    for req in portal.requests() {
        let bearer = req.header("x-amz-sso_bearer_token").unwrap_or_default();
        assert!(
            bearer == "old-access"
                || bearer == "login-access"
                || bearer.starts_with("refreshed-access-"),
            "{bearer}"
        );
    }
    assert_eq!(portal.requests().len(), N);
}

/// Issue 16, finding 2 (gated processes need a POSIX shell).
#[cfg(unix)]
mod waiting {
    use super::*;

    /// Issue 16, finding 2: `n` processes of an assume-role profile whose source is a
    /// `credential_process` that holds every process at a gate until all `n` have started,
    /// then lets them go together (so the test does not depend on how fast processes start).
    /// Each process has its own source key id (`AKIDnnnn`), which its AssumeRole request
    /// carries: the server's log then says which process called when. STS answers in 0.3 s.
    struct Gated {
        home: tempfile::TempDir,
        n: usize,
    }

    impl Gated {
        fn new(n: usize, unwritable_cli_cache: bool) -> Gated {
            let home = tempfile::tempdir().unwrap();
            let h = home.path();
            let gate = "touch \"$HOME/ready.$$\"\nwhile [ ! -e \"$HOME/go\" ]; do sleep 0.01; done\nprintf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"s\"}' \"$GATED_KEY_ID\"\n";
            common::write(h, "gate.sh", gate, 0o755);
            common::write(
                h,
                ".aws/config",
                &format!(
                    "[profile src]\ncredential_process = /bin/sh {}/gate.sh\n\n[profile eks]\nrole_arn = {ROLE}\nsource_profile = src\n",
                    h.display()
                ),
                0o644,
            );
            if unwritable_cli_cache {
                // `~/.aws/cli` a file: the CLI's cache can be neither read nor written (also
                // for root, whom a read-only mode would not stop).
                common::write(h, ".aws/cli", "", 0o444);
            }
            Gated { home, n }
        }

        /// Run the `n` processes; (rc, stderr) of each, in key-id order, and how long the
        /// burst took from the gate's opening.
        fn run(&self, sts: &Server) -> (Vec<(i32, String)>, Duration) {
            let h = self.home.path();
            let children: Vec<Child> = (0..self.n)
                .map(|i| {
                    let env = vec![
                        ("AWS_PROFILE".to_string(), "eks".to_string()),
                        ("AWS_ENDPOINT_URL_STS".to_string(), sts.url()),
                        ("GATED_KEY_ID".to_string(), format!("AKID{i:04}")),
                    ];
                    spawn(h, &get_token_args(&["--debug"]), &env)
                })
                .collect();
            let deadline = Instant::now() + Duration::from_secs(120);
            let ready = || {
                std::fs::read_dir(h)
                    .unwrap()
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with("ready."))
                    .count()
            };
            while ready() < self.n {
                assert!(
                    Instant::now() < deadline,
                    "the processes never reached the gate"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
            let opened = Instant::now();
            std::fs::write(h.join("go"), "").unwrap();
            let results = children
                .into_iter()
                .map(|child| {
                    let out = child.wait_with_output().unwrap();
                    (
                        out.status.code().unwrap_or(-1),
                        String::from_utf8_lossy(&out.stderr).into_owned(),
                    )
                })
                .collect();
            (results, opened.elapsed())
        }
    }

    /// `YYYY-MM-DD HH:MM:SS,mmm` (a `--debug` line's time, TZ=UTC) → the wall clock.
    fn parse_asctime(s: &str) -> std::time::SystemTime {
        let amz = format!(
            "{}{}{}T{}{}{}Z",
            &s[0..4],
            &s[5..7],
            &s[8..10],
            &s[11..13],
            &s[14..16],
            &s[17..19]
        );
        let millis: u64 = s[20..23].parse().unwrap();
        std::time::UNIX_EPOCH
            + Duration::from_secs(parse_amz_date(&amz) as u64)
            + Duration::from_millis(millis)
    }

    /// Every process made exactly one AssumeRole call (none was shared, none repeated), and
    /// none waited for more than one other's call. Waiting is on the calls made under the
    /// lock (by the processes whose `--debug` says "taken"): when a waiter stopped waiting
    /// (its line "waited for one call"), at most one such call had ended — the holder's,
    /// whose result it could not use. A process without such lines (a build without the
    /// policy) counts as a holder, and as having waited until its request arrived.
    fn assert_each_waited_for_one_call_at_most(
        sts: &Server,
        results: &[(i32, String)],
        what: &str,
    ) {
        let seen = sts.requests();
        let key_of = |r: &common::Seen| {
            let auth = r.header("authorization").unwrap();
            auth.split("Credential=").nth(1).unwrap()[..8].to_string()
        };
        let mut keys: Vec<String> = seen.iter().map(key_of).collect();
        keys.sort();
        let expected: Vec<String> = (0..results.len()).map(|i| format!("AKID{i:04}")).collect();
        assert_eq!(keys, expected, "{what}: one call per process");
        let request_of = |i: usize| {
            let key = format!("AKID{i:04}");
            seen.iter().find(|r| key_of(r) == key).unwrap()
        };
        let turn = |stderr: &str| {
            stderr
                .lines()
                .find(|l| l.contains(" - aws_eks_token.single_flight - DEBUG - Lock "))
                .map(String::from)
        };
        let turns: Vec<Option<String>> = results.iter().map(|(_, e)| turn(e)).collect();
        let held: Vec<&common::Seen> = (0..results.len())
            .filter(|&i| {
                !turns[i]
                    .as_ref()
                    .is_some_and(|t| t.ends_with(": waited for one call"))
            })
            .map(request_of)
            .collect();
        let mut waited_for = vec![];
        for (i, turn) in turns.iter().enumerate() {
            let stopped = match turn {
                Some(line) if line.ends_with(": waited for one call") => parse_asctime(line),
                Some(line) if line.ends_with(": taken") => continue,
                _ => request_of(i).received,
            };
            // The log's time is cut to the millisecond.
            let ended = held
                .iter()
                .filter(|o| {
                    o.answered
                        .is_some_and(|a| a + Duration::from_millis(1) <= stopped)
                })
                .count();
            waited_for.push(ended);
        }
        let most = waited_for.iter().max().copied().unwrap_or(0);
        assert!(
            most <= 1,
            "{what}: a process stopped waiting after {most} calls made under the lock had ended (for each waiter: {waited_for:?})"
        );
        // For the report: how many calls were in flight at once.
        let in_flight = seen
            .iter()
            .map(|r| {
                seen.iter()
                    .filter(|o| {
                        o.received <= r.received && o.answered.is_some_and(|a| a > r.received)
                    })
                    .count()
            })
            .max()
            .unwrap_or(0);
        eprintln!(
            "{what}: {} calls under the lock, at most {in_flight} in flight at once",
            held.len()
        );
    }

    fn short_lived_xml(key_id: &str) -> String {
        // Valid for 10 more minutes: less than the 15 the cache asks for.
        let t = UtcTime::now().plus_seconds(600).rfc3339();
        assume_role_xml(key_id).replace("2099-01-02T04:04:05Z", &t)
    }

    #[test]
    fn a_result_that_cannot_be_shared_releases_every_waiter_at_once() {
        let slow = Duration::from_millis(300);
        let cases: [(&str, usize, bool, Reply, i32); 3] = [
            (
                "unwritable cache",
                100,
                true,
                Reply::Delayed(slow, 200, "text/xml", assume_role_xml("ASIAPLAIN")),
                0,
            ),
            (
                "short-lived credentials",
                40,
                false,
                Reply::Delayed(slow, 200, "text/xml", short_lived_xml("ASIASHORT")),
                0,
            ),
            (
                "AccessDenied",
                40,
                false,
                Reply::Delayed(
                    slow,
                    403,
                    "text/xml",
                    common::sts_error_xml("AccessDenied", "not allowed"),
                ),
                254,
            ),
        ];
        for (what, n, unwritable, reply, rc) in cases {
            let sts = Server::start(vec![reply]);
            let gated = Gated::new(n, unwritable);
            let (results, took) = gated.run(&sts);
            for (code, stderr) in &results {
                assert_eq!(*code, rc, "{what}: {stderr}");
            }
            eprintln!("{what}: {n} processes took {took:?} (STS answers in {slow:?})");
            assert_each_waited_for_one_call_at_most(&sts, &results, what);
        }
    }
}
