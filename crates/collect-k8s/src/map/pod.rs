//! The pod template, flattened the same way for Pods and every workload kind (schema
//! `k8s.core.pod`): one rule then checks a Deployment in a manifest and a running Pod alike.

use super::json::*;
use serde_json::{Map, Value};

const SECCOMP_TYPES: &[&str] = &["RuntimeDefault", "Localhost", "Unconfined"];
const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP"];
const PULL_POLICIES: &[&str] = &["Always", "IfNotPresent", "Never"];
/// Reads as an object with no fields set (`get` on null finds nothing).
const NO_FIELDS: &Value = &Value::Null;
const APPARMOR_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Volume source field (camelCase, as in the API) → canonical `type`.
const VOLUME_TYPES: &[(&str, &str)] = &[
    ("awsElasticBlockStore", "aws_elastic_block_store"),
    ("azureDisk", "azure_disk"),
    ("azureFile", "azure_file"),
    ("cephfs", "cephfs"),
    ("cinder", "cinder"),
    ("configMap", "config_map"),
    ("csi", "csi"),
    ("downwardAPI", "downward_api"),
    ("emptyDir", "empty_dir"),
    ("ephemeral", "ephemeral"),
    ("fc", "fc"),
    ("flexVolume", "flex_volume"),
    ("flocker", "flocker"),
    ("gcePersistentDisk", "gce_persistent_disk"),
    ("gitRepo", "git_repo"),
    ("glusterfs", "glusterfs"),
    ("hostPath", "host_path"),
    ("image", "image"),
    ("iscsi", "iscsi"),
    ("nfs", "nfs"),
    ("persistentVolumeClaim", "persistent_volume_claim"),
    ("photonPersistentDisk", "photon_persistent_disk"),
    ("portworxVolume", "portworx_volume"),
    ("projected", "projected"),
    ("quobyte", "quobyte"),
    ("rbd", "rbd"),
    ("scaleIO", "scale_io"),
    ("secret", "secret"),
    ("storageos", "storageos"),
    ("vsphereVolume", "vsphere_volume"),
];

/// Writes the pod-template attributes of `spec` (a PodSpec) into `a`. `annotations` are the pod
/// (template) annotations, read for the legacy AppArmor ones. A missing spec leaves every
/// template attribute out: nothing is known about it.
pub(crate) fn pod_template(spec: Option<&Value>, annotations: Option<&Value>, a: &mut Attrs) {
    let Some(spec) = spec.filter(|s| s.is_object()) else { return };
    let sa = get(Some(spec), "serviceAccountName")
        .filter(|v| !is_unset(Some(v)))
        .or_else(|| get(Some(spec), "serviceAccount"));
    a.put("service_account_name", str_or_null(sa));
    a.put("automount_service_account_token", bool_or_null(spec.get("automountServiceAccountToken")));
    a.put("host_network", bool_or(spec.get("hostNetwork"), false));
    a.put("host_pid", bool_or(spec.get("hostPID"), false));
    a.put("host_ipc", bool_or(spec.get("hostIPC"), false));
    a.put("host_users", bool_or_null(spec.get("hostUsers")));
    a.put("share_process_namespace", bool_or_null(spec.get("shareProcessNamespace")));
    a.put("runtime_class_name", str_or_null(spec.get("runtimeClassName")));
    a.put("priority_class_name", str_or_null(spec.get("priorityClassName")));
    a.put("image_pull_secrets", name_list(spec.get("imagePullSecrets")));
    a.put("security_context", object_or_null(spec.get("securityContext"), pod_security_context));
    a.put("containers", containers(spec, annotations));
    a.put("volumes", list_of(spec.get("volumes"), volume));
}

/// Image references of every container of `spec`, in order, without repeats.
pub(crate) fn images(spec: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let items = get(spec, list).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for image in items.iter().filter_map(|c| str_of(c.get("image"))) {
            if !image.is_empty() && !out.iter().any(|i| i == image) {
                out.push(image.to_string());
            }
        }
    }
    out
}

fn containers(spec: &Value, annotations: Option<&Value>) -> Option<Value> {
    let mut out = Vec::new();
    for (field, ctype) in
        [("containers", "container"), ("initContainers", "init"), ("ephemeralContainers", "ephemeral")]
    {
        let Some(Value::Array(list)) = list_of(spec.get(field), |c| Some(container(c, ctype, annotations))) else {
            return None;
        };
        out.extend(list);
    }
    Some(Value::Array(out))
}

