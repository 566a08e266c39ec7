//! Subscriptions (with the subscription-wide settings of Defender for Cloud and Azure Monitor
//! folded in), resource groups (with their locks), and Defender plans.

use super::common::{diag_fragment, strip, DIAG};
use super::network::BASTIONS;
use super::Ctx;
use crate::arm::{parent_of, ref_id, relate, subscription_uid, Item};
use crate::index::Index;
use posture_collect_cloud::json::{arr_at, as_bool, at, bool_at, enum_at, get, one_of, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

const CONTACTS: &str = "microsoft.security/securitycontacts";
const SETTINGS: &str = "microsoft.security/settings";
const VA_SETTINGS: &str = "microsoft.security/servervulnerabilityassessmentssettings";
const ASSIGNMENTS: &str = "microsoft.authorization/policyassignments";
const ALERTS: &str = "microsoft.insights/activitylogalerts";
const LOCKS: &str = "microsoft.authorization/locks";

pub fn observe(item: &Item, index: &mut Index) -> bool {
    let p = item.props().unwrap_or(&Value::Null);
    let sub = subscription_uid(&item.sub);
    match item.rtype.as_str() {
        DIAG => {
            // Every diagnostic setting, of a subscription or a resource, is kept under its parent.
            if let Some(parent) = parent_of(&item.uid) {
                index.add_child(&parent, DIAG, diag_fragment(&item.name, p));
            }
        }
        CONTACTS | SETTINGS | VA_SETTINGS => {
            let mut f = p.clone();
            if let Some(o) = f.as_object_mut() {
                o.insert("_name".into(), Value::from(item.name.clone()));
            }
            index.add_child(&sub, &item.rtype, f);
        }
        ASSIGNMENTS => {
            let at_subscription = parent_of(&item.uid).as_deref() == Some(sub.as_str());
            if at_subscription && item.name.eq_ignore_ascii_case("SecurityCenterBuiltIn") {
                index.add_child(&sub, ASSIGNMENTS, benchmark_assignment(p));
            }
        }
        ALERTS => {
            let fragment = activity_alert(&item.name, p);
            for scope in strings_at(p, &["scopes"]) {
                let scope = scope.trim_end_matches('/').to_ascii_lowercase();
                if crate::arm::scope_type(&scope) == "subscription" {
                    index.add_child(&scope, ALERTS, fragment.clone());
                }
            }
        }
        LOCKS => {
            if let Some(parent) = parent_of(&item.uid) {
                let level = enum_at(p, &["level"], &["CanNotDelete", "ReadOnly"]);
                index.add_child(&parent, LOCKS, json!({"name": item.name, "level": level}));
            }
        }
        _ => return false,
    }
    true
}

fn benchmark_assignment(p: &Value) -> Value {
    let disabled: Vec<String> = get(p, "parameters")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(_, v)| str_at(v, &["value"]).is_some_and(|s| s.eq_ignore_ascii_case("Disabled")))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    let mode = enum_at(p, &["enforcementMode"], &["Default", "DoNotEnforce"]).unwrap_or("Default");
    json!({"enforcement_mode": mode, "disabled_policies": disabled})
}

fn activity_alert(name: &str, p: &Value) -> Value {
    let mut category = Value::Null;
    let mut operation = Value::Null;
    for c in arr_at(p, &["condition", "allOf"]) {
        let field = str_at(c, &["field"]).unwrap_or_default();
        let equals = str_at(c, &["equals"]).map(Value::from);
        match (field.to_ascii_lowercase().as_str(), equals) {
            ("category", Some(v)) => category = v,
            ("operationname", Some(v)) => operation = v,
            _ => {}
        }
    }
    let groups: Vec<String> = arr_at(p, &["actions", "actionGroups"]).iter().filter_map(|g| ref_id(get(g, "actionGroupId"))).collect();
    json!({"name": name, "enabled": bool_at(p, &["enabled"]).unwrap_or(true), "category": category,
           "operation_name": operation, "action_group_ids": groups})
}

