//! Credentials and accounts: the standard credential chain, an optional role to assume, or every
//! account of an AWS Organization through a named role.

use crate::collect::AwsOptions;
use crate::error::Failure;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

/// One account to collect, with the configuration whose credentials reach it.
pub struct Account {
    pub id: String,
    pub config: SdkConfig,
}

pub async fn base_config(opts: &AwsOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(opts.max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(opts.timeout)
                // Per attempt only: an overall cap would cut throttled retries short and hide
                // the throttling behind a timeout.
                .operation_attempt_timeout(opts.timeout)
                .build(),
        );
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    let config = loader.load().await;
    if config.region().is_some() {
        return config;
    }
    // Global services and region discovery need some region; us-east-1 is where they live.
    config.into_builder().region(Region::new("us-east-1")).build()
}

async fn caller_account(config: &SdkConfig) -> Result<String, Failure> {
    let sts = aws_sdk_sts::Client::new(config);
    let who = sts.get_caller_identity().send().await.map_err(|e| Failure::from_sdk(&e))?;
    Ok(who.account().unwrap_or_default().to_string())
}

async fn assume(base: &SdkConfig, role_arn: &str) -> Result<SdkConfig, Failure> {
    let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name("posture-scan")
        .configure(base)
        .build()
        .await;
    let config = base
        .clone()
        .into_builder()
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(provider))
        .build();
    // Fail here, with the role named, rather than in every service later.
    caller_account(&config).await.map_err(|f| Failure {
        message: format!("cannot assume {role_arn}: {}", f.message),
        ..f
    })?;
    Ok(config)
}

/// The accounts to collect; failures to reach one account are returned beside the others.
pub async fn accounts(opts: &AwsOptions, base: &SdkConfig) -> Result<(Vec<Account>, Vec<(String, Failure)>), Failure> {
    if let Some(role_name) = &opts.org_role {
        return org_accounts(base, role_name).await;
    }
    let config = match &opts.role_arn {
        Some(arn) => assume(base, arn).await?,
        None => base.clone(),
    };
    let id = caller_account(&config).await?;
    Ok((vec![Account { id, config }], Vec::new()))
}

async fn org_accounts(base: &SdkConfig, role_name: &str) -> Result<(Vec<Account>, Vec<(String, Failure)>), Failure> {
    let org = aws_sdk_organizations::Client::new(base);
    let mut pages = org.list_accounts().into_paginator().send();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| Failure::from_sdk(&e))?;
        for a in page.accounts() {
            let active = a.status().is_none_or(|s| s.as_str() == "ACTIVE");
            if let (Some(id), true) = (a.id(), active) {
                ids.push(id.to_string());
            }
        }
    }
    let own = caller_account(base).await?;
    let mut accounts = Vec::new();
    let mut failed = Vec::new();
    for id in ids {
        if id == own {
            accounts.push(Account { id, config: base.clone() });
            continue;
        }
        match assume(base, &format!("arn:aws:iam::{id}:role/{role_name}")).await {
            Ok(config) => accounts.push(Account { id, config }),
            Err(f) => failed.push((id, f)),
        }
    }
    Ok((accounts, failed))
}

/// Every region enabled for the account.
pub async fn enabled_regions(config: &SdkConfig) -> Result<Vec<String>, Failure> {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let out = ec2.describe_regions().all_regions(false).send().await.map_err(|e| Failure::from_sdk(&e))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| r.opt_in_status().is_none_or(|s| s != "not-opted-in"))
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    regions.sort();
    Ok(regions)
}
