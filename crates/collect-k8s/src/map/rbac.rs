//! Roles, cluster roles and their bindings.

use super::json::*;
use super::workload::label_selector;
use super::Obj;
use posture_model::Relation;
use serde_json::Value;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

pub(crate) fn role(o: &Obj, a: &mut Attrs, _: &mut Vec<Relation>) {
    a.put("rules", list_of(o.v.get("rules"), policy_rule));
}

pub(crate) fn cluster_role(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    role(o, a, rels);
    let aggregation = |ag: &Value| {
        Some(obj(|a| a.put("cluster_role_selectors", list_of(ag.get("clusterRoleSelectors"), label_selector))))
    };
    a.put("aggregation_rule", object_or_null(o.v.get("aggregationRule"), aggregation));
}

fn policy_rule(r: &Value) -> Option<Value> {
    Some(obj(|a| {
        for (key, field) in [
            ("api_groups", "apiGroups"),
            ("resources", "resources"),
            ("resource_names", "resourceNames"),
            ("verbs", "verbs"),
            ("non_resource_urls", "nonResourceURLs"),
        ] {
            a.put(key, str_list(r.get(field)));
        }
    }))
}

/// RoleBinding and ClusterRoleBinding: `grants_role` to the role, `bound_to` each service account.
pub(crate) fn binding(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let role_ref = o.v.get("roleRef").filter(|r| r.is_object());
    a.put(
        "role_ref",
        role_ref.map(|r| {
            obj(|a| {
                a.put("api_group", str_of(r.get("apiGroup")).map(|g| Value::String(g.to_string())));
                let kind = str_of(r.get("kind")).filter(|k| ["Role", "ClusterRole"].contains(k));
                a.put("kind", kind.map(|k| Value::String(k.to_string())));
                a.put("name", str_of(r.get("name")).map(|n| Value::String(n.to_string())));
            })
        }),
    );
    a.put("subjects", list_of(o.v.get("subjects"), |s| Some(subject(o, s))));
    if let Some(target) = granted_role(o, role_ref) {
        rels.push(o.relation("grants_role", target));
    }
    for sa in service_account_subjects(o) {
        rels.push(o.relation("bound_to", sa));
    }
}

fn subject(o: &Obj, s: &Value) -> Value {
    let kind = str_of(s.get("kind")).filter(|k| ["User", "Group", "ServiceAccount"].contains(k));
    obj(|a| {
        a.put("kind", kind.map(|k| Value::String(k.to_string())));
        a.put("name", str_of(s.get("name")).map(|n| Value::String(n.to_string())));
        let (namespace, api_group) = match kind {
            Some("ServiceAccount") => {
                (subject_namespace(o, s).map(|n| Value::String(n.to_string())), Some(Value::Null))
            }
            Some(_) => {
                let group = str_of(s.get("apiGroup")).filter(|g| !g.is_empty()).unwrap_or(RBAC_GROUP);
                (Some(Value::Null), Some(Value::String(group.to_string())))
            }
            None => (None, None),
        };
        a.put("namespace", namespace);
        a.put("api_group", api_group);
    })
}

/// A service account subject without a namespace, in a RoleBinding, is the binding's own.
fn subject_namespace<'a>(o: &Obj<'a>, s: &'a Value) -> Option<&'a str> {
    str_of(s.get("namespace")).filter(|n| !n.is_empty()).or(o.namespace)
}

fn granted_role(o: &Obj, role_ref: Option<&Value>) -> Option<String> {
    let name = str_of(get(role_ref, "name")).filter(|n| !n.is_empty() && !n.contains('/'))?;
    match str_of(get(role_ref, "kind"))? {
        "ClusterRole" => Some(o.uid(None, "ClusterRole", name)),
        // A Role is always the binding's namespace (a ClusterRoleBinding cannot name one).
        "Role" => o.namespace.map(|ns| o.uid(Some(ns), "Role", name)),
        _ => None,
    }
}

fn service_account_subjects(o: &Obj) -> Vec<String> {
    let subjects = o.v.get("subjects").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    subjects
        .iter()
        .filter(|s| str_of(s.get("kind")) == Some("ServiceAccount"))
        .filter_map(|s| {
            let name = str_of(s.get("name")).filter(|n| !n.is_empty() && !n.contains('/'))?;
            let ns = subject_namespace(o, s).filter(|n| !n.contains('/'))?;
            Some(o.uid(Some(ns), "ServiceAccount", name))
        })
        .collect()
}
