//! `aws_*` resources. Defaults follow the AWS provider and, where the provider leaves a setting
//! to AWS, what AWS gives a new resource today (e.g. S3 Block Public Access and SSE-S3 on new
//! buckets since 2023).

use super::{convert, jv, line_of, push, Build, Conv, Target};
use crate::hcl::value::V;
use crate::terraform::eval::EBlock;
use serde_json::{json, Value};

pub fn primary(t: &str, b: &EBlock) -> Option<Build> {
    Some(match t {
        "aws_s3_bucket" => s3_bucket(b),
        "aws_security_group" | "aws_default_security_group" => security_group(b, t == "aws_default_security_group"),
        "aws_instance" => instance(b),
        "aws_ebs_volume" => volume(b),
        "aws_ebs_snapshot" => snapshot(b),
        "aws_db_instance" => db_instance(b),
        "aws_rds_cluster" => db_cluster(b),
        "aws_iam_role" => iam_role(b),
        "aws_iam_policy" | "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => iam_policy(b),
        "aws_iam_user" => iam_user(b),
        "aws_kms_key" => kms_key(b),
        "aws_elb" => elb(b),
        "aws_lb" | "aws_alb" => elbv2(b),
        "aws_elasticsearch_domain" | "aws_opensearch_domain" => opensearch(b),
        "aws_ecr_repository" => ecr(b),
        "aws_eks_cluster" => eks(b),
        "aws_lambda_function" => lambda(b),
        "aws_vpc" | "aws_default_vpc" => vpc(b, t == "aws_default_vpc"),
        "aws_subnet" => subnet(b),
        "aws_cloudtrail" => cloudtrail(b),
        "aws_sqs_queue" => sqs(b),
        "aws_sns_topic" => sns(b),
        "aws_cloudwatch_log_group" => log_group(b),
        "aws_dynamodb_table" => dynamodb(b),
        "aws_efs_file_system" => efs(b),
        "aws_launch_template" => launch_template(b),
        "aws_secretsmanager_secret" => secret(b),
        "aws_elasticache_replication_group" => elasticache(b),
        "aws_redshift_cluster" => redshift(b),
        _ => return None,
    })
}

pub fn target(t: &str) -> Option<Target> {
    const BUCKET: &[&str] = &["aws_s3_bucket"];
    const SG: &[&str] = &["aws_security_group", "aws_default_security_group"];
    let (types, via, key) = match t {
        "aws_s3_bucket_versioning"
        | "aws_s3_bucket_server_side_encryption_configuration"
        | "aws_s3_bucket_public_access_block"
        | "aws_s3_bucket_policy"
        | "aws_s3_bucket_logging"
        | "aws_s3_bucket_acl"
        | "aws_s3_bucket_ownership_controls"
        | "aws_s3_bucket_website_configuration"
        | "aws_s3_bucket_lifecycle_configuration"
        | "aws_s3_bucket_replication_configuration"
        | "aws_s3_bucket_object_lock_configuration"
        | "aws_s3_bucket_notification" => (BUCKET, "bucket", "bucket"),
        "aws_security_group_rule" | "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
            (SG, "security_group_id", "id")
        }
        "aws_flow_log" => (&["aws_vpc", "aws_default_vpc"][..], "vpc_id", "id"),
        "aws_iam_user_policy" => (&["aws_iam_user"][..], "user", "name"),
        "aws_iam_user_policy_attachment" => (&["aws_iam_user"][..], "user", "name"),
        "aws_iam_role_policy" | "aws_iam_role_policy_attachment" => (&["aws_iam_role"][..], "role", "name"),
        "aws_iam_access_key" | "aws_iam_user_login_profile" => (&["aws_iam_user"][..], "user", "name"),
        "aws_lambda_permission" => (&["aws_lambda_function"][..], "function_name", "function_name"),
        "aws_kms_key_policy" => (&["aws_kms_key"][..], "key_id", "id"),
        "aws_secretsmanager_secret_rotation" => (&["aws_secretsmanager_secret"][..], "secret_id", "id"),
        "aws_ecr_repository_policy" | "aws_ecr_lifecycle_policy" => (&["aws_ecr_repository"][..], "repository", "name"),
        _ => return None,
    };
    Some(Target { types, via, key })
}

