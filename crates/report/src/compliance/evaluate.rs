//! Builds compliance reports from the store in one pass over the current inventory.
//!
//! For each resource, as its latest scan saw it, each rule that ran in that scan and applies to it
//! gives a result: its finding's state if it left one (exempt if an exemption covers it), else
//! pass. "Applies" is the rule's kinds and `applies_if`, judged again on the stored attributes,
//! since the store keeps no row for passing or not-applicable results.

use super::{ComplianceReport, Failing, RequirementResult, ResourceCounts, StandardInfo, Status, Summary};
use posture_model::{Resource, ResultState};
use posture_rules::{related_context, RuleSet};
use posture_standards::{requirement_rules, Standard};
use posture_store::{CurrentResource, Store, StoreError};
use std::collections::{HashMap, HashSet};

pub struct Scope<'a> {
    /// Only this account.
    pub account: Option<&'a str>,
    /// `YYYY-MM-DD`: the day exemptions are judged on.
    pub day: &'a str,
}

/// One resource's result for one rule, ordered from best to worst for a requirement: a resource
/// fails a requirement if it fails any of its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Exempt,
    Pass,
    Unknown,
    Fail,
}

struct Finding {
    state: ResultState,
    exempt: bool,
    evidence: Option<serde_json::Value>,
}

/// Running totals for one requirement.
#[derive(Default)]
struct Tally {
    counts: ResourceCounts,
    failing: Vec<Failing>,
}

/// One report per standard, computed together.
pub fn evaluate(
    store: &dyn Store,
    rules: &RuleSet,
    standards: &[&Standard],
    scope: &Scope,
) -> Result<Vec<ComplianceReport>, StoreError> {
    let per_standard: Vec<Vec<Vec<usize>>> = standards.iter().map(|s| requirement_rules(s, rules)).collect();
    // rule index → the (standard, requirement) pairs it checks
    let mut targets: Vec<Vec<(usize, usize)>> = vec![Vec::new(); rules.rules.len()];
    for (si, reqs) in per_standard.iter().enumerate() {
        for (qi, rs) in reqs.iter().enumerate() {
            for &r in rs {
                targets[r].push((si, qi));
            }
        }
    }
    let index: HashMap<&str, usize> = rules.rules.iter().enumerate().map(|(i, r)| (r.meta.id.as_str(), i)).collect();
    let ran: HashSet<(i64, usize)> = store
        .rules_run()?
        .into_iter()
        .filter_map(|(scan, id)| index.get(id.as_str()).map(|&i| (scan, i)))
        .collect();
    let mut findings: HashMap<(usize, String), Finding> = HashMap::new();
    for f in store.current_results(scope.day)? {
        if let Some(&i) = index.get(f.rule_id.as_str()).filter(|&&i| !targets[i].is_empty()) {
            findings.insert((i, f.uid), Finding { state: f.state, exempt: f.exempt, evidence: f.evidence });
        }
    }
    // Attributes are read only for kinds whose rules have an `applies_if` to judge.
    let mut full: Vec<String> = rules
        .rules
        .iter()
        .enumerate()
        .filter(|(i, r)| !targets[*i].is_empty() && r.applies_if.is_some())
        .flat_map(|(_, r)| r.meta.kinds.iter().cloned())
        .collect();
    full.sort();
    full.dedup();

    let mut tallies: Vec<Vec<Tally>> =
        standards.iter().map(|s| s.requirements.iter().map(|_| Tally::default()).collect()).collect();
    let mut error: Option<StoreError> = None;
    let mut cells: Vec<((usize, usize), Cell)> = Vec::new();
    let mut visit = |current: CurrentResource| {
        if error.is_some() {
            return;
        }
        let row = &current.row;
        let mut parsed: Option<Option<Resource>> = None;
        cells.clear();
        for &r in rules.for_kind(&row.kind) {
            if targets[r].is_empty() || !ran.contains(&(current.last_scan, r)) {
                continue;
            }
            let finding = findings.get(&(r, row.uid.clone()));
            let cell = match finding {
                Some(f) if f.exempt => Cell::Exempt,
                Some(f) if f.state == ResultState::Fail => Cell::Fail,
                Some(_) => Cell::Unknown,
                None => {
                    let rule = &rules.rules[r];
                    let Some(cond) = &rule.applies_if else {
                        push(&mut cells, &targets[r], Cell::Pass);
                        continue;
                    };
                    let resource = parsed.get_or_insert_with(|| row.to_resource().ok());
                    let Some(resource) = resource.as_ref() else { continue };
                    let context = match related_context(resource, cond.related.iter(), |t| store.resource(t)) {
                        Ok(c) => c,
                        Err(e) => {
                            error = Some(e);
                            return;
                        }
                    };
                    if !rule.applies_to(resource, &context) {
                        continue;
                    }
                    Cell::Pass
                }
            };
            if cell == Cell::Fail {
                for &(s, q) in &targets[r] {
                    tallies[s][q].failing.push(Failing {
                        rule_id: rules.rules[r].meta.id.clone(),
                        uid: row.uid.clone(),
                        name: row.name.clone(),
                        kind: row.kind.clone(),
                        account: row.account.clone(),
                        evidence: finding.and_then(|f| f.evidence.clone()),
                    });
                }
            }
            push(&mut cells, &targets[r], cell);
        }
        // The worst cell of each requirement decides how this resource counts for it.
        cells.sort_unstable();
        let mut last = None;
        for &(key, cell) in cells.iter().rev() {
            if last == Some(key) {
                continue;
            }
            last = Some(key);
            let c = &mut tallies[key.0][key.1].counts;
            *match cell {
                Cell::Fail => &mut c.failed,
                Cell::Unknown => &mut c.unknown,
                Cell::Pass => &mut c.passed,
                Cell::Exempt => &mut c.exempt,
            } += 1;
        }
    };
    store.for_each_current_resource(scope.account, &full, &mut visit)?;
    if let Some(e) = error {
        return Err(e);
    }
    Ok(standards
        .iter()
        .zip(per_standard)
        .zip(tallies)
        .map(|((standard, reqs), tallies)| report(standard, &reqs, tallies, rules, scope))
        .collect())
}

