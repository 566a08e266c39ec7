//! Where the cluster is and how to authenticate: kubeconfig files or in-cluster credentials.
//!
//! Supported: bearer tokens (`token`, `tokenFile`), client certificates (inline or files), exec
//! credential plugins (`aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin`, run once,
//! non-interactively), the `oidc` auth-provider's cached `id-token`, the cluster CA (inline or
//! file), `insecure-skip-tls-verify`, `tls-server-name`, `http://` servers. Not supported: other
//! legacy auth-providers (`gcp`, `azure`), basic auth, `proxy-url`, token refresh mid-scan.

use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where in-cluster credentials live in every pod.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
const EXEC_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no Kubernetes configuration: no --kubeconfig, KUBECONFIG or ~/.kube/config, and not running in a cluster"
    )]
    NotFound,
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("kubeconfig: {0}")]
    Invalid(String),
    #[error("kubeconfig user '{user}': {message}")]
    Auth { user: String, message: String },
    #[error("in-cluster configuration: {0}")]
    InCluster(String),
}

/// Credentials; `Debug` never shows them.
pub enum Auth {
    None,
    Bearer(String),
    ClientCert { certs: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static> },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::None => "Auth::None",
            Auth::Bearer(_) => "Auth::Bearer(<redacted>)",
            Auth::ClientCert { .. } => "Auth::ClientCert(<redacted>)",
        })
    }
}

/// One cluster to talk to.
#[derive(Debug)]
pub struct ClusterConfig {
    /// API server base URL, e.g. `https://10.0.0.1:6443` (may carry a path prefix).
    pub server: String,
    /// Name of the kubeconfig context used (none in-cluster).
    pub context: Option<String>,
    /// Name of the kubeconfig cluster entry (none in-cluster).
    pub cluster_entry: Option<String>,
    /// Trusted CAs; empty means the system's roots.
    pub ca: Vec<CertificateDer<'static>>,
    pub insecure_skip_tls_verify: bool,
    /// Name to check the server certificate against instead of the URL's host.
    pub tls_server_name: Option<String>,
    pub auth: Auth,
}

/// What the user asked for on the command line.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

