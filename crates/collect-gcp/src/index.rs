//! What the first pass over an export learns: IAM policies on their own lines (merged into the
//! resource of the same name), project numbers and ids, service accounts by e-mail and their keys,
//! firewalls per network, SSL policies, and project-level facts (log sinks, metrics, alert
//! policies, enabled services, contacts, DNS policies, common instance metadata).
//!
//! Cloud Asset Inventory returns every asset of the requested types in the requested scope, so
//! when a type appears in a project the export holds all of that type there: a resource without
//! any has none. Where a type never appears, nothing is known.

use serde_json::Value;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
pub struct Firewall {
    pub uid: String,
    pub target_tags: Vec<String>,
    pub target_service_accounts: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Index {
    /// `NUMBER` → project id.
    pub project_ids: HashMap<String, String>,
    /// Asset name → flattened IAM members.
    pub iam: HashMap<String, Vec<Value>>,
    /// Asset name → `auditConfigs` flattened (projects).
    pub audit: HashMap<String, Vec<Value>>,
    /// Asset names that came with resource content.
    pub with_data: HashSet<String>,
    pub sa_by_email: HashMap<String, String>,
    /// Service account e-mail → its keys.
    pub sa_keys: HashMap<String, Vec<Value>>,
    /// Network full name → its firewall rules.
    pub firewalls: HashMap<String, Vec<Firewall>>,
    /// SSL policy full name → canonical `ssl_policy`.
    pub ssl_policies: HashMap<String, Value>,
    /// Scope (`projects/NUMBER`, `folders/N`, `organizations/N`) → (asset type, fragment).
    scoped: HashMap<String, Vec<(String, Value)>>,
    /// (scope, asset type) seen with resource content.
    present: HashSet<(String, String)>,
    /// (scope, asset type) listed in full (live collection markers).
    listed: HashSet<(String, String)>,
    /// (scope, asset type) whose IAM policies were exported.
    iam_known: HashSet<(String, String)>,
}

impl Index {
    pub fn saw_type(&mut self, scope: &str, asset_type: &str) {
        self.present.insert((scope.to_string(), asset_type.to_string()));
    }

    pub fn mark_listed(&mut self, scope: &str, asset_type: &str) {
        self.listed.insert((self.normalise(scope), asset_type.to_string()));
    }

    pub fn mark_iam_known(&mut self, scope: &str, asset_type: &str) {
        self.iam_known.insert((self.normalise(scope), asset_type.to_string()));
    }

    pub fn add_scoped(&mut self, scope: &str, asset_type: &str, fragment: Value) {
        self.scoped.entry(scope.to_string()).or_default().push((asset_type.to_string(), fragment));
    }

    /// `projects/my-id` → `projects/NUMBER` when the number is known, so markers written with
    /// either form match the ancestors CAI writes (always numbers).
    fn normalise(&self, scope: &str) -> String {
        if let Some(id) = scope.strip_prefix("projects/") {
            if let Some((number, _)) = self.project_ids.iter().find(|(_, v)| v.as_str() == id) {
                return format!("projects/{number}");
            }
        }
        scope.to_string()
    }

    /// Whether every asset of `asset_type` under these ancestors is in the export.
    pub fn type_known(&self, ancestors: &[String], asset_type: &str) -> bool {
        ancestors.iter().enumerate().any(|(i, a)| {
            let key = (self.normalise(a), asset_type.to_string());
            (i == 0 && self.present.contains(&key)) || self.listed.contains(&key)
        })
    }

    /// Whether the IAM policies of `asset_type` under these ancestors were exported (so a resource
    /// without a policy line has an empty policy).
    pub fn iam_known(&self, ancestors: &[String], asset_type: &str) -> bool {
        ancestors.iter().any(|a| self.iam_known.contains(&(self.normalise(a), asset_type.to_string())))
    }

    /// Fragments of `asset_type` kept under `scope`; `None` when the export cannot tell.
    pub fn scoped(&self, scope: &str, ancestors: &[String], asset_type: &str) -> Option<Vec<&Value>> {
        let found: Vec<&Value> = self
            .scoped
            .get(scope)
            .map(|l| l.iter().filter(|(t, _)| t == asset_type).map(|(_, v)| v).collect())
            .unwrap_or_default();
        (!found.is_empty() || self.type_known(ancestors, asset_type)).then_some(found)
    }

    /// Every fragment of `asset_type` under any scope (folder and organization sinks).
    pub fn scoped_anywhere<'a>(&'a self, scopes: &'a [String], asset_type: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        scopes.iter().flat_map(move |s| {
            self.scoped.get(s).into_iter().flatten().filter(move |(t, _)| t == asset_type).map(move |(_, v)| (s.as_str(), v))
        })
    }
}
