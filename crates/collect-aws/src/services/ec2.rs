//! EC2: instances, security groups, VPCs with their flow logs, subnets, EBS volumes.

use super::{arn, opt_str, relate, resource, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_ec2::types::{IpPermission, Tag};
use aws_sdk_ec2::Client;
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::HashMap;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let ec2 = Client::new(config);
    instances(&ec2, scope, out).await;
    security_groups(&ec2, scope, out).await;
    vpcs(&ec2, scope, out).await;
    subnets(&ec2, scope, out).await;
    volumes(&ec2, scope, out).await;
    super::ec2_more::collect(&ec2, scope, out).await;
    super::ec2_network::collect(&ec2, scope, out).await;
}

fn tags(r: &mut Resource, tags: &[Tag]) {
    for t in tags {
        if let (Some(k), Some(v)) = (t.key(), t.value()) {
            r.tags.insert(k.to_string(), v.to_string());
        }
    }
}

fn name_tag(tags: &[Tag]) -> Option<&str> {
    tags.iter().find(|t| t.key() == Some("Name")).and_then(Tag::value)
}

async fn instances(ec2: &Client, scope: &Scope, out: &Out) {
    let mut pages = ec2.describe_instances().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeInstances", &Failure::from_sdk(&e)),
        };
        for i in page.reservations().iter().flat_map(|r| r.instances()) {
            let id = i.instance_id().unwrap_or_default();
            let mut r = resource(scope, arn(scope, "ec2", &format!("instance/{id}")), "aws.ec2.instance", id);
            tags(&mut r, i.tags());
            let sgs: Vec<&str> = i.security_groups().iter().filter_map(|g| g.group_id()).collect();
            let meta = i.metadata_options();
            r.attrs = json!({
                "instance_id": id,
                "instance_type": i.instance_type().map(|t| t.as_str()),
                "image_id": i.image_id(),
                "state": i.state().and_then(|s| s.name()).map(|n| n.as_str()),
                "launch_time": time(i.launch_time()),
                "platform": i.platform().map(|p| p.as_str()),
                "public_ip_address": i.public_ip_address(),
                "private_ip_address": i.private_ip_address(),
                "vpc_id": i.vpc_id(),
                "subnet_id": i.subnet_id(),
                "key_name": i.key_name(),
                "detailed_monitoring": i.monitoring().and_then(|m| m.state()).is_some_and(|s| s.as_str() == "enabled"),
                "metadata_options": meta.map(|m| json!({
                    "http_tokens": m.http_tokens().map_or("optional", |t| t.as_str()),
                    "http_endpoint": m.http_endpoint().map_or("enabled", |t| t.as_str()),
                    "http_put_response_hop_limit": m.http_put_response_hop_limit().unwrap_or(1),
                    "instance_metadata_tags": m.instance_metadata_tags().map_or("disabled", |t| t.as_str()),
                })),
                "iam_instance_profile_arn": i.iam_instance_profile().and_then(|p| p.arn()),
                "security_group_ids": sgs,
                "ebs_optimized": i.ebs_optimized().unwrap_or(false),
                "network_interface_count": i.network_interfaces().len(),
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
            if let Some(v) = i.virtualization_type() {
                r.attrs.insert("virtualization_type".into(), json!(v.as_str()));
            }
            // Metadata options the API did not return are unknown, not "optional".
            if meta.is_none() {
                r.attrs.remove("metadata_options");
            }
            for g in &sgs {
                relate(&mut r, "has_security_group", arn(scope, "ec2", &format!("security-group/{g}")));
            }
            if let Some(p) = i.iam_instance_profile().and_then(|p| p.arn()) {
                relate(&mut r, "has_instance_profile", p);
            }
            if let Some(s) = i.subnet_id() {
                relate(&mut r, "in_subnet", arn(scope, "ec2", &format!("subnet/{s}")));
            }
            if let Some(v) = i.vpc_id() {
                relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{v}")));
            }
            out.emit(r).await;
        }
    }
}

