//! Time operators, field-to-field comparisons, counts within an account, not_applicable
//! examples and remediation placeholders, through real rule files.

use posture_model::{Resource, ResultState};
use posture_rules::{run_examples, Lookup, NoLookup, Rule, ScopeCount, Vote, UNCOVERED};
use serde_json::{json, Value};
use std::borrow::Cow;

const NOW: &str = "2026-11-28T09:00:00Z";

fn rule_with(check: &str, examples: &str) -> Rule {
    let text = format!(
        "id: T.1\ntitle: t\nseverity: low\nkinds: [test.x.y]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
         remediation: {{text: fix}}\ncheck:\n{check}\nexamples:\n{examples}"
    );
    Rule::parse("t.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn rule(check: &str) -> Rule {
    rule_with(check, &format!("  now: {NOW}\n  healthy: [{{attrs: {{}}}}]\n  unhealthy: [{{attrs: {{}}}}]\n"))
}

fn res(attrs: Value) -> Resource {
    let mut r = Resource::new("u", "test.x.y");
    r.attrs = attrs.as_object().cloned().unwrap_or_default();
    r.account = "111".into();
    r
}

fn now() -> Option<i64> {
    posture_rules::parse_time(NOW)
}

fn state_at(check: &str, attrs: Value) -> ResultState {
    rule(check).evaluate_at(&res(attrs), &NoLookup, now()).state
}

#[test]
fn older_and_newer_than_days_compare_with_the_scan_time() {
    let older = "  field: attrs.last_used\n  olderThanDays: 90";
    assert_eq!(state_at(older, json!({"last_used": "2026-08-01T00:00:00Z"})), ResultState::Pass);
    assert_eq!(state_at(older, json!({"last_used": "2026-11-01"})), ResultState::Fail);
    // Offsets count: 90 days and one hour before, written in UTC+02:00.
    assert_eq!(state_at(older, json!({"last_used": "2026-08-30T10:00:00+02:00"})), ResultState::Pass);
    assert_eq!(state_at(older, json!({"last_used": null})), ResultState::Fail);
    assert_eq!(state_at(older, json!({})), ResultState::Unknown);
    let newer = "  field: attrs.last_used\n  newerThanDays: 90";
    assert_eq!(state_at(newer, json!({"last_used": "2026-11-01"})), ResultState::Pass);
    assert_eq!(state_at(newer, json!({"last_used": "2025-11-01"})), ResultState::Fail);
    // The same data judged a year later gives another answer: the time is an input, not a constant.
    let later = posture_rules::parse_time("2027-11-28").unwrap_or_default();
    let r = rule(newer);
    assert_eq!(r.evaluate_at(&res(json!({"last_used": "2026-11-01"})), &NoLookup, Some(later)).state, ResultState::Fail);
}

#[test]
fn in_more_and_less_than_days_look_ahead() {
    let c = "  field: attrs.not_after\n  inMoreThanDays: 30";
    assert_eq!(state_at(c, json!({"not_after": "2027-06-01T23:59:59Z"})), ResultState::Pass);
    assert_eq!(state_at(c, json!({"not_after": "2026-12-10T00:00:00Z"})), ResultState::Fail);
    assert_eq!(state_at(c, json!({"not_after": "2026-01-01"})), ResultState::Fail);
    let soon = "  field: attrs.not_after\n  inLessThanDays: 30";
    assert_eq!(state_at(soon, json!({"not_after": "2026-12-10T00:00:00Z"})), ResultState::Pass);
}

#[test]
fn an_unparseable_date_is_an_error_with_evidence() {
    let c = "  field: attrs.last_used\n  olderThanDays: 90";
    let ev = rule(c).evaluate_at(&res(json!({"last_used": "last tuesday"})), &NoLookup, now());
    assert_eq!(ev.state, ResultState::Error);
    let evidence = ev.evidence.unwrap_or_else(|| panic!("an error carries evidence"));
    assert_eq!(&*evidence.path, "attrs.last_used");
    assert!(evidence.expected.contains("'last tuesday' is not an RFC 3339 date-time"), "{}", evidence.expected);
    assert_eq!(state_at(c, json!({"last_used": 1700000000})), ResultState::Error);
}

#[test]
fn time_operators_walk_arrays_and_work_inside_count() {
    let each = "  field: attrs.keys[*].created\n  newerThanDays: 90";
    assert_eq!(state_at(each, json!({"keys": [{"created": "2026-11-01"}, {"created": "2026-10-01"}]})), ResultState::Pass);
    assert_eq!(state_at(each, json!({"keys": [{"created": "2026-11-01"}, {"created": "2020-10-01"}]})), ResultState::Fail);
    let count = "  count:\n    field: attrs.keys[*]\n    where:\n      allOf:\n        - {field: 'attrs.keys[*].active', equals: true}\n        - {field: 'attrs.keys[*].created', olderThanDays: 90}\n  equals: 0";
    assert_eq!(state_at(count, json!({"keys": [{"active": false, "created": "2020-01-01"}]})), ResultState::Pass);
    assert_eq!(state_at(count, json!({"keys": [{"active": true, "created": "2020-01-01"}]})), ResultState::Fail);
}

#[test]
fn time_operators_reject_bad_arguments_and_need_a_fixed_time_in_examples() {
    let bad = "id: T.1\ntitle: t\nseverity: low\nkinds: [test.x.y]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
               remediation: {text: fix}\ncheck: {field: attrs.t, olderThanDays: ninety}\n\
               examples: {now: 2026-11-28, healthy: [{attrs: {}}], unhealthy: [{attrs: {}}]}\n";
    let e = Rule::parse("t.yaml", bad).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("olderThanDays takes a number of days"), "{e}");
    let no_now = bad.replace("ninety", "90").replace("now: 2026-11-28, ", "");
    let e = Rule::parse("t.yaml", &no_now).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("set examples.now"), "{e}");
    let bad_now = bad.replace("ninety", "90").replace("now: 2026-11-28", "now: soon");
    let e = Rule::parse("t.yaml", &bad_now).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("examples.now must be"), "{e}");
}

