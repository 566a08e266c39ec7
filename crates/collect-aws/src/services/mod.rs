//! One module per AWS service: list, describe, map to canonical kinds (schema/kinds/aws.*.json).

mod cloudtrail;
mod ec2;
mod iam;
mod kms;
mod lambda;
mod rds;
mod s3;

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
}

impl Service {
    pub const ALL: [Service; 7] =
        [Service::Iam, Service::S3, Service::Ec2, Service::Kms, Service::Rds, Service::Lambda, Service::CloudTrail];

    pub fn name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::S3 => "s3",
            Service::Ec2 => "ec2",
            Service::Kms => "kms",
            Service::Rds => "rds",
            Service::Lambda => "lambda",
            Service::CloudTrail => "cloudtrail",
        }
    }

    pub fn parse(s: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|x| x.name().eq_ignore_ascii_case(s))
    }

    /// Listed once per account rather than per region.
    pub fn is_global(self) -> bool {
        matches!(self, Service::Iam | Service::S3)
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
