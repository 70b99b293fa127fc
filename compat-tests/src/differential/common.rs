//! Building blocks shared by the command generators: the case under construction and its
//! config files, the profile, region, endpoints, output format, query, colour, error format,
//! timeouts, retries and `KUBERNETES_EXEC_INFO` (credential sources: credentials.rs).
//!
//! Every network call a generated case can make goes to a fake server on one of the case's
//! own ports, to a closed port of the case, or to a real AWS host name; the driver runs all
//! cases inside a network namespace that has only loopback, so the last ones fail to resolve.

use super::query;
use super::spec::{assemble, CaseSpec, Draw, Ini, Opt};

pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
pub const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/eks-admin";

/// A case under construction: the case, its config and credentials files, its global
/// options, and the profile it runs with.
pub struct Setup {
    pub case: CaseSpec,
    pub config: Ini,
    pub credentials: Ini,
    pub opts: Vec<Opt>,
    /// Words after every option (junk, `--`).
    pub tail: Vec<String>,
    /// The selected profile, `None` for the default one.
    pub profile: Option<String>,
    /// The STS endpoint the fake STS answers on, once a source needs it.
    pub sts_url: Option<String>,
    /// Whether the config files may use odd syntax.
    pub odd_files: bool,
}

impl Setup {
    pub fn new(d: &mut Draw) -> Setup {
        let mut case = CaseSpec::default();
        if d.chance(8) {
            case.time = d
                .pick(&[
                    "2030-06-15T12:00:00Z",
                    "2024-02-29T23:59:59Z",
                    "2000-01-01T00:00:00Z",
                    "2024-01-02T11:03:05Z",
                ])
                .to_owned();
            d.tag(format!("time {}", case.time));
        }
        Setup {
            case,
            config: Ini::default(),
            credentials: Ini::default(),
            opts: Vec::new(),
            tail: Vec::new(),
            profile: None,
            sts_url: None,
            odd_files: d.chance(15),
        }
    }

    /// The config-file section of the selected profile.
    pub fn section(&self) -> String {
        match &self.profile {
            Some(p) => format!("profile {p}"),
            None => "default".into(),
        }
    }

    /// The credentials-file section of the selected profile.
    pub fn cred_section(&self) -> String {
        self.profile.clone().unwrap_or_else(|| "default".into())
    }

    pub fn set_profile_key(&mut self, key: &str, value: &str) {
        let s = self.section();
        self.config.set(&s, key, value);
    }

    /// Writes the files and builds the argv.
    pub fn finish(mut self, d: &mut Draw, command: &[&str]) -> CaseSpec {
        let relocated = d.chance(3);
        for (ini, default_path, var) in [
            (&self.config, ".aws/config", "AWS_CONFIG_FILE"),
            (
                &self.credentials,
                ".aws/credentials",
                "AWS_SHARED_CREDENTIALS_FILE",
            ),
        ] {
            let name = default_path.rsplit('/').next().unwrap();
            let path = if relocated {
                let p = format!("etc/aws {name}");
                self.case.set_env(var, format!("$HOME/{p}"));
                d.tag(format!("{var} set"));
                p
            } else {
                default_path.to_owned()
            };
            if !ini.is_empty() {
                let text = ini.render(d, name, self.odd_files);
                self.case.file(&path, text, 0o644);
            }
        }
        let opts = std::mem::take(&mut self.opts);
        self.case.args = assemble(d, command, opts, std::mem::take(&mut self.tail));
        self.case
    }
}

/// Chooses the profile and how it is selected (`--profile`, `AWS_PROFILE`,
/// `AWS_DEFAULT_PROFILE`).
pub fn profile(d: &mut Draw, s: &mut Setup) {
    if !d.chance(40) {
        return;
    }
    let name = d.weighted(&[(85, "dev"), (5, "default"), (5, "my profile"), (5, "dev.x")]);
    s.profile = Some(name.to_owned()).filter(|n| n != "default");
    match d.weighted(&[(40, 0), (45, 1), (10, 2), (5, 3)]) {
        0 => s.opts.push(Opt::global("--profile", name)),
        1 => s.case.set_env("AWS_PROFILE", name),
        2 => s.case.set_env("AWS_DEFAULT_PROFILE", name),
        _ => {
            s.opts.push(Opt::global("--profile", name));
            s.case.set_env("AWS_PROFILE", "other");
        }
    }
    d.tag(format!("profile {name}"));
}

