//! Azure RBAC: role definitions (actions, notActions, dataActions, notDataActions) and what they
//! give on each kind of resource. Scopes inherit downwards: management group → subscription →
//! resource group → resource; an ARM id is covered by every scope that is a prefix of it.

use crate::data::{entries, str_of, strs, DataError};
use crate::level::{Level, Levels};
use crate::wildcard::Pattern;
use serde_json::Value;
use std::sync::OnceLock;

/// One `permissions` block of a role definition.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub actions: Vec<Pattern>,
    pub not_actions: Vec<Pattern>,
    pub data_actions: Vec<Pattern>,
    pub not_data_actions: Vec<Pattern>,
}

#[derive(Debug, Clone, Default)]
pub struct RoleDefinition {
    pub name: String,
    /// The role's GUID (last segment of its ARM id), lower case.
    pub id: String,
    pub blocks: Vec<Block>,
}

fn pats(list: Vec<String>) -> Vec<Pattern> {
    list.iter().map(|s| Pattern::new_ci(s)).collect()
}

fn json_pats(v: &Value, key: &str) -> Vec<Pattern> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(Pattern::new_ci).collect())
        .unwrap_or_default()
}

fn hit(ps: &[Pattern], action: &str) -> bool {
    ps.iter().any(|p| p.matches(action))
}

impl RoleDefinition {
    /// From the attributes of an `azure.authorization.role_definition`.
    pub fn from_attrs(name: &str, id: &str, attrs: &serde_json::Map<String, Value>) -> RoleDefinition {
        let blocks = attrs
            .get("permissions")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|b| Block {
                        actions: json_pats(b, "actions"),
                        not_actions: json_pats(b, "not_actions"),
                        data_actions: json_pats(b, "data_actions"),
                        not_data_actions: json_pats(b, "not_data_actions"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        RoleDefinition { name: name.to_string(), id: guid(id), blocks }
    }

    /// A control-plane action (`Microsoft.Compute/virtualMachines/write`).
    pub fn allows(&self, action: &str) -> bool {
        self.blocks.iter().any(|b| hit(&b.actions, action) && !hit(&b.not_actions, action))
    }

    /// A data-plane action (`…/blobs/read`).
    pub fn allows_data(&self, action: &str) -> bool {
        self.blocks.iter().any(|b| hit(&b.data_actions, action) && !hit(&b.not_data_actions, action))
    }

    pub fn allows_probe(&self, p: &Probe) -> bool {
        if p.data {
            self.allows_data(p.action)
        } else {
            self.allows(p.action)
        }
    }
}

/// The GUID of a role definition id (`/subscriptions/…/roleDefinitions/<guid>`).
pub fn guid(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_ascii_lowercase()
}

fn parse_builtin() -> Result<Vec<RoleDefinition>, DataError> {
    let file = "graph/permissions/azure-roles.yaml";
    let text = include_str!("../../../graph/permissions/azure-roles.yaml");
    Ok(entries(file, text)?
        .iter()
        .map(|e| RoleDefinition {
            name: str_of(e, "name").unwrap_or_default().to_string(),
            id: str_of(e, "id").unwrap_or_default().to_ascii_lowercase(),
            blocks: vec![Block {
                actions: pats(strs(e, "actions")),
                not_actions: pats(strs(e, "not_actions")),
                data_actions: pats(strs(e, "data_actions")),
                not_data_actions: pats(strs(e, "not_data_actions")),
            }],
        })
        .collect())
}

/// The built-in roles of `graph/permissions/azure-roles.yaml` (empty if the file is broken; a
/// test guards it).
pub fn builtin() -> &'static [RoleDefinition] {
    static ROLES: OnceLock<Vec<RoleDefinition>> = OnceLock::new();
    ROLES.get_or_init(|| parse_builtin().unwrap_or_default())
}

/// A built-in role by its GUID or its name.
pub fn builtin_role(id: &str, name: &str) -> Option<&'static RoleDefinition> {
    let g = guid(id);
    builtin().iter().find(|r| (!g.is_empty() && r.id == g) || (!name.is_empty() && r.name.eq_ignore_ascii_case(name)))
}

#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub action: &'static str,
    pub data: bool,
}

const fn ctl(action: &'static str) -> Probe {
    Probe { action, data: false }
}

