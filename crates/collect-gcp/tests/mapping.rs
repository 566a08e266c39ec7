//! Mapping of Cloud Asset Inventory exports (hand-written in the documented asset shapes) into
//! canonical resources, validated against the kind schemas.

use posture_collect_gcp::{import_files, map_values, ImportOptions, ImportReport};
use posture_model::Resource;
use posture_schema::KindRegistry;
use serde_json::{json, Value};
use std::path::PathBuf;

const P: &str = "acme-shop-prod";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn opts() -> ImportOptions {
    let now = time::OffsetDateTime::parse("2026-11-28T09:00:00Z", &time::format_description::well_known::Rfc3339).unwrap();
    ImportOptions::new(now)
}

fn estate() -> (Vec<Resource>, ImportReport) {
    let mut out = Vec::new();
    let report = import_files(&[fixture("cai-export.ndjson"), fixture("cai-list.json")], &opts(), &mut |r| {
        out.push(r);
        Ok(())
    })
    .unwrap();
    (out, report)
}

fn valid(rs: &[Resource]) {
    let reg = KindRegistry::builtin().unwrap();
    for r in rs {
        let problems = reg.validate(r);
        assert!(problems.is_empty(), "{} ({}): {problems:#?}", r.uid, r.kind);
    }
}

fn find<'a>(rs: &'a [Resource], kind: &str, name: &str) -> &'a Resource {
    rs.iter().find(|r| r.kind == kind && r.name == name).unwrap_or_else(|| panic!("no {kind} named {name}"))
}

fn attr<'a>(r: &'a Resource, path: &str) -> Option<&'a Value> {
    let mut cur = r.attrs.get(path.split('.').next()?)?;
    for k in path.split('.').skip(1) {
        cur = cur.get(k)?;
    }
    Some(cur)
}

fn related(r: &Resource, rel: &str) -> Vec<String> {
    r.related(rel).map(str::to_string).collect()
}

#[test]
fn the_export_conforms_and_problems_are_located() {
    let (rs, report) = estate();
    valid(&rs);
    assert!(rs.iter().all(|r| r.account == P), "{:?}", rs.iter().map(|r| (&r.uid, &r.account)).collect::<Vec<_>>());
    let kinds: std::collections::BTreeSet<&str> = rs.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds.len(), 12, "{kinds:?}");
    assert_eq!(report.unmapped.get("pubsub.googleapis.com/Topic"), Some(&1));
    assert!(!report.unmapped.contains_key("iam.googleapis.com/ServiceAccountKey"), "keys fold into their accounts");
    let locations: Vec<&str> = report.issues.iter().map(|i| i.location.rsplit('/').next().unwrap_or_default()).collect();
    assert_eq!(locations, vec!["cai-export.ndjson:7", "cai-export.ndjson:12"], "{:?}", report.issues);
    // One resource per asset name, although the project, one bucket and the key have two lines each.
    let mut uids: Vec<&str> = rs.iter().map(|r| r.uid.as_str()).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), rs.len());
}

#[test]
fn project_merges_its_iam_line_and_project_level_facts() {
    let (rs, _) = estate();
    let p = find(&rs, "gcp.resourcemanager.project", P);
    assert_eq!(p.uid, "//cloudresourcemanager.googleapis.com/projects/731104582691");
    assert_eq!(attr(p, "parent"), Some(&json!("folders/448812309915")));
    assert_eq!(p.tags.get("env").map(String::as_str), Some("prod"));
    let members = attr(p, "iam_members").unwrap().as_array().unwrap();
    assert_eq!(members.len(), 6);
    assert!(members.contains(&json!({"role": "roles/viewer", "member": "user:contractor.jo@gmail.com", "condition_title": null})));
    assert!(members.contains(&json!({"role": "roles/iam.serviceAccountUser", "member": "group:engineering@acme-shop.example", "condition_title": "weekdays only"})));
    let eng = attr(p, "iam_principals").unwrap().as_array().unwrap().iter().find(|x| x["member"] == "group:engineering@acme-shop.example").unwrap().clone();
    assert_eq!(eng["roles"], json!(["roles/iam.serviceAccountUser", "roles/viewer"]));
    assert_eq!(attr(p, "audit_log_configs").unwrap().as_array().unwrap().len(), 2);
    assert_eq!(attr(p, "common_instance_metadata.enable_oslogin"), Some(&json!(true)));
    assert_eq!(attr(p, "enabled_services"), Some(&json!(["compute.googleapis.com"])), "a disabled service is not enabled");
    assert_eq!(attr(p, "log_sinks").unwrap()[0]["filter"], Value::Null);
    assert_eq!(related(p, "logs_to"), vec!["//storage.googleapis.com/projects/_/buckets/acme-shop-audit-logs"]);
    assert_eq!(attr(p, "essential_contacts"), None, "not exported: unknown");
    assert_eq!(attr(p, "log_metrics"), None);
}

