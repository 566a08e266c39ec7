//! KMS: keys with their manager, state and rotation.

use super::{resource, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_kms::Client;
use serde_json::{json, Value};
use std::collections::HashMap;

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let kms = Client::new(config);
    let mut aliases: Option<HashMap<String, Vec<String>>> = Some(HashMap::new());
    let mut pages = kms.list_aliases().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for a in p.aliases() {
                    if let (Some(map), Some(k), Some(n)) = (aliases.as_mut(), a.target_key_id(), a.alias_name()) {
                        map.entry(k.to_string()).or_default().push(n.to_string());
                    }
                }
            }
            Err(e) => {
                out.attr_failed(scope, "ListAliases", &Failure::from_sdk(&e));
                aliases = None;
                break;
            }
        }
    }
    let mut pages = kms.list_keys().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "ListKeys", &Failure::from_sdk(&e)),
        };
        for k in page.keys() {
            let Some(id) = k.key_id() else { continue };
            let meta = match kms.describe_key().key_id(id).send().await {
                Ok(d) => d.key_metadata().cloned(),
                Err(e) => {
                    out.list_failed(scope, &format!("DescribeKey({id})"), &Failure::from_sdk(&e));
                    continue;
                }
            };
            let Some(m) = meta else { continue };
            let arn = m.arn().map_or_else(|| super::arn(scope, "kms", &format!("key/{id}")), str::to_string);
            let mut r = resource(scope, arn, "aws.kms.key", id);
            let manager = m.key_manager().map_or("CUSTOMER", |x| x.as_str());
            r.attrs = json!({
                "key_id": id,
                "description": m.description().filter(|d| !d.is_empty()),
                "key_manager": manager,
                "key_state": m.key_state().map_or("Enabled", |s| s.as_str()),
                "key_spec": m.key_spec().map_or("SYMMETRIC_DEFAULT", |s| s.as_str()),
                "key_usage": m.key_usage().map_or("ENCRYPT_DECRYPT", |s| s.as_str()),
                "origin": m.origin().map_or("AWS_KMS", |s| s.as_str()),
                "multi_region": m.multi_region().unwrap_or(false),
                "creation_date": time(m.creation_date()),
                "deletion_date": time(m.deletion_date()),
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
            if let Some(map) = &aliases {
                r.attrs.insert("aliases".into(), json!(map.get(id).cloned().unwrap_or_default()));
            }
            let symmetric = m.key_spec().is_none_or(|s| s.as_str() == "SYMMETRIC_DEFAULT");
            if manager == "CUSTOMER" && symmetric {
                match kms.get_key_rotation_status().key_id(id).send().await {
                    Ok(s) => {
                        r.attrs.insert("key_rotation_enabled".into(), json!(s.key_rotation_enabled()));
                        r.attrs.insert("rotation_period_in_days".into(), json!(s.rotation_period_in_days()));
                    }
                    Err(e) => out.attr_failed(scope, &format!("GetKeyRotationStatus({id})"), &Failure::from_sdk(&e)),
                }
            } else {
                // Rotation does not apply to AWS-managed or asymmetric keys: known, not unknown.
                r.attrs.insert("key_rotation_enabled".into(), Value::Null);
                r.attrs.insert("rotation_period_in_days".into(), Value::Null);
            }
            out.emit(r).await;
        }
    }
}