const fn data(action: &'static str) -> Probe {
    Probe { action, data: true }
}

pub struct KindAccess {
    pub kind: &'static str,
    pub read: &'static [Probe],
    pub write: &'static [Probe],
    pub admin: &'static [Probe],
    pub execute: &'static [Probe],
}

const ASSIGN: Probe = ctl("Microsoft.Authorization/roleAssignments/write");

pub static KINDS: &[KindAccess] = &[
    KindAccess {
        kind: "azure.storage.account",
        // listKeys gives the account keys, which read every blob unless shared keys are off.
        read: &[
            ctl("Microsoft.Storage/storageAccounts/listKeys/action"),
            data("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"),
        ],
        write: &[data("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write")],
        admin: &[ctl("Microsoft.Storage/storageAccounts/write"), ASSIGN],
        execute: &[],
    },
    KindAccess {
        kind: "azure.keyvault.vault",
        read: &[
            data("Microsoft.KeyVault/vaults/secrets/getSecret/action"),
            data("Microsoft.KeyVault/vaults/keys/decrypt/action"),
        ],
        write: &[data("Microsoft.KeyVault/vaults/secrets/setSecret/action")],
        // Writing the vault changes its access policies.
        admin: &[ctl("Microsoft.KeyVault/vaults/write"), ASSIGN],
        execute: &[],
    },
    KindAccess {
        kind: "azure.keyvault.secret",
        read: &[data("Microsoft.KeyVault/vaults/secrets/getSecret/action")],
        write: &[data("Microsoft.KeyVault/vaults/secrets/setSecret/action")],
        admin: &[ASSIGN],
        execute: &[],
    },
    KindAccess {
        kind: "azure.keyvault.key",
        read: &[
            data("Microsoft.KeyVault/vaults/keys/decrypt/action"),
            data("Microsoft.KeyVault/vaults/keys/unwrap/action"),
        ],
        write: &[data("Microsoft.KeyVault/vaults/keys/delete")],
        admin: &[ASSIGN],
        execute: &[],
    },
    KindAccess {
        kind: "azure.compute.virtual_machine",
        read: &[],
        write: &[ctl("Microsoft.Compute/virtualMachines/write")],
        admin: &[ASSIGN],
        execute: &[
            ctl("Microsoft.Compute/virtualMachines/runCommand/action"),
            ctl("Microsoft.Compute/virtualMachines/extensions/write"),
            data("Microsoft.Compute/virtualMachines/loginAsAdmin/action"),
        ],
    },
    KindAccess {
        kind: "azure.sql.server",
        // Resetting the administrator password opens every database.
        read: &[ctl("Microsoft.Sql/servers/write")],
        write: &[ctl("Microsoft.Sql/servers/write")],
        admin: &[ctl("Microsoft.Sql/servers/administrators/write"), ASSIGN],
        execute: &[],
    },
    KindAccess {
        kind: "azure.dbforpostgresql.flexible_server",
        read: &[ctl("Microsoft.DBforPostgreSQL/flexibleServers/write")],
        write: &[ctl("Microsoft.DBforPostgreSQL/flexibleServers/write")],
        admin: &[ASSIGN],
        execute: &[],
    },
    KindAccess {
        kind: "azure.dbformysql.flexible_server",
        read: &[ctl("Microsoft.DBforMySQL/flexibleServers/write")],
        write: &[ctl("Microsoft.DBforMySQL/flexibleServers/write")],
        admin: &[ASSIGN],
        execute: &[],
    },
    KindAccess {
        kind: "azure.documentdb.database_account",
        read: &[ctl("Microsoft.DocumentDB/databaseAccounts/listKeys/action")],
        write: &[ctl("Microsoft.DocumentDB/databaseAccounts/listKeys/action")],
        admin: &[ASSIGN],
        execute: &[],
    },
    KindAccess {
        kind: "azure.web.site",
        // App settings hold connection strings; publishing replaces the code.
        read: &[ctl("Microsoft.Web/sites/config/list/action")],
        write: &[ctl("Microsoft.Web/sites/write")],
        admin: &[ASSIGN],
        execute: &[ctl("Microsoft.Web/sites/publishxml/action"), ctl("Microsoft.Web/sites/write")],
    },
    KindAccess {
        kind: "azure.containerservice.managed_cluster",
        read: &[],
        write: &[ctl("Microsoft.ContainerService/managedClusters/write")],
        admin: &[ctl("Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action"), ASSIGN],
        execute: &[ctl("Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action")],
    },
    KindAccess { kind: "azure.resources.subscription", read: &[], write: &[], admin: &[ASSIGN], execute: &[] },
    KindAccess { kind: "azure.resources.resource_group", read: &[], write: &[], admin: &[ASSIGN], execute: &[] },
];

