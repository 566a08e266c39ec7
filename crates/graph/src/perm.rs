//! Permission models kept for evaluation on demand, and the evaluation of scope-wide grants on
//! one target (an AWS `Resource: "*"` statement, an Azure role assignment on a subscription, a GCP
//! binding on a project, a Kubernetes ClusterRoleBinding).

use crate::insight;
use crate::model::{Grant, GrantBody, Graph, Why};
use crate::uids::NodeId;
use posture_permissions::{azure, azure_deny, gcp, k8s, Certainty, Level, Levels};
use rustc_hash::{FxHashMap, FxHashSet};

/// One level of access on a target, with its reason.
#[derive(Debug, Clone)]
pub struct Access {
    pub level: Level,
    pub certainty: Certainty,
    pub why: Why,
}

pub(crate) enum AzRole {
    Builtin(&'static azure::RoleDefinition),
    Collected(azure::RoleDefinition),
}

impl AzRole {
    pub fn def(&self) -> &azure::RoleDefinition {
        match self {
            AzRole::Builtin(r) => r,
            AzRole::Collected(r) => r,
        }
    }
}

pub(crate) enum K8sRole {
    Builtin(&'static k8s::Role),
    Collected(k8s::Role),
}

impl K8sRole {
    pub fn role(&self) -> &k8s::Role {
        match self {
            K8sRole::Builtin(r) => r,
            K8sRole::Collected(r) => r,
        }
    }
}

#[derive(Default)]
pub(crate) struct PermModel {
    pub aws: crate::aws::Model,
    pub azure_roles: Vec<AzRole>,
    pub azure_denies: Vec<azure_deny::DenyAssignment>,
    pub k8s_roles: Vec<K8sRole>,
    /// GCE instances whose access scopes do not include cloud-platform.
    pub gce_scopes_limited: FxHashSet<NodeId>,
    /// Pods, workloads and service accounts with `automount_service_account_token` set.
    pub k8s_automount: FxHashMap<NodeId, bool>,
}

/// Kubernetes kinds a binding can give access to.
pub(crate) const K8S_KINDS: &[&str] = &[
    "k8s.core.secret",
    "k8s.core.pod",
    "k8s.core.service_account",
    "k8s.apps.deployment",
    "k8s.apps.daemonset",
    "k8s.apps.statefulset",
    "k8s.batch.cronjob",
];

/// The namespace of a namespaced Kubernetes uid (`cluster/ns/Kind/name`).
pub(crate) fn k8s_namespace(uid: &str) -> Option<&str> {
    let mut it = uid.split('/');
    it.next()?;
    it.next().filter(|ns| *ns != "_cluster")
}

/// The edge type of a level on a target: acting as an identity is authenticating as it.
pub(crate) fn edge_type(g: &Graph, level: Level, target: NodeId) -> crate::model::EdgeTy {
    level_edge(level, g.has(target, insight::IDENTITY))
}

pub(crate) fn level_edge(level: Level, identity: bool) -> crate::model::EdgeTy {
    use crate::model::ety;
    match level {
        Level::Execute if identity => ety::CAN_AUTHENTICATE_AS,
        Level::Read => ety::CAN_READ,
        Level::Write => ety::CAN_WRITE,
        Level::Admin => ety::CAN_ADMIN,
        Level::Execute => ety::CAN_EXECUTE,
    }
}

impl Graph {
    /// What scope-wide grant `gi` gives on `target`: empty when nothing, or when the target is
    /// outside the grant's scope.
    pub fn grant_access(&self, gi: u32, target: NodeId) -> Vec<Access> {
        let Some(gr) = self.grants.get(gi as usize) else {
            return Vec::new();
        };
        if target == gr.principal || self.node(target).account != self.node(gr.scope).account {
            return Vec::new();
        }
        match &gr.body {
            GrantBody::Aws => {
                if self.provider(target) != "aws" {
                    return Vec::new();
                }
                self.perms.aws.access(self, gr.principal, target)
            }
            GrantBody::Azure { role } => self.azure_access(gr, *role, target),
            GrantBody::Gcp { role } => self.gcp_access(gr, role, target),
            GrantBody::K8s { role, namespace } => self.k8s_access(gr, *role, *namespace, target),
        }
    }

