//! `--debug` logs the CLI's milestones and never a secret: every credential source runs
//! against fake servers on 127.0.0.1 with distinctive secrets planted (keys, session
//! tokens, SSO access/refresh tokens, the client secret, the web identity token, container
//! authorization tokens, and the credentials the servers return), and neither stderr nor
//! stdout apart from the token contains any of them, raw or URL-encoded. `aws sso login` (both
//! flows) and `aws sso logout` are checked the same way, with the client secret, the device
//! and authorization codes, the PKCE verifier and the new tokens planted.

mod common;

use std::time::Duration;

use common::*;

const LIMIT: Duration = Duration::from_secs(15);
const ARGS: [&str; 7] = [
    "--debug",
    "eks",
    "get-token",
    "--cluster-name",
    "my-cluster",
    "--region",
    "us-west-2",
];

/// Planted secrets: each has `/`, `+` and `=` so that its URL-encoded forms differ.
const ENV_SECRET: &str = "envSecretKey/Zq9+Wx=";
const ENV_TOKEN: &str = "envSessionToken/Qm7+Rt==";
const FILE_SECRET: &str = "fileSecretKey/Hs4+Lp=";
const FILE_TOKEN: &str = "fileSessionToken/Ty2+Vb==";
const ASSUMED_SECRET: &str = "assumedSecretKey/Nc8+Gk=";
const ASSUMED_TOKEN: &str = "assumedSessionToken/Jw3+Ue==";
const WEB_IDENTITY_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.webIdentityJwt/Pa5+Dq=.c2ln";
const SSO_ACCESS: &str = "ssoAccessToken/Xe6+Fm=";
const SSO_REFRESH: &str = "ssoRefreshToken/Kb1+Oy=";
const SSO_CLIENT_SECRET: &str = "ssoClientSecret/Ri0+Sv=";
const SSO_NEW_ACCESS: &str = "ssoNewAccessToken/Cg2+Lh=";
const SSO_NEW_REFRESH: &str = "ssoNewRefreshToken/Bz9+Tw=";
const PORTAL_SECRET: &str = "portalSecretKey/Mu4+Ia=";
const PORTAL_TOKEN: &str = "portalSessionToken/Ef7+Yn==";
const PROCESS_SECRET: &str = "processSecretKey/Wd3+Hc=";
const PROCESS_TOKEN: &str = "processSessionToken/Ol5+Gr==";
const CONTAINER_AUTH: &str = "containerAuthToken/Va8+Qs=";
const CONTAINER_SECRET: &str = "containerSecretKey/Ip6+Nx=";
const CONTAINER_TOKEN: &str = "containerSessionToken/Zk1+Wj==";
const IMDS_SESSION: &str = "imdsSessionToken/Ue4+Ft=";
const IMDS_SECRET: &str = "imdsSecretKey/Sa2+Rm=";
const IMDS_TOKEN: &str = "imdsRoleSessionToken/Yb8+Pc==";

