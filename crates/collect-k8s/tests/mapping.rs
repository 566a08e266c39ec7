//! The mapping of each Kubernetes kind, checked against the kind schemas; the three states of
//! attributes (unknown, known-unset, set) on the fields rules depend on.

use posture_collect_k8s::{link, map_object, map_object_with, MapContext, MapError};
use posture_model::{Origin, Resource};
use posture_schema::KindRegistry;
use serde_json::{json, Value};
use std::sync::OnceLock;

fn registry() -> &'static KindRegistry {
    static REG: OnceLock<KindRegistry> = OnceLock::new();
    REG.get_or_init(|| KindRegistry::builtin().expect("the built-in kinds load"))
}

fn origin() -> Origin {
    Origin::Api { service: "test".into() }
}

/// Maps `obj` to exactly one resource that conforms to its kind's schema.
fn one(obj: Value) -> Resource {
    let mut out = map_object("c1", &obj, &origin()).unwrap_or_else(|e| panic!("{e}: {obj}"));
    assert_eq!(out.len(), 1, "{out:?}");
    let r = out.remove(0);
    let problems = registry().validate(&r);
    assert!(
        problems.is_empty(),
        "{} does not conform: {problems:#?}\n{}",
        r.uid,
        serde_json::to_string_pretty(&r.attrs).unwrap()
    );
    r
}

fn rels(r: &Resource, rel: &str) -> Vec<String> {
    r.related(rel).map(str::to_string).collect()
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop", "labels": {"app": "web"}}, "spec": spec})
}

#[test]
fn a_privileged_host_network_pod_with_a_host_path_is_mapped_as_such() {
    let r = one(pod(json!({
        "hostNetwork": true, "hostPID": true,
        "containers": [{"name": "debug", "image": "busybox", "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}},
                        "ports": [{"containerPort": 9100, "hostPort": 9100}, {"containerPort": 8080, "hostPort": 0}]}],
        "volumes": [{"name": "root", "hostPath": {"path": "/", "type": "Directory"}}, {"name": "tmp"}]
    })));
    let a = &r.attrs;
    assert_eq!(r.uid, "c1/shop/Pod/p");
    assert_eq!(r.kind, "k8s.core.pod");
    assert_eq!(r.account, "c1");
    assert_eq!(
        (a["host_network"].clone(), a["host_pid"].clone(), a["host_ipc"].clone()),
        (json!(true), json!(true), json!(false))
    );
    let c = &a["containers"][0];
    assert_eq!(c["security_context"]["privileged"], json!(true));
    assert_eq!(c["security_context"]["capabilities"], json!({"add": ["SYS_ADMIN"], "drop": []}));
    assert_eq!(c["ports"][0]["host_port"], json!(9100));
    assert_eq!(c["ports"][1]["host_port"], Value::Null, "hostPort 0 means none");
    assert_eq!(
        a["volumes"][0],
        json!({"name": "root", "type": "host_path", "host_path": {"path": "/", "type": "Directory"}, "source_name": null, "read_only": null})
    );
    assert_eq!(a["volumes"][1]["type"], json!("empty_dir"), "a volume without a source is an emptyDir");
    assert_eq!(rels(&r, "runs_image"), vec!["image:docker.io/library/busybox:latest"]);
    assert_eq!(rels(&r, "uses_service_account"), vec!["c1/shop/ServiceAccount/default"]);
    assert_eq!(rels(&r, "in_namespace"), vec!["c1/_cluster/Namespace/shop"]);
    assert_eq!(r.tags.get("app").map(String::as_str), Some("web"));
}

#[test]
fn run_as_non_root_distinguishes_unset_from_false_and_malformed() {
    let containers = json!([
        {"name": "a", "image": "x:1"},
        {"name": "b", "image": "x:1", "securityContext": {}},
        {"name": "c", "image": "x:1", "securityContext": {"runAsNonRoot": false}},
        {"name": "d", "image": "x:1", "securityContext": {"runAsNonRoot": "yes"}}
    ]);
    let r = one(pod(json!({"containers": containers})));
    let sc = |i: usize| r.attrs["containers"][i]["security_context"].clone();
    assert_eq!(sc(0), Value::Null, "no securityContext at all: known unset");
    assert_eq!(sc(1)["run_as_non_root"], Value::Null, "empty securityContext: field known unset");
    assert_eq!(sc(2)["run_as_non_root"], json!(false));
    assert!(sc(3).get("run_as_non_root").is_none(), "a value of the wrong type is unknown, never a default");
    assert_eq!(r.attrs["security_context"], Value::Null);
    let with_pod_level = one(pod(
        json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "a", "image": "x:1"}]}),
    ));
    let psc = &with_pod_level.attrs["security_context"];
    assert_eq!(psc["run_as_non_root"], json!(true));
    assert_eq!(psc["seccomp_profile"], json!({"type": "RuntimeDefault", "localhost_profile": null}));
    assert_eq!(psc["supplemental_groups"], json!([]));
}

