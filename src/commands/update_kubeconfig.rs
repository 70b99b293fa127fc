//! `aws eks update-kubeconfig` (awscli/customizations/eks/update_kubeconfig.py): EKS
//! `DescribeCluster` (with `--assume-role-arn`, through an AssumeRole first), then the
//! cluster, user and context entries merged into the chosen kubeconfig (`kubeconfig.rs`,
//! which also makes the write atomic and locked).

use serde_json::Value;

use super::{Command, Invocation};
use crate::aws::eks::{self, Eks};
use crate::aws::endpoint::{self, Endpoint, EndpointConfig};
use crate::aws::sigv4::Credentials;
use crate::aws::sts::{self, Param, Sts};
use crate::cli::options::Opt;
use crate::credentials::{self, single_flight, Ctx};
use crate::error::Error;
use crate::io::Io;
use crate::kubeconfig::{self, EntryOptions, Update};

/// update-kubeconfig's ARG_TABLE, in order.
const OPTIONS: &[Opt] = &[
    Opt::value("--name").required(),
    Opt::value("--kubeconfig"),
    Opt::value("--role-arn"),
    Opt::value("--proxy-url"),
    Opt::flag("--dry-run"),
    Opt::flag("--verbose"),
    Opt::value("--alias"),
    Opt::value("--user-alias"),
    Opt::value("--assume-role-arn"),
];

pub const COMMAND: Command = Command {
    service: "eks",
    operation: "update-kubeconfig",
    options: OPTIONS,
    generic: false,
    run,
};

fn run(inv: &Invocation, io: &mut Io) -> Result<(), Error> {
    // A BasicCommand: parameter files, then the leftovers (joined with a bare comma).
    let name = inv.param("--name")?.unwrap_or_default();
    let kubeconfig_flag = inv.param("--kubeconfig")?;
    let role_arn = inv.param("--role-arn")?;
    let proxy_url = inv.param("--proxy-url")?;
    let alias = inv.param("--alias")?;
    let user_alias = inv.param("--user-alias")?;
    // `if getattr(parsed_args, 'assume_role_arn', None)`: an empty ARN assumes nothing.
    let assume_role_arn = inv.param("--assume-role-arn")?.filter(|a| !a.is_empty());
    crate::cli::reject_leftovers(&inv.args.extras, ",")?;

    let document = eks::parsed(describe_cluster(inv, &name, assume_role_arn.as_deref())?)?;
    let cluster = checked_cluster(&document)?;

    let settings = &inv.settings;
    let profile = settings.profile_name().filter(|p| !p.is_empty());
    let entries = kubeconfig::entries(
        cluster,
        &EntryOptions {
            cluster_name: &name,
            alias: alias.as_deref(),
            user_alias: user_alias.as_deref(),
            role_arn: role_arn.as_deref(),
            proxy_url: proxy_url.as_deref(),
            profile,
        },
    )
    .map_err(|e| Error::General(e.0))?;
    let home = std::path::PathBuf::from(settings.home().unwrap_or_default());
    let cwd = std::env::current_dir().unwrap_or_default();
    let candidates = kubeconfig::candidate_paths(
        kubeconfig_flag.as_deref(),
        settings.env.get("KUBECONFIG"),
        &home,
        &cwd,
    );
    let report = kubeconfig::update(&Update {
        entries: &entries,
        candidates: &candidates,
        dry_run: inv.args.flag("--dry-run"),
        verbose: inv.args.flag("--verbose"),
        lock_dir: single_flight::dir(&settings.env, "locks"),
    })
    .map_err(|e| Error::General(e.0))?;
    io.out(&report.stdout)?;
    io.flush()
}

