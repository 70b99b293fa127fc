//! The STS endpoint the token is signed for (spec §1.7): botocore's STS endpoint ruleset
//! (`sts/2011-06-15/endpoint-rule-set-1.json`, with `UseGlobalEndpoint` hard-wired off in
//! AWS CLI v2), the partition table (`partitions.json`), configured endpoint URLs, and
//! botocore's endpoint URL validation.

use pystd::url::UrlParts;

use crate::error::Error;

/// Where the presigned request goes and how it is signed.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The request URL without query: scheme, netloc and path (`/` when empty).
    pub url: String,
    /// The `host` header value: lower-case host, port only when not the scheme default.
    pub host: String,
    /// The path as it goes into the canonical request.
    pub path: String,
    /// The URL as the request would go without parameters: `url` with the configured
    /// URL's own query string (an unsigned token is this URL).
    pub bare_url: String,
    pub signing_region: String,
    /// Python's error for the URL's port (`urlsplit(url).port`), which botocore only
    /// meets when it signs (`_canonical_host`).
    pub port_error: Option<String>,
}

impl Endpoint {
    /// The configured URL's own query string, which botocore's `_urljoin` keeps on every
    /// request URL (`None`: no `?`).
    pub fn own_query(&self) -> Option<&str> {
        self.bare_url.split_once('?').map(|(_, q)| q)
    }

    /// `url` (the endpoint URL with an operation path), then the configured URL's own
    /// query string.
    pub fn request_url(&self, url: &str) -> String {
        match self.own_query() {
            Some(q) => format!("{url}?{q}"),
            None => url.to_string(),
        }
    }

    /// The own query string as SigV4's header signing reads it
    /// (`_canonical_query_string_url`): `key=value` pairs sorted by key, then value.
    pub fn canonical_query(&self) -> String {
        let Some(q) = self.own_query().filter(|q| !q.is_empty()) else {
            return String::new();
        };
        let mut pairs: Vec<(&str, &str)> = q
            .split('&')
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        pairs.sort();
        let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        joined.join("&")
    }

    /// Whether a request to this endpoint can be signed (botocore reads the port then).
    pub fn check_signable(&self) -> Result<(), Error> {
        match &self.port_error {
            Some(e) => Err(Error::General(e.clone())),
            None => Ok(()),
        }
    }
}

/// The inputs of the endpoint rules.
#[derive(Debug, Default, Clone)]
pub struct EndpointConfig {
    /// The resolved region; `None` when configured nowhere.
    pub region: Option<String>,
    pub use_fips: bool,
    pub use_dualstack: bool,
    /// `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile's services section or
    /// `endpoint_url`, unless configured endpoints are ignored.
    pub configured_url: Option<String>,
}

struct Partition {
    dns_suffix: &'static str,
    dualstack_suffix: &'static str,
    is_us_gov: bool,
}

