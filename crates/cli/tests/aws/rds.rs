//! The RDS parameter groups and event subscriptions of the seeded estate.

use super::{find, findings, pairs, snapshot_resources};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

const CHECKED_RDS: &[&str] = &["AWS.RDS.14", "AWS.RDS.31", "AWS.RDS.32", "AWS.RDS.33"];

/// ledger-db's own group forces TLS; orders-db's default group lists no parameters under moto,
/// so its TLS setting is unknown, not failed. The instance subscription covers both instances;
/// nothing covers parameter or security groups, which a one-region collection cannot prove.
pub fn assert_findings(db: &Path, home: &Path, url: &str) {
    assert_eq!(findings(db, home, url, "fail", CHECKED_RDS), BTreeSet::new());
    let expected = pairs(&[
        ("AWS.RDS.14", "orders-db"),
        ("AWS.RDS.32", "orders-db"),
        ("AWS.RDS.32", "ledger-db"),
        ("AWS.RDS.33", "orders-db"),
        ("AWS.RDS.33", "ledger-db"),
    ]);
    let unknown = findings(db, home, url, "unknown", CHECKED_RDS);
    assert_eq!(unknown, expected, "unexpected: {:?}\nmissing: {:?}", unknown.difference(&expected), expected.difference(&unknown));
}

pub fn assert_kinds(snapshot: &Path) {
    let all = snapshot_resources(snapshot);
    let tls = find(&all, "aws.rds.db_parameter_group", "pg16-tls");
    assert_eq!(tls.uid, "arn:aws:rds:us-east-1:123456789012:pg:pg16-tls");
    assert_eq!(tls.attrs["db_parameter_group_family"], "postgres16");
    assert_eq!(tls.attrs["description"], "postgres 16 with forced TLS");
    // moto keeps what the request set: no source, no apply type.
    assert_eq!(tls.attrs["parameters"], json!([{"name": "rds.force_ssl", "value": "1", "apply_type": null}]));
    let ledger = find(&all, "aws.rds.db_instance", "ledger-db");
    assert_eq!(ledger.related("uses_parameter_group").collect::<Vec<_>>(), vec![tls.uid.as_str()]);

    let orders = find(&all, "aws.rds.db_instance", "orders-db");
    let used: Vec<&str> = orders.related("uses_parameter_group").collect();
    assert_eq!(used.len(), 1, "{used:?}");
    let default = all.iter().find(|r| r.uid == used[0]).expect("orders-db's default group is collected");
    assert!(default.name.starts_with("default.postgres"), "{}", default.name);
    assert!(!default.attrs.contains_key("parameters"), "{:?}", default.attrs);
    let groups = all.iter().filter(|r| r.kind == "aws.rds.db_parameter_group").count();
    assert_eq!(groups, 2, "only the groups the instances use");

    let sub = find(&all, "aws.rds.event_subscription", "db-instance-events");
    assert_eq!(sub.uid, "arn:aws:rds:us-east-1:123456789012:es:db-instance-events");
    assert_eq!(
        Value::Object(sub.attrs.clone()),
        json!({"subscription_name": "db-instance-events", "sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:security-alerts",
               "source_type": "db-instance", "source_ids": [], "event_categories": [], "enabled": true, "status": "active"})
    );
}

/// The Config item of an instance subscription maps to the live attributes, and it covers
/// billing-db's instance events (AWS.RDS.31 passes) even though an import proves no absence.
pub fn assert_config_subscription(all: &[posture_model::Resource], db: &Path, home: &Path) {
    let sub = find(all, "aws.rds.event_subscription", "billing-alerts");
    assert_eq!(sub.uid, "arn:aws:rds:eu-west-1:210987654321:es:billing-alerts");
    assert_eq!(sub.attrs["event_categories"], json!(["failure", "maintenance", "configuration change"]));
    assert_eq!((&sub.attrs["source_type"], &sub.attrs["source_ids"], &sub.attrs["enabled"]), (&json!("db-instance"), &json!([]), &json!(true)));
    let url = "http://127.0.0.1:1";
    let rule = &["AWS.RDS.31"];
    assert_eq!(findings(db, home, url, "fail", rule), BTreeSet::new());
    assert_eq!(findings(db, home, url, "unknown", rule), BTreeSet::new());
}
