//! EC2 network plumbing: route tables, internet gateways, NAT gateways, network interfaces and
//! Elastic IP addresses. The attribute builders take plain values so that the AWS Config importer
//! writes the same shapes.

use super::{arn, obj, relate, resource, time};
use crate::error::Failure;
use crate::out::{Out, Scope};
use aws_sdk_ec2::types::{Address, InternetGateway, NatGateway, NetworkInterface, Route, RouteTable, Tag};
use aws_sdk_ec2::Client;
use posture_model::Resource;
use serde_json::{json, Value};

pub async fn collect(ec2: &Client, scope: &Scope, out: &Out) {
    route_tables(ec2, scope, out).await;
    internet_gateways(ec2, scope, out).await;
    nat_gateways(ec2, scope, out).await;
    network_interfaces(ec2, scope, out).await;
    addresses(ec2, scope, out).await;
}

fn tags(r: &mut Resource, tags: &[Tag]) {
    super::tag_pairs(r, tags.iter().map(|t| (t.key(), t.value())));
}

fn name_tag(tags: &[Tag]) -> Option<&str> {
    tags.iter().find(|t| t.key() == Some("Name")).and_then(Tag::value)
}

/// The canonical route fields, in the order [`route_json`] takes their values, with the
/// camelCase name AWS Config gives each.
pub(crate) const ROUTE_FIELDS: [(&str, &str); 11] = [
    ("destination_cidr_block", "destinationCidrBlock"),
    ("destination_ipv6_cidr_block", "destinationIpv6CidrBlock"),
    ("destination_prefix_list_id", "destinationPrefixListId"),
    ("gateway_id", "gatewayId"),
    ("egress_only_internet_gateway_id", "egressOnlyInternetGatewayId"),
    ("nat_gateway_id", "natGatewayId"),
    ("transit_gateway_id", "transitGatewayId"),
    ("vpc_peering_connection_id", "vpcPeeringConnectionId"),
    ("network_interface_id", "networkInterfaceId"),
    ("instance_id", "instanceId"),
    ("state", "state"),
];

/// One route; an absent field is `null` (the route does not use it).
pub(crate) fn route_json(values: [Option<&str>; 11]) -> Value {
    let mut m = serde_json::Map::new();
    for ((key, _), v) in ROUTE_FIELDS.iter().zip(values) {
        m.insert((*key).to_string(), v.map_or(Value::Null, |s| json!(s)));
    }
    Value::Object(m)
}

/// The route table attributes and its `in_vpc` relation.
pub(crate) fn route_table_attrs(r: &mut Resource, id: &str, vpc: Option<&str>, main: bool, subnets: &[&str], routes: Vec<Value>, vpc_arn: Option<String>) {
    r.attrs = obj(json!({
        "route_table_id": id,
        "vpc_id": vpc.unwrap_or_default(),
        "main": main,
        "associated_subnet_ids": subnets,
        "routes": routes,
    }));
    if let Some(v) = vpc_arn {
        relate(r, "in_vpc", v);
    }
}

fn route(x: &Route) -> Value {
    route_json([
        x.destination_cidr_block(),
        x.destination_ipv6_cidr_block(),
        x.destination_prefix_list_id(),
        x.gateway_id(),
        x.egress_only_internet_gateway_id(),
        x.nat_gateway_id(),
        x.transit_gateway_id(),
        x.vpc_peering_connection_id(),
        x.network_interface_id(),
        x.instance_id(),
        x.state().map(|s| s.as_str()),
    ])
}

fn route_table(scope: &Scope, t: &RouteTable) -> Resource {
    let id = t.route_table_id().unwrap_or_default();
    let mut r = resource(scope, arn(scope, "ec2", &format!("route-table/{id}")), "aws.ec2.route_table", name_tag(t.tags()).unwrap_or(id));
    tags(&mut r, t.tags());
    let main = t.associations().iter().any(|a| a.main() == Some(true));
    let subnets: Vec<&str> = t.associations().iter().filter_map(|a| a.subnet_id()).collect();
    let vpc_arn = t.vpc_id().map(|v| arn(scope, "ec2", &format!("vpc/{v}")));
    route_table_attrs(&mut r, id, t.vpc_id(), main, &subnets, t.routes().iter().map(route).collect(), vpc_arn);
    r
}

