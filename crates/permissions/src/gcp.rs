//! GCP IAM: roles as permission patterns, members, and what permissions give on each kind.
//! Bindings are inherited downwards: organisation → folders → project → resource.

use crate::data::{entries, str_of, strs, DataError};
use crate::level::{Level, Levels};
use crate::wildcard::Pattern;
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub permissions: Vec<Pattern>,
    pub excluded: Vec<Pattern>,
}

impl Role {
    pub fn allows(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p.matches(permission)) && !self.excluded.iter().any(|p| p.matches(permission))
    }
}

fn parse_builtin() -> Result<Vec<Role>, DataError> {
    let file = "graph/permissions/gcp-roles.yaml";
    let text = include_str!("../../../graph/permissions/gcp-roles.yaml");
    let pats = |v: Vec<String>| v.iter().map(|s| Pattern::new_ci(s)).collect();
    Ok(entries(file, text)?
        .iter()
        .map(|e| Role {
            name: str_of(e, "name").unwrap_or_default().to_string(),
            permissions: pats(strs(e, "permissions")),
            excluded: pats(strs(e, "excluded")),
        })
        .collect())
}

pub fn builtin() -> &'static [Role] {
    static ROLES: OnceLock<Vec<Role>> = OnceLock::new();
    ROLES.get_or_init(|| parse_builtin().unwrap_or_default())
}

/// A predefined or basic role by name (`roles/editor`); custom roles are not known.
pub fn role(name: &str) -> Option<&'static Role> {
    builtin().iter().find(|r| r.name == name)
}

/// An IAM member string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    ServiceAccount(String),
    User(String),
    Group(String),
    Domain(String),
    AllUsers,
    AllAuthenticatedUsers,
    /// `projectOwner:p`, `projectEditor:p`, `projectViewer:p` (and BigQuery's `projectReader`…).
    Convenience(String),
    Other(String),
}

pub fn parse_member(m: &str) -> Member {
    match m.split_once(':') {
        _ if m == "allUsers" => Member::AllUsers,
        _ if m == "allAuthenticatedUsers" => Member::AllAuthenticatedUsers,
        Some(("serviceAccount", e)) => Member::ServiceAccount(e.to_ascii_lowercase()),
        Some(("user", e)) => Member::User(e.to_ascii_lowercase()),
        Some(("group", e)) => Member::Group(e.to_ascii_lowercase()),
        Some(("domain", d)) => Member::Domain(d.to_ascii_lowercase()),
        Some((k, _)) if k.starts_with("project") => Member::Convenience(m.to_string()),
        _ => Member::Other(m.to_string()),
    }
}

pub struct KindAccess {
    pub kind: &'static str,
    pub read: &'static [&'static str],
    pub write: &'static [&'static str],
    pub admin: &'static [&'static str],
    pub execute: &'static [&'static str],
}

impl KindAccess {
    pub fn probes(&self, level: Level) -> &'static [&'static str] {
        match level {
            Level::Read => self.read,
            Level::Write => self.write,
            Level::Admin => self.admin,
            Level::Execute => self.execute,
        }
    }
}

