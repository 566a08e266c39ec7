//! AWS identities and permissions: compiles every policy, builds each principal's identity
//! (managed and inline policies, group policies, boundary, SCPs), then derives
//! - `can_admin` to the account for administrators (they can grant themselves anything),
//! - `can_read`/`can_write`/`can_admin`/`can_execute` to resources their policies name, and a
//!   scope-wide grant to the account where a statement names `*` (evaluated per target on demand),
//! - `can_assume` from trust policies, access granted by resource policies (public ones from the
//!   Internet node), and the privilege-escalation edges of [`super::escalate`].

use super::model::{Bnd, Model, Principal, ResPolicy};
use super::{Identity, Part, PolicyDoc};
use crate::common::RelIndex;
use crate::insight;
use crate::intern::Sym;
use crate::model::{ety, EdgeInfo, EdgeTy, Grant, GrantBody, Graph, Why};
use crate::perm::Access;
use crate::uids::NodeId;
use posture_permissions::aws::policy::{Effect, Match, PrincipalMatch};
use posture_permissions::aws::{self, catalog, Policy, PrincipalKind, ResourceMode};
use posture_permissions::{Certainty, Level};
use rustc_hash::{FxHashMap, FxHashSet};

/// A statement naming fewer resources than this is expanded into edges at build time; more, and
/// it becomes a scope-wide grant evaluated per target on demand.
const NARROW: usize = 64;

pub(super) struct Managed {
    pub default: Option<u32>,
    /// Non-default versions with documents: (version id, doc).
    pub versions: Option<Vec<(String, u32)>>,
    pub aws_managed: bool,
}

/// What the escalation pass needs besides the model.
#[derive(Default)]
pub(super) struct Ctx {
    pub managed: FxHashMap<NodeId, Managed>,
    /// Managed policies attached to each principal, directly or through its groups.
    pub attached: FxHashMap<NodeId, Vec<NodeId>>,
    pub groups_of: FxHashMap<NodeId, Vec<NodeId>>,
    pub trust: FxHashMap<NodeId, u32>,
    pub identities: FxHashMap<NodeId, Identity>,
    pub by_account: FxHashMap<Sym, Vec<NodeId>>,
    pub scope: FxHashMap<Sym, NodeId>,
    pub privileged: FxHashSet<NodeId>,
    /// (principal, role) pairs of the can_assume edges found.
    pub assumable: FxHashSet<(NodeId, NodeId)>,
    pub attacker: Option<u32>,
}

pub(super) type NewEdge = (NodeId, NodeId, EdgeTy, EdgeInfo);

/// A bucket's Block Public Access (bucket, account) and whether its ACL is public.
type BucketAccess = ([Option<bool>; 4], [Option<bool>; 4], Option<bool>);

