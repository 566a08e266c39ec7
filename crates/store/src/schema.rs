//! The SQLite schema. Bump [`VERSION`] and add a step to [`STEPS`] for every change; a database
//! of any older version upgrades in place, one step at a time, in one transaction.

pub const VERSION: i64 = 2;

/// `STEPS[i]` takes a database from version `i` to version `i + 1`.
pub const STEPS: [&str; VERSION as usize] = [V1, V2];

pub const V1: &str = r#"
CREATE TABLE scans (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    inputs TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    pid INTEGER,
    resources INTEGER NOT NULL DEFAULT 0,
    evaluations INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE scan_issues (
    scan_id INTEGER NOT NULL REFERENCES scans(id),
    location TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX scan_issues_scan ON scan_issues(scan_id);
CREATE TABLE scan_accounts (
    scan_id INTEGER NOT NULL REFERENCES scans(id),
    account TEXT NOT NULL,
    PRIMARY KEY (scan_id, account)
) WITHOUT ROWID;
CREATE TABLE resources (
    uid TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT,
    name TEXT NOT NULL,
    tags TEXT NOT NULL,
    attrs TEXT NOT NULL,
    relations TEXT NOT NULL,
    origin TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_scan INTEGER NOT NULL,
    removed_at TEXT
);
CREATE INDEX resources_kind ON resources(kind);
CREATE INDEX resources_account ON resources(account, last_scan);
CREATE TABLE rules (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    severity TEXT NOT NULL,
    control TEXT NOT NULL,
    remediation TEXT NOT NULL
);
CREATE TABLE findings (
    rule_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT,
    last_scan INTEGER NOT NULL,
    PRIMARY KEY (rule_id, uid)
) WITHOUT ROWID;
CREATE INDEX findings_status ON findings(status, last_scan);
CREATE INDEX findings_uid ON findings(uid);
CREATE TABLE rule_stats (
    scan_id INTEGER NOT NULL REFERENCES scans(id),
    rule_id TEXT NOT NULL,
    pass INTEGER NOT NULL, fail INTEGER NOT NULL, unknown INTEGER NOT NULL,
    error INTEGER NOT NULL, not_applicable INTEGER NOT NULL,
    PRIMARY KEY (scan_id, rule_id)
) WITHOUT ROWID;
CREATE TABLE control_scores (
    scan_id INTEGER NOT NULL REFERENCES scans(id),
    account TEXT NOT NULL,
    control TEXT NOT NULL,
    max_points REAL NOT NULL,
    healthy INTEGER NOT NULL, unhealthy INTEGER NOT NULL, unknown INTEGER NOT NULL,
    PRIMARY KEY (scan_id, account, control)
) WITHOUT ROWID;
"#;

/// Exemptions (DESIGN §4): a rule muted for an account, a resource or a tag, with a reason and an
/// optional expiry date (`YYYY-MM-DD`, UTC: the first day it no longer applies). A finding they
/// cover has status `exempt`.
pub const V2: &str = r#"
CREATE TABLE exemptions (
    id INTEGER PRIMARY KEY,
    rule_id TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'resource', 'tag')),
    tag_key TEXT,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    expires TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX exemptions_rule ON exemptions(rule_id);
"#;
