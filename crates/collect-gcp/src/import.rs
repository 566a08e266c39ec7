//! Two streaming passes over asset lines: the first builds the [`Index`] (IAM policies, joins),
//! the second maps each asset with resource content, and each asset known only by its IAM policy.

use crate::asset::{Asset, LISTED};
use crate::index::Index;
use crate::map::{is_read, mapper, observe, Ctx};
use posture_collect_cloud::items::{for_each_item, Item as RawItem, ItemsError};
use posture_model::{Origin, Resource, SnapshotIssue};
use serde_json::Value;
use std::collections::HashSet;
use std::path::PathBuf;

pub use posture_collect_cloud::{ImportOptions, ImportReport};

pub fn import_files(
    paths: &[PathBuf],
    opts: &ImportOptions,
    emit: &mut dyn FnMut(Resource) -> std::io::Result<()>,
) -> std::io::Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut index = Index::default();
    let mut readable = Vec::new();
    for path in paths {
        let result = for_each_item(path, &mut |raw: RawItem| first_pass(&raw, &mut index, &mut report));
        match result {
            Ok(_) => readable.push(path),
            Err(e) => {
                let partial = matches!(e, ItemsError::Syntax { .. });
                report.issues.push(SnapshotIssue { location: path.display().to_string(), message: e.to_string() });
                if partial {
                    readable.push(path);
                }
            }
        }
    }
    let mut second = Second { index: &index, opts, seen: HashSet::new() };
    for path in readable {
        let origin = origin_for(opts, &path.display().to_string());
        let mut failed = None;
        let _ = for_each_item(path, &mut |raw: RawItem| {
            if failed.is_none() {
                if let Err(e) = second.map(&raw.value, &origin, &mut report, emit) {
                    failed = Some(e);
                }
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
    }
    Ok(report)
}

/// Maps in-memory asset objects (tests, one API page).
pub fn map_values(values: &[Value], opts: &ImportOptions) -> (Vec<Resource>, ImportReport) {
    let mut report = ImportReport::default();
    let mut index = Index::default();
    for (i, v) in values.iter().enumerate() {
        first_pass(&RawItem { location: format!("input:{}", i + 1), value: v.clone() }, &mut index, &mut report);
    }
    let origin = origin_for(opts, "input");
    let mut out = Vec::new();
    let mut second = Second { index: &index, opts, seen: HashSet::new() };
    for v in values {
        let _ = second.map(v, &origin, &mut report, &mut |r| {
            out.push(r);
            Ok(())
        });
    }
    (out, report)
}

fn origin_for(opts: &ImportOptions, file: &str) -> Origin {
    match &opts.api_service {
        Some(service) => Origin::Api { service: service.clone() },
        None => Origin::Snapshot { file: file.to_string() },
    }
}

fn first_pass(raw: &RawItem, index: &mut Index, report: &mut ImportReport) {
    match Asset::parse(&raw.value) {
        Ok(a) => observe(&a, index),
        Err(message) => report.issues.push(SnapshotIssue { location: raw.location.clone(), message }),
    }
}

struct Second<'a> {
    index: &'a Index,
    opts: &'a ImportOptions,
    seen: HashSet<String>,
}

impl Second<'_> {
    fn map(
        &mut self,
        value: &Value,
        origin: &Origin,
        report: &mut ImportReport,
        emit: &mut dyn FnMut(Resource) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let Ok(a) = Asset::parse(value) else { return Ok(()) };
        if a.asset_type == LISTED {
            return Ok(());
        }
        let Some(f) = mapper(&a.asset_type) else {
            if !is_read(&a.asset_type) && a.data.is_some() {
                *report.unmapped.entry(a.asset_type.clone()).or_default() += 1;
            }
            return Ok(());
        };
        // A line with only an IAM policy becomes a resource only when no line has its content.
        if a.data.is_none() && (a.iam.is_none() || self.index.with_data.contains(&a.name)) {
            return Ok(());
        }
        if self.seen.contains(&a.name) {
            return Ok(());
        }
        let ctx = Ctx { index: self.index, origin, now: self.opts.collected_at };
        let Some(r) = f(&a, &ctx) else {
            report.issues.push(SnapshotIssue { location: a.name.clone(), message: "asset belongs to no project; skipped".into() });
            return Ok(());
        };
        self.seen.insert(a.name.clone());
        report.resources += 1;
        // Folders and organizations are no project: a listing proves nothing about their scope.
        if !crate::map::hierarchy::is_hierarchy(&r.kind) {
            report.accounts.insert(r.account.clone());
        }
        emit(r)
    }
}
