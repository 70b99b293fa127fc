//! `aws … eks update-kubeconfig …` invocations: a fake EKS answering DescribeCluster
//! (`GET /clusters/NAME`) with clusters in every state and shape and with service errors,
//! kubeconfig files chosen by `--kubeconfig` or `KUBECONFIG` (absent, well-formed with
//! entries of the same or other names, odd YAML, corrupt or wrongly typed), and the
//! command's options (`--alias`, `--user-alias`, `--role-arn`, `--assume-role-arn`,
//! `--proxy-url`, `--dry-run`, `--verbose`). The kubeconfig written is compared by the
//! harness like every other file.

use super::common::{self, Setup, ROLE_ARN};
use super::credentials;
use super::spec::{CaseSpec, Draw, Opt};
use super::Generator;
use serde_json::{json, Value};

/// Names for `--name`: plain, YAML-sensitive, and ones that need percent-encoding in the
/// request path.
const CLUSTER_NAMES: &[(u32, &str)] = &[
    (55, "prod"),
    (8, "my-cluster"),
    (3, "prod_cluster.1"),
    (3, ""),
    (3, "yes"),
    (2, "null"),
    (2, "123"),
    (2, "with space"),
    (2, "クラスター"),
    (2, "a/b"),
    (2, "%41"),
    (2, "a: b"),
    (2, "#hash"),
    (1, "-dash"),
    (1, "e\u{301}"),
    (1, "line\nbreak"),
    (1, "'quoted'"),
    (1, "0o17"),
];

/// Values for `--alias` / `--user-alias`: names that collide with existing entries, and
/// strings the YAML writer must quote.
const ALIASES: &[(u32, &str)] = &[
    (25, "prod-admin"),
    (10, "other"),
    (8, "other-user"),
    (5, ""),
    (3, "yes"),
    (3, "a: b"),
    (2, "null"),
    (2, "~"),
    (2, "1.5"),
    (2, "0x1F"),
    (2, "2024-01-02"),
    (2, "12:30"),
    (2, "- item"),
    (2, "#c"),
    (2, "a #b"),
    (2, " lead"),
    (2, "trail "),
    (2, "multi\nline"),
    (2, "tab\there"),
    (2, "ünïcødé"),
    (1, "'single"),
    (1, "\"double"),
    (1, "*star"),
    (1, "&amp"),
    (1, "!tag"),
    (1, "%pct"),
    (1, "@at"),
    (1, "`tick"),
    (1, "{a}"),
    (1, "[a]"),
    (1, "?q"),
    (1, ".inf"),
    (1, "On"),
    (1, "\u{1F600}"),
];

const CA_DATA: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";

pub struct UpdateKubeconfig;

impl Generator for UpdateKubeconfig {
    fn name(&self) -> &'static str {
        "eks-update-kubeconfig"
    }

    fn generate(&self, d: &mut Draw) -> CaseSpec {
        let mut s = Setup::new(d);
        // A third of the cases make DescribeCluster succeed with plain settings, so that
        // most of them reach the kubeconfig.
        let focus = d.chance(35);
        if focus {
            d.tag("focus on the kubeconfig");
            s.case.set_env("AWS_ACCESS_KEY_ID", common::ACCESS_KEY);
            s.case.set_env("AWS_SECRET_ACCESS_KEY", common::SECRET_KEY);
            s.opts.push(Opt::global("--region", "us-west-2"));
        } else {
            credentials::caller(d, &mut s);
        }
        let name = cluster_name(d, &mut s);
        if !focus && d.chance(10) {
            assume_role_arn(d, &mut s);
        }
        let arn = describe_cluster(d, &mut s, name.as_deref().unwrap_or("prod"), focus);
        if !focus && d.chance(30) {
            // Odd STS endpoints and `--endpoint-url` (which also moves DescribeCluster).
            common::endpoints(d, &mut s);
        }
        let alias = option(d, &mut s, 12, "--alias");
        let user_alias = option(d, &mut s, 10, "--user-alias");
        kubeconfig(d, &mut s, &arn, alias.as_deref(), user_alias.as_deref());
        if d.chance(10) {
            let arn = d.weighted(&[
                (80, ROLE_ARN),
                (5, "arn:aws:iam::123456789012:role/path/to/r"),
                (5, ""),
                (5, "a: b"),
                (5, "arn:aws-cn:iam::123456789012:role/r"),
            ]);
            d.tag(format!("--role-arn {arn:?}"));
            s.opts.push(Opt::command("--role-arn", arn));
        }
        if d.chance(5) {
            let url = d.pick(&[
                "http://proxy.example.com:3128",
                "socks5://127.0.0.1:1080",
                "",
                "not a url",
            ]);
            d.tag(format!("--proxy-url {url:?}"));
            s.opts.push(Opt::command("--proxy-url", url));
        }
        for (flag, p) in [("--dry-run", 12), ("--verbose", 12)] {
            if d.chance(p) {
                d.tag(flag);
                s.opts.push(Opt {
                    name: flag,
                    value: None,
                    scope: super::spec::Scope::Command,
                });
            }
        }
        if !focus {
            if d.chance(25) {
                // Accepted and ignored by this command, except invalid values.
                common::output(d, &mut s, &["cluster", "name"]);
            }
            common::misc(d, &mut s);
        }
        s.finish(d, &["eks", "update-kubeconfig"])
    }
}

