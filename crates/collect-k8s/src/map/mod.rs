//! One Kubernetes API object (JSON of any apiVersion) → canonical resources.

mod core;
pub(crate) mod json;
mod network;
pub(crate) mod pod;
mod rbac;
mod workload;

use crate::image::image_uid;
use json::{labels, str_of, Attrs};
use posture_model::{Origin, Relation, Resource};
use serde_json::Value;

/// Why an object could not be mapped. Messages name fields, never values of secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("not a JSON object")]
    NotAnObject,
    #[error("{0} is missing or empty")]
    Missing(&'static str),
    #[error("{field} '{value}' cannot be part of a uid (it contains '/')")]
    BadName { field: &'static str, value: String },
    #[error("items[{index}]: {source}")]
    Item { index: usize, source: Box<MapError> },
}

/// Where objects come from and how to name them.
#[derive(Debug, Clone, Copy)]
pub struct MapContext<'a> {
    /// Cluster name: the `account` of every resource and the first part of its uid.
    pub cluster: &'a str,
    /// Copied to every resource; for IaC, the caller may adjust line numbers afterwards.
    pub origin: &'a Origin,
    /// Namespace of namespaced objects that name none (a manifest applied with `-n`); when
    /// `None`, such objects are a [`MapError::Missing`].
    pub default_namespace: Option<&'a str>,
}

/// Maps one object; see [`map_object_with`].
pub fn map_object(cluster: &str, obj: &Value, origin: &Origin) -> Result<Vec<Resource>, MapError> {
    map_object_with(&MapContext { cluster, origin, default_namespace: None }, obj)
}

/// Maps one object to zero or more canonical resources.
///
/// - A kind Posture does not model (ConfigMap, Event, ReplicaSet, custom resources) gives `Ok([])`.
/// - A `List` (or `PodList`, …) maps each of its items; items without `kind`/`apiVersion` take
///   them from the list.
/// - Relations that only need the object itself are set here (`in_namespace`,
///   `uses_service_account`, `runs_image`, `grants_role`, `bound_to`, `routes_to`, `uses_secret`);
///   those that need other objects come from [`crate::Linker`].
pub fn map_object_with(ctx: &MapContext, obj: &Value) -> Result<Vec<Resource>, MapError> {
    if !obj.is_object() {
        return Err(MapError::NotAnObject);
    }
    let kind = str_of(obj.get("kind")).filter(|k| !k.is_empty()).ok_or(MapError::Missing("kind"))?;
    if let (Some(list_kind), Some(items)) = (kind.strip_suffix("List"), obj.get("items").and_then(Value::as_array)) {
        return map_list(ctx, obj, list_kind, items);
    }
    let api_version = str_of(obj.get("apiVersion")).filter(|k| !k.is_empty()).ok_or(MapError::Missing("apiVersion"))?;
    let Some(def) = definition(api_version, kind) else { return Ok(Vec::new()) };
    map_known(ctx, obj, def).map(|r| vec![r])
}

fn map_list(ctx: &MapContext, list: &Value, list_kind: &str, items: &[Value]) -> Result<Vec<Resource>, MapError> {
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let item = with_list_defaults(item, list, list_kind);
        let mapped = map_object_with(ctx, &item).map_err(|e| MapError::Item { index, source: Box::new(e) })?;
        out.extend(mapped);
    }
    Ok(out)
}

/// Items of a typed list (`PodList` from the API) carry no `kind`/`apiVersion` of their own.
pub(crate) fn with_list_defaults<'a>(item: &'a Value, list: &Value, list_kind: &str) -> std::borrow::Cow<'a, Value> {
    let Some(map) = item.as_object() else { return std::borrow::Cow::Borrowed(item) };
    if map.contains_key("kind") && map.contains_key("apiVersion") || list_kind.is_empty() {
        return std::borrow::Cow::Borrowed(item);
    }
    let mut owned = map.clone();
    owned.entry("kind").or_insert_with(|| Value::String(list_kind.to_string()));
    if let Some(v) = list.get("apiVersion") {
        owned.entry("apiVersion").or_insert_with(|| v.clone());
    }
    std::borrow::Cow::Owned(Value::Object(owned))
}

/// The canonical kind of `apiVersion`/`kind`, or `None` when Posture does not collect it.
pub fn canonical_kind(api_version: &str, kind: &str) -> Option<&'static str> {
    definition(api_version, kind).map(|d| d.canonical)
}

/// `cluster/namespace/Kind/name`, or `cluster/_cluster/Kind/name` for cluster-scoped objects.
pub fn object_uid(cluster: &str, namespace: Option<&str>, kind: &str, name: &str) -> String {
    format!("{cluster}/{}/{kind}/{name}", namespace.unwrap_or("_cluster"))
}

type MapFn = fn(&Obj, &mut Attrs, &mut Vec<Relation>);

struct KindDef {
    groups: &'static [&'static str],
    kind: &'static str,
    canonical: &'static str,
    namespaced: bool,
    map: MapFn,
}

const CORE: &[&str] = &[""];
const APPS: &[&str] = &["apps", "extensions"];
const BATCH: &[&str] = &["batch"];
const RBAC: &[&str] = &["rbac.authorization.k8s.io"];
const NETWORKING: &[&str] = &["networking.k8s.io", "extensions"];

