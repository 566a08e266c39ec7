//! The TerraGoat corpus (deliberately vulnerable Terraform): known misconfigurations are found at
//! their lines, every resource conforms to its kind's schema, and nothing is silently lost.

mod common;

use common::{assert_schema_valid, failures};
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/terragoat/terraform")
}

/// (rule, file:line, resource) that TerraGoat's comments and README say are there.
const EXPECTED: &[&str] = &[
    "AWS.S3.5 aws/s3.tf:1 aws_s3_bucket.data",
    "AWS.S3.4 aws/s3.tf:1 aws_s3_bucket.data",
    "AWS.S3.7 aws/s3.tf:1 aws_s3_bucket.data",
    "AWS.S3.5 aws/s3.tf:42 aws_s3_bucket.financials",
    "AWS.EC2.2 aws/ec2.tf:94 aws_security_group.web-node",
    "AWS.EC2.6 aws/ec2.tf:34 aws_ebs_volume.web_host_storage",
    "AWS.RDS.2 aws/db-app.tf:19 aws_db_instance.default",
    "AWS.RDS.1 aws/db-app.tf:22 aws_db_instance.default",
    "AWS.KMS.1 aws/kms.tf:1 aws_kms_key.logs_key",
    "AWS.ECR.1 aws/ecr.tf:1 aws_ecr_repository.repository",
    "AWS.OPENSEARCH.1 aws/es.tf:1 aws_elasticsearch_domain.monitoring-framework",
    "AWS.ELB.1 aws/elb.tf:2 aws_elb.weblb",
    "AWS.IAM.8 aws/iam.tf:25 aws_iam_user.user",
    "AWS.LAMBDA.3 aws/lambda.tf:44 aws_lambda_function.analysis_lambda",
    "IAC.SECRETS.1 aws/providers.tf:10 secret:10:aws_access_key_id",
    "IAC.SECRETS.1 aws/lambda.tf:45 secret:45:aws_access_key_id",
    "IAC.SECRETS.3 aws/consts.tf:42 secret:42:generic_secret",
    "AZURE.NETWORK.1 azure/networking.tf:86 azurerm_network_security_group.bad_sg",
    "AZURE.NETWORK.2 azure/networking.tf:74 azurerm_network_security_group.bad_sg",
    "AZURE.KEYVAULT.1 azure/key_vault.tf:1 azurerm_key_vault.example",
    "AZURE.WEB.1 azure/app_service.tf:27 azurerm_app_service.app-service1",
    "AZURE.SQL.1 azure/mssql.tf:20 azurerm_mssql_server.mssql1",
    "GCP.COMPUTE.9 gcp/networks.tf:22 google_compute_firewall.allow_all",
    "GCP.STORAGE.1 gcp/gcs.tf:19 google_storage_bucket.terragoat_website",
];

#[test]
fn terragoat_misconfigurations_are_found_at_their_lines() {
    let out = posture_collect_iac::scan(&[corpus()]);
    assert!(out.files >= 40, "only {} files read", out.files);
    // Every file parses: a problem would be an issue here, never silently skipped.
    assert_eq!(out.issues, Vec::new());
    assert!(out.resources.len() >= 80, "only {} resources", out.resources.len());
    assert_schema_valid(&out);
    let found = failures(&out);
    let missing: Vec<&&str> = EXPECTED.iter().filter(|e| !found.iter().any(|f| f == **e)).collect();
    assert!(missing.is_empty(), "missing {missing:#?}\nfound:\n{}", found.join("\n"));
    // Separate resources fold into their targets: the storage account's network rules resource
    // sets default_action Deny on the account it names.
    let sa = out.resources.iter().find(|l| l.resource.uid.ends_with("#azurerm_storage_account.example")).expect("storage account");
    assert_eq!(sa.resource.attrs["network_rule_set"]["default_action"], "Deny");
    // yor_trace tags link the code to deployed resources.
    assert!(out.links.iter().any(|l| l.key == "yor_trace:0874007d-903a-4b4c-945f-c9c233e13243" && l.address == "aws_s3_bucket.data"));
}

#[test]
fn a_damaged_copy_reports_issues_and_keeps_the_rest() {
    let dir = std::env::temp_dir().join(format!("posture-iac-damaged-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s3 = std::fs::read_to_string(corpus().join("aws/s3.tf")).unwrap();
    std::fs::write(dir.join("s3.tf"), &s3).unwrap();
    // Cut a file in the middle of a block.
    std::fs::write(dir.join("cut.tf"), &s3[..s3.len() / 2]).unwrap();
    let out = posture_collect_iac::scan(std::slice::from_ref(&dir));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.issues.len(), 1, "{:?}", out.issues);
    assert!(out.issues[0].file.ends_with("cut.tf") && out.issues[0].line > 1, "{:?}", out.issues[0]);
    assert!(out.resources.iter().any(|l| l.resource.uid.contains("s3.tf#aws_s3_bucket.data")));
}

#[test]
fn broken_templates_of_every_format_are_issues() {
    let dir = std::env::temp_dir().join(format!("posture-iac-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("stack.json"), "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {").unwrap();
    std::fs::write(dir.join("azure.json"), "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", [").unwrap();
    std::fs::write(dir.join("stack.yaml"), "AWSTemplateFormatVersion: x\nResources:\n  A: [\n").unwrap();
    std::fs::write(dir.join("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n").unwrap();
    let out = posture_collect_iac::scan(std::slice::from_ref(&dir));
    std::fs::remove_dir_all(&dir).ok();
    let mut files: Vec<&str> = out.issues.iter().map(|i| i.file.rsplit('/').next().unwrap_or_default()).collect();
    files.sort();
    assert_eq!(files, vec!["azure.json", "pod.yaml", "stack.json", "stack.yaml"], "{:?}", out.issues);
}
