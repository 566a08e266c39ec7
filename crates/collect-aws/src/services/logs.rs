//! CloudWatch Logs log groups with their metric filters and, on each filter's metric, the
//! CloudWatch alarms (the CIS 4.x monitoring checks walk trail → log group → filter → alarm →
//! SNS); and every metric alarm as its own resource.

use super::{obj, relate, resource, sub, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_cloudwatch::types::MetricAlarm;
use aws_smithy_types::DateTime;
use serde_json::{json, Value};
use std::collections::HashMap;

/// (namespace, metric name) → the alarms on that metric, as log group attrs show them.
type AlarmsByMetric = HashMap<(String, String), Vec<Value>>;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let alarms = alarms(config, &sub(scope, "cloudwatch"), out).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    let filters = metric_filters(&logs, scope, out).await;
    let mut pages = logs.describe_log_groups().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeLogGroups", &Failure::from_sdk(&e)),
        };
        for g in page.log_groups() {
            let name = g.log_group_name().unwrap_or_default();
            let mut r = resource(scope, log_group_arn(scope, name), "aws.logs.log_group", name);
            r.attrs = obj(json!({
                "log_group_name": name,
                "creation_time": time(g.creation_time().map(DateTime::from_millis).as_ref()),
                "retention_in_days": g.retention_in_days(),
                "kms_key_id": g.kms_key_id(),
                "stored_bytes": g.stored_bytes().unwrap_or(0),
            }));
            if let Some(class) = g.log_group_class() {
                r.attrs.insert("log_group_class".into(), json!(class.as_str()));
            }
            if let Some(map) = &filters {
                let list = map.get(name).map_or_else(Vec::new, |fs| fs.iter().map(|f| with_alarms(f, alarms.as_ref())).collect());
                r.attrs.insert("metric_filters".into(), Value::Array(list));
            }
            if let Some(k) = g.kms_key_id() {
                relate(&mut r, "encrypted_with", k);
            }
            out.emit(r).await;
        }
    }
}

/// The uid of a log group: its ARN without the `:*` suffix that some APIs (CloudTrail) append.
pub fn log_group_arn(scope: &Scope, name: &str) -> String {
    super::arn(scope, "logs", &format!("log-group:{name}"))
}

/// Every metric filter of the region by log group; `None` when they could not be listed.
async fn metric_filters(logs: &aws_sdk_cloudwatchlogs::Client, scope: &Scope, out: &Out) -> Option<HashMap<String, Vec<Value>>> {
    let mut map: HashMap<String, Vec<Value>> = HashMap::new();
    let mut pages = logs.describe_metric_filters().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for f in p.metric_filters() {
                    let transformations: Vec<Value> = f
                        .metric_transformations()
                        .iter()
                        .map(|t| json!({"metric_name": t.metric_name(), "metric_namespace": t.metric_namespace(), "metric_value": t.metric_value()}))
                        .collect();
                    let filter = json!({
                        "filter_name": f.filter_name().unwrap_or_default(),
                        "filter_pattern": f.filter_pattern().unwrap_or_default(),
                        "metric_transformations": transformations,
                    });
                    map.entry(f.log_group_name().unwrap_or_default().to_string()).or_default().push(filter);
                }
            }
            Err(e) => {
                out.attr_failed(scope, "DescribeMetricFilters", &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    Some(map)
}

/// A filter with the alarms on its metrics; without the alarm list, `alarms` stays unknown.
fn with_alarms(filter: &Value, alarms: Option<&AlarmsByMetric>) -> Value {
    let mut f = filter.clone();
    let Some(alarms) = alarms else { return f };
    let mut found = Vec::new();
    for t in filter["metric_transformations"].as_array().into_iter().flatten() {
        let key = (t["metric_namespace"].as_str().unwrap_or_default().to_string(), t["metric_name"].as_str().unwrap_or_default().to_string());
        found.extend(alarms.get(&key).into_iter().flatten().cloned());
    }
    f["alarms"] = Value::Array(found);
    f
}

/// Emits every metric alarm of the region and returns them by metric; `None` when the listing
/// failed.
async fn alarms(config: &SdkConfig, scope: &Scope, out: &Out) -> Option<AlarmsByMetric> {
    let cw = aws_sdk_cloudwatch::Client::new(config);
    let mut list: Vec<MetricAlarm> = Vec::new();
    let mut pages = cw.describe_alarms().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => list.extend(p.metric_alarms().iter().cloned()),
            Err(e) => {
                out.list_failed(scope, "DescribeAlarms", &Failure::from_sdk(&e));
                return None;
            }
        }
    }
    let mut by_metric: AlarmsByMetric = HashMap::new();
    for a in &list {
        let name = a.alarm_name().unwrap_or_default();
        let uid = a.alarm_arn().map_or_else(|| super::arn(scope, "cloudwatch", &format!("alarm:{name}")), str::to_string);
        let mut r = resource(scope, uid.clone(), "aws.cloudwatch.alarm", name);
        r.attrs = obj(json!({
            "alarm_name": name,
            "alarm_actions": a.alarm_actions(),
            "ok_actions": a.ok_actions(),
            "insufficient_data_actions": a.insufficient_data_actions(),
            "metric_name": a.metric_name(),
            "namespace": a.namespace(),
        }));
        super::set(&mut r, "actions_enabled", a.actions_enabled().map(Value::from));
        super::set(&mut r, "state_value", a.state_value().map(|s| json!(s.as_str())));
        if let (Some(ns), Some(metric)) = (a.namespace(), a.metric_name()) {
            let mut entry = json!({"alarm_name": name, "alarm_arn": uid, "alarm_actions": a.alarm_actions()});
            if let Some(e) = a.actions_enabled() {
                entry["actions_enabled"] = json!(e);
            }
            if let Some(s) = a.state_value() {
                entry["state_value"] = json!(s.as_str());
            }
            by_metric.entry((ns.to_string(), metric.to_string())).or_default().push(entry);
        }
        out.emit(r).await;
    }
    Some(by_metric)
}
