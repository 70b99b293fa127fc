//! A hostile instance metadata answer (issue 16): the credentials document read as the
//! instance provider reads it (`imds::credentials_document`, `imds::credentials_of`,
//! which may extend an expiry); never a panic.
//!
//! Input: the body of the credentials request.

#![no_main]

use aws_eks_token::credentials::imds;
use aws_eks_token::time::UtcTime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(doc) = imds::credentials_document(data) else {
        return;
    };
    for now in [UtcTime(0), UtcTime(1_704_164_645), UtcTime(4_102_444_800)] {
        if let Ok((creds, expiry)) = imds::credentials_of(&doc, now) {
            assert!(creds.session_token.is_some());
            let _ = expiry.isoformat();
        }
    }
});
