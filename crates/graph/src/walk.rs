//! Walking the graph: the neighbours of a node along chosen edge types, with scope-wide grants
//! expanded to the members of their scope (only those the caller wants, evaluated on demand).

use crate::model::{EdgeTy, Graph, Why, NO_INFO};
use crate::perm::edge_type;
use crate::uids::NodeId;
use posture_permissions::{Certainty, Level};

/// How a step was derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A stored edge: its info index ([`NO_INFO`] for plain relations).
    Edge(u32),
    /// A scope-wide grant evaluated on the target.
    Grant { grant: u32, level: Level },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The node reached (for incoming walks: the source of the edge).
    pub node: NodeId,
    pub ty: EdgeTy,
    pub certainty: Certainty,
    pub via: Via,
}

/// Candidate nodes by (account, kind) symbol: expanding a scope-wide grant then visits only these.
pub type Index = rustc_hash::FxHashMap<(u32, u32), Vec<NodeId>>;

/// Which neighbours a walk wants: by kind first (cheap), then by node; with an index of the
/// wanted nodes when they are few.
pub struct Want<'a> {
    pub kind: &'a dyn Fn(&str) -> bool,
    pub node: &'a dyn Fn(NodeId) -> bool,
    pub index: Option<&'a Index>,
    /// Grants that can only give less than this are not expanded.
    pub min: Certainty,
    /// Expand scope-wide grants at all (stored edges are always walked).
    pub expand: bool,
}

impl Want<'_> {
    pub fn any() -> Want<'static> {
        Want { kind: &|_| true, node: &|_| true, index: None, min: Certainty::Unknown, expand: true }
    }
}

impl Graph {
    /// The nodes `accept` accepts, by (account, kind): an [`Index`] for [`Want`].
    pub fn index_of(&self, accept: &(dyn Fn(NodeId) -> bool + Sync)) -> Index {
        use rayon::prelude::*;
        let hits: Vec<NodeId> = self.all_nodes().into_par_iter().filter(|n| accept(*n)).collect();
        let mut idx = Index::default();
        for n in hits {
            let node = self.node(n);
            idx.entry((node.account, node.kind)).or_default().push(n);
        }
        idx
    }
}

fn broad(g: &Graph, info: u32) -> Option<u32> {
    match g.infos.get(info as usize).map(|i| &i.why) {
        Some(Why::Broad(gi)) => Some(*gi),
        _ => None,
    }
}

impl Graph {
    /// Steps out of `n` along `types` (every type when empty).
    pub fn steps_out(&self, n: NodeId, types: &[EdgeTy], want: &Want, f: &mut dyn FnMut(Step)) {
        let ok = |t: EdgeTy| types.is_empty() || types.contains(&t);
        // A scope-wide execute grant on identities is authenticating as them.
        let ok_broad =
            |t: EdgeTy| ok(t) || (t == crate::model::ety::CAN_EXECUTE && ok(crate::model::ety::CAN_AUTHENTICATE_AS));
        let mut grants: Vec<u32> = Vec::new();
        for e in self.out_edges(n) {
            let is_broad = e.info != NO_INFO && broad(self, e.info).is_some();
            if !(if is_broad { ok_broad(e.ty) } else { ok(e.ty) }) {
                continue;
            }
            if let Some(gi) = (e.info != NO_INFO).then(|| broad(self, e.info)).flatten() {
                if !grants.contains(&gi) {
                    grants.push(gi);
                }
                continue;
            }
            if (want.kind)(self.kind(e.to)) && (want.node)(e.to) {
                f(Step { node: e.to, ty: e.ty, certainty: self.certainty(e), via: Via::Edge(e.info) });
            }
        }
        for gi in grants {
            if !want.expand || self.grant_cap(gi) < want.min {
                continue;
            }
            self.grant_members(gi, want, types, &mut |m| {
                if !(want.node)(m) {
                    return;
                }
                let identity = self.has(m, crate::insight::IDENTITY);
                let wanted = |l: Level| ok(crate::perm::level_edge(l, identity));
                for (level, certainty) in self.grant_levels(gi, m, &wanted) {
                    let ty = edge_type(self, level, m);
                    if ok(ty) {
                        f(Step { node: m, ty, certainty, via: Via::Grant { grant: gi, level } });
                    }
                }
            });
        }
    }

    /// Steps into `n` along `types`: `Step::node` is where the edge comes from.
    pub fn steps_in(&self, n: NodeId, types: &[EdgeTy], want: &Want, f: &mut dyn FnMut(Step)) {
        let ok = |t: EdgeTy| types.is_empty() || types.contains(&t);
        for e in self.in_edges(n) {
            if !ok(e.ty) || (e.info != NO_INFO && broad(self, e.info).is_some()) {
                continue;
            }
            if (want.kind)(self.kind(e.to)) && (want.node)(e.to) {
                f(Step { node: e.to, ty: e.ty, certainty: self.certainty(e), via: Via::Edge(e.info) });
            }
        }
        for scope in self.scopes_of(n) {
            let mut seen: Vec<u32> = Vec::new();
            for e in self.in_edges(scope) {
                let Some(gi) = (e.info != NO_INFO).then(|| broad(self, e.info)).flatten() else {
                    continue;
                };
                if seen.contains(&gi) {
                    continue;
                }
                seen.push(gi);
                let from = e.to;
                if !((want.kind)(self.kind(from)) && (want.node)(from)) {
                    continue;
                }
                let identity = self.has(n, crate::insight::IDENTITY);
                let wanted = |l: Level| ok(crate::perm::level_edge(l, identity));
                for (level, certainty) in self.grant_levels(gi, n, &wanted) {
                    let ty = edge_type(self, level, n);
                    if ok(ty) {
                        f(Step { node: from, ty, certainty, via: Via::Grant { grant: gi, level } });
                    }
                }
            }
        }
    }

    /// The explanation of a step: the stored info, or the grant evaluated on its target.
    pub fn step_why(&self, from: NodeId, step: &Step, to: NodeId) -> Option<Why> {
        match step.via {
            Via::Edge(i) => self.infos.get(i as usize).map(|x| x.why.clone()),
            Via::Grant { grant, level } => {
                let target =
                    if self.grants.get(grant as usize).is_some_and(|g| g.principal == from) { to } else { from };
                self.grant_access(grant, target).into_iter().find(|a| a.level == level).map(|a| a.why)
            }
        }
    }
}
