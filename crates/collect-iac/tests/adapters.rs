//! Each format's fixtures through the adapters and the built-in rules: the exact non-passing
//! results with the file and line that decided them.

mod common;

use common::{assert_schema_valid, failures, fixture, results, short};
use posture_collect_iac::scan;
use posture_model::ResultState;

fn listing(out: &posture_collect_iac::ScanOutput) -> String {
    results(out).into_iter().map(|(uid, rule, state, at)| format!("{at} {rule} {state} {uid}\n")).collect()
}

fn state_of(out: &posture_collect_iac::ScanOutput, rule: &str, uid_tail: &str) -> ResultState {
    results(out).into_iter().find(|r| r.1 == rule && r.0 == uid_tail).map_or(ResultState::Pass, |r| r.2)
}

#[test]
fn terraform_variables_modules_count_for_each_and_merged_resources() {
    let out = scan(&[fixture("terraform/app")]);
    assert_schema_valid(&out);
    let f = failures(&out);
    // tfvars override defaults: admin_cidrs is 0.0.0.0/0, so RDP is open (the rule's own line).
    assert!(f.contains(&"AWS.EC2.2 terraform/app/main.tf:61 aws_security_group.web".to_string()), "{f:#?}");
    let sg = out.resources.iter().find(|l| l.resource.uid.ends_with("#aws_security_group.web")).unwrap();
    let Some(posture_model::Origin::Iac { lines, .. }) = &sg.resource.origin else { panic!() };
    assert_eq!(lines.get("attrs.ingress_rules[2]"), Some(&72), "the aws_security_group_rule's cidr_blocks line");
    assert_eq!(sg.resource.attrs["ingress_rules"].as_array().map(Vec::len), Some(3), "two dynamic blocks and one separate rule");
    // count = var.create_db ? 1 : 0 made one instance; its attribute lines decide.
    assert!(f.contains(&"AWS.RDS.2 terraform/app/main.tf:82 aws_db_instance.main[0]".to_string()), "{f:#?}");
    assert!(f.contains(&"AWS.RDS.1 terraform/app/main.tf:81 aws_db_instance.main[0]".to_string()));
    // for_each over a module: one bucket per key, lines in the module's file.
    assert!(f.contains(&"AWS.S3.5 terraform/app/modules/bucket/main.tf:12 module.data[\"raw\"].aws_s3_bucket.this".to_string()));
    assert_eq!(state_of(&out, "AWS.S3.5", "module.data[\"curated\"].aws_s3_bucket.this"), ResultState::Pass);
    // The v4 S3 resources merge into their bucket: versioned and KMS-encrypted.
    assert_eq!(state_of(&out, "AWS.S3.5", "aws_s3_bucket.logs"), ResultState::Pass);
    assert_eq!(state_of(&out, "AWS.S3.7", "aws_s3_bucket.logs"), ResultState::Pass);
    // restrict_public_buckets = var.strict has no value: unknown, not a failure.
    assert_eq!(state_of(&out, "AWS.S3.1", "aws_s3_bucket.logs"), ResultState::Unknown);
    assert_eq!(state_of(&out, "AWS.EC2.1", "aws_instance.web"), ResultState::Pass);
    let web = out.resources.iter().find(|l| l.resource.uid.ends_with("#aws_instance.web")).unwrap();
    assert_eq!(web.resource.attrs["instance_type"], "m5.large", "lookup(var.sizes, var.env) with env from tfvars");
    assert_eq!(web.resource.relations[0].target, sg.resource.uid);
    // The broken file is a scan issue at its line; the rest of the module was still read.
    assert_eq!(out.issues.len(), 1, "{:?}", out.issues);
    assert_eq!((short(&out.issues[0].file), out.issues[0].line), ("terraform/app/broken.tf".to_string(), 2));
    // The inline suppression above the attribute.
    assert_eq!(out.suppressions.len(), 1);
    let s = &out.suppressions[0];
    assert_eq!((s.rule_id.as_str(), s.line, s.reason.as_str()), ("AWS.RDS.1", 80, "reachable only through the VPN, see ADR-12"));
    assert!(s.uid.ends_with("#aws_db_instance.main[0]"));
    // Code to cloud from terraform.tfstate.
    let link = out.links.iter().find(|l| l.key == "arn:aws:s3:::acme-prod-logs").expect("state link");
    assert_eq!((short(&link.file), link.line, link.address.as_str()), ("terraform/app/main.tf".to_string(), 9, "aws_s3_bucket.logs"));
    insta::assert_snapshot!("terraform_app", listing(&out));
}

