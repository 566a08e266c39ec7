//! The AWS policy evaluation logic: explicit Deny wins; SCPs and permission boundaries limit;
//! identity and resource policies grant, with the same-account and cross-account rules.
//! Every answer carries a certainty and the statements that decided it.

use super::condition::{all_hold, ConditionContext, KeyValue, Tri};
use super::policy::{Effect, Match, Policy, PrincipalMatch, Principals, Statement};
use crate::level::{and, or, Certainty, Maybe};
use crate::wildcard::Pattern;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    Role,
    /// A group is evaluated like a user when we ask what its members get from it.
    Group,
    /// `ec2.amazonaws.com`, …
    Service(String),
    /// Anyone on the internet, unauthenticated.
    Anonymous,
}

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Principal {
    pub arn: String,
    pub account: Option<String>,
    pub kind: PrincipalKind,
    /// User or role name, for `${aws:username}`.
    pub name: String,
    pub org_id: Option<String>,
    pub tags: Vec<(String, String)>,
    /// Whether the identity has an MFA device: `Some(false)` means MFA keys are absent from every
    /// request it can make; `None` means we cannot tell.
    pub mfa_device: Option<bool>,
}

impl Principal {
    pub fn anonymous() -> Principal {
        Principal {
            arn: "*".into(),
            account: None,
            kind: PrincipalKind::Anonymous,
            name: String::new(),
            org_id: None,
            tags: Vec::new(),
            mfa_device: Some(false),
        }
    }

    /// Principals that no identity policy governs: the resource policy alone decides.
    fn has_identity(&self) -> bool {
        matches!(self.kind, PrincipalKind::User | PrincipalKind::Role | PrincipalKind::Group)
    }
}

/// A policy and the caller's id for it (a graph node), for citations.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub policy: &'a Policy,
    pub id: u32,
}

#[derive(Debug, Clone, Copy, Default)]
pub enum Boundary<'a> {
    #[default]
    None,
    Known(Source<'a>),
    /// A boundary is set but its document was not collected.
    Unreadable,
}

/// Everything that governs a principal's own permissions.
#[derive(Debug, Clone, Default)]
pub struct Identity<'a> {
    pub policies: Vec<Source<'a>>,
    /// A policy applies whose document was not collected: it may allow more…
    pub may_allow_more: bool,
    /// …and, unless it is AWS managed, it may deny.
    pub may_deny: bool,
    pub boundary: Boundary<'a>,
    /// Service control policies by level (root, OUs, account): every level must allow.
    pub scps: Vec<Vec<Source<'a>>>,
}

/// How a service uses resource policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceMode {
    /// No resource policies (EC2, RDS): only same-account identity permissions.
    None,
    /// May grant, e.g. S3, SQS, SNS, Secrets Manager, Lambda.
    Optional,
    /// Must grant, directly or by trusting the account: KMS key policies, role trust policies.
    Required,
}

/// One resource, or any resource under a prefix (the objects of a bucket).
#[derive(Debug, Clone, Copy)]
pub enum ResourceRef<'a> {
    Exact(&'a str),
    Under(&'a str),
}

#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub resource: ResourceRef<'a>,
    /// Account owning the resource; `None` when unknown (treated as the principal's).
    pub account: Option<&'a str>,
    pub tags: Option<&'a [(String, String)]>,
    pub policy: Option<Source<'a>>,
    /// The resource has a policy we could not read.
    pub policy_unreadable: bool,
    pub mode: ResourceMode,
}

/// A statement that decided part of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    pub source: u32,
    pub statement: usize,
    pub label: String,
    pub effect: Effect,
    pub certainty: Certainty,
}

#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// `Some(c)`: allowed with certainty `c`; `None`: not allowed.
    pub allowed: Maybe,
    /// An explicit Deny applies for certain.
    pub denied: bool,
    pub allow_by: Vec<Cite>,
    pub deny_by: Vec<Cite>,
    /// Condition keys that could not be evaluated.
    pub unknown_keys: Vec<String>,
    /// Why the answer is unknown, when it is: a policy or boundary was not collected.
    pub missing: Vec<&'static str>,
}

