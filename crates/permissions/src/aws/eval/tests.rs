use super::*;
use serde_json::{json, Value};

fn stmt(effect: &str, actions: &[&str], resources: &[&str]) -> Value {
    json!({"sid": null, "effect": effect, "actions": actions, "not_actions": [], "resources": resources,
           "not_resources": [], "principals": null, "not_principals": null, "conditions": []})
}

fn policy(statements: Vec<Value>) -> Policy {
    Policy::from_json(&json!({"version": "2012-10-17", "statements": statements})).unwrap()
}

fn user(name: &str, account: &str) -> Principal {
    Principal {
        arn: format!("arn:aws:iam::{account}:user/{name}"),
        account: Some(account.into()),
        kind: PrincipalKind::User,
        name: name.into(),
        org_id: None,
        tags: Vec::new(),
        mfa_device: Some(false),
    }
}

fn identity(policies: &[&Policy]) -> Identity<'static> {
    // Tests leak their policies: each test is short-lived.
    let leaked: Vec<Source<'static>> = policies
        .iter()
        .enumerate()
        .map(|(i, p)| Source { policy: Box::leak(Box::new((*p).clone())), id: i as u32 })
        .collect();
    Identity { policies: leaked, ..Identity::default() }
}

fn bucket<'a>(arn: &'a str, account: &'a str) -> Target<'a> {
    Target {
        resource: ResourceRef::Exact(arn),
        account: Some(account),
        tags: None,
        policy: None,
        policy_unreadable: false,
        mode: ResourceMode::Optional,
    }
}

const ACCT: &str = "111122223333";
const OTHER: &str = "444455556666";

#[test]
fn allow_with_wildcards_in_actions_and_arns() {
    let p = policy(vec![stmt("Allow", &["s3:Get*"], &["arn:aws:s3:::data-*/*"])]);
    let u = user("alice", ACCT);
    let objects = Target { resource: ResourceRef::Under("arn:aws:s3:::data-prod/"), ..bucket("", ACCT) };
    let d = evaluate("s3:GetObject", &u, &identity(&[&p]), &objects);
    assert_eq!(d.allowed, Some(Certainty::Certain));
    assert_eq!(d.allow_by[0].label, "#1");
    assert_eq!(evaluate("s3:PutObject", &u, &identity(&[&p]), &objects).allowed, None);
    let other = Target { resource: ResourceRef::Under("arn:aws:s3:::logs/"), ..bucket("", ACCT) };
    assert_eq!(evaluate("s3:GetObject", &u, &identity(&[&p]), &other).allowed, None);
}

#[test]
fn explicit_deny_wins_over_any_allow() {
    let allow = policy(vec![stmt("Allow", &["*"], &["*"])]);
    let deny = policy(vec![stmt("Deny", &["s3:*"], &["arn:aws:s3:::secret", "arn:aws:s3:::secret/*"])]);
    let u = user("alice", ACCT);
    let t = Target { resource: ResourceRef::Under("arn:aws:s3:::secret/"), ..bucket("", ACCT) };
    let d = evaluate("s3:GetObject", &u, &identity(&[&allow, &deny]), &t);
    assert!(d.denied);
    assert_eq!(d.allowed, None);
    assert_eq!(d.deny_by[0].source, 1);
    // A deny on part of the objects leaves the rest readable.
    let partial = policy(vec![stmt("Deny", &["s3:*"], &["arn:aws:s3:::secret/private/*"])]);
    assert_eq!(evaluate("s3:GetObject", &u, &identity(&[&allow, &partial]), &t).allowed, Some(Certainty::Certain));
}

#[test]
fn not_action_and_not_resource() {
    let p = policy(vec![json!({"sid": "AllButIam", "effect": "Allow", "actions": [], "not_actions": ["iam:*"],
        "resources": [], "not_resources": ["arn:aws:s3:::audit", "arn:aws:s3:::audit/*"],
        "principals": null, "not_principals": null, "conditions": []})]);
    let u = user("bob", ACCT);
    let id = identity(&[&p]);
    let t = bucket("arn:aws:s3:::data", ACCT);
    assert!(evaluate("s3:ListBucket", &u, &id, &t).allowed.is_some());
    assert!(evaluate("iam:CreateUser", &u, &id, &bucket("*", ACCT)).allowed.is_none());
    assert!(evaluate("s3:ListBucket", &u, &id, &bucket("arn:aws:s3:::audit", ACCT)).allowed.is_none());
    let deny_not = policy(vec![
        stmt("Allow", &["*"], &["*"]),
        json!({"sid": "OnlyS3", "effect": "Deny", "actions": [], "not_actions": ["s3:*"], "resources": ["*"],
            "not_resources": [], "principals": null, "not_principals": null, "conditions": []}),
    ]);
    let id = identity(&[&deny_not]);
    assert!(evaluate("ec2:RunInstances", &u, &id, &bucket("*", ACCT)).denied);
    assert!(evaluate("s3:GetObject", &u, &id, &bucket("arn:aws:s3:::x/y", ACCT)).allowed.is_some());
}

