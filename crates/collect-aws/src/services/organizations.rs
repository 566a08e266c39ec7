//! AWS Organizations, read from the management account: the organization, its service control
//! policies with their documents and targets, and its accounts with every SCP in force on each
//! (attached to the account, to a parent OU or to the root). A member account sees only the
//! organization itself.

use super::{obj, policy_value, record, relate, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_organizations::types::{Organization, PolicyType};
use aws_sdk_organizations::Client;
use posture_model::Resource;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// An SCP's uid and the roots, OUs and accounts it is attached to.
struct Scp {
    uid: String,
    targets: HashSet<String>,
}

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let org = Client::new(config);
    let o = match org.describe_organization().send().await {
        Ok(d) => match d.organization() {
            Some(o) => o.clone(),
            None => return,
        },
        Err(e) => {
            let f = Failure::from_sdk(&e);
            // Not in an organization: nothing to collect, nothing missing.
            if !f.is_absent_setting(&["AWSOrganizationsNotInUseException"]) {
                out.list_failed(scope, "DescribeOrganization", &f);
            }
            return;
        }
    };
    let org_arn = o.arn().unwrap_or_default().to_string();
    let mut r = organization(scope, &o);
    if o.master_account_id() != Some(scope.account.as_str()) {
        return out.emit(r).await;
    }
    match org.list_roots().send().await {
        Ok(roots) => {
            let types: Vec<&str> = roots
                .roots()
                .iter()
                .flat_map(|x| x.policy_types())
                .filter(|t| t.status().is_some_and(|s| s.as_str() == "ENABLED"))
                .filter_map(|t| t.r#type().map(|t| t.as_str()))
                .collect();
            r.attrs.insert("enabled_policy_types".into(), json!(types));
        }
        Err(e) => out.attr_failed(scope, "ListRoots", &Failure::from_sdk(&e)),
    }
    out.emit(r).await;
    let scps = policies(&org, scope, out).await;
    accounts(&org, scope, out, &o, &org_arn, scps.as_deref()).await;
}

fn organization(scope: &Scope, o: &Organization) -> Resource {
    let id = o.id().unwrap_or_default();
    let uid = o.arn().map_or_else(|| format!("arn:aws:organizations::{}:organization/{id}", scope.account), str::to_string);
    let mut r = resource(scope, uid, "aws.organizations.organization", id);
    r.attrs = obj(json!({"organization_id": id, "master_account_id": o.master_account_id().unwrap_or_default()}));
    set(&mut r, "feature_set", o.feature_set().map(|f| json!(f.as_str())));
    r
}

/// Emits every service control policy and returns them with their targets; `None` when they
/// could not be listed (the accounts' SCPs are then unknown).
async fn policies(org: &Client, scope: &Scope, out: &Out) -> Option<Vec<Scp>> {
    let mut summaries = Vec::new();
    let mut pages = org.list_policies().filter(PolicyType::ServiceControlPolicy).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => summaries.extend(p.policies().iter().cloned()),
            Err(e) => {
                out.list_failed(scope, "ListPolicies", &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    let mut scps = Vec::new();
    for s in summaries {
        let (Some(id), Some(arn)) = (s.id(), s.arn()) else { continue };
        let mut r = resource(scope, arn.to_string(), "aws.organizations.policy", s.name().unwrap_or(id));
        r.attrs = obj(json!({
            "policy_id": id,
            "policy_name": s.name().unwrap_or_default(),
            "description": s.description().filter(|d| !d.is_empty()),
            "type": s.r#type().map_or("SERVICE_CONTROL_POLICY", |t| t.as_str()),
            "aws_managed": s.aws_managed(),
        }));
        match org.describe_policy().policy_id(id).send().await {
            Ok(d) => {
                let mut problems = Vec::new();
                set(&mut r, "document", policy_value(d.policy().and_then(|p| p.content()), &mut problems));
                record(out, scope, &format!("DescribePolicy({id})"), problems);
            }
            Err(e) => out.attr_failed(scope, &format!("DescribePolicy({id})"), &Failure::from_sdk(&e)),
        }
        let targets = targets(org, scope, out, id).await;
        if let Some(t) = &targets {
            let mut ids: Vec<&String> = t.iter().collect();
            ids.sort();
            r.attrs.insert("target_ids".into(), json!(ids));
        }
        out.emit(r).await;
        // A policy whose targets are unknown makes every account's SCP set unknown.
        scps.push(Scp { uid: arn.to_string(), targets: targets? });
    }
    Some(scps)
}

async fn targets(org: &Client, scope: &Scope, out: &Out, policy_id: &str) -> Option<HashSet<String>> {
    let mut set = HashSet::new();
    let mut pages = org.list_targets_for_policy().policy_id(policy_id).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => set.extend(p.targets().iter().filter_map(|t| t.target_id()).map(str::to_string)),
            Err(e) => {
                out.attr_failed(scope, &format!("ListTargetsForPolicy({policy_id})"), &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    Some(set)
}

async fn accounts(org: &Client, scope: &Scope, out: &Out, o: &Organization, org_arn: &str, scps: Option<&[Scp]>) {
    let mut list = Vec::new();
    let mut pages = org.list_accounts().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.accounts().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListAccounts", &Failure::from_sdk(&e)),
        }
    }
    let mut parents: HashMap<String, Option<String>> = HashMap::new();
    for a in list {
        let Some(id) = a.id() else { continue };
        let uid = a.arn().map_or_else(|| format!("arn:aws:organizations::{}:account/{}/{id}", scope.account, o.id().unwrap_or_default()), str::to_string);
        let mut r = resource(scope, uid, "aws.organizations.account", a.name().unwrap_or(id));
        r.attrs = obj(json!({"account_name": a.name().unwrap_or_default(), "is_management_account": o.master_account_id() == Some(id)}));
        set(&mut r, "status", a.status().map(|s| json!(s.as_str())));
        set(&mut r, "joined_method", a.joined_method().map(|m| json!(m.as_str())));
        relate(&mut r, "member_of", org_arn);
        // A parent chain that could not be read (recorded) leaves the account without SCP relations.
        if let Some(chain) = ancestors(org, scope, out, id, &mut parents).await {
            if let Some(p) = chain.first() {
                r.attrs.insert("parent_id".into(), json!(p));
            }
            for scp in scps.into_iter().flatten() {
                if scp.targets.contains(id) || chain.iter().any(|c| scp.targets.contains(c)) {
                    relate(&mut r, "attached_policy", scp.uid.clone());
                }
            }
        }
        out.emit(r).await;
    }
}

/// The parent chain of a child, nearest first, up to the root; `None` when a parent could not be
/// read. Parents of OUs are cached across accounts.
async fn ancestors(org: &Client, scope: &Scope, out: &Out, child: &str, cache: &mut HashMap<String, Option<String>>) -> Option<Vec<String>> {
    let mut chain = Vec::new();
    let mut current = child.to_string();
    // Organizations nest at most five OUs deep; the bound guards against a cyclic answer.
    for _ in 0..8 {
        let parent = match cache.get(&current) {
            Some(p) => p.clone(),
            None => {
                let p = match org.list_parents().child_id(&current).send().await {
                    Ok(p) => p.parents().first().and_then(|x| x.id()).map(str::to_string),
                    Err(e) => {
                        out.attr_failed(scope, &format!("ListParents({current})"), &Failure::from_sdk(&e));
                        return None;
                    }
                };
                cache.insert(current.clone(), p.clone());
                p
            }
        };
        match parent {
            Some(p) => {
                chain.push(p.clone());
                if p.starts_with("r-") {
                    break;
                }
                current = p;
            }
            None => break,
        }
    }
    Some(chain)
}