#[test]
fn automount_is_null_when_unset_and_false_when_disabled() {
    let unset = one(pod(json!({"containers": [{"name": "a", "image": "x:1"}]})));
    assert_eq!(unset.attrs["automount_service_account_token"], Value::Null);
    let off = one(pod(
        json!({"automountServiceAccountToken": false, "serviceAccountName": "api", "containers": [{"name": "a", "image": "x:1"}]}),
    ));
    assert_eq!(off.attrs["automount_service_account_token"], json!(false));
    assert_eq!(off.attrs["service_account_name"], json!("api"));
    assert_eq!(rels(&off, "uses_service_account"), vec!["c1/shop/ServiceAccount/api"]);
    let sa = one(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "shop",
        "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/api"}},
        "automountServiceAccountToken": false, "secrets": [{"name": "api-token"}], "imagePullSecrets": [{"name": "ecr"}]}));
    assert_eq!(sa.attrs["automount_service_account_token"], json!(false));
    assert_eq!(sa.attrs["cloud_identity"], json!("arn:aws:iam::111122223333:role/api"));
    assert_eq!(sa.attrs["secrets"], json!(["api-token"]));
    let default_sa = one(
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "shop"}}),
    );
    assert_eq!(default_sa.attrs["automount_service_account_token"], Value::Null);
    assert_eq!(default_sa.attrs["cloud_identity"], Value::Null);
}

