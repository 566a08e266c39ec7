//! `posture scan k8s` (live API) and `posture scan k8s-dump` (kubectl JSON output): collect into
//! one snapshot per cluster, which the scan then evaluates.
//!
//! Resources stream to a body file while a [`Linker`] indexes them; when collection ends the
//! snapshot is written from the body with the cross-object relations (selectors, owners,
//! inverse edges) added, so memory holds the index, never the cluster.

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use posture_collect::snapshot::SnapshotWriter;
use posture_collect_k8s::live::{self, ClusterConfig, LiveOptions, LoadOptions};
use posture_collect_k8s::Linker;
use posture_model::{Resource, SnapshotHeader, SnapshotIssue};
use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(ClapArgs, Clone)]
pub struct K8sArgs {
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: its current-context).
    #[arg(long)]
    context: Option<String>,
    /// Cluster name: the account of every resource and the start of its uid (default: the
    /// context's cluster name, the last path segment of an EKS ARN, or `in-cluster`).
    #[arg(long)]
    cluster: Option<String>,
    /// Also keep what was collected as a snapshot (gzip when the name ends in .gz).
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
    /// Seconds before one API request attempt is abandoned.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Attempts per request when throttled (429, honouring Retry-After) or on transient errors.
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
    /// Listings in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Objects per page of a listing.
    #[arg(long, default_value_t = 500)]
    page_size: u32,
}

#[derive(ClapArgs, Clone)]
pub struct K8sDumpArgs {
    /// Output of `kubectl get … -o json`: a List, one object, or several documents; plain or gzip.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Cluster name for every file (default: each file's name without its extensions, else `default`).
    #[arg(long)]
    cluster: Option<String>,
    /// Also keep what was imported as a snapshot (one cluster only; gzip when the name ends in .gz).
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
}

