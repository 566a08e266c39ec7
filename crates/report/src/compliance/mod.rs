//! Compliance with a standard (DESIGN §4): per requirement, how many resources pass, fail, are
//! unknown or exempt over the rules that check it, and the failing ones; manual and uncovered
//! requirements are listed, never left out.

mod evaluate;
mod html;
mod svg;
mod tables;

pub use evaluate::{evaluate, Scope};
pub use html::render_html;
pub use tables::{overview_rows, requirement_rows, OVERVIEW_HEADERS, REQUIREMENT_HEADERS};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Failed,
    Unknown,
    Passed,
    /// Every resource its rules assessed is exempt.
    Exempt,
    /// It has rules, but none assessed a resource of the estate.
    NotApplicable,
    /// No automated check is possible; someone must assess it.
    Manual,
    /// Automatable, but no rule checks it yet.
    NotCovered,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failed => "failed",
            Status::Unknown => "unknown",
            Status::Passed => "passed",
            Status::Exempt => "exempt",
            Status::NotApplicable => "not applicable",
            Status::Manual => "manual",
            Status::NotCovered => "not covered",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StandardInfo {
    pub id: String,
    pub title: String,
    pub version: String,
    pub publisher: String,
    pub providers: Vec<String>,
}

/// Requirement counts; `percentage` is passed over passed + failed + unknown (the automated
/// requirements with results), `None` when there are none.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Summary {
    pub requirements: u64,
    pub passed: u64,
    pub failed: u64,
    pub unknown: u64,
    pub exempt: u64,
    pub not_applicable: u64,
    pub manual: u64,
    pub not_covered: u64,
    pub percentage: Option<f64>,
}

impl Summary {
    pub fn of(requirements: &[RequirementResult]) -> Summary {
        let mut s = Summary { requirements: requirements.len() as u64, ..Summary::default() };
        for r in requirements {
            let slot = match r.status {
                Status::Passed => &mut s.passed,
                Status::Failed => &mut s.failed,
                Status::Unknown => &mut s.unknown,
                Status::Exempt => &mut s.exempt,
                Status::NotApplicable => &mut s.not_applicable,
                Status::Manual => &mut s.manual,
                Status::NotCovered => &mut s.not_covered,
            };
            *slot += 1;
        }
        let assessed = s.passed + s.failed + s.unknown;
        s.percentage = (assessed > 0).then(|| (1000.0 * s.passed as f64 / assessed as f64).round() / 10.0);
        s
    }
}

/// Resources counted once per requirement, by their worst result over its rules.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct ResourceCounts {
    pub passed: u64,
    pub failed: u64,
    pub unknown: u64,
    pub exempt: u64,
}

/// A resource that fails one rule of a requirement.
#[derive(Debug, Clone, Serialize)]
pub struct Failing {
    pub rule_id: String,
    pub uid: String,
    pub name: String,
    pub kind: String,
    pub account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementResult {
    pub id: String,
    pub title: String,
    pub section: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    pub status: Status,
    /// The rules that check it.
    pub rules: Vec<String>,
    pub resources: ResourceCounts,
    /// Failing (rule, resource) results; `failing` lists them, or the first ones when the report
    /// was asked for fewer.
    pub failing_results: u64,
    pub failing: Vec<Failing>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    pub standard: StandardInfo,
    /// Only this account, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The day exemptions were judged on.
    pub as_of: String,
    pub summary: Summary,
    pub requirements: Vec<RequirementResult>,
}
