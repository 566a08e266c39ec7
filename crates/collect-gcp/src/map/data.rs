//! Data stores: Cloud Storage buckets, Cloud SQL instances, BigQuery datasets and tables, and
//! Cloud DNS managed zones.

use super::{base, iam_members, relate, Ctx};
use crate::asset::{compute_name, kms_key_name, Asset};
use posture_collect_cloud::json::{arr_at, as_int, bool_at, enum_at, get, int_at, str_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

pub fn bucket(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.storage.bucket", ctx)?;
    // CAI has written buckets both as `//storage.googleapis.com/NAME` and `…/projects/_/buckets/NAME`.
    r.uid = crate::asset::bucket_name(crate::asset::last_segment(&a.name));
    let mut x = Attrs::new();
    if let Some(d) = a.data {
        x.put("location", str_at(d, &["location"]));
        x.put("location_type", enum_at(d, &["locationType"], &["region", "dual-region", "multi-region"]));
        x.put("storage_class", str_at(d, &["storageClass"]));
        let ubla = bool_at(d, &["iamConfiguration", "uniformBucketLevelAccess", "enabled"])
            .or_else(|| bool_at(d, &["iamConfiguration", "bucketPolicyOnly", "enabled"]))
            .unwrap_or(false);
        let locked = str_at(d, &["iamConfiguration", "uniformBucketLevelAccess", "lockedTime"]).filter(|_| ubla);
        let pap = match str_at(d, &["iamConfiguration", "publicAccessPrevention"]) {
            Some(p) if p.eq_ignore_ascii_case("enforced") => "enforced",
            _ => "inherited",
        };
        x.set(
            "iam_configuration",
            json!({"uniform_bucket_level_access": {"enabled": ubla, "locked_time": locked.and_then(posture_collect_cloud::time::normalise)},
                   "public_access_prevention": pap}),
        );
        // Object ACLs do not apply under uniform access; otherwise only what the export shows is known.
        if ubla {
            x.set("acls", Vec::<Value>::new());
            x.set("default_object_acl_public", Value::Null);
        } else {
            if let Some(acl) = get(d, "acl").and_then(Value::as_array) {
                let list: Vec<Value> = acl
                    .iter()
                    .filter_map(|e| {
                        let role = str_at(e, &["role"]).and_then(|s| posture_collect_cloud::json::one_of(s, &["OWNER", "WRITER", "READER"]))?;
                        Some(json!({"entity": str_at(e, &["entity"])?, "role": role}))
                    })
                    .collect();
                x.set("acls", list);
            }
            if let Some(acl) = get(d, "defaultObjectAcl").and_then(Value::as_array) {
                let public = acl.iter().any(|e| matches!(str_at(e, &["entity"]), Some("allUsers") | Some("allAuthenticatedUsers")));
                x.set("default_object_acl_public", public);
            }
        }
        x.set("versioning", json!({"enabled": bool_at(d, &["versioning", "enabled"]).unwrap_or(false)}));
        let retention = get(d, "retentionPolicy").filter(|p| p.is_object()).map(|p| {
            json!({"retention_period_seconds": int_at(p, &["retentionPeriod"]).unwrap_or(0), "is_locked": bool_at(p, &["isLocked"]).unwrap_or(false),
                   "effective_time": str_at(p, &["effectiveTime"]).and_then(posture_collect_cloud::time::normalise)})
        });
        x.set("retention_policy", retention.unwrap_or(Value::Null));
        x.set("soft_delete_retention_seconds", int_at(d, &["softDeletePolicy", "retentionDurationSeconds"]).map(Value::from).unwrap_or(Value::Null));
        let logging = get(d, "logging").filter(|l| str_at(l, &["logBucket"]).is_some()).map(|l| {
            json!({"log_bucket": str_at(l, &["logBucket"]), "log_object_prefix": str_at(l, &["logObjectPrefix"])})
        });
        x.set("logging", logging.unwrap_or(Value::Null));
        let key = str_at(d, &["encryption", "defaultKmsKeyName"]).filter(|k| !k.is_empty());
        if let Some(k) = key.and_then(kms_key_name) {
            relate(&mut r, "encrypted_with", &k);
        }
        x.set("encryption", key.map(|k| json!({"default_kms_key_name": k})).unwrap_or(Value::Null));
        let website = get(d, "website").filter(|w| w.as_object().is_some_and(|o| !o.is_empty())).map(|w| {
            json!({"main_page_suffix": str_at(w, &["mainPageSuffix"]), "not_found_page": str_at(w, &["notFoundPage"])})
        });
        x.set("website", website.unwrap_or(Value::Null));
        x.put("time_created", str_at(d, &["timeCreated"]).and_then(posture_collect_cloud::time::normalise));
    }
    x.put("iam_members", iam_members(a, ctx));
    r.attrs = x.into_map();
    Some(r)
}

pub fn sql_instance(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.sql.instance", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let s = get(d, "settings").unwrap_or(&Value::Null);
    let ip = get(s, "ipConfiguration").unwrap_or(&Value::Null);
    let backup = get(s, "backupConfiguration").unwrap_or(&Value::Null);
    let version = str_at(d, &["databaseVersion"]).unwrap_or_default();
    let mut x = Attrs::new();
    x.put("database_version", str_at(d, &["databaseVersion"]));
    x.put("instance_type", enum_at(d, &["instanceType"], &["CLOUD_SQL_INSTANCE", "READ_REPLICA_INSTANCE", "ON_PREMISES_INSTANCE"]));
    x.put("state", str_at(d, &["state"]));
    x.set("gce_zone", str_at(d, &["gceZone"]).map(Value::from).unwrap_or(Value::Null));
    let private = str_at(ip, &["privateNetwork"]).filter(|p| !p.is_empty());
    if let Some(n) = private.and_then(compute_name) {
        relate(&mut r, "in_vpc", &n);
    }
    let networks: Vec<Value> = arr_at(ip, &["authorizedNetworks"])
        .iter()
        .filter_map(|n| Some(json!({"name": str_at(n, &["name"]), "value": str_at(n, &["value"])?})))
        .collect();
    let mut ipc = Attrs::new();
    ipc.set("ipv4_enabled", bool_at(ip, &["ipv4Enabled"]).unwrap_or(false));
    ipc.set("private_network", private.map(Value::from).unwrap_or(Value::Null));
    ipc.set("require_ssl", bool_at(ip, &["requireSsl"]).map(Value::Bool).unwrap_or(Value::Null));
    ipc.set(
        "ssl_mode",
        enum_at(ip, &["sslMode"], &["ALLOW_UNENCRYPTED_AND_ENCRYPTED", "ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"]).map(Value::from).unwrap_or(Value::Null),
    );
    ipc.set("authorized_networks", networks);
    let enabled = bool_at(backup, &["enabled"]).unwrap_or(false);
    let mysql = version.starts_with("MYSQL");
    let b = json!({
        "enabled": enabled,
        "start_time": str_at(backup, &["startTime"]).filter(|_| enabled),
        "point_in_time_recovery_enabled": bool_at(backup, &["pointInTimeRecoveryEnabled"]).unwrap_or(false),
        "binary_log_enabled": if mysql { Value::Bool(bool_at(backup, &["binaryLogEnabled"]).unwrap_or(false)) } else { Value::Null },
        "retained_backups": int_at(backup, &["backupRetentionSettings", "retainedBackups"]).unwrap_or(7),
        "transaction_log_retention_days": int_at(backup, &["transactionLogRetentionDays"]).unwrap_or(7),
    });
    let flags: Vec<Value> = arr_at(s, &["databaseFlags"])
        .iter()
        .filter_map(|f| Some(json!({"name": str_at(f, &["name"])?, "value": str_at(f, &["value"]).unwrap_or_default()})))
        .collect();
    let mut settings = Attrs::new();
    settings.put("tier", str_at(s, &["tier"]));
    settings.put("availability_type", enum_at(s, &["availabilityType"], &["ZONAL", "REGIONAL"]));
    settings.set("deletion_protection_enabled", bool_at(s, &["deletionProtectionEnabled"]).unwrap_or(false));
    settings.set("ip_configuration", ipc.into_value());
    settings.set("backup_configuration", b);
    settings.set("database_flags", flags);
    if s.is_object() {
        x.set("settings", settings.into_value());
    }
    let key = str_at(d, &["diskEncryptionConfiguration", "kmsKeyName"]).filter(|k| !k.is_empty());
    if let Some(k) = key.and_then(kms_key_name) {
        relate(&mut r, "encrypted_with", &k);
    }
    x.set("disk_encryption_configuration", key.map(|k| json!({"kms_key_name": k})).unwrap_or(Value::Null));
    r.attrs = x.into_map();
    Some(r)
}

/// Milliseconds since the epoch (BigQuery writes them as strings) → RFC 3339.
fn millis(v: Option<&Value>) -> Option<String> {
    let ms = v.and_then(as_int)?;
    posture_collect_cloud::time::from_unix(ms / 1000).map(posture_collect_cloud::time::format)
}

/// Dataset access entries as IAM members (legacy roles mapped to their IAM equivalents).
fn access_members(d: &Value, project: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for e in arr_at(d, &["access"]) {
        let role = match str_at(e, &["role"]) {
            Some("READER") => "roles/bigquery.dataViewer".to_string(),
            Some("WRITER") => "roles/bigquery.dataEditor".to_string(),
            Some("OWNER") => "roles/bigquery.dataOwner".to_string(),
            Some(r) => r.to_string(),
            None => continue,
        };
        let member = if let Some(u) = str_at(e, &["userByEmail"]) {
            if u.ends_with(".gserviceaccount.com") { format!("serviceAccount:{u}") } else { format!("user:{u}") }
        } else if let Some(g) = str_at(e, &["groupByEmail"]) {
            format!("group:{g}")
        } else if let Some(dm) = str_at(e, &["domain"]) {
            format!("domain:{dm}")
        } else if let Some(m) = str_at(e, &["iamMember"]) {
            m.to_string()
        } else if let Some(sg) = str_at(e, &["specialGroup"]) {
            match sg {
                "allAuthenticatedUsers" | "allUsers" => sg.to_string(),
                "projectOwners" => format!("projectOwner:{project}"),
                "projectWriters" => format!("projectWriter:{project}"),
                "projectReaders" => format!("projectReader:{project}"),
                other => other.to_string(),
            }
        } else {
            continue;
        };
        out.push(json!({"role": role, "member": member, "condition_title": str_at(e, &["condition", "title"])}));
    }
    out
}

pub fn dataset(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.bigquery.dataset", ctx)?;
    let mut x = Attrs::new();
    let mut members = iam_members(a, ctx);
    if let Some(d) = a.data {
        if let Some(id) = str_at(d, &["datasetReference", "datasetId"]) {
            r.name = id.to_string();
        }
        x.put("location", str_at(d, &["location"]));
        if get(d, "access").is_some() {
            let mut list = access_members(d, &r.account);
            for m in members.take().unwrap_or_default() {
                if !list.iter().any(|l| l["role"] == m["role"] && l["member"] == m["member"]) {
                    list.push(m);
                }
            }
            members = Some(list);
        }
        let key = str_at(d, &["defaultEncryptionConfiguration", "kmsKeyName"]).filter(|k| !k.is_empty());
        if let Some(k) = key.and_then(kms_key_name) {
            relate(&mut r, "encrypted_with", &k);
        }
        x.set("default_encryption_configuration", key.map(|k| json!({"kms_key_name": k})).unwrap_or(Value::Null));
        x.set("default_table_expiration_ms", int_at(d, &["defaultTableExpirationMs"]).map(Value::from).unwrap_or(Value::Null));
        x.put("creation_time", millis(get(d, "creationTime")));
    }
    x.put("iam_members", members);
    r.attrs = x.into_map();
    Some(r)
}

pub fn table(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.bigquery.table", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    if let Some(id) = str_at(d, &["tableReference", "tableId"]) {
        r.name = id.to_string();
    }
    let mut x = Attrs::new();
    x.put("dataset_id", str_at(d, &["tableReference", "datasetId"]));
    x.put("table_type", enum_at(d, &["type"], &["TABLE", "VIEW", "MATERIALIZED_VIEW", "EXTERNAL", "SNAPSHOT"]));
    let key = str_at(d, &["encryptionConfiguration", "kmsKeyName"]).filter(|k| !k.is_empty());
    if let Some(k) = key.and_then(kms_key_name) {
        relate(&mut r, "encrypted_with", &k);
    }
    x.set("encryption_configuration", key.map(|k| json!({"kms_key_name": k})).unwrap_or(Value::Null));
    x.set("expiration_time", millis(get(d, "expirationTime")).map(Value::from).unwrap_or(Value::Null));
    x.put("creation_time", millis(get(d, "creationTime")));
    r.attrs = x.into_map();
    Some(r)
}

