//! `posture scan aws` with the real AWS SDK against a real AWS emulator (moto server), started
//! per test on its own port so estates stay apart. `.ci/run` installs moto into target/moto-venv;
//! elsewhere set MOTO_SERVER to a `moto_server` executable.

#[path = "aws/rds.rs"]
mod rds;

use serde_json::Value;
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Moto {
    child: Child,
    url: String,
    bin_dir: PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> PathBuf {
    if let Some(p) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/moto-venv/bin/moto_server");
    assert!(venv.exists(), "moto server not found: run `bash .ci/run`, or set MOTO_SERVER to a moto_server executable");
    venv
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free local port")
}

fn start_moto() -> Moto {
    let bin = moto_server();
    let port = free_port();
    let child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto server did not listen on {url}");
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto { child, url, bin_dir: bin.parent().map(Path::to_path_buf).unwrap_or_default() }
}

fn seed(moto: &Moto) -> Value {
    let python = moto.bin_dir.join("python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed.py");
    let out = Command::new(python).arg(script).arg(&moto.url).output().expect("the seed script runs");
    assert!(out.status.success(), "seeding failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the seed script prints its ids")
}

fn posture(db: &Path, home: &Path, endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("posture runs")
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// (rule, resource name) of the open findings of `state` among `rules`.
fn findings(db: &Path, home: &Path, url: &str, state: &str, rules: &[&str]) -> BTreeSet<(String, String)> {
    let all = json_of(&posture(db, home, url, &["--format", "json", "findings", "--state", state]));
    all.as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.contains(&f["rule_id"].as_str().unwrap_or_default()))
        .map(|f| (f["rule_id"].as_str().unwrap_or_default().to_string(), f["name"].as_str().unwrap_or_default().to_string()))
        .collect()
}

const CHECKED: &[&str] = &[
    "AWS.IAM.4", "AWS.IAM.7", "AWS.IAM.8", "AWS.IAM.9", "AWS.IAM.10", "AWS.IAM.11", "AWS.IAM.12",
    "AWS.S3.1", "AWS.S3.3", "AWS.EC2.1", "AWS.EC2.2", "AWS.EC2.3", "AWS.KMS.1", "AWS.CLOUDTRAIL.1",
    "AWS.CLOUDTRAIL.2", "AWS.RDS.1", "AWS.RDS.2", "AWS.RDS.3", "AWS.LAMBDA.3",
];

/// Rules of the services added second (ELB, logs and alarms, SNS, SQS, Secrets Manager, ECR, EKS,
/// DynamoDB, GuardDuty, Security Hub, Config, Organizations, EC2 snapshots, AMIs, region settings).
const CHECKED_MORE: &[&str] = &[
    "AWS.ELB.1", "AWS.ELB.3", "AWS.ELBV2.1", "AWS.ELBV2.2", "AWS.ELBV2.4", "AWS.CLOUDWATCH.1", "AWS.CLOUDWATCH.3",
    "AWS.CLOUDWATCH.16", "AWS.CLOUDWATCH.17", "AWS.CLOUDWATCH.18", "AWS.CLOUDWATCH.19", "AWS.SNS.1", "AWS.SNS.2",
    "AWS.SQS.1", "AWS.SQS.3", "AWS.SECRETSMANAGER.1", "AWS.SECRETSMANAGER.5", "AWS.ECR.1", "AWS.ECR.2", "AWS.EKS.1",
    "AWS.EKS.2", "AWS.EKS.3", "AWS.EKS.4", "AWS.DYNAMODB.1", "AWS.DYNAMODB.2", "AWS.GUARDDUTY.1", "AWS.SECURITYHUB.1",
    "AWS.CONFIG.1", "AWS.CONFIG.3", "AWS.ORGANIZATIONS.1", "AWS.ORGANIZATIONS.2", "AWS.ORGANIZATIONS.3", "AWS.EC2.11",
    "AWS.EC2.16", "AWS.EC2.18",
];

/// Rules the network kinds, inline policies and S3 data event coverage decide.
const CHECKED_NETWORK: &[&str] = &["AWS.S3.15", "AWS.S3.16", "AWS.EC2.23"];

/// Every resource of a (gzip) snapshot, after its header.
fn snapshot_resources(snapshot: &Path) -> Vec<posture_model::Resource> {
    use std::io::BufRead;
    let file = std::fs::File::open(snapshot).unwrap();
    let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(file));
    reader.lines().skip(1).map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect()
}

