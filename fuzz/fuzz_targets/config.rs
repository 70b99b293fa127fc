//! The shared config and credentials files as get-token uses them: `config::parse_ini`,
//! `FullConfig::build`, and the `Settings` lookups that read profiles from the result
//! (profile selection, region, output, error format, flags, the configured STS endpoint).
//!
//! Input: the config file's text, a NUL, then the credentials file's text (absent when
//! there is no NUL). The credential chain itself is not run here: later providers start
//! processes (`credential_process`) and make requests.

#![no_main]

use aws_eks_token::config::{self, FullConfig};
use aws_eks_token::settings::{Env, Settings};
use libfuzzer_sys::fuzz_target;

const KEYS: [&str; 6] = [
    "region",
    "output",
    "aws_access_key_id",
    "endpoint_url",
    "services",
    "cli_error_format",
];

fuzz_target!(|data: &[u8]| {
    let (config_bytes, creds_bytes) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let config_text = String::from_utf8_lossy(config_bytes);
    let Ok(config_sections) = config::parse_ini(&config_text) else {
        return;
    };
    let creds_sections = match creds_bytes {
        Some(b) => match config::parse_ini(&String::from_utf8_lossy(b)) {
            Ok(s) => s,
            Err(_) => return,
        },
        None => Vec::new(),
    };
    let files = FullConfig::build(config_sections, creds_sections);

    // The default profile, every profile in the files (a few), and one that is missing.
    let mut names: Vec<Option<String>> = vec![None, Some("no-such-profile".into())];
    names.extend(files.profiles.keys().take(6).cloned().map(Some));
    for profile_flag in names {
        let settings = Settings {
            env: Env::default(),
            files: files.clone(),
            profile_flag,
        };
        let found = settings.scoped();
        if let (Ok(Some(section)), Some(name)) = (&found, settings.profile_name()) {
            assert!(
                settings.files.profiles.get(name) == Some(*section),
                "scoped() is the named profile"
            );
        }
        for key in KEYS {
            let _ = settings.profile_value(key);
        }
        let _ = settings.region(None);
        let _ = settings.output(None);
        let _ = settings.error_format(None);
        let _ = settings.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
        let _ = settings.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
        let _ = settings.configured_sts_endpoint();
    }
});
