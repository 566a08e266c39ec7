#!/usr/bin/env python3
"""Generates demo/k8s.ndjson: the Kubernetes part of the Northwind Logistics demo estate.

Three clusters: prod-eks-eu (EKS, eu-west-1: payments, shipping, monitoring, CI runners, Falco, Velero),
data-gke (GKE, europe-west4: analytics and ML training) and dc1-kubeadm (a self-managed kubeadm cluster in
the Rotterdam warehouse, whose kube-apiserver static pod shows its flags). Each cluster has its
k8s.core.cluster resource, as the collector writes it. Most objects are configured well; a
realistic minority is not (see MISCONFIGURED below), and a few attributes are left out on purpose
to show `unknown` results. Resources follow schema/kinds/k8s.*.json.

Standard library only and deterministic: running it twice gives the same file.
Usage: python3 demo/gen/k8s.py [output]   (default: demo/k8s.ndjson next to this folder)
"""

import hashlib
import json
import os
import sys

COLLECTED_AT = "2026-11-28T09:00:00Z"
EKS = "prod-eks-eu"
GKE = "data-gke"
DC1 = "dc1-kubeadm"
REGION = {EKS: "eu-west-1", GKE: "europe-west4", DC1: None}
ECR = "318467209511.dkr.ecr.eu-west-1.amazonaws.com/northwind"
GAR = "europe-west4-docker.pkg.dev/nw-data-prod/images"
SYSTEM_NAMESPACES = {"kube-system", "kube-public", "kube-node-lease"}

# What is deliberately wrong in the estate, for the demo narrative and the generator's self-check.
MISCONFIGURED = {
    f"{EKS}/_cluster/Namespace/default": "no Pod Security label, no NetworkPolicy",
    f"{EKS}/_cluster/Namespace/kube-system": "no NetworkPolicy",
    f"{EKS}/_cluster/Namespace/monitoring": "enforces only the privileged level, no NetworkPolicy",
    f"{EKS}/_cluster/Namespace/ci-runners": "enforces only the privileged level (Docker-in-Docker)",
    f"{EKS}/default/ServiceAccount/default": "token automounted",
    f"{EKS}/default/Pod/debug-shell": "leftover privileged host-network debug pod in default, image latest",
    f"{EKS}/shipping/Deployment/shipment-tracker": "Envoy sidecar without a hardened security context",
    f"{EKS}/shipping/Pod/shipment-tracker-5c9b7d8f6-q4wzt": "same as its Deployment",
    f"{EKS}/shipping/Deployment/sftp-gateway": "runs as root, no seccomp",
    f"{EKS}/shipping/Service/sftp-gateway": "SSH on a public load balancer (partner ranges only)",
    f"{EKS}/shipping/Service/legacy-carrier-bridge": "externalIPs",
    f"{EKS}/shipping/Role/shipping-deployer": "wildcard verbs",
    f"{EKS}/monitoring/DaemonSet/node-exporter": "host network/PID, hostPath, hostPort (accepted exception)",
    f"{EKS}/monitoring/Pod/node-exporter-7hx2m": "same as its DaemonSet",
    f"{EKS}/monitoring/Service/prometheus-web": "Prometheus UI on a public load balancer",
    f"{EKS}/ci-runners/Deployment/gitlab-runner": "privileged dind, service account is cluster-admin",
    f"{EKS}/ci-runners/Pod/gitlab-runner-7b6f5d9c8-m2n4r": "same as its Deployment",
    f"{EKS}/_cluster/ClusterRoleBinding/ci-runner-cluster-admin": "cluster-admin for the CI runner",
    f"{EKS}/_cluster/ClusterRole/support-impersonator": "impersonate users, groups and service accounts",
    f"{EKS}/ci-runners/Secret/gitlab-runner-token": "long-lived service account token",
    f"{GKE}/_cluster/Namespace/kube-system": "no NetworkPolicy",
    f"{GKE}/_cluster/Namespace/ml-training": "no Pod Security label, no NetworkPolicy",
    f"{GKE}/ml-training/ServiceAccount/default": "token automounted, bound to a secrets reader",
    f"{GKE}/ml-training/Deployment/jupyter-lab": "root, latest image, no limits, secret in env",
    f"{GKE}/ml-training/Job/gpu-trainer": "privileged, SYS_ADMIN, NFS volume",
    f"{GKE}/ml-training/Pod/gpu-trainer-x8k2d": "same as its Job",
    f"{GKE}/ml-training/Ingress/notebooks": "no TLS",
    f"{GKE}/ml-training/Role/notebook-secrets": "lists every Secret of the namespace",
    f"{GKE}/analytics/Role/airflow-pod-launcher": "creates pods (needed by Airflow's pod operator)",
    f"{GKE}/analytics/Deployment/airflow-scheduler": "writable root filesystem, secret in env",
    f"{GKE}/analytics/Pod/airflow-scheduler-84c6f9d7b5-hp9tz": "same as its Deployment",
    f"{GKE}/_cluster/ClusterRoleBinding/authenticated-view": "view for every authenticated user",
    f"{GKE}/_cluster/Cluster/{GKE}": "no runtime threat-detection agent, no backup tool",
    f"{EKS}/falco/DaemonSet/falco": "agent not ready on one of six nodes; host access (accepted for the sensor)",
    f"{DC1}/_cluster/Cluster/{DC1}": "no backup tool",
    f"{DC1}/kube-system/Pod/kube-apiserver-dc1-cp-1": "audit logs kept 7 days only",
}

API_VERSION = {
    "Cluster": "v1", "Namespace": "v1", "Pod": "v1", "Service": "v1", "ServiceAccount": "v1", "Secret": "v1",
    "Deployment": "apps/v1", "DaemonSet": "apps/v1", "StatefulSet": "apps/v1",
    "Job": "batch/v1", "CronJob": "batch/v1",
    "Role": "rbac.authorization.k8s.io/v1", "ClusterRole": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1", "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
    "NetworkPolicy": "networking.k8s.io/v1", "Ingress": "networking.k8s.io/v1",
}
KIND = {
    "Cluster": "k8s.core.cluster", "Namespace": "k8s.core.namespace", "Pod": "k8s.core.pod", "Service": "k8s.core.service",
    "ServiceAccount": "k8s.core.service_account", "Secret": "k8s.core.secret",
    "Deployment": "k8s.apps.deployment", "DaemonSet": "k8s.apps.daemonset", "StatefulSet": "k8s.apps.statefulset",
    "Job": "k8s.batch.job", "CronJob": "k8s.batch.cronjob",
    "Role": "k8s.rbac.role", "ClusterRole": "k8s.rbac.cluster_role",
    "RoleBinding": "k8s.rbac.role_binding", "ClusterRoleBinding": "k8s.rbac.cluster_role_binding",
    "NetworkPolicy": "k8s.networking.network_policy", "Ingress": "k8s.networking.ingress",
}
CLUSTER_SCOPED = {"Cluster", "Namespace", "ClusterRole", "ClusterRoleBinding"}
WORKLOADS = {"Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob"}

RESOURCES = []


