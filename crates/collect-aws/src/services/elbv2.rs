//! Application, Network and Gateway Load Balancers: listeners with their TLS policies and default
//! actions, the attributes rules read, and the WAF web ACL of Application Load Balancers.

use super::{arn, obj, relate, resource, set, sub};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_elasticloadbalancingv2::types::{Action, Listener, LoadBalancer};
use aws_sdk_elasticloadbalancingv2::Client;
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::HashMap;

const PER_REGION: usize = 8;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let elb = Client::new(config);
    let waf = aws_sdk_wafv2::Client::new(config);
    let mut list = Vec::new();
    let mut pages = elb.describe_load_balancers().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.load_balancers().iter().cloned()),
            Err(e) => return out.list_failed(scope, "DescribeLoadBalancers", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, list, PER_REGION, |lb| load_balancer(&elb, &waf, scope, out, lb)).await;
}

async fn load_balancer(elb: &Client, waf: &aws_sdk_wafv2::Client, scope: &Scope, out: &Out, lb: LoadBalancer) -> Resource {
    let name = lb.load_balancer_name().unwrap_or_default();
    let lb_arn = lb.load_balancer_arn().map_or_else(|| arn(scope, "elasticloadbalancing", &format!("loadbalancer/{name}")), str::to_string);
    let mut r = resource(scope, lb_arn.clone(), "aws.elbv2.load_balancer", name);
    let zones: Vec<Value> = lb.availability_zones().iter().map(|z| json!({"zone_name": z.zone_name(), "subnet_id": z.subnet_id()})).collect();
    r.attrs = obj(json!({
        "load_balancer_name": name,
        "dns_name": lb.dns_name(),
        "vpc_id": lb.vpc_id().unwrap_or_default(),
        "availability_zones": zones,
        "security_group_ids": lb.security_groups(),
    }));
    let kind = lb.r#type().map(|t| t.as_str().to_string());
    set(&mut r, "type", kind.as_ref().map(|t| json!(t)));
    set(&mut r, "scheme", lb.scheme().map(|s| json!(s.as_str())));
    set(&mut r, "state", lb.state().and_then(|s| s.code()).map(|c| json!(c.as_str())));
    set(&mut r, "ip_address_type", lb.ip_address_type().map(|t| json!(t.as_str())));
    attributes(elb, scope, out, &lb_arn, &mut r).await;
    if let Some(listeners) = listeners(elb, scope, out, &lb_arn).await {
        for l in &listeners {
            for c in l.certificates().iter().filter_map(|c| c.certificate_arn()) {
                relate(&mut r, "uses_certificate", c);
            }
        }
        r.attrs.insert("listeners".into(), Value::Array(listeners.iter().map(listener).collect()));
    }
    let web_acl = match kind.as_deref() {
        Some("application") => web_acl(waf, scope, out, &lb_arn).await,
        // WAF attaches to Application Load Balancers only: for the others "none" is known.
        Some(_) => Some(Value::Null),
        None => None,
    };
    set(&mut r, "web_acl_arn", web_acl);
    for g in lb.security_groups() {
        relate(&mut r, "has_security_group", arn(scope, "ec2", &format!("security-group/{g}")));
    }
    for s in lb.availability_zones().iter().filter_map(|z| z.subnet_id()) {
        relate(&mut r, "in_subnet", arn(scope, "ec2", &format!("subnet/{s}")));
    }
    if let Some(v) = lb.vpc_id() {
        relate(&mut r, "in_vpc", arn(scope, "ec2", &format!("vpc/{v}")));
    }
    r
}

async fn listeners(elb: &Client, scope: &Scope, out: &Out, lb_arn: &str) -> Option<Vec<Listener>> {
    let mut list = Vec::new();
    let mut pages = elb.describe_listeners().load_balancer_arn(lb_arn).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.listeners().iter().cloned()),
            Err(e) => {
                out.attr_failed(scope, &format!("DescribeListeners({lb_arn})"), &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    Some(list)
}

fn listener(l: &Listener) -> Value {
    let protocol = l.protocol().map(|p| p.as_str());
    let secure = matches!(protocol, Some("HTTPS" | "TLS"));
    json!({
        "listener_arn": l.listener_arn(),
        "protocol": protocol.unwrap_or_default(),
        "port": l.port(),
        "ssl_policy": if secure { json!(l.ssl_policy()) } else { Value::Null },
        "certificate_arns": l.certificates().iter().filter_map(|c| c.certificate_arn()).collect::<Vec<_>>(),
        "default_actions": l.default_actions().iter().map(action).collect::<Vec<_>>(),
    })
}

fn action(a: &Action) -> Value {
    let redirect = a.redirect_config();
    json!({
        "type": a.r#type().map_or("", |t| t.as_str()),
        "redirect_protocol": redirect.and_then(|c| c.protocol()),
        "redirect_status_code": redirect.and_then(|c| c.status_code()).map(|s| s.as_str()),
    })
}

async fn attributes(elb: &Client, scope: &Scope, out: &Out, lb_arn: &str, r: &mut Resource) {
    let attrs = match elb.describe_load_balancer_attributes().load_balancer_arn(lb_arn).send().await {
        Ok(a) => a,
        Err(e) => return out.attr_failed(scope, &format!("DescribeLoadBalancerAttributes({lb_arn})"), &Failure::from_sdk(&e)),
    };
    let map: HashMap<&str, &str> = attrs.attributes().iter().filter_map(|a| Some((a.key()?, a.value()?))).collect();
    let flag = |k: &str| map.get(k).map(|v| json!(v.eq_ignore_ascii_case("true")));
    let text = |k: &str| map.get(k).filter(|v| !v.is_empty()).map(|v| json!(v));
    set(r, "deletion_protection_enabled", flag("deletion_protection.enabled"));
    if let Some(enabled) = flag("access_logs.s3.enabled") {
        r.attrs.insert("access_logs".into(), json!({
            "enabled": enabled,
            "s3_bucket": text("access_logs.s3.bucket"),
            "s3_prefix": text("access_logs.s3.prefix"),
        }));
    }
    set(r, "drop_invalid_header_fields_enabled", flag("routing.http.drop_invalid_header_fields.enabled"));
    set(r, "desync_mitigation_mode", text("routing.http.desync_mitigation_mode"));
    set(r, "cross_zone_enabled", flag("load_balancing.cross_zone.enabled"));
}

/// The WAF web ACL of an Application Load Balancer: its ARN, `null` when none, `None` unknown.
async fn web_acl(waf: &aws_sdk_wafv2::Client, scope: &Scope, out: &Out, lb_arn: &str) -> Option<Value> {
    match waf.get_web_acl_for_resource().resource_arn(lb_arn).send().await {
        Ok(w) => Some(json!(w.web_acl().map(|a| a.arn()))),
        Err(e) => {
            out.attr_failed(&sub(scope, "wafv2"), &format!("GetWebACLForResource({lb_arn})"), &Failure::from_sdk(&e));
            None
        }
    }
}
