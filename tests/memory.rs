//! Memory stays in proportion to the input (issue 16, finding 3 and the config file): a
//! large malformed STS body is echoed without copies of it, and a large config file is
//! read without copying it per line. Measured with a counting allocator (the peak of
//! bytes allocated during the call, over what was allocated before it), so the numbers do
//! not depend on timing or on the machine; the tests of this file run one at a time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_eks_token::settings::Env;
use aws_eks_token::{run, Io};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Counted as if old and new blocks were both alive (a moving realloc is).
            let now = CURRENT.fetch_add(new_size, Ordering::SeqCst) + new_size;
            PEAK.fetch_max(now, Ordering::SeqCst);
            CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measurement at a time (the test harness runs tests on threads).
static SERIAL: Mutex<()> = Mutex::new(());

/// The most bytes that were allocated at once while `f` ran, beyond those allocated
/// before it.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - base)
}

/// stderr that keeps only its length, its first and last bytes (so that the sink does
/// not hold the output it measures).
#[derive(Default)]
struct Tail {
    len: usize,
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl Write for Tail {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.len += buf.len();
        let room = 400usize.saturating_sub(self.head.len());
        self.head.extend_from_slice(&buf[..room.min(buf.len())]);
        self.tail
            .extend_from_slice(&buf[buf.len().saturating_sub(200)..]);
        let cut = self.tail.len().saturating_sub(200);
        self.tail.drain(..cut);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A loopback server answering every request with `status` and this body, written from
/// the one shared buffer.
fn serve(status: u16, body: Arc<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let body = body.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let _ = reader.by_ref().take(length as u64).read_to_end(&mut vec![]);
                let mut out = stream;
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = out.write_all(head.as_bytes());
                let _ = out.write_all(&body);
            });
        }
    });
    url
}

/// `aws eks get-token --role-arn ...` in-process against `url`; (rc, stderr sink).
fn role_arn_call(url: &str) -> (i32, Tail) {
    let home = tempfile::tempdir().unwrap();
    let env = Env::from_pairs(&[
        ("HOME", home.path().to_str().unwrap()),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ),
        ("AWS_ENDPOINT_URL_STS", url),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_MAX_ATTEMPTS", "1"),
        ("AWS_EKS_TOKEN_NO_CACHE", "1"),
    ]);
    let args: Vec<String> = [
        "eks",
        "get-token",
        "--cluster-name",
        "a",
        "--region",
        "us-west-2",
        "--role-arn",
        "arn:aws:iam::123456789012:role/eks-admin",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut stdout = Vec::new();
    let mut stderr = Tail::default();
    let rc = run(
        &args,
        env,
        &mut Io {
            stdout: &mut stdout,
            stderr: &mut stderr,
            stdout_is_tty: false,
            terminal_width: None,
        },
    );
    (rc, stderr)
}

/// A 16 MiB malformed body whose echo is 4 bytes per byte (`\xff`): the CLI's message is
/// 64 MiB, written in pieces; the peak is the body as received (and, for an error status,
/// one copy the retry classifier keeps), not the message.
#[test]
fn a_large_malformed_body_is_echoed_without_copies() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let n = 16 << 20;
    let mut body = b"<AssumeRoleResponse><SessionToken>x</SessionToken>".to_vec();
    body.extend(std::iter::repeat_n(0xffu8, n));
    let body = Arc::new(body);
    let len = body.len();
    for (status, allowed) in [(200, 1.5), (500, 2.5)] {
        let url = serve(status, body.clone());
        let ((rc, stderr), peak) = peak_during(|| role_arn_call(&url));
        assert_eq!(rc, 255);
        let head = String::from_utf8_lossy(&stderr.head);
        assert!(
            head.starts_with("\naws: [ERROR]: Unable to parse response (not well-formed (invalid token): line 1, column 50), invalid XML received. Further retries may succeed:\nb'<AssumeRoleResponse><SessionToken>(redacted)</SessionToken>\\xff"),
            "{head}"
        );
        assert!(stderr.tail.ends_with(b"\\xff\\xff'\n"));
        let expected_len = head.find("b'").unwrap()
            + "b'<AssumeRoleResponse><SessionToken>(redacted)</SessionToken>'\n".len()
            + 4 * n;
        assert_eq!(stderr.len, expected_len);
        assert!(
            (peak as f64) < allowed * len as f64,
            "status {status}: peak {peak} bytes for a body of {len} (allowed {allowed}x)"
        );
        eprintln!(
            "status {status}: body {len} bytes, peak {peak} bytes ({:.2}x)",
            peak as f64 / len as f64
        );
    }
}

/// A config file of `n` profiles of three keys each (lines of about 25 bytes).
fn many_profiles(size: usize) -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < size {
        text.push_str(&format!(
            "[profile p{i}]\nregion = us-west-2\naws_access_key_id = AKID{i}\naws_secret_access_key = secret{i}\n"
        ));
        i += 1;
    }
    text
}

/// One section of many short keys (`k1 = v`: 9 bytes a line), the worst case for a
/// reader that allocates per line.
fn many_keys(size: usize) -> String {
    let mut text = String::from("[default]\n");
    let mut i = 0;
    while text.len() < size {
        text.push_str(&format!("k{i} = v\n"));
        i += 1;
    }
    text
}

/// The shared config file is read without copying it per line: what the settings keep is
/// one string per key and value, nothing of the file twice. Before: 12.3 and 25.4 times
/// the file's size for these two files (a 49 MB file of short keys took 1.3 GB). What
/// remains is the owned `Section` type's 48 bytes per option besides its two strings.
#[test]
fn a_large_config_file_is_read_without_copies_per_line() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    for (what, text, allowed) in [
        ("profiles", many_profiles(8 << 20), 7.0),
        ("short keys", many_keys(8 << 20), 14.0),
    ] {
        let path = dir.path().join("config");
        std::fs::write(&path, &text).unwrap();
        let env = Env::from_pairs(&[
            ("HOME", dir.path().to_str().unwrap()),
            ("AWS_CONFIG_FILE", path.to_str().unwrap()),
        ]);
        let (settings, peak) = peak_during(|| aws_eks_token::settings::Settings::load(env));
        let settings = settings.unwrap();
        assert!(settings.files.profiles.contains_key(if what == "profiles" {
            "p7"
        } else {
            "default"
        }));
        let ratio = peak as f64 / text.len() as f64;
        eprintln!(
            "{what}: {} bytes, peak {peak} bytes ({ratio:.1}x)",
            text.len()
        );
        assert!(
            ratio < allowed,
            "{what}: {ratio:.1}x the file's size (allowed {allowed}x)"
        );
    }
}
