#!/usr/bin/env python3
"""Generates demo/aws.ndjson: the AWS part of the demo estate of Northwind Logistics.

Python standard library only and deterministic: identifiers are derived from names by hashing,
dates are fixed relative to the collection time. Run from anywhere:

    python3 demo/gen/aws.py            # writes demo/aws.ndjson next to this folder

The estate: three accounts (prod, staging, security) in eu-west-1 and us-east-1. Most resources
are configured well; a realistic minority is not (marked `# MISCONFIGURED` below), and a few
attributes are left out on purpose (`# UNKNOWN`) to show what a collector that was denied a call
produces. Attributes follow schema/kinds/aws.*.json.
"""

import copy
import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

COLLECTED_AT = datetime(2026, 11, 28, 9, 0, 0, tzinfo=timezone.utc)
PROD, STAGING, SECURITY = "111122223333", "444455556666", "777788889999"
ACCOUNTS = [PROD, STAGING, SECURITY]
EU, US = "eu-west-1", "us-east-1"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "aws.ndjson")

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
ORG_ID = "o-7nw3k2q9xd"

resources = []


# ------------------------------------------------------------------ helpers
def h(seed, n):
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


def aws_id(prefix, seed):
    return f"{prefix}-{h(prefix + seed, 17)}"


def iam_id(prefix, seed):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256((prefix + seed).encode()).digest()
    return prefix + "".join(alphabet[b % 32] for b in digest[:17])


def key_uuid(seed):
    x = h("kms" + seed, 32)
    return f"{x[:8]}-{x[8:12]}-4{x[13:16]}-a{x[17:20]}-{x[20:32]}"


def at(days_ago, hour=9, minute=0):
    t = COLLECTED_AT - timedelta(days=days_ago)
    return t.replace(hour=hour, minute=minute).strftime("%Y-%m-%dT%H:%M:%SZ")


def age(days_ago):
    """Whole days between a date `days_ago` days before collection and the collection."""
    return days_ago


def tags(env, team, owner, cost_center, name=None, **extra):
    t = {"env": env, "team": team, "owner": owner, "cost-center": cost_center}
    if name:
        t["Name"] = name
    t.update(extra)
    return t


TEAM = {
    "platform": ("platform", "priya.shah@northwind-logistics.com", "CC-2100"),
    "web": ("customer-portal", "tom.becker@northwind-logistics.com", "CC-3100"),
    "data": ("data-analytics", "lena.fischer@northwind-logistics.com", "CC-3400"),
    "finance": ("finance-apps", "omar.haddad@northwind-logistics.com", "CC-4200"),
    "security": ("security", "grace.lee@northwind-logistics.com", "CC-1100"),
    "warehouse": ("warehouse-integration", "dmitri.volkov@northwind-logistics.com", "CC-5300"),
}


def t(env, team, name=None, **extra):
    team_name, owner, cc = TEAM[team]
    return tags(env, team_name, owner, cc, name, **extra)


def add(uid, kind, account, region, name, attrs, relations=(), tag=None, service=None):
    r = {"uid": uid, "kind": kind, "provider": "aws", "account": account}
    if region:
        r["region"] = region
    r["name"] = name
    if tag:
        r["tags"] = tag
    r["attrs"] = attrs
    rels = [{"type": ty, "target": tg} for ty, tg in relations]
    if rels:
        r["relations"] = rels
    r["origin"] = {"type": "api", "service": service or kind.split(".")[1]}
    resources.append(r)
    return uid


# ---- policy documents
def stmt(effect, actions=(), resources_=(), principals=None, conditions=(), sid=None, not_actions=()):
    if principals is not None:
        principals = {k: list(principals.get(k, [])) for k in ("aws", "service", "federated", "canonical_user")}
    return {
        "sid": sid,
        "effect": effect,
        "actions": list(actions),
        "not_actions": list(not_actions),
        "resources": list(resources_),
        "not_resources": [],
        "principals": principals,
        "not_principals": None,
        "conditions": [{"operator": o, "key": k, "values": list(v)} for o, k, v in conditions],
    }


def doc(*statements):
    return {"version": "2012-10-17", "statements": list(statements)}


# Inline policy documents by name, as the collector reads them (GetUserPolicy / GetRolePolicy).
INLINE_DOCS = {
    "sftp-drop-bucket-rw": doc(stmt("Allow", ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                                    ["arn:aws:s3:::northwind-prod-sftp-drop", "arn:aws:s3:::northwind-prod-sftp-drop/*"])),
    # A data engineer's shortcut from years ago: every S3 action on everything (AWS.IAM.32).
    "etl-s3-scratch": doc(stmt("Allow", ["s3:*"], ["*"])),
}


def inline_policies(names):
    return [{"policy_name": n, "document": INLINE_DOCS[n]} for n in names]


def trust(principals, conditions=()):
    return doc(stmt("Allow", ["sts:AssumeRole"], [], principals, conditions))


