#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/corpus/<target>/, from the golden cases
(fixtures/cases/*/*.json) plus a few hand-written inputs. Run it again after adding cases;
it replaces the seed directories whole. The input format of each target is described at the
top of its fuzz_targets/<target>.rs.
"""

import hashlib
import json
import pathlib
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
TARGETS = ("argv", "exec_info", "query", "config", "cache", "kubeconfig", "sts_response",
           "sso_response", "oidc_response", "imds_response", "container_response", "json_body")

# The response targets' status byte (see the top of each fuzz_targets/<target>.rs).
STATUS_BYTE = {
    "sts_response": {200: 0, 400: 2, 403: 3, 500: 4, 503: 5, 302: 6},
    "sso_response": {200: 0, 400: 2, 401: 3, 403: 4, 404: 5, 429: 6, 500: 7},
    "container_response": {200: 0, 404: 2, 500: 3},
}
# Which fake server's bodies seed which target.
SERVER_TARGET = {"sts": "sts_response", "sso": "sso_response", "oidc": "oidc_response",
                 "imds": "imds_response", "ecs": "container_response", "eks": "json_body"}

# Hostile bodies (issue 16): deep nesting, large bodies, cut UTF-8, secrets in every
# spelling. Each goes to every response target (with status byte 0 where there is one).
CREDS_XML = ("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId>"
             "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
             "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
             "</AssumeRoleResponse>")
HOSTILE = [
    "<a>" * 30000,
    "<a>" * 3000 + "</a>" * 3000,
    "<a>" * 3000 + "</b>",
    "[" * 5000 + "]" * 5000,
    '{"a":' * 2000 + "1" + "}" * 2000,
    "[" * 20000,
    '{"cluster": {"endpoint": "https://x", "certificateAuthority": {"data": "' + "A" * 65536 + '"}}}',
    CREDS_XML[:120],
    CREDS_XML.encode()[:-3] + b"\xe2\x82",
    b"\xef\xbb\xbf" + CREDS_XML.encode(),
    b'{"roleCredentials": {"accessKeyId": "\xf0\x9f\x98', 
    "<SessionToken><![CDATA[a</SessionToken>b]]></SessionToken><x:SessionToken xmlns:x='u' "
    "a='1'>c</x:SessionToken><r SessionToken=\"d\"/><SessionToken><!-- </SessionToken> -->e",
    "<r>" + "<SecretAccessKey>abc</SecretAccessKey>" * 4000,
    '{"expiresIn": 1e308, "accessToken": "a"}',
    '{"expiresIn": -9223372036854775808, "accessToken": "a"}',
    '{"roleCredentials": {"accessKeyId": 1, "secretAccessKey": [], "sessionToken": {}, '
    '"expiration": 1e300}}',
    '{"AccessKeyId": "A", "SecretAccessKey": "s", "Token": "t", "Expiration": "9999-12-31T23:59:59Z"}',
    '{"AccessKeyId": "A", "SecretAccessKey": "s", "Token": "t", "Expiration": "2024-01-02T03:10:00Z"}',
]

# fuzz_targets/argv.rs: the variables an input may set (ENV_ALLOWED there).
ARGV_ENV = {
    "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION",
    "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_OUTPUT",
    "AWS_CLI_ERROR_FORMAT", "AWS_CLI_OUTPUT_ENCODING", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_STS_REGIONAL_ENDPOINTS", "KUBERNETES_EXEC_INFO",
}

DOC = {
    "kind": "ExecCredential",
    "apiVersion": "client.authentication.k8s.io/v1beta1",
    "spec": {},
    "status": {"expirationTimestamp": "2024-01-02T03:18:05Z", "token": "k8s-aws-v1.aHR0cHM6Ly9zdHM"},
}

# Every kind of JMESPath expression and every function, over shapes the tables care about.
EXTRA_QUERIES = [
    "status.token", "*.token", "@.*", "values(@)[*]", "[*]", "status.*", "spec.a.b.c",
    "[0]", "[-1]", "[::2]", "[::-1]", "[1:3]", "[]", "[][]", "a[].b[].c", "a[?b > `1`].c",
    "a[?b == 'x' && c != `null` || !d]", "a[?!(b < `2`)]", "a[?b >= c]", "a[?contains(b, 'x')]",
    "a | b | c", "a.[b, c]", "a.{x: b, y: c}", "&a", "sort_by(a, &b)", "min_by(a, &b)",
    "map(&b, a)", "abs(`-1`)", "avg(`[1, 2.5]`)", "ceil(`1.2`)", "floor(`1.8`)",
    "ends_with(kind, 'l')", "join(', ', keys(@))", "length(@)", "max(`[1, 3]`)",
    "merge(@, status, `{\"a\": 1}`)", "min(`[\"a\", \"b\"]`)", "reverse(kind)", "sort(keys(@))",
    "sum(`[1, 2]`)", "to_array(kind)", "to_number('1e3')", "to_number(`\"0x1\"`)",
    "type(`1.0`)", "values(status)", "not_null(`null`, `[]`)", "@.kind.@", "\"quoted key\"",
    "'raw \\' string'", "`\"json \\u00e9\"`", "a.\"b\".'c'", "[?@]", "*[?@]", "a[*][*]",
    "a[*].b[0]", "{a: `1`}.a", "`[1, 2]`[?@ > `1`]", "length(`\"\\ud83d\\ude00\"`)",
    "to_string(`1e400`)", "`123456789012345678901234567890`", "[`1`, `2`][1:][0]",
]
EXTRA_DOCS = [
    {"a": [{"b": 1, "c": "x"}, {"b": 2, "c": None}, {"b": 3, "d": True}]},
    {"a": [[1, 2], [3, [4, 5]], "s", {"b": [{"c": 1}]}]},
    [{"k": "v", "w": [1, 2]}, {"k": "日本語", "x": {"y": "z"}}, {"z": 1.5e300}],
    {"": {"": [None, False, 0, "", [], {}]}, "long": "x" * 120},
    [1, -1, 0.5, 1e20, 9007199254740993, -0.0],
]

EXTRA_EXEC_INFO = [
    '{"apiVersion": "client.authentication.k8s.io/v1"}',
    '{"apiVersion": "client.authentication.k8s.io/v1beta1", "x": [NaN, Infinity, -Infinity]}',
    '{"apiVersion": "client.authentication.k8s.io/v1alpha1"}',
    '{"apiVersion": 1}', "Infinity", "-Infinity", "1.5", "-0", '"\\ud800"', '[{"a": "NaN"}]',
    '{"a": "\\"NaN\\"", "apiVersion": "client.authentication.k8s.io/v1"}', "\ufeff{}",
]

# argv inputs that crashed once (tests/fuzz_regressions.rs has them as tests too).
ROLE = ["eks", "get-token", "--cluster-name", "a", "--region", "us-west-2",
        "--role-arn", "arn:aws:iam::123456789012:role/eks-admin"]
EXTRA_ARGV = [
    ROLE + ["--cli-connect-timeout", "9223372036854775807"],
    ROLE + ["--cli-read-timeout", "9223372036854775807"],
]

# Cache files and the dates in them (the cache target also parses its input as a date).
EXTRA_CACHE = [
    '{"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t", '
    '"Expiration": "2024-01-02T04:04:05+00:00"}, "AssumedRoleUser": {"Arn": "a"}}',
    '{"Credentials": {"AccessKeyId": 1, "SecretAccessKey": null, "SessionToken": [1.5], '
    '"Expiration": "2100-01-01T00:00:00Z"}}',
    '{"Credentials": {"Expiration": 1704164645}}',
    '{"Credentials": []}',
    '{"startUrl": "https://x.awsapps.com/start", "region": "us-east-1", "accessToken": "a", '
    '"expiresAt": "2024-01-02T05:04:05Z"}',
    "2024-01-02T04:04:05+00:00", "2024-01-02T04:04:05Z", "2024-01-02 04:04:05.123456-07:30",
    "2024-01-02", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59",
    "2024-01-02T04:04:05UTC", "2024-01-02T04:04", "2024-02-29T00:00:00GMT", " 2024-01-02T04:04:05 ",
]

EXTRA_CONFIGS = [
    "[default]\nregion = us-west-2\noutput = table\n\x00[default]\naws_access_key_id = AKID\n",
    "[DEFAULT]\nregion = eu-west-1\n[profile dev]\noutput: yaml\n  continued\n",
    "[profile \"quoted name\"]\nservices = s\n[services s]\nsts =\n  endpoint_url = http://127.0.0.1:9\n",
    "[profile a b c]\n[sso-session s]\nsso_start_url = x\n[services 'x y']\nsts = text\n",
    "[default]\nuse_fips_endpoint = TRUE\nuse_dualstack_endpoint = true\nendpoint_url = http://e\n",
    "[default]\nkey\n  = value\n\t# not a comment\n;comment\n[default]\n",
    "no section header\n",
    "[default]\ncli_error_format = JSON\nignore_configured_endpoint_urls = true\n\x00[x]\ny=z\n",
]


# fuzz_targets/kubeconfig.rs inputs beyond the cases: anchors, tags, merge keys, directives,
# block scalars, odd types in the known keys.
EXTRA_KUBECONFIGS = [
    b"\x01apiVersion: v1\nclusters: &c\n- {name: x, cluster: {server: s}}\nusers: *c\n",
    b"\x00%YAML 1.1\n---\nclusters: [!!omap [name: arn:aws:eks:us-west-2:123456789012:cluster/prod]]\n",
    b"\x00base: &b {kind: Config}\n<<: *b\npreferences: !!set {a, b}\ncurrent-context: 2024-01-02\n",
    b"\x00users:\n- name: |\n    multi\n  user: {token: !!binary aGVsbG8=}\ncontexts: ~\n",
    b"\x00\xef\xbb\xbfclusters: [\n",
    b"\x00- a\n- b\n",
]


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def write_response(target, status, body):
    """A response target's input: the status byte (if the target has one), then the body."""
    if isinstance(body, str):
        body = body.encode()
    codes = STATUS_BYTE.get(target)
    if codes is None:
        write(target, body)
    elif status in codes:
        write(target, bytes([codes[status]]) + body)


def home_paths(s):
    """Parameter files live in the fuzz HOME, named with `~` (fuzz_targets/argv.rs)."""
    s = s.replace("$HOME/", "~/").replace("$HOME", "~")
    return re.sub(r"(fileb?://)(?!~)", r"\1~/", s)


def main():
    for target in TARGETS:
        shutil.rmtree(CORPUS / target, ignore_errors=True)
    queries, infos, configs = set(EXTRA_QUERIES), set(EXTRA_EXEC_INFO), list(EXTRA_CONFIGS)
    for path in sorted((ROOT / "fixtures" / "cases").glob("*/*.json")):
        case = json.loads(path.read_text())
        args = [home_paths(a) for a in case["args"]]
        env = case.get("env", {})
        parts = [f"\x01{k}={home_paths(v)}" for k, v in sorted(env.items())
                 if k in ARGV_ENV and v is not None
                 and (k != "AWS_ACCESS_KEY_ID" or v == "")]
        write("argv", "\x00".join(parts + args))
        for i, a in enumerate(args):
            if a.startswith("--q"):
                if "=" in a:
                    queries.add(a.split("=", 1)[1])
                elif i + 1 < len(args):
                    queries.add(args[i + 1])
        if env.get("KUBERNETES_EXEC_INFO") is not None:
            infos.add(env["KUBERNETES_EXEC_INFO"])
        files = case.get("files", {})
        text = lambda f: f if isinstance(f, str) else f.get("content", "")
        cfg, creds = files.get(".aws/config"), files.get(".aws/credentials")
        out_files = case.get("expect", {}).get("files") or {}
        for name, f in list(files.items()) + list(out_files.items()):
            if "/cache/" in name and name.endswith(".json") and f is not None:
                write("cache", text(f))
        # fuzz_targets/kubeconfig.rs: an options byte, then a kubeconfig (in or out).
        for name, f in list(files.items()) + list(out_files.items()):
            if path.parent.name == "kubeconfig" and not name.startswith(".aws/") and f is not None:
                for flags in (0, 0x45):
                    write("kubeconfig", bytes([flags]) + text(f).encode())
        if cfg is not None or creds is not None:
            configs.append(text(cfg or "") + ("\x00" + text(creds) if creds is not None else ""))
    # A terminal, narrow and wide, for the table and colour paths.
    base = ["eks", "get-token", "--cluster-name", "my-cluster", "--region", "us-west-2"]
    for extra in (["\x0280", "--output", "table"], ["\x0212", "--output", "table", "--color", "on"],
                  ["\x02", "--output", "table", "--color", "auto"],
                  ["--output", "table", "--color", "on", "--query", "status"]):
        write("argv", "\x00".join(base + extra))
    for args in EXTRA_ARGV:
        write("argv", "\x00".join(args))
    for q in sorted(queries):
        write("query", q)
    for i, q in enumerate(sorted(EXTRA_QUERIES)):
        doc = EXTRA_DOCS[i % len(EXTRA_DOCS)]
        write("query", q + "\x00" + json.dumps(doc, ensure_ascii=False))
    write("query", "@\x00" + json.dumps(DOC))
    for info in sorted(infos):
        write("exec_info", info)
    for c in configs:
        write("config", c)
    for c in EXTRA_CACHE:
        write("cache", c)
    for k in EXTRA_KUBECONFIGS:
        write("kubeconfig", k)
    for path in sorted((ROOT / "fixtures" / "cases").glob("*/*.json")):
        case = json.loads(path.read_text())
        for kind, server in (case.get("servers") or {}).items():
            target = SERVER_TARGET.get(kind)
            for r in server["responses"] if target else []:
                write_response(target, r.get("status", 200), r.get("body", ""))
    for body in HOSTILE:
        for target in SERVER_TARGET.values():
            write_response(target, 200, body)
    for target in TARGETS:
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
