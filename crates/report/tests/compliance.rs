//! Compliance reports from a real scan: per requirement, resources counted by their worst result
//! over its rules, every status, exemptions, account scope, and the renderings.

use posture_model::{Relation, Resource, SnapshotHeader};
use posture_report::compliance::{evaluate, render_html, requirement_rows, ComplianceReport, Scope, Status};
use posture_report::render_table;
use posture_rules::RuleSet;
use posture_scan::{scan_snapshots, ScanOptions};
use posture_standards::Standards;
use posture_store::{ExemptionScope, NewExemption, SqliteStore, Store};
use serde_json::json;
use std::io::Write;

fn rule(id: &str, kind: &str, mapping: &str, extra: &str, check: &str) -> (String, String) {
    let text = format!(
        "id: {id}\ntitle: Rule {id}\nseverity: high\nkinds: [{kind}]\ncontrol: encrypt-data-at-rest\n{mapping}\n\
         description: d\nrisk: r\nremediation: {{text: 'Fix {id} <now>', cli: 'tool fix --name {{{{name}}}}'}}\n{extra}\ncheck: {check}\n\
         examples: {{healthy: [{{}}], unhealthy: [{{}}]}}\n"
    );
    (format!("rules/test/{id}.yaml"), text)
}

fn rules() -> RuleSet {
    RuleSet::from_files(vec![
        rule("T.ENC", "aws.s3.bucket", "benchmark: [DP-1]\nframeworks: {test-std: ['1.1']}", "", "{field: attrs.enc, equals: true}"),
        rule(
            "T.TLS",
            "aws.s3.bucket",
            "frameworks: {test-std: ['1.1', '1.2']}",
            "applies_if: {field: attrs.website, equals: true}",
            "{field: attrs.tls, equals: true}",
        ),
        rule(
            "T.SG",
            "aws.ec2.instance",
            "frameworks: {test-std: ['2.1']}",
            "",
            "{count: {related: has_security_group, kind: aws.ec2.security_group, where: {field: attrs.open, equals: true}}, equals: 0}",
        ),
        rule("T.PUB", "aws.s3.bucket", "frameworks: {test-std: ['2.2']}", "applies_if: {field: account, equals: '222'}", "{field: attrs.public, equals: false}"),
        rule("T.LOG", "aws.s3.bucket", "frameworks: {test-std: ['3.1']}", "", "{field: attrs.logging, equals: true}"),
        rule("T.KMS", "aws.kms.key", "frameworks: {test-std: ['4.1']}", "", "{field: attrs.rotation, equals: true}"),
    ])
    .unwrap_or_else(|e| panic!("{e:?}"))
}

const STANDARD: &str = "id: test-std
title: Test Standard <for tests>
version: 1.0.0
publisher: Posture tests
providers: [aws]
requirements:
  - {id: '1.1', title: Data is encrypted, section: Data}
  - {id: '1.2', title: Websites use TLS, section: Data}
  - {id: '2.1', title: No open security groups, section: Network}
  - {id: '2.2', title: No public buckets, section: Network}
  - {id: '3.1', title: Access is logged, section: Logging}
  - {id: '4.1', title: Keys rotate, section: Keys}
  - {id: '5.1', title: Policies are reviewed, section: Governance, manual: true}
  - {id: '5.2', title: Contacts are current, section: Governance}
";

const BENCHMARK: &str = "id: posture-benchmark
title: Bench
version: 1.0.0
publisher: Posture
providers: [aws]
requirements:
  - {id: DP-1, title: Encrypt data at rest, domain: DP}
";

fn bucket(account: &str, name: &str, attrs: serde_json::Value) -> Resource {
    let mut r = Resource::new(format!("arn:aws:s3:::{name}"), "aws.s3.bucket");
    r.account = account.into();
    r.name = name.into();
    r.attrs = attrs.as_object().cloned().unwrap_or_default();
    r
}

fn instance(name: &str, sg: &str) -> Resource {
    let mut r = Resource::new(format!("i-{name}"), "aws.ec2.instance");
    r.account = "111".into();
    r.name = name.into();
    r.relations = vec![Relation { rel: "has_security_group".into(), target: sg.into() }];
    r
}

struct Estate {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    rules: RuleSet,
    standards: Standards,
}

fn estate() -> Estate {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("p.db")).unwrap();
    let mut sg = Resource::new("sg-closed", "aws.ec2.security_group");
    sg.account = "111".into();
    sg.attrs.insert("open".into(), json!(false));
    let resources = [
        bucket("111", "a", json!({"enc": false, "website": true, "tls": true, "logging": true, "public": false})),
        bucket("111", "b", json!({"enc": true, "website": true, "tls": false, "logging": true, "public": false})),
        bucket("111", "c", json!({"enc": true, "website": false, "logging": true, "public": false})),
        bucket("222", "d", json!({"enc": true, "website": true, "tls": true, "logging": true, "public": true})),
        instance("closed", "sg-closed"),
        instance("dangling", "sg-missing"),
        sg,
    ];
    let path = dir.path().join("e.ndjson");
    let mut f = std::fs::File::create(&path).unwrap();
    let header = SnapshotHeader::new("test", "2026-11-28T00:00:00Z", vec!["111".into(), "222".into()]);
    writeln!(f, "{}", serde_json::to_string(&header).unwrap()).unwrap();
    for r in &resources {
        writeln!(f, "{}", serde_json::to_string(r).unwrap()).unwrap();
    }
    drop(f);
    let rules = rules();
    let opts = ScanOptions { source: "test".into(), kinds: None, progress: None };
    scan_snapshots(&[path], &rules, &mut store, &opts).unwrap();
    let exemption = NewExemption {
        rule_id: "T.PUB".into(),
        scope: ExemptionScope::Account { account: "222".into() },
        reason: "public website bucket".into(),
        expires: None,
        created_at: "2026-01-01T00:00:00Z".into(),
    };
    store.add_exemption(&exemption, &posture_store::today_utc()).unwrap();
    let standards = Standards::from_files(vec![("standards/t.yaml".into(), STANDARD.into()), ("standards/b.yaml".into(), BENCHMARK.into())])
        .unwrap_or_else(|e| panic!("{e:?}"));
    Estate { _dir: dir, store, rules, standards }
}

