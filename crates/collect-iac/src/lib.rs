//! Infrastructure as code into canonical resources (DESIGN §2): Terraform (HCL and plan JSON),
//! CloudFormation, ARM templates, Dockerfiles and hard-coded secrets. Every resource carries
//! `Origin::Iac` with its file, line and a line per canonical attribute, so a finding points at
//! the attribute that decided it.
//!
//! Invariants:
//! - A value the files cannot tell (unknown variable, data source, computed attribute) is left
//!   out of `attrs`, so rules on it are `unknown`, never a failure.
//! - Input never panics the adapters; what cannot be parsed becomes an [`Issue`] with file and line.
//! - uids are `iac:<file relative to the repository root>#<address>`; the account is
//!   `iac:<repository root directory name>`.

pub mod arm;
pub mod cfn;
pub mod docker;
pub mod hcl;
pub mod k8s;
mod kustomize;
pub mod lines;
pub mod report;
pub mod secrets;
pub mod suppress;
pub mod terraform;
mod walk;
mod yaml;

use posture_model::Resource;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

pub use lines::{line_for_evidence, location_for, location_for_evidence};
pub use suppress::Suppression;

/// A file read for scanning.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Relative to the repository root, with `/`.
    pub rel: String,
    pub text: String,
}

/// A canonical resource and the lines of its file it spans (for suppressions).
#[derive(Debug, Clone)]
pub struct Located {
    pub resource: Resource,
    pub file: String,
    pub start: u32,
    pub end: u32,
    /// Lines of other files that also define it (a kustomize overlay's patch files), so that
    /// suppression comments there apply too.
    pub spans: Vec<(String, u32, u32)>,
}

/// Something that could not be read or resolved: the scan records it and proves no absence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// A link from code to cloud: a deployed resource (by runtime uid) or a `yor_trace` tag value,
/// and where the code defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IacLink {
    /// A runtime uid (ARN, ARM id, GCP name) or `yor_trace:<value>`.
    pub key: String,
    pub iac_uid: String,
    pub file: String,
    pub line: u32,
    pub address: String,
}

#[derive(Debug, Default)]
pub struct ScanOutput {
    /// The repository root the relative paths start from.
    pub root: PathBuf,
    pub account: String,
    pub files: usize,
    pub resources: Vec<Located>,
    pub issues: Vec<Issue>,
    pub suppressions: Vec<Suppression>,
    pub links: Vec<IacLink>,
}

/// Scans files and directories (recursively; `.git`, `.terraform` and `node_modules` skipped).
pub fn scan(paths: &[PathBuf]) -> ScanOutput {
    let root = walk::repo_root(paths.first().map(PathBuf::as_path).unwrap_or(Path::new(".")));
    let account = format!("iac:{}", root.file_name().and_then(|n| n.to_str()).unwrap_or("repository"));
    let (found, mut issues) = walk::collect(paths, &root);
    let files: Vec<SourceFile> = found
        .par_iter()
        .filter_map(|(path, rel)| match std::fs::read(path) {
            Ok(bytes) => Some(SourceFile { path: path.clone(), rel: rel.clone(), text: String::from_utf8_lossy(&bytes).into_owned() }),
            Err(_) => None,
        })
        .collect();
    if files.len() < found.len() {
        for (path, rel) in &found {
            if !files.iter().any(|f| &f.path == path) {
                issues.push(Issue { file: rel.clone(), line: 0, message: "cannot read the file".into() });
            }
        }
    }
    let mut out = ScanOutput { root, account, files: files.len(), issues, ..ScanOutput::default() };
    scan_files(&files, &mut out);
    out
}