#[test]
fn conditions_we_cannot_evaluate_make_the_grant_conditional() {
    let mut s = stmt("Allow", &["s3:GetObject"], &["*"]);
    s["conditions"] = json!([{"operator": "IpAddress", "key": "aws:SourceIp", "values": ["203.0.113.0/24"]}]);
    let u = user("carol", ACCT);
    let d = evaluate("s3:GetObject", &u, &identity(&[&policy(vec![s])]), &bucket("arn:aws:s3:::b/k", ACCT));
    assert_eq!(d.allowed, Some(Certainty::Conditional));
    assert_eq!(d.unknown_keys, vec!["aws:sourceip".to_string()]);
    // A conditional deny makes an allow conditional, never denies it outright.
    let mut deny = stmt("Deny", &["*"], &["*"]);
    deny["conditions"] = json!([{"operator": "NotIpAddress", "key": "aws:SourceIp", "values": ["10.0.0.0/8"]}]);
    let d = evaluate(
        "s3:GetObject",
        &u,
        &identity(&[&policy(vec![stmt("Allow", &["*"], &["*"]), deny])]),
        &bucket("arn:aws:s3:::b/k", ACCT),
    );
    assert!(!d.denied);
    assert_eq!(d.allowed, Some(Certainty::Conditional));
}

#[test]
fn mfa_conditions_for_a_user_without_a_device() {
    let mut s = stmt("Allow", &["*"], &["*"]);
    s["conditions"] = json!([{"operator": "Bool", "key": "aws:MultiFactorAuthPresent", "values": ["true"]}]);
    let p = policy(vec![s]);
    let no_mfa = user("dave", ACCT);
    assert_eq!(evaluate("s3:GetObject", &no_mfa, &identity(&[&p]), &bucket("arn:aws:s3:::b/k", ACCT)).allowed, None);
    let with_mfa = Principal { mfa_device: Some(true), ..user("erin", ACCT) };
    assert_eq!(
        evaluate("s3:GetObject", &with_mfa, &identity(&[&p]), &bucket("arn:aws:s3:::b/k", ACCT)).allowed,
        Some(Certainty::Conditional)
    );
}

#[test]
fn permission_boundaries_limit_identity_grants() {
    let admin = policy(vec![stmt("Allow", &["*"], &["*"])]);
    let boundary = policy(vec![stmt("Allow", &["s3:*"], &["*"])]);
    let u = user("frank", ACCT);
    let mut id = identity(&[&admin]);
    id.boundary = Boundary::Known(Source { policy: Box::leak(Box::new(boundary)), id: 9 });
    assert!(evaluate("s3:GetObject", &u, &id, &bucket("arn:aws:s3:::b/k", ACCT)).allowed.is_some());
    assert!(evaluate("iam:CreateUser", &u, &id, &bucket("*", ACCT)).allowed.is_none());
    id.boundary = Boundary::Unreadable;
    let d = evaluate("iam:CreateUser", &u, &id, &bucket("*", ACCT));
    assert_eq!(d.allowed, Some(Certainty::Unknown));
    assert!(d.missing.contains(&"the permissions boundary was not collected"));
}

#[test]
fn scps_must_allow_at_every_level_and_their_deny_wins() {
    let admin = policy(vec![stmt("Allow", &["*"], &["*"])]);
    let full = policy(vec![stmt("Allow", &["*"], &["*"])]);
    let only_s3 = policy(vec![stmt("Allow", &["s3:*"], &["*"])]);
    let deny_leave = policy(vec![stmt("Deny", &["organizations:LeaveOrganization"], &["*"])]);
    let leak = |p: Policy, id| Source { policy: Box::leak(Box::new(p)), id };
    let u = user("gina", ACCT);
    let mut id = identity(&[&admin]);
    id.scps = vec![vec![leak(full, 10), leak(deny_leave, 11)], vec![leak(only_s3, 12)]];
    assert!(evaluate("s3:GetObject", &u, &id, &bucket("arn:aws:s3:::b/k", ACCT)).allowed.is_some());
    assert!(evaluate("ec2:RunInstances", &u, &id, &bucket("*", ACCT)).allowed.is_none());
    assert!(evaluate("organizations:LeaveOrganization", &u, &id, &bucket("*", ACCT)).denied);
}

