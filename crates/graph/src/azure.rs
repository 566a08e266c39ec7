//! Azure: role assignments and definitions (RBAC with scope inheritance), managed identities, and
//! internet exposure through public IPs and NSGs, SQL firewalls, storage and service endpoints.

use crate::common::{rel, RelIndex};
use crate::exposure;
use crate::insight;
use crate::model::{ety, EdgeInfo, Grant, GrantBody, Graph, Why, Width};
use crate::net::{port_range, protocol, PortSet, RuleEval};
use crate::perm::AzRole;
use crate::uids::NodeId;
use posture_model::Resource;
use posture_permissions::{azure, azure_deny, Certainty, Level, Levels};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub(crate) struct NsgRule {
    name: String,
    priority: i64,
    allow: bool,
    protocol: String,
    sources: Vec<String>,
    ports: Vec<(u16, u16)>,
}

pub(crate) enum Part {
    Assignment {
        principal: String,
        principal_type: String,
        display: Option<String>,
        role_id: String,
        role_name: String,
        scope: String,
        conditional: bool,
    },
    RoleDef(Box<azure::RoleDefinition>),
    Deny(Box<azure_deny::DenyAssignment>),
    Identity {
        principal: String,
    },
    Nsg(Vec<NsgRule>),
    Nic {
        nsg: Option<String>,
        subnet: Option<String>,
        public_ips: Vec<String>,
    },
    Subnet {
        nsg: Option<String>,
    },
    Vm {
        public_ips: Vec<String>,
    },
    PublicIp {
        sku: Option<String>,
        address: Option<String>,
    },
    Firewalled {
        public: Option<String>,
        rules: Vec<(String, String)>,
        port: u16,
    },
    Storage {
        blob_public: Option<bool>,
        open: bool,
    },
    Endpoint {
        open: bool,
        port: u16,
    },
    Subscription {
        management_groups: Vec<String>,
    },
}