pub(crate) fn derive(g: &mut Graph, parts: Vec<(NodeId, Part)>, rels: &RelIndex) {
    let mut m = Model::default();
    let mut cx = Ctx::default();
    let mut identities = Vec::new();
    let mut scps: Vec<(Vec<String>, Option<u32>)> = Vec::new();
    let mut org_accounts: Vec<(String, String, bool)> = Vec::new();
    let mut org_id: Option<String> = None;
    let mut buckets: FxHashMap<NodeId, BucketAccess> = FxHashMap::default();
    let mut exec_roles = Vec::new();
    for (n, p) in parts {
        match p {
            Part::Identity(id) => identities.push((n, *id)),
            Part::Policy(doc) => compile_managed(g, &mut m, &mut cx, n, *doc),
            Part::ResourcePolicy { policy, unreadable } => {
                let doc = policy.map(|p| m.add_doc(p, n, resource_policy_name(g.kind(n))));
                m.resource_policies.insert(n, ResPolicy { doc, unreadable });
            }
            Part::Scp { targets, doc } => {
                let doc = doc.map(|p| m.add_doc(p, n, "service control policy".into()));
                scps.push((targets, doc));
            }
            Part::OrgAccount { id, parent, management } => org_accounts.push((id, parent, management)),
            Part::Organization { id } => org_id = Some(id),
            Part::Bucket { pab, account_pab, public_acl } => {
                buckets.insert(n, (pab, account_pab, public_acl));
            }
            Part::ExecutionRole(arn) => exec_roles.push((n, arn)),
            _ => {}
        }
    }
    let org = Org::new(&scps, &org_accounts, org_id);
    let groups = index_groups(g, &identities);
    let own: FxHashMap<NodeId, Own> =
        identities.iter().map(|(n, id)| (*n, own_policies(g, &mut m, &cx, *n, id))).collect();
    for (n, id) in identities {
        let p = principal(g, &mut cx, &groups, &own, &org, n, &id);
        if id.kind == PrincipalKind::Role {
            if let Some(t) = &id.trust {
                let doc = m.add_doc(t.clone(), n, "trust policy".into());
                cx.trust.insert(n, doc);
            }
        }
        let acct = g.node(n).account;
        cx.by_account.entry(acct).or_default().push(n);
        if !p.missing.is_empty() {
            g.set_flag(n, insight::PERMS_INCOMPLETE);
        }
        m.principals.insert(n, p);
        cx.identities.insert(n, id);
    }
    account_scopes(g, &m, &mut cx);
    cx.attacker = Some(m.add_doc(allow_all(), g.internet(), "the attacker's own account".into()));
    g.perms.aws = m;
    external_principals(g, &cx);
    let mut edges: Vec<NewEdge> = Vec::new();
    let mut grants: Vec<Grant> = Vec::new();
    {
        let g: &Graph = g;
        let m = &g.perms.aws;
        let mut ids: Vec<NodeId> = m.principals.keys().copied().collect();
        ids.sort_unstable();
        let mut levels = LevelCache::default();
        for p in &ids {
            principal_edges(g, m, &mut cx, *p, &mut edges, &mut grants, &mut levels);
        }
        trust_edges(g, m, &mut cx, &mut edges);
        resource_policy_edges(g, m, &cx, &buckets, &mut edges);
        super::escalate::derive(g, m, &cx, rels, &mut edges);
    }
    for role in exec_roles_without_relation(g, rels, exec_roles) {
        edges.push(role);
    }
    for (u, gs) in &cx.groups_of {
        for gr in gs {
            edges.push((
                *u,
                *gr,
                ety::MEMBER_OF,
                EdgeInfo { certainty: Certainty::Certain, why: Why::Note("IAM group membership".into()) },
            ));
        }
    }
    let base = g.grants.len() as u32;
    g.grants.extend(grants);
    let mut seen = FxHashSet::default();
    // The first reason found for an edge stands (identity policies before resource policies).
    edges.retain(|(f, t, ty, info)| matches!(info.why, Why::Broad(_)) || seen.insert((*f, *t, *ty)));
    for (f, t, ty, mut info) in edges {
        if let Why::Broad(i) = &mut info.why {
            *i += base;
        }
        g.add_edge(f, t, ty, Some(info));
    }
    for p in cx.privileged {
        g.set_flag(p, insight::PRIVILEGED);
    }
}

fn resource_policy_name(kind: &str) -> String {
    match kind {
        "aws.s3.bucket" => "bucket policy",
        "aws.kms.key" => "key policy",
        "aws.lambda.function" => "function policy",
        "aws.sqs.queue" => "queue policy",
        "aws.sns.topic" => "topic policy",
        "aws.secretsmanager.secret" => "secret policy",
        _ => "resource policy",
    }
    .into()
}

fn allow_all() -> Policy {
    Policy::from_json(&serde_json::json!({"statements": [{"effect": "Allow", "actions": ["*"], "resources": ["*"]}]}))
        .unwrap_or_default()
}

