//! A fake Kubernetes API server that authenticates bearer tokens the way EKS does.
//!
//! [`TokenVerifier`] applies the aws-iam-authenticator server rules (PEERS.md §3, checks
//! 1–11, in that order) and then stands in for STS (check 12): it recomputes the SigV4
//! signature of the presigned `GetCallerIdentity` URL with the secret of a key it knows and
//! the server's own cluster id in `x-k8s-aws-id` (see `sigv4_verify`). "Now" is a
//! parameter, so every rule is unit-tested without a fake clock.
//!
//! [`ApiServer`] serves HTTPS on 127.0.0.1 (a throwaway CA and server certificate made at
//! start, HTTP/1.1 only) with just enough of the Kubernetes API for kubectl: `/version`,
//! legacy discovery (`/api`, `/apis`, `/api/v1`), and namespaces and pods, as tables when
//! kubectl asks for them. Every request needs a token the verifier accepts; anything else
//! gets 401 with a `Status` body, like a real API server.

use crate::sigv4_verify::{self, Key, ReceivedRequest, StsRejection};
use base64::Engine;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// aws-iam-authenticator's `maxTokenLenBytes`.
pub const MAX_TOKEN_LEN: usize = 4096;
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// A presigned URL is honoured for 15 minutes after its X-Amz-Date (whatever X-Amz-Expires
/// says); STS also refuses a request dated more than 15 minutes ahead of its clock.
pub const TOKEN_LIFETIME_SECS: i64 = 15 * 60;
/// The query parameters a token may carry (compared case-insensitively).
const ALLOWED_PARAMS: [&str; 9] = [
    "action",
    "version",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-security-token",
    "x-amz-signature",
    "x-amz-signedheaders",
];
const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";

// ---------------------------------------------------------------------------------------
// Partitions and the STS host allow-list (PEERS.md §3 rule 5)

/// An AWS partition, as the authenticator's `--partition` flag names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
    AwsEusc,
    AwsIso,
    AwsIsoB,
    AwsIsoE,
    AwsIsoF,
}

impl Partition {
    pub const ALL: [Partition; 8] = [
        Partition::Aws,
        Partition::AwsCn,
        Partition::AwsUsGov,
        Partition::AwsEusc,
        Partition::AwsIso,
        Partition::AwsIsoB,
        Partition::AwsIsoE,
        Partition::AwsIsoF,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsEusc => "aws-eusc",
            Partition::AwsIso => "aws-iso",
            Partition::AwsIsoB => "aws-iso-b",
            Partition::AwsIsoE => "aws-iso-e",
            Partition::AwsIsoF => "aws-iso-f",
        }
    }

    pub fn dns_suffix(self) -> &'static str {
        match self {
            Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
            Partition::AwsCn => "amazonaws.com.cn",
            Partition::AwsEusc => "amazonaws.eu",
            Partition::AwsIso => "c2s.ic.gov",
            Partition::AwsIsoB => "sc2s.sgov.gov",
            Partition::AwsIsoE => "cloud.adc-e.uk",
            Partition::AwsIsoF => "csp.hci.ic.gov",
        }
    }

    pub fn dual_stack_suffix(self) -> Option<&'static str> {
        match self {
            Partition::Aws | Partition::AwsUsGov => Some("api.aws"),
            Partition::AwsCn => Some("api.amazonwebservices.com.cn"),
            Partition::AwsEusc => Some("api.amazonwebservices.eu"),
            _ => None,
        }
    }

    /// The region prefixes of the partition's region pattern `^(prefix)-\w+-\d+$`.
    fn region_prefixes(self) -> &'static [&'static str] {
        match self {
            Partition::Aws => &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
            Partition::AwsCn => &["cn"],
            Partition::AwsUsGov => &["us-gov"],
            Partition::AwsEusc => &["eusc-de"],
            Partition::AwsIso => &["us-iso"],
            Partition::AwsIsoB => &["us-isob"],
            Partition::AwsIsoE => &["eu-isoe"],
            Partition::AwsIsoF => &["us-isof"],
        }
    }

    /// The partition an endpoint resolver puts `region` in: the one whose pattern matches,
    /// else `aws` (so any unknown region is resolved as a commercial one).
    pub fn of_region(region: &str) -> Partition {
        let fits = |prefix: &str| {
            let Some(rest) = region
                .strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('-'))
            else {
                return false;
            };
            let Some((word, number)) = rest.split_once('-') else {
                return false;
            };
            !word.is_empty()
                && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
        };
        Partition::ALL
            .into_iter()
            .find(|p| p.region_prefixes().iter().any(|prefix| fits(prefix)))
            .unwrap_or(Partition::Aws)
    }

    /// The STS hosts an endpoint resolver gives `region` (in this partition) with FIPS on or
    /// off and dual-stack on or off. GovCloud's FIPS endpoint is its regular host.
    pub fn sts_hosts(self, region: &str) -> Vec<String> {
        let dns = self.dns_suffix();
        let mut hosts = vec![format!("sts.{region}.{dns}")];
        hosts.push(if self == Partition::AwsUsGov {
            format!("sts.{region}.amazonaws.com")
        } else {
            format!("sts-fips.{region}.{dns}")
        });
        if let Some(ds) = self.dual_stack_suffix() {
            hosts.push(format!("sts.{region}.{ds}"));
            hosts.push(format!("sts-fips.{region}.{ds}"));
        }
        hosts
    }
}

/// Where the API server runs: its partition (the authenticator's `--partition`) and region.
#[derive(Clone, Debug)]
pub struct Site {
    pub partition: Partition,
    pub region: String,
}

impl Site {
    pub fn new(partition: Partition, region: &str) -> Site {
        Site {
            partition,
            region: region.to_owned(),
        }
    }
}

