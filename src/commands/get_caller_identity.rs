//! `aws sts get-caller-identity`: the AWS CLI's generic operation (awscli/clidriver.py
//! `ServiceOperation`) for STS `GetCallerIdentity`: a signed query-protocol POST, its
//! response document through `--query` and the formatters, and the generic options
//! (`--cli-input-json`, `--cli-input-yaml`, `--generate-cli-skeleton`).

use serde_json::Value;

use super::{Command, Invocation};
use crate::aws::sts::{self, Param, Sts};
use crate::cli::options::{Kind, Opt};
use crate::credentials;
use crate::error::Error;
use crate::io::Io;

/// The operation's arguments: the input shape has no members, so only the generic ones.
const OPTIONS: &[Opt] = &[
    Opt::value("--cli-input-json"),
    Opt::value("--cli-input-yaml"),
    Opt {
        name: "--generate-cli-skeleton",
        kind: Kind::OptionalValue { constant: "input" },
        choices: &["input", "output", "yaml-input"],
        required: false,
    },
];

pub const COMMAND: Command = Command {
    service: "sts",
    operation: "get-caller-identity",
    options: OPTIONS,
    generic: true,
    run,
};

const OPERATION: &str = "GetCallerIdentity";

fn run(inv: &Invocation, io: &mut Io) -> Result<(), Error> {
    if !inv.args.extras.is_empty() {
        return Err(Error::UnknownOptions(format!(
            "Unknown options: {}",
            inv.args.extras.join(", ")
        )));
    }
    let input = cli_input(inv)?;
    let skeleton = inv.args.value("--generate-cli-skeleton");
    // The input shape has no members: its skeleton is `{}` in JSON and in YAML.
    if let Some("input" | "yaml-input") = skeleton.as_deref() {
        return io.out("{}\n");
    }

    // The client: region, profile, credential chain, retries and timeouts.
    let settings = &inv.settings;
    let unsigned = inv.globals.no_sign_request;
    let region = credentials::resolve_region(settings, inv.globals.region.as_deref())?;
    settings.scoped()?;
    let mut net = credentials::Ctx::new(
        settings,
        inv.connect_timeout,
        inv.read_timeout,
        region.clone(),
    );
    let chain = if unsigned {
        None
    } else {
        credentials::resolve(&net)?
    };
    let endpoint = net.make_client(|net| {
        net.sts_endpoint_at(region, !unsigned, inv.globals.endpoint_url.as_deref())
    })?;
    if skeleton.is_some() {
        // Once the client is made, the CLI stubs a response made of the output shape's
        // member names and botocore's stubber validates it against the model: `Arn` is
        // too short for `arnType`.
        return sts::validate(&[
            ("UserId", Param::Str("UserId", 0)),
            ("Account", Param::Str("Account", 0)),
            ("Arn", Param::Str("Arn", 20)),
        ]);
    }

    // The call: parameter validation, signing (credentials, region), request.
    validate_input(&input)?;
    let creds = chain.map(|c| c.frozen(&net)).transpose()?;
    let endpoint = endpoint.ok_or(Error::NoRegion)?;
    if creds.is_none() && !unsigned {
        return Err(Error::NoCredentials);
    }
    let response = Sts {
        http: net.command_http(&inv.globals)?,
        retry: net.retry,
        endpoint: &endpoint,
        signer: creds.as_ref().filter(|_| !unsigned),
    }
    .call(OPERATION, &[])?;

    // The CLI drops the response metadata before it formats the document.
    let mut document = response.dict;
    document.remove("ResponseMetadata");
    let format = inv.output_format()?;
    inv.display(io, format, OPERATION, &Value::Object(document))?;
    io.flush()
}

/// `--cli-input-json` / `--cli-input-yaml` (awscli `CliInputArgument`): one of them at
/// most, a mapping of the operation's parameters.
fn cli_input(inv: &Invocation) -> Result<Vec<String>, Error> {
    let json = inv.param("--cli-input-json")?;
    let yaml = inv.param("--cli-input-yaml")?;
    let invalid = |msg: String| Error::ParamValidation(format!("Error parsing parameter {msg}"));
    let keys = match (json, yaml) {
        (Some(_), Some(_)) => {
            return Err(Error::ParamValidation(
                "Only one --cli-input- parameter may be specified.".into(),
            ))
        }
        (Some(text), None) => match pystd::json::loads(&text) {
            Ok(pystd::json::Value::Dict(items)) => items.into_iter().map(|(k, _)| k).collect(),
            Ok(other) => {
                return Err(invalid(format!(
                    "'--cli-input-json': Invalid type: expecting map, received <class '{}'>",
                    other.type_name()
                )))
            }
            Err(_) => return Err(invalid("'cli-input-json': Invalid JSON received.".into())),
        },
        (None, Some(text)) => yaml_keys(&text).map_err(invalid)?,
        (None, None) => Vec::new(),
    };
    Ok(keys)
}

/// The top-level keys of a `--cli-input-yaml` mapping (ruamel's safe loader; the keys as
/// Python's `str()` shows them).
fn yaml_keys(text: &str) -> Result<Vec<String>, String> {
    use yaml_py::{Obj, Value};
    let loaded = yaml_py::load(text.as_bytes(), "<unicode string>")
        .map_err(|_| "'cli-input-yaml': Invalid YAML received.".to_string())?;
    let doc = &loaded.doc;
    let class = match &doc.root {
        None | Some(Value::Null) => "NoneType",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Int(_)) => "int",
        Some(Value::Float(..)) => "float",
        Some(Value::Str(_)) => "str",
        Some(Value::Bytes(_)) => "bytes",
        Some(Value::Obj(id)) => match &doc.objs[id.0] {
            Obj::Map(m) | Obj::Dict(m) => {
                return Ok(m
                    .entries()
                    .iter()
                    .map(|(k, _)| yaml_py::py_str(doc, k))
                    .collect())
            }
            Obj::Seq(_) | Obj::Omap(_) => "list",
            Obj::Set(_) => "set",
            Obj::Tuple(_) => "tuple",
            Obj::Date(_) => "datetime.date",
            Obj::DateTime(_) => "datetime.datetime",
        },
    };
    Err(format!(
        "'--cli-input-yaml': Invalid type: expecting map, received <class '{class}'>"
    ))
}

/// botocore's `ParamValidator`: the input shape has no members, so every key is unknown.
fn validate_input(keys: &[String]) -> Result<(), Error> {
    if keys.is_empty() {
        return Ok(());
    }
    let report: Vec<String> = keys
        .iter()
        .map(|k| format!("Unknown parameter in input: \"{k}\", must be one of: "))
        .collect();
    Err(Error::ParamValidation(format!(
        "Parameter validation failed:\n{}",
        report.join("\n")
    )))
}
