//! Kustomize without kubectl: `resources` (files and directories with their own
//! kustomization), `patchesStrategicMerge` and `patches` with a path (strategic merge for the
//! common cases: maps merged, lists of named items merged by name), `namespace`, `namePrefix`,
//! `nameSuffix`, `commonLabels` and `images`. Only top-level kustomizations (that no other one
//! includes) are rendered; the files they include are not also scanned on their own. A rendered
//! object keeps the file and lines of the manifest it came from.

use crate::k8s::to_json;
use crate::yaml::{parse_all, YNode, YVal};
use crate::{Issue, SourceFile};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

pub struct Rendered {
    pub objects: Vec<Object>,
    /// Files (manifests and kustomizations) some kustomization includes.
    pub included: HashSet<String>,
}

pub struct Object {
    pub file: String,
    /// The object as the base manifest wrote it (for lines).
    pub node: YNode,
    /// The object after the kustomization's transformations.
    pub value: Value,
    /// The kustomization's directory.
    pub overlay: String,
}

const MAX_DEPTH: usize = 8;

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

pub fn render(kustomizations: &[&SourceFile], all: &[SourceFile], issues: &mut Vec<Issue>) -> Rendered {
    let by_rel: HashMap<&str, &SourceFile> = all.iter().map(|f| (f.rel.as_str(), f)).collect();
    let mut out = Rendered { objects: Vec::new(), included: HashSet::new() };
    // First pass: what each kustomization includes, to find the top-level ones.
    for k in kustomizations {
        let mut seen = HashSet::new();
        let mut sink = Vec::new();
        build(k, &by_rel, &mut seen, &mut sink, &mut Vec::new(), 0);
        out.included.extend(seen.into_iter().filter(|r| r != &k.rel));
    }
    for k in kustomizations.iter().filter(|k| !out.included.contains(&k.rel)) {
        let mut seen = HashSet::new();
        let mut objects = Vec::new();
        build(k, &by_rel, &mut seen, &mut objects, issues, 0);
        let overlay = dir_of(&k.rel).to_string();
        out.objects.extend(objects.into_iter().map(|(file, node, value)| Object { file, node, value, overlay: overlay.clone() }));
    }
    out
}

type Built = (String, YNode, Value);

fn strings(n: Option<&YNode>) -> Vec<String> {
    n.map(YNode::items).unwrap_or_default().iter().filter_map(|i| i.as_str().map(str::to_string)).collect()
}

fn build(k: &SourceFile, files: &HashMap<&str, &SourceFile>, seen: &mut HashSet<String>, out: &mut Vec<Built>, issues: &mut Vec<Issue>, depth: usize) {
    if depth > MAX_DEPTH || !seen.insert(k.rel.clone()) {
        return;
    }
    let doc = match parse_all(&k.text) {
        Ok(d) => d.into_iter().next(),
        Err(e) => {
            issues.push(Issue { file: k.rel.clone(), line: e.line, message: format!("kustomization: {}", e.message) });
            return;
        }
    };
    let Some(doc) = doc else { return };
    let dir = dir_of(&k.rel);
    let mut objects: Vec<Built> = Vec::new();
    let mut sources = strings(doc.get("resources"));
    sources.extend(strings(doc.get("bases")));
    for r in sources {
        let path = join(dir, &r);
        let kust = ["kustomization.yaml", "kustomization.yml", "Kustomization"].iter().find_map(|n| files.get(join(&path, n).as_str()));
        match (files.get(path.as_str()), kust) {
            (Some(f), _) => {
                seen.insert(f.rel.clone());
                manifest_objects(f, &mut objects, issues);
            }
            (None, Some(base)) => build(base, files, seen, &mut objects, issues, depth + 1),
            (None, None) => issues.push(Issue {
                file: k.rel.clone(),
                line: doc.get("resources").map_or(doc.line, |n| n.key_line),
                message: format!("kustomization resource '{r}' is not in the scanned files (remote bases are not fetched)"),
            }),
        }
    }
    let mut patches: Vec<String> = strings(doc.get("patchesStrategicMerge"));
    patches.extend(doc.get("patches").map(YNode::items).unwrap_or_default().iter().filter_map(|p| p.get("path").and_then(YNode::as_str).map(str::to_string)));
    for p in patches {
        let path = join(dir, &p);
        let Some(f) = files.get(path.as_str()) else {
            issues.push(Issue { file: k.rel.clone(), line: doc.line, message: format!("patch '{p}' is not in the scanned files") });
            continue;
        };
        seen.insert(f.rel.clone());
        for patch in parse_all(&f.text).unwrap_or_default().iter().map(to_json) {
            apply_patch(&mut objects, &patch);
        }
    }
    transform(&doc, &mut objects);
    out.extend(objects);
}

fn manifest_objects(f: &SourceFile, out: &mut Vec<Built>, issues: &mut Vec<Issue>) {
    match parse_all(&f.text) {
        Ok(docs) => {
            for d in docs.into_iter().filter(|d| !matches!(d.value, YVal::Null)) {
                let v = to_json(&d);
                out.push((f.rel.clone(), d, v));
            }
        }
        Err(e) => issues.push(Issue { file: f.rel.clone(), line: e.line, message: format!("Kubernetes manifest: {}", e.message) }),
    }
}

fn meta<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get("metadata").and_then(|m| m.get(key)).and_then(Value::as_str)
}

