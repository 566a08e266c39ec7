//! IAM groups: attached managed policies, inline policies with their documents, member users.

use super::{relate, resource, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_sdk_iam::types::Group;
use aws_sdk_iam::Client;
use posture_model::Resource;
use serde_json::{json, Value};

/// Groups described at once within one account.
const PER_ACCOUNT: usize = 8;

pub async fn groups(iam: &Client, scope: &Scope, out: &Out) {
    let mut list = Vec::new();
    let mut pages = iam.list_groups().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.groups().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListGroups", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_ACCOUNT, |g| group(iam, scope, out, g)).await;
}

/// The group's own attributes (shared with the AWS Config importer).
pub(crate) fn base_attrs(r: &mut Resource, id: &str, path: &str, created: Value) {
    r.attrs.insert("group_id".into(), json!(id));
    r.attrs.insert("path".into(), json!(path));
    r.attrs.insert("create_date".into(), created);
}

/// Sets `attached_policies` (`[{policy_name, policy_arn}]`, as on users and roles) and one
/// `attached_policy` relation per policy.
pub(crate) fn set_attached<'a>(r: &mut Resource, policies: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>) {
    let mut list = Vec::new();
    for (name, arn) in policies {
        if let Some(arn) = arn {
            relate(r, "attached_policy", arn);
        }
        list.push(json!({"policy_name": name, "policy_arn": arn}));
    }
    r.attrs.insert("attached_policies".into(), Value::Array(list));
}

async fn group(iam: &Client, scope: &Scope, out: &Out, g: Group) -> Resource {
    let name = g.group_name();
    let mut r = resource(scope, g.arn().to_string(), "aws.iam.group", name);
    base_attrs(&mut r, g.group_id(), g.path(), time(Some(g.create_date())));
    match iam.list_attached_group_policies().group_name(name).send().await {
        Ok(p) => set_attached(&mut r, p.attached_policies().iter().map(|a| (a.policy_name(), a.policy_arn()))),
        Err(e) => out.attr_failed(scope, "ListAttachedGroupPolicies", &Failure::from_sdk(&e)),
    }
    match iam.list_group_policies().group_name(name).send().await {
        Ok(p) => {
            r.attrs.insert("inline_policy_names".into(), json!(p.policy_names()));
            let fetch = |policy: String| async move {
                let got = iam.get_group_policy().group_name(name).policy_name(policy).send().await;
                got.map(|g| g.policy_document().to_string()).map_err(|e| Failure::from_sdk(&e))
            };
            match super::iam_inline::documents(p.policy_names(), fetch).await {
                Ok(list) => {
                    r.attrs.insert("inline_policies".into(), list);
                }
                Err(f) => out.attr_failed(scope, &format!("GetGroupPolicy({name})"), &f),
            }
        }
        Err(e) => out.attr_failed(scope, "ListGroupPolicies", &Failure::from_sdk(&e)),
    }
    if let Some(members) = members(iam, scope, out, name).await {
        r.attrs.insert("member_user_names".into(), json!(members));
    }
    r
}

/// The names of the group's users (`GetGroup`, every page); `None` when unreadable.
async fn members(iam: &Client, scope: &Scope, out: &Out, name: &str) -> Option<Vec<String>> {
    let mut users = Vec::new();
    let mut pages = iam.get_group().group_name(name).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => users.extend(p.users().iter().map(|u| u.user_name().to_string())),
            Err(e) => {
                out.attr_failed(scope, &format!("GetGroup({name})"), &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    Some(users)
}
