//! RDS: database instances and clusters, the snapshots of both with whom they are shared, the
//! parameter groups the instances use (`rds_params`) and the event subscriptions (`rds_events`).

use super::{arn, obj, relate, resource, set, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_rds::Client;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const PER_REGION: usize = 8;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let rds = Client::new(config);
    let groups = instances(&rds, scope, out).await;
    super::rds_params::collect(&rds, scope, out, &groups).await;
    super::rds_events::collect(&rds, scope, out).await;
    clusters(&rds, scope, out).await;
    snapshots(&rds, scope, out).await;
    cluster_snapshots(&rds, scope, out).await;
}

/// Emits the instances; returns the names of the DB parameter groups they use.
async fn instances(rds: &Client, scope: &Scope, out: &Out) -> BTreeSet<String> {
    let mut groups = BTreeSet::new();
    let mut pages = rds.describe_db_instances().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                out.list_failed(scope, "DescribeDBInstances", &Failure::from_sdk(&e));
                return groups;
            }
        };
        for d in page.db_instances() {
            let id = d.db_instance_identifier().unwrap_or_default();
            let uid = d.db_instance_arn().map_or_else(|| arn(scope, "rds", &format!("db:{id}")), str::to_string);
            let mut r = resource(scope, uid, "aws.rds.db_instance", id);
            for t in d.tag_list() {
                if let (Some(k), Some(v)) = (t.key(), t.value()) {
                    r.tags.insert(k.to_string(), v.to_string());
                }
            }
            let sgs: Vec<&str> = d.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id()).collect();
            r.attrs = json!({
                "db_instance_identifier": id,
                "engine": d.engine().unwrap_or_default(),
                "engine_version": d.engine_version().unwrap_or_default(),
                "db_instance_class": d.db_instance_class().unwrap_or_default(),
                "status": d.db_instance_status().unwrap_or_default(),
                "storage_encrypted": d.storage_encrypted().unwrap_or(false),
                "kms_key_id": d.kms_key_id(),
                "publicly_accessible": d.publicly_accessible(),
                "backup_retention_period": d.backup_retention_period().unwrap_or(0),
                "multi_az": d.multi_az().unwrap_or(false),
                "auto_minor_version_upgrade": d.auto_minor_version_upgrade().unwrap_or(false),
                "deletion_protection": d.deletion_protection().unwrap_or(false),
                "iam_database_authentication_enabled": d.iam_database_authentication_enabled().unwrap_or(false),
                "endpoint_port": d.endpoint().and_then(|e| e.port()),
                "vpc_security_group_ids": sgs,
                "db_subnet_group_name": d.db_subnet_group().and_then(|g| g.db_subnet_group_name()),
                "enabled_cloudwatch_logs_exports": d.enabled_cloudwatch_logs_exports(),
                "copy_tags_to_snapshot": d.copy_tags_to_snapshot().unwrap_or(false),
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
            set(&mut r, "ca_certificate_identifier", d.ca_certificate_identifier().map(|c| json!(c)));
            set(&mut r, "master_username", d.master_username().map(|m| json!(m)));
            set(&mut r, "monitoring_interval", d.monitoring_interval().map(Value::from));
            for g in &sgs {
                relate(&mut r, "has_security_group", arn(scope, "ec2", &format!("security-group/{g}")));
            }
            if let Some(k) = d.kms_key_id() {
                relate(&mut r, "encrypted_with", k);
            }
            if let Some(v) = d.db_subnet_group().and_then(|g| g.vpc_id()) {
                relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{v}")));
            }
            for name in d.db_parameter_groups().iter().filter_map(|g| g.db_parameter_group_name()) {
                relate(&mut r, "uses_parameter_group", super::rds_params::group_arn(scope, name));
                groups.insert(name.to_string());
            }
            out.emit(r).await;
        }
    }
    groups
}

async fn clusters(rds: &Client, scope: &Scope, out: &Out) {
    let mut pages = rds.describe_db_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeDBClusters", &Failure::from_sdk(&e)),
        };
        for c in page.db_clusters() {
            out.emit(cluster(scope, c)).await;
        }
    }
}

fn cluster(scope: &Scope, c: &aws_sdk_rds::types::DbCluster) -> posture_model::Resource {
    let id = c.db_cluster_identifier().unwrap_or_default();
    let uid = c.db_cluster_arn().map_or_else(|| arn(scope, "rds", &format!("cluster:{id}")), str::to_string);
    let mut r = resource(scope, uid, "aws.rds.db_cluster", id);
    let sgs: Vec<&str> = c.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id()).collect();
    r.attrs = obj(json!({
        "db_cluster_identifier": id,
        "engine": c.engine().unwrap_or_default(),
        "engine_version": c.engine_version().unwrap_or_default(),
        "engine_mode": c.engine_mode(),
        "status": c.status().unwrap_or_default(),
        "storage_encrypted": c.storage_encrypted().unwrap_or(false),
        "kms_key_id": c.kms_key_id(),
        "deletion_protection": c.deletion_protection().unwrap_or(false),
        "iam_database_authentication_enabled": c.iam_database_authentication_enabled().unwrap_or(false),
        "backtrack_window": c.backtrack_window(),
        "multi_az": c.multi_az().unwrap_or(false),
        "availability_zones": c.availability_zones(),
        "backup_retention_period": c.backup_retention_period().unwrap_or(0),
        "copy_tags_to_snapshot": c.copy_tags_to_snapshot().unwrap_or(false),
        "enabled_cloudwatch_logs_exports": c.enabled_cloudwatch_logs_exports(),
        "port": c.port(),
        "vpc_security_group_ids": sgs,
        "db_subnet_group": c.db_subnet_group(),
        "activity_stream_status": c.activity_stream_status().map(|s| s.as_str()),
    }));
    set(&mut r, "master_username", c.master_username().map(|m| json!(m)));
    // Aurora leaves these out; only Multi-AZ DB clusters report them.
    set(&mut r, "auto_minor_version_upgrade", c.auto_minor_version_upgrade().map(Value::from));
    set(&mut r, "publicly_accessible", c.publicly_accessible().map(Value::from));
    for g in &sgs {
        relate(&mut r, "has_security_group", arn(scope, "ec2", &format!("security-group/{g}")));
    }
    if let Some(k) = c.kms_key_id() {
        relate(&mut r, "encrypted_with", k);
    }
    r
}

