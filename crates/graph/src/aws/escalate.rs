//! AWS privilege escalation: for every identity that is not already an administrator, the known
//! methods it can use, each checked with the policy evaluator against the exact resources involved.
//! Escalating to administrator is an edge to the account; to another identity, an edge to it.

use super::iam::{admin, Ctx, NewEdge};
use super::model::{Model, Principal};
use crate::common::RelIndex;
use crate::model::{ety, Cite, EdgeInfo, Graph, Why};
use crate::uids::NodeId;
use posture_permissions::aws::escalation::Method;
use posture_permissions::aws::{self, PrincipalKind, ResourceMode};
use posture_permissions::{and, Certainty, Maybe};
use rustc_hash::{FxHashMap, FxHashSet};

struct Esc<'a> {
    g: &'a Graph,
    m: &'a Model,
    cx: &'a Ctx,
    n: NodeId,
    p: &'a Principal,
    out: &'a mut Vec<NewEdge>,
    /// Roles whose trust lets each launch service assume them (computed once for everyone).
    launchable: &'a FxHashMap<&'static str, FxHashSet<NodeId>>,
}

const LAUNCH_SERVICES: [&str; 3] = ["ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com"];

impl Esc<'_> {
    /// May `p` do `action` on `arn`? With the statements that allow it.
    fn can(&self, action: &str, arn: &str) -> (Maybe, Vec<Cite>) {
        if !self.m.could(self.p, action) {
            return (None, Vec::new());
        }
        let account = self.p.who.account.as_deref();
        let t = aws::Target {
            resource: aws::ResourceRef::Exact(arn),
            account,
            tags: None,
            policy: None,
            policy_unreadable: false,
            mode: ResourceMode::None,
        };
        // The cheap answer first; the statements only for what is allowed.
        if aws::allowed(action, &self.p.who, &self.m.identity(self.p), &t).is_none() {
            return (None, Vec::new());
        }
        let d = self.m.decide_arn(self.p, action, arn, account, None, ResourceMode::None);
        (d.allowed, self.m.cites(&d.allow_by))
    }

    fn edge(
        &mut self,
        to: NodeId,
        method: Method,
        via: Option<NodeId>,
        certainty: Certainty,
        detail: String,
        mut cites: Vec<Cite>,
    ) {
        let mut seen = Vec::new();
        cites.retain(|c| {
            let key = (c.node, c.what.clone(), c.statement.clone());
            let new = !seen.contains(&key);
            seen.push(key);
            new
        });
        let why = Why::Escalation { method, via, detail, cites };
        self.out.push((self.n, to, ety::CAN_ESCALATE, EdgeInfo { certainty, why }));
    }

    fn scope(&self) -> Option<NodeId> {
        self.cx.scope.get(&self.g.node(self.n).account).copied()
    }

    fn same_account(&self, kind: &str) -> Vec<NodeId> {
        let acct = self.g.node(self.n).account;
        let k = self.g.kind_sym(kind);
        k.map(|k| self.g.members_of(acct, k).to_vec()).unwrap_or_default()
    }

    /// Resources of `kind` in its account that an Allow naming one of `actions` could cover:
    /// those its Resource patterns name, or all of them when a pattern is broad.
    fn candidates(&self, actions: &[&str], kind: &str) -> Vec<NodeId> {
        use posture_permissions::aws::policy::{Effect, Match};
        let names = |m: &Match| match m {
            Match::Only(ps) => actions.iter().any(|a| ps.iter().any(|x| x.matches(a))),
            Match::Not(ps) => actions.iter().any(|a| !ps.iter().any(|x| x.matches(a))),
            Match::Implicit => false,
        };
        let acct = self.g.node(self.n).account;
        let mut out = Vec::new();
        for d in self.p.policies.iter().filter_map(|i| self.m.docs.get(*i as usize)) {
            for s in d.policy.statements.iter().filter(|s| s.effect == Effect::Allow && names(&s.action)) {
                let Match::Only(ps) = &s.resource else {
                    return self.same_account(kind);
                };
                for pat in ps {
                    let prefix = pat.literal_prefix();
                    // `…:function:*`, `…:role/*`: a whole namespace of the account.
                    if prefix.len() < 8 || prefix.ends_with(':') || prefix.ends_with('/') {
                        return self.same_account(kind);
                    }
                    out.extend(
                        self.g
                            .uids
                            .with_prefix(prefix)
                            .iter()
                            .filter(|n| self.g.kind(**n) == kind && self.g.node(**n).account == acct),
                    );
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

pub(super) fn derive(g: &Graph, m: &Model, cx: &Ctx, rels: &RelIndex, out: &mut Vec<NewEdge>) {
    let mut ids: Vec<NodeId> = m.principals.keys().copied().collect();
    ids.sort_unstable();
    let launchable = launchable(g, m, cx);
    for n in ids {
        let Some(p) = m.principals.get(&n) else {
            continue;
        };
        if cx.privileged.contains(&n) || p.who.kind == PrincipalKind::Group || !names_iam_or_lambda(m, p) {
            continue;
        }
        let mut e = Esc { g, m, cx, n, p, out, launchable: &launchable };
        policy_versions(&mut e);
        pass_role(&mut e);
        self_policies(&mut e);
        groups(&mut e);
        other_users(&mut e);
        trust_rewrite(&mut e);
        function_code(&mut e, rels);
    }
}

/// Whether any Allow of `p` can name an `iam:` or `lambda:` action: every method needs one.
fn names_iam_or_lambda(m: &Model, p: &Principal) -> bool {
    use posture_permissions::aws::policy::{Effect, Match};
    let could = |lit: &str| {
        let lit = lit.to_ascii_lowercase();
        ["iam:", "lambda:"].iter().any(|svc| svc.starts_with(&lit) || lit.starts_with(svc))
    };
    p.policies.iter().filter_map(|i| m.docs.get(*i as usize)).any(|d| {
        d.policy.statements.iter().any(|s| {
            s.effect == Effect::Allow
                && match &s.action {
                    Match::Only(ps) => ps.iter().any(|x| could(x.literal_prefix())),
                    Match::Not(_) => true,
                    Match::Implicit => false,
                }
        })
    })
}

/// CreatePolicyVersion and SetDefaultPolicyVersion on the customer-managed policies attached to p.
fn policy_versions(e: &mut Esc) {
    let Some(scope) = e.scope() else { return };
    let attached = e.cx.attached.get(&e.n).cloned().unwrap_or_default();
    for pol in attached {
        let Some(mp) = e.cx.managed.get(&pol).filter(|mp| !mp.aws_managed) else {
            continue;
        };
        let arn = e.g.uid(pol).to_string();
        let name = e.g.name(pol).to_string();
        if let (Some(c), cites) = e.can("iam:CreatePolicyVersion", &arn) {
            e.edge(
                scope,
                Method::CreatePolicyVersion,
                Some(pol),
                c,
                format!("can write a new default version of {name}, which is attached to it"),
                cites,
            );
        }
        let (Some(c), cites) = e.can("iam:SetDefaultPolicyVersion", &arn) else {
            continue;
        };
        match &mp.versions {
            None => e.edge(
                scope,
                Method::SetDefaultPolicyVersion,
                Some(pol),
                Certainty::Unknown,
                format!("can make any version of {name} the default; its other versions were not collected"),
                cites,
            ),
            Some(versions) => {
                for (vid, doc) in versions {
                    let mut alt = Principal { policies: e.p.policies.clone(), ..clone_principal(e.p) };
                    if let Some(d) = mp.default {
                        alt.policies.retain(|x| *x != d);
                    }
                    alt.policies.push(*doc);
                    if let Some((ac, acites)) = admin(e.m, &alt) {
                        let mut all = cites.clone();
                        all.extend(e.m.cites(&acites));
                        let detail = format!(
                            "can make version {vid} of {name} the default; that version grants administrator access"
                        );
                        e.edge(scope, Method::SetDefaultPolicyVersion, Some(pol), c.min(ac), detail, all);
                    }
                }
            }
        }
    }
}

fn clone_principal(p: &Principal) -> Principal {
    Principal {
        who: p.who.clone(),
        policies: Vec::new(),
        may_allow_more: p.may_allow_more,
        may_deny: p.may_deny,
        boundary: p.boundary,
        scps: p.scps.clone(),
        missing: Vec::new(),
    }
}

/// The roles each launch service may assume, by their trust policies.
fn launchable(g: &Graph, m: &Model, cx: &Ctx) -> FxHashMap<&'static str, FxHashSet<NodeId>> {
    let mut out: FxHashMap<&'static str, FxHashSet<NodeId>> = FxHashMap::default();
    for (&role, &doc) in &cx.trust {
        for service in LAUNCH_SERVICES {
            let who = aws::Principal {
                arn: service.to_string(),
                account: None,
                kind: aws::PrincipalKind::Service(service.to_string()),
                name: String::new(),
                org_id: None,
                tags: Vec::new(),
                mfa_device: None,
            };
            let svc = Principal {
                who,
                policies: Vec::new(),
                may_allow_more: false,
                may_deny: false,
                boundary: super::model::Bnd::None,
                scps: Vec::new(),
                missing: Vec::new(),
            };
            let acct = g.account(role);
            // Confused-deputy conditions (aws:SourceAccount, …) do not stop the account's own launches.
            if m.decide_arn(&svc, "sts:AssumeRole", g.uid(role), Some(acct), Some(doc), ResourceMode::Required)
                .allowed
                .is_some()
            {
                out.entry(service).or_default().insert(role);
            }
        }
    }
    out
}

/// iam:PassRole with a service that runs code as the passed role.
fn pass_role(e: &mut Esc) {
    if !e.m.could(e.p, "iam:PassRole") {
        return;
    }
    let launches: [(&[&str], &'static str, Method); 3] = [
        (&["ec2:RunInstances"], LAUNCH_SERVICES[0], Method::PassRoleRunInstances),
        (&["lambda:CreateFunction", "lambda:InvokeFunction"], LAUNCH_SERVICES[1], Method::PassRoleCreateFunction),
        (&["cloudformation:CreateStack"], LAUNCH_SERVICES[2], Method::PassRoleCreateStack),
    ];
    let roles = e.candidates(&["iam:PassRole"], "aws.iam.role");
    for (actions, service, method) in launches {
        let mut launch: Maybe = Some(Certainty::Certain);
        let mut launch_cites = Vec::new();
        for a in actions {
            let (c, cites) = e.can(a, "*");
            launch = and(launch, c);
            launch_cites.extend(cites);
        }
        let Some(lc) = launch else { continue };
        let trusting = e.launchable.get(service);
        for &r in &roles {
            if r == e.n || !trusting.is_some_and(|t| t.contains(&r)) {
                continue;
            }
            let (Some(pc), mut cites) = e.can("iam:PassRole", e.g.uid(r)) else {
                continue;
            };
            cites.extend(launch_cites.iter().cloned());
            let detail = format!("can pass {} to {service} and launch code that runs as it", e.g.name(r));
            e.edge(r, method, None, lc.min(pc), detail, cites);
        }
    }
}

/// Attaching or writing a policy on itself, a role it can assume, or one of its groups.
fn self_policies(e: &mut Esc) {
    let Some(scope) = e.scope() else { return };
    let me = e.g.uid(e.n).to_string();
    let (attach, put, m1, m2) = match e.p.who.kind {
        PrincipalKind::User => {
            ("iam:AttachUserPolicy", "iam:PutUserPolicy", Method::AttachUserPolicy, Method::PutUserPolicy)
        }
        _ => ("iam:AttachRolePolicy", "iam:PutRolePolicy", Method::AttachRolePolicy, Method::PutRolePolicy),
    };
    for (action, method) in [(attach, m1), (put, m2)] {
        if let (Some(c), cites) = e.can(action, &me) {
            e.edge(scope, method, None, c, "can give itself any policy".into(), cites);
        }
    }
    let roles: Vec<NodeId> = e.cx.assumable.iter().filter(|(p, _)| *p == e.n).map(|(_, r)| *r).collect();
    for r in roles {
        let arn = e.g.uid(r).to_string();
        for (action, method) in
            [("iam:AttachRolePolicy", Method::AttachRolePolicy), ("iam:PutRolePolicy", Method::PutRolePolicy)]
        {
            if let (Some(c), cites) = e.can(action, &arn) {
                let detail = format!("can give {}, which it can assume, any policy", e.g.name(r));
                e.edge(scope, method, Some(r), c, detail, cites);
            }
        }
    }
    for gr in e.cx.groups_of.get(&e.n).cloned().unwrap_or_default() {
        let arn = e.g.uid(gr).to_string();
        for (action, method) in
            [("iam:AttachGroupPolicy", Method::AttachGroupPolicy), ("iam:PutGroupPolicy", Method::PutGroupPolicy)]
        {
            if let (Some(c), cites) = e.can(action, &arn) {
                let detail = format!("can give its group {} any policy", e.g.name(gr));
                e.edge(scope, method, Some(gr), c, detail, cites);
            }
        }
    }
}

/// AddUserToGroup: joining a group gives its permissions.
fn groups(e: &mut Esc) {
    if e.p.who.kind != PrincipalKind::User || !e.m.could(e.p, "iam:AddUserToGroup") {
        return;
    }
    let mine = e.cx.groups_of.get(&e.n).cloned().unwrap_or_default();
    for gr in e.candidates(&["iam:AddUserToGroup"], "aws.iam.group") {
        if mine.contains(&gr) {
            continue;
        }
        if let (Some(c), cites) = e.can("iam:AddUserToGroup", e.g.uid(gr)) {
            let detail = format!("can add itself to group {}", e.g.name(gr));
            e.edge(gr, Method::AddUserToGroup, None, c, detail, cites);
        }
    }
}

/// New credentials for another user: access keys, or a console password.
fn other_users(e: &mut Esc) {
    let actions = ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"];
    if !actions.iter().any(|a| e.m.could(e.p, a)) {
        return;
    }
    for u in e.candidates(&actions, "aws.iam.user") {
        if u == e.n {
            continue;
        }
        let console = e.cx.identities.get(&u).and_then(|i| i.console);
        let arn = e.g.uid(u).to_string();
        let mut methods = vec![(Method::CreateAccessKey, "iam:CreateAccessKey", "can create access keys")];
        if console != Some(true) {
            methods.push((Method::CreateLoginProfile, "iam:CreateLoginProfile", "can give a console password"));
        }
        if console != Some(false) {
            methods.push((Method::UpdateLoginProfile, "iam:UpdateLoginProfile", "can reset the console password"));
        }
        for (method, action, what) in methods {
            if let (Some(c), cites) = e.can(action, &arn) {
                let detail = format!("{what} for user {} and sign in as it", e.g.name(u));
                e.edge(u, method, None, c, detail, cites);
                break;
            }
        }
    }
}

/// UpdateAssumeRolePolicy: rewrite a role's trust to trust yourself.
fn trust_rewrite(e: &mut Esc) {
    if !e.m.could(e.p, "iam:UpdateAssumeRolePolicy") {
        return;
    }
    for r in e.candidates(&["iam:UpdateAssumeRolePolicy"], "aws.iam.role") {
        if r == e.n {
            continue;
        }
        if let (Some(c), cites) = e.can("iam:UpdateAssumeRolePolicy", e.g.uid(r)) {
            let detail = format!("can rewrite the trust policy of {} to trust itself", e.g.name(r));
            e.edge(r, Method::UpdateAssumeRolePolicy, None, c, detail, cites);
        }
    }
}

/// UpdateFunctionCode on a function whose execution role is another identity.
fn function_code(e: &mut Esc, rels: &RelIndex) {
    if !e.m.could(e.p, "lambda:UpdateFunctionCode") {
        return;
    }
    let assumes = crate::common::rel(e.g, "assumes_role");
    for f in e.candidates(&["lambda:UpdateFunctionCode"], "aws.lambda.function") {
        let roles: Vec<NodeId> = rels.targets(f, assumes).filter(|r| *r != e.n).collect();
        if roles.is_empty() {
            continue;
        }
        let (Some(c), cites) = e.can("lambda:UpdateFunctionCode", e.g.uid(f)) else {
            continue;
        };
        for r in roles {
            let detail = format!("can replace the code of {}, which runs as {}", e.g.name(f), e.g.name(r));
            e.edge(r, Method::UpdateFunctionCode, Some(f), c, detail, cites.clone());
        }
    }
}
