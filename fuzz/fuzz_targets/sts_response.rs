//! A hostile STS answer (issue 16): `sts::read_response` for `AssumeRole` and
//! `AssumeRoleWithWebIdentity` on any body — deep nesting, huge bodies, cut UTF-8 — and
//! the error it makes written as the CLI writes it, the body's XML checked and walked,
//! its `--debug` form. Nothing may panic, recurse without bound or take more than linear
//! time; a secret in a `<SessionToken>` never reaches the error text.
//!
//! Input: byte 0 picks the status (its low 3 bits: 200, 200, 400, 403, 500, 503, 302, 200)
//! and the action (bit 3); the rest is the body.

#![no_main]

use aws_eks_token::aws::http::Response;
use aws_eks_token::aws::{sts, xml};
use aws_eks_token::error::Error;
use libfuzzer_sys::fuzz_target;

/// Children and text of every element down to this depth (`Element`'s lookups scan).
const WALK: usize = 6;

fn walk(el: xml::Element, depth: usize) {
    let _ = (el.name(), el.text());
    if depth < WALK {
        for child in el.children().take(64) {
            walk(child, depth + 1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let status = [200, 200, 400, 403, 500, 503, 302, 200][(first & 7) as usize];
    let action = if first & 8 == 0 {
        "AssumeRole"
    } else {
        "AssumeRoleWithWebIdentity"
    };
    if let Ok(root) = xml::parse(body) {
        walk(root, 0);
        let _ = format!("{root:?}");
    }
    let shown = aws_eks_token::log::body_repr(Some("text/xml"), body);
    assert!(shown.is_ascii());
    let response = Response {
        status,
        headers: vec![("content-type".into(), "text/xml".into())],
        body: body.to_vec(),
    };
    match sts::read_response(action, response, 0, None) {
        Ok(r) => {
            assert!(status < 300);
            assert!(r.dict.contains_key("ResponseMetadata"));
        }
        Err(e) => {
            let mut out = Vec::new();
            e.write_to(None, &|_, _| Err(String::new()), &mut out)
                .expect("written to memory");
            assert!(out.starts_with(b"\naws: [ERROR]:"), "{e:?}");
            assert_eq!(
                e.exit_code(),
                if matches!(e, Error::Client { .. }) {
                    254
                } else {
                    255
                }
            );
            if let Error::UnparsableResponse { .. } = e {
                // The echo is the body's repr, at most 4 bytes a byte, plus "(redacted)"s
                // that replace at least a tag's worth of bytes each.
                assert!(out.len() <= 300 + 4 * body.len() + 10 * body.len() / 8);
                // A secret made of bytes that appear nowhere else in the body never shows.
                let marker = b"zq9SECRETzq9";
                let whole = [&b"<a><SessionToken>"[..], marker, b"</SessionToken>", body].concat();
                if !body.windows(marker.len()).any(|w| w == marker) {
                    if let Err(e) = sts::read_response(
                        action,
                        Response {
                            status: 200,
                            headers: vec![],
                            body: whole,
                        },
                        0,
                        None,
                    ) {
                        let mut out = Vec::new();
                        let _ = e.write_to(None, &|_, _| Err(String::new()), &mut out);
                        assert!(!out.windows(marker.len()).any(|w| w == marker));
                    }
                }
            }
        }
    }
});
