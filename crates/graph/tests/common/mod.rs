//! Building graphs from the seeded fixtures and the demo estate.
#![allow(dead_code)]

use posture_graph::{load, paths, Graph, GraphBuilder, Options};
use posture_model::Severity;
use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{name}.ndjson"))
}

/// A graph of fixture files, with findings `(uid, rule, severity, title)`.
pub fn graph(names: &[&str], findings: &[(&str, &str, Severity, &str)], attrs: &[&str]) -> Graph {
    let files: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    let mut b = GraphBuilder::new(&Options { attr_paths: attrs.iter().map(|s| s.to_string()).collect() });
    let report = load::snapshots(&files, &mut b).expect("fixtures read");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    for (uid, rule, sev, title) in findings {
        b.add_finding(uid, rule, *sev, title);
    }
    b.finish()
}

pub fn demo() -> Graph {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let files: Vec<PathBuf> = ["aws", "azure", "gcp", "k8s"].iter().map(|p| root.join(format!("{p}.ndjson"))).collect();
    let mut b = GraphBuilder::new(&Options::default());
    load::snapshots(&files, &mut b).expect("demo read");
    b.finish()
}

pub fn report(g: &Graph) -> paths::Report {
    let defs = paths::definitions(&[]).expect("shipped definitions");
    paths::find(g, &defs, &paths::Options { count_hidden: true, ..Default::default() }).expect("paths")
}

/// `definition: entry -> ... -> target` per path, for compact assertions.
pub fn summary(g: &Graph, r: &paths::Report) -> Vec<String> {
    r.paths
        .iter()
        .map(|p| {
            let chain: Vec<&str> = p.raw.chain.iter().map(|n| g.name(*n)).collect();
            format!("{}: {} [{}]", p.definition, chain.join(" -> "), p.certainty)
        })
        .collect()
}
