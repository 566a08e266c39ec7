//! Building a graph: resources are reduced to what the graph needs on worker threads
//! ([`extract`]), interned one after another ([`GraphBuilder::push`]), and the derived edges and
//! insights are computed once every resource is in ([`GraphBuilder::finish`]).

use crate::insight::{self, EXTERNAL};
use crate::intern::{Interner, Sym};
use crate::model::{ety, Adjacency, Edge, FindingRec, Graph, Node, StrArena, NO_INFO};
use crate::uids::{NodeId, UidIndex};
use crate::{aws, azure, common, gcp, k8s, BuildStats};
use posture_model::{Resource, Severity};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::time::Instant;

/// What the graph keeps besides ids, kinds, names, tags and edges.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Attribute paths to keep for queries, without the `attrs.` prefix (`publicly_accessible`,
    /// `encryption.sse_algorithm`). Everything else is dropped after extraction.
    pub attr_paths: Vec<String>,
}

/// Provider-specific facts a resource contributes to derived edges.
pub(crate) enum Part {
    Aws(aws::Part),
    Azure(azure::Part),
    Gcp(gcp::Part),
    K8s(k8s::Part),
}

/// One resource reduced to what the graph keeps.
pub(crate) struct Extracted {
    uid: String,
    kind: String,
    account: String,
    region: String,
    name: String,
    tags: Vec<(String, String)>,
    relations: Vec<(String, String)>,
    attrs: Vec<(usize, Value)>,
    flags: u32,
    parts: Vec<Part>,
}

fn project(attrs: &serde_json::Map<String, Value>, path: &[String]) -> Option<Value> {
    let (first, rest) = path.split_first()?;
    let mut v = attrs.get(first)?;
    for seg in rest {
        v = v.get(seg)?;
    }
    Some(v.clone())
}

/// Reduces one resource; pure, so it runs on worker threads.
pub(crate) fn extract(r: Resource, paths: &[Vec<String>]) -> Extracted {
    let mut parts = Vec::new();
    let mut flags = insight::kind_flags(&r.kind);
    if r.tags.iter().any(|(k, v)| insight::sensitive_tag(k, v)) {
        flags |= insight::SENSITIVE.0;
    }
    match r.provider.as_str() {
        "aws" => flags |= aws::extract(&r, &mut parts),
        "azure" => azure::extract(&r, &mut parts),
        "gcp" => gcp::extract(&r, &mut parts),
        "k8s" => k8s::extract(&r, &mut parts),
        _ => {}
    }
    let attrs = paths.iter().enumerate().filter_map(|(i, p)| project(&r.attrs, p).map(|v| (i, v))).collect();
    Extracted {
        relations: r.relations.into_iter().map(|x| (x.rel, x.target)).collect(),
        tags: r.tags.into_iter().collect(),
        uid: r.uid,
        kind: r.kind,
        account: r.account,
        region: r.region.unwrap_or_default(),
        name: r.name,
        attrs,
        flags,
        parts,
    }
}

/// Where extracted resources are interned (the sequential half of a build).
struct Sink {
    g: Graph,
    path_syms: Vec<Sym>,
    tag_list: Vec<(NodeId, Sym, Sym)>,
    parts: Vec<(NodeId, Part)>,
    resources: u64,
}

/// Accumulates resources and findings; [`GraphBuilder::finish`] derives everything else.
pub struct GraphBuilder {
    sink: Sink,
    paths: Vec<Vec<String>>,
    /// The last batch, extracted and waiting to be interned while the next is extracted.
    queued: Vec<Extracted>,
    findings: Vec<(NodeId, FindingRec)>,
    started: Instant,
}

