//! `google_*` resources, with the google provider's and GCP's defaults.

use super::{convert, jv, line_of, push, Build, Conv, Target};
use crate::hcl::value::V;
use crate::terraform::eval::EBlock;
use serde_json::{json, Value};

pub fn primary(t: &str, b: &EBlock) -> Option<Build> {
    let mut o = match t {
        "google_storage_bucket" => bucket(b),
        "google_compute_instance" => instance(b),
        "google_compute_firewall" => firewall(b),
        "google_sql_database_instance" => sql(b),
        "google_container_cluster" => gke(b),
        "google_compute_subnetwork" => subnetwork(b),
        "google_compute_network" => network(b),
        "google_bigquery_dataset" => dataset(b),
        "google_kms_crypto_key" => crypto_key(b),
        _ => return None,
    };
    if o.name.is_none() {
        o.name = b.value("name").and_then(V::to_text).or_else(|| b.value("dataset_id").and_then(V::to_text));
    }
    Some(o)
}

pub fn target(t: &str) -> Option<Target> {
    let (types, via, key): (&'static [&'static str], _, _) = match t {
        "google_storage_bucket_iam_binding" | "google_storage_bucket_iam_member" => (&["google_storage_bucket"], "bucket", "name"),
        "google_container_node_pool" => (&["google_container_cluster"], "cluster", "name"),
        "google_bigquery_dataset_iam_binding" | "google_bigquery_dataset_iam_member" => (&["google_bigquery_dataset"], "dataset_id", "dataset_id"),
        "google_kms_crypto_key_iam_binding" | "google_kms_crypto_key_iam_member" => (&["google_kms_crypto_key"], "crypto_key_id", "id"),
        _ => return None,
    };
    Some(Target { types, via, key })
}

pub fn augment(t: &str, b: &EBlock, into: &mut Build) {
    match t {
        "google_storage_bucket_iam_binding" | "google_bigquery_dataset_iam_binding" | "google_kms_crypto_key_iam_binding" => {
            let role = jv(b, "role", Conv::Str);
            match b.value("members") {
                Some(V::List(ms)) => {
                    for m in ms {
                        match m.to_text() {
                            Some(m) => push(into, "iam_members", json!({"role": role, "member": m}), line_of(b, "members")),
                            None => {
                                into.attrs.remove("iam_members");
                                return;
                            }
                        }
                    }
                }
                _ => {
                    into.attrs.remove("iam_members");
                }
            }
        }
        "google_storage_bucket_iam_member" | "google_bigquery_dataset_iam_member" | "google_kms_crypto_key_iam_member" => {
            match b.value("member").and_then(V::to_text) {
                Some(m) => push(into, "iam_members", json!({"role": jv(b, "role", Conv::Str), "member": m}), line_of(b, "member")),
                None => {
                    into.attrs.remove("iam_members");
                }
            }
        }
        "google_container_node_pool" => node_pool(b, into),
        _ => {}
    }
}

fn bucket(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.storage.bucket");
    o.field("location", b, "location", Conv::Str, None);
    o.field("storage_class", b, "storage_class", Conv::Str, Some(json!("STANDARD")));
    o.field("iam_configuration.uniform_bucket_level_access.enabled", b, "uniform_bucket_level_access", Conv::Bool, Some(json!(false)));
    // `inherited` unless enforced: public access is then possible.
    o.field("iam_configuration.public_access_prevention", b, "public_access_prevention", Conv::Str, Some(json!("inherited")));
    o.put("iam_members", json!([]), None);
    o.put("acls", json!([]), None);
    match b.block("versioning") {
        Some(v) => o.field("versioning.enabled", v, "enabled", Conv::Bool, Some(json!(false))),
        None => o.put("versioning", json!({"enabled": false}), None),
    }
    match b.block("logging") {
        Some(l) => {
            o.put("logging", json!({}), Some(l.line));
            o.field("logging.log_bucket", l, "log_bucket", Conv::Presence, None);
        }
        None => o.put("logging", Value::Null, None),
    }
    match b.block("encryption") {
        Some(e) => o.field("encryption.default_kms_key_name", e, "default_kms_key_name", Conv::Presence, None),
        None => o.put("encryption", Value::Null, None),
    }
    match b.block("retention_policy") {
        Some(r) => {
            o.put("retention_policy", json!({}), Some(r.line));
            o.field("retention_policy.retention_period_seconds", r, "retention_period", Conv::Int, None);
            o.field("retention_policy.is_locked", r, "is_locked", Conv::Bool, Some(json!(false)));
        }
        None => o.put("retention_policy", Value::Null, None),
    }
    o
}

