#!/usr/bin/env python3
"""Generates demo/gcp.ndjson: the Google Cloud part of the demo estate of Northwind Logistics.

Python standard library only and deterministic: ids are derived from names by hashing and dates are
fixed relative to the collection time. Run from anywhere:

    python3 demo/gen/gcp.py            # writes demo/gcp.ndjson next to this folder

The estate: two projects. northwind-prod-4821 runs the TMS API on Compute Engine with Cloud SQL
for PostgreSQL (europe-west1) and a few older workloads in us-central1, among them a legacy FTP
server still in the auto-created `default` network. northwind-data-7730 holds the data platform:
landing and curated buckets, BigQuery datasets, ETL workers and a Jupyter VM. Most resources are
configured well; a realistic minority is not (marked `# MISCONFIGURED` below), and a few attributes
are left out on purpose (`# UNKNOWN`). Attributes follow schema/kinds/gcp.*.json; uids are full
resource names as Cloud Asset Inventory writes them (buckets as `projects/_/buckets/NAME`).
"""

import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

COLLECTED_AT = datetime(2026, 11, 28, 9, 0, 0, tzinfo=timezone.utc)
PROD, DATA = "northwind-prod-4821", "northwind-data-7730"
NUMBER = {PROD: "418829305517", DATA: "772054318806"}
ORG = "organizations/604217938352"
FOLDER = {PROD: "folders/281734905116", DATA: "folders/281734905377"}
EUW1, USC1 = "europe-west1", "us-central1"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gcp.ndjson")

resources = []


def digits(n, *parts):
    h = int(hashlib.sha256("/".join(parts).encode()).hexdigest(), 16)
    return str(h)[:n]


def hexid(n, *parts):
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