/// `--name`: present (the name returned), missing, or given twice (the last one wins).
fn cluster_name(d: &mut Draw, s: &mut Setup) -> Option<String> {
    let how = d.weighted(&[(92, "once"), (4, "missing"), (4, "twice")]);
    d.tag(format!("name {how}"));
    if how == "missing" {
        return None;
    }
    if how == "twice" {
        s.opts.push(Opt::command("--name", "first"));
    }
    let name = d.weighted(CLUSTER_NAMES);
    s.opts.push(Opt::command("--name", name));
    Some(name.to_owned())
}

/// `--alias` / `--user-alias` with probability `percent`.
fn option(d: &mut Draw, s: &mut Setup, percent: u32, flag: &'static str) -> Option<String> {
    if !d.chance(percent) {
        return None;
    }
    let v = d.weighted(ALIASES);
    d.tag(format!("{flag} {v:?}"));
    s.opts.push(Opt::command(flag, v));
    Some(v.to_owned())
}

/// `--assume-role-arn`: AssumeRole at the fake STS before DescribeCluster.
fn assume_role_arn(d: &mut Draw, s: &mut Setup) {
    let arn = d.weighted(&[
        (85, "arn:aws:iam::123456789012:role/viewer"),
        (5, "arn"),
        (5, ""),
        (5, "arn:aws:iam::999999999999:role/cross account"),
    ]);
    d.tag(format!("--assume-role-arn {arn:?}"));
    s.opts.push(Opt::command("--assume-role-arn", arn));
    let answers = credentials::sts_answers(d, "AssumeRole");
    credentials::fake_sts(d, s, answers);
}

/// The fake EKS, its answers to DescribeCluster, and where its endpoint is configured.
/// Returns the ARN of the cluster it describes. `focus`: a cluster, through
/// `AWS_ENDPOINT_URL_EKS`.
fn describe_cluster(d: &mut Draw, s: &mut Setup, name: &str, focus: bool) -> String {
    let arn_name = if name.is_empty() || name.contains('\n') {
        "prod"
    } else {
        name
    };
    let region = d.weighted(&[(85, "us-west-2"), (10, "eu-west-1"), (5, "cn-north-1")]);
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    };
    let arn = format!("arn:{partition}:eks:{region}:123456789012:cluster/{arn_name}");
    let answers = match focus {
        true => vec![ok(format!(
            "{{\"cluster\": {}}}",
            cluster_body(d, name, &arn)
        ))],
        false => eks_answers(d, name, &arn),
    };
    let port = d.port();
    s.case.serve("eks", port, answers);
    let url = format!("http://127.0.0.1:{port}");
    let place = match focus {
        true => 0,
        false => d.weighted(&[(60, 0), (15, 1), (7, 2), (5, 3), (8, 4), (5, 5)]),
    };
    d.tag(format!(
        "eks endpoint via {}",
        [
            "AWS_ENDPOINT_URL_EKS",
            "--endpoint-url",
            "AWS_ENDPOINT_URL",
            "profile endpoint_url",
            "services",
            "nowhere"
        ][place]
    ));
    match place {
        0 => s.case.set_env("AWS_ENDPOINT_URL_EKS", url),
        1 => s.opts.push(Opt::global("--endpoint-url", url)),
        2 => s.case.set_env("AWS_ENDPOINT_URL", url),
        3 => s.set_profile_key("endpoint_url", &url),
        4 => {
            let sec = s.section();
            let services = match s.config.get(&sec, "services") {
                Some(v) => v.to_owned(),
                None => {
                    s.set_profile_key("services", "local");
                    "local".to_owned()
                }
            };
            s.config.nested(
                &format!("services {services}"),
                "eks",
                vec![("endpoint_url".into(), url)],
            );
        }
        _ => {}
    }
    arn
}

