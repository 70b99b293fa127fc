//! Scripted fake HTTP/1.1 servers on 127.0.0.1 (FORMAT.md, "Fake servers").
//!
//! One server per kind: a thread accepting connections and a thread per connection
//! (keep-alive). Every complete request is recorded (as FORMAT.md's `expect.requests`
//! entries) *before* the response's `delay`, so a client that times out and retries shows
//! each attempt.

use crate::case::{ResponseSpec, ServerSpec};
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Request headers kept in the record (lower-case).
const RECORDED_HEADERS: [&str; 5] = [
    "authorization",
    "x-amz-security-token",
    "x-amz-sso_bearer_token",
    "x-aws-ec2-metadata-token",
    "x-aws-ec2-metadata-token-ttl-seconds",
];

/// Upper bound of a request head or body; a test client never comes close.
const MAX_REQUEST: usize = 16 << 20;

pub struct FakeServer {
    pub kind: String,
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

struct Shared {
    responses: Vec<ResponseSpec>,
    stop: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    used: Vec<bool>,
    requests: Vec<Value>,
    /// Clones of the open connections, to shut them down on stop.
    connections: Vec<TcpStream>,
    workers: Vec<JoinHandle<()>>,
}

impl FakeServer {
    /// Binds `127.0.0.1:port` and starts accepting. Retries for a moment when the port is
    /// still held (e.g. by a connection of the previous case in TIME_WAIT).
    pub fn start(spec: &ServerSpec) -> Result<FakeServer, String> {
        let deadline = Instant::now() + Duration::from_secs(3);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", spec.port)) {
                Ok(l) => break l,
                Err(e) if Instant::now() >= deadline => {
                    return Err(format!(
                        "fake server `{}` cannot listen on 127.0.0.1:{}: {e}",
                        spec.kind, spec.port
                    ))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        // Port 0 (tests outside the golden cases): a free port, see `port()`.
        let port = listener.local_addr().map_or(spec.port, |a| a.port());
        let shared = Arc::new(Shared {
            responses: spec.responses.clone(),
            stop: AtomicBool::new(false),
            state: Mutex::new(State {
                used: vec![false; spec.responses.len()],
                ..State::default()
            }),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || accept_loop(listener, shared))
        };
        Ok(FakeServer {
            kind: spec.kind.clone(),
            port,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server, closes its connections and returns the recorded requests.
    pub fn stop(mut self) -> Vec<Value> {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() with a throwaway connection.
        let _ =
            TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_secs(1));
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
        let workers = {
            let mut st = self.shared.state.lock().unwrap();
            for c in &st.connections {
                let _ = c.shutdown(Shutdown::Both);
            }
            std::mem::take(&mut st.workers)
        };
        for w in workers {
            let _ = w.join();
        }
        std::mem::take(&mut self.shared.state.lock().unwrap().requests)
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let worker = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || serve_connection(stream, &shared))
        };
        let mut st = shared.state.lock().unwrap();
        st.connections.push(clone);
        st.workers.push(worker);
    }
}

/// One parsed request.
struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    /// Lower-case names, in arrival order.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    keep_alive: bool,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn content_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase()
    }

