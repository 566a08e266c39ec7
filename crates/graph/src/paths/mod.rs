//! Attack paths (DESIGN §5): enumerated from entry points to targets per the definitions in
//! `graph/paths/`, ranked by risk, grouped by category, with the choke points many paths share
//! and, for each path, the cheapest edge to cut.

mod def;
mod enumerate;

pub use def::{definitions, parse_definition, Category, Definition, DefinitionError};
pub use enumerate::{EnumerateError, Limits, RawPath, PER_ENTRY};

use crate::insight;
use crate::model::{ety, Graph, Why, Width};
use crate::query::{node_out, NodeOut};
use crate::text::{node_label, step_text};
use crate::uids::NodeId;
use crate::walk::Step;
use posture_model::Severity;
use posture_permissions::Certainty;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::fmt::Write as _;

pub struct Options {
    pub min_certainty: Certainty,
    /// Paths kept per definition.
    pub max_paths: usize,
    /// Also count the paths hidden by `min_certainty` (a second, wider enumeration).
    pub count_hidden: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { min_certainty: Certainty::Conditional, max_paths: 20_000, count_hidden: false }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepOut {
    pub from: String,
    pub to: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub certainty: Certainty,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    /// Index into the path's steps of the edge to cut.
    pub step: usize,
    pub text: String,
    /// How many of the reported paths cutting this edge breaks.
    pub breaks: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Path {
    pub id: String,
    pub definition: String,
    pub title: String,
    pub category: Category,
    pub risk: f32,
    pub severity: Severity,
    pub certainty: Certainty,
    pub entry: NodeOut,
    pub target: NodeOut,
    pub steps: Vec<StepOut>,
    pub fix: Fix,
    #[serde(skip)]
    pub raw: RawPath,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChokePoint {
    pub node: NodeOut,
    pub paths: usize,
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub paths: Vec<Path>,
    pub choke_points: Vec<ChokePoint>,
    /// Definitions whose path cap was hit.
    pub truncated: Vec<String>,
    /// Paths left out because they depend on data that was not collected.
    pub hidden_unknown: usize,
}

/// Finds, ranks and explains every path of `defs`.
pub fn find(g: &Graph, defs: &[Definition], opts: &Options) -> Result<Report, EnumerateError> {
    let limits = Limits { min_certainty: opts.min_certainty, max_paths: opts.max_paths };
    let mut raws = Vec::new();
    let mut truncated = Vec::new();
    for i in 0..defs.len() {
        let (p, cut) = enumerate::enumerate(g, defs, i, &limits)?;
        if cut {
            truncated.push(defs[i].id.clone());
        }
        raws.extend(p);
    }
    let hidden_unknown =
        if opts.count_hidden && opts.min_certainty > Certainty::Unknown { hidden(g, defs, opts, &raws)? } else { 0 };
    let edge_use = edge_usage(&raws);
    let mut paths: Vec<Path> = raws.into_iter().map(|r| path(g, defs, r, &edge_use)).collect();
    paths.sort_by(|a, b| {
        b.risk.total_cmp(&a.risk).then_with(|| a.raw.steps.len().cmp(&b.raw.steps.len())).then_with(|| a.id.cmp(&b.id))
    });
    paths.dedup_by(|a, b| a.id == b.id);
    let choke_points = choke_points(g, &paths);
    Ok(Report { paths, choke_points, truncated, hidden_unknown })
}

fn hidden(g: &Graph, defs: &[Definition], opts: &Options, shown: &[RawPath]) -> Result<usize, EnumerateError> {
    let known: FxHashSet<(usize, NodeId, NodeId)> = shown.iter().map(|r| (r.def, first_real(r), last(r))).collect();
    let limits = Limits { min_certainty: Certainty::Unknown, max_paths: opts.max_paths };
    let mut n = 0;
    for i in 0..defs.len() {
        let (p, _) = enumerate::enumerate(g, defs, i, &limits)?;
        n += p.iter().filter(|r| !known.contains(&(r.def, first_real(r), last(r)))).count();
    }
    Ok(n)
}

fn first_real(r: &RawPath) -> NodeId {
    if r.steps.first().is_some_and(|s| s.ty == ety::EXPOSES) {
        r.chain.get(1).copied().unwrap_or(0)
    } else {
        r.chain[0]
    }
}

fn last(r: &RawPath) -> NodeId {
    *r.chain.last().unwrap_or(&0)
}

type EdgeKey = (NodeId, NodeId, u16);

fn edge_usage(raws: &[RawPath]) -> FxHashMap<EdgeKey, usize> {
    let mut m = FxHashMap::default();
    for r in raws {
        for (i, s) in r.steps.iter().enumerate() {
            *m.entry((r.chain[i], s.node, s.ty)).or_insert(0) += 1;
        }
    }
    m
}

/// A stable id from the definition and the chain of uids.
fn path_id(g: &Graph, def: &str, chain: &[NodeId]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: &[u8]| {
        for x in b {
            h ^= *x as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(def.as_bytes());
    for n in chain {
        eat(&[0]);
        eat(g.uid(*n).as_bytes());
    }
    format!("AP-{:08x}", (h ^ (h >> 32)) as u32)
}

fn path(g: &Graph, defs: &[Definition], r: RawPath, use_count: &FxHashMap<EdgeKey, usize>) -> Path {
    let d = &defs[r.def];
    let certainty = r.steps.iter().map(|s| s.certainty).min().unwrap_or(Certainty::Certain);
    let (risk, severity) = score(g, d, &r, certainty);
    let steps: Vec<StepOut> = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepOut {
            from: g.uid(r.chain[i]).to_string(),
            to: g.uid(s.node).to_string(),
            ty: g.edge_type(s.ty).to_string(),
            certainty: s.certainty,
            why: step_text(g, r.chain[i], s),
        })
        .collect();
    let fix = fix(g, &r, use_count);
    Path {
        id: path_id(g, &d.id, &r.chain),
        definition: d.id.clone(),
        title: d.title.clone(),
        category: d.category,
        risk,
        severity,
        certainty,
        entry: node_out(g, first_real(&r)),
        target: node_out(g, last(&r)),
        steps,
        fix,
        raw: r,
    }
}

/// Risk from 0 to 10: the definition's severity, moved by exposure width, target sensitivity,
/// findings on the way, missing MFA, path length and certainty.
fn score(g: &Graph, d: &Definition, r: &RawPath, certainty: Certainty) -> (f32, Severity) {
    let mut s: f32 = match d.severity {
        Severity::Critical => 9.0,
        Severity::High => 7.0,
        Severity::Medium => 5.0,
        Severity::Low => 3.0,
        Severity::Informational => 1.0,
    };
    let exposed = r.steps.first().is_some_and(|x| x.ty == ety::EXPOSES);
    if exposed {
        s += match g.exposure(first_real(r)).map(|e| e.width) {
            Some(Width::Any) => 1.0,
            Some(Width::Wide) => 0.5,
            _ => -1.0,
        };
    }
    let target = last(r);
    if g.has(target, insight::SENSITIVE) {
        s += 0.5;
    }
    if g.has(first_real(r), insight::LACKS_MFA) {
        s += 0.5;
    }
    s += match r.chain.iter().filter_map(|n| g.max_severity(*n)).max() {
        Some(Severity::Critical) => 1.0,
        Some(Severity::High) => 0.5,
        _ => 0.0,
    };
    let lateral = r.steps.len().saturating_sub(if exposed { 2 } else { 1 });
    s -= 0.25 * lateral.saturating_sub(1) as f32;
    s -= match certainty {
        Certainty::Certain => 0.0,
        Certainty::Conditional => 1.0,
        Certainty::Unknown => 2.5,
    };
    let s = (s.clamp(0.0, 10.0) * 10.0).round() / 10.0;
    let sev = match s {
        x if x >= 9.0 => Severity::Critical,
        x if x >= 7.0 => Severity::High,
        x if x >= 4.0 => Severity::Medium,
        x if x > 0.0 => Severity::Low,
        _ => Severity::Informational,
    };
    (s, sev)
}

/// The cheapest edge to cut (shared edges are cheaper: one change breaks more paths).
fn fix(g: &Graph, r: &RawPath, use_count: &FxHashMap<EdgeKey, usize>) -> Fix {
    let mut best: Option<(f32, usize, String, usize)> = None;
    for (i, s) in r.steps.iter().enumerate() {
        let from = r.chain[i];
        let (cost, text) = cut(g, from, s);
        let shared = use_count.get(&(from, s.node, s.ty)).copied().unwrap_or(1);
        let score = cost - 0.05 * (shared.min(20) as f32 - 1.0);
        if best.as_ref().is_none_or(|b| score < b.0) {
            best = Some((score, i, text, shared));
        }
    }
    let (_, step, text, breaks) = best.unwrap_or((0.0, 0, String::new(), 0));
    Fix { step, text, breaks }
}

/// What cutting one edge means and roughly what it costs (1 = a rule change, 5 = re-architecture).
fn cut(g: &Graph, from: NodeId, s: &Step) -> (f32, String) {
    let to = s.node;
    let why = g.step_why(from, s, to);
    match why {
        Some(Why::Exposure(e)) => (1.0, exposure_fix(g, to, &e)),
        Some(Why::Policy { actions, cites, .. }) => match cites.first() {
            Some(c) => {
                let managed = c.what.starts_with("managed policy") && g.uid(c.node).contains(":aws:policy/");
                let verb = if managed { "detach" } else { "remove or scope" };
                (
                    if managed { 3.0 } else { 2.0 },
                    format!(
                        "{verb} {} in {} statement {} (it allows {})",
                        actions.join(", "),
                        c.what,
                        c.statement,
                        g.name(to)
                    ),
                )
            }
            None => {
                (3.0, format!("remove the permission {} of {} on {}", actions.join(", "), g.name(from), g.name(to)))
            }
        },
        Some(Why::Escalation { method, .. }) => (2.0, format!("{}: {}", g.name(from), method.remedy())),
        Some(Why::Binding { binding, role, .. }) => {
            (2.0, format!("remove or narrow the {role} binding {} for {}", g.name(binding), g.name(from)))
        }
        Some(Why::Identity(how)) => {
            (4.0, format!("give {} a less privileged identity than {} ({how})", g.name(from), g.name(to)))
        }
        Some(Why::Note(n)) => (3.0, format!("review: {n}")),
        Some(Why::Broad(_)) | None => {
            (5.0, format!("break the {} relation from {} to {}", g.edge_type(s.ty), g.name(from), g.name(to)))
        }
    }
}

/// How to stop an exposure, by what exposes it: the internet-facing front end if there is one
/// (an ingress before the service it routes to), else the rules.
fn exposure_fix(g: &Graph, to: NodeId, e: &crate::model::Exposure) -> String {
    let ports: Vec<String> = e.ports.iter().map(|p| p.to_string()).collect();
    let ports = ports.join(", ");
    let front = e.via.iter().find(|v| !g.has(**v, insight::NETWORK));
    if let Some(f) = front {
        let name = g.name(*f);
        return match g.kind(*f) {
            "k8s.core.service" => format!(
                "make service {name} internal (ClusterIP or an internal load balancer) or set loadBalancerSourceRanges"
            ),
            "k8s.networking.ingress" => {
                format!("make ingress {name} internal or require authentication in front of it")
            }
            k if k.contains("load_balancer") => {
                format!("make load balancer {name} internal or restrict its security groups to known sources ({ports})")
            }
            _ => format!("stop {name} from forwarding internet traffic to {} ({ports})", g.name(to)),
        };
    }
    let rules: Vec<&str> = e.via.iter().map(|v| g.name(*v)).collect();
    if rules.is_empty() {
        format!(
            "stop exposing {} to the internet ({ports}; {})",
            g.name(to),
            e.steps.first().cloned().unwrap_or_default()
        )
    } else {
        format!(
            "remove the internet rules for {ports} from {} (or remove the public address of {})",
            rules.join(", "),
            g.name(to)
        )
    }
}

fn choke_points(g: &Graph, paths: &[Path]) -> Vec<ChokePoint> {
    let mut count: FxHashMap<NodeId, (usize, Vec<Category>)> = FxHashMap::default();
    for p in paths {
        let chain = &p.raw.chain;
        let skip = if p.raw.steps.first().is_some_and(|s| s.ty == ety::EXPOSES) { 2 } else { 1 };
        let inner = chain.len().saturating_sub(1);
        for n in chain.iter().take(inner).skip(skip) {
            let e = count.entry(*n).or_default();
            e.0 += 1;
            if !e.1.contains(&p.category) {
                e.1.push(p.category);
            }
        }
    }
    let mut out: Vec<ChokePoint> = count
        .into_iter()
        .filter(|(_, (c, _))| *c >= 2)
        .map(|(n, (c, mut cats))| {
            cats.sort();
            ChokePoint { node: node_out(g, n), paths: c, categories: cats }
        })
        .collect();
    out.sort_by(|a, b| b.paths.cmp(&a.paths).then_with(|| a.node.uid.cmp(&b.node.uid)));
    out.truncate(10);
    out
}

/// A path step by step: the resources, their findings and insights, the permissions and network
/// rules involved, and the fix that breaks it.
pub fn explain(g: &Graph, p: &Path) -> String {
    let mut s = String::new();
    let _ =
        writeln!(s, "{}  {} risk {:.1}  {}  certainty {}", p.id, p.severity, p.risk, p.category.title(), p.certainty);
    let _ = writeln!(s, "{}", p.title);
    for (i, n) in p.raw.chain.iter().enumerate() {
        let _ = writeln!(s, "\n{}. {}", i + 1, node_label(g, *n));
        if !g.has(*n, insight::VIRTUAL) {
            let _ = writeln!(s, "   uid: {}", g.uid(*n));
            if !g.account(*n).is_empty() {
                let _ = writeln!(s, "   account: {}", g.account(*n));
            }
        }
        let shown: Vec<&str> = insight::names(g.node(*n).flags)
            .into_iter()
            .filter(|x| {
                !matches!(
                    *x,
                    "identity"
                        | "compute"
                        | "data_store"
                        | "virtual"
                        | "network"
                        | "scope"
                        | "key_store"
                        | "stores_credentials"
                )
            })
            .collect();
        if !shown.is_empty() {
            let _ = writeln!(s, "   insights: {}", shown.join(", "));
        }
        for f in g.findings(*n).take(5) {
            let _ = writeln!(s, "   finding: {} {} {}", f.severity, g.sym(f.rule), g.sym(f.title));
        }
        if let Some(step) = p.raw.steps.get(i) {
            let mark = if p.fix.step == i { "  <- cut here" } else { "" };
            let _ =
                writeln!(s, "   --{}--> [{}] {}{mark}", g.edge_type(step.ty), step.certainty, step_text(g, *n, step));
        }
    }
    let _ = writeln!(s, "\nFix: {}", p.fix.text);
    if p.fix.breaks > 1 {
        let _ = writeln!(s, "     (the same edge is on {} of the paths found)", p.fix.breaks);
    }
    s
}
