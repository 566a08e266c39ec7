//! The graph's data: nodes with interned fields and insight bits, edges in compressed adjacency
//! lists both ways, edge details for derived edges, exposures, findings, and the grants behind
//! scope-wide permissions (evaluated per target when a walk crosses them).

use crate::intern::{Interner, Sym};
use crate::uids::{NodeId, UidIndex};
use posture_model::Severity;
use posture_permissions::aws::{escalation::Method, Effect};
use posture_permissions::Certainty;
use rustc_hash::FxHashMap;
use serde::Serialize;

pub type EdgeTy = u16;

/// Derived edge types, registered first so their ids are fixed.
pub mod ety {
    use super::EdgeTy;
    pub const EXPOSES: EdgeTy = 0;
    pub const CAN_AUTHENTICATE_AS: EdgeTy = 1;
    pub const CAN_ASSUME: EdgeTy = 2;
    pub const CAN_READ: EdgeTy = 3;
    pub const CAN_WRITE: EdgeTy = 4;
    pub const CAN_ADMIN: EdgeTy = 5;
    pub const CAN_EXECUTE: EdgeTy = 6;
    pub const CAN_ESCALATE: EdgeTy = 7;
    pub const ROUTES_TRAFFIC_TO: EdgeTy = 8;
    pub const MEMBER_OF: EdgeTy = 9;
    pub const DERIVED: &[(&str, &str)] = &[
        ("exposes", "the Internet reaches a resource through its network configuration"),
        ("can_authenticate_as", "code on a resource, or a holder of an identity's credentials, acts as that identity"),
        ("can_assume", "an identity may assume a role (trust policy and identity policy both allow)"),
        ("can_read", "an identity may read a target's data"),
        ("can_write", "an identity may change a target's data"),
        ("can_admin", "an identity may change who has access to a target, or delete it; on a scope: administrator"),
        ("can_execute", "an identity may run code on or as a target (SSM, pods/exec, function code, run command)"),
        ("can_escalate", "an identity can gain another identity's (or administrator) privileges by a known method"),
        ("routes_traffic_to", "a load balancer, service or ingress sends traffic to a backend"),
        ("member_of", "a user belongs to a group, or a subject to a Kubernetes group"),
    ];
    pub const PERMISSIONS: [EdgeTy; 4] = [CAN_READ, CAN_WRITE, CAN_ADMIN, CAN_EXECUTE];
}

pub const NO_INFO: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub to: NodeId,
    pub ty: EdgeTy,
    /// Index into [`Graph::infos`], or [`NO_INFO`] for a plain relation.
    pub info: u32,
}

/// Compressed adjacency lists.
#[derive(Default)]
pub struct Adjacency {
    pub(crate) start: Vec<u32>,
    pub(crate) edges: Vec<Edge>,
}