/// Python's `quote(s, safe)` (upper-case hex).
fn quote(s: &str, safe: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "_.-~".contains(c) || safe.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Every form a secret could take in a log line: raw, URL-encoded (`quote(s, safe='')`,
/// with `/` kept, lower-case hex), form-encoded (`+` for spaces, `%20`), JSON-escaped.
fn forms(secret: &str) -> Vec<String> {
    let q = quote(secret, "");
    vec![
        secret.to_string(),
        q.clone(),
        quote(secret, "/"),
        q.to_lowercase(),
        q.replace("%20", "+"),
        secret.replace(' ', "%20"),
        secret.replace('/', "\\/"),
    ]
}

/// The token string in stdout (`k8s-aws-v1.…`).
fn token_of(stdout: &str) -> &str {
    let start = stdout.find("k8s-aws-v1.").expect("a token on stdout");
    let rest = &stdout[start..];
    &rest[..rest.find('"').unwrap_or(rest.len())]
}

/// Run with `--debug`, expect a token, the milestones (and `found`), and no secret.
fn check(
    home: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
    found: &str,
    secrets: &[&str],
) -> Outcome {
    let out = run(home, args, env, LIMIT);
    assert_eq!(out.rc, 0, "stderr: {}", out.stderr);
    let err = &out.stderr;
    for milestone in [
        "- MainThread - awscli.clidriver - DEBUG - CLI version: aws-eks-token/",
        "(the EKS commands of AWS CLI v2.36.7)",
        "- awscli.clidriver - DEBUG - Arguments entered to CLI: ['--debug', 'eks', 'get-token',",
        found,
        "- botocore.regions - DEBUG - Calling endpoint provider with parameters: {'Region': 'us-west-2',",
        "- botocore.regions - DEBUG - Endpoint provider result: ",
        "- botocore.auth - DEBUG - Calculating signature using v4 auth.",
        "- botocore.auth - DEBUG - CanonicalRequest:\nGET\n/\nAction=GetCallerIdentity&",
        "- botocore.auth - DEBUG - StringToSign:\nAWS4-HMAC-SHA256\n",
        "- botocore.auth - DEBUG - Signature:\n(redacted)\n",
    ] {
        assert!(err.contains(milestone), "no {milestone:?} in:\n{err}");
    }
    // Both version lines, as the CLI logs them (first pass and main parser).
    assert_eq!(
        err.matches("CLI version: aws-eks-token/").count(),
        2,
        "{err}"
    );
    // Every line starts with the CLI's record format.
    for line in err.lines().filter(|l| l.contains(" - MainThread - ")) {
        let (stamp, _) = line.split_once(" - MainThread - ").unwrap();
        assert_eq!(stamp.len(), 23, "{line}");
        assert_eq!(&stamp[19..20], ",", "{line}");
    }

    let token = token_of(&out.stdout);
    let url = token_url(&out.stdout);
    let signature = url.rsplit_once("X-Amz-Signature=").unwrap().1;
    let rest_of_stdout = out.stdout.replace(token, "");
    for secret in secrets {
        for form in forms(secret) {
            assert!(
                !err.contains(&form),
                "{form:?} (of {secret:?}) in stderr:\n{err}"
            );
            assert!(
                !rest_of_stdout.contains(&form),
                "{form:?} in stdout:\n{rest_of_stdout}"
            );
        }
    }
    assert!(!err.contains(signature), "the token's signature in stderr");
    assert!(
        !err.contains(&token[11..40]),
        "the token's base64 in stderr"
    );
    assert!(!err.contains(&url[..url.find('?').unwrap()]) || !err.contains("X-Amz-Signature="));
    out
}

/// Every `Signature=` of the requests a server saw must stay out of the log.
fn assert_request_signatures_hidden(server: &Server, stderr: &str) {
    for seen in server.requests() {
        if let Some(auth) = seen.header("authorization") {
            if let Some((_, sig)) = auth.rsplit_once("Signature=") {
                assert!(!stderr.contains(sig), "request signature in stderr");
            }
            assert!(!stderr.contains(auth), "authorization header in stderr");
        }
    }
}

fn sts_xml(action: &str, key_id: &str, secret: &str, token: &str) -> String {
    format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result><Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken><Expiration>2099-01-02T04:04:05Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/eks-admin/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></{action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{action}Response>"
    )
}

fn http_lines(stderr: &str) {
    for milestone in [
        "- botocore.endpoint - DEBUG - Sending http request: <AWSPreparedRequest stream_output=False, method=",
        "- urllib3.connectionpool - DEBUG - http://127.0.0.1:",
        "- botocore.parsers - DEBUG - Response headers: {",
        "- botocore.parsers - DEBUG - Response body:\n",
    ] {
        assert!(stderr.contains(milestone), "no {milestone:?} in:\n{stderr}");
    }
}

#[test]
fn environment_keys_with_a_session_token() {
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("AWS_ACCESS_KEY_ID", "ASIAENVEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", ENV_SECRET),
        ("AWS_SESSION_TOKEN", ENV_TOKEN),
    ];
    let out = check(
        home.path(),
        &ARGS,
        &env,
        "- botocore.credentials - INFO - Found credentials in environment variables.\n",
        &[ENV_SECRET, ENV_TOKEN],
    );
    assert!(out.stderr.contains("X-Amz-Security-Token=(redacted)&"));
    // The token does carry the session token: only the log must not.
    assert!(token_url(&out.stdout).contains(&quote(ENV_TOKEN, "")));
}

#[test]
fn shared_credentials_file_with_a_session_token() {
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        ".aws/credentials",
        &format!("[dev]\naws_access_key_id = ASIAFILEEXAMPLE\naws_secret_access_key = {FILE_SECRET}\naws_session_token = {FILE_TOKEN}\n"),
        0o600,
    );
    check(
        home.path(),
        &ARGS,
        &[("AWS_PROFILE", "dev")],
        "- botocore.credentials - INFO - Found credentials in shared credentials file: ~/.aws/credentials\n",
        &[FILE_SECRET, FILE_TOKEN],
    );
}