impl ClusterConfig {
    /// `--kubeconfig`, else `$KUBECONFIG` (a path list, merged), else `~/.kube/config`, else the
    /// in-cluster service account.
    pub fn load(opts: &LoadOptions) -> Result<ClusterConfig, ConfigError> {
        if let Some(path) = &opts.kubeconfig {
            return ClusterConfig::from_kubeconfig_files(std::slice::from_ref(path), opts.context.as_deref());
        }
        if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
            let paths: Vec<PathBuf> = std::env::split_paths(&list).filter(|p| p.is_file()).collect();
            if !paths.is_empty() {
                return ClusterConfig::from_kubeconfig_files(&paths, opts.context.as_deref());
            }
        }
        if let Some(home) = home_dir() {
            let path = home.join(".kube").join("config");
            if path.is_file() {
                return ClusterConfig::from_kubeconfig_files(&[path], opts.context.as_deref());
            }
        }
        match (std::env::var("KUBERNETES_SERVICE_HOST"), std::env::var("KUBERNETES_SERVICE_PORT")) {
            (Ok(host), Ok(port)) if !host.is_empty() => {
                ClusterConfig::in_cluster(Path::new(SERVICE_ACCOUNT_DIR), &host, &port)
            }
            _ => Err(ConfigError::NotFound),
        }
    }

    /// The service account token and CA mounted into every pod.
    pub fn in_cluster(dir: &Path, host: &str, port: &str) -> Result<ClusterConfig, ConfigError> {
        let read = |name: &str| {
            std::fs::read(dir.join(name))
                .map_err(|e| ConfigError::InCluster(format!("{}: {e}", dir.join(name).display())))
        };
        let token =
            String::from_utf8(read("token")?).map_err(|_| ConfigError::InCluster("the token is not text".into()))?;
        let ca = parse_certs(&read("ca.crt")?).map_err(ConfigError::InCluster)?;
        let host = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
        Ok(ClusterConfig {
            server: format!("https://{host}:{port}"),
            context: None,
            cluster_entry: None,
            ca,
            insecure_skip_tls_verify: false,
            tls_server_name: None,
            auth: Auth::Bearer(token.trim().to_string()),
        })
    }

    /// Merges kubeconfig files like kubectl (the first file to name a context, cluster or user
    /// wins) and resolves `context` (default: `current-context`).
    pub fn from_kubeconfig_files(paths: &[PathBuf], context: Option<&str>) -> Result<ClusterConfig, ConfigError> {
        let merged = Merged::read(paths)?;
        let context_name = context
            .map(str::to_string)
            .or(merged.current_context.clone())
            .ok_or_else(|| ConfigError::Invalid("no current-context; pass --context".into()))?;
        let (ctx, _) = merged
            .contexts
            .get(&context_name)
            .ok_or_else(|| ConfigError::Invalid(format!("no context named '{context_name}'")))?;
        let cluster_name = str_field(ctx, "cluster")
            .ok_or_else(|| ConfigError::Invalid(format!("context '{context_name}' names no cluster")))?;
        let (cluster, cluster_dir) = merged
            .clusters
            .get(cluster_name)
            .ok_or_else(|| ConfigError::Invalid(format!("no cluster named '{cluster_name}'")))?;
        let auth = match str_field(ctx, "user") {
            Some(user) => {
                let (u, dir) =
                    merged.users.get(user).ok_or_else(|| ConfigError::Invalid(format!("no user named '{user}'")))?;
                user_auth(user, u, dir, cluster)?
            }
            None => Auth::None,
        };
        cluster_config(cluster, cluster_dir, auth, context_name.clone(), cluster_name.to_string())
    }

    /// A cluster name for uids: the context's cluster entry (last path segment of an EKS ARN), or
    /// `in-cluster`.
    pub fn default_cluster_name(&self) -> String {
        let name = self.cluster_entry.as_deref().or(self.context.as_deref()).unwrap_or("in-cluster");
        name.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or("in-cluster").to_string()
    }
}

fn cluster_config(
    cluster: &Value,
    dir: &Path,
    auth: Auth,
    context: String,
    entry: String,
) -> Result<ClusterConfig, ConfigError> {
    let server =
        str_field(cluster, "server").ok_or_else(|| ConfigError::Invalid(format!("cluster '{entry}' has no server")))?;
    if str_field(cluster, "proxy-url").is_some() {
        return Err(ConfigError::Invalid(format!("cluster '{entry}': proxy-url is not supported")));
    }
    let ca_pem = inline_or_file(cluster, "certificate-authority-data", "certificate-authority", dir)
        .map_err(ConfigError::Invalid)?;
    let ca = match ca_pem {
        Some(pem) => parse_certs(&pem).map_err(|e| ConfigError::Invalid(format!("cluster '{entry}': {e}")))?,
        None => Vec::new(),
    };
    Ok(ClusterConfig {
        server: server.trim_end_matches('/').to_string(),
        context: Some(context),
        cluster_entry: Some(entry),
        ca,
        insecure_skip_tls_verify: cluster.get("insecure-skip-tls-verify").and_then(Value::as_bool).unwrap_or(false),
        tls_server_name: str_field(cluster, "tls-server-name").map(str::to_string),
        auth,
    })
}

