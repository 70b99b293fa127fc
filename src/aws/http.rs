//! The one place that talks HTTP. Built only when a credential source or `--role-arn`
//! needs the network (env and static keys never get here), it reproduces what botocore's
//! HTTP layer decides: connect and read timeouts, the CA bundle (`AWS_CA_BUNDLE` / profile
//! `ca_bundle`), proxies from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` as Python's urllib
//! reads them, the error texts of botocore's exceptions (botocore/httpsession.py,
//! exceptions.py), and the standard retry mode (botocore/retries/standard.py).

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::error::Error;
use crate::settings::Env;

/// How requests of one kind are sent.
#[derive(Clone, Default)]
pub struct Options {
    pub connect_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
    /// botocore's `verify`: a CA bundle path, else the built-in Mozilla roots (botocore
    /// ships certifi's, the same list).
    pub ca_bundle: Option<String>,
    /// `None`: never use a proxy (botocore's container credential fetcher).
    pub proxies: Option<Proxies>,
    /// `--no-verify-ssl`: certificates are not checked.
    pub no_verify: bool,
}

/// Python's `urllib.request.getproxies()` from the environment: lower-case names win,
/// empty values remove; botocore picks the one for the URL's scheme.
#[derive(Clone, Default)]
pub struct Proxies {
    http: Option<String>,
    https: Option<String>,
    no_proxy: Option<String>,
}

impl Proxies {
    pub fn from_env(env: &Env) -> Proxies {
        let mut found: Vec<(String, Option<String>)> = vec![];
        let mut set = |name: &str, value: Option<&str>| {
            found.retain(|(n, _)| n != name);
            found.push((name.to_string(), value.map(String::from)));
        };
        // First pass: any case, non-empty values; second: lower-case names override.
        for (k, v) in &env.0 {
            let lower = k.to_lowercase();
            if let Some(scheme) = lower.strip_suffix("_proxy") {
                if !v.is_empty() {
                    set(scheme, Some(v));
                }
            }
        }
        if env.get("REQUEST_METHOD").is_some() {
            set("http", None); // CVE-2016-1000110: CGI programs ignore HTTP_PROXY
        }
        for (k, v) in &env.0 {
            if let Some(scheme) = k.strip_suffix("_proxy") {
                let scheme = scheme.to_lowercase();
                set(
                    &scheme,
                    Some(v).filter(|v| !v.is_empty()).map(String::as_str),
                );
            }
        }
        let get = |name: &str| {
            found
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.clone())
        };
        Proxies {
            http: get("http"),
            https: get("https"),
            no_proxy: get("no"),
        }
    }

    /// The proxy for `url`, unless `NO_PROXY` bypasses its host (urllib's
    /// `proxy_bypass_environment`), with botocore's `http://` default scheme.
    pub fn for_url(&self, url: &str) -> Option<String> {
        let (scheme, rest) = url.split_once("://")?;
        let proxy = match scheme.to_lowercase().as_str() {
            "https" => self.https.as_ref()?,
            "http" => self.http.as_ref()?,
            _ => return None,
        };
        let netloc = rest.split(['/', '?', '#']).next().unwrap_or("");
        let netloc = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
        if self.bypass(&netloc.to_lowercase()) {
            return None;
        }
        Some(
            if proxy.starts_with("http:") || proxy.starts_with("https:") {
                proxy.clone()
            } else {
                format!("http://{proxy}")
            },
        )
    }

    fn bypass(&self, host: &str) -> bool {
        let Some(no_proxy) = &self.no_proxy else {
            return false;
        };
        if no_proxy == "*" {
            return true;
        }
        let host_only = match host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        };
        no_proxy.split(',').any(|name| {
            let name = name.trim().trim_start_matches('.').to_lowercase();
            if name.is_empty() {
                return false;
            }
            let dotted = format!(".{name}");
            host_only == name
                || host == name
                || host_only.ends_with(&dotted)
                || host.ends_with(&dotted)
        })
    }
}

/// A request as botocore would send it; `url` includes any query string.
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub struct Response {
    pub status: u16,
    /// Lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What went wrong below HTTP, as botocore's exception classes tell it apart.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpError {
    /// `EndpointConnectionError` (refused, unreachable, DNS failure).
    Connect,
    ConnectTimeout,
    ReadTimeout,
    /// `ConnectionClosedError`: the peer closed or reset before a valid response.
    Closed,
    /// `SSLError`, with the TLS library's reason.
    Ssl(String),
    /// `ProxyConnectionError`, with the proxy URL (credentials masked).
    Proxy(String),
    /// Any other failure: `HTTPClientError`.
    Other(String),
}

