//! The collection plan: accounts × regions × services, run concurrently with a bound.

use crate::error::Failure;
use crate::out::{Issue, Out, Scope};
use crate::services::Service;
use crate::session::{accounts, base_config, enabled_regions, Account};
use posture_model::Resource;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// Default: every region enabled for each account.
    pub regions: Option<Vec<String>>,
    /// Default: every service Posture collects.
    pub services: Option<Vec<Service>>,
    pub role_arn: Option<String>,
    /// Collect every account of the organization through this role name.
    pub org_role: Option<String>,
    pub max_attempts: u32,
    pub timeout: Duration,
    /// (account, region, service) tasks running at once.
    pub concurrency: usize,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            regions: None,
            services: None,
            role_arn: None,
            org_role: None,
            max_attempts: 5,
            timeout: Duration::from_secs(20),
            concurrency: 16,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CollectReport {
    pub accounts: Vec<String>,
    /// Accounts whose every listing succeeded: absence there means a resource is gone.
    pub covered_accounts: Vec<String>,
    pub issues: Vec<Issue>,
}

/// Collects everything `opts` asks for, sending resources to `tx` as they are read. Fails only when
/// no account can be reached at all.
pub async fn collect(opts: &AwsOptions, tx: Sender<Resource>) -> Result<CollectReport, Failure> {
    let base = base_config(opts).await;
    let (accounts, unreachable) = accounts(opts, &base).await?;
    let out = Out::new(tx);
    let services = opts.services.clone().unwrap_or_else(|| Service::ALL.to_vec());
    let limit = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let mut report = CollectReport::default();
    for (id, f) in &unreachable {
        let scope = Scope { account: id.clone(), region: "global".into(), service: "sts" };
        out.list_failed(&scope, "AssumeRole", f);
        report.accounts.push(id.clone());
    }
    for account in accounts {
        report.accounts.push(account.id.clone());
        let regions = match &opts.regions {
            Some(r) => r.clone(),
            None => match enabled_regions(&account.config).await {
                Ok(r) => r,
                Err(f) => {
                    let scope = Scope { account: account.id.clone(), region: "global".into(), service: "ec2" };
                    out.list_failed(&scope, "DescribeRegions", &f);
                    continue;
                }
            },
        };
        let account = Arc::new(account);
        for &service in &services {
            let targets: Vec<String> = if service.is_global() { vec!["global".into()] } else { regions.clone() };
            for region in targets {
                let (account, out, limit) = (account.clone(), out.clone(), limit.clone());
                let regions = regions.clone();
                tasks.spawn(async move {
                    let _permit = limit.acquire().await;
                    run(service, &account, &region, &regions, &out).await;
                });
            }
        }
    }
    while tasks.join_next().await.is_some() {}
    // What needs the whole collection: S3 buckets' data event coverage by the trails.
    out.release().await;
    let (issues, incomplete) = out.take();
    // Only a collection of every service in every enabled region proves that a resource missing
    // from it is gone; a narrowed one (`--services`, `--regions`) claims no account.
    let whole = opts.services.is_none() && opts.regions.is_none();
    report.covered_accounts = report.accounts.iter().filter(|a| whole && !incomplete.contains(*a)).cloned().collect();
    report.issues = issues;
    Ok(report)
}

async fn run(service: Service, account: &Account, region: &str, regions: &[String], out: &Out) {
    let config = if service.is_global() {
        account.config.clone()
    } else {
        account.config.clone().into_builder().region(aws_config::Region::new(region.to_string())).build()
    };
    let scope = Scope { account: account.id.clone(), region: region.to_string(), service: service.name() };
    crate::services::collect(service, &config, &scope, regions, out).await;
}
