//! `posture query` and `posture paths` end to end: snapshot and store sources, JSON output,
//! templates, parse errors with a caret, explanations and `--fail-on`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn posture(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("the posture binary runs")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../graph/tests/fixtures")
        .join(format!("{name}.ndjson"))
        .display()
        .to_string()
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn query_a_snapshot_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let f = fixture("exposed-instance-attack");
    let q =
        r#"aws.ec2.instance[exposed_to_internet] -can_read-> aws.s3.bucket[tags."data-classification" = confidential]"#;
    let rows = json_of(&posture(&db, &["--format", "json", "query", "--snapshot", &f, q]));
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["nodes"][1]["name"], "customer-data");
    assert_eq!(
        rows[0]["edges"][1]["why"],
        "s3:GetObject allowed by managed policy app-read (v1, default) statement ReadCustomerData"
    );
    // Findings come from the built-in rules evaluated on the snapshot.
    assert!(rows[0]["nodes"][0]["max_severity"].is_string(), "{}", rows[0]["nodes"][0]);
    assert!(!db.exists(), "a snapshot query never touches the store");
}

#[test]
fn parse_errors_show_a_caret_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    let out = posture(
        &dir.path().join("x.db"),
        &["query", "--snapshot", &fixture("exposed-instance-attack"), "aws.ec2.instance -can_read aws.s3.bucket"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected `->` to end the hop"), "{err}");
    assert!(err.contains("\n  aws.ec2.instance -can_read aws.s3.bucket\n                             ^"), "{err}");
}

#[test]
fn templates_list_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let list = json_of(&posture(&db, &["--format", "json", "query", "--list"]));
    assert!(list.as_array().unwrap().len() >= 8);
    let rows = json_of(&posture(
        &db,
        &[
            "--format",
            "json",
            "query",
            "--snapshot",
            &fixture("k8s-cluster-admin-attack"),
            "--template",
            "exposed-pods-with-powerful-service-accounts",
        ],
    ));
    assert_eq!(rows[0]["nodes"][1]["uid"], "prod-cluster/ci/ServiceAccount/runner");
    let out = posture(&db, &["query", "--template", "nope"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no template named 'nope'"));
}

#[test]
fn paths_explain_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let attack = fixture("pass-role-lambda-attack");
    let report = json_of(&posture(&db, &["--format", "json", "paths", "--snapshot", &attack, "--no-findings"]));
    let paths = report["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 1, "{report}");
    assert_eq!(paths[0]["category"], "account_takeover");
    let id = paths[0]["id"].as_str().unwrap();
    let out = posture(&db, &["paths", "--snapshot", &attack, "--no-findings", "--explain", id]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("iam:PassRole + lambda:CreateFunction"), "{text}");
    assert!(text.contains("Fix: ci-bot: scope iam:PassRole"), "{text}");
    assert_eq!(
        posture(&db, &["paths", "--snapshot", &attack, "--no-findings", "--fail-on", "high"]).status.code(),
        Some(3)
    );
    let healthy = posture(&db, &["paths", "--snapshot", &fixture("pass-role-lambda-healthy"), "--fail-on", "low"]);
    assert_eq!(healthy.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&healthy.stdout).contains("No attack paths found."));
}

#[test]
fn paths_from_the_store_after_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let empty = posture(&db, &["paths"]);
    assert!(
        String::from_utf8_lossy(&empty.stderr).contains("the inventory is empty"),
        "{}",
        String::from_utf8_lossy(&empty.stderr)
    );
    let scan = posture(&db, &["scan", "snapshot", &fixture("k8s-cluster-admin-attack")]);
    assert!(scan.status.success(), "{}", String::from_utf8_lossy(&scan.stderr));
    let report = json_of(&posture(&db, &["--format", "json", "paths", "--category", "account_takeover"]));
    let paths = report["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 1, "{report}");
    assert_eq!(paths[0]["target"]["name"], "prod-cluster");
}

#[test]
fn a_folder_binding_from_a_gcp_export_reaches_the_buckets_below() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let snap = dir.path().join("gcp.ndjson");
    let export = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../collect-gcp/tests/fixtures/cai-hierarchy.ndjson");
    let scan =
        posture(&db, &["scan", "gcp-export", export.to_str().unwrap(), "--save-snapshot", snap.to_str().unwrap()]);
    assert!(scan.status.success(), "{}", String::from_utf8_lossy(&scan.stderr));
    let snap = snap.display().to_string();
    let query =
        |q: &str| json_of(&posture(&db, &["--format", "json", "query", "--snapshot", &snap, "--no-findings", q]));
    // roles/storage.admin on the folder Production, above the project of the bucket.
    let rows = query(r#"gcp.virtual.member[name = "user:lee@acme-shop.example"] -can_admin-> gcp.storage.bucket"#);
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(rows[0]["nodes"][1]["name"], "acme-shop-orders");
    let why = rows[0]["edges"][0]["why"].as_str().unwrap_or_default();
    assert!(why.contains("roles/storage.admin granted by Production"), "{why}");
    // Owner of a folder with no project below it reaches nothing.
    let none = query(r#"gcp.virtual.member[name = "user:sam@acme-shop.example"] -*-> *"#);
    assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");
}
