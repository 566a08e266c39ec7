//! `posture scan aws`: collect with the AWS SDK into a snapshot, which the scan then evaluates.

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use posture_collect::snapshot::SnapshotWriter;
use posture_collect_aws::{collect, AwsOptions, Service};
use posture_model::{Resource, SnapshotHeader, SnapshotIssue};
use std::path::PathBuf;
use std::time::Duration;

#[derive(ClapArgs, Clone)]
pub struct AwsArgs {
    /// Named profile from the AWS config files (default: the standard credential chain).
    #[arg(long)]
    profile: Option<String>,
    /// Regions to collect, comma-separated (default: every region enabled for the account).
    #[arg(long, value_delimiter = ',')]
    regions: Vec<String>,
    /// Services to collect, comma-separated (default: all): iam, s3, ec2, kms, rds, lambda,
    /// cloudtrail, elb, elbv2, logs (CloudWatch Logs and alarms), sns, sqs, secretsmanager, ecr,
    /// eks, dynamodb, guardduty, securityhub, accessanalyzer, config, organizations.
    #[arg(long, value_delimiter = ',', value_parser = parse_service)]
    services: Vec<Service>,
    /// Role to assume before collecting.
    #[arg(long)]
    role_arn: Option<String>,
    /// Collect every account of the AWS Organization by assuming this role name in each.
    #[arg(long, value_name = "ROLE_NAME")]
    org: Option<String>,
    /// Also keep what was collected as a snapshot (gzip when the name ends in .gz).
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
    /// Seconds before one API call attempt is abandoned.
    #[arg(long, default_value_t = 20)]
    timeout: u64,
    /// Attempts per call, with adaptive backoff on throttling.
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
}

fn parse_service(s: &str) -> Result<Service, String> {
    Service::parse(s).ok_or_else(|| format!("unknown service '{s}' ({})", Service::names()))
}

/// Collects into a snapshot file; returns its path and the guard that keeps a temporary one alive.
pub fn collect_to_snapshot(args: &AwsArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    let opts = AwsOptions {
        profile: args.profile.clone(),
        regions: (!args.regions.is_empty()).then(|| args.regions.clone()),
        services: (!args.services.is_empty()).then(|| args.services.clone()),
        role_arn: args.role_arn.clone(),
        org_role: args.org.clone(),
        max_attempts: args.max_attempts.max(1),
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..AwsOptions::default()
    };
    let dir = tempfile::Builder::new().prefix("posture-aws-").tempdir()?;
    let body = dir.path().join("body.ndjson");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Resource>(1024);
    let body_path = body.clone();
    // Resources go to disk as they arrive, so memory stays bounded whatever the estate's size.
    let writer = std::thread::spawn(move || -> std::io::Result<u64> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&body_path)?);
        let mut n = 0;
        while let Some(r) = rx.blocking_recv() {
            serde_json::to_writer(&mut w, &r)?;
            std::io::Write::write_all(&mut w, b"\n")?;
            n += 1;
        }
        std::io::Write::flush(&mut w)?;
        Ok(n)
    });
    let report = runtime.block_on(collect(&opts, tx));
    let written = writer.join().map_err(|_| anyhow::anyhow!("the snapshot writer thread panicked"))??;
    let report = report.map_err(|f| anyhow::anyhow!("AWS collection failed before reading anything: {f}"))?;
    eprintln!(
        "collected {written} resources from {} account(s); {} problem(s) recorded",
        report.accounts.len(),
        report.issues.len()
    );
    let mut header = SnapshotHeader::new("aws", posture_store::now_rfc3339(), report.covered_accounts.clone());
    header.issues = report.issues.iter().map(|i| SnapshotIssue { location: i.location.clone(), message: i.message.clone() }).collect();
    let (path, keep) = match &args.save_snapshot {
        Some(p) => (p.clone(), None),
        None => (dir.path().join("aws.ndjson"), Some(dir)),
    };
    write_snapshot(&path, &header, &body).with_context(|| format!("writing snapshot {}", path.display()))?;
    Ok((path, keep))
}

fn write_snapshot(path: &std::path::Path, header: &SnapshotHeader, body: &std::path::Path) -> Result<()> {
    let mut w = SnapshotWriter::create(path, header)?;
    let reader = std::io::BufReader::new(std::fs::File::open(body)?);
    for line in std::io::BufRead::lines(reader) {
        let line = line?;
        let r: Resource = serde_json::from_str(&line)?;
        w.write(&r)?;
    }
    w.finish()?;
    Ok(())
}

#[derive(ClapArgs, Clone)]
pub struct AwsConfigArgs {
    /// AWS Config exports: configuration snapshot or history files (JSON, .json.gz),
    /// `select-resource-config` output, or directories of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Also keep what was imported as a snapshot (gzip when the name ends in .gz).
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
}

/// Imports AWS Config data into a snapshot file, as `collect_to_snapshot` does for the live API.
/// The snapshot claims no account as fully covered: a Config export holds the recorded resource
/// types of some regions, so nothing missing from it is taken as removed.
pub fn import_to_snapshot(args: &AwsConfigArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    let dir = tempfile::Builder::new().prefix("posture-aws-config-").tempdir()?;
    let body = dir.path().join("body.ndjson");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&body)?);
    let mut write_error = None;
    let report = posture_collect_aws::import_aws_config(&args.paths, &mut |r| {
        if write_error.is_none() {
            if let Err(e) = serde_json::to_writer(&mut w, &r).map_err(std::io::Error::from).and_then(|_| std::io::Write::write_all(&mut w, b"\n")) {
                write_error = Some(e);
            }
        }
    })?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    std::io::Write::flush(&mut w)?;
    drop(w);
    let unmapped: u64 = report.unmapped.values().sum();
    eprintln!(
        "imported {} resources from {} configuration items ({unmapped} of unmapped types); {} problem(s) recorded",
        report.resources, report.items, report.issues.len()
    );
    let mut header = SnapshotHeader::new("aws-config", posture_store::now_rfc3339(), Vec::new());
    header.issues = report.issues.iter().map(|i| SnapshotIssue { location: i.location.clone(), message: i.message.clone() }).collect();
    let (path, keep) = match &args.save_snapshot {
        Some(p) => (p.clone(), None),
        None => (dir.path().join("aws-config.ndjson"), Some(dir)),
    };
    write_snapshot(&path, &header, &body).with_context(|| format!("writing snapshot {}", path.display()))?;
    Ok((path, keep))
}
