//! A bad rule file is a clear error naming the file and the line.

use posture_rules::{Rule, RuleSet};

const GOOD: &str = "id: T.1
title: t
severity: high
kinds: [aws.s3.bucket]
control: encrypt-data-at-rest
description: d
risk: r
remediation:
  text: fix
check:
  allOf:
    - field: attrs.encryption.enabled
      equals: true
examples:
  healthy: [{attrs: {encryption: {enabled: true}}}]
  unhealthy: [{attrs: {encryption: {enabled: false}}}]
";

fn error_of(text: &str) -> String {
    match Rule::parse("rules/custom/t.yaml", text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_good_rule_parses() {
    assert!(Rule::parse("t.yaml", GOOD).is_ok());
}

#[test]
fn errors_name_file_line_and_cause() {
    let cases = [
        ("typo in operator", GOOD.replace("equals: true", "equal: true")),
        ("unknown operator", GOOD.replace("equals: true", "startsWith: x")),
        ("two operators", GOOD.replace("equals: true", "equals: true\n      exists: true")),
        ("bad severity", GOOD.replace("severity: high", "severity: severe")),
        ("missing check", GOOD.replace("check:\n  allOf:\n    - field: attrs.encryption.enabled\n      equals: true\n", "")),
        ("bad path", GOOD.replace("attrs.encryption.enabled", "atrs.encryption.enabled")),
        ("unknown top-level key", GOOD.replace("risk: r", "risk: r\nseverty: low")),
        ("yaml syntax", GOOD.replace("kinds: [aws.s3.bucket]", "kinds: [aws.s3.bucket")),
        ("bad cidr", GOOD.replace("equals: true", "cidrWithin: ['10.0.0.0/40']")),
        ("count operator", GOOD.replace("equals: true", "like: 'x*'").replace("field: attrs.encryption.enabled", "count: {field: 'attrs.a[*]'}")),
        ("no unhealthy example", GOOD.replace("  unhealthy: [{attrs: {encryption: {enabled: false}}}]\n", "")),
    ];
    let report: Vec<String> = cases
        .iter()
        .map(|(name, text)| format!("{name}: {}", error_of(text)))
        .collect();
    insta::assert_snapshot!(report.join("\n"));
}

#[test]
fn unknown_control_and_duplicate_ids_are_rejected_with_all_errors() {
    let bad_control = GOOD.replace("control: encrypt-data-at-rest", "control: make-it-safe");
    let files = vec![
        ("a.yaml".to_string(), GOOD.to_string()),
        ("b.yaml".to_string(), GOOD.to_string()),
        ("c.yaml".to_string(), bad_control.replace("id: T.1", "id: T.2")),
    ];
    let errors = match RuleSet::from_files(files) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e,
    };
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2, "{text:?}");
    assert!(text[0].starts_with("b.yaml:1: rule id 'T.1' is already defined in a.yaml"), "{}", text[0]);
    assert!(text[1].starts_with("c.yaml:5: unknown control 'make-it-safe'"), "{}", text[1]);
}

#[test]
fn mapping_ids_keep_their_lines_and_numeric_ids_must_be_quoted() {
    let mapped = GOOD.replace(
        "risk: r",
        "risk: r\nbenchmark: [DP-4]\nframeworks:\n  cis-aws-3.0:\n    - \"2.1.10\"\n  nist-800-53-r5: [SC-28]",
    );
    let rule = Rule::parse("t.yaml", &mapped).unwrap_or_else(|e| panic!("{e}"));
    let refs: Vec<(Option<&str>, &str, usize)> =
        rule.mapping_refs().iter().map(|r| (r.framework.as_deref(), r.id.as_str(), r.line)).collect();
    assert_eq!(refs, vec![(None, "DP-4", 8), (Some("cis-aws-3.0"), "2.1.10", 11), (Some("nist-800-53-r5"), "SC-28", 12)]);
    let err = error_of(&mapped.replace("\"2.1.10\"", "1.10"));
    assert!(err.starts_with("rules/custom/t.yaml:11: "), "{err}");
    assert!(err.contains("reads as the number 1.1"), "{err}");
}
