//! Key vaults, and the keys and secrets in them (ARM `vaults/keys` and `vaults/secrets`; secret
//! values are never part of those answers).

use super::common::{diagnostic_settings, network_acls, private_endpoints};
use super::Ctx;
use crate::arm::{parent_of, relate, Item};
use crate::index::Index;
use posture_collect_cloud::json::{arr_at, as_int, at, bool_at, enum_at, get, nullable_bool, nullable_enum, nullable_int, nullable_str, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

pub fn observe(item: &Item, index: &mut Index) -> bool {
    if item.rtype != "microsoft.keyvault/vaults" {
        return false;
    }
    let p = item.props();
    if let Some(rbac) = nullable_bool(p, "enableRbacAuthorization") {
        index.vault_rbac.insert(item.uid.clone(), rbac);
    }
    let host = p
        .and_then(|p| str_at(p, &["vaultUri"]))
        .and_then(super::storage::host_of)
        .unwrap_or_else(|| format!("{}.vault.azure.net", item.name.to_ascii_lowercase()));
    index.vault_by_host.insert(host, item.uid.clone());
    true
}

pub fn vault(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.keyvault.vault", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.put("sku_name", enum_at(p, &["sku", "name"], &["standard", "premium"]));
    a.put("tenant_id", str_at(p, &["tenantId"]));
    let soft = nullable_bool(Some(p), "enableSoftDelete");
    let retention = if soft == Some(Value::Bool(false)) { Some(Value::Null) } else { nullable_int(Some(p), "softDeleteRetentionInDays") };
    a.put("enable_soft_delete", soft);
    a.put("soft_delete_retention_days", retention);
    a.put("enable_purge_protection", nullable_bool(Some(p), "enablePurgeProtection"));
    a.put("enable_rbac_authorization", nullable_bool(Some(p), "enableRbacAuthorization"));
    a.put("public_network_access", nullable_enum(Some(p), "publicNetworkAccess", &["Enabled", "Disabled"]));
    a.set("network_acls", get(p, "networkAcls").filter(|n| n.is_object()).map(network_acls).unwrap_or(Value::Null));
    a.put("private_endpoint_connections", private_endpoints(Some(p)));
    let policies: Vec<Value> = arr_at(p, &["accessPolicies"])
        .iter()
        .map(|ap| {
            let mut x = Attrs::new();
            x.put("object_id", str_at(ap, &["objectId"]));
            x.set("key_permissions", strings_at(ap, &["permissions", "keys"]));
            x.set("secret_permissions", strings_at(ap, &["permissions", "secrets"]));
            x.set("certificate_permissions", strings_at(ap, &["permissions", "certificates"]));
            x.into_value()
        })
        .collect();
    a.set("access_policies", policies);
    a.put("diagnostic_settings", diagnostic_settings(ctx, &item.uid));
    r.attrs = a.into_map();
    vec![r]
}

/// ARM writes key and secret times as Unix seconds, the data plane as RFC 3339; both are read.
fn when(v: Option<&Value>) -> Option<String> {
    let v = v?;
    match v {
        Value::String(s) => posture_collect_cloud::time::normalise(s),
        other => as_int(other).and_then(posture_collect_cloud::time::from_unix).map(posture_collect_cloud::time::format),
    }
}

/// A time attribute that is `null` when the object is there but the time is not.
fn nullable_when(attrs: Option<&Value>, key: &str) -> Option<Value> {
    let attrs = attrs?;
    Some(when(get(attrs, key).filter(|v| !v.is_null())).map(Value::from).unwrap_or(Value::Null))
}

pub fn key(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.keyvault.key", ctx.origin);
    if let Some(vault) = parent_of(&item.uid) {
        relate(&mut r, "in_vault", &vault);
    }
    let Some(p) = item.props() else { return vec![r] };
    let attrs = get(p, "attributes").filter(|a| a.is_object());
    let mut a = Attrs::new();
    a.put("key_type", enum_at(p, &["kty"], &["RSA", "RSA-HSM", "EC", "EC-HSM", "oct-HSM"]));
    a.put("key_size", nullable_int(Some(p), "keySize"));
    a.put("curve_name", nullable_str(Some(p), "curveName"));
    a.put("enabled", attrs.and_then(|x| bool_at(x, &["enabled"])));
    a.put("expires_on", nullable_when(attrs, "exp"));
    a.put("not_before", nullable_when(attrs, "nbf"));
    a.put("created_on", attrs.and_then(|x| when(get(x, "created"))));
    a.put("rotation_policy", rotation_policy(get(p, "rotationPolicy")));
    r.attrs = a.into_map();
    vec![r]
}

/// `rotationPolicy` → `{auto_rotate, rotate_after_days, expiry_days}`; `null` without lifetime
/// actions. ARM omits the member when it did not read the policy, so absence stays unknown.
fn rotation_policy(policy: Option<&Value>) -> Option<Value> {
    let policy = policy?;
    let actions = arr_at(policy, &["lifetimeActions"]);
    if actions.is_empty() {
        return Some(Value::Null);
    }
    let rotate = actions.iter().find(|x| str_at(x, &["action", "type"]).is_some_and(|t| t.eq_ignore_ascii_case("rotate")));
    let after = rotate.and_then(|x| str_at(x, &["trigger", "timeAfterCreate"])).and_then(iso_days);
    let expiry = str_at(policy, &["attributes", "expiryTime"]).and_then(iso_days);
    Some(json!({"auto_rotate": rotate.is_some(), "rotate_after_days": after, "expiry_days": expiry}))
}

/// ISO 8601 durations as whole days: `P90D`, `P3M` (30 days a month), `P1Y` (365), `P2W`.
pub fn iso_days(s: &str) -> Option<i64> {
    let body = s.trim().strip_prefix('P').or_else(|| s.trim().strip_prefix('p'))?;
    let body = body.split(['T', 't']).next()?;
    let mut days = 0i64;
    let mut num = String::new();
    for c in body.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        days += n * match c.to_ascii_uppercase() {
            'Y' => 365,
            'M' => 30,
            'W' => 7,
            'D' => 1,
            _ => return None,
        };
    }
    num.is_empty().then_some(days)
}

