//! Where collectors put what they read: resources to a bounded channel, problems to a shared list.

use crate::error::Failure;
use crate::services::trail_selectors::{bucket_coverage, TrailView};
use posture_model::Resource;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::Sender;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// `account/region/service:Operation` (`global` for IAM and S3 listings).
    pub location: String,
    pub message: String,
    /// True when resources may be missing (a listing failed), not only attributes.
    pub incomplete: bool,
}

#[derive(Clone)]
pub struct Out {
    tx: Sender<Resource>,
    issues: Arc<Mutex<Vec<Issue>>>,
    incomplete_accounts: Arc<Mutex<BTreeSet<String>>>,
    held: Arc<Mutex<Held>>,
}

/// What waits for the end of collection: S3 buckets (with whether their region is known) until
/// the trails that could record their data events have been read, region by region.
#[derive(Default)]
struct Held {
    buckets: Vec<(Resource, bool)>,
    /// (account, region) → the trails recording that region, when they could be listed.
    trails: HashMap<(String, String), Vec<TrailView>>,
}

impl Out {
    pub fn new(tx: Sender<Resource>) -> Out {
        Out { tx, issues: Arc::default(), incomplete_accounts: Arc::default(), held: Arc::default() }
    }

    /// Keeps a bucket until [`Out::release`] can tell which trails record its data events.
    pub fn hold_bucket(&self, r: Resource, region_known: bool) {
        if let Ok(mut h) = self.held.lock() {
            h.buckets.push((r, region_known));
        }
    }

    /// Every trail that records the scope's region was listed (their status and selectors
    /// unknown where they could not be read).
    pub fn trails_read(&self, scope: &Scope, trails: Vec<TrailView>) {
        if let Ok(mut h) = self.held.lock() {
            h.trails.insert((scope.account.clone(), scope.region.clone()), trails);
        }
    }

    /// Emits the held buckets, each with `cloudtrail_data_events` when the trails of its account
    /// and region were listed (else the attribute stays absent: unknown).
    pub async fn release(&self) {
        let held = self.held.lock().map(|mut h| std::mem::take(&mut *h)).unwrap_or_default();
        for (mut r, region_known) in held.buckets {
            let trails = r.region.clone().filter(|_| region_known).and_then(|region| held.trails.get(&(r.account.clone(), region)));
            if let Some(v) = trails.and_then(|t| bucket_coverage(&r.name, t)) {
                r.attrs.insert("cloudtrail_data_events".into(), v);
            }
            self.emit(r).await;
        }
    }

    pub async fn emit(&self, r: Resource) {
        // The receiver lives until collection ends; a send error means the scan was abandoned.
        let _ = self.tx.send(r).await;
    }

    /// An attribute could not be read: the resource is there, the attribute is unknown.
    pub fn attr_failed(&self, scope: &Scope, op: &str, f: &Failure) {
        self.push(scope, op, f, false);
    }

    /// A listing failed: resources may be missing, so the account is not fully covered.
    pub fn list_failed(&self, scope: &Scope, op: &str, f: &Failure) {
        self.push(scope, op, f, true);
        if let Ok(mut set) = self.incomplete_accounts.lock() {
            set.insert(scope.account.clone());
        }
    }

    fn push(&self, scope: &Scope, op: &str, f: &Failure, incomplete: bool) {
        let issue = Issue {
            location: format!("{}/{}/{}:{op}", scope.account, scope.region, scope.service),
            message: format!("{f} [{}]", serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
            incomplete,
        };
        if let Ok(mut list) = self.issues.lock() {
            list.push(issue);
        }
    }

    pub fn take(&self) -> (Vec<Issue>, BTreeSet<String>) {
        let issues = self.issues.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
        let accounts = self.incomplete_accounts.lock().map(|s| s.clone()).unwrap_or_default();
        (issues, accounts)
    }
}

/// Where a collector is working.
#[derive(Debug, Clone)]
pub struct Scope {
    pub account: String,
    pub region: String,
    pub service: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bucket(name: &str, region: &str) -> Resource {
        let mut r = Resource::new(format!("arn:aws:s3:::{name}"), "aws.s3.bucket");
        r.account = "111122223333".into();
        r.region = Some(region.into());
        r.name = name.into();
        r
    }

    fn scope(region: &str) -> Scope {
        Scope { account: "111122223333".into(), region: region.into(), service: "cloudtrail" }
    }

    #[tokio::test]
    async fn buckets_are_judged_by_the_trails_of_their_own_region() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let out = Out::new(tx);
        let all = json!([{"resource_type": "AWS::S3::Object", "read_write_type": "All", "resources": ["arn:aws:s3"]}]);
        // A multi-region trail homed in us-east-1, listed (as a shadow trail) in eu-west-1 too.
        let multi = TrailView { logging: Some(true), data_events: Some(all) };
        out.trails_read(&scope("us-east-1"), vec![multi.clone()]);
        out.trails_read(&scope("eu-west-1"), vec![multi]);
        // eu-central-1 was listed and no trail records it; ap-south-1's trails were not listed.
        out.trails_read(&scope("eu-central-1"), vec![]);
        out.hold_bucket(bucket("in-ireland", "eu-west-1"), true);
        out.hold_bucket(bucket("in-frankfurt", "eu-central-1"), true);
        out.hold_bucket(bucket("in-mumbai", "ap-south-1"), true);
        out.hold_bucket(bucket("somewhere", "us-east-1"), false);
        out.release().await;
        drop(out);
        let mut got = std::collections::BTreeMap::new();
        while let Some(r) = rx.recv().await {
            got.insert(r.name.clone(), r.attrs.get("cloudtrail_data_events").cloned());
        }
        assert_eq!(got["in-ireland"], Some(json!({"read": true, "write": true})));
        assert_eq!(got["in-frankfurt"], Some(json!({"read": false, "write": false})));
        assert_eq!(got["in-mumbai"], None);
        assert_eq!(got["somewhere"], None, "a bucket whose location is unknown is not judged");
    }
}
