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

/// Rules sharing an `applies_if` judge it once per resource: the results must be those of judging it
/// for every rule, on every resource of the demo estate.
#[test]
fn a_shared_applies_if_verdict_gives_the_same_results() {
    use posture_model::Resource;
    use posture_rules::{AppliesMemo, NoLookup};
    let set = RuleSet::builtin().unwrap_or_else(|_| panic!("rules load"));
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let (mut resources, mut not_applicable) = (0, 0);
    for file in ["aws", "azure", "gcp", "k8s"] {
        let text = std::fs::read_to_string(demo.join(format!("{file}.ndjson"))).expect("demo estate");
        for line in text.lines().skip(1) {
            let r: Resource = serde_json::from_str(line).expect("demo resource");
            let mut memo = AppliesMemo::default();
            for &i in set.for_kind(&r.kind) {
                let rule = &set.rules[i];
                let shared = rule.evaluate_memo(&r, &NoLookup, None, &mut memo);
                let alone = rule.evaluate_applicable_at(&r, &NoLookup, None);
                assert_eq!(shared, alone, "{} on {}", rule.meta.id, r.uid);
                not_applicable += usize::from(alone.state == posture_model::ResultState::NotApplicable);
            }
            resources += 1;
        }
    }
    assert!(resources > 300 && not_applicable > 50, "{resources} resources, {not_applicable} not applicable");
}
