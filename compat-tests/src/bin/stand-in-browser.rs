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
    let mode = std::env::var("BROWSER_MODE").unwrap_or_default();
    let _ = http_get(&compat_tests::stand_in::callback_url(url, &mode));
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