fn compile_managed(g: &Graph, m: &mut Model, cx: &mut Ctx, n: NodeId, doc: PolicyDoc) {
    let name = g.name(n).to_string();
    let dv = doc.default_version.clone().unwrap_or_else(|| "default".into());
    let mut default = doc.default.map(|p| m.add_doc(p, n, format!("managed policy {name} ({dv}, default)")));
    let versions = doc.versions.map(|vs| {
        let mut out = Vec::new();
        for (id, is_default, p) in vs {
            let Some(p) = p else { continue };
            if is_default {
                if default.is_none() {
                    default = Some(m.add_doc(p, n, format!("managed policy {name} ({id}, default)")));
                }
            } else {
                out.push((id.clone(), m.add_doc(p, n, format!("managed policy {name} ({id}, not default)"))));
            }
        }
        out
    });
    cx.managed.insert(n, Managed { default, versions, aws_managed: doc.aws_managed });
}

/// Organisation facts: SCP levels per account and the organisation id.
struct Org {
    scps: Vec<(Vec<String>, Option<u32>)>,
    parent: FxHashMap<String, (String, bool)>,
    id: Option<String>,
}

impl Org {
    fn new(scps: &[(Vec<String>, Option<u32>)], accounts: &[(String, String, bool)], id: Option<String>) -> Org {
        Org { scps: scps.to_vec(), parent: accounts.iter().map(|(a, p, m)| (a.clone(), (p.clone(), *m))).collect(), id }
    }

    /// SCP levels (root, parent OU, account) that apply to `account`; empty when none are known.
    fn levels(&self, account: &str) -> Vec<Vec<u32>> {
        if self.scps.is_empty() || self.parent.get(account).is_some_and(|(_, mgmt)| *mgmt) {
            return Vec::new();
        }
        let parent = self.parent.get(account).map(|(p, _)| p.as_str()).unwrap_or("");
        let at = |pred: &dyn Fn(&str) -> bool| -> Vec<u32> {
            self.scps.iter().filter(|(t, _)| t.iter().any(|x| pred(x))).filter_map(|(_, d)| *d).collect()
        };
        let levels =
            [at(&|t| t.starts_with("r-")), at(&|t| t.starts_with("ou-") && t == parent), at(&|t| t == account)];
        levels.into_iter().filter(|l| !l.is_empty()).collect()
    }

    fn org_of(&self, account: &str) -> Option<String> {
        self.id.as_ref().filter(|_| self.parent.contains_key(account)).cloned()
    }
}

/// Groups by (account, name).
fn index_groups(g: &Graph, ids: &[(NodeId, Identity)]) -> FxHashMap<(Sym, String), NodeId> {
    ids.iter()
        .filter(|(_, i)| i.kind == PrincipalKind::Group)
        .map(|(n, _)| ((g.node(*n).account, g.name(*n).to_string()), *n))
        .collect()
}

/// An identity's own policies (managed and inline), compiled once.
struct Own {
    docs: Vec<u32>,
    attached: Vec<NodeId>,
    may_allow_more: bool,
    may_deny: bool,
    missing: Vec<String>,
}

fn own_policies(g: &Graph, m: &mut Model, cx: &Ctx, n: NodeId, id: &Identity) -> Own {
    let mut o =
        Own { docs: Vec::new(), attached: Vec::new(), may_allow_more: false, may_deny: false, missing: Vec::new() };
    for arn in &id.attached {
        let node = g.find(arn);
        o.attached.extend(node);
        match node.and_then(|x| cx.managed.get(&x)) {
            Some(mp) if mp.default.is_some() => o.docs.extend(mp.default),
            found => {
                let aws_managed = found.is_some_and(|mp| mp.aws_managed) || arn.contains(":aws:policy/");
                o.may_allow_more = true;
                o.may_deny |= !aws_managed;
                o.missing.push(format!("policy {arn} was not collected"));
            }
        }
    }
    for (name, doc) in &id.inline {
        match doc {
            Some(d) => o.docs.push(m.add_doc(d.clone(), n, format!("inline policy '{name}' of {}", g.name(n)))),
            None => {
                o.may_allow_more = true;
                o.may_deny = true;
                o.missing.push(format!("inline policy '{name}' was not collected"));
            }
        }
    }
    o
}

