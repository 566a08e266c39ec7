//! IAM: the account summary and password policy, users (keys, MFA, console, policies with inline
//! documents, groups), roles with trust and inline policies, groups (`iam_group.rs`),
//! customer-managed policies with every version, instance profiles.

use super::{age_days, resource, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use crate::policy::parse_policy;
use aws_config::SdkConfig;
use aws_sdk_iam::Client;
use posture_model::Resource;
use serde_json::{json, Map, Value};

/// Calls per user, role or policy made at once within one account.
const PER_ACCOUNT: usize = 8;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let iam = Client::new(config);
    account(&iam, scope, out).await;
    users(&iam, scope, out).await;
    roles(&iam, scope, out).await;
    super::iam_group::groups(&iam, scope, out).await;
    policies(&iam, scope, out).await;
    instance_profiles(&iam, scope, out).await;
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

async fn account(iam: &Client, scope: &Scope, out: &Out) {
    let uid = format!("arn:aws:iam::{}:root", scope.account);
    let mut r = resource(scope, uid, "aws.iam.account", &scope.account);
    match iam.get_account_summary().send().await {
        Ok(s) => {
            let m = s.summary_map();
            let get = |k: &str| m.and_then(|m| m.get(&aws_sdk_iam::types::SummaryKeyType::from(k))).copied();
            if let Some(v) = get("AccountMFAEnabled") {
                r.attrs.insert("root_mfa_active".into(), json!(v == 1));
            }
            if let Some(v) = get("AccountAccessKeysPresent") {
                r.attrs.insert("root_access_keys_present".into(), json!(v == 1));
            }
            if let Some(v) = get("Users") {
                r.attrs.insert("users_count".into(), json!(v));
            }
        }
        Err(e) => out.attr_failed(scope, "GetAccountSummary", &Failure::from_sdk(&e)),
    }
    match iam.get_account_password_policy().send().await {
        Ok(p) => {
            let p = p.password_policy();
            r.attrs.insert("password_policy".into(), p.map_or(Value::Null, |p| json!({
                "minimum_password_length": p.minimum_password_length().unwrap_or(6),
                "require_symbols": p.require_symbols(),
                "require_numbers": p.require_numbers(),
                "require_uppercase_characters": p.require_uppercase_characters(),
                "require_lowercase_characters": p.require_lowercase_characters(),
                "allow_users_to_change_password": p.allow_users_to_change_password(),
                "expire_passwords": p.expire_passwords(),
                // 0 (as some emulators write it) and absence both mean passwords never expire.
                "max_password_age": p.max_password_age().filter(|n| *n > 0),
                "password_reuse_prevention": p.password_reuse_prevention(),
                "hard_expiry": p.hard_expiry().unwrap_or(false),
            })));
        }
        Err(e) => {
            let f = Failure::from_sdk(&e);
            if f.is_absent_setting(&["NoSuchEntity"]) {
                r.attrs.insert("password_policy".into(), Value::Null);
            } else {
                out.attr_failed(scope, "GetAccountPasswordPolicy", &f);
            }
        }
    }
    match iam.list_account_aliases().send().await {
        Ok(a) => {
            r.attrs.insert("account_alias".into(), a.account_aliases().first().map_or(Value::Null, |s| json!(s)));
        }
        Err(e) => out.attr_failed(scope, "ListAccountAliases", &Failure::from_sdk(&e)),
    }
    if r.attrs.get("root_mfa_active") == Some(&json!(true)) {
        match iam.list_virtual_mfa_devices().send().await {
            Ok(v) => {
                let root_virtual = v.virtual_mfa_devices().iter().any(|d| {
                    d.user().is_some_and(|u| u.arn().ends_with(":root")) || d.serial_number().ends_with("/root-account-mfa-device")
                });
                r.attrs.insert("root_hardware_mfa".into(), json!(!root_virtual));
            }
            Err(e) => out.attr_failed(scope, "ListVirtualMFADevices", &Failure::from_sdk(&e)),
        }
    } else if r.attrs.contains_key("root_mfa_active") {
        r.attrs.insert("root_hardware_mfa".into(), json!(false));
    }
    root_password_use(iam, scope, out, &mut r).await;
    for (key, policy) in [
        ("support_access_policy_entities", "arn:aws:iam::aws:policy/AWSSupportAccess"),
        ("cloudshell_full_access_policy_entities", "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"),
    ] {
        if let Some(v) = policy_entities(iam, scope, out, policy).await {
            r.attrs.insert(key.into(), v);
        }
    }
    out.emit(r).await;
}

/// The root user's last password use, from the credential report.
async fn root_password_use(iam: &Client, scope: &Scope, out: &Out, r: &mut Resource) {
    for _ in 0..5 {
        match iam.generate_credential_report().send().await {
            Ok(g) if g.state().is_some_and(|s| s.as_str() == "COMPLETE") => break,
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(300)).await,
            Err(e) => return out.attr_failed(scope, "GenerateCredentialReport", &Failure::from_sdk(&e)),
        }
    }
    let report = match iam.get_credential_report().send().await {
        Ok(r) => r,
        Err(e) => return out.attr_failed(scope, "GetCredentialReport", &Failure::from_sdk(&e)),
    };
    let Some(csv) = report.content().map(|b| String::from_utf8_lossy(b.as_ref()).into_owned()) else {
        return;
    };
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (Some(user), Some(used)) = (col("user"), col("password_last_used")) else { return };
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.get(user) != Some(&"<root_account>") {
            continue;
        }
        let last = cells.get(used).copied().filter(|v| !matches!(*v, "N/A" | "no_information" | "not_supported"));
        let parsed = last.and_then(|s| aws_smithy_types::DateTime::from_str(s, aws_smithy_types::date_time::Format::DateTime).ok());
        r.attrs.insert("root_password_last_used".into(), parsed.as_ref().map_or(Value::Null, |t| time(Some(t))));
        r.attrs.insert("root_password_last_used_age_days".into(), age_days(parsed.as_ref()));
    }
}