/// The one resource of `kind` named `name`.
fn find<'a>(all: &'a [posture_model::Resource], kind: &str, name: &str) -> &'a posture_model::Resource {
    let hits: Vec<_> = all.iter().filter(|r| r.kind == kind && r.name == name).collect();
    assert_eq!(hits.len(), 1, "{kind} {name}: {} found", hits.len());
    hits[0]
}

/// The IAM groups and inline policies, the EC2 network kinds and the buckets' data event coverage
/// in the saved snapshot of the seeded estate.
fn assert_new_kinds(snapshot: &Path, ids: &Value) {
    use serde_json::json;
    let all = snapshot_resources(snapshot);
    let id = |k: &str| ids[k].as_str().unwrap().to_string();
    let group = find(&all, "aws.iam.group", "platform-admins");
    assert_eq!(group.attrs["member_user_names"], json!(["bob"]));
    assert_eq!(group.attrs["inline_policy_names"], json!(["everything"]));
    assert_eq!(group.attrs["inline_policies"][0]["policy_name"], "everything");
    assert_eq!(group.attrs["inline_policies"][0]["document"]["statements"][0]["actions"], json!(["*"]));
    assert_eq!(group.attrs["inline_policies"][0]["document"]["statements"][0]["resources"], json!(["*"]));
    let read_only = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    assert_eq!(group.attrs["attached_policies"], json!([{"policy_name": "ReadOnlyAccess", "policy_arn": read_only}]));
    assert_eq!(group.related("attached_policy").collect::<Vec<_>>(), vec![read_only]);
    let bob = find(&all, "aws.iam.user", "bob");
    assert_eq!(bob.attrs["groups"], json!(["platform-admins"]));
    assert_eq!(bob.related("member_of").collect::<Vec<_>>(), vec![group.uid.as_str()]);
    assert_eq!(bob.attrs["inline_policies"], json!([]));
    let ci = find(&all, "aws.iam.user", "ci-bot");
    assert_eq!(ci.attrs["inline_policies"][0]["policy_name"], "deploy-artifacts");
    assert_eq!(ci.attrs["inline_policies"][0]["document"]["statements"][0]["actions"], json!(["s3:PutObject"]));
    let role = find(&all, "aws.iam.role", "fn-exec");
    assert_eq!(role.attrs["inline_policy_names"], json!(["write-logs"]));
    assert_eq!(role.attrs["inline_policies"][0]["document"]["statements"][0]["actions"], json!(["logs:PutLogEvents"]));

    let rt = find(&all, "aws.ec2.route_table", &id("public_rt"));
    assert_eq!(rt.attrs["vpc_id"], json!(id("net_vpc")));
    assert_eq!(rt.attrs["main"], json!(false));
    assert_eq!(rt.attrs["associated_subnet_ids"], json!([id("public_subnet")]));
    let default_route: Vec<&Value> =
        rt.attrs["routes"].as_array().unwrap().iter().filter(|r| r["destination_cidr_block"] == "0.0.0.0/0").collect();
    assert_eq!(default_route.len(), 1, "{:?}", rt.attrs["routes"]);
    assert_eq!(default_route[0]["gateway_id"], json!(id("igw")));
    assert_eq!(default_route[0]["state"], "active");
    assert!(rt.related("in_vpc").any(|v| v.ends_with(&format!("vpc/{}", id("net_vpc")))));
    let main_rt: Vec<_> =
        all.iter().filter(|r| r.kind == "aws.ec2.route_table" && r.attrs["vpc_id"] == json!(id("net_vpc")) && r.attrs["main"] == json!(true)).collect();
    assert_eq!(main_rt.len(), 1, "the new VPC has one main route table");
    let igw = find(&all, "aws.ec2.internet_gateway", &id("igw"));
    assert_eq!(igw.attrs["attachments"], json!([id("net_vpc")]));
    let nat = find(&all, "aws.ec2.nat_gateway", &id("nat"));
    assert_eq!(nat.attrs["subnet_id"], json!(id("public_subnet")));
    assert_eq!(nat.attrs["vpc_id"], json!(id("net_vpc")));
    assert_eq!(nat.attrs["addresses"][0]["allocation_id"], json!(id("nat_ip")));
    let spare = find(&all, "aws.ec2.eip", &id("spare_ip"));
    assert_eq!(spare.attrs["association_id"], Value::Null);
    assert_eq!(spare.attrs["instance_id"], Value::Null);
    let used = find(&all, "aws.ec2.eip", &id("bastion_ip"));
    assert_eq!(used.attrs["instance_id"], json!(id("bastion")));
    assert!(used.attrs["association_id"].is_string(), "{:?}", used.attrs);
    let bastion_eni: Vec<_> = all
        .iter()
        .filter(|r| r.kind == "aws.ec2.network_interface" && r.attrs["attached_instance_id"] == json!(id("bastion")))
        .collect();
    assert_eq!(bastion_eni.len(), 1);
    assert_eq!(bastion_eni[0].attrs["security_group_ids"], json!([id("open_ssh_sg")]));
    assert_eq!(bastion_eni[0].attrs["interface_type"], "interface");

    let coverage = |b: &str| find(&all, "aws.s3.bucket", b).attrs.get("cloudtrail_data_events").cloned();
    assert_eq!(coverage("nw-app-data"), Some(json!({"read": true, "write": true})));
    assert_eq!(coverage("nw-public-site"), Some(json!({"read": false, "write": false})));
    assert_eq!(coverage("nw-trail-logs"), Some(json!({"read": false, "write": false})));
    let trail = find(&all, "aws.cloudtrail.trail", "org-trail");
    assert_eq!(
        trail.attrs["data_events"],
        json!([{"resource_type": "AWS::S3::Object", "read_write_type": "All", "resources": ["arn:aws:s3:::nw-app-data/"]}])
    );
}

