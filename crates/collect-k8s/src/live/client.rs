//! GET requests to the API server: TLS from the cluster config, bearer or client-certificate
//! auth, a timeout per attempt, bounded retries on throttling (honouring `Retry-After`) and on
//! transient server and connection errors.

use super::config::{Auth, ClusterConfig};
use super::LiveOptions;
use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use http::{Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;

/// What went wrong with a request, in the classes that decide what a scan records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// 401: the credentials were rejected.
    Unauthorized,
    /// 403: RBAC denies the listing.
    Denied,
    /// 404: the API (group/version) is not served by this cluster.
    NotFound,
    /// 410: a continue token expired while paging.
    Expired,
    /// 429 until the retries ran out.
    Throttled,
    Timeout,
    /// Connection refused, DNS, TLS handshake.
    Unreachable,
    Other,
}

impl FailureKind {
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::Unauthorized => "unauthorized",
            FailureKind::Denied => "denied",
            FailureKind::NotFound => "not_found",
            FailureKind::Expired => "expired",
            FailureKind::Throttled => "throttled",
            FailureKind::Timeout => "timeout",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]", self.message, self.kind.label())
    }
}

pub(crate) struct ApiClient {
    base: String,
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    authorization: Option<HeaderValue>,
    timeout: Duration,
    max_attempts: u32,
    max_retry_wait: Duration,
}

impl ApiClient {
    pub(crate) fn new(cfg: &ClusterConfig, opts: &LiveOptions) -> Result<ApiClient, String> {
        let tls = tls_config(cfg)?;
        let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http();
        let builder = match &cfg.tls_server_name {
            Some(name) => {
                let name = ServerName::try_from(name.clone()).map_err(|e| format!("tls-server-name '{name}': {e}"))?;
                builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name))
            }
            None => builder,
        };
        let connector = builder.enable_http1().build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        let authorization = match &cfg.auth {
            Auth::Bearer(token) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {token}"))
                    .map_err(|_| "the bearer token is not a valid header value".to_string())?;
                v.set_sensitive(true);
                Some(v)
            }
            _ => None,
        };
        Ok(ApiClient {
            base: cfg.server.trim_end_matches('/').to_string(),
            client,
            authorization,
            timeout: opts.timeout,
            max_attempts: opts.max_attempts.max(1),
            max_retry_wait: opts.max_retry_wait,
        })
    }

    /// The body of a successful GET of `path` (with its query), after retries.
    pub(crate) async fn get(&self, path: &str) -> Result<Bytes, Failure> {
        let uri: Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|e| Failure { kind: FailureKind::Other, message: format!("bad URL: {e}") })?;
        let mut attempt = 1;
        loop {
            let outcome = match tokio::time::timeout(self.timeout, self.once(&uri)).await {
                Ok(r) => r,
                Err(_) => Err(Attempt::Failed(Failure {
                    kind: FailureKind::Timeout,
                    message: format!("no answer within {}s", self.timeout.as_secs_f32()),
                })),
            };
            let (failure, wait) = match outcome {
                Ok(body) => return Ok(body),
                Err(Attempt::Failed(f)) => return Err(f),
                Err(Attempt::Retry(f, wait)) => (f, wait),
            };
            if attempt >= self.max_attempts {
                return Err(Failure {
                    kind: failure.kind,
                    message: format!("{} (gave up after {attempt} attempts)", failure.message),
                });
            }
            let backoff = Duration::from_millis(200 << (attempt - 1).min(8));
            tokio::time::sleep(wait.unwrap_or(backoff).min(self.max_retry_wait)).await;
            attempt += 1;
        }
    }

    async fn once(&self, uri: &Uri) -> Result<Bytes, Attempt> {
        let mut req = Request::get(uri.clone())
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, concat!("posture/", env!("CARGO_PKG_VERSION")));
        if let Some(auth) = &self.authorization {
            req = req.header(AUTHORIZATION, auth.clone());
        }
        let req = req
            .body(Empty::new())
            .map_err(|e| Attempt::Failed(Failure { kind: FailureKind::Other, message: e.to_string() }))?;
        let response =
            self.client.request(req).await.map_err(|e| {
                Attempt::Retry(Failure { kind: FailureKind::Unreachable, message: error_chain(&e) }, None)
            })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = response.into_body().collect().await.map_err(|e| {
            Attempt::Retry(
                Failure {
                    kind: FailureKind::Unreachable,
                    message: format!("reading the response: {}", error_chain(&e)),
                },
                None,
            )
        })?;
        let body = body.to_bytes();
        if status.is_success() {
            return Ok(body);
        }
        Err(classify(status, &body, retry_after))
    }
}

