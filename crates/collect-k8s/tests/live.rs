//! The live collector against a stand-in API server: paging, a denied type, a denied namespace,
//! throttling with Retry-After, and servers that cannot be used at all.

mod support {
    pub mod fake_api;
    pub mod lab;
    pub mod tls;
}

use posture_collect_k8s::live::{collect, ClusterConfig, CollectError, FailureKind, LiveOptions};
use posture_model::Resource;
use std::time::{Duration, Instant};
use support::fake_api::{kubeconfig, FakeApi};
use support::lab;

fn options() -> LiveOptions {
    LiveOptions {
        page_size: 2,
        timeout: Duration::from_secs(10),
        max_attempts: 3,
        max_retry_wait: Duration::from_secs(5),
        concurrency: 3,
    }
}

fn run(url: &str, token: &str) -> (Result<posture_collect_k8s::live::CollectReport, CollectError>, Vec<Resource>) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = ClusterConfig::from_kubeconfig_files(&[kubeconfig(dir.path(), url, token)], None).unwrap();
    run_with(&cfg)
}

fn run_with(cfg: &ClusterConfig) -> (Result<posture_collect_k8s::live::CollectReport, CollectError>, Vec<Resource>) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let drain = tokio::spawn(async move {
            let mut out = Vec::new();
            while let Some(r) = rx.recv().await {
                out.push(r);
            }
            out
        });
        let report = collect(cfg, "lab", &options(), tx).await;
        (report, drain.await.unwrap())
    })
}

#[test]
fn pages_are_followed_denials_recorded_throttling_waited_out() {
    let api = FakeApi::start(lab::handle);
    let started = Instant::now();
    let (report, resources) = run(&api.url, lab::TOKEN);
    let report = report.expect("the collection runs");
    let issues: Vec<(String, String)> = report.issues.iter().map(|i| (i.location.clone(), i.message.clone())).collect();
    assert_eq!(issues.len(), 2, "{issues:#?}");
    assert_eq!(issues[0].0, "lab/clusterroles:list");
    assert!(
        issues[0].1.starts_with("HTTP 403: clusterroles is forbidden") && issues[0].1.ends_with("[denied]"),
        "{issues:?}"
    );
    assert_eq!(issues[1].0, "lab/kube-system/secrets:list", "only the namespace that denies is an issue");
    assert!(issues[1].1.ends_with("[denied]"), "{issues:?}");
    assert!(!report.complete());

    let mut uids: Vec<&str> = resources.iter().map(|r| r.uid.as_str()).collect();
    uids.sort();
    assert_eq!(
        uids,
        vec![
            "lab/_cluster/Cluster/lab",
            "lab/_cluster/Namespace/default",
            "lab/_cluster/Namespace/kube-system",
            "lab/_cluster/Namespace/shop",
            "lab/kube-system/Pod/kube-proxy-x1",
            "lab/shop/Deployment/web",
            "lab/shop/Pod/debug",
            "lab/shop/Pod/web-5f7d9c-abcde",
            "lab/shop/RoleBinding/web-view",
            "lab/shop/Secret/db-creds",
            "lab/shop/Service/web",
            "lab/shop/ServiceAccount/default",
            "lab/shop/ServiceAccount/web",
        ]
    );
    assert_eq!(report.resources, 13);
    let cluster = resources.iter().find(|r| r.kind == "k8s.core.cluster").expect("one cluster resource");
    assert_eq!(cluster.attrs["source"], serde_json::json!("api"));
    assert_eq!(cluster.attrs["server"], serde_json::json!(api.url));
    assert_eq!(cluster.attrs["server_version"], serde_json::json!("v1.31.2"));
    assert_eq!(cluster.attrs["nodes_listed"], serde_json::json!(true), "the (empty) node listing completed");
    assert_eq!(report.listed.get("pods"), Some(&3));

    // Second pages were asked for with the continue token; throttled deployments were retried after Retry-After.
    assert_eq!(api.count("/api/v1/namespaces?limit=2&continue=ns-p2"), 1);
    assert_eq!(api.count("/api/v1/pods?limit=2&continue=pods-p2"), 1);
    assert_eq!(api.count("/apis/apps/v1/deployments"), 2);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    // The cluster-wide denial fell back to each namespace; the denied cluster-scoped type did not retry.
    assert_eq!(api.count("/api/v1/namespaces/shop/secrets"), 1);
    assert_eq!(api.count("/apis/rbac.authorization.k8s.io/v1/clusterroles"), 1);

    let secret = resources.iter().find(|r| r.kind == "k8s.core.secret").unwrap();
    assert_eq!(secret.attrs["data_keys"], serde_json::json!(["password"]));
    let text = serde_json::to_string(&resources).unwrap();
    assert!(!text.contains(lab::SECRET_VALUE), "a secret value was kept");
    let registry = posture_schema::KindRegistry::builtin().unwrap();
    for r in &resources {
        assert!(registry.validate(r).is_empty(), "{}: {:?}", r.uid, registry.validate(r));
        assert_eq!(r.origin, Some(posture_model::Origin::Api { service: r.origin_service().to_string() }));
    }
}

trait OriginService {
    fn origin_service(&self) -> &str;
}

impl OriginService for Resource {
    fn origin_service(&self) -> &str {
        match self.kind.split('.').nth(1) {
            Some("apps") => "apps/v1",
            Some("rbac") => "rbac.authorization.k8s.io/v1",
            _ => "v1",
        }
    }
}

