//! Azure Database for MySQL and PostgreSQL flexible servers (with firewall rules and server
//! parameters folded in) and Cosmos DB accounts.

use super::common::{diagnostic_settings, firewall_rule, private_endpoints};
use super::Ctx;
use crate::arm::{parent_of, ref_id, Item};
use crate::index::Index;
use posture_collect_cloud::json::{arr_at, at, bool_at, enum_at, get, int_at, nullable_bool, nullable_enum, str_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

const MYSQL: &str = "microsoft.dbformysql/flexibleservers";
const POSTGRES: &str = "microsoft.dbforpostgresql/flexibleservers";

/// Server parameters that rules read or that say how connections and logs are secured.
const PARAMETERS: &[&str] = &[
    "require_secure_transport", "tls_version", "ssl_min_protocol_version", "ssl_max_protocol_version",
    "audit_log_enabled", "audit_log_events", "log_connections", "log_disconnections", "log_checkpoints",
    "log_retention_days", "logfiles.retention_days", "connection_throttle.enable", "connection_throttling",
    "pgaudit.log", "shared_preload_libraries", "password_encryption", "azure.extensions", "admin_login_only",
];

pub fn observe(item: &Item, index: &mut Index) -> bool {
    let t = item.rtype.as_str();
    let Some(server_type) = [MYSQL, POSTGRES].into_iter().find(|s| t.starts_with(s) && t.len() > s.len()) else { return false };
    let p = item.props().unwrap_or(&Value::Null);
    let fragment = match &t[server_type.len()..] {
        "/firewallrules" => firewall_rule(&item.name, p),
        "/configurations" => {
            let name = item.name.to_ascii_lowercase();
            if !PARAMETERS.contains(&name.as_str()) {
                return true;
            }
            let Some(value) = get(p, "value").and_then(|v| v.as_str().map(str::to_string).or_else(|| (!v.is_null()).then(|| v.to_string()))) else {
                return true;
            };
            json!({"name": name, "value": value})
        }
        _ => return false,
    };
    if let Some(parent) = parent_of(&item.uid) {
        index.add_child(&parent, t, fragment);
    }
    true
}

pub fn mysql(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    flexible(item, ctx, "azure.dbformysql.flexible_server", MYSQL)
}

pub fn postgres(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    flexible(item, ctx, "azure.dbforpostgresql.flexible_server", POSTGRES)
}

fn flexible(item: &Item, ctx: &Ctx, kind: &str, rtype: &str) -> Vec<Resource> {
    let mut r = item.base(kind, ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let ix: &Index = ctx.index;
    let mut a = Attrs::new();
    a.put("version", str_at(p, &["version"]));
    a.put("state", str_at(p, &["state"]));
    a.put("public_network_access", enum_at(p, &["network", "publicNetworkAccess"], &["Enabled", "Disabled"]));
    a.set("delegated_subnet_id", ref_id(at(p, &["network", "delegatedSubnetResourceId"])).map(Value::from).unwrap_or(Value::Null));
    if let Some(rules) = ix.children(&item.uid, &format!("{rtype}/firewallrules")) {
        a.set("firewall_rules", rules.into_iter().cloned().collect::<Vec<_>>());
    }
    if let Some(conf) = ix.children(&item.uid, &format!("{rtype}/configurations")) {
        a.set("configurations", conf.into_iter().cloned().collect::<Vec<_>>());
    }
    if rtype == POSTGRES {
        if let Some(auth) = get(p, "authConfig").filter(|x| x.is_object()) {
            let mut x = Attrs::new();
            x.put("active_directory_auth", enum_at(auth, &["activeDirectoryAuth"], &["Enabled", "Disabled"]));
            x.put("password_auth", enum_at(auth, &["passwordAuth"], &["Enabled", "Disabled"]));
            a.set("authentication", x.into_value());
        }
        a.put("high_availability_mode", enum_at(p, &["highAvailability", "mode"], &["Disabled", "SameZone", "ZoneRedundant"]));
    }
    if let Some(enc) = get(p, "dataEncryption").filter(|x| x.is_object()) {
        let mut x = Attrs::new();
        x.put("type", enum_at(enc, &["type"], &["SystemManaged", "AzureKeyVault"]));
        x.set("primary_key_uri", str_at(enc, &["primaryKeyURI"]).filter(|s| !s.is_empty()).map(Value::from).unwrap_or(Value::Null));
        a.set("data_encryption", x.into_value());
    }
    if let Some(b) = get(p, "backup").filter(|x| x.is_object()) {
        let mut x = Attrs::new();
        x.put("backup_retention_days", int_at(b, &["backupRetentionDays"]));
        x.put("geo_redundant_backup", enum_at(b, &["geoRedundantBackup"], &["Enabled", "Disabled"]));
        a.set("backup", x.into_value());
    }
    a.put("private_endpoint_connections", private_endpoints(Some(p)));
    a.put("diagnostic_settings", diagnostic_settings(ctx, &item.uid));
    r.attrs = a.into_map();
    vec![r]
}

pub fn cosmos(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.documentdb.database_account", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.put("account_kind", enum_at(item.v, &["kind"], &["GlobalDocumentDB", "MongoDB", "Parse"]));
    a.put("public_network_access", nullable_enum(Some(p), "publicNetworkAccess", &["Enabled", "Disabled", "SecuredByPerimeter"]));
    a.set("is_virtual_network_filter_enabled", bool_at(p, &["isVirtualNetworkFilterEnabled"]).unwrap_or(false));
    let ips: Vec<String> = arr_at(p, &["ipRules"])
        .iter()
        .filter_map(|x| x.as_str().or_else(|| str_at(x, &["ipAddressOrRange"])).map(str::to_string))
        .collect();
    a.set("ip_rules", ips);
    let vnets: Vec<String> = arr_at(p, &["virtualNetworkRules"]).iter().filter_map(|x| ref_id(Some(x))).collect();
    a.set("virtual_network_rules", vnets);
    a.put("network_acl_bypass", enum_at(p, &["networkAclBypass"], &["None", "AzureServices"]).or(Some("None")));
    a.put("private_endpoint_connections", private_endpoints(Some(p)));
    a.put("disable_local_auth", nullable_bool(Some(p), "disableLocalAuth"));
    a.put("disable_key_based_metadata_write_access", nullable_bool(Some(p), "disableKeyBasedMetadataWriteAccess"));
    a.put("minimal_tls_version", nullable_enum(Some(p), "minimalTlsVersion", &["Tls", "Tls11", "Tls12"]));
    a.set("key_vault_key_uri", str_at(p, &["keyVaultKeyUri"]).filter(|s| !s.is_empty()).map(Value::from).unwrap_or(Value::Null));
    a.put("backup_policy_type", enum_at(p, &["backupPolicy", "type"], &["Periodic", "Continuous"]));
    a.put("enable_automatic_failover", bool_at(p, &["enableAutomaticFailover"]));
    a.put("diagnostic_settings", diagnostic_settings(ctx, &item.uid));
    r.attrs = a.into_map();
    vec![r]
}
