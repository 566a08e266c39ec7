//! The explorer: the query language on seeded estates and the demo, its errors, and the shipped
//! templates.

mod common;

use common::{demo, graph};
use posture_graph::query::{self, parse, row_out, Compiled, RowOut};
use posture_graph::Graph;
use posture_model::Severity;

const ALL_ATTACKS: [&str; 4] =
    ["policy-version-attack", "exposed-instance-attack", "pass-role-lambda-attack", "k8s-cluster-admin-attack"];
const WEB1: &str = "arn:aws:ec2:eu-west-1:111111111111:instance/i-web1";

fn run(g: &Graph, q: &str) -> Vec<RowOut> {
    let ast = parse(q).unwrap_or_else(|e| panic!("{}", e.render(q)));
    let c = Compiled::new(g, ast).unwrap_or_else(|e| panic!("{}", e.render(q)));
    c.run(1000).rows.iter().map(|r| row_out(g, r)).collect()
}

fn names(rows: &[RowOut]) -> Vec<String> {
    rows.iter().map(|r| r.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(" -> ")).collect()
}

fn attacks() -> Graph {
    graph(
        &ALL_ATTACKS,
        &[(WEB1, "AWS.EC2.8", Severity::High, "EC2 instances require IMDSv2")],
        &["metadata_options.http_tokens"],
    )
}

#[test]
fn exposed_instance_that_can_read_a_sensitive_bucket() {
    let g = attacks();
    let rows = run(
        &g,
        r#"aws.ec2.instance[exposed_to_internet] -can_read-> aws.s3.bucket[tags."data-classification" = "confidential"]"#,
    );
    // Compute answers with its identity's permissions: the role shows in the chain.
    insta::assert_json_snapshot!(rows);
    let explicit = run(&g, "aws.ec2.instance[exposed_to_internet] -can_authenticate_as-> aws.iam.role -can_read-> aws.s3.bucket[sensitive_data]");
    assert_eq!(names(&explicit), vec!["web-1 -> app-role -> customer-data"]);
}

#[test]
fn incoming_hops_and_repetition() {
    let g = attacks();
    // The administrator role reads it too, through its account-wide grant.
    assert_eq!(
        names(&run(&g, "aws.s3.bucket[sensitive_data] <-can_read- *")),
        vec!["customer-data -> app-role", "customer-data -> lambda-admin"]
    );
    assert_eq!(
        names(&run(&g, "aws.iam.user -can_escalate|can_admin{1,2}-> aws.iam.account")),
        vec!["dev-alice -> 111111111111", "ci-bot -> 111111111111"]
    );
    let chain = run(&g, "aws.iam.user[name = \"ci-bot\"] -can_escalate|can_admin{1,2}-> aws.iam.account");
    assert_eq!(chain[0].edges.iter().map(|e| e.ty.as_str()).collect::<Vec<_>>(), vec!["can_escalate", "can_admin"]);
    assert!(run(&g, "aws.iam.user[name = \"ci-bot\"] -can_escalate|can_admin{1,1}-> aws.iam.account").is_empty());
    assert_eq!(
        names(&run(&g, "aws.iam.user[name = \"ci-bot\"] -can_escalate{0,1}-> aws.iam.role")),
        vec!["ci-bot -> lambda-admin"]
    );
}

#[test]
fn conditions_on_attributes_findings_exposure_and_edges() {
    let g = attacks();
    assert_eq!(names(&run(&g, "aws.ec2.instance[attrs.metadata_options.http_tokens = optional]")), vec!["web-1"]);
    // Attributes the graph did not keep are unknown, never equal to anything.
    let bare = graph(&["exposed-instance-attack"], &[], &[]);
    assert!(run(&bare, "aws.ec2.instance[attrs.metadata_options.http_tokens = optional]").is_empty());
    assert_eq!(names(&run(&g, "*[findings.max_severity >= high]")), vec!["web-1"]);
    assert!(run(&g, "*[findings.max_severity >= critical]").is_empty());
    assert_eq!(names(&run(&g, "*[findings.rules contains \"AWS.EC2.8\" and findings.count = 1]")), vec!["web-1"]);
    assert_eq!(
        names(&run(&g, "*[exposure.ports contains 443 and exposure.width = any and exposure.certainty = certain]")),
        vec!["web-1"]
    );
    assert_eq!(names(&run(&g, "*[exposure.ports contains 8080]")), vec!["runner-7f9c", "runner"]);
    assert!(run(&g, "*[exposure.ports contains 22]").is_empty());
    assert_eq!(names(&run(&g, "aws.iam.user[not has_access_keys or name ~ \"ci-*\"]")), vec!["ci-bot"]);
    assert_eq!(
        names(&run(&g, "*[kind in [aws.iam.user, k8s.core.pod] and account = \"prod-cluster\"]")),
        vec!["runner-7f9c"]
    );
    let e = parse("*[account = prod-cluster]").unwrap_err();
    assert!(e.message.contains("quoted"), "{}", e.message);
    let edges =
        run(&g, "*[identity] -can_escalate[method = \"iam:SetDefaultPolicyVersion\" and certainty = certain]-> *");
    assert_eq!(names(&edges), vec!["dev-alice -> 111111111111"]);
    insta::assert_json_snapshot!(edges[0].edges);
}

#[test]
fn errors_name_the_column_with_a_caret() {
    let g = attacks();
    let q = "aws.ec2.instance -can_raed-> *";
    let e = Compiled::new(&g, parse(q).unwrap()).err().unwrap();
    assert_eq!(e.col, 19);
    assert!(
        e.message.starts_with("unknown edge type `can_raed`; this estate has: exposes, can_authenticate_as"),
        "{}",
        e.message
    );
    let q = "*[exposed_to_the_internet]";
    let e = Compiled::new(&g, parse(q).unwrap()).err().unwrap();
    assert_eq!(e.col, 3);
    let q = r#"aws.s3.bucket[tags."data-class" = ] -can_read-> *"#;
    insta::assert_snapshot!(parse(q).unwrap_err().render(q));
}

#[test]
fn templates_parse_and_run_on_seeded_estates() {
    let g = attacks();
    let templates = query::templates().unwrap();
    assert!(templates.len() >= 8, "only {} templates", templates.len());
    let mut out = Vec::new();
    for t in &templates {
        let rows = run(&g, &t.query);
        out.push(format!("{}: {:?}", t.name, names(&rows)));
    }
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn templates_on_the_demo_estate() {
    let g = demo();
    for t in query::templates().unwrap() {
        let _ = run(&g, &t.query);
    }
    let admins = names(&run(&g, "k8s.core.service_account[privileged]"));
    assert!(admins.contains(&"gitlab-runner".to_string()), "{admins:?}");
    let ssh = names(&run(&g, "*[exposed_to_internet and exposure.ports contains 22 and exposure.width = any]"));
    assert!(ssh.contains(&"i-12615df66f999b2fb".to_string()), "{ssh:?}");
    assert!(ssh.contains(&"vm-nw-prod-legacy-ftp-usc1".to_string()), "{ssh:?}");
    // The SFTP gateway is open to partner ranges only.
    let narrow = names(&run(&g, "k8s.core.service[exposure.width = narrow]"));
    assert_eq!(narrow, vec!["sftp-gateway"]);
    let anyone = names(&run(&g, "aws.iam.role <-can_assume- posture.virtual.internet"));
    assert_eq!(anyone, vec!["vendor-sftp-access -> Internet (anyone)"]);
}