fn user_auth(name: &str, user: &Value, dir: &Path, cluster: &Value) -> Result<Auth, ConfigError> {
    let err = |message: String| ConfigError::Auth { user: name.to_string(), message };
    if let Some(token) = str_field(user, "token").filter(|t| !t.is_empty()) {
        return Ok(Auth::Bearer(token.to_string()));
    }
    if let Some(file) = str_field(user, "tokenFile") {
        let text = std::fs::read_to_string(resolve(dir, file)).map_err(|e| err(format!("tokenFile: {e}")))?;
        return Ok(Auth::Bearer(text.trim().to_string()));
    }
    let cert = inline_or_file(user, "client-certificate-data", "client-certificate", dir).map_err(err)?;
    let key = inline_or_file(user, "client-key-data", "client-key", dir).map_err(err)?;
    match (cert, key) {
        (Some(cert), Some(key)) => return client_cert(&cert, &key).map_err(err),
        (None, None) => {}
        _ => return Err(err("a client certificate needs both the certificate and the key".into())),
    }
    if let Some(exec) = user.get("exec").filter(|e| e.is_object()) {
        return exec_credential(exec, dir, cluster).map_err(err);
    }
    if let Some(provider) = user.get("auth-provider").filter(|p| p.is_object()) {
        return auth_provider(provider).map_err(err);
    }
    if str_field(user, "username").is_some() {
        return Err(err("basic authentication (username/password) is not supported".into()));
    }
    Ok(Auth::None)
}

fn auth_provider(p: &Value) -> Result<Auth, String> {
    let name = str_field(p, "name").unwrap_or("?");
    let token = p.get("config").and_then(|c| str_field(c, "id-token"));
    match (name, token) {
        ("oidc", Some(t)) if !t.is_empty() => Ok(Auth::Bearer(t.to_string())),
        ("oidc", _) => Err("the oidc auth-provider has no cached id-token; log in with kubectl first".into()),
        (other, _) => Err(format!("auth-provider '{other}' is not supported; use its exec credential plugin instead")),
    }
}

fn client_cert(cert: &[u8], key: &[u8]) -> Result<Auth, String> {
    let certs = parse_certs(cert)?;
    let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| format!("client key: {e}"))?;
    Ok(Auth::ClientCert { certs, key })
}

pub(crate) fn parse_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs =
        CertificateDer::pem_slice_iter(pem).collect::<Result<Vec<_>, _>>().map_err(|e| format!("certificate: {e}"))?;
    if certs.is_empty() {
        return Err("no PEM certificate found".into());
    }
    Ok(certs)
}

/// `<field>-data` (base64 of PEM) or `<field>` (a file, relative to the kubeconfig's folder).
fn inline_or_file(v: &Value, data_field: &str, file_field: &str, dir: &Path) -> Result<Option<Vec<u8>>, String> {
    if let Some(data) = str_field(v, data_field).filter(|d| !d.is_empty()) {
        let compact: String = data.split_whitespace().collect();
        return base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map(Some)
            .map_err(|e| format!("{data_field}: {e}"));
    }
    match str_field(v, file_field).filter(|f| !f.is_empty()) {
        Some(file) => std::fs::read(resolve(dir, file)).map(Some).map_err(|e| format!("{file_field} {file}: {e}")),
        None => Ok(None),
    }
}

fn resolve(dir: &Path, file: &str) -> PathBuf {
    let p = Path::new(file);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from)
}

/// Named entries of several kubeconfig files, each with the folder its relative paths start from.
#[derive(Default)]
struct Merged {
    clusters: HashMap<String, (Value, PathBuf)>,
    users: HashMap<String, (Value, PathBuf)>,
    contexts: HashMap<String, (Value, PathBuf)>,
    current_context: Option<String>,
}

impl Merged {
    fn read(paths: &[PathBuf]) -> Result<Merged, ConfigError> {
        let mut merged = Merged::default();
        for path in paths {
            let file_err = |message: String| ConfigError::File { path: path.display().to_string(), message };
            let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
            let doc = parse_yaml(&text).map_err(file_err)?;
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            merged.add(&doc, &dir);
        }
        Ok(merged)
    }

