//! Enumerating paths: from every entry (in parallel), a breadth-first walk over the allowed
//! lateral edges up to the definition's depth, taking a final edge into a target wherever one
//! exists. Each (entry, target) pair keeps its shortest path; entries and totals are capped so the
//! work stays linear in the estate.

use super::def::Definition;
use crate::insight;
use crate::model::{ety, EdgeTy, Graph, NO_INFO};
use crate::query::{parse, Compiled, ParseError};
use crate::uids::NodeId;
use crate::walk::{Step, Via, Want};
use posture_permissions::Certainty;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Targets kept per entry (at least; few entries, like the Internet alone, get more).
pub const PER_ENTRY: usize = 20;

/// Nodes a walk from one entry may visit (at least; few entries get more): keeps the search
/// linear when a grant covers a whole account of compute.
pub const MAX_VISITED: usize = 2000;

/// The visits all entries of a definition share when there are few of them.
const VISIT_BUDGET: usize = 4_000_000;

/// One path before ranking: `chain[0]` is the entry (or the Internet), `steps[i]` leads from
/// `chain[i]` to `chain[i + 1]`.
#[derive(Debug, Clone)]
pub struct RawPath {
    pub def: usize,
    pub chain: Vec<NodeId>,
    pub steps: Vec<Step>,
}