/// Every resource of a (gzip) snapshot conforms to its kind's schema.
fn assert_conforms(snapshot: &Path) {
    use std::io::BufRead;
    let kinds = posture_schema::KindRegistry::builtin().unwrap();
    let file = std::fs::File::open(snapshot).unwrap();
    let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(file));
    let mut lines = reader.lines();
    let header: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    // Neither a narrowed live collection (`--regions`) nor an AWS Config export proves absence.
    assert_eq!(header["accounts"], serde_json::json!([]), "{header}");
    let mut problems = Vec::new();
    for line in lines {
        let r: posture_model::Resource = serde_json::from_str(&line.unwrap()).unwrap();
        for p in kinds.validate(&r) {
            problems.push(format!("{} {}: {p}", r.kind, r.uid));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn a_seeded_estate_gives_exactly_its_misconfigurations() {
    let moto = start_moto();
    let ids = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let snap = dir.path().join("aws.ndjson.gz");
    let url = moto.url.as_str();
    let scan = posture(&db, dir.path(), url, &["--format", "json", "scan", "aws", "--regions", "us-east-1", "--save-snapshot", snap.to_str().unwrap()]);
    let report = json_of(&scan);
    // What moto 5.2.5 answers wrongly or not at all is recorded, and the rest completes (docs/aws.md):
    // S3 versioning and notification answers carry a root element the Rust SDK rejects; Access
    // Analyzer, Security Hub's enabled standards and five EC2 account settings are not implemented.
    let recorded: BTreeSet<String> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["location"].as_str().unwrap().trim_start_matches("123456789012/").to_string())
        .collect();
    let mut moto_gaps: BTreeSet<String> = [
        "us-east-1/accessanalyzer:ListAnalyzers",
        "us-east-1/securityhub:GetEnabledStandards",
        "us-east-1/ec2:GetEbsDefaultKmsKeyId",
        "us-east-1/ec2:GetSnapshotBlockPublicAccessState",
        "us-east-1/ec2:GetImageBlockPublicAccessState",
        "us-east-1/ec2:GetSerialConsoleAccessStatus",
        "us-east-1/ec2:GetInstanceMetadataDefaults",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for bucket in ["nw-app-data", "nw-public-site", "nw-trail-logs"] {
        moto_gaps.insert(format!("global/s3:GetBucketVersioning({bucket})"));
        moto_gaps.insert(format!("global/s3:GetBucketNotificationConfiguration({bucket})"));
    }
    assert_eq!(recorded, moto_gaps);
    let id = |k: &str| ids[k].as_str().unwrap().to_string();
    let (bastion, stale_key) = (id("bastion"), id("stale_key"));
    let stale_key_name = stale_key.rsplit('/').next().unwrap().to_string();
    let expected = pairs(&[
        ("AWS.IAM.4", "alice"),
        ("AWS.IAM.7", "ci-bot"),
        ("AWS.IAM.8", "alice"),
        ("AWS.IAM.8", "ci-bot"),
        ("AWS.IAM.9", "123456789012"),
        ("AWS.IAM.10", "123456789012"),
        ("AWS.IAM.11", "break-glass-admin"),
        ("AWS.IAM.12", "vendor-access"),
        ("AWS.S3.1", "nw-public-site"),
        ("AWS.S3.1", "nw-trail-logs"),
        ("AWS.S3.3", "nw-public-site"),
        ("AWS.EC2.1", &bastion),
        ("AWS.EC2.2", "legacy-admin"),
        ("AWS.EC2.3", &bastion),
        ("AWS.KMS.1", &stale_key_name),
        ("AWS.CLOUDTRAIL.1", "scratch-trail"),
        ("AWS.CLOUDTRAIL.2", "scratch-trail"),
        ("AWS.RDS.1", "orders-db"),
        ("AWS.RDS.2", "orders-db"),
        ("AWS.RDS.3", "orders-db"),
        ("AWS.LAMBDA.3", "nightly-export"),
    ]);
    let failing = findings(&db, dir.path(), url, "fail", CHECKED);
    assert_eq!(failing, expected, "unexpected: {:?}\nmissing: {:?}", failing.difference(&expected), expected.difference(&failing));

    // The healthy twins pass: no open finding of any state on them for these rules.
    let open = findings(&db, dir.path(), url, "unknown", CHECKED);
    for healthy in ["bob", "nw-app-data", "web", "org-trail", "ledger-db", &id("app")] {
        assert!(!open.iter().any(|(_, n)| n == healthy), "{healthy} is unknown: {open:?}");
    }
    // Encryption on volumes: the seeded plain volume and the two unencrypted root volumes fail.
    let volumes = findings(&db, dir.path(), url, "fail", &["AWS.EC2.6"]);
    assert!(volumes.contains(&("AWS.EC2.6".into(), id("plain_volume"))));
    assert!(!volumes.contains(&("AWS.EC2.6".into(), id("sealed_volume"))));

    // The services added second: exactly the seeded misconfigurations, and their healthy twins pass.
    let (public_snapshot, private_snapshot) = (id("public_snapshot"), id("private_snapshot"));
    let expected_more = pairs(&[
        ("AWS.ELB.1", "legacy-web"),
        ("AWS.ELB.3", "legacy-web"),
        ("AWS.ELBV2.1", "public-alb"),
        ("AWS.ELBV2.4", "public-alb"),
        ("AWS.CLOUDWATCH.1", "org-trail"),
        ("AWS.CLOUDWATCH.16", "app-debug"),
        ("AWS.CLOUDWATCH.17", "app-debug"),
        ("AWS.CLOUDWATCH.18", "silenced-cpu"),
        ("AWS.CLOUDWATCH.19", "silenced-cpu"),
        ("AWS.SNS.1", "public-events"),
        ("AWS.SNS.2", "public-events"),
        ("AWS.SQS.1", "plain-queue"),
        ("AWS.SQS.3", "plain-queue"),
        ("AWS.SECRETSMANAGER.1", "db-password"),
        ("AWS.SECRETSMANAGER.5", "db-password"),
        ("AWS.ECR.1", "legacy-images"),
        // moto answers BatchGetRepositoryScanningConfiguration with MANUAL for every repository,
        // whatever scanOnPush it was created with (a moto gap; AWS reports SCAN_ON_PUSH here).
        ("AWS.ECR.1", "app-images"),
        ("AWS.ECR.2", "legacy-images"),
        ("AWS.EKS.1", "dev-cluster"),
        ("AWS.EKS.2", "dev-cluster"),
        ("AWS.EKS.3", "dev-cluster"),
        ("AWS.EKS.4", "dev-cluster"),
        ("AWS.DYNAMODB.1", "sessions"),
        ("AWS.DYNAMODB.2", "sessions"),
        ("AWS.GUARDDUTY.1", "none"),
        ("AWS.CONFIG.1", "default"),
        ("AWS.ORGANIZATIONS.3", "sandbox"),
        ("AWS.EC2.11", "us-east-1"),
        ("AWS.EC2.16", &public_snapshot),
        ("AWS.EC2.18", "bastion-golden"),
    ]);
    let failing_more = findings(&db, dir.path(), url, "fail", CHECKED_MORE);
    assert_eq!(
        failing_more,
        expected_more,
        "unexpected: {:?}\nmissing: {:?}",
        failing_more.difference(&expected_more),
        expected_more.difference(&failing_more)
    );
    let open_more = findings(&db, dir.path(), url, "unknown", CHECKED_MORE);
    let healthy_more = [
        "internal-api", "edge-alb", "org-trail-events", "RootAccountUsageAlarm", "security-alerts", "jobs", "prod-cluster",
        "ledger", "prod", &private_snapshot,
    ];
    for healthy in healthy_more {
        assert!(!open_more.iter().any(|(_, n)| n == healthy), "{healthy} is unknown: {open_more:?}");
        assert!(!failing_more.iter().any(|(_, n)| n == healthy), "{healthy} fails");
    }
    // moto leaves `routing.http.drop_invalid_header_fields.enabled` out of an ALB's attributes
    // until it is set: unknown, not healthy.
    assert!(open_more.contains(&("AWS.ELBV2.2".into(), "public-alb".into())), "{open_more:?}");
    // The CIS 4.3 chain (trail → log group → metric filter → alarm → SNS) passes for org-trail.
    assert!(!open_more.contains(&("AWS.CLOUDWATCH.3".into(), "org-trail".into())), "{open_more:?}");
    assert_conforms(&snap);
    assert_new_kinds(&snap, &ids);
    rds::assert_kinds(&snap);
    rds::assert_findings(&db, dir.path(), url);

    // Object-level events of nw-app-data only are recorded by a logging trail; one Elastic IP is idle.
    let expected_network = pairs(&[
        ("AWS.S3.15", "nw-public-site"),
        ("AWS.S3.15", "nw-trail-logs"),
        ("AWS.S3.16", "nw-public-site"),
        ("AWS.S3.16", "nw-trail-logs"),
        ("AWS.EC2.23", &id("spare_ip")),
    ]);
    let failing_network = findings(&db, dir.path(), url, "fail", CHECKED_NETWORK);
    assert_eq!(
        failing_network,
        expected_network,
        "unexpected: {:?}\nmissing: {:?}",
        failing_network.difference(&expected_network),
        expected_network.difference(&failing_network)
    );
    assert_eq!(findings(&db, dir.path(), url, "unknown", CHECKED_NETWORK), BTreeSet::new());

    // What was collected re-evaluates offline to the same findings.
    let offline = dir.path().join("offline.db");
    let again = posture(&offline, dir.path(), "http://127.0.0.1:1", &["scan", "snapshot", snap.to_str().unwrap()]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(findings(&offline, dir.path(), url, "fail", CHECKED), expected);
    assert_eq!(findings(&offline, dir.path(), url, "fail", CHECKED_MORE), expected_more);
    assert_eq!(findings(&offline, dir.path(), url, "fail", CHECKED_NETWORK), expected_network);
}

/// A stand-in AWS endpoint that answers every request with the same error, counting requests.
struct FakeEndpoint {
    url: String,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn fake_endpoint(status: u16, error_type: &'static str, body: &'static str) -> FakeEndpoint {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body_in = vec![0; length];
            let _ = reader.read_exact(&mut body_in);
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let reply = format!(
                "HTTP/1.1 {status} Error\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {error_type}\r\nx-amzn-RequestId: fake\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = reader.get_mut().write_all(reply.as_bytes());
        }
    });
    FakeEndpoint { url, hits }
}

#[test]
fn throttled_denied_and_dead_services_are_recorded_and_the_rest_completes() {
    let moto = start_moto();
    seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let url = moto.url.as_str();
    // A clean first scan: the stale key's finding is open.
    // The services the faults hit, and IAM beside them: the rest of the estate adds only time.
    let services = "iam,kms,rds,lambda";
    let first = posture(&db, dir.path(), url, &["scan", "aws", "--regions", "us-east-1", "--services", services]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(findings(&db, dir.path(), url, "fail", &["AWS.KMS.1"]).len(), 1);

    let throttle = fake_endpoint(400, "ThrottlingException", r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#);
    let deny = fake_endpoint(403, "AccessDeniedException", r#"{"Type":"User","Message":"not authorized to perform lambda:ListFunctions"}"#);
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let out = Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("--db")
        .arg(&db)
        .args(["--format", "json", "scan", "aws", "--regions", "us-east-1", "--services", services, "--max-attempts", "2", "--timeout", "3"])
        .env_clear()
        .env("HOME", dir.path())
        .env("AWS_ENDPOINT_URL", url)
        .env("AWS_ENDPOINT_URL_KMS", &throttle.url)
        .env("AWS_ENDPOINT_URL_LAMBDA", &deny.url)
        .env("AWS_ENDPOINT_URL_RDS", &dead_url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let report = json_of(&out);
    let issues: Vec<String> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("{} {}", i["location"].as_str().unwrap(), i["message"].as_str().unwrap()))
        .collect();
    let has = |what: &str, kind: &str| issues.iter().any(|i| i.contains(what) && i.contains(kind));
    assert!(has("us-east-1/kms:ListKeys", "[throttled]"), "{issues:#?}");
    assert!(has("us-east-1/lambda:ListFunctions", "[denied]"), "{issues:#?}");
    assert!(has("us-east-1/rds:DescribeDBInstances", "[unreachable]"), "{issues:#?}");
    assert!(throttle.hits.load(std::sync::atomic::Ordering::SeqCst) >= 2, "throttled calls are retried");
    assert_eq!(deny.hits.load(std::sync::atomic::Ordering::SeqCst), 1, "a denial is not retried");
    assert_eq!(report["complete"], Value::Bool(false), "a scan with failed services is partial");
    // The rest of the estate was still collected and evaluated.
    assert!(findings(&db, dir.path(), url, "fail", &["AWS.IAM.4"]).contains(&("AWS.IAM.4".into(), "alice".into())));
    // Nothing that could not be read is passed off as fixed or gone.
    assert_eq!(findings(&db, dir.path(), url, "fail", &["AWS.KMS.1", "AWS.RDS.1", "AWS.LAMBDA.3"]).len(), 3);
    let scans = json_of(&posture(&db, dir.path(), url, &["--format", "json", "scans"]));
    assert_eq!(scans[0]["status"], "partial");
}

/// Copies the AWS Config fixtures into `dir`, the snapshot file gzipped under the name AWS gives it.
fn config_exports(dir: &Path) -> PathBuf {
    use std::io::Write;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws/config");
    let exports = dir.join("exports");
    std::fs::create_dir_all(exports.join("AWSLogs/210987654321/Config/eu-west-1")).unwrap();
    let gz = exports.join("AWSLogs/210987654321/Config/eu-west-1/210987654321_Config_eu-west-1_ConfigSnapshot_20261127T221405Z_5b0f8e2a.json.gz");
    let mut w = flate2::write::GzEncoder::new(std::fs::File::create(gz).unwrap(), flate2::Compression::default());
    w.write_all(&std::fs::read(src.join("snapshot.json")).unwrap()).unwrap();
    w.finish().unwrap();
    for f in ["select-resource-config.json", "items.ndjson"] {
        std::fs::copy(src.join(f), exports.join(f)).unwrap();
    }
    exports
}

const CHECKED_CONFIG: &[&str] = &[
    "AWS.S3.1", "AWS.S3.3", "AWS.S3.5", "AWS.EC2.1", "AWS.EC2.2", "AWS.EC2.6", "AWS.EC2.10", "AWS.IAM.11", "AWS.IAM.12",
    "AWS.RDS.1", "AWS.RDS.2", "AWS.CLOUDTRAIL.1", "AWS.CLOUDTRAIL.2", "AWS.LAMBDA.3", "AWS.SQS.1", "AWS.SNS.1",
    "AWS.DYNAMODB.1", "AWS.DYNAMODB.2", "AWS.KMS.1", "AWS.EC2.23",
];

#[test]
fn aws_config_exports_import_into_the_same_findings_and_bad_items_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let exports = config_exports(dir.path());
    let db = dir.path().join("p.db");
    let snap = dir.path().join("config.ndjson.gz");
    let out = posture(&db, dir.path(), "http://127.0.0.1:1", &["--format", "json", "scan", "aws-config", exports.to_str().unwrap(), "--save-snapshot", snap.to_str().unwrap()]);
    let report = json_of(&out);
    let expected = pairs(&[
        ("AWS.S3.1", "harbor-press-kit"),
        ("AWS.S3.5", "harbor-press-kit"),
        ("AWS.EC2.1", "i-0c4f7a9e2b1d35680"),
        ("AWS.EC2.2", "jump-host"),
        ("AWS.EC2.6", "vol-0a9b8c7d6e5f40312"),
        ("AWS.EC2.10", "subnet-0aa11bb22cc33dd44"),
        ("AWS.IAM.11", "ops-everything"),
        ("AWS.IAM.12", "partner-audit"),
        ("AWS.RDS.1", "billing-db"),
        ("AWS.RDS.2", "billing-db"),
        ("AWS.CLOUDTRAIL.1", "ops-trail"),
        ("AWS.CLOUDTRAIL.2", "ops-trail"),
        ("AWS.LAMBDA.3", "invoice-export"),
        ("AWS.SQS.1", "invoice-events"),
        ("AWS.DYNAMODB.1", "invoices"),
        ("AWS.DYNAMODB.2", "invoices"),
        ("AWS.EC2.23", "eipalloc-0b0b0b0b0b0b0b0b2"),
    ]);
    let failing = findings(&db, dir.path(), "http://127.0.0.1:1", "fail", CHECKED_CONFIG);
    assert_eq!(failing, expected, "unexpected: {:?}\nmissing: {:?}", failing.difference(&expected), expected.difference(&failing));
    // Config records neither KMS key rotation nor a bucket's object ownership (whether its
    // AllUsers grant is in force): unknown, never passed.
    let unknown = findings(&db, dir.path(), "http://127.0.0.1:1", "unknown", CHECKED_CONFIG);
    assert_eq!(unknown, pairs(&[("AWS.KMS.1", "0b6f4c1e-3a2d-4f5e-8c7b-9d0a1e2f3a4b"), ("AWS.S3.3", "harbor-press-kit")]));
    // One bad item in each file is recorded; everything else was imported.
    let issues: Vec<String> = report["issues"].as_array().unwrap().iter().map(|i| format!("{} {}", i["location"], i["message"])).collect();
    assert_eq!(issues.len(), 3, "{issues:#?}");
    assert!(issues.iter().any(|i| i.contains("ConfigSnapshot") && i.contains("#17") && i.contains("no resourceType")), "{issues:#?}");
    assert!(issues.iter().any(|i| i.contains("select-resource-config.json#4") && i.contains("not a JSON object")), "{issues:#?}");
    assert!(issues.iter().any(|i| i.contains("items.ndjson#3") && i.contains("no configuration")), "{issues:#?}");
    assert_eq!(report["complete"], Value::Bool(false), "an import with bad items is partial");
    // The network interface item, an unmapped type before, is now one of them, and items.ndjson
    // adds a group, a route table, internet and NAT gateways, two Elastic IPs and an RDS event
    // subscription.
    assert_eq!(report["resources"], 27, "{report}");
    assert_conforms(&snap);
    let all = snapshot_resources(&snap);
    rds::assert_config_subscription(&all, &db, dir.path());
    let eni = find(&all, "aws.ec2.network_interface", "eni-0123456789abcdef0");
    assert_eq!(eni.attrs["security_group_ids"], serde_json::json!([]));
    let bot = find(&all, "aws.iam.user", "deploy-bot");
    assert_eq!(bot.attrs["inline_policies"][0]["policy_name"], "deploy-inline");
    assert_eq!(bot.attrs["inline_policies"][0]["document"]["statements"][0]["actions"], serde_json::json!(["s3:PutObject"]));
    assert_eq!(bot.related("member_of").collect::<Vec<_>>(), vec!["arn:aws:iam::210987654321:group/deployers"]);
    let group = find(&all, "aws.iam.group", "deployers");
    assert_eq!(bot.related("member_of").next(), Some(group.uid.as_str()));
    assert_eq!(group.attrs["inline_policies"][0]["document"]["statements"][0]["actions"], serde_json::json!(["*"]));
    assert_eq!(group.related("attached_policy").collect::<Vec<_>>(), vec!["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    let rt = find(&all, "aws.ec2.route_table", "rtb-0e1d2c3b4a5968778");
    assert_eq!(rt.attrs["associated_subnet_ids"], serde_json::json!(["subnet-0aa11bb22cc33dd44"]));
    assert_eq!(rt.attrs["routes"][1]["gateway_id"], "igw-0c0ffee0c0ffee001");
    let igw = find(&all, "aws.ec2.internet_gateway", "igw-0c0ffee0c0ffee001");
    assert_eq!(igw.attrs["attachments"], serde_json::json!(["vpc-0f1e2d3c4b5a69788"]));
    let nat = find(&all, "aws.ec2.nat_gateway", "nat-0b1a2c3d4e5f60789");
    assert_eq!(nat.attrs["addresses"][0]["allocation_id"], "eipalloc-0a0a0a0a0a0a0a0a1");
    let used = find(&all, "aws.ec2.eip", "eipalloc-0a0a0a0a0a0a0a0a1");
    assert_eq!(used.related("attached_to").collect::<Vec<_>>(), vec!["arn:aws:ec2:eu-west-1:210987654321:network-interface/eni-0f0f0f0f0f0f0f0f1"]);
}
