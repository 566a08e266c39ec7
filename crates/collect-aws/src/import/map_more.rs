//! AWS Config items of IAM groups, inline policies, the EC2 network plumbing (route tables,
//! internet and NAT gateways, network interfaces, Elastic IPs) and RDS event subscriptions,
//! through the live collector's attribute builders. Config's configuration is the describe answer in camelCase.

use super::item::{field, flag, list, path, strings, text, Item};
use crate::services::ec2_network::{self as net, Eni, ROUTE_FIELDS};
use crate::services::rds_events::{self, Subscription};
use crate::services::{iam_group, iam_inline};
use posture_model::Resource;
use serde_json::{json, Value};

fn ec2_arn(item: &Item, what: &str) -> String {
    format!("arn:aws:ec2:{}:{}:{what}", item.region.as_deref().unwrap_or(""), item.account)
}

fn obj(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn id_of(item: &Item, key: &str) -> String {
    text(&item.conf, key).map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string)
}

/// `inline_policies` from a `userPolicyList` / `rolePolicyList` / `groupPolicyList`; `None`
/// (unknown) when a document is missing or does not parse (the latter is a problem).
pub fn inline_policies(c: &Value, key: &str, problems: &mut Vec<String>) -> Option<Value> {
    let mut out = Vec::new();
    for p in list(c, key) {
        let name = text(p, "policyName").unwrap_or("inline");
        let doc = text(p, "policyDocument")?;
        match iam_inline::entry(name, doc) {
            Ok(v) => out.push(v),
            Err(e) => {
                problems.push(e);
                return None;
            }
        }
    }
    Some(Value::Array(out))
}

pub fn iam_group(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let c = &item.conf;
    let name = text(c, "groupName").map_or_else(|| item.display_name(), str::to_string);
    let arn = text(c, "arn").map(str::to_string).or_else(|| item.arn.clone()).unwrap_or_else(|| format!("arn:aws:iam::{}:group/{name}", item.account));
    let created = text(c, "createDate").map_or(Value::Null, |d| json!(d));
    let mut r = item.resource(arn, "aws.iam.group", &name, file);
    iam_group::base_attrs(&mut r, text(c, "groupId").unwrap_or_default(), text(c, "path").unwrap_or("/"), created);
    let policies = list(c, "attachedManagedPolicies");
    iam_group::set_attached(&mut r, policies.iter().map(|a| (text(a, "policyName"), text(a, "policyArn"))));
    let names: Vec<&str> = list(c, "groupPolicyList").iter().filter_map(|p| text(p, "policyName")).collect();
    r.attrs.insert("inline_policy_names".into(), json!(names));
    if let Some(v) = inline_policies(c, "groupPolicyList", problems) {
        r.attrs.insert("inline_policies".into(), v);
    }
    r
}

pub fn route_table(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = id_of(item, "routeTableId");
    let mut r = item.resource(ec2_arn(item, &format!("route-table/{id}")), "aws.ec2.route_table", &id, file);
    let main = list(c, "associations").iter().any(|a| flag(a, "main") == Some(true));
    let subnets: Vec<&str> = list(c, "associations").iter().filter_map(|a| text(a, "subnetId")).collect();
    let routes: Vec<Value> = list(c, "routes").iter().map(|x| net::route_json(ROUTE_FIELDS.map(|(_, k)| text(x, k)))).collect();
    let vpc = text(c, "vpcId");
    net::route_table_attrs(&mut r, &id, vpc, main, &subnets, routes, vpc.map(|v| ec2_arn(item, &format!("vpc/{v}"))));
    r
}

pub fn internet_gateway(item: &Item, file: &str) -> Resource {
    let id = id_of(item, "internetGatewayId");
    let mut r = item.resource(ec2_arn(item, &format!("internet-gateway/{id}")), "aws.ec2.internet_gateway", &id, file);
    let vpcs: Vec<&str> = list(&item.conf, "attachments").iter().filter_map(|a| text(a, "vpcId")).collect();
    net::internet_gateway_attrs(&mut r, &id, &vpcs, |v| ec2_arn(item, &format!("vpc/{v}")));
    r
}