/// `aws.partition(region)`: the partition whose region list has the name (the `*-global`
/// pseudo regions), else the first whose regionRegex matches, else `aws`.
fn partition(region: &str) -> Partition {
    // (regex prefixes, global pseudo region, dnsSuffix, dualStackDnsSuffix) in
    // partitions.json order; each regex is `^<prefix>\-\w+\-\d+$`. (aws-eusc has no
    // global pseudo region; the name given here matches nothing a user configures.)
    const PARTITIONS: &[(&[&str], &str, &str, &str)] = &[
        (
            &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
            "aws-global",
            "amazonaws.com",
            "api.aws",
        ),
        (
            &["cn"],
            "aws-cn-global",
            "amazonaws.com.cn",
            "api.amazonwebservices.com.cn",
        ),
        (
            &["eusc-de"],
            "aws-eusc-global",
            "amazonaws.eu",
            "api.amazonwebservices.eu",
        ),
        (
            &["us-iso"],
            "aws-iso-global",
            "c2s.ic.gov",
            "api.aws.ic.gov",
        ),
        (
            &["us-isob"],
            "aws-iso-b-global",
            "sc2s.sgov.gov",
            "api.aws.scloud",
        ),
        (
            &["eu-isoe"],
            "aws-iso-e-global",
            "cloud.adc-e.uk",
            "api.cloud-aws.adc-e.uk",
        ),
        (
            &["us-isof"],
            "aws-iso-f-global",
            "csp.hci.ic.gov",
            "api.aws.hci.ic.gov",
        ),
        (&["us-gov"], "aws-us-gov-global", "amazonaws.com", "api.aws"),
    ];
    let make = |i: usize| Partition {
        dns_suffix: PARTITIONS[i].2,
        dualstack_suffix: PARTITIONS[i].3,
        is_us_gov: i == PARTITIONS.len() - 1,
    };
    if let Some(i) = PARTITIONS.iter().position(|p| p.1 == region) {
        return make(i);
    }
    let matches = |prefixes: &[&str]| {
        prefixes.iter().any(|p| {
            region
                .strip_prefix(p)
                .and_then(|r| r.strip_prefix('-'))
                .and_then(|r| r.split_once('-'))
                .is_some_and(|(word, num)| {
                    !word.is_empty()
                        && word.chars().all(|c| c.is_alphanumeric() || c == '_')
                        && !num.is_empty()
                        && num.chars().all(|c| c.is_ascii_digit())
                })
        })
    };
    make(PARTITIONS.iter().position(|p| matches(p.0)).unwrap_or(0))
}

/// botocore `ClientCreator._normalize_fips_region`: a FIPS pseudo region (`fips-us-east-1`,
/// `us-east-1-fips`) is the region without `fips-` and `-fips`, with FIPS endpoints on.
fn normalize_fips_region(cfg: &EndpointConfig) -> EndpointConfig {
    let mut cfg = cfg.clone();
    if let Some(region) = &cfg.region {
        let normalized = region.replace("fips-", "").replace("-fips", "");
        if normalized != *region {
            cfg.region = Some(normalized);
            cfg.use_fips = true;
        }
    }
    cfg
}

/// The STS and EKS endpoints of the partitions without dual-stack variants
/// (endpoints.json): botocore's legacy resolver refuses the dual-stack variant for these.
/// Not aws-iso and aws-iso-b: the resolver skips those partitions with dual-stack on
/// (`_UNSUPPORTED_DUALSTACK_PARTITIONS`), so only the endpoint rules answer, with
/// their dual-stack hosts.
const ENDPOINTS_WITHOUT_DUALSTACK: &[&str] =
    &["eu-isoe-west-1", "us-isof-east-1", "us-isof-south-1"];

/// botocore's `EndpointVariantError` for a dual-stack endpoint the legacy resolver knows
/// no dual-stack variant of.
fn check_dualstack_variant(cfg: &EndpointConfig) -> Result<(), Error> {
    match cfg.region.as_deref() {
        Some(region) if cfg.use_dualstack && ENDPOINTS_WITHOUT_DUALSTACK.contains(&region) => {
            let tags = if cfg.use_fips {
                "['dualstack', 'fips']"
            } else {
                "['dualstack']"
            };
            Err(Error::General(format!(
                "Unable to construct a modeled endpoint with the following variant(s) {tags}: "
            )))
        }
        _ => Ok(()),
    }
}

