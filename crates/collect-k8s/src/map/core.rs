//! Namespaces, service accounts, secrets (metadata only) and nodes.

use super::json::*;
use super::Obj;
use posture_model::Relation;
use serde_json::Value;
use std::collections::BTreeSet;

const PSA_LEVELS: &[&str] = &["privileged", "baseline", "restricted"];
const CLOUD_IDENTITY_ANNOTATIONS: &[&str] =
    &["eks.amazonaws.com/role-arn", "iam.gke.io/gcp-service-account", "azure.workload.identity/client-id"];
const SA_TOKEN_TYPE: &str = "kubernetes.io/service-account-token";

pub(crate) fn namespace(o: &Obj, a: &mut Attrs, _: &mut Vec<Relation>) {
    a.put("phase", enum_or_null(path(Some(o.v), &["status", "phase"]), &["Active", "Terminating"]));
    let labels = path(Some(o.v), &["metadata", "labels"]);
    let mut psa = Attrs::default();
    for mode in ["enforce", "audit", "warn"] {
        let label = format!("pod-security.kubernetes.io/{mode}");
        // A level the admission plugin would not accept is unknown, not "unset".
        psa.put(mode, enum_or_null(get(labels, &label), PSA_LEVELS));
        psa.put(&format!("{mode}_version"), str_or_null(get(labels, &format!("{label}-version"))));
    }
    a.put("pod_security", Some(psa.into_value()));
}

pub(crate) fn service_account(o: &Obj, a: &mut Attrs, _: &mut Vec<Relation>) {
    a.put("automount_service_account_token", bool_or_null(o.v.get("automountServiceAccountToken")));
    a.put("secrets", name_list(o.v.get("secrets")));
    a.put("image_pull_secrets", name_list(o.v.get("imagePullSecrets")));
    let identity = CLOUD_IDENTITY_ANNOTATIONS.iter().find_map(|k| o.annotation(k).filter(|v| !v.trim().is_empty()));
    a.put("cloud_identity", Some(identity.map_or(Value::Null, |v| Value::String(v.to_string()))));
}

/// Only the type, the key names and a few metadata fields: values of `data` and `stringData`
/// are never read, and neither is the last-applied-configuration annotation that repeats them.
pub(crate) fn secret(o: &Obj, a: &mut Attrs, _: &mut Vec<Relation>) {
    let secret_type = match o.v.get("type") {
        None | Some(Value::Null) => Some("Opaque"),
        Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
        Some(_) => None,
    };
    a.put("type", secret_type.map(|t| Value::String(t.to_string())));
    a.put("data_keys", data_keys(o.v));
    a.put("immutable", bool_or_null(o.v.get("immutable")));
    let sa = match secret_type {
        Some(SA_TOKEN_TYPE) => str_or_null(get(o.annotations, "kubernetes.io/service-account.name")),
        Some(_) => Some(Value::Null),
        None => None,
    };
    a.put("service_account_name", sa);
    let created = path(Some(o.v), &["metadata", "creationTimestamp"]);
    a.put("created_at", str_of(created).map(|s| Value::String(s.to_string())));
}

fn data_keys(v: &Value) -> Option<Value> {
    let mut keys: Vec<String> = Vec::new();
    for field in ["data", "stringData"] {
        match v.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => keys.extend(m.keys().cloned()),
            Some(_) => return None,
        }
    }
    keys.sort();
    keys.dedup();
    Some(Value::Array(keys.into_iter().map(Value::String).collect()))
}

pub(crate) fn node(o: &Obj, a: &mut Attrs, _: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    let status = o.v.get("status");
    let info = get(status, "nodeInfo");
    for (key, field) in [
        ("kubelet_version", "kubeletVersion"),
        ("container_runtime_version", "containerRuntimeVersion"),
        ("os_image", "osImage"),
        ("kernel_version", "kernelVersion"),
        ("operating_system", "operatingSystem"),
        ("architecture", "architecture"),
    ] {
        a.put(key, str_or_null(get(info, field)));
    }
    a.put("provider_id", str_or_null(get(spec, "providerID")));
    a.put("unschedulable", bool_or(get(spec, "unschedulable"), false));
    a.put("ready", node_ready(get(status, "conditions")));
    a.put("taints", list_of(get(spec, "taints"), taint));
    a.put("pod_cidrs", pod_cidrs(spec));
    a.put("internal_ips", addresses(get(status, "addresses"), "InternalIP"));
    a.put("external_ips", addresses(get(status, "addresses"), "ExternalIP"));
    let created = path(Some(o.v), &["metadata", "creationTimestamp"]);
    a.put("created_at", str_of(created).map(|s| Value::String(s.to_string())));
}

fn node_ready(conditions: Option<&Value>) -> Option<Value> {
    let list = match conditions {
        None | Some(Value::Null) => return Some(Value::Null),
        Some(Value::Array(l)) => l,
        Some(_) => return None,
    };
    let ready = list.iter().find(|c| str_of(c.get("type")) == Some("Ready"));
    Some(match ready.and_then(|c| str_of(c.get("status"))) {
        Some("True") => Value::Bool(true),
        Some("False") => Value::Bool(false),
        _ => Value::Null,
    })
}

fn taint(t: &Value) -> Option<Value> {
    Some(obj(|a| {
        a.put("key", str_of(t.get("key")).map(|k| Value::String(k.to_string())));
        a.put("value", str_or_null(t.get("value")));
        let effect = str_of(t.get("effect")).filter(|e| ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(e));
        a.put("effect", effect.map(|e| Value::String(e.to_string())));
    }))
}

fn pod_cidrs(spec: Option<&Value>) -> Option<Value> {
    match get(spec, "podCIDRs") {
        v if !is_unset(v) => str_list(v),
        _ => match get(spec, "podCIDR") {
            Some(Value::String(s)) => Some(Value::Array(vec![Value::String(s.clone())])),
            v => str_list(v),
        },
    }
}

/// The addresses of one type; absent (unknown) when the node reported none (a manifest).
fn addresses(list: Option<&Value>, kind: &str) -> Option<Value> {
    let items = match list {
        None | Some(Value::Null) => return None,
        Some(Value::Array(l)) => l,
        Some(_) => return None,
    };
    let mut seen = BTreeSet::new();
    for addr in items.iter().filter(|i| str_of(i.get("type")) == Some(kind)) {
        seen.insert(str_of(addr.get("address"))?.to_string());
    }
    Some(Value::Array(seen.into_iter().map(Value::String).collect()))
}
