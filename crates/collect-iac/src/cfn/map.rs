//! CloudFormation resource types → the same canonical kinds as the API and Terraform. Absent
//! properties take CloudFormation's (or AWS's) default for a new resource.

use crate::hcl::value::V;
use crate::terraform::eval::EBlock;
use crate::terraform::map::{convert, jv, line_of, push, Build, Conv, Target};
use serde_json::{json, Value};

pub fn primary(t: &str, b: &EBlock) -> Option<Build> {
    let mut o = match t {
        "AWS::S3::Bucket" => bucket(b),
        "AWS::EC2::SecurityGroup" => security_group(b),
        "AWS::EC2::Instance" => instance(b),
        "AWS::EC2::Volume" => {
            let mut o = Build::new("aws.ec2.volume");
            o.put("state", json!("available"), None);
            o.field("encrypted", b, "Encrypted", Conv::Bool, Some(json!(false)));
            o.field("kms_key_id", b, "KmsKeyId", Conv::Presence, Some(Value::Null));
            o.field("size_gib", b, "Size", Conv::Int, None);
            o
        }
        "AWS::RDS::DBInstance" => db_instance(b),
        "AWS::RDS::DBCluster" => db_cluster(b),
        "AWS::IAM::Role" => role(b),
        "AWS::IAM::ManagedPolicy" | "AWS::IAM::Policy" => {
            let mut o = Build::new("aws.iam.policy");
            o.name = b.value("PolicyName").or(b.value("ManagedPolicyName")).and_then(V::to_text);
            o.field("document", b, "PolicyDocument", Conv::Policy, None);
            if let Some(d) = b.block("PolicyDocument") {
                o.put("document", Value::Null, None);
                if let Some(p) = block_json(d).and_then(|j| posture_aws_policy::normalise(&j).ok()) {
                    o.put("document", p, Some(d.line));
                } else {
                    o.attrs.remove("document");
                }
            }
            o.put("is_aws_managed", json!(false), None);
            o
        }
        "AWS::KMS::Key" => {
            let mut o = Build::new("aws.kms.key");
            o.put("key_manager", json!("CUSTOMER"), None);
            o.put("key_state", json!("Enabled"), None);
            o.put("origin", json!("AWS_KMS"), None);
            o.field("key_spec", b, "KeySpec", Conv::Str, Some(json!("SYMMETRIC_DEFAULT")));
            o.field("key_rotation_enabled", b, "EnableKeyRotation", Conv::Bool, Some(json!(false)));
            policy_block(&mut o, b, "KeyPolicy", "policy");
            o
        }
        "AWS::Lambda::Function" => lambda(b),
        "AWS::ApiGateway::Stage" => super::apigw::stage(b),
        "AWS::ApiGatewayV2::Stage" => super::apigw::stage_v2(b),
        "AWS::SQS::Queue" => {
            let mut o = Build::new("aws.sqs.queue");
            o.name = b.value("QueueName").and_then(V::to_text);
            o.field("kms_master_key_id", b, "KmsMasterKeyId", Conv::Presence, Some(Value::Null));
            let kms = b.attr("KmsMasterKeyId").is_some();
            o.field("sqs_managed_sse_enabled", b, "SqsManagedSseEnabled", Conv::Bool, Some(json!(!kms)));
            o
        }
        "AWS::SNS::Topic" => {
            let mut o = Build::new("aws.sns.topic");
            o.name = b.value("TopicName").and_then(V::to_text);
            o.field("kms_master_key_id", b, "KmsMasterKeyId", Conv::Presence, Some(Value::Null));
            o
        }
        "AWS::Logs::LogGroup" => {
            let mut o = Build::new("aws.logs.log_group");
            o.name = b.value("LogGroupName").and_then(V::to_text);
            o.field("retention_in_days", b, "RetentionInDays", Conv::Int, Some(Value::Null));
            o.field("kms_key_id", b, "KmsKeyId", Conv::Presence, Some(Value::Null));
            o
        }
        "AWS::DynamoDB::Table" => {
            let mut o = Build::new("aws.dynamodb.table");
            o.name = b.value("TableName").and_then(V::to_text);
            o.put("table_status", json!("ACTIVE"), None);
            o.field("billing_mode", b, "BillingMode", Conv::Str, Some(json!("PROVISIONED")));
            o.field("deletion_protection_enabled", b, "DeletionProtectionEnabled", Conv::Bool, Some(json!(false)));
            match b.block("PointInTimeRecoverySpecification") {
                Some(p) => o.field("point_in_time_recovery_enabled", p, "PointInTimeRecoveryEnabled", Conv::Bool, Some(json!(false))),
                None => o.put("point_in_time_recovery_enabled", json!(false), None),
            }
            o
        }
        "AWS::CloudTrail::Trail" => {
            let mut o = Build::new("aws.cloudtrail.trail");
            o.name = b.value("TrailName").and_then(V::to_text);
            o.field("is_multi_region_trail", b, "IsMultiRegionTrail", Conv::Bool, Some(json!(false)));
            o.field("is_logging", b, "IsLogging", Conv::Bool, None);
            o.field("log_file_validation_enabled", b, "EnableLogFileValidation", Conv::Bool, Some(json!(false)));
            o.field("kms_key_id", b, "KMSKeyId", Conv::Presence, Some(Value::Null));
            o.field("cloud_watch_logs_log_group_arn", b, "CloudWatchLogsLogGroupArn", Conv::Presence, Some(Value::Null));
            o.rel("logs_to", b.value("S3BucketName"));
            o
        }
        "AWS::ECR::Repository" => {
            let mut o = Build::new("aws.ecr.repository");
            o.name = b.value("RepositoryName").and_then(V::to_text);
            o.field("image_tag_mutability", b, "ImageTagMutability", Conv::Str, Some(json!("MUTABLE")));
            match b.block("ImageScanningConfiguration").map(|s| (s.value("ScanOnPush").and_then(V::as_bool), line_of(s, "ScanOnPush"))) {
                Some((Some(on), line)) => o.put("scanning_configuration", json!({"scan_on_push": on, "scan_frequency": if on { "SCAN_ON_PUSH" } else { "MANUAL" }}), Some(line)),
                Some((None, _)) => {}
                None => o.put("scanning_configuration", json!({"scan_on_push": false, "scan_frequency": "MANUAL"}), None),
            }
            o
        }
        "AWS::EFS::FileSystem" => {
            let mut o = Build::new("aws.efs.file_system");
            o.field("encrypted", b, "Encrypted", Conv::Bool, Some(json!(false)));
            o
        }
        "AWS::EC2::Subnet" => {
            let mut o = Build::new("aws.ec2.subnet");
            o.field("map_public_ip_on_launch", b, "MapPublicIpOnLaunch", Conv::Bool, Some(json!(false)));
            o.rel("in_vpc", b.value("VpcId"));
            o
        }
        _ => return None,
    };
    if o.name.is_none() {
        o.name = b.value("Name").and_then(V::to_text);
    }
    Some(o)
}

