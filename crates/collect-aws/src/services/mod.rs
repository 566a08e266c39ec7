//! One module per AWS service: list, describe, map to canonical kinds (schema/kinds/aws.*.json).

mod accessanalyzer;
mod cloudtrail;
mod config;
mod dynamodb;
pub(crate) mod ec2;
mod ec2_more;
pub(crate) mod ec2_network;
pub(crate) mod ecr;
mod eks;
mod elb;
mod elbv2;
mod guardduty;
mod iam;
pub(crate) mod iam_group;
pub(crate) mod iam_inline;
mod kms;
mod lambda;
mod logs;
mod organizations;
mod rds;
pub(crate) mod rds_events;
mod rds_params;
pub(crate) mod s3;
mod secretsmanager;
mod securityhub;
pub(crate) mod sns;
pub(crate) mod sqs;
pub(crate) mod trail_selectors;

use crate::out::{Out, Scope};
use aws_config::SdkConfig;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use posture_model::{Origin, Relation, Resource};
use serde_json::Value;
use futures::stream::{self, StreamExt};
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Iam,
    S3,
    Ec2,
    Kms,
    Rds,
    Lambda,
    CloudTrail,
    Elb,
    Elbv2,
    Logs,
    Sns,
    Sqs,
    SecretsManager,
    Ecr,
    Eks,
    DynamoDb,
    GuardDuty,
    SecurityHub,
    AccessAnalyzer,
    Config,
    Organizations,
}

impl Service {
    pub const ALL: [Service; 21] = [
        Service::Iam,
        Service::S3,
        Service::Ec2,
        Service::Kms,
        Service::Rds,
        Service::Lambda,
        Service::CloudTrail,
        Service::Elb,
        Service::Elbv2,
        Service::Logs,
        Service::Sns,
        Service::Sqs,
        Service::SecretsManager,
        Service::Ecr,
        Service::Eks,
        Service::DynamoDb,
        Service::GuardDuty,
        Service::SecurityHub,
        Service::AccessAnalyzer,
        Service::Config,
        Service::Organizations,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::S3 => "s3",
            Service::Ec2 => "ec2",
            Service::Kms => "kms",
            Service::Rds => "rds",
            Service::Lambda => "lambda",
            Service::CloudTrail => "cloudtrail",
            Service::Elb => "elb",
            Service::Elbv2 => "elbv2",
            Service::Logs => "logs",
            Service::Sns => "sns",
            Service::Sqs => "sqs",
            Service::SecretsManager => "secretsmanager",
            Service::Ecr => "ecr",
            Service::Eks => "eks",
            Service::DynamoDb => "dynamodb",
            Service::GuardDuty => "guardduty",
            Service::SecurityHub => "securityhub",
            Service::AccessAnalyzer => "accessanalyzer",
            Service::Config => "config",
            Service::Organizations => "organizations",
        }
    }

    pub fn parse(s: &str) -> Option<Service> {
        // `cloudwatch` collects with `logs`: alarms are read together with the metric filters.
        let s = if s.eq_ignore_ascii_case("cloudwatch") { "logs" } else { s };
        Service::ALL.into_iter().find(|x| x.name().eq_ignore_ascii_case(s))
    }

    /// Every name `--services` accepts, comma-separated.
    pub fn names() -> String {
        Service::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
    }

    /// Listed once per account rather than per region.
    pub fn is_global(self) -> bool {
        matches!(self, Service::Iam | Service::S3 | Service::Organizations)
    }
}

