//! The envelope of an ARM resource as Resource Graph and ARM return it (`id`, `type`, `name`,
//! `location`, `subscriptionId`, `resourceGroup`, `tags`, `properties`, `sku`, `identity`, `kind`),
//! and ARM id arithmetic. Canonical uids are lower-cased ARM ids.

use posture_collect_cloud::json::{get, str_at};
use posture_model::{Origin, Relation, Resource};
use serde_json::Value;

/// Pseudo-type of a marker item: `properties.types` were listed in full under `id` (a subscription
/// or a resource), so a parent without items of those types has none. Written by the live collector.
pub const LISTED: &str = "posture.listed";

pub struct Item<'a> {
    pub v: &'a Value,
    /// Lower-cased ARM id.
    pub uid: String,
    /// Lower-cased resource type, e.g. `microsoft.storage/storageaccounts`.
    pub rtype: String,
    pub name: String,
    pub sub: String,
    pub location: Option<String>,
}

impl<'a> Item<'a> {
    /// Reads the envelope; the error says what is missing.
    pub fn parse(v: &'a Value) -> Result<Item<'a>, String> {
        if !v.is_object() {
            return Err("item is not a JSON object".into());
        }
        let id = str_at(v, &["id"]).filter(|s| s.starts_with('/')).ok_or("item has no ARM `id`")?;
        let rtype = str_at(v, &["type"]).filter(|s| !s.is_empty()).ok_or("item has no `type`")?.to_ascii_lowercase();
        let uid = id.trim_end_matches('/').to_ascii_lowercase();
        let name = str_at(v, &["name"]).map(str::to_string).unwrap_or_else(|| last_segment(id).to_string());
        let sub = str_at(v, &["subscriptionId"])
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_lowercase)
            .or_else(|| subscription_of(&uid).map(str::to_string))
            .ok_or("item has no subscription (neither `subscriptionId` nor /subscriptions/ in its id)")?;
        let location = str_at(v, &["location"]).filter(|s| !s.is_empty()).map(|s| s.to_ascii_lowercase().replace(' ', ""));
        Ok(Item { v, uid, rtype, name, sub, location })
    }

    /// `properties`, when it is an object.
    pub fn props(&self) -> Option<&'a Value> {
        get(self.v, "properties").filter(|p| p.is_object())
    }

    /// The canonical envelope: uid, kind, account, region, name, tags, origin.
    pub fn base(&self, kind: &str, origin: &Origin) -> Resource {
        let mut r = Resource::new(self.uid.clone(), kind);
        r.account = self.sub.clone();
        r.region = self.location.clone();
        r.name = self.name.clone();
        if let Some(tags) = get(self.v, "tags").and_then(Value::as_object) {
            for (k, v) in tags {
                if let Some(s) = v.as_str() {
                    r.tags.insert(k.clone(), s.to_string());
                }
            }
        }
        r.origin = Some(origin.clone());
        r
    }
}

pub fn relate(r: &mut Resource, rel: &str, target: &str) {
    let relation = Relation { rel: rel.to_string(), target: target.to_ascii_lowercase() };
    if !target.is_empty() && !r.relations.contains(&relation) {
        r.relations.push(relation);
    }
}

pub fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or_default()
}

/// The subscription id in a (lower-cased) ARM id.
pub fn subscription_of(uid: &str) -> Option<&str> {
    let rest = uid.strip_prefix("/subscriptions/")?;
    rest.split('/').next().filter(|s| !s.is_empty())
}

pub fn subscription_uid(sub: &str) -> String {
    format!("/subscriptions/{}", sub.to_ascii_lowercase())
}

/// The resource an ARM child or extension resource belongs to: `…/servers/s/firewallRules/r` →
/// `…/servers/s`; `X/providers/Microsoft.Insights/diagnosticSettings/d` → `X`.
pub fn parent_of(uid: &str) -> Option<String> {
    let segs: Vec<&str> = uid.trim_end_matches('/').split('/').collect();
    if segs.len() < 3 {
        return None;
    }
    let mut keep = segs.len() - 2;
    if keep >= 2 && segs[keep - 2].eq_ignore_ascii_case("providers") {
        keep -= 2;
    }
    let parent = segs[..keep].join("/");
    Some(if parent.is_empty() { "/".to_string() } else { parent.to_ascii_lowercase() })
}

/// Kind of scope of a role assignment, from its scope id.
pub fn scope_type(scope: &str) -> &'static str {
    let s = scope.trim_end_matches('/').to_ascii_lowercase();
    let segs: Vec<&str> = s.split('/').filter(|x| !x.is_empty()).collect();
    match segs.as_slice() {
        [] => "root",
        ["providers", "microsoft.management", "managementgroups", _] => "management_group",
        ["subscriptions", _] => "subscription",
        ["subscriptions", _, "resourcegroups", _] => "resource_group",
        _ => "resource",
    }
}

/// Lower-cased ARM id from a `{"id": …}` reference object, or a bare string.
pub fn ref_id(v: Option<&Value>) -> Option<String> {
    let v = v?;
    let s = v.as_str().or_else(|| str_at(v, &["id"]))?;
    (!s.is_empty()).then(|| s.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelope_and_ids() {
        let v = json!({"id": "/subscriptions/ABC/resourceGroups/RG/providers/Microsoft.Sql/servers/s1/firewallRules/r",
                       "type": "Microsoft.Sql/servers/firewallRules", "location": "West Europe"});
        let item = Item::parse(&v).unwrap();
        assert_eq!(item.sub, "abc");
        assert_eq!(item.name, "r");
        assert_eq!(item.location.as_deref(), Some("westeurope"));
        assert_eq!(parent_of(&item.uid).unwrap(), "/subscriptions/abc/resourcegroups/rg/providers/microsoft.sql/servers/s1");
        assert_eq!(
            parent_of("/subscriptions/a/resourcegroups/r/providers/microsoft.keyvault/vaults/v/providers/microsoft.insights/diagnosticsettings/d").unwrap(),
            "/subscriptions/a/resourcegroups/r/providers/microsoft.keyvault/vaults/v"
        );
        assert_eq!(parent_of("/subscriptions/a/providers/microsoft.security/pricings/vm").unwrap(), "/subscriptions/a");
        assert!(Item::parse(&json!({"type": "x"})).is_err());
        assert!(Item::parse(&json!({"id": "/providers/Microsoft.Authorization/roleDefinitions/1", "type": "x"})).is_err());
        assert!(Item::parse(&json!("text")).is_err());
    }

    #[test]
    fn scope_types() {
        assert_eq!(scope_type("/"), "root");
        assert_eq!(scope_type("/providers/Microsoft.Management/managementGroups/mg"), "management_group");
        assert_eq!(scope_type("/subscriptions/s"), "subscription");
        assert_eq!(scope_type("/subscriptions/s/resourceGroups/r"), "resource_group");
        assert_eq!(scope_type("/subscriptions/s/resourceGroups/r/providers/a/b/c"), "resource");
    }
}