/// A snapshot in the shape both kinds share; `restore_attribute_values` is added by the caller.
struct Snap<'a> {
    kind: &'static str,
    id_key: &'static str,
    source_key: &'static str,
    id: &'a str,
    source: Option<&'a str>,
    arn: Option<&'a str>,
    snapshot_type: Option<&'a str>,
    engine: Option<&'a str>,
    status: Option<&'a str>,
    encrypted: Option<bool>,
    kms_key_id: Option<&'a str>,
    created: Option<&'a aws_smithy_types::DateTime>,
}

fn snapshot_resource(scope: &Scope, s: &Snap) -> posture_model::Resource {
    let what = if s.kind == "aws.rds.db_snapshot" { "snapshot" } else { "cluster-snapshot" };
    let uid = s.arn.map_or_else(|| arn(scope, "rds", &format!("{what}:{}", s.id)), str::to_string);
    let mut r = resource(scope, uid, s.kind, s.id);
    r.attrs = obj(json!({
        "engine": s.engine.unwrap_or_default(),
        "status": s.status.unwrap_or_default(),
        "kms_key_id": s.kms_key_id,
        "snapshot_create_time": time(s.created),
    }));
    r.attrs.insert(s.id_key.into(), json!(s.id));
    r.attrs.insert(s.source_key.into(), json!(s.source.unwrap_or_default()));
    set(&mut r, "snapshot_type", s.snapshot_type.map(|t| json!(t)));
    set(&mut r, "encrypted", s.encrypted.map(Value::from));
    if let Some(k) = s.kms_key_id {
        relate(&mut r, "encrypted_with", k);
    }
    r
}

async fn snapshots(rds: &Client, scope: &Scope, out: &Out) {
    let mut list = Vec::new();
    let mut pages = rds.describe_db_snapshots().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.db_snapshots().iter().cloned()),
            Err(e) => return out.list_failed(scope, "DescribeDBSnapshots", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_REGION, |s| async move {
        let id = s.db_snapshot_identifier().unwrap_or_default();
        let mut r = snapshot_resource(scope, &Snap {
            kind: "aws.rds.db_snapshot",
            id_key: "db_snapshot_identifier",
            source_key: "db_instance_identifier",
            id,
            source: s.db_instance_identifier(),
            arn: s.db_snapshot_arn(),
            snapshot_type: s.snapshot_type(),
            engine: s.engine(),
            status: s.status(),
            encrypted: s.encrypted(),
            kms_key_id: s.kms_key_id(),
            created: s.snapshot_create_time(),
        });
        match rds.describe_db_snapshot_attributes().db_snapshot_identifier(id).send().await {
            Ok(a) => {
                let values = restore_values(a.db_snapshot_attributes_result().map(|x| x.db_snapshot_attributes()).unwrap_or_default().iter().map(|x| (x.attribute_name(), x.attribute_values())));
                r.attrs.insert("restore_attribute_values".into(), json!(values));
            }
            Err(e) => out.attr_failed(scope, &format!("DescribeDBSnapshotAttributes({id})"), &Failure::from_sdk(&e)),
        }
        r
    })
    .await;
}

async fn cluster_snapshots(rds: &Client, scope: &Scope, out: &Out) {
    let mut list = Vec::new();
    let mut pages = rds.describe_db_cluster_snapshots().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.db_cluster_snapshots().iter().cloned()),
            Err(e) => return out.list_failed(scope, "DescribeDBClusterSnapshots", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_REGION, |s| async move {
        let id = s.db_cluster_snapshot_identifier().unwrap_or_default();
        let mut r = snapshot_resource(scope, &Snap {
            kind: "aws.rds.db_cluster_snapshot",
            id_key: "db_cluster_snapshot_identifier",
            source_key: "db_cluster_identifier",
            id,
            source: s.db_cluster_identifier(),
            arn: s.db_cluster_snapshot_arn(),
            snapshot_type: s.snapshot_type(),
            engine: s.engine(),
            status: s.status(),
            encrypted: s.storage_encrypted(),
            kms_key_id: s.kms_key_id(),
            created: s.snapshot_create_time(),
        });
        match rds.describe_db_cluster_snapshot_attributes().db_cluster_snapshot_identifier(id).send().await {
            Ok(a) => {
                let attrs = a.db_cluster_snapshot_attributes_result().map(|x| x.db_cluster_snapshot_attributes()).unwrap_or_default();
                let values = restore_values(attrs.iter().map(|x| (x.attribute_name(), x.attribute_values())));
                r.attrs.insert("restore_attribute_values".into(), json!(values));
            }
            Err(e) => out.attr_failed(scope, &format!("DescribeDBClusterSnapshotAttributes({id})"), &Failure::from_sdk(&e)),
        }
        r
    })
    .await;
}

/// The values of the `restore` attribute: account ids, or `all` for a public snapshot.
fn restore_values<'a>(attrs: impl Iterator<Item = (Option<&'a str>, &'a [String])>) -> Vec<&'a str> {
    attrs.filter(|(name, _)| *name == Some("restore")).flat_map(|(_, v)| v.iter().map(String::as_str)).collect()
}
