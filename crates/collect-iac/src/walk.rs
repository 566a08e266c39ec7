//! Which files to read, relative to which root, and what format each one is.

use crate::{Issue, SourceFile};
use serde_json::Value;
use std::path::{Path, PathBuf};

const SKIP_DIRS: &[&str] = &[".git", ".terraform", "node_modules", ".terragrunt-cache"];
/// Files larger than this are not configuration; they are reported, not read.
const MAX_FILE: u64 = 8 * 1024 * 1024;

/// The repository root of `path`: the nearest ancestor with a `.git`, else the directory itself.
pub fn repo_root(path: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if abs.is_file() { abs.parent().map(Path::to_path_buf).unwrap_or_default() } else { abs };
    let mut cur = Some(start.as_path());
    while let Some(d) = cur {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        cur = d.parent();
    }
    start
}

/// Every candidate file under `paths`, with its path relative to `root`.
pub fn collect(paths: &[PathBuf], root: &Path) -> (Vec<(PathBuf, String)>, Vec<Issue>) {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    for p in paths {
        let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if !abs.exists() {
            issues.push(Issue { file: p.display().to_string(), line: 0, message: "no such file or directory".into() });
            continue;
        }
        visit(&abs, root, &mut out, &mut issues, 0);
    }
    out.sort();
    out.dedup();
    (out, issues)
}

fn rel_of(path: &Path, root: &Path) -> String {
    let r = path.strip_prefix(root).unwrap_or(path);
    r.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn visit(path: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>, issues: &mut Vec<Issue>, depth: usize) {
    if depth > 64 {
        return;
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else { return };
    if meta.file_type().is_symlink() {
        return;
    }
    if meta.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            issues.push(Issue { file: rel_of(path, root), line: 0, message: "cannot read the directory".into() });
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            if SKIP_DIRS.iter().any(|s| name == *s) {
                continue;
            }
            visit(&e.path(), root, out, issues, depth + 1);
        }
        return;
    }
    let rel = rel_of(path, root);
    if !is_candidate(&rel) {
        return;
    }
    if meta.len() > MAX_FILE {
        issues.push(Issue { file: rel, line: 0, message: format!("larger than {} MiB: not scanned", MAX_FILE >> 20) });
        return;
    }
    out.push((path.to_path_buf(), rel));
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

pub fn is_terraform(rel: &str) -> bool {
    let n = file_name(rel);
    n.ends_with(".tf") || n.ends_with(".tfvars") || n.ends_with(".tfvars.json")
}

pub fn is_dockerfile(rel: &str) -> bool {
    let n = file_name(rel).to_ascii_lowercase();
    n == "dockerfile" || n.starts_with("dockerfile.") || n.ends_with(".dockerfile") || n == "containerfile"
}

fn is_candidate(rel: &str) -> bool {
    let n = file_name(rel).to_ascii_lowercase();
    is_terraform(rel)
        || is_dockerfile(rel)
        || [".json", ".yaml", ".yml", ".template", ".tfstate", ".env"].iter().any(|e| n.ends_with(e))
        || n == ".env"
}

pub enum Kind {
    Dockerfile,
    CloudFormation,
    Arm,
    Plan(Value),
    State(Value),
    Manifest,
    Other,
}

pub fn kind_of(f: &SourceFile) -> Kind {
    if is_dockerfile(&f.rel) {
        return Kind::Dockerfile;
    }
    let n = file_name(&f.rel).to_ascii_lowercase();
    if n.ends_with(".json") || n.ends_with(".tfstate") || n.ends_with(".template") {
        if let Ok(doc) = serde_json::from_str::<Value>(&f.text) {
            if crate::terraform::plan::is_plan(&doc) {
                return Kind::Plan(doc);
            }
            if crate::terraform::state::is_state(&doc) {
                return Kind::State(doc);
            }
            if doc.get("$schema").and_then(Value::as_str).is_some_and(|s| s.contains("deploymentTemplate")) {
                return Kind::Arm;
            }
            if is_cfn_json(&doc) {
                return Kind::CloudFormation;
            }
            if doc.get("apiVersion").is_some() && doc.get("kind").is_some() {
                return Kind::Manifest;
            }
            return Kind::Other;
        }
        // Broken JSON that says what it meant to be: its adapter reports the syntax error.
        if f.text.contains("deploymentTemplate") {
            return Kind::Arm;
        }
        if f.text.contains("AWSTemplateFormatVersion") {
            return Kind::CloudFormation;
        }
        if f.text.contains("\"apiVersion\"") && f.text.contains("\"kind\"") {
            return Kind::Manifest;
        }
    }
    if (n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".template"))
        && (f.text.contains("AWSTemplateFormatVersion") || (f.text.contains("Resources:") && f.text.contains("AWS::")))
    {
        return Kind::CloudFormation;
    }
    if (n.ends_with(".yaml") || n.ends_with(".yml")) && crate::k8s::is_manifest(&f.text) {
        return Kind::Manifest;
    }
    Kind::Other
}

fn is_cfn_json(doc: &Value) -> bool {
    doc.get("AWSTemplateFormatVersion").is_some()
        || doc.get("Resources").and_then(Value::as_object).is_some_and(|r| {
            r.values().any(|x| x.get("Type").and_then(Value::as_str).is_some_and(|t| t.starts_with("AWS::")))
        })
}