fn reports(e: &Estate, account: Option<&str>) -> Vec<ComplianceReport> {
    let all: Vec<_> = e.standards.standards.iter().collect();
    evaluate(&e.store, &e.rules, &all, &Scope { account, day: "2026-12-01", failing: usize::MAX }).unwrap()
}

fn statuses(r: &ComplianceReport) -> Vec<(&str, Status, [u64; 4])> {
    r.requirements
        .iter()
        .map(|q| (q.id.as_str(), q.status, [q.resources.passed, q.resources.failed, q.resources.unknown, q.resources.exempt]))
        .collect()
}

#[test]
fn each_requirement_counts_resources_by_their_worst_result() {
    let e = estate();
    let all = reports(&e, None);
    assert_eq!(all.iter().map(|r| r.standard.id.as_str()).collect::<Vec<_>>(), vec!["posture-benchmark", "test-std"]);
    let std = &all[1];
    assert_eq!(
        statuses(std),
        vec![
            // a fails T.ENC, b fails T.TLS; c passes T.ENC (T.TLS does not apply), d passes both.
            ("1.1", Status::Failed, [2, 2, 0, 0]),
            // c is not a website: not counted.
            ("1.2", Status::Failed, [2, 1, 0, 0]),
            // the dangling instance's group is missing: unknown, never passed.
            ("2.1", Status::Unknown, [1, 0, 1, 0]),
            // T.PUB applies to account 222 only, where it is exempt.
            ("2.2", Status::Exempt, [0, 0, 0, 1]),
            ("3.1", Status::Passed, [4, 0, 0, 0]),
            ("4.1", Status::NotApplicable, [0, 0, 0, 0]),
            ("5.1", Status::Manual, [0, 0, 0, 0]),
            ("5.2", Status::NotCovered, [0, 0, 0, 0]),
        ]
    );
    assert_eq!(std.summary.percentage, Some(25.0), "1 passed of 4 automated with results");
    let failing: Vec<(&str, &str)> = std.requirements[0].failing.iter().map(|f| (f.rule_id.as_str(), f.name.as_str())).collect();
    assert_eq!(failing, vec![("T.ENC", "a"), ("T.TLS", "b")]);
    assert_eq!(statuses(&all[0]), vec![("DP-1", Status::Failed, [3, 1, 0, 0])]);
}

#[test]
fn an_account_scope_counts_only_its_resources() {
    let e = estate();
    let one = reports(&e, Some("111"));
    let s = statuses(&one[1]);
    assert_eq!(s[0], ("1.1", Status::Failed, [1, 2, 0, 0]));
    assert_eq!(s[3], ("2.2", Status::NotApplicable, [0, 0, 0, 0]));
    assert_eq!(one[1].account.as_deref(), Some("111"));
}

#[test]
fn the_table_and_json_are_stable() {
    let e = estate();
    let all = reports(&e, None);
    let table = render_table(&posture_report::compliance::REQUIREMENT_HEADERS, &requirement_rows(&all[1], false));
    insta::assert_snapshot!("compliance_table", table);
    insta::assert_json_snapshot!("compliance_json", all[1]);
}

#[test]
fn the_html_report_stands_alone() {
    let e = estate();
    let all = reports(&e, None);
    let html = render_html(&all[1], &e.rules);
    assert!(html.contains("Test Standard &lt;for tests&gt;"), "the title, escaped");
    assert!(html.contains("<svg"), "charts");
    for r in all[1].requirements.iter().filter(|r| r.status == Status::Failed) {
        assert!(html.contains(&format!(">{}</span> <b>", r.id)), "failing requirement {} listed", r.id);
    }
    assert!(html.contains("Fix T.ENC &lt;now&gt;"), "remediation, escaped");
    assert!(html.find("Failing requirements") < html.find("All requirements"), "failing requirements come first");
    assert_self_contained(&html);
    assert_balanced(&html);
}

/// No script, no external reference (src, href, url(), @import).
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "no script");
    for needle in ["src=", "href=", "url(", "@import", "http://", "https://", "//cdn"] {
        assert!(!lower.contains(needle), "external reference '{needle}'");
    }
}

/// Every element that is opened is closed, in order.
fn assert_balanced(html: &str) {
    const VOID: &[&str] = &["meta", "br", "hr", "img", "input", "link"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map(|e| start + e).unwrap_or_else(|| panic!("unclosed tag at {}", &rest[start..]));
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if tag.starts_with('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else if !VOID.contains(&name.as_str()) && !tag.ends_with('/') {
            stack.push(name);
        }
        if stack.last().is_some_and(|t| t == "style") {
            let close = rest.find("</style>").unwrap_or_else(|| panic!("unclosed style"));
            rest = &rest[close..];
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}
