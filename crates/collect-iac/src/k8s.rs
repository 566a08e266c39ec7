//! Kubernetes manifests (multi-document YAML or JSON) through `posture-collect-k8s`'s mapping of
//! API objects, so manifests land in the same `k8s.*` kinds as the live cluster. Cross-object
//! relations come from its linker; uids become `iac:<file>#<Kind>/<namespace>/<name>`; per-attribute
//! lines are found by matching each canonical path (snake case) to the manifest's (camel case).

use crate::yaml::{parse_all, YNode, YVal};
use crate::{Issue, Located, SourceFile};
use posture_collect_k8s::{link, map_object_with, MapContext};
use posture_model::Origin;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// A YAML or JSON text that holds Kubernetes objects (and is not a kustomization).
pub fn is_manifest(text: &str) -> bool {
    text.contains("apiVersion") && text.contains("kind") && !text.contains("kind: Kustomization")
}

pub fn is_kustomization(rel: &str) -> bool {
    matches!(rel.rsplit('/').next(), Some("kustomization.yaml" | "kustomization.yml" | "Kustomization"))
}

/// Maps `manifests` (files no kustomization includes) and renders every top-level
/// kustomization among `kustomizations`.
pub fn scan(manifests: &[&SourceFile], kustomizations: &[&SourceFile], all: &[SourceFile], account: &str) -> (Vec<Located>, Vec<Issue>) {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    let rendered = crate::kustomize::render(kustomizations, all, &mut issues);
    let included: std::collections::HashSet<&str> = rendered.included.iter().map(String::as_str).collect();
    for f in manifests.iter().filter(|f| !included.contains(f.rel.as_str())) {
        let docs = match parse_all(&f.text) {
            Ok(d) => d,
            Err(e) => {
                issues.push(Issue { file: f.rel.clone(), line: e.line, message: format!("Kubernetes manifest: {}", e.message) });
                continue;
            }
        };
        for doc in docs.iter().filter(|d| !matches!(d.value, YVal::Null)) {
            if let Err(message) = map_doc(&f.rel, doc, &to_json(doc), "", account, &mut out) {
                issues.push(Issue { file: f.rel.clone(), line: doc.line, message });
            }
        }
    }
    for o in &rendered.objects {
        if let Err(message) = map_doc(&o.file, &o.node, &o.value, &o.overlay, account, &mut out) {
            issues.push(Issue { file: o.file.clone(), line: o.node.line, message });
        }
    }
    finish(&mut out);
    (out, issues)
}

/// Maps one object. `doc` gives the lines (the base manifest's, for a rendered object); `obj`
/// the content; `overlay` names the kustomization that rendered it, if any.
fn map_doc(file: &str, doc: &YNode, obj: &Value, overlay: &str, account: &str, out: &mut Vec<Located>) -> Result<(), String> {
    let origin = Origin::Iac { file: file.to_string(), line: doc.line, address: String::new(), lines: BTreeMap::new() };
    let ctx = MapContext { cluster: account, origin: &origin, default_namespace: Some("default") };
    let resources = map_object_with(&ctx, obj).map_err(|e| format!("Kubernetes object: {e}"))?;
    let mut index = Vec::new();
    paths(doc, String::new(), &mut index);
    for mut r in resources {
        let tail = r.uid.strip_prefix(&format!("{account}/")).unwrap_or(&r.uid).to_string();
        let address = if overlay.is_empty() { tail } else { format!("{overlay}:{tail}") };
        let mut lines = BTreeMap::new();
        let attrs = Value::Object(std::mem::take(&mut r.attrs));
        attr_lines(&attrs, "attrs".into(), &index, &mut lines);
        if let Value::Object(m) = attrs {
            r.attrs = m;
        }
        r.origin = Some(Origin::Iac { file: file.to_string(), line: doc.line, address, lines });
        out.push(Located { resource: r, file: file.to_string(), start: doc.line, end: last_line(doc) });
    }
    Ok(())
}

/// Links across every manifest of the scan, then gives resources and relation targets IaC uids.
fn finish(out: &mut [Located]) {
    let mut resources: Vec<posture_model::Resource> = out.iter().map(|l| l.resource.clone()).collect();
    link(&mut resources);
    let renamed: HashMap<String, String> = resources
        .iter()
        .filter_map(|r| match &r.origin {
            Some(Origin::Iac { file, address, .. }) => Some((r.uid.clone(), format!("iac:{file}#{address}"))),
            _ => None,
        })
        .collect();
    for (l, mut r) in out.iter_mut().zip(resources) {
        if let Some(u) = renamed.get(&r.uid) {
            r.uid = u.clone();
        }
        for rel in &mut r.relations {
            if let Some(u) = renamed.get(&rel.target) {
                rel.target = u.clone();
            }
        }
        l.resource = r;
    }
}

pub(crate) fn to_json(n: &YNode) -> Value {
    match &n.value {
        YVal::Null => Value::Null,
        YVal::Bool(b) => Value::Bool(*b),
        YVal::Num(x) => crate::hcl::value::num_json(*x),
        YVal::Str(s) => Value::String(s.clone()),
        YVal::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        YVal::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect::<Map<_, _>>()),
    }
}

fn last_line(n: &YNode) -> u32 {
    let inner = match &n.value {
        YVal::Map(m) => m.iter().map(|(_, v)| last_line(v)).max().unwrap_or(0),
        YVal::Seq(s) => s.iter().map(last_line).max().unwrap_or(0),
        _ => 0,
    };
    inner.max(n.line)
}

/// Every path of the manifest (`spec.template.spec.containers[0].securityContext`) with its line.
fn paths(n: &YNode, prefix: String, out: &mut Vec<(String, u32)>) {
    if out.len() > 100_000 {
        return;
    }
    match &n.value {
        YVal::Map(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                out.push((p.clone(), v.key_line.max(v.line)));
                paths(v, p, out);
            }
        }
        YVal::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{prefix}[{i}]");
                out.push((p.clone(), v.line));
                paths(v, p, out);
            }
        }
        _ => {}
    }
}

fn camel(seg: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in seg.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Lines of canonical attribute paths whose camel-case form ends a manifest path (the shortest
/// such manifest path, so pod-level settings do not take a container's line).
fn attr_lines(v: &Value, path: String, index: &[(String, u32)], out: &mut BTreeMap<String, u32>) {
    if path != "attrs" {
        let rel = path.strip_prefix("attrs.").unwrap_or(&path);
        let want: String = rel.split('.').map(camel).collect::<Vec<_>>().join(".");
        let hit = index
            .iter()
            .filter(|(p, _)| p == &want || p.ends_with(&format!(".{want}")))
            .min_by_key(|(p, _)| p.len());
        match hit {
            Some((_, line)) => {
                out.insert(path.clone(), *line);
            }
            None => return,
        }
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                attr_lines(x, format!("{path}.{k}"), index, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                attr_lines(x, format!("{path}[{i}]"), index, out);
            }
        }
        _ => {}
    }
}
