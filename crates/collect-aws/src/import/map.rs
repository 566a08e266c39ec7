//! AWS Config resource types → canonical kinds. Where the live collector's mapping takes a
//! source-neutral shape (policies, S3 settings, security group rules, SNS/SQS attribute maps,
//! ECR lifecycle policies) both paths call the same function; the rest reads Config's copy of the
//! describe API's answer into the same attributes. What Config does not record (IAM credentials
//! and MFA, KMS rotation, trail status, …) stays absent: unknown, never healthy.

use super::item::{field, flag, int, list, path, strings, text, text_map, Item};
use super::map_more;
use crate::services::{ec2, ecr, s3, sns, sqs};
use crate::services::policy_value;
use posture_model::{Relation, Resource};
use serde_json::{json, Map, Value};

/// What one item becomes.
pub enum Mapped {
    Resource(Box<Resource>),
    /// The account-level S3 Block Public Access, which every bucket of the account carries.
    AccountBlock { account: String, block: Value },
    /// A resource type Posture does not map.
    Unmapped,
}

/// The canonical form of an item. Problems with parts of the item (a policy that does not
/// parse) go to `problems`.
pub fn map(item: &Item, file: &str, problems: &mut Vec<String>) -> Mapped {
    let r = match item.resource_type.as_str() {
        "AWS::S3::AccountPublicAccessBlock" => {
            let f = |k: &str| flag(&item.conf, k);
            let block = s3::block_json([f("blockPublicAcls"), f("ignorePublicAcls"), f("blockPublicPolicy"), f("restrictPublicBuckets")]);
            return Mapped::AccountBlock { account: item.account.clone(), block };
        }
        "AWS::S3::Bucket" => s3_bucket(item, file, problems),
        "AWS::EC2::SecurityGroup" => security_group(item, file),
        "AWS::EC2::Instance" => instance(item, file),
        "AWS::EC2::Volume" => volume(item, file),
        "AWS::EC2::VPC" => vpc(item, file),
        "AWS::EC2::Subnet" => subnet(item, file),
        "AWS::EC2::NetworkAcl" => network_acl(item, file),
        "AWS::IAM::User" => iam_user(item, file, problems),
        "AWS::IAM::Role" => iam_role(item, file, problems),
        "AWS::IAM::Group" => map_more::iam_group(item, file, problems),
        "AWS::EC2::RouteTable" => map_more::route_table(item, file),
        "AWS::EC2::InternetGateway" => map_more::internet_gateway(item, file),
        "AWS::EC2::NatGateway" => map_more::nat_gateway(item, file),
        "AWS::EC2::NetworkInterface" => map_more::network_interface(item, file),
        "AWS::EC2::EIP" => map_more::eip(item, file),
        "AWS::IAM::Policy" => iam_policy(item, file, problems),
        "AWS::RDS::DBInstance" => rds_instance(item, file),
        "AWS::RDS::EventSubscription" => map_more::rds_event_subscription(item, file),
        "AWS::KMS::Key" => kms_key(item, file),
        "AWS::CloudTrail::Trail" => trail(item, file),
        "AWS::Lambda::Function" => lambda(item, file, problems),
        "AWS::SNS::Topic" => topic(item, file, problems),
        "AWS::SQS::Queue" => queue(item, file, problems),
        "AWS::DynamoDB::Table" => dynamodb_table(item, file),
        "AWS::EKS::Cluster" => eks_cluster(item, file),
        "AWS::ECR::Repository" => ecr_repository(item, file, problems),
        _ => return Mapped::Unmapped,
    };
    Mapped::Resource(Box::new(r))
}

fn relate(r: &mut Resource, rel: &str, target: impl Into<String>) {
    r.relations.push(Relation { rel: rel.to_string(), target: target.into() });
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn put(r: &mut Resource, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        r.attrs.insert(key.to_string(), v);
    }
}

fn ec2_arn(item: &Item, what: &str) -> String {
    format!("arn:aws:ec2:{}:{}:{what}", item.region.as_deref().unwrap_or(""), item.account)
}