impl Adjacency {
    pub fn of(&self, n: NodeId) -> &[Edge] {
        let i = n as usize;
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(a), Some(b)) => &self.edges[*a as usize..*b as usize],
            _ => &[],
        }
    }

    /// From (from, edge) pairs; `nodes` is the node count.
    pub fn build(nodes: usize, mut list: Vec<(NodeId, Edge)>) -> Adjacency {
        list.sort_unstable_by_key(|(f, e)| (*f, e.ty, e.to, e.info));
        list.dedup_by(|a, b| {
            a.0 == b.0 && a.1.ty == b.1.ty && a.1.to == b.1.to && (a.1.info == b.1.info || a.1.info == NO_INFO)
        });
        let mut start = vec![0u32; nodes + 1];
        for (f, _) in &list {
            start[*f as usize + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        Adjacency { start, edges: list.into_iter().map(|(_, e)| e).collect() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Width {
    /// Specific public ranges.
    Narrow,
    /// Large public ranges (a /8 or wider).
    Wide,
    /// Any address (`0.0.0.0/0`, `::/0`, `*`, `Internet`).
    Any,
}

impl Width {
    pub fn as_str(self) -> &'static str {
        match self {
            Width::Narrow => "narrow",
            Width::Wide => "wide",
            Width::Any => "any",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PortRange {
    pub protocol: String,
    pub from: u16,
    pub to: u16,
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.from, self.to) {
            (0, 65535) => write!(f, "{}/all", self.protocol),
            (a, b) if a == b => write!(f, "{}/{a}", self.protocol),
            (a, b) => write!(f, "{}/{a}-{b}", self.protocol),
        }
    }
}

/// How a resource is reachable from the internet.
#[derive(Debug, Clone, Serialize)]
pub struct Exposure {
    pub width: Width,
    pub ports: Vec<PortRange>,
    /// The network controls and front ends involved (security groups, NSGs, load balancers, …).
    pub via: Vec<NodeId>,
    /// Each step, in words: "public IP 203.0.113.24", "sg-1 allows tcp/22 from 0.0.0.0/0".
    pub steps: Vec<String>,
    pub certainty: Certainty,
}

/// A policy statement cited as the reason for an edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cite {
    /// The policy's node (a managed policy, or the identity or resource holding an inline one).
    pub node: NodeId,
    /// What the policy is, in words: `managed policy v3 (default)`, `inline policy 'x'`, `bucket policy`.
    pub what: String,
    pub statement: String,
    #[serde(skip)]
    pub effect: Effect,
    pub certainty: Certainty,
}

/// Why a derived edge exists.
#[derive(Debug, Clone)]
pub enum Why {
    Exposure(Box<Exposure>),
    /// Compute acting as an identity: `instance profile`, `execution role`, `service account`, …
    Identity(String),
    /// Allowed by policies: the actions that were allowed and the statements that allowed them.
    Policy {
        actions: Vec<String>,
        cites: Vec<Cite>,
        denies: Vec<Cite>,
        note: Option<String>,
    },
    Escalation {
        method: Method,
        via: Option<NodeId>,
        detail: String,
        cites: Vec<Cite>,
    },
    /// A grant over a whole scope, evaluated per target when a walk crosses it.
    Broad(u32),
    /// A role binding or assignment: the binding's node and the role's name.
    Binding {
        binding: NodeId,
        role: String,
        note: Option<String>,
    },
    Note(String),
}

#[derive(Debug, Clone)]
pub struct EdgeInfo {
    pub certainty: Certainty,
    pub why: Why,
}

/// How a scope-wide grant is evaluated on a member.
#[derive(Debug, Clone)]
pub enum GrantBody {
    /// The principal's AWS identity policies (and the target's resource policy).
    Aws,
    Azure {
        role: u32,
    },
    Gcp {
        role: &'static posture_permissions::gcp::Role,
    },
    K8s {
        role: u32,
        namespace: Option<Sym>,
    },
}

#[derive(Debug, Clone)]
pub struct Grant {
    pub principal: NodeId,
    pub scope: NodeId,
    pub body: GrantBody,
    /// The binding, assignment or identity the grant comes from.
    pub source: NodeId,
    pub role_name: String,
    pub certainty: Certainty,
}

#[derive(Debug, Clone, Copy)]
pub struct FindingRec {
    pub rule: Sym,
    pub title: Sym,
    pub severity: Severity,
}

/// One node's fixed-size record.
#[derive(Debug, Clone, Copy, Default)]
pub struct Node {
    pub kind: Sym,
    pub account: Sym,
    pub region: Sym,
    pub flags: u32,
}

/// Strings stored end to end.
#[derive(Default)]
pub struct StrArena {
    text: String,
    ends: Vec<u32>,
}

impl StrArena {
    pub fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        (self.ends.len() - 1) as u32
    }

    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) as usize };
        self.text.get(start..end).unwrap_or("")
    }

    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }
}

