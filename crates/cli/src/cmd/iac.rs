//! `posture scan iac PATH...`: Terraform, CloudFormation, ARM, Dockerfiles and secrets, evaluated
//! with the same rules as the cloud, reported with file and line (table, JSON, SARIF, GitHub
//! annotations, GitLab code quality, JUnit).

use crate::cmd::scan::{exit_code, load_rules, print_report, scan_files, RuleArgs};
use crate::output::{short, Ctx};
use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use posture_collect_iac::report::{self, Annotation, RuleDoc};
use posture_collect_iac::{location_for, ScanOutput};
use posture_model::{ResultState, SnapshotHeader, SnapshotIssue};
use posture_rules::RuleSet;
use posture_store::{ExemptionScope, FindingFilter, FindingRow, IacLinkRow, NewExemption, SqliteStore, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct IacArgs {
    /// Files or directories (walked recursively; .git, .terraform and node_modules skipped).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// A report for pull requests and CI instead of the table: sarif, github, gitlab or junit.
    #[arg(long, value_parser = ["sarif", "github", "gitlab", "junit"])]
    report: Option<String>,
    /// Write the report to FILE instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Also report results the files cannot decide (unknown), as notes.
    #[arg(long)]
    include_unknown: bool,
}

pub fn run(a: IacArgs, opts: &RuleArgs, db: &Path, ctx: &Ctx) -> Result<ExitCode> {
    let rules = load_rules(opts)?;
    let out = posture_collect_iac::scan(&a.paths);
    if out.files == 0 {
        bail!("no infrastructure-as-code files under {}", a.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
    }
    let mut store = SqliteStore::open(db)?;
    sync_suppressions(&mut store, &out, &rules)?;
    let dir = tempfile::tempdir()?;
    let snapshot = write_snapshot(dir.path(), &out)?;
    let scan = scan_files(&[snapshot], "iac", &rules, &mut store)?;
    let links: Vec<IacLinkRow> = out
        .links
        .iter()
        .map(|l| IacLinkRow { key: l.key.clone(), iac_uid: l.iac_uid.clone(), file: l.file.clone(), line: l.line, address: l.address.clone() })
        .collect();
    store.put_iac_links(&out.account, &links)?;
    let annotations = annotations(&store, &out, &rules, a.include_unknown)?;
    let text = match a.report.as_deref() {
        Some("sarif") => report::sarif(&annotations, &rule_docs(&rules, &annotations), env!("CARGO_PKG_VERSION")),
        Some("github") => report::github(&annotations),
        Some("gitlab") => report::gitlab(&annotations),
        Some("junit") => report::junit(&annotations),
        _ => {
            if ctx.format == posture_report::Format::Json {
                println!("{}", crate::output::json(&serde_json::json!({"scan": scan, "findings": annotations})));
            } else {
                print_report(&scan, db, ctx);
                print_table(&annotations, ctx);
            }
            return Ok(exit_code(&scan, opts.fail_on));
        }
    };
    match &a.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
        }
    }
    eprintln!(
        "scan {}: {} resources in {} files, {} checks: {} pass, {} fail, {} unknown, {} suppressed",
        scan.scan_id, scan.resources, out.files, scan.evaluations, scan.pass, scan.fail, scan.unknown, scan.exempt
    );
    for i in scan.issues.iter().take(10) {
        eprintln!("  {}: {}", i.location, i.message);
    }
    Ok(exit_code(&scan, opts.fail_on))
}

/// The reason prefix that marks the exemptions inline comments made for this repository.
fn inline_tag(account: &str) -> String {
    format!("[inline {account}] ")
}

/// Inline suppressions become resource exemptions, replaced on every scan of the repository, so
/// removing the comment removes the exemption.
fn sync_suppressions(store: &mut SqliteStore, out: &ScanOutput, rules: &RuleSet) -> Result<()> {
    let tag = inline_tag(&out.account);
    let day = posture_store::today_utc();
    for e in store.exemptions(&day)? {
        if e.reason.starts_with(&tag) {
            store.remove_exemption(e.id, &day)?;
        }
    }
    for s in &out.suppressions {
        let Some(rule) = rules.get(&s.rule_id) else {
            eprintln!("warning: {}:{}: posture:ignore names unknown rule '{}'", s.file, s.line, s.rule_id);
            continue;
        };
        let e = NewExemption {
            rule_id: rule.meta.id.clone(),
            scope: ExemptionScope::Resource { uid: s.uid.clone() },
            reason: format!("{tag}{}:{}: {}", s.file, s.line, s.reason),
            expires: None,
            created_at: posture_store::now_rfc3339(),
        };
        store.add_exemption(&e, &day)?;
    }
    Ok(())
}