pub(crate) fn protocol(p: Option<&str>) -> String {
    match p.unwrap_or("-1") {
        "-1" => "all".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// Ports as rules read them: every port for `all` (and tcp/udp without a range), none for icmp.
pub(crate) fn port_range(proto: &str, from: Option<i32>, to: Option<i32>) -> Value {
    match (proto, from, to) {
        ("all", _, _) => json!({"from": 0, "to": 65535}),
        ("tcp" | "udp", Some(f), Some(t)) if f >= 0 && t >= 0 => json!({"from": f, "to": t}),
        ("tcp" | "udp", _, _) => json!({"from": 0, "to": 65535}),
        _ => Value::Null,
    }
}

/// A security group permission in a source-neutral shape (the API's or an AWS Config item's).
pub(crate) struct Perm<'a> {
    pub proto: Option<&'a str>,
    pub from: Option<i32>,
    pub to: Option<i32>,
    /// (canonical peer field, peer value, description), one per peer.
    pub peers: Vec<(&'static str, Option<&'a str>, Option<&'a str>)>,
}

fn perm(p: &IpPermission) -> Perm<'_> {
    let mut peers = Vec::new();
    peers.extend(p.ip_ranges().iter().map(|r| ("cidr_ipv4", r.cidr_ip(), r.description())));
    peers.extend(p.ipv6_ranges().iter().map(|r| ("cidr_ipv6", r.cidr_ipv6(), r.description())));
    peers.extend(p.prefix_list_ids().iter().map(|r| ("prefix_list_id", r.prefix_list_id(), r.description())));
    peers.extend(p.user_id_group_pairs().iter().map(|r| ("referenced_group_id", r.group_id(), r.description())));
    Perm { proto: p.ip_protocol(), from: p.from_port(), to: p.to_port(), peers }
}

/// One canonical rule per peer of a permission, as `DescribeSecurityGroupRules` would list them.
pub(crate) fn sg_rules(perms: &[Perm]) -> Vec<Value> {
    let mut rules = Vec::new();
    for p in perms {
        let proto = protocol(p.proto);
        let (from, to) = (p.from, p.to);
        let is_icmp = proto.starts_with("icmp");
        let port_range = port_range(&proto, from, to);
        for (peer, value, desc) in &p.peers {
            let mut rule = json!({
                "rule_id": null, "protocol": proto, "port_range": port_range,
                "icmp_type": if is_icmp { json!(from) } else { Value::Null },
                "icmp_code": if is_icmp { json!(to) } else { Value::Null },
                "cidr_ipv4": null, "cidr_ipv6": null, "prefix_list_id": null, "referenced_group_id": null,
                "description": desc,
            });
            rule[*peer] = opt_str(*value);
            rules.push(rule);
        }
    }
    rules
}

/// How many network interfaces use each security group; `None` when they could not be listed.
async fn interfaces_per_group(ec2: &Client, scope: &Scope, out: &Out) -> Option<HashMap<String, usize>> {
    let mut counts = HashMap::new();
    let mut pages = ec2.describe_network_interfaces().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for g in p.network_interfaces().iter().flat_map(|n| n.groups()).filter_map(|g| g.group_id()) {
                    *counts.entry(g.to_string()).or_default() += 1;
                }
            }
            Err(e) => {
                out.attr_failed(scope, "DescribeNetworkInterfaces", &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    Some(counts)
}

async fn security_groups(ec2: &Client, scope: &Scope, out: &Out) {
    let used = interfaces_per_group(ec2, scope, out).await;
    let mut pages = ec2.describe_security_groups().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeSecurityGroups", &Failure::from_sdk(&e)),
        };
        for g in page.security_groups() {
            let id = g.group_id().unwrap_or_default();
            let name = g.group_name().unwrap_or_default();
            let mut r = resource(scope, arn(scope, "ec2", &format!("security-group/{id}")), "aws.ec2.security_group", name);
            tags(&mut r, g.tags());
            r.attrs = json!({
                "group_id": id,
                "group_name": name,
                "description": g.description().unwrap_or_default(),
                "vpc_id": g.vpc_id().unwrap_or_default(),
                "is_default": name == "default",
                "ingress_rules": sg_rules(&g.ip_permissions().iter().map(perm).collect::<Vec<_>>()),
                "egress_rules": sg_rules(&g.ip_permissions_egress().iter().map(perm).collect::<Vec<_>>()),
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
            if let Some(map) = &used {
                r.attrs.insert("network_interface_count".into(), json!(map.get(id).copied().unwrap_or(0)));
            }
            if let Some(v) = g.vpc_id() {
                relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{v}")));
            }
            out.emit(r).await;
        }
    }
}

async fn vpcs(ec2: &Client, scope: &Scope, out: &Out) {
    // Flow logs first, so each VPC can carry its own; without them, flow logs are unknown.
    let mut flow_logs: Option<HashMap<String, Vec<Value>>> = Some(HashMap::new());
    let mut pages = ec2.describe_flow_logs().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for f in p.flow_logs() {
                    let entry = json!({
                        "flow_log_id": f.flow_log_id(),
                        "status": f.flow_log_status(),
                        "deliver_logs_status": f.deliver_logs_status(),
                        "traffic_type": f.traffic_type().map(|t| t.as_str()),
                        "log_destination_type": f.log_destination_type().map_or("cloud-watch-logs", |t| t.as_str()),
                        "log_destination": f.log_destination().or(f.log_group_name()),
                    });
                    if let (Some(map), Some(res)) = (flow_logs.as_mut(), f.resource_id()) {
                        map.entry(res.to_string()).or_default().push(entry);
                    }
                }
            }
            Err(e) => {
                out.attr_failed(scope, "DescribeFlowLogs", &Failure::from_sdk(&e));
                flow_logs = None;
                break;
            }
        }
    }
    let endpoints = vpc_endpoints(ec2, scope, out).await;
    let mut pages = ec2.describe_vpcs().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeVpcs", &Failure::from_sdk(&e)),
        };
        for v in page.vpcs() {
            let id = v.vpc_id().unwrap_or_default();
            let mut r = resource(scope, arn(scope, "ec2", &format!("vpc/{id}")), "aws.ec2.vpc", name_tag(v.tags()).unwrap_or(id));
            tags(&mut r, v.tags());
            let v4: Vec<&str> = v.cidr_block_association_set().iter().filter_map(|a| a.cidr_block()).collect();
            let v6: Vec<&str> = v.ipv6_cidr_block_association_set().iter().filter_map(|a| a.ipv6_cidr_block()).collect();
            r.attrs = json!({
                "vpc_id": id,
                "cidr_block": v.cidr_block().unwrap_or_default(),
                "cidr_blocks": v4,
                "ipv6_cidr_blocks": v6,
                "is_default": v.is_default(),
                "state": v.state().map_or("available", |s| s.as_str()),
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
            if let Some(map) = &flow_logs {
                let logs = map.get(id).cloned().unwrap_or_default();
                for l in &logs {
                    if let Some(dest) = l["log_destination"].as_str().filter(|d| d.starts_with("arn:")) {
                        relate(&mut r, "logs_to", dest);
                    }
                }
                r.attrs.insert("flow_logs".into(), Value::Array(logs));
            }
            if let Some(map) = &endpoints {
                r.attrs.insert("vpc_endpoints".into(), Value::Array(map.get(id).cloned().unwrap_or_default()));
            }
            out.emit(r).await;
        }
    }
}

