//! The second pass: relations that need more than one object.
//!
//! | relation | from → to | how |
//! |---|---|---|
//! | `selects` | Service → Pods and workloads | the service's `selector` on pod labels / workload `template_labels`, same namespace |
//! | `selects` | NetworkPolicy → Pods and workloads | `pod_selector` likewise |
//! | `manages` | workload → Pods | owner references; Deployment → ReplicaSet → Pod through `pod-template-hash`, CronJob → Job → Pod |
//! | `has_network_policy` | Namespace → NetworkPolicies | inverse of the policy's `in_namespace` |
//! | `bound_by` | ServiceAccount → bindings | inverse of the binding's `bound_to` |
//!
//! [`Linker::observe`] keeps only a compact index (uids, labels, selectors, owners), so resources
//! can stream to disk first and receive their extra relations when read back
//! ([`Links::apply`]); [`link`] does both for a slice in memory.

use crate::selector::{string_map, Selector};
use posture_model::{Relation, Resource};
use std::collections::{BTreeMap, HashMap, HashSet};

type Scope = (String, String); // (cluster, namespace)

#[derive(Default)]
pub struct Linker {
    pods: HashMap<Scope, Vec<Pod>>,
    workloads: HashMap<Scope, Vec<Workload>>,
    selectors: Vec<(String, Scope, Selector)>,
    namespaces: HashSet<String>,
    service_accounts: HashSet<String>,
    policies: Vec<(String, String)>,      // (policy uid, namespace uid)
    bindings: Vec<(String, Vec<String>)>, // (binding uid, service account uids)
}

struct Pod {
    uid: String,
    labels: BTreeMap<String, String>,
    owner: Option<(String, String)>,
}

struct Workload {
    uid: String,
    kind: &'static str,
    name: String,
    labels: BTreeMap<String, String>,
    owner: Option<(String, String)>,
}

/// Relations to add, by source uid.
#[derive(Debug, Default)]
pub struct Links(HashMap<String, Vec<Relation>>);

const WORKLOAD_KINDS: &[(&str, &str)] = &[
    ("k8s.apps.deployment", "Deployment"),
    ("k8s.apps.daemonset", "DaemonSet"),
    ("k8s.apps.statefulset", "StatefulSet"),
    ("k8s.batch.job", "Job"),
    ("k8s.batch.cronjob", "CronJob"),
];

impl Linker {
    pub fn new() -> Linker {
        Linker::default()
    }

    /// Records what later relations need from `r`; any kind may be passed, others are ignored.
    pub fn observe(&mut self, r: &Resource) {
        let scope = || Some((r.account.clone(), r.attrs.get("namespace")?.as_str()?.to_string()));
        match r.kind.as_str() {
            "k8s.core.namespace" => {
                self.namespaces.insert(r.uid.clone());
            }
            "k8s.core.service_account" => {
                self.service_accounts.insert(r.uid.clone());
            }
            "k8s.core.pod" => {
                let Some(scope) = scope() else { return };
                let pod = Pod { uid: r.uid.clone(), labels: r.tags.clone(), owner: owner(r) };
                self.pods.entry(scope).or_default().push(pod);
            }
            "k8s.core.service" => {
                let sel = r.attrs.get("selector").and_then(Selector::from_map);
                if let (Some(scope), Some(sel)) = (scope(), sel) {
                    self.selectors.push((r.uid.clone(), scope, sel));
                }
            }
            "k8s.networking.network_policy" => {
                let sel = r.attrs.get("pod_selector").and_then(Selector::from_label_selector);
                if let (Some(scope), Some(sel)) = (scope(), sel) {
                    self.selectors.push((r.uid.clone(), scope, sel));
                }
                self.policies.extend(r.related("in_namespace").map(|ns| (r.uid.clone(), ns.to_string())));
            }
            "k8s.rbac.role_binding" | "k8s.rbac.cluster_role_binding" => {
                let accounts: Vec<String> = r.related("bound_to").map(str::to_string).collect();
                if !accounts.is_empty() {
                    self.bindings.push((r.uid.clone(), accounts));
                }
            }
            kind => self.observe_workload(r, kind, scope()),
        }
    }