pub fn nat_gateway(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = id_of(item, "natGatewayId");
    let mut r = item.resource(ec2_arn(item, &format!("natgateway/{id}")), "aws.ec2.nat_gateway", &id, file);
    let addresses: Vec<Value> = list(c, "natGatewayAddresses")
        .iter()
        .map(|a| net::nat_address_json(text(a, "allocationId"), text(a, "networkInterfaceId"), text(a, "privateIp"), text(a, "publicIp")))
        .collect();
    r.attrs = obj(json!({
        "nat_gateway_id": id,
        "vpc_id": text(c, "vpcId"),
        "subnet_id": text(c, "subnetId"),
        "state": text(c, "state"),
        "connectivity_type": text(c, "connectivityType"),
        "create_time": text(c, "createTime"),
        "addresses": addresses,
    }));
    net::nat_relations(&mut r, text(c, "subnetId"), text(c, "vpcId"), |what| ec2_arn(item, what));
    r
}

pub fn network_interface(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = id_of(item, "networkInterfaceId");
    let mut r = item.resource(ec2_arn(item, &format!("network-interface/{id}")), "aws.ec2.network_interface", &id, file);
    let e = Eni {
        id: &id,
        subnet: text(c, "subnetId"),
        vpc: text(c, "vpcId"),
        availability_zone: text(c, "availabilityZone"),
        groups: list(c, "groups").iter().filter_map(|g| text(g, "groupId")).collect(),
        private_ip: text(c, "privateIpAddress"),
        public_ip: path(c, &["association", "publicIp"]).and_then(Value::as_str),
        instance: path(c, &["attachment", "instanceId"]).and_then(Value::as_str),
        interface_type: text(c, "interfaceType"),
        requester_managed: flag(c, "requesterManaged"),
        status: text(c, "status"),
        description: text(c, "description"),
        source_dest_check: flag(c, "sourceDestCheck"),
    };
    net::eni_attrs(&mut r, &e, |what| ec2_arn(item, what));
    r
}

/// An Elastic IP. Config records the `DescribeAddresses` entry, which leaves the association
/// fields out when the address is not associated: null, known.
pub fn eip(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "allocationId").or(text(c, "publicIp")).map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string);
    let mut r = item.resource(ec2_arn(item, &format!("elastic-ip/{id}")), "aws.ec2.eip", &id, file);
    let keys = ["allocationId", "publicIp", "domain", "associationId", "instanceId", "networkInterfaceId"];
    net::eip_attrs(&mut r, keys.map(|k| text(c, k)), |what| ec2_arn(item, what));
    r
}

/// An RDS event subscription: Config's copy of the `DescribeEventSubscriptions` entry (the
/// CloudFormation property names are read too). A list Config left out stays unknown.
pub fn rds_event_subscription(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let name = text(c, "custSubscriptionId").or(text(c, "subscriptionName")).map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "eventSubscriptionArn").map(str::to_string).unwrap_or_else(|| item.arn_or("rds", &format!("es:{name}")));
    let mut r = item.resource(uid, rds_events::KIND, &name, file);
    let texts = |keys: [&str; 2]| keys.iter().find_map(|k| field(c, k)).and_then(Value::as_array).map(|l| l.iter().filter_map(Value::as_str).collect());
    r.attrs = rds_events::attrs(&Subscription {
        name: &name,
        sns_topic_arn: text(c, "snsTopicArn"),
        source_type: text(c, "sourceType").filter(|t| *t != "all"),
        source_ids: texts(["sourceIdsList", "sourceIds"]),
        event_categories: texts(["eventCategoriesList", "eventCategories"]),
        enabled: flag(c, "enabled"),
        status: text(c, "status"),
    });
    r
}

