//! The AWS permission model kept in the graph: compiled policy documents, each principal's
//! identity (policies, boundary, SCPs), each resource's policy. Access to a target is evaluated
//! on demand, so a scope-wide grant never has to be multiplied out over every resource.

use crate::model::{Cite, Graph, Why};
use crate::perm::Access;
use crate::uids::NodeId;
use posture_permissions::aws::{self, catalog, Boundary, Decision, Identity, Policy, ResourceRef, Source, Target};
use posture_permissions::{Certainty, Level};
use rustc_hash::FxHashMap;
use std::sync::RwLock;

pub(crate) struct Doc {
    pub policy: Policy,
    /// The node holding it: a managed policy, or the identity or resource of an inline one.
    pub node: NodeId,
    pub what: String,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Bnd {
    None,
    Doc(u32),
    Unreadable,
}

pub(crate) struct Principal {
    pub who: aws::Principal,
    pub policies: Vec<u32>,
    pub may_allow_more: bool,
    pub may_deny: bool,
    pub boundary: Bnd,
    pub scps: Vec<Vec<u32>>,
    /// What was not collected, in words.
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ResPolicy {
    pub doc: Option<u32>,
    pub unreadable: bool,
}

#[derive(Default)]
pub(crate) struct Model {
    pub docs: Vec<Doc>,
    pub principals: FxHashMap<NodeId, Principal>,
    pub resource_policies: FxHashMap<NodeId, ResPolicy>,
    /// (principal, action) → the decision for every resource of its account, when no statement
    /// about the action names a specific resource (`None` inside: it must be evaluated per target).
    uniform: RwLock<FxHashMap<(NodeId, &'static str), Option<posture_permissions::Maybe>>>,
}

impl Model {
    pub fn add_doc(&mut self, policy: Policy, node: NodeId, what: String) -> u32 {
        self.docs.push(Doc { policy, node, what });
        (self.docs.len() - 1) as u32
    }

    fn source(&self, i: u32) -> Option<Source<'_>> {
        self.docs.get(i as usize).map(|d| Source { policy: &d.policy, id: i })
    }

    pub fn identity(&self, p: &Principal) -> Identity<'_> {
        Identity {
            policies: p.policies.iter().filter_map(|i| self.source(*i)).collect(),
            may_allow_more: p.may_allow_more,
            may_deny: p.may_deny,
            boundary: match p.boundary {
                Bnd::None => Boundary::None,
                Bnd::Doc(i) => self.source(i).map_or(Boundary::Unreadable, Boundary::Known),
                Bnd::Unreadable => Boundary::Unreadable,
            },
            scps: p.scps.iter().map(|l| l.iter().filter_map(|i| self.source(*i)).collect()).collect(),
        }
    }

    /// Statements cited by a decision, as graph citations.
    pub fn cites(&self, list: &[aws::Cite]) -> Vec<Cite> {
        let mut out: Vec<Cite> = list
            .iter()
            .filter_map(|c| {
                let d = self.docs.get(c.source as usize)?;
                Some(Cite {
                    node: d.node,
                    what: d.what.clone(),
                    statement: c.label.clone(),
                    effect: c.effect,
                    certainty: c.certainty,
                })
            })
            .collect();
        out.dedup();
        out
    }

    /// Evaluates one action of `p` on `target` (an ARN, or the objects under it).
    pub fn decide(&self, g: &Graph, p: &Principal, action: &str, target: NodeId, objects: bool) -> Decision {
        let uid = g.uid(target);
        let prefix;
        let resource = if objects {
            prefix = format!("{uid}/");
            ResourceRef::Under(&prefix)
        } else {
            ResourceRef::Exact(uid)
        };
        let tags: Vec<(String, String)> = g.tags(target).map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let rp = self.resource_policies.get(&target).copied().unwrap_or_default();
        let mode = catalog::kind_access(g.kind(target)).map_or(aws::ResourceMode::None, |k| k.mode);
        let account = g.account(target);
        let t = Target {
            resource,
            account: (!account.is_empty()).then_some(account),
            tags: Some(&tags),
            policy: rp.doc.and_then(|i| self.source(i)),
            policy_unreadable: rp.unreadable,
            mode,
        };
        aws::evaluate(action, &p.who, &self.identity(p), &t)
    }

