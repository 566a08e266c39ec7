//! `posture scan azure-export` (Resource Graph exports) and `posture scan azure` (live, through
//! Resource Graph and ARM): both map ARM items into a snapshot, which the scan then evaluates.

use crate::cmd::cloud::{export_to_snapshot, print_notes, Body, Export};
use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use posture_collect_azure::live::auth::{Credential, Source};
use posture_collect_azure::live::{collect, AzureOptions};
use posture_collect_azure::{import_files, ImportOptions};
use posture_collect_cloud::HttpOptions;
use posture_model::SnapshotHeader;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(ClapArgs, Clone)]
pub struct AzureExportArgs {
    /// Files saved with `az graph query -q … -o json` (the `{"data": […]}` object or a bare
    /// array), one per page; `posture scan azure --save-export` files too.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The files hold everything of their subscriptions: findings on resources missing from them
    /// are resolved as removed. Without it an export proves no absence (a query can filter).
    #[arg(long)]
    complete: bool,
    /// Also keep what was imported as a snapshot (gzip when the name ends in .gz).
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
}

#[derive(ClapArgs, Clone)]
pub struct AzureArgs {
    /// Subscriptions to collect, comma-separated (default: every subscription the identity sees).
    #[arg(long, value_delimiter = ',', conflicts_with = "management_group")]
    subscriptions: Vec<String>,
    /// Collect every subscription under this management group.
    #[arg(long)]
    management_group: Option<String>,
    /// Azure Resource Manager endpoint (default: $POSTURE_ARM_ENDPOINT, else https://management.azure.com).
    #[arg(long)]
    arm_endpoint: Option<String>,
    /// Also keep what was collected as a snapshot (gzip when the name ends in .gz).
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
    /// Also keep the raw ARM items, re-importable with `posture scan azure-export`.
    #[arg(long)]
    save_export: Option<PathBuf>,
    /// Seconds before one API call attempt is abandoned.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Attempts per call when throttled (429 honours Retry-After) or on a server error.
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
    /// ARM calls in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

pub fn import_to_snapshot(args: &AzureExportArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    let export = Export {
        source: "azure-export",
        account_word: "subscription",
        files: &args.files,
        complete: args.complete,
        save_snapshot: args.save_snapshot.as_deref(),
    };
    export_to_snapshot(&export, import_files)
}

pub fn collect_to_snapshot(args: &AzureArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    let opts = AzureOptions {
        subscriptions: args.subscriptions.clone(),
        management_group: args.management_group.clone(),
        arm_endpoint: args
            .arm_endpoint
            .clone()
            .or_else(|| std::env::var("POSTURE_ARM_ENDPOINT").ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| AzureOptions::default().arm_endpoint),
        http: HttpOptions {
            timeout: Duration::from_secs(args.timeout.max(1)),
            max_attempts: args.max_attempts.max(1),
            ..HttpOptions::default()
        },
        concurrency: args.concurrency.max(1),
    };
    let source = Source::from_env();
    eprintln!("authenticating with {}", source.describe());
    let cred = Arc::new(Credential::new(source));
    let spool_dir = tempfile::Builder::new().prefix("posture-azure-").tempdir()?;
    let spool = args.save_export.clone().unwrap_or_else(|| spool_dir.path().join("items.ndjson"));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<serde_json::Value>(1024);
    let spool_path = spool.clone();
    // Items go to disk as they arrive, so memory stays bounded whatever the estate's size.
    let writer = std::thread::spawn(move || -> std::io::Result<u64> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&spool_path)?);
        let mut n = 0;
        while let Some(v) = rx.blocking_recv() {
            serde_json::to_writer(&mut w, &v)?;
            std::io::Write::write_all(&mut w, b"\n")?;
            n += 1;
        }
        std::io::Write::flush(&mut w)?;
        Ok(n)
    });
    let live = runtime.block_on(collect(&opts, cred, tx));
    let items = writer.join().map_err(|_| anyhow::anyhow!("the spool writer thread panicked"))??;
    let live = live.map_err(|f| anyhow::anyhow!("Azure collection failed before reading anything: {f}"))?;
    let mut body = Body::new("posture-azure-snapshot-")?;
    let import = ImportOptions { collected_at: now(), api_service: Some("azure".into()) };
    let report = import_files(std::slice::from_ref(&spool), &import, &mut |r| body.write(&r)).context("mapping what was collected")?;
    eprintln!(
        "collected {} resources ({items} ARM items) from {} subscription(s); {} problem(s) recorded",
        report.resources,
        live.subscriptions.len(),
        live.issues.len() + report.issues.len()
    );
    print_notes(&report.unmapped, &[]);
    let mut header = SnapshotHeader::new("azure", posture_store::now_rfc3339(), live.covered.clone());
    header.issues = live.issues;
    header.issues.extend(report.issues);
    body.finish(&header, args.save_snapshot.as_deref(), "azure.ndjson")
}
