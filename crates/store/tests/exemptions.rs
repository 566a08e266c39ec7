//! Exemptions in the store, the upgrade of a version 1 database, and the per-account score history.

use posture_model::{ResultState, Severity};
use posture_store::{
    ControlScoreRow, ExemptionScope, FindingFilter, NewExemption, ResourceRow, ResultRow, RuleInfo, RuleStats, ScanMeta,
    ScanSummary, SqliteStore, Store,
};

const V1_FIXTURE: &str = include_str!("fixtures/v1.sql");

fn bucket(account: &str, name: &str, tags: &str) -> ResourceRow {
    ResourceRow {
        uid: format!("arn:aws:s3:::{name}"),
        kind: "aws.s3.bucket".into(),
        provider: "aws".into(),
        account: account.into(),
        region: None,
        name: name.into(),
        tags: tags.into(),
        attrs: "{}".into(),
        relations: "[]".into(),
        origin: None,
    }
}

fn fail(rule: &str, name: &str) -> ResultRow {
    ResultRow { rule_id: rule.into(), uid: format!("arn:aws:s3:::{name}"), state: ResultState::Fail, evidence: None }
}

/// One scan of `resources` with `results`, as the pipeline would write it; returns what
/// `mark_exempt` reported.
fn scan(store: &mut SqliteStore, resources: &[ResourceRow], results: &[ResultRow], scores: &[ControlScoreRow]) -> Vec<(String, String)> {
    let meta = ScanMeta { source: "test".into(), inputs: vec![], started_at: posture_store::now_rfc3339() };
    let mut sink = store.begin_scan(&meta).unwrap();
    let rules: Vec<RuleInfo> = ["T.ENC", "T.LOG"]
        .iter()
        .map(|id| RuleInfo { id: id.to_string(), title: id.to_string(), severity: Severity::High, control: "c".into(), remediation: "fix".into() })
        .collect();
    sink.put_rules(&rules).unwrap();
    sink.put_resources(resources).unwrap();
    sink.put_results(results).unwrap();
    let hits = sink.mark_exempt().unwrap().into_iter().map(|h| (h.rule_id, h.uid)).collect();
    let mut accounts: Vec<String> = resources.iter().map(|r| r.account.clone()).collect();
    accounts.dedup();
    let rule_stats = ["T.ENC", "T.LOG"].iter().map(|id| RuleStats { rule_id: id.to_string(), ..RuleStats::default() }).collect();
    sink.commit(&ScanSummary { complete: true, covered_accounts: accounts, rule_stats, scores: scores.to_vec(), ..ScanSummary::default() })
        .unwrap();
    hits
}

fn statuses(store: &SqliteStore, as_of: &str) -> Vec<(String, String, String)> {
    let filter = FindingFilter { status: Some("all".into()), as_of: Some(as_of.into()), ..FindingFilter::default() };
    let mut rows: Vec<_> = store.findings(&filter).unwrap().into_iter().map(|f| (f.rule_id, f.name, f.status)).collect();
    rows.sort();
    rows
}

fn exemption(rule: &str, scope: ExemptionScope, expires: Option<&str>) -> NewExemption {
    NewExemption {
        rule_id: rule.into(),
        scope,
        reason: "accepted risk".into(),
        expires: expires.map(str::to_string),
        created_at: "2026-01-01T00:00:00Z".into(),
    }
}

fn s(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.to_string(), b.to_string(), c.to_string())
}

