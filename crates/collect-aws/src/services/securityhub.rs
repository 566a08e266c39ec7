//! Security Hub: one record per region, `subscribed: false` where the account has not enabled it.

use super::{obj, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_securityhub::Client;
use serde_json::{json, Value};

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let hub = Client::new(config);
    let mut r = resource(scope, super::arn(scope, "securityhub", "hub/default"), "aws.securityhub.hub", "default");
    match hub.describe_hub().send().await {
        Ok(h) => {
            r.attrs = obj(json!({
                "subscribed": true,
                "subscribed_at": h.subscribed_at(),
                "auto_enable_controls": h.auto_enable_controls(),
                "control_finding_generator": h.control_finding_generator().map(|g| g.as_str()),
            }));
            set(&mut r, "standards_subscriptions", standards(&hub, scope, out).await);
        }
        Err(e) => {
            let f = Failure::from_sdk(&e);
            // "Account is not subscribed to AWS Security Hub": known off, not a failure.
            if !f.is_absent_setting(&["InvalidAccessException"]) {
                return out.list_failed(scope, "DescribeHub", &f);
            }
            r.attrs = obj(json!({
                "subscribed": false,
                "subscribed_at": null,
                "auto_enable_controls": null,
                "control_finding_generator": null,
                "standards_subscriptions": [],
            }));
        }
    }
    out.emit(r).await;
}

async fn standards(hub: &Client, scope: &Scope, out: &Out) -> Option<Value> {
    let mut list = Vec::new();
    let mut pages = hub.get_enabled_standards().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.standards_subscriptions().iter().map(|s| {
                json!({
                    "standards_arn": s.standards_arn().unwrap_or_default(),
                    "standards_status": s.standards_status().map_or("", |x| x.as_str()),
                })
            })),
            Err(e) => {
                out.attr_failed(scope, "GetEnabledStandards", &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    Some(Value::Array(list))
}
