use crate::output::{short, Ctx};
use anyhow::Result;
use clap::Args as ClapArgs;
use posture_store::{InventoryFilter, SqliteStore, Store};
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Counts per provider and kind instead of one row per resource.
    #[arg(long)]
    summary: bool,
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    provider: Option<String>,
    #[arg(long)]
    account: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
}

pub fn run(a: Args, store: &SqliteStore, ctx: &Ctx) -> Result<ExitCode> {
    if a.summary {
        print_summary(store, ctx)?;
        return Ok(ExitCode::SUCCESS);
    }
    let filter = InventoryFilter { kind: a.kind, provider: a.provider, account: a.account, limit: a.limit };
    let rows = store.inventory(&filter)?;
    ctx.print(&rows, &["kind", "name", "account", "region", "failing checks", "uid"], |r| {
        vec![
            r.kind.clone(),
            r.name.clone(),
            r.account.clone(),
            r.region.clone().unwrap_or_default(),
            r.open_findings.to_string(),
            if ctx.is_table() { short(&r.uid, 56) } else { r.uid.clone() },
        ]
    });
    Ok(ExitCode::SUCCESS)
}

pub fn print_summary(store: &SqliteStore, ctx: &Ctx) -> Result<()> {
    let rows = store.inventory_summary()?;
    ctx.print(&rows, &["provider", "kind", "resources", "with failing checks"], |r| {
        vec![r.provider.clone(), r.kind.clone(), r.resources.to_string(), r.with_findings.to_string()]
    });
    Ok(())
}