/// `EKSClient.cluster_description`: the clients (region, profile, credentials), the
/// optional AssumeRole, then DescribeCluster signed for EKS.
fn describe_cluster(
    inv: &Invocation,
    name: &str,
    assume_role_arn: Option<&str>,
) -> Result<Value, Error> {
    let settings = &inv.settings;
    let unsigned = inv.globals.no_sign_request;
    let region = credentials::resolve_region(settings, inv.globals.region.as_deref())?;
    settings.scoped()?;
    let mut net = Ctx::new(
        settings,
        inv.connect_timeout,
        inv.read_timeout,
        region.clone(),
    );
    // Each client loads the credential chain when it is made (the EKS client not, when it
    // is given the assumed role's keys).
    let load_chain = |net: &Ctx| match unsigned {
        true => Ok(None),
        false => credentials::resolve(net),
    };
    let assumed = match assume_role_arn {
        Some(arn) => {
            let chain = load_chain(&net)?;
            // `create_client('sts')` takes the session's region, which an empty `--region`
            // does not set (the EKS client gets the flag's value as it is).
            let session_region = match inv.globals.region.as_deref() {
                Some("") => credentials::resolve_region(settings, None)?,
                _ => region.clone(),
            };
            let endpoint = net.make_client(|net| net.sts_endpoint(session_region, !unsigned))?;
            Some(assume_role(&net, chain, endpoint, arn, unsigned)?)
        }
        None => None,
    };
    let chain = match assumed {
        Some(_) => None,
        None => load_chain(&net)?,
    };
    // After the AssumeRole, the EKS client is a second client: its region is looked up
    // again (the instance metadata service asked again).
    let region = match assumed {
        Some(_) => credentials::resolve_region(settings, inv.globals.region.as_deref())?,
        None => region,
    };

    // The EKS client: `--endpoint-url` applies, the command's TLS settings too.
    let endpoint = net.make_client(|net| {
        let settings = net.settings;
        let endpoint_url = match &inv.globals.endpoint_url {
            Some(url) => Some(url.clone()),
            None => settings.configured_endpoint("EKS", "eks")?,
        };
        // No region fails here, before the retry settings are read and before deferred
        // credentials (assume-role, web identity, SSO) are fetched.
        endpoint::eks_endpoint(&EndpointConfig {
            region,
            use_fips: settings.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?,
            use_dualstack: settings.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?,
            configured_url: endpoint_url,
        })
    })?;
    let creds = match assumed {
        Some(c) => Some(c),
        None => chain.map(|c| c.frozen(&net)).transpose()?,
    };
    if creds.is_none() && !unsigned {
        return Err(Error::NoCredentials);
    }
    Eks {
        http: net.command_http(&inv.globals)?,
        retry: net.retry,
        endpoint: &endpoint,
        signer: creds.as_ref().filter(|_| !unsigned),
    }
    .describe_cluster(name)
}

/// `--assume-role-arn`: `sts_client.assume_role(RoleArn=…,
/// RoleSessionName='EKSDescribeClusterSession')` on a default STS client, whose
/// `Credentials` sign DescribeCluster.
fn assume_role(
    net: &Ctx,
    chain: Option<credentials::Source>,
    endpoint: Option<Endpoint>,
    role_arn: &str,
    unsigned: bool,
) -> Result<Credentials, Error> {
    let params = [
        ("RoleArn", Param::Str(role_arn, 20)),
        (
            "RoleSessionName",
            Param::Str("EKSDescribeClusterSession", 2),
        ),
    ];
    sts::validate(&params)?;
    let source = chain.map(|c| c.frozen(net)).transpose()?;
    let endpoint = endpoint.ok_or(Error::NoRegion)?;
    if source.is_none() && !unsigned {
        return Err(Error::NoCredentials);
    }
    Sts {
        http: net.aws_http()?,
        retry: net.retry,
        endpoint: &endpoint,
        signer: source.as_ref().filter(|_| !unsigned),
    }
    .call("AssumeRole", &params)?
    .credentials()
}

/// The description's checks: a cluster with a status, ACTIVE or UPDATING (`if not cluster
/// or "status" not in cluster`, then `cluster["status"] not in [...]`, with Python's
/// errors for a description that is not a dict).
fn checked_cluster(document: &Value) -> Result<&Value, Error> {
    let not_found = || Error::General("Cluster not found".into());
    let cluster = document.get("cluster").unwrap_or(&Value::Null);
    let truthy = match cluster {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    };
    if !truthy {
        return Err(not_found());
    }
    let status = match cluster {
        Value::Object(m) => m.get("status").ok_or_else(not_found)?,
        Value::Array(items) if items.iter().any(|v| v == "status") => {
            return Err(Error::General(
                "list indices must be integers or slices, not str".into(),
            ))
        }
        Value::String(s) if s.contains("status") => {
            return Err(Error::General(
                "string indices must be integers, not 'str'".into(),
            ))
        }
        Value::Array(_) | Value::String(_) => return Err(not_found()),
        other => {
            return Err(Error::General(format!(
                "argument of type '{}' is not iterable",
                pystd::repr::type_name(other)
            )))
        }
    };
    match status.as_str() {
        Some("ACTIVE" | "UPDATING") => Ok(cluster),
        _ => Err(Error::General(format!(
            "Cluster status is {}",
            pystd::repr::value_str(status)
        ))),
    }
}
