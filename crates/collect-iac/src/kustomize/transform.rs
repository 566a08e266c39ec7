//! The kustomization's transformations: `namePrefix`, `nameSuffix` (with the references to the
//! renamed objects, [`super::names`]), `namespace` (not on
//! cluster-scoped kinds), `commonLabels` (also selectors and pod templates) and `images`
//! (`newName`, `newTag`, `digest`). A value a transformation sets points at the
//! kustomization's line that set it.

use super::tree::{Node, Val};
use super::Obj;
use crate::yaml::YNode;
use serde_json::Value;
use std::sync::Arc;

const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "StorageClass",
    "CustomResourceDefinition",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "PodSecurityPolicy",
    "IngressClass",
    "RuntimeClass",
];

pub fn apply(doc: &YNode, file: &Arc<str>, objects: &mut [Obj]) {
    let text = |k: &str| doc.get(k).and_then(YNode::as_str).unwrap_or_default().to_string();
    let (prefix, suffix) = (text("namePrefix"), text("nameSuffix"));
    let namespace = doc.get("namespace").and_then(|n| Some((n.as_str()?.to_string(), n.key_line.max(n.line))));
    let labels: Vec<(String, Node)> = doc.get("commonLabels").map(YNode::entries).unwrap_or_default().iter().map(|(k, v)| (k.clone(), Node::from_yaml(v, file))).collect();
    let images: Vec<&YNode> = doc.get("images").map(YNode::items).unwrap_or_default().iter().collect();
    let mut renamed = super::names::Renamed::new();
    for o in objects.iter_mut() {
        let kind = o.root.kind().unwrap_or_default().to_string();
        let cluster_scoped = o.root.kind().is_some_and(|k| CLUSTER_SCOPED.contains(&k));
        let Some(meta) = o.root.map_at("metadata") else { continue };
        if let Some(Val::Leaf(Value::String(n))) = meta.get_mut("name").map(|n| &mut n.v) {
            let new = format!("{prefix}{n}{suffix}");
            if &new != n {
                renamed.insert((kind, n.clone()), new.clone());
            }
            *n = new;
        }
        if let (Some((ns, line)), false) = (&namespace, cluster_scoped) {
            meta.set("namespace", Node { file: file.clone(), line: *line, v: Val::Leaf(Value::String(ns.clone())) });
        }
        if !labels.is_empty() {
            add_labels(meta, &labels);
            add_selector_labels(&mut o.root, &labels);
        }
        if !images.is_empty() {
            set_images(&mut o.root, &images, file, 0);
        }
    }
    super::names::rewrite(objects, &renamed);
}

fn add_labels(meta: &mut Node, labels: &[(String, Node)]) {
    if let Some(l) = meta.map_at("labels") {
        for (k, v) in labels {
            l.set(k, v.clone());
        }
    }
}

fn add_selector_labels(root: &mut Node, labels: &[(String, Node)]) {
    let Some(spec) = root.get_mut("spec") else { return };
    if let Some(sel) = spec.get_mut("selector").and_then(|s| s.get_mut("matchLabels")) {
        for (k, v) in labels {
            sel.set(k, v.clone());
        }
    }
    if let Some(tm) = spec.get_mut("template").and_then(|t| t.map_at("metadata")) {
        add_labels(tm, labels);
    }
}

/// Every `image` of a named container (or init container) that an `images` entry rewrites.
fn set_images(n: &mut Node, images: &[&YNode], file: &Arc<str>, depth: usize) {
    if depth > 32 {
        return;
    }
    if n.get("name").is_some() {
        let rewritten = n.get("image").and_then(Node::str).and_then(|img| rewrite_image(img, images));
        if let Some((img, line)) = rewritten {
            n.set("image", Node { file: file.clone(), line, v: Val::Leaf(Value::String(img)) });
        }
    }
    match &mut n.v {
        Val::Map(m) => m.iter_mut().for_each(|(_, x)| set_images(x, images, file, depth + 1)),
        Val::Seq(items) => items.iter_mut().for_each(|x| set_images(x, images, file, depth + 1)),
        Val::Leaf(_) => {}
    }
}

/// The rewritten image and the line of the `images` entry, if one names this image.
pub fn rewrite_image(img: &str, images: &[&YNode]) -> Option<(String, u32)> {
    let (repo, rest) = match img.find('@') {
        Some(i) => (&img[..i], &img[i..]),
        None => match img.rfind(':').filter(|&i| !img[i..].contains('/')) {
            Some(i) => (&img[..i], &img[i..]),
            None => (img, ""),
        },
    };
    let rule = images.iter().find(|r| r.get("name").and_then(YNode::as_str) == Some(repo))?;
    let s = |k: &str| rule.get(k).and_then(YNode::as_str);
    let name = s("newName").unwrap_or(repo);
    let out = match (s("digest"), s("newTag").map(str::to_string).or_else(|| rule.get("newTag").map(|t| crate::k8s::to_json(t).to_string()))) {
        (Some(d), _) => format!("{name}@{d}"),
        (None, Some(t)) => format!("{name}:{t}"),
        (None, None) => format!("{name}{rest}"),
    };
    Some((out, rule.line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_images() {
        let docs = crate::yaml::parse_all("- name: nginx\n  newTag: \"1.27\"\n- name: reg:5000/app\n  digest: sha256:ab\n").unwrap();
        let rules: Vec<&YNode> = docs[0].items().iter().collect();
        assert_eq!(rewrite_image("nginx:1.0", &rules), Some(("nginx:1.27".to_string(), 1)));
        assert_eq!(rewrite_image("reg:5000/app", &rules), Some(("reg:5000/app@sha256:ab".to_string(), 3)));
        assert_eq!(rewrite_image("other:1", &rules), None);
    }
}