    /// The most certain answer grant `gi` can give: an AWS principal with a policy, group or
    /// boundary that was not collected can only be `unknown` anywhere.
    pub(crate) fn grant_cap(&self, gi: u32) -> Certainty {
        let Some(gr) = self.grants.get(gi as usize) else {
            return Certainty::Unknown;
        };
        match gr.body {
            GrantBody::Aws => match self.perms.aws.principals.get(&gr.principal) {
                Some(p) if p.may_deny || matches!(p.boundary, crate::aws::Bnd::Unreadable) => Certainty::Unknown,
                Some(_) => Certainty::Certain,
                None => Certainty::Unknown,
            },
            _ => gr.certainty,
        }
    }

    /// What grant `gi` gives on `target` as (level, certainty): the walk's fast path (no reasons).
    pub(crate) fn grant_levels(
        &self,
        gi: u32,
        target: NodeId,
        want: &dyn Fn(Level) -> bool,
    ) -> Vec<(Level, Certainty)> {
        let Some(gr) = self.grants.get(gi as usize) else {
            return Vec::new();
        };
        if target == gr.principal || self.node(target).account != self.node(gr.scope).account {
            return Vec::new();
        }
        let with = |l: Levels| l.iter().filter(|x| want(*x)).map(|x| (x, gr.certainty)).collect();
        match &gr.body {
            GrantBody::Aws if self.provider(target) == "aws" => self.perms.aws.levels(self, gr.principal, target, want),
            GrantBody::Aws => Vec::new(),
            GrantBody::Azure { role } => {
                let (Some(role), Some(kind)) =
                    (self.perms.azure_roles.get(*role as usize), azure::kind_access(self.kind(target)))
                else {
                    return Vec::new();
                };
                if !azure::scope_covers(self.uid(gr.scope), self.uid(target)) {
                    return Vec::new();
                }
                with(azure_deny::levels_after(role.def(), kind, &self.azure_denies_on(gr.principal, target)))
            }
            GrantBody::Gcp { role } => {
                gcp::kind_access(self.kind(target)).map_or(Vec::new(), |k| with(gcp::levels(role, k)))
            }
            GrantBody::K8s { role, namespace } => self
                .k8s_levels(*role, *namespace, target)
                .into_iter()
                .filter(|(l, _)| want(*l))
                .map(|(l, _)| (l, gr.certainty))
                .collect(),
        }
    }

    /// The deny assignments that apply to an Azure principal node on `target`.
    pub(crate) fn azure_denies_on(&self, principal: NodeId, target: NodeId) -> Vec<&azure_deny::DenyAssignment> {
        if self.perms.azure_denies.is_empty() {
            return Vec::new();
        }
        let Some(id) = self.uid(principal).strip_prefix("azure:principal/") else {
            return Vec::new();
        };
        let uid = self.uid(target);
        self.perms.azure_denies.iter().filter(|d| d.applies(id, uid)).collect()
    }

    fn binding_why(&self, gr: &Grant, note: Option<String>) -> Why {
        Why::Binding { binding: gr.source, role: gr.role_name.clone(), note }
    }

    fn azure_access(&self, gr: &Grant, role: u32, target: NodeId) -> Vec<Access> {
        let (Some(role), Some(kind)) =
            (self.perms.azure_roles.get(role as usize), azure::kind_access(self.kind(target)))
        else {
            return Vec::new();
        };
        if !azure::scope_covers(self.uid(gr.scope), self.uid(target)) {
            return Vec::new();
        }
        let note = Some(format!("inherited from the assignment at {}", self.name(gr.scope)));
        azure_deny::levels_after(role.def(), kind, &self.azure_denies_on(gr.principal, target))
            .iter()
            .map(|level| Access { level, certainty: gr.certainty, why: self.binding_why(gr, note.clone()) })
            .collect()
    }

    fn gcp_access(&self, gr: &Grant, role: &gcp::Role, target: NodeId) -> Vec<Access> {
        let Some(kind) = gcp::kind_access(self.kind(target)) else {
            return Vec::new();
        };
        let note = Some(format!("inherited from the binding on {}", self.name(gr.scope)));
        gcp::levels(role, kind)
            .iter()
            .map(|level| Access { level, certainty: gr.certainty, why: self.binding_why(gr, note.clone()) })
            .collect()
    }

    fn k8s_access(&self, gr: &Grant, role: u32, ns: Option<crate::intern::Sym>, target: NodeId) -> Vec<Access> {
        self.k8s_levels(role, ns, target)
            .into_iter()
            .map(|(level, via_pod)| {
                let note = via_pod.then(|| "can create pods that run as this service account".to_string());
                Access { level, certainty: gr.certainty, why: self.binding_why(gr, note) }
            })
            .collect()
    }