async fn users(iam: &Client, scope: &Scope, out: &Out) {
    let mut list = Vec::new();
    let mut pages = iam.list_users().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.users().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListUsers", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_ACCOUNT, |u| user(iam, scope, out, u)).await;
}

async fn user(iam: &Client, scope: &Scope, out: &Out, u: aws_sdk_iam::types::User) -> Resource {
    let name = u.user_name();
    let mut r = resource(scope, u.arn().to_string(), "aws.iam.user", name);
    for t in u.tags() {
        r.tags.insert(t.key().to_string(), t.value().to_string());
    }
    r.attrs = obj(json!({
        "user_id": u.user_id(),
        "path": u.path(),
        "create_date": time(Some(u.create_date())),
        "password_last_used": time(u.password_last_used()),
        "password_last_used_age_days": age_days(u.password_last_used()),
        "permissions_boundary_arn": u.permissions_boundary().and_then(|b| b.permissions_boundary_arn()),
    }));
    match iam.get_login_profile().user_name(name).send().await {
        Ok(_) => {
            r.attrs.insert("password_enabled".into(), json!(true));
        }
        Err(e) => {
            let f = Failure::from_sdk(&e);
            if f.is_absent_setting(&["NoSuchEntity"]) {
                r.attrs.insert("password_enabled".into(), json!(false));
            } else {
                out.attr_failed(scope, "GetLoginProfile", &f);
            }
        }
    }
    match iam.list_mfa_devices().user_name(name).send().await {
        Ok(m) => {
            let devices: Vec<Value> = m
                .mfa_devices()
                .iter()
                .map(|d| json!({"serial_number": d.serial_number(), "enable_date": time(Some(d.enable_date()))}))
                .collect();
            r.attrs.insert("mfa_active".into(), json!(!devices.is_empty()));
            r.attrs.insert("mfa_devices".into(), Value::Array(devices));
        }
        Err(e) => out.attr_failed(scope, "ListMFADevices", &Failure::from_sdk(&e)),
    }
    access_keys(iam, scope, out, name, &mut r).await;
    match iam.list_attached_user_policies().user_name(name).send().await {
        Ok(p) => {
            let attached: Vec<Value> = p
                .attached_policies()
                .iter()
                .map(|a| json!({"policy_name": a.policy_name(), "policy_arn": a.policy_arn()}))
                .collect();
            for a in p.attached_policies() {
                if let Some(arn) = a.policy_arn() {
                    super::relate(&mut r, "attached_policy", arn);
                }
            }
            r.attrs.insert("attached_policies".into(), Value::Array(attached));
        }
        Err(e) => out.attr_failed(scope, "ListAttachedUserPolicies", &Failure::from_sdk(&e)),
    }
    match iam.list_user_policies().user_name(name).send().await {
        Ok(p) => {
            r.attrs.insert("inline_policy_names".into(), json!(p.policy_names()));
            let fetch = |policy: String| async move {
                let got = iam.get_user_policy().user_name(name).policy_name(policy).send().await;
                got.map(|g| g.policy_document().to_string()).map_err(|e| Failure::from_sdk(&e))
            };
            match super::iam_inline::documents(p.policy_names(), fetch).await {
                Ok(list) => {
                    r.attrs.insert("inline_policies".into(), list);
                }
                Err(f) => out.attr_failed(scope, &format!("GetUserPolicy({name})"), &f),
            }
        }
        Err(e) => out.attr_failed(scope, "ListUserPolicies", &Failure::from_sdk(&e)),
    }
    match iam.list_groups_for_user().user_name(name).send().await {
        Ok(g) => {
            let names: Vec<&str> = g.groups().iter().map(|g| g.group_name()).collect();
            r.attrs.insert("groups".into(), json!(names));
            for group in g.groups() {
                super::relate(&mut r, "member_of", group.arn());
            }
        }
        Err(e) => out.attr_failed(scope, "ListGroupsForUser", &Failure::from_sdk(&e)),
    }
    r
}

