//! Registry and git modules as `terraform init` downloaded them: `.terraform/modules/modules.json`
//! of a root module lists each module call by key (`vpc`, `vpc.subnets`), its source and the
//! directory it was unpacked to. Those directories are read from disk (the walk skips
//! `.terraform`) and evaluated like local modules; without them a remote module is not scanned.

use super::eval::{ModuleSrc, TfFile};
use crate::Issue;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A root module's downloaded modules: call key → (source as `terraform init` recorded it, directory).
pub type Calls = HashMap<String, (String, PathBuf)>;

#[derive(Deserialize)]
struct Manifest {
    #[serde(rename = "Modules", default)]
    modules: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "Key", default)]
    key: String,
    #[serde(rename = "Source", default)]
    source: String,
    #[serde(rename = "Dir", default)]
    dir: String,
}

const MAX_FILE: u64 = 8 * 1024 * 1024;

/// Reads `<root>/.terraform/modules/modules.json`, if any, and adds every downloaded module's
/// directory to `modules` (files named relative to the repository through `root_rel`, the root
/// module's relative directory).
pub fn load(root: &Path, root_rel: &str, modules: &mut HashMap<PathBuf, ModuleSrc>, issues: &mut Vec<Issue>) -> Calls {
    let manifest_path = root.join(".terraform/modules/modules.json");
    let rel_of = |p: &str| if root_rel.is_empty() { p.to_string() } else { format!("{root_rel}/{p}") };
    let Ok(text) = std::fs::read_to_string(&manifest_path) else { return Calls::new() };
    let manifest: Manifest = match serde_json::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            issues.push(Issue { file: rel_of(".terraform/modules/modules.json"), line: e.line() as u32, message: format!("modules.json: {e}") });
            return Calls::new();
        }
    };
    let mut calls = Calls::new();
    for e in manifest.modules.into_iter().filter(|e| !e.key.is_empty() && !e.dir.is_empty() && e.dir != ".") {
        let dir = super::eval::normalize(&root.join(&e.dir));
        if !dir.starts_with(root) {
            continue;
        }
        let rel_dir = rel_of(e.dir.trim_start_matches("./").trim_end_matches('/'));
        if !modules.contains_key(&dir) {
            let files = read_dir(&dir, &rel_dir, issues);
            modules.insert(dir.clone(), ModuleSrc { dir: dir.clone(), files, tfvars: BTreeMap::new() });
        }
        calls.insert(e.key, (e.source, dir));
    }
    calls
}

fn read_dir(dir: &Path, rel_dir: &str, issues: &mut Vec<Issue>) -> Vec<TfFile> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<(PathBuf, String)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.metadata().is_ok_and(|m| m.is_file() && m.len() <= MAX_FILE))
        .filter_map(|e| Some((e.path(), e.file_name().to_str()?.to_string())))
        .filter(|(_, n)| n.ends_with(".tf"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for (path, name) in names {
        let rel = format!("{rel_dir}/{name}");
        let Ok(text) = std::fs::read_to_string(&path) else {
            issues.push(Issue { file: rel, line: 0, message: "cannot read the file".into() });
            continue;
        };
        match crate::hcl::parse_body(&text) {
            Ok(body) => out.push(TfFile { rel, body }),
            Err(e) => issues.push(Issue { file: rel, line: e.line, message: format!("Terraform syntax: {}", e.message) }),
        }
    }
    out
}

/// Whether the source `terraform init` recorded is the one the configuration names (the
/// registry host is added to registry sources).
pub fn same_source(recorded: &str, configured: &str) -> bool {
    recorded == configured || recorded.strip_suffix(configured).is_some_and(|host| host.ends_with('/'))
}