#[test]
fn examples_run_at_their_fixed_time_and_an_example_may_set_its_own() {
    let check = "  field: attrs.last_used\n  newerThanDays: 90";
    let examples = format!(
        "  now: {NOW}\n  healthy:\n    - attrs: {{last_used: '2026-11-01'}}\n    - {{now: '2026-01-15', attrs: {{last_used: '2025-12-01'}}}}\n  unhealthy:\n    - attrs: {{last_used: '2025-11-01'}}\n"
    );
    assert_eq!(run_examples(&rule_with(check, &examples)), vec![]);
    let wrong = examples.replace("now: '2026-01-15'", "now: '2026-06-15'");
    let failures = run_examples(&rule_with(check, &wrong));
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].message.contains("healthy example #2 gave fail"), "{}", failures[0].message);
}

#[test]
fn field_to_field_comparisons() {
    let eq = "  field: attrs.replicas\n  equalsField: attrs.ready_replicas";
    assert_eq!(state_at(eq, json!({"replicas": 3, "ready_replicas": 3.0})), ResultState::Pass);
    assert_eq!(state_at(eq, json!({"replicas": 3, "ready_replicas": 2})), ResultState::Fail);
    assert_eq!(state_at(eq, json!({"replicas": 3})), ResultState::Unknown);
    assert_eq!(state_at(eq, json!({"ready_replicas": 3})), ResultState::Unknown);
    let less = "  field: attrs.rotation_days\n  lessOrEqualsField: attrs.max_age_days";
    assert_eq!(state_at(less, json!({"rotation_days": 90, "max_age_days": 365})), ResultState::Pass);
    assert_eq!(state_at(less, json!({"rotation_days": 400, "max_age_days": 365})), ResultState::Fail);
    assert_eq!(state_at(less, json!({"rotation_days": "x", "max_age_days": 365})), ResultState::Error);
    // Dates compare as instants whatever their format.
    let dates = "  field: attrs.rotated\n  greaterOrEqualsField: attrs.created";
    assert_eq!(state_at(dates, json!({"rotated": "2026-01-02", "created": "2026-01-01T23:00:00-02:00"})), ResultState::Fail);
    assert_eq!(state_at(dates, json!({"rotated": "2026-01-02T02:00:00Z", "created": "2026-01-01T23:00:00-02:00"})), ResultState::Pass);
    let ev = rule(less).evaluate_at(&res(json!({"rotation_days": 400, "max_age_days": 365})), &NoLookup, now());
    let ev = ev.evidence.unwrap_or_else(|| panic!("a failure carries evidence"));
    assert_eq!(&*ev.path, "attrs.rotation_days");
    assert_eq!(ev.value, Some(json!({"attrs.rotation_days": 400, "attrs.max_age_days": 365})));
    assert_eq!(&*ev.expected, "lessOrEqualsField attrs.max_age_days");
}

#[test]
fn field_to_field_inside_count_compares_within_the_element() {
    let c = "  count:\n    field: attrs.rules[*]\n    where: {field: 'attrs.rules[*].from_port', notEqualsField: 'attrs.rules[*].to_port'}\n  equals: 0";
    assert_eq!(state_at(c, json!({"rules": [{"from_port": 22, "to_port": 22}, {"from_port": 443, "to_port": 443}]})), ResultState::Pass);
    assert_eq!(state_at(c, json!({"rules": [{"from_port": 22, "to_port": 22}, {"from_port": 0, "to_port": 65535}]})), ResultState::Fail);
    // Outside the counted array the other field refers to the resource.
    let mixed = "  count:\n    field: attrs.keys[*]\n    where: {field: 'attrs.keys[*].created', lessField: attrs.policy_since}\n  equals: 0";
    assert_eq!(state_at(mixed, json!({"policy_since": "2026-01-01", "keys": [{"created": "2026-03-01"}]})), ResultState::Pass);
    assert_eq!(state_at(mixed, json!({"policy_since": "2026-01-01", "keys": [{"created": "2025-03-01"}]})), ResultState::Fail);
}

