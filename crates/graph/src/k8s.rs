//! Kubernetes: RBAC (roles, cluster roles, bindings to service accounts, users and groups), service
//! accounts bound to cloud identities (IRSA, Workload Identity), and exposure through
//! LoadBalancer and NodePort services (node ports through the nodes' ExternalIPs, `k8s_nodes`) and
//! ingresses, carried to the pods they select.

use crate::common::{rel, RelIndex};
use crate::exposure::{self, through};
use crate::insight;
use crate::k8s_nodes::{self, Nodes, Reach};
use crate::model::{ety, EdgeInfo, Exposure, Grant, GrantBody, Graph, Why, Width};
use crate::net::{protocol, source_width, PortSet};
use crate::perm::{K8sRole, K8S_KINDS};
use crate::uids::NodeId;
use posture_model::Resource;
use posture_permissions::{k8s, Certainty, Level, Levels};
use rustc_hash::FxHashMap;
use serde_json::Value;

pub(crate) enum Part {
    Role {
        namespace: Option<String>,
        role: k8s::Role,
    },
    Binding {
        namespace: Option<String>,
        role_kind: String,
        role_name: String,
        subjects: Vec<(String, String, Option<String>)>,
    },
    ServiceAccount {
        cloud_identity: Option<String>,
    },
    Automount(bool),
    Service {
        ty: String,
        internal: Option<bool>,
        ranges: Vec<String>,
        ports: Vec<(String, u16)>,
        /// (protocol, nodePort) per port; `None` when not set.
        node_ports: Vec<(String, Option<u16>)>,
    },
    /// A node's ExternalIPs (`None`: unknown).
    Node {
        external: Option<Vec<String>>,
    },
    /// The cluster resource: whether all its nodes were listed.
    Cluster {
        nodes_listed: Option<bool>,
    },
    Ingress {
        published: bool,
        tls: bool,
    },
}

fn s(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|l| l.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
}

fn port_list(v: Option<&Value>) -> Vec<&serde_json::Map<String, Value>> {
    v.and_then(Value::as_array).map(|l| l.iter().filter_map(Value::as_object).collect()).unwrap_or_default()
}

fn proto(p: &serde_json::Map<String, Value>) -> String {
    protocol(p.get("protocol").and_then(Value::as_str).unwrap_or("tcp"))
}

fn service(a: &serde_json::Map<String, Value>) -> Part {
    let ports = port_list(a.get("ports"));
    let port_of = |p: &serde_json::Map<String, Value>, k: &str| {
        p.get(k).and_then(Value::as_i64).map(|x| x.clamp(0, 65535) as u16)
    };
    Part::Service {
        ty: s(a.get("type")).unwrap_or_else(|| "ClusterIP".into()),
        internal: a.get("internal_load_balancer").and_then(Value::as_bool),
        ranges: strings(a.get("load_balancer_source_ranges")).unwrap_or_default(),
        ports: ports.iter().filter_map(|p| Some((proto(p), port_of(p, "port")?))).collect(),
        node_ports: ports.iter().map(|p| (proto(p), port_of(p, "node_port"))).collect(),
    }
}

pub(crate) fn extract(r: &Resource, parts: &mut Vec<crate::build::Part>) {
    let a = &r.attrs;
    let mut push = |p: Part| parts.push(crate::build::Part::K8s(p));
    if let Some(b) = a.get("automount_service_account_token").and_then(Value::as_bool) {
        push(Part::Automount(b));
    }
    let ns = s(a.get("namespace"));
    match r.kind.as_str() {
        "k8s.rbac.role" | "k8s.rbac.cluster_role" => {
            let role = k8s::Role::from_rules(&r.name, a.get("rules").unwrap_or(&Value::Null));
            push(Part::Role { namespace: if r.kind == "k8s.rbac.role" { ns } else { None }, role });
        }
        "k8s.rbac.role_binding" | "k8s.rbac.cluster_role_binding" => {
            let rr = a.get("role_ref");
            let subjects = a
                .get("subjects")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(|x| Some((s(x.get("kind"))?, s(x.get("name"))?, s(x.get("namespace")))))
                        .collect()
                })
                .unwrap_or_default();
            push(Part::Binding {
                namespace: if r.kind == "k8s.rbac.role_binding" { ns } else { None },
                role_kind: rr.and_then(|x| s(x.get("kind"))).unwrap_or_else(|| "ClusterRole".into()),
                role_name: rr.and_then(|x| s(x.get("name"))).unwrap_or_default(),
                subjects,
            });
        }
        "k8s.core.service_account" => push(Part::ServiceAccount { cloud_identity: s(a.get("cloud_identity")) }),
        "k8s.core.service" => push(service(a)),
        "k8s.core.node" => push(Part::Node { external: strings(a.get("external_ips")) }),
        "k8s.core.cluster" => push(Part::Cluster { nodes_listed: a.get("nodes_listed").and_then(Value::as_bool) }),
        "k8s.networking.ingress" => push(Part::Ingress {
            published: a.get("load_balancer_ingress").and_then(Value::as_array).is_some_and(|l| !l.is_empty()),
            tls: a.get("tls").and_then(Value::as_array).is_some_and(|l| !l.is_empty())
                || a.get("load_balancer_tls").and_then(Value::as_bool) == Some(true),
        }),
        _ => {}
    }
}