/// `^[[:alnum:]]([[:alnum:]\-]*[[:alnum:]])?$`
fn is_region_label(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// Rule 5: is `host` an STS endpoint of the server's partition?
pub fn check_sts_host(host: &str, site: &Site) -> Result<(), String> {
    if host == "sts.amazonaws.com" {
        return if site.partition == Partition::Aws {
            Ok(())
        } else {
            Err(format!(
                "the global endpoint {host} is not valid in partition {}",
                site.partition.name()
            ))
        };
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 3 {
        return Err(format!("{host} has fewer than 3 DNS labels"));
    }
    let region = labels[1];
    if !is_region_label(region) {
        return Err(format!("{region:?} is not a region label"));
    }
    let domain = labels[2..].join(".");
    let p = site.partition;
    if domain != p.dns_suffix() && Some(domain.as_str()) != p.dual_stack_suffix() {
        return Err(format!(
            "{host} is not in a domain of partition {}",
            p.name()
        ));
    }
    if Partition::of_region(region)
        .sts_hosts(region)
        .iter()
        .any(|h| h == host)
    {
        return Ok(());
    }
    // The authenticator's fallback: the server's own regional host.
    let own = [Some(p.dns_suffix()), p.dual_stack_suffix()]
        .into_iter()
        .flatten()
        .any(|suffix| host == format!("sts.{}.{suffix}", site.region));
    if own {
        Ok(())
    } else {
        Err(format!(
            "{host} is not an STS endpoint of partition {}",
            p.name()
        ))
    }
}

/// The region an STS host signs for (rule 12: the credential scope must match it).
fn host_signing_region(host: &str) -> &str {
    if host == "sts.amazonaws.com" {
        "us-east-1"
    } else {
        host.split('.').nth(1).unwrap_or("")
    }
}

// ---------------------------------------------------------------------------------------
// The verifier

/// Why a token was refused: one variant per rule, so tests can tell which one fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// 1. Longer than 4096 bytes.
    TooLarge(usize),
    /// 2. Not `k8s-aws-v1.` followed by something.
    Prefix,
    /// 3. Not base64url without padding.
    Encoding(String),
    /// 4. Not a URL.
    NotAUrl(String),
    /// 4. Not https.
    Scheme(String),
    /// 5. Not an STS endpoint of the server's partition.
    Host(String),
    /// 6. Path other than `/`.
    Path(String),
    /// 7. The query does not parse.
    MalformedQuery(String),
    /// 7. A parameter outside the allow-list.
    ParameterNotAllowed(String),
    /// 7. A parameter twice, in any letter case.
    DuplicateParameter(String),
    /// 8. Action is not `GetCallerIdentity`.
    Action(String),
    /// 9. `x-k8s-aws-id` is not among the signed headers.
    ClusterIdNotSigned,
    /// 10. X-Amz-Expires missing, not an integer, or outside 0..=900.
    Expires(String),
    /// 11. X-Amz-Date missing or not `YYYYMMDDTHHMMSSZ`.
    Date(String),
    /// 11. More than 15 minutes old.
    Expired,
    /// STS: dated more than 15 minutes in the future.
    NotYetValid,
    /// 12. STS refused the signature.
    Sts(StsRejection),
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::TooLarge(n) => write!(f, "token is too large ({n} bytes)"),
            Rejection::Prefix => write!(f, "token is missing expected \"{TOKEN_PREFIX}\" prefix"),
            Rejection::Encoding(m) => write!(f, "token is not base64url without padding: {m}"),
            Rejection::NotAUrl(m) => write!(f, "token is not a URL: {m}"),
            Rejection::Scheme(s) => write!(f, "unexpected scheme {s:?} in pre-signed URL"),
            Rejection::Host(m) => write!(f, "unexpected host in pre-signed URL: {m}"),
            Rejection::Path(p) => write!(f, "unexpected path {p:?} in pre-signed URL"),
            Rejection::MalformedQuery(m) => write!(f, "malformed query parameter: {m}"),
            Rejection::ParameterNotAllowed(k) => write!(f, "non-whitelisted query parameter {k:?}"),
            Rejection::DuplicateParameter(k) => write!(f, "duplicate query parameter {k:?}"),
            Rejection::Action(a) => write!(f, "unexpected action parameter {a:?}"),
            Rejection::ClusterIdNotSigned => {
                write!(f, "client did not sign the {CLUSTER_ID_HEADER} header")
            }
            Rejection::Expires(m) => write!(f, "invalid X-Amz-Expires parameter: {m}"),
            Rejection::Date(m) => write!(f, "invalid X-Amz-Date parameter: {m}"),
            Rejection::Expired => {
                write!(f, "X-Amz-Date parameter is expired (15 minute expiration)")
            }
            Rejection::NotYetValid => write!(
                f,
                "X-Amz-Date parameter is in the future (signature not yet current)"
            ),
            Rejection::Sts(r) => write!(f, "STS rejected the request: {r}"),
        }
    }
}

/// Verifies tokens for one cluster, against the keys "STS" knows.
#[derive(Clone, Debug)]
pub struct TokenVerifier {
    pub site: Site,
    pub cluster_id: String,
    pub keys: Vec<Key>,
}

/// A decoded, structurally checked token URL.
struct TokenUrl {
    host: String,
    path: String,
    /// Decoded query parameters in URL order.
    params: Vec<(String, String)>,
}

impl TokenVerifier {
    /// The access key id of the caller, or the first rule the token breaks. `now` is Unix
    /// seconds.
    pub fn verify(&self, token: &str, now: i64) -> Result<String, Rejection> {
        let url = Self::decode(token)?;
        check_sts_host(&url.host, &self.site).map_err(Rejection::Host)?;
        if url.path != "/" {
            return Err(Rejection::Path(url.path));
        }

        // Rule 7: allow-list, no key twice in any case.
        let mut lower: Vec<(String, &str)> = Vec::new();
        for (k, v) in &url.params {
            let lk = k.to_ascii_lowercase();
            if !ALLOWED_PARAMS.contains(&lk.as_str()) {
                return Err(Rejection::ParameterNotAllowed(k.clone()));
            }
            if lower.iter().any(|(seen, _)| *seen == lk) {
                return Err(Rejection::DuplicateParameter(k.clone()));
            }
            lower.push((lk, v));
        }
        let get = |name: &str| lower.iter().find(|(k, _)| k == name).map(|(_, v)| *v);

        let action = get("action").unwrap_or("");
        if action != "GetCallerIdentity" {
            return Err(Rejection::Action(action.to_owned()));
        }
        let signs_cluster_id = get("x-amz-signedheaders")
            .unwrap_or("")
            .split(';')
            .any(|h| h.eq_ignore_ascii_case(CLUSTER_ID_HEADER));
        if !signs_cluster_id {
            return Err(Rejection::ClusterIdNotSigned);
        }
        let expires = get("x-amz-expires").ok_or(Rejection::Expires("missing".into()))?;
        match parse_go_int(expires) {
            Some(n) if (0..=900).contains(&n) => {}
            _ => return Err(Rejection::Expires(format!("{expires:?}"))),
        }
        let date = get("x-amz-date").ok_or(Rejection::Date("missing".into()))?;
        let signed_at = parse_amz_date(date).ok_or_else(|| Rejection::Date(format!("{date:?}")))?;
        if now > signed_at + TOKEN_LIFETIME_SECS {
            return Err(Rejection::Expired);
        }
        if signed_at > now + TOKEN_LIFETIME_SECS {
            return Err(Rejection::NotYetValid);
        }

        // Rule 12: what STS receives — the URL, plus the server's own cluster id.
        let headers = [
            (CLUSTER_ID_HEADER, self.cluster_id.as_str()),
            ("accept", "application/json"),
        ];
        let req = ReceivedRequest {
            host: &url.host,
            path: &url.path,
            params: &url.params,
            headers: &headers,
        };
        let key = sigv4_verify::verify(&req, host_signing_region(&url.host), &self.keys)
            .map_err(Rejection::Sts)?;
        Ok(key.access_key_id.clone())
    }

