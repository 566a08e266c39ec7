//! Azure SQL logical servers with their auditing, TDE protector, firewall rules, Defender state,
//! vulnerability assessment and databases folded in.

use super::common::{firewall_rule, strip};
use super::Ctx;
use crate::arm::{parent_of, relate, Item};
use crate::index::Index;
use posture_collect_cloud::json::{bool_at, enum_at, get, int_at, nullable_str, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

const FIREWALL: &str = "microsoft.sql/servers/firewallrules";
const AUDITING: &str = "microsoft.sql/servers/auditingsettings";
const PROTECTOR: &str = "microsoft.sql/servers/encryptionprotector";
const ADMINS: &str = "microsoft.sql/servers/administrators";
const ATP: &str = "microsoft.sql/servers/advancedthreatprotectionsettings";
const ALERTS: &str = "microsoft.sql/servers/securityalertpolicies";
const DATABASES: &str = "microsoft.sql/servers/databases";
const TDE: &str = "microsoft.sql/servers/databases/transparentdataencryption";
const VA_EXPRESS: &str = "microsoft.sql/servers/sqlvulnerabilityassessments";
const VA_CLASSIC: &str = "microsoft.sql/servers/vulnerabilityassessments";

pub fn observe(item: &Item, index: &mut Index) -> bool {
    let p = item.props().unwrap_or(&Value::Null);
    let fragment = match item.rtype.as_str() {
        FIREWALL => firewall_rule(&item.name, p),
        AUDITING | PROTECTOR | ADMINS | ATP | ALERTS | VA_EXPRESS | VA_CLASSIC => p.clone(),
        DATABASES => {
            if item.name.eq_ignore_ascii_case("master") {
                return true;
            }
            let mut a = Attrs::new();
            a.set("name", item.name.clone());
            a.put("sku_name", str_at(item.v, &["sku", "name"]));
            a.put(
                "backup_storage_redundancy",
                str_at(p, &["currentBackupStorageRedundancy"])
                    .or_else(|| str_at(p, &["requestedBackupStorageRedundancy"]))
                    .and_then(|s| posture_collect_cloud::json::one_of(s, &["Local", "Zone", "Geo", "GeoZone"]))
                    .map(Value::from)
                    .or(Some(Value::Null)),
            );
            a.set("_id", item.uid.clone());
            a.into_value()
        }
        TDE => {
            let state = str_at(p, &["state"]).or_else(|| str_at(p, &["status"]));
            json!({"state": state})
        }
        _ => return false,
    };
    if let Some(parent) = parent_of(&item.uid) {
        index.add_child(&parent, &item.rtype, fragment);
    }
    true
}

pub fn server(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.sql.server", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let ix = ctx.index;
    let uid = item.uid.as_str();
    let mut a = Attrs::new();
    a.put("version", str_at(p, &["version"]));
    a.put("administrator_login", nullable_str(Some(p), "administratorLogin"));
    a.set(
        "minimal_tls_version",
        str_at(p, &["minimalTlsVersion"]).and_then(|s| posture_collect_cloud::json::one_of(s, &["1.0", "1.1", "1.2", "1.3"])).map(Value::from).unwrap_or(Value::Null),
    );
    a.put("public_network_access", enum_at(p, &["publicNetworkAccess"], &["Enabled", "Disabled", "SecuredByPerimeter"]));
    a.put("azure_ad_admin", ad_admin(p, ix, uid));
    if let Some(found) = ix.child(uid, AUDITING) {
        a.put("auditing", found.map(auditing));
    }
    if let Some(Some(tp)) = ix.child(uid, PROTECTOR) {
        let key_uri = str_at(tp, &["uri"]).map(str::to_string);
        a.set(
            "tde_protector",
            json!({"server_key_type": enum_at(tp, &["serverKeyType"], &["ServiceManaged", "AzureKeyVault"]),
                   "key_uri": key_uri, "auto_rotation_enabled": bool_at(tp, &["autoRotationEnabled"]).unwrap_or(false)}),
        );
        if let Some(k) = key_uri.as_deref().and_then(|u| key_uid(u, ix)) {
            relate(&mut r, "encrypted_with", &k);
        }
    }
    if let Some(rules) = ix.children(uid, FIREWALL) {
        a.set("firewall_rules", rules.into_iter().cloned().collect::<Vec<_>>());
    }
    let atp = ix.child(uid, ATP).flatten().or_else(|| ix.child(uid, ALERTS).flatten());
    a.put(
        "advanced_threat_protection_state",
        atp.and_then(|x| str_at(x, &["state"])).map(|s| if s.eq_ignore_ascii_case("Enabled") { "Enabled" } else { "Disabled" }),
    );
    if let Some(dbs) = ix.children(uid, DATABASES) {
        let list: Vec<Value> = dbs.into_iter().map(|d| database(d, ix)).collect();
        a.set("databases", list);
    }
    a.put("vulnerability_assessment", vulnerability_assessment(ix, uid));
    r.attrs = a.into_map();
    vec![r]
}

fn ad_admin(p: &Value, ix: &Index, uid: &str) -> Option<Value> {
    let admin = match ix.child(uid, ADMINS) {
        Some(found) => found,
        None => match get(p, "administrators") {
            Some(v) if v.is_object() => Some(v),
            _ => None,
        },
    };
    let Some(admin) = admin else { return Some(Value::Null) };
    if str_at(admin, &["login"]).is_none() {
        return Some(Value::Null);
    }
    let mut a = Attrs::new();
    a.put("login", str_at(admin, &["login"]));
    a.put("sid", str_at(admin, &["sid"]));
    a.put("principal_type", enum_at(admin, &["principalType"], &["User", "Group", "Application"]));
    a.set("azure_ad_only_authentication", bool_at(admin, &["azureADOnlyAuthentication"]).unwrap_or(false));
    Some(a.into_value())
}

fn auditing(p: &Value) -> Value {
    let mut a = Attrs::new();
    a.put("state", enum_at(p, &["state"], &["Enabled", "Disabled"]));
    a.put("retention_days", int_at(p, &["retentionDays"]).map(|d| d.max(0)).or(Some(0)));
    a.set("is_azure_monitor_target_enabled", bool_at(p, &["isAzureMonitorTargetEnabled"]).unwrap_or(false));
    a.set("storage_endpoint", str_at(p, &["storageEndpoint"]).filter(|s| !s.is_empty()).map(Value::from).unwrap_or(Value::Null));
    a.into_value()
}

fn database(d: &Value, ix: &Index) -> Value {
    let mut out = strip(d, &["_id"]);
    let tde = str_at(d, &["_id"]).and_then(|id| ix.child(id, TDE)).flatten();
    if let (Some(o), Some(state)) = (out.as_object_mut(), tde.and_then(|t| str_at(t, &["state"]))) {
        let state = if state.eq_ignore_ascii_case("Enabled") { "Enabled" } else { "Disabled" };
        o.insert("tde_state".into(), Value::from(state));
    }
    out
}

fn vulnerability_assessment(ix: &Index, uid: &str) -> Option<Value> {
    let classic = ix.child(uid, VA_CLASSIC);
    let express = ix.child(uid, VA_EXPRESS);
    if classic.is_none() && express.is_none() {
        return None;
    }
    if let Some(Some(c)) = classic {
        if str_at(c, &["storageContainerPath"]).is_some_and(|s| !s.is_empty()) {
            let mut a = Attrs::new();
            a.put("storage_container_path", str_at(c, &["storageContainerPath"]));
            a.set("recurring_scans_enabled", bool_at(c, &["recurringScans", "isEnabled"]).unwrap_or(false));
            a.set("emails", strings_at(c, &["recurringScans", "emails"]));
            a.set("email_subscription_admins", bool_at(c, &["recurringScans", "emailSubscriptionAdmins"]).unwrap_or(false));
            return Some(a.into_value());
        }
    }
    if let Some(Some(e)) = express {
        if str_at(e, &["state"]).is_some_and(|s| s.eq_ignore_ascii_case("Enabled")) {
            // The express configuration scans weekly and needs no storage; its e-mail settings live
            // in Defender for Cloud, not here.
            return Some(json!({"storage_container_path": null, "recurring_scans_enabled": true}));
        }
    }
    // What was read shows no configuration; one of the two was not read: only then is it unknown.
    if classic.is_some() && express.is_some() {
        Some(Value::Null)
    } else {
        None
    }
}

/// `https://kv.vault.azure.net/keys/name/version` → the key's uid when the vault is in the export.
pub fn key_uid(uri: &str, ix: &Index) -> Option<String> {
    let host = super::storage::host_of(uri)?;
    let vault = ix.vault_by_host.get(&host)?;
    let path = uri.split("://").nth(1)?;
    let mut segs = path.split('/').skip(1);
    (segs.next()? == "keys").then_some(())?;
    Some(format!("{vault}/keys/{}", segs.next()?.to_ascii_lowercase()))
}
