use serde::{Deserialize, Serialize};

pub const SNAPSHOT_FORMAT: &str = "posture-snapshot";
pub const SNAPSHOT_FORMAT_VERSION: u32 = 1;

/// First line of a snapshot file; every following line is one [`crate::Resource`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotHeader {
    /// Always [`SNAPSHOT_FORMAT`].
    pub format: String,
    pub version: u32,
    /// What produced it: `aws`, `azure-export`, `demo`, `synthetic`, …
    pub source: String,
    /// RFC 3339 time at which collection finished.
    pub collected_at: String,
    /// The accounts (subscriptions, projects, clusters) the collection covered in full.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// What the collection could not read: denied calls, throttled or unreachable regions, … The
    /// resources that depended on them are missing or lack attributes, so their results are unknown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<SnapshotIssue>,
}

/// One problem met while collecting, e.g. `111122223333/eu-west-1/ec2:DescribeInstances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotIssue {
    pub location: String,
    pub message: String,
}

impl SnapshotHeader {
    pub fn new(source: impl Into<String>, collected_at: impl Into<String>, accounts: Vec<String>) -> Self {
        SnapshotHeader {
            format: SNAPSHOT_FORMAT.to_string(),
            version: SNAPSHOT_FORMAT_VERSION,
            source: source.into(),
            collected_at: collected_at.into(),
            accounts,
            issues: Vec::new(),
        }
    }
}
