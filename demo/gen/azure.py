#!/usr/bin/env python3
"""Generates demo/azure.ndjson: the Azure part of the demo estate of Northwind Logistics.

Python standard library only and deterministic: GUIDs are derived from names by hashing and dates
are fixed relative to the collection time. Run from anywhere:

    python3 demo/gen/azure.py          # writes demo/azure.ndjson next to this folder

The estate: two subscriptions, Production (westeurope, some northeurope) and Non-Production
(northeurope). The transport management system (TMS) runs on VMs behind an internal load balancer
with Azure SQL, Key Vault and storage; a customer portal and a tracking API run on App Service; an
EDI gateway exchanges files with partners over SFTP. Most resources are configured well; a realistic
minority is not (marked `# MISCONFIGURED` below), and a few attributes are left out on purpose
(`# UNKNOWN`) to show what a collector that was denied a call produces. Attributes follow
schema/kinds/azure.*.json; ARM ids are lower case.
"""

import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

COLLECTED_AT = datetime(2026, 11, 28, 9, 0, 0, tzinfo=timezone.utc)
PROD = "6f1d2c3b-8a47-4e59-b0c2-5d7e9f14a3b8"
NONPROD = "b83e0a54-27c9-4d1f-9e6a-3c5f8d2b7e10"
TENANT = "2a9c4e71-5b3d-4f80-8c16-e7d0b9a3f452"
WEU, NEU = "westeurope", "northeurope"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "azure.ndjson")

resources = []


