//! Running a query: start nodes are filtered in parallel, then each is extended hop by hop
//! (depth first, bounded by the row limit); repeated hops search breadth first for the shortest
//! chain.

use super::fields::{check_edge_field, check_node_field, compare, edge_field, node_field, truthy};
use super::parser::{Ast, Dir, Expr};
use super::ParseError;
use crate::model::{ety, EdgeTy, Graph};
use crate::uids::NodeId;
use crate::walk::{Index, Step, Want};
use posture_permissions::wildcard::Pattern;
use posture_permissions::Certainty;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// A query checked against a graph's edge types.
pub struct Compiled<'g> {
    g: &'g Graph,
    ast: Ast,
    kinds: Vec<Option<Pattern>>,
    types: Vec<Vec<EdgeTy>>,
    /// For steps after the first with conditions: the matching nodes, built on first run.
    indexes: std::sync::OnceLock<Vec<Option<Index>>>,
}

/// One match: the full chain of nodes and steps, and which chain positions are the query's steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub chain: Vec<NodeId>,
    /// `steps[i]` goes from `chain[i]` to `chain[i + 1]` (for incoming hops, against the edge).
    pub steps: Vec<Step>,
    pub marks: Vec<usize>,
}

impl Row {
    pub fn certainty(&self) -> Certainty {
        self.steps.iter().map(|s| s.certainty).min().unwrap_or(Certainty::Certain)
    }
}

pub struct Outcome {
    pub rows: Vec<Row>,
    /// More rows exist than the limit.
    pub truncated: bool,
}

fn check(e: &Expr, edge: bool) -> Result<(), ParseError> {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            check(a, edge)?;
            check(b, edge)
        }
        Expr::Not(a) => check(a, edge),
        Expr::Test { field, col, .. } => {
            let r = if edge { check_edge_field(field) } else { check_node_field(field) };
            r.map_err(|message| ParseError { col: *col, message })
        }
    }
}

