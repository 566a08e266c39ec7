//! The SQLite schema. Bump [`VERSION`] and add a step to [`STEPS`] for every change; a database
//! of any older version upgrades in place, one step at a time, in one transaction.

pub const VERSION: i64 = 4;

/// `STEPS[i]` takes a database from version `i` to version `i + 1`.
pub const STEPS: [&str; VERSION as usize] = [V1, V2, V3, V4];

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

/// Integer keys for the hot write path. Findings were keyed by (rule id, uid) text, so every scan
/// inserted millions of rows at random places in three text B-trees; now a finding row is keyed by
/// (resource id, rule number), which a scan writes in input order, and the `findings` view keeps the
/// old columns for every query. Rows are only written through `finding_rows`.
pub const V3: &str = r#"
CREATE TABLE rules_v3 (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    severity TEXT NOT NULL,
    control TEXT NOT NULL,
    remediation TEXT NOT NULL
);
INSERT INTO rules_v3 (id, title, severity, control, remediation)
    SELECT id, title, severity, control, remediation FROM rules ORDER BY id;
INSERT OR IGNORE INTO rules_v3 (id, title, severity, control, remediation)
    SELECT DISTINCT rule_id, rule_id, 'informational', '', '' FROM findings;
DROP TABLE rules;
ALTER TABLE rules_v3 RENAME TO rules;

CREATE TABLE resources_v3 (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
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
INSERT INTO resources_v3 (uid, kind, provider, account, region, name, tags, attrs, relations, origin,
                          first_seen, last_seen, last_scan, removed_at)
    SELECT uid, kind, provider, account, region, name, tags, attrs, relations, origin,
           first_seen, last_seen, last_scan, removed_at FROM resources ORDER BY rowid;
DROP TABLE resources;
ALTER TABLE resources_v3 RENAME TO resources;
CREATE INDEX resources_kind ON resources(kind);
CREATE INDEX resources_account ON resources(account, last_scan);
CREATE INDEX resources_last_scan ON resources(last_scan);

CREATE TABLE finding_rows (
    res INTEGER NOT NULL,
    rule INTEGER NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT,
    last_scan INTEGER NOT NULL,
    PRIMARY KEY (res, rule)
) WITHOUT ROWID;
INSERT INTO finding_rows (res, rule, state, status, evidence, first_seen, last_seen, resolved_at, resolution, last_scan)
    SELECT x.id, r.num, f.state, f.status, f.evidence, f.first_seen, f.last_seen, f.resolved_at, f.resolution, f.last_scan
    FROM findings f JOIN resources x ON x.uid = f.uid JOIN rules r ON r.id = f.rule_id;
DROP TABLE findings;
CREATE INDEX finding_rows_status ON finding_rows(status, last_scan);
CREATE INDEX finding_rows_rule ON finding_rows(rule);
CREATE VIEW findings AS
    SELECT r.id AS rule_id, x.uid AS uid, f.state, f.status, f.evidence, f.first_seen, f.last_seen,
           f.resolved_at, f.resolution, f.last_scan, f.res, f.rule
    FROM finding_rows f JOIN resources x ON x.id = f.res JOIN rules r ON r.num = f.rule;
"#;

/// Code to cloud: where infrastructure code defines a deployed resource. `key` is a runtime uid
/// (from a Terraform state file) or `yor_trace:<value>` (matched against a resource's `yor_trace`
/// tag); `account` is the IaC repository (`iac:<root>`) whose scan recorded it.
pub const V4: &str = r#"
CREATE TABLE iac_links (
    key TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    iac_uid TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    address TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX iac_links_account ON iac_links(account);
"#;
