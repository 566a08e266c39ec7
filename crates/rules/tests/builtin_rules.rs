//! Every built-in rule loads, and every one of its examples gives the state it claims.

use posture_rules::{run_examples, RuleSet};

#[test]
fn builtin_rules_load_and_their_examples_hold() {
    let set = RuleSet::builtin().unwrap_or_else(|errors| {
        panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
    });
    let failures: Vec<String> = set
        .rules
        .iter()
        .flat_map(run_examples)
        .map(|f| format!("{}:{}: {}: {}", f.file, f.line, f.rule_id, f.message))
        .collect();
    assert!(failures.is_empty(), "{} example(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn builtin_rules_cover_the_four_providers() {
    let set = RuleSet::builtin().unwrap_or_else(|_| panic!("rules load"));
    for provider in ["aws", "azure", "gcp", "k8s"] {
        let n = set.rules.iter().filter(|r| r.meta.kinds.iter().any(|k| k.starts_with(&format!("{provider}.")))).count();
        assert!(n >= 5, "only {n} rules for {provider}");
    }
    assert!(set.rules.len() >= 30, "only {} rules", set.rules.len());
}