impl HttpError {
    /// `str(exception)` for a request to `url`.
    pub fn message(&self, url: &str) -> String {
        match self {
            HttpError::Connect => format!("Could not connect to the endpoint URL: \"{url}\""),
            HttpError::ConnectTimeout => format!("Connect timeout on endpoint URL: \"{url}\""),
            HttpError::ReadTimeout => format!("Read timeout on endpoint URL: \"{url}\""),
            HttpError::Closed => format!(
                "Connection was closed before we received a valid response from endpoint URL: \"{url}\"."
            ),
            HttpError::Ssl(e) => format!("SSL validation failed for {url} {e}"),
            HttpError::Proxy(p) => format!("Failed to connect to proxy URL: \"{p}\""),
            HttpError::Other(e) => format!("An HTTP Client raised an unhandled exception: {e}"),
        }
    }

    fn is_timeout(&self) -> bool {
        matches!(self, HttpError::ConnectTimeout | HttpError::ReadTimeout)
    }

    /// The exceptions botocore's IMDS and container fetchers retry and swallow
    /// (`RETRYABLE_HTTP_ERRORS`); SSL and proxy errors escape them.
    pub fn is_retryable_fetch_error(&self) -> bool {
        matches!(
            self,
            HttpError::Connect
                | HttpError::ConnectTimeout
                | HttpError::ReadTimeout
                | HttpError::Closed
        )
    }
}

/// The longest timeout Python's `socket.settimeout` takes: `PyTime_t` nanoseconds in an i64.
const PYTIME_MAX_SECONDS: u64 = i64::MAX as u64 / 1_000_000_000;

/// A blocking HTTP client; the TLS setup and agents are made on the first request.
pub struct Client {
    opts: Options,
    /// One agent per proxy choice (botocore picks the proxy per request URL) and scheme
    /// (the CA bundle is only loaded for https, as urllib3 does).
    agents: RefCell<Vec<(AgentKey, ureq::Agent)>>,
}

impl Client {
    pub fn new(opts: Options) -> Client {
        Client {
            opts,
            agents: RefCell::new(vec![]),
        }
    }

    pub fn send(&self, req: &Request) -> Result<Response, HttpError> {
        if !crate::log::enabled() {
            return self.send_quietly(req);
        }
        log_request(req);
        let result = self.send_quietly(req);
        match &result {
            Ok(r) => log_response(req, r),
            Err(e) => crate::debug_log!(
                "botocore.endpoint",
                "DEBUG",
                "Exception received when sending HTTP request: {}",
                e.message(&crate::log::url(&req.url))
            ),
        }
        result
    }