#[test]
fn field_to_field_rejects_arrays_and_hints_at_the_names() {
    let text = |op: &str, other: &str| {
        format!(
            "id: T.1\ntitle: t\nseverity: low\nkinds: [test.x.y]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
             remediation: {{text: fix}}\ncheck: {{field: attrs.a, {op}: '{other}'}}\n\
             examples: {{healthy: [{{attrs: {{}}}}], unhealthy: [{{attrs: {{}}}}]}}\n"
        )
    };
    let e = Rule::parse("t.yaml", &text("equalsField", "attrs.b[*].c")).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("without [*]"), "{e}");
    let e = Rule::parse("t.yaml", &text("lessThanField", "attrs.b")).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("did you mean 'lessField'"), "{e}");
    let e = Rule::parse("t.yaml", &text("equalsField", "atrs.b")).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("must start with"), "{e}");
}

/// Tallies given by hand, as the scan would keep them.
struct Tallies(Vec<(&'static str, ScopeCount)>);

impl Lookup for Tallies {
    fn get(&self, _: &str) -> Option<Cow<'_, Resource>> {
        None
    }

    fn scope_count(&self, _key: &str, account: &str, region: Option<&str>) -> Option<ScopeCount> {
        let id = format!("{account}/{}", region.unwrap_or("-"));
        self.0.iter().find(|(k, _)| *k == id).map(|(_, c)| c.clone())
    }
}

const EXISTS: &str = "  count:\n    within: region\n    kind: aws.guardduty.detector\n    where: {field: attrs.status, equals: ENABLED}\n  greaterOrEquals: 1";

#[test]
fn count_within_reads_the_tally_of_the_resources_account_and_region() {
    let r = rule(EXISTS);
    assert!(r.uses_scope() && !r.uses_related());
    let scoped = &r.check.scoped;
    assert_eq!(scoped.len(), 1);
    let mut anchor = res(json!({}));
    anchor.region = Some("eu-west-1".into());
    let tally = |matched, unknown| ScopeCount { matched, unknown, samples: vec![] };
    let eval = |t: Vec<(&'static str, ScopeCount)>| r.evaluate_at(&anchor, &Tallies(t), now()).state;
    assert_eq!(eval(vec![("111/eu-west-1", tally(1, 0))]), ResultState::Pass);
    assert_eq!(eval(vec![("111/eu-west-1", tally(0, 0))]), ResultState::Fail);
    // Another region's detector does not count; an account not collected in full proves nothing.
    assert_eq!(eval(vec![("111/us-east-1", tally(1, 0))]), ResultState::Unknown);
    assert_eq!(eval(vec![("111/eu-west-1", tally(0, UNCOVERED))]), ResultState::Unknown);
    assert_eq!(eval(vec![("111/eu-west-1", tally(1, UNCOVERED))]), ResultState::Pass);
    // Without tallies (a single resource evaluated alone) the answer is unknown, never pass.
    assert_eq!(r.evaluate_at(&anchor, &NoLookup, now()).state, ResultState::Unknown);
    let failed = r.evaluate_at(&anchor, &Tallies(vec![("111/eu-west-1", tally(0, 0))]), now());
    let ev = failed.evidence.unwrap_or_else(|| panic!("a failure carries evidence"));
    assert_eq!(&*ev.path, "within(region: aws.guardduty.detector)");
    assert_eq!(ev.value, Some(json!({"count": 0, "matching": []})));
}

#[test]
fn a_scope_use_votes_on_candidate_resources() {
    let r = rule(EXISTS);
    let u = &r.check.scoped[0];
    let mut det = Resource::new("d", "aws.guardduty.detector");
    det.region = Some("eu-west-1".into());
    assert_eq!(u.region_of(&det), Some("eu-west-1"));
    det.attrs = json!({"status": "ENABLED"}).as_object().cloned().unwrap_or_default();
    assert_eq!(u.vote(&det, None), Vote::Match);
    det.attrs = json!({"status": "DISABLED"}).as_object().cloned().unwrap_or_default();
    assert_eq!(u.vote(&det, None), Vote::NoMatch);
    det.attrs = serde_json::Map::new();
    assert_eq!(u.vote(&det, None), Vote::Unknown);
    assert_eq!(u.vote(&res(json!({"status": "ENABLED"})), None), Vote::NoMatch);
    // The same condition in another rule is the same tally.
    assert_eq!(rule(EXISTS).check.scoped[0].key, u.key);
    assert_ne!(rule(&EXISTS.replace("ENABLED", "X")).check.scoped[0].key, u.key);
}

#[test]
fn count_within_is_refused_where_it_cannot_be_decided() {
    let base = "id: T.1\ntitle: t\nseverity: low\nkinds: [test.x.y]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
                remediation: {text: fix}\nexamples: {healthy: [{attrs: {}}], unhealthy: [{attrs: {}}]}\n";
    let cases = [
        ("applies_if: {count: {within: account, kind: a.b.c}, greater: 0}\ncheck: {field: attrs.x, equals: 1}\n", "applies_if cannot count within"),
        ("check: {count: {within: planet, kind: a.b.c}, greater: 0}\n", "within takes account or region"),
        ("check: {count: {within: account}, greater: 0}\n", "needs kind"),
        ("check: {count: {within: account, kind: a.b.c, where: {count: {related: r, kind: a.b.d}, equals: 0}}, greater: 0}\n", "cannot walk relations"),
        ("check: {count: {within: account, related: r, kind: a.b.c}, greater: 0}\n", "exactly one of field, related or within"),
    ];
    for (check, want) in cases {
        let e = Rule::parse("t.yaml", &format!("{base}{check}")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains(want), "{check}: {e}");
    }
}

#[test]
fn examples_count_their_context_and_may_be_partial() {
    let examples = "  healthy:\n    - region: eu-west-1\n      context:\n        - {uid: d1, kind: aws.guardduty.detector, region: eu-west-1, attrs: {status: ENABLED}}\n\
                    \x20 unhealthy:\n    - region: eu-west-1\n      context:\n        - {uid: d1, kind: aws.guardduty.detector, region: us-east-1, attrs: {status: ENABLED}}\n        - {uid: d2, kind: aws.guardduty.detector, region: eu-west-1, attrs: {status: DISABLED}}\n\
                    \x20 unknown:\n    - {region: eu-west-1, covered: false}\n    - region: eu-west-1\n      context:\n        - {uid: d3, kind: aws.guardduty.detector, region: eu-west-1, attrs: {}}\n";
    assert_eq!(run_examples(&rule_with(EXISTS, examples)), vec![]);
    // A wrong claim is reported.
    let wrong = examples.replace("  unknown:\n    - {region: eu-west-1, covered: false}", "  unknown:\n    - {region: eu-west-1, covered: true}");
    assert_eq!(run_examples(&rule_with(EXISTS, &wrong)).len(), 1);
}

#[test]
fn not_applicable_examples_are_run() {
    let text = "id: T.2\ntitle: t\nseverity: low\nkinds: [test.x.y]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
        remediation: {text: fix}\napplies_if: {field: attrs.state, notEquals: terminated}\ncheck: {field: attrs.ok, equals: true}\n\
        examples: {healthy: [{attrs: {state: running, ok: true}}], unhealthy: [{attrs: {state: running, ok: false}}], not_applicable: [{attrs: {state: terminated}}, {kind: other.kind.z, attrs: {ok: false}}]}\n";
    let r = Rule::parse("t.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.examples.not_applicable.len(), 2);
    assert_eq!(run_examples(&r), vec![]);
    let wrong = text.replace("{attrs: {state: terminated}}", "{attrs: {state: running, ok: true}}");
    let failures = run_examples(&Rule::parse("t.yaml", &wrong).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].message.contains("not_applicable example #1 gave pass"), "{}", failures[0].message);
}

#[test]
fn remediation_placeholders_are_checked_at_load_and_filled_per_resource() {
    let text = "id: T.3\ntitle: t\nseverity: low\nkinds: [test.x.y]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
        remediation:\n  text: Rotate key {{attrs.kms.key_id}} of {{name}} (team {{tags.team}})\n  cli: tool rotate --key {{attrs.kms.key_id}} --region {{region}}\n\
        check: {field: attrs.ok, equals: true}\nexamples: {healthy: [{attrs: {ok: true}}], unhealthy: [{attrs: {ok: false}}]}\n";
    let r = Rule::parse("t.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let mut bucket = res(json!({"kms": {"key_id": "k-42"}}));
    bucket.name = "logs".into();
    bucket.tags.insert("team".into(), "data".into());
    let filled = r.remediation_for(&bucket);
    assert_eq!(filled.text, "Rotate key k-42 of logs (team data)");
    assert_eq!(filled.cli.as_deref(), Some("tool rotate --key k-42 --region {{region}}"));
    let bad = text.replace("{{tags.team}}", "{{attrs.keys[*].id}}");
    let e = Rule::parse("t.yaml", &bad).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.starts_with("t.yaml:9: remediation.text: placeholder {{attrs.keys[*].id}}"), "{e}");
}
