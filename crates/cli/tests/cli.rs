//! The `posture` binary end to end: demo, scans, exit codes, bad input, and a killed scan.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn posture(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("the posture binary runs")
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

const HEADER: &str = r#"{"format":"posture-snapshot","version":1,"source":"test","collected_at":"2026-11-28T00:00:00Z","accounts":["111122223333"]}"#;

/// `n` buckets, every third without public access block settings, encryption on or off.
fn buckets(dir: &Path, name: &str, n: usize) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "{HEADER}").unwrap();
    for i in 0..n {
        let flag = i % 3 != 0;
        let r = json!({
            "uid": format!("arn:aws:s3:::bucket-{i}"), "kind": "aws.s3.bucket", "provider": "aws",
            "account": "111122223333", "region": "eu-west-1", "name": format!("bucket-{i}"),
            "attrs": {"public_access_block": {"block_public_acls": flag, "ignore_public_acls": flag,
                      "block_public_policy": flag, "restrict_public_buckets": flag}}
        });
        writeln!(f, "{r}").unwrap();
    }
    path
}

#[test]
fn demo_runs_with_no_setup_and_reports_every_provider() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = posture(&db, &["demo"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("Secure score:"), "{text}");
    assert!(text.contains("Top recommendations"), "{text}");
    let inv = json_of(&posture(&db, &["--format", "json", "inventory", "--summary"]));
    let total: u64 = inv.as_array().unwrap().iter().map(|r| r["resources"].as_u64().unwrap()).sum();
    assert!(total >= 200, "the demo estate has only {total} resources");
    for provider in ["aws", "azure", "gcp", "k8s"] {
        assert!(inv.as_array().unwrap().iter().any(|r| r["provider"] == provider), "no {provider} resources");
    }
    let findings = json_of(&posture(&db, &["--format", "json", "findings", "--state", "fail"]));
    let findings = findings.as_array().unwrap();
    assert!(findings.len() >= 20, "a realistic estate has misconfigurations");
    assert!(findings.iter().all(|f| f["evidence"]["path"].is_string()), "every failure carries evidence");
    let unknown = json_of(&posture(&db, &["--format", "json", "findings", "--state", "unknown"]));
    assert!(!unknown.as_array().unwrap().is_empty(), "the demo shows unknown results too");
    let score = json_of(&posture(&db, &["--format", "json", "score"]));
    let pct = score["percentage"].as_f64().unwrap();
    assert!(pct > 0.0 && pct < 100.0, "score {pct}");
    // The demo estate and the rules are fixed, so the score table is too: a change here is a
    // change in what Posture reports, to be reviewed.
    let table = posture(&db, &["score"]);
    insta::assert_snapshot!("demo_score", String::from_utf8_lossy(&table.stdout));
    let per_account = posture(&db, &["--format", "csv", "score", "--by-account"]);
    insta::assert_snapshot!("demo_score_by_account", String::from_utf8_lossy(&per_account.stdout));
}

#[test]
fn demo_judges_clusters_as_a_whole_and_fills_remediation_per_finding() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(posture(&db, &["demo"]).status.success());
    // Of the three demo clusters only data-gke runs no threat-detection agent: one finding, on the
    // cluster itself, with its name filled into the remediation.
    let found = json_of(&posture(&db, &["--format", "json", "findings", "--rule", "K8S.CLUSTER.1"]));
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["uid"], "data-gke/_cluster/Cluster/data-gke");
    assert_eq!(found[0]["state"], "fail");
    let remediation = found[0]["remediation"].as_str().unwrap_or_default();
    assert!(remediation.contains("on every node of data-gke,"), "{remediation}");
    // The same agent on prod-eks-eu is ready on five nodes of six (a field compared with a field).
    let ready = json_of(&posture(&db, &["--format", "json", "findings", "--rule", "K8S.CLUSTER.3"]));
    let ready = ready.as_array().unwrap();
    assert_eq!(ready.len(), 1, "{ready:#?}");
    assert_eq!(ready[0]["uid"], "prod-eks-eu/falco/DaemonSet/falco");
    assert_eq!(ready[0]["evidence"]["value"], serde_json::json!({"attrs.number_ready": 5, "attrs.desired_number_scheduled": 6}));
}

const BLOCK_ACLS: &str = "id: TEST.S3.1
title: Buckets block public ACLs
severity: high
kinds: [aws.s3.bucket]
control: restrict-network-access
description: d
risk: r
remediation: {text: Turn on the block.}
check: {field: attrs.public_access_block.block_public_acls, equals: true}
examples:
  healthy: [{attrs: {public_access_block: {block_public_acls: true}}}]
  unhealthy: [{attrs: {public_access_block: {block_public_acls: false}}}]