#[test]
fn containers_keep_where_values_come_from_never_the_values() {
    let r = one(pod(json!({"containers": [{"name": "a", "image": "x:1",
        "env": [{"name": "MODE", "value": "prod-password-123"},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "envFrom": [{"secretRef": {"name": "api-keys"}}, {"configMapRef": {"name": "settings"}}],
        "resources": {"limits": {"memory": "256Mi", "nvidia.com/gpu": 1}, "requests": {"cpu": 0.5}},
        "livenessProbe": {"httpGet": {"path": "/", "port": 80}}}],
        "initContainers": [{"name": "init", "image": "x:1"}],
        "ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}]})));
    let c = &r.attrs["containers"];
    assert!(!serde_json::to_string(&r).unwrap().contains("prod-password-123"), "environment values are never kept");
    assert_eq!(
        c[0]["env"],
        json!([
        {"name": "MODE", "source": "value", "source_name": null},
        {"name": "DB_PASSWORD", "source": "secret", "source_name": "db"},
        {"name": "NODE", "source": "field", "source_name": null}])
    );
    assert_eq!(
        c[0]["env_from"],
        json!([{"source": "secret", "name": "api-keys"}, {"source": "config_map", "name": "settings"}])
    );
    assert_eq!(
        c[0]["resources"]["limits"],
        json!({"cpu": null, "memory": "256Mi", "ephemeral_storage": null, "extended": {"nvidia.com/gpu": "1"}})
    );
    assert_eq!(c[0]["resources"]["requests"]["cpu"], json!("0.5"));
    assert_eq!((c[0]["liveness_probe"].clone(), c[0]["readiness_probe"].clone()), (json!(true), json!(false)));
    let types: Vec<&Value> = c.as_array().unwrap().iter().map(|c| &c["container_type"]).collect();
    assert_eq!(types, vec![&json!("container"), &json!("init"), &json!("ephemeral")]);
    assert_eq!(rels(&r, "runs_image").len(), 2, "one edge per distinct image");
}

#[test]
fn command_lines_are_kept_with_secret_flag_values_masked() {
    let r = one(pod(json!({"containers": [{"name": "kube-apiserver", "image": "registry.k8s.io/kube-apiserver:v1.31.2",
        "command": ["kube-apiserver", "--audit-log-path=/var/log/audit.log", "--audit-log-maxage=30",
                    "--token-auth-file=/etc/tokens.csv", "--oidc-client-secret=hunter2", "--enable-bootstrap-token-auth=true"],
        "args": ["--db-password", "s3cr3t", "--api-token", "--verbose", "-secret=x"]},
        {"name": "plain", "image": "x:1"},
        {"name": "odd", "image": "x:1", "args": ["--ok", 3]}]})));
    let c = &r.attrs["containers"];
    assert_eq!(
        c[0]["command"],
        json!(["kube-apiserver", "--audit-log-path=/var/log/audit.log", "--audit-log-maxage=30",
               "--token-auth-file=/etc/tokens.csv", "--oidc-client-secret=***", "--enable-bootstrap-token-auth=true"])
    );
    // A flag followed by another flag has no value to mask.
    assert_eq!(c[0]["args"], json!(["--db-password", "***", "--api-token", "--verbose", "-secret=***"]));
    let text = serde_json::to_string(&r).unwrap_or_default();
    assert!(!text.contains("hunter2") && !text.contains("s3cr3t"), "secret flag values are never kept");
    assert_eq!((c[1]["command"].clone(), c[1]["args"].clone()), (json!([]), json!([])), "unset: the image decides");
    assert!(c[2].get("args").is_none(), "a list that is not all strings is unknown");
}

#[test]
fn legacy_apparmor_annotations_fill_the_container_profile() {
    let mut obj = pod(
        json!({"containers": [{"name": "web", "image": "x:1"}, {"name": "side", "image": "x:1", "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}]}),
    );
    obj["metadata"]["annotations"] = json!({
        "container.apparmor.security.beta.kubernetes.io/web": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/side": "unconfined"});
    let r = one(obj);
    assert_eq!(
        r.attrs["containers"][0]["security_context"]["app_armor_profile"],
        json!({"type": "Unconfined", "localhost_profile": null})
    );
    assert_eq!(r.attrs["containers"][0]["security_context"]["privileged"], Value::Null);
    assert_eq!(
        r.attrs["containers"][1]["security_context"]["app_armor_profile"]["type"],
        json!("RuntimeDefault"),
        "the field wins over the annotation"
    );
}

#[test]
fn an_unknown_volume_source_is_unknown_not_safe() {
    let r = one(pod(
        json!({"containers": [{"name": "a", "image": "x:1"}], "volumes": [{"name": "v", "futureVolume": {"x": 1}}]}),
    ));
    assert!(r.attrs["volumes"][0].get("type").is_none(), "{}", r.attrs["volumes"]);
}

const TEMPLATE: &str = r#"{"metadata": {"labels": {"app": "api", "tier": "web"}, "annotations": {"a": "b"}},
  "spec": {"serviceAccountName": "api", "automountServiceAccountToken": false,
           "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "fsGroup": 10001},
           "containers": [{"name": "api", "image": "ghcr.io/acme/api:1.4.2", "imagePullPolicy": "IfNotPresent",
                           "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
                           "ports": [{"name": "http", "containerPort": 8080}],
                           "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                           "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}], "readinessProbe": {"tcpSocket": {"port": 8080}}}],
           "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "api-config"}}]}}"#;

fn template() -> Value {
    serde_json::from_str(TEMPLATE).unwrap()
}

/// Every workload flattens its pod template into the same attributes as a Pod.
#[test]
fn workloads_flatten_their_template_like_a_pod() {
    let t = template();
    let as_pod = one(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "shop"}, "spec": t["spec"]}),
    );
    let workloads = [
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"},
               "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "api"}}, "strategy": {"type": "RollingUpdate"}, "template": t},
               "status": {"replicas": 3}}),
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "api", "namespace": "shop"},
               "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": t}, "status": {"desiredNumberScheduled": 4, "numberReady": 4}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "api", "namespace": "shop"},
               "spec": {"serviceName": "api", "selector": {"matchLabels": {"app": "api"}}, "template": t}}),
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "api-28800", "namespace": "shop",
               "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "api", "controller": true}]},
               "spec": {"backoffLimit": 2, "template": t}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "api", "namespace": "shop"},
               "spec": {"schedule": "0 3 * * *", "concurrencyPolicy": "Forbid", "jobTemplate": {"spec": {"template": t}}},
               "status": {"lastScheduleTime": "2026-11-27T03:00:00Z"}}),
    ];
    for w in workloads {
        let r = one(w);
        for (key, value) in
            as_pod.attrs.iter().filter(|(k, _)| !["phase", "node_name", "qos_class", "owner"].contains(&k.as_str()))
        {
            assert_eq!(r.attrs.get(key), Some(value), "{}: {key}", r.kind);
        }
        assert_eq!(r.attrs["template_labels"], json!({"app": "api", "tier": "web"}), "{}", r.kind);
        assert_eq!(rels(&r, "uses_service_account"), vec!["c1/shop/ServiceAccount/api"], "{}", r.kind);
        assert_eq!(rels(&r, "runs_image"), vec!["image:ghcr.io/acme/api:1.4.2"], "{}", r.kind);
    }
}

