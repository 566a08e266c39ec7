//! Which rules check which requirement, and the proof that every id a rule names exists.

use crate::catalog::Standards;
use crate::standard::{Standard, BENCHMARK_ID};
use posture_rules::{Rule, RuleSet};
use std::collections::{BTreeSet, HashMap};

/// A rule names a requirement or a standard that does not exist, or claims a manual one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct MappingError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The requirement ids `rule` names for the standard `standard_id`: its `benchmark` list for the
/// default benchmark, else `frameworks[standard_id]`.
pub fn rule_requirement_ids<'r>(rule: &'r Rule, standard_id: &str) -> &'r [String] {
    if standard_id == BENCHMARK_ID {
        &rule.meta.benchmark
    } else {
        rule.meta.frameworks.get(standard_id).map_or(&[], Vec::as_slice)
    }
}

/// For each requirement of `standard`, in order, the indices into `rules.rules` of the rules that
/// check it.
pub fn requirement_rules(standard: &Standard, rules: &RuleSet) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> =
        standard.requirements.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let mut out = vec![Vec::new(); standard.requirements.len()];
    for (ri, rule) in rules.rules.iter().enumerate() {
        for id in rule_requirement_ids(rule, &standard.id) {
            if let Some(&i) = index.get(id.as_str()) {
                if !out[i].contains(&ri) {
                    out[i].push(ri);
                }
            }
        }
    }
    out
}

/// Every reference from `rules` that no standard resolves: an unknown framework key, or an id its
/// standard does not define.
pub fn check_rules(standards: &Standards, rules: &RuleSet) -> Vec<MappingError> {
    let mut errors = Vec::new();
    let known = standards.ids().join(", ");
    for rule in &rules.rules {
        let mut missing_reported = BTreeSet::new();
        for r in rule.mapping_refs() {
            let std_id = r.framework.as_deref().unwrap_or(BENCHMARK_ID);
            let at = |message: String| MappingError { file: rule.meta.source.clone(), line: r.line, message };
            match standards.standards.iter().find(|s| s.id == std_id) {
                None if missing_reported.insert(std_id) => errors.push(at(match &r.framework {
                    Some(key) => format!("frameworks: no standard file defines '{key}' (defined: {known})"),
                    None => format!("benchmark: the default benchmark '{BENCHMARK_ID}' has no standard file"),
                })),
                None => {}
                Some(s) if !s.requirements.iter().any(|q| q.id == r.id) => errors.push(at(format!(
                    "{}: '{}' is not a requirement of {} ({})",
                    r.framework.as_deref().unwrap_or("benchmark"),
                    r.id,
                    s.id,
                    s.source
                ))),
                Some(_) => {}
            }
        }
    }
    errors
}

/// Every requirement marked manual ("no automated check is possible") that a rule checks all the
/// same: one of the two is wrong. Compliance treats such a requirement as automated.
pub fn check_manual(standards: &Standards, rules: &RuleSet) -> Vec<MappingError> {
    let mut errors = Vec::new();
    for s in &standards.standards {
        for (req, checked_by) in s.requirements.iter().zip(requirement_rules(s, rules)) {
            if req.manual && !checked_by.is_empty() {
                let ids: Vec<&str> = checked_by.iter().map(|&i| rules.rules[i].meta.id.as_str()).collect();
                errors.push(MappingError {
                    file: s.source.clone(),
                    line: req.line,
                    message: format!(
                        "requirement '{}' is marked manual, but {} check it: drop `manual` or the mapping",
                        req.id,
                        ids.join(", ")
                    ),
                });
            }
        }
    }
    errors
}
