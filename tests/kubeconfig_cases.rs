//! The kubeconfig engine (`aws_eks_token::kubeconfig`) against the golden cases in
//! fixtures/cases/kubeconfig: for every case that gets past DescribeCluster, the case's
//! files, environment and options and the cluster its fake EKS returns go through
//! `entries`, `candidate_paths` and `update`; stdout, the error text and the files written
//! (content and mode) must be the recorded ones. The command line itself (usage errors,
//! DescribeCluster, credentials) is the command module's and is left out here.

use std::path::{Path, PathBuf};

use aws_eks_token::kubeconfig::{candidate_paths, entries, update, EntryOptions, Update};
use serde_json::Value;

/// The options the engine takes, from a case's argv (as argparse reads them: `--opt value`,
/// `--opt=value`, unique prefixes).
#[derive(Default)]
struct Opts {
    name: Option<String>,
    kubeconfig: Option<String>,
    alias: Option<String>,
    user_alias: Option<String>,
    role_arn: Option<String>,
    proxy_url: Option<String>,
    profile: Option<String>,
    dry_run: bool,
    verbose: bool,
}

const WITH_VALUE: &[&str] = &[
    "--name",
    "--kubeconfig",
    "--role-arn",
    "--proxy-url",
    "--alias",
    "--user-alias",
    "--assume-role-arn",
    "--region",
    "--profile",
    "--output",
    "--query",
    "--endpoint-url",
    "--color",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
];
const FLAGS: &[&str] = &[
    "--dry-run",
    "--verbose",
    "--debug",
    "--no-verify-ssl",
    "--no-paginate",
];

fn parse(args: &[String]) -> Option<Opts> {
    let mut o = Opts::default();
    let mut i = 2; // after `eks update-kubeconfig`
    while i < args.len() {
        let (opt, inline) = match args[i].split_once('=') {
            Some((a, b)) => (a.to_string(), Some(b.to_string())),
            None => (args[i].clone(), None),
        };
        let all: Vec<&str> = WITH_VALUE.iter().chain(FLAGS).copied().collect();
        let full = match all.iter().find(|o| **o == opt) {
            Some(f) => *f,
            None => {
                let m: Vec<&&str> = all.iter().filter(|o| o.starts_with(&opt)).collect();
                if m.len() != 1 {
                    return None;
                }
                m[0]
            }
        };
        if FLAGS.contains(&full) {
            match full {
                "--dry-run" => o.dry_run = true,
                "--verbose" => o.verbose = true,
                _ => {}
            }
            i += 1;
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)?.clone()
            }
        };
        match full {
            "--name" => o.name = Some(value),
            "--kubeconfig" => o.kubeconfig = Some(value),
            "--alias" => o.alias = Some(value),
            "--user-alias" => o.user_alias = Some(value),
            "--role-arn" => o.role_arn = Some(value),
            "--proxy-url" => o.proxy_url = Some(value),
            "--profile" => o.profile = Some(value),
            _ => {}
        }
        i += 1;
    }
    Some(o)
}

/// Cases whose files we deliberately leave differently from the CLI (stdout and errors are
/// still compared; the input file must be unchanged).
const DELIBERATE: &[(&str, &str)] = &[(
    "kubeconfig-deep-nesting",
    "the CLI truncates the kubeconfig, then fails to dump it (RecursionError); we dump first and leave it whole",
)];

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases/kubeconfig")
}

/// The cluster the case's fake EKS returns (its last successful DescribeCluster response).
fn described_cluster(case: &Value) -> Option<Value> {
    // Only cases that reached DescribeCluster (others fail before it).
    case["expect"]["requests"]["eks"]
        .as_array()
        .filter(|r| !r.is_empty())?;
    let responses = case["servers"]["eks"]["responses"].as_array()?;
    let ok = responses
        .iter()
        .rev()
        .find(|r| r["status"].as_u64().unwrap_or(200) == 200)?;
    let body: Value = serde_json::from_str(ok["body"].as_str()?).ok()?;
    // As botocore's parser leaves it (null members dropped); a body it refuses is the
    // command's error, before the kubeconfig: the golden replay covers those.
    let body = aws_eks_token::aws::eks::parsed(body).ok()?;
    let cluster = body.get("cluster")?.clone();
    matches!(
        cluster["status"].as_str(),
        Some("ACTIVE") | Some("UPDATING")
    )
    .then_some(cluster)
}

