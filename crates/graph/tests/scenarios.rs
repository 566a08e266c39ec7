//! Seeded estates with known attack scenarios: each attack variant yields its path with the
//! expected explanation; each healthy variant yields no path at all.

mod common;

use common::{graph, report, summary};
use posture_graph::paths::explain;
use posture_model::Severity;

fn only_path(
    name: &str,
    findings: &[(&str, &str, Severity, &str)],
) -> (posture_graph::Graph, posture_graph::paths::Report) {
    let g = graph(&[name], findings, &[]);
    let r = report(&g);
    (g, r)
}

fn healthy(name: &str) {
    let g = graph(&[name], &[], &[]);
    let r = report(&g);
    assert!(r.paths.is_empty(), "{name} should have no path: {:#?}", summary(&g, &r));
    assert_eq!(r.hidden_unknown, 0, "{name}: no path should hide behind missing data");
}

#[test]
fn user_can_make_an_admin_policy_version_the_default() {
    let (g, r) = only_path("policy-version-attack", &[]);
    assert_eq!(summary(&g, &r), vec!["credentials-to-admin: dev-alice -> 111111111111 [certain]"]);
    let p = &r.paths[0];
    assert_eq!(p.steps[0].ty, "can_escalate");
    assert!(p.steps[0].why.starts_with("iam:SetDefaultPolicyVersion via dev-policy"), "{}", p.steps[0].why);
    insta::assert_snapshot!(explain(&g, p));
}

#[test]
fn policy_without_a_stronger_version_is_healthy() {
    healthy("policy-version-healthy");
}

#[test]
fn exposed_instance_role_reads_sensitive_bucket() {
    let uid = "arn:aws:ec2:eu-west-1:111111111111:instance/i-web1";
    let (g, r) =
        only_path("exposed-instance-attack", &[(uid, "AWS.EC2.8", Severity::High, "EC2 instances require IMDSv2")]);
    assert_eq!(
        summary(&g, &r),
        vec!["exposed-compute-to-sensitive-data: Internet (anyone) -> web-1 -> app-role -> customer-data [certain]"]
    );
    let p = &r.paths[0];
    assert_eq!(
        p.steps.iter().map(|s| s.ty.as_str()).collect::<Vec<_>>(),
        vec!["exposes", "can_authenticate_as", "can_read"]
    );
    assert_eq!(p.fix.step, 0, "closing the security group is the cheapest cut");
    // Base 7 (high) + 1 (open to any address) + 0.5 (sensitive) + 0.5 (high finding on the way).
    assert_eq!(p.risk, 9.0);
    insta::assert_snapshot!(explain(&g, p));
}

#[test]
fn instance_reachable_only_from_the_private_network_is_healthy() {
    healthy("exposed-instance-healthy");
}

#[test]
fn user_can_pass_an_admin_role_to_a_new_function() {
    let (g, r) = only_path("pass-role-lambda-attack", &[]);
    assert_eq!(summary(&g, &r), vec!["credentials-to-admin: ci-bot -> lambda-admin -> 111111111111 [certain]"]);
    let p = &r.paths[0];
    assert!(
        p.steps[0].why.starts_with("iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction"),
        "{}",
        p.steps[0].why
    );
    insta::assert_snapshot!(explain(&g, p));
}

#[test]
fn passing_only_a_weak_role_is_healthy() {
    healthy("pass-role-lambda-healthy");
}

#[test]
fn exposed_pod_with_cluster_admin_service_account() {
    let (g, r) = only_path("k8s-cluster-admin-attack", &[]);
    assert_eq!(
        summary(&g, &r),
        vec!["exposed-compute-to-admin: Internet (anyone) -> runner-7f9c -> runner -> prod-cluster [certain]"]
    );
    insta::assert_snapshot!(explain(&g, &r.paths[0]));
}

#[test]
fn cluster_internal_service_is_healthy() {
    healthy("k8s-cluster-admin-healthy");
}

#[test]
fn choke_points_and_categories_across_scenarios() {
    let names =
        ["policy-version-attack", "exposed-instance-attack", "pass-role-lambda-attack", "k8s-cluster-admin-attack"];
    let g = graph(&names, &[], &[]);
    let r = report(&g);
    assert_eq!(r.paths.len(), 4, "{:#?}", summary(&g, &r));
    let cats: std::collections::BTreeSet<&str> = r.paths.iter().map(|p| p.category.as_str()).collect();
    assert_eq!(cats.into_iter().collect::<Vec<_>>(), vec!["account_takeover", "data_exposure"]);
    // Ranked: the critical cluster takeover first.
    assert_eq!(r.paths[0].definition, "exposed-compute-to-admin");
    assert!(r.paths.windows(2).all(|w| w[0].risk >= w[1].risk));
    let ids: std::collections::BTreeSet<&str> = r.paths.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 4, "ids are distinct");
    // Ids are stable across builds.
    let again = report(&graph(&names, &[], &[]));
    assert_eq!(
        r.paths.iter().map(|p| &p.id).collect::<Vec<_>>(),
        again.paths.iter().map(|p| &p.id).collect::<Vec<_>>()
    );
}
