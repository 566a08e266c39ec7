//! ECR private repositories: effective scanning configuration, tag immutability, encryption,
//! lifecycle policy and repository policy.

use super::{obj, policy_value, record, relate, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_ecr::types::Repository;
use aws_sdk_ecr::Client;
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::HashMap;

const PER_REGION: usize = 8;
/// `BatchGetRepositoryScanningConfiguration` takes at most this many repositories.
const SCAN_BATCH: usize = 25;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let ecr = Client::new(config);
    let mut list = Vec::new();
    let mut pages = ecr.describe_repositories().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.repositories().iter().cloned()),
            Err(e) => return out.list_failed(scope, "DescribeRepositories", &Failure::from_sdk(&e)),
        }
    }
    let scanning = scanning(&ecr, scope, out, &list).await;
    super::emit_each(out, list, PER_REGION, |repo| repository(&ecr, scope, out, repo, &scanning)).await;
}

/// Each repository's effective scanning configuration (registry rules applied); a repository
/// missing from the map is unknown.
async fn scanning(ecr: &Client, scope: &Scope, out: &Out, repos: &[Repository]) -> HashMap<String, Value> {
    let mut map = HashMap::new();
    if repos.is_empty() {
        return map;
    }
    let scan_type = match ecr.get_registry_scanning_configuration().send().await {
        Ok(c) => Some(json!(c.scanning_configuration().and_then(|s| s.scan_type()).map(|t| t.as_str()))),
        Err(e) => {
            out.attr_failed(scope, "GetRegistryScanningConfiguration", &Failure::from_sdk(&e));
            None
        }
    };
    let names: Vec<&str> = repos.iter().filter_map(|r| r.repository_name()).collect();
    for chunk in names.chunks(SCAN_BATCH) {
        let answer = ecr.batch_get_repository_scanning_configuration().set_repository_names(Some(chunk.iter().map(|s| s.to_string()).collect())).send().await;
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                out.attr_failed(scope, "BatchGetRepositoryScanningConfiguration", &Failure::from_sdk(&e));
                continue;
            }
        };
        for c in answer.scanning_configurations() {
            let Some(name) = c.repository_name() else { continue };
            let mut v = json!({
                "scan_on_push": c.scan_on_push(),
                "scan_frequency": c.scan_frequency().map_or("MANUAL", |f| f.as_str()),
            });
            if let Some(t) = &scan_type {
                v["scan_type"] = t.clone();
            }
            map.insert(name.to_string(), v);
        }
    }
    map
}

async fn repository(ecr: &Client, scope: &Scope, out: &Out, repo: Repository, scanning: &HashMap<String, Value>) -> Resource {
    let name = repo.repository_name().unwrap_or_default();
    let uid = repo.repository_arn().map_or_else(|| super::arn(scope, "ecr", &format!("repository/{name}")), str::to_string);
    let mut r = resource(scope, uid, "aws.ecr.repository", name);
    r.attrs = obj(json!({"repository_name": name, "repository_uri": repo.repository_uri().unwrap_or_default()}));
    set(&mut r, "image_tag_mutability", repo.image_tag_mutability().map(|m| json!(m.as_str())));
    set(&mut r, "scanning_configuration", scanning.get(name).cloned());
    if let Some(e) = repo.encryption_configuration() {
        r.attrs.insert("encryption_configuration".into(), json!({"encryption_type": e.encryption_type().as_str(), "kms_key": e.kms_key()}));
        if let Some(k) = e.kms_key() {
            relate(&mut r, "encrypted_with", k);
        }
    }
    let lifecycle = match ecr.get_lifecycle_policy().repository_name(name).send().await {
        Ok(p) => Some(lifecycle_value(p.lifecycle_policy_text())),
        Err(e) => absent_or_record(out, scope, &format!("GetLifecyclePolicy({name})"), &Failure::from_sdk(&e), "LifecyclePolicyNotFoundException"),
    };
    set(&mut r, "lifecycle_policy", lifecycle);
    let policy = match ecr.get_repository_policy().repository_name(name).send().await {
        Ok(p) => {
            let mut problems = Vec::new();
            let v = policy_value(p.policy_text(), &mut problems);
            record(out, scope, &format!("GetRepositoryPolicy({name})"), problems);
            v
        }
        Err(e) => absent_or_record(out, scope, &format!("GetRepositoryPolicy({name})"), &Failure::from_sdk(&e), "RepositoryPolicyNotFoundException"),
    };
    set(&mut r, "policy", policy);
    r
}

/// The number of rules of a lifecycle policy; `null` when there is none.
pub(crate) fn lifecycle_value(text: Option<&str>) -> Value {
    let Some(text) = text else { return Value::Null };
    let rules = serde_json::from_str::<Value>(text).ok().and_then(|v| v["rules"].as_array().map(Vec::len)).unwrap_or(0);
    json!({"rule_count": rules})
}

/// `Some(null)` for the "not configured" error code, else the failure is recorded: `None`.
fn absent_or_record(out: &Out, scope: &Scope, op: &str, f: &Failure, absent: &str) -> Option<Value> {
    if f.is_absent_setting(&[absent]) {
        return Some(Value::Null);
    }
    out.attr_failed(scope, op, f);
    None
}