    /// Every level `principal` has on `target`, per the catalogue of the target's kind.
    pub fn access(&self, g: &Graph, principal: NodeId, target: NodeId) -> Vec<Access> {
        let Some(p) = self.principals.get(&principal) else {
            return Vec::new();
        };
        self.access_of(g, p, target)
    }

    /// The levels `principal` has on `target`, without explanations: what walks ask, cached for
    /// principals whose statements about an action all say `Resource: "*"`.
    pub fn levels(
        &self,
        g: &Graph,
        principal: NodeId,
        target: NodeId,
        want: &dyn Fn(Level) -> bool,
    ) -> Vec<(Level, Certainty)> {
        let Some(p) = self.principals.get(&principal) else {
            return Vec::new();
        };
        let Some(kind) = catalog::kind_access(g.kind(target)) else {
            return Vec::new();
        };
        let per_target = kind.mode == aws::ResourceMode::Required || self.resource_policies.contains_key(&target);
        let ctx = per_target.then(|| TargetCtx::new(self, g, target));
        let mut out = Vec::new();
        for level in Level::ALL.into_iter().filter(|l| want(*l)) {
            let mut best: posture_permissions::Maybe = None;
            for probe in kind.probes(level) {
                let cached = if per_target { None } else { self.uniform_decision(principal, p, probe.action) };
                let c = match (cached, &ctx) {
                    (Some(c), _) => c,
                    (None, Some(t)) => t.decide(self, p, probe.action, probe.objects),
                    (None, None) => TargetCtx::new(self, g, target).decide(self, p, probe.action, probe.objects),
                };
                best = posture_permissions::or(best, c);
                if best == Some(Certainty::Certain) {
                    break;
                }
            }
            if let Some(c) = best {
                out.push((level, c));
            }
        }
        out
    }

    fn uniform_decision(&self, n: NodeId, p: &Principal, action: &'static str) -> Option<posture_permissions::Maybe> {
        if let Some(hit) = self.uniform.read().ok().and_then(|m| m.get(&(n, action)).copied()) {
            return hit;
        }
        let value = self.is_uniform(p, action).then(|| {
            let t = Target {
                resource: ResourceRef::Exact("*"),
                account: p.who.account.as_deref(),
                tags: None,
                policy: None,
                policy_unreadable: false,
                mode: aws::ResourceMode::None,
            };
            aws::allowed(action, &p.who, &self.identity(p), &t)
        });
        if let Ok(mut m) = self.uniform.write() {
            m.insert((n, action), value);
        }
        value
    }

    /// Whether every statement about `action` (identity, boundary, SCPs) applies to `*` alone
    /// and tests no resource tag: then the answer is the same for every resource.
    fn is_uniform(&self, p: &Principal, action: &str) -> bool {
        use posture_permissions::aws::policy::Match;
        let boundary = match p.boundary {
            Bnd::Doc(i) => Some(i),
            _ => None,
        };
        let docs = p.policies.iter().copied().chain(boundary).chain(p.scps.iter().flatten().copied());
        docs.filter_map(|i| self.docs.get(i as usize)).all(|d| {
            d.policy.statements.iter().all(|s| {
                let names_action = match &s.action {
                    Match::Only(ps) => ps.iter().any(|x| x.matches(action)),
                    Match::Not(ps) => !ps.iter().any(|x| x.matches(action)),
                    Match::Implicit => false,
                };
                !names_action
                    || (matches!(&s.resource, Match::Only(ps) if ps.iter().all(|x| x.is_any()))
                        && !s.conditions.iter().any(|c| {
                            c.key.starts_with("aws:resourcetag/") || c.key.starts_with("s3:existingobjecttag")
                        }))
            })
        })
    }

