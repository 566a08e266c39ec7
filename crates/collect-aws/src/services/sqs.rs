//! SQS queues: encryption (SSE-KMS or SSE-SQS), access policy, dead-letter queue.

use super::{policy_value, record, relate, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use futures::StreamExt;
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::HashMap;

const PER_REGION: usize = 8;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let sqs = Client::new(config);
    let mut urls = Vec::new();
    let mut pages = sqs.list_queues().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => urls.extend(p.queue_urls().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListQueues", &Failure::from_sdk(&e)),
        }
    }
    let mut done = futures::stream::iter(urls).map(|u| queue(&sqs, scope, out, u)).buffer_unordered(PER_REGION);
    while let Some(r) = done.next().await {
        if let Some(r) = r {
            out.emit(r).await;
        }
    }
}

/// A queue, or `None` when its attributes (and so its ARN) could not be read.
async fn queue(sqs: &Client, scope: &Scope, out: &Out, url: String) -> Option<Resource> {
    let name = url.rsplit('/').next().unwrap_or_default().to_string();
    let attrs = match sqs.get_queue_attributes().queue_url(&url).attribute_names(QueueAttributeName::All).send().await {
        Ok(a) => a,
        Err(e) => {
            // Without attributes there is no ARN to name the queue by: it is missing, not unknown.
            out.list_failed(scope, &format!("GetQueueAttributes({name})"), &Failure::from_sdk(&e));
            return None;
        }
    };
    let map: HashMap<String, String> =
        attrs.attributes().map(|m| m.iter().map(|(k, v)| (k.as_str().to_string(), v.clone())).collect()).unwrap_or_default();
    let arn = map.get("QueueArn").cloned().unwrap_or_else(|| super::arn(scope, "sqs", &name));
    let mut r = resource(scope, arn, "aws.sqs.queue", &name);
    r.attrs.insert("queue_url".into(), json!(url));
    match sqs.list_queue_tags().queue_url(&url).send().await {
        Ok(t) => r.tags.extend(t.tags().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone()))),
        Err(e) => out.attr_failed(scope, &format!("ListQueueTags({name})"), &Failure::from_sdk(&e)),
    }
    let problems = queue_attrs(&mut r, &map);
    record(out, scope, &format!("GetQueueAttributes({name})"), problems);
    Some(r)
}

/// Maps `GetQueueAttributes` (or an AWS Config item's attribute map) onto the queue.
/// Returns the problems found (a policy that does not parse).
pub(crate) fn queue_attrs(r: &mut Resource, a: &HashMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let text = |k: &str| a.get(k).filter(|v| !v.is_empty()).map(String::as_str);
    let int = |k: &str| text(k).and_then(|v| v.parse::<i64>().ok());
    r.attrs.insert("fifo_queue".into(), json!(text("FifoQueue") == Some("true")));
    r.attrs.insert("kms_master_key_id".into(), json!(text("KmsMasterKeyId")));
    // Older queues and some emulators do not return the flag: unknown, not off.
    if let Some(v) = text("SqsManagedSseEnabled") {
        r.attrs.insert("sqs_managed_sse_enabled".into(), json!(v == "true"));
    }
    set(r, "policy", policy_value(text("Policy"), &mut problems));
    match text("RedrivePolicy").map(serde_json::from_str::<Value>) {
        None => {
            r.attrs.insert("redrive_policy".into(), Value::Null);
        }
        Some(Ok(p)) => {
            let count = p["maxReceiveCount"].as_i64().or_else(|| p["maxReceiveCount"].as_str().and_then(|s| s.parse().ok()));
            r.attrs.insert("redrive_policy".into(), json!({
                "dead_letter_target_arn": p["deadLetterTargetArn"].as_str().unwrap_or_default(),
                "max_receive_count": count.unwrap_or(0),
            }));
        }
        Some(Err(e)) => problems.push(format!("RedrivePolicy is not JSON: {e}")),
    }
    if let Some(n) = int("MessageRetentionPeriod") {
        r.attrs.insert("message_retention_period".into(), json!(n));
    }
    if let Some(n) = int("VisibilityTimeout") {
        r.attrs.insert("visibility_timeout".into(), json!(n));
    }
    if let Some(k) = text("KmsMasterKeyId").filter(|k| k.starts_with("arn:")) {
        relate(r, "encrypted_with", k);
    }
    problems
}
