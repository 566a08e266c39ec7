//! CloudTrail: trails in their home region, with status and event selectors. Every trail that
//! records this region (its own, other regions' multi-region trails, organisation trails) is
//! read to judge which S3 buckets' data events are recorded (`Out::trails_read`).

use super::trail_selectors::{advanced, TrailView};
use super::{relate, resource, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, Trail};
use aws_sdk_cloudtrail::Client;
use posture_model::Resource;
use serde_json::{json, Value};

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let ct = Client::new(config);
    // Shadow trails too: multi-region trails of other home regions and organisation trails.
    let trails = match ct.describe_trails().include_shadow_trails(true).send().await {
        Ok(t) => t.trail_list().to_vec(),
        Err(e) => return out.list_failed(scope, "DescribeTrails", &Failure::from_sdk(&e)),
    };
    let mut views = Vec::new();
    for t in trails {
        let home = t.home_region().unwrap_or(&scope.region);
        if !records_region(home, t.is_multi_region_trail().unwrap_or(false), &scope.region) {
            continue;
        }
        let emit = collected_here(home, t.trail_arn().unwrap_or_default(), scope);
        let Some(r) = trail(&ct, scope, out, &t, emit).await else { continue };
        views.push(TrailView {
            logging: r.attrs.get("is_logging").and_then(Value::as_bool),
            data_events: r.attrs.get("data_events").cloned(),
        });
        if emit {
            out.emit(r).await;
        }
    }
    out.trails_read(scope, views);
}

/// Whether a trail of home region `home` records events of `region`.
fn records_region(home: &str, multi_region: bool, region: &str) -> bool {
    home == region || multi_region
}

/// Each trail is one resource, of its own account, collected in its home region (a shadow trail
/// is only read for the data event coverage).
fn collected_here(home: &str, arn: &str, scope: &Scope) -> bool {
    home == scope.region && arn.split(':').nth(4) == Some(scope.account.as_str())
}

/// The trail's resource; `emit` when it is the one collected here (else only what the S3 data
/// event coverage needs is read).
async fn trail(ct: &Client, scope: &Scope, out: &Out, t: &Trail, emit: bool) -> Option<Resource> {
    let name = t.name().unwrap_or_default();
    let arn = t.trail_arn()?;
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
        Ok(s) => selectors(&mut r, s.event_selectors(), s.advanced_event_selectors()),
        Err(e) => out.attr_failed(scope, &format!("GetEventSelectors({name})"), &Failure::from_sdk(&e)),
    }
    if emit {
        insights(ct, scope, out, arn, &mut r).await;
    }
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
    Some(r)
}

/// `management_events` and `data_events` from the basic and the advanced selectors (a trail
/// has one kind or the other).
fn selectors(r: &mut Resource, basic: &[aws_sdk_cloudtrail::types::EventSelector], adv: &[AdvancedEventSelector]) {
    let management = basic.iter().find(|e| e.include_management_events().unwrap_or(true));
    let fields: Vec<Vec<super::trail_selectors::Field>> = adv
        .iter()
        .map(|a| {
            a.field_selectors()
                .iter()
                .flat_map(|f| {
                    let ops: [(&str, &[String]); 6] = [
                        ("Equals", f.equals()),
                        ("StartsWith", f.starts_with()),
                        ("EndsWith", f.ends_with()),
                        ("NotEquals", f.not_equals()),
                        ("NotStartsWith", f.not_starts_with()),
                        ("NotEndsWith", f.not_ends_with()),
                    ];
                    ops.into_iter()
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(op, v)| (f.field(), op, v.iter().map(String::as_str).collect()))
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .collect();
    let (mut data, adv_management) = advanced(&fields);
    // No selectors at all is the trail default: every management event, read and write.
    let default = basic.is_empty() && adv.is_empty();
    let rw = management.and_then(|m| m.read_write_type()).map(|t| t.as_str()).or(adv_management).or(default.then_some("All"));
    r.attrs.insert("management_events".into(), json!({
        "enabled": management.is_some() || adv_management.is_some() || default,
        "read_write_type": rw,
        "exclude_sources": management.map(|m| m.exclude_management_event_sources().to_vec()).unwrap_or_default(),
    }));
    let mut all: Vec<Value> = basic
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
    all.append(&mut data);
    r.attrs.insert("data_events".into(), Value::Array(all));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_trails_count_for_coverage_but_are_collected_once_at_home() {
        let scope = Scope { account: "111122223333".into(), region: "eu-west-1".into(), service: "cloudtrail" };
        assert!(records_region("us-east-1", true, "eu-west-1"));
        assert!(!records_region("us-east-1", false, "eu-west-1"));
        assert!(records_region("eu-west-1", false, "eu-west-1"));
        let own = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main";
        assert!(collected_here("eu-west-1", own, &scope));
        assert!(!collected_here("us-east-1", "arn:aws:cloudtrail:us-east-1:111122223333:trail/main", &scope));
        // An organisation trail of the management account, seen from a member account.
        assert!(!collected_here("eu-west-1", "arn:aws:cloudtrail:eu-west-1:999988887777:trail/org", &scope));
    }
}