fn principal(
    g: &Graph,
    cx: &mut Ctx,
    groups: &FxHashMap<(Sym, String), NodeId>,
    own: &FxHashMap<NodeId, Own>,
    org: &Org,
    n: NodeId,
    id: &Identity,
) -> Principal {
    let account = g.account(n).to_string();
    let mut p = Principal {
        who: aws::Principal {
            arn: g.uid(n).to_string(),
            account: Some(account.clone()),
            kind: id.kind.clone(),
            name: g.name(n).to_string(),
            org_id: org.org_of(&account),
            tags: g.tags(n).map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            mfa_device: if id.kind == PrincipalKind::User { id.mfa } else { None },
        },
        policies: Vec::new(),
        may_allow_more: false,
        may_deny: false,
        boundary: Bnd::None,
        scps: org.levels(&account),
        missing: Vec::new(),
    };
    let mut sources = vec![n];
    for gname in &id.groups {
        match groups.get(&(g.node(n).account, gname.clone())) {
            Some(gn) => {
                cx.groups_of.entry(n).or_default().push(*gn);
                sources.push(*gn);
            }
            None => {
                p.may_allow_more = true;
                p.may_deny = true;
                p.missing.push(format!("group {gname} was not collected"));
            }
        }
    }
    for src in sources {
        let Some(o) = own.get(&src) else { continue };
        p.policies.extend(&o.docs);
        p.may_allow_more |= o.may_allow_more;
        p.may_deny |= o.may_deny;
        p.missing.extend(o.missing.iter().cloned());
        cx.attached.entry(n).or_default().extend(&o.attached);
    }
    p.boundary = match (&id.kind, &id.boundary) {
        (PrincipalKind::Group, _) | (_, Some(None)) => Bnd::None,
        (_, None) => {
            p.missing.push("whether a permissions boundary is set was not collected".into());
            Bnd::Unreadable
        }
        (_, Some(Some(arn))) => match g.find(arn).and_then(|b| cx.managed.get(&b)).and_then(|mp| mp.default) {
            Some(doc) => Bnd::Doc(doc),
            None => {
                p.missing.push(format!("permissions boundary {arn} was not collected"));
                Bnd::Unreadable
            }
        },
    };
    p
}

/// The uid standing for an AWS principal named in a policy: account ids become account roots.
fn principal_uid(who: &str) -> String {
    if !who.is_empty() && who.bytes().all(|b| b.is_ascii_digit()) {
        format!("arn:aws:iam::{who}:root")
    } else {
        who.to_string()
    }
}

/// Virtual nodes for the principals trust and resource policies name that are not collected.
fn external_principals(g: &mut Graph, cx: &Ctx) {
    let mut names: Vec<String> = Vec::new();
    {
        let m = &g.perms.aws;
        let docs = cx.trust.values().copied().chain(m.resource_policies.values().filter_map(|r| r.doc));
        for d in docs.filter_map(|d| m.docs.get(d as usize)) {
            for s in &d.policy.statements {
                if let Some(PrincipalMatch::Only(ps)) = &s.principal {
                    names.extend(ps.aws.iter().filter(|p| !p.is_any()).map(|p| principal_uid(p.as_str())));
                    names.extend(ps.federated.iter().cloned());
                }
            }
        }
    }
    names.sort();
    names.dedup();
    for uid in names {
        if g.find(&uid).is_some() {
            continue;
        }
        let acct = aws::arn_account(&uid).unwrap_or("").to_string();
        let name = match uid.strip_suffix(":root") {
            Some(_) => format!("external account {acct}"),
            None => uid.rsplit(['/', ':']).next().unwrap_or(&uid).to_string(),
        };
        g.virtual_node(&uid, "aws.virtual.principal", &name, &acct, insight::EXTERNAL.0 | insight::IDENTITY.0);
    }
}

fn account_scopes(g: &mut Graph, m: &Model, cx: &mut Ctx) {
    let mut accounts: Vec<Sym> = m.principals.keys().map(|n| g.node(*n).account).collect();
    accounts.extend(m.resource_policies.keys().map(|n| g.node(*n).account));
    accounts.sort_unstable();
    accounts.dedup();
    let aws = g.syms.intern("aws");
    for a in accounts {
        let acct = g.sym(a).to_string();
        if acct.is_empty() {
            continue;
        }
        let uid = format!("arn:aws:iam::{acct}:root");
        let node = g.virtual_node(&uid, "aws.iam.account", &acct, &acct, 0);
        g.set_flag(node, insight::SCOPE);
        g.account_scope.insert((aws, a), node);
        cx.scope.insert(a, node);
    }
}