/// A DescribeCluster response of status 200 with this body.
fn ok(body: String) -> Value {
    json!({"match": {"method": "GET"}, "status": 200, "content_type": "application/json", "body": body})
}

fn eks_error(status: u16, etype: Option<&str>, body: &str) -> Value {
    let mut v = json!({"match": {"method": "GET"}, "status": status,
        "content_type": "application/json", "body": body});
    if let Some(t) = etype {
        v["headers"] = json!({"x-amzn-ErrorType": t});
    }
    v
}

/// The members of a described cluster, as JSON text, each of which the draw may change.
fn cluster_body(d: &mut Draw, name: &str, arn: &str) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let status = d.weighted(&[
        (80, "\"ACTIVE\""),
        (8, "\"UPDATING\""),
        (3, "\"CREATING\""),
        (2, "\"FAILED\""),
        (1, "\"DELETING\""),
        (1, "\"PENDING\""),
        (1, "\"active\""),
        (1, "null"),
        (3, "missing"),
    ]);
    let ca = d.weighted(&[
        (82, format!("{{\"data\": \"{CA_DATA}\"}}")),
        (5, "{}".to_owned()),
        (3, "{\"data\": \"\"}".to_owned()),
        (3, "null".to_owned()),
        (5, "missing".to_owned()),
        (2, "{\"data\": \"T1RIRVI=\"}".to_owned()),
        (1, "{\"data\": null}".to_owned()),
        (1, "\"x\"".to_owned()),
        (1, "[]".to_owned()),
    ]);
    let endpoint = d.weighted(&[
        (
            85,
            "\"https://ABCDEF0123456789.gr7.us-west-2.eks.amazonaws.com\"",
        ),
        (4, "missing"),
        (3, "null"),
        (3, "\"\""),
        (3, "\"https://[::1]:443/path?q=1\""),
        (2, "\"yes\""),
    ]);
    let arn_value = d.weighted(&[
        (88, q(arn)),
        (3, "missing".to_owned()),
        (2, "null".to_owned()),
        (3, "\"arn:aws:eks\"".to_owned()),
        (
            2,
            "\"arn:aws:eks:us-west-2:123456789012:cluster/a: b\"".to_owned(),
        ),
        (
            2,
            "\"arn:aws:eks::123456789012:cluster/noregion\"".to_owned(),
        ),
    ]);
    let outpost = d.weighted(&[
        (88, "missing"),
        (5, "{\"outpostArns\": [\"arn:aws:outposts:us-west-2:123456789012:outpost/op-1\"], \"controlPlaneInstanceType\": \"m5.large\"}"),
        (3, "{\"outpostArns\": [], \"controlPlaneInstanceType\": \"m5.large\", \"etcdInstanceType\": \"m5.large\"}"),
        (2, "{}"),
        (2, "null"),
    ]);
    let id = d.weighted(&[
        (80, "\"0123abcd-0123-0123-0123-0123456789ab\""),
        (20, "missing"),
    ]);
    if status != "\"ACTIVE\"" {
        d.tag(format!("status {status}"));
    }
    for (what, v, usual) in [
        ("ca", ca.as_str(), ca.contains(CA_DATA)),
        ("endpoint", endpoint, endpoint.contains("ABCDEF")),
        ("arn", arn_value.as_str(), arn_value == q(arn)),
        ("outpost", outpost, outpost == "missing"),
        ("id", id, id != "missing"),
    ] {
        if !usual {
            d.tag(format!("{what} {v}"));
        }
    }
    let mut members = vec![
        format!("\"name\": {}", q(name)),
        "\"createdAt\": 1704164645.123".to_owned(),
        "\"version\": \"1.29\"".to_owned(),
        "\"roleArn\": \"arn:aws:iam::123456789012:role/eks\"".to_owned(),
        "\"resourcesVpcConfig\": {\"subnetIds\": [\"subnet-1\"], \"endpointPublicAccess\": true}"
            .to_owned(),
        "\"platformVersion\": \"eks.5\"".to_owned(),
        format!(
            "\"tags\": {}",
            d.weighted(&[(95, "{}"), (2, "{\"k\": null}"), (2, "[]"), (1, "5")])
        ),
    ];
    for (key, v) in [
        ("arn", arn_value.as_str()),
        ("endpoint", endpoint),
        ("status", status),
        ("certificateAuthority", ca.as_str()),
        ("outpostConfig", outpost),
        ("id", id),
    ] {
        if v != "missing" {
            members.push(format!("\"{key}\": {v}"));
        }
    }
    if d.chance(20) {
        d.rng.shuffle(&mut members);
    }
    format!("{{{}}}", members.join(", "))
}