#[test]
fn assume_role_profile() {
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        ".aws/credentials",
        &format!("[src]\naws_access_key_id = ASIASRCEXAMPLE\naws_secret_access_key = {FILE_SECRET}\naws_session_token = {FILE_TOKEN}\n"),
        0o600,
    );
    write(
        home.path(),
        ".aws/config",
        &format!("[profile eks]\nrole_arn = {ROLE}\nsource_profile = src\nexternal_id = ext-1\n"),
        0o644,
    );
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        sts_xml("AssumeRole", "ASIAASSUMED", ASSUMED_SECRET, ASSUMED_TOKEN),
    )]);
    let url = sts.url();
    let out = check(
        home.path(),
        &ARGS,
        &[("AWS_PROFILE", "eks"), ("AWS_ENDPOINT_URL_STS", &url)],
        "- botocore.credentials - INFO - Found credentials via assume-role: profile eks\n",
        &[FILE_SECRET, FILE_TOKEN, ASSUMED_SECRET, ASSUMED_TOKEN],
    );
    http_lines(&out.stderr);
    let err = &out.stderr;
    assert!(
        err.contains("'Authorization': 'AWS4-HMAC-SHA256 Credential=ASIASRCEXAMPLE/"),
        "{err}"
    );
    assert!(err.contains("Signature=(redacted)'"), "{err}");
    assert!(
        err.contains("'X-Amz-Security-Token': '(redacted)'"),
        "{err}"
    );
    assert!(err.contains("\nx-amz-security-token:(redacted)\n"), "{err}");
    assert!(
        err.contains(
            "<SecretAccessKey>(redacted)</SecretAccessKey><SessionToken>(redacted)</SessionToken>"
        ),
        "{err}"
    );
    assert!(
        err.contains("Action=AssumeRole&Version=2011-06-15&"),
        "{err}"
    );
    assert_eq!(sts.requests().len(), 1);
    assert_request_signatures_hidden(&sts, err);
}

fn web_identity(from_profile: bool) {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), "token", WEB_IDENTITY_TOKEN, 0o600);
    let token_file = home.path().join("token").display().to_string();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        sts_xml(
            "AssumeRoleWithWebIdentity",
            "ASIAWEBID",
            ASSUMED_SECRET,
            ASSUMED_TOKEN,
        ),
    )]);
    let url = sts.url();
    let mut env = vec![("AWS_ENDPOINT_URL_STS", url.as_str())];
    if from_profile {
        write(
            home.path(),
            ".aws/config",
            &format!("[profile wi]\nrole_arn = {ROLE}\nweb_identity_token_file = {token_file}\nrole_session_name = pod\n"),
            0o644,
        );
        env.push(("AWS_PROFILE", "wi"));
    } else {
        env.extend([
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.as_str()),
            ("AWS_ROLE_ARN", ROLE),
        ]);
    }
    let out = check(
        home.path(),
        &ARGS,
        &env,
        "- botocore.credentials - INFO - Found credentials via assume-role-with-web-identity.\n",
        &[WEB_IDENTITY_TOKEN, ASSUMED_SECRET, ASSUMED_TOKEN],
    );
    http_lines(&out.stderr);
    assert!(
        out.stderr.contains("&WebIdentityToken=(redacted)'"),
        "{}",
        out.stderr
    );
    // The call really carried the token.
    assert!(sts.requests()[0]
        .body
        .contains(&quote(WEB_IDENTITY_TOKEN, "")));
}

