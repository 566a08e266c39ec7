//! `azurerm_*` resources, with the azurerm provider's defaults (v3 names, v4 names where renamed).

use super::{jv, line_of, push, Build, Conv, Target};
use crate::hcl::value::V;
use crate::terraform::eval::EBlock;
use serde_json::{json, Value};

pub fn primary(t: &str, b: &EBlock) -> Option<Build> {
    let mut o = match t {
        "azurerm_storage_account" => storage_account(b),
        "azurerm_mssql_server" | "azurerm_sql_server" => sql_server(b),
        "azurerm_key_vault" => key_vault(b),
        "azurerm_key_vault_key" => kv_item(b, "azure.keyvault.key"),
        "azurerm_key_vault_secret" => kv_item(b, "azure.keyvault.secret"),
        "azurerm_network_security_group" => nsg(b),
        "azurerm_kubernetes_cluster" => aks(b),
        "azurerm_app_service" | "azurerm_linux_web_app" | "azurerm_windows_web_app" | "azurerm_function_app"
        | "azurerm_linux_function_app" | "azurerm_windows_function_app" => web(t, b),
        "azurerm_managed_disk" => disk(b),
        "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine" | "azurerm_virtual_machine" => vm(t, b),
        "azurerm_role_definition" => role_definition(b),
        "azurerm_security_center_subscription_pricing" => pricing(b),
        "azurerm_subnet" => subnet(b),
        "azurerm_virtual_network" => vnet(b),
        "azurerm_resource_group" => {
            let mut o = Build::new("azure.resources.resource_group");
            o.put("provisioning_state", json!("Succeeded"), None);
            o.put("resource_locks", json!([]), None);
            o
        }
        "azurerm_postgresql_flexible_server" => flexible(b, "azure.dbforpostgresql.flexible_server"),
        "azurerm_mysql_flexible_server" => flexible(b, "azure.dbformysql.flexible_server"),
        _ => return None,
    };
    if o.name.is_none() {
        o.name = b.value("name").and_then(V::to_text);
    }
    Some(o)
}

pub fn target(t: &str) -> Option<Target> {
    let (types, via, key): (&'static [&'static str], _, _) = match t {
        "azurerm_storage_account_network_rules" => (&["azurerm_storage_account"], "storage_account_id|storage_account_name", "name"),
        "azurerm_mssql_firewall_rule" => (&["azurerm_mssql_server"], "server_id", "id"),
        "azurerm_sql_firewall_rule" => (&["azurerm_sql_server", "azurerm_mssql_server"], "server_name", "name"),
        "azurerm_mssql_server_security_alert_policy" => (&["azurerm_mssql_server", "azurerm_sql_server"], "server_name", "name"),
        "azurerm_mssql_server_extended_auditing_policy" => (&["azurerm_mssql_server"], "server_id", "id"),
        "azurerm_network_security_rule" => (&["azurerm_network_security_group"], "network_security_group_name", "name"),
        "azurerm_network_watcher_flow_log" => (&["azurerm_network_security_group"], "network_security_group_id", "id"),
        "azurerm_subnet_network_security_group_association" => (&["azurerm_subnet"], "subnet_id", "id"),
        "azurerm_management_lock" => (&["azurerm_resource_group"], "scope", "id"),
        _ => return None,
    };
    Some(Target { types, via, key })
}