#[test]
fn workload_specific_attributes() {
    let t = template();
    let d = one(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "api"}}, "template": t}, "status": {"replicas": 3}}),
    );
    assert_eq!(d.attrs["ready_replicas"], json!(0), "the API omits zero counts from status");
    assert_eq!(d.attrs["selector"], json!({"match_labels": {"app": "api"}, "match_expressions": []}));
    let manifest =
        one(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"},
        "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": t}}));
    assert_eq!(manifest.attrs["ready_replicas"], Value::Null, "no status: not known yet");
    let job = one(json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "shop",
        "ownerReferences": [{"kind": "CronJob", "name": "nightly", "controller": true}]}, "spec": {"template": t}}));
    assert_eq!(job.attrs["owner"], json!({"kind": "CronJob", "name": "nightly"}));
    assert_eq!(job.attrs["suspend"], Value::Null);
    let cron = one(
        json!({"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "shop"},
        "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": t}}}}),
    );
    assert_eq!(cron.attrs["schedule"], json!("@daily"));
    assert_eq!(cron.attrs["last_schedule_time"], Value::Null);
    insta::assert_json_snapshot!("deployment", d);
}

#[test]
fn namespaces_read_pod_security_labels() {
    let ns = one(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {
        "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.30",
        "pod-security.kubernetes.io/warn": "strict"}}, "status": {"phase": "Active"}}));
    assert_eq!(ns.uid, "c1/_cluster/Namespace/shop");
    let psa = &ns.attrs["pod_security"];
    assert_eq!(psa["enforce"], json!("restricted"));
    assert_eq!(psa["enforce_version"], json!("v1.30"));
    assert_eq!(psa["audit"], Value::Null, "no label: known unset");
    assert!(psa.get("warn").is_none(), "a level the admission plugin does not know is unknown");
    assert!(ns.attrs.get("namespace").is_none());
    assert!(ns.relations.is_empty());
}

#[test]
fn secrets_keep_type_and_key_names_only() {
    let s = one(json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
        "metadata": {"name": "ci-token", "namespace": "ci", "creationTimestamp": "2025-01-01T00:00:00Z",
            "annotations": {"kubernetes.io/service-account.name": "ci",
                            "kubectl.kubernetes.io/last-applied-configuration": "{\"stringData\":{\"token\":\"TOPSECRET\"}}"}},
        "data": {"token": "VE9QU0VDUkVU", "ca.crt": "Q0VSVA=="}, "stringData": {"extra": "TOPSECRET"}}));
    let text = serde_json::to_string(&s).unwrap();
    for leaked in ["VE9QU0VDUkVU", "TOPSECRET", "Q0VSVA==", "last-applied"] {
        assert!(!text.contains(leaked), "{leaked} in {text}");
    }
    assert_eq!(s.attrs["data_keys"], json!(["ca.crt", "extra", "token"]));
    assert_eq!(s.attrs["service_account_name"], json!("ci"));
    assert_eq!(s.attrs["created_at"], json!("2025-01-01T00:00:00Z"));
    assert!(s.raw.is_none());
    let opaque = one(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x", "namespace": "ci"}}));
    assert_eq!(opaque.attrs["type"], json!("Opaque"));
    assert_eq!(opaque.attrs["data_keys"], json!([]));
    assert_eq!(opaque.attrs["service_account_name"], Value::Null);
}

