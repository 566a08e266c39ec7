use crate::cmd::scan::{load_rules, RuleArgs};
use crate::output::{evidence_text, json, short, Ctx};
use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use posture_report::compliance::{
    evaluate, overview_rows, render_html, requirement_rows, ComplianceReport, Scope, Status, OVERVIEW_HEADERS,
    REQUIREMENT_HEADERS,
};
use posture_report::{render_csv, render_markdown, render_table, Format};
use posture_standards::Standards;
use posture_store::{SqliteStore, Store};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Failing results an HTML report lists per requirement (it says how many more there are).
const HTML_FAILING: usize = 200;

#[derive(ClapArgs)]
pub struct Args {
    /// The standard's id, e.g. posture-benchmark or cis-aws-3.0 (`posture compliance` lists them).
    standard: Option<String>,
    /// Only this account (AWS account, subscription, project, cluster).
    #[arg(long)]
    account: Option<String>,
    /// Directory of the custom rule files the scans used (repeatable).
    #[arg(long = "rules")]
    rules: Vec<PathBuf>,
    /// Failing resources listed per failing requirement in the table (JSON and HTML list them all).
    #[arg(long, default_value_t = 5)]
    failing: usize,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub fn run(a: Args, store: &SqliteStore, ctx: &Ctx) -> Result<ExitCode> {
    let rules = load_rules(&RuleArgs { rules: a.rules.clone(), no_builtin_rules: false, fail_on: None })?;
    let standards = Standards::builtin().map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        anyhow::anyhow!("the built-in standards do not load:\n{}", list.join("\n"))
    })?;
    if store.scans(1)?.is_empty() {
        eprintln!("this database has no scan yet: run `posture scan …` first (or `posture demo`)");
    }
    let day = posture_store::today_utc();
    let scope = |failing| Scope { account: a.account.as_deref(), day: &day, failing };
    // What each format shows of the failing results: the table a few, HTML a page's worth.
    let listed = match ctx.format {
        Format::Table => a.failing,
        Format::Html => HTML_FAILING,
        _ => usize::MAX,
    };
    let text = match &a.standard {
        None => {
            if ctx.format == Format::Html {
                bail!("--format html needs a standard: posture compliance STANDARD --format html");
            }
            let all: Vec<_> = standards.standards.iter().collect();
            overview(&evaluate(store, &rules, &all, &scope(0))?, ctx)
        }
        Some(id) => {
            let Some(standard) = standards.get(id) else {
                bail!("no standard '{id}' (known: {})", standards.ids().join(", "))
            };
            let report = evaluate(store, &rules, &[standard], &scope(listed))?.into_iter().next().context("no report")?;
            match ctx.format {
                Format::Json => json(&report) + "\n",
                Format::Html => render_html(&report, &rules),
                Format::Csv => {
                    let mut headers = REQUIREMENT_HEADERS.to_vec();
                    headers.push("failing resources");
                    render_csv(&headers, &requirement_rows(&report, true))
                }
                Format::Md => render_markdown(&REQUIREMENT_HEADERS, &requirement_rows(&report, false)),
                Format::Table => table(&report, a.failing),
            }
        }
    };
    match &a.output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn overview(reports: &[ComplianceReport], ctx: &Ctx) -> String {
    let rows = overview_rows(reports);
    match ctx.format {
        Format::Json => {
            let list: Vec<_> = reports
                .iter()
                .map(|r| serde_json::json!({"standard": r.standard, "summary": r.summary}))
                .collect();
            json(&list) + "\n"
        }
        Format::Csv => render_csv(&OVERVIEW_HEADERS, &rows),
        Format::Md => render_markdown(&OVERVIEW_HEADERS, &rows),
        Format::Table | Format::Html => {
            render_table(&OVERVIEW_HEADERS, &rows)
                + "\npassed % = passed ÷ (passed + failed + unknown) requirements. Details: posture compliance STANDARD\n"
        }
    }
}

fn table(report: &ComplianceReport, per_requirement: usize) -> String {
    let s = &report.summary;
    let std = &report.standard;
    let scope = report.account.as_deref().map_or_else(|| "all accounts".to_string(), |a| format!("account {a}"));
    let mut out = format!("{} {} ({}), {scope}, as of {}\n", std.title, std.version, std.id, report.as_of);
    let pct = s.percentage.map_or_else(|| "no automated requirement has results".to_string(), |p| format!("{p:.1}% of automated requirements pass"));
    let _ = writeln!(
        out,
        "{pct}: {} passed, {} failed, {} unknown; {} exempt, {} not applicable, {} manual, {} not covered\n",
        s.passed, s.failed, s.unknown, s.exempt, s.not_applicable, s.manual, s.not_covered
    );
    out.push_str(&render_table(&REQUIREMENT_HEADERS, &requirement_rows(report, false)));
    out.push('\n');
    let failed: Vec<_> = report.requirements.iter().filter(|r| r.status == Status::Failed).collect();
    if !failed.is_empty() {
        out.push_str("\nFailing resources:\n");
    }
    for r in failed {
        let _ = writeln!(out, "  {} {}", r.id, r.title);
        for f in r.failing.iter().take(per_requirement) {
            let _ = writeln!(out, "    {:<12} {:<40} {:<14} {}", f.rule_id, short(&f.uid, 40), f.account, evidence_text(&f.evidence));
        }
        let more = r.failing_results.saturating_sub(per_requirement.min(r.failing.len()) as u64);
        if more > 0 {
            let _ = writeln!(out, "    … {more} more failing result(s) (--failing N, or --format json)");
        }
    }
    out
}