pub fn target(t: &str) -> Option<Target> {
    let (types, via, key): (&'static [&'static str], _, _) = match t {
        "AWS::S3::BucketPolicy" => (&["AWS::S3::Bucket"], "Bucket", "BucketName"),
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => (&["AWS::EC2::SecurityGroup"], "GroupId", "GroupName"),
        _ => return None,
    };
    Some(Target { types, via, key })
}

pub fn augment(t: &str, b: &EBlock, into: &mut Build) {
    match t {
        "AWS::S3::BucketPolicy" => policy_block(into, b, "PolicyDocument", "policy"),
        "AWS::EC2::SecurityGroupIngress" => sg_rule(b, "ingress_rules", into),
        "AWS::EC2::SecurityGroupEgress" => sg_rule(b, "egress_rules", into),
        _ => {}
    }
}

/// A block read back as the JSON object it was written as (policy documents). An unknown
/// resource ARN or condition value (another resource's, before the stack exists) becomes a
/// placeholder: rules read effects, principals and actions, which must be known.
fn block_json(b: &EBlock) -> Option<Value> {
    block_json_in(b, false)
}

fn lenient_value(v: &V) -> Value {
    match v {
        V::Ref(r) => json!(format!("${{{r}}}")),
        V::List(items) => Value::Array(items.iter().map(lenient_value).collect()),
        other => other.to_json().unwrap_or_else(|| json!("${unknown}")),
    }
}

