//! AWS Config: the region's customer managed recorder with its status and delivery channel, as
//! one record per region (`recorder_name: null` where there is no recorder).

use super::{obj, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_sdk_config::types::ConfigurationRecorder;
use aws_sdk_config::Client;
use serde_json::{json, Value};

pub async fn collect(config: &SdkConfig, scope: &Scope, out: &Out) {
    let cfg = Client::new(config);
    let recorders = match cfg.describe_configuration_recorders().send().await {
        Ok(r) => r.configuration_recorders().to_vec(),
        Err(e) => return out.list_failed(scope, "DescribeConfigurationRecorders", &Failure::from_sdk(&e)),
    };
    let uid = super::arn(scope, "config", "configuration-recorder");
    // Service-linked recorders belong to other services; the customer's own is the one that counts.
    let recorder = recorders.iter().find(|r| r.service_principal().is_none());
    let mut r = resource(scope, uid, "aws.config.recorder", recorder.and_then(|x| x.name()).unwrap_or("none"));
    match recorder {
        Some(rec) => {
            r.attrs = obj(json!({
                "recorder_name": rec.name(),
                "role_arn": rec.role_arn(),
                "recording_group": rec.recording_group().map_or(Value::Null, |g| json!({
                    "all_supported": g.all_supported(),
                    "include_global_resource_types": g.include_global_resource_types(),
                    "recording_strategy": g.recording_strategy().and_then(|s| s.use_only()).map(|u| u.as_str()),
                    "excluded_resource_types": g.exclusion_by_resource_types().map_or_else(Vec::new, |x| x.resource_types().iter().map(|t| t.as_str()).collect()),
                })),
            }));
            status(&cfg, scope, out, rec, &mut r).await;
        }
        None => {
            r.attrs = obj(json!({"recorder_name": null, "role_arn": null, "recording": false, "last_status": null, "recording_group": null}));
        }
    }
    match cfg.describe_delivery_channels().send().await {
        Ok(d) => {
            let channel = d.delivery_channels().first().map_or(Value::Null, |c| {
                json!({"name": c.name().unwrap_or_default(), "s3_bucket_name": c.s3_bucket_name().unwrap_or_default(), "sns_topic_arn": c.sns_topic_arn()})
            });
            r.attrs.insert("delivery_channel".into(), channel);
        }
        Err(e) => out.attr_failed(scope, "DescribeDeliveryChannels", &Failure::from_sdk(&e)),
    }
    out.emit(r).await;
}

async fn status(cfg: &Client, scope: &Scope, out: &Out, rec: &ConfigurationRecorder, r: &mut posture_model::Resource) {
    let name = rec.name().unwrap_or_default();
    match cfg.describe_configuration_recorder_status().configuration_recorder_names(name).send().await {
        Ok(s) => {
            let st = s.configuration_recorders_status().iter().find(|x| x.name() == Some(name));
            set(r, "recording", st.map(|x| json!(x.recording())));
            set(r, "last_status", st.map(|x| json!(x.last_status().map(|l| l.as_str()))));
        }
        Err(e) => out.attr_failed(scope, "DescribeConfigurationRecorderStatus", &Failure::from_sdk(&e)),
    }
}