def ts(days_ago, hour=9):
    t = (COLLECTED_AT - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def future(days):
    return (COLLECTED_AT + timedelta(days=days)).strftime("%Y-%m-%dT00:00:00Z")


def labels(env, team, owner, cc, **extra):
    t = {"env": env, "team": team, "owner": owner, "cost-center": cc.lower()}
    t.update(extra)
    return t


PLATFORM = ("platform", "m-jansen", "CC-4100")
TMS = ("tms", "a-kowalski", "CC-4210")
WEB = ("customer-portal", "l-moreau", "CC-4220")
EDI = ("integration", "s-okafor", "CC-4230")
DATAT = ("data", "r-silva", "CC-4300")
SEC = ("security", "j-lindqvist", "CC-4050")


def lab(project, team, **extra):
    # both projects are production; the project is told apart by `account`
    return labels("prod", *team, **extra)


def add(uid, kind, project, region, name, tag, attrs, relations=()):
    r = {"uid": uid, "kind": kind, "provider": "gcp", "account": project, "region": region, "name": name}
    if tag:
        r["tags"] = tag
    r["attrs"] = attrs
    if relations:
        r["relations"] = [{"type": t, "target": target} for t, target in relations]
    resources.append(r)
    return uid


def member(role, m, cond=None):
    return {"role": role, "member": m, "condition_title": cond}


def sa_email(project, name):
    return f"{name}@{project}.iam.gserviceaccount.com"


def default_sa(project):
    return f"{NUMBER[project]}-compute@developer.gserviceaccount.com"


# ------------------------------------------------------------------------------------------ projects
PROJECT_UID = {p: f"//cloudresourcemanager.googleapis.com/projects/{NUMBER[p]}" for p in (PROD, DATA)}
SERVICES = ["compute.googleapis.com", "iam.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com",
            "cloudkms.googleapis.com", "storage.googleapis.com", "sqladmin.googleapis.com",
            "servicenetworking.googleapis.com", "iap.googleapis.com", "cloudasset.googleapis.com"]


def audit(service, types, exempt=()):
    return [{"service": service, "log_type": t, "exempted_members": list(exempt)} for t in types]


def agents(project):
    n = NUMBER[project]
    return [
        member("roles/editor", f"serviceAccount:{n}@cloudservices.gserviceaccount.com"),
        member("roles/compute.serviceAgent", f"serviceAccount:service-{n}@compute-system.iam.gserviceaccount.com"),
        member("roles/cloudsql.serviceAgent", f"serviceAccount:service-{n}@gcp-sa-cloud-sql.iam.gserviceaccount.com"),
    ]


add(PROJECT_UID[PROD], "gcp.resourcemanager.project", PROD, "global", PROD, lab(PROD, PLATFORM), {
    "project_id": PROD, "project_number": NUMBER[PROD], "lifecycle_state": "ACTIVE", "parent": FOLDER[PROD],
    "iam_members": agents(PROD) + [
        member("roles/owner", "group:gcp-platform-admins@northwind.example"),
        member("roles/viewer", "group:northwind-engineering@northwind.example"),
        member("roles/compute.osAdminLogin", "group:gcp-platform-admins@northwind.example"),
        member("roles/compute.osLogin", "group:tms-developers@northwind.example"),
        member("roles/iap.tunnelResourceAccessor", "group:tms-developers@northwind.example"),
        member("roles/cloudsql.client", f"serviceAccount:{sa_email(PROD, 'sa-tms-api')}"),
        member("roles/logging.logWriter", f"serviceAccount:{sa_email(PROD, 'sa-tms-api')}"),
        member("roles/monitoring.metricWriter", f"serviceAccount:{sa_email(PROD, 'sa-reporting')}"),
        # MISCONFIGURED: the CI deployer was given Editor "to unblock a release" and kept it.
        member("roles/editor", f"serviceAccount:{sa_email(PROD, 'sa-ci-deployer')}"),
    ],
    "audit_log_configs": audit("allServices", ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]),
    "common_instance_metadata": {"enable_oslogin": True, "block_project_ssh_keys": None,
                                 "serial_port_enable": None, "has_ssh_keys": False},
    "enabled_services": SERVICES,
    "essential_contacts": [{"email": "secops@northwind.example", "notification_categories": ["SECURITY", "SUSPENSION"]},
                           {"email": "cloud-platform@northwind.example", "notification_categories": ["TECHNICAL"]}],
})
# MISCONFIGURED: Data Access logs for reads exempt the ETL account, a freelance analyst was added with
# a Gmail address, and the data engineers can act as every service account of the project.
add(PROJECT_UID[DATA], "gcp.resourcemanager.project", DATA, "global", DATA, lab(DATA, DATAT), {
    "project_id": DATA, "project_number": NUMBER[DATA], "lifecycle_state": "ACTIVE", "parent": FOLDER[DATA],
    "iam_members": agents(DATA) + [
        member("roles/owner", "group:gcp-platform-admins@northwind.example"),
        member("roles/bigquery.dataEditor", "group:data-engineering@northwind.example"),
        member("roles/bigquery.jobUser", "group:data-analysts@northwind.example"),
        member("roles/iam.serviceAccountUser", "group:data-engineering@northwind.example"),
        member("roles/bigquery.dataViewer", "user:freelance.analyst.k@gmail.com"),
        member("roles/bigquery.jobUser", "user:freelance.analyst.k@gmail.com"),
        member("roles/storage.objectUser", f"serviceAccount:{sa_email(DATA, 'sa-etl')}",
               cond="only nw-data-7730 buckets"),
        member("roles/dataflow.worker", f"serviceAccount:{sa_email(DATA, 'sa-dataflow-runner')}"),
        # The default compute service account kept the automatic Editor grant in this older project.
        member("roles/editor", f"serviceAccount:{default_sa(DATA)}"),
    ],
    "audit_log_configs": audit("allServices", ["ADMIN_READ", "DATA_WRITE"])
    + audit("allServices", ["DATA_READ"], exempt=[f"serviceAccount:{sa_email(DATA, 'sa-etl')}"]),
    "common_instance_metadata": {"enable_oslogin": True, "block_project_ssh_keys": None,
                                 "serial_port_enable": None, "has_ssh_keys": False},
    "enabled_services": SERVICES + ["bigquery.googleapis.com", "dataflow.googleapis.com", "notebooks.googleapis.com"],
    "essential_contacts": [{"email": "secops@northwind.example", "notification_categories": ["SECURITY"]}],
})

# ------------------------------------------------------------------------------------------ KMS
KEY = {}


def kms_key(project, ring, name, team, rotation_days, iam=(), created=400):
    uid = f"//cloudkms.googleapis.com/projects/{project}/locations/{EUW1}/keyRings/{ring}/cryptoKeys/{name}"
    KEY[(project, name)] = add(uid, "gcp.kms.crypto_key", project, EUW1, name, lab(project, team), {
        "key_ring": f"projects/{project}/locations/{EUW1}/keyRings/{ring}",
        "purpose": "ENCRYPT_DECRYPT", "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protection_level": "HSM",
        "primary_state": "ENABLED",
        "rotation_period_seconds": rotation_days * 86400 if rotation_days else None,
        "next_rotation_time": future(37) if rotation_days else None,
        "destroy_scheduled_duration_seconds": 2592000,
        "iam_members": list(iam), "create_time": ts(created),
    })
    return uid


