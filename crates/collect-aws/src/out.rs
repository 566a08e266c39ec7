//! Where collectors put what they read: resources to a bounded channel, problems to a shared list.

use crate::error::Failure;
use posture_model::Resource;
use std::collections::BTreeSet;
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
}

impl Out {
    pub fn new(tx: Sender<Resource>) -> Out {
        Out { tx, issues: Arc::default(), incomplete_accounts: Arc::default() }
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