/// Region names: every partition, FIPS pseudo-regions, `aws-global`, invalid ones.
const REGIONS: &[(u32, &str)] = &[
    (30, "us-west-2"),
    (8, "us-east-1"),
    (4, "eu-west-1"),
    (2, "ap-southeast-7"),
    (2, "mx-central-1"),
    (3, "cn-north-1"),
    (2, "cn-northwest-1"),
    (3, "us-gov-west-1"),
    (1, "us-gov-east-1"),
    (2, "us-iso-east-1"),
    (2, "us-isob-east-1"),
    (2, "eu-isoe-west-1"),
    (2, "us-isof-south-1"),
    (2, "eusc-de-east-1"),
    (3, "aws-global"),
    (3, "us-east-1-fips"),
    (3, "fips-us-east-1"),
    (2, "us-gov-west-1-fips"),
    (2, "fips-us-gov-west-1"),
    (1, "fips-aws-global"),
    (1, "aws-us-gov-global"),
    (1, "aws-cn-global"),
    (2, ""),
    (1, "US-WEST-2"),
    (1, "us-west-2 "),
    (1, "not_a_region"),
    (1, "us-west-2/x"),
    (1, "localhost"),
    (1, "x.y"),
    (1, "us-west-99"),
    (
        1,
        "a-very-long-region-name-that-goes-on-and-on-and-on-for-more-than-sixty-three",
    ),
    (1, "-us"),
    (1, "123"),
];

pub fn region(d: &mut Draw, s: &mut Setup) {
    let places = if d.chance(12) { 2 } else { 1 };
    for _ in 0..places {
        let r = d.weighted(REGIONS);
        let place = d.weighted(&[(50, 0), (12, 1), (8, 2), (15, 3), (15, 4)]);
        d.tag(format!(
            "region {r:?} via {}",
            [
                "flag",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "profile",
                "nowhere"
            ][place]
        ));
        match place {
            0 => s.opts.push(Opt::global("--region", r)),
            1 => s.case.set_env("AWS_REGION", r),
            2 => s.case.set_env("AWS_DEFAULT_REGION", r),
            3 => s.set_profile_key("region", r),
            _ => {}
        }
    }
    if d.chance(8) {
        let v = d.pick(&["true", "false", "TRUE", "1", "yes"]);
        let what = d.pick(&["fips", "dualstack"]);
        d.tag(format!("use {what} {v}"));
        if d.chance(60) {
            let var = if what == "fips" {
                "AWS_USE_FIPS_ENDPOINT"
            } else {
                "AWS_USE_DUALSTACK_ENDPOINT"
            };
            s.case.set_env(var, v);
        } else {
            s.set_profile_key(&format!("use_{what}_endpoint"), v);
        }
    }
    if d.chance(4) {
        let v = d.pick(&["legacy", "regional", "bogus"]);
        d.tag(format!("sts_regional_endpoints {v}"));
        if d.chance(50) {
            s.case.set_env("AWS_STS_REGIONAL_ENDPOINTS", v);
        } else {
            s.set_profile_key("sts_regional_endpoints", v);
        }
    }
}

