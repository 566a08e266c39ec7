//! CloudTrail: trails in their home region, with status and event selectors.

use super::{relate, resource, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_cloudtrail::Client;
use serde_json::{json, Value};

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let ct = Client::new(config);
    let trails = match ct.describe_trails().include_shadow_trails(false).send().await {
        Ok(t) => t.trail_list().to_vec(),
        Err(e) => return out.list_failed(scope, "DescribeTrails", &Failure::from_sdk(&e)),
    };
    for t in trails {
        let name = t.name().unwrap_or_default();
        let Some(arn) = t.trail_arn() else { continue };
        let mut r = resource(scope, arn.to_string(), "aws.cloudtrail.trail", name);
        let bucket = t.s3_bucket_name().unwrap_or_default();
        r.attrs = json!({
            "home_region": t.home_region().unwrap_or(&scope.region),
            "is_multi_region_trail": t.is_multi_region_trail().unwrap_or(false),
            "is_organization_trail": t.is_organization_trail().unwrap_or(false),
            "log_file_validation_enabled": t.log_file_validation_enabled().unwrap_or(false),
            "kms_key_id": t.kms_key_id(),
            "s3_bucket_name": bucket,
            "s3_key_prefix": t.s3_key_prefix(),
            "cloud_watch_logs_log_group_arn": t.cloud_watch_logs_log_group_arn(),
            "include_global_service_events": t.include_global_service_events().unwrap_or(false),
        })
        .as_object()
        .cloned()
        .unwrap_or_default();
        match ct.get_trail_status().name(arn).send().await {
            Ok(s) => {
                r.attrs.insert("is_logging".into(), json!(s.is_logging().unwrap_or(false)));
                r.attrs.insert("latest_delivery_time".into(), time(s.latest_delivery_time()));
                r.attrs.insert("latest_delivery_error".into(), json!(s.latest_delivery_error().filter(|e| !e.is_empty())));
            }
            Err(e) => out.attr_failed(scope, &format!("GetTrailStatus({name})"), &Failure::from_sdk(&e)),
        }
        match ct.get_event_selectors().trail_name(arn).send().await {
            Ok(s) => {
                let selectors = s.event_selectors();
                let management = selectors.iter().find(|e| e.include_management_events().unwrap_or(true));
                // No selectors at all is the trail default: every management event, read and write.
                let default = selectors.is_empty() && s.advanced_event_selectors().is_empty();
                r.attrs.insert("management_events".into(), json!({
                    "enabled": management.is_some() || default,
                    "read_write_type": management.and_then(|m| m.read_write_type()).map(|t| t.as_str()).or(default.then_some("All")),
                    "exclude_sources": management.map(|m| m.exclude_management_event_sources().to_vec()).unwrap_or_default(),
                }));
                let data: Vec<Value> = selectors
                    .iter()
                    .flat_map(|e| {
                        let rw = e.read_write_type().map_or("All", |t| t.as_str()).to_string();
                        e.data_resources().iter().map(move |d| json!({
                            "resource_type": d.r#type().unwrap_or_default(),
                            "read_write_type": rw,
                            "resources": d.values(),
                        }))
                    })
                    .collect();
                r.attrs.insert("data_events".into(), Value::Array(data));
            }
            Err(e) => out.attr_failed(scope, &format!("GetEventSelectors({name})"), &Failure::from_sdk(&e)),
        }
        insights(&ct, scope, out, arn, &mut r).await;
        if !bucket.is_empty() {
            relate(&mut r, "logs_to", format!("arn:aws:s3:::{bucket}"));
        }
        if let Some(k) = t.kms_key_id() {
            relate(&mut r, "encrypted_with", k);
        }
        // The CIS 4.x alarm rules walk from the trail to its log group's metric filters.
        if let Some(group) = t.cloud_watch_logs_log_group_arn() {
            relate(&mut r, "logs_to", group.strip_suffix(":*").unwrap_or(group));
        }
        out.emit(r).await;
    }
}

/// CloudTrail Insights event types; a trail without insight selectors has none.
async fn insights(ct: &Client, scope: &Scope, out: &Out, arn: &str, r: &mut posture_model::Resource) {
    match ct.get_insight_selectors().trail_name(arn).send().await {
        Ok(s) => {
            let types: Vec<&str> = s.insight_selectors().iter().filter_map(|i| i.insight_type()).map(|t| t.as_str()).collect();
            r.attrs.insert("insight_types".into(), json!(types));
        }
        Err(e) => {
            let f = Failure::from_sdk(&e);
            if f.is_absent_setting(&["InsightNotEnabledException"]) {
                r.attrs.insert("insight_types".into(), json!([]));
            } else {
                out.attr_failed(scope, "GetInsightSelectors", &f);
            }
        }
    }
}