async fn access_keys(iam: &Client, scope: &Scope, out: &Out, user: &str, r: &mut Resource) {
    let keys = match iam.list_access_keys().user_name(user).send().await {
        Ok(k) => k,
        Err(e) => return out.attr_failed(scope, "ListAccessKeys", &Failure::from_sdk(&e)),
    };
    let mut list = Vec::new();
    for k in keys.access_key_metadata() {
        let id = k.access_key_id().unwrap_or_default();
        let mut key = json!({
            "access_key_id": id,
            "status": k.status().map_or("Inactive", |s| s.as_str()),
            "create_date": time(k.create_date()),
            "age_days": age_days(k.create_date()),
        });
        match iam.get_access_key_last_used().access_key_id(id).send().await {
            Ok(u) => {
                let last = u.access_key_last_used();
                let date = last.and_then(|l| l.last_used_date());
                key["last_used_date"] = time(date);
                key["last_used_age_days"] = age_days(date);
                key["last_used_service"] = json!(last.map(|l| l.service_name()).filter(|s| *s != "N/A"));
                key["last_used_region"] = json!(last.map(|l| l.region()).filter(|s| *s != "N/A"));
            }
            Err(e) => out.attr_failed(scope, "GetAccessKeyLastUsed", &Failure::from_sdk(&e)),
        }
        list.push(key);
    }
    r.attrs.insert("access_keys".into(), Value::Array(list));
}

async fn roles(iam: &Client, scope: &Scope, out: &Out) {
    let mut list = Vec::new();
    let mut pages = iam.list_roles().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.roles().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListRoles", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_ACCOUNT, |role| role_resource(iam, scope, out, role)).await;
}

async fn role_resource(iam: &Client, scope: &Scope, out: &Out, role: aws_sdk_iam::types::Role) -> Resource {
    let name = role.role_name();
    let mut r = resource(scope, role.arn().to_string(), "aws.iam.role", name);
    for t in role.tags() {
        r.tags.insert(t.key().to_string(), t.value().to_string());
    }
    r.attrs = obj(json!({
        "role_id": role.role_id(),
        "path": role.path(),
        "create_date": time(Some(role.create_date())),
        "description": role.description(),
        "max_session_duration": role.max_session_duration().unwrap_or(3600),
        "permissions_boundary_arn": role.permissions_boundary().and_then(|b| b.permissions_boundary_arn()),
        "is_service_linked": role.path().starts_with("/aws-service-role/"),
    }));
    if let Some(doc) = role.assume_role_policy_document() {
        match parse_policy(doc) {
            Ok(d) => {
                r.attrs.insert("trust_policy".into(), d);
            }
            Err(e) => out.attr_failed(scope, "ListRoles", &Failure { kind: crate::FailureKind::Other, code: None, message: format!("{name}: {e}") }),
        }
    }
    match iam.get_role().role_name(name).send().await {
        Ok(g) => {
            let last = g.role().and_then(|r| r.role_last_used());
            r.attrs.insert("last_used_date".into(), time(last.and_then(|l| l.last_used_date())));
            r.attrs.insert("last_used_region".into(), json!(last.and_then(|l| l.region())));
        }
        Err(e) => out.attr_failed(scope, "GetRole", &Failure::from_sdk(&e)),
    }
    match iam.list_attached_role_policies().role_name(name).send().await {
        Ok(p) => {
            let attached: Vec<Value> = p
                .attached_policies()
                .iter()
                .map(|a| json!({"policy_name": a.policy_name(), "policy_arn": a.policy_arn()}))
                .collect();
            for a in p.attached_policies() {
                if let Some(arn) = a.policy_arn() {
                    super::relate(&mut r, "attached_policy", arn);
                }
            }
            r.attrs.insert("attached_policies".into(), Value::Array(attached));
        }
        Err(e) => out.attr_failed(scope, "ListAttachedRolePolicies", &Failure::from_sdk(&e)),
    }
    match iam.list_role_policies().role_name(name).send().await {
        Ok(p) => {
            r.attrs.insert("inline_policy_names".into(), json!(p.policy_names()));
            let fetch = |policy: String| async move {
                let got = iam.get_role_policy().role_name(name).policy_name(policy).send().await;
                got.map(|g| g.policy_document().to_string()).map_err(|e| Failure::from_sdk(&e))
            };
            match super::iam_inline::documents(p.policy_names(), fetch).await {
                Ok(list) => {
                    r.attrs.insert("inline_policies".into(), list);
                }
                Err(f) => out.attr_failed(scope, &format!("GetRolePolicy({name})"), &f),
            }
        }
        Err(e) => out.attr_failed(scope, "ListRolePolicies", &Failure::from_sdk(&e)),
    }
    r
}

