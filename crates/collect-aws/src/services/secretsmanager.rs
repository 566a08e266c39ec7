//! Secrets Manager secrets: encryption key, rotation, use, resource policy. Never the values.

use super::{age_days, policy_value, record, relate, resource, set, tag_pairs, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_secretsmanager::types::SecretListEntry;
use aws_sdk_secretsmanager::Client;
use posture_model::Resource;
use serde_json::{json, Value};

const PER_REGION: usize = 8;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let sm = Client::new(config);
    let mut list = Vec::new();
    let mut pages = sm.list_secrets().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.secret_list().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListSecrets", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_REGION, |s| secret(&sm, scope, out, s)).await;
}

async fn secret(sm: &Client, scope: &Scope, out: &Out, s: SecretListEntry) -> Resource {
    let name = s.name().unwrap_or_default();
    let uid = s.arn().map_or_else(|| super::arn(scope, "secretsmanager", &format!("secret:{name}")), str::to_string);
    let mut r = resource(scope, uid.clone(), "aws.secretsmanager.secret", name);
    tag_pairs(&mut r, s.tags().iter().map(|t| (t.key(), t.value())));
    let rules = s.rotation_rules().map_or(Value::Null, |r| {
        json!({
            "automatically_after_days": r.automatically_after_days(),
            "schedule_expression": r.schedule_expression(),
            "duration": r.duration(),
        })
    });
    // The AWS managed key `aws/secretsmanager` is reported as no key at all.
    let key = s.kms_key_id().filter(|k| !k.ends_with("alias/aws/secretsmanager"));
    r.attrs = super::obj(json!({
        "description": s.description(),
        "kms_key_id": key,
        // The API leaves `RotationEnabled` out for a secret whose rotation was never turned on.
        "rotation_enabled": s.rotation_enabled().unwrap_or(false),
        "rotation_lambda_arn": s.rotation_lambda_arn(),
        "rotation_rules": rules,
        "last_rotated_date": time(s.last_rotated_date()),
        "last_rotated_age_days": age_days(s.last_rotated_date()),
        "last_changed_date": time(s.last_changed_date()),
        "last_accessed_date": time(s.last_accessed_date()),
        "last_accessed_age_days": age_days(s.last_accessed_date()),
        "next_rotation_date": time(s.next_rotation_date()),
        "deleted_date": time(s.deleted_date()),
        "owning_service": s.owning_service(),
    }));
    if let Some(created) = s.created_date() {
        r.attrs.insert("created_date".into(), time(Some(created)));
        r.attrs.insert("age_days".into(), age_days(Some(created)));
    }
    match sm.get_resource_policy().secret_id(&uid).send().await {
        Ok(p) => {
            let mut problems = Vec::new();
            set(&mut r, "policy", policy_value(p.resource_policy(), &mut problems));
            record(out, scope, &format!("GetResourcePolicy({name})"), problems);
        }
        Err(e) => out.attr_failed(scope, &format!("GetResourcePolicy({name})"), &Failure::from_sdk(&e)),
    }
    if let Some(k) = key.filter(|k| k.starts_with("arn:")) {
        relate(&mut r, "encrypted_with", k);
    }
    r
}