#[test]
fn plan_json_merges_and_keeps_unknowns() {
    let out = scan(&[fixture("plan")]);
    assert_schema_valid(&out);
    assert_eq!(state_of(&out, "AWS.S3.5", "aws_s3_bucket.assets"), ResultState::Pass, "versioning linked through the configuration's references");
    assert_eq!(state_of(&out, "AWS.EC2.6", "aws_ebs_volume.data"), ResultState::Unknown, "encrypted is in after_unknown");
    let b = out.resources.iter().find(|l| l.resource.uid.ends_with("#aws_s3_bucket.assets")).unwrap();
    assert_eq!(b.resource.tags.get("team").map(String::as_str), Some("web"));
}

#[test]
fn cloudformation_intrinsics_short_tags_and_conditions() {
    let out = scan(&[fixture("cfn")]);
    assert_schema_valid(&out);
    let f = failures(&out);
    assert!(f.contains(&"AWS.EC2.2 cfn/stack.yaml:55 WebSg".to_string()), "a separate SecurityGroupIngress, at its own line: {f:#?}");
    assert!(f.contains(&"AWS.RDS.2 cfn/stack.yaml:69 Db".to_string()));
    assert!(f.contains(&"AWS.S3.8 cfn/stack.yaml:33 Site".to_string()), "AccessControl: PublicRead enables ACLs");
    assert!(f.contains(&"AWS.SQS.1 cfn/queue.json:8 Jobs".to_string()), "the alternative set in the template: {f:#?}");
    // PubliclyAccessible: !If [IsProd, false, true] with Env defaulting to prod.
    assert_eq!(state_of(&out, "AWS.RDS.1", "Db"), ResultState::Pass);
    assert_eq!(state_of(&out, "AWS.S3.5", "Logs"), ResultState::Pass);
    assert_eq!(state_of(&out, "AWS.S3.5", "Site"), ResultState::Fail);
    // IsMultiRegionTrail depends on a condition that does not exist: unknown.
    assert_eq!(state_of(&out, "AWS.CLOUDTRAIL.1", "Trail"), ResultState::Unknown);
    let site = out.resources.iter().find(|l| l.resource.uid.ends_with("#Site")).unwrap();
    assert_eq!(site.resource.name, "prod-site", "Fn::Join");
    assert_eq!(site.resource.attrs["policy"]["statements"][0]["principals"]["aws"][0], "*", "BucketPolicy folded in");
    let db = out.resources.iter().find(|l| l.resource.uid.ends_with("#Db")).unwrap();
    assert_eq!(db.resource.attrs["db_instance_class"], "m5.large", "Fn::FindInMap");
    assert_eq!(out.suppressions.iter().map(|s| (s.rule_id.as_str(), s.line)).collect::<Vec<_>>(), vec![("AWS.RDS.2", 65)]);
    insta::assert_snapshot!("cloudformation", listing(&out));
}

#[test]
fn arm_parameters_variables_functions_and_children() {
    let out = scan(&[fixture("arm")]);
    assert_schema_valid(&out);
    let f = failures(&out);
    for want in [
        "AZURE.STORAGE.1 arm/storage.json:22 Microsoft.Storage/storageAccounts/acmelogs",
        "AZURE.STORAGE.2 arm/storage.json:23 Microsoft.Storage/storageAccounts/acmelogs",
        "AZURE.STORAGE.3 arm/storage.json:24 Microsoft.Storage/storageAccounts/acmelogs",
        "AZURE.SQL.3 arm/storage.json:35 Microsoft.Sql/servers/acme-sql",
    ] {
        assert!(f.contains(&want.to_string()), "{want} missing from {f:#?}");
    }
    insta::assert_snapshot!("arm", listing(&out));
}