    fn observe_workload(&mut self, r: &Resource, kind: &str, scope: Option<Scope>) {
        let Some(&(_, k8s_kind)) = WORKLOAD_KINDS.iter().find(|(c, _)| *c == kind) else { return };
        let Some(scope) = scope else { return };
        let labels = r.attrs.get("template_labels").and_then(string_map).unwrap_or_default();
        let w = Workload { uid: r.uid.clone(), kind: k8s_kind, name: r.name.clone(), labels, owner: owner(r) };
        self.workloads.entry(scope).or_default().push(w);
    }

    pub fn finish(self) -> Links {
        let mut links = Links::default();
        self.link_selectors(&mut links);
        self.link_owners(&mut links);
        for (policy, ns) in &self.policies {
            if self.namespaces.contains(ns) {
                links.add(ns, "has_network_policy", policy);
            }
        }
        for (binding, accounts) in &self.bindings {
            for sa in accounts.iter().filter(|sa| self.service_accounts.contains(*sa)) {
                links.add(sa, "bound_by", binding);
            }
        }
        links
    }

    fn link_selectors(&self, links: &mut Links) {
        for (uid, scope, sel) in &self.selectors {
            for pod in self.pods.get(scope).into_iter().flatten().filter(|p| sel.matches(&p.labels)) {
                links.add(uid, "selects", &pod.uid);
            }
            // Workloads by their template labels: in manifests there are no pods to select yet.
            for w in self.workloads.get(scope).into_iter().flatten() {
                if !w.labels.is_empty() && sel.matches(&w.labels) {
                    links.add(uid, "selects", &w.uid);
                }
            }
        }
    }

    fn link_owners(&self, links: &mut Links) {
        for (scope, pods) in &self.pods {
            let workloads = self.workloads.get(scope).map(Vec::as_slice).unwrap_or_default();
            let find = |kind: &str, name: &str| workloads.iter().find(|w| w.kind == kind && w.name == name);
            for pod in pods {
                let Some((kind, name)) = &pod.owner else { continue };
                let direct = match kind.as_str() {
                    "ReplicaSet" => find("Deployment", &deployment_of(name, &pod.labels)),
                    other => find(other, name),
                };
                let Some(w) = direct else { continue };
                links.add(&w.uid, "manages", &pod.uid);
                // A CronJob manages the pods of its Jobs.
                if let Some(cron) =
                    w.owner.as_ref().filter(|(k, _)| k == "CronJob").and_then(|(_, n)| find("CronJob", n))
                {
                    links.add(&cron.uid, "manages", &pod.uid);
                }
            }
        }
    }
}

/// A Deployment names its ReplicaSets `<deployment>-<pod-template-hash>`.
fn deployment_of(replica_set: &str, pod_labels: &BTreeMap<String, String>) -> String {
    let by_hash =
        pod_labels.get("pod-template-hash").and_then(|h| replica_set.strip_suffix(h.as_str())?.strip_suffix('-'));
    by_hash.or_else(|| replica_set.rsplit_once('-').map(|(d, _)| d)).unwrap_or(replica_set).to_string()
}

fn owner(r: &Resource) -> Option<(String, String)> {
    let o = r.attrs.get("owner")?;
    Some((o.get("kind")?.as_str()?.to_string(), o.get("name")?.as_str()?.to_string()))
}

impl Links {
    fn add(&mut self, from: &str, rel: &str, to: &str) {
        self.0.entry(from.to_string()).or_default().push(Relation { rel: rel.to_string(), target: to.to_string() });
    }

    /// Adds the relations found for `r` (sorted, without repeats).
    pub fn apply(&self, r: &mut Resource) {
        if let Some(extra) = self.0.get(&r.uid) {
            r.relations.extend(extra.iter().cloned());
            r.relations = crate::map::dedup(std::mem::take(&mut r.relations));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Both passes over resources held in memory.
pub fn link(resources: &mut [Resource]) {
    let mut linker = Linker::new();
    for r in resources.iter() {
        linker.observe(r);
    }
    let links = linker.finish();
    for r in resources.iter_mut() {
        links.apply(r);
    }
}