async fn route_tables(ec2: &Client, scope: &Scope, out: &Out) {
    let mut pages = ec2.describe_route_tables().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for t in p.route_tables() {
                    out.emit(route_table(scope, t)).await;
                }
            }
            Err(e) => return out.list_failed(scope, "DescribeRouteTables", &Failure::from_sdk(&e)),
        }
    }
}

/// The internet gateway attributes (`attachments`: attached VPC ids) and `attached_to` relations.
pub(crate) fn internet_gateway_attrs(r: &mut Resource, id: &str, vpcs: &[&str], vpc_arn: impl Fn(&str) -> String) {
    r.attrs = obj(json!({"internet_gateway_id": id, "attachments": vpcs}));
    for v in vpcs {
        relate(r, "attached_to", vpc_arn(v));
    }
}

fn internet_gateway(scope: &Scope, g: &InternetGateway) -> Resource {
    let id = g.internet_gateway_id().unwrap_or_default();
    let mut r = resource(scope, arn(scope, "ec2", &format!("internet-gateway/{id}")), "aws.ec2.internet_gateway", name_tag(g.tags()).unwrap_or(id));
    tags(&mut r, g.tags());
    let vpcs: Vec<&str> = g.attachments().iter().filter_map(|a| a.vpc_id()).collect();
    internet_gateway_attrs(&mut r, id, &vpcs, |v| arn(scope, "ec2", &format!("vpc/{v}")));
    r
}

async fn internet_gateways(ec2: &Client, scope: &Scope, out: &Out) {
    let mut pages = ec2.describe_internet_gateways().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for g in p.internet_gateways() {
                    out.emit(internet_gateway(scope, g)).await;
                }
            }
            Err(e) => return out.list_failed(scope, "DescribeInternetGateways", &Failure::from_sdk(&e)),
        }
    }
}

/// One address of a NAT gateway.
pub(crate) fn nat_address_json(allocation: Option<&str>, eni: Option<&str>, private_ip: Option<&str>, public_ip: Option<&str>) -> Value {
    json!({"allocation_id": allocation, "network_interface_id": eni, "private_ip": private_ip, "public_ip": public_ip})
}

fn nat_gateway(scope: &Scope, n: &NatGateway) -> Resource {
    let id = n.nat_gateway_id().unwrap_or_default();
    let mut r = resource(scope, arn(scope, "ec2", &format!("natgateway/{id}")), "aws.ec2.nat_gateway", name_tag(n.tags()).unwrap_or(id));
    tags(&mut r, n.tags());
    let addresses: Vec<Value> = n
        .nat_gateway_addresses()
        .iter()
        .map(|a| nat_address_json(a.allocation_id(), a.network_interface_id(), a.private_ip(), a.public_ip()))
        .collect();
    r.attrs = obj(json!({
        "nat_gateway_id": id,
        "vpc_id": n.vpc_id(),
        "subnet_id": n.subnet_id(),
        "state": n.state().map(|s| s.as_str()),
        "connectivity_type": n.connectivity_type().map(|c| c.as_str()),
        "create_time": time(n.create_time()),
        "addresses": addresses,
    }));
    nat_relations(&mut r, n.subnet_id(), n.vpc_id(), |what| arn(scope, "ec2", what));
    r
}

/// `in_subnet` and `in_vpc` of a NAT gateway or network interface.
pub(crate) fn nat_relations(r: &mut Resource, subnet: Option<&str>, vpc: Option<&str>, ec2_arn: impl Fn(&str) -> String) {
    if let Some(s) = subnet {
        relate(r, "in_subnet", ec2_arn(&format!("subnet/{s}")));
    }
    if let Some(v) = vpc {
        relate(r, "in_vpc", ec2_arn(&format!("vpc/{v}")));
    }
}

async fn nat_gateways(ec2: &Client, scope: &Scope, out: &Out) {
    let mut pages = ec2.describe_nat_gateways().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for n in p.nat_gateways() {
                    out.emit(nat_gateway(scope, n)).await;
                }
            }
            Err(e) => return out.list_failed(scope, "DescribeNatGateways", &Failure::from_sdk(&e)),
        }
    }
}

