use crate::output::{json, Ctx};
use crate::{parse_severity, EXIT_FINDINGS};
use anyhow::{bail, Result};
use clap::{Args as ClapArgs, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use posture_model::Severity;
use posture_rules::RuleSet;
use posture_scan::{scan_snapshots, ScanOptions, ScanReport};
use posture_schema::KindRegistry;
use posture_store::SqliteStore;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum Source {
    /// Evaluate snapshot files (NDJSON of canonical resources, plain or gzip).
    Snapshot {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Collect from AWS with the standard credential chain, then evaluate.
    Aws {
        #[command(flatten)]
        aws: crate::cmd::aws::AwsArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Import AWS Config data (configuration snapshots, select-resource-config output), then evaluate.
    AwsConfig {
        #[command(flatten)]
        import: crate::cmd::aws::AwsConfigArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Collect a Kubernetes cluster through its API (kubeconfig or in-cluster credentials), then evaluate.
    K8s {
        #[command(flatten)]
        k8s: crate::cmd::k8s::K8sArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Import `kubectl get -A -o json` output (Lists, objects, concatenated documents), then evaluate.
    K8sDump {
        #[command(flatten)]
        dump: crate::cmd::k8s::K8sDumpArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Collect from Azure through Resource Graph and ARM, then evaluate.
    Azure {
        #[command(flatten)]
        azure: crate::cmd::azure::AzureArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Import Azure Resource Graph results saved with `az graph query -o json`, then evaluate.
    AzureExport {
        #[command(flatten)]
        export: crate::cmd::azure::AzureExportArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Collect from Google Cloud through the Cloud Asset API, then evaluate.
    Gcp {
        #[command(flatten)]
        gcp: crate::cmd::gcp::GcpArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Import Cloud Asset Inventory exports (`gcloud asset export`, NDJSON), then evaluate.
    GcpExport {
        #[command(flatten)]
        export: crate::cmd::gcp::GcpExportArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
    /// Scan infrastructure as code (Terraform, CloudFormation, ARM, Dockerfiles, secrets) with the cloud rules.
    Iac {
        #[command(flatten)]
        iac: crate::cmd::iac::IacArgs,
        #[command(flatten)]
        opts: RuleArgs,
    },
}

#[derive(ClapArgs, Clone, Default)]
pub struct RuleArgs {
    /// Directory of custom rule files, added to the built-in rules (repeatable).
    #[arg(long = "rules")]
    pub rules: Vec<PathBuf>,
    /// Use only the rules given with --rules.
    #[arg(long)]
    pub no_builtin_rules: bool,
    /// Exit with status 3 when a check at or above this severity fails.
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
}

pub fn load_rules(args: &RuleArgs) -> Result<RuleSet> {
    let dirs: Vec<&Path> = args.rules.iter().map(PathBuf::as_path).collect();
    RuleSet::load(&dirs, !args.no_builtin_rules).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        anyhow::anyhow!("{} rule file error(s); nothing was scanned:\n{}", errors.len(), list.join("\n"))
    })
}

pub fn run(source: Source, db: &Path, ctx: &Ctx) -> Result<ExitCode> {
    let (files, source_name, opts, _keep) = match source {
        Source::Snapshot { files, opts } => (files, "snapshot", opts, None),
        Source::Aws { aws, opts } => {
            // Rules first: a bad rule file should stop us before any API call.
            load_rules(&opts)?;
            let (file, keep) = crate::cmd::aws::collect_to_snapshot(&aws)?;
            (vec![file], "aws", opts, Some(keep))
        }
        Source::K8s { k8s, opts } => {
            load_rules(&opts)?;
            let (file, keep) = crate::cmd::k8s::collect_to_snapshot(&k8s)?;
            (vec![file], "k8s", opts, Some(keep))
        }
        Source::K8sDump { dump, opts } => {
            load_rules(&opts)?;
            let (files, keep) = crate::cmd::k8s::dump_to_snapshots(&dump)?;
            (files, "k8s-dump", opts, Some(keep))
        }
        Source::Azure { azure, opts } => {
            load_rules(&opts)?;
            let (file, keep) = crate::cmd::azure::collect_to_snapshot(&azure)?;
            (vec![file], "azure", opts, Some(keep))
        }
        Source::AzureExport { export, opts } => {
            load_rules(&opts)?;
            let (file, keep) = crate::cmd::azure::import_to_snapshot(&export)?;
            (vec![file], "azure-export", opts, Some(keep))
        }
        Source::Gcp { gcp, opts } => {
            load_rules(&opts)?;
            let (file, keep) = crate::cmd::gcp::collect_to_snapshot(&gcp)?;
            (vec![file], "gcp", opts, Some(keep))
        }
        Source::GcpExport { export, opts } => {
            load_rules(&opts)?;
            let (file, keep) = crate::cmd::gcp::import_to_snapshot(&export)?;
            (vec![file], "gcp-export", opts, Some(keep))
        }
        Source::Iac { iac, opts } => return crate::cmd::iac::run(iac, &opts, db, ctx),
        Source::AwsConfig { import, opts } => {
            load_rules(&opts)?;
            let (file, keep) = crate::cmd::aws::import_to_snapshot(&import)?;
            (vec![file], "aws-config", opts, Some(keep))
        }
    };
    let rules = load_rules(&opts)?;
    let mut store = SqliteStore::open(db)?;
    let report = scan_files(&files, source_name, &rules, &mut store)?;
    print_report(&report, db, ctx);
    Ok(exit_code(&report, opts.fail_on))
}

pub fn scan_files(files: &[PathBuf], source: &str, rules: &RuleSet, store: &mut SqliteStore) -> Result<ScanReport> {
    let kinds = KindRegistry::builtin()?;
    let bar = progress_bar();
    let tick = |n: u64| {
        if let Some(b) = &bar {
            b.set_position(n);
        }
    };
    let opts = ScanOptions { source: source.to_string(), kinds: Some(&kinds), progress: Some(&tick) };
    let report = scan_snapshots(files, rules, store, &opts);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = report?;
    if report.resources == 0 && !report.issues.is_empty() {
        bail!("no resource could be read; see `posture scans --issues {}`", report.scan_id);
    }
    Ok(report)
}

fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    let style = ProgressStyle::with_template("{spinner} {pos} resources evaluated ({per_sec}) {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

pub fn print_report(r: &ScanReport, db: &Path, ctx: &Ctx) {
    if !ctx.is_table() {
        println!("{}", json(r));
        return;
    }
    let status = if r.complete { "complete" } else { "PARTIAL (input could not be read to its end)" };
    println!(
        "scan {} {status}: {} resources, {} checks: {} pass, {} fail, {} unknown, {} error, {} exempt",
        r.scan_id, r.resources, r.evaluations, r.pass, r.fail, r.unknown, r.error, r.exempt
    );
    if !r.issues.is_empty() {
        eprintln!("{} problem(s) recorded on the scan:", r.issues.len());
        for i in r.issues.iter().take(10) {
            eprintln!("  {}: {}", i.location, i.message);
        }
        if r.issues.len() > 10 {
            eprintln!("  … see `posture --db {} scans --issues {}`", db.display(), r.scan_id);
        }
    }
}

pub fn exit_code(r: &ScanReport, fail_on: Option<Severity>) -> ExitCode {
    let Some(min) = fail_on else { return ExitCode::SUCCESS };
    let failing: u64 = r.failed_by_severity.iter().filter(|(s, _)| **s >= min).map(|(_, n)| n).sum();
    if failing > 0 {
        eprintln!("{failing} failed check(s) at or above {min}");
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}