#[test]
fn golden_kubeconfig_cases() {
    let mut checked = Vec::new();
    let mut entries_dir: Vec<_> = std::fs::read_dir(cases_dir())
        .expect("cases")
        .map(|e| e.expect("entry").path())
        .collect();
    entries_dir.sort();
    for path in entries_dir {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = case["name"].as_str().unwrap().to_string();
        let expect = &case["expect"];
        let rc = expect["rc"].as_i64().unwrap();
        if rc != 0 && rc != 255 {
            continue; // usage, credential and service errors: before the kubeconfig
        }
        let Some(cluster) = described_cluster(&case) else {
            continue;
        };
        let args: Vec<String> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let Some(o) = parse(&args) else { continue };

        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap().to_string();
        let sub = |s: &str| s.replace("$HOME", &h);
        let mut inputs = std::collections::BTreeMap::new();
        if let Some(files) = case["files"].as_object() {
            for (rel, spec) in files {
                let (content, mode) = match spec {
                    Value::String(s) => (sub(s).into_bytes(), "0644".to_string()),
                    o => (
                        match o["content_b64"].as_str() {
                            Some(b) => base64::Engine::decode(
                                &base64::engine::general_purpose::STANDARD,
                                b,
                            )
                            .unwrap(),
                            None => sub(o["content"].as_str().unwrap_or("")).into_bytes(),
                        },
                        o["mode"].as_str().unwrap_or("0644").to_string(),
                    ),
                };
                let p = home.path().join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, content).unwrap();
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let m = u32::from_str_radix(&mode, 8).unwrap();
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
                }
                inputs.insert(rel.clone(), std::fs::read(&p).unwrap());
            }
        }
        let env = |k: &str| case["env"][k].as_str().map(sub);
        let profile = o.profile.clone().or_else(|| env("AWS_PROFILE"));
        let kubeconfig_flag = o.kubeconfig.as_deref().map(sub);
        let result = entries(
            &cluster,
            &EntryOptions {
                cluster_name: o.name.as_deref().unwrap_or(""),
                alias: o.alias.as_deref(),
                user_alias: o.user_alias.as_deref(),
                role_arn: o.role_arn.as_deref(),
                proxy_url: o.proxy_url.as_deref(),
                profile: profile.as_deref(),
            },
        )
        .and_then(|e| {
            let paths = candidate_paths(
                kubeconfig_flag.as_deref(),
                env("KUBECONFIG").as_deref(),
                home.path(),
                home.path(),
            );
            update(&Update {
                entries: &e,
                candidates: &paths,
                dry_run: o.dry_run,
                verbose: o.verbose,
                lock_dir: Some(home.path().join(".cache/aws-eks-token/locks")),
            })
        });
        let unsub = |s: &str| s.replace(&h, "$HOME");
        match result {
            Ok(report) => {
                assert_eq!(rc, 0, "{name}: succeeded, the CLI failed");
                assert_eq!(
                    unsub(&report.stdout),
                    expect["stdout"].as_str().unwrap(),
                    "{name}: stdout"
                );
            }
            Err(e) => {
                assert_eq!(
                    // The driver strips the message (awscli.errorformat.format_error_message).
                    format!("\naws: [ERROR]: {}\n", unsub(e.0.trim())),
                    expect["stderr"].as_str().unwrap(),
                    "{name}: error"
                );
            }
        }
        // Files: every expected one, byte for byte and mode; inputs not listed unchanged.
        // Where the CLI leaves a damaged file we deliberately do not (see DELIBERATE).
        if let Some((_, why)) = DELIBERATE.iter().find(|(n, _)| *n == name) {
            println!("{name}: files not compared: {why}");
            let p = home.path().join(".kube/config");
            assert_eq!(
                &std::fs::read(p).unwrap(),
                &inputs[".kube/config"],
                "{name}: file kept"
            );
            checked.push(name);
            continue;
        }
        let want = expect["files"].as_object().cloned().unwrap_or_default();
        for (rel, spec) in &want {
            let p = home.path().join(rel);
            let got =
                std::fs::read_to_string(&p).unwrap_or_else(|_| panic!("{name}: {rel} missing"));
            assert_eq!(
                unsub(&got),
                spec["content"].as_str().unwrap(),
                "{name}: {rel}"
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                assert_eq!(
                    format!("{mode:04o}"),
                    spec["mode"].as_str().unwrap(),
                    "{name}: {rel} mode"
                );
            }
        }
        for (rel, before) in &inputs {
            if !want.contains_key(rel) {
                assert_eq!(
                    &std::fs::read(home.path().join(rel)).unwrap(),
                    before,
                    "{name}: {rel} changed"
                );
            }
        }
        checked.push(name);
    }
    println!(
        "kubeconfig cases checked: {} ({})",
        checked.len(),
        checked.join(" ")
    );
    assert!(
        checked.len() >= 40,
        "only {} cases reached the engine",
        checked.len()
    );
}
