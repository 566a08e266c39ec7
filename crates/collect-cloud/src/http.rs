//! HTTPS (rustls) client for cloud REST APIs. Throttling (429, 503) is retried after `Retry-After`
//! (or an exponential backoff), capped per wait and in attempts; other server errors are retried
//! with backoff; everything else comes back at once as a classified [`Failure`].

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    Denied,
    NotFound,
    Throttled,
    Timeout,
    Unreachable,
    Other,
}

impl FailureKind {
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Denied => "denied",
            FailureKind::NotFound => "not_found",
            FailureKind::Throttled => "throttled",
            FailureKind::Timeout => "timeout",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Other => "other",
        }
    }
}

/// A call that did not succeed, with what the service said (never the request's credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: String,
}

impl Failure {
    pub fn other(message: impl Into<String>) -> Failure {
        Failure { kind: FailureKind::Other, status: None, code: None, message: message.into() }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(s) = self.status {
            write!(f, "HTTP {s} ")?;
        }
        if let Some(c) = &self.code {
            write!(f, "{c}: ")?;
        }
        write!(f, "{} [{}]", self.message, self.kind.name())
    }
}

#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// One attempt (connect, send, read the body).
    pub timeout: Duration,
    /// Attempts per call when throttled or on a server error.
    pub max_attempts: u32,
    /// Longest single wait, whatever `Retry-After` asks for.
    pub max_retry_wait: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions { timeout: Duration::from_secs(30), max_attempts: 5, max_retry_wait: Duration::from_secs(60) }
    }
}

/// A request that can be sent again on retry.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: http::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<(String, Bytes)>,
}

impl Request {
    pub fn get(url: impl Into<String>) -> Request {
        Request { method: http::Method::GET, url: url.into(), headers: Vec::new(), body: None }
    }

    pub fn post_json(url: impl Into<String>, body: &Value) -> Request {
        let bytes = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
        Request { method: http::Method::POST, url: url.into(), headers: Vec::new(), body: Some(("application/json".into(), bytes)) }
    }