    /// Rules 1–4 and the URL's parts.
    fn decode(token: &str) -> Result<TokenUrl, Rejection> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Rejection::TooLarge(token.len()));
        }
        let encoded = token.strip_prefix(TOKEN_PREFIX).ok_or(Rejection::Prefix)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|e| Rejection::Encoding(e.to_string()))?;
        let url = String::from_utf8(bytes).map_err(|_| Rejection::NotAUrl("not UTF-8".into()))?;
        if url.chars().any(|c| c.is_ascii_control() || c == ' ') {
            return Err(Rejection::NotAUrl("control character or space".into()));
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| Rejection::NotAUrl(format!("{url:?} has no scheme://")))?;
        if !scheme.eq_ignore_ascii_case("https") {
            return Err(Rejection::Scheme(scheme.to_owned()));
        }
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = match before_query.find('/') {
            Some(i) => before_query.split_at(i),
            None => (before_query, ""),
        };
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, h)| h)
            .to_owned();
        let path =
            percent_decode(path, false).map_err(|e| Rejection::NotAUrl(format!("path: {e}")))?;
        let params = parse_query(query).map_err(Rejection::MalformedQuery)?;
        Ok(TokenUrl { host, path, params })
    }
}

/// Go's `strconv.Atoi`: optional sign, decimal digits.
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `20060102T150405Z` → Unix seconds.
pub fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    if !s[..8]
        .bytes()
        .chain(s[9..15].bytes())
        .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    let nanos = crate::time::parse_instant(&rfc3339)?;
    i64::try_from(nanos / 1_000_000_000).ok()
}

/// Go's `url.ParseQuery` (since Go 1.17): `&`-separated, a `;` is an error, `+` is a space,
/// malformed `%` escapes are errors.
fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        if part.contains(';') {
            return Err("invalid semicolon separator in query".into());
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((percent_decode(k, true)?, percent_decode(v, true)?));
    }
    Ok(out)
}

fn percent_decode(s: &str, plus_is_space: bool) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                    .ok_or_else(|| format!("invalid URL escape in {s:?}"))?;
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8 once decoded"))
}

// ---------------------------------------------------------------------------------------
// The HTTPS server

/// How a request's credentials fared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// A valid token, signed with this access key.
    Accepted(String),
    Rejected(Rejection),
    /// No `Authorization: Bearer` header.
    Missing,
}

/// One request the server answered.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    pub auth: Auth,
    pub status: u16,
}

/// A running fake API server; stopped on drop.
pub struct ApiServer {
    port: u16,
    ca_pem: String,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

struct Shared {
    verifier: TokenVerifier,
    tls: Arc<rustls::ServerConfig>,
    stop: AtomicBool,
    exchanges: Mutex<Vec<Exchange>>,
    connections: Mutex<Vec<TcpStream>>,
}

/// Upper bound of a request head; kubectl's are a few hundred bytes.
const MAX_HEAD: usize = 64 << 10;
/// An idle keep-alive connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

impl ApiServer {
    /// Makes a throwaway CA and a certificate for 127.0.0.1 signed by it, and listens on an
    /// ephemeral port of 127.0.0.1.
    pub fn start(verifier: TokenVerifier) -> Result<ApiServer, String> {
        let (ca_pem, tls) = tls_config()?;
        let listener =
            TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("local_addr: {e}"))?
            .port();
        let shared = Arc::new(Shared {
            verifier,
            tls: Arc::new(tls),
            stop: AtomicBool::new(false),
            exchanges: Mutex::new(Vec::new()),
            connections: Mutex::new(Vec::new()),
        });
        let s = Arc::clone(&shared);
        let acceptor = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                if let Ok(clone) = conn.try_clone() {
                    s.connections.lock().unwrap().push(clone);
                }
                let s = Arc::clone(&s);
                std::thread::spawn(move || serve_connection(conn, &s));
            }
        });
        Ok(ApiServer {
            port,
            ca_pem,
            shared,
            acceptor: Some(acceptor),
        })
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The CA certificate (PEM) that signed the server's certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Every request answered so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.shared.exchanges.lock().unwrap().clone()
    }

    /// Forgets the requests answered so far.
    pub fn clear(&self) {
        self.shared.exchanges.lock().unwrap().clear();
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor, then close what is still open.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
        for c in self.shared.connections.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

/// A throwaway CA and a certificate for 127.0.0.1 signed by it: the CA (PEM) and the server
/// configuration.
fn tls_config() -> Result<(String, rustls::ServerConfig), String> {
    let ca = crate::tls::Ca::new()?;
    let leaf = crate::tls::Leaf {
        names: &["127.0.0.1"],
        expired: false,
        ca: false,
    };
    let config = ca.server_config(&leaf, true)?;
    Ok((ca.pem().to_string(), config))
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn serve_connection(tcp: TcpStream, shared: &Shared) {
    let _ = tcp.set_read_timeout(Some(IDLE_TIMEOUT));
    let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&shared.tls)) else {
        return;
    };
    let mut stream = BufReader::new(rustls::StreamOwned::new(conn, tcp));
    loop {
        let req = match read_request(&mut stream) {
            Ok(Some(r)) => r,
            _ => return,
        };
        let close = req
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        let (status, body, auth) = respond(&req, shared);
        shared.exchanges.lock().unwrap().push(Exchange {
            method: req.method.clone(),
            target: req.target.clone(),
            auth,
            status,
        });
        let body = serde_json::to_vec(&body).expect("JSON values serialize");
        let head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Cache-Control: no-cache, private\r\n{}\r\n",
            reason(status),
            body.len(),
            if close { "Connection: close\r\n" } else { "" }
        );
        let w = stream.get_mut();
        if w.write_all(head.as_bytes()).is_err()
            || w.write_all(&body).is_err()
            || w.flush().is_err()
        {
            return;
        }
        if close {
            w.conn.send_close_notify();
            let _ = w.flush();
            return;
        }
    }
}

