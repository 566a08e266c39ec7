//! Mapping of Resource Graph exports (hand-written, in the shapes the ARM REST specs document) into
//! canonical resources: every resource conforms to its kind's schema, and the attributes rules read
//! come out right, with unknown (absent) kept apart from known-unset (null).

use posture_collect_azure::{import_files, map_values, ImportOptions, ImportReport};
use posture_model::Resource;
use posture_schema::KindRegistry;
use serde_json::{json, Value};
use std::path::PathBuf;

const S1: &str = "5a3c6f0e-8d21-4b7a-9e44-1c2d3e4f5a6b";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn opts() -> ImportOptions {
    let now = time::OffsetDateTime::parse("2026-11-28T09:00:00Z", &time::format_description::well_known::Rfc3339).unwrap();
    ImportOptions::new(now)
}

fn estate() -> (Vec<Resource>, ImportReport) {
    let mut out = Vec::new();
    let report = import_files(&[fixture("arg-page1.json"), fixture("arg-page2.json")], &opts(), &mut |r| {
        out.push(r);
        Ok(())
    })
    .unwrap();
    (out, report)
}

fn valid(resources: &[Resource]) {
    let reg = KindRegistry::builtin().unwrap();
    for r in resources {
        let problems = reg.validate(r);
        assert!(problems.is_empty(), "{} ({}): {problems:#?}", r.uid, r.kind);
    }
}

fn find<'a>(rs: &'a [Resource], kind: &str, name: &str) -> &'a Resource {
    rs.iter().find(|r| r.kind == kind && r.name == name).unwrap_or_else(|| panic!("no {kind} named {name}"))
}

fn attr<'a>(r: &'a Resource, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(None::<&Value>, |cur, k| match cur {
        None => r.attrs.get(k).map(Some),
        Some(v) => v.get(k).map(Some),
    })?
}

fn related(r: &Resource, rel: &str) -> Vec<String> {
    r.related(rel).map(str::to_string).collect()
}

#[test]
fn the_whole_estate_conforms_to_the_schemas() {
    let (rs, report) = estate();
    valid(&rs);
    let kinds: std::collections::BTreeSet<&str> = rs.iter().map(|r| r.kind.as_str()).collect();
    for k in [
        "azure.resources.subscription", "azure.resources.resource_group", "azure.network.virtual_network", "azure.network.subnet",
        "azure.network.network_security_group", "azure.network.network_interface", "azure.network.public_ip_address",
        "azure.compute.virtual_machine", "azure.compute.disk", "azure.storage.account", "azure.keyvault.vault", "azure.sql.server",
        "azure.web.site", "azure.containerservice.managed_cluster", "azure.documentdb.database_account",
        "azure.dbforpostgresql.flexible_server", "azure.authorization.role_assignment", "azure.authorization.role_definition",
        "azure.security.pricing",
    ] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    assert!(rs.iter().all(|r| r.provider == "azure" && r.uid == r.uid.to_lowercase()));
    assert_eq!(report.accounts.len(), 2);
    assert_eq!(report.resources as usize, rs.len());
}

#[test]
fn unmapped_types_are_counted_and_bad_items_located() {
    let (_, report) = estate();
    assert_eq!(report.unmapped.get("microsoft.insights/components"), Some(&2));
    assert_eq!(report.unmapped.get("microsoft.operationalinsights/workspaces"), Some(&1));
    // Folded child types are read, not unmapped.
    assert!(!report.unmapped.contains_key("microsoft.network/networkwatchers/flowlogs"), "{:?}", report.unmapped);
    assert!(!report.unmapped.contains_key("microsoft.sql/servers/databases"));
    assert_eq!(report.issues.len(), 1, "{:?}", report.issues);
    assert!(report.issues[0].location.ends_with("arg-page1.json#data[36]"), "{:?}", report.issues);
    assert!(report.issues[0].message.contains("id"));
}