    pub fn access_of(&self, g: &Graph, p: &Principal, target: NodeId) -> Vec<Access> {
        let Some(kind) = catalog::kind_access(g.kind(target)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for level in Level::ALL {
            if let Some(a) = self.level(g, p, target, kind.probes(level), level) {
                out.push(a);
            }
        }
        out
    }

    fn level(
        &self,
        g: &Graph,
        p: &Principal,
        target: NodeId,
        probes: &[catalog::Probe],
        level: Level,
    ) -> Option<Access> {
        let mut best: Option<(Certainty, Decision, &str)> = None;
        for probe in probes {
            let d = self.decide(g, p, probe.action, target, probe.objects);
            if let Some(c) = d.allowed {
                if best.as_ref().is_none_or(|(b, _, _)| c > *b) {
                    best = Some((c, d, probe.action));
                }
                if c == Certainty::Certain {
                    break;
                }
            }
        }
        let (certainty, d, action) = best?;
        let mut note = None;
        if !d.unknown_keys.is_empty() {
            note = Some(format!("depends on condition keys: {}", d.unknown_keys.join(", ")));
        }
        if !d.missing.is_empty() {
            note = Some(d.missing.join("; "));
        }
        Some(Access {
            level,
            certainty,
            why: Why::Policy {
                actions: vec![action.to_string()],
                cites: self.cites(&d.allow_by),
                denies: self.cites(&d.deny_by),
                note,
            },
        })
    }
}

/// A target's facts, read once for several evaluations.
struct TargetCtx<'g> {
    uid: &'g str,
    objects: String,
    tags: Vec<(String, String)>,
    account: &'g str,
    rp: ResPolicy,
    mode: aws::ResourceMode,
}

impl<'g> TargetCtx<'g> {
    fn new(m: &Model, g: &'g Graph, target: NodeId) -> TargetCtx<'g> {
        let uid = g.uid(target);
        TargetCtx {
            uid,
            objects: format!("{uid}/"),
            tags: g.tags(target).map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            account: g.account(target),
            rp: m.resource_policies.get(&target).copied().unwrap_or_default(),
            mode: catalog::kind_access(g.kind(target)).map_or(aws::ResourceMode::None, |k| k.mode),
        }
    }

    fn decide(&self, m: &Model, p: &Principal, action: &str, objects: bool) -> posture_permissions::Maybe {
        let t = Target {
            resource: if objects { ResourceRef::Under(&self.objects) } else { ResourceRef::Exact(self.uid) },
            account: (!self.account.is_empty()).then_some(self.account),
            tags: Some(&self.tags),
            policy: self.rp.doc.and_then(|i| m.source(i)),
            policy_unreadable: self.rp.unreadable,
            mode: self.mode,
        };
        aws::allowed(action, &p.who, &m.identity(p), &t)
    }
}

impl Model {
    /// Evaluates `action` on an ARN with an explicit resource policy (trust policies, `*`).
    pub fn decide_arn(
        &self,
        p: &Principal,
        action: &str,
        arn: &str,
        account: Option<&str>,
        policy: Option<u32>,
        mode: aws::ResourceMode,
    ) -> Decision {
        let t = Target {
            resource: ResourceRef::Exact(arn),
            account,
            tags: None,
            policy: policy.and_then(|i| self.source(i)),
            policy_unreadable: false,
            mode,
        };
        aws::evaluate(action, &p.who, &self.identity(p), &t)
    }

    /// Whether any Allow statement of `p`'s own policies names `action` (a cheap pre-check).
    pub fn could(&self, p: &Principal, action: &str) -> bool {
        use posture_permissions::aws::policy::{Effect, Match};
        p.policies.iter().filter_map(|i| self.docs.get(*i as usize)).any(|d| {
            d.policy.statements.iter().any(|s| {
                s.effect == Effect::Allow
                    && match &s.action {
                        Match::Only(ps) => ps.iter().any(|x| x.matches(action)),
                        Match::Not(ps) => !ps.iter().any(|x| x.matches(action)),
                        Match::Implicit => false,
                    }
            })
        })
    }
}
