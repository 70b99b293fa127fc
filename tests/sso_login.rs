//! `aws sso login` where it is safer than the CLI (the golden cases pin the CLI's own
//! behaviour): the callback server (loopback only, the callback path only, one callback,
//! junk ignored), `$BROWSER` handled as Python's webbrowser does, token files written
//! whole through symbolic links, an unreadable client registration replaced, and a device
//! authorization the service never resolves given up on. Fake SSO OIDC on 127.0.0.1; the
//! test plays the browser.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout};
use std::time::{Duration, Instant};

use common::{argv, aws_command, write, Reply, Server};

const CONFIG: &str = "[profile dev]\nsso_session = my-sso\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\n[sso-session my-sso]\nsso_start_url = https://my-sso-portal.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n";
const TOKEN_FILE: &str = ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";
const REGISTRATION_FILE: &str = ".aws/sso/cache/c5cfae6e3e4f067423a532368c8b514b6a4b0ace.json";

/// Fake SSO OIDC for both flows.
fn oidc() -> Server {
    Server::route(|req| {
        let ok = |body: &str| Reply::Respond(200, "application/json", body.to_string());
        match req.path.as_str() {
            "/client/register" => ok(
                r#"{"clientId": "cid-new", "clientSecret": "csecret-new", "clientSecretExpiresAt": 4070908800}"#,
            ),
            "/device_authorization" => ok(
                r#"{"deviceCode": "dc", "userCode": "UC", "verificationUri": "https://device.example/", "verificationUriComplete": "https://device.example/?user_code=UC", "expiresIn": 600, "interval": 1}"#,
            ),
            "/token" => ok(
                r#"{"accessToken": "new-access", "refreshToken": "new-refresh", "expiresIn": 28800, "tokenType": "Bearer"}"#,
            ),
            _ => Reply::Respond(404, "application/json", "{}".into()),
        }
    })
}

fn home_with_config() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aws/config", CONFIG, 0o644);
    home
}

fn start(home: &Path, args: &str, env: &[(&str, &str)]) -> (Child, BufReader<ChildStdout>) {
    let mut child = aws_command(Some(home), home, &argv(args), env)
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (child, stdout)
}

/// Lines of stdout up to the authorize URL, which is returned.
fn authorize_url(stdout: &mut BufReader<ChildStdout>, oidc: &Server) -> String {
    let mut shown = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no URL in: {shown}"
        );
        if line.starts_with(&format!("{}/authorize?", oidc.url())) {
            return line.trim_end().to_string();
        }
        shown.push_str(&line);
    }
}

fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    let raw = query
        .split('&')
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .unwrap();
    raw.replace("%3A", ":").replace("%2F", "/")
}

/// One raw request to `host:port`; the answer's status line, or the connection error.
fn request(host: &str, port: u16, raw: &str) -> Result<String, std::io::Error> {
    let mut s = TcpStream::connect((host, port))?;
    s.write_all(raw.as_bytes())?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    Ok(answer.lines().next().unwrap_or_default().to_string())
}

fn get(port: u16, target: &str) -> Result<String, std::io::Error> {
    request(
        "127.0.0.1",
        port,
        &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
    )
}

fn finish(mut child: Child, mut stdout: BufReader<ChildStdout>) -> (i32, String, String) {
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code().unwrap_or(-1), rest, err)
}