#[test]
fn virtual_machine_joins_nics_public_ips_disks_extensions_and_patches() {
    let (rs, _) = estate();
    let web = find(&rs, "azure.compute.virtual_machine", "vm-fab-web-01");
    assert_eq!(web.account, S1);
    assert_eq!(web.region.as_deref(), Some("westeurope"));
    assert_eq!(attr(web, "public_ip_addresses"), Some(&json!(["20.61.15.203"])));
    assert_eq!(attr(web, "private_ip_addresses"), Some(&json!(["10.42.1.4"])));
    assert_eq!(attr(web, "power_state"), Some(&json!("running")));
    assert_eq!(attr(web, "os_disk.encryption_type"), Some(&json!("EncryptionAtRestWithPlatformKey")));
    assert_eq!(attr(web, "os_disk.azure_disk_encryption"), Some(&json!(false)));
    assert_eq!(attr(web, "os_profile.disable_password_authentication"), Some(&json!(false)));
    assert_eq!(attr(web, "extensions"), Some(&json!([{"name": "MDE.Linux", "publisher": "Microsoft.Azure.AzureDefenderForServers",
        "type": "MDE.Linux", "type_handler_version": "1.0", "provisioning_state": "Succeeded", "auto_upgrade_minor_version": true}])));
    assert_eq!(attr(web, "pending_updates.security"), Some(&json!(3)));
    assert_eq!(attr(web, "security_profile.encryption_at_host"), Some(&Value::Null));
    assert_eq!(attr(web, "identity.type"), Some(&json!("SystemAssigned")));
    assert_eq!(related(web, "has_network_interface"), vec![format!("/subscriptions/{S1}/resourcegroups/rg-fab-prod-app/providers/microsoft.network/networkinterfaces/vm-fab-web-01-nic")]);

    let ops = find(&rs, "azure.compute.virtual_machine", "vm-fab-ops-01");
    // Extension rows exist for this subscription, so a VM without any has none.
    assert_eq!(attr(ops, "extensions"), Some(&json!([])));
    assert_eq!(attr(ops, "pending_updates"), Some(&Value::Null));
    assert_eq!(attr(ops, "public_ip_addresses"), Some(&json!([])));
    assert_eq!(attr(ops, "os_disk.encryption_type"), Some(&json!("EncryptionAtRestWithCustomerKey")));
    assert_eq!(attr(ops, "os_disk.azure_disk_encryption"), Some(&json!(true)));
    let legacy = &attr(ops, "data_disks").unwrap()[0];
    assert_eq!((legacy["managed"].clone(), legacy["encryption_type"].clone(), legacy["lun"].clone()), (json!(false), Value::Null, json!(0)));
    assert_eq!(attr(ops, "os_profile.disable_password_authentication"), Some(&Value::Null), "Windows");
    assert_eq!(attr(ops, "identity"), Some(&Value::Null));
    assert_eq!(attr(ops, "availability_zone"), Some(&Value::Null), "`zones: null`: a regional VM");
}

#[test]
fn network_kinds_and_their_relations() {
    let (rs, _) = estate();
    let nsg = find(&rs, "azure.network.network_security_group", "nsg-fab-prod-web");
    let rules = attr(nsg, "security_rules").unwrap().as_array().unwrap();
    assert_eq!(rules.len(), 3, "default rules are not listed");
    assert_eq!(rules[1]["source_address_prefixes"], json!(["*"]));
    assert_eq!(rules[1]["destination_port_ranges"], json!(["22"]));
    assert_eq!(rules[2]["source_address_prefixes"], json!(["10.8.0.0/16", "10.9.0.0/16"]));
    assert_eq!(rules[2]["destination_port_ranges"], json!(["3389", "5985-5986"]));
    assert_eq!(attr(nsg, "flow_log.retention_days"), Some(&json!(30)));
    assert_eq!(attr(nsg, "flow_log.traffic_analytics_enabled"), Some(&json!(false)));
    // The sandbox subscription's export holds no flow log rows: unknown, not "none".
    let sbx = find(&rs, "azure.network.network_security_group", "nsg-fab-sbx");
    assert_eq!(attr(sbx, "flow_log"), None);
    assert_eq!(attr(sbx, "security_rules").unwrap()[0]["protocol"], json!("*"));

    let nic = find(&rs, "azure.network.network_interface", "vm-fab-web-01-nic");
    assert!(related(nic, "in_subnet")[0].ends_with("/subnets/snet-web"));
    assert!(related(nic, "has_public_ip")[0].ends_with("/publicipaddresses/pip-fab-web-01"));
    assert_eq!(attr(nic, "network_security_group_id"), Some(&Value::Null));

    let web = find(&rs, "azure.network.subnet", "snet-web");
    assert!(related(web, "has_security_group")[0].ends_with("/networksecuritygroups/nsg-fab-prod-web"));
    assert!(related(web, "in_vpc")[0].ends_with("/virtualnetworks/vnet-fab-prod"));
    assert_eq!(attr(web, "service_endpoints"), Some(&json!(["Microsoft.Storage"])));
    let ops = find(&rs, "azure.network.subnet", "snet-ops");
    assert_eq!(attr(ops, "network_security_group_id"), Some(&Value::Null));
    assert_eq!(attr(ops, "address_prefixes"), Some(&json!(["10.42.2.0/24"])));
    assert_eq!(attr(ops, "default_outbound_access"), Some(&json!(false)));

    let vnet = find(&rs, "azure.network.virtual_network", "vnet-fab-prod");
    assert_eq!(attr(vnet, "network_watcher_enabled"), Some(&json!(true)));
    assert_eq!(attr(vnet, "enable_ddos_protection"), Some(&json!(false)));
    let pip = find(&rs, "azure.network.public_ip_address", "pip-fab-web-01");
    assert_eq!(attr(pip, "sku_name"), Some(&json!("Standard")));
}

