//! The demo estate is adapter output like any other: every resource must match its kind's schema,
//! and every relation must point at a resource of the estate.

use posture_collect::snapshot::{parse_resource, SnapshotReader};
use posture_schema::KindRegistry;
use std::collections::HashSet;
use std::path::Path;

#[test]
fn every_demo_resource_validates_and_every_relation_resolves() {
    let registry = KindRegistry::builtin().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let mut files: Vec<_> = std::fs::read_dir(&demo).unwrap().flatten().map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "ndjson"));
    files.sort();
    assert_eq!(files.len(), 4, "one demo snapshot per provider: {files:?}");
    let mut problems = Vec::new();
    let mut resources = Vec::new();
    for f in &files {
        let mut reader = SnapshotReader::open(f).unwrap();
        assert!(!reader.header.accounts.is_empty(), "{}: the header lists no account", f.display());
        loop {
            let batch = reader.next_batch(512).unwrap();
            if batch.is_empty() {
                break;
            }
            for line in batch {
                let at = format!("{}:{}", f.display(), line.line);
                match parse_resource(&line.text) {
                    Ok(r) => {
                        problems.extend(registry.validate(&r).into_iter().map(|p| format!("{at}: {} {p}", r.uid)));
                        resources.push(r);
                    }
                    Err(e) => problems.push(format!("{at}: {e}")),
                }
            }
        }
    }
    let uids: HashSet<&str> = resources.iter().map(|r| r.uid.as_str()).collect();
    assert_eq!(uids.len(), resources.len(), "duplicate uids in the demo estate");
    for r in &resources {
        for rel in &r.relations {
            if !uids.contains(rel.target.as_str()) {
                problems.push(format!("{} -{}-> {} which is not in the estate", r.uid, rel.rel, rel.target));
            }
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    assert!(resources.len() >= 200, "only {} demo resources", resources.len());
}