pub struct Limits {
    pub min_certainty: Certainty,
    pub max_paths: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum EnumerateError {
    #[error("{def}: {what}: {source}")]
    Query { def: String, what: &'static str, source: ParseError },
    #[error("{def}: unknown edge type `{edge}`")]
    Edge { def: String, edge: String },
}

fn types(g: &Graph, d: &Definition, names: &[String]) -> Result<Vec<EdgeTy>, EnumerateError> {
    names
        .iter()
        .map(|n| g.edge_type_id(n).ok_or_else(|| EnumerateError::Edge { def: d.id.clone(), edge: n.clone() }))
        .collect()
}

/// Whether a node can continue a path: identities and compute.
fn lateral_kind(g: &Graph, kind: &str) -> bool {
    let _ = g;
    insight::is_identity(kind) || insight::is_compute(kind) || kind == "aws.iam.account"
}

/// Every path of definition `di`; the flag says whether the cap was hit.
pub fn enumerate(
    g: &Graph,
    defs: &[Definition],
    di: usize,
    limits: &Limits,
) -> Result<(Vec<RawPath>, bool), EnumerateError> {
    let d = &defs[di];
    let compile = |q: &str, what: &'static str| -> Result<Compiled<'_>, EnumerateError> {
        let ast = parse(q).map_err(|source| EnumerateError::Query { def: d.id.clone(), what, source })?;
        Compiled::new(g, ast).map_err(|source| EnumerateError::Query { def: d.id.clone(), what, source })
    };
    let entry = compile(&d.entry, "entry")?;
    let target = compile(&d.target, "target")?;
    let hops = types(g, d, &d.hops)?;
    let finals = types(g, d, &d.final_edges)?;
    let exposed_enough = |n: NodeId| g.exposure(n).is_some_and(|e| e.certainty >= limits.min_certainty);
    let entries: Vec<NodeId> = g
        .all_nodes()
        .into_par_iter()
        .filter(|n| entry.matches(0, *n) && (!d.from_internet || exposed_enough(*n)))
        .collect();
    let index = g.index_of(&|n| target.matches(0, n));
    let n = entries.len().max(1);
    let walker = Walker {
        g,
        target: &target,
        index: &index,
        per_entry: (limits.max_paths / n).clamp(PER_ENTRY, limits.max_paths.max(PER_ENTRY)),
        max_visited: (VISIT_BUDGET / n).clamp(MAX_VISITED, g.node_count().max(MAX_VISITED)),
        capped: std::sync::atomic::AtomicBool::new(false),
        hops: &hops,
        finals: &finals,
        max_depth: d.max_depth,
        min: limits.min_certainty,
    };
    let mut paths: Vec<RawPath> = entries
        .par_iter()
        .flat_map_iter(|e| walker.from(*e).into_iter().map(move |(chain, steps)| RawPath { def: di, chain, steps }))
        .collect();
    let truncated = paths.len() > limits.max_paths || walker.capped.load(std::sync::atomic::Ordering::Relaxed);
    paths.truncate(limits.max_paths);
    if d.from_internet {
        for p in &mut paths {
            prepend_exposure(g, p);
        }
    }
    Ok((paths, truncated))
}

fn prepend_exposure(g: &Graph, p: &mut RawPath) {
    let entry = p.chain[0];
    let internet = g.internet();
    let Some(e) = g.in_edges(entry).iter().find(|e| e.ty == ety::EXPOSES && e.to == internet) else {
        return;
    };
    let info = if e.info == NO_INFO { NO_INFO } else { e.info };
    let step = Step { node: entry, ty: ety::EXPOSES, certainty: g.certainty(e), via: Via::Edge(info) };
    p.chain.insert(0, internet);
    p.steps.insert(0, step);
}

struct Walker<'a> {
    g: &'a Graph,
    target: &'a Compiled<'a>,
    index: &'a crate::walk::Index,
    per_entry: usize,
    max_visited: usize,
    /// Set when a walk hit its visit cap.
    capped: std::sync::atomic::AtomicBool,
    hops: &'a [EdgeTy],
    finals: &'a [EdgeTy],
    max_depth: u32,
    min: Certainty,
}

impl Walker<'_> {
    /// Shortest paths from `e` to up to `per_entry` targets.
    fn from(&self, e: NodeId) -> Vec<(Vec<NodeId>, Vec<Step>)> {
        let g = self.g;
        let mut parent: FxHashMap<NodeId, (NodeId, Step)> = FxHashMap::default();
        let mut found: FxHashMap<NodeId, (Vec<NodeId>, Vec<Step>)> = FxHashMap::default();
        let mut order: Vec<NodeId> = Vec::new();
        let mut frontier = vec![e];
        let target_kind = |k: &str| self.target.kind_matches(0, k);
        let target_node = |n: NodeId| self.target.matches(0, n);
        let want_target =
            Want { kind: &target_kind, node: &target_node, index: Some(self.index), min: self.min, expand: true };
        let lateral = |k: &str| lateral_kind(g, k);
        let want_lateral = Want { kind: &lateral, node: &|_| true, index: None, min: self.min, expand: true };
        // From a node that already reaches a target (or is an administrator), expanding its
        // account-wide grants only finds longer paths to what it dominates.
        let want_near = Want { kind: &lateral, node: &|_| true, index: None, min: self.min, expand: false };
        for depth in 0..self.max_depth {
            let mut next = Vec::new();
            for &u in &frontier {
                let before = found.len();
                g.steps_out(u, self.finals, &want_target, &mut |s| {
                    if s.certainty < self.min
                        || s.node == e
                        || found.contains_key(&s.node)
                        || found.len() >= self.per_entry
                    {
                        return;
                    }
                    let (mut chain, mut steps) = unwind(&parent, e, u);
                    if chain.contains(&s.node) {
                        return;
                    }
                    chain.push(s.node);
                    steps.push(s);
                    found.insert(s.node, (chain, steps));
                    order.push(s.node);
                });
                if depth + 1 >= self.max_depth {
                    continue;
                }
                let near = found.len() > before || g.has(u, insight::PRIVILEGED);
                g.steps_out(u, self.hops, if near { &want_near } else { &want_lateral }, &mut |s| {
                    if s.certainty < self.min || s.node == e || parent.contains_key(&s.node) {
                        return;
                    }
                    if parent.len() >= self.max_visited {
                        self.capped.store(true, std::sync::atomic::Ordering::Relaxed);
                        return;
                    }
                    parent.insert(s.node, (u, s));
                    next.push(s.node);
                });
            }
            if next.is_empty() || found.len() >= self.per_entry {
                break;
            }
            frontier = next;
        }
        order.into_iter().filter_map(|t| found.remove(&t)).collect()
    }
}

/// The chain from `start` to `end` through `parent` links, with the steps between.
fn unwind(parent: &FxHashMap<NodeId, (NodeId, Step)>, start: NodeId, end: NodeId) -> (Vec<NodeId>, Vec<Step>) {
    let mut chain = vec![end];
    let mut steps = Vec::new();
    let mut cur = end;
    while cur != start {
        let Some((p, s)) = parent.get(&cur) else {
            break;
        };
        steps.push(*s);
        chain.push(*p);
        cur = *p;
    }
    chain.reverse();
    steps.reverse();
    (chain, steps)
}