#[test]
fn disks() {
    let (rs, _) = estate();
    let old = find(&rs, "azure.compute.disk", "disk-fab-old-export");
    assert_eq!(attr(old, "disk_state"), Some(&json!("Unattached")));
    assert_eq!(attr(old, "managed_by"), Some(&Value::Null));
    assert_eq!(attr(old, "public_network_access"), Some(&Value::Null));
    assert!(old.relations.is_empty());
    let os = find(&rs, "azure.compute.disk", "vm-fab-web-01_OsDisk_1");
    assert!(related(os, "attached_to")[0].ends_with("/virtualmachines/vm-fab-web-01"));
    assert_eq!(attr(os, "time_created"), Some(&json!("2025-03-04T10:11:12.3456789Z")));
}

#[test]
fn storage_accounts() {
    let (rs, _) = estate();
    let st = find(&rs, "azure.storage.account", "stfabprodpublic");
    assert_eq!(attr(st, "allow_blob_public_access"), Some(&json!(true)));
    assert_eq!(attr(st, "minimum_tls_version"), Some(&json!("TLS1_0")));
    assert_eq!(attr(st, "network_rule_set.bypass"), Some(&json!(["AzureServices", "Logging"])));
    assert_eq!(attr(st, "network_rule_set.ip_rules"), Some(&json!(["198.51.100.17"])));
    assert_eq!(attr(st, "allow_cross_tenant_replication"), Some(&Value::Null), "unset in a present properties object");
    assert_eq!(attr(st, "key_expiration_period_days"), Some(&Value::Null));
    let keys = attr(st, "access_keys").unwrap();
    assert_eq!(keys[0]["age_days"], json!(1747), "30 minutes short of 1748 days");
    assert_eq!(keys[1]["age_days"], json!(58));
    // Blob service properties and diagnostic settings are not in Resource Graph: unknown.
    assert_eq!(attr(st, "blob_service"), None);
    assert_eq!(attr(st, "diagnostic_settings"), None);

    let sbx = find(&rs, "azure.storage.account", "stfabsbxscratch");
    assert_eq!(attr(sbx, "encryption.key_vault_key_uri"), Some(&json!("https://kv-fab-prod.vault.azure.net/keys/storage-cmk")));
    // The vault is in the export, so the key's uid is known even though the key itself is not.
    assert_eq!(related(sbx, "encrypted_with"), vec![format!("/subscriptions/{S1}/resourcegroups/rg-fab-prod-data/providers/microsoft.keyvault/vaults/kv-fab-prod/keys/storage-cmk")]);
    assert_eq!(attr(sbx, "access_keys"), None);
}

#[test]
fn vaults_sql_sites_clusters_and_databases() {
    let (rs, _) = estate();
    let kv = find(&rs, "azure.keyvault.vault", "kv-fab-prod");
    assert_eq!(attr(kv, "sku_name"), Some(&json!("standard")));
    assert_eq!(attr(kv, "enable_purge_protection"), Some(&Value::Null));
    assert_eq!(attr(kv, "network_acls.default_action"), Some(&json!("Deny")));
    assert_eq!(attr(kv, "access_policies").unwrap()[0]["key_permissions"], json!(["Get", "WrapKey", "UnwrapKey"]));

    let sql = find(&rs, "azure.sql.server", "sql-fab-prod");
    assert_eq!(attr(sql, "minimal_tls_version"), Some(&json!("1.0")));
    assert_eq!(attr(sql, "azure_ad_admin.principal_type"), Some(&json!("Group")));
    assert_eq!(attr(sql, "azure_ad_admin.azure_ad_only_authentication"), Some(&json!(false)));
    // Only Resource Graph was read: firewall rules and auditing are unknown, the databases known.
    assert_eq!(attr(sql, "firewall_rules"), None);
    assert_eq!(attr(sql, "auditing"), None);
    assert_eq!(attr(sql, "databases"), Some(&json!([{"name": "orders", "sku_name": "GP_Gen5", "backup_storage_redundancy": "Geo"}])));

    let site = find(&rs, "azure.web.site", "app-fab-storefront");
    assert_eq!(attr(site, "https_only"), Some(&json!(false)));
    assert_eq!(attr(site, "public_network_access"), Some(&Value::Null));
    assert_eq!(attr(site, "identity"), Some(&Value::Null));
    assert_eq!(attr(site, "site_config.http20_enabled"), Some(&json!(false)));
    assert_eq!(attr(site, "site_config.min_tls_version"), None, "null in Resource Graph's siteConfig means not read");

    let aks = find(&rs, "azure.containerservice.managed_cluster", "aks-fab-prod");
    assert_eq!(attr(aks, "api_server_access_profile"), Some(&Value::Null));
    assert_eq!(attr(aks, "network_profile.network_policy"), Some(&Value::Null));
    assert_eq!(attr(aks, "security_profile.defender_enabled"), Some(&json!(false)));
    assert_eq!(attr(aks, "agent_pools").unwrap()[1]["enable_node_public_ip"], json!(true));
    assert_eq!(attr(aks, "identity.user_assigned_identities").unwrap().as_array().unwrap().len(), 1);

    let cosmos = find(&rs, "azure.documentdb.database_account", "cosmos-fab-orders");
    assert_eq!(attr(cosmos, "minimal_tls_version"), Some(&json!("Tls12")));
    assert_eq!(attr(cosmos, "backup_policy_type"), Some(&json!("Continuous")));
    let pg = find(&rs, "azure.dbforpostgresql.flexible_server", "psql-fab-prod");
    assert_eq!(attr(pg, "public_network_access"), Some(&json!("Enabled")));
    assert_eq!(attr(pg, "configurations"), None);
    assert_eq!(attr(pg, "authentication.password_auth"), Some(&json!("Enabled")));
}