pub fn dns_zone(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.dns.managed_zone", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let visibility = enum_at(d, &["visibility"], &["public", "private"]).unwrap_or("public");
    let mut x = Attrs::new();
    x.put("dns_name", str_at(d, &["dnsName"]));
    x.set("visibility", visibility);
    let dnssec = if visibility == "private" {
        Value::Null
    } else {
        let c = get(d, "dnssecConfig").unwrap_or(&Value::Null);
        let state = enum_at(c, &["state"], &["on", "off", "transfer"]).unwrap_or("off");
        let specs: Vec<Value> = arr_at(c, &["defaultKeySpecs"])
            .iter()
            .map(|k| {
                let mut y = Attrs::new();
                y.put("key_type", enum_at(k, &["keyType"], &["keySigning", "zoneSigning"]));
                y.put("algorithm", enum_at(k, &["algorithm"], &["rsasha1", "rsasha256", "rsasha512", "ecdsap256sha256", "ecdsap384sha384"]));
                y.put("key_length", int_at(k, &["keyLength"]));
                y.into_value()
            })
            .collect();
        let ne = if state == "off" { None } else { enum_at(c, &["nonExistence"], &["nsec", "nsec3"]) };
        json!({"state": state, "non_existence": ne, "default_key_specs": specs})
    };
    x.set("dnssec_config", dnssec);
    x.put("creation_time", str_at(d, &["creationTime"]).and_then(posture_collect_cloud::time::normalise));
    r.attrs = x.into_map();
    Some(r)
}