enum Attempt {
    Failed(Failure),
    /// Worth another try, after the server's `Retry-After` when it sent one.
    Retry(Failure, Option<Duration>),
}

fn classify(status: StatusCode, body: &[u8], retry_after: Option<u64>) -> Attempt {
    let message = format!(
        "HTTP {}: {}",
        status.as_u16(),
        status_message(body).unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string())
    );
    let failure = |kind| Failure { kind, message: message.clone() };
    match status.as_u16() {
        401 => Attempt::Failed(failure(FailureKind::Unauthorized)),
        403 => Attempt::Failed(failure(FailureKind::Denied)),
        404 => Attempt::Failed(failure(FailureKind::NotFound)),
        410 => Attempt::Failed(failure(FailureKind::Expired)),
        429 => Attempt::Retry(failure(FailureKind::Throttled), retry_after.map(Duration::from_secs)),
        500 | 502 | 503 | 504 => Attempt::Retry(failure(FailureKind::Other), retry_after.map(Duration::from_secs)),
        _ => Attempt::Failed(failure(FailureKind::Other)),
    }
}

/// `message` of a Kubernetes `Status` body, shortened.
fn status_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = v.get("message")?.as_str()?;
    Some(text.chars().take(300).collect())
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ").chars().take(400).collect()
}

fn tls_config(cfg: &ClusterConfig) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = if cfg.insecure_skip_tls_verify {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(NoServerVerification(
            provider.signature_verification_algorithms,
        )))
    } else {
        builder.with_root_certificates(roots(&cfg.ca)?)
    };
    match &cfg.auth {
        Auth::ClientCert { certs, key } => builder
            .with_client_auth_cert(certs.clone(), key.clone_key())
            .map_err(|e| format!("client certificate: {e}")),
        _ => Ok(builder.with_no_client_auth()),
    }
}

/// The cluster CA when the config names one, else the system's trusted roots.
fn roots(ca: &[CertificateDer<'static>]) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    if !ca.is_empty() {
        for cert in ca {
            store.add(cert.clone()).map_err(|e| format!("cluster CA: {e}"))?;
        }
        return Ok(store);
    }
    let native = rustls_native_certs::load_native_certs();
    let (added, _) = store.add_parsable_certificates(native.certs);
    if added == 0 {
        return Err("no cluster CA in the kubeconfig and no system CA certificates found".into());
    }
    Ok(store)
}

/// `insecure-skip-tls-verify`: any server certificate is accepted, but handshake signatures are
/// still checked so the connection is at least bound to the certificate presented.
#[derive(Debug)]
struct NoServerVerification(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoServerVerification {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_failure_classes() {
        let kind = |code: u16| match classify(
            StatusCode::from_u16(code).unwrap(),
            br#"{"kind":"Status","message":"nope"}"#,
            Some(2),
        ) {
            Attempt::Failed(f) => (f.kind, None, f.message),
            Attempt::Retry(f, wait) => (f.kind, wait, f.message),
        };
        assert_eq!(kind(403), (FailureKind::Denied, None, "HTTP 403: nope".to_string()));
        assert_eq!(kind(401).0, FailureKind::Unauthorized);
        assert_eq!(kind(429), (FailureKind::Throttled, Some(Duration::from_secs(2)), "HTTP 429: nope".to_string()));
        assert_eq!(kind(503).0, FailureKind::Other);
        assert_eq!(kind(410).0, FailureKind::Expired);
    }
}
