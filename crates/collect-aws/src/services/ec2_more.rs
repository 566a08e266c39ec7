//! EC2, the rest: owned snapshots and AMIs with who may use them, network ACLs, and the account's
//! per-region settings (default EBS encryption, block public access, serial console, IMDS
//! defaults).

use super::{arn, obj, relate, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_sdk_ec2::types::{Image, ImageAttributeName, NetworkAcl, Snapshot, SnapshotAttributeName};
use aws_sdk_ec2::Client;
use posture_model::Resource;
use serde_json::{json, Value};

const PER_REGION: usize = 8;

pub async fn collect(ec2: &Client, scope: &Scope, out: &Out) {
    snapshots(ec2, scope, out).await;
    images(ec2, scope, out).await;
    network_acls(ec2, scope, out).await;
    region_settings(ec2, scope, out).await;
}

fn tags(r: &mut Resource, tags: &[aws_sdk_ec2::types::Tag]) {
    super::tag_pairs(r, tags.iter().map(|t| (t.key(), t.value())));
}

async fn snapshots(ec2: &Client, scope: &Scope, out: &Out) {
    let mut list = Vec::new();
    let mut pages = ec2.describe_snapshots().owner_ids("self").into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.snapshots().iter().cloned()),
            Err(e) => return out.list_failed(scope, "DescribeSnapshots", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_REGION, |s| snapshot(ec2, scope, out, s)).await;
}

async fn snapshot(ec2: &Client, scope: &Scope, out: &Out, s: Snapshot) -> Resource {
    let id = s.snapshot_id().unwrap_or_default();
    let mut r = resource(scope, arn(scope, "ec2", &format!("snapshot/{id}")), "aws.ec2.snapshot", id);
    tags(&mut r, s.tags());
    r.attrs = obj(json!({
        "snapshot_id": id,
        // Copied snapshots carry a placeholder volume id.
        "volume_id": s.volume_id().filter(|v| *v != "vol-ffffffff"),
        "volume_size_gib": s.volume_size().unwrap_or(0),
        "start_time": super::time(s.start_time()),
        "description": s.description().filter(|d| !d.is_empty()),
        "kms_key_id": s.kms_key_id(),
    }));
    set(&mut r, "state", s.state().map(|x| json!(x.as_str())));
    set(&mut r, "encrypted", s.encrypted().map(Value::from));
    set(&mut r, "storage_tier", s.storage_tier().map(|x| json!(x.as_str())));
    let perms = ec2.describe_snapshot_attribute().snapshot_id(id).attribute(SnapshotAttributeName::CreateVolumePermission).send().await;
    match perms {
        Ok(p) => {
            let list: Vec<Value> = p
                .create_volume_permissions()
                .iter()
                .map(|c| json!({"group": c.group().map(|g| g.as_str()), "user_id": c.user_id()}))
                .collect();
            r.attrs.insert("create_volume_permissions".into(), Value::Array(list));
        }
        Err(e) => out.attr_failed(scope, &format!("DescribeSnapshotAttribute({id})"), &Failure::from_sdk(&e)),
    }
    if let Some(k) = s.kms_key_id() {
        relate(&mut r, "encrypted_with", k);
    }
    r
}

async fn images(ec2: &Client, scope: &Scope, out: &Out) {
    let mut list = Vec::new();
    let mut pages = ec2.describe_images().owners("self").into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.images().iter().cloned()),
            Err(e) => return out.list_failed(scope, "DescribeImages", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_REGION, |i| image(ec2, scope, out, i)).await;
}

async fn image(ec2: &Client, scope: &Scope, out: &Out, i: Image) -> Resource {
    let id = i.image_id().unwrap_or_default();
    let mut r = resource(scope, arn(scope, "ec2", &format!("image/{id}")), "aws.ec2.image", i.name().unwrap_or(id));
    tags(&mut r, i.tags());
    let mappings: Vec<Value> = i
        .block_device_mappings()
        .iter()
        .map(|m| {
            let ebs = m.ebs().map_or(Value::Null, |e| {
                json!({
                    "snapshot_id": e.snapshot_id(),
                    "encrypted": e.encrypted().unwrap_or(false),
                    "kms_key_id": e.kms_key_id(),
                    "volume_size_gib": e.volume_size().unwrap_or(0),
                })
            });
            json!({"device_name": m.device_name().unwrap_or_default(), "ebs": ebs})
        })
        .collect();
    r.attrs = obj(json!({
        "image_id": id,
        "name": i.name().unwrap_or_default(),
        "deprecation_time": i.deprecation_time(),
        "block_device_mappings": mappings,
    }));
    set(&mut r, "state", i.state().map(|x| json!(x.as_str())));
    set(&mut r, "creation_date", i.creation_date().map(|x| json!(x)));
    set(&mut r, "public", i.public().map(Value::from));
    // The schema knows `ebs` and `instance-store`; moto answers `standard`, which AWS never does.
    set(&mut r, "root_device_type", i.root_device_type().map(|x| x.as_str()).filter(|t| matches!(*t, "ebs" | "instance-store")).map(|t| json!(t)));
    set(&mut r, "virtualization_type", i.virtualization_type().map(|x| json!(x.as_str())));
    match ec2.describe_image_attribute().image_id(id).attribute(ImageAttributeName::LaunchPermission).send().await {
        Ok(a) => {
            let accounts: Vec<&str> = a.launch_permissions().iter().filter_map(|p| p.user_id()).collect();
            r.attrs.insert("launch_permission_account_ids".into(), json!(accounts));
            if a.launch_permissions().iter().any(|p| p.group().is_some_and(|g| g.as_str() == "all")) {
                r.attrs.insert("public".into(), json!(true));
            }
        }
        Err(e) => out.attr_failed(scope, &format!("DescribeImageAttribute({id})"), &Failure::from_sdk(&e)),
    }
    r
}

