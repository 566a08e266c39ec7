//! Exempt results are recorded as exempt and leave the scan's counts and the secure score.

use posture_model::{Resource, ResultState, Severity, SnapshotHeader};
use posture_rules::RuleSet;
use posture_scan::{scan_snapshots, ScanOptions};
use posture_store::{ExemptionScope, FindingFilter, NewExemption, SqliteStore, Store};
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

const TLS: &str = "id: T.TLS
title: Website buckets serve TLS only
severity: medium
kinds: [aws.s3.bucket]
control: encrypt-data-at-rest
description: d
risk: r
remediation: {text: fix}
applies_if: {field: attrs.website, equals: true}
check: {field: attrs.tls, equals: true}
examples: {healthy: [{attrs: {website: true, tls: true}}], unhealthy: [{attrs: {website: true, tls: false}}]}
";

fn bucket(account: &str, name: &str, attrs: serde_json::Value, tags: &[(&str, &str)]) -> Resource {
    let mut r = Resource::new(format!("arn:aws:s3:::{name}"), "aws.s3.bucket");
    r.account = account.into();
    r.name = name.into();
    r.attrs = attrs.as_object().cloned().unwrap_or_default();
    r.tags = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    r
}

fn snapshot(dir: &Path, resources: &[Resource]) -> PathBuf {
    let path = dir.join("s.ndjson");
    let mut f = std::fs::File::create(&path).unwrap();
    let header = SnapshotHeader::new("test", "2026-11-28T00:00:00Z", vec!["111".into(), "222".into(), "333".into()]);
    writeln!(f, "{}", serde_json::to_string(&header).unwrap()).unwrap();
    for r in resources {
        writeln!(f, "{}", serde_json::to_string(r).unwrap()).unwrap();
    }
    path
}

fn exempt(store: &mut SqliteStore, rule: &str, scope: ExemptionScope, expires: Option<&str>) {
    let e = NewExemption {
        rule_id: rule.into(),
        scope,
        reason: "accepted".into(),
        expires: expires.map(str::to_string),
        created_at: posture_store::now_rfc3339(),
    };
    store.add_exemption(&e, &posture_store::today_utc()).unwrap();
}

fn score(store: &SqliteStore, account: &str) -> Option<(u64, u64, u64)> {
    let rows = store.current_scores().unwrap();
    rows.iter().find(|r| r.account == account && r.control == "encrypt-data-at-rest").map(|r| (r.healthy, r.unhealthy, r.unknown))
}

#[test]
fn exempt_results_leave_counts_and_score_but_stay_visible() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let rules = RuleSet::from_files(vec![("enc.yaml".into(), ENCRYPTED.into()), ("tls.yaml".into(), TLS.into())])
        .unwrap_or_else(|e| panic!("{e:?}"));
    let web = |enc: bool, tls: Option<bool>| match tls {
        Some(t) => json!({"encrypted": enc, "website": true, "tls": t}),
        None => json!({"encrypted": enc, "website": true}),
    };
    let resources = [
        bucket("111", "a", web(false, Some(true)), &[]),
        bucket("111", "b", web(false, Some(false)), &[("env", "dev")]),
        bucket("111", "c", web(true, Some(true)), &[]),
        bucket("222", "d", web(false, None), &[]),
        bucket("111", "e", web(false, Some(true)), &[]),
        bucket("333", "f", json!({"encrypted": false, "website": false}), &[]),
    ];
    let path = snapshot(dir.path(), &resources);
    let opts = ScanOptions { source: "test".into(), kinds: None, progress: None };

    let before = scan_snapshots(std::slice::from_ref(&path), &rules, &mut store, &opts).unwrap();
    assert_eq!((before.fail, before.unknown, before.exempt), (6, 1, 0));
    assert_eq!(score(&store, "111"), Some((1, 3, 0)));

    exempt(&mut store, "T.ENC", ExemptionScope::Resource { uid: "arn:aws:s3:::a".into() }, None);
    exempt(&mut store, "T.ENC", ExemptionScope::Tag { key: "env".into(), value: "dev".into() }, Some("2999-01-01"));
    exempt(&mut store, "T.ENC", ExemptionScope::Account { account: "222".into() }, None);
    exempt(&mut store, "T.ENC", ExemptionScope::Account { account: "333".into() }, None);
    // Expired yesterday or earlier: applies to nothing.
    exempt(&mut store, "T.ENC", ExemptionScope::Resource { uid: "arn:aws:s3:::e".into() }, Some("2000-01-01"));

    let after = scan_snapshots(&[path], &rules, &mut store, &opts).unwrap();
    // T.ENC on a, b, d and f is exempt; T.ENC on e and T.TLS on b still fail; T.TLS on d is unknown.
    assert_eq!((after.fail, after.unknown, after.exempt, after.pass), (2, 1, 4, before.pass));
    assert_eq!(after.failed_by_severity.get(&Severity::High), Some(&1));
    assert_eq!(after.failed_by_severity.get(&Severity::Medium), Some(&1));
    // a passes its only other rule: healthy. b still fails T.TLS. e's exemption has expired.
    assert_eq!(score(&store, "111"), Some((2, 2, 0)));
    // d is left with an unknown T.TLS.
    assert_eq!(score(&store, "222"), Some((0, 0, 1)));
    // f was assessed only by its exempt rule (T.TLS does not apply): out of the control.
    assert_eq!(score(&store, "333"), Some((0, 0, 0)));

    let exempt_rows = store.findings(&FindingFilter { status: Some("exempt".into()), ..FindingFilter::default() }).unwrap();
    let mut names: Vec<(String, ResultState)> = exempt_rows.into_iter().map(|f| (f.name, f.state)).collect();
    names.sort();
    assert_eq!(names, ["a", "b", "d", "f"].map(|n| (n.to_string(), ResultState::Fail)).to_vec());
}
