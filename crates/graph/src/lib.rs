//! The security graph (DESIGN §5): every resource a node, every relation an edge, plus derived
//! insights (exposure, sensitivity, privilege, findings) and derived edges (can authenticate as,
//! can assume, has permission to read/write/admin/execute, can escalate, exposes, routes traffic
//! to), the explorer query language, and attack paths.
//!
//! Invariants:
//! - Compact: nodes are `u32` ids with interned kinds and accounts; attributes are kept only for
//!   the paths a query names; policies are kept compiled, not as JSON.
//! - Scope-wide grants (an AWS `Resource: "*"`, an Azure assignment on a subscription, a GCP
//!   binding on a project, a ClusterRoleBinding) are one edge to the scope, evaluated per target
//!   when a walk crosses it, so the graph stays linear in the estate.
//! - Unknown is honest: an edge that depends on data not collected or on a request condition is
//!   `unknown` or `conditional`, never silently granted or dropped.

mod aws;
mod azure;
mod build;
mod common;
mod exposure;
mod gcp;
pub mod insight;
mod intern;
mod k8s;
mod k8s_nodes;
pub mod load;
mod model;
mod net;
pub mod paths;
mod perm;
pub mod query;
pub mod text;
mod uids;
mod walk;

pub use build::{GraphBuilder, Options};
pub use model::{ety, Cite, Edge, EdgeInfo, EdgeTy, Exposure, FindingRec, Graph, PortRange, Why, Width};
pub use perm::Access;
pub use posture_permissions::{Certainty, Level};
pub use uids::NodeId;
pub use walk::{Step, Via, Want};

/// The node standing for the internet and anyone on it.
pub const INTERNET_UID: &str = "posture:internet";

/// What building a graph took.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BuildStats {
    pub resources: u64,
    pub nodes: u64,
    pub edges: u64,
    pub derived_edges: u64,
    pub grants: u64,
    #[serde(skip)]
    pub ingest: std::time::Duration,
    #[serde(skip)]
    pub derive: std::time::Duration,
    #[serde(skip)]
    pub permissions: std::time::Duration,
}

impl Graph {
    /// Bytes held on the heap by the largest structures (an estimate for the benchmark).
    pub fn heap_bytes(&self) -> usize {
        self.uids.heap_bytes()
            + self.nodes.capacity() * std::mem::size_of::<model::Node>()
            + self.names.heap_bytes()
            + (self.out.edges.capacity() + self.inc.edges.capacity()) * std::mem::size_of::<Edge>()
            + (self.out.start.capacity() + self.inc.start.capacity()) * 4
            + self.tags.capacity() * 8
            + self.infos.capacity() * std::mem::size_of::<EdgeInfo>()
    }
}
