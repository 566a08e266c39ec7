//! `posture scan aws` with the real AWS SDK against a real AWS emulator (moto server), started
//! per test on its own port so estates stay apart. `.ci/run` installs moto into target/moto-venv;
//! elsewhere set MOTO_SERVER to a `moto_server` executable.

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
    let scan = posture(&db, dir.path(), url, &["scan", "aws", "--regions", "us-east-1", "--save-snapshot", snap.to_str().unwrap()]);
    assert!(scan.status.success(), "{}", String::from_utf8_lossy(&scan.stderr));
    let id = |k: &str| ids[k].as_str().unwrap().to_string();
    let (bastion, stale_key) = (id("bastion"), id("stale_key"));
    let stale_key_name = stale_key.rsplit('/').next().unwrap().to_string();
    let expected = pairs(&[
        ("AWS.IAM.4", "alice"),
        ("AWS.IAM.7", "ci-bot"),
        ("AWS.IAM.8", "alice"),
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
    for healthy in ["bob", "nw-app-data", "web", "org-trail", &id("app")] {
        assert!(!open.iter().any(|(_, n)| n == healthy), "{healthy} is unknown: {open:?}");
    }
    // Encryption on volumes: the seeded plain volume and the two unencrypted root volumes fail.
    let volumes = findings(&db, dir.path(), url, "fail", &["AWS.EC2.6"]);
    assert!(volumes.contains(&("AWS.EC2.6".into(), id("plain_volume"))));
    assert!(!volumes.contains(&("AWS.EC2.6".into(), id("sealed_volume"))));

    // What was collected re-evaluates offline to the same findings.
    let offline = dir.path().join("offline.db");
    let again = posture(&offline, dir.path(), "http://127.0.0.1:1", &["scan", "snapshot", snap.to_str().unwrap()]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(findings(&offline, dir.path(), url, "fail", CHECKED), expected);
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
    let first = posture(&db, dir.path(), url, &["scan", "aws", "--regions", "us-east-1"]);
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
        .args(["--format", "json", "scan", "aws", "--regions", "us-east-1", "--max-attempts", "2", "--timeout", "3"])
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
