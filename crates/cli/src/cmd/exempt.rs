use crate::cmd::scan::{load_rules, RuleArgs};
use crate::output::{json, Ctx};
use anyhow::{bail, Result};
use clap::{ArgGroup, Args as ClapArgs, Subcommand};
use posture_store::{ExemptionScope, NewExemption, SqliteStore, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum Action {
    /// Mute a rule for an account, a resource or a tag. Its results are kept with status exempt,
    /// left out of the secure score (from the next scan) and of --fail-on.
    Add(AddArgs),
    /// Every exemption, whether it is in force, and how many current findings it covers.
    List,
    /// Delete an exemption; the findings it covered are open again.
    Remove {
        /// The exemption's id (see `posture exempt list`).
        id: i64,
    },
}

#[derive(ClapArgs)]
#[command(group(ArgGroup::new("scope").required(true).args(["account", "resource", "tag"])))]
pub struct AddArgs {
    /// The rule to mute, e.g. AWS.S3.1.
    #[arg(long)]
    rule: String,
    /// Every resource of this account (AWS account, subscription, project, cluster).
    #[arg(long)]
    account: Option<String>,
    /// One resource, by uid.
    #[arg(long)]
    resource: Option<String>,
    /// Every resource with this tag, as KEY=VALUE.
    #[arg(long, value_parser = parse_tag)]
    tag: Option<(String, String)>,
    /// Why: who accepted the risk, the ticket, the compensating control.
    #[arg(long)]
    reason: String,
    /// YYYY-MM-DD (UTC): the first day it no longer applies. Without it, it lasts until removed.
    #[arg(long, value_parser = parse_date)]
    expires: Option<String>,
    /// Directory of custom rule files, so that their ids are accepted (repeatable).
    #[arg(long = "rules")]
    rules: Vec<PathBuf>,
}

fn parse_tag(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("'{s}' is not KEY=VALUE")),
    }
}

fn parse_date(s: &str) -> Result<String, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &format).map(|_| s.to_string()).map_err(|_| format!("'{s}' is not a date as YYYY-MM-DD"))
}

pub fn run(action: Action, store: &mut SqliteStore, ctx: &Ctx) -> Result<ExitCode> {
    let today = posture_store::today_utc();
    match action {
        Action::Add(a) => add(a, store, ctx, &today),
        Action::List => {
            let list = store.exemptions(&today)?;
            ctx.print(&list, &["id", "rule", "scope", "reason", "expires", "in force", "findings", "created"], |e| {
                vec![
                    e.id.to_string(),
                    e.rule_id.clone(),
                    e.scope.to_string(),
                    e.reason.clone(),
                    e.expires.clone().unwrap_or_else(|| "never".into()),
                    if e.active { "yes".into() } else { "expired".into() },
                    e.findings.to_string(),
                    e.created_at.clone(),
                ]
            });
            Ok(ExitCode::SUCCESS)
        }
        Action::Remove { id } => {
            if !store.remove_exemption(id, &today)? {
                bail!("no exemption {id} (see `posture exempt list`)");
            }
            if ctx.is_table() {
                println!("exemption {id} removed; the findings it covered are open again");
            } else {
                println!("{}", json(&serde_json::json!({ "removed": id })));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn add(a: AddArgs, store: &mut SqliteStore, ctx: &Ctx, today: &str) -> Result<ExitCode> {
    let rule_id = known_rule(&a.rule, &a.rules, store)?;
    if a.reason.trim().is_empty() {
        bail!("--reason must say why the rule is muted");
    }
    if let Some(day) = a.expires.as_deref().filter(|d| *d <= today) {
        bail!("--expires {day} is not after today ({today}): the exemption would never apply");
    }
    let scope = match (a.account, a.resource, a.tag) {
        (Some(account), _, _) => ExemptionScope::Account { account },
        (_, Some(uid), _) => ExemptionScope::Resource { uid },
        (_, _, Some((key, value))) => ExemptionScope::Tag { key, value },
        // clap requires exactly one of the three.
        _ => bail!("give --account, --resource or --tag"),
    };
    let new = NewExemption {
        rule_id,
        scope,
        reason: a.reason.trim().to_string(),
        expires: a.expires,
        created_at: posture_store::now_rfc3339(),
    };
    let e = store.add_exemption(&new, today)?;
    if !ctx.is_table() {
        println!("{}", json(&e));
        return Ok(ExitCode::SUCCESS);
    }
    let until = e.expires.as_deref().map_or_else(|| "until removed".to_string(), |d| format!("until {d} (exclusive)"));
    println!("exemption {}: {} for {}, {until}", e.id, e.rule_id, e.scope);
    println!(
        "it covers {} current finding(s), now shown with status exempt; the secure score leaves them out from the next scan",
        e.findings
    );
    Ok(ExitCode::SUCCESS)
}

/// The rule's id as the rules spell it: a built-in or custom rule, or one a past scan used.
fn known_rule(id: &str, dirs: &[PathBuf], store: &SqliteStore) -> Result<String> {
    let set = load_rules(&RuleArgs { rules: dirs.to_vec(), no_builtin_rules: false, fail_on: None })?;
    if let Some(rule) = set.get(id) {
        return Ok(rule.meta.id.clone());
    }
    if let Some(stored) = store.rule_infos()?.into_iter().find(|r| r.id.eq_ignore_ascii_case(id)) {
        return Ok(stored.id);
    }
    bail!("no rule '{id}' (`posture rules list` shows them; custom rules need --rules DIR)")
}