def kms_name(project, ring, name):
    return f"projects/{project}/locations/{EUW1}/keyRings/{ring}/cryptoKeys/{name}"


GS_AGENT = {p: f"serviceAccount:service-{NUMBER[p]}@gs-project-accounts.iam.gserviceaccount.com" for p in (PROD, DATA)}
SQL_AGENT = {p: f"serviceAccount:service-{NUMBER[p]}@gcp-sa-cloud-sql.iam.gserviceaccount.com" for p in (PROD, DATA)}
BQ_AGENT = f"serviceAccount:bq-{NUMBER[DATA]}@bigquery-encryption.iam.gserviceaccount.com"
ENCDEC = "roles/cloudkms.cryptoKeyEncrypterDecrypter"

kms_key(PROD, "nw-prod-euw1", "storage", SEC, 90, [member(ENCDEC, GS_AGENT[PROD])])
# MISCONFIGURED: the Cloud SQL key rotates only once a year.
kms_key(PROD, "nw-prod-euw1", "cloudsql", SEC, 365, [member(ENCDEC, SQL_AGENT[PROD])], created=700)
kms_key(DATA, "nw-data-euw1", "storage", DATAT, 90, [member(ENCDEC, GS_AGENT[DATA])])
kms_key(DATA, "nw-data-euw1", "bigquery", DATAT, 90, [member(ENCDEC, BQ_AGENT)])

# ------------------------------------------------------------------------------------------ service accounts
SA = {}


def service_account(project, name, display, keys=(), email=None, team=PLATFORM, iam=()):
    email = email or sa_email(project, name)
    unique = digits(21, "sa", email)
    uid = f"//iam.googleapis.com/projects/{project}/serviceAccounts/{unique}"
    SA[(project, name)] = add(uid, "gcp.iam.service_account", project, "global", email, None, {
        "email": email, "unique_id": unique, "display_name": display, "description": None, "disabled": False,
        "keys": [{"key_id": hexid(40, "sk", email), "key_type": "SYSTEM_MANAGED", "key_origin": None,
                  "key_algorithm": "KEY_ALG_RSA_2048", "valid_after_time": ts(11), "valid_before_time": future(720),
                  "disabled": False, "age_days": 11}] + list(keys),
        "iam_members": list(iam),
    })
    return uid


def user_key(email, age):
    return {"key_id": hexid(40, "uk", email), "key_type": "USER_MANAGED", "key_origin": "GOOGLE_PROVIDED",
            "key_algorithm": "KEY_ALG_RSA_2048", "valid_after_time": ts(age), "valid_before_time": "9999-12-31T23:59:59Z",
            "disabled": False, "age_days": age}


service_account(PROD, "default-compute", "Compute Engine default service account", email=default_sa(PROD))
service_account(PROD, "sa-tms-api", "TMS API workloads",
                iam=[member("roles/iam.serviceAccountUser", "group:gcp-platform-admins@northwind.example")])
# MISCONFIGURED: the CI deployer authenticates with a downloaded key created 212 days ago.
service_account(PROD, "sa-ci-deployer", "CI/CD deployer (GitLab)", [user_key(sa_email(PROD, "sa-ci-deployer"), 212)])
service_account(PROD, "sa-netops", "Network appliances")
service_account(PROD, "sa-reporting", "Reporting batch jobs")
service_account(PROD, "sa-edi-sftp", "EDI SFTP gateway", team=EDI)
service_account(DATA, "default-compute", "Compute Engine default service account", email=default_sa(DATA))
service_account(DATA, "sa-etl", "ETL workers", team=DATAT)
# MISCONFIGURED: a user-managed key (recent, so only the "no user-managed keys" rule fails).
service_account(DATA, "sa-dataflow-runner", "Dataflow job runner",
                [user_key(sa_email(DATA, "sa-dataflow-runner"), 40)], team=DATAT)
# UNKNOWN: the collector was denied iam.serviceAccountKeys.list on this account.
looker = service_account(DATA, "sa-looker", "Looker BI connection", team=DATAT)
del next(r for r in resources if r["uid"] == looker)["attrs"]["keys"]

# ------------------------------------------------------------------------------------------ networks
NETWORK, SUBNET, FW = {}, {}, {}


