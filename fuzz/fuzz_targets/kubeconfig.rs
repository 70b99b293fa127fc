//! The kubeconfig reader and merger (`aws eks update-kubeconfig`): `yaml_py::load`, the
//! CLI's validation, the insertion of the new entries and the dump (`merged_text`), then
//! the real update of a file holding the input (`update`).
//!
//! Input: the first byte picks the options (alias, user alias, role, profile, proxy, an
//! Outposts cluster, whether the cluster's name is one the input may already hold); the
//! rest is the kubeconfig file's content.
//!
//! Checked: no panic; `update` writes exactly what `merged_text` predicts, or fails with the
//! same error and leaves the file as it was (never half-written, never a stray file).

#![no_main]

use aws_eks_token::kubeconfig::{entries, merged_text, update, EntryOptions, Update};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, content)) = data.split_first() else {
        return;
    };
    let name = if flags & 1 != 0 { "a" } else { "prod" };
    let mut cluster = json!({
        "name": name,
        "arn": format!("arn:aws:eks:us-west-2:123456789012:cluster/{name}"),
        "endpoint": "https://x.example.com",
        "status": "ACTIVE",
        "certificateAuthority": {"data": "Q0E="},
        "id": "0123",
    });
    if flags & 2 != 0 {
        cluster["outpostConfig"] = json!({"controlPlaneInstanceType": "m5.large"});
    }
    let opts = EntryOptions {
        cluster_name: name,
        alias: (flags & 4 != 0).then_some("a"),
        user_alias: (flags & 8 != 0).then_some("u: x"),
        role_arn: (flags & 16 != 0).then_some("arn:aws:iam::1:role/r"),
        proxy_url: (flags & 32 != 0).then_some("http://proxy:3128"),
        profile: (flags & 64 != 0).then_some("dev"),
    };
    let Ok(e) = entries(&cluster, &opts) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config");
    std::fs::write(&path, content).expect("write input");
    let predicted = merged_text(Some(content.to_vec()), &path, &e);
    let result = update(&Update {
        entries: &e,
        candidates: std::slice::from_ref(&path),
        dry_run: false,
        verbose: flags & 128 != 0,
        lock_dir: Some(dir.path().join("locks")),
    });
    let after = std::fs::read(&path).expect("read back");
    match (predicted, result) {
        (Ok((text, _)), Ok(_)) => assert_eq!(after, text.as_bytes(), "written text"),
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "same error");
            assert_eq!(after, content, "a failed update leaves the file alone");
        }
        (p, r) => panic!("merged_text {p:?} but update {r:?}"),
    }
    let stray = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|f| f.file_name().to_string_lossy().contains(".tmp-"))
        .count();
    assert_eq!(stray, 0, "no temporary file left");
});