pub fn augment(t: &str, b: &EBlock, into: &mut Build) {
    match t {
        "azurerm_storage_account_network_rules" => network_rules(b, into),
        "azurerm_mssql_firewall_rule" | "azurerm_sql_firewall_rule" => {
            let item = json!({"name": jv(b, "name", Conv::Str), "start_ip_address": jv(b, "start_ip_address", Conv::Str), "end_ip_address": jv(b, "end_ip_address", Conv::Str)});
            push(into, "firewall_rules", item, b.line);
        }
        "azurerm_mssql_server_security_alert_policy" => {
            if let Some((v, line)) = b.attr("state") {
                if let Some(s) = v.to_text() {
                    into.put("advanced_threat_protection_state", json!(s), Some(*line));
                }
            }
        }
        "azurerm_mssql_server_extended_auditing_policy" => {
            let on = b.value("enabled").and_then(V::as_bool).unwrap_or(true);
            into.put("auditing.state", json!(if on { "Enabled" } else { "Disabled" }), Some(line_of(b, "enabled")));
            into.field("auditing.retention_days", b, "retention_in_days", Conv::Int, Some(json!(0)));
        }
        "azurerm_network_security_rule" => nsg_rule(b, into),
        "azurerm_network_watcher_flow_log" => {
            into.field("flow_log.enabled", b, "enabled", Conv::Bool, None);
            if let Some(r) = b.block("retention_policy") {
                let on = r.value("enabled").and_then(V::as_bool);
                match on {
                    Some(true) => into.field("flow_log.retention_days", r, "days", Conv::Int, None),
                    Some(false) => into.put("flow_log.retention_days", json!(0), Some(line_of(r, "enabled"))),
                    None => {}
                }
            }
            let ta = b.block("traffic_analytics").and_then(|t| t.value("enabled")).and_then(V::as_bool).unwrap_or(false);
            into.put("flow_log.traffic_analytics_enabled", json!(ta), None);
        }
        "azurerm_subnet_network_security_group_association" => {
            into.field("network_security_group_id", b, "network_security_group_id", Conv::Presence, None);
            into.rel("has_security_group", b.value("network_security_group_id"));
        }
        "azurerm_management_lock" => {
            let item = json!({"name": jv(b, "name", Conv::Str), "level": jv(b, "lock_level", Conv::Str)});
            push(into, "resource_locks", item, b.line);
        }
        _ => {}
    }
}

fn network_rules(b: &EBlock, into: &mut Build) {
    into.field("network_rule_set.default_action", b, "default_action", Conv::Str, None);
    into.field("network_rule_set.bypass", b, "bypass", Conv::Strs, Some(json!(["AzureServices"])));
    into.field("network_rule_set.ip_rules", b, "ip_rules", Conv::Strs, Some(json!([])));
}

fn enabled(v: bool) -> Value {
    json!(if v { "Enabled" } else { "Disabled" })
}

/// A boolean setting written as `Enabled`/`Disabled`, under either of its provider names.
fn flag(o: &mut Build, path: &str, b: &EBlock, names: &[&str], default: bool) {
    for n in names {
        if let Some((v, line)) = b.attr(n) {
            if let Some(x) = v.as_bool() {
                o.put(path, enabled(x), Some(*line));
            }
            return;
        }
    }
    o.put(path, enabled(default), None);
}

fn bool_any(o: &mut Build, path: &str, b: &EBlock, names: &[&str], default: Value) {
    for n in names {
        if b.attr(n).is_some() {
            o.field(path, b, n, Conv::Bool, None);
            return;
        }
    }
    o.put(path, default, None);
}

fn logging(o: &mut Build, svc: &str, props: Option<&EBlock>) {
    let Some(l) = props.and_then(|p| p.block("logging")) else {
        return;
    };
    for k in ["read", "write", "delete"] {
        o.field(&format!("{svc}.logging.{k}"), l, k, Conv::Bool, None);
    }
}