/// How a resource-policy statement names the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Named {
    No,
    /// The principal's account (root or id): delegates to its identity policies.
    Account,
    /// The principal itself, or everyone (`*`).
    Direct,
}

/// Allows and denies found in a set of policies.
#[derive(Debug, Default)]
struct Found {
    allow: Maybe,
    allow_account: Maybe,
    deny: Maybe,
    allow_by: Vec<Cite>,
    deny_by: Vec<Cite>,
    keys: Vec<String>,
}

struct Ctx<'a> {
    p: &'a Principal,
    target: &'a Target<'a>,
    /// Build citations (explanations); the fast path skips them.
    cite: bool,
}

impl ConditionContext for Ctx<'_> {
    fn value(&self, key: &str) -> KeyValue {
        let known = |v: &str| KeyValue::Known(vec![v.to_string()]);
        let tag = |tags: Option<&[(String, String)]>, k: &str| match tags {
            None => KeyValue::Unknown,
            Some(t) => t.iter().find(|(tk, _)| tk.eq_ignore_ascii_case(k)).map_or(KeyValue::Absent, |(_, v)| known(v)),
        };
        match key {
            "aws:principalarn" => known(&self.p.arn),
            "aws:principalaccount" => self.p.account.as_deref().map_or(KeyValue::Unknown, known),
            "aws:principalorgid" => match (&self.p.org_id, &self.p.kind) {
                (_, PrincipalKind::Anonymous) => KeyValue::Absent,
                (Some(o), _) => known(o),
                (None, _) => KeyValue::Unknown,
            },
            "aws:username" if self.p.kind == PrincipalKind::User => known(&self.p.name),
            "aws:principaltype" => match self.p.kind {
                PrincipalKind::User => known("User"),
                PrincipalKind::Role => known("AssumedRole"),
                PrincipalKind::Anonymous => known("Anonymous"),
                _ => KeyValue::Unknown,
            },
            "aws:multifactorauthpresent" | "aws:multifactorauthage" => match self.p.mfa_device {
                Some(false) => KeyValue::Absent,
                _ => KeyValue::Unknown,
            },
            k if k.starts_with("aws:principaltag/") => tag(Some(&self.p.tags), &k["aws:principaltag/".len()..]),
            k if k.starts_with("aws:resourcetag/") => tag(self.target.tags, &k["aws:resourcetag/".len()..]),
            _ => KeyValue::Unknown,
        }
    }
}

fn tri_maybe(t: Tri) -> Maybe {
    match t {
        Tri::True => Some(Certainty::Certain),
        Tri::Unknown => Some(Certainty::Conditional),
        Tri::False => None,
    }
}

fn action_hits(m: &Match, action: &str) -> bool {
    match m {
        Match::Only(ps) => ps.iter().any(|p| p.matches(action)),
        Match::Not(ps) => !ps.iter().any(|p| p.matches(action)),
        Match::Implicit => false,
    }
}

/// `${aws:username}` and friends in a resource pattern; `None` when a variable is not known.
fn substitute(p: &Pattern, who: &Principal) -> Option<Pattern> {
    let text = p.as_str();
    if !text.contains("${") {
        return Some(p.clone());
    }
    let mut out = text.to_string();
    if who.kind == PrincipalKind::User {
        out = out.replace("${aws:username}", &who.name);
    }
    if let Some(acct) = &who.account {
        out = out.replace("${aws:PrincipalAccount}", acct);
    }
    for (k, v) in [("${*}", "*"), ("${?}", "?"), ("${$}", "$")] {
        out = out.replace(k, v);
    }
    (!out.contains("${")).then(|| Pattern::new(&out))
}

