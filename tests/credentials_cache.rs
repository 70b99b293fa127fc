//! The AWS CLI's credential cache, shared: the files we write have the CLI's names,
//! layout and mode, and files in the CLI's layout are used without a network call.

mod common;

use std::time::Duration;

use common::*;

const LIMIT: Duration = Duration::from_secs(30);
fn args() -> Vec<&'static str> {
    argv("eks get-token --cluster-name a --region us-west-2")
}
const PROFILES: &str = "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n\n[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/eks-admin\nsource_profile = base\n";
/// `json.dumps({"RoleArn": ...}, sort_keys=True)`, SHA-1: the name the CLI gives it.
const ASSUME_ROLE_FILE: &str = ".aws/cli/cache/68cb027cd378aac40125a108c805a4794ec225e0.json";

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn assume_role_cache_file_is_the_one_the_cli_writes() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aws/config", PROFILES, 0o644);
    let body = assume_role_xml("ASIAASSUMED");
    assert_eq!(body.len(), 554); // the recorded response's Content-Length
    let sts = Server::start(vec![Reply::Respond(200, "text/xml", body)]);
    let out = run(
        home.path(),
        &args(),
        &[("AWS_PROFILE", "eks"), ("AWS_ENDPOINT_URL_STS", &sts.url())],
        LIMIT,
    );
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    let seen = sts.requests();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].body.starts_with(
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Feks-admin&RoleSessionName=botocore-session-"
    ));
    let path = home.path().join(ASSUME_ROLE_FILE);
    // Byte for byte what AWS CLI 2.36.7 wrote for this profile and this response
    // (creds/assume-role-profile, with the expiry of our fake STS).
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"Credentials\": {\"AccessKeyId\": \"ASIAASSUMED\", \"SecretAccessKey\": \"assumedsecret\", \"SessionToken\": \"assumedtoken\", \"Expiration\": \"2099-01-02T04:04:05+00:00\", \"AccountId\": \"123456789012\"}, \"AssumedRoleUser\": {\"AssumedRoleId\": \"AROAEXAMPLEID:session\", \"Arn\": \"arn:aws:sts::123456789012:assumed-role/eks-admin/EKSGetTokenAuth\"}, \"ResponseMetadata\": {\"RequestId\": \"req-1\", \"HTTPStatusCode\": 200, \"HTTPHeaders\": {\"content-type\": \"text/xml\", \"content-length\": \"554\"}, \"RetryAttempts\": 0}}"
    );
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);

    // The next run uses the file: no call.
    let out = run(
        home.path(),
        &args(),
        &[("AWS_PROFILE", "eks"), ("AWS_ENDPOINT_URL_STS", &sts.url())],
        LIMIT,
    );
    assert_eq!(out.rc, 0);
    assert_eq!(sts.requests().len(), 1);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIAASSUMED%2F"));
}

#[test]
fn a_cli_cache_file_is_used_without_network() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aws/config", PROFILES, 0o644);
    // As the AWS CLI leaves it (creds/assume-role-cache-hit), still valid.
    let cli_file = "{\"Credentials\": {\"AccessKeyId\": \"ASIAFROMCACHE\", \"SecretAccessKey\": \"cachedsecret\", \"SessionToken\": \"cachedtoken\", \"Expiration\": \"2099-01-02T04:04:05+00:00\", \"AccountId\": \"123456789012\"}, \"AssumedRoleUser\": {\"AssumedRoleId\": \"AROAEXAMPLEID:session\", \"Arn\": \"arn:aws:sts::123456789012:assumed-role/eks-admin/EKSGetTokenAuth\"}, \"ResponseMetadata\": {\"RequestId\": \"req-1\", \"HTTPStatusCode\": 200, \"HTTPHeaders\": {\"content-type\": \"text/xml\", \"content-length\": \"554\"}, \"RetryAttempts\": 0}}";
    write(home.path(), ASSUME_ROLE_FILE, cli_file, 0o600);
    let sts = Server::start(vec![Reply::Respond(500, "text/xml", String::new())]);
    let out = run(
        home.path(),
        &args(),
        &[("AWS_PROFILE", "eks"), ("AWS_ENDPOINT_URL_STS", &sts.url())],
        LIMIT,
    );
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    assert!(sts.requests().is_empty());
    let url = token_url(&out.stdout);
    assert!(url.contains("X-Amz-Credential=ASIAFROMCACHE%2F"), "{url}");
    assert!(url.contains("X-Amz-Security-Token=cachedtoken&"), "{url}");
    assert_eq!(
        std::fs::read_to_string(home.path().join(ASSUME_ROLE_FILE)).unwrap(),
        cli_file,
        "a cache hit leaves the file alone"
    );
}