fn storage_account(b: &EBlock) -> Build {
    let mut o = Build::new("azure.storage.account");
    o.field("account_kind", b, "account_kind", Conv::Str, Some(json!("StorageV2")));
    bool_any(&mut o, "https_only", b, &["https_traffic_only_enabled", "enable_https_traffic_only"], json!(true));
    o.field("minimum_tls_version", b, "min_tls_version", Conv::Str, Some(json!("TLS1_2")));
    // azurerm v3 allows nested items to be public unless told otherwise.
    bool_any(&mut o, "allow_blob_public_access", b, &["allow_nested_items_to_be_public", "allow_blob_public_access"], json!(true));
    o.field("allow_shared_key_access", b, "shared_access_key_enabled", Conv::Bool, Some(json!(true)));
    o.field("allow_cross_tenant_replication", b, "cross_tenant_replication_enabled", Conv::Bool, Some(json!(true)));
    flag(&mut o, "public_network_access", b, &["public_network_access_enabled"], true);
    match b.block("network_rules") {
        Some(n) => network_rules(n, &mut o),
        None => o.put("network_rule_set", json!({"default_action": "Allow", "bypass": ["AzureServices"], "ip_rules": []}), None),
    }
    let cmk = b.block("customer_managed_key").is_some();
    o.put("encryption.key_source", json!(if cmk { "Microsoft.Keyvault" } else { "Microsoft.Storage" }), b.block("customer_managed_key").map(|c| c.line));
    o.field("encryption.require_infrastructure_encryption", b, "infrastructure_encryption_enabled", Conv::Bool, Some(json!(false)));
    let blob = b.block("blob_properties");
    o.put("blob_service", json!({}), blob.map(|x| x.line));
    match blob.and_then(|x| x.block("delete_retention_policy")) {
        Some(d) => {
            o.put("blob_service.delete_retention_policy.enabled", json!(true), Some(d.line));
            o.field("blob_service.delete_retention_policy.days", d, "days", Conv::Int, Some(json!(7)));
        }
        None => o.put("blob_service.delete_retention_policy", json!({"enabled": false}), None),
    }
    match blob.and_then(|x| x.block("container_delete_retention_policy")) {
        Some(d) => o.put("blob_service.container_delete_retention_policy.enabled", json!(true), Some(d.line)),
        None => o.put("blob_service.container_delete_retention_policy", json!({"enabled": false}), None),
    }
    match blob {
        Some(x) => o.field("blob_service.versioning_enabled", x, "versioning_enabled", Conv::Bool, Some(json!(false))),
        None => o.put("blob_service.versioning_enabled", json!(false), None),
    }
    // Storage analytics logging is off unless configured (queue_properties.logging; blob and
    // table logging have no azurerm argument, so they stay off for a new account).
    let off = json!({"read": false, "write": false, "delete": false});
    o.put("queue_service", json!({"logging": off}), None);
    o.put("table_service", json!({"logging": off}), None);
    o.put("blob_service.logging", off, None);
    if let Some(q) = b.block("queue_properties") {
        if q.block("logging").is_some() {
            logging(&mut o, "queue_service", Some(q));
        }
    }
    o.put("private_endpoint_connections", json!([]), None);
    o
}

fn sql_server(b: &EBlock) -> Build {
    let mut o = Build::new("azure.sql.server");
    o.field("version", b, "version", Conv::Str, None);
    o.field("administrator_login", b, "administrator_login", Conv::Str, None);
    o.field("minimal_tls_version", b, "minimum_tls_version", Conv::Str, Some(json!("1.2")));
    flag(&mut o, "public_network_access", b, &["public_network_access_enabled"], true);
    match b.block("azuread_administrator") {
        Some(a) => {
            o.put("azure_ad_admin", json!({}), Some(a.line));
            o.field("azure_ad_admin.login", a, "login_username", Conv::Str, None);
            o.field("azure_ad_admin.azure_ad_only_authentication", a, "azuread_authentication_only", Conv::Bool, Some(json!(false)));
        }
        None => o.put("azure_ad_admin", Value::Null, None),
    }
    match b.block("extended_auditing_policy") {
        Some(a) => {
            o.put("auditing.state", json!("Enabled"), Some(a.line));
            o.field("auditing.retention_days", a, "retention_in_days", Conv::Int, Some(json!(0)));
        }
        None => o.put("auditing", json!({"state": "Disabled"}), None),
    }
    o.put("firewall_rules", json!([]), None);
    o.put("advanced_threat_protection_state", json!("Disabled"), None);
    o.put("vulnerability_assessment", Value::Null, None);
    o
}

fn key_vault(b: &EBlock) -> Build {
    let mut o = Build::new("azure.keyvault.vault");
    o.field("sku_name", b, "sku_name", Conv::Str, None);
    // Soft delete is always on for new vaults.
    o.put("enable_soft_delete", json!(true), None);
    o.field("soft_delete_retention_days", b, "soft_delete_retention_days", Conv::Int, Some(json!(90)));
    o.field("enable_purge_protection", b, "purge_protection_enabled", Conv::Bool, Some(json!(false)));
    o.field("enable_rbac_authorization", b, "enable_rbac_authorization", Conv::Bool, Some(json!(false)));
    flag(&mut o, "public_network_access", b, &["public_network_access_enabled"], true);
    match b.block("network_acls") {
        Some(n) => {
            o.field("network_acls.default_action", n, "default_action", Conv::Str, None);
            o.field("network_acls.bypass", n, "bypass", Conv::Str, None);
        }
        None => o.put("network_acls", json!({"default_action": "Allow"}), None),
    }
    o.put("private_endpoint_connections", json!([]), None);
    o
}