impl GraphBuilder {
    pub fn new(opts: &Options) -> GraphBuilder {
        let mut syms = Interner::default();
        syms.intern("");
        let mut edge_types = Interner::default();
        for (name, _) in ety::DERIVED {
            edge_types.intern(name);
        }
        let paths: Vec<Vec<String>> =
            opts.attr_paths.iter().map(|p| p.split('.').map(str::to_string).collect()).collect();
        let path_syms = opts.attr_paths.iter().map(|p| syms.intern(p)).collect();
        GraphBuilder {
            sink: Sink {
                g: Graph {
                    uids: UidIndex::default(),
                    nodes: Vec::new(),
                    names: StrArena::default(),
                    name_idx: Vec::new(),
                    syms,
                    edge_types,
                    tag_start: Vec::new(),
                    tags: Vec::new(),
                    attrs: FxHashMap::default(),
                    out: Adjacency::default(),
                    inc: Adjacency::default(),
                    infos: Vec::new(),
                    exposures: FxHashMap::default(),
                    findings: Vec::new(),
                    finding_start: Vec::new(),
                    finding_idx: Vec::new(),
                    grants: Vec::new(),
                    perms: Default::default(),
                    members: FxHashMap::default(),
                    account_scope: FxHashMap::default(),
                    internet: 0,
                    pending: Vec::new(),
                    stats: BuildStats::default(),
                },
                path_syms,
                tag_list: Vec::new(),
                parts: Vec::new(),
                resources: 0,
            },
            paths,
            queued: Vec::new(),
            findings: Vec::new(),
            started: Instant::now(),
        }
    }

    /// Adds one resource.
    pub fn add(&mut self, r: Resource) {
        self.flush();
        let x = extract(r, &self.paths);
        self.sink.push(x);
    }

    /// Adds many resources: this batch is extracted in parallel while the previous one is
    /// interned.
    pub fn add_batch(&mut self, batch: Vec<Resource>) {
        let prev = std::mem::take(&mut self.queued);
        let (paths, sink) = (&self.paths, &mut self.sink);
        let (xs, ()) = rayon::join(
            || batch.into_par_iter().map(|r| extract(r, paths)).collect::<Vec<Extracted>>(),
            || prev.into_iter().for_each(|x| sink.push(x)),
        );
        self.queued = xs;
    }

    fn flush(&mut self) {
        for x in std::mem::take(&mut self.queued) {
            self.sink.push(x);
        }
    }
}

impl Sink {
    fn node(&mut self, uid: &str) -> NodeId {
        let (id, new) = self.g.uids.intern(uid);
        if new {
            self.g.nodes.push(Node { kind: 0, account: 0, region: 0, flags: EXTERNAL.0 });
            self.g.name_idx.push(u32::MAX);
        }
        id
    }

    pub(crate) fn push(&mut self, x: Extracted) {
        self.resources += 1;
        let id = self.node(&x.uid);
        let g = &mut self.g;
        let node = Node {
            kind: g.syms.intern(&x.kind),
            account: g.syms.intern(&x.account),
            region: g.syms.intern(&x.region),
            flags: x.flags,
        };
        g.nodes[id as usize] = node;
        g.name_idx[id as usize] = if x.name.is_empty() { u32::MAX } else { g.names.push(&x.name) };
        for (k, v) in &x.tags {
            let (k, v) = (g.syms.intern(k), g.syms.intern(v));
            self.tag_list.push((id, k, v));
        }
        for (i, v) in x.attrs {
            g.attrs.insert((id, self.path_syms[i]), v);
        }
        for (rel, target) in &x.relations {
            let ty = self.g.edge_types.intern(rel) as u16;
            let to = self.node(target);
            if to != id {
                self.g.pending.push((id, Edge { to, ty, info: NO_INFO }));
            }
        }
        self.parts.extend(x.parts.into_iter().map(|p| (id, p)));
    }
}

impl GraphBuilder {
    /// Records an open finding on `uid` (ignored when the resource is not in the graph).
    pub fn add_finding(&mut self, uid: &str, rule_id: &str, severity: Severity, title: &str) {
        self.flush();
        let g = &mut self.sink.g;
        let Some(n) = g.uids.get(uid) else { return };
        let rec = FindingRec { rule: g.syms.intern(rule_id), title: g.syms.intern(title), severity };
        self.findings.push((n, rec));
    }