// ReplicaSets are skipped on purpose: their pods are assessed as Pods and their Deployment as a
// Deployment; the Linker ties pods to Deployments through the pod-template-hash label instead.
const KINDS: &[KindDef] = &[
    KindDef { groups: CORE, kind: "Pod", canonical: "k8s.core.pod", namespaced: true, map: workload::pod },
    KindDef {
        groups: APPS,
        kind: "Deployment",
        canonical: "k8s.apps.deployment",
        namespaced: true,
        map: workload::deployment,
    },
    KindDef {
        groups: APPS,
        kind: "DaemonSet",
        canonical: "k8s.apps.daemonset",
        namespaced: true,
        map: workload::daemonset,
    },
    KindDef {
        groups: APPS,
        kind: "StatefulSet",
        canonical: "k8s.apps.statefulset",
        namespaced: true,
        map: workload::statefulset,
    },
    KindDef { groups: BATCH, kind: "Job", canonical: "k8s.batch.job", namespaced: true, map: workload::job },
    KindDef {
        groups: BATCH,
        kind: "CronJob",
        canonical: "k8s.batch.cronjob",
        namespaced: true,
        map: workload::cronjob,
    },
    KindDef {
        groups: CORE,
        kind: "Namespace",
        canonical: "k8s.core.namespace",
        namespaced: false,
        map: core::namespace,
    },
    KindDef {
        groups: CORE,
        kind: "ServiceAccount",
        canonical: "k8s.core.service_account",
        namespaced: true,
        map: core::service_account,
    },
    KindDef { groups: CORE, kind: "Secret", canonical: "k8s.core.secret", namespaced: true, map: core::secret },
    KindDef { groups: CORE, kind: "Node", canonical: "k8s.core.node", namespaced: false, map: core::node },
    KindDef { groups: CORE, kind: "Service", canonical: "k8s.core.service", namespaced: true, map: network::service },
    KindDef {
        groups: NETWORKING,
        kind: "Ingress",
        canonical: "k8s.networking.ingress",
        namespaced: true,
        map: network::ingress,
    },
    KindDef {
        groups: NETWORKING,
        kind: "NetworkPolicy",
        canonical: "k8s.networking.network_policy",
        namespaced: true,
        map: network::network_policy,
    },
    KindDef { groups: RBAC, kind: "Role", canonical: "k8s.rbac.role", namespaced: true, map: rbac::role },
    KindDef {
        groups: RBAC,
        kind: "ClusterRole",
        canonical: "k8s.rbac.cluster_role",
        namespaced: false,
        map: rbac::cluster_role,
    },
    KindDef {
        groups: RBAC,
        kind: "RoleBinding",
        canonical: "k8s.rbac.role_binding",
        namespaced: true,
        map: rbac::binding,
    },
    KindDef {
        groups: RBAC,
        kind: "ClusterRoleBinding",
        canonical: "k8s.rbac.cluster_role_binding",
        namespaced: false,
        map: rbac::binding,
    },
];

fn definition(api_version: &str, kind: &str) -> Option<&'static KindDef> {
    // "v1" is the core group; "apps/v1" → "apps". Versions of one group share a shape.
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    KINDS.iter().find(|d| d.kind == kind && d.groups.contains(&group))
}

/// What per-kind mappers read: the object and its identity.
pub(crate) struct Obj<'a> {
    pub v: &'a Value,
    pub cluster: &'a str,
    pub namespace: Option<&'a str>,
    pub annotations: Option<&'a Value>,
}

impl Obj<'_> {
    pub(crate) fn uid(&self, namespace: Option<&str>, kind: &str, name: &str) -> String {
        object_uid(self.cluster, namespace, kind, name)
    }

    pub(crate) fn annotation(&self, key: &str) -> Option<&str> {
        str_of(json::get(self.annotations, key))
    }

    pub(crate) fn relation(&self, rel: &str, target: String) -> Relation {
        Relation { rel: rel.to_string(), target }
    }

    pub(crate) fn runs_images(&self, spec: Option<&Value>, rels: &mut Vec<Relation>) {
        rels.extend(pod::images(spec).iter().map(|i| self.relation("runs_image", image_uid(i))));
    }
}

fn map_known(ctx: &MapContext, v: &Value, def: &KindDef) -> Result<Resource, MapError> {
    let meta = v.get("metadata");
    let name = str_of(json::get(meta, "name")).filter(|n| !n.is_empty()).ok_or(MapError::Missing("metadata.name"))?;
    check_segment("metadata.name", name)?;
    let namespace = if def.namespaced {
        let ns = str_of(json::get(meta, "namespace")).filter(|n| !n.is_empty()).or(ctx.default_namespace);
        let ns = ns.ok_or(MapError::Missing("metadata.namespace"))?;
        check_segment("metadata.namespace", ns)?;
        Some(ns)
    } else {
        None
    };
    check_segment("cluster name", ctx.cluster)?;
    let obj = Obj { v, cluster: ctx.cluster, namespace, annotations: json::get(meta, "annotations") };
    let mut attrs = Attrs::default();
    let mut relations = Vec::new();
    if let Some(ns) = namespace {
        attrs.put("namespace", Some(Value::String(ns.to_string())));
        relations.push(obj.relation("in_namespace", obj.uid(None, "Namespace", ns)));
    }
    (def.map)(&obj, &mut attrs, &mut relations);
    let mut r = Resource::new(obj.uid(namespace, def.kind, name), def.canonical);
    r.account = ctx.cluster.to_string();
    r.name = name.to_string();
    r.tags = labels(json::get(meta, "labels"));
    r.attrs = attrs.0;
    r.relations = dedup(relations);
    r.origin = Some(ctx.origin.clone());
    Ok(r)
}

fn check_segment(field: &'static str, value: &str) -> Result<(), MapError> {
    if value.contains('/') || value.trim().is_empty() {
        return Err(MapError::BadName { field, value: value.chars().take(253).collect() });
    }
    Ok(())
}

pub(crate) fn dedup(mut rels: Vec<Relation>) -> Vec<Relation> {
    rels.sort_by(|a, b| (&a.rel, &a.target).cmp(&(&b.rel, &b.target)));
    rels.dedup();
    rels
}