pub fn augment(t: &str, b: &EBlock, into: &mut Build) {
    match t {
        "aws_s3_bucket_versioning" => {
            // The resource replaces the bucket's defaults: what it leaves unknown is unknown.
            into.put("versioning", json!({"mfa_delete": false}), Some(b.line));
            if let Some(c) = b.block("versioning_configuration") {
                if let Some((v, line)) = c.attr("status") {
                    if let Some(s) = v.to_text() {
                        into.put("versioning.enabled", json!(s == "Enabled"), Some(*line));
                    }
                }
                if let Some((v, line)) = c.attr("mfa_delete") {
                    if let Some(s) = v.to_text() {
                        into.put("versioning.mfa_delete", json!(s == "Enabled"), Some(*line));
                    }
                }
            }
        }
        "aws_s3_bucket_server_side_encryption_configuration" => {
            into.put("encryption", json!({}), Some(b.line));
            for rule in b.blocks("rule") {
                sse_rule(rule, into);
            }
        }
        "aws_s3_bucket_public_access_block" => {
            into.put("public_access_block", json!({}), Some(b.line));
            for k in ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"] {
                into.field(&format!("public_access_block.{k}"), b, k, Conv::Bool, Some(json!(false)));
            }
        }
        "aws_s3_bucket_policy" => into.field("policy", b, "policy", Conv::Policy, None),
        "aws_s3_bucket_logging" => {
            into.put("logging", json!({}), Some(b.line));
            into.field("logging.target_bucket", b, "target_bucket", Conv::Presence, None);
            into.field("logging.target_prefix", b, "target_prefix", Conv::Str, Some(Value::Null));
        }
        "aws_s3_bucket_acl" => {
            if let Some((v, line)) = b.attr("acl") {
                match v.to_text() {
                    Some(acl) => into.put("acl_grants", canned_acl(&acl), Some(*line)),
                    None => {
                        into.attrs.remove("acl_grants");
                    }
                }
            }
        }
        "aws_s3_bucket_ownership_controls" => {
            if let Some((v, line)) = b.block("rule").and_then(|r| r.attr("object_ownership")) {
                if let Some(j) = convert(v, Conv::Str) {
                    into.put("ownership_controls", j, Some(*line));
                }
            }
        }
        "aws_s3_bucket_website_configuration" => into.put("website_enabled", json!(true), Some(b.line)),
        "aws_s3_bucket_lifecycle_configuration" => {
            into.put("lifecycle_rules", json!([]), Some(b.line));
            for r in b.blocks("rule") {
                lifecycle_rule(r, into);
            }
        }
        "aws_s3_bucket_replication_configuration" => {
            into.put("replication", json!({"rules": []}), Some(b.line));
            for r in b.blocks("rule") {
                let status = jv(r, "status", Conv::Str).unwrap_or(Value::Null);
                push(into, "replication.rules", json!({"status": status}), r.line);
            }
        }
        "aws_s3_bucket_object_lock_configuration" => into.put("object_lock_enabled", json!(true), Some(b.line)),
        "aws_s3_bucket_notification" => {
            let n = ["topic", "queue", "lambda_function"].iter().map(|k| b.blocks(k).count()).sum::<usize>();
            let eb = b.value("eventbridge").and_then(V::as_bool).unwrap_or(false);
            into.put("event_notifications", json!({"eventbridge_enabled": eb, "destinations": vec!["configured"; n]}), Some(b.line));
        }
        "aws_security_group_rule" => {
            let dir = match b.value("type").and_then(V::as_str) {
                Some("ingress") => "ingress_rules",
                Some("egress") => "egress_rules",
                _ => return,
            };
            sg_rules(b, dir, into);
        }
        "aws_vpc_security_group_ingress_rule" => vpc_sg_rule(b, "ingress_rules", into),
        "aws_vpc_security_group_egress_rule" => vpc_sg_rule(b, "egress_rules", into),
        "aws_flow_log" => {
            let traffic = jv(b, "traffic_type", Conv::Str).unwrap_or(Value::Null);
            let dest = jv(b, "log_destination_type", Conv::Str).unwrap_or(json!("cloud-watch-logs"));
            push(into, "flow_logs", json!({"status": "ACTIVE", "traffic_type": traffic, "log_destination_type": dest}), b.line);
        }
        "aws_iam_user_policy" => {
            let name = b.value("name").and_then(V::to_text).unwrap_or_else(|| "inline".into());
            push(into, "inline_policy_names", json!(name), b.line);
        }
        "aws_iam_role_policy" => {
            let name = b.value("name").and_then(V::to_text).unwrap_or_else(|| "inline".into());
            push(into, "inline_policy_names", json!(name), b.line);
        }
        "aws_iam_user_policy_attachment" | "aws_iam_role_policy_attachment" => {
            let arn = b.value("policy_arn").and_then(|v| convert(v, Conv::Presence)).unwrap_or(Value::Null);
            let name = arn.as_str().and_then(|a| a.rsplit('/').next()).map(str::to_string);
            push(into, "attached_policies", json!({"policy_name": name, "policy_arn": arn}), b.line);
        }
        "aws_iam_access_key" => {
            let status = jv(b, "status", Conv::Str).unwrap_or(json!("Active"));
            push(into, "access_keys", json!({"status": status}), b.line);
        }
        "aws_kms_key_policy" => into.field("policy", b, "policy", Conv::Policy, None),
        "aws_iam_user_login_profile" => into.put("password_enabled", json!(true), Some(b.line)),
        "aws_lambda_permission" => lambda_permission(b, into),
        "aws_secretsmanager_secret_rotation" => into.put("rotation_enabled", json!(true), Some(b.line)),
        "aws_ecr_repository_policy" => into.field("policy", b, "policy", Conv::Policy, None),
        "aws_ecr_lifecycle_policy" => {
            let rules = b.value("policy").and_then(V::as_str).and_then(|p| serde_json::from_str::<Value>(p).ok());
            let n = rules.as_ref().and_then(|r| r.get("rules")).and_then(Value::as_array).map(Vec::len);
            if let Some(n) = n {
                into.put("lifecycle_policy", json!({"rule_count": n}), Some(line_of(b, "policy")));
            }
        }
        _ => {}
    }
}

fn canned_acl(acl: &str) -> Value {
    const ALL: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
    const AUTH: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    let owner = json!({"grantee_type": "CanonicalUser", "grantee_id": "owner", "grantee_uri": null, "permission": "FULL_CONTROL"});
    let group = |uri: &str, p: &str| json!({"grantee_type": "Group", "grantee_id": null, "grantee_uri": uri, "permission": p});
    match acl {
        "public-read" => json!([owner, group(ALL, "READ")]),
        "public-read-write" => json!([owner, group(ALL, "READ"), group(ALL, "WRITE")]),
        "authenticated-read" => json!([owner, group(AUTH, "READ")]),
        "log-delivery-write" => json!([owner, group("http://acs.amazonaws.com/groups/s3/LogDelivery", "WRITE")]),
        _ => json!([owner]),
    }
}

fn sse_rule(rule: &EBlock, into: &mut Build) {
    let Some(d) = rule.block("apply_server_side_encryption_by_default") else { return };
    into.field("encryption.sse_algorithm", d, "sse_algorithm", Conv::Str, None);
    into.field("encryption.kms_master_key_id", d, "kms_master_key_id", Conv::Presence, Some(Value::Null));
    into.field("encryption.bucket_key_enabled", rule, "bucket_key_enabled", Conv::Bool, Some(json!(false)));
}

fn lifecycle_rule(r: &EBlock, into: &mut Build) {
    let status = match (r.value("status"), r.value("enabled")) {
        (Some(v), _) => v.to_text(),
        (None, Some(v)) => v.as_bool().map(|e| if e { "Enabled".to_string() } else { "Disabled".into() }),
        _ => None,
    };
    let days = |blk: &str, attr: &str| r.block(blk).and_then(|x| jv(x, attr, Conv::Int)).unwrap_or(Value::Null);
    let item = json!({
        "id": jv(r, "id", Conv::Str).unwrap_or(Value::Null),
        "status": status,
        "expiration_days": days("expiration", "days"),
        "noncurrent_version_expiration_days": r.block("noncurrent_version_expiration")
            .and_then(|x| jv(x, "noncurrent_days", Conv::Int).or_else(|| jv(x, "days", Conv::Int))).unwrap_or(Value::Null),
        "abort_incomplete_multipart_upload_days": days("abort_incomplete_multipart_upload", "days_after_initiation"),
    });
    push(into, "lifecycle_rules", item, r.line);
}

