//! AWS Config data into canonical resources (`posture scan aws-config`): configuration snapshot
//! and history files (`configurationItems`, plain or gzip), `select-resource-config` and
//! `batch-get-resource-config` output, and one item per line. A bad item is a problem on the
//! import and the rest goes on; a file that cannot be read is a problem too.

mod item;
mod map;
mod map_more;
mod read;

use crate::out::Issue;
use posture_model::Resource;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Missing { path: String, source: std::io::Error },
}

#[derive(Debug, Default)]
pub struct ImportReport {
    /// Configuration items read.
    pub items: u64,
    /// Canonical resources produced.
    pub resources: u64,
    /// Items of resource types Posture does not map, by type.
    pub unmapped: BTreeMap<String, u64>,
    pub issues: Vec<Issue>,
}

/// Reads every export under `paths`, handing each resource to `emit` as it is mapped. Fails only
/// when a path does not exist; everything else is recorded on the report.
pub fn import_aws_config(paths: &[PathBuf], emit: &mut dyn FnMut(Resource)) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let mut held = Held::default();
    for p in paths {
        let files = read::files(p).map_err(|source| ImportError::Missing { path: p.display().to_string(), source })?;
        for f in files {
            import_file(&f, &mut report, &mut held, emit);
        }
    }
    // Buckets wait for their account's Block Public Access, which may come in any file.
    for mut b in held.buckets {
        if let Some(block) = held.account_blocks.get(&b.account) {
            b.attrs.insert("account_public_access_block".into(), block.clone());
        }
        emit(b);
    }
    Ok(report)
}

/// What is kept until every file is read: S3 buckets (one per bucket, few) and account blocks.
#[derive(Default)]
struct Held {
    buckets: Vec<Resource>,
    account_blocks: BTreeMap<String, serde_json::Value>,
}

fn import_file(path: &Path, report: &mut ImportReport, held: &mut Held, emit: &mut dyn FnMut(Resource)) {
    let name = path.display().to_string();
    let bytes = match read::contents(path) {
        Ok(b) => b,
        Err(e) => return report.issues.push(issue(&name, format!("cannot read: {e}"), true)),
    };
    let mut n = 0u64;
    let mut each = |item: Result<serde_json::Value, String>| {
        n += 1;
        report.items += 1;
        let at = format!("{name}#{n}");
        let parsed = item.and_then(|v| item::Item::parse(&v));
        let item = match parsed {
            Ok(i) => i,
            Err(e) => return report.issues.push(issue(&at, e, true)),
        };
        let mut problems = Vec::new();
        match map::map(&item, &name, &mut problems) {
            map::Mapped::Resource(r) => {
                let r = *r;
                for p in problems {
                    report.issues.push(issue(&format!("{at} {}", r.uid), p, false));
                }
                report.resources += 1;
                if r.kind == "aws.s3.bucket" {
                    held.buckets.push(r);
                } else {
                    emit(r);
                }
            }
            map::Mapped::AccountBlock { account, block } => {
                held.account_blocks.insert(account, block);
            }
            map::Mapped::Unmapped => *report.unmapped.entry(item.resource_type.clone()).or_default() += 1,
        }
    };
    if let Err(e) = read::items(&bytes, &mut each) {
        report.issues.push(issue(&name, e, true));
    }
}

fn issue(location: &str, message: String, incomplete: bool) -> Issue {
    Issue { location: location.to_string(), message, incomplete }
}
