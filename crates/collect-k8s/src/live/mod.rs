//! Live collection from a cluster's API server.
//!
//! Namespaces are listed first (their names serve the per-namespace fallback), then nodes (the
//! `k8s.core.cluster` resource says whether they were all listed: `nodes_listed`), then every other
//! type, each as a task under a small concurrency bound, page by page (`limit` + `continue`).
//! A failed listing is an issue located `cluster/<resource>:list` (or
//! `cluster/<namespace>/<resource>:list` for one namespace) and the rest goes on; only an
//! unreachable server or rejected credentials stop the collection. When RBAC denies a namespaced
//! type cluster-wide, it is listed namespace by namespace (a namespace admin can still be scanned).

mod client;
mod config;
mod secrets;

pub use client::{Failure, FailureKind};
pub use config::{Auth, ClusterConfig, ConfigError, LoadOptions, SERVICE_ACCOUNT_DIR};

use crate::map::{map_object_with, MapContext};
use client::ApiClient;
use posture_model::{Origin, Resource, SnapshotIssue};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Listings in flight at once.
    pub concurrency: usize,
    /// Objects per page (`limit`).
    pub page_size: u32,
    /// One attempt of one request, body included.
    pub timeout: Duration,
    /// Attempts per request when throttled (429) or on transient server/connection errors.
    pub max_attempts: u32,
    /// Longest wait between attempts, whatever `Retry-After` says.
    pub max_retry_wait: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            concurrency: 4,
            page_size: 500,
            timeout: Duration::from_secs(30),
            max_attempts: 5,
            max_retry_wait: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("cluster client: {0}")]
    Client(String),
    #[error("the API server could not be used: {0}")]
    Unusable(Failure),
}

#[derive(Debug, Default)]
pub struct CollectReport {
    pub cluster: String,
    /// Resources sent.
    pub resources: u64,
    /// Objects listed per resource type (`pods`, `secrets`, …).
    pub listed: BTreeMap<String, u64>,
    /// Listings that failed or objects that could not be mapped, sorted by location.
    pub issues: Vec<SnapshotIssue>,
}

impl CollectReport {
    /// Every listing succeeded: the snapshot covers the cluster in full.
    pub fn complete(&self) -> bool {
        self.issues.is_empty()
    }
}

/// One listable resource type.
#[derive(Debug, Clone, Copy)]
pub struct ApiType {
    pub plural: &'static str,
    pub kind: &'static str,
    pub api_version: &'static str,
    pub namespaced: bool,
}

const fn t(plural: &'static str, kind: &'static str, api_version: &'static str, namespaced: bool) -> ApiType {
    ApiType { plural, kind, api_version, namespaced }
}

const RBAC: &str = "rbac.authorization.k8s.io/v1";
const NET: &str = "networking.k8s.io/v1";

/// What a live scan lists, namespaces first.
pub const API_TYPES: &[ApiType] = &[
    t("namespaces", "Namespace", "v1", false),
    t("nodes", "Node", "v1", false),
    t("pods", "Pod", "v1", true),
    t("services", "Service", "v1", true),
    t("serviceaccounts", "ServiceAccount", "v1", true),
    t("secrets", "Secret", "v1", true),
    t("deployments", "Deployment", "apps/v1", true),
    t("daemonsets", "DaemonSet", "apps/v1", true),
    t("statefulsets", "StatefulSet", "apps/v1", true),
    t("jobs", "Job", "batch/v1", true),
    t("cronjobs", "CronJob", "batch/v1", true),
    t("networkpolicies", "NetworkPolicy", NET, true),
    t("ingresses", "Ingress", NET, true),
    t("roles", "Role", RBAC, true),
    t("rolebindings", "RoleBinding", RBAC, true),
    t("clusterroles", "ClusterRole", RBAC, false),
    t("clusterrolebindings", "ClusterRoleBinding", RBAC, false),
];

impl ApiType {
    /// `/api/v1/pods`, `/apis/apps/v1/namespaces/shop/deployments`, …
    pub fn path(&self, namespace: Option<&str>) -> String {
        let root = if self.api_version.contains('/') { "/apis" } else { "/api" };
        match namespace {
            Some(ns) => format!("{root}/{}/namespaces/{}/{}", self.api_version, encode(ns), self.plural),
            None => format!("{root}/{}/{}", self.api_version, self.plural),
        }
    }
}

