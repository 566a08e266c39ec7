//! Application Default Credentials: `GOOGLE_APPLICATION_CREDENTIALS` (a service account key,
//! exchanged through the JWT bearer grant signed RS256 with `ring`, or gcloud's authorized user
//! with its refresh token), gcloud's well-known ADC file, then the metadata server
//! (`GCE_METADATA_HOST` overrides its address). Tokens are cached until five minutes before they
//! expire and never logged.

use base64::Engine;
use posture_collect_cloud::http::{Http, Request};
use posture_collect_cloud::json::{as_int, get, str_at};
use posture_collect_cloud::{Failure, TokenCache};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
}

pub enum Source {
    ServiceAccount { email: String, key: ring::signature::RsaKeyPair, key_id: Option<String>, token_uri: String },
    AuthorizedUser { client_id: String, client_secret: String, refresh_token: String, token_uri: String, quota_project: Option<String> },
    Metadata { host: String },
}

impl Source {
    pub fn from_env() -> Result<Source, CredentialsError> {
        if let Some(path) = std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").filter(|p| !p.is_empty()) {
            return Source::from_file(Path::new(&path));
        }
        if let Some(path) = well_known_file().filter(|p| p.is_file()) {
            return Source::from_file(&path);
        }
        let host = std::env::var("GCE_METADATA_HOST").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "169.254.169.254".into());
        Ok(Source::Metadata { host })
    }

    pub fn from_file(path: &Path) -> Result<Source, CredentialsError> {
        let file = path.display().to_string();
        let err = |message: String| CredentialsError::File { file: file.clone(), message };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| err(format!("not JSON: {e}")))?;
        let field = |k: &str| str_at(&v, &[k]).map(str::to_string).ok_or_else(|| err(format!("missing `{k}`")));
        match str_at(&v, &["type"]) {
            Some("service_account") => {
                let pem = field("private_key")?;
                let der = pem_body(&pem).ok_or_else(|| err("`private_key` is not a PEM private key".into()))?;
                let key = ring::signature::RsaKeyPair::from_pkcs8(&der).map_err(|e| err(format!("`private_key` is not a PKCS#8 RSA key: {e}")))?;
                Ok(Source::ServiceAccount {
                    email: field("client_email")?,
                    key,
                    key_id: str_at(&v, &["private_key_id"]).map(str::to_string),
                    token_uri: str_at(&v, &["token_uri"]).unwrap_or(GOOGLE_TOKEN_URI).to_string(),
                })
            }
            Some("authorized_user") => Ok(Source::AuthorizedUser {
                client_id: field("client_id")?,
                client_secret: field("client_secret")?,
                refresh_token: field("refresh_token")?,
                token_uri: str_at(&v, &["token_uri"]).unwrap_or(GOOGLE_TOKEN_URI).to_string(),
                quota_project: str_at(&v, &["quota_project_id"]).map(str::to_string),
            }),
            other => Err(err(format!("credential type {other:?} is not supported (service_account, authorized_user)"))),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::ServiceAccount { email, .. } => format!("service account {email}"),
            Source::AuthorizedUser { .. } => "gcloud application default credentials (user)".into(),
            Source::Metadata { .. } => "metadata server".into(),
        }
    }

    /// The project billed for API quota (user credentials need one).
    pub fn quota_project(&self) -> Option<&str> {
        match self {
            Source::AuthorizedUser { quota_project, .. } => quota_project.as_deref(),
            _ => None,
        }
    }
}

fn well_known_file() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CLOUDSDK_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("application_default_credentials.json"));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".config/gcloud/application_default_credentials.json"))
}

/// The DER bytes inside a PEM block.
fn pem_body(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok().filter(|b| !b.is_empty())
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A signed JWT asserting `email` for the token endpoint (RFC 7523).
fn assertion(email: &str, key: &ring::signature::RsaKeyPair, key_id: Option<&str>, token_uri: &str, now: i64) -> Result<String, Failure> {
    let mut header = json!({"alg": "RS256", "typ": "JWT"});
    if let Some(k) = key_id {
        header["kid"] = Value::from(k);
    }
    let claims = json!({"iss": email, "scope": SCOPE, "aud": token_uri, "iat": now, "exp": now + 3600});
    let signing_input = format!("{}.{}", b64url(header.to_string().as_bytes()), b64url(claims.to_string().as_bytes()));
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signing_input.as_bytes(), &mut sig)
        .map_err(|_| Failure::other("signing the token request failed"))?;
    Ok(format!("{signing_input}.{}", b64url(&sig)))
}

