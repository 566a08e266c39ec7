//! Secure score over time. Each finished scan is a point; at that point every account counts with
//! its latest scores so far, so a scan of one account does not make the others vanish from the
//! overall score.

use crate::score::{secure_score, SecureScore};
use posture_rules::Control;
use posture_store::{ControlScoreRow, ScanRecord};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScorePoint {
    pub scan_id: i64,
    pub finished_at: Option<String>,
    pub source: String,
    pub status: String,
    /// The accounts the score combines at this point.
    pub accounts: Vec<String>,
    pub score: SecureScore,
}

/// One point per scan (oldest first); with `account`, only the scans that scored that account,
/// and its score alone.
pub fn score_history(
    scans: &[(ScanRecord, Vec<ControlScoreRow>)],
    controls: &[Control],
    account: Option<&str>,
) -> Vec<ScorePoint> {
    let mut latest: BTreeMap<&str, Vec<ControlScoreRow>> = BTreeMap::new();
    let mut points = Vec::new();
    for (scan, rows) in scans {
        let mut mine: BTreeMap<&str, Vec<ControlScoreRow>> = BTreeMap::new();
        for r in rows {
            mine.entry(r.account.as_str()).or_default().push(r.clone());
        }
        if let Some(a) = account {
            if !mine.contains_key(a) {
                continue;
            }
        }
        latest.extend(mine);
        let chosen: Vec<(&str, &Vec<ControlScoreRow>)> =
            latest.iter().filter(|(a, _)| account.is_none_or(|want| want == **a)).map(|(a, r)| (*a, r)).collect();
        let all: Vec<ControlScoreRow> = chosen.iter().flat_map(|(_, r)| r.iter().cloned()).collect();
        points.push(ScorePoint {
            scan_id: scan.id,
            finished_at: scan.finished_at.clone(),
            source: scan.source.clone(),
            status: scan.status.clone(),
            accounts: chosen.iter().map(|(a, _)| a.to_string()).collect(),
            score: secure_score(&all, controls),
        });
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(id: i64) -> ScanRecord {
        ScanRecord {
            id,
            source: "test".into(),
            inputs: vec![],
            started_at: String::new(),
            finished_at: Some(format!("2026-01-0{id}T00:00:00Z")),
            status: "complete".into(),
            resources: 0,
            evaluations: 0,
            issues: 0,
        }
    }

    fn row(account: &str, healthy: u64, unhealthy: u64) -> ControlScoreRow {
        ControlScoreRow { account: account.into(), control: "mfa".into(), max_points: 10.0, healthy, unhealthy, unknown: 0 }
    }

    #[test]
    fn each_point_combines_the_latest_score_of_every_account() {
        let controls = [Control { id: "mfa".into(), title: "MFA".into(), max_points: 10.0 }];
        let scans = vec![
            (scan(1), vec![row("A", 1, 1)]),   // A: 50%
            (scan(2), vec![row("B", 3, 0)]),   // A 1/2 and B 3/3: 4 of 5
            (scan(3), vec![row("A", 2, 0)]),   // A 2/2 and B 3/3: all healthy
        ];
        let overall = score_history(&scans, &controls, None);
        let pct: Vec<f64> = overall.iter().map(|p| p.score.percentage).collect();
        assert_eq!(pct, vec![50.0, 80.0, 100.0]);
        assert_eq!(overall[1].accounts, vec!["A", "B"]);
        let a = score_history(&scans, &controls, Some("A"));
        let a: Vec<(i64, f64)> = a.iter().map(|p| (p.scan_id, p.score.percentage)).collect();
        assert_eq!(a, vec![(1, 50.0), (3, 100.0)], "only the scans that scored A");
        assert!(score_history(&scans, &controls, Some("C")).is_empty());
    }
}
