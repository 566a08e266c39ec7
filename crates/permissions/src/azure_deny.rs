//! Azure deny assignments: actions the principals they name may not take at their scope (and
//! below it, unless `doNotApplyToChildScopes`), whatever their role assignments allow. A deny
//! applies to a principal named in it, or to everyone (`SystemDefined` principal
//! `00000000-0000-0000-0000-000000000000`), unless the principal is excluded. Group membership is
//! not known here: a deny naming a group applies to that group's own assignments only.

use crate::azure::{scope_covers, Block, KindAccess, Probe, RoleDefinition};
use crate::level::{Level, Levels};
use crate::wildcard::Pattern;
use serde_json::{Map, Value};

/// The principal id that stands for every principal.
pub const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, Clone)]
pub struct DenyAssignment {
    pub name: String,
    /// ARM id of the scope, lower case.
    pub scope: String,
    /// Whether it applies below its scope too.
    pub children: bool,
    /// The denied actions, in a role definition's shape.
    pub denied: RoleDefinition,
    /// Object ids, lower case; [`EVERYONE`] for all.
    pub principals: Vec<String>,
    pub excluded: Vec<String>,
}

fn patterns(v: &Value, key: &str) -> Vec<Pattern> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(Pattern::new_ci).collect())
        .unwrap_or_default()
}

fn ids(attrs: &Map<String, Value>, key: &str) -> Option<Vec<String>> {
    let list = attrs.get(key)?.as_array()?;
    Some(list.iter().filter_map(|p| p.get("id").and_then(Value::as_str)).map(str::to_ascii_lowercase).collect())
}

impl DenyAssignment {
    /// From the attributes of an `azure.authorization.deny_assignment`; `None` when they do not
    /// say enough to apply it (scope, permissions, principals or exclusions unknown): a deny that
    /// cannot be applied is left out, so access is never hidden on a guess.
    pub fn from_attrs(name: &str, attrs: &Map<String, Value>) -> Option<DenyAssignment> {
        let scope = attrs.get("scope")?.as_str()?.trim_end_matches('/').to_ascii_lowercase();
        let blocks = attrs
            .get("permissions")?
            .as_array()?
            .iter()
            .map(|b| Block {
                actions: patterns(b, "actions"),
                not_actions: patterns(b, "not_actions"),
                data_actions: patterns(b, "data_actions"),
                not_data_actions: patterns(b, "not_data_actions"),
            })
            .collect();
        Some(DenyAssignment {
            name: name.to_string(),
            scope,
            children: !attrs.get("do_not_apply_to_child_scopes").and_then(Value::as_bool).unwrap_or(false),
            denied: RoleDefinition { name: name.to_string(), id: String::new(), blocks },
            principals: ids(attrs, "principals")?,
            excluded: ids(attrs, "exclude_principals")?,
        })
    }

    /// Whether it applies to `principal` (an object id) on `target` (an ARM id).
    pub fn applies(&self, principal: &str, target: &str) -> bool {
        let p = principal.to_ascii_lowercase();
        if self.excluded.contains(&p) || !self.principals.iter().any(|x| *x == p || x == EVERYONE) {
            return false;
        }
        if self.children {
            scope_covers(&self.scope, target)
        } else {
            target.trim_end_matches('/').eq_ignore_ascii_case(&self.scope)
        }
    }

    pub fn denies(&self, p: &Probe) -> bool {
        self.denied.allows_probe(p)
    }

    /// A control-plane action.
    pub fn denies_action(&self, action: &str) -> bool {
        self.denied.allows(action)
    }
}

/// The levels a role gives on a kind once the applicable denies take their actions away: a level
/// holds when one of its probes is allowed and denied by none.
pub fn levels_after(role: &RoleDefinition, kind: &KindAccess, denies: &[&DenyAssignment]) -> Levels {
    let mut out = Levels::default();
    for l in Level::ALL {
        if kind.probes(l).iter().any(|p| role.allows_probe(p) && !denies.iter().any(|d| d.denies(p))) {
            out.insert(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::{builtin_role, kind_access, levels};
    use serde_json::json;

    fn deny(attrs: Value) -> Option<DenyAssignment> {
        DenyAssignment::from_attrs("d", attrs.as_object()?)
    }

    #[test]
    fn a_deny_takes_its_actions_from_the_principals_it_names_at_and_below_its_scope() {
        let d = deny(json!({"scope": "/subscriptions/s/resourceGroups/RG", "do_not_apply_to_child_scopes": false,
            "permissions": [{"actions": ["Microsoft.Storage/*"], "not_actions": ["*/read"], "data_actions": ["Microsoft.Storage/*"], "not_data_actions": []}],
            "principals": [{"id": EVERYONE, "type": "SystemDefined"}], "exclude_principals": [{"id": "APP-1", "type": "ServicePrincipal"}]}))
        .expect("a complete deny");
        let sa = "/subscriptions/s/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st";
        assert!(d.applies("user-1", sa) && d.applies("user-1", "/subscriptions/s/resourcegroups/rg"));
        assert!(!d.applies("app-1", sa), "excluded");
        assert!(!d.applies("user-1", "/subscriptions/s/resourcegroups/other/providers/x/y"), "outside the scope");
        let owner = builtin_role("", "Owner").unwrap();
        let storage = kind_access("azure.storage.account").unwrap();
        assert!(levels(owner, storage).contains(Level::Read));
        let after = levels_after(owner, storage, &[&d]);
        assert!(!after.contains(Level::Read) && !after.contains(Level::Write), "{after:?}");
        assert!(after.contains(Level::Admin), "assigning roles is not a storage action: still allowed");
        assert_eq!(levels_after(owner, storage, &[]), levels(owner, storage));
    }

    #[test]
    fn named_principals_child_scopes_and_unknown_parts() {
        let d = deny(json!({"scope": "/subscriptions/s", "do_not_apply_to_child_scopes": true, "permissions": [{"actions": ["*"]}],
            "principals": [{"id": "u-1", "type": "User"}], "exclude_principals": []}))
        .unwrap();
        assert!(d.applies("U-1", "/subscriptions/s") && !d.applies("u-2", "/subscriptions/s"));
        assert!(!d.applies("u-1", "/subscriptions/s/resourcegroups/rg"), "not below its scope");
        assert!(d.denies_action("Microsoft.Authorization/roleAssignments/write"));
        assert!(
            deny(json!({"scope": "/subscriptions/s", "permissions": [], "principals": []})).is_none(),
            "exclusions unknown"
        );
        assert!(
            deny(json!({"scope": "/subscriptions/s", "principals": [], "exclude_principals": []})).is_none(),
            "permissions unknown"
        );
    }
}