/// A network interface in a source-neutral shape.
pub(crate) struct Eni<'a> {
    pub id: &'a str,
    pub subnet: Option<&'a str>,
    pub vpc: Option<&'a str>,
    pub availability_zone: Option<&'a str>,
    pub groups: Vec<&'a str>,
    pub private_ip: Option<&'a str>,
    pub public_ip: Option<&'a str>,
    pub instance: Option<&'a str>,
    pub interface_type: Option<&'a str>,
    pub requester_managed: Option<bool>,
    pub status: Option<&'a str>,
    pub description: Option<&'a str>,
    pub source_dest_check: Option<bool>,
}

/// The network interface attributes and relations (subnet, VPC, security groups, instance).
pub(crate) fn eni_attrs(r: &mut Resource, e: &Eni, ec2_arn: impl Fn(&str) -> String) {
    r.attrs = obj(json!({
        "network_interface_id": e.id,
        "subnet_id": e.subnet,
        "vpc_id": e.vpc,
        "availability_zone": e.availability_zone,
        "security_group_ids": e.groups,
        "private_ip_address": e.private_ip,
        "public_ip": e.public_ip,
        "attached_instance_id": e.instance,
        "interface_type": e.interface_type,
        "description": e.description.filter(|d| !d.is_empty()),
    }));
    super::set(r, "requester_managed", e.requester_managed.map(Value::from));
    super::set(r, "status", e.status.map(|s| json!(s)));
    super::set(r, "source_dest_check", e.source_dest_check.map(Value::from));
    nat_relations(r, e.subnet, e.vpc, &ec2_arn);
    for g in &e.groups {
        relate(r, "has_security_group", ec2_arn(&format!("security-group/{g}")));
    }
    if let Some(i) = e.instance {
        relate(r, "attached_to", ec2_arn(&format!("instance/{i}")));
    }
}

fn network_interface(scope: &Scope, n: &NetworkInterface) -> Resource {
    let id = n.network_interface_id().unwrap_or_default();
    let mut r = resource(scope, arn(scope, "ec2", &format!("network-interface/{id}")), "aws.ec2.network_interface", id);
    tags(&mut r, n.tag_set());
    let e = Eni {
        id,
        subnet: n.subnet_id(),
        vpc: n.vpc_id(),
        availability_zone: n.availability_zone(),
        groups: n.groups().iter().filter_map(|g| g.group_id()).collect(),
        private_ip: n.private_ip_address(),
        public_ip: n.association().and_then(|a| a.public_ip()),
        instance: n.attachment().and_then(|a| a.instance_id()),
        interface_type: n.interface_type().map(|t| t.as_str()),
        requester_managed: n.requester_managed(),
        status: n.status().map(|s| s.as_str()),
        description: n.description(),
        source_dest_check: n.source_dest_check(),
    };
    eni_attrs(&mut r, &e, |what| arn(scope, "ec2", what));
    r
}

async fn network_interfaces(ec2: &Client, scope: &Scope, out: &Out) {
    let mut pages = ec2.describe_network_interfaces().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => {
                for n in p.network_interfaces() {
                    out.emit(network_interface(scope, n)).await;
                }
            }
            Err(e) => return out.list_failed(scope, "DescribeNetworkInterfaces", &Failure::from_sdk(&e)),
        }
    }
}

/// The Elastic IP attributes (schema `aws.ec2.eip`) and its `attached_to` relations. Unset
/// associations are `null`: known to be unassociated.
pub(crate) fn eip_attrs(r: &mut Resource, a: [Option<&str>; 6], ec2_arn: impl Fn(&str) -> String) {
    // Some answers carry empty strings for "not associated".
    let [allocation, public_ip, domain, association, instance, eni] = a.map(|v| v.filter(|s| !s.is_empty()));
    r.attrs = obj(json!({
        "allocation_id": allocation,
        "public_ip": public_ip,
        "domain": domain,
        "association_id": association,
        "instance_id": instance,
        "network_interface_id": eni,
    }));
    // The schema's required strings stay absent rather than null when the source omits them.
    for key in ["allocation_id", "public_ip", "domain"] {
        if r.attrs.get(key) == Some(&Value::Null) {
            r.attrs.remove(key);
        }
    }
    if let Some(i) = instance {
        relate(r, "attached_to", ec2_arn(&format!("instance/{i}")));
    }
    if let Some(n) = eni {
        relate(r, "attached_to", ec2_arn(&format!("network-interface/{n}")));
    }
}