#[derive(Default)]
struct State {
    roles: FxHashMap<(crate::intern::Sym, Option<String>, String), u32>,
    bindings: Vec<(NodeId, Part)>,
    sas: Vec<(NodeId, String)>,
    services: Vec<(NodeId, Part)>,
    ingresses: Vec<(NodeId, bool, bool)>,
    nodes: Nodes,
}

pub(crate) fn derive(g: &mut Graph, parts: Vec<(NodeId, Part)>, rels: &RelIndex) {
    let mut st = State::default();
    for (n, p) in parts {
        match p {
            Part::Role { namespace, role } => {
                g.perms.k8s_roles.push(K8sRole::Collected(role));
                let key = (g.node(n).account, namespace, g.name(n).to_string());
                st.roles.insert(key, (g.perms.k8s_roles.len() - 1) as u32);
            }
            Part::Binding { .. } => st.bindings.push((n, p)),
            Part::ServiceAccount { cloud_identity: Some(c) } => st.sas.push((n, c)),
            Part::ServiceAccount { .. } => {}
            Part::Automount(b) => {
                g.perms.k8s_automount.insert(n, b);
            }
            Part::Service { .. } => st.services.push((n, p)),
            Part::Ingress { published, tls } => st.ingresses.push((n, published, tls)),
            Part::Node { external } => {
                let cluster = g.node(n).account;
                st.nodes.node(cluster, g.name(n), external.as_deref());
            }
            Part::Cluster { nodes_listed: Some(listed) } => st.nodes.cluster(g.node(n).account, listed),
            Part::Cluster { nodes_listed: None } => {}
        }
    }
    cluster_scopes(g);
    for (n, p) in std::mem::take(&mut st.bindings) {
        binding(g, &mut st, n, &p);
    }
    cloud_identities(g, &st);
    exposure_of_services(g, &st, rels);
}

fn cluster_scopes(g: &mut Graph) {
    let k8s = g.syms.intern("k8s");
    for a in crate::common::accounts_of_provider(g, "k8s.") {
        let c = g.sym(a).to_string();
        if c.is_empty() {
            continue;
        }
        let n = g.virtual_node(&format!("{c}/_cluster/Cluster/{c}"), "k8s.virtual.cluster", &c, &c, insight::SCOPE.0);
        g.account_scope.insert((k8s, a), n);
    }
}

fn role_of(
    g: &mut Graph,
    st: &mut State,
    cluster: crate::intern::Sym,
    ns: Option<&str>,
    kind: &str,
    name: &str,
) -> Option<u32> {
    let key_ns = if kind == "Role" { ns.map(str::to_string) } else { None };
    if let Some(i) = st.roles.get(&(cluster, key_ns.clone(), name.to_string())) {
        return Some(*i);
    }
    if kind == "Role" {
        return None;
    }
    let b = k8s::builtin(name)?;
    g.perms.k8s_roles.push(K8sRole::Builtin(b));
    let i = (g.perms.k8s_roles.len() - 1) as u32;
    st.roles.insert((cluster, None, name.to_string()), i);
    Some(i)
}

