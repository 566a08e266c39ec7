//! CAI assets → canonical `gcp.*` resources. `observe` is the first pass (index), `mapper` the
//! per-type mapping of the second.

pub mod compute;
pub mod data;
pub mod hierarchy;
pub mod iam;
pub mod project;

use crate::asset::{last_segment, segment_after, Asset, LISTED};
use crate::index::Index;
use posture_collect_cloud::json::{arr_at, get, str_at, strings_at};
use posture_model::{Origin, Relation, Resource};
use serde_json::{json, Value};
use time::OffsetDateTime;

pub struct Ctx<'a> {
    pub index: &'a Index,
    pub origin: &'a Origin,
    pub now: OffsetDateTime,
}

pub type MapFn = fn(&Asset, &Ctx) -> Option<Resource>;

pub fn mapper(asset_type: &str) -> Option<MapFn> {
    let f: MapFn = match asset_type {
        "storage.googleapis.com/Bucket" => data::bucket,
        "compute.googleapis.com/Instance" => compute::instance,
        "compute.googleapis.com/Firewall" => compute::firewall,
        "compute.googleapis.com/Network" => compute::network,
        "compute.googleapis.com/Subnetwork" => compute::subnetwork,
        "compute.googleapis.com/BackendService" | "compute.googleapis.com/RegionBackendService" => compute::backend_service,
        "compute.googleapis.com/TargetHttpsProxy" | "compute.googleapis.com/RegionTargetHttpsProxy" => compute::https_proxy,
        "compute.googleapis.com/TargetSslProxy" => compute::ssl_proxy,
        "cloudresourcemanager.googleapis.com/Project" => project::project,
        hierarchy::FOLDER => hierarchy::folder,
        hierarchy::ORGANIZATION => hierarchy::organization,
        "iam.googleapis.com/ServiceAccount" => iam::service_account,
        "cloudkms.googleapis.com/CryptoKey" => iam::crypto_key,
        "apikeys.googleapis.com/Key" => iam::api_key,
        "sqladmin.googleapis.com/Instance" => data::sql_instance,
        "container.googleapis.com/Cluster" => compute::gke_cluster,
        "bigquery.googleapis.com/Dataset" => data::dataset,
        "bigquery.googleapis.com/Table" => data::table,
        "cloudfunctions.googleapis.com/CloudFunction" | "cloudfunctions.googleapis.com/Function" => compute::function,
        "dataproc.googleapis.com/Cluster" => compute::dataproc,
        "dns.googleapis.com/ManagedZone" => data::dns_zone,
        _ => return None,
    };
    Some(f)
}

/// Asset types read only to complete other resources.
const FOLDED: &[&str] = &[
    "iam.googleapis.com/ServiceAccountKey",
    "compute.googleapis.com/SslPolicy",
    "compute.googleapis.com/Project",
    "dns.googleapis.com/Policy",
    "logging.googleapis.com/LogSink",
    "logging.googleapis.com/LogMetric",
    "monitoring.googleapis.com/AlertPolicy",
    "serviceusage.googleapis.com/Service",
    "essentialcontacts.googleapis.com/Contact",
    "container.googleapis.com/NodePool",
];

pub fn is_read(asset_type: &str) -> bool {
    mapper(asset_type).is_some() || FOLDED.contains(&asset_type) || asset_type == LISTED
}

/// First pass over one asset line.
pub fn observe(a: &Asset, ix: &mut Index) {
    if a.asset_type == LISTED {
        for t in strings_at(a.v, &["types"]) {
            ix.mark_listed(&a.name, &t);
        }
        for t in strings_at(a.v, &["iam_policy_types"]) {
            ix.mark_iam_known(&a.name, &t);
        }
        return;
    }
    learn_project_id(a, ix);
    if let Some(policy) = a.iam {
        ix.iam.insert(a.name.clone(), flatten_iam(policy));
        if a.asset_type == "cloudresourcemanager.googleapis.com/Project" {
            ix.audit.insert(a.name.clone(), project::audit_configs(policy));
        }
        if let Some(scope) = a.ancestors.first() {
            ix.mark_iam_known(scope, &a.asset_type);
        }
    }
    let Some(data) = a.data else { return };
    ix.with_data.insert(a.name.clone());
    if let Some(scope) = a.project_ancestor().or(a.ancestors.first().map(String::as_str)) {
        ix.saw_type(scope, &a.asset_type);
    }
    compute::observe(a, data, ix);
    iam::observe(a, data, ix);
    project::observe(a, data, ix);
}

