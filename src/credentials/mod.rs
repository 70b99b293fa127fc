//! The credential chain, in botocore's order (spec §1.8): environment, assume-role profile,
//! web identity, SSO, shared credentials file, `credential_process`, config file,
//! container, instance metadata. Each provider either answers, passes, or fails the chain.

use crate::config::{self, Section, Value};
use crate::error::Error;
use crate::settings::Settings;
use crate::token::Credentials;

/// Resolve credentials for signing. `Ok(None)`: nothing in the chain answered (the CLI
/// fails later, at signing, with NoCredentials).
pub fn resolve(settings: &Settings) -> Result<Option<Credentials>, Error> {
    // An explicit --profile removes the environment provider (botocore
    // `create_credential_resolver`); AWS_PROFILE does not.
    if settings.profile_flag.is_none() {
        if let Some(c) = from_env(settings)? {
            return Ok(Some(c));
        }
    }
    let profile_name = settings.profile_name().unwrap_or("default");
    let merged = settings.files.profiles.get(profile_name);
    let has = |key: &str| merged.is_some_and(|s| config::get(s, key).is_some());

    if has("role_arn") {
        return Err(unsupported("assume-role profiles"));
    }
    if (has("web_identity_token_file") && has("role_arn"))
        || (settings
            .env
            .non_empty("AWS_WEB_IDENTITY_TOKEN_FILE")
            .is_some()
            && settings.env.non_empty("AWS_ROLE_ARN").is_some())
    {
        return Err(unsupported("web identity"));
    }
    if has("sso_start_url") || has("sso_session") || has("sso_account_id") {
        return Err(unsupported("SSO"));
    }
    if let Some(section) = settings.files.credentials_file.get(profile_name) {
        if let Some(c) = from_section(section, "shared-credentials-file")? {
            return Ok(Some(c));
        }
    }
    if has("credential_process") {
        return Err(unsupported("credential_process"));
    }
    if let Some(section) = settings.files.config_file_profiles.get(profile_name) {
        if let Some(c) = from_section(section, "config-file")? {
            return Ok(Some(c));
        }
    }
    let env = &settings.env;
    if env
        .non_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .is_some()
        || env
            .non_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .is_some()
    {
        return Err(unsupported("container credentials"));
    }
    // Instance metadata comes last. Until the IMDS client lands it is treated as not
    // answering, which is what the CLI concludes off EC2 (after its 1 s timeout).
    Ok(None)
}

/// These sources belong to the credential-chain work that follows the token core; until
/// then they fail loudly instead of being skipped, so no other identity is used by mistake.
fn unsupported(source: &str) -> Error {
    Error::General(format!(
        "aws-eks-token does not support {source} yet; use the AWS CLI for this profile"
    ))
}

/// botocore `EnvProvider`.
fn from_env(settings: &Settings) -> Result<Option<Credentials>, Error> {
    let env = &settings.env;
    let Some(access_key_id) = env.non_empty("AWS_ACCESS_KEY_ID") else {
        return Ok(None);
    };
    let Some(secret) = env.non_empty("AWS_SECRET_ACCESS_KEY") else {
        return Err(Error::General(
            "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY".into(),
        ));
    };
    let session_token = env
        .non_empty("AWS_SESSION_TOKEN")
        .or_else(|| env.non_empty("AWS_SECURITY_TOKEN"))
        .map(String::from);
    Ok(Some(Credentials {
        access_key_id: access_key_id.into(),
        secret_access_key: secret.into(),
        session_token,
    }))
}

/// botocore `SharedCredentialProvider` / `ConfigProvider`: keys in one file's profile.
fn from_section(section: &Section, method: &str) -> Result<Option<Credentials>, Error> {
    let text = |k: &str| config::get(section, k).map(value_text);
    let Some(access_key_id) = text("aws_access_key_id") else {
        return Ok(None);
    };
    let Some(secret) = text("aws_secret_access_key") else {
        return Err(Error::General(format!(
            "Partial credentials found in {method}, missing: aws_secret_access_key"
        )));
    };
    let session_token = text("aws_session_token").or_else(|| text("aws_security_token"));
    Ok(Some(Credentials {
        access_key_id,
        secret_access_key: secret,
        session_token,
    }))
}

/// A nested block where a key was expected is used as Python would print it; keys are
/// plain text in practice.
fn value_text(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        Value::Nested(items) => {
            let inner: Vec<String> = items.iter().map(|(k, v)| format!("'{k}': '{v}'")).collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}
