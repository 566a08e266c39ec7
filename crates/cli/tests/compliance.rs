//! `posture compliance`, `posture exempt`, `posture score --history` and the rule documents, end to end.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn posture(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("COLUMNS")
        .output()
        .expect("the posture binary runs")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &Output) -> Value {
    let text = ok(out);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Today's date stands in every report; snapshots say DAY instead.
fn dated(text: &str) -> String {
    text.replace(&today(), "DAY")
}

fn today() -> String {
    let out = Command::new("date").args(["-u", "+%Y-%m-%d"]).output().expect("date runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    ok(&posture(&db, &["demo"]));
    db
}

#[test]
fn compliance_of_the_demo_estate() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // The demo estate, the rules and the standards are fixed, so these are too: a change here is a
    // change in what Posture reports, to be reviewed.
    let overview = json_of(&posture(&db, &["--format", "json", "compliance"]));
    insta::assert_json_snapshot!("demo_compliance_overview", overview);
    let table = ok(&posture(&db, &["compliance", "posture-benchmark", "--failing", "2"]));
    insta::assert_snapshot!("demo_compliance_benchmark", dated(&table));

    let report = json_of(&posture(&db, &["--format", "json", "compliance", "posture-benchmark"]));
    let reqs = report["requirements"].as_array().unwrap();
    for r in reqs {
        let counted = ["passed", "failed", "unknown", "exempt"].map(|k| r["resources"][k].as_u64().unwrap());
        match r["status"].as_str().unwrap() {
            "failed" => assert!(counted[1] > 0 && !r["failing"].as_array().unwrap().is_empty(), "{r}"),
            "manual" | "not_covered" => assert!(r["rules"].as_array().unwrap().is_empty() && counted == [0; 4], "{r}"),
            "passed" => assert!(counted[0] > 0 && counted[1] + counted[2] == 0, "{r}"),
            _ => {}
        }
    }
    // The overview's percentage is the report's.
    let bench = overview.as_array().unwrap().iter().find(|s| s["standard"]["id"] == "posture-benchmark").unwrap();
    assert_eq!(bench["summary"], report["summary"]);
    let csv = ok(&posture(&db, &["--format", "csv", "compliance", "posture-benchmark"]));
    assert!(csv.starts_with("requirement,title,section,status,passed,failed,unknown,exempt,rules,failing resources\n"), "{csv}");
    assert_eq!(csv.lines().count(), reqs.len() + 1);
    let unknown = posture(&db, &["compliance", "iso-9001"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no standard 'iso-9001' (known: posture-benchmark"));
}

#[test]
fn the_html_report_is_one_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("report.html");
    let out = posture(&db, &["--format", "html", "compliance", "cis-aws-3.0", "-o", file.to_str().unwrap()]);
    ok(&out);
    let html = std::fs::read_to_string(&file).unwrap();
    let report = json_of(&posture(&db, &["--format", "json", "compliance", "cis-aws-3.0"]));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(report["standard"]["title"].as_str().unwrap()), "the title");
    assert!(html.contains("<svg"), "charts");
    let failed: Vec<&str> = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(!failed.is_empty());
    for id in failed {
        assert!(html.contains(&format!(">{id}</span> <b>")), "failing requirement {id} is listed");
    }
    let lower = html.to_ascii_lowercase();
    for needle in ["<script", "src=", "href=", "url(", "@import", "http://", "https://"] {
        assert!(!lower.contains(needle), "external reference or script: '{needle}'");
    }
    let refused = posture(&db, &["--format", "html", "score"]);
    assert_eq!(refused.status.code(), Some(1), "only compliance writes HTML");
}

const BLOCK_ACLS: &str = "id: TEST.S3.1
title: Buckets block public ACLs
severity: high
kinds: [aws.s3.bucket]
control: restrict-network-access
description: d
risk: r
remediation: {text: Turn on the block.}
check: {field: attrs.block_public_acls, equals: true}
examples:
  healthy: [{attrs: {block_public_acls: true}}]
  unhealthy: [{attrs: {block_public_acls: false}}]
";

/// Buckets in `account`: `bad` of them fail, the first tagged env=dev.
fn snapshot(dir: &Path, name: &str, account: &str, good: usize, bad: usize) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    let header = json!({"format": "posture-snapshot", "version": 1, "source": "test",
                        "collected_at": "2026-11-28T00:00:00Z", "accounts": [account]});
    writeln!(f, "{header}").unwrap();
    for i in 0..good + bad {
        let tags = if i == good { json!({"env": "dev"}) } else { json!({}) };
        let r = json!({"uid": format!("arn:aws:s3:::{account}-b{i}"), "kind": "aws.s3.bucket", "provider": "aws",
                       "account": account, "name": format!("b{i}"), "tags": tags,
                       "attrs": {"block_public_acls": i < good}});
        writeln!(f, "{r}").unwrap();
    }
    path
}

#[test]
fn exemptions_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("acls.yaml"), BLOCK_ACLS).unwrap();
    let rules = rules.to_str().unwrap().to_string();
    let db = dir.path().join("p.db");
    let file = snapshot(dir.path(), "a.ndjson", "111", 3, 2);
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "snapshot", file.to_str().unwrap(), "--no-builtin-rules", "--rules", &rules];
        args.extend_from_slice(extra);
        posture(&db, &args)
    };
    assert_eq!(scan(&["--fail-on", "high"]).status.code(), Some(3));

    // By tag (b3) and by resource (b4): both failures.
    let tag = json_of(&posture(&db, &["--format", "json", "exempt", "add", "--rule", "test.s3.1", "--tag", "env=dev", "--reason", "lab"]));
    assert_eq!((tag["rule_id"].as_str(), tag["scope"].as_str(), tag["findings"].as_u64()), (Some("TEST.S3.1"), Some("tag"), Some(1)));
    let added = posture(&db, &["exempt", "add", "--rule", "TEST.S3.1", "--resource", "arn:aws:s3:::111-b4", "--reason", "SEC-1", "--expires", "2999-12-31"]);
    assert!(ok(&added).contains("it covers 1 current finding(s)"));
    let exempt = json_of(&posture(&db, &["--format", "json", "findings", "--status", "exempt"]));
    assert_eq!(exempt.as_array().unwrap().len(), 2);
    assert!(exempt.as_array().unwrap().iter().all(|f| f["status"] == "exempt" && f["exemption"].is_i64()));
    assert_eq!(json_of(&posture(&db, &["--format", "json", "findings"])), json!([]), "nothing open");

    // Exempt failures no longer fail the build, and the scan says how many it exempted.
    let rescan = scan(&["--fail-on", "high"]);
    assert_eq!(rescan.status.code(), Some(0), "{}", String::from_utf8_lossy(&rescan.stderr));
    assert!(String::from_utf8_lossy(&rescan.stdout).contains("0 fail, 0 unknown, 0 error, 2 exempt"));
    let score = json_of(&posture(&db, &["--format", "json", "score"]));
    let ctl = score["controls"].as_array().unwrap().iter().find(|c| c["control"] == "restrict-network-access").unwrap().clone();
    assert_eq!((ctl["healthy"].as_u64(), ctl["unhealthy"].as_u64()), (Some(3), Some(0)), "exempt resources leave the score");

    let list = json_of(&posture(&db, &["--format", "json", "exempt", "list"]));
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["expires"], "2999-12-31");
    ok(&posture(&db, &["exempt", "remove", &tag["id"].to_string()]));
    assert_eq!(json_of(&posture(&db, &["--format", "json", "findings"])).as_array().unwrap().len(), 1, "b3 is open again");
    assert_eq!(scan(&["--fail-on", "high"]).status.code(), Some(3));

    let bad = [
        (vec!["--rule", "TEST.S3.1", "--account", "111", "--reason", "x", "--expires", "2001-01-01"], "is not after today"),
        (vec!["--rule", "TEST.S3.1", "--account", "111", "--reason", "x", "--expires", "next week"], "not a date as YYYY-MM-DD"),
        (vec!["--rule", "NOPE.1", "--account", "111", "--reason", "x"], "no rule 'NOPE.1'"),
        (vec!["--rule", "TEST.S3.1", "--reason", "x"], "required arguments were not provided"),
        (vec!["--rule", "TEST.S3.1", "--account", "1", "--tag", "a=b", "--reason", "x"], "cannot be used with"),
        (vec!["--rule", "TEST.S3.1", "--tag", "novalue", "--reason", "x"], "is not KEY=VALUE"),
    ];
    for (args, want) in bad {
        let mut all = vec!["exempt", "add"];
        all.extend(args);
        let out = posture(&db, &all);
        assert_ne!(out.status.code(), Some(0), "{all:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{all:?}: {err}");
    }
    assert_eq!(posture(&db, &["exempt", "remove", "999"]).status.code(), Some(1));
}