/// Resolve the endpoint. No region at all means botocore's partition endpoint for STS,
/// `aws-global`; a configured URL wins over FIPS and dual-stack, but needs a region (for
/// signing: the URL is checked first).
pub fn sts_endpoint(cfg: &EndpointConfig) -> Result<Endpoint, Error> {
    let cfg = &normalize_fips_region(cfg);
    if crate::log::enabled() {
        log_parameters(cfg, true);
    }
    check_dualstack_variant(cfg)?;
    let url = match (&cfg.configured_url, &cfg.region) {
        (Some(url), None) => {
            build(url, "")?;
            return Err(Error::NoRegion);
        }
        // With a configured URL, botocore signs for the client's region as it is.
        (Some(url), Some(region)) => return log_result(url, build(url, region)),
        (None, region) => {
            let region = region.as_deref().unwrap_or("aws-global");
            let p = partition(region);
            match (cfg.use_fips, cfg.use_dualstack) {
                (true, true) => format!("https://sts-fips.{region}.{}", p.dualstack_suffix),
                (true, false) if p.is_us_gov => format!("https://sts.{region}.amazonaws.com"),
                (true, false) => format!("https://sts-fips.{region}.{}", p.dns_suffix),
                (false, true) => format!("https://sts.{region}.{}", p.dualstack_suffix),
                (false, false) if region == "aws-global" => "https://sts.amazonaws.com".into(),
                (false, false) => format!("https://sts.{region}.{}", p.dns_suffix),
            }
        }
    };
    // The legacy resolver's credential scope: `aws-global` signs for us-east-1.
    let region = match cfg.region.as_deref().unwrap_or("aws-global") {
        "aws-global" => "us-east-1",
        r => r,
    };
    log_result(&url, build(&url, region))
}

/// `--debug`: botocore's `Calling endpoint provider with parameters: {...}` (the ruleset's
/// parameters in its order, as a Python dict).
fn log_parameters(cfg: &EndpointConfig, sts: bool) {
    let py_bool = |b: bool| if b { "True" } else { "False" };
    let mut params = vec![];
    if let Some(r) = cfg.region.as_deref().or(sts.then_some("aws-global")) {
        params.push(format!("'Region': {}", pystd::repr::str_repr(r)));
    }
    params.push(format!("'UseDualStack': {}", py_bool(cfg.use_dualstack)));
    params.push(format!("'UseFIPS': {}", py_bool(cfg.use_fips)));
    if let Some(url) = &cfg.configured_url {
        params.push(format!(
            "'Endpoint': {}",
            pystd::repr::str_repr(&crate::log::url(url))
        ));
    }
    if sts {
        params.push("'UseGlobalEndpoint': False".into());
    }
    crate::debug_log!(
        "botocore.regions",
        "DEBUG",
        "Calling endpoint provider with parameters: {{{}}}",
        params.join(", ")
    );
}

/// `--debug`: botocore's `Endpoint provider result: <url>`.
fn log_result(url: &str, result: Result<Endpoint, Error>) -> Result<Endpoint, Error> {
    if result.is_ok() {
        crate::debug_log!(
            "botocore.regions",
            "DEBUG",
            "Endpoint provider result: {}",
            crate::log::url(url)
        );
    }
    result
}

/// The endpoint of a regional service whose botocore ruleset is STS's without the global
/// endpoint (SSO: `portal.sso`/`portal.sso-fips`, SSO OIDC: `oidc`/`oidc-fips`); a
/// configured URL wins, as it does for STS.
pub fn regional_endpoint(
    host: &str,
    fips_host: &str,
    cfg: &EndpointConfig,
) -> Result<Endpoint, Error> {
    let cfg = &normalize_fips_region(cfg);
    if crate::log::enabled() {
        log_parameters(cfg, false);
    }
    let Some(region) = cfg.region.as_deref() else {
        return Err(Error::General(
            "Invalid Configuration: Missing Region".into(),
        ));
    };
    if let Some(url) = &cfg.configured_url {
        return log_result(url, build(url, region));
    }
    let p = partition(region);
    let url = match (cfg.use_fips, cfg.use_dualstack) {
        (true, true) => format!("https://{fips_host}.{region}.{}", p.dualstack_suffix),
        (true, false) if p.is_us_gov => format!("https://{host}.{region}.amazonaws.com"),
        (true, false) => format!("https://{fips_host}.{region}.{}", p.dns_suffix),
        (false, true) => format!("https://{host}.{region}.{}", p.dualstack_suffix),
        (false, false) => format!("https://{host}.{region}.{}", p.dns_suffix),
    };
    log_result(&url, build(&url, region))
}

