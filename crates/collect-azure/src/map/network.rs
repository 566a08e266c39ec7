//! Network interfaces, security groups, public IPs, virtual networks and their subnets, plus what
//! other kinds borrow from Network Watcher (flow logs, watchers per region) and Bastion.

use super::Ctx;
use crate::arm::{parent_of, ref_id, relate, subscription_uid, Item};
use crate::index::{Index, Nic};
use posture_collect_cloud::json::{arr_at, at, bool_at, enum_at, get, int_at, nullable_bool, nullable_enum, str_at, strings_at, Attrs};
use posture_model::Resource;
use serde_json::{json, Value};

pub const WATCHERS: &str = "microsoft.network/networkwatchers";
pub const FLOW_LOGS: &str = "microsoft.network/networkwatchers/flowlogs";
pub const BASTIONS: &str = "microsoft.network/bastionhosts";
const NIC: &str = "microsoft.network/networkinterfaces";
const PIP: &str = "microsoft.network/publicipaddresses";
const SUBNET: &str = "microsoft.network/virtualnetworks/subnets";

pub fn observe(item: &Item, index: &mut Index) -> bool {
    let p = item.props().unwrap_or(&Value::Null);
    match item.rtype.as_str() {
        NIC => {
            let configs = arr_at(p, &["ipConfigurations"]);
            let nic = Nic {
                vm: ref_id(get(p, "virtualMachine")),
                private_ips: configs.iter().filter_map(|c| str_at(c, &["properties", "privateIPAddress"]).map(str::to_string)).collect(),
                public_ip_ids: configs.iter().filter_map(|c| ref_id(at(c, &["properties", "publicIPAddress"]))).collect(),
            };
            index.nics.insert(item.uid.clone(), nic);
            true
        }
        PIP => {
            index.public_ips.insert(item.uid.clone(), str_at(p, &["ipAddress"]).map(str::to_string));
            true
        }
        SUBNET => {
            index.standalone_subnets.insert(item.uid.clone());
            true
        }
        WATCHERS => {
            let ok = str_at(p, &["provisioningState"]).is_some_and(|s| s.eq_ignore_ascii_case("Succeeded"));
            index.add_child(&subscription_uid(&item.sub), WATCHERS, json!({"location": item.location, "ok": ok}));
            true
        }
        FLOW_LOGS => {
            if let Some(target) = ref_id(get(p, "targetResourceId")).filter(|t| t.contains("/networksecuritygroups/")) {
                index.add_child(&target, FLOW_LOGS, flow_log(p));
            }
            true
        }
        BASTIONS => {
            index.add_child(&subscription_uid(&item.sub), BASTIONS, Value::from(item.uid.clone()));
            true
        }
        _ => false,
    }
}

fn flow_log(p: &Value) -> Value {
    let retention = if bool_at(p, &["retentionPolicy", "enabled"]) == Some(true) { int_at(p, &["retentionPolicy", "days"]).unwrap_or(0) } else { 0 };
    let mut a = Attrs::new();
    a.put("enabled", bool_at(p, &["enabled"]));
    a.set("retention_days", retention.max(0));
    a.set(
        "traffic_analytics_enabled",
        bool_at(p, &["flowAnalyticsConfiguration", "networkWatcherFlowAnalyticsConfiguration", "enabled"]).unwrap_or(false),
    );
    a.put("storage_account_id", ref_id(get(p, "storageId")));
    a.into_value()
}

pub fn nic(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.network.network_interface", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.set("virtual_machine_id", ref_id(get(p, "virtualMachine")).map(Value::from).unwrap_or(Value::Null));
    a.put("enable_ip_forwarding", bool_at(p, &["enableIPForwarding"]));
    a.put("enable_accelerated_networking", bool_at(p, &["enableAcceleratedNetworking"]));
    let nsg = ref_id(get(p, "networkSecurityGroup"));
    if let Some(n) = &nsg {
        relate(&mut r, "has_security_group", n);
    }
    a.set("network_security_group_id", nsg.map(Value::from).unwrap_or(Value::Null));
    let mut configs = Vec::new();
    let mut private = Vec::new();
    let mut public = Some(Vec::new());
    for c in arr_at(p, &["ipConfigurations"]) {
        let cp = get(c, "properties").unwrap_or(&Value::Null);
        let subnet = ref_id(get(cp, "subnet"));
        let pip = ref_id(get(cp, "publicIPAddress"));
        if let Some(s) = &subnet {
            relate(&mut r, "in_subnet", s);
        }
        if let Some(ip) = &pip {
            relate(&mut r, "has_public_ip", ip);
            match ctx.index.public_ips.get(ip) {
                Some(Some(addr)) => public.iter_mut().for_each(|l| l.push(addr.clone())),
                Some(None) => {}
                None => public = None,
            }
        }
        let ip = str_at(cp, &["privateIPAddress"]);
        private.extend(ip.map(str::to_string));
        let mut ca = Attrs::new();
        ca.put("name", str_at(c, &["name"]));
        ca.put("primary", bool_at(cp, &["primary"]));
        ca.put("private_ip_address", ip);
        ca.put("private_ip_allocation_method", enum_at(cp, &["privateIPAllocationMethod"], &["Static", "Dynamic"]));
        ca.put("subnet_id", subnet);
        ca.set("public_ip_address_id", pip.map(Value::from).unwrap_or(Value::Null));
        configs.push(ca.into_value());
    }
    a.set("ip_configurations", configs);
    a.set("private_ip_addresses", private);
    a.put("public_ip_addresses", public);
    r.attrs = a.into_map();
    vec![r]
}

