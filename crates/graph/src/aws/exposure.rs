//! AWS internet exposure: public IPs, security groups, network ACLs and routes to internet
//! gateways for instances; `publicly_accessible` databases; internet-facing load balancers and
//! what they route to; Lambda function URLs without authentication.

use super::{NaclEntry, Part, SgRule};
use crate::common::{rel, RelIndex};
use crate::exposure::{self, through};
use crate::model::{Exposure, Graph, Width};
use crate::net::{source_width, PortSet, RuleEval};
use crate::uids::NodeId;
use posture_permissions::Certainty;
use rustc_hash::FxHashMap;

/// An instance: its public IP (`None`: not collected), subnet and VPC ids.
type InstanceNet = (NodeId, Option<Option<String>>, Option<String>, Option<String>);

#[derive(Default)]
pub(super) struct Net {
    sgs: FxHashMap<NodeId, Vec<SgRule>>,
    nacls: Vec<(NodeId, Vec<String>, Vec<NaclEntry>)>,
    routes: Vec<(Vec<String>, String, bool, bool)>,
    subnet_vpc: FxHashMap<String, String>,
    instances: Vec<InstanceNet>,
    dbs: Vec<(NodeId, Option<bool>, Option<u16>)>,
    lbs: Vec<(NodeId, bool, Vec<u16>)>,
    urls: Vec<(NodeId, Option<String>)>,
}

/// Ports a set of security groups opens to the internet.
struct Opened {
    ports: PortSet,
    width: Option<Width>,
    steps: Vec<String>,
    via: Vec<NodeId>,
    certainty: Certainty,
}

impl Net {
    pub fn add(&mut self, n: NodeId, p: Part) {
        match p {
            Part::Sg(rules) => {
                self.sgs.insert(n, rules);
            }
            Part::Nacl { subnets, entries } => self.nacls.push((n, subnets, entries)),
            Part::RouteTable { subnets, vpc, main, to_igw } => self.routes.push((subnets, vpc, main, to_igw)),
            Part::Subnet { id, vpc } => {
                self.subnet_vpc.insert(id, vpc);
            }
            Part::Instance { public_ip, subnet, vpc } => self.instances.push((n, public_ip, subnet, vpc)),
            Part::Db { public, port } => self.dbs.push((n, public, port)),
            Part::Lb { internet_facing, ports } => self.lbs.push((n, internet_facing, ports)),
            Part::FunctionUrl { auth } => self.urls.push((n, auth)),
            _ => {}
        }
    }

    fn opened(&self, g: &Graph, rels: &RelIndex, n: NodeId, only: Option<&[u16]>) -> Opened {
        let mut o = Opened {
            ports: PortSet::default(),
            width: None,
            steps: Vec::new(),
            via: Vec::new(),
            certainty: Certainty::Certain,
        };
        let has_sg = rel(g, "has_security_group");
        for sg in rels.targets(n, has_sg) {
            let Some(rules) = self.sgs.get(&sg) else {
                o.certainty = Certainty::Unknown;
                o.steps.push(format!("security group {} was not collected", g.name(sg)));
                continue;
            };
            for r in rules {
                let Some(w) = r.sources.iter().filter_map(|s| source_width(s)).max() else {
                    continue;
                };
                let (from, to) = match only {
                    Some(ports) => match ports.iter().find(|p| r.from <= **p && **p <= r.to) {
                        Some(p) => (*p, *p),
                        None => continue,
                    },
                    None => (r.from, r.to),
                };
                o.ports.add(&r.protocol, from, to);
                o.width = o.width.max(Some(w));
                let srcs: Vec<&str> =
                    r.sources.iter().map(String::as_str).filter(|s| source_width(s).is_some()).collect();
                o.steps.push(format!(
                    "security group {} allows {}/{} from {}",
                    g.name(sg),
                    r.protocol,
                    port_text(from, to),
                    srcs.join(", ")
                ));
                if !o.via.contains(&sg) {
                    o.via.push(sg);
                }
            }
        }
        o
    }

    /// Applies the subnet's network ACL to opened ports; `None` when it blocks them all.
    fn nacl(&self, g: &Graph, subnet: &str, o: &mut Opened) {
        let Some((acl, _, entries)) = self.nacls.iter().find(|(_, s, _)| s.iter().any(|x| x == subnet)) else {
            return;
        };
        let mut inbound: Vec<&NaclEntry> = entries.iter().filter(|e| !e.egress).collect();
        inbound.sort_by_key(|e| e.number);
        let mut eval = RuleEval::new();
        for e in inbound {
            let label = format!("network ACL {} rule {}", g.name(*acl), e.number);
            eval.rule(&label, e.allow, &e.protocol, &[(e.from, e.to)], std::slice::from_ref(&e.cidr));
        }
        o.ports = o.ports.intersect(&eval.allowed);
        o.steps.extend(eval.steps);
        o.via.push(*acl);
    }