def uid(cluster, namespace, kind, name):
    return f"{cluster}/{namespace or '_cluster'}/{kind}/{name}"


def digest(image):
    """A stable, made-up sha256 digest for an image reference."""
    return "sha256:" + hashlib.sha256(("northwind:" + image).encode()).hexdigest()


def add(cluster, kind, name, attrs, namespace=None, labels=None):
    if kind not in CLUSTER_SCOPED:
        attrs = {"namespace": namespace, **attrs}
    res = {
        "uid": uid(cluster, None if kind in CLUSTER_SCOPED else namespace, kind, name),
        "kind": KIND[kind],
        "provider": "k8s",
        "account": cluster,
        "region": REGION[cluster],
        "name": name,
        "tags": dict(labels or {}),
        "attrs": attrs,
        "relations": [],
        "origin": {"type": "api", "service": API_VERSION[kind]},
        "_k": kind,
        "_ns": namespace,
        "_cluster": cluster,
    }
    RESOURCES.append(res)
    return res


# ---------------------------------------------------------------- building blocks


def sc(**kw):
    """A container securityContext: every field known, unset ones null."""
    base = {
        "privileged": None, "allow_privilege_escalation": None, "run_as_non_root": None,
        "run_as_user": None, "run_as_group": None, "read_only_root_filesystem": None,
        "capabilities": None, "seccomp_profile": None, "app_armor_profile": None,
        "se_linux_options": None, "proc_mount": None, "windows_options": None,
    }
    base.update(kw)
    return base


def hardened(uid_=None, read_only=True, add_caps=()):
    return sc(privileged=False, allow_privilege_escalation=False, run_as_non_root=True, run_as_user=uid_,
              read_only_root_filesystem=read_only, capabilities={"add": list(add_caps), "drop": ["ALL"]})


def pod_sc(**kw):
    base = {
        "run_as_non_root": None, "run_as_user": None, "run_as_group": None, "fs_group": None,
        "supplemental_groups": [], "seccomp_profile": None, "app_armor_profile": None,
        "se_linux_options": None, "sysctls": [], "windows_options": None,
    }
    base.update(kw)
    return base


RUNTIME_DEFAULT = {"type": "RuntimeDefault", "localhost_profile": None}


def restricted_pod_sc(uid_, gid=None):
    return pod_sc(run_as_non_root=True, run_as_user=uid_, run_as_group=uid_ if gid is None else gid,
                  fs_group=uid_ if gid is None else gid,
                  seccomp_profile=RUNTIME_DEFAULT)


def res(cpu_req=None, mem_req=None, cpu_lim=None, mem_lim=None, extended=None):
    def q(cpu, mem, ext):
        return {"cpu": cpu, "memory": mem, "ephemeral_storage": None, "extended": dict(ext or {})}
    return {"requests": q(cpu_req, mem_req, extended), "limits": q(cpu_lim, mem_lim, extended)}


def port(n, name=None, host_port=None, protocol="TCP"):
    return {"name": name, "container_port": n, "host_port": host_port, "host_ip": None, "protocol": protocol}


def env(name, source="value", source_name=None):
    return {"name": name, "source": source, "source_name": source_name}


def mount(name, path, read_only=False):
    return {"name": name, "mount_path": path, "read_only": read_only}


def container(name, image, *, ctype="container", security_context=None, ports=(), resources=None,
              env_=(), env_from=(), mounts=(), probes=True, pull="IfNotPresent", command=(), args=()):
    return {
        "name": name, "container_type": ctype, "image": image, "image_pull_policy": pull,
        "command": list(command), "args": list(args),
        "ports": list(ports), "security_context": security_context,
        "resources": resources or res(),
        "env": list(env_), "env_from": list(env_from), "volume_mounts": list(mounts),
        "liveness_probe": probes and ctype == "container", "readiness_probe": probes and ctype == "container",
    }


def volume(name, type_, source_name=None, host_path=None, host_type=None, read_only=None):
    return {
        "name": name, "type": type_,
        "host_path": {"path": host_path, "type": host_type} if type_ == "host_path" else None,
        "source_name": source_name, "read_only": read_only,
    }


def pod_spec(sa, containers, volumes=(), *, automount=None, security_context=None, host_network=False,
             host_pid=False, host_ipc=False, pull_secrets=(), priority=None):
    return {
        "service_account_name": sa,
        "automount_service_account_token": automount,
        "host_network": host_network, "host_pid": host_pid, "host_ipc": host_ipc,
        "host_users": None, "share_process_namespace": None,
        "runtime_class_name": None, "priority_class_name": priority,
        "image_pull_secrets": list(pull_secrets),
        "security_context": security_context,
        "containers": list(containers),
        "volumes": list(volumes),
    }


def selector(labels):
    return {"match_labels": dict(labels), "match_expressions": []}


def workload(cluster, kind, name, ns, labels, spec, **extra):
    sel = {"app.kubernetes.io/name": labels["app.kubernetes.io/name"]}
    template_labels = {k: v for k, v in labels.items() if k != "app.kubernetes.io/version"}
    attrs = {}
    if kind == "Deployment":
        replicas = extra.pop("replicas", 2)
        attrs.update(replicas=replicas, ready_replicas=extra.pop("ready", replicas), strategy="RollingUpdate",
                     selector=selector(sel), template_labels=template_labels)
    elif kind == "DaemonSet":
        nodes = extra.pop("nodes", 6)
        attrs.update(update_strategy="RollingUpdate", desired_number_scheduled=nodes, number_ready=nodes,
                     selector=selector(sel), template_labels=template_labels)
    elif kind == "StatefulSet":
        replicas = extra.pop("replicas", 2)
        attrs.update(replicas=replicas, ready_replicas=replicas, service_name=extra.pop("service_name"),
                     update_strategy="RollingUpdate", selector=selector(sel), template_labels=template_labels)
    elif kind == "Job":
        attrs.update(completions=1, parallelism=1, backoff_limit=extra.pop("backoff_limit", 2),
                     active_deadline_seconds=extra.pop("deadline", None),
                     ttl_seconds_after_finished=extra.pop("ttl", 86400), suspend=False,
                     owner=extra.pop("owner", None), template_labels=template_labels)
    elif kind == "CronJob":
        attrs.update(schedule=extra.pop("schedule"), time_zone=extra.pop("time_zone", None), suspend=False,
                     concurrency_policy="Forbid", successful_jobs_history_limit=3, failed_jobs_history_limit=1,
                     last_schedule_time=extra.pop("last_run"), template_labels=template_labels)
    assert not extra, extra
    attrs.update(spec)
    return add(cluster, kind, name, attrs, ns, labels)


def pod(cluster, name, ns, labels, spec, owner=None, node=None, phase="Running", qos="Burstable"):
    attrs = {"phase": phase, "node_name": node, "qos_class": qos,
             "owner": {"kind": owner[0], "name": owner[1]} if owner else None}
    attrs.update(spec)
    template_labels = {k: v for k, v in labels.items() if k != "app.kubernetes.io/version"}
    if owner and owner[0] == "ReplicaSet":
        template_labels["pod-template-hash"] = owner[1].rsplit("-", 1)[1]
    return add(cluster, "Pod", name, attrs, ns, template_labels)