async fn policies(iam: &Client, scope: &Scope, out: &Out) {
    let mut list = Vec::new();
    let mut pages = iam.list_policies().scope(aws_sdk_iam::types::PolicyScopeType::Local).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.policies().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListPolicies", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_ACCOUNT, |p| policy(iam, scope, out, p)).await;
}

async fn policy(iam: &Client, scope: &Scope, out: &Out, p: aws_sdk_iam::types::Policy) -> Resource {
    let arn = p.arn().unwrap_or_default();
    let mut r = resource(scope, arn.to_string(), "aws.iam.policy", p.policy_name().unwrap_or_default());
    for t in p.tags() {
        r.tags.insert(t.key().to_string(), t.value().to_string());
    }
    r.attrs = obj(json!({
        "policy_id": p.policy_id(),
        "path": p.path(),
        "description": p.description(),
        "is_aws_managed": arn.starts_with("arn:aws:iam::aws:"),
        "is_attachable": p.is_attachable(),
        "default_version_id": p.default_version_id(),
        "attachment_count": p.attachment_count().unwrap_or(0),
        "permissions_boundary_usage_count": p.permissions_boundary_usage_count().unwrap_or(0),
        "create_date": time(p.create_date()),
        "update_date": time(p.update_date()),
    }));
    // Every version: a non-default version is one SetDefaultPolicyVersion away from being in force.
    let versions = match iam.list_policy_versions().policy_arn(arn).send().await {
        Ok(v) => v.versions().to_vec(),
        Err(e) => {
            out.attr_failed(scope, "ListPolicyVersions", &Failure::from_sdk(&e));
            return r;
        }
    };
    let mut all = Vec::new();
    for v in versions {
        let id = v.version_id().unwrap_or_default();
        let doc = match iam.get_policy_version().policy_arn(arn).version_id(id).send().await {
            Ok(g) => g.policy_version().and_then(|v| v.document()).map(parse_policy),
            Err(e) => {
                out.attr_failed(scope, "GetPolicyVersion", &Failure::from_sdk(&e));
                continue;
            }
        };
        let Some(Ok(doc)) = doc else { continue };
        if v.is_default_version() {
            r.attrs.insert("document".into(), doc.clone());
        }
        all.push(json!({"version_id": id, "is_default": v.is_default_version(), "create_date": time(v.create_date()), "document": doc}));
    }
    r.attrs.insert("versions".into(), Value::Array(all));
    r
}

async fn instance_profiles(iam: &Client, scope: &Scope, out: &Out) {
    let mut pages = iam.list_instance_profiles().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "ListInstanceProfiles", &Failure::from_sdk(&e)),
        };
        for p in page.instance_profiles() {
            let mut r = resource(scope, p.arn().to_string(), "aws.iam.instance_profile", p.instance_profile_name());
            let roles: Vec<&str> = p.roles().iter().map(|r| r.role_name()).collect();
            r.attrs = obj(json!({
                "instance_profile_id": p.instance_profile_id(),
                "path": p.path(),
                "create_date": time(Some(p.create_date())),
                "role_names": roles,
            }));
            for role in p.roles() {
                super::relate(&mut r, "assumes_role", role.arn());
            }
            out.emit(r).await;
        }
    }
}

/// The users, groups and roles an AWS managed policy is attached to; `None` when unreadable.
async fn policy_entities(iam: &Client, scope: &Scope, out: &Out, policy_arn: &str) -> Option<Value> {
    let (mut users, mut groups, mut roles) = (Vec::new(), Vec::new(), Vec::new());
    let mut pages = iam.list_entities_for_policy().policy_arn(policy_arn).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                users.extend(p.policy_users().iter().filter_map(|u| u.user_name()).map(str::to_string));
                groups.extend(p.policy_groups().iter().filter_map(|g| g.group_name()).map(str::to_string));
                roles.extend(p.policy_roles().iter().filter_map(|r| r.role_name()).map(str::to_string));
            }
            Err(e) => {
                let f = Failure::from_sdk(&e);
                // A partition or emulator without the managed policy: it is attached to no one.
                if f.is_absent_setting(&["NoSuchEntity"]) {
                    break;
                }
                out.attr_failed(scope, &format!("ListEntitiesForPolicy({policy_arn})"), &f);
                return None;
            }
        }
    }
    Some(json!({"user_names": users, "group_names": groups, "role_names": roles}))
}