fn address(scope: &Scope, a: &Address) -> Resource {
    let id = a.allocation_id().or(a.public_ip()).unwrap_or_default();
    let mut r = resource(scope, arn(scope, "ec2", &format!("elastic-ip/{id}")), "aws.ec2.eip", id);
    tags(&mut r, a.tags());
    let values = [
        a.allocation_id(),
        a.public_ip(),
        a.domain().map(|d| d.as_str()),
        a.association_id(),
        a.instance_id(),
        a.network_interface_id(),
    ];
    eip_attrs(&mut r, values, |what| arn(scope, "ec2", what));
    r
}

async fn addresses(ec2: &Client, scope: &Scope, out: &Out) {
    match ec2.describe_addresses().send().await {
        Ok(p) => {
            for a in p.addresses() {
                out.emit(address(scope, a)).await;
            }
        }
        Err(e) => out.list_failed(scope, "DescribeAddresses", &Failure::from_sdk(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{InternetGatewayAttachment, RouteState, RouteTableAssociation};

    fn scope() -> Scope {
        Scope { account: "111122223333".into(), region: "eu-west-1".into(), service: "ec2" }
    }

    #[test]
    fn a_route_table_lists_its_subnets_routes_and_main_flag() {
        let t = RouteTable::builder()
            .route_table_id("rtb-1")
            .vpc_id("vpc-1")
            .associations(RouteTableAssociation::builder().main(true).build())
            .associations(RouteTableAssociation::builder().main(false).subnet_id("subnet-1").build())
            .routes(Route::builder().destination_cidr_block("10.0.0.0/16").gateway_id("local").state(RouteState::Active).build())
            .routes(Route::builder().destination_cidr_block("0.0.0.0/0").gateway_id("igw-1").state(RouteState::Active).build())
            .build();
        let r = route_table(&scope(), &t);
        assert_eq!(r.uid, "arn:aws:ec2:eu-west-1:111122223333:route-table/rtb-1");
        assert_eq!(r.attrs["main"], json!(true));
        assert_eq!(r.attrs["associated_subnet_ids"], json!(["subnet-1"]));
        assert_eq!(r.attrs["routes"][1]["gateway_id"], "igw-1");
        assert_eq!(r.attrs["routes"][1]["destination_cidr_block"], "0.0.0.0/0");
        assert_eq!(r.attrs["routes"][1]["nat_gateway_id"], Value::Null);
        assert_eq!(r.attrs["routes"][1]["state"], "active");
        assert_eq!(r.related("in_vpc").collect::<Vec<_>>(), vec!["arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1"]);
    }

    #[test]
    fn an_internet_gateway_is_attached_to_its_vpcs() {
        let g = InternetGateway::builder()
            .internet_gateway_id("igw-1")
            .attachments(InternetGatewayAttachment::builder().vpc_id("vpc-1").build())
            .build();
        let r = internet_gateway(&scope(), &g);
        assert_eq!(r.attrs["attachments"], json!(["vpc-1"]));
        assert_eq!(r.related("attached_to").collect::<Vec<_>>(), vec!["arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1"]);
    }

    #[test]
    fn an_unassociated_address_has_null_associations() {
        let a = Address::builder().allocation_id("eipalloc-1").public_ip("203.0.113.9").domain(aws_sdk_ec2::types::DomainType::Vpc).build();
        let r = address(&scope(), &a);
        assert_eq!(r.name, "eipalloc-1");
        assert_eq!(r.attrs["association_id"], Value::Null);
        assert_eq!(r.attrs["instance_id"], Value::Null);
        assert_eq!(r.attrs["domain"], "vpc");
        assert!(r.relations.is_empty());
    }
}
