//! The kustomization's patches, in kustomize's order: `patchesStrategicMerge`, `patches`,
//! `patchesJson6902`. A patch comes from a file (`path`, or an entry of
//! `patchesStrategicMerge`) or inline (`patch: |` or an inline strategic merge document); its
//! nodes keep their own file and line (inside the kustomization for an inline patch). A strategic
//! merge patch without `target` applies to the object of its kind and name; with a `target`, to
//! every object it selects (kind, name as a regular expression, namespace, group, version,
//! labelSelector).

use super::json6902;
use super::merge::{directive, merge};
use super::tree::{Node, Val};
use super::{join, Ctx, Obj};
use crate::yaml::{parse_all, YNode};
use crate::Issue;
use regex::Regex;
use std::collections::HashSet;
use std::sync::Arc;

pub fn run(doc: &YNode, ctx: &Ctx, seen: &mut HashSet<String>, objects: &mut Vec<Obj>, issues: &mut Vec<Issue>) {
    for item in doc.get("patchesStrategicMerge").map(YNode::items).unwrap_or_default() {
        let Some(text) = item.as_str() else { continue };
        let docs = if text.contains('\n') { inline(ctx, item) } else { from_file(ctx, text, item.line, seen) };
        match docs {
            Ok(docs) => docs.iter().for_each(|d| strategic(objects, d, None, issues)),
            Err(e) => issues.push(e),
        }
    }
    for field in ["patches", "patchesJson6902"] {
        for item in doc.get(field).map(YNode::items).unwrap_or_default() {
            if let Err(e) = one(ctx, item, seen, objects, issues) {
                issues.push(e);
            }
        }
    }
}

/// One `{path | patch, target}` entry: a list of operations is a JSON 6902 patch, a mapping a
/// strategic merge patch.
fn one(ctx: &Ctx, item: &YNode, seen: &mut HashSet<String>, objects: &mut Vec<Obj>, issues: &mut Vec<Issue>) -> Result<(), Issue> {
    let docs = match (item.get("path").and_then(YNode::as_str), item.get("patch")) {
        (Some(p), _) => from_file(ctx, p, item.line, seen)?,
        (None, Some(n)) => inline(ctx, n)?,
        (None, None) => return Err(issue(&ctx.k.rel, item.line, "patch without path or patch".into())),
    };
    let target = match item.get("target").map(Target::new) {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => return Err(issue(&ctx.k.rel, item.line, e)),
        None => None,
    };
    for d in &docs {
        if !matches!(d.v, Val::Seq(_)) {
            strategic(objects, d, target.as_ref(), issues);
            continue;
        }
        let ops = json6902::ops(d).map_err(|(l, m)| issue(&d.file, l, m))?;
        let Some(t) = &target else { return Err(issue(&ctx.k.rel, item.line, "a JSON 6902 patch needs a target".into())) };
        for o in objects.iter_mut().filter(|o| t.selects(&o.root)) {
            json6902::apply(&mut o.root, &ops).map_err(|(l, m)| issue(&d.file, l, m))?;
        }
    }
    Ok(())
}

fn issue(file: &str, line: u32, message: String) -> Issue {
    Issue { file: file.to_string(), line, message: format!("kustomize: {message}") }
}

fn from_file(ctx: &Ctx, rel: &str, line: u32, seen: &mut HashSet<String>) -> Result<Vec<Node>, Issue> {
    let path = join(super::dir_of(&ctx.k.rel), rel);
    let Some(f) = ctx.files.get(path.as_str()) else {
        return Err(issue(&ctx.k.rel, line, format!("patch '{rel}' is not in the scanned files; it is not applied")));
    };
    seen.insert(f.rel.clone());
    let file: Arc<str> = Arc::from(f.rel.as_str());
    let docs = parse_all(&f.text).map_err(|e| issue(&f.rel, e.line, e.message))?;
    Ok(docs.iter().filter(|d| !matches!(d.value, crate::yaml::YVal::Null)).map(|d| Node::from_yaml(d, &file)).collect())
}

