//! `aws … eks get-token …` invocations.

use super::common::{self, Setup};
use super::credentials;
use super::spec::{CaseSpec, Draw, Opt};
use super::Generator;

/// Member names of the ExecCredential document, for `--query`.
const FIELDS: &[&str] = &[
    "kind",
    "apiVersion",
    "spec",
    "status",
    "status.token",
    "status.expirationTimestamp",
    "token",
    "expirationTimestamp",
    "spec.interactive",
];

const CLUSTER_NAMES: &[(u32, &str)] = &[
    (40, "a"),
    (20, "my-cluster"),
    (4, "prod_cluster.1"),
    (4, ""),
    (3, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"),
    (3, "クラスター"),
    (3, "with space"),
    (1, "-dash"),
    (3, "a=b"),
    (2, "line\nbreak"),
    (2, "%41"),
    (2, "a/b"),
    (2, "file://$HOME/name.txt"),
    (2, "e\u{301}"),
];

pub struct GetToken;

impl Generator for GetToken {
    fn name(&self) -> &'static str {
        "eks-get-token"
    }

    fn generate(&self, d: &mut Draw) -> CaseSpec {
        let mut s = Setup::new(d);
        credentials::caller(d, &mut s);
        common::endpoints(d, &mut s);
        cluster(d, &mut s);
        if d.chance(10) {
            let arn = d.weighted(&[
                (80, common::ROLE_ARN),
                (5, "arn:aws:iam::123456789012:role/path/to/r"),
                (5, "arn"),
                (5, "arn:aws-cn:iam::123456789012:role/r"),
                (5, ""),
            ]);
            d.tag(format!("--role-arn {arn:?}"));
            s.opts.push(Opt::command("--role-arn", arn));
            let answers = credentials::sts_answers(d, "AssumeRole");
            credentials::fake_sts(d, &mut s, answers);
        }
        common::output(d, &mut s, FIELDS);
        common::misc(d, &mut s);
        common::exec_info(d, &mut s);
        s.finish(d, &["eks", "get-token"])
    }
}

fn cluster(d: &mut Draw, s: &mut Setup) {
    let which = d.weighted(&[
        (82, "name"),
        (8, "id"),
        (4, "both"),
        (4, "neither"),
        (2, "name twice"),
    ]);
    d.tag(format!("cluster {which}"));
    if which == "neither" {
        return;
    }
    if which != "id" {
        let name = d.weighted(CLUSTER_NAMES);
        if name.starts_with("file://") {
            s.case.file("name.txt", "from-file\n", 0o644);
        }
        s.opts.push(Opt::command("--cluster-name", name));
    }
    if which == "id" || which == "both" {
        s.opts.push(Opt::command(
            "--cluster-id",
            d.pick(&["0123456789abcdef", "", "id-1"]),
        ));
    }
    if which == "name twice" {
        s.opts.push(Opt::command("--cluster-name", "second"));
    }
}