def net_uid(project, name):
    return f"//compute.googleapis.com/projects/{project}/global/networks/{name}"


def network(project, name, mode):
    NETWORK[(project, name)] = add(net_uid(project, name), "gcp.compute.network", project, "global", name,
                                   None, {
                                       "mode": mode, "auto_create_subnetworks": mode == "auto", "ipv4_range": None,
                                       "routing_mode": "GLOBAL" if mode == "custom" else "REGIONAL",
                                       "mtu": 1460, "peerings": [],
                                   }, [])


def subnetwork(project, net, name, region, cidr, flow=True, purpose="PRIVATE", secondary=()):
    uid = f"//compute.googleapis.com/projects/{project}/regions/{region}/subnetworks/{name}"
    log = ({"enable": True, "aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5,
            "metadata": "INCLUDE_ALL_METADATA"} if flow else
           {"enable": False, "aggregation_interval": None, "flow_sampling": None, "metadata": None})
    SUBNET[(project, name)] = add(uid, "gcp.compute.subnetwork", project, region, name, None, {
        "network": NETWORK[(project, net)], "ip_cidr_range": cidr,
        "secondary_ip_ranges": [{"range_name": n, "ip_cidr_range": c} for n, c in secondary],
        "purpose": purpose, "private_ip_google_access": purpose == "PRIVATE", "stack_type": "IPV4_ONLY",
        "log_config": log,
    }, [("in_vpc", NETWORK[(project, net)])])


def firewall(project, net, name, src, allowed, target_tags=(), prio=1000, logging=True, source_tags=()):
    uid = f"//compute.googleapis.com/projects/{project}/global/firewalls/{name}"
    FW[(project, name)] = add(uid, "gcp.compute.firewall", project, "global", name, None, {
        "network": NETWORK[(project, net)], "direction": "INGRESS", "priority": prio, "disabled": False,
        "source_ranges": list(src), "destination_ranges": [], "source_tags": list(source_tags),
        "source_service_accounts": [], "target_tags": list(target_tags), "target_service_accounts": [],
        "allowed": [{"ip_protocol": p, "ports": list(ports) if ports else ["0-65535"]} for p, ports in allowed],
        "denied": [],
        "log_config": {"enable": logging, "metadata": "INCLUDE_ALL_METADATA" if logging else None},
    }, [("in_vpc", NETWORK[(project, net)])])


network(PROD, "vpc-nw-prod", "custom")
# MISCONFIGURED: the auto-created default network is still there, with its permissive rules.
network(PROD, "default", "auto")
network(DATA, "vpc-nw-data", "custom")

subnetwork(PROD, "vpc-nw-prod", "snet-prod-euw1-app", EUW1, "10.20.1.0/24")
subnetwork(PROD, "vpc-nw-prod", "snet-prod-euw1-edge", EUW1, "10.20.3.0/24")
subnetwork(PROD, "vpc-nw-prod", "snet-prod-euw1-proxy", EUW1, "10.20.250.0/24", flow=False,
           purpose="REGIONAL_MANAGED_PROXY")
# MISCONFIGURED: the us-central1 subnet was created without flow logs.
subnetwork(PROD, "vpc-nw-prod", "snet-prod-usc1-app", USC1, "10.30.1.0/24", flow=False)
subnetwork(PROD, "default", "default", USC1, "10.128.0.0/20", flow=False)  # MISCONFIGURED (default network)
subnetwork(DATA, "vpc-nw-data", "snet-data-euw1-etl", EUW1, "10.40.1.0/24")
subnetwork(DATA, "vpc-nw-data", "snet-data-euw1-analytics", EUW1, "10.40.2.0/24")

IAP = "35.235.240.0/20"
firewall(PROD, "vpc-nw-prod", "fw-prod-allow-iap-ssh", [IAP], [("tcp", ["22"])])
firewall(PROD, "vpc-nw-prod", "fw-prod-allow-lb-health", ["130.211.0.0/22", "35.191.0.0/16"], [("tcp", ["8080"])],
         target_tags=["tms-api"])
firewall(PROD, "vpc-nw-prod", "fw-prod-allow-internal", ["10.20.0.0/16", "10.30.0.0/16"],
         [("tcp", None), ("udp", None), ("icmp", None)], prio=65000, logging=False)
firewall(PROD, "vpc-nw-prod", "fw-prod-allow-sftp-partners", ["198.51.100.0/24", "203.0.113.64/27"],
         [("tcp", ["22"])], target_tags=["edi-sftp"])