    fn send_quietly(&self, req: &Request) -> Result<Response, HttpError> {
        // Python keeps socket timeouts as nanoseconds in an i64: a timeout beyond that fails
        // when the socket gets it (the connect timeout once the host's name resolved, the
        // read timeout once the request was sent).
        let too_large = |t: Option<Duration>| t.is_some_and(|d| d.as_secs() > PYTIME_MAX_SECONDS);
        let pytime_error =
            || HttpError::Other("timestamp too large to convert to C PyTime_t".into());
        if !urllib3_parses(&req.url) {
            return Err(HttpError::Other(format!("Failed to parse: {}", req.url)));
        }
        // urllib3's pool manager knows http and https only.
        let scheme = req.url.split_once("://").map_or("", |(s, _)| s);
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(HttpError::Other(format!(
                "Not supported URL scheme {}",
                scheme.to_ascii_lowercase()
            )));
        }
        let proxy = self.opts.proxies.as_ref().and_then(|p| p.for_url(&req.url));
        let first_hop = proxy.as_deref().unwrap_or(&req.url);
        let unreachable = || match &proxy {
            Some(p) => HttpError::Proxy(mask_proxy_url(p)),
            None => HttpError::Connect,
        };
        if too_large(self.opts.connect_timeout) {
            // urllib3's `create_connection`: getaddrinfo, then `settimeout`.
            return Err(match addresses(first_hop).is_empty() {
                false => pytime_error(),
                true => unreachable(),
            });
        }
        let agent = match self.agent(&req.url, proxy.as_deref()) {
            // urllib3 loads the CA bundle when it wraps a connected socket: a host it
            // cannot reach fails first.
            Err(HttpError::Ssl(_)) if !connects(first_hop, self.opts.connect_timeout) => {
                return Err(unreachable())
            }
            other => other?,
        };
        let mut builder = ureq::http::Request::builder()
            .method(req.method)
            .uri(request_uri(&req.url).as_ref());
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = builder
            .body(req.body.clone())
            .map_err(|e| HttpError::Other(e.to_string()))?;
        let masked_proxy = proxy.as_deref().map(mask_proxy_url);
        let fail = |e: ureq::Error| classify(e, masked_proxy.as_deref());
        let mut response = agent.run(request).map_err(fail)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if too_large(self.opts.read_timeout) {
            return Err(pytime_error());
        }
        // ureq's `read_to_vec`, into a buffer of the announced length: a large body is
        // held once, not grown by doubling (which peaks at three times its size).
        const LIMIT: u64 = 64 * 1024 * 1024;
        let announced = response.body().content_length().unwrap_or(0).min(LIMIT);
        let mut body = Vec::with_capacity(announced as usize);
        std::io::Read::read_to_end(
            &mut response.body_mut().with_config().limit(LIMIT).reader(),
            &mut body,
        )
        .map_err(|e| fail(ureq::Error::from(e)))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    fn agent(&self, url: &str, proxy: Option<&str>) -> Result<ureq::Agent, HttpError> {
        let https = url.to_lowercase().starts_with("https:");
        let key = (proxy.map(String::from), https);
        if let Some((_, a)) = self.agents.borrow().iter().find(|(k, _)| *k == key) {
            return Ok(a.clone());
        }
        let mut tls = ureq::tls::TlsConfig::builder().disable_verification(self.opts.no_verify);
        if let Some(path) = self
            .opts
            .ca_bundle
            .as_ref()
            .filter(|_| https && !self.opts.no_verify)
        {
            tls = tls.root_certs(load_ca_bundle(path)?);
        }
        let proxy = match proxy {
            Some(p) => Some(ureq::Proxy::new(p).map_err(|_| {
                HttpError::Other(format!("Invalid proxy URL: {}", mask_proxy_url(p)))
            })?),
            None => None,
        };
        // A timeout of years is no timeout; capping it keeps the clock arithmetic in range
        // (a huge --cli-read-timeout used to overflow `Instant`: fuzz/regressions).
        let cap = |t: Option<Duration>| t.map(|d| d.min(Duration::from_secs(10 * 365 * 86_400)));
        let (connect_timeout, read_timeout) =
            (cap(self.opts.connect_timeout), cap(self.opts.read_timeout));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(proxy)
            .timeout_connect(connect_timeout)
            .timeout_send_request(connect_timeout)
            .timeout_send_body(connect_timeout)
            .timeout_recv_response(read_timeout)
            .timeout_recv_body(read_timeout)
            .user_agent(format!(
                "aws-eks-token/{} (aws-cli/{} compatible)",
                env!("CARGO_PKG_VERSION"),
                crate::version::COMPATIBLE_AWS_CLI
            ))
            .tls_config(tls.build())
            .build();
        let agent = ureq::Agent::new_with_config(config);
        self.agents.borrow_mut().push((key, agent.clone()));
        Ok(agent)
    }
}

/// `--debug`: botocore's and urllib3's records of one exchange, every secret redacted.
/// An HTTP request about to be sent (botocore.endpoint's `Sending http request`), with
/// every secret header and body field redacted.
fn log_request(req: &Request) {
    crate::log::log(
        "botocore.endpoint",
        "DEBUG",
        format_args!(
            "Sending http request: <AWSPreparedRequest stream_output=False, method={}, url={}, headers={}>",
            req.method,
            crate::log::url(&req.url),
            crate::log::headers_repr(&req.headers)
        ),
    );
    if !req.body.is_empty() {
        let content_type = crate::log::header(&req.headers, "content-type");
        crate::log::log(
            "botocore.endpoint",
            "DEBUG",
            format_args!(
                "Request body:\n{}",
                crate::log::body_repr(content_type, &req.body)
            ),
        );
    }
}