def namespace(cluster, name, enforce=None, audit=None, warn=None, version="latest", labels=None):
    def v(level):
        return version if level else None
    attrs = {
        "phase": "Active",
        "pod_security": {"enforce": enforce, "enforce_version": v(enforce), "audit": audit,
                         "audit_version": v(audit), "warn": warn, "warn_version": v(warn)},
    }
    tags = {"kubernetes.io/metadata.name": name}
    for mode, level in (("enforce", enforce), ("audit", audit), ("warn", warn)):
        if level:
            tags[f"pod-security.kubernetes.io/{mode}"] = level
            tags[f"pod-security.kubernetes.io/{mode}-version"] = version
    tags.update(labels or {})
    return add(cluster, "Namespace", name, attrs, labels=tags)


def service_account(cluster, name, ns, automount, cloud_identity=None, secrets=(), labels=None):
    return add(cluster, "ServiceAccount", name, {
        "automount_service_account_token": automount, "secrets": list(secrets),
        "image_pull_secrets": [], "cloud_identity": cloud_identity,
    }, ns, labels)


def svc_port(p, target, name=None, node_port=None):
    return {"name": name, "protocol": "TCP", "port": p, "target_port": target, "node_port": node_port}


def service(cluster, name, ns, type_, ports, sel, *, internal=None, ranges=(), external_ips=(), lb_class=None,
            lb_ingress=(), labels=None, omit=()):
    is_lb = type_ == "LoadBalancer"
    attrs = {
        "type": type_,
        "cluster_ip": None if type_ == "ExternalName" else "10.100.%d.%d" % (len(RESOURCES) % 200, 10 + len(ports)),
        "external_ips": list(external_ips), "external_name": None, "ports": list(ports),
        "selector": dict(sel) if sel is not None else None, "session_affinity": "None",
        "external_traffic_policy": "Cluster" if type_ in ("NodePort", "LoadBalancer") else None,
        "load_balancer_class": lb_class, "load_balancer_source_ranges": list(ranges),
        "internal_load_balancer": (bool(internal) if is_lb else None),
        "load_balancer_ingress": [{"ip": None, "hostname": h} for h in lb_ingress],
    }
    for key in omit:
        del attrs[key]
    return add(cluster, "Service", name, attrs, ns, labels)


def rule(groups, resources, verbs, names=(), urls=()):
    return {"api_groups": list(groups), "resources": list(resources), "resource_names": list(names),
            "verbs": list(verbs), "non_resource_urls": list(urls)}


def role(cluster, kind, name, rules, ns=None, labels=None, aggregation=None):
    attrs = {"rules": rules}
    if kind == "ClusterRole":
        attrs["aggregation_rule"] = aggregation
    return add(cluster, kind, name, attrs, ns, labels)


def subject(kind, name, ns=None):
    return {"kind": kind, "name": name, "namespace": ns if kind == "ServiceAccount" else None,
            "api_group": None if kind == "ServiceAccount" else "rbac.authorization.k8s.io"}


