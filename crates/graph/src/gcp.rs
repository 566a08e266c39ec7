//! GCP: IAM bindings (`iam_members`) on projects — inherited from folders and the organisation
//! when those are collected — and on resources; service accounts used by compute; and internet
//! exposure through external IPs and firewall rules, Cloud SQL authorized networks and public
//! functions and buckets.

use crate::common::{rel, RelIndex};
use crate::exposure;
use crate::insight;
use crate::model::{ety, EdgeInfo, Grant, GrantBody, Graph, Why, Width};
use crate::net::{port_range, protocol, PortSet, RuleEval};
use crate::perm::edge_type;
use crate::uids::NodeId;
use posture_model::Resource;
use posture_permissions::gcp::{self, Member};
use posture_permissions::{Certainty, Level, Levels};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub(crate) struct Firewall {
    disabled: bool,
    ingress: bool,
    priority: i64,
    sources: Vec<String>,
    allowed: Vec<(String, Vec<(u16, u16)>)>,
    denied: Vec<(String, Vec<(u16, u16)>)>,
    targeted: bool,
    network: String,
}

pub(crate) enum Part {
    Iam(Vec<(String, String, bool)>),
    Project { project_id: String, parent: Option<String> },
    Parent { parent: Option<String> },
    ServiceAccount { email: String },
    UsesSa { emails: Vec<String>, limited: bool },
    Firewall(Box<Firewall>),
    Instance { nat_ips: Vec<String>, network: Option<String> },
    Sql { ipv4: Option<bool>, networks: Vec<String>, port: u16 },
    PublicAccessPrevention,
    Function { allow_all: bool },
}