#[test]
fn web_identity_from_the_environment() {
    web_identity(false);
}

#[test]
fn web_identity_from_a_profile() {
    web_identity(true);
}

const SSO_CONFIG: &str = "[profile sso]\nsso_session = my-sso\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\n[sso-session my-sso]\nsso_start_url = https://my-sso-portal.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n";
const SSO_TOKEN_FILE: &str = ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";

fn portal() -> Server {
    Server::start(vec![Reply::Respond(
        200,
        "application/json",
        format!("{{\"roleCredentials\": {{\"accessKeyId\": \"ASIAPORTAL\", \"secretAccessKey\": \"{PORTAL_SECRET}\", \"sessionToken\": \"{PORTAL_TOKEN}\", \"expiration\": 4070908800000}}}}"),
    )])
}

#[test]
fn sso_session_with_a_cached_token() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aws/config", SSO_CONFIG, 0o644);
    write(
        home.path(),
        SSO_TOKEN_FILE,
        &format!("{{\"startUrl\": \"https://my-sso-portal.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"{SSO_ACCESS}\", \"expiresAt\": \"2099-01-02T11:00:00Z\", \"clientId\": \"cid\", \"clientSecret\": \"{SSO_CLIENT_SECRET}\", \"refreshToken\": \"{SSO_REFRESH}\", \"registrationExpiresAt\": \"2099-01-01T00:00:00Z\"}}"),
        0o600,
    );
    let portal = portal();
    let url = portal.url();
    let out = check(
        home.path(),
        &ARGS,
        &[("AWS_PROFILE", "sso"), ("AWS_ENDPOINT_URL_SSO", &url)],
        "- botocore.credentials - INFO - Found credentials via sso: profile sso\n",
        &[
            SSO_ACCESS,
            SSO_REFRESH,
            SSO_CLIENT_SECRET,
            PORTAL_SECRET,
            PORTAL_TOKEN,
        ],
    );
    http_lines(&out.stderr);
    let err = &out.stderr;
    assert!(
        err.contains("'x-amz-sso_bearer_token': '(redacted)'"),
        "{err}"
    );
    assert!(
        err.contains("\"secretAccessKey\":\"(redacted)\",\"sessionToken\":\"(redacted)\""),
        "{err}"
    );
    assert!(err.contains("\"GET /federation/credentials?role_name=ReadOnly&account_id=123456789012 HTTP/1.1\" 200"), "{err}");
    assert_eq!(
        portal.requests()[0].header("x-amz-sso_bearer_token"),
        Some(SSO_ACCESS)
    );
}

