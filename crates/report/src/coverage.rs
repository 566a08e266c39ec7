//! The rule coverage table (`docs/coverage.md`): rules per provider and service, and how much of
//! each standard the rules automate. Generated from the rule and standard files, never by hand.

use crate::render::render_markdown;
use posture_model::Severity;
use posture_rules::{Rule, RuleSet};
use posture_standards::{domain_name, requirement_rules, Standards, BENCHMARK_ID, DOMAINS};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

pub const REGENERATE: &str = "cargo run -q --bin posture -- rules coverage > docs/coverage.md";

const PROVIDERS: [&str; 4] = ["aws", "azure", "gcp", "k8s"];

/// `provider.service` of a rule's first kind.
fn provider_service(rule: &Rule) -> (String, String) {
    let kind = rule.meta.kinds.first().map(String::as_str).unwrap_or_default();
    let mut parts = kind.split('.');
    (parts.next().unwrap_or_default().to_string(), parts.next().unwrap_or_default().to_string())
}

pub fn coverage_markdown(rules: &RuleSet, standards: &Standards) -> String {
    let mut out = String::from("# Rule coverage\n\n");
    let _ = writeln!(
        out,
        "Generated from `rules/` and `standards/` by `posture rules coverage`; do not edit by hand. A test fails when \
         it is out of date; regenerate it with `{REGENERATE}`.\n"
    );
    let _ = writeln!(out, "{} rules, {} standards.\n", rules.rules.len(), standards.standards.len());
    per_provider(&mut out, rules);
    per_service(&mut out, rules);
    per_standard(&mut out, rules, standards);
    benchmark_domains(&mut out, rules, standards);
    out
}

fn per_provider(out: &mut String, rules: &RuleSet) {
    let mut counts: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    for r in &rules.rules {
        let slot = Severity::ALL.iter().position(|s| *s == r.meta.severity).unwrap_or(4);
        counts.entry(provider_service(r).0).or_default()[slot] += 1;
    }
    let mut rows: Vec<Vec<String>> = counts
        .iter()
        .map(|(p, c)| {
            let mut row = vec![p.clone(), c.iter().sum::<u64>().to_string()];
            row.extend(c.iter().map(u64::to_string));
            row
        })
        .collect();
    let mut total = vec!["**total**".to_string(), rules.rules.len().to_string()];
    total.extend((0..5).map(|i| counts.values().map(|c| c[i]).sum::<u64>().to_string()));
    rows.push(total);
    out.push_str("## Rules per provider\n\n");
    out.push_str(&render_markdown(&["provider", "rules", "critical", "high", "medium", "low", "informational"], &rows));
    out.push('\n');
}

fn per_service(out: &mut String, rules: &RuleSet) {
    let mut services: BTreeMap<(String, String), (u64, BTreeSet<&str>)> = BTreeMap::new();
    for r in &rules.rules {
        let entry = services.entry(provider_service(r)).or_default();
        entry.0 += 1;
        entry.1.extend(r.meta.kinds.iter().map(String::as_str));
    }
    let rows: Vec<Vec<String>> = services
        .into_iter()
        .map(|((p, s), (n, kinds))| vec![p, s, n.to_string(), kinds.into_iter().collect::<Vec<_>>().join(", ")])
        .collect();
    out.push_str("## Rules per service\n\n");
    out.push_str(&render_markdown(&["provider", "service", "rules", "kinds"], &rows));
    out.push('\n');
}

fn per_standard(out: &mut String, rules: &RuleSet, standards: &Standards) {
    let rows: Vec<Vec<String>> = standards
        .standards
        .iter()
        .map(|s| {
            let per = requirement_rules(s, rules);
            let automated = per.iter().filter(|r| !r.is_empty()).count();
            let manual = s.requirements.iter().zip(&per).filter(|(q, r)| q.manual && r.is_empty()).count();
            let uncovered = s.requirements.len() - automated - manual;
            let distinct: BTreeSet<usize> = per.iter().flatten().copied().collect();
            vec![
                format!("`{}`", s.id),
                s.title.clone(),
                s.version.clone(),
                s.requirements.len().to_string(),
                automated.to_string(),
                manual.to_string(),
                uncovered.to_string(),
                distinct.len().to_string(),
            ]
        })
        .collect();
    out.push_str("## Standards\n\nAutomated: checked by at least one rule. Manual: no configuration data can show it. \
                  Not covered: automatable, but no rule checks it yet.\n\n");
    out.push_str(&render_markdown(
        &["standard", "title", "version", "requirements", "automated", "manual", "not covered", "rules"],
        &rows,
    ));
    out.push('\n');
}

fn benchmark_domains(out: &mut String, rules: &RuleSet, standards: &Standards) {
    let Some(bench) = standards.get(BENCHMARK_ID) else { return };
    let per = requirement_rules(bench, rules);
    let rows: Vec<Vec<String>> = DOMAINS
        .iter()
        .map(|(code, _)| {
            let mine: Vec<(&posture_standards::Requirement, &Vec<usize>)> =
                bench.requirements.iter().zip(&per).filter(|(q, _)| q.domain.as_deref() == Some(*code)).collect();
            let automated = mine.iter().filter(|(_, r)| !r.is_empty()).count();
            let manual = mine.iter().filter(|(q, r)| q.manual && r.is_empty()).count();
            let mut row = vec![
                format!("{code} {}", domain_name(code).unwrap_or_default()),
                mine.len().to_string(),
                automated.to_string(),
                manual.to_string(),
                (mine.len() - automated - manual).to_string(),
            ];
            for p in PROVIDERS {
                let n: BTreeSet<usize> = mine
                    .iter()
                    .flat_map(|(_, r)| r.iter().copied())
                    .filter(|&i| provider_service(&rules.rules[i]).0 == p)
                    .collect();
                row.push(n.len().to_string());
            }
            row
        })
        .collect();
    let _ = writeln!(out, "## {} by domain\n\nRules per provider in each domain.\n", bench.title);
    out.push_str(&render_markdown(
        &["domain", "requirements", "automated", "manual", "not covered", "aws", "azure", "gcp", "k8s"],
        &rows,
    ));
}
