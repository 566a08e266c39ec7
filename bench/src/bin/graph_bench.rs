//! `graph-bench [N] [ESTATE]`: the security graph on a synthetic estate of N resources (default
//! 1,000,000): graph build (parse, extract, derive exposure and effective permissions), path
//! enumeration with every shipped definition, and explorer queries that evaluate scope-wide
//! grants per target. Prints one JSON object with the timings and the peak RSS.
//!
//! The estate is copies of the demo estate plus the graph's attack scenarios (so that paths
//! exist at scale), with ids renamed per copy also inside policy documents and attributes, so
//! that each copy's policies name that copy's resources. With ESTATE (a snapshot written by
//! `gen-estate`), the graph is built from that file instead, which adds reading and parsing.

// As in the `posture` binary: the build frees millions of small JSON trees on two threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use posture_bench::{load_templates, synthesize, Rng};
use posture_collect::snapshot::{parse_resource, SnapshotReader};
use posture_graph::{load, paths, query, GraphBuilder, Options};
use posture_model::Resource;
use rustc_hash::FxHashSet;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let file = args.get(2).map(PathBuf::from);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut b = GraphBuilder::new(&Options::default());
    let start = Instant::now();
    let mut generate = 0.0;
    match &file {
        Some(f) => {
            load::snapshots(std::slice::from_ref(f), &mut b)?;
        }
        None => generate = feed_synthetic(&repo, n, &mut b)?,
    }
    let resources = b.resources();
    let g = b.finish();
    let build = start.elapsed().as_secs_f64() - generate;
    let stats = g.stats.clone();

    let t = Instant::now();
    let defs = paths::definitions(&[])?;
    let report = paths::find(&g, &defs, &paths::Options::default())?;
    let enumerate = t.elapsed().as_secs_f64();
    // Each definition alone, to see where the time goes.
    let mut per_definition = serde_json::Map::new();
    for d in &defs {
        let t = Instant::now();
        let r = paths::find(&g, std::slice::from_ref(d), &paths::Options::default())?;
        per_definition
            .insert(d.id.clone(), serde_json::json!({"s": round(t.elapsed().as_secs_f64()), "paths": r.paths.len()}));
    }

    let t = Instant::now();
    let mut query_rows = Vec::new();
    for q in [
        "*[identity] -can_read-> *[sensitive_data]",
        "*[compute and exposed_to_internet] -can_authenticate_as-> * -can_read-> *[data_store]",
        "aws.s3.bucket[sensitive_data] <-can_read- *",
    ] {
        let c = query::Compiled::new(&g, query::parse(q)?).map_err(|e| anyhow::anyhow!("{}", e.render(q)))?;
        query_rows.push((q, c.run(100_000).rows.len()));
    }
    let queries = t.elapsed().as_secs_f64();

    let out = serde_json::json!({
        "resources": resources,
        "nodes": stats.nodes,
        "edges": stats.edges,
        "derived_edges": stats.derived_edges,
        "scope_grants": stats.grants,
        "generate_s": round(generate),
        "build_s": round(build),
        "build_ingest_s": round(stats.ingest.as_secs_f64() - generate),
        "build_derive_s": round(stats.derive.as_secs_f64()),
        "permissions_s": round(stats.permissions.as_secs_f64()),
        "paths_s": round(enumerate),
        "paths": report.paths.len(),
        "paths_by_category": by_category(&report),
        "paths_by_definition": per_definition,
        "choke_points": report.choke_points.len(),
        "truncated_definitions": report.truncated,
        "queries_s": round(queries),
        "query_rows": query_rows.iter().map(|(q, n)| serde_json::json!({"query": q, "rows": n})).collect::<Vec<_>>(),
        "total_s": round(build + enumerate + queries),
        "graph_heap_mib": g.heap_bytes() / (1 << 20),
        "peak_rss_mib": peak_rss_kib() / 1024,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn by_category(r: &paths::Report) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    for c in paths::Category::ALL {
        m.insert(c.as_str().into(), r.paths.iter().filter(|p| p.category == c).count().into());
    }
    m
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The demo estate and the graph's attack scenarios.
fn templates(repo: &Path) -> anyhow::Result<Vec<Resource>> {
    let mut t = load_templates(repo)?;
    let dir = repo.join("crates/graph/tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?.flatten().map(|e| e.path()).collect();
    files.retain(|p| p.to_string_lossy().ends_with("-attack.ndjson"));
    files.sort();
    let mut seen: FxHashSet<String> = t.iter().map(|r| r.uid.clone()).collect();
    for f in files {
        let mut reader = SnapshotReader::open(&f)?;
        for line in reader.next_batch(100_000)? {
            let r = parse_resource(&line.text).map_err(|e| anyhow::anyhow!("{}:{}: {e}", f.display(), line.line))?;
            if seen.insert(r.uid.clone()) {
                t.push(r);
            }
        }
    }
    Ok(t)
}

/// Appends `suffix` to every string in `v` that is a template uid or starts with one followed by
/// `/` (ARN patterns like `arn:aws:s3:::bucket/*`), so a copy's policies name its own resources.
fn rename_refs(v: &mut Value, uids: &FxHashSet<&str>, suffix: &str) {
    match v {
        Value::String(s) => {
            let cut = if uids.contains(s.as_str()) {
                Some(s.len())
            } else {
                s.char_indices().filter(|(_, c)| *c == '/').map(|(i, _)| i).find(|i| uids.contains(&s[..*i]))
            };
            if let Some(i) = cut {
                s.insert_str(i, suffix);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_refs(x, uids, suffix)),
        Value::Object(m) => m.values_mut().for_each(|x| rename_refs(x, uids, suffix)),
        _ => {}
    }
}

/// Generates the estate in batches and feeds the builder; returns the seconds spent generating.
fn feed_synthetic(repo: &Path, n: usize, b: &mut GraphBuilder) -> anyhow::Result<f64> {
    let t = templates(repo)?;
    let uids: FxHashSet<&str> = t.iter().map(|r| r.uid.as_str()).collect();
    let mut rng = Rng::new(42);
    let mut generating = 0.0;
    let mut i = 0;
    while i < n {
        let g0 = Instant::now();
        let end = (i + 4096).min(n);
        let batch: Vec<Resource> = (i..end)
            .map(|k| {
                let mut r = synthesize(&t, k, &mut rng);
                let suffix = format!("~{}", k / t.len());
                for v in r.attrs.values_mut() {
                    rename_refs(v, &uids, &suffix);
                }
                r
            })
            .collect();
        generating += g0.elapsed().as_secs_f64();
        b.add_batch(batch);
        i = end;
    }
    Ok(generating)
}