#[test]
fn exemptions_cover_by_account_resource_and_tag_and_expire_by_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let today = posture_store::today_utc();
    let resources = [bucket("111", "logs", r#"{"env":"dev"}"#), bucket("111", "data", r#"{"env":"prod"}"#), bucket("222", "web", "{}")];
    let results = [fail("T.ENC", "logs"), fail("T.ENC", "data"), fail("T.ENC", "web"), fail("T.LOG", "logs")];
    scan(&mut store, &resources, &results, &[]);
    assert!(statuses(&store, &today).iter().all(|(_, _, st)| st == "open"));

    let by_tag = store.add_exemption(&exemption("T.ENC", ExemptionScope::Tag { key: "env".into(), value: "dev".into() }, None), &today).unwrap();
    assert_eq!((by_tag.findings, by_tag.active), (1, true), "applies to the current findings at once");
    let by_account =
        store.add_exemption(&exemption("T.ENC", ExemptionScope::Account { account: "222".into() }, Some("2099-01-01")), &today).unwrap();
    assert_eq!(by_account.findings, 1);
    let by_uid = store
        .add_exemption(&exemption("T.LOG", ExemptionScope::Resource { uid: "arn:aws:s3:::logs".into() }, Some("2030-06-01")), &today)
        .unwrap();
    assert_eq!(
        statuses(&store, "2030-05-31"),
        vec![s("T.ENC", "data", "open"), s("T.ENC", "logs", "exempt"), s("T.ENC", "web", "exempt"), s("T.LOG", "logs", "exempt")]
    );
    // On its expiry date the resource exemption no longer applies, with nothing else happening.
    assert_eq!(statuses(&store, "2030-06-01")[3], s("T.LOG", "logs", "open"));
    let open = store.findings(&FindingFilter { as_of: Some("2030-06-01".into()), ..FindingFilter::default() }).unwrap();
    assert_eq!(open.len(), 2, "open = not exempt on that day");
    let exempt = store.findings(&FindingFilter { status: Some("exempt".into()), as_of: Some("2030-05-31".into()), ..FindingFilter::default() }).unwrap();
    let ids: Vec<Option<i64>> = exempt.iter().map(|f| f.exemption).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&Some(by_uid.id)) && ids.contains(&Some(by_tag.id)) && ids.contains(&Some(by_account.id)));

    // A new scan records exempt results as exempt and says which.
    let mut hits = scan(&mut store, &resources, &results, &[]);
    hits.sort();
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(store.remove_exemption(by_tag.id, &today).unwrap());
    assert!(!store.remove_exemption(by_tag.id, &today).unwrap(), "already gone");
    assert_eq!(statuses(&store, &today)[1], s("T.ENC", "logs", "open"));
    let list = store.exemptions(&today).unwrap();
    assert_eq!(list.iter().map(|e| e.id).collect::<Vec<_>>(), vec![by_account.id, by_uid.id]);
    assert!(!store.exemptions("2030-06-01").unwrap()[1].active);
}

#[test]
fn an_exempt_finding_resolves_when_it_passes_or_its_resource_goes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let today = posture_store::today_utc();
    let resources = [bucket("111", "logs", "{}"), bucket("111", "old", "{}")];
    scan(&mut store, &resources, &[fail("T.ENC", "logs"), fail("T.ENC", "old")], &[]);
    store.add_exemption(&exemption("T.ENC", ExemptionScope::Account { account: "111".into() }, None), &today).unwrap();
    // logs now passes and old is gone.
    scan(&mut store, &resources[..1], &[], &[]);
    let rows = store.findings(&FindingFilter { status: Some("resolved".into()), ..FindingFilter::default() }).unwrap();
    let mut how: Vec<(String, Option<String>)> = rows.into_iter().map(|f| (f.name, f.resolution)).collect();
    how.sort();
    assert_eq!(how, vec![("logs".to_string(), Some("passed".to_string())), ("old".to_string(), Some("resource_removed".to_string()))]);
}

#[test]
fn a_version_1_database_upgrades_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1_FIXTURE).unwrap();
    }
    let mut store = SqliteStore::open(&path).unwrap();
    let version: i64 = rusqlite::Connection::open(&path).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 4, "every step ran, up to the code-to-cloud links");
    let findings = store.findings(&FindingFilter::default()).unwrap();
    assert_eq!(findings.len(), 2, "the old findings are still there");
    assert_eq!(store.current_scores().unwrap().len(), 1);
    let today = posture_store::today_utc();
    let e = store
        .add_exemption(&exemption("T.ENC", ExemptionScope::Tag { key: "env".into(), value: "dev".into() }, None), &today)
        .unwrap();
    assert_eq!(e.findings, 1, "the upgraded database takes exemptions");
    drop(store);
    // Opening it again is a no-op.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.exemptions(&today).unwrap().len(), 1);
}

#[test]
fn a_database_from_a_newer_posture_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let err = SqliteStore::open(&path).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("schema version 99"), "{err}");
}

#[test]
fn score_history_keeps_each_accounts_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let row = |account: &str, h: u64, u: u64| ControlScoreRow {
        account: account.into(),
        control: "encrypt-data-at-rest".into(),
        max_points: 4.0,
        healthy: h,
        unhealthy: u,
        unknown: 0,
    };
    scan(&mut store, &[bucket("A", "a", "{}")], &[], &[row("A", 1, 1)]);
    scan(&mut store, &[bucket("B", "b", "{}")], &[], &[row("B", 3, 0)]);
    let history = store.score_history().unwrap();
    let accounts: Vec<Vec<String>> = history.iter().map(|(_, rows)| rows.iter().map(|r| r.account.clone()).collect()).collect();
    assert_eq!(accounts, vec![vec!["A".to_string()], vec!["B".to_string()]]);
    assert!(history[0].0.id < history[1].0.id, "oldest first");
}
