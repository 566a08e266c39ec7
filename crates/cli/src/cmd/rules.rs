use crate::cmd::scan::{load_rules, RuleArgs};
use crate::output::{json, Ctx};
use anyhow::{bail, Result};
use clap::{Args as ClapArgs, Subcommand};
use posture_report::{coverage_markdown, render_markdown, Format};
use posture_rules::{run_examples, RuleSet};
use posture_standards::{check_manual, check_rules, Standards};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum Action {
    /// Every loaded rule.
    List(Load),
    /// One rule in full.
    Show {
        id: String,
        #[command(flatten)]
        load: Load,
    },
    /// Run every rule's healthy, unhealthy and unknown examples.
    Test(Load),
    /// The coverage table of the built-in rules and standards (docs/coverage.md), in Markdown.
    Coverage,
}

#[derive(ClapArgs)]
pub struct Load {
    /// Directory of custom rule files (repeatable).
    #[arg(long = "rules")]
    rules: Vec<PathBuf>,
    /// Use only the rules given with --rules.
    #[arg(long)]
    no_builtin_rules: bool,
}

impl Load {
    fn args(&self) -> RuleArgs {
        RuleArgs { rules: self.rules.clone(), no_builtin_rules: self.no_builtin_rules, fail_on: None }
    }
}

pub fn run(action: Action, ctx: &Ctx) -> Result<ExitCode> {
    match action {
        Action::List(load) => {
            let set = load_rules(&load.args())?;
            let metas: Vec<_> = set.rules.iter().map(|r| r.meta.clone()).collect();
            if ctx.format == Format::Md {
                // A document: every mapping spelled out.
                let rows: Vec<Vec<String>> = metas
                    .iter()
                    .map(|m| {
                        let frameworks: Vec<String> =
                            m.frameworks.iter().map(|(k, ids)| format!("{k}: {}", ids.join(", "))).collect();
                        vec![
                            format!("`{}`", m.id),
                            m.title.clone(),
                            m.severity.to_string(),
                            m.kinds.join(", "),
                            m.control.clone(),
                            m.benchmark.join(", "),
                            frameworks.join("; "),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    render_markdown(&["id", "title", "severity", "kinds", "control", "benchmark", "frameworks"], &rows)
                );
                return Ok(ExitCode::SUCCESS);
            }
            ctx.print(&metas, &["id", "severity", "kinds", "control", "title"], |m| {
                vec![m.id.clone(), m.severity.to_string(), m.kinds.join(" "), m.control.clone(), m.title.clone()]
            });
            Ok(ExitCode::SUCCESS)
        }
        Action::Coverage => {
            let rules = RuleSet::builtin().map_err(|e| anyhow::anyhow!("{} built-in rule error(s)", e.len()))?;
            let standards = standards()?;
            print!("{}", coverage_markdown(&rules, &standards));
            Ok(ExitCode::SUCCESS)
        }
        Action::Show { id, load } => {
            let set = load_rules(&load.args())?;
            let Some(rule) = set.get(&id) else { bail!("no rule '{id}'") };
            if !ctx.is_table() {
                println!("{}", json(&rule.meta));
                return Ok(ExitCode::SUCCESS);
            }
            let m = &rule.meta;
            println!("{} — {}\n", m.id, m.title);
            println!("severity:   {}\nkinds:      {}\ncontrol:    {}", m.severity, m.kinds.join(", "), m.control);
            if !m.benchmark.is_empty() {
                println!("benchmark:  {}", m.benchmark.join(", "));
            }
            for (fw, ids) in &m.frameworks {
                println!("{fw}: {}", ids.join(", "));
            }
            println!("source:     {}\n\n{}\n\nRisk: {}\n\nRemediation: {}", m.source, m.description, m.risk, m.remediation.text);
            if let Some(cli) = &m.remediation.cli {
                println!("\n  $ {cli}");
            }
            if let Some(tf) = &m.remediation.terraform {
                println!("\nTerraform:\n{tf}");
            }
            println!("\nCheck: {}", rule.check.describe);
            Ok(ExitCode::SUCCESS)
        }
        Action::Test(load) => test(&load),
    }
}

fn test(load: &Load) -> Result<ExitCode> {
    let set = load_rules(&load.args())?;
    let mut failed = 0;
    let mut examples = 0;
    for rule in &set.rules {
        let ex = &rule.examples;
        examples += ex.healthy.len() + ex.unhealthy.len() + ex.unknown.len();
        let failures = run_examples(rule);
        if !failures.is_empty() {
            failed += 1;
            for f in failures {
                println!("FAIL {} {}:{}: {}", f.rule_id, f.file, f.line, f.message);
            }
        }
    }
    // Mappings that no standard resolves do not fail custom rules (a team may map its own
    // frameworks) but are worth a look; for the built-in rules a test makes them errors.
    let standards = standards()?;
    let warnings: Vec<_> = check_rules(&standards, &set).into_iter().chain(check_manual(&standards, &set)).collect();
    for w in &warnings {
        println!("WARN {w}");
    }
    println!("{} passed, {failed} failed ({} rules, {examples} examples)", set.rules.len() - failed, set.rules.len());
    if !warnings.is_empty() {
        println!("{} mapping warning(s): see the WARN lines", warnings.len());
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn standards() -> Result<Standards> {
    Standards::builtin().map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        anyhow::anyhow!("the built-in standards do not load:\n{}", list.join("\n"))
    })
}
