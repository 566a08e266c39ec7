use posture_model::{ResultState, Severity};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct ScanMeta {
    /// `snapshot`, `demo`, `aws`, …
    pub source: String,
    /// Files or endpoints read.
    pub inputs: Vec<String>,
    pub started_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanRecord {
    pub id: i64,
    pub source: String,
    pub inputs: Vec<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running`, `complete`, `partial`, `interrupted`
    pub status: String,
    pub resources: i64,
    pub evaluations: i64,
    pub issues: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanIssue {
    /// `file:line`, `account/region/service`, …
    pub location: String,
    pub message: String,
}

/// A resource as stored: JSON columns already serialised by the caller (off the writer thread).
#[derive(Debug, Clone)]
pub struct ResourceRow {
    pub uid: String,
    pub kind: String,
    pub provider: String,
    pub account: String,
    pub region: Option<String>,
    pub name: String,
    pub tags: String,
    pub attrs: String,
    pub relations: String,
    pub origin: Option<String>,
}

/// A non-passing result (passing ones only resolve findings and count in stats).
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub rule_id: String,
    pub uid: String,
    pub state: ResultState,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub control: String,
    pub remediation: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RuleStats {
    pub rule_id: String,
    pub pass: u64,
    pub fail: u64,
    pub unknown: u64,
    pub error: u64,
    pub not_applicable: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ControlScoreRow {
    pub account: String,
    pub control: String,
    pub max_points: f64,
    pub healthy: u64,
    pub unhealthy: u64,
    pub unknown: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ScanSummary {
    pub resources: u64,
    pub evaluations: u64,
    /// The input was read to its end with no I/O error.
    pub complete: bool,
    /// Accounts the scan covered in full: absent resources there are gone.
    pub covered_accounts: Vec<String>,
    pub rule_stats: Vec<RuleStats>,
    pub scores: Vec<ControlScoreRow>,
}

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub min_severity: Option<Severity>,
    pub states: Vec<ResultState>,
    /// `open` (default), `resolved` or `all`
    pub status: Option<String>,
    pub kind: Option<String>,
    pub account: Option<String>,
    pub rule: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub state: ResultState,
    pub status: String,
    pub uid: String,
    pub kind: String,
    pub account: String,
    pub region: Option<String>,
    pub name: String,
    pub evidence: Option<serde_json::Value>,
    pub first_seen: String,
    pub last_seen: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
    pub remediation: String,
}

#[derive(Debug, Clone, Default)]
pub struct InventoryFilter {
    pub kind: Option<String>,
    pub provider: Option<String>,
    pub account: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InventoryRow {
    pub uid: String,
    pub kind: String,
    pub provider: String,
    pub account: String,
    pub region: Option<String>,
    pub name: String,
    pub open_findings: u64,
    pub first_seen: String,
    pub last_seen: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    pub provider: String,
    pub kind: String,
    pub resources: u64,
    pub with_findings: u64,
}
