//! Feeding a graph from snapshot files: lines are parsed and reduced on worker threads in
//! batches, so only the compact graph is held for the whole estate.

use crate::build::GraphBuilder;
use posture_collect::snapshot::{parse_resource, SnapshotError, SnapshotReader};
use posture_model::{Resource, Severity};
use rayon::prelude::*;
use std::path::Path;

const BATCH: usize = 4096;

/// What reading the files met.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct LoadReport {
    pub resources: u64,
    /// Lines that were not resources: `file:line: message`.
    pub problems: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// A finding to record on a resource: (rule id, severity, title).
pub type FindingIn = (String, Severity, String);

/// Adds every resource of `files` to `b`.
pub fn snapshots(files: &[impl AsRef<Path>], b: &mut GraphBuilder) -> Result<LoadReport, LoadError> {
    snapshots_with(files, b, &|_| Vec::new())
}

/// Adds every resource of `files` to `b`, with the findings `findings` returns for each
/// (computed on the worker threads, e.g. by evaluating rules).
pub fn snapshots_with(
    files: &[impl AsRef<Path>],
    b: &mut GraphBuilder,
    findings: &(dyn Fn(&Resource) -> Vec<FindingIn> + Sync),
) -> Result<LoadReport, LoadError> {
    let mut report = LoadReport::default();
    for f in files {
        let mut reader = SnapshotReader::open(f.as_ref())?;
        let name = reader.file().to_string();
        loop {
            let batch = reader.next_batch(BATCH)?;
            if batch.is_empty() {
                break;
            }
            let parsed: Vec<Result<(Resource, Vec<FindingIn>), String>> = batch
                .par_iter()
                .map(|l| {
                    let r = parse_resource(&l.text).map_err(|e| format!("{name}:{}: {e}", l.line))?;
                    let found = findings(&r);
                    Ok((r, found))
                })
                .collect();
            let mut ok = Vec::with_capacity(parsed.len());
            let mut found = Vec::new();
            for p in parsed {
                match p {
                    Ok((r, f)) => {
                        found.extend(f.into_iter().map(|x| (r.uid.clone(), x)));
                        ok.push(r);
                    }
                    Err(e) => report.problems.push(e),
                }
            }
            report.resources += ok.len() as u64;
            b.add_batch(ok);
            for (uid, (rule, sev, title)) in found {
                b.add_finding(&uid, &rule, sev, &title);
            }
        }
    }
    Ok(report)
}