fn s3_bucket(b: &EBlock) -> Build {
    let mut o = Build::new("aws.s3.bucket");
    o.name = b.value("bucket").and_then(V::to_text);
    // Defaults of a new bucket: versioning off, no logging, SSE-S3, Block Public Access on and
    // ACLs disabled (AWS defaults since 2023), no lifecycle, replication or website.
    o.put("versioning", json!({"enabled": false, "mfa_delete": false}), None);
    o.put("logging", Value::Null, None);
    o.put("encryption", json!({"sse_algorithm": "AES256", "kms_master_key_id": null, "bucket_key_enabled": false}), None);
    o.put("public_access_block", json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true}), None);
    o.put("ownership_controls", json!("BucketOwnerEnforced"), None);
    o.put("acl_grants", canned_acl("private"), None);
    o.put("object_lock_enabled", json!(false), None);
    o.put("website_enabled", json!(false), None);
    o.put("lifecycle_rules", json!([]), None);
    o.put("replication", Value::Null, None);
    o.put("event_notifications", json!({"eventbridge_enabled": false, "destinations": []}), None);
    o.put("policy", Value::Null, None);
    // Inline settings of AWS provider v3 and earlier.
    if let Some((v, line)) = b.attr("acl") {
        match v.to_text() {
            Some(acl) => {
                o.put("acl_grants", canned_acl(&acl), Some(*line));
                // A canned ACL other than private only applies with ACLs enabled and public
                // ACLs not blocked: the configuration implies both.
                if acl != "private" {
                    o.put("ownership_controls", json!("ObjectWriter"), Some(*line));
                    if acl.starts_with("public") || acl == "authenticated-read" {
                        o.put("public_access_block", Value::Null, Some(*line));
                    }
                }
            }
            None => {
                o.attrs.remove("acl_grants");
            }
        }
    }
    if let Some(v) = b.block("versioning") {
        o.field("versioning.enabled", v, "enabled", Conv::Bool, Some(json!(false)));
        o.field("versioning.mfa_delete", v, "mfa_delete", Conv::Bool, Some(json!(false)));
    }
    if let Some(l) = b.block("logging") {
        o.put("logging", json!({}), Some(l.line));
        o.field("logging.target_bucket", l, "target_bucket", Conv::Presence, None);
        o.field("logging.target_prefix", l, "target_prefix", Conv::Str, Some(Value::Null));
    }
    if let Some(rule) = b.block("server_side_encryption_configuration").and_then(|s| s.block("rule")) {
        sse_rule(rule, &mut o);
    }
    o.field("policy", b, "policy", Conv::Policy, None);
    if b.block("website").is_some() {
        o.put("website_enabled", json!(true), Some(b.block("website").map_or(b.line, |w| w.line)));
    }
    o.field("object_lock_enabled", b, "object_lock_enabled", Conv::Bool, None);
    if let Some(ol) = b.block("object_lock_configuration") {
        o.field("object_lock_enabled", ol, "object_lock_enabled", Conv::Bool, Some(json!(true)));
    }
    for r in b.blocks("lifecycle_rule") {
        lifecycle_rule(r, &mut o);
    }
    if let Some(rc) = b.block("replication_configuration") {
        o.put("replication", json!({"rules": []}), Some(rc.line));
        for r in rc.blocks("rules") {
            let status = jv(r, "status", Conv::Str).unwrap_or(Value::Null);
            push(&mut o, "replication.rules", json!({"status": status}), r.line);
        }
    }
    o
}

/// Protocol as the canonical model writes it: `-1` → `all`, numbers for the well-known names.
fn protocol(v: &V) -> Option<String> {
    let p = v.to_text()?.to_ascii_lowercase();
    Some(match p.as_str() {
        "-1" | "all" => "all".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        _ => p,
    })
}

fn port_range(proto: &str, from: Option<&V>, to: Option<&V>) -> Option<Value> {
    if proto == "all" {
        return Some(json!({"from": 0, "to": 65535}));
    }
    if proto != "tcp" && proto != "udp" {
        return Some(Value::Null);
    }
    let from = from?.as_num()?;
    let to = to?.as_num()?;
    // `-1`/`0` with all ports is how some configurations say "every port".
    if from < 0.0 || to < 0.0 {
        return Some(json!({"from": 0, "to": 65535}));
    }
    Some(json!({"from": from as i64, "to": to as i64}))
}

/// One canonical rule per source of an `ingress`/`egress` block or `aws_security_group_rule`.
fn sg_rules(b: &EBlock, dir: &str, into: &mut Build) {
    let Some(proto) = b.value("protocol").and_then(protocol) else {
        into.attrs.remove(dir);
        return;
    };
    let Some(ports) = port_range(&proto, b.value("from_port"), b.value("to_port")) else {
        into.attrs.remove(dir);
        return;
    };
    let desc = jv(b, "description", Conv::Str).unwrap_or(Value::Null);
    let base = |cidr4: Value, cidr6: Value, pl: Value, sg: Value| {
        json!({"rule_id": null, "protocol": proto, "port_range": ports, "icmp_type": null, "icmp_code": null,
               "cidr_ipv4": cidr4, "cidr_ipv6": cidr6, "prefix_list_id": pl, "referenced_group_id": sg, "description": desc})
    };
    let mut any = false;
    let mut unknown = false;
    for (attr, slot) in [("cidr_blocks", 0), ("ipv6_cidr_blocks", 1), ("prefix_list_ids", 2), ("security_groups", 3), ("source_security_group_id", 3)] {
        let Some((v, line)) = b.attr(attr) else { continue };
        let items: Vec<Value> = match v {
            V::List(l) => l.iter().map(|x| x.to_text().map(Value::String).unwrap_or(Value::Null)).collect(),
            V::Null => Vec::new(),
            V::Ref(a) if slot == 3 => vec![Value::String(format!("${{{a}}}"))],
            other => match other.to_text() {
                Some(t) => vec![Value::String(t)],
                None => {
                    unknown = true;
                    continue;
                }
            },
        };
        for item in items {
            if item.is_null() && slot != 3 {
                unknown = true;
                continue;
            }
            let mut peers = [Value::Null, Value::Null, Value::Null, Value::Null];
            peers[slot] = if item.is_null() { json!("(computed)") } else { item };
            let [a, c, d, e] = peers;
            push(into, dir, base(a, c, d, e), *line);
            any = true;
        }
    }
    if b.value("self").and_then(V::as_bool) == Some(true) {
        push(into, dir, base(Value::Null, Value::Null, Value::Null, json!("self")), line_of(b, "self"));
        any = true;
    }
    // A rule whose sources cannot be told could open anything: the whole list is unknown.
    if unknown && !any {
        into.attrs.remove(dir);
    }
}

