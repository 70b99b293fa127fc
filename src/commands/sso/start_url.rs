//! The start URL as `aws sso login` checks it (awscli/customizations/sso/resolve.py
//! `resolve_start_url`): https only; an AWS portal host is used as it is, any other host
//! (a company's own sign-in address) is followed through one redirect to the AWS portal
//! it leads to, whose host may name the region. And `ConfigFileWriter.update_config`,
//! for the one value login writes back: a region learnt that way.

use std::time::Duration;

use pystd::url::UrlParts;

use crate::aws::http::{Client, HttpError, Options, Proxies, Request};
use crate::error::Error;
use crate::settings::Env;

/// `_AWS_OWNED_EXACT`, `_AWS_OWNED_SUFFIXES`.
const AWS_EXACT: &[&str] = &[
    "identitycenter.amazonaws.com",
    "identitycenter.amazonaws.com.cn",
    "identitycenter.amazonaws.eu",
    "identitycenter.us-gov.amazonaws.com",
];
const AWS_SUFFIXES: &[&str] = &[
    ".app.aws",
    ".portal.amazonaws.com",
    ".portal.amazonaws.com.cn",
    ".app.amazonwebservices.com.cn",
    ".portal.amazonaws.eu",
    ".api.amazonwebservices.eu",
    ".awsapps.com",
    ".awsapps.cn",
];

/// The start URL to sign in at and the region to use.
pub struct Resolved {
    pub url: String,
    pub region: String,
}

/// How the one request for a company's start URL is made: the CLI's urllib with
/// `--cli-connect-timeout` (10 s without it) and `verify` (`--no-verify-ssl`, else
/// `--ca-bundle` or the `ca_bundle` setting).
pub struct Fetch {
    pub timeout: Option<i64>,
    pub ca_bundle: Option<String>,
    pub no_verify: bool,
}

/// `resolve_start_url(start_url, configured_region=...)`.
pub fn resolve(
    start_url: &str,
    configured_region: &str,
    env: &Env,
    fetch: &Fetch,
) -> Result<Resolved, Error> {
    let parts = UrlParts::split(start_url).filter(|p| p.scheme == "https");
    let Some(parts) = parts else {
        return Err(config_error("The sso_start_url must use the https scheme."));
    };
    let Some(host) = parts.hostname() else {
        return Err(config_error(&format!(
            "Invalid sso_start_url: '{start_url}'"
        )));
    };
    if is_aws_owned(&host) {
        if configured_region.is_empty() {
            return Err(config_error(
                "Missing required configuration: sso_region. Please run 'aws configure sso' to set it.",
            ));
        }
        return Ok(Resolved {
            url: start_url.to_string(),
            region: configured_region.to_string(),
        });
    }
    crate::debug_log!(
        "awscli.customizations.sso.resolve",
        "DEBUG",
        "Start URL '{start_url}' is not AWS-owned, following redirects"
    );
    let resolved = normalize(&follow_redirect(start_url, env, fetch)?);
    let resolved_parts = UrlParts::split(&resolved);
    let resolved_host = resolved_parts.as_ref().and_then(UrlParts::hostname);
    let Some(resolved_host) = resolved_host.filter(|h| is_aws_owned(h)) else {
        return Err(config_error(&format!(
            "Could not resolve start URL '{start_url}' to an AWS-owned endpoint. Final URL: '{resolved}'"
        )));
    };
    if resolved_parts.is_none_or(|p| p.scheme != "https") {
        return Err(config_error(&format!(
            "Resolved URL must use https. Got: '{resolved}'"
        )));
    }
    let region = match region_of(&resolved_host) {
        Some(r) => r,
        None if !configured_region.is_empty() => configured_region.to_string(),
        None => {
            return Err(config_error(&format!(
                "Cannot determine region from start URL '{start_url}'. Please provide sso_region in your configuration."
            )))
        }
    };
    Ok(Resolved {
        url: resolved,
        region,
    })
}