# MISCONFIGURED: the default network's pre-populated rules.
firewall(PROD, "default", "default-allow-ssh", ["0.0.0.0/0"], [("tcp", ["22"])], prio=65534, logging=False)
firewall(PROD, "default", "default-allow-rdp", ["0.0.0.0/0"], [("tcp", ["3389"])], prio=65534, logging=False)
firewall(PROD, "default", "default-allow-internal", ["10.128.0.0/9"],
         [("tcp", ["0-65535"]), ("udp", ["0-65535"]), ("icmp", None)], prio=65534, logging=False)
firewall(DATA, "vpc-nw-data", "fw-data-allow-iap-ssh", [IAP], [("tcp", ["22"])])
firewall(DATA, "vpc-nw-data", "fw-data-allow-internal", ["10.40.0.0/16"], [("all", None)], prio=65000, logging=False)
# MISCONFIGURED: a partner's analysts query the warehouse VM's PostgreSQL directly from their office.
firewall(DATA, "vpc-nw-data", "fw-data-allow-postgres-partner", ["198.51.100.0/24"], [("tcp", ["5432"])],
         target_tags=["pg-replica"])

# ------------------------------------------------------------------------------------------ instances
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
DEFAULT_SCOPES = ["https://www.googleapis.com/auth/devstorage.read_only",
                  "https://www.googleapis.com/auth/logging.write",
                  "https://www.googleapis.com/auth/monitoring.write",
                  "https://www.googleapis.com/auth/service.management.readonly",
                  "https://www.googleapis.com/auth/servicecontrol",
                  "https://www.googleapis.com/auth/trace.append"]
SHIELDED = {"enable_secure_boot": True, "enable_vtpm": True, "enable_integrity_monitoring": True}


def meta(oslogin=None, block=None, serial=None, keys=False):
    return {"enable_oslogin": oslogin, "block_project_ssh_keys": block, "serial_port_enable": serial,
            "has_ssh_keys": keys}


def instance(project, name, zone, team, mtype, net, subnet, ip, sa_key, scopes, firewalls, external_ip=None,
             metadata=None, shielded=SHIELDED, forward=False, cmek=None, created=300, extra_tags=None):
    region = zone.rsplit("-", 1)[0]
    uid = f"//compute.googleapis.com/projects/{project}/zones/{zone}/instances/{name}"
    sa_uid = SA[(project, sa_key)]
    email = next(r for r in resources if r["uid"] == sa_uid)["attrs"]["email"]
    access = ([{"name": "External NAT", "type": "ONE_TO_ONE_NAT", "nat_ip": external_ip, "network_tier": "PREMIUM"}]
              if external_ip else [])
    boot = {"device_name": "persistent-disk-0", "boot": True,
            "source": f"//compute.googleapis.com/projects/{project}/zones/{zone}/disks/{name}",
            "encryption": "CUSTOMER_MANAGED" if cmek else "GOOGLE_MANAGED",
            "kms_key_name": cmek}
    attrs = {
        "zone": zone, "machine_type": mtype, "status": "RUNNING",
        "network_interfaces": [{"name": "nic0", "network": NETWORK[(project, net)], "subnetwork": SUBNET[(project, subnet)],
                                "network_ip": ip, "access_configs": access}],
        "can_ip_forward": forward,
        "service_accounts": [{"email": email, "scopes": scopes}],
        "metadata": metadata or meta(),
        "shielded_instance_config": shielded, "confidential_compute_enabled": False,
        "disks": [boot], "deletion_protection": project == PROD and name.startswith("vm-nw-prod-tms"),
        "creation_timestamp": ts(created),
    }
    if shielded == "absent":
        del attrs["shielded_instance_config"]  # UNKNOWN: not returned for this older instance by the export
    rels = [("uses_service_account", sa_uid), ("in_vpc", NETWORK[(project, net)]),
            ("in_subnet", SUBNET[(project, subnet)]), ("in_project", PROJECT_UID[project])]
    rels += [("has_firewall_rule", FW[(project, f)]) for f in firewalls]
    if cmek:
        rels.append(("encrypted_with", KEY[(project, cmek.rsplit("/", 1)[1])]))
    add(uid, "gcp.compute.instance", project, region, name, lab(project, team, **(extra_tags or {})), attrs, rels)