async fn network_acls(ec2: &Client, scope: &Scope, out: &Out) {
    let mut pages = ec2.describe_network_acls().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeNetworkAcls", &Failure::from_sdk(&e)),
        };
        for acl in page.network_acls() {
            out.emit(network_acl(scope, acl)).await;
        }
    }
}

fn network_acl(scope: &Scope, acl: &NetworkAcl) -> Resource {
    let id = acl.network_acl_id().unwrap_or_default();
    let mut r = resource(scope, arn(scope, "ec2", &format!("network-acl/{id}")), "aws.ec2.network_acl", id);
    tags(&mut r, acl.tags());
    let entries: Vec<Value> = acl
        .entries()
        .iter()
        .map(|e| {
            let proto = super::ec2::protocol(e.protocol());
            let ports = e.port_range().map(|p| (p.from(), p.to()));
            json!({
                "rule_number": e.rule_number().unwrap_or(32767),
                "egress": e.egress().unwrap_or(false),
                "rule_action": e.rule_action().map_or("deny", |a| a.as_str()),
                "port_range": super::ec2::port_range(&proto, ports.and_then(|p| p.0), ports.and_then(|p| p.1)),
                "protocol": proto,
                "cidr_block": e.cidr_block(),
                "ipv6_cidr_block": e.ipv6_cidr_block(),
            })
        })
        .collect();
    let subnets: Vec<&str> = acl.associations().iter().filter_map(|a| a.subnet_id()).collect();
    r.attrs = obj(json!({
        "network_acl_id": id,
        "vpc_id": acl.vpc_id().unwrap_or_default(),
        "is_default": acl.is_default().unwrap_or(false),
        "entries": entries,
        "associated_subnet_ids": subnets,
    }));
    if let Some(v) = acl.vpc_id() {
        relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{v}")));
    }
    r
}

/// One record per region; each setting that could not be read stays unknown. The six calls go
/// out together: they are independent, and an emulator that lacks them answers each with a
/// retried server error.
async fn region_settings(ec2: &Client, scope: &Scope, out: &Out) {
    let mut r = resource(scope, arn(scope, "ec2", "region-settings"), "aws.ec2.region_settings", &scope.region);
    let (ebs, key, snap, image, serial, imds) = tokio::join!(
        ec2.get_ebs_encryption_by_default().send(),
        ec2.get_ebs_default_kms_key_id().send(),
        ec2.get_snapshot_block_public_access_state().send(),
        ec2.get_image_block_public_access_state().send(),
        ec2.get_serial_console_access_status().send(),
        ec2.get_instance_metadata_defaults().send(),
    );
    let fail = |op: &str, f: Failure| out.attr_failed(scope, op, &f);
    match ebs {
        Ok(x) => set(&mut r, "ebs_encryption_by_default", x.ebs_encryption_by_default().map(Value::from)),
        Err(e) => fail("GetEbsEncryptionByDefault", Failure::from_sdk(&e)),
    }
    match key {
        Ok(x) => set(&mut r, "ebs_default_kms_key_id", Some(json!(x.kms_key_id()))),
        Err(e) => fail("GetEbsDefaultKmsKeyId", Failure::from_sdk(&e)),
    }
    match snap {
        Ok(x) => set(&mut r, "snapshot_block_public_access_state", x.state().map(|s| json!(s.as_str()))),
        Err(e) => fail("GetSnapshotBlockPublicAccessState", Failure::from_sdk(&e)),
    }
    match image {
        Ok(x) => set(&mut r, "image_block_public_access_state", x.image_block_public_access_state().map(|s| json!(s))),
        Err(e) => fail("GetImageBlockPublicAccessState", Failure::from_sdk(&e)),
    }
    match serial {
        Ok(x) => set(&mut r, "serial_console_access_enabled", x.serial_console_access_enabled().map(Value::from)),
        Err(e) => fail("GetSerialConsoleAccessStatus", Failure::from_sdk(&e)),
    }
    match imds {
        Ok(x) => {
            let d = x.account_level();
            r.attrs.insert("instance_metadata_defaults".into(), json!({
                "http_tokens": d.and_then(|d| d.http_tokens()).map(|t| t.as_str()),
                "http_endpoint": d.and_then(|d| d.http_endpoint()).map(|t| t.as_str()),
                "http_put_response_hop_limit": d.and_then(|d| d.http_put_response_hop_limit()),
                "instance_metadata_tags": d.and_then(|d| d.instance_metadata_tags()).map(|t| t.as_str()),
            }));
        }
        Err(e) => fail("GetInstanceMetadataDefaults", Failure::from_sdk(&e)),
    }
    out.emit(r).await;
}
