//! Credential sources for the generators: environment keys, the shared files, assume-role
//! and web-identity profiles, SSO, `credential_process`, container and instance metadata,
//! each with its fake server and the answers it may give (success, errors with and without a
//! message, throttling, malformed bodies), and credentials the CLI cached earlier.

use super::common::{self, Setup, ACCESS_KEY, ROLE_ARN, SECRET_KEY};
use super::spec::{Draw, Opt};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

/// Who calls: the profile, the credentials, now and then `--no-sign-request`, and the
/// region (in that order, which the seeds' cases depend on).
pub fn caller(d: &mut Draw, s: &mut Setup) {
    common::profile(d, s);
    credentials(d, s);
    if d.chance(3) {
        d.tag("--no-sign-request");
        s.opts.push(Opt::flag("--no-sign-request"));
    }
    common::region(d, s);
}

/// One of the AWS CLI's credential sources, with what it needs (files, fake servers).
pub fn credentials(d: &mut Draw, s: &mut Setup) {
    let source = d.weighted(&[
        (34, "env"),
        (10, "credentials-file"),
        (4, "config-keys"),
        (10, "assume-role"),
        (6, "web-identity"),
        (9, "sso"),
        (8, "process"),
        (6, "container"),
        (3, "imds"),
        (6, "none"),
    ]);
    d.tag(format!("creds {source}"));
    match source {
        "env" => env_keys(d, s),
        "credentials-file" => {
            let sec = s.cred_section();
            s.credentials.set(&sec, "aws_access_key_id", "AKIDFILE");
            s.credentials
                .set(&sec, "aws_secret_access_key", "filesecret");
            if d.chance(25) {
                s.credentials.set(&sec, "aws_session_token", "filetoken");
            }
            if d.chance(10) {
                // Keys in the config file lose to the credentials file.
                s.set_profile_key("aws_access_key_id", "AKIDCONFIG");
                s.set_profile_key("aws_secret_access_key", "configsecret");
            }
        }
        "config-keys" => {
            s.set_profile_key("aws_access_key_id", "AKIDCONFIG");
            if !d.chance(10) {
                s.set_profile_key("aws_secret_access_key", "configsecret");
            }
        }
        "assume-role" => assume_role(d, s),
        "web-identity" => web_identity(d, s),
        "sso" => sso(d, s),
        "process" => credential_process(d, s),
        "container" => container(d, s),
        "imds" => imds(d, s),
        _ => {}
    }
    // The selected profile must exist somewhere, most of the time.
    if s.profile.is_some() && !s.config.has_section(&s.section()) && d.chance(80) {
        s.set_profile_key("output", "json");
    }
}