/// The user's group names (Config's `groupList`) as `member_of` relations to the groups' ARNs.
pub fn member_of(r: &mut Resource, c: &Value, account: &str) {
    for g in strings(c, "groupList") {
        r.relations.push(posture_model::Relation { rel: "member_of".into(), target: format!("arn:aws:iam::{account}:group/{g}") });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(t: &str, conf: Value) -> Item {
        Item::parse(&json!({"resourceType": t, "awsAccountId": "111122223333", "awsRegion": "eu-west-1", "configuration": conf})).unwrap()
    }

    #[test]
    fn a_group_item_keeps_its_policies_and_inline_documents() {
        let doc = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
        let conf = json!({"groupName": "admins", "groupId": "AGPAEXAMPLE", "path": "/", "arn": "arn:aws:iam::111122223333:group/admins",
            "createDate": "2026-01-02T03:04:05Z",
            "attachedManagedPolicies": [{"policyName": "ReadOnlyAccess", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
            "groupPolicyList": [{"policyName": "all", "policyDocument": doc}]});
        let mut problems = Vec::new();
        let r = iam_group(&item("AWS::IAM::Group", conf), "f", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(r.uid, "arn:aws:iam::111122223333:group/admins");
        assert_eq!(r.attrs["attached_policies"], json!([{"policy_name": "ReadOnlyAccess", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]));
        assert_eq!(r.related("attached_policy").collect::<Vec<_>>(), vec!["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
        assert_eq!(r.attrs["inline_policy_names"], json!(["all"]));
        assert_eq!(r.attrs["inline_policies"][0]["document"]["statements"][0]["actions"], json!(["*"]));
        assert!(!r.attrs.contains_key("member_user_names"));
    }

    #[test]
    fn a_bad_inline_document_is_a_problem_and_unknown() {
        let conf = json!({"userPolicyList": [{"policyName": "p", "policyDocument": "{not json"}]});
        let mut problems = Vec::new();
        assert_eq!(inline_policies(&conf, "userPolicyList", &mut problems), None);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn a_route_table_item_maps_routes_and_associations() {
        let conf = json!({"routeTableId": "rtb-0a1", "vpcId": "vpc-0b2",
            "associations": [{"main": false, "subnetId": "subnet-0c3", "routeTableId": "rtb-0a1"}],
            "routes": [{"destinationCidrBlock": "10.1.0.0/16", "gatewayId": "local", "state": "active"},
                       {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0d4", "state": "active", "origin": "CreateRoute"}]});
        let r = route_table(&item("AWS::EC2::RouteTable", conf), "f");
        assert_eq!(r.uid, "arn:aws:ec2:eu-west-1:111122223333:route-table/rtb-0a1");
        assert_eq!(r.attrs["main"], json!(false));
        assert_eq!(r.attrs["associated_subnet_ids"], json!(["subnet-0c3"]));
        assert_eq!(r.attrs["routes"][1]["gateway_id"], "igw-0d4");
        assert_eq!(r.attrs["routes"][1]["nat_gateway_id"], Value::Null);
        assert_eq!(r.related("in_vpc").collect::<Vec<_>>(), vec!["arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0b2"]);
    }

    #[test]
    fn gateways_interfaces_and_addresses_map_with_their_relations() {
        let igw = internet_gateway(&item("AWS::EC2::InternetGateway", json!({"internetGatewayId": "igw-1", "attachments": [{"vpcId": "vpc-1", "state": "available"}]})), "f");
        assert_eq!(igw.attrs["attachments"], json!(["vpc-1"]));
        let nat = nat_gateway(&item("AWS::EC2::NatGateway", json!({"natGatewayId": "nat-1", "vpcId": "vpc-1", "subnetId": "subnet-1",
            "state": "available", "connectivityType": "public",
            "natGatewayAddresses": [{"allocationId": "eipalloc-1", "networkInterfaceId": "eni-9", "privateIp": "10.0.0.9", "publicIp": "198.51.100.7"}]})), "f");
        assert_eq!(nat.attrs["addresses"][0]["public_ip"], "198.51.100.7");
        assert_eq!(nat.related("in_subnet").collect::<Vec<_>>(), vec!["arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-1"]);
        let eni = network_interface(&item("AWS::EC2::NetworkInterface", json!({"networkInterfaceId": "eni-1", "subnetId": "subnet-1", "vpcId": "vpc-1",
            "groups": [{"groupId": "sg-1", "groupName": "web"}], "association": {"publicIp": "198.51.100.8"},
            "attachment": {"instanceId": "i-1", "status": "attached"}, "interfaceType": "interface", "requesterManaged": false,
            "status": "in-use", "description": "", "sourceDestCheck": true, "privateIpAddress": "10.0.0.4"})), "f");
        assert_eq!(eni.attrs["public_ip"], "198.51.100.8");
        assert_eq!(eni.attrs["attached_instance_id"], "i-1");
        assert_eq!(eni.attrs["description"], Value::Null);
        assert_eq!(eni.related("has_security_group").collect::<Vec<_>>(), vec!["arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1"]);
        assert_eq!(eni.related("attached_to").collect::<Vec<_>>(), vec!["arn:aws:ec2:eu-west-1:111122223333:instance/i-1"]);
        let free = eip(&item("AWS::EC2::EIP", json!({"allocationId": "eipalloc-2", "publicIp": "198.51.100.9", "domain": "vpc"})), "f");
        assert_eq!(free.name, "eipalloc-2");
        assert_eq!(free.attrs["association_id"], Value::Null);
        assert!(free.relations.is_empty());
        let used = eip(&item("AWS::EC2::EIP", json!({"allocationId": "eipalloc-3", "publicIp": "198.51.100.10", "domain": "vpc",
            "associationId": "eipassoc-3", "instanceId": "i-1"})), "f");
        assert_eq!(used.attrs["association_id"], "eipassoc-3");
        assert_eq!(used.related("attached_to").collect::<Vec<_>>(), vec!["arn:aws:ec2:eu-west-1:111122223333:instance/i-1"]);
    }

    #[test]
    fn an_event_subscription_item_maps_to_the_live_attributes() {
        let conf = json!({"customerAwsId": "111122223333", "custSubscriptionId": "db-alerts",
            "snsTopicArn": "arn:aws:sns:eu-west-1:111122223333:ops", "status": "active", "sourceType": "db-instance",
            "sourceIdsList": [], "eventCategoriesList": ["failure", "maintenance"], "enabled": true,
            "eventSubscriptionArn": "arn:aws:rds:eu-west-1:111122223333:es:db-alerts"});
        let r = rds_event_subscription(&item("AWS::RDS::EventSubscription", conf), "f");
        assert_eq!((r.uid.as_str(), r.kind.as_str(), r.name.as_str()), ("arn:aws:rds:eu-west-1:111122223333:es:db-alerts", "aws.rds.event_subscription", "db-alerts"));
        assert_eq!(
            Value::Object(r.attrs),
            json!({"subscription_name": "db-alerts", "sns_topic_arn": "arn:aws:sns:eu-west-1:111122223333:ops",
                   "source_type": "db-instance", "source_ids": [], "event_categories": ["failure", "maintenance"],
                   "enabled": true, "status": "active"})
        );
    }

    #[test]
    fn an_event_subscription_in_cloudformation_shape_keeps_what_it_tells() {
        let conf = json!({"SubscriptionName": "everything", "SnsTopicArn": "arn:aws:sns:eu-west-1:111122223333:ops",
            "SourceType": "all", "Enabled": "true"});
        let r = rds_event_subscription(&item("AWS::RDS::EventSubscription", conf), "f");
        assert_eq!(r.uid, "arn:aws:rds:eu-west-1:111122223333:es:everything");
        assert_eq!(
            Value::Object(r.attrs),
            json!({"subscription_name": "everything", "sns_topic_arn": "arn:aws:sns:eu-west-1:111122223333:ops",
                   "source_type": null, "enabled": true, "status": null})
        );
    }
}
