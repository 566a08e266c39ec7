//! S3: every bucket of the account with its access, encryption, versioning and logging settings.
//! Buckets are held until the end of collection, when the trails tell whether their data events
//! are recorded (`Out::release`).

use super::{resource, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use crate::policy::parse_policy;
use aws_config::{Region, SdkConfig};
use aws_sdk_s3::Client;
use futures::stream::{self, StreamExt};
use posture_model::Resource;
use serde_json::{json, Value};

const PER_ACCOUNT: usize = 8;

fn client(config: &SdkConfig, region: &str) -> Client {
    let mut b = aws_sdk_s3::config::Builder::from(config).region(Region::new(region.to_string()));
    // Emulators and proxies are reached by address: virtual-host style would need DNS per bucket.
    if config.endpoint_url().is_some() {
        b = b.force_path_style(true);
    }
    Client::from_conf(b.build())
}

pub async fn collect(config: &SdkConfig, scope: &Scope, _regions: &[String], out: &Out) {
    let home = config.region().map_or("us-east-1", |r| r.as_ref()).to_string();
    let s3 = client(config, &home);
    let buckets = match s3.list_buckets().send().await {
        Ok(b) => b.buckets().to_vec(),
        Err(e) => return out.list_failed(scope, "ListBuckets", &Failure::from_sdk(&e)),
    };
    let account_block = account_public_access_block(config, scope, out).await;
    let resources: Vec<(Resource, bool)> = stream::iter(buckets)
        .map(|b| bucket(config, &s3, scope, out, b))
        .buffer_unordered(PER_ACCOUNT)
        .collect()
        .await;
    for (mut r, region_known) in resources {
        // The account-level block applies to every bucket, so each bucket carries it.
        if let Some(block) = &account_block {
            r.attrs.insert("account_public_access_block".into(), block.clone());
        }
        // Emitted at the end of collection, with the trails' data event coverage.
        out.hold_bucket(r, region_known);
    }
}

/// S3 Block Public Access for the whole account (S3 Control); `None` when it could not be read.
async fn account_public_access_block(config: &SdkConfig, scope: &Scope, out: &Out) -> Option<Value> {
    let mut b = aws_sdk_s3control::config::Builder::from(config);
    // S3 Control puts the account id in the host name; an emulator or proxy is one fixed address.
    if let Some(url) = config.endpoint_url() {
        b = b.endpoint_resolver(FixedEndpoint(url.to_string()));
    }
    let control = aws_sdk_s3control::Client::from_conf(b.build());
    match control.get_public_access_block().account_id(&scope.account).send().await {
        Ok(p) => Some(p.public_access_block_configuration().map_or(Value::Null, |c| block_json([c.block_public_acls(), c.ignore_public_acls(), c.block_public_policy(), c.restrict_public_buckets()]))),
        Err(e) => {
            let f = Failure::from_sdk(&e);
            absent_or_fail(&f, &["NoSuchPublicAccessBlockConfiguration"], || out.attr_failed(scope, "GetPublicAccessBlock(account)", &f))
        }
    }
}

/// The bucket, and whether its region is known (`GetBucketLocation` answered).
async fn bucket(config: &SdkConfig, home: &Client, scope: &Scope, out: &Out, b: aws_sdk_s3::types::Bucket) -> (Resource, bool) {
    let name = b.name().unwrap_or_default().to_string();
    let mut r = resource(scope, format!("arn:aws:s3:::{name}"), "aws.s3.bucket", &name);
    r.attrs.insert("creation_date".into(), time(b.creation_date()));
    let (region, region_known) = match home.get_bucket_location().bucket(&name).send().await {
        Ok(l) => (l.location_constraint().map(|c| c.as_str().to_string()).filter(|c| !c.is_empty()).unwrap_or("us-east-1".into()), true),
        Err(e) => {
            out.attr_failed(scope, &format!("GetBucketLocation({name})"), &Failure::from_sdk(&e));
            (config.region().map_or("us-east-1".into(), |r| r.to_string()), false)
        }
    };
    r.region = Some(region.clone());
    let s3 = client(config, &region);
    let fail = |op: &str, f: &Failure| out.attr_failed(scope, &format!("{op}({name})"), f);
    // Each setting: Some(value) when read (null when known unset), None when unknown.
    let set = |r: &mut Resource, key: &str, v: Option<Value>| {
        if let Some(v) = v {
            r.attrs.insert(key.into(), v);
        }
    };
    let pab = match s3.get_public_access_block().bucket(&name).send().await {
        Ok(p) => Some(p.public_access_block_configuration().map_or(Value::Null, |c| block_json([c.block_public_acls(), c.ignore_public_acls(), c.block_public_policy(), c.restrict_public_buckets()]))),
        Err(e) => absent_or_fail(&Failure::from_sdk(&e), &["NoSuchPublicAccessBlockConfiguration"], || fail("GetPublicAccessBlock", &Failure::from_sdk(&e))),
    };
    set(&mut r, "public_access_block", pab);
    let enc = match s3.get_bucket_encryption().bucket(&name).send().await {
        Ok(e) => Some(
            e.server_side_encryption_configuration()
                .and_then(|c| c.rules().first())
                .map_or(Value::Null, |rule| {
                    let d = rule.apply_server_side_encryption_by_default();
                    if let Some(k) = d.and_then(|d| d.kms_master_key_id()) {
                        super::relate(&mut r, "encrypted_with", k);
                    }
                    encryption_json(d.map_or("AES256", |d| d.sse_algorithm().as_str()), d.and_then(|d| d.kms_master_key_id()), rule.bucket_key_enabled().unwrap_or(false))
                }),
        ),
        Err(e) => absent_or_fail(&Failure::from_sdk(&e), &["ServerSideEncryptionConfigurationNotFoundError"], || fail("GetBucketEncryption", &Failure::from_sdk(&e))),
    };
    set(&mut r, "encryption", enc);
    match s3.get_bucket_versioning().bucket(&name).send().await {
        Ok(v) => set(&mut r, "versioning", Some(versioning_json(
            v.status().is_some_and(|s| s.as_str() == "Enabled"),
            v.mfa_delete().is_some_and(|s| s.as_str() == "Enabled"),
        ))),
        Err(e) => fail("GetBucketVersioning", &Failure::from_sdk(&e)),
    }
    match s3.get_bucket_logging().bucket(&name).send().await {
        Ok(l) => {
            let v = logging_json(l.logging_enabled().map(|l| l.target_bucket()), l.logging_enabled().map(|l| l.target_prefix()));
            if let Some(target) = l.logging_enabled().map(|l| l.target_bucket()) {
                super::relate(&mut r, "logs_to", format!("arn:aws:s3:::{target}"));
            }
            set(&mut r, "logging", Some(v));
        }
        Err(e) => fail("GetBucketLogging", &Failure::from_sdk(&e)),
    }
    let policy = match s3.get_bucket_policy().bucket(&name).send().await {
        Ok(p) => match p.policy().map(parse_policy) {
            Some(Ok(doc)) => Some(doc),
            Some(Err(e)) => {
                fail("GetBucketPolicy", &Failure { kind: crate::FailureKind::Other, code: None, message: e.to_string() });
                None
            }
            None => Some(Value::Null),
        },
        Err(e) => absent_or_fail(&Failure::from_sdk(&e), &["NoSuchBucketPolicy"], || fail("GetBucketPolicy", &Failure::from_sdk(&e))),
    };
    set(&mut r, "policy", policy);
    match s3.get_bucket_acl().bucket(&name).send().await {
        Ok(a) => {
            let grants: Vec<Value> = a
                .grants()
                .iter()
                .map(|g| {
                    let who = g.grantee();
                    grant_json(
                        who.map_or("CanonicalUser", |w| w.r#type().as_str()),
                        who.and_then(|w| w.id()),
                        who.and_then(|w| w.uri()),
                        g.permission().map_or("READ", |p| p.as_str()),
                    )
                })
                .collect();
            set(&mut r, "acl_grants", Some(Value::Array(grants)));
        }
        Err(e) => fail("GetBucketAcl", &Failure::from_sdk(&e)),
    }
    let ownership = match s3.get_bucket_ownership_controls().bucket(&name).send().await {
        Ok(o) => Some(
            o.ownership_controls()
                .and_then(|c| c.rules().first())
                .map_or(Value::Null, |rule| json!(rule.object_ownership().as_str())),
        ),
        Err(e) => absent_or_fail(&Failure::from_sdk(&e), &["OwnershipControlsNotFoundError"], || fail("GetBucketOwnershipControls", &Failure::from_sdk(&e))),
    };
    set(&mut r, "ownership_controls", ownership);
    let lock = match s3.get_object_lock_configuration().bucket(&name).send().await {
        Ok(l) => Some(json!(l.object_lock_configuration().and_then(|c| c.object_lock_enabled()).is_some_and(|e| e.as_str() == "Enabled"))),
        Err(e) => absent_or_fail(&Failure::from_sdk(&e), &["ObjectLockConfigurationNotFoundError"], || fail("GetObjectLockConfiguration", &Failure::from_sdk(&e)))
            .map(|_| json!(false)),
    };
    set(&mut r, "object_lock_enabled", lock);
    let website = match s3.get_bucket_website().bucket(&name).send().await {
        Ok(_) => Some(json!(true)),
        Err(e) => absent_or_fail(&Failure::from_sdk(&e), &["NoSuchWebsiteConfiguration"], || fail("GetBucketWebsite", &Failure::from_sdk(&e)))
            .map(|_| json!(false)),
    };
    set(&mut r, "website_enabled", website);
    set(&mut r, "lifecycle_rules", lifecycle(&s3, &name, &fail).await);
    set(&mut r, "replication", replication(&s3, &name, &fail).await);
    set(&mut r, "event_notifications", notifications(&s3, &name, &fail).await);
    match s3.get_bucket_tagging().bucket(&name).send().await {
        Ok(t) => {
            for tag in t.tag_set() {
                r.tags.insert(tag.key().to_string(), tag.value().to_string());
            }
        }
        Err(e) => {
            let f = Failure::from_sdk(&e);
            if !f.is_absent_setting(&["NoSuchTagSet"]) {
                fail("GetBucketTagging", &f);
            }
        }
    }
    (r, region_known)
}

/// `Some(null)` when the error says "not configured", else records the failure and gives `None`.
fn absent_or_fail(f: &Failure, absent: &[&str], record: impl FnOnce()) -> Option<Value> {
    if f.is_absent_setting(absent) {
        Some(Value::Null)
    } else {
        record();
        None
    }
}

#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        let endpoint = aws_sdk_s3control::config::endpoint::Endpoint::builder().url(self.0.clone()).build();
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(endpoint))
    }
}