#[test]
fn sso_session_token_refreshed_through_oidc() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aws/config", SSO_CONFIG, 0o644);
    write(
        home.path(),
        SSO_TOKEN_FILE,
        &format!("{{\"startUrl\": \"https://my-sso-portal.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"{SSO_ACCESS}\", \"expiresAt\": \"2020-01-02T03:00:00Z\", \"clientId\": \"client-id-123\", \"clientSecret\": \"{SSO_CLIENT_SECRET}\", \"registrationExpiresAt\": \"2099-03-01T00:00:00Z\", \"refreshToken\": \"{SSO_REFRESH}\"}}"),
        0o600,
    );
    let oidc = Server::start(vec![Reply::Respond(
        200,
        "application/json",
        format!("{{\"accessToken\": \"{SSO_NEW_ACCESS}\", \"expiresIn\": 28800, \"refreshToken\": \"{SSO_NEW_REFRESH}\", \"tokenType\": \"Bearer\", \"idToken\": \"{SSO_NEW_REFRESH}x\"}}"),
    )]);
    let portal = portal();
    let (oidc_url, portal_url) = (oidc.url(), portal.url());
    let out = check(
        home.path(),
        &ARGS,
        &[
            ("AWS_PROFILE", "sso"),
            ("AWS_ENDPOINT_URL_SSO", &portal_url),
            ("AWS_ENDPOINT_URL_SSO_OIDC", &oidc_url),
        ],
        "- botocore.credentials - INFO - Found credentials via sso: profile sso\n",
        &[
            SSO_ACCESS,
            SSO_REFRESH,
            SSO_CLIENT_SECRET,
            SSO_NEW_ACCESS,
            SSO_NEW_REFRESH,
            PORTAL_SECRET,
            PORTAL_TOKEN,
        ],
    );
    http_lines(&out.stderr);
    let err = &out.stderr;
    assert!(err.contains("\"clientId\":\"client-id-123\",\"clientSecret\":\"(redacted)\",\"refreshToken\":\"(redacted)\""), "{err}");
    assert!(err.contains("\"accessToken\":\"(redacted)\""), "{err}");
    // The refresh happened: the portal got the new access token.
    assert_eq!(oidc.requests().len(), 1);
    assert_eq!(
        portal.requests()[0].header("x-amz-sso_bearer_token"),
        Some(SSO_NEW_ACCESS)
    );
}

#[test]
fn credential_process() {
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        "proc.sh",
        &format!("#!/bin/sh\nprintf '%s' '{{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": \"{PROCESS_SECRET}\", \"SessionToken\": \"{PROCESS_TOKEN}\", \"Expiration\": \"2099-01-01T00:00:00Z\"}}'\n"),
        0o755,
    );
    let script = home.path().join("proc.sh").display().to_string();
    write(
        home.path(),
        ".aws/config",
        &format!("[profile proc]\ncredential_process = {script}\n"),
        0o644,
    );
    check(
        home.path(),
        &ARGS,
        &[("AWS_PROFILE", "proc")],
        "- botocore.credentials - INFO - Found credentials via custom-process: profile proc\n",
        &[PROCESS_SECRET, PROCESS_TOKEN],
    );
}

fn container(token_in_file: bool) {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(vec![Reply::Respond(
        200,
        "application/json",
        format!("{{\"AccessKeyId\": \"ASIACONTAINER\", \"SecretAccessKey\": \"{CONTAINER_SECRET}\", \"Token\": \"{CONTAINER_TOKEN}\", \"Expiration\": \"2099-01-01T00:00:00Z\", \"RoleArn\": \"{ROLE}\"}}"),
    )]);
    let full_uri = format!("{}/v1/credentials", server.url());
    write(home.path(), "auth-token", CONTAINER_AUTH, 0o600);
    let token_file = home.path().join("auth-token").display().to_string();
    let mut env = vec![("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str())];
    if token_in_file {
        env.push((
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            token_file.as_str(),
        ));
    } else {
        env.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_AUTH));
    }
    let out = check(
        home.path(),
        &ARGS,
        &env,
        "- botocore.credentials - INFO - Found credentials via container-role.\n",
        &[CONTAINER_AUTH, CONTAINER_SECRET, CONTAINER_TOKEN],
    );
    http_lines(&out.stderr);
    assert!(
        out.stderr.contains("'Authorization': '(redacted)'"),
        "{}",
        out.stderr
    );
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(CONTAINER_AUTH)
    );
}

#[test]
fn container_with_an_authorization_token() {
    container(false);
}

#[test]
fn container_with_an_authorization_token_file() {
    container(true);
}