/// DescribeCluster's answers: a cluster, an odd document, or errors (with and without a
/// message, throttling and 5xx before a success).
fn eks_answers(d: &mut Draw, name: &str, arn: &str) -> Vec<Value> {
    let kind = d.weighted(&[
        (62, "cluster"),
        (5, "not-found"),
        (3, "access-denied"),
        (2, "invalid-parameter"),
        (2, "error-type-with-namespace"),
        (2, "error-type-in-body"),
        (2, "capital-message"),
        (2, "no-message"),
        (3, "throttled-then-ok"),
        (3, "500-then-ok"),
        (1, "500"),
        (1, "503-html"),
        (2, "empty-document"),
        (2, "cluster-null"),
        (1, "cluster-not-object"),
        (2, "empty-body"),
        (2, "malformed-json"),
        (1, "404-empty"),
        (2, "unrecognized-client"),
    ]);
    d.tag(format!("eks {kind}"));
    let cluster = |d: &mut Draw| ok(format!("{{\"cluster\": {}}}", cluster_body(d, name, arn)));
    match kind {
        "cluster" => vec![cluster(d)],
        "not-found" => vec![eks_error(
            404,
            Some("ResourceNotFoundException"),
            &format!(
                "{{\"message\": {}}}",
                serde_json::to_string(&format!("No cluster found for name: {name}.")).unwrap()
            ),
        )],
        "access-denied" => vec![eks_error(
            403,
            Some("AccessDeniedException"),
            "{\"message\": \"User: arn:aws:iam::123456789012:user/x is not authorized to perform: eks:DescribeCluster\"}",
        )],
        "invalid-parameter" => vec![eks_error(
            400,
            Some("InvalidParameterException"),
            "{\"message\": \"The name is invalid\", \"clusterName\": \"x\"}",
        )],
        "error-type-with-namespace" => vec![eks_error(
            404,
            Some("ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.eks/"),
            "{\"message\": \"No cluster found.\"}",
        )],
        "error-type-in-body" => vec![eks_error(
            404,
            None,
            "{\"__type\": \"com.amazonaws.eks#ResourceNotFoundException\", \"message\": \"gone\"}",
        )],
        "capital-message" => vec![eks_error(
            400,
            Some("ClientException"),
            "{\"Message\": \"Capitalised message\"}",
        )],
        "no-message" => vec![eks_error(400, Some("ClientException"), "{}")],
        "throttled-then-ok" => vec![
            eks_error(
                429,
                Some("ThrottlingException"),
                "{\"message\": \"Rate exceeded\"}",
            ),
            cluster(d),
        ],
        "500-then-ok" => vec![
            eks_error(500, Some("ServerException"), "{\"message\": \"oops\"}"),
            cluster(d),
        ],
        "500" => vec![eks_error(500, Some("ServerException"), "{}")],
        "503-html" => vec![json!({"match": {"method": "GET"}, "status": 503,
            "content_type": "text/html", "body": "<html>Service Unavailable</html>"})],
        "empty-document" => vec![ok("{}".into())],
        "cluster-null" => vec![ok("{\"cluster\": null}".into())],
        "cluster-not-object" => vec![ok(d
            .pick(&["{\"cluster\": []}", "{\"cluster\": \"x\"}", "[]", "null", "5"])
            .into())],
        "empty-body" => vec![ok(String::new())],
        "malformed-json" => vec![ok(d
            .pick(&["{\"cluster\": ", "not json", "{\"cluster\": {\"status\": \"ACTIVE\",}}"])
            .into())],
        "404-empty" => vec![json!({"match": {"path": "/clusters/nothing-here"}, "status": 200, "body": "{}"})],
        _ => vec![eks_error(
            403,
            Some("UnrecognizedClientException"),
            "{\"message\": \"The security token included in the request is invalid.\"}",
        )],
    }
}

