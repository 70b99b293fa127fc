//! The harness every integration test shares: a scripted HTTP/1.1 server on 127.0.0.1 (an
//! ephemeral port, one thread per connection, keep-alive), the built binary as a command
//! with a clean environment, a runner with a bounded run time, and `argv("eks get-token
//! --cluster-name a")`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server does with one request.
#[derive(Clone)]
pub enum Reply {
    /// Status, content type and body (`Content-Length` always sent).
    Respond(u16, &'static str, String),
    /// The same with extra headers.
    RespondWith(u16, &'static str, Vec<(&'static str, String)>, String),
    /// Read the request, then say nothing for this long (the client should give up).
    Hang(Duration),
    /// Read the request, then close the connection without answering.
    Close,
    /// `Respond`, after this long (a slow STS).
    Delayed(Duration, u16, &'static str, String),
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When the request had been read, and when its answer had been sent (wall clock, to
    /// compare with a process's `--debug` times).
    pub received: std::time::SystemTime,
    pub answered: Option<std::time::SystemTime>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Server {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// Picks the reply to one request.
type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

impl Server {
    /// Replies are used in order; the last one is repeated.
    pub fn start(replies: Vec<Reply>) -> Server {
        let next = Mutex::new(0usize);
        Server::route(move |_| {
            let mut i = next.lock().unwrap();
            let reply = replies[(*i).min(replies.len() - 1)].clone();
            *i += 1;
            reply
        })
    }

    /// Each request answered by `handler` (which may sleep: connections are served in
    /// threads of their own).
    pub fn route(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let seen2 = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, handler) = (seen2.clone(), handler.clone());
                std::thread::spawn(move || serve(stream, seen, handler));
            }
        });
        Server { port, seen }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, seen: Arc<Mutex<Vec<Seen>>>, handler: Handler) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let mut headers = vec![];
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_lowercase(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let path = target.split('?').next().unwrap_or_default().to_string();
        let request = Seen {
            method,
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            received: std::time::SystemTime::now(),
            answered: None,
        };
        let index = {
            let mut seen = seen.lock().unwrap();
            seen.push(request.clone());
            seen.len() - 1
        };
        let reply = match handler(&request) {
            Reply::Delayed(d, status, content_type, body) => {
                std::thread::sleep(d);
                Reply::Respond(status, content_type, body)
            }
            other => other,
        };
        match reply {
            Reply::Respond(status, content_type, body) => {
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                if out.write_all(head.as_bytes()).is_err()
                    || out.write_all(body.as_bytes()).is_err()
                {
                    return;
                }
                seen.lock().unwrap()[index].answered = Some(std::time::SystemTime::now());
            }
            Reply::RespondWith(status, content_type, extra, body) => {
                let extra: String = extra.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\n{extra}Content-Length: {}\r\n\r\n",
                    body.len()
                );
                if out.write_all(head.as_bytes()).is_err()
                    || out.write_all(body.as_bytes()).is_err()
                {
                    return;
                }
            }
            Reply::Hang(d) => {
                std::thread::sleep(d);
                return;
            }
            Reply::Close | Reply::Delayed(..) => return,
        }
    }
}

pub struct Outcome {
    pub rc: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Run the binary with exactly `env` (plus PATH, HOME, TZ, AWS_EC2_METADATA_DISABLED
/// unless given), failing the test if it runs longer than `limit`.
pub fn run(home: &Path, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Outcome {
    run_with_stdin(home, args, env, limit, "")
}

/// A command line as the words of a string: `argv("eks get-token --cluster-name a")`.
pub fn argv(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The built binary with exactly this environment (plus PATH, TZ, LANG, and no instance
/// metadata unless `env` says otherwise; HOME only when given), run in `cwd`, its output
/// piped.
pub fn aws_command(
    home: Option<&Path>,
    cwd: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aws-eks-token"));
    cmd.args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("TZ", "UTC")
        .env("LANG", "C.UTF-8")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(home) = home {
        cmd.env("HOME", home);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// `run` with this standard input, and no controlling terminal (its own session).
pub fn run_with_stdin(
    home: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    limit: Duration,
    stdin: &str,
) -> Outcome {
    let mut cmd = aws_command(Some(home), home, args, env);
    cmd.stdin(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setsid only detaches the child from the terminal; it is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn aws-eks-token");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_string();
    std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("aws-eks-token ran longer than {limit:?}: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Outcome {
        rc: status.code().unwrap_or(-1),
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
        elapsed: start.elapsed(),
    }
}

pub fn write(home: &Path, rel: &str, content: &str, mode: u32) {
    let path = home.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
}

/// The presigned URL inside the printed token.
pub fn token_url(stdout: &str) -> String {
    let token = stdout
        .split("\"token\": \"k8s-aws-v1.")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no token in {stdout:?}"));
    let bytes = base64url_decode(token);
    String::from_utf8(bytes).unwrap()
}

fn base64url_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("not base64url: {c}"),
        }
    };
    let mut out = vec![];
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s.as_bytes() {
        acc = (acc << 6) | val(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// An STS `AssumeRole` answer with these keys, expiring in 2099.
pub fn assume_role_xml(key_id: &str) -> String {
    format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>assumedsecret</SecretAccessKey><SessionToken>assumedtoken</SessionToken><Expiration>2099-01-02T04:04:05Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/eks-admin/EKSGetTokenAuth</Arn><AssumedRoleId>AROAEXAMPLEID:session</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleResponse>"
    )
}

pub fn sts_error_xml(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>"
    )
}

pub const ROLE: &str = "arn:aws:iam::123456789012:role/eks-admin";
pub const STATIC_KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ),
];
