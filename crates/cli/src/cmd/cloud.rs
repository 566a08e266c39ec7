//! What the Azure and GCP commands share: stream mapped resources into a snapshot body, then
//! write the snapshot with its header (covered accounts, collection problems).

use anyhow::{Context, Result};
use posture_collect::snapshot::SnapshotWriter;
use posture_collect_cloud::{ImportOptions, ImportReport};
use posture_model::{Resource, SnapshotHeader};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A temporary directory with the snapshot body being written.
pub struct Body {
    pub dir: tempfile::TempDir,
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
}

impl Body {
    pub fn new(prefix: &str) -> Result<Body> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        let path = dir.path().join("body.ndjson");
        let out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        Ok(Body { dir, path, out })
    }

    pub fn write(&mut self, r: &Resource) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, r)?;
        self.out.write_all(b"\n")
    }

    /// Writes the snapshot (to `save` or into the temporary directory, kept alive by the guard).
    pub fn finish(mut self, header: &SnapshotHeader, save: Option<&Path>, name: &str) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
        self.out.flush()?;
        drop(self.out);
        let (path, keep) = match save {
            Some(p) => (p.to_path_buf(), None),
            None => (self.dir.path().join(name), Some(self.dir)),
        };
        let mut w = SnapshotWriter::create(&path, header).with_context(|| format!("writing snapshot {}", path.display()))?;
        let reader = std::io::BufReader::new(std::fs::File::open(&self.path)?);
        for line in std::io::BufRead::lines(reader) {
            let r: Resource = serde_json::from_str(&line?)?;
            w.write(&r)?;
        }
        w.finish()?;
        Ok((path, keep))
    }
}

/// The function that reads export files of one provider (Azure's or GCP's `import_files`).
pub type Importer =
    fn(&[PathBuf], &ImportOptions, &mut dyn FnMut(Resource) -> std::io::Result<()>) -> std::io::Result<ImportReport>;

/// An export: which provider (`source`: `azure-export`, `gcp-export`), what an account is called
/// there, and whether the files hold everything of their accounts (`complete`).
pub struct Export<'a> {
    pub source: &'a str,
    pub account_word: &'a str,
    pub files: &'a [PathBuf],
    pub complete: bool,
    pub save_snapshot: Option<&'a Path>,
}

/// Imports export files into a snapshot. Without `complete` no account is claimed as covered: a
/// query behind an export can filter, so a missing resource proves nothing.
pub fn export_to_snapshot(e: &Export, import: Importer) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    let mut body = Body::new(&format!("posture-{}-", e.source))?;
    let opts = ImportOptions::new(time::OffsetDateTime::now_utc());
    let report = import(e.files, &opts, &mut |r| body.write(&r))?;
    eprintln!(
        "imported {} resources from {} {}(s); {} problem(s) recorded",
        report.resources,
        report.accounts.len(),
        e.account_word,
        report.issues.len()
    );
    print_notes(&report.unmapped, &report.notes);
    let accounts = if e.complete { report.accounts.iter().cloned().collect() } else { Vec::new() };
    let mut header = SnapshotHeader::new(e.source, posture_store::now_rfc3339(), accounts);
    header.issues = report.issues;
    body.finish(&header, e.save_snapshot, &format!("{}.ndjson", e.source))
}

/// Unmapped types and notes on stderr: they are not collection problems (rules have nothing to
/// say about those types), so they do not make the scan partial.
pub fn print_notes(unmapped: &BTreeMap<String, u64>, notes: &[String]) {
    if !unmapped.is_empty() {
        let total: u64 = unmapped.values().sum();
        eprintln!("note: {total} item(s) of {} type(s) Posture has no kind for were skipped:", unmapped.len());
        for (t, n) in unmapped {
            eprintln!("  {t}: {n}");
        }
    }
    for n in notes.iter().take(20) {
        eprintln!("note: {n}");
    }
    if notes.len() > 20 {
        eprintln!("note: … and {} more", notes.len() - 20);
    }
}