fn access_edges(from: NodeId, to: NodeId, list: Vec<Access>, out: &mut Vec<NewEdge>) {
    for a in list {
        out.push((from, to, edge_for(a.level, to), EdgeInfo { certainty: a.certainty, why: a.why }));
    }
}

fn edge_for(level: Level, _to: NodeId) -> EdgeTy {
    match level {
        Level::Read => ety::CAN_READ,
        Level::Write => ety::CAN_WRITE,
        Level::Admin => ety::CAN_ADMIN,
        Level::Execute => ety::CAN_EXECUTE,
    }
}

const ADMIN_PROBES: [&str; 3] = ["iam:PutUserPolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy"];

/// Whether `p` can grant itself anything: the IAM write actions on every resource.
pub(super) fn admin(m: &Model, p: &Principal) -> Option<(Certainty, Vec<aws::Cite>)> {
    let mut certainty = Certainty::Certain;
    let mut cites = Vec::new();
    for a in ADMIN_PROBES {
        let d = m.decide_arn(p, a, "*", p.who.account.as_deref(), None, ResourceMode::None);
        certainty = certainty.min(d.allowed?);
        cites.extend(d.allow_by);
    }
    Some((certainty, cites))
}

/// The levels each (document, statement) could give, computed once per document.
type LevelCache = FxHashMap<(u32, usize), Vec<Level>>;

fn principal_edges(
    g: &Graph,
    m: &Model,
    cx: &mut Ctx,
    n: NodeId,
    out: &mut Vec<NewEdge>,
    grants: &mut Vec<Grant>,
    levels: &mut LevelCache,
) {
    let Some(p) = m.principals.get(&n) else {
        return;
    };
    let acct = g.node(n).account;
    let scope = cx.scope.get(&acct).copied();
    if let (Some((c, cites)), Some(scope)) = (admin(m, p), scope) {
        // Collected policies grant it, even if an uncollected one might deny.
        if c > Certainty::Unknown || !cites.is_empty() {
            cx.privileged.insert(n);
        }
        let why = Why::Policy {
            actions: ADMIN_PROBES.iter().map(|s| s.to_string()).collect(),
            cites: m.cites(&cites),
            denies: Vec::new(),
            note: Some("administrator: can grant itself any permission".into()),
        };
        out.push((n, scope, ety::CAN_ADMIN, EdgeInfo { certainty: c, why }));
    }
    let (narrow, broad) = statement_targets(g, m, p, levels);
    let mut seen = FxHashSet::default();
    for t in narrow {
        if seen.insert(t) {
            access_edges(n, t, m.access_of(g, p, t), out);
        }
    }
    if let (false, Some(scope)) = (broad.is_empty(), scope) {
        grants.push(Grant {
            principal: n,
            scope,
            body: GrantBody::Aws,
            source: n,
            role_name: String::new(),
            certainty: Certainty::Certain,
        });
        let gi = (grants.len() - 1) as u32;
        for level in broad {
            out.push((
                n,
                scope,
                edge_for(level, scope),
                EdgeInfo { certainty: Certainty::Certain, why: Why::Broad(gi) },
            ));
        }
    }
}