impl<'g> Compiled<'g> {
    pub fn new(g: &'g Graph, ast: Ast) -> Result<Compiled<'g>, ParseError> {
        for s in &ast.steps {
            if let Some(c) = &s.cond {
                check(c, false)?;
            }
        }
        let mut types = Vec::new();
        for h in &ast.hops {
            if let Some(c) = &h.cond {
                check(c, true)?;
            }
            let mut ids = Vec::new();
            for (name, col) in &h.types {
                match g.edge_type_id(name) {
                    Some(t) => ids.push(t),
                    None => {
                        let known: Vec<&str> = g.edge_types().collect();
                        return Err(ParseError {
                            col: *col,
                            message: format!("unknown edge type `{name}`; this estate has: {}", known.join(", ")),
                        });
                    }
                }
            }
            types.push(ids);
        }
        let kinds = ast.steps.iter().map(|s| (s.kind != "*").then(|| Pattern::new(&s.kind))).collect();
        Ok(Compiled { g, ast, kinds, types, indexes: std::sync::OnceLock::new() })
    }

    /// Whether node `n` satisfies step `i` (kind and conditions).
    pub fn matches(&self, i: usize, n: NodeId) -> bool {
        self.node_ok(i, n)
    }

    /// Whether a node of `kind` could satisfy step `i`.
    pub fn kind_matches(&self, i: usize, kind: &str) -> bool {
        self.kind_ok(i, kind)
    }

    fn kind_ok(&self, i: usize, kind: &str) -> bool {
        self.kinds[i].as_ref().is_none_or(|p| p.matches(kind))
    }

    fn node_ok(&self, i: usize, n: NodeId) -> bool {
        self.kind_ok(i, self.g.kind(n)) && self.ast.steps[i].cond.as_ref().is_none_or(|c| self.eval_node(c, n))
    }

    fn eval_node(&self, e: &Expr, n: NodeId) -> bool {
        match e {
            Expr::And(a, b) => self.eval_node(a, n) && self.eval_node(b, n),
            Expr::Or(a, b) => self.eval_node(a, n) || self.eval_node(b, n),
            Expr::Not(a) => !self.eval_node(a, n),
            Expr::Test { field, op, .. } => {
                let v = node_field(self.g, n, field);
                match op {
                    None => truthy(&v),
                    Some((op, lit)) => compare(&v, *op, lit),
                }
            }
        }
    }

    fn eval_edge(&self, e: &Expr, from: NodeId, s: &Step) -> bool {
        match e {
            Expr::And(a, b) => self.eval_edge(a, from, s) && self.eval_edge(b, from, s),
            Expr::Or(a, b) => self.eval_edge(a, from, s) || self.eval_edge(b, from, s),
            Expr::Not(a) => !self.eval_edge(a, from, s),
            Expr::Test { field, op, .. } => {
                let v = edge_field(self.g, from, s, field);
                match op {
                    None => truthy(&v),
                    Some((op, lit)) => compare(&v, *op, lit),
                }
            }
        }
    }

    /// Steps of hop `h` from `n`, into nodes `want` accepts.
    fn hop_steps(&self, h: usize, n: NodeId, want: &Want, f: &mut dyn FnMut(Step)) {
        let hop = &self.ast.hops[h];
        let mut filtered = |s: Step| {
            if hop.cond.as_ref().is_none_or(|c| self.eval_edge(c, n, &s)) {
                f(s)
            }
        };
        match hop.dir {
            Dir::Out => self.g.steps_out(n, &self.types[h], want, &mut filtered),
            Dir::In => self.g.steps_in(n, &self.types[h], want, &mut filtered),
        }
    }

    /// Every match, at most `limit` rows.
    pub fn run(&self, limit: usize) -> Outcome {
        let starts: Vec<NodeId> = self.g.all_nodes().into_par_iter().filter(|n| self.node_ok(0, *n)).collect();
        let mut rows = Vec::new();
        let mut seen = FxHashSet::default();
        let mut truncated = false;
        for s in starts {
            let mut row = Row { chain: vec![s], steps: Vec::new(), marks: vec![0] };
            if !self.extend(&mut row, 0, limit, &mut rows, &mut seen) {
                truncated = true;
                break;
            }
        }
        Outcome { rows, truncated }
    }

    /// Extends `row` from hop `h`; false when the limit is hit.
    fn extend(
        &self,
        row: &mut Row,
        h: usize,
        limit: usize,
        rows: &mut Vec<Row>,
        seen: &mut FxHashSet<Vec<NodeId>>,
    ) -> bool {
        if h == self.ast.hops.len() {
            let key: Vec<NodeId> = row.marks.iter().map(|m| row.chain[*m]).collect();
            if seen.insert(key) {
                if rows.len() >= limit {
                    return false;
                }
                rows.push(row.clone());
            }
            return true;
        }
        let here = *row.chain.last().unwrap_or(&0);
        for (chain, steps) in self.reach(h, here) {
            if chain.iter().any(|n| row.chain.contains(n)) {
                continue;
            }
            let (len_c, len_s) = (row.chain.len(), row.steps.len());
            row.chain.extend(&chain);
            row.steps.extend(steps);
            row.marks.push(row.chain.len() - 1);
            let ok = self.extend(row, h + 1, limit, rows, seen);
            row.marks.pop();
            row.chain.truncate(len_c);
            row.steps.truncate(len_s);
            if !ok {
                return false;
            }
        }
        true
    }

    /// The ways hop `h` leads from `n` to a node of step `h + 1`: (chain after n, steps).
    fn reach(&self, h: usize, n: NodeId) -> Vec<(Vec<NodeId>, Vec<Step>)> {
        let hop = &self.ast.hops[h];
        let next = h + 1;
        if hop.min == 1 && hop.max == 1 {
            let kind = |k: &str| self.kind_ok(next, k);
            let node = |m: NodeId| self.node_ok(next, m);
            let want =
                Want { kind: &kind, node: &node, index: self.index(next), min: Certainty::Unknown, expand: true };
            let mut out = Vec::new();
            self.hop_steps(h, n, &want, &mut |s| out.push((vec![s.node], vec![s])));
            if self.through_identity(h) && self.g.has(n, crate::insight::COMPUTE) {
                // Compute acts with its identity's permissions: `instance -can_read-> bucket`.
                let mut ids = Vec::new();
                self.g.steps_out(n, &[ety::CAN_AUTHENTICATE_AS], &Want::any(), &mut |s| ids.push(s));
                for id in ids {
                    self.hop_steps(h, id.node, &want, &mut |s| out.push((vec![id.node, s.node], vec![id, s])));
                }
            }
            return out;
        }
        self.reach_repeated(h, n)
    }

    /// The index of step `i`'s nodes, when it has conditions (a selective step).
    fn index(&self, i: usize) -> Option<&Index> {
        let all = self.indexes.get_or_init(|| {
            (0..self.ast.steps.len())
                .map(|s| (s > 0 && self.ast.steps[s].cond.is_some()).then(|| self.g.index_of(&|n| self.node_ok(s, n))))
                .collect()
        });
        all.get(i).and_then(Option::as_ref)
    }

    /// Whether hop `h` asks only for permissions, outwards: compute then answers for its identity.
    fn through_identity(&self, h: usize) -> bool {
        let t = &self.types[h];
        self.ast.hops[h].dir == Dir::Out && !t.is_empty() && t.iter().all(|x| ety::PERMISSIONS.contains(x))
    }

    /// Breadth-first over repeated hops: the shortest chain to each qualifying node.
    fn reach_repeated(&self, h: usize, n: NodeId) -> Vec<(Vec<NodeId>, Vec<Step>)> {
        let hop = &self.ast.hops[h];
        let mut out = Vec::new();
        if hop.min == 0 && self.node_ok(h + 1, n) {
            out.push((Vec::new(), Vec::new()));
        }
        let mut parent: FxHashMap<NodeId, (NodeId, Step)> = FxHashMap::default();
        let mut frontier = vec![n];
        let mut visited: FxHashSet<NodeId> = FxHashSet::from_iter([n]);
        for depth in 1..=hop.max {
            let mut next = Vec::new();
            for &u in &frontier {
                self.hop_steps(h, u, &Want::any(), &mut |s| {
                    if visited.insert(s.node) {
                        parent.insert(s.node, (u, s));
                        next.push(s.node);
                    }
                });
            }
            if depth >= hop.min {
                for &m in &next {
                    if self.node_ok(h + 1, m) {
                        out.push(unwind(&parent, n, m));
                    }
                }
            }
            frontier = next;
            if frontier.is_empty() {
                break;
            }
        }
        out
    }
}

fn unwind(parent: &FxHashMap<NodeId, (NodeId, Step)>, start: NodeId, end: NodeId) -> (Vec<NodeId>, Vec<Step>) {
    let mut chain = vec![end];
    let mut steps = Vec::new();
    let mut cur = end;
    while cur != start {
        let Some((p, s)) = parent.get(&cur) else {
            break;
        };
        steps.push(*s);
        cur = *p;
        if cur != start {
            chain.push(cur);
        }
    }
    chain.reverse();
    steps.reverse();
    (chain, steps)
}