pub static KINDS: &[KindAccess] = &[
    KindAccess {
        kind: "gcp.storage.bucket",
        read: &["storage.objects.get"],
        write: &["storage.objects.create", "storage.objects.delete"],
        admin: &["storage.buckets.setIamPolicy"],
        execute: &[],
    },
    KindAccess {
        kind: "gcp.kms.crypto_key",
        read: &["cloudkms.cryptoKeyVersions.useToDecrypt"],
        write: &["cloudkms.cryptoKeyVersions.destroy"],
        admin: &["cloudkms.cryptoKeys.setIamPolicy"],
        execute: &[],
    },
    KindAccess {
        kind: "gcp.bigquery.dataset",
        read: &["bigquery.tables.getData"],
        write: &["bigquery.tables.updateData"],
        admin: &["bigquery.datasets.update", "bigquery.datasets.setIamPolicy"],
        execute: &[],
    },
    KindAccess {
        kind: "gcp.bigquery.table",
        read: &["bigquery.tables.getData"],
        write: &["bigquery.tables.updateData"],
        admin: &["bigquery.tables.setIamPolicy"],
        execute: &[],
    },
    KindAccess {
        kind: "gcp.sql.instance",
        read: &["cloudsql.instances.export"],
        write: &["cloudsql.users.update"],
        admin: &["cloudsql.instances.update"],
        execute: &[],
    },
    KindAccess {
        kind: "gcp.iam.service_account",
        read: &[],
        write: &[],
        admin: &["iam.serviceAccounts.setIamPolicy"],
        // Each of these mints credentials of the service account.
        execute: &[
            "iam.serviceAccounts.getAccessToken",
            "iam.serviceAccountKeys.create",
            "iam.serviceAccounts.signJwt",
            "iam.serviceAccounts.implicitDelegation",
        ],
    },
    KindAccess {
        kind: "gcp.compute.instance",
        read: &[],
        write: &["compute.instances.setServiceAccount"],
        admin: &["compute.instances.setIamPolicy"],
        execute: &["compute.instances.setMetadata", "compute.instances.osAdminLogin"],
    },
    KindAccess {
        kind: "gcp.cloudfunctions.function",
        read: &["cloudfunctions.functions.sourceCodeGet"],
        write: &["cloudfunctions.functions.update"],
        admin: &["cloudfunctions.functions.setIamPolicy"],
        execute: &["cloudfunctions.functions.update"],
    },
    KindAccess {
        kind: "gcp.container.cluster",
        read: &[],
        write: &["container.clusters.update"],
        admin: &["container.clusterRoleBindings.create"],
        execute: &["container.pods.exec"],
    },
    KindAccess {
        kind: "gcp.secretmanager.secret",
        read: &["secretmanager.versions.access"],
        write: &["secretmanager.versions.add"],
        admin: &["secretmanager.secrets.setIamPolicy"],
        execute: &[],
    },
    KindAccess {
        kind: "gcp.resourcemanager.project",
        read: &[],
        write: &[],
        admin: &["resourcemanager.projects.setIamPolicy"],
        execute: &[],
    },
];

pub fn kind_access(kind: &str) -> Option<&'static KindAccess> {
    KINDS.iter().find(|k| k.kind == kind)
}

pub fn levels(role: &Role, kind: &KindAccess) -> Levels {
    let mut out = Levels::default();
    for l in Level::ALL {
        if kind.probes(l).iter().any(|p| role.allows(p)) {
            out.insert(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_roles() {
        assert!(parse_builtin().is_ok());
        let bucket = kind_access("gcp.storage.bucket").unwrap();
        let owner = role("roles/owner").unwrap();
        let editor = role("roles/editor").unwrap();
        let viewer = role("roles/viewer").unwrap();
        assert!(levels(owner, bucket).contains(Level::Admin));
        let e = levels(editor, bucket);
        assert!(e.contains(Level::Read) && e.contains(Level::Write) && !e.contains(Level::Admin));
        assert!(levels(viewer, bucket).is_empty());
        assert!(editor.allows("iam.serviceAccountKeys.create"));
        assert!(role("roles/custom.thing").is_none());
    }

    #[test]
    fn impersonation_roles_execute_as_service_accounts() {
        let sa = kind_access("gcp.iam.service_account").unwrap();
        assert!(levels(role("roles/iam.serviceAccountTokenCreator").unwrap(), sa).contains(Level::Execute));
        assert!(!levels(role("roles/iam.serviceAccountUser").unwrap(), sa).contains(Level::Execute));
    }

    #[test]
    fn members() {
        assert_eq!(parse_member("allUsers"), Member::AllUsers);
        assert_eq!(
            parse_member("serviceAccount:A@p.iam.gserviceaccount.com"),
            Member::ServiceAccount("a@p.iam.gserviceaccount.com".into())
        );
        assert_eq!(parse_member("projectOwner:p"), Member::Convenience("projectOwner:p".into()));
        assert_eq!(parse_member("weird"), Member::Other("weird".into()));
    }
}