    pub fn post_form(url: impl Into<String>, form: &[(&str, &str)]) -> Request {
        let text = form.iter().map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v))).collect::<Vec<_>>().join("&");
        Request {
            method: http::Method::POST,
            url: url.into(),
            headers: Vec::new(),
            body: Some(("application/x-www-form-urlencoded".into(), Bytes::from(text))),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Request {
        self.header("authorization", format!("Bearer {token}"))
    }
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-encoding of a query parameter value (page tokens hold `+`, `/` and `=`).
pub fn query_encode(s: &str) -> String {
    form_encode(s).replace('+', "%20")
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

#[derive(Clone)]
pub struct Http {
    client: Client<Connector, Full<Bytes>>,
    opts: HttpOptions,
}

impl Http {
    pub fn new(opts: HttpOptions) -> Http {
        let connector = connector();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Http { client, opts }
    }

    /// Sends `req` (retrying throttling and server errors) and parses a 2xx body as JSON (an empty
    /// body reads as `null`).
    pub async fn json(&self, req: &Request) -> Result<Value, Failure> {
        let (status, body) = self.send(req).await?;
        if !(200..300).contains(&status) {
            return Err(classify(status, &body));
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&body).map_err(|e| Failure::other(format!("response is not JSON: {e}")))
    }

    /// Sends `req`; retries 429/503 after `Retry-After` and other 5xx with backoff. Returns the
    /// last status and body; transport failures come back as `Err`.
    pub async fn send(&self, req: &Request) -> Result<(u16, Bytes), Failure> {
        let attempts = self.opts.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let (status, retry_after, body) = self.attempt(req).await?;
            let retryable = status == 429 || (500..600).contains(&status);
            if !retryable || attempt >= attempts {
                return Ok((status, body));
            }
            let backoff = Duration::from_millis(500u64.saturating_mul(1 << attempt.min(6)));
            let wait = retry_after.unwrap_or(backoff).min(self.opts.max_retry_wait);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, req: &Request) -> Result<(u16, Option<Duration>, Bytes), Failure> {
        let mut builder = http::Request::builder().method(req.method.clone()).uri(&req.url);
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let body = match &req.body {
            Some((ct, bytes)) => {
                builder = builder.header("content-type", ct.as_str());
                Full::new(bytes.clone())
            }
            None => Full::new(Bytes::new()),
        };
        let request = builder.body(body).map_err(|e| Failure::other(format!("bad request for {}: {e}", req.url)))?;
        let call = async {
            let resp = self.client.request(request).await.map_err(|e| transport(&req.url, &e))?;
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = resp.into_body().collect().await.map_err(|e| Failure {
                kind: FailureKind::Unreachable,
                status: Some(status),
                code: None,
                message: format!("reading the response of {}: {e}", strip_query(&req.url)),
            })?;
            Ok((status, retry_after, body.to_bytes()))
        };
        match tokio::time::timeout(self.opts.timeout, call).await {
            Ok(r) => r,
            Err(_) => Err(Failure {
                kind: FailureKind::Timeout,
                status: None,
                code: None,
                message: format!("no answer from {} within {:?}", strip_query(&req.url), self.opts.timeout),
            }),
        }
    }
}

fn connector() -> Connector {
    let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(b) => b,
        // No system certificates: plain HTTP (local endpoints) still works, HTTPS fails clearly.
        Err(_) => hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(empty_tls_config()),
    };
    builder.https_or_http().enable_http1().build()
}

fn empty_tls_config() -> rustls::ClientConfig {
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    match rustls::ClientConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions() {
        Ok(b) => b.with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth(),
        Err(_) => rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map(|b| b.with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth())
            .unwrap_or_else(|_| unreachable_config()),
    }
}

// Only reached if aws-lc-rs supports no TLS version at all, which its build guarantees against.
fn unreachable_config() -> rustls::ClientConfig {
    rustls::ClientConfig::builder()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

fn transport(url: &str, e: &hyper_util::client::legacy::Error) -> Failure {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    Failure { kind: FailureKind::Unreachable, status: None, code: None, message: format!("{}: {}", strip_query(url), truncate(&text)) }
}

/// A non-2xx answer, with the error code and message of an ARM, Google or OAuth error body.
pub fn classify(status: u16, body: &[u8]) -> Failure {
    let kind = match status {
        401 | 403 => FailureKind::Denied,
        404 => FailureKind::NotFound,
        429 => FailureKind::Throttled,
        _ => FailureKind::Other,
    };
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let err = parsed.as_ref().and_then(|v| v.get("error"));
    let code = err
        .and_then(|e| e.get("status").and_then(Value::as_str).or_else(|| e.get("code").and_then(Value::as_str)).or_else(|| e.as_str()))
        .map(str::to_string);
    let message = err
        .and_then(|e| e.get("message").and_then(Value::as_str))
        .or_else(|| parsed.as_ref().and_then(|v| v.get("error_description")).and_then(Value::as_str))
        .map(truncate)
        .unwrap_or_else(|| truncate(String::from_utf8_lossy(body).trim()));
    Failure { kind, status: Some(status), code, message }
}

fn truncate(s: &str) -> String {
    if s.len() <= 300 {
        return s.to_string();
    }
    let cut = (0..=300).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
    format!("{}…", &s[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn error_bodies_of_each_cloud_are_classified() {
        let arm = classify(403, br#"{"error":{"code":"AuthorizationFailed","message":"no access"}}"#);
        assert_eq!((arm.kind, arm.code.as_deref(), arm.message.as_str()), (FailureKind::Denied, Some("AuthorizationFailed"), "no access"));
        let google = classify(403, br#"{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}"#);
        assert_eq!(google.code.as_deref(), Some("PERMISSION_DENIED"));
        let oauth = classify(400, br#"{"error":"invalid_grant","error_description":"bad assertion"}"#);
        assert_eq!((oauth.kind, oauth.code.as_deref(), oauth.message.as_str()), (FailureKind::Other, Some("invalid_grant"), "bad assertion"));
        assert_eq!(classify(404, b"gone").to_string(), "HTTP 404 gone [not_found]");
        assert_eq!(form_encode("a b/c=d"), "a+b%2Fc%3Dd");
    }

    /// Serves `replies` in order, one per connection, counting requests.
    fn serve(replies: Vec<String>) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for (stream, reply) in listener.incoming().flatten().zip(replies) {
                let mut reader = BufReader::new(stream);
                let mut len = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = reader.get_mut().write_all(reply.as_bytes());
            }
        });
        (url, hits)
    }

    fn reply(status: &str, extra: &str, body: &str) -> String {
        format!("HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
    }

    #[tokio::test]
    async fn throttling_is_retried_after_retry_after_and_then_gives_up() {
        let (url, hits) = serve(vec![
            reply("429 Too Many Requests", "Retry-After: 1\r\n", "{}"),
            reply("200 OK", "", r#"{"ok":true}"#),
        ]);
        let http = Http::new(HttpOptions { max_attempts: 3, ..HttpOptions::default() });
        let started = std::time::Instant::now();
        let v = http.json(&Request::get(format!("{url}/x"))).await.unwrap();
        assert_eq!(v["ok"], true);
        assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After was honoured");
        assert_eq!(hits.load(Ordering::SeqCst), 2);

        let (url, hits) = serve(vec![reply("429 Too Many Requests", "Retry-After: 0\r\n", r#"{"error":{"code":"TooMany","message":"slow down"}}"#); 5]);
        let http = Http::new(HttpOptions { max_attempts: 2, ..HttpOptions::default() });
        let err = http.json(&Request::get(url)).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::Throttled);
        assert_eq!(hits.load(Ordering::SeqCst), 2, "bounded attempts");
    }

    #[tokio::test]
    async fn a_dead_endpoint_is_unreachable_and_not_retried_forever() {
        let dead = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", dead.local_addr().unwrap());
        drop(dead);
        let http = Http::new(HttpOptions::default());
        let err = http.json(&Request::get(url)).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::Unreachable, "{err}");
    }
}
