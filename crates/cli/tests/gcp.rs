//! `posture scan gcp-export` on a Cloud Asset Inventory export, and `posture scan gcp` against a
//! stand-in Cloud Asset API (and OAuth token endpoint) that pages, throttles once and denies one
//! project.

mod cloud_server;

use base64_free::decode_url;
use cloud_server::{serve, Reply, Request};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const P: &str = "acme-shop-prod";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../collect-gcp/tests/fixtures").join(name)
}

fn posture(db: &Path, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_posture"));
    cmd.arg("--db").arg(db).args(args).env_clear().env("HOME", home).env("PATH", "/nonexistent");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("posture runs")
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn findings(db: &Path, home: &Path, state: &str, rules: &[&str]) -> BTreeSet<(String, String)> {
    let all = json_of(&posture(db, home, &["--format", "json", "findings", "--state", state], &[]));
    all.as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.contains(&f["rule_id"].as_str().unwrap_or_default()))
        .map(|f| (f["rule_id"].as_str().unwrap_or_default().to_string(), f["name"].as_str().unwrap_or_default().to_string()))
        .collect()
}

fn set(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn header(snapshot: &Path) -> Value {
    let text = std::fs::read_to_string(snapshot).unwrap();
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

const CHECKED: &[&str] = &[
    "GCP.STORAGE.1", "GCP.COMPUTE.1", "GCP.COMPUTE.4", "GCP.COMPUTE.5", "GCP.COMPUTE.9", "GCP.COMPUTE.12", "GCP.IAM.1", "GCP.IAM.2",
    "GCP.KMS.1", "GCP.SQL.1", "GCP.SQL.2", "GCP.RESOURCEMANAGER.4",
];

#[test]
fn an_exported_estate_gives_exactly_its_misconfigurations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let snap = dir.path().join("gcp.ndjson");
    let (export, list) = (fixture("cai-export.ndjson"), fixture("cai-list.json"));
    let out = posture(&db, dir.path(), &["scan", "gcp-export", export.to_str().unwrap(), list.to_str().unwrap(), "--save-snapshot", snap.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pubsub.googleapis.com/Topic: 1"));
    let expected = set(&[
        ("GCP.STORAGE.1", "acme-shop-public-assets"),
        ("GCP.COMPUTE.1", "web-1"),
        ("GCP.COMPUTE.4", "batch-1"),
        ("GCP.COMPUTE.5", "web-1"),
        ("GCP.COMPUTE.9", "default-allow-ssh"),
        ("GCP.COMPUTE.12", "web-1"),
        ("GCP.IAM.1", "deployer@acme-shop-prod.iam.gserviceaccount.com"),
        ("GCP.IAM.2", "deployer@acme-shop-prod.iam.gserviceaccount.com"),
        ("GCP.KMS.1", "disks"),
        ("GCP.SQL.1", "pg-orders"),
        ("GCP.SQL.2", "pg-orders"),
        ("GCP.RESOURCEMANAGER.4", P),
    ]);
    let failing = findings(&db, dir.path(), "fail", CHECKED);
    assert_eq!(failing, expected, "unexpected: {:?}\nmissing: {:?}", failing.difference(&expected), expected.difference(&failing));
    let scans = json_of(&posture(&db, dir.path(), &["--format", "json", "scans", "--issues", "1"], &[])).to_string();
    assert!(scans.contains("cai-export.ndjson:7"), "{scans}");
    assert_eq!(header(&snap)["accounts"], json!([]));
}

/// A minimal URL-safe base64 decoder, so the test can read the JWT the collector sends.
mod base64_free {
    pub fn decode_url(s: &str) -> Vec<u8> {
        let val = |c: u8| match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'-' => Some(62),
            b'_' => Some(63),
            _ => None,
        };
        let bits: Vec<u8> = s.bytes().filter_map(val).collect();
        let mut out = Vec::new();
        for chunk in bits.chunks(4) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (18 - 6 * i)));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
        }
        out
    }
}

fn asset(name: &str, t: &str, data: Value) -> Value {
    json!({"name": name, "assetType": t, "ancestors": ["projects/900100", "organizations/55"], "resource": {"data": data, "location": "europe-west1"}})
}