/// EKS's endpoint (`eks/2017-11-01/endpoint-rule-set-1.json`): regional hosts, FIPS
/// (`fips.eks` in the aws partition, the plain host in GovCloud, `eks-fips` elsewhere),
/// dual-stack; a configured URL wins (FIPS and dual-stack then do not apply). No region is
/// NoRegion before anything else, configured URL or not: botocore's legacy resolver, which
/// the client consults first, knows no partition endpoint for EKS.
pub fn eks_endpoint(cfg: &EndpointConfig) -> Result<Endpoint, Error> {
    let cfg = &normalize_fips_region(cfg);
    if crate::log::enabled() {
        log_parameters(cfg, false);
    }
    let Some(region) = cfg.region.as_deref() else {
        return Err(Error::NoRegion);
    };
    // The legacy resolver knows no dual-stack variant either, configured URL or not.
    check_dualstack_variant(cfg)?;
    if let Some(url) = &cfg.configured_url {
        return log_result(url, build(url, region));
    }
    let p = partition(region);
    let url = match (cfg.use_fips, cfg.use_dualstack) {
        (true, true) => format!("https://eks-fips.{region}.{}", p.dualstack_suffix),
        (true, false) if p.dns_suffix == "amazonaws.com" && !p.is_us_gov => {
            format!("https://fips.eks.{region}.amazonaws.com")
        }
        (true, false) if p.is_us_gov => format!("https://eks.{region}.amazonaws.com"),
        (true, false) => format!("https://eks-fips.{region}.{}", p.dns_suffix),
        (false, true) => format!("https://eks.{region}.{}", p.dualstack_suffix),
        (false, false) => format!("https://eks.{region}.{}", p.dns_suffix),
    };
    log_result(&url, build(&url, region))
}

/// An endpoint URL `build` refused: botocore raises it later than the other endpoint
/// errors, when it creates the endpoint (after the retry settings).
pub fn is_invalid_url(e: &Error) -> bool {
    matches!(e, Error::General(m) if m.starts_with(INVALID_URL))
}

const INVALID_URL: &str = "Invalid endpoint: ";

fn build(url: &str, region: &str) -> Result<Endpoint, Error> {
    let invalid = || Error::General(format!("{INVALID_URL}{url}"));
    let parts = UrlParts::split(url).ok_or_else(invalid)?;
    let hostname = parts.hostname().ok_or_else(invalid)?;
    if !valid_hostname(&hostname) && !parts.is_ipv6() {
        return Err(invalid());
    }
    let mut host = if parts.is_ipv6() {
        format!("[{hostname}]")
    } else {
        hostname
    };
    let default_port = match parts.scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    let port = parts.port();
    if let Ok(Some(port)) = port {
        if Some(port) != default_port {
            host = format!("{host}:{port}");
        }
    }
    let path = if parts.path.is_empty() {
        "/".to_string()
    } else {
        parts.path.clone()
    };
    let url = format!("{}://{}{}", parts.scheme, parts.netloc, path);
    Ok(Endpoint {
        bare_url: match &parts.query {
            Some(q) => format!("{url}?{q}"),
            None => url.clone(),
        },
        url,
        host,
        path,
        signing_region: region.to_string(),
        port_error: port.err(),
    })
}