async fn subnets(ec2: &Client, scope: &Scope, out: &Out) {
    let mut pages = ec2.describe_subnets().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeSubnets", &Failure::from_sdk(&e)),
        };
        for s in page.subnets() {
            let id = s.subnet_id().unwrap_or_default();
            let mut r = resource(scope, arn(scope, "ec2", &format!("subnet/{id}")), "aws.ec2.subnet", name_tag(s.tags()).unwrap_or(id));
            tags(&mut r, s.tags());
            r.attrs = json!({
                "subnet_id": id,
                "vpc_id": s.vpc_id().unwrap_or_default(),
                "cidr_block": s.cidr_block(),
                "availability_zone": s.availability_zone().unwrap_or_default(),
                "map_public_ip_on_launch": s.map_public_ip_on_launch(),
                "default_for_az": s.default_for_az().unwrap_or(false),
                "available_ip_address_count": s.available_ip_address_count().unwrap_or(0),
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
            if let Some(v) = s.vpc_id() {
                relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{v}")));
            }
            out.emit(r).await;
        }
    }
}

async fn volumes(ec2: &Client, scope: &Scope, out: &Out) {
    let mut pages = ec2.describe_volumes().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeVolumes", &Failure::from_sdk(&e)),
        };
        for v in page.volumes() {
            let id = v.volume_id().unwrap_or_default();
            let mut r = resource(scope, arn(scope, "ec2", &format!("volume/{id}")), "aws.ec2.volume", id);
            tags(&mut r, v.tags());
            let attachments: Vec<Value> = v
                .attachments()
                .iter()
                .map(|a| json!({
                    "instance_id": a.instance_id().unwrap_or_default(),
                    "device": a.device().unwrap_or_default(),
                    "state": a.state().map_or("attached", |s| s.as_str()),
                    "delete_on_termination": a.delete_on_termination().unwrap_or(false),
                }))
                .collect();
            r.attrs = json!({
                "volume_id": id,
                "size_gib": v.size().unwrap_or(0),
                "volume_type": v.volume_type().map_or("gp2", |t| t.as_str()),
                "state": v.state().map_or("available", |s| s.as_str()),
                "encrypted": v.encrypted().unwrap_or(false),
                "kms_key_id": v.kms_key_id(),
                "availability_zone": v.availability_zone().unwrap_or_default(),
                "create_time": time(v.create_time()),
                "snapshot_id": v.snapshot_id().filter(|s| !s.is_empty()),
                "attachments": attachments,
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
            for a in v.attachments() {
                if let Some(i) = a.instance_id() {
                    relate(&mut r, "attached_to", arn(scope, "ec2", &format!("instance/{i}")));
                }
            }
            if let Some(k) = v.kms_key_id() {
                relate(&mut r, "encrypted_with", k);
            }
            out.emit(r).await;
        }
    }
}

/// The VPC endpoints of the region by VPC; `None` when they could not be listed.
async fn vpc_endpoints(ec2: &Client, scope: &Scope, out: &Out) -> Option<HashMap<String, Vec<Value>>> {
    let mut map: HashMap<String, Vec<Value>> = HashMap::new();
    let mut pages = ec2.describe_vpc_endpoints().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for e in p.vpc_endpoints() {
                    let Some(vpc) = e.vpc_id() else { continue };
                    map.entry(vpc.to_string()).or_default().push(json!({
                        "vpc_endpoint_id": e.vpc_endpoint_id().unwrap_or_default(),
                        "service_name": e.service_name().unwrap_or_default(),
                        "vpc_endpoint_type": e.vpc_endpoint_type().map_or("", |t| t.as_str()),
                        "state": e.state().map_or("", |s| s.as_str()),
                    }));
                }
            }
            Err(e) => {
                out.attr_failed(scope, "DescribeVpcEndpoints", &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    Some(map)
}