fn container(c: &Value, ctype: &str, annotations: Option<&Value>) -> Value {
    let name = str_of(c.get("name"));
    let probes = ctype != "ephemeral";
    obj(|a| {
        a.put("name", name.map(|n| Value::String(n.to_string())));
        a.put("container_type", Some(Value::String(ctype.to_string())));
        a.put("image", str_of(c.get("image")).map(|s| Value::String(s.to_string())));
        a.put("image_pull_policy", enum_or_null(c.get("imagePullPolicy"), PULL_POLICIES));
        a.put("command", command_line(c.get("command")));
        a.put("args", command_line(c.get("args")));
        a.put("ports", list_of(c.get("ports"), |p| Some(container_port(p))));
        a.put(
            "security_context",
            container_security_context(c.get("securityContext"), legacy_apparmor(annotations, name)),
        );
        a.put("resources", Some(resources(c.get("resources"))));
        a.put("env", list_of(c.get("env"), |e| Some(env_var(e))));
        a.put("env_from", list_of(c.get("envFrom"), env_from));
        a.put("volume_mounts", list_of(c.get("volumeMounts"), |m| Some(volume_mount(m))));
        a.put("liveness_probe", Some(Value::Bool(probes && !is_unset(c.get("livenessProbe")))));
        a.put("readiness_probe", Some(Value::Bool(probes && !is_unset(c.get("readinessProbe")))));
    })
}

/// `command` or `args` as written (unset: `[]`, the image's own applies), with the values of
/// flags that look like secrets masked. Flags matter to rules (`--audit-log-path=...` of a
/// kube-apiserver static pod); a password on a command line must not reach a snapshot. A list
/// holding anything but strings is left out (unknown).
fn command_line(v: Option<&Value>) -> Option<Value> {
    let items = match v {
        None | Some(Value::Null) => return Some(Value::Array(Vec::new())),
        Some(Value::Array(items)) => items,
        Some(_) => return None,
    };
    let mut out = Vec::with_capacity(items.len());
    let mut mask_next = false;
    for item in items {
        let text = item.as_str()?;
        if std::mem::take(&mut mask_next) && !text.starts_with('-') {
            out.push(Value::String(MASK.into()));
            continue;
        }
        let masked = match text.split_once('=') {
            Some((flag, _)) if secret_flag(flag) => format!("{flag}={MASK}"),
            None if secret_flag(text) => {
                // `--password VALUE`: the value is the next item.
                mask_next = true;
                text.to_string()
            }
            _ => text.to_string(),
        };
        out.push(Value::String(masked));
    }
    Some(Value::Array(out))
}

const MASK: &str = "***";

/// `--db-password`, `--api-token`, `-secret`: flags whose value is a secret, unlike flags naming
/// a file or path that holds one (`--token-auth-file`, `--tls-private-key-file`).
fn secret_flag(flag: &str) -> bool {
    let Some(name) = flag.strip_prefix("--").or_else(|| flag.strip_prefix('-')) else { return false };
    let name = name.to_ascii_lowercase();
    const SECRET: &[&str] = &["password", "passwd", "secret", "token", "apikey", "api-key", "api_key", "credential"];
    const REFERENCE: &[&str] = &["file", "path", "dir", "name", "ref", "ttl", "auth", "mount"];
    SECRET.iter().any(|w| name.contains(w)) && !REFERENCE.iter().any(|w| name.ends_with(w))
}

fn container_port(p: &Value) -> Value {
    let port = |v: Option<&Value>| int_of(v).filter(|n| (1..=65535).contains(n));
    obj(|a| {
        a.put("name", str_or_null(p.get("name")));
        a.put("container_port", port(p.get("containerPort")).map(Value::from));
        // 0 is how the API spells "no host port".
        let host_port = match p.get("hostPort") {
            v if is_unset(v) || int_of(v) == Some(0) => Some(Value::Null),
            v => port(v).map(Value::from),
        };
        a.put("host_port", host_port);
        a.put("host_ip", str_or_null(p.get("hostIP")));
        a.put("protocol", enum_or(p.get("protocol"), PROTOCOLS, "TCP"));
    })
}