fn s3_bucket(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let c = &item.conf;
    let name = text(c, "name").map_or_else(|| item.display_name(), str::to_string);
    let mut r = item.resource(format!("arn:aws:s3:::{name}"), "aws.s3.bucket", &name, file);
    put(&mut r, "creation_date", text(c, "creationDate").map(|d| json!(d)));
    // Config writes the block only when one is configured.
    let pab = item.supplementary("PublicAccessBlockConfiguration").map_or(Value::Null, |p| {
        let f = |k: &str| flag(&p, k);
        s3::block_json([f("blockPublicAcls"), f("ignorePublicAcls"), f("blockPublicPolicy"), f("restrictPublicBuckets")])
    });
    r.attrs.insert("public_access_block".into(), pab);
    if let Some(p) = item.supplementary("BucketPolicy") {
        put(&mut r, "policy", policy_value(text(&p, "policyText"), problems));
    }
    if let Some(v) = item.supplementary("BucketVersioningConfiguration") {
        let enabled = text(&v, "status") == Some("Enabled");
        r.attrs.insert("versioning".into(), s3::versioning_json(enabled, flag(&v, "isMfaDeleteEnabled").unwrap_or(false)));
    }
    if let Some(l) = item.supplementary("BucketLoggingConfiguration") {
        let target = text(&l, "destinationBucketName");
        r.attrs.insert("logging".into(), s3::logging_json(target, text(&l, "logFilePrefix")));
        if let Some(t) = target.filter(|t| !t.is_empty()) {
            relate(&mut r, "logs_to", format!("arn:aws:s3:::{t}"));
        }
    }
    let sse = item.supplementary("ServerSideEncryptionConfiguration");
    let rule = sse.as_ref().and_then(|s| list(s, "rules").first());
    let enc = rule.map_or(Value::Null, |rule| {
        let d = field(rule, "applyServerSideEncryptionByDefault");
        let key = d.and_then(|d| text(d, "kmsMasterKeyID"));
        if let Some(k) = key {
            relate(&mut r, "encrypted_with", k);
        }
        s3::encryption_json(d.and_then(|d| text(d, "sseAlgorithm")).unwrap_or("AES256"), key, flag(rule, "bucketKeyEnabled").unwrap_or(false))
    });
    r.attrs.insert("encryption".into(), enc);
    if let Some(acl) = item.supplementary("AccessControlList") {
        r.attrs.insert("acl_grants".into(), Value::Array(list(&acl, "grantList").iter().map(grant).collect()));
    }
    r
}

/// A Config ACL grant (`{"grantee": "AllUsers" | {"id": …}, "permission": "Read"}`).
fn grant(g: &Value) -> Value {
    let permission = text(g, "permission").map_or_else(|| "READ".to_string(), upper_snake);
    match field(g, "grantee") {
        Some(Value::String(group)) => {
            let uri = match group.as_str() {
                "AllUsers" | "AuthenticatedUsers" => format!("http://acs.amazonaws.com/groups/global/{group}"),
                "LogDelivery" => "http://acs.amazonaws.com/groups/s3/LogDelivery".to_string(),
                other => other.to_string(),
            };
            s3::grant_json("Group", None, Some(&uri), &permission)
        }
        Some(who) if text(who, "emailAddress").is_some() => s3::grant_json("AmazonCustomerByEmail", None, None, &permission),
        who => s3::grant_json("CanonicalUser", who.and_then(|w| text(w, "id")), None, &permission),
    }
}

/// `FullControl` → `FULL_CONTROL`.
fn upper_snake(s: &str) -> String {
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

fn security_group(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "groupId").map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string);
    let name = text(c, "groupName").unwrap_or_default();
    let mut r = item.resource(ec2_arn(item, &format!("security-group/{id}")), "aws.ec2.security_group", name, file);
    let rules = |key: &str| {
        let perms: Vec<ec2::Perm> = list(c, key).iter().map(perm).collect();
        ec2::sg_rules(&perms)
    };
    r.attrs = obj(json!({
        "group_id": id,
        "group_name": name,
        "description": text(c, "description").unwrap_or_default(),
        "vpc_id": text(c, "vpcId").unwrap_or_default(),
        "is_default": name == "default",
        "ingress_rules": rules("ipPermissions"),
        "egress_rules": rules("ipPermissionsEgress"),
    }));
    if let Some(v) = text(c, "vpcId") {
        relate(&mut r, "in_vpc", ec2_arn(item, &format!("vpc/{v}")));
    }
    r
}

/// A Config permission; older items list IPv4 ranges as bare strings under `ipRanges`.
fn perm(p: &Value) -> ec2::Perm<'_> {
    let mut peers = Vec::new();
    for r in list(p, "ipv4Ranges") {
        peers.push(("cidr_ipv4", text(r, "cidrIp"), text(r, "description")));
    }
    if peers.is_empty() {
        peers.extend(list(p, "ipRanges").iter().map(|r| ("cidr_ipv4", r.as_str().or_else(|| text(r, "cidrIp")), text(r, "description"))));
    }
    peers.extend(list(p, "ipv6Ranges").iter().map(|r| ("cidr_ipv6", text(r, "cidrIpv6"), text(r, "description"))));
    peers.extend(list(p, "prefixListIds").iter().map(|r| ("prefix_list_id", text(r, "prefixListId"), text(r, "description"))));
    peers.extend(list(p, "userIdGroupPairs").iter().map(|r| ("referenced_group_id", text(r, "groupId"), text(r, "description"))));
    let port = |k: &str| int(p, k).and_then(|n| i32::try_from(n).ok());
    ec2::Perm { proto: text(p, "ipProtocol"), from: port("fromPort"), to: port("toPort"), peers }
}

