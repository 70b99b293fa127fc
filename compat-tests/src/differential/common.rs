//! Building blocks shared by the command generators: the profile, credential sources with
//! their fake servers, region, endpoints, output format, query, colour, error format,
//! timeouts, retries, `KUBERNETES_EXEC_INFO` and the config files that carry them.
//!
//! Every network call a generated case can make goes to a fake server on one of the case's
//! own ports, to a closed port of the case, or to a real AWS host name; the driver runs all
//! cases inside a network namespace that has only loopback, so the last ones fail to resolve.

use super::query;
use super::spec::{assemble, CaseSpec, Draw, Ini, Opt};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
pub const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/eks-admin";

/// A case under construction: the case, its config and credentials files, its global
/// options, and the profile it runs with.
pub struct Setup {
    pub case: CaseSpec,
    pub config: Ini,
    pub credentials: Ini,
    pub opts: Vec<Opt>,
    /// Words after every option (junk, `--`).
    pub tail: Vec<String>,
    /// The selected profile, `None` for the default one.
    pub profile: Option<String>,
    /// The STS endpoint the fake STS answers on, once a source needs it.
    pub sts_url: Option<String>,
    /// Whether the config files may use odd syntax.
    pub odd_files: bool,
}

impl Setup {
    pub fn new(d: &mut Draw) -> Setup {
        let mut case = CaseSpec::default();
        if d.chance(8) {
            case.time = d
                .pick(&[
                    "2030-06-15T12:00:00Z",
                    "2024-02-29T23:59:59Z",
                    "2000-01-01T00:00:00Z",
                    "2024-01-02T11:03:05Z",
                ])
                .to_owned();
            d.tag(format!("time {}", case.time));
        }
        Setup {
            case,
            config: Ini::default(),
            credentials: Ini::default(),
            opts: Vec::new(),
            tail: Vec::new(),
            profile: None,
            sts_url: None,
            odd_files: d.chance(15),
        }
    }

    /// The config-file section of the selected profile.
    pub fn section(&self) -> String {
        match &self.profile {
            Some(p) => format!("profile {p}"),
            None => "default".into(),
        }
    }

    /// The credentials-file section of the selected profile.
    pub fn cred_section(&self) -> String {
        self.profile.clone().unwrap_or_else(|| "default".into())
    }

    pub fn set_profile_key(&mut self, key: &str, value: &str) {
        let s = self.section();
        self.config.set(&s, key, value);
    }

    /// Writes the files and builds the argv.
    pub fn finish(mut self, d: &mut Draw, command: &[&str]) -> CaseSpec {
        let relocated = d.chance(3);
        for (ini, default_path, var) in [
            (&self.config, ".aws/config", "AWS_CONFIG_FILE"),
            (
                &self.credentials,
                ".aws/credentials",
                "AWS_SHARED_CREDENTIALS_FILE",
            ),
        ] {
            let name = default_path.rsplit('/').next().unwrap();
            let path = if relocated {
                let p = format!("etc/aws {name}");
                self.case.set_env(var, format!("$HOME/{p}"));
                d.tag(format!("{var} set"));
                p
            } else {
                default_path.to_owned()
            };
            if !ini.is_empty() {
                let text = ini.render(d, name, self.odd_files);
                self.case.file(&path, text, 0o644);
            }
        }
        let opts = std::mem::take(&mut self.opts);
        self.case.args = assemble(d, command, opts, std::mem::take(&mut self.tail));
        self.case
    }
}