#[test]
fn rbac_rules_keep_wildcards_and_bindings_point_to_roles_and_accounts() {
    let role = one(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "deployer", "namespace": "shop"},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"], "verbs": ["get"]}]}),
    );
    assert_eq!(
        role.attrs["rules"][0],
        json!({"api_groups": ["*"], "resources": ["*"], "resource_names": [], "verbs": ["*"], "non_resource_urls": []})
    );
    assert_eq!(role.attrs["rules"][1]["resource_names"], json!(["db"]));
    let cr = one(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "monitoring"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}}]}, "rules": null}),
    );
    assert_eq!(cr.attrs["rules"], json!([]));
    assert_eq!(
        cr.attrs["aggregation_rule"]["cluster_role_selectors"][0]["match_labels"],
        json!({"rbac.example.com/aggregate-to-monitoring": "true"})
    );
    let plain = one(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "view"}, "rules": []}),
    );
    assert_eq!(plain.attrs["aggregation_rule"], Value::Null);

    let rb = one(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "deployers", "namespace": "shop"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci"}, {"kind": "ServiceAccount", "name": "argo", "namespace": "argocd"},
                     {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice@example.com"}]}),
    );
    assert_eq!(rels(&rb, "grants_role"), vec!["c1/shop/Role/deployer"]);
    assert_eq!(rels(&rb, "bound_to"), vec!["c1/argocd/ServiceAccount/argo", "c1/shop/ServiceAccount/ci"]);
    assert_eq!(
        rb.attrs["subjects"][0],
        json!({"kind": "ServiceAccount", "name": "ci", "namespace": "shop", "api_group": null})
    );
    assert_eq!(
        rb.attrs["subjects"][2],
        json!({"kind": "User", "name": "alice@example.com", "namespace": null, "api_group": "rbac.authorization.k8s.io"})
    );
    let crb = one(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "anon"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "Group", "name": "system:unauthenticated"}]}),
    );
    assert_eq!(crb.uid, "c1/_cluster/ClusterRoleBinding/anon");
    assert_eq!(rels(&crb, "grants_role"), vec!["c1/_cluster/ClusterRole/cluster-admin"]);
    assert!(rels(&crb, "bound_to").is_empty());
    assert_eq!(crb.attrs["subjects"][0]["api_group"], json!("rbac.authorization.k8s.io"));
}