#[test]
fn instances_with_their_firewalls_accounts_and_project() {
    let (rs, _) = estate();
    let web = find(&rs, "gcp.compute.instance", "web-1");
    assert_eq!(web.region.as_deref(), Some("europe-west4"));
    assert_eq!(attr(web, "zone"), Some(&json!("europe-west4-a")));
    assert_eq!(attr(web, "machine_type"), Some(&json!("e2-medium")));
    assert_eq!(attr(web, "metadata"), Some(&json!({"enable_oslogin": null, "block_project_ssh_keys": null, "serial_port_enable": true, "has_ssh_keys": false})));
    assert_eq!(attr(web, "network_interfaces").unwrap()[0]["access_configs"][0]["nat_ip"], json!("34.90.11.22"));
    assert_eq!(attr(web, "disks").unwrap()[0]["encryption"], json!("GOOGLE_MANAGED"));
    assert_eq!(attr(web, "creation_timestamp"), Some(&json!("2024-02-10T11:04:05.678Z")));
    assert_eq!(related(web, "has_firewall_rule"), vec![format!("//compute.googleapis.com/projects/{P}/global/firewalls/default-allow-ssh")]);
    assert_eq!(related(web, "uses_service_account"), vec![format!("//iam.googleapis.com/projects/{P}/serviceAccounts/104620987712309876543")]);
    assert_eq!(related(web, "in_project"), vec!["//cloudresourcemanager.googleapis.com/projects/731104582691"]);
    assert_eq!(related(web, "in_vpc"), vec![format!("//compute.googleapis.com/projects/{P}/global/networks/default")]);

    let batch = find(&rs, "gcp.compute.instance", "batch-1");
    assert_eq!(attr(batch, "metadata.enable_oslogin"), Some(&json!(false)));
    assert_eq!(attr(batch, "metadata.has_ssh_keys"), Some(&json!(true)));
    assert_eq!(attr(batch, "disks").unwrap()[0]["kms_key_name"], json!(format!("projects/{P}/locations/europe-west4/keyRings/shop/cryptoKeys/disks")));
    assert_eq!(related(batch, "encrypted_with"), vec![format!("//cloudkms.googleapis.com/projects/{P}/locations/europe-west4/keyRings/shop/cryptoKeys/disks")]);
    // Untargeted ICMP applies; the tagged HTTPS rule does not (batch-1 has no `web` tag).
    assert_eq!(related(batch, "has_firewall_rule"), vec![format!("//compute.googleapis.com/projects/{P}/global/firewalls/allow-icmp-all")]);
}

#[test]
fn network_kinds() {
    let (rs, _) = estate();
    let fw = find(&rs, "gcp.compute.firewall", "allow-icmp-all");
    assert_eq!(attr(fw, "allowed"), Some(&json!([{"ip_protocol": "icmp", "ports": ["0-65535"]}])));
    assert_eq!(attr(fw, "priority"), Some(&json!(1000)));
    assert_eq!(attr(fw, "log_config"), Some(&json!({"enable": false, "metadata": null})));
    let default = find(&rs, "gcp.compute.network", "default");
    assert_eq!(attr(default, "mode"), Some(&json!("auto")));
    assert_eq!(attr(default, "dns_logging_enabled"), None, "no DNS policy rows: unknown");
    let shop = find(&rs, "gcp.compute.network", "vpc-shop");
    assert_eq!(attr(shop, "peerings").unwrap()[0]["network"], json!("//compute.googleapis.com/projects/acme-shared-svc/global/networks/shared"));
    let app = find(&rs, "gcp.compute.subnetwork", "snet-app");
    assert_eq!(attr(app, "log_config.metadata"), Some(&json!("EXCLUDE_ALL_METADATA")));
    let dflt = find(&rs, "gcp.compute.subnetwork", "default");
    assert_eq!(attr(dflt, "log_config"), Some(&json!({"enable": false, "aggregation_interval": null, "flow_sampling": null, "metadata": null})));
    assert_eq!(attr(dflt, "purpose"), Some(&json!("PRIVATE")));
}

