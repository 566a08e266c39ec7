//! Name references follow `namePrefix`/`nameSuffix`, as kustomize's name reference transformer
//! does for the common fields: a pod's service account, ConfigMaps and Secrets (volumes,
//! `envFrom`, `env[].valueFrom`, image pull secrets), claims; a binding's role and service
//! account subjects; an Ingress backend's Service. Only objects the same kustomization renamed
//! are followed; a rewritten reference keeps the line that wrote it.

use super::tree::{Node, Val};
use super::Obj;
use serde_json::Value;
use std::collections::HashMap;

/// (kind, old name) → new name.
pub type Renamed = HashMap<(String, String), String>;

/// Where a pod spec sits in each workload kind.
const POD_SPECS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template", "spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
];

/// References inside a pod spec: (kind referred to, path; `*` is every list item).
const POD_REFS: &[(&str, &[&str])] = &[
    ("ServiceAccount", &["serviceAccountName"]),
    ("ConfigMap", &["volumes", "*", "configMap", "name"]),
    ("Secret", &["volumes", "*", "secret", "secretName"]),
    ("PersistentVolumeClaim", &["volumes", "*", "persistentVolumeClaim", "claimName"]),
    ("Secret", &["imagePullSecrets", "*", "name"]),
    ("ConfigMap", &["containers", "*", "envFrom", "*", "configMapRef", "name"]),
    ("Secret", &["containers", "*", "envFrom", "*", "secretRef", "name"]),
    ("ConfigMap", &["containers", "*", "env", "*", "valueFrom", "configMapKeyRef", "name"]),
    ("Secret", &["containers", "*", "env", "*", "valueFrom", "secretKeyRef", "name"]),
    ("ConfigMap", &["initContainers", "*", "envFrom", "*", "configMapRef", "name"]),
    ("Secret", &["initContainers", "*", "envFrom", "*", "secretRef", "name"]),
];

pub fn rewrite(objects: &mut [Obj], renamed: &Renamed) {
    if renamed.is_empty() {
        return;
    }
    for o in objects.iter_mut() {
        let kind = o.root.kind().unwrap_or_default().to_string();
        if let Some((_, spec)) = POD_SPECS.iter().find(|(k, _)| *k == kind) {
            for (target, path) in POD_REFS {
                let full: Vec<&str> = spec.iter().chain(path.iter()).copied().collect();
                each_at(&mut o.root, &full, &mut |n| rename(n, target, renamed), 0);
            }
        }
        match kind.as_str() {
            "RoleBinding" | "ClusterRoleBinding" => bindings(&mut o.root, renamed),
            "Ingress" => {
                let mut f = |n: &mut Node| rename(n, "Service", renamed);
                each_at(&mut o.root, &["spec", "defaultBackend", "service", "name"], &mut f, 0);
                each_at(&mut o.root, &["spec", "rules", "*", "http", "paths", "*", "backend", "service", "name"], &mut f, 0);
            }
            _ => {}
        }
    }
}

fn bindings(root: &mut Node, renamed: &Renamed) {
    let role_kind = root.get("roleRef").and_then(|r| r.get("kind")).and_then(Node::str).unwrap_or("Role").to_string();
    each_at(root, &["roleRef", "name"], &mut |n| rename(n, &role_kind, renamed), 0);
    let Some(Val::Seq(subjects)) = root.get_mut("subjects").map(|s| &mut s.v) else { return };
    for s in subjects.iter_mut().filter(|s| s.get("kind").and_then(Node::str) == Some("ServiceAccount")) {
        each_at(s, &["name"], &mut |n| rename(n, "ServiceAccount", renamed), 0);
    }
}

fn rename(n: &mut Node, kind: &str, renamed: &Renamed) {
    if let Val::Leaf(Value::String(name)) = &mut n.v {
        if let Some(new) = renamed.get(&(kind.to_string(), name.clone())) {
            *name = new.clone();
        }
    }
}

/// Calls `f` on every node at `path` (`*` steps into each list item).
fn each_at(n: &mut Node, path: &[&str], f: &mut dyn FnMut(&mut Node), depth: usize) {
    let Some((first, rest)) = path.split_first() else { return f(n) };
    if depth > 32 {
        return;
    }
    if *first == "*" {
        if let Val::Seq(items) = &mut n.v {
            items.iter_mut().for_each(|i| each_at(i, rest, f, depth + 1));
        }
    } else if let Some(child) = n.get_mut(first) {
        each_at(child, rest, f, depth + 1);
    }
}
