//! Strategic merge patches, for the cases manifests use: maps merge key by key (`null` removes
//! a key), lists of objects merge item by item on their merge key (`name`, or `mountPath`,
//! `containerPort`, `devicePath`), `$patch: delete` removes a list item (or, at the top, the
//! object), `$patch: replace` replaces instead of merging; any other value is replaced. Patched
//! nodes keep the patch's file and line.

use super::tree::{Node, Val};
use serde_json::Value;

const MAX_DEPTH: usize = 64;
const MERGE_KEYS: &[&str] = &["name", "mountPath", "containerPort", "devicePath"];

/// The `$patch` directive of a mapping node.
pub fn directive(n: &Node) -> Option<&str> {
    n.get("$patch").and_then(Node::str)
}

pub fn merge(base: &mut Node, patch: &Node, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if directive(patch) == Some("replace") {
        *base = strip(patch);
        return;
    }
    match (&mut base.v, &patch.v) {
        (Val::Map(b), Val::Map(p)) => {
            for (k, pv) in p.iter().filter(|(k, _)| !k.starts_with('$')) {
                let at = b.iter().position(|(bk, _)| bk == k);
                match (at, &pv.v) {
                    (Some(i), Val::Leaf(Value::Null)) => {
                        b.remove(i);
                    }
                    (Some(i), _) => merge(&mut b[i].1, pv, depth + 1),
                    (None, Val::Leaf(Value::Null)) => {}
                    (None, _) => b.push((k.clone(), strip(pv))),
                }
            }
        }
        (Val::Seq(b), Val::Seq(p)) => match merge_key(b, p) {
            Some(key) => merge_list(b, p, key, depth),
            None => *base = strip(patch),
        },
        _ => *base = strip(patch),
    }
}

/// The key both lists' objects all carry, if any: such lists merge item by item.
fn merge_key(b: &[Node], p: &[Node]) -> Option<&'static str> {
    MERGE_KEYS.iter().copied().find(|k| {
        !p.is_empty() && p.iter().chain(b).all(|i| matches!(i.get(k).map(|x| &x.v), Some(Val::Leaf(v)) if !v.is_null()))
    })
}

fn merge_list(b: &mut Vec<Node>, p: &[Node], key: &str, depth: usize) {
    for pi in p {
        let id = pi.get(key).map(Node::to_json);
        let at = b.iter().position(|bi| bi.get(key).map(Node::to_json) == id);
        match (at, directive(pi)) {
            (Some(i), Some("delete")) => {
                b.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), _) => merge(&mut b[i], pi, depth + 1),
            (None, _) => b.push(strip(pi)),
        }
    }
}

/// The node without `$…` directives.
pub fn strip(n: &Node) -> Node {
    let v = match &n.v {
        Val::Map(m) => Val::Map(m.iter().filter(|(k, _)| !k.starts_with('$')).map(|(k, x)| (k.clone(), strip(x))).collect()),
        Val::Seq(items) => Val::Seq(items.iter().map(strip).collect()),
        leaf => leaf.clone(),
    };
    Node { file: n.file.clone(), line: n.line, v }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn node(text: &str, file: &str) -> Node {
        let docs = crate::yaml::parse_all(text).unwrap();
        Node::from_yaml(&docs[0], &Arc::from(file))
    }

    #[test]
    fn merges_by_name_deletes_and_keeps_patch_lines() {
        let mut base = node("spec:\n  containers:\n    - name: app\n      image: a:1\n      privileged: true\n    - name: side\n      image: s\n  volumes:\n    - name: v\n", "base.yaml");
        let patch = node("spec:\n  containers:\n    - name: app\n      privileged: false\n    - name: side\n      $patch: delete\n  volumes: null\n", "patch.yaml");
        merge(&mut base, &patch, 0);
        let c = &base.to_json()["spec"]["containers"];
        assert_eq!(c.as_array().map(Vec::len), Some(1));
        assert_eq!(c[0]["privileged"], false);
        assert_eq!(c[0]["image"], "a:1");
        assert!(base.to_json()["spec"].get("volumes").is_none());
        let p = base.get("spec").and_then(|s| s.get("containers")).map(|c| match &c.v {
            Val::Seq(items) => items[0].get("privileged").map(|x| (x.file.to_string(), x.line)),
            _ => None,
        });
        assert_eq!(p, Some(Some(("patch.yaml".to_string(), 4))));
    }
}