#[test]
fn services_read_exposure_from_type_ranges_and_provider_annotations() {
    let svc = |annotations: Value, spec: Value| {
        let mut s = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop", "annotations": annotations},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 22, "targetPort": "ssh", "nodePort": 31022}], "selector": {"app": "sftp"}}});
        if let (Some(base), Some(extra)) = (s["spec"].as_object_mut(), spec.as_object()) {
            base.extend(extra.clone());
        }
        one(s)
    };
    let public = svc(json!({}), json!({}));
    assert_eq!(public.attrs["internal_load_balancer"], json!(false), "every cloud's default load balancer is public");
    assert_eq!(
        public.attrs["ports"][0],
        json!({"name": null, "protocol": "TCP", "port": 22, "target_port": "ssh", "node_port": 31022})
    );
    assert_eq!(public.attrs["load_balancer_source_ranges"], json!([]));
    let aws_internal = svc(json!({"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}), json!({}));
    assert_eq!(aws_internal.attrs["internal_load_balancer"], json!(true));
    let gke_internal = svc(json!({"networking.gke.io/load-balancer-type": "Internal"}), json!({}));
    assert_eq!(gke_internal.attrs["internal_load_balancer"], json!(true));
    let azure_public = svc(json!({"service.beta.kubernetes.io/azure-load-balancer-internal": "false"}), json!({}));
    assert_eq!(azure_public.attrs["internal_load_balancer"], json!(false));
    let lbc = svc(json!({}), json!({"loadBalancerClass": "service.k8s.aws/nlb"}));
    assert_eq!(
        lbc.attrs["internal_load_balancer"],
        json!(true),
        "the AWS Load Balancer Controller defaults to internal"
    );
    let metallb = svc(json!({}), json!({"loadBalancerClass": "metallb.io/l2"}));
    assert!(metallb.attrs.get("internal_load_balancer").is_none(), "an unknown class is unknown");
    let ranges = svc(
        json!({"service.beta.kubernetes.io/load-balancer-source-ranges": "203.0.113.0/24, 198.51.100.0/24"}),
        json!({}),
    );
    assert_eq!(ranges.attrs["load_balancer_source_ranges"], json!(["203.0.113.0/24", "198.51.100.0/24"]));
    let plain =
        one(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubernetes", "namespace": "default"},
        "spec": {"clusterIP": "10.100.0.1", "ports": [{"port": 443, "targetPort": 443}]}}));
    assert_eq!(plain.attrs["type"], json!("ClusterIP"));
    assert_eq!(plain.attrs["internal_load_balancer"], Value::Null);
    assert_eq!(plain.attrs["selector"], Value::Null);
    assert_eq!(plain.attrs["external_ips"], json!([]));
}

#[test]
fn ingresses_in_both_api_shapes_route_to_services() {
    let v1 = one(
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop",
            "annotations": {"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:111122223333:certificate/x"}},
        "spec": {"ingressClassName": "alb", "rules": [{"host": "shop.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
            {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"name": "http"}}}}]}}]}}),
    );
    assert_eq!(v1.attrs["load_balancer_tls"], json!(true));
    assert_eq!(v1.attrs["tls"], json!([]));
    assert_eq!(
        v1.attrs["rules"][0]["paths"][1],
        json!({"path": "/api", "path_type": "Prefix", "backend_service": "api", "backend_port": "http"})
    );
    assert_eq!(rels(&v1, "routes_to"), vec!["c1/shop/Service/api", "c1/shop/Service/web"]);
    let beta = one(
        json!({"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "old", "namespace": "shop",
            "annotations": {"kubernetes.io/ingress.class": "nginx"}},
        "spec": {"backend": {"serviceName": "web", "servicePort": 80}, "tls": [{"hosts": ["a.example.com"], "secretName": "a-tls"}]}}),
    );
    assert_eq!(beta.attrs["ingress_class_name"], json!("nginx"));
    assert_eq!(beta.attrs["default_backend"], json!({"service": "web", "port": 80}));
    assert_eq!(beta.attrs["load_balancer_tls"], Value::Null);
    assert_eq!(rels(&beta, "uses_secret"), vec!["c1/shop/Secret/a-tls"]);
    let unknown_class = one(
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "x", "namespace": "shop"},
        "spec": {"ingressClassName": "azure-application-gateway"}}),
    );
    assert!(unknown_class.attrs.get("load_balancer_tls").is_none());
}

#[test]
fn network_policies_default_their_types_and_know_when_they_select_every_pod() {
    let deny = one(
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "shop"},
        "spec": {"podSelector": {}}}),
    );
    assert_eq!(deny.attrs["selects_all_pods"], json!(true));
    assert_eq!(deny.attrs["policy_types"], json!(["Ingress"]), "the API server's default");
    assert_eq!(deny.attrs["ingress"], json!([]));
    let allow = one(
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "allow", "namespace": "shop"},
        "spec": {"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]},
                 "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}, {"namespaceSelector": {}}], "ports": [{"port": 8080}]}],
                 "egress": [{}]}}),
    );
    assert_eq!(allow.attrs["selects_all_pods"], json!(false));
    assert_eq!(allow.attrs["policy_types"], json!(["Ingress", "Egress"]));
    assert_eq!(
        allow.attrs["ingress"][0]["from"][0],
        json!({"pod_selector": null, "namespace_selector": null, "ip_block": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}})
    );
    assert_eq!(allow.attrs["ingress"][0]["ports"], json!([{"protocol": "TCP", "port": 8080, "end_port": null}]));
    assert_eq!(
        allow.attrs["egress"],
        json!([{"to": [], "ports": []}]),
        "an empty rule allows everything: to and ports are known-empty"
    );
}