fn vpc_sg_rule(b: &EBlock, dir: &str, into: &mut Build) {
    let Some(proto) = b.value("ip_protocol").and_then(protocol) else {
        into.attrs.remove(dir);
        return;
    };
    let Some(ports) = port_range(&proto, b.value("from_port"), b.value("to_port")) else {
        into.attrs.remove(dir);
        return;
    };
    let peer = |k: &str| b.value(k).and_then(|v| convert(v, Conv::Presence)).unwrap_or(Value::Null);
    let item = json!({"rule_id": null, "protocol": proto, "port_range": ports, "icmp_type": null, "icmp_code": null,
        "cidr_ipv4": peer("cidr_ipv4"), "cidr_ipv6": peer("cidr_ipv6"), "prefix_list_id": peer("prefix_list_id"),
        "referenced_group_id": peer("referenced_security_group_id"), "description": peer("description")});
    push(into, dir, item, b.line);
}

fn security_group(b: &EBlock, default: bool) -> Build {
    let mut o = Build::new("aws.ec2.security_group");
    o.name = b.value("name").and_then(V::to_text);
    o.field("group_name", b, "name", Conv::Str, None);
    o.field("description", b, "description", Conv::Str, Some(json!("Managed by Terraform")));
    o.put("is_default", json!(default), None);
    o.put("ingress_rules", json!([]), None);
    // Terraform removes AWS's default allow-all egress rule unless the configuration declares it.
    o.put("egress_rules", json!([]), None);
    for (blk, dir) in [("ingress", "ingress_rules"), ("egress", "egress_rules")] {
        if b.unknown_blocks.contains(blk) {
            o.attrs.remove(dir);
            continue;
        }
        for r in b.blocks(blk) {
            sg_rules(r, dir, &mut o);
        }
    }
    o.rel("in_vpc", b.value("vpc_id"));
    o
}

fn metadata_options(b: &EBlock, o: &mut Build) {
    match b.block("metadata_options") {
        Some(m) => {
            o.field("metadata_options.http_tokens", m, "http_tokens", Conv::Str, Some(json!("optional")));
            o.field("metadata_options.http_endpoint", m, "http_endpoint", Conv::Str, Some(json!("enabled")));
        }
        None => o.put("metadata_options", json!({"http_tokens": "optional", "http_endpoint": "enabled"}), None),
    }
}

fn instance(b: &EBlock) -> Build {
    let mut o = Build::new("aws.ec2.instance");
    o.put("state", json!("running"), None);
    o.field("instance_type", b, "instance_type", Conv::Str, None);
    o.field("image_id", b, "ami", Conv::Str, None);
    metadata_options(b, &mut o);
    o.field("iam_instance_profile_arn", b, "iam_instance_profile", Conv::Presence, Some(Value::Null));
    o.field("ebs_optimized", b, "ebs_optimized", Conv::Bool, None);
    o.field("detailed_monitoring", b, "monitoring", Conv::Bool, Some(json!(false)));
    if let Some((v, line)) = b.attr("associate_public_ip_address") {
        match v.as_bool() {
            Some(false) => o.put("public_ip_address", Value::Null, Some(*line)),
            Some(true) => o.put("public_ip_address", json!("(assigned at launch)"), Some(*line)),
            None => {}
        }
    }
    o.rel("has_security_group", b.value("vpc_security_group_ids"));
    o.rel("has_security_group", b.value("security_groups"));
    o.rel("in_subnet", b.value("subnet_id"));
    o.rel("has_instance_profile", b.value("iam_instance_profile"));
    o
}

fn volume(b: &EBlock) -> Build {
    let mut o = Build::new("aws.ec2.volume");
    o.put("state", json!("available"), None);
    o.field("encrypted", b, "encrypted", Conv::Bool, Some(json!(false)));
    o.field("kms_key_id", b, "kms_key_id", Conv::Presence, Some(Value::Null));
    o.field("size_gib", b, "size", Conv::Int, None);
    o.field("volume_type", b, "type", Conv::Str, None);
    o.rel("encrypted_with", b.value("kms_key_id"));
    o
}

fn snapshot(b: &EBlock) -> Build {
    let mut o = Build::new("aws.ec2.snapshot");
    o.put("state", json!("completed"), None);
    // A snapshot is encrypted when its volume is: known only after apply unless set here.
    o.field("encrypted", b, "encrypted", Conv::Bool, None);
    o.put("create_volume_permissions", json!([]), None);
    o
}

fn db_common(b: &EBlock, o: &mut Build) {
    o.field("engine", b, "engine", Conv::Str, None);
    o.field("engine_version", b, "engine_version", Conv::Str, None);
    o.field("storage_encrypted", b, "storage_encrypted", Conv::Bool, Some(json!(false)));
    o.field("kms_key_id", b, "kms_key_id", Conv::Presence, Some(Value::Null));
    o.field("deletion_protection", b, "deletion_protection", Conv::Bool, Some(json!(false)));
    o.field("iam_database_authentication_enabled", b, "iam_database_authentication_enabled", Conv::Bool, Some(json!(false)));
    o.field("copy_tags_to_snapshot", b, "copy_tags_to_snapshot", Conv::Bool, Some(json!(false)));
    o.field("enabled_cloudwatch_logs_exports", b, "enabled_cloudwatch_logs_exports", Conv::Strs, Some(json!([])));
    o.field("auto_minor_version_upgrade", b, "auto_minor_version_upgrade", Conv::Bool, Some(json!(true)));
    o.field("master_username", b, "username", Conv::Str, None);
    o.field("master_username", b, "master_username", Conv::Str, None);
    o.field("publicly_accessible", b, "publicly_accessible", Conv::Bool, Some(json!(false)));
    o.rel("has_security_group", b.value("vpc_security_group_ids"));
    o.rel("encrypted_with", b.value("kms_key_id"));
}

fn db_instance(b: &EBlock) -> Build {
    let mut o = Build::new("aws.rds.db_instance");
    o.name = b.value("identifier").and_then(V::to_text);
    o.put("status", json!("available"), None);
    db_common(b, &mut o);
    o.field("db_instance_class", b, "instance_class", Conv::Str, None);
    o.field("multi_az", b, "multi_az", Conv::Bool, Some(json!(false)));
    // The RDS API's default retention for a new instance is one day.
    o.field("backup_retention_period", b, "backup_retention_period", Conv::Int, Some(json!(1)));
    o.field("monitoring_interval", b, "monitoring_interval", Conv::Int, Some(json!(0)));
    o.field("endpoint_port", b, "port", Conv::Int, None);
    o.rel("uses_parameter_group", b.value("parameter_group_name"));
    o
}

