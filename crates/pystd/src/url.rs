//! `urllib.parse` as botocore uses it: `urlsplit` for endpoint URLs and `quote` for
//! signing and form bodies.

/// Python's `urllib.parse.urlsplit`, as far as endpoints need it.
#[derive(Debug)]
pub struct UrlParts {
    pub scheme: String,
    pub netloc: String,
    pub path: String,
    /// The text after `?` (up to a `#`), when there is a `?`.
    pub query: Option<String>,
}

impl UrlParts {
    pub fn split(url: &str) -> Option<UrlParts> {
        let (scheme_raw, rest) = match url.find(':') {
            Some(i)
                if i > 0
                    && url.as_bytes()[0].is_ascii_alphabetic()
                    && url[..i]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                (&url[..i], &url[i + 1..])
            }
            _ => ("", url),
        };
        let (netloc, after) = match rest.strip_prefix("//") {
            Some(r) => {
                let end = r.find(['/', '?', '#']).unwrap_or(r.len());
                (&r[..end], &r[end..])
            }
            None => ("", rest),
        };
        let path_end = after.find(['?', '#']).unwrap_or(after.len());
        let query = after[path_end..].strip_prefix('?').map(|q| {
            let end = q.find('#').unwrap_or(q.len());
            q[..end].to_string()
        });
        Some(UrlParts {
            scheme: scheme_raw.to_ascii_lowercase(),
            netloc: netloc.to_string(),
            path: after[..path_end].to_string(),
            query,
        })
    }

    /// The `ValueError` `urlsplit` raises for the network location: unbalanced brackets,
    /// or a bracketed host that is not an IPv6 address (`_check_bracketed_host`).
    pub fn netloc_error(&self) -> Option<String> {
        let netloc = &self.netloc;
        if netloc.contains('[') != netloc.contains(']') {
            return Some("Invalid IPv6 URL".into());
        }
        let (_, bracketed) = netloc.split_once('[')?;
        let host = bracketed.split_once(']').map_or(bracketed, |(h, _)| h);
        if let Some(future) = host.strip_prefix('v') {
            let valid = future.split_once('.').is_some_and(|(hex, rest)| {
                !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) && !rest.is_empty()
            });
            return (!valid).then(|| "IPvFuture address is invalid".into());
        }
        let address = host.split_once('%').map_or(host, |(a, _)| a);
        if address.parse::<std::net::Ipv6Addr>().is_ok() && !host.ends_with('%') {
            None
        } else if host.parse::<std::net::Ipv4Addr>().is_ok() {
            Some("An IPv4 address cannot be in brackets".into())
        } else {
            Some(format!(
                "{} does not appear to be an IPv4 or IPv6 address",
                crate::repr::str_repr(host)
            ))
        }
    }

    pub fn host_port(&self) -> &str {
        self.netloc
            .rsplit_once('@')
            .map_or(self.netloc.as_str(), |(_, h)| h)
    }

    pub fn is_ipv6(&self) -> bool {
        self.host_port().starts_with('[')
    }

    /// `urlsplit(...).hostname`: lower-case, without brackets, userinfo or port.
    pub fn hostname(&self) -> Option<String> {
        let hp = self.host_port();
        let host = if let Some(rest) = hp.strip_prefix('[') {
            rest.split_once(']')?.0
        } else {
            hp.split_once(':').map_or(hp, |(h, _)| h)
        };
        (!host.is_empty()).then(|| host.to_lowercase())
    }

    /// `urlsplit(...).port`; `Err` is Python's ValueError for a non-numeric or out-of-range
    /// port.
    pub fn port(&self) -> Result<Option<u16>, String> {
        let hp = self.host_port();
        let port = match hp.strip_prefix('[') {
            Some(rest) => rest
                .split_once(']')
                .map_or("", |(_, p)| p.strip_prefix(':').unwrap_or("")),
            None => hp.split_once(':').map_or("", |(_, p)| p),
        };
        if port.is_empty() {
            return Ok(None);
        }
        let cast_error = || {
            format!(
                "Port could not be cast to integer value as {}",
                crate::repr::str_repr(port)
            )
        };
        if !port.chars().all(|c| c.is_ascii_digit()) {
            return Err(cast_error());
        }
        match port.parse::<u16>() {
            Ok(p) => Ok(Some(p)),
            Err(_) => Err("Port out of range 0-65535".into()),
        }
    }
}

/// Python's `urllib.parse.quote(s, safe='-_.~' + extra)` over UTF-8 bytes.
pub fn quote(s: &str, extra_safe: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-_.~".contains(c) || extra_safe.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netloc_errors_as_urlsplit_raises_them() {
        let error = |url: &str| UrlParts::split(url).and_then(|p| p.netloc_error());
        for ok in [
            "http://h:1/",
            "http://[::1]:80/x[",
            "http://[fe80::1%eth0]/",
            "http://[v1.x]/",
            "a[b",
            "http://[::1]]:80",
        ] {
            assert_eq!(error(ok), None, "{ok}");
        }
        assert_eq!(error("http://a[b:80").as_deref(), Some("Invalid IPv6 URL"));
        assert_eq!(error("http://a]b").as_deref(), Some("Invalid IPv6 URL"));
        assert_eq!(
            error("http://[vz.x]/").as_deref(),
            Some("IPvFuture address is invalid")
        );
        assert_eq!(
            error("http://[1.2.3.4]/").as_deref(),
            Some("An IPv4 address cannot be in brackets")
        );
        assert_eq!(
            error("http://[xyz]:80").as_deref(),
            Some("'xyz' does not appear to be an IPv4 or IPv6 address")
        );
        assert_eq!(
            error("http://[::1%]/").as_deref(),
            Some("'::1%' does not appear to be an IPv4 or IPv6 address")
        );
    }

    #[test]
    fn split_like_python() {
        let p = UrlParts::split("HTTPS://u:p@[::1]:8443/a/b?q#f").unwrap();
        assert_eq!((p.scheme.as_str(), p.path.as_str()), ("https", "/a/b"));
        assert_eq!(p.query.as_deref(), Some("q"));
        assert_eq!(p.hostname().as_deref(), Some("::1"));
        assert_eq!(p.port(), Ok(Some(8443)));
        assert!(p.is_ipv6());
        let bad = UrlParts::split("http://h:x/").unwrap();
        assert_eq!(
            bad.port(),
            Err("Port could not be cast to integer value as 'x'".into())
        );
        assert_eq!(UrlParts::split("not a url").unwrap().scheme, "");
    }

    #[test]
    fn quote_like_python() {
        assert_eq!(quote("a b/c~é", ""), "a%20b%2Fc~%C3%A9");
        assert_eq!(quote("/a b/", "/"), "/a%20b/");
    }
}