/// Endpoint URLs that are not a fake server: `--endpoint-url` and the configured ones.
pub fn endpoints(d: &mut Draw, s: &mut Setup) {
    if d.chance(12) {
        let closed = format!("http://127.0.0.1:{}", d.port());
        let url = d.pick(&[
            "https://sts.example.com".to_owned(),
            closed,
            "https://h.example/p?q=1".into(),
            "not a url".into(),
            "http://".into(),
            "https://example.com:99999".into(),
            "HTTPS://STS.EXAMPLE.COM".into(),
            "https://[::1]:8443/".into(),
            "ftp://x.example".into(),
            "https://sts.example.com/path/".into(),
            "https://user:pw@h.example".into(),
            "".into(),
            "https://x y.example".into(),
        ]);
        let place = if s.sts_url.is_some() {
            0
        } else {
            d.weighted(&[(40, 0), (25, 1), (10, 2), (10, 3), (15, 4)])
        };
        d.tag(format!(
            "endpoint {url:?} via {}",
            [
                "--endpoint-url",
                "AWS_ENDPOINT_URL_STS",
                "AWS_ENDPOINT_URL",
                "profile",
                "services"
            ][place]
        ));
        match place {
            0 => s.opts.push(Opt::global("--endpoint-url", url)),
            1 => s.case.set_env("AWS_ENDPOINT_URL_STS", url),
            2 => s.case.set_env("AWS_ENDPOINT_URL", url),
            3 => s.set_profile_key("endpoint_url", &url),
            _ => {
                s.set_profile_key("services", "svc");
                s.config
                    .nested("services svc", "sts", vec![("endpoint_url".into(), url)]);
            }
        }
    }
    if d.chance(3) {
        d.tag("ignore_configured_endpoint_urls");
        if d.chance(50) {
            s.case
                .set_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        } else {
            s.set_profile_key("ignore_configured_endpoint_urls", "true");
        }
    }
    if d.chance(1) {
        // A nested value with no nested lines.
        d.tag("services section with an empty nested key");
        s.set_profile_key("services", "broken");
        s.config.raw("services broken", "s3 =");
    }
    if d.chance(1) {
        d.tag("nested s3 key in the profile");
        let sec = s.section();
        s.config.raw(&sec, "s3 =\n  addressing_style = path");
    }
}

/// `--output` / `AWS_DEFAULT_OUTPUT` / profile `output`, `--query`, `--color`.
pub fn output(d: &mut Draw, s: &mut Setup, query_fields: &[&str]) {
    if d.chance(55) {
        let fmt = d.weighted(&[
            (20, "json"),
            (20, "text"),
            (20, "table"),
            (14, "yaml"),
            (8, "yaml-stream"),
            (8, "off"),
            (2, "yml"),
            (2, "JSON"),
            (1, ""),
        ]);
        let place = d.weighted(&[(70, 0), (15, 1), (15, 2)]);
        d.tag(format!(
            "output {fmt:?} via {}",
            ["flag", "env", "profile"][place]
        ));
        match place {
            0 => s.opts.push(Opt::global("--output", fmt)),
            1 => s.case.set_env("AWS_DEFAULT_OUTPUT", fmt),
            _ => s.set_profile_key("output", fmt),
        }
    }
    if d.chance(40) {
        let q = query::query(d, query_fields);
        d.tag(format!("query {q}"));
        s.opts.push(Opt::global("--query", q));
    }
    if d.chance(10) {
        let c = d.weighted(&[(40, "on"), (30, "off"), (20, "auto"), (10, "bogus")]);
        d.tag(format!("color {c}"));
        s.opts.push(Opt::global("--color", c));
    }
}

