use crate::schema::{STEPS, VERSION};
use crate::*;
use posture_model::{ResultState, Severity};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::path::Path;

/// The embedded default store: one SQLite file in WAL mode.
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: shown.clone(),
                source,
            })?;
        }
        let open_err = |source| StoreError::Open {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(open_err)?;
        conn.pragma_update(None, "cache_size", -262144).map_err(open_err)?;
        let mut store = SqliteStore { conn };
        store.migrate(&shown)?;
        store.mark_interrupted()?;
        Ok(store)
    }

    fn migrate(&mut self, path: &str) -> Result<()> {
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > VERSION {
            return Err(StoreError::TooNew {
                path: path.to_string(),
                found: version,
                known: VERSION,
            });
        }
        if version < VERSION {
            let tx = self.conn.transaction()?;
            for step in &STEPS[version.max(0) as usize..] {
                tx.execute_batch(step)?;
            }
            tx.pragma_update(None, "user_version", VERSION)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// A scan left `running` by a process that no longer exists was killed or crashed.
    fn mark_interrupted(&mut self) -> Result<()> {
        let running: Vec<(i64, Option<i64>)> = self
            .conn
            .prepare("SELECT id, pid FROM scans WHERE status = 'running'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, pid) in running {
            if pid.is_some_and(process_alive) {
                continue;
            }
            self.conn.execute(
                "UPDATE scans SET status = 'interrupted', finished_at = ?2 WHERE id = ?1",
                params![id, now_rfc3339()],
            )?;
        }
        Ok(())
    }
}

fn process_alive(pid: i64) -> bool {
    if pid == i64::from(std::process::id()) {
        return true;
    }
    let proc = Path::new("/proc");
    // Where /proc is missing we cannot tell: leave the scan as running.
    !proc.exists() || proc.join(pid.to_string()).exists()
}

struct SqliteSink<'c> {
    tx: Transaction<'c>,
    scan_id: i64,
    now: String,
    /// Rule id → its number in `rules`.
    rule_nums: std::collections::HashMap<String, i64>,
    /// Resource uid → id for the last batch of resources, whose results come right after them.
    batch_ids: std::collections::HashMap<String, i64>,
}