#[test]
fn sso_role_credentials_share_the_cli_cache() {
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        ".aws/config",
        "[profile sso]\nsso_session = my-sso\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\n[sso-session my-sso]\nsso_start_url = https://my-sso-portal.awsapps.com/start\nsso_region = us-east-1\n",
        0o644,
    );
    write(
        home.path(),
        ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json",
        "{\"startUrl\": \"https://my-sso-portal.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"sso-access-token\", \"expiresAt\": \"2099-01-02T11:00:00Z\"}",
        0o600,
    );
    let portal = Server::start(vec![Reply::Respond(
        200,
        "application/json",
        "{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\", \"secretAccessKey\": \"ssosecret\", \"sessionToken\": \"ssotoken\", \"expiration\": 4070908800000}}".into(),
    )]);
    let url = portal.url();
    let env = [
        ("AWS_PROFILE", "sso"),
        ("AWS_ENDPOINT_URL_SSO", url.as_str()),
    ];
    let out = run(home.path(), &args(), &env, LIMIT);
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    let seen = portal.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/federation/credentials");
    assert_eq!(
        seen[0].header("x-amz-sso_bearer_token"),
        Some("sso-access-token")
    );
    // The CLI's name: SHA-1 of {"accountId","roleName","sessionName"}, compact JSON.
    let path = home
        .path()
        .join(".aws/cli/cache/31b260dab331b2af063485cea75f7b8b3cf54c71.json");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"ProviderType\": \"sso\", \"Credentials\": {\"AccessKeyId\": \"ASIASSO\", \"SecretAccessKey\": \"ssosecret\", \"SessionToken\": \"ssotoken\", \"Expiration\": \"2099-01-01T00:00:00Z\", \"AccountId\": \"123456789012\"}}"
    );
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    // Second run: from the cache, the portal is not asked again.
    let out = run(home.path(), &args(), &env, LIMIT);
    assert_eq!(out.rc, 0);
    assert_eq!(portal.requests().len(), 1);
    assert!(token_url(&out.stdout).contains("X-Amz-Credential=ASIASSO%2F"));
}

#[test]
fn web_identity_cache_name_includes_a_configured_session_name() {
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        "token",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
        0o644,
    );
    let body = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEBID</AccessKeyId><SecretAccessKey>webidsecret</SecretAccessKey><SessionToken>webidtoken</SessionToken><Expiration>2099-01-02T04:04:05Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/eks-admin/wi</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
    let sts = Server::start(vec![Reply::Respond(200, "text/xml", body.into())]);
    let token_file = home.path().join("token").display().to_string();
    let url = sts.url();
    let env = [
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.as_str()),
        ("AWS_ROLE_ARN", ROLE),
        ("AWS_ROLE_SESSION_NAME", "pod-session"),
    ];
    let out = run(home.path(), &args(), &env, LIMIT);
    assert_eq!((out.rc, out.stderr.as_str()), (0, ""));
    let seen = sts.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].header("authorization"),
        None,
        "the call is unsigned"
    );
    assert!(home
        .path()
        .join(".aws/cli/cache/93d7cd33ff00d140d26b3768e3f55cdde47750fb.json")
        .is_file());
}
