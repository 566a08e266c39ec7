//! SNS topics: encryption, access policy, subscriptions.

use super::{policy_value, record, relate, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_sns::Client;
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::HashMap;

const PER_REGION: usize = 8;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let sns = Client::new(config);
    let mut arns = Vec::new();
    let mut pages = sns.list_topics().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => arns.extend(p.topics().iter().filter_map(|t| t.topic_arn()).map(str::to_string)),
            Err(e) => return out.list_failed(scope, "ListTopics", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, arns, PER_REGION, |arn| topic(&sns, scope, out, arn)).await;
}

async fn topic(sns: &Client, scope: &Scope, out: &Out, arn: String) -> Resource {
    let name = arn.rsplit(':').next().unwrap_or_default().to_string();
    let mut r = resource(scope, arn.clone(), "aws.sns.topic", &name);
    match sns.get_topic_attributes().topic_arn(&arn).send().await {
        Ok(a) => {
            let empty = HashMap::new();
            let problems = topic_attrs(&mut r, a.attributes().unwrap_or(&empty));
            record(out, scope, &format!("GetTopicAttributes({name})"), problems);
        }
        Err(e) => out.attr_failed(scope, &format!("GetTopicAttributes({name})"), &Failure::from_sdk(&e)),
    }
    r
}

/// Maps `GetTopicAttributes` (or an AWS Config item's attribute map) onto the topic.
/// Returns the problems found (a policy that does not parse).
pub(crate) fn topic_attrs(r: &mut Resource, a: &HashMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let text = |k: &str| a.get(k).filter(|v| !v.is_empty()).map(String::as_str);
    r.attrs.insert("display_name".into(), json!(text("DisplayName")));
    r.attrs.insert("fifo_topic".into(), json!(text("FifoTopic") == Some("true")));
    r.attrs.insert("kms_master_key_id".into(), json!(text("KmsMasterKeyId")));
    set(r, "policy", policy_value(text("Policy"), &mut problems));
    if let Some(n) = text("SubscriptionsConfirmed").and_then(|n| n.parse::<i64>().ok()) {
        r.attrs.insert("subscriptions_confirmed".into(), json!(n));
    }
    r.attrs.insert("tracing_config".into(), text("TracingConfig").map_or(Value::Null, |t| json!(t)));
    if let Some(k) = text("KmsMasterKeyId").filter(|k| k.starts_with("arn:")) {
        relate(r, "encrypted_with", k);
    }
    problems
}