impl Store for SqliteStore {
    fn begin_scan(&mut self, meta: &ScanMeta) -> Result<Box<dyn ScanSink + '_>> {
        self.conn.execute(
            "INSERT INTO scans (source, inputs, started_at, status, pid) VALUES (?1, ?2, ?3, 'running', ?4)",
            params![meta.source, serde_json::to_string(&meta.inputs)?, meta.started_at, std::process::id()],
        )?;
        let scan_id = self.conn.last_insert_rowid();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS current_rules (num INTEGER PRIMARY KEY); DELETE FROM temp.current_rules;",
        )?;
        Ok(Box::new(SqliteSink {
            tx,
            scan_id,
            now: meta.started_at.clone(),
            rule_nums: Default::default(),
            batch_ids: Default::default(),
        }))
    }

    fn scans(&self, limit: usize) -> Result<Vec<ScanRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.source, s.inputs, s.started_at, s.finished_at, s.status, s.resources, s.evaluations,
                    (SELECT COUNT(*) FROM scan_issues i WHERE i.scan_id = s.id)
             FROM scans s ORDER BY s.id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], scan_record)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn scan_issues(&self, scan_id: i64) -> Result<Vec<ScanIssue>> {
        let mut stmt = self
            .conn
            .prepare("SELECT location, message FROM scan_issues WHERE scan_id = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([scan_id], |r| {
            Ok(ScanIssue {
                location: r.get(0)?,
                message: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn findings(&self, f: &FindingFilter) -> Result<Vec<FindingRow>> {
        // ?1 is the day exemptions are judged on: `open` and `exempt` are decided at query time.
        let mut sql = format!(
            "SELECT f.rule_id, COALESCE(r.title, f.rule_id), COALESCE(r.severity, 'informational'), f.state, {},
                    f.uid, COALESCE(x.kind, ''), COALESCE(x.account, ''), x.region, COALESCE(x.name, ''), f.evidence,
                    f.first_seen, f.last_seen, f.resolved_at, f.resolution, COALESCE(r.remediation, ''),
                    CASE WHEN f.status IN ('open', 'exempt') THEN {} END, {SOURCE}
             FROM findings f LEFT JOIN rules r ON r.id = f.rule_id LEFT JOIN resources x ON x.id = f.res
             WHERE 1 = 1",
            exempt::effective_status(1),
            exempt::covering_exemption(1),
        );
        let mut args: Vec<String> = vec![f.as_of.clone().unwrap_or_else(today_utc)];
        match f.status.as_deref().unwrap_or("open") {
            "all" => {}
            s => {
                args.push(s.to_string());
                sql.push_str(&format!(" AND {} = ?{}", exempt::effective_status(1), args.len()));
            }
        }
        if let Some(min) = f.min_severity {
            let ok: Vec<String> = Severity::ALL.iter().filter(|s| **s >= min).map(|s| format!("'{s}'")).collect();
            sql.push_str(&format!(" AND r.severity IN ({})", ok.join(",")));
        }
        if !f.states.is_empty() {
            let ok: Vec<String> = f.states.iter().map(|s| format!("'{s}'")).collect();
            sql.push_str(&format!(" AND f.state IN ({})", ok.join(",")));
        }
        push_equal(&mut sql, &mut args, &[("x.kind", &f.kind), ("x.account", &f.account)]);
        if let Some(rule) = &f.rule {
            args.push(rule.clone());
            sql.push_str(&format!(" AND f.rule_id = ?{} COLLATE NOCASE", args.len()));
        }
        if let Some(path) = &f.path {
            args.push(path.trim_start_matches("./").to_string());
            sql.push_str(&format!(" AND substr({SOURCE}, 1, length(?{n})) = ?{n}", n = args.len()));
        }
        sql.push_str(
            " ORDER BY CASE f.state WHEN 'fail' THEN 0 WHEN 'error' THEN 1 ELSE 2 END,
               CASE r.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,
               f.rule_id, f.uid",
        );
        if let Some(limit) = f.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), finding_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn inventory(&self, f: &InventoryFilter) -> Result<Vec<InventoryRow>> {
        let mut sql = format!(
            "SELECT x.uid, x.kind, x.provider, x.account, x.region, x.name,
                    (SELECT COUNT(*) FROM findings f WHERE {}),
                    x.first_seen, x.last_seen
             FROM resources x WHERE x.removed_at IS NULL",
            open_failure(1)
        );
        let mut args: Vec<String> = vec![today_utc()];
        push_equal(&mut sql, &mut args, &[("x.kind", &f.kind), ("x.provider", &f.provider), ("x.account", &f.account)]);
        sql.push_str(" ORDER BY x.provider, x.kind, x.account, x.name");
        if let Some(limit) = f.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok(InventoryRow {
                uid: r.get(0)?,
                kind: r.get(1)?,
                provider: r.get(2)?,
                account: r.get(3)?,
                region: r.get(4)?,
                name: r.get(5)?,
                open_findings: r.get::<_, i64>(6)? as u64,
                first_seen: r.get(7)?,
                last_seen: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn inventory_summary(&self) -> Result<Vec<KindCount>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT x.provider, x.kind, COUNT(*), SUM(EXISTS (SELECT 1 FROM findings f WHERE {}))
             FROM resources x WHERE x.removed_at IS NULL GROUP BY x.provider, x.kind ORDER BY x.provider, x.kind",
            open_failure(1)
        ))?;
        let rows = stmt.query_map([today_utc()], |r| {
            Ok(KindCount {
                provider: r.get(0)?,
                kind: r.get(1)?,
                resources: r.get::<_, i64>(2)? as u64,
                with_findings: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn current_scores(&self) -> Result<Vec<ControlScoreRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.account, c.control, c.max_points, c.healthy, c.unhealthy, c.unknown
             FROM control_scores c
             JOIN (SELECT cs.account, MAX(cs.scan_id) AS sid FROM control_scores cs JOIN scans s ON s.id = cs.scan_id
                   WHERE s.status IN ('complete', 'partial') GROUP BY cs.account) latest
               ON latest.account = c.account AND latest.sid = c.scan_id
             ORDER BY c.account, c.control",
        )?;
        let rows = stmt.query_map([], control_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn score_history(&self) -> Result<Vec<(ScanRecord, Vec<ControlScoreRow>)>> {
        let mut scans: Vec<ScanRecord> = self
            .scans(usize::MAX >> 1)?
            .into_iter()
            .filter(|s| s.status == "complete" || s.status == "partial")
            .collect();
        scans.reverse();
        let mut stmt = self.conn.prepare(
            "SELECT account, control, max_points, healthy, unhealthy, unknown
             FROM control_scores WHERE scan_id = ?1 ORDER BY account, control",
        )?;
        let mut out = Vec::new();
        for scan in scans {
            let rows = stmt.query_map([scan.id], control_row)?.collect::<rusqlite::Result<_>>()?;
            out.push((scan, rows));
        }
        Ok(out)
    }

    fn rule_infos(&self) -> Result<Vec<RuleInfo>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, title, severity, control, remediation FROM rules ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(RuleInfo {
                id: r.get(0)?,
                title: r.get(1)?,
                severity: parse_severity(r.get::<_, String>(2)?),
                control: r.get(3)?,
                remediation: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn resource(&self, uid: &str) -> Result<Option<posture_model::Resource>> {
        current::resource(&self.conn, uid, None)
    }

    fn for_each_current_resource(
        &self,
        account: Option<&str>,
        full: &[String],
        f: &mut dyn FnMut(CurrentResource),
    ) -> Result<()> {
        current::for_each(&self.conn, account, full, f)
    }

    fn current_results(&self, day: &str) -> Result<Vec<CurrentResult>> {
        current::results(&self.conn, day)
    }

    fn rules_run(&self) -> Result<Vec<(i64, String)>> {
        current::rules_run(&self.conn)
    }

    fn add_exemption(&mut self, e: &NewExemption, day: &str) -> Result<Exemption> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let added = exempt::add(&tx, e, day)?;
        tx.commit()?;
        Ok(added)
    }

    fn exemptions(&self, day: &str) -> Result<Vec<Exemption>> {
        exempt::list(&self.conn, day)
    }

    fn put_iac_links(&mut self, account: &str, links: &[IacLinkRow]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM iac_links WHERE account = ?1", [account])?;
        {
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO iac_links (key, account, iac_uid, file, line, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for l in links {
                put.execute(params![l.key, account, l.iac_uid, l.file, l.line, l.address])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn remove_exemption(&mut self, id: i64, day: &str) -> Result<bool> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let gone = exempt::remove(&tx, id, day)?;
        tx.commit()?;
        Ok(gone)
    }
}

/// SQL for `file:line` of the code defining finding `f`'s resource `x`: a state-file link to its
/// uid, a link through its `yor_trace` tag, or its own IaC origin.
const SOURCE: &str = "COALESCE(
    (SELECT l.file || ':' || l.line FROM iac_links l WHERE l.key = f.uid),
    (SELECT l.file || ':' || l.line FROM iac_links l WHERE l.key = 'yor_trace:' || json_extract(x.tags, '$.yor_trace')),
    CASE WHEN json_extract(x.origin, '$.type') = 'iac' THEN json_extract(x.origin, '$.file') || ':' || json_extract(x.origin, '$.line') END)";

/// SQL: finding `f` is a failure of resource `x` that no exemption covers on the day `?{day}`.
fn open_failure(day: usize) -> String {
    format!("f.res = x.id AND f.state = 'fail' AND f.status IN ('open', 'exempt') AND {} IS NULL", exempt::covering_exemption(day))
}

/// Adds `AND col = ?n` for every filter that is set, binding its value.
fn push_equal(sql: &mut String, args: &mut Vec<String>, filters: &[(&str, &Option<String>)]) {
    for (col, val) in filters {
        if let Some(v) = val {
            args.push(v.clone());
            sql.push_str(&format!(" AND {col} = ?{}", args.len()));
        }
    }
}

/// The UTC day of an RFC 3339 time.
fn day_of(rfc3339: &str) -> String {
    rfc3339.chars().take(10).collect()
}

fn parse_severity(s: String) -> Severity {
    s.parse().unwrap_or(Severity::Informational)
}

fn scan_record(r: &rusqlite::Row) -> rusqlite::Result<ScanRecord> {
    let inputs: String = r.get(2)?;
    Ok(ScanRecord {
        id: r.get(0)?,
        source: r.get(1)?,
        inputs: serde_json::from_str(&inputs).unwrap_or_default(),
        started_at: r.get(3)?,
        finished_at: r.get(4)?,
        status: r.get(5)?,
        resources: r.get(6)?,
        evaluations: r.get(7)?,
        issues: r.get(8)?,
    })
}

fn control_row(r: &rusqlite::Row) -> rusqlite::Result<ControlScoreRow> {
    Ok(ControlScoreRow {
        account: r.get(0)?,
        control: r.get(1)?,
        max_points: r.get(2)?,
        healthy: r.get::<_, i64>(3)? as u64,
        unhealthy: r.get::<_, i64>(4)? as u64,
        unknown: r.get::<_, i64>(5)? as u64,
    })
}

fn finding_row(r: &rusqlite::Row) -> rusqlite::Result<FindingRow> {
    let evidence: Option<String> = r.get(10)?;
    Ok(FindingRow {
        rule_id: r.get(0)?,
        title: r.get(1)?,
        severity: parse_severity(r.get(2)?),
        state: ResultState::parse(&r.get::<_, String>(3)?).unwrap_or(ResultState::Error),
        status: r.get(4)?,
        uid: r.get(5)?,
        kind: r.get(6)?,
        account: r.get(7)?,
        region: r.get(8)?,
        name: r.get(9)?,
        evidence: evidence.and_then(|e| serde_json::from_str(&e).ok()),
        first_seen: r.get(11)?,
        last_seen: r.get(12)?,
        resolved_at: r.get(13)?,
        resolution: r.get(14)?,
        remediation: r.get(15)?,
        exemption: r.get(16)?,
        source: r.get(17)?,
    })
}

impl ScanSink for SqliteSink<'_> {
    fn scan_id(&self) -> i64 {
        self.scan_id
    }

    fn put_rules(&mut self, rules: &[RuleInfo]) -> Result<()> {
        let mut upsert = self.tx.prepare_cached(
            "INSERT INTO rules (id, title, severity, control, remediation) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
               control = excluded.control, remediation = excluded.remediation
             RETURNING num",
        )?;
        let mut current = self.tx.prepare_cached("INSERT OR IGNORE INTO temp.current_rules (num) VALUES (?1)")?;
        for r in rules {
            let num: i64 =
                upsert.query_row(params![r.id, r.title, r.severity.as_str(), r.control, r.remediation], |row| row.get(0))?;
            current.execute([num])?;
            self.rule_nums.insert(r.id.clone(), num);
        }
        Ok(())
    }

    // A lookup, then an update or an insert: an upsert with `RETURNING` makes SQLite keep a statement
    // journal for every row, which cost a quarter of the writer thread on large scans.
    fn put_resources(&mut self, resources: &[ResourceRow]) -> Result<()> {
        let mut find = self.tx.prepare_cached("SELECT id FROM resources WHERE uid = ?1")?;
        let mut update = self.tx.prepare_cached(
            "UPDATE resources SET kind = ?2, provider = ?3, account = ?4, region = ?5, name = ?6, tags = ?7,
               attrs = ?8, relations = ?9, origin = ?10, last_seen = ?11, last_scan = ?12, removed_at = NULL
             WHERE id = ?1",
        )?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO resources (uid, kind, provider, account, region, name, tags, attrs, relations, origin,
                                    first_seen, last_seen, last_scan, removed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, NULL)",
        )?;
        self.batch_ids.clear();
        for r in resources {
            let known: Option<i64> = find.query_row([&r.uid], |row| row.get(0)).optional()?;
            let id = match known {
                Some(id) => {
                    update.execute(params![
                        id, r.kind, r.provider, r.account, r.region, r.name, r.tags, r.attrs, r.relations, r.origin,
                        self.now, self.scan_id
                    ])?;
                    id
                }
                None => {
                    insert.execute(params![
                        r.uid, r.kind, r.provider, r.account, r.region, r.name, r.tags, r.attrs, r.relations,
                        r.origin, self.now, self.scan_id
                    ])?;
                    self.tx.last_insert_rowid()
                }
            };
            self.batch_ids.insert(r.uid.clone(), id);
        }
        Ok(())
    }

    fn put_results(&mut self, results: &[ResultRow]) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO finding_rows (res, rule, state, status, evidence, first_seen, last_seen, last_scan)
             VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?5, ?6)
             ON CONFLICT(res, rule) DO UPDATE SET state = excluded.state, status = 'open',
               evidence = excluded.evidence, last_seen = excluded.last_seen, last_scan = excluded.last_scan,
               resolved_at = NULL, resolution = NULL",
        )?;
        let mut lookup = self.tx.prepare_cached("SELECT id FROM resources WHERE uid = ?1")?;
        for r in results {
            let rule = *self.rule_nums.get(&r.rule_id).ok_or_else(|| StoreError::UnknownRule(r.rule_id.clone()))?;
            let res = match self.batch_ids.get(&r.uid) {
                Some(id) => *id,
                // Results of relation rules come after the batch their resource was stored in.
                None => lookup
                    .query_row([&r.uid], |row| row.get(0))
                    .optional()?
                    .ok_or_else(|| StoreError::UnknownResource(r.uid.clone()))?,
            };
            stmt.execute(params![res, rule, r.state.as_str(), r.evidence, self.now, self.scan_id])?;
        }
        Ok(())
    }

    fn put_issue(&mut self, issue: &ScanIssue) -> Result<()> {
        self.tx.execute(
            "INSERT INTO scan_issues (scan_id, location, message) VALUES (?1, ?2, ?3)",
            params![self.scan_id, issue.location, issue.message],
        )?;
        Ok(())
    }

    fn mark_exempt(&mut self) -> Result<Vec<ExemptHit>> {
        exempt::mark(&self.tx, Some(self.scan_id), &day_of(&self.now))
    }

    fn resource(&self, uid: &str) -> Result<Option<posture_model::Resource>> {
        current::resource(&self.tx, uid, Some(self.scan_id))
    }

    fn commit(self: Box<Self>, summary: &ScanSummary) -> Result<()> {
        let SqliteSink { tx, scan_id, now, .. } = *self;
        // Seen this scan, evaluated by a rule that ran, and not failing any more.
        tx.execute(
            "UPDATE finding_rows SET status = 'resolved', resolved_at = ?2, resolution = 'passed'
             WHERE status IN ('open', 'exempt') AND last_scan <> ?1
               AND rule IN (SELECT num FROM temp.current_rules)
               AND res IN (SELECT id FROM resources WHERE last_scan = ?1)",
            params![scan_id, now],
        )?;
        let mut acct = tx.prepare_cached("INSERT OR IGNORE INTO scan_accounts (scan_id, account) VALUES (?1, ?2)")?;
        for a in &summary.covered_accounts {
            acct.execute(params![scan_id, a])?;
        }
        drop(acct);
        if summary.complete {
            resolve_removed(&tx, scan_id, &now)?;
        }
        store_stats(&tx, scan_id, summary)?;
        let status = if summary.complete { "complete" } else { "partial" };
        tx.execute(
            "UPDATE scans SET status = ?2, finished_at = ?3, resources = ?4, evaluations = ?5 WHERE id = ?1",
            params![scan_id, status, now_rfc3339(), summary.resources as i64, summary.evaluations as i64],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Resources of fully covered accounts that this scan did not see are gone; so are their findings.
fn resolve_removed(tx: &Transaction, scan_id: i64, now: &str) -> Result<()> {
    tx.execute(
        "UPDATE resources SET removed_at = ?2
         WHERE removed_at IS NULL AND last_scan <> ?1
           AND account IN (SELECT account FROM scan_accounts WHERE scan_id = ?1)",
        params![scan_id, now],
    )?;
    tx.execute(
        "UPDATE finding_rows SET status = 'resolved', resolved_at = ?2, resolution = 'resource_removed'
         WHERE status IN ('open', 'exempt') AND res IN (SELECT id FROM resources WHERE removed_at = ?2 AND last_scan <> ?1)",
        params![scan_id, now],
    )?;
    Ok(())
}

fn store_stats(tx: &Transaction, scan_id: i64, summary: &ScanSummary) -> Result<()> {
    let mut stats = tx.prepare_cached(
        "INSERT INTO rule_stats (scan_id, rule_id, pass, fail, unknown, error, not_applicable)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for s in &summary.rule_stats {
        stats.execute(params![
            scan_id, s.rule_id, s.pass as i64, s.fail as i64, s.unknown as i64, s.error as i64,
            s.not_applicable as i64
        ])?;
    }
    let mut scores = tx.prepare_cached(
        "INSERT INTO control_scores (scan_id, account, control, max_points, healthy, unhealthy, unknown)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &summary.scores {
        scores.execute(params![
            scan_id, c.account, c.control, c.max_points, c.healthy as i64, c.unhealthy as i64, c.unknown as i64
        ])?;
    }
    Ok(())
}

impl SqliteStore {
    /// The id of the newest scan, whatever its status.
    pub fn latest_scan_id(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT MAX(id) FROM scans", [], |r| r.get(0))
            .optional()?
            .flatten())
    }
}
