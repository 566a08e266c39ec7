//! `configMapGenerator` and `secretGenerator`: one ConfigMap or Secret per entry, from
//! `literals`, `files` and `envs`, at the entry's line of the kustomization. A generated Secret
//! keeps its key names only: its values are never read or kept. Names carry no content hash.

use super::tree::{Node, Val};
use super::{join, Obj};
use crate::yaml::YNode;
use crate::SourceFile;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The objects the kustomization's generators produce, merged into `objects` as their
/// `behavior` says (`create`, the default, adds; `merge` and `replace` change an existing one).
pub fn run(doc: &YNode, k: &SourceFile, files: &HashMap<&str, &SourceFile>, objects: &mut Vec<Obj>) {
    let file: Arc<str> = Arc::from(k.rel.as_str());
    let dir = super::dir_of(&k.rel);
    for (field, secret) in [("configMapGenerator", false), ("secretGenerator", true)] {
        for entry in doc.get(field).map(YNode::items).unwrap_or_default() {
            let Some(name) = entry.get("name").and_then(YNode::as_str) else { continue };
            let data = entries(entry, dir, files, secret, &file);
            let made = object(entry, name, secret, data, &file);
            let behavior = entry.get("behavior").and_then(YNode::as_str).unwrap_or("create");
            let kind = if secret { "Secret" } else { "ConfigMap" };
            let existing = objects.iter_mut().find(|o| o.root.kind() == Some(kind) && o.root.meta("name") == Some(name));
            match (behavior, existing) {
                ("merge", Some(o)) => super::merge::merge(&mut o.root, &made, 0),
                ("replace", Some(o)) => *o = Obj { file: k.rel.clone(), root: made },
                _ => objects.push(Obj { file: k.rel.clone(), root: made }),
            }
        }
    }
}

fn object(entry: &YNode, name: &str, secret: bool, data: Vec<(String, Node)>, file: &Arc<str>) -> Node {
    let line = entry.line;
    let mut meta = json!({"name": name});
    if let Some(ns) = entry.get("namespace").and_then(YNode::as_str) {
        meta["namespace"] = json!(ns);
    }
    let head = if secret {
        let t = entry.get("type").and_then(YNode::as_str).unwrap_or("Opaque");
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": t})
    } else {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta})
    };
    let mut root = Node::from_json(&head, file, line);
    root.set("data", Node { file: file.clone(), line, v: Val::Map(data) });
    root
}

/// `(key, value)` of every literal, file and env entry; a Secret's values are empty.
fn entries(entry: &YNode, dir: &str, files: &HashMap<&str, &SourceFile>, secret: bool, file: &Arc<str>) -> Vec<(String, Node)> {
    let mut out: Vec<(String, Node)> = Vec::new();
    let mut put = |key: &str, value: Option<&str>, line: u32| {
        let v = if secret { Some("") } else { value };
        if let (false, Some(v)) = (key.is_empty(), v) {
            out.retain(|(k, _)| k != key);
            out.push((key.to_string(), Node { file: file.clone(), line, v: Val::Leaf(Value::String(v.to_string())) }));
        }
    };
    for l in entry.get("literals").map(YNode::items).unwrap_or_default() {
        if let Some((k, v)) = l.as_str().and_then(|s| s.split_once('=')) {
            put(k.trim(), Some(v), l.line);
        }
    }
    for f in entry.get("files").map(YNode::items).unwrap_or_default() {
        let Some(spec) = f.as_str() else { continue };
        let (key, path) = spec.split_once('=').unwrap_or((spec.rsplit('/').next().unwrap_or(spec), spec));
        let text = files.get(join(dir, path).as_str()).map(|s| s.text.as_str());
        put(key, text, f.line);
    }
    let mut envs: Vec<&YNode> = entry.get("envs").map(YNode::items).unwrap_or_default().iter().collect();
    envs.extend(entry.get("env"));
    for e in envs {
        let Some(src) = e.as_str().and_then(|p| files.get(join(dir, p).as_str())) else { continue };
        for line in src.text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            put(k.trim(), Some(v), e.line);
        }
    }
    out
}