#[test]
fn dockerfiles() {
    let out = scan(&[fixture("docker")]);
    assert_schema_valid(&out);
    let f = failures(&out);
    assert_eq!(
        f.iter().filter(|l| l.contains("docker/Dockerfile")).cloned().collect::<Vec<_>>(),
        vec![
            "IAC.DOCKER.3 docker/Dockerfile:1 dockerfile",
            "IAC.DOCKER.5 docker/Dockerfile:1 dockerfile",
            "IAC.DOCKER.1 docker/Dockerfile:6 dockerfile",
            "IAC.DOCKER.4 docker/Dockerfile:7 dockerfile",
            "IAC.SECRETS.3 docker/Dockerfile:7 secret:7:generic_secret",
            "IAC.DOCKER.2 docker/Dockerfile:8 dockerfile",
            "IAC.DOCKER.6 docker/Dockerfile:10 dockerfile",
        ]
    );
    assert!(!f.iter().any(|l| l.contains("good.Dockerfile")), "the good Dockerfile passes: {f:#?}");
}

#[test]
fn secrets_are_found_masked_and_suppressible() {
    let out = scan(&[fixture("secrets")]);
    assert_schema_valid(&out);
    assert_eq!(failures(&out), vec!["IAC.SECRETS.1 secrets/.env:3 secret:3:github_token", "IAC.SECRETS.3 secrets/.env:5 secret:5:generic_secret"]);
    let text = format!("{:?}", out.resources);
    assert!(!text.contains("0123456789abcdefABCDEF0123456789abcd"), "a secret leaked: {text}");
    assert!(!text.contains("4eC39HqLyjWDarjtT1zdp7dc"));
    assert_eq!(out.suppressions.len(), 1);
    assert_eq!(out.suppressions[0].rule_id, "IAC.SECRETS.3");
}

#[test]
fn kubernetes_manifests_map_to_the_cluster_kinds_with_lines() {
    let out = scan(&[fixture("k8s")]);
    assert_schema_valid(&out);
    let f = failures(&out);
    assert!(f.contains(&"K8S.POD.2 k8s/app.yaml:21 shop/Deployment/web".to_string()), "hostNetwork: {f:#?}");
    assert!(f.contains(&"K8S.POD.1 k8s/app.yaml:23 shop/Deployment/web".to_string()), "the privileged container: {f:#?}");
    let dep = out.resources.iter().find(|l| l.resource.kind == "k8s.apps.deployment").expect("deployment");
    assert!(dep.resource.uid.ends_with("k8s/app.yaml#shop/Deployment/web"), "{}", dep.resource.uid);
    let Some(posture_model::Origin::Iac { lines, .. }) = &dep.resource.origin else { panic!() };
    assert_eq!(lines.get("attrs.containers[0].security_context.privileged"), Some(&26));
    assert_eq!(lines.get("attrs.host_network"), Some(&21));
    let sa = out.resources.iter().find(|l| l.resource.kind == "k8s.core.service_account").expect("service account");
    assert!(dep.resource.relations.iter().any(|r| r.rel == "uses_service_account" && r.target == sa.resource.uid), "{:?}", dep.resource.relations);
}

#[test]
fn kustomize_overlays_render_without_kubectl() {
    let out = scan(&[fixture("kustomize")]);
    assert_schema_valid(&out);
    assert_eq!(out.issues, Vec::new());
    let deps: Vec<_> = out.resources.iter().filter(|l| l.resource.kind == "k8s.apps.deployment").collect();
    assert_eq!(deps.len(), 1, "only the top-level overlay renders the base: {:?}", deps.iter().map(|d| &d.resource.uid).collect::<Vec<_>>());
    let d = &deps[0].resource;
    assert!(d.uid.contains("kustomize/base/deployment.yaml#") && d.uid.ends_with("kustomize/overlays/prod:shop-prod/Deployment/prod-api"), "{}", d.uid);
    assert_eq!(d.name, "prod-api");
    assert_eq!(d.attrs["containers"][0]["image"], "shop/api:1.4.2");
    assert_eq!(d.attrs["containers"][0]["security_context"]["privileged"], false, "the overlay's patch");
    assert_eq!(d.attrs["namespace"], "shop-prod");
    let f = failures(&out);
    assert!(!f.iter().any(|l| l.starts_with("K8S.POD.1 ")), "patched to unprivileged: {f:#?}");
}
