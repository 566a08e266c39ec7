//! Service accounts (with their keys), Cloud KMS crypto keys and API keys.

use super::{base, iam_members, Ctx};
use crate::asset::{segment_after, Asset};
use crate::index::Index;
use posture_collect_cloud::json::{arr_at, bool_at, enum_at, get, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

const KEY_TYPE: &str = "iam.googleapis.com/ServiceAccountKey";

pub fn observe(a: &Asset, d: &Value, ix: &mut Index) {
    match a.asset_type.as_str() {
        "iam.googleapis.com/ServiceAccount" => {
            if let Some(email) = str_at(d, &["email"]) {
                ix.sa_by_email.insert(email.to_string(), a.name.clone());
            }
        }
        KEY_TYPE => {
            // `projects/P/serviceAccounts/EMAIL/keys/ID`
            let owner = str_at(d, &["name"]).and_then(|n| segment_after(n, "serviceAccounts")).map(str::to_string);
            if let Some(email) = owner {
                ix.sa_keys.entry(email).or_default().push(d.clone());
            }
        }
        _ => {}
    }
}

pub fn service_account(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.iam.service_account", ctx)?;
    let mut x = Attrs::new();
    if let Some(d) = a.data {
        let email = str_at(d, &["email"]);
        if let Some(e) = email {
            r.name = e.to_string();
        }
        x.put("email", email);
        x.put("unique_id", str_at(d, &["uniqueId"]));
        x.set("display_name", str_at(d, &["displayName"]).filter(|s| !s.is_empty()).map(Value::from).unwrap_or(Value::Null));
        x.set("description", str_at(d, &["description"]).filter(|s| !s.is_empty()).map(Value::from).unwrap_or(Value::Null));
        x.set("disabled", bool_at(d, &["disabled"]).unwrap_or(false));
        let known = ctx.index.type_known(&a.ancestors, KEY_TYPE);
        let keys = email.and_then(|e| ctx.index.sa_keys.get(e));
        if keys.is_some() || known {
            let list: Vec<Value> = keys.into_iter().flatten().map(|k| key(k, ctx)).collect();
            x.set("keys", list);
        }
    }
    x.put("iam_members", iam_members(a, ctx));
    r.attrs = x.into_map();
    Some(r)
}

fn key(k: &Value, ctx: &Ctx) -> Value {
    let after = str_at(k, &["validAfterTime"]).and_then(posture_collect_cloud::time::normalise);
    let mut y = Attrs::new();
    y.put("key_id", str_at(k, &["name"]).map(crate::asset::last_segment));
    y.put("key_type", enum_at(k, &["keyType"], &["USER_MANAGED", "SYSTEM_MANAGED"]));
    y.set("key_origin", enum_at(k, &["keyOrigin"], &["GOOGLE_PROVIDED", "USER_PROVIDED"]).map(Value::from).unwrap_or(Value::Null));
    y.put("key_algorithm", str_at(k, &["keyAlgorithm"]));
    y.put("age_days", after.as_deref().and_then(|t| posture_collect_cloud::time::age_days(t, ctx.now)));
    y.put("valid_after_time", after);
    y.put("valid_before_time", str_at(k, &["validBeforeTime"]).and_then(posture_collect_cloud::time::normalise));
    y.set("disabled", bool_at(k, &["disabled"]).unwrap_or(false));
    y.into_value()
}

/// `"7776000s"` or `"7776000.5s"` → whole seconds.
pub fn duration_secs(s: &str) -> Option<i64> {
    let n: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some(n as i64)
}

pub fn crypto_key(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.kms.crypto_key", ctx)?;
    let mut x = Attrs::new();
    if let Some(d) = a.data {
        let name = str_at(d, &["name"]).unwrap_or_default();
        x.put("key_ring", name.split("/cryptoKeys/").next().filter(|s| s.contains("keyRings")));
        x.put("purpose", enum_at(d, &["purpose"], &["ENCRYPT_DECRYPT", "ASYMMETRIC_SIGN", "ASYMMETRIC_DECRYPT", "RAW_ENCRYPT_DECRYPT", "MAC"]));
        x.put("algorithm", str_at(d, &["versionTemplate", "algorithm"]));
        x.put("protection_level", enum_at(d, &["versionTemplate", "protectionLevel"], &["SOFTWARE", "HSM", "EXTERNAL", "EXTERNAL_VPC"]).or(Some("SOFTWARE")));
        x.set("primary_state", str_at(d, &["primary", "state"]).map(Value::from).unwrap_or(Value::Null));
        x.set("rotation_period_seconds", str_at(d, &["rotationPeriod"]).and_then(duration_secs).map(Value::from).unwrap_or(Value::Null));
        x.set(
            "next_rotation_time",
            str_at(d, &["nextRotationTime"]).and_then(posture_collect_cloud::time::normalise).map(Value::from).unwrap_or(Value::Null),
        );
        x.put("destroy_scheduled_duration_seconds", str_at(d, &["destroyScheduledDuration"]).and_then(duration_secs));
        x.put("create_time", str_at(d, &["createTime"]).and_then(posture_collect_cloud::time::normalise));
    }
    x.put("iam_members", iam_members(a, ctx));
    r.attrs = x.into_map();
    Some(r)
}

pub fn api_key(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.apikeys.key", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let mut x = Attrs::new();
    if let Some(n) = str_at(d, &["displayName"]).filter(|s| !s.is_empty()) {
        r.name = n.to_string();
    }
    x.set("display_name", str_at(d, &["displayName"]).filter(|s| !s.is_empty()).map(Value::from).unwrap_or(Value::Null));
    let restrictions = get(d, "restrictions").filter(|x| x.as_object().is_some_and(|o| !o.is_empty())).map(|rs| {
        let packages: Vec<String> = arr_at(rs, &["androidKeyRestrictions", "allowedApplications"])
            .iter()
            .filter_map(|p| str_at(p, &["packageName"]).map(str::to_string))
            .collect();
        let targets: Vec<String> = arr_at(rs, &["apiTargets"]).iter().filter_map(|t| str_at(t, &["service"]).map(str::to_string)).collect();
        json!({"browser_allowed_referrers": strings_at(rs, &["browserKeyRestrictions", "allowedReferrers"]),
               "server_allowed_ips": strings_at(rs, &["serverKeyRestrictions", "allowedIps"]),
               "android_package_names": packages,
               "ios_bundle_ids": strings_at(rs, &["iosKeyRestrictions", "allowedBundleIds"]),
               "api_targets": targets})
    });
    x.set("restrictions", restrictions.unwrap_or(Value::Null));
    let created = str_at(d, &["createTime"]).and_then(posture_collect_cloud::time::normalise);
    x.put("age_days", created.as_deref().and_then(|c| posture_collect_cloud::time::age_days(c, ctx.now)));
    x.put("create_time", created);
    r.attrs = x.into_map();
    Some(r)
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(super::duration_secs("7776000s"), Some(7_776_000));
        assert_eq!(super::duration_secs("86400.5s"), Some(86_400));
        assert_eq!(super::duration_secs("1d"), None);
    }
}