/// botocore `is_valid_endpoint_url`'s host check.
fn valid_hostname(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.len() > 255 {
        return false;
    }
    host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// botocore `validate_region_name`: a valid host label, not all digits (checked when a
/// client is made).
pub fn validate_region_name(region: &str) -> Result<(), Error> {
    let ok = region.len() <= 63
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && (region.is_empty() || !region.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Error::General(format!(
            "Provided region_name '{region}' doesn't match a supported format."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(
        region: Option<&str>,
        fips: bool,
        ds: bool,
        url: Option<&str>,
    ) -> Result<Endpoint, Error> {
        sts_endpoint(&EndpointConfig {
            region: region.map(String::from),
            use_fips: fips,
            use_dualstack: ds,
            configured_url: url.map(String::from),
        })
    }

    #[test]
    fn region_names() {
        for ok in ["us-west-2", "", "aws-global", "a"] {
            assert!(validate_region_name(ok).is_ok(), "{ok}");
        }
        for bad in ["bad region!", "123", "-a", "a-", &"r".repeat(64)] {
            assert!(validate_region_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partitions_and_variants() {
        let host = |r: Option<&str>, f, d| ep(r, f, d, None).unwrap().url;
        assert_eq!(
            host(Some("us-west-2"), false, false),
            "https://sts.us-west-2.amazonaws.com/"
        );
        assert_eq!(
            host(Some("cn-north-1"), false, false),
            "https://sts.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            host(Some("us-gov-west-1"), true, false),
            "https://sts.us-gov-west-1.amazonaws.com/"
        );
        assert_eq!(
            host(Some("us-iso-east-1"), false, false),
            "https://sts.us-iso-east-1.c2s.ic.gov/"
        );
        assert_eq!(
            host(Some("eusc-de-east-1"), false, false),
            "https://sts.eusc-de-east-1.amazonaws.eu/"
        );
        assert_eq!(
            host(Some("xx-nowhere-9"), false, false),
            "https://sts.xx-nowhere-9.amazonaws.com/"
        );
        assert_eq!(
            host(Some("us-west-2"), true, true),
            "https://sts-fips.us-west-2.api.aws/"
        );
        assert_eq!(
            host(Some("us-west-2"), false, true),
            "https://sts.us-west-2.api.aws/"
        );
        assert_eq!(host(None, false, false), "https://sts.amazonaws.com/");
        assert_eq!(
            host(None, true, false),
            "https://sts-fips.aws-global.amazonaws.com/"
        );
        assert_eq!(
            ep(None, false, false, None).unwrap().signing_region,
            "us-east-1"
        );
    }

    #[test]
    fn sso_portal_and_oidc_hosts() {
        let cfg = |region: &str, fips, ds| EndpointConfig {
            region: Some(region.into()),
            use_fips: fips,
            use_dualstack: ds,
            configured_url: None,
        };
        let url = |c: &EndpointConfig| {
            regional_endpoint("portal.sso", "portal.sso-fips", c)
                .unwrap()
                .url
        };
        assert_eq!(
            url(&cfg("us-east-1", false, false)),
            "https://portal.sso.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            url(&cfg("cn-north-1", false, false)),
            "https://portal.sso.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            url(&cfg("us-east-1", true, false)),
            "https://portal.sso-fips.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            url(&cfg("us-gov-west-1", true, false)),
            "https://portal.sso.us-gov-west-1.amazonaws.com/"
        );
        assert_eq!(
            url(&cfg("us-east-1", false, true)),
            "https://portal.sso.us-east-1.api.aws/"
        );
        let mut local = cfg("us-east-1", true, false);
        local.configured_url = Some("http://127.0.0.1:28712".into());
        assert_eq!(url(&local), "http://127.0.0.1:28712/");
    }

    #[test]
    fn configured_urls() {
        let e = ep(
            Some("us-west-2"),
            true,
            false,
            Some("http://LOCALHOST:4566"),
        )
        .unwrap();
        assert_eq!(
            (e.url.as_str(), e.host.as_str()),
            ("http://LOCALHOST:4566/", "localhost:4566")
        );
        let e = ep(
            Some("us-west-2"),
            false,
            false,
            Some("https://x.test:443/p"),
        )
        .unwrap();
        assert_eq!(
            (e.url.as_str(), e.host.as_str(), e.path.as_str()),
            ("https://x.test:443/p", "x.test", "/p")
        );
        let e = ep(Some("us-west-2"), false, false, Some("http://[::1]:4566")).unwrap();
        assert_eq!(e.host, "[::1]:4566");
        assert_eq!(
            ep(None, false, false, Some("http://x")),
            Err(Error::NoRegion)
        );
        assert_eq!(
            ep(Some(""), false, false, None),
            Err(Error::General(
                "Invalid endpoint: https://sts..amazonaws.com".into()
            ))
        );
    }
}
