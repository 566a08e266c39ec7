//! The SQLite schema. Bump [`VERSION`] and add a step to [`migrate`] for every change.

pub const VERSION: i64 = 1;

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