#[test]
fn service_accounts_keys_kms_buckets_sql_gke_bigquery_and_api_keys() {
    let (rs, _) = estate();
    let dep = find(&rs, "gcp.iam.service_account", &format!("deployer@{P}.iam.gserviceaccount.com"));
    let keys = attr(dep, "keys").unwrap().as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let user = keys.iter().find(|k| k["key_type"] == "USER_MANAGED").unwrap();
    assert_eq!(user["age_days"], json!(404));
    assert_eq!(attr(dep, "iam_members").unwrap()[0]["member"], json!("group:release-managers@acme-shop.example"));
    // Keys were exported for the project, so an account without any has none.
    let dflt = find(&rs, "gcp.iam.service_account", "731104582691-compute@developer.gserviceaccount.com");
    assert_eq!(attr(dflt, "keys"), Some(&json!([])));
    // IAM policies of service accounts were exported: the default account has an empty one.
    assert_eq!(attr(dflt, "iam_members"), Some(&json!([])));

    let key = find(&rs, "gcp.kms.crypto_key", "disks");
    assert_eq!(attr(key, "rotation_period_seconds"), Some(&json!(31_536_000)));
    assert_eq!(attr(key, "key_ring"), Some(&json!(format!("projects/{P}/locations/europe-west4/keyRings/shop"))));
    assert_eq!(attr(key, "iam_members").unwrap().as_array().unwrap().len(), 1);

    let public = find(&rs, "gcp.storage.bucket", "acme-shop-public-assets");
    assert_eq!(public.uid, "//storage.googleapis.com/projects/_/buckets/acme-shop-public-assets");
    assert_eq!(public.region.as_deref(), Some("eu"));
    assert!(attr(public, "iam_members").unwrap().as_array().unwrap().iter().any(|m| m["member"] == "allUsers"));
    assert_eq!(attr(public, "acls").unwrap()[1], json!({"entity": "allUsers", "role": "READER"}));
    assert_eq!(attr(public, "default_object_acl_public"), Some(&json!(true)));
    assert_eq!(attr(public, "retention_policy"), Some(&Value::Null));
    let logs = find(&rs, "gcp.storage.bucket", "acme-shop-audit-logs");
    assert_eq!(attr(logs, "retention_policy.is_locked"), Some(&json!(true)));
    assert_eq!(attr(logs, "acls"), Some(&json!([])));
    assert_eq!(attr(logs, "soft_delete_retention_seconds"), Some(&json!(604_800)));
    assert_eq!(related(logs, "encrypted_with"), vec![format!("//cloudkms.googleapis.com/projects/{P}/locations/europe-west4/keyRings/shop/cryptoKeys/logs")]);

    let sql = find(&rs, "gcp.sql.instance", "pg-orders");
    assert_eq!(attr(sql, "settings.ip_configuration.authorized_networks"), Some(&json!([{"name": "anyone", "value": "0.0.0.0/0"}])));
    assert_eq!(attr(sql, "settings.ip_configuration.require_ssl"), Some(&Value::Null));
    assert_eq!(attr(sql, "settings.backup_configuration.binary_log_enabled"), Some(&Value::Null));
    assert_eq!(attr(sql, "disk_encryption_configuration"), Some(&Value::Null));

    let gke = find(&rs, "gcp.container.cluster", "shop");
    assert_eq!(attr(gke, "network_policy_enforced"), Some(&json!(true)), "Dataplane V2 enforces NetworkPolicies");
    assert_eq!(attr(gke, "private_cluster_config"), Some(&Value::Null));
    assert_eq!(attr(gke, "node_pools").unwrap()[0]["secure_boot"], json!(false));
    assert_eq!(related(gke, "uses_service_account"), vec![format!("//iam.googleapis.com/projects/{P}/serviceAccounts/104620987712309876543")]);
    assert_eq!(related(gke, "in_vpc"), vec![format!("//compute.googleapis.com/projects/{P}/global/networks/vpc-shop")]);

    let ds = find(&rs, "gcp.bigquery.dataset", "partner_export");
    let members: Vec<&str> = attr(ds, "iam_members").unwrap().as_array().unwrap().iter().map(|m| m["member"].as_str().unwrap()).collect();
    assert_eq!(members, vec![format!("projectOwner:{P}").as_str(), "allAuthenticatedUsers", &format!("serviceAccount:deployer@{P}.iam.gserviceaccount.com")]);
    assert_eq!(attr(ds, "creation_time"), Some(&json!("2023-11-14T22:13:20Z")));

    let maps = find(&rs, "gcp.apikeys.key", "Maps widget");
    assert_eq!(attr(maps, "restrictions.api_targets"), Some(&json!(["maps-backend.googleapis.com"])));
    assert_eq!(attr(maps, "age_days"), Some(&json!(681)));
    let legacy = find(&rs, "gcp.apikeys.key", "legacy");
    assert_eq!(attr(legacy, "restrictions"), Some(&Value::Null));
}

