//! Storage accounts, with their blob, queue and table services folded in.

use super::common::{diagnostic_settings, network_acls, private_endpoints, DIAG};
use super::Ctx;
use crate::arm::{parent_of, relate, Item};
use crate::index::Index;
use posture_collect_cloud::json::{
    arr_at, at, bool_at, enum_at, get, int_at, nullable_bool, nullable_enum, nullable_int, str_at, Attrs,
};
use posture_model::Resource;
use serde_json::{json, Value};

const BLOB: &str = "microsoft.storage/storageaccounts/blobservices";
const QUEUE: &str = "microsoft.storage/storageaccounts/queueservices";
const TABLE: &str = "microsoft.storage/storageaccounts/tableservices";

pub fn observe(item: &Item, index: &mut Index) -> bool {
    let fragment = match item.rtype.as_str() {
        BLOB => blob_service(item.props().unwrap_or(&Value::Null)),
        QUEUE | TABLE => json!({}),
        _ => return false,
    };
    if let Some(account) = parent_of(&item.uid) {
        // The fragment remembers its own id: logging comes from its diagnostic settings.
        let mut f = fragment;
        if let Some(o) = f.as_object_mut() {
            o.insert("_id".into(), Value::from(item.uid.clone()));
        }
        index.add_child(&account, &item.rtype, f);
    }
    true
}

fn blob_service(p: &Value) -> Value {
    let policy = |key: &str| {
        let enabled = bool_at(p, &[key, "enabled"]).unwrap_or(false);
        let days = if enabled { int_at(p, &[key, "days"]).map(Value::from).unwrap_or(Value::Null) } else { Value::Null };
        json!({"enabled": enabled, "days": days})
    };
    let mut a = Attrs::new();
    a.set("delete_retention_policy", policy("deleteRetentionPolicy"));
    a.set("container_delete_retention_policy", policy("containerDeleteRetentionPolicy"));
    a.put("versioning_enabled", nullable_bool(Some(p), "isVersioningEnabled"));
    a.put("change_feed_enabled", nullable_bool(get(p, "changeFeed").or(Some(&json!({}))), "enabled"));
    a.into_value()
}

pub fn account(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.storage.account", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.put("account_kind", enum_at(item.v, &["kind"], &["StorageV2", "Storage", "BlobStorage", "BlockBlobStorage", "FileStorage"]));
    a.put("sku_name", str_at(item.v, &["sku", "name"]));
    a.put("access_tier", nullable_enum(Some(p), "accessTier", &["Hot", "Cool", "Cold", "Premium"]));
    a.put("https_only", bool_at(p, &["supportsHttpsTrafficOnly"]));
    a.put("minimum_tls_version", nullable_enum(Some(p), "minimumTlsVersion", &["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"]));
    a.put("allow_blob_public_access", nullable_bool(Some(p), "allowBlobPublicAccess"));
    a.put("allow_shared_key_access", nullable_bool(Some(p), "allowSharedKeyAccess"));
    a.put("allow_cross_tenant_replication", nullable_bool(Some(p), "allowCrossTenantReplication"));
    a.put("public_network_access", nullable_enum(Some(p), "publicNetworkAccess", &["Enabled", "Disabled", "SecuredByPerimeter"]));
    a.set("network_rule_set", get(p, "networkAcls").filter(|n| n.is_object()).map(network_acls).unwrap_or(Value::Null));
    a.put("private_endpoint_connections", private_endpoints(Some(p)));
    if let Some(enc) = get(p, "encryption").filter(|e| e.is_object()) {
        let (value, key_uid) = encryption(enc, ctx.index);
        a.set("encryption", value);
        if let Some(k) = key_uid {
            relate(&mut r, "encrypted_with", &k);
        }
    }
    a.put("blob_service", service(ctx, &item.uid, BLOB));
    a.put("queue_service", service(ctx, &item.uid, QUEUE));
    a.put("table_service", service(ctx, &item.uid, TABLE));
    a.put("key_expiration_period_days", nullable_int(get(p, "keyPolicy").or(Some(&json!({}))), "keyExpirationPeriodInDays"));
    a.put("diagnostic_settings", diagnostic_settings(ctx, &item.uid));
    a.put("creation_time", str_at(p, &["creationTime"]).and_then(posture_collect_cloud::time::normalise));
    a.put("access_keys", access_keys(get(p, "keyCreationTime"), ctx));
    r.attrs = a.into_map();
    vec![r]
}