/// Block Public Access settings, bucket- or account-level (two SDK types, one shape). An omitted
/// flag is off.
pub(crate) fn block_json([acls, ignore, policy, restrict]: [Option<bool>; 4]) -> Value {
    json!({
        "block_public_acls": acls.unwrap_or(false),
        "ignore_public_acls": ignore.unwrap_or(false),
        "block_public_policy": policy.unwrap_or(false),
        "restrict_public_buckets": restrict.unwrap_or(false),
    })
}

/// Default encryption of a bucket (shared with the AWS Config importer).
pub(crate) fn encryption_json(sse_algorithm: &str, kms_key: Option<&str>, bucket_key_enabled: bool) -> Value {
    json!({"sse_algorithm": sse_algorithm, "kms_master_key_id": kms_key, "bucket_key_enabled": bucket_key_enabled})
}

pub(crate) fn versioning_json(enabled: bool, mfa_delete: bool) -> Value {
    json!({"enabled": enabled, "mfa_delete": mfa_delete})
}

/// One ACL grant; `grantee_type` is `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
pub(crate) fn grant_json(grantee_type: &str, id: Option<&str>, uri: Option<&str>, permission: &str) -> Value {
    json!({"grantee_type": grantee_type, "grantee_id": id, "grantee_uri": uri, "permission": permission})
}