/// The resources named by `p`'s Allow statements (few enough to evaluate now), and the levels of
/// statements that name too many to list (scope-wide grants).
fn statement_targets(g: &Graph, m: &Model, p: &Principal, cache: &mut LevelCache) -> (Vec<NodeId>, Vec<Level>) {
    let mut narrow = Vec::new();
    let mut broad: Vec<Level> = Vec::new();
    if p.may_allow_more {
        broad.extend(Level::ALL);
    }
    for (di, d) in p.policies.iter().filter_map(|i| m.docs.get(*i as usize).map(|d| (*i, d))) {
        for (si, s) in d.policy.statements.iter().enumerate().filter(|(_, s)| s.effect == Effect::Allow) {
            let levels = cache.entry((di, si)).or_insert_with(|| statement_levels(&s.action)).clone();
            if levels.is_empty() {
                continue;
            }
            let patterns = match &s.resource {
                Match::Only(ps) => ps,
                _ => {
                    broad.extend(levels);
                    continue;
                }
            };
            for pat in patterns {
                let mut prefix = pat.literal_prefix();
                if let Some(i) = prefix.find(":::").and_then(|i| prefix[i + 3..].find('/').map(|j| i + 3 + j)) {
                    prefix = &prefix[..i];
                }
                let hits = g.uids.with_prefix(prefix);
                if prefix.len() < 8 || hits.len() > NARROW {
                    broad.extend(levels.iter().copied());
                } else {
                    narrow.extend(hits.iter().copied().filter(|t| catalog::kind_access(g.kind(*t)).is_some()));
                }
            }
        }
    }
    broad.sort();
    broad.dedup();
    (narrow, broad)
}

/// The levels whose catalogue actions a statement's Action could name.
fn statement_levels(action: &Match) -> Vec<Level> {
    let hit = |a: &str| match action {
        Match::Only(ps) => ps.iter().any(|p| p.matches(a)),
        Match::Not(ps) => !ps.iter().any(|p| p.matches(a)),
        Match::Implicit => false,
    };
    Level::ALL
        .into_iter()
        .filter(|l| catalog::KINDS.iter().any(|k| k.probes(*l).iter().any(|pr| hit(pr.action))))
        .collect()
}

const ASSUME: [&str; 3] = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"];

/// An outsider in control of its own AWS account.
pub(super) fn outsider(cx: &Ctx, arn: &str, account: &str) -> Principal {
    Principal {
        who: aws::Principal {
            arn: arn.to_string(),
            account: Some(account.to_string()),
            kind: PrincipalKind::Role,
            name: String::new(),
            org_id: Some("o-outside".into()),
            tags: Vec::new(),
            mfa_device: None,
        },
        policies: cx.attacker.into_iter().collect(),
        may_allow_more: false,
        may_deny: false,
        boundary: Bnd::None,
        scps: Vec::new(),
        missing: Vec::new(),
    }
}

fn trust_edges(g: &Graph, m: &Model, cx: &mut Ctx, out: &mut Vec<NewEdge>) {
    let mut roles: Vec<(NodeId, u32)> = cx.trust.iter().map(|(r, d)| (*r, *d)).collect();
    roles.sort_unstable();
    for (role, doc) in roles {
        let Some(d) = m.docs.get(doc as usize) else {
            continue;
        };
        let mut named: Vec<String> = Vec::new();
        let mut federated = Vec::new();
        for s in d.policy.statements.iter().filter(|s| s.effect == Effect::Allow) {
            if let Some(PrincipalMatch::Only(ps)) = &s.principal {
                named.extend(ps.aws.iter().map(|p| p.as_str().to_string()));
                federated.extend(ps.federated.iter().map(|f| (f.clone(), !s.conditions.is_empty())));
            }
        }
        named.sort();
        named.dedup();
        for who in named {
            assume_by(g, m, cx, role, doc, &who, out);
        }
        for (idp, conditioned) in federated {
            let Some(from) = g.find(&idp) else { continue };
            let certainty = if conditioned { Certainty::Conditional } else { Certainty::Certain };
            let note = if conditioned {
                "federated identities matching the trust conditions"
            } else {
                "ANY identity of this provider: the trust has no conditions"
            };
            out.push((from, role, ety::CAN_ASSUME, EdgeInfo { certainty, why: Why::Note(format!("{idp}: {note}")) }));
        }
    }
}

fn assume_decision(
    m: &Model,
    p: &Principal,
    role_uid: &str,
    account: Option<&str>,
    doc: u32,
) -> Option<(Certainty, aws::Decision)> {
    let mut best: Option<(Certainty, aws::Decision)> = None;
    for a in ASSUME {
        let d = m.decide_arn(p, a, role_uid, account, Some(doc), ResourceMode::Required);
        if let Some(c) = d.allowed {
            if best.as_ref().is_none_or(|(b, _)| c > *b) {
                best = Some((c, d));
            }
        }
    }
    best
}