def tls_deny(bucket):
    return stmt(
        "Deny", ["s3:*"], [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        {"aws": ["*"]}, [("Bool", "aws:SecureTransport", ["false"])], sid="DenyInsecureTransport",
    )


# ------------------------------------------------------------------ IAM
def policy_ref(arn):
    return {"policy_name": arn.rsplit("/", 1)[1], "policy_arn": arn}


def account_settings(account, alias, **over):
    attrs = {
        "account_alias": alias,
        "root_mfa_active": True,
        "root_hardware_mfa": True,
        "root_access_keys_present": False,
        "root_password_last_used": at(212, 14, 5),
        "root_password_last_used_age_days": age(212),
        "password_policy": {
            "minimum_password_length": 14,
            "require_symbols": True,
            "require_numbers": True,
            "require_uppercase_characters": True,
            "require_lowercase_characters": True,
            "allow_users_to_change_password": True,
            "expire_passwords": False,
            "max_password_age": None,
            "password_reuse_prevention": 24,
            "hard_expiry": False,
        },
        "alternate_contacts": {
            "security": {"name": "Northwind Security Operations", "title": "SecOps on call",
                         "email_address": "secops@northwind-logistics.com", "phone_number": "+44 20 7946 0321"},
            "billing": {"name": "Northwind Finance", "title": "Cloud cost office",
                        "email_address": "cloud-billing@northwind-logistics.com", "phone_number": None},
            "operations": {"name": "Northwind Platform", "title": "Platform on call",
                           "email_address": "platform-oncall@northwind-logistics.com", "phone_number": "+44 20 7946 0450"},
        },
    }
    attrs.update(over)
    return add(f"arn:aws:iam::{account}:root", "aws.iam.account", account, None, alias, attrs, service="iam")


def managed_policy(account, name, document, attached=1, description=None, days=400, updated=60, rels=()):
    arn = f"arn:aws:iam::{account}:policy/{name}"
    attrs = {
        "policy_id": iam_id("ANPA", arn),
        "path": "/",
        "description": description,
        "is_aws_managed": False,
        "is_attachable": True,
        "default_version_id": "v3" if updated < days else "v1",
        "attachment_count": attached,
        "permissions_boundary_usage_count": 0,
        "create_date": at(days),
        "update_date": at(updated),
        "document": document,
    }
    return add(arn, "aws.iam.policy", account, None, name, attrs, rels, service="iam")


def aws_policy(name, document=None, path="/"):
    arn = f"arn:aws:iam::aws:policy{path}{name}"
    attrs = {
        "policy_id": iam_id("ANPA", arn),
        "path": path,
        "description": None,
        "is_aws_managed": True,
        "is_attachable": True,
        "default_version_id": "v1",
        "create_date": "2015-02-06T18:39:46Z",
        "update_date": "2023-06-20T19:14:21Z",
    }
    # attachment_count is per account and the uid is not: left out (unknown) on purpose.
    # UNKNOWN: the documents of large AWS managed policies are not fetched (document=None).
    if document is not None:
        attrs["document"] = document
    r = {"uid": arn, "kind": "aws.iam.policy", "provider": "aws", "account": "aws", "name": name,
         "attrs": attrs, "origin": {"type": "api", "service": "iam"}}
    resources.append(r)
    return arn


def user(account, name, days, *, path="/", console=False, pw_used=None, pw_changed=None, mfa=False,
         keys=(), attached=(), inline=(), groups=(), tag=None):
    arn = f"arn:aws:iam::{account}:user{path}{name}"
    access_keys = []
    for i, (status, created, used) in enumerate(keys):
        kid = "AKIA" + iam_id("", f"{arn}/{i}")[:16]
        access_keys.append({
            "access_key_id": kid,
            "status": status,
            "create_date": at(created, 10, 12),
            "age_days": age(created),
            "last_used_date": at(used, 7, 40) if used is not None else None,
            "last_used_age_days": age(used) if used is not None else None,
            "last_used_service": ("s3" if i == 0 else "sts") if used is not None else None,
            "last_used_region": EU if used is not None else None,
        })
    attrs = {
        "user_id": iam_id("AIDA", arn),
        "path": path,
        "create_date": at(days, 11, 30),
        "password_enabled": console,
        "password_last_used": at(pw_used, 8, 15) if console and pw_used is not None else None,
        "password_last_used_age_days": age(pw_used) if console and pw_used is not None else None,
        "password_last_changed": at(pw_changed if pw_changed is not None else days, 11, 35) if console else None,
        "password_age_days": age(pw_changed if pw_changed is not None else days) if console else None,
        "mfa_active": mfa,
        "mfa_devices": [{"serial_number": f"arn:aws:iam::{account}:mfa/{name}", "enable_date": at(days - 1)}] if mfa else [],
        "access_keys": access_keys,
        "attached_policies": [policy_ref(a) for a in attached],
        "inline_policy_names": list(inline),
        "inline_policies": inline_policies(inline),
        "groups": list(groups),
        "permissions_boundary_arn": None,
    }
    return add(arn, "aws.iam.user", account, None, name, attrs,
               [("attached_policy", a) for a in attached], tag, service="iam")


def role(account, name, trust_doc, attached=(), inline=(), days=500, last_used=1, description=None,
         path="/", tag=None, max_session=3600):
    arn = f"arn:aws:iam::{account}:role{path}{name}"
    attrs = {
        "role_id": iam_id("AROA", arn),
        "path": path,
        "create_date": at(days, 13),
        "description": description,
        "max_session_duration": max_session,
        "trust_policy": trust_doc,
        "attached_policies": [policy_ref(a) for a in attached],
        "inline_policy_names": list(inline),
        "inline_policies": inline_policies(inline),
        "permissions_boundary_arn": None,
        "is_service_linked": path.startswith("/aws-service-role/"),
        "last_used_date": at(last_used, 6) if last_used is not None else None,
        "last_used_region": EU if last_used is not None else None,
    }
    return add(arn, "aws.iam.role", account, None, name, attrs,
               [("attached_policy", a) for a in attached], tag, service="iam")


def instance_profile(account, name, role_arn, days=500):
    arn = f"arn:aws:iam::{account}:instance-profile/{name}"
    attrs = {
        "instance_profile_id": iam_id("AIPA", arn),
        "path": "/",
        "create_date": at(days, 13, 5),
        "role_names": [role_arn.rsplit("/", 1)[1]],
    }
    return add(arn, "aws.iam.instance_profile", account, None, name, attrs, [("assumes_role", role_arn)], service="iam")


# ------------------------------------------------------------------ KMS
def kms_key(account, region, alias, *, manager="CUSTOMER", rotation=True, state="Enabled", spec="SYMMETRIC_DEFAULT",
            usage="ENCRYPT_DECRYPT", days=700, description=None, multi_region=False, deletion_in=None, tag=None):
    kid = ("mrk-" + h("kms" + alias + account, 32)) if multi_region else key_uuid(alias + account)
    arn = f"arn:aws:kms:{region}:{account}:key/{kid}"
    rotatable = spec == "SYMMETRIC_DEFAULT"
    attrs = {
        "key_id": kid,
        "description": description,
        "key_manager": manager,
        "key_state": state,
        "key_spec": spec,
        "key_usage": usage,
        "origin": "AWS_KMS",
        "key_rotation_enabled": (rotation if rotatable else None),
        "rotation_period_in_days": (365 if rotatable and rotation else None),
        "multi_region": multi_region,
        "creation_date": at(days, 10),
        "deletion_date": at(-deletion_in, 0) if deletion_in is not None else None,
        "aliases": [alias],
    }
    return add(arn, "aws.kms.key", account, region, alias, attrs, (), tag)


# ------------------------------------------------------------------ S3
PAB_ON = {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True, "restrict_public_buckets": True}
PAB_OFF = {"block_public_acls": False, "ignore_public_acls": False, "block_public_policy": False, "restrict_public_buckets": False}
OWNER_GRANT = lambda acct: {"grantee_type": "CanonicalUser", "grantee_id": h("canonical" + acct, 64),
                            "grantee_uri": None, "permission": "FULL_CONTROL"}
ACCOUNT_PAB = {PROD: None, STAGING: None, SECURITY: dict(PAB_ON)}


def bucket(account, region, name, *, kms=None, sse="aws:kms", pab=PAB_ON, versioning=True, mfa_delete=False,
           log_to=None, policy="tls", extra_statements=(), acl=None, ownership="BucketOwnerEnforced",
           object_lock=False, website=False, days=900, tag=None, omit=()):
    arn = f"arn:aws:s3:::{name}"
    if policy == "tls":
        pol = doc(*extra_statements, tls_deny(name))
    elif policy is None and extra_statements:
        pol = doc(*extra_statements)
    else:
        pol = policy
    attrs = {
        "creation_date": at(days, 9, 20),
        "public_access_block": dict(pab) if pab else None,
        "account_public_access_block": ACCOUNT_PAB[account],
        "encryption": {
            "sse_algorithm": sse,
            "kms_master_key_id": kms if sse != "AES256" else None,
            "bucket_key_enabled": sse != "AES256",
        } if sse else None,
        "versioning": {"enabled": versioning, "mfa_delete": mfa_delete},
        "logging": {"target_bucket": log_to, "target_prefix": f"{name}/"} if log_to else None,
        "policy": pol,
        "acl_grants": [OWNER_GRANT(account)] + list(acl or []),
        "ownership_controls": ownership,
        "object_lock_enabled": object_lock,
        "website_enabled": website,
    }
    for k in omit:  # UNKNOWN: the collector was denied this call
        del attrs[k]
    rels = []
    if kms and sse != "AES256":
        rels.append(("encrypted_with", kms))
    if log_to:
        rels.append(("logs_to", f"arn:aws:s3:::{log_to}"))
    return add(arn, "aws.s3.bucket", account, region, name, attrs, rels, tag)


# ------------------------------------------------------------------ EC2 / VPC
def vpc(account, region, seed, cidr, *, default=False, flow_logs=(), tag=None):
    vid = aws_id("vpc", account + seed)
    arn = f"arn:aws:ec2:{region}:{account}:vpc/{vid}"
    fls, rels = [], []
    for traffic, dest_type, dest in flow_logs:
        fls.append({
            "flow_log_id": aws_id("fl", vid + traffic + dest_type),
            "status": "ACTIVE",
            "deliver_logs_status": "SUCCESS",
            "traffic_type": traffic,
            "log_destination_type": dest_type,
            "log_destination": dest,
        })
        if dest_type == "s3":
            rels.append(("logs_to", dest.split("/")[0]))
    attrs = {
        "vpc_id": vid,
        "cidr_block": cidr,
        "cidr_blocks": [cidr],
        "ipv6_cidr_blocks": [],
        "is_default": default,
        "state": "available",
        "flow_logs": fls,
    }
    add(arn, "aws.ec2.vpc", account, region, vid, attrs, rels, tag)
    return arn, vid


def subnet(account, region, vpc_ref, seed, cidr, az, *, public=False, default=False, free=240, tag=None):
    vpc_arn, vpc_id = vpc_ref
    sid = aws_id("subnet", account + seed)
    arn = f"arn:aws:ec2:{region}:{account}:subnet/{sid}"
    attrs = {
        "subnet_id": sid,
        "vpc_id": vpc_id,
        "cidr_block": cidr,
        "availability_zone": az,
        "map_public_ip_on_launch": public,
        "default_for_az": default,
        "available_ip_address_count": free,
    }
    add(arn, "aws.ec2.subnet", account, region, sid, attrs, [("in_vpc", vpc_arn)], tag)
    return arn, sid


def rule(protocol, ports=None, cidr4=None, cidr6=None, sg=None, desc=None, icmp=None):
    seed = f"{protocol}{ports}{cidr4}{cidr6}{sg}{desc}"
    if protocol == "all":
        port_range = {"from": 0, "to": 65535}
    elif ports is None:
        port_range = None
    else:
        a, b = ports if isinstance(ports, tuple) else (ports, ports)
        port_range = {"from": a, "to": b}
    return {
        "rule_id": aws_id("sgr", seed),
        "protocol": protocol,
        "port_range": port_range,
        "icmp_type": icmp[0] if icmp else None,
        "icmp_code": icmp[1] if icmp else None,
        "cidr_ipv4": cidr4,
        "cidr_ipv6": cidr6,
        "prefix_list_id": None,
        "referenced_group_id": sg,
        "description": desc,
    }


EGRESS_ALL = [rule("all", cidr4="0.0.0.0/0")]


def sg_id(account, seed):
    return aws_id("sg", account + seed)


def security_group(account, region, vpc_ref, seed, name, description, ingress, egress=None, *, default=False, tag=None):
    vpc_arn, vpc_id = vpc_ref
    gid = sg_id(account, seed)
    arn = f"arn:aws:ec2:{region}:{account}:security-group/{gid}"
    attrs = {
        "group_id": gid,
        "group_name": name,
        "description": description,
        "vpc_id": vpc_id,
        "is_default": default,
        "ingress_rules": copy.deepcopy(ingress),
        "egress_rules": copy.deepcopy(EGRESS_ALL if egress is None else egress),
    }
    for r in attrs["ingress_rules"] + attrs["egress_rules"]:
        r["rule_id"] = aws_id("sgr", gid + json.dumps(r, sort_keys=True))
    add(arn, "aws.ec2.security_group", account, region, name, attrs, [("in_vpc", vpc_arn)], tag)
    return arn, gid


def instance(account, region, seed, *, subnet_ref, vpc_ref, sgs, profile=None, role_arn=None, itype="m6i.large",
             state="running", public_ip=None, private_ip, tokens="required", platform=None, key=None,
             monitoring=False, days=120, tag=None, omit=()):
    iid = aws_id("i", account + seed)
    arn = f"arn:aws:ec2:{region}:{account}:instance/{iid}"
    attrs = {
        "instance_id": iid,
        "instance_type": itype,
        "image_id": aws_id("ami", (platform or "al2023") + region),
        "state": state,
        "launch_time": at(days, 8, 45),
        "platform": platform,
        "public_ip_address": public_ip,
        "private_ip_address": private_ip,
        "vpc_id": vpc_ref[1],
        "subnet_id": subnet_ref[1],
        "key_name": key,
        "detailed_monitoring": monitoring,
        "metadata_options": {
            "http_tokens": tokens,
            "http_endpoint": "enabled",
            "http_put_response_hop_limit": 2 if tokens == "required" else 1,
            "instance_metadata_tags": "disabled",
        },
        "iam_instance_profile_arn": profile,
        "security_group_ids": [g[1] for g in sgs],
        "ebs_optimized": True,
    }
    for k in omit:  # UNKNOWN
        del attrs[k]
    rels = [("has_security_group", g[0]) for g in sgs]
    if profile:
        rels += [("has_instance_profile", profile), ("assumes_role", role_arn)]
    rels += [("in_subnet", subnet_ref[0]), ("in_vpc", vpc_ref[0])]
    add(arn, "aws.ec2.instance", account, region, iid, attrs, rels, tag)
    return arn, iid


def volume(account, region, seed, az, *, inst=None, size=30, vtype="gp3", encrypted=True, kms=None, days=120,
           device="/dev/xvda", tag=None, omit=()):
    vid = aws_id("vol", account + seed)
    arn = f"arn:aws:ec2:{region}:{account}:volume/{vid}"
    attrs = {
        "volume_id": vid,
        "size_gib": size,
        "volume_type": vtype,
        "state": "in-use" if inst else "available",
        "encrypted": encrypted,
        "kms_key_id": kms if encrypted else None,
        "availability_zone": az,
        "create_time": at(days, 8, 44),
        "snapshot_id": aws_id("snap", region + "base") if device == "/dev/xvda" or device == "/dev/sda1" else None,
        "attachments": [{"instance_id": inst[1], "device": device, "state": "attached",
                         "delete_on_termination": device in ("/dev/xvda", "/dev/sda1")}] if inst else [],
    }
    for k in omit:  # UNKNOWN
        del attrs[k]
    rels = []
    if inst:
        rels.append(("attached_to", inst[0]))
    if encrypted and kms:
        rels.append(("encrypted_with", kms))
    add(arn, "aws.ec2.volume", account, region, vid, attrs, rels, tag, service="ec2")


# ------------------------------------------------------------------ RDS, CloudTrail, Lambda
def db_instance(account, region, name, *, engine, version, klass, vpc_ref, sgs, kms=None, public=False,
                backups=14, multi_az=True, auto_minor=True, deletion_protection=True, iam_auth=True, port=5432,
                logs=("postgresql",), tag=None):
    arn = f"arn:aws:rds:{region}:{account}:db:{name}"
    attrs = {
        "db_instance_identifier": name,
        "engine": engine,
        "engine_version": version,
        "db_instance_class": klass,
        "status": "available",
        "storage_encrypted": kms is not None,
        "kms_key_id": kms,
        "publicly_accessible": public,
        "backup_retention_period": backups,
        "multi_az": multi_az,
        "auto_minor_version_upgrade": auto_minor,
        "deletion_protection": deletion_protection,
        "iam_database_authentication_enabled": iam_auth,
        "endpoint_port": port,
        "vpc_security_group_ids": [g[1] for g in sgs],
        "db_subnet_group_name": f"{name.rsplit('-', 1)[0]}-db-subnets",
        "enabled_cloudwatch_logs_exports": list(logs),
        "copy_tags_to_snapshot": True,
    }
    rels = [("has_security_group", g[0]) for g in sgs] + [("in_vpc", vpc_ref[0])]
    if kms:
        rels.append(("encrypted_with", kms))
    add(arn, "aws.rds.db_instance", account, region, name, attrs, rels, tag)


def trail(account, region, name, bucket_name, *, multi_region=True, org=False, logging=True, validation=True,
          kms=None, cwl=None, prefix=None, mgmt=("All",), data_events=(), tag=None):
    arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"
    attrs = {
        "home_region": region,
        "is_multi_region_trail": multi_region,
        "is_organization_trail": org,
        "is_logging": logging,
        "log_file_validation_enabled": validation,
        "kms_key_id": kms,
        "s3_bucket_name": bucket_name,
        "s3_key_prefix": prefix,
        "cloud_watch_logs_log_group_arn": cwl,
        "include_global_service_events": multi_region,
        "latest_delivery_time": at(0 if logging else 41, 8, 55),
        "management_events": {"enabled": bool(mgmt), "read_write_type": mgmt[0] if mgmt else None, "exclude_sources": []},
        "data_events": [{"resource_type": rt, "read_write_type": rw, "resources": list(res)} for rt, rw, res in data_events],
    }
    rels = [("logs_to", f"arn:aws:s3:::{bucket_name}")]
    if kms:
        rels.append(("encrypted_with", kms))
    add(arn, "aws.cloudtrail.trail", account, region, name, attrs, rels, tag)


def function(account, region, name, *, role_arn, runtime="python3.12", package="Zip", env=(), kms=None,
             vpc_cfg=None, url_auth=None, memory=512, timeout=30, days=60, tracing="Active", tag=None):
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    url = None
    if url_auth:
        url = {"url": f"https://{h('url' + arn, 32)}.lambda-url.{region}.on.aws/", "auth_type": url_auth,
               "cors_allow_origins": []}
    attrs = {
        "runtime": runtime if package == "Zip" else None,
        "package_type": package,
        "handler": ("app.handler" if package == "Zip" else None),
        "role_arn": role_arn,
        "memory_size": memory,
        "timeout": timeout,
        "architectures": ["arm64"],
        "last_modified": at(days, 15, 2),
        "environment_variable_names": list(env),
        "kms_key_arn": kms,
        "vpc_config": None,
        "function_url": url,
        "tracing_mode": tracing,
        "reserved_concurrent_executions": None,
    }
    rels = [("assumes_role", role_arn)]
    if vpc_cfg:
        vpc_ref, subnets, sgs = vpc_cfg
        attrs["vpc_config"] = {"vpc_id": vpc_ref[1], "subnet_ids": [s[1] for s in subnets],
                               "security_group_ids": [g[1] for g in sgs]}
        rels += [("has_security_group", g[0]) for g in sgs] + [("in_vpc", vpc_ref[0])]
    if kms:
        rels.append(("encrypted_with", kms))
    add(arn, "aws.lambda.function", account, region, name, attrs, rels, tag)


# ================================================================== the estate
def build():
    # ---------------------------------------------------------- AWS managed policies (shared)
    ADMIN = aws_policy("AdministratorAccess", doc(stmt("Allow", ["*"], ["*"])))
    READONLY = aws_policy("ReadOnlyAccess")  # UNKNOWN document
    SECAUDIT = aws_policy("SecurityAudit")  # UNKNOWN document
    SSM_CORE = aws_policy("AmazonSSMManagedInstanceCore")  # UNKNOWN document
    LAMBDA_BASIC = aws_policy(
        "AWSLambdaBasicExecutionRole",
        doc(stmt("Allow", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], ["*"])),
        path="/service-role/",
    )

    # ---------------------------------------------------------- security account (777788889999)
    account_settings(SECURITY, "northwind-security")
    ct_key = kms_key(SECURITY, EU, "alias/northwind-cloudtrail", description="Encrypts organisation CloudTrail logs",
                     days=1100, tag=t("security", "security"))
    kms_key(SECURITY, EU, "alias/northwind-release-signing", spec="RSA_4096", usage="SIGN_VERIFY", days=400,
            description="Signs release artefacts", tag=t("security", "security"))
    bucket(SECURITY, EU, "northwind-security-access-logs", sse="AES256", log_to=None, days=1100,
           extra_statements=[stmt("Allow", ["s3:PutObject"], ["arn:aws:s3:::northwind-security-access-logs/*"],
                                  {"service": ["logging.s3.amazonaws.com"]},
                                  [("StringEquals", "aws:SourceAccount", [SECURITY])], sid="S3ServerAccessLogs")],
           tag=t("security", "security"))
    bucket(SECURITY, EU, "northwind-org-cloudtrail", kms=ct_key, log_to="northwind-security-access-logs",
           mfa_delete=True, object_lock=True, days=1100,
           extra_statements=[
               stmt("Allow", ["s3:GetBucketAcl"], ["arn:aws:s3:::northwind-org-cloudtrail"],
                    {"service": ["cloudtrail.amazonaws.com"]}, sid="CloudTrailAclCheck"),
               stmt("Allow", ["s3:PutObject"], ["arn:aws:s3:::northwind-org-cloudtrail/AWSLogs/*"],
                    {"service": ["cloudtrail.amazonaws.com"]},
                    [("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"]),
                     ("StringEquals", "aws:SourceOrgID", [ORG_ID])], sid="CloudTrailWrite"),
           ], tag=t("security", "security", retention="7y"))
    bucket(SECURITY, EU, "northwind-vpc-flow-logs", kms=ct_key, log_to="northwind-security-access-logs", days=900,
           extra_statements=[stmt("Allow", ["s3:PutObject"], ["arn:aws:s3:::northwind-vpc-flow-logs/AWSLogs/*"],
                                  {"service": ["delivery.logs.amazonaws.com"]},
                                  [("StringEquals", "aws:SourceOrgID", [ORG_ID])], sid="FlowLogsDelivery")],
           tag=t("security", "security", retention="1y"))
    trail(SECURITY, EU, "northwind-org-trail", "northwind-org-cloudtrail", org=True, kms=ct_key,
          cwl=f"arn:aws:logs:{EU}:{SECURITY}:log-group:aws-cloudtrail-org:*", tag=t("security", "security"))
    log_read = managed_policy(SECURITY, "northwind-log-archive-read", doc(
        stmt("Allow", ["s3:GetObject", "s3:ListBucket"],
             ["arn:aws:s3:::northwind-org-cloudtrail", "arn:aws:s3:::northwind-org-cloudtrail/*",
              "arn:aws:s3:::northwind-vpc-flow-logs", "arn:aws:s3:::northwind-vpc-flow-logs/*"]),
        stmt("Allow", ["kms:Decrypt"], [ct_key])), attached=2, description="Read the log archive")
    tooling_role = role(SECURITY, "security-tooling-role", trust({"service": ["lambda.amazonaws.com"]}),
                        [SECAUDIT, LAMBDA_BASIC, log_read], days=800, tag=t("security", "security"))
    role(SECURITY, "partner-siem-readonly",
         trust({"aws": ["arn:aws:iam::210987654321:root"]}, [("StringEquals", "sts:ExternalId", ["nw-siem-5f2c81"])]),
         [log_read], days=300, description="Managed SOC provider reads the log archive", max_session=7200,
         tag=t("security", "security"))
    user(SECURITY, "grace.lee", 1000, console=True, pw_used=1, pw_changed=150, mfa=True, groups=["security-admins"],
         tag=t("security", "security"))
    sec_vpc = vpc(SECURITY, EU, "tooling", "10.40.0.0/16",
                  flow_logs=[("ALL", "s3", "arn:aws:s3:::northwind-vpc-flow-logs/security/")],
                  tag=t("security", "security", "security-tooling-vpc"))
    sec_private = subnet(SECURITY, EU, sec_vpc, "private-a", "10.40.10.0/24", "eu-west-1a",
                         tag=t("security", "security", "security-private-a"))
    security_group(SECURITY, EU, sec_vpc, "default", "default", "default VPC security group", [], [], default=True)
    sec_tooling_sg = security_group(SECURITY, EU, sec_vpc, "tooling", "security-tooling",
                                    "Security automation functions: outbound HTTPS only", [],
                                    [rule("tcp", 443, cidr4="0.0.0.0/0", desc="HTTPS to AWS APIs and Slack")],
                                    tag=t("security", "security"))
    function(SECURITY, EU, "guardduty-findings-forwarder", role_arn=tooling_role,
             env=["SLACK_CHANNEL", "WEBHOOK_URL_PARAM_NAME", "MIN_SEVERITY"],
             vpc_cfg=(sec_vpc, [sec_private], [sec_tooling_sg]), days=45, tag=t("security", "security"))

    # ---------------------------------------------------------- prod account (111122223333)
    account_settings(PROD, "northwind-prod")
    prod_data_key = kms_key(PROD, EU, "alias/northwind-prod-data", description="Customer and invoice data",
                            days=1000, tag=t("prod", "platform"))
    prod_rds_key = kms_key(PROD, EU, "alias/northwind-prod-rds", rotation=False,  # MISCONFIGURED: no rotation
                           description="RDS storage encryption", days=950, tag=t("prod", "platform"))
    ebs_key = kms_key(PROD, EU, "alias/aws/ebs", manager="AWS", description="Default key that protects my EBS volumes when no other key is defined",
                      days=1000)
    dr_key = kms_key(PROD, US, "alias/northwind-prod-dr", description="Disaster recovery copies", multi_region=True,
                     days=600, tag=t("prod", "platform"))

    bucket(PROD, EU, "northwind-prod-access-logs", sse="AES256", days=1000,
           extra_statements=[stmt("Allow", ["s3:PutObject"], ["arn:aws:s3:::northwind-prod-access-logs/*"],
                                  {"service": ["logging.s3.amazonaws.com"]},
                                  [("StringEquals", "aws:SourceAccount", [PROD])], sid="S3ServerAccessLogs")],
           tag=t("prod", "platform"))
    web_role_name = "northwind-web-ec2-role"
    bucket(PROD, EU, "northwind-prod-customer-documents", kms=prod_data_key, log_to="northwind-prod-access-logs",
           days=980,
           extra_statements=[stmt("Allow", ["s3:GetObject", "s3:PutObject"],
                                  ["arn:aws:s3:::northwind-prod-customer-documents/*"],
                                  {"aws": [f"arn:aws:iam::{PROD}:role/{web_role_name}"]}, sid="WebTier")],
           tag=t("prod", "web", **{"data-classification": "confidential"}))
    bucket(PROD, EU, "northwind-prod-invoices", kms=prod_data_key, log_to="northwind-prod-access-logs",
           object_lock=True, days=900, tag=t("prod", "finance", **{"data-classification": "confidential"}))
    # MISCONFIGURED: a public website bucket served straight from S3, no Block Public Access.
    bucket(PROD, EU, "northwind-prod-web-static", sse="AES256", pab=PAB_OFF, policy=None, website=True,
           log_to="northwind-prod-access-logs", versioning=True, days=700,
           extra_statements=[stmt("Allow", ["s3:GetObject"], ["arn:aws:s3:::northwind-prod-web-static/*"],
                                  {"aws": ["*"]}, sid="PublicReadForWebsite")],
           tag=t("prod", "web"))
    # MISCONFIGURED: the data team's export bucket: SSE-S3, no versioning, no logging, no TLS policy, ACLs on.
    bucket(PROD, EU, "northwind-prod-analytics-exports", sse="AES256", versioning=False, policy=None,
           ownership="BucketOwnerPreferred", days=420, tag=t("prod", "data"))
    # UNKNOWN: the collector's role was denied GetBucketEncryption and GetBucketPolicy on this bucket.
    bucket(PROD, EU, "northwind-prod-sftp-drop", log_to="northwind-prod-access-logs", days=380,
           omit=("encryption", "policy"), tag=t("prod", "warehouse"))
    bucket(PROD, US, "northwind-prod-backups-use1", kms=dr_key, object_lock=True, days=600,
           tag=t("prod", "platform", retention="35d"))

    deploy_policy = managed_policy(PROD, "northwind-deploy-policy", doc(
        stmt("Allow", ["ecr:GetAuthorizationToken"], ["*"]),
        stmt("Allow", ["ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:InitiateLayerUpload",
                       "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"],
             [f"arn:aws:ecr:{EU}:{PROD}:repository/northwind/*"]),
        stmt("Allow", ["s3:PutObject", "s3:DeleteObject"], ["arn:aws:s3:::northwind-prod-web-static/*"]),
        stmt("Allow", ["lambda:UpdateFunctionCode"], [f"arn:aws:lambda:{EU}:{PROD}:function:*"])),
        description="CI deployments to production")
    # MISCONFIGURED: an old "temporary" policy granting everything.
    etl_policy = managed_policy(PROD, "legacy-etl-full-access", doc(stmt("Allow", ["*"], ["*"])),
                                description="TEMP - ETL migration 2024", days=800, updated=800)
    web_policy = managed_policy(PROD, "northwind-web-app-policy", doc(
        stmt("Allow", ["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::northwind-prod-customer-documents/*"]),
        stmt("Allow", ["kms:Decrypt", "kms:GenerateDataKey"], [prod_data_key]),
        stmt("Allow", ["secretsmanager:GetSecretValue"], [f"arn:aws:secretsmanager:{EU}:{PROD}:secret:prod/web/*"])))
    batch_policy = managed_policy(PROD, "northwind-batch-policy", doc(
        stmt("Allow", ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
             ["arn:aws:s3:::northwind-prod-analytics-exports", "arn:aws:s3:::northwind-prod-analytics-exports/*"]),
        stmt("Allow", ["sqs:ReceiveMessage", "sqs:DeleteMessage"], [f"arn:aws:sqs:{EU}:{PROD}:batch-jobs"])))
    invoice_policy = managed_policy(PROD, "northwind-invoice-policy", doc(
        stmt("Allow", ["s3:PutObject"], ["arn:aws:s3:::northwind-prod-invoices/*"]),
        stmt("Allow", ["kms:GenerateDataKey"], [prod_data_key]),
        stmt("Allow", ["secretsmanager:GetSecretValue"], [f"arn:aws:secretsmanager:{EU}:{PROD}:secret:prod/invoices/*"])))

    role(PROD, "OrganizationAccountAccessRole", trust({"aws": [f"arn:aws:iam::{SECURITY}:root"]}), [ADMIN],
         days=1200, last_used=34)
    role(PROD, "SecurityAuditRole", trust({"aws": [tooling_role]}, [("StringEquals", "aws:PrincipalOrgID", [ORG_ID])]),
         [SECAUDIT, READONLY], days=800, last_used=0, tag=t("prod", "security"))
    web_role = role(PROD, web_role_name, trust({"service": ["ec2.amazonaws.com"]}), [SSM_CORE, web_policy],
                    days=700, last_used=0, tag=t("prod", "web"))
    batch_role = role(PROD, "northwind-batch-ec2-role", trust({"service": ["ec2.amazonaws.com"]}),
                      [SSM_CORE, batch_policy], days=650, last_used=0, tag=t("prod", "data"))
    invoice_role = role(PROD, "invoice-generator-role", trust({"service": ["lambda.amazonaws.com"]}),
                        [LAMBDA_BASIC, invoice_policy], days=500, last_used=0, tag=t("prod", "finance"))
    lambda_basic_role = role(PROD, "northwind-lambda-basic-role", trust({"service": ["lambda.amazonaws.com"]}),
                             [LAMBDA_BASIC], days=900, last_used=0, tag=t("prod", "platform"))
    # MISCONFIGURED: a vendor role whose trust policy was "temporarily" opened to everyone.
    role(PROD, "vendor-sftp-access", trust({"aws": ["*"]}), [], ["sftp-drop-bucket-rw"], days=260, last_used=3,
         description="Warehouse partner uploads manifests", tag=t("prod", "warehouse"))
    web_profile = instance_profile(PROD, "northwind-web-ec2-profile", web_role, days=700)
    batch_profile = instance_profile(PROD, "northwind-batch-ec2-profile", batch_role, days=650)

    user(PROD, "alice.martin", 1100, console=True, pw_used=1, pw_changed=80, mfa=True, groups=["platform-admins"],
         tag=t("prod", "platform"))
    user(PROD, "raj.patel", 300, console=True, pw_used=5, pw_changed=70, mfa=False,  # MISCONFIGURED: no MFA
         groups=["developers"], tag=t("prod", "web"))
    user(PROD, "deploy-bot", 500, path="/ci/", keys=[("Active", 40, 0)],
         attached=[deploy_policy], groups=[], tag=t("prod", "platform"))  # MISCONFIGURED: policy on the user
    # MISCONFIGURED: forgotten service user: old unused key, *:* policy attached directly, inline policy.
    user(PROD, "legacy-etl", 820, path="/service/", keys=[("Active", 412, 203)], attached=[etl_policy],
         inline=["etl-s3-scratch"], tag=t("prod", "data"))
    # MISCONFIGURED: two active keys, one of them old.
    user(PROD, "grafana-reader", 700, path="/service/", keys=[("Active", 35, 0), ("Active", 300, 1)],
         groups=["monitoring-readers"], tag=t("prod", "platform"))

    core = vpc(PROD, EU, "core", "10.10.0.0/16",
               flow_logs=[("ALL", "s3", "arn:aws:s3:::northwind-vpc-flow-logs/prod/")],
               tag=t("prod", "platform", "prod-core-vpc"))
    # MISCONFIGURED: the default VPC is still there, without flow logs, and hosts a legacy server.
    default_vpc = vpc(PROD, EU, "default", "172.31.0.0/16", default=True)
    dr = vpc(PROD, US, "dr", "10.20.0.0/16",
             flow_logs=[("REJECT", "cloud-watch-logs", f"arn:aws:logs:{US}:{PROD}:log-group:vpc-flow-logs-dr")],
             tag=t("prod", "platform", "prod-dr-vpc"))
    pub_a = subnet(PROD, EU, core, "public-a", "10.10.0.0/24", "eu-west-1a", public=True,  # MISCONFIGURED
                   tag=t("prod", "platform", "prod-core-public-a"))
    priv_a = subnet(PROD, EU, core, "private-a", "10.10.10.0/24", "eu-west-1a", free=212,
                    tag=t("prod", "platform", "prod-core-private-a"))
    priv_b = subnet(PROD, EU, core, "private-b", "10.10.11.0/24", "eu-west-1b", free=219,
                    tag=t("prod", "platform", "prod-core-private-b"))
    def_a = subnet(PROD, EU, default_vpc, "default-a", "172.31.0.0/20", "eu-west-1a", public=True, default=True,
                   free=4089)  # MISCONFIGURED (default subnet)
    subnet(PROD, US, dr, "dr-private-a", "10.20.10.0/24", "us-east-1a", free=251,
           tag=t("prod", "platform", "prod-dr-private-a"))

    security_group(PROD, EU, core, "default", "default", "default VPC security group", [], [], default=True)
    # MISCONFIGURED: default group of the default VPC keeps its out-of-the-box rules.
    security_group(PROD, EU, default_vpc, "default-dv", "default", "default VPC security group",
                   [rule("all", sg=sg_id(PROD, "default-dv"))], default=True)
    security_group(PROD, US, dr, "default-dr", "default", "default VPC security group", [], [], default=True)
    alb_sg = security_group(PROD, EU, core, "web-alb", "prod-web-alb", "Public load balancer of the customer portal", [
        rule("tcp", 443, cidr4="0.0.0.0/0", desc="HTTPS"), rule("tcp", 443, cidr6="::/0", desc="HTTPS IPv6"),
        rule("tcp", 80, cidr4="0.0.0.0/0", desc="HTTP redirect to HTTPS")], tag=t("prod", "web"))
    app_sg = security_group(PROD, EU, core, "web-app", "prod-web-app", "Customer portal application servers", [
        rule("tcp", 8080, sg=alb_sg[1], desc="from ALB")], tag=t("prod", "web"))
    batch_sg = security_group(PROD, EU, core, "batch", "prod-batch", "Batch workers and in-VPC functions", [],
                              tag=t("prod", "data"))
    db_sg = security_group(PROD, EU, core, "databases", "prod-databases", "PostgreSQL and MySQL from the app tiers", [
        rule("tcp", 5432, sg=app_sg[1], desc="orders from portal"),
        rule("tcp", 5432, sg=batch_sg[1], desc="orders from batch"),
        rule("tcp", 3306, sg=batch_sg[1], desc="reporting from batch"),
        rule("tcp", 5432, cidr4="10.10.0.0/16", desc="VPC-internal tooling")], [], tag=t("prod", "platform"))
    # MISCONFIGURED: SSH open to the world on the bastion.
    bastion_sg = security_group(PROD, EU, core, "bastion", "prod-bastion", "Ops bastion", [
        rule("tcp", 22, cidr4="0.0.0.0/0", desc="ssh - TODO restrict to VPN")], tag=t("prod", "platform"))
    # MISCONFIGURED: legacy FTP/RDP server in the default VPC.
    ftp_sg = security_group(PROD, EU, default_vpc, "legacy-ftp", "legacy-ftp", "launch-wizard-3", [
        rule("tcp", 21, cidr4="0.0.0.0/0"), rule("tcp", (50000, 50100), cidr4="0.0.0.0/0", desc="FTP passive"),
        rule("tcp", 3389, cidr4="0.0.0.0/0"), rule("icmp", cidr4="0.0.0.0/0", icmp=(-1, -1))],
        tag=t("prod", "warehouse"))

    web1 = instance(PROD, EU, "web-1", subnet_ref=priv_a, vpc_ref=core, sgs=[app_sg], profile=web_profile,
                    role_arn=web_role, private_ip="10.10.10.21", days=35, tag=t("prod", "web", "prod-web-1"))
    web2 = instance(PROD, EU, "web-2", subnet_ref=priv_b, vpc_ref=core, sgs=[app_sg], profile=web_profile,
                    role_arn=web_role, private_ip="10.10.11.37", days=35, tag=t("prod", "web", "prod-web-2"))
    batch1 = instance(PROD, EU, "batch-1", subnet_ref=priv_a, vpc_ref=core, sgs=[batch_sg], profile=batch_profile,
                      role_arn=batch_role, itype="c7g.2xlarge", private_ip="10.10.10.88", days=12, monitoring=True,
                      tag=t("prod", "data", "prod-batch-worker-1"))
    # MISCONFIGURED: public bastion with IMDSv1 and no instance role.
    bastion = instance(PROD, EU, "bastion-1", subnet_ref=pub_a, vpc_ref=core, sgs=[bastion_sg], itype="t3.micro",
                       public_ip="203.0.113.24", private_ip="10.10.0.12", tokens="optional", key="ops-bastion",
                       days=410, tag=t("prod", "platform", "prod-bastion-1"))
    # MISCONFIGURED: legacy Windows FTP server: public, RDP open, IMDSv1, no role, unencrypted disk.
    ftp = instance(PROD, EU, "legacy-ftp-01", subnet_ref=def_a, vpc_ref=default_vpc, sgs=[ftp_sg],
                   itype="m5.large", public_ip="203.0.113.87", private_ip="172.31.9.140", tokens="optional",
                   platform="windows", key="warehouse-legacy", days=1300,
                   tag=t("prod", "warehouse", "legacy-ftp-01", decommission="2026-Q2"))

    volume(PROD, EU, "web-1-root", "eu-west-1a", inst=web1, kms=ebs_key, days=35, tag=t("prod", "web"))
    volume(PROD, EU, "web-2-root", "eu-west-1b", inst=web2, kms=ebs_key, days=35, tag=t("prod", "web"))
    volume(PROD, EU, "batch-1-root", "eu-west-1a", inst=batch1, kms=ebs_key, days=12, tag=t("prod", "data"))
    volume(PROD, EU, "batch-1-scratch", "eu-west-1a", inst=batch1, size=500, kms=prod_data_key, days=12,
           device="/dev/sdf", tag=t("prod", "data"))
    volume(PROD, EU, "bastion-1-root", "eu-west-1a", inst=bastion, size=8, kms=ebs_key, days=410,
           tag=t("prod", "platform"))
    volume(PROD, EU, "legacy-ftp-01-root", "eu-west-1a", inst=ftp, size=120, vtype="gp2", encrypted=False,
           days=1300, device="/dev/sda1", tag=t("prod", "warehouse"))  # MISCONFIGURED
    volume(PROD, EU, "migration-scratch", "eu-west-1b", size=1000, vtype="st1", encrypted=False, days=540,
           device="/dev/sdg", tag=t("prod", "data", "etl-migration-scratch"))  # MISCONFIGURED: orphaned, unencrypted

    db_instance(PROD, EU, "northwind-prod-orders", engine="postgres", version="16.4", klass="db.r6g.xlarge",
                vpc_ref=core, sgs=[db_sg], kms=prod_rds_key, tag=t("prod", "platform", **{"data-classification": "confidential"}))
    # MISCONFIGURED: reporting replica: single AZ in prod, no minor upgrades, no deletion protection.
    db_instance(PROD, EU, "northwind-prod-reporting", engine="mysql", version="8.0.39", klass="db.m6g.large",
                vpc_ref=core, sgs=[db_sg], kms=prod_rds_key, backups=7, multi_az=False, auto_minor=False,
                deletion_protection=False, iam_auth=False, port=3306, logs=("error", "slowquery"),
                tag=t("prod", "data"))

    # MISCONFIGURED: a single-region data-events trail set up by hand, without validation, KMS or CloudWatch.
    trail(PROD, EU, "prod-s3-data-events", "northwind-org-cloudtrail", multi_region=False, validation=False,
          prefix="prod-data-events", mgmt=(),
          data_events=[("AWS::S3::Object", "All", ["arn:aws:s3:::northwind-prod-customer-documents/",
                                                   "arn:aws:s3:::northwind-prod-invoices/"])],
          tag=t("prod", "security"))

    function(PROD, EU, "invoice-generator", role_arn=invoice_role, env=["LOG_LEVEL", "INVOICE_BUCKET", "DB_SECRET_ARN"],
             kms=prod_data_key, vpc_cfg=(core, [priv_a, priv_b], [batch_sg]), memory=1024, timeout=120, days=20,
             tag=t("prod", "finance"))
    # MISCONFIGURED: public function URL without authentication (signature checked in code).
    function(PROD, EU, "carrier-webhook-receiver", role_arn=lambda_basic_role, runtime="nodejs20.x",
             env=["LOG_LEVEL", "SIGNING_KEY_PARAM_NAME", "QUEUE_URL"], url_auth="NONE", days=90,
             tag=t("prod", "warehouse"))
    # MISCONFIGURED: deprecated runtime and an SMTP password in the environment.
    function(PROD, EU, "legacy-report-mailer", role_arn=lambda_basic_role, runtime="python3.8",
             env=["SMTP_HOST", "SMTP_USER", "SMTP_PASSWORD", "REPORT_RECIPIENTS"], memory=256, timeout=300,
             days=760, tracing="PassThrough", tag=t("prod", "finance"))

    # ---------------------------------------------------------- staging account (444455556666)
    # MISCONFIGURED: neglected staging account: root access key, virtual root MFA, weak password
    # policy, no security contact.
    account_settings(STAGING, "northwind-staging", root_hardware_mfa=False, root_access_keys_present=True,
                     root_password_last_used=at(19, 16, 40), root_password_last_used_age_days=age(19),
                     password_policy={
                         "minimum_password_length": 8, "require_symbols": False, "require_numbers": True,
                         "require_uppercase_characters": True, "require_lowercase_characters": True,
                         "allow_users_to_change_password": True, "expire_passwords": False,
                         "max_password_age": None, "password_reuse_prevention": None, "hard_expiry": False},
                     alternate_contacts={"security": None, "billing": None, "operations": None})
    stg_key = kms_key(STAGING, EU, "alias/northwind-staging-data", rotation=False,  # MISCONFIGURED
                      description="Staging data", days=500, tag=t("staging", "platform"))
    kms_key(STAGING, EU, "alias/old-staging-app", state="PendingDeletion", rotation=False,  # MISCONFIGURED
            description="Old staging app key", days=900, deletion_in=7, tag=t("staging", "web"))

    # MISCONFIGURED: public-read ACL on the asset bucket, no Block Public Access, ACLs enabled.
    bucket(STAGING, EU, "northwind-staging-assets", sse="AES256", pab=None, policy=None, versioning=False,
           ownership="ObjectWriter",
           acl=[{"grantee_type": "Group", "grantee_id": None, "grantee_uri": ALL_USERS, "permission": "READ"}],
           days=600, tag=t("staging", "web"))
    # UNKNOWN: bucket policy could not be read.
    bucket(STAGING, EU, "northwind-staging-uploads", kms=stg_key, days=300, omit=("policy",),
           tag=t("staging", "web"))
    # MISCONFIGURED: trail bucket without access logging or versioning.
    bucket(STAGING, EU, "northwind-staging-cloudtrail", sse="AES256", versioning=False, days=700,
           extra_statements=[
               stmt("Allow", ["s3:GetBucketAcl"], ["arn:aws:s3:::northwind-staging-cloudtrail"],
                    {"service": ["cloudtrail.amazonaws.com"]}, sid="CloudTrailAclCheck"),
               stmt("Allow", ["s3:PutObject"], [f"arn:aws:s3:::northwind-staging-cloudtrail/AWSLogs/{STAGING}/*"],
                    {"service": ["cloudtrail.amazonaws.com"]},
                    [("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"])], sid="CloudTrailWrite")],
           tag=t("staging", "platform"))
    # MISCONFIGURED: logging stopped during a cost clean-up, no KMS, no CloudWatch Logs.
    trail(STAGING, EU, "staging-trail", "northwind-staging-cloudtrail", logging=False, tag=t("staging", "platform"))

    stg_admin = managed_policy(STAGING, "staging-admin-all", doc(stmt("Allow", ["*"], ["*"])),  # MISCONFIGURED
                               description="Quick fix for staging deploys", days=450, updated=450)
    role(STAGING, "OrganizationAccountAccessRole", trust({"aws": [f"arn:aws:iam::{SECURITY}:root"]}), [ADMIN],
         days=1000, last_used=60)
    stg_web_role = role(STAGING, "staging-web-ec2-role", trust({"service": ["ec2.amazonaws.com"]}),
                        [SSM_CORE, stg_admin], days=450, last_used=0, tag=t("staging", "web"))
    stg_profile = instance_profile(STAGING, "staging-web-ec2-profile", stg_web_role, days=450)
    user(STAGING, "chen.wei", 400, console=True, pw_used=2, pw_changed=60, mfa=True, groups=["developers"],
         tag=t("staging", "web"))
    user(STAGING, "ci-staging", 420, path="/ci/", keys=[("Active", 60, 0)], groups=["ci-deployers"],
         tag=t("staging", "platform"))
    # MISCONFIGURED: contractor account created months ago, never signed in, no MFA.
    user(STAGING, "tmp-contractor", 120, console=True, pw_used=None, mfa=False, groups=["developers"],
         tag=t("staging", "web", expires="2026-09-30"))

    stg_vpc = vpc(STAGING, EU, "staging", "10.30.0.0/16", tag=t("staging", "platform", "staging-vpc"))  # MISCONFIGURED
    stg_pub = subnet(STAGING, EU, stg_vpc, "public-a", "10.30.0.0/24", "eu-west-1a", public=True,  # MISCONFIGURED
                     tag=t("staging", "platform", "staging-public-a"))
    stg_priv = subnet(STAGING, EU, stg_vpc, "private-a", "10.30.10.0/24", "eu-west-1a",
                      tag=t("staging", "platform", "staging-private-a"))
    security_group(STAGING, EU, stg_vpc, "default", "default", "default VPC security group", [], [], default=True)
    stg_web_sg = security_group(STAGING, EU, stg_vpc, "web", "staging-web", "Staging portal", [
        rule("tcp", 443, cidr4="0.0.0.0/0", desc="HTTPS"),
        rule("tcp", 22, cidr4="198.51.100.0/24", desc="SSH from Hamburg office")], tag=t("staging", "web"))
    # MISCONFIGURED: MySQL opened to the internet "for a demo".
    stg_db_sg = security_group(STAGING, EU, stg_vpc, "db", "staging-db", "Staging databases", [
        rule("tcp", 5432, sg=stg_web_sg[1]),
        rule("tcp", (3306, 3306), cidr4="0.0.0.0/0", desc="partner demo"),
        rule("tcp", (3306, 3306), cidr6="::/0", desc="partner demo")], [], tag=t("staging", "data"))
    # MISCONFIGURED: public IP and IMDSv1 (SSH is limited to the office range).
    stg_web = instance(STAGING, EU, "staging-web-1", subnet_ref=stg_pub, vpc_ref=stg_vpc, sgs=[stg_web_sg],
                       profile=stg_profile, role_arn=stg_web_role, itype="t3.medium", public_ip="203.0.113.140",
                       private_ip="10.30.0.17", tokens="optional", key="staging-deploy", days=90,
                       tag=t("staging", "web", "staging-web-1"))
    # UNKNOWN: collected from an AWS Config item that lacked metadata options.
    stg_worker = instance(STAGING, EU, "staging-worker-1", subnet_ref=stg_priv, vpc_ref=stg_vpc, sgs=[stg_web_sg],
                          profile=stg_profile, role_arn=stg_web_role, itype="t3.large", private_ip="10.30.10.44",
                          days=30, omit=("metadata_options",), tag=t("staging", "data", "staging-worker-1"))
    volume(STAGING, EU, "staging-web-1-root", "eu-west-1a", inst=stg_web, kms=stg_key, days=90,
           tag=t("staging", "web"))
    volume(STAGING, EU, "staging-worker-1-root", "eu-west-1a", inst=stg_worker, kms=stg_key, days=30,
           omit=("encrypted", "kms_key_id"), tag=t("staging", "data"))  # UNKNOWN
    # MISCONFIGURED: staging database restored from a prod snapshot long ago: public, unencrypted, 1-day backups.
    db_instance(STAGING, EU, "northwind-staging-orders", engine="postgres", version="15.8", klass="db.t4g.medium",
                vpc_ref=stg_vpc, sgs=[stg_db_sg], kms=None, public=True, backups=1, multi_az=False,
                deletion_protection=False, iam_auth=False, logs=(), tag=t("staging", "platform"))
    function(STAGING, EU, "image-resizer", role_arn=stg_web_role, package="Image", env=["OUTPUT_BUCKET", "MAX_WIDTH"],
             url_auth="AWS_IAM", memory=2048, timeout=60, days=25, tag=t("staging", "web"))


def main():
    build()
    header = {"format": "posture-snapshot", "version": 1, "source": "demo",
              "collected_at": COLLECTED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"), "accounts": ACCOUNTS}
    uids = [r["uid"] for r in resources]
    assert len(uids) == len(set(uids)), "duplicate uid"
    known = set(uids)
    for r in resources:
        for rel in r.get("relations", []):
            assert rel["target"] in known, f"{r['uid']} -> {rel['target']} is not in the estate"
    with open(OUT, "w") as f:
        f.write(json.dumps(header, separators=(",", ":")) + "\n")
        for r in resources:
            f.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"wrote {len(resources)} resources to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