fn block_json_in(b: &EBlock, lenient: bool) -> Option<Value> {
    let mut m = serde_json::Map::new();
    for (k, (v, _)) in &b.attrs {
        let loose = lenient || matches!(k.as_str(), "Resource" | "NotResource" | "Sid");
        m.insert(k.clone(), if loose { lenient_value(v) } else { v.to_json()? });
    }
    for (k, inner) in &b.blocks {
        let j = block_json_in(inner, lenient || k == "Condition")?;
        let count = b.blocks(k).count();
        if count > 1 || k == "Statement" {
            match m.entry(k.clone()).or_insert_with(|| Value::Array(Vec::new())) {
                Value::Array(a) => a.push(j),
                _ => return None,
            }
        } else {
            m.insert(k.clone(), j);
        }
    }
    Some(Value::Object(m))
}

fn policy_block(o: &mut Build, b: &EBlock, prop: &str, path: &str) {
    match (b.block(prop), b.attr(prop)) {
        (Some(d), _) => match block_json(d).and_then(|j| posture_aws_policy::normalise(&j).ok()) {
            Some(p) => o.put(path, p, Some(d.line)),
            None => {
                o.attrs.remove(path);
            }
        },
        (None, Some((v, line))) => {
            if let Some(p) = convert(v, Conv::Policy) {
                o.put(path, p, Some(*line));
            }
        }
        (None, None) => {}
    }
}

