//! What an export import takes and tells, the same for Azure and GCP.

use posture_model::SnapshotIssue;
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub collected_at: OffsetDateTime,
    /// `Some(service)`: resources come from a live collection (`origin: api`); `None`: from the
    /// files themselves (`origin: snapshot{file}`).
    pub api_service: Option<String>,
}

impl ImportOptions {
    pub fn new(collected_at: OffsetDateTime) -> ImportOptions {
        ImportOptions { collected_at, api_service: None }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub resources: u64,
    /// Items that could not be read (with their location), files that could not be read to the end.
    pub issues: Vec<SnapshotIssue>,
    /// Resource or asset types Posture has no kind for, with how many items were skipped.
    pub unmapped: BTreeMap<String, u64>,
    /// Informational: pages that say more pages follow, items seen twice.
    pub notes: Vec<String>,
    /// Accounts (Azure subscriptions, GCP projects) of the resources emitted.
    pub accounts: BTreeSet<String>,
}
