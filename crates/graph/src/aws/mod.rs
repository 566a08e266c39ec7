//! AWS: what IAM identities, policies, resource policies, organisations and network resources
//! contribute to the graph. Attribute shapes follow `schema/kinds/aws.*.json`, and these are read
//! when present (documented in `docs/graph.md`, written by the AWS collector and importer):
//! `inline_policies` on users, roles and groups, `versions` on managed policies, and the
//! `aws.iam.group` and `aws.ec2.route_table` kinds.

mod escalate;
mod exposure;
mod iam;
mod model;

pub(crate) use model::{Bnd, Model};

use crate::insight;
use crate::model::Graph;
use crate::uids::NodeId;
use posture_model::Resource;
use posture_permissions::aws::{Policy, PrincipalKind};
use serde_json::{Map, Value};

pub(crate) struct Identity {
    pub kind: PrincipalKind,
    /// Managed policy ARNs (attributes and `attached_policy` relations).
    pub attached: Vec<String>,
    /// Inline policies: name and document (`None`: named but not collected).
    pub inline: Vec<(String, Option<Policy>)>,
    /// `None`: not collected; `Some(None)`: no boundary.
    pub boundary: Option<Option<String>>,
    pub groups: Vec<String>,
    pub trust: Option<Policy>,
    pub mfa: Option<bool>,
    pub console: Option<bool>,
    pub active_keys: Option<usize>,
}

pub(crate) struct PolicyDoc {
    pub default: Option<Policy>,
    pub default_version: Option<String>,
    /// Every version with its document, when collected: (id, is default, document).
    pub versions: Option<Vec<(String, bool, Option<Policy>)>>,
    pub aws_managed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SgRule {
    pub protocol: String,
    pub from: u16,
    pub to: u16,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct NaclEntry {
    pub number: i64,
    pub egress: bool,
    pub allow: bool,
    pub protocol: String,
    pub from: u16,
    pub to: u16,
    pub cidr: String,
}

pub(crate) enum Part {
    Identity(Box<Identity>),
    Policy(Box<PolicyDoc>),
    /// A resource policy: `None` with `unreadable` when not collected.
    ResourcePolicy {
        policy: Option<Policy>,
        unreadable: bool,
    },
    Scp {
        targets: Vec<String>,
        doc: Option<Policy>,
    },
    OrgAccount {
        id: String,
        parent: String,
        management: bool,
    },
    Organization {
        id: String,
    },
    Sg(Vec<SgRule>),
    Nacl {
        subnets: Vec<String>,
        entries: Vec<NaclEntry>,
    },
    RouteTable {
        subnets: Vec<String>,
        vpc: String,
        main: bool,
        to_igw: bool,
    },
    Subnet {
        id: String,
        vpc: String,
    },
    Instance {
        public_ip: Option<Option<String>>,
        subnet: Option<String>,
        vpc: Option<String>,
    },
    Db {
        public: Option<bool>,
        port: Option<u16>,
    },
    Lb {
        internet_facing: bool,
        ports: Vec<u16>,
    },
    FunctionUrl {
        auth: Option<String>,
    },
    ExecutionRole(String),
    Bucket {
        pab: [Option<bool>; 4],
        account_pab: [Option<bool>; 4],
        public_acl: Option<bool>,
    },
}

fn strs(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn policy(v: Option<&Value>) -> Option<Policy> {
    v.filter(|v| v.is_object()).and_then(|v| Policy::from_json(v).ok())
}

fn identity(r: &Resource, kind: PrincipalKind) -> Identity {
    let a = &r.attrs;
    // Relations name the policies as collected; the attribute is the fallback.
    let mut attached: Vec<String> = r.related("attached_policy").map(str::to_string).collect();
    if attached.is_empty() {
        attached = a
            .get("attached_policies")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|p| p.get("policy_arn").and_then(Value::as_str).map(str::to_string)).collect())
            .unwrap_or_default();
    }
    attached.sort();
    attached.dedup();
    let mut inline: Vec<(String, Option<Policy>)> = a
        .get("inline_policies")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|p| {
                    let name =
                        p.get("policy_name").or_else(|| p.get("name")).and_then(Value::as_str).unwrap_or("inline");
                    (name.to_string(), policy(p.get("document")))
                })
                .collect()
        })
        .unwrap_or_default();
    for name in strs(a.get("inline_policy_names")) {
        if !inline.iter().any(|(n, _)| *n == name) {
            inline.push((name, None));
        }
    }
    let boundary = a.get("permissions_boundary_arn").map(|v| v.as_str().map(str::to_string));
    let keys = a
        .get("access_keys")
        .and_then(Value::as_array)
        .map(|k| k.iter().filter(|x| x.get("status").and_then(Value::as_str) == Some("Active")).count());
    Identity {
        kind,
        attached,
        inline,
        boundary,
        groups: strs(a.get("groups")),
        trust: policy(a.get("trust_policy")),
        mfa: a.get("mfa_active").and_then(Value::as_bool),
        console: a.get("password_enabled").and_then(Value::as_bool),
        active_keys: keys,
    }
}

