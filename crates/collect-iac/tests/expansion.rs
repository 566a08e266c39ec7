//! What the scanner expands before mapping: Kustomize patches and generators, the SAM transform,
//! nested CloudFormation stacks, ARM copy loops and Terraform modules downloaded by
//! `terraform init` (or not). Each asserts exact findings with the file and line that decided
//! them.

mod common;

use common::{assert_schema_valid, failures, fixture, results, short};
use posture_collect_iac::scan;
use posture_model::ResultState;

fn state_of(out: &posture_collect_iac::ScanOutput, rule: &str, uid_tail: &str) -> ResultState {
    results(out).into_iter().find(|r| r.1 == rule && r.0 == uid_tail).map_or(ResultState::Pass, |r| r.2)
}

fn issues(out: &posture_collect_iac::ScanOutput) -> Vec<String> {
    out.issues.iter().map(|i| format!("{}:{} {}", short(&i.file), i.line, i.message)).collect()
}

fn resource<'a>(out: &'a posture_collect_iac::ScanOutput, uid_tail: &str) -> &'a posture_model::Resource {
    match out.resources.iter().find(|l| l.resource.uid.ends_with(uid_tail)) {
        Some(l) => &l.resource,
        None => panic!("no resource {uid_tail} in {:?}", out.resources.iter().map(|l| &l.resource.uid).collect::<Vec<_>>()),
    }
}

#[test]
fn kustomize_patches_point_at_the_overlay_that_set_the_field() {
    let out = scan(&[fixture("kustomize-patches")]);
    assert_schema_valid(&out);
    assert_eq!(issues(&out), Vec::<String>::new());
    let web = "crates/collect-iac/tests/fixtures/kustomize-patches/overlays/prod:shop/Deployment/web-prod";
    let f = failures(&out);
    let pod: Vec<&String> = f.iter().filter(|l| l.starts_with("K8S.POD.1 ") || l.starts_with("K8S.POD.2 ")).collect();
    assert_eq!(
        pod,
        vec![
            // The inline JSON 6902 patch in the kustomization turned hostNetwork on.
            &format!("K8S.POD.2 kustomize-patches/overlays/prod/kustomization.yaml:15 {web}"),
            // The JSON 6902 patch file made the app container privileged (its value line).
            &format!("K8S.POD.1 kustomize-patches/overlays/prod/privileged.json:5 {web}"),
        ],
        "{f:#?}"
    );
    // A field no patch touched still points at the base manifest.
    assert!(f.contains(&format!("K8S.POD.3 kustomize-patches/base/deployment.yaml:14 {web}")), "{f:#?}");
    let d = resource(&out, web);
    assert!(d.uid.contains("kustomize-patches/base/deployment.yaml#"), "{}", d.uid);
    let names: Vec<&str> = d.attrs["containers"].as_array().map_or(Vec::new(), |c| c.iter().filter_map(|x| x["name"].as_str()).collect());
    assert_eq!(names, vec!["app"], "the debug sidecar is deleted by $patch: delete");
    // A suppression comment in an overlay's patch file applies to the rendered object.
    let sup: Vec<(String, u32, &str, bool)> = out.suppressions.iter().map(|s| (short(&s.file), s.line, s.rule_id.as_str(), s.uid.ends_with(web))).collect();
    assert_eq!(sup, vec![("kustomize-patches/overlays/prod/capabilities.yaml".to_string(), 8, "K8S.POD.2", true)]);
    assert_eq!(d.attrs["host_pid"], true);
    // namePrefix/nameSuffix follow references: the renamed ServiceAccount is still the one used.
    let sa = resource(&out, "overlays/prod:shop/ServiceAccount/web-prod");
    assert!(d.relations.iter().any(|r| r.rel == "uses_service_account" && r.target == sa.uid), "{:?}", d.relations);
    assert_eq!(d.attrs["service_account_name"], "web-prod");
    // Generators: the overlay's Secret keeps key names only, never values; nameSuffix applies.
    let secret = resource(&out, "overlays/prod:shop/Secret/db-prod");
    assert_eq!(secret.attrs["data_keys"], serde_json::json!(["DB_PASSWORD", "DB_USER"]));
    let text = format!("{:?}", out.resources);
    assert!(!text.contains("Tq8vR2mXw9Lp"), "a generated secret's value leaked");
}