    pub fn resources(&self) -> u64 {
        self.sink.resources + self.queued.len() as u64
    }

    /// Derives every edge and insight and seals the graph.
    pub fn finish(mut self) -> Graph {
        self.flush();
        let ingest = self.started.elapsed();
        let t = Instant::now();
        self.index_tags();
        self.sink.g.uids.sort();
        self.index_members();
        self.sink.g.internet =
            self.sink.g.virtual_node(crate::INTERNET_UID, "posture.virtual.internet", "Internet (anyone)", "", 0);
        self.index_findings();
        let mut by = Providers::default();
        for (n, p) in std::mem::take(&mut self.sink.parts) {
            match p {
                Part::Aws(p) => by.aws.push((n, p)),
                Part::Azure(p) => by.azure.push((n, p)),
                Part::Gcp(p) => by.gcp.push((n, p)),
                Part::K8s(p) => by.k8s.push((n, p)),
            }
        }
        let g = &mut self.sink.g;
        let rels = common::RelIndex::new(g);
        let t_perm = Instant::now();
        aws::derive(g, by.aws, &rels);
        azure::derive(g, by.azure, &rels);
        gcp::derive(g, by.gcp, &rels);
        k8s::derive(g, by.k8s, &rels);
        let perm = t_perm.elapsed();
        common::derive(g, &rels);
        crate::exposure::edges(g);
        common::final_flags(g);
        g.seal();
        g.stats = BuildStats {
            resources: self.sink.resources,
            nodes: g.nodes.len() as u64,
            edges: g.out.edges.len() as u64,
            derived_edges: g.infos.len() as u64,
            grants: g.grants.len() as u64,
            ingest,
            derive: t.elapsed(),
            permissions: perm,
        };
        self.sink.g
    }

    fn index_tags(&mut self) {
        let mut list = std::mem::take(&mut self.sink.tag_list);
        list.sort_unstable();
        list.dedup();
        let n = self.sink.g.nodes.len();
        let mut start = vec![0u32; n + 1];
        for (id, _, _) in &list {
            start[*id as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        self.sink.g.tag_start = start;
        self.sink.g.tags = list.into_iter().map(|(_, k, v)| (k, v)).collect();
    }

    fn index_members(&mut self) {
        let g = &mut self.sink.g;
        for (i, node) in g.nodes.iter().enumerate() {
            if node.flags & EXTERNAL.0 == 0 {
                g.members.entry((node.account, node.kind)).or_default().push(i as NodeId);
            }
        }
    }

    fn index_findings(&mut self) {
        let g = &mut self.sink.g;
        let mut list = std::mem::take(&mut self.findings);
        list.sort_unstable_by_key(|(n, f)| (*n, std::cmp::Reverse(f.severity), f.rule));
        let n = g.nodes.len();
        let mut start = vec![0u32; n + 1];
        for (id, f) in &list {
            start[*id as usize + 1] += 1;
            let bit = match f.severity {
                Severity::Critical => insight::CRITICAL_FINDINGS.0 | insight::HIGH_FINDINGS.0,
                Severity::High => insight::HIGH_FINDINGS.0,
                _ => 0,
            };
            g.nodes[*id as usize].flags |= bit;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        g.finding_start = start;
        g.finding_idx = (0..list.len() as u32).collect();
        g.findings = list.into_iter().map(|(_, f)| f).collect();
    }
}

#[derive(Default)]
struct Providers {
    aws: Vec<(NodeId, aws::Part)>,
    azure: Vec<(NodeId, azure::Part)>,
    gcp: Vec<(NodeId, gcp::Part)>,
    k8s: Vec<(NodeId, k8s::Part)>,
}