PROD_BASE_FW = ["fw-prod-allow-iap-ssh", "fw-prod-allow-internal"]
for i, zone in ((1, "europe-west1-b"), (2, "europe-west1-c")):
    instance(PROD, f"vm-nw-prod-tms-api-{i}", zone, TMS, "e2-standard-4", "vpc-nw-prod", "snet-prod-euw1-app",
             f"10.20.1.{9 + i}", "sa-tms-api", [CLOUD_PLATFORM], PROD_BASE_FW + ["fw-prod-allow-lb-health"],
             cmek=kms_name(PROD, "nw-prod-euw1", "storage"), created=120)
# The SFTP gateway is deliberately internet-facing; its SSH is limited to partner ranges.
instance(PROD, "vm-nw-prod-edi-sftp-1", "europe-west1-b", EDI, "e2-standard-2", "vpc-nw-prod", "snet-prod-euw1-edge",
         "10.20.3.5", "sa-edi-sftp", [CLOUD_PLATFORM], PROD_BASE_FW + ["fw-prod-allow-sftp-partners"],
         external_ip="34.140.77.212", metadata=meta(block=True), created=410)
# MISCONFIGURED: a self-built NAT instance that forwards packets and has an external IP.
instance(PROD, "vm-nw-prod-nat-euw1", "europe-west1-d", PLATFORM, "e2-small", "vpc-nw-prod", "snet-prod-euw1-edge",
         "10.20.3.2", "sa-netops", [CLOUD_PLATFORM], PROD_BASE_FW, external_ip="34.76.152.40", forward=True,
         created=980)
# UNKNOWN: Shielded VM settings missing from the export for this instance.
instance(PROD, "vm-nw-prod-reporting-usc1", "us-central1-b", TMS, "n2-standard-2", "vpc-nw-prod",
         "snet-prod-usc1-app", "10.30.1.4", "sa-reporting", [CLOUD_PLATFORM], PROD_BASE_FW, shielded="absent",
         created=760)
# MISCONFIGURED: the legacy FTP server: default network, default service account with full scope,
# external IP reachable on SSH and RDP from anywhere, OS Login off, serial console on, no Shielded VM.
instance(PROD, "vm-nw-prod-legacy-ftp-usc1", "us-central1-a", EDI, "n1-standard-2", "default", "default",
         "10.128.0.7", "default-compute", [CLOUD_PLATFORM],
         ["default-allow-ssh", "default-allow-rdp", "default-allow-internal"], external_ip="34.72.118.203",
         metadata=meta(oslogin=False, serial=True, keys=True), shielded=None, created=1620)
instance(DATA, "vm-nw-data-etl-worker-1", "europe-west1-b", DATAT, "n2-highmem-4", "vpc-nw-data",
         "snet-data-euw1-etl", "10.40.1.10", "sa-etl", [CLOUD_PLATFORM],
         ["fw-data-allow-iap-ssh", "fw-data-allow-internal"], cmek=kms_name(DATA, "nw-data-euw1", "storage"))
# MISCONFIGURED: a data scientist's notebook VM: default service account, external IP, OS Login
# switched off on the instance so that a local SSH key works.
instance(DATA, "vm-nw-data-jupyter-1", "europe-west1-c", DATAT, "n2-standard-8", "vpc-nw-data",
         "snet-data-euw1-analytics", "10.40.2.17", "default-compute", DEFAULT_SCOPES,
         ["fw-data-allow-iap-ssh", "fw-data-allow-internal"], external_ip="35.205.91.118",
         metadata=meta(oslogin=False, keys=True), created=95)

# ------------------------------------------------------------------------------------------ buckets
def bucket(project, name, team, location="EUROPE-WEST1", iam=(), ubla=True, pap="enforced", versioning=True,
           retention=None, log_bucket=None, cmek=None, acls=(), website=None, storage_class="STANDARD",
           created=500, **extra_tags):
    uid = f"//storage.googleapis.com/projects/_/buckets/{name}"
    attrs = {
        "location": location, "location_type": "multi-region" if location in ("EU", "US") else "region",
        "storage_class": storage_class,
        "iam_configuration": {"uniform_bucket_level_access": {"enabled": ubla, "locked_time": ts(created - 90) if ubla else None},
                              "public_access_prevention": pap},
        "iam_members": [member("roles/storage.legacyBucketOwner", f"projectOwner:{project}"),
                        member("roles/storage.legacyBucketReader", f"projectViewer:{project}")] + list(iam),
        "acls": list(acls), "default_object_acl_public": None if ubla else False,
        "versioning": {"enabled": versioning}, "retention_policy": retention,
        "soft_delete_retention_seconds": 604800,
        "logging": {"log_bucket": log_bucket, "log_object_prefix": name} if log_bucket else None,
        "encryption": {"default_kms_key_name": cmek} if cmek else None,
        "website": website, "time_created": ts(created),
    }
    rels = [("encrypted_with", KEY[(project, cmek.rsplit("/", 1)[1])])] if cmek else []
    add(uid, "gcp.storage.bucket", project, location.lower(), name, lab(project, team, **extra_tags), attrs, rels)


