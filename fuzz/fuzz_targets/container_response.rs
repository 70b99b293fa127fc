//! A hostile container credentials endpoint (ECS, EKS Pod Identity; issue 16): the answer
//! read as the container provider reads it (`container::read_response`, then
//! `container::credentials_of`); never a panic.
//!
//! Input: byte 0 picks the status (low 2 bits: 200, 200, 404, 500); the rest is the body.

#![no_main]

use aws_eks_token::aws::http::Response;
use aws_eks_token::credentials::container;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let status = [200, 200, 404, 500][(first & 3) as usize];
    let response = Response {
        status,
        headers: vec![],
        body: body.to_vec(),
    };
    match container::read_response(&response) {
        Ok(value) => {
            assert_eq!(status, 200);
            if let Ok((creds, expiry)) = container::credentials_of(&value) {
                assert!(creds.session_token.is_some());
                let _ = expiry.isoformat();
            }
        }
        Err(message) => assert!(!message.is_empty()),
    }
});
