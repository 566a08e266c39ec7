//! Classic Load Balancers: listeners with the predefined TLS policy they reference, access logs,
//! connection draining, cross-zone balancing and desync mitigation.

use super::{arn, obj, relate, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_elasticloadbalancing::types::LoadBalancerDescription;
use aws_sdk_elasticloadbalancing::Client;
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::HashMap;

const PER_REGION: usize = 8;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let elb = Client::new(config);
    let mut list = Vec::new();
    let mut pages = elb.describe_load_balancers().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.load_balancer_descriptions().iter().cloned()),
            Err(e) => return out.list_failed(scope, "DescribeLoadBalancers", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_REGION, |lb| load_balancer(&elb, scope, out, lb)).await;
}

async fn load_balancer(elb: &Client, scope: &Scope, out: &Out, lb: LoadBalancerDescription) -> Resource {
    let name = lb.load_balancer_name().unwrap_or_default();
    let mut r = resource(scope, arn(scope, "elasticloadbalancing", &format!("loadbalancer/{name}")), "aws.elb.load_balancer", name);
    r.attrs = obj(json!({
        "load_balancer_name": name,
        "dns_name": lb.dns_name().unwrap_or_default(),
        "vpc_id": lb.vpc_id(),
        "availability_zones": lb.availability_zones(),
        "subnets": lb.subnets(),
        "security_groups": lb.security_groups(),
    }));
    // A missing scheme is unknown: defaulting it would hide an internet-facing load balancer.
    set(&mut r, "scheme", lb.scheme().map(|s| json!(s)));
    set(&mut r, "listeners", listeners(elb, scope, out, &lb).await);
    attributes(elb, scope, out, name, &mut r).await;
    for g in lb.security_groups() {
        relate(&mut r, "has_security_group", arn(scope, "ec2", &format!("security-group/{g}")));
    }
    for s in lb.subnets() {
        relate(&mut r, "in_subnet", arn(scope, "ec2", &format!("subnet/{s}")));
    }
    if let Some(v) = lb.vpc_id() {
        relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{v}")));
    }
    for i in lb.instances().iter().filter_map(|i| i.instance_id()) {
        relate(&mut r, "routes_to", arn(scope, "ec2", &format!("instance/{i}")));
    }
    r
}

/// Listeners with the predefined policy each one's SSL negotiation policy references; `None`
/// when a secure listener's policy could not be read.
async fn listeners(elb: &Client, scope: &Scope, out: &Out, lb: &LoadBalancerDescription) -> Option<Value> {
    let name = lb.load_balancer_name().unwrap_or_default();
    let secure = |p: &str| p.eq_ignore_ascii_case("HTTPS") || p.eq_ignore_ascii_case("SSL");
    let needs_policies = lb.listener_descriptions().iter().any(|d| d.listener().is_some_and(|l| secure(l.protocol())));
    let references = if needs_policies {
        match elb.describe_load_balancer_policies().load_balancer_name(name).send().await {
            Ok(p) => reference_policies(p.policy_descriptions()),
            Err(e) => {
                out.attr_failed(scope, &format!("DescribeLoadBalancerPolicies({name})"), &Failure::from_sdk(&e));
                return None;
            }
        }
    } else {
        HashMap::new()
    };
    let list = lb
        .listener_descriptions()
        .iter()
        .filter_map(|d| d.listener().map(|l| (l, d.policy_names())))
        .map(|(l, policies)| {
            let reference = secure(l.protocol()).then(|| policies.iter().find_map(|p| references.get(p)).cloned()).flatten();
            json!({
                "protocol": l.protocol().to_ascii_uppercase(),
                "load_balancer_port": l.load_balancer_port(),
                "instance_protocol": l.instance_protocol().unwrap_or(l.protocol()).to_ascii_uppercase(),
                "instance_port": l.instance_port(),
                "ssl_certificate_id": l.ssl_certificate_id(),
                "reference_security_policy": reference,
            })
        })
        .collect();
    Some(Value::Array(list))
}

/// Policy name → the predefined policy it references (`Reference-Security-Policy`).
fn reference_policies(list: &[aws_sdk_elasticloadbalancing::types::PolicyDescription]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for p in list {
        let reference = p
            .policy_attribute_descriptions()
            .iter()
            .find(|a| a.attribute_name() == Some("Reference-Security-Policy"))
            .and_then(|a| a.attribute_value());
        if let (Some(name), Some(reference)) = (p.policy_name(), reference) {
            map.insert(name.to_string(), reference.to_string());
        }
    }
    map
}

async fn attributes(elb: &Client, scope: &Scope, out: &Out, name: &str, r: &mut Resource) {
    let attrs = match elb.describe_load_balancer_attributes().load_balancer_name(name).send().await {
        Ok(a) => a,
        Err(e) => return out.attr_failed(scope, &format!("DescribeLoadBalancerAttributes({name})"), &Failure::from_sdk(&e)),
    };
    let Some(a) = attrs.load_balancer_attributes() else { return };
    if let Some(l) = a.access_log() {
        r.attrs.insert("access_log".into(), json!({
            "enabled": l.enabled(),
            "s3_bucket_name": l.s3_bucket_name(),
            "emit_interval": l.emit_interval(),
        }));
    }
    if let Some(d) = a.connection_draining() {
        r.attrs.insert("connection_draining".into(), json!({"enabled": d.enabled(), "timeout": d.timeout()}));
    }
    if let Some(c) = a.cross_zone_load_balancing() {
        r.attrs.insert("cross_zone_load_balancing_enabled".into(), json!(c.enabled()));
    }
    let desync = a.additional_attributes().iter().find(|x| x.key() == Some("elb.http.desyncmitigationmode")).and_then(|x| x.value());
    set(r, "desync_mitigation_mode", desync.map(|d| json!(d)));
}