ACCESS_LOGS = "nw-prod-4821-access-logs"
bucket(PROD, "nw-prod-4821-shipping-docs", TMS, iam=[member("roles/storage.objectAdmin", f"serviceAccount:{sa_email(PROD, 'sa-tms-api')}")],
       log_bucket=ACCESS_LOGS, cmek=kms_name(PROD, "nw-prod-euw1", "storage"), **{"data-class": "confidential"})
bucket(PROD, "nw-prod-4821-tfstate", PLATFORM, location="EU",
       iam=[member("roles/storage.objectAdmin", f"serviceAccount:{sa_email(PROD, 'sa-ci-deployer')}")],
       **{"data-class": "internal"})
bucket(PROD, ACCESS_LOGS, SEC, versioning=False, storage_class="NEARLINE",
       retention={"retention_period_seconds": 31536000, "is_locked": True, "effective_time": ts(380)},
       iam=[member("roles/storage.objectCreator", "group:cloud-storage-analytics@google.com")], **{"data-class": "internal"})
# MISCONFIGURED: the website's static assets bucket is public (allUsers can read), without versioning.
bucket(PROD, "nw-prod-4821-web-static", WEB, location="EU", pap="inherited", versioning=False,
       iam=[member("roles/storage.objectViewer", "allUsers")],
       website={"main_page_suffix": "index.html", "not_found_page": "404.html"}, created=1300,
       **{"data-class": "public"})
bucket(DATA, "nw-data-7730-raw-landing", DATAT, iam=[member("roles/storage.objectAdmin", f"serviceAccount:{sa_email(DATA, 'sa-etl')}")],
       cmek=kms_name(DATA, "nw-data-euw1", "storage"), **{"data-class": "confidential"})
bucket(DATA, "nw-data-7730-curated", DATAT, iam=[member("roles/storage.objectViewer", "group:data-analysts@northwind.example")],
       cmek=kms_name(DATA, "nw-data-euw1", "storage"), **{"data-class": "confidential"})
# MISCONFIGURED: partner exports shared "with anyone logged in to Google" through a legacy ACL, no
# uniform access, no customer-managed key although the data is confidential.
bucket(DATA, "nw-data-7730-partner-exports", DATAT, ubla=False, pap="inherited", versioning=False,
       acls=[{"entity": "project-owners-772054318806", "role": "OWNER"},
             {"entity": "allAuthenticatedUsers", "role": "READER"}], created=820,
       **{"data-class": "confidential"})
# MISCONFIGURED (minor): scratch bucket without versioning or enforced public access prevention.
bucket(DATA, "nw-data-7730-ml-scratch", DATAT, pap="inherited", versioning=False, created=60,
       **{"data-class": "internal"})

# ------------------------------------------------------------------------------------------ Cloud SQL
def sql(project, name, region, team, version, backups, flags, ssl_mode="ENCRYPTED_ONLY", require_ssl=None,
        public=False, networks=(), cmek=None, net=None, created=400):
    uid = f"//cloudsql.googleapis.com/projects/{project}/instances/{name}"
    attrs = {
        "database_version": version, "instance_type": "CLOUD_SQL_INSTANCE", "state": "RUNNABLE",
        "gce_zone": f"{region}-b",
        "settings": {
            "tier": "db-custom-4-16384", "availability_type": "REGIONAL" if project == PROD and not public else "ZONAL",
            "deletion_protection_enabled": not public,
            "ip_configuration": {"ipv4_enabled": public,
                                 "private_network": f"projects/{project}/global/networks/{net}" if net else None,
                                 "require_ssl": require_ssl, "ssl_mode": ssl_mode,
                                 "authorized_networks": [{"name": n, "value": v} for n, v in networks]},
            "backup_configuration": {"enabled": backups, "start_time": "02:00" if backups else None,
                                     "point_in_time_recovery_enabled": backups and not version.startswith("MYSQL"),
                                     "binary_log_enabled": (backups if version.startswith("MYSQL") else None),
                                     "retained_backups": 14 if backups else 7, "transaction_log_retention_days": 7},
            "database_flags": [{"name": k, "value": v} for k, v in flags],
        },
        "disk_encryption_configuration": {"kms_key_name": cmek} if cmek else None,
    }
    rels = [("in_vpc", NETWORK[(project, net)])] if net else []
    if cmek:
        rels.append(("encrypted_with", KEY[(project, cmek.rsplit("/", 1)[1])]))
    add(uid, "gcp.sql.instance", project, region, name, lab(project, team), attrs, rels)


