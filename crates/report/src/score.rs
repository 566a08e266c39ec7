//! The secure score (DESIGN §4), Defender's classic formula: for control c,
//! `current = max × healthy / (healthy + unhealthy)`; overall `Σ current / Σ max`.
//! Unknown resources are reported and never counted as healthy; a control with no assessed
//! resource does not enter the maximum.

use posture_rules::Control;
use posture_store::ControlScoreRow;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ControlScore {
    pub control: String,
    pub title: String,
    pub max_points: f64,
    pub current_points: f64,
    pub potential_increase: f64,
    pub healthy: u64,
    pub unhealthy: u64,
    pub unknown: u64,
    /// False when no resource was assessed (none at all, or only unknown results).
    pub scored: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SecureScore {
    pub percentage: f64,
    pub current_points: f64,
    pub max_points: f64,
    pub controls: Vec<ControlScore>,
}

/// Sums `rows` over accounts (a resource lives in one account) and applies the formula.
pub fn secure_score(rows: &[ControlScoreRow], controls: &[Control]) -> SecureScore {
    let mut sums: BTreeMap<&str, [u64; 3]> = BTreeMap::new();
    for r in rows {
        let s = sums.entry(r.control.as_str()).or_default();
        s[0] += r.healthy;
        s[1] += r.unhealthy;
        s[2] += r.unknown;
    }
    let mut out: Vec<ControlScore> = sums
        .into_iter()
        .map(|(id, [healthy, unhealthy, unknown])| {
            let (title, max) = controls
                .iter()
                .find(|c| c.id == id)
                .map_or((id.to_string(), 0.0), |c| (c.title.clone(), c.max_points));
            let assessed = healthy + unhealthy;
            let ratio = if assessed == 0 { 0.0 } else { healthy as f64 / assessed as f64 };
            ControlScore {
                control: id.to_string(),
                title,
                max_points: max,
                current_points: round2(max * ratio),
                potential_increase: if assessed == 0 { 0.0 } else { round2(max * (1.0 - ratio)) },
                healthy,
                unhealthy,
                unknown,
                scored: assessed > 0,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.potential_increase
            .total_cmp(&a.potential_increase)
            .then(b.max_points.total_cmp(&a.max_points))
            .then(a.control.cmp(&b.control))
    });
    let max: f64 = out.iter().filter(|c| c.scored).map(|c| c.max_points).sum();
    let current: f64 = out.iter().filter(|c| c.scored).map(|c| c.current_points).sum();
    SecureScore {
        percentage: if max > 0.0 { round2(100.0 * current / max) } else { 0.0 },
        current_points: round2(current),
        max_points: round2(max),
        controls: out,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(id: &str, max: f64) -> Control {
        Control { id: id.into(), title: id.to_uppercase(), max_points: max }
    }

    fn row(account: &str, control: &str, h: u64, u: u64, k: u64) -> ControlScoreRow {
        ControlScoreRow { account: account.into(), control: control.into(), max_points: 0.0, healthy: h, unhealthy: u, unknown: k }
    }

    #[test]
    fn follows_the_classic_formula_across_accounts() {
        let controls = [control("mfa", 10.0), control("ports", 8.0), control("best", 0.0), control("enc", 4.0)];
        let rows = [
            row("a", "mfa", 3, 1, 0),
            row("b", "mfa", 0, 1, 2),
            row("a", "ports", 4, 0, 0),
            row("a", "best", 1, 1, 0),
            row("a", "enc", 0, 0, 5),
        ];
        let s = secure_score(&rows, &controls);
        let mfa = s.controls.iter().find(|c| c.control == "mfa").unwrap();
        // 3 healthy of 5 assessed; the 2 unknown resources are shown but not counted.
        assert_eq!((mfa.current_points, mfa.potential_increase, mfa.unknown), (6.0, 4.0, 2));
        let enc = s.controls.iter().find(|c| c.control == "enc").unwrap();
        assert!(!enc.scored, "only unknown results: not scored, and not healthy");
        assert_eq!(s.max_points, 18.0);
        assert_eq!(s.current_points, 14.0);
        assert_eq!(s.percentage, 77.78);
        assert_eq!(s.controls[0].control, "mfa", "largest potential increase first");
    }

    #[test]
    fn empty_estate_scores_zero_of_zero() {
        let s = secure_score(&[], &[control("mfa", 10.0)]);
        assert_eq!((s.percentage, s.max_points), (0.0, 0.0));
    }
}