fn container_security_context(v: Option<&Value>, apparmor: Option<Value>) -> Option<Value> {
    let sc = match v {
        None | Some(Value::Null) if apparmor.is_none() => return Some(Value::Null),
        None | Some(Value::Null) => NO_FIELDS,
        Some(o) if o.is_object() => o,
        Some(_) => return None,
    };
    let apparmor = match sc.get("appArmorProfile") {
        v if is_unset(v) && apparmor.is_some() => apparmor,
        v => object_or_null(v, profile),
    };
    Some(obj(|a| {
        a.put("privileged", bool_or_null(sc.get("privileged")));
        a.put("allow_privilege_escalation", bool_or_null(sc.get("allowPrivilegeEscalation")));
        a.put("run_as_non_root", bool_or_null(sc.get("runAsNonRoot")));
        a.put("run_as_user", int_or_null(sc.get("runAsUser")));
        a.put("run_as_group", int_or_null(sc.get("runAsGroup")));
        a.put("read_only_root_filesystem", bool_or_null(sc.get("readOnlyRootFilesystem")));
        a.put("capabilities", object_or_null(sc.get("capabilities"), capabilities));
        a.put("seccomp_profile", object_or_null(sc.get("seccompProfile"), profile));
        a.put("app_armor_profile", apparmor);
        a.put("se_linux_options", object_or_null(sc.get("seLinuxOptions"), se_linux));
        a.put("proc_mount", enum_or_null(sc.get("procMount"), &["Default", "Unmasked"]));
        a.put("windows_options", object_or_null(sc.get("windowsOptions"), windows_options));
    }))
}

fn pod_security_context(sc: &Value) -> Option<Value> {
    let groups = match sc.get("supplementalGroups") {
        None | Some(Value::Null) => Some(Value::Array(Vec::new())),
        Some(Value::Array(items)) => {
            items.iter().map(|i| int_of(Some(i)).map(Value::from)).collect::<Option<Vec<_>>>().map(Value::Array)
        }
        Some(_) => None,
    };
    Some(obj(|a| {
        a.put("run_as_non_root", bool_or_null(sc.get("runAsNonRoot")));
        a.put("run_as_user", int_or_null(sc.get("runAsUser")));
        a.put("run_as_group", int_or_null(sc.get("runAsGroup")));
        a.put("fs_group", int_or_null(sc.get("fsGroup")));
        a.put("supplemental_groups", groups);
        a.put("seccomp_profile", object_or_null(sc.get("seccompProfile"), profile));
        a.put("app_armor_profile", object_or_null(sc.get("appArmorProfile"), profile));
        a.put("se_linux_options", object_or_null(sc.get("seLinuxOptions"), se_linux));
        a.put("sysctls", list_of(sc.get("sysctls"), sysctl));
        a.put("windows_options", object_or_null(sc.get("windowsOptions"), windows_options));
    }))
}

fn capabilities(c: &Value) -> Option<Value> {
    Some(obj(|a| {
        a.put("add", str_list(c.get("add")));
        a.put("drop", str_list(c.get("drop")));
    }))
}

/// Seccomp and AppArmor profiles share one shape.
fn profile(p: &Value) -> Option<Value> {
    Some(obj(|a| {
        a.put(
            "type",
            str_of(p.get("type")).filter(|t| SECCOMP_TYPES.contains(t)).map(|t| Value::String(t.to_string())),
        );
        a.put("localhost_profile", str_or_null(p.get("localhostProfile")));
    }))
}

/// The pre-1.30 per-container annotation: `runtime/default`, `localhost/<profile>`, `unconfined`.
fn legacy_apparmor(annotations: Option<&Value>, container: Option<&str>) -> Option<Value> {
    let key = format!("{APPARMOR_ANNOTATION}{}", container?);
    let value = str_of(get(annotations, &key))?;
    let (kind, local) = match value {
        "runtime/default" => ("RuntimeDefault", Value::Null),
        "unconfined" => ("Unconfined", Value::Null),
        v => ("Localhost", Value::String(v.strip_prefix("localhost/")?.to_string())),
    };
    Some(serde_json::json!({"type": kind, "localhost_profile": local}))
}

fn se_linux(o: &Value) -> Option<Value> {
    Some(obj(|a| {
        for (key, field) in [("user", "user"), ("role", "role"), ("type", "type"), ("level", "level")] {
            a.put(key, str_or_null(o.get(field)));
        }
    }))
}

fn windows_options(o: &Value) -> Option<Value> {
    Some(obj(|a| {
        a.put("host_process", bool_or_null(o.get("hostProcess")));
        a.put("run_as_user_name", str_or_null(o.get("runAsUserName")));
    }))
}

fn sysctl(s: &Value) -> Option<Value> {
    Some(obj(|a| {
        a.put("name", str_of(s.get("name")).map(|v| Value::String(v.to_string())));
        // The value is configuration, not a secret; a number in a manifest is kept as text.
        a.put("value", quantity(s.get("value")).filter(|v| !v.is_null()));
    }))
}

