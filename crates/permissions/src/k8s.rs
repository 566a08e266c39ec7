//! Kubernetes RBAC: roles' rules (API groups, resources, names, verbs, with `*`) and what they
//! give. Cluster roles bound by a ClusterRoleBinding apply everywhere; by a RoleBinding, in its
//! namespace only.

use crate::data::{entries, str_of, DataError};
use serde_json::Value;
use std::sync::OnceLock;
use yaml_rust2::Yaml;

#[derive(Debug, Clone, Default)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub verbs: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn covers(list: &[String], x: &str) -> bool {
    list.iter().any(|i| i == "*" || i == x || item_glob(i, x))
}

/// `pods/*` and `*/scale` forms.
fn item_glob(item: &str, x: &str) -> bool {
    match (item.split_once('/'), x.split_once('/')) {
        (Some((a, "*")), Some((b, _))) => a == b,
        (Some(("*", a)), Some((_, b))) => a == b,
        _ => false,
    }
}

impl Rule {
    /// `name == None` asks about every object of the resource type.
    pub fn allows(&self, verb: &str, group: &str, resource: &str, name: Option<&str>) -> bool {
        covers(&self.verbs, verb)
            && covers(&self.api_groups, group)
            && covers(&self.resources, resource)
            && (self.resource_names.is_empty() || name.is_some_and(|n| self.resource_names.iter().any(|r| r == n)))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Role {
    pub name: String,
    pub rules: Vec<Rule>,
}

fn json_strs(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn yaml_strs(v: &Yaml, key: &str) -> Vec<String> {
    match &v[key] {
        Yaml::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

impl Role {
    /// From the `rules` attribute of a `k8s.rbac.role` or `k8s.rbac.cluster_role`.
    pub fn from_rules(name: &str, rules: &Value) -> Role {
        let rules = rules
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| Rule {
                        api_groups: json_strs(r, "api_groups"),
                        resources: json_strs(r, "resources"),
                        resource_names: json_strs(r, "resource_names"),
                        verbs: json_strs(r, "verbs"),
                        non_resource_urls: json_strs(r, "non_resource_urls"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Role { name: name.to_string(), rules }
    }

    pub fn allows(&self, verb: &str, group: &str, resource: &str, name: Option<&str>) -> bool {
        self.rules.iter().any(|r| r.allows(verb, group, resource, name))
    }

    /// Names this role grants `verb` on specifically (rules with resourceNames).
    pub fn named(&self, verb: &str, group: &str, resource: &str) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| {
                !r.resource_names.is_empty()
                    && covers(&r.verbs, verb)
                    && covers(&r.api_groups, group)
                    && covers(&r.resources, resource)
            })
            .flat_map(|r| r.resource_names.iter().map(String::as_str))
            .collect()
    }

    /// Can grant itself anything: `*` on `*`, `escalate`/`bind` on roles, or `impersonate`.
    pub fn is_admin(&self) -> bool {
        self.allows("*", "*", "*", None)
            || self.allows("escalate", "rbac.authorization.k8s.io", "clusterroles", None)
            || self.allows("bind", "rbac.authorization.k8s.io", "clusterroles", None)
            || self.allows("impersonate", "", "users", None)
            || self.allows("impersonate", "", "groups", None)
            || (self.allows("create", "rbac.authorization.k8s.io", "clusterrolebindings", None)
                && self.allows("bind", "rbac.authorization.k8s.io", "clusterroles", None))
    }
}

fn parse_builtin() -> Result<Vec<Role>, DataError> {
    let file = "graph/permissions/k8s-roles.yaml";
    let text = include_str!("../../../graph/permissions/k8s-roles.yaml");
    Ok(entries(file, text)?
        .iter()
        .map(|e| Role {
            name: str_of(e, "name").unwrap_or_default().to_string(),
            rules: match &e["rules"] {
                Yaml::Array(rs) => rs
                    .iter()
                    .map(|r| Rule {
                        api_groups: yaml_strs(r, "api_groups"),
                        resources: yaml_strs(r, "resources"),
                        resource_names: yaml_strs(r, "resource_names"),
                        verbs: yaml_strs(r, "verbs"),
                        non_resource_urls: yaml_strs(r, "non_resource_urls"),
                    })
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect())
}

/// The default cluster roles (`cluster-admin`, `admin`, `edit`, `view`).
pub fn builtin(name: &str) -> Option<&'static Role> {
    static ROLES: OnceLock<Vec<Role>> = OnceLock::new();
    ROLES.get_or_init(|| parse_builtin().unwrap_or_default()).iter().find(|r| r.name == name)
}

/// What a level means on a kind of Kubernetes object: (verb, API group, resource).
pub type Probe = (&'static str, &'static str, &'static str);

pub fn probes(kind: &str, level: crate::Level) -> &'static [Probe] {
    use crate::Level::*;
    match (kind, level) {
        ("k8s.core.secret", Read) => &[("get", "", "secrets"), ("list", "", "secrets")],
        ("k8s.core.secret", Write) => &[("update", "", "secrets"), ("patch", "", "secrets")],
        ("k8s.core.secret", Admin) => &[("delete", "", "secrets")],
        ("k8s.core.pod", Execute) => &[("create", "", "pods/exec"), ("create", "", "pods/attach")],
        ("k8s.core.pod", Write) => &[("update", "", "pods"), ("patch", "", "pods")],
        ("k8s.core.service_account", Execute) => {
            &[("impersonate", "", "serviceaccounts"), ("create", "", "serviceaccounts/token")]
        }
        ("k8s.core.config_map", Read) => &[("get", "", "configmaps")],
        ("k8s.apps.deployment", Execute) => &[("update", "apps", "deployments"), ("patch", "apps", "deployments")],
        ("k8s.apps.daemonset", Execute) => &[("update", "apps", "daemonsets"), ("patch", "apps", "daemonsets")],
        ("k8s.apps.statefulset", Execute) => &[("update", "apps", "statefulsets"), ("patch", "apps", "statefulsets")],
        ("k8s.batch.cronjob", Execute) => &[("update", "batch", "cronjobs"), ("patch", "batch", "cronjobs")],
        _ => &[],
    }
}

/// Creating pods (or workloads that create them) lets a subject run as any service account of
/// the namespace.
pub const CREATE_POD: &[Probe] = &[
    ("create", "", "pods"),
    ("create", "apps", "deployments"),
    ("create", "apps", "daemonsets"),
    ("create", "batch", "jobs"),
    ("create", "batch", "cronjobs"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards_names_and_subresources() {
        let r = Role::from_rules(
            "r",
            &json!([
                {"api_groups": [""], "resources": ["secrets"], "resource_names": ["db"], "verbs": ["get"]},
                {"api_groups": [""], "resources": ["pods/*"], "verbs": ["create"]},
            ]),
        );
        assert!(r.allows("get", "", "secrets", Some("db")));
        assert!(!r.allows("get", "", "secrets", Some("other")));
        assert!(!r.allows("get", "", "secrets", None));
        assert_eq!(r.named("get", "", "secrets"), vec!["db"]);
        assert!(r.allows("create", "", "pods/exec", None));
        assert!(!r.allows("create", "", "pods", None));
        assert!(!r.is_admin());
    }

    #[test]
    fn default_roles() {
        assert!(parse_builtin().is_ok());
        assert!(builtin("cluster-admin").unwrap().is_admin());
        let view = builtin("view").unwrap();
        assert!(!view.allows("get", "", "secrets", None));
        assert!(view.allows("get", "", "pods", None));
        let edit = builtin("edit").unwrap();
        assert!(edit.allows("get", "", "secrets", None));
        assert!(edit.allows("create", "", "pods/exec", None));
        assert!(!edit.is_admin());
    }

    #[test]
    fn escalate_bind_and_impersonate_are_admin() {
        let imp = Role::from_rules(
            "i",
            &json!([{"api_groups": [""], "resources": ["users", "groups", "serviceaccounts"], "verbs": ["impersonate"]}]),
        );
        assert!(imp.is_admin());
        let esc = Role::from_rules(
            "e",
            &json!([{"api_groups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate"]}]),
        );
        assert!(esc.is_admin());
    }
}