pub async fn collect(service: Service, config: &SdkConfig, scope: &Scope, regions: &[String], out: &Out) {
    match service {
        Service::Iam => iam::collect(config, scope, out).await,
        Service::S3 => s3::collect(config, scope, regions, out).await,
        Service::Ec2 => ec2::collect(config, scope, out).await,
        Service::Kms => kms::collect(config, scope, out).await,
        Service::Rds => rds::collect(config, scope, out).await,
        Service::Lambda => lambda::collect(config, scope, out).await,
        Service::CloudTrail => cloudtrail::collect(config, scope, out).await,
        Service::Elb => elb::collect(config, scope, out).await,
        Service::Elbv2 => elbv2::collect(config, scope, out).await,
        Service::Logs => logs::collect(config, scope, out).await,
        Service::Sns => sns::collect(config, scope, out).await,
        Service::Sqs => sqs::collect(config, scope, out).await,
        Service::SecretsManager => secretsmanager::collect(config, scope, out).await,
        Service::Ecr => ecr::collect(config, scope, out).await,
        Service::Eks => eks::collect(config, scope, out).await,
        Service::DynamoDb => dynamodb::collect(config, scope, out).await,
        Service::GuardDuty => guardduty::collect(config, scope, out).await,
        Service::SecurityHub => securityhub::collect(config, scope, out).await,
        Service::AccessAnalyzer => accessanalyzer::collect(config, scope, out).await,
        Service::Config => config::collect(config, scope, out).await,
        Service::Organizations => organizations::collect(config, scope, out).await,
    }
}

/// A resource of this scope, with its origin set.
fn resource(scope: &Scope, uid: String, kind: &str, name: &str) -> Resource {
    let mut r = Resource::new(uid, kind);
    r.account = scope.account.clone();
    r.region = (scope.region != "global").then(|| scope.region.clone());
    r.name = name.to_string();
    r.origin = Some(Origin::Api { service: scope.service.to_string() });
    r
}

fn relate(r: &mut Resource, rel: &str, target: impl Into<String>) {
    r.relations.push(Relation { rel: rel.to_string(), target: target.into() });
}

fn time(t: Option<&DateTime>) -> Value {
    t.and_then(|t| t.fmt(Format::DateTime).ok()).map_or(Value::Null, Value::String)
}

/// Whole days between `t` and now (for ages that rules compare).
fn age_days(t: Option<&DateTime>) -> Value {
    let Some(t) = t else { return Value::Null };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Value::from(((now - t.secs()) / 86_400).max(0))
}

fn opt_str(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}

fn arn(scope: &Scope, service: &str, resource: &str) -> String {
    format!("arn:aws:{service}:{}:{}:{resource}", scope.region, scope.account)
}

/// Describes `items` with at most `limit` calls in flight and emits each resource as it is done.
async fn emit_each<T, F, Fut>(out: &Out, items: Vec<T>, limit: usize, describe: F)
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Resource>,
{
    let mut done = stream::iter(items).map(describe).buffer_unordered(limit);
    while let Some(r) = done.next().await {
        out.emit(r).await;
    }
}

/// A JSON object's map (empty for anything else): collectors build attrs with `json!`.
fn obj(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// Sets `key` when the value is known; `None` (could not read) leaves it absent, i.e. unknown.
fn set(r: &mut Resource, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        r.attrs.insert(key.into(), v);
    }
}

/// The same place under another service name, for calls a collector makes to a second API.
fn sub(scope: &Scope, service: &'static str) -> Scope {
    Scope { service, ..scope.clone() }
}

/// A resource policy as the API returned it: normalised, `null` when there is none. A document
/// that does not parse leaves the attribute unknown and adds a problem to `problems`.
pub(crate) fn policy_value(text: Option<&str>, problems: &mut Vec<String>) -> Option<Value> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else { return Some(Value::Null) };
    match crate::policy::parse_policy(text) {
        Ok(doc) => Some(doc),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    }
}

/// Records the problems a mapping function found in an answer that did arrive.
fn record(out: &Out, scope: &Scope, op: &str, problems: Vec<String>) {
    for p in problems {
        out.attr_failed(scope, op, &crate::error::Failure::other(p));
    }
}

/// Tags as most APIs return them: a list of key/value pairs.
fn tag_pairs<'a>(r: &mut Resource, pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>) {
    for (k, v) in pairs {
        if let (Some(k), Some(v)) = (k, v) {
            r.tags.insert(k.to_string(), v.to_string());
        }
    }
}
