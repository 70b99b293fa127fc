//! A CA bundle as OpenSSL reads it for Python's `load_verify_locations`
//! (`PEM_X509_INFO_read_bio`): every PEM block is decoded; certificates, CRLs and private
//! keys must be DER of their shape, other blocks are skipped; one bad block fails the whole
//! file, and a file without a certificate or CRL fails too.

use base64::Engine;

/// OpenSSL's reason when a block cannot be read.
const PEM_LIB: &str = "[X509] PEM lib (_ssl.c:4168)";
const NOTHING_FOUND: &str =
    "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found (_ssl.c:4168)";

/// The bundle's certificates (DER), or the reason OpenSSL gives for refusing it.
pub fn parse(text: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    let text = String::from_utf8_lossy(text);
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let (mut certs, mut crls) = (Vec::new(), 0);
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let der = block(name, &mut lines).ok_or(PEM_LIB)?;
        match name {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                let (cert, _aux) = signed(&der).ok_or(PEM_LIB)?;
                certs.push(cert.to_vec());
            }
            "X509 CRL" => {
                signed(&der).ok_or(PEM_LIB)?;
                crls += 1;
            }
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "DSA PRIVATE KEY" | "EC PRIVATE KEY" => {
                key_shaped(&der).ok_or(PEM_LIB)?;
            }
            _ => {}
        }
    }
    if certs.is_empty() && crls == 0 {
        return Err(NOTHING_FOUND);
    }
    Ok(certs)
}

/// The block's bytes up to its end line (which must name it): optional `Key: value`
/// headers up to a blank line, then base64.
fn block<'a>(name: &str, lines: &mut impl Iterator<Item = &'a str>) -> Option<Vec<u8>> {
    let end = format!("-----END {name}-----");
    let mut data = String::new();
    let mut in_headers = None;
    for line in lines.by_ref() {
        if line.starts_with("-----END ") {
            return match line == end {
                true => base64::engine::general_purpose::STANDARD.decode(&data).ok(),
                false => None,
            };
        }
        // The first line decides whether the block has headers.
        let headers = *in_headers.get_or_insert(line.contains(':'));
        if headers {
            in_headers = Some(!line.trim().is_empty());
            continue;
        }
        data.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
    }
    None
}

/// A signed structure (a certificate or a CRL): `SEQUENCE { SEQUENCE, SEQUENCE, BIT
/// STRING }`. Returns it, and what follows it (a trusted certificate's extra data).
fn signed(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (0x30, body, rest) = tlv(der)? else {
        return None;
    };
    let (0x30, _, body) = tlv(body)? else {
        return None;
    };
    let (0x30, _, body) = tlv(body)? else {
        return None;
    };
    let (0x03, _, body) = tlv(body)? else {
        return None;
    };
    body.is_empty()
        .then(|| (&der[..der.len() - rest.len()], rest))
}

/// A private key (PKCS#8, or the RSA, DSA and EC forms): `SEQUENCE { INTEGER, … }` with
/// more after the version.
fn key_shaped(der: &[u8]) -> Option<()> {
    let (0x30, body, _) = tlv(der)? else {
        return None;
    };
    let (0x02, _, rest) = tlv(body)? else {
        return None;
    };
    tlv(rest).map(|_| ())
}

/// One DER tag-length-value: the tag, the contents and what follows.
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            let bytes = rest.get(..n)?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
            (len, &rest[n..])
        }
        _ => return None,
    };
    let contents = rest.get(..len)?;
    Some((tag, contents, &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate's shape (its contents are not looked at).
    const CERT: &str = "MAowAwIBADAAAwEA";

    fn pem(name: &str, b64: &str) -> String {
        format!("-----BEGIN {name}-----\n{b64}\n-----END {name}-----\n")
    }

    #[test]
    fn blocks_as_openssl_reads_them() {
        let cert = pem("CERTIFICATE", CERT);
        assert_eq!(parse(cert.as_bytes()).map(|c| c.len()), Ok(1));
        let with_text = format!("subject=x\n{cert}trailing text\n{cert}");
        assert_eq!(parse(with_text.as_bytes()).map(|c| c.len()), Ok(2));
        assert_eq!(parse(pem("X509 CRL", CERT).as_bytes()), Ok(vec![]));
        let trusted = pem("TRUSTED CERTIFICATE", "MAowAwIBADAAAwEAMAA=");
        assert_eq!(parse(trusted.as_bytes()).map(|c| c[0].len()), Ok(12));
        let key_then_cert = format!("{}{cert}", pem("PRIVATE KEY", "MAUCAQAwAA=="));
        assert!(parse(key_then_cert.as_bytes()).is_ok());
        let headers = "-----BEGIN CERTIFICATE-----\nProc-Type: 4\nX: y\n\nMAowAwIBADAAAwEA\n-----END CERTIFICATE-----\n";
        assert!(parse(headers.as_bytes()).is_ok());
    }

    #[test]
    fn what_fails() {
        let cert = pem("CERTIFICATE", CERT);
        for nothing in [
            "",
            "text\n",
            &pem("PRIVATE KEY", "MAUCAQAwAA=="),
            &pem("FOO", "MAA="),
        ] {
            assert_eq!(parse(nothing.as_bytes()), Err(NOTHING_FOUND), "{nothing:?}");
        }
        for bad in [
            pem("CERTIFICATE", "MIIBad!!"),
            pem("CERTIFICATE", "AAAA"),
            pem("CERTIFICATE", "MAA="),
            pem("CERTIFICATE", "MAMCAQA="),
            format!("{cert}{}", pem("FOO", "!!!!")),
            format!("{cert}{}", pem("PRIVATE KEY", "AAAA")),
            format!("{cert}{}", pem("EC PRIVATE KEY", "MAA=")),
            format!("{cert}{}", pem("TRUSTED CERTIFICATE", "AAAA")),
            format!("{cert}-----BEGIN CERTIFICATE-----\nMAA=\n"),
            format!("{cert}-----BEGIN CERTIFICATE-----\nMAA=\n-----END X509 CRL-----\n"),
        ] {
            assert_eq!(parse(bad.as_bytes()), Err(PEM_LIB), "{bad:?}");
        }
    }

    #[test]
    fn lengths_never_overrun() {
        assert_eq!(tlv(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(tlv(&[0x30, 0x82, 0x01]), None);
        assert_eq!(tlv(&[0x30, 0x80]), None);
        assert_eq!(tlv(&[0x30]), None);
        assert_eq!(
            tlv(&[0x30, 0x01, 7, 8]),
            Some((0x30, &[7u8][..], &[8u8][..]))
        );
    }
}