fn config_error(message: &str) -> Error {
    Error::Configuration(message.to_string())
}

/// `is_aws_owned_domain`.
pub fn is_aws_owned(host: &str) -> bool {
    let host = host.to_lowercase();
    let host = host.trim_end_matches('.');
    AWS_EXACT.contains(&host)
        || AWS_SUFFIXES
            .iter()
            .any(|s| host == &s[1..] || host.ends_with(s))
}

/// `_extract_region_from_hostname`: the region label of the regional portal hosts
/// (`{id}.portal.{region}.app.aws`, `{id}.{region}.portal.amazonaws.com`, ...).
pub fn region_of(host: &str) -> Option<String> {
    let host = host.to_lowercase();
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    // (the labels after the first, with `R` where the region is)
    const PATTERNS: &[&[&str]] = &[
        &["portal", "R", "app", "aws"],
        &["R", "portal", "amazonaws", "com"],
        &["R", "portal", "amazonaws", "com", "cn"],
        &["portal", "R", "app", "amazonwebservices", "com", "cn"],
        &["R", "portal", "amazonaws", "eu"],
        &["portal", "R", "api", "amazonwebservices", "eu"],
    ];
    let (first, rest) = labels.split_first()?;
    if first.is_empty() {
        return None;
    }
    PATTERNS.iter().find_map(|p| {
        if p.len() != rest.len() {
            return None;
        }
        let mut region = None;
        for (want, got) in p.iter().zip(rest) {
            if *want == "R" {
                let ok = !got.is_empty()
                    && got
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !ok {
                    return None;
                }
                region = Some(got.to_string());
            } else if want != got {
                return None;
            }
        }
        region
    })
}

/// `_normalize_url`: scheme, host (with a port other than the scheme's), path without a
/// trailing `/`, no query.
fn normalize(url: &str) -> String {
    let Some(p) = UrlParts::split(url) else {
        return url.to_string();
    };
    let mut netloc = p.hostname().unwrap_or_default();
    let default = match p.scheme.as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    };
    if let Ok(Some(port)) = p.port() {
        if Some(port) != default {
            netloc = format!("{netloc}:{port}");
        }
    }
    let path = p.path.trim_end_matches('/');
    if netloc.is_empty() {
        format!("{}:{path}", p.scheme)
    } else {
        format!("{}://{netloc}{path}", p.scheme)
    }
}

/// `_follow_redirect`: a HEAD request (a GET when HEAD is not allowed); a redirect is
/// followed once, without asking where it leads.
fn follow_redirect(url: &str, env: &Env, fetch: &Fetch) -> Result<String, Error> {
    let timeout = Duration::from_secs(fetch.timeout.filter(|t| *t > 0).unwrap_or(10) as u64);
    let client = Client::new(Options {
        connect_timeout: Some(timeout),
        read_timeout: Some(timeout),
        ca_bundle: fetch.ca_bundle.clone(),
        proxies: Some(Proxies::from_env(env)),
        no_verify: fetch.no_verify,
    });
    let failed = |e: HttpError| {
        let reason = match e {
            HttpError::Connect => "[Errno 111] Connection refused".to_string(),
            HttpError::ConnectTimeout | HttpError::ReadTimeout => "timed out".to_string(),
            HttpError::Closed => "Remote end closed connection without response".to_string(),
            HttpError::Ssl(m) | HttpError::Other(m) => m,
            HttpError::Proxy(p) => format!("Failed to connect to proxy URL: \"{p}\""),
        };
        config_error(&format!("Failed to resolve start URL: {reason}"))
    };
    let send = |method: &'static str| {
        crate::debug_log!(
            "awscli.customizations.sso.resolve",
            "DEBUG",
            "Issuing {method} request to '{url}'"
        );
        client
            .send(&Request {
                method,
                url: url.to_string(),
                headers: vec![],
                body: vec![],
            })
            .map_err(failed)
    };
    let mut response = send("HEAD")?;
    if response.status == 405 || response.status == 501 {
        response = send("GET")?;
    }
    match response.status {
        200..=299 => Ok(url.to_string()),
        301 | 302 | 303 | 307 | 308 => match response.header("location") {
            Some(location) => Ok(urljoin(url, location)),
            None => Err(config_error("Redirect response missing Location header.")),
        },
        status => Err(config_error(&format!(
            "Failed to resolve start URL: HTTP {status}"
        ))),
    }
}

