//! `posture scan gcp-export` (Cloud Asset Inventory exports) and `posture scan gcp` (live, through
//! the Cloud Asset API): both map assets into a snapshot, which the scan then evaluates.

use crate::cmd::cloud::{export_to_snapshot, print_notes, Body, Export};
use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use posture_collect_cloud::HttpOptions;
use posture_collect_gcp::live::auth::{Credential, Source};
use posture_collect_gcp::live::{collect, GcpOptions};
use posture_collect_gcp::{import_files, ImportOptions};
use posture_model::SnapshotHeader;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(ClapArgs, Clone)]
pub struct GcpExportArgs {
    /// `gcloud asset export` output (NDJSON, one asset per line; resource and IAM policy exports
    /// may be separate files), `gcloud asset list --format=json` output, or `posture scan gcp
    /// --save-export` files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The files hold everything of their projects: findings on resources missing from them are
    /// resolved as removed. Without it an export proves no absence.
    #[arg(long)]
    complete: bool,
    /// Also keep what was imported as a snapshot (gzip when the name ends in .gz).
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
}

#[derive(ClapArgs, Clone)]
pub struct GcpArgs {
    /// Projects to collect (ids or numbers), comma-separated.
    #[arg(long, value_delimiter = ',')]
    project: Vec<String>,
    /// Collect every project under this folder (number).
    #[arg(long)]
    folder: Vec<String>,
    /// Collect every project of this organization (number).
    #[arg(long)]
    organization: Vec<String>,
    /// Cloud Asset API endpoint (default: $POSTURE_CAI_ENDPOINT, else https://cloudasset.googleapis.com).
    #[arg(long)]
    cai_endpoint: Option<String>,
    /// Also keep what was collected as a snapshot (gzip when the name ends in .gz).
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
    /// Also keep the raw assets, re-importable with `posture scan gcp-export`.
    #[arg(long)]
    save_export: Option<PathBuf>,
    /// Seconds before one API call attempt is abandoned.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Attempts per call when throttled (429 honours Retry-After) or on a server error.
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

pub fn import_to_snapshot(args: &GcpExportArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    let export = Export {
        source: "gcp-export",
        account_word: "project",
        files: &args.files,
        complete: args.complete,
        save_snapshot: args.save_snapshot.as_deref(),
    };
    export_to_snapshot(&export, import_files)
}

pub fn collect_to_snapshot(args: &GcpArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    let mut parents: Vec<String> = args.project.iter().filter(|p| !p.is_empty()).map(|p| format!("projects/{p}")).collect();
    parents.extend(args.folder.iter().map(|f| format!("folders/{f}")));
    parents.extend(args.organization.iter().map(|o| format!("organizations/{o}")));
    if parents.is_empty() {
        bail!("say what to collect: --project P, --folder F or --organization O");
    }
    let opts = GcpOptions {
        parents,
        cai_endpoint: args
            .cai_endpoint
            .clone()
            .or_else(|| std::env::var("POSTURE_CAI_ENDPOINT").ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| GcpOptions::default().cai_endpoint),
        http: HttpOptions { timeout: Duration::from_secs(args.timeout.max(1)), max_attempts: args.max_attempts.max(1), ..HttpOptions::default() },
    };
    let source = Source::from_env()?;
    eprintln!("authenticating with {}", source.describe());
    let cred = Arc::new(Credential::new(source));
    let spool_dir = tempfile::Builder::new().prefix("posture-gcp-").tempdir()?;
    let spool = args.save_export.clone().unwrap_or_else(|| spool_dir.path().join("assets.ndjson"));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<serde_json::Value>(1024);
    let spool_path = spool.clone();
    // Assets go to disk as they arrive, so memory stays bounded whatever the estate's size.
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&spool_path)?);
        while let Some(v) = rx.blocking_recv() {
            serde_json::to_writer(&mut w, &v)?;
            std::io::Write::write_all(&mut w, b"\n")?;
        }
        std::io::Write::flush(&mut w)
    });
    let live = runtime.block_on(collect(&opts, cred, tx));
    writer.join().map_err(|_| anyhow::anyhow!("the spool writer thread panicked"))??;
    let live = live.map_err(|f| anyhow::anyhow!("GCP collection failed before reading anything: {f}"))?;
    let mut body = Body::new("posture-gcp-snapshot-")?;
    let import = ImportOptions { collected_at: now(), api_service: Some("cloudasset".into()) };
    let report = import_files(std::slice::from_ref(&spool), &import, &mut |r| body.write(&r)).context("mapping what was collected")?;
    eprintln!(
        "collected {} resources ({} assets) from {} project(s); {} problem(s) recorded",
        report.resources,
        live.assets,
        report.accounts.len(),
        live.issues.len() + report.issues.len()
    );
    print_notes(&report.unmapped, &[]);
    let covered: Vec<String> = if live.failed_parents.is_empty() {
        report.accounts.iter().cloned().collect()
    } else {
        let done: Vec<&str> = live.complete_parents.iter().filter_map(|p| p.strip_prefix("projects/")).collect();
        report.accounts.iter().filter(|p| done.contains(&p.as_str())).cloned().collect()
    };
    let mut header = SnapshotHeader::new("gcp", posture_store::now_rfc3339(), covered);
    header.issues = live.issues;
    header.issues.extend(report.issues);
    body.finish(&header, args.save_snapshot.as_deref(), "gcp.ndjson")
}
