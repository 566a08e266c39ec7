use crate::output::Ctx;
use anyhow::Result;
use clap::Args as ClapArgs;
use posture_store::{SqliteStore, Store};
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Show the problems recorded on this scan (bad lines, unreadable files, unknown kinds, …).
    #[arg(long)]
    issues: Option<i64>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

pub fn run(a: Args, store: &SqliteStore, ctx: &Ctx) -> Result<ExitCode> {
    if let Some(id) = a.issues {
        let issues = store.scan_issues(id)?;
        ctx.print(&issues, &["where", "problem"], |i| vec![i.location.clone(), i.message.clone()]);
        return Ok(ExitCode::SUCCESS);
    }
    let scans = store.scans(a.limit)?;
    ctx.print(&scans, &["scan", "source", "status", "started", "finished", "resources", "checks", "problems"], |s| {
        vec![
            s.id.to_string(),
            s.source.clone(),
            s.status.clone(),
            s.started_at.clone(),
            s.finished_at.clone().unwrap_or_default(),
            s.resources.to_string(),
            s.evaluations.to_string(),
            s.issues.to_string(),
        ]
    });
    Ok(ExitCode::SUCCESS)
}
