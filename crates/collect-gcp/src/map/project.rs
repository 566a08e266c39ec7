//! Projects, with their IAM policy and audit configuration, common instance metadata, enabled
//! services, essential contacts, log sinks (their own and inherited ones) and log-based metrics
//! with whether an alert watches them.

use super::{iam_members, relate, Ctx};
use crate::asset::{bucket_name, last_segment, Asset};
use crate::index::Index;
use posture_collect_cloud::json::{arr_at, bool_at, get, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const SINK: &str = "logging.googleapis.com/LogSink";
const METRIC: &str = "logging.googleapis.com/LogMetric";
const ALERT: &str = "monitoring.googleapis.com/AlertPolicy";
const SERVICE: &str = "serviceusage.googleapis.com/Service";
const CONTACT: &str = "essentialcontacts.googleapis.com/Contact";
const COMPUTE_PROJECT: &str = "compute.googleapis.com/Project";

pub fn observe(a: &Asset, d: &Value, ix: &mut Index) {
    let Some(scope) = a.ancestors.first() else { return };
    let fragment = match a.asset_type.as_str() {
        SINK => json!({"name": str_at(d, &["name"]).map(last_segment), "destination": str_at(d, &["destination"]),
                       "filter": str_at(d, &["filter"]).filter(|f| !f.trim().is_empty()),
                       "exclusion_count": arr_at(d, &["exclusions"]).len(), "disabled": bool_at(d, &["disabled"]).unwrap_or(false),
                       "include_children": bool_at(d, &["includeChildren"]).unwrap_or(false)}),
        METRIC => json!({"name": str_at(d, &["name"]).map(last_segment), "filter": str_at(d, &["filter"]).map(normalise_space)}),
        ALERT => {
            let filters: Vec<String> = arr_at(d, &["conditions"])
                .iter()
                .flat_map(|c| ["conditionThreshold", "conditionAbsent"].into_iter().filter_map(move |k| str_at(c, &[k, "filter"]).map(str::to_string)))
                .collect();
            json!({"enabled": bool_at(d, &["enabled"]).unwrap_or(true), "channels": !arr_at(d, &["notificationChannels"]).is_empty(), "filters": filters})
        }
        SERVICE => {
            if str_at(d, &["state"]) != Some("ENABLED") {
                return;
            }
            let name = str_at(d, &["config", "name"]).or_else(|| str_at(d, &["name"]).map(last_segment));
            json!({"name": name})
        }
        CONTACT => json!({"email": str_at(d, &["email"]), "notification_categories": strings_at(d, &["notificationCategorySubscriptions"])}),
        _ => return,
    };
    ix.add_scoped(scope, &a.asset_type, fragment);
}

fn normalise_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `auditConfigs` → one entry per (service, log type).
pub fn audit_configs(policy: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for c in arr_at(policy, &["auditConfigs"]) {
        let service = str_at(c, &["service"]).unwrap_or_default();
        for l in arr_at(c, &["auditLogConfigs"]) {
            let Some(t) = str_at(l, &["logType"]).and_then(|t| posture_collect_cloud::json::one_of(t, &["ADMIN_READ", "DATA_READ", "DATA_WRITE"])) else { continue };
            out.push(json!({"service": service, "log_type": t, "exempted_members": strings_at(l, &["exemptedMembers"])}));
        }
    }
    out
}

pub fn project(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let ix = ctx.index;
    let mut r = super::base(a, "gcp.resourcemanager.project", ctx)?;
    r.region = Some("global".into());
    let scope = a.ancestors.first().cloned().unwrap_or_default();
    let mut x = Attrs::new();
    if let Some(d) = a.data {
        let id = str_at(d, &["projectId"]);
        if let Some(id) = id {
            r.account = id.to_string();
            r.name = id.to_string();
        }
        x.put("project_id", id);
        x.put("project_number", str_at(d, &["projectNumber"]).or_else(|| str_at(d, &["name"]).and_then(|n| n.strip_prefix("projects/"))));
        x.put(
            "lifecycle_state",
            str_at(d, &["lifecycleState"]).or_else(|| str_at(d, &["state"])).and_then(|s| posture_collect_cloud::json::one_of(s, &["ACTIVE", "DELETE_REQUESTED"])),
        );
        x.put("parent", parent_of(d));
    }
    if let Some(members) = iam_members(a, ctx) {
        x.set("iam_principals", principals(&members));
        x.set("iam_members", members);
        let audit = ix.audit.get(&a.name).cloned().or_else(|| a.iam.map(audit_configs)).unwrap_or_default();
        x.set("audit_log_configs", audit);
    }
    if let Some(found) = ix.scoped(&scope, &a.ancestors, COMPUTE_PROJECT).filter(|f| !f.is_empty()) {
        x.set("common_instance_metadata", found[0].clone());
    }
    if let Some(services) = ix.scoped(&scope, &a.ancestors, SERVICE) {
        let mut names: Vec<String> = services.iter().filter_map(|s| str_at(s, &["name"]).map(str::to_string)).collect();
        names.sort();
        x.set("enabled_services", names);
    }
    if let Some(contacts) = ix.scoped(&scope, &a.ancestors, CONTACT) {
        x.set("essential_contacts", contacts.into_iter().cloned().collect::<Vec<_>>());
    }
    if let Some(sinks) = sinks(ix, a, &scope) {
        for s in &sinks {
            if let Some(bucket) = str_at(s, &["destination"]).and_then(|d| d.strip_prefix("storage.googleapis.com/")) {
                relate(&mut r, "logs_to", &bucket_name(bucket));
            }
        }
        x.set("log_sinks", sinks);
    }
    if let Some(metrics) = ix.scoped(&scope, &a.ancestors, METRIC) {
        let alerted = alerted_metrics(ix.scoped(&scope, &a.ancestors, ALERT).unwrap_or_default());
        let list: Vec<Value> = metrics
            .iter()
            .map(|m| {
                let name = str_at(m, &["name"]).unwrap_or_default();
                json!({"name": name, "filter": str_at(m, &["filter"]).unwrap_or_default(), "alert_policy_enabled": alerted.contains(name)})
            })
            .collect();
        x.set("log_metrics", list);
    }
    r.attrs = x.into_map();
    Some(r)
}

/// The project's own sinks and the folder and organization sinks above it that include children.
fn sinks(ix: &Index, a: &Asset, scope: &str) -> Option<Vec<Value>> {
    let own = ix.scoped(scope, &a.ancestors, SINK)?;
    let mut out: Vec<Value> = own.into_iter().map(|s| sink(s, "project")).collect();
    let above: Vec<String> = a.ancestors.iter().skip(1).cloned().collect();
    for (s, v) in ix.scoped_anywhere(&above, SINK) {
        if bool_at(v, &["include_children"]) == Some(true) {
            out.push(sink(v, if s.starts_with("folders/") { "folder" } else { "organization" }));
        }
    }
    Some(out)
}

fn sink(v: &Value, scope: &str) -> Value {
    json!({"name": str_at(v, &["name"]), "scope": scope, "destination": str_at(v, &["destination"]),
           "filter": get(v, "filter").cloned().unwrap_or(Value::Null), "exclusion_count": get(v, "exclusion_count").cloned().unwrap_or(json!(0)),
           "disabled": bool_at(v, &["disabled"]).unwrap_or(false)})
}

/// Log-based metrics that an enabled alert policy with a notification channel watches.
fn alerted_metrics(alerts: Vec<&Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for a in alerts {
        if bool_at(a, &["enabled"]) != Some(true) || bool_at(a, &["channels"]) != Some(true) {
            continue;
        }
        for f in strings_at(a, &["filters"]) {
            let mut rest = f.as_str();
            while let Some(at) = rest.find("logging.googleapis.com/user/") {
                rest = &rest[at + "logging.googleapis.com/user/".len()..];
                let name: String = rest.chars().take_while(|c| !matches!(c, '"' | '\'' | ' ' | ')')).collect();
                out.insert(name);
            }
        }
    }
    out
}

pub(crate) fn principals(members: &[Value]) -> Vec<Value> {
    let mut by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in members {
        if let (Some(member), Some(role)) = (str_at(m, &["member"]), str_at(m, &["role"])) {
            by.entry(member.to_string()).or_default().insert(role.to_string());
        }
    }
    by.into_iter().map(|(m, roles)| json!({"member": m, "roles": roles})).collect()
}

/// `parent` as a string (`folders/N`) or as `{type, id}` (`{"type": "folder", "id": "N"}`) → `folders/N`.
pub(crate) fn parent_of(d: &Value) -> Option<String> {
    match get(d, "parent") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(p) => match (str_at(p, &["type"]), str_at(p, &["id"])) {
            (Some(t), Some(i)) => Some(format!("{}s/{i}", t.trim_end_matches('s'))),
            _ => None,
        },
        None => None,
    }
}
