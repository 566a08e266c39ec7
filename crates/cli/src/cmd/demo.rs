use crate::cmd::inventory::print_summary;
use crate::cmd::scan::{load_rules, print_report, scan_files, RuleArgs};
use crate::cmd::score::print_score;
use crate::output::{evidence_text, short, Ctx};
use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use posture_model::ResultState;
use posture_report::secure_score;
use posture_store::{FindingFilter, SqliteStore, Store};
use std::path::PathBuf;
use std::process::ExitCode;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/demo.rs"));
}

#[derive(ClapArgs)]
pub struct Args {
    /// How many top findings to show.
    #[arg(long, default_value_t = 10)]
    top: usize,
}

pub fn run(a: Args, db: Option<PathBuf>, ctx: &Ctx) -> Result<ExitCode> {
    let dir = tempfile::Builder::new().prefix("posture-demo-").tempdir()?.keep();
    let db = db.unwrap_or_else(|| dir.join("posture.db"));
    let mut files = Vec::new();
    for (name, text) in embedded::DEMO_SNAPSHOTS {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        files.push(path);
    }
    anyhow::ensure!(!files.is_empty(), "this build has no demo estate (demo/*.ndjson)");
    let rules = load_rules(&RuleArgs::default())?;
    let mut store = SqliteStore::open(&db)?;
    let report = scan_files(&files, "demo", &rules, &mut store)?;
    if ctx.is_table() {
        println!("Posture demo: Northwind Logistics on AWS, Azure, GCP and Kubernetes\n");
    }
    print_report(&report, &db, ctx);
    let score = secure_score(&store.current_scores()?, &rules.controls);
    if ctx.is_table() {
        println!();
    }
    print_score(&score, ctx);
    let top = store.findings(&FindingFilter {
        states: vec![ResultState::Fail],
        limit: Some(a.top),
        ..FindingFilter::default()
    })?;
    if ctx.is_table() {
        println!("\nTop recommendations:");
    }
    ctx.print(&top, &["severity", "rule", "title", "resource", "evidence"], |f| {
        vec![f.severity.to_string(), f.rule_id.clone(), f.title.clone(), short(&f.uid, 44), evidence_text(&f.evidence)]
    });
    if ctx.is_table() {
        println!("\nInventory:");
    }
    print_summary(&store, ctx)?;
    if ctx.is_table() {
        println!("\nExplore it: posture --db {} findings | inventory | score | compliance | scans", db.display());
    }
    Ok(ExitCode::SUCCESS)
}