";

#[test]
fn scan_fail_on_sets_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("acls.yaml"), BLOCK_ACLS).unwrap();
    let db = dir.path().join("p.db");
    let file = buckets(dir.path(), "b.ndjson", 30);
    let f = file.to_str().unwrap();
    let only_mine = ["--no-builtin-rules", "--rules", rules.to_str().unwrap()];
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "snapshot", f];
        args.extend_from_slice(&only_mine);
        args.extend_from_slice(extra);
        posture(&db, &args)
    };
    let ok = scan(&["--fail-on", "critical"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_eq!(scan(&["--fail-on", "high"]).status.code(), Some(3));
    let summary = json_of(&posture(&db, &["--format", "json", "scan", "snapshot", f, only_mine[0], only_mine[1], only_mine[2]]));
    assert_eq!((summary["resources"].clone(), summary["fail"].clone(), summary["pass"].clone()), (json!(30), json!(10), json!(20)));
    let csv = posture(&db, &["--format", "csv", "findings", "--rule", "TEST.S3.1"]);
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.starts_with("severity,state,rule,title,resource,account,evidence,first seen\n"), "{csv}");
    assert_eq!(csv.lines().count(), 11, "{csv}");
    assert!(csv.contains("high,fail,TEST.S3.1,Buckets block public ACLs,arn:aws:s3:::bucket-0,111122223333,attrs.public_access_block.block_public_acls = false (expected equals true),"), "{csv}");
}

#[test]
fn an_unwritable_database_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let db = blocker.join("p.db");
    let file = buckets(dir.path(), "b.ndjson", 3);
    let out = posture(&db, &["scan", "snapshot", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&db.display().to_string()), "{err}");
}

#[test]
fn a_bad_custom_rule_stops_the_scan_before_anything_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("mine.yaml"),
        "id: MY.1\ntitle: t\nseverity: low\nkinds: [aws.s3.bucket]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
         remediation: {text: x}\ncheck:\n  field: attrs.x\n  equls: 1\nexamples: {healthy: [{}], unhealthy: [{}]}\n",
    )
    .unwrap();
    let db = dir.path().join("p.db");
    let file = buckets(dir.path(), "b.ndjson", 3);
    let rules_arg = rules.to_str().unwrap();
    let out = posture(&db, &["scan", "snapshot", file.to_str().unwrap(), "--rules", rules_arg]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mine.yaml:11: unknown operator 'equls' (did you mean 'equals'?)"), "{err}");
    let scans = json_of(&posture(&db, &["--format", "json", "scans"]));
    assert_eq!(scans, json!([]));
}

#[test]
fn rules_test_runs_every_example_and_rules_show_explains_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let out = posture(&db, &["rules", "test"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
    let list = json_of(&posture(&db, &["--format", "json", "rules", "list"]));
    assert!(list.as_array().unwrap().len() >= 30);
    let show = posture(&db, &["rules", "show", "AWS.S3.3"]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("Remediation:"));
}

#[test]
fn killing_a_scan_midway_leaves_the_previous_scan_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let small = buckets(dir.path(), "small.ndjson", 12);
    let big = buckets(dir.path(), "big.ndjson", 400_000);
    assert!(posture(&db, &["scan", "snapshot", small.to_str().unwrap()]).status.success());
    let findings_before = json_of(&posture(&db, &["--format", "json", "findings"]));
    let inventory_before = json_of(&posture(&db, &["--format", "json", "inventory"]));

    let mut child = Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("--db")
        .arg(&db)
        .args(["scan", "snapshot", big.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let scans = json_of(&posture(&db, &["--format", "json", "scans"]));
        if scans[0]["status"] == "running" {
            break;
        }
        assert!(Instant::now() < deadline, "the scan never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(400));
    assert!(child.try_wait().unwrap().is_none(), "the scan finished before it could be killed: make the input bigger");
    child.kill().unwrap();
    child.wait().unwrap();

    let scans = json_of(&posture(&db, &["--format", "json", "scans"]));
    assert_eq!(scans[0]["status"], "interrupted");
    assert_eq!(scans[1]["status"], "complete");
    assert_eq!(json_of(&posture(&db, &["--format", "json", "inventory"])), inventory_before);
    assert_eq!(json_of(&posture(&db, &["--format", "json", "findings"])), findings_before);
}