/// Where the kubeconfig goes (`--kubeconfig`, `KUBECONFIG`, the default) and what the
/// files there hold already.
fn kubeconfig(
    d: &mut Draw,
    s: &mut Setup,
    arn: &str,
    alias: Option<&str>,
    user_alias: Option<&str>,
) {
    let how = d.weighted(&[(50, "default"), (25, "flag"), (20, "env"), (5, "both")]);
    d.tag(format!("kubeconfig {how}"));
    // (relative path under HOME, or None where no file can be) of each candidate.
    let mut targets: Vec<Option<String>> = Vec::new();
    if how == "default" {
        targets.push(Some(".kube/config".into()));
    }
    if how == "env" || how == "both" {
        let n = d.weighted(&[(50, 1), (35, 2), (15, 3)]);
        let mut parts = Vec::new();
        for i in 0..n {
            let (arg, rel) = path(d, s, i);
            parts.push(arg);
            if how == "env" {
                targets.push(rel);
            }
        }
        if d.chance(10) {
            let at = d.rng.below(parts.len() + 1);
            parts.insert(at, d.pick(&["", " ", "~/empty-part"]).to_owned());
        }
        let value = parts.join(":");
        d.tag(format!("KUBECONFIG {value:?}"));
        s.case.set_env("KUBECONFIG", value);
    }
    if how == "flag" || how == "both" {
        let (arg, rel) = path(d, s, 0);
        d.tag(format!("--kubeconfig {arg:?}"));
        s.opts.push(Opt::command("--kubeconfig", arg));
        targets = vec![rel];
    }
    for rel in targets.into_iter().flatten() {
        if d.chance(55) {
            let text = existing(d, arn, alias, user_alias);
            let mode = d.weighted(&[(70, 0o644), (20, 0o600), (10, 0o640)]);
            s.case.file(&rel, text, mode);
        }
    }
}

/// A kubeconfig path as given on the command line or in `KUBECONFIG`, and the file below
/// HOME it names (`None`: none can exist there). `i` keeps several paths apart.
fn path(d: &mut Draw, s: &mut Setup, i: usize) -> (String, Option<String>) {
    let kind = d.weighted(&[
        (30, "home"),
        (10, "tilde"),
        (8, "relative"),
        (10, "default"),
        (5, "deep"),
        (4, "space"),
        (3, "dot-dot"),
        (3, "directory"),
        (3, "parent-is-file"),
        (2, "empty"),
        (2, "trailing-slash"),
    ]);
    let p = |f: &str| (format!("$HOME/{f}"), Some(f.to_owned()));
    match kind {
        "home" => p(&format!("k{i}/config")),
        "tilde" => (format!("~/t{i}/config"), Some(format!("t{i}/config"))),
        "relative" => (format!("rel{i}/conf"), Some(format!("rel{i}/conf"))),
        "default" => p(".kube/config"),
        "deep" => p(&format!("deep{i}/a/b/c/config")),
        "space" => p(&format!("with space {i}/kube config")),
        "dot-dot" => (
            format!("$HOME/.kube/../dd{i}/config"),
            Some(format!("dd{i}/config")),
        ),
        "directory" => {
            s.case.file(&format!("adir{i}/x"), "x\n", 0o644);
            (format!("$HOME/adir{i}"), None)
        }
        "parent-is-file" => {
            s.case.file(&format!("afile{i}"), "x\n", 0o644);
            (format!("$HOME/afile{i}/conf"), None)
        }
        "empty" => (String::new(), None),
        _ => (format!("$HOME/ts{i}/"), None),
    }
}

/// An entry list of a kubeconfig, in block style.
fn block_list(key: &str, entries: &[String]) -> String {
    if entries.is_empty() {
        return format!("{key}: []\n");
    }
    format!("{key}:\n{}", entries.concat())
}