def binding(cluster, kind, name, role_kind, role_name, subjects, ns=None, labels=None):
    return add(cluster, kind, name, {
        "role_ref": {"api_group": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
        "subjects": subjects,
    }, ns, labels)


def peer(pods=None, namespaces=None, cidr=None, except_=()):
    return {"pod_selector": selector(pods) if pods is not None else None,
            "namespace_selector": selector(namespaces) if namespaces is not None else None,
            "ip_block": {"cidr": cidr, "except": list(except_)} if cidr else None}


def np_port(p, protocol="TCP"):
    return {"protocol": protocol, "port": p, "end_port": None}


def network_policy(cluster, name, ns, pods, types, ingress=(), egress=()):
    return add(cluster, "NetworkPolicy", name, {
        "pod_selector": selector(pods), "selects_all_pods": not pods, "policy_types": list(types),
        "ingress": list(ingress), "egress": list(egress),
    }, ns)


def ingress(cluster, name, ns, class_, host, backend, backend_port, tls_secret=None, lb_tls=None, lb_host=None,
            labels=None, omit=()):
    attrs = {
        "ingress_class_name": class_,
        "tls": [{"hosts": [host], "secret_name": tls_secret}] if tls_secret else [],
        "load_balancer_tls": lb_tls,
        "rules": [{"host": host, "paths": [{"path": "/", "path_type": "Prefix", "backend_service": backend,
                                             "backend_port": backend_port}]}],
        "default_backend": None,
        "load_balancer_ingress": [{"ip": None, "hostname": lb_host}] if lb_host else [],
    }
    for key in omit:
        del attrs[key]
    return add(cluster, "Ingress", name, attrs, ns, labels)


def secret(cluster, name, ns, type_, keys, created, sa=None, labels=None):
    return add(cluster, "Secret", name, {
        "type": type_, "data_keys": list(keys), "immutable": None, "service_account_name": sa,
        "created_at": created,
    }, ns, labels)


def app_labels(name, version, team, part_of=None, extra=None):
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/version": version, "team": team}
    if part_of:
        labels["app.kubernetes.io/part-of"] = part_of
    labels.update(extra or {})
    return labels


def cluster(c, server, version):
    """The k8s.core.cluster resource the collector writes for each cluster it lists."""
    return add(c, "Cluster", c, {"source": "api", "server": server, "server_version": version})


FALCO_IMG = "docker.io/falcosecurity/falco:0.39.1"


def falco(c, nodes, ready):
    """Falco with the modern eBPF probe: capabilities instead of privileged, host /proc and /etc."""
    namespace(c, "falco", "privileged", "baseline", "baseline", labels={"team": "security"})
    service_account(c, "falco", "falco", None, labels={"app.kubernetes.io/name": "falco"})
    labels = app_labels("falco", "0.39.1", "security", "falco")
    spec = pod_spec("falco", [
        container("falco", FALCO_IMG,
                  security_context=sc(privileged=False, capabilities={
                      "add": ["BPF", "PERFMON", "SYS_ADMIN", "SYS_PTRACE", "SYS_RESOURCE"], "drop": ["ALL"]}),
                  resources=res("100m", "512Mi", None, "1024Mi"), ports=[port(8765, "web")],
                  args=["/usr/bin/falco", "-o", "engine.kind=modern_ebpf", "-o", "json_output=true",
                        "-o", "http_output.enabled=true", "-o", "http_output.url=http://falcosidekick.falco:2801"],
                  mounts=[mount("proc-fs", "/host/proc", True), mount("etc-fs", "/host/etc", True)]),
    ], [volume("proc-fs", "host_path", host_path="/proc"), volume("etc-fs", "host_path", host_path="/etc")],
        automount=False, host_pid=True, priority="system-node-critical")
    ds = workload(c, "DaemonSet", "falco", "falco", labels, spec, nodes=nodes)
    ds["attrs"]["number_ready"] = ready
    return ds


# ---------------------------------------------------------------- prod-eks-eu

def build_eks():
    c = EKS
    managed = {"app.kubernetes.io/managed-by": "argocd"}
    cluster(c, "https://4F1C2A9E1B8D7C6E5F4A3B2C1D0E9F8A.gr7.eu-west-1.eks.amazonaws.com", "v1.31.2-eks-7f9249a")
    namespace(c, "kube-system")
    namespace(c, "default")
    namespace(c, "payments", "restricted", "restricted", "restricted", labels={"team": "payments", "pci-scope": "true"})
    namespace(c, "shipping", "baseline", "restricted", "restricted", labels={"team": "shipping"})
    namespace(c, "monitoring", "privileged", "baseline", "baseline", labels={"team": "platform"})
    namespace(c, "ci-runners", "privileged", "baseline", "baseline", labels={"team": "platform"})

    # --- kube-system: the AWS VPC CNI, managed by EKS (not assessed by the workload rules)
    service_account(c, "aws-node", "kube-system", None,
                    cloud_identity="arn:aws:iam::318467209511:role/prod-eks-eu-vpc-cni",
                    labels={"app.kubernetes.io/name": "aws-node"})
    cni = "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni"
    workload(c, "DaemonSet", "aws-node", "kube-system",
             app_labels("aws-node", "v1.18.5", "platform", extra={"k8s-app": "aws-node"}),
             pod_spec("aws-node", [
                 container("aws-vpc-cni-init", cni + "-init:v1.18.5-eksbuild.1", ctype="init",
                           security_context=sc(privileged=True), resources=res("25m")),
                 container("aws-node", cni + ":v1.18.5-eksbuild.1",
                           security_context=sc(capabilities={"add": ["NET_ADMIN", "NET_RAW"], "drop": []}),
                           ports=[port(61678, "metrics")], resources=res("25m"),
                           mounts=[mount("cni-bin-dir", "/host/opt/cni/bin"), mount("log-dir", "/host/var/log/aws-routed-eni")]),
             ], [
                 volume("cni-bin-dir", "host_path", host_path="/opt/cni/bin", host_type=None),
                 volume("log-dir", "host_path", host_path="/var/log/aws-routed-eni", host_type="DirectoryOrCreate"),
             ], host_network=True, priority="system-node-critical"), nodes=6)

    # --- default: an engineer's debug pod left behind after an incident
    service_account(c, "default", "default", None)
    pod(c, "debug-shell", "default", {"run": "debug-shell", "owner": "j.kowalski"},
        pod_spec("default", [
            container("debug-shell", "docker.io/nicolaka/netshoot:latest", security_context=sc(privileged=True),
                      probes=False, pull="Always"),
        ], host_network=True), node="ip-10-42-3-117.eu-west-1.compute.internal", qos="BestEffort")

    # --- payments: the reference hardened service (PCI scope)
    service_account(c, "payments-api", "payments", False,
                    cloud_identity="arn:aws:iam::318467209511:role/payments-api-irsa",
                    labels={"app.kubernetes.io/name": "payments-api"})
    img = f"{ECR}/payments-api:2.14.1"
    pay_labels = app_labels("payments-api", "2.14.1", "payments", "checkout", managed)
    pay_spec = pod_spec("payments-api", [
        container("migrate", f"{ECR}/payments-migrate:2.14.1@{digest('migrate-2.14.1')}", ctype="init",
                  security_context=hardened(), resources=res("100m", "128Mi", None, "256Mi"),
                  env_from=[{"source": "config_map", "name": "payments-api-config"}],
                  mounts=[mount("db-credentials", "/var/run/secrets/db", True)]),
        container("api", f"{img}@{digest(img)}", security_context=hardened(),
                  ports=[port(8080, "http"), port(9102, "metrics")],
                  resources=res("250m", "384Mi", None, "512Mi"),
                  env_=[env("LOG_LEVEL"), env("POD_IP", "field"), env("DB_CREDENTIALS_FILE")],
                  env_from=[{"source": "config_map", "name": "payments-api-config"}],
                  mounts=[mount("tmp", "/tmp"), mount("db-credentials", "/var/run/secrets/db", True)]),
    ], [volume("tmp", "empty_dir"), volume("db-credentials", "secret", "payments-db-credentials")],
        automount=False, security_context=restricted_pod_sc(10001))
    workload(c, "Deployment", "payments-api", "payments", pay_labels, pay_spec, replicas=3)
    pod(c, "payments-api-6f8d9c7b54-x7k2p", "payments", pay_labels, pay_spec,
        owner=("ReplicaSet", "payments-api-6f8d9c7b54"), node="ip-10-42-1-23.eu-west-1.compute.internal")
    service(c, "payments-api", "payments", "ClusterIP", [svc_port(80, "http", "http")],
            {"app.kubernetes.io/name": "payments-api"}, labels=pay_labels)
    ingress(c, "payments-api", "payments", "alb", "pay.northwind-logistics.com", "payments-api", 80,
            lb_tls=True, lb_host="k8s-payments-paymentsa-4f1c2a9e1b-1183922311.eu-west-1.elb.amazonaws.com",
            labels=pay_labels)
    role(c, "Role", "payments-config-reader", [
        rule([""], ["configmaps"], ["get", "list", "watch"]),
        rule([""], ["secrets"], ["get"], names=["payments-db-credentials"]),
    ], "payments", labels={"team": "payments"})
    binding(c, "RoleBinding", "payments-config-reader", "Role", "payments-config-reader",
            [subject("ServiceAccount", "payments-api", "payments")], "payments", labels={"team": "payments"})
    secret(c, "payments-db-credentials", "payments", "Opaque", ["host", "username", "password"],
           "2026-02-11T14:02:19Z", labels={"team": "payments", "external-secrets.io/managed": "true"})
    network_policy(c, "default-deny", "payments", {}, ["Ingress", "Egress"])
    network_policy(c, "allow-alb-to-api", "payments", {"app.kubernetes.io/name": "payments-api"}, ["Ingress", "Egress"],
                   ingress=[{"from": [peer(cidr="10.42.0.0/16")], "ports": [np_port(8080)]}],
                   egress=[{"to": [peer(namespaces={"kubernetes.io/metadata.name": "kube-system"},
                                        pods={"k8s-app": "kube-dns"})], "ports": [np_port(53, "UDP"), np_port(53)]},
                           {"to": [peer(cidr="10.42.128.0/20")], "ports": [np_port(5432)]}])

    # --- shipping: baseline enforced, restricted not yet reached
    service_account(c, "default", "shipping", False)
    service_account(c, "shipment-tracker", "shipping", False,
                    cloud_identity="arn:aws:iam::318467209511:role/shipment-tracker-irsa")
    trk = f"{ECR}/shipment-tracker:5.2.0"
    trk_labels = app_labels("shipment-tracker", "5.2.0", "shipping", "tracking", managed)
    trk_spec = pod_spec("shipment-tracker", [
        container("tracker", trk, security_context=hardened(), ports=[port(8080, "http")],
                  resources=res("200m", "256Mi", None, "512Mi"),
                  env_=[env("CARRIER_API_URL"), env("AWS_REGION")], mounts=[mount("tmp", "/tmp")]),
        # The Envoy sidecar was added later and only sets its user.
        container("envoy", "docker.io/envoyproxy/envoy:v1.31.2", security_context=sc(run_as_user=101),
                  ports=[port(9901, "admin")], resources=res("50m", "64Mi", None, "128Mi")),
    ], [volume("tmp", "empty_dir")], automount=False, security_context=pod_sc(fs_group=2000))
    workload(c, "Deployment", "shipment-tracker", "shipping", trk_labels, trk_spec, replicas=4)
    pod(c, "shipment-tracker-5c9b7d8f6-q4wzt", "shipping", trk_labels, trk_spec,
        owner=("ReplicaSet", "shipment-tracker-5c9b7d8f6"), node="ip-10-42-2-88.eu-west-1.compute.internal")
    service(c, "shipment-tracker", "shipping", "ClusterIP", [svc_port(80, "http", "http")],
            {"app.kubernetes.io/name": "shipment-tracker"}, labels=trk_labels)
    sftp_labels = app_labels("sftp-gateway", "3.19", "shipping", "carrier-edi")
    workload(c, "Deployment", "sftp-gateway", "shipping", sftp_labels, pod_spec("default", [
        container("sftp", f"{ECR}/sftp-gateway:3.19.4",
                  security_context=sc(allow_privilege_escalation=False, run_as_non_root=False,
                                      capabilities={"add": ["SYS_CHROOT"], "drop": ["NET_RAW"]}),
                  ports=[port(2022, "sftp")], resources=res("100m", "128Mi", None, "256Mi"),
                  mounts=[mount("edi-drop", "/home/carriers/upload"), mount("host-keys", "/etc/ssh/keys", True)]),
    ], [volume("edi-drop", "persistent_volume_claim", "edi-drop"), volume("host-keys", "secret", "sftp-host-keys")],
        automount=False), replicas=1)
    service(c, "sftp-gateway", "shipping", "LoadBalancer", [svc_port(22, 2022, "sftp", 30022)],
            {"app.kubernetes.io/name": "sftp-gateway"}, internal=False,
            ranges=["198.51.100.0/24", "203.0.113.64/27"],
            lb_ingress=["k8s-shipping-sftpgate-8d2e4c1a77-5d3c2b1a0f9e8d7c.elb.eu-west-1.amazonaws.com"],
            labels=sftp_labels)
    service(c, "legacy-carrier-bridge", "shipping", "ClusterIP", [svc_port(443, 8443, "https")],
            {"app.kubernetes.io/name": "shipment-tracker"}, external_ips=["52.213.40.18"],
            labels={"team": "shipping", "app.kubernetes.io/name": "legacy-carrier-bridge"})
    # A partner portal behind Kong: TLS is configured in Kong, which the collector cannot read.
    ingress(c, "partner-portal", "shipping", "kong", "partners.northwind-logistics.com", "shipment-tracker", 80,
            labels={"team": "shipping"}, omit=("load_balancer_tls",))
    role(c, "Role", "shipping-deployer", [
        rule(["apps"], ["deployments", "replicasets"], ["*"]),
        rule([""], ["configmaps", "services"], ["get", "list", "watch", "create", "update", "patch"]),
    ], "shipping", labels={"team": "shipping"})
    network_policy(c, "default-deny-ingress", "shipping", {}, ["Ingress"])
    network_policy(c, "allow-vpc-to-tracker", "shipping", {"app.kubernetes.io/name": "shipment-tracker"}, ["Ingress"],
                   ingress=[{"from": [peer(cidr="10.42.0.0/16")], "ports": [np_port(8080)]}])

    # --- monitoring
    service_account(c, "default", "monitoring", False)
    service_account(c, "prometheus", "monitoring", True, labels={"app.kubernetes.io/name": "prometheus"})
    service_account(c, "node-exporter", "monitoring", False)
    ne_labels = app_labels("node-exporter", "1.8.2", "platform", "kube-prometheus")
    ne_img = "quay.io/prometheus/node-exporter:v1.8.2"
    ne_spec = pod_spec("node-exporter", [
        container("node-exporter", ne_img, security_context=hardened(65534),
                  ports=[port(9100, "metrics", host_port=9100)], resources=res("50m", "64Mi", None, "128Mi"),
                  mounts=[mount("proc", "/host/proc", True), mount("sys", "/host/sys", True), mount("root", "/host/root", True)]),
    ], [volume("proc", "host_path", host_path="/proc"), volume("sys", "host_path", host_path="/sys"),
        volume("root", "host_path", host_path="/")],
        automount=False, host_network=True, host_pid=True,
        security_context=restricted_pod_sc(65534))
    workload(c, "DaemonSet", "node-exporter", "monitoring", ne_labels, ne_spec, nodes=6)
    pod(c, "node-exporter-7hx2m", "monitoring", ne_labels, ne_spec, owner=("DaemonSet", "node-exporter"),
        node="ip-10-42-1-23.eu-west-1.compute.internal")
    prom_labels = app_labels("prometheus", "2.55.1", "platform", "kube-prometheus")
    workload(c, "StatefulSet", "prometheus", "monitoring", prom_labels, pod_spec("prometheus", [
        container("prometheus", "quay.io/prometheus/prometheus:v2.55.1", security_context=hardened(65534),
                  ports=[port(9090, "web")], resources=res("500m", "2Gi", None, "4Gi"),
                  mounts=[mount("data", "/prometheus"), mount("config", "/etc/prometheus", True)]),
    ], [volume("data", "persistent_volume_claim", "prometheus-data"), volume("config", "config_map", "prometheus-config")],
        security_context=restricted_pod_sc(65534)), replicas=2, service_name="prometheus-operated")
    graf_labels = app_labels("grafana", "11.3.1", "platform", "kube-prometheus")
    workload(c, "Deployment", "grafana", "monitoring", graf_labels, pod_spec("default", [
        container("grafana", "docker.io/grafana/grafana:11.3.1", security_context=hardened(472),
                  ports=[port(3000, "http")], resources=res("100m", "256Mi", None, "512Mi"),
                  env_=[env("GF_SECURITY_ADMIN_PASSWORD__FILE")],
                  mounts=[mount("storage", "/var/lib/grafana"), mount("admin", "/etc/grafana/admin", True)]),
    ], [volume("storage", "persistent_volume_claim", "grafana"), volume("admin", "secret", "grafana-admin")],
        security_context=restricted_pod_sc(472)), replicas=1)
    # Exposed for an external monitoring vendor during a trial, then forgotten.
    service(c, "prometheus-web", "monitoring", "LoadBalancer", [svc_port(9090, "web", "web", 31990)],
            {"app.kubernetes.io/name": "prometheus"}, internal=False,
            lb_ingress=["a3f9c2e7d41b84c6e9f0a1b2c3d4e5f6-1029384756.eu-west-1.elb.amazonaws.com"], labels=prom_labels)
    service(c, "grafana", "monitoring", "LoadBalancer", [svc_port(80, "http", "http", 30380)],
            {"app.kubernetes.io/name": "grafana"}, internal=True,
            lb_ingress=["internal-a7b6c5d4e3f2-2039485761.eu-west-1.elb.amazonaws.com"], labels=graf_labels)
    role(c, "ClusterRole", "prometheus", [
        rule([""], ["nodes", "nodes/metrics", "services", "endpoints", "pods"], ["get", "list", "watch"]),
        rule(["discovery.k8s.io"], ["endpointslices"], ["get", "list", "watch"]),
        rule([], [], ["get"], urls=["/metrics", "/metrics/cadvisor"]),
    ], labels=prom_labels)
    binding(c, "ClusterRoleBinding", "prometheus", "ClusterRole", "prometheus",
            [subject("ServiceAccount", "prometheus", "monitoring")], labels=prom_labels)

    # --- ci-runners: GitLab runner with Docker-in-Docker and far too much RBAC
    service_account(c, "gitlab-runner", "ci-runners", None, secrets=["gitlab-runner-token"],
                    labels={"app.kubernetes.io/name": "gitlab-runner"})
    gl_labels = app_labels("gitlab-runner", "17.5.0", "platform")
    gl_spec = pod_spec("gitlab-runner", [
        container("runner", "registry.gitlab.com/gitlab-org/gitlab-runner:v17.5.0",
                  security_context=sc(allow_privilege_escalation=False, run_as_non_root=True, run_as_user=999),
                  ports=[port(9252, "metrics")], resources=res("100m", "128Mi", None, "256Mi"),
                  env_=[env("CI_SERVER_URL"), env("RUNNER_TOKEN", "secret", "gitlab-runner-registration")],
                  mounts=[mount("docker-certs", "/certs/client", True)]),
        container("dind", "docker.io/library/docker:27.3-dind", security_context=sc(privileged=True),
                  ports=[port(2376, "docker-tls")], resources=res("500m", "1Gi", None, "4Gi"),
                  mounts=[mount("docker-certs", "/certs/client"), mount("docker-graph", "/var/lib/docker")]),
    ], [volume("docker-certs", "empty_dir"), volume("docker-graph", "empty_dir")])
    workload(c, "Deployment", "gitlab-runner", "ci-runners", gl_labels, gl_spec, replicas=2)
    pod(c, "gitlab-runner-7b6f5d9c8-m2n4r", "ci-runners", gl_labels, gl_spec,
        owner=("ReplicaSet", "gitlab-runner-7b6f5d9c8"), node="ip-10-42-3-117.eu-west-1.compute.internal")
    secret(c, "gitlab-runner-token", "ci-runners", "kubernetes.io/service-account-token",
           ["ca.crt", "namespace", "token"], "2023-06-19T08:12:44Z", sa="gitlab-runner")
    network_policy(c, "default-deny", "ci-runners", {}, ["Ingress"])

    # --- falco: runtime threat detection on every node (one agent is crash-looping)
    falco(c, 6, 5)

    # --- velero: backups of objects and volumes to S3 in the backup account
    namespace(c, "velero", "restricted", "restricted", "restricted", labels={"team": "platform"})
    service_account(c, "velero", "velero", True, cloud_identity="arn:aws:iam::318467209511:role/prod-eks-eu-velero",
                    labels={"app.kubernetes.io/name": "velero"})
    ve_labels = app_labels("velero", "1.14.1", "platform", "velero")
    workload(c, "Deployment", "velero", "velero", ve_labels, pod_spec("velero", [
        container("velero-plugin-for-aws", "docker.io/velero/velero-plugin-for-aws:v1.10.0", ctype="init",
                  security_context=hardened(65534), resources=res("50m", "64Mi", None, "128Mi"),
                  mounts=[mount("plugins", "/target")]),
        container("velero", "docker.io/velero/velero:v1.14.1", security_context=hardened(65534),
                  ports=[port(8085, "metrics")], resources=res("500m", "128Mi", None, "512Mi"),
                  command=["/velero"], args=["server", "--uploader-type=kopia", "--default-volumes-to-fs-backup"],
                  mounts=[mount("plugins", "/plugins"), mount("scratch", "/scratch")]),
    ], [volume("plugins", "empty_dir"), volume("scratch", "empty_dir")],
        security_context=restricted_pod_sc(65534)), replicas=1)

    # --- cluster-wide RBAC
    role(c, "ClusterRole", "cluster-admin", [rule(["*"], ["*"], ["*"]), rule([], [], ["*"], urls=["*"])],
         labels={"kubernetes.io/bootstrapping": "rbac-defaults"})
    binding(c, "ClusterRoleBinding", "cluster-admin", "ClusterRole", "cluster-admin",
            [subject("Group", "system:masters")], labels={"kubernetes.io/bootstrapping": "rbac-defaults"})
    binding(c, "ClusterRoleBinding", "ci-runner-cluster-admin", "ClusterRole", "cluster-admin",
            [subject("ServiceAccount", "gitlab-runner", "ci-runners")], labels={"team": "platform"})
    # Created for L2 support to reproduce customer issues "as" a tenant; not bound any more.
    role(c, "ClusterRole", "support-impersonator", [
        rule([""], ["users", "groups", "serviceaccounts"], ["impersonate"]),
    ], labels={"team": "support"})


# ---------------------------------------------------------------- data-gke

def build_gke():
    c = GKE
    cluster(c, "https://34.90.112.18", "v1.30.6-gke.1125000")
    namespace(c, "kube-system")
    namespace(c, "analytics", "baseline", "restricted", "restricted", labels={"team": "data-platform"})
    namespace(c, "ml-training", labels={"team": "data-science"})

    # --- analytics: Airflow and dbt
    gsa = "airflow@nw-data-prod.iam.gserviceaccount.com"
    service_account(c, "default", "analytics", False)
    service_account(c, "airflow", "analytics", True, cloud_identity=gsa, labels={"app.kubernetes.io/name": "airflow"})
    af_img = f"{GAR}/airflow:2.10.3-python3.11"
    af_common = dict(resources=res("500m", "1Gi", None, "2Gi"),
                     env_=[env("AIRFLOW__CORE__EXECUTOR"), env("AIRFLOW__CORE__FERNET_KEY", "secret", "airflow-fernet-key")])
    sched_labels = app_labels("airflow-scheduler", "2.10.3", "data-platform", "airflow")
    sched_spec = pod_spec("airflow", [
        container("scheduler", af_img, security_context=hardened(50000, read_only=False),
                  mounts=[mount("dags", "/opt/airflow/dags", True)], **af_common),
    ], [volume("dags", "persistent_volume_claim", "airflow-dags")],
        security_context=restricted_pod_sc(50000, 0))
    workload(c, "Deployment", "airflow-scheduler", "analytics", sched_labels, sched_spec, replicas=2)
    pod(c, "airflow-scheduler-84c6f9d7b5-hp9tz", "analytics", sched_labels, sched_spec,
        owner=("ReplicaSet", "airflow-scheduler-84c6f9d7b5"), node="gke-data-gke-default-pool-3f2a1b7c-k9xq")
    web_labels = app_labels("airflow-webserver", "2.10.3", "data-platform", "airflow")
    workload(c, "Deployment", "airflow-webserver", "analytics", web_labels, pod_spec("airflow", [
        container("webserver", af_img, security_context=hardened(50000), ports=[port(8080, "http")],
                  resources=res("250m", "1Gi", None, "2Gi"),
                  mounts=[mount("tmp", "/tmp"), mount("fernet", "/opt/airflow/secrets", True)]),
    ], [volume("tmp", "empty_dir"), volume("fernet", "secret", "airflow-fernet-key")],
        security_context=restricted_pod_sc(50000, 0)), replicas=2)
    service(c, "airflow-web", "analytics", "LoadBalancer", [svc_port(8080, "http", "http", 31808)],
            {"app.kubernetes.io/name": "airflow-webserver"}, internal=True, lb_ingress=[], labels=web_labels)
    ingress(c, "airflow", "analytics", "gce-internal", "airflow.data.northwind-logistics.com", "airflow-web", 8080,
            tls_secret="airflow-tls", lb_tls=None, labels=web_labels)
    dbt_img = f"{GAR}/dbt-runner:1.8.7"
    workload(c, "CronJob", "dbt-nightly", "analytics", app_labels("dbt-nightly", "1.8.7", "data-platform"), pod_spec("default", [
        container("dbt", f"{dbt_img}@{digest(dbt_img)}", security_context=hardened(1000),
                  resources=res("1", "2Gi", None, "4Gi"), probes=False,
                  mounts=[mount("tmp", "/tmp"), mount("warehouse", "/var/run/secrets/warehouse", True)]),
    ], [volume("tmp", "empty_dir"), volume("warehouse", "secret", "bigquery-dbt-key")], automount=False,
        security_context=restricted_pod_sc(1000)), schedule="0 2 * * *", time_zone="Europe/Amsterdam",
             last_run="2026-11-28T01:00:00Z")
    role(c, "Role", "airflow-pod-launcher", [
        rule([""], ["pods"], ["create", "get", "list", "watch", "delete"]),
        rule([""], ["pods/log"], ["get"]),
    ], "analytics", labels={"app.kubernetes.io/part-of": "airflow"})
    binding(c, "RoleBinding", "airflow-pod-launcher", "Role", "airflow-pod-launcher",
            [subject("ServiceAccount", "airflow", "analytics")], "analytics", labels={"app.kubernetes.io/part-of": "airflow"})
    secret(c, "airflow-fernet-key", "analytics", "Opaque", ["fernet-key"], "2025-09-03T07:40:00Z",
           labels={"app.kubernetes.io/part-of": "airflow"})
    secret(c, "airflow-tls", "analytics", "kubernetes.io/tls", ["tls.crt", "tls.key"], "2026-10-01T00:00:05Z",
           labels={"cert-manager.io/certificate-name": "airflow"})
    network_policy(c, "default-deny-ingress", "analytics", {}, ["Ingress"])
    network_policy(c, "allow-airflow-web", "analytics", {"app.kubernetes.io/name": "airflow-webserver"}, ["Ingress"],
                   ingress=[{"from": [peer(cidr="10.8.0.0/14")], "ports": [np_port(8080)]}])
    network_policy(c, "allow-scheduler-egress", "analytics", {"app.kubernetes.io/name": "airflow-scheduler"}, ["Egress"],
                   egress=[{"to": [peer(cidr="10.20.0.0/16")], "ports": [np_port(5432)]}])

    # --- ml-training: the data-science sandbox
    service_account(c, "default", "ml-training", None)
    service_account(c, "trainer", "ml-training", False, cloud_identity="trainer@nw-data-prod.iam.gserviceaccount.com")
    jl_labels = app_labels("jupyter-lab", "latest", "data-science")
    workload(c, "Deployment", "jupyter-lab", "ml-training", jl_labels, pod_spec("default", [
        container("notebook", "quay.io/jupyter/scipy-notebook:latest", ports=[port(8888, "http")],
                  env_=[env("GRANT_SUDO"), env("JUPYTER_ENABLE_LAB")],
                  env_from=[{"source": "secret", "name": "hf-token"}],
                  mounts=[mount("work", "/home/jovyan/work")], pull="Always"),
    ], [volume("work", "persistent_volume_claim", "jupyter-work")],
        security_context=pod_sc(run_as_user=0, fs_group=100)), replicas=1)
    service(c, "jupyter-lab", "ml-training", "ClusterIP", [svc_port(80, 8888, "http")],
            {"app.kubernetes.io/name": "jupyter-lab"}, labels=jl_labels)
    ingress(c, "notebooks", "ml-training", "gce", "notebooks.data.northwind-logistics.com", "jupyter-lab", 80,
            lb_tls=None, lb_host=None, labels={"team": "data-science"})
    tr_labels = app_labels("gpu-trainer", "2.5.1", "data-science", extra={"experiment": "eta-forecast-v7"})
    tr_img = "docker.io/pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime"
    tr_spec = pod_spec("trainer", [
        container("trainer", tr_img,
                  security_context=sc(privileged=True, capabilities={"add": ["SYS_ADMIN", "IPC_LOCK"], "drop": []}),
                  ports=[port(6006, "tensorboard")],
                  resources=res("8", "48Gi", None, "64Gi", extended={"nvidia.com/gpu": "1"}), probes=False,
                  mounts=[mount("datasets", "/data", True), mount("shm", "/dev/shm")]),
    ], [volume("datasets", "nfs", read_only=True), volume("shm", "empty_dir")], automount=False)
    workload(c, "Job", "gpu-trainer", "ml-training", tr_labels, tr_spec, backoff_limit=0, deadline=172800)
    pod(c, "gpu-trainer-x8k2d", "ml-training", tr_labels, tr_spec, owner=("Job", "gpu-trainer"),
        node="gke-data-gke-gpu-l4-pool-9c1d2e3f-7m4n", qos="Burstable")
    # TensorBoard published on the tailnet by the Tailscale operator: whether that load balancer is
    # private is decided outside Kubernetes, so the collector leaves internal_load_balancer out.
    service(c, "tensorboard", "ml-training", "LoadBalancer", [svc_port(6006, "tensorboard", "http", None)],
            {"app.kubernetes.io/name": "gpu-trainer"}, lb_class="tailscale", labels={"team": "data-science"},
            omit=("internal_load_balancer",))
    role(c, "Role", "notebook-secrets", [rule([""], ["secrets"], ["get", "list"])], "ml-training",
         labels={"team": "data-science"})
    binding(c, "RoleBinding", "notebook-secrets", "Role", "notebook-secrets",
            [subject("ServiceAccount", "default", "ml-training")], "ml-training", labels={"team": "data-science"})
    secret(c, "hf-token", "ml-training", "Opaque", ["HF_TOKEN"], "2026-08-21T16:30:00Z", labels={"team": "data-science"})

    # --- cluster-wide RBAC
    role(c, "ClusterRole", "view", [
        rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "pods", "pods/log", "services",
                    "serviceaccounts", "namespaces", "events"], ["get", "list", "watch"]),
        rule(["apps"], ["deployments", "daemonsets", "statefulsets", "replicasets"], ["get", "list", "watch"]),
        rule(["batch"], ["jobs", "cronjobs"], ["get", "list", "watch"]),
        rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], ["get", "list", "watch"]),
    ], labels={"kubernetes.io/bootstrapping": "rbac-defaults"},
        aggregation={"cluster_role_selectors": [selector({"rbac.authorization.k8s.io/aggregate-to-view": "true"})]})
    # Added so analysts could browse the cluster from Cloud Console: on GKE this is every Google account.
    binding(c, "ClusterRoleBinding", "authenticated-view", "ClusterRole", "view",
            [subject("Group", "system:authenticated")], labels={"team": "data-platform"})