fn instance(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.compute.instance");
    o.put("status", json!("RUNNING"), None);
    o.field("zone", b, "zone", Conv::Str, None);
    o.field("machine_type", b, "machine_type", Conv::Str, None);
    o.field("can_ip_forward", b, "can_ip_forward", Conv::Bool, Some(json!(false)));
    o.field("deletion_protection", b, "deletion_protection", Conv::Bool, Some(json!(false)));
    metadata(b, &mut o);
    o.put("network_interfaces", json!([]), None);
    for n in b.blocks("network_interface") {
        let access: Vec<Value> = n
            .blocks("access_config")
            .map(|a| {
                let tier = jv(a, "network_tier", Conv::Str).filter(Value::is_string).unwrap_or(json!("PREMIUM"));
                json!({"type": "ONE_TO_ONE_NAT", "nat_ip": jv(a, "nat_ip", Conv::Str).unwrap_or(Value::Null), "network_tier": tier})
            })
            .collect();
        push(&mut o, "network_interfaces", json!({"access_configs": access}), n.line);
        if n.unknown_blocks.contains("access_config") {
            o.attrs.remove("network_interfaces");
        }
    }
    o.put("service_accounts", json!([]), None);
    for s in b.blocks("service_account") {
        // Without an email the project's default compute service account is used.
        let email = match s.value("email") {
            None => Some(json!("PROJECT_NUMBER-compute@developer.gserviceaccount.com")),
            Some(v) => convert(v, Conv::Presence),
        };
        let scopes = s.value("scopes").and_then(|v| convert(v, Conv::Strs)).map(expand_scopes);
        match (email, scopes) {
            (Some(e), Some(sc)) => push(&mut o, "service_accounts", json!({"email": e, "scopes": sc}), s.line),
            _ => {
                o.attrs.remove("service_accounts");
            }
        }
    }
    match b.block("shielded_instance_config") {
        Some(s) => {
            o.field("shielded_instance_config.enable_secure_boot", s, "enable_secure_boot", Conv::Bool, Some(json!(false)));
            o.field("shielded_instance_config.enable_vtpm", s, "enable_vtpm", Conv::Bool, Some(json!(true)));
            o.field("shielded_instance_config.enable_integrity_monitoring", s, "enable_integrity_monitoring", Conv::Bool, Some(json!(true)));
        }
        None => o.put("shielded_instance_config", json!({"enable_secure_boot": false, "enable_vtpm": true, "enable_integrity_monitoring": true}), None),
    }
    let confidential = b.block("confidential_instance_config").and_then(|c| c.value("enable_confidential_compute")).and_then(V::as_bool).unwrap_or(false);
    o.put("confidential_compute_enabled", json!(confidential), None);
    o.put("disks", json!([]), None);
    if let Some(d) = b.block("boot_disk") {
        let kms = d.value("kms_key_self_link").and_then(|v| convert(v, Conv::Presence));
        let enc = if kms.is_some() { "CUSTOMER_MANAGED" } else if d.attr("disk_encryption_key_raw").is_some() { "CUSTOMER_SUPPLIED" } else { "GOOGLE_MANAGED" };
        push(&mut o, "disks", json!({"boot": true, "encryption": enc}), d.line);
    }
    o
}

/// Short scope aliases (`cloud-platform`) to the URLs the API returns.
fn expand_scopes(v: Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|s| match s.as_str() {
                    Some(t) if !t.contains('/') => json!(format!("https://www.googleapis.com/auth/{t}")),
                    _ => s,
                })
                .collect(),
        ),
        other => other,
    }
}

fn metadata(b: &EBlock, o: &mut Build) {
    let keys = [("enable-oslogin", "enable_oslogin"), ("block-project-ssh-keys", "block_project_ssh_keys"), ("serial-port-enable", "serial_port_enable")];
    match b.attr("metadata") {
        Some((V::Obj(m), line)) => {
            for (k, canon) in keys {
                match m.get(k) {
                    Some(v) => {
                        if let Some(t) = v.to_text().map(|t| t.to_ascii_lowercase()) {
                            o.put(&format!("metadata.{canon}"), json!(matches!(t.as_str(), "true" | "1" | "yes" | "y")), Some(*line));
                        }
                    }
                    None => o.put(&format!("metadata.{canon}"), Value::Null, None),
                }
            }
            o.put("metadata.has_ssh_keys", json!(m.contains_key("ssh-keys")), None);
        }
        Some(_) => {}
        None => {
            for (_, canon) in keys {
                o.put(&format!("metadata.{canon}"), Value::Null, None);
            }
            o.put("metadata.has_ssh_keys", json!(false), None);
        }
    }
}