#[test]
fn an_iam_policy_alone_still_describes_its_resource() {
    let only_iam = vec![json!({"name": "//cloudkms.googleapis.com/projects/p1/locations/global/keyRings/r/cryptoKeys/k",
        "asset_type": "cloudkms.googleapis.com/CryptoKey", "ancestors": ["projects/42"],
        "iam_policy": {"bindings": [{"role": "roles/cloudkms.cryptoKeyDecrypter", "members": ["allUsers"]}]}})];
    let (rs, report) = map_values(&only_iam, &opts());
    valid(&rs);
    assert!(report.issues.is_empty(), "{report:?}");
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].account, "p1");
    assert_eq!(rs[0].attrs.keys().collect::<Vec<_>>(), vec!["iam_members"]);
}

#[test]
fn listing_markers_make_missing_assets_known_absent() {
    let values = vec![
        json!({"name": "//cloudresourcemanager.googleapis.com/projects/42", "asset_type": "cloudresourcemanager.googleapis.com/Project",
               "ancestors": ["projects/42", "organizations/7"], "resource": {"data": {"projectId": "p1", "projectNumber": "42", "lifecycleState": "ACTIVE"}}}),
        json!({"name": "projects/p1", "asset_type": "posture.listed",
               "types": ["essentialcontacts.googleapis.com/Contact", "logging.googleapis.com/LogMetric", "logging.googleapis.com/LogSink", "dns.googleapis.com/Policy"],
               "iam_policy_types": ["cloudresourcemanager.googleapis.com/Project"]}),
        json!({"name": "//logging.googleapis.com/organizations/7/sinks/org-audit", "asset_type": "logging.googleapis.com/LogSink", "ancestors": ["organizations/7"],
               "resource": {"data": {"name": "org-audit", "destination": "bigquery.googleapis.com/projects/sec/datasets/audit", "includeChildren": true}}}),
        json!({"name": "//compute.googleapis.com/projects/p1/global/networks/n", "asset_type": "compute.googleapis.com/Network", "ancestors": ["projects/42", "organizations/7"],
               "resource": {"data": {"name": "n", "autoCreateSubnetworks": false}}}),
    ];
    let (rs, _) = map_values(&values, &opts());
    valid(&rs);
    let p = rs.iter().find(|r| r.kind == "gcp.resourcemanager.project").unwrap();
    assert_eq!(attr(p, "essential_contacts"), Some(&json!([])));
    assert_eq!(attr(p, "log_metrics"), Some(&json!([])));
    assert_eq!(attr(p, "iam_members"), Some(&json!([])));
    assert_eq!(attr(p, "log_sinks").unwrap()[0]["scope"], json!("organization"));
    let n = rs.iter().find(|r| r.kind == "gcp.compute.network").unwrap();
    assert_eq!(attr(n, "dns_logging_enabled"), Some(&json!(false)));
}