/// The text of a kubeconfig that exists before the run.
fn existing(d: &mut Draw, arn: &str, alias: Option<&str>, user_alias: Option<&str>) -> Vec<u8> {
    let kind = d.weighted(&[
        (40, "standard"),
        (4, "empty"),
        (4, "minimal"),
        (4, "null-lists"),
        (7, "wrong-type"),
        (4, "entry-not-dict"),
        (7, "corrupt"),
        (4, "not-a-mapping"),
        (5, "scalars"),
        (3, "flow-style"),
        (2, "anchors"),
        (2, "yaml11"),
        (2, "multi-document"),
        (2, "bad-utf8"),
        (3, "odd-names"),
        (2, "bom"),
        (3, "crlf"),
    ]);
    d.tag(format!("existing kubeconfig {kind}"));
    let text: String = match kind {
        "standard" => standard(d, arn, alias, user_alias),
        "empty" => d
            .pick(&["", "\n", "---\n", "# only a comment\n", "null\n", "~\n", "{}\n"])
            .into(),
        "minimal" => d
            .pick(&[
                "apiVersion: v1\n",
                "kind: Config\n",
                "current-context: other\n",
                "preferences: {}\n",
            ])
            .into(),
        "null-lists" => d
            .pick(&[
                "apiVersion: v1\nclusters:\nkind: Config\n",
                "apiVersion: v1\nclusters: null\ncontexts: ~\nusers:\ncurrent-context:\n",
                "clusters: []\ncontexts: []\nusers: []\n",
            ])
            .into(),
        "wrong-type" => {
            let key = d.pick(&[
                "clusters",
                "contexts",
                "users",
                "current-context",
                "preferences",
                "apiVersion",
                "kind",
            ]);
            let value = d.pick(&[
                "\"str\"", "5", "1.5", "true", "{a: 1}", "[a]", "2024-01-02", "!!binary aGk=",
            ]);
            d.tag(format!("{key}: {value}"));
            format!("apiVersion: v1\n{key}: {value}\n")
        }
        "entry-not-dict" => {
            let key = d.pick(&["clusters", "contexts", "users"]);
            let value = d.pick(&["[a]", "[1]", "[[]]", "[null]", "[{name: x}, 5]"]);
            d.tag(format!("{key}: {value}"));
            format!("apiVersion: v1\n{key}: {value}\n")
        }
        "corrupt" => d
            .pick(&[
                "apiVersion: v1\nclusters: [\n- a\n",
                "a: b: c\n",
                "key: [unclosed\n",
                "\tkey: value\n",
                "a:\n  - b\n c: d\n",
                "{a: 1\n",
                "- a\nb: c\n",
                "'unterminated\n",
                "a: *undefined\n",
                "!!python/object:x {}\n",
                "%YAML 2.0\n---\na: 1\n",
                "a: @x\n",
                "a: `x\n",
                "a: 1\na: 2\n",
                "? [a\n",
                "a: \"\\q\"\n",
            ])
            .into(),
        "not-a-mapping" => d
            .pick(&["- a\n", "5\n", "just a string\n", "[]\n", "true\n", "!!set {a}\n"])
            .into(),
        "scalars" => {
            let value = d.pick(&[
                "2024-01-02 03:04:05.5 +01:00",
                "2024-01-02",
                "2024-01-02T03:04:05Z",
                "2024-01-02t03:04:05.123456789z",
                "1e3",
                "1.0",
                ".inf",
                "-.Inf",
                ".nan",
                "123456789012345678901234567890",
                "-0",
                "0x1F",
                "0o17",
                "017",
                "0b101",
                "1_000",
                "!!binary aGVsbG8=",
                "'0777'",
                "null",
                "''",
                "\"it's\"",
                "\"a\\nb\"",
                "\"a\\tb\"",
                "\"\\U0001F600\"",
                "\"\\x00\"",
                "yes",
                "Off",
                "~",
                "!!str 5",
                "!!float 1",
                "|\n    literal\n    block",
                ">\n    folded\n    text",
                "\"   spaces   \"",
                "\"#not comment\"",
                "\"- dash\"",
                "\"key: value\"",
                "[]",
                "{}",
                "[1, [2, {a: b}]]",
                "!!omap [a: 1, b: 2]",
                "!!set {a, b}",
                "!!pairs [a: 1]",
            ]);
            d.tag(format!("scalar {value}"));
            let place = d.rng.below(3);
            let rest = standard(d, arn, alias, user_alias);
            match place {
                0 => format!("{rest}extra: {value}\n"),
                1 => rest.replace("preferences: {}\n", &format!("preferences:\n  x: {value}\n")),
                _ => format!("{rest}extensions:\n- name: e\n  extension: {value}\n"),
            }
        }
        "flow-style" => format!(
            "{{apiVersion: v1, kind: Config, clusters: [{{name: other, cluster: {{server: 'https://o.example'}}}}], contexts: [], users: [{{name: {arn:?}, user: {{token: t}}}}], current-context: other}}\n"
        ),
        "anchors" => "apiVersion: v1\nkind: Config\ndefaults: &d {namespace: team}\ncontexts:\n- name: a\n  context:\n    <<: *d\n    cluster: a\n    user: a\nshared: &s [1, 2]\nagain: *s\n".into(),
        "yaml11" => "%YAML 1.1\n---\napiVersion: v1\nkind: Config\npreferences:\n  colors: yes\n  mode: 0755\n  time: 1:30\n".into(),
        "multi-document" => d
            .pick(&["apiVersion: v1\n---\nkind: Config\n", "---\napiVersion: v1\n...\n", "---\n---\n"])
            .into(),
        "bad-utf8" => {
            let mut b = b"apiVersion: v1\nkind: Config\nx: caf".to_vec();
            b.extend_from_slice(b"\xe9\n");
            return b;
        }
        "odd-names" => {
            let name = d.pick(&["null", "5", "[a]", "{a: b}", "~", "''", "true"]);
            d.tag(format!("entry name {name}"));
            format!(
                "apiVersion: v1\nclusters:\n- name: {name}\n  cluster: {{server: 'https://o.example'}}\n- cluster: {{server: 'https://noname.example'}}\ncontexts:\n- name: {name}\n  context: {{}}\nusers:\n- name: {name}\n- user: {{}}\n"
            )
        }
        "bom" => format!("\u{feff}{}", standard(d, arn, alias, user_alias)),
        _ => standard(d, arn, alias, user_alias).replace('\n', "\r\n"),
    };
    text.into_bytes()
}