/// Lists every type of [`API_TYPES`] and sends the mapped resources to `tx`.
pub async fn collect(
    cfg: &ClusterConfig,
    cluster: &str,
    opts: &LiveOptions,
    tx: Sender<Resource>,
) -> Result<CollectReport, CollectError> {
    let client = ApiClient::new(cfg, opts).map_err(CollectError::Client)?;
    let shared = Arc::new(Shared {
        client,
        cluster: cluster.to_string(),
        page_size: opts.page_size.max(1),
        tx,
        issues: Mutex::default(),
        listed: Mutex::default(),
        resources: AtomicU64::new(0),
        namespaces: Mutex::default(),
    });
    let (first, rest) = API_TYPES.split_first().ok_or_else(|| CollectError::Client("no resource types".into()))?;
    match shared.list(first, None).await {
        Ok(_) => {}
        Err((f, _))
            if matches!(f.kind, FailureKind::Unauthorized | FailureKind::Unreachable | FailureKind::Timeout) =>
        {
            return Err(CollectError::Unusable(f));
        }
        Err((f, _)) => shared.issue(format!("{cluster}/{}:list", first.plural), &f),
    }
    // Nodes before the cluster resource, which says whether they were all listed.
    let (nodes, rest): (Vec<&ApiType>, Vec<&ApiType>) = rest.iter().partition(|t| t.kind == "Node");
    let mut nodes_listed = true;
    for t in nodes {
        nodes_listed &= shared.list_all(t).await;
    }
    shared.emit_cluster(&cfg.server, nodes_listed).await;
    let limit = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for api_type in rest {
        let (shared, limit, api_type) = (shared.clone(), limit.clone(), *api_type);
        tasks.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else { return };
            shared.collect_type(&api_type).await;
        });
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            shared.push_issue(format!("{cluster}/collector"), format!("a listing task failed: {e}"));
        }
    }
    let mut issues = std::mem::take(&mut *lock(&shared.issues));
    issues.sort_by(|a, b| a.location.cmp(&b.location));
    let listed = std::mem::take(&mut *lock(&shared.listed));
    let resources = shared.resources.load(Ordering::Relaxed);
    Ok(CollectReport { cluster: cluster.to_string(), resources, listed, issues })
}

struct Shared {
    client: ApiClient,
    cluster: String,
    page_size: u32,
    tx: Sender<Resource>,
    issues: Mutex<Vec<SnapshotIssue>>,
    listed: Mutex<BTreeMap<String, u64>>,
    resources: AtomicU64,
    namespaces: Mutex<Vec<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panicking task cannot leave these plain collections half-updated in a harmful way.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    async fn collect_type(&self, t: &ApiType) {
        let location = format!("{}/{}:list", self.cluster, t.plural);
        match self.list(t, None).await {
            Ok(_) => {}
            // Denied cluster-wide before anything was read: try each namespace.
            Err((f, 0)) if f.kind == FailureKind::Denied && t.namespaced => self.per_namespace(t, f).await,
            Err((f, _)) => self.issue(location, &f),
        }
    }

    /// Lists a cluster-scoped type; whether every object was listed and mapped.
    async fn list_all(&self, t: &ApiType) -> bool {
        let location = format!("{}/{}:list", self.cluster, t.plural);
        if let Err((f, _)) = self.list(t, None).await {
            self.issue(location.clone(), &f);
        }
        !lock(&self.issues).iter().any(|i| i.location == location)
    }

    async fn per_namespace(&self, t: &ApiType, cluster_wide: Failure) {
        let namespaces = lock(&self.namespaces).clone();
        let mut denied = Vec::new();
        for ns in &namespaces {
            match self.list(t, Some(ns)).await {
                Ok(_) => {}
                Err((f, _)) if f.kind == FailureKind::Denied => denied.push(ns.clone()),
                Err((f, _)) => self.issue(format!("{}/{ns}/{}:list", self.cluster, t.plural), &f),
            }
        }
        if denied.len() == namespaces.len() {
            let mut f = cluster_wide;
            if !namespaces.is_empty() {
                f.message = format!("{} (and in each of the {} namespaces)", f.message, namespaces.len());
            }
            self.issue(format!("{}/{}:list", self.cluster, t.plural), &f);
            return;
        }
        for ns in denied {
            self.issue(
                format!("{}/{ns}/{}:list", self.cluster, t.plural),
                &Failure { kind: FailureKind::Denied, message: cluster_wide.message.clone() },
            );
        }
    }

