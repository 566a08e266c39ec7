//! Recording internet exposure, shared by every provider: one [`Exposure`] per node (merged when
//! several front ends expose it) and one `exposes` edge from the Internet node.

use crate::insight;
use crate::model::{ety, EdgeInfo, Exposure, Graph, Why, Width};
use crate::net::PortSet;
use crate::uids::NodeId;
use posture_permissions::Certainty;

/// Builds an exposure from allowed ports.
pub(crate) fn of(
    width: Width,
    ports: &PortSet,
    via: Vec<NodeId>,
    steps: Vec<String>,
    certainty: Certainty,
) -> Exposure {
    Exposure { width, ports: ports.ranges(), via, steps, certainty }
}

/// Records that `n` is exposed (merging with what is known).
pub(crate) fn record(g: &mut Graph, n: NodeId, e: Exposure) {
    match g.exposures.get_mut(&n) {
        Some(old) => merge(old, e),
        None => {
            g.exposures.insert(n, e);
        }
    }
    g.set_flag(n, insight::EXPOSED);
}

/// Two ways in as one: the surer and wider, every port, control and step.
pub(crate) fn merge(old: &mut Exposure, e: Exposure) {
    if (e.certainty, e.width) > (old.certainty, old.width) {
        old.width = e.width;
        old.certainty = e.certainty;
    }
    old.ports.extend(e.ports);
    old.ports.sort();
    old.ports.dedup();
    old.via.extend(e.via);
    old.via.dedup();
    old.steps.extend(e.steps);
}

/// One `exposes` edge per exposed node, once every provider has recorded its exposures.
pub(crate) fn edges(g: &mut Graph) {
    let mut list: Vec<(NodeId, Exposure)> = g.exposures.iter().map(|(n, e)| (*n, e.clone())).collect();
    list.sort_unstable_by_key(|(n, _)| *n);
    let internet = g.internet();
    for (n, e) in list {
        g.add_edge(
            internet,
            n,
            ety::EXPOSES,
            Some(EdgeInfo { certainty: e.certainty, why: Why::Exposure(Box::new(e)) }),
        );
    }
}

/// A front end's exposure carried to a back end (load balancer → instance, service → pod).
pub(crate) fn through(front: &Exposure, front_node: NodeId, front_name: &str) -> Exposure {
    let mut steps = front.steps.clone();
    steps.push(format!("{front_name} forwards the traffic to it"));
    let mut via = front.via.clone();
    via.push(front_node);
    Exposure { width: front.width, ports: front.ports.clone(), via, steps, certainty: front.certainty }
}