/// `urllib.parse.urljoin` for a `Location` header: absolute, scheme-relative,
/// host-relative or relative to the base's directory.
fn urljoin(base: &str, location: &str) -> String {
    if UrlParts::split(location).is_some_and(|p| !p.scheme.is_empty() && !p.netloc.is_empty()) {
        return location.to_string();
    }
    let Some(b) = UrlParts::split(base) else {
        return location.to_string();
    };
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}://{rest}", b.scheme);
    }
    if location.starts_with('/') {
        return format!("{}://{}{location}", b.scheme, b.netloc);
    }
    let dir = b.path.rsplit_once('/').map_or("", |(d, _)| d);
    format!("{}://{}{dir}/{location}", b.scheme, b.netloc)
}

/// `ConfigFileWriter.update_config({'__section__': section, key: value}, path)` for one
/// plain value: the key's line in the section replaced (`key = value`), or added after
/// the section's last option, or a new section appended; the file created (0600) when
/// missing. Written whole or not at all, keeping the file's mode.
pub fn update_config(
    path: &std::path::Path,
    section: &str,
    key: &str,
    value: &str,
) -> std::io::Result<()> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            String::new()
        }
        Err(e) => return Err(e),
    };
    let new_line = format!("{key} = {value}\n");
    let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
    let header = format!("[{section}]");
    let quoted = section
        .split_once(' ')
        .map(|(kind, name)| format!("[{kind} \"{name}\"]"));
    let start = lines.iter().position(|l| {
        !l.trim().starts_with(['#', ';'])
            && section_header(l).is_some_and(|h| h == header || Some(h) == quoted.as_deref())
    });
    match start {
        None => {
            if !text.is_empty() && !text.ends_with('\n') {
                lines.push("\n".into());
            }
            lines.push(format!("{header}\n{new_line}"));
        }
        Some(start) => {
            let mut last_option = start;
            let mut done = false;
            let mut insert_at = None;
            for (j, line) in lines.iter_mut().enumerate().skip(start + 1) {
                if section_header(line).is_some() {
                    insert_at = Some(last_option + 1);
                    break;
                }
                if let Some(option) = option_name(line) {
                    last_option = j;
                    if option == key && !done {
                        *line = new_line.clone();
                        done = true;
                    }
                }
            }
            if !done {
                let at = match insert_at {
                    Some(at) => at,
                    None => {
                        if lines.last().is_some_and(|l| !l.ends_with('\n')) {
                            lines.push("\n".into());
                        }
                        // `_insert_new_values(line_number=last + 1)` inserts after that.
                        last_option + 2
                    }
                };
                lines.insert(at.min(lines.len()), new_line);
            }
        }
    }
    crate::credentials::cache::write_atomically(path, lines.concat().as_bytes(), 0o600)
}

/// `SECTION_REGEX.search(line).group(0)`: `^\s*\[[^]]+\]`.
fn section_header(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let rest = trimmed.strip_prefix('[')?;
    let end = rest.find(']')?;
    (end > 0)
        .then(|| &line[..indent + end + 2])
        .map(str::trim_start)
}