fn resources(r: Option<&Value>) -> Value {
    obj(|a| {
        a.put("limits", quantities(get(r, "limits")));
        a.put("requests", quantities(get(r, "requests")));
    })
}

fn quantities(q: Option<&Value>) -> Option<Value> {
    let empty = Map::new();
    let map = match q {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return None,
    };
    let mut extended = Map::new();
    for (k, v) in map.iter().filter(|(k, _)| !matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage")) {
        extended.insert(k.clone(), quantity(Some(v)).filter(|v| !v.is_null())?);
    }
    Some(obj(|a| {
        a.put("cpu", quantity(map.get("cpu")));
        a.put("memory", quantity(map.get("memory")));
        a.put("ephemeral_storage", quantity(map.get("ephemeral-storage")));
        a.put("extended", Some(Value::Object(extended)));
    }))
}

/// Where a variable's value comes from; the value itself is never kept.
fn env_var(e: &Value) -> Value {
    let from = e.get("valueFrom");
    let (source, name) = if is_unset(from) {
        (Some("value"), None)
    } else if let Some(r) = get(from, "secretKeyRef") {
        (Some("secret"), r.get("name"))
    } else if let Some(r) = get(from, "configMapKeyRef") {
        (Some("config_map"), r.get("name"))
    } else if get(from, "fieldRef").is_some() {
        (Some("field"), None)
    } else if get(from, "resourceFieldRef").is_some() {
        (Some("resource"), None)
    } else {
        (None, None)
    };
    obj(|a| {
        a.put("name", str_of(e.get("name")).map(|s| Value::String(s.to_string())));
        a.put("source", source.map(|s| Value::String(s.to_string())));
        a.put("source_name", str_or_null(name));
    })
}

fn env_from(e: &Value) -> Option<Value> {
    let (source, r) = if let Some(r) = e.get("secretRef").filter(|r| r.is_object()) {
        ("secret", r)
    } else if let Some(r) = e.get("configMapRef").filter(|r| r.is_object()) {
        ("config_map", r)
    } else {
        return None;
    };
    Some(obj(|a| {
        a.put("source", Some(Value::String(source.to_string())));
        a.put("name", str_of(r.get("name")).map(|s| Value::String(s.to_string())));
    }))
}

fn volume_mount(m: &Value) -> Value {
    obj(|a| {
        a.put("name", str_of(m.get("name")).map(|s| Value::String(s.to_string())));
        a.put("mount_path", str_of(m.get("mountPath")).map(|s| Value::String(s.to_string())));
        a.put("read_only", bool_or(m.get("readOnly"), false));
    })
}

fn volume(v: &Value) -> Option<Value> {
    let present: Vec<&(&str, &str)> = VOLUME_TYPES.iter().filter(|(field, _)| !is_unset(v.get(*field))).collect();
    let unknown_source = v.as_object().is_some_and(|m| {
        m.iter().any(|(k, val)| k != "name" && !val.is_null() && !VOLUME_TYPES.iter().any(|(f, _)| f == k))
    });
    // No source at all is an emptyDir for the API server; a source we do not know is unknown.
    let source = match (present.as_slice(), unknown_source) {
        ([], false) => Some(("emptyDir", "empty_dir")),
        ([one], false) => Some(**one),
        _ => None,
    };
    let body = source.and_then(|(field, _)| v.get(field));
    Some(obj(|a| {
        a.put("name", str_of(v.get("name")).map(|s| Value::String(s.to_string())));
        a.put("type", source.map(|(_, t)| Value::String(t.to_string())));
        let host_path = match source {
            Some((_, "host_path")) => object_or_null(body, |h| {
                Some(obj(|a| {
                    a.put("path", str_of(h.get("path")).map(|s| Value::String(s.to_string())));
                    a.put("type", str_or_null(h.get("type")));
                }))
            }),
            Some(_) => Some(Value::Null),
            None => None,
        };
        a.put("host_path", host_path);
        a.put("source_name", source.and_then(|(field, _)| volume_source_name(field, body)));
        a.put("read_only", if source.is_some() { bool_or_null(get(body, "readOnly")) } else { None });
    }))
}

fn volume_source_name(field: &str, body: Option<&Value>) -> Option<Value> {
    let key = match field {
        "secret" => "secretName",
        "configMap" => "name",
        "persistentVolumeClaim" => "claimName",
        "csi" => "driver",
        "image" => "reference",
        _ => return Some(Value::Null),
    };
    str_or_null(get(body, key))
}
