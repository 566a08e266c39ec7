//! Derived edges that follow from relations alone, on every provider: compute acting as its
//! identity, front ends routing traffic to back ends.

use crate::insight;
use crate::model::{ety, EdgeInfo, EdgeTy, Graph, Why, NO_INFO};
use crate::uids::NodeId;
use posture_permissions::Certainty;

/// The relations of the estate, by source and type (a sorted snapshot of the relation edges).
pub(crate) struct RelIndex {
    list: Vec<(NodeId, EdgeTy, NodeId)>,
}

impl RelIndex {
    pub fn new(g: &Graph) -> RelIndex {
        let mut list: Vec<(NodeId, EdgeTy, NodeId)> =
            g.pending.iter().filter(|(_, e)| e.info == NO_INFO).map(|(f, e)| (*f, e.ty, e.to)).collect();
        list.sort_unstable();
        list.dedup();
        RelIndex { list }
    }

    /// Targets of `from`'s relations of type `ty`.
    pub fn targets(&self, from: NodeId, ty: Option<EdgeTy>) -> impl Iterator<Item = NodeId> + '_ {
        let lo = match ty {
            Some(t) => self.list.partition_point(|x| (x.0, x.1) < (from, t)),
            None => self.list.len(),
        };
        self.list[lo..].iter().take_while(move |x| Some(x.1) == ty && x.0 == from).map(|x| x.2)
    }

    /// Every (from, to) of a type.
    pub fn all(&self, ty: Option<EdgeTy>) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.list.iter().filter(move |x| Some(x.1) == ty).map(|x| (x.0, x.2))
    }
}

pub(crate) fn rel(g: &Graph, name: &str) -> Option<EdgeTy> {
    g.edge_types.get(name).map(|t| t as EdgeTy)
}

fn how_for(kind: &str) -> &'static str {
    match kind {
        "aws.ec2.instance" => "instance role",
        "aws.lambda.function" => "execution role",
        "aws.ecs.task_definition" | "aws.ecs.service" => "task role",
        k if k.starts_with("k8s.") => "service account token",
        k if k.starts_with("gcp.") => "attached service account",
        _ => "attached role",
    }
}

/// Compute → identity, and front end → back end.
pub(crate) fn derive(g: &mut Graph, rels: &RelIndex) {
    let mut add: Vec<(NodeId, NodeId, EdgeTy, EdgeInfo)> = Vec::new();
    let assumes = rel(g, "assumes_role");
    for (from, to) in rels.all(assumes) {
        if g.has(from, insight::IDENTITY) || g.kind(from) == "aws.iam.instance_profile" {
            continue;
        }
        let how = how_for(g.kind(from));
        add.push((
            from,
            to,
            ety::CAN_AUTHENTICATE_AS,
            EdgeInfo { certainty: Certainty::Certain, why: Why::Identity(how.into()) },
        ));
    }
    // An instance with only a profile relation: follow the profile to its role.
    let profile = rel(g, "has_instance_profile");
    for (inst, prof) in rels.all(profile) {
        if rels.targets(inst, assumes).next().is_some() {
            continue;
        }
        for role in rels.targets(prof, assumes) {
            let why = Why::Identity(format!("instance profile {}", g.name(prof)));
            add.push((inst, role, ety::CAN_AUTHENTICATE_AS, EdgeInfo { certainty: Certainty::Certain, why }));
        }
    }
    let uses_sa = rel(g, "uses_service_account");
    for (from, sa) in rels.all(uses_sa) {
        let (certainty, how) = sa_token(g, from, sa);
        add.push((from, sa, ety::CAN_AUTHENTICATE_AS, EdgeInfo { certainty, why: Why::Identity(how) }));
    }
    for name in ["routes_to", "selects"] {
        for (from, to) in rels.all(rel(g, name)) {
            let why = Why::Note(format!("{} {name} {}", g.name(from), g.name(to)));
            add.push((from, to, ety::ROUTES_TRAFFIC_TO, EdgeInfo { certainty: Certainty::Certain, why }));
        }
    }
    for (f, t, ty, info) in add {
        g.add_edge(f, t, ty, Some(info));
    }
}

/// Whether a workload really holds its service account's credentials.
fn sa_token(g: &Graph, from: NodeId, sa: NodeId) -> (Certainty, String) {
    if !g.kind(from).starts_with("k8s.") {
        let limited = g.perms.gce_scopes_limited.contains(&from);
        return if limited {
            (Certainty::Conditional, "attached service account (access scopes limit the token)".into())
        } else {
            (Certainty::Certain, how_for(g.kind(from)).into())
        };
    }
    match g.perms.k8s_automount.get(&from).or_else(|| g.perms.k8s_automount.get(&sa)) {
        Some(false) => (Certainty::Conditional, "service account (token automount disabled)".into()),
        _ => (Certainty::Certain, "service account token".into()),
    }
}

/// Flags that follow from the derived edges: escalation paths, public access.
pub(crate) fn final_flags(g: &mut Graph) {
    let internet = g.internet();
    let mut escalate = Vec::new();
    let mut public = Vec::new();
    for (f, e) in &g.pending {
        if e.ty == ety::CAN_ESCALATE {
            escalate.push(*f);
        }
        if *f == internet && e.ty != ety::EXPOSES {
            public.push(e.to);
        }
    }
    for f in escalate {
        g.set_flag(f, insight::CAN_ESCALATE);
    }
    for t in public {
        g.set_flag(t, insight::PUBLIC);
    }
}

/// The accounts (sorted, once each) of the collected resources whose kind starts with `prefix`.
pub(crate) fn accounts_of_provider(g: &Graph, prefix: &str) -> Vec<crate::intern::Sym> {
    let mut accounts: Vec<crate::intern::Sym> = g
        .nodes
        .iter()
        .filter(|n| g.syms.resolve(n.kind).starts_with(prefix) && n.flags & insight::VIRTUAL.0 == 0)
        .map(|n| n.account)
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    accounts
}
