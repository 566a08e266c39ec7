//! A Kubernetes object as a tree whose every node remembers the file and line that wrote it, so
//! that after patches and transformations each field still points at the manifest, patch or
//! kustomization that set it.

use crate::yaml::{YNode, YVal};
use serde_json::{Map, Value};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub file: Arc<str>,
    pub line: u32,
    pub v: Val,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Leaf(Value),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

const MAX_DEPTH: usize = 128;

impl Node {
    /// A YAML node of `file`; a mapping value takes its key's line.
    pub fn from_yaml(n: &YNode, file: &Arc<str>) -> Node {
        Self::from_yaml_at(n, file, 0, 0)
    }

    /// As [`Node::from_yaml`], with every line moved by `offset` (a patch inside a block scalar).
    pub fn from_yaml_at(n: &YNode, file: &Arc<str>, offset: u32, depth: usize) -> Node {
        let line = n.key_line.max(n.line) + offset;
        let v = if depth > MAX_DEPTH {
            Val::Leaf(Value::Null)
        } else {
            match &n.value {
                YVal::Seq(items) => Val::Seq(items.iter().map(|i| Self::from_yaml_at(i, file, offset, depth + 1)).collect()),
                YVal::Map(m) => Val::Map(m.iter().map(|(k, x)| (k.clone(), Self::from_yaml_at(x, file, offset, depth + 1))).collect()),
                _ => Val::Leaf(crate::k8s::to_json(n)),
            }
        };
        Node { file: file.clone(), line, v }
    }

    /// A value written by `file` at `line` (every node of it at that line).
    pub fn from_json(v: &Value, file: &Arc<str>, line: u32) -> Node {
        let v = match v {
            Value::Array(items) => Val::Seq(items.iter().map(|i| Self::from_json(i, file, line)).collect()),
            Value::Object(m) => Val::Map(m.iter().map(|(k, x)| (k.clone(), Self::from_json(x, file, line))).collect()),
            other => Val::Leaf(other.clone()),
        };
        Node { file: file.clone(), line, v }
    }

    pub fn to_json(&self) -> Value {
        match &self.v {
            Val::Leaf(v) => v.clone(),
            Val::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Val::Map(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), x.to_json())).collect::<Map<_, _>>()),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.v {
            Val::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, x)| x),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.v {
            Val::Map(m) => m.iter_mut().find(|(k, _)| k == key).map(|(_, x)| x),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match &self.v {
            Val::Leaf(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// Sets `key` of a mapping (replacing or appending); no effect on other nodes.
    pub fn set(&mut self, key: &str, value: Node) {
        if let Val::Map(m) = &mut self.v {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, x)) => *x = value,
                None => m.push((key.to_string(), value)),
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        match &mut self.v {
            Val::Map(m) => m.iter().position(|(k, _)| k == key).map(|i| m.remove(i).1),
            _ => None,
        }
    }

    /// The mapping at `key`, created (at this node's file and line) when absent or not a
    /// mapping; `None` when this node is not a mapping.
    pub fn map_at(&mut self, key: &str) -> Option<&mut Node> {
        if !matches!(self.get(key).map(|n| &n.v), Some(Val::Map(_))) {
            let fresh = Node { file: self.file.clone(), line: self.line, v: Val::Map(Vec::new()) };
            self.set(key, fresh);
        }
        self.get_mut(key)
    }

    /// `metadata.<key>` as text.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.get("metadata").and_then(|m| m.get(key)).and_then(Node::str)
    }

    pub fn kind(&self) -> Option<&str> {
        self.get("kind").and_then(Node::str)
    }

    /// (file, first line, last line) of the nodes other files than `file` wrote, except
    /// kustomizations (their `namespace` or `images` lines touch every object).
    pub fn spans_outside(&self, file: &str) -> Vec<(String, u32, u32)> {
        let mut spans: std::collections::BTreeMap<&str, (u32, u32)> = std::collections::BTreeMap::new();
        self.visit(&mut |n| {
            if &*n.file != file && !crate::k8s::is_kustomization(&n.file) {
                let e = spans.entry(&*n.file).or_insert((n.line, n.line));
                *e = (e.0.min(n.line), e.1.max(n.line));
            }
        });
        spans.into_iter().map(|(f, (a, b))| (f.to_string(), a, b)).collect()
    }

    fn visit<'s>(&'s self, f: &mut dyn FnMut(&'s Node)) {
        f(self);
        match &self.v {
            Val::Leaf(_) => {}
            Val::Seq(items) => items.iter().for_each(|i| i.visit(f)),
            Val::Map(m) => m.iter().for_each(|(_, x)| x.visit(f)),
        }
    }

    /// The last line of `file` this tree holds (the end of a resource for suppressions).
    pub fn last_line_in(&self, file: &str) -> u32 {
        let own = if &*self.file == file { self.line } else { 0 };
        let inner = match &self.v {
            Val::Leaf(_) => 0,
            Val::Seq(items) => items.iter().map(|i| i.last_line_in(file)).max().unwrap_or(0),
            Val::Map(m) => m.iter().map(|(_, x)| x.last_line_in(file)).max().unwrap_or(0),
        };
        own.max(inner)
    }
}

/// A path of a tree with the file and line that wrote it.
pub type PathAt = (String, Arc<str>, u32);

/// Every path of the tree (`spec.template.spec.containers[0].securityContext`) with the file
/// and line that wrote it.
pub fn paths(n: &Node, prefix: String, out: &mut Vec<PathAt>) {
    if out.len() > 100_000 {
        return;
    }
    match &n.v {
        Val::Map(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                out.push((p.clone(), x.file.clone(), x.line));
                paths(x, p, out);
            }
        }
        Val::Seq(items) => {
            for (i, x) in items.iter().enumerate() {
                let p = format!("{prefix}[{i}]");
                out.push((p.clone(), x.file.clone(), x.line));
                paths(x, p, out);
            }
        }
        Val::Leaf(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_file_and_line_per_node() {
        let docs = crate::yaml::parse_all("kind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: c\n").unwrap();
        let f: Arc<str> = Arc::from("p.yaml");
        let n = Node::from_yaml(&docs[0], &f);
        assert_eq!(n.meta("name"), Some("a"));
        let mut out = Vec::new();
        paths(&n, String::new(), &mut out);
        assert!(out.contains(&("spec.containers[0].name".to_string(), f.clone(), 6)), "{out:?}");
        assert_eq!(n.last_line_in("p.yaml"), 6);
        assert_eq!(n.to_json()["spec"]["containers"][0]["name"], "c");
    }
}