/// `--cli-error-format` and friends, timeouts, retries, ignored flags, junk.
pub fn misc(d: &mut Draw, s: &mut Setup) {
    if d.chance(6) {
        let f = d.weighted(&[
            (15, "enhanced"),
            (15, "legacy"),
            (15, "json"),
            (15, "yaml"),
            (10, "text"),
            (10, "table"),
            (10, "bogus"),
            (5, "JSON"),
        ]);
        let place = d.weighted(&[(50, 0), (25, 1), (25, 2)]);
        d.tag(format!(
            "error format {f} via {}",
            ["flag", "env", "profile"][place]
        ));
        match place {
            0 => s.opts.push(Opt::global("--cli-error-format", f)),
            1 => s.case.set_env("AWS_CLI_ERROR_FORMAT", f),
            _ => s.set_profile_key("cli_error_format", f),
        }
    }
    for name in ["--cli-read-timeout", "--cli-connect-timeout"] {
        if d.chance(4) {
            let v = d.pick(&[
                "0",
                "1",
                "5",
                "60",
                "-1",
                "abc",
                "1.5",
                "",
                "1e400",
                "99999999999999999999",
                "-0",
                "nan",
                "inf",
            ]);
            d.tag(format!("{name} {v:?}"));
            s.opts.push(Opt::global(name, v));
        }
    }
    if d.chance(4) {
        let v = d.pick(&["1", "2", "5", "0", "-1", "abc"]);
        d.tag(format!("max attempts {v}"));
        if d.chance(50) {
            s.case.set_env("AWS_MAX_ATTEMPTS", v);
        } else {
            s.set_profile_key("max_attempts", v);
        }
    }
    if d.chance(3) {
        // Not adaptive after a throttling answer: its rate limiter waits for the monotonic
        // clock, which libfaketime freezes for the reference, so the reference would hang.
        let throttled = d.tags().iter().any(|t| t.contains("thrott"));
        let modes: &[&str] = if throttled {
            &["standard", "legacy", "bogus"]
        } else {
            &["standard", "legacy", "adaptive", "bogus"]
        };
        let v = d.pick(modes);
        d.tag(format!("retry mode {v}"));
        if d.chance(50) {
            s.case.set_env("AWS_RETRY_MODE", v);
        } else {
            s.set_profile_key("retry_mode", v);
        }
    }
    if d.chance(3) {
        let closed = format!("http://127.0.0.1:{}", d.port());
        let (var, value) = d.pick(&[
            ("HTTPS_PROXY", closed.clone()),
            ("HTTP_PROXY", closed.clone()),
            // Not a proxy URL urllib3 cannot parse ("not a proxy", "http://a b:3128",
            // "http://[::1", "http://h:99999"): the CLI's errors for those are not ours.
            (
                "https_proxy",
                "http://no-such-proxy.example:3128".to_owned(),
            ),
            ("AWS_CA_BUNDLE", "$HOME/no-such-ca.pem".to_owned()),
        ]);
        d.tag(format!("{var}={value}"));
        s.case.set_env(var, value);
        if var.ends_with("PROXY") && d.chance(50) {
            s.case
                .set_env("NO_PROXY", d.pick(&["127.0.0.1", "*", "example.com"]));
        }
    }
    if d.chance(5) {
        let flags: [Opt; 6] = [
            Opt::flag("--no-paginate"),
            Opt::flag("--no-cli-pager"),
            Opt::global("--cli-binary-format", "raw-in-base64-out"),
            Opt::flag("--no-verify-ssl"),
            Opt::global("--ca-bundle", "$HOME/no-such-ca.pem"),
            Opt::flag("--no-cli-auto-prompt"),
        ];
        let i = d.rng.below(flags.len());
        let o = flags.into_iter().nth(i).unwrap();
        d.tag(format!("flag {}", o.name));
        s.opts.push(o);
    }
    if d.chance(3) {
        let junk = d.weighted(&[
            (20, vec!["--bogus"]),
            (15, vec!["--bogus", "value"]),
            (15, vec!["stray"]),
            (15, vec!["--", "--cluster-name", "b"]),
            (10, vec!["--region"]),
            (10, vec!["--query"]),
            (5, vec!["-"]),
            (5, vec!["--output"]),
            (5, vec!["---x"]),
        ]);
        d.tag(format!("junk {junk:?}"));
        s.tail.extend(junk.iter().map(|w| w.to_string()));
    }
}