#[test]
fn sam_functions_tables_and_execution_roles() {
    let out = scan(&[fixture("cfn-sam")]);
    assert_schema_valid(&out);
    assert_eq!(issues(&out), Vec::<String>::new());
    let api = resource(&out, "#Api");
    assert_eq!(api.kind, "aws.lambda.function");
    assert_eq!(api.attrs["runtime"], "python3.12", "from Globals");
    assert_eq!(api.attrs["tracing_mode"], "Active", "Globals Tracing");
    assert_eq!(api.attrs["environment_variable_names"], serde_json::json!(["DB_PASSWORD", "STAGE"]), "Globals variables merged");
    let role = resource(&out, "#ApiRole");
    assert_eq!(role.kind, "aws.iam.role");
    assert_eq!(role.attrs["inline_policy_names"], serde_json::json!(["ApiRolePolicy1"]));
    assert_eq!(role.attrs["trust_policy"]["statements"][0]["principals"]["service"][0], "lambda.amazonaws.com");
    assert!(api.relations.iter().any(|r| r.rel == "assumes_role" && r.target == role.uid), "{:?}", api.relations);
    assert!(out.resources.iter().all(|l| !l.resource.uid.ends_with("#WorkerRole")), "Worker names its own role");
    assert_eq!(resource(&out, "#Orders").kind, "aws.dynamodb.table");
    let f = failures(&out);
    for want in [
        "AWS.LAMBDA.3 cfn-sam/template.yaml:17 Api",
        "AWS.DYNAMODB.1 cfn-sam/template.yaml:32 Orders",
        "AWS.LAMBDA.1 cfn-sam/template.yaml:29 Worker",
        "AWS.LAMBDA.6 cfn-sam/template.yaml:30 Worker",
    ] {
        assert!(f.contains(&want.to_string()), "{want} missing from {f:#?}");
    }
    assert_eq!(state_of(&out, "AWS.LAMBDA.6", "Api"), ResultState::Pass);
    // A SAM REST API is the stage SAM deploys.
    let stage = resource(&out, "#PublicApi");
    assert_eq!((stage.kind.as_str(), stage.name.as_str()), ("aws.apigateway.stage", "prod"));
    assert_eq!(stage.attrs["rest_api_name"], "orders-api");
    assert_eq!(stage.attrs["endpoint_types"], serde_json::json!(["EDGE"]));
    assert_eq!(stage.attrs["method_settings"][0]["method_path"], "*/*");
    for want in [
        "AWS.APIGATEWAY.3 cfn-sam/template.yaml:36 PublicApi",
        "AWS.APIGATEWAY.7 cfn-sam/template.yaml:36 PublicApi",
        "AWS.APIGATEWAY.8 cfn-sam/template.yaml:42 PublicApi",
    ] {
        assert!(f.contains(&want.to_string()), "{want} missing from {f:#?}");
    }
    assert_eq!(state_of(&out, "AWS.APIGATEWAY.1", "PublicApi"), ResultState::Pass, "ERROR logging on */*");
    assert_eq!(state_of(&out, "AWS.APIGATEWAY.4", "PublicApi"), ResultState::Unknown, "the web ACL is a separate resource");
    // A SAM HTTP API is its auto-deployed `$default` stage.
    let http = resource(&out, "#Events");
    assert_eq!((http.kind.as_str(), http.name.as_str()), ("aws.apigatewayv2.stage", "$default"));
    assert_eq!((&http.attrs["protocol_type"], &http.attrs["auto_deploy"]), (&serde_json::json!("HTTP"), &serde_json::json!(true)));
    assert_eq!(state_of(&out, "AWS.APIGATEWAY.7", "Events"), ResultState::Pass, "access logs to a log group");
}