/// The security graph of one estate.
pub struct Graph {
    pub(crate) uids: UidIndex,
    pub(crate) nodes: Vec<Node>,
    pub(crate) names: StrArena,
    /// Each node's name in `names` (`u32::MAX`: none).
    pub(crate) name_idx: Vec<u32>,
    pub(crate) syms: Interner,
    pub(crate) edge_types: Interner,
    pub(crate) tag_start: Vec<u32>,
    pub(crate) tags: Vec<(Sym, Sym)>,
    pub(crate) attrs: FxHashMap<(NodeId, Sym), serde_json::Value>,
    pub(crate) out: Adjacency,
    pub(crate) inc: Adjacency,
    pub(crate) infos: Vec<EdgeInfo>,
    pub(crate) exposures: FxHashMap<NodeId, Exposure>,
    pub(crate) findings: Vec<FindingRec>,
    pub(crate) finding_start: Vec<u32>,
    pub(crate) finding_idx: Vec<u32>,
    pub(crate) grants: Vec<Grant>,
    pub(crate) perms: crate::perm::PermModel,
    /// Members of each (account, kind), for expanding scope-wide grants.
    pub(crate) members: FxHashMap<(Sym, Sym), Vec<NodeId>>,
    /// The scope node of each (provider, account).
    pub(crate) account_scope: FxHashMap<(Sym, Sym), NodeId>,
    pub(crate) internet: NodeId,
    /// Edges added while building, sorted into `out` and `inc` by [`Graph::seal`].
    pub(crate) pending: Vec<(NodeId, Edge)>,
    pub stats: crate::BuildStats,
}

impl Graph {
    /// Adds a derived or relation edge; `info` explains a derived one.
    pub(crate) fn add_edge(&mut self, from: NodeId, to: NodeId, ty: EdgeTy, info: Option<EdgeInfo>) {
        if from == to {
            return;
        }
        let info = match info {
            Some(i) => {
                self.infos.push(i);
                (self.infos.len() - 1) as u32
            }
            None => NO_INFO,
        };
        self.pending.push((from, Edge { to, ty, info }));
    }

    /// The node of `uid`, creating a virtual one (not collected) when absent.
    pub(crate) fn virtual_node(&mut self, uid: &str, kind: &str, name: &str, account: &str, flags: u32) -> NodeId {
        let (id, new) = self.uids.intern(uid);
        if new {
            let kind_sym = self.syms.intern(kind);
            let account = self.syms.intern(account);
            let empty = self.syms.intern("");
            self.nodes.push(Node {
                kind: kind_sym,
                account,
                region: empty,
                flags: flags | crate::insight::VIRTUAL.0 | crate::insight::kind_flags(kind),
            });
            let idx = self.names.push(name);
            self.name_idx.push(idx);
            let end = *self.tag_start.last().unwrap_or(&0);
            self.tag_start.push(end);
        }
        id
    }

    pub(crate) fn set_flag(&mut self, n: NodeId, i: crate::insight::Insight) {
        if let Some(node) = self.nodes.get_mut(n as usize) {
            node.flags |= i.0;
        }
    }