#[test]
fn score_history_combines_the_latest_score_of_every_account() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("acls.yaml"), BLOCK_ACLS).unwrap();
    let db = dir.path().join("p.db");
    let scan = |file: &Path| {
        ok(&posture(&db, &["scan", "snapshot", file.to_str().unwrap(), "--no-builtin-rules", "--rules", rules.to_str().unwrap()]));
    };
    scan(&snapshot(dir.path(), "a1.ndjson", "A", 1, 1)); // A: 1 of 2 healthy
    scan(&snapshot(dir.path(), "b1.ndjson", "B", 3, 0)); // B: 3 of 3
    scan(&snapshot(dir.path(), "a2.ndjson", "A", 2, 0)); // A: 2 of 2
    let points = |args: &[&str]| -> Vec<(u64, f64)> {
        let mut all = vec!["--format", "json", "score", "--history"];
        all.extend_from_slice(args);
        json_of(&posture(&db, &all))
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["accounts"].as_array().unwrap().len() as u64, p["score"]["percentage"].as_f64().unwrap()))
            .collect()
    };
    // 50% → A's 1/2 with B's 3/3 = 80% (not B alone) → 100%.
    assert_eq!(points(&[]), vec![(1, 50.0), (2, 80.0), (2, 100.0)]);
    assert_eq!(points(&["--account", "A"]), vec![(1, 50.0), (1, 100.0)]);
    assert_eq!(points(&["--account", "B"]), vec![(1, 100.0)]);
}

#[test]
fn rule_documents_in_markdown_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let md = ok(&posture(&db, &["--format", "md", "rules", "list"]));
    let mut lines = md.lines();
    assert_eq!(lines.next(), Some("| id | title | severity | kinds | control | benchmark | frameworks |"));
    assert_eq!(lines.next(), Some("| --- | --- | --- | --- | --- | --- | --- |"));
    let list = json_of(&posture(&db, &["--format", "json", "rules", "list"]));
    assert_eq!(md.lines().count(), list.as_array().unwrap().len() + 2, "one line per rule");
    assert!(md.contains("| `AWS.S3.1` | S3 buckets block public access | high |"), "{md}");
    // That it matches docs/coverage.md is posture-report's test; here, that the command prints it.
    let coverage = ok(&posture(&db, &["rules", "coverage"]));
    assert!(coverage.starts_with("# Rule coverage\n"));
    for heading in ["## Rules per provider", "## Rules per service", "## Standards", "by domain"] {
        assert!(coverage.contains(heading), "{heading}");
    }
    assert!(coverage.contains(&format!("{} rules,", list.as_array().unwrap().len())));
}