fn apply_patch(objects: &mut [Built], patch: &Value) {
    let (kind, name) = (patch.get("kind").and_then(Value::as_str), meta(patch, "name"));
    for (_, _, obj) in objects.iter_mut() {
        if obj.get("kind").and_then(Value::as_str) == kind && meta(obj, "name") == name {
            merge(obj, patch, 0);
        }
    }
}

/// Strategic merge, for the common cases: maps merge key by key, lists of maps with a `name`
/// merge item by item, any other list or value is replaced.
pub fn merge(base: &mut Value, patch: &Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, pv) in p {
                match b.get_mut(k) {
                    Some(bv) if !pv.is_null() => merge(bv, pv, depth + 1),
                    Some(_) => {
                        b.remove(k);
                    }
                    None => {
                        b.insert(k.clone(), pv.clone());
                    }
                }
            }
        }
        (Value::Array(b), Value::Array(p)) if p.iter().all(|i| i.get("name").is_some()) && b.iter().all(|i| i.get("name").is_some()) => {
            for pi in p {
                match b.iter_mut().find(|bi| bi.get("name") == pi.get("name")) {
                    Some(bi) => merge(bi, pi, depth + 1),
                    None => b.push(pi.clone()),
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn transform(doc: &YNode, objects: &mut [Built]) {
    let text = |k: &str| doc.get(k).and_then(YNode::as_str).unwrap_or_default().to_string();
    let (prefix, suffix, namespace) = (text("namePrefix"), text("nameSuffix"), text("namespace"));
    let labels: Map<String, Value> = doc.get("commonLabels").map(|l| match to_json(l) {
        Value::Object(m) => m,
        _ => Map::new(),
    }).unwrap_or_default();
    let images: Vec<Value> = doc.get("images").map(YNode::items).unwrap_or_default().iter().map(to_json).collect();
    for (_, _, obj) in objects.iter_mut() {
        let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) else { continue };
        if let Some(Value::String(n)) = m.get_mut("name") {
            *n = format!("{prefix}{n}{suffix}");
        }
        if !namespace.is_empty() {
            m.insert("namespace".into(), Value::String(namespace.clone()));
        }
        if !labels.is_empty() {
            add_labels(m, &labels);
            if let Some(spec) = obj.get_mut("spec") {
                if let Some(sel) = spec.get_mut("selector").and_then(|s| s.get_mut("matchLabels")).and_then(Value::as_object_mut) {
                    sel.extend(labels.clone());
                }
                if let Some(tm) = spec.get_mut("template").and_then(|t| t.get_mut("metadata")).and_then(Value::as_object_mut) {
                    add_labels(tm, &labels);
                }
            }
        }
        if !images.is_empty() {
            set_images(obj, &images, 0);
        }
    }
}

fn add_labels(meta: &mut Map<String, Value>, labels: &Map<String, Value>) {
    let slot = meta.entry("labels").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(l) = slot {
        l.extend(labels.clone());
    }
}

/// `images: [{name, newName, newTag, digest}]` on every container and init container.
fn set_images(v: &mut Value, images: &[Value], depth: usize) {
    if depth > 32 {
        return;
    }
    match v {
        Value::Object(m) => {
            if let Some(Value::String(img)) = m.get("image").cloned().as_ref() {
                if m.contains_key("name") {
                    m.insert("image".into(), Value::String(rewrite_image(img, images)));
                }
            }
            for (_, x) in m.iter_mut() {
                set_images(x, images, depth + 1);
            }
        }
        Value::Array(items) => {
            for x in items {
                set_images(x, images, depth + 1);
            }
        }
        _ => {}
    }
}

fn rewrite_image(img: &str, images: &[Value]) -> String {
    let (repo, rest) = match img.find('@') {
        Some(i) => (&img[..i], &img[i..]),
        None => match img.rfind(':').filter(|&i| !img[i..].contains('/')) {
            Some(i) => (&img[..i], &img[i..]),
            None => (img, ""),
        },
    };
    let Some(rule) = images.iter().find(|r| r.get("name").and_then(Value::as_str) == Some(repo)) else { return img.to_string() };
    let s = |k: &str| rule.get(k).and_then(Value::as_str);
    let name = s("newName").unwrap_or(repo);
    match (s("digest"), s("newTag")) {
        (Some(d), _) => format!("{name}@{d}"),
        (None, Some(t)) => format!("{name}:{t}"),
        (None, None) => format!("{name}{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_and_images() {
        let mut base = json!({"spec": {"containers": [{"name": "app", "image": "a:1", "env": [{"name": "X", "value": "1"}]}]}});
        merge(&mut base, &json!({"spec": {"containers": [{"name": "app", "securityContext": {"privileged": false}}, {"name": "new", "image": "b"}]}}), 0);
        assert_eq!(base["spec"]["containers"][0]["securityContext"]["privileged"], false);
        assert_eq!(base["spec"]["containers"][0]["image"], "a:1");
        assert_eq!(base["spec"]["containers"][1]["name"], "new");
        assert_eq!(rewrite_image("nginx:1.0", &[json!({"name": "nginx", "newTag": "1.27"})]), "nginx:1.27");
        assert_eq!(rewrite_image("reg:5000/app", &[json!({"name": "reg:5000/app", "digest": "sha256:ab"})]), "reg:5000/app@sha256:ab");
        assert_eq!(join("overlays/prod", "../../base"), "base");
    }
}
