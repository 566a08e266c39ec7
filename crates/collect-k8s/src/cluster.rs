//! The `k8s.core.cluster` resource: one per cluster collected, the anchor of checks on what must
//! exist once per cluster (`count: {within: account}` in rules).

use crate::map::object_uid;
use posture_model::{Origin, Resource};
use serde_json::{json, Value};

/// What is known of the cluster besides its name.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterFacts<'a> {
    /// API server URL (live collection); `None` for dumps.
    pub server: Option<&'a str>,
    /// `gitVersion` from `/version`; `None` when it could not be read.
    pub server_version: Option<&'a str>,
    /// Whether every Node was listed (`Some(false)`: the listing failed); `None` when the source
    /// cannot tell (dumps).
    pub nodes_listed: Option<bool>,
}

/// The cluster resource of `cluster` (uid `<cluster>/_cluster/Cluster/<cluster>`). A live
/// collection has a server; without one the source is a dump, whose version is known-unset.
pub fn cluster_resource(cluster: &str, origin: &Origin, facts: ClusterFacts) -> Resource {
    let mut r = Resource::new(object_uid(cluster, None, "Cluster", cluster), "k8s.core.cluster");
    r.account = cluster.to_string();
    r.name = cluster.to_string();
    r.origin = Some(origin.clone());
    let live = facts.server.is_some();
    r.attrs.insert("source".into(), json!(if live { "api" } else { "dump" }));
    r.attrs.insert("server".into(), facts.server.map_or(Value::Null, |s| json!(s)));
    match (facts.server_version, live) {
        (Some(v), _) => {
            r.attrs.insert("server_version".into(), json!(v));
        }
        // A dump cannot tell; a live server that did not answer leaves it unknown (absent).
        (None, false) => {
            r.attrs.insert("server_version".into(), Value::Null);
        }
        (None, true) => {}
    }
    if let Some(listed) = facts.nodes_listed {
        r.attrs.insert("nodes_listed".into(), json!(listed));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_resource_per_cluster_with_what_the_source_tells() {
        let origin = Origin::Api { service: "v1".into() };
        let live = cluster_resource("prod", &origin, ClusterFacts { server: Some("https://10.0.0.1:6443"), server_version: Some("v1.31.2"), nodes_listed: Some(true) });
        assert_eq!(live.uid, "prod/_cluster/Cluster/prod");
        assert_eq!((live.kind.as_str(), live.provider.as_str(), live.account.as_str()), ("k8s.core.cluster", "k8s", "prod"));
        assert_eq!(Value::Object(live.attrs), json!({"source": "api", "server": "https://10.0.0.1:6443", "server_version": "v1.31.2", "nodes_listed": true}));
        let unanswered = cluster_resource("prod", &origin, ClusterFacts { server: Some("https://x"), server_version: None, nodes_listed: Some(false) });
        assert!(!unanswered.attrs.contains_key("server_version"));
        assert_eq!(unanswered.attrs["nodes_listed"], json!(false), "a failed node listing is said, not hidden");
        let dump = cluster_resource("lab", &origin, ClusterFacts::default());
        assert_eq!(Value::Object(dump.attrs), json!({"source": "dump", "server": null, "server_version": null}));
    }
}