def guid(*parts):
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def ts(days_ago, hour=9):
    t = (COLLECTED_AT - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def future(days):
    return (COLLECTED_AT + timedelta(days=days)).strftime("%Y-%m-%dT00:00:00Z")


def sub_id(sub):
    return f"/subscriptions/{sub}"


def rg_id(sub, rg):
    return f"/subscriptions/{sub}/resourcegroups/{rg}"


def arm(sub, rg, rtype, name):
    return f"/subscriptions/{sub}/resourcegroups/{rg}/providers/{rtype}/{name}".lower()


def tags(env, team, owner, cc, **extra):
    t = {"env": env, "team": team, "owner": f"{owner}@northwind.example", "cost-center": cc}
    t.update(extra)
    return t


def add(uid, kind, sub, region, name, tag, attrs, relations=()):
    r = {"uid": uid, "kind": kind, "provider": "azure", "account": sub}
    if region:
        r["region"] = region
    r["name"] = name
    if tag:
        r["tags"] = tag
    r["attrs"] = attrs
    if relations:
        r["relations"] = [{"type": t, "target": target} for t, target in relations]
    resources.append(r)
    return uid


# ------------------------------------------------------------------------------------------ teams
PLATFORM = ("platform", "m.jansen", "CC-4100")
TMS = ("tms", "a.kowalski", "CC-4210")
WEB = ("customer-portal", "l.moreau", "CC-4220")
EDI = ("integration", "s.okafor", "CC-4230")
DATA = ("data", "r.silva", "CC-4300")
SEC = ("security", "j.lindqvist", "CC-4050")


def t_prod(team, **extra):
    return tags("prod", *team, **extra)


def t_dev(team, **extra):
    return tags("dev", *team, **extra)


# ------------------------------------------------------------------------------------------ subscriptions
def diag(name, cats, dest=("log_analytics",)):
    return {"name": name, "categories_enabled": list(cats), "destination_types": list(dest)}


add(sub_id(PROD), "azure.resources.subscription", PROD, "global", "Northwind Production",
    t_prod(PLATFORM), {
        "display_name": "Northwind Production",
        "state": "Enabled",
        "tenant_id": TENANT,
        "management_group_ancestors": ["northwind", "nw-landing-zones", "nw-prod"],
        "security_contact": {"emails": ["secops@northwind.example"], "phone": "+31 20 555 0142",
                             "alert_notifications_enabled": True, "alert_minimal_severity": "Medium",
                             "notify_roles": ["Owner"]},
        "activity_log_diagnostic_settings": [
            diag("activity-to-sentinel", ["Administrative", "Security", "Policy", "Alert", "ServiceHealth"])],
    })
# MISCONFIGURED: nobody receives Defender alerts and the activity log is not exported.
add(sub_id(NONPROD), "azure.resources.subscription", NONPROD, "global", "Northwind Non-Production",
    t_dev(PLATFORM), {
        "display_name": "Northwind Non-Production",
        "state": "Enabled",
        "tenant_id": TENANT,
        "management_group_ancestors": ["northwind", "nw-landing-zones", "nw-nonprod"],
        "security_contact": None,
        "activity_log_diagnostic_settings": [],
    })

RG = {}
for sub, name, region, team, env in [
    (PROD, "rg-nw-prod-network", WEU, PLATFORM, "prod"),
    (PROD, "rg-nw-prod-tms", WEU, TMS, "prod"),
    (PROD, "rg-nw-prod-data", WEU, DATA, "prod"),
    (PROD, "rg-nw-prod-web", WEU, WEB, "prod"),
    (PROD, "rg-nw-prod-security", WEU, SEC, "prod"),
    (NONPROD, "rg-nw-dev-network", NEU, PLATFORM, "dev"),
    (NONPROD, "rg-nw-dev-tms", NEU, TMS, "dev"),
]:
    locks = [{"name": "no-delete", "level": "CanNotDelete"}] if env == "prod" else []
    RG[name] = add(rg_id(sub, name), "azure.resources.resource_group", sub, region, name,
                   tags(env, *team), {"provisioning_state": "Succeeded", "managed_by": None,
                                      "resource_locks": locks})

# ------------------------------------------------------------------------------------------ network
NET = "microsoft.network"
vnet_prod = arm(PROD, "rg-nw-prod-network", f"{NET}/virtualnetworks", "vnet-nw-prod-weu")
vnet_dev = arm(NONPROD, "rg-nw-dev-network", f"{NET}/virtualnetworks", "vnet-nw-dev-neu")
add(vnet_prod, "azure.network.virtual_network", PROD, WEU, "vnet-nw-prod-weu", t_prod(PLATFORM), {
    "address_space": ["10.10.0.0/16"], "dns_servers": [], "enable_ddos_protection": False,
    "ddos_protection_plan_id": None, "peerings": [],
})
add(vnet_dev, "azure.network.virtual_network", NONPROD, NEU, "vnet-nw-dev-neu", t_dev(PLATFORM), {
    "address_space": ["10.50.0.0/16"], "dns_servers": [], "enable_ddos_protection": False,
    "ddos_protection_plan_id": None, "peerings": [],
})


def nsg_rule(name, prio, access, proto, src, ports, direction="Inbound", dst=("*",), desc=None):
    return {"name": name, "description": desc, "priority": prio, "direction": direction,
            "access": access, "protocol": proto, "source_address_prefixes": list(src),
            "source_port_ranges": ["*"], "destination_address_prefixes": list(dst),
            "destination_port_ranges": list(ports), "source_application_security_group_ids": [],
            "destination_application_security_group_ids": []}


FLOWLOG_SA = arm(PROD, "rg-nw-prod-security", "microsoft.storage/storageaccounts", "stnwprodflowlogs")


def flow_log(days, ta=True):
    return {"enabled": True, "retention_days": days, "traffic_analytics_enabled": ta,
            "storage_account_id": FLOWLOG_SA}


def nsg(sub, rg, name, region, team, rules, flow, subnets=(), nics=()):
    uid = arm(sub, rg, f"{NET}/networksecuritygroups", name)
    env = "prod" if sub == PROD else "dev"
    add(uid, "azure.network.network_security_group", sub, region, name, tags(env, *team), {
        "security_rules": rules, "flow_log": flow, "subnet_ids": list(subnets),
        "network_interface_ids": list(nics)})
    return uid


def subnet_uid(vnet, name):
    return f"{vnet}/subnets/{name}"


SN = {
    "app": subnet_uid(vnet_prod, "snet-app"),
    "data": subnet_uid(vnet_prod, "snet-data"),
    "mgmt": subnet_uid(vnet_prod, "snet-mgmt"),
    "integration": subnet_uid(vnet_prod, "snet-integration"),
    "webapp": subnet_uid(vnet_prod, "snet-webapp-integration"),
    "dev": subnet_uid(vnet_dev, "snet-dev-app"),
}


def nic_uid(sub, rg, vm):
    return arm(sub, rg, f"{NET}/networkinterfaces", f"{vm}-nic01")


NIC = {
    "tms1": nic_uid(PROD, "rg-nw-prod-tms", "vm-nw-prod-tms-01"),
    "tms2": nic_uid(PROD, "rg-nw-prod-tms", "vm-nw-prod-tms-02"),
    "jump": nic_uid(PROD, "rg-nw-prod-network", "vm-nw-prod-jump-01"),
    "edi": nic_uid(PROD, "rg-nw-prod-tms", "vm-nw-prod-edi-01"),
    "build": nic_uid(NONPROD, "rg-nw-dev-tms", "vm-nw-dev-build-01"),
}

NSG = {}
NSG["app"] = nsg(PROD, "rg-nw-prod-network", "nsg-nw-prod-app", WEU, PLATFORM, [
    nsg_rule("allow-ilb-probe", 100, "Allow", "Tcp", ["AzureLoadBalancer"], ["8080"]),
    nsg_rule("allow-tms-from-vnet", 110, "Allow", "Tcp", ["10.10.0.0/16"], ["8080", "8443"]),
    nsg_rule("allow-ssh-from-mgmt", 200, "Allow", "Tcp", ["10.10.3.0/24"], ["22"]),
    nsg_rule("deny-all-inbound", 4000, "Deny", "*", ["*"], ["*"]),
], flow_log(90), subnets=[SN["app"]])
NSG["data"] = nsg(PROD, "rg-nw-prod-network", "nsg-nw-prod-data", WEU, PLATFORM, [
    nsg_rule("allow-sql-from-app", 100, "Allow", "Tcp", ["10.10.1.0/24"], ["1433"]),
    nsg_rule("deny-all-inbound", 4000, "Deny", "*", ["*"], ["*"]),
], flow_log(90), subnets=[SN["data"]])
# MISCONFIGURED: a "temporary" vendor rule opened RDP to the world on the management subnet,
# and its flow logs are kept for only 30 days.
NSG["mgmt"] = nsg(PROD, "rg-nw-prod-network", "nsg-nw-prod-mgmt", WEU, PLATFORM, [
    nsg_rule("allow-rdp-vendor-temp", 300, "Allow", "Tcp", ["*"], ["3389"],
             desc="Temporary access for WMS vendor support - INC-20431"),
    nsg_rule("allow-ssh-from-vpn", 310, "Allow", "Tcp", ["172.20.0.0/16"], ["22"]),
    nsg_rule("deny-all-inbound", 4000, "Deny", "*", ["*"], ["*"]),
], flow_log(30, ta=False), subnets=[SN["mgmt"]])
NSG["edi"] = nsg(PROD, "rg-nw-prod-tms", "nsg-vm-nw-prod-edi-01", WEU, EDI, [
    nsg_rule("allow-sftp-partners", 100, "Allow", "Tcp", ["198.51.100.0/24", "203.0.113.64/27"], ["22"],
             desc="SFTP from carrier and customs broker networks"),
    nsg_rule("allow-as2-https", 110, "Allow", "Tcp", ["Internet"], ["443"]),
    nsg_rule("deny-all-inbound", 4000, "Deny", "*", ["*"], ["*"]),
], flow_log(90), nics=[NIC["edi"]])
# MISCONFIGURED: developers opened SSH to the internet on the dev subnet; no flow log at all.
NSG["dev"] = nsg(NONPROD, "rg-nw-dev-network", "nsg-nw-dev-app", NEU, PLATFORM, [
    nsg_rule("allow-ssh", 100, "Allow", "Tcp", ["0.0.0.0/0"], ["22"]),
    nsg_rule("allow-http-dev", 110, "Allow", "Tcp", ["10.50.0.0/16"], ["8080"]),
], None, subnets=[SN["dev"]])


def subnet(sub, key, prefix, nsg_uid, vnet, region, team, delegations=(), endpoints=()):
    env = "prod" if sub == PROD else "dev"
    rels = [("in_vpc", vnet)] + ([("has_security_group", nsg_uid)] if nsg_uid else [])
    add(SN[key], "azure.network.subnet", sub, region, SN[key].rsplit("/", 1)[1], tags(env, *team), {
        "address_prefixes": [prefix], "network_security_group_id": nsg_uid, "route_table_id": None,
        "service_endpoints": list(endpoints), "delegations": list(delegations),
        "private_endpoint_network_policies": "Disabled", "default_outbound_access": False,
    }, rels)


subnet(PROD, "app", "10.10.1.0/24", NSG["app"], vnet_prod, WEU, PLATFORM, endpoints=["Microsoft.Storage"])
subnet(PROD, "data", "10.10.2.0/24", NSG["data"], vnet_prod, WEU, PLATFORM)
subnet(PROD, "mgmt", "10.10.3.0/24", NSG["mgmt"], vnet_prod, WEU, PLATFORM)
subnet(PROD, "integration", "10.10.4.0/24", None, vnet_prod, WEU, PLATFORM)
subnet(PROD, "webapp", "10.10.5.0/24", None, vnet_prod, WEU, PLATFORM, delegations=["Microsoft.Web/serverFarms"])
subnet(NONPROD, "dev", "10.50.1.0/24", NSG["dev"], vnet_dev, NEU, PLATFORM)

PIP = {}
for key, rg, vm, ip, team in [("jump", "rg-nw-prod-network", "vm-nw-prod-jump-01", "20.105.212.47", PLATFORM),
                              ("edi", "rg-nw-prod-tms", "vm-nw-prod-edi-01", "20.105.214.9", EDI)]:
    PIP[key] = add(arm(PROD, rg, f"{NET}/publicipaddresses", f"pip-{vm}"), "azure.network.public_ip_address",
                   PROD, WEU, f"pip-{vm}", t_prod(team), {
                       "ip_address": ip, "ip_version": "IPv4", "allocation_method": "Static",
                       "sku_name": "Standard", "ddos_protection_mode": "VirtualNetworkInherited",
                       "ip_configuration_id": f"{NIC[key]}/ipconfigurations/ipconfig1"})


def nic(key, sub, region, vm_uid, subnet_key, ip, team, nsg_uid=None, pip=None):
    env = "prod" if sub == PROD else "dev"
    rels = [("in_subnet", SN[subnet_key])]
    if nsg_uid:
        rels.insert(0, ("has_security_group", nsg_uid))
    if pip:
        rels.append(("has_public_ip", PIP[pip]))
    pub = [next(r for r in resources if r["uid"] == PIP[pip])["attrs"]["ip_address"]] if pip else []
    add(NIC[key], "azure.network.network_interface", sub, region, NIC[key].rsplit("/", 1)[1], tags(env, *team), {
        "virtual_machine_id": vm_uid, "enable_ip_forwarding": False, "enable_accelerated_networking": True,
        "network_security_group_id": nsg_uid,
        "ip_configurations": [{"name": "ipconfig1", "primary": True, "private_ip_address": ip,
                               "private_ip_allocation_method": "Static" if pip else "Dynamic",
                               "subnet_id": SN[subnet_key], "public_ip_address_id": PIP[pip] if pip else None}],
        "private_ip_addresses": [ip], "public_ip_addresses": pub,
    }, rels)
    return pub


# ------------------------------------------------------------------------------------------ key vaults and keys
KV = "microsoft.keyvault/vaults"
kv_tms = arm(PROD, "rg-nw-prod-security", KV, "kv-nw-prod-tms")
kv_data = arm(PROD, "rg-nw-prod-data", KV, "kv-nw-prod-data")
kv_dev = arm(NONPROD, "rg-nw-dev-tms", KV, "kv-nw-dev-tms")
LAW = arm(PROD, "rg-nw-prod-security", "microsoft.operationalinsights/workspaces", "law-nw-security")


def pe(name, sub=PROD, rg="rg-nw-prod-network"):
    return {"private_endpoint_id": arm(sub, rg, f"{NET}/privateendpoints", name), "status": "Approved"}


add(kv_tms, "azure.keyvault.vault", PROD, WEU, "kv-nw-prod-tms", t_prod(SEC), {
    "sku_name": "premium", "tenant_id": TENANT, "enable_soft_delete": True, "soft_delete_retention_days": 90,
    "enable_purge_protection": True, "enable_rbac_authorization": True, "public_network_access": "Disabled",
    "network_acls": {"default_action": "Deny", "bypass": ["AzureServices"], "ip_rules": [], "virtual_network_rules": []},
    "private_endpoint_connections": [pe("pe-kv-nw-prod-tms")], "access_policies": [],
    "diagnostic_settings": [{"name": "audit-to-law", "categories_enabled": ["audit"],
                             "destination_types": ["log_analytics"], "retention_days": None}],
})
# MISCONFIGURED: created by the data team from an old template: no purge protection, access policies
# instead of RBAC, and no audit log export.
add(kv_data, "azure.keyvault.vault", PROD, WEU, "kv-nw-prod-data", t_prod(DATA), {
    "sku_name": "standard", "tenant_id": TENANT, "enable_soft_delete": True, "soft_delete_retention_days": 90,
    "enable_purge_protection": None, "enable_rbac_authorization": False, "public_network_access": "Enabled",
    "network_acls": {"default_action": "Deny", "bypass": ["AzureServices"], "ip_rules": ["203.0.113.10"],
                     "virtual_network_rules": [SN["data"]]},
    "private_endpoint_connections": [],
    "access_policies": [
        {"object_id": guid("grp", "NW-Data-Engineers"), "key_permissions": ["get", "list", "create", "delete", "purge"],
         "secret_permissions": ["all"], "certificate_permissions": []},
        {"object_id": guid("mi", "sql-nw-prod-tms"), "key_permissions": ["get", "wrapKey", "unwrapKey"],
         "secret_permissions": [], "certificate_permissions": []},
    ],
    "diagnostic_settings": [],
})
# MISCONFIGURED: dev vault reachable from any network, no audit logs.
add(kv_dev, "azure.keyvault.vault", NONPROD, NEU, "kv-nw-dev-tms", t_dev(TMS), {
    "sku_name": "standard", "tenant_id": TENANT, "enable_soft_delete": True, "soft_delete_retention_days": 7,
    "enable_purge_protection": True, "enable_rbac_authorization": True, "public_network_access": "Enabled",
    "network_acls": None, "private_endpoint_connections": [], "access_policies": [], "diagnostic_settings": [],
})

KEY = {}


def key(vault_uid, sub, name, team, expires, rotation, ktype="RSA-HSM", size=3072, created=200):
    uid = f"{vault_uid}/keys/{name}"
    KEY[name] = add(uid, "azure.keyvault.key", sub, WEU, name, t_prod(team), {
        "key_type": ktype, "key_size": size, "curve_name": None, "enabled": True, "expires_on": expires,
        "not_before": None, "created_on": ts(created), "rotation_policy": rotation,
    }, [("in_vault", vault_uid)])
    return uid


key(kv_tms, PROD, "storage-cmk", SEC, future(300), {"auto_rotate": True, "rotate_after_days": 335, "expiry_days": 365})
key(kv_tms, PROD, "disk-cmk", SEC, future(240), {"auto_rotate": True, "rotate_after_days": 335, "expiry_days": 365})
# MISCONFIGURED: the TDE protector key never expires and never rotates.
key(kv_data, PROD, "sql-tde", DATA, None, None, ktype="RSA", size=2048, created=610)

# ------------------------------------------------------------------------------------------ storage accounts
ST = "microsoft.storage/storageaccounts"


def blob_service(days, container_days, versioning=False):
    return {"delete_retention_policy": {"enabled": days is not None, "days": days},
            "container_delete_retention_policy": {"enabled": container_days is not None, "days": container_days},
            "versioning_enabled": versioning, "change_feed_enabled": versioning}


def storage(sub, rg, name, region, tag, attrs, rels=()):
    base = {
        "account_kind": "StorageV2", "sku_name": "Standard_ZRS", "access_tier": "Hot", "https_only": True,
        "minimum_tls_version": "TLS1_2", "allow_blob_public_access": False, "allow_shared_key_access": False,
        "allow_cross_tenant_replication": False, "public_network_access": "Enabled",
        "network_rule_set": {"default_action": "Deny", "bypass": ["AzureServices"], "ip_rules": [],
                             "virtual_network_rules": [SN["app"]] if sub == PROD else []},
        "private_endpoint_connections": [],
        "encryption": {"key_source": "Microsoft.Storage", "key_vault_key_uri": None,
                       "require_infrastructure_encryption": True},
        "blob_service": blob_service(14, 14, True),
        "key_expiration_period_days": 90, "diagnostic_settings": [], "creation_time": ts(500),
    }
    base.update(attrs)
    return add(arm(sub, rg, ST, name), "azure.storage.account", sub, region, name, tag, base, rels)


storage(PROD, "rg-nw-prod-tms", "stnwprodtmsdocs", WEU, t_prod(TMS, **{"data-class": "confidential"}), {
    "sku_name": "Standard_GZRS",
    "encryption": {"key_source": "Microsoft.Keyvault",
                   "key_vault_key_uri": "https://kv-nw-prod-tms.vault.azure.net/keys/storage-cmk",
                   "require_infrastructure_encryption": True},
    "blob_service": blob_service(30, 30, True),
    "private_endpoint_connections": [pe("pe-stnwprodtmsdocs-blob")],
    "diagnostic_settings": [{"name": "blob-audit", "categories_enabled": ["StorageRead", "StorageWrite", "StorageDelete"],
                             "destination_types": ["log_analytics"], "retention_days": None}],
}, [("encrypted_with", KEY["storage-cmk"])])
# MISCONFIGURED (minor): shared keys still in use by the telemetry ingestion, single encryption layer.
storage(PROD, "rg-nw-prod-tms", "stnwprodtelemetry", WEU, t_prod(TMS), {
    "allow_shared_key_access": None,
    "encryption": {"key_source": "Microsoft.Storage", "key_vault_key_uri": None,
                   "require_infrastructure_encryption": None},
    "blob_service": blob_service(7, 7, False), "creation_time": ts(900),
})
storage(PROD, "rg-nw-prod-data", "stnwprodbackups", WEU, t_prod(DATA, **{"data-class": "confidential"}), {
    "sku_name": "Standard_RAGZRS", "access_tier": "Cool", "blob_service": blob_service(30, 30, True),
})
# MISCONFIGURED: static assets of the public website served straight from anonymous blob containers,
# with the account open to every network.
storage(PROD, "rg-nw-prod-web", "stnwprodwebassets", WEU, t_prod(WEB), {
    "allow_blob_public_access": True, "allow_shared_key_access": True,
    "network_rule_set": {"default_action": "Allow", "bypass": ["AzureServices"], "ip_rules": [],
                         "virtual_network_rules": []},
    "sku_name": "Standard_RAGRS", "creation_time": ts(1400),
})
# UNKNOWN: the collector was denied Microsoft.Storage/storageAccounts/blobServices/read here.
flowlogs = storage(PROD, "rg-nw-prod-security", "stnwprodflowlogs", WEU, t_prod(SEC), {
    "sku_name": "Standard_LRS", "allow_shared_key_access": True,
})
del next(r for r in resources if r["uid"] == flowlogs)["attrs"]["blob_service"]
# MISCONFIGURED: a dev scratch account created by hand years ago: HTTP allowed, TLS 1.0.
storage(NONPROD, "rg-nw-dev-tms", "stnwdevscratch", NEU, t_dev(TMS), {
    "sku_name": "Standard_LRS", "https_only": False, "minimum_tls_version": "TLS1_0",
    "allow_shared_key_access": True, "allow_blob_public_access": False,
    "encryption": {"key_source": "Microsoft.Storage", "key_vault_key_uri": None,
                   "require_infrastructure_encryption": None},
    "blob_service": blob_service(None, None, False), "key_expiration_period_days": None, "creation_time": ts(1650),
})
# UNKNOWN: exported with an API version that predates allowSharedKeyAccess.
tfstate = storage(NONPROD, "rg-nw-dev-tms", "stnwdevtfstate", NEU, t_dev(PLATFORM), {
    "sku_name": "Standard_GRS", "blob_service": blob_service(30, 30, True),
})
del next(r for r in resources if r["uid"] == tfstate)["attrs"]["allow_shared_key_access"]

# ------------------------------------------------------------------------------------------ virtual machines
VM = "microsoft.compute/virtualmachines"
DES = arm(PROD, "rg-nw-prod-security", "microsoft.compute/diskencryptionsets", "des-nw-prod-cmk")


def ext(name, publisher, etype, version, state="Succeeded"):
    return {"name": name, "publisher": publisher, "type": etype, "type_handler_version": version,
            "provisioning_state": state, "auto_upgrade_minor_version": True}


MDE_LINUX = ext("MDE.Linux", "Microsoft.Azure.AzureDefenderForServers", "MDE.Linux", "1.0")
AMA_LINUX = ext("AzureMonitorLinuxAgent", "Microsoft.Azure.Monitor", "AzureMonitorLinuxAgent", "1.33")
AMA_WIN = ext("AzureMonitorWindowsAgent", "Microsoft.Azure.Monitor", "AzureMonitorWindowsAgent", "1.30")


def disk(name, enc, des=None, lun=None, sub=PROD, rg="rg-nw-prod-tms"):
    d = {"name": name, "managed": True, "disk_id": arm(sub, rg, "microsoft.compute/disks", name),
         "encryption_type": enc, "disk_encryption_set_id": des, "azure_disk_encryption": False}
    if lun is not None:
        d["lun"] = lun
    return d


def vm(key, sub, rg, name, region, team, size, os_type, image, os_disk, data_disks, sec, os_profile,
       extensions, subnet_key, ip, identity, nsg_uid=None, pip=None, zone="1"):
    env = "prod" if sub == PROD else "dev"
    uid = arm(sub, rg, VM, name)
    pub = nic(key, sub, region, uid, subnet_key, ip, team, nsg_uid, pip)
    add(uid, "azure.compute.virtual_machine", sub, region, name, tags(env, *team), {
        "vm_size": size, "os_type": os_type, "power_state": "running", "image_reference": image,
        "os_disk": os_disk, "data_disks": data_disks, "security_profile": sec, "os_profile": os_profile,
        "extensions": extensions, "public_ip_addresses": pub, "private_ip_addresses": [ip],
        "identity": identity, "boot_diagnostics_enabled": True, "availability_zone": zone,
    }, [("has_network_interface", NIC[key])])


UBUNTU = {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2",
          "version": "latest", "gallery_image_id": None}
TRUSTED = {"encryption_at_host": True, "security_type": "TrustedLaunch", "secure_boot_enabled": True,
           "vtpm_enabled": True}


def linux_profile(host, user="azureops", password_off=True, patch="AutomaticByPlatform"):
    return {"computer_name": host, "admin_username": user, "disable_password_authentication": password_off,
            "provision_vm_agent": True, "patch_mode": patch}


def sys_identity(name):
    return {"type": "SystemAssigned", "principal_id": guid("mi", name), "user_assigned_identities": []}


CMK = "EncryptionAtRestWithCustomerKey"
PMK = "EncryptionAtRestWithPlatformKey"
for i, zone in ((1, "1"), (2, "2")):
    name = f"vm-nw-prod-tms-0{i}"
    vm(f"tms{i}", PROD, "rg-nw-prod-tms", name, WEU, TMS, "Standard_D4s_v5", "Linux", UBUNTU,
       disk(f"{name}-osdisk", CMK, DES), [disk(f"{name}-data01", CMK, DES, lun=0)], TRUSTED,
       linux_profile(name), [MDE_LINUX, AMA_LINUX], "app", f"10.10.1.{3 + i}", sys_identity(name), zone=zone)

# MISCONFIGURED: the old Windows jump host: public IP, RDP open to the internet through the subnet NSG,
# the Defender for Endpoint onboarding failed, no encryption at host, platform keys.
vm("jump", PROD, "rg-nw-prod-network", "vm-nw-prod-jump-01", WEU, PLATFORM, "Standard_B2ms", "Windows",
   {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2019-datacenter-gensecond",
    "version": "latest", "gallery_image_id": None},
   disk("vm-nw-prod-jump-01-osdisk", PMK, rg="rg-nw-prod-network"), [],
   {"encryption_at_host": None, "security_type": None, "secure_boot_enabled": None, "vtpm_enabled": None},
   {"computer_name": "nwjump01", "admin_username": "nwadmin", "disable_password_authentication": None,
    "provision_vm_agent": True, "patch_mode": "AutomaticByOS"},
   [ext("MDE.Windows", "Microsoft.Azure.AzureDefenderForServers", "MDE.Windows", "1.0", state="Failed"), AMA_WIN],
   "mgmt", "10.10.3.4", None, pip="jump", zone=None)

# The EDI gateway is deliberately internet-facing (SFTP for partners, restricted by its NIC NSG).
vm("edi", PROD, "rg-nw-prod-tms", "vm-nw-prod-edi-01", WEU, EDI, "Standard_D2s_v5", "Linux",
   {"publisher": "RedHat", "offer": "RHEL", "sku": "9-lvm-gen2", "version": "latest", "gallery_image_id": None},
   disk("vm-nw-prod-edi-01-osdisk", PMK), [disk("vm-nw-prod-edi-01-data01", PMK, lun=0)], TRUSTED,
   linux_profile("nwedi01", patch="ImageDefault"), [MDE_LINUX, AMA_LINUX], "integration", "10.10.4.4",
   sys_identity("vm-nw-prod-edi-01"), nsg_uid=NSG["edi"], pip="edi")

# MISCONFIGURED: dev build agent with password SSH login, no endpoint agent, no encryption at host.
vm("build", NONPROD, "rg-nw-dev-tms", "vm-nw-dev-build-01", NEU, PLATFORM, "Standard_D8s_v5", "Linux", UBUNTU,
   disk("vm-nw-dev-build-01-osdisk", PMK, sub=NONPROD, rg="rg-nw-dev-tms"),
   [disk("vm-nw-dev-build-01-data01", PMK, lun=0, sub=NONPROD, rg="rg-nw-dev-tms")],
   {"encryption_at_host": False, "security_type": "TrustedLaunch", "secure_boot_enabled": True, "vtpm_enabled": True},
   linux_profile("nwbuild01", user="builder", password_off=False, patch="ImageDefault"),
   [ext("CustomScript", "Microsoft.Azure.Extensions", "CustomScript", "2.1")], "dev", "10.50.1.4",
   None, zone=None)

# ------------------------------------------------------------------------------------------ SQL
SQL = "microsoft.sql/servers"


def sql(sub, rg, name, region, team, attrs, rels=()):
    env = "prod" if sub == PROD else "dev"
    base = {"version": "12.0", "administrator_login": "nwsqladmin", "minimal_tls_version": "1.2",
            "public_network_access": "Disabled",
            "azure_ad_admin": {"login": "NW-SQL-Admins", "sid": guid("grp", "NW-SQL-Admins"), "principal_type": "Group",
                               "azure_ad_only_authentication": False},
            "auditing": {"state": "Enabled", "retention_days": 180, "is_azure_monitor_target_enabled": True,
                         "storage_endpoint": None},
            "tde_protector": {"server_key_type": "ServiceManaged", "key_uri": None, "auto_rotation_enabled": False},
            "firewall_rules": [], "advanced_threat_protection_state": "Enabled", "databases": []}
    base.update(attrs)
    return add(arm(sub, rg, SQL, name), "azure.sql.server", sub, region, name, tags(env, *team), base, rels)


sql(PROD, "rg-nw-prod-data", "sql-nw-prod-tms", WEU, TMS, {
    "tde_protector": {"server_key_type": "AzureKeyVault",
                      "key_uri": "https://kv-nw-prod-data.vault.azure.net/keys/sql-tde/5d0c9e4f2b8a41c7a3e61f0b9d2c7e48",
                      "auto_rotation_enabled": True},
    "databases": [
        {"name": "tms", "sku_name": "GP_Gen5_8", "tde_state": "Enabled", "backup_storage_redundancy": "Geo"},
        {"name": "tms-archive", "sku_name": "GP_S_Gen5_2", "tde_state": "Enabled", "backup_storage_redundancy": "Geo"},
    ],
}, [("encrypted_with", KEY["sql-tde"])])
# MISCONFIGURED: the reporting server lets every Azure service in, has no Entra admin, keeps audit
# records for 30 days only and uses a service-managed TDE key.
sql(PROD, "rg-nw-prod-data", "sql-nw-prod-reporting", WEU, DATA, {
    "public_network_access": "Enabled", "azure_ad_admin": None,
    "auditing": {"state": "Enabled", "retention_days": 30, "is_azure_monitor_target_enabled": False,
                 "storage_endpoint": "https://stnwprodbackups.blob.core.windows.net/"},
    "firewall_rules": [
        {"name": "AllowAllWindowsAzureIps", "start_ip_address": "0.0.0.0", "end_ip_address": "0.0.0.0"},
        {"name": "hq-amsterdam", "start_ip_address": "203.0.113.10", "end_ip_address": "203.0.113.10"},
    ],
    "databases": [{"name": "reporting", "sku_name": "S3", "tde_state": "Enabled", "backup_storage_redundancy": "Local"}],
})

# ------------------------------------------------------------------------------------------ App Service
SITE = "microsoft.web/sites"


def site(sub, rg, name, region, team, kind, attrs, cfg=None, rels=()):
    env = "prod" if sub == PROD else "dev"
    base = {"site_kind": kind, "state": "Running", "https_only": True, "client_cert_enabled": False,
            "client_cert_mode": None, "public_network_access": "Enabled", "identity": sys_identity(name),
            "auth_enabled": False, "virtual_network_subnet_id": None,
            "site_config": {"min_tls_version": "1.2", "scm_min_tls_version": "1.2", "ftps_state": "Disabled",
                            "remote_debugging_enabled": False, "remote_debugging_version": None,
                            "http20_enabled": True, "linux_fx_version": "DOTNETCORE|8.0", "always_on": True,
                            "ip_security_restrictions_default_action": "Allow"}}
    base.update(attrs)
    base["site_config"].update(cfg or {})
    return add(arm(sub, rg, SITE, name), "azure.web.site", sub, region, name, tags(env, *team), base, rels)


site(PROD, "rg-nw-prod-web", "app-nw-prod-customer-portal", WEU, WEB, "app,linux",
     {"virtual_network_subnet_id": SN["webapp"], "auth_enabled": True},
     {"linux_fx_version": "NODE|20-lts"}, [("in_subnet", SN["webapp"])])
# MISCONFIGURED: the tracking API still accepts plain FTP deployments and has no managed identity
# (it reads a storage connection string from app settings).
site(PROD, "rg-nw-prod-web", "app-nw-prod-tracking-api", WEU, WEB, "app,linux",
     {"identity": None}, {"ftps_state": "AllAllowed"})
site(PROD, "rg-nw-prod-tms", "func-nw-prod-edi-ingest", WEU, EDI, "functionapp,linux",
     {"virtual_network_subnet_id": SN["webapp"]},
     {"ftps_state": "FtpsOnly", "linux_fx_version": "PYTHON|3.11", "always_on": False},
     [("in_subnet", SN["webapp"])])
# MISCONFIGURED: remote debugging left on after a debugging session.
site(NONPROD, "rg-nw-dev-tms", "app-nw-dev-customer-portal", NEU, WEB, "app,linux", {},
     {"remote_debugging_enabled": True, "remote_debugging_version": "VS2022", "linux_fx_version": "NODE|20-lts"})

# ------------------------------------------------------------------------------------------ Defender plans
for sub, plan, tier, subplan, exts in [
    (PROD, "VirtualMachines", "Standard", "P2", [("AgentlessVmScanning", True), ("MdeDesignatedSubscription", False)]),
    (PROD, "SqlServers", "Standard", None, []),
    (PROD, "AppServices", "Standard", None, []),
    (PROD, "StorageAccounts", "Standard", "DefenderForStorageV2", [("OnUploadMalwareScanning", True),
                                                                   ("SensitiveDataDiscovery", True)]),
    (PROD, "KeyVaults", "Standard", "PerKeyVault", []),
    (PROD, "Arm", "Free", None, []),  # MISCONFIGURED: no Defender for Resource Manager
    (NONPROD, "VirtualMachines", "Free", None, []),  # MISCONFIGURED: dev left on the free tier
    (NONPROD, "StorageAccounts", "Free", None, []),  # MISCONFIGURED
]:
    env = "prod" if sub == PROD else "dev"
    add(f"/subscriptions/{sub}/providers/microsoft.security/pricings/{plan.lower()}", "azure.security.pricing",
        sub, "global", plan, None, {
            "plan": plan, "pricing_tier": tier, "sub_plan": subplan,
            "enablement_time": ts(420) if tier == "Standard" else None, "deprecated": False,
            "extensions": [{"name": n, "is_enabled": e} for n, e in exts],
        }, [("scoped_to", sub_id(sub))])

# ------------------------------------------------------------------------------------------ role assignments
ROLES = {"Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
         "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7"}


def role_assignment(sub, scope, role, ptype, display, user_type="unset", days=300):
    uid = f"{scope}/providers/microsoft.authorization/roleassignments/{guid('ra', scope, role, display)}".lower()
    scope_type = "subscription" if "/resourcegroups/" not in scope else "resource_group"
    attrs = {"principal_id": guid("principal", display), "principal_type": ptype,
             "principal_display_name": display,
             "principal_user_type": (user_type if ptype == "User" else None),
             "role_definition_id": f"/subscriptions/{sub}/providers/microsoft.authorization/roledefinitions/{ROLES[role]}",
             "role_name": role, "role_type": "BuiltInRole", "scope": scope.lower(), "scope_type": scope_type,
             "condition": None, "created_on": ts(days)}
    if user_type is None:
        del attrs["principal_user_type"]  # UNKNOWN: Microsoft Graph could not be read for this principal
    add(uid, "azure.authorization.role_assignment", sub, "global", f"{role} for {display}", None, attrs,
        [("scoped_to", scope.lower())])


role_assignment(PROD, sub_id(PROD), "Owner", "Group", "NW-Azure-Platform-Admins", days=880)
role_assignment(PROD, RG["rg-nw-prod-tms"], "Contributor", "ServicePrincipal", "sp-nw-github-actions-tms", days=410)
role_assignment(PROD, sub_id(PROD), "Reader", "User", "t.nakamura@northwind.example", user_type="Member", days=150)
# MISCONFIGURED: the first Terraform pipeline still owns the whole subscription.
role_assignment(PROD, sub_id(PROD), "Owner", "ServicePrincipal", "sp-nw-terraform-legacy", days=1190)
# MISCONFIGURED: an external consultant kept Contributor on the data resource group.
role_assignment(PROD, RG["rg-nw-prod-data"], "Contributor", "User",
                "k.berg_contoso-consulting.example#EXT#@northwind.onmicrosoft.com", user_type="Guest", days=260)
# UNKNOWN: Graph lookup denied for this break-glass account, so its user type is not known.
role_assignment(PROD, sub_id(PROD), "Owner", "User", "bg-admin-01@northwind.onmicrosoft.com", user_type=None, days=1000)
role_assignment(NONPROD, sub_id(NONPROD), "Contributor", "Group", "NW-Developers", days=700)

# ------------------------------------------------------------------------------------------ write
header = {"format": "posture-snapshot", "version": 1, "source": "demo",
          "collected_at": COLLECTED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"), "accounts": [PROD, NONPROD]}
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
