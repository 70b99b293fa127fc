//! AWS as botocore talks to it: endpoints, SigV4, HTTP with the CLI's retries and errors,
//! and the service clients the commands and the credential chain use.

pub mod ca_bundle;
pub mod eks;
pub mod endpoint;
pub mod http;
pub mod rest_json;
pub mod sigv4;
pub mod sso;
pub mod sso_oidc;
pub mod sts;
pub mod xml;