#[test]
fn the_callback_server_takes_one_callback_on_loopback_only() {
    let home = home_with_config();
    let oidc = oidc();
    let url = oidc.url();
    let (child, mut stdout) = start(
        home.path(),
        "sso login --profile dev --no-browser",
        &[("AWS_ENDPOINT_URL_SSO_OIDC", &url)],
    );
    let authorize = authorize_url(&mut stdout, &oidc);
    let redirect = param(&authorize, "redirect_uri");
    let state = param(&authorize, "state");
    let port: u16 = redirect
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.strip_suffix("/oauth/callback"))
        .unwrap()
        .parse()
        .unwrap();

    // Another loopback address (the CLI listens on every interface, so it answers there).
    assert!(
        request("127.0.0.2", port, "GET / HTTP/1.1\r\n\r\n").is_err(),
        "the callback server answers on 127.0.0.2"
    );
    // An idle connection (a browser's preconnect) blocks nothing; anything but a GET of the
    // callback with a code and a state, or an error, is refused and changes nothing.
    let idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert_eq!(get(port, "/").unwrap(), "HTTP/1.1 404 Not Found");
    assert_eq!(
        get(port, &format!("/favicon.ico?code=c&state={state}")).unwrap(),
        "HTTP/1.1 404 Not Found"
    );
    assert_eq!(
        request(
            "127.0.0.1",
            port,
            &format!(
                "POST /oauth/callback?code=c&state={state} HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
            )
        )
        .unwrap(),
        "HTTP/1.1 405 Method Not Allowed"
    );
    assert_eq!(
        get(port, &format!("/oauth/callback?state={state}")).unwrap(),
        "HTTP/1.1 400 Bad Request"
    );
    assert_eq!(
        get(port, "/oauth/callback?code=&state=x").unwrap(),
        "HTTP/1.1 400 Bad Request"
    );
    // An oversized request is dropped.
    let huge = format!(
        "GET /oauth/callback?code={} HTTP/1.1\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    assert!(request("127.0.0.1", port, &huge).map_or(true, |s| s.is_empty()));
    // The callback: taken, and the server closes.
    assert_eq!(
        get(
            port,
            &format!("/oauth/callback?code=the-code&state={state}")
        )
        .unwrap(),
        "HTTP/1.1 200 OK"
    );
    let (rc, rest, err) = finish(child, stdout);
    assert_eq!(rc, 0, "{err}");
    assert!(
        rest.ends_with(
            "Successfully logged into Start URL: https://my-sso-portal.awsapps.com/start\n"
        ),
        "{rest}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while get(port, &format!("/oauth/callback?code=late&state={state}")).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the callback server still answers"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(idle);
    // The code exchanged was the first callback's.
    let token: serde_json::Value = serde_json::from_str(&oidc.requests()[1].body).unwrap();
    assert_eq!(token["code"], "the-code");
    assert_eq!(token["redirectUri"], redirect.as_str());
}

/// `$BROWSER` as Python's webbrowser reads it: entries tried in order until one exits 0, a
/// command line with `%s` replaced by the URL.
#[test]
fn browser_commands_are_tried_in_order() {
    let home = home_with_config();
    let oidc = oidc();
    let url = oidc.url();
    let seen = home.path().join("seen-url");
    let browser = format!(
        "/nonexistent/browser %s:false %s:sh -c 'echo \"$0\" > {}' %s",
        seen.display()
    );
    let (child, mut stdout) = start(
        home.path(),
        "sso login --profile dev",
        &[("AWS_ENDPOINT_URL_SSO_OIDC", &url), ("BROWSER", &browser)],
    );
    let authorize = authorize_url(&mut stdout, &oidc);
    // The command ran before the wait: the URL it was given is there.
    let deadline = Instant::now() + Duration::from_secs(10);
    let opened = loop {
        let text = std::fs::read_to_string(&seen).unwrap_or_default();
        if text.ends_with('\n') {
            break text;
        }
        assert!(Instant::now() < deadline, "the browser command did not run");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(opened, format!("{authorize}\n"));
    let redirect = param(&authorize, "redirect_uri");
    let port: u16 = redirect
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/oauth/callback")
        .parse()
        .unwrap();
    let state = param(&authorize, "state");
    assert_eq!(
        get(
            port,
            &format!("/oauth/callback?error=access_denied&state={state}")
        )
        .unwrap(),
        "HTTP/1.1 200 OK"
    );
    let (rc, _, err) = finish(child, stdout);
    assert_eq!(rc, 255);
    assert_eq!(
        err,
        "\naws: [ERROR]: Error loading authorization code: Failed to retrieve an authorization code.\n"
    );
}

#[test]
fn a_token_file_that_is_a_symlink_stays_one() {
    use std::os::unix::fs::PermissionsExt;
    let home = home_with_config();
    write(
        home.path(),
        "elsewhere/token.json",
        "{\"accessToken\": \"old\"}",
        0o640,
    );
    std::fs::create_dir_all(home.path().join(".aws/sso/cache")).unwrap();
    let link = home.path().join(TOKEN_FILE);
    std::os::unix::fs::symlink("../../../elsewhere/token.json", &link).unwrap();
    let oidc = oidc();
    let url = oidc.url();
    let out = common::run(
        home.path(),
        &argv("sso login --profile dev --use-device-code --no-browser"),
        &[("AWS_ENDPOINT_URL_SSO_OIDC", &url)],
        Duration::from_secs(30),
    );
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let target = home.path().join("elsewhere/token.json");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(saved["accessToken"], "new-access");
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // No temporary file left behind.
    let leftovers: Vec<_> = std::fs::read_dir(home.path().join("elsewhere"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers, ["token.json"]);
}

/// The CLI stops with `KeyError` on a registration file it cannot parse (a file its own
/// non-atomic writes can leave torn); a new registration replaces it here.
#[test]
fn an_unreadable_registration_is_replaced() {
    let home = home_with_config();
    write(
        home.path(),
        REGISTRATION_FILE,
        "{\"clientId\": \"cid-torn",
        0o600,
    );
    let oidc = oidc();
    let url = oidc.url();
    let out = common::run(
        home.path(),
        &argv("sso login --profile dev --use-device-code --no-browser"),
        &[("AWS_ENDPOINT_URL_SSO_OIDC", &url)],
        Duration::from_secs(30),
    );
    assert_eq!(out.rc, 0, "{}", out.stderr);
    assert_eq!(oidc.requests()[0].path, "/client/register");
    let saved = std::fs::read_to_string(home.path().join(REGISTRATION_FILE)).unwrap();
    assert_eq!(
        saved,
        r#"{"clientId": "cid-new", "clientSecret": "csecret-new", "expiresAt": "2099-01-01T00:00:00Z", "scopes": ["sso:account:access"]}"#
    );
}

/// The CLI polls a device authorization until the service says it expired; a service that
/// never does is given up on once the authorization's lifetime has passed twice over, with
/// the CLI's message.
#[test]
fn a_device_code_that_never_resolves_expires() {
    let home = home_with_config();
    let oidc = Server::route(|req| {
        let ok = |body: &str| Reply::Respond(200, "application/json", body.to_string());
        match req.path.as_str() {
            "/client/register" => {
                ok(r#"{"clientId": "c", "clientSecret": "s", "clientSecretExpiresAt": 4070908800}"#)
            }
            "/device_authorization" => ok(
                r#"{"deviceCode": "dc", "userCode": "UC", "verificationUri": "https://d/", "verificationUriComplete": "https://d/?c=UC", "expiresIn": 1, "interval": 0.2}"#,
            ),
            _ => Reply::Respond(
                400,
                "application/json",
                r#"{"__type": "AuthorizationPendingException", "error": "authorization_pending"}"#
                    .into(),
            ),
        }
    });
    let url = oidc.url();
    let out = common::run(
        home.path(),
        &argv("sso login --profile dev --use-device-code --no-browser"),
        &[("AWS_ENDPOINT_URL_SSO_OIDC", &url)],
        Duration::from_secs(30),
    );
    assert_eq!(out.rc, 255);
    assert_eq!(
        out.stderr,
        "\naws: [ERROR]: The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted.\n"
    );
    assert!(
        out.stdout.contains("ABCD") || out.stdout.contains("UC"),
        "{}",
        out.stdout
    );
    let polls = oidc
        .requests()
        .iter()
        .filter(|r| r.path == "/token")
        .count();
    assert!(polls >= 3, "{polls} polls");
    assert!(!home.path().join(TOKEN_FILE).exists());
}