fn assume_info(m: &Model, c: Certainty, d: &aws::Decision) -> EdgeInfo {
    let note =
        (!d.unknown_keys.is_empty()).then(|| format!("depends on condition keys: {}", d.unknown_keys.join(", ")));
    EdgeInfo {
        certainty: c,
        why: Why::Policy {
            actions: vec!["sts:AssumeRole".into()],
            cites: m.cites(&d.allow_by),
            denies: m.cites(&d.deny_by),
            note,
        },
    }
}

/// Edges from whoever `who` (a trust policy's AWS principal) stands for to `role`.
fn assume_by(g: &Graph, m: &Model, cx: &mut Ctx, role: NodeId, doc: u32, who: &str, out: &mut Vec<NewEdge>) {
    let role_acct = g.account(role);
    let account = (!role_acct.is_empty()).then_some(role_acct);
    let role_uid = g.uid(role);
    if who == "*" {
        let p = outsider(cx, "arn:aws:iam::000000000000:role/anyone", "000000000000");
        if let Some((c, d)) = assume_decision(m, &p, role_uid, account, doc) {
            out.push((g.internet(), role, ety::CAN_ASSUME, assume_info(m, c, &d)));
        }
        return;
    }
    let acct_of = who
        .strip_suffix(":root")
        .and_then(aws::arn_account)
        .map(str::to_string)
        .or_else(|| (!who.is_empty() && who.bytes().all(|b| b.is_ascii_digit())).then(|| who.to_string()));
    if let Some(acct) = acct_of {
        let members = g.syms.get(&acct).and_then(|s| cx.by_account.get(&s)).cloned().unwrap_or_default();
        if members.is_empty() {
            // No principal of that account was collected: it stands as one outside party.
            if let Some(x) = g.find(&principal_uid(who)) {
                let p = outsider(cx, who, &acct);
                if let Some((c, d)) = assume_decision(m, &p, role_uid, account, doc) {
                    let c = if g.has(x, insight::EXTERNAL) { c } else { Certainty::Unknown };
                    out.push((x, role, ety::CAN_ASSUME, assume_info(m, c, &d)));
                }
            }
            return;
        }
        for pn in members {
            let Some(p) = m.principals.get(&pn).filter(|p| p.who.kind != PrincipalKind::Group) else {
                continue;
            };
            if pn == role || !(m.could(p, "sts:AssumeRole") || p.may_allow_more) {
                continue;
            }
            if let Some((c, d)) = assume_decision(m, p, role_uid, account, doc) {
                cx.assumable.insert((pn, role));
                out.push((pn, role, ety::CAN_ASSUME, assume_info(m, c, &d)));
            }
        }
        return;
    }
    match g.find(who).and_then(|pn| m.principals.get(&pn).map(|p| (pn, p))) {
        Some((pn, p)) => {
            if let Some((c, d)) = assume_decision(m, p, role_uid, account, doc) {
                cx.assumable.insert((pn, role));
                out.push((pn, role, ety::CAN_ASSUME, assume_info(m, c, &d)));
            }
        }
        None => {
            let Some(x) = g.find(who) else { return };
            let p = outsider(cx, who, aws::arn_account(who).unwrap_or("000000000000"));
            if let Some((c, d)) = assume_decision(m, &p, role_uid, account, doc) {
                out.push((x, role, ety::CAN_ASSUME, assume_info(m, c, &d)));
            }
        }
    }
}

