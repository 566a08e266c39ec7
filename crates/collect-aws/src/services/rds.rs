//! RDS: database instances.

use super::{arn, relate, resource};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_rds::Client;
use serde_json::json;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let rds = Client::new(config);
    let mut pages = rds.describe_db_instances().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeDBInstances", &Failure::from_sdk(&e)),
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
            for g in &sgs {
                relate(&mut r, "has_security_group", arn(scope, "ec2", &format!("security-group/{g}")));
            }
            if let Some(k) = d.kms_key_id() {
                relate(&mut r, "encrypted_with", k);
            }
            if let Some(v) = d.db_subnet_group().and_then(|g| g.vpc_id()) {
                relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{v}")));
            }
            out.emit(r).await;
        }
    }
}
