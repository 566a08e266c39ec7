//! The CI output formats, as snapshots: a change here is a change in what code-scanning tools,
//! GitHub, GitLab and JUnit readers see.

use posture_collect_iac::report::{self, Annotation, RuleDoc};
use posture_model::{ResultState, Severity};

fn sample() -> (Vec<Annotation>, Vec<RuleDoc>) {
    let a = |rule: &str, sev, file: &str, line, msg: &str, supp: Option<&str>| Annotation {
        rule_id: rule.into(),
        title: format!("title of {rule}"),
        severity: sev,
        state: ResultState::Fail,
        file: file.into(),
        line,
        message: msg.into(),
        uid: format!("iac:{file}#res"),
        suppressed: supp.map(str::to_string),
    };
    let annotations = vec![
        a("AWS.S3.5", Severity::Medium, "infra/s3.tf", 12, "aws_s3_bucket.logs: attrs.versioning.enabled = false (expected equals true)", None),
        a("AWS.EC2.2", Severity::High, "infra/sg.tf", 30, "aws_security_group.web: 1 rule, \"0.0.0.0/0\" <22>, 100% & more", None),
        a("AWS.RDS.1", Severity::High, "infra/db.tf", 7, "aws_db_instance.main: attrs.publicly_accessible = true", Some("behind the VPN (infra/db.tf:6)")),
    ];
    let rules = vec![
        RuleDoc { id: "AWS.S3.5".into(), title: "S3 buckets keep versions".into(), severity: Severity::Medium, description: "Checks versioning.".into(), remediation: "Enable versioning.".into() },
        RuleDoc { id: "AWS.EC2.2".into(), title: "No SSH from the internet".into(), severity: Severity::High, description: "Checks ingress.".into(), remediation: "Restrict the source.".into() },
        RuleDoc { id: "AWS.RDS.1".into(), title: "Databases are private".into(), severity: Severity::High, description: "Checks public access.".into(), remediation: "Turn it off.".into() },
    ];
    (annotations, rules)
}

#[test]
fn sarif() {
    let (a, r) = sample();
    let text = report::sarif(&a, &r, "0.1.0");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(3));
    for res in run["results"].as_array().unwrap() {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], res["ruleId"], "ruleIndex points at the rule");
        assert!(res["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    insta::assert_snapshot!("sarif", text);
}

#[test]
fn github_annotations_skip_suppressed_and_escape() {
    let (a, _) = sample();
    let text = report::github(&a);
    assert!(!text.contains("AWS.RDS.1"));
    insta::assert_snapshot!("github", text);
}

#[test]
fn gitlab_code_quality() {
    let (a, _) = sample();
    let text = report::gitlab(&a);
    let items: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["fingerprint"].as_str().is_some_and(|f| f.len() == 32)));
    insta::assert_snapshot!("gitlab", text);
}

#[test]
fn junit() {
    let (a, _) = sample();
    let text = report::junit(&a);
    assert!(text.contains("&quot;0.0.0.0/0&quot; &lt;22&gt;, 100% &amp; more"));
    insta::assert_snapshot!("junit", text);
}

#[test]
fn fingerprints_ignore_lines_and_messages() {
    let (mut a, _) = sample();
    let before = report::fingerprint(&a[0]);
    a[0].line = 99;
    a[0].message = "moved".into();
    assert_eq!(report::fingerprint(&a[0]), before);
    a[0].rule_id = "AWS.S3.6".into();
    assert_ne!(report::fingerprint(&a[0]), before);
}