fn kv_item(b: &EBlock, kind: &'static str) -> Build {
    let mut o = Build::new(kind);
    o.put("enabled", json!(true), None);
    o.field("expires_on", b, "expiration_date", Conv::Str, Some(Value::Null));
    o.field("content_type", b, "content_type", Conv::Str, None);
    if kind == "azure.keyvault.key" {
        o.field("key_type", b, "key_type", Conv::Str, None);
        o.field("key_size", b, "key_size", Conv::Int, None);
        match b.block("rotation_policy") {
            Some(r) => {
                let auto = r.block("automatic").is_some();
                o.put("rotation_policy", json!({"auto_rotate": auto}), Some(r.line));
            }
            None => o.put("rotation_policy", json!({"auto_rotate": false}), None),
        }
    } else {
        o.put("managed", json!(false), None);
    }
    o.rel("in_vault", b.value("key_vault_id"));
    o
}

fn strs(b: &EBlock, one: &str, many: &str) -> Option<Value> {
    match (b.value(many), b.value(one)) {
        (Some(v), _) if !matches!(v, V::Null) => super::convert(v, Conv::Strs),
        (_, Some(V::Null)) | (_, None) => Some(json!([])),
        (_, Some(v)) => v.to_text().map(|s| json!([s])),
    }
}

fn security_rule(r: &EBlock) -> Option<Value> {
    let cap = |s: Option<Value>| s.map(|v| match v.as_str() {
        Some(t) if t != "*" => {
            let mut c = t.chars();
            let first: String = c.next().map(|f| f.to_uppercase().collect()).unwrap_or_default();
            json!(format!("{first}{}", c.as_str().to_lowercase()))
        }
        _ => v,
    });
    Some(json!({
        "name": jv(r, "name", Conv::Str),
        "priority": jv(r, "priority", Conv::Int),
        "direction": jv(r, "direction", Conv::Str)?,
        "access": jv(r, "access", Conv::Str)?,
        "protocol": cap(jv(r, "protocol", Conv::Str))?,
        "source_address_prefixes": strs(r, "source_address_prefix", "source_address_prefixes")?,
        "source_port_ranges": strs(r, "source_port_range", "source_port_ranges")?,
        "destination_address_prefixes": strs(r, "destination_address_prefix", "destination_address_prefixes")?,
        "destination_port_ranges": strs(r, "destination_port_range", "destination_port_ranges")?,
    }))
}

fn nsg_rule(r: &EBlock, into: &mut Build) {
    match security_rule(r) {
        Some(item) => push(into, "security_rules", item, r.line),
        None => {
            into.attrs.remove("security_rules");
        }
    }
}

fn nsg(b: &EBlock) -> Build {
    let mut o = Build::new("azure.network.network_security_group");
    o.put("security_rules", json!([]), None);
    for r in b.blocks("security_rule") {
        nsg_rule(r, &mut o);
    }
    if b.unknown_blocks.contains("security_rule") {
        o.attrs.remove("security_rules");
    }
    o.put("flow_log", Value::Null, None);
    o
}