fn s(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn strs(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn nsg_rules(a: &Map<String, Value>) -> Vec<NsgRule> {
    let Some(list) = a.get("security_rules").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter(|r| r.get("direction").and_then(Value::as_str).is_some_and(|d| d.eq_ignore_ascii_case("inbound")))
        .map(|r| NsgRule {
            name: s(r.get("name")).unwrap_or_default(),
            priority: r.get("priority").and_then(Value::as_i64).unwrap_or(4096),
            allow: r.get("access").and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case("allow")),
            protocol: protocol(r.get("protocol").and_then(Value::as_str).unwrap_or("*")),
            sources: strs(r.get("source_address_prefixes")),
            ports: strs(r.get("destination_port_ranges")).iter().filter_map(|p| port_range(p)).collect(),
        })
        .collect()
}

fn open_network(a: &Map<String, Value>, acl: &str) -> bool {
    let public = a.get("public_network_access").and_then(Value::as_str);
    let default = a.get(acl).and_then(|n| n.get("default_action")).and_then(Value::as_str);
    !public.is_some_and(|p| p.eq_ignore_ascii_case("disabled"))
        && default.is_some_and(|d| d.eq_ignore_ascii_case("allow"))
}

pub(crate) fn extract(r: &Resource, parts: &mut Vec<crate::build::Part>) {
    let a = &r.attrs;
    let mut push = |p: Part| parts.push(crate::build::Part::Azure(p));
    if let Some(pid) = a.get("identity").and_then(|i| i.get("principal_id")).and_then(Value::as_str) {
        push(Part::Identity { principal: pid.to_string() });
    }
    match r.kind.as_str() {
        "azure.authorization.role_assignment" => push(Part::Assignment {
            principal: s(a.get("principal_id")).unwrap_or_default(),
            principal_type: s(a.get("principal_type")).unwrap_or_default(),
            display: s(a.get("principal_display_name")),
            role_id: s(a.get("role_definition_id")).unwrap_or_default(),
            role_name: s(a.get("role_name")).unwrap_or_default(),
            scope: s(a.get("scope")).unwrap_or_default(),
            conditional: a.get("condition").is_some_and(|c| !c.is_null()),
        }),
        "azure.authorization.role_definition" => {
            let name = s(a.get("role_name")).unwrap_or_else(|| r.name.clone());
            push(Part::RoleDef(Box::new(azure::RoleDefinition::from_attrs(&name, &r.uid, a))));
        }
        "azure.authorization.deny_assignment" => {
            // A deny whose principals, exclusions or actions are unknown is left out.
            if let Some(d) = azure_deny::DenyAssignment::from_attrs(&r.name, a) {
                push(Part::Deny(Box::new(d)));
            }
        }
        "azure.network.network_security_group" => push(Part::Nsg(nsg_rules(a))),
        "azure.network.network_interface" => push(Part::Nic {
            nsg: s(a.get("network_security_group_id")).map(|x| x.to_ascii_lowercase()),
            subnet: a
                .get("ip_configurations")
                .and_then(Value::as_array)
                .and_then(|c| c.first())
                .and_then(|c| s(c.get("subnet_id"))),
            public_ips: a
                .get("ip_configurations")
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(|c| s(c.get("public_ip_address_id"))).collect())
                .unwrap_or_default(),
        }),
        "azure.network.subnet" => push(Part::Subnet { nsg: s(a.get("network_security_group_id")) }),
        "azure.compute.virtual_machine" => push(Part::Vm { public_ips: strs(a.get("public_ip_addresses")) }),
        "azure.network.public_ip_address" => {
            push(Part::PublicIp { sku: s(a.get("sku_name")), address: s(a.get("ip_address")) })
        }
        "azure.sql.server" | "azure.dbforpostgresql.flexible_server" | "azure.dbformysql.flexible_server" => {
            let rules = a
                .get("firewall_rules")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(|x| Some((s(x.get("start_ip_address"))?, s(x.get("end_ip_address"))?)))
                        .collect()
                })
                .unwrap_or_default();
            let port = match r.kind.as_str() {
                "azure.sql.server" => 1433,
                "azure.dbforpostgresql.flexible_server" => 5432,
                _ => 3306,
            };
            push(Part::Firewalled { public: s(a.get("public_network_access")), rules, port });
        }
        "azure.storage.account" => push(Part::Storage {
            blob_public: a.get("allow_blob_public_access").and_then(Value::as_bool),
            open: open_network(a, "network_rule_set"),
        }),
        "azure.keyvault.vault" => push(Part::Endpoint { open: open_network(a, "network_acls"), port: 443 }),
        "azure.web.site" => {
            let public = a.get("public_network_access").and_then(Value::as_str);
            let default = a
                .get("site_config")
                .and_then(|c| c.get("ip_security_restrictions_default_action"))
                .and_then(Value::as_str);
            let open = !public.is_some_and(|p| p.eq_ignore_ascii_case("disabled"))
                && !default.is_some_and(|d| d.eq_ignore_ascii_case("deny"));
            push(Part::Endpoint { open, port: 443 });
        }
        "azure.resources.subscription" => {
            push(Part::Subscription { management_groups: strs(a.get("management_group_ancestors")) })
        }
        _ => {}
    }
}

/// A NIC's NSG id, subnet id and public IP ids.
type Nic = (Option<String>, Option<String>, Vec<String>);
/// A firewalled server: public network access, firewall ranges, port.
type Firewalled = (NodeId, Option<String>, Vec<(String, String)>, u16);

#[derive(Default)]
struct State {
    defs: FxHashMap<String, azure::RoleDefinition>,
    assignments: Vec<(NodeId, Part)>,
    identities: Vec<(NodeId, String)>,
    nsgs: FxHashMap<NodeId, Vec<NsgRule>>,
    nics: FxHashMap<NodeId, Nic>,
    subnets: FxHashMap<NodeId, Option<String>>,
    vms: Vec<(NodeId, Vec<String>)>,
    ips: FxHashMap<NodeId, (Option<String>, Option<String>)>,
    firewalled: Vec<Firewalled>,
    storage: Vec<(NodeId, Option<bool>, bool)>,
    endpoints: Vec<(NodeId, bool, u16)>,
    subscriptions: Vec<(NodeId, Vec<String>)>,
}