/// Whether a statement's Resource covers the target: for an Allow, some of it; for a Deny, all of it.
fn resource_hits(m: &Match, r: ResourceRef, effect: Effect, who: &Principal) -> Tri {
    let one = |p: &Pattern, all: bool| -> Tri {
        let Some(p) = substitute(p, who) else {
            return Tri::Unknown;
        };
        let hit = match r {
            ResourceRef::Exact(x) => p.matches(x),
            ResourceRef::Under(prefix) if all => p.matches_all_under(prefix),
            ResourceRef::Under(prefix) => p.matches_some_under(prefix),
        };
        if hit {
            Tri::True
        } else {
            Tri::False
        }
    };
    let any = |ps: &[Pattern], all: bool| -> Tri {
        let mut out = Tri::False;
        for p in ps {
            match one(p, all) {
                Tri::True => return Tri::True,
                Tri::Unknown => out = Tri::Unknown,
                Tri::False => {}
            }
        }
        out
    };
    let deny = effect == Effect::Deny;
    match m {
        Match::Implicit => Tri::True,
        Match::Only(ps) => any(ps, deny),
        // NotResource: applies where no listed pattern matches.
        Match::Not(ps) => match any(ps, !deny) {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        },
    }
}

fn principals_name(ps: &Principals, who: &Principal) -> Named {
    if let PrincipalKind::Service(s) = &who.kind {
        return if ps.service.iter().any(|x| x.eq_ignore_ascii_case(s)) || ps.aws.iter().any(Pattern::is_any) {
            Named::Direct
        } else {
            Named::No
        };
    }
    let mut best = Named::No;
    for p in &ps.aws {
        if p.is_any() || p.matches(&who.arn) {
            return Named::Direct;
        }
        if let Some(acct) = &who.account {
            let text = p.as_str();
            if text == acct || text == format!("arn:aws:iam::{acct}:root") {
                best = Named::Account;
            }
        }
    }
    best
}

fn principal_named(m: &Option<PrincipalMatch>, who: &Principal) -> Named {
    match m {
        // Identity policies have no principal: they are the principal's own.
        None => Named::Direct,
        Some(PrincipalMatch::Only(ps)) => principals_name(ps, who),
        Some(PrincipalMatch::Not(ps)) => {
            if principals_name(ps, who) == Named::No {
                Named::Direct
            } else {
                Named::No
            }
        }
    }
}

fn scan(src: &Source, action: &str, ctx: &Ctx, found: &mut Found) {
    for st in &src.policy.statements {
        scan_statement(src.id, st, action, ctx, found);
    }
}

fn scan_statement(source: u32, st: &Statement, action: &str, ctx: &Ctx, found: &mut Found) {
    if !action_hits(&st.action, action) {
        return;
    }
    let named = principal_named(&st.principal, ctx.p);
    if named == Named::No {
        return;
    }
    let res = resource_hits(&st.resource, ctx.target.resource, st.effect, ctx.p);
    if res == Tri::False {
        return;
    }
    let (cond, keys) = all_hold(&st.conditions, ctx, st.effect);
    let Some(c) = and(tri_maybe(res), tri_maybe(cond)) else {
        return;
    };
    let cite =
        ctx.cite.then(|| Cite { source, statement: st.index, label: st.label(), effect: st.effect, certainty: c });
    if ctx.cite {
        found.keys.extend(keys);
    }
    match (st.effect, named) {
        (Effect::Deny, _) => {
            found.deny = or(found.deny, Some(c));
            found.deny_by.extend(cite);
        }
        (Effect::Allow, Named::Account) => {
            found.allow_account = or(found.allow_account, Some(c));
            found.allow_by.extend(cite);
        }
        (Effect::Allow, _) => {
            found.allow = or(found.allow, Some(c));
            found.allow_by.extend(cite);
        }
    }
}

/// Whether `principal` may perform `action` (e.g. `s3:GetObject`) on `target`, with the
/// statements that decided it.
pub fn evaluate(action: &str, principal: &Principal, identity: &Identity, target: &Target) -> Decision {
    run(action, principal, identity, target, true)
}