fn push(cells: &mut Vec<((usize, usize), Cell)>, targets: &[(usize, usize)], cell: Cell) {
    cells.extend(targets.iter().map(|&t| (t, cell)));
}

fn report(standard: &Standard, reqs: &[Vec<usize>], tallies: Vec<Tally>, rules: &RuleSet, scope: &Scope) -> ComplianceReport {
    let requirements: Vec<RequirementResult> = standard
        .requirements
        .iter()
        .zip(reqs)
        .zip(tallies)
        .map(|((req, rs), tally)| {
            let c = tally.counts;
            let status = if rs.is_empty() {
                if req.manual { Status::Manual } else { Status::NotCovered }
            } else if c.failed > 0 {
                Status::Failed
            } else if c.unknown > 0 {
                Status::Unknown
            } else if c.passed > 0 {
                Status::Passed
            } else if c.exempt > 0 {
                Status::Exempt
            } else {
                Status::NotApplicable
            };
            let mut failing = tally.failing;
            failing.sort_by(|a, b| (&a.rule_id, &a.account, &a.uid).cmp(&(&b.rule_id, &b.account, &b.uid)));
            RequirementResult {
                id: req.id.clone(),
                title: req.title.clone(),
                section: req.section.clone(),
                domain: req.domain.clone(),
                status,
                rules: rs.iter().map(|&i| rules.rules[i].meta.id.clone()).collect(),
                resources: c,
                failing,
            }
        })
        .collect();
    ComplianceReport {
        standard: StandardInfo {
            id: standard.id.clone(),
            title: standard.title.clone(),
            version: standard.version.clone(),
            publisher: standard.publisher.clone(),
            providers: standard.providers.clone(),
        },
        account: scope.account.map(str::to_string),
        as_of: scope.day.to_string(),
        summary: Summary::of(&requirements),
        requirements,
    }
}