    /// The body's parameters when it is form-encoded.
    fn form(&self) -> Option<Vec<(String, String)>> {
        if self
            .content_type()
            .contains("application/x-www-form-urlencoded")
        {
            Some(parse_urlencoded(&self.body))
        } else {
            None
        }
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let req = match read_request(&mut reader, &mut writer) {
            Ok(Some(r)) => r,
            _ => return,
        };
        let response = shared.respond(&req);
        if !sleep_unless_stopped(response.delay, &shared.stop) {
            return;
        }
        if writer.write_all(&response_bytes(&response)).is_err() || writer.flush().is_err() {
            return;
        }
        if !req.keep_alive {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

impl Shared {
    /// Records the request and picks its response (FORMAT.md rules 1-3).
    fn respond(&self, req: &Request) -> ResponseSpec {
        let form = req.form();
        let mut st = self.state.lock().unwrap();
        st.requests.push(record(req, form.as_deref()));
        let matching: Vec<usize> = (0..self.responses.len())
            .filter(|&i| matches(&self.responses[i], req, form.as_deref()))
            .collect();
        let chosen = match matching.iter().find(|&&i| !st.used[i]) {
            Some(&i) => {
                st.used[i] = true;
                Some(i)
            }
            None => matching.last().copied(),
        };
        match chosen {
            Some(i) => self.responses[i].clone(),
            None => ResponseSpec {
                conditions: Map::new(),
                status: 404,
                content_type: None,
                headers: Vec::new(),
                body: Vec::new(),
                delay: Duration::ZERO,
            },
        }
    }
}

fn matches(resp: &ResponseSpec, req: &Request, form: Option<&[(String, String)]>) -> bool {
    resp.conditions.iter().all(|(key, want)| {
        let want = match want {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let got = match key.as_str() {
            "method" => Some(req.method.as_str()),
            "path" => Some(req.path.as_str()),
            // A form parameter first, failing that a query parameter.
            _ => lookup(form.unwrap_or(&[]), key).or_else(|| lookup(&req.query, key)),
        };
        got == Some(want.as_str())
    })
}

fn lookup<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    // The last occurrence wins, like a Python dict built from the pairs.
    params
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The request as FORMAT.md records it.
fn record(req: &Request, form: Option<&[(String, String)]>) -> Value {
    let mut r = Map::new();
    r.insert("method".into(), req.method.clone().into());
    r.insert("path".into(), req.path.clone().into());
    if !req.query.is_empty() {
        r.insert("query".into(), params_object(&req.query));
    }
    let json = if req.content_type().contains("json") {
        serde_json::from_slice::<Value>(&req.body).ok()
    } else {
        None
    };
    if let Some(json) = json {
        r.insert("json".into(), json);
    } else if let (Some(form), false) = (form, req.body.is_empty()) {
        r.insert("form".into(), params_object(form));
    } else if !req.body.is_empty() {
        r.insert(
            "body".into(),
            String::from_utf8_lossy(&req.body).into_owned().into(),
        );
    }
    let mut headers = Map::new();
    for name in RECORDED_HEADERS {
        if let Some(v) = req.header(name) {
            let v = if name == "authorization" {
                reduce_sigv4(v)
            } else {
                v.to_owned()
            };
            headers.insert(name.into(), v.into());
        }
    }
    if !headers.is_empty() {
        r.insert("headers".into(), Value::Object(headers));
    }
    Value::Object(r)
}

fn params_object(params: &[(String, String)]) -> Value {
    // Inserting in order lets a repeated key keep its last value.
    let mut m = Map::new();
    for (k, v) in params {
        m.insert(k.clone(), v.clone().into());
    }
    Value::Object(m)
}

/// `AWS4-HMAC-SHA256 Credential=AKID/20240102/us-west-2/sts/aws4_request, SignedHeaders=…,
/// Signature=…` → `AWS4-HMAC-SHA256 Credential=AKID/20240102/us-west-2/sts/aws4_request`.
/// Any other value is kept verbatim.
pub fn reduce_sigv4(value: &str) -> String {
    let Some(rest) = value.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return value.to_owned();
    };
    for part in rest.split(',') {
        if let Some(cred) = part.trim().strip_prefix("Credential=") {
            return format!("AWS4-HMAC-SHA256 Credential={cred}");
        }
    }
    value.to_owned()
}

/// Reads one request; `Ok(None)` at a clean end of the connection.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> std::io::Result<Option<Request>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut line = String::new();
    // Request line (tolerating stray empty lines between requests).
    loop {
        line.clear();
        if read_line(reader, &mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), version) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("malformed request line"));
    };
    let method = method.to_owned();
    let http10 = version == Some("HTTP/1.0");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), parse_urlencoded(q.as_bytes())),
        None => (target.to_owned(), Vec::new()),
    };

    let mut headers = Vec::new();
    loop {
        line.clear();
        if read_line(reader, &mut line)? == 0 {
            return Err(bad("connection closed inside the header"));
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let connection = header("connection").unwrap_or_default();
    let keep_alive = if http10 {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    if header("expect").is_some_and(|e| e.contains("100-continue")) {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }

    let body = if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        read_chunked(reader)?
    } else {
        let len: usize = match header("content-length") {
            Some(l) => l.trim().parse().map_err(|_| bad("bad Content-Length"))?,
            None => 0,
        };
        if len > MAX_REQUEST {
            return Err(bad("body too large"));
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        body
    };
    Ok(Some(Request {
        method,
        path,
        query,
        headers,
        body,
        keep_alive,
    }))
}

fn read_line(reader: &mut BufReader<TcpStream>, line: &mut String) -> std::io::Result<usize> {
    let mut buf = Vec::new();
    let n = reader
        .by_ref()
        .take(MAX_REQUEST as u64)
        .read_until(b'\n', &mut buf)?;
    line.push_str(&String::from_utf8_lossy(&buf));
    Ok(n)
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "bad chunk");
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        read_line(reader, &mut line)?;
        let size = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size.trim(), 16).map_err(|_| bad())?;
        if size == 0 {
            // Trailers up to the empty line.
            loop {
                line.clear();
                if read_line(reader, &mut line)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_REQUEST {
            return Err(bad());
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        line.clear();
        read_line(reader, &mut line)?; // CRLF after the chunk
    }
}

/// Sleeps for `d` in small steps; false when the server was stopped meanwhile.
fn sleep_unless_stopped(d: Duration, stop: &AtomicBool) -> bool {
    let end = Instant::now() + d;
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            return true;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(20)));
    }
}

/// Status line, `Content-Type` (if any), the case's headers and `Content-Length`; no
/// `Date` or `Server`.
fn response_bytes(r: &ResponseSpec) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    if let Some(ct) = &r.content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    for (n, v) in &r.headers {
        if !n.eq_ignore_ascii_case("content-length") {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", r.body.len()));
    let mut out = head.into_bytes();
    out.extend_from_slice(&r.body);
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// `application/x-www-form-urlencoded` pairs: `+` is a space, `%XX` a byte, invalid UTF-8
/// replaced. Empty values are kept.
pub fn parse_urlencoded(s: &[u8]) -> Vec<(String, String)> {
    s.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.iter().position(|&b| b == b'=') {
            Some(i) => (percent_decode(&p[..i]), percent_decode(&p[i + 1..])),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

fn percent_decode(s: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => match (hex(s[i + 1]), hex(s[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded() {
        assert_eq!(
            parse_urlencoded(b"Action=AssumeRole&RoleArn=arn%3Aaws%3A%2F&x=a+b&e=&bad=%zz&t=%4"),
            vec![
                ("Action".into(), "AssumeRole".into()),
                ("RoleArn".into(), "arn:aws:/".into()),
                ("x".into(), "a b".into()),
                ("e".into(), "".into()),
                ("bad".into(), "%zz".into()),
                ("t".into(), "%4".into()),
            ]
        );
        assert_eq!(parse_urlencoded(b"a=%41"), vec![("a".into(), "A".into())]);
    }

    #[test]
    fn sigv4() {
        assert_eq!(
            reduce_sigv4(
                "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-west-2/sts/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=abc"
            ),
            "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-west-2/sts/aws4_request"
        );
        assert_eq!(reduce_sigv4("Bearer x"), "Bearer x");
    }
}