fn bucket(b: &EBlock) -> Build {
    let mut o = Build::new("aws.s3.bucket");
    o.name = b.value("BucketName").and_then(V::to_text);
    o.put("versioning", json!({"enabled": false, "mfa_delete": false}), None);
    o.put("logging", Value::Null, None);
    o.put("encryption", json!({"sse_algorithm": "AES256", "kms_master_key_id": null, "bucket_key_enabled": false}), None);
    o.put("public_access_block", json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true}), None);
    o.put("ownership_controls", json!("BucketOwnerEnforced"), None);
    o.put("object_lock_enabled", json!(false), None);
    o.put("website_enabled", json!(false), None);
    o.put("lifecycle_rules", json!([]), None);
    o.put("replication", Value::Null, None);
    o.put("policy", Value::Null, None);
    o.put("event_notifications", json!({"eventbridge_enabled": false, "destinations": []}), None);
    if let Some(n) = b.block("NotificationConfiguration") {
        let eb = n.block("EventBridgeConfiguration").is_some();
        let dest = ["TopicConfigurations", "QueueConfigurations", "LambdaConfigurations"].iter().map(|k| n.blocks(k).count()).sum::<usize>();
        o.put("event_notifications", json!({"eventbridge_enabled": eb, "destinations": vec!["configured"; dest]}), Some(n.line));
    }
    if let Some(v) = b.block("VersioningConfiguration") {
        if let Some((s, line)) = v.attr("Status") {
            if let Some(s) = s.to_text() {
                o.put("versioning.enabled", json!(s == "Enabled"), Some(*line));
            } else {
                o.attrs.remove("versioning");
            }
        }
    }
    if let Some(l) = b.block("LoggingConfiguration") {
        o.put("logging", json!({}), Some(l.line));
        o.field("logging.target_bucket", l, "DestinationBucketName", Conv::Presence, Some(json!("(same bucket)")));
        o.field("logging.target_prefix", l, "LogFilePrefix", Conv::Str, Some(Value::Null));
    }
    if let Some(d) = b.block("BucketEncryption").and_then(|e| e.block("ServerSideEncryptionConfiguration")) {
        if let Some(x) = d.block("ServerSideEncryptionByDefault") {
            o.field("encryption.sse_algorithm", x, "SSEAlgorithm", Conv::Str, None);
            o.field("encryption.kms_master_key_id", x, "KMSMasterKeyID", Conv::Presence, Some(Value::Null));
        }
        o.field("encryption.bucket_key_enabled", d, "BucketKeyEnabled", Conv::Bool, Some(json!(false)));
    }
    if let Some(p) = b.block("PublicAccessBlockConfiguration") {
        for (cfn, canon) in [("BlockPublicAcls", "block_public_acls"), ("IgnorePublicAcls", "ignore_public_acls"), ("BlockPublicPolicy", "block_public_policy"), ("RestrictPublicBuckets", "restrict_public_buckets")] {
            o.field(&format!("public_access_block.{canon}"), p, cfn, Conv::Bool, Some(json!(false)));
        }
    }
    if let Some(r) = b.block("OwnershipControls").and_then(|c| c.block("Rules")) {
        o.field("ownership_controls", r, "ObjectOwnership", Conv::Str, None);
    }
    o.field("object_lock_enabled", b, "ObjectLockEnabled", Conv::Bool, Some(json!(false)));
    if let Some(w) = b.block("WebsiteConfiguration") {
        o.put("website_enabled", json!(true), Some(w.line));
    }
    if let Some(lc) = b.block("LifecycleConfiguration") {
        for r in lc.blocks("Rules") {
            let days = r.block("NoncurrentVersionExpiration").and_then(|n| jv(n, "NoncurrentDays", Conv::Int)).or_else(|| jv(r, "NoncurrentVersionExpirationInDays", Conv::Int));
            push(&mut o, "lifecycle_rules", json!({"id": jv(r, "Id", Conv::Str), "status": jv(r, "Status", Conv::Str), "expiration_days": jv(r, "ExpirationInDays", Conv::Int), "noncurrent_version_expiration_days": days}), r.line);
        }
    }
    if let Some(rc) = b.block("ReplicationConfiguration") {
        o.put("replication", json!({"rules": []}), Some(rc.line));
        for r in rc.blocks("Rules") {
            push(&mut o, "replication.rules", json!({"status": jv(r, "Status", Conv::Str)}), r.line);
        }
    }
    if let Some((acl, line)) = b.attr("AccessControl") {
        if let Some(a) = acl.to_text() {
            let public = match a.as_str() {
                "PublicRead" | "PublicReadWrite" => Some("http://acs.amazonaws.com/groups/global/AllUsers"),
                "AuthenticatedRead" => Some("http://acs.amazonaws.com/groups/global/AuthenticatedUsers"),
                _ => None,
            };
            let mut grants = vec![json!({"grantee_type": "CanonicalUser", "grantee_id": "owner", "grantee_uri": null, "permission": "FULL_CONTROL"})];
            if let Some(uri) = public {
                grants.push(json!({"grantee_type": "Group", "grantee_id": null, "grantee_uri": uri, "permission": "READ"}));
                o.put("ownership_controls", json!("ObjectWriter"), Some(*line));
                if b.block("PublicAccessBlockConfiguration").is_none() {
                    o.put("public_access_block", Value::Null, Some(*line));
                }
            }
            o.put("acl_grants", json!(grants), Some(*line));
        }
    } else {
        o.put("acl_grants", json!([{"grantee_type": "CanonicalUser", "grantee_id": "owner", "grantee_uri": null, "permission": "FULL_CONTROL"}]), None);
    }
    o
}

fn protocol(v: &V) -> Option<String> {
    let p = crate::cfn::text_num(v)?.to_ascii_lowercase();
    Some(match p.as_str() {
        "-1" | "all" => "all".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        _ => p,
    })
}

