//! Rules name requirements; a name that no standard defines is an error with the rule's file and
//! line, and all of them are reported at once.

use posture_rules::RuleSet;
use posture_standards::{check_manual, check_rules, requirement_rules, Standards, BENCHMARK_ID};

fn rule(id: &str, mapping: &str) -> (String, String) {
    let text = format!(
        "id: {id}\ntitle: t\nseverity: high\nkinds: [aws.s3.bucket]\ncontrol: encrypt-data-at-rest\n{mapping}\n\
         description: d\nrisk: r\nremediation: {{text: fix}}\ncheck: {{field: attrs.encrypted, equals: true}}\n\
         examples: {{healthy: [{{attrs: {{encrypted: true}}}}], unhealthy: [{{attrs: {{encrypted: false}}}}]}}\n"
    );
    (format!("rules/test/{}.yaml", id.to_lowercase()), text)
}

const BENCHMARK: &str = "id: posture-benchmark
title: Posture Cloud Security Benchmark
version: 1.0.0
publisher: Posture
providers: [aws, azure, gcp, k8s]
requirements:
  - {id: DP-4, title: Encrypt data at rest, domain: DP}
  - {id: NS-1, title: Segment networks, domain: NS}
";

const CIS: &str = "id: cis-test-1.0
title: CIS Test
version: 1.0.0
publisher: Center for Internet Security
providers: [aws]
requirements:
  - id: \"2.1.1\"
    title: Encrypt buckets
    section: Storage
  - id: \"2.1.2\"
    title: Review bucket access every quarter
    section: Storage
    manual: true
";

fn standards() -> Standards {
    Standards::from_files(vec![("standards/bench.yaml".into(), BENCHMARK.into()), ("standards/cis.yaml".into(), CIS.into())])
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn rules(files: Vec<(String, String)>) -> RuleSet {
    RuleSet::from_files(files).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn a_rule_belongs_to_the_requirements_it_names() {
    let set = rules(vec![
        rule("T.1", "benchmark: [DP-4]\nframeworks: {cis-test-1.0: [\"2.1.1\"]}"),
        rule("T.2", "benchmark: [DP-4, NS-1]"),
        rule("T.3", ""),
    ]);
    let std = standards();
    assert!(check_rules(&std, &set).is_empty());
    assert!(check_manual(&std, &set).is_empty());
    let bench = std.get(BENCHMARK_ID).unwrap_or_else(|| panic!("benchmark"));
    let ids = |per: Vec<Vec<usize>>| -> Vec<Vec<String>> {
        per.into_iter().map(|rs| rs.into_iter().map(|i| set.rules[i].meta.id.clone()).collect()).collect()
    };
    assert_eq!(ids(requirement_rules(bench, &set)), vec![vec!["T.1", "T.2"], vec!["T.2"]]);
    let cis = std.get("cis-test-1.0").unwrap_or_else(|| panic!("cis"));
    assert_eq!(ids(requirement_rules(cis, &set)), vec![vec!["T.1".to_string()], Vec::<String>::new()]);
}

#[test]
fn every_unresolved_reference_is_reported_with_file_and_line() {
    let set = rules(vec![
        rule("T.1", "benchmark: [DP-9]\nframeworks:\n  cis-test-1.0: [\"2.1.1\", \"9.9\"]\n  pci-dss-4.0: [\"1.2.3\"]"),
        rule("T.2", "frameworks: {cis-test-1.0: [\"2.1.2\"], pci-dss-4.0: [\"3.4\", \"3.5\"]}"),
    ]);
    let errors: Vec<String> = check_rules(&standards(), &set).iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        vec![
            "rules/test/t.1.yaml:6: benchmark: 'DP-9' is not a requirement of posture-benchmark (standards/bench.yaml)",
            "rules/test/t.1.yaml:8: cis-test-1.0: '9.9' is not a requirement of cis-test-1.0 (standards/cis.yaml)",
            "rules/test/t.1.yaml:9: frameworks: no standard file defines 'pci-dss-4.0' (defined: posture-benchmark, cis-test-1.0)",
            "rules/test/t.2.yaml:6: frameworks: no standard file defines 'pci-dss-4.0' (defined: posture-benchmark, cis-test-1.0)",
        ]
    );
    let manual: Vec<String> = check_manual(&standards(), &set).iter().map(ToString::to_string).collect();
    assert_eq!(manual, vec!["standards/cis.yaml:10: requirement '2.1.2' is marked manual, but T.2 check it: drop `manual` or the mapping"]);
}

#[test]
fn benchmark_ids_need_the_benchmark_file() {
    let only_cis = Standards::from_files(vec![("standards/cis.yaml".into(), CIS.into())]).unwrap_or_else(|e| panic!("{e:?}"));
    let set = rules(vec![rule("T.1", "benchmark: [DP-4, NS-1]")]);
    let errors: Vec<String> = check_rules(&only_cis, &set).iter().map(ToString::to_string).collect();
    assert_eq!(errors, vec!["rules/test/t.1.yaml:6: benchmark: the default benchmark 'posture-benchmark' has no standard file"]);
}
