//! `posture scan iac` end to end: the table, SARIF, GitHub annotations, `--fail-on`, inline
//! suppressions reported as suppressed, and findings filtered by repository path.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn posture(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture")).arg("--db").arg(db).args(args).output().expect("the posture binary runs")
}

fn fixture(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../collect-iac/tests/fixtures").join(rel).display().to_string()
}

#[test]
fn sarif_for_code_scanning_with_suppressions_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let sarif = dir.path().join("out.sarif");
    let out = posture(&db, &["scan", "iac", &fixture("terraform/app"), "--report", "sarif", "--output", sarif.to_str().unwrap(), "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(3), "a high failure fails the build: {}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let find = |rule: &str| results.iter().find(|r| r["ruleId"] == rule).unwrap_or_else(|| panic!("no {rule} in {results:#?}"));
    let sg = find("AWS.EC2.2");
    let loc = &sg["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "crates/collect-iac/tests/fixtures/terraform/app/main.tf", "relative to the repository root");
    assert_eq!(loc["region"]["startLine"], 61);
    let rds = find("AWS.RDS.1");
    assert_eq!(rds["suppressions"][0]["kind"], "inSource");
    assert!(rds["suppressions"][0]["justification"].as_str().unwrap().starts_with("reachable only through the VPN"));
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["properties"]["security-severity"].is_string() && r["help"]["text"].is_string()));
    // The parse error is on the scan: partial, and reported.
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.tf:2"), "{}", String::from_utf8_lossy(&out.stderr));
    // A suppressed failure does not fail the build: only the open ones count.
    let exempt = posture(&db, &["--format", "json", "findings", "--status", "exempt"]);
    let rows: Vec<Value> = serde_json::from_slice(&exempt.stdout).unwrap();
    assert!(rows.iter().any(|r| r["rule_id"] == "AWS.RDS.1"), "{rows:#?}");
}

#[test]
fn github_annotations_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let out = posture(&db, &["scan", "iac", &fixture("docker"), "--report", "github"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    insta::assert_snapshot!("iac_github_docker", text);
    let table = posture(&db, &["scan", "iac", &fixture("docker")]);
    let t = String::from_utf8_lossy(&table.stdout);
    assert!(t.contains("docker/Dockerfile:8"), "{t}");
}

#[test]
fn code_to_cloud_runtime_findings_show_the_code_and_filter_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let out = posture(&db, &["scan", "iac", &fixture("terraform/app")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The deployed estate: the logs bucket (linked by the state file), the web instance (linked by
    // its yor_trace tag) and a bucket no code defines.
    let snapshot = dir.path().join("aws.ndjson");
    let lines = [
        r#"{"format":"posture-snapshot","version":1,"source":"test","collected_at":"2026-11-28T00:00:00Z","accounts":["111122223333"]}"#,
        r#"{"uid":"arn:aws:s3:::acme-prod-logs","kind":"aws.s3.bucket","provider":"aws","account":"111122223333","name":"acme-prod-logs","attrs":{"versioning":{"enabled":false,"mfa_delete":false}}}"#,
        r#"{"uid":"arn:aws:s3:::hand-made","kind":"aws.s3.bucket","provider":"aws","account":"111122223333","name":"hand-made","attrs":{"versioning":{"enabled":false,"mfa_delete":false}}}"#,
        r#"{"uid":"arn:aws:ec2:eu-west-1:111122223333:instance/i-1","kind":"aws.ec2.instance","provider":"aws","account":"111122223333","name":"web","tags":{"yor_trace":"5c1f0e3a-0000-4000-8000-00000000web1"},"attrs":{"state":"running","metadata_options":{"http_tokens":"optional","http_endpoint":"enabled"}}}"#,
    ];
    std::fs::write(&snapshot, lines.join("\n") + "\n").unwrap();
    let out = posture(&db, &["scan", "snapshot", snapshot.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let app = "crates/collect-iac/tests/fixtures/terraform/app/";
    let found = posture(&db, &["--format", "json", "findings", "--account", "111122223333", "--path", app]);
    let rows: Vec<Value> = serde_json::from_slice(&found.stdout).unwrap();
    let bucket = rows.iter().find(|r| r["uid"] == "arn:aws:s3:::acme-prod-logs" && r["rule_id"] == "AWS.S3.5").expect("runtime bucket finding");
    assert_eq!(bucket["source"], format!("{app}main.tf:9"));
    let instance = rows.iter().find(|r| r["uid"] == "arn:aws:ec2:eu-west-1:111122223333:instance/i-1" && r["rule_id"] == "AWS.EC2.1").expect("runtime instance finding");
    assert_eq!(instance["source"], format!("{app}main.tf:88"));
    assert!(!rows.iter().any(|r| r["uid"] == "arn:aws:s3:::hand-made"), "no code defines it: not under the path");
    let elsewhere = posture(&db, &["--format", "json", "findings", "--path", "some/other/dir"]);
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&elsewhere.stdout).unwrap().len(), 0);
}

#[test]
fn a_field_an_overlay_patched_is_reported_at_the_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let out = posture(&db, &["--format", "json", "scan", "iac", &fixture("kustomize-patches")]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let findings = doc["findings"].as_array().unwrap();
    let at = |rule: &str| {
        let f = findings.iter().find(|f| f["rule_id"] == rule).unwrap_or_else(|| panic!("no {rule} in {findings:#?}"));
        (f["file"].as_str().unwrap_or_default().to_string(), f["line"].as_u64())
    };
    let base = "crates/collect-iac/tests/fixtures/kustomize-patches/";
    assert_eq!(at("K8S.POD.2"), (format!("{base}overlays/prod/kustomization.yaml"), Some(15)), "the inline JSON patch");
    assert_eq!(at("K8S.POD.1"), (format!("{base}overlays/prod/privileged.json"), Some(5)), "the JSON 6902 patch file");
    assert_eq!(at("K8S.POD.3"), (format!("{base}base/deployment.yaml"), Some(14)), "untouched by the overlay: the container's line, as for any manifest");
    // The overlay's patch file carries a posture:ignore for K8S.POD.2.
    let pod2 = findings.iter().find(|f| f["rule_id"] == "K8S.POD.2").unwrap();
    let why = pod2["suppressed"].as_str().unwrap_or_default();
    assert!(why.starts_with("the node agent reads host processes (") && why.contains("overlays/prod/capabilities.yaml:8"), "{why}");
}