fn user_flags(id: &Identity) -> u32 {
    let mut f = 0;
    if id.console == Some(true) {
        f |= insight::CONSOLE.0;
    }
    if id.active_keys.unwrap_or(0) > 0 {
        f |= insight::ACCESS_KEYS.0;
    }
    if id.mfa == Some(false) && (id.console == Some(true) || id.active_keys.unwrap_or(0) > 0) {
        f |= insight::LACKS_MFA.0;
    }
    f
}

fn policy_doc(a: &Map<String, Value>) -> PolicyDoc {
    let versions = a.get("versions").and_then(Value::as_array).map(|l| {
        l.iter()
            .map(|v| {
                let id = v.get("version_id").and_then(Value::as_str).unwrap_or_default().to_string();
                let default = v
                    .get("is_default_version")
                    .or_else(|| v.get("is_default"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                (id, default, policy(v.get("document")))
            })
            .collect()
    });
    PolicyDoc {
        default: policy(a.get("document")),
        default_version: a.get("default_version_id").and_then(Value::as_str).map(str::to_string),
        versions,
        aws_managed: a.get("is_aws_managed").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn pab(v: Option<&Value>) -> [Option<bool>; 4] {
    let get = |k: &str| v.and_then(|v| v.get(k)).and_then(Value::as_bool);
    [get("block_public_acls"), get("ignore_public_acls"), get("block_public_policy"), get("restrict_public_buckets")]
}

fn sg_rules(a: &Map<String, Value>) -> Vec<SgRule> {
    let Some(list) = a.get("ingress_rules").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|r| {
            let proto = crate::net::protocol(r.get("protocol").and_then(Value::as_str).unwrap_or("all"));
            let range = r.get("port_range");
            let port = |k: &str| range.and_then(|p| p.get(k)).and_then(Value::as_i64).map(|x| x.clamp(0, 65535) as u16);
            let (from, to) = match (port("from"), port("to")) {
                (Some(a), Some(b)) if a <= b => (a, b),
                _ => (0, 65535),
            };
            let sources = ["cidr_ipv4", "cidr_ipv6"]
                .iter()
                .filter_map(|k| r.get(*k).and_then(Value::as_str).map(str::to_string))
                .collect();
            SgRule { protocol: proto, from, to, sources }
        })
        .collect()
}

fn nacl(a: &Map<String, Value>) -> Part {
    let entries = a
        .get("entries")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|e| {
                    let range = e.get("port_range").filter(|v| v.is_object());
                    let port = |k: &str| {
                        range.and_then(|p| p.get(k)).and_then(Value::as_i64).map(|x| x.clamp(0, 65535) as u16)
                    };
                    NaclEntry {
                        number: e.get("rule_number").and_then(Value::as_i64).unwrap_or(32767),
                        egress: e.get("egress").and_then(Value::as_bool).unwrap_or(false),
                        allow: e
                            .get("rule_action")
                            .and_then(Value::as_str)
                            .is_some_and(|x| x.eq_ignore_ascii_case("allow")),
                        protocol: crate::net::protocol(e.get("protocol").and_then(Value::as_str).unwrap_or("all")),
                        from: port("from").unwrap_or(0),
                        to: port("to").unwrap_or(65535),
                        cidr: e
                            .get("cidr_block")
                            .or_else(|| e.get("ipv6_cidr_block"))
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Part::Nacl { subnets: strs(a.get("associated_subnet_ids")), entries }
}

fn route_table(a: &Map<String, Value>) -> Part {
    let to_igw = a.get("routes").and_then(Value::as_array).is_some_and(|routes| {
        routes.iter().any(|r| {
            let dest = r
                .get("destination_cidr_block")
                .or_else(|| r.get("destination_ipv6_cidr_block"))
                .and_then(Value::as_str);
            let gw = r.get("gateway_id").and_then(Value::as_str).unwrap_or("");
            matches!(dest, Some("0.0.0.0/0") | Some("::/0")) && gw.starts_with("igw-")
        })
    });
    Part::RouteTable {
        subnets: strs(a.get("associated_subnet_ids")),
        vpc: a.get("vpc_id").and_then(Value::as_str).unwrap_or_default().to_string(),
        main: a.get("main").and_then(Value::as_bool).unwrap_or(false),
        to_igw,
    }
}

fn lb(r: &Resource) -> Part {
    let a = &r.attrs;
    let scheme = a.get("scheme").and_then(Value::as_str).unwrap_or("");
    let ports = a
        .get("listeners")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.get("port").or_else(|| x.get("load_balancer_port")).and_then(Value::as_i64))
                .map(|p| p.clamp(0, 65535) as u16)
                .collect()
        })
        .unwrap_or_default();
    Part::Lb { internet_facing: scheme.eq_ignore_ascii_case("internet-facing"), ports }
}

/// Extracts the AWS parts of `r`; returns insight flags known from attributes.
pub(crate) fn extract(r: &Resource, parts: &mut Vec<crate::build::Part>) -> u32 {
    let a = &r.attrs;
    let mut flags = 0;
    let mut push = |p: Part| parts.push(crate::build::Part::Aws(p));
    match r.kind.as_str() {
        "aws.iam.user" => {
            let id = identity(r, PrincipalKind::User);
            flags |= user_flags(&id);
            push(Part::Identity(Box::new(id)));
        }
        "aws.iam.role" => push(Part::Identity(Box::new(identity(r, PrincipalKind::Role)))),
        "aws.iam.group" => push(Part::Identity(Box::new(identity(r, PrincipalKind::Group)))),
        "aws.iam.policy" => push(Part::Policy(Box::new(policy_doc(a)))),
        "aws.organizations.policy" => {
            let scp = a.get("type").and_then(Value::as_str) == Some("SERVICE_CONTROL_POLICY");
            if scp {
                push(Part::Scp { targets: strs(a.get("target_ids")), doc: policy(a.get("document")) });
            }
        }
        "aws.organizations.account" => push(Part::OrgAccount {
            id: r.uid.rsplit('/').next().unwrap_or(&r.uid).to_string(),
            parent: a.get("parent_id").and_then(Value::as_str).unwrap_or_default().to_string(),
            management: a.get("is_management_account").and_then(Value::as_bool).unwrap_or(false),
        }),
        "aws.organizations.organization" => push(Part::Organization {
            id: a.get("organization_id").and_then(Value::as_str).unwrap_or_default().to_string(),
        }),
        "aws.ec2.security_group" => push(Part::Sg(sg_rules(a))),
        "aws.ec2.network_acl" => push(nacl(a)),
        "aws.ec2.route_table" => push(route_table(a)),
        "aws.ec2.subnet" => push(Part::Subnet {
            id: a.get("subnet_id").and_then(Value::as_str).unwrap_or_default().to_string(),
            vpc: a.get("vpc_id").and_then(Value::as_str).unwrap_or_default().to_string(),
        }),
        "aws.ec2.instance" => push(Part::Instance {
            public_ip: a.get("public_ip_address").map(|v| v.as_str().map(str::to_string)),
            subnet: a.get("subnet_id").and_then(Value::as_str).map(str::to_string),
            vpc: a.get("vpc_id").and_then(Value::as_str).map(str::to_string),
        }),
        "aws.rds.db_instance" | "aws.rds.db_cluster" | "aws.redshift.cluster" => push(Part::Db {
            public: a.get("publicly_accessible").and_then(Value::as_bool),
            port: a
                .get("endpoint_port")
                .or_else(|| a.get("port"))
                .and_then(Value::as_i64)
                .map(|p| p.clamp(0, 65535) as u16),
        }),
        "aws.elbv2.load_balancer" | "aws.elb.load_balancer" => push(lb(r)),
        "aws.lambda.function" => {
            if let Some(url) = a.get("function_url") {
                push(Part::FunctionUrl { auth: url.get("auth_type").and_then(Value::as_str).map(str::to_string) });
            }
            if let Some(role) = a.get("role_arn").and_then(Value::as_str) {
                push(Part::ExecutionRole(role.to_string()));
            }
        }
        "aws.s3.bucket" => push(Part::Bucket {
            pab: pab(a.get("public_access_block")),
            account_pab: pab(a.get("account_public_access_block")),
            public_acl: a.get("acl_grants").and_then(Value::as_array).map(|g| {
                g.iter().any(|x| {
                    x.get("grantee_uri")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.ends_with("/AllUsers") || u.ends_with("/AuthenticatedUsers"))
                })
            }),
        }),
        _ => {}
    }
    if let Some(access) = posture_permissions::aws::catalog::kind_access(&r.kind) {
        if let Some(attr) = access.policy_attr {
            let part = match a.get(attr) {
                None => Part::ResourcePolicy { policy: None, unreadable: true },
                Some(Value::Null) => Part::ResourcePolicy { policy: None, unreadable: false },
                Some(v) => match policy(Some(v)) {
                    Some(p) => Part::ResourcePolicy { policy: Some(p), unreadable: false },
                    None => Part::ResourcePolicy { policy: None, unreadable: true },
                },
            };
            push(part);
        }
    }
    flags
}

/// Derives AWS edges: identities and permissions, then exposure.
pub(crate) fn derive(g: &mut Graph, parts: Vec<(NodeId, Part)>, rels: &crate::common::RelIndex) {
    let mut net = exposure::Net::default();
    let mut iam_parts = Vec::new();
    for (n, p) in parts {
        match p {
            Part::Sg(_)
            | Part::Nacl { .. }
            | Part::RouteTable { .. }
            | Part::Subnet { .. }
            | Part::Instance { .. }
            | Part::Db { .. }
            | Part::Lb { .. }
            | Part::FunctionUrl { .. } => net.add(n, p),
            other => iam_parts.push((n, other)),
        }
    }
    iam::derive(g, iam_parts, rels);
    net.derive(g, rels);
}