fn sg_rule(r: &EBlock, dir: &str, into: &mut Build) {
    let Some(proto) = r.value("IpProtocol").and_then(protocol) else {
        into.attrs.remove(dir);
        return;
    };
    let num = |k: &str| r.value(k).and_then(V::as_num);
    let ports = match proto.as_str() {
        "all" => json!({"from": 0, "to": 65535}),
        "tcp" | "udp" => match (num("FromPort"), num("ToPort")) {
            (Some(f), Some(t)) if f < 0.0 || t < 0.0 => json!({"from": 0, "to": 65535}),
            (Some(f), Some(t)) => json!({"from": f as i64, "to": t as i64}),
            _ => {
                into.attrs.remove(dir);
                return;
            }
        },
        _ => Value::Null,
    };
    let peer = |k: &str| r.value(k).and_then(|v| convert(v, Conv::Presence)).unwrap_or(Value::Null);
    let item = json!({"rule_id": null, "protocol": proto, "port_range": ports, "icmp_type": null, "icmp_code": null,
        "cidr_ipv4": peer("CidrIp"), "cidr_ipv6": peer("CidrIpv6"), "prefix_list_id": peer("SourcePrefixListId"),
        "referenced_group_id": if r.attr("SourceSecurityGroupId").is_some() { peer("SourceSecurityGroupId") } else { peer("DestinationSecurityGroupId") },
        "description": peer("Description")});
    push(into, dir, item, r.line);
}

fn security_group(b: &EBlock) -> Build {
    let mut o = Build::new("aws.ec2.security_group");
    o.name = b.value("GroupName").and_then(V::to_text);
    o.field("description", b, "GroupDescription", Conv::Str, None);
    o.put("is_default", json!(false), None);
    o.put("ingress_rules", json!([]), None);
    // Without SecurityGroupEgress, EC2 adds an allow-all egress rule.
    if b.blocks("SecurityGroupEgress").next().is_none() {
        let all = json!({"rule_id": null, "protocol": "all", "port_range": {"from": 0, "to": 65535}, "icmp_type": null, "icmp_code": null, "cidr_ipv4": "0.0.0.0/0", "cidr_ipv6": null, "prefix_list_id": null, "referenced_group_id": null, "description": null});
        o.put("egress_rules", json!([all]), None);
    } else {
        o.put("egress_rules", json!([]), None);
    }
    for r in b.blocks("SecurityGroupIngress") {
        sg_rule(r, "ingress_rules", &mut o);
    }
    for r in b.blocks("SecurityGroupEgress") {
        sg_rule(r, "egress_rules", &mut o);
    }
    // A rule list given as one unresolved expression.
    for (prop, dir) in [("SecurityGroupIngress", "ingress_rules"), ("SecurityGroupEgress", "egress_rules")] {
        if b.attr(prop).is_some_and(|(v, _)| !matches!(v, V::List(l) if l.is_empty())) {
            o.attrs.remove(dir);
        }
    }
    o.rel("in_vpc", b.value("VpcId"));
    o
}

fn instance(b: &EBlock) -> Build {
    let mut o = Build::new("aws.ec2.instance");
    o.put("state", json!("running"), None);
    o.field("instance_type", b, "InstanceType", Conv::Str, Some(json!("m1.small")));
    o.field("image_id", b, "ImageId", Conv::Str, None);
    // CloudFormation has no metadata options on the instance; a launch template may set them.
    if b.attr("LaunchTemplate").is_none() && b.block("LaunchTemplate").is_none() {
        o.put("metadata_options", json!({"http_tokens": "optional", "http_endpoint": "enabled"}), None);
    }
    o.field("iam_instance_profile_arn", b, "IamInstanceProfile", Conv::Presence, Some(Value::Null));
    o.field("detailed_monitoring", b, "Monitoring", Conv::Bool, Some(json!(false)));
    o.rel("has_security_group", b.value("SecurityGroupIds"));
    o.rel("has_security_group", b.value("SecurityGroups"));
    o.rel("in_subnet", b.value("SubnetId"));
    o
}