fn s(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn rules(v: Option<&Value>) -> Vec<(String, Vec<(u16, u16)>)> {
    v.and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|r| {
                    let proto = protocol(r.get("ip_protocol").and_then(Value::as_str).unwrap_or("all"));
                    let ports: Vec<(u16, u16)> = r
                        .get("ports")
                        .and_then(Value::as_array)
                        .map(|p| p.iter().filter_map(|x| x.as_str().and_then(port_range)).collect())
                        .unwrap_or_default();
                    (proto, if ports.is_empty() { vec![(0, 65535)] } else { ports })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn firewall(a: &Map<String, Value>) -> Firewall {
    let list = |k: &str| a.get(k).and_then(Value::as_array).is_some_and(|x| !x.is_empty());
    Firewall {
        disabled: a.get("disabled").and_then(Value::as_bool).unwrap_or(false),
        ingress: a.get("direction").and_then(Value::as_str).is_none_or(|d| d.eq_ignore_ascii_case("INGRESS")),
        priority: a.get("priority").and_then(Value::as_i64).unwrap_or(1000),
        sources: a
            .get("source_ranges")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        allowed: rules(a.get("allowed")),
        denied: rules(a.get("denied")),
        targeted: list("target_tags") || list("target_service_accounts"),
        network: s(a.get("network")).unwrap_or_default(),
    }
}

fn sql_port(version: &str) -> u16 {
    match version {
        v if v.starts_with("MYSQL") => 3306,
        v if v.starts_with("SQLSERVER") => 1433,
        _ => 5432,
    }
}

pub(crate) fn extract(r: &Resource, parts: &mut Vec<crate::build::Part>) {
    let a = &r.attrs;
    let mut push = |p: Part| parts.push(crate::build::Part::Gcp(p));
    if let Some(members) = a.get("iam_members").and_then(Value::as_array) {
        let list = members
            .iter()
            .filter_map(|m| {
                Some((s(m.get("role"))?, s(m.get("member"))?, m.get("condition_title").is_some_and(|c| !c.is_null())))
            })
            .collect();
        push(Part::Iam(list));
    }
    match r.kind.as_str() {
        "gcp.resourcemanager.project" => push(Part::Project {
            project_id: s(a.get("project_id")).unwrap_or_else(|| r.account.clone()),
            parent: s(a.get("parent")),
        }),
        "gcp.resourcemanager.folder" | "gcp.resourcemanager.organization" => {
            push(Part::Parent { parent: s(a.get("parent")) })
        }
        "gcp.iam.service_account" => push(Part::ServiceAccount {
            email: s(a.get("email")).unwrap_or_else(|| r.name.clone()).to_ascii_lowercase(),
        }),
        "gcp.compute.instance" => {
            let sas = a.get("service_accounts").and_then(Value::as_array);
            let emails = sas.map(|l| l.iter().filter_map(|x| s(x.get("email"))).collect()).unwrap_or_default();
            let limited = sas.is_some_and(|l| {
                !l.iter().any(|x| {
                    x.get("scopes")
                        .and_then(Value::as_array)
                        .is_some_and(|sc| sc.iter().any(|v| v.as_str().is_some_and(|v| v.ends_with("/cloud-platform"))))
                })
            });
            push(Part::UsesSa { emails, limited });
            let nics = a.get("network_interfaces").and_then(Value::as_array);
            let nat_ips = nics
                .map(|l| {
                    l.iter()
                        .flat_map(|n| n.get("access_configs").and_then(Value::as_array).cloned().unwrap_or_default())
                        .filter_map(|c| s(c.get("nat_ip")))
                        .collect()
                })
                .unwrap_or_default();
            let network = nics.and_then(|l| l.first()).and_then(|n| s(n.get("network")));
            push(Part::Instance { nat_ips, network });
        }
        "gcp.cloudfunctions.function" => {
            if let Some(e) = s(a.get("service_account_email")) {
                push(Part::UsesSa { emails: vec![e], limited: false });
            }
            push(Part::Function { allow_all: a.get("ingress_settings").and_then(Value::as_str) == Some("ALLOW_ALL") });
        }
        "gcp.compute.firewall" => push(Part::Firewall(Box::new(firewall(a)))),
        "gcp.sql.instance" => {
            let ip = a.get("settings").and_then(|x| x.get("ip_configuration"));
            push(Part::Sql {
                ipv4: ip.and_then(|i| i.get("ipv4_enabled")).and_then(Value::as_bool),
                networks: ip
                    .and_then(|i| i.get("authorized_networks"))
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter().filter_map(|n| s(n.get("value")).or_else(|| n.as_str().map(str::to_string))).collect()
                    })
                    .unwrap_or_default(),
                port: sql_port(a.get("database_version").and_then(Value::as_str).unwrap_or("")),
            });
        }
        "gcp.storage.bucket" => {
            let pap =
                a.get("iam_configuration").and_then(|c| c.get("public_access_prevention")).and_then(Value::as_str);
            if pap == Some("enforced") {
                push(Part::PublicAccessPrevention);
            }
        }
        _ => {}
    }
}

/// IAM bindings: (role, member, conditional).
type Bindings = Vec<(String, String, bool)>;

#[derive(Default)]
struct State {
    iam: Vec<(NodeId, Bindings)>,
    projects: Vec<(NodeId, String, Option<String>)>,
    parents: FxHashMap<NodeId, Option<String>>,
    sa_by_email: FxHashMap<String, NodeId>,
    uses: Vec<(NodeId, Vec<String>, bool)>,
    firewalls: FxHashMap<NodeId, Firewall>,
    instances: Vec<(NodeId, Vec<String>, Option<String>)>,
    sqls: Vec<(NodeId, Option<bool>, Vec<String>, u16)>,
    pap: Vec<NodeId>,
    functions: Vec<(NodeId, bool)>,
}

pub(crate) fn derive(g: &mut Graph, parts: Vec<(NodeId, Part)>, rels: &RelIndex) {
    let mut st = State::default();
    for (n, p) in parts {
        match p {
            Part::Iam(list) => st.iam.push((n, list)),
            Part::Project { project_id, parent } => st.projects.push((n, project_id, parent)),
            Part::Parent { parent } => {
                st.parents.insert(n, parent);
            }
            Part::ServiceAccount { email } => {
                st.sa_by_email.insert(email, n);
            }
            Part::UsesSa { emails, limited } => st.uses.push((n, emails, limited)),
            Part::Firewall(f) => {
                st.firewalls.insert(n, *f);
            }
            Part::Instance { nat_ips, network } => st.instances.push((n, nat_ips, network)),
            Part::Sql { ipv4, networks, port } => st.sqls.push((n, ipv4, networks, port)),
            Part::PublicAccessPrevention => st.pap.push(n),
            Part::Function { allow_all } => st.functions.push((n, allow_all)),
        }
    }
    project_scopes(g, &st);
    service_accounts(g, &st, rels);
    bindings(g, &st);
    instance_exposure(g, &st, rels);
    other_exposure(g, &st);
}

fn project_scopes(g: &mut Graph, st: &State) {
    let gcp = g.syms.intern("gcp");
    for (n, pid, _) in &st.projects {
        let a = g.syms.intern(pid);
        g.set_flag(*n, insight::SCOPE);
        g.account_scope.insert((gcp, a), *n);
    }
    let mut accounts: Vec<crate::intern::Sym> = g
        .nodes
        .iter()
        .filter(|n| {
            let kind = g.syms.resolve(n.kind);
            // Folders and organizations live above projects: their account is no project.
            kind.starts_with("gcp.") && !is_hierarchy(kind) && n.flags & insight::VIRTUAL.0 == 0
        })
        .map(|n| n.account)
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    for a in accounts {
        if g.account_scope.contains_key(&(gcp, a)) || g.sym(a).is_empty() {
            continue;
        }
        let pid = g.sym(a).to_string();
        let n = g.virtual_node(
            &format!("//cloudresourcemanager.googleapis.com/projects/{pid}"),
            "gcp.resourcemanager.project",
            &pid,
            &pid,
            0,
        );
        g.set_flag(n, insight::SCOPE);
        g.account_scope.insert((gcp, a), n);
    }
}

fn is_hierarchy(kind: &str) -> bool {
    matches!(kind, "gcp.resourcemanager.folder" | "gcp.resourcemanager.organization")
}

fn service_accounts(g: &mut Graph, st: &State, rels: &RelIndex) {
    let uses = rel(g, "uses_service_account");
    for (n, emails, limited) in &st.uses {
        if *limited {
            g.perms.gce_scopes_limited.insert(*n);
        }
        if rels.targets(*n, uses).next().is_some() {
            continue;
        }
        for e in emails {
            let Some(sa) = st.sa_by_email.get(&e.to_ascii_lowercase()) else {
                continue;
            };
            let (certainty, how) = if *limited {
                (Certainty::Conditional, "attached service account (access scopes limit the token)")
            } else {
                (Certainty::Certain, "attached service account")
            };
            g.add_edge(*n, *sa, ety::CAN_AUTHENTICATE_AS, Some(EdgeInfo { certainty, why: Why::Identity(how.into()) }));
        }
    }
}

/// The node a member stands for (`None`: everyone, i.e. the Internet node).
fn member_node(g: &mut Graph, st: &State, member: &str, account: &str) -> NodeId {
    match gcp::parse_member(member) {
        Member::AllUsers | Member::AllAuthenticatedUsers => g.internet(),
        Member::ServiceAccount(e) => match st.sa_by_email.get(&e) {
            Some(n) => *n,
            None => {
                // Google-managed service agents are the platform, not an outside party.
                let agent = e.ends_with("@cloudservices.gserviceaccount.com") || e.starts_with("service-");
                let flags = if agent { 0 } else { insight::EXTERNAL.0 };
                g.virtual_node(&format!("gcp:member/serviceAccount:{e}"), "gcp.virtual.member", &e, account, flags)
            }
        },
        _ => g.virtual_node(&format!("gcp:member/{member}"), "gcp.virtual.member", member, account, 0),
    }
}

/// A project's bindings plus those of its folder and organisation ancestors.
fn inherited(
    g: &Graph,
    st: &State,
    iam: &FxHashMap<NodeId, &Bindings>,
    project: NodeId,
    parent: Option<&str>,
) -> Vec<(NodeId, Bindings)> {
    let mut out = Vec::new();
    if let Some(l) = iam.get(&project) {
        out.push((project, (*l).clone()));
    }
    let mut next = parent.map(str::to_string);
    let mut hops = 0;
    while let (Some(p), true) = (next.take(), hops < 16) {
        hops += 1;
        let Some(node) = g.find(&format!("//cloudresourcemanager.googleapis.com/{p}")) else {
            break;
        };
        if let Some(l) = iam.get(&node) {
            out.push((node, (*l).clone()));
        }
        next = st.parents.get(&node).cloned().flatten();
    }
    out
}

fn bindings(g: &mut Graph, st: &State) {
    let projects: FxHashMap<NodeId, Option<String>> = st.projects.iter().map(|(n, _, p)| (*n, p.clone())).collect();
    let iam: FxHashMap<NodeId, &Bindings> = st.iam.iter().map(|(n, l)| (*n, l)).collect();
    for (n, _, parent) in &st.projects {
        for (holder, list) in inherited(g, st, &iam, *n, parent.as_deref()) {
            for (role, member, cond) in list {
                project_binding(g, st, *n, holder, &role, &member, cond);
            }
        }
    }
    for (n, list) in &st.iam {
        if projects.contains_key(n) || st.parents.contains_key(n) {
            continue;
        }
        for (role, member, cond) in list {
            resource_binding(g, st, *n, role, member, *cond);
        }
    }
}

fn role_levels(role: &gcp::Role) -> Levels {
    let mut l = Levels::default();
    for k in gcp::KINDS {
        for x in gcp::levels(role, k).iter() {
            l.insert(x);
        }
    }
    l
}

fn project_binding(g: &mut Graph, st: &State, project: NodeId, holder: NodeId, role: &str, member: &str, cond: bool) {
    let account = g.account(project).to_string();
    let pn = member_node(g, st, member, &account);
    let Some(r) = gcp::role(role) else {
        if pn != g.internet() {
            g.set_flag(pn, insight::PERMS_INCOMPLETE);
        }
        return;
    };
    let certainty = if cond { Certainty::Conditional } else { Certainty::Certain };
    let note = (holder != project).then(|| format!("inherited from {}", g.name(holder)));
    if r.allows("resourcemanager.projects.setIamPolicy") {
        let why = Why::Binding { binding: holder, role: role.to_string(), note: note.clone() };
        g.add_edge(pn, project, ety::CAN_ADMIN, Some(EdgeInfo { certainty, why }));
        g.set_flag(pn, insight::PRIVILEGED);
    }
    let levels = role_levels(r);
    if levels.is_empty() {
        return;
    }
    g.grants.push(Grant {
        principal: pn,
        scope: project,
        body: GrantBody::Gcp { role: r },
        source: holder,
        role_name: role.to_string(),
        certainty,
    });
    let gi = (g.grants.len() - 1) as u32;
    for level in levels.iter() {
        g.add_edge(pn, project, level_edge(level), Some(EdgeInfo { certainty, why: Why::Broad(gi) }));
    }
}

fn level_edge(level: Level) -> crate::model::EdgeTy {
    match level {
        Level::Read => ety::CAN_READ,
        Level::Write => ety::CAN_WRITE,
        Level::Admin => ety::CAN_ADMIN,
        Level::Execute => ety::CAN_EXECUTE,
    }
}

fn resource_binding(g: &mut Graph, st: &State, n: NodeId, role: &str, member: &str, cond: bool) {
    let account = g.account(n).to_string();
    let pn = member_node(g, st, member, &account);
    let public = pn == g.internet();
    if public && st.pap.contains(&n) {
        return;
    }
    if public
        && gcp::role(role).is_some_and(|r| r.allows("cloudfunctions.functions.invoke") || r.allows("run.routes.invoke"))
    {
        g.set_flag(n, insight::PUBLIC);
    }
    let (Some(r), Some(kind)) = (gcp::role(role), gcp::kind_access(g.kind(n))) else {
        if !public && gcp::role(role).is_none() {
            g.set_flag(pn, insight::PERMS_INCOMPLETE);
        }
        return;
    };
    let certainty = if cond { Certainty::Conditional } else { Certainty::Certain };
    for level in gcp::levels(r, kind).iter() {
        let why =
            Why::Binding { binding: n, role: role.to_string(), note: public.then(|| format!("granted to {member}")) };
        let ty = edge_type(g, level, n);
        g.add_edge(pn, n, ty, Some(EdgeInfo { certainty, why }));
        if public {
            g.set_flag(n, insight::PUBLIC);
        }
    }
}

fn firewall_eval(g: &Graph, fws: &[(NodeId, &Firewall)]) -> RuleEval {
    let mut sorted: Vec<&(NodeId, &Firewall)> = fws.iter().filter(|(_, f)| f.ingress && !f.disabled).collect();
    // Lower numbers first; at equal priority a deny wins.
    sorted.sort_by_key(|(_, f)| (f.priority, f.denied.is_empty()));
    let mut e = RuleEval::new();
    for (n, f) in sorted {
        let label = format!("firewall rule {} (priority {})", g.name(*n), f.priority);
        for (proto, ports) in &f.denied {
            e.rule(&label, false, proto, ports, &f.sources);
        }
        for (proto, ports) in &f.allowed {
            e.rule(&label, true, proto, ports, &f.sources);
        }
    }
    e
}

fn instance_exposure(g: &mut Graph, st: &State, rels: &RelIndex) {
    let has_fw = rel(g, "has_firewall_rule");
    let mut found = Vec::new();
    for (n, nat_ips, network) in &st.instances {
        let Some(ip) = nat_ips.first() else { continue };
        let mut fws: Vec<(NodeId, &Firewall)> =
            rels.targets(*n, has_fw).filter_map(|f| st.firewalls.get(&f).map(|x| (f, x))).collect();
        if fws.is_empty() {
            // Without the collector's matching, only rules without targets surely apply.
            fws = st
                .firewalls
                .iter()
                .filter(|(_, f)| !f.targeted && Some(&f.network) == network.as_ref())
                .map(|(k, f)| (*k, f))
                .collect();
        }
        let e = firewall_eval(g, &fws);
        let Some(w) = e.width.filter(|_| !e.allowed.is_empty()) else {
            continue;
        };
        let mut steps = vec![format!("external IP {ip}")];
        steps.extend(e.steps);
        let via = fws.iter().map(|(f, _)| *f).collect();
        found.push((*n, exposure::of(w, &e.allowed, via, steps, Certainty::Certain)));
    }
    for (n, e) in found {
        exposure::record(g, n, e);
    }
}

fn other_exposure(g: &mut Graph, st: &State) {
    let mut found = Vec::new();
    for (n, ipv4, networks, port) in &st.sqls {
        if *ipv4 != Some(true) {
            continue;
        }
        let Some(w) = networks.iter().filter_map(|c| crate::net::source_width(c)).max() else {
            continue;
        };
        let mut ports = PortSet::default();
        ports.add("tcp", *port, *port);
        let steps = vec![format!("public IP with authorized networks {}", networks.join(", "))];
        found.push((*n, exposure::of(w, &ports, Vec::new(), steps, Certainty::Certain)));
    }
    for (n, allow_all) in &st.functions {
        if *allow_all && g.has(*n, insight::PUBLIC) {
            let mut ports = PortSet::default();
            ports.add("tcp", 443, 443);
            let steps = vec!["ingress ALLOW_ALL and allUsers may invoke it".to_string()];
            found.push((*n, exposure::of(Width::Any, &ports, Vec::new(), steps, Certainty::Certain)));
        }
    }
    for (n, e) in found {
        exposure::record(g, n, e);
    }
}
