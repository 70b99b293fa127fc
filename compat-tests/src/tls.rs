//! Throwaway certificates and a one-answer HTTPS server on 127.0.0.1, for the tests that
//! need TLS (the golden harness's fake servers speak plain HTTP).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

fn err(e: rcgen::Error) -> String {
    format!("cannot make a test certificate: {e}")
}

/// A certificate authority made for one test.
pub struct Ca {
    pem: String,
    der: rustls::pki_types::CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

/// How the server's own certificate is made.
pub struct Leaf<'a> {
    /// Its subject alternative names.
    pub names: &'a [&'a str],
    /// Valid only in 2000, long expired.
    pub expired: bool,
    /// Marked as a CA (`basicConstraints CA:TRUE`), as `openssl req -x509` makes it.
    pub ca: bool,
}

impl Ca {
    pub fn new() -> Result<Ca, String> {
        let key = KeyPair::generate().map_err(err)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "compat-tests throwaway CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).map_err(err)?;
        Ok(Ca {
            pem: cert.pem(),
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA's certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A server configuration whose certificate this CA signed; with `send_ca`, the
    /// server sends the CA's certificate after its own.
    pub fn server_config(
        &self,
        leaf: &Leaf,
        send_ca: bool,
    ) -> Result<rustls::ServerConfig, String> {
        let key = KeyPair::generate().map_err(err)?;
        let params = leaf_params(leaf)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(err)?;
        let mut chain = vec![cert.der().clone()];
        if send_ca {
            chain.push(self.der.clone());
        }
        config(chain, &key)
    }
}

/// A server configuration with a self-signed certificate, and that certificate (PEM).
pub fn self_signed(leaf: &Leaf) -> Result<(String, rustls::ServerConfig), String> {
    let key = KeyPair::generate().map_err(err)?;
    let cert = leaf_params(leaf)?.self_signed(&key).map_err(err)?;
    Ok((cert.pem(), config(vec![cert.der().clone()], &key)?))
}

fn leaf_params(leaf: &Leaf) -> Result<CertificateParams, String> {
    let names = leaf.names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let mut params = CertificateParams::new(names).map_err(err)?;
    params.distinguished_name.push(
        DnType::CommonName,
        leaf.names.first().copied().unwrap_or("server"),
    );
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if leaf.ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages.push(KeyUsagePurpose::KeyCertSign);
    }
    if leaf.expired {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2000, 12, 31);
    }
    Ok(params)
}

fn config(
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: &KeyPair,
) -> Result<rustls::ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves HTTPS on 127.0.0.1 for the rest of the process, writing `response` (a whole HTTP
/// response, which should close the connection) after each request. Returns the port.
pub fn serve(config: rustls::ServerConfig, response: String) -> u16 {
    let config = Arc::new(config);
    let response = Arc::new(response);
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a port on 127.0.0.1");
    let port = listener.local_addr().expect("a bound listener").port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let (config, response) = (config.clone(), response.clone());
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut stream = BufReader::new(rustls::StreamOwned::new(conn, tcp));
                // The head, then the body (unread bytes at close would reset the connection).
                let (mut line, mut length) = (String::new(), 0);
                while stream.read_line(&mut line).is_ok_and(|n| n > 2) {
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    line.clear();
                }
                let mut body = vec![0; length.min(1 << 20)];
                let _ = std::io::Read::read_exact(&mut stream, &mut body);
                let _ = stream.get_mut().write_all(response.as_bytes());
                let _ = stream.get_mut().flush();
            });
        }
    });
    port
}
