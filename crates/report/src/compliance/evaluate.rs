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
    /// Failing results listed per requirement, at most (0 for an overview, which only counts;
    /// `usize::MAX` for all). The counts are always complete.
    pub failing: usize,
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

/// A non-passing result of the current resource's latest scan.
struct Finding {
    rule: usize,
    state: ResultState,
    exempt: bool,
    evidence: Option<String>,
}

/// What a failing resource shows; kept once however many requirements it fails.
struct Shown {
    uid: String,
    name: String,
    kind: String,
    account: String,
}

/// Running totals for one requirement; failing results as (rule, index into the shown resources).
#[derive(Default)]
struct Tally {
    counts: ResourceCounts,
    failing: Vec<(u32, u32)>,
    failing_results: u64,
}

/// One report per standard, computed together in one pass over the inventory.
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
    let mut findings: HashMap<String, Vec<Finding>> = HashMap::new();
    for f in store.current_results(scope.day)? {
        if let Some(&rule) = index.get(f.rule_id.as_str()).filter(|&&i| !targets[i].is_empty()) {
            let finding = Finding { rule, state: f.state, exempt: f.exempt, evidence: f.evidence };
            findings.entry(f.uid).or_default().push(finding);
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
    let mut shown: Vec<Shown> = Vec::new();
    let mut error: Option<StoreError> = None;
    let mut cells: Vec<((usize, usize), Cell)> = Vec::new();
    let mut visit = |current: CurrentResource| {
        if error.is_some() {
            return;
        }
        let row = &current.row;
        let mine = findings.get(row.uid.as_str()).map_or(&[][..], Vec::as_slice);
        let mut parsed: Option<Option<Resource>> = None;
        let mut shown_at: Option<u32> = None;
        cells.clear();
        for &r in rules.for_kind(&row.kind) {
            if targets[r].is_empty() || !ran.contains(&(current.last_scan, r)) {
                continue;
            }
            let cell = match mine.iter().find(|f| f.rule == r) {
                Some(f) if f.exempt => Cell::Exempt,
                Some(f) if f.state == ResultState::Fail => Cell::Fail,
                Some(_) => Cell::Unknown,
                None => {
                    let rule = &rules.rules[r];
                    if let Some(cond) = &rule.applies_if {
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
                    }
                    Cell::Pass
                }
            };
            if cell == Cell::Fail {
                for &(s, q) in &targets[r] {
                    tallies[s][q].failing_results += 1;
                }
            }
            let listed = |t: &Tally| t.failing.len() < scope.failing;
            if cell == Cell::Fail && targets[r].iter().any(|&(s, q)| listed(&tallies[s][q])) {
                let at = *shown_at.get_or_insert_with(|| {
                    shown.push(Shown {
                        uid: row.uid.clone(),
                        name: row.name.clone(),
                        kind: row.kind.clone(),
                        account: row.account.clone(),
                    });
                    (shown.len() - 1) as u32
                });
                for &(s, q) in &targets[r] {
                    if listed(&tallies[s][q]) {
                        tallies[s][q].failing.push((r as u32, at));
                    }
                }
            }
            cells.extend(targets[r].iter().map(|&t| (t, cell)));
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
    let failing = |(rule, at): (u32, u32)| -> Failing {
        let s = &shown[at as usize];
        let evidence = findings
            .get(s.uid.as_str())
            .and_then(|fs| fs.iter().find(|f| f.rule == rule as usize))
            .and_then(|f| f.evidence.as_deref())
            .and_then(|e| serde_json::from_str(e).ok());
        Failing {
            rule_id: rules.rules[rule as usize].meta.id.clone(),
            uid: s.uid.clone(),
            name: s.name.clone(),
            kind: s.kind.clone(),
            account: s.account.clone(),
            evidence,
        }
    };
    Ok(standards
        .iter()
        .zip(per_standard)
        .zip(tallies)
        .map(|((standard, reqs), tallies)| {
            let tallies = tallies
                .into_iter()
                .map(|t| (t.counts, t.failing_results, t.failing.into_iter().map(failing).collect()))
                .collect();
            report(standard, &reqs, tallies, rules, scope)
        })
        .collect())
}

fn report(
    standard: &Standard,
    reqs: &[Vec<usize>],
    tallies: Vec<(ResourceCounts, u64, Vec<Failing>)>,
    rules: &RuleSet,
    scope: &Scope,
) -> ComplianceReport {
    let requirements: Vec<RequirementResult> = standard
        .requirements
        .iter()
        .zip(reqs)
        .zip(tallies)
        .map(|((req, rs), (c, failing_results, mut failing))| {
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
            failing.sort_by(|a, b| (&a.rule_id, &a.account, &a.uid).cmp(&(&b.rule_id, &b.account, &b.uid)));
            RequirementResult {
                id: req.id.clone(),
                title: req.title.clone(),
                section: req.section.clone(),
                domain: req.domain.clone(),
                status,
                rules: rs.iter().map(|&i| rules.rules[i].meta.id.clone()).collect(),
                resources: c,
                failing_results,
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