# ---------------------------------------------------------------- relations

# ---------------------------------------------------------------- dc1-kubeadm

def build_dc1():
    c = DC1
    cluster(c, "https://10.20.0.10:6443", "v1.31.2")
    namespace(c, "kube-system")
    namespace(c, "warehouse", "restricted", "restricted", "restricted", labels={"team": "warehouse"})
    # kubeadm's static pod: the kubelet publishes it as a mirror pod owned by its node.
    service_account(c, "default", "kube-system", None)
    apiserver = [
        "kube-apiserver", "--advertise-address=10.20.0.10", "--allow-privileged=true", "--anonymous-auth=false",
        "--authorization-mode=Node,RBAC", "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--enable-admission-plugins=NodeRestriction", "--etcd-servers=https://127.0.0.1:2379",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt", "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
        "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
        "--audit-log-path=/var/log/kubernetes/audit/audit.log",
        "--audit-log-maxage=7", "--audit-log-maxbackup=10", "--audit-log-maxsize=100",
        "--secure-port=6443", "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12", "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
    ]
    pod(c, "kube-apiserver-dc1-cp-1", "kube-system", {"component": "kube-apiserver", "tier": "control-plane"},
        pod_spec(None, [
            container("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.31.2", command=apiserver,
                      resources=res("250m"), mounts=[mount("k8s-certs", "/etc/kubernetes/pki", True),
                                                     mount("audit", "/var/log/kubernetes/audit")]),
        ], [volume("k8s-certs", "host_path", host_path="/etc/kubernetes/pki", host_type="DirectoryOrCreate"),
            volume("audit", "host_path", host_path="/var/log/kubernetes/audit", host_type="DirectoryOrCreate")],
            host_network=True, priority="system-node-critical", security_context=pod_sc(
                seccomp_profile=RUNTIME_DEFAULT)),
        owner=("Node", "dc1-cp-1"), node="dc1-cp-1", qos="Burstable")
    falco(c, 3, 3)
    # --- warehouse: the handheld-scanner gateway, hardened
    service_account(c, "scanner-gateway", "warehouse", False)
    gw_labels = app_labels("scanner-gateway", "4.2.0", "warehouse")
    gw_img = "harbor.dc1.northwind.internal/warehouse/scanner-gateway:4.2.0"
    workload(c, "Deployment", "scanner-gateway", "warehouse", gw_labels, pod_spec("scanner-gateway", [
        container("gateway", f"{gw_img}@{digest(gw_img)}", security_context=hardened(10001),
                  ports=[port(8443, "https")], resources=res("100m", "128Mi", None, "256Mi"),
                  args=["--listen=:8443", "--tls-cert-file=/etc/tls/tls.crt", "--upstream=https://wms.dc1.northwind.internal"],
                  mounts=[mount("tls", "/etc/tls", True)]),
    ], [volume("tls", "secret", "scanner-gateway-tls")], automount=False,
        security_context=restricted_pod_sc(10001)), replicas=2)
    network_policy(c, "default-deny", "warehouse", {}, ["Ingress", "Egress"])