    fn add(&mut self, doc: &Value, dir: &Path) {
        for (list, field, target) in [
            ("clusters", "cluster", &mut self.clusters),
            ("users", "user", &mut self.users),
            ("contexts", "context", &mut self.contexts),
        ] {
            for entry in doc.get(list).and_then(Value::as_array).into_iter().flatten() {
                if let (Some(name), Some(body)) = (str_field(entry, "name"), entry.get(field)) {
                    target.entry(name.to_string()).or_insert_with(|| (body.clone(), dir.to_path_buf()));
                }
            }
        }
        if self.current_context.is_none() {
            self.current_context = str_field(doc, "current-context").filter(|c| !c.is_empty()).map(str::to_string);
        }
    }
}

/// Kubeconfig is YAML (JSON is YAML too); converted to JSON values for uniform reading.
fn parse_yaml(text: &str) -> Result<Value, String> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    Ok(docs.first().map(yaml_to_json).unwrap_or(Value::Null))
}

fn yaml_to_json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(r.clone()), Value::Number),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => {
            let mut map = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    _ => continue,
                };
                map.insert(key, yaml_to_json(v));
            }
            Value::Object(map)
        }
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

/// Runs an exec credential plugin once and reads its ExecCredential (token or client cert).
fn exec_credential(exec: &Value, dir: &Path, cluster: &Value) -> Result<Auth, String> {
    let command = str_field(exec, "command").filter(|c| !c.is_empty()).ok_or("exec: no command")?;
    if str_field(exec, "interactiveMode") == Some("Always") {
        return Err(format!("exec plugin '{command}' needs an interactive terminal"));
    }
    let api_version = str_field(exec, "apiVersion").unwrap_or("client.authentication.k8s.io/v1beta1");
    // A command with a path separator is relative to the kubeconfig; a bare name is looked up in PATH.
    let program = if command.contains('/') { resolve(dir, command) } else { PathBuf::from(command) };
    let mut cmd = std::process::Command::new(&program);
    cmd.args(exec.get("args").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str));
    for env in exec.get("env").and_then(Value::as_array).into_iter().flatten() {
        if let (Some(k), Some(v)) = (str_field(env, "name"), str_field(env, "value")) {
            cmd.env(k, v);
        }
    }
    let mut spec = json!({"interactive": false});
    if exec.get("provideClusterInfo").and_then(Value::as_bool) == Some(true) {
        spec["cluster"] = json!({
            "server": cluster.get("server"),
            "certificate-authority-data": cluster.get("certificate-authority-data"),
            "insecure-skip-tls-verify": cluster.get("insecure-skip-tls-verify"),
        });
    }
    cmd.env(
        "KUBERNETES_EXEC_INFO",
        json!({"apiVersion": api_version, "kind": "ExecCredential", "spec": spec}).to_string(),
    );
    let stdout = run_with_timeout(cmd, command)?;
    let cred: Value = serde_json::from_slice(&stdout)
        .map_err(|e| format!("exec plugin '{command}' printed no ExecCredential: {e}"))?;
    let status = cred.get("status").ok_or_else(|| format!("exec plugin '{command}': ExecCredential has no status"))?;
    if let Some(token) = str_field(status, "token").filter(|t| !t.is_empty()) {
        return Ok(Auth::Bearer(token.to_string()));
    }
    match (str_field(status, "clientCertificateData"), str_field(status, "clientKeyData")) {
        (Some(c), Some(k)) => client_cert(c.as_bytes(), k.as_bytes()),
        _ => Err(format!("exec plugin '{command}' returned neither a token nor a client certificate")),
    }
}