pub(crate) fn derive(g: &mut Graph, parts: Vec<(NodeId, Part)>, rels: &RelIndex) {
    let mut st = State::default();
    for (n, p) in parts {
        match p {
            Part::RoleDef(d) => {
                st.defs.insert(d.id.clone(), *d);
            }
            Part::Assignment { .. } => st.assignments.push((n, p)),
            Part::Deny(d) => g.perms.azure_denies.push(*d),
            Part::Identity { principal } => st.identities.push((n, principal)),
            Part::Nsg(r) => {
                st.nsgs.insert(n, r);
            }
            Part::Nic { nsg, subnet, public_ips } => {
                st.nics.insert(n, (nsg, subnet, public_ips));
            }
            Part::Subnet { nsg } => {
                st.subnets.insert(n, nsg);
            }
            Part::Vm { public_ips } => st.vms.push((n, public_ips)),
            Part::PublicIp { sku, address } => {
                st.ips.insert(n, (sku, address));
            }
            Part::Firewalled { public, rules, port } => st.firewalled.push((n, public, rules, port)),
            Part::Storage { blob_public, open } => st.storage.push((n, blob_public, open)),
            Part::Endpoint { open, port } => st.endpoints.push((n, open, port)),
            Part::Subscription { management_groups } => st.subscriptions.push((n, management_groups)),
        }
    }
    subscription_scopes(g);
    identities(g, &st);
    assignments(g, &st);
    vm_exposure(g, &st, rels);
    service_exposure(g, &st);
}

const ASSIGN: &str = "Microsoft.Authorization/roleAssignments/write";

fn principal_node(g: &mut Graph, id: &str, name: &str, account: &str) -> NodeId {
    let uid = format!("azure:principal/{}", id.to_ascii_lowercase());
    g.virtual_node(&uid, "azure.virtual.principal", name, account, insight::IDENTITY.0)
}

/// Every subscription with Azure resources has a scope node.
fn subscription_scopes(g: &mut Graph) {
    let azure = g.syms.intern("azure");
    for a in crate::common::accounts_of_provider(g, "azure.") {
        let sub = g.sym(a).to_string();
        if sub.is_empty() {
            continue;
        }
        let uid = format!("/subscriptions/{}", sub.to_ascii_lowercase());
        let n = g.virtual_node(&uid, "azure.resources.subscription", &sub, &sub, 0);
        g.set_flag(n, insight::SCOPE);
        g.account_scope.insert((azure, a), n);
    }
}

fn identities(g: &mut Graph, st: &State) {
    for (n, pid) in &st.identities {
        let account = g.account(*n).to_string();
        let name = format!("managed identity of {}", g.name(*n));
        let p = principal_node(g, pid, &name, &account);
        let why = Why::Identity("system-assigned managed identity".into());
        g.add_edge(*n, p, ety::CAN_AUTHENTICATE_AS, Some(EdgeInfo { certainty: Certainty::Certain, why }));
    }
}

/// The scope nodes an assignment's scope stands for: management groups become the subscriptions
/// under them.
fn scope_nodes(g: &mut Graph, st: &State, scope: &str) -> Vec<NodeId> {
    let lower = scope.trim_end_matches('/').to_ascii_lowercase();
    if let Some(mg) = lower.strip_prefix("/providers/microsoft.management/managementgroups/") {
        return st
            .subscriptions
            .iter()
            .filter(|(_, mgs)| mgs.iter().any(|m| m.eq_ignore_ascii_case(mg)))
            .map(|(n, _)| *n)
            .collect();
    }
    if let Some(n) = g.find(&lower).or_else(|| g.find(scope)) {
        return vec![n];
    }
    let sub = lower.strip_prefix("/subscriptions/").and_then(|r| r.split('/').next()).unwrap_or("").to_string();
    let kind = if !lower.contains("/providers/") && lower.contains("/resourcegroups/") {
        "azure.resources.resource_group"
    } else if !lower.contains("/providers/") {
        "azure.resources.subscription"
    } else {
        "azure.virtual.scope"
    };
    let name = lower.rsplit('/').next().unwrap_or(&lower).to_string();
    let n = g.virtual_node(&lower, kind, &name, &sub, insight::SCOPE.0);
    vec![n]
}

