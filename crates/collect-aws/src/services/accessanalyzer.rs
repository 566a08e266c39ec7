//! IAM Access Analyzer: the analyzers of each region and the active findings of its external
//! access analyzers, as one `region_settings` record per region.

use super::{obj, resource};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_accessanalyzer::types::{AnalyzerSummary, Criterion};
use aws_sdk_accessanalyzer::Client;
use serde_json::{json, Value};

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let aa = Client::new(config);
    let mut analyzers: Vec<AnalyzerSummary> = Vec::new();
    let mut pages = aa.list_analyzers().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => analyzers.extend(p.analyzers().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListAnalyzers", &Failure::from_sdk(&e)),
        }
    }
    let uid = format!("arn:aws:access-analyzer:{}:{}:region-settings", scope.region, scope.account);
    let mut r = resource(scope, uid, "aws.accessanalyzer.region_settings", &scope.region);
    let list: Vec<Value> = analyzers
        .iter()
        .map(|a| json!({"name": a.name(), "arn": a.arn(), "type": a.r#type().as_str(), "status": a.status().as_str()}))
        .collect();
    r.attrs = obj(json!({"analyzers": list}));
    let external: Vec<&AnalyzerSummary> =
        analyzers.iter().filter(|a| matches!(a.r#type().as_str(), "ACCOUNT" | "ORGANIZATION")).collect();
    let findings = if external.is_empty() {
        Some(Value::Null)
    } else {
        active_findings(&aa, scope, out, &external).await.map(Value::from)
    };
    super::set(&mut r, "active_external_access_findings", findings);
    out.emit(r).await;
}

async fn active_findings(aa: &Client, scope: &Scope, out: &Out, analyzers: &[&AnalyzerSummary]) -> Option<u64> {
    let mut total = 0u64;
    for a in analyzers {
        let active = Criterion::builder().eq("ACTIVE").build();
        let mut pages = aa.list_findings_v2().analyzer_arn(a.arn()).filter("status", active).into_paginator().send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(p) => total += p.findings().len() as u64,
                Err(e) => {
                    out.attr_failed(scope, &format!("ListFindingsV2({})", a.name()), &Failure::from_sdk(&e));
                    return None;
                }
            }
        }
    }
    Some(total)
}
