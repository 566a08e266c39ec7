//! Deny assignments (`microsoft.authorization/denyassignments`, Resource Graph's
//! `authorizationresources` table or the ARM listing): actions that the named principals may not
//! take at a scope (and below it, unless `doNotApplyToChildScopes`), whatever their role
//! assignments allow. Azure creates them for managed applications, blueprints and deployment
//! stacks; users cannot write them directly.

use super::Ctx;
use crate::arm::{relate, scope_type, Item};
use posture_collect_cloud::json::{arr_at, bool_at, nullable_str, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::Value;

const PRINCIPAL_TYPES: &[&str] = &["User", "Group", "ServicePrincipal", "SystemDefined", "ForeignGroup", "Device"];

/// `[{id, type}]` with ids lower-cased; an entry without an id is dropped (it names no one).
fn principals(p: &Value, key: &str) -> Vec<Value> {
    arr_at(p, &[key])
        .iter()
        .filter_map(|x| {
            let id = str_at(x, &["id"])?.to_ascii_lowercase();
            let mut a = Attrs::new();
            a.set("id", id);
            a.put("type", str_at(x, &["type"]).and_then(|t| PRINCIPAL_TYPES.iter().find(|k| k.eq_ignore_ascii_case(t)).copied()));
            Some(a.into_value())
        })
        .collect()
}

fn permissions(p: &Value) -> Vec<Value> {
    arr_at(p, &["permissions"])
        .iter()
        .map(|x| {
            let mut b = Attrs::new();
            b.set("actions", strings_at(x, &["actions"]));
            b.set("not_actions", strings_at(x, &["notActions"]));
            b.set("data_actions", strings_at(x, &["dataActions"]));
            b.set("not_data_actions", strings_at(x, &["notDataActions"]));
            b.into_value()
        })
        .collect()
}

pub fn deny_assignment(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.authorization.deny_assignment", ctx.origin);
    r.region = Some("global".into());
    let Some(p) = item.props() else { return vec![r] };
    if let Some(n) = str_at(p, &["denyAssignmentName"]).filter(|n| !n.is_empty()) {
        r.name = n.to_string();
    }
    let mut a = Attrs::new();
    a.put("deny_assignment_name", str_at(p, &["denyAssignmentName"]));
    a.put("description", nullable_str(Some(p), "description"));
    let scope = str_at(p, &["scope"]).map(|s| s.trim_end_matches('/').to_ascii_lowercase()).map(|s| if s.is_empty() { "/".into() } else { s });
    if let Some(s) = &scope {
        a.set("scope", s.clone());
        a.set("scope_type", scope_type(s));
        relate(&mut r, "scoped_to", s);
    }
    a.set("do_not_apply_to_child_scopes", bool_at(p, &["doNotApplyToChildScopes"]).unwrap_or(false));
    a.put("is_system_protected", bool_at(p, &["isSystemProtected"]));
    if p.get("permissions").is_some() {
        a.set("permissions", permissions(p));
    }
    if p.get("principals").is_some() {
        a.set("principals", principals(p, "principals"));
    }
    if p.get("excludePrincipals").is_some() {
        a.set("exclude_principals", principals(p, "excludePrincipals"));
    }
    r.attrs = a.into_map();
    vec![r]
}