fn scan_files(files: &[SourceFile], out: &mut ScanOutput) {
    let tf: Vec<&SourceFile> = files.iter().filter(|f| walk::is_terraform(&f.rel)).collect();
    let (res, iss) = terraform::scan(&tf, &out.account);
    out.resources.extend(res);
    out.issues.extend(iss);
    let kinds: Vec<walk::Kind> = files.par_iter().map(|f| if walk::is_terraform(&f.rel) { walk::Kind::Other } else { walk::kind_of(f) }).collect();
    // Manifests are linked across files (selectors, bindings), so they are mapped together.
    let manifests: Vec<&SourceFile> = files.iter().zip(&kinds).filter(|(_, k)| matches!(k, walk::Kind::Manifest)).map(|(f, _)| f).collect();
    let kustomizations: Vec<&SourceFile> = files.iter().filter(|f| k8s::is_kustomization(&f.rel)).collect();
    let (res, iss) = k8s::scan(&manifests, &kustomizations, files, &out.account);
    out.resources.extend(res);
    out.issues.extend(iss);
    let by_rel: cfn::Files = files.iter().map(|f| (f.rel.as_str(), f)).collect();
    // Templates another template uses as nested stacks are evaluated through their parent.
    let nested: std::collections::HashSet<String> =
        files.iter().zip(&kinds).filter(|(_, k)| matches!(k, walk::Kind::CloudFormation)).flat_map(|(f, _)| cfn::children(f)).collect();
    let kinds: Vec<walk::Kind> = files.iter().zip(kinds).map(|(f, k)| if nested.contains(&f.rel) { walk::Kind::Other } else { k }).collect();
    let per_file: Vec<FileOut> = files.par_iter().zip(kinds.into_par_iter()).map(|(f, k)| other_format(f, k, &out.account, &by_rel)).collect();
    let mut deployed = Vec::new();
    for (r, i, d) in per_file {
        out.resources.extend(r);
        out.issues.extend(i);
        deployed.extend(d);
    }
    let secrets: Vec<Located> = files.par_iter().flat_map(|f| secrets::scan_file(f, &out.account)).collect();
    out.resources.extend(secrets);
    out.suppressions = suppress::find(files, &out.resources);
    out.links = links(&out.resources, &deployed);
    out.resources.sort_by(|a, b| (&a.file, a.start, &a.resource.uid).cmp(&(&b.file, b.start, &b.resource.uid)));
    out.issues.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
}

type FileOut = (Vec<Located>, Vec<Issue>, Vec<(String, terraform::state::Deployed)>);

fn other_format(f: &SourceFile, kind: walk::Kind, account: &str, files: &cfn::Files) -> FileOut {
    let mut out: FileOut = (Vec::new(), Vec::new(), Vec::new());
    match kind {
        walk::Kind::Dockerfile => out.0 = docker::scan(f, account),
        walk::Kind::CloudFormation => {
            let (r, i) = cfn::scan(f, account, files);
            out.0 = r;
            out.1 = i;
        }
        walk::Kind::Arm => {
            let (r, i) = arm::scan(f, account);
            out.0 = r;
            out.1 = i;
        }
        walk::Kind::Plan(doc) => {
            out.0 = terraform::to_canonical(terraform::plan::resources(&doc, &f.rel), account);
        }
        walk::Kind::State(doc) => {
            let dir = f.rel.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
            out.2 = terraform::state::deployed(&doc).into_iter().map(|d| (dir.clone(), d)).collect();
        }
        walk::Kind::Manifest | walk::Kind::Other => {}
    }
    out
}

/// Code-to-cloud links: state addresses matched to IaC resources under the state file's
/// directory, and every IaC resource's `yor_trace` tag.
fn links(resources: &[Located], deployed: &[(String, terraform::state::Deployed)]) -> Vec<IacLink> {
    let mut out = Vec::new();
    for l in resources {
        let Some(posture_model::Origin::Iac { file, line, address, .. }) = &l.resource.origin else { continue };
        let link = |key: String| IacLink { key, iac_uid: l.resource.uid.clone(), file: file.clone(), line: *line, address: address.clone() };
        if let Some(t) = l.resource.tags.get("yor_trace") {
            out.push(link(format!("yor_trace:{t}")));
        }
        for (dir, d) in deployed {
            if &d.address == address && file.starts_with(dir.as_str()) {
                out.push(link(d.runtime_uid.clone()));
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out.dedup_by(|a, b| a.key == b.key);
    out
}