#[test]
fn nested_stacks_take_the_parameters_passed_and_remote_ones_are_reported() {
    let out = scan(&[fixture("cfn-nested")]);
    assert_schema_valid(&out);
    assert_eq!(
        issues(&out),
        vec!["cfn-nested/root.yaml:14 nested stack Shared: the template https://s3.amazonaws.com/acme-templates/shared.yaml is remote and not fetched; its resources are not scanned"]
    );
    let data = resource(&out, "stacks/storage.yaml#Storage.Data");
    assert_eq!(data.name, "acme-nested-data", "the parameter the parent passed");
    // The parent passes Suspended (its own default) over the child's default Enabled.
    assert!(failures(&out).contains(&"AWS.S3.5 cfn-nested/stacks/storage.yaml:14 Storage.Data".to_string()), "{:#?}", failures(&out));
    assert_eq!(out.resources.iter().filter(|l| l.resource.kind == "aws.s3.bucket").count(), 1, "the child is not also scanned alone");
}

#[test]
fn arm_copy_loops_expand_resources_and_properties() {
    let out = scan(&[fixture("arm-copy")]);
    assert_schema_valid(&out);
    assert_eq!(
        issues(&out),
        vec!["arm-copy/loops.json:68 Microsoft.Storage/storageAccounts: the copy count cannot be resolved (or exceeds 800); its instances are not scanned"]
    );
    let accounts: Vec<&str> = out.resources.iter().filter(|l| l.resource.kind == "azure.storage.account").map(|l| l.resource.name.as_str()).collect();
    assert_eq!(accounts, vec!["acmedata1", "acmedata2"]);
    let f = failures(&out);
    assert!(f.contains(&"AZURE.STORAGE.3 arm-copy/loops.json:21 Microsoft.Storage/storageAccounts/acmedata2".to_string()), "{f:#?}");
    assert!(!f.iter().any(|l| l.contains("acmedata1") && l.starts_with("AZURE.STORAGE.3")), "{f:#?}");
    let edge = resource(&out, "#Microsoft.Network/networkSecurityGroups/edge");
    let ports: Vec<&serde_json::Value> = edge.attrs["security_rules"].as_array().map_or(Vec::new(), |r| r.iter().map(|x| &x["destination_port_ranges"][0]).collect());
    assert_eq!(ports, vec!["443", "22"]);
    assert_eq!(edge.attrs["security_rules"][1]["name"], "allow-22");
    assert_eq!(edge.attrs["security_rules"][1]["priority"], 101);
    let internal = resource(&out, "#Microsoft.Network/networkSecurityGroups/internal");
    assert!(internal.attrs.get("security_rules").is_none(), "an unresolved property copy count is unknown");
}

#[test]
fn terraform_modules_downloaded_by_init_are_scanned_and_others_reported() {
    let out = scan(&[fixture("terraform-remote")]);
    assert_schema_valid(&out);
    assert_eq!(
        issues(&out),
        vec!["terraform-remote/main.tf:8 module 'logs' from 'git::https://git.example.com/acme/logs.git?ref=v3' is not downloaded (no .terraform/modules/modules.json entry; run terraform init to scan it): its resources are not scanned and its outputs are unknown"]
    );
    let f = failures(&out);
    assert!(f.contains(&"AWS.EC2.2 terraform-remote/.terraform/modules/network/main.tf:12 module.network.aws_security_group.admin".to_string()), "{f:#?}");
    assert_eq!(state_of(&out, "AWS.RDS.1", "aws_db_instance.main"), ResultState::Unknown, "depends on the missing module's output");
}

#[test]
fn arm_nested_deployments_in_outer_and_inner_scope() {
    let out = scan(&[fixture("arm-nested")]);
    assert_schema_valid(&out);
    assert_eq!(issues(&out), vec!["arm-nested/main.json:59 nested deployment linked: the linked template (templateLink) is not fetched; its resources are not scanned"]);
    let f = failures(&out);
    // Outer scope: the parent's parameter; inner scope: the value passed over the child's default.
    assert!(f.contains(&"AZURE.STORAGE.3 arm-nested/main.json:25 Microsoft.Storage/storageAccounts/acmeouter".to_string()), "{f:#?}");
    assert!(f.contains(&"AZURE.STORAGE.1 arm-nested/main.json:50 Microsoft.Storage/storageAccounts/acmeinner".to_string()), "{f:#?}");
    assert_eq!(state_of(&out, "AZURE.STORAGE.3", "Microsoft.Storage/storageAccounts/acmeinner"), ResultState::Pass);
}