/// Collects a live cluster; returns the snapshot and the guard of its temporary folder.
pub fn collect_to_snapshot(args: &K8sArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    let config =
        ClusterConfig::load(&LoadOptions { kubeconfig: args.kubeconfig.clone(), context: args.context.clone() })?;
    let cluster = args.cluster.clone().unwrap_or_else(|| config.default_cluster_name());
    check_cluster_name(&cluster)?;
    let opts = LiveOptions {
        concurrency: args.concurrency.max(1),
        page_size: args.page_size.max(1),
        timeout: Duration::from_secs(args.timeout.max(1)),
        max_attempts: args.max_attempts.max(1),
        ..LiveOptions::default()
    };
    let dir = tempfile::Builder::new().prefix("posture-k8s-").tempdir()?;
    let mut body = Body::create(&dir.path().join("body.ndjson"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Resource>(1024);
    let writer = std::thread::spawn(move || -> std::io::Result<Body> {
        while let Some(r) = rx.blocking_recv() {
            body.add(&r)?;
        }
        Ok(body)
    });
    let report = runtime.block_on(live::collect(&config, &cluster, &opts, tx));
    let body = writer.join().map_err(|_| anyhow::anyhow!("the snapshot writer thread panicked"))??;
    let report = report.with_context(|| format!("collecting cluster {cluster}"))?;
    eprintln!("collected {} resources from cluster {cluster}; {} problem(s) recorded", body.count, report.issues.len());
    let (path, keep) = match &args.save_snapshot {
        Some(p) => (p.clone(), None),
        None => (dir.path().join("k8s.ndjson"), Some(dir)),
    };
    body.finish(&path, "k8s", &cluster, report.issues)?;
    Ok((path, keep))
}

/// Imports kubectl dumps, one snapshot per cluster; returns them and the guard of their folder.
pub fn dump_to_snapshots(args: &K8sDumpArgs) -> Result<(Vec<PathBuf>, Option<tempfile::TempDir>)> {
    if let Some(name) = &args.cluster {
        check_cluster_name(name)?;
    }
    let mut clusters: BTreeMap<String, Vec<&Path>> = BTreeMap::new();
    for file in &args.files {
        let name = args.cluster.clone().unwrap_or_else(|| cluster_from_file_name(file));
        clusters.entry(name).or_default().push(file);
    }
    if args.save_snapshot.is_some() && clusters.len() > 1 {
        bail!(
            "--save-snapshot keeps one cluster; these files name {} clusters (pass --cluster, or one cluster per run)",
            clusters.len()
        );
    }
    let dir = tempfile::Builder::new().prefix("posture-k8s-dump-").tempdir()?;
    let mut out = Vec::new();
    for (i, (cluster, files)) in clusters.iter().enumerate() {
        let mut body = Body::create(&dir.path().join(format!("body-{i}.ndjson")))?;
        let mut issues = Vec::new();
        let mut nodes = 0;
        for file in files {
            nodes += import_file(file, cluster, &mut body, &mut issues)?;
        }
        // The cluster itself: the anchor of checks on what must run once per cluster. A dump is
        // the whole cluster, so its nodes were all listed when it holds some and read cleanly;
        // a dump without nodes cannot tell.
        let origin = posture_model::Origin::Snapshot { file: files.first().map(|f| f.display().to_string()).unwrap_or_default() };
        let facts = posture_collect_k8s::ClusterFacts { nodes_listed: (nodes > 0).then_some(issues.is_empty()), ..Default::default() };
        body.add(&posture_collect_k8s::cluster_resource(cluster, &origin, facts))?;
        eprintln!("imported {} resources of cluster {cluster}; {} problem(s) recorded", body.count, issues.len());
        let path = match &args.save_snapshot {
            Some(p) => p.clone(),
            None => dir.path().join(format!("k8s-{i}.ndjson")),
        };
        body.finish(&path, "k8s-dump", cluster, issues)?;
        out.push(path);
    }
    let keep = args.save_snapshot.is_none().then_some(dir);
    Ok((out, keep))
}

/// Imports one dump file; returns how many nodes it held.
fn import_file(file: &Path, cluster: &str, body: &mut Body, issues: &mut Vec<SnapshotIssue>) -> Result<usize> {
    let name = file.display().to_string();
    let input = std::fs::File::open(file).with_context(|| format!("opening {name}"))?;
    let mut failed: Option<std::io::Error> = None;
    let mut nodes = 0;
    let stats = posture_collect_k8s::dump::import_dump(
        input,
        &name,
        cluster,
        |r| {
            nodes += usize::from(r.kind == "k8s.core.node");
            if failed.is_none() {
                failed = body.add(&r).err();
            }
        },
        issues,
    );
    if let Some(e) = failed {
        return Err(e).context("writing the collected resources");
    }
    eprintln!(
        "{name}: {} objects, {} resources, {} of kinds not assessed, {} unreadable",
        stats.objects, stats.resources, stats.skipped, stats.failed
    );
    Ok(nodes)
}

/// The name starts every uid (`cluster/namespace/Kind/name`), so it cannot hold a `/`.
fn check_cluster_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.contains('/') {
        bail!("cluster name '{name}' must be non-empty and without '/': it is the first part of every uid");
    }
    Ok(())
}

/// `prod-eks.json.gz` → `prod-eks`; `default` when nothing usable is left.
fn cluster_from_file_name(file: &Path) -> String {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default().trim();
    if stem.is_empty() {
        "default".to_string()
    } else {
        stem.to_string()
    }
}

/// Resources of one cluster on their way to a snapshot.
struct Body {
    path: PathBuf,
    out: BufWriter<std::fs::File>,
    linker: Linker,
    count: u64,
}

impl Body {
    fn create(path: &Path) -> std::io::Result<Body> {
        Ok(Body {
            path: path.to_path_buf(),
            out: BufWriter::new(std::fs::File::create(path)?),
            linker: Linker::new(),
            count: 0,
        })
    }

    fn add(&mut self, r: &Resource) -> std::io::Result<()> {
        self.linker.observe(r);
        serde_json::to_writer(&mut self.out, r)?;
        self.out.write_all(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Writes the snapshot: the cluster counts as covered only when nothing went wrong.
    fn finish(mut self, path: &Path, source: &str, cluster: &str, issues: Vec<SnapshotIssue>) -> Result<()> {
        self.out.flush()?;
        let accounts = if issues.is_empty() { vec![cluster.to_string()] } else { Vec::new() };
        let mut header = SnapshotHeader::new(source, posture_store::now_rfc3339(), accounts);
        header.issues = issues;
        let links = self.linker.finish();
        let write = || -> Result<()> {
            let mut w = SnapshotWriter::create(path, &header)?;
            let reader = std::io::BufReader::new(std::fs::File::open(&self.path)?);
            for line in reader.lines() {
                let mut r: Resource = serde_json::from_str(&line?)?;
                links.apply(&mut r);
                w.write(&r)?;
            }
            w.finish()?;
            Ok(())
        };
        write().with_context(|| format!("writing snapshot {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_come_from_file_names() {
        assert_eq!(cluster_from_file_name(Path::new("/tmp/prod-eks.json.gz")), "prod-eks");
        assert_eq!(cluster_from_file_name(Path::new(".json")), "default");
        assert!(check_cluster_name("arn:aws:eks:eu-west-1:1:cluster/prod").is_err());
    }
}
