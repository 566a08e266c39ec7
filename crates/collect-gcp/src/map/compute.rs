//! Compute Engine (instances, firewalls, networks, subnetworks, backend services, target proxies),
//! GKE clusters, Cloud Functions and Dataproc clusters.

use super::{base, meta_bool, relate, Ctx};
use crate::asset::{compute_name, kms_key_name, last_segment, Asset};
use crate::index::{Firewall, Index};
use posture_collect_cloud::json::{arr_at, as_bool, at, bool_at, enum_at, get, int_at, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

pub fn observe(a: &Asset, d: &Value, ix: &mut Index) {
    match a.asset_type.as_str() {
        "compute.googleapis.com/Firewall" => {
            if let Some(net) = str_at(d, &["network"]).and_then(compute_name) {
                let fw = Firewall {
                    uid: a.name.clone(),
                    target_tags: strings_at(d, &["targetTags"]),
                    target_service_accounts: strings_at(d, &["targetServiceAccounts"]),
                };
                ix.firewalls.entry(net).or_default().push(fw);
            }
        }
        "compute.googleapis.com/SslPolicy" => {
            ix.ssl_policies.insert(a.name.clone(), ssl_policy(d));
        }
        "compute.googleapis.com/Project" | "dns.googleapis.com/Policy" => {
            let fragment = if a.asset_type.starts_with("compute") {
                let items = arr_at(d, &["commonInstanceMetadata", "items"]);
                json!({"enable_oslogin": meta_bool(items, "enable-oslogin"), "block_project_ssh_keys": meta_bool(items, "block-project-ssh-keys"),
                       "serial_port_enable": meta_bool(items, "serial-port-enable"),
                       "has_ssh_keys": items.iter().any(|i| matches!(str_at(i, &["key"]), Some("ssh-keys") | Some("sshKeys")))})
            } else {
                let networks: Vec<String> = arr_at(d, &["networks"]).iter().filter_map(|n| str_at(n, &["networkUrl"]).and_then(compute_name)).collect();
                json!({"networks": networks, "logging": bool_at(d, &["enableLogging"]).unwrap_or(false)})
            };
            if let Some(scope) = a.project_ancestor() {
                ix.add_scoped(scope, &a.asset_type, fragment);
            }
        }
        _ => {}
    }
}

fn ssl_policy(d: &Value) -> Value {
    let profile = enum_at(d, &["profile"], &["COMPATIBLE", "MODERN", "RESTRICTED", "CUSTOM", "FIPS_202205"]).unwrap_or("COMPATIBLE");
    let features = if profile == "CUSTOM" { strings_at(d, &["customFeatures"]) } else { Vec::new() };
    json!({"name": str_at(d, &["name"]), "profile": profile,
           "min_tls_version": enum_at(d, &["minTlsVersion"], &["TLS_1_0", "TLS_1_1", "TLS_1_2", "TLS_1_3"]).unwrap_or("TLS_1_0"),
           "enabled_features": features})
}

pub fn instance(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.compute.instance", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let mut x = Attrs::new();
    x.put("zone", str_at(d, &["zone"]).map(last_segment));
    x.put("machine_type", str_at(d, &["machineType"]).map(last_segment));
    x.put(
        "status",
        enum_at(d, &["status"], &["PROVISIONING", "STAGING", "RUNNING", "STOPPING", "STOPPED", "SUSPENDING", "SUSPENDED", "REPAIRING", "TERMINATED"]),
    );
    let mut interfaces = Vec::new();
    let mut networks = Vec::new();
    for n in arr_at(d, &["networkInterfaces"]) {
        let net = str_at(n, &["network"]).and_then(compute_name);
        let sub = str_at(n, &["subnetwork"]).and_then(compute_name);
        if let Some(v) = &net {
            relate(&mut r, "in_vpc", v);
            networks.push(v.clone());
        }
        if let Some(s) = &sub {
            relate(&mut r, "in_subnet", s);
        }
        let access: Vec<Value> = arr_at(n, &["accessConfigs"])
            .iter()
            .map(|c| {
                let mut y = Attrs::new();
                y.put("name", str_at(c, &["name"]));
                y.put("type", enum_at(c, &["type"], &["ONE_TO_ONE_NAT", "DIRECT_IPV6"]));
                y.set("nat_ip", str_at(c, &["natIP"]).map(Value::from).unwrap_or(Value::Null));
                y.put("network_tier", enum_at(c, &["networkTier"], &["PREMIUM", "STANDARD"]));
                y.into_value()
            })
            .collect();
        let mut y = Attrs::new();
        y.put("name", str_at(n, &["name"]));
        y.put("network", net);
        y.put("subnetwork", sub);
        y.put("network_ip", str_at(n, &["networkIP"]));
        y.set("access_configs", access);
        interfaces.push(y.into_value());
    }
    x.set("network_interfaces", interfaces);
    x.set("can_ip_forward", bool_at(d, &["canIpForward"]).unwrap_or(false));
    let accounts: Vec<Value> = arr_at(d, &["serviceAccounts"])
        .iter()
        .filter_map(|s| Some(json!({"email": str_at(s, &["email"])?, "scopes": strings_at(s, &["scopes"])})))
        .collect();
    let emails: Vec<String> = accounts.iter().filter_map(|s| s["email"].as_str().map(str::to_string)).collect();
    for e in &emails {
        if let Some(uid) = ctx.index.sa_by_email.get(e) {
            relate(&mut r, "uses_service_account", uid);
        }
    }
    x.set("service_accounts", accounts);
    let items = arr_at(d, &["metadata", "items"]);
    x.set(
        "metadata",
        json!({"enable_oslogin": meta_bool(items, "enable-oslogin"), "block_project_ssh_keys": meta_bool(items, "block-project-ssh-keys"),
               "serial_port_enable": meta_bool(items, "serial-port-enable"),
               "has_ssh_keys": items.iter().any(|i| matches!(str_at(i, &["key"]), Some("ssh-keys") | Some("sshKeys")))}),
    );
    match get(d, "shieldedInstanceConfig") {
        Some(s) if s.is_object() => {
            x.set(
                "shielded_instance_config",
                json!({"enable_secure_boot": bool_at(s, &["enableSecureBoot"]).unwrap_or(false),
                       "enable_vtpm": bool_at(s, &["enableVtpm"]).unwrap_or(false),
                       "enable_integrity_monitoring": bool_at(s, &["enableIntegrityMonitoring"]).unwrap_or(false)}),
            );
        }
        Some(_) => {
            x.set("shielded_instance_config", Value::Null);
        }
        None => {}
    }
    x.set("confidential_compute_enabled", bool_at(d, &["confidentialInstanceConfig", "enableConfidentialCompute"]).unwrap_or(false));
    let disks: Vec<Value> = arr_at(d, &["disks"]).iter().map(|k| attached_disk(k, &mut r)).collect();
    x.set("disks", disks);
    x.put("deletion_protection", bool_at(d, &["deletionProtection"]).or(Some(false)));
    x.put("creation_timestamp", str_at(d, &["creationTimestamp"]).and_then(posture_collect_cloud::time::normalise));
    if let Some(p) = a.project_ancestor().and_then(|p| p.strip_prefix("projects/")) {
        relate(&mut r, "in_project", &crate::asset::project_name(p));
    }
    let tags = strings_at(d, &["tags", "items"]);
    for net in &networks {
        for fw in ctx.index.firewalls.get(net).into_iter().flatten() {
            let untargeted = fw.target_tags.is_empty() && fw.target_service_accounts.is_empty();
            let by_tag = fw.target_tags.iter().any(|t| tags.contains(t));
            let by_sa = fw.target_service_accounts.iter().any(|s| emails.contains(s));
            if untargeted || by_tag || by_sa {
                relate(&mut r, "has_firewall_rule", &fw.uid);
            }
        }
    }
    r.attrs = x.into_map();
    Some(r)
}

fn attached_disk(k: &Value, r: &mut Resource) -> Value {
    let key = get(k, "diskEncryptionKey");
    let kms = key.and_then(|e| str_at(e, &["kmsKeyName"]));
    let supplied = key.is_some_and(|e| get(e, "sha256").is_some() || get(e, "rawKey").is_some() || get(e, "rsaEncryptedKey").is_some());
    let encryption = if kms.is_some() {
        "CUSTOMER_MANAGED"
    } else if supplied {
        "CUSTOMER_SUPPLIED"
    } else {
        "GOOGLE_MANAGED"
    };
    if let Some(name) = kms.and_then(kms_key_name) {
        relate(r, "encrypted_with", &name);
    }
    let mut y = Attrs::new();
    y.put("device_name", str_at(k, &["deviceName"]));
    y.set("boot", bool_at(k, &["boot"]).unwrap_or(false));
    y.put("source", str_at(k, &["source"]).and_then(compute_name));
    y.set("encryption", encryption);
    y.set("kms_key_name", kms.map(|s| s.split("/cryptoKeyVersions/").next().unwrap_or(s).to_string()));
    y.into_value()
}

fn rules(list: &[Value]) -> Vec<Value> {
    list.iter()
        .filter_map(|e| {
            let proto = str_at(e, &["IPProtocol"]).or_else(|| str_at(e, &["ipProtocol"]))?;
            let ports = strings_at(e, &["ports"]);
            let ports = if ports.is_empty() { vec!["0-65535".to_string()] } else { ports };
            Some(json!({"ip_protocol": proto.to_ascii_lowercase(), "ports": ports}))
        })
        .collect()
}

pub fn firewall(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.compute.firewall", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let mut x = Attrs::new();
    let net = str_at(d, &["network"]).and_then(compute_name);
    if let Some(n) = &net {
        relate(&mut r, "in_vpc", n);
    }
    x.put("network", net);
    x.put("direction", enum_at(d, &["direction"], &["INGRESS", "EGRESS"]).or(Some("INGRESS")));
    x.put("priority", int_at(d, &["priority"]).or(Some(1000)));
    x.set("disabled", bool_at(d, &["disabled"]).unwrap_or(false));
    for (key, src) in [
        ("source_ranges", "sourceRanges"),
        ("destination_ranges", "destinationRanges"),
        ("source_tags", "sourceTags"),
        ("source_service_accounts", "sourceServiceAccounts"),
        ("target_tags", "targetTags"),
        ("target_service_accounts", "targetServiceAccounts"),
    ] {
        x.set(key, strings_at(d, &[src]));
    }
    x.set("allowed", rules(arr_at(d, &["allowed"])));
    x.set("denied", rules(arr_at(d, &["denied"])));
    let enable = bool_at(d, &["logConfig", "enable"]).unwrap_or(false);
    let metadata = if enable { enum_at(d, &["logConfig", "metadata"], &["INCLUDE_ALL_METADATA", "EXCLUDE_ALL_METADATA"]).or(Some("INCLUDE_ALL_METADATA")) } else { None };
    x.set("log_config", json!({"enable": enable, "metadata": metadata}));
    r.attrs = x.into_map();
    Some(r)
}

pub fn network(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.compute.network", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let mut x = Attrs::new();
    let auto = bool_at(d, &["autoCreateSubnetworks"]);
    let legacy = auto.is_none() && get(d, "IPv4Range").is_some();
    x.set("mode", if legacy { "legacy" } else if auto == Some(true) { "auto" } else { "custom" });
    x.set("auto_create_subnetworks", if legacy { Value::Null } else { Value::Bool(auto.unwrap_or(false)) });
    x.set("ipv4_range", str_at(d, &["IPv4Range"]).map(Value::from).unwrap_or(Value::Null));
    x.put("routing_mode", enum_at(d, &["routingConfig", "routingMode"], &["REGIONAL", "GLOBAL"]));
    x.put("mtu", int_at(d, &["mtu"]));
    let peerings: Vec<Value> = arr_at(d, &["peerings"])
        .iter()
        .map(|p| {
            let mut y = Attrs::new();
            y.put("name", str_at(p, &["name"]));
            y.put("network", str_at(p, &["network"]).and_then(compute_name));
            y.put("state", enum_at(p, &["state"], &["ACTIVE", "INACTIVE"]));
            y.set("export_custom_routes", bool_at(p, &["exportCustomRoutes"]).unwrap_or(false));
            y.set("import_custom_routes", bool_at(p, &["importCustomRoutes"]).unwrap_or(false));
            y.into_value()
        })
        .collect();
    x.set("peerings", peerings);
    if let Some(scope) = a.project_ancestor() {
        if let Some(policies) = ctx.index.scoped(scope, &a.ancestors, "dns.googleapis.com/Policy") {
            let on = policies.iter().any(|p| bool_at(p, &["logging"]) == Some(true) && strings_at(p, &["networks"]).contains(&a.name));
            x.set("dns_logging_enabled", on);
        }
    }
    r.attrs = x.into_map();
    Some(r)
}

pub fn subnetwork(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.compute.subnetwork", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let mut x = Attrs::new();
    let net = str_at(d, &["network"]).and_then(compute_name);
    if let Some(n) = &net {
        relate(&mut r, "in_vpc", n);
    }
    x.put("network", net);
    x.put("ip_cidr_range", str_at(d, &["ipCidrRange"]));
    let secondary: Vec<Value> = arr_at(d, &["secondaryIpRanges"])
        .iter()
        .map(|s| json!({"range_name": str_at(s, &["rangeName"]), "ip_cidr_range": str_at(s, &["ipCidrRange"])}))
        .collect();
    x.set("secondary_ip_ranges", secondary);
    let purposes = ["PRIVATE", "REGIONAL_MANAGED_PROXY", "GLOBAL_MANAGED_PROXY", "PRIVATE_SERVICE_CONNECT", "PRIVATE_NAT"];
    let purpose = str_at(d, &["purpose"]).map(|p| if p.eq_ignore_ascii_case("PRIVATE_RFC_1918") { "PRIVATE" } else { p });
    x.put("purpose", purpose.map_or(Some("PRIVATE"), |p| posture_collect_cloud::json::one_of(p, &purposes)));
    x.set("private_ip_google_access", bool_at(d, &["privateIpGoogleAccess"]).unwrap_or(false));
    x.put("stack_type", enum_at(d, &["stackType"], &["IPV4_ONLY", "IPV4_IPV6"]).or(Some("IPV4_ONLY")));
    let enabled = bool_at(d, &["logConfig", "enable"]).or_else(|| bool_at(d, &["enableFlowLogs"])).unwrap_or(false);
    let log = if enabled {
        let lc = get(d, "logConfig").unwrap_or(&Value::Null);
        json!({"enable": true,
               "aggregation_interval": str_at(lc, &["aggregationInterval"]).unwrap_or("INTERVAL_5_SEC"),
               "flow_sampling": get(lc, "flowSampling").and_then(posture_collect_cloud::json::as_f64).unwrap_or(0.5),
               "metadata": enum_at(lc, &["metadata"], &["INCLUDE_ALL_METADATA", "EXCLUDE_ALL_METADATA", "CUSTOM_METADATA"]).unwrap_or("INCLUDE_ALL_METADATA")})
    } else {
        json!({"enable": false, "aggregation_interval": null, "flow_sampling": null, "metadata": null})
    };
    x.set("log_config", log);
    r.attrs = x.into_map();
    Some(r)
}

pub fn backend_service(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.compute.backend_service", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let mut x = Attrs::new();
    x.put(
        "load_balancing_scheme",
        enum_at(d, &["loadBalancingScheme"], &["EXTERNAL", "EXTERNAL_MANAGED", "INTERNAL", "INTERNAL_MANAGED", "INTERNAL_SELF_MANAGED"]),
    );
    x.put("protocol", enum_at(d, &["protocol"], &["HTTP", "HTTPS", "HTTP2", "TCP", "SSL", "UDP", "GRPC", "UNSPECIFIED"]));
    let log = get(d, "logConfig").filter(|l| l.is_object()).map(|l| {
        json!({"enable": bool_at(l, &["enable"]).unwrap_or(false), "sample_rate": get(l, "sampleRate").and_then(posture_collect_cloud::json::as_f64)})
    });
    x.set("log_config", log.unwrap_or(Value::Null));
    x.set("security_policy", str_at(d, &["securityPolicy"]).map(|s| Value::from(last_segment(s))).unwrap_or(Value::Null));
    x.set("iap_enabled", bool_at(d, &["iap", "enabled"]).unwrap_or(false));
    r.attrs = x.into_map();
    Some(r)
}

pub fn https_proxy(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    proxy(a, ctx, "gcp.compute.target_https_proxy")
}

pub fn ssl_proxy(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    proxy(a, ctx, "gcp.compute.target_ssl_proxy")
}

fn proxy(a: &Asset, ctx: &Ctx, kind: &str) -> Option<Resource> {
    let mut r = base(a, kind, ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let mut x = Attrs::new();
    match str_at(d, &["sslPolicy"]).filter(|s| !s.is_empty()) {
        None => {
            x.set("ssl_policy", Value::Null);
        }
        Some(url) => {
            x.put("ssl_policy", compute_name(url).and_then(|n| ctx.index.ssl_policies.get(&n).cloned()));
        }
    }
    let certs = arr_at(d, &["sslCertificates"]).len() + usize::from(str_at(d, &["certificateMap"]).is_some());
    x.set("certificate_count", certs);
    r.attrs = x.into_map();
    Some(r)
}

pub fn gke_cluster(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.container.cluster", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let mut x = Attrs::new();
    x.put("location", str_at(d, &["location"]));
    x.set("autopilot", bool_at(d, &["autopilot", "enabled"]).unwrap_or(false));
    x.put("current_master_version", str_at(d, &["currentMasterVersion"]));
    x.set("release_channel", enum_at(d, &["releaseChannel", "channel"], &["RAPID", "REGULAR", "STABLE", "EXTENDED"]).map(Value::from).unwrap_or(Value::Null));
    let private = get(d, "privateClusterConfig").filter(|p| p.is_object()).map(|p| {
        json!({"enable_private_nodes": bool_at(p, &["enablePrivateNodes"]).unwrap_or(false),
               "enable_private_endpoint": bool_at(p, &["enablePrivateEndpoint"]).unwrap_or(false)})
    });
    x.set("private_cluster_config", private.unwrap_or(Value::Null));
    let man = get(d, "masterAuthorizedNetworksConfig").filter(|m| m.is_object()).map(|m| {
        let blocks: Vec<String> = arr_at(m, &["cidrBlocks"]).iter().filter_map(|b| str_at(b, &["cidrBlock"]).map(str::to_string)).collect();
        json!({"enabled": bool_at(m, &["enabled"]).unwrap_or(false), "cidr_blocks": blocks,
               "gcp_public_cidrs_access_enabled": bool_at(m, &["gcpPublicCidrsAccessEnabled"])})
    });
    x.set("master_authorized_networks_config", man.unwrap_or(Value::Null));
    x.set("legacy_abac_enabled", bool_at(d, &["legacyAbac", "enabled"]).unwrap_or(false));
    x.set("client_certificate_issued", bool_at(d, &["masterAuth", "clientCertificateConfig", "issueClientCertificate"]).unwrap_or(false));
    let datapath = str_at(d, &["networkConfig", "datapathProvider"]);
    let enforced = bool_at(d, &["networkPolicy", "enabled"]).unwrap_or(false) || datapath == Some("ADVANCED_DATAPATH");
    x.set("network_policy_enforced", enforced);
    x.set("datapath_provider", datapath.map(Value::from).unwrap_or(Value::Null));
    x.set("workload_identity_pool", str_at(d, &["workloadIdentityConfig", "workloadPool"]).map(Value::from).unwrap_or(Value::Null));
    x.set("shielded_nodes_enabled", bool_at(d, &["shieldedNodes", "enabled"]).unwrap_or(false));
    let db_state = enum_at(d, &["databaseEncryption", "state"], &["ENCRYPTED", "DECRYPTED", "UNKNOWN"]).unwrap_or("DECRYPTED");
    let db_key = str_at(d, &["databaseEncryption", "keyName"]).filter(|k| !k.is_empty());
    x.set("database_encryption", json!({"state": db_state, "key_name": db_key}));
    let binauthz = str_at(d, &["binaryAuthorization", "evaluationMode"])
        .and_then(|m| posture_collect_cloud::json::one_of(m, &["DISABLED", "PROJECT_SINGLETON_POLICY_ENFORCE", "POLICY_BINDINGS", "POLICY_BINDINGS_AND_PROJECT_SINGLETON_POLICY_ENFORCE"]))
        .or_else(|| (bool_at(d, &["binaryAuthorization", "enabled"]) == Some(true)).then_some("PROJECT_SINGLETON_POLICY_ENFORCE"));
    x.set("binary_authorization_mode", binauthz.map(Value::from).unwrap_or(Value::Null));
    x.put("logging_service", str_at(d, &["loggingService"]));
    x.put("monitoring_service", str_at(d, &["monitoringService"]));
    let project = super::project_id(a, ctx.index).unwrap_or_default();
    if let Some(net) = str_at(d, &["networkConfig", "network"]).and_then(compute_name).or_else(|| {
        str_at(d, &["network"]).map(|n| compute_name(n).unwrap_or_else(|| format!("//compute.googleapis.com/projects/{project}/global/networks/{n}")))
    }) {
        relate(&mut r, "in_vpc", &net);
    }
    let pools: Vec<Value> = arr_at(d, &["nodePools"]).iter().map(|p| node_pool(p, a, ctx, &mut r)).collect();
    x.set("node_pools", pools);
    r.attrs = x.into_map();
    Some(r)
}

fn node_pool(p: &Value, a: &Asset, ctx: &Ctx, r: &mut Resource) -> Value {
    let config = get(p, "config").unwrap_or(&Value::Null);
    let sa = str_at(config, &["serviceAccount"]).unwrap_or("default");
    let email = if sa == "default" {
        a.project_ancestor().and_then(|n| n.strip_prefix("projects/")).map(|n| format!("{n}-compute@developer.gserviceaccount.com"))
    } else {
        Some(sa.to_string())
    };
    if let Some(uid) = email.and_then(|e| ctx.index.sa_by_email.get(&e)) {
        relate(r, "uses_service_account", uid);
    }
    let mode = str_at(config, &["workloadMetadataConfig", "mode"])
        .and_then(|m| posture_collect_cloud::json::one_of(m, &["GKE_METADATA", "GCE_METADATA", "MODE_UNSPECIFIED"]))
        .map(Value::from)
        .unwrap_or(Value::Null);
    let mut y = Attrs::new();
    y.put("name", str_at(p, &["name"]));
    y.put("image_type", str_at(config, &["imageType"]));
    y.set("service_account", sa);
    y.set("oauth_scopes", strings_at(config, &["oauthScopes"]));
    y.set("auto_upgrade", bool_at(p, &["management", "autoUpgrade"]).unwrap_or(false));
    y.set("auto_repair", bool_at(p, &["management", "autoRepair"]).unwrap_or(false));
    y.set("secure_boot", bool_at(config, &["shieldedInstanceConfig", "enableSecureBoot"]).unwrap_or(false));
    y.set("integrity_monitoring", bool_at(config, &["shieldedInstanceConfig", "enableIntegrityMonitoring"]).unwrap_or(false));
    y.set("workload_metadata_mode", mode);
    y.into_value()
}

pub fn function(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.cloudfunctions.function", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let gen2 = a.asset_type.ends_with("/Function") || get(d, "serviceConfig").is_some();
    let svc = if gen2 { get(d, "serviceConfig").unwrap_or(&Value::Null) } else { d };
    let build_vars = if gen2 { at(d, &["buildConfig", "environmentVariables"]) } else { get(d, "buildEnvironmentVariables") };
    let mut names: Vec<String> = get(svc, "environmentVariables").and_then(Value::as_object).map(|o| o.keys().cloned().collect()).unwrap_or_default();
    names.extend(build_vars.and_then(Value::as_object).map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default());
    names.sort();
    names.dedup();
    let secrets: Vec<String> = arr_at(svc, &["secretEnvironmentVariables"]).iter().filter_map(|s| str_at(s, &["key"]).map(str::to_string)).collect();
    let sa = str_at(svc, &["serviceAccountEmail"]).map(str::to_string);
    if let Some(uid) = sa.as_ref().and_then(|e| ctx.index.sa_by_email.get(e)) {
        relate(&mut r, "uses_service_account", uid);
    }
    let mut x = Attrs::new();
    x.set("environment", if gen2 { "GEN_2" } else { "GEN_1" });
    x.put("runtime", if gen2 { str_at(d, &["buildConfig", "runtime"]) } else { str_at(d, &["runtime"]) });
    x.set("environment_variable_names", names);
    x.set("secret_environment_variables", secrets);
    x.put("ingress_settings", enum_at(svc, &["ingressSettings"], &["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"]));
    x.put("service_account_email", sa);
    x.put("update_time", str_at(d, &["updateTime"]).and_then(posture_collect_cloud::time::normalise));
    r.attrs = x.into_map();
    Some(r)
}

pub fn dataproc(a: &Asset, ctx: &Ctx) -> Option<Resource> {
    let mut r = base(a, "gcp.dataproc.cluster", ctx)?;
    let Some(d) = a.data else { return Some(r) };
    let c = get(d, "config").unwrap_or(&Value::Null);
    let mut x = Attrs::new();
    x.put("status", str_at(d, &["status", "state"]));
    x.put("image_version", str_at(c, &["softwareConfig", "imageVersion"]));
    let enc = get(c, "encryptionConfig").filter(|e| e.is_object());
    let pd = enc.and_then(|e| str_at(e, &["gcePdKmsKeyName"])).filter(|s| !s.is_empty());
    let kms = enc.and_then(|e| str_at(e, &["kmsKey"])).filter(|s| !s.is_empty());
    if let Some(k) = pd.and_then(kms_key_name) {
        relate(&mut r, "encrypted_with", &k);
    }
    x.set("encryption_config", if pd.is_none() && kms.is_none() { Value::Null } else { json!({"gce_pd_kms_key_name": pd, "kms_key": kms}) });
    x.set("internal_ip_only", bool_at(c, &["gceClusterConfig", "internalIpOnly"]).unwrap_or(false));
    x.set("service_account", str_at(c, &["gceClusterConfig", "serviceAccount"]).filter(|s| !s.is_empty()).unwrap_or("default"));
    x.set("kerberos_enabled", at(c, &["securityConfig", "kerberosConfig", "enableKerberos"]).and_then(as_bool).unwrap_or(false));
    r.attrs = x.into_map();
    Some(r)
}