fn instance(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "instanceId").map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string);
    let mut r = item.resource(ec2_arn(item, &format!("instance/{id}")), "aws.ec2.instance", &id, file);
    let sgs: Vec<&str> = list(c, "securityGroups").iter().filter_map(|g| text(g, "groupId")).collect();
    let profile = path(c, &["iamInstanceProfile", "arn"]).and_then(Value::as_str);
    r.attrs = obj(json!({
        "instance_id": id,
        "instance_type": text(c, "instanceType"),
        "image_id": text(c, "imageId"),
        "state": path(c, &["state", "name"]).and_then(Value::as_str),
        "launch_time": text(c, "launchTime"),
        "platform": text(c, "platform"),
        "public_ip_address": text(c, "publicIpAddress"),
        "private_ip_address": text(c, "privateIpAddress"),
        "vpc_id": text(c, "vpcId"),
        "subnet_id": text(c, "subnetId"),
        "key_name": text(c, "keyName"),
        "detailed_monitoring": path(c, &["monitoring", "state"]).and_then(Value::as_str) == Some("enabled"),
        "iam_instance_profile_arn": profile,
        "security_group_ids": sgs,
        "ebs_optimized": flag(c, "ebsOptimized").unwrap_or(false),
        "network_interface_count": list(c, "networkInterfaces").len(),
    }));
    put(&mut r, "virtualization_type", text(c, "virtualizationType").map(|v| json!(v)));
    if let Some(m) = field(c, "metadataOptions") {
        r.attrs.insert("metadata_options".into(), json!({
            "http_tokens": text(m, "httpTokens").unwrap_or("optional"),
            "http_endpoint": text(m, "httpEndpoint").unwrap_or("enabled"),
            "http_put_response_hop_limit": int(m, "httpPutResponseHopLimit").unwrap_or(1),
            "instance_metadata_tags": text(m, "instanceMetadataTags").unwrap_or("disabled"),
        }));
    }
    for g in &sgs {
        relate(&mut r, "has_security_group", ec2_arn(item, &format!("security-group/{g}")));
    }
    if let Some(p) = profile {
        relate(&mut r, "has_instance_profile", p);
    }
    if let Some(s) = text(c, "subnetId") {
        relate(&mut r, "in_subnet", ec2_arn(item, &format!("subnet/{s}")));
    }
    if let Some(v) = text(c, "vpcId") {
        relate(&mut r, "in_vpc", ec2_arn(item, &format!("vpc/{v}")));
    }
    r
}

fn volume(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "volumeId").map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string);
    let mut r = item.resource(ec2_arn(item, &format!("volume/{id}")), "aws.ec2.volume", &id, file);
    let attachments: Vec<Value> = list(c, "attachments")
        .iter()
        .map(|a| json!({
            "instance_id": text(a, "instanceId").unwrap_or_default(),
            "device": text(a, "device").unwrap_or_default(),
            "state": text(a, "state").unwrap_or("attached"),
            "delete_on_termination": flag(a, "deleteOnTermination").unwrap_or(false),
        }))
        .collect();
    r.attrs = obj(json!({
        "volume_id": id,
        "size_gib": int(c, "size").unwrap_or(0),
        "volume_type": text(c, "volumeType").unwrap_or("gp2"),
        "state": text(c, "state").unwrap_or("available"),
        "kms_key_id": text(c, "kmsKeyId"),
        "availability_zone": text(c, "availabilityZone").unwrap_or_default(),
        "create_time": text(c, "createTime"),
        "snapshot_id": text(c, "snapshotId").filter(|s| !s.is_empty()),
        "attachments": attachments,
    }));
    put(&mut r, "encrypted", flag(c, "encrypted").map(Value::from));
    for i in list(c, "attachments").iter().filter_map(|a| text(a, "instanceId")) {
        relate(&mut r, "attached_to", ec2_arn(item, &format!("instance/{i}")));
    }
    if let Some(k) = text(c, "kmsKeyId") {
        relate(&mut r, "encrypted_with", k);
    }
    r
}

fn vpc(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "vpcId").map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string);
    let mut r = item.resource(ec2_arn(item, &format!("vpc/{id}")), "aws.ec2.vpc", &id, file);
    let v4: Vec<&str> = list(c, "cidrBlockAssociationSet").iter().filter_map(|a| text(a, "cidrBlock")).collect();
    let v6: Vec<&str> = list(c, "ipv6CidrBlockAssociationSet").iter().filter_map(|a| text(a, "ipv6CidrBlock")).collect();
    r.attrs = obj(json!({
        "vpc_id": id,
        "cidr_block": text(c, "cidrBlock").unwrap_or_default(),
        "cidr_blocks": v4,
        "ipv6_cidr_blocks": v6,
        "is_default": flag(c, "isDefault"),
        "state": text(c, "state").unwrap_or("available"),
    }));
    r
}

fn subnet(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "subnetId").map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string);
    let mut r = item.resource(ec2_arn(item, &format!("subnet/{id}")), "aws.ec2.subnet", &id, file);
    r.attrs = obj(json!({
        "subnet_id": id,
        "vpc_id": text(c, "vpcId").unwrap_or_default(),
        "cidr_block": text(c, "cidrBlock"),
        "availability_zone": text(c, "availabilityZone").unwrap_or_default(),
        "map_public_ip_on_launch": flag(c, "mapPublicIpOnLaunch"),
        "default_for_az": flag(c, "defaultForAz").unwrap_or(false),
        "available_ip_address_count": int(c, "availableIpAddressCount").unwrap_or(0),
    }));
    if let Some(v) = text(c, "vpcId") {
        relate(&mut r, "in_vpc", ec2_arn(item, &format!("vpc/{v}")));
    }
    r
}

