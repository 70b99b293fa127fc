//! The stand-in browser of the golden cases with a `browser` field (FORMAT.md): run as
//! `$BROWSER` with the URL to open, it appends the URL to `$HOME/browser-opened.txt` and
//! returns at once, like a real browser launcher; in the background it plays the identity
//! provider: it sends the authorization request's `redirect_uri` a callback, as the
//! recorder's `browser.py` does.
//!
//! `BROWSER_MODE`: `approve` (default: `code=authcode-123` and the request's `state`),
//! `deny` (`error=access_denied` and the state), `wrong-state` (the code with the state
//! `not-the-state`).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

/// How long the background part waits for the program under test to answer.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(20);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, url] = &args[..] {
        if flag == "--deliver" {
            deliver(url);
            return ExitCode::SUCCESS;
        }
    }
    let Some(url) = args.get(1) else {
        eprintln!("usage: stand-in-browser URL");
        return ExitCode::from(2);
    };
    let Some(home) = std::env::var_os("HOME") else {
        eprintln!("stand-in-browser: HOME is not set");
        return ExitCode::FAILURE;
    };
    let log = std::path::Path::new(&home).join("browser-opened.txt");
    let logged = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| f.write_all(format!("{url}\n").as_bytes()));
    if let Err(e) = logged {
        eprintln!("stand-in-browser: {}: {e}", log.display());
        return ExitCode::FAILURE;
    }
    // The identity provider's part, detached (its own session, no standard streams): the
    // program under test must not wait for it, and its output pipes must not stay open.
    let me = std::env::current_exe().expect("own path");
    let mut child = Command::new(me);
    child
        .args(["--deliver", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid(2) is async-signal-safe and touches no memory.
    unsafe {
        child.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    match child.spawn() {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stand-in-browser: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Send the callback for the authorization request `url`; every failure is ignored (a
/// device-code page has no `redirect_uri`).
fn deliver(url: &str) {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    // `dict(parse_qsl(query))`: blank values dropped, the last of a name kept.
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (unquote_plus(k), unquote_plus(v));
        if !v.is_empty() {
            params.retain(|(name, _)| *name != k);
            params.push((k, v));
        }
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let state = get("state");
    let answer: Vec<(&str, String)> = match std::env::var("BROWSER_MODE").as_deref() {
        Ok("deny") => vec![("error", "access_denied".into()), ("state", state)],
        Ok("wrong-state") => vec![
            ("code", "authcode-123".into()),
            ("state", "not-the-state".into()),
        ],
        _ => vec![("code", "authcode-123".into()), ("state", state)],
    };
    let encoded: Vec<String> = answer
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
        .collect();
    let callback = format!("{}?{}", get("redirect_uri"), encoded.join("&"));
    let _ = http_get(&callback);
}

/// A plain HTTP/1.1 GET of an `http://` URL; the answer is read and dropped.
fn http_get(url: &str) -> std::io::Result<()> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::other("not an http URL"))?;
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let with_port = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = with_port
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, CALLBACK_TIMEOUT)?;
    stream.set_read_timeout(Some(CALLBACK_TIMEOUT))?;
    stream.set_write_timeout(Some(CALLBACK_TIMEOUT))?;
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: {authority}\r\nUser-Agent: stand-in-browser\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(())
}

/// `urllib.parse.unquote_plus`.
fn unquote_plus(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `urllib.parse.quote_plus` (what `urlencode` applies to names and values).
fn quote_plus(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