/// The next request on the connection (its body, if any, read and dropped); `None` at EOF.
fn read_request<R: BufRead>(r: &mut R) -> std::io::Result<Option<Request>> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line)?;
        if n == 0 {
            return Ok(None);
        }
        total += n;
        if total > MAX_HEAD {
            return Err(std::io::Error::other("request head too large"));
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            if lines.is_empty() {
                continue; // stray CRLF between requests
            }
            break;
        }
        lines.push(line);
    }
    let mut first = lines[0].split(' ');
    let method = first.next().unwrap_or("").to_owned();
    let target = first.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines[1..]
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let req = Request {
        method,
        target,
        headers,
    };
    if let Some(len) = req
        .header("content-length")
        .and_then(|l| l.parse::<u64>().ok())
    {
        std::io::copy(&mut r.take(len), &mut std::io::sink())?;
    }
    Ok(Some(req))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn status_body(code: u16, reason: &str, message: &str) -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    })
}

fn respond(req: &Request, shared: &Shared) -> (u16, Value, Auth) {
    let token = req.header("authorization").and_then(|a| {
        let (scheme, token) = a.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    let auth = match token {
        None => Auth::Missing,
        Some(t) => match shared.verifier.verify(t, unix_now()) {
            Ok(akid) => Auth::Accepted(akid),
            Err(r) => Auth::Rejected(r),
        },
    };
    if !matches!(auth, Auth::Accepted(_)) {
        return (401, status_body(401, "Unauthorized", "Unauthorized"), auth);
    }
    if req.method != "GET" {
        let msg = "the server does not allow this method on the requested resource";
        return (405, status_body(405, "MethodNotAllowed", msg), auth);
    }
    let path = req.target.split('?').next().unwrap_or("");
    let wants_table = req.header("accept").is_some_and(|a| a.contains("as=Table"));
    match route(path, wants_table) {
        Some(body) => (200, body, auth),
        None => {
            let msg = "the server could not find the requested resource";
            (404, status_body(404, "NotFound", msg), auth)
        }
    }
}

const CREATED: &str = "2024-01-02T03:04:05Z";

fn route(path: &str, table: bool) -> Option<Value> {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    Some(match segments[..] {
        ["version"] => json!({
            "major": "1",
            "minor": "31",
            "gitVersion": "v1.31.0-eks-fake",
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean",
            "buildDate": CREATED,
            "goVersion": "go1.22.5",
            "compiler": "gc",
            "platform": "linux/amd64",
        }),
        ["api"] => json!({
            "kind": "APIVersions",
            "versions": ["v1"],
        }),
        ["apis"] => json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []}),
        ["api", "v1"] => json!({
            "kind": "APIResourceList",
            "groupVersion": "v1",
            "resources": [
                {
                    "name": "namespaces", "singularName": "namespace", "namespaced": false,
                    "kind": "Namespace", "shortNames": ["ns"],
                    "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                },
                {
                    "name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod",
                    "shortNames": ["po"], "categories": ["all"],
                    "verbs": ["create", "delete", "deletecollection", "get", "list", "patch",
                              "update", "watch"],
                },
            ],
        }),
        ["api", "v1", "namespaces"] => {
            let names = ["default", "kube-system"];
            if table {
                let rows = names.iter().map(|n| {
                    (
                        None,
                        n.to_string(),
                        vec![json!(n), json!("Active"), json!("1d")],
                    )
                });
                table_of(&["Name", "Status", "Age"], rows.collect())
            } else {
                let items: Vec<Value> = names
                    .iter()
                    .map(|n| {
                        json!({
                            "metadata": metadata(None, n),
                            "spec": {"finalizers": ["kubernetes"]},
                            "status": {"phase": "Active"},
                        })
                    })
                    .collect();
                json!({"kind": "NamespaceList", "apiVersion": "v1",
                       "metadata": {"resourceVersion": "1"}, "items": items})
            }
        }
        ["api", "v1", "namespaces", ns] => json!({
            "kind": "Namespace", "apiVersion": "v1", "metadata": metadata(None, ns),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"},
        }),
        ["api", "v1", "namespaces", ns, "pods"] => pods(Some(ns), table),
        ["api", "v1", "pods"] => pods(None, table),
        _ => return None,
    })
}

/// One pod per namespace: `hello-<namespace>`.
fn pods(ns: Option<&str>, table: bool) -> Value {
    let namespaces: Vec<&str> = match ns {
        Some(ns) => vec![ns],
        None => vec!["default", "kube-system"],
    };
    if table {
        let rows = namespaces.iter().map(|ns| {
            let name = format!("hello-{ns}");
            let cells = vec![
                json!(name),
                json!("1/1"),
                json!("Running"),
                json!(0),
                json!("1d"),
            ];
            (Some(*ns), name, cells)
        });
        table_of(
            &["Name", "Ready", "Status", "Restarts", "Age"],
            rows.collect(),
        )
    } else {
        let items: Vec<Value> = namespaces
            .iter()
            .map(|ns| {
                json!({
                    "metadata": metadata(Some(ns), &format!("hello-{ns}")),
                    "spec": {"containers": [{"name": "hello", "image": "hello:1"}]},
                    "status": {"phase": "Running"},
                })
            })
            .collect();
        json!({"kind": "PodList", "apiVersion": "v1",
               "metadata": {"resourceVersion": "1"}, "items": items})
    }
}

fn metadata(ns: Option<&str>, name: &str) -> Value {
    let mut m = json!({
        "name": name,
        "uid": format!("00000000-0000-0000-0000-{:012x}", name.len()),
        "resourceVersion": "1",
        "creationTimestamp": CREATED,
    });
    if let Some(ns) = ns {
        m["namespace"] = json!(ns);
    }
    m
}

/// A `meta.k8s.io/v1` Table, what kubectl asks `get` for (server-side printing). Rows are
/// (namespace, name, cells).
fn table_of(columns: &[&str], rows: Vec<(Option<&str>, String, Vec<Value>)>) -> Value {
    let column_definitions: Vec<Value> = columns
        .iter()
        .map(|c| {
            let (ty, format) = match *c {
                "Name" => ("string", "name"),
                "Restarts" => ("integer", ""),
                _ => ("string", ""),
            };
            json!({"name": c, "type": ty, "format": format, "description": "", "priority": 0})
        })
        .collect();
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(ns, name, cells)| {
            json!({
                "cells": cells,
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": metadata(ns, &name),
                },
            })
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": "1"},
        "columnDefinitions": column_definitions,
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const DATE: &str = "20240102T030405Z";
    const CLUSTER: &str = "my-cluster";

    fn now() -> i64 {
        parse_amz_date(DATE).unwrap()
    }

    fn key(token: Option<&str>) -> Key {
        Key {
            access_key_id: AKID.into(),
            secret_access_key: SECRET.into(),
            session_token: token.map(str::to_owned),
        }
    }

    fn verifier(partition: Partition, region: &str, cluster: &str) -> TokenVerifier {
        TokenVerifier {
            site: Site::new(partition, region),
            cluster_id: cluster.into(),
            keys: vec![key(None)],
        }
    }

    fn us_west_2() -> TokenVerifier {
        verifier(Partition::Aws, "us-west-2", CLUSTER)
    }

    /// The parts of a presigned URL, signed (correctly, for whatever they say) only when
    /// the URL is made, so that a test can break exactly one rule.
    #[derive(Clone)]
    struct Draft {
        scheme: String,
        host: String,
        path: String,
        params: Vec<(String, String)>,
        cluster: String,
        secret: String,
    }

    impl Draft {
        fn new(host: &str, region: &str) -> Draft {
            let p = |k: &str, v: String| (k.to_owned(), v);
            Draft {
                scheme: "https".into(),
                host: host.into(),
                path: "/".into(),
                params: vec![
                    p("Action", "GetCallerIdentity".into()),
                    p("Version", "2011-06-15".into()),
                    p("X-Amz-Algorithm", "AWS4-HMAC-SHA256".into()),
                    p(
                        "X-Amz-Credential",
                        format!("{AKID}/{}/{region}/sts/aws4_request", &DATE[..8]),
                    ),
                    p("X-Amz-Date", DATE.into()),
                    p("X-Amz-Expires", "60".into()),
                    p("X-Amz-SignedHeaders", "host;x-k8s-aws-id".into()),
                ],
                cluster: CLUSTER.into(),
                secret: SECRET.into(),
            }
        }

        fn standard() -> Draft {
            Draft::new("sts.us-west-2.amazonaws.com", "us-west-2")
        }

        /// Replaces the first parameter named `k` (exact case), or appends it.
        fn set(mut self, k: &str, v: &str) -> Draft {
            match self.params.iter_mut().find(|(name, _)| name == k) {
                Some(slot) => slot.1 = v.into(),
                None => self.params.push((k.into(), v.into())),
            }
            self
        }

        fn push(mut self, k: &str, v: &str) -> Draft {
            self.params.push((k.into(), v.into()));
            self
        }

        fn remove(mut self, k: &str) -> Draft {
            self.params.retain(|(name, _)| name != k);
            self
        }

        fn param(&self, k: &str) -> &str {
            self.params
                .iter()
                .find(|(name, _)| name == k)
                .map_or("", |(_, v)| v)
        }

        fn signature(&self) -> String {
            let credential = self.param("X-Amz-Credential");
            let scope = sigv4_verify::CredentialScope::parse(credential)
                .unwrap_or_else(|| panic!("a test signs with a scope, not {credential:?}"));
            let signed = self.param("X-Amz-SignedHeaders").to_owned();
            let headers: Vec<(String, String)> = signed
                .split(';')
                .map(|h| {
                    let v = match h {
                        "host" => self.host.clone(),
                        "x-k8s-aws-id" => self.cluster.clone(),
                        _ => "x".into(),
                    };
                    (h.to_owned(), v)
                })
                .collect();
            let creq = sigv4_verify::canonical_request(&self.path, &self.params, &headers, &signed);
            let sts = sigv4_verify::string_to_sign(self.param("X-Amz-Date"), &scope.scope(), &creq);
            sigv4_verify::signature(&self.secret, scope.date, scope.region, "sts", &sts)
        }

        fn url(&self) -> String {
            let mut query: Vec<String> = self
                .params
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        sigv4_verify::uri_encode(k),
                        sigv4_verify::uri_encode(v)
                    )
                })
                .collect();
            query.push(format!("X-Amz-Signature={}", self.signature()));
            format!(
                "{}://{}{}?{}",
                self.scheme,
                self.host,
                self.path,
                query.join("&")
            )
        }

        fn token(&self) -> String {
            encode(&self.url())
        }
    }

    fn encode(url: &str) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url);
        format!("{TOKEN_PREFIX}{b64}")
    }

    fn check(token: &str) -> Result<String, Rejection> {
        us_west_2().verify(token, now())
    }

    #[test]
    fn a_valid_token_passes() {
        assert_eq!(check(&Draft::standard().token()), Ok(AKID.to_owned()));
    }

    /// Tokens the AWS CLI 2.36.7 made (AWSCLI-SPEC §6): accepted by a server of the right
    /// partition for their cluster, refused for another cluster. Columns: host, cluster,
    /// session token (`-`: none), signature, the server's partition.
    const CLI_TOKENS: &str = "
        sts.us-west-2.amazonaws.com     a       -   5604fdc5c7d7514a5129e855fc4b87369793830c1e0616953e096dfc5ae837c7 aws
        sts.us-west-2.amazonaws.com     x       -   14b413c07f1f1d5328fb8e5178247bdc268c698e37eb3f0724ba63ef529e2cbe aws
        sts.us-west-2.amazonaws.com     abc     -   b0be7d9ef8344c01c04e02d3452c210edfa15f56a1c20bc49e817e906ac3cbd7 aws
        sts.us-west-2.amazonaws.com     a       FQoGZXIvYXdzEXAMPLE/+= 63e83ffb19731e778a6fc35de492ff28f518b3b93540cce4ad1bd758bab65ce7 aws
        sts.amazonaws.com               a       -   9e01852d629e832ffd20b5742d3af6a8e848685fe1577d36a8596edd4e718db7 aws
        sts.us-east-1.amazonaws.com     a       -   dddcb73a25d067f1326ebf5d2321136a91df3697810c459ccd2216e55f09b4c0 aws
        sts.eu-west-1.amazonaws.com     a       -   a125b886b4dd653ac6d6f474b6adf5277f9b1706f9bf9fa824c1fe2e2e278850 aws
        sts.cn-north-1.amazonaws.com.cn a       -   25621aeba7e35be2fa64046cb65ace417bf5fabe08c648e6b12be96e6789ed6f aws-cn
        sts.us-gov-west-1.amazonaws.com a       -   0a5331f7cc2d7d5f9b6540b06af6f3ee748f397da600400522ed2396bf18e354 aws-us-gov
        sts-fips.us-west-2.amazonaws.com a      -   4f506df9994f8d4e1d6e69ca0a2d7ab1c918f4b5c07a0195c786dc1f11f542c8 aws
        sts.us-west-2.api.aws           a       -   6581b60da12e81767ed83b18fb282acebc6980bfb65c04eced885be7f1febdae aws
        sts.us-west-2.amazonaws.com     clüster -   e380fdfd8fd6d9d42a8aa0f45d58218ce53346ba770a580cd9f49b2916d137f3 aws
    ";

    #[test]
    fn aws_cli_known_tokens() {
        let mut seen = 0;
        for line in CLI_TOKENS.lines().filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let [host, cluster, session, sig, partition] = cols[..] else {
                panic!("bad table line {line:?}");
            };
            let session = (session != "-").then_some(session);
            let partition = Partition::ALL
                .into_iter()
                .find(|p| p.name() == partition)
                .unwrap();
            let region = host_signing_region(host);
            let token_param = session
                .map(|t| format!("&X-Amz-Security-Token={}", sigv4_verify::uri_encode(t)))
                .unwrap_or_default();
            let url = format!(
                "https://{host}/?Action=GetCallerIdentity&Version=2011-06-15\
                 &X-Amz-Algorithm=AWS4-HMAC-SHA256\
                 &X-Amz-Credential={AKID}%2F20240102%2F{region}%2Fsts%2Faws4_request\
                 &X-Amz-Date={DATE}&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id\
                 {token_param}&X-Amz-Signature={sig}"
            );
            let mut v = verifier(partition, region, cluster);
            v.keys = vec![key(session)];
            assert_eq!(v.verify(&encode(&url), now()), Ok(AKID.to_owned()), "{url}");
            v.cluster_id = format!("{cluster}2");
            assert_eq!(
                v.verify(&encode(&url), now()),
                Err(Rejection::Sts(StsRejection::SignatureDoesNotMatch)),
                "{url}"
            );
            seen += 1;
        }
        assert_eq!(seen, 12);
    }

    /// The header value the server sends is canonicalized like the client's was.
    #[test]
    fn cluster_name_with_spaces() {
        let url = format!(
            "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15\
             &X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential={AKID}%2F20240102%2Fus-west-2%2Fsts%2Faws4_request\
             &X-Amz-Date={DATE}&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id\
             &X-Amz-Signature=8b707f73de6634499a3d3121d4a3e47400df23a14d262e7edf61085ac479984e"
        );
        let v = verifier(Partition::Aws, "us-west-2", "my cluster");
        assert_eq!(v.verify(&encode(&url), now()), Ok(AKID.to_owned()));
    }

    /// PEERS.md §3's offline recipe with aws-iam-authenticator's vector.
    #[test]
    fn aws_iam_authenticator_vector() {
        let url = "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity\
                   &Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256\
                   &X-Amz-Credential=ASIAR2TG44V6AS3ZZE7C%2F20230428%2Fus-west-2%2Fsts%2Faws4_request\
                   &X-Amz-Date=20230428T000000Z&X-Amz-Expires=60\
                   &X-Amz-SignedHeaders=host%3Bx-k8s-aws-id\
                   &X-Amz-Signature=e211dba77aba9dc44b0b6be38b8eaad092599c5157f6314444c5b9d85747f5ce";
        let token = encode(url);
        assert_eq!(token.len(), 493);
        let mut v = verifier(Partition::Aws, "us-west-2", "test-cluster");
        v.keys = vec![Key {
            access_key_id: "ASIAR2TG44V6AS3ZZE7C".into(),
            secret_access_key: "4KD5cntGcVmLWRdF5wvNRuzNL5Qxmp6OKVY6Fz/Q".into(),
            session_token: None,
        }];
        let signed_at = 1_682_640_000;
        assert!(v.verify(&token, signed_at + 14 * 60).is_ok());
        assert!(v.verify(&token, signed_at + 15 * 60).is_ok());
        assert_eq!(
            v.verify(&token, signed_at + 15 * 60 + 1),
            Err(Rejection::Expired)
        );
        assert_eq!(
            v.verify(&format!("{token}="), signed_at)
                .map_err(|e| matches!(e, Rejection::Encoding(_))),
            Err(true)
        );
        let mut cn = v.clone();
        cn.site = Site::new(Partition::AwsCn, "cn-north-1");
        assert!(matches!(
            cn.verify(&token, signed_at),
            Err(Rejection::Host(_))
        ));
        v.cluster_id = "other-cluster".into();
        assert_eq!(
            v.verify(&token, signed_at),
            Err(Rejection::Sts(StsRejection::SignatureDoesNotMatch))
        );
    }

    #[test]
    fn rule_1_length() {
        // The largest token base64 can make without reaching 4097: a URL of 3063 bytes
        // gives 4084 characters, 4095 with the prefix; one byte more gives 4097.
        let base = Draft::standard().set("X-Amz-Security-Token", "");
        let fill = 3063 - base.url().len();
        let sized = |n: usize| {
            let t = "t".repeat(n);
            let d = base.clone().set("X-Amz-Security-Token", &t);
            let mut v = us_west_2();
            v.keys = vec![key(Some(&t))];
            (d.token(), v)
        };
        let (token, v) = sized(fill);
        assert_eq!(token.len(), 4095);
        assert_eq!(v.verify(&token, now()), Ok(AKID.to_owned()));
        let (token, v) = sized(fill + 1);
        assert_eq!(token.len(), 4097);
        assert_eq!(v.verify(&token, now()), Err(Rejection::TooLarge(4097)));
    }

    #[test]
    fn rule_2_prefix() {
        let token = Draft::standard().token();
        let body = &token[TOKEN_PREFIX.len()..];
        for prefix in ["k8s-aws-v2.", "K8S-AWS-V1.", "k8s-aws-v1", ""] {
            assert_eq!(
                check(&format!("{prefix}{body}")),
                Err(Rejection::Prefix),
                "{prefix}"
            );
        }
    }

    #[test]
    fn rule_3_encoding() {
        let url = Draft::standard().url();
        assert_ne!(url.len() % 3, 0, "the URL needs padding for this test");
        let padded = format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE.encode(&url)
        );
        assert!(padded.ends_with('='));
        assert!(matches!(check(&padded), Err(Rejection::Encoding(_))));

        let token = Draft::standard().token();
        for bad in ['+', '/', '!', '.'] {
            let mut t = token.clone();
            t.replace_range(20..21, &bad.to_string());
            assert!(matches!(check(&t), Err(Rejection::Encoding(_))), "{bad}");
        }
    }

    #[test]
    fn rule_4_scheme() {
        let mut d = Draft::standard();
        d.scheme = "http".into();
        assert_eq!(check(&d.token()), Err(Rejection::Scheme("http".into())));
        assert!(matches!(
            check(&encode("sts.us-west-2.amazonaws.com/")),
            Err(Rejection::NotAUrl(_))
        ));
    }

    #[test]
    fn rule_5_host() {
        for (host, region) in [
            ("google.com", "us-west-2"),
            ("website.amazonaws.com", "us-west-2"),
            ("sts.us-west-2.amazonaws.com.evil.example", "us-west-2"),
            ("sts.us-west-2.amazonaws.com:443", "us-west-2"),
            ("sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
            ("sts.us_west_2.amazonaws.com", "us_west_2"),
            ("iam.us-west-2.amazonaws.com", "us-west-2"),
            ("127.0.0.1", "us-west-2"),
        ] {
            let token = Draft::new(host, region).token();
            assert!(matches!(check(&token), Err(Rejection::Host(_))), "{host}");
        }
        // In partition aws any well-formed region label resolves (PEERS.md §3).
        let token = Draft::new("sts.not-a-region.amazonaws.com", "not-a-region").token();
        assert_eq!(check(&token), Ok(AKID.to_owned()));
    }

    /// The allow-list per partition, as (host, partitions that accept it).
    #[test]
    fn host_allow_list_per_partition() {
        use Partition::*;
        let cases: &[(&str, &[Partition])] = &[
            ("sts.amazonaws.com", &[Aws]),
            ("sts.us-west-2.amazonaws.com", &[Aws, AwsUsGov]),
            ("sts-fips.us-west-2.amazonaws.com", &[Aws, AwsUsGov]),
            ("sts.us-west-2.api.aws", &[Aws, AwsUsGov]),
            ("sts-fips.us-west-2.api.aws", &[Aws, AwsUsGov]),
            ("sts.cn-north-1.amazonaws.com.cn", &[AwsCn]),
            ("sts-fips.cn-north-1.amazonaws.com.cn", &[AwsCn]),
            ("sts.cn-north-1.api.amazonwebservices.com.cn", &[AwsCn]),
            ("sts.us-gov-west-1.amazonaws.com", &[Aws, AwsUsGov]),
            // GovCloud resolves FIPS to its regular host: no sts-fips there.
            ("sts-fips.us-gov-west-1.amazonaws.com", &[]),
            ("sts.us-gov-west-1.api.aws", &[Aws, AwsUsGov]),
            ("sts.us-iso-east-1.c2s.ic.gov", &[AwsIso]),
            ("sts.us-isob-east-1.sc2s.sgov.gov", &[AwsIsoB]),
            ("sts.eu-isoe-west-1.cloud.adc-e.uk", &[AwsIsoE]),
            ("sts.us-isof-south-1.csp.hci.ic.gov", &[AwsIsoF]),
            ("sts.eusc-de-east-1.amazonaws.eu", &[AwsEusc]),
            ("sts.cn-north-1.amazonaws.com", &[]),
            ("sts.us-west-2.amazonaws.com.cn", &[]),
            ("sts.amazonaws.com.cn", &[]),
        ];
        for (host, accepted) in cases {
            for p in Partition::ALL {
                let site = Site::new(p, "nowhere-1");
                assert_eq!(
                    check_sts_host(host, &site).is_ok(),
                    accepted.contains(&p),
                    "{host} in {}",
                    p.name()
                );
            }
        }
        // The fallback: a region the resolver puts elsewhere, but the server's own host.
        let site = Site::new(AwsCn, "not-a-region");
        assert!(check_sts_host("sts.not-a-region.amazonaws.com.cn", &site).is_ok());
        assert!(check_sts_host("sts.other-region.amazonaws.com.cn", &site).is_err());
    }

    #[test]
    fn rule_6_path() {
        for path in ["/x", "", "//", "/%2Fx"] {
            let mut d = Draft::standard();
            d.path = path.into();
            assert!(
                matches!(check(&d.token()), Err(Rejection::Path(_))),
                "{path:?}"
            );
        }
    }

    #[test]
    fn rule_7_query() {
        let extra = Draft::standard().push("X-Amz-User-Agent", "aws-cli/2");
        assert_eq!(
            check(&extra.token()),
            Err(Rejection::ParameterNotAllowed("X-Amz-User-Agent".into()))
        );
        let extra = Draft::standard().push("x-k8s-aws-id", CLUSTER);
        assert_eq!(
            check(&extra.token()),
            Err(Rejection::ParameterNotAllowed("x-k8s-aws-id".into()))
        );
        let twice = Draft::standard().push("Action", "GetCallerIdentity");
        assert_eq!(
            check(&twice.token()),
            Err(Rejection::DuplicateParameter("Action".into()))
        );
        let other_case = Draft::standard().push("action", "GetCallerIdentity");
        assert_eq!(
            check(&other_case.token()),
            Err(Rejection::DuplicateParameter("action".into()))
        );
        // Unsigned extras, straight into the URL.
        let url = Draft::standard().url();
        for (bad, what) in [
            ("&X-Amz-Expires=%zz", "escape"),
            ("&Version=1;x=y", "semicolon"),
        ] {
            let r = check(&encode(&format!("{url}{bad}")));
            assert!(
                matches!(r, Err(Rejection::MalformedQuery(_))),
                "{what}: {r:?}"
            );
        }
        // Letter case of names is free (the check is case-insensitive)…
        let lower = Draft::standard()
            .remove("Version")
            .push("version", "2011-06-15");
        assert_eq!(check(&lower.token()), Ok(AKID.to_owned()));
    }

    #[test]
    fn rule_8_action() {
        for action in ["getcalleridentity", "AssumeRole", ""] {
            let d = Draft::standard().set("Action", action);
            assert_eq!(check(&d.token()), Err(Rejection::Action(action.into())));
        }
        let d = Draft::standard().remove("Action");
        assert_eq!(check(&d.token()), Err(Rejection::Action(String::new())));
    }

    #[test]
    fn rule_9_cluster_id_must_be_signed() {
        for signed in ["host", "host;x-k8s-aws-idx", ""] {
            let d = Draft::standard().set("X-Amz-SignedHeaders", signed);
            assert_eq!(
                check(&d.token()),
                Err(Rejection::ClusterIdNotSigned),
                "{signed}"
            );
        }
        let d = Draft::standard().remove("X-Amz-SignedHeaders");
        assert_eq!(check(&d.token()), Err(Rejection::ClusterIdNotSigned));
    }

    #[test]
    fn rule_10_expires() {
        for ok in ["0", "60", "900"] {
            let d = Draft::standard().set("X-Amz-Expires", ok);
            assert_eq!(check(&d.token()), Ok(AKID.to_owned()), "{ok}");
        }
        for bad in ["-1", "901", "60s", "", "1e2"] {
            let d = Draft::standard().set("X-Amz-Expires", bad);
            assert!(
                matches!(check(&d.token()), Err(Rejection::Expires(_))),
                "{bad:?}"
            );
        }
        let d = Draft::standard().remove("X-Amz-Expires");
        assert!(matches!(check(&d.token()), Err(Rejection::Expires(_))));
    }

    #[test]
    fn rule_11_date() {
        let token = Draft::standard().token();
        let v = us_west_2();
        assert!(v.verify(&token, now() + 15 * 60).is_ok());
        assert_eq!(
            v.verify(&token, now() + 15 * 60 + 1),
            Err(Rejection::Expired)
        );
        assert_eq!(v.verify(&token, now() + 86_400), Err(Rejection::Expired));
        assert!(v.verify(&token, now() - 15 * 60).is_ok());
        assert_eq!(
            v.verify(&token, now() - 15 * 60 - 1),
            Err(Rejection::NotYetValid)
        );

        for bad in [
            "2024-01-02T03:04:05Z",
            "20240102T030405",
            "20240102 030405Z",
            "",
        ] {
            let d = Draft::standard().set("X-Amz-Date", bad);
            assert!(
                matches!(check(&d.token()), Err(Rejection::Date(_))),
                "{bad:?}"
            );
        }
        let d = Draft::standard().remove("X-Amz-Date");
        assert!(matches!(check(&d.token()), Err(Rejection::Date(_))));
    }

    #[test]
    fn rule_12_signature() {
        let sts = |r: StsRejection| Err(Rejection::Sts(r));
        // A wrong signature.
        let url = Draft::standard().url();
        let last = if url.ends_with('0') { "1" } else { "0" };
        let flipped = format!("{}{last}", &url[..url.len() - 1]);
        assert_eq!(
            check(&encode(&flipped)),
            sts(StsRejection::SignatureDoesNotMatch)
        );
        // Signed for another cluster, or checked by another cluster's server.
        let mut d = Draft::standard();
        d.cluster = "other-cluster".into();
        assert_eq!(check(&d.token()), sts(StsRejection::SignatureDoesNotMatch));
        let v = verifier(Partition::Aws, "us-west-2", "other-cluster");
        assert_eq!(
            v.verify(&Draft::standard().token(), now()),
            sts(StsRejection::SignatureDoesNotMatch)
        );
        // Another secret for the same key.
        let mut d = Draft::standard();
        d.secret = "not-the-secret".into();
        assert_eq!(check(&d.token()), sts(StsRejection::SignatureDoesNotMatch));
        // A key STS does not know.
        let d = Draft::standard().set(
            "X-Amz-Credential",
            "AKIDOTHER/20240102/us-west-2/sts/aws4_request",
        );
        assert_eq!(
            check(&d.token()),
            sts(StsRejection::UnknownAccessKey("AKIDOTHER".into()))
        );
        // A scope for another region than the host's, or another day than X-Amz-Date's.
        for credential in [
            "AKIDEXAMPLE/20240102/us-east-1/sts/aws4_request",
            "AKIDEXAMPLE/20240101/us-west-2/sts/aws4_request",
            "AKIDEXAMPLE/20240102/us-west-2/iam/aws4_request",
        ] {
            let d = Draft::standard().set("X-Amz-Credential", credential);
            assert!(
                matches!(
                    check(&d.token()),
                    Err(Rejection::Sts(StsRejection::Scope(_)))
                ),
                "{credential}"
            );
        }
        // A signed header the server does not send.
        let d = Draft::standard().set("X-Amz-SignedHeaders", "host;x-amz-user-agent;x-k8s-aws-id");
        assert_eq!(check(&d.token()), sts(StsRejection::SignatureDoesNotMatch));
        // No signature at all.
        let url = Draft::standard().url();
        let unsigned = &url[..url.find("&X-Amz-Signature=").unwrap()];
        assert!(matches!(
            check(&encode(unsigned)),
            Err(Rejection::Sts(StsRejection::Incomplete(_)))
        ));
    }

    #[test]
    fn session_tokens() {
        let mut v = us_west_2();
        v.keys = vec![key(Some("session/token+="))];
        let with = Draft::standard().set("X-Amz-Security-Token", "session/token+=");
        assert_eq!(v.verify(&with.token(), now()), Ok(AKID.to_owned()));
        let without = Draft::standard();
        assert_eq!(
            v.verify(&without.token(), now()),
            Err(Rejection::Sts(StsRejection::SessionToken))
        );
        let other = Draft::standard().set("X-Amz-Security-Token", "another");
        assert_eq!(
            v.verify(&other.token(), now()),
            Err(Rejection::Sts(StsRejection::SessionToken))
        );
    }

    #[test]
    fn responses() {
        let (_, tls) = tls_config().unwrap();
        let shared = Shared {
            verifier: us_west_2(),
            tls: Arc::new(tls),
            stop: AtomicBool::new(false),
            exchanges: Mutex::new(Vec::new()),
            connections: Mutex::new(Vec::new()),
        };
        let req = |auth: Option<&str>, target: &str, accept: &str| Request {
            method: "GET".into(),
            target: target.into(),
            headers: [("Accept", Some(accept)), ("Authorization", auth)]
                .into_iter()
                .filter_map(|(n, v)| v.map(|v| (n.to_owned(), v.to_owned())))
                .collect(),
        };
        // The e2e tests use the real clock; so does the server: a token signed long ago is
        // refused with a Status body.
        let old = format!("Bearer {}", Draft::standard().token());
        let (status, body, auth) = respond(&req(Some(&old), "/version", "*/*"), &shared);
        assert_eq!(status, 401);
        assert_eq!(auth, Auth::Rejected(Rejection::Expired));
        assert_eq!(body["kind"], "Status");
        assert_eq!(body["reason"], "Unauthorized");
        assert_eq!(body["code"], 401);
        let (status, _, auth) = respond(&req(None, "/version", "*/*"), &shared);
        assert_eq!((status, auth), (401, Auth::Missing));

        // Routes.
        let version = route("/version", false).unwrap();
        assert_eq!(version["major"], "1");
        let ns = route("/api/v1/namespaces", true).unwrap();
        assert_eq!(ns["kind"], "Table");
        assert_eq!(ns["rows"][0]["cells"][0], "default");
        let ns = route("/api/v1/namespaces", false).unwrap();
        assert_eq!(ns["kind"], "NamespaceList");
        let pods = route("/api/v1/namespaces/default/pods", true).unwrap();
        assert_eq!(pods["rows"][0]["cells"][0], "hello-default");
        assert_eq!(
            pods["rows"][0]["object"]["metadata"]["namespace"],
            "default"
        );
        assert!(route("/api/v1/secrets", false).is_none());
    }
}