#[test]
fn subscriptions_groups_roles_and_plans() {
    let (rs, _) = estate();
    let sub = find(&rs, "azure.resources.subscription", "Fabrikam Production");
    assert_eq!(sub.uid, format!("/subscriptions/{S1}"));
    assert_eq!(attr(sub, "management_group_ancestors"), Some(&json!(["9e8d7c6b-5a49-4382-a716-b5c4d3e2f1a0", "fab-lz"])));
    assert_eq!(attr(sub, "security_contact"), None, "not in the export: unknown");
    assert_eq!(attr(sub, "bastion_host_ids"), None);

    let app = find(&rs, "azure.resources.resource_group", "rg-fab-prod-app");
    assert_eq!(attr(app, "resource_locks"), Some(&json!([{"name": "no-delete", "level": "CanNotDelete"}])));
    let data = find(&rs, "azure.resources.resource_group", "rg-fab-prod-data");
    assert_eq!(attr(data, "resource_locks"), None, "locks were not exported for it");

    let owner = rs.iter().find(|r| r.kind == "azure.authorization.role_assignment" && attr(r, "role_name") == Some(&json!("Owner"))).unwrap();
    assert_eq!(attr(owner, "scope_type"), Some(&json!("subscription")));
    assert_eq!(attr(owner, "principal_user_type"), Some(&Value::Null));
    assert_eq!(related(owner, "scoped_to"), vec![format!("/subscriptions/{S1}")]);
    let custom = rs.iter().find(|r| r.kind == "azure.authorization.role_assignment" && attr(r, "principal_type") == Some(&json!("User"))).unwrap();
    assert_eq!(attr(custom, "scope_type"), Some(&json!("resource_group")));
    assert_eq!(attr(custom, "principal_user_type"), None, "Microsoft Graph was not read");
    let defs: Vec<&Resource> = rs.iter().filter(|r| r.kind == "azure.authorization.role_definition").collect();
    assert_eq!(defs.len(), 1, "built-in roles only name assignments");
    assert_eq!(defs[0].name, "Fabrikam Ops Superuser");

    let vm_plan = rs.iter().find(|r| r.kind == "azure.security.pricing" && r.account == S1 && r.name == "VirtualMachines").unwrap();
    assert_eq!(attr(vm_plan, "pricing_tier"), Some(&json!("Free")));
    let storage = rs.iter().find(|r| r.kind == "azure.security.pricing" && r.name == "StorageAccounts").unwrap();
    assert_eq!(attr(storage, "extensions"), Some(&json!([{"name": "OnUploadMalwareScanning", "is_enabled": true}])));
    assert_eq!(attr(storage, "enablement_time"), Some(&json!("2025-01-01T00:00:00Z")));
}