fn role_index(
    g: &mut Graph,
    st: &State,
    role_id: &str,
    role_name: &str,
    cache: &mut FxHashMap<String, u32>,
) -> Option<u32> {
    let guid = azure::guid(role_id);
    let key = if guid.is_empty() { role_name.to_ascii_lowercase() } else { guid.clone() };
    if let Some(i) = cache.get(&key) {
        return Some(*i);
    }
    let role = match st.defs.get(&guid) {
        Some(d) => AzRole::Collected(d.clone()),
        None => AzRole::Builtin(azure::builtin_role(role_id, role_name)?),
    };
    g.perms.azure_roles.push(role);
    let i = (g.perms.azure_roles.len() - 1) as u32;
    cache.insert(key, i);
    Some(i)
}

fn assignments(g: &mut Graph, st: &State) {
    let mut cache = FxHashMap::default();
    for (n, p) in &st.assignments {
        let Part::Assignment { principal, principal_type, display, role_id, role_name, scope, conditional } = p else {
            continue;
        };
        let account = g.account(*n).to_string();
        let pname = display.clone().unwrap_or_else(|| format!("{principal_type} {principal}"));
        let pn = principal_node(g, principal, &pname, &account);
        let Some(ri) = role_index(g, st, role_id, role_name, &mut cache) else {
            g.set_flag(pn, insight::PERMS_INCOMPLETE);
            continue;
        };
        let certainty = if *conditional { Certainty::Conditional } else { Certainty::Certain };
        let (levels, admin) = {
            let def = g.perms.azure_roles[ri as usize].def();
            let mut l = Levels::default();
            for k in azure::KINDS {
                for x in azure::levels(def, k).iter() {
                    l.insert(x);
                }
            }
            (l, def.allows(ASSIGN))
        };
        let role_label = g.perms.azure_roles[ri as usize].def().name.clone();
        for sc in scope_nodes(g, st, scope) {
            let denied = g.azure_denies_on(pn, sc).iter().any(|d| d.denies_action(ASSIGN));
            if admin && !denied {
                let why = Why::Binding {
                    binding: *n,
                    role: role_label.clone(),
                    note: Some("can assign any role at this scope".into()),
                };
                g.add_edge(pn, sc, ety::CAN_ADMIN, Some(EdgeInfo { certainty, why }));
                if matches!(g.kind(sc), "azure.resources.subscription") {
                    g.set_flag(pn, insight::PRIVILEGED);
                }
            }
            g.grants.push(Grant {
                principal: pn,
                scope: sc,
                body: GrantBody::Azure { role: ri },
                source: *n,
                role_name: role_label.clone(),
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
                g.add_edge(pn, sc, ty, Some(EdgeInfo { certainty, why: Why::Broad(gi) }));
            }
        }
    }
}

fn nsg_eval(g: &Graph, st: &State, nsg: NodeId) -> Option<RuleEval> {
    let rules = st.nsgs.get(&nsg)?;
    let mut sorted: Vec<&NsgRule> = rules.iter().collect();
    sorted.sort_by_key(|r| r.priority);
    let mut e = RuleEval::new();
    for r in sorted {
        let label = format!("NSG {} rule {} (priority {})", g.name(nsg), r.name, r.priority);
        e.rule(&label, r.allow, &r.protocol, &r.ports, &r.sources);
    }
    Some(e)
}

fn vm_exposure(g: &mut Graph, st: &State, rels: &RelIndex) {
    let has_nic = rel(g, "has_network_interface");
    let has_ip = rel(g, "has_public_ip");
    let mut found = Vec::new();
    for (vm, vm_ips) in &st.vms {
        for nic in rels.targets(*vm, has_nic) {
            let Some((nic_nsg, subnet, ip_ids)) = st.nics.get(&nic) else {
                continue;
            };
            let mut ips: Vec<NodeId> =
                ip_ids.iter().filter_map(|i| g.find(&i.to_ascii_lowercase()).or_else(|| g.find(i))).collect();
            ips.extend(rels.targets(nic, has_ip));
            ips.sort_unstable();
            ips.dedup();
            if ips.is_empty() && vm_ips.is_empty() {
                continue;
            }
            let subnet_node = subnet.as_deref().and_then(|s| g.find(&s.to_ascii_lowercase()).or_else(|| g.find(s)));
            let subnet_nsg = subnet_node.and_then(|s| st.subnets.get(&s).cloned().flatten());
            let nsgs: Vec<NodeId> = [nic_nsg.clone(), subnet_nsg]
                .into_iter()
                .flatten()
                .filter_map(|x| g.find(&x.to_ascii_lowercase()).or_else(|| g.find(&x)))
                .collect();
            if let Some(e) = nic_exposure(g, st, &ips, vm_ips, &nsgs) {
                found.push((*vm, e));
            }
        }
    }
    for (n, e) in found {
        exposure::record(g, n, e);
    }
}

fn nic_exposure(
    g: &Graph,
    st: &State,
    ips: &[NodeId],
    vm_ips: &[String],
    nsgs: &[NodeId],
) -> Option<crate::model::Exposure> {
    let addr = ips.iter().filter_map(|i| st.ips.get(i).and_then(|x| x.1.clone())).chain(vm_ips.iter().cloned()).next();
    let mut steps = vec![format!("public IP {}", addr.unwrap_or_else(|| "(address not collected)".into()))];
    if nsgs.is_empty() {
        let basic = ips
            .iter()
            .any(|i| st.ips.get(i).and_then(|x| x.0.as_deref()).is_some_and(|s| s.eq_ignore_ascii_case("basic")));
        if !basic {
            return None;
        }
        let mut all = PortSet::default();
        all.add("all", 0, 65535);
        steps.push("Basic SKU public IP with no NSG: every port is open".into());
        return Some(exposure::of(Width::Any, &all, Vec::new(), steps, Certainty::Certain));
    }
    let mut allowed: Option<PortSet> = None;
    let mut width = None;
    let mut certainty = Certainty::Certain;
    for nsg in nsgs {
        let Some(e) = nsg_eval(g, st, *nsg) else {
            certainty = Certainty::Unknown;
            steps.push(format!("NSG {} was not collected", g.name(*nsg)));
            continue;
        };
        width = width.max(e.width);
        allowed = Some(match allowed {
            None => e.allowed.clone(),
            Some(a) => a.intersect(&e.allowed),
        });
        steps.extend(e.steps);
    }
    let ports = allowed?;
    let width = width?;
    (!ports.is_empty()).then(|| exposure::of(width, &ports, nsgs.to_vec(), steps, certainty))
}

fn ip_width(start: &str, end: &str) -> Option<Width> {
    match (start, end) {
        ("0.0.0.0", "255.255.255.255") => Some(Width::Any),
        ("0.0.0.0", "0.0.0.0") => Some(Width::Wide),
        (a, _) => crate::net::source_width(a).map(|_| Width::Narrow),
    }
}

fn service_exposure(g: &mut Graph, st: &State) {
    let mut found = Vec::new();
    for (n, public, rules, port) in &st.firewalled {
        if public.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("disabled")) {
            continue;
        }
        let mut width = None;
        let mut steps = Vec::new();
        for (a, b) in rules {
            if let Some(w) = ip_width(a, b) {
                width = width.max(Some(w));
                let what = if a == "0.0.0.0" && b == "0.0.0.0" {
                    " (any Azure service, any tenant)".to_string()
                } else {
                    String::new()
                };
                steps.push(format!("firewall allows {a}-{b}{what}"));
            }
        }
        if let Some(w) = width {
            let mut ports = PortSet::default();
            ports.add("tcp", *port, *port);
            found.push((*n, exposure::of(w, &ports, Vec::new(), steps, Certainty::Certain)));
        }
    }
    for (n, open, port) in
        st.endpoints.iter().map(|(n, o, p)| (n, *o, *p)).chain(st.storage.iter().map(|(n, _, o)| (n, *o, 443)))
    {
        if open {
            let mut ports = PortSet::default();
            ports.add("tcp", port, port);
            let steps = vec!["public network access is enabled and the network rules allow every address".to_string()];
            found.push((*n, exposure::of(Width::Any, &ports, Vec::new(), steps, Certainty::Certain)));
        }
    }
    for (n, e) in found {
        exposure::record(g, n, e);
    }
    for (n, blob_public, _) in &st.storage {
        if *blob_public == Some(true) {
            g.set_flag(*n, insight::PUBLIC);
            let why =
                Why::Note("anonymous blob access is allowed: containers set to public can be read by anyone".into());
            let internet = g.internet();
            g.add_edge(internet, *n, ety::CAN_READ, Some(EdgeInfo { certainty: Certainty::Conditional, why }));
        }
    }
}
