//! `aws eks update-kubeconfig` through the binary: twenty processes adding twenty clusters
//! to one kubeconfig at the same time lose nothing (the AWS CLI, which neither locks nor
//! re-reads, loses some), and the file they leave is whole and private.

mod common;

use common::*;

const DESCRIBE_CLUSTER: &str = r#"{"cluster": {"name": "{name}", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/{name}", "endpoint": "https://{name}.example.com", "status": "ACTIVE", "certificateAuthority": {"data": "Q0E="}}}"#;

#[test]
fn twenty_concurrent_updates_keep_every_cluster() {
    let eks = Server::route(|request| {
        let name = request.path.rsplit('/').next().unwrap_or_default();
        Reply::Respond(
            200,
            "application/json",
            DESCRIBE_CLUSTER.replace("{name}", name),
        )
    });
    let home = tempfile::tempdir().unwrap();
    let url = eks.url();
    let names: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
    let children: Vec<_> = names
        .iter()
        .map(|name| {
            let mut args = argv("eks update-kubeconfig --region us-west-2 --name");
            args.push(name);
            let mut env = STATIC_KEYS.to_vec();
            env.push(("AWS_ENDPOINT_URL_EKS", &url));
            aws_command(Some(home.path()), home.path(), &args, &env)
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(eks.requests().len(), 20);
    let path = home.path().join(".kube/config");
    let text = std::fs::read_to_string(&path).unwrap();
    for name in &names {
        let arn = format!("arn:aws:eks:us-west-2:123456789012:cluster/{name}");
        // The cluster, the user and the context entries, and the context's references.
        assert_eq!(
            text.matches(&format!("name: {arn}\n")).count(),
            3,
            "{name}:\n{text}"
        );
        assert!(
            text.contains(&format!("cluster: {arn}\n    user: {arn}\n")),
            "{name}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Nothing left behind but the kubeconfig (temporary files renamed or removed).
    let left: Vec<_> = std::fs::read_dir(home.path().join(".kube"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["config"]);
}