/// The answer to a request (urllib3's status line, botocore.parsers' headers and body),
/// redacted as requests are.
fn log_response(req: &Request, resp: &Response) {
    let parts = pystd::url::UrlParts::split(&req.url);
    let (scheme, netloc) = parts
        .as_ref()
        .map_or(("", ""), |p| (p.scheme.as_str(), p.netloc.as_str()));
    let netloc = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let has_port = match netloc.strip_prefix('[') {
        Some(v6) => v6.contains("]:"),
        None => netloc.contains(':'),
    };
    let target = req
        .url
        .find("://")
        .and_then(|i| req.url[i + 3..].find('/').map(|j| &req.url[i + 3 + j..]))
        .unwrap_or("/");
    crate::log::log(
        "urllib3.connectionpool",
        "DEBUG",
        format_args!(
            "{scheme}://{netloc}{} \"{} {} HTTP/1.1\" {} {}",
            if has_port { "" } else { default_port },
            req.method,
            target,
            resp.status,
            resp.body.len()
        ),
    );
    crate::log::log(
        "botocore.parsers",
        "DEBUG",
        format_args!(
            "Response headers: {}",
            crate::log::headers_repr(&resp.headers)
        ),
    );
    crate::log::log(
        "botocore.parsers",
        "DEBUG",
        format_args!(
            "Response body:\n{}",
            crate::log::body_repr(
                crate::log::header(&resp.headers, "content-type"),
                &resp.body
            )
        ),
    );
}

type AgentKey = (Option<String>, bool);

/// Whether urllib3's `parse_url` takes the URL: its authority (up to `\\`, `/`, `?` or `#`,
/// after any `user@`) is a host — a name without `[`, `]`, `:` and `%` other than `%XX`
/// escapes, or a bracketed IPv6 address with an optional zone — and an optional port
/// (`:0*?(|0|[1-9][0-9]{0,4})`, at most 65535).
fn urllib3_parses(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['\\', '/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let after_host = match host_port.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((address, after)) if ipv6_with_zone(address) => after,
            _ => return false,
        },
        None => &host_port[reg_name_len(host_port)..],
    };
    let port = match after_host.strip_prefix(':') {
        Some(port) => port,
        None => return after_host.is_empty(),
    };
    let digits = port.trim_start_matches('0');
    port.bytes().all(|b| b.is_ascii_digit())
        && digits.len() <= 5
        && digits.parse::<u32>().map_or(true, |n| n <= 65535)
}

/// The URL as urllib3 sends it: the authority ends at `\\`, `/`, `?` or `#`, and the
/// characters a path or query may not hold are percent-encoded (`_encode_invalid_chars`).
fn request_uri(url: &str) -> std::borrow::Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['\\', '/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    let rest = &url[end..];
    let quoted = pystd::url::quote(rest, "!$&'()*+,;=:@/?%");
    if quoted == rest {
        return url.into();
    }
    let slash = if rest.starts_with(['/', '?']) {
        ""
    } else {
        "/"
    };
    format!("{}{slash}{quoted}", &url[..end]).into()
}

/// The length of the longest prefix that is a registered name (`(?:[^\[\]%:/?#]|%XX)*`).
fn reg_name_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
            {
                i += 3
            }
            b'[' | b']' | b'%' | b':' => break,
            _ => i += 1,
        }
    }
    i
}

/// An IPv6 address, optionally with a zone (`%25zone` or `%zone`: unreserved characters
/// and `%XX` escapes).
fn ipv6_with_zone(s: &str) -> bool {
    let (address, zone) = s.split_once('%').map_or((s, None), |(a, z)| (a, Some(z)));
    let zone_ok = zone.is_none_or(|z| {
        !z.is_empty()
            && reg_name_len(z) == z.len()
            && z.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"._-~%".contains(&c))
    });
    zone_ok && address.parse::<std::net::Ipv6Addr>().is_ok()
}