fn run_with_timeout(mut cmd: std::process::Command, name: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("exec plugin '{name}': {e}"))?;
    // Read both pipes on threads so a chatty plugin cannot block on a full pipe.
    let pipe = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = pipe(child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let err = pipe(child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let deadline = Instant::now() + EXEC_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("exec plugin '{name}' did not finish within {}s", EXEC_TIMEOUT.as_secs()));
            }
            Err(e) => return Err(format!("exec plugin '{name}': {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        let text: String = String::from_utf8_lossy(&stderr).chars().take(300).collect();
        return Err(format!("exec plugin '{name}' failed ({status}): {}", text.trim()));
    }
    Ok(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks
  cluster:
    server: https://prod.example.com/
    insecure-skip-tls-verify: true
- name: dev
  cluster: {server: "http://127.0.0.1:8001"}
users:
- name: robot
  user: {token: s3cr3t}
- name: legacy
  user:
    auth-provider: {name: gcp, config: {}}
contexts:
- name: prod
  context: {cluster: "arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks", user: robot}
- name: dev
  context: {cluster: dev, user: legacy}
"#;

    #[test]
    fn kubeconfig_contexts_resolve_to_a_cluster_and_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, KUBECONFIG).unwrap();
        let cfg = ClusterConfig::from_kubeconfig_files(std::slice::from_ref(&path), None).unwrap();
        assert_eq!(cfg.server, "https://prod.example.com");
        assert!(cfg.insecure_skip_tls_verify);
        assert!(matches!(&cfg.auth, Auth::Bearer(t) if t == "s3cr3t"));
        assert_eq!(cfg.default_cluster_name(), "prod-eks");
        assert!(!format!("{cfg:?}").contains("s3cr3t"), "credentials never show in Debug output");
        let legacy =
            ClusterConfig::from_kubeconfig_files(std::slice::from_ref(&path), Some("dev")).unwrap_err().to_string();
        assert!(legacy.contains("auth-provider 'gcp' is not supported"), "{legacy}");
        let missing = ClusterConfig::from_kubeconfig_files(&[path], Some("nope")).unwrap_err().to_string();
        assert!(missing.contains("no context named 'nope'"), "{missing}");
    }

    #[test]
    fn the_first_file_to_name_an_entry_wins() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, "current-context: x\nclusters: [{name: c, cluster: {server: 'http://first'}}]\n").unwrap();
        std::fs::write(&b, "current-context: y\nclusters: [{name: c, cluster: {server: 'http://second'}}]\ncontexts: [{name: x, context: {cluster: c}}]\n").unwrap();
        let cfg = ClusterConfig::from_kubeconfig_files(&[a, b], None).unwrap();
        assert_eq!(cfg.server, "http://first");
        assert!(matches!(cfg.auth, Auth::None));
    }

    #[cfg(unix)]
    #[test]
    fn an_exec_plugin_supplies_a_token() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("get-token.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\ncase \"$KUBERNETES_EXEC_INFO\" in *ExecCredential*) ;; *) exit 3;; esac\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"from-plugin-'$1'\"}}'\n",
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "current-context: c\nclusters: [{name: k, cluster: {server: 'http://x'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./get-token.sh, args: [abc]}}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n").unwrap();
        let cfg = ClusterConfig::from_kubeconfig_files(&[config], None).unwrap();
        assert!(matches!(&cfg.auth, Auth::Bearer(t) if t == "from-plugin-abc"), "{:?}", cfg.auth);
    }

    #[test]
    fn in_cluster_reads_the_mounted_service_account() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "tok\n").unwrap();
        let ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/ca.crt");
        std::fs::copy(ca, dir.path().join("ca.crt")).unwrap();
        let cfg = ClusterConfig::in_cluster(dir.path(), "fd00::1", "443").unwrap();
        assert_eq!(cfg.server, "https://[fd00::1]:443");
        assert_eq!(cfg.ca.len(), 1);
        assert!(matches!(&cfg.auth, Auth::Bearer(t) if t == "tok"));
        assert_eq!(cfg.default_cluster_name(), "in-cluster");
        std::fs::write(dir.path().join("ca.crt"), "not a certificate").unwrap();
        let err = ClusterConfig::in_cluster(dir.path(), "10.0.0.1", "443").unwrap_err().to_string();
        assert!(err.contains("no PEM certificate"), "{err}");
    }
}