/// A well-formed kubeconfig with entries named `other` and, now and then, entries named
/// like the ones the run writes (the cluster ARN, the aliases): those are replaced.
fn standard(d: &mut Draw, arn: &str, alias: Option<&str>, user_alias: Option<&str>) -> String {
    let yq = |s: &str| serde_json::to_string(s).unwrap();
    let mut clusters = vec![
        "- cluster:\n    certificate-authority-data: T1RIRVI=\n    server: https://other.example.com\n  name: other\n".to_owned(),
    ];
    let mut contexts = vec![
        "- context:\n    cluster: other\n    namespace: team\n    user: other-user\n  name: other\n".to_owned(),
    ];
    let mut users = vec!["- name: other-user\n  user:\n    token: abc\n".to_owned()];
    if d.chance(45) {
        d.tag("cluster entry exists");
        let e = format!(
            "- cluster:\n    server: https://old.example.com\n    insecure-skip-tls-verify: true\n  name: {}\n",
            yq(arn)
        );
        if d.chance(50) {
            clusters.insert(0, e);
        } else {
            clusters.push(e);
        }
        if d.chance(60) {
            users.push(format!(
                "- name: {}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: aws-iam-authenticator\n      args: [token, -i, old]\n",
                yq(user_alias.filter(|a| !a.is_empty()).unwrap_or(arn))
            ));
        }
        if d.chance(60) {
            contexts.push(format!(
                "- context:\n    cluster: {}\n    user: someone-else\n    namespace: kept-or-not\n  name: {}\n",
                yq(arn),
                yq(alias.filter(|a| !a.is_empty()).unwrap_or(arn))
            ));
        }
    }
    if d.chance(10) {
        d.tag("entries without names");
        clusters.push("- cluster: {server: 'https://anon.example'}\n".into());
        users.push("- user: {token: anon}\n".into());
    }
    if d.chance(10) {
        d.tag("empty lists");
        clusters.clear();
        contexts.clear();
        users.clear();
    }
    let current = d.pick(&["other", "\"\"", "missing", "nonexistent"]);
    let mut keys = vec![
        "apiVersion: v1\n".to_owned(),
        block_list("clusters", &clusters),
        block_list("contexts", &contexts),
        "kind: Config\n".to_owned(),
        "preferences: {}\n".to_owned(),
        block_list("users", &users),
    ];
    if current != "missing" {
        keys.insert(3, format!("current-context: {current}\n"));
    }
    if d.chance(15) {
        d.tag("keys shuffled");
        d.rng.shuffle(&mut keys);
    }
    if d.chance(8) {
        d.tag("comments");
        keys.insert(0, "# written by hand\n".into());
        keys.push("# the end\n".into());
    }
    if d.chance(8) {
        d.tag("extra top-level keys");
        keys.push("extensions:\n- name: x\n  extension: {a: 1}\nz-last: true\n".into());
    }
    keys.concat()
}
