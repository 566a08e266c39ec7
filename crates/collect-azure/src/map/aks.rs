//! Azure Kubernetes Service clusters, as Resource Graph returns them (agent pools included).

use super::common::{diagnostic_settings, identity};
use super::Ctx;
use crate::arm::{ref_id, Item};
use posture_collect_cloud::json::{arr_at, at, bool_at, enum_at, get, nullable_bool, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

pub fn cluster(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.containerservice.managed_cluster", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.put("kubernetes_version", str_at(p, &["currentKubernetesVersion"]).or_else(|| str_at(p, &["kubernetesVersion"])));
    a.put("sku_tier", enum_at(item.v, &["sku", "tier"], &["Free", "Standard", "Premium"]));
    a.put("enable_rbac", bool_at(p, &["enableRBAC"]));
    a.set("aad_profile", aad_profile(get(p, "aadProfile")));
    a.put("disable_local_accounts", nullable_bool(Some(p), "disableLocalAccounts"));
    a.set("api_server_access_profile", api_server(get(p, "apiServerAccessProfile")));
    if let Some(net) = get(p, "networkProfile").filter(|n| n.is_object()) {
        let policy = str_at(net, &["networkPolicy"]).and_then(|s| posture_collect_cloud::json::one_of(s, &["azure", "calico", "cilium"]));
        let mut x = Attrs::new();
        x.put("network_plugin", enum_at(net, &["networkPlugin"], &["azure", "kubenet", "none"]));
        x.set("network_plugin_mode", str_at(net, &["networkPluginMode"]).map(Value::from).unwrap_or(Value::Null));
        x.set("network_policy", policy.map(Value::from).unwrap_or(Value::Null));
        x.put("outbound_type", str_at(net, &["outboundType"]));
        a.set("network_profile", x.into_value());
    }
    let addon = |names: &[&str]| names.iter().any(|n| bool_at(p, &["addonProfiles", n, "enabled"]) == Some(true));
    a.set(
        "addon_profiles",
        json!({"azure_policy_enabled": addon(&["azurepolicy"]), "oms_agent_enabled": addon(&["omsagent", "omsAgent"]),
               "key_vault_secrets_provider_enabled": addon(&["azureKeyvaultSecretsProvider"])}),
    );
    let sec = |path: &[&str]| at(p, &[&["securityProfile"][..], path].concat()).and_then(posture_collect_cloud::json::as_bool).unwrap_or(false);
    a.set(
        "security_profile",
        json!({"defender_enabled": sec(&["defender", "securityMonitoring", "enabled"]),
               "workload_identity_enabled": sec(&["workloadIdentity", "enabled"]),
               "image_cleaner_enabled": sec(&["imageCleaner", "enabled"])}),
    );
    a.set("oidc_issuer_enabled", bool_at(p, &["oidcIssuerProfile", "enabled"]).unwrap_or(false));
    let channel = |key: &str, allowed: &[&'static str]| {
        str_at(p, &["autoUpgradeProfile", key]).and_then(|s| posture_collect_cloud::json::one_of(s, allowed)).map(Value::from).unwrap_or(Value::Null)
    };
    a.set(
        "auto_upgrade_profile",
        json!({"upgrade_channel": channel("upgradeChannel", &["none", "patch", "stable", "rapid", "node-image"]),
               "node_os_upgrade_channel": channel("nodeOSUpgradeChannel", &["None", "Unmanaged", "NodeImage", "SecurityPatch"])}),
    );
    a.set("disk_encryption_set_id", ref_id(get(p, "diskEncryptionSetID")).map(Value::from).unwrap_or(Value::Null));
    let pools: Vec<Value> = arr_at(p, &["agentPoolProfiles"]).iter().map(pool).collect();
    a.set("agent_pools", pools);
    a.put("identity", identity(item.v));
    a.put("diagnostic_settings", diagnostic_settings(ctx, &item.uid));
    r.attrs = a.into_map();
    vec![r]
}

fn aad_profile(v: Option<&Value>) -> Value {
    let Some(v) = v.filter(|v| v.is_object()) else { return Value::Null };
    json!({"managed": bool_at(v, &["managed"]).unwrap_or(false),
           "enable_azure_rbac": bool_at(v, &["enableAzureRBAC"]),
           "admin_group_object_ids": strings_at(v, &["adminGroupObjectIDs"])})
}

fn api_server(v: Option<&Value>) -> Value {
    let Some(v) = v.filter(|v| v.is_object()) else { return Value::Null };
    json!({"enable_private_cluster": bool_at(v, &["enablePrivateCluster"]).unwrap_or(false),
           "authorized_ip_ranges": strings_at(v, &["authorizedIPRanges"])})
}

fn pool(p: &Value) -> Value {
    let mut a = Attrs::new();
    a.put("name", str_at(p, &["name"]));
    a.put("mode", enum_at(p, &["mode"], &["System", "User"]));
    a.put("os_type", enum_at(p, &["osType"], &["Linux", "Windows"]));
    a.set("os_sku", str_at(p, &["osSKU"]).map(Value::from).unwrap_or(Value::Null));
    a.set("enable_node_public_ip", bool_at(p, &["enableNodePublicIP"]).unwrap_or(false));
    a.set("enable_encryption_at_host", bool_at(p, &["enableEncryptionAtHost"]).unwrap_or(false));
    a.set("vnet_subnet_id", ref_id(get(p, "vnetSubnetID")).map(Value::from).unwrap_or(Value::Null));
    a.into_value()
}