/// Access granted by resource policies to principals they name, and to everyone.
fn resource_policy_edges(
    g: &Graph,
    m: &Model,
    cx: &Ctx,
    buckets: &FxHashMap<NodeId, BucketAccess>,
    out: &mut Vec<NewEdge>,
) {
    let mut list: Vec<(NodeId, ResPolicy)> = m.resource_policies.iter().map(|(n, r)| (*n, *r)).collect();
    list.sort_unstable_by_key(|(n, _)| *n);
    for (t, rp) in list {
        let bucket = buckets.get(&t);
        let block_policy = bucket.is_some_and(|(b, a, _)| {
            b[2] == Some(true) || b[3] == Some(true) || a[2] == Some(true) || a[3] == Some(true)
        });
        let mut public = Vec::new();
        if let Some(doc) = rp.doc.and_then(|d| m.docs.get(d as usize)) {
            let mut named = Vec::new();
            for s in doc.policy.statements.iter().filter(|s| s.effect == Effect::Allow) {
                if let Some(PrincipalMatch::Only(ps)) = &s.principal {
                    named.extend(ps.aws.iter().map(|p| p.as_str().to_string()));
                }
            }
            named.sort();
            named.dedup();
            for who in named {
                if who == "*" {
                    if !block_policy {
                        public = anonymous_access(g, m, t);
                    }
                    continue;
                }
                grant_named(g, m, cx, t, &who, out);
            }
        }
        if let Some((b, a, Some(true))) = bucket {
            if b[1] != Some(true) && a[1] != Some(true) && !public.iter().any(|x: &Access| x.level == Level::Read) {
                public.push(Access {
                    level: Level::Read,
                    certainty: Certainty::Certain,
                    why: Why::Note("the bucket ACL grants AllUsers or AuthenticatedUsers".into()),
                });
            }
        }
        if !public.is_empty() {
            access_edges(g.internet(), t, public, out);
        }
    }
}

fn anonymous_access(g: &Graph, m: &Model, t: NodeId) -> Vec<Access> {
    let p = Principal {
        who: aws::Principal::anonymous(),
        policies: Vec::new(),
        may_allow_more: false,
        may_deny: false,
        boundary: Bnd::None,
        scps: Vec::new(),
        missing: Vec::new(),
    };
    m.access_of(g, &p, t)
}

/// Access for the principal(s) a resource policy names.
fn grant_named(g: &Graph, m: &Model, cx: &Ctx, t: NodeId, who: &str, out: &mut Vec<NewEdge>) {
    let t_acct = g.account(t);
    let acct = who
        .strip_suffix(":root")
        .and_then(aws::arn_account)
        .map(str::to_string)
        .or_else(|| (!who.is_empty() && who.bytes().all(|b| b.is_ascii_digit())).then(|| who.to_string()));
    if let Some(acct) = acct {
        // Same account: the principals' identity edges already cover it.
        if acct == t_acct {
            return;
        }
        let members = g.syms.get(&acct).and_then(|s| cx.by_account.get(&s)).cloned().unwrap_or_default();
        for pn in members {
            if let Some(p) = m.principals.get(&pn).filter(|p| p.who.kind != PrincipalKind::Group) {
                access_edges(pn, t, m.access_of(g, p, t), out);
            }
        }
        if let Some(x) = g.find(&principal_uid(who)).filter(|x| g.has(*x, insight::EXTERNAL)) {
            access_edges(x, t, m.access_of(g, &outsider(cx, who, &acct), t), out);
        }
        return;
    }
    if let Some(pn) = g.find(who) {
        match m.principals.get(&pn) {
            Some(p) => access_edges(pn, t, m.access_of(g, p, t), out),
            None => {
                access_edges(pn, t, m.access_of(g, &outsider(cx, who, aws::arn_account(who).unwrap_or("")), t), out)
            }
        }
    }
}

/// Lambda functions naming their role only in `role_arn`.
fn exec_roles_without_relation(g: &Graph, rels: &RelIndex, list: Vec<(NodeId, String)>) -> Vec<NewEdge> {
    let assumes = crate::common::rel(g, "assumes_role");
    list.into_iter()
        .filter(|(f, _)| rels.targets(*f, assumes).next().is_none())
        .filter_map(|(f, arn)| {
            let role = g.find(&arn)?;
            Some((
                f,
                role,
                ety::CAN_AUTHENTICATE_AS,
                EdgeInfo { certainty: Certainty::Certain, why: Why::Identity("execution role".into()) },
            ))
        })
        .collect()
}