fn network_acl(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "networkAclId").map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string);
    let mut r = item.resource(ec2_arn(item, &format!("network-acl/{id}")), "aws.ec2.network_acl", &id, file);
    let entries: Vec<Value> = list(c, "entries")
        .iter()
        .map(|e| {
            let proto = ec2::protocol(text(e, "protocol"));
            let port = |k: &str| path(e, &["portRange", k]).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok());
            json!({
                "rule_number": int(e, "ruleNumber").unwrap_or(32767),
                "egress": flag(e, "egress").unwrap_or(false),
                "rule_action": text(e, "ruleAction").unwrap_or("deny"),
                "port_range": ec2::port_range(&proto, port("from"), port("to")),
                "protocol": proto,
                "cidr_block": text(e, "cidrBlock"),
                "ipv6_cidr_block": text(e, "ipv6CidrBlock"),
            })
        })
        .collect();
    let subnets: Vec<&str> = list(c, "associations").iter().filter_map(|a| text(a, "subnetId")).collect();
    r.attrs = obj(json!({
        "network_acl_id": id,
        "vpc_id": text(c, "vpcId").unwrap_or_default(),
        "is_default": flag(c, "isDefault").unwrap_or(false),
        "entries": entries,
        "associated_subnet_ids": subnets,
    }));
    if let Some(v) = text(c, "vpcId") {
        relate(&mut r, "in_vpc", ec2_arn(item, &format!("vpc/{v}")));
    }
    r
}

/// Attached managed policies as `{policy_name, policy_arn}`, with `attached_policy` relations.
fn attached(r: &mut Resource, c: &Value) -> Value {
    let list: Vec<Value> = list(c, "attachedManagedPolicies")
        .iter()
        .map(|a| json!({"policy_name": text(a, "policyName"), "policy_arn": text(a, "policyArn")}))
        .collect();
    for arn in list.iter().filter_map(|a| a["policy_arn"].as_str()).map(str::to_string).collect::<Vec<_>>() {
        relate(r, "attached_policy", arn);
    }
    Value::Array(list)
}

fn iam_user(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let c = &item.conf;
    let name = text(c, "userName").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "arn").map(str::to_string).or_else(|| item.arn.clone()).unwrap_or_else(|| format!("arn:aws:iam::{}:user/{name}", item.account));
    let mut r = item.resource(uid, "aws.iam.user", &name, file);
    let attached = attached(&mut r, c);
    let inline: Vec<&str> = list(c, "userPolicyList").iter().filter_map(|p| text(p, "policyName")).collect();
    r.attrs = obj(json!({
        "user_id": text(c, "userId"),
        "path": text(c, "path"),
        "create_date": text(c, "createDate"),
        "permissions_boundary_arn": path(c, &["permissionsBoundary", "permissionsBoundaryArn"]).and_then(Value::as_str),
        "attached_policies": attached,
        "inline_policy_names": inline,
        "groups": strings(c, "groupList"),
    }));
    put(&mut r, "inline_policies", map_more::inline_policies(c, "userPolicyList", problems));
    map_more::member_of(&mut r, c, &item.account);
    r
}

fn iam_role(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let c = &item.conf;
    let name = text(c, "roleName").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "arn").map(str::to_string).or_else(|| item.arn.clone()).unwrap_or_else(|| format!("arn:aws:iam::{}:role/{name}", item.account));
    let mut r = item.resource(uid, "aws.iam.role", &name, file);
    let attached = attached(&mut r, c);
    let inline: Vec<&str> = list(c, "rolePolicyList").iter().filter_map(|p| text(p, "policyName")).collect();
    let role_path = text(c, "path").unwrap_or("/");
    r.attrs = obj(json!({
        "role_id": text(c, "roleId"),
        "path": role_path,
        "create_date": text(c, "createDate"),
        "description": text(c, "description"),
        "max_session_duration": int(c, "maxSessionDuration").unwrap_or(3600),
        "permissions_boundary_arn": path(c, &["permissionsBoundary", "permissionsBoundaryArn"]).and_then(Value::as_str),
        "is_service_linked": role_path.starts_with("/aws-service-role/"),
        "attached_policies": attached,
        "inline_policy_names": inline,
    }));
    put(&mut r, "inline_policies", map_more::inline_policies(c, "rolePolicyList", problems));
    put(&mut r, "trust_policy", policy_value(text(c, "assumeRolePolicyDocument"), problems).filter(|v| !v.is_null()));
    r
}