/// Chooses the profile and how it is selected (`--profile`, `AWS_PROFILE`,
/// `AWS_DEFAULT_PROFILE`).
pub fn profile(d: &mut Draw, s: &mut Setup) {
    if !d.chance(40) {
        return;
    }
    let name = d.weighted(&[(85, "dev"), (5, "default"), (5, "my profile"), (5, "dev.x")]);
    s.profile = Some(name.to_owned()).filter(|n| n != "default");
    match d.weighted(&[(40, 0), (45, 1), (10, 2), (5, 3)]) {
        0 => s.opts.push(Opt::global("--profile", name)),
        1 => s.case.set_env("AWS_PROFILE", name),
        2 => s.case.set_env("AWS_DEFAULT_PROFILE", name),
        _ => {
            s.opts.push(Opt::global("--profile", name));
            s.case.set_env("AWS_PROFILE", "other");
        }
    }
    d.tag(format!("profile {name}"));
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
/// with an odd expiration. (Corrupt files are left out: we ignore and replace them, a
/// deliberate difference.)
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
        (5, "2024-01-02 04:04:05"),
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

/// Region names: every partition, FIPS pseudo-regions, `aws-global`, invalid ones.
const REGIONS: &[(u32, &str)] = &[
    (30, "us-west-2"),
    (8, "us-east-1"),
    (4, "eu-west-1"),
    (2, "ap-southeast-7"),
    (2, "mx-central-1"),
    (3, "cn-north-1"),
    (2, "cn-northwest-1"),
    (3, "us-gov-west-1"),
    (1, "us-gov-east-1"),
    (2, "us-iso-east-1"),
    (2, "us-isob-east-1"),
    (2, "eu-isoe-west-1"),
    (2, "us-isof-south-1"),
    (2, "eusc-de-east-1"),
    (3, "aws-global"),
    (3, "us-east-1-fips"),
    (3, "fips-us-east-1"),
    (2, "us-gov-west-1-fips"),
    (2, "fips-us-gov-west-1"),
    (1, "fips-aws-global"),
    (1, "aws-us-gov-global"),
    (1, "aws-cn-global"),
    (2, ""),
    (1, "US-WEST-2"),
    (1, "us-west-2 "),
    (1, "not_a_region"),
    (1, "us-west-2/x"),
    (1, "localhost"),
    (1, "x.y"),
    (1, "us-west-99"),
    (
        1,
        "a-very-long-region-name-that-goes-on-and-on-and-on-for-more-than-sixty-three",
    ),
    (1, "-us"),
    (1, "123"),
];

pub fn region(d: &mut Draw, s: &mut Setup) {
    let places = if d.chance(12) { 2 } else { 1 };
    for _ in 0..places {
        let r = d.weighted(REGIONS);
        let place = d.weighted(&[(50, 0), (12, 1), (8, 2), (15, 3), (15, 4)]);
        d.tag(format!(
            "region {r:?} via {}",
            [
                "flag",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "profile",
                "nowhere"
            ][place]
        ));
        match place {
            0 => s.opts.push(Opt::global("--region", r)),
            1 => s.case.set_env("AWS_REGION", r),
            2 => s.case.set_env("AWS_DEFAULT_REGION", r),
            3 => s.set_profile_key("region", r),
            _ => {}
        }
    }
    if d.chance(8) {
        let v = d.pick(&["true", "false", "TRUE", "1", "yes"]);
        let what = d.pick(&["fips", "dualstack"]);
        d.tag(format!("use {what} {v}"));
        if d.chance(60) {
            let var = if what == "fips" {
                "AWS_USE_FIPS_ENDPOINT"
            } else {
                "AWS_USE_DUALSTACK_ENDPOINT"
            };
            s.case.set_env(var, v);
        } else {
            s.set_profile_key(&format!("use_{what}_endpoint"), v);
        }
    }
    if d.chance(4) {
        let v = d.pick(&["legacy", "regional", "bogus"]);
        d.tag(format!("sts_regional_endpoints {v}"));
        if d.chance(50) {
            s.case.set_env("AWS_STS_REGIONAL_ENDPOINTS", v);
        } else {
            s.set_profile_key("sts_regional_endpoints", v);
        }
    }
}

/// Endpoint URLs that are not a fake server: `--endpoint-url` and the configured ones.
pub fn endpoints(d: &mut Draw, s: &mut Setup) {
    if d.chance(12) {
        let closed = format!("http://127.0.0.1:{}", d.port());
        let url = d.pick(&[
            "https://sts.example.com".to_owned(),
            closed,
            "https://h.example/p?q=1".into(),
            "not a url".into(),
            "http://".into(),
            "https://example.com:99999".into(),
            "HTTPS://STS.EXAMPLE.COM".into(),
            "https://[::1]:8443/".into(),
            "ftp://x.example".into(),
            "https://sts.example.com/path/".into(),
            "https://user:pw@h.example".into(),
            "".into(),
            "https://x y.example".into(),
        ]);
        let place = if s.sts_url.is_some() {
            0
        } else {
            d.weighted(&[(40, 0), (25, 1), (10, 2), (10, 3), (15, 4)])
        };
        d.tag(format!(
            "endpoint {url:?} via {}",
            [
                "--endpoint-url",
                "AWS_ENDPOINT_URL_STS",
                "AWS_ENDPOINT_URL",
                "profile",
                "services"
            ][place]
        ));
        match place {
            0 => s.opts.push(Opt::global("--endpoint-url", url)),
            1 => s.case.set_env("AWS_ENDPOINT_URL_STS", url),
            2 => s.case.set_env("AWS_ENDPOINT_URL", url),
            3 => s.set_profile_key("endpoint_url", &url),
            _ => {
                s.set_profile_key("services", "svc");
                s.config
                    .nested("services svc", "sts", vec![("endpoint_url".into(), url)]);
            }
        }
    }
    if d.chance(3) {
        d.tag("ignore_configured_endpoint_urls");
        if d.chance(50) {
            s.case
                .set_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        } else {
            s.set_profile_key("ignore_configured_endpoint_urls", "true");
        }
    }
    if d.chance(1) {
        // A nested value with no nested lines.
        d.tag("services section with an empty nested key");
        s.set_profile_key("services", "broken");
        s.config.raw("services broken", "s3 =");
    }
    if d.chance(1) {
        d.tag("nested s3 key in the profile");
        let sec = s.section();
        s.config.raw(&sec, "s3 =\n  addressing_style = path");
    }
}

/// `--output` / `AWS_DEFAULT_OUTPUT` / profile `output`, `--query`, `--color`.
pub fn output(d: &mut Draw, s: &mut Setup, query_fields: &[&str]) {
    if d.chance(55) {
        let fmt = d.weighted(&[
            (20, "json"),
            (20, "text"),
            (20, "table"),
            (14, "yaml"),
            (8, "yaml-stream"),
            (8, "off"),
            (2, "yml"),
            (2, "JSON"),
            (1, ""),
        ]);
        let place = d.weighted(&[(70, 0), (15, 1), (15, 2)]);
        d.tag(format!(
            "output {fmt:?} via {}",
            ["flag", "env", "profile"][place]
        ));
        match place {
            0 => s.opts.push(Opt::global("--output", fmt)),
            1 => s.case.set_env("AWS_DEFAULT_OUTPUT", fmt),
            _ => s.set_profile_key("output", fmt),
        }
    }
    if d.chance(40) {
        let q = query::query(d, query_fields);
        d.tag(format!("query {q}"));
        s.opts.push(Opt::global("--query", q));
    }
    if d.chance(10) {
        let c = d.weighted(&[(40, "on"), (30, "off"), (20, "auto"), (10, "bogus")]);
        d.tag(format!("color {c}"));
        s.opts.push(Opt::global("--color", c));
    }
}

/// `--cli-error-format` and friends, timeouts, retries, ignored flags, junk.
pub fn misc(d: &mut Draw, s: &mut Setup) {
    if d.chance(6) {
        let f = d.weighted(&[
            (15, "enhanced"),
            (15, "legacy"),
            (15, "json"),
            (15, "yaml"),
            (10, "text"),
            (10, "table"),
            (10, "bogus"),
            (5, "JSON"),
        ]);
        let place = d.weighted(&[(50, 0), (25, 1), (25, 2)]);
        d.tag(format!(
            "error format {f} via {}",
            ["flag", "env", "profile"][place]
        ));
        match place {
            0 => s.opts.push(Opt::global("--cli-error-format", f)),
            1 => s.case.set_env("AWS_CLI_ERROR_FORMAT", f),
            _ => s.set_profile_key("cli_error_format", f),
        }
    }
    for name in ["--cli-read-timeout", "--cli-connect-timeout"] {
        if d.chance(4) {
            let v = d.pick(&[
                "0",
                "1",
                "5",
                "60",
                "-1",
                "abc",
                "1.5",
                "",
                "1e400",
                "99999999999999999999",
                "-0",
                "nan",
                "inf",
            ]);
            d.tag(format!("{name} {v:?}"));
            s.opts.push(Opt::global(name, v));
        }
    }
    if d.chance(4) {
        let v = d.pick(&["1", "2", "5", "0", "-1", "abc"]);
        d.tag(format!("max attempts {v}"));
        if d.chance(50) {
            s.case.set_env("AWS_MAX_ATTEMPTS", v);
        } else {
            s.set_profile_key("max_attempts", v);
        }
    }
    if d.chance(3) {
        // Not adaptive after a throttling answer: its rate limiter waits for the monotonic
        // clock, which libfaketime freezes for the reference, so the reference would hang.
        let throttled = d.tags().iter().any(|t| t.contains("thrott"));
        let modes: &[&str] = if throttled {
            &["standard", "legacy", "bogus"]
        } else {
            &["standard", "legacy", "adaptive", "bogus"]
        };
        let v = d.pick(modes);
        d.tag(format!("retry mode {v}"));
        if d.chance(50) {
            s.case.set_env("AWS_RETRY_MODE", v);
        } else {
            s.set_profile_key("retry_mode", v);
        }
    }
    if d.chance(3) {
        let closed = format!("http://127.0.0.1:{}", d.port());
        let (var, value) = d.pick(&[
            ("HTTPS_PROXY", closed.clone()),
            ("HTTP_PROXY", closed.clone()),
            ("https_proxy", "not a proxy".to_owned()),
            ("AWS_CA_BUNDLE", "$HOME/no-such-ca.pem".to_owned()),
        ]);
        d.tag(format!("{var}={value}"));
        s.case.set_env(var, value);
        if var.ends_with("PROXY") && d.chance(50) {
            s.case
                .set_env("NO_PROXY", d.pick(&["127.0.0.1", "*", "example.com"]));
        }
    }
    if d.chance(5) {
        let flags: [Opt; 6] = [
            Opt::flag("--no-paginate"),
            Opt::flag("--no-cli-pager"),
            Opt::global("--cli-binary-format", "raw-in-base64-out"),
            Opt::flag("--no-verify-ssl"),
            Opt::global("--ca-bundle", "$HOME/no-such-ca.pem"),
            Opt::flag("--no-cli-auto-prompt"),
        ];
        let i = d.rng.below(flags.len());
        let o = flags.into_iter().nth(i).unwrap();
        d.tag(format!("flag {}", o.name));
        s.opts.push(o);
    }
    if d.chance(3) {
        let junk = d.weighted(&[
            (20, vec!["--bogus"]),
            (15, vec!["--bogus", "value"]),
            (15, vec!["stray"]),
            (15, vec!["--", "--cluster-name", "b"]),
            (10, vec!["--region"]),
            (10, vec!["--query"]),
            (5, vec!["-"]),
            (5, vec!["--output"]),
            (5, vec!["---x"]),
        ]);
        d.tag(format!("junk {junk:?}"));
        s.tail.extend(junk.iter().map(|w| w.to_string()));
    }
}

/// `KUBERNETES_EXEC_INFO`: valid values of each API version and what Python's json.loads
/// makes of odd ones.
pub fn exec_info(d: &mut Draw, s: &mut Setup) {
    if !d.chance(22) {
        return;
    }
    let api = |v: &str| format!("client.authentication.k8s.io/{v}");
    let value: String = match d.rng.below(8) {
        0..=2 => {
            let v = d.weighted(&[(35, "v1beta1"), (35, "v1"), (20, "v1alpha1"), (10, "v2")]);
            let interactive = d.pick(&["false", "true"]);
            match d.rng.below(4) {
                0 => format!("{{\"kind\":\"ExecCredential\",\"apiVersion\":\"{}\",\"spec\":{{\"interactive\":{interactive}}}}}", api(v)),
                1 => format!("{{\n  \"kind\": \"ExecCredential\",\n  \"apiVersion\": \"{}\",\n  \"spec\": {{\n    \"interactive\": {interactive}\n  }}\n}}", api(v)),
                2 => format!("{{\"apiVersion\":\"{}\",\"kind\":\"ExecCredential\",\"spec\":{{\"cluster\":{{\"server\":\"https://x.example\",\"certificate-authority-data\":\"Zm9v\",\"config\":null}},\"interactive\":{interactive}}}}}", api(v)),
                _ => format!("{{\"apiVersion\": \"{}\"}}", api(v)),
            }
        }
        3 => d
            .pick(&[
                "NaN",
                "Infinity",
                "-Infinity",
                "1e999",
                "-1e999",
                "{\"apiVersion\": NaN}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"x\": Infinity}",
                "\"\\ud800\"",
                "{\"apiVersion\": \"\\ud800\"}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\\udc00\"}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"n\": 1E400}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"n\": 123456789012345678901234567890}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"n\": -0}",
            ])
            .to_owned(),
        4 => d
            .pick(&[
                "{",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\"",
                "[",
                "{'apiVersion': 'x'}",
                "{\"a\":1,}",
                "{} x",
                "",
                "   ",
                "\u{feff}{}",
                "{\"a\": \"\u{1}\"}",
                "{\"a\": tru}",
                "nul",
                "01",
                "{\"a\": 1e}",
                "\"unterminated",
                "{\"a\":\"\\u12\"}",
                "[1,]",
                "{\"apiVersion\" \"x\"}",
                "\u{a0}{}",
                "{\"a\": \"\\x41\"}",
                "{\"a\":1}}",
            ])
            .to_owned(),
        5 => {
            // At most 20,000 deep: an environment string may not exceed 128 KiB.
            let n = d.pick(&[50usize, 998, 1000, 5000, 20_000]);
            d.tag(format!("exec info nested {n} deep"));
            if d.chance(50) {
                format!("{}{}", "[".repeat(n), "]".repeat(n))
            } else {
                format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))
            }
        }
        6 => d
            .pick(&[
                "null",
                "true",
                "1",
                "\"str\"",
                "[]",
                "{}",
                "{\"apiVersion\": null}",
                "{\"apiVersion\": 1}",
                "{\"apiVersion\": []}",
                "{\"apiVersion\": {}}",
                "{\"apiVersion\": \"\"}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1beta1 \"}",
                "{\"apiVersion\": \"CLIENT.AUTHENTICATION.K8S.IO/V1\"}",
                "{\"apiVersion\": \"client.authentication.k8s.io\\/v1\"}",
                "{\"apiVersion\": \"\\u0063lient.authentication.k8s.io/v1\"}",
                "{\"apiVersion\": true}",
                "{\"apiVersion\": 1.5}",
                "[{\"apiVersion\": \"client.authentication.k8s.io/v1\"}]",
            ])
            .to_owned(),
        _ => d
            .pick(&[
                "{\"apiVersion\":\"client.authentication.k8s.io/v1alpha1\",\"apiVersion\":\"client.authentication.k8s.io/v1\"}",
                "\n\t {\"apiVersion\": \"client.authentication.k8s.io/v1\"} \r\n",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"spec\": {\"ü\": \"é\"}}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"kind\": 5}",
                "{\"kind\": \"ExecCredential\"}",
            ])
            .to_owned(),
    };
    d.tag(format!(
        "exec info {:?}",
        value.chars().take(60).collect::<String>()
    ));
    s.case.set_env("KUBERNETES_EXEC_INFO", value);
}
