//! Kustomize without kubectl: `resources`/`bases` (files, and directories with their own
//! kustomization), `components`, `configMapGenerator`/`secretGenerator`, strategic merge patches
//! (`patchesStrategicMerge`, `patches`), JSON 6902 patches (`patchesJson6902`, `patches` whose
//! content is a list of operations) from files or inline, then `namespace`, `namePrefix`,
//! `nameSuffix`, `commonLabels` and `images`. Only top-level kustomizations (that no other one
//! includes) are rendered; the files they include are not also scanned on their own. Every node
//! of a rendered object keeps the file and line that wrote it: the base manifest's, or the
//! patch's or kustomization's that changed it.

mod generate;
mod json6902;
mod merge;
mod names;
mod patch;
mod transform;
pub mod tree;

use crate::yaml::{parse_all, YNode, YVal};
use crate::{Issue, SourceFile};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tree::Node;

pub struct Rendered {
    pub objects: Vec<Object>,
    /// Files (manifests, patches and kustomizations) some kustomization includes.
    pub included: HashSet<String>,
}

pub struct Object {
    /// The file that defines the object (its base manifest, or the kustomization that generated it).
    pub file: String,
    /// The object after the kustomization's patches and transformations, with lines.
    pub root: Node,
    /// The kustomization's directory.
    pub overlay: String,
}

/// An object while a kustomization builds it.
pub(crate) struct Obj {
    pub file: String,
    pub root: Node,
}

const MAX_DEPTH: usize = 8;

pub(crate) fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

pub(crate) fn join(dir: &str, rel: &str) -> String {
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
        build(k, &by_rel, &mut seen, &mut Vec::new(), &mut Vec::new(), 0);
        out.included.extend(seen.into_iter().filter(|r| r != &k.rel));
    }
    for k in kustomizations.iter().filter(|k| !out.included.contains(&k.rel)) {
        let mut objects = Vec::new();
        build(k, &by_rel, &mut HashSet::new(), &mut objects, issues, 0);
        let overlay = dir_of(&k.rel).to_string();
        out.objects.extend(objects.into_iter().map(|o| Object { file: o.file, root: o.root, overlay: overlay.clone() }));
    }
    out
}

fn strings(n: Option<&YNode>) -> Vec<(String, u32)> {
    n.map(YNode::items).unwrap_or_default().iter().filter_map(|i| i.as_str().map(|s| (s.to_string(), i.line))).collect()
}

pub(crate) struct Ctx<'a> {
    pub k: &'a SourceFile,
    pub files: &'a HashMap<&'a str, &'a SourceFile>,
}

fn build(k: &SourceFile, files: &HashMap<&str, &SourceFile>, seen: &mut HashSet<String>, out: &mut Vec<Obj>, issues: &mut Vec<Issue>, depth: usize) {
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
    let mut objects: Vec<Obj> = Vec::new();
    resources(&doc, k, files, seen, &mut objects, issues, depth);
    components(&doc, k, files, seen, &mut objects, issues, depth);
    apply(&doc, &Ctx { k, files }, seen, &mut objects, issues);
    out.extend(objects);
}

/// Generators, patches and transformations of a kustomization (or component) on `objects`.
fn apply(doc: &YNode, ctx: &Ctx, seen: &mut HashSet<String>, objects: &mut Vec<Obj>, issues: &mut Vec<Issue>) {
    generate::run(doc, ctx.k, ctx.files, objects);
    patch::run(doc, ctx, seen, objects, issues);
    transform::apply(doc, &Arc::from(ctx.k.rel.as_str()), objects);
}

/// `components`: each adds its resources to the including kustomization's objects, then applies
/// its generators, patches and transformations to all of them.
fn components(doc: &YNode, k: &SourceFile, files: &HashMap<&str, &SourceFile>, seen: &mut HashSet<String>, objects: &mut Vec<Obj>, issues: &mut Vec<Issue>, depth: usize) {
    for (c, line) in strings(doc.get("components")) {
        let path = join(dir_of(&k.rel), &c);
        let Some(comp) = kustomization_in(&path, files) else {
            issues.push(Issue { file: k.rel.clone(), line, message: format!("component '{c}' is not in the scanned files; it is not applied") });
            continue;
        };
        if depth > MAX_DEPTH || !seen.insert(comp.rel.clone()) {
            continue;
        }
        let cdoc = match parse_all(&comp.text) {
            Ok(d) => d.into_iter().next(),
            Err(e) => {
                issues.push(Issue { file: comp.rel.clone(), line: e.line, message: format!("kustomization: {}", e.message) });
                continue;
            }
        };
        let Some(cdoc) = cdoc else { continue };
        resources(&cdoc, comp, files, seen, objects, issues, depth + 1);
        apply(&cdoc, &Ctx { k: comp, files }, seen, objects, issues);
    }
}

fn kustomization_in<'f>(dir: &str, files: &HashMap<&str, &'f SourceFile>) -> Option<&'f SourceFile> {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"].iter().find_map(|n| files.get(join(dir, n).as_str()).copied())
}