/// What the live collector adds (ARM children and `posture.listed` markers) completes the picture.
#[test]
fn arm_children_and_listing_markers_fill_in_what_resource_graph_lacks() {
    let sub = "/subscriptions/11111111-2222-4333-8444-555555555555";
    let st = format!("{sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stx");
    let sql = format!("{sub}/resourceGroups/rg/providers/Microsoft.Sql/servers/sqlx");
    let kv = format!("{sub}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kvx");
    let site = format!("{sub}/resourceGroups/rg/providers/Microsoft.Web/sites/appx");
    let items = vec![
        json!({"id": sub, "type": "microsoft.resources/subscriptions", "name": "X", "tenantId": "t", "properties": {"state": "Enabled"}}),
        json!({"id": st, "type": "Microsoft.Storage/storageAccounts", "kind": "StorageV2", "location": "westeurope", "sku": {"name": "Standard_LRS"},
               "properties": {"supportsHttpsTrafficOnly": true}}),
        json!({"id": format!("{st}/blobServices/default"), "type": "Microsoft.Storage/storageAccounts/blobServices", "name": "default",
               "properties": {"deleteRetentionPolicy": {"enabled": true, "days": 14}, "containerDeleteRetentionPolicy": {"enabled": false}, "isVersioningEnabled": true}}),
        json!({"id": format!("{st}/blobServices/default/providers/microsoft.insights/diagnosticSettings/blob-logs"), "type": "Microsoft.Insights/diagnosticSettings",
               "name": "blob-logs", "properties": {"workspaceId": "/subscriptions/x/resourcegroups/r/providers/microsoft.operationalinsights/workspaces/w",
               "logs": [{"category": "StorageRead", "enabled": true}, {"category": "StorageWrite", "enabled": true}, {"category": "StorageDelete", "enabled": false}]}}),
        json!({"id": st, "type": "posture.listed", "properties": {"types": ["microsoft.storage/storageaccounts/queueservices", "microsoft.insights/diagnosticsettings"]}}),
        json!({"id": sql, "type": "Microsoft.Sql/servers", "location": "westeurope", "properties": {"version": "12.0", "publicNetworkAccess": "Enabled"}}),
        json!({"id": format!("{sql}/firewallRules/AllowAllWindowsAzureIps"), "type": "Microsoft.Sql/servers/firewallRules",
               "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "0.0.0.0"}}),
        json!({"id": format!("{sql}/auditingSettings/default"), "type": "Microsoft.Sql/servers/auditingSettings", "name": "default",
               "properties": {"state": "Enabled", "retentionDays": 30, "isAzureMonitorTargetEnabled": true}}),
        json!({"id": format!("{sql}/encryptionProtector/current"), "type": "Microsoft.Sql/servers/encryptionProtector",
               "properties": {"serverKeyType": "AzureKeyVault", "uri": "https://kvx.vault.azure.net/keys/tde/0123456789abcdef", "autoRotationEnabled": true}}),
        json!({"id": sql, "type": "posture.listed", "properties": {"types": ["microsoft.sql/servers/databases", "microsoft.sql/servers/vulnerabilityassessments", "microsoft.sql/servers/sqlvulnerabilityassessments"]}}),
        json!({"id": kv, "type": "Microsoft.KeyVault/vaults", "location": "westeurope", "properties": {"vaultUri": "https://kvx.vault.azure.net/", "enableRbacAuthorization": true}}),
        json!({"id": format!("{kv}/keys/tde"), "type": "Microsoft.KeyVault/vaults/keys", "location": "westeurope",
               "properties": {"kty": "RSA", "keySize": 3072, "attributes": {"enabled": true, "created": 1_700_000_000, "exp": null},
                              "rotationPolicy": {"attributes": {"expiryTime": "P1Y"}, "lifetimeActions": [{"trigger": {"timeAfterCreate": "P11M"}, "action": {"type": "rotate"}}]}}}),
        json!({"id": format!("{kv}/secrets/db-password"), "type": "Microsoft.KeyVault/vaults/secrets",
               "properties": {"attributes": {"enabled": true, "created": 1_700_000_000, "updated": 1_700_000_500}, "contentType": "text/plain"}}),
        json!({"id": site, "type": "Microsoft.Web/sites", "kind": "app", "location": "westeurope", "properties": {"httpsOnly": true, "state": "Running"}}),
        json!({"id": format!("{site}/config/web"), "type": "Microsoft.Web/sites/config", "name": "web",
               "properties": {"minTlsVersion": "1.2", "scmMinTlsVersion": "1.0", "ftpsState": "FtpsOnly", "remoteDebuggingEnabled": false,
                              "http20Enabled": true, "linuxFxVersion": "", "alwaysOn": true, "cors": {"allowedOrigins": ["*"]}}}),
        json!({"id": format!("{site}/config/appsettings"), "type": "Microsoft.Web/sites/config", "properties": {"APPLICATIONINSIGHTS_CONNECTION_STRING": ""}}),
        json!({"id": format!("{site}/basicPublishingCredentialsPolicies/ftp"), "type": "Microsoft.Web/sites/basicPublishingCredentialsPolicies", "properties": {"allow": false}}),
        json!({"id": format!("{site}/basicPublishingCredentialsPolicies/scm"), "type": "Microsoft.Web/sites/basicPublishingCredentialsPolicies", "properties": {"allow": true}}),
        json!({"id": format!("{site}/config/authsettingsV2"), "type": "Microsoft.Web/sites/config", "properties": {"platform": {"enabled": false}}}),
        json!({"id": format!("{sub}/providers/Microsoft.Security/securityContacts/default"), "type": "Microsoft.Security/securityContacts",
               "properties": {"emails": "secops@x.example", "alertNotifications": {"state": "On", "minimalSeverity": "Medium"}, "notificationsByRole": {"state": "On", "roles": ["Owner"]}}}),
        json!({"id": format!("{sub}/providers/microsoft.insights/diagnosticSettings/activity"), "type": "Microsoft.Insights/diagnosticSettings",
               "properties": {"storageAccountId": st, "logs": [{"category": "Administrative", "enabled": true}, {"category": "Security", "enabled": true}, {"category": "Alert", "enabled": false}]}}),
        json!({"id": format!("{sub}/resourceGroups/rg/providers/microsoft.insights/activityLogAlerts/nsg-write"), "type": "microsoft.insights/activityLogAlerts", "location": "global",
               "properties": {"scopes": [sub], "enabled": true, "condition": {"allOf": [{"field": "category", "equals": "Administrative"},
               {"field": "operationName", "equals": "Microsoft.Network/networkSecurityGroups/write"}]},
               "actions": {"actionGroups": [{"actionGroupId": format!("{sub}/resourceGroups/rg/providers/microsoft.insights/actionGroups/secops")}]}}}),
        json!({"id": format!("{sub}/providers/Microsoft.Security/settings/MCAS"), "type": "Microsoft.Security/settings", "kind": "DataExportSettings", "properties": {"enabled": false}}),
        json!({"id": format!("{sub}/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn"), "type": "Microsoft.Authorization/policyAssignments",
               "name": "SecurityCenterBuiltIn", "properties": {"enforcementMode": "Default", "parameters": {"diskEncryptionMonitoringEffect": {"value": "Disabled"}, "x": {"value": "AuditIfNotExists"}}}}),
        json!({"id": sub, "type": "posture.listed", "properties": {"types": ["microsoft.network/bastionhosts", "microsoft.security/settings", "microsoft.security/servervulnerabilityassessmentssettings"]}}),
    ];
    let (rs, report) = map_values(&items, &opts());
    valid(&rs);
    assert!(report.issues.is_empty() && report.unmapped.is_empty(), "{report:?}");

    let account = rs.iter().find(|r| r.kind == "azure.storage.account").unwrap();
    assert_eq!(attr(account, "blob_service.delete_retention_policy"), Some(&json!({"enabled": true, "days": 14})));
    assert_eq!(attr(account, "blob_service.container_delete_retention_policy"), Some(&json!({"enabled": false, "days": null})));
    assert_eq!(attr(account, "blob_service.logging"), Some(&json!({"read": true, "write": true, "delete": false, "retention_days": null})));
    assert_eq!(attr(account, "queue_service"), Some(&Value::Null), "listed and absent: the account has none");
    assert_eq!(attr(account, "table_service"), None);
    assert_eq!(attr(account, "diagnostic_settings"), Some(&json!([])));

    let server = rs.iter().find(|r| r.kind == "azure.sql.server").unwrap();
    assert_eq!(attr(server, "firewall_rules"), Some(&json!([{"name": "AllowAllWindowsAzureIps", "start_ip_address": "0.0.0.0", "end_ip_address": "0.0.0.0"}])));
    assert_eq!(attr(server, "auditing"), Some(&json!({"state": "Enabled", "retention_days": 30, "is_azure_monitor_target_enabled": true, "storage_endpoint": null})));
    assert_eq!(attr(server, "tde_protector.server_key_type"), Some(&json!("AzureKeyVault")));
    assert_eq!(related(server, "encrypted_with"), vec![format!("{}/keys/tde", kv.to_lowercase())]);
    assert_eq!(attr(server, "databases"), Some(&json!([])));
    assert_eq!(attr(server, "vulnerability_assessment"), Some(&Value::Null));
    assert_eq!(attr(server, "azure_ad_admin"), Some(&Value::Null));

    let key = rs.iter().find(|r| r.kind == "azure.keyvault.key").unwrap();
    assert_eq!(attr(key, "expires_on"), Some(&Value::Null));
    assert_eq!(attr(key, "created_on"), Some(&json!("2023-11-14T22:13:20Z")));
    assert_eq!(attr(key, "rotation_policy"), Some(&json!({"auto_rotate": true, "rotate_after_days": 330, "expiry_days": 365})));
    assert_eq!(related(key, "in_vault"), vec![kv.to_lowercase()]);
    let secret = rs.iter().find(|r| r.kind == "azure.keyvault.secret").unwrap();
    assert_eq!(attr(secret, "vault_rbac_authorization"), Some(&json!(true)));
    assert_eq!(attr(secret, "managed"), None, "ARM does not say");

    let app = rs.iter().find(|r| r.kind == "azure.web.site").unwrap();
    assert_eq!(attr(app, "site_config.scm_min_tls_version"), Some(&json!("1.0")));
    assert_eq!(attr(app, "site_config.linux_fx_version"), Some(&Value::Null));
    assert_eq!(attr(app, "site_config.cors_allowed_origins"), Some(&json!(["*"])));
    assert_eq!(attr(app, "basic_publishing_credentials"), Some(&json!({"ftp_allowed": false, "scm_allowed": true})));
    assert_eq!(attr(app, "application_insights_configured"), Some(&json!(true)));
    assert_eq!(attr(app, "auth_enabled"), Some(&json!(false)));

    let s = rs.iter().find(|r| r.kind == "azure.resources.subscription").unwrap();
    assert_eq!(attr(s, "security_contact.notify_roles"), Some(&json!(["Owner"])));
    assert_eq!(attr(s, "activity_log_diagnostic_settings"), Some(&json!([{"name": "activity", "categories_enabled": ["Administrative", "Security"], "destination_types": ["storage"]}])));
    assert_eq!(related(s, "logs_to"), vec![st.to_lowercase()]);
    assert_eq!(attr(s, "activity_log_alerts").unwrap()[0]["operation_name"], json!("Microsoft.Network/networkSecurityGroups/write"));
    assert_eq!(attr(s, "defender_settings"), Some(&json!({"mcas_enabled": false, "wdatp_enabled": null})));
    assert_eq!(attr(s, "server_vulnerability_assessment_provider"), Some(&Value::Null));
    assert_eq!(attr(s, "security_benchmark_assignment"), Some(&json!({"enforcement_mode": "Default", "disabled_policies": ["diskEncryptionMonitoringEffect"]})));
    assert_eq!(attr(s, "bastion_host_ids"), Some(&json!([])));
}

#[test]
fn items_without_properties_keep_only_their_envelope() {
    let items = vec![json!({"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/v", "type": "Microsoft.Compute/virtualMachines",
                            "location": "eastus", "tags": {"env": "prod", "n": 1}})];
    let (rs, report) = map_values(&items, &opts());
    valid(&rs);
    assert!(report.issues.is_empty());
    assert!(rs[0].attrs.is_empty(), "a projected query says nothing about attributes: {:?}", rs[0].attrs);
    assert_eq!(rs[0].tags.get("env").map(String::as_str), Some("prod"));
    assert!(!rs[0].tags.contains_key("n"), "non-string tag values are not tags");
}

#[test]
fn odd_values_never_break_the_schema() {
    let items = vec![
        json!({"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a", "type": "microsoft.storage/storageaccounts",
               "kind": "SomethingNew", "properties": {"minimumTlsVersion": "TLS9_9", "supportsHttpsTrafficOnly": "yes", "networkAcls": "weird",
               "keyCreationTime": {"key1": "not a date", "key2": null}, "privateEndpointConnections": [{"properties": {}}, 7]}}),
        json!({"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkSecurityGroups/n", "type": "microsoft.network/networksecuritygroups",
               "properties": {"securityRules": [{"properties": {"protocol": "Gre", "priority": "high", "direction": 5}}, "x"]}}),
        json!({"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/v", "type": "microsoft.compute/virtualmachines",
               "properties": {"storageProfile": {"osDisk": {"osType": "Plan9", "managedDisk": {"id": 5}}, "dataDisks": [{"lun": -3}]}, "networkProfile": {"networkInterfaces": ["x", {}]}}}),
        json!({"id": "/subscriptions/s/providers/Microsoft.Security/pricings/Arm", "type": "microsoft.security/pricings", "properties": {"pricingTier": "Gold", "extensions": [{"name": "X"}]}}),
        json!(42),
        json!({"id": "relative/id", "type": "x"}),
    ];
    let (rs, report) = map_values(&items, &opts());
    valid(&rs);
    assert_eq!(rs.len(), 4);
    assert_eq!(report.issues.iter().map(|i| i.location.as_str()).collect::<Vec<_>>(), vec!["input#data[4]", "input#data[5]"]);
    let st = &rs[0];
    assert_eq!(attr(st, "minimum_tls_version"), None);
    assert_eq!(attr(st, "access_keys").unwrap()[0]["age_days"], Value::Null);
}

#[test]
fn mysql_flexible_servers_keep_only_security_parameters() {
    let srv = "/subscriptions/s/resourceGroups/r/providers/Microsoft.DBforMySQL/flexibleServers/my1";
    let items = vec![
        json!({"id": srv, "type": "Microsoft.DBforMySQL/flexibleServers", "location": "westeurope",
               "properties": {"version": "8.0.21", "state": "Ready", "network": {"publicNetworkAccess": "Enabled"},
                              "backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"}, "dataEncryption": {"type": "SystemManaged"}}}),
        json!({"id": format!("{srv}/configurations/require_secure_transport"), "type": "Microsoft.DBforMySQL/flexibleServers/configurations",
               "name": "require_secure_transport", "properties": {"value": "OFF", "source": "user-override"}}),
        json!({"id": format!("{srv}/configurations/innodb_buffer_pool_size"), "type": "Microsoft.DBforMySQL/flexibleServers/configurations",
               "name": "innodb_buffer_pool_size", "properties": {"value": "1073741824"}}),
        json!({"id": format!("{srv}/firewallRules/everyone"), "type": "Microsoft.DBforMySQL/flexibleServers/firewallRules",
               "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255"}}),
    ];
    let (rs, report) = map_values(&items, &opts());
    valid(&rs);
    assert!(report.unmapped.is_empty(), "{report:?}");
    assert_eq!(rs.len(), 1);
    assert_eq!(attr(&rs[0], "configurations"), Some(&json!([{"name": "require_secure_transport", "value": "OFF"}])));
    assert_eq!(attr(&rs[0], "firewall_rules").unwrap()[0]["end_ip_address"], json!("255.255.255.255"));
    assert_eq!(attr(&rs[0], "data_encryption"), Some(&json!({"type": "SystemManaged", "primary_key_uri": null})));
    assert_eq!(attr(&rs[0], "diagnostic_settings"), None);
}