#[test]
fn instance_metadata() {
    let home = tempfile::tempdir().unwrap();
    let imds = Server::start(vec![
        Reply::Respond(200, "text/plain", IMDS_SESSION.into()),
        Reply::Respond(200, "text/plain", "eks-node-role".into()),
        Reply::Respond(
            200,
            "text/plain",
            format!("{{\"Code\": \"Success\", \"LastUpdated\": \"2024-01-02T03:00:00Z\", \"Type\": \"AWS-HMAC\", \"AccessKeyId\": \"ASIAIMDS\", \"SecretAccessKey\": \"{IMDS_SECRET}\", \"Token\": \"{IMDS_TOKEN}\", \"Expiration\": \"2099-01-01T00:00:00Z\"}}"),
        ),
    ]);
    let url = imds.url();
    let out = check(
        home.path(),
        &ARGS,
        &[
            ("AWS_EC2_METADATA_DISABLED", "false"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url),
        ],
        "- botocore.credentials - DEBUG - Found credentials from IAM Role: eks-node-role\n",
        &[IMDS_SESSION, IMDS_SECRET, IMDS_TOKEN],
    );
    http_lines(&out.stderr);
    let err = &out.stderr;
    assert!(
        err.contains("'x-aws-ec2-metadata-token': '(redacted)'"),
        "{err}"
    );
    assert!(
        err.contains("\"PUT /latest/api/token HTTP/1.1\" 200"),
        "{err}"
    );
    let seen = imds.requests();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        seen[2].header("x-aws-ec2-metadata-token"),
        Some(IMDS_SESSION)
    );
}

#[test]
fn role_arn_assumed_with_environment_keys() {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(
        200,
        "text/xml",
        sts_xml("AssumeRole", "ASIAROLEARN", ASSUMED_SECRET, ASSUMED_TOKEN),
    )]);
    let url = sts.url();
    let mut args = ARGS.to_vec();
    args.extend(["--role-arn", ROLE]);
    let out = check(
        home.path(),
        &args,
        &[
            ("AWS_ACCESS_KEY_ID", "ASIAENVEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", ENV_SECRET),
            ("AWS_SESSION_TOKEN", ENV_TOKEN),
            ("AWS_ENDPOINT_URL_STS", &url),
        ],
        "- botocore.credentials - INFO - Found credentials in environment variables.\n",
        &[ENV_SECRET, ENV_TOKEN, ASSUMED_SECRET, ASSUMED_TOKEN],
    );
    http_lines(&out.stderr);
    assert!(
        out.stderr.contains("RoleSessionName=EKSGetTokenAuth"),
        "{}",
        out.stderr
    );
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAROLEARN%2F"));
    assert_request_signatures_hidden(&sts, &out.stderr);
}

#[test]
fn without_debug_nothing_is_logged() {
    let home = tempfile::tempdir().unwrap();
    let out = run(
        home.path(),
        &ARGS[1..],
        &[
            ("AWS_ACCESS_KEY_ID", "ASIAENVEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", ENV_SECRET),
        ],
        LIMIT,
    );
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
}

const LOGIN_CLIENT_SECRET: &str = "loginClientSecret/Gh3+Ks=";
const LOGIN_DEVICE_CODE: &str = "loginDeviceCode/Pw5+Xe=";
const LOGIN_AUTH_CODE: &str = "loginAuthCode/Rt8+Mn=";
const LOGIN_ACCESS: &str = "loginAccessToken/Vb2+Qz=";
const LOGIN_REFRESH: &str = "loginRefreshToken/Lc6+Dy=";
const LOGIN_ID_TOKEN: &str = "loginIdToken/Fs1+Wo=";

fn json_reply(status: u16, body: String) -> Reply {
    Reply::Respond(status, "application/json", body)
}

fn register_reply() -> Reply {
    json_reply(200, format!("{{\"clientId\": \"cid-login\", \"clientSecret\": \"{LOGIN_CLIENT_SECRET}\", \"clientIdIssuedAt\": 1704164645, \"clientSecretExpiresAt\": 4070908800}}"))
}

fn token_reply() -> Reply {
    json_reply(200, format!("{{\"accessToken\": \"{LOGIN_ACCESS}\", \"expiresIn\": 28800, \"refreshToken\": \"{LOGIN_REFRESH}\", \"idToken\": \"{LOGIN_ID_TOKEN}\", \"tokenType\": \"Bearer\"}}"))
}