fn resources(doc: &YNode, k: &SourceFile, files: &HashMap<&str, &SourceFile>, seen: &mut HashSet<String>, objects: &mut Vec<Obj>, issues: &mut Vec<Issue>, depth: usize) {
    let dir = dir_of(&k.rel);
    let mut sources = strings(doc.get("resources"));
    sources.extend(strings(doc.get("bases")));
    for (r, line) in sources {
        let path = join(dir, &r);
        match (files.get(path.as_str()), kustomization_in(&path, files)) {
            (Some(f), _) => {
                seen.insert(f.rel.clone());
                manifest_objects(f, objects, issues);
            }
            (None, Some(base)) => build(base, files, seen, objects, issues, depth + 1),
            (None, None) => issues.push(Issue {
                file: k.rel.clone(),
                line,
                message: format!("kustomization resource '{r}' is not in the scanned files (remote bases are not fetched); its objects are not scanned"),
            }),
        }
    }
}

fn manifest_objects(f: &SourceFile, out: &mut Vec<Obj>, issues: &mut Vec<Issue>) {
    let file: Arc<str> = Arc::from(f.rel.as_str());
    match parse_all(&f.text) {
        Ok(docs) => {
            for d in docs.iter().filter(|d| !matches!(d.value, YVal::Null)) {
                out.push(Obj { file: f.rel.clone(), root: Node::from_yaml(d, &file) });
            }
        }
        Err(e) => issues.push(Issue { file: f.rel.clone(), line: e.line, message: format!("Kubernetes manifest: {}", e.message) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: &str) -> SourceFile {
        SourceFile { path: rel.into(), rel: rel.into(), text: text.into() }
    }

    #[test]
    fn inline_patches_delete_objects_and_report_what_cannot_apply() {
        let all = vec![
            file("b/kustomization.yaml", "resources:\n  - app.yaml\n"),
            file("b/app.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.0\n"),
            file(
                "o/kustomization.yaml",
                "resources:\n  - ../b\n  - https://example.com/remote\npatchesStrategicMerge:\n  - |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: svc\n    $patch: delete\n  - |-\n    kind: Pod\n    metadata:\n      name: p\n    spec:\n      hostPID: true\n  - missing.yaml\n  - |-\n    kind: Pod\n    metadata:\n      name: nope\nimages:\n  - name: nginx\n    newTag: \"1.27\"\n",
            ),
        ];
        let ks: Vec<&SourceFile> = all.iter().filter(|f| f.rel.ends_with("kustomization.yaml")).collect();
        let mut issues = Vec::new();
        let r = render(&ks, &all, &mut issues);
        let got: Vec<(u32, &str)> = issues.iter().map(|i| (i.line, i.file.as_str())).collect();
        assert_eq!(got, vec![(3, "o/kustomization.yaml"), (17, "o/kustomization.yaml"), (19, "o/kustomization.yaml")], "{issues:?}");
        assert_eq!(r.objects.len(), 1, "the Service is deleted");
        let pod = &r.objects[0].root;
        let spec = pod.get("spec");
        let host_pid = spec.and_then(|s| s.get("hostPID")).map(|n| (n.file.to_string(), n.line));
        assert_eq!(host_pid, Some(("o/kustomization.yaml".to_string(), 16)), "the inline patch's line");
        let image = spec.and_then(|s| s.get("containers")).and_then(|c| match &c.v {
            tree::Val::Seq(items) => items.first().and_then(|x| x.get("image")).map(|n| (n.str().map(str::to_string), n.line)),
            _ => None,
        });
        assert_eq!(image, Some((Some("nginx:1.27".to_string()), 23)), "the images entry's line");
        assert!(r.included.contains("b/app.yaml"));
    }

    #[test]
    fn components_add_objects_and_patch_the_including_kustomization() {
        let all = vec![
            file("b/kustomization.yaml", "resources:\n  - pod.yaml\ncomponents:\n  - ../c\n  - ../missing\nnamePrefix: x-\n"),
            file("b/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx\n"),
            file("c/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - policy.yaml\npatches:\n  - target:\n      kind: Pod\n    patch: |-\n      - op: add\n        path: /spec/hostIPC\n        value: true\n"),
            file("c/policy.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\nspec:\n  podSelector: {}\n"),
        ];
        let ks: Vec<&SourceFile> = all.iter().filter(|f| f.rel.ends_with("kustomization.yaml")).collect();
        let mut issues = Vec::new();
        let r = render(&ks, &all, &mut issues);
        assert_eq!(issues.iter().map(|i| (i.line, i.file.as_str())).collect::<Vec<_>>(), vec![(5, "b/kustomization.yaml")], "{issues:?}");
        let names: Vec<(Option<&str>, Option<&str>)> = r.objects.iter().map(|o| (o.root.kind(), o.root.meta("name"))).collect();
        assert_eq!(names, vec![(Some("Pod"), Some("x-p")), (Some("NetworkPolicy"), Some("x-deny"))]);
        let ipc = r.objects[0].root.get("spec").and_then(|s| s.get("hostIPC")).map(|n| (n.file.to_string(), n.line));
        assert_eq!(ipc, Some(("c/kustomization.yaml".to_string(), 11)));
        assert!(r.included.contains("c/kustomization.yaml") && r.included.contains("c/policy.yaml"));
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join("overlays/prod", "../../base"), "base");
        assert_eq!(join("", "./a/b.yaml"), "a/b.yaml");
        assert_eq!(dir_of("a/b/kustomization.yaml"), "a/b");
    }
}
