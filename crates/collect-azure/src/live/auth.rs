//! Bearer tokens for Azure Resource Manager, from the documented token endpoints, in the order
//! the Azure SDKs' default credential tries them: a service principal's client secret
//! (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`), workload identity federation
//! (`AZURE_FEDERATED_TOKEN_FILE`), App Service managed identity (`IDENTITY_ENDPOINT`,
//! `IDENTITY_HEADER`), the Azure CLI (`az account get-access-token`), and the instance metadata
//! service of a VM. `AZURE_AUTHORITY_HOST` points the Entra ID calls elsewhere (sovereign clouds,
//! tests). Tokens are cached until five minutes before they expire; they are never logged.

use posture_collect_cloud::http::{Http, Request};
use posture_collect_cloud::json::{as_int, get, str_at};
use posture_collect_cloud::{Failure, TokenCache};
use std::time::Duration;

const ARM_RESOURCE: &str = "https://management.azure.com/";

#[derive(Debug, Clone)]
pub enum Source {
    ClientSecret { authority: String, tenant: String, client_id: String, secret: String },
    WorkloadIdentity { authority: String, tenant: String, client_id: String, token_file: String },
    AppService { endpoint: String, header: String, client_id: Option<String> },
    AzureCli,
    Imds { client_id: Option<String> },
}

impl Source {
    /// The first source the environment configures; the metadata service when none is.
    pub fn from_env() -> Source {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let authority = var("AZURE_AUTHORITY_HOST").unwrap_or_else(|| "https://login.microsoftonline.com".into());
        let authority = authority.trim_end_matches('/').to_string();
        if let (Some(tenant), Some(client_id), Some(secret)) = (var("AZURE_TENANT_ID"), var("AZURE_CLIENT_ID"), var("AZURE_CLIENT_SECRET")) {
            return Source::ClientSecret { authority, tenant, client_id, secret };
        }
        if let (Some(tenant), Some(client_id), Some(token_file)) = (var("AZURE_TENANT_ID"), var("AZURE_CLIENT_ID"), var("AZURE_FEDERATED_TOKEN_FILE")) {
            return Source::WorkloadIdentity { authority, tenant, client_id, token_file };
        }
        if let (Some(endpoint), Some(header)) = (var("IDENTITY_ENDPOINT"), var("IDENTITY_HEADER")) {
            return Source::AppService { endpoint, header, client_id: var("AZURE_CLIENT_ID") };
        }
        if on_path("az") {
            return Source::AzureCli;
        }
        Source::Imds { client_id: var("AZURE_CLIENT_ID") }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Source::ClientSecret { .. } => "service principal (client secret)",
            Source::WorkloadIdentity { .. } => "workload identity (federated token)",
            Source::AppService { .. } => "App Service managed identity",
            Source::AzureCli => "Azure CLI",
            Source::Imds { .. } => "VM managed identity (instance metadata service)",
        }
    }
}

fn on_path(exe: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
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

    /// A valid ARM token, fetched again when the cached one is about to expire.
    pub async fn token(&self, http: &Http) -> Result<String, Failure> {
        let describe = |f: Failure| Failure { message: format!("{}: {}", self.source.describe(), f.message), ..f };
        self.cache.get(|| async { self.fetch(http).await.map_err(describe) }).await
    }

    async fn fetch(&self, http: &Http) -> Result<(String, Duration), Failure> {
        let scope = format!("{ARM_RESOURCE}.default");
        let reply = match &self.source {
            Source::ClientSecret { authority, tenant, client_id, secret } => {
                let url = format!("{authority}/{tenant}/oauth2/v2.0/token");
                let form = [("grant_type", "client_credentials"), ("client_id", client_id.as_str()), ("client_secret", secret.as_str()), ("scope", scope.as_str())];
                http.json(&Request::post_form(url, &form)).await?
            }
            Source::WorkloadIdentity { authority, tenant, client_id, token_file } => {
                let assertion = std::fs::read_to_string(token_file).map_err(|e| Failure::other(format!("reading {token_file}: {e}")))?;
                let url = format!("{authority}/{tenant}/oauth2/v2.0/token");
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", assertion.trim()),
                    ("scope", scope.as_str()),
                ];
                http.json(&Request::post_form(url, &form)).await?
            }
            Source::AppService { endpoint, header, client_id } => {
                let mut url = format!("{endpoint}?api-version=2019-08-01&resource={}", posture_collect_cloud::http::query_encode(ARM_RESOURCE));
                if let Some(c) = client_id {
                    url.push_str(&format!("&client_id={c}"));
                }
                http.json(&Request::get(url).header("x-identity-header", header.clone())).await?
            }
            Source::Imds { client_id } => {
                let mut url = format!(
                    "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource={}",
                    posture_collect_cloud::http::query_encode(ARM_RESOURCE)
                );
                if let Some(c) = client_id {
                    url.push_str(&format!("&client_id={c}"));
                }
                http.json(&Request::get(url).header("metadata", "true")).await?
            }
            Source::AzureCli => return azure_cli().await,
        };
        let token = str_at(&reply, &["access_token"]).ok_or_else(|| Failure::other("the token endpoint answered without access_token"))?;
        let secs = get(&reply, "expires_in").and_then(as_int).unwrap_or(3600).max(60);
        Ok((token.to_string(), Duration::from_secs(secs as u64)))
    }
}

async fn azure_cli() -> Result<(String, Duration), Failure> {
    let out = tokio::process::Command::new("az")
        .args(["account", "get-access-token", "--resource", ARM_RESOURCE, "--output", "json"])
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| Failure::other(format!("running az: {e}")))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr);
        return Err(Failure::other(format!("az account get-access-token failed: {}", text.trim())));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| Failure::other(format!("az answered something that is not JSON: {e}")))?;
    let token = str_at(&v, &["accessToken"]).ok_or_else(|| Failure::other("az answered without accessToken"))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires = get(&v, "expires_on").and_then(as_int).map(|e| e - now).unwrap_or(1800).max(60);
    Ok((token.to_string(), Duration::from_secs(expires as u64)))
}