#[test]
fn load_balancers_functions_dataproc_dns_and_tables() {
    let anc = json!(["projects/42", "organizations/7"]);
    let a = |name: &str, t: &str, data: Value| json!({"name": name, "asset_type": t, "ancestors": anc, "resource": {"data": data, "location": "global"}});
    let values = vec![
        a("//compute.googleapis.com/projects/p1/global/sslPolicies/modern", "compute.googleapis.com/SslPolicy",
          json!({"name": "modern", "profile": "CUSTOM", "minTlsVersion": "TLS_1_2", "customFeatures": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]})),
        a("//compute.googleapis.com/projects/p1/global/targetHttpsProxies/web", "compute.googleapis.com/TargetHttpsProxy",
          json!({"name": "web", "sslPolicy": "https://www.googleapis.com/compute/v1/projects/p1/global/sslPolicies/modern", "sslCertificates": ["a", "b"]})),
        a("//compute.googleapis.com/projects/p1/global/targetSslProxies/tcp", "compute.googleapis.com/TargetSslProxy", json!({"name": "tcp", "sslCertificates": ["a"]})),
        a("//compute.googleapis.com/projects/p1/global/backendServices/web", "compute.googleapis.com/BackendService",
          json!({"name": "web", "loadBalancingScheme": "EXTERNAL_MANAGED", "protocol": "HTTPS", "securityPolicy": "https://x/projects/p1/global/securityPolicies/armor"})),
        a("//cloudfunctions.googleapis.com/projects/p1/locations/europe-west1/functions/ingest", "cloudfunctions.googleapis.com/Function",
          json!({"name": "projects/p1/locations/europe-west1/functions/ingest", "environment": "GEN_2", "updateTime": "2026-10-01T00:00:00Z",
                 "buildConfig": {"runtime": "python312", "environmentVariables": {"PIP_INDEX": "x"}},
                 "serviceConfig": {"environmentVariables": {"DB_PASSWORD": "hunter2"}, "secretEnvironmentVariables": [{"key": "API_TOKEN", "secret": "s"}],
                                   "ingressSettings": "ALLOW_ALL", "serviceAccountEmail": "fn@p1.iam.gserviceaccount.com"}})),
        a("//dataproc.googleapis.com/projects/p1/regions/europe-west1/clusters/etl", "dataproc.googleapis.com/Cluster",
          json!({"clusterName": "etl", "status": {"state": "RUNNING"}, "config": {"softwareConfig": {"imageVersion": "2.2-debian12"}, "gceClusterConfig": {"internalIpOnly": true}}})),
        a("//dns.googleapis.com/projects/p1/managedZones/shop", "dns.googleapis.com/ManagedZone",
          json!({"name": "shop", "dnsName": "shop.example.", "visibility": "public", "creationTime": "2024-01-01T00:00:00.000Z",
                 "dnssecConfig": {"state": "on", "nonExistence": "nsec3", "defaultKeySpecs": [{"keyType": "keySigning", "algorithm": "rsasha1", "keyLength": 2048}]}})),
        a("//bigquery.googleapis.com/projects/p1/datasets/d/tables/t", "bigquery.googleapis.com/Table",
          json!({"tableReference": {"projectId": "p1", "datasetId": "d", "tableId": "t"}, "type": "TABLE", "creationTime": "1700000000000"})),
    ];
    let (rs, report) = map_values(&values, &opts());
    valid(&rs);
    assert!(report.issues.is_empty() && report.unmapped.is_empty(), "{report:?}");
    assert_eq!(rs.len(), 7, "the SSL policy only completes the proxy");
    let https = find(&rs, "gcp.compute.target_https_proxy", "web");
    assert_eq!(attr(https, "ssl_policy.enabled_features"), Some(&json!(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])));
    assert_eq!(attr(https, "certificate_count"), Some(&json!(2)));
    assert_eq!(attr(find(&rs, "gcp.compute.target_ssl_proxy", "tcp"), "ssl_policy"), Some(&Value::Null));
    let be = find(&rs, "gcp.compute.backend_service", "web");
    assert_eq!((attr(be, "log_config"), attr(be, "security_policy")), (Some(&Value::Null), Some(&json!("armor"))));
    let f = find(&rs, "gcp.cloudfunctions.function", "ingest");
    assert_eq!(attr(f, "environment_variable_names"), Some(&json!(["DB_PASSWORD", "PIP_INDEX"])));
    assert!(!serde_json::to_string(&f.attrs).unwrap().contains("hunter2"), "variable values are never kept");
    assert_eq!(attr(f, "secret_environment_variables"), Some(&json!(["API_TOKEN"])));
    let dp = find(&rs, "gcp.dataproc.cluster", "etl");
    assert_eq!((attr(dp, "encryption_config"), attr(dp, "service_account")), (Some(&Value::Null), Some(&json!("default"))));
    let zone = find(&rs, "gcp.dns.managed_zone", "shop");
    assert_eq!(attr(zone, "dnssec_config.default_key_specs").unwrap()[0]["algorithm"], json!("rsasha1"));
    let t = find(&rs, "gcp.bigquery.table", "t");
    assert_eq!((attr(t, "encryption_configuration"), attr(t, "expiration_time")), (Some(&Value::Null), Some(&Value::Null)));
}