fn db_cluster(b: &EBlock) -> Build {
    let mut o = Build::new("aws.rds.db_cluster");
    o.name = b.value("cluster_identifier").and_then(V::to_text);
    o.put("status", json!("available"), None);
    db_common(b, &mut o);
    o.field("engine", b, "engine", Conv::Str, Some(json!("aurora")));
    o.attrs.remove("publicly_accessible");
    o.field("backup_retention_period", b, "backup_retention_period", Conv::Int, Some(json!(1)));
    // Clusters keep backups 1 to 35 days; anything else fails to apply, so it tells nothing.
    if o.get("backup_retention_period").and_then(Value::as_i64).is_some_and(|d| d < 1) {
        o.attrs.remove("backup_retention_period");
    }
    o.field("backtrack_window", b, "backtrack_window", Conv::Int, Some(json!(0)));
    o.field("engine_mode", b, "engine_mode", Conv::Str, Some(json!("provisioned")));
    o.field("port", b, "port", Conv::Int, None);
    // Multi-AZ for Aurora is a matter of instances across zones; known from the config only when listed.
    if let Some(V::List(azs)) = b.value("availability_zones") {
        o.put("multi_az", json!(azs.len() > 1), Some(line_of(b, "availability_zones")));
    }
    o
}

fn iam_role(b: &EBlock) -> Build {
    let mut o = Build::new("aws.iam.role");
    o.name = b.value("name").and_then(V::to_text);
    o.field("trust_policy", b, "assume_role_policy", Conv::Policy, None);
    o.field("description", b, "description", Conv::Str, Some(Value::Null));
    o.field("path", b, "path", Conv::Str, Some(json!("/")));
    o.put("is_service_linked", json!(false), None);
    o.put("inline_policy_names", json!([]), None);
    o.put("attached_policies", json!([]), None);
    for p in b.blocks("inline_policy") {
        let name = p.value("name").and_then(V::to_text).unwrap_or_else(|| "inline".into());
        push(&mut o, "inline_policy_names", json!(name), p.line);
    }
    if let Some((V::List(arns), line)) = b.attr("managed_policy_arns") {
        for a in arns {
            let arn = convert(a, Conv::Presence).unwrap_or(Value::Null);
            let name = arn.as_str().and_then(|s| s.rsplit('/').next()).map(str::to_string);
            push(&mut o, "attached_policies", json!({"policy_name": name, "policy_arn": arn}), *line);
        }
    }
    o
}

fn iam_policy(b: &EBlock) -> Build {
    let mut o = Build::new("aws.iam.policy");
    o.name = b.value("name").and_then(V::to_text);
    o.field("document", b, "policy", Conv::Policy, None);
    o.field("description", b, "description", Conv::Str, Some(Value::Null));
    o.put("is_aws_managed", json!(false), None);
    o
}

fn iam_user(b: &EBlock) -> Build {
    let mut o = Build::new("aws.iam.user");
    o.name = b.value("name").and_then(V::to_text);
    o.field("path", b, "path", Conv::Str, Some(json!("/")));
    o.put("attached_policies", json!([]), None);
    o.put("inline_policy_names", json!([]), None);
    o.put("access_keys", json!([]), None);
    o.put("password_enabled", json!(false), None);
    o
}

fn kms_key(b: &EBlock) -> Build {
    let mut o = Build::new("aws.kms.key");
    o.put("key_manager", json!("CUSTOMER"), None);
    o.put("key_state", json!("Enabled"), None);
    o.put("origin", json!("AWS_KMS"), None);
    o.field("description", b, "description", Conv::Str, Some(Value::Null));
    o.field("key_spec", b, "customer_master_key_spec", Conv::Str, Some(json!("SYMMETRIC_DEFAULT")));
    o.field("key_usage", b, "key_usage", Conv::Str, Some(json!("ENCRYPT_DECRYPT")));
    o.field("key_rotation_enabled", b, "enable_key_rotation", Conv::Bool, Some(json!(false)));
    o.field("multi_region", b, "multi_region", Conv::Bool, Some(json!(false)));
    o.field("policy", b, "policy", Conv::Policy, None);
    o
}

fn elb(b: &EBlock) -> Build {
    let mut o = Build::new("aws.elb.load_balancer");
    o.name = b.value("name").and_then(V::to_text);
    let internal = b.value("internal").and_then(V::as_bool);
    match internal {
        Some(i) => o.put("scheme", json!(if i { "internal" } else { "internet-facing" }), Some(line_of(b, "internal"))),
        None if b.attr("internal").is_none() => o.put("scheme", json!("internet-facing"), None),
        None => {}
    }
    o.field("availability_zones", b, "availability_zones", Conv::Strs, None);
    o.put("listeners", json!([]), None);
    for l in b.blocks("listener") {
        let item = json!({
            "protocol": jv(l, "lb_protocol", Conv::Str).map(|p| json!(p.as_str().unwrap_or_default().to_ascii_uppercase())),
            "load_balancer_port": jv(l, "lb_port", Conv::Int),
            "instance_protocol": jv(l, "instance_protocol", Conv::Str).map(|p| json!(p.as_str().unwrap_or_default().to_ascii_uppercase())),
            "instance_port": jv(l, "instance_port", Conv::Int),
            "ssl_certificate_id": l.value("ssl_certificate_id").and_then(|v| convert(v, Conv::Presence)).unwrap_or(Value::Null),
        });
        push(&mut o, "listeners", item, l.line);
    }
    match b.block("access_logs") {
        Some(a) => o.field("access_log.enabled", a, "enabled", Conv::Bool, Some(json!(true))),
        None => o.put("access_log", json!({"enabled": false}), None),
    }
    o.field("connection_draining.enabled", b, "connection_draining", Conv::Bool, Some(json!(false)));
    o.field("cross_zone_load_balancing_enabled", b, "cross_zone_load_balancing", Conv::Bool, Some(json!(true)));
    o.field("desync_mitigation_mode", b, "desync_mitigation_mode", Conv::Str, Some(json!("defensive")));
    o.rel("has_security_group", b.value("security_groups"));
    o
}