fn iam_policy(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let c = &item.conf;
    let name = text(c, "policyName").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "arn").map(str::to_string).or_else(|| item.arn.clone()).unwrap_or_default();
    let mut r = item.resource(uid.clone(), "aws.iam.policy", &name, file);
    r.attrs = obj(json!({
        "policy_id": text(c, "policyId"),
        "path": text(c, "path"),
        "description": text(c, "description"),
        "is_aws_managed": uid.starts_with("arn:aws:iam::aws:"),
        "is_attachable": flag(c, "isAttachable").unwrap_or(true),
        "default_version_id": text(c, "defaultVersionId"),
        "attachment_count": int(c, "attachmentCount").unwrap_or(0),
        "permissions_boundary_usage_count": int(c, "permissionsBoundaryUsageCount").unwrap_or(0),
        "create_date": text(c, "createDate"),
        "update_date": text(c, "updateDate"),
    }));
    let mut versions = Vec::new();
    for v in list(c, "policyVersionList") {
        let Some(doc) = policy_value(text(v, "document"), problems).filter(|d| !d.is_null()) else { continue };
        let is_default = flag(v, "isDefaultVersion").unwrap_or(false);
        if is_default {
            r.attrs.insert("document".into(), doc.clone());
        }
        versions.push(json!({"version_id": text(v, "versionId"), "is_default": is_default, "create_date": text(v, "createDate"), "document": doc}));
    }
    r.attrs.insert("versions".into(), Value::Array(versions));
    r
}

fn rds_instance(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "dBInstanceIdentifier").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "dBInstanceArn").map(str::to_string).unwrap_or_else(|| item.arn_or("rds", &format!("db:{id}")));
    let mut r = item.resource(uid, "aws.rds.db_instance", &id, file);
    let sgs: Vec<&str> = list(c, "vpcSecurityGroups").iter().filter_map(|g| text(g, "vpcSecurityGroupId")).collect();
    r.attrs = obj(json!({
        "db_instance_identifier": id,
        "engine": text(c, "engine").unwrap_or_default(),
        "engine_version": text(c, "engineVersion").unwrap_or_default(),
        "db_instance_class": text(c, "dBInstanceClass").unwrap_or_default(),
        "status": text(c, "dBInstanceStatus").unwrap_or_default(),
        "storage_encrypted": flag(c, "storageEncrypted").unwrap_or(false),
        "kms_key_id": text(c, "kmsKeyId"),
        "publicly_accessible": flag(c, "publiclyAccessible"),
        "backup_retention_period": int(c, "backupRetentionPeriod").unwrap_or(0),
        "multi_az": flag(c, "multiAZ").unwrap_or(false),
        "auto_minor_version_upgrade": flag(c, "autoMinorVersionUpgrade").unwrap_or(false),
        "deletion_protection": flag(c, "deletionProtection").unwrap_or(false),
        "iam_database_authentication_enabled": flag(c, "iAMDatabaseAuthenticationEnabled").unwrap_or(false),
        "endpoint_port": path(c, &["endpoint", "port"]).and_then(Value::as_i64),
        "vpc_security_group_ids": sgs,
        "db_subnet_group_name": path(c, &["dBSubnetGroup", "dBSubnetGroupName"]).and_then(Value::as_str),
        "enabled_cloudwatch_logs_exports": strings(c, "enabledCloudwatchLogsExports"),
        "copy_tags_to_snapshot": flag(c, "copyTagsToSnapshot").unwrap_or(false),
    }));
    for g in &sgs {
        relate(&mut r, "has_security_group", ec2_arn(item, &format!("security-group/{g}")));
    }
    if let Some(k) = text(c, "kmsKeyId") {
        relate(&mut r, "encrypted_with", k);
    }
    if let Some(v) = path(c, &["dBSubnetGroup", "vpcId"]).and_then(Value::as_str) {
        relate(&mut r, "in_vpc", ec2_arn(item, &format!("vpc/{v}")));
    }
    r
}

fn kms_key(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let id = text(c, "keyId").map_or_else(|| item.id.clone().unwrap_or_default(), str::to_string);
    let uid = text(c, "arn").map(str::to_string).unwrap_or_else(|| item.arn_or("kms", &format!("key/{id}")));
    let mut r = item.resource(uid, "aws.kms.key", &id, file);
    r.attrs = obj(json!({
        "key_id": id,
        "description": text(c, "description").filter(|d| !d.is_empty()),
        "key_manager": text(c, "keyManager").unwrap_or("CUSTOMER"),
        "key_state": text(c, "keyState").unwrap_or("Enabled"),
        "key_spec": text(c, "keySpec").or_else(|| text(c, "customerMasterKeySpec")).unwrap_or("SYMMETRIC_DEFAULT"),
        "key_usage": text(c, "keyUsage").unwrap_or("ENCRYPT_DECRYPT"),
        "origin": text(c, "origin").unwrap_or("AWS_KMS"),
        "multi_region": flag(c, "multiRegion").unwrap_or(false),
        "creation_date": text(c, "creationDate"),
        "deletion_date": text(c, "deletionDate"),
    }));
    r
}