    /// Levels a Kubernetes role gives on `target`; the flag marks execution through creating pods.
    fn k8s_levels(&self, role: u32, ns: Option<crate::intern::Sym>, target: NodeId) -> Vec<(Level, bool)> {
        let Some(role) = self.perms.k8s_roles.get(role as usize).map(K8sRole::role) else {
            return Vec::new();
        };
        let kind = self.kind(target);
        let tns = k8s_namespace(self.uid(target));
        if let Some(ns) = ns {
            if tns != Some(self.sym(ns)) {
                return Vec::new();
            }
        }
        let name = self.name(target);
        let mut out = Vec::new();
        for level in Level::ALL {
            let direct = k8s::probes(kind, level).iter().any(|(v, grp, res)| role.allows(v, grp, res, Some(name)));
            // Creating pods lets a subject run as any service account of the namespace.
            let via_pod = level == Level::Execute
                && kind == "k8s.core.service_account"
                && k8s::CREATE_POD.iter().any(|(v, grp, res)| role.allows(v, grp, res, None));
            if direct || via_pod {
                out.push((level, !direct && via_pod));
            }
        }
        out
    }

    /// Candidate members of a grant's scope: of kinds `want` accepts and on which the grant can
    /// give one of `types` (every type when empty); from `want`'s index when it has one.
    pub(crate) fn grant_members(
        &self,
        gi: u32,
        want: &crate::walk::Want,
        types: &[crate::model::EdgeTy],
        f: &mut dyn FnMut(NodeId),
    ) {
        let Some(gr) = self.grants.get(gi as usize) else {
            return;
        };
        let account = self.node(gr.scope).account;
        let kinds: Vec<(&str, Vec<Level>)> = match gr.body {
            GrantBody::Aws => posture_permissions::aws::catalog::KINDS
                .iter()
                .map(|k| (k.kind, Level::ALL.into_iter().filter(|l| !k.probes(*l).is_empty()).collect()))
                .collect(),
            GrantBody::Azure { .. } => azure::KINDS
                .iter()
                .map(|k| (k.kind, Level::ALL.into_iter().filter(|l| !k.probes(*l).is_empty()).collect()))
                .collect(),
            GrantBody::Gcp { .. } => gcp::KINDS
                .iter()
                .map(|k| (k.kind, Level::ALL.into_iter().filter(|l| !k.probes(*l).is_empty()).collect()))
                .collect(),
            GrantBody::K8s { .. } => K8S_KINDS
                .iter()
                .map(|k| {
                    (
                        *k,
                        Level::ALL
                            .into_iter()
                            .filter(|l| {
                                !k8s::probes(k, *l).is_empty()
                                    || (*k == "k8s.core.service_account" && *l == Level::Execute)
                            })
                            .collect(),
                    )
                })
                .collect(),
        };
        for (k, levels) in kinds {
            let yields =
                types.is_empty() || levels.iter().any(|l| types.contains(&level_edge(*l, insight::is_identity(k))));
            if !yields || !(want.kind)(k) {
                continue;
            }
            let Some(ks) = self.syms.get(k) else { continue };
            let list = match want.index {
                Some(idx) => idx.get(&(account, ks)).map_or(&[][..], Vec::as_slice),
                None => self.members_of(account, ks),
            };
            for m in list {
                f(*m);
            }
        }
    }

    /// Scope nodes whose grants may cover `n`: its account (subscription, project, cluster) and,
    /// on Azure and Kubernetes, its resource group or namespace.
    pub(crate) fn scopes_of(&self, n: NodeId) -> Vec<NodeId> {
        let node = self.node(n);
        let mut out = Vec::new();
        if let Some(p) = self.syms.get(self.provider(n)) {
            out.extend(self.account_scope.get(&(p, node.account)).copied());
        }
        let uid = self.uid(n);
        match self.provider(n) {
            "azure" => {
                let lower = uid.to_ascii_lowercase();
                if let Some(i) = lower.find("/resourcegroups/") {
                    let rest = &lower[i + "/resourcegroups/".len()..];
                    let end = i + "/resourcegroups/".len() + rest.find('/').unwrap_or(rest.len());
                    out.extend(self.find(&lower[..end]));
                }
            }
            "k8s" => {
                if let Some(ns) = k8s_namespace(uid) {
                    out.extend(self.find(&format!("{}/_cluster/Namespace/{ns}", self.account(n))));
                }
            }
            _ => {}
        }
        out.retain(|s| *s != n);
        out
    }
}