#[test]
fn resource_policies_grant_within_and_across_accounts() {
    let bucket_policy = policy(vec![
        json!({"sid": "Partner", "effect": "Allow", "actions": ["s3:GetObject"], "not_actions": [],
        "resources": ["arn:aws:s3:::shared/*"], "not_resources": [],
        "principals": {"aws": [format!("arn:aws:iam::{OTHER}:root")], "service": [], "federated": [], "canonical_user": []},
        "not_principals": null, "conditions": []}),
    ]);
    let src = Source { policy: Box::leak(Box::new(bucket_policy)), id: 5 };
    let t = Target { resource: ResourceRef::Under("arn:aws:s3:::shared/"), policy: Some(src), ..bucket("", ACCT) };
    let partner = user("p", OTHER);
    // Cross-account needs both sides.
    assert!(evaluate("s3:GetObject", &partner, &identity(&[]), &t).allowed.is_none());
    let own = policy(vec![stmt("Allow", &["s3:GetObject"], &["*"])]);
    let d = evaluate("s3:GetObject", &partner, &identity(&[&own]), &t);
    assert_eq!(d.allowed, Some(Certainty::Certain));
    assert!(d.allow_by.iter().any(|c| c.source == 5 && c.label == "Partner"));
    // An outsider is not named.
    assert!(evaluate("s3:GetObject", &user("x", "999999999999"), &identity(&[&own]), &t).allowed.is_none());
}

#[test]
fn public_bucket_policy_grants_anonymous_access() {
    let mut s = stmt("Allow", &["s3:GetObject"], &["arn:aws:s3:::site/*"]);
    s["principals"] = json!({"aws": ["*"], "service": [], "federated": [], "canonical_user": []});
    let src = Source { policy: Box::leak(Box::new(policy(vec![s]))), id: 1 };
    let t = Target { resource: ResourceRef::Under("arn:aws:s3:::site/"), policy: Some(src), ..bucket("", ACCT) };
    assert_eq!(
        evaluate("s3:GetObject", &Principal::anonymous(), &Identity::default(), &t).allowed,
        Some(Certainty::Certain)
    );
    assert!(evaluate("s3:PutObject", &Principal::anonymous(), &Identity::default(), &t).allowed.is_none());
}

#[test]
fn kms_key_policies_are_required() {
    let own = policy(vec![stmt("Allow", &["kms:Decrypt"], &["*"])]);
    let u = user("h", ACCT);
    let key = "arn:aws:kms:eu-west-1:111122223333:key/k";
    let no_policy = Target { mode: ResourceMode::Required, ..bucket(key, ACCT) };
    assert!(evaluate("kms:Decrypt", &u, &identity(&[&own]), &no_policy).allowed.is_none());
    let mut s = stmt("Allow", &["kms:*"], &["*"]);
    s["principals"] =
        json!({"aws": [format!("arn:aws:iam::{ACCT}:root")], "service": [], "federated": [], "canonical_user": []});
    let src = Source { policy: Box::leak(Box::new(policy(vec![s]))), id: 3 };
    let delegating = Target { policy: Some(src), ..no_policy };
    assert!(evaluate("kms:Decrypt", &u, &identity(&[&own]), &delegating).allowed.is_some());
    assert!(evaluate("kms:Decrypt", &u, &identity(&[]), &delegating).allowed.is_none());
    let unread = Target { policy_unreadable: true, ..no_policy };
    assert_eq!(evaluate("kms:Decrypt", &u, &identity(&[&own]), &unread).allowed, Some(Certainty::Unknown));
}

#[test]
fn uncollected_policies_make_answers_unknown() {
    let u = user("i", ACCT);
    let mut id = identity(&[]);
    id.may_allow_more = true;
    let d = evaluate("s3:GetObject", &u, &id, &bucket("arn:aws:s3:::b/k", ACCT));
    assert_eq!(d.allowed, Some(Certainty::Unknown));
    let admin = policy(vec![stmt("Allow", &["*"], &["*"])]);
    let mut id = identity(&[&admin]);
    id.may_deny = true;
    assert_eq!(evaluate("s3:GetObject", &u, &id, &bucket("arn:aws:s3:::b/k", ACCT)).allowed, Some(Certainty::Unknown));
}

#[test]
fn policy_variables_resolve_for_users() {
    let p = policy(vec![stmt("Allow", &["iam:CreateAccessKey"], &["arn:aws:iam::*:user/${aws:username}"])]);
    let u = user("jo", ACCT);
    let id = identity(&[&p]);
    let me = Target { mode: ResourceMode::None, ..bucket("arn:aws:iam::111122223333:user/jo", ACCT) };
    let other = Target { mode: ResourceMode::None, ..bucket("arn:aws:iam::111122223333:user/kim", ACCT) };
    assert!(evaluate("iam:CreateAccessKey", &u, &id, &me).allowed.is_some());
    assert!(evaluate("iam:CreateAccessKey", &u, &id, &other).allowed.is_none());
}

#[test]
fn no_resource_policy_services_stay_in_their_account() {
    let admin = policy(vec![stmt("Allow", &["*"], &["*"])]);
    let t = Target { mode: ResourceMode::None, ..bucket("arn:aws:ec2:eu-west-1:444455556666:instance/i-1", OTHER) };
    assert!(evaluate("ssm:SendCommand", &user("l", ACCT), &identity(&[&admin]), &t).allowed.is_none());
}
