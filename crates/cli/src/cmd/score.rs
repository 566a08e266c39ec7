use crate::output::{json, Ctx};
use anyhow::Result;
use clap::Args as ClapArgs;
use posture_report::{score_history, secure_score, Format, SecureScore};
use posture_rules::RuleSet;
use posture_store::{SqliteStore, Store};
use serde::Serialize;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// The score after every past scan, oldest first: overall it combines each account's latest
    /// score at that time; with --account, that account's.
    #[arg(long)]
    history: bool,
    /// Only this account (AWS account, subscription, project, cluster).
    #[arg(long)]
    account: Option<String>,
    /// One line per account.
    #[arg(long)]
    by_account: bool,
}

pub fn run(a: Args, store: &SqliteStore, ctx: &Ctx) -> Result<ExitCode> {
    let controls = RuleSet::builtin().map_err(|_| anyhow::anyhow!("built-in rules do not load"))?.controls;
    if a.history {
        return history(store, &controls, a.account.as_deref(), ctx);
    }
    let mut rows = store.current_scores()?;
    if let Some(acct) = &a.account {
        rows.retain(|r| &r.account == acct);
    }
    if a.by_account {
        let mut accounts: Vec<String> = rows.iter().map(|r| r.account.clone()).collect();
        accounts.dedup();
        let per: Vec<AccountScore> = accounts
            .into_iter()
            .map(|acct| {
                let mine: Vec<_> = rows.iter().filter(|r| r.account == acct).cloned().collect();
                AccountScore { score: secure_score(&mine, &controls), account: acct }
            })
            .collect();
        ctx.print(&per, &["account", "score %", "points", "max"], |p| {
            vec![
                p.account.clone(),
                format!("{:.0}", p.score.percentage),
                p.score.current_points.to_string(),
                p.score.max_points.to_string(),
            ]
        });
        return Ok(ExitCode::SUCCESS);
    }
    print_score(&secure_score(&rows, &controls), ctx);
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct AccountScore {
    account: String,
    score: SecureScore,
}

pub fn print_score(s: &SecureScore, ctx: &Ctx) {
    if ctx.format == Format::Json {
        println!("{}", json(s));
        return;
    }
    if ctx.is_table() {
        println!("Secure score: {:.0}% ({} of {} points)", s.percentage, s.current_points, s.max_points);
    }
    ctx.print(
        &s.controls,
        &["control", "current", "max", "potential increase", "healthy", "unhealthy", "unknown"],
        |c| {
            vec![
                c.title.clone(),
                if c.scored { format!("{:.2}", c.current_points) } else { "not scored".into() },
                c.max_points.to_string(),
                format!("+{:.2}", c.potential_increase),
                c.healthy.to_string(),
                c.unhealthy.to_string(),
                c.unknown.to_string(),
            ]
        },
    );
}

fn history(store: &SqliteStore, controls: &[posture_rules::Control], account: Option<&str>, ctx: &Ctx) -> Result<ExitCode> {
    let points = score_history(&store.score_history()?, controls, account);
    ctx.print(&points, &["scan", "finished", "source", "status", "accounts", "score %", "points", "max"], |h| {
        vec![
            h.scan_id.to_string(),
            h.finished_at.clone().unwrap_or_default(),
            h.source.clone(),
            h.status.clone(),
            h.accounts.len().to_string(),
            format!("{:.1}", h.score.percentage),
            h.score.current_points.to_string(),
            h.score.max_points.to_string(),
        ]
    });
    Ok(ExitCode::SUCCESS)
}