fn aks(b: &EBlock) -> Build {
    let mut o = Build::new("azure.containerservice.managed_cluster");
    o.field("kubernetes_version", b, "kubernetes_version", Conv::Str, None);
    bool_any(&mut o, "enable_rbac", b, &["role_based_access_control_enabled"], json!(true));
    if let Some(r) = b.block("role_based_access_control") {
        o.field("enable_rbac", r, "enabled", Conv::Bool, None);
    }
    o.field("disable_local_accounts", b, "local_account_disabled", Conv::Bool, Some(json!(false)));
    match b.block("network_profile") {
        Some(n) => o.field("network_profile.network_policy", n, "network_policy", Conv::Str, Some(Value::Null)),
        None => o.put("network_profile", json!({"network_policy": null}), None),
    }
    let mut private = json!(false);
    if let Some(v) = jv(b, "private_cluster_enabled", Conv::Bool) {
        private = v;
    }
    o.put("api_server_access_profile.enable_private_cluster", private, b.attr("private_cluster_enabled").map(|(_, l)| *l));
    match b.block("api_server_access_profile") {
        Some(a) => o.field("api_server_access_profile.authorized_ip_ranges", a, "authorized_ip_ranges", Conv::Strs, Some(json!([]))),
        None => o.field("api_server_access_profile.authorized_ip_ranges", b, "api_server_authorized_ip_ranges", Conv::Strs, Some(json!([]))),
    }
    let policy = b.value("azure_policy_enabled").and_then(V::as_bool).or_else(|| {
        b.block("addon_profile").and_then(|a| a.block("azure_policy")).and_then(|p| p.value("enabled")).and_then(V::as_bool)
    });
    o.put("addon_profiles.azure_policy_enabled", json!(policy.unwrap_or(false)), None);
    o.put("agent_pools", json!([]), None);
    if let Some(p) = b.block("default_node_pool") {
        let item = json!({"name": jv(p, "name", Conv::Str), "mode": "System",
            "enable_node_public_ip": jv(p, "node_public_ip_enabled", Conv::Bool).or_else(|| jv(p, "enable_node_public_ip", Conv::Bool)).unwrap_or(json!(false)),
            "enable_encryption_at_host": jv(p, "host_encryption_enabled", Conv::Bool).or_else(|| jv(p, "enable_host_encryption", Conv::Bool)).unwrap_or(json!(false))});
        push(&mut o, "agent_pools", item, p.line);
    }
    o
}

fn web(t: &str, b: &EBlock) -> Build {
    let mut o = Build::new("azure.web.site");
    o.put("site_kind", json!(if t.contains("function") { "functionapp" } else { "app" }), None);
    o.put("state", json!("Running"), None);
    o.field("https_only", b, "https_only", Conv::Bool, Some(json!(false)));
    o.field("client_cert_enabled", b, "client_cert_enabled", Conv::Bool, Some(json!(false)));
    o.put("auth_enabled", json!(b.block("auth_settings").or(b.block("auth_settings_v2")).and_then(|a| a.value("enabled").or(a.value("auth_enabled"))).and_then(V::as_bool).unwrap_or(false)), b.block("auth_settings").map(|a| a.line));
    o.put("identity", if b.block("identity").is_some() { json!({"type": b.block("identity").and_then(|i| jv(i, "type", Conv::Str))}) } else { Value::Null }, b.block("identity").map(|i| i.line));
    let sc = b.block("site_config");
    let dflt_tls = json!("1.2");
    match sc {
        Some(s) => {
            o.field("site_config.min_tls_version", s, "min_tls_version", Conv::Str, Some(dflt_tls.clone()));
            o.field("site_config.min_tls_version", s, "minimum_tls_version", Conv::Str, None);
            o.field("site_config.ftps_state", s, "ftps_state", Conv::Str, Some(json!(if t == "azurerm_app_service" { "AllAllowed" } else { "Disabled" })));
            o.field("site_config.http20_enabled", s, "http2_enabled", Conv::Bool, Some(json!(false)));
            o.field("site_config.remote_debugging_enabled", s, "remote_debugging_enabled", Conv::Bool, Some(json!(false)));
        }
        None => o.put(
            "site_config",
            json!({"min_tls_version": dflt_tls, "ftps_state": if t == "azurerm_app_service" { "AllAllowed" } else { "Disabled" }, "http20_enabled": false, "remote_debugging_enabled": false}),
            None,
        ),
    }
    o
}

fn disk(b: &EBlock) -> Build {
    let mut o = Build::new("azure.compute.disk");
    o.put("disk_state", json!("Unattached"), None);
    o.field("disk_size_gb", b, "disk_size_gb", Conv::Int, None);
    o.field("sku_name", b, "storage_account_type", Conv::Str, None);
    let des = b.attr("disk_encryption_set_id").is_some();
    o.put("encryption_type", json!(if des { "EncryptionAtRestWithCustomerKey" } else { "EncryptionAtRestWithPlatformKey" }), b.attr("disk_encryption_set_id").map(|(_, l)| *l));
    match b.block("encryption_settings") {
        Some(e) => o.field("azure_disk_encryption", e, "enabled", Conv::Bool, Some(json!(true))),
        None => o.put("azure_disk_encryption", json!(false), None),
    }
    flag(&mut o, "public_network_access", b, &["public_network_access_enabled"], true);
    o.field("network_access_policy", b, "network_access_policy", Conv::Str, Some(json!("AllowAll")));
    o
}