#[test]
fn nodes_report_versions_readiness_and_addresses() {
    let n = one(
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "ip-10-0-1-5.eu-west-1.compute.internal", "creationTimestamp": "2026-11-01T08:00:00Z",
            "labels": {"topology.kubernetes.io/zone": "eu-west-1a"}},
        "spec": {"providerID": "aws:///eu-west-1a/i-0abc", "podCIDRs": ["10.244.1.0/24"], "taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]},
        "status": {"nodeInfo": {"kubeletVersion": "v1.30.4", "containerRuntimeVersion": "containerd://1.7.20", "osImage": "Bottlerocket OS 1.20.3",
                                "kernelVersion": "6.1.102", "operatingSystem": "linux", "architecture": "arm64"},
                   "addresses": [{"type": "InternalIP", "address": "10.0.1.5"}, {"type": "ExternalIP", "address": "52.1.2.3"}, {"type": "Hostname", "address": "ip-10-0-1-5"}],
                   "conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}]}}),
    );
    assert_eq!(n.kind, "k8s.core.node");
    assert_eq!(n.uid, "c1/_cluster/Node/ip-10-0-1-5.eu-west-1.compute.internal");
    assert_eq!(n.attrs["ready"], json!(true));
    assert_eq!(n.attrs["external_ips"], json!(["52.1.2.3"]));
    assert_eq!(n.attrs["unschedulable"], json!(false));
    assert_eq!(n.attrs["taints"], json!([{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]));
    assert_eq!(n.attrs["kubelet_version"], json!("v1.30.4"));
    assert_eq!(n.attrs["internal_ips"], json!(["10.0.1.5"]));
    // A manifest has no status: its addresses are unknown, not empty.
    let manifest = one(json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n2"}, "spec": {}}));
    assert!(manifest.attrs.get("external_ips").is_none() && manifest.attrs.get("internal_ips").is_none(), "{:?}", manifest.attrs);
    let private = one(json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n3"},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.0.1.6"}, {"type": "Hostname", "address": "n3"}]}}));
    assert_eq!(private.attrs["external_ips"], json!([]), "reported addresses without an ExternalIP: known none");
}

#[test]
fn unmodelled_kinds_are_skipped_and_broken_objects_are_errors() {
    let o = origin();
    let none = |v: Value| map_object("c1", &v, &o).unwrap();
    assert!(none(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "a"}, "data": {"k": "v"}})).is_empty());
    assert!(none(
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "x-1", "namespace": "a"}})
    )
    .is_empty());
    assert!(
        none(json!({"apiVersion": "example.com/v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "a"}}))
            .is_empty(),
        "a CRD named Pod is not a Pod"
    );
    let err = |v: Value| map_object("c1", &v, &o).unwrap_err();
    assert_eq!(err(json!([1])), MapError::NotAnObject);
    assert_eq!(
        err(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "a"}})),
        MapError::Missing("metadata.name")
    );
    assert_eq!(
        err(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}})),
        MapError::Missing("metadata.namespace")
    );
    assert!(matches!(
        err(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a/b", "namespace": "x"}})),
        MapError::BadName { .. }
    ));
    // A manifest without a namespace, applied with -n.
    let ctx = MapContext { cluster: "c1", origin: &o, default_namespace: Some("dev") };
    let r = map_object_with(&ctx, &json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}}))
        .unwrap();
    assert_eq!(r[0].uid, "c1/dev/ServiceAccount/sa");
}

#[test]
fn lists_map_each_item_and_name_the_bad_one() {
    let o = origin();
    let list = json!({"apiVersion": "v1", "kind": "ServiceAccountList", "items": [
        {"metadata": {"name": "a", "namespace": "x"}}, {"metadata": {"name": "b", "namespace": "x"}}]});
    let out = map_object("c1", &list, &o).unwrap();
    assert_eq!(
        out.iter().map(|r| r.uid.as_str()).collect::<Vec<_>>(),
        vec!["c1/x/ServiceAccount/a", "c1/x/ServiceAccount/b"]
    );
    let bad =
        json!({"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {}}]});
    assert_eq!(map_object("c1", &bad, &o).unwrap_err().to_string(), "items[0]: metadata.name is missing or empty");
}

fn objects_for_linking() -> Vec<Resource> {
    let t = template();
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "shop"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"},
               "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": t}}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api-7d9f8c6b5-x2x9q", "namespace": "shop",
               "labels": {"app": "api", "tier": "web", "pod-template-hash": "7d9f8c6b5"},
               "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7d9f8c6b5", "controller": true}]}, "spec": t["spec"]}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "report", "namespace": "shop"},
               "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "r", "image": "r:1"}]}}}}}}),
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "report-29000", "namespace": "shop",
               "ownerReferences": [{"kind": "CronJob", "name": "report", "controller": true}]},
               "spec": {"template": {"spec": {"containers": [{"name": "r", "image": "r:1"}]}}}}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "report-29000-abcde", "namespace": "shop",
               "labels": {"job-name": "report-29000"}, "ownerReferences": [{"kind": "Job", "name": "report-29000", "controller": true}]},
               "spec": {"containers": [{"name": "r", "image": "r:1"}]}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "shop"}, "spec": {"selector": {"app": "api"}, "ports": [{"port": 80}]}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "other-ns", "namespace": "default"}, "spec": {"selector": {"app": "api"}, "ports": [{"port": 80}]}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "web-only", "namespace": "shop"},
               "spec": {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]}}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "api-read", "namespace": "shop"},
               "roleRef": {"kind": "ClusterRole", "name": "view", "apiGroup": "rbac.authorization.k8s.io"}, "subjects": [{"kind": "ServiceAccount", "name": "api"}]}),
    ];
    let o = origin();
    objects.iter().flat_map(|v| map_object("c1", v, &o).unwrap()).collect()
}