/// No planted secret, in any form, in `text`.
fn assert_hidden(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        for form in forms(secret) {
            assert!(
                !text.contains(&form),
                "{form:?} (of {secret:?}) in {what}:\n{text}"
            );
        }
    }
}

#[test]
fn sso_login_with_a_device_code() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aws/config", SSO_CONFIG, 0o644);
    let oidc = Server::start(vec![
        register_reply(),
        json_reply(200, format!("{{\"deviceCode\": \"{LOGIN_DEVICE_CODE}\", \"userCode\": \"ABCD-EFGH\", \"verificationUri\": \"https://device.sso.us-east-1.amazonaws.com/\", \"verificationUriComplete\": \"https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH\", \"expiresIn\": 600, \"interval\": 1}}")),
        json_reply(400, "{\"__type\": \"AuthorizationPendingException\", \"error\": \"authorization_pending\"}".into()),
        token_reply(),
    ]);
    let url = oidc.url();
    let out = run(
        home.path(),
        &argv("--debug sso login --profile sso --use-device-code --no-browser"),
        &[("AWS_ENDPOINT_URL_SSO_OIDC", &url)],
        LIMIT,
    );
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with(
        "Successfully logged into Start URL: https://my-sso-portal.awsapps.com/start\n"
    ));
    http_lines(&out.stderr);
    let err = &out.stderr;
    for path in ["/client/register", "/device_authorization", "/token"] {
        assert!(err.contains(&format!("url={url}{path},")), "{path}: {err}");
    }
    assert!(err.contains("\"deviceCode\":\"(redacted)\""), "{err}");
    let secrets = [
        LOGIN_CLIENT_SECRET,
        LOGIN_DEVICE_CODE,
        LOGIN_ACCESS,
        LOGIN_REFRESH,
        LOGIN_ID_TOKEN,
    ];
    assert_hidden("stderr", err, &secrets);
    assert_hidden("stdout", &out.stdout, &secrets);
    // They were all in play: sent, and saved for the credential provider.
    assert_eq!(oidc.requests().len(), 4);
    assert!(oidc.requests()[3].body.contains(LOGIN_DEVICE_CODE));
    let saved = std::fs::read_to_string(home.path().join(SSO_TOKEN_FILE)).unwrap();
    assert!(saved.contains(LOGIN_REFRESH) && saved.contains(LOGIN_CLIENT_SECRET));
}

/// `GET url` on 127.0.0.1, the whole answer.
fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, target) = rest.split_at(rest.find('/').unwrap());
    let mut s = std::net::TcpStream::connect(authority).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
}

/// A query parameter of `url`, percent-decoded.
fn query_param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    let raw = query
        .split('&')
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {url}"));
    let mut out = Vec::new();
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&raw[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The authorization code flow with `--no-browser`: the test plays the browser (it reads
/// the authorize URL from stdout and sends the redirect); neither the code, the verifier
/// nor any token or secret reaches the log.
#[test]
fn sso_login_with_an_authorization_code() {
    use std::io::{BufRead, Read};
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aws/config", SSO_CONFIG, 0o644);
    let oidc = Server::start(vec![register_reply(), token_reply()]);
    let url = oidc.url();
    let mut child = aws_command(
        Some(home.path()),
        home.path(),
        &argv("--debug sso login --profile sso --no-browser"),
        &[("AWS_ENDPOINT_URL_SSO_OIDC", &url)],
    )
    .spawn()
    .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut shown = String::new();
    let authorize = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no URL in: {shown}"
        );
        shown.push_str(&line);
        if line.starts_with(&format!("{url}/authorize?")) {
            break line.trim_end().to_string();
        }
    };
    let redirect = query_param(&authorize, "redirect_uri");
    let state = query_param(&authorize, "state");
    let page = http_get(&format!(
        "{redirect}?code={}&state={state}",
        quote(LOGIN_AUTH_CODE, "")
    ));
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    shown.push_str(&rest);
    let status = child.wait().unwrap();
    let err = err_thread.join().unwrap();
    assert!(status.success(), "{err}");
    assert!(
        shown.ends_with(
            "Successfully logged into Start URL: https://my-sso-portal.awsapps.com/start\n"
        ),
        "{shown}"
    );
    assert!(
        err.contains(&format!(
            "- awscli.customizations.sso.utils - DEBUG - Waiting for auth code at {redirect}\n"
        )),
        "{err}"
    );
    assert!(err.contains("\"code\":\"(redacted)\""), "{err}");
    // The verifier is random: take it from what the server received.
    let sent: serde_json::Value = serde_json::from_str(&oidc.requests()[1].body).unwrap();
    let verifier = sent["codeVerifier"].as_str().unwrap().to_string();
    assert_eq!(sent["code"], LOGIN_AUTH_CODE);
    let secrets = [
        LOGIN_CLIENT_SECRET,
        LOGIN_AUTH_CODE,
        &verifier,
        LOGIN_ACCESS,
        LOGIN_REFRESH,
        LOGIN_ID_TOKEN,
    ];
    assert_hidden("stderr", &err, &secrets);
    assert_hidden("stdout", &shown, &secrets);
}

