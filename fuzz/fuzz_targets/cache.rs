//! The credential cache reader (`credentials::cache`): a `~/.aws/cli/cache/<key>.json`
//! file with arbitrary content, read with `JsonFileCache::get`/`fresh` and taken apart as the
//! assume-role and SSO providers do (`fresh_credentials`: `Credentials`, `Expiration`, the
//! 15-minute window), and as an SSO token file (`expiresAt`). The expiry is also written
//! back the way a refresh writes it (`isoformat`, `zulu`).
//!
//! Input: the file's bytes. The same bytes, as text, also go to the date parser directly
//! (`parse_time_value` of a JSON string), which every cached expiry goes through.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use aws_eks_token::credentials::cache::{
    fresh_credentials, parse_time_value, py_index, JsonFileCache,
};
use aws_eks_token::settings::Env;
use aws_eks_token::time::Timestamp;
use aws_eks_token::time::UtcTime;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The file name the AWS CLI uses for `--role-arn`-less assume-role of the golden cases.
const KEY: &str = "68cb027cd378aac40125a108c805a4794ec225e0";

/// 1970-01-01, a golden case's frozen clock (2024-01-02T03:04:05Z), and 2100-01-01.
const NOWS: [UtcTime; 3] = [UtcTime(0), UtcTime(1_704_164_645), UtcTime(4_102_444_800)];

fn env() -> &'static (Env, PathBuf) {
    static ENV: OnceLock<(Env, PathBuf)> = OnceLock::new();
    ENV.get_or_init(|| {
        let home =
            std::env::temp_dir().join(format!("aws-eks-token-fuzz-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        let dir = home.join(".aws/cli/cache");
        std::fs::create_dir_all(&dir).expect("create the cache directory");
        let env = Env([(
            "HOME".to_string(),
            home.to_str().expect("UTF-8 temp dir").to_string(),
        )]
        .into_iter()
        .collect());
        (env, dir.join(format!("{KEY}.json")))
    })
}

fn write_back(t: &Timestamp) {
    assert!(!t.isoformat().is_empty());
    assert!(!t.zulu().is_empty());
}

fuzz_target!(|data: &[u8]| {
    let (env, file) = env();

    if let Ok(t) = parse_time_value(&Value::String(String::from_utf8_lossy(data).into_owned())) {
        write_back(&t);
    }

    std::fs::write(file, data).expect("write the cache file");
    let cache = JsonFileCache::credentials(env);
    let Some(cached) = cache.get(KEY) else {
        // A file that is not JSON counts as missing (it is fetched again and replaced).
        assert!(serde_json::from_slice::<Value>(data).is_err());
        assert!(cache.fresh(KEY, NOWS[1]).is_none());
        return;
    };
    for now in NOWS {
        let fresh = fresh_credentials(&cached, now).ok().flatten();
        assert_eq!(fresh.is_some(), cache.fresh(KEY, now).is_some());
        if let Some((creds, expiry)) = fresh {
            let left = expiry.seconds_after(now).expect("an aware expiry");
            assert!(left >= 900.0, "used with {left} s left");
            assert!(creds.session_token.is_some());
            write_back(&expiry);
        }
    }
    // The same file as an SSO token (`~/.aws/sso/cache`): `expiresAt`.
    if let Ok(v) = py_index(&cached, "expiresAt") {
        if let Ok(t) = parse_time_value(v) {
            write_back(&t);
        }
    }
});
