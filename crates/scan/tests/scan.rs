//! The pipeline against a real SQLite store: finding identity across scans, resolution rules,
//! bad input, relations across the stream, and atomicity.

use posture_model::{Relation, Resource, ResultState, SnapshotHeader};
use posture_rules::RuleSet;
use posture_scan::{scan_snapshots, ScanOptions, ScanReport};
use posture_store::{FindingFilter, InventoryFilter, SqliteStore, Store};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const ENCRYPTED: &str = "id: T.ENC
title: Buckets are encrypted
severity: high
kinds: [aws.s3.bucket]
control: encrypt-data-at-rest
description: d
risk: r
remediation: {text: fix}
check: {field: attrs.encrypted, equals: true}
examples: {healthy: [{attrs: {encrypted: true}}], unhealthy: [{attrs: {encrypted: false}}]}
";

const NO_OPEN_SG: &str = "id: T.SG
title: Instances are not behind open security groups
severity: critical
kinds: [aws.ec2.instance]
control: secure-management-ports
description: d
risk: r
remediation: {text: fix}
check:
  count:
    related: has_security_group
    kind: aws.ec2.security_group
    where: {field: attrs.open_to_world, equals: true}
  equals: 0
examples:
  healthy: [{attrs: {}}]
  unhealthy:
    - relations: [{type: has_security_group, target: sg}]
      context: [{uid: sg, kind: aws.ec2.security_group, attrs: {open_to_world: true}}]
";

fn rules() -> RuleSet {
    RuleSet::from_files(vec![("enc.yaml".into(), ENCRYPTED.into()), ("sg.yaml".into(), NO_OPEN_SG.into())])
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn bucket(account: &str, name: &str, encrypted: Option<bool>) -> Resource {
    let mut r = Resource::new(format!("arn:aws:s3:::{name}"), "aws.s3.bucket");
    r.account = account.into();
    r.name = name.into();
    if let Some(e) = encrypted {
        r.attrs.insert("encrypted".into(), json!(e));
    }
    r
}

fn instance(account: &str, id: &str, sgs: &[&str]) -> Resource {
    let mut r = Resource::new(format!("arn:aws:ec2:eu-west-1:{account}:instance/{id}"), "aws.ec2.instance");
    r.account = account.into();
    r.relations = sgs.iter().map(|s| Relation { rel: "has_security_group".into(), target: s.to_string() }).collect();
    r
}

fn sg(account: &str, id: &str, open: bool) -> Resource {
    let mut r = Resource::new(id, "aws.ec2.security_group");
    r.account = account.into();
    r.attrs.insert("open_to_world".into(), json!(open));
    r
}

fn write_snapshot(dir: &Path, name: &str, accounts: &[&str], resources: &[Resource], extra: &str) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    let header = SnapshotHeader::new("test", "2026-11-28T00:00:00Z", accounts.iter().map(|a| a.to_string()).collect());
    writeln!(f, "{}", serde_json::to_string(&header).unwrap()).unwrap();
    for r in resources {
        writeln!(f, "{}", serde_json::to_string(r).unwrap()).unwrap();
    }
    f.write_all(extra.as_bytes()).unwrap();
    path
}

fn scan(store: &mut SqliteStore, files: &[PathBuf]) -> ScanReport {
    let opts = ScanOptions { source: "test".into(), kinds: None, progress: None };
    scan_snapshots(files, &rules(), store, &opts).unwrap()
}

fn open_findings(store: &SqliteStore) -> Vec<(String, String, ResultState)> {
    let rows = store.findings(&FindingFilter::default()).unwrap();
    let mut out: Vec<_> = rows.into_iter().map(|f| (f.rule_id, f.uid, f.state)).collect();
    out.sort();
    out
}