#[test]
fn linking_adds_selector_owner_and_inverse_relations() {
    let mut rs = objects_for_linking();
    link(&mut rs);
    let get = |uid: &str| rs.iter().find(|r| r.uid == uid).unwrap_or_else(|| panic!("{uid}"));
    let pod = "c1/shop/Pod/api-7d9f8c6b5-x2x9q";
    assert_eq!(rels(get("c1/shop/Service/api"), "selects"), vec!["c1/shop/Deployment/api", pod]);
    assert!(rels(get("c1/default/Service/other-ns"), "selects").is_empty(), "selectors stay in their namespace");
    assert_eq!(rels(get("c1/shop/NetworkPolicy/web-only"), "selects"), vec!["c1/shop/Deployment/api", pod]);
    assert_eq!(rels(get("c1/shop/Deployment/api"), "manages"), vec![pod]);
    assert_eq!(rels(get("c1/shop/Job/report-29000"), "manages"), vec!["c1/shop/Pod/report-29000-abcde"]);
    assert_eq!(rels(get("c1/shop/CronJob/report"), "manages"), vec!["c1/shop/Pod/report-29000-abcde"]);
    assert_eq!(rels(get("c1/_cluster/Namespace/shop"), "has_network_policy"), vec!["c1/shop/NetworkPolicy/web-only"]);
    assert_eq!(rels(get("c1/shop/ServiceAccount/api"), "bound_by"), vec!["c1/shop/RoleBinding/api-read"]);
    for r in &rs {
        let problems = registry().validate(r);
        assert!(problems.is_empty(), "{}: {problems:?}", r.uid);
    }
}

#[test]
fn every_relation_the_collector_writes_is_listed_in_its_kinds_schema() {
    let objects = json!([
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "shop"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls", "namespace": "shop"}, "type": "kubernetes.io/tls"},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
           "spec": {"serviceAccountName": "web", "containers": [{"name": "a", "image": "nginx:1.27"}]}}}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-5f7d9c-abcde", "namespace": "shop",
           "labels": {"app": "web", "pod-template-hash": "5f7d9c"},
           "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5f7d9c", "controller": true}]},
         "spec": {"serviceAccountName": "web", "containers": [{"name": "a", "image": "nginx:1.27"}]}},
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "report", "namespace": "shop"},
         "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "r", "image": "busybox:1.36"}]}}}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"tls": [{"hosts": ["shop.example"], "secretName": "tls"}],
           "rules": [{"host": "shop.example", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "shop"}, "rules": []},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb", "namespace": "shop"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
         "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "crb"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
         "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}]}
    ]);
    let mut resources: Vec<Resource> = Vec::new();
    for obj in objects.as_array().into_iter().flatten() {
        resources.extend(map_object("c1", obj, &origin()).unwrap_or_else(|e| panic!("{e}: {obj}")));
    }
    link(&mut resources);
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    for r in &resources {
        let listed: Vec<&str> = registry()
            .schema(&r.kind)
            .and_then(|s| s["x-relations"].as_array())
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for rel in &r.relations {
            seen.insert(rel.rel.clone());
            if !listed.contains(&rel.rel.as_str()) {
                problems.push(format!("{} ({}) has {} but its schema lists {listed:?}", r.uid, r.kind, rel.rel));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The fixture exercises every relation type the collector knows.
    let all = ["bound_by", "bound_to", "grants_role", "has_network_policy", "in_namespace", "manages", "routes_to", "runs_image", "selects", "uses_secret", "uses_service_account"];
    assert_eq!(seen.iter().map(String::as_str).collect::<Vec<_>>(), all);
}