#[test]
fn throttling_that_never_ends_is_recorded_after_bounded_attempts() {
    let api = FakeApi::start(|seen| {
        if seen.target.starts_with("/api/v1/pods") {
            let mut r =
                support::fake_api::Reply::json(429, serde_json::json!({"kind": "Status", "message": "slow down"}));
            r.headers.push(("Retry-After", "0".into()));
            return r;
        }
        support::fake_api::Reply::json(
            200,
            serde_json::json!({"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []}),
        )
    });
    let (report, _) = run(&api.url, "any");
    let report = report.unwrap();
    assert_eq!(api.count("/api/v1/pods"), 3, "max_attempts bounds the retries");
    let issue = report.issues.iter().find(|i| i.location == "lab/pods:list").expect("an issue for pods");
    assert!(issue.message.contains("[throttled]") && issue.message.contains("gave up after 3 attempts"), "{issue:?}");
}

#[test]
fn a_failed_node_listing_is_said_on_the_cluster() {
    let api = FakeApi::start(|seen| {
        if seen.target.starts_with("/api/v1/nodes?limit=2&continue=") {
            return support::fake_api::Reply::json(403, serde_json::json!({"kind": "Status", "message": "nodes is forbidden"}));
        }
        let items = if seen.target.starts_with("/api/v1/nodes") {
            serde_json::json!([{"metadata": {"name": "n1"}, "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]}}])
        } else {
            serde_json::json!([])
        };
        let next = seen.target.starts_with("/api/v1/nodes").then_some("nodes-p2");
        support::fake_api::Reply::json(
            200,
            serde_json::json!({"kind": "List", "apiVersion": "v1", "metadata": {"continue": next}, "items": items}),
        )
    });
    let (report, resources) = run(&api.url, "any");
    let report = report.unwrap();
    assert!(report.issues.iter().any(|i| i.location == "lab/nodes:list"), "{:?}", report.issues);
    // The first page's node was sent, but the cluster says the list is not whole.
    assert!(resources.iter().any(|r| r.uid == "lab/_cluster/Node/n1"));
    let cluster = resources.iter().find(|r| r.kind == "k8s.core.cluster").expect("one cluster resource");
    assert_eq!(cluster.attrs["nodes_listed"], serde_json::json!(false));
}

#[test]
fn rejected_credentials_and_a_dead_server_stop_the_collection() {
    let api = FakeApi::start(lab::handle);
    let (report, resources) = run(&api.url, "wrong-token");
    match report {
        Err(CollectError::Unusable(f)) => assert_eq!(f.kind, FailureKind::Unauthorized),
        other => panic!("{other:?}"),
    }
    assert!(resources.is_empty());
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    match run(&url, "x").0 {
        Err(CollectError::Unusable(f)) => assert_eq!(f.kind, FailureKind::Unreachable, "{f}"),
        other => panic!("{other:?}"),
    }
}

/// A kubeconfig for an HTTPS server, with `cluster` and `user` entries written as given.
fn tls_config(url: &str, cluster: &str, user: &str) -> ClusterConfig {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let text = format!("current-context: t\nclusters: [{{name: c, cluster: {{server: '{url}', {cluster}}}}}]\nusers: [{{name: u, user: {{{user}}}}}]\ncontexts: [{{name: t, context: {{cluster: c, user: u}}}}]\n");
    std::fs::write(&path, text).unwrap();
    ClusterConfig::from_kubeconfig_files(&[path], None).unwrap()
}

fn only_namespaces(seen: &support::fake_api::Seen) -> support::fake_api::Reply {
    let items = if seen.target.starts_with("/api/v1/namespaces?") {
        serde_json::json!([{"metadata": {"name": "tls-ok"}}])
    } else {
        serde_json::json!([])
    };
    support::fake_api::Reply::json(
        200,
        serde_json::json!({"kind": "List", "apiVersion": "v1", "metadata": {}, "items": items}),
    )
}

#[test]
fn https_trusts_the_cluster_ca_and_nothing_else_unless_told_to() {
    let api = support::tls::start_tls(only_namespaces, false);
    let ca = support::tls::fixture("ca.crt");
    let trusted = tls_config(&api.url, &format!("certificate-authority: '{}'", ca.display()), "token: t");
    let (report, resources) = run_with(&trusted);
    assert!(report.expect("a TLS collection").complete());
    assert_eq!(
        resources.iter().map(|r| r.uid.as_str()).collect::<Vec<_>>(),
        vec!["lab/_cluster/Namespace/tls-ok", "lab/_cluster/Cluster/lab"]
    );

    // Another CA: the server certificate is refused before any request is made.
    let wrong = support::tls::fixture("client.crt");
    let untrusted = tls_config(&api.url, &format!("certificate-authority: '{}'", wrong.display()), "token: t");
    match run_with(&untrusted).0 {
        Err(CollectError::Unusable(f)) => {
            assert!(f.kind == FailureKind::Unreachable && f.message.contains("certificate"), "{f}")
        }
        other => panic!("{other:?}"),
    }
    let insecure = tls_config(&api.url, "insecure-skip-tls-verify: true", "token: t");
    assert!(run_with(&insecure).0.expect("insecure-skip-tls-verify").complete());
}

#[test]
fn a_client_certificate_authenticates_the_tls_connection() {
    let api = support::tls::start_tls(only_namespaces, true);
    let ca = support::tls::fixture("ca.crt");
    let cluster = format!("certificate-authority: '{}'", ca.display());
    let with_cert = tls_config(
        &api.url,
        &cluster,
        &format!(
            "client-certificate: '{}', client-key: '{}'",
            support::tls::fixture("client.crt").display(),
            support::tls::fixture("client.key").display()
        ),
    );
    assert!(matches!(with_cert.auth, posture_collect_k8s::live::Auth::ClientCert { .. }));
    assert!(run_with(&with_cert).0.expect("mutual TLS").complete());
    let without = tls_config(&api.url, &cluster, "token: t");
    assert!(matches!(run_with(&without).0, Err(CollectError::Unusable(_))), "the server demands a certificate");
}
