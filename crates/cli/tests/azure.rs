//! `posture scan azure-export` on Resource Graph exports, and `posture scan azure` against a
//! stand-in Azure (token endpoint, Resource Graph, ARM) that pages, throttles once and denies one
//! subscription.

mod cloud_server;

use cloud_server::{serve, Reply, Request};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const S1: &str = "5a3c6f0e-8d21-4b7a-9e44-1c2d3e4f5a6b";
const S2: &str = "c7d8e9f0-1a2b-4c3d-8e5f-6a7b8c9d0e1f";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../collect-azure/tests/fixtures").join(name)
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

/// (rule, resource name, account) of the open findings in `state` among `rules`.
fn findings(db: &Path, home: &Path, state: &str, rules: &[&str]) -> BTreeSet<(String, String, String)> {
    let all = json_of(&posture(db, home, &["--format", "json", "findings", "--state", state], &[]));
    all.as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.contains(&f["rule_id"].as_str().unwrap_or_default()))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule_id"), s("name"), s("account"))
        })
        .collect()
}

fn set(list: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    list.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

fn header(snapshot: &Path) -> Value {
    let text = std::fs::read_to_string(snapshot).unwrap();
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

const CHECKED: &[&str] = &[
    "AZURE.NETWORK.2", "AZURE.COMPUTE.4", "AZURE.COMPUTE.5", "AZURE.STORAGE.2", "AZURE.STORAGE.3", "AZURE.SECURITY.2",
    "AZURE.AUTHORIZATION.1", "AZURE.AUTHORIZATION.3", "AZURE.NETWORK.5", "AZURE.WEB.1",
];

#[test]
fn an_exported_estate_gives_exactly_its_misconfigurations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let snap = dir.path().join("azure.ndjson");
    let (p1, p2) = (fixture("arg-page1.json"), fixture("arg-page2.json"));
    let out = posture(&db, dir.path(), &["scan", "azure-export", p1.to_str().unwrap(), p2.to_str().unwrap(), "--save-snapshot", snap.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("microsoft.insights/components: 2"), "unmapped types are reported once per type: {stderr}");

    let owner = "Owner for ServicePrincipal 7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a";
    let expected = set(&[
        ("AZURE.NETWORK.2", "nsg-fab-prod-web", S1),
        ("AZURE.COMPUTE.4", "vm-fab-web-01", S1),
        ("AZURE.COMPUTE.5", "vm-fab-web-01", S1),
        ("AZURE.STORAGE.2", "stfabprodpublic", S1),
        ("AZURE.STORAGE.3", "stfabprodpublic", S1),
        ("AZURE.SECURITY.2", "VirtualMachines", S1),
        ("AZURE.AUTHORIZATION.1", owner, S1),
        ("AZURE.AUTHORIZATION.3", "Fabrikam Ops Superuser", S1),
        ("AZURE.NETWORK.5", "nsg-fab-prod-web", S1),
        ("AZURE.WEB.1", "app-fab-storefront", S1),
    ]);
    let failing = findings(&db, dir.path(), "fail", CHECKED);
    assert_eq!(failing, expected, "unexpected: {:?}\nmissing: {:?}", failing.difference(&expected), expected.difference(&failing));
    // What the export could not tell stays unknown: the sandbox NSG's flow log.
    let unknown = findings(&db, dir.path(), "unknown", CHECKED);
    assert_eq!(unknown, set(&[("AZURE.NETWORK.5", "nsg-fab-sbx", S2)]));

    // The malformed item is a problem on the scan, located in its file; the export claims nothing.
    let scans = json_of(&posture(&db, dir.path(), &["--format", "json", "scans", "--issues", "1"], &[]));
    let text = scans.to_string();
    assert!(text.contains("arg-page1.json#data[36]"), "{text}");
    assert_eq!(header(&snap)["accounts"], json!([]));
    assert_eq!(header(&snap)["source"], json!("azure-export"));
}

#[test]
fn a_complete_export_claims_its_subscriptions() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("s.ndjson");
    let p2 = fixture("arg-page2.json");
    let out = posture(&dir.path().join("p.db"), dir.path(), &["scan", "azure-export", "--complete", p2.to_str().unwrap(), "--save-snapshot", snap.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(header(&snap)["accounts"], json!([S2]));
}

fn arm(id: &str, rtype: &str, props: Value) -> Value {
    let name = id.rsplit('/').next().unwrap_or_default();
    json!({"id": id, "name": name, "type": rtype, "location": "westeurope", "subscriptionId": S1, "resourceGroup": "rg-live", "tags": {}, "properties": props})
}

/// The stand-in Azure: Entra token endpoint, Resource Graph and the ARM calls.
fn azure(throttled: Arc<AtomicUsize>) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    let rg = format!("/subscriptions/{S1}/resourceGroups/rg-live/providers");
    let st = format!("{rg}/Microsoft.Storage/storageAccounts/stlive");
    let nsg = format!("{rg}/Microsoft.Network/networkSecurityGroups/nsg-live");
    let pip = format!("{rg}/Microsoft.Network/publicIPAddresses/pip-live");
    move |req: &Request| {
        let path = req.path();
        if path == "/tenant-x/oauth2/v2.0/token" {
            return if req.body.contains("client_secret=s3cret") && req.body.contains("grant_type=client_credentials") {
                Reply::json(200, json!({"access_token": "tok-1", "expires_in": 3600, "token_type": "Bearer"}))
            } else {
                Reply::json(401, json!({"error": "invalid_client", "error_description": "bad secret"}))
            };
        }
        if req.header("authorization") != Some("Bearer tok-1") {
            return Reply::json(401, json!({"error": {"code": "InvalidAuthenticationToken", "message": "no token"}}));
        }
        if path == "/providers/Microsoft.ResourceGraph/resources" {
            let body = req.json();
            let sub = body["subscriptions"][0].as_str().unwrap_or_default().to_string();
            let query = body["query"].as_str().unwrap_or_default().to_string();
            if sub == S2 {
                return Reply::json(403, json!({"error": {"code": "AuthorizationFailed", "message": "no access to Microsoft.ResourceGraph/resources/read"}}));
            }
            if query.starts_with("resourcecontainers") {
                if throttled.fetch_add(1, Ordering::SeqCst) == 0 {
                    return Reply::json(429, json!({"error": {"code": "RateLimiting", "message": "slow down"}})).with_header("Retry-After", "1");
                }
                let item = json!({"id": format!("/subscriptions/{S1}"), "name": "Live", "type": "microsoft.resources/subscriptions", "subscriptionId": S1,
                                  "tenantId": "t", "properties": {"state": "Enabled"}});
                return Reply::json(200, json!({"totalRecords": 1, "count": 1, "data": [item], "resultTruncated": "false"}));
            }
            if query.starts_with("resources") {
                return match body["options"]["$skipToken"].as_str() {
                    None => Reply::json(200, json!({"count": 2, "data": [
                        arm(&st, "microsoft.storage/storageaccounts", json!({"allowBlobPublicAccess": true, "supportsHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_2"})),
                        arm(&nsg, "microsoft.network/networksecuritygroups", json!({"securityRules": [{"name": "ssh", "properties": {"protocol": "Tcp", "access": "Allow",
                            "direction": "Inbound", "priority": 100, "sourceAddressPrefix": "Internet", "destinationPortRange": "22"}}]})),
                    ], "$skipToken": "page-2"})),
                    Some("page-2") => Reply::json(200, json!({"count": 1, "data": [
                        json!({"id": pip, "name": "pip-live", "type": "microsoft.network/publicipaddresses", "location": "westeurope", "subscriptionId": S1,
                               "sku": {"name": "Basic"}, "properties": {"ipAddress": "20.1.2.3", "publicIPAllocationMethod": "Static"}}),
                    ]})),
                    Some(_) => Reply::json(400, json!({"error": {"code": "BadSkipToken", "message": "?"}})),
                };
            }
            return Reply::json(200, json!({"count": 0, "data": []}));
        }
        let sub = format!("/subscriptions/{S1}/providers/");
        if let Some(rest) = path.strip_prefix(&sub) {
            return match rest {
                "Microsoft.Authorization/roleAssignments" => Reply::json(200, json!({"value": [{
                    "id": format!("/subscriptions/{S1}/providers/Microsoft.Authorization/roleAssignments/aaaa"), "name": "aaaa",
                    "type": "Microsoft.Authorization/roleAssignments",
                    "properties": {"roleDefinitionId": format!("/subscriptions/{S1}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
                                   "principalId": "p-1", "principalType": "ServicePrincipal", "scope": format!("/subscriptions/{S1}")}}]})),
                "Microsoft.Authorization/roleDefinitions" => Reply::json(200, json!({"value": [{
                    "id": format!("/subscriptions/{S1}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
                    "type": "Microsoft.Authorization/roleDefinitions", "properties": {"roleName": "Owner", "type": "BuiltInRole", "permissions": [{"actions": ["*"]}]}}]})),
                "Microsoft.Security/pricings" => Reply::json(200, json!({"value": [{
                    "id": format!("/subscriptions/{S1}/providers/Microsoft.Security/pricings/VirtualMachines"), "name": "VirtualMachines",
                    "type": "Microsoft.Security/pricings", "properties": {"pricingTier": "Free"}}]})),
                "Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn" => Reply::json(404, json!({"error": {"code": "PolicyAssignmentNotFound", "message": "none"}})),
                _ => Reply::json(200, json!({"value": []})),
            };
        }
        if path == format!("{st}/blobServices/default") {
            return Reply::json(200, json!({"id": format!("{st}/blobServices/default"), "name": "default", "type": "Microsoft.Storage/storageAccounts/blobServices",
                                           "properties": {"deleteRetentionPolicy": {"enabled": false}, "containerDeleteRetentionPolicy": {"enabled": false}}}));
        }
        if path == format!("{st}/tableServices") {
            return Reply::json(403, json!({"error": {"code": "AuthorizationFailed", "message": "no tableServices/read"}}));
        }
        if path.starts_with(&st) {
            return Reply::json(200, json!({"value": []}));
        }
        Reply::json(404, json!({"error": {"code": "ResourceNotFound", "message": format!("{path} not found")}}))
    }
}

#[test]
fn live_collection_pages_retries_throttling_and_records_a_denied_subscription() {
    let throttled = Arc::new(AtomicUsize::new(0));
    let server = serve(azure(throttled.clone()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let snap = dir.path().join("azure.ndjson");
    let env = [
        ("AZURE_AUTHORITY_HOST", server.url.as_str()),
        ("AZURE_TENANT_ID", "tenant-x"),
        ("AZURE_CLIENT_ID", "client-1"),
        ("AZURE_CLIENT_SECRET", "s3cret"),
    ];
    let subs = format!("{S1},{S2}");
    let out = posture(
        &db,
        dir.path(),
        &["--format", "json", "scan", "azure", "--subscriptions", &subs, "--arm-endpoint", &server.url, "--save-snapshot", snap.to_str().unwrap()],
        &env,
    );
    let report = json_of(&out);
    let issues: Vec<String> = report["issues"].as_array().unwrap().iter().map(|i| format!("{} {}", i["location"].as_str().unwrap(), i["message"].as_str().unwrap())).collect();
    assert!(issues.iter().any(|i| i.starts_with(&format!("{S2}/resourcegraph:")) && i.contains("[denied]")), "{issues:#?}");
    assert!(issues.iter().any(|i| i.starts_with(&format!("{S1}/tableServices:stlive")) && i.contains("[denied]")), "{issues:#?}");
    assert!(!issues.iter().any(|i| i.contains("throttled")), "the 429 was retried after Retry-After: {issues:#?}");
    assert_eq!(throttled.load(Ordering::SeqCst), 2);
    assert!(server.requests().iter().any(|r| r.starts_with("POST /providers/Microsoft.ResourceGraph/resources")));

    // The denied subscription is not covered; the other one is, and was collected across pages.
    assert_eq!(header(&snap)["accounts"], json!([S1]));
    let expected = set(&[
        ("AZURE.STORAGE.3", "stlive", S1),
        ("AZURE.STORAGE.7", "stlive", S1),
        ("AZURE.NETWORK.2", "nsg-live", S1),
        ("AZURE.NETWORK.10", "pip-live", S1),
        ("AZURE.SECURITY.2", "VirtualMachines", S1),
        ("AZURE.AUTHORIZATION.1", "Owner for ServicePrincipal p-1", S1),
    ]);
    let rules = ["AZURE.STORAGE.3", "AZURE.STORAGE.7", "AZURE.NETWORK.2", "AZURE.NETWORK.10", "AZURE.SECURITY.2", "AZURE.AUTHORIZATION.1", "AZURE.STORAGE.16"];
    let failing = findings(&db, dir.path(), "fail", &rules);
    assert_eq!(failing, expected, "unexpected: {:?}\nmissing: {:?}", failing.difference(&expected), expected.difference(&failing));
    // The table service could not be read: its logging rule is unknown, not passed.
    assert_eq!(findings(&db, dir.path(), "unknown", &["AZURE.STORAGE.16"]), set(&[("AZURE.STORAGE.16", "stlive", S1)]));
    assert_eq!(report["complete"], json!(false));
}

#[test]
fn a_bad_secret_stops_before_any_resource_is_read() {
    let server = serve(azure(Arc::new(AtomicUsize::new(1))));
    let dir = tempfile::tempdir().unwrap();
    let env = [("AZURE_AUTHORITY_HOST", server.url.as_str()), ("AZURE_TENANT_ID", "tenant-x"), ("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "wrong")];
    let out = posture(&dir.path().join("p.db"), dir.path(), &["scan", "azure", "--subscriptions", S1, "--arm-endpoint", &server.url], &env);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad secret") && !stderr.contains("wrong"), "{stderr}");
    assert_eq!(server.requests().len(), 1, "nothing but the token request: {:?}", server.requests());
}
