//! The current state of the estate, resource by resource: what compliance reports are built from.
//!
//! Every resource of the inventory counts as its latest scan saw it: the non-passing results of
//! that scan are findings; a rule that ran in that scan, applies to the resource and left no
//! finding passed.

use crate::exempt::covering_exemption;
use crate::{CurrentResource, CurrentResult, ResourceRow, Result};
use posture_model::{Resource, ResultState};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

const RESOURCE_COLUMNS: &str = "x.uid, x.kind, x.provider, x.account, x.region, x.name, x.tags, x.attrs, x.relations, x.origin";

fn resource_row(r: &rusqlite::Row) -> rusqlite::Result<ResourceRow> {
    Ok(ResourceRow {
        uid: r.get(0)?,
        kind: r.get(1)?,
        provider: r.get(2)?,
        account: r.get(3)?,
        region: r.get(4)?,
        name: r.get(5)?,
        tags: r.get(6)?,
        attrs: r.get(7)?,
        relations: r.get(8)?,
        origin: r.get(9)?,
    })
}

/// One stored resource; with `scan`, only if that scan saw it.
pub(crate) fn resource(conn: &Connection, uid: &str, scan: Option<i64>) -> Result<Option<Resource>> {
    let sql = format!("SELECT {RESOURCE_COLUMNS} FROM resources x WHERE x.uid = ?1 AND (?2 IS NULL OR x.last_scan = ?2)");
    let row = conn.query_row(&sql, params![uid, scan], resource_row).optional()?;
    Ok(row.map(|r| r.to_resource()).transpose()?)
}

/// Calls `f` with every resource of the current inventory (of `account`, if given). Attributes,
/// tags and relations are read only for the `full` kinds; others get empty ones.
pub(crate) fn for_each(
    conn: &Connection,
    account: Option<&str>,
    full: &[String],
    f: &mut dyn FnMut(CurrentResource),
) -> Result<()> {
    let marks: Vec<String> = (0..full.len()).map(|i| format!("?{}", i + 2)).collect();
    let full_kinds = if marks.is_empty() { "0".to_string() } else { format!("x.kind IN ({})", marks.join(",")) };
    let sql = format!(
        "SELECT x.uid, x.kind, x.provider, x.account, x.region, x.name,
                CASE WHEN {full_kinds} THEN x.tags ELSE '{{}}' END,
                CASE WHEN {full_kinds} THEN x.attrs ELSE '{{}}' END,
                CASE WHEN {full_kinds} THEN x.relations ELSE '[]' END,
                NULL, x.last_scan
         FROM resources x WHERE x.removed_at IS NULL AND (?1 IS NULL OR x.account = ?1)
         ORDER BY x.uid"
    );
    let mut args: Vec<Option<&str>> = vec![account];
    args.extend(full.iter().map(|k| Some(k.as_str())));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        f(CurrentResource { row: resource_row(r)?, last_scan: r.get(10)? });
    }
    Ok(())
}

/// The non-passing results of every current resource's latest scan, with whether an exemption
/// covers them on `day`.
pub(crate) fn results(conn: &Connection, day: &str) -> Result<Vec<CurrentResult>> {
    let sql = format!(
        "SELECT f.rule_id, f.uid, f.state, {} IS NOT NULL, f.evidence
         FROM findings f JOIN resources x ON x.id = f.res
         WHERE x.removed_at IS NULL AND f.last_scan = x.last_scan AND f.status IN ('open', 'exempt')",
        covering_exemption(1)
    );
    let rows = conn
        .prepare(&sql)?
        .query_map([day], |r| {
            Ok(CurrentResult {
                rule_id: r.get(0)?,
                uid: r.get(1)?,
                state: ResultState::parse(&r.get::<_, String>(2)?).unwrap_or(ResultState::Error),
                exempt: r.get(3)?,
                evidence: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// (scan, rule) for every rule that ran in a scan that is some current resource's latest.
pub(crate) fn rules_run(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let rows = conn
        .prepare(
            "SELECT s.scan_id, s.rule_id FROM rule_stats s
             WHERE s.scan_id IN (SELECT DISTINCT last_scan FROM resources WHERE removed_at IS NULL)",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