fn learn_project_id(a: &Asset, ix: &mut Index) {
    if a.asset_type == "cloudresourcemanager.googleapis.com/Project" {
        if let Some(d) = a.data {
            let number = str_at(d, &["projectNumber"]).map(str::to_string).or_else(|| str_at(d, &["name"]).and_then(|n| n.strip_prefix("projects/")).map(str::to_string));
            if let (Some(n), Some(id)) = (number, str_at(d, &["projectId"])) {
                ix.project_ids.insert(n, id.to_string());
            }
        }
        return;
    }
    let Some(number) = a.project_ancestor().and_then(|p| p.strip_prefix("projects/")) else { return };
    if let Some(id) = segment_after(&a.name, "projects").filter(|s| *s != "_" && !s.chars().all(|c| c.is_ascii_digit())) {
        ix.project_ids.entry(number.to_string()).or_insert_with(|| id.to_string());
    }
}

/// The project id of an asset: from its project ancestor's number, else from its name.
pub fn project_id(a: &Asset, ix: &Index) -> Option<String> {
    if let Some(number) = a.project_ancestor().and_then(|p| p.strip_prefix("projects/")) {
        if let Some(id) = ix.project_ids.get(number) {
            return Some(id.clone());
        }
    }
    if let Some(id) = segment_after(&a.name, "projects").filter(|s| *s != "_") {
        if let Some(known) = ix.project_ids.get(id) {
            return Some(known.clone());
        }
        return Some(id.to_string());
    }
    a.project_ancestor().and_then(|p| p.strip_prefix("projects/")).map(str::to_string)
}

/// The canonical envelope; `None` when the asset belongs to no project.
pub fn base(a: &Asset, kind: &str, ctx: &Ctx) -> Option<Resource> {
    let mut r = Resource::new(a.name.clone(), kind);
    r.account = project_id(a, ctx.index)?;
    r.region = Some(a.location.as_deref().map(crate::asset::region_of).unwrap_or_else(|| "global".into()));
    r.name = a.data.and_then(|d| str_at(d, &["name"])).map(|n| last_segment(n).to_string()).unwrap_or_else(|| last_segment(&a.name).to_string());
    if let Some(labels) = a.data.and_then(|d| get(d, "labels")).and_then(Value::as_object) {
        for (k, v) in labels {
            if let Some(s) = v.as_str() {
                r.tags.insert(k.clone(), s.to_string());
            }
        }
    }
    r.origin = Some(ctx.origin.clone());
    Some(r)
}

pub fn relate(r: &mut Resource, rel: &str, target: &str) {
    let relation = Relation { rel: rel.to_string(), target: target.to_string() };
    if !target.is_empty() && !r.relations.contains(&relation) {
        r.relations.push(relation);
    }
}

/// `bindings` → `[{role, member, condition_title}]`.
pub fn flatten_iam(policy: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for b in arr_at(policy, &["bindings"]) {
        let Some(role) = str_at(b, &["role"]) else { continue };
        let title = str_at(b, &["condition", "title"]).map(Value::from).unwrap_or(Value::Null);
        for m in strings_at(b, &["members"]) {
            out.push(json!({"role": role, "member": m, "condition_title": title}));
        }
    }
    out
}

/// The IAM members of an asset: its policy (on its line or another), `[]` when policies of its
/// type were exported and it has none, absent otherwise.
pub fn iam_members(a: &Asset, ctx: &Ctx) -> Option<Vec<Value>> {
    if let Some(list) = ctx.index.iam.get(&a.name) {
        return Some(list.clone());
    }
    if let Some(p) = a.iam {
        return Some(flatten_iam(p));
    }
    ctx.index.iam_known(&a.ancestors, &a.asset_type).then(Vec::new)
}

/// Metadata values parsed as booleans the way Compute Engine does (`TRUE`, `true`, `1`, `yes`).
pub fn meta_bool(items: &[Value], key: &str) -> Value {
    let v = items.iter().find(|i| str_at(i, &["key"]) == Some(key)).and_then(|i| str_at(i, &["value"]));
    match v.map(|s| s.trim().to_ascii_lowercase()) {
        None => Value::Null,
        Some(s) => Value::Bool(matches!(s.as_str(), "true" | "1" | "yes" | "y" | "on")),
    }
}