fn trail(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let name = text(c, "name").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "trailARN").map(str::to_string).unwrap_or_else(|| item.arn_or("cloudtrail", &format!("trail/{name}")));
    let mut r = item.resource(uid, "aws.cloudtrail.trail", &name, file);
    let bucket = text(c, "s3BucketName").unwrap_or_default();
    let group = text(c, "cloudWatchLogsLogGroupArn");
    r.attrs = obj(json!({
        "home_region": text(c, "homeRegion").or(item.region.as_deref()).unwrap_or_default(),
        "is_multi_region_trail": flag(c, "isMultiRegionTrail").unwrap_or(false),
        "is_organization_trail": flag(c, "isOrganizationTrail").unwrap_or(false),
        "log_file_validation_enabled": flag(c, "logFileValidationEnabled").unwrap_or(false),
        "kms_key_id": text(c, "kmsKeyId"),
        "s3_bucket_name": bucket,
        "s3_key_prefix": text(c, "s3KeyPrefix"),
        "cloud_watch_logs_log_group_arn": group,
        "include_global_service_events": flag(c, "includeGlobalServiceEvents").unwrap_or(false),
    }));
    if !bucket.is_empty() {
        relate(&mut r, "logs_to", format!("arn:aws:s3:::{bucket}"));
    }
    if let Some(g) = group {
        relate(&mut r, "logs_to", g.strip_suffix(":*").unwrap_or(g));
    }
    if let Some(k) = text(c, "kmsKeyId") {
        relate(&mut r, "encrypted_with", k);
    }
    r
}

fn lambda(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let c = &item.conf;
    let name = text(c, "functionName").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "functionArn").map(str::to_string).unwrap_or_else(|| item.arn_or("lambda", &format!("function:{name}")));
    let mut r = item.resource(uid, "aws.lambda.function", &name, file);
    let vpc = field(c, "vpcConfig").filter(|v| text(v, "vpcId").is_some_and(|id| !id.is_empty()) || !strings(v, "subnetIds").is_empty());
    r.attrs = obj(json!({
        "runtime": text(c, "runtime"),
        "package_type": text(c, "packageType").unwrap_or("Zip"),
        "handler": text(c, "handler"),
        "role_arn": text(c, "role").unwrap_or_default(),
        "memory_size": int(c, "memorySize").unwrap_or(128),
        "timeout": int(c, "timeout").unwrap_or(3),
        "architectures": strings(c, "architectures"),
        "last_modified": text(c, "lastModified").unwrap_or_default(),
        "kms_key_arn": text(c, "kmsKeyArn"),
        "vpc_config": vpc.map_or(Value::Null, |v| json!({
            "vpc_id": text(v, "vpcId"),
            "subnet_ids": strings(v, "subnetIds"),
            "security_group_ids": strings(v, "securityGroupIds"),
        })),
        "tracing_mode": path(c, &["tracingConfig", "mode"]).and_then(Value::as_str).unwrap_or("PassThrough"),
    }));
    // Variable names only, never values; Config items that leave the environment out keep it unknown.
    if let Some(vars) = path(c, &["environment", "variables"]).and_then(Value::as_object) {
        let mut names: Vec<&String> = vars.keys().collect();
        names.sort();
        r.attrs.insert("environment_variable_names".into(), json!(names));
    }
    if let Some(p) = item.supplementary("Policy") {
        let text = p.as_str().map(str::to_string).unwrap_or_else(|| p.to_string());
        put(&mut r, "policy", policy_value(Some(&text), problems));
    }
    if let Some(role) = text(c, "role") {
        relate(&mut r, "assumes_role", role);
    }
    if let Some(k) = text(c, "kmsKeyArn") {
        relate(&mut r, "encrypted_with", k);
    }
    r
}

fn topic(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let attrs = text_map(&item.conf);
    let uid = attrs.get("TopicArn").cloned().or_else(|| item.arn.clone()).unwrap_or_default();
    let name = uid.rsplit(':').next().unwrap_or_default().to_string();
    let mut r = item.resource(uid, "aws.sns.topic", &name, file);
    problems.extend(sns::topic_attrs(&mut r, &attrs));
    r
}

fn queue(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let attrs = text_map(&item.conf);
    let uid = attrs.get("QueueArn").cloned().or_else(|| item.arn.clone()).unwrap_or_default();
    let name = uid.rsplit(':').next().unwrap_or_default().to_string();
    let mut r = item.resource(uid, "aws.sqs.queue", &name, file);
    if let Some(url) = attrs.get("QueueUrl").or(item.id.as_ref()) {
        r.attrs.insert("queue_url".into(), json!(url));
    }
    problems.extend(sqs::queue_attrs(&mut r, &attrs));
    r
}

fn dynamodb_table(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let name = text(c, "tableName").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "tableArn").map(str::to_string).unwrap_or_else(|| item.arn_or("dynamodb", &format!("table/{name}")));
    let mut r = item.resource(uid, "aws.dynamodb.table", &name, file);
    let sse = field(c, "sSEDescription");
    r.attrs = obj(json!({
        "table_status": text(c, "tableStatus").unwrap_or_default(),
        "billing_mode": path(c, &["billingModeSummary", "billingMode"]).and_then(Value::as_str).unwrap_or("PROVISIONED"),
        "stream_enabled": path(c, &["streamSpecification", "streamEnabled"]).and_then(Value::as_bool).unwrap_or(false),
        "sse_description": sse.map_or(Value::Null, |s| json!({
            "status": text(s, "status").unwrap_or("ENABLED"),
            "sse_type": text(s, "sSEType").unwrap_or("KMS"),
            "kms_master_key_arn": text(s, "kMSMasterKeyArn").unwrap_or_default(),
        })),
    }));
    put(&mut r, "deletion_protection_enabled", flag(c, "deletionProtectionEnabled").map(Value::from));
    let pitr = item.supplementary("ContinuousBackupsDescription");
    let status = pitr.as_ref().and_then(|p| path(p, &["pointInTimeRecoveryDescription", "pointInTimeRecoveryStatus"])).and_then(Value::as_str);
    put(&mut r, "point_in_time_recovery_enabled", pitr.as_ref().map(|_| json!(status == Some("ENABLED"))));
    if let Some(k) = sse.and_then(|s| text(s, "kMSMasterKeyArn")) {
        relate(&mut r, "encrypted_with", k);
    }
    r
}