#[test]
fn findings_keep_identity_and_resolve_when_fixed_or_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let first = write_snapshot(
        dir.path(),
        "1.ndjson",
        &["111"],
        &[bucket("111", "logs", Some(false)), bucket("111", "data", Some(false)), bucket("111", "tmp", Some(false)), bucket("111", "web", None)],
        "",
    );
    let r1 = scan(&mut store, &[first]);
    assert_eq!((r1.resources, r1.fail, r1.unknown, r1.pass), (4, 3, 1, 0));
    let before = store.findings(&FindingFilter::default()).unwrap();
    let first_seen_logs = before.iter().find(|f| f.uid.ends_with("logs")).unwrap().first_seen.clone();
    assert_eq!(before.len(), 4, "unknown results are findings too");

    std::thread::sleep(std::time::Duration::from_millis(1100));
    // data is fixed, tmp is deleted, logs still fails, web is still unknown.
    let second = write_snapshot(
        dir.path(),
        "2.ndjson",
        &["111"],
        &[bucket("111", "logs", Some(false)), bucket("111", "data", Some(true)), bucket("111", "web", None)],
        "",
    );
    scan(&mut store, &[second]);
    let open = open_findings(&store);
    assert_eq!(
        open,
        vec![
            ("T.ENC".into(), "arn:aws:s3:::logs".into(), ResultState::Fail),
            ("T.ENC".into(), "arn:aws:s3:::web".into(), ResultState::Unknown),
        ]
    );
    let all = store.findings(&FindingFilter { status: Some("resolved".into()), ..Default::default() }).unwrap();
    let resolution = |name: &str| all.iter().find(|f| f.uid.ends_with(name)).and_then(|f| f.resolution.clone());
    assert_eq!(resolution("data").as_deref(), Some("passed"));
    assert_eq!(resolution("tmp").as_deref(), Some("resource_removed"));
    let logs = store.findings(&FindingFilter::default()).unwrap().into_iter().find(|f| f.uid.ends_with("logs")).unwrap();
    assert_eq!(logs.first_seen, first_seen_logs, "first seen survives re-scans");
    assert_ne!(logs.last_seen, first_seen_logs);
    let inv = store.inventory(&InventoryFilter::default()).unwrap();
    assert_eq!(inv.len(), 3, "the deleted bucket left the inventory");
}

#[test]
fn absence_resolves_only_inside_the_accounts_a_scan_covered() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let a = write_snapshot(dir.path(), "a.ndjson", &["A"], &[bucket("A", "a1", Some(false))], "");
    let b = write_snapshot(dir.path(), "b.ndjson", &["B"], &[bucket("B", "b1", Some(false))], "");
    scan(&mut store, &[a]);
    scan(&mut store, &[b]);
    assert_eq!(open_findings(&store).len(), 2, "scanning account B must not resolve account A");
    let scores = store.current_scores().unwrap();
    let accounts: Vec<&str> = scores.iter().map(|s| s.account.as_str()).collect();
    assert_eq!(accounts, vec!["A", "B"], "each account keeps its latest score");
}

#[test]
fn bad_lines_are_reported_with_file_and_line_and_the_rest_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let extra = "{\"uid\": \"broken\n{\"uid\":\"x\",\"kind\":\"aws.s3\",\"provider\":\"aws\"}\n";
    let path = write_snapshot(dir.path(), "bad.ndjson", &["111"], &[bucket("111", "ok", Some(true))], extra);
    let r = scan(&mut store, std::slice::from_ref(&path));
    assert_eq!(r.resources, 1);
    assert!(!r.complete, "a bad line may have been any resource: the scan cannot claim full coverage");
    let locations: Vec<String> = r.issues.iter().map(|i| i.location.clone()).collect();
    let file = path.display().to_string();
    assert_eq!(locations, vec![format!("{file}:3"), format!("{file}:4")]);
    assert!(r.issues[0].message.contains("malformed resource"));
    assert!(r.issues[1].message.contains("provider.service.type"));
    assert_eq!(store.scan_issues(r.scan_id).unwrap().len(), 2);
    assert_eq!(store.scans(1).unwrap()[0].status, "partial");
}

#[test]
fn a_snapshot_of_only_bad_lines_resolves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let good = write_snapshot(dir.path(), "1.ndjson", &["111"], &[bucket("111", "a", Some(false))], "");
    scan(&mut store, &[good]);
    let garbage = write_snapshot(dir.path(), "2.ndjson", &["111"], &[], "not json\n{\"also\": \"not a resource\"}\n");
    let r = scan(&mut store, &[garbage]);
    assert_eq!((r.resources, r.issues.len(), r.complete), (0, 2, false));
    assert_eq!(open_findings(&store).len(), 1, "unreadable lines are no proof that bucket a is gone");
    assert_eq!(store.inventory(&InventoryFilter::default()).unwrap().len(), 1);
}