pub fn kind_access(kind: &str) -> Option<&'static KindAccess> {
    KINDS.iter().find(|k| k.kind == kind)
}

impl KindAccess {
    pub fn probes(&self, level: Level) -> &'static [Probe] {
        match level {
            Level::Read => self.read,
            Level::Write => self.write,
            Level::Admin => self.admin,
            Level::Execute => self.execute,
        }
    }
}

/// The levels a role gives on a kind.
pub fn levels(role: &RoleDefinition, kind: &KindAccess) -> Levels {
    let mut out = Levels::default();
    for l in Level::ALL {
        if kind.probes(l).iter().any(|p| role.allows_probe(p)) {
            out.insert(l);
        }
    }
    out
}

/// Whether `scope` (an ARM id, any case) covers `uid`.
pub fn scope_covers(scope: &str, uid: &str) -> bool {
    let (s, u) = (scope.trim_end_matches('/'), uid);
    u.len() >= s.len()
        && u.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes())
        && (u.len() == s.len() || u.as_bytes()[s.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_loads_and_contributor_cannot_assign_roles() {
        assert!(parse_builtin().is_ok());
        let owner = builtin_role("", "Owner").unwrap();
        let contributor = builtin_role(
            "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
            "",
        )
        .unwrap();
        assert_eq!(contributor.name, "Contributor");
        assert!(owner.allows("Microsoft.Authorization/roleAssignments/write"));
        assert!(!contributor.allows("Microsoft.Authorization/roleAssignments/write"));
        assert!(contributor.allows("Microsoft.Storage/storageAccounts/listKeys/action"));
        let reader = builtin_role("", "reader").unwrap();
        assert!(!reader.allows("Microsoft.Storage/storageAccounts/listKeys/action"));
        assert!(reader.allows("Microsoft.Storage/storageAccounts/read"));
    }

    #[test]
    fn data_actions_are_separate_from_actions() {
        let blob_reader = builtin_role("", "Storage Blob Data Reader").unwrap();
        let storage = kind_access("azure.storage.account").unwrap();
        let l = levels(blob_reader, storage);
        assert!(l.contains(Level::Read) && !l.contains(Level::Write) && !l.contains(Level::Admin));
        let owner = builtin_role("", "Owner").unwrap();
        // Owner has no data actions, but listKeys reads the data anyway.
        assert!(levels(owner, storage).contains(Level::Read));
        let secrets_user = builtin_role("", "Key Vault Secrets User").unwrap();
        assert!(levels(secrets_user, kind_access("azure.keyvault.vault").unwrap()).contains(Level::Read));
    }

    #[test]
    fn role_definitions_from_attrs() {
        let attrs = serde_json::json!({"permissions": [{"actions": ["Microsoft.Compute/*"], "not_actions": ["Microsoft.Compute/virtualMachines/runCommand/action"], "data_actions": [], "not_data_actions": []}]});
        let r = RoleDefinition::from_attrs("vm-ops", "/x/roleDefinitions/ABC", attrs.as_object().unwrap());
        assert_eq!(r.id, "abc");
        assert!(r.allows("microsoft.compute/virtualmachines/write"));
        assert!(!r.allows("Microsoft.Compute/virtualMachines/runCommand/action"));
    }

    #[test]
    fn scopes_cover_their_descendants_only() {
        let rg = "/subscriptions/s/resourceGroups/rg-a";
        assert!(scope_covers(rg, "/subscriptions/s/resourcegroups/rg-a/providers/x/y"));
        assert!(scope_covers(rg, "/subscriptions/s/resourcegroups/rg-a"));
        assert!(!scope_covers(rg, "/subscriptions/s/resourcegroups/rg-ab/providers/x/y"));
        assert!(!scope_covers(rg, "/subscriptions/s"));
    }
}