fn eks_cluster(item: &Item, file: &str) -> Resource {
    let c = &item.conf;
    let name = text(c, "name").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "arn").map(str::to_string).unwrap_or_else(|| item.arn_or("eks", &format!("cluster/{name}")));
    let mut r = item.resource(uid, "aws.eks.cluster", &name, file);
    let encryption: Vec<Value> = list(c, "encryptionConfig")
        .iter()
        .map(|e| json!({"resources": strings(e, "resources"), "key_arn": path(e, &["provider", "keyArn"]).and_then(Value::as_str).unwrap_or_default()}))
        .collect();
    r.attrs = obj(json!({
        "version": text(c, "version").unwrap_or_default(),
        "role_arn": text(c, "roleArn").unwrap_or_default(),
        "encryption_config": encryption,
    }));
    put(&mut r, "status", text(c, "status").map(|s| json!(s)));
    if let Some(v) = field(c, "resourcesVpcConfig") {
        let mut vpc = json!({
            "vpc_id": text(v, "vpcId").unwrap_or_default(),
            "subnet_ids": strings(v, "subnetIds"),
            "security_group_ids": strings(v, "securityGroupIds"),
            "cluster_security_group_id": text(v, "clusterSecurityGroupId"),
        });
        for (k, src) in [("endpoint_public_access", "endpointPublicAccess"), ("endpoint_private_access", "endpointPrivateAccess")] {
            if let Some(b) = flag(v, src) {
                vpc[k] = json!(b);
            }
        }
        if field(v, "publicAccessCidrs").is_some() {
            vpc["public_access_cidrs"] = json!(strings(v, "publicAccessCidrs"));
        }
        r.attrs.insert("resources_vpc_config".into(), vpc);
    }
    if let Some(types) = log_types(c) {
        r.attrs.insert("enabled_log_types".into(), json!(types));
    }
    put(&mut r, "authentication_mode", path(c, &["accessConfig", "authenticationMode"]).cloned());
    if let Some(role) = text(c, "roleArn") {
        relate(&mut r, "assumes_role", role);
    }
    r
}

/// Enabled control plane log types, from the API shape (`logging.clusterLogging[]`) or the
/// CloudFormation one (`Logging.ClusterLogging.EnabledTypes[].Type`).
fn log_types(c: &Value) -> Option<Vec<String>> {
    let logging = field(c, "logging")?;
    match field(logging, "clusterLogging")? {
        Value::Array(setups) => Some(
            setups
                .iter()
                .filter(|s| flag(s, "enabled") == Some(true))
                .flat_map(|s| strings(s, "types"))
                .map(str::to_string)
                .collect(),
        ),
        obj @ Value::Object(_) => Some(list(obj, "enabledTypes").iter().filter_map(|t| text(t, "type")).map(str::to_string).collect()),
        _ => None,
    }
}