pub fn nsg(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.network.network_security_group", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    let rules: Vec<Value> = arr_at(p, &["securityRules"]).iter().map(security_rule).collect();
    a.set("security_rules", rules);
    if let Some(found) = ctx.index.child(&item.uid, FLOW_LOGS) {
        a.set("flow_log", found.cloned().unwrap_or(Value::Null));
    }
    a.set("subnet_ids", ids(p, "subnets"));
    a.set("network_interface_ids", ids(p, "networkInterfaces"));
    r.attrs = a.into_map();
    vec![r]
}

fn ids(p: &Value, key: &str) -> Vec<String> {
    arr_at(p, &[key]).iter().filter_map(|x| ref_id(Some(x))).collect()
}

/// Singular and plural prefix/port properties merged into the plural arrays.
fn merged(p: &Value, singular: &str, plural: &str) -> Vec<String> {
    let mut out: Vec<String> = str_at(p, &[singular]).filter(|s| !s.is_empty()).map(|s| vec![s.to_string()]).unwrap_or_default();
    out.extend(strings_at(p, &[plural]));
    out
}

fn security_rule(rule: &Value) -> Value {
    let p = get(rule, "properties").unwrap_or(rule);
    let mut a = Attrs::new();
    a.put("name", str_at(rule, &["name"]));
    a.put("description", nullable_str_value(p, "description"));
    a.put("priority", int_at(p, &["priority"]));
    a.put("direction", enum_at(p, &["direction"], &["Inbound", "Outbound"]));
    a.put("access", enum_at(p, &["access"], &["Allow", "Deny"]));
    a.put("protocol", enum_at(p, &["protocol"], &["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"]));
    a.set("source_address_prefixes", merged(p, "sourceAddressPrefix", "sourceAddressPrefixes"));
    a.set("source_port_ranges", merged(p, "sourcePortRange", "sourcePortRanges"));
    a.set("destination_address_prefixes", merged(p, "destinationAddressPrefix", "destinationAddressPrefixes"));
    a.set("destination_port_ranges", merged(p, "destinationPortRange", "destinationPortRanges"));
    a.set("source_application_security_group_ids", ids(p, "sourceApplicationSecurityGroups"));
    a.set("destination_application_security_group_ids", ids(p, "destinationApplicationSecurityGroups"));
    a.into_value()
}

fn nullable_str_value(p: &Value, key: &str) -> Option<Value> {
    posture_collect_cloud::json::nullable_str(Some(p), key)
}

pub fn public_ip(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.network.public_ip_address", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.set("ip_address", str_at(p, &["ipAddress"]).map(Value::from).unwrap_or(Value::Null));
    a.put("ip_version", enum_at(p, &["publicIPAddressVersion"], &["IPv4", "IPv6"]));
    a.put("allocation_method", enum_at(p, &["publicIPAllocationMethod"], &["Static", "Dynamic"]));
    a.put("sku_name", enum_at(item.v, &["sku", "name"], &["Basic", "Standard"]));
    a.put("ddos_protection_mode", nullable_enum(get(p, "ddosSettings").or(Some(&json!({}))), "protectionMode", &["VirtualNetworkInherited", "Enabled", "Disabled"]));
    a.set("ip_configuration_id", ref_id(get(p, "ipConfiguration")).map(Value::from).unwrap_or(Value::Null));
    r.attrs = a.into_map();
    vec![r]
}