/// The resources as a snapshot: complete (covering the repository's account) only when every
/// file could be read, so that a parse error never resolves findings by absence.
fn write_snapshot(dir: &Path, out: &ScanOutput) -> Result<PathBuf> {
    let path = dir.join("iac.ndjson");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let accounts = if out.issues.is_empty() { vec![out.account.clone()] } else { Vec::new() };
    let mut header = SnapshotHeader::new("iac", posture_store::now_rfc3339(), accounts);
    header.issues = out
        .issues
        .iter()
        .map(|i| SnapshotIssue { location: if i.line > 0 { format!("{}:{}", i.file, i.line) } else { i.file.clone() }, message: i.message.clone() })
        .collect();
    writeln!(f, "{}", serde_json::to_string(&header)?)?;
    for r in &out.resources {
        writeln!(f, "{}", serde_json::to_string(&r.resource)?)?;
    }
    f.flush()?;
    Ok(path)
}

fn annotations(store: &SqliteStore, out: &ScanOutput, rules: &RuleSet, include_unknown: bool) -> Result<Vec<Annotation>> {
    let mut states = vec![ResultState::Fail, ResultState::Error];
    if include_unknown {
        states.push(ResultState::Unknown);
    }
    let mut rows: Vec<FindingRow> = Vec::new();
    for status in ["open", "exempt"] {
        let filter = FindingFilter { account: Some(out.account.clone()), status: Some(status.into()), states: states.clone(), ..FindingFilter::default() };
        rows.extend(store.findings(&filter)?);
    }
    let reasons: std::collections::HashMap<i64, String> =
        store.exemptions(&posture_store::today_utc())?.into_iter().map(|e| (e.id, e.reason)).collect();
    let tag = inline_tag(&out.account);
    let mut list = Vec::new();
    for f in rows {
        let Some(resource) = store.resource(&f.uid)? else { continue };
        let Some(origin) = resource.origin.as_ref() else { continue };
        let posture_model::Origin::Iac { file, line, address, .. } = origin else { continue };
        let path = f.evidence.as_ref().and_then(|e| e.get("path")).and_then(|p| p.as_str()).unwrap_or_default();
        // A kustomize overlay's patch points at the overlay's file.
        let (file, at) = location_for(&resource, path, f.evidence.as_ref().and_then(|e| e.get("value"))).unwrap_or((file.clone(), *line));
        let detail = posture_report::evidence_text(f.evidence.as_ref());
        let suppressed = f.exemption.map(|id| {
            let r = reasons.get(&id).cloned().unwrap_or_default();
            // "[inline acct] file:line: reason" → "reason (file:line)".
            match r.strip_prefix(&tag).and_then(|rest| rest.split_once(": ")) {
                Some((loc, why)) => format!("{why} ({loc})"),
                None => r,
            }
        });
        let title = rules.get(&f.rule_id).map_or(f.title.clone(), |r| r.meta.title.clone());
        list.push(Annotation {
            rule_id: f.rule_id.clone(),
            title,
            severity: f.severity,
            state: f.state,
            file,
            line: at,
            message: if detail.is_empty() { address.clone() } else { format!("{address}: {detail}") },
            uid: f.uid.clone(),
            suppressed,
        });
    }
    list.sort_by(|a, b| (&a.file, a.line, &a.rule_id, &a.uid).cmp(&(&b.file, b.line, &b.rule_id, &b.uid)));
    Ok(list)
}

fn rule_docs(rules: &RuleSet, annotations: &[Annotation]) -> Vec<RuleDoc> {
    let mut ids: Vec<&str> = annotations.iter().map(|a| a.rule_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| rules.get(id))
        .map(|r| RuleDoc {
            id: r.meta.id.clone(),
            title: r.meta.title.clone(),
            severity: r.meta.severity,
            description: r.meta.description.trim().to_string(),
            remediation: r.meta.remediation.text.trim().to_string(),
        })
        .collect()
}

fn print_table(annotations: &[Annotation], ctx: &Ctx) {
    let headers = ["severity", "state", "rule", "title", "location", "resource", "evidence", "suppressed"];
    ctx.print(annotations, &headers, |a| {
        vec![
            a.severity.to_string(),
            a.state.to_string(),
            a.rule_id.clone(),
            a.title.clone(),
            format!("{}:{}", a.file, a.line),
            a.uid.rsplit('#').next().unwrap_or_default().to_string(),
            if ctx.is_table() { short(&a.message, 70) } else { a.message.clone() },
            a.suppressed.clone().unwrap_or_default(),
        ]
    });
}
