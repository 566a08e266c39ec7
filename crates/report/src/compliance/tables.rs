//! Rows for the table, CSV and Markdown renderings.

use super::ComplianceReport;
use std::collections::BTreeSet;

pub const REQUIREMENT_HEADERS: [&str; 9] =
    ["requirement", "title", "section", "status", "passed", "failed", "unknown", "exempt", "rules"];

pub const OVERVIEW_HEADERS: [&str; 11] = [
    "standard", "title", "passed %", "passed", "failed", "unknown", "exempt", "not applicable", "manual", "not covered",
    "requirements",
];

/// One row per requirement, in the standard's order; resource counts are blank where no rule
/// could count any. `full` (for CSV) lists the rule ids instead of their number and adds the
/// failing resources' uids as a last cell.
pub fn requirement_rows(report: &ComplianceReport, full: bool) -> Vec<Vec<String>> {
    report
        .requirements
        .iter()
        .map(|r| {
            let counted = !r.rules.is_empty();
            let n = |v: u64| if counted { v.to_string() } else { String::new() };
            let mut row = vec![
                r.id.clone(),
                r.title.clone(),
                r.section.clone(),
                r.status.as_str().to_string(),
                n(r.resources.passed),
                n(r.resources.failed),
                n(r.resources.unknown),
                n(r.resources.exempt),
                if full { r.rules.join(" ") } else { n(r.rules.len() as u64) },
            ];
            if full {
                let failing: BTreeSet<&str> = r.failing.iter().map(|f| f.uid.as_str()).collect();
                row.push(failing.into_iter().collect::<Vec<_>>().join(" "));
            }
            row
        })
        .collect()
}

/// One row per standard.
pub fn overview_rows(reports: &[ComplianceReport]) -> Vec<Vec<String>> {
    reports
        .iter()
        .map(|r| {
            let s = &r.summary;
            vec![
                r.standard.id.clone(),
                r.standard.title.clone(),
                s.percentage.map_or_else(|| "-".to_string(), |p| format!("{p:.1}")),
                s.passed.to_string(),
                s.failed.to_string(),
                s.unknown.to_string(),
                s.exempt.to_string(),
                s.not_applicable.to_string(),
                s.manual.to_string(),
                s.not_covered.to_string(),
                s.requirements.to_string(),
            ]
        })
        .collect()
}
