//! Kubernetes manifests (multi-document YAML or JSON) through `posture-collect-k8s`'s mapping of
//! API objects, so manifests land in the same `k8s.*` kinds as the live cluster. Cross-object
//! relations come from its linker; uids become `iac:<file>#<Kind>/<namespace>/<name>`; per-attribute
//! lines are found by matching each canonical path (snake case) to the manifest's (camel case).

use crate::kustomize::tree::{paths, Node, PathAt};
use crate::yaml::{parse_all, YNode, YVal};
use crate::{Issue, Located, SourceFile};
use std::sync::Arc;
use posture_collect_k8s::{link, map_object_with, MapContext};
use posture_model::Origin;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// A YAML or JSON text that holds Kubernetes objects (and is not a kustomization).
pub fn is_manifest(text: &str) -> bool {
    text.contains("apiVersion") && text.contains("kind") && !text.contains("kind: Kustomization") && !text.contains("kind: Component")
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
        let file: Arc<str> = Arc::from(f.rel.as_str());
        for doc in docs.iter().filter(|d| !matches!(d.value, YVal::Null)) {
            if let Err(message) = map_doc(&f.rel, &Node::from_yaml(doc, &file), "", account, &mut out) {
                issues.push(Issue { file: f.rel.clone(), line: doc.line, message });
            }
        }
    }
    for o in &rendered.objects {
        if let Err(message) = map_doc(&o.file, &o.root, &o.overlay, account, &mut out) {
            issues.push(Issue { file: o.file.clone(), line: o.root.line, message });
        }
    }
    finish(&mut out);
    (out, issues)
}

/// Maps one object of `file` (its base manifest, for a rendered object); every node of `doc`
/// carries the file and line that wrote it. `overlay` names the kustomization that rendered it.
fn map_doc(file: &str, doc: &Node, overlay: &str, account: &str, out: &mut Vec<Located>) -> Result<(), String> {
    let origin = Origin::Iac { file: file.to_string(), line: doc.line, address: String::new(), lines: BTreeMap::new() };
    let ctx = MapContext { cluster: account, origin: &origin, default_namespace: Some("default") };
    let resources = map_object_with(&ctx, &doc.to_json()).map_err(|e| format!("Kubernetes object: {e}"))?;
    let mut index = Vec::new();
    paths(doc, String::new(), &mut index);
    for mut r in resources {
        let tail = r.uid.strip_prefix(&format!("{account}/")).unwrap_or(&r.uid).to_string();
        let address = if overlay.is_empty() { tail } else { format!("{overlay}:{tail}") };
        let mut lines = BTreeMap::new();
        let attrs = Value::Object(std::mem::take(&mut r.attrs));
        attr_lines(&attrs, "attrs".into(), (file, index.as_slice()), &mut lines);
        if let Value::Object(m) = attrs {
            r.attrs = m;
        }
        r.origin = Some(Origin::Iac { file: file.to_string(), line: doc.line, address, lines });
        out.push(Located { resource: r, file: file.to_string(), start: doc.line, end: doc.last_line_in(file), spans: doc.spans_outside(file) });
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
/// such manifest path, so pod-level settings do not take a container's line). A line in another
/// file than the resource's (a kustomize patch) is recorded as `path@file`
/// ([`crate::lines::location_for_evidence`]).
fn attr_lines(v: &Value, path: String, at: (&str, &[PathAt]), out: &mut BTreeMap<String, u32>) {
    let (file, index) = at;
    if path != "attrs" {
        let rel = path.strip_prefix("attrs.").unwrap_or(&path);
        let want: String = rel.split('.').map(camel).collect::<Vec<_>>().join(".");
        let hit = index
            .iter()
            .filter(|(p, _, _)| p == &want || p.ends_with(&format!(".{want}")))
            .min_by_key(|(p, _, _)| p.len());
        match hit {
            Some((_, f, line)) if &**f == file => {
                out.insert(path.clone(), *line);
            }
            Some((_, f, line)) => {
                out.insert(format!("{path}@{f}"), *line);
            }
            None => return,
        }
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                attr_lines(x, format!("{path}.{k}"), at, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                attr_lines(x, format!("{path}[{i}]"), at, out);
            }
        }
        _ => {}
    }
}
