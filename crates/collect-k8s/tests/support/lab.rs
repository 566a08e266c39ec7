//! "lab": a small cluster behind the fake API server. Namespaces and pods come in two pages;
//! Secrets are denied cluster-wide and in kube-system but readable in shop and default;
//! Deployments are throttled once (429, Retry-After: 1); ClusterRoles are denied.

use super::fake_api::{Reply, Seen};
use serde_json::{json, Value};

pub const TOKEN: &str = "lab-token";
/// A secret value that must never appear in anything Posture writes.
pub const SECRET_VALUE: &str = "c3VwZXJzZWNyZXQ=";

fn list(kind: &str, items: Value, next: Option<&str>) -> Reply {
    let mut meta = json!({"resourceVersion": "100"});
    if let Some(n) = next {
        meta["continue"] = json!(n);
    }
    Reply::json(200, json!({"kind": format!("{kind}List"), "apiVersion": "v1", "metadata": meta, "items": items}))
}

fn status(code: u16, reason: &str, message: &str) -> Reply {
    Reply::json(
        code,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "message": message, "code": code}),
    )
}

fn ns(name: &str, enforce: Option<&str>) -> Value {
    let mut labels = json!({"kubernetes.io/metadata.name": name});
    if let Some(level) = enforce {
        labels["pod-security.kubernetes.io/enforce"] = json!(level);
    }
    json!({"metadata": {"name": name, "labels": labels}, "status": {"phase": "Active"}})
}

fn web_template() -> Value {
    json!({"metadata": {"labels": {"app": "web"}},
           "spec": {"serviceAccountName": "web", "automountServiceAccountToken": false,
                    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "web", "image": "ghcr.io/lab/web:2.1.0",
                                    "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
                                    "resources": {"requests": {"cpu": "50m"}, "limits": {"memory": "128Mi"}}}]}})
}

fn pods(page: u8) -> Reply {
    let web = json!({"metadata": {"name": "web-5f7d9c-abcde", "namespace": "shop", "labels": {"app": "web", "pod-template-hash": "5f7d9c"},
                                  "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5f7d9c", "controller": true}]},
                     "spec": web_template()["spec"], "status": {"phase": "Running"}});
    let debug = json!({"metadata": {"name": "debug", "namespace": "shop"},
                       "spec": {"hostNetwork": true, "containers": [{"name": "sh", "image": "busybox", "securityContext": {"privileged": true}}]},
                       "status": {"phase": "Running"}});
    let proxy = json!({"metadata": {"name": "kube-proxy-x1", "namespace": "kube-system"},
                       "spec": {"hostNetwork": true, "containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.30.4", "securityContext": {"privileged": true}}]}});
    match page {
        1 => list("Pod", json!([web, debug]), Some("pods-p2")),
        _ => list("Pod", json!([proxy]), None),
    }
}

pub fn handle(seen: &Seen) -> Reply {
    if seen.authorization != Some(&format!("Bearer {TOKEN}")) {
        return status(401, "Unauthorized", "Unauthorized");
    }
    let (path, query) = seen.target.split_once('?').unwrap_or((seen.target, ""));
    let cont = query.split('&').find_map(|kv| kv.strip_prefix("continue="));
    match (path, cont) {
        ("/api/v1/namespaces", None) => list("Namespace", json!([ns("default", None), ns("kube-system", None)]), Some("ns-p2")),
        ("/api/v1/namespaces", Some("ns-p2")) => list("Namespace", json!([ns("shop", Some("restricted"))]), None),
        ("/api/v1/pods", None) => pods(1),
        ("/api/v1/pods", Some("pods-p2")) => pods(2),
        ("/api/v1/serviceaccounts", _) => list("ServiceAccount", json!([
            {"metadata": {"name": "default", "namespace": "shop"}},
            {"metadata": {"name": "web", "namespace": "shop"}, "automountServiceAccountToken": false}]), None),
        ("/api/v1/secrets", _) => status(403, "Forbidden", "secrets is forbidden: User \"scanner\" cannot list resource \"secrets\" in API group \"\" at the cluster scope"),
        ("/api/v1/namespaces/kube-system/secrets", _) => status(403, "Forbidden", "secrets is forbidden in kube-system"),
        ("/api/v1/namespaces/default/secrets", _) => list("Secret", json!([]), None),
        ("/api/v1/namespaces/shop/secrets", _) => list("Secret", json!([
            {"metadata": {"name": "db-creds", "namespace": "shop", "creationTimestamp": "2026-10-01T00:00:00Z"}, "type": "Opaque",
             "data": {"password": SECRET_VALUE}}]), None),
        ("/apis/apps/v1/deployments", _) if seen.repeat == 0 => {
            let mut r = status(429, "TooManyRequests", "too many requests, please try again later");
            r.headers.push(("Retry-After", "1".to_string()));
            r
        }
        ("/apis/apps/v1/deployments", _) => list("Deployment", json!([
            {"metadata": {"name": "web", "namespace": "shop"},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": web_template()}, "status": {"readyReplicas": 1}}]), None),
        ("/api/v1/services", _) => list("Service", json!([
            {"metadata": {"name": "web", "namespace": "shop"}, "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 443, "targetPort": 8443}]}}]), None),
        ("/apis/rbac.authorization.k8s.io/v1/clusterroles", _) => status(403, "Forbidden", "clusterroles is forbidden"),
        ("/apis/rbac.authorization.k8s.io/v1/rolebindings", _) => list("RoleBinding", json!([
            {"metadata": {"name": "web-view", "namespace": "shop"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
             "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}]}]), None),
        ("/version", _) => Reply::json(200, json!({"major": "1", "minor": "31", "gitVersion": "v1.31.2"})),
        (p, _) if p.starts_with("/api") => list("Thing", json!([]), None),
        _ => status(404, "NotFound", "not found"),
    }
}