pub fn subscription(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.resources.subscription", ctx.origin);
    r.region = Some("global".into());
    let p = item.props();
    let display = str_at(item.v, &["displayName"]).or_else(|| p.and_then(|p| str_at(p, &["displayName"]))).unwrap_or(&item.name);
    r.name = display.to_string();
    let ix = ctx.index;
    let sub = item.uid.as_str();
    let mut a = Attrs::new();
    a.set("display_name", display);
    let state = str_at(item.v, &["state"]).or_else(|| p.and_then(|p| str_at(p, &["state"])));
    a.put("state", state.and_then(|s| one_of(s, &["Enabled", "Warned", "PastDue", "Disabled", "Deleted"])));
    a.put("tenant_id", str_at(item.v, &["tenantId"]));
    if let Some(chain) = p.and_then(|p| get(p, "managementGroupAncestorsChain")).and_then(Value::as_array) {
        let names: Vec<&str> = chain.iter().rev().filter_map(|m| str_at(m, &["name"])).collect();
        a.set("management_group_ancestors", names);
    }
    if let Some(contacts) = ix.children(sub, CONTACTS) {
        let pick = contacts.iter().find(|c| str_at(c, &["_name"]).is_some_and(|n| n.eq_ignore_ascii_case("default"))).or(contacts.first());
        a.set("security_contact", pick.map(|c| security_contact(c)).unwrap_or(Value::Null));
    }
    if let Some(diags) = ix.children(sub, DIAG) {
        for d in &diags {
            if let Some(sa) = str_at(d, &["storage_account_id"]) {
                relate(&mut r, "logs_to", sa);
            }
        }
        let list: Vec<Value> = diags.into_iter().map(|d| strip(d, &["storage_account_id", "retention_days"])).collect();
        a.set("activity_log_diagnostic_settings", list);
    }
    if let Some(alerts) = ix.children(sub, ALERTS) {
        a.set("activity_log_alerts", alerts.into_iter().cloned().collect::<Vec<_>>());
    }
    if let Some(settings) = ix.children(sub, SETTINGS) {
        let flag = |name: &str| {
            settings
                .iter()
                .find(|s| str_at(s, &["_name"]).is_some_and(|n| n.eq_ignore_ascii_case(name)))
                .and_then(|s| get(s, "enabled"))
                .and_then(as_bool)
        };
        a.set("defender_settings", json!({"mcas_enabled": flag("MCAS"), "wdatp_enabled": flag("WDATP")}));
    }
    if let Some(va) = ix.child(sub, VA_SETTINGS) {
        a.set("server_vulnerability_assessment_provider", va.and_then(|v| str_at(v, &["selectedProvider"])).map(Value::from).unwrap_or(Value::Null));
    }
    if let Some(assignment) = ix.child(sub, ASSIGNMENTS) {
        a.set("security_benchmark_assignment", assignment.cloned().unwrap_or(Value::Null));
    }
    if let Some(bastions) = ix.children(sub, BASTIONS) {
        a.set("bastion_host_ids", bastions.into_iter().cloned().collect::<Vec<_>>());
    }
    r.attrs = a.into_map();
    vec![r]
}