pub fn secret(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.keyvault.secret", ctx.origin);
    let vault = parent_of(&item.uid);
    if let Some(v) = &vault {
        relate(&mut r, "in_vault", v);
    }
    let Some(p) = item.props() else { return vec![r] };
    let attrs = get(p, "attributes").filter(|a| a.is_object());
    let mut a = Attrs::new();
    a.put("enabled", attrs.and_then(|x| bool_at(x, &["enabled"])));
    a.put("expires_on", nullable_when(attrs, "exp"));
    a.put("not_before", nullable_when(attrs, "nbf"));
    a.put("content_type", nullable_str(Some(p), "contentType"));
    // Only the data plane says whether a secret backs a certificate; ARM does not.
    a.put("managed", at(p, &["managed"]).and_then(posture_collect_cloud::json::as_bool));
    a.put("created_on", attrs.and_then(|x| when(get(x, "created"))));
    a.put("updated_on", attrs.and_then(|x| when(get(x, "updated"))));
    a.put("vault_rbac_authorization", vault.and_then(|v| vault_rbac(ctx.index, &v)));
    r.attrs = a.into_map();
    vec![r]
}

fn vault_rbac(index: &Index, vault: &str) -> Option<Value> {
    index.vault_rbac.get(vault).cloned()
}

#[cfg(test)]
mod tests {
    use super::iso_days;

    #[test]
    fn iso_durations_become_days() {
        assert_eq!(iso_days("P90D"), Some(90));
        assert_eq!(iso_days("P1Y"), Some(365));
        assert_eq!(iso_days("P2M10D"), Some(70));
        assert_eq!(iso_days("P1W"), Some(7));
        assert_eq!(iso_days("90 days"), None);
        assert_eq!(iso_days("P"), Some(0));
    }
}