/// `KUBERNETES_EXEC_INFO`: valid values of each API version and what Python's json.loads
/// makes of odd ones.
pub fn exec_info(d: &mut Draw, s: &mut Setup) {
    if !d.chance(22) {
        return;
    }
    let api = |v: &str| format!("client.authentication.k8s.io/{v}");
    let value: String = match d.rng.below(8) {
        0..=2 => {
            let v = d.weighted(&[(35, "v1beta1"), (35, "v1"), (20, "v1alpha1"), (10, "v2")]);
            let interactive = d.pick(&["false", "true"]);
            match d.rng.below(4) {
                0 => format!("{{\"kind\":\"ExecCredential\",\"apiVersion\":\"{}\",\"spec\":{{\"interactive\":{interactive}}}}}", api(v)),
                1 => format!("{{\n  \"kind\": \"ExecCredential\",\n  \"apiVersion\": \"{}\",\n  \"spec\": {{\n    \"interactive\": {interactive}\n  }}\n}}", api(v)),
                2 => format!("{{\"apiVersion\":\"{}\",\"kind\":\"ExecCredential\",\"spec\":{{\"cluster\":{{\"server\":\"https://x.example\",\"certificate-authority-data\":\"Zm9v\",\"config\":null}},\"interactive\":{interactive}}}}}", api(v)),
                _ => format!("{{\"apiVersion\": \"{}\"}}", api(v)),
            }
        }
        3 => d
            .pick(&[
                "NaN",
                "Infinity",
                "-Infinity",
                "1e999",
                "-1e999",
                "{\"apiVersion\": NaN}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"x\": Infinity}",
                "\"\\ud800\"",
                "{\"apiVersion\": \"\\ud800\"}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\\udc00\"}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"n\": 1E400}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"n\": 123456789012345678901234567890}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"n\": -0}",
            ])
            .to_owned(),
        4 => d
            .pick(&[
                "{",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\"",
                "[",
                "{'apiVersion': 'x'}",
                "{\"a\":1,}",
                "{} x",
                "",
                "   ",
                "\u{feff}{}",
                "{\"a\": \"\u{1}\"}",
                "{\"a\": tru}",
                "nul",
                "01",
                "{\"a\": 1e}",
                "\"unterminated",
                "{\"a\":\"\\u12\"}",
                "[1,]",
                "{\"apiVersion\" \"x\"}",
                "\u{a0}{}",
                "{\"a\": \"\\x41\"}",
                "{\"a\":1}}",
            ])
            .to_owned(),
        5 => {
            // At most 20,000 deep: an environment string may not exceed 128 KiB.
            let n = d.pick(&[50usize, 998, 1000, 5000, 20_000]);
            d.tag(format!("exec info nested {n} deep"));
            if d.chance(50) {
                format!("{}{}", "[".repeat(n), "]".repeat(n))
            } else {
                format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))
            }
        }
        6 => d
            .pick(&[
                "null",
                "true",
                "1",
                "\"str\"",
                "[]",
                "{}",
                "{\"apiVersion\": null}",
                "{\"apiVersion\": 1}",
                "{\"apiVersion\": []}",
                "{\"apiVersion\": {}}",
                "{\"apiVersion\": \"\"}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1beta1 \"}",
                "{\"apiVersion\": \"CLIENT.AUTHENTICATION.K8S.IO/V1\"}",
                "{\"apiVersion\": \"client.authentication.k8s.io\\/v1\"}",
                "{\"apiVersion\": \"\\u0063lient.authentication.k8s.io/v1\"}",
                "{\"apiVersion\": true}",
                "{\"apiVersion\": 1.5}",
                "[{\"apiVersion\": \"client.authentication.k8s.io/v1\"}]",
            ])
            .to_owned(),
        _ => d
            .pick(&[
                "{\"apiVersion\":\"client.authentication.k8s.io/v1alpha1\",\"apiVersion\":\"client.authentication.k8s.io/v1\"}",
                "\n\t {\"apiVersion\": \"client.authentication.k8s.io/v1\"} \r\n",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"spec\": {\"ü\": \"é\"}}",
                "{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"kind\": 5}",
                "{\"kind\": \"ExecCredential\"}",
            ])
            .to_owned(),
    };
    d.tag(format!(
        "exec info {:?}",
        value.chars().take(60).collect::<String>()
    ));
    s.case.set_env("KUBERNETES_EXEC_INFO", value);
}