#[test]
fn unknown_kinds_are_reported_stored_and_left_unevaluated() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let kinds = posture_schema::KindRegistry::builtin().unwrap();
    let mut typo = bucket("111", "typo", Some(false));
    typo.kind = "aws.s3.buckt".into();
    let path = write_snapshot(dir.path(), "k.ndjson", &["111"], &[bucket("111", "ok", Some(true)), typo], "");
    let opts = ScanOptions { source: "test".into(), kinds: Some(&kinds), progress: None };
    let r = scan_snapshots(&[path.clone()], &rules(), &mut store, &opts).unwrap();
    assert_eq!(r.resources, 2);
    assert_eq!(r.issues.len(), 1);
    assert_eq!(r.issues[0].location, format!("{}:3", path.display()));
    assert!(r.issues[0].message.contains("unknown kind 'aws.s3.buckt'"), "{:?}", r.issues);
    assert_eq!((r.pass, r.fail), (1, 0));
}

#[test]
fn a_truncated_snapshot_is_partial_and_resolves_nothing_by_absence() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let full = write_snapshot(dir.path(), "1.ndjson", &["111"], &[bucket("111", "a", Some(false)), bucket("111", "b", Some(false))], "");
    scan(&mut store, &[full]);
    // The second file stops in the middle of its last line.
    let cut = write_snapshot(dir.path(), "2.ndjson", &["111"], &[bucket("111", "a", Some(false))], "{\"uid\":\"arn:aws:s3:::b\",\"ki");
    let r = scan(&mut store, &[cut]);
    assert!(!r.complete);
    assert!(r.issues[0].message.contains("truncated"), "{:?}", r.issues);
    assert_eq!(open_findings(&store).len(), 2, "b was not seen, but the file was cut: b stays open");
    assert_eq!(store.scans(1).unwrap()[0].status, "partial");
}

#[test]
fn related_rules_see_targets_wherever_they_are_in_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    // Instances come before their security groups; one group is missing entirely.
    let resources = [
        instance("111", "i-open", &["sg-open", "sg-closed"]),
        instance("111", "i-closed", &["sg-closed"]),
        instance("111", "i-dangling", &["sg-missing"]),
        sg("111", "sg-closed", false),
        sg("111", "sg-open", true),
    ];
    let path = write_snapshot(dir.path(), "r.ndjson", &["111"], &resources, "");
    let r = scan(&mut store, &[path]);
    assert_eq!((r.pass, r.fail, r.unknown), (1, 1, 1));
    let open = open_findings(&store);
    assert_eq!(open[0].1, "arn:aws:ec2:eu-west-1:111:instance/i-dangling");
    assert_eq!(open[0].2, ResultState::Unknown);
    assert_eq!(open[1].1, "arn:aws:ec2:eu-west-1:111:instance/i-open");
    let ev = store.findings(&FindingFilter { states: vec![ResultState::Fail], ..Default::default() }).unwrap();
    assert_eq!(ev[0].evidence.as_ref().unwrap()["value"]["matching"], json!(["sg-open"]));
    let score = store.current_scores().unwrap();
    let ports = score.iter().find(|s| s.control == "secure-management-ports").unwrap();
    assert_eq!((ports.healthy, ports.unhealthy, ports.unknown), (1, 1, 1));
}

#[test]
fn duplicate_uids_are_reported_and_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let b = bucket("111", "dup", Some(false));
    let path = write_snapshot(dir.path(), "d.ndjson", &["111"], &[b.clone(), b], "");
    let r = scan(&mut store, &[path]);
    assert_eq!((r.resources, r.fail), (1, 1));
    assert!(r.issues.iter().any(|i| i.message.contains("duplicate uid")));
}

#[test]
fn unreadable_inputs_are_an_error_before_anything_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let opts = ScanOptions { source: "test".into(), kinds: None, progress: None };
    let err = scan_snapshots(&[dir.path().join("missing.ndjson")], &rules(), &mut store, &opts).unwrap_err();
    assert!(err.to_string().contains("missing.ndjson: cannot open"), "{err}");
    assert!(store.scans(10).unwrap().is_empty());
}
