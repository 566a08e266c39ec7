//! Kubernetes node exposure: whether the nodes of a cluster can be reached from the internet,
//! which decides NodePort services (and the node ports that LoadBalancer services also open).
//!
//! A node with an ExternalIP opens its node ports to the internet unless a cloud firewall in front
//! of it says otherwise (not evaluated here: `conditional`). A cluster whose nodes were all listed
//! (`nodes_listed` on its `k8s.core.cluster`) and none of which has an ExternalIP is closed.
//! Anything less is unknown.

use crate::exposure;
use crate::intern::Sym;
use crate::model::{Exposure, Width};
use crate::net::PortSet;
use posture_permissions::Certainty;
use rustc_hash::{FxHashMap, FxHashSet};

/// The range Kubernetes allocates node ports from by default (`--service-node-port-range`).
const NODE_PORT_RANGE: (u16, u16) = (30000, 32767);

/// How far a cluster's nodes are reachable from the internet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Nodes with ExternalIPs, as `name (ip, …)`.
    Open(Vec<String>),
    Closed,
    /// Why it cannot be told.
    Unknown(&'static str),
}

/// The nodes seen, per cluster (account).
#[derive(Default)]
pub(crate) struct Nodes {
    external: FxHashMap<Sym, Vec<String>>,
    seen: FxHashSet<Sym>,
    /// Clusters with a node whose addresses are unknown (a manifest).
    unknown: FxHashSet<Sym>,
    listed: FxHashMap<Sym, bool>,
}

impl Nodes {
    /// One node: `external` is `None` when its addresses are unknown.
    pub(crate) fn node(&mut self, cluster: Sym, name: &str, external: Option<&[String]>) {
        self.seen.insert(cluster);
        match external {
            None => {
                self.unknown.insert(cluster);
            }
            Some([]) => {}
            Some(ips) => self.external.entry(cluster).or_default().push(format!("{name} ({})", ips.join(", "))),
        }
    }

    /// The cluster resource's `nodes_listed`.
    pub(crate) fn cluster(&mut self, cluster: Sym, listed: bool) {
        self.listed.insert(cluster, listed);
    }

    pub(crate) fn reach(&self, cluster: Sym) -> Reach {
        if let Some(open) = self.external.get(&cluster) {
            let mut open = open.clone();
            open.sort();
            return Reach::Open(open);
        }
        match self.listed.get(&cluster) {
            _ if self.unknown.contains(&cluster) => Reach::Unknown("the addresses of some nodes are not known"),
            Some(true) => Reach::Closed,
            Some(false) => Reach::Unknown("the node listing was incomplete"),
            None if self.seen.contains(&cluster) => Reach::Unknown("the nodes may not all have been collected"),
            None => Reach::Unknown("no node of the cluster was collected"),
        }
    }
}

/// The ports a service opens on every node: its `nodePort`s; for a NodePort service a port
/// without one (a manifest, allocated at creation) may be any of the default range.
fn node_ports(node_ports: &[(String, Option<u16>)], fallback: bool) -> PortSet {
    let mut set = PortSet::default();
    for (proto, port) in node_ports {
        match port {
            Some(p) => set.add(proto, *p, *p),
            None if fallback => set.add(proto, NODE_PORT_RANGE.0, NODE_PORT_RANGE.1),
            None => {}
        }
    }
    set
}

/// The exposure of a NodePort or LoadBalancer service through its cluster's nodes, if any.
pub(crate) fn exposure(ty: &str, ports: &[(String, Option<u16>)], reach: &Reach) -> Option<Exposure> {
    let node_port = ty == "NodePort";
    if !node_port && ty != "LoadBalancer" {
        return None;
    }
    let set = node_ports(ports, node_port);
    if set.is_empty() {
        return None;
    }
    match reach {
        Reach::Open(nodes) => {
            let steps = vec![
                format!("{ty} service: its node ports are open on every node of the cluster"),
                format!(
                    "nodes with an external IP: {} (firewall rules in front of the nodes are not evaluated)",
                    nodes.join("; ")
                ),
            ];
            Some(exposure::of(Width::Any, &set, Vec::new(), steps, Certainty::Conditional))
        }
        Reach::Closed => None,
        // A LoadBalancer is judged by its load balancer; only NodePort services stay unknown.
        Reach::Unknown(_) if !node_port => None,
        Reach::Unknown(why) => {
            let steps = vec![format!("NodePort service: reachable if the nodes are ({why})")];
            Some(exposure::of(Width::Any, &set, Vec::new(), steps, Certainty::Unknown))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_follows_the_nodes_and_the_listing() {
        let mut syms = crate::intern::Interner::default();
        let (a, b, c, d) = (syms.intern("a"), syms.intern("b"), syms.intern("c"), syms.intern("d"));
        let mut n = Nodes::default();
        n.node(a, "n1", Some(&[]));
        n.node(a, "n2", Some(&["52.1.2.3".to_string()]));
        n.node(b, "n1", Some(&[]));
        n.cluster(b, true);
        n.node(c, "n1", None);
        n.cluster(c, true);
        assert_eq!(n.reach(a), Reach::Open(vec!["n2 (52.1.2.3)".into()]));
        assert_eq!(n.reach(b), Reach::Closed);
        assert!(matches!(n.reach(c), Reach::Unknown(_)));
        assert!(matches!(n.reach(d), Reach::Unknown("no node of the cluster was collected")));
    }

    #[test]
    fn node_ports_fall_back_to_the_range_for_node_port_services_only() {
        let ports = vec![("tcp".to_string(), Some(30080)), ("tcp".to_string(), None)];
        let open = Reach::Open(vec!["n (1.2.3.4)".into()]);
        let e = exposure("NodePort", &ports, &open).expect("exposed");
        assert_eq!(e.certainty, Certainty::Conditional);
        assert_eq!(e.ports.len(), 1, "30080 lies in the default range: {:?}", e.ports);
        let lb = exposure("LoadBalancer", &[("tcp".to_string(), None)], &open);
        assert!(lb.is_none(), "a LoadBalancer without node ports opens none");
        assert!(exposure("NodePort", &ports, &Reach::Closed).is_none());
        assert!(exposure("LoadBalancer", &ports, &Reach::Unknown("x")).is_none());
        assert_eq!(exposure("NodePort", &ports, &Reach::Unknown("x")).map(|e| e.certainty), Some(Certainty::Unknown));
        assert!(exposure("ClusterIP", &ports, &open).is_none());
    }
}
