//! `posture query`: the cloud security explorer over the security graph, from the store's current
//! inventory or straight from snapshot files.

use crate::output::{json, short, Ctx};
use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use posture_graph::query::{self, parse, row_out, Compiled, RowOut};
use posture_graph::{load, Graph, GraphBuilder, Options};
use posture_model::{ResultState, Severity};
use posture_rules::{NoLookup, RuleSet};
use posture_store::Store;
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the graph comes from: snapshot files, or the store.
#[derive(ClapArgs, Clone, Default)]
pub struct GraphArgs {
    /// Build the graph from snapshot files instead of the store's current inventory (repeatable).
    #[arg(long = "snapshot")]
    pub snapshots: Vec<PathBuf>,
    /// With --snapshot: do not evaluate the built-in rules for findings.
    #[arg(long)]
    pub no_findings: bool,
}

#[derive(ClapArgs)]
pub struct Args {
    /// The query, e.g. `aws.ec2.instance[exposed_to_internet] -can_read-> aws.s3.bucket[sensitive_data]`.
    query: Option<String>,
    /// Run a shipped template (see --list).
    #[arg(long, conflicts_with = "query")]
    template: Option<String>,
    /// List the shipped templates.
    #[arg(long)]
    list: bool,
    /// At most this many rows.
    #[arg(long, default_value_t = 200)]
    limit: usize,
    #[command(flatten)]
    graph: GraphArgs,
}

/// Builds the graph, keeping the attributes in `attrs`.
pub fn build_graph(a: &GraphArgs, db: Option<PathBuf>, attrs: Vec<String>) -> Result<Graph> {
    let mut b = GraphBuilder::new(&Options { attr_paths: attrs });
    if a.snapshots.is_empty() {
        from_store(&mut b, db)?;
    } else {
        from_snapshots(&mut b, a)?;
    }
    Ok(b.finish())
}

fn from_snapshots(b: &mut GraphBuilder, a: &GraphArgs) -> Result<()> {
    let rules = if a.no_findings { None } else { Some(crate::cmd::scan::load_rules(&Default::default())?) };
    let findings = |r: &posture_model::Resource| failing(rules.as_ref(), r);
    let report = load::snapshots_with(&a.snapshots, b, &findings)?;
    for p in report.problems.iter().take(10) {
        eprintln!("warning: {p}");
    }
    if report.resources == 0 {
        bail!(
            "no resource could be read from {}",
            a.snapshots.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(())
}

/// The rules that fail on `r` (rules that walk relations need the whole estate: left out here).
fn failing(rules: Option<&RuleSet>, r: &posture_model::Resource) -> Vec<load::FindingIn> {
    let Some(rules) = rules else { return Vec::new() };
    rules
        .for_kind(&r.kind)
        .iter()
        .filter_map(|i| rules.rules.get(*i))
        .filter(|rule| !rule.uses_related())
        .filter(|rule| rule.evaluate_applicable(r, &NoLookup).state == ResultState::Fail)
        .map(|rule| (rule.meta.id.clone(), rule.meta.severity, rule.meta.title.clone()))
        .collect()
}

fn from_store(b: &mut GraphBuilder, db: Option<PathBuf>) -> Result<()> {
    let store = crate::open(db)?;
    let kinds: Vec<String> = store.inventory_summary()?.into_iter().map(|k| k.kind).collect();
    if kinds.is_empty() {
        bail!("the inventory is empty: run `posture scan …` first, or pass --snapshot FILE");
    }
    let mut bad = 0u64;
    store.for_each_current_resource(None, &kinds, &mut |c| match c.row.to_resource() {
        Ok(r) => b.add(r),
        Err(_) => bad += 1,
    })?;
    if bad > 0 {
        eprintln!("warning: {bad} stored resource(s) could not be decoded and are not in the graph");
    }
    let infos: std::collections::HashMap<String, (Severity, String)> =
        store.rule_infos()?.into_iter().map(|r| (r.id, (r.severity, r.title))).collect();
    for f in store.current_results(&posture_store::today_utc())? {
        if f.state != ResultState::Fail || f.exempt {
            continue;
        }
        if let Some((sev, title)) = infos.get(&f.rule_id) {
            b.add_finding(&f.uid, &f.rule_id, *sev, title);
        }
    }
    Ok(())
}

pub fn run(a: Args, db: Option<PathBuf>, ctx: &Ctx) -> Result<ExitCode> {
    let templates = query::templates()?;
    if a.list {
        ctx.print(&templates, &["name", "title", "query"], |t| {
            vec![
                t.name.clone(),
                t.title.clone(),
                if ctx.is_table() {
                    short(&t.query.split_whitespace().collect::<Vec<_>>().join(" "), 70)
                } else {
                    t.query.clone()
                },
            ]
        });
        return Ok(ExitCode::SUCCESS);
    }
    let text = match (&a.query, &a.template) {
        (Some(q), _) => q.clone(),
        (None, Some(name)) => match templates.iter().find(|t| &t.name == name) {
            Some(t) => t.query.clone(),
            None => {
                let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
                bail!("no template named '{name}'; templates: {}", names.join(", "));
            }
        },
        (None, None) => bail!("give a query, --template NAME or --list"),
    };
    let text = text.trim().to_string();
    let ast = parse(&text).map_err(|e| anyhow::anyhow!("{}", e.render(&text).trim_start_matches("error: ")))?;
    let graph = build_graph(&a.graph, db, query::attr_paths(&ast)).context("building the security graph")?;
    let compiled =
        Compiled::new(&graph, ast).map_err(|e| anyhow::anyhow!("{}", e.render(&text).trim_start_matches("error: ")))?;
    let outcome = compiled.run(a.limit);
    let rows: Vec<RowOut> = outcome.rows.iter().map(|r| row_out(&graph, r)).collect();
    print_rows(&rows, ctx);
    if outcome.truncated {
        eprintln!("(first {} rows; raise --limit for more)", a.limit);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_rows(rows: &[RowOut], ctx: &Ctx) {
    if !ctx.is_table() && ctx.format != posture_report::Format::Csv && ctx.format != posture_report::Format::Md {
        println!("{}", json(rows));
        return;
    }
    let steps = rows.first().map_or(1, |r| r.nodes.len());
    let mut headers: Vec<String> = Vec::new();
    for i in 0..steps {
        if i > 0 {
            headers.push(format!("edge {i}"));
        }
        headers.push(
            rows.first().and_then(|r| r.nodes.get(i)).map_or("node".into(), |n| format!("{} ({})", i + 1, n.kind)),
        );
    }
    headers.push("certainty".into());
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    ctx.print(rows, &header_refs, |r| cells(r, ctx.is_table()));
    if ctx.is_table() {
        eprintln!("{} row(s)", rows.len());
    }
}

/// One row: each matched node's name, and between them the edge types walked.
fn cells(r: &RowOut, table: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut e = 0;
    for (i, n) in r.nodes.iter().enumerate() {
        if i > 0 {
            let mut types = Vec::new();
            while let Some(edge) = r.edges.get(e) {
                types.push(edge.ty.clone());
                e += 1;
                if edge.to == n.uid {
                    break;
                }
            }
            out.push(types.join(" → "));
        }
        out.push(if table { short(&n.name, 48) } else { n.uid.clone() });
    }
    out.push(r.certainty.to_string());
    out
}