fn db_common(b: &EBlock, o: &mut Build) {
    o.field("engine", b, "Engine", Conv::Str, None);
    o.field("storage_encrypted", b, "StorageEncrypted", Conv::Bool, Some(json!(false)));
    o.field("kms_key_id", b, "KmsKeyId", Conv::Presence, Some(Value::Null));
    o.field("deletion_protection", b, "DeletionProtection", Conv::Bool, Some(json!(false)));
    o.field("iam_database_authentication_enabled", b, "EnableIAMDatabaseAuthentication", Conv::Bool, Some(json!(false)));
    o.field("copy_tags_to_snapshot", b, "CopyTagsToSnapshot", Conv::Bool, Some(json!(false)));
    o.field("enabled_cloudwatch_logs_exports", b, "EnableCloudwatchLogsExports", Conv::Strs, Some(json!([])));
    o.field("auto_minor_version_upgrade", b, "AutoMinorVersionUpgrade", Conv::Bool, Some(json!(true)));
    o.field("master_username", b, "MasterUsername", Conv::Str, None);
    o.field("backup_retention_period", b, "BackupRetentionPeriod", Conv::Int, Some(json!(1)));
    o.rel("has_security_group", b.value("VPCSecurityGroups"));
    o.rel("has_security_group", b.value("VpcSecurityGroupIds"));
}

fn db_instance(b: &EBlock) -> Build {
    let mut o = Build::new("aws.rds.db_instance");
    o.name = b.value("DBInstanceIdentifier").and_then(V::to_text);
    o.put("status", json!("available"), None);
    db_common(b, &mut o);
    o.field("publicly_accessible", b, "PubliclyAccessible", Conv::Bool, Some(json!(false)));
    o.field("multi_az", b, "MultiAZ", Conv::Bool, Some(json!(false)));
    o.field("monitoring_interval", b, "MonitoringInterval", Conv::Int, Some(json!(0)));
    o.field("db_instance_class", b, "DBInstanceClass", Conv::Str, None);
    o
}

fn db_cluster(b: &EBlock) -> Build {
    let mut o = Build::new("aws.rds.db_cluster");
    o.name = b.value("DBClusterIdentifier").and_then(V::to_text);
    o.put("status", json!("available"), None);
    db_common(b, &mut o);
    o.field("backtrack_window", b, "BacktrackWindow", Conv::Int, Some(json!(0)));
    o
}

fn role(b: &EBlock) -> Build {
    let mut o = Build::new("aws.iam.role");
    o.name = b.value("RoleName").and_then(V::to_text);
    policy_block(&mut o, b, "AssumeRolePolicyDocument", "trust_policy");
    o.put("is_service_linked", json!(false), None);
    o.put("inline_policy_names", json!([]), None);
    for p in b.blocks("Policies") {
        let name = p.value("PolicyName").and_then(V::to_text).unwrap_or_else(|| "inline".into());
        push(&mut o, "inline_policy_names", json!(name), p.line);
    }
    o.field("path", b, "Path", Conv::Str, Some(json!("/")));
    o
}

fn lambda(b: &EBlock) -> Build {
    let mut o = Build::new("aws.lambda.function");
    o.name = b.value("FunctionName").and_then(V::to_text);
    o.field("runtime", b, "Runtime", Conv::Str, Some(Value::Null));
    o.field("package_type", b, "PackageType", Conv::Str, Some(json!("Zip")));
    o.field("kms_key_arn", b, "KmsKeyArn", Conv::Presence, Some(Value::Null));
    o.field("code_signing_config_arn", b, "CodeSigningConfigArn", Conv::Presence, Some(Value::Null));
    match b.block("TracingConfig") {
        Some(t) => o.field("tracing_mode", t, "Mode", Conv::Str, Some(json!("PassThrough"))),
        None => o.put("tracing_mode", json!("PassThrough"), None),
    }
    match b.block("Environment").and_then(|e| e.block("Variables")) {
        Some(v) => o.put("environment_variable_names", json!(v.attrs.keys().collect::<Vec<_>>()), Some(v.line)),
        None => o.put("environment_variable_names", json!([]), None),
    }
    match b.block("VpcConfig") {
        Some(v) => o.put("vpc_config", json!({}), Some(v.line)),
        None => o.put("vpc_config", Value::Null, None),
    }
    match b.block("DeadLetterConfig") {
        Some(d) => o.field("dead_letter_target_arn", d, "TargetArn", Conv::Presence, None),
        None => o.put("dead_letter_target_arn", Value::Null, None),
    }
    o.rel("assumes_role", b.value("Role"));
    o
}
