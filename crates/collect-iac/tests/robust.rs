//! Arbitrary input never panics any adapter: each either produces resources or reports issues.

use posture_collect_iac::{arm, cfn, docker, secrets, terraform, SourceFile};
use proptest::prelude::*;

fn file(rel: &str, text: String) -> SourceFile {
    SourceFile { path: rel.into(), rel: rel.into(), text }
}

/// Text made of the characters HCL, YAML and JSON care about, to reach deep parser states.
fn syntaxy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("resource \"aws_s3_bucket\" \"b\" {"), Just("}"), Just("{"), Just("["), Just("]"), Just("("), Just(")"),
            Just("\""), Just("${"), Just("%{"), Just("<<EOT\n"), Just("EOT\n"), Just("\n"), Just(" = "), Just(":"), Just(","),
            Just("var.x"), Just("count.index"), Just("for x in"), Just("?"), Just("!Ref "), Just("Fn::If"), Just("- "),
            Just("[concat('a', parameters('p'))]"), Just("\\"), Just("#"), Just("//"), Just("/*"), Just("*/"), Just("..."),
            Just("dynamic \"ingress\" {"), Just("content {"), Just("1e309"), Just("-"), Just("\u{e9}"), Just("\t"),
        ],
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn terraform_never_panics(text in prop_oneof![syntaxy(), any::<String>()]) {
        let f = file("m/main.tf", text);
        let _ = terraform::scan(&[&f], "iac:t");
    }

    #[test]
    fn cloudformation_and_arm_never_panic(text in prop_oneof![syntaxy(), any::<String>()]) {
        let y = file("t.yaml", format!("AWSTemplateFormatVersion: x\nResources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      {text}"));
        let _ = cfn::scan(&y, "iac:t", &cfn::Files::new());
        let _ = cfn::scan(&file("t.yaml", text.clone()), "iac:t", &cfn::Files::new());
        let _ = arm::scan(&file("t.json", text), "iac:t");
    }

    #[test]
    fn dockerfiles_and_secrets_never_panic(text in prop_oneof![syntaxy(), any::<String>()]) {
        let f = file("Dockerfile", text);
        let _ = docker::scan(&f, "iac:t");
        let found = secrets::scan_file(&f, "iac:t");
        for l in found {
            prop_assert!(l.start >= 1);
        }
    }
}

#[test]
fn deep_nesting_is_an_issue_not_a_stack_overflow() {
    let deep = format!("a = {}\n", "[".repeat(100_000));
    let f = file("deep.tf", deep);
    let (_, issues) = terraform::scan(&[&f], "iac:t");
    assert_eq!(issues.len(), 1);
    let deep_yaml = format!("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: {}\n", "[".repeat(100_000));
    let (_, issues) = cfn::scan(&file("deep.yaml", deep_yaml), "iac:t", &cfn::Files::new());
    assert_eq!(issues.len(), 1);
}