/// urllib3 loads the bundle when it opens an HTTPS connection; a file it cannot read is
/// an `SSLError` with Python's `OSError` text, one OpenSSL refuses has OpenSSL's reason.
fn load_ca_bundle(path: &str) -> Result<ureq::tls::RootCerts, HttpError> {
    let bytes = std::fs::read(path).map_err(|e| HttpError::Ssl(pystd::os_error::os_error(&e)))?;
    let certs: Vec<_> = super::ca_bundle::parse(&bytes)
        .map_err(|reason| HttpError::Ssl(reason.into()))?
        .iter()
        .map(|der| ureq::tls::Certificate::from_der(der).to_owned())
        .collect();
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

fn classify(e: ureq::Error, proxy: Option<&str>) -> HttpError {
    use std::io::ErrorKind as K;
    use ureq::Timeout as T;
    let connect_failed = |proxy: Option<&str>| match proxy {
        Some(p) => HttpError::Proxy(p.to_string()),
        None => HttpError::Connect,
    };
    match e {
        ureq::Error::Timeout(T::Connect | T::Resolve) => HttpError::ConnectTimeout,
        ureq::Error::Timeout(_) => HttpError::ReadTimeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => connect_failed(proxy),
        ureq::Error::Io(io) => match io.kind() {
            K::ConnectionRefused
            | K::AddrNotAvailable
            | K::NetworkUnreachable
            | K::HostUnreachable
            | K::NotFound => connect_failed(proxy),
            // A name that does not resolve: urllib3's NameResolutionError, which botocore
            // reports as EndpointConnectionError (std gives it no kind of its own).
            _ if io
                .to_string()
                .starts_with("failed to lookup address information") =>
            {
                connect_failed(proxy)
            }
            // Windows' resolver errors (WSAHOST_NOT_FOUND, WSATRY_AGAIN, WSANO_RECOVERY,
            // WSANO_DATA), likewise.
            _ if cfg!(windows) && matches!(io.raw_os_error(), Some(11001..=11004)) => {
                connect_failed(proxy)
            }
            _ if ssl_failure(&io).is_some() => HttpError::Ssl(ssl_failure(&io).unwrap_or_default()),
            K::TimedOut | K::WouldBlock => HttpError::ReadTimeout,
            K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
                HttpError::Closed
            }
            _ => HttpError::Other(io.to_string()),
        },
        ureq::Error::Protocol(_) | ureq::Error::BodyStalled => HttpError::Closed,
        ureq::Error::Tls(e) => HttpError::Ssl(e.to_string()),
        ureq::Error::Rustls(e) => HttpError::Ssl(format!("[SSL: CERTIFICATE_VERIFY_FAILED] {e}")),
        ureq::Error::Pem(e) => HttpError::Ssl(e.to_string()),
        other => HttpError::Other(other.to_string()),
    }
}

/// What Python's ssl module (or urllib3's hostname check) says of a certificate rustls
/// refused, after `SSL validation failed for URL`.
fn ssl_failure(io: &std::io::Error) -> Option<String> {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(e) = io.get_ref()?.downcast_ref::<rustls::Error>()?
    else {
        return None;
    };
    let openssl = |reason: &str| {
        format!(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {reason} (_ssl.c:1020)"
        )
    };
    Some(match e {
        // OpenSSL says `self-signed certificate` when the unknown issuer is the leaf
        // itself; rustls does not tell the two apart.
        C::UnknownIssuer => openssl("unable to get local issuer certificate"),
        C::Expired | C::ExpiredContext { .. } => openssl("certificate has expired"),
        C::NotValidYet | C::NotValidYetContext { .. } => openssl("certificate is not yet valid"),
        C::NotValidForNameContext {
            expected,
            presented,
        } => {
            // urllib3's `match_hostname`, over the certificate's subjectAltName entries.
            let host = match expected {
                rustls::pki_types::ServerName::DnsName(d) => d.as_ref().to_string(),
                rustls::pki_types::ServerName::IpAddress(ip) => {
                    std::net::IpAddr::from(*ip).to_string()
                }
                _ => String::new(),
            };
            let names: Vec<String> = presented
                .iter()
                .filter_map(|p| {
                    let inner = p.split_once('(')?.1.strip_suffix(')')?;
                    Some(pystd::repr::str_repr(inner.trim_matches('"')))
                })
                .collect();
            let host = pystd::repr::str_repr(&host);
            match names.as_slice() {
                [] => "no appropriate subjectAltName fields were found".to_string(),
                [one] => format!("hostname {host} doesn't match {one}"),
                many => format!(
                    "hostname {host} doesn't match either of {}",
                    many.join(", ")
                ),
            }
        }
        other => openssl(&format!("{other:?}")),
    })
}

/// Whether a TCP connection to the host of `url` can be made within `timeout`.
fn connects(url: &str, timeout: Option<Duration>) -> bool {
    let timeout = timeout
        .filter(|t| !t.is_zero())
        .unwrap_or(Duration::from_secs(60));
    addresses(url)
        .iter()
        .any(|a| std::net::TcpStream::connect_timeout(a, timeout).is_ok())
}

