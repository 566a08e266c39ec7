use crate::output::{evidence_text, short, Ctx};
use crate::{parse_severity, parse_state};
use anyhow::Result;
use clap::Args as ClapArgs;
use posture_model::{ResultState, Severity};
use posture_store::{FindingFilter, SqliteStore, Store};
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Minimum severity.
    #[arg(long, value_parser = parse_severity)]
    severity: Option<Severity>,
    /// Result state: fail, unknown, error (repeatable; default all three).
    #[arg(long, value_parser = parse_state)]
    state: Vec<ResultState>,
    /// open (default), exempt, resolved or all.
    #[arg(long, default_value = "open", value_parser = ["open", "exempt", "resolved", "all"])]
    status: String,
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    account: Option<String>,
    #[arg(long)]
    rule: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
}

pub fn run(a: Args, store: &SqliteStore, ctx: &Ctx) -> Result<ExitCode> {
    let with_status = a.status != "open";
    let filter = FindingFilter {
        min_severity: a.severity,
        states: a.state,
        status: Some(a.status),
        kind: a.kind,
        account: a.account,
        rule: a.rule,
        limit: a.limit,
        as_of: None,
    };
    let rows = store.findings(&filter)?;
    let mut headers = vec!["severity", "state", "rule", "title", "resource", "account", "evidence", "first seen"];
    if with_status {
        headers.push("status");
    }
    ctx.print(
        &rows,
        &headers,
        |f| {
            let mut cells = vec![
                f.severity.to_string(),
                f.state.to_string(),
                f.rule_id.clone(),
                f.title.clone(),
                if ctx.is_table() { short(&f.uid, 48) } else { f.uid.clone() },
                f.account.clone(),
                evidence_text(&f.evidence),
                f.first_seen.clone(),
            ];
            if with_status {
                cells.push(match f.exemption {
                    Some(id) => format!("{} (exemption {id})", f.status),
                    None => f.status.clone(),
                });
            }
            cells
        },
    );
    if ctx.is_table() {
        eprintln!("{} finding(s)", rows.len());
    }
    Ok(ExitCode::SUCCESS)
}