/// A security contact in any of its API versions: 2017 (`email`, `alertNotifications: "On"`),
/// 2020 (`emails`, `alertNotifications.state`) and 2023 (`isEnabled`, `notificationsSources`).
fn security_contact(c: &Value) -> Value {
    let emails: Vec<String> = str_at(c, &["emails"])
        .or_else(|| str_at(c, &["email"]))
        .map(|s| s.split([';', ',']).map(str::trim).filter(|e| !e.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    let on = |v: Option<&Value>| v.and_then(|v| as_bool(v).or_else(|| v.as_str().map(|s| s.eq_ignore_ascii_case("On"))));
    let alert_source = arr_at(c, &["notificationsSources"]).iter().find(|s| str_at(s, &["sourceType"]).is_some_and(|t| t.eq_ignore_ascii_case("Alert")));
    let enabled = match (get(c, "alertNotifications"), alert_source) {
        (Some(n), _) if n.is_object() => on(get(n, "state")).unwrap_or(false),
        (Some(n), _) => on(Some(n)).unwrap_or(false),
        (None, Some(_)) => on(get(c, "isEnabled")).unwrap_or(true),
        (None, None) => false,
    };
    let severity = at(c, &["alertNotifications", "minimalSeverity"])
        .or_else(|| alert_source.and_then(|s| get(s, "minimalSeverity")))
        .and_then(Value::as_str)
        .and_then(|s| one_of(s, &["Low", "Medium", "High"]));
    let roles = if on(at(c, &["notificationsByRole", "state"])) == Some(true) {
        strings_at(c, &["notificationsByRole", "roles"])
    } else if on(get(c, "alertsToAdmins")) == Some(true) {
        vec!["Owner".to_string(), "ServiceAdmin".to_string()]
    } else {
        Vec::new()
    };
    json!({"emails": emails, "phone": str_at(c, &["phone"]).filter(|s| !s.is_empty()),
           "alert_notifications_enabled": enabled, "alert_minimal_severity": severity, "notify_roles": roles})
}

pub fn resource_group(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.resources.resource_group", ctx.origin);
    let mut a = Attrs::new();
    if let Some(p) = item.props() {
        a.put("provisioning_state", str_at(p, &["provisioningState"]));
    }
    if get(item.v, "managedBy").is_some() || item.props().is_some() {
        a.set("managed_by", str_at(item.v, &["managedBy"]).filter(|s| !s.is_empty()).map(Value::from).unwrap_or(Value::Null));
    }
    if let Some(locks) = ctx.index.children(&item.uid, LOCKS) {
        a.set("resource_locks", locks.into_iter().cloned().collect::<Vec<_>>());
    }
    r.attrs = a.into_map();
    vec![r]
}

pub fn pricing(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.security.pricing", ctx.origin);
    r.region = Some("global".into());
    relate(&mut r, "scoped_to", &subscription_uid(&item.sub));
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.set("plan", item.name.clone());
    a.put("pricing_tier", enum_at(p, &["pricingTier"], &["Free", "Standard"]));
    a.set("sub_plan", str_at(p, &["subPlan"]).map(Value::from).unwrap_or(Value::Null));
    a.set("enablement_time", str_at(p, &["enablementTime"]).and_then(posture_collect_cloud::time::normalise).map(Value::from).unwrap_or(Value::Null));
    a.set("deprecated", bool_at(p, &["deprecated"]).map(Value::Bool).unwrap_or(Value::Null));
    let exts: Vec<Value> = arr_at(p, &["extensions"])
        .iter()
        .filter_map(|e| Some(json!({"name": str_at(e, &["name"])?, "is_enabled": get(e, "isEnabled").and_then(as_bool)?})))
        .collect();
    a.set("extensions", exts);
    r.attrs = a.into_map();
    vec![r]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_contacts_of_every_api_version() {
        let v2020 = json!({"emails": "a@x.example;b@x.example", "alertNotifications": {"state": "On", "minimalSeverity": "High"},
                           "notificationsByRole": {"state": "On", "roles": ["Owner"]}});
        let c = security_contact(&v2020);
        assert_eq!(c["emails"], json!(["a@x.example", "b@x.example"]));
        assert_eq!((c["alert_notifications_enabled"].clone(), c["alert_minimal_severity"].clone()), (json!(true), json!("High")));
        let v2023 = json!({"emails": "a@x.example", "isEnabled": true,
                           "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "Medium"}],
                           "notificationsByRole": {"state": "Off", "roles": ["Owner"]}});
        let c = security_contact(&v2023);
        assert_eq!((c["alert_notifications_enabled"].clone(), c["notify_roles"].clone()), (json!(true), json!([])));
        assert_eq!(security_contact(&json!({"email": "", "alertNotifications": "Off"}))["alert_notifications_enabled"], json!(false));
    }
}
