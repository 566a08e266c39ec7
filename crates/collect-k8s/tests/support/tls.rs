//! The fake API server behind TLS, with the throwaway certificates of tests/fixtures/tls.

use super::fake_api::{FakeApi, Reply, Seen};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls").join(name)
}

fn certs(name: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(fixture(name)).expect("a PEM file").collect::<Result<_, _>>().expect("certificates")
}

/// Serves `handler` over HTTPS as `localhost`/127.0.0.1; with `require_client_cert`, only clients
/// presenting a certificate signed by the test CA get through the handshake.
pub fn start_tls(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static, require_client_cert: bool) -> FakeApi {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("TLS versions");
    let builder = if require_client_cert {
        let mut roots = RootCertStore::empty();
        for c in certs("ca.crt") {
            roots.add(c).expect("the test CA");
        }
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().expect("a client verifier");
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).expect("the server key");
    let config = Arc::new(builder.with_single_cert(certs("server.crt"), key).expect("a server certificate"));
    FakeApi::start_wrapped("https", handler, move |tcp| {
        let conn = ServerConnection::new(config.clone()).ok()?;
        Some(StreamOwned::new(conn, tcp))
    })
}
