//! `posture paths`: attack paths, ranked and grouped by risk category, with choke points, and
//! one path explained step by step with the fix that breaks it.

use crate::cmd::query::{build_graph, GraphArgs};
use crate::output::{json, short, Ctx};
use crate::{parse_severity, EXIT_FINDINGS};
use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use posture_graph::paths::{self, Category, Path, Report};
use posture_graph::Certainty;
use posture_model::Severity;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Explain one path (its id, e.g. AP-1a2b3c4d) step by step.
    #[arg(long)]
    explain: Option<String>,
    /// Only this category: credentials_exposure, compute_abuse, data_exposure, account_takeover.
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// Also list paths that depend on data that was not collected.
    #[arg(long)]
    include_unknown: bool,
    /// More path definitions (*.yaml), added to the shipped ones (repeatable).
    #[arg(long = "definitions")]
    definitions: Vec<PathBuf>,
    /// At most this many paths in the table.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Exit with status 3 when a path at or above this severity exists.
    #[arg(long, value_parser = parse_severity)]
    fail_on: Option<Severity>,
    #[command(flatten)]
    graph: GraphArgs,
}

fn parse_category(s: &str) -> Result<Category, String> {
    Category::parse(s).ok_or_else(|| {
        format!("unknown category '{s}' (credentials_exposure, compute_abuse, data_exposure, account_takeover)")
    })
}

fn extra_definitions(dirs: &[PathBuf]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for d in dirs {
        let files: Vec<PathBuf> = if d.is_dir() {
            let mut f: Vec<PathBuf> = std::fs::read_dir(d)?.flatten().map(|e| e.path()).collect();
            f.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")));
            f.sort();
            f
        } else {
            vec![d.clone()]
        };
        for f in files {
            let text = std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
            out.push((f.display().to_string(), text));
        }
    }
    Ok(out)
}

pub fn run(a: Args, db: Option<PathBuf>, ctx: &Ctx) -> Result<ExitCode> {
    let defs = paths::definitions(&extra_definitions(&a.definitions)?)?;
    let graph = build_graph(&a.graph, db, Vec::new()).context("building the security graph")?;
    let opts = paths::Options {
        min_certainty: if a.include_unknown { Certainty::Unknown } else { Certainty::Conditional },
        count_hidden: !a.include_unknown,
        ..Default::default()
    };
    let mut report = paths::find(&graph, &defs, &opts)?;
    if let Some(c) = a.category {
        report.paths.retain(|p| p.category == c);
    }
    if let Some(id) = &a.explain {
        let Some(p) = report.paths.iter().find(|p| p.id.eq_ignore_ascii_case(id)) else {
            bail!("no path {id} (ids change only when a path's resources change; list them with `posture paths`)");
        };
        if ctx.is_table() {
            print!("{}", paths::explain(&graph, p));
        } else {
            println!("{}", json(p));
        }
        return Ok(ExitCode::SUCCESS);
    }
    print_report(&report, a.limit, ctx);
    Ok(exit_code(&report, a.fail_on))
}

fn chain(p: &Path) -> String {
    let mut names = vec![short(&p.entry.name, 28)];
    let inner = p.steps.len().saturating_sub(if p.steps.first().is_some_and(|s| s.ty == "exposes") { 2 } else { 1 });
    if inner > 0 {
        names.push(format!("({inner} hop{})", if inner == 1 { "" } else { "s" }));
    }
    names.push(short(&p.target.name, 28));
    let start = if p.steps.first().is_some_and(|s| s.ty == "exposes") { "Internet → " } else { "" };
    format!("{start}{}", names.join(" → "))
}

fn print_report(r: &Report, limit: usize, ctx: &Ctx) {
    if !ctx.is_table() {
        println!("{}", json(r));
        return;
    }
    if r.paths.is_empty() {
        println!("No attack paths found.");
    }
    for c in Category::ALL {
        let list: Vec<&Path> = r.paths.iter().filter(|p| p.category == c).take(limit).collect();
        if list.is_empty() {
            continue;
        }
        let total = r.paths.iter().filter(|p| p.category == c).count();
        println!("\n{} ({total})", c.title());
        ctx.print(&list, &["id", "risk", "path", "certainty", "fix"], |p| {
            vec![
                p.id.clone(),
                format!("{} {:.1}", p.severity, p.risk),
                chain(p),
                p.certainty.to_string(),
                short(&p.fix.text, 60),
            ]
        });
    }
    if !r.choke_points.is_empty() {
        println!("\nChoke points (resources many paths go through)");
        ctx.print(&r.choke_points, &["resource", "kind", "paths", "categories"], |c| {
            let cats: Vec<&str> = c.categories.iter().map(|x| x.as_str()).collect();
            vec![short(&c.node.name, 48), c.node.kind.clone(), c.paths.to_string(), cats.join(", ")]
        });
    }
    if r.hidden_unknown > 0 {
        println!(
            "\n{} more path(s) depend on data that was not collected: --include-unknown lists them.",
            r.hidden_unknown
        );
    }
    for d in &r.truncated {
        eprintln!("warning: definition {d} hit its path cap; the list is incomplete");
    }
    if !r.paths.is_empty() {
        println!("\nExplain one: posture paths --explain {}", r.paths[0].id);
    }
}

fn exit_code(r: &Report, fail_on: Option<Severity>) -> ExitCode {
    let Some(min) = fail_on else { return ExitCode::SUCCESS };
    let n = r.paths.iter().filter(|p| p.severity >= min).count();
    if n > 0 {
        eprintln!("{n} attack path(s) at or above {min}");
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}