fn ecr_repository(item: &Item, file: &str, problems: &mut Vec<String>) -> Resource {
    let c = &item.conf;
    let name = text(c, "repositoryName").map_or_else(|| item.display_name(), str::to_string);
    let uid = text(c, "arn").or_else(|| text(c, "repositoryArn")).map(str::to_string).unwrap_or_else(|| item.arn_or("ecr", &format!("repository/{name}")));
    let mut r = item.resource(uid, "aws.ecr.repository", &name, file);
    r.attrs = obj(json!({"repository_name": name, "repository_uri": text(c, "repositoryUri").unwrap_or_default()}));
    put(&mut r, "image_tag_mutability", text(c, "imageTagMutability").map(|m| json!(m)));
    // Config holds the repository's own setting only; registry-level scanning rules are not in it.
    if let Some(on_push) = path(c, &["imageScanningConfiguration", "scanOnPush"]).and_then(|v| v.as_bool().or_else(|| v.as_str().and_then(|s| s.parse().ok()))) {
        let frequency = if on_push { "SCAN_ON_PUSH" } else { "MANUAL" };
        r.attrs.insert("scanning_configuration".into(), json!({"scan_on_push": on_push, "scan_frequency": frequency}));
    }
    if let Some(e) = field(c, "encryptionConfiguration") {
        r.attrs.insert("encryption_configuration".into(), json!({"encryption_type": text(e, "encryptionType").unwrap_or("AES256"), "kms_key": text(e, "kmsKey")}));
    }
    let lifecycle = path(c, &["lifecyclePolicy", "lifecyclePolicyText"]).map(super::item::decoded);
    let lifecycle_text = lifecycle.as_ref().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    r.attrs.insert("lifecycle_policy".into(), ecr::lifecycle_value(lifecycle_text.as_deref()));
    let policy = field(c, "repositoryPolicyText").map(super::item::decoded);
    let policy_text = policy.as_ref().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    put(&mut r, "policy", policy_value(policy_text.as_deref(), problems));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(sup: Value) -> Resource {
        let v = json!({"resourceType": "AWS::S3::Bucket", "awsAccountId": "111122223333", "awsRegion": "eu-west-1",
                       "configuration": {"name": "b"}, "supplementaryConfiguration": sup});
        let item = Item::parse(&v).unwrap();
        let mut problems = Vec::new();
        match map(&item, "f.json", &mut problems) {
            Mapped::Resource(r) => *r,
            _ => panic!("a bucket maps to a resource"),
        }
    }

    #[test]
    fn double_encoded_acls_and_group_grantees_are_read() {
        let acl = r#""{\"grantList\":[{\"grantee\":\"AllUsers\",\"permission\":\"Read\"},{\"grantee\":{\"id\":\"abc\"},\"permission\":\"FullControl\"}]}""#;
        let r = bucket(json!({"AccessControlList": acl}));
        let grants = &r.attrs["acl_grants"];
        assert_eq!(grants[0]["grantee_uri"], "http://acs.amazonaws.com/groups/global/AllUsers");
        assert_eq!(grants[0]["permission"], "READ");
        assert_eq!(grants[1]["grantee_id"], "abc");
        assert_eq!(grants[1]["permission"], "FULL_CONTROL");
    }

    #[test]
    fn what_config_leaves_out_stays_unknown_and_what_it_says_is_off_is_null() {
        let r = bucket(json!({"BucketPolicy": {"policyText": null}}));
        assert_eq!(r.attrs["policy"], Value::Null);
        assert_eq!(r.attrs["public_access_block"], Value::Null);
        assert!(!r.attrs.contains_key("versioning"));
        assert!(!r.attrs.contains_key("acl_grants"));
    }

    #[test]
    fn a_policy_that_does_not_parse_is_a_problem_and_unknown() {
        let v = json!({"resourceType": "AWS::S3::Bucket", "configuration": {"name": "b"},
                       "supplementaryConfiguration": {"BucketPolicy": {"policyText": "{not json"}}});
        let mut problems = Vec::new();
        let Mapped::Resource(r) = map(&Item::parse(&v).unwrap(), "f", &mut problems) else { panic!("mapped") };
        assert!(!r.attrs.contains_key("policy"));
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn unknown_types_are_unmapped_and_items_without_configuration_are_refused() {
        let v = json!({"resourceType": "AWS::Foo::Bar", "configuration": {}});
        assert!(matches!(map(&Item::parse(&v).unwrap(), "f", &mut Vec::new()), Mapped::Unmapped));
        assert!(Item::parse(&json!({"resourceType": "AWS::S3::Bucket"})).is_err());
        assert!(Item::parse(&json!([1])).is_err());
    }

    const TYPES: &[&str] = &[
        "AWS::S3::Bucket", "AWS::S3::AccountPublicAccessBlock", "AWS::EC2::SecurityGroup", "AWS::EC2::Instance",
        "AWS::EC2::Volume", "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::NetworkAcl", "AWS::IAM::User", "AWS::IAM::Role",
        "AWS::IAM::Policy", "AWS::RDS::DBInstance", "AWS::KMS::Key", "AWS::CloudTrail::Trail", "AWS::Lambda::Function",
        "AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::DynamoDB::Table", "AWS::EKS::Cluster", "AWS::ECR::Repository",
        "AWS::IAM::Group", "AWS::EC2::RouteTable", "AWS::EC2::InternetGateway", "AWS::EC2::NatGateway",
        "AWS::EC2::NetworkInterface", "AWS::EC2::EIP", "AWS::RDS::EventSubscription",
    ];
    const KEYS: &[&str] = &[
        "name", "groupId", "ipPermissions", "ipv4Ranges", "fromPort", "toPort", "ipProtocol", "instanceId", "state",
        "metadataOptions", "securityGroups", "attachments", "encrypted", "policyVersionList", "document", "isDefaultVersion",
        "assumeRolePolicyDocument", "entries", "portRange", "environment", "variables", "vpcConfig", "resourcesVpcConfig",
        "logging", "clusterLogging", "encryptionConfig", "Policy", "RedrivePolicy", "sSEDescription", "grantList",
        "imageScanningConfiguration", "lifecyclePolicy", "repositoryPolicyText", "rules", "PublicAccessBlockConfiguration",
        "groupPolicyList", "policyDocument", "policyName", "routes", "associations", "main", "natGatewayAddresses", "association",
        "attachment", "groups", "allocationId", "associationId", "custSubscriptionId", "sourceIdsList",
        "eventCategoriesList", "enabled",
    ];

    fn value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z{}\\[\\]\":0-9*]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_configuration_maps_without_panicking(t in proptest::sample::select(TYPES), conf in value(), sup in value()) {
            let v = json!({"resourceType": t, "configuration": conf, "supplementaryConfiguration": sup});
            if let Ok(item) = Item::parse(&v) {
                let _ = map(&item, "f", &mut Vec::new());
            }
        }
    }
}