/// A patch written inside the kustomization: its lines are moved to where the text starts.
fn inline(ctx: &Ctx, n: &YNode) -> Result<Vec<Node>, Issue> {
    let text = n.as_str().unwrap_or_default();
    // A block scalar (`patch: |`) starts on the line after its indicator.
    let indicator = ctx.k.text.lines().nth(n.line.saturating_sub(1) as usize).is_some_and(|l| l.trim_end().ends_with(['|', '>', '-', '+']));
    let offset = if indicator { n.line } else { n.line.saturating_sub(1) };
    let file: Arc<str> = Arc::from(ctx.k.rel.as_str());
    let docs = parse_all(text).map_err(|e| issue(&ctx.k.rel, e.line + offset, e.message))?;
    Ok(docs.iter().filter(|d| !matches!(d.value, crate::yaml::YVal::Null)).map(|d| Node::from_yaml_at(d, &file, offset, 0)).collect())
}

/// Applies a strategic merge patch; without a target, an object of the patch's kind and name
/// must exist (kustomize fails otherwise, so it is an issue).
fn strategic(objects: &mut Vec<Obj>, patch: &Node, target: Option<&Target>, issues: &mut Vec<Issue>) {
    let (kind, name, ns) = (patch.kind(), patch.meta("name"), patch.meta("namespace"));
    let selects = |o: &Obj| match target {
        Some(t) => t.selects(&o.root),
        None => o.root.kind() == kind && o.root.meta("name") == name && (ns.is_none() || o.root.meta("namespace") == ns),
    };
    if target.is_none() && !objects.iter().any(selects) {
        let what = format!("{}/{}", kind.unwrap_or("?"), name.unwrap_or("?"));
        issues.push(issue(&patch.file, patch.line, format!("patch for {what} matches no object; it is not applied")));
        return;
    }
    if directive(patch) == Some("delete") {
        objects.retain(|o| !selects(o));
        return;
    }
    let mut body = patch.clone();
    body.remove("kind");
    body.remove("apiVersion");
    if let Some(m) = body.get_mut("metadata") {
        m.remove("name");
        m.remove("namespace");
    }
    for o in objects.iter_mut().filter(|o| selects(o)) {
        merge(&mut o.root, &body, 0);
    }
}

/// A patch's `target`.
struct Target {
    kind: Option<String>,
    name: Option<Regex>,
    namespace: Option<String>,
    group: Option<String>,
    version: Option<String>,
    labels: Vec<(String, String)>,
}

impl Target {
    fn new(n: &YNode) -> Result<Target, String> {
        let s = |k: &str| n.get(k).and_then(YNode::as_str).map(str::to_string);
        let name = match s("name") {
            Some(p) => Some(Regex::new(&format!("^(?:{p})$")).map_err(|e| format!("target name: {e}"))?),
            None => None,
        };
        let labels = s("labelSelector")
            .unwrap_or_default()
            .split(',')
            .filter_map(|p| p.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
            .collect();
        Ok(Target { kind: s("kind"), name, namespace: s("namespace"), group: s("group"), version: s("version"), labels })
    }

    fn selects(&self, o: &Node) -> bool {
        let api = o.get("apiVersion").and_then(Node::str).unwrap_or_default();
        let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
        let label = |k: &str| o.get("metadata").and_then(|m| m.get("labels")).and_then(|l| l.get(k)).and_then(Node::str).map(str::to_string);
        self.kind.as_deref().is_none_or(|k| o.kind() == Some(k))
            && self.name.as_ref().is_none_or(|r| o.meta("name").is_some_and(|n| r.is_match(n)))
            && self.namespace.as_deref().is_none_or(|ns| o.meta("namespace").unwrap_or("default") == ns)
            && self.group.as_deref().is_none_or(|g| g == group)
            && self.version.as_deref().is_none_or(|v| v == version)
            && self.labels.iter().all(|(k, v)| label(k).as_deref() == Some(v.as_str()))
    }
}
