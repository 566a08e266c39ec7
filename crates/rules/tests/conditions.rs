//! End-to-end semantics of the condition grammar, through real rule files.

use posture_model::{Relation, Resource, ResultState};
use posture_rules::{NoLookup, Rule};
use serde_json::{json, Value};
use std::collections::HashMap;

fn rule(check: &str) -> Rule {
    let text = format!(
        "id: T.1\ntitle: t\nseverity: low\nkinds: [test.x.y]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
         remediation: {{text: fix}}\ncheck:\n{check}\nexamples:\n  healthy: [{{attrs: {{}}}}]\n  unhealthy: [{{attrs: {{}}}}]\n"
    );
    Rule::parse("t.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn res(attrs: Value) -> Resource {
    let mut r = Resource::new("u", "test.x.y");
    r.attrs = attrs.as_object().unwrap().clone();
    r
}

fn state(check: &str, attrs: Value) -> ResultState {
    rule(check).evaluate(&res(attrs), &NoLookup).state
}

#[test]
fn absent_fields_are_unknown_never_healthy() {
    let c = "  field: attrs.mfa\n  equals: true";
    assert_eq!(state(c, json!({"mfa": true})), ResultState::Pass);
    assert_eq!(state(c, json!({"mfa": false})), ResultState::Fail);
    assert_eq!(state(c, json!({"mfa": null})), ResultState::Fail);
    assert_eq!(state(c, json!({})), ResultState::Unknown);
}

#[test]
fn all_of_any_of_not_follow_kleene_logic() {
    let all = "  allOf:\n    - {field: attrs.a, equals: 1}\n    - {field: attrs.b, equals: 1}";
    assert_eq!(state(all, json!({"a": 2})), ResultState::Fail);
    assert_eq!(state(all, json!({"a": 1})), ResultState::Unknown);
    let any = "  anyOf:\n    - {field: attrs.a, equals: 1}\n    - {field: attrs.b, equals: 1}";
    assert_eq!(state(any, json!({"b": 1})), ResultState::Pass);
    assert_eq!(state(any, json!({"a": 2})), ResultState::Unknown);
    assert_eq!(state(any, json!({"a": 2, "b": 2})), ResultState::Fail);
    let not = "  not: {field: attrs.public, equals: true}";
    assert_eq!(state(not, json!({"public": false})), ResultState::Pass);
    assert_eq!(state(not, json!({})), ResultState::Unknown);
    let ev = rule(not).evaluate(&res(json!({"public": true})), &NoLookup);
    assert_eq!(ev.state, ResultState::Fail);
    let ev = ev.evidence.unwrap();
    assert_eq!((&*ev.path, ev.value), ("attrs.public", Some(json!(true))));
}

#[test]
fn evidence_names_the_deciding_field_and_value() {
    let c = "  allOf:\n    - {field: attrs.a, equals: 1}\n    - {field: attrs.tls.min, in: ['1.2', '1.3']}";
    let ev = rule(c).evaluate(&res(json!({"a": 1, "tls": {"min": "1.0"}})), &NoLookup);
    let ev = ev.evidence.unwrap();
    assert_eq!(&*ev.path, "attrs.tls.min");
    assert_eq!(ev.value, Some(json!("1.0")));
    assert_eq!(&*ev.expected, r#"in ["1.2","1.3"]"#);
}

#[test]
fn each_holds_for_every_element() {
    let c = "  field: attrs.containers[*].privileged\n  equals: false";
    assert_eq!(state(c, json!({"containers": []})), ResultState::Pass);
    assert_eq!(state(c, json!({"containers": [{"privileged": false}]})), ResultState::Pass);
    assert_eq!(state(c, json!({"containers": [{"privileged": false}, {"privileged": true}]})), ResultState::Fail);
    assert_eq!(state(c, json!({"containers": [{"privileged": false}, {}]})), ResultState::Unknown);
    assert_eq!(state(c, json!({})), ResultState::Unknown);
    assert_eq!(state(c, json!({"containers": "x"})), ResultState::Error);
}

#[test]
fn count_over_arrays_with_where() {
    let c = "  count:\n    field: attrs.ingress[*]\n    where:\n      allOf:\n        - not: {field: 'attrs.ingress[*].cidr', cidrWithin: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']}\n        - {field: 'attrs.ingress[*].ports', portInRange: 22}\n  equals: 0";
    let open = json!({"ingress": [{"cidr": "10.0.0.0/8", "ports": "22"}, {"cidr": "0.0.0.0/0", "ports": "0-1024"}]});
    let closed = json!({"ingress": [{"cidr": "10.0.0.0/8", "ports": "22"}, {"cidr": "0.0.0.0/0", "ports": 443}]});
    let partial = json!({"ingress": [{"cidr": "10.0.0.0/8", "ports": "22"}, {"ports": 22}]});
    assert_eq!(state(c, open.clone()), ResultState::Fail);
    assert_eq!(state(c, closed), ResultState::Pass);
    assert_eq!(state(c, partial), ResultState::Unknown);
    assert_eq!(state(c, json!({"ingress": null})), ResultState::Pass);
    let ev = rule(c).evaluate(&res(open), &NoLookup).evidence.unwrap();
    assert_eq!(&*ev.path, "attrs.ingress[*]");
    assert_eq!(ev.value.unwrap()["count"], json!(1));
    // A field outside the counted array still refers to the resource.
    let mixed = "  count:\n    field: attrs.keys[*]\n    where:\n      allOf:\n        - {field: 'attrs.keys[*].age', greater: 90}\n        - {field: attrs.enforce, equals: true}\n  less: 1";
    assert_eq!(state(mixed, json!({"enforce": true, "keys": [{"age": 100}]})), ResultState::Fail);
    assert_eq!(state(mixed, json!({"enforce": false, "keys": [{"age": 100}]})), ResultState::Pass);
}

#[test]
fn related_walks_relations_and_missing_targets_are_unknown() {
    let c = "  count:\n    related: has_security_group\n    kind: aws.ec2.security_group\n    where: {field: attrs.open_ssh, equals: true}\n  equals: 0";
    let r = rule(c);
    let mut vm = res(json!({}));
    for t in ["sg-a", "sg-b"] {
        vm.relations.push(Relation { rel: "has_security_group".into(), target: t.into() });
    }
    let sg = |uid: &str, open: bool| {
        let mut s = Resource::new(uid, "aws.ec2.security_group");
        s.attrs = json!({"open_ssh": open}).as_object().unwrap().clone();
        (uid.to_string(), s)
    };
    let all_closed: HashMap<_, _> = [sg("sg-a", false), sg("sg-b", false)].into();
    let one_open: HashMap<_, _> = [sg("sg-a", false), sg("sg-b", true)].into();
    let one_missing: HashMap<_, _> = [sg("sg-a", false)].into();
    let open_and_missing: HashMap<_, _> = [sg("sg-a", true)].into();
    assert_eq!(r.evaluate(&vm, &all_closed).state, ResultState::Pass);
    let failed = r.evaluate(&vm, &one_open);
    assert_eq!(failed.state, ResultState::Fail);
    assert_eq!(failed.evidence.unwrap().value.unwrap()["matching"], json!(["sg-b"]));
    assert_eq!(r.evaluate(&vm, &one_missing).state, ResultState::Unknown);
    // Already decided by the targets present: one open group fails whatever the missing one says.
    assert_eq!(r.evaluate(&vm, &open_and_missing).state, ResultState::Fail);
    assert!(r.uses_related());
}

#[test]
fn applies_if_gives_not_applicable_and_kind_mismatch_too() {
    let text = "id: T.2\ntitle: t\nseverity: low\nkinds: [test.x.y]\ncontrol: enable-mfa\ndescription: d\nrisk: r\n\
        remediation: {text: fix}\napplies_if: {field: attrs.state, notEquals: terminated}\ncheck: {field: attrs.ok, equals: true}\n\
        examples: {healthy: [{attrs: {ok: true}}], unhealthy: [{attrs: {ok: false}}]}\n";
    let r = Rule::parse("t.yaml", text).unwrap();
    assert_eq!(r.evaluate(&res(json!({"state": "terminated", "ok": false})), &NoLookup).state, ResultState::NotApplicable);
    assert_eq!(r.evaluate(&res(json!({"state": "running", "ok": false})), &NoLookup).state, ResultState::Fail);
    let other = Resource::new("v", "other.kind.z");
    assert_eq!(r.evaluate(&other, &NoLookup).state, ResultState::NotApplicable);
}

#[test]
fn envelope_and_tag_fields() {
    assert_eq!(state("  field: tags.owner\n  exists: true", json!({})), ResultState::Fail);
    assert_eq!(state("  field: name\n  like: 'u*'", json!({})), ResultState::Fail);
    assert_eq!(state("  field: kind\n  equals: TEST.X.Y", json!({})), ResultState::Pass);
    assert_eq!(state("  field: attrs.age\n  greater: 5", json!({"age": "x"})), ResultState::Error);
}

#[test]
fn count_flattens_nested_arrays() {
    let c = "  count:\n    field: attrs.nics[*].access_configs[*]\n    where: {field: 'attrs.nics[*].access_configs[*].nat_ip', exists: true}\n  equals: 0";
    assert_eq!(state(c, json!({"nics": [{"access_configs": []}, {"access_configs": null}]})), ResultState::Pass);
    assert_eq!(state(c, json!({"nics": [{"access_configs": []}, {"access_configs": [{"nat_ip": "34.1.2.3"}]}]})), ResultState::Fail);
    assert_eq!(state(c, json!({"nics": [{"access_configs": []}, {}]})), ResultState::Unknown);
    assert_eq!(state(c, json!({"nics": [{"access_configs": [{"nat_ip": "34.1.2.3"}]}, {}]})), ResultState::Fail);
}

#[test]
fn each_through_a_null_object_reaches_null() {
    let c = "  field: attrs.containers[*].security_context.privileged\n  equals: false";
    assert_eq!(state(c, json!({"containers": [{"security_context": null}]})), ResultState::Fail);
    let nested = "  field: attrs.a[*].b[*].c\n  equals: 1";
    assert_eq!(state(nested, json!({"a": [{"b": null}]})), ResultState::Pass);
}

#[test]
fn a_failed_any_of_shows_every_alternative() {
    let any = "  anyOf:\n    - {field: attrs.public_ip, exists: false}\n    - {field: attrs.ssh_open, equals: false}";
    let ev = rule(any).evaluate(&res(json!({"public_ip": "203.0.113.9", "ssh_open": true})), &NoLookup).evidence.unwrap();
    assert_eq!(&*ev.path, "attrs.public_ip | attrs.ssh_open");
    assert_eq!(ev.value, Some(json!({"attrs.public_ip": "203.0.113.9", "attrs.ssh_open": true})));
    assert!(ev.expected.starts_with("any of: attrs.public_ip exists false; "), "{}", ev.expected);
}
