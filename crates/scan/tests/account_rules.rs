//! Rules that count within an account or region, and rules that compare dates with the scan time,
//! through the whole pipeline.

use posture_model::{Resource, ResultState, SnapshotHeader, SnapshotIssue};
use posture_rules::RuleSet;
use posture_scan::{scan_snapshots, ScanOptions};
use posture_store::{FindingFilter, SqliteStore, Store};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

const PER_ACCOUNT: &str = "id: T.ACCOUNT
title: Every account has an enabled detector
severity: high
kinds: [aws.iam.account]
control: enable-auditing-and-logging
description: d
risk: r
remediation: {text: 'Enable a detector in {{account}}'}
check:
  count:
    within: account
    kind: aws.guardduty.detector
    where: {field: attrs.status, equals: ENABLED}
  greaterOrEquals: 1
examples:
  healthy: [{context: [{uid: d, kind: aws.guardduty.detector, attrs: {status: ENABLED}}]}]
  unhealthy: [{attrs: {}}]
";

const PER_REGION: &str = "id: T.REGION
title: Every region has an enabled detector
severity: high
kinds: [aws.ec2.region_settings]
control: enable-auditing-and-logging
description: d
risk: r
remediation: {text: fix}
check:
  count:
    within: region
    kind: aws.guardduty.detector
    where: {field: attrs.status, equals: ENABLED}
  greaterOrEquals: 1
examples:
  healthy: [{region: r1, context: [{uid: d, kind: aws.guardduty.detector, region: r1, attrs: {status: ENABLED}}]}]
  unhealthy: [{region: r1}]
";

const RECENT: &str = "id: T.TIME
title: Keys were used in the last 90 days
severity: low
kinds: [aws.iam.user]
control: enable-mfa
description: d
risk: r
remediation: {text: fix}
check: {field: attrs.last_used, newerThanDays: 90}
examples:
  now: 2026-11-28T00:00:00Z
  healthy: [{attrs: {last_used: '2026-11-01'}}]
  unhealthy: [{attrs: {last_used: '2026-01-01'}}]
";

fn rules() -> RuleSet {
    RuleSet::from_files(vec![
        ("a.yaml".into(), PER_ACCOUNT.into()),
        ("r.yaml".into(), PER_REGION.into()),
        ("t.yaml".into(), RECENT.into()),
    ])
    .unwrap_or_else(|e| panic!("{e:?}"))
}

fn res(uid: &str, kind: &str, account: &str, region: Option<&str>, attrs: serde_json::Value) -> Resource {
    let mut r = Resource::new(uid, kind);
    r.account = account.into();
    r.region = region.map(str::to_string);
    r.attrs = attrs.as_object().cloned().unwrap_or_default();
    r
}

fn anchor(account: &str) -> Resource {
    res(&format!("arn:aws:iam::{account}:root"), "aws.iam.account", account, None, json!({}))
}

fn region(account: &str, name: &str) -> Resource {
    res(&format!("arn:aws:ec2:{name}:{account}:region-settings"), "aws.ec2.region_settings", account, Some(name), json!({}))
}

fn detector(account: &str, name: &str, status: Option<&str>) -> Resource {
    let attrs = status.map_or(json!({}), |s| json!({ "status": s }));
    res(&format!("arn:aws:guardduty:{name}:{account}:detector/x"), "aws.guardduty.detector", account, Some(name), attrs)
}

