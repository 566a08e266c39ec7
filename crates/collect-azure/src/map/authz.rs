//! RBAC role assignments and role definitions. Built-in role definitions are read only to name
//! the roles of assignments; custom ones are also emitted (the rules check their permissions).

use super::Ctx;
use crate::arm::{last_segment, relate, scope_type, Item};
use crate::index::Index;
use posture_collect_cloud::json::{arr_at, enum_at, nullable_str, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::Value;

const DEFINITION: &str = "microsoft.authorization/roledefinitions";
const PRINCIPALS: &[&str] = &["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"];

pub fn observe(item: &Item, index: &mut Index) -> bool {
    if item.rtype != DEFINITION {
        return false;
    }
    if let Some(p) = item.props() {
        if let (Some(name), Some(kind)) = (str_at(p, &["roleName"]), enum_at(p, &["type"], &["BuiltInRole", "CustomRole"])) {
            index.role_defs.insert(last_segment(&item.uid).to_string(), (name.to_string(), kind.to_string()));
        }
    }
    true
}

pub fn assignment(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.authorization.role_assignment", ctx.origin);
    r.region = Some("global".into());
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    let principal_type = enum_at(p, &["principalType"], PRINCIPALS);
    a.put("principal_id", str_at(p, &["principalId"]));
    a.put("principal_type", principal_type);
    // Display names and user types come from Microsoft Graph, which this source does not read;
    // for principals that are not users the user type is null by definition.
    if principal_type.is_some_and(|t| t != "User") {
        a.set("principal_user_type", Value::Null);
    }
    let def = str_at(p, &["roleDefinitionId"]).map(str::to_ascii_lowercase);
    let role = def.as_deref().and_then(|d| ctx.index.role_defs.get(last_segment(d)));
    a.put("role_definition_id", def.clone());
    a.put("role_name", role.map(|(n, _)| n.clone()));
    a.put("role_type", role.map(|(_, t)| t.clone()));
    let scope = str_at(p, &["scope"]).map(|s| s.trim_end_matches('/').to_ascii_lowercase()).map(|s| if s.is_empty() { "/".into() } else { s });
    if let Some(s) = &scope {
        a.set("scope", s.clone());
        a.set("scope_type", scope_type(s));
        relate(&mut r, "scoped_to", s);
    }
    a.put("condition", nullable_str(Some(p), "condition"));
    a.put("created_on", str_at(p, &["createdOn"]).and_then(posture_collect_cloud::time::normalise));
    r.attrs = a.into_map();
    if let (Some((role, _)), Some(pt), Some(pid)) = (role, principal_type, str_at(p, &["principalId"])) {
        r.name = format!("{role} for {pt} {pid}");
    }
    vec![r]
}

pub fn definition(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let Some(p) = item.props() else { return Vec::new() };
    if enum_at(p, &["type"], &["BuiltInRole", "CustomRole"]) != Some("CustomRole") {
        return Vec::new();
    }
    let mut r = item.base("azure.authorization.role_definition", ctx.origin);
    r.region = Some("global".into());
    if let Some(n) = str_at(p, &["roleName"]) {
        r.name = n.to_string();
    }
    let mut a = Attrs::new();
    a.set("role_name", r.name.clone());
    a.set("role_type", "CustomRole");
    a.put("description", nullable_str(Some(p), "description"));
    let scopes: Vec<String> = strings_at(p, &["assignableScopes"]).iter().map(|s| s.to_ascii_lowercase()).collect();
    a.set("assignable_scopes", scopes);
    let perms: Vec<Value> = arr_at(p, &["permissions"])
        .iter()
        .map(|x| {
            let mut b = Attrs::new();
            b.set("actions", strings_at(x, &["actions"]));
            b.set("not_actions", strings_at(x, &["notActions"]));
            b.set("data_actions", strings_at(x, &["dataActions"]));
            b.set("not_data_actions", strings_at(x, &["notDataActions"]));
            b.into_value()
        })
        .collect();
    a.set("permissions", perms);
    r.attrs = a.into_map();
    vec![r]
}