sql(PROD, "sql-nw-prod-tms-pg", EUW1, TMS, "POSTGRES_15", True,
    [("log_connections", "on"), ("log_disconnections", "on"), ("cloudsql.enable_pgaudit", "on"),
     ("log_min_duration_statement", "-1")],
    cmek=kms_name(PROD, "nw-prod-euw1", "cloudsql"), net="vpc-nw-prod")
# MISCONFIGURED: a MySQL 5.7 instance kept alive after a migration: public IP open to the world,
# unencrypted connections allowed, no backups, local_infile at its default.
sql(PROD, "sql-nw-prod-legacy-mysql", USC1, EDI, "MYSQL_5_7", False, [],
    ssl_mode="ALLOW_UNENCRYPTED_AND_ENCRYPTED", require_ssl=False, public=True,
    networks=[("hq-amsterdam", "203.0.113.10/32"), ("temp-migration", "0.0.0.0/0")], created=1500)
# MISCONFIGURED (minor): the warehouse replica source never got the connection logging flags; the
# API reports only the legacy requireSsl setting for it.
sql(DATA, "sql-nw-data-warehouse-pg", EUW1, DATAT, "POSTGRES_14", True,
    [("max_connections", "400")], ssl_mode=None, require_ssl=True, net="vpc-nw-data", created=640)
sql(DATA, "sql-nw-data-bi-mssql", EUW1, DATAT, "SQLSERVER_2019_STANDARD", True,
    [("contained database authentication", "off"), ("cross db ownership chaining", "off")], net="vpc-nw-data")

# ------------------------------------------------------------------------------------------ BigQuery
def dataset(name, iam, cmek=None, created=500):
    uid = f"//bigquery.googleapis.com/projects/{DATA}/datasets/{name}"
    rels = [("encrypted_with", KEY[(DATA, cmek.rsplit("/", 1)[1])])] if cmek else []
    add(uid, "gcp.bigquery.dataset", DATA, "eu", name, lab(DATA, DATAT), {
        "location": "EU",
        "iam_members": [member("roles/bigquery.dataOwner", f"projectOwner:{DATA}"),
                        member("roles/bigquery.dataEditor", f"projectWriter:{DATA}"),
                        member("roles/bigquery.dataViewer", f"projectReader:{DATA}")] + list(iam),
        "default_encryption_configuration": {"kms_key_name": cmek} if cmek else None,
        "default_table_expiration_ms": None, "creation_time": ts(created),
    }, rels)


dataset("analytics_core", [member("roles/bigquery.dataViewer", "group:data-analysts@northwind.example")],
        cmek=kms_name(DATA, "nw-data-euw1", "bigquery"))
dataset("shipment_events", [member("roles/bigquery.dataEditor", f"serviceAccount:{sa_email(DATA, 'sa-dataflow-runner')}")],
        cmek=kms_name(DATA, "nw-data-euw1", "bigquery"))
# MISCONFIGURED: a dataset shared with every Google account for a partner, without a CMEK.
dataset("partner_share", [member("roles/bigquery.dataViewer", "allAuthenticatedUsers")], created=230)

# ------------------------------------------------------------------------------------------ write
header = {"format": "posture-snapshot", "version": 1, "source": "demo",
          "collected_at": COLLECTED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"), "accounts": [PROD, DATA]}
uids = [r["uid"] for r in resources]
assert len(uids) == len(set(uids)), "duplicate uid"
known = set(uids)
for r in resources:
    for rel in r.get("relations", []):
        assert rel["target"] in known, f"{r['uid']} -> {rel['target']} is not in the estate"
with open(OUT, "w", encoding="utf-8") as f:
    f.write(json.dumps(header, separators=(",", ":")) + "\n")
    for r in resources:
        f.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n")
print(f"wrote {len(resources)} resources to {os.path.normpath(OUT)}")
