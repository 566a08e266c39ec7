//! Pods and the workload kinds that template them.

use super::json::*;
use super::pod::pod_template;
use super::Obj;
use posture_model::Relation;
use serde_json::Value;

const POD_PHASES: &[&str] = &["Pending", "Running", "Succeeded", "Failed", "Unknown"];
const QOS: &[&str] = &["Guaranteed", "Burstable", "BestEffort"];

pub(crate) fn pod(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    let status = o.v.get("status");
    a.put("phase", enum_or_null(get(status, "phase"), POD_PHASES));
    a.put("node_name", str_or_null(get(spec, "nodeName")));
    a.put("qos_class", enum_or_null(get(status, "qosClass"), QOS));
    a.put("owner", owner(o.v));
    pod_template(spec, o.annotations, a);
    template_relations(o, spec, rels);
}

pub(crate) fn deployment(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    a.put("replicas", int_or_null(get(spec, "replicas")));
    a.put("ready_replicas", status_count(o.v, "readyReplicas"));
    a.put("strategy", enum_or_null(path(spec, &["strategy", "type"]), &["RollingUpdate", "Recreate"]));
    a.put("selector", label_selector_required(get(spec, "selector")));
    template(o, get(spec, "template"), a, rels);
}

pub(crate) fn daemonset(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    a.put("update_strategy", enum_or_null(path(spec, &["updateStrategy", "type"]), &["RollingUpdate", "OnDelete"]));
    a.put("desired_number_scheduled", status_count(o.v, "desiredNumberScheduled"));
    a.put("number_ready", status_count(o.v, "numberReady"));
    a.put("selector", label_selector_required(get(spec, "selector")));
    template(o, get(spec, "template"), a, rels);
}

pub(crate) fn statefulset(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    a.put("replicas", int_or_null(get(spec, "replicas")));
    a.put("ready_replicas", status_count(o.v, "readyReplicas"));
    a.put("service_name", str_or_null(get(spec, "serviceName")));
    a.put("update_strategy", enum_or_null(path(spec, &["updateStrategy", "type"]), &["RollingUpdate", "OnDelete"]));
    a.put("selector", label_selector_required(get(spec, "selector")));
    template(o, get(spec, "template"), a, rels);
}

pub(crate) fn job(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    for (key, field) in [
        ("completions", "completions"),
        ("parallelism", "parallelism"),
        ("backoff_limit", "backoffLimit"),
        ("active_deadline_seconds", "activeDeadlineSeconds"),
        ("ttl_seconds_after_finished", "ttlSecondsAfterFinished"),
    ] {
        a.put(key, int_or_null(get(spec, field)));
    }
    a.put("suspend", bool_or_null(get(spec, "suspend")));
    a.put("owner", owner(o.v));
    template(o, get(spec, "template"), a, rels);
}

pub(crate) fn cronjob(o: &Obj, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let spec = o.v.get("spec");
    a.put("schedule", str_of(get(spec, "schedule")).map(|s| Value::String(s.to_string())));
    a.put("time_zone", str_or_null(get(spec, "timeZone")));
    a.put("suspend", bool_or_null(get(spec, "suspend")));
    a.put("concurrency_policy", enum_or_null(get(spec, "concurrencyPolicy"), &["Allow", "Forbid", "Replace"]));
    a.put("successful_jobs_history_limit", int_or_null(get(spec, "successfulJobsHistoryLimit")));
    a.put("failed_jobs_history_limit", int_or_null(get(spec, "failedJobsHistoryLimit")));
    a.put("last_schedule_time", str_or_null(path(o.v.get("status"), &["lastScheduleTime"])));
    template(o, path(spec, &["jobTemplate", "spec", "template"]), a, rels);
}

fn template(o: &Obj, template: Option<&Value>, a: &mut Attrs, rels: &mut Vec<Relation>) {
    let meta = get(template, "metadata");
    a.put("template_labels", string_map(get(meta, "labels")));
    let spec = get(template, "spec");
    pod_template(spec, get(meta, "annotations"), a);
    template_relations(o, spec, rels);
}

/// `uses_service_account` (the API's default is `default`) and one `runs_image` per image.
fn template_relations(o: &Obj, spec: Option<&Value>, rels: &mut Vec<Relation>) {
    let Some(spec) = spec.filter(|s| s.is_object()) else { return };
    let named = [spec.get("serviceAccountName"), spec.get("serviceAccount")]
        .into_iter()
        .find_map(|v| str_of(v).filter(|s| !s.is_empty()));
    let sa = named.unwrap_or("default");
    if !sa.contains('/') {
        rels.push(o.relation("uses_service_account", o.uid(o.namespace, "ServiceAccount", sa)));
    }
    o.runs_images(Some(spec), rels);
}

/// A count from `status`: absent there means 0 (the API omits zeros); no status at all (a
/// manifest) means unknown-yet, written null.
fn status_count(v: &Value, field: &str) -> Option<Value> {
    match v.get("status") {
        Some(Value::Object(s)) => match s.get(field) {
            None | Some(Value::Null) => Some(Value::from(0)),
            other => int_of(other).map(Value::from),
        },
        _ => Some(Value::Null),
    }
}

/// The controlling owner reference (or the first one); null when the object has none.
pub(crate) fn owner(v: &Value) -> Option<Value> {
    let refs = path(Some(v), &["metadata", "ownerReferences"]);
    let list = match refs {
        None | Some(Value::Null) => return Some(Value::Null),
        Some(Value::Array(list)) => list,
        Some(_) => return None,
    };
    let chosen = list.iter().find(|r| r.get("controller") == Some(&Value::Bool(true))).or_else(|| list.first());
    let Some(r) = chosen else { return Some(Value::Null) };
    let (kind, name) = (str_of(r.get("kind"))?, str_of(r.get("name"))?);
    Some(serde_json::json!({"kind": kind, "name": name}))
}

/// A LabelSelector (`matchLabels`, `matchExpressions`) in canonical shape.
pub(crate) fn label_selector(s: &Value) -> Option<Value> {
    let expression = |e: &Value| {
        Some(obj(|a| {
            a.put("key", str_of(e.get("key")).map(|k| Value::String(k.to_string())));
            let op = str_of(e.get("operator")).filter(|op| ["In", "NotIn", "Exists", "DoesNotExist"].contains(op));
            a.put("operator", op.map(|o| Value::String(o.to_string())));
            a.put("values", str_list(e.get("values")));
        }))
    };
    Some(obj(|a| {
        a.put("match_labels", string_map(s.get("matchLabels")));
        a.put("match_expressions", list_of(s.get("matchExpressions"), expression));
    }))
}

fn label_selector_required(s: Option<&Value>) -> Option<Value> {
    s.filter(|s| s.is_object()).and_then(label_selector)
}
