//! The authorization code flow's secrets and its redirect target: the PKCE verifier and
//! challenge, the `state`, and the loopback server that receives the browser's redirect
//! (awscli/customizations/sso/utils.py `AuthCodeFetcher`, botocore `SSOTokenFetcherAuth`).
//!
//! Safer than the CLI's `HTTPServer(('', 0))`, which listens on every interface, answers
//! any path and blocks on one slow connection: this one listens on 127.0.0.1 only, serves
//! only the callback path, reads each connection in its own thread with a time limit and a
//! size limit, and takes one callback: the first that carries a code or an error.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// The path of the redirect URI the CLI registers (`http://127.0.0.1/oauth/callback`).
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// `AuthCodeFetcher._OVERALL_TIMEOUT`: how long the CLI waits for the redirect.
pub const WAIT: Duration = Duration::from_secs(600);

/// One connection's limits: the browser sends a short GET at once.
const READ_LIMIT: Duration = Duration::from_secs(10);
const MAX_REQUEST: usize = 16 * 1024;
/// Connections served at the same time (browsers open a few speculatively).
const MAX_CONNECTIONS: usize = 16;

/// `n` bytes from the operating system's CSPRNG.
fn random_bytes(n: usize) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf).map_err(|e| {
        Error::General(format!(
            "could not read the system's random number generator: {e}"
        ))
    })?;
    Ok(buf)
}

