//! Exemptions at commit time. The store marks the results an exemption covers as `exempt`; here
//! they leave the scan's counts (so `--fail-on` ignores them) and the secure score: each affected
//! resource's controls are evaluated again from what the scan stored, without the exempt rules.
//! Nothing of this runs per resource while the scan streams.

use crate::evaluate::{ControlState, Evaluator, ScopeCounts, WithScopes};
use crate::pipeline::ScanReport;
use posture_model::ResultState;
use posture_rules::related_context;
use posture_store::{ControlScoreRow, ExemptHit, ScanSink, ScanSummary, StoreError};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub(crate) fn apply(
    sink: &mut dyn ScanSink,
    ev: &Evaluator,
    scopes: &ScopeCounts,
    summary: &mut ScanSummary,
    report: &mut ScanReport,
) -> Result<(), StoreError> {
    let hits = sink.mark_exempt()?;
    if hits.is_empty() {
        return Ok(());
    }
    let index: HashMap<&str, usize> = ev.rules.rules.iter().enumerate().map(|(i, r)| (r.meta.id.as_str(), i)).collect();
    uncount(&hits, ev, &index, report);
    let mut by_uid: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for h in &hits {
        if let Some(&i) = index.get(h.rule_id.as_str()) {
            by_uid.entry(h.uid.as_str()).or_default().insert(i);
        }
    }
    for (uid, exempt) in by_uid {
        let Some(resource) = sink.resource(uid)? else { continue };
        let rules: Vec<usize> = ev.rules.for_kind(&resource.kind).to_vec();
        let controls: BTreeSet<u16> = exempt.iter().map(|&i| ev.control(i)).collect();
        let uses = rules.iter().flat_map(|&i| {
            let r = &ev.rules.rules[i];
            r.check.related.iter().chain(r.applies_if.iter().flat_map(|a| a.related.iter()))
        });
        let context = related_context(&resource, uses, |t| sink.resource(t))?;
        let context = WithScopes { inner: &context, scopes };
        for c in controls {
            let (mut before, mut after) = (None, None);
            for &i in rules.iter().filter(|&&i| ev.control(i) == c) {
                let state = ev.rules.rules[i].evaluate_applicable_at(&resource, &context, ev.now).state;
                let Some(cs) = ControlState::from_result(state) else { continue };
                before = before.max(Some(cs));
                if !exempt.contains(&i) {
                    after = after.max(Some(cs));
                }
            }
            let control = &ev.rules.controls[c as usize].id;
            move_resource(&mut summary.scores, &resource.account, control, before, after);
        }
    }
    Ok(())
}

/// Takes exempt results out of the pass/fail/unknown/error counts and counts them as exempt.
fn uncount(hits: &[ExemptHit], ev: &Evaluator, index: &HashMap<&str, usize>, report: &mut ScanReport) {
    for h in hits {
        report.exempt += 1;
        let slot = match h.state {
            ResultState::Fail => &mut report.fail,
            ResultState::Unknown => &mut report.unknown,
            ResultState::Error => &mut report.error,
            ResultState::Pass | ResultState::NotApplicable => continue,
        };
        *slot = slot.saturating_sub(1);
        if h.state != ResultState::Fail {
            continue;
        }
        if let Some(&i) = index.get(h.rule_id.as_str()) {
            let severity = ev.severity(i);
            if let Some(n) = report.failed_by_severity.get_mut(&severity) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    report.failed_by_severity.remove(&severity);
                }
            }
        }
    }
}

/// Moves one resource of `account` from its `before` state for `control` to `after` (or out of
/// the control, when only exempt rules assessed it).
fn move_resource(
    scores: &mut [ControlScoreRow],
    account: &str,
    control: &str,
    before: Option<ControlState>,
    after: Option<ControlState>,
) {
    if before == after {
        return;
    }
    let Some(row) = scores.iter_mut().find(|r| r.account == account && r.control == control) else { return };
    if let Some(b) = before {
        let n = bucket(row, b);
        *n = n.saturating_sub(1);
    }
    if let Some(a) = after {
        *bucket(row, a) += 1;
    }
    // A row left at zero stays: it is this scan's word that nothing counts for the control here,
    // where a missing row would let an older scan's row stand in.
}

fn bucket(row: &mut ControlScoreRow, s: ControlState) -> &mut u64 {
    match s {
        ControlState::Healthy => &mut row.healthy,
        ControlState::Unhealthy => &mut row.unhealthy,
        ControlState::Unknown => &mut row.unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(h: u64, u: u64, k: u64) -> ControlScoreRow {
        ControlScoreRow { account: "a".into(), control: "c".into(), max_points: 4.0, healthy: h, unhealthy: u, unknown: k }
    }

    #[test]
    fn moves_a_resource_between_buckets_and_keeps_emptied_rows() {
        let mut scores = vec![row(1, 2, 0)];
        move_resource(&mut scores, "a", "c", Some(ControlState::Unhealthy), Some(ControlState::Healthy));
        assert_eq!(scores, vec![row(2, 1, 0)]);
        move_resource(&mut scores, "other", "c", Some(ControlState::Unhealthy), None);
        assert_eq!(scores, vec![row(2, 1, 0)], "no row for that account: nothing moves");
        let mut single = vec![row(0, 1, 0)];
        move_resource(&mut single, "a", "c", Some(ControlState::Unhealthy), None);
        assert_eq!(single, vec![row(0, 0, 0)], "assessed only by exempt rules: out of the control");
    }
}