/// The addresses the host of `url` resolves to (`socket.getaddrinfo`).
fn addresses(url: &str) -> Vec<std::net::SocketAddr> {
    use std::net::ToSocketAddrs;
    let Some(parts) = pystd::url::UrlParts::split(url) else {
        return Vec::new();
    };
    let Some(host) = parts.hostname() else {
        return Vec::new();
    };
    let port = match parts.port() {
        Ok(Some(p)) => p,
        _ if parts.scheme.eq_ignore_ascii_case("https") => 443,
        _ => 80,
    };
    (host.as_str(), port)
        .to_socket_addrs()
        .map_or(Vec::new(), |a| a.collect())
}

/// botocore's `mask_proxy_url`: user name and password become `***`.
fn mask_proxy_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let netloc_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (netloc, tail) = rest.split_at(netloc_end);
    match netloc.rsplit_once('@') {
        Some((userinfo, host)) => {
            let masked = if userinfo.contains(':') {
                "***:***"
            } else {
                "***"
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

/// botocore's retry settings for one client (`max_attempts`, `retry_mode`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// `AWS_NEW_RETRIES_2026=true`: botocore's newer backoff (scaled by error kind, honours
    /// `x-amz-retry-after`).
    pub new_retries: bool,
}

impl RetryPolicy {
    /// botocore's client config: `max_attempts` (`AWS_MAX_ATTEMPTS`, an int) must be at
    /// least 1; `retry_mode` (`AWS_RETRY_MODE`) must be standard or adaptive. (adaptive
    /// adds client-side rate limiting, which one call per client never triggers.)
    pub fn from_config(
        max_attempts: Option<String>,
        retry_mode: Option<String>,
        new_retries: Option<&str>,
    ) -> Result<RetryPolicy, Error> {
        let max_attempts = match max_attempts {
            None => 3,
            Some(v) => {
                let n = pystd::number::int_i64(&v)?;
                if n < 1 {
                    return Err(Error::General(format!(
                        "Value provided to \"max_attempts\": {n} must be an integer greater than or equal to one."
                    )));
                }
                u32::try_from(n).unwrap_or(u32::MAX)
            }
        };
        if let Some(mode) = retry_mode {
            if mode != "standard" && mode != "adaptive" {
                return Err(Error::General(format!(
                    "Invalid value provided to \"mode\": \"{mode}\" must be one of: \"standard\" or \"adaptive\""
                )));
            }
        }
        Ok(RetryPolicy {
            max_attempts,
            new_retries: new_retries.is_some_and(|v| v.eq_ignore_ascii_case("true")),
        })
    }
}

/// The last response or failure of a call, and how the retries ended.
pub struct Outcome {
    pub result: Result<Response, HttpError>,
    /// Retries made (botocore's `RetryAttempts`).
    pub retries: u32,
    /// botocore's `MaxAttemptsReached`: the last attempt was the last allowed one.
    pub max_attempts_reached: bool,
}

/// botocore's `StandardRetryConditions` plus its retry quota and exponential backoff.
/// `error_code` parses an error response's code; its failure (a malformed response) ends
/// the call at once, as botocore's parser exceptions do. `sts` enables botocore's
/// special case for STS's `IDPCommunicationError`.
pub fn send_with_retries(
    client: &Client,
    policy: RetryPolicy,
    req: &Request,
    sts: bool,
    error_code: &dyn Fn(&Response) -> Result<Option<String>, Error>,
) -> Result<Outcome, Error> {
    let mut quota: i64 = 500;
    let mut attempt = 1u32;
    loop {
        let result = client.send(req);
        let (retryable, throttling) = match &result {
            Ok(r) if r.status < 300 => {
                return Ok(Outcome {
                    result,
                    retries: attempt - 1,
                    max_attempts_reached: attempt >= policy.max_attempts,
                })
            }
            Ok(r) => retry_kind(Some(r.status), error_code(r)?.as_deref(), sts),
            Err(_) => retry_kind(None, None, sts),
        };
        let max_attempts_reached = attempt >= policy.max_attempts;
        if !max_attempts_reached && retryable {
            let timeout = matches!(&result, Err(e) if e.is_timeout());
            let cost = match (policy.new_retries, throttling, timeout) {
                (true, true, _) => 5,
                (true, false, _) => 14,
                (false, _, true) => 10,
                (false, _, false) => 5,
            };
            if cost <= quota {
                quota -= cost;
                let retry_after = result
                    .as_ref()
                    .ok()
                    .and_then(|r| r.header("x-amz-retry-after"));
                std::thread::sleep(backoff(policy, attempt, throttling, retry_after));
                attempt += 1;
                continue;
            }
        }
        return Ok(Outcome {
            result,
            retries: attempt - 1,
            max_attempts_reached,
        });
    }
}

/// botocore's `StandardRetryConditions` short of the attempt count: whether an error
/// response (`status`, its error `code`) or a transport failure (`status` `None`: every
/// `ConnectionError` and `HTTPClientError` is) is retried, and whether it is throttling.
pub fn retry_kind(status: Option<u16>, code: Option<&str>, sts: bool) -> (bool, bool) {
    const TRANSIENT_CODES: &[&str] = &[
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
    ];
    let Some(status) = status else {
        return (true, false);
    };
    let throttling = code.is_some_and(is_throttling_code);
    let transient = [500, 502, 503, 504].contains(&status)
        || code.is_some_and(|c| TRANSIENT_CODES.contains(&c))
        || (sts && code == Some("IDPCommunicationError"));
    (transient || throttling, throttling)
}

/// botocore's `ThrottledRetryableChecker` codes.
pub fn is_throttling_code(code: &str) -> bool {
    [
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]
    .contains(&code)
}

/// `ExponentialBackoff.delay_amount`: `random() * min(2 ** (attempt - 1), 20)` seconds
/// (the newer mode scales by 1 for throttling and 0.05 otherwise).
fn backoff(
    policy: RetryPolicy,
    attempt: u32,
    throttling: bool,
    retry_after: Option<&str>,
) -> Duration {
    let base = 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
    let mut delay = if policy.new_retries {
        let scale = if throttling { 1.0 } else { 0.05 };
        random_unit() * (scale * base).min(20.0)
    } else {
        random_unit() * base.min(20.0)
    };
    if policy.new_retries {
        if let Some(ms) = retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
            let after = ms as f64 / 1000.0;
            delay = delay.max(after.min(5.0 + delay));
        }
    }
    Duration::from_secs_f64(delay)
}

/// A number in [0, 1) from the standard library's per-process random hash keys.
pub(crate) fn random_unit() -> f64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_uris() {
        assert_eq!(request_uri("https://h/a?b=c"), "https://h/a?b=c");
        assert_eq!(request_uri("http://h:1\\x/"), "http://h:1/%5Cx/");
        assert_eq!(request_uri("http://h/a b"), "http://h/a%20b");
        assert_eq!(request_uri("http://h/\u{e9}"), "http://h/%C3%A9");
    }

    #[test]
    fn urls_as_urllib3_parses_them() {
        for ok in [
            "https://h/",
            "https://h:443/",
            "http://h:0",
            "http://h:000/",
            "http://h:065535/x",
            "http://u:p@h:1/",
            "http://[::1]:8/",
            "http://[::1]/",
            "http://h:/",
            "http://127.0.0.1:1\\x/",
            "http://a%41b:1/",
            "http://[fe80::1%25eth0]:1/",
        ] {
            assert!(urllib3_parses(ok), "{ok}");
        }
        for bad in [
            "https://h:99999/",
            "https://h:65536/",
            "https://h:123456/",
            "https://h:0099999/",
            "http://h:8a/",
            "http://h:1:2/",
            "http://[::1]:x/",
            "http://[::1]x:80/",
            "http://[::1:80/",
            "http://a[b:80/",
            "http://a%zz:80/",
            "http://[fe80::1%]/",
        ] {
            assert!(!urllib3_parses(bad), "{bad}");
        }
    }

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs)
    }

    #[test]
    fn proxies_like_urllib() {
        let p = Proxies::from_env(&env(&[
            ("HTTPS_PROXY", "proxy.test:3128"),
            ("http_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://upper:1"),
            ("NO_PROXY", "169.254.169.254, .internal,localhost:8080"),
        ]));
        assert_eq!(
            p.for_url("https://sts.us-west-2.amazonaws.com/").as_deref(),
            Some("http://proxy.test:3128")
        );
        assert_eq!(
            p.for_url("http://x.test/").as_deref(),
            Some("http://lower:1")
        );
        assert_eq!(p.for_url("http://169.254.169.254/latest"), None);
        assert_eq!(p.for_url("https://a.b.internal/"), None);
        assert_eq!(p.for_url("http://localhost:8080/"), None);
        let all = Proxies::from_env(&env(&[("https_proxy", "http://p:1"), ("no_proxy", "*")]));
        assert_eq!(all.for_url("https://x/"), None);
        let cgi = Proxies::from_env(&env(&[
            ("HTTP_PROXY", "http://p:1"),
            ("REQUEST_METHOD", "GET"),
        ]));
        assert_eq!(cgi.for_url("http://x/"), None);
        let removed =
            Proxies::from_env(&env(&[("HTTPS_PROXY", "http://p:1"), ("https_proxy", "")]));
        assert_eq!(removed.for_url("https://x/"), None);
    }

    #[test]
    fn retry_classification() {
        assert_eq!(retry_kind(None, None, true), (true, false));
        assert_eq!(
            retry_kind(Some(400), Some("Throttling"), true),
            (true, true)
        );
        assert_eq!(
            retry_kind(Some(429), Some("TooManyRequestsException"), false),
            (true, true)
        );
        assert_eq!(
            retry_kind(Some(500), Some("InternalFailure"), true),
            (true, false)
        );
        assert_eq!(retry_kind(Some(503), None, true), (true, false));
        assert_eq!(retry_kind(Some(501), None, true), (false, false));
        assert_eq!(
            retry_kind(Some(400), Some("RequestTimeout"), true),
            (true, false)
        );
        assert_eq!(
            retry_kind(Some(400), Some("IDPCommunicationError"), true),
            (true, false)
        );
        assert_eq!(
            retry_kind(Some(400), Some("IDPCommunicationError"), false),
            (false, false)
        );
        assert_eq!(
            retry_kind(Some(403), Some("AccessDenied"), true),
            (false, false)
        );
    }

    #[test]
    fn masks_proxy_credentials() {
        assert_eq!(
            mask_proxy_url("http://u:p@proxy:1/"),
            "http://***:***@proxy:1/"
        );
        assert_eq!(mask_proxy_url("http://proxy:1"), "http://proxy:1");
    }

    #[test]
    fn retry_config_errors() {
        let p = |m: Option<&str>, r: Option<&str>| {
            RetryPolicy::from_config(m.map(String::from), r.map(String::from), None)
        };
        assert_eq!(p(None, None).unwrap().max_attempts, 3);
        assert_eq!(p(Some("5"), Some("adaptive")).unwrap().max_attempts, 5);
        assert_eq!(
            p(None, Some("legacy")),
            Err(Error::General(
                "Invalid value provided to \"mode\": \"legacy\" must be one of: \"standard\" or \"adaptive\"".into()
            ))
        );
        assert_eq!(
            p(Some("0"), None),
            Err(Error::General(
                "Value provided to \"max_attempts\": 0 must be an integer greater than or equal to one.".into()
            ))
        );
        assert_eq!(
            p(Some("x"), Some("legacy")),
            Err(Error::General(
                "invalid literal for int() with base 10: 'x'".into()
            ))
        );
    }

    #[test]
    fn backoff_is_bounded() {
        let std = RetryPolicy {
            max_attempts: 3,
            new_retries: false,
        };
        for attempt in 1..40 {
            let d = backoff(std, attempt, false, None).as_secs_f64();
            assert!((0.0..20.0).contains(&d));
        }
        assert!(backoff(std, 1, false, None).as_secs_f64() < 1.0);
        let new = RetryPolicy {
            max_attempts: 3,
            new_retries: true,
        };
        assert!(backoff(new, 1, false, None).as_secs_f64() < 0.05);
    }

    #[test]
    fn error_texts() {
        let url = "http://127.0.0.1:28719/";
        assert_eq!(
            HttpError::Connect.message(url),
            "Could not connect to the endpoint URL: \"http://127.0.0.1:28719/\""
        );
        assert_eq!(
            HttpError::ReadTimeout.message(url),
            "Read timeout on endpoint URL: \"http://127.0.0.1:28719/\""
        );
        assert!(HttpError::Closed
            .message(url)
            .starts_with("Connection was closed"));
        assert!(is_throttling_code("Throttling"));
    }
}