/// Server access logging; `null` when the bucket does not log.
pub(crate) fn logging_json(target_bucket: Option<&str>, target_prefix: Option<&str>) -> Value {
    match target_bucket.filter(|b| !b.is_empty()) {
        Some(b) => json!({"target_bucket": b, "target_prefix": target_prefix}),
        None => Value::Null,
    }
}

/// Lifecycle rules; `null` when the bucket has none, `None` when unreadable.
async fn lifecycle(s3: &Client, name: &str, fail: &impl Fn(&str, &Failure)) -> Option<Value> {
    let l = match s3.get_bucket_lifecycle_configuration().bucket(name).send().await {
        Ok(l) => l,
        Err(e) => {
            let f = Failure::from_sdk(&e);
            return absent_or_fail(&f, &["NoSuchLifecycleConfiguration"], || fail("GetBucketLifecycleConfiguration", &f));
        }
    };
    let rules: Vec<Value> = l
        .rules()
        .iter()
        .map(|r| {
            let transitions: Vec<Value> = r
                .transitions()
                .iter()
                .map(|t| json!({"days": t.days(), "storage_class": t.storage_class().map_or("", |c| c.as_str())}))
                .collect();
            json!({
                "id": r.id(),
                "status": r.status().as_str(),
                "prefix": r.filter().and_then(|f| f.prefix()),
                "expiration_days": r.expiration().and_then(|e| e.days()),
                "noncurrent_version_expiration_days": r.noncurrent_version_expiration().and_then(|e| e.noncurrent_days()),
                "abort_incomplete_multipart_upload_days": r.abort_incomplete_multipart_upload().and_then(|a| a.days_after_initiation()),
                "transitions": transitions,
            })
        })
        .collect();
    Some(Value::Array(rules))
}

