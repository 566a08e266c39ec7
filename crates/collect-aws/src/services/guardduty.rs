//! GuardDuty: the detector of each region, and a `detector/none` record where there is none, so
//! that a region without GuardDuty fails its rules instead of having nothing to check.

use super::{obj, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_guardduty::Client;
use serde_json::{json, Value};

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let gd = Client::new(config);
    let mut ids = Vec::new();
    let mut pages = gd.list_detectors().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => ids.extend(p.detector_ids().iter().cloned()),
            Err(e) => return out.list_failed(scope, "ListDetectors", &Failure::from_sdk(&e)),
        }
    }
    if ids.is_empty() {
        let mut r = resource(scope, super::arn(scope, "guardduty", "detector/none"), "aws.guardduty.detector", "none");
        r.attrs = obj(json!({"detector_id": null, "status": "DISABLED", "features": []}));
        return out.emit(r).await;
    }
    for id in ids {
        let mut r = resource(scope, super::arn(scope, "guardduty", &format!("detector/{id}")), "aws.guardduty.detector", &id);
        r.attrs.insert("detector_id".into(), json!(id));
        match gd.get_detector().detector_id(&id).send().await {
            Ok(d) => {
                set(&mut r, "status", d.status().map(|s| json!(s.as_str())));
                r.attrs.insert("finding_publishing_frequency".into(), json!(d.finding_publishing_frequency().map(|f| f.as_str())));
                r.attrs.insert("service_role".into(), json!(d.service_role()));
                // An answer without the feature list leaves the protection plans unknown.
                set(&mut r, "features", d.features.as_deref().map(features));
            }
            Err(e) => out.attr_failed(scope, &format!("GetDetector({id})"), &Failure::from_sdk(&e)),
        }
        out.emit(r).await;
    }
}

fn features(list: &[aws_sdk_guardduty::types::DetectorFeatureConfigurationResult]) -> Value {
    let status = |s: Option<&aws_sdk_guardduty::types::FeatureStatus>| s.map_or("DISABLED", |s| s.as_str()).to_string();
    let items: Vec<Value> = list
        .iter()
        .map(|f| {
            let extra: Vec<Value> = f
                .additional_configuration()
                .iter()
                .map(|a| json!({"name": a.name().map_or("", |n| n.as_str()), "status": status(a.status())}))
                .collect();
            json!({"name": f.name().map_or("", |n| n.as_str()), "status": status(f.status()), "additional_configuration": extra})
        })
        .collect();
    Value::Array(items)
}