fn subject_node(g: &mut Graph, cluster: &str, kind: &str, name: &str, ns: Option<&str>) -> NodeId {
    match kind {
        "ServiceAccount" => {
            let uid = format!("{cluster}/{}/ServiceAccount/{name}", ns.unwrap_or("default"));
            g.virtual_node(&uid, "k8s.core.service_account", name, cluster, insight::EXTERNAL.0)
        }
        "Group" if name == "system:unauthenticated" => g.internet(),
        _ => g.virtual_node(&format!("{cluster}/_subject/{kind}/{name}"), "k8s.virtual.subject", name, cluster, 0),
    }
}

fn binding(g: &mut Graph, st: &mut State, n: NodeId, p: &Part) {
    let Part::Binding { namespace, role_kind, role_name, subjects } = p else {
        return;
    };
    let cluster_sym = g.node(n).account;
    let cluster = g.sym(cluster_sym).to_string();
    let subjects: Vec<NodeId> = subjects
        .iter()
        .map(|(k, name, ns)| subject_node(g, &cluster, k, name, ns.as_deref().or(namespace.as_deref())))
        .collect();
    let Some(ri) = role_of(g, st, cluster_sym, namespace.as_deref(), role_kind, role_name) else {
        for s in subjects {
            g.set_flag(s, insight::PERMS_INCOMPLETE);
        }
        return;
    };
    let scope = match namespace {
        Some(ns) => g.virtual_node(
            &format!("{cluster}/_cluster/Namespace/{ns}"),
            "k8s.core.namespace",
            ns,
            &cluster,
            insight::SCOPE.0,
        ),
        None => match g.find(&format!("{cluster}/_cluster/Cluster/{cluster}")) {
            Some(c) => c,
            None => return,
        },
    };
    g.set_flag(scope, insight::SCOPE);
    let (admin, levels, named) = {
        let role = g.perms.k8s_roles[ri as usize].role();
        (role.is_admin(), role_levels(role), named_targets(role))
    };
    let certainty = Certainty::Certain;
    let ns_sym = namespace.as_ref().map(|ns| g.syms.intern(ns));
    let label = format!("{role_kind} {role_name}");
    for s in subjects {
        if admin {
            let why = Why::Binding {
                binding: n,
                role: label.clone(),
                note: Some("can grant itself anything (wildcards, escalate, bind or impersonate)".into()),
            };
            g.add_edge(s, scope, ety::CAN_ADMIN, Some(EdgeInfo { certainty, why }));
            if namespace.is_none() {
                g.set_flag(s, insight::PRIVILEGED);
            }
        }
        for (kind_res, names) in &named {
            for name in names {
                named_edge(g, n, s, &cluster, namespace.as_deref(), kind_res, name, &label);
            }
        }
        if levels.is_empty() {
            continue;
        }
        g.grants.push(Grant {
            principal: s,
            scope,
            body: GrantBody::K8s { role: ri, namespace: ns_sym },
            source: n,
            role_name: label.clone(),
            certainty,
        });
        let gi = (g.grants.len() - 1) as u32;
        for level in levels.iter() {
            let ty = match level {
                Level::Read => ety::CAN_READ,
                Level::Write => ety::CAN_WRITE,
                Level::Admin => ety::CAN_ADMIN,
                Level::Execute => ety::CAN_EXECUTE,
            };
            g.add_edge(s, scope, ty, Some(EdgeInfo { certainty, why: Why::Broad(gi) }));
        }
    }
}

fn role_levels(role: &k8s::Role) -> Levels {
    let mut l = Levels::default();
    for kind in K8S_KINDS {
        for level in Level::ALL {
            if k8s::probes(kind, level).iter().any(|(v, grp, res)| role.allows(v, grp, res, None)) {
                l.insert(level);
            }
        }
    }
    if k8s::CREATE_POD.iter().any(|(v, grp, res)| role.allows(v, grp, res, None)) {
        l.insert(Level::Execute);
    }
    l
}

/// Objects a role names with `resourceNames`, by (kind, level): only secrets' reads matter here.
fn named_targets(role: &k8s::Role) -> Vec<(&'static str, Vec<String>)> {
    let names: Vec<String> =
        ["get", "list", "watch"].iter().flat_map(|v| role.named(v, "", "secrets")).map(str::to_string).collect();
    if names.is_empty() {
        Vec::new()
    } else {
        vec![("Secret", names)]
    }
}

