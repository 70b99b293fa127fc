//! A hostile JSON body (issue 16): an EKS `DescribeCluster` answer as `eks
//! update-kubeconfig` will read it, through `pystd::json::loads` (Python's `json.loads`:
//! iterative, CPython's messages and depth limit), and the paths a kubeconfig is made of
//! (`cluster.endpoint`, `cluster.certificateAuthority.data`, `cluster.arn`, ...); then
//! the value written back as Python would (`dumps`, `repr`). Never a panic, a stack
//! overflow or more than linear work.
//!
//! Input: the body (read as UTF-8, lossily, as the CLI decodes it).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(value) = pystd::json::loads(&text) else {
        return;
    };
    let serde = value.to_serde();
    let cluster = value.get("cluster");
    for path in [
        &["endpoint"][..],
        &["certificateAuthority", "data"],
        &["arn"],
        &["name"],
        &["status"],
        &["outpostConfig", "controlPlaneInstanceType"],
        &["id"],
    ] {
        let mut at = cluster;
        for key in path {
            at = at.and_then(|v| v.get(key));
        }
        let _ = at.map(|v| (v.type_name(), v.as_str()));
    }
    let dumped = pystd::json::dumps(&value, Some(4));
    // What Python wrote, Python reads back to the same value.
    let again = pystd::json::loads(&dumped).expect("dumps output is JSON");
    assert_eq!(
        pystd::json::dumps(&again, None),
        pystd::json::dumps(&value, None)
    );
    let _ = pystd::repr::value_str(&serde);
});
