//! Shapes several Azure kinds share: managed identity, private endpoint connections, network ACLs,
//! diagnostic settings.

use super::Ctx;
use crate::arm::ref_id;
use posture_collect_cloud::json::{arr_at, as_bool, as_int, get, one_of, str_at, strings_at, Attrs};
use serde_json::{json, Value};

pub const DIAG: &str = "microsoft.insights/diagnosticsettings";

/// ARM `identity` → `{type, principal_id, user_assigned_identities}`; `null` without one; absent
/// when the item has no `identity` member at all (a projected query).
pub fn identity(item: &Value) -> Option<Value> {
    let id = get(item, "identity")?;
    let kind = str_at(id, &["type"]).unwrap_or("None");
    let parts: Vec<String> = kind.split(',').map(|p| p.trim().to_ascii_lowercase()).collect();
    let system = parts.iter().any(|p| p == "systemassigned");
    let user = parts.iter().any(|p| p == "userassigned");
    let canonical = match (system, user) {
        (true, true) => "SystemAssigned, UserAssigned",
        (true, false) => "SystemAssigned",
        (false, true) => "UserAssigned",
        (false, false) => return Some(Value::Null),
    };
    let users: Vec<String> = get(id, "userAssignedIdentities")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    let principal = if system { str_at(id, &["principalId"]).map(Value::from).unwrap_or(Value::Null) } else { Value::Null };
    Some(json!({"type": canonical, "principal_id": principal, "user_assigned_identities": users}))
}

/// `privateEndpointConnections` → `[{private_endpoint_id, status}]`; a missing member of present
/// properties means none.
pub fn private_endpoints(props: Option<&Value>) -> Option<Value> {
    let props = props?;
    let list: Vec<Value> = arr_at(props, &["privateEndpointConnections"])
        .iter()
        .filter_map(|c| {
            let inner = get(c, "properties").unwrap_or(c);
            let id = ref_id(get(inner, "privateEndpoint"))?;
            let mut a = Attrs::new();
            a.set("private_endpoint_id", id);
            a.put(
                "status",
                str_at(inner, &["privateLinkServiceConnectionState", "status"])
                    .and_then(|s| one_of(s, &["Approved", "Pending", "Rejected", "Disconnected"])),
            );
            Some(a.into_value())
        })
        .collect();
    Some(Value::Array(list))
}

/// ARM `networkAcls` / `networkRuleSet` → `{default_action, bypass, ip_rules, virtual_network_rules}`.
pub fn network_acls(acls: &Value) -> Value {
    let mut a = Attrs::new();
    a.put("default_action", str_at(acls, &["defaultAction"]).and_then(|s| one_of(s, &["Allow", "Deny"])));
    let bypass: Vec<String> = str_at(acls, &["bypass"])
        .map(|b| b.split(',').map(str::trim).filter(|p| !p.is_empty() && !p.eq_ignore_ascii_case("None")).map(str::to_string).collect())
        .unwrap_or_default();
    a.set("bypass", bypass);
    let ips: Vec<String> = arr_at(acls, &["ipRules"])
        .iter()
        .filter_map(|r| r.as_str().or_else(|| str_at(r, &["value"])).or_else(|| str_at(r, &["ipAddressOrRange"])).map(str::to_string))
        .collect();
    a.set("ip_rules", ips);
    let vnets: Vec<String> = arr_at(acls, &["virtualNetworkRules"]).iter().filter_map(|r| ref_id(Some(r))).collect();
    a.set("virtual_network_rules", vnets);
    a.into_value()
}

/// A diagnostic setting item → `{name, categories_enabled, destination_types, retention_days}`,
/// plus the storage account it writes to (for `logs_to`).
pub fn diag_fragment(name: &str, props: &Value) -> Value {
    let mut categories = Vec::new();
    let mut retention: Option<i64> = None;
    for log in arr_at(props, &["logs"]) {
        if get(log, "enabled").and_then(as_bool) != Some(true) {
            continue;
        }
        if let Some(c) = str_at(log, &["category"]).or_else(|| str_at(log, &["categoryGroup"])) {
            categories.push(Value::from(c));
        }
        if get(log, "retentionPolicy").and_then(|p| get(p, "enabled")).and_then(as_bool) == Some(true) {
            let days = get(log, "retentionPolicy").and_then(|p| get(p, "days")).and_then(as_int).unwrap_or(0);
            retention = Some(retention.map_or(days, |r: i64| if r == 0 || days == 0 { 0 } else { r.min(days) }));
        }
    }
    let storage = ref_id(get(props, "storageAccountId"));
    let mut dest = Vec::new();
    if get(props, "workspaceId").and_then(Value::as_str).is_some_and(|s| !s.is_empty()) {
        dest.push("log_analytics");
    }
    if storage.is_some() {
        dest.push("storage");
    }
    let hub = |k: &str| get(props, k).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
    if hub("eventHubAuthorizationRuleId") || hub("eventHubName") {
        dest.push("event_hub");
    }
    if hub("marketplacePartnerId") {
        dest.push("partner");
    }
    let retention = if storage.is_some() { retention.map(Value::from).unwrap_or(Value::Null) } else { Value::Null };
    json!({"name": name, "categories_enabled": categories, "destination_types": dest, "retention_days": retention,
           "storage_account_id": storage})
}

/// The diagnostic settings of `uid` in canonical form; absent when they were not collected.
pub fn diagnostic_settings(ctx: &Ctx, uid: &str) -> Option<Value> {
    let list = ctx.index.children(uid, DIAG)?;
    Some(Value::Array(list.into_iter().map(|d| strip(d, &["storage_account_id"])).collect()))
}

/// `v` without the helper members the index keeps next to the canonical ones.
pub fn strip(v: &Value, keys: &[&str]) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().filter(|(k, _)| !keys.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()),
        other => other.clone(),
    }
}

/// Firewall rules of SQL and flexible servers → `[{name, start_ip_address, end_ip_address}]`.
pub fn firewall_rule(name: &str, props: &Value) -> Value {
    let mut a = Attrs::new();
    a.set("name", name);
    a.put("start_ip_address", str_at(props, &["startIpAddress"]));
    a.put("end_ip_address", str_at(props, &["endIpAddress"]));
    a.into_value()
}

pub fn strings(v: &Value, keys: &[&str]) -> Value {
    Value::from(strings_at(v, keys))
}