pub struct Credential {
    source: Source,
    cache: TokenCache,
}

impl Credential {
    pub fn new(source: Source) -> Credential {
        Credential { source, cache: TokenCache::default() }
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    /// A valid access token, fetched again when the cached one is about to expire.
    pub async fn token(&self, http: &Http) -> Result<String, Failure> {
        self.cache
            .get(|| async {
                let reply = self.fetch(http).await.map_err(|f| Failure { message: format!("{}: {}", self.source.describe(), f.message), ..f })?;
                let token = str_at(&reply, &["access_token"]).ok_or_else(|| Failure::other("the token endpoint answered without access_token"))?.to_string();
                let secs = get(&reply, "expires_in").and_then(as_int).unwrap_or(3600).max(60);
                Ok((token, Duration::from_secs(secs as u64)))
            })
            .await
    }

    async fn fetch(&self, http: &Http) -> Result<Value, Failure> {
        match &self.source {
            Source::ServiceAccount { email, key, key_id, token_uri } => {
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                let jwt = assertion(email, key, key_id.as_deref(), token_uri, now)?;
                let form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", jwt.as_str())];
                http.json(&Request::post_form(token_uri.clone(), &form)).await
            }
            Source::AuthorizedUser { client_id, client_secret, refresh_token, token_uri, .. } => {
                let form = [
                    ("grant_type", "refresh_token"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", client_secret.as_str()),
                    ("refresh_token", refresh_token.as_str()),
                ];
                http.json(&Request::post_form(token_uri.clone(), &form)).await
            }
            Source::Metadata { host } => {
                let url = format!("http://{host}/computeMetadata/v1/instance/service-accounts/default/token");
                http.json(&Request::get(url).header("metadata-flavor", "Google")).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assertion_is_a_verifiable_rs256_jwt() {
        let pem = include_str!("../../tests/fixtures/test-sa-key.pem");
        let key = ring::signature::RsaKeyPair::from_pkcs8(&pem_body(pem).unwrap()).unwrap();
        let jwt = assertion("sa@p.iam.gserviceaccount.com", &key, Some("kid1"), "https://t.example/token", 1_700_000_000).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let dec = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap();
        let header: Value = serde_json::from_slice(&dec(parts[0])).unwrap();
        let claims: Value = serde_json::from_slice(&dec(parts[1])).unwrap();
        assert_eq!((header["alg"].as_str(), header["kid"].as_str()), (Some("RS256"), Some("kid1")));
        assert_eq!(claims, json!({"iss": "sa@p.iam.gserviceaccount.com", "scope": SCOPE, "aud": "https://t.example/token", "iat": 1_700_000_000, "exp": 1_700_003_600}));
        let public = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, ring::signature::KeyPair::public_key(&key).as_ref());
        let signed = format!("{}.{}", parts[0], parts[1]);
        assert!(public.verify(signed.as_bytes(), &dec(parts[2])).is_ok());
        assert!(public.verify(b"tampered", &dec(parts[2])).is_err());
    }

    #[test]
    fn bad_credential_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.json");
        std::fs::write(&p, r#"{"type": "service_account", "client_email": "a@b", "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}"#).unwrap();
        let e = Source::from_file(&p).err().unwrap().to_string();
        assert!(e.contains("PKCS#8"), "{e}");
        std::fs::write(&p, r#"{"type": "external_account"}"#).unwrap();
        assert!(Source::from_file(&p).err().unwrap().to_string().contains("not supported"));
        std::fs::write(&p, r#"{"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r", "quota_project_id": "q"}"#).unwrap();
        let s = Source::from_file(&p).unwrap();
        assert_eq!(s.quota_project(), Some("q"));
    }
}
