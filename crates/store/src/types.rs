use posture_model::{Relation, Resource, ResultState, Severity};
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

impl ResourceRow {
    /// The resource back from its stored JSON columns.
    pub fn to_resource(&self) -> Result<Resource, serde_json::Error> {
        let mut r = Resource::new(self.uid.clone(), self.kind.clone());
        r.provider = self.provider.clone();
        r.account = self.account.clone();
        r.region = self.region.clone();
        r.name = self.name.clone();
        r.tags = serde_json::from_str(&self.tags)?;
        r.attrs = serde_json::from_str(&self.attrs)?;
        r.relations = serde_json::from_str::<Vec<Relation>>(&self.relations)?;
        r.origin = self.origin.as_deref().map(serde_json::from_str).transpose()?;
        Ok(r)
    }
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
    /// The day (`YYYY-MM-DD`, UTC) exemptions are judged on; default today.
    pub as_of: Option<String>,
    /// Only findings whose resource is defined in code under this repository path (`FindingRow::source`).
    pub path: Option<String>,
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
    /// The exemption that covers it (its status is then `exempt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption: Option<i64>,
    /// `file:line` of the code that defines the resource: its own IaC origin, or a code-to-cloud link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Where code defines a deployed resource (code to cloud).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IacLinkRow {
    /// A runtime uid, or `yor_trace:<value>`.
    pub key: String,
    pub iac_uid: String,
    pub file: String,
    pub line: u32,
    pub address: String,
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

/// Whom an exemption covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum ExemptionScope {
    Account { account: String },
    Resource { uid: String },
    Tag { key: String, value: String },
}

impl std::fmt::Display for ExemptionScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExemptionScope::Account { account } => write!(f, "account {account}"),
            ExemptionScope::Resource { uid } => write!(f, "resource {uid}"),
            ExemptionScope::Tag { key, value } => write!(f, "tag {key}={value}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewExemption {
    pub rule_id: String,
    pub scope: ExemptionScope,
    pub reason: String,
    /// `YYYY-MM-DD` (UTC): the first day the exemption no longer applies.
    pub expires: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exemption {
    pub id: i64,
    pub rule_id: String,
    #[serde(flatten)]
    pub scope: ExemptionScope,
    pub reason: String,
    pub expires: Option<String>,
    pub created_at: String,
    /// False from its expiry date on.
    pub active: bool,
    /// Current findings it covers.
    pub findings: u64,
}

/// A result a scan recorded as exempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExemptHit {
    pub rule_id: String,
    pub uid: String,
    pub state: ResultState,
}

/// A non-passing result of a current resource's latest scan.
#[derive(Debug, Clone)]
pub struct CurrentResult {
    pub rule_id: String,
    pub uid: String,
    pub state: ResultState,
    pub exempt: bool,
    /// As stored (JSON): parsed only for the results a report shows.
    pub evidence: Option<String>,
}

/// A resource of the current inventory and the scan that last saw it.
#[derive(Debug, Clone)]
pub struct CurrentResource {
    pub row: ResourceRow,
    pub last_scan: i64,
}
