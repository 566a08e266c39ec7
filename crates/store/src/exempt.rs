//! Exemptions: storing them, and deciding which findings they cover on a given day.
//!
//! A finding's stored status is set to `exempt` when a scan commits and when exemptions change;
//! queries judge it again on their own day, so an expired exemption stops applying by itself.

use crate::{Exemption, ExemptionScope, ExemptHit, NewExemption, Result};
use posture_model::ResultState;
use rusqlite::{params, Connection};

/// SQL for the id of the first exemption that covers finding `f` of resource `x` on the day bound
/// to `?{day}`, or NULL.
pub(crate) fn covering_exemption(day: usize) -> String {
    format!(
        "(SELECT e.id FROM exemptions e
          WHERE e.rule_id = f.rule_id AND (e.expires IS NULL OR e.expires > ?{day})
            AND CASE e.scope
                  WHEN 'account' THEN e.value = x.account
                  WHEN 'resource' THEN e.value = f.uid
                  WHEN 'tag' THEN EXISTS (SELECT 1 FROM json_each(x.tags) t WHERE t.key = e.tag_key AND t.value = e.value)
                  ELSE 0 END
          ORDER BY e.id LIMIT 1)"
    )
}

/// SQL for a finding's status on the day bound to `?{day}`: `open` and `exempt` are decided by
/// the exemptions in force that day.
pub(crate) fn effective_status(day: usize) -> String {
    format!(
        "CASE WHEN f.status IN ('open', 'exempt') THEN CASE WHEN {} IS NULL THEN 'open' ELSE 'exempt' END ELSE f.status END",
        covering_exemption(day)
    )
}

fn any_exemption(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM exemptions)", [], |r| r.get(0))?)
}

/// Marks the open findings of `scan_id` (every scan's, when `None`) that an exemption covers on
/// `day` as exempt, and returns them.
pub(crate) fn mark(conn: &Connection, scan_id: Option<i64>, day: &str) -> Result<Vec<ExemptHit>> {
    if !any_exemption(conn)? {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT rule_id, uid, state, res, rule FROM (
           SELECT f.rule_id, f.uid, f.state, f.res, f.rule, {} AS eid
           FROM findings f JOIN resources x ON x.id = f.res
           WHERE f.status = 'open' AND (?2 IS NULL OR f.last_scan = ?2))
         WHERE eid IS NOT NULL",
        covering_exemption(1)
    );
    let hits: Vec<(ExemptHit, i64, i64)> = conn
        .prepare(&sql)?
        .query_map(params![day, scan_id], |r| {
            let hit = ExemptHit {
                rule_id: r.get(0)?,
                uid: r.get(1)?,
                state: ResultState::parse(&r.get::<_, String>(2)?).unwrap_or(ResultState::Error),
            };
            Ok((hit, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut set = conn.prepare_cached("UPDATE finding_rows SET status = 'exempt' WHERE res = ?1 AND rule = ?2")?;
    for (_, res, rule) in &hits {
        set.execute(params![res, rule])?;
    }
    Ok(hits.into_iter().map(|(h, _, _)| h).collect())
}

/// Brings every stored `open`/`exempt` status in line with the exemptions in force on `day`.
pub(crate) fn refresh(conn: &Connection, day: &str) -> Result<()> {
    conn.execute("UPDATE finding_rows SET status = 'open' WHERE status = 'exempt'", [])?;
    mark(conn, None, day)?;
    Ok(())
}

pub(crate) fn add(conn: &Connection, e: &NewExemption, day: &str) -> Result<Exemption> {
    let (scope, key, value) = match &e.scope {
        ExemptionScope::Account { account } => ("account", None, account),
        ExemptionScope::Resource { uid } => ("resource", None, uid),
        ExemptionScope::Tag { key, value } => ("tag", Some(key), value),
    };
    conn.execute(
        "INSERT INTO exemptions (rule_id, scope, tag_key, value, reason, expires, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![e.rule_id, scope, key, value, e.reason, e.expires, e.created_at],
    )?;
    let id = conn.last_insert_rowid();
    refresh(conn, day)?;
    let added = list(conn, day)?.into_iter().find(|x| x.id == id);
    // We just inserted it inside this transaction.
    added.ok_or(crate::StoreError::Sql(rusqlite::Error::QueryReturnedNoRows))
}

pub(crate) fn remove(conn: &Connection, id: i64, day: &str) -> Result<bool> {
    let gone = conn.execute("DELETE FROM exemptions WHERE id = ?1", [id])? > 0;
    if gone {
        refresh(conn, day)?;
    }
    Ok(gone)
}

pub(crate) fn list(conn: &Connection, day: &str) -> Result<Vec<Exemption>> {
    let sql = format!(
        "SELECT e.id, e.rule_id, e.scope, e.tag_key, e.value, e.reason, e.expires, e.created_at,
                (e.expires IS NULL OR e.expires > ?1),
                (SELECT COUNT(*) FROM findings f JOIN resources x ON x.id = f.res
                  WHERE f.rule_id = e.rule_id AND f.status IN ('open', 'exempt') AND {} = e.id)
         FROM exemptions e ORDER BY e.id",
        covering_exemption(1)
    );
    let rows = conn
        .prepare(&sql)?
        .query_map([day], |r| {
            let scope: String = r.get(2)?;
            let value: String = r.get(4)?;
            let scope = match scope.as_str() {
                "account" => ExemptionScope::Account { account: value },
                "resource" => ExemptionScope::Resource { uid: value },
                _ => ExemptionScope::Tag { key: r.get::<_, Option<String>>(3)?.unwrap_or_default(), value },
            };
            Ok(Exemption {
                id: r.get(0)?,
                rule_id: r.get(1)?,
                scope,
                reason: r.get(5)?,
                expires: r.get(6)?,
                created_at: r.get(7)?,
                active: r.get(8)?,
                findings: r.get::<_, i64>(9)? as u64,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