fn elbv2(b: &EBlock) -> Build {
    let mut o = Build::new("aws.elbv2.load_balancer");
    o.name = b.value("name").and_then(V::to_text);
    o.field("type", b, "load_balancer_type", Conv::Str, Some(json!("application")));
    match b.value("internal").map(V::as_bool) {
        Some(Some(i)) => o.put("scheme", json!(if i { "internal" } else { "internet-facing" }), Some(line_of(b, "internal"))),
        None => o.put("scheme", json!("internet-facing"), None),
        Some(None) => {}
    }
    o.field("deletion_protection_enabled", b, "enable_deletion_protection", Conv::Bool, Some(json!(false)));
    o.field("drop_invalid_header_fields_enabled", b, "drop_invalid_header_fields", Conv::Bool, Some(json!(false)));
    o.field("desync_mitigation_mode", b, "desync_mitigation_mode", Conv::Str, Some(json!("defensive")));
    match b.block("access_logs") {
        Some(a) => o.field("access_logs.enabled", a, "enabled", Conv::Bool, Some(json!(false))),
        None => o.put("access_logs", json!({"enabled": false}), None),
    }
    o.rel("has_security_group", b.value("security_groups"));
    o
}

fn opensearch(b: &EBlock) -> Build {
    let mut o = Build::new("aws.opensearch.domain");
    o.name = b.value("domain_name").and_then(V::to_text);
    o.field("engine_version", b, "elasticsearch_version", Conv::Str, None);
    o.field("engine_version", b, "engine_version", Conv::Str, None);
    let sub = |o: &mut Build, blk: &str, path: &str, attr: &str, default: Value| match b.block(blk) {
        Some(x) => o.field(path, x, attr, Conv::Bool, Some(default.clone())),
        None => o.put(path, default, None),
    };
    sub(&mut o, "encrypt_at_rest", "encryption_at_rest_options.enabled", "enabled", json!(false));
    sub(&mut o, "node_to_node_encryption", "node_to_node_encryption_options.enabled", "enabled", json!(false));
    sub(&mut o, "domain_endpoint_options", "domain_endpoint_options.enforce_https", "enforce_https", json!(false));
    sub(&mut o, "advanced_security_options", "advanced_security_options.enabled", "enabled", json!(false));
    if let Some(d) = b.block("domain_endpoint_options") {
        o.field("domain_endpoint_options.tls_security_policy", d, "tls_security_policy", Conv::Str, None);
    }
    match b.block("vpc_options") {
        Some(v) => {
            o.put("vpc_options", json!({}), Some(v.line));
            o.field("vpc_options.subnet_ids", v, "subnet_ids", Conv::Strs, None);
        }
        None => o.put("vpc_options", Value::Null, None),
    }
    match b.block("cluster_config") {
        Some(c) => {
            o.field("cluster_config.instance_count", c, "instance_count", Conv::Int, Some(json!(1)));
            o.field("cluster_config.dedicated_master_enabled", c, "dedicated_master_enabled", Conv::Bool, Some(json!(false)));
            o.field("cluster_config.zone_awareness_enabled", c, "zone_awareness_enabled", Conv::Bool, Some(json!(false)));
            o.field("cluster_config.dedicated_master_count", c, "dedicated_master_count", Conv::Int, None);
        }
        None => o.put("cluster_config", json!({"instance_count": 1, "dedicated_master_enabled": false, "zone_awareness_enabled": false}), None),
    }
    o.put("log_publishing_options", json!([]), None);
    for l in b.blocks("log_publishing_options") {
        let item = json!({"log_type": jv(l, "log_type", Conv::Str), "enabled": jv(l, "enabled", Conv::Bool).unwrap_or(json!(true))});
        push(&mut o, "log_publishing_options", item, l.line);
    }
    o.field("access_policies", b, "access_policies", Conv::Policy, Some(Value::Null));
    o
}

fn ecr(b: &EBlock) -> Build {
    let mut o = Build::new("aws.ecr.repository");
    o.name = b.value("name").and_then(V::to_text);
    o.field("repository_name", b, "name", Conv::Str, None);
    o.field("image_tag_mutability", b, "image_tag_mutability", Conv::Str, Some(json!("MUTABLE")));
    match b.block("image_scanning_configuration").map(|s| (s.value("scan_on_push").and_then(V::as_bool), line_of(s, "scan_on_push"))) {
        Some((Some(on), line)) => o.put("scanning_configuration", json!({"scan_on_push": on, "scan_frequency": if on { "SCAN_ON_PUSH" } else { "MANUAL" }}), Some(line)),
        Some((None, _)) => {}
        None => o.put("scanning_configuration", json!({"scan_on_push": false, "scan_frequency": "MANUAL"}), None),
    }
    match b.block("encryption_configuration") {
        Some(e) => {
            o.field("encryption_configuration.encryption_type", e, "encryption_type", Conv::Str, Some(json!("AES256")));
            o.field("encryption_configuration.kms_key", e, "kms_key", Conv::Presence, Some(Value::Null));
        }
        None => o.put("encryption_configuration", json!({"encryption_type": "AES256", "kms_key": null}), None),
    }
    o.put("lifecycle_policy", Value::Null, None);
    o.put("policy", Value::Null, None);
    o
}

fn eks(b: &EBlock) -> Build {
    let mut o = Build::new("aws.eks.cluster");
    o.name = b.value("name").and_then(V::to_text);
    o.field("version", b, "version", Conv::Str, None);
    if let Some(v) = b.block("vpc_config") {
        o.field("resources_vpc_config.endpoint_public_access", v, "endpoint_public_access", Conv::Bool, Some(json!(true)));
        o.field("resources_vpc_config.endpoint_private_access", v, "endpoint_private_access", Conv::Bool, Some(json!(false)));
        o.field("resources_vpc_config.public_access_cidrs", v, "public_access_cidrs", Conv::Strs, Some(json!(["0.0.0.0/0"])));
    }
    o.field("enabled_log_types", b, "enabled_cluster_log_types", Conv::Strs, Some(json!([])));
    o.put("encryption_config", json!([]), None);
    for e in b.blocks("encryption_config") {
        let key = e.block("provider").and_then(|p| p.value("key_arn")).and_then(|v| convert(v, Conv::Presence));
        push(&mut o, "encryption_config", json!({"resources": jv(e, "resources", Conv::Strs), "key_arn": key}), e.line);
    }
    o.field("authentication_mode", b.block("access_config").unwrap_or(b), "authentication_mode", Conv::Str, Some(json!("CONFIG_MAP")));
    o
}

