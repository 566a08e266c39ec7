//! `posture scan k8s-dump` on hand-written kubectl output, and `posture scan k8s` against a
//! stand-in API server: exact findings of chosen rules, issues, coverage, and no secret values
//! in anything written.

#[path = "../../collect-k8s/tests/support/fake_api.rs"]
mod fake_api;
#[path = "../../collect-k8s/tests/support/lab.rs"]
mod lab;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../collect-k8s/tests/fixtures").join(name)
}

fn posture(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("KUBECONFIG")
        .output()
        .expect("the posture binary runs")
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// (rule, uid) of the open findings of `state` among `rules`.
fn findings(db: &Path, state: &str, rules: &[&str]) -> BTreeSet<(String, String)> {
    let all = json_of(&posture(db, &["--format", "json", "findings", "--state", state]));
    all.as_array()
        .expect("a list of findings")
        .iter()
        .filter(|f| rules.contains(&f["rule_id"].as_str().unwrap_or_default()))
        .map(|f| {
            (f["rule_id"].as_str().unwrap_or_default().to_string(), f["uid"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn pairs(cluster: &str, list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter().map(|(rule, path)| (rule.to_string(), format!("{cluster}/{path}"))).collect()
}

const CHECKED: &[&str] = &[
    "K8S.POD.1",
    "K8S.POD.2",
    "K8S.POD.4",
    "K8S.POD.8",
    "K8S.NS.1",
    "K8S.NS.3",
    "K8S.RBAC.1",
    "K8S.RBAC.2",
    "K8S.RBAC.6",
    "K8S.RBAC.9",
    "K8S.SECRET.1",
    "K8S.NET.1",
    "K8S.NET.2",
];

/// Values of the fixture's Secrets (and of the last-applied annotation that repeats one).
const SECRET_VALUES: &[&str] = &[
    "VHIwdWI0ZG9yJjMtc2hvcA==",
    "Tr0ub4dor",
    "c2hvcA==",
    "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkltTnBJbjAu",
    "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t",
];

#[test]
fn a_kubectl_dump_gives_exactly_its_misconfigurations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let snap = dir.path().join("shop.ndjson");
    let dump = fixture("shop-cluster.json");
    let report = json_of(&posture(
        &db,
        &["--format", "json", "scan", "k8s-dump", dump.to_str().unwrap(), "--save-snapshot", snap.to_str().unwrap()],
    ));
    assert_eq!(report["complete"], Value::Bool(true), "{report}");
    assert_eq!(report["issues"], serde_json::json!([]));

    let expected = pairs(
        "shop-cluster",
        &[
            ("K8S.POD.1", "tools/DaemonSet/node-agent"),
            ("K8S.POD.1", "tools/Pod/node-agent-x7k2m"),
            ("K8S.POD.1", "ci/Deployment/runner"),
            ("K8S.POD.1", "ci/Pod/runner-7f9c8b6d5-q2w4e"),
            ("K8S.POD.1", "default/Pod/debug"),
            ("K8S.POD.2", "tools/DaemonSet/node-agent"),
            ("K8S.POD.2", "tools/Pod/node-agent-x7k2m"),
            ("K8S.POD.2", "default/Pod/debug"),
            ("K8S.POD.4", "shop/StatefulSet/db"),
            ("K8S.POD.4", "shop/Pod/db-0"),
            ("K8S.POD.4", "tools/DaemonSet/node-agent"),
            ("K8S.POD.4", "tools/Pod/node-agent-x7k2m"),
            ("K8S.POD.4", "ci/Deployment/runner"),
            ("K8S.POD.4", "ci/Pod/runner-7f9c8b6d5-q2w4e"),
            ("K8S.POD.4", "default/Pod/debug"),
            ("K8S.POD.8", "tools/DaemonSet/node-agent"),
            ("K8S.POD.8", "tools/Pod/node-agent-x7k2m"),
            ("K8S.NS.1", "_cluster/Namespace/default"),
            ("K8S.NS.1", "_cluster/Namespace/kube-system"),
            ("K8S.NS.1", "_cluster/Namespace/ci"),
            ("K8S.NS.3", "_cluster/Namespace/default"),
            ("K8S.NS.3", "_cluster/Namespace/ci"),
            ("K8S.RBAC.1", "_cluster/ClusterRoleBinding/ci-runner-admin"),
            ("K8S.RBAC.2", "_cluster/ClusterRole/ops-admin"),
            ("K8S.RBAC.6", "default/ServiceAccount/default"),
            ("K8S.RBAC.6", "ci/ServiceAccount/default"),
            ("K8S.RBAC.6", "tools/ServiceAccount/default"),
            ("K8S.RBAC.9", "ci/Deployment/runner"),
            ("K8S.RBAC.9", "ci/Pod/runner-7f9c8b6d5-q2w4e"),
            ("K8S.SECRET.1", "ci/Secret/runner-token"),
            ("K8S.NET.1", "ci/Service/metrics"),
            ("K8S.NET.2", "tools/Service/admin-ssh"),
        ],
    );
    let failing = findings(&db, "fail", CHECKED);
    assert_eq!(
        failing,
        expected,
        "unexpected: {:#?}\nmissing: {:#?}",
        failing.difference(&expected),
        expected.difference(&failing)
    );
    // Every attribute and relation these rules read was there: nothing is left unknown.
    assert_eq!(findings(&db, "unknown", CHECKED), BTreeSet::new());

    let text = std::fs::read_to_string(&snap).unwrap();
    let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["source"], "k8s-dump");
    assert_eq!(header["accounts"], serde_json::json!(["shop-cluster"]), "a clean dump covers its cluster");
    for value in SECRET_VALUES {
        assert!(!text.contains(value), "secret value {value} written to the snapshot");
    }
    let db_bytes = std::fs::read(&db).unwrap();
    for value in SECRET_VALUES {
        assert!(
            !db_bytes.windows(value.len()).any(|w| w == value.as_bytes()),
            "secret value {value} stored in the database"
        );
    }
    // Cross-object relations were added before the snapshot was written.
    let service: Value = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["uid"] == "shop-cluster/shop/Service/web")
        .unwrap();
    let selects: Vec<&str> = service["relations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "selects")
        .filter_map(|r| r["target"].as_str())
        .collect();
    assert_eq!(selects, vec!["shop-cluster/shop/Deployment/web", "shop-cluster/shop/Pod/web-6d4cf56db6-8xk2p"]);
    // A clean dump that holds nodes holds them all: node exposure is known.
    let cluster: Value = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["kind"] == "k8s.core.cluster")
        .unwrap();
    assert_eq!(cluster["attrs"]["nodes_listed"], Value::Bool(true), "{cluster}");
}

#[test]
fn bad_items_are_recorded_the_rest_is_scanned_and_the_cluster_is_not_covered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let dump = fixture("broken-cluster.json");
    let snap = dir.path().join("broken.ndjson.gz");
    let out = posture(
        &db,
        &[
            "--format",
            "json",
            "scan",
            "k8s-dump",
            dump.to_str().unwrap(),
            "--cluster",
            "legacy-eks",
            "--save-snapshot",
            snap.to_str().unwrap(),
        ],
    );
    let report = json_of(&out);
    let issues = report["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert_eq!(issues[0]["location"], format!("{}#items[1]", dump.display()));
    assert_eq!(issues[0]["message"], "Pod: metadata.name is missing or empty");
    assert_eq!(report["complete"], Value::Bool(false));
    // The items around the bad one, and the second document of the file, were all imported.
    assert_eq!(findings(&db, "fail", &["K8S.POD.1"]), pairs("legacy-eks", &[("K8S.POD.1", "legacy/Pod/legacy-app")]));
    let inventory = json_of(&posture(&db, &["--format", "json", "inventory"]));
    let uids: BTreeSet<&str> = inventory.as_array().unwrap().iter().filter_map(|r| r["uid"].as_str()).collect();
    assert!(uids.contains("legacy-eks/legacy/ServiceAccount/default"), "{uids:?}");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(std::fs::File::open(&snap).unwrap()), &mut text)
        .unwrap();
    let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["accounts"], serde_json::json!([]), "a dump with a bad item does not cover its cluster");
}

#[test]
fn a_live_scan_lists_the_api_and_records_what_it_could_not_read() {
    let api = fake_api::FakeApi::start(lab::handle);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let snap = dir.path().join("lab.ndjson");
    let kubeconfig = fake_api::kubeconfig(dir.path(), &api.url, lab::TOKEN);
    let out = posture(
        &db,
        &[
            "--format",
            "json",
            "scan",
            "k8s",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--page-size",
            "2",
            "--save-snapshot",
            snap.to_str().unwrap(),
        ],
    );
    let report = json_of(&out);
    let locations: Vec<&str> =
        report["issues"].as_array().unwrap().iter().filter_map(|i| i["location"].as_str()).collect();
    assert_eq!(locations, vec!["lab/clusterroles:list", "lab/kube-system/secrets:list"]);
    assert_eq!(report["complete"], Value::Bool(false));
    assert_eq!(api.count("/apis/apps/v1/deployments"), 2, "the throttled listing was retried");
    assert_eq!(findings(&db, "fail", &["K8S.POD.1"]), pairs("lab", &[("K8S.POD.1", "shop/Pod/debug")]));
    let text = std::fs::read_to_string(&snap).unwrap();
    assert!(!text.contains(lab::SECRET_VALUE));
    assert!(
        text.contains(r#"{"type":"manages","target":"lab/shop/Pod/web-5f7d9c-abcde"}"#),
        "the Deployment manages its pod"
    );
    let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!((header["source"].as_str(), header["accounts"].clone()), (Some("k8s"), serde_json::json!([])));
}