    /// Sorts the pending edges into adjacency lists both ways.
    pub(crate) fn seal(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let reversed: Vec<(NodeId, Edge)> =
            pending.iter().map(|(f, e)| (e.to, Edge { to: *f, ty: e.ty, info: e.info })).collect();
        self.out = Adjacency::build(self.nodes.len(), pending);
        self.inc = Adjacency::build(self.nodes.len(), reversed);
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn edge_count(&self) -> usize {
        self.out.edges.len()
    }

    pub fn internet(&self) -> NodeId {
        self.internet
    }

    pub fn node(&self, n: NodeId) -> &Node {
        static EMPTY: Node = Node { kind: 0, account: 0, region: 0, flags: 0 };
        self.nodes.get(n as usize).unwrap_or(&EMPTY)
    }

    pub fn find(&self, uid: &str) -> Option<NodeId> {
        self.uids.get(uid)
    }

    pub fn uid(&self, n: NodeId) -> &str {
        self.uids.uid(n)
    }

    pub fn name(&self, n: NodeId) -> &str {
        let name = match self.name_idx.get(n as usize) {
            Some(i) if *i != u32::MAX => self.names.get(*i),
            _ => "",
        };
        if name.is_empty() {
            self.uid(n)
        } else {
            name
        }
    }

    pub fn kind(&self, n: NodeId) -> &str {
        self.syms.resolve(self.node(n).kind)
    }

    pub fn kind_sym(&self, kind: &str) -> Option<Sym> {
        self.syms.get(kind)
    }

    pub fn account(&self, n: NodeId) -> &str {
        self.syms.resolve(self.node(n).account)
    }

    pub fn region(&self, n: NodeId) -> &str {
        self.syms.resolve(self.node(n).region)
    }

    pub fn provider(&self, n: NodeId) -> &str {
        self.kind(n).split('.').next().unwrap_or("")
    }

    pub fn sym(&self, s: Sym) -> &str {
        self.syms.resolve(s)
    }

    pub fn has(&self, n: NodeId, i: crate::insight::Insight) -> bool {
        self.node(n).flags & i.0 != 0
    }

    pub fn tags(&self, n: NodeId) -> impl Iterator<Item = (&str, &str)> {
        let i = n as usize;
        let (a, b) = match (self.tag_start.get(i), self.tag_start.get(i + 1)) {
            (Some(a), Some(b)) => (*a as usize, *b as usize),
            _ => (0, 0),
        };
        self.tags[a..b].iter().map(|(k, v)| (self.syms.resolve(*k), self.syms.resolve(*v)))
    }

    pub fn tag(&self, n: NodeId, key: &str) -> Option<&str> {
        self.tags(n).find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// A projected attribute (`path` without the `attrs.` prefix), if it was kept at build time.
    pub fn attr(&self, n: NodeId, path: &str) -> Option<&serde_json::Value> {
        let p = self.syms.get(path)?;
        self.attrs.get(&(n, p))
    }

    pub fn out_edges(&self, n: NodeId) -> &[Edge] {
        self.out.of(n)
    }

    /// Incoming edges; `Edge::to` is the *source* here.
    pub fn in_edges(&self, n: NodeId) -> &[Edge] {
        self.inc.of(n)
    }

    pub fn edge_type(&self, t: EdgeTy) -> &str {
        self.edge_types.resolve(t as u32)
    }

    pub fn edge_type_id(&self, name: &str) -> Option<EdgeTy> {
        self.edge_types.get(name).map(|t| t as EdgeTy)
    }

    pub fn edge_types(&self) -> impl Iterator<Item = &str> {
        (0..self.edge_types.len() as u32).map(|t| self.edge_types.resolve(t))
    }

    pub fn info(&self, e: &Edge) -> Option<&EdgeInfo> {
        self.infos.get(e.info as usize)
    }

    pub fn certainty(&self, e: &Edge) -> Certainty {
        self.info(e).map_or(Certainty::Certain, |i| i.certainty)
    }

    pub fn exposure(&self, n: NodeId) -> Option<&Exposure> {
        self.exposures.get(&n)
    }

    pub fn findings(&self, n: NodeId) -> impl Iterator<Item = &FindingRec> {
        let i = n as usize;
        let (a, b) = match (self.finding_start.get(i), self.finding_start.get(i + 1)) {
            (Some(a), Some(b)) => (*a as usize, *b as usize),
            _ => (0, 0),
        };
        self.finding_idx[a..b].iter().filter_map(|f| self.findings.get(*f as usize))
    }

    pub fn max_severity(&self, n: NodeId) -> Option<Severity> {
        self.findings(n).map(|f| f.severity).max()
    }

    pub fn grant(&self, g: u32) -> Option<&Grant> {
        self.grants.get(g as usize)
    }

    /// Nodes of a kind, in id order.
    pub fn nodes_of_kind(&self, kind: &str) -> Vec<NodeId> {
        let Some(k) = self.syms.get(kind) else {
            return Vec::new();
        };
        (0..self.nodes.len() as NodeId).filter(|n| self.nodes[*n as usize].kind == k).collect()
    }

    pub fn all_nodes(&self) -> std::ops::Range<NodeId> {
        0..self.nodes.len() as NodeId
    }

    /// Members of `account` of kind `kind`.
    pub(crate) fn members_of(&self, account: Sym, kind: Sym) -> &[NodeId] {
        self.members.get(&(account, kind)).map_or(&[], Vec::as_slice)
    }
}
