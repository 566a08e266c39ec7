use crate::cmd::scan::{load_rules, RuleArgs};
use crate::output::{json, Ctx};
use anyhow::{bail, Result};
use clap::{Args as ClapArgs, Subcommand};
use posture_rules::run_examples;
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
            ctx.print(&metas, &["id", "severity", "kinds", "control", "title"], |m| {
                vec![m.id.clone(), m.severity.to_string(), m.kinds.join(" "), m.control.clone(), m.title.clone()]
            });
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
    println!("{} passed, {failed} failed ({} rules, {examples} examples)", set.rules.len() - failed, set.rules.len());
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
