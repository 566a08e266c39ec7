use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One cloud, cluster or code resource in canonical form (DESIGN §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub uid: String,
    /// `provider.service.type`, e.g. `aws.s3.bucket`.
    pub kind: String,
    pub provider: String,
    /// AWS account, Azure subscription, GCP project or Kubernetes cluster.
    #[serde(default)]
    pub account: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub attrs: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<Value>,
}

/// A typed edge to another resource, e.g. `has_security_group`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Relation {
    #[serde(rename = "type")]
    pub rel: String,
    pub target: String,
}

/// Where a resource was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Origin {
    Api {
        service: String,
    },
    Snapshot {
        file: String,
    },
    Iac {
        file: String,
        line: u32,
        address: String,
        /// attribute path (`attrs.versioning.enabled`) → line in `file`
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        lines: BTreeMap<String, u32>,
    },
}

impl Resource {
    pub fn new(uid: impl Into<String>, kind: impl Into<String>) -> Self {
        let kind = kind.into();
        let provider = kind.split('.').next().unwrap_or_default().to_string();
        Resource {
            uid: uid.into(),
            kind,
            provider,
            account: String::new(),
            region: None,
            name: String::new(),
            tags: BTreeMap::new(),
            attrs: Map::new(),
            relations: Vec::new(),
            origin: None,
            raw: None,
        }
    }

    /// Targets of every relation of type `rel`.
    pub fn related<'a>(&'a self, rel: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.relations
            .iter()
            .filter(move |r| r.rel == rel)
            .map(|r| r.target.as_str())
    }
}