/// `OPTION_REGEX`'s option name, stripped: the text before the first `:` or `=`, when the
/// line has one and does not start with it.
fn option_name(line: &str) -> Option<&str> {
    let i = line.find([':', '='])?;
    let name = line[..i].trim();
    (i > 0 && !name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_hosts_and_regions() {
        assert!(is_aws_owned("my-portal.awsapps.com"));
        assert!(is_aws_owned("D-123.Portal.eu-west-1.App.AWS."));
        assert!(is_aws_owned("identitycenter.amazonaws.com"));
        assert!(!is_aws_owned("login.example.com"));
        assert!(!is_aws_owned("evilawsapps.com"));
        assert_eq!(
            region_of("ssoins-1.portal.eu-west-1.app.aws").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            region_of("d-1.us-gov-west-1.portal.amazonaws.com").as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(region_of("my-portal.awsapps.com"), None);
        assert_eq!(region_of("a.b.portal.eu-west-1.app.aws"), None);
    }

    #[test]
    fn https_and_a_region_are_required() {
        let env = Env::default();
        let fetch = Fetch {
            timeout: None,
            ca_bundle: None,
            no_verify: false,
        };
        let msg = |url: &str, region: &str| match resolve(url, region, &env, &fetch) {
            Err(Error::Configuration(m)) => m,
            other => panic!("{:?}", other.map(|r| r.url)),
        };
        assert_eq!(
            msg("http://x.awsapps.com/start", "us-east-1"),
            "The sso_start_url must use the https scheme."
        );
        assert_eq!(
            msg("https:///start", "us-east-1"),
            "Invalid sso_start_url: 'https:///start'"
        );
        assert_eq!(
            msg("https://x.awsapps.com/start", ""),
            "Missing required configuration: sso_region. Please run 'aws configure sso' to set it."
        );
        let ok = resolve("https://x.awsapps.com/start", "eu-west-1", &env, &fetch).unwrap();
        assert_eq!(
            (ok.url.as_str(), ok.region.as_str()),
            ("https://x.awsapps.com/start", "eu-west-1")
        );
    }

    #[test]
    fn urls_normalized_and_joined() {
        assert_eq!(
            normalize("https://A.example.com:443/start/?x#y"),
            "https://a.example.com/start"
        );
        assert_eq!(
            normalize("https://a.example.com:8443/"),
            "https://a.example.com:8443"
        );
        assert_eq!(urljoin("https://a/b/c", "https://d/e"), "https://d/e");
        assert_eq!(urljoin("https://a/b/c", "/e"), "https://a/e");
        assert_eq!(urljoin("https://a/b/c", "e"), "https://a/b/e");
        assert_eq!(urljoin("https://a/b/c", "//d/e"), "https://d/e");
    }

    #[test]
    fn config_value_replaced_added_or_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        let write = |text: &str| std::fs::write(&path, text).unwrap();
        let read = || std::fs::read_to_string(&path).unwrap();
        write("[profile a]\nx = 1\n[sso-session s]\nsso_start_url = https://u\n# sso_region = old\nsso_region=us-east-1\n\n[profile b]\n");
        update_config(&path, "sso-session s", "sso_region", "eu-west-1").unwrap();
        assert_eq!(read(), "[profile a]\nx = 1\n[sso-session s]\nsso_start_url = https://u\n# sso_region = old\nsso_region = eu-west-1\n\n[profile b]\n");
        write("[sso-session s]\nsso_start_url = https://u\n\n[profile b]\n");
        update_config(&path, "sso-session s", "sso_region", "eu-west-1").unwrap();
        assert_eq!(
            read(),
            "[sso-session s]\nsso_start_url = https://u\nsso_region = eu-west-1\n\n[profile b]\n"
        );
        write("[profile a]\nx = 1");
        update_config(&path, "profile old", "sso_region", "eu-west-1").unwrap();
        assert_eq!(
            read(),
            "[profile a]\nx = 1\n[profile old]\nsso_region = eu-west-1\n"
        );
        write("[profile \"old\"]\nx = 1");
        update_config(&path, "profile old", "sso_region", "eu-west-1").unwrap();
        assert_eq!(read(), "[profile \"old\"]\nx = 1\nsso_region = eu-west-1\n");
    }
}
