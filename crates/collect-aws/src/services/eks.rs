//! EKS clusters: API endpoint exposure, control plane logging, secrets encryption, version,
//! authentication mode.

use super::{obj, relate, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_eks::types::{Cluster, VpcConfigResponse};
use aws_sdk_eks::Client;
use posture_model::Resource;
use serde_json::{json, Value};

const PER_REGION: usize = 4;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let eks = Client::new(config);
    let mut names = Vec::new();
    let mut pages = eks.list_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => names.extend(p.clusters().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListClusters", &Failure::from_sdk(&e)),
        }
    }
    let mut done = futures::StreamExt::buffer_unordered(futures::StreamExt::map(futures::stream::iter(names), |n| describe(&eks, scope, out, n)), PER_REGION);
    while let Some(r) = futures::StreamExt::next(&mut done).await {
        if let Some(r) = r {
            out.emit(r).await;
        }
    }
}

async fn describe(eks: &Client, scope: &Scope, out: &Out, name: String) -> Option<Resource> {
    match eks.describe_cluster().name(&name).send().await {
        Ok(d) => d.cluster().map(|c| cluster(scope, c)),
        Err(e) => {
            // Nothing but the name is known without DescribeCluster: the cluster is missing.
            out.list_failed(scope, &format!("DescribeCluster({name})"), &Failure::from_sdk(&e));
            None
        }
    }
}

// `EncryptionConfig::resources` is deprecated because EKS now encrypts all API data, but it still
// says whether secrets use the customer's KMS key (envelope encryption), which rules check.
#[allow(deprecated)]
fn cluster(scope: &Scope, c: &Cluster) -> Resource {
    let name = c.name().unwrap_or_default();
    let uid = c.arn().map_or_else(|| super::arn(scope, "eks", &format!("cluster/{name}")), str::to_string);
    let mut r = resource(scope, uid, "aws.eks.cluster", name);
    if let Some(tags) = c.tags() {
        r.tags.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let encryption: Vec<Value> = c
        .encryption_config()
        .iter()
        .map(|e| json!({"resources": e.resources(), "key_arn": e.provider().and_then(|p| p.key_arn()).unwrap_or_default()}))
        .collect();
    r.attrs = obj(json!({
        "version": c.version().unwrap_or_default(),
        "platform_version": c.platform_version().unwrap_or_default(),
        "role_arn": c.role_arn().unwrap_or_default(),
        "encryption_config": encryption,
        "support_type": c.upgrade_policy().and_then(|u| u.support_type()).map(|s| s.as_str()),
    }));
    set(&mut r, "status", c.status().map(|s| json!(s.as_str())));
    set(&mut r, "resources_vpc_config", c.resources_vpc_config().map(vpc_config));
    if let Some(l) = c.logging() {
        let enabled: Vec<&str> = l.cluster_logging().iter().filter(|s| s.enabled() == Some(true)).flat_map(|s| s.types()).map(|t| t.as_str()).collect();
        r.attrs.insert("enabled_log_types".into(), json!(enabled));
    }
    set(&mut r, "authentication_mode", c.access_config().and_then(|a| a.authentication_mode()).map(|m| json!(m.as_str())));
    relations(scope, c, &mut r);
    r
}

fn vpc_config(v: &VpcConfigResponse) -> Value {
    let mut out = json!({
        "vpc_id": v.vpc_id().unwrap_or_default(),
        "subnet_ids": v.subnet_ids(),
        "security_group_ids": v.security_group_ids(),
        "cluster_security_group_id": v.cluster_security_group_id(),
    });
    // The SDK reads a missing endpoint flag as false. AWS always sends the public CIDRs with
    // the flags; without them (an emulator echoing a partial request) the flags are unknown.
    if !v.public_access_cidrs().is_empty() {
        out["endpoint_public_access"] = json!(v.endpoint_public_access());
        out["endpoint_private_access"] = json!(v.endpoint_private_access());
        out["public_access_cidrs"] = json!(v.public_access_cidrs());
    }
    out
}

fn relations(scope: &Scope, c: &Cluster, r: &mut Resource) {
    let ec2 = |what: &str| super::arn(scope, "ec2", what);
    if let Some(role) = c.role_arn() {
        relate(r, "assumes_role", role);
    }
    if let Some(v) = c.resources_vpc_config() {
        for g in v.security_group_ids().iter().map(String::as_str).chain(v.cluster_security_group_id()) {
            relate(r, "has_security_group", ec2(&format!("security-group/{g}")));
        }
        for s in v.subnet_ids() {
            relate(r, "in_subnet", ec2(&format!("subnet/{s}")));
        }
        if let Some(id) = v.vpc_id() {
            relate(r, "in_vpc", ec2(&format!("vpc/{id}")));
        }
    }
    for k in c.encryption_config().iter().filter_map(|e| e.provider().and_then(|p| p.key_arn())) {
        relate(r, "encrypted_with", k);
    }
}