#[allow(clippy::too_many_arguments)]
fn named_edge(
    g: &mut Graph,
    binding: NodeId,
    subject: NodeId,
    cluster: &str,
    ns: Option<&str>,
    kind: &str,
    name: &str,
    label: &str,
) {
    let Some(ns) = ns else { return };
    let Some(t) = g.find(&format!("{cluster}/{ns}/{kind}/{name}")) else {
        return;
    };
    let why =
        Why::Binding { binding, role: label.to_string(), note: Some(format!("names {kind} {name} (resourceNames)")) };
    g.add_edge(subject, t, ety::CAN_READ, Some(EdgeInfo { certainty: Certainty::Certain, why }));
}

fn cloud_identities(g: &mut Graph, st: &State) {
    if st.sas.is_empty() {
        return;
    }
    let by_email: FxHashMap<String, NodeId> =
        g.nodes_of_kind("gcp.iam.service_account").into_iter().map(|n| (g.name(n).to_ascii_lowercase(), n)).collect();
    for (sa, ident) in &st.sas {
        let target = if ident.starts_with("arn:aws:iam::") {
            g.find(ident)
        } else {
            by_email.get(&ident.to_ascii_lowercase()).copied()
        };
        let Some(t) = target else { continue };
        let how = if ident.starts_with("arn:") { "IAM role for service accounts (IRSA)" } else { "Workload Identity" };
        g.add_edge(
            *sa,
            t,
            ety::CAN_AUTHENTICATE_AS,
            Some(EdgeInfo { certainty: Certainty::Certain, why: Why::Identity(how.into()) }),
        );
    }
}

/// What a service opens: its load balancer and its node ports, merged.
fn service_exposure(p: &Part, reach: &Reach) -> Option<Exposure> {
    let Part::Service { ty, internal, ranges, ports, node_ports } = p else {
        return None;
    };
    let through_nodes = k8s_nodes::exposure(ty, node_ports, reach);
    let lb = (ty == "LoadBalancer" && *internal != Some(true)).then(|| load_balancer(ranges, ports)).flatten();
    match (lb, through_nodes) {
        (Some(mut a), Some(b)) => {
            exposure::merge(&mut a, b);
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

fn load_balancer(ranges: &[String], ports: &[(String, u16)]) -> Option<Exposure> {
    let mut set = PortSet::default();
    for (proto, port) in ports {
        set.add(proto, *port, *port);
    }
    let width = if ranges.is_empty() { Some(Width::Any) } else { ranges.iter().filter_map(|r| source_width(r)).max() }?;
    let src = if ranges.is_empty() { "any address".to_string() } else { ranges.join(", ") };
    let steps = vec![format!("LoadBalancer service open to {src}")];
    Some(exposure::of(width, &set, Vec::new(), steps, Certainty::Certain))
}

fn exposure_of_services(g: &mut Graph, st: &State, rels: &RelIndex) {
    let routes = rel(g, "routes_to");
    let selects = rel(g, "selects");
    let mut exposed: FxHashMap<NodeId, Exposure> = FxHashMap::default();
    for (n, p) in &st.services {
        let reach = st.nodes.reach(g.node(*n).account);
        if let Some(e) = service_exposure(p, &reach) {
            exposed.insert(*n, e);
        }
    }
    for (n, published, tls) in &st.ingresses {
        if !published {
            continue;
        }
        let mut set = PortSet::default();
        set.add("tcp", 80, 80);
        if *tls {
            set.add("tcp", 443, 443);
        }
        let e = exposure::of(
            Width::Any,
            &set,
            Vec::new(),
            vec!["ingress with a public load balancer address".into()],
            Certainty::Certain,
        );
        let name = format!("ingress {}", g.name(*n));
        for svc in rels.targets(*n, routes) {
            let t = through(&e, *n, &name);
            exposed.entry(svc).and_modify(|old| old.steps.extend(t.steps.clone())).or_insert(t);
        }
        exposure::record(g, *n, e);
    }
    let mut list: Vec<(NodeId, Exposure)> = exposed.into_iter().collect();
    list.sort_unstable_by_key(|(n, _)| *n);
    for (svc, e) in list {
        let name = format!("service {}", g.name(svc));
        let pods: Vec<NodeId> = rels.targets(svc, selects).collect();
        for pod in pods {
            exposure::record(g, pod, through(&e, svc, &name));
        }
        exposure::record(g, svc, e);
    }
}