/// The stand-in Google: OAuth token endpoint and Cloud Asset API.
fn google(throttled: Arc<AtomicUsize>) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |req: &Request| {
        let path = req.path().to_string();
        if path == "/token" {
            let jwt = req.body.split("assertion=").nth(1).unwrap_or_default().to_string();
            let claims: Value = serde_json::from_slice(&decode_url(jwt.split('.').nth(1).unwrap_or_default())).unwrap_or(Value::Null);
            let grant = req.body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
            return if grant && claims["iss"] == "posture-reader@acme-a.iam.gserviceaccount.com" && jwt.split('.').count() == 3 {
                Reply::json(200, json!({"access_token": "ya29.test", "expires_in": 3599, "token_type": "Bearer"}))
            } else {
                Reply::json(400, json!({"error": "invalid_grant", "error_description": "bad assertion"}))
            };
        }
        if req.header("authorization") != Some("Bearer ya29.test") {
            return Reply::json(401, json!({"error": {"code": 401, "message": "no token", "status": "UNAUTHENTICATED"}}));
        }
        if path == "/v1/projects/acme-denied/assets" {
            return Reply::json(403, json!({"error": {"code": 403, "message": "caller lacks cloudasset.assets.listResource", "status": "PERMISSION_DENIED"}}));
        }
        if path != "/v1/projects/acme-a/assets" {
            return Reply::json(404, json!({"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}));
        }
        let iam = req.target.contains("contentType=IAM_POLICY");
        let page2 = req.target.contains("pageToken=next%2Fpage%3D2");
        if iam {
            return Reply::json(200, json!({"assets": [{"name": "//storage.googleapis.com/projects/_/buckets/acme-a-drop", "assetType": "storage.googleapis.com/Bucket",
                "ancestors": ["projects/900100", "organizations/55"], "iamPolicy": {"bindings": [{"role": "roles/storage.objectViewer", "members": ["allUsers"]}]}}]}));
        }
        if !page2 && throttled.fetch_add(1, Ordering::SeqCst) == 0 {
            return Reply::json(429, json!({"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}})).with_header("Retry-After", "1");
        }
        if !page2 {
            return Reply::json(200, json!({"readTime": "2026-11-28T08:00:00Z", "nextPageToken": "next/page=2", "assets": [
                asset("//cloudresourcemanager.googleapis.com/projects/900100", "cloudresourcemanager.googleapis.com/Project",
                      json!({"projectId": "acme-a", "projectNumber": "900100", "lifecycleState": "ACTIVE", "parent": {"type": "organization", "id": "55"}})),
                asset("//storage.googleapis.com/projects/_/buckets/acme-a-drop", "storage.googleapis.com/Bucket",
                      json!({"name": "acme-a-drop", "location": "EU", "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": true}}})),
            ]}));
        }
        Reply::json(200, json!({"assets": [
            asset("//compute.googleapis.com/projects/acme-a/global/firewalls/open-ssh", "compute.googleapis.com/Firewall",
                  json!({"name": "open-ssh", "network": "projects/acme-a/global/networks/default", "direction": "INGRESS", "sourceRanges": ["0.0.0.0/0"],
                         "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}]})),
        ]}))
    }
}

#[test]
fn live_collection_pages_retries_throttling_and_records_a_denied_project() {
    let throttled = Arc::new(AtomicUsize::new(0));
    let server = serve(google(throttled.clone()));
    let dir = tempfile::tempdir().unwrap();
    let mut sa: Value = serde_json::from_str(&std::fs::read_to_string(fixture("test-sa.json")).unwrap()).unwrap();
    sa["token_uri"] = Value::from(format!("{}/token", server.url));
    let creds = dir.path().join("sa.json");
    std::fs::write(&creds, sa.to_string()).unwrap();
    let db = dir.path().join("p.db");
    let snap = dir.path().join("gcp.ndjson");
    let env = [("GOOGLE_APPLICATION_CREDENTIALS", creds.to_str().unwrap())];
    let out = posture(
        &db,
        dir.path(),
        &["--format", "json", "scan", "gcp", "--project", "acme-a,acme-denied", "--cai-endpoint", &server.url, "--save-snapshot", snap.to_str().unwrap()],
        &env,
    );
    let report = json_of(&out);
    let issues: Vec<String> = report["issues"].as_array().unwrap().iter().map(|i| format!("{} {}", i["location"].as_str().unwrap(), i["message"].as_str().unwrap())).collect();
    assert!(issues.iter().any(|i| i.starts_with("projects/acme-denied/assets.list:RESOURCE") && i.contains("[denied]")), "{issues:#?}");
    assert_eq!(issues.len(), 2, "RESOURCE and IAM_POLICY of the denied project only: {issues:#?}");
    assert_eq!(throttled.load(Ordering::SeqCst), 2, "the 429 was answered once and retried");
    assert_eq!(header(&snap)["accounts"], json!(["acme-a"]));
    let failing = findings(&db, dir.path(), "fail", &["GCP.STORAGE.1", "GCP.COMPUTE.9"]);
    assert_eq!(failing, set(&[("GCP.STORAGE.1", "acme-a-drop"), ("GCP.COMPUTE.9", "open-ssh")]));
    assert!(server.requests().iter().any(|r| r.contains("pageToken=next%2Fpage%3D2")), "the second page was asked for");
}

#[test]
fn missing_credentials_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = posture(&dir.path().join("p.db"), dir.path(), &["scan", "gcp", "--project", "x"], &[("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/sa.json")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/sa.json"));
}
