//! RDS event subscriptions: which sources' events reach which SNS topic. The attribute builder
//! is shared with the AWS Config importer.

use super::{arn, resource};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_sdk_rds::types::EventSubscription;
use aws_sdk_rds::Client;
use posture_model::Resource;
use serde_json::{json, Map, Value};

pub const KIND: &str = "aws.rds.event_subscription";

/// One subscription in source-neutral form. `None` is what the source did not tell (left
/// absent), except `source_type`, where no type means every source type (written `null`).
pub struct Subscription<'a> {
    pub name: &'a str,
    pub sns_topic_arn: Option<&'a str>,
    pub source_type: Option<&'a str>,
    pub source_ids: Option<Vec<&'a str>>,
    pub event_categories: Option<Vec<&'a str>>,
    pub enabled: Option<bool>,
    pub status: Option<&'a str>,
}

pub async fn collect(rds: &Client, scope: &Scope, out: &Out) {
    let mut pages = rds.describe_event_subscriptions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return out.list_failed(scope, "DescribeEventSubscriptions", &Failure::from_sdk(&e)),
        };
        for s in page.event_subscriptions_list() {
            out.emit(live(scope, s)).await;
        }
    }
}

fn live(scope: &Scope, s: &EventSubscription) -> Resource {
    let name = s.cust_subscription_id().unwrap_or_default();
    let uid = s.event_subscription_arn().map_or_else(|| arn(scope, "rds", &format!("es:{name}")), str::to_string);
    let mut r = resource(scope, uid, KIND, name);
    r.attrs = attrs(&Subscription {
        name,
        sns_topic_arn: s.sns_topic_arn(),
        source_type: s.source_type(),
        source_ids: Some(s.source_ids_list().iter().map(String::as_str).collect()),
        event_categories: Some(s.event_categories_list().iter().map(String::as_str).collect()),
        enabled: s.enabled(),
        status: s.status(),
    });
    r
}

/// The kind's attributes. Empty `source_ids` cover every source of the type, empty
/// `event_categories` every category.
pub fn attrs(s: &Subscription) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("subscription_name".into(), json!(s.name));
    m.insert("sns_topic_arn".into(), json!(s.sns_topic_arn));
    m.insert("source_type".into(), json!(s.source_type.filter(|t| !t.is_empty())));
    m.insert("status".into(), json!(s.status));
    if let Some(ids) = &s.source_ids {
        m.insert("source_ids".into(), json!(ids));
    }
    if let Some(c) = &s.event_categories {
        m.insert("event_categories".into(), json!(c));
    }
    if let Some(e) = s.enabled {
        m.insert("enabled".into(), json!(e));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_subscription_maps_every_field() {
        let scope = Scope { account: "111122223333".into(), region: "eu-west-1".into(), service: "rds" };
        let s = EventSubscription::builder()
            .cust_subscription_id("db-alerts")
            .sns_topic_arn("arn:aws:sns:eu-west-1:111122223333:ops")
            .source_type("db-instance")
            .event_categories_list("failure")
            .event_categories_list("maintenance")
            .enabled(true)
            .status("active")
            .build();
        let r = live(&scope, &s);
        assert_eq!(r.uid, "arn:aws:rds:eu-west-1:111122223333:es:db-alerts");
        assert_eq!((r.kind.as_str(), r.name.as_str()), (KIND, "db-alerts"));
        assert_eq!(
            Value::Object(r.attrs),
            json!({"subscription_name": "db-alerts", "sns_topic_arn": "arn:aws:sns:eu-west-1:111122223333:ops",
                   "source_type": "db-instance", "source_ids": [], "event_categories": ["failure", "maintenance"],
                   "enabled": true, "status": "active"})
        );
    }

    #[test]
    fn what_the_source_did_not_tell_stays_absent_and_no_type_is_every_type() {
        let m = attrs(&Subscription {
            name: "all",
            sns_topic_arn: None,
            source_type: None,
            source_ids: None,
            event_categories: None,
            enabled: None,
            status: None,
        });
        assert_eq!(
            Value::Object(m),
            json!({"subscription_name": "all", "sns_topic_arn": null, "source_type": null, "status": null})
        );
    }
}