pub fn vnet(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    let mut r = item.base("azure.network.virtual_network", ctx.origin);
    let Some(p) = item.props() else { return vec![r] };
    let mut a = Attrs::new();
    a.set("address_space", strings_at(p, &["addressSpace", "addressPrefixes"]));
    a.set("dns_servers", strings_at(p, &["dhcpOptions", "dnsServers"]));
    a.set("enable_ddos_protection", bool_at(p, &["enableDdosProtection"]).unwrap_or(false));
    a.set("ddos_protection_plan_id", ref_id(get(p, "ddosProtectionPlan")).map(Value::from).unwrap_or(Value::Null));
    let peerings: Vec<Value> = arr_at(p, &["virtualNetworkPeerings"]).iter().map(peering).collect();
    a.set("peerings", peerings);
    a.put("network_watcher_enabled", watcher_in_region(ctx, &item.sub, item.location.as_deref()));
    r.attrs = a.into_map();
    let mut out = vec![r];
    for s in arr_at(p, &["subnets"]) {
        let Some(uid) = ref_id(get(s, "id")) else { continue };
        if ctx.index.standalone_subnets.contains(&uid) {
            continue;
        }
        let name = str_at(s, &["name"]).unwrap_or_else(|| crate::arm::last_segment(&uid)).to_string();
        out.push(subnet(&uid, &name, item, get(s, "properties").unwrap_or(&Value::Null), ctx));
    }
    out
}

/// A subnet exported as its own item (ARM `virtualNetworks/subnets`).
pub fn subnet_item(item: &Item, ctx: &Ctx) -> Vec<Resource> {
    vec![subnet(&item.uid, &item.name, item, item.props().unwrap_or(&Value::Null), ctx)]
}

fn subnet(uid: &str, name: &str, owner: &Item, p: &Value, ctx: &Ctx) -> Resource {
    let mut r = Resource::new(uid, "azure.network.subnet");
    r.account = owner.sub.clone();
    r.region = owner.location.clone();
    r.name = name.to_string();
    r.origin = Some(ctx.origin.clone());
    if let Some(vnet) = parent_of(uid) {
        relate(&mut r, "in_vpc", &vnet);
    }
    let mut a = Attrs::new();
    let mut prefixes: Vec<String> = str_at(p, &["addressPrefix"]).map(|s| vec![s.to_string()]).unwrap_or_default();
    prefixes.extend(strings_at(p, &["addressPrefixes"]).into_iter().filter(|x| !prefixes.contains(x)).collect::<Vec<_>>());
    a.set("address_prefixes", prefixes);
    let nsg = ref_id(get(p, "networkSecurityGroup"));
    if let Some(n) = &nsg {
        relate(&mut r, "has_security_group", n);
    }
    a.set("network_security_group_id", nsg.map(Value::from).unwrap_or(Value::Null));
    a.set("route_table_id", ref_id(get(p, "routeTable")).map(Value::from).unwrap_or(Value::Null));
    let endpoints: Vec<String> = arr_at(p, &["serviceEndpoints"]).iter().filter_map(|e| str_at(e, &["service"]).map(str::to_string)).collect();
    a.set("service_endpoints", endpoints);
    let delegations: Vec<String> = arr_at(p, &["delegations"])
        .iter()
        .filter_map(|d| str_at(d, &["properties", "serviceName"]).or_else(|| str_at(d, &["serviceName"])).map(str::to_string))
        .collect();
    a.set("delegations", delegations);
    a.put(
        "private_endpoint_network_policies",
        nullable_enum(Some(p), "privateEndpointNetworkPolicies", &["Enabled", "Disabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled"]),
    );
    a.put("default_outbound_access", nullable_bool(Some(p), "defaultOutboundAccess"));
    r.attrs = a.into_map();
    r
}

fn peering(p: &Value) -> Value {
    let pp = get(p, "properties").unwrap_or(p);
    let mut a = Attrs::new();
    a.put("name", str_at(p, &["name"]));
    a.put("remote_virtual_network_id", ref_id(get(pp, "remoteVirtualNetwork")));
    a.put("peering_state", enum_at(pp, &["peeringState"], &["Initiated", "Connected", "Disconnected"]));
    a.put("allow_forwarded_traffic", bool_at(pp, &["allowForwardedTraffic"]));
    a.put("allow_gateway_transit", bool_at(pp, &["allowGatewayTransit"]));
    a.put("use_remote_gateways", bool_at(pp, &["useRemoteGateways"]));
    a.into_value()
}

fn watcher_in_region(ctx: &Ctx, sub: &str, location: Option<&str>) -> Option<bool> {
    let location = location?;
    let watchers = ctx.index.children(&subscription_uid(sub), WATCHERS)?;
    Some(watchers.iter().any(|w| str_at(w, &["location"]) == Some(location) && bool_at(w, &["ok"]) == Some(true)))
}