fn firewall(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.compute.firewall");
    o.field("direction", b, "direction", Conv::Str, Some(json!("INGRESS")));
    o.field("disabled", b, "disabled", Conv::Bool, Some(json!(false)));
    o.field("priority", b, "priority", Conv::Int, Some(json!(1000)));
    let dir_in = b.value("direction").and_then(V::as_str).is_none_or(|d| d == "INGRESS");
    // An ingress rule with no source at all applies to every source.
    let no_source = ["source_ranges", "source_tags", "source_service_accounts"].iter().all(|k| b.attr(k).is_none());
    o.field("source_ranges", b, "source_ranges", Conv::Strs, Some(if dir_in && no_source { json!(["0.0.0.0/0"]) } else { json!([]) }));
    o.field("destination_ranges", b, "destination_ranges", Conv::Strs, Some(json!([])));
    o.field("source_tags", b, "source_tags", Conv::Strs, Some(json!([])));
    o.field("target_tags", b, "target_tags", Conv::Strs, Some(json!([])));
    for (blk, path) in [("allow", "allowed"), ("deny", "denied")] {
        o.put(path, json!([]), None);
        for a in b.blocks(blk) {
            let ports = match a.value("ports") {
                None | Some(V::Null) => Some(json!(["0-65535"])),
                Some(V::List(l)) if l.is_empty() => Some(json!(["0-65535"])),
                Some(v) => convert(v, Conv::Strs),
            };
            match (jv(a, "protocol", Conv::Str), ports) {
                (Some(p), Some(ports)) => push(&mut o, path, json!({"ip_protocol": p, "ports": ports}), a.line),
                _ => {
                    o.attrs.remove(path);
                    break;
                }
            }
        }
    }
    match b.block("log_config") {
        Some(l) => o.put("log_config", json!({"enable": true, "metadata": jv(l, "metadata", Conv::Str)}), Some(l.line)),
        None => o.put("log_config", json!({"enable": false}), None),
    }
    o.rel("in_vpc", b.value("network"));
    o
}

fn sql(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.sql.instance");
    o.field("database_version", b, "database_version", Conv::Str, None);
    o.put("instance_type", json!("CLOUD_SQL_INSTANCE"), None);
    o.put("state", json!("RUNNABLE"), None);
    let Some(s) = b.block("settings") else { return o };
    o.field("settings.tier", s, "tier", Conv::Str, None);
    o.field("settings.availability_type", s, "availability_type", Conv::Str, Some(json!("ZONAL")));
    match s.block("ip_configuration") {
        Some(ip) => {
            o.field("settings.ip_configuration.ipv4_enabled", ip, "ipv4_enabled", Conv::Bool, Some(json!(true)));
            o.field("settings.ip_configuration.require_ssl", ip, "require_ssl", Conv::Bool, Some(json!(false)));
            // Without ssl_mode, require_ssl decides what Cloud SQL accepts.
            let dflt = match ip.value("require_ssl").map(V::as_bool) {
                None | Some(Some(false)) => Some(json!("ALLOW_UNENCRYPTED_AND_ENCRYPTED")),
                Some(Some(true)) => Some(json!("TRUSTED_CLIENT_CERTIFICATE_REQUIRED")),
                Some(None) => None,
            };
            o.field("settings.ip_configuration.ssl_mode", ip, "ssl_mode", Conv::Str, dflt);
            o.put("settings.ip_configuration.authorized_networks", json!([]), None);
            for n in ip.blocks("authorized_networks") {
                match jv(n, "value", Conv::Str) {
                    Some(v) => push(&mut o, "settings.ip_configuration.authorized_networks", json!({"name": jv(n, "name", Conv::Str), "value": v}), line_of(n, "value")),
                    None => {
                        o.attrs.remove("settings");
                        return o;
                    }
                }
            }
        }
        None => o.put("settings.ip_configuration", json!({"ipv4_enabled": true, "require_ssl": false, "ssl_mode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED", "authorized_networks": []}), None),
    }
    match s.block("backup_configuration") {
        Some(bc) => o.field("settings.backup_configuration.enabled", bc, "enabled", Conv::Bool, Some(json!(false))),
        None => o.put("settings.backup_configuration", json!({"enabled": false}), None),
    }
    o.put("settings.database_flags", json!([]), None);
    for f in s.blocks("database_flags") {
        let item = json!({"name": jv(f, "name", Conv::Str), "value": jv(f, "value", Conv::Str)});
        push(&mut o, "settings.database_flags", item, f.line);
    }
    o
}