def link():
    by_uid = {r["uid"]: r for r in RESOURCES}

    def rel(r, type_, target):
        assert target in by_uid, f"{r['uid']} -> {type_} -> {target}: target missing"
        r["relations"].append({"type": type_, "target": target})

    for r in RESOURCES:
        c, k, ns, a = r["_cluster"], r["_k"], r["_ns"], r["attrs"]
        if ns is not None:
            rel(r, "in_namespace", uid(c, None, "Namespace", ns))
        if k == "Pod" or k in WORKLOADS:
            # As the collector does: a pod without serviceAccountName uses `default`.
            rel(r, "uses_service_account", uid(c, ns, "ServiceAccount", a["service_account_name"] or "default"))
        if k in WORKLOADS:
            for p in RESOURCES:
                owner = p["attrs"].get("owner") if p["_k"] == "Pod" else None
                if p["_cluster"] == c and p["_ns"] == ns and owner and (
                        (owner["kind"] == k and owner["name"] == r["name"])
                        or (k == "Deployment" and owner["kind"] == "ReplicaSet"
                            and owner["name"].rsplit("-", 1)[0] == r["name"])):
                    rel(r, "manages", p["uid"])
        if k == "Service" and a.get("selector"):
            for p in RESOURCES:
                if p["_k"] == "Pod" and p["_cluster"] == c and p["_ns"] == ns and \
                        all(p["tags"].get(key) == v for key, v in a["selector"].items()):
                    rel(r, "selects", p["uid"])
        if k in ("RoleBinding", "ClusterRoleBinding"):
            ref = a["role_ref"]
            rel(r, "grants_role", uid(c, ns if ref["kind"] == "Role" else None, ref["kind"], ref["name"]))
            for s in a["subjects"]:
                if s["kind"] == "ServiceAccount":
                    sa = uid(c, s["namespace"], "ServiceAccount", s["name"])
                    rel(r, "bound_to", sa)
                    rel(by_uid[sa], "bound_by", r["uid"])
        if k == "NetworkPolicy":
            rel(by_uid[uid(c, None, "Namespace", ns)], "has_network_policy", r["uid"])
        if k == "Ingress":
            backends = {p["backend_service"] for rule_ in a["rules"] for p in rule_["paths"]}
            for b in sorted(backends):
                rel(r, "routes_to", uid(c, ns, "Service", b))
            for t in a["tls"]:
                if t["secret_name"] and uid(c, ns, "Secret", t["secret_name"]) in by_uid:
                    rel(r, "uses_secret", uid(c, ns, "Secret", t["secret_name"]))
    for r in RESOURCES:
        r["relations"].sort(key=lambda x: (x["type"], x["target"]))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "k8s.ndjson")
    build_eks()
    build_gke()
    build_dc1()
    link()
    uids = [r["uid"] for r in RESOURCES]
    assert len(uids) == len(set(uids)), "duplicate uid"
    missing = set(MISCONFIGURED) - set(uids)
    assert not missing, f"MISCONFIGURED names unknown resources: {sorted(missing)}"
    header = {"format": "posture-snapshot", "version": 1, "source": "demo", "collected_at": COLLECTED_AT,
              "accounts": [EKS, GKE, DC1]}
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps(header, separators=(",", ":")) + "\n")
        for r in RESOURCES:
            clean = {k: v for k, v in r.items() if not k.startswith("_")}
            if not clean["relations"]:
                del clean["relations"]
            f.write(json.dumps(clean, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"wrote {len(RESOURCES)} resources ({len(MISCONFIGURED)} deliberately misconfigured) to {out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
