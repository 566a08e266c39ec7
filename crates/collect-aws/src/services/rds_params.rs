//! RDS DB parameter groups used by the collected instances, with every parameter that has a value:
//! the user's settings and the engine defaults alike, so that a group is judged on its effective
//! values (`rds.force_ssl` is 1 by default from PostgreSQL 15 on).

use super::{arn, obj, resource, set};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_sdk_rds::types::{DbParameterGroup, Parameter};
use aws_sdk_rds::Client;
use posture_model::Resource;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const KIND: &str = "aws.rds.db_parameter_group";
const PER_REGION: usize = 4;

/// The uid of a DB parameter group: instances relate to it by name, so both sides build it here.
/// RDS keeps parameter group names in lower case.
pub fn group_arn(scope: &Scope, name: &str) -> String {
    arn(scope, "rds", &format!("pg:{}", name.to_ascii_lowercase()))
}

/// Emits the groups named in `used` (names as the instances report them).
pub async fn collect(rds: &Client, scope: &Scope, out: &Out, used: &BTreeSet<String>) {
    if used.is_empty() {
        return;
    }
    let used: BTreeSet<String> = used.iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut groups = Vec::new();
    let mut pages = rds.describe_db_parameter_groups().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => groups.extend(
                p.db_parameter_groups()
                    .iter()
                    .filter(|g| g.db_parameter_group_name().is_some_and(|n| used.contains(&n.to_ascii_lowercase())))
                    .cloned(),
            ),
            Err(e) => return out.list_failed(scope, "DescribeDBParameterGroups", &Failure::from_sdk(&e)),
        }
    }
    super::emit_each(out, groups, PER_REGION, |g| async move { group(rds, scope, out, &g).await }).await;
}

async fn group(rds: &Client, scope: &Scope, out: &Out, g: &DbParameterGroup) -> Resource {
    let name = g.db_parameter_group_name().unwrap_or_default();
    let mut r = base(scope, name, g.db_parameter_group_family(), g.description());
    match parameters(rds, name).await {
        Ok(list) => set_parameters(&mut r, list),
        Err(f) => out.attr_failed(scope, &format!("DescribeDBParameters({name})"), &f),
    }
    r
}

/// The group without its parameters (absent: unknown until they are read).
fn base(scope: &Scope, name: &str, family: Option<&str>, description: Option<&str>) -> Resource {
    let mut r = resource(scope, group_arn(scope, name), KIND, name);
    r.attrs = obj(json!({ "db_parameter_group_name": name, "description": description }));
    set(&mut r, "db_parameter_group_family", family.map(|f| json!(f)));
    r
}

/// Every group of a real engine has parameters with values, so an empty answer tells nothing
/// (moto answers so for default groups): `parameters` stays absent, i.e. unknown.
fn set_parameters(r: &mut Resource, list: Vec<Value>) {
    if !list.is_empty() {
        r.attrs.insert("parameters".into(), Value::Array(list));
    }
}

/// All pages of `DescribeDBParameters`, keeping the parameters that have a value.
async fn parameters(rds: &Client, name: &str) -> Result<Vec<Value>, Failure> {
    let mut list = Vec::new();
    let mut pages = rds.describe_db_parameters().db_parameter_group_name(name).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| Failure::from_sdk(&e))?;
        list.extend(page.parameters().iter().filter_map(parameter));
    }
    Ok(list)
}

fn parameter(p: &Parameter) -> Option<Value> {
    Some(parameter_json(p.parameter_name()?, p.parameter_value()?, p.source(), p.apply_type()))
}

/// One parameter in the kind's shape; a source the answer left out stays absent.
fn parameter_json(name: &str, value: &str, source: Option<&str>, apply_type: Option<&str>) -> Value {
    let mut v = json!({ "name": name, "value": value, "apply_type": apply_type });
    if let (Some(s), Some(m)) = (source, v.as_object_mut()) {
        m.insert("source".into(), json!(s));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        Scope { account: "111122223333".into(), region: "eu-west-1".into(), service: "rds" }
    }

    #[test]
    fn a_group_and_its_instances_agree_on_its_uid() {
        assert_eq!(group_arn(&scope(), "PG-TLS"), "arn:aws:rds:eu-west-1:111122223333:pg:pg-tls");
        let r = base(&scope(), "pg-tls", Some("postgres16"), None);
        assert_eq!(r.uid, "arn:aws:rds:eu-west-1:111122223333:pg:pg-tls");
        assert_eq!(r.kind, KIND);
        assert_eq!(
            Value::Object(r.attrs),
            json!({"db_parameter_group_name": "pg-tls", "db_parameter_group_family": "postgres16", "description": null})
        );
    }

    #[test]
    fn engine_defaults_are_kept_with_their_source() {
        let p = Parameter::builder()
            .parameter_name("rds.force_ssl")
            .parameter_value("1")
            .source("engine-default")
            .apply_type("static")
            .build();
        assert_eq!(
            parameter(&p),
            Some(json!({"name": "rds.force_ssl", "value": "1", "source": "engine-default", "apply_type": "static"}))
        );
    }

    #[test]
    fn parameters_without_a_value_are_left_out_and_a_missing_source_stays_absent() {
        let no_value = Parameter::builder().parameter_name("log_min_duration_statement").source("engine-default").build();
        assert_eq!(parameter(&no_value), None);
        let bare = Parameter::builder().parameter_name("rds.force_ssl").parameter_value("1").build();
        assert_eq!(parameter(&bare), Some(json!({"name": "rds.force_ssl", "value": "1", "apply_type": null})));
    }

    #[test]
    fn an_empty_answer_leaves_the_parameters_unknown() {
        let mut r = base(&scope(), "default.postgres16", Some("postgres16"), Some("Default"));
        set_parameters(&mut r, Vec::new());
        assert!(!r.attrs.contains_key("parameters"));
        set_parameters(&mut r, vec![json!({"name": "rds.force_ssl", "value": "0"})]);
        assert_eq!(r.attrs["parameters"], json!([{"name": "rds.force_ssl", "value": "0"}]));
    }
}