    /// Whether the subnet routes to an internet gateway; `None` when route tables were not collected.
    fn routes_out(&self, subnet: &str, vpc: Option<&str>) -> Option<bool> {
        if let Some((_, _, _, igw)) = self.routes.iter().find(|(s, ..)| s.iter().any(|x| x == subnet)) {
            return Some(*igw);
        }
        let vpc = vpc.map(str::to_string).or_else(|| self.subnet_vpc.get(subnet).cloned())?;
        self.routes.iter().find(|(_, v, main, _)| *v == vpc && *main).map(|(.., igw)| *igw)
    }

    pub fn derive(self, g: &mut Graph, rels: &RelIndex) {
        let mut found: Vec<(NodeId, Exposure)> = Vec::new();
        for (n, ip, subnet, vpc) in &self.instances {
            if let Some(e) = self.instance(g, rels, *n, ip, subnet.as_deref(), vpc.as_deref()) {
                found.push((*n, e));
            }
        }
        for (n, public, port) in &self.dbs {
            if *public != Some(true) {
                continue;
            }
            let ports = port.map(|p| vec![p]);
            let mut o = self.opened(g, rels, *n, ports.as_deref());
            o.steps.insert(0, "publicly accessible".into());
            if let Some(w) = o.width.filter(|_| !o.ports.is_empty()) {
                found.push((*n, exposure::of(w, &o.ports, o.via, o.steps, o.certainty)));
            }
        }
        for (n, auth) in &self.urls {
            if auth.as_deref() == Some("NONE") {
                let mut ports = PortSet::default();
                ports.add("tcp", 443, 443);
                let steps = vec!["function URL with auth type NONE".to_string()];
                found.push((*n, exposure::of(Width::Any, &ports, Vec::new(), steps, Certainty::Certain)));
            }
        }
        for (n, e) in found {
            exposure::record(g, n, e);
        }
        self.load_balancers(g, rels);
    }

    fn instance(
        &self,
        g: &Graph,
        rels: &RelIndex,
        n: NodeId,
        ip: &Option<Option<String>>,
        subnet: Option<&str>,
        vpc: Option<&str>,
    ) -> Option<Exposure> {
        let mut o = self.opened(g, rels, n, None);
        let width = o.width?;
        match ip {
            Some(Some(ip)) => o.steps.insert(0, format!("public IP {ip}")),
            Some(None) => return None,
            None => {
                o.certainty = Certainty::Unknown;
                o.steps.insert(0, "public IP address not collected".into());
            }
        }
        if let Some(s) = subnet {
            match self.routes_out(s, vpc) {
                Some(false) => return None,
                Some(true) => o.steps.push(format!("subnet {s} routes 0.0.0.0/0 to an internet gateway")),
                None => {
                    // A public IP almost always sits in a public subnet; without the route
                    // tables that stays a condition.
                    o.certainty = o.certainty.min(Certainty::Conditional);
                    o.steps.push(
                        "route tables not collected: reachable if the subnet routes to an internet gateway".into(),
                    );
                }
            }
            self.nacl(g, s, &mut o);
        }
        (!o.ports.is_empty()).then(|| exposure::of(width, &o.ports, o.via, o.steps, o.certainty))
    }

    fn load_balancers(&self, g: &mut Graph, rels: &RelIndex) {
        let has_sg = rel(g, "has_security_group");
        let routes = rel(g, "routes_to");
        for (n, internet_facing, ports) in &self.lbs {
            if !internet_facing {
                continue;
            }
            let e = if rels.targets(*n, has_sg).next().is_some() {
                let o = self.opened(g, rels, *n, Some(ports));
                let Some(w) = o.width.filter(|_| !o.ports.is_empty()) else {
                    continue;
                };
                let mut steps = vec!["internet-facing load balancer".to_string()];
                steps.extend(o.steps);
                exposure::of(w, &o.ports, o.via, steps, o.certainty)
            } else {
                let mut set = PortSet::default();
                for p in ports {
                    set.add("tcp", *p, *p);
                }
                exposure::of(
                    Width::Any,
                    &set,
                    Vec::new(),
                    vec!["internet-facing load balancer without security groups".into()],
                    Certainty::Certain,
                )
            };
            let name = g.name(*n).to_string();
            let backs: Vec<NodeId> = rels.targets(*n, routes).collect();
            for b in backs {
                exposure::record(g, b, through(&e, *n, &format!("load balancer {name}")));
            }
            exposure::record(g, *n, e);
        }
    }
}

fn port_text(from: u16, to: u16) -> String {
    match (from, to) {
        (0, 65535) => "all".into(),
        (a, b) if a == b => a.to_string(),
        (a, b) => format!("{a}-{b}"),
    }
}