#[test]
fn sso_logout() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aws/config", SSO_CONFIG, 0o644);
    write(
        home.path(),
        SSO_TOKEN_FILE,
        &format!("{{\"startUrl\": \"https://my-sso-portal.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"{SSO_ACCESS}\", \"expiresAt\": \"2099-01-02T11:00:00Z\", \"clientId\": \"cid\", \"clientSecret\": \"{SSO_CLIENT_SECRET}\", \"refreshToken\": \"{SSO_REFRESH}\", \"registrationExpiresAt\": \"2099-01-01T00:00:00Z\"}}"),
        0o600,
    );
    let portal = Server::start(vec![json_reply(
        401,
        "{\"message\": \"Session token not found or invalid\"}".into(),
    )]);
    let url = portal.url();
    let out = run(
        home.path(),
        &argv("--debug sso logout"),
        &[("AWS_ENDPOINT_URL_SSO", &url)],
        LIMIT,
    );
    assert_eq!((out.rc, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    http_lines(&out.stderr);
    assert!(
        out.stderr
            .contains("'x-amz-sso_bearer_token': '(redacted)'"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("- awscli.customizations.sso.logout - DEBUG - Failed to call logout API:"),
        "{}",
        out.stderr
    );
    assert_hidden(
        "stderr",
        &out.stderr,
        &[SSO_ACCESS, SSO_REFRESH, SSO_CLIENT_SECRET],
    );
    assert_eq!(
        portal.requests()[0].header("x-amz-sso_bearer_token"),
        Some(SSO_ACCESS)
    );
    assert!(!home.path().join(SSO_TOKEN_FILE).exists());
}

/// Issue 16, finding 10: a `--query` that fails on the token quotes it in its error on
/// stderr, as the AWS CLI does byte for byte (the bytes win over hiding it) — so
/// SECURITY.md must say so instead of promising the token goes to stdout only.
#[test]
fn a_query_error_quotes_the_token_and_security_md_says_so() {
    let home = tempfile::tempdir().unwrap();
    let out = run(
        home.path(),
        &argv("eks get-token --cluster-name a --region us-west-2 --query abs(status.token)"),
        &STATIC_KEYS,
        LIMIT,
    );
    assert_eq!((out.rc, out.stdout.as_str()), (255, ""));
    assert!(
        out.stderr
            .starts_with("\naws: [ERROR]: In function abs(), invalid type for value: k8s-aws-v1."),
        "{}",
        out.stderr
    );
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SECURITY.md")).unwrap();
    assert!(
        !doc.contains("printed on stdout and nowhere else"),
        "SECURITY.md promises what the CLI's behaviour does not keep"
    );
    assert!(
        doc.contains("--query 'abs(status.token)'"),
        "SECURITY.md names the exception"
    );
}