fn lambda(b: &EBlock) -> Build {
    let mut o = Build::new("aws.lambda.function");
    o.name = b.value("function_name").and_then(V::to_text);
    o.field("runtime", b, "runtime", Conv::Str, Some(Value::Null));
    o.field("package_type", b, "package_type", Conv::Str, Some(json!("Zip")));
    o.field("handler", b, "handler", Conv::Str, Some(Value::Null));
    o.field("kms_key_arn", b, "kms_key_arn", Conv::Presence, Some(Value::Null));
    o.field("code_signing_config_arn", b, "code_signing_config_arn", Conv::Presence, Some(Value::Null));
    match b.block("tracing_config") {
        Some(t) => o.field("tracing_mode", t, "mode", Conv::Str, Some(json!("PassThrough"))),
        None => o.put("tracing_mode", json!("PassThrough"), None),
    }
    match b.block("environment").map(|e| e.attr("variables")) {
        Some(Some((V::Obj(m), line))) => o.put("environment_variable_names", json!(m.keys().collect::<Vec<_>>()), Some(*line)),
        Some(Some(_)) => {}
        _ => o.put("environment_variable_names", json!([]), None),
    }
    match b.block("vpc_config") {
        Some(v) => {
            o.put("vpc_config", json!({}), Some(v.line));
            o.field("vpc_config.subnet_ids", v, "subnet_ids", Conv::Strs, None);
        }
        None => o.put("vpc_config", Value::Null, None),
    }
    match b.block("dead_letter_config") {
        Some(d) => o.field("dead_letter_target_arn", d, "target_arn", Conv::Presence, None),
        None => o.put("dead_letter_target_arn", Value::Null, None),
    }
    o.put("policy", Value::Null, None);
    o.rel("encrypted_with", b.value("kms_key_arn"));
    o.rel("assumes_role", b.value("role"));
    o
}

/// `aws_lambda_permission` as a statement of the function's resource-based policy.
fn lambda_permission(b: &EBlock, into: &mut Build) {
    let principal = b.value("principal").and_then(V::to_text);
    let Some(p) = principal else {
        into.attrs.remove("policy");
        return;
    };
    let (aws, service) = if p.ends_with(".amazonaws.com") { (vec![], vec![p]) } else { (vec![p], vec![]) };
    let mut conditions = Vec::new();
    for (attr, key) in [("source_arn", "aws:SourceArn"), ("source_account", "aws:SourceAccount")] {
        if let Some(v) = b.value(attr).and_then(|v| convert(v, Conv::Presence)) {
            conditions.push(json!({"operator": "ArnLike", "key": key, "values": [v]}));
        }
    }
    let st = json!({"sid": jv(b, "statement_id", Conv::Str), "effect": "Allow", "actions": [jv(b, "action", Conv::Str)],
        "not_actions": [], "resources": [], "not_resources": [], "not_principals": null,
        "principals": {"aws": aws, "service": service, "federated": [], "canonical_user": []}, "conditions": conditions});
    if !matches!(into.get("policy"), Some(Value::Object(_))) {
        into.put("policy", json!({"version": "2012-10-17", "statements": []}), None);
    }
    push(into, "policy.statements", st, b.line);
}

fn vpc(b: &EBlock, default: bool) -> Build {
    let mut o = Build::new("aws.ec2.vpc");
    o.put("state", json!("available"), None);
    o.put("is_default", json!(default), None);
    o.field("cidr_block", b, "cidr_block", Conv::Str, None);
    o.put("flow_logs", json!([]), None);
    o
}

fn subnet(b: &EBlock) -> Build {
    let mut o = Build::new("aws.ec2.subnet");
    o.field("cidr_block", b, "cidr_block", Conv::Str, None);
    o.field("map_public_ip_on_launch", b, "map_public_ip_on_launch", Conv::Bool, Some(json!(false)));
    o.rel("in_vpc", b.value("vpc_id"));
    o
}

fn cloudtrail(b: &EBlock) -> Build {
    let mut o = Build::new("aws.cloudtrail.trail");
    o.name = b.value("name").and_then(V::to_text);
    o.field("is_multi_region_trail", b, "is_multi_region_trail", Conv::Bool, Some(json!(false)));
    o.field("is_organization_trail", b, "is_organization_trail", Conv::Bool, Some(json!(false)));
    o.field("is_logging", b, "enable_logging", Conv::Bool, Some(json!(true)));
    o.field("log_file_validation_enabled", b, "enable_log_file_validation", Conv::Bool, Some(json!(false)));
    o.field("kms_key_id", b, "kms_key_id", Conv::Presence, Some(Value::Null));
    o.field("cloud_watch_logs_log_group_arn", b, "cloud_watch_logs_group_arn", Conv::Presence, Some(Value::Null));
    o.field("include_global_service_events", b, "include_global_service_events", Conv::Bool, Some(json!(true)));
    o.put("insight_types", json!([]), None);
    for i in b.blocks("insight_selector") {
        if let Some(t) = jv(i, "insight_type", Conv::Str) {
            push(&mut o, "insight_types", t, i.line);
        }
    }
    o.rel("logs_to", b.value("s3_bucket_name"));
    o.rel("encrypted_with", b.value("kms_key_id"));
    o
}

fn sqs(b: &EBlock) -> Build {
    let mut o = Build::new("aws.sqs.queue");
    o.name = b.value("name").and_then(V::to_text);
    o.field("fifo_queue", b, "fifo_queue", Conv::Bool, Some(json!(false)));
    o.field("kms_master_key_id", b, "kms_master_key_id", Conv::Presence, Some(Value::Null));
    // SSE-SQS is on for new queues unless a KMS key is given or it is turned off.
    let kms = b.attr("kms_master_key_id").is_some();
    o.field("sqs_managed_sse_enabled", b, "sqs_managed_sse_enabled", Conv::Bool, Some(json!(!kms)));
    o.field("policy", b, "policy", Conv::Policy, None);
    match b.value("redrive_policy") {
        Some(V::Str(s)) => {
            let p: Option<Value> = serde_json::from_str(s).ok();
            let arn = p.as_ref().and_then(|p| p.get("deadLetterTargetArn")).cloned();
            o.put("redrive_policy", json!({"dead_letter_target_arn": arn}), Some(line_of(b, "redrive_policy")));
        }
        Some(_) => {}
        None => o.put("redrive_policy", Value::Null, None),
    }
    o
}

