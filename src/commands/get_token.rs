//! `aws eks get-token` (awscli/customizations/eks/get_token.py): a token for an EKS
//! cluster, printed as the ExecCredential kubectl reads. Its steps run in the CLI's order
//! (spec §1.3), because the order decides which error wins.

use super::{Command, Invocation};
use crate::aws::endpoint::Endpoint;
use crate::aws::sigv4::Credentials;
use crate::aws::sts;
use crate::cli::options::Opt;
use crate::credentials::{self, single_flight, Source};
use crate::error::Error;
use crate::exec_credential;
use crate::io::Io;
use crate::settings::OutputFormat;
use crate::time::UtcTime;
use crate::token;

/// get-token's ARG_TABLE, in order (spec §1.2).
const OPTIONS: &[Opt] = &[
    Opt::value("--cluster-name"),
    Opt::value("--role-arn"),
    Opt::value("--cluster-id"),
];

pub const COMMAND: Command = Command {
    service: "eks",
    operation: "get-token",
    options: OPTIONS,
    generic: false,
    run,
};

fn run(inv: &Invocation, io: &mut Io) -> Result<(), Error> {
    // A BasicCommand: parameter files, then the leftovers (joined with a bare comma).
    let cluster_name = inv.param("--cluster-name")?;
    let role_arn = inv.param("--role-arn")?;
    let cluster_id = inv.param("--cluster-id")?;
    crate::cli::reject_leftovers(&inv.args.extras, ",")?;

    // 1: the STS client (region, profile, credentials), and with --role-arn the
    // AssumeRole call made with it.
    let settings = &inv.settings;
    let unsigned = inv.globals.no_sign_request;
    let region_flag = inv.globals.region.as_deref();
    let mut region = credentials::resolve_region(settings, region_flag)?;
    settings.scoped()?; // every client config lookup needs the profile to exist
    let mut net = credentials::Ctx::new(
        settings,
        inv.connect_timeout,
        inv.read_timeout,
        region.clone(),
    );
    // With --no-sign-request the client is unsigned and loads no credentials.
    let mut chain = if unsigned {
        None
    } else {
        credentials::resolve(&net)?
    };
    // `None`: a configured endpoint without a region, reported when signing.
    let mut endpoint = net.make_client(|net| net.sts_endpoint(region.clone(), !unsigned))?;
    if let Some(arn) = &role_arn {
        let assumed = assume_role(&net, chain.take(), endpoint, arn, unsigned)?;
        // STSClientFactory makes a second client, which resolves the region again.
        region = credentials::resolve_region(settings, region_flag)?;
        endpoint = net.make_client(|net| net.sts_endpoint(region, !unsigned))?;
        chain = assumed.map(Source::Static);
    }

    // 2–3: the cluster flags.
    if cluster_name.is_some() && cluster_id.is_some() {
        return Err(Error::ParamValidation(
            "The key \"cluster_id\" cannot be specified when one of the following keys are also specified: cluster_name".into(),
        ));
    }
    let id = cluster_id
        .filter(|s| !s.is_empty())
        .or(cluster_name.filter(|s| !s.is_empty()))
        .ok_or(Error::MissingCluster)?;

    // 4–5: sign (deferred credentials are fetched now, then the region and the
    // credentials are checked), then the expiration from a second clock read.
    let creds = chain.map(|c| c.frozen(&net)).transpose()?;
    let endpoint = endpoint.ok_or(Error::NoRegion)?;
    if creds.is_none() && !unsigned {
        return Err(Error::NoCredentials);
    }
    let creds = creds.filter(|_| !unsigned);
    if let Some(c) = &creds {
        // The endpoint's port is read before the key is joined into the scope.
        endpoint.check_signable()?;
        c.check_usable()?;
    }
    let token = token::token(creds.as_ref(), &endpoint, &id, UtcTime::now());
    let expiration = UtcTime::now().plus_seconds(14 * 60).rfc3339();

    // 6: apiVersion (its warning goes out now, before any later error).
    let exec_info = settings.env.get("KUBERNETES_EXEC_INFO").unwrap_or("");
    let (api_version, warning) = exec_credential::discover_api_version(exec_info)?;
    if let Some(w) = warning {
        io.warn(&w);
    }

    // 7–8: the formatter, --query, the output and get-token's extra newline.
    let format = inv.output_format()?;
    let document = exec_credential::document(api_version, &expiration, &token);
    inv.display(io, format, "get-token", &document)?;
    // colorama's autoreset adds a reset after every write once a colour table was made,
    // and its exit handler one more when stdout is a terminal.
    let newline = match (
        format == OutputFormat::Table && inv.color(io),
        io.stdout_is_tty,
    ) {
        (true, true) => "\n\x1b[0m\x1b[0m",
        (true, false) => "\n\x1b[0m",
        _ => "\n",
    };
    io.out(newline)?;
    io.flush()
}

/// get-token's `STSClientFactory` with `--role-arn`: `AssumeRole` with the session name
/// `EKSGetTokenAuth` on a client in the command's region, signed with the chain's
/// credentials (or unsigned with `--no-sign-request`, whose token ignores them).
fn assume_role(
    net: &credentials::Ctx,
    chain: Option<Source>,
    endpoint: Option<Endpoint>,
    role_arn: &str,
    unsigned: bool,
) -> Result<Option<Credentials>, Error> {
    // botocore's order (the client and its endpoint made): parameter validation, then
    // signing (the source credentials, a region, credentials at all), then the request.
    let params = [
        ("RoleArn", sts::Param::Str(role_arn, 20)),
        ("RoleSessionName", sts::Param::Str("EKSGetTokenAuth", 2)),
    ];
    sts::validate(&params)?;
    let source = chain.map(|c| c.frozen(net)).transpose()?;
    let endpoint = endpoint.ok_or(Error::NoRegion)?;
    if source.is_none() && !unsigned {
        return Err(Error::NoCredentials);
    }
    let call = || {
        sts::Sts {
            http: net.aws_http()?,
            retry: net.retry,
            endpoint: &endpoint,
            signer: source.as_ref(),
        }
        .call("AssumeRole", &params)
    };
    let Some(source) = source.as_ref().filter(|_| !unsigned) else {
        call()?;
        return Ok(None);
    };
    // What signing would refuse is refused before the cache is read.
    endpoint.check_signable()?;
    source.check_usable()?;
    // The CLI calls AssumeRole every time; we cache the result under our own directory,
    // keyed by everything that decides it, in the CLI's layout, and make one call for many
    // processes started together (see credentials::single_flight).
    let Some(dir) = single_flight::dir(&net.settings.env, "role-arn") else {
        return Ok(Some(call()?.credentials()?));
    };
    let cache = credentials::cache::JsonFileCache::at(dir);
    let mut identity = serde_json::Map::new();
    identity.insert(
        "SourceAccessKeyId".into(),
        source.access_key_id.clone().into(),
    );
    identity.insert("RoleArn".into(), role_arn.into());
    identity.insert("RoleSessionName".into(), "EKSGetTokenAuth".into());
    identity.insert("Endpoint".into(), endpoint.url.clone().into());
    identity.insert(
        "SigningRegion".into(),
        endpoint.signing_region.clone().into(),
    );
    let key = credentials::cache::assume_role_key(&identity);
    let lock = format!("role-arn-{key}");
    let (creds, _) =
        single_flight::cached_or_fetch(&net.settings.env, &cache, &key, &lock, || {
            credentials::assume_role::cache_and_extract(&cache, &key, call()?)
        })?;
    Ok(Some(creds))
}
