//! The shipped standards load, and every requirement a shipped rule names exists.

use posture_rules::RuleSet;
use posture_standards::{check_manual, check_rules, MappingError, Standards, DOMAINS};

fn builtin() -> Standards {
    Standards::builtin().unwrap_or_else(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        panic!("{} error(s) in standards/*.yaml:\n{}", errors.len(), list.join("\n"))
    })
}

#[test]
fn builtin_standards_load() {
    let set = builtin();
    for s in &set.standards {
        assert!(!s.requirements.is_empty(), "{} has no requirement", s.source);
    }
}

#[test]
fn every_requirement_a_builtin_rule_names_exists() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("built-in rules do not load: {e:?}"));
    let errors = check_rules(&builtin(), &rules);
    assert!(
        errors.is_empty(),
        "{} rule mapping error(s): a rule names a standard or a requirement that standards/*.yaml does not define:\n{}",
        errors.len(),
        list(&errors)
    );
}

#[test]
fn no_requirement_marked_manual_is_checked_by_a_builtin_rule() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("built-in rules do not load: {e:?}"));
    let errors = check_manual(&builtin(), &rules);
    assert!(errors.is_empty(), "{} manual requirement(s) with rules:\n{}", errors.len(), list(&errors));
}

#[test]
fn every_benchmark_domain_has_automated_requirements_for_every_provider() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("built-in rules do not load: {e:?}"));
    let standards = builtin();
    let bench = standards.benchmark().unwrap_or_else(|| panic!("the default benchmark is missing"));
    let mut gaps = Vec::new();
    for (domain, name) in DOMAINS {
        for provider in &bench.providers {
            let automated = rules.rules.iter().any(|r| {
                let prefix = format!("{provider}.");
                r.meta.kinds.iter().any(|k| k.starts_with(&prefix))
                    && r.meta.benchmark.iter().any(|id| {
                        bench.requirements.iter().any(|q| q.id == *id && q.domain.as_deref() == Some(domain) && !q.manual)
                    })
            });
            if !automated {
                gaps.push(format!("  {domain} ({name}) has no {provider} rule"));
            }
        }
    }
    assert!(gaps.is_empty(), "{} domain/provider gap(s) in the default benchmark:\n{}", gaps.len(), gaps.join("\n"));
}

fn list(errors: &[MappingError]) -> String {
    errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
}