fn env_keys(d: &mut Draw, s: &mut Setup) {
    match d.weighted(&[(85, 0), (4, 1), (4, 2), (4, 3), (3, 4)]) {
        0 => {
            s.case.set_env("AWS_ACCESS_KEY_ID", ACCESS_KEY);
            s.case.set_env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        }
        1 => {
            d.tag("only the access key");
            s.case.set_env("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        }
        2 => {
            d.tag("only the secret key");
            s.case.set_env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        }
        3 => {
            d.tag("empty keys");
            s.case.set_env("AWS_ACCESS_KEY_ID", "");
            s.case.set_env("AWS_SECRET_ACCESS_KEY", "");
        }
        _ => {
            d.tag("odd keys");
            s.case.set_env("AWS_ACCESS_KEY_ID", " AKID WITH SPACE ");
            s.case.set_env("AWS_SECRET_ACCESS_KEY", "sécret/+=");
        }
    }
    match d.weighted(&[(70, 0), (22, 1), (4, 2), (4, 3)]) {
        1 => s
            .case
            .set_env("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE//token+="),
        2 => s.case.set_env("AWS_SECURITY_TOKEN", "legacytoken"),
        3 => s.case.set_env("AWS_SESSION_TOKEN", ""),
        _ => {}
    }
}

/// Points the STS client at the fake STS (once) and returns its port.
pub fn fake_sts(d: &mut Draw, s: &mut Setup, responses: Vec<Value>) -> u16 {
    let port = match s.case.server_port("sts") {
        Some(p) => p,
        None => d.port(),
    };
    s.case.serve("sts", port, responses);
    if s.sts_url.is_none() {
        let url = format!("http://127.0.0.1:{port}");
        // Now and then no endpoint at all: the real host, which does not resolve here.
        match d.weighted(&[(70, 0), (8, 1), (8, 2), (8, 3), (6, 4)]) {
            0 => s.case.set_env("AWS_ENDPOINT_URL_STS", &url),
            1 => s.case.set_env("AWS_ENDPOINT_URL", &url),
            2 => s.set_profile_key("endpoint_url", &url),
            3 => {
                s.set_profile_key("services", "local");
                s.config.nested(
                    "services local",
                    "sts",
                    vec![("endpoint_url".into(), url.clone())],
                );
            }
            _ => d.tag("sts endpoint not configured"),
        }
        s.sts_url = Some(url);
    }
    port
}

/// STS's answers to `action` (AssumeRole, AssumeRoleWithWebIdentity).
pub fn sts_answers(d: &mut Draw, action: &str) -> Vec<Value> {
    let ok = sts_success(action, "ASIASTS", "2024-01-02T04:04:05Z");
    let error = |status: u16, code: &str, message: Option<&str>| -> Value {
        let msg = message.map_or(String::new(), |m| format!("<Message>{m}</Message>"));
        json!({"match": {"Action": action}, "status": status, "content_type": "text/xml",
            "body": format!("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code>{msg}</Error><RequestId>req-err</RequestId></ErrorResponse>")})
    };
    let raw = |status: u16, ctype: &str, body: &str| -> Value {
        json!({"match": {"Action": action}, "status": status, "content_type": ctype, "body": body})
    };
    let kind = d.weighted(&[
        (55, "success"),
        (6, "access-denied"),
        (3, "no-message"),
        (3, "empty-message"),
        (2, "entity-message"),
        (5, "throttling-then-success"),
        (2, "throttling"),
        (3, "500-then-success"),
        (2, "500"),
        (3, "malformed-xml"),
        (2, "empty-200"),
        (2, "html-503"),
        (2, "text-400"),
        (2, "no-credentials-element"),
        (2, "expired-credentials"),
        (2, "expired-token"),
        (2, "odd-credentials"),
    ]);
    d.tag(format!("sts {kind}"));
    match kind {
        "success" => vec![ok],
        "access-denied" => vec![error(
            403,
            "AccessDenied",
            Some("User: arn:aws:iam::123456789012:user/x is not authorized to perform: sts:AssumeRole"),
        )],
        "no-message" => vec![error(400, "ValidationError", None)],
        "empty-message" => vec![error(400, "ValidationError", Some(""))],
        "entity-message" => vec![error(400, "ValidationError", Some("a &amp; b &lt;c&gt; &#233; &#x1F600;"))],
        "throttling-then-success" => vec![error(400, "Throttling", Some("Rate exceeded")), ok],
        "throttling" => vec![error(400, "Throttling", Some("Rate exceeded"))],
        "500-then-success" => vec![error(500, "InternalFailure", Some("oops")), ok],
        "500" => vec![error(500, "InternalFailure", None)],
        "malformed-xml" => vec![raw(200, "text/xml", "<AssumeRoleResponse><AssumeRoleResult><Credentials>")],
        "empty-200" => vec![raw(200, "text/xml", "")],
        "html-503" => vec![raw(503, "text/html", "<html><body>Service Unavailable</body></html>")],
        "text-400" => vec![raw(400, "text/plain", "bad request")],
        "no-credentials-element" => vec![raw(
            200,
            "text/xml",
            &format!("<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result></{action}Result></{action}Response>"),
        )],
        "expired-credentials" => vec![sts_success(action, "ASIAOLD", "2024-01-01T00:00:00Z")],
        "expired-token" => vec![error(400, "ExpiredToken", Some("The security token included in the request is expired"))],
        _ => vec![sts_success(action, "ASIA/+=ODD", "2024-01-02T04:04:05.123456Z")],
    }
}

pub fn sts_success(action: &str, akid: &str, expiration: &str) -> Value {
    let body = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result><Credentials><AccessKeyId>{akid}</AccessKeyId><SecretAccessKey>stssecret</SecretAccessKey><SessionToken>ststoken</SessionToken><Expiration>{expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/eks-admin/s</Arn><AssumedRoleId>AROAEXAMPLEID:s</AssumedRoleId></AssumedRoleUser></{action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{action}Response>"
    );
    json!({"match": {"Action": action}, "status": 200, "content_type": "text/xml", "body": body})
}

fn assume_role(d: &mut Draw, s: &mut Setup) {
    s.set_profile_key(
        "role_arn",
        d.weighted(&[
            (90, ROLE_ARN),
            (5, "arn:aws:iam::123456789012:role/path/r"),
            (5, "not-an-arn"),
        ]),
    );
    if d.chance(20) {
        d.tag("credential_source Environment");
        s.set_profile_key(
            "credential_source",
            d.weighted(&[(85, "Environment"), (10, "EcsContainer"), (5, "Bogus")]),
        );
        if d.chance(90) {
            s.case.set_env("AWS_ACCESS_KEY_ID", ACCESS_KEY);
            s.case.set_env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        }
    } else {
        s.set_profile_key("source_profile", "base");
        if d.chance(10) {
            d.tag("chained roles");
            s.config.set(
                "profile base",
                "role_arn",
                "arn:aws:iam::123456789012:role/base",
            );
            s.config.set("profile base", "source_profile", "root");
            s.credentials.set("root", "aws_access_key_id", "AKIDROOT");
            s.credentials
                .set("root", "aws_secret_access_key", "rootsecret");
        } else if d.chance(50) {
            s.credentials.set("base", "aws_access_key_id", "AKIDBASE");
            s.credentials
                .set("base", "aws_secret_access_key", "basesecret");
        } else if !d.chance(5) {
            s.config
                .set("profile base", "aws_access_key_id", "AKIDBASE");
            s.config
                .set("profile base", "aws_secret_access_key", "basesecret");
        } else {
            d.tag("source profile missing");
        }
    }
    if d.chance(20) {
        s.set_profile_key(
            "role_session_name",
            d.pick(&["my-session", "with space", ""]),
        );
    }
    if d.chance(10) {
        s.set_profile_key("external_id", "ext-123");
    }
    if d.chance(10) {
        s.set_profile_key("duration_seconds", d.pick(&["900", "3600", "abc", "-1"]));
    }
    cached_credentials(d, s, ROLE_CACHE_FILE, None);
    let mut answers = sts_answers(d, "AssumeRole");
    if d.chance(30) {
        // The chained role's first hop.
        answers.insert(
            0,
            sts_success("AssumeRole", "ASIABASE", "2024-01-02T04:04:05Z"),
        );
    }
    fake_sts(d, s, answers);
}

/// The CLI's cache file of the role `ROLE_ARN` (assume-role and web identity with no other
/// role options), as in creds/assume-role-cache-hit.
const ROLE_CACHE_FILE: &str = ".aws/cli/cache/68cb027cd378aac40125a108c805a4794ec225e0.json";
/// The CLI's cache file of the SSO session `my-sso`, account 123456789012, role ReadOnly.
const SSO_CACHE_FILE: &str = ".aws/cli/cache/31b260dab331b2af063485cea75f7b8b3cf54c71.json";

/// Now and then credentials the CLI cached earlier: fresh, about to expire, expired, or
/// with an odd expiration. (Corrupt files and naive expirations are left out: we ignore and
/// replace them, a deliberate difference.)
fn cached_credentials(d: &mut Draw, s: &mut Setup, path: &str, provider: Option<&str>) {
    if !d.chance(25) {
        return;
    }
    let expiration = d.weighted(&[
        (40, "2024-01-02T04:04:05+00:00"),
        (10, "2024-01-02T04:04:05Z"),
        (10, "2024-01-02T04:04:05.123456+00:00"),
        (15, "2024-01-02T03:15:00+00:00"),
        (15, "2024-01-01T00:00:00+00:00"),
        (5, "2024-01-02T05:04:05+02:00"),
        // Not "2024-01-02 04:04:05": the CLI fails on a naive expiration, we replace the
        // entry (a deliberate difference, creds/assume-role-cache-naive-expiration).
    ]);
    d.tag(format!("cached credentials expiring {expiration}"));
    let mut doc = json!({"Credentials": {"AccessKeyId": "ASIAFROMCACHE", "SecretAccessKey": "cachedsecret",
        "SessionToken": "cachedtoken", "Expiration": expiration}});
    if let Some(p) = provider {
        doc["ProviderType"] = p.into();
    }
    s.case.file(path, doc.to_string(), 0o600);
}

fn web_identity(d: &mut Draw, s: &mut Setup) {
    let token_path = "$HOME/web identity token".to_owned();
    if !d.chance(8) {
        s.case.file(
            "web identity token",
            d.pick(&["eyJ.web.token", "", "tok\n"]),
            0o644,
        );
    } else {
        d.tag("token file missing");
    }
    if d.chance(60) {
        s.case.set_env("AWS_WEB_IDENTITY_TOKEN_FILE", &token_path);
        if !d.chance(5) {
            s.case.set_env("AWS_ROLE_ARN", ROLE_ARN);
        }
        if d.chance(40) {
            s.case
                .set_env("AWS_ROLE_SESSION_NAME", d.pick(&["pod-session", "", "a b"]));
        }
    } else {
        s.set_profile_key("web_identity_token_file", &token_path);
        s.set_profile_key("role_arn", ROLE_ARN);
        if d.chance(40) {
            s.set_profile_key("role_session_name", "prof-session");
        }
    }
    cached_credentials(d, s, ROLE_CACHE_FILE, None);
    let answers = sts_answers(d, "AssumeRoleWithWebIdentity");
    fake_sts(d, s, answers);
}

pub fn sha1_hex(s: &str) -> String {
    Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sso(d: &mut Draw, s: &mut Setup) {
    let start_url = "https://my-sso-portal.awsapps.com/start";
    let legacy = d.chance(30);
    s.set_profile_key("sso_account_id", "123456789012");
    s.set_profile_key("sso_role_name", "ReadOnly");
    let cache_name = if legacy {
        d.tag("sso legacy");
        s.set_profile_key("sso_start_url", start_url);
        s.set_profile_key("sso_region", "us-east-1");
        sha1_hex(start_url)
    } else {
        s.set_profile_key("sso_session", "my-sso");
        s.config
            .set("sso-session my-sso", "sso_start_url", start_url);
        s.config
            .set("sso-session my-sso", "sso_region", "us-east-1");
        s.config.set(
            "sso-session my-sso",
            "sso_registration_scopes",
            "sso:account:access",
        );
        sha1_hex("my-sso")
    };
    let state = d.weighted(&[
        (60, "valid"),
        (20, "refresh"),
        (8, "expired"),
        (6, "missing"),
        (6, "corrupt-fields"),
    ]);
    d.tag(format!("sso token {state}"));
    let token = match state {
        "valid" => {
            json!({"startUrl": start_url, "region": "us-east-1", "accessToken": "cached-access-token", "expiresAt": "2024-01-02T11:00:00Z"})
        }
        "refresh" => {
            json!({"startUrl": start_url, "region": "us-east-1", "accessToken": "old-access-token", "expiresAt": "2024-01-02T03:10:00Z", "clientId": "client-id-123", "clientSecret": "client-secret-456", "registrationExpiresAt": "2024-03-01T00:00:00Z", "refreshToken": "refresh-789"})
        }
        "expired" => {
            json!({"startUrl": start_url, "region": "us-east-1", "accessToken": "old", "expiresAt": "2024-01-01T00:00:00Z"})
        }
        "corrupt-fields" => {
            json!({"startUrl": start_url, "accessToken": 5, "expiresAt": "not a date"})
        }
        _ => Value::Null,
    };
    if !token.is_null() {
        let text = serde_json::to_string_pretty(&token).unwrap();
        s.case
            .file(&format!(".aws/sso/cache/{cache_name}.json"), text, 0o600);
    }
    if !legacy {
        cached_credentials(d, s, SSO_CACHE_FILE, Some("sso"));
    }
    if state == "refresh" && !legacy {
        let oidc = d.port();
        let kind = d.weighted(&[
            (70, "ok"),
            (10, "invalid-grant"),
            (10, "500"),
            (10, "malformed"),
        ]);
        d.tag(format!("oidc {kind}"));
        let r = match kind {
            "ok" => {
                json!({"match": {"path": "/token"}, "status": 200, "content_type": "application/json", "body": "{\"accessToken\": \"new-access-token\", \"expiresIn\": 28800, \"refreshToken\": \"new-refresh-token\", \"tokenType\": \"Bearer\"}"})
            }
            "invalid-grant" => {
                json!({"match": {"path": "/token"}, "status": 400, "content_type": "application/json", "headers": {"x-amzn-ErrorType": "InvalidGrantException"}, "body": "{\"error\": \"invalid_grant\", \"error_description\": \"Invalid refresh token provided\"}"})
            }
            "500" => {
                json!({"match": {"path": "/token"}, "status": 500, "content_type": "application/json", "body": "{}"})
            }
            _ => {
                json!({"match": {"path": "/token"}, "status": 200, "content_type": "application/json", "body": "{\"accessToken\":"})
            }
        };
        s.case.serve("oidc", oidc, vec![r]);
        s.case.set_env(
            "AWS_ENDPOINT_URL_SSO_OIDC",
            format!("http://127.0.0.1:{oidc}"),
        );
    }
    let port = d.port();
    let path = "/federation/credentials";
    let kind = d.weighted(&[
        (65, "ok"),
        (8, "unauthorized"),
        (5, "forbidden"),
        (5, "throttled-then-ok"),
        (5, "500"),
        (6, "malformed"),
        (6, "missing-fields"),
    ]);
    d.tag(format!("sso portal {kind}"));
    let ok = json!({"match": {"path": path}, "status": 200, "content_type": "application/json", "body": "{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\", \"secretAccessKey\": \"ssosecret\", \"sessionToken\": \"ssotoken\", \"expiration\": 1704171845000}}"});
    let err = |status: u16, etype: &str, body: &str| json!({"match": {"path": path}, "status": status, "content_type": "application/json", "headers": {"x-amzn-ErrorType": etype}, "body": body});
    let answers = match kind {
        "ok" => vec![ok],
        "unauthorized" => vec![err(
            401,
            "UnauthorizedException",
            "{\"message\": \"Session token not found or invalid\"}",
        )],
        "forbidden" => vec![err(
            403,
            "ForbiddenException",
            "{\"message\": \"No access\"}",
        )],
        "throttled-then-ok" => vec![
            err(
                429,
                "TooManyRequestsException",
                "{\"message\": \"slow down\"}",
            ),
            ok,
        ],
        "500" => vec![err(500, "InternalServerException", "{}")],
        "malformed" => vec![
            json!({"match": {"path": path}, "status": 200, "content_type": "application/json", "body": "{\"roleCredentials\": "}),
        ],
        _ => vec![
            json!({"match": {"path": path}, "status": 200, "content_type": "application/json", "body": "{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\"}}"}),
        ],
    };
    s.case.serve("sso", port, answers);
    let url = format!("http://127.0.0.1:{port}");
    if d.chance(85) {
        s.case.set_env("AWS_ENDPOINT_URL_SSO", url);
    } else if d.chance(70) {
        s.set_profile_key("services", "local");
        s.config
            .nested("services local", "sso", vec![("endpoint_url".into(), url)]);
    } else {
        d.tag("sso endpoint not configured");
    }
}

fn credential_process(d: &mut Draw, s: &mut Setup) {
    let kind = d.weighted(&[
        (45, "ok"),
        (8, "ok-expiration"),
        (4, "expired"),
        (6, "broken-json"),
        (4, "not-json"),
        (4, "version-2"),
        (4, "missing-key"),
        (5, "exit-1"),
        (3, "empty"),
        (3, "not-found"),
        (3, "nan"),
        (3, "numbers"),
        (3, "trailing-garbage"),
        (3, "quoted-args"),
    ]);
    d.tag(format!("process {kind}"));
    let out: String = match kind {
        "ok" => r#"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "procsecret"}"#.into(),
        "ok-expiration" => r#"{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "procsecret", "SessionToken": "proctoken", "Expiration": "2024-01-02T05:00:00Z"}"#.into(),
        "expired" => r#"{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "procsecret", "SessionToken": "proctoken", "Expiration": "2024-01-01T00:00:00Z"}"#.into(),
        "broken-json" => d.pick(&[
            "{\"Version\": 1,\n",
            "{\"Version\": 1, \"AccessKeyId\": \"A\",}",
            "{\"Version\": 1 \"AccessKeyId\": \"A\"}",
            "{\"Version\": 1, \"AccessKeyId\": \"A\\x\"}",
            "[1, 2",
            "{\"Version\": 1, \"AccessKeyId\": \"\u{1}\"}",
        ]).into(),
        "not-json" => d.pick(&["not json", "", "   ", "\u{feff}{}"]).into(),
        "version-2" => r#"{"Version": 2, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "procsecret"}"#.into(),
        "missing-key" => d.pick(&[
            r#"{"Version": 1, "SecretAccessKey": "procsecret"}"#,
            r#"{"Version": 1, "AccessKeyId": "AKIDPROC"}"#,
            r#"{"AccessKeyId": "AKIDPROC", "SecretAccessKey": "procsecret"}"#,
            "[]",
            "null",
        ]).into(),
        "nan" => r#"{"Version": NaN, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "procsecret"}"#.into(),
        "numbers" => r#"{"Version": 1.0, "AccessKeyId": 12, "SecretAccessKey": "procsecret"}"#.into(),
        "trailing-garbage" => r#"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "procsecret"} x"#.into(),
        _ => r#"{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "procsecret"}"#.into(),
    };
    let script = match kind {
        "exit-1" => "#!/bin/sh\necho 'helper failed' >&2\necho '{}'\nexit 1\n".to_owned(),
        "empty" => "#!/bin/sh\nexit 0\n".to_owned(),
        _ => format!("#!/bin/sh\ncat <<'EOF'\n{out}\nEOF\n"),
    };
    s.case.file("bin/proc.sh", script, 0o755);
    let command = match kind {
        "not-found" => "$HOME/bin/missing-helper --flag".to_owned(),
        "quoted-args" => "\"$HOME/bin/proc.sh\" 'a b' \"c d\"".to_owned(),
        _ => "$HOME/bin/proc.sh".to_owned(),
    };
    s.set_profile_key("credential_process", &command);
}

fn container(d: &mut Draw, s: &mut Setup) {
    let port = d.port();
    let path = "/creds";
    let kind = d.weighted(&[
        (60, "ok"),
        (8, "500"),
        (8, "malformed"),
        (8, "missing-token"),
        (8, "404"),
        (8, "expired"),
    ]);
    d.tag(format!("container {kind}"));
    let body = |b: &str| json!({"match": {"path": path}, "status": 200, "content_type": "application/json", "body": b});
    let answer = match kind {
        "ok" => body("{\"AccessKeyId\": \"ASIAECS\", \"SecretAccessKey\": \"ecssecret\", \"Token\": \"ecstoken\", \"Expiration\": \"2024-01-02T09:00:00Z\"}"),
        "500" => json!({"match": {"path": path}, "status": 500, "content_type": "text/plain", "body": "boom"}),
        "malformed" => body("{\"AccessKeyId\": "),
        "missing-token" => body("{\"AccessKeyId\": \"ASIAECS\", \"SecretAccessKey\": \"ecssecret\"}"),
        "404" => json!({"match": {"path": "/elsewhere"}, "status": 200, "body": "{}"}),
        _ => body("{\"AccessKeyId\": \"ASIAECS\", \"SecretAccessKey\": \"ecssecret\", \"Token\": \"ecstoken\", \"Expiration\": \"2024-01-01T00:00:00Z\"}"),
    };
    s.case.serve("ecs", port, vec![answer]);
    s.case.set_env(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("http://127.0.0.1:{port}{path}"),
    );
    match d.weighted(&[(60, 0), (20, 1), (15, 2), (5, 3)]) {
        1 => s
            .case
            .set_env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-auth-token"),
        2 => {
            s.case.file("ecs-token", "file-token-value\n", 0o644);
            s.case
                .set_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "$HOME/ecs-token");
        }
        3 => {
            d.tag("container token file missing");
            s.case.set_env(
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                "$HOME/no-such-file",
            );
        }
        _ => {}
    }
}

fn imds(d: &mut Draw, s: &mut Setup) {
    s.case.set_env("AWS_EC2_METADATA_DISABLED", "false");
    let port = d.port();
    let kind = d.weighted(&[
        (60, "ok"),
        (10, "token-403"),
        (10, "no-role"),
        (10, "malformed"),
        (10, "unreachable"),
    ]);
    d.tag(format!("imds {kind}"));
    let text = |method: &str, path: &str, status: u16, body: &str| json!({"match": {"method": method, "path": path}, "status": status, "content_type": "text/plain", "body": body});
    let token = text("PUT", "/latest/api/token", 200, "imds-session-token");
    let role = text(
        "GET",
        "/latest/meta-data/iam/security-credentials/",
        200,
        "eks-node",
    );
    let creds = text("GET", "/latest/meta-data/iam/security-credentials/eks-node", 200, "{\"Code\": \"Success\", \"AccessKeyId\": \"ASIAIMDS\", \"SecretAccessKey\": \"imdssecret\", \"Token\": \"imdstoken\", \"Expiration\": \"2024-01-02T09:00:00Z\"}");
    let az = text(
        "GET",
        "/latest/meta-data/placement/availability-zone/",
        200,
        "ap-southeast-1a",
    );
    let answers = match kind {
        "ok" => vec![token, role, creds, az],
        "token-403" => vec![text("PUT", "/latest/api/token", 403, ""), role, creds, az],
        "no-role" => vec![
            token,
            text(
                "GET",
                "/latest/meta-data/iam/security-credentials/",
                404,
                "",
            ),
            az,
        ],
        "malformed" => vec![
            token,
            role,
            text(
                "GET",
                "/latest/meta-data/iam/security-credentials/eks-node",
                200,
                "{",
            ),
            az,
        ],
        _ => Vec::new(),
    };
    if kind != "unreachable" {
        s.case.serve("imds", port, answers);
    }
    s.case.set_env(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        format!("http://127.0.0.1:{port}/"),
    );
}
