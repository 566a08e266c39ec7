//! RFC 6902 JSON patches on one object: `add`, `remove`, `replace`, `copy`, `move` (`test` is
//! not evaluated). Added and replaced values keep the patch's file and line.

use super::tree::{Node, Val};

/// One operation: what it does, where, and the line that wrote it (for errors).
pub struct Op {
    pub op: String,
    pub path: String,
    pub from: Option<String>,
    pub value: Option<Node>,
    pub line: u32,
}

/// The operations of a patch document (a list of `{op, path, value}`), or why it is not one.
pub fn ops(doc: &Node) -> Result<Vec<Op>, (u32, String)> {
    let Val::Seq(items) = &doc.v else { return Err((doc.line, "a JSON 6902 patch is a list of operations".into())) };
    items
        .iter()
        .map(|i| {
            let text = |k: &str| i.get(k).and_then(Node::str).map(str::to_string);
            let (Some(op), Some(path)) = (text("op"), text("path")) else {
                return Err((i.line, "a JSON 6902 operation needs op and path".into()));
            };
            Ok(Op { op, path, from: text("from"), value: i.get("value").cloned(), line: i.line })
        })
        .collect()
}

/// Applies the operations in order; the first that cannot apply stops the patch (as kustomize
/// does) and is returned with its line.
pub fn apply(root: &mut Node, ops: &[Op]) -> Result<(), (u32, String)> {
    for o in ops {
        let fail = |why: &str| (o.line, format!("JSON patch {} {}: {why}", o.op, o.path));
        let tokens = pointer(&o.path).ok_or_else(|| fail("not a JSON pointer"))?;
        match o.op.as_str() {
            "add" | "replace" => {
                let v = o.value.clone().ok_or_else(|| fail("no value"))?;
                put(root, &tokens, v, o.op == "replace").map_err(&fail)?;
            }
            "remove" => {
                take(root, &tokens).ok_or_else(|| fail("path not found"))?;
            }
            "copy" | "move" => {
                let from = o.from.as_deref().and_then(pointer).ok_or_else(|| fail("no from"))?;
                let v = if o.op == "move" { take(root, &from) } else { get(root, &from).cloned() };
                put(root, &tokens, v.ok_or_else(|| fail("from not found"))?, false).map_err(&fail)?;
            }
            "test" => {}
            other => return Err(fail(&format!("unsupported operation {other}"))),
        }
    }
    Ok(())
}

fn pointer(p: &str) -> Option<Vec<String>> {
    if p.is_empty() {
        return Some(Vec::new());
    }
    let rest = p.strip_prefix('/')?;
    Some(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

fn child<'a>(n: &'a Node, t: &str) -> Option<&'a Node> {
    match &n.v {
        Val::Map(_) => n.get(t),
        Val::Seq(items) => t.parse::<usize>().ok().and_then(|i| items.get(i)),
        Val::Leaf(_) => None,
    }
}

fn child_mut<'a>(n: &'a mut Node, t: &str) -> Option<&'a mut Node> {
    if matches!(n.v, Val::Map(_)) {
        return n.get_mut(t);
    }
    match &mut n.v {
        Val::Seq(items) => t.parse::<usize>().ok().and_then(move |i| items.get_mut(i)),
        _ => None,
    }
}

fn get<'a>(root: &'a Node, tokens: &[String]) -> Option<&'a Node> {
    tokens.iter().try_fold(root, |n, t| child(n, t))
}

fn parent_mut<'a>(root: &'a mut Node, tokens: &[String]) -> Option<&'a mut Node> {
    let (_, up) = tokens.split_last()?;
    up.iter().try_fold(root, |n, t| child_mut(n, t))
}

fn put(root: &mut Node, tokens: &[String], v: Node, must_exist: bool) -> Result<(), &'static str> {
    let Some(last) = tokens.last() else {
        *root = v;
        return Ok(());
    };
    let parent = parent_mut(root, tokens).ok_or("path not found")?;
    if matches!(parent.v, Val::Map(_)) {
        if must_exist && parent.get(last).is_none() {
            return Err("path not found");
        }
        parent.set(last, v);
        return Ok(());
    }
    match &mut parent.v {
        Val::Seq(items) => {
            let i = if last == "-" { items.len() } else { last.parse::<usize>().map_err(|_| "not a list index")? };
            match (must_exist, i < items.len(), i <= items.len()) {
                (true, true, _) => items[i] = v,
                (false, _, true) => items.insert(i, v),
                _ => return Err("index out of range"),
            }
        }
        _ => return Err("path not found"),
    }
    Ok(())
}

fn take(root: &mut Node, tokens: &[String]) -> Option<Node> {
    let last = tokens.last()?;
    let parent = parent_mut(root, tokens)?;
    if matches!(parent.v, Val::Map(_)) {
        return parent.remove(last);
    }
    match &mut parent.v {
        Val::Seq(items) => last.parse::<usize>().ok().filter(|&i| i < items.len()).map(|i| items.remove(i)),
        _ => None,
    }
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
    fn add_remove_replace_with_patch_lines() {
        let mut obj = node("spec:\n  hostNetwork: false\n  containers:\n    - name: a\n      args: [x]\n", "o.yaml");
        let p = node("- op: replace\n  path: /spec/hostNetwork\n  value: true\n- op: add\n  path: /spec/containers/0/args/-\n  value: y\n- op: remove\n  path: /spec/containers/0/name\n", "p.yaml");
        apply(&mut obj, &ops(&p).unwrap()).unwrap();
        let j = obj.to_json();
        assert_eq!(j["spec"]["hostNetwork"], true);
        assert_eq!(j["spec"]["containers"][0]["args"], serde_json::json!(["x", "y"]));
        assert!(j["spec"]["containers"][0].get("name").is_none());
        let hn = obj.get("spec").and_then(|s| s.get("hostNetwork")).map(|n| (n.file.to_string(), n.line));
        assert_eq!(hn, Some(("p.yaml".to_string(), 3)));
        let bad = node("- op: replace\n  path: /spec/nope\n  value: 1\n", "p.yaml");
        assert_eq!(apply(&mut obj, &ops(&bad).unwrap()).map_err(|e| e.0), Err(1));
    }
}
