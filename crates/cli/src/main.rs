//! `posture`: the command line. Parses arguments, opens the store, and hands off to one command.

mod cmd;
mod output;

// Scans parse and drop millions of small JSON trees on several threads; glibc's allocator
// spent a quarter of a 100k-resource scan in malloc and free, mimalloc a fraction of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use posture_model::{ResultState, Severity};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "posture", version, about = "Cloud security posture: scan, findings, secure score, inventory")]
struct Cli {
    /// SQLite database (default: $POSTURE_DB, else posture.db in the user's data directory).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Output format: table (default), json, csv, md; html for compliance reports.
    #[arg(long, global = true, default_value = "table")]
    format: posture_report::Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Collect or import resources, evaluate every rule, store the results as one scan.
    Scan {
        #[command(subcommand)]
        source: cmd::scan::Source,
    },
    /// Findings of the stored scans (open ones by default).
    Findings(cmd::findings::Args),
    /// The resources of the current inventory.
    Inventory(cmd::inventory::Args),
    /// The secure score per control, overall and per account.
    Score(cmd::score::Args),
    /// Past scans, with their status and the problems they recorded.
    Scans(cmd::scans::Args),
    /// Rules: list, show one, or test every rule's examples.
    Rules {
        #[command(subcommand)]
        action: cmd::rules::Action,
    },
    /// Compliance with a standard per requirement; without STANDARD, every standard's percentage.
    Compliance(cmd::compliance::Args),
    /// Exemptions: mute a rule for an account, a resource or a tag, with a reason.
    Exempt {
        #[command(subcommand)]
        action: cmd::exempt::Action,
    },
    /// Scan the built-in demo estate into a fresh store and show what Posture reports.
    Demo(cmd::demo::Args),
    /// Explore the security graph with a query or a saved template (`--list`).
    Query(cmd::query::Args),
    /// Attack paths from entry points to targets, ranked and grouped, with choke points and fixes.
    Paths(cmd::paths::Args),
}

/// Exit status when `--fail-on` finds failures at or above the threshold.
pub const EXIT_FINDINGS: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let ctx = output::Ctx { format: cli.format };
    if cli.format == posture_report::Format::Html && !matches!(cli.command, Command::Compliance(_)) {
        anyhow::bail!("--format html is for `posture compliance STANDARD`; use table, json, csv or md here");
    }
    match cli.command {
        Command::Scan { source } => cmd::scan::run(source, &db_path(cli.db)?, &ctx),
        Command::Findings(a) => cmd::findings::run(a, &open(cli.db)?, &ctx),
        Command::Inventory(a) => cmd::inventory::run(a, &open(cli.db)?, &ctx),
        Command::Score(a) => cmd::score::run(a, &open(cli.db)?, &ctx),
        Command::Scans(a) => cmd::scans::run(a, &open(cli.db)?, &ctx),
        Command::Rules { action } => cmd::rules::run(action, &ctx),
        Command::Compliance(a) => cmd::compliance::run(a, &open(cli.db)?, &ctx),
        Command::Exempt { action } => cmd::exempt::run(action, &mut open(cli.db)?, &ctx),
        Command::Demo(a) => cmd::demo::run(a, cli.db, &ctx),
        Command::Query(a) => cmd::query::run(a, cli.db, &ctx),
        Command::Paths(a) => cmd::paths::run(a, cli.db, &ctx),
    }
}

fn db_path(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = flag.or_else(|| std::env::var_os("POSTURE_DB").map(PathBuf::from)) {
        return Ok(p);
    }
    let dir = dirs::data_dir().context("no data directory for this user: pass --db PATH")?;
    Ok(dir.join("posture").join("posture.db"))
}

fn open(flag: Option<PathBuf>) -> Result<posture_store::SqliteStore> {
    let path = db_path(flag)?;
    Ok(posture_store::SqliteStore::open(&path)?)
}

fn parse_state(s: &str) -> Result<ResultState, String> {
    ResultState::parse(s).ok_or_else(|| format!("unknown state '{s}' (pass, fail, unknown, error)"))
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse::<Severity>().map_err(|e| e.to_string())
}