/// The PKCE code verifier: 64 characters of `[A-Za-z0-9-._~]`, uniformly chosen (botocore
/// draws them with `secrets.choice`).
pub fn code_verifier() -> Result<String, Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    // Bytes of 198 and above would favour the first characters; they are drawn again.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut out = String::with_capacity(64);
    while out.len() < 64 {
        for b in random_bytes(96)? {
            if b < limit && out.len() < 64 {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

/// The S256 challenge: unpadded base64url of the verifier's SHA-256.
pub fn code_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The `state`: a random (version 4) UUID, as botocore's `uuid.uuid4()`.
pub fn state() -> Result<String, Error> {
    let mut b = random_bytes(16)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::aws::sigv4::hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// What the identity provider sent back through the browser.
#[derive(Debug, PartialEq)]
pub enum Redirect {
    Code {
        code: String,
        state: String,
    },
    /// An `error` parameter (the user denied the request, ...).
    Error,
}

/// The loopback server, listening from `bind` until `wait` returns.
pub struct Server {
    listener: TcpListener,
    port: u16,
}

impl Server {
    /// Listen on a free port of 127.0.0.1. A failure is botocore's `AuthCodeFetcherError`.
    pub fn bind() -> Result<Server, Error> {
        let fail = |e: std::io::Error| {
            Error::General(format!(
                "Unable to initialize the OAuth 2.0 authorization callback handler: {} \n You may use --use-device-code to fall back to the device code flow which does not require the callback handler.",
                pystd::os_error::os_error(&e)
            ))
        };
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(fail)?;
        let port = listener.local_addr().map_err(fail)?.port();
        Ok(Server { listener, port })
    }

    /// `http://127.0.0.1:<port>/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// The first redirect that carries a code (with a state) or an error, or `None` when
    /// none came within `limit`. The server is closed when this returns.
    pub fn wait(self, limit: Duration) -> Option<Redirect> {
        let (tx, rx) = mpsc::channel();
        let done = Arc::new(AtomicBool::new(false));
        let active = Arc::new(AtomicUsize::new(0));
        let acceptor = {
            let done = done.clone();
            std::thread::spawn(move || {
                for stream in self.listener.incoming() {
                    if done.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                        active.fetch_sub(1, Ordering::SeqCst);
                        continue; // dropped: closed at once
                    }
                    let (tx, done, active) = (tx.clone(), done.clone(), active.clone());
                    std::thread::spawn(move || {
                        if let Some(r) = serve(stream, &done) {
                            let _ = tx.send(r);
                        }
                        active.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            })
        };
        let deadline = Instant::now() + limit;
        let result = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok();
        // Stop listening: wake the acceptor, which then drops the listener.
        done.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        let _ = acceptor.join();
        result
    }
}

/// One connection: a GET of the callback path with a code and a state, or an error,
/// answered with a short page; anything else is refused and changes nothing. Returns the
/// redirect if this connection was the one taken.
fn serve(mut stream: TcpStream, done: &AtomicBool) -> Option<Redirect> {
    let _ = stream.set_read_timeout(Some(READ_LIMIT));
    let _ = stream.set_write_timeout(Some(READ_LIMIT));
    let head = read_head(&mut stream)?;
    let line = head.lines().next().unwrap_or_default();
    let mut words = line.split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if method != "GET" {
        respond(&mut stream, "405 Method Not Allowed", "");
        return None;
    }
    if path != CALLBACK_PATH {
        respond(&mut stream, "404 Not Found", "");
        return None;
    }
    let redirect = parse_redirect(query);
    let Some(redirect) = redirect else {
        respond(&mut stream, "400 Bad Request", "");
        return None;
    };
    // One callback only: the first wins, later ones are told so.
    if done.swap(true, Ordering::SeqCst) {
        respond(&mut stream, "409 Conflict", PAGE_USED);
        return None;
    }
    let page = match redirect {
        Redirect::Code { .. } => PAGE_DONE,
        Redirect::Error => PAGE_DENIED,
    };
    respond(&mut stream, "200 OK", page);
    let _ = stream.shutdown(Shutdown::Write);
    Some(redirect)
}

/// The request line and headers (the callback has no body), at most `MAX_REQUEST` bytes.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && !buf.windows(2).any(|w| w == b"\n\n") {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 || buf.len() + n > MAX_REQUEST {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(buf).ok()
}

/// The CLI's `OAuthCallbackHandler.do_GET` over `parse_qs(query)` (blank values dropped,
/// first value kept): an `error` ends the wait without a code; a `code` with a `state`
/// ends it with them; anything else is not a callback.
pub fn parse_redirect(query: &str) -> Option<Redirect> {
    let mut code = None;
    let mut state = None;
    let mut error = false;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (form_decode(k), form_decode(v));
        if v.is_empty() {
            continue;
        }
        match k.as_str() {
            "error" => error = true,
            "code" if code.is_none() => code = Some(v),
            "state" if state.is_none() => state = Some(v),
            _ => {}
        }
    }
    if error {
        return Some(Redirect::Error);
    }
    Some(Redirect::Code {
        code: code?,
        state: state?,
    })
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space), lossy for bad UTF-8.
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const PAGE_DONE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>AWS sign-in</title></head><body><h1>Request received</h1><p>You can close this window and return to the terminal.</p></body></html>\n";
const PAGE_DENIED: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>AWS sign-in</title></head><body><h1>Request not approved</h1><p>The sign-in was not completed. You can close this window and return to the terminal.</p></body></html>\n";
const PAGE_USED: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>AWS sign-in</title></head><body><p>This sign-in request has already been answered.</p></body></html>\n";

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_and_challenge() {
        let v = code_verifier().unwrap();
        assert_eq!(v.len(), 64);
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        assert_ne!(v, code_verifier().unwrap());
        // RFC 7636, appendix B.
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let s = state().unwrap();
        assert_eq!(s.len(), 36);
        assert_eq!(&s[14..15], "4");
        assert!("89ab".contains(&s[19..20]));
    }

    #[test]
    fn redirects_like_parse_qs() {
        assert_eq!(
            parse_redirect("code=a%2Bb+c&state=s&code=second"),
            Some(Redirect::Code {
                code: "a+b c".into(),
                state: "s".into()
            })
        );
        assert_eq!(
            parse_redirect("error=access_denied&state=s"),
            Some(Redirect::Error)
        );
        assert!(parse_redirect("error=&code=c&state=s").is_some());
        assert_eq!(parse_redirect("code=c"), None);
        assert_eq!(parse_redirect("code=&state=s"), None);
        assert_eq!(parse_redirect(""), None);
        assert_eq!(parse_redirect("%zz=1&code=%e2%82%ac&state=%"), {
            Some(Redirect::Code {
                code: "€".into(),
                state: "%".into(),
            })
        });
    }

    fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn serves_one_callback_on_its_path_only() {
        let server = Server::bind().unwrap();
        let port = server.port;
        assert_eq!(
            server.redirect_uri(),
            format!("http://127.0.0.1:{port}/oauth/callback")
        );
        let waiter = std::thread::spawn(move || server.wait(Duration::from_secs(30)));
        // An idle connection (a browser's preconnect) blocks nothing.
        let idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
        assert!(get(port, "/favicon.ico").starts_with("HTTP/1.1 404"));
        assert!(get(port, "/oauth/callback?state=s").starts_with("HTTP/1.1 400"));
        let page = get(port, "/oauth/callback?code=c&state=s");
        assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
        assert_eq!(
            waiter.join().unwrap(),
            Some(Redirect::Code {
                code: "c".into(),
                state: "s".into()
            })
        );
        // Closed once the wait is over.
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
        drop(idle);
    }

    #[test]
    fn gives_up_after_the_limit() {
        let server = Server::bind().unwrap();
        assert_eq!(server.wait(Duration::from_millis(50)), None);
    }
}
