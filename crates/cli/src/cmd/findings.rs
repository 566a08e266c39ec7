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
    /// Only findings on resources defined in code under this repository path (IaC scans and code-to-cloud links).
    #[arg(long)]
    path: Option<String>,
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
        path: a.path,
    };

    let rows = fill_remediation(store.findings(&filter)?, store)?;
    // The code location column appears when some finding has one.
    let with_source = rows.iter().any(|f| f.source.is_some());
    let mut headers = vec!["severity", "state", "rule", "title", "resource", "account", "evidence", "first seen"];
    if with_status {
        headers.push("status");
    }
    if with_source {
        headers.push("code");
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
            if with_source {
                cells.push(f.source.clone().unwrap_or_default());
            }
            cells
        },
    );
    if ctx.is_table() {
        eprintln!("{} finding(s)", rows.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// Fills the `{{name}}`, `{{attrs.x}}`, `{{tags.k}}` … placeholders of each finding's remediation
/// from its resource (only findings whose rule text has placeholders read their resource).
fn fill_remediation(mut rows: Vec<posture_store::FindingRow>, store: &SqliteStore) -> Result<Vec<posture_store::FindingRow>> {
    for f in rows.iter_mut().filter(|f| f.remediation.contains("{{")) {
        if let Some(resource) = store.resource(&f.uid)? {
            f.remediation = posture_rules::fill_template(&f.remediation, &resource);
        }
    }
    Ok(rows)
}
