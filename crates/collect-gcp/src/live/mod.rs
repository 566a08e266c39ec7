//! Live collection through the Cloud Asset API (`v1/{parent}/assets`, `pageToken` paging), once
//! for resource content and once for IAM policies, per parent (`projects/P`, `folders/F`,
//! `organizations/O`). Assets go to `out` as the API returns them, with `posture.listed` markers
//! for each listing that completed; `crate::import` maps that spool like an export.
//!
//! A failed listing is recorded as `<parent>/assets.list:<content type>` and leaves that parent's
//! projects uncovered; the other parents are still collected.

pub mod auth;

use crate::asset::LISTED;
use auth::Credential;
use posture_collect_cloud::http::{query_encode, Http, HttpOptions, Request};
use posture_collect_cloud::json::{arr_at, str_at};
use posture_collect_cloud::Failure;
use posture_model::SnapshotIssue;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// Asset types Posture reads (mapped kinds and the types folded into them).
pub const ASSET_TYPES: &[&str] = &[
    "cloudresourcemanager.googleapis.com/Organization",
    "cloudresourcemanager.googleapis.com/Folder",
    "cloudresourcemanager.googleapis.com/Project",
    "compute.googleapis.com/Project",
    "compute.googleapis.com/Instance",
    "compute.googleapis.com/Firewall",
    "compute.googleapis.com/Network",
    "compute.googleapis.com/Subnetwork",
    "compute.googleapis.com/BackendService",
    "compute.googleapis.com/RegionBackendService",
    "compute.googleapis.com/TargetHttpsProxy",
    "compute.googleapis.com/RegionTargetHttpsProxy",
    "compute.googleapis.com/TargetSslProxy",
    "compute.googleapis.com/SslPolicy",
    "storage.googleapis.com/Bucket",
    "iam.googleapis.com/ServiceAccount",
    "iam.googleapis.com/ServiceAccountKey",
    "cloudkms.googleapis.com/CryptoKey",
    "apikeys.googleapis.com/Key",
    "sqladmin.googleapis.com/Instance",
    "container.googleapis.com/Cluster",
    "bigquery.googleapis.com/Dataset",
    "bigquery.googleapis.com/Table",
    "cloudfunctions.googleapis.com/CloudFunction",
    "cloudfunctions.googleapis.com/Function",
    "dataproc.googleapis.com/Cluster",
    "dns.googleapis.com/ManagedZone",
    "dns.googleapis.com/Policy",
    "logging.googleapis.com/LogSink",
    "logging.googleapis.com/LogMetric",
    "monitoring.googleapis.com/AlertPolicy",
    "serviceusage.googleapis.com/Service",
    "essentialcontacts.googleapis.com/Contact",
];

#[derive(Debug, Clone)]
pub struct GcpOptions {
    /// `projects/P`, `folders/F` or `organizations/O`.
    pub parents: Vec<String>,
    /// Cloud Asset API base URL.
    pub cai_endpoint: String,
    pub http: HttpOptions,
}

impl Default for GcpOptions {
    fn default() -> Self {
        GcpOptions { parents: Vec::new(), cai_endpoint: "https://cloudasset.googleapis.com".into(), http: HttpOptions::default() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LiveReport {
    /// Parents whose listings all completed.
    pub complete_parents: Vec<String>,
    pub failed_parents: Vec<String>,
    pub issues: Vec<SnapshotIssue>,
    pub assets: u64,
}

pub async fn collect(opts: &GcpOptions, cred: Arc<Credential>, out: Sender<Value>) -> Result<LiveReport, Failure> {
    let http = Http::new(opts.http.clone());
    cred.token(&http).await?;
    let base = opts.cai_endpoint.trim_end_matches('/');
    let mut report = LiveReport::default();
    for parent in &opts.parents {
        let mut ok = true;
        for content in ["RESOURCE", "IAM_POLICY"] {
            match list(&http, &cred, base, parent, content, &out).await {
                Ok(n) => {
                    report.assets += n;
                    let key = if content == "RESOURCE" { "types" } else { "iam_policy_types" };
                    let _ = out.send(json!({"name": parent, "asset_type": LISTED, key: ASSET_TYPES})).await;
                }
                Err(f) => {
                    ok = false;
                    report.issues.push(SnapshotIssue { location: format!("{parent}/assets.list:{content}"), message: f.to_string() });
                }
            }
        }
        if ok {
            report.complete_parents.push(parent.clone());
        } else {
            report.failed_parents.push(parent.clone());
        }
    }
    Ok(report)
}

async fn list(http: &Http, cred: &Credential, base: &str, parent: &str, content: &str, out: &Sender<Value>) -> Result<u64, Failure> {
    let types: String = ASSET_TYPES.iter().map(|t| format!("&assetTypes={}", query_encode(t))).collect();
    let mut token: Option<String> = None;
    let mut n = 0;
    loop {
        let mut url = format!("{base}/v1/{parent}/assets?contentType={content}&pageSize=1000{types}");
        if let Some(t) = &token {
            url.push_str(&format!("&pageToken={}", query_encode(t)));
        }
        let mut req = Request::get(url).bearer(&cred.token(http).await?);
        if let Some(q) = cred.source().quota_project() {
            req = req.header("x-goog-user-project", q);
        }
        let page = http.json(&req).await?;
        for asset in arr_at(&page, &["assets"]) {
            n += 1;
            let _ = out.send(asset.clone()).await;
        }
        token = str_at(&page, &["nextPageToken"]).filter(|t| !t.is_empty()).map(str::to_string);
        if token.is_none() {
            return Ok(n);
        }
    }
}