fn write_snapshot(dir: &Path, name: &str, collected_at: &str, accounts: &[&str], issues: bool, resources: &[Resource]) -> PathBuf {
    let path = dir.join(name);
    let mut header = SnapshotHeader::new("test", collected_at, accounts.iter().map(|a| a.to_string()).collect());
    if issues {
        header.issues.push(SnapshotIssue { location: "444/eu-west-1/guardduty:ListDetectors".into(), message: "denied".into() });
    }
    let mut text = serde_json::to_string(&header).unwrap_or_default();
    for r in resources {
        text.push('\n');
        text.push_str(&serde_json::to_string(r).unwrap_or_default());
    }
    text.push('\n');
    std::fs::File::create(&path).and_then(|mut f| f.write_all(text.as_bytes())).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn findings(store: &SqliteStore) -> Vec<(String, String, ResultState)> {
    let rows = store.findings(&FindingFilter::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut out: Vec<_> = rows.into_iter().map(|f| (f.rule_id, f.uid, f.state)).collect();
    out.sort();
    out
}

#[test]
fn counts_within_accounts_and_regions_decide_at_the_end_of_the_scan() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap_or_else(|e| panic!("{e}"));
    // The detector of account 111 comes after its anchor and in another file: order does not matter.
    let complete = write_snapshot(
        dir.path(),
        "a.ndjson",
        "2026-11-28T00:00:00Z",
        &["111", "222"],
        false,
        &[
            anchor("111"),
            region("111", "eu-west-1"),
            region("111", "us-east-1"),
            anchor("222"),
            detector("222", "eu-west-1", Some("DISABLED")),
            anchor("333"),
        ],
    );
    let partial = write_snapshot(
        dir.path(),
        "b.ndjson",
        "2026-11-28T00:00:00Z",
        &["444"],
        true,
        &[detector("111", "eu-west-1", Some("ENABLED")), anchor("444"), anchor("555"), detector("555", "eu-west-1", None)],
    );
    let opts = ScanOptions { source: "test".into(), kinds: None, progress: None };
    let report = scan_snapshots(&[complete, partial], &rules(), &mut store, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        findings(&store),
        vec![
            // 222: collected in full, only a disabled detector.
            ("T.ACCOUNT".to_string(), "arn:aws:iam::222:root".to_string(), ResultState::Fail),
            // 333: not in any header's accounts; 444: its collection met a problem; 555: a
            // detector whose status is absent. None of them proves an absence.
            ("T.ACCOUNT".to_string(), "arn:aws:iam::333:root".to_string(), ResultState::Unknown),
            ("T.ACCOUNT".to_string(), "arn:aws:iam::444:root".to_string(), ResultState::Unknown),
            ("T.ACCOUNT".to_string(), "arn:aws:iam::555:root".to_string(), ResultState::Unknown),
            // 111 passes as an account, but us-east-1 has no detector.
            ("T.REGION".to_string(), "arn:aws:ec2:us-east-1:111:region-settings".to_string(), ResultState::Fail),
        ]
    );
    assert_eq!((report.pass, report.fail, report.unknown), (2, 2, 3));
    let failed = store
        .findings(&FindingFilter { rule: Some("T.ACCOUNT".into()), states: vec![ResultState::Fail], ..FindingFilter::default() })
        .unwrap_or_else(|e| panic!("{e}"));
    let evidence = failed.first().and_then(|f| f.evidence.clone()).unwrap_or_default();
    assert_eq!(evidence["path"], json!("within(account: aws.guardduty.detector)"));
    assert_eq!(evidence["value"], json!({"count": 0, "matching": []}));
}

#[test]
fn dates_are_judged_at_the_time_the_snapshot_was_collected() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let user = |name: &str, used: &str| {
        res(&format!("arn:aws:iam::111:user/{name}"), "aws.iam.user", "111", None, json!({ "last_used": used }))
    };
    let users = [user("recent", "2026-11-01T10:00:00Z"), user("stale", "2026-01-01"), user("odd", "never")];
    let scan_at = |collected_at: &str, db: &str| {
        let mut store = SqliteStore::open(&dir.path().join(db)).unwrap_or_else(|e| panic!("{e}"));
        let file = write_snapshot(dir.path(), &format!("{db}.ndjson"), collected_at, &["111"], false, &users);
        let opts = ScanOptions { source: "test".into(), kinds: None, progress: None };
        scan_snapshots(&[file], &rules(), &mut store, &opts).unwrap_or_else(|e| panic!("{e}"));
        findings(&store).into_iter().filter(|f| f.0 == "T.TIME").map(|f| (f.1, f.2)).collect::<Vec<_>>()
    };
    assert_eq!(
        scan_at("2026-11-28T09:00:00Z", "now.db"),
        vec![
            ("arn:aws:iam::111:user/odd".to_string(), ResultState::Error),
            ("arn:aws:iam::111:user/stale".to_string(), ResultState::Fail),
        ]
    );
    // The same resources collected on an earlier day: the stale key was recent then.
    assert_eq!(scan_at("2026-02-01T00:00:00Z", "then.db"), vec![("arn:aws:iam::111:user/odd".to_string(), ResultState::Error)]);
}

const ANY_DETECTOR: &str = "id: T.ANY
title: Every account has a detector
severity: low
kinds: [aws.iam.account]
control: enable-auditing-and-logging
description: d
risk: r
remediation: {text: fix}
check:
  count: {within: account, kind: aws.guardduty.detector}
  greaterOrEquals: 1
examples:
  healthy: [{context: [{uid: d, kind: aws.guardduty.detector, attrs: {}}]}]
  unhealthy: [{attrs: {}}]
";

#[test]
fn an_exempt_account_rule_leaves_the_score_with_the_other_rules_still_counted() {
    use posture_store::{ExemptionScope, NewExemption};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap_or_else(|e| panic!("{e}"));
    let rules = RuleSet::from_files(vec![("a.yaml".into(), PER_ACCOUNT.into()), ("any.yaml".into(), ANY_DETECTOR.into())])
        .unwrap_or_else(|e| panic!("{e:?}"));
    let file = write_snapshot(dir.path(), "s.ndjson", "2026-11-28T00:00:00Z", &["222"], false, &[
        anchor("222"),
        detector("222", "eu-west-1", Some("DISABLED")),
    ]);
    let opts = ScanOptions { source: "test".into(), kinds: None, progress: None };
    let score = |store: &SqliteStore| {
        let rows = store.current_scores().unwrap_or_else(|e| panic!("{e}"));
        rows.iter()
            .find(|r| r.account == "222" && r.control == "enable-auditing-and-logging")
            .map(|r| (r.healthy, r.unhealthy, r.unknown))
    };
    scan_snapshots(std::slice::from_ref(&file), &rules, &mut store, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(score(&store), Some((0, 1, 0)));
    let e = NewExemption {
        rule_id: "T.ACCOUNT".into(),
        scope: ExemptionScope::Account { account: "222".into() },
        reason: "detector managed elsewhere".into(),
        expires: None,
        created_at: posture_store::now_rfc3339(),
    };
    store.add_exemption(&e, &posture_store::today_utc()).unwrap_or_else(|e| panic!("{e}"));
    let report = scan_snapshots(&[file], &rules, &mut store, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.exempt, 1);
    // The account is judged again by T.ANY alone, which still sees the scan's tallies: healthy.
    assert_eq!(score(&store), Some((1, 0, 0)));
}
