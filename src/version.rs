//! Which AWS CLI this binary reproduces, and how it names itself.

/// The AWS CLI version whose behaviour this binary reproduces.
pub const COMPATIBLE_AWS_CLI: &str = "2.36.7";

/// `aws-eks-token/0.1.0 (the EKS commands of AWS CLI v2.36.7)`: our `--version`
/// line and the version `--debug` logs (never an `aws-cli/…` line of our own).
pub fn line() -> String {
    format!(
        "aws-eks-token/{} (the EKS commands of AWS CLI v{COMPATIBLE_AWS_CLI})",
        env!("CARGO_PKG_VERSION")
    )
}