fn vm(t: &str, b: &EBlock) -> Build {
    let mut o = Build::new("azure.compute.virtual_machine");
    o.put("power_state", json!("running"), None);
    o.field("vm_size", b, "size", Conv::Str, None);
    o.field("vm_size", b, "vm_size", Conv::Str, None);
    let os = if t.contains("windows") { "Windows" } else if t.contains("linux") { "Linux" } else { "" };
    if !os.is_empty() {
        o.put("os_type", json!(os), None);
    }
    if t == "azurerm_linux_virtual_machine" {
        o.field("os_profile.disable_password_authentication", b, "disable_password_authentication", Conv::Bool, Some(json!(true)));
        o.field("os_profile.admin_username", b, "admin_username", Conv::Str, None);
    }
    if let Some(lc) = b.block("os_profile_linux_config") {
        o.put("os_type", json!("Linux"), None);
        o.field("os_profile.disable_password_authentication", lc, "disable_password_authentication", Conv::Bool, None);
    }
    o.field("security_profile.encryption_at_host", b, "encryption_at_host_enabled", Conv::Bool, Some(json!(false)));
    o.field("security_profile.secure_boot_enabled", b, "secure_boot_enabled", Conv::Bool, Some(json!(false)));
    o.field("security_profile.vtpm_enabled", b, "vtpm_enabled", Conv::Bool, Some(json!(false)));
    if let Some(d) = b.block("os_disk").or(b.block("storage_os_disk")) {
        let des = d.attr("disk_encryption_set_id").is_some();
        let et = if des { "EncryptionAtRestWithCustomerKey" } else { "EncryptionAtRestWithPlatformKey" };
        o.put("os_disk", json!({"managed": true, "encryption_type": et}), Some(d.line));
    }
    o.put("data_disks", json!([]), None);
    o.put("extensions", json!([]), None);
    o.rel("has_network_interface", b.value("network_interface_ids"));
    o
}

fn role_definition(b: &EBlock) -> Build {
    let mut o = Build::new("azure.authorization.role_definition");
    o.field("role_name", b, "name", Conv::Str, None);
    o.put("role_type", json!("CustomRole"), None);
    o.field("assignable_scopes", b, "assignable_scopes", Conv::Strs, None);
    o.put("permissions", json!([]), None);
    for p in b.blocks("permissions") {
        let item = json!({"actions": jv(p, "actions", Conv::Strs).unwrap_or(json!([])), "not_actions": jv(p, "not_actions", Conv::Strs).unwrap_or(json!([]))});
        push(&mut o, "permissions", item, p.line);
    }
    o
}

fn pricing(b: &EBlock) -> Build {
    let mut o = Build::new("azure.security.pricing");
    o.name = b.value("resource_type").and_then(V::to_text);
    o.field("plan", b, "resource_type", Conv::Str, Some(json!("VirtualMachines")));
    o.field("pricing_tier", b, "tier", Conv::Str, None);
    o.put("extensions", json!([]), None);
    o
}

fn subnet(b: &EBlock) -> Build {
    let mut o = Build::new("azure.network.subnet");
    o.field("address_prefixes", b, "address_prefixes", Conv::Strs, None);
    o.put("network_security_group_id", Value::Null, None);
    o
}

fn vnet(b: &EBlock) -> Build {
    let mut o = Build::new("azure.network.virtual_network");
    o.field("address_space", b, "address_space", Conv::Strs, None);
    let ddos = b.block("ddos_protection_plan").and_then(|d| d.value("enable")).and_then(V::as_bool).unwrap_or(false);
    o.put("enable_ddos_protection", json!(ddos), b.block("ddos_protection_plan").map(|d| d.line));
    o
}

fn flexible(b: &EBlock, kind: &'static str) -> Build {
    let mut o = Build::new(kind);
    o.field("version", b, "version", Conv::Str, None);
    let delegated = b.attr("delegated_subnet_id").is_some();
    flag(&mut o, "public_network_access", b, &["public_network_access_enabled"], !delegated);
    o.put("firewall_rules", json!([]), None);
    o.put("configurations", json!([]), None);
    o.field("backup.backup_retention_days", b, "backup_retention_days", Conv::Int, Some(json!(7)));
    o.field("backup.geo_redundant_backup", b, "geo_redundant_backup_enabled", Conv::Bool, Some(json!(false)));
    o
}