    /// Pages through one listing; on failure also says how many objects were already sent.
    async fn list(&self, t: &ApiType, namespace: Option<&str>) -> Result<u64, (Failure, u64)> {
        let mut sent = 0u64;
        let mut token: Option<String> = None;
        loop {
            let mut path = format!("{}?limit={}", t.path(namespace), self.page_size);
            if let Some(c) = &token {
                path.push_str("&continue=");
                path.push_str(&encode(c));
            }
            let body = self.client.get(&path).await.map_err(|f| (f, sent))?;
            let page = parse_page(t, &body).map_err(|message| (Failure { kind: FailureKind::Other, message }, sent))?;
            drop(body);
            *lock(&self.listed).entry(t.plural.to_string()).or_default() += page.items.len() as u64;
            for item in page.items {
                sent += self.emit(t, item).await;
            }
            token = page.next.filter(|c| !c.is_empty());
            if token.is_none() {
                return Ok(sent);
            }
        }
    }

    /// Sends the `k8s.core.cluster` resource, with the server version when `/version` answers.
    async fn emit_cluster(&self, server: &str, nodes_listed: bool) {
        let body = self.client.get("/version").await.ok();
        let parsed: Option<Value> = body.and_then(|b| serde_json::from_slice(&b).ok());
        let version = parsed.as_ref().and_then(|v| v.get("gitVersion")).and_then(Value::as_str);
        let origin = Origin::Api { service: "v1".into() };
        let facts = crate::ClusterFacts { server: Some(server), server_version: version, nodes_listed: Some(nodes_listed) };
        // A closed receiver means the caller gave up; nothing left to do with it.
        if self.tx.send(crate::cluster_resource(&self.cluster, &origin, facts)).await.is_ok() {
            self.resources.fetch_add(1, Ordering::Relaxed);
        }
    }

    async fn emit(&self, t: &ApiType, mut item: Value) -> u64 {
        if let Some(map) = item.as_object_mut() {
            map.insert("kind".into(), Value::String(t.kind.into()));
            map.insert("apiVersion".into(), Value::String(t.api_version.into()));
        }
        if t.kind == "Namespace" {
            if let Some(name) = item.pointer("/metadata/name").and_then(Value::as_str) {
                lock(&self.namespaces).push(name.to_string());
            }
        }
        let origin = Origin::Api { service: t.api_version.to_string() };
        let ctx = MapContext { cluster: &self.cluster, origin: &origin, default_namespace: None };
        match map_object_with(&ctx, &item) {
            Ok(resources) => {
                let n = resources.len() as u64;
                for r in resources {
                    // A closed receiver means the caller gave up; nothing left to do with it.
                    let _ = self.tx.send(r).await;
                }
                self.resources.fetch_add(n, Ordering::Relaxed);
                n
            }
            Err(e) => {
                let ns = item.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("");
                let name = item.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("?");
                self.push_issue(
                    format!("{}/{}:list", self.cluster, t.plural),
                    format!("{} {ns}/{name} could not be mapped: {e}", t.kind),
                );
                0
            }
        }
    }

    fn issue(&self, location: String, f: &Failure) {
        self.push_issue(location, f.to_string());
    }

    fn push_issue(&self, location: String, message: String) {
        lock(&self.issues).push(SnapshotIssue { location, message });
    }
}

pub(super) struct Page {
    pub(super) items: Vec<Value>,
    pub(super) next: Option<String>,
}

fn parse_page(t: &ApiType, body: &[u8]) -> Result<Page, String> {
    if t.kind == "Secret" {
        return secrets::parse_page(body);
    }
    #[derive(serde::Deserialize)]
    struct List {
        #[serde(default)]
        metadata: ListMeta,
        #[serde(default)]
        items: Option<Vec<Value>>,
    }
    let list: List =
        serde_json::from_slice(body).map_err(|e| format!("the {} list is not valid JSON: {e}", t.plural))?;
    Ok(Page { items: list.items.unwrap_or_default(), next: list.metadata.next })
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ListMeta {
    #[serde(default, rename = "continue")]
    pub(super) next: Option<String>,
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_api_layout() {
        let find = |p: &str| API_TYPES.iter().find(|t| t.plural == p).copied().unwrap();
        assert_eq!(find("pods").path(None), "/api/v1/pods");
        assert_eq!(find("deployments").path(Some("shop")), "/apis/apps/v1/namespaces/shop/deployments");
        assert_eq!(find("clusterroles").path(None), "/apis/rbac.authorization.k8s.io/v1/clusterroles");
        assert_eq!(encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
    }
}