fn sns(b: &EBlock) -> Build {
    let mut o = Build::new("aws.sns.topic");
    o.name = b.value("name").and_then(V::to_text);
    o.field("kms_master_key_id", b, "kms_master_key_id", Conv::Presence, Some(Value::Null));
    o.field("fifo_topic", b, "fifo_topic", Conv::Bool, Some(json!(false)));
    o.field("policy", b, "policy", Conv::Policy, None);
    o
}

fn log_group(b: &EBlock) -> Build {
    let mut o = Build::new("aws.logs.log_group");
    o.name = b.value("name").and_then(V::to_text);
    match b.attr("retention_in_days") {
        Some((v, line)) => match v.as_num() {
            Some(0.0) => o.put("retention_in_days", Value::Null, Some(*line)),
            Some(n) => o.put("retention_in_days", json!(n as i64), Some(*line)),
            None => {}
        },
        None => o.put("retention_in_days", Value::Null, None),
    }
    o.field("kms_key_id", b, "kms_key_id", Conv::Presence, Some(Value::Null));
    o
}

fn dynamodb(b: &EBlock) -> Build {
    let mut o = Build::new("aws.dynamodb.table");
    o.name = b.value("name").and_then(V::to_text);
    o.put("table_status", json!("ACTIVE"), None);
    o.field("billing_mode", b, "billing_mode", Conv::Str, Some(json!("PROVISIONED")));
    o.field("deletion_protection_enabled", b, "deletion_protection_enabled", Conv::Bool, Some(json!(false)));
    match b.block("point_in_time_recovery") {
        Some(p) => o.field("point_in_time_recovery_enabled", p, "enabled", Conv::Bool, Some(json!(false))),
        None => o.put("point_in_time_recovery_enabled", json!(false), None),
    }
    match b.block("server_side_encryption").map(|s| (s.value("enabled").and_then(V::as_bool), s)) {
        Some((Some(true), s)) => {
            let aws_managed = s.attr("kms_key_arn").is_none();
            o.put("sse_description", json!({"status": "ENABLED", "sse_type": "KMS", "kms_key_is_aws_managed": aws_managed}), Some(line_of(s, "enabled")));
        }
        Some((None, _)) => {}
        // Tables are always encrypted at rest, with an AWS-owned key unless configured.
        _ => o.put("sse_description", Value::Null, None),
    }
    o
}

fn efs(b: &EBlock) -> Build {
    let mut o = Build::new("aws.efs.file_system");
    o.field("encrypted", b, "encrypted", Conv::Bool, Some(json!(false)));
    o.field("kms_key_id", b, "kms_key_id", Conv::Presence, Some(Value::Null));
    o.field("performance_mode", b, "performance_mode", Conv::Str, Some(json!("generalPurpose")));
    o
}

fn launch_template(b: &EBlock) -> Build {
    let mut o = Build::new("aws.ec2.launch_template");
    o.name = b.value("name").and_then(V::to_text);
    match b.block("metadata_options") {
        Some(m) => {
            o.field("metadata_options.http_tokens", m, "http_tokens", Conv::Str, Some(json!("optional")));
            o.field("metadata_options.http_endpoint", m, "http_endpoint", Conv::Str, Some(json!("enabled")));
        }
        None => o.put("metadata_options", json!({"http_tokens": "optional", "http_endpoint": "enabled"}), None),
    }
    o.put("network_interfaces", json!([]), None);
    for n in b.blocks("network_interfaces") {
        let item = json!({"device_index": jv(n, "device_index", Conv::Int), "associate_public_ip_address": jv(n, "associate_public_ip_address", Conv::Bool)});
        push(&mut o, "network_interfaces", item, n.line);
    }
    o.put("block_device_mappings", json!([]), None);
    for d in b.blocks("block_device_mappings") {
        let ebs = d.block("ebs").map(|e| json!({"encrypted": jv(e, "encrypted", Conv::Bool).unwrap_or(json!(false))}));
        push(&mut o, "block_device_mappings", json!({"device_name": jv(d, "device_name", Conv::Str), "ebs": ebs}), d.line);
    }
    o
}

fn secret(b: &EBlock) -> Build {
    let mut o = Build::new("aws.secretsmanager.secret");
    o.name = b.value("name").and_then(V::to_text);
    o.field("kms_key_id", b, "kms_key_id", Conv::Presence, Some(Value::Null));
    o.field("description", b, "description", Conv::Str, Some(Value::Null));
    o.put("rotation_enabled", json!(false), None);
    o.field("policy", b, "policy", Conv::Policy, None);
    o
}

fn elasticache(b: &EBlock) -> Build {
    let mut o = Build::new("aws.elasticache.replication_group");
    o.field("at_rest_encryption_enabled", b, "at_rest_encryption_enabled", Conv::Bool, Some(json!(false)));
    o.field("transit_encryption_enabled", b, "transit_encryption_enabled", Conv::Bool, Some(json!(false)));
    o.put("auth_token_enabled", json!(b.attr("auth_token").is_some()), b.attr("auth_token").map(|(_, l)| *l));
    o.field("snapshot_retention_limit", b, "snapshot_retention_limit", Conv::Int, Some(json!(0)));
    match b.value("automatic_failover_enabled").map(V::as_bool) {
        Some(Some(on)) => o.put("automatic_failover", json!(if on { "enabled" } else { "disabled" }), Some(line_of(b, "automatic_failover_enabled"))),
        None => o.put("automatic_failover", json!("disabled"), None),
        Some(None) => {}
    }
    o.field("engine", b, "engine", Conv::Str, Some(json!("redis")));
    o
}

fn redshift(b: &EBlock) -> Build {
    let mut o = Build::new("aws.redshift.cluster");
    o.name = b.value("cluster_identifier").and_then(V::to_text);
    o.field("encrypted", b, "encrypted", Conv::Bool, Some(json!(false)));
    o.field("publicly_accessible", b, "publicly_accessible", Conv::Bool, Some(json!(true)));
    o.field("enhanced_vpc_routing", b, "enhanced_vpc_routing", Conv::Bool, Some(json!(false)));
    o.field("allow_version_upgrade", b, "allow_version_upgrade", Conv::Bool, Some(json!(true)));
    o.field("automated_snapshot_retention_period", b, "automated_snapshot_retention_period", Conv::Int, Some(json!(1)));
    o.field("master_username", b, "master_username", Conv::Str, None);
    match b.block("logging") {
        Some(l) => o.field("logging_status.logging_enabled", l, "enable", Conv::Bool, Some(json!(false))),
        None => o.put("logging_status", json!({"logging_enabled": false}), None),
    }
    o
}