fn node_pool(p: &EBlock, into: &mut Build) {
    let cfg = p.block("node_config");
    let mgmt = p.block("management");
    let shielded = cfg.and_then(|c| c.block("shielded_instance_config"));
    let item = json!({
        "name": jv(p, "name", Conv::Str).filter(Value::is_string).unwrap_or(json!("(generated)")),
        "image_type": cfg.and_then(|c| jv(c, "image_type", Conv::Str)),
        "service_account": cfg.and_then(|c| c.value("service_account")).map_or(Some(json!("default")), |v| convert(v, Conv::Presence)),
        // GKE's default scopes when none are given.
        "oauth_scopes": cfg.and_then(|c| jv(c, "oauth_scopes", Conv::Strs)).map(expand_scopes).unwrap_or_else(|| expand_scopes(json!([
            "devstorage.read_only", "logging.write", "monitoring", "service.management.readonly", "servicecontrol", "trace.append"]))),
        "auto_upgrade": mgmt.and_then(|m| jv(m, "auto_upgrade", Conv::Bool)).unwrap_or(json!(true)),
        "auto_repair": mgmt.and_then(|m| jv(m, "auto_repair", Conv::Bool)).unwrap_or(json!(true)),
        "secure_boot": shielded.and_then(|s| jv(s, "enable_secure_boot", Conv::Bool)).unwrap_or(json!(false)),
        "integrity_monitoring": shielded.and_then(|s| jv(s, "enable_integrity_monitoring", Conv::Bool)).unwrap_or(json!(true)),
        "workload_metadata_mode": cfg.and_then(|c| c.block("workload_metadata_config")).and_then(|w| jv(w, "mode", Conv::Str).or_else(|| jv(w, "node_metadata", Conv::Str))),
    });
    push(into, "node_pools", item, p.line);
}

fn gke(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.container.cluster");
    o.field("location", b, "location", Conv::Str, None);
    o.field("autopilot", b, "enable_autopilot", Conv::Bool, Some(json!(false)));
    o.field("legacy_abac_enabled", b, "enable_legacy_abac", Conv::Bool, Some(json!(false)));
    o.field("logging_service", b, "logging_service", Conv::Str, Some(json!("logging.googleapis.com/kubernetes")));
    o.field("monitoring_service", b, "monitoring_service", Conv::Str, Some(json!("monitoring.googleapis.com/kubernetes")));
    o.field("shielded_nodes_enabled", b, "enable_shielded_nodes", Conv::Bool, Some(json!(true)));
    match b.block("master_auth").and_then(|m| m.block("client_certificate_config")) {
        Some(c) => o.field("client_certificate_issued", c, "issue_client_certificate", Conv::Bool, Some(json!(false))),
        None => o.put("client_certificate_issued", json!(false), None),
    }
    match b.block("network_policy") {
        Some(n) => o.field("network_policy_enforced", n, "enabled", Conv::Bool, Some(json!(false))),
        None => o.put("network_policy_enforced", json!(false), None),
    }
    match b.block("private_cluster_config") {
        Some(p) => {
            o.field("private_cluster_config.enable_private_nodes", p, "enable_private_nodes", Conv::Bool, Some(json!(false)));
            o.field("private_cluster_config.enable_private_endpoint", p, "enable_private_endpoint", Conv::Bool, Some(json!(false)));
        }
        None => o.put("private_cluster_config", json!({"enable_private_nodes": false, "enable_private_endpoint": false}), None),
    }
    match b.block("master_authorized_networks_config") {
        Some(m) => {
            o.put("master_authorized_networks_config.enabled", json!(true), Some(m.line));
            let cidrs: Option<Vec<Value>> = m.blocks("cidr_blocks").map(|c| jv(c, "cidr_block", Conv::Str)).collect();
            if let Some(c) = cidrs {
                o.put("master_authorized_networks_config.cidr_blocks", json!(c), None);
            }
        }
        None => o.put("master_authorized_networks_config", json!({"enabled": false, "cidr_blocks": []}), None),
    }
    match b.block("release_channel") {
        Some(r) => o.field("release_channel", r, "channel", Conv::Str, None),
        None => o.put("release_channel", json!("REGULAR"), None),
    }
    match b.block("workload_identity_config") {
        Some(w) => o.field("workload_identity_pool", w, "workload_pool", Conv::Str, None),
        None => o.put("workload_identity_pool", Value::Null, None),
    }
    match b.block("database_encryption") {
        Some(d) => o.field("database_encryption.state", d, "state", Conv::Str, None),
        None => o.put("database_encryption", json!({"state": "DECRYPTED"}), None),
    }
    o.put("node_pools", json!([]), None);
    // The default pool, unless removed.
    if b.value("remove_default_node_pool").and_then(V::as_bool) != Some(true) {
        let mut pool = b.clone();
        pool.attrs.insert("name".into(), (V::str("default-pool"), b.line));
        node_pool(&pool, &mut o);
    }
    o
}