/// Replication rules; `null` when the bucket does not replicate, `None` when unreadable.
async fn replication(s3: &Client, name: &str, fail: &impl Fn(&str, &Failure)) -> Option<Value> {
    let r = match s3.get_bucket_replication().bucket(name).send().await {
        Ok(r) => r,
        Err(e) => {
            let f = Failure::from_sdk(&e);
            return absent_or_fail(&f, &["ReplicationConfigurationNotFoundError"], || fail("GetBucketReplication", &f));
        }
    };
    Some(r.replication_configuration().map_or(Value::Null, |c| {
        let rules: Vec<Value> = c
            .rules()
            .iter()
            .map(|x| {
                let d = x.destination();
                json!({
                    "id": x.id(),
                    "status": x.status().as_str(),
                    "destination_bucket": d.map_or("", |d| d.bucket()),
                    "destination_account": d.and_then(|d| d.account()),
                    "destination_region": null,
                })
            })
            .collect();
        json!({"role": c.role(), "rules": rules})
    }))
}

/// Event notification destinations and whether EventBridge receives every event.
async fn notifications(s3: &Client, name: &str, fail: &impl Fn(&str, &Failure)) -> Option<Value> {
    let n = match s3.get_bucket_notification_configuration().bucket(name).send().await {
        Ok(n) => n,
        Err(e) => {
            fail("GetBucketNotificationConfiguration", &Failure::from_sdk(&e));
            return None;
        }
    };
    let events = |e: &[aws_sdk_s3::types::Event]| e.iter().map(|x| x.as_str().to_string()).collect::<Vec<_>>();
    let mut destinations = Vec::new();
    destinations.extend(n.topic_configurations().iter().map(|c| json!({"type": "sns", "arn": c.topic_arn(), "events": events(c.events())})));
    destinations.extend(n.queue_configurations().iter().map(|c| json!({"type": "sqs", "arn": c.queue_arn(), "events": events(c.events())})));
    destinations.extend(
        n.lambda_function_configurations().iter().map(|c| json!({"type": "lambda", "arn": c.lambda_function_arn(), "events": events(c.events())})),
    );
    Some(json!({"eventbridge_enabled": n.event_bridge_configuration().is_some(), "destinations": destinations}))
}