/// [`evaluate`] without citations: only whether, and how surely, it is allowed.
pub fn allowed(action: &str, principal: &Principal, identity: &Identity, target: &Target) -> Maybe {
    run(action, principal, identity, target, false).allowed
}

fn run(action: &str, principal: &Principal, identity: &Identity, target: &Target, cite: bool) -> Decision {
    let ctx = Ctx { p: principal, target, cite };
    let mut d = Decision::default();

    let mut id = Found::default();
    if principal.has_identity() {
        for src in &identity.policies {
            scan(src, action, &ctx, &mut id);
        }
    }
    if identity.may_allow_more {
        id.allow = or(id.allow, Some(Certainty::Unknown));
        d.missing.push("an attached policy was not collected");
    }
    if identity.may_deny {
        id.deny = or(id.deny, Some(Certainty::Unknown));
    }

    let mut bnd = Found::default();
    let boundary_allow = match identity.boundary {
        Boundary::None => Some(Certainty::Certain),
        Boundary::Known(src) => {
            scan(&src, action, &ctx, &mut bnd);
            bnd.allow
        }
        Boundary::Unreadable => {
            d.missing.push("the permissions boundary was not collected");
            bnd.deny = Some(Certainty::Unknown);
            Some(Certainty::Unknown)
        }
    };

    let mut scp_allow = Some(Certainty::Certain);
    let mut scp = Found::default();
    if principal.has_identity() {
        for level in &identity.scps {
            let mut lv = Found::default();
            for src in level {
                scan(src, action, &ctx, &mut lv);
            }
            scp_allow = and(scp_allow, lv.allow);
            scp.deny = or(scp.deny, lv.deny);
            scp.deny_by.extend(lv.deny_by);
            scp.allow_by.extend(lv.allow_by);
        }
    }

    let mut rp = Found::default();
    if let Some(src) = &target.policy {
        scan(src, action, &ctx, &mut rp);
    }
    if target.policy_unreadable {
        rp.allow = or(rp.allow, Some(Certainty::Unknown));
        rp.allow_account = or(rp.allow_account, Some(Certainty::Unknown));
        rp.deny = or(rp.deny, Some(Certainty::Unknown));
        d.missing.push("the resource policy was not collected");
    }

    let id_allow = if principal.has_identity() { and(id.allow, boundary_allow) } else { None };
    let same_account = match (target.account, principal.account.as_deref()) {
        (Some(t), Some(p)) => t == p,
        (None, Some(_)) => true,
        _ => false,
    };
    let allow = if !principal.has_identity() {
        rp.allow
    } else {
        match (target.mode, same_account) {
            (ResourceMode::None, true) => id_allow,
            (ResourceMode::None, false) => None,
            (ResourceMode::Optional, true) => or(rp.allow, id_allow),
            (ResourceMode::Required, true) => or(rp.allow, and(rp.allow_account, id_allow)),
            (_, false) => and(or(rp.allow, rp.allow_account), id_allow),
        }
    };
    let allow = and(allow, scp_allow);
    let deny = [id.deny, bnd.deny, scp.deny, rp.deny].into_iter().fold(None, or);

    d.unknown_keys = [id.keys, bnd.keys, scp.keys, rp.keys].concat();
    d.unknown_keys.sort();
    d.unknown_keys.dedup();
    d.deny_by = [id.deny_by, bnd.deny_by, scp.deny_by, rp.deny_by].concat();
    if deny == Some(Certainty::Certain) {
        d.denied = true;
        d.deny_by.retain(|c| c.certainty == Certainty::Certain);
        return d;
    }
    d.allowed = match deny {
        Some(c) => and(allow, Some(c)),
        None => allow,
    };
    if d.allowed.is_some() {
        d.allow_by = [id.allow_by, rp.allow_by].concat();
    }
    d
}

#[cfg(test)]
mod tests;
