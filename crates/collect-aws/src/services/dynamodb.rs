//! DynamoDB tables: encryption key, point-in-time recovery, deletion protection, capacity auto
//! scaling (Application Auto Scaling), streams.

use super::{obj, relate, resource, set, sub};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::TableDescription;
use aws_sdk_dynamodb::Client;
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::HashSet;

const PER_REGION: usize = 8;

/// What the region-wide lookups tell every table.
struct Shared {
    kms: aws_sdk_kms::Client,
    /// `table/NAME|dimension` with an auto scaling target; `None` when it could not be read.
    scaling: Option<HashSet<String>>,
}

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let ddb = Client::new(config);
    let mut names = Vec::new();
    let mut pages = ddb.list_tables().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => names.extend(p.table_names().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListTables", &Failure::from_sdk(&e)),
        }
    }
    if names.is_empty() {
        return;
    }
    let shared = Shared { kms: aws_sdk_kms::Client::new(config), scaling: scaling_targets(config, scope, out).await };
    let mut done = futures::StreamExt::buffer_unordered(futures::StreamExt::map(futures::stream::iter(names), |n| table(&ddb, &shared, scope, out, n)), PER_REGION);
    while let Some(r) = futures::StreamExt::next(&mut done).await {
        if let Some(r) = r {
            out.emit(r).await;
        }
    }
}

async fn scaling_targets(config: &SdkConfig, scope: &Scope, out: &Out) -> Option<HashSet<String>> {
    use aws_sdk_applicationautoscaling::types::ServiceNamespace;
    let aas = aws_sdk_applicationautoscaling::Client::new(config);
    let mut set = HashSet::new();
    let mut pages = aas.describe_scalable_targets().service_namespace(ServiceNamespace::Dynamodb).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => set.extend(p.scalable_targets().iter().map(|t| format!("{}|{}", t.resource_id(), t.scalable_dimension().as_str()))),
            Err(e) => {
                out.attr_failed(&sub(scope, "application-autoscaling"), "DescribeScalableTargets", &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    Some(set)
}

async fn table(ddb: &Client, shared: &Shared, scope: &Scope, out: &Out, name: String) -> Option<Resource> {
    let t = match ddb.describe_table().table_name(&name).send().await {
        Ok(d) => d.table()?.clone(),
        Err(e) => {
            out.list_failed(scope, &format!("DescribeTable({name})"), &Failure::from_sdk(&e));
            return None;
        }
    };
    let uid = t.table_arn().map_or_else(|| super::arn(scope, "dynamodb", &format!("table/{name}")), str::to_string);
    let mut r = resource(scope, uid, "aws.dynamodb.table", &name);
    table_attrs(&mut r, &t);
    if let Some(set) = &shared.scaling {
        let has = |dim: &str| set.contains(&format!("table/{name}|dynamodb:table:{dim}"));
        r.attrs.insert("read_auto_scaling_enabled".into(), json!(has("ReadCapacityUnits")));
        r.attrs.insert("write_auto_scaling_enabled".into(), json!(has("WriteCapacityUnits")));
    }
    if let Some(sse) = t.sse_description() {
        let key = sse.kms_master_key_arn();
        let aws_managed = match key {
            Some(k) => key_is_aws_managed(&shared.kms, scope, out, k).await,
            None => None,
        };
        if let (Some(m), Some(Value::Object(s))) = (aws_managed, r.attrs.get_mut("sse_description")) {
            s.insert("kms_key_is_aws_managed".into(), json!(m));
        }
        if let Some(k) = key {
            relate(&mut r, "encrypted_with", k);
        }
    }
    match ddb.describe_continuous_backups().table_name(&name).send().await {
        Ok(b) => {
            let pitr = b.continuous_backups_description().and_then(|d| d.point_in_time_recovery_description()).and_then(|p| p.point_in_time_recovery_status());
            r.attrs.insert("point_in_time_recovery_enabled".into(), json!(pitr.is_some_and(|s| s.as_str() == "ENABLED")));
        }
        Err(e) => out.attr_failed(scope, &format!("DescribeContinuousBackups({name})"), &Failure::from_sdk(&e)),
    }
    Some(r)
}

/// The attributes `DescribeTable` gives alone.
fn table_attrs(r: &mut Resource, t: &TableDescription) {
    r.attrs = obj(json!({
        "table_status": t.table_status().map_or("", |s| s.as_str()),
        // Tables created before on-demand existed carry no summary: they are provisioned.
        "billing_mode": t.billing_mode_summary().and_then(|b| b.billing_mode()).map_or("PROVISIONED", |m| m.as_str()),
        "stream_enabled": t.stream_specification().is_some_and(|s| s.stream_enabled()),
        "sse_description": t.sse_description().map_or(Value::Null, |s| json!({
            "status": s.status().map_or("ENABLED", |x| x.as_str()),
            "sse_type": s.sse_type().map_or("KMS", |x| x.as_str()),
            "kms_master_key_arn": s.kms_master_key_arn().unwrap_or_default(),
        })),
    }));
    set(r, "deletion_protection_enabled", t.deletion_protection_enabled().map(Value::from));
}

async fn key_is_aws_managed(kms: &aws_sdk_kms::Client, scope: &Scope, out: &Out, key: &str) -> Option<bool> {
    match kms.describe_key().key_id(key).send().await {
        Ok(d) => d.key_metadata().and_then(|m| m.key_manager()).map(|m| m.as_str() == "AWS"),
        Err(e) => {
            out.attr_failed(&sub(scope, "kms"), &format!("DescribeKey({key})"), &Failure::from_sdk(&e));
            None
        }
    }
}