fn hierarchy() -> (Vec<Resource>, ImportReport) {
    let mut out = Vec::new();
    let report = import_files(&[fixture("cai-hierarchy.ndjson")], &opts(), &mut |r| {
        out.push(r);
        Ok(())
    })
    .unwrap();
    (out, report)
}

fn uid<'a>(rs: &'a [Resource], uid: &str) -> &'a Resource {
    rs.iter().find(|r| r.uid == uid).unwrap_or_else(|| panic!("no resource {uid}"))
}

#[test]
fn folders_and_the_organization_carry_their_iam_policy_and_parent() {
    let (rs, report) = hierarchy();
    valid(&rs);
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert_eq!(rs.len(), 5, "{:?}", rs.iter().map(|r| &r.uid).collect::<Vec<_>>());
    // Only projects are accounts a listing can cover.
    assert_eq!(report.accounts.iter().collect::<Vec<_>>(), vec!["acme-shop-prod"]);

    let org = uid(&rs, "//cloudresourcemanager.googleapis.com/organizations/220918374455");
    assert_eq!((org.kind.as_str(), org.account.as_str(), org.name.as_str()), ("gcp.resourcemanager.organization", "organizations/220918374455", "acme-shop.example"));
    assert_eq!(attr(org, "directory_customer_id"), Some(&json!("C03xk2m9p")));
    assert_eq!(attr(org, "lifecycle_state"), Some(&json!("ACTIVE")));
    assert!(attr(org, "parent").is_none());
    // The policy on its own line is merged into the organization.
    assert_eq!(
        attr(org, "iam_members"),
        Some(&json!([
            {"role": "roles/resourcemanager.organizationAdmin", "member": "group:org-admins@acme-shop.example", "condition_title": null},
            {"role": "roles/browser", "member": "domain:acme-shop.example", "condition_title": null}
        ]))
    );

    let prod = uid(&rs, "//cloudresourcemanager.googleapis.com/folders/448812309915");
    assert_eq!((prod.kind.as_str(), prod.account.as_str(), prod.name.as_str()), ("gcp.resourcemanager.folder", "organizations/220918374455", "Production"));
    assert_eq!(attr(prod, "parent"), Some(&json!("organizations/220918374455")));
    assert_eq!(attr(prod, "folder_id"), Some(&json!("448812309915")));
    let members = attr(prod, "iam_members").and_then(Value::as_array).unwrap();
    assert_eq!(members[0], json!({"role": "roles/storage.admin", "member": "user:lee@acme-shop.example", "condition_title": null}));
    assert_eq!(members[1]["condition_title"], json!("until year end"));
    assert_eq!(attr(prod, "iam_principals").and_then(Value::as_array).map(Vec::len), Some(2));
}

#[test]
fn a_folder_known_only_by_its_policy_takes_its_parent_from_the_ancestors() {
    let (rs, _) = hierarchy();
    let f = uid(&rs, "//cloudresourcemanager.googleapis.com/folders/51");
    assert_eq!((f.account.as_str(), f.name.as_str()), ("organizations/220918374455", "folders/51"));
    assert_eq!(attr(f, "parent"), Some(&json!("folders/448812309915")));
    assert!(attr(f, "display_name").is_none(), "content not exported: unknown, not empty");
    assert_eq!(attr(f, "iam_members"), Some(&json!([{"role": "roles/owner", "member": "user:sam@acme-shop.example", "condition_title": null}])));
    // A v3 project names its parent as a string.
    let p = find(&rs, "gcp.resourcemanager.project", "acme-shop-prod");
    assert_eq!(attr(p, "parent"), Some(&json!("folders/448812309915")));
}

#[test]
fn a_folder_without_any_policy_line_has_unknown_iam() {
    let line = json!({"name": "//cloudresourcemanager.googleapis.com/folders/9", "asset_type": "cloudresourcemanager.googleapis.com/Folder",
        "ancestors": ["folders/9"], "resource": {"data": {"name": "folders/9", "parent": "organizations/1", "displayName": "Lab", "state": "DELETE_REQUESTED"}}});
    let (rs, _) = map_values(&[line], &opts());
    valid(&rs);
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].account, "organizations/1", "the parent names the organization");
    assert_eq!(attr(&rs[0], "lifecycle_state"), Some(&json!("DELETE_REQUESTED")));
    assert!(attr(&rs[0], "iam_members").is_none(), "no policy exported: unknown, never empty");
}