#[test]
fn deny_assignments_keep_their_permissions_scope_and_principals() {
    let rg = format!("/subscriptions/{S1}/resourceGroups/rg-managed-app");
    let item = json!({
        "id": format!("{rg}/providers/Microsoft.Authorization/denyAssignments/7f3c1d2e-0a1b-4c5d-8e9f-a0b1c2d3e4f5"),
        "name": "7f3c1d2e-0a1b-4c5d-8e9f-a0b1c2d3e4f5", "type": "microsoft.authorization/denyassignments", "subscriptionId": S1,
        "properties": {
            "denyAssignmentName": "Deny assignment for managed application shop-app",
            "permissions": [{"actions": ["*"], "notActions": ["*/read"], "dataActions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"], "notDataActions": []}],
            "scope": format!("{rg}/"), "doNotApplyToChildScopes": false,
            "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}],
            "excludePrincipals": [{"id": "A1B2C3D4-0000-4000-8000-000000000001", "type": "ServicePrincipal"}],
            "isSystemProtected": true
        }
    });
    let bare = json!({"id": format!("/subscriptions/{S1}/providers/Microsoft.Authorization/denyAssignments/d2"), "type": "Microsoft.Authorization/denyAssignments",
        "properties": {"denyAssignmentName": "partial", "scope": format!("/subscriptions/{S1}"), "permissions": [{"actions": ["Microsoft.Compute/*/delete"]}]}});
    let (rs, report) = map_values(&[item, bare], &opts());
    valid(&rs);
    assert!(report.unmapped.is_empty(), "{:?}", report.unmapped);
    let d = find(&rs, "azure.authorization.deny_assignment", "Deny assignment for managed application shop-app");
    assert_eq!(attr(d, "scope"), Some(&json!(rg.to_lowercase())));
    assert_eq!(attr(d, "scope_type"), Some(&json!("resource_group")));
    assert_eq!(related(d, "scoped_to"), vec![rg.to_lowercase()]);
    assert_eq!(attr(d, "do_not_apply_to_child_scopes"), Some(&json!(false)));
    assert_eq!(
        attr(d, "permissions"),
        Some(&json!([{"actions": ["*"], "not_actions": ["*/read"], "data_actions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"], "not_data_actions": []}]))
    );
    assert_eq!(attr(d, "principals"), Some(&json!([{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}])));
    assert_eq!(attr(d, "exclude_principals"), Some(&json!([{"id": "a1b2c3d4-0000-4000-8000-000000000001", "type": "ServicePrincipal"}])));
    // Principals not reported stay unknown, never "nobody".
    let p = find(&rs, "azure.authorization.deny_assignment", "partial");
    assert!(attr(p, "principals").is_none() && attr(p, "exclude_principals").is_none());
    assert_eq!(attr(p, "permissions"), Some(&json!([{"actions": ["Microsoft.Compute/*/delete"], "not_actions": [], "data_actions": [], "not_data_actions": []}])));
}
