//! Storage (DESIGN §6). One interface, [`Store`]; SQLite is the embedded default.
//!
//! Invariants:
//! - A scan's data lands in one transaction: a crash before [`ScanSink::commit`] leaves the previous
//!   inventory and findings exactly as they were. Only the scan's "running" row survives, and the
//!   next open marks it `interrupted`.
//! - A finding's identity is (rule id, resource uid); it keeps its first-seen date across scans.
//! - Absence resolves a finding only when the scan covered the resource's account in full.

mod current;
mod exempt;
mod schema;
mod sqlite;
mod types;

pub use sqlite::SqliteStore;
pub use types::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the directory for database {path}: {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database {path} was written by a newer Posture (schema version {found}, this one knows {known})")]
    TooNew { path: String, found: i64, known: i64 },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("corrupt stored value: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("a result names rule {0}, which this scan did not register")]
    UnknownRule(String),
    #[error("a result names resource {0}, which this scan did not store")]
    UnknownResource(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The operations every backend (SQLite, PostgreSQL) provides.
pub trait Store {
    /// Records a running scan and opens the transaction its data goes into.
    fn begin_scan(&mut self, meta: &ScanMeta) -> Result<Box<dyn ScanSink + '_>>;
    fn scans(&self, limit: usize) -> Result<Vec<ScanRecord>>;
    fn scan_issues(&self, scan_id: i64) -> Result<Vec<ScanIssue>>;
    fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingRow>>;
    fn inventory(&self, filter: &InventoryFilter) -> Result<Vec<InventoryRow>>;
    fn inventory_summary(&self) -> Result<Vec<KindCount>>;
    /// The latest complete score of every account, per control.
    fn current_scores(&self) -> Result<Vec<ControlScoreRow>>;
    /// Every finished (complete or partial) scan, oldest first, with its control scores per account.
    fn score_history(&self) -> Result<Vec<(ScanRecord, Vec<ControlScoreRow>)>>;
    fn rule_infos(&self) -> Result<Vec<RuleInfo>>;

    /// One resource of the inventory (current or removed).
    fn resource(&self, uid: &str) -> Result<Option<posture_model::Resource>>;
    /// Calls `f` with every resource of the current inventory (of `account`, if given), reading
    /// attributes, tags and relations only for the kinds in `full`.
    fn for_each_current_resource(
        &self,
        account: Option<&str>,
        full: &[String],
        f: &mut dyn FnMut(CurrentResource),
    ) -> Result<()>;
    /// The non-passing results of every current resource's latest scan; `exempt` as of `day`.
    fn current_results(&self, day: &str) -> Result<Vec<CurrentResult>>;
    /// (scan id, rule id) of the rules that ran in the scans current resources were last seen by.
    fn rules_run(&self) -> Result<Vec<(i64, String)>>;

    /// Stores an exemption and applies it to the current findings at once.
    fn add_exemption(&mut self, e: &NewExemption, day: &str) -> Result<Exemption>;
    /// Every exemption, with whether it is in force on `day` and how many findings it covers.
    fn exemptions(&self, day: &str) -> Result<Vec<Exemption>>;
    /// Deletes an exemption; false when there was none with that id.
    fn remove_exemption(&mut self, id: i64, day: &str) -> Result<bool>;

    /// Replaces the code-to-cloud links recorded by the IaC repository `account`.
    fn put_iac_links(&mut self, account: &str, links: &[IacLinkRow]) -> Result<()>;
}

/// Where a scan's data goes until it is committed.
pub trait ScanSink {
    fn scan_id(&self) -> i64;
    fn put_rules(&mut self, rules: &[RuleInfo]) -> Result<()>;
    fn put_resources(&mut self, resources: &[ResourceRow]) -> Result<()>;
    fn put_results(&mut self, results: &[ResultRow]) -> Result<()>;
    fn put_issue(&mut self, issue: &ScanIssue) -> Result<()>;
    /// Marks this scan's results that an exemption in force covers as `exempt` and returns them.
    fn mark_exempt(&mut self) -> Result<Vec<ExemptHit>>;
    /// A resource this scan stored (to re-evaluate the rules of exempt results).
    fn resource(&self, uid: &str) -> Result<Option<posture_model::Resource>>;
    /// Resolves findings, stores stats and score, marks the scan finished, commits.
    fn commit(self: Box<Self>, summary: &ScanSummary) -> Result<()>;
}

/// Today's date in UTC, `YYYY-MM-DD`: the day exemptions are judged on.
pub fn today_utc() -> String {
    now_rfc3339().chars().take(10).collect()
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}