fn subnetwork(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.compute.subnetwork");
    o.field("ip_cidr_range", b, "ip_cidr_range", Conv::Str, None);
    o.field("purpose", b, "purpose", Conv::Str, Some(json!("PRIVATE")));
    o.field("private_ip_google_access", b, "private_ip_google_access", Conv::Bool, Some(json!(false)));
    match b.block("log_config") {
        Some(l) => {
            o.put("log_config.enable", json!(true), Some(l.line));
            o.field("log_config.aggregation_interval", l, "aggregation_interval", Conv::Str, Some(json!("INTERVAL_5_SEC")));
            o.field("log_config.flow_sampling", l, "flow_sampling", Conv::Json, Some(json!(0.5)));
            o.field("log_config.metadata", l, "metadata", Conv::Str, Some(json!("INCLUDE_ALL_METADATA")));
        }
        None => o.put("log_config", json!({"enable": false}), None),
    }
    o.rel("in_vpc", b.value("network"));
    o
}

fn network(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.compute.network");
    let auto = b.value("auto_create_subnetworks").map_or(Some(true), V::as_bool);
    if let Some(a) = auto {
        o.put("auto_create_subnetworks", json!(a), b.attr("auto_create_subnetworks").map(|(_, l)| *l));
        o.put("mode", json!(if a { "auto" } else { "custom" }), None);
    }
    o.field("routing_mode", b, "routing_mode", Conv::Str, Some(json!("REGIONAL")));
    o
}

fn dataset(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.bigquery.dataset");
    o.field("location", b, "location", Conv::Str, Some(json!("US")));
    o.put("iam_members", json!([]), None);
    for a in b.blocks("access") {
        let member = jv(a, "special_group", Conv::Str)
            .or_else(|| jv(a, "user_by_email", Conv::Str).map(|e| json!(format!("user:{}", e.as_str().unwrap_or_default()))))
            .or_else(|| jv(a, "group_by_email", Conv::Str).map(|e| json!(format!("group:{}", e.as_str().unwrap_or_default()))))
            .or_else(|| jv(a, "domain", Conv::Str).map(|e| json!(format!("domain:{}", e.as_str().unwrap_or_default()))))
            .or_else(|| jv(a, "iam_member", Conv::Str));
        match member {
            Some(m) => push(&mut o, "iam_members", json!({"role": jv(a, "role", Conv::Str), "member": m}), a.line),
            None => {
                o.attrs.remove("iam_members");
                break;
            }
        }
    }
    match b.block("default_encryption_configuration") {
        Some(e) => o.field("default_encryption_configuration.kms_key_name", e, "kms_key_name", Conv::Presence, None),
        None => o.put("default_encryption_configuration", Value::Null, None),
    }
    o
}

fn crypto_key(b: &EBlock) -> Build {
    let mut o = Build::new("gcp.kms.crypto_key");
    o.field("purpose", b, "purpose", Conv::Str, Some(json!("ENCRYPT_DECRYPT")));
    o.put("iam_members", json!([]), None);
    match b.value("rotation_period").map(|v| v.as_str().map(|s| s.trim_end_matches('s').parse::<f64>())) {
        Some(Some(Ok(secs))) => o.put("rotation_period_seconds", json!(secs as i64), Some(line_of(b, "rotation_period"))),
        None => o.put("rotation_period_seconds", Value::Null, None),
        _ => {}
    }
    o
}