/// `encryption` → canonical, and the uid of the customer-managed key when its vault is known.
fn encryption(enc: &Value, index: &Index) -> (Value, Option<String>) {
    let source = enum_at(enc, &["keySource"], &["Microsoft.Storage", "Microsoft.Keyvault"]);
    let kv = get(enc, "keyvaultproperties").filter(|k| k.is_object());
    let vault_uri = kv.and_then(|k| str_at(k, &["keyvaulturi"])).map(|u| u.trim_end_matches('/').to_string());
    let key_name = kv.and_then(|k| str_at(k, &["keyname"]));
    let uri = match (source, &vault_uri, key_name) {
        (Some("Microsoft.Keyvault"), Some(v), Some(k)) => Value::from(format!("{v}/keys/{k}")),
        _ => Value::Null,
    };
    let key_uid = match (&vault_uri, key_name) {
        (Some(v), Some(k)) => host_of(v).and_then(|h| index.vault_by_host.get(&h)).map(|vault| format!("{vault}/keys/{}", k.to_ascii_lowercase())),
        _ => None,
    };
    let mut a = Attrs::new();
    a.put("key_source", source);
    a.set("key_vault_key_uri", uri);
    a.put("require_infrastructure_encryption", nullable_bool(Some(enc), "requireInfrastructureEncryption"));
    (a.into_value(), key_uid)
}

/// `https://kv-x.vault.azure.net/...` → `kv-x.vault.azure.net`.
pub fn host_of(uri: &str) -> Option<String> {
    let rest = uri.split("://").nth(1)?;
    let host = rest.split('/').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// A service of the account with its request logging; `None` when not collected, `null` when the
/// account is known to have no such service.
fn service(ctx: &Ctx, account: &str, ctype: &str) -> Option<Value> {
    let found = ctx.index.child(account, ctype)?;
    let Some(f) = found else { return Some(Value::Null) };
    let mut out = super::common::strip(f, &["_id"]);
    let id = str_at(f, &["_id"]).map(str::to_string).unwrap_or_else(|| format!("{account}/{}/default", ctype.rsplit('/').next().unwrap_or_default()));
    if let (Some(o), Some(logging)) = (out.as_object_mut(), logging(ctx, &id)) {
        o.insert("logging".into(), logging);
    }
    Some(out)
}

/// Request logging from the service's diagnostic settings (Storage Analytics logging is a
/// data-plane setting Posture does not read, so no setting sending storage logs leaves it unknown).
fn logging(ctx: &Ctx, service: &str) -> Option<Value> {
    let settings = ctx.index.children(service, DIAG)?;
    let (mut read, mut write, mut delete) = (false, false, false);
    let mut retention: Option<Value> = None;
    for s in settings {
        let cats: Vec<String> = arr_at(s, &["categories_enabled"]).iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect();
        let all = cats.iter().any(|c| c == "alllogs");
        let (r, w, d) = (all || cats.iter().any(|c| c == "storageread"), all || cats.iter().any(|c| c == "storagewrite"), all || cats.iter().any(|c| c == "storagedelete"));
        if r || w || d {
            retention = at(s, &["retention_days"]).cloned();
        }
        read |= r;
        write |= w;
        delete |= d;
    }
    (read || write || delete).then(|| json!({"read": read, "write": write, "delete": delete, "retention_days": retention.unwrap_or(Value::Null)}))
}

fn access_keys(times: Option<&Value>, ctx: &Ctx) -> Option<Value> {
    let times = times.filter(|t| t.is_object())?;
    let keys: Vec<Value> = ["key1", "key2"]
        .iter()
        .map(|k| {
            let created = str_at(times, &[k]).and_then(posture_collect_cloud::time::normalise);
            let age = created.as_deref().and_then(|c| posture_collect_cloud::time::age_days(c, ctx.now));
            json!({"key_name": k, "creation_time": created, "age_days": age})
        })
        .collect();
    Some(Value::Array(keys))
}
