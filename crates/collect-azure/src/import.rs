//! Two streaming passes over ARM items: the first builds the [`Index`] (children, joins), the
//! second maps each top-level item and hands the resources over as it goes. Only the index is held.

use crate::arm::{Item, LISTED};
use crate::index::Index;
use crate::map::{mapper, observe, Ctx};
use posture_collect_cloud::items::{for_each_item, Item as RawItem};
use posture_model::{Origin, Resource, SnapshotIssue};
use serde_json::Value;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

pub use posture_collect_cloud::{ImportOptions, ImportReport};

/// Imports export files, calling `emit` with each resource.
pub fn import_files(
    paths: &[PathBuf],
    opts: &ImportOptions,
    emit: &mut dyn FnMut(Resource) -> std::io::Result<()>,
) -> std::io::Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut index = Index::default();
    let mut known = HashSet::new();
    let mut readable = Vec::new();
    for path in paths {
        let file = path.display().to_string();
        let result = for_each_item(path, &mut |raw: RawItem| first_pass(&raw, &mut index, &mut known, &mut report));
        match result {
            Ok(summary) => {
                if summary.skip_token.is_some() {
                    report.notes.push(format!("{file}: one page of a larger result (skip_token set): import the other pages too"));
                }
                readable.push(path);
            }
            Err(e) => {
                report.issues.push(SnapshotIssue { location: file, message: e.to_string() });
                // What was read before a syntax error is still imported.
                if matches!(e, posture_collect_cloud::items::ItemsError::Syntax { .. }) {
                    readable.push(path);
                }
            }
        }
    }
    let mut second = Second::new(&index, opts, &known);
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

/// Maps in-memory items (tests, a single API answer).
pub fn map_values(values: &[Value], opts: &ImportOptions) -> (Vec<Resource>, ImportReport) {
    let mut report = ImportReport::default();
    let mut index = Index::default();
    let mut known = HashSet::new();
    for (i, v) in values.iter().enumerate() {
        let raw = RawItem { location: format!("input#data[{i}]"), value: v.clone() };
        first_pass(&raw, &mut index, &mut known, &mut report);
    }
    let origin = origin_for(opts, "input");
    let mut out = Vec::new();
    let mut second = Second::new(&index, opts, &known);
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

fn first_pass(raw: &RawItem, index: &mut Index, known: &mut HashSet<String>, report: &mut ImportReport) {
    match Item::parse(&raw.value) {
        Ok(item) => {
            if observe(&item, index) {
                known.insert(item.rtype.clone());
            }
        }
        Err(message) => report.issues.push(SnapshotIssue { location: raw.location.clone(), message }),
    }
}

struct Second<'a> {
    index: &'a Index,
    opts: &'a ImportOptions,
    known: &'a HashSet<String>,
    seen: HashSet<u64>,
}

impl<'a> Second<'a> {
    fn new(index: &'a Index, opts: &'a ImportOptions, known: &'a HashSet<String>) -> Second<'a> {
        Second { index, opts, known, seen: HashSet::new() }
    }

    fn map(
        &mut self,
        value: &Value,
        origin: &Origin,
        report: &mut ImportReport,
        emit: &mut dyn FnMut(Resource) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        // Unreadable items were reported in the first pass.
        let Ok(item) = Item::parse(value) else { return Ok(()) };
        if item.rtype == LISTED {
            return Ok(());
        }
        let Some(f) = mapper(&item.rtype) else {
            if !self.known.contains(&item.rtype) {
                *report.unmapped.entry(item.rtype.clone()).or_default() += 1;
            }
            return Ok(());
        };
        let ctx = Ctx { index: self.index, origin, now: self.opts.collected_at };
        for r in f(&item, &ctx) {
            if !self.seen.insert(hash(&r.uid)) {
                report.notes.push(format!("{}: seen more than once; the first copy was kept", r.uid));
                continue;
            }
            report.resources += 1;
            report.accounts.insert(r.account.clone());
            emit(r)?;
        }
        Ok(())
    }
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}
